/*
 * rpc_show — one version of an output (its text as generated) or of a
 * config (its canonical JSON).  An id is looked up as an output first,
 * then as a config; "config:ID" asks for the config (a content config
 * without foreach has an output of the same id).  Output versions are
 * numbered 1, 2, ...; config versions are named by their author version
 * or a prefix of their hash, as history lists them.
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

static void
show_content(struct rpc_req *req, const struct store_content *c)
{
	struct proto_enc e;
	char when[32];

	rpc_fmt_time(c->generated_at, when);
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_ID, c->id);
	proto_enc_kv_str(&e, PROTO_F_KIND, "content");
	proto_enc_key(&e, PROTO_F_VERSION);
	proto_enc_str(&e, arena_printf(rpc_req_arena(req), "%lld",
	    (long long)c->version));
	proto_enc_kv_str(&e, PROTO_F_HASH, c->hash);
	proto_enc_kv_str(&e, PROTO_F_TIME, when);
	proto_enc_key(&e, PROTO_F_TEXT);
	proto_enc_strn(&e, c->text != NULL ? c->text : "", c->text != NULL ?
	    c->len : 0);
	proto_enc_kv_str_opt(&e, PROTO_F_PATH, c->output_path);
	proto_enc_kv_str_opt(&e, PROTO_F_CONFIG_ID, c->config_id);
	if (c->config_version != NULL && c->config_version[0] != '\0')
		proto_enc_kv_str(&e, PROTO_F_CONFIG_VERSION, c->config_version);
	rpc_fmt_json(&e, PROTO_F_CONTEXT, c->context);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}

static void
show_config(struct rpc_req *req, const struct project *p,
    const struct store_config *c)
{
	const struct config *live = root_config(project_root(p), c->id);
	struct proto_enc e;
	char when[32];

	rpc_fmt_time(c->created_at, when);
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_ID, c->id);
	proto_enc_kv_str(&e, PROTO_F_KIND, "config");
	proto_enc_key(&e, PROTO_F_VERSION);
	proto_enc_strn(&e, c->hash, RPC_CONFIG_VERSION_LEN);
	proto_enc_kv_str(&e, PROTO_F_HASH, c->hash);
	proto_enc_kv_str(&e, PROTO_F_TIME, when);
	proto_enc_kv_str(&e, PROTO_F_TEXT, c->json != NULL ? c->json : "");
	if (c->version != NULL && c->version[0] != '\0')
		proto_enc_kv_str(&e, PROTO_F_CONFIG_VERSION, c->version);
	if (live != NULL && strcmp(live->hash, c->hash) == 0)
		rpc_fmt_json(&e, PROTO_F_CONTEXT, live->context);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}

/* The config version named v (NULL: latest): 0, 1 (none), -1. */
static int
find_config(struct project *p, const char *ws, const char *id, const char *v,
    struct arena *a, struct store_config *out, char **cause)
{
	struct store_config *h;
	size_t n, vl = v != NULL ? strlen(v) : 0;

	if (store_config_history(project_store(p), ws, id, a, &h, &n,
	    cause) == -1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (v == NULL || (h[i].version != NULL && strcmp(h[i].version,
		    v) == 0) || (vl >= 4 && strncmp(h[i].hash, v, vl) == 0)) {
			*out = h[i];
			return 0;
		}
	return 1;
}

/* An output version number from v (NULL: latest, 0); -1 when not one. */
static int64_t
content_version(const char *v)
{
	char *end;
	long long n;

	if (v == NULL)
		return 0;
	n = strtoll(v, &end, 10);
	return *v != '\0' && *end == '\0' && n > 0 ? n : -1;
}

void
rpc_show(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	struct arena *a = rpc_req_arena(req);
	const msgpack_object *params = rpc_req_params(req);
	const char *id = proto_get_str(params, PROTO_F_ID, a);
	const char *v = proto_get_str(params, PROTO_F_VERSION, a), *ws;
	struct store_content c;
	struct store_config cf;
	struct project *p;
	char *cause = NULL;
	int64_t num = content_version(v);
	bool config = strncmp(id, "config:", 7) == 0;
	int rc = 1;

	if ((p = rpc_root_of(req, d, rpc_show, true)) == NULL ||
	    rpc_workspace(req, p, &ws) == -1)
		return;
	if (ws == NULL)
		ws = project_workspaces(p, &(size_t){ 0 })[0];
	if (config)
		id += 7;
	if (!config && num >= 0 && (rc = store_content_get(project_store(p),
	    ws, id, num, a, &c, &cause)) == 0) {
		show_content(req, &c);
		return;
	}
	if (rc == 1 && (rc = find_config(p, ws, id, v, a, &cf, &cause)) == 0) {
		show_config(req, p, &cf);
		return;
	}
	if (rc == -1)
		rpc_fmt_store_error(req, cause);
	else
		rpc_reply_errorf(req, PROTO_E_NOT_FOUND, "show: no %s%s%s%s "
		    "in %s", config ? "config " : "output or config ", id,
		    v != NULL ? " version " : "", v != NULL ? v : "",
		    project_path(p));
}
