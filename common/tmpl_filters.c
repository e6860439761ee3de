/*
 * tmpl_filters — the filter table (one row per filter: name, handler,
 * help) and the filters on strings and numbers.  Behaviour follows
 * Jinja2 3.1's filters.py, including its quirks ("42.23"|int is 42,
 * |title is not str.title, round() rounds half to even).
 */
#include "tmpl_filters.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tmpl_builtins.h"
#include "tmpl_eval.h"

/* ---- helpers shared by the filter files ---- */

int
flt_str(struct tmpl_rt *rt, tv v, tv *out)
{
	if (v.type == TV_STR) {
		*out = v;
		return 0;
	}
	return tv_to_str(rt, v, out);
}

int
flt_int_arg(struct tmpl_rt *rt, const char *what, tv v, int64_t dflt,
    int64_t *out)
{
	if (v.type == TV_MISSING || v.type == TV_NONE) {
		*out = dflt;
		return 0;
	}
	if (v.type == TV_INT || v.type == TV_BOOL) {
		*out = v.u.i;
		return 0;
	}
	if (v.type == TV_FLOAT && fabs(v.u.f) < 9.2e18) {
		*out = (int64_t)v.u.f;
		return 0;
	}
	return tmpl_rt_error(rt, TMPL_ERR_TYPE, "%s: expected an integer, got "
	    "%s", what, tv_type_name(v));
}

bool
flt_bool_arg(tv v, bool dflt)
{
	switch (v.type) {
	case TV_MISSING: return dflt;
	case TV_NONE: return false;
	case TV_BOOL:
	case TV_INT: return v.u.i != 0;
	case TV_STR: return v.len > 0;
	default: return true;
	}
}

tv
flt_lower(struct tmpl_rt *rt, tv v)
{
	bool plain = true;

	if (v.type != TV_STR)
		return v;
	bool ascii = true;
	/* already lowercase ASCII: the same string, no copy */
	for (uint32_t i = 0; i < v.len && ascii; i++) {
		ascii = (unsigned char)v.u.s[i] < 0x80;
		plain = plain && !(v.u.s[i] >= 'A' && v.u.s[i] <= 'Z');
	}
	if (plain && ascii)
		return v;
	if (ascii) {	/* byte for byte, straight into the arena */
		char *d = arena_alloc(tmpl_rt_arena(rt), v.len);
		for (uint32_t i = 0; i < v.len; i++)
			d[i] = v.u.s[i] >= 'A' && v.u.s[i] <= 'Z' ?
			    (char)(v.u.s[i] + 32) : v.u.s[i];
		return tv_strn(d, v.len);
	}
	struct buf *b = tmpl_rt_buf(rt);
	str_lower(v.u.s, v.len, b);
	return tmpl_rt_buf_str(rt, b);
}

static tv
str_result(struct tmpl_rt *rt, struct buf *b)
{
	tv v = tv_str_from_buf(rt, b);

	buf_free(b);
	return v;
}

#define ARGS(fname, params, n)						\
	tv args[n];							\
	if (tmpl_bind(rt, fname, a, params, args, n) == -1)		\
		return -1

/* ---- strings ---- */

typedef void (*strmap_fn)(const char *, size_t, struct buf *);

static int
mapped(struct tmpl_rt *rt, tv v, strmap_fn fn, tv *out)
{
	struct buf *b;

	if (flt_str(rt, v, &v) == -1)
		return -1;
	b = tmpl_rt_buf(rt);
	fn(v.u.s, v.len, b);
	*out = tmpl_rt_buf_str(rt, b);
	return 0;
}

static int
f_upper(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)a;
	return mapped(rt, v, str_upper, out);
}

static int
f_lower(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)a;
	return mapped(rt, v, str_lower, out);
}

static int
f_capitalize(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)a;
	return mapped(rt, v, str_capitalize, out);
}

static bool
title_sep(uint32_t c)
{
	return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' ||
	    uc_isspace(c);
}

/* Jinja2's title: split on runs of [-\s({[<], capitalize each piece. */
static void
jinja_title(const char *s, size_t n, struct buf *b)
{
	size_t i = 0, adv;

	while (i < n) {
		size_t start = i;
		bool sep = title_sep(utf8_decode(s + i, n - i, &adv));
		while (i < n && title_sep(utf8_decode(s + i, n - i, &adv)) == sep)
			i += adv;
		if (sep)
			buf_add(b, s + start, i - start);
		else {
			/* item[0].upper() + item[1:].lower(): upper, not title */
			utf8_decode(s + start, i - start, &adv);
			str_upper(s + start, adv, b);
			str_lower(s + start + adv, i - start - adv, b);
		}
	}
}

static int
f_title(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)a;
	return mapped(rt, v, jinja_title, out);
}

static int
f_trim(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	ARGS("trim", "chars", 1);
	size_t s, e;

	if (flt_str(rt, v, &v) == -1)
		return -1;
	if (args[0].type == TV_STR)
		str_strip(v.u.s, v.len, args[0].u.s, args[0].len, 3, &s, &e);
	else
		str_strip(v.u.s, v.len, NULL, 0, 3, &s, &e);
	*out = tv_strn(v.u.s + s, e - s);
	return 0;
}

static int
f_center(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	ARGS("center", "width", 1);
	struct tmpl_kwarg none[1];
	struct tmpl_args ca = { args, 1, none, 0 };

	if (flt_str(rt, v, &v) == -1)
		return -1;
	if (args[0].type == TV_MISSING)
		args[0] = tv_int(80);
	return tmpl_call(rt, tmpl_builtin_value(rt, tmpl_method_find(TV_STR,
	    "center", 6), v, true), &ca, out);
}

static int
f_replace(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	ARGS("replace", "old,new,count", 3);
	size_t n = args[2].type == TV_MISSING ? 2 : 3;
	struct tmpl_args ma = { args, n, NULL, 0 };

	if (flt_str(rt, v, &v) == -1)
		return -1;
	for (size_t i = 0; i < 2; i++)
		if (args[i].type == TV_UNDEF)
			return tmpl_rt_undef_error(rt, args[i]);
	return tmpl_method_find(TV_STR, "replace", 7)->fn(rt, v, &ma, out);
}

static int
f_string(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)a;
	if (v.type == TV_STR) {
		*out = v;
		return 0;
	}
	return tv_to_str(rt, v, out);
}

static int
f_safe(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)a;
	if (flt_str(rt, v, out) == -1)
		return -1;
	out->flags |= TVF_SAFE;
	return 0;
}

static int
escape_common(struct tmpl_rt *rt, tv v, bool force, tv *out)
{
	size_t extra = 0;

	if (v.type == TV_STR && (v.flags & TVF_SAFE) && !force) {
		*out = v;
		return 0;
	}
	if (flt_str(rt, v, &v) == -1)
		return -1;
	/* sized first, then written straight into the arena */
	for (uint32_t i = 0; i < v.len; i++)
		switch (v.u.s[i]) {
		case '<': case '>': extra += 3; break;		/* &lt; */
		case '&': case '"': case '\'': extra += 4; break;	/* &amp; */
		}
	if (extra == 0) {
		*out = v;
	} else {
		char *d = arena_alloc(rt->arena, v.len + extra + 1);
		char *end = html_escape_into(v.u.s, v.len, d);
		*out = tv_strn(d, (size_t)(end - d));
	}
	out->flags |= TVF_SAFE;
	return 0;
}

static int
f_escape(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)a;
	return escape_common(rt, v, false, out);
}

static int
f_forceescape(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)a;
	return escape_common(rt, v, true, out);
}

static int
f_format(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	tv args;

	if (a->npos > 0 && a->nkw > 0)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "can't handle "
		    "positional and keyword arguments at the same time");
	if (flt_str(rt, v, &v) == -1)
		return -1;
	if (a->nkw > 0) {
		struct tv_dict *d = tv_dict_new(rt->arena, a->nkw);
		for (size_t i = 0; i < a->nkw; i++)
			tv_dict_set(rt->arena, d, tv_strn(a->kw[i].name,
			    a->kw[i].len), a->kw[i].val);
		args = tv_dict_val(d);
	} else {
		/* a tuple over the arguments, alive just for the call */
		struct tv_list l = { (uint32_t)a->npos, (uint32_t)a->npos, true,
		    (tv *)a->pos };
		return tmpl_percent_format(rt, v, tv_tuple_val(&l), out);
	}
	return tmpl_percent_format(rt, v, args, out);
}

static bool
is_line_break(const char *s, size_t n, size_t i, size_t *len)
{
	unsigned char c = (unsigned char)s[i];

	*len = 1;
	if (c == '\r' && i + 1 < n && s[i + 1] == '\n') {
		*len = 2;
		return true;
	}
	if (c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	    (c >= 0x1c && c <= 0x1e))
		return true;
	if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0x85) {
		*len = 2;
		return true;
	}
	if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
	    ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
		*len = 3;
		return true;
	}
	return false;
}

static int
f_indent(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	ARGS("indent", "width,first,blank", 3);
	struct buf ind = BUF_INIT, b = BUF_INIT;
	bool first = flt_bool_arg(args[1], false);
	bool blank = flt_bool_arg(args[2], false);
	int64_t w;

	if (flt_str(rt, v, &v) == -1)
		return -1;
	if (args[0].type == TV_STR)
		buf_add(&ind, args[0].u.s, args[0].len);
	else {
		if (flt_int_arg(rt, "indent", args[0], 4, &w) == -1)
			return -1;
		if (w > 10000)
			return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "indent width "
			    "too large");
		for (int64_t i = 0; i < w; i++)
			buf_addc(&ind, ' ');
	}
	/* Jinja2 appends a newline, splits lines and rejoins them. */
	struct buf src = BUF_INIT;
	buf_add(&src, v.u.s, v.len);
	buf_addc(&src, '\n');
	const char *s = src.data;
	size_t n = src.len, i = 0, start = 0, lb, line = 0;
	if (first)
		buf_add(&b, ind.data, ind.len);
	while (i < n) {
		if (!is_line_break(s, n, i, &lb)) {
			i++;
			continue;
		}
		size_t len = i - start;
		if (line > 0) {
			buf_addc(&b, '\n');
			if (len > 0 || blank)
				buf_add(&b, ind.data, ind.len);
		}
		buf_add(&b, s + start, len);
		line++;
		i += lb;
		start = i;
	}
	buf_free(&src);
	buf_free(&ind);
	*out = str_result(rt, &b);
	return 0;
}

static int
f_truncate(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	ARGS("truncate", "length,killwords,end,leeway", 4);
	int64_t length, leeway;
	tv end = args[2].type == TV_MISSING ? tv_cstr("...") : args[2];

	if (flt_str(rt, v, &v) == -1 ||
	    flt_int_arg(rt, "truncate", args[0], 255, &length) == -1 ||
	    flt_int_arg(rt, "truncate", args[3], 5, &leeway) == -1 ||
	    flt_str(rt, end, &end) == -1)
		return -1;
	int64_t elen = (int64_t)utf8_len(end.u.s, end.len);
	int64_t slen = (int64_t)utf8_len(v.u.s, v.len);
	if (length < elen)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "expected length >= "
		    "%lld, got %lld", (long long)elen, (long long)length);
	if (leeway < 0)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "expected leeway >= 0");
	if (slen <= length + leeway) {
		*out = v;
		return 0;
	}
	size_t cut = utf8_offset(v.u.s, v.len, (size_t)(length - elen));
	if (!flt_bool_arg(args[1], false)) {
		size_t k = cut;
		while (k > 0 && v.u.s[k - 1] != ' ')
			k--;
		if (k > 0)
			cut = k - 1;
	}
	struct buf b = BUF_INIT;
	buf_add(&b, v.u.s, cut);
	buf_add(&b, end.u.s, end.len);
	*out = str_result(rt, &b);
	return 0;
}

static bool
is_word_char(uint32_t c)
{
	return c == '_' || uc_isalpha(c) || uc_isdigit(c);
}

static int
f_wordcount(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	size_t i = 0, adv;
	int64_t n = 0;
	bool in = false;

	(void)a;
	if (flt_str(rt, v, &v) == -1)
		return -1;
	while (i < v.len) {
		bool w = is_word_char(utf8_decode(v.u.s + i, v.len - i, &adv));
		if (w && !in)
			n++;
		in = w;
		i += adv;
	}
	*out = tv_int(n);
	return 0;
}

static int
f_tojson(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	ARGS("tojson", "indent", 1);
	struct buf b = BUF_INIT;
	int64_t indent;

	if (flt_int_arg(rt, "tojson", args[0], -1, &indent) == -1)
		return -1;
	if (indent > 100)
		indent = 100;
	if (tmpl_tojson(rt, v, (int)indent, &b) == -1) {
		buf_free(&b);
		return -1;
	}
	*out = str_result(rt, &b);
	out->flags |= TVF_SAFE;
	return 0;
}

/* ---- numbers ---- */

static int
f_abs(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)a;
	switch (v.type) {
	case TV_FLOAT:
		*out = tv_float(fabs(v.u.f));
		return 0;
	case TV_BOOL:
	case TV_INT:
	case TV_BIG:
		if (v.type != TV_BIG && v.u.i >= 0) {
			*out = tv_int(v.u.i);
			return 0;
		}
		if (v.type == TV_BIG && !BN_is_negative(v.u.big)) {
			*out = v;
			return 0;
		}
		return tv_neg(rt, v, out);
	case TV_UNDEF:
		return tmpl_rt_undef_error(rt, v);
	}
	return tmpl_rt_error(rt, TMPL_ERR_TYPE, "bad operand type for abs(): "
	    "'%s'", tv_type_name(v));
}

/* Python float(str): whitespace, underscores between digits, inf, nan. */
static bool
parse_float(tv v, double *out)
{
	size_t s, e;
	char buf[128];
	size_t j = 0;

	str_strip(v.u.s, v.len, NULL, 0, 3, &s, &e);
	if (e == s || e - s >= sizeof(buf))
		return false;
	for (size_t i = s; i < e; i++) {
		char c = v.u.s[i];
		if (c == '_') {
			if (i == s || i + 1 >= e || !(v.u.s[i - 1] >= '0' &&
			    v.u.s[i - 1] <= '9') || !(v.u.s[i + 1] >= '0' &&
			    v.u.s[i + 1] <= '9'))
				return false;
			continue;
		}
		if (!str_in_set(c, "0123456789+-.eEinfatyINFATY"))
			return false;
		buf[j++] = c;
	}
	buf[j] = '\0';
	char *end;
	*out = strtod(buf, &end);
	return *end == '\0';
}

static int
f_float(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	ARGS("float", "default", 1);
	double d;

	switch (v.type) {
	case TV_FLOAT:
		*out = v;
		return 0;
	case TV_INT:
	case TV_BOOL:
	case TV_BIG:
		*out = tv_float(tv_to_double(v));
		return 0;
	case TV_STR:
		if (parse_float(v, &d)) {
			*out = tv_float(d);
			return 0;
		}
		break;
	default:
		break;
	}
	*out = args[0].type == TV_MISSING ? tv_float(0.0) : args[0];
	return 0;
}

/* Python int(str, base): sign, whitespace, underscores, 0x/0o/0b. */
static bool
parse_int(struct tmpl_rt *rt, tv v, int64_t base, tv *out)
{
	size_t s, e;
	char buf[256];
	size_t j = 0;

	str_strip(v.u.s, v.len, NULL, 0, 3, &s, &e);
	if (e == s || e - s >= sizeof(buf) || base == 1 || base < 0 || base > 36)
		return false;
	if (v.u.s[s] == '+' || v.u.s[s] == '-')
		buf[j++] = v.u.s[s++];
	if (e - s > 2 && v.u.s[s] == '0') {
		char p = (char)(v.u.s[s + 1] | 0x20);
		int pb = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
		if (pb != 0 && (base == 0 || base == pb)) {
			base = pb;
			s += 2;
			if (s < e && v.u.s[s] == '_')
				s++;
		}
	}
	if (base == 0)
		base = 10;
	size_t dstart = j;
	for (size_t i = s; i < e; i++) {
		char c = v.u.s[i];
		if (c == '_' && i > s && i + 1 < e && v.u.s[i + 1] != '_')
			continue;
		int d = c >= '0' && c <= '9' ? c - '0' :
		    (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? (c | 0x20) - 'a' + 10 :
		    99;
		if (d >= base)
			return false;
		buf[j++] = c;
	}
	if (j == dstart)
		return false;
	return tv_parse_int(rt, buf, j, (int)base, out) == 0;
}

static int
f_int(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	ARGS("int", "default,base", 2);
	int64_t base;
	double d;
	tv dflt = args[0].type == TV_MISSING ? tv_int(0) : args[0];

	if (flt_int_arg(rt, "int", args[1], 10, &base) == -1)
		return -1;
	switch (v.type) {
	case TV_INT:
	case TV_BIG:
		*out = v;
		return 0;
	case TV_BOOL:
		*out = tv_int(v.u.i);
		return 0;
	case TV_FLOAT:
		if (!isfinite(v.u.f))
			break;
		return tv_float_to_int(rt, v.u.f, out);
	case TV_STR:
		if (parse_int(rt, v, base, out))
			return 0;
		if (parse_float(v, &d) && isfinite(d))
			return tv_float_to_int(rt, d, out);
		break;
	default:
		break;
	}
	*out = dflt;
	return 0;
}

static double
round_half_even(double x, int64_t prec)
{
	char buf[400];

	if (prec > 300 || !isfinite(x))
		return x;
	if (prec >= 0 && prec <= 15) {
		/* without printf when the scaled value is not near a tie */
		double p = pow(10.0, (double)prec), y = x * p;
		double frac = fabs(y - trunc(y));
		if (fabs(y) < 1e15 && fabs(frac - 0.5) > 1e-6)
			return nearbyint(y) / p;
	}
	if (prec >= 0) {
		snprintf(buf, sizeof(buf), "%.*f", (int)prec, x);
		return strtod(buf, NULL);
	}
	double p = pow(10.0, (double)-prec);
	double y = x / p, r = nearbyint(y);
	return r * p;
}

/* round(i, prec) for prec < 0: exact, half to even, as Python's int. */
static int
round_int(struct tmpl_rt *rt, int64_t i, int64_t prec, tv *out)
{
	char buf[64];
	__int128 p = 1, q, r;

	if (prec < -20) {
		*out = tv_int(0);
		return 0;
	}
	for (int64_t k = 0; k < -prec; k++)
		p *= 10;
	q = i / p;
	r = i % p;
	if (r < 0) {
		r += p;
		q -= 1;
	}
	if (2 * r > p || (2 * r == p && (q & 1)))
		q += 1;
	__int128 res = q * p;
	if (res >= INT64_MIN && res <= INT64_MAX) {
		*out = tv_int((int64_t)res);
		return 0;
	}
	/* beyond int64 (at most a digit more): via its decimal text */
	unsigned __int128 m = res < 0 ? (unsigned __int128)-res :
	    (unsigned __int128)res;
	size_t k = sizeof(buf);
	buf[--k] = '\0';
	do {
		buf[--k] = (char)('0' + (int)(m % 10));
		m /= 10;
	} while (m != 0);
	if (res < 0)
		buf[--k] = '-';
	return tv_parse_int(rt, buf + k, strlen(buf + k), 10, out);
}

static int
f_round(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	ARGS("round", "precision,method", 2);
	int64_t prec;
	tv method = args[1].type == TV_MISSING ? tv_cstr("common") : args[1];

	if (flt_int_arg(rt, "round", args[0], 0, &prec) == -1)
		return -1;
	if (method.type != TV_STR || !((method.len == 6 &&
	    memcmp(method.u.s, "common", 6) == 0) || (method.len == 4 &&
	    (memcmp(method.u.s, "ceil", 4) == 0 ||
	    memcmp(method.u.s, "floor", 4) == 0)) || (method.len == 5 &&
	    memcmp(method.u.s, "floor", 5) == 0)))
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "method must be "
		    "common, ceil or floor");
	if (v.type == TV_UNDEF)
		return tmpl_rt_undef_error(rt, v);
	if (!tv_is_num(v))
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "type %s doesn't define "
		    "__round__ method", tv_type_name(v));
	if (method.u.s[0] == 'c' && method.u.s[1] == 'o') {
		if (v.type != TV_FLOAT) {
			if (prec >= 0 || v.type == TV_BIG) {
				*out = v.type == TV_BOOL ? tv_int(v.u.i) : v;
				return 0;
			}
			return round_int(rt, v.u.i, prec, out);
		}
		*out = tv_float(round_half_even(v.u.f, prec));
		return 0;
	}
	double x = tv_to_double(v), p = pow(10.0, (double)prec);
	/* math.ceil/floor give ints: no negative zero (+ 0.0 drops it) */
	double r = (method.u.s[0] == 'c' ? ceil(x * p) : floor(x * p)) + 0.0;
	*out = tv_float(r / p);
	return 0;
}

static int
f_filesizeformat(struct tmpl_rt *rt, tv v, const struct tmpl_args *a,
    tv *out)
{
	static const char *const dec[] = { "kB", "MB", "GB", "TB", "PB", "EB",
	    "ZB", "YB" };
	static const char *const bin[] = { "KiB", "MiB", "GiB", "TiB", "PiB",
	    "EiB", "ZiB", "YiB" };
	ARGS("filesizeformat", "binary", 1);
	bool binary = flt_bool_arg(args[0], false);
	double bytes, base = binary ? 1024 : 1000, unit = base;
	struct buf b = BUF_INIT;
	int i;

	if (v.type == TV_STR) {
		if (!parse_float(v, &bytes))
			return tmpl_rt_error(rt, TMPL_ERR_OTHER, "could not "
			    "convert string to float");
	} else if (tv_is_num(v))
		bytes = tv_to_double(v);
	else
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "float() argument must "
		    "be a string or a number, not '%s'", tv_type_name(v));
	if (bytes == 1)
		buf_addstr(&b, "1 Byte");
	else if (bytes < base)
		buf_printf(&b, "%lld Bytes", (long long)bytes);
	else {
		for (i = 0; i < 8; i++) {
			unit = pow(base, i + 2);
			if (bytes < unit)
				break;
		}
		if (i == 8)
			i = 7;
		buf_printf(&b, "%.1f %s", base * bytes / unit,
		    binary ? bin[i] : dec[i]);
	}
	*out = str_result(rt, &b);
	return 0;
}

/* ---- misc ---- */

static int
f_default(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	ARGS("default", "default_value,boolean", 2);
	int err = 0;
	tv dflt = args[0].type == TV_MISSING ? tv_strn("", 0) : args[0];

	if (v.type == TV_UNDEF || v.type == TV_MISSING) {
		*out = dflt;
		return 0;
	}
	if (flt_bool_arg(args[1], false) && !tv_truthy(rt, v, &err)) {
		*out = dflt;
		return err;
	}
	*out = v;
	return 0;
}

static int
f_length(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	int64_t n;

	(void)a;
	if (tv_length(rt, v, &n) == -1)
		return -1;
	*out = tv_int(n);
	return 0;
}

static int
f_attr(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	ARGS("attr", "name", 1);

	if (args[0].type != TV_STR)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "attribute name must "
		    "be a string");
	if (v.type == TV_UNDEF)
		return tmpl_rt_undef_error(rt, v);
	/* Python attributes only: an object's fields or a type's methods. */
	if (v.type == TV_OBJ)
		return rt_getattr(rt, v, args[0].u.s, args[0].len, out);
	const struct builtin *m = tmpl_method_find(v.type, args[0].u.s,
	    args[0].len);
	if (m != NULL)
		*out = tmpl_builtin_value(rt, m, v, true);
	else
		*out = tmpl_undef_attr(rt, v, args[0].u.s, args[0].len);
	return 0;
}

const struct builtin tmpl_filters[] = {
	{ "abs", f_abs, "absolute value", 0 },
	{ "attr", f_attr, "an attribute of an object (not an item)", 0 },
	{ "batch", f_batch, "lists of N items (last one padded with fill)", 0 },
	{ "capitalize", f_capitalize, "first character upper, rest lower", 0 },
	{ "center", f_center, "centered in a field of width (80)", 0 },
	{ "count", f_length, "number of items", 0 },
	{ "d", f_default, "alias of default", 0 },
	{ "default", f_default, "the value, or a default when undefined", 0 },
	{ "dictsort", f_dictsort, "(key, value) pairs sorted by key or value", 0 },
	{ "e", f_escape, "alias of escape", 0 },
	{ "escape", f_escape, "HTML-escape & < > \" '", 0 },
	{ "filesizeformat", f_filesizeformat, "bytes as 1.5 MB (or MiB)", 0 },
	{ "first", f_first, "the first item", 0 },
	{ "float", f_float, "convert to float (default 0.0)", 0 },
	{ "forceescape", f_forceescape, "HTML-escape even safe strings", 0 },
	{ "format", f_format, "printf-style formatting", 0 },
	{ "groupby", f_groupby, "group items by an attribute", 0 },
	{ "indent", f_indent, "indent lines after the first", 0 },
	{ "int", f_int, "convert to int (default 0)", 0 },
	{ "items", f_items, "(key, value) pairs of a mapping", 0 },
	{ "join", f_join, "items joined by a separator", 0 },
	{ "last", f_last, "the last item", 0 },
	{ "length", f_length, "number of items", 0 },
	{ "list", f_list, "convert to a list", 0 },
	{ "lower", f_lower, "lowercase", 0 },
	{ "map", f_map, "apply a filter or take an attribute of each item", 0 },
	{ "max", f_max, "the largest item", 0 },
	{ "min", f_min, "the smallest item", 0 },
	{ "pprint", f_pprint, "pretty-printed repr", 0 },
	{ "random", f_random, "an item chosen from the sequence", 0 },
	{ "reject", f_reject, "items failing a test", 0 },
	{ "rejectattr", f_rejectattr, "items whose attribute fails a test", 0 },
	{ "replace", f_replace, "replace a substring", 0 },
	{ "reverse", f_reverse, "reversed", 0 },
	{ "round", f_round, "round (common, ceil or floor)", 0 },
	{ "safe", f_safe, "mark as safe (no escaping)", 0 },
	{ "select", f_select, "items passing a test", 0 },
	{ "selectattr", f_selectattr, "items whose attribute passes a test", 0 },
	{ "slice", f_slice, "split into N columns", 0 },
	{ "sort", f_sort, "sorted (stable; by attribute)", 0 },
	{ "string", f_string, "convert to a string", 0 },
	{ "striptags", f_striptags, "remove SGML/XML tags, collapse spaces", 0 },
	{ "sum", f_sum, "sum of the items", 0 },
	{ "title", f_title, "words capitalized", 0 },
	{ "tojson", f_tojson, "JSON (sorted keys, HTML-safe)", 0 },
	{ "trim", f_trim, "strip whitespace (or chars)", 0 },
	{ "truncate", f_truncate, "shorten to length, ending with ...", 0 },
	{ "unique", f_unique, "items without duplicates", 0 },
	{ "upper", f_upper, "uppercase", 0 },
	{ "urlencode", f_urlencode, "URL-encode a string or a dict", 0 },
	{ "urlize", f_urlize, "links for URLs in text", 0 },
	{ "wordcount", f_wordcount, "number of words", 0 },
	{ "wordwrap", f_wordwrap, "wrap text at width", 0 },
	{ "xmlattr", f_xmlattr, "a dict as XML attributes", 0 },
	{ NULL, NULL, NULL, 0 },
};

const struct builtin *
tmpl_filter_find(const char *name, size_t len)
{
	size_t lo = 0, hi = sizeof(tmpl_filters) / sizeof(tmpl_filters[0]) - 1;

	/* the table is sorted by name */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *t = tmpl_filters[mid].name;
		size_t tl = strlen(t);
		/* length-aware: name may hold any byte, NUL included */
		int c = memcmp(t, name, tl < len ? tl : len);
		if (c == 0)
			c = (tl > len) - (tl < len);
		if (c == 0)
			return &tmpl_filters[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
