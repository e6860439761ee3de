/*
 * flush — making many outputs durable at once, off the workers.
 *
 * With "fsync": true every temporary file must be on disk before it is
 * renamed over its output, and its folder synced after the rename (then
 * the store records it).  A worker doing that for its own job (one
 * syncfs(2), the renames, a folder fsync) stopped rendering while the disk
 * flushed, once per job.  Workers now hand written jobs to one flushing
 * thread, which takes every job waiting, syncs once for all of them
 * (gen_flush), and finishes them (pool_finish) while the workers go on
 * rendering: the slower the disk, the more jobs one sync covers.
 *
 * Ownership: a flush_item and its tasks stay their submitter's; the
 * flusher only reads and renames.  flusher_free() flushes what is queued.
 */
#ifndef CHORA_FLUSH_H
#define CHORA_FLUSH_H

#include <stddef.h>

struct flusher;
struct gen_task;
struct pool;
struct pool_job;

struct flush_item {
	struct gen_task		**tasks;
	size_t			  n;
	struct pool_job		 *job;	/* finished once flushed */
	struct flush_item	 *next;
};

struct flusher	*flusher_new(struct pool *pool);
void		 flusher_free(struct flusher *f);
/* From a worker: flush the item's tasks, then pool_finish() its job. */
void		 flusher_submit(struct flusher *f, struct flush_item *it);

#endif
