/*
 * arena — bump allocation for memory that dies all at once.
 *
 * A render, a request or a loaded data file allocates many small objects
 * whose lifetimes end together; an arena makes each allocation a pointer
 * bump and the release one call.  Not thread-safe: an arena has one owner
 * at a time.  Memory from arena_alloc() is 16-byte aligned, never freed
 * individually, and lives until arena_reset() or arena_free().
 */
#ifndef CHORA_ARENA_H
#define CHORA_ARENA_H

#include <stddef.h>

struct arena;

/* A new, empty arena; the caller frees it with arena_free(). */
struct arena	*arena_new(void);
void		 arena_free(struct arena *a);
/* Release everything allocated, keeping the first block for reuse. */
void		 arena_reset(struct arena *a);
/*
 * Like arena_reset(), but keep up to max bytes of blocks as spares that
 * later allocations reuse: an arena that does the same work again and
 * again (a render per request) then stops going to malloc and the kernel
 * for fresh pages every time.
 */
void		 arena_reset_keep(struct arena *a, size_t max);

void	*arena_alloc(struct arena *a, size_t size);	/* uninitialized */
void	*arena_zalloc(struct arena *a, size_t size);	/* zeroed */
/* Grow the most recent allocation in place when possible, else copy. */
void	*arena_realloc(struct arena *a, void *old, size_t oldsize,
	    size_t newsize);
char	*arena_strdup(struct arena *a, const char *s);
char	*arena_memdup(struct arena *a, const void *p, size_t n); /* +NUL */
char	*arena_printf(struct arena *a, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Run fn(arg) when the arena is reset or freed (e.g. to free a handle). */
void	 arena_defer(struct arena *a, void (*fn)(void *), void *arg);

/* Bytes handed out since creation or the last reset (for limits). */
size_t	 arena_used(const struct arena *a);

#endif
