/*
 * tmpl_json — JSON text to engine values and back.
 *
 * The reader is our own rather than jansson's because templates need
 * three things jansson does not give: object key order kept as written,
 * integers of any size (jansson overflows past 64 bits), and values
 * built straight into an arena with no intermediate tree.  It is strict
 * RFC 8259 (no comments, no trailing commas, no NaN) and reports the line
 * of the problem.  Nesting is bounded (TMPL_JSON_MAX_DEPTH).
 *
 * The writers produce Jinja2's tojson (sorted keys, ", "/": ", ASCII-only,
 * <>&' escaped for HTML) and a canonical compact form for hashing.
 */
#include "tmpl_json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tmpl_limits.h"
#include "xmalloc.h"

struct jr {
	struct arena	*a;
	const char	*s;
	size_t		 n, pos;
	int		 line;
	int		 depth;
	char		*err;
	int		 errline;
};

static int
jr_fail(struct jr *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err == NULL) {
		va_start(ap, fmt);
		if (xvasprintf(&r->err, fmt, ap) == -1)
			r->err = NULL;
		va_end(ap);
		r->errline = r->line;
	}
	return -1;
}

static void
jr_ws(struct jr *r)
{
	while (r->pos < r->n) {
		char c = r->s[r->pos];
		if (c == '\n')
			r->line++;
		else if (c != ' ' && c != '\t' && c != '\r')
			break;
		r->pos++;
	}
}

static int jr_value(struct jr *r, tv *out);

static int
hex4(const char *s, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int h = c >= '0' && c <= '9' ? c - '0' :
		    (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 :
		    -1;
		if (h < 0)
			return -1;
		*v = *v * 16 + (uint32_t)h;
	}
	return 0;
}

static int
jr_escape(struct jr *r, struct buf *b)
{
	char c = r->s[r->pos++];
	uint32_t cp, lo;

	switch (c) {
	case '"': buf_addc(b, '"'); return 0;
	case '\\': buf_addc(b, '\\'); return 0;
	case '/': buf_addc(b, '/'); return 0;
	case 'b': buf_addc(b, '\b'); return 0;
	case 'f': buf_addc(b, '\f'); return 0;
	case 'n': buf_addc(b, '\n'); return 0;
	case 'r': buf_addc(b, '\r'); return 0;
	case 't': buf_addc(b, '\t'); return 0;
	case 'u': break;
	default: return jr_fail(r, "invalid escape '\\%c' in string", c);
	}
	if (r->pos + 4 > r->n || hex4(r->s + r->pos, &cp) == -1)
		return jr_fail(r, "invalid \\u escape in string");
	r->pos += 4;
	if (cp >= 0xD800 && cp < 0xDC00 && r->pos + 6 <= r->n &&
	    r->s[r->pos] == '\\' && r->s[r->pos + 1] == 'u' &&
	    hex4(r->s + r->pos + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		r->pos += 6;
	}
	utf8_encode(cp, b);
	return 0;
}

static int
jr_string(struct jr *r, tv *out)
{
	size_t start = ++r->pos;
	struct buf b = BUF_INIT;
	bool esc = false;

	while (r->pos < r->n && r->s[r->pos] != '"') {
		unsigned char c = (unsigned char)r->s[r->pos];
		if (c < 0x20) {
			buf_free(&b);
			return jr_fail(r, "control character in string");
		}
		if (c == '\\') {
			if (!esc) {
				esc = true;
				buf_add(&b, r->s + start, r->pos - start);
			}
			r->pos++;
			if (r->pos >= r->n)
				break;
			if (jr_escape(r, &b) == -1) {
				buf_free(&b);
				return -1;
			}
			continue;
		}
		if (esc)
			buf_addc(&b, (char)c);
		r->pos++;
	}
	if (r->pos >= r->n) {
		buf_free(&b);
		return jr_fail(r, "unterminated string");
	}
	size_t len = esc ? b.len : r->pos - start;
	if (len > UINT32_MAX) {
		buf_free(&b);
		return jr_fail(r, "string too long");
	}
	*out = tv_strn(arena_memdup(r->a, esc ? b.data : r->s + start, len),
	    len);
	buf_free(&b);
	r->pos++;
	return 0;
}

static int
jr_number(struct jr *r, tv *out)
{
	size_t p = r->pos, start = p;
	bool is_float = false;

	if (p < r->n && r->s[p] == '-')
		p++;
	if (p >= r->n || r->s[p] < '0' || r->s[p] > '9')
		return jr_fail(r, "invalid number");
	if (r->s[p] == '0')
		p++;
	else
		while (p < r->n && r->s[p] >= '0' && r->s[p] <= '9')
			p++;
	if (p < r->n && r->s[p] == '.') {
		is_float = true;
		p++;
		if (p >= r->n || r->s[p] < '0' || r->s[p] > '9')
			return jr_fail(r, "invalid number");
		while (p < r->n && r->s[p] >= '0' && r->s[p] <= '9')
			p++;
	}
	if (p < r->n && (r->s[p] == 'e' || r->s[p] == 'E')) {
		is_float = true;
		p++;
		if (p < r->n && (r->s[p] == '+' || r->s[p] == '-'))
			p++;
		if (p >= r->n || r->s[p] < '0' || r->s[p] > '9')
			return jr_fail(r, "invalid number");
		while (p < r->n && r->s[p] >= '0' && r->s[p] <= '9')
			p++;
	}
	r->pos = p;
	if (is_float) {
		char *t = xmemdup(r->s + start, p - start);
		*out = tv_float(strtod(t, NULL));
		free(t);
		return 0;
	}
	if (tv_parse_int(NULL, r->s + start, p - start, 10, out) == -1)
		return jr_fail(r, "invalid number");
	if (out->type == TV_BIG)
		arena_defer(r->a, (void (*)(void *))BN_free, (void *)out->u.big);
	return 0;
}

static int
jr_array(struct jr *r, tv *out)
{
	struct tv_list *l = tv_list_new(r->a, 0);
	tv v;

	r->pos++;
	jr_ws(r);
	if (r->pos < r->n && r->s[r->pos] == ']') {
		r->pos++;
		goto done;
	}
	for (;;) {
		if (jr_value(r, &v) == -1)
			return -1;
		tv_list_push(r->a, l, v);
		jr_ws(r);
		if (r->pos < r->n && r->s[r->pos] == ',') {
			r->pos++;
			continue;
		}
		if (r->pos < r->n && r->s[r->pos] == ']') {
			r->pos++;
			break;
		}
		return jr_fail(r, "expected ',' or ']' in array");
	}
done:
	l->frozen = true;
	*out = tv_list_val(l);
	return 0;
}

static int
jr_object(struct jr *r, tv *out)
{
	struct tv_dict *d = tv_dict_new(r->a, 0);
	tv k, v;

	r->pos++;
	jr_ws(r);
	if (r->pos < r->n && r->s[r->pos] == '}') {
		r->pos++;
		goto done;
	}
	for (;;) {
		jr_ws(r);
		if (r->pos >= r->n || r->s[r->pos] != '"')
			return jr_fail(r, "expected a string key in object");
		if (jr_string(r, &k) == -1)
			return -1;
		jr_ws(r);
		if (r->pos >= r->n || r->s[r->pos] != ':')
			return jr_fail(r, "expected ':' after object key");
		r->pos++;
		if (jr_value(r, &v) == -1)
			return -1;
		tv_dict_set(r->a, d, k, v);
		jr_ws(r);
		if (r->pos < r->n && r->s[r->pos] == ',') {
			r->pos++;
			continue;
		}
		if (r->pos < r->n && r->s[r->pos] == '}') {
			r->pos++;
			break;
		}
		return jr_fail(r, "expected ',' or '}' in object");
	}
done:
	d->frozen = true;
	*out = tv_dict_val(d);
	return 0;
}

static bool
jr_word(struct jr *r, const char *w)
{
	size_t l = strlen(w);

	if (r->pos + l > r->n || memcmp(r->s + r->pos, w, l) != 0)
		return false;
	r->pos += l;
	return true;
}

static int
jr_value(struct jr *r, tv *out)
{
	int rc;

	jr_ws(r);
	if (r->pos >= r->n)
		return jr_fail(r, "unexpected end of data");
	switch (r->s[r->pos]) {
	case '{':
	case '[':
		if (++r->depth > TMPL_JSON_MAX_DEPTH)
			return jr_fail(r, "nesting deeper than %d levels",
			    TMPL_JSON_MAX_DEPTH);
		rc = r->s[r->pos] == '{' ? jr_object(r, out) : jr_array(r, out);
		r->depth--;
		return rc;
	case '"':
		return jr_string(r, out);
	case 't':
		if (jr_word(r, "true")) {
			*out = tv_bool(true);
			return 0;
		}
		break;
	case 'f':
		if (jr_word(r, "false")) {
			*out = tv_bool(false);
			return 0;
		}
		break;
	case 'n':
		if (jr_word(r, "null")) {
			*out = tv_none();
			return 0;
		}
		break;
	default:
		if (r->s[r->pos] == '-' || (r->s[r->pos] >= '0' &&
		    r->s[r->pos] <= '9'))
			return jr_number(r, out);
	}
	return jr_fail(r, "unexpected character '%c'", r->s[r->pos]);
}

int
tmpl_json_read(struct arena *a, const char *s, size_t n, tv *out, char **err,
    int *line)
{
	struct jr r = { .a = a, .s = s, .n = n, .line = 1 };

	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		r.pos = 3;
	if (jr_value(&r, out) == 0) {
		jr_ws(&r);
		if (r.pos < r.n)
			jr_fail(&r, "extra data after the JSON value");
	}
	if (r.err != NULL) {
		*err = r.err;
		*line = r.errline;
		return -1;
	}
	return 0;
}

/* ---- writers ---- */

static void
json_string(const char *s, size_t n, struct buf *b, bool html)
{
	size_t i = 0, adv;

	buf_addc(b, '"');
	while (i < n) {
		uint32_t c = utf8_decode(s + i, n - i, &adv);
		i += adv;
		switch (c) {
		case '"': buf_add(b, "\\\"", 2); continue;
		case '\\': buf_add(b, "\\\\", 2); continue;
		case '\n': buf_add(b, "\\n", 2); continue;
		case '\r': buf_add(b, "\\r", 2); continue;
		case '\t': buf_add(b, "\\t", 2); continue;
		case '\b': buf_add(b, "\\b", 2); continue;
		case '\f': buf_add(b, "\\f", 2); continue;
		}
		if (html && (c == '<' || c == '>' || c == '&' || c == '\'')) {
			buf_printf(b, "\\u%04x", c);
		} else if (c < 0x20 || (html && c >= 0x7F)) {
			if (c >= 0x10000) {
				c -= 0x10000;
				buf_printf(b, "\\u%04x\\u%04x", 0xD800 + (c >> 10),
				    0xDC00 + (c & 0x3FF));
			} else
				buf_printf(b, "\\u%04x", c);
		} else
			utf8_encode(c, b);
	}
	buf_addc(b, '"');
}

static int
cmp_keys(const void *x, const void *y)
{
	const struct tv_entry *a = *(const struct tv_entry *const *)x;
	const struct tv_entry *b = *(const struct tv_entry *const *)y;
	size_t n = a->key.len < b->key.len ? a->key.len : b->key.len;
	int c = memcmp(a->key.u.s, b->key.u.s, n);

	return c != 0 ? c : (a->key.len > b->key.len) - (a->key.len < b->key.len);
}

struct jw {
	struct tmpl_rt	*rt;
	struct buf	*b;
	int		 indent;	/* < 0: one line */
	bool		 html;		/* tojson; else canonical */
	int		 depth;
};

static void
jw_nl(struct jw *w, int level)
{
	buf_addc(w->b, '\n');
	for (int i = 0; i < level * w->indent; i++)
		buf_addc(w->b, ' ');
}

static int jw_value(struct jw *w, tv v, int level);

static int
jw_dict(struct jw *w, const struct tv_dict *d, int level)
{
	const struct tv_entry **e;

	if (d->len == 0) {
		buf_add(w->b, "{}", 2);
		return 0;
	}
	e = xreallocarray(NULL, d->len, sizeof(*e));
	for (uint32_t i = 0; i < d->len; i++) {
		if (d->e[i].key.type != TV_STR) {
			free(e);
			return w->rt ? tmpl_rt_error(w->rt, TMPL_ERR_TYPE,
			    "keys must be str for JSON") : -1;
		}
		e[i] = &d->e[i];
	}
	qsort(e, d->len, sizeof(*e), cmp_keys);
	buf_addc(w->b, '{');
	for (uint32_t i = 0; i < d->len; i++) {
		if (i > 0)
			buf_addstr(w->b, w->indent >= 0 || !w->html ? "," : ", ");
		if (w->indent >= 0)
			jw_nl(w, level + 1);
		json_string(e[i]->key.u.s, e[i]->key.len, w->b, w->html);
		buf_addstr(w->b, w->html ? ": " : ":");
		if (jw_value(w, e[i]->val, level + 1) == -1) {
			free(e);
			return -1;
		}
	}
	if (w->indent >= 0)
		jw_nl(w, level);
	buf_addc(w->b, '}');
	free(e);
	return 0;
}

static int
jw_value(struct jw *w, tv v, int level)
{
	if (level > TMPL_JSON_MAX_DEPTH)
		return w->rt ? tmpl_rt_error(w->rt, TMPL_ERR_LIMIT, "value "
		    "nests too deeply for JSON") : -1;
	switch (v.type) {
	case TV_NONE: buf_addstr(w->b, "null"); return 0;
	case TV_BOOL: buf_addstr(w->b, v.u.i ? "true" : "false"); return 0;
	case TV_INT:
	case TV_BIG:
		return tv_str_buf(w->rt, v, w->b);
	case TV_FLOAT:
		if (isnan(v.u.f))
			buf_addstr(w->b, "NaN");
		else if (isinf(v.u.f))
			buf_addstr(w->b, v.u.f < 0 ? "-Infinity" : "Infinity");
		else
			tv_float_repr(v.u.f, w->b);
		return 0;
	case TV_STR:
		json_string(v.u.s, v.len, w->b, w->html);
		return 0;
	case TV_LIST:
	case TV_TUPLE:
		if (v.u.list->len == 0) {
			buf_add(w->b, "[]", 2);
			return 0;
		}
		buf_addc(w->b, '[');
		for (uint32_t i = 0; i < v.u.list->len; i++) {
			if (i > 0)
				buf_addstr(w->b, w->indent >= 0 || !w->html ?
				    "," : ", ");
			if (w->indent >= 0)
				jw_nl(w, level + 1);
			if (jw_value(w, v.u.list->items[i], level + 1) == -1)
				return -1;
		}
		if (w->indent >= 0)
			jw_nl(w, level);
		buf_addc(w->b, ']');
		return 0;
	case TV_DICT:
		return jw_dict(w, v.u.dict, level);
	case TV_UNDEF:
	case TV_MISSING:
		if (w->rt)
			return tmpl_rt_undef_error(w->rt, v);
		buf_addstr(w->b, "null");
		return 0;
	}
	return w->rt ? tmpl_rt_error(w->rt, TMPL_ERR_TYPE, "Object of type %s "
	    "is not JSON serializable", tv_type_name(v)) : -1;
}

int
tmpl_tojson(struct tmpl_rt *rt, tv v, int indent, struct buf *b)
{
	struct jw w = { .rt = rt, .b = b, .indent = indent, .html = true };

	return jw_value(&w, v, 0);
}

int
tmpl_json_canonical(tv v, struct buf *b)
{
	struct jw w = { .b = b, .indent = -1, .html = false };

	return jw_value(&w, v, 0);
}
