/*
 * rpc_generate — regenerate what is stale, or the outputs named
 * (configs, content and artifact ids, collections' members), now,
 * without waiting for the settle time; answered once the pass has ended
 * with what it wrote and every failure.  A dry run renders a private
 * copy instead (rpc_check.c) and writes nothing.
 */
#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_feed.h"
#include "rpc_methods.h"
#include "scheduler.h"

void
rpc_generate(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	const msgpack_object *params = rpc_req_params(req);
	struct project *p;
	const char **ids, *ws;
	size_t n;

	if ((p = rpc_root_of(req, d, rpc_generate, true)) == NULL ||
	    rpc_ids(req, p, &ids, &n) == -1 || rpc_workspace(req, p, &ws) == -1)
		return;
	if (proto_get_bool(params, PROTO_F_DRY_RUN, false)) {
		rpc_check_start(d, req, p, ids, n, ws, true);
		return;
	}
	project_request(p, ids, n, ws, proto_get_bool(params, PROTO_F_FORCE,
	    false));
	sched_kick(d->sched, p);
	rpc_feed_collect(d->feed, req, project_path(p),
	    proto_get_bool(params, PROTO_F_PROGRESS, false), -1);
}
