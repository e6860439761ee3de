/*
 * tmpl_fmt — Python's two string formatting languages: printf-style
 * ('%5.1f' % x, the format filter) and str.format with its format-spec
 * mini-language ('{:>5}', '{:,}', '{0[1]}', '{!r}').  Floats go through
 * the C library's printf, whose %e/%f/%g output matches Python's; ints of
 * any size are formatted from their decimal text.
 */
#include "tmpl_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tmpl_eval.h"
#include "log.h"
#include "xmalloc.h"

struct spec {
	char	fill[8];	/* one UTF-8 code point */
	char	align;		/* < > ^ = or 0 */
	char	sign;		/* + - space or 0 */
	bool	alt;
	bool	zero;
	int	width;		/* -1: none */
	char	group;		/* , _ or 0 */
	int	prec;		/* -1: none */
	char	type;		/* 0: none */
};

/* Pad text (cp code points) to the width with fill and alignment. */
static void
pad(struct buf *b, const char *s, size_t n, const struct spec *sp,
    char dflt_align)
{
	size_t cp = utf8_len(s, n), w = sp->width > 0 ? (size_t)sp->width : 0;
	char align = sp->align ? sp->align : dflt_align;
	size_t left = 0, right = 0, total = w > cp ? w - cp : 0;
	const char *fill = sp->fill[0] ? sp->fill : " ";

	if (align == '<')
		right = total;
	else if (align == '^') {
		left = total / 2;
		right = total - left;
	} else if (align == '=' && n > 0 && str_in_set(s[0], "+- ")) {
		buf_addc(b, s[0]);
		s++;
		n--;
		left = total;
	} else
		left = total;
	for (size_t i = 0; i < left; i++)
		buf_addstr(b, fill);
	buf_add(b, s, n);
	for (size_t i = 0; i < right; i++)
		buf_addstr(b, fill);
}

/* A formatted number, right-aligned; "0" pads after the sign. */
static void
pad_number(struct buf *b, const struct buf *num, const struct spec *sp)
{
	struct spec s2 = *sp;

	if (sp->zero && !sp->align) {
		s2.fill[0] = '0';
		s2.fill[1] = '\0';
		s2.align = '=';
	}
	pad(b, num->data, num->len, &s2, '>');
}

static void
group_digits(const char *digits, size_t n, char sep, struct buf *b)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf_addc(b, sep);
		buf_addc(b, digits[i]);
	}
}

static int
fmt_int(struct tmpl_rt *rt, tv v, const struct spec *sp, struct buf *b)
{
	struct buf t = BUF_INIT, d = BUF_INIT;
	bool neg;
	char type = sp->type ? sp->type : 'd';

	if (type == 'c') {
		utf8_encode((uint32_t)v.u.i, &t);
		pad(b, t.data, t.len, sp, '<');
		buf_free(&t);
		return 0;
	}
	if (v.type == TV_BIG) {
		char *s = type == 'x' || type == 'X' ? BN_bn2hex(v.u.big) :
		    BN_bn2dec(v.u.big);
		if (s == NULL)
			fatalx("BN conversion failed");
		neg = s[0] == '-';
		const char *digits = s + neg;
		while (digits[0] == '0' && digits[1] != '\0')
			digits++;	/* BN_bn2hex pads to whole bytes */
		buf_addstr(&d, digits);
		OPENSSL_free(s);
		for (size_t i = 0; i < d.len; i++)
			d.data[i] = type == 'X' ? d.data[i] : (char)(d.data[i] |
			    (d.data[i] >= 'A' ? 0x20 : 0));
	} else {
		uint64_t m = v.u.i < 0 ? (uint64_t)0 - (uint64_t)v.u.i :
		    (uint64_t)v.u.i;
		neg = v.u.i < 0;
		if (type == 'b') {
			char tmp[65];
			int k = 64;
			tmp[k] = '\0';
			do {
				tmp[--k] = (char)('0' + (m & 1));
				m >>= 1;
			} while (m != 0);
			buf_addstr(&d, tmp + k);
		} else
			buf_printf(&d, type == 'x' ? "%llx" : type == 'X' ?
			    "%llX" : type == 'o' ? "%llo" : "%llu",
			    (unsigned long long)m);
	}
	if (!str_in_set(type, "dnbxXo")) {
		buf_free(&d);
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "Unknown format code "
		    "'%c' for object of type 'int'", type);
	}
	if (neg)
		buf_addc(&t, '-');
	else if (sp->sign == '+' || sp->sign == ' ')
		buf_addc(&t, sp->sign);
	if (sp->alt && type != 'd')
		buf_printf(&t, "0%c", type == 'X' ? 'X' : type);
	if (sp->group)
		group_digits(d.data, d.len, sp->group, &t);
	else
		buf_add(&t, d.data, d.len);
	pad_number(b, &t, sp);
	buf_free(&t);
	buf_free(&d);
	return 0;
}

/*
 * "%.<prec>f" without printf when the answer is certain: the scaled
 * value is far from a rounding tie, so rounding the double product gives
 * what rounding the exact binary value would.  Returns false to fall
 * back to printf (ties, big values, many digits).
 */
static bool
fixed_fast(double f, int prec, struct buf *b)
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };

	if (prec < 0 || prec > 6 || !(fabs(f) < 1e9))
		return false;
	double x = fabs(f) * p10[prec], fl = floor(x), frac = x - fl;
	if (fabs(frac - 0.5) < 1e-3)
		return false;
	uint64_t r = (uint64_t)fl + (frac > 0.5);
	char tmp[40];
	int n = (int)sizeof(tmp);
	for (int i = 0; i < prec || r != 0 || i <= prec; i++) {
		if (i == prec && prec > 0)
			tmp[--n] = '.';
		tmp[--n] = (char)('0' + r % 10);
		r /= 10;
		if (i >= prec && r == 0)
			break;
	}
	if (signbit(f))
		tmp[--n] = '-';
	buf_add(b, tmp + n, sizeof(tmp) - (size_t)n);
	return true;
}

static int
fmt_float(struct tmpl_rt *rt, double f, const struct spec *sp, struct buf *b)
{
	struct buf t = BUF_INIT;
	char type = sp->type, cfmt[32];
	int prec = sp->prec;

	if (type == 0 && prec < 0) {
		tv_float_repr(f, &t);
	} else {
		if (type == 0)
			type = 'g';
		if (!str_in_set(type, "eEfFgG%"))
			return tmpl_rt_error(rt, TMPL_ERR_OTHER, "Unknown "
			    "format code '%c' for object of type 'float'",
			    type);
		if (prec < 0)
			prec = 6;
		double x = type == '%' ? f * 100 : f;
		if (!((type == 'f' || type == 'F') && !sp->alt &&
		    fixed_fast(x, prec, &t))) {
			snprintf(cfmt, sizeof(cfmt), "%%%s.%d%c",
			    sp->alt ? "#" : "", prec, type == '%' ? 'f' : type);
			buf_printf(&t, cfmt, x);
		}
		if (type == '%')
			buf_addc(&t, '%');
	}
	struct buf u = BUF_INIT;
	if (sp->sign == '+' && t.data[0] != '-')
		buf_addc(&u, '+');
	else if (sp->sign == ' ' && t.data[0] != '-')
		buf_addc(&u, ' ');
	if (sp->group) {
		size_t start = t.data[0] == '-', i = start;
		while (i < t.len && t.data[i] >= '0' && t.data[i] <= '9')
			i++;
		buf_add(&u, t.data, start);
		group_digits(t.data + start, i - start, sp->group, &u);
		buf_add(&u, t.data + i, t.len - i);
	} else
		buf_add(&u, t.data, t.len);
	pad_number(b, &u, sp);
	buf_free(&t);
	buf_free(&u);
	return 0;
}

static int
parse_spec(struct tmpl_rt *rt, const char *s, size_t n, struct spec *sp)
{
	size_t i = 0, adv;

	memset(sp, 0, sizeof(*sp));
	sp->width = sp->prec = -1;
	if (n > 0) {
		utf8_decode(s, n, &adv);
		if (adv < n && str_in_set(s[adv], "<>^=")) {
			memcpy(sp->fill, s, adv);
			sp->align = s[adv];
			i = adv + 1;
		} else if (str_in_set(s[0], "<>^=")) {
			sp->align = s[0];
			i = 1;
		}
	}
	if (i < n && str_in_set(s[i], "+- "))
		sp->sign = s[i++];
	if (i < n && s[i] == '#') {
		sp->alt = true;
		i++;
	}
	if (i < n && s[i] == '0') {
		sp->zero = true;
		i++;
	}
	if (i < n && s[i] >= '0' && s[i] <= '9') {
		sp->width = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && sp->width < 100000)
			sp->width = sp->width * 10 + (s[i++] - '0');
	}
	if (i < n && (s[i] == ',' || s[i] == '_'))
		sp->group = s[i++];
	if (i < n && s[i] == '.') {
		i++;
		sp->prec = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && sp->prec < 100000)
			sp->prec = sp->prec * 10 + (s[i++] - '0');
	}
	if (i < n)
		sp->type = s[i++];
	if (i != n)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "Invalid format "
		    "specifier '%.*s'", (int)n, s);
	return 0;
}

int
tmpl_format_spec(struct tmpl_rt *rt, tv v, const char *s, size_t n,
    struct buf *b)
{
	struct spec sp;

	if (parse_spec(rt, s, n, &sp) == -1)
		return -1;
	switch (v.type) {
	case TV_INT:
	case TV_BIG:
	case TV_BOOL:
		if (v.type == TV_BOOL && n == 0)
			break;
		if (sp.type && str_in_set(sp.type, "eEfFgG%"))
			return fmt_float(rt, tv_to_double(v), &sp, b);
		return fmt_int(rt, v, &sp, b);
	case TV_FLOAT:
		return fmt_float(rt, v.u.f, &sp, b);
	case TV_STR: {
		if (sp.type && sp.type != 's')
			return tmpl_rt_error(rt, TMPL_ERR_OTHER, "Unknown "
			    "format code '%c' for object of type 'str'",
			    sp.type);
		size_t len = v.len;
		if (sp.prec >= 0)
			len = utf8_offset(v.u.s, v.len, (size_t)sp.prec);
		pad(b, v.u.s, len, &sp, '<');
		return 0;
	}
	default:
		break;
	}
	if (n > 0 && v.type != TV_BOOL)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "unsupported format "
		    "string passed to %s.__format__", tv_type_name(v));
	struct buf t = BUF_INIT;
	int r = tv_str_buf(rt, v, &t);
	if (r == 0)
		pad(b, t.data ? t.data : "", t.len, &sp, '<');
	buf_free(&t);
	return r;
}

/* ---- printf style ---- */

static int
pct_one(struct tmpl_rt *rt, tv v, char type, const char *flags, int width,
    int prec, struct buf *b)
{
	struct spec sp;
	struct buf t = BUF_INIT;
	int r = 0;

	memset(&sp, 0, sizeof(sp));
	sp.width = width;
	sp.prec = prec;
	for (const char *f = flags; *f; f++) {
		if (*f == '-')
			sp.align = '<';
		else if (*f == '+' || (*f == ' ' && sp.sign != '+'))
			sp.sign = *f;
		else if (*f == '#')
			sp.alt = true;
		else if (*f == '0')
			sp.zero = true;
	}
	if (v.type == TV_UNDEF)
		return tmpl_rt_undef_error(rt, v);
	switch (type) {
	case 's':
	case 'r':
	case 'a':
		if (type == 's')
			r = tv_str_buf(rt, v, &t);
		else
			tv_repr_buf(rt, v, &t);
		if (r == 0) {
			size_t len = t.len;
			if (prec >= 0)
				len = utf8_offset(t.data, t.len, (size_t)prec);
			sp.prec = -1;
			pad(b, t.data ? t.data : "", len, &sp, '>');
		}
		break;
	case 'c':
		if (v.type == TV_STR) {
			pad(b, v.u.s, v.len, &sp, '>');
			break;
		}
		/* FALLTHROUGH */
	case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
		if (!tv_is_num(v)) {
			r = tmpl_rt_error(rt, TMPL_ERR_TYPE, "%%%c format: a "
			    "number is required, not %s", type,
			    tv_type_name(v));
			break;
		}
		if (v.type == TV_FLOAT && type != 'd' && type != 'i' &&
		    type != 'u') {
			r = tmpl_rt_error(rt, TMPL_ERR_TYPE, "%%%c format: an "
			    "integer is required, not float", type);
			break;
		}
		if (v.type == TV_FLOAT &&
		    (r = tv_float_to_int(rt, v.u.f, &v)) == -1)
			break;
		if (sp.align == '<')
			sp.zero = false;
		sp.type = type == 'i' || type == 'u' ? 'd' : type;
		sp.prec = -1;
		r = fmt_int(rt, v, &sp, b);
		break;
	case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
		if (!tv_is_num(v)) {
			r = tmpl_rt_error(rt, TMPL_ERR_TYPE, "must be real "
			    "number, not %s", tv_type_name(v));
			break;
		}
		if (sp.align == '<')
			sp.zero = false;
		sp.type = type;
		if (sp.prec < 0)
			sp.prec = 6;
		r = fmt_float(rt, tv_to_double(v), &sp, b);
		break;
	default:
		r = tmpl_rt_error(rt, TMPL_ERR_OTHER, "unsupported format "
		    "character '%c'", type);
	}
	buf_free(&t);
	return r;
}

int
tmpl_percent_format(struct tmpl_rt *rt, tv fmt, tv args, tv *out)
{
	const char *s = fmt.u.s;
	size_t n = fmt.len, i = 0, ai = 0, nargs;
	const tv *argv;
	struct buf b = BUF_INIT;
	bool is_map = args.type == TV_DICT;

	if (args.type == TV_TUPLE) {
		argv = args.u.list->items;
		nargs = args.u.list->len;
	} else {
		argv = &args;
		nargs = 1;
	}
	while (i < n) {
		const char *pc = memchr(s + i, '%', n - i);
		if (pc == NULL) {
			buf_add(&b, s + i, n - i);
			break;
		}
		buf_add(&b, s + i, (size_t)(pc - s) - i);
		i = (size_t)(pc - s) + 1;
		if (i < n && s[i] == '%') {
			buf_addc(&b, '%');
			i++;
			continue;
		}
		tv v;
		bool have = false;
		if (i < n && s[i] == '(') {
			const char *close = memchr(s + i, ')', n - i);
			if (close == NULL || !is_map)
				goto bad;
			const tv *pv = tv_dict_gets(args.u.dict, s + i + 1,
			    (size_t)(close - s) - i - 1);
			if (pv == NULL) {
				buf_free(&b);
				return tmpl_rt_error(rt, TMPL_ERR_OTHER,
				    "KeyError: '%.*s'", (int)(close - s - i - 1),
				    s + i + 1);
			}
			v = *pv;
			have = true;
			i = (size_t)(close - s) + 1;
		}
		char flags[8];
		size_t nf = 0;
		while (i < n && str_in_set(s[i], "-+ #0") && nf < 7)
			flags[nf++] = s[i++];
		flags[nf] = '\0';
		int width = -1, prec = -1;
		/* (saturating: anything past 100000 is refused below) */
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			width = width < 0 ? 0 : width;
			if (width <= 100000)
				width = width * 10 + (s[i] - '0');
			i++;
		}
		if (i < n && s[i] == '.') {
			i++;
			prec = 0;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				if (prec <= 100000)
					prec = prec * 10 + (s[i] - '0');
				i++;
			}
		}
		if (width > 100000 || prec > 100000)
			goto bad;
		if (i >= n)
			goto bad;
		char type = s[i++];
		if (!have) {
			if (ai >= nargs) {
				buf_free(&b);
				return tmpl_rt_error(rt, TMPL_ERR_TYPE, "not "
				    "enough arguments for format string");
			}
			v = argv[ai++];
		}
		if (pct_one(rt, v, type, flags, width, prec, &b) == -1) {
			buf_free(&b);
			return -1;
		}
	}
	if (!is_map && ai < nargs) {
		buf_free(&b);
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "not all arguments "
		    "converted during string formatting");
	}
	*out = tv_str_from_buf(rt, &b);
	buf_free(&b);
	return 0;
bad:
	buf_free(&b);
	return tmpl_rt_error(rt, TMPL_ERR_OTHER, "incomplete format");
}

/* ---- str.format ---- */

/* Resolve "0", "name", "0[1]", "name.attr" to a value. */
static int
field_value(struct tmpl_rt *rt, const char *f, size_t n,
    const struct tmpl_args *a, size_t *auto_idx, tv *out)
{
	size_t i = 0;

	while (i < n && f[i] != '.' && f[i] != '[')
		i++;
	if (i == 0) {
		if (*auto_idx >= a->npos)
			return tmpl_rt_error(rt, TMPL_ERR_OTHER, "Replacement "
			    "index %zu out of range for positional args tuple",
			    *auto_idx);
		*out = a->pos[(*auto_idx)++];
	} else if (f[0] >= '0' && f[0] <= '9') {
		size_t idx = (size_t)strtoul(f, NULL, 10);
		if (idx >= a->npos)
			return tmpl_rt_error(rt, TMPL_ERR_OTHER, "Replacement "
			    "index %zu out of range for positional args tuple",
			    idx);
		*out = a->pos[idx];
	} else {
		size_t k;
		for (k = 0; k < a->nkw; k++)
			if (a->kw[k].len == i && memcmp(a->kw[k].name, f, i) == 0)
				break;
		if (k == a->nkw)
			return tmpl_rt_error(rt, TMPL_ERR_OTHER, "KeyError: "
			    "'%.*s'", (int)i, f);
		*out = a->kw[k].val;
	}
	while (i < n) {
		size_t j = i + 1;
		if (f[i] == '.') {
			while (j < n && f[j] != '.' && f[j] != '[')
				j++;
			if (rt_getattr(rt, *out, f + i + 1, j - i - 1, out) == -1)
				return -1;
			i = j;
		} else {
			while (j < n && f[j] != ']')
				j++;
			tv key;
			char *end;
			long idx = strtol(f + i + 1, &end, 10);
			if (end == f + j && j > i + 1)
				key = tv_int(idx);
			else
				key = tv_strn(f + i + 1, j - i - 1);
			if (rt_getitem(rt, *out, key, out) == -1)
				return -1;
			i = j + 1;
		}
	}
	return 0;
}

int
tmpl_str_format(struct tmpl_rt *rt, tv fmt, const struct tmpl_args *a,
    tv *out)
{
	const char *s = fmt.u.s;
	size_t n = fmt.len, i = 0, auto_idx = 0;
	struct buf b = BUF_INIT, t = BUF_INIT;

	while (i < n) {
		char c = s[i];
		if (c == '}' ) {
			if (i + 1 < n && s[i + 1] == '}') {
				buf_addc(&b, '}');
				i += 2;
				continue;
			}
			goto bad;
		}
		if (c != '{') {
			buf_addc(&b, c);
			i++;
			continue;
		}
		if (i + 1 < n && s[i + 1] == '{') {
			buf_addc(&b, '{');
			i += 2;
			continue;
		}
		size_t j = i + 1, depth = 1;
		while (j < n && depth > 0) {
			if (s[j] == '{')
				depth++;
			else if (s[j] == '}')
				depth--;
			if (depth > 0)
				j++;
		}
		if (j >= n)
			goto bad;
		const char *fld = s + i + 1;
		size_t flen = j - i - 1, k = 0;
		while (k < flen && fld[k] != '!' && fld[k] != ':')
			k++;
		tv v;
		if (field_value(rt, fld, k, a, &auto_idx, &v) == -1)
			goto fail;
		char conv = 0;
		if (k < flen && fld[k] == '!') {
			conv = k + 1 < flen ? fld[k + 1] : 0;
			k = k + 2 < flen ? k + 2 : flen;
		}
		if (k < flen && fld[k] != ':') {
			tmpl_rt_error(rt, TMPL_ERR_OTHER, "expected ':' after "
			    "conversion specifier");
			goto fail;
		}
		const char *spec = k < flen ? fld + k + 1 : "";
		size_t slen = k < flen ? flen - k - 1 : 0;
		if (conv == 'r' || conv == 'a') {
			buf_reset(&t);
			tv_repr_buf(rt, v, &t);
			v = tv_str_from_buf(rt, &t);
		} else if (conv == 's') {
			if (tv_to_str(rt, v, &v) == -1)
				goto fail;
		}
		if (tmpl_format_spec(rt, v, spec, slen, &b) == -1)
			goto fail;
		i = j + 1;
	}
	*out = tv_str_from_buf(rt, &b);
	buf_free(&b);
	buf_free(&t);
	return 0;
bad:
	tmpl_rt_error(rt, TMPL_ERR_OTHER, "Single '%c' encountered in format "
	    "string", s[i]);
fail:
	buf_free(&b);
	buf_free(&t);
	return -1;
}
