/*
 * strpool — see strpool.h.  An open-addressing table of pointers to
 * entries that hold the count, the hash and the string itself, so that
 * strpool_put() finds its entry from the string's address (no lookup)
 * and the table's slots are one pointer each.  Deletion shifts the rest
 * of a probe run back, as strmap does; the table doubles at 70% load.
 */
#include "strpool.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "xmalloc.h"

struct entry {
	uint64_t	 hash;
	size_t		 refs;
	char		 s[];
};

struct strpool {
	struct entry	**slots;
	size_t		  cap;	/* a power of two */
	size_t		  count;
};

struct strpool *
strpool_new(void)
{
	struct strpool *sp = xcalloc(1, sizeof(*sp));

	sp->cap = 64;
	sp->slots = xcalloc(sp->cap, sizeof(*sp->slots));
	return sp;
}

void
strpool_free(struct strpool *sp)
{
	if (sp == NULL)
		return;
	for (size_t i = 0; i < sp->cap; i++)
		free(sp->slots[i]);
	free(sp->slots);
	free(sp);
}

/* The slot holding s, or the empty one where it would go. */
static size_t
strpool_find(const struct strpool *sp, const char *s, uint64_t h)
{
	size_t i = h & (sp->cap - 1);

	while (sp->slots[i] != NULL && (sp->slots[i]->hash != h ||
	    strcmp(sp->slots[i]->s, s) != 0))
		i = (i + 1) & (sp->cap - 1);
	return i;
}

static void
strpool_grow(struct strpool *sp)
{
	struct entry **old = sp->slots;
	size_t oldcap = sp->cap;

	sp->cap *= 2;
	sp->slots = xcalloc(sp->cap, sizeof(*sp->slots));
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i] == NULL)
			continue;
		size_t j = old[i]->hash & (sp->cap - 1);
		while (sp->slots[j] != NULL)
			j = (j + 1) & (sp->cap - 1);
		sp->slots[j] = old[i];
	}
	free(old);
}

const char *
strpool_get(struct strpool *sp, const char *s)
{
	uint64_t h;
	size_t i, len;
	struct entry *e;

	if (s == NULL)
		return NULL;
	h = hash_str(s);
	i = strpool_find(sp, s, h);
	if ((e = sp->slots[i]) != NULL) {
		e->refs++;
		return e->s;
	}
	if ((sp->count + 1) * 10 > sp->cap * 7) {
		strpool_grow(sp);
		i = strpool_find(sp, s, h);
	}
	len = strlen(s);
	e = xmalloc(sizeof(*e) + len + 1);
	e->hash = h;
	e->refs = 1;
	memcpy(e->s, s, len + 1);
	sp->slots[i] = e;
	sp->count++;
	return e->s;
}

void
strpool_put(struct strpool *sp, const char *s)
{
	struct entry *e;
	size_t i, j;

	if (s == NULL)
		return;
	e = (struct entry *)(void *)((char *)(uintptr_t)s -
	    offsetof(struct entry, s));
	if (--e->refs > 0)
		return;
	for (i = e->hash & (sp->cap - 1); sp->slots[i] != e;
	    i = (i + 1) & (sp->cap - 1))
		;
	sp->slots[i] = NULL;
	sp->count--;
	free(e);
	/* Backward shift: pull later members of the run into the hole. */
	for (j = (i + 1) & (sp->cap - 1); sp->slots[j] != NULL;
	    j = (j + 1) & (sp->cap - 1)) {
		size_t home = sp->slots[j]->hash & (sp->cap - 1);
		bool between = i <= j ? (home > i && home <= j) :
		    (home > i || home <= j);
		if (between)
			continue;
		sp->slots[i] = sp->slots[j];
		sp->slots[j] = NULL;
		i = j;
	}
}

size_t
strpool_count(const struct strpool *sp)
{
	return sp->count;
}
