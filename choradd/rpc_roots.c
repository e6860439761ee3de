/*
 * rpc_roots — the roots the daemon serves: opening and closing them,
 * finding the one a request names (adding it when it is new), and the
 * roots method (list; add or remove one).
 *
 * A root is removed only between passes and once its store writer has
 * committed everything queued: the request parks until then.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "path.h"
#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_feed.h"
#include "rpc_methods.h"
#include "scheduler.h"
#include "xmalloc.h"

struct project *
rpc_root_open(struct rpc_daemon *d, const char *path, char **cause)
{
	struct project *p;

	if ((p = project_open(path, d->check, d->loop, cause)) == NULL)
		return NULL;
	if (sched_add(d->sched, p, d->watch, cause) == -1) {
		project_free(p);
		return NULL;
	}
	if (d->feed != NULL)
		project_on_report(p, rpc_feed_report, d->feed);
	d->projects = xreallocarray(d->projects, d->nprojects + 1,
	    sizeof(*d->projects));
	d->projects[d->nprojects++] = p;
	return p;
}

void
rpc_root_close(struct rpc_daemon *d, struct project *p)
{
	for (size_t i = 0; i < d->nprojects; i++) {
		if (d->projects[i] != p)
			continue;
		memmove(d->projects + i, d->projects + i + 1,
		    (d->nprojects - i - 1) * sizeof(*d->projects));
		d->nprojects--;
		break;
	}
	if (sched_remove(d->sched, p) == -1)
		fatalx("rpc_root_close: %s is generating", project_path(p));
	log_info("%s: no longer served", project_path(p));
	project_free(p);
}

struct project *
rpc_root_find(struct rpc_daemon *d, const char *path)
{
	for (size_t i = 0; i < d->nprojects; i++)
		if (strcmp(project_path(d->projects[i]), path) == 0)
			return d->projects[i];
	return NULL;
}

/* The root at path (realpath'd into *real): NULL with *cause if none. */
static char *
root_check(const char *path, char **cause)
{
	char *real, *found;

	if (path[0] != '/') {
		*cause = xprintf("root '%s' is not an absolute path", path);
		return NULL;
	}
	if ((found = path_find_root(path, cause)) == NULL)
		return NULL;
	if ((real = realpath(path, NULL)) == NULL || strcmp(real, found) != 0) {
		*cause = xprintf("%s is not a project root (its root is %s)",
		    path, found);
		free(real);
		free(found);
		return NULL;
	}
	free(real);
	return found;
}

struct rerun {
	struct rpc_daemon *d;
	struct rpc_req	*req;		/* NULL once the client went */
	rpc_handler	 self;
};

static void
rerun_cancel(struct rpc_req *req, void *arg)
{
	struct rerun *r = arg;

	(void)req;
	r->req = NULL;
}

static void
rerun_done(void *arg)
{
	struct rerun *r = arg;

	if (r->req != NULL) {
		rpc_req_resume(r->req);
		r->self(r->req, r->d);
	}
	free(r);
}

void
rpc_rerun(struct rpc_req *req, struct rpc_daemon *d, rpc_handler self)
{
	struct rerun *r = xcalloc(1, sizeof(*r));

	r->d = d;
	r->req = req;
	r->self = self;
	rpc_req_park(req, rerun_cancel, r);
	sched_wait(d->sched, rerun_done, r);
}

/* Serve the new root real for req; NULL when req was answered. */
static struct project *
root_add(struct rpc_req *req, struct rpc_daemon *d, const char *real)
{
	struct project *p;
	char *cause = NULL;

	if (!rpc_req_can_write(req)) {
		rpc_reply_errorf(req, PROTO_E_PERM, "%s: permission denied: "
		    "uid %u may not add the root %s",
		    proto_method(rpc_req_method(req))->name,
		    (unsigned)rpc_req_uid(req), real);
		return NULL;
	}
	if ((p = rpc_root_open(d, real, &cause)) == NULL) {
		rpc_reply_errorf(req, PROTO_E_NO_ROOT, "%s", cause);
		free(cause);
		return NULL;
	}
	log_info("%s: now served (asked by uid %u)", real,
	    (unsigned)rpc_req_uid(req));
	sched_kick(d->sched, p);
	return p;
}

struct project *
rpc_root_of(struct rpc_req *req, struct rpc_daemon *d, rpc_handler self,
    bool settle)
{
	const char *name = proto_get_str(rpc_req_params(req), PROTO_F_ROOT,
	    rpc_req_arena(req));
	struct project *p;
	char *real, *cause = NULL;

	if (name == NULL) {
		if (d->nprojects == 1)
			return d->projects[0];
		rpc_reply_errorf(req, PROTO_E_NO_ROOT, "%s: the daemon serves "
		    "%zu roots: name one (root)",
		    proto_method(rpc_req_method(req))->name, d->nprojects);
		return NULL;
	}
	if ((real = root_check(name, &cause)) == NULL) {
		rpc_reply_errorf(req, PROTO_E_NO_ROOT, "%s", cause);
		free(cause);
		return NULL;
	}
	if ((p = rpc_root_find(d, real)) == NULL &&
	    (p = root_add(req, d, real)) != NULL && settle) {
		rpc_rerun(req, d, self);
		p = NULL;
	}
	free(real);
	return p;
}

/* ---- the method ---------------------------------------------------------- */

static void
roots_answer(struct rpc_req *req, struct rpc_daemon *d)
{
	struct proto_enc e;

	proto_enc_init(&e);
	proto_enc_map(&e);
	rpc_status_roots(&e, d);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}

/* A removal waits for the pass over its root and the store's writer. */
struct removal {
	struct rpc_daemon *d;
	struct rpc_req	*req;
	char		*root;
};

static void	removal_try(void *arg);

static void
removal_cancel(struct rpc_req *req, void *arg)
{
	struct removal *r = arg;

	(void)req;
	r->req = NULL;
}

static void
removal_stored(void *arg)
{
	struct removal *r = arg;
	struct project *p = rpc_root_find(r->d, r->root);

	if (p != NULL && sched_running(r->d->sched) == p) {
		sched_wait(r->d->sched, removal_try, r);
		return;
	}
	if (p != NULL)
		rpc_root_close(r->d, p);
	if (r->req != NULL)
		roots_answer(r->req, r->d);
	free(r->root);
	free(r);
}

static void
removal_try(void *arg)
{
	struct removal *r = arg;
	struct project *p = rpc_root_find(r->d, r->root);

	if (p == NULL || sched_running(r->d->sched) == p) {
		if (p != NULL)
			sched_wait(r->d->sched, removal_try, r);
		else
			removal_stored(r);
		return;
	}
	project_when_stored(p, removal_stored, r);
}

static void
roots_remove(struct rpc_req *req, struct rpc_daemon *d, const char *path)
{
	char *real = realpath(path, NULL);
	struct project *p;
	struct removal *r;

	if (real == NULL || (p = rpc_root_find(d, real)) == NULL) {
		rpc_reply_errorf(req, PROTO_E_NOT_FOUND, "roots: %s is not "
		    "served", path);
		free(real);
		return;
	}
	r = xcalloc(1, sizeof(*r));
	r->d = d;
	r->req = req;
	r->root = real;
	rpc_req_park(req, removal_cancel, r);
	removal_try(r);
}

void
rpc_roots(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	const msgpack_object *params = rpc_req_params(req);
	struct arena *a = rpc_req_arena(req);
	const char *add = proto_get_str(params, PROTO_F_ADD, a);
	const char *remove = proto_get_str(params, PROTO_F_REMOVE, a);
	char *real, *cause = NULL;

	if (add != NULL && remove != NULL) {
		rpc_reply_error(req, PROTO_E_PARAMS, "roots: add or remove, "
		    "not both", NULL, 0);
		return;
	}
	if (remove != NULL) {
		roots_remove(req, d, remove);
		return;
	}
	if (add != NULL) {
		if ((real = root_check(add, &cause)) == NULL) {
			rpc_reply_errorf(req, PROTO_E_NO_ROOT, "roots: %s",
			    cause);
			free(cause);
			return;
		}
		if (rpc_root_find(d, real) == NULL && root_add(req, d, real) ==
		    NULL) {
			free(real);
			return;
		}
		free(real);
	}
	roots_answer(req, d);
}
