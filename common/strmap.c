/*
 * strmap — see strmap.h.  Deletion uses backward-shift so that no
 * tombstones accumulate; the table doubles at 70% load.
 */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "xmalloc.h"

struct slot {
	char	*key;
	void	*value;
	uint64_t hash;
};

struct strmap {
	struct slot	*slots;
	size_t		 cap;	/* a power of two */
	size_t		 count;
};

struct strmap *
strmap_new(void)
{
	struct strmap *m = xcalloc(1, sizeof(*m));

	m->cap = 16;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	return m;
}

void
strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	free(m);
}

static size_t
strmap_find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i = h & (m->cap - 1);

	while (m->slots[i].key != NULL && (m->slots[i].hash != h ||
	    strcmp(m->slots[i].key, key) != 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void
strmap_grow(struct strmap *m)
{
	struct slot *old = m->slots;
	size_t oldcap = m->cap;

	m->cap *= 2;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		size_t j = old[i].hash & (m->cap - 1);
		while (m->slots[j].key != NULL)
			j = (j + 1) & (m->cap - 1);
		m->slots[j] = old[i];
	}
	free(old);
}

void *
strmap_set(struct strmap *m, const char *key, void *value)
{
	uint64_t h = hash_str(key);
	size_t i = strmap_find(m, key, h);
	void *prev;

	if (m->slots[i].key != NULL) {
		prev = m->slots[i].value;
		m->slots[i].value = value;
		return prev;
	}
	if ((m->count + 1) * 10 > m->cap * 7) {
		strmap_grow(m);
		i = strmap_find(m, key, h);
	}
	m->slots[i].key = xstrdup(key);
	m->slots[i].value = value;
	m->slots[i].hash = h;
	m->count++;
	return NULL;
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	size_t i = strmap_find(m, key, hash_str(key));

	return m->slots[i].key != NULL ? m->slots[i].value : NULL;
}

void *
strmap_del(struct strmap *m, const char *key)
{
	size_t i = strmap_find(m, key, hash_str(key)), j;
	void *value;

	if (m->slots[i].key == NULL)
		return NULL;
	value = m->slots[i].value;
	free(m->slots[i].key);
	m->slots[i].key = NULL;
	m->count--;
	/* Backward shift: pull later members of the run into the hole. */
	for (j = (i + 1) & (m->cap - 1); m->slots[j].key != NULL;
	    j = (j + 1) & (m->cap - 1)) {
		size_t home = m->slots[j].hash & (m->cap - 1);
		bool between = i <= j ? (home > i && home <= j) :
		    (home > i || home <= j);
		if (between)
			continue;
		m->slots[i] = m->slots[j];
		m->slots[j].key = NULL;
		i = j;
	}
	return value;
}

size_t
strmap_count(const struct strmap *m)
{
	return m->count;
}

bool
strmap_next(const struct strmap *m, size_t *it, const char **key,
    void **value)
{
	while (*it < m->cap) {
		struct slot *s = &m->slots[(*it)++];
		if (s->key != NULL) {
			*key = s->key;
			if (value != NULL)
				*value = s->value;
			return true;
		}
	}
	return false;
}
