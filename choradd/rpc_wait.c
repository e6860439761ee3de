/*
 * rpc_wait — answer once every change made before the call has been
 * processed (the scheduler's cookie mechanism), or with a timeout error.
 *
 * The request is parked on the scheduler.  Whichever comes first — the
 * scheduler's callback, the timeout, the client going away — answers or
 * drops the request; the waiter itself lives until the scheduler's
 * callback, which always comes (it cannot be withdrawn), and frees it.
 */
#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_methods.h"
#include "scheduler.h"
#include "xmalloc.h"

struct waiter {
	struct rpc_daemon *d;
	struct rpc_req	*req;		/* NULL once answered or cancelled */
	ev_timer	 timeout;
	uint64_t	 passes;	/* at the call */
};

static uint64_t
passes(struct rpc_daemon *d)
{
	struct project_stats st;
	uint64_t n = 0;

	for (size_t i = 0; i < d->nprojects; i++) {
		project_stats(d->projects[i], &st);
		n += st.passes;
	}
	return n;
}

static void
answer(struct waiter *w)
{
	struct proto_enc e;

	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_uint(&e, PROTO_F_PASSES, passes(w->d) - w->passes);
	proto_enc_key(&e, PROTO_F_FAILED);
	proto_enc_array(&e);
	for (size_t i = 0; i < w->d->nprojects; i++) {
		size_t n;
		struct project_problem *pr = project_problems(w->d->projects[i],
		    &n);
		for (size_t k = 0; k < n; k++)
			if (strcmp(pr[k].what, "failed") == 0 ||
			    strcmp(pr[k].what, "config") == 0)
				rpc_fmt_failure(&e, pr[k].id, NULL,
				    pr[k].message);
		project_problems_free(pr, n);
	}
	proto_enc_end(&e);
	proto_enc_end(&e);
	rpc_reply(w->req, &e);
	proto_enc_free(&e);
	w->req = NULL;
}

static void
wait_done(void *arg)
{
	struct waiter *w = arg;

	ev_timer_stop(w->d->loop, &w->timeout);
	if (w->req != NULL)
		answer(w);
	free(w);
}

static void
wait_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct waiter *w = t->data;

	(void)loop;
	(void)revents;
	if (w->req != NULL)
		rpc_reply_error(w->req, PROTO_E_TIMEOUT, "changes still being "
		    "processed", NULL, 0);
	w->req = NULL;
}

static void
wait_cancel(struct rpc_req *req, void *arg)
{
	struct waiter *w = arg;

	(void)req;
	ev_timer_stop(w->d->loop, &w->timeout);
	w->req = NULL;
}

void
rpc_wait(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	struct waiter *w;
	uint64_t ms = proto_get_uint(rpc_req_params(req), PROTO_F_TIMEOUT_MS,
	    0);

	/* A root named for the first time is added (its first pass is then
	 * one of the changes waited for). */
	if (proto_get(rpc_req_params(req), PROTO_F_ROOT) != NULL &&
	    rpc_root_of(req, d, rpc_wait, false) == NULL)
		return;
	w = xcalloc(1, sizeof(*w));
	w->d = d;
	w->req = req;
	w->passes = passes(d);
	ev_timer_init(&w->timeout, wait_timeout, (double)ms / 1e3, 0.);
	w->timeout.data = w;
	if (ms > 0)
		ev_timer_start(d->loop, &w->timeout);
	rpc_req_park(req, wait_cancel, w);
	sched_wait(d->sched, wait_done, w);
}
