/*
 * rpc_bg — see rpc_bg.h.  One mutex guards the queue and the finished
 * list; a finished thread is joined on the loop before its done runs, so
 * no thread outlives rpc_bg_free().
 */
#include "rpc_bg.h"

#include <ev.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

struct rpc_bg {
	struct ev_loop	*loop;
	ev_async	 wake;
	pthread_mutex_t	 mu;
	struct rpc_bg_job *queue, **tail;	/* not started */
	struct rpc_bg_job *finished;
	unsigned	 running;
	unsigned	 pending;	/* submitted, done not yet called */
	atomic_bool	 stop;
};

static void *
bg_thread(void *arg)
{
	struct rpc_bg_job *j = arg;
	struct rpc_bg *b = j->bg;

	j->run(j);
	pthread_mutex_lock(&b->mu);
	j->next = b->finished;
	b->finished = j;
	pthread_mutex_unlock(&b->mu);
	ev_async_send(b->loop, &b->wake);
	return NULL;
}

/* Start queued jobs while threads are free (mutex held). */
static void
bg_start(struct rpc_bg *b)
{
	struct rpc_bg_job *j;
	int rc;

	while (b->running < RPC_BG_MAX && (j = b->queue) != NULL) {
		if ((b->queue = j->next) == NULL)
			b->tail = &b->queue;
		j->ran = true;
		if ((rc = pthread_create(&j->thread, NULL, bg_thread, j)) != 0)
			fatalx("pthread_create: %s", strerror(rc));
		b->running++;
	}
}

/* Join finished threads and call their done (loop thread). */
static void
bg_reap(struct rpc_bg *b)
{
	struct rpc_bg_job *j, *next;

	pthread_mutex_lock(&b->mu);
	j = b->finished;
	b->finished = NULL;
	for (struct rpc_bg_job *k = j; k != NULL; k = k->next)
		b->running--;
	bg_start(b);
	pthread_mutex_unlock(&b->mu);
	for (; j != NULL; j = next) {
		next = j->next;
		pthread_join(j->thread, NULL);
		b->pending--;
		ev_unref(b->loop);
		j->done(j);
	}
}

static void
bg_wake(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)revents;
	bg_reap(w->data);
}

struct rpc_bg *
rpc_bg_new(struct ev_loop *loop)
{
	struct rpc_bg *b = xcalloc(1, sizeof(*b));

	b->loop = loop;
	b->tail = &b->queue;
	pthread_mutex_init(&b->mu, NULL);
	ev_async_init(&b->wake, bg_wake);
	b->wake.data = b;
	ev_async_start(loop, &b->wake);
	ev_unref(loop);		/* only pending jobs keep the loop alive */
	return b;
}

void
rpc_bg_submit(struct rpc_bg *b, struct rpc_bg_job *j)
{
	j->bg = b;
	j->ran = false;
	j->next = NULL;
	b->pending++;
	ev_ref(b->loop);
	pthread_mutex_lock(&b->mu);
	*b->tail = j;
	b->tail = &j->next;
	bg_start(b);
	pthread_mutex_unlock(&b->mu);
}

bool
rpc_bg_stopping(const struct rpc_bg_job *j)
{
	return atomic_load(&j->bg->stop);
}

void
rpc_bg_free(struct rpc_bg *b)
{
	struct rpc_bg_job *j, *next;

	if (b == NULL)
		return;
	atomic_store(&b->stop, true);
	pthread_mutex_lock(&b->mu);
	j = b->queue;
	b->queue = NULL;
	b->tail = &b->queue;
	pthread_mutex_unlock(&b->mu);
	for (; j != NULL; j = next) {
		next = j->next;
		b->pending--;
		ev_unref(b->loop);
		j->done(j);
	}
	while (b->running > 0) {
		pthread_mutex_lock(&b->mu);
		bool any = b->finished != NULL;
		pthread_mutex_unlock(&b->mu);
		if (any)
			bg_reap(b);
		else
			ev_sleep(0.005);
	}
	ev_ref(b->loop);
	ev_async_stop(b->loop, &b->wake);
	pthread_mutex_destroy(&b->mu);
	free(b);
}
