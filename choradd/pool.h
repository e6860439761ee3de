/*
 * pool — worker threads for the event loop.
 *
 * Jobs are queued by the loop thread, run on a worker (job->run), and
 * handed back to the loop thread (job->done) through an ev_async, so the
 * loop never waits for a render, a write or a command.  A job embeds a
 * struct pool_job and is owned by its submitter throughout.
 */
#ifndef CHORA_POOL_H
#define CHORA_POOL_H

#include <stddef.h>

struct ev_loop;
struct pool;

struct pool_job {
	void		(*run)(struct pool_job *);	/* on a worker */
	void		(*done)(struct pool_job *);	/* on the loop */
	struct pool_job	*next;
};

/* nthreads 0: the number of online CPUs. */
struct pool	*pool_new(struct ev_loop *loop, unsigned nthreads);
/* Stop the workers after the jobs they are running; queued jobs are
 * neither run nor done. */
void		 pool_free(struct pool *p);
void		 pool_submit(struct pool *p, struct pool_job *j);
/* Jobs submitted whose done has not run yet. */
size_t		 pool_pending(const struct pool *p);
/* Take back queued jobs that no worker has started; returns them. */
struct pool_job	*pool_cancel(struct pool *p);

#endif
