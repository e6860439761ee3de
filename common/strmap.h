/*
 * strmap — a string-keyed hash table (open addressing, linear probing).
 *
 * The daemon maps paths to watch descriptors and outputs, ids to units;
 * none of that needs ordering, all of it needs O(1) lookups.  Keys are
 * copied and owned by the map; values are the caller's pointers, never
 * freed by the map.  Not thread-safe.
 */
#ifndef CHORA_STRMAP_H
#define CHORA_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap;

struct strmap	*strmap_new(void);
/* Free the map and its keys (not the values). */
void		 strmap_free(struct strmap *m);
/* Set key to value, replacing (and returning) any previous value. */
void		*strmap_set(struct strmap *m, const char *key, void *value);
void		*strmap_get(const struct strmap *m, const char *key);
/* Remove key; returns its value or NULL. */
void		*strmap_del(struct strmap *m, const char *key);
size_t		 strmap_count(const struct strmap *m);
/*
 * Iterate: start with *it = 0; returns false at the end.  The map must
 * not change during the walk, except by strmap_del() of the current key.
 */
bool		 strmap_next(const struct strmap *m, size_t *it,
		    const char **key, void **value);

#endif
