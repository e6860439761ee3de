/*
 * cmd_rollback — `chorac rollback ID --to V [--workspace W]`: put an
 * earlier version of an output back (history shows the numbers); the
 * file is rewritten atomically and the restore recorded as a new version
 * and an event.  A later change of its inputs regenerates it as usual.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"

struct rollback_opts {
	const char	*to;
	const char	*workspace;
};

static int
rollback_opt(void *arg, int c, char *optarg)
{
	struct rollback_opts *o = arg;

	switch (c) {
	case 't': o->to = optarg; return 0;
	case 'w': o->workspace = optarg; return 0;
	default: return -1;
	}
}

static int
rollback_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "workspace", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct rollback_opts o = { 0 };
	struct client_reply r;
	struct proto_enc e;
	char *path, *version;
	int first, rc;

	if ((first = cmd_args(&cmd_rollback_entry, argc, argv, opts,
	    rollback_opt, &o, 1, 1)) == -1 || o.to == NULL)
		return first == -1 ? CMD_EXIT_USAGE :
		    cmd_usage(&cmd_rollback_entry);
	if ((rc = cmd_request(ctx, NULL, true, &e)) != 0)
		return rc;
	proto_enc_kv_str(&e, PROTO_F_ID, argv[first]);
	proto_enc_kv_str(&e, PROTO_F_TO, o.to);
	proto_enc_kv_str_opt(&e, PROTO_F_WORKSPACE, o.workspace);
	if ((rc = cmd_call(ctx, PROTO_M_ROLLBACK, &e, NULL, NULL, &r)) != 0)
		return rc;
	ctx->out->result(r.result);
	path = out_value(r.result, PROTO_F_PATH);
	version = out_value(r.result, PROTO_F_VERSION);
	out_linef(ctx->out, "%s: version %s restored into %s (recorded as "
	    "version %s)", argv[first], o.to, path, version);
	free(path);
	free(version);
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_rollback_entry = {
	.name = "rollback",
	.usage = "ID --to V [--workspace W]",
	.help = "Restore an output's earlier version (see history): the file "
	    "is rewritten atomically and the restore recorded as a version "
	    "and an event.  A later change of its inputs regenerates it.",
	.exec = rollback_exec,
};
