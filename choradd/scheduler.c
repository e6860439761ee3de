/*
 * scheduler — see scheduler.h.
 *
 * Change sequence numbers make waiting exact: every touch of a root takes
 * the next number; a pass records the root's latest number when it plans
 * and, when it ends, declares everything up to it done.  A waiter holds
 * the number current when it asked, and is released when every root has
 * either no newer change or has finished a pass planned after it.
 */
#include "scheduler.h"

#include <ev.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "flush.h"
#include "gen.h"
#include "log.h"
#include "path.h"
#include "pool.h"
#include "proc.h"
#include "project.h"
#include "watch.h"
#include "xmalloc.h"

#define JOB_MAX_TASKS	64
#define COOKIE_FMT	".chora-cookie-%ld-%llu"

struct sproj {
	struct sched	*s;
	struct project	*p;
	struct watch	*w;
	ev_timer	 settle;
	ev_timer	 ttl;
	bool		 ready;
	uint64_t	 touch_seq;
	uint64_t	 plan_seq;
	uint64_t	 done_seq;
};

struct waiter {
	sched_fn	 fn;
	void		*arg;
	uint64_t	 target;
	size_t		 cookies;	/* still unseen */
	char		**names;	/* "<root>/<cookie>" */
	struct waiter	*next;
};

struct observer {
	sched_pass_fn	 fn;
	void		*arg;
};

struct sched {
	struct ev_loop	*loop;
	struct pool	*pool;
	struct flusher	*flusher;
	struct sproj	**v;
	size_t		 n;
	struct sproj	*running;
	bool		 ending;	/* pass_end() done, pass_done() due */
	size_t		 level;
	size_t		 nlevels;
	size_t		 jobs;
	size_t		 ntasks;	/* in this pass */
	struct timespec	 t0;
	uint64_t	 seq;
	uint64_t	 cookie_seq;
	struct waiter	*waiters;
	struct observer	*obs;
	size_t		 nobs;
	bool		 stopping;
	sched_fn	 stop_fn;
	void		*stop_arg;
};

struct sjob {
	struct pool_job	 pj;
	struct sproj	*sp;
	struct gen_task	**tasks;
	size_t		 n;
	bool		 fsync;
	struct flush_item fi;
};

struct cjob {
	struct pool_job	 pj;
	char		*cmd;
	char		*cwd;
	char		*out;
};

static void	dispatch(struct sched *s);
static void	maybe_start(struct sched *s);
static void	check_waiters(struct sched *s);

/* On the worker, after job_run: the flusher syncs and finishes the job. */
static void
job_flush(struct pool_job *pj)
{
	struct sjob *j = (struct sjob *)pj;

	j->fi = (struct flush_item){ j->tasks, j->n, pj, NULL };
	flusher_submit(j->sp->s->flusher, &j->fi);
}

static void
job_run(struct pool_job *pj)
{
	struct sjob *j = (struct sjob *)pj;

	gen_run(j->tasks, j->n);
	if (j->fsync)
		pj->handoff = job_flush;	/* beside the next renders */
	else
		gen_flush(j->tasks, j->n, false);
}

static void
job_done(struct pool_job *pj)
{
	struct sjob *j = (struct sjob *)pj;
	struct sched *s = j->sp->s;
	struct project *j_p = j->sp->p;

	project_apply(j_p, j->tasks, j->n);
	free(j->tasks);
	free(j);
	s->jobs--;
	if (s->jobs == 0)
		dispatch(s);
}

static void
cmd_run(struct pool_job *pj)
{
	struct cjob *j = (struct cjob *)pj;
	struct proc_result r;
	char *cause = NULL, **argv = proc_split(j->cmd, NULL, &cause);

	if (argv == NULL || proc_run(argv, j->cwd, PROC_DEFAULT_TIMEOUT_MS, &r,
	    &cause) == -1) {
		j->out = xprintf("on_change '%s': %s", j->cmd, cause);
		free(cause);
	} else {
		j->out = xprintf("on_change '%s': %s%s%s%s", j->cmd,
		    r.timed_out ? "timed out" : r.status ? "failed" : "ok",
		    r.out[0] || r.err[0] ? "\n" : "", r.out, r.err);
		proc_result_clear(&r);
	}
	proc_argv_free(argv);
}

static void
cmd_done(struct pool_job *pj)
{
	struct cjob *j = (struct cjob *)pj;

	log_info("%s: %s", j->cwd, j->out);
	free(j->cmd);
	free(j->cwd);
	free(j->out);
	free(j);
}

static double
since_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
ttl_fire(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct sproj *sp = t->data;

	(void)loop;
	(void)revents;
	project_recheck(sp->p);
	sp->ready = true;
	maybe_start(sp->s);
}

static void
arm_ttl(struct sproj *sp)
{
	int64_t next = project_next_expiry(sp->p), now;
	struct timespec ts;

	ev_timer_stop(sp->s->loop, &sp->ttl);
	if (next == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	ev_timer_set(&sp->ttl, next > now ? (double)(next - now) / 1e3 + 0.01 :
	    0.01, 0.);
	ev_timer_start(sp->s->loop, &sp->ttl);
}

static void	pass_done(void *arg);

/* The pass's work is done: run on_change, then wait for the store. */
static void
pass_end(struct sched *s)
{
	struct sproj *sp = s->running;
	char **cmds = project_pass_end(sp->p, since_ms(&s->t0));

	for (size_t i = 0; cmds[i] != NULL; i++) {
		struct cjob *j = xcalloc(1, sizeof(*j));
		j->pj.run = cmd_run;
		j->pj.done = cmd_done;
		j->cmd = cmds[i];
		j->cwd = xstrdup(project_path(sp->p));
		pool_submit(s->pool, &j->pj);
	}
	free(cmds);
	/* Whoever waited for this pass may read the store next. */
	s->ending = true;
	project_when_stored(sp->p, pass_done, s);
}

static void
pass_done(void *arg)
{
	struct sched *s = arg;
	struct sproj *sp = s->running;

	/* A big pass leaves freed render and store-queue memory in the
	 * allocator's arenas; give it back so an idle daemon stays small. */
	if (s->ntasks > 1000)
		malloc_trim(0);
	s->ntasks = 0;
	sp->done_seq = sp->plan_seq;
	s->running = NULL;
	s->ending = false;
	arm_ttl(sp);
	check_waiters(s);
	if (s->stopping) {
		if (s->stop_fn != NULL)
			s->stop_fn(s->stop_arg);
		s->stop_fn = NULL;
		return;
	}
	/* Work the pass itself found (an output to restore) needs no
	 * settling; changes from the watcher have their timer running. */
	if (project_pending(sp->p) && !ev_is_active(&sp->settle))
		sp->ready = true;
	for (size_t i = 0; i < s->nobs; i++)
		s->obs[i].fn(s->obs[i].arg, sp->p);
	maybe_start(s);
}

/* Submit the next level with work, or end the pass. */
static void
dispatch(struct sched *s)
{
	struct sproj *sp = s->running;

	while (!s->stopping && s->level < s->nlevels) {
		size_t n, chunk;
		struct gen_task **tasks = project_level_tasks(sp->p, s->level++,
		    &n);
		if (n == 0) {
			free(tasks);
			continue;
		}
		s->ntasks += n;
		/* Small jobs spread work over the workers; big ones batch
		 * the syncs and the store transactions. */
		chunk = n / 4 + 1;
		if (chunk > JOB_MAX_TASKS)
			chunk = JOB_MAX_TASKS;
		for (size_t off = 0; off < n; off += chunk) {
			struct sjob *j = xcalloc(1, sizeof(*j));
			j->pj.run = job_run;
			j->pj.done = job_done;
			j->sp = sp;
			j->n = n - off < chunk ? n - off : chunk;
			j->tasks = xreallocarray(NULL, j->n, sizeof(*j->tasks));
			memcpy(j->tasks, tasks + off, j->n * sizeof(*j->tasks));
			j->fsync = project_fsync(sp->p);
			s->jobs++;
			pool_submit(s->pool, &j->pj);
		}
		free(tasks);
		return;
	}
	pass_end(s);
}

static void
start_pass(struct sched *s, struct sproj *sp)
{
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	s->running = sp;
	sp->ready = false;
	sp->plan_seq = sp->touch_seq;
	s->nlevels = project_plan(sp->p);
	s->level = 0;
	dispatch(s);
}

static void
maybe_start(struct sched *s)
{
	if (s->running != NULL || s->stopping)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct sproj *sp = s->v[i];
		if (!sp->ready)
			continue;
		if (!project_pending(sp->p)) {
			sp->ready = false;
			sp->done_seq = sp->touch_seq;
			check_waiters(s);
			continue;
		}
		start_pass(s, sp);
		return;
	}
}

static void
settle_fire(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct sproj *sp = t->data;

	(void)loop;
	(void)revents;
	sp->ready = true;
	maybe_start(sp->s);
}

static bool
waiter_cookie(struct sched *s, struct sproj *sp, const char *rel)
{
	char *abs = path_join(project_path(sp->p), rel);
	bool hit = false;

	for (struct waiter *w = s->waiters; w != NULL; w = w->next)
		for (size_t i = 0; w->names != NULL && w->names[i] != NULL;
		    i++) {
			if (w->names[i][0] == '\0' || strcmp(w->names[i], abs))
				continue;
			w->names[i][0] = '\0';
			if (--w->cookies == 0)
				w->target = s->seq;
			hit = true;
		}
	free(abs);
	return hit;
}

void
sched_touch(struct sched *s, struct project *p, const char *rel)
{
	struct sproj *sp = NULL;

	for (size_t i = 0; i < s->n && sp == NULL; i++)
		if (s->v[i]->p == p)
			sp = s->v[i];
	if (sp == NULL)
		return;
	sp->touch_seq = ++s->seq;
	if (rel == NULL)
		project_touch_all(p);
	else
		project_touch(p, rel);
	if (rel != NULL && waiter_cookie(s, sp, rel))
		sp->touch_seq = ++s->seq;	/* the cookie is a change */
	ev_timer_stop(s->loop, &sp->settle);
	ev_timer_set(&sp->settle, project_settle_ms(p) / 1e3, 0.);
	ev_timer_start(s->loop, &sp->settle);
}

static void
on_watch(void *arg, const char *rel)
{
	struct sproj *sp = arg;

	sched_touch(sp->s, sp->p, rel);
}

struct sched *
sched_new(struct ev_loop *loop, struct pool *pool)
{
	struct sched *s = xcalloc(1, sizeof(*s));

	s->loop = loop;
	s->pool = pool;
	s->flusher = flusher_new(pool);
	return s;
}

int
sched_add(struct sched *s, struct project *p, bool watch, char **cause)
{
	struct sproj *sp = xcalloc(1, sizeof(*sp));

	sp->s = s;
	sp->p = p;
	if (watch && (sp->w = watch_new(s->loop, project_path(p), true,
	    on_watch, sp, cause)) == NULL) {
		free(sp);
		return -1;
	}
	ev_timer_init(&sp->settle, settle_fire, 0., 0.);
	sp->settle.data = sp;
	ev_timer_init(&sp->ttl, ttl_fire, 0., 0.);
	sp->ttl.data = sp;
	sp->touch_seq = ++s->seq;
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = sp;
	return 0;
}

void
sched_start(struct sched *s)
{
	for (size_t i = 0; i < s->n; i++)
		s->v[i]->ready = true;
	maybe_start(s);
}

bool
sched_idle(const struct sched *s)
{
	if (s->running != NULL || s->jobs > 0)
		return false;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->ready || ev_is_active(&s->v[i]->settle))
			return false;
	return true;
}

bool
sched_busy(const struct sched *s)
{
	return s->running != NULL;
}

void
sched_kick(struct sched *s, struct project *p)
{
	for (size_t i = 0; i < s->n; i++) {
		struct sproj *sp = s->v[i];
		if (sp->p != p)
			continue;
		sp->touch_seq = ++s->seq;
		sp->ready = true;
	}
	maybe_start(s);
}

void
sched_generate(struct sched *s, struct project *p, const char *const *ids,
    size_t n, bool force)
{
	project_force(p, ids, n, force);
	sched_kick(s, p);
}

/* Waiters stop expecting cookies below root (it is no longer watched). */
static void
forget_cookies(struct sched *s, const char *root)
{
	for (struct waiter *w = s->waiters; w != NULL; w = w->next)
		for (size_t i = 0; w->names[i] != NULL; i++) {
			char *dir = path_dirname(w->names[i]);
			if (w->names[i][0] != '\0' && strcmp(dir, root) == 0) {
				unlink(w->names[i]);
				w->names[i][0] = '\0';
				if (--w->cookies == 0)
					w->target = s->seq;
			}
			free(dir);
		}
}

int
sched_remove(struct sched *s, struct project *p)
{
	for (size_t i = 0; i < s->n; i++) {
		struct sproj *sp = s->v[i];
		if (sp->p != p)
			continue;
		if (s->running == sp)
			return -1;
		ev_timer_stop(s->loop, &sp->settle);
		ev_timer_stop(s->loop, &sp->ttl);
		watch_free(sp->w);
		free(sp);
		memmove(s->v + i, s->v + i + 1, (s->n - i - 1) *
		    sizeof(*s->v));
		s->n--;
		forget_cookies(s, project_path(p));
		check_waiters(s);
		return 0;
	}
	return 0;
}

size_t
sched_pass_tasks(const struct sched *s)
{
	return s->running != NULL ? s->ntasks : 0;
}

static bool
waiter_done(const struct sched *s, const struct waiter *w)
{
	if (w->cookies > 0)
		return false;
	for (size_t i = 0; i < s->n; i++) {
		const struct sproj *sp = s->v[i];
		uint64_t need = sp->touch_seq < w->target ? sp->touch_seq :
		    w->target;
		if (sp->done_seq < need)
			return false;
	}
	return true;
}

static void
check_waiters(struct sched *s)
{
	struct waiter **pw = &s->waiters, *w, *ready = NULL;

	while ((w = *pw) != NULL) {
		if (!waiter_done(s, w)) {
			pw = &w->next;
			continue;
		}
		*pw = w->next;
		w->next = ready;
		ready = w;
	}
	while ((w = ready) != NULL) {
		ready = w->next;
		for (size_t i = 0; w->names != NULL && w->names[i] != NULL; i++)
			free(w->names[i]);
		free(w->names);
		w->fn(w->arg);
		free(w);
	}
}

void
sched_wait(struct sched *s, sched_fn fn, void *arg)
{
	struct waiter *w = xcalloc(1, sizeof(*w));

	w->fn = fn;
	w->arg = arg;
	w->target = s->seq;
	w->names = xcalloc(s->n + 1, sizeof(char *));
	/* A cookie in each watched root: when the kernel reports it, every
	 * change made before this call has been reported too. */
	for (size_t i = 0; i < s->n; i++) {
		char *cause = NULL, *name;
		if (s->v[i]->w == NULL)
			continue;
		name = xprintf("%s/" COOKIE_FMT, project_path(s->v[i]->p),
		    (long)getpid(), (unsigned long long)++s->cookie_seq);
		if (fileio_write_atomic(name, "", 0, false, 0600, &cause) ==
		    -1) {
			log_warnx("%s", cause);
			free(cause);
			free(name);
			continue;
		}
		w->names[w->cookies++] = name;
	}
	w->next = s->waiters;
	s->waiters = w;
	check_waiters(s);
}

void
sched_observe(struct sched *s, sched_pass_fn fn, void *arg)
{
	s->obs = xreallocarray(s->obs, s->nobs + 1, sizeof(*s->obs));
	s->obs[s->nobs].fn = fn;
	s->obs[s->nobs++].arg = arg;
}

void
sched_stop(struct sched *s, sched_fn fn, void *arg)
{
	struct pool_job *j, *next;

	s->stopping = true;
	s->stop_fn = NULL;
	for (size_t i = 0; i < s->n; i++) {
		ev_timer_stop(s->loop, &s->v[i]->settle);
		ev_timer_stop(s->loop, &s->v[i]->ttl);
	}
	/* Jobs no worker has started are dropped with their temp files;
	 * the outputs in hand finish and are recorded. */
	for (j = pool_cancel(s->pool); j != NULL; j = next) {
		next = j->next;
		if (j->run == job_run) {
			struct sjob *sj = (struct sjob *)j;
			for (size_t i = 0; i < sj->n; i++)
				gen_task_free(sj->tasks[i]);
			free(sj->tasks);
			free(sj);
			s->jobs--;
		} else
			cmd_done(j);
	}
	s->stop_fn = fn;
	s->stop_arg = arg;
	if (s->jobs > 0 || s->ending)
		return;		/* the pass ends by itself, then calls fn */
	if (s->running != NULL)
		pass_end(s);
	else {
		s->stop_fn = NULL;
		fn(arg);
	}
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		ev_timer_stop(s->loop, &s->v[i]->settle);
		ev_timer_stop(s->loop, &s->v[i]->ttl);
		watch_free(s->v[i]->w);
		free(s->v[i]);
	}
	while (s->waiters != NULL) {
		struct waiter *w = s->waiters;
		s->waiters = w->next;
		for (size_t i = 0; w->names[i] != NULL; i++) {
			unlink(w->names[i]);
			free(w->names[i]);
		}
		free(w->names);
		free(w);
	}
	flusher_free(s->flusher);
	free(s->v);
	free(s->obs);
	free(s);
}

size_t
sched_watched_dirs(const struct sched *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->w != NULL)
			n += watch_count(s->v[i]->w);
	return n;
}

bool
sched_watch_alive(const struct sched *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->w != NULL && !watch_alive(s->v[i]->w))
			return false;
	return true;
}

size_t
sched_project_dirs(const struct sched *s, const struct project *p)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->p == p && s->v[i]->w != NULL)
			return watch_count(s->v[i]->w);
	return 0;
}

struct project *
sched_running(const struct sched *s)
{
	return s->running != NULL ? s->running->p : NULL;
}
