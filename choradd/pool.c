/*
 * pool — see pool.h.  One mutex guards both queues; workers sleep on a
 * condition variable; finished jobs wake the loop through an ev_async.
 */
#include "pool.h"

#include <ev.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

struct pool {
	struct ev_loop	*loop;
	ev_async	 wake;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_t	*threads;
	unsigned	 nthreads;
	bool		 stop;
	struct pool_job	*todo, **todo_tail;
	struct pool_job	*done, **done_tail;
	size_t		 pending;
};

static void *
pool_worker(void *arg)
{
	struct pool *p = arg;
	struct pool_job *j;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->todo == NULL)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		j = p->todo;
		if ((p->todo = j->next) == NULL)
			p->todo_tail = &p->todo;
		pthread_mutex_unlock(&p->mu);
		j->run(j);
		pthread_mutex_lock(&p->mu);
		j->next = NULL;
		*p->done_tail = j;
		p->done_tail = &j->next;
		pthread_mutex_unlock(&p->mu);
		ev_async_send(p->loop, &p->wake);
	}
}

static void
pool_wake(struct ev_loop *loop, ev_async *w, int revents)
{
	struct pool *p = w->data;
	struct pool_job *j, *next;

	(void)loop;
	(void)revents;
	pthread_mutex_lock(&p->mu);
	j = p->done;
	p->done = NULL;
	p->done_tail = &p->done;
	pthread_mutex_unlock(&p->mu);
	for (; j != NULL; j = next) {
		next = j->next;
		if (--p->pending == 0)
			ev_unref(p->loop);
		j->done(j);
	}
}

struct pool *
pool_new(struct ev_loop *loop, unsigned nthreads)
{
	struct pool *p = xcalloc(1, sizeof(*p));
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (nthreads == 0)
		nthreads = ncpu > 0 ? (unsigned)ncpu : 2;
	p->loop = loop;
	p->todo_tail = &p->todo;
	p->done_tail = &p->done;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	ev_async_init(&p->wake, pool_wake);
	p->wake.data = p;
	ev_async_start(loop, &p->wake);
	ev_unref(loop);		/* an idle pool keeps no loop alive */
	p->threads = xcalloc(nthreads, sizeof(pthread_t));
	for (unsigned i = 0; i < nthreads; i++) {
		int rc = pthread_create(&p->threads[i], NULL, pool_worker, p);
		if (rc != 0)
			fatalx("pthread_create: error %d", rc);
	}
	p->nthreads = nthreads;
	return p;
}

void
pool_free(struct pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	if (p->pending == 0)
		ev_ref(p->loop);
	ev_async_stop(p->loop, &p->wake);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->threads);
	free(p);
}

void
pool_submit(struct pool *p, struct pool_job *j)
{
	j->next = NULL;
	pthread_mutex_lock(&p->mu);
	*p->todo_tail = j;
	p->todo_tail = &j->next;
	/* Work in flight keeps the loop running (--once has nothing else). */
	if (p->pending++ == 0)
		ev_ref(p->loop);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

size_t
pool_pending(const struct pool *p)
{
	return p->pending;
}

struct pool_job *
pool_cancel(struct pool *p)
{
	struct pool_job *j;

	pthread_mutex_lock(&p->mu);
	j = p->todo;
	p->todo = NULL;
	p->todo_tail = &p->todo;
	for (struct pool_job *k = j; k != NULL; k = k->next)
		if (--p->pending == 0)
			ev_unref(p->loop);
	pthread_mutex_unlock(&p->mu);
	return j;
}
