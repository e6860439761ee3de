/*
 * rpc_list — configs, content outputs, artifact outputs or collections,
 * filtered by their context ("key=value", all must match), by time, and
 * paged (limit, offset), newest first.  Read from the loop's read-only
 * store handle; outputs of every workspace unless one is named.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "project.h"
#include "proto.h"
#include "root.h"
#include "rpc.h"
#include "rpc_methods.h"
#include "store.h"

/* One row, whichever kind it came from. */
struct item {
	const char	*id;
	const char	*type;
	const char	*version;
	const char	*hash;
	const char	*ws;		/* outputs */
	const char	*path;
	const char	*config_id;
	int64_t		 time;
	const char	*context;	/* JSON */
};

struct items {
	struct arena	*a;
	struct item	*v;
	size_t		 n, cap;
};

static struct item *
items_add(struct items *x)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 32;
		x->v = arena_realloc(x->a, x->v, x->cap * sizeof(*x->v),
		    cap * sizeof(*x->v));
		x->cap = cap;
	}
	memset(&x->v[x->n], 0, sizeof(x->v[0]));
	return &x->v[x->n++];
}

static int
newest_first(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	int c;

	if (x->time != y->time)
		return x->time < y->time ? 1 : -1;
	if ((c = strcmp(x->id, y->id)) != 0)
		return c;
	/* One id in several workspaces: a total order, so that --offset
	 * pages do not overlap. */
	return strcmp(x->ws != NULL ? x->ws : "", y->ws != NULL ? y->ws : "");
}

/* The filter of req: where, since, workspace.  -1 after answering. */
static int
list_filter(struct rpc_req *req, struct store_filter *f)
{
	struct arena *a = rpc_req_arena(req);
	const msgpack_object *params = rpc_req_params(req);
	const char **where, *since;
	struct store_where *w;
	size_t n;

	memset(f, 0, sizeof(*f));
	where = proto_get_strs(params, PROTO_F_WHERE, a, &n);
	if (n > STORE_WHERE_MAX) {
		rpc_reply_errorf(req, PROTO_E_PARAMS, "list: at most %d where "
		    "filters", STORE_WHERE_MAX);
		return -1;
	}
	w = arena_zalloc(a, (n + 1) * sizeof(*w));
	for (size_t i = 0; i < n; i++) {
		char *eq = strchr(where[i], '=');
		if (eq == NULL || eq == where[i]) {
			rpc_reply_errorf(req, PROTO_E_PARAMS, "list: where "
			    "'%s' is not KEY=VALUE", where[i]);
			return -1;
		}
		w[i].key = arena_memdup(a, where[i], (size_t)(eq - where[i]));
		w[i].value = eq + 1;
	}
	f->where = w;
	f->nwhere = n;
	if ((since = proto_get_str(params, PROTO_F_SINCE, a)) != NULL &&
	    rpc_fmt_parse_time(since, store_now(), &f->since) == -1) {
		rpc_reply_errorf(req, PROTO_E_PARAMS, "list: since '%s' is "
		    "neither a time (2026-01-02T03:04:05Z) nor an age (15m, "
		    "2h, 7d)", since);
		return -1;
	}
	return 0;
}

/* Config rows of one type (NULL: all) from the first workspace. */
static int
list_configs(struct project *p, struct store_filter *f, const char *type,
    struct items *x, char **cause)
{
	const struct root *r = project_root(p);
	struct store_config *v;
	size_t n;

	f->type = type;
	if (store_config_list(project_store(p), f, x->a, &v, &n, cause) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct config *c = root_config(r, v[i].id);
		struct item *it = items_add(x);
		it->id = v[i].id;
		it->type = v[i].type;
		it->version = v[i].version;
		it->hash = v[i].hash;
		it->time = v[i].created_at;
		it->context = c != NULL ? c->context : NULL;
	}
	return 0;
}

/* Output rows whose config has type (content or artifact). */
static int
list_outputs(struct project *p, struct store_filter *f, const char *type,
    struct items *x, char **cause)
{
	const struct root *r = project_root(p);
	struct store_content *v;
	size_t n;

	if (store_content_list(project_store(p), f, x->a, &v, &n, cause) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct config *c = root_config(r, v[i].config_id);
		const char *t = c == NULL ? "content" : c->type ==
		    CONFIG_ARTIFACT ? "artifact" : "content";
		struct item *it;
		if (strcmp(t, type) != 0)
			continue;
		it = items_add(x);
		it->id = v[i].id;
		it->type = t;
		it->version = v[i].config_version;
		it->hash = v[i].hash;
		it->ws = v[i].workspace;
		it->path = v[i].output_path;
		it->config_id = v[i].config_id;
		it->time = v[i].generated_at;
		it->context = v[i].context;
	}
	return 0;
}

static void
enc_item(struct proto_enc *e, const struct item *it)
{
	char when[32];

	rpc_fmt_time(it->time, when);
	proto_enc_map(e);
	proto_enc_kv_str(e, PROTO_F_ID, it->id);
	proto_enc_kv_str(e, PROTO_F_TYPE, it->type);
	if (it->version != NULL && it->version[0] != '\0')
		proto_enc_kv_str(e, PROTO_F_VERSION, it->version);
	proto_enc_kv_str(e, PROTO_F_HASH, it->hash);
	proto_enc_kv_str_opt(e, PROTO_F_WORKSPACE, it->ws);
	proto_enc_kv_str_opt(e, PROTO_F_PATH, it->path);
	proto_enc_kv_str_opt(e, PROTO_F_CONFIG_ID, it->config_id);
	proto_enc_kv_str(e, PROTO_F_TIME, when);
	rpc_fmt_json(e, PROTO_F_CONTEXT, it->context);
	proto_enc_end(e);
}

static void
list_answer(struct rpc_req *req, struct items *x)
{
	const msgpack_object *params = rpc_req_params(req);
	uint64_t limit = proto_get_uint(params, PROTO_F_LIMIT, 0);
	uint64_t off = proto_get_uint(params, PROTO_F_OFFSET, 0);
	struct proto_enc e;

	if (x->n > 1)
		qsort(x->v, x->n, sizeof(*x->v), newest_first);
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_key(&e, PROTO_F_ITEMS);
	proto_enc_array(&e);
	for (uint64_t i = off; i < x->n && (limit == 0 || i < off + limit); i++)
		enc_item(&e, &x->v[i]);
	proto_enc_end(&e);
	proto_enc_kv_uint(&e, PROTO_F_TOTAL, x->n);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}

void
rpc_list(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	const char *type = proto_get_str(rpc_req_params(req), PROTO_F_TYPE,
	    rpc_req_arena(req)), *ws, *const *wss;
	struct items x = { rpc_req_arena(req), NULL, 0, 0 };
	struct store_filter f;
	struct project *p;
	char *cause = NULL;
	size_t nws;
	int rc = 0;

	if ((p = rpc_root_of(req, d, rpc_list, true)) == NULL ||
	    rpc_workspace(req, p, &ws) == -1 || list_filter(req, &f) == -1)
		return;
	if (project_store(p) == NULL) {
		rpc_reply_errorf(req, PROTO_E_STORE, "list: %s has no store",
		    project_path(p));
		return;
	}
	wss = project_workspaces(p, &nws);
	if (strcmp(type, "configs") == 0 || strcmp(type, "collections") == 0) {
		f.workspace = ws != NULL ? ws : wss[0];
		rc = list_configs(p, &f, strcmp(type, "collections") == 0 ?
		    "collection" : NULL, &x, &cause);
	} else
		for (size_t w = 0; w < nws && rc == 0; w++) {
			if (ws != NULL && strcmp(ws, wss[w]) != 0)
				continue;
			f.workspace = wss[w];
			rc = list_outputs(p, &f, strcmp(type, "artifacts") ==
			    0 ? "artifact" : "content", &x, &cause);
		}
	if (rc == -1)
		rpc_fmt_store_error(req, cause);
	else
		list_answer(req, &x);
}
