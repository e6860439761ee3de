/*
 * rpc_history — every kept version of an output, newest first, with why
 * it exists (generated, drift, removed, rollback, imported); for an id
 * that is only a config, the config's versions.  Version names are what
 * show --version takes.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_methods.h"
#include "store.h"

static void
enc_content(struct proto_enc *e, struct arena *a, const struct store_content *c)
{
	char when[32];

	rpc_fmt_time(c->generated_at, when);
	proto_enc_map(e);
	proto_enc_kv_str(e, PROTO_F_VERSION, arena_printf(a, "%lld",
	    (long long)c->version));
	proto_enc_kv_str(e, PROTO_F_HASH, c->hash);
	proto_enc_kv_str(e, PROTO_F_TIME, when);
	if (c->config_version != NULL && c->config_version[0] != '\0')
		proto_enc_kv_str(e, PROTO_F_CONFIG_VERSION, c->config_version);
	proto_enc_kv_uint(e, PROTO_F_SIZE, c->len);
	proto_enc_kv_str(e, PROTO_F_SOURCE, store_version_kind_name(c->kind));
	proto_enc_end(e);
}

static void
enc_config(struct proto_enc *e, const struct store_config *c)
{
	char when[32];

	rpc_fmt_time(c->created_at, when);
	proto_enc_map(e);
	proto_enc_key(e, PROTO_F_VERSION);
	proto_enc_strn(e, c->hash, RPC_CONFIG_VERSION_LEN);
	proto_enc_kv_str(e, PROTO_F_HASH, c->hash);
	proto_enc_kv_str(e, PROTO_F_TIME, when);
	if (c->version != NULL && c->version[0] != '\0')
		proto_enc_kv_str(e, PROTO_F_CONFIG_VERSION, c->version);
	proto_enc_kv_uint(e, PROTO_F_SIZE, c->json != NULL ?
	    strlen(c->json) : 0);
	proto_enc_kv_str(e, PROTO_F_SOURCE, "config");
	proto_enc_end(e);
}

void
rpc_history(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	struct arena *a = rpc_req_arena(req);
	const msgpack_object *params = rpc_req_params(req);
	const char *id = proto_get_str(params, PROTO_F_ID, a), *ws;
	uint64_t limit = proto_get_uint(params, PROTO_F_LIMIT, 0);
	struct store_content *cv = NULL;
	struct store_config *fv = NULL;
	size_t n = 0, m = 0;
	struct project *p;
	char *cause = NULL;
	struct proto_enc e;

	if ((p = rpc_root_of(req, d, rpc_history, true)) == NULL ||
	    rpc_workspace(req, p, &ws) == -1)
		return;
	if (ws == NULL)
		ws = project_workspaces(p, &(size_t){ 0 })[0];
	if (store_content_history(project_store(p), ws, id, a, &cv, &n,
	    &cause) == -1 || (n == 0 && store_config_history(project_store(p),
	    ws, id, a, &fv, &m, &cause) == -1)) {
		rpc_fmt_store_error(req, cause);
		return;
	}
	if (n == 0 && m == 0) {
		rpc_reply_errorf(req, PROTO_E_NOT_FOUND, "history: no output "
		    "or config '%s' in %s", id, project_path(p));
		return;
	}
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_ID, id);
	proto_enc_key(&e, PROTO_F_VERSIONS);
	proto_enc_array(&e);
	for (size_t i = 0; i < n && (limit == 0 || i < limit); i++)
		enc_content(&e, a, &cv[i]);
	for (size_t i = 0; i < m && (limit == 0 || i < limit); i++)
		enc_config(&e, &fv[i]);
	proto_enc_end(&e);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}
