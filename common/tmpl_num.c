/*
 * tmpl_num — numbers with Python's rules: ints that never overflow
 * (int64 fast path, OpenSSL BIGNUM beyond), true division, floor
 * division and modulo rounding toward negative infinity, ** with
 * negative exponents giving floats, and repr() of floats as the shortest
 * text that reads back to the same double ("0.1", "1e+20", "-0.0").
 * Sequence repetition and concatenation (str * int, list + list) live
 * here too, as they are the same operators.
 */
#include "tmpl_value.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"
#include "xmalloc.h"

/* Shortest round-trip digits of f (finite, > 0): "d.ddd" / exponent. */
static void
float_digits(double f, char *digits, int *exp10)
{
	char tmp[40];

	/*
	 * 15 significant digits always round-trip a value that has a
	 * representation that short, and then the zeros stripped below give
	 * the shortest one; otherwise 16, else 17 (each correctly rounded,
	 * so the closest of that length, as Python picks).  Subnormals
	 * have fewer digits of precision: search them from one digit.
	 */
	for (int prec = f < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
		if (strtod(tmp, NULL) == f || prec == 17)
			break;
	}
	/* tmp is "d.ddde[+-]xx" or "de[+-]xx" */
	char *e = strchr(tmp, 'e');
	size_t j = 0;
	for (char *p = tmp; p < e; p++)
		if (*p != '.')
			digits[j++] = *p;
	while (j > 1 && digits[j - 1] == '0')
		j--;
	digits[j] = '\0';
	*exp10 = atoi(e + 1);
}

/*
 * The common case without printf: a value in [1e-4, 1e15) that some
 * decimal with at most 6 fraction digits reads back to.  The first such
 * number of digits k gives the shortest text (a shorter one would have
 * been found at a smaller k), and the nearest integer of f * 10**k is the
 * closest candidate, as Python picks.
 */
static bool
float_repr_fast(double f, struct buf *b)
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
	static const uint64_t i10[] = { 1, 10, 100, 1000, 10000, 100000,
	    1000000 };
	double a = fabs(f);

	if (!(a >= 1e-4 && a < 1e15))
		return false;
	for (int k = 0; k <= 6; k++) {
		double s = a * p10[k];
		if (s >= 9e15)
			return false;
		double r = nearbyint(s);
		if (r / p10[k] != a)
			continue;
		uint64_t m = (uint64_t)r;
		char tmp[48], *end = tmp + sizeof(tmp), *p = end;
		if (k == 0)
			*--p = '0';
		else {
			char *q = fmt_u64(m % i10[k], p);
			while (q > p - k)
				*--q = '0';	/* leading zeros of the fraction */
			p = q;
		}
		*--p = '.';
		p = fmt_u64(m / i10[k], p);
		if (signbit(f))
			*--p = '-';
		buf_add(b, p, (size_t)(end - p));
		return true;
	}
	return false;
}

void
tv_float_repr(double f, struct buf *b)
{
	char digits[40];
	int e;

	if (float_repr_fast(f, b))
		return;
	if (isnan(f)) {
		buf_addstr(b, "nan");
		return;
	}
	if (isinf(f)) {
		buf_addstr(b, f < 0 ? "-inf" : "inf");
		return;
	}
	if (f == 0) {
		buf_addstr(b, signbit(f) ? "-0.0" : "0.0");
		return;
	}
	if (f < 0) {
		buf_addc(b, '-');
		f = -f;
	}
	float_digits(f, digits, &e);
	int nd = (int)strlen(digits), decpt = e + 1;
	if (decpt > 16 || decpt < -3) {
		buf_addc(b, digits[0]);
		if (nd > 1) {
			buf_addc(b, '.');
			buf_addstr(b, digits + 1);
		}
		buf_printf(b, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
	} else if (decpt <= 0) {
		buf_addstr(b, "0.");
		for (int i = 0; i < -decpt; i++)
			buf_addc(b, '0');
		buf_addstr(b, digits);
	} else if (decpt >= nd) {
		buf_addstr(b, digits);
		for (int i = nd; i < decpt; i++)
			buf_addc(b, '0');
		buf_addstr(b, ".0");
	} else {
		buf_add(b, digits, (size_t)decpt);
		buf_addc(b, '.');
		buf_addstr(b, digits + decpt);
	}
}

/* ---- big integers ---- */

static BN_CTX *
bn_ctx(void)
{
	BN_CTX *c = BN_CTX_new();

	if (c == NULL)
		fatalx("BN_CTX_new failed");
	return c;
}

static BIGNUM *
bn_new(void)
{
	BIGNUM *b = BN_new();

	if (b == NULL)
		fatalx("BN_new failed");
	return b;
}

BIGNUM *
tv_to_bn(tv v)
{
	BIGNUM *b;

	if (v.type == TV_BIG) {
		if ((b = BN_dup(v.u.big)) == NULL)
			fatalx("BN_dup failed");
		return b;
	}
	b = bn_new();
	int64_t i = v.u.i;
	uint64_t m = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
	if (BN_set_word(b, m) != 1)
		fatalx("BN_set_word failed");
	BN_set_negative(b, i < 0);
	return b;
}

tv
tv_from_bn(struct tmpl_rt *rt, BIGNUM *bn)
{
	tv v;

	if (BN_num_bits(bn) <= 63) {
		uint64_t w = BN_get_word(bn);
		v = tv_int(BN_is_negative(bn) ? -(int64_t)w : (int64_t)w);
		BN_free(bn);
		return v;
	}
	if (BN_num_bits(bn) == 64 && BN_is_negative(bn) &&
	    BN_get_word(bn) == (uint64_t)1 << 63) {
		BN_free(bn);
		return tv_int(INT64_MIN);
	}
	v.type = TV_BIG;
	v.flags = 0;
	v.len = 0;
	v.pad = 0;
	v.u.big = bn;
	if (rt != NULL)
		arena_defer(tmpl_rt_arena(rt), (void (*)(void *))BN_free, bn);
	return v;
}

double
tv_to_double(tv v)
{
	switch (v.type) {
	case TV_FLOAT: return v.u.f;
	case TV_INT:
	case TV_BOOL: return (double)v.u.i;
	case TV_BIG: {
		char *s = BN_bn2dec(v.u.big);
		double d;
		if (s == NULL)
			fatalx("BN_bn2dec failed");
		d = strtod(s, NULL);
		OPENSSL_free(s);
		return d;
	}
	}
	return 0;
}

int
tv_float_to_int(struct tmpl_rt *rt, double f, tv *out)
{
	char buf[400];

	if (!isfinite(f))
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "cannot convert float "
		    "%s to integer", isnan(f) ? "NaN" : "infinity");
	if (fabs(f) < 9.2e18) {
		*out = tv_int((int64_t)f);
		return 0;
	}
	snprintf(buf, sizeof(buf), "%.0f", trunc(f));
	return tv_parse_int(rt, buf, strlen(buf), 10, out);
}

int
tv_parse_int(struct tmpl_rt *rt, const char *s, size_t n, int base, tv *out)
{
	char buf[128], *heap = NULL, *p = buf;
	size_t j = 0;
	bool neg = false;

	if (n + 1 > sizeof(buf))
		p = heap = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		if (s[i] != '_')
			p[j++] = s[i];
	p[j] = '\0';
	char *q = p;
	if (*q == '-' || *q == '+')
		neg = *q++ == '-';
	errno = 0;
	char *end;
	unsigned long long u = strtoull(q, &end, base);
	int rc = 0;
	if (*q == '\0' || *end != '\0' || *q == '-' || *q == '+') {
		rc = -1;
	} else if (errno == 0 && u <= (unsigned long long)INT64_MAX) {
		*out = tv_int(neg ? -(int64_t)u : (int64_t)u);
	} else if (errno == 0 && neg && u == (unsigned long long)INT64_MAX + 1) {
		*out = tv_int(INT64_MIN);
	} else {
		BIGNUM *bn = NULL;
		/* BN_dec2bn/BN_hex2bn only; convert other bases by hand. */
		if (base == 10) {
			if (BN_dec2bn(&bn, q) == 0)
				fatalx("BN_dec2bn failed");
		} else {
			bn = bn_new();
			for (char *c = q; *c != '\0'; c++) {
				int d = *c <= '9' ? *c - '0' : (*c | 0x20) - 'a' + 10;
				if (BN_mul_word(bn, (BN_ULONG)base) != 1 ||
				    BN_add_word(bn, (BN_ULONG)d) != 1)
					fatalx("BN arithmetic failed");
			}
		}
		BN_set_negative(bn, neg);
		out->type = TV_BIG;
		out->flags = 0;
		out->len = 0;
		out->pad = 0;
		out->u.big = bn;
		if (rt != NULL)
			arena_defer(tmpl_rt_arena(rt),
			    (void (*)(void *))BN_free, bn);
	}
	free(heap);
	return rc;
}

/* Integers past this many bits are an error (a bound on work). */
#define BIG_MAXBITS	100000

static int
big_arith(struct tmpl_rt *rt, enum tv_binop op, tv a, tv b, tv *out)
{
	BIGNUM *x = tv_to_bn(a), *y = tv_to_bn(b), *r = bn_new();
	BN_CTX *c = bn_ctx();
	int ok = 1;

	switch (op) {
	case OP_ADD: ok = BN_add(r, x, y); break;
	case OP_SUB: ok = BN_sub(r, x, y); break;
	case OP_MUL: ok = BN_mul(r, x, y, c); break;
	case OP_FLOORDIV:
	case OP_MOD: {
		BIGNUM *rem = bn_new();
		ok = BN_div(r, rem, x, y, c);
		/* BN_div truncates; Python floors. */
		if (ok && !BN_is_zero(rem) &&
		    BN_is_negative(rem) != BN_is_negative(y)) {
			ok = BN_sub_word(r, 1) && BN_add(rem, rem, y);
		}
		if (op == OP_MOD) {
			BN_free(r);
			r = rem;
		} else
			BN_free(rem);
		break;
	}
	case OP_POW: {
		/* |x|**y has about bits(x) * y bits: refuse before computing */
		int xb = BN_num_bits(x);
		if (xb > 1 && (BN_num_bits(y) > 31 ||
		    (uint64_t)(xb - 1) * BN_get_word(y) > BIG_MAXBITS)) {
			ok = -1;
			break;
		}
		ok = BN_exp(r, x, y, c);
		break;
	}
	default:
		ok = 0;
	}
	BN_CTX_free(c);
	BN_free(x);
	BN_free(y);
	if (ok == -1) {
		BN_free(r);
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "integer too large");
	}
	if (ok != 1)
		fatalx("BIGNUM arithmetic failed");
	if (BN_num_bits(r) > BIG_MAXBITS) {
		BN_free(r);
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "integer too large");
	}
	*out = tv_from_bn(rt, r);
	return 0;
}

static int64_t
floordiv64(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t
mod64(int64_t a, int64_t b)
{
	int64_t m = a % b;

	if (m != 0 && ((m < 0) != (b < 0)))
		m += b;
	return m;
}

static int
int_pow(struct tmpl_rt *rt, tv a, tv b, tv *out)
{
	if (b.type != TV_BIG && b.u.i < 0) {
		*out = tv_float(pow(tv_to_double(a), tv_to_double(b)));
		return 0;
	}
	if (a.type == TV_INT && b.type == TV_INT) {
		int64_t base = a.u.i, e = b.u.i, r = 1;
		bool ovf = false;
		while (e > 0 && !ovf) {
			if (e & 1)
				ovf = __builtin_mul_overflow(r, base, &r);
			e >>= 1;
			if (e > 0 && !ovf)
				ovf = __builtin_mul_overflow(base, base, &base);
		}
		if (!ovf) {
			*out = tv_int(r);
			return 0;
		}
	}
	if (b.type == TV_BIG && BN_is_negative(b.u.big)) {
		*out = tv_float(pow(tv_to_double(a), tv_to_double(b)));
		return 0;
	}
	return big_arith(rt, OP_POW, a, b, out);
}

static int
int_arith(struct tmpl_rt *rt, enum tv_binop op, tv a, tv b, tv *out)
{
	int64_t r, x = a.u.i, y = b.u.i;
	bool big = a.type == TV_BIG || b.type == TV_BIG;

	if ((op == OP_FLOORDIV || op == OP_MOD || op == OP_DIV) &&
	    ((b.type != TV_BIG && y == 0)))
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, op == OP_DIV ?
		    "division by zero" : "integer division or modulo by zero");
	switch (op) {
	case OP_DIV:
		*out = tv_float(tv_to_double(a) / tv_to_double(b));
		return 0;
	case OP_POW:
		return int_pow(rt, a, b, out);
	default:
		break;
	}
	if (!big) {
		bool ovf = false;
		switch (op) {
		case OP_ADD: ovf = __builtin_add_overflow(x, y, &r); break;
		case OP_SUB: ovf = __builtin_sub_overflow(x, y, &r); break;
		case OP_MUL: ovf = __builtin_mul_overflow(x, y, &r); break;
		case OP_FLOORDIV:
			ovf = x == INT64_MIN && y == -1;
			if (!ovf)
				r = floordiv64(x, y);
			break;
		case OP_MOD:
			r = y == -1 ? 0 : mod64(x, y);
			break;
		default:
			ovf = true;
		}
		if (!ovf) {
			*out = tv_int(r);
			return 0;
		}
	}
	return big_arith(rt, op, a, b, out);
}

static int
float_arith(struct tmpl_rt *rt, enum tv_binop op, double x, double y,
    tv *out)
{
	double r;

	switch (op) {
	case OP_ADD: r = x + y; break;
	case OP_SUB: r = x - y; break;
	case OP_MUL: r = x * y; break;
	case OP_DIV:
		if (y == 0)
			return tmpl_rt_error(rt, TMPL_ERR_OTHER,
			    "float division by zero");
		r = x / y;
		break;
	case OP_FLOORDIV:
	case OP_MOD: {
		if (y == 0)
			return tmpl_rt_error(rt, TMPL_ERR_OTHER, op == OP_MOD ?
			    "float modulo" : "float floor division by zero");
		double m = fmod(x, y);
		if (m != 0 && ((m < 0) != (y < 0)))
			m += y;
		if (op == OP_MOD) {
			r = m == 0 ? copysign(0.0, y) : m;
		} else {
			double d = (x - m) / y;
			if (d != 0) {
				double fl = floor(d);
				if (d - fl > 0.5)
					fl += 1.0;
				d = fl;
			} else
				d = copysign(0.0, x / y);
			r = d;
		}
		break;
	}
	case OP_POW:
		if (x == 0 && y < 0)
			return tmpl_rt_error(rt, TMPL_ERR_OTHER, "0.0 cannot be "
			    "raised to a negative power");
		if (x < 0 && y != floor(y))
			return tmpl_rt_error(rt, TMPL_ERR_OTHER, "complex "
			    "result of a negative number to a fractional "
			    "power is not supported");
		r = pow(x, y);
		break;
	default:
		r = 0;
	}
	*out = tv_float(r);
	return 0;
}

static const char *const op_sym[] = {
	[OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/",
	[OP_FLOORDIV] = "//", [OP_MOD] = "%", [OP_POW] = "** or pow()",
};

/* str/list/tuple * int */
static int
seq_repeat(struct tmpl_rt *rt, tv s, int64_t n, tv *out)
{
	struct arena *a = tmpl_rt_arena(rt);

	if (n < 0)
		n = 0;
	if (s.type == TV_STR) {
		if (s.len > 0 && (uint64_t)n > UINT32_MAX / s.len)
			return tmpl_rt_error(rt, TMPL_ERR_LIMIT,
			    "string too long");
		size_t len = (size_t)n * s.len;
		if (tmpl_rt_check_size(rt, len) == -1)
			return -1;
		char *p = arena_alloc(a, len + 1);
		for (int64_t i = 0; i < n; i++)
			memcpy(p + (size_t)i * s.len, s.u.s, s.len);
		*out = tv_strn(p, len);
		return 0;
	}
	size_t len = s.u.list->len;
	if (len > 0 && (uint64_t)n > UINT32_MAX / 2 / len)
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "list too long");
	if (tmpl_rt_check_size(rt, (size_t)n * len * sizeof(tv)) == -1)
		return -1;
	struct tv_list *l = tv_list_new(a, (size_t)n * len);
	for (int64_t i = 0; i < n; i++)
		for (size_t j = 0; j < len; j++)
			l->items[l->len++] = s.u.list->items[j];
	*out = s.type == TV_TUPLE ? tv_tuple_val(l) : tv_list_val(l);
	if (s.type == TV_TUPLE)
		l->frozen = true;
	return 0;
}

static int
seq_concat(struct tmpl_rt *rt, tv x, tv y, tv *out)
{
	struct arena *a = tmpl_rt_arena(rt);

	if (x.type == TV_STR) {
		size_t len = (size_t)x.len + y.len;
		if (len > UINT32_MAX || tmpl_rt_check_size(rt, len) == -1)
			return tmpl_rt_error(rt, TMPL_ERR_LIMIT,
			    "string too long");
		char *p = arena_alloc(a, len + 1);
		memcpy(p, x.u.s, x.len);
		memcpy(p + x.len, y.u.s, y.len);
		*out = tv_strn(p, len);
		return 0;
	}
	struct tv_list *l = tv_list_new(a, (size_t)x.u.list->len +
	    y.u.list->len);
	tv_copy(l->items, x.u.list->items, x.u.list->len);
	tv_copy(l->items + x.u.list->len, y.u.list->items, y.u.list->len);
	l->len = x.u.list->len + y.u.list->len;
	*out = x.type == TV_TUPLE ? tv_tuple_val(l) : tv_list_val(l);
	l->frozen = x.type == TV_TUPLE;
	return 0;
}

static bool
is_intlike(tv v)
{
	return v.type == TV_INT || v.type == TV_BOOL;
}

int
tv_arith(struct tmpl_rt *rt, enum tv_binop op, tv a, tv b, tv *out)
{
	if (a.type == TV_UNDEF || a.type == TV_MISSING)
		return tmpl_rt_undef_error(rt, a);
	if (b.type == TV_UNDEF || b.type == TV_MISSING)
		return tmpl_rt_undef_error(rt, b);
	if (tv_is_num(a) && tv_is_num(b)) {
		if (a.type == TV_FLOAT || b.type == TV_FLOAT)
			return float_arith(rt, op, tv_to_double(a),
			    tv_to_double(b), out);
		return int_arith(rt, op, a, b, out);
	}
	if (op == OP_ADD && a.type == b.type && (a.type == TV_STR ||
	    a.type == TV_LIST || a.type == TV_TUPLE))
		return seq_concat(rt, a, b, out);
	if (op == OP_MUL && (a.type == TV_STR || tv_is_seq(a)) && is_intlike(b))
		return seq_repeat(rt, a, b.u.i, out);
	if (op == OP_MUL && (b.type == TV_STR || tv_is_seq(b)) && is_intlike(a))
		return seq_repeat(rt, b, a.u.i, out);
	if (op == OP_MOD && a.type == TV_STR)
		return tmpl_percent_format(rt, a, b, out);
	if (op == OP_ADD && a.type == TV_STR)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "can only concatenate "
		    "str (not \"%s\") to str", tv_type_name(b));
	return tmpl_rt_error(rt, TMPL_ERR_TYPE, "unsupported operand type(s) "
	    "for %s: '%s' and '%s'", op_sym[op], tv_type_name(a),
	    tv_type_name(b));
}

int
tv_neg(struct tmpl_rt *rt, tv a, tv *out)
{
	switch (a.type) {
	case TV_FLOAT:
		*out = tv_float(-a.u.f);
		return 0;
	case TV_BOOL:
	case TV_INT:
		if (a.u.i != INT64_MIN) {
			*out = tv_int(-a.u.i);
			return 0;
		}
		/* FALLTHROUGH */
	case TV_BIG:
		return big_arith(rt, OP_SUB, tv_int(0), a, out);
	case TV_UNDEF:
	case TV_MISSING:
		return tmpl_rt_undef_error(rt, a);
	}
	return tmpl_rt_error(rt, TMPL_ERR_TYPE, "bad operand type for unary "
	    "-: '%s'", tv_type_name(a));
}
