/*
 * cmd_render — `chorac render TEMPLATE [--data FILE] [options]`: render
 * one template locally, no daemon.  The search path for include, import
 * and extends is the template's folder; the data file's top-level keys
 * become the context (and the whole document is `data`, as in a config).
 * Exit 0 with the text on stdout, 1 with "file:line: error: msg" on
 * stderr, 2 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fileio.h"
#include "path.h"
#include "tmpl.h"
#include "xmalloc.h"

static int
render_fail(struct cmd_ctx *ctx, const struct tmpl_error *err)
{
	struct client_error ce = {
		.status = CLIENT_OK,
		.message = err->message != NULL ? err->message :
		    "unknown error",
		.file = err->file != NULL ? err->file : "<template>",
		.line = err->line > 0 ? (unsigned)err->line : 0,
	};

	ctx->out->error(&ce);
	return CMD_EXIT_FAIL;
}

/* The text as the result {"text": ...} (JSON) or as it is (text). */
static void
render_show(struct cmd_ctx *ctx, const char *text, size_t len)
{
	msgpack_object_kv kv = {
		.key = { .type = MSGPACK_OBJECT_STR,
		    .via.str = { 4, "text" } },
		.val = { .type = MSGPACK_OBJECT_STR,
		    .via.str = { (uint32_t)len, text } },
	};
	msgpack_object res = { .type = MSGPACK_OBJECT_MAP,
	    .via.map = { 1, &kv } };

	ctx->out->result(&res);
	ctx->out->raw(text, len);
}

/* Load --data into *d (NULL when none); 0, or an exit code. */
static int
render_data(struct cmd_ctx *ctx, const char *file, tmpl_data **d)
{
	struct tmpl_error err = { 0 };
	char *json;
	size_t len;
	int rc;

	*d = NULL;
	if (file == NULL)
		return 0;
	if (fileio_read(file, &json, &len) == -1) {
		out_errorf(ctx->out, "%s: %s", file, strerror(errno));
		return CMD_EXIT_FAIL;
	}
	*d = tmpl_data_parse(json, len, file, &err);
	free(json);
	if (*d == NULL) {
		rc = render_fail(ctx, &err);
		tmpl_error_clear(&err);
		return rc;
	}
	return 0;
}

static int
render_opts(int argc, char **argv, struct tmpl_options *o, const char **data)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "trim-blocks", no_argument, NULL, 't' },
		{ "lstrip-blocks", no_argument, NULL, 'l' },
		{ "keep-trailing-newline", no_argument, NULL, 'k' },
		{ "undefined", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': *data = optarg; break;
		case 't': o->trim_blocks = true; break;
		case 'l': o->lstrip_blocks = true; break;
		case 'k': o->keep_trailing_newline = true; break;
		case 'u':
			if (strcmp(optarg, "strict") == 0)
				o->undefined = TMPL_UNDEFINED_STRICT;
			else if (strcmp(optarg, "lenient") == 0)
				o->undefined = TMPL_UNDEFINED_LENIENT;
			else
				return -1;
			break;
		default:
			return -1;
		}
	}
	return optind + 1 == argc ? 0 : -1;
}

static int
render_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct tmpl_options o = { 0 };
	struct tmpl_result r;
	const char *data = NULL;
	tmpl_data *d;
	int rc;

	if (render_opts(argc, argv, &o, &data) == -1)
		return cmd_usage(&cmd_render_entry);
	if ((rc = render_data(ctx, data, &d)) != 0)
		return rc;
	const char *tpath = argv[optind];
	char *dir = path_dirname(tpath);
	tmpl_env *env = tmpl_env_new(&o, dir);
	tmpl_ctx *c = tmpl_ctx_new();
	if (d != NULL) {
		const tmpl_value *root = tmpl_data_root(d);
		tmpl_ctx_set_keys(c, root);
		if (tmpl_value_is_object(root) &&
		    tmpl_value_path(root, "data") == NULL)
			tmpl_ctx_set(c, "data", root);
	}
	if (tmpl_render(env, path_basename(tpath), c, &r) == 0) {
		render_show(ctx, r.text, r.len);
		rc = CMD_EXIT_OK;
	} else
		rc = render_fail(ctx, &r.err);
	tmpl_result_clear(&r);
	tmpl_ctx_free(c);
	tmpl_env_free(env);
	tmpl_data_free(d);
	free(dir);
	return rc;
}

const struct cmd_entry cmd_render_entry = {
	.name = "render",
	.usage = "TEMPLATE [--data FILE] [--trim-blocks] [--lstrip-blocks] "
	    "[--keep-trailing-newline] [--undefined strict|lenient]",
	.help = "Render a template locally to stdout, no daemon needed.  The "
	    "data file's keys are the context; as in chora.json, the "
	    "whitespace options are off and an undefined name is an error "
	    "unless the options say otherwise.  Errors are printed as "
	    "file:line: error: message; exit 1 on one.",
	.exec = render_exec,
};
