/*
 * cmd — the command table, usage and help, and the steps every command
 * that talks to the daemon takes: find the root, name it, call, show
 * what went wrong.
 */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"
#include "xmalloc.h"

const struct cmd_entry *const cmd_table[] = {
	&cmd_status_entry,
	&cmd_health_entry,
	&cmd_generate_entry,
	&cmd_check_entry,
	&cmd_notify_entry,
	&cmd_wait_entry,
	&cmd_list_entry,
	&cmd_show_entry,
	&cmd_history_entry,
	&cmd_deps_entry,
	&cmd_stale_entry,
	&cmd_watch_entry,
	&cmd_deploy_entry,
	&cmd_rollback_entry,
	&cmd_render_entry,
	&cmd_migrate_entry,
	&cmd_roots_entry,
	&cmd_gc_entry,
	NULL,
};

const struct cmd_entry *
cmd_find(const char *name)
{
	for (size_t i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	return NULL;
}

int
cmd_usage(const struct cmd_entry *e)
{
	fprintf(stderr, "usage: chorac %s %s\n", e->name, e->usage);
	return CMD_EXIT_USAGE;
}

/*
 * The length of help's first sentence, without its full stop: up to a
 * '.' that ends the text or is followed by a space (a dot inside a name,
 * ".chora/" or "<timestamp>.<ext>", does not end it).
 */
static int
cmd_summary_len(const char *help)
{
	const char *p = help;

	while ((p = strchr(p, '.')) != NULL && p[1] != '\0' && p[1] != ' ')
		p++;
	return (int)(p != NULL ? p - help : (ptrdiff_t)strlen(help));
}

void
cmd_print_help(void)
{
	printf("usage: chorac [--socket PATH] [--root DIR] [--json] "
	    "[--no-spawn] COMMAND ...\n\ncommands:\n");
	for (size_t i = 0; cmd_table[i] != NULL; i++) {
		const char *h = cmd_table[i]->help;
		printf("  %-10s %.*s\n", cmd_table[i]->name,
		    cmd_summary_len(h), h);
	}
	printf("\n'chorac help COMMAND' or 'chorac COMMAND --help' shows a "
	    "command's arguments.\nExit codes: 0 ok, 1 failed or problems "
	    "found, 2 usage, 3 daemon unreachable,\n4 not inside a project "
	    "root.\n");
}

void
cmd_print_entry(const struct cmd_entry *e)
{
	printf("usage: chorac %s %s\n\n%s\n", e->name, e->usage, e->help);
}

void
cmd_ctx_clear(struct cmd_ctx *ctx)
{
	client_close(ctx->client);
	ctx->client = NULL;
	free(ctx->rootdir);
	ctx->rootdir = NULL;
}

int
cmd_find_root(struct cmd_ctx *ctx, const char *start, bool need)
{
	char *cause = NULL, *dir, cwd[PATH_MAX];

	free(ctx->rootdir);
	ctx->rootdir = NULL;
	if (ctx->root != NULL) {
		/* --root names the root itself: the daemon checks it. */
		if ((dir = realpath(ctx->root, NULL)) == NULL) {
			out_errorf(ctx->out, "--root %s: %s", ctx->root,
			    strerror(errno));
			return CMD_EXIT_NOROOT;
		}
		ctx->rootdir = dir;
		return CMD_EXIT_OK;
	}
	if (start == NULL)
		start = getcwd(cwd, sizeof(cwd)) != NULL ? cwd : ".";
	if ((ctx->rootdir = path_find_root(start, &cause)) != NULL || !need) {
		free(cause);
		return CMD_EXIT_OK;
	}
	out_errorf(ctx->out, "%s", cause);
	free(cause);
	return CMD_EXIT_NOROOT;
}

void
cmd_params(struct cmd_ctx *ctx, struct proto_enc *e)
{
	proto_enc_init(e);
	proto_enc_map(e);
	proto_enc_kv_str_opt(e, PROTO_F_ROOT, ctx->rootdir);
}

int
cmd_request(struct cmd_ctx *ctx, const char *start, bool need,
    struct proto_enc *e)
{
	int rc;

	if ((rc = cmd_find_root(ctx, start, need)) != 0)
		return rc;
	cmd_params(ctx, e);
	return 0;
}

/* Connect once per run; the exit code of a failure. */
static int
cmd_connect(struct cmd_ctx *ctx)
{
	struct client_opts o = {
		.socket = ctx->socket,
		.no_spawn = ctx->no_spawn,
		.timeout_ms = ctx->timeout_ms,
		.pipeline_hello = true,
	};
	struct client_error err;
	int code;

	if (ctx->client != NULL)
		return CMD_EXIT_OK;
	if ((ctx->client = client_open(&o, &err)) != NULL)
		return CMD_EXIT_OK;
	ctx->out->error(&err);
	code = client_exit_code(&err);
	client_error_clear(&err);
	return code;
}

int
cmd_call(struct cmd_ctx *ctx, enum proto_method m, struct proto_enc *e,
    client_notify_fn fn, void *arg, struct client_reply *r)
{
	struct client_error err;
	int code;

	proto_enc_end(e);
	if ((code = cmd_connect(ctx)) != CMD_EXIT_OK) {
		proto_enc_free(e);
		return code;
	}
	code = client_call(ctx->client, m, e, fn, arg, r, &err);
	proto_enc_free(e);
	if (code == 0)
		return CMD_EXIT_OK;
	out_progress_end();
	ctx->out->error(&err);
	code = client_exit_code(&err);
	client_error_clear(&err);
	return code;
}

/*
 * Did an earlier element of v say the same (file, line, message)?  One
 * broken template fails every output it renders; an editor's list wants
 * the error once.
 */
static bool
cmd_failure_seen(const msgpack_object *v, uint32_t n)
{
	static const enum proto_field same[] = {
		PROTO_F_FILE, PROTO_F_LINE, PROTO_F_MESSAGE, PROTO_F_REASON,
	};
	const msgpack_object *x = &v->via.array.ptr[n];

	if (proto_get(x, PROTO_F_FILE) == NULL)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *y = &v->via.array.ptr[i];
		bool eq = true;
		for (size_t k = 0; k < sizeof(same) / sizeof(same[0]) && eq;
		    k++) {
			const msgpack_object *a = proto_get(x, same[k]);
			const msgpack_object *b = proto_get(y, same[k]);
			eq = a == NULL ? b == NULL : b != NULL &&
			    msgpack_object_equal(*a, *b);
		}
		if (eq)
			return true;
	}
	return false;
}

/*
 * A file the daemon names (relative to the root) as the user's shell
 * would: relative to the current folder when it lies below it, else
 * absolute; so that an editor opens it whatever its folder.  Allocated.
 */
static char *
cmd_local_path(const struct cmd_ctx *ctx, const msgpack_object *file)
{
	char cwd[PATH_MAX], *name, *abs, *rel;

	name = xmemdup(file->via.str.ptr, file->via.str.size);
	if (ctx->rootdir == NULL || getcwd(cwd, sizeof(cwd)) == NULL)
		return name;
	abs = path_join(ctx->rootdir, name);
	free(name);
	if ((rel = path_relative(cwd, abs)) == NULL)
		return abs;
	free(abs);
	return rel;
}

/* Show failure f with its file as cmd_local_path() gives it. */
static void
cmd_failure(struct cmd_ctx *ctx, const msgpack_object *f)
{
	const msgpack_object *file = proto_get(f, PROTO_F_FILE);
	msgpack_object copy = *f;
	msgpack_object_kv *kv;
	char *local;

	if (file == NULL || file->type != MSGPACK_OBJECT_STR) {
		ctx->out->failure(f);
		return;
	}
	local = cmd_local_path(ctx, file);
	kv = xcalloc(f->via.map.size, sizeof(*kv));
	for (uint32_t i = 0; i < f->via.map.size; i++) {
		kv[i] = f->via.map.ptr[i];
		if (&f->via.map.ptr[i].val == file) {
			kv[i].val.via.str.ptr = local;
			kv[i].val.via.str.size = (uint32_t)strlen(local);
		}
	}
	copy.via.map.ptr = kv;
	ctx->out->failure(&copy);
	free(kv);
	free(local);
}

void
cmd_failure_list(struct cmd_ctx *ctx, const msgpack_object *v)
{
	if (v == NULL || v->type != MSGPACK_OBJECT_ARRAY)
		return;
	for (uint32_t i = 0; i < v->via.array.size; i++)
		if (!cmd_failure_seen(v, i))
			cmd_failure(ctx, &v->via.array.ptr[i]);
}

void
cmd_failures(struct cmd_ctx *ctx, const msgpack_object *res,
    enum proto_field f)
{
	cmd_failure_list(ctx, proto_get(res, f));
}

size_t
cmd_count(const msgpack_object *res, enum proto_field f)
{
	const msgpack_object *v = proto_get(res, f);

	return v != NULL && v->type == MSGPACK_OBJECT_ARRAY ?
	    v->via.array.size : 0;
}

unsigned long long
cmd_uint(const msgpack_object *res, enum proto_field f)
{
	return proto_get_uint(res, f, 0);
}

int
cmd_number(const char *name, const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0) {
		fprintf(stderr, "chorac: %s: '%s' is not a number\n", name, s);
		return -1;
	}
	return 0;
}

int
cmd_args(const struct cmd_entry *e, int argc, char **argv,
    const struct option *opts, int (*fn)(void *, int, char *), void *arg,
    int min, int max)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	int c, n;

	while ((c = getopt_long(argc, argv, "", opts != NULL ? opts : none,
	    NULL)) != -1)
		if (c == '?' || c == ':' || fn == NULL || fn(arg, c,
		    optarg) == -1) {
			cmd_usage(e);
			return -1;
		}
	n = argc - optind;
	if (n < min || (max >= 0 && n > max)) {
		cmd_usage(e);
		return -1;
	}
	return optind;
}

void
cmd_generated(struct cmd_ctx *ctx, const msgpack_object *res)
{
	const msgpack_object *v = proto_get(res, PROTO_F_GENERATED);

	for (uint32_t i = 0; v != NULL && v->type == MSGPACK_OBJECT_ARRAY &&
	    i < v->via.array.size; i++) {
		const msgpack_object *o = &v->via.array.ptr[i];
		char *path = out_value(o, PROTO_F_PATH);
		char *id = out_value(o, PROTO_F_ID);
		char *action = out_value(o, PROTO_F_ACTION);
		out_linef(ctx->out, "%s %s%s", strcmp(action, "would_write") ==
		    0 ? "would write" : "written", path[0] ? path : id,
		    proto_get_bool(o, PROTO_F_DRIFTED, false) ? " (it had been "
		    "edited: that text is kept in history)" : "");
		free(path);
		free(id);
		free(action);
	}
}

void
cmd_progress(const struct proto_notify_def *n, const msgpack_object *params,
    void *arg)
{
	char *id;

	(void)arg;
	if (n != proto_notification(PROTO_N_PROGRESS))
		return;
	id = out_value(params, PROTO_F_ID);
	out_progress(cmd_uint(params, PROTO_F_DONE), cmd_uint(params,
	    PROTO_F_TOTAL), id);
	free(id);
}

int
cmd_opt_flag(void *arg, int c, char *optarg)
{
	(void)c;
	(void)optarg;
	*(bool *)arg = true;
	return 0;
}

int
cmd_opt_string(void *arg, int c, char *optarg)
{
	(void)c;
	*(const char **)arg = optarg;
	return 0;
}

void
cmd_params_ids(struct proto_enc *e, int n, char **argv)
{
	if (n <= 0)
		return;
	proto_enc_key(e, PROTO_F_IDS);
	proto_enc_strs(e, (const char *const *)argv, (size_t)n);
}
