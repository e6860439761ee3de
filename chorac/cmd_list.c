/*
 * cmd_list — `chorac list configs|content|artifacts|collections
 * [--where K=V]... [--since T] [--limit N] [--offset N] [--workspace W]`:
 * the latest version of each config or output whose context matches,
 * newest first.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

/* --where may be given up to this many times (the daemon's limit). */
#define LIST_MAX_WHERE	8

struct list_opts {
	const char	*where[LIST_MAX_WHERE];
	size_t		 nwhere;
	const char	*since;
	const char	*workspace;
	unsigned long long limit, offset;
};

static const char *const list_types[] = {
	"configs", "content", "artifacts", "collections",
};

static const struct out_col config_cols[] = {
	{ "ID", PROTO_F_ID, 0 },
	{ "TYPE", PROTO_F_TYPE, 0 },
	{ "VERSION", PROTO_F_VERSION, 0 },
	{ "HASH", PROTO_F_HASH, OUT_SHORT },
	{ "TIME", PROTO_F_TIME, 0 },
	{ "CONTEXT", PROTO_F_CONTEXT, 0 },
};

static const struct out_col output_cols[] = {
	{ "ID", PROTO_F_ID, 0 },
	{ "WORKSPACE", PROTO_F_WORKSPACE, 0 },
	{ "PATH", PROTO_F_PATH, 0 },
	{ "HASH", PROTO_F_HASH, OUT_SHORT },
	{ "TIME", PROTO_F_TIME, 0 },
	{ "CONTEXT", PROTO_F_CONTEXT, 0 },
};

static int
list_opt(void *arg, int c, char *optarg)
{
	struct list_opts *o = arg;

	switch (c) {
	case 'W':
		if (strchr(optarg, '=') == NULL || optarg[0] == '=') {
			fprintf(stderr, "chorac: --where: '%s' is not KEY=VALUE\n",
			    optarg);
			return -1;
		}
		if (o->nwhere == LIST_MAX_WHERE) {
			fprintf(stderr, "chorac: --where: at most %d of them\n",
			    LIST_MAX_WHERE);
			return -1;
		}
		o->where[o->nwhere++] = optarg;
		return 0;
	case 's': o->since = optarg; return 0;
	case 'w': o->workspace = optarg; return 0;
	case 'l': return cmd_number("--limit", optarg, &o->limit);
	case 'o': return cmd_number("--offset", optarg, &o->offset);
	default: return -1;
	}
}

static bool
list_type_ok(const char *type)
{
	for (size_t i = 0; i < sizeof(list_types) / sizeof(list_types[0]); i++)
		if (strcmp(list_types[i], type) == 0)
			return true;
	return false;
}

static int
list_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "where", required_argument, NULL, 'W' },
		{ "since", required_argument, NULL, 's' },
		{ "workspace", required_argument, NULL, 'w' },
		{ "limit", required_argument, NULL, 'l' },
		{ "offset", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct list_opts o = { 0 };
	struct client_reply r;
	struct proto_enc e;
	const char *type;
	bool configs;
	int first, rc;

	if ((first = cmd_args(&cmd_list_entry, argc, argv, opts, list_opt, &o,
	    1, 1)) == -1 || !list_type_ok(argv[first]))
		return first == -1 ? CMD_EXIT_USAGE :
		    cmd_usage(&cmd_list_entry);
	type = argv[first];
	configs = strcmp(type, "configs") == 0 || strcmp(type,
	    "collections") == 0;
	if ((rc = cmd_request(ctx, NULL, true, &e)) != 0)
		return rc;
	proto_enc_kv_str(&e, PROTO_F_TYPE, type);
	if (o.nwhere > 0) {
		proto_enc_key(&e, PROTO_F_WHERE);
		proto_enc_strs(&e, o.where, o.nwhere);
	}
	proto_enc_kv_str_opt(&e, PROTO_F_SINCE, o.since);
	proto_enc_kv_str_opt(&e, PROTO_F_WORKSPACE, o.workspace);
	if (o.limit > 0)
		proto_enc_kv_uint(&e, PROTO_F_LIMIT, o.limit);
	if (o.offset > 0)
		proto_enc_kv_uint(&e, PROTO_F_OFFSET, o.offset);
	if ((rc = cmd_call(ctx, PROTO_M_LIST, &e, NULL, NULL, &r)) != 0)
		return rc;
	ctx->out->result(r.result);
	if (configs)
		ctx->out->table(config_cols, sizeof(config_cols) /
		    sizeof(config_cols[0]), proto_get(r.result, PROTO_F_ITEMS));
	else
		ctx->out->table(output_cols, sizeof(output_cols) /
		    sizeof(output_cols[0]), proto_get(r.result, PROTO_F_ITEMS));
	out_linef(ctx->out, "%zu of %llu", cmd_count(r.result, PROTO_F_ITEMS),
	    cmd_uint(r.result, PROTO_F_TOTAL));
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = "configs|content|artifacts|collections [--where K=V]... "
	    "[--since T] [--limit N] [--offset N] [--workspace W]",
	.help = "List configs or outputs, newest first.  --where K=V keeps "
	    "those whose context has K equal to V (a.b reaches into objects; "
	    "all must match); --since takes a time (2026-01-02, "
	    "2026-01-02T03:04:05Z) or an age (90s, 15m, 2h, 7d).",
	.exec = list_exec,
};
