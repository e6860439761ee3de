/*
 * cmd_show — `chorac show ID [--version V] [--workspace W]`: the text
 * of an output's version (exactly as generated, to stdout) or a config's
 * canonical JSON ("config:ID" when an output has the same id), its line
 * ended.  --json adds the version, hash, time, path and context.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

struct show_opts {
	const char	*version;
	const char	*workspace;
};

static int
show_opt(void *arg, int c, char *optarg)
{
	struct show_opts *o = arg;

	switch (c) {
	case 'v': o->version = optarg; return 0;
	case 'w': o->workspace = optarg; return 0;
	default: return -1;
	}
}

/* Is the answer a config's (kind "config")? */
static bool
show_is_config(const msgpack_object *res)
{
	char *kind = out_value(res, PROTO_F_KIND);
	bool config = strcmp(kind, "config") == 0;

	free(kind);
	return config;
}

static int
show_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "version", required_argument, NULL, 'v' },
		{ "workspace", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct show_opts o = { 0 };
	const msgpack_object *text;
	struct client_reply r;
	struct proto_enc e;
	int first, rc;

	if ((first = cmd_args(&cmd_show_entry, argc, argv, opts, show_opt, &o,
	    1, 1)) == -1)
		return CMD_EXIT_USAGE;
	if ((rc = cmd_request(ctx, NULL, true, &e)) != 0)
		return rc;
	proto_enc_kv_str(&e, PROTO_F_ID, argv[first]);
	proto_enc_kv_str_opt(&e, PROTO_F_VERSION, o.version);
	proto_enc_kv_str_opt(&e, PROTO_F_WORKSPACE, o.workspace);
	if ((rc = cmd_call(ctx, PROTO_M_SHOW, &e, NULL, NULL, &r)) != 0)
		return rc;
	ctx->out->result(r.result);
	if ((text = proto_get(r.result, PROTO_F_TEXT)) != NULL &&
	    text->type == MSGPACK_OBJECT_STR) {
		ctx->out->raw(text->via.str.ptr, text->via.str.size);
		/* An output's bytes are shown as they are; a config's
		 * canonical JSON has no final newline of its own. */
		if (show_is_config(r.result) && text->via.str.size > 0 &&
		    text->via.str.ptr[text->via.str.size - 1] != '\n')
			ctx->out->line("");
	}
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_show_entry = {
	.name = "show",
	.usage = "ID [--version V] [--workspace W]",
	.help = "Print an output's text as generated (the latest version, or "
	    "--version N from history), or a config's canonical JSON "
	    "(config:ID when an output has the same id).",
	.exec = show_exec,
};
