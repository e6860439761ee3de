/*
 * rpc_rollback — put an earlier version of an output back: its text is
 * written atomically over the output, recorded as a new version of kind
 * rollback with an event, and the project remembers the file's new hash
 * so that it is neither reported as drift nor regenerated until one of
 * the output's inputs changes (then it is regenerated as usual).
 *
 * The write happens between passes (a request arriving during a pass
 * over its root waits for it), on the loop thread: one file, rarely,
 * and never racing a worker over the same output.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fileio.h"
#include "path.h"
#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_feed.h"
#include "rpc_methods.h"
#include "scheduler.h"
#include "store.h"
#include "storeq.h"
#include "xmalloc.h"

struct rollback {
	struct rpc_daemon *d;
	struct rpc_req	*req;		/* NULL once the client went */
	char		*root;
	char		*ws;
	char		*id;
	char		*path;
	char		 hash[HASH_HEX_SIZE];
	int64_t		 from;		/* the version restored */
};

static void
rollback_free(struct rollback *r)
{
	free(r->root);
	free(r->ws);
	free(r->id);
	free(r->path);
	free(r);
}

static void
rollback_cancel(struct rpc_req *req, void *arg)
{
	struct rollback *r = arg;

	(void)req;
	r->req = NULL;
}

/* Recorded: the new version's number comes back from the store. */
static void
rollback_stored(void *arg)
{
	struct rollback *r = arg;
	struct project *p = rpc_root_find(r->d, r->root);
	struct store_content c;
	struct arena *a = arena_new();
	char *cause = NULL, ver[24] = "?";
	struct proto_enc e;
	struct rpc_event ev = {
		.type = "rollback", .root = r->root, .workspace = r->ws,
		.id = r->id, .path = r->path, .hash = r->hash, .version = ver,
		.uid = r->req != NULL ? (int64_t)rpc_req_uid(r->req) : -1,
	};

	if (p != NULL && store_content_get(project_store(p), r->ws, r->id, 0,
	    a, &c, &cause) == 0)
		snprintf(ver, sizeof(ver), "%lld", (long long)c.version);
	free(cause);
	arena_free(a);
	if (r->d->feed != NULL)
		rpc_feed_event(r->d->feed, &ev);
	if (r->req != NULL) {
		proto_enc_init(&e);
		proto_enc_map(&e);
		proto_enc_kv_str(&e, PROTO_F_ID, r->id);
		proto_enc_kv_str(&e, PROTO_F_VERSION, ver);
		proto_enc_kv_str(&e, PROTO_F_HASH, r->hash);
		proto_enc_kv_str(&e, PROTO_F_PATH, r->path);
		proto_enc_end(&e);
		rpc_reply(r->req, &e);
		proto_enc_free(&e);
	}
	rollback_free(r);
}

/* Queue the version and the event; answer once they are committed. */
static void
rollback_record(struct rollback *r, struct project *p,
    const struct store_content *old, uid_t uid)
{
	struct storeq *q = project_storeq(p);
	struct store_content c = *old;
	char *details = xprintf("{\"from\":%lld,\"hash\":\"%s\"}",
	    (long long)r->from, r->hash);
	struct store_event ev = {
		.kind = STORE_EVENT_ROLLBACK, .uid = (int)uid,
		.workspace = r->ws, .subject = r->id, .details = details,
	};

	c.kind = STORE_VERSION_ROLLBACK;
	c.generated_at = 0;
	c.blob = NULL;
	storeq_content(q, &c);
	storeq_event(q, &ev);
	free(details);
	rpc_req_park(r->req, rollback_cancel, r);
	storeq_when_idle(q, rollback_stored, r);
}

/* Write the text of old over the output; -1 after answering. */
static int
rollback_write(struct rpc_req *req, struct project *p,
    const struct store_content *old)
{
	char *abs, *cause = NULL;

	if ((abs = path_confine(project_path(p), old->output_path,
	    &cause)) == NULL ||
	    fileio_write_atomic(abs, old->text, old->len, project_fsync(p),
	    0644, &cause) == -1) {
		rpc_reply_errorf(req, PROTO_E_FAILED, "rollback: %s", cause);
		free(cause);
		free(abs);
		return -1;
	}
	free(abs);
	return 0;
}

/* The version named to, with its text; -1 after answering. */
static int
rollback_version(struct rpc_req *req, struct project *p, const char *ws,
    const char *id, struct store_content *old)
{
	const char *to = proto_get_str(rpc_req_params(req), PROTO_F_TO,
	    rpc_req_arena(req));
	char *end, *cause = NULL;
	long long v = strtoll(to, &end, 10);
	int rc;

	if (*to == '\0' || *end != '\0' || v <= 0) {
		rpc_reply_errorf(req, PROTO_E_PARAMS, "rollback: version '%s' "
		    "is not a version number (see history)", to);
		return -1;
	}
	rc = store_content_get(project_store(p), ws, id, v,
	    rpc_req_arena(req), old, &cause);
	if (rc == -1)
		rpc_fmt_store_error(req, cause);
	else if (rc == 1)
		rpc_reply_errorf(req, PROTO_E_NOT_FOUND, "rollback: %s has no "
		    "version %lld (see history)", id, v);
	else if (old->text == NULL || old->kind == STORE_VERSION_REMOVED)
		rpc_reply_errorf(req, PROTO_E_FAILED, "rollback: version %lld "
		    "of %s records a removal: there is no text to restore", v,
		    id);
	else
		return 0;
	return -1;
}

void
rpc_rollback(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	const char *id = proto_get_str(rpc_req_params(req), PROTO_F_ID,
	    rpc_req_arena(req)), *ws;
	const struct unit *u;
	struct store_content old;
	struct rollback *r;
	struct project *p;

	if ((p = rpc_root_of(req, d, rpc_rollback, true)) == NULL ||
	    rpc_workspace(req, p, &ws) == -1)
		return;
	if (ws == NULL)
		ws = project_workspaces(p, &(size_t){ 0 })[0];
	if ((u = project_unit(p, ws, id)) == NULL || u->output == NULL) {
		rpc_reply_errorf(req, PROTO_E_NOT_FOUND, "rollback: no output "
		    "file '%s' in workspace %s of %s", id, ws, project_path(p));
		return;
	}
	if (project_storeq(p) == NULL) {
		rpc_reply_errorf(req, PROTO_E_STORE, "rollback: the store of "
		    "%s is not writable", project_path(p));
		return;
	}
	if (sched_running(d->sched) == p) {
		rpc_rerun(req, d, rpc_rollback);
		return;
	}
	if (rollback_version(req, p, ws, id, &old) == -1)
		return;
	r = xcalloc(1, sizeof(*r));
	r->d = d;
	r->req = req;
	r->root = xstrdup(project_path(p));
	r->ws = xstrdup(ws);
	r->id = xstrdup(id);
	r->path = xstrdup(u->output);
	r->from = old.version;
	hash_sha256_hex(old.text, old.len, r->hash);
	/* The file's hash is known before the watcher reports the write. */
	char prev[HASH_HEX_SIZE];
	snprintf(prev, sizeof(prev), "%s", u->hash);
	project_restored(p, ws, id, old.text, old.len, r->hash);
	old.output_path = u->output;
	if (rollback_write(req, p, &old) == -1) {
		project_restored(p, ws, id, NULL, 0, prev);
		rollback_free(r);
		return;
	}
	rollback_record(r, p, &old, rpc_req_uid(req));
}
