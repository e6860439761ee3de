/*
 * rpc_deploy — the deployment audit trail: deploy.record appends an
 * event to the store and a line to .chora/memory/events/deployment.jsonl
 * (on the store's writer thread, outside any batch) and answers once it
 * is committed; deploy.list reads the events back, newest first.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_feed.h"
#include "rpc_methods.h"
#include "store.h"
#include "storeq.h"
#include "xmalloc.h"

struct deploy_job {
	struct rpc_daemon *d;
	struct rpc_req	*req;		/* NULL once the client went */
	char		*root;
	struct store_deploy dep;	/* strings owned */
	int		 rc;
	char		*cause;
};

static void
enc_deploy(struct proto_enc *e, const struct store_deploy *dep)
{
	char when[32];

	rpc_fmt_time(dep->at, when);
	proto_enc_map(e);
	proto_enc_kv_str(e, PROTO_F_TIME, when);
	proto_enc_kv_str(e, PROTO_F_ENV, dep->environment);
	proto_enc_kv_str(e, PROTO_F_VERSION, dep->version);
	proto_enc_kv_str(e, PROTO_F_STATUS, dep->status);
	proto_enc_kv_str_opt(e, PROTO_F_NOTE, dep->note);
	proto_enc_kv_uint(e, PROTO_F_UID, dep->uid >= 0 ? (uint64_t)dep->uid :
	    0);
	proto_enc_end(e);
}

/* On the writer thread. */
static void
deploy_write(struct store *s, void *arg)
{
	struct deploy_job *j = arg;

	j->rc = store_deploy_record(s, &j->dep, &j->cause);
}

static void
deploy_free(struct deploy_job *j)
{
	free((char *)j->dep.environment);
	free((char *)j->dep.version);
	free((char *)j->dep.status);
	free((char *)j->dep.note);
	free(j->root);
	free(j->cause);
	free(j);
}

/* Committed: answer, and tell subscribers. */
static void
deploy_stored(void *arg)
{
	struct deploy_job *j = arg;
	struct rpc_event ev = {
		.type = "deploy", .root = j->root, .env = j->dep.environment,
		.version = j->dep.version, .status = j->dep.status,
		.uid = j->dep.uid,
	};
	struct proto_enc e;

	if (j->rc == 0 && j->d->feed != NULL)
		rpc_feed_event(j->d->feed, &ev);
	if (j->req != NULL && j->rc == -1) {
		rpc_fmt_store_error(j->req, j->cause);
		j->cause = NULL;
	} else if (j->req != NULL) {
		proto_enc_init(&e);
		proto_enc_map(&e);
		proto_enc_key(&e, PROTO_F_EVENT);
		enc_deploy(&e, &j->dep);
		proto_enc_end(&e);
		rpc_reply(j->req, &e);
		proto_enc_free(&e);
	}
	deploy_free(j);
}

static void
deploy_cancel(struct rpc_req *req, void *arg)
{
	struct deploy_job *j = arg;

	(void)req;
	j->req = NULL;
}

static char *
param(struct rpc_req *req, enum proto_field f)
{
	const char *s = proto_get_str(rpc_req_params(req), f,
	    rpc_req_arena(req));

	return s != NULL ? xstrdup(s) : NULL;
}

/*
 * Is a required string empty?  It is then refused (the type checks let
 * "" through): an event without an environment, a version or a status
 * says nothing an audit could use.
 */
static bool
deploy_params_empty(struct rpc_req *req)
{
	static const enum proto_field required[] = {
		PROTO_F_ENV, PROTO_F_VERSION, PROTO_F_STATUS,
	};

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const char *s = proto_get_str(rpc_req_params(req), required[i],
		    rpc_req_arena(req));
		if (s != NULL && s[0] == '\0') {
			rpc_reply_errorf(req, PROTO_E_PARAMS, "deploy.record: "
			    "'%s' must not be empty",
			    proto_field_name(required[i]));
			return true;
		}
	}
	return false;
}

void
rpc_deploy_record(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	struct deploy_job *j;
	struct project *p;
	struct storeq *q;

	if ((p = rpc_root_of(req, d, rpc_deploy_record, true)) == NULL ||
	    deploy_params_empty(req))
		return;
	if ((q = project_storeq(p)) == NULL) {
		rpc_reply_errorf(req, PROTO_E_STORE, "deploy.record: the "
		    "store of %s is not writable", project_path(p));
		return;
	}
	j = xcalloc(1, sizeof(*j));
	j->d = d;
	j->req = req;
	j->root = xstrdup(project_path(p));
	j->dep.environment = param(req, PROTO_F_ENV);
	j->dep.version = param(req, PROTO_F_VERSION);
	j->dep.status = param(req, PROTO_F_STATUS);
	j->dep.note = param(req, PROTO_F_NOTE);
	j->dep.uid = (int)rpc_req_uid(req);
	j->dep.at = store_now();
	rpc_req_park(req, deploy_cancel, j);
	storeq_call(q, deploy_write, j);
	storeq_when_idle(q, deploy_stored, j);
}

/* An event's details back into a deploy record (strings in a). */
static void
deploy_of_event(const struct store_event *ev, struct arena *a,
    struct store_deploy *dep)
{
	json_t *o = ev->details != NULL ? json_loads(ev->details, 0, NULL) :
	    NULL;
	const char *s;

	memset(dep, 0, sizeof(*dep));
	dep->at = ev->at;
	dep->uid = ev->uid;
	dep->environment = ev->subject != NULL ? ev->subject : "";
	s = json_string_value(json_object_get(o, "version"));
	dep->version = arena_strdup(a, s != NULL ? s : "");
	s = json_string_value(json_object_get(o, "status"));
	dep->status = arena_strdup(a, s != NULL ? s : "");
	if ((s = json_string_value(json_object_get(o, "note"))) != NULL)
		dep->note = arena_strdup(a, s);
	json_decref(o);
}

void
rpc_deploy_list(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	const msgpack_object *params = rpc_req_params(req);
	struct arena *a = rpc_req_arena(req);
	struct store_event_filter f = {
		.kind = STORE_EVENT_DEPLOY,
		.subject = proto_get_str(params, PROTO_F_ENV, a),
		.limit = proto_get_uint(params, PROTO_F_LIMIT, 0),
	};
	struct store_event *v;
	struct store_deploy dep;
	struct project *p;
	struct proto_enc e;
	char *cause = NULL;
	size_t n;

	if ((p = rpc_root_of(req, d, rpc_deploy_list, true)) == NULL)
		return;
	if (store_event_list(project_store(p), &f, a, &v, &n, &cause) == -1) {
		rpc_fmt_store_error(req, cause);
		return;
	}
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_key(&e, PROTO_F_EVENTS);
	proto_enc_array(&e);
	for (size_t i = 0; i < n; i++) {
		deploy_of_event(&v[i], a, &dep);
		enc_deploy(&e, &dep);
	}
	proto_enc_end(&e);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}
