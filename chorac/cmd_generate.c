/*
 * cmd_generate — `chorac generate [ID...] [--force] [--dry-run]
 * [--workspace W]`: regenerate what is stale, or the ids named (configs,
 * content ids <config>/<key>, artifacts, collections), and show what was
 * written and every failure; exit 1 if any output failed.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"

struct generate_opts {
	bool		 force;
	bool		 dry_run;
	const char	*workspace;
};

static int
generate_opt(void *arg, int c, char *optarg)
{
	struct generate_opts *o = arg;

	switch (c) {
	case 'f': o->force = true; break;
	case 'n': o->dry_run = true; break;
	case 'w': o->workspace = optarg; break;
	default: return -1;
	}
	return 0;
}

static int
generate_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "workspace", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct generate_opts o = { 0 };
	bool progress = !ctx->json && out_progress_wanted();
	struct client_reply r;
	struct proto_enc e;
	size_t failed;
	int first, rc;

	if ((first = cmd_args(&cmd_generate_entry, argc, argv, opts,
	    generate_opt, &o, 0, -1)) == -1)
		return CMD_EXIT_USAGE;
	if ((rc = cmd_request(ctx, NULL, true, &e)) != 0)
		return rc;
	cmd_params_ids(&e, argc - first, argv + first);
	if (o.force)
		proto_enc_kv_bool(&e, PROTO_F_FORCE, true);
	if (o.dry_run)
		proto_enc_kv_bool(&e, PROTO_F_DRY_RUN, true);
	proto_enc_kv_str_opt(&e, PROTO_F_WORKSPACE, o.workspace);
	if (progress)
		proto_enc_kv_bool(&e, PROTO_F_PROGRESS, true);
	if ((rc = cmd_call(ctx, PROTO_M_GENERATE, &e, cmd_progress, NULL,
	    &r)) != 0)
		return rc;
	out_progress_end();
	failed = cmd_count(r.result, PROTO_F_FAILED);
	ctx->out->result(r.result);
	cmd_generated(ctx, r.result);
	cmd_failures(ctx, r.result, PROTO_F_FAILED);
	out_linef(ctx->out, "%zu %s, %llu unchanged, %zu failed",
	    cmd_count(r.result, PROTO_F_GENERATED), o.dry_run ? "would be "
	    "written" : "written", cmd_uint(r.result, PROTO_F_UNCHANGED),
	    failed);
	client_reply_free(&r);
	return failed > 0 ? CMD_EXIT_FAIL : CMD_EXIT_OK;
}

const struct cmd_entry cmd_generate_entry = {
	.name = "generate",
	.usage = "[ID...] [--force] [--dry-run] [--workspace W]",
	.help = "Regenerate stale outputs now, or the ones named: config ids, "
	    "content ids (CONFIG/KEY), artifact and collection ids.  Shows "
	    "what was written and every failure as file:line: error: "
	    "message.  --force also regenerates fresh and immutable outputs; "
	    "--dry-run renders and compares, writing nothing.  Exit 1 if an "
	    "output failed.",
	.exec = generate_exec,
};
