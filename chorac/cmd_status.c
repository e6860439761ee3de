/*
 * cmd_status — `chorac status`: the daemon (version, pid, uptime,
 * connections) and each root it serves (state, configs, outputs, stale,
 * failed, drifted, last generation, watched folders).  Run inside a root
 * the daemon does not serve yet, it starts serving it.
 */
#include <stdlib.h>

#include "cmd.h"

static const struct out_col status_cols[] = {
	{ "ROOT", PROTO_F_ROOT, 0 },
	{ "STATE", PROTO_F_STATE, 0 },
	{ "CONFIGS", PROTO_F_CONFIGS, OUT_RIGHT },
	{ "OUTPUTS", PROTO_F_OUTPUTS, OUT_RIGHT },
	{ "STALE", PROTO_F_STALE, OUT_RIGHT },
	{ "FAILED", PROTO_F_FAILED, OUT_RIGHT },
	{ "DRIFTED", PROTO_F_DRIFTED, OUT_RIGHT },
	{ "WATCHED", PROTO_F_WATCHED_DIRS, OUT_RIGHT },
	{ "LAST GENERATION", PROTO_F_LAST_GENERATION, 0 },
};

static int
status_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct client_reply r;
	struct proto_enc e;
	unsigned long long up, conns;
	char *server;
	int rc;

	if (cmd_args(&cmd_status_entry, argc, argv, NULL, NULL, NULL, 0, 0) ==
	    -1)
		return CMD_EXIT_USAGE;
	if ((rc = cmd_request(ctx, NULL, false, &e)) != 0)
		return rc;
	if ((rc = cmd_call(ctx, PROTO_M_STATUS, &e, NULL, NULL, &r)) != 0)
		return rc;
	up = cmd_uint(r.result, PROTO_F_UPTIME);
	conns = cmd_uint(r.result, PROTO_F_CONNECTIONS);
	server = out_value(r.result, PROTO_F_SERVER);
	ctx->out->result(r.result);
	out_linef(ctx->out, "%s, pid %llu, up %llud %02llu:%02llu:%02llu, %llu "
	    "connection%s, %zu root%s", server, cmd_uint(r.result, PROTO_F_PID),
	    up / 86400, up / 3600 % 24, up / 60 % 60, up % 60, conns,
	    conns == 1 ? "" : "s", cmd_count(r.result, PROTO_F_ROOTS),
	    cmd_count(r.result, PROTO_F_ROOTS) == 1 ? "" : "s");
	ctx->out->table(status_cols, sizeof(status_cols) /
	    sizeof(status_cols[0]), proto_get(r.result, PROTO_F_ROOTS));
	free(server);
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "",
	.help = "Show the daemon and every root it serves: configs, outputs, "
	    "stale, failed and drifted outputs, the last generation, watched "
	    "folders, uptime.",
	.exec = status_exec,
};
