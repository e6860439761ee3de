/*
 * cmd_deps — `chorac deps ID [--reverse] [--depth N] [--workspace W]`:
 * what an output (or each output of a config) depends on, as an
 * indented tree, or (--reverse) what depends on an output, a config or a
 * file.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

struct deps_opts {
	bool		 reverse;
	const char	*workspace;
	unsigned long long depth;
};

static int
deps_opt(void *arg, int c, char *optarg)
{
	struct deps_opts *o = arg;

	switch (c) {
	case 'r': o->reverse = true; return 0;
	case 'w': o->workspace = optarg; return 0;
	case 'd': return cmd_number("--depth", optarg, &o->depth);
	default: return -1;
	}
}

/* A tree line: node at depth, and its kind. */
static void
deps_node(struct cmd_ctx *ctx, unsigned long long depth, const char *node,
    const char *kind)
{
	out_linef(ctx->out, "%*s%s [%s]", (int)(depth > 40 ? 80 : depth * 2),
	    "", node, kind);
}

/*
 * One edge as a tree line: the node below its parent, and its kind.  A
 * config's tree is its outputs' trees, whose direct edges name the
 * output, not id, as their parent: each output gets a line of its own
 * (*group is the last one shown) and its tree goes one level below it.
 */
static void
deps_line(struct cmd_ctx *ctx, const msgpack_object *edge, const char *id,
    bool reverse, char **group)
{
	unsigned long long depth = cmd_uint(edge, PROTO_F_DEPTH);
	char *node = out_value(edge, reverse ? PROTO_F_PARENT : PROTO_F_CHILD);
	char *kind = out_value(edge, PROTO_F_KIND);
	char *parent = out_value(edge, PROTO_F_PARENT);

	if (!reverse && depth == 1 && strcmp(parent, id) != 0 &&
	    (*group == NULL || strcmp(*group, parent) != 0)) {
		deps_node(ctx, 1, parent, "output");
		free(*group);
		*group = parent;
		parent = NULL;
	} else if (!reverse && depth == 1 && strcmp(parent, id) == 0) {
		free(*group);
		*group = NULL;
	}
	deps_node(ctx, depth + (*group != NULL), node, kind);
	free(parent);
	free(node);
	free(kind);
}

static int
deps_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reverse", no_argument, NULL, 'r' },
		{ "depth", required_argument, NULL, 'd' },
		{ "workspace", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct deps_opts o = { 0 };
	const msgpack_object *edges;
	struct client_reply r;
	struct proto_enc e;
	char *group = NULL;
	int first, rc;

	if ((first = cmd_args(&cmd_deps_entry, argc, argv, opts, deps_opt, &o,
	    1, 1)) == -1)
		return CMD_EXIT_USAGE;
	if ((rc = cmd_request(ctx, NULL, true, &e)) != 0)
		return rc;
	proto_enc_kv_str(&e, PROTO_F_ID, argv[first]);
	if (o.reverse)
		proto_enc_kv_bool(&e, PROTO_F_REVERSE, true);
	if (o.depth > 0)
		proto_enc_kv_uint(&e, PROTO_F_DEPTH, o.depth);
	proto_enc_kv_str_opt(&e, PROTO_F_WORKSPACE, o.workspace);
	if ((rc = cmd_call(ctx, PROTO_M_DEPS, &e, NULL, NULL, &r)) != 0)
		return rc;
	ctx->out->result(r.result);
	ctx->out->line(argv[first]);
	edges = proto_get(r.result, PROTO_F_EDGES);
	for (uint32_t i = 0; edges != NULL && edges->type ==
	    MSGPACK_OBJECT_ARRAY && i < edges->via.array.size; i++)
		deps_line(ctx, &edges->via.array.ptr[i], argv[first], o.reverse,
		    &group);
	free(group);
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_deps_entry = {
	.name = "deps",
	.usage = "ID [--reverse] [--depth N] [--workspace W]",
	.help = "Show what an output depends on (templates, data, its config, "
	    "an artifact's parts, recursively) as a tree; --reverse shows what "
	    "depends on an output, a config or a file.",
	.exec = deps_exec,
};
