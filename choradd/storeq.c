/*
 * storeq — see storeq.h.  A write is an arena holding a copy of its
 * record; the thread takes every write queued (up to a batch), applies
 * them inside one transaction without a savepoint each, and frees them.
 * If any of them fails, that transaction is rolled back whole and the
 * batch is written again one write at a time, so each is kept or fails
 * alone.  Errors are logged with the record's id: the daemon keeps
 * running on what it knows, and the next generation of that output
 * records it again.
 */
#include "storeq.h"

#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"
#include "xmalloc.h"

enum wkind { W_GENERATION, W_DEPS, W_CONTENT, W_EVENT, W_CONFIG, W_CALL };

struct write {
	enum wkind		 kind;
	struct arena		*a;
	struct store_generation	 g;	/* W_GENERATION, W_DEPS (deps) */
	struct store_content	 c;	/* W_CONTENT */
	struct store_event	 ev;	/* W_EVENT */
	struct store_config	 cf;	/* W_CONFIG */
	storeq_call_fn		 fn;	/* W_CALL */
	void			*arg;
	struct write		*next;
};

struct waiter {
	storeq_fn	 fn;
	void		*arg;
	struct waiter	*next;
};

struct storeq {
	struct store	*s;
	struct ev_loop	*loop;
	ev_async	 idle_w;
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct write	*head, **tail;
	size_t		 busy;		/* writes taken, not yet committed */
	bool		 stop;
	struct waiter	*waiters;	/* loop thread only */
};

static const char *
copy_str(struct arena *a, const char *s)
{
	return s != NULL ? arena_strdup(a, s) : NULL;
}

static void
copy_content(struct arena *a, struct store_content *d,
    const struct store_content *c)
{
	*d = *c;
	d->workspace = copy_str(a, c->workspace);
	d->id = copy_str(a, c->id);
	d->config_id = copy_str(a, c->config_id);
	d->config_version = copy_str(a, c->config_version);
	d->config_hash = copy_str(a, c->config_hash);
	d->context = copy_str(a, c->context);
	d->output_path = copy_str(a, c->output_path);
	d->blob = NULL;
	if (c->text != NULL)
		d->text = arena_memdup(a, c->text, c->len);
}

static const struct store_dep *
copy_deps(struct arena *a, const struct store_dep *deps, size_t n)
{
	struct store_dep *v = arena_alloc(a, (n + 1) * sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		v[i].kind = deps[i].kind;
		v[i].id = copy_str(a, deps[i].id);
		v[i].path = copy_str(a, deps[i].path);
		v[i].hash = copy_str(a, deps[i].hash);
	}
	return v;
}

static void
push(struct storeq *q, struct write *w)
{
	pthread_mutex_lock(&q->mu);
	*q->tail = w;
	q->tail = &w->next;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

static struct write *
new_write(enum wkind kind)
{
	struct write *w = xcalloc(1, sizeof(*w));

	w->kind = kind;
	w->a = arena_new();
	return w;
}

void
storeq_generation(struct storeq *q, const struct store_generation *g)
{
	struct write *w = new_write(W_GENERATION);

	w->g = *g;
	copy_content(w->a, &w->g.content, &g->content);
	w->g.deps = copy_deps(w->a, g->deps, g->ndeps);
	w->g.details = copy_str(w->a, g->details);
	push(q, w);
}

void
storeq_deps_set(struct storeq *q, const char *ws, const char *id,
    const struct store_dep *deps, size_t n)
{
	struct write *w = new_write(W_DEPS);

	w->g.content.workspace = copy_str(w->a, ws);
	w->g.content.id = copy_str(w->a, id);
	w->g.deps = copy_deps(w->a, deps, n);
	w->g.ndeps = n;
	push(q, w);
}

void
storeq_content(struct storeq *q, const struct store_content *c)
{
	struct write *w = new_write(W_CONTENT);

	copy_content(w->a, &w->c, c);
	push(q, w);
}

void
storeq_event(struct storeq *q, const struct store_event *ev)
{
	struct write *w = new_write(W_EVENT);

	w->ev = *ev;
	w->ev.workspace = copy_str(w->a, ev->workspace);
	w->ev.subject = copy_str(w->a, ev->subject);
	w->ev.details = copy_str(w->a, ev->details);
	push(q, w);
}

void
storeq_config(struct storeq *q, const struct store_config *c)
{
	struct write *w = new_write(W_CONFIG);

	w->cf = *c;
	w->cf.workspace = copy_str(w->a, c->workspace);
	w->cf.id = copy_str(w->a, c->id);
	w->cf.version = copy_str(w->a, c->version);
	w->cf.type = copy_str(w->a, c->type);
	w->cf.json = copy_str(w->a, c->json);
	push(q, w);
}

void
storeq_call(struct storeq *q, storeq_call_fn fn, void *arg)
{
	struct write *w = new_write(W_CALL);

	w->fn = fn;
	w->arg = arg;
	push(q, w);
}

/* Store calls may return 1 (a config unchanged): only -1 is a failure. */
static int
put(struct store *s, struct write *w, char **cause)
{
	int rc = 0;

	switch (w->kind) {
	case W_GENERATION:
		rc = store_generation_put(s, &w->g, cause);
		break;
	case W_DEPS:
		rc = store_deps_set(s, w->g.content.workspace,
		    STORE_KIND_CONTENT, w->g.content.id, w->g.deps, w->g.ndeps,
		    cause);
		break;
	case W_CONTENT:
		rc = store_content_put(s, &w->c, cause);
		break;
	case W_EVENT:
		rc = store_event_append(s, &w->ev, cause);
		break;
	case W_CONFIG:
		rc = store_config_put(s, &w->cf, cause);
		break;
	case W_CALL:
		w->fn(s, w->arg);
		break;
	}
	return rc == -1 ? -1 : 0;
}

/*
 * The writes of a batch in one transaction without a savepoint each: 0,
 * or -1 when one of them (or the commit) failed and nothing was kept.
 */
static int
put_batch(struct store *s, struct write *batch)
{
	char *cause = NULL;
	int rc = store_begin_batch(s, &cause);

	for (struct write *w = batch; rc == 0 && w != NULL; w = w->next)
		rc = put(s, w, &cause);
	if (rc == 0)
		rc = store_commit(s, &cause);	/* rolls back if it fails */
	else
		store_rollback(s);
	if (rc == -1) {
		log_debug("storeq: batch failed (%s); writing one by one",
		    cause);
		free(cause);
	}
	return rc;
}

/* A write alone, in its own transaction; a failure is logged. */
static void
put_alone(struct store *s, struct write *w)
{
	char *cause = NULL;

	if (put(s, w, &cause) == -1) {
		log_warnx("store: %s", cause);
		free(cause);
	}
}

static void *
writer(void *arg)
{
	struct storeq *q = arg;

	/* Recording can wait; renders and the loop should not (on Linux a
	 * thread's nice value is its own). */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), 5) == -1)
		log_debug("storeq: setpriority: %s", strerror(errno));

	for (;;) {
		struct write *batch, *w, *next;
		size_t n = 0;

		pthread_mutex_lock(&q->mu);
		while (q->head == NULL && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->head == NULL) {
			pthread_mutex_unlock(&q->mu);
			return NULL;
		}
		/* A call runs alone, outside the batch's transaction. */
		batch = q->head;
		for (w = batch; w->kind != W_CALL && w->next != NULL &&
		    w->next->kind != W_CALL && ++n < STOREQ_BATCH;)
			w = w->next;
		q->head = w->next;
		w->next = NULL;
		if (q->head == NULL)
			q->tail = &q->head;
		q->busy++;
		pthread_mutex_unlock(&q->mu);

		if (batch->kind == W_CALL)
			put_alone(q->s, batch);
		/* The rare failure costs a replay; each write is still kept
		 * or reported on its own, as with a savepoint each. */
		else if (put_batch(q->s, batch) == -1)
			for (w = batch; w != NULL; w = w->next)
				put_alone(q->s, w);
		for (w = batch; w != NULL; w = next) {
			next = w->next;
			arena_free(w->a);
			free(w);
		}
		pthread_mutex_lock(&q->mu);
		q->busy--;
		bool idle = q->head == NULL;
		pthread_mutex_unlock(&q->mu);
		if (idle)
			ev_async_send(q->loop, &q->idle_w);
	}
}

static void
on_idle(struct ev_loop *loop, ev_async *a, int revents)
{
	struct storeq *q = a->data;
	struct waiter *w;

	(void)loop;
	(void)revents;
	if (!storeq_idle(q))
		return;
	w = q->waiters;
	q->waiters = NULL;
	while (w != NULL) {
		struct waiter *next = w->next;
		ev_unref(q->loop);
		w->fn(w->arg);
		free(w);
		w = next;
	}
}

struct storeq *
storeq_new(struct store *s, struct ev_loop *loop)
{
	struct storeq *q = xcalloc(1, sizeof(*q));
	int rc;

	q->s = s;
	q->loop = loop;
	q->tail = &q->head;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	ev_async_init(&q->idle_w, on_idle);
	q->idle_w.data = q;
	ev_async_start(loop, &q->idle_w);
	ev_unref(loop);
	if ((rc = pthread_create(&q->thread, NULL, writer, q)) != 0)
		fatalx("pthread_create: error %d", rc);
	return q;
}

bool
storeq_idle(const struct storeq *q)
{
	bool idle;

	pthread_mutex_lock((pthread_mutex_t *)&q->mu);
	idle = q->head == NULL && q->busy == 0;
	pthread_mutex_unlock((pthread_mutex_t *)&q->mu);
	return idle;
}

void
storeq_when_idle(struct storeq *q, storeq_fn fn, void *arg)
{
	struct waiter *w;

	if (storeq_idle(q)) {
		fn(arg);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->fn = fn;
	w->arg = arg;
	w->next = q->waiters;
	q->waiters = w;
	ev_ref(q->loop);	/* a waiter keeps the loop running (--once) */
	/* The writer may have gone idle between the test and now. */
	ev_async_send(q->loop, &q->idle_w);
}

void
storeq_free(struct storeq *q)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);	/* it drains the queue first */
	ev_ref(q->loop);
	ev_async_stop(q->loop, &q->idle_w);
	while (q->waiters != NULL) {
		struct waiter *w = q->waiters;
		q->waiters = w->next;
		ev_unref(q->loop);
		free(w);
	}
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
}
