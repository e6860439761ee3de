/*
 * cmd_deploy — the deployment audit trail: `chorac deploy record --env E
 * --version V --status S [--note T]` records an event (in the store and
 * in .chora/memory/events/deployment.jsonl); `chorac deploy list [--env
 * E] [--limit N]` shows them, newest first.  Sub-actions are a table.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

struct deploy_opts {
	const char	*env;
	const char	*version;
	const char	*status;
	const char	*note;
	unsigned long long limit;
};

static const struct out_col deploy_cols[] = {
	{ "TIME", PROTO_F_TIME, 0 },
	{ "ENV", PROTO_F_ENV, 0 },
	{ "VERSION", PROTO_F_VERSION, 0 },
	{ "STATUS", PROTO_F_STATUS, 0 },
	{ "UID", PROTO_F_UID, OUT_RIGHT },
	{ "NOTE", PROTO_F_NOTE, 0 },
};

static int
deploy_opt(void *arg, int c, char *optarg)
{
	struct deploy_opts *o = arg;

	switch (c) {
	case 'e': o->env = optarg; return 0;
	case 'v': o->version = optarg; return 0;
	case 's': o->status = optarg; return 0;
	case 'n': o->note = optarg; return 0;
	case 'l': return cmd_number("--limit", optarg, &o->limit);
	default: return -1;
	}
}

static int
deploy_record(struct cmd_ctx *ctx, const struct deploy_opts *o)
{
	struct client_reply r;
	struct proto_enc e;
	int rc;

	if (o->env == NULL || o->version == NULL || o->status == NULL)
		return cmd_usage(&cmd_deploy_entry);
	cmd_params(ctx, &e);
	proto_enc_kv_str(&e, PROTO_F_ENV, o->env);
	proto_enc_kv_str(&e, PROTO_F_VERSION, o->version);
	proto_enc_kv_str(&e, PROTO_F_STATUS, o->status);
	proto_enc_kv_str_opt(&e, PROTO_F_NOTE, o->note);
	if ((rc = cmd_call(ctx, PROTO_M_DEPLOY_RECORD, &e, NULL, NULL,
	    &r)) != 0)
		return rc;
	ctx->out->result(r.result);
	out_linef(ctx->out, "recorded: %s %s %s", o->env, o->version,
	    o->status);
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

static int
deploy_list(struct cmd_ctx *ctx, const struct deploy_opts *o)
{
	struct client_reply r;
	struct proto_enc e;
	int rc;

	if (o->version != NULL || o->status != NULL || o->note != NULL)
		return cmd_usage(&cmd_deploy_entry);
	cmd_params(ctx, &e);
	proto_enc_kv_str_opt(&e, PROTO_F_ENV, o->env);
	if (o->limit > 0)
		proto_enc_kv_uint(&e, PROTO_F_LIMIT, o->limit);
	if ((rc = cmd_call(ctx, PROTO_M_DEPLOY_LIST, &e, NULL, NULL, &r)) != 0)
		return rc;
	ctx->out->result(r.result);
	ctx->out->table(deploy_cols, sizeof(deploy_cols) /
	    sizeof(deploy_cols[0]), proto_get(r.result, PROTO_F_EVENTS));
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

static const struct {
	const char	*name;
	int		(*fn)(struct cmd_ctx *, const struct deploy_opts *);
} deploy_actions[] = {
	{ "record", deploy_record },
	{ "list", deploy_list },
};

static int
deploy_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "env", required_argument, NULL, 'e' },
		{ "version", required_argument, NULL, 'v' },
		{ "status", required_argument, NULL, 's' },
		{ "note", required_argument, NULL, 'n' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct deploy_opts o = { 0 };
	int first, rc;

	if ((first = cmd_args(&cmd_deploy_entry, argc, argv, opts, deploy_opt,
	    &o, 1, 1)) == -1)
		return CMD_EXIT_USAGE;
	for (size_t i = 0; i < sizeof(deploy_actions) /
	    sizeof(deploy_actions[0]); i++) {
		if (strcmp(deploy_actions[i].name, argv[first]) != 0)
			continue;
		if ((rc = cmd_find_root(ctx, NULL, true)) != 0)
			return rc;
		return deploy_actions[i].fn(ctx, &o);
	}
	return cmd_usage(&cmd_deploy_entry);
}

const struct cmd_entry cmd_deploy_entry = {
	.name = "deploy",
	.usage = "record --env E --version V --status S [--note T] | "
	    "list [--env E] [--limit N]",
	.help = "Record a deployment (kept in the store and appended to "
	    ".chora/memory/events/deployment.jsonl), or list them, newest "
	    "first.",
	.exec = deploy_exec,
};
