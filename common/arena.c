/*
 * arena — see arena.h.  Blocks double in size up to 1 MiB; an allocation
 * larger than a block gets a block of its own so that a big string does
 * not waste the tail of the current one.
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

#define ARENA_ALIGN	16
#define ARENA_FIRST	4096
#define ARENA_MAXBLOCK	(1024 * 1024)

struct arena_block {
	struct arena_block	*next;
	size_t			 size;	/* usable bytes in data[] */
	size_t			 used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_defer {
	struct arena_defer	*next;
	void			(*fn)(void *);
	void			*arg;
};

struct arena {
	struct arena_block	*head;	/* current block first */
	struct arena_block	*spare;	/* kept by arena_reset_keep() */
	struct arena_defer	*defers;
	size_t			 next_size;
	size_t			 used;
	void			*last;	/* most recent allocation */
};

static struct arena_block *
arena_block_new(size_t size)
{
	struct arena_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		fatalx("arena: allocation of %zu bytes overflows", size);
	b = xmalloc(sizeof(*b) + size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct arena *
arena_new(void)
{
	struct arena *a = xcalloc(1, sizeof(*a));

	a->head = arena_block_new(ARENA_FIRST);
	a->next_size = ARENA_FIRST * 2;
	return a;
}

static void
arena_run_defers(struct arena *a)
{
	struct arena_defer *d = a->defers;

	/* The deferred records live in the arena itself: read next first. */
	while (d != NULL) {
		struct arena_defer *next = d->next;
		d->fn(d->arg);
		d = next;
	}
	a->defers = NULL;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	if (a == NULL)
		return;
	arena_run_defers(a);
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	for (b = a->spare; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next, *keep = NULL;

	arena_run_defers(a);
	for (b = a->spare; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->spare = NULL;
	/* Keep the smallest (first created, so last in the list) block. */
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		if (next == NULL)
			keep = b;
		else
			free(b);
	}
	keep->used = 0;
	a->head = keep;
	a->next_size = keep->size * 2;
	a->used = 0;
	a->last = NULL;
}

void
arena_reset_keep(struct arena *a, size_t max)
{
	struct arena_block *b, *next, *first = NULL;
	size_t kept = 0;

	arena_run_defers(a);
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		if (next == NULL) {
			first = b;	/* the first block stays, as in reset */
		} else if (kept + b->size <= max) {
			kept += b->size;
			b->next = a->spare;
			a->spare = b;
		} else
			free(b);
	}
	first->used = 0;
	first->next = NULL;
	a->head = first;
	a->next_size = first->size * 2;
	a->used = 0;
	a->last = NULL;
}

/* A spare block of at least size bytes, or a new one. */
static struct arena_block *
arena_block_get(struct arena *a, size_t size)
{
	struct arena_block **pp, *b;

	for (pp = &a->spare; (b = *pp) != NULL; pp = &b->next)
		if (b->size >= size) {
			*pp = b->next;
			b->next = NULL;
			b->used = 0;
			return b;
		}
	return arena_block_new(size);
}

static size_t
arena_round(size_t n)
{
	if (n > SIZE_MAX - ARENA_ALIGN)
		fatalx("arena: allocation of %zu bytes overflows", n);
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void *
arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *b = a->head;
	size_t n = arena_round(size == 0 ? 1 : size);
	void *p;

	if (b->size - b->used < n) {
		if (n > a->next_size / 2) {
			/* Big: own block, placed behind the current one. */
			struct arena_block *big = arena_block_get(a, n);
			big->next = b->next;
			b->next = big;
			big->used = n;
			a->used += n;
			a->last = NULL;
			return big->data;
		}
		b = arena_block_get(a, a->next_size);
		if (a->next_size < ARENA_MAXBLOCK)
			a->next_size *= 2;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += n;
	a->used += n;
	a->last = p;
	return p;
}

void *
arena_zalloc(struct arena *a, size_t size)
{
	void *p = arena_alloc(a, size);

	memset(p, 0, size);
	return p;
}

void *
arena_realloc(struct arena *a, void *old, size_t oldsize, size_t newsize)
{
	struct arena_block *b = a->head;
	void *p;

	if (old != NULL && old == a->last) {
		size_t o = arena_round(oldsize == 0 ? 1 : oldsize);
		size_t n = arena_round(newsize == 0 ? 1 : newsize);
		if (n <= o || b->size - b->used >= n - o) {
			if (n > o) {
				b->used += n - o;
				a->used += n - o;
			}
			return old;
		}
	}
	p = arena_alloc(a, newsize);
	if (old != NULL && oldsize > 0)
		memcpy(p, old, oldsize < newsize ? oldsize : newsize);
	return p;
}

char *
arena_memdup(struct arena *a, const void *p, size_t n)
{
	char *s;

	if (n == SIZE_MAX)
		fatalx("arena: string too long");
	s = arena_alloc(a, n + 1);
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_memdup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;
	char *s;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("arena_printf: bad format");
	s = arena_alloc(a, (size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return s;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
	struct arena_defer *d = arena_alloc(a, sizeof(*d));

	d->fn = fn;
	d->arg = arg;
	d->next = a->defers;
	a->defers = d;
}

size_t
arena_used(const struct arena *a)
{
	return a->used;
}
