/*
 * tmpl_json — JSON data into frozen engine values (key order kept,
 * integers of any size), and values back to JSON (tmpl_tojson() in
 * tmpl_value.h for the filter; the canonical form here for hashing).
 */
#ifndef CHORA_TMPL_JSON_H
#define CHORA_TMPL_JSON_H

#include "tmpl_value.h"

struct arena;

/*
 * Parse s into *out, every value allocated in a (containers frozen).
 * Returns 0, or -1 with *err (allocated message, caller frees) and *line.
 */
int	tmpl_json_read(struct arena *a, const char *s, size_t n, tv *out,
	    char **err, int *line);
/* Compact JSON with sorted keys and UTF-8 text; -1 if not representable. */
int	tmpl_json_canonical(tv v, struct buf *b);

#endif
