/*
 * rpc_bg — background threads for request handlers.
 *
 * Work too long for the loop thread and unfit for the render pool (a
 * whole --check pass of a private copy of a root, an output rewritten by
 * a rollback) runs on a thread of its own, at most RPC_BG_MAX at once,
 * the rest queued in order; its done callback then runs on the loop,
 * where it may answer requests.  A job embeds a struct rpc_bg_job and is
 * owned by its submitter throughout (done usually frees it).
 *
 * When the daemon stops, rpc_bg_free() tells running jobs to hurry
 * (rpc_bg_stopping), waits for them, and calls done for every job,
 * queued ones with ran false.
 */
#ifndef CHORA_RPC_BG_H
#define CHORA_RPC_BG_H

#include <pthread.h>
#include <stdbool.h>

/* Threads running at once; one more job waits for a free one. */
#define RPC_BG_MAX	4

struct ev_loop;
struct rpc_bg;

struct rpc_bg_job {
	void		(*run)(struct rpc_bg_job *);	/* on its thread */
	void		(*done)(struct rpc_bg_job *);	/* on the loop */
	bool		 ran;		/* run was called */
	/* the queue's */
	struct rpc_bg	*bg;
	pthread_t	 thread;
	struct rpc_bg_job *next;
};

struct rpc_bg	*rpc_bg_new(struct ev_loop *loop);
void		 rpc_bg_free(struct rpc_bg *b);
void		 rpc_bg_submit(struct rpc_bg *b, struct rpc_bg_job *j);
/* Should a running job give up early (the daemon is stopping)? */
bool		 rpc_bg_stopping(const struct rpc_bg_job *j);

#endif
