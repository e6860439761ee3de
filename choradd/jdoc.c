/*
 * jdoc — see jdoc.h.  The scanner follows RFC 8259 exactly (no comments,
 * no trailing commas) and recurses at most JDOC_MAX_DEPTH deep; it never
 * allocates.
 */
#include "jdoc.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

struct scan {
	const char	*s;
	size_t		 len;
	size_t		 errpos;
	const char	*msg;
};

static int	scan_value(struct scan *sc, size_t pos, size_t *end, int depth);

size_t
jscan_ws(const char *s, size_t len, size_t pos)
{
	while (pos < len && (s[pos] == ' ' || s[pos] == '\t' ||
	    s[pos] == '\n' || s[pos] == '\r'))
		pos++;
	return pos;
}

static int
scan_fail(struct scan *sc, size_t pos, const char *msg)
{
	sc->errpos = pos;
	sc->msg = msg;
	return -1;
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
scan_string(struct scan *sc, size_t pos, size_t *end)
{
	const char *s = sc->s;

	for (pos++; pos < sc->len; pos++) {
		unsigned char c = (unsigned char)s[pos];
		if (c == '"') {
			*end = pos + 1;
			return 0;
		}
		if (c < 0x20)
			return scan_fail(sc, pos, "control character in string");
		if (c != '\\')
			continue;
		if (++pos >= sc->len)
			break;
		if (strchr("\"\\/bfnrt", s[pos]) != NULL && s[pos] != '\0')
			continue;
		if (s[pos] != 'u')
			return scan_fail(sc, pos, "invalid escape in string");
		for (int i = 1; i <= 4; i++)
			if (pos + (size_t)i >= sc->len || !is_hex(s[pos + i]))
				return scan_fail(sc, pos, "invalid \\u escape");
		pos += 4;
	}
	return scan_fail(sc, sc->len, "unterminated string");
}

static size_t
scan_digits(const char *s, size_t len, size_t pos)
{
	while (pos < len && s[pos] >= '0' && s[pos] <= '9')
		pos++;
	return pos;
}

static int
scan_number(struct scan *sc, size_t pos, size_t *end)
{
	const char *s = sc->s;
	size_t p = pos, q;

	if (p < sc->len && s[p] == '-')
		p++;
	if (p < sc->len && s[p] == '0')
		p++;
	else if ((q = scan_digits(s, sc->len, p)) > p)
		p = q;
	else
		return scan_fail(sc, p, "invalid number");
	if (p < sc->len && s[p] == '.') {
		if ((q = scan_digits(s, sc->len, p + 1)) == p + 1)
			return scan_fail(sc, q, "invalid number");
		p = q;
	}
	if (p < sc->len && (s[p] == 'e' || s[p] == 'E')) {
		p++;
		if (p < sc->len && (s[p] == '+' || s[p] == '-'))
			p++;
		if ((q = scan_digits(s, sc->len, p)) == p)
			return scan_fail(sc, p, "invalid number");
		p = q;
	}
	*end = p;
	return 0;
}

/* A list or object; the caller is at '[' or '{'. */
static int
scan_container(struct scan *sc, size_t pos, size_t *end, int depth)
{
	char close = sc->s[pos] == '[' ? ']' : '}';
	bool object = close == '}', first = true;
	size_t p = jscan_ws(sc->s, sc->len, pos + 1);

	if (depth >= JDOC_MAX_DEPTH)
		return scan_fail(sc, pos, "nesting too deep");
	for (;;) {
		if (p >= sc->len)
			return scan_fail(sc, p, object ? "unterminated object" :
			    "unterminated list");
		if (sc->s[p] == close && first) {
			*end = p + 1;
			return 0;
		}
		if (object) {
			if (sc->s[p] != '"')
				return scan_fail(sc, p, "expected a string key");
			if (scan_string(sc, p, &p) == -1)
				return -1;
			p = jscan_ws(sc->s, sc->len, p);
			if (p >= sc->len || sc->s[p] != ':')
				return scan_fail(sc, p, "expected ':'");
			p = jscan_ws(sc->s, sc->len, p + 1);
		}
		if (scan_value(sc, p, &p, depth + 1) == -1)
			return -1;
		p = jscan_ws(sc->s, sc->len, p);
		first = false;
		if (p < sc->len && sc->s[p] == close) {
			*end = p + 1;
			return 0;
		}
		if (p >= sc->len || sc->s[p] != ',')
			return scan_fail(sc, p, object ? "expected ',' or '}'" :
			    "expected ',' or ']'");
		p = jscan_ws(sc->s, sc->len, p + 1);
	}
}

static int
scan_value(struct scan *sc, size_t pos, size_t *end, int depth)
{
	static const char *lits[] = { "true", "false", "null" };

	if (pos >= sc->len)
		return scan_fail(sc, pos, "expected a value");
	switch (sc->s[pos]) {
	case '"':
		return scan_string(sc, pos, end);
	case '[':
	case '{':
		return scan_container(sc, pos, end, depth);
	case 't':
	case 'f':
	case 'n':
		for (size_t i = 0; i < 3; i++) {
			size_t n = strlen(lits[i]);
			if (sc->len - pos >= n &&
			    memcmp(sc->s + pos, lits[i], n) == 0) {
				*end = pos + n;
				return 0;
			}
		}
		return scan_fail(sc, pos, "invalid literal");
	default:
		if (sc->s[pos] == '-' || (sc->s[pos] >= '0' &&
		    sc->s[pos] <= '9'))
			return scan_number(sc, pos, end);
		return scan_fail(sc, pos, "expected a value");
	}
}

int
jscan_value(const char *s, size_t len, size_t pos, size_t *end,
    size_t *errpos, const char **msg)
{
	struct scan sc = { s, len, 0, NULL };

	if (scan_value(&sc, pos, end, 0) == 0)
		return 0;
	*errpos = sc.errpos;
	*msg = sc.msg;
	return -1;
}

int
jscan_line(const char *s, size_t len, size_t pos)
{
	int line = 1;

	for (size_t i = 0; i < pos && i < len; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

char *
jscan_verror(const char *file, const char *text, size_t len,
    const char *where, const char *fmt, va_list ap)
{
	size_t pos = 0, end;
	char *msg, *out;

	if (where == NULL || jscan_find(text, len, where, &pos, &end) == -1)
		pos = 0;
	xvasprintf(&msg, fmt, ap);
	out = xprintf("%s:%d: error: %s", file, jscan_line(text, len, pos),
	    msg);
	free(msg);
	return out;
}

/* Decode a JSON string token [pos, end) into an allocated C string. */
static char *
decode_key(const char *s, size_t pos, size_t end)
{
	struct buf b = BUF_INIT;

	for (size_t i = pos + 1; i + 1 < end; i++) {
		if (s[i] != '\\') {
			buf_addc(&b, s[i]);
			continue;
		}
		i++;
		switch (s[i]) {
		case 'b': buf_addc(&b, '\b'); break;
		case 'f': buf_addc(&b, '\f'); break;
		case 'n': buf_addc(&b, '\n'); break;
		case 'r': buf_addc(&b, '\r'); break;
		case 't': buf_addc(&b, '\t'); break;
		case 'u': {
			unsigned cp = (unsigned)strtoul((char[5]){ s[i + 1],
			    s[i + 2], s[i + 3], s[i + 4], 0 }, NULL, 16);
			i += 4;
			/* Keys with escapes outside ASCII are rare; keep UTF-8
			 * for the BMP and leave surrogates as they are. */
			if (cp < 0x80)
				buf_addc(&b, (char)cp);
			else if (cp < 0x800) {
				buf_addc(&b, (char)(0xc0 | (cp >> 6)));
				buf_addc(&b, (char)(0x80 | (cp & 0x3f)));
			} else {
				buf_addc(&b, (char)(0xe0 | (cp >> 12)));
				buf_addc(&b, (char)(0x80 | ((cp >> 6) & 0x3f)));
				buf_addc(&b, (char)(0x80 | (cp & 0x3f)));
			}
			break;
		}
		default: buf_addc(&b, s[i]); break;
		}
	}
	return buf_detach(&b, NULL);
}

/* In the object at pos (valid JSON), the value of key [k, k+klen). */
static int
find_member(const char *s, size_t len, size_t pos, const char *k, size_t klen,
    size_t *vpos, size_t *vend)
{
	struct scan sc = { s, len, 0, NULL };
	size_t p = jscan_ws(s, len, pos + 1), kend;

	while (p < len && s[p] == '"') {
		if (scan_string(&sc, p, &kend) == -1)
			return -1;
		char *key = decode_key(s, p, kend);
		bool match = strlen(key) == klen && memcmp(key, k, klen) == 0;
		free(key);
		p = jscan_ws(s, len, jscan_ws(s, len, kend) + 1);
		if (scan_value(&sc, p, vend, 0) == -1)
			return -1;
		if (match) {
			*vpos = p;
			return 0;
		}
		p = jscan_ws(s, len, *vend);
		if (p < len && s[p] == ',')
			p = jscan_ws(s, len, p + 1);
	}
	return -1;
}

int
jscan_find(const char *s, size_t len, const char *path, size_t *pos,
    size_t *end)
{
	struct scan sc = { s, len, 0, NULL };
	size_t p = jscan_ws(s, len, 0), e;

	if (scan_value(&sc, p, &e, 0) == -1)
		return -1;
	while (path != NULL && *path != '\0' && strcmp(path, ".") != 0) {
		const char *dot = strchr(path, '.');
		size_t klen = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (p >= len || s[p] != '{')
			return -1;
		if (find_member(s, len, p, path, klen, &p, &e) == -1)
			return -1;
		path = dot != NULL ? dot + 1 : NULL;
	}
	*pos = p;
	*end = e;
	return 0;
}

/* Where an element begins: its key for an object member. */
static size_t
elem_start(const struct jdoc *d, const struct jdoc_elem *e)
{
	return d->coll_object ? e->kstart : e->start;
}

static void
elem_hash(const char *text, bool object, struct jdoc_elem *e)
{
	size_t from = object ? e->kstart : e->start;

	hash_sha256(text + from, e->end - from, e->hash);
}

/*
 * Scan the next element of the collection, from just after its opening
 * bracket (*first) or just after an element.  Returns 1 with *e filled,
 * 0 at the closing bracket (*close set), or -1 on a syntax error.
 */
static int
next_elem(struct scan *sc, bool object, size_t *pos, bool *first,
    struct jdoc_elem *e, size_t *close)
{
	const char *s = sc->s;
	size_t p = jscan_ws(s, sc->len, *pos);
	char cc = object ? '}' : ']';

	if (!*first) {
		if (p < sc->len && s[p] == cc) {
			*close = p;
			return 0;
		}
		if (p >= sc->len || s[p] != ',')
			return scan_fail(sc, p, object ? "expected ',' or '}'" :
			    "expected ',' or ']'");
		p = jscan_ws(s, sc->len, p + 1);
	} else if (p < sc->len && s[p] == cc) {
		*close = p;
		return 0;
	}
	*first = false;
	e->kstart = e->kend = 0;
	if (object) {
		if (p >= sc->len || s[p] != '"')
			return scan_fail(sc, p, "expected a string key");
		e->kstart = p;
		if (scan_string(sc, p, &e->kend) == -1)
			return -1;
		p = jscan_ws(s, sc->len, e->kend);
		if (p >= sc->len || s[p] != ':')
			return scan_fail(sc, p, "expected ':'");
		p = jscan_ws(s, sc->len, p + 1);
	}
	e->start = p;
	if (scan_value(sc, p, &e->end, 1) == -1)
		return -1;
	*pos = e->end;
	return 1;
}

static void
push_elem(struct jdoc_elem **v, size_t *n, size_t *cap,
    const struct jdoc_elem *e)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = *e;
}

static void
rest_hash(struct jdoc *d)
{
	struct hash_ctx *h = hash_new();

	if (d->has_coll) {
		hash_update(h, d->text, d->coll_open + 1);
		hash_update(h, d->text + d->coll_close, d->len - d->coll_close);
	} else
		hash_update(h, d->text, d->len);
	hash_final(h, d->rest_hash);
}

static char *
scan_cause(const char *name, const char *s, size_t len, struct scan *sc)
{
	return xprintf("%s:%d: error: invalid JSON: %s", name,
	    jscan_line(s, len, sc->errpos), sc->msg);
}

/* Index the whole collection of d (its text is valid JSON). */
static void
index_all(struct jdoc *d)
{
	struct scan sc = { d->text, d->len, 0, NULL };
	size_t pos, end, cap = 0, close;
	struct jdoc_elem e;
	bool first = true;

	d->has_coll = false;
	d->nelems = 0;
	if (d->path != NULL && jscan_find(d->text, d->len, d->path, &pos,
	    &end) == 0 && (d->text[pos] == '[' || d->text[pos] == '{')) {
		d->has_coll = true;
		d->coll_object = d->text[pos] == '{';
		d->coll_open = pos;
		pos++;
		while (next_elem(&sc, d->coll_object, &pos, &first, &e,
		    &close) == 1) {
			elem_hash(d->text, d->coll_object, &e);
			push_elem(&d->elems, &d->nelems, &cap, &e);
		}
		d->coll_close = close;
	}
	rest_hash(d);
}

/* Validate a whole document. */
static int
validate(const char *name, const char *text, size_t len, char **cause)
{
	struct scan sc = { text, len, 0, NULL };
	size_t end, p = jscan_ws(text, len, 0);

	if (scan_value(&sc, p, &end, 0) == -1) {
		*cause = scan_cause(name, text, len, &sc);
		return -1;
	}
	if ((end = jscan_ws(text, len, end)) != len) {
		sc.errpos = end;
		sc.msg = "trailing characters after the value";
		*cause = scan_cause(name, text, len, &sc);
		return -1;
	}
	return 0;
}

struct jdoc *
jdoc_new(char *text, size_t len, const char *name, const char *path,
    char **cause)
{
	struct jdoc *d;

	if (validate(name, text, len, cause) == -1) {
		free(text);
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	d->text = text;
	d->len = len;
	d->name = xstrdup(name);
	d->path = path != NULL ? xstrdup(path) : NULL;
	index_all(d);
	return d;
}

void
jdoc_free(struct jdoc *d)
{
	if (d == NULL)
		return;
	free(d->text);
	free(d->name);
	free(d->path);
	free(d->elems);
	free(d);
}

/* Index of the last element ending before pos, or -1. */
static ssize_t
last_before(const struct jdoc *d, size_t pos)
{
	size_t lo = 0, hi = d->nelems;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->elems[mid].end < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

/* Index of the old element starting at pos, or -1. */
static ssize_t
find_start(const struct jdoc *d, size_t from, size_t pos)
{
	size_t lo = from, hi = d->nelems;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t s = elem_start(d, &d->elems[mid]);
		if (s == pos)
			return (ssize_t)mid;
		if (s < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * The incremental path: the change lies strictly inside the collection.
 * Returns 0 when spliced, 1 when the caller must re-index in full, -1 on
 * a syntax error in the new bytes (*cause set).
 */
static int
splice(struct jdoc *d, char *text, size_t len, size_t p, size_t newq,
    struct jdoc_change *ch, char **cause)
{
	struct scan sc = { text, len, 0, NULL };
	ssize_t k = last_before(d, p), j = -1, delta = (ssize_t)len -
	    (ssize_t)d->len;
	size_t pos, close, n = 0, cap = 0, first_new = (size_t)(k + 1);
	struct jdoc_elem e, *fresh = NULL;
	bool first = k < 0;
	int r;

	pos = k >= 0 ? d->elems[k].end : d->coll_open + 1;
	while ((r = next_elem(&sc, d->coll_object, &pos, &first, &e,
	    &close)) == 1) {
		size_t es = d->coll_object ? e.kstart : e.start;
		if (es >= newq && (j = find_start(d, first_new,
		    (size_t)((ssize_t)es - delta))) != -1)
			break;
		elem_hash(text, d->coll_object, &e);
		push_elem(&fresh, &n, &cap, &e);
	}
	if (r == -1) {
		*cause = scan_cause(d->name, text, len, &sc);
		free(fresh);
		return -1;
	}
	if (r == 0) {
		if ((ssize_t)close != (ssize_t)d->coll_close + delta) {
			free(fresh);
			return 1;
		}
		j = (ssize_t)d->nelems;
	}
	size_t tail = d->nelems - (size_t)j, total = first_new + n + tail;
	struct jdoc_elem *v = xreallocarray(NULL, total ? total : 1,
	    sizeof(*v));
	memcpy(v, d->elems, first_new * sizeof(*v));
	if (n > 0)
		memcpy(v + first_new, fresh, n * sizeof(*v));
	for (size_t i = 0; i < tail; i++) {
		struct jdoc_elem *o = &v[first_new + n + i];
		*o = d->elems[(size_t)j + i];
		o->start = (size_t)((ssize_t)o->start + delta);
		o->end = (size_t)((ssize_t)o->end + delta);
		if (d->coll_object) {
			o->kstart = (size_t)((ssize_t)o->kstart + delta);
			o->kend = (size_t)((ssize_t)o->kend + delta);
		}
	}
	ch->first = first_new;
	ch->nremoved = (size_t)j - first_new;
	ch->ninserted = n;
	free(fresh);
	free(d->elems);
	free(d->text);
	d->elems = v;
	d->nelems = total;
	d->text = text;
	d->coll_close = (size_t)((ssize_t)d->coll_close + delta);
	d->len = len;
	return 0;
}

int
jdoc_update(struct jdoc *d, char *text, size_t len, struct jdoc_change *ch,
    char **cause)
{
	size_t p = 0, s = 0, m = len < d->len ? len : d->len;
	int r = 1;

	memset(ch, 0, sizeof(*ch));
	/* Whole blocks through memcmp first: a 3 MB file costs well under a
	 * millisecond this way. */
	while (p + 4096 <= m && memcmp(text + p, d->text + p, 4096) == 0)
		p += 4096;
	while (p < m && text[p] == d->text[p])
		p++;
	if (p == m && len == d->len) {
		free(text);
		ch->unchanged = true;
		return 0;
	}
	while (s + 4096 <= m - p && memcmp(text + len - s - 4096,
	    d->text + d->len - s - 4096, 4096) == 0)
		s += 4096;
	while (s < m - p && text[len - 1 - s] == d->text[d->len - 1 - s])
		s++;
	if (d->has_coll && p > d->coll_open && d->len - s <= d->coll_close &&
	    (r = splice(d, text, len, p, len - s, ch, cause)) == -1) {
		free(text);
		return -1;
	}
	if (r == 1) {
		if (validate(d->name, text, len, cause) == -1) {
			free(text);
			return -1;
		}
		free(d->text);
		d->text = text;
		d->len = len;
		ch->nremoved = d->nelems;
		index_all(d);
		ch->full = true;
		ch->first = 0;
		ch->ninserted = d->nelems;
	}
	d->version++;
	return 0;
}

char *
jdoc_elem_key(const struct jdoc *d, size_t i)
{
	const struct jdoc_elem *e = &d->elems[i];

	return decode_key(d->text, e->kstart, e->kend);
}

char *
jdoc_rest_text(const struct jdoc *d, size_t *lenp)
{
	struct buf b = BUF_INIT;

	if (!d->has_coll)
		buf_add(&b, d->text, d->len);
	else {
		buf_add(&b, d->text, d->coll_open + 1);
		buf_add(&b, d->text + d->coll_close, d->len - d->coll_close);
	}
	return buf_detach(&b, lenp);
}
