/*
 * storeq — the store's writer thread.
 *
 * Recording a generation costs the store far more than rendering it, and
 * an SQLite commit can stop for a WAL checkpoint; on the event loop that
 * would stall status requests.  So the loop only queues writes here (each
 * copied: the caller keeps its records), and one thread applies them in
 * order, in transactions of up to STOREQ_BATCH writes, as the single
 * writer the store wants.  When the queue runs dry the loop is told
 * (storeq_when_idle), which is how a pass ends only once its results are
 * committed, so a reader who waited for the pass sees them.
 *
 * The loop thread never touches the writer's store handle after
 * storeq_new(); it reads through a read-only handle of its own.
 * Ownership: storeq_free() drains the queue, joins the thread and closes
 * nothing (the store stays the caller's).
 */
#ifndef CHORA_STOREQ_H
#define CHORA_STOREQ_H

#include <stdbool.h>

#include "store.h"

#define STOREQ_BATCH	256
/*
 * The writer's page cache (KiB).  It appends versions and replaces the
 * edges of the outputs it records: its working set is the right edges
 * of the B-trees and the pages of those rows, not the whole store (16 MiB,
 * the store's default, was a third of the daemon's memory at 10,000
 * outputs; store_write_bench runs no slower with this).
 */
#define STOREQ_CACHE_KIB	2048

struct ev_loop;
struct storeq;

typedef void	(*storeq_fn)(void *arg);

struct storeq	*storeq_new(struct store *s, struct ev_loop *loop);
void		 storeq_free(struct storeq *q);

void	storeq_generation(struct storeq *q, const struct store_generation *g);
void	storeq_deps_set(struct storeq *q, const char *ws, const char *id,
	    const struct store_dep *deps, size_t n);
void	storeq_content(struct storeq *q, const struct store_content *c);
void	storeq_event(struct storeq *q, const struct store_event *ev);
void	storeq_config(struct storeq *q, const struct store_config *c);

/*
 * Run fn(store, arg) on the writer thread, in queue order and outside any
 * transaction (for work that makes its own: gc, deploy records, imports).
 * arg stays the caller's; it learns that fn ran through
 * storeq_when_idle().
 */
typedef void	(*storeq_call_fn)(struct store *s, void *arg);
void	storeq_call(struct storeq *q, storeq_call_fn fn, void *arg);

/* Nothing queued and nothing being written. */
bool	storeq_idle(const struct storeq *q);
/* Call fn(arg) on the loop once the queue is idle (now if it is). */
void	storeq_when_idle(struct storeq *q, storeq_fn fn, void *arg);

#endif
