/*
 * cjson — canonical JSON, so that equal documents hash equal.
 *
 * A config's version is keyed by the SHA-256 of its canonical JSON, so an
 * edit that only reformats or reorders keys is not a new version, and any
 * real edit is one even without a version bump.  The canonical form is the
 * one Python prints with json.dumps(v, sort_keys=True, separators=(",",
 * ":"), ensure_ascii=False): keys sorted by code point, no spaces, strings
 * in UTF-8 with only '"', '\\' and control characters escaped, integers in
 * decimal, floats as Python's repr() (the shortest text that reads back to
 * the same double: 0.1, 1.0, 1e+16, 1.5e-05).
 */
#ifndef CHORA_CJSON_H
#define CHORA_CJSON_H

#include <jansson.h>
#include <stddef.h>

struct buf;

/*
 * Canonical JSON of text (len bytes).  Duplicate keys are an error.
 * Returns the canonical text (allocated, NUL-terminated; caller frees; its
 * length in *outlen when outlen is not NULL), or NULL with *cause set to
 * "NAME:LINE: error: MESSAGE" (allocated).
 */
char	*cjson_canonical(const char *text, size_t len, const char *name,
	    size_t *outlen, char **cause);

/*
 * Parse text as cjson_canonical() does; the caller json_decref()s the
 * result.  NULL with *cause set as above.
 */
json_t	*cjson_parse(const char *text, size_t len, const char *name,
	    char **cause);

/* Append the canonical text of v to b. */
void	 cjson_dump(const json_t *v, struct buf *b);

#endif
