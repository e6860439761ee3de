/*
 * strpool — one shared copy of each string, with reference counts.
 *
 * The daemon keeps, for every output, the names and hashes of what its
 * last render read; at 10,000 outputs nearly all of those strings are the
 * same few (the template, the data file, the config and their hashes).
 * A pool keeps one copy of each and counts its holders.
 *
 * Ownership: strpool_get() returns the pooled copy of s, adding it or a
 * reference to it; the caller gives that reference back with
 * strpool_put() on the very pointer it got, and the last reference frees
 * the copy.  strpool_free() frees every copy whatever its count.  Not
 * thread-safe.
 */
#ifndef CHORA_STRPOOL_H
#define CHORA_STRPOOL_H

#include <stddef.h>

struct strpool;

struct strpool	*strpool_new(void);
void		 strpool_free(struct strpool *sp);
/* The pooled copy of s (NULL for NULL), one more reference to it. */
const char	*strpool_get(struct strpool *sp, const char *s);
/* Give back a reference strpool_get() returned (NULL: nothing). */
void		 strpool_put(struct strpool *sp, const char *s);
/* Distinct strings held. */
size_t		 strpool_count(const struct strpool *sp);

#endif
