/*
 * cmd_stale — `chorac stale [--workspace W]`: what is stale now and why
 * (changes not processed yet, failures, hand edits, inputs that changed
 * under on_demand and immutable outputs).
 */
#include <getopt.h>

#include "cmd.h"

static const struct out_col stale_cols[] = {
	{ "ID", PROTO_F_ID, 0 },
	{ "WORKSPACE", PROTO_F_WORKSPACE, 0 },
	{ "PATH", PROTO_F_PATH, 0 },
	{ "REASON", PROTO_F_REASON, 0 },
	{ "CHANGED", PROTO_F_CHANGED, 0 },
};

static int
stale_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ws = NULL;
	struct client_reply r;
	struct proto_enc e;
	int rc;

	if (cmd_args(&cmd_stale_entry, argc, argv, opts, cmd_opt_string, &ws, 0,
	    0) == -1)
		return CMD_EXIT_USAGE;
	if ((rc = cmd_request(ctx, NULL, true, &e)) != 0)
		return rc;
	proto_enc_kv_str_opt(&e, PROTO_F_WORKSPACE, ws);
	if ((rc = cmd_call(ctx, PROTO_M_STALE, &e, NULL, NULL, &r)) != 0)
		return rc;
	ctx->out->result(r.result);
	if (cmd_count(r.result, PROTO_F_STALE) == 0)
		ctx->out->line("nothing is stale");
	ctx->out->table(stale_cols, sizeof(stale_cols) / sizeof(stale_cols[0]),
	    proto_get(r.result, PROTO_F_STALE));
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_stale_entry = {
	.name = "stale",
	.usage = "[--workspace W]",
	.help = "List what is stale now and why: changes not processed yet, "
	    "failing outputs, hand edits waiting for generate, and on_demand "
	    "or immutable outputs whose inputs changed.",
	.exec = stale_exec,
};
