/*
 * flush — see flush.h.  A mutex and a condition variable guard the queue;
 * the thread takes the whole queue at once, so one sync covers every job
 * written while the previous sync ran.
 */
#include "flush.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "gen.h"
#include "log.h"
#include "pool.h"
#include "xmalloc.h"

struct flusher {
	struct pool		*pool;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct flush_item	*head, **tail;
	bool			 stop;
};

/* Sync, rename and finish a list of items as one batch. */
static void
flush_items(struct flusher *f, struct flush_item *list)
{
	struct gen_task **all = NULL;
	size_t n = 0, cap = 0;
	struct flush_item *it, *next;

	for (it = list; it != NULL; it = it->next) {
		if (n + it->n > cap) {
			cap = (n + it->n) * 2;
			all = xreallocarray(all, cap, sizeof(*all));
		}
		for (size_t i = 0; i < it->n; i++)
			all[n++] = it->tasks[i];
	}
	gen_flush(all, n, true);
	free(all);
	for (it = list; it != NULL; it = next) {
		next = it->next;
		pool_finish(f->pool, it->job);
	}
}

static void *
flusher_main(void *arg)
{
	struct flusher *f = arg;
	struct flush_item *list;

	for (;;) {
		pthread_mutex_lock(&f->mu);
		while (f->head == NULL && !f->stop)
			pthread_cond_wait(&f->cv, &f->mu);
		list = f->head;
		f->head = NULL;
		f->tail = &f->head;
		pthread_mutex_unlock(&f->mu);
		if (list == NULL)
			return NULL;	/* stopping, nothing left */
		flush_items(f, list);
	}
}

struct flusher *
flusher_new(struct pool *pool)
{
	struct flusher *f = xcalloc(1, sizeof(*f));
	int rc;

	f->pool = pool;
	f->tail = &f->head;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if ((rc = pthread_create(&f->thread, NULL, flusher_main, f)) != 0)
		fatalx("pthread_create: error %d", rc);
	return f;
}

void
flusher_free(struct flusher *f)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->mu);
	f->stop = true;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->thread, NULL);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

void
flusher_submit(struct flusher *f, struct flush_item *it)
{
	it->next = NULL;
	pthread_mutex_lock(&f->mu);
	*f->tail = it;
	f->tail = &it->next;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
}
