/*
 * scheduler — when to generate: coalescing, passes, and who waits for them.
 *
 * Each project root is watched; every change restarts that root's settle
 * timer, and only when settle_ms pass without one does a pass begin, so
 * a checkout touching 10,000 files is one pass.  A pass runs the
 * project's plan level by level (artifacts after their parts), each
 * level's tasks split into jobs for the worker pool; finished jobs are
 * applied on the loop thread as they come back.  The loop thread itself
 * never renders, writes or waits, so status requests are answered while
 * a pass runs.  One pass runs at a time; changes that arrive meanwhile
 * make the next one.
 *
 * Others follow passes through observers (pass ends: status, events for
 * subscribers, READY=1) and waiters: sched_wait() calls back once every
 * change made before it — including ones the kernel has not reported yet,
 * found out through a cookie file written into each root — has been
 * processed; a generate or notify request parks on it.
 *
 * Ownership: the scheduler borrows the projects (sched_free() leaves them)
 * and owns their watchers and timers.
 */
#ifndef CHORA_SCHEDULER_H
#define CHORA_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>

struct ev_loop;
struct pool;
struct project;
struct sched;

typedef void	(*sched_fn)(void *arg);
/* A pass over p ended. */
typedef void	(*sched_pass_fn)(void *arg, struct project *p);

struct sched	*sched_new(struct ev_loop *loop, struct pool *pool);
void		 sched_free(struct sched *s);
/*
 * Serve p: watch its root (when watch) and plan its first pass, which
 * starts with sched_start().  NULL cause on success.
 */
int		 sched_add(struct sched *s, struct project *p, bool watch,
		    char **cause);
void		 sched_start(struct sched *s);
/* No pass running and none pending. */
bool		 sched_idle(const struct sched *s);
/* A path (relative) of p changed, or (NULL) everything may have. */
void		 sched_touch(struct sched *s, struct project *p,
		    const char *rel);
/* Generate ids (NULL: everything stale) of p now, without settling. */
void		 sched_generate(struct sched *s, struct project *p,
		    const char *const *ids, size_t n, bool force);
/* p has work marked (project_request): start a pass, no settling. */
void		 sched_kick(struct sched *s, struct project *p);
/*
 * Stop serving p (not while a pass runs over it: -1): its watcher and
 * timers go, waiters stop expecting its cookie.  p stays the caller's.
 */
int		 sched_remove(struct sched *s, struct project *p);
/* Outputs handed to workers in the running pass so far (0: none). */
size_t		 sched_pass_tasks(const struct sched *s);
/* Call fn(arg) once all changes made before now are processed. */
void		 sched_wait(struct sched *s, sched_fn fn, void *arg);
void		 sched_observe(struct sched *s, sched_pass_fn fn, void *arg);
/*
 * Finish the output in hand and stop: queued work is dropped, running
 * jobs are applied, then fn(arg) is called.
 */
void		 sched_stop(struct sched *s, sched_fn fn, void *arg);
size_t		 sched_watched_dirs(const struct sched *s);
size_t		 sched_project_dirs(const struct sched *s,
		    const struct project *p);
/* The project a pass is running over, or NULL. */
struct project	*sched_running(const struct sched *s);
bool		 sched_watch_alive(const struct sched *s);
bool		 sched_busy(const struct sched *s);

#endif
