/*
 * tmpl_filters_text — filters that lay text out: pprint (Python's
 * pprint.pformat with width 80 and sorted dicts), wordwrap (Python's
 * textwrap with Jinja2's options), striptags, urlencode, urlize and
 * xmlattr.
 */
#include "tmpl_filters.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tmpl_builtins.h"
#include "tmpl_eval.h"
#include "tmpl_limits.h"

#define ARGS(fname, params, n)						\
	tv args[n];							\
	if (tmpl_bind(rt, fname, a, params, args, n) == -1)		\
		return -1

/* ---- pprint ---- */

#define PP_WIDTH	80

/* Dict entries sorted by key (Python's order; type name on mismatch). */
static const struct tv_entry **
pp_sorted(struct tmpl_rt *rt, const struct tv_dict *d)
{
	const struct tv_entry **e = arena_alloc(rt->arena,
	    (d->len + 1) * sizeof(*e));

	for (uint32_t i = 0; i < d->len; i++)
		e[i] = &d->e[i];
	/* insertion sort: stable, dicts are small */
	for (uint32_t i = 1; i < d->len; i++) {
		const struct tv_entry *x = e[i];
		uint32_t j = i;
		while (j > 0) {
			int c = 0;
			tv a = e[j - 1]->key, b = x->key;
			if ((tv_is_num(a) && tv_is_num(b)) ||
			    a.type == b.type) {
				bool failed = rt->failed;
				if (tv_cmp(rt, a, b, &c) == -1 && !failed) {
					/* incomparable: keep insertion order */
					rt->failed = false;
					tmpl_error_clear(&rt->res->err);
					c = 0;
				}
			} else
				c = strcmp(tv_type_name(a), tv_type_name(b));
			if (c <= 0)
				break;
			e[j] = e[j - 1];
			j--;
		}
		e[j] = x;
	}
	return e;
}

static void
pp_repr(struct tmpl_rt *rt, tv v, struct buf *b, int depth)
{
	if (depth > TMPL_VALUE_MAXDEPTH) {
		tv_repr_buf(rt, v, b);
		return;
	}
	if (v.type == TV_DICT) {
		const struct tv_entry **e = pp_sorted(rt, v.u.dict);
		buf_addc(b, '{');
		for (uint32_t i = 0; i < v.u.dict->len; i++) {
			if (i > 0)
				buf_add(b, ", ", 2);
			pp_repr(rt, e[i]->key, b, depth + 1);
			buf_add(b, ": ", 2);
			pp_repr(rt, e[i]->val, b, depth + 1);
		}
		buf_addc(b, '}');
		return;
	}
	if (tv_is_seq(v)) {
		bool t = v.type == TV_TUPLE;
		buf_addc(b, t ? '(' : '[');
		for (uint32_t i = 0; i < v.u.list->len; i++) {
			if (i > 0)
				buf_add(b, ", ", 2);
			pp_repr(rt, v.u.list->items[i], b, depth + 1);
		}
		if (t && v.u.list->len == 1)
			buf_addc(b, ',');
		buf_addc(b, t ? ')' : ']');
		return;
	}
	tv_repr_buf(rt, v, b);
}

static void pp_format(struct tmpl_rt *, tv, struct buf *, size_t, size_t,
    int);

static void
pp_spaces(struct buf *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_addc(b, ' ');
}

static void
pp_items(struct tmpl_rt *rt, const struct tv_list *l, struct buf *b,
    size_t indent, size_t allowance, int depth)
{
	indent += 1;
	for (uint32_t i = 0; i < l->len; i++) {
		bool last = i + 1 == l->len;
		if (i > 0) {
			buf_add(b, ",\n", 2);
			pp_spaces(b, indent);
		}
		pp_format(rt, l->items[i], b, indent, last ? allowance : 1,
		    depth + 1);
	}
}

/* Code points of repr(s[0:n]). */
static size_t
repr_width(const char *s, size_t n)
{
	struct buf r = BUF_INIT;
	size_t w;

	str_repr(s, n, &r);
	w = utf8_len(r.data, r.len);
	buf_free(&r);
	return w;
}

static void
pp_chunk(struct buf *chunks, size_t *nchunks, const char *s, size_t n)
{
	if (*nchunks > 0)
		buf_addc(chunks, '\0');	/* chunks are NUL-separated reprs */
	str_repr(s, n, chunks);
	(*nchunks)++;
}

/* The end of the run of non-space then space characters at i. */
static size_t
pp_part(const char *s, size_t n, size_t i)
{
	size_t adv;

	while (i < n && !uc_isspace(utf8_decode(s + i, n - i, &adv)))
		i += adv;
	while (i < n && uc_isspace(utf8_decode(s + i, n - i, &adv)))
		i += adv;
	return i;
}

/* One line of a long string, cut at spaces into pieces that fit. */
static void
pp_str_line(const char *s, size_t n, size_t width, size_t last_width,
    struct buf *chunks, size_t *nchunks)
{
	size_t cur = 0, cur_end = 0, i = 0;

	while (i < n) {
		size_t j = pp_part(s, n, i);
		size_t w = j == n ? last_width : width;
		if (repr_width(s + cur, j - cur) > w) {
			if (cur_end > cur)
				pp_chunk(chunks, nchunks, s + cur, cur_end - cur);
			cur = i;
		}
		cur_end = j;
		i = j;
	}
	if (cur_end > cur)
		pp_chunk(chunks, nchunks, s + cur, cur_end - cur);
}

/*
 * Python's pprint of a string too wide for the line: split into lines
 * (kept ends), lines into space-separated pieces, each piece's repr on
 * its own line; at the top level wrapped in parentheses.
 */
static void
pp_str(tv v, struct buf *b, size_t indent, size_t allowance, int level)
{
	struct buf chunks = BUF_INIT;
	size_t nchunks = 0, start = 0, i = 0, lb;

	if (level == 1) {
		indent++;
		allowance++;
	}
	size_t width = PP_WIDTH > indent ? PP_WIDTH - indent : 0;
	while (start < v.len) {
		/* one line, its end included (str.splitlines(True)) */
		while (i < v.len && v.u.s[i] != '\n' && v.u.s[i] != '\r')
			i++;
		lb = i < v.len ? (v.u.s[i] == '\r' && i + 1 < v.len &&
		    v.u.s[i + 1] == '\n' ? 2 : 1) : 0;
		i += lb;
		size_t last = i >= v.len ? (width > allowance ? width - allowance :
		    0) : width;
		if (repr_width(v.u.s + start, i - start) <= last)
			pp_chunk(&chunks, &nchunks, v.u.s + start, i - start);
		else
			pp_str_line(v.u.s + start, i - start, width, last,
			    &chunks, &nchunks);
		start = i;
	}
	if (nchunks <= 1) {
		str_repr(v.u.s, v.len, b);
		buf_free(&chunks);
		return;
	}
	if (level == 1)
		buf_addc(b, '(');
	for (size_t k = 0, off = 0; k < nchunks; k++) {
		if (k > 0) {
			buf_addc(b, '\n');
			pp_spaces(b, indent);
		}
		size_t len = strlen(chunks.data + off);
		buf_add(b, chunks.data + off, len);
		off += len + 1;
	}
	if (level == 1)
		buf_addc(b, ')');
	buf_free(&chunks);
}

static void
pp_format(struct tmpl_rt *rt, tv v, struct buf *b, size_t indent,
    size_t allowance, int depth)
{
	struct buf rep = BUF_INIT;

	pp_repr(rt, v, &rep, depth);
	size_t width = utf8_len(rep.data ? rep.data : "", rep.len);
	size_t max = PP_WIDTH > indent + allowance ? PP_WIDTH - indent -
	    allowance : 0;
	if (width > max && v.type == TV_STR) {
		buf_free(&rep);
		pp_str(v, b, indent, allowance, depth + 1);
		return;
	}
	if (width <= max || !(v.type == TV_DICT || tv_is_seq(v)) ||
	    depth > TMPL_VALUE_MAXDEPTH) {
		buf_add(b, rep.data, rep.len);
		buf_free(&rep);
		return;
	}
	buf_free(&rep);
	if (v.type == TV_LIST) {
		buf_addc(b, '[');
		pp_items(rt, v.u.list, b, indent, allowance + 1, depth);
		buf_addc(b, ']');
		return;
	}
	if (v.type == TV_TUPLE) {
		const char *end = v.u.list->len == 1 ? ",)" : ")";
		buf_addc(b, '(');
		pp_items(rt, v.u.list, b, indent, allowance + strlen(end),
		    depth);
		buf_addstr(b, end);
		return;
	}
	const struct tv_entry **e = pp_sorted(rt, v.u.dict);
	buf_addc(b, '{');
	indent += 1;
	for (uint32_t i = 0; i < v.u.dict->len; i++) {
		bool last = i + 1 == v.u.dict->len;
		struct buf k = BUF_INIT;
		pp_repr(rt, e[i]->key, &k, depth + 1);
		buf_add(b, k.data, k.len);
		buf_add(b, ": ", 2);
		pp_format(rt, e[i]->val, b, indent + utf8_len(k.data, k.len) + 2,
		    last ? allowance + 1 : 1, depth + 1);
		buf_free(&k);
		if (!last) {
			buf_add(b, ",\n", 2);
			pp_spaces(b, indent);
		}
	}
	buf_addc(b, '}');
}

FILTER(f_pprint)
{
	struct buf b = BUF_INIT;

	(void)a;
	if (v.type == TV_UNDEF)
		return tmpl_rt_undef_error(rt, v);
	pp_format(rt, v, &b, 0, 0, 0);
	*out = tv_str_from_buf(rt, &b);
	buf_free(&b);
	return 0;
}

/* ---- wordwrap: Python's textwrap ---- */

/*
 * A line as code points with their byte offsets: textwrap measures and
 * cuts in characters, and its chunking rules look at letters around
 * hyphens.
 */
struct tw_line {
	const char	*s;
	uint32_t	*cp;
	size_t		*off;	/* byte offset of each code point, and the end */
	size_t		 n;
};

static bool
tw_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	    c == '\r';
}

static bool
tw_letter(const struct tw_line *l, size_t i)	/* [^\d\W] */
{
	return i < l->n && (uc_isalpha(l->cp[i]) || l->cp[i] == '_');
}

static bool
tw_word(const struct tw_line *l, size_t i)	/* \w */
{
	return i < l->n && (tw_letter(l, i) || uc_isdigit(l->cp[i]));
}

static bool
tw_punct(const struct tw_line *l, size_t i)	/* [\w!"'&.,?] */
{
	return tw_word(l, i) || (i < l->n && l->cp[i] < 0x80 &&
	    str_in_set((char)l->cp[i], "!\"'&.,?"));
}

/* -{2,}\w at i */
static bool
tw_emdash_at(const struct tw_line *l, size_t i)
{
	size_t j = i;

	while (j < l->n && l->cp[j] == '-')
		j++;
	return j - i >= 2 && tw_word(l, j);
}

/* The end of the chunk starting at p (textwrap's wordsep_re). */
static size_t
tw_chunk_end(const struct tw_line *l, size_t p, bool hyphens)
{
	size_t k;

	if (tw_space(l->cp[p])) {
		for (k = p; k < l->n && tw_space(l->cp[k]); k++)
			;
		return k;
	}
	if (hyphens && p > 0 && tw_punct(l, p - 1) && tw_emdash_at(l, p)) {
		for (k = p; l->cp[k] == '-'; k++)
			;
		return k;
	}
	for (k = p + 1; k < l->n && !tw_space(l->cp[k]); k++) {
		if (!hyphens)
			continue;
		/* a hyphen after two letters (or x-y-), before a letter pair */
		if (l->cp[k] == '-' && ((tw_letter(l, k - 1) && k >= 2 &&
		    tw_letter(l, k - 2)) || (k >= 3 && tw_letter(l, k - 1) &&
		    l->cp[k - 2] == '-' && tw_letter(l, k - 3))) &&
		    tw_letter(l, k + 1) && (tw_letter(l, k + 2) ||
		    (k + 2 < l->n && l->cp[k + 2] == '-' && tw_letter(l, k + 3))))
			return k + 1;
		if (tw_punct(l, k - 1) && tw_emdash_at(l, k))
			return k;
	}
	return k;
}

struct tw_chunk {
	size_t	a, b;	/* code points [a, b) */
};

static bool
tw_blank(const struct tw_line *l, const struct tw_chunk *c)
{
	for (size_t i = c->a; i < c->b; i++)
		if (!tw_space(l->cp[i]))
			return false;
	return true;
}

/*
 * textwrap.wrap() of one line: greedy filling, whitespace dropped at the
 * start (except the first line) and end of lines, long words broken (at
 * the last hyphen that fits).  Each line goes to b, preceded by wrap
 * unless it is the first of the whole text (*first).
 */
static void
tw_wrap(struct tmpl_rt *rt, const struct tw_line *l, size_t width,
    bool break_long, bool hyphens, tv wrap, struct buf *b, bool *first)
{
	struct tw_chunk *c = arena_alloc(rt->arena, (l->n + 1) * sizeof(*c));
	struct tw_chunk *cur = arena_alloc(rt->arena, (l->n + 1) * sizeof(*c));
	size_t nc = 0, pos = 0, lines = 0;

	for (size_t p = 0; p < l->n; nc++) {
		c[nc].a = p;
		p = c[nc].b = tw_chunk_end(l, p, hyphens);
	}
	while (pos < nc) {
		size_t ncur = 0, len = 0;
		if (lines > 0 && tw_blank(l, &c[pos]))
			pos++;
		while (pos < nc && len + (c[pos].b - c[pos].a) <= width) {
			len += c[pos].b - c[pos].a;
			cur[ncur++] = c[pos++];
		}
		if (pos < nc && c[pos].b - c[pos].a > width) {
			size_t space = width < 1 ? 1 : width - len, end = space;
			struct tw_chunk *ch = &c[pos];
			if (break_long) {
				if (hyphens && ch->b - ch->a > space) {
					/* chunk.rfind('-', 0, space) */
					size_t h = 0;
					bool other = false;
					for (size_t q = 0; q < space; q++)
						if (l->cp[ch->a + q] == '-')
							h = q;
					for (size_t q = 0; q < h; q++)
						other |= l->cp[ch->a + q] != '-';
					if (h > 0 && other)
						end = h + 1;
				}
				cur[ncur].a = ch->a;
				cur[ncur++].b = ch->a + end;
				ch->a += end;
			} else if (ncur == 0)
				cur[ncur++] = c[pos++];
		}
		if (ncur > 0 && tw_blank(l, &cur[ncur - 1]))
			ncur--;
		if (ncur == 0)
			continue;
		if (!*first)
			buf_add(b, wrap.u.s, wrap.len);
		*first = false;
		for (size_t i = 0; i < ncur; i++)
			buf_add(b, l->s + l->off[cur[i].a],
			    l->off[cur[i].b] - l->off[cur[i].a]);
		lines++;
	}
}

/* Python's str.splitlines boundaries (ASCII ones and NEL, LS, PS). */
static size_t
tw_line_break(const char *s, size_t n, size_t i)
{
	unsigned char c = (unsigned char)s[i];

	if (c == '\r')
		return i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
	if (c == '\n' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e))
		return 1;
	if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0x85)
		return 2;
	if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
	    ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9))
		return 3;
	return 0;
}

static void
tw_decode(struct tmpl_rt *rt, const char *s, size_t n, struct tw_line *l)
{
	size_t i = 0, adv;

	l->s = s;
	l->cp = arena_alloc(rt->arena, (n + 1) * sizeof(*l->cp));
	l->off = arena_alloc(rt->arena, (n + 1) * sizeof(*l->off));
	l->n = 0;
	while (i < n) {
		l->off[l->n] = i;
		l->cp[l->n++] = utf8_decode(s + i, n - i, &adv);
		i += adv;
	}
	l->off[l->n] = n;
}

FILTER(f_wordwrap)
{
	ARGS("wordwrap", "width,break_long_words,wrapstring,break_on_hyphens",
	    4);
	int64_t width;
	struct buf b = BUF_INIT;
	tv wrap = args[2].type == TV_STR ? args[2] : tv_cstr("\n");
	bool blong = flt_bool_arg(args[1], true);
	bool hyph = flt_bool_arg(args[3], true);
	if (flt_str(rt, v, &v) == -1 ||
	    flt_int_arg(rt, "wordwrap", args[0], 79, &width) == -1)
		return -1;
	if (width <= 0)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "invalid width %lld "
		    "(must be > 0)", (long long)width);
	/* wrap.join(wrap.join(textwrap.wrap(line)) for s.splitlines()) */
	size_t i = 0, start = 0, lb = 0;
	while (start < v.len) {
		while (i < v.len && (lb = tw_line_break(v.u.s, v.len, i)) == 0)
			i++;
		struct tw_line l;
		bool first = true;
		if (start > 0)
			buf_add(&b, wrap.u.s, wrap.len);
		tw_decode(rt, v.u.s + start, i - start, &l);
		tw_wrap(rt, &l, (size_t)width, blong, hyph, wrap, &b, &first);
		i = i < v.len ? i + lb : i;
		start = i;
		if (tmpl_rt_check_size(rt, b.len) == -1) {
			buf_free(&b);
			return -1;
		}
	}
	*out = tv_str_from_buf(rt, &b);
	buf_free(&b);
	return 0;
}

/* ---- striptags ---- */

static const struct {
	const char	*name;
	const char	*text;
} entities[] = {
	{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" },
	{ "apos", "'" }, { "nbsp", "\xc2\xa0" }, { "copy", "\xc2\xa9" },
	{ "reg", "\xc2\xae" }, { "hellip", "\xe2\x80\xa6" },
	{ "mdash", "\xe2\x80\x94" }, { "ndash", "\xe2\x80\x93" },
};

static void
unescape(const char *s, size_t n, struct buf *b)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '&') {
			buf_addc(b, s[i]);
			continue;
		}
		const char *semi = memchr(s + i, ';', n - i);
		size_t len = semi ? (size_t)(semi - s) - i - 1 : 0;
		bool done = false;
		if (semi != NULL && len > 1 && s[i + 1] == '#') {
			char *end;
			bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
			unsigned long cp = strtoul(s + i + (hex ? 3 : 2), &end,
			    hex ? 16 : 10);
			if (end == semi && cp > 0 && cp <= 0x10FFFF) {
				utf8_encode((uint32_t)cp, b);
				done = true;
			}
		}
		for (size_t k = 0; semi && !done &&
		    k < sizeof(entities) / sizeof(entities[0]); k++)
			if (strlen(entities[k].name) == len &&
			    memcmp(entities[k].name, s + i + 1, len) == 0) {
				buf_addstr(b, entities[k].text);
				done = true;
			}
		if (done)
			i = (size_t)(semi - s);
		else
			buf_addc(b, '&');
	}
}

FILTER(f_striptags)
{
	struct buf t = BUF_INIT, w = BUF_INIT, u = BUF_INIT;
	size_t i = 0;

	(void)a;
	if (flt_str(rt, v, &v) == -1)
		return -1;
	while (i < v.len) {
		if (v.len - i >= 4 && memcmp(v.u.s + i, "<!--", 4) == 0) {
			const char *e = str_find(v.u.s + i + 4, v.len - i - 4,
			    "-->", 3);
			if (e != NULL) {
				i = (size_t)(e - v.u.s) + 3;
				continue;
			}
		}
		if (v.u.s[i] == '<') {
			const char *e = memchr(v.u.s + i, '>', v.len - i);
			if (e != NULL) {
				i = (size_t)(e - v.u.s) + 1;
				continue;
			}
		}
		buf_addc(&t, v.u.s[i++]);
	}
	/* " ".join(s.split()) */
	for (size_t k = 0; k < t.len;) {
		while (k < t.len && tw_space(t.data[k]))
			k++;
		size_t st = k;
		while (k < t.len && !tw_space(t.data[k]))
			k++;
		if (k > st) {
			if (w.len > 0)
				buf_addc(&w, ' ');
			buf_add(&w, t.data + st, k - st);
		}
	}
	unescape(w.data ? w.data : "", w.len, &u);
	*out = tv_str_from_buf(rt, &u);
	buf_free(&t);
	buf_free(&w);
	buf_free(&u);
	return 0;
}

/* ---- urlencode and urlize ---- */

static void
url_quote(const char *s, size_t n, bool for_qs, struct buf *b)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-' || c == '~' || (c == '/' && !for_qs))
			buf_addc(b, (char)c);
		else if (c == ' ' && for_qs)
			buf_addc(b, '+');
		else
			buf_printf(b, "%%%02X", c);
	}
}

static int
quote_value(struct tmpl_rt *rt, tv v, bool for_qs, struct buf *b)
{
	if (flt_str(rt, v, &v) == -1)
		return -1;
	url_quote(v.u.s, v.len, for_qs, b);
	return 0;
}

FILTER(f_urlencode)
{
	struct buf b = BUF_INIT;
	struct tv_list *l;

	(void)a;
	if (v.type == TV_STR || !(v.type == TV_DICT || tv_is_seq(v))) {
		if (quote_value(rt, v, false, &b) == -1)
			goto fail;
	} else if (v.type == TV_DICT) {
		for (uint32_t i = 0; i < v.u.dict->len; i++) {
			if (i > 0)
				buf_addc(&b, '&');
			if (quote_value(rt, v.u.dict->e[i].key, true, &b) == -1)
				goto fail;
			buf_addc(&b, '=');
			if (quote_value(rt, v.u.dict->e[i].val, true, &b) == -1)
				goto fail;
		}
	} else {
		if (tv_iterate(rt, v, &l) == -1)
			goto fail;
		for (uint32_t i = 0; i < l->len; i++) {
			tv p = l->items[i];
			if (!tv_is_seq(p) || p.u.list->len != 2) {
				tmpl_rt_error(rt, TMPL_ERR_TYPE, "urlencode "
				    "needs (key, value) pairs");
				goto fail;
			}
			if (i > 0)
				buf_addc(&b, '&');
			if (quote_value(rt, p.u.list->items[0], true, &b) == -1)
				goto fail;
			buf_addc(&b, '=');
			if (quote_value(rt, p.u.list->items[1], true, &b) == -1)
				goto fail;
		}
	}
	*out = tv_str_from_buf(rt, &b);
	buf_free(&b);
	return 0;
fail:
	buf_free(&b);
	return -1;
}

static bool
has_prefix(const char *s, size_t n, const char *p)
{
	size_t l = strlen(p);

	return n >= l && strncmp(s, p, l) == 0;
}

/* One word: a link when it looks like a URL or an e-mail address. */
static void
urlize_word(const char *w, size_t n, struct buf *b, const char *rel,
    int64_t limit)
{
	size_t h = 0, t = n;

	while (h < t && str_in_set(w[h], "(<"))
		h++;
	while (t > h && str_in_set(w[t - 1], ".,)>\n!?:;'\""))
		t--;
	const char *u = w + h;
	size_t un = t - h;
	const char *at = memchr(u, '@', un);
	bool url = has_prefix(u, un, "http://") || has_prefix(u, un, "https://");
	bool www = has_prefix(u, un, "www.");
	bool mail = !url && !www && at != NULL && at > u &&
	    memchr(at, '.', un - (size_t)(at - u)) != NULL &&
	    memchr(u, ':', un) == NULL;
	if (!url && !www && !mail) {
		html_escape(w, n, b);
		return;
	}
	html_escape(w, h, b);
	buf_addstr(b, "<a href=\"");
	if (www)
		buf_addstr(b, "https://");
	else if (mail)
		buf_addstr(b, "mailto:");
	html_escape(u, un, b);
	buf_addc(b, '"');
	if (!mail && rel[0] != '\0')
		buf_printf(b, " rel=\"%s\"", rel);
	buf_addc(b, '>');
	if (limit > 0 && (int64_t)un > limit) {
		html_escape(u, (size_t)limit, b);
		buf_addstr(b, "...");
	} else
		html_escape(u, un, b);
	buf_addstr(b, "</a>");
	html_escape(w + t, n - t, b);
}

FILTER(f_urlize)
{
	ARGS("urlize", "trim_url_limit,nofollow,target,rel,extra_schemes", 5);
	struct buf b = BUF_INIT;
	int64_t limit;

	if (flt_str(rt, v, &v) == -1 ||
	    flt_int_arg(rt, "urlize", args[0], 0, &limit) == -1)
		return -1;
	const char *rel = flt_bool_arg(args[1], false) ?
	    "nofollow noopener" : "noopener";
	for (size_t i = 0; i < v.len;) {
		size_t j = i;
		if (tw_space(v.u.s[i])) {
			while (j < v.len && tw_space(v.u.s[j]))
				j++;
			buf_add(&b, v.u.s + i, j - i);
		} else {
			while (j < v.len && !tw_space(v.u.s[j]))
				j++;
			urlize_word(v.u.s + i, j - i, &b, rel, limit);
		}
		i = j;
	}
	*out = tv_str_from_buf(rt, &b);
	out->flags |= TVF_SAFE;
	buf_free(&b);
	return 0;
}

/* ---- xmlattr ---- */

FILTER(f_xmlattr)
{
	ARGS("xmlattr", "autospace", 1);
	struct buf b = BUF_INIT, s = BUF_INIT;
	bool first = true;

	if (v.type != TV_DICT)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "xmlattr needs a dict");
	for (uint32_t i = 0; i < v.u.dict->len; i++) {
		tv k = v.u.dict->e[i].key, x = v.u.dict->e[i].val;
		if (x.type == TV_NONE || x.type == TV_UNDEF)
			continue;
		if (flt_str(rt, k, &k) == -1)
			goto fail;
		for (uint32_t c = 0; c < k.len; c++)
			if (str_in_set(k.u.s[c], " \t\n\f/>=")) {
				tmpl_rt_error(rt, TMPL_ERR_OTHER, "Invalid "
				    "character in attribute name: '%.*s'",
				    (int)k.len, k.u.s);
				goto fail;
			}
		if (!first || flt_bool_arg(args[0], true))
			buf_addc(&b, ' ');
		first = false;
		html_escape(k.u.s, k.len, &b);
		buf_add(&b, "=\"", 2);
		buf_reset(&s);
		if (tv_str_buf(rt, x, &s) == -1)
			goto fail;
		html_escape(s.data ? s.data : "", s.len, &b);
		buf_addc(&b, '"');
	}
	*out = tv_str_from_buf(rt, &b);
	out->flags |= TVF_SAFE;
	buf_free(&b);
	buf_free(&s);
	return 0;
fail:
	buf_free(&b);
	buf_free(&s);
	return -1;
}
