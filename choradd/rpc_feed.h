/*
 * rpc_feed — what passes do, told to whoever listens on the socket.
 *
 * Every served project reports each output its passes handle
 * (project_on_report → rpc_feed_report).  The feed hands those reports
 * to two kinds of listeners:
 *
 *   subscribers (subscribe): an "event" notification per generated,
 *   failed or drifted output, and per deploy or rollback recorded by a
 *   handler (rpc_feed_event), until the client goes or the daemon stops;
 *
 *   collectors (generate, notify): a parked request gathering what the
 *   passes over its root write, leave unchanged and fail, answered once
 *   every change made before it has been processed (sched_wait), with
 *   progress notifications when it asked for them.
 *
 * Ownership: the feed owns its listeners; requests stay the rpc server's
 * (cancel callbacks drop them).  rpc_feed_free() answers subscribers.
 */
#ifndef CHORA_RPC_FEED_H
#define CHORA_RPC_FEED_H

#include <stdbool.h>
#include <stdint.h>

struct project;
struct project_report;
struct rpc_daemon;
struct rpc_feed;
struct rpc_req;

/* An event a handler records (deploy, rollback); strings may be NULL. */
struct rpc_event {
	const char	*type;		/* "deploy", "rollback" */
	const char	*root;
	const char	*workspace;
	const char	*id;
	const char	*path;
	const char	*hash;
	const char	*version;
	const char	*env;
	const char	*status;
	int64_t		 uid;		/* -1: none */
};

struct rpc_feed	*rpc_feed_new(struct rpc_daemon *d);
/* The daemon stops: subscribers get their response. */
void		 rpc_feed_free(struct rpc_feed *f);
/* The project listener; arg is the feed. */
void		 rpc_feed_report(void *arg, struct project *p,
		    const struct project_report *r);
void		 rpc_feed_event(struct rpc_feed *f, const struct rpc_event *ev);
/* Park req (subscribe) as a subscriber. */
void		 rpc_feed_subscribe(struct rpc_feed *f, struct rpc_req *req);
/*
 * Park req (generate, notify) as a collector for the passes over root:
 * answered with generated, unchanged, failed (and affected, when it is
 * not negative) once every change made before now has been processed.
 */
void		 rpc_feed_collect(struct rpc_feed *f, struct rpc_req *req,
		    const char *root, bool progress, int64_t affected);

#endif
