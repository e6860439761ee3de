/*
 * tmpl_methods — Python's str, list and dict methods callable from
 * templates ('a,b'.split(','), d.items(), l.append(x)), one table.
 * A row names the types it applies to; self is the object.  Lists and
 * dicts that came from the data file are frozen: they are shared by every
 * render, so mutating them is an error instead of a silent shared change.
 */
#include <string.h>

#include "arena.h"
#include "tmpl_builtins.h"
#include "tmpl_eval.h"

#define T_STR	(1u << TV_STR)
#define T_LIST	(1u << TV_LIST)
#define T_TUPLE	(1u << TV_TUPLE)
#define T_DICT	(1u << TV_DICT)

static int
need_str(struct tmpl_rt *rt, const char *what, tv v)
{
	if (v.type == TV_STR)
		return 0;
	if (v.type == TV_UNDEF)
		return tmpl_rt_undef_error(rt, v);
	return tmpl_rt_error(rt, TMPL_ERR_TYPE, "%s must be str, not %s", what,
	    tv_type_name(v));
}

static int
opt_int(struct tmpl_rt *rt, tv v, int64_t dflt, int64_t *out)
{
	if (v.type == TV_MISSING || v.type == TV_NONE) {
		*out = dflt;
		return 0;
	}
	if (v.type != TV_INT && v.type != TV_BOOL)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "'%s' object cannot be "
		    "interpreted as an integer", tv_type_name(v));
	*out = v.u.i;
	return 0;
}

static int
frozen_error(struct tmpl_rt *rt, const char *what)
{
	return tmpl_rt_error(rt, TMPL_ERR_TYPE, "cannot %s: this value comes "
	    "from the template data, which is shared and read-only (copy it "
	    "with |list or dict(...) first)", what);
}

/* ---- str: case ---- */

typedef void (*strmap_fn)(const char *, size_t, struct buf *);

static int
str_mapped(struct tmpl_rt *rt, tv self, strmap_fn fn, tv *out)
{
	struct buf b = BUF_INIT;

	fn(self.u.s, self.len, &b);
	*out = tv_str_from_buf(rt, &b);
	buf_free(&b);
	return 0;
}

#define STRMAP(name, fn)						\
static int								\
m_##name(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out) \
{									\
	(void)a;							\
	return str_mapped(rt, self, fn, out);				\
}
STRMAP(upper, str_upper)
STRMAP(lower, str_lower)
STRMAP(title, str_title)
STRMAP(capitalize, str_capitalize)
STRMAP(swapcase, str_swapcase)

/* casefold: lowercase, with the sharp s folded to "ss" as Python does. */
static void
str_casefold(const char *s, size_t n, struct buf *b)
{
	struct buf t = BUF_INIT;

	str_lower(s, n, &t);
	for (size_t i = 0; i < t.len; i++) {
		if (i + 1 < t.len && (unsigned char)t.data[i] == 0xC3 &&
		    (unsigned char)t.data[i + 1] == 0x9F) {
			buf_add(b, "ss", 2);
			i++;
		} else
			buf_addc(b, t.data[i]);
	}
	buf_free(&t);
}

STRMAP(casefold, str_casefold)

/* ---- str: strip, split, join ---- */

static int
strip_common(struct tmpl_rt *rt, tv self, const struct tmpl_args *a,
    int which, tv *out)
{
	tv args[1];
	size_t s, e;

	if (tmpl_bind(rt, "strip", a, "chars", args, 1) == -1)
		return -1;
	if (args[0].type == TV_MISSING || args[0].type == TV_NONE)
		str_strip(self.u.s, self.len, NULL, 0, which, &s, &e);
	else {
		if (need_str(rt, "strip arg", args[0]) == -1)
			return -1;
		str_strip(self.u.s, self.len, args[0].u.s, args[0].len, which,
		    &s, &e);
	}
	*out = tv_strn(self.u.s + s, e - s);
	return 0;
}

static int
m_strip(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return strip_common(rt, self, a, 3, out);
}

static int
m_lstrip(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return strip_common(rt, self, a, 1, out);
}

static int
m_rstrip(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return strip_common(rt, self, a, 2, out);
}

static bool
is_space_at(const char *s, size_t n, size_t i, size_t *adv)
{
	return uc_isspace(utf8_decode(s + i, n - i, adv));
}

/* split() without a separator: runs of whitespace. */
static void
split_ws(struct tmpl_rt *rt, tv self, int64_t max, struct tv_list *l)
{
	const char *s = self.u.s;
	size_t n = self.len, i = 0, adv;

	for (;;) {
		while (i < n && is_space_at(s, n, i, &adv))
			i += adv;
		if (i >= n)
			break;
		size_t start = i;
		if (max >= 0 && (int64_t)l->len >= max) {
			/* the rest, trailing whitespace and all, as Python */
			tv_list_push(rt->arena, l, tv_strn(s + start, n - start));
			break;
		}
		while (i < n && !is_space_at(s, n, i, &adv))
			i += adv;
		tv_list_push(rt->arena, l, tv_strn(s + start, i - start));
	}
}

static int
split_common(struct tmpl_rt *rt, tv self, const struct tmpl_args *a,
    bool right, tv *out)
{
	tv args[2];
	int64_t max = 0;
	struct tv_list *l = tv_list_new(rt->arena, 0);

	if (tmpl_bind(rt, right ? "rsplit" : "split", a, "sep,maxsplit", args,
	    2) == -1 || opt_int(rt, args[1], -1, &max) == -1)
		return -1;
	*out = tv_list_val(l);
	if (args[0].type == TV_MISSING || args[0].type == TV_NONE) {
		if (!right || max < 0) {
			split_ws(rt, self, max, l);
			return 0;
		}
		/* rsplit(None, n): split from the right on whitespace */
		struct tv_list *all = tv_list_new(rt->arena, 0);
		split_ws(rt, self, -1, all);
		if ((int64_t)all->len < max + 1) {
			*l = *all;
			return 0;
		}
		size_t keep = all->len - (size_t)max;
		tv last = all->items[keep - 1];
		tv_list_push(rt->arena, l, tv_strn(self.u.s,
		    (size_t)(last.u.s - self.u.s) + last.len));
		for (size_t i = keep; i < all->len; i++)
			tv_list_push(rt->arena, l, all->items[i]);
		return 0;
	}
	if (need_str(rt, "separator", args[0]) == -1)
		return -1;
	tv sep = args[0];
	if (sep.len == 0)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "empty separator");
	const char *s = self.u.s;
	size_t n = self.len;
	if (!right) {
		size_t i = 0;
		const char *p;
		while ((max < 0 || (int64_t)l->len < max) &&
		    (p = str_find(s + i, n - i, sep.u.s, sep.len)) != NULL) {
			tv_list_push(rt->arena, l, tv_strn(s + i,
			    (size_t)(p - s) - i));
			i = (size_t)(p - s) + sep.len;
		}
		tv_list_push(rt->arena, l, tv_strn(s + i, n - i));
		return 0;
	}
	/* rsplit: collect from the right, then reverse */
	size_t end = n;
	struct tv_list *r = tv_list_new(rt->arena, 0);
	while (max < 0 || (int64_t)r->len < max) {
		const char *p = NULL;
		for (size_t i = end; i >= sep.len; i--)
			if (memcmp(s + i - sep.len, sep.u.s, sep.len) == 0) {
				p = s + i - sep.len;
				break;
			}
		if (p == NULL)
			break;
		size_t at = (size_t)(p - s);
		tv_list_push(rt->arena, r, tv_strn(s + at + sep.len,
		    end - at - sep.len));
		end = at;
	}
	tv_list_push(rt->arena, l, tv_strn(s, end));
	for (uint32_t i = r->len; i-- > 0;)
		tv_list_push(rt->arena, l, r->items[i]);
	return 0;
}

static int
m_split(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return split_common(rt, self, a, false, out);
}

static int
m_rsplit(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return split_common(rt, self, a, true, out);
}

static int
m_splitlines(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	struct tv_list *l = tv_list_new(rt->arena, 0);
	const char *s = self.u.s;
	size_t n = self.len, start = 0, i = 0;
	tv args[1];

	if (tmpl_bind(rt, "splitlines", a, "keepends", args, 1) == -1)
		return -1;
	bool keep = args[0].type == TV_BOOL && args[0].u.i;
	while (i < n) {
		if (s[i] == '\n' || s[i] == '\r') {
			size_t e = i;
			if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
			i++;
			tv_list_push(rt->arena, l, tv_strn(s + start,
			    (keep ? i : e) - start));
			start = i;
		} else
			i++;
	}
	if (start < n)
		tv_list_push(rt->arena, l, tv_strn(s + start, n - start));
	*out = tv_list_val(l);
	return 0;
}

static int
m_join(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	tv args[1];
	struct tv_list *l;
	struct buf b = BUF_INIT;

	if (tmpl_bind(rt, "join", a, "iterable", args, 1) == -1 ||
	    tv_iterate(rt, args[0], &l) == -1)
		return -1;
	for (uint32_t i = 0; i < l->len; i++) {
		tv v = l->items[i];
		if (v.type != TV_STR) {
			buf_free(&b);
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "sequence item "
			    "%u: expected str instance, %s found", i,
			    tv_type_name(v));
		}
		if (i > 0)
			buf_add(&b, self.u.s, self.len);
		buf_add(&b, v.u.s, v.len);
	}
	*out = tv_str_from_buf(rt, &b);
	buf_free(&b);
	return 0;
}

/* ---- str: search and replace ---- */

static int
m_replace(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	tv args[3];
	int64_t count = 0;
	struct buf *b;

	if (tmpl_bind(rt, "replace", a, "old,new,count", args, 3) == -1 ||
	    need_str(rt, "replace() argument 1", args[0]) == -1 ||
	    need_str(rt, "replace() argument 2", args[1]) == -1 ||
	    opt_int(rt, args[2], -1, &count) == -1)
		return -1;
	b = tmpl_rt_buf(rt);
	tv old = args[0], rep = args[1];
	const char *s = self.u.s;
	size_t n = self.len, i = 0;
	if (old.len == 0) {
		size_t adv;
		int64_t done = 0;
		while (count < 0 || done < count) {
			if (tmpl_rt_check_size(rt, b->len + rep.len) == -1) {
				tmpl_rt_buf_drop(rt, b);
				return -1;
			}
			buf_add(b, rep.u.s, rep.len);
			done++;
			if (i >= n)
				break;
			utf8_decode(s + i, n - i, &adv);
			buf_add(b, s + i, adv);
			i += adv;
		}
		buf_add(b, s + i, n - i);
	} else {
		const char *p;
		int64_t done = 0;
		while ((count < 0 || done < count) &&
		    (p = str_find(s + i, n - i, old.u.s, old.len)) != NULL) {
			if (tmpl_rt_check_size(rt, b->len + rep.len) == -1) {
				tmpl_rt_buf_drop(rt, b);
				return -1;
			}
			buf_add(b, s + i, (size_t)(p - s) - i);
			buf_add(b, rep.u.s, rep.len);
			i = (size_t)(p - s) + old.len;
			done++;
		}
		buf_add(b, s + i, n - i);
	}
	if (tmpl_rt_check_size(rt, b->len) == -1) {
		tmpl_rt_buf_drop(rt, b);
		return -1;
	}
	*out = tmpl_rt_buf_str(rt, b);
	return 0;
}

static bool
match_at(tv self, tv x, bool end)
{
	if (x.len > self.len)
		return false;
	return memcmp(self.u.s + (end ? self.len - x.len : 0), x.u.s,
	    x.len) == 0;
}

static int
affix(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, bool end,
    tv *out)
{
	tv args[1];

	if (tmpl_bind(rt, end ? "endswith" : "startswith", a, "prefix", args,
	    1) == -1)
		return -1;
	if (tv_is_seq(args[0])) {
		for (uint32_t i = 0; i < args[0].u.list->len; i++) {
			tv x = args[0].u.list->items[i];
			if (need_str(rt, "tuple item", x) == -1)
				return -1;
			if (match_at(self, x, end)) {
				*out = tv_bool(true);
				return 0;
			}
		}
		*out = tv_bool(false);
		return 0;
	}
	if (need_str(rt, "prefix", args[0]) == -1)
		return -1;
	*out = tv_bool(match_at(self, args[0], end));
	return 0;
}

static int
m_startswith(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return affix(rt, self, a, false, out);
}

static int
m_endswith(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return affix(rt, self, a, true, out);
}

/* find/rfind/index/rindex/count over code points. */
static int
search(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, int mode,
    tv *out)
{
	static const char *const names[] = { "find", "rfind", "index",
	    "rindex", "count" };
	tv args[3];
	int64_t start = 0, end = 0;

	if (tmpl_bind(rt, names[mode], a, "sub,start,end", args, 3) == -1 ||
	    need_str(rt, "substring", args[0]) == -1)
		return -1;
	int64_t len = (int64_t)utf8_len(self.u.s, self.len);
	if (opt_int(rt, args[1], 0, &start) == -1 ||
	    opt_int(rt, args[2], len, &end) == -1)
		return -1;
	if (start < 0 && (start += len) < 0)
		start = 0;
	if (end < 0 && (end += len) < 0)
		end = 0;
	if (end > len)
		end = len;
	size_t bs = utf8_offset(self.u.s, self.len, (size_t)start);
	size_t be = end > start ? utf8_offset(self.u.s, self.len, (size_t)end) :
	    bs;
	tv sub = args[0];
	int64_t found = -1, count = 0;
	for (size_t i = bs; i + sub.len <= be; i++) {
		if (((unsigned char)self.u.s[i] & 0xC0) == 0x80)
			continue;
		if (memcmp(self.u.s + i, sub.u.s, sub.len) != 0)
			continue;
		found = (int64_t)utf8_len(self.u.s, i);
		count++;
		if (mode == 0 || mode == 2)
			break;
		if (mode == 4 && sub.len > 0)
			i += sub.len - 1;
	}
	if (mode == 4) {
		*out = tv_int(start > len ? 0 : count);
		return 0;
	}
	if (found < 0 && mode >= 2)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "substring not found");
	*out = tv_int(found);
	return 0;
}

static int
m_find(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return search(rt, self, a, 0, out);
}

static int
m_rfind(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return search(rt, self, a, 1, out);
}

static int
m_sindex(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return search(rt, self, a, 2, out);
}

static int
m_rindex(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return search(rt, self, a, 3, out);
}

static int
m_scount(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return search(rt, self, a, 4, out);
}

static int
m_format(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return tmpl_str_format(rt, self, a, out);
}

static int
partition(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, bool right,
    tv *out)
{
	tv args[1];
	struct tv_list *l = tv_list_new(rt->arena, 3);
	const char *p = NULL;

	if (tmpl_bind(rt, "partition", a, "sep", args, 1) == -1 ||
	    need_str(rt, "separator", args[0]) == -1)
		return -1;
	tv sep = args[0];
	if (sep.len == 0)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "empty separator");
	if (!right)
		p = str_find(self.u.s, self.len, sep.u.s, sep.len);
	else
		for (size_t i = self.len; i >= sep.len && p == NULL; i--)
			if (memcmp(self.u.s + i - sep.len, sep.u.s, sep.len) == 0)
				p = self.u.s + i - sep.len;
	l->len = 3;
	l->frozen = true;
	if (p == NULL) {
		l->items[right ? 2 : 0] = self;
		l->items[1] = tv_strn("", 0);
		l->items[right ? 0 : 2] = tv_strn("", 0);
	} else {
		size_t at = (size_t)(p - self.u.s);
		l->items[0] = tv_strn(self.u.s, at);
		l->items[1] = sep;
		l->items[2] = tv_strn(p + sep.len, self.len - at - sep.len);
	}
	*out = tv_tuple_val(l);
	return 0;
}

static int
m_partition(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return partition(rt, self, a, false, out);
}

static int
m_rpartition(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return partition(rt, self, a, true, out);
}

static int
affix_remove(struct tmpl_rt *rt, tv self, const struct tmpl_args *a,
    bool end, tv *out)
{
	tv args[1];

	if (tmpl_bind(rt, "removeprefix", a, "affix", args, 1) == -1 ||
	    need_str(rt, "argument", args[0]) == -1)
		return -1;
	*out = self;
	if (match_at(self, args[0], end)) {
		out->len -= args[0].len;
		if (!end)
			out->u.s += args[0].len;
	}
	return 0;
}

static int
m_removeprefix(struct tmpl_rt *rt, tv self, const struct tmpl_args *a,
    tv *out)
{
	return affix_remove(rt, self, a, false, out);
}

static int
m_removesuffix(struct tmpl_rt *rt, tv self, const struct tmpl_args *a,
    tv *out)
{
	return affix_remove(rt, self, a, true, out);
}

/* ---- str: padding ---- */

static int
justify(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, char how,
    tv *out)
{
	tv args[2];
	int64_t width = 0;
	struct buf b = BUF_INIT;

	if (tmpl_bind(rt, "ljust", a, "width,fillchar", args, 2) == -1 ||
	    opt_int(rt, args[0], 0, &width) == -1)
		return -1;
	tv fill = args[1].type == TV_MISSING ? tv_cstr(" ") : args[1];
	if (need_str(rt, "fill character", fill) == -1)
		return -1;
	if (utf8_len(fill.u.s, fill.len) != 1)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "The fill character "
		    "must be exactly one character long");
	int64_t len = (int64_t)utf8_len(self.u.s, self.len);
	if (width > 100000000 || tmpl_rt_check_size(rt, (size_t)(width > 0 ?
	    width : 0) * fill.len) == -1)
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "width too large");
	int64_t total = width > len ? width - len : 0, left = 0;
	if (how == '>')
		left = total;
	else if (how == '^')
		left = total / 2 + (total & width & 1);
	for (int64_t i = 0; i < left; i++)
		buf_add(&b, fill.u.s, fill.len);
	buf_add(&b, self.u.s, self.len);
	for (int64_t i = left; i < total; i++)
		buf_add(&b, fill.u.s, fill.len);
	*out = tv_str_from_buf(rt, &b);
	buf_free(&b);
	return 0;
}

static int
m_ljust(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return justify(rt, self, a, '<', out);
}

static int
m_rjust(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return justify(rt, self, a, '>', out);
}

static int
m_center(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	return justify(rt, self, a, '^', out);
}

static int
m_zfill(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	tv args[1];
	int64_t width = 0;
	struct buf b = BUF_INIT;

	if (tmpl_bind(rt, "zfill", a, "width", args, 1) == -1 ||
	    opt_int(rt, args[0], 0, &width) == -1)
		return -1;
	int64_t len = (int64_t)utf8_len(self.u.s, self.len);
	if (width > 100000000 || tmpl_rt_check_size(rt, (size_t)(width > 0 ?
	    width : 0)) == -1)
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "width too large");
	size_t sign = self.len > 0 && (self.u.s[0] == '-' ||
	    self.u.s[0] == '+');
	buf_add(&b, self.u.s, sign);
	for (int64_t i = len; i < width; i++)
		buf_addc(&b, '0');
	buf_add(&b, self.u.s + sign, self.len - sign);
	*out = tv_str_from_buf(rt, &b);
	buf_free(&b);
	return 0;
}

/* ---- str: predicates ---- */

static int
str_all(tv self, bool (*pred)(uint32_t), tv *out)
{
	size_t i = 0, adv;
	bool ok = self.len > 0;

	while (i < self.len && ok) {
		ok = pred(utf8_decode(self.u.s + i, self.len - i, &adv));
		i += adv;
	}
	*out = tv_bool(ok);
	return 0;
}

static bool
uc_isalnum(uint32_t c)
{
	return uc_isalpha(c) || uc_isdigit(c);
}

#define STRPRED(name, pred)						\
static int								\
m_##name(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out) \
{									\
	(void)rt; (void)a;						\
	return str_all(self, pred, out);				\
}
STRPRED(isalpha, uc_isalpha)
STRPRED(isdigit, uc_isdigit)
STRPRED(isalnum, uc_isalnum)
STRPRED(isspace, uc_isspace)

static int
m_isupper(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	bool r;

	(void)a;
	struct tmpl_args none = { 0 };
	if (tmpl_apply_test(rt, "upper", 5, self, &none, &r) == -1)
		return -1;
	*out = tv_bool(r);
	return 0;
}

static int
m_islower(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	bool r;

	(void)a;
	struct tmpl_args none = { 0 };
	if (tmpl_apply_test(rt, "lower", 5, self, &none, &r) == -1)
		return -1;
	*out = tv_bool(r);
	return 0;
}

/* ---- list ---- */

static int
m_append(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	tv args[1];

	if (self.u.list->frozen)
		return frozen_error(rt, "append to this list");
	if (tmpl_bind(rt, "append", a, "object", args, 1) == -1)
		return -1;
	if (args[0].type == TV_MISSING)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "append() takes exactly "
		    "one argument (0 given)");
	tv_list_push(rt->arena, self.u.list, args[0]);
	*out = tv_none();
	return 0;
}

static int
m_extend(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	tv args[1];
	struct tv_list *l;

	if (self.u.list->frozen)
		return frozen_error(rt, "extend this list");
	if (tmpl_bind(rt, "extend", a, "iterable", args, 1) == -1 ||
	    tv_iterate(rt, args[0], &l) == -1)
		return -1;
	uint32_t n = l->len;
	for (uint32_t i = 0; i < n; i++)
		tv_list_push(rt->arena, self.u.list, l->items[i]);
	*out = tv_none();
	return 0;
}

static int
m_insert(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	tv args[2];
	int64_t i = 0;
	struct tv_list *l = self.u.list;

	if (l->frozen)
		return frozen_error(rt, "insert into this list");
	if (tmpl_bind(rt, "insert", a, "index,object", args, 2) == -1 ||
	    opt_int(rt, args[0], 0, &i) == -1)
		return -1;
	if (i < 0 && (i += l->len) < 0)
		i = 0;
	if (i > l->len)
		i = l->len;
	tv_list_push(rt->arena, l, tv_none());
	memmove(&l->items[i + 1], &l->items[i], (l->len - 1 - (size_t)i) *
	    sizeof(tv));
	l->items[i] = args[1];
	*out = tv_none();
	return 0;
}

static int
m_pop(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	tv args[2];
	int64_t i = 0;

	if (self.type == TV_DICT) {
		struct tv_dict *d = self.u.dict;
		if (d->frozen)
			return frozen_error(rt, "pop from this dict");
		if (tmpl_bind(rt, "pop", a, "key,default", args, 2) == -1)
			return -1;
		const tv *v = tv_dict_get(d, args[0]);
		if (v == NULL) {
			if (args[1].type == TV_MISSING)
				return tmpl_rt_error(rt, TMPL_ERR_OTHER,
				    "KeyError");
			*out = args[1];
			return 0;
		}
		*out = *v;
		/* rebuild without the key */
		struct tv_dict *n = tv_dict_new(rt->arena, d->len);
		for (uint32_t k = 0; k < d->len; k++)
			if (!tv_eq(d->e[k].key, args[0]))
				tv_dict_set(rt->arena, n, d->e[k].key,
				    d->e[k].val);
		*d = *n;
		return 0;
	}
	struct tv_list *l = self.u.list;
	if (l->frozen)
		return frozen_error(rt, "pop from this list");
	if (tmpl_bind(rt, "pop", a, "index", args, 1) == -1 ||
	    opt_int(rt, args[0], -1, &i) == -1)
		return -1;
	if (i < 0)
		i += l->len;
	if (i < 0 || i >= l->len)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "pop index out of "
		    "range");
	*out = l->items[i];
	memmove(&l->items[i], &l->items[i + 1], (l->len - 1 - (size_t)i) *
	    sizeof(tv));
	l->len--;
	return 0;
}

static int
m_lindex(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	tv args[1];

	if (tmpl_bind(rt, "index", a, "value", args, 1) == -1)
		return -1;
	for (uint32_t i = 0; i < self.u.list->len; i++)
		if (tv_eq(self.u.list->items[i], args[0])) {
			*out = tv_int(i);
			return 0;
		}
	struct buf b = BUF_INIT;
	tv_repr_buf(rt, args[0], &b);
	tmpl_rt_error(rt, TMPL_ERR_OTHER, "%s is not in list", b.data);
	buf_free(&b);
	return -1;
}

static int
m_lcount(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	tv args[1];
	int64_t n = 0;

	if (tmpl_bind(rt, "count", a, "value", args, 1) == -1)
		return -1;
	for (uint32_t i = 0; i < self.u.list->len; i++)
		n += tv_eq(self.u.list->items[i], args[0]);
	*out = tv_int(n);
	return 0;
}

static int
m_copy(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	(void)a;
	if (self.type == TV_DICT) {
		struct tv_dict *d = tv_dict_new(rt->arena, self.u.dict->len);
		for (uint32_t i = 0; i < self.u.dict->len; i++)
			tv_dict_set(rt->arena, d, self.u.dict->e[i].key,
			    self.u.dict->e[i].val);
		*out = tv_dict_val(d);
		return 0;
	}
	struct tv_list *l = tv_list_new(rt->arena, self.u.list->len);
	tv_copy(l->items, self.u.list->items, self.u.list->len);
	l->len = self.u.list->len;
	*out = tv_list_val(l);
	return 0;
}

static int
m_reverse(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	struct tv_list *l = self.u.list;

	(void)a;
	if (l->frozen)
		return frozen_error(rt, "reverse this list");
	for (uint32_t i = 0; i < l->len / 2; i++) {
		tv t = l->items[i];
		l->items[i] = l->items[l->len - 1 - i];
		l->items[l->len - 1 - i] = t;
	}
	*out = tv_none();
	return 0;
}

/* ---- dict and its views ---- */

struct view_obj {
	struct tv_obj	 base;
	struct tv_dict	*d;
	int		 kind;	/* 0 keys, 1 values, 2 items */
};

static int
view_items(struct tmpl_rt *rt, struct tv_obj *o, struct tv_list **out)
{
	struct view_obj *v = (struct view_obj *)o;
	struct tv_list *l = tv_list_new(rt->arena, v->d->len);

	for (uint32_t i = 0; i < v->d->len; i++) {
		if (v->kind == 0)
			l->items[i] = v->d->e[i].key;
		else if (v->kind == 1)
			l->items[i] = v->d->e[i].val;
		else {
			struct tv_list *p = tv_list_new(rt->arena, 2);
			p->items[0] = v->d->e[i].key;
			p->items[1] = v->d->e[i].val;
			p->len = 2;
			p->frozen = true;
			l->items[i] = tv_tuple_val(p);
		}
	}
	l->len = v->d->len;
	l->frozen = true;
	*out = l;
	return 0;
}

static void
view_repr(struct tmpl_rt *rt, struct tv_obj *o, struct buf *b)
{
	static const char *const names[] = { "dict_keys", "dict_values",
	    "dict_items" };
	struct tv_list *l;

	buf_addstr(b, names[((struct view_obj *)o)->kind]);
	buf_addc(b, '(');
	if (view_items(rt, o, &l) == 0)
		tv_repr_buf(rt, tv_list_val(l), b);
	buf_addc(b, ')');
}

static const struct tv_objtype view_types[] = {
	{ .name = "dict_keys", .items = view_items, .repr = view_repr },
	{ .name = "dict_values", .items = view_items, .repr = view_repr },
	{ .name = "dict_items", .items = view_items, .repr = view_repr },
};

static int
dict_view(struct tmpl_rt *rt, tv self, int kind, tv *out)
{
	struct view_obj *v = arena_zalloc(rt->arena, sizeof(*v));

	v->base.type = &view_types[kind];
	v->d = self.u.dict;
	v->kind = kind;
	*out = tv_obj(&v->base);
	return 0;
}

static int
m_keys(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	(void)a;
	return dict_view(rt, self, 0, out);
}

static int
m_values(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	(void)a;
	return dict_view(rt, self, 1, out);
}

static int
m_items(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	(void)a;
	return dict_view(rt, self, 2, out);
}

static int
m_get(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	tv args[2];

	if (tmpl_bind(rt, "get", a, "key,default", args, 2) == -1)
		return -1;
	const tv *v = tv_dict_get(self.u.dict, args[0]);
	*out = v != NULL ? *v : args[1].type == TV_MISSING ? tv_none() :
	    args[1];
	return 0;
}

static int
m_update(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	struct tv_dict *d = self.u.dict;

	if (d->frozen)
		return frozen_error(rt, "update this dict");
	for (size_t i = 0; i < a->npos; i++) {
		tv src = a->pos[i];
		if (src.type != TV_DICT)
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "update() "
			    "needs a dict, not %s", tv_type_name(src));
		for (uint32_t k = 0; k < src.u.dict->len; k++)
			tv_dict_set(rt->arena, d, src.u.dict->e[k].key,
			    src.u.dict->e[k].val);
	}
	for (size_t i = 0; i < a->nkw; i++)
		tv_dict_set(rt->arena, d, tv_strn(a->kw[i].name, a->kw[i].len),
		    a->kw[i].val);
	*out = tv_none();
	return 0;
}

static int
m_setdefault(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	tv args[2];

	if (tmpl_bind(rt, "setdefault", a, "key,default", args, 2) == -1)
		return -1;
	const tv *v = tv_dict_get(self.u.dict, args[0]);
	if (v != NULL) {
		*out = *v;
		return 0;
	}
	if (self.u.dict->frozen)
		return frozen_error(rt, "add to this dict");
	*out = args[1].type == TV_MISSING ? tv_none() : args[1];
	tv_dict_set(rt->arena, self.u.dict, args[0], *out);
	return 0;
}

const struct builtin tmpl_methods[] = {
	{ "capitalize", m_capitalize, "first character upper, rest lower", T_STR },
	{ "casefold", m_casefold, "lowercase for caseless matching", T_STR },
	{ "center", m_center, "centered in width", T_STR },
	{ "count", m_scount, "occurrences of a substring", T_STR },
	{ "endswith", m_endswith, "ends with the suffix (or one of a tuple)", T_STR },
	{ "find", m_find, "index of a substring or -1", T_STR },
	{ "format", m_format, "str.format", T_STR },
	{ "index", m_sindex, "index of a substring (error if absent)", T_STR },
	{ "isalnum", m_isalnum, "letters and digits only", T_STR },
	{ "isalpha", m_isalpha, "letters only", T_STR },
	{ "isdigit", m_isdigit, "digits only", T_STR },
	{ "islower", m_islower, "cased characters all lowercase", T_STR },
	{ "isspace", m_isspace, "whitespace only", T_STR },
	{ "isupper", m_isupper, "cased characters all uppercase", T_STR },
	{ "join", m_join, "the strings of an iterable joined by self", T_STR },
	{ "ljust", m_ljust, "left-justified in width", T_STR },
	{ "lower", m_lower, "lowercase", T_STR },
	{ "lstrip", m_lstrip, "leading whitespace (or chars) removed", T_STR },
	{ "partition", m_partition, "(before, sep, after)", T_STR },
	{ "removeprefix", m_removeprefix, "without the prefix", T_STR },
	{ "removesuffix", m_removesuffix, "without the suffix", T_STR },
	{ "replace", m_replace, "occurrences of old replaced by new", T_STR },
	{ "rfind", m_rfind, "last index of a substring or -1", T_STR },
	{ "rindex", m_rindex, "last index of a substring", T_STR },
	{ "rjust", m_rjust, "right-justified in width", T_STR },
	{ "rpartition", m_rpartition, "(before, sep, after) from the right", T_STR },
	{ "rsplit", m_rsplit, "split from the right", T_STR },
	{ "rstrip", m_rstrip, "trailing whitespace (or chars) removed", T_STR },
	{ "split", m_split, "list of the parts between separators", T_STR },
	{ "splitlines", m_splitlines, "list of lines", T_STR },
	{ "startswith", m_startswith, "starts with the prefix (or one of a tuple)", T_STR },
	{ "strip", m_strip, "whitespace (or chars) removed at both ends", T_STR },
	{ "swapcase", m_swapcase, "case swapped", T_STR },
	{ "title", m_title, "words capitalized", T_STR },
	{ "upper", m_upper, "uppercase", T_STR },
	{ "zfill", m_zfill, "padded with zeros on the left", T_STR },
	{ "append", m_append, "add an item at the end", T_LIST },
	{ "copy", m_copy, "a shallow copy", T_LIST | T_DICT },
	{ "count", m_lcount, "occurrences of a value", T_LIST | T_TUPLE },
	{ "extend", m_extend, "add the items of an iterable", T_LIST },
	{ "index", m_lindex, "index of a value", T_LIST | T_TUPLE },
	{ "insert", m_insert, "insert before an index", T_LIST },
	{ "pop", m_pop, "remove and return an item", T_LIST | T_DICT },
	{ "reverse", m_reverse, "reverse in place", T_LIST },
	{ "get", m_get, "value for key, or default", T_DICT },
	{ "items", m_items, "(key, value) pairs", T_DICT },
	{ "keys", m_keys, "the keys", T_DICT },
	{ "setdefault", m_setdefault, "value for key, inserting default", T_DICT },
	{ "update", m_update, "merge another dict or keywords", T_DICT },
	{ "values", m_values, "the values", T_DICT },
	{ NULL, NULL, NULL, 0 },
};

const struct builtin *
tmpl_method_find(int type, const char *name, size_t len)
{
	if (type < 0 || type > TV_OBJ)
		return NULL;
	if (len == 0)
		return NULL;
	for (const struct builtin *b = tmpl_methods; b->name != NULL; b++)
		if (b->name[0] == name[0] && (b->types & (1u << type)) &&
		    strlen(b->name) == len && memcmp(b->name, name, len) == 0)
			return b;
	return NULL;
}

static const int method_types[TMPL_METHOD_SLOTS] = {
	TV_STR, TV_LIST, TV_TUPLE, TV_DICT,
};

void
tmpl_method_resolve(const char *name, size_t len,
    const struct builtin **slots)
{
	for (int i = 0; i < TMPL_METHOD_SLOTS; i++)
		slots[i] = tmpl_method_find(method_types[i], name, len);
}

int
tmpl_method_slot(int type)
{
	switch (type) {
	case TV_STR: return 0;
	case TV_LIST: return 1;
	case TV_TUPLE: return 2;
	case TV_DICT: return 3;
	}
	return -1;
}
