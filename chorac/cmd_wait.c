/*
 * cmd_wait — `chorac wait [--timeout MS]`: return once every change made
 * before the call has been processed (scripts and tests synchronise on
 * it); failing outputs are printed as "file:line: error: message".
 * Exit 1 on timeout or when outputs are failing.
 */
#include <getopt.h>

#include "cmd.h"

static int
wait_opt(void *arg, int c, char *optarg)
{
	if (c != 't')
		return -1;
	return cmd_number("--timeout", optarg, arg);
}

static int
wait_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long timeout = 0;
	struct client_reply r;
	struct proto_enc e;
	size_t failed;
	int rc;

	if (cmd_args(&cmd_wait_entry, argc, argv, opts, wait_opt, &timeout, 0,
	    0) == -1)
		return CMD_EXIT_USAGE;
	if ((rc = cmd_request(ctx, NULL, false, &e)) != 0)
		return rc;
	if (timeout > 0)
		proto_enc_kv_uint(&e, PROTO_F_TIMEOUT_MS, timeout);
	if ((rc = cmd_call(ctx, PROTO_M_WAIT, &e, NULL, NULL, &r)) != 0)
		return rc;
	failed = cmd_count(r.result, PROTO_F_FAILED);
	ctx->out->result(r.result);
	cmd_failures(ctx, r.result, PROTO_F_FAILED);
	out_linef(ctx->out, "processed (%llu pass%s while waiting), %zu "
	    "failing", cmd_uint(r.result, PROTO_F_PASSES), cmd_uint(r.result,
	    PROTO_F_PASSES) == 1 ? "" : "es", failed);
	client_reply_free(&r);
	return failed > 0 ? CMD_EXIT_FAIL : CMD_EXIT_OK;
}

const struct cmd_entry cmd_wait_entry = {
	.name = "wait",
	.usage = "[--timeout MS]",
	.help = "Return once every change made before the call has been "
	    "processed.  Exit 1 on timeout, or when outputs are failing "
	    "(printed as file:line: error: message).",
	.exec = wait_exec,
};
