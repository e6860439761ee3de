/*
 * cmd_gc — `chorac gc [--dry-run]`: prune each output's history beyond
 * the root's `history` setting, and blob files nothing refers to.
 */
#include <getopt.h>

#include "cmd.h"

static int
gc_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	bool dry_run = false;
	struct client_reply r;
	struct proto_enc e;
	int rc;

	if (cmd_args(&cmd_gc_entry, argc, argv, opts, cmd_opt_flag, &dry_run, 0,
	    0) == -1)
		return CMD_EXIT_USAGE;
	if ((rc = cmd_request(ctx, NULL, true, &e)) != 0)
		return rc;
	if (dry_run)
		proto_enc_kv_bool(&e, PROTO_F_DRY_RUN, true);
	if ((rc = cmd_call(ctx, PROTO_M_GC, &e, NULL, NULL, &r)) != 0)
		return rc;
	ctx->out->result(r.result);
	out_linef(ctx->out, "%s %llu versions and %llu blobs, %llu bytes",
	    dry_run ? "would prune" : "pruned", cmd_uint(r.result,
	    PROTO_F_PRUNED_VERSIONS), cmd_uint(r.result, PROTO_F_PRUNED_BLOBS),
	    cmd_uint(r.result, PROTO_F_FREED_BYTES));
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_gc_entry = {
	.name = "gc",
	.usage = "[--dry-run]",
	.help = "Prune every output's history beyond the root's history "
	    "setting, and blob files no version refers to.  --dry-run counts "
	    "what would go.",
	.exec = gc_exec,
};
