/*
 * rpc_feed — see rpc_feed.h.
 *
 * A collector, like rpc_wait's waiter, lives until the scheduler's
 * callback (which always comes); a client going away first only clears
 * its request.  Subscribers are unlinked by their cancel callback.
 */
#include "rpc_feed.h"

#include <sys/queue.h>

#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_methods.h"
#include "scheduler.h"
#include "store.h"
#include "xmalloc.h"

/* Progress notifications at most this often (seconds). */
#define FEED_PROGRESS_EVERY	0.1

struct sub {
	struct rpc_feed	*f;
	struct rpc_req	*req;
	unsigned	 types;		/* 1 << index in feed_types */
	uint64_t	 events;
	TAILQ_ENTRY(sub) entry;
};

struct rec {
	enum project_report_kind kind;
	const char	*ws;
	const char	*id;
	const char	*output;
	const char	*hash;
	const char	*error;
	bool		 drifted;
};

struct collect {
	struct rpc_feed	*f;
	struct rpc_req	*req;		/* NULL once the client went */
	char		*root;
	bool		 progress;
	int64_t		 affected;
	struct arena	*a;
	struct rec	*v;
	size_t		 n, cap;
	uint64_t	 done;
	ev_tstamp	 last;
	TAILQ_ENTRY(collect) entry;
};

struct rpc_feed {
	struct rpc_daemon *d;
	TAILQ_HEAD(, sub) subs;
	TAILQ_HEAD(, collect) collects;
};

/* A subscriber's bit for an event type: its place among the types
 * subscribe's "types" may choose (methods.def declares them). */
static unsigned
type_bit(const char *type)
{
	int i = proto_choice_index(proto_param_choices(PROTO_M_SUBSCRIBE,
	    PROTO_F_TYPES), type, strlen(type));

	return i >= 0 && i < 32 ? 1u << i : 0;
}

struct rpc_feed *
rpc_feed_new(struct rpc_daemon *d)
{
	struct rpc_feed *f = xcalloc(1, sizeof(*f));

	f->d = d;
	TAILQ_INIT(&f->subs);
	TAILQ_INIT(&f->collects);
	return f;
}

/* ---- subscribers -------------------------------------------------------- */

static void
sub_cancel(struct rpc_req *req, void *arg)
{
	struct sub *s = arg;

	(void)req;
	TAILQ_REMOVE(&s->f->subs, s, entry);
	free(s);
}

void
rpc_feed_subscribe(struct rpc_feed *f, struct rpc_req *req)
{
	struct sub *s = xcalloc(1, sizeof(*s));
	size_t n;
	const char **types = proto_get_strs(rpc_req_params(req),
	    PROTO_F_TYPES, rpc_req_arena(req), &n);

	s->f = f;
	s->req = req;
	for (size_t i = 0; i < n; i++)
		s->types |= type_bit(types[i]);
	if (n == 0)
		s->types = ~0u;
	TAILQ_INSERT_TAIL(&f->subs, s, entry);
	rpc_req_park(req, sub_cancel, s);
}

/* The event map, without its failure fields. */
static void
event_open(struct proto_enc *e, const struct rpc_event *ev)
{
	char when[32];

	rpc_fmt_time(store_now(), when);
	proto_enc_map(e);
	proto_enc_kv_str_opt(e, PROTO_F_TYPE, ev->type);
	proto_enc_kv_str_opt(e, PROTO_F_TIME, when);
	proto_enc_kv_str_opt(e, PROTO_F_ROOT, ev->root);
	proto_enc_kv_str_opt(e, PROTO_F_WORKSPACE, ev->workspace);
	proto_enc_kv_str_opt(e, PROTO_F_ID, ev->id);
	proto_enc_kv_str_opt(e, PROTO_F_PATH, ev->path);
	proto_enc_kv_str_opt(e, PROTO_F_HASH, ev->hash);
	proto_enc_kv_str_opt(e, PROTO_F_VERSION, ev->version);
	proto_enc_kv_str_opt(e, PROTO_F_ENV, ev->env);
	proto_enc_kv_str_opt(e, PROTO_F_STATUS, ev->status);
	if (ev->uid >= 0)
		proto_enc_kv_uint(e, PROTO_F_UID, (uint64_t)ev->uid);
}

/* Send the encoded event to every subscriber wanting type. */
static void
event_send(struct rpc_feed *f, const char *type, const struct proto_enc *e)
{
	unsigned bit = type_bit(type);
	struct sub *s;

	/* rpc_notify never cancels inline: a dead connection is reaped
	 * later, off this walk. */
	TAILQ_FOREACH(s, &f->subs, entry) {
		if (!(s->types & bit))
			continue;
		if (rpc_notify(s->req, PROTO_N_EVENT, e) == 0)
			s->events++;
	}
}

void
rpc_feed_event(struct rpc_feed *f, const struct rpc_event *ev)
{
	struct proto_enc e;

	if (TAILQ_EMPTY(&f->subs))
		return;
	proto_enc_init(&e);
	event_open(&e, ev);
	proto_enc_end(&e);
	event_send(f, ev->type, &e);
	proto_enc_free(&e);
}

/* One event of type about the output r reports. */
static void
report_send(struct rpc_feed *f, struct project *p,
    const struct project_report *r, const char *type)
{
	struct rpc_event ev = {
		.type = type, .root = project_path(p),
		.workspace = r->workspace, .id = r->id, .path = r->output,
		.uid = -1,
		.hash = r->kind == PROJECT_GENERATED ? r->hash : NULL,
	};
	struct proto_enc e;

	proto_enc_init(&e);
	event_open(&e, &ev);
	if (r->kind == PROJECT_FAILED)
		rpc_fmt_error_fields(&e, r->error);
	proto_enc_end(&e);
	event_send(f, type, &e);
	proto_enc_free(&e);
}

static void
report_event(struct rpc_feed *f, struct project *p,
    const struct project_report *r)
{
	static const char *const names[] = {
		[PROJECT_GENERATED] = "generated", [PROJECT_FAILED] = "failed",
		[PROJECT_DRIFT] = "drift",
	};

	if (TAILQ_EMPTY(&f->subs))
		return;
	if ((size_t)r->kind < sizeof(names) / sizeof(names[0]) &&
	    names[r->kind] != NULL)
		report_send(f, p, r, names[r->kind]);
	/* Rewritten or not, its failure is over: an error list clears. */
	if (r->recovered)
		report_send(f, p, r, "recovered");
}

/* ---- collectors --------------------------------------------------------- */

static const char *
copy(struct arena *a, const char *s)
{
	return s != NULL ? arena_strdup(a, s) : NULL;
}

static void
collect_progress(struct collect *c, const char *id)
{
	struct rpc_daemon *d = c->f->d;
	size_t tasks = sched_pass_tasks(d->sched);
	ev_tstamp now = ev_now(d->loop);
	struct proto_enc e;

	c->done++;
	if (!c->progress || (c->done > 1 && now - c->last <
	    FEED_PROGRESS_EVERY))
		return;
	c->last = now;
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_uint(&e, PROTO_F_DONE, c->done);
	proto_enc_kv_uint(&e, PROTO_F_TOTAL, tasks > c->done ? tasks :
	    c->done);
	proto_enc_kv_str(&e, PROTO_F_ID, id);
	proto_enc_end(&e);
	(void)rpc_notify(c->req, PROTO_N_PROGRESS, &e);
	proto_enc_free(&e);
}

static void
collect_report(struct collect *c, const struct project_report *r)
{
	struct rec *x;

	if (r->kind != PROJECT_GENERATED && r->kind != PROJECT_UNCHANGED &&
	    r->kind != PROJECT_FAILED)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	x = &c->v[c->n++];
	x->kind = r->kind;
	x->ws = copy(c->a, r->workspace);
	x->id = copy(c->a, r->id);
	x->output = copy(c->a, r->output);
	x->hash = copy(c->a, r->hash);
	x->error = copy(c->a, r->error);
	x->drifted = r->drifted;
	collect_progress(c, r->id);
}

void
rpc_feed_report(void *arg, struct project *p, const struct project_report *r)
{
	struct rpc_feed *f = arg;
	struct collect *c;

	report_event(f, p, r);
	TAILQ_FOREACH(c, &f->collects, entry)
		if (c->req != NULL && strcmp(c->root, project_path(p)) == 0)
			collect_report(c, r);
}

static void
enc_generated(struct proto_enc *e, const struct collect *c,
    uint64_t *unchanged)
{
	proto_enc_key(e, PROTO_F_GENERATED);
	proto_enc_array(e);
	for (size_t i = 0; i < c->n; i++) {
		const struct rec *x = &c->v[i];
		*unchanged += x->kind == PROJECT_UNCHANGED;
		if (x->kind == PROJECT_GENERATED)
			rpc_fmt_output(e, x->id, x->ws, x->output, x->hash,
			    "written", x->drifted);
	}
	proto_enc_end(e);
}

/* Failures seen, then those the project still has (configs, data). */
static void
enc_failed(struct proto_enc *e, const struct collect *c, struct project *p)
{
	struct project_problem *pr = NULL;
	size_t npr = 0;

	proto_enc_key(e, PROTO_F_FAILED);
	proto_enc_array(e);
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == PROJECT_FAILED)
			rpc_fmt_failure(e, c->v[i].id, c->v[i].ws,
			    c->v[i].error);
	if (p != NULL)
		pr = project_problems(p, &npr);
	for (size_t k = 0; k < npr; k++) {
		bool seen = false;
		if (strcmp(pr[k].what, "failed") != 0 &&
		    strcmp(pr[k].what, "config") != 0)
			continue;
		for (size_t i = 0; i < c->n && !seen; i++)
			seen = c->v[i].kind == PROJECT_FAILED &&
			    strcmp(c->v[i].id, pr[k].id) == 0;
		if (!seen)
			rpc_fmt_failure(e, pr[k].id, NULL, pr[k].message);
	}
	project_problems_free(pr, npr);
	proto_enc_end(e);
}

static void
collect_answer(struct collect *c)
{
	struct project *p = rpc_root_find(c->f->d, c->root);
	uint64_t unchanged = 0;
	struct proto_enc e;

	proto_enc_init(&e);
	proto_enc_map(&e);
	if (c->affected >= 0)
		proto_enc_kv_uint(&e, PROTO_F_AFFECTED,
		    (uint64_t)c->affected);
	enc_generated(&e, c, &unchanged);
	proto_enc_kv_uint(&e, PROTO_F_UNCHANGED, unchanged);
	enc_failed(&e, c, p);
	proto_enc_end(&e);
	rpc_reply(c->req, &e);
	proto_enc_free(&e);
	c->req = NULL;
}

static void
collect_free(struct collect *c)
{
	arena_free(c->a);
	free(c->v);
	free(c->root);
	free(c);
}

static void
collect_done(void *arg)
{
	struct collect *c = arg;

	if (c->req != NULL)
		collect_answer(c);
	TAILQ_REMOVE(&c->f->collects, c, entry);
	collect_free(c);
}

static void
collect_cancel(struct rpc_req *req, void *arg)
{
	struct collect *c = arg;

	(void)req;
	c->req = NULL;
}

void
rpc_feed_collect(struct rpc_feed *f, struct rpc_req *req, const char *root,
    bool progress, int64_t affected)
{
	struct collect *c = xcalloc(1, sizeof(*c));

	c->f = f;
	c->req = req;
	c->root = xstrdup(root);
	c->progress = progress;
	c->affected = affected;
	c->a = arena_new();
	TAILQ_INSERT_TAIL(&f->collects, c, entry);
	rpc_req_park(req, collect_cancel, c);
	sched_wait(f->d->sched, collect_done, c);
}

void
rpc_feed_free(struct rpc_feed *f)
{
	struct sub *s;
	struct collect *c;
	struct proto_enc e;

	if (f == NULL)
		return;
	while ((s = TAILQ_FIRST(&f->subs)) != NULL) {
		TAILQ_REMOVE(&f->subs, s, entry);
		proto_enc_init(&e);
		proto_enc_map(&e);
		proto_enc_kv_uint(&e, PROTO_F_EVENTS, s->events);
		proto_enc_kv_str(&e, PROTO_F_REASON, "the daemon is stopping");
		proto_enc_end(&e);
		rpc_reply(s->req, &e);
		proto_enc_free(&e);
		free(s);
	}
	/* The scheduler never calls its waiters back once the daemon
	 * stops (sched_free drops them): collectors end here. */
	while ((c = TAILQ_FIRST(&f->collects)) != NULL) {
		TAILQ_REMOVE(&f->collects, c, entry);
		if (c->req != NULL)
			rpc_reply_error(c->req, PROTO_E_CANCELLED, "the daemon "
			    "is stopping", NULL, 0);
		collect_free(c);
	}
	free(f);
}
