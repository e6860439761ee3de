/*
 * rpc_ids — the ids a generate or check request names, checked and with
 * collections replaced by their members (recursively), so that the rest
 * of the daemon only sees config, content and artifact ids.
 */
#include <string.h>

#include "arena.h"
#include "project.h"
#include "proto.h"
#include "root.h"
#include "rpc.h"
#include "rpc_methods.h"

/* Collections inside collections deeper than this are refused. */
#define IDS_MAX_NESTING	16

struct ids {
	struct arena	*a;
	const char	**v;
	size_t		 n, cap;
};

static void
ids_push(struct ids *x, const char *id)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 8;
		x->v = arena_realloc(x->a, x->v, x->cap * sizeof(*x->v),
		    (cap + 1) * sizeof(*x->v));
		x->cap = cap;
	}
	x->v[x->n++] = id;
	x->v[x->n] = NULL;
}

/* Is id an output of some workspace of p? */
static bool
is_output(const struct project *p, const char *id)
{
	size_t nws;
	const char *const *ws = project_workspaces(p, &nws);

	for (size_t w = 0; w < nws; w++)
		if (project_unit(p, ws[w], id) != NULL)
			return true;
	return false;
}

/* Add id (or a collection's members); the unknown id, or NULL. */
static const char *
ids_add(struct ids *x, const struct project *p, const char *id, int depth)
{
	const struct config *c = root_config(project_root(p), id);
	const char *bad;

	if (c == NULL) {
		if (!is_output(p, id))
			return id;
		ids_push(x, id);
		return NULL;
	}
	if (c->type != CONFIG_COLLECTION) {
		ids_push(x, id);
		return NULL;
	}
	if (depth >= IDS_MAX_NESTING)
		return id;
	for (size_t i = 0; i < c->nmembers; i++)
		if ((bad = ids_add(x, p, c->members[i], depth + 1)) != NULL)
			return bad;
	return NULL;
}

int
rpc_ids(struct rpc_req *req, const struct project *p, const char ***ids,
    size_t *n)
{
	struct ids x = { rpc_req_arena(req), NULL, 0, 0 };
	size_t nin;
	const char **in = proto_get_strs(rpc_req_params(req), PROTO_F_IDS,
	    x.a, &nin);
	const char *bad;

	*ids = NULL;
	*n = 0;
	if (in == NULL || nin == 0)
		return 0;
	for (size_t i = 0; i < nin; i++)
		if ((bad = ids_add(&x, p, in[i], 0)) != NULL) {
			rpc_reply_errorf(req, PROTO_E_NOT_FOUND, "%s: no "
			    "config or output '%s' in %s",
			    proto_method(rpc_req_method(req))->name, bad,
			    project_path(p));
			return -1;
		}
	*ids = x.v;
	*n = x.n;
	return 0;
}

int
rpc_workspace(struct rpc_req *req, const struct project *p, const char **ws)
{
	*ws = proto_get_str(rpc_req_params(req), PROTO_F_WORKSPACE,
	    rpc_req_arena(req));
	if (*ws == NULL || project_ws_index(p, *ws) >= 0)
		return 0;
	rpc_reply_errorf(req, PROTO_E_NOT_FOUND, "%s: no workspace '%s' in %s",
	    proto_method(rpc_req_method(req))->name, *ws, project_path(p));
	return -1;
}
