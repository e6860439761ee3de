/*
 * cmd_check — `chorac check [ID...] [--workspace W]`: like choradd
 * --check, against the running daemon: every output that is stale,
 * edited by hand or failing, nothing written; exit 1 when there is one.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "xmalloc.h"

static const struct out_col check_cols[] = {
	{ "KIND", PROTO_F_KIND, 0 },
	{ "ID", PROTO_F_ID, 0 },
	{ "WORKSPACE", PROTO_F_WORKSPACE, 0 },
	{ "REASON", PROTO_F_REASON, 0 },
};

/* Failures as file:line: error: lines, the rest as a table. */
static void
check_show(struct cmd_ctx *ctx, const msgpack_object *problems)
{
	msgpack_object part[2] = {
		{ .type = MSGPACK_OBJECT_ARRAY },
		{ .type = MSGPACK_OBJECT_ARRAY },
	};
	msgpack_object *v[2];
	uint32_t n[2] = { 0, 0 };

	if (problems == NULL || problems->type != MSGPACK_OBJECT_ARRAY)
		return;
	for (int k = 0; k < 2; k++)
		v[k] = xcalloc(problems->via.array.size + 1, sizeof(*v[k]));
	for (uint32_t i = 0; i < problems->via.array.size; i++) {
		const msgpack_object *pr = &problems->via.array.ptr[i];
		int k = proto_str_eq(proto_get(pr, PROTO_F_KIND), "failed");
		v[k][n[k]++] = *pr;
	}
	for (int k = 0; k < 2; k++) {
		part[k].via.array.size = n[k];
		part[k].via.array.ptr = v[k];
	}
	cmd_failure_list(ctx, &part[1]);
	ctx->out->table(check_cols, sizeof(check_cols) / sizeof(check_cols[0]),
	    &part[0]);
	free(v[0]);
	free(v[1]);
}

static int
check_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ws = NULL;
	struct client_reply r;
	struct proto_enc e;
	size_t n;
	bool ok;
	int first, rc;

	if ((first = cmd_args(&cmd_check_entry, argc, argv, opts,
	    cmd_opt_string, &ws, 0, -1)) == -1)
		return CMD_EXIT_USAGE;
	if ((rc = cmd_request(ctx, NULL, true, &e)) != 0)
		return rc;
	cmd_params_ids(&e, argc - first, argv + first);
	proto_enc_kv_str_opt(&e, PROTO_F_WORKSPACE, ws);
	if ((rc = cmd_call(ctx, PROTO_M_CHECK, &e, NULL, NULL, &r)) != 0)
		return rc;
	n = cmd_count(r.result, PROTO_F_PROBLEMS);
	ok = proto_get_bool(r.result, PROTO_F_OK, false) && n == 0;
	ctx->out->result(r.result);
	check_show(ctx, proto_get(r.result, PROTO_F_PROBLEMS));
	if (n == 0)
		ctx->out->line("ok: every output matches its sources");
	else
		out_linef(ctx->out, "%zu problem%s", n, n == 1 ? "" : "s");
	client_reply_free(&r);
	return ok ? CMD_EXIT_OK : CMD_EXIT_FAIL;
}

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.usage = "[ID...] [--workspace W]",
	.help = "Render every output (or the ones named) without writing and "
	    "list each that is stale, edited by hand or failing, as CI wants: "
	    "exit 1 when there is one.",
	.exec = check_exec,
};
