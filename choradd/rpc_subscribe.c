/*
 * rpc_subscribe — a stream of "event" notifications (generated, failed,
 * drift, deploy, rollback) until the client goes; the response, sent
 * when the daemon stops, ends it (rpc_feed.c keeps the subscribers).
 */
#include "proto.h"
#include "rpc.h"
#include "rpc_feed.h"
#include "rpc_methods.h"

void
rpc_subscribe(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;

	/* A root named for the first time is served from now on. */
	if (proto_get(rpc_req_params(req), PROTO_F_ROOT) != NULL &&
	    rpc_root_of(req, d, rpc_subscribe, false) == NULL)
		return;
	rpc_feed_subscribe(d->feed, req);
}
