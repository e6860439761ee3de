/*
 * tmpl_tests — Jinja2's builtin tests (`x is defined`, `n is even`, ...),
 * one table.  A test gets the tested value as self and returns a TV_BOOL.
 * Only `defined` and `undefined` accept an undefined value; the others
 * treat it as Jinja2 does (a strict undefined raises when touched).
 */
#include <string.h>

#include "tmpl_builtins.h"
#include "tmpl_eval.h"

#define RET(x) do { *out = tv_bool(x); return 0; } while (0)

/* The single argument of a test ("divisibleby 3"), by Jinja2's names. */
static int
arg1(struct tmpl_rt *rt, const char *name, const struct tmpl_args *a, tv *v)
{
	tv args[1];
	const char *param = strcmp(name, "divisibleby") == 0 ? "num" :
	    strcmp(name, "in") == 0 ? "seq" : strcmp(name, "sameas") == 0 ?
	    "other" : "b";

	if (tmpl_bind(rt, name, a, param, args, 1) == -1)
		return -1;
	if (args[0].type == TV_MISSING)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "test '%s' needs an "
		    "argument", name);
	*v = args[0];
	return 0;
}

static bool
is_undef(tv v)
{
	return v.type == TV_UNDEF || v.type == TV_MISSING;
}

static int
t_defined(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(!is_undef(v));
}

static int
t_undefined(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(is_undef(v));
}

static int
t_none(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_NONE);
}

static int
t_boolean(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_BOOL);
}

static int
t_true(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_BOOL && v.u.i);
}

static int
t_false(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_BOOL && !v.u.i);
}

static int
t_integer(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_INT || v.type == TV_BIG);
}

static int
t_float(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_FLOAT);
}

static int
t_number(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(tv_is_num(v));
}

static int
t_string(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_STR);
}

static int
t_mapping(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_DICT);
}

static int
t_sequence(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_STR || tv_is_seq(v) || v.type == TV_DICT);
}

static int
t_iterable(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_STR || tv_is_seq(v) || v.type == TV_DICT ||
	    (v.type == TV_OBJ && v.u.obj->type->items != NULL));
}

static int
t_callable(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_OBJ && v.u.obj->type->call != NULL);
}

static int
t_escaped(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_STR && (v.flags & TVF_SAFE));
}

static int
parity(struct tmpl_rt *rt, tv v, int64_t *r)
{
	tv m;

	if (tv_arith(rt, OP_MOD, v, tv_int(2), &m) == -1)
		return -1;
	*r = m.type == TV_FLOAT ? (int64_t)m.u.f : m.u.i;
	return 0;
}

static int
t_even(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	int64_t r;

	(void)a;
	if (parity(rt, v, &r) == -1)
		return -1;
	RET(r == 0);
}

static int
t_odd(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	int64_t r;

	(void)a;
	if (parity(rt, v, &r) == -1)
		return -1;
	RET(r == 1);
}

static int
t_divisibleby(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	tv n, m;

	if (arg1(rt, "divisibleby", a, &n) == -1 ||
	    tv_arith(rt, OP_MOD, v, n, &m) == -1)
		return -1;
	RET(tv_eq(m, tv_int(0)));
}

static int
cmp_test(struct tmpl_rt *rt, const char *name, tv v, const struct tmpl_args *a,
    int want, tv *out)
{
	tv o;
	int c;

	if (arg1(rt, name, a, &o) == -1)
		return -1;
	if (want == 0 || want == 3) {
		bool eq = tv_eq(v, o);
		RET(want == 0 ? eq : !eq);
	}
	if (tv_cmp(rt, v, o, &c) == -1)
		return -1;
	switch (want) {
	case 1: RET(c < 0);
	case 2: RET(c <= 0);
	case 4: RET(c > 0);
	default: RET(c >= 0);
	}
}

static int
t_eq(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	return cmp_test(rt, "eq", v, a, 0, out);
}

static int
t_ne(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	return cmp_test(rt, "ne", v, a, 3, out);
}

static int
t_lt(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	return cmp_test(rt, "lt", v, a, 1, out);
}

static int
t_le(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	return cmp_test(rt, "le", v, a, 2, out);
}

static int
t_gt(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	return cmp_test(rt, "gt", v, a, 4, out);
}

static int
t_ge(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	return cmp_test(rt, "ge", v, a, 5, out);
}

static int
t_in(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	tv seq;

	if (arg1(rt, "in", a, &seq) == -1)
		return -1;
	if (seq.type == TV_STR) {
		if (v.type != TV_STR)
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "'in <string>' "
			    "requires string as left operand, not %s",
			    tv_type_name(v));
		RET(str_find(seq.u.s, seq.len, v.u.s, v.len) != NULL);
	}
	if (seq.type == TV_DICT)
		RET(tv_dict_get(seq.u.dict, v) != NULL);
	struct tv_list *l;
	if (tv_iterate(rt, seq, &l) == -1)
		return -1;
	for (uint32_t i = 0; i < l->len; i++)
		if (tv_eq(l->items[i], v))
			RET(true);
	RET(false);
}

static int
t_sameas(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	tv o;

	if (arg1(rt, "sameas", a, &o) == -1)
		return -1;
	if (v.type != o.type)
		RET(false);
	switch (v.type) {
	case TV_NONE: RET(true);
	case TV_BOOL: RET(v.u.i == o.u.i);
	case TV_INT: RET(v.u.i == o.u.i && v.u.i >= -5 && v.u.i <= 256);
	case TV_STR: RET(v.u.s == o.u.s && v.len == o.len);
	case TV_LIST: case TV_TUPLE: RET(v.u.list == o.u.list);
	case TV_DICT: RET(v.u.dict == o.u.dict);
	case TV_OBJ: RET(v.u.obj == o.u.obj);
	}
	RET(false);
}

static int
case_test(struct tmpl_rt *rt, tv v, bool upper, tv *out)
{
	struct buf b = BUF_INIT;
	size_t i = 0, adv;
	bool cased = false, ok = true;

	if (v.type != TV_STR) {
		if (tv_str_buf(rt, v, &b) == -1) {
			buf_free(&b);
			return -1;
		}
		v = tv_strn(b.data ? b.data : "", b.len);
	}
	while (i < v.len && ok) {
		uint32_t c = utf8_decode(v.u.s + i, v.len - i, &adv);
		if (uc_isupper(c)) {
			cased = true;
			ok = upper;
		} else if (uc_islower(c)) {
			cased = true;
			ok = !upper;
		}
		i += adv;
	}
	buf_free(&b);
	RET(ok && cased);
}

static int
t_upper(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)a;
	return case_test(rt, v, true, out);
}

static int
t_lower(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)a;
	return case_test(rt, v, false, out);
}

static int
t_filter(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_STR && tmpl_filter_find(v.u.s, v.len) != NULL);
}

static int
t_test(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	RET(v.type == TV_STR && tmpl_test_find(v.u.s, v.len) != NULL);
}

const struct builtin tmpl_tests[] = {
	{ "!=", t_ne, "not equal to the argument", 0 },
	{ "<", t_lt, "less than the argument", 0 },
	{ "<=", t_le, "less than or equal to the argument", 0 },
	{ "==", t_eq, "equal to the argument", 0 },
	{ ">", t_gt, "greater than the argument", 0 },
	{ ">=", t_ge, "greater than or equal to the argument", 0 },
	{ "boolean", t_boolean, "True or False", 0 },
	{ "callable", t_callable, "can be called (macro, function)", 0 },
	{ "defined", t_defined, "the variable is defined", 0 },
	{ "divisibleby", t_divisibleby, "divisible by the argument", 0 },
	{ "eq", t_eq, "equal to the argument", 0 },
	{ "equalto", t_eq, "equal to the argument", 0 },
	{ "escaped", t_escaped, "marked safe (escaped)", 0 },
	{ "even", t_even, "an even number", 0 },
	{ "false", t_false, "the value False", 0 },
	{ "filter", t_filter, "the name of a filter", 0 },
	{ "float", t_float, "a float", 0 },
	{ "ge", t_ge, "greater than or equal to the argument", 0 },
	{ "greaterthan", t_gt, "greater than the argument", 0 },
	{ "gt", t_gt, "greater than the argument", 0 },
	{ "in", t_in, "contained in the argument", 0 },
	{ "integer", t_integer, "an integer (not a bool)", 0 },
	{ "iterable", t_iterable, "can be iterated", 0 },
	{ "le", t_le, "less than or equal to the argument", 0 },
	{ "lessthan", t_lt, "less than the argument", 0 },
	{ "lower", t_lower, "all cased characters lowercase", 0 },
	{ "lt", t_lt, "less than the argument", 0 },
	{ "mapping", t_mapping, "a dict", 0 },
	{ "ne", t_ne, "not equal to the argument", 0 },
	{ "none", t_none, "None", 0 },
	{ "number", t_number, "an int, float or bool", 0 },
	{ "odd", t_odd, "an odd number", 0 },
	{ "sameas", t_sameas, "the same object as the argument", 0 },
	{ "sequence", t_sequence, "a string, list, tuple or dict", 0 },
	{ "string", t_string, "a string", 0 },
	{ "test", t_test, "the name of a test", 0 },
	{ "true", t_true, "the value True", 0 },
	{ "undefined", t_undefined, "the variable is undefined", 0 },
	{ "upper", t_upper, "all cased characters uppercase", 0 },
	{ NULL, NULL, NULL, 0 },
};

const struct builtin *
tmpl_test_find(const char *name, size_t len)
{
	for (const struct builtin *b = tmpl_tests; b->name != NULL; b++)
		if (strlen(b->name) == len && memcmp(b->name, name, len) == 0)
			return b;
	return NULL;
}
