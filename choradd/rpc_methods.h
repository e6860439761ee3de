/*
 * rpc_methods — the daemon's method handlers, one rpc_<method>.c each,
 * registered on the socket server from one table.
 *
 * Handlers run on the loop thread and read the daemon's state through the
 * scheduler and the projects; none renders or writes.  status and health
 * answer at once, from counters the projects keep, so they stay instant
 * in the middle of a pass; wait parks its request on the scheduler.
 *
 * Only status, health and wait exist so far; the other methods of
 * methods.def answer "unsupported" from the server until their files are
 * written.
 */
#ifndef CHORA_RPC_METHODS_H
#define CHORA_RPC_METHODS_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct project;
struct rpc_req;
struct rpc_server;
struct sched;

/* What every handler may look at; owned by main. */
struct rpc_daemon {
	struct ev_loop	*loop;
	struct sched	*sched;
	struct project	**projects;
	size_t		 nprojects;
	struct rpc_server *server;
	int64_t		 started;	/* seconds since the epoch */
};

void	rpc_methods_register(struct rpc_server *s, struct rpc_daemon *d);

void	rpc_status(struct rpc_req *req, void *arg);
void	rpc_health(struct rpc_req *req, void *arg);
void	rpc_wait(struct rpc_req *req, void *arg);

#endif
