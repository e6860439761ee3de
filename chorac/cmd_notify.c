/*
 * cmd_notify — `chorac notify PATH... [--no-wait]`: a save hook.  The
 * daemon is told these files changed and, unless --no-wait, the command
 * returns once the regeneration they cause is done, printing every
 * failure as "file:line: error: message" on stdout, the form editors'
 * quickfix lists read (docs/editors.md).  The root is the one holding
 * the first file (or --root).  Exit 1 when an output failed.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "path.h"
#include "xmalloc.h"

/* path made absolute against the current folder (allocated). */
static char *
absolute(const char *path)
{
	char cwd[PATH_MAX], *joined, *norm;

	if (path[0] == '/')
		return path_normalize(path);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	joined = path_join(cwd, path);
	norm = path_normalize(joined);
	free(joined);
	return norm;
}

/* The params' paths, absolute; -1 when the folder is unreadable. */
static int
notify_paths(struct cmd_ctx *ctx, struct proto_enc *e, int n, char **paths)
{
	proto_enc_key(e, PROTO_F_PATHS);
	proto_enc_array(e);
	for (int i = 0; i < n; i++) {
		char *abs = absolute(paths[i]);
		if (abs == NULL) {
			out_errorf(ctx->out, "%s: %s", paths[i],
			    strerror(errno));
			return -1;
		}
		proto_enc_str(e, abs);
		free(abs);
	}
	proto_enc_end(e);
	return 0;
}

static int
notify_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-wait", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	bool no_wait = false, progress = !ctx->json && out_progress_wanted();
	struct client_reply r;
	struct proto_enc e;
	size_t failed;
	char *first_dir;
	int first, rc;

	if ((first = cmd_args(&cmd_notify_entry, argc, argv, opts, cmd_opt_flag,
	    &no_wait, 1, -1)) == -1)
		return CMD_EXIT_USAGE;
	/* The file may be gone (a delete is a change too): its folder. */
	first_dir = path_dirname(argv[first]);
	rc = cmd_request(ctx, access(argv[first], F_OK) == 0 ? argv[first] :
	    first_dir, true, &e);
	free(first_dir);
	if (rc != 0)
		return rc;
	if (notify_paths(ctx, &e, argc - first, argv + first) == -1) {
		proto_enc_free(&e);
		return CMD_EXIT_FAIL;
	}
	if (no_wait)
		proto_enc_kv_bool(&e, PROTO_F_WAIT, false);
	if (progress)
		proto_enc_kv_bool(&e, PROTO_F_PROGRESS, true);
	if ((rc = cmd_call(ctx, PROTO_M_NOTIFY, &e, cmd_progress, NULL,
	    &r)) != 0)
		return rc;
	out_progress_end();
	failed = cmd_count(r.result, PROTO_F_FAILED);
	ctx->out->result(r.result);
	cmd_failures(ctx, r.result, PROTO_F_FAILED);
	/* Only the error lines on stdout: editors read them. */
	if (!ctx->json)
		out_note("%llu output%s affected; %zu written, %llu unchanged, "
		    "%zu failed", cmd_uint(r.result, PROTO_F_AFFECTED),
		    cmd_uint(r.result, PROTO_F_AFFECTED) == 1 ? "" : "s",
		    cmd_count(r.result, PROTO_F_GENERATED), cmd_uint(r.result,
		    PROTO_F_UNCHANGED), failed);
	client_reply_free(&r);
	return failed > 0 ? CMD_EXIT_FAIL : CMD_EXIT_OK;
}

const struct cmd_entry cmd_notify_entry = {
	.name = "notify",
	.usage = "PATH... [--no-wait]",
	.help = "A save hook: tell the daemon these files changed and wait "
	    "for the regeneration they cause; its errors are printed as "
	    "file:line: error: message, one a line, for an editor's quickfix "
	    "list.  --no-wait returns at once.  Exit 1 if an output failed.",
	.exec = notify_exec,
};
