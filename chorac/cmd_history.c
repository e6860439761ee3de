/*
 * cmd_history — `chorac history ID [--limit N] [--workspace W]`: every
 * kept version of an output (or config), newest first, with why it
 * exists: generated, drift (a hand edit, kept before it was
 * overwritten), removed, rollback, imported.
 */
#include <getopt.h>

#include "cmd.h"

struct history_opts {
	const char	*workspace;
	unsigned long long limit;
};

static const struct out_col history_cols[] = {
	{ "VERSION", PROTO_F_VERSION, OUT_RIGHT },
	{ "TIME", PROTO_F_TIME, 0 },
	{ "SOURCE", PROTO_F_SOURCE, 0 },
	{ "SIZE", PROTO_F_SIZE, OUT_RIGHT },
	{ "HASH", PROTO_F_HASH, OUT_SHORT },
	{ "CONFIG VERSION", PROTO_F_CONFIG_VERSION, 0 },
};

static int
history_opt(void *arg, int c, char *optarg)
{
	struct history_opts *o = arg;

	switch (c) {
	case 'w': o->workspace = optarg; return 0;
	case 'l': return cmd_number("--limit", optarg, &o->limit);
	default: return -1;
	}
}

static int
history_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct history_opts o = { 0 };
	struct client_reply r;
	struct proto_enc e;
	int first, rc;

	if ((first = cmd_args(&cmd_history_entry, argc, argv, opts,
	    history_opt, &o, 1, 1)) == -1)
		return CMD_EXIT_USAGE;
	if ((rc = cmd_request(ctx, NULL, true, &e)) != 0)
		return rc;
	proto_enc_kv_str(&e, PROTO_F_ID, argv[first]);
	proto_enc_kv_str_opt(&e, PROTO_F_WORKSPACE, o.workspace);
	if (o.limit > 0)
		proto_enc_kv_uint(&e, PROTO_F_LIMIT, o.limit);
	if ((rc = cmd_call(ctx, PROTO_M_HISTORY, &e, NULL, NULL, &r)) != 0)
		return rc;
	ctx->out->result(r.result);
	ctx->out->table(history_cols, sizeof(history_cols) /
	    sizeof(history_cols[0]), proto_get(r.result, PROTO_F_VERSIONS));
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_history_entry = {
	.name = "history",
	.usage = "ID [--limit N] [--workspace W]",
	.help = "List every kept version of an output, newest first, with "
	    "its source: generated, drift (a hand edit kept before it was "
	    "overwritten), removed, rollback or imported.  'chorac show ID "
	    "--version N' prints one.",
	.exec = history_exec,
};
