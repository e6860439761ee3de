/*
 * cmd_health — `chorac health`: exit 0 when the daemon answers, its
 * stores are writable and its watcher alive; 1 with the reason when a
 * check fails; 3 when nothing answers.
 */
#include <stdlib.h>

#include "cmd.h"

static const struct out_col health_cols[] = {
	{ "CHECK", PROTO_F_NAME, 0 },
	{ "OK", PROTO_F_OK, 0 },
	{ "MESSAGE", PROTO_F_MESSAGE, 0 },
};

static int
health_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct client_reply r;
	struct proto_enc e;
	char *reason;
	bool ok;
	int rc;

	if (cmd_args(&cmd_health_entry, argc, argv, NULL, NULL, NULL, 0, 0) ==
	    -1)
		return CMD_EXIT_USAGE;
	if ((rc = cmd_request(ctx, NULL, false, &e)) != 0)
		return rc;
	if ((rc = cmd_call(ctx, PROTO_M_HEALTH, &e, NULL, NULL, &r)) != 0)
		return rc;
	ok = proto_get_bool(r.result, PROTO_F_OK, false);
	reason = out_value(r.result, PROTO_F_REASON);
	ctx->out->result(r.result);
	if (ok)
		ctx->out->line("healthy");
	else
		out_linef(ctx->out, "unhealthy: %s", reason);
	ctx->out->table(health_cols, sizeof(health_cols) /
	    sizeof(health_cols[0]), proto_get(r.result, PROTO_F_CHECKS));
	free(reason);
	client_reply_free(&r);
	return ok ? CMD_EXIT_OK : CMD_EXIT_FAIL;
}

const struct cmd_entry cmd_health_entry = {
	.name = "health",
	.usage = "",
	.help = "Check that the daemon answers, its stores are writable and "
	    "its watcher alive.  Exit 0 when healthy, 1 with the reason "
	    "otherwise, 3 when no daemon answers.",
	.exec = health_exec,
};
