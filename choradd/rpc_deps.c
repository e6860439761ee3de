/*
 * rpc_deps — what an output depends on (templates, data, its config,
 * the parts of an artifact, recursively), or what depends on an output,
 * a config or a file (reverse), as edges in depth-first order.  A config
 * id's tree is its outputs' trees; a file's reverse tree starts with the
 * outputs that read it (any part of it; each once) and goes on through
 * artifacts.
 */
#include <string.h>

#include "arena.h"
#include "project.h"
#include "proto.h"
#include "root.h"
#include "rpc.h"
#include "rpc_methods.h"
#include "store.h"
#include "strmap.h"

struct deps {
	struct rpc_req	*req;
	struct project	*p;
	const char	*ws;
	unsigned	 depth;		/* 0: all */
	struct proto_enc *e;
	size_t		 edges;
};

static void
enc_edge(struct deps *x, const char *parent, enum store_kind kind,
    const char *child, const char *path, const char *hash, unsigned depth)
{
	struct proto_enc *e = x->e;

	proto_enc_map(e);
	proto_enc_kv_str(e, PROTO_F_PARENT, parent);
	proto_enc_kv_str(e, PROTO_F_CHILD, child);
	proto_enc_kv_str(e, PROTO_F_KIND, store_kind_name(kind));
	proto_enc_kv_str_opt(e, PROTO_F_PATH, path);
	if (hash != NULL && hash[0] != '\0')
		proto_enc_kv_str(e, PROTO_F_HASH, hash);
	proto_enc_kv_uint(e, PROTO_F_DEPTH, depth);
	proto_enc_end(e);
	x->edges++;
}

/* The tree of (kind, id), its depths shifted by base.  -1: store error. */
static int
tree(struct deps *x, enum store_kind kind, const char *id, bool reverse,
    unsigned base, char **cause)
{
	struct store_tree_node *v;
	size_t n;
	unsigned depth = x->depth == 0 ? 0 : x->depth - base;

	if (x->depth != 0 && x->depth <= base)
		return 0;
	if (store_deps_tree(project_store(x->p), x->ws, kind, id, depth,
	    reverse, rpc_req_arena(x->req), &v, &n, cause) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (reverse)
			enc_edge(x, v[i].id, v[i].parent_kind, v[i].parent_id,
			    NULL, v[i].hash, v[i].depth + base);
		else
			enc_edge(x, v[i].parent_id, v[i].kind, v[i].id,
			    v[i].path, v[i].hash, v[i].depth + base);
	}
	return 0;
}

/* A config's outputs' trees. */
static int
config_trees(struct deps *x, const char *id, char **cause)
{
	struct store_filter f = { .workspace = x->ws, .config_id = id };
	struct store_content *v;
	size_t n;

	if (store_content_list(project_store(x->p), &f, rpc_req_arena(x->req),
	    &v, &n, cause) == -1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (tree(x, STORE_KIND_CONTENT, v[i].id, false, 0, cause) == -1)
			return -1;
	return 0;
}

/* A direct dependent of a file, found while walking the edges. */
struct reader {
	const char	*id;
	enum store_kind	 kind;		/* how it reads the file */
	const char	*dep;		/* the edge's child id */
	const char	*hash;
};

struct file_walk {
	struct arena	*a;
	const char	*path;
	struct reader	*v;
	size_t		 n;
	struct strmap	*seen;		/* reader ids */
};

static int
file_edge(void *arg, enum store_kind pk, const char *pid,
    const struct store_dep *d)
{
	struct file_walk *fw = arg;
	struct reader *r;

	/* An output reading several parts of the file (its item and the
	 * rest) is one reader: its first edge stands for them. */
	if (pk != STORE_KIND_CONTENT || d->path == NULL ||
	    strcmp(d->path, fw->path) != 0 || strmap_get(fw->seen, pid) != NULL)
		return 0;
	strmap_set(fw->seen, pid, fw);
	fw->v = arena_realloc(fw->a, fw->v, fw->n * sizeof(*fw->v),
	    (fw->n + 1) * sizeof(*fw->v));
	r = &fw->v[fw->n++];
	r->id = arena_strdup(fw->a, pid);
	r->kind = d->kind;
	r->dep = arena_strdup(fw->a, d->id);
	r->hash = d->hash != NULL ? arena_strdup(fw->a, d->hash) : NULL;
	return 0;
}

/* What reads the file path, each followed by what depends on it. */
static int
file_reverse(struct deps *x, const char *path, char **cause)
{
	struct file_walk fw = { rpc_req_arena(x->req), path, NULL, 0,
	    strmap_new() };
	int rc;

	rc = store_deps_each(project_store(x->p), x->ws, file_edge, &fw,
	    cause);
	strmap_free(fw.seen);
	if (rc == -1)
		return -1;
	for (size_t i = 0; i < fw.n; i++) {
		enc_edge(x, fw.v[i].id, fw.v[i].kind, fw.v[i].dep, path,
		    fw.v[i].hash, 1);
		if (tree(x, STORE_KIND_CONTENT, fw.v[i].id, true, 1,
		    cause) == -1)
			return -1;
	}
	return 0;
}

static int
deps_walk(struct deps *x, const char *id, bool reverse, char **cause)
{
	bool output = project_unit(x->p, x->ws, id) != NULL;
	bool config = root_config(project_root(x->p), id) != NULL;

	if (output)
		return tree(x, STORE_KIND_CONTENT, id, reverse, 0, cause);
	if (config)
		return reverse ? tree(x, STORE_KIND_CONFIG, id, true, 0, cause) :
		    config_trees(x, id, cause);
	return reverse ? file_reverse(x, id, cause) : 1;
}

void
rpc_deps(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	const msgpack_object *params = rpc_req_params(req);
	const char *id = proto_get_str(params, PROTO_F_ID, rpc_req_arena(req));
	struct deps x = { .req = req };
	struct proto_enc e;
	char *cause = NULL;
	int rc;

	if ((x.p = rpc_root_of(req, d, rpc_deps, true)) == NULL ||
	    rpc_workspace(req, x.p, &x.ws) == -1)
		return;
	if (x.ws == NULL)
		x.ws = project_workspaces(x.p, &(size_t){ 0 })[0];
	x.depth = (unsigned)proto_get_uint(params, PROTO_F_DEPTH, 0);
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_ID, id);
	proto_enc_key(&e, PROTO_F_EDGES);
	proto_enc_array(&e);
	x.e = &e;
	rc = deps_walk(&x, id, proto_get_bool(params, PROTO_F_REVERSE, false),
	    &cause);
	proto_enc_end(&e);
	proto_enc_end(&e);
	if (rc == -1)
		rpc_fmt_store_error(req, cause);
	else if (rc == 1)
		rpc_reply_errorf(req, PROTO_E_NOT_FOUND, "deps: no output or "
		    "config '%s' in %s (a file needs --reverse)", id,
		    project_path(x.p));
	else
		rpc_reply(req, &e);
	proto_enc_free(&e);
}
