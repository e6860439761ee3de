/*
 * jdoc — a JSON document kept as its bytes plus an index of one collection.
 *
 * The daemon's precision rests on this module.  A data file is kept as the
 * text it was read from, validated by a scanner that builds no values, and
 * the collection a config iterates over (its `foreach` path) is indexed as
 * the byte range and SHA-256 of each element.  When the file changes,
 * jdoc_update() compares the new bytes with the old ones, finds the changed
 * range, and re-scans only the elements around it, resynchronising on the
 * first unchanged element boundary after it; everything else keeps its
 * offsets (shifted) and its hash.  So the cost of an edit to one item of a
 * 10,000-item file is a memcmp of the file plus the scan of that item, and
 * the caller learns exactly which elements changed.  When the edit touches
 * the document outside the collection, or breaks its shape, the document is
 * re-indexed in full (and the caller is told so).
 *
 * The low-level jscan_* functions are also used to find the line of a
 * config key for error messages (jansson gives line numbers only for
 * syntax errors).
 *
 * Ownership: a jdoc owns its text (taken from the caller) and its index;
 * jdoc_free() releases both.
 */
#ifndef CHORA_JDOC_H
#define CHORA_JDOC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"

/* Nesting deeper than this is refused (the scanner recurses). */
#define JDOC_MAX_DEPTH	512

/* One element of the indexed collection: a list item or an object member. */
struct jdoc_elem {
	size_t	 start, end;	/* the value's bytes [start, end) */
	size_t	 kstart, kend;	/* an object member's key, quotes included */
	uint8_t	 hash[HASH_SIZE];	/* of key (if any) and value bytes */
};

struct jdoc {
	char		*text;		/* owned, NUL-terminated */
	size_t		 len;
	char		*name;		/* for messages */
	char		*path;		/* dotted collection path, or NULL */
	bool		 has_coll;	/* the path names a list or object */
	bool		 coll_object;
	size_t		 coll_open;	/* offset of '[' or '{' */
	size_t		 coll_close;	/* offset of ']' or '}' */
	struct jdoc_elem *elems;
	size_t		 nelems;
	uint8_t		 rest_hash[HASH_SIZE];	/* everything but the collection */
	uint64_t	 version;	/* bumped on every successful update */
};

/*
 * What jdoc_update() found.  Unless full, the element list was spliced:
 * nremoved old elements at index first were replaced by ninserted new
 * ones (whose hashes are fresh); all others are unchanged, so a caller
 * keeping an array parallel to the elements splices it the same way.
 */
struct jdoc_change {
	bool	 full;		/* re-indexed: the rest or the shape changed */
	bool	 unchanged;	/* the bytes are identical */
	size_t	 first;
	size_t	 nremoved;
	size_t	 ninserted;
};

/*
 * Index text (ownership taken; must be NUL-terminated at len) for the
 * collection at path ("." for the root, NULL for none).  A path that does
 * not exist or names a scalar leaves has_coll false; that is not an error
 * here.  NULL with *cause ("name:line: error: ...", allocated) when the
 * text is not valid JSON; text is freed then too.
 */
struct jdoc	*jdoc_new(char *text, size_t len, const char *name,
		    const char *path, char **cause);
void		 jdoc_free(struct jdoc *d);

/*
 * Replace d's text with text (ownership taken) and update the index.
 * Returns 0 and fills *ch, or -1 with *cause
 * when the new text is invalid; d then keeps its old text and text is
 * freed.
 */
int		 jdoc_update(struct jdoc *d, char *text, size_t len,
		    struct jdoc_change *ch, char **cause);

/* The decoded key of object element i (allocated; caller frees). */
char		*jdoc_elem_key(const struct jdoc *d, size_t i);

/*
 * The text with the collection replaced by an empty one, i.e. what a
 * render sees of the document besides its item (allocated; caller frees).
 */
char		*jdoc_rest_text(const struct jdoc *d, size_t *lenp);

/* Scanner primitives over any buffer. */
size_t	jscan_ws(const char *s, size_t len, size_t pos);
/*
 * Validate the value at pos; on success set *end just past it and return
 * 0, else -1 with *errpos at the offending byte and *msg a static string.
 */
int	jscan_value(const char *s, size_t len, size_t pos, size_t *end,
	    size_t *errpos, const char **msg);
/*
 * Find the value at a dotted path of object keys ("." or "" for the root)
 * in a valid document; set *pos and *end and return 0, or -1 if absent.
 */
int	jscan_find(const char *s, size_t len, const char *path, size_t *pos,
	    size_t *end);
/* 1-based line of byte offset pos. */
int	jscan_line(const char *s, size_t len, size_t pos);
/*
 * "file:line: error: message" (allocated), the line being that of the
 * value at the dotted key path where in the JSON text (line 1 when where
 * is NULL or absent): how config errors name their place.
 */
char	*jscan_verror(const char *file, const char *text, size_t len,
	    const char *where, const char *fmt, va_list ap)
	    __attribute__((format(printf, 5, 0)));

#endif
