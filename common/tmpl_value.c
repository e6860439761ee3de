/*
 * tmpl_value — see tmpl_value.h.  Python's object protocol for the
 * engine's values: truth, equality, ordering, hashing, length,
 * iteration, str() and repr(), and the list and dict containers.
 */
#include "tmpl_value.h"

#include <math.h>
#include <string.h>

#include "arena.h"
#include "tmpl_eval.h"
#include "tmpl_limits.h"
#include "log.h"
#include "xmalloc.h"

tv
tv_cstr(const char *s)
{
	return tv_strn(s, strlen(s));
}

bool
tv_is_objtype(tv v, const struct tv_objtype *t)
{
	return v.type == TV_OBJ && v.u.obj->type == t;
}

const char *
tv_type_name(tv v)
{
	switch (v.type) {
	case TV_MISSING:
	case TV_UNDEF: return "Undefined";
	case TV_NONE: return "NoneType";
	case TV_BOOL: return "bool";
	case TV_INT:
	case TV_BIG: return "int";
	case TV_FLOAT: return "float";
	case TV_STR: return "str";
	case TV_LIST: return "list";
	case TV_TUPLE: return "tuple";
	case TV_DICT: return "dict";
	case TV_OBJ: return v.u.obj->type->name;
	}
	return "object";
}

bool
tv_truthy(struct tmpl_rt *rt, tv v, int *err)
{
	switch (v.type) {
	case TV_MISSING:
	case TV_UNDEF:
		if (!tv_undef_lenient(v, tmpl_rt_mode(rt)))
			*err = tmpl_rt_undef_error(rt, v);
		return false;
	case TV_NONE: return false;
	case TV_BOOL:
	case TV_INT: return v.u.i != 0;
	case TV_BIG: return true;
	case TV_FLOAT: return v.u.f != 0.0;
	case TV_STR: return v.len > 0;
	case TV_LIST:
	case TV_TUPLE: return v.u.list->len > 0;
	case TV_DICT: return v.u.dict->len > 0;
	case TV_OBJ: {
		int64_t n;
		if (v.u.obj->type->items != NULL && tv_length(rt, v, &n) == 0)
			return n > 0;
		return true;
	}
	}
	return true;
}

static bool
tv_num_eq(tv a, tv b)
{
	if (a.type == TV_FLOAT || b.type == TV_FLOAT)
		return tv_to_double(a) == tv_to_double(b);
	if (a.type == TV_BIG || b.type == TV_BIG) {
		if (a.type != TV_BIG || b.type != TV_BIG)
			return false;	/* normalized: big never fits int64 */
		return BN_cmp(a.u.big, b.u.big) == 0;
	}
	return a.u.i == b.u.i;
}

static bool eq_d(tv a, tv b, int depth);

static bool
tv_list_eq(const struct tv_list *a, const struct tv_list *b, int depth)
{
	if (a == b)
		return true;
	if (a->len != b->len)
		return false;
	for (uint32_t i = 0; i < a->len; i++)
		if (!eq_d(a->items[i], b->items[i], depth + 1))
			return false;
	return true;
}

bool
tv_eq(tv a, tv b)
{
	return eq_d(a, b, 0);
}

/* Equality to TMPL_VALUE_MAXDEPTH levels (self-containing lists stop). */
static bool
eq_d(tv a, tv b, int depth)
{
	if (depth > TMPL_VALUE_MAXDEPTH)
		return false;
	if (tv_is_num(a) && tv_is_num(b))
		return tv_num_eq(a, b);
	if (a.type != b.type)
		return false;
	switch (a.type) {
	case TV_MISSING:
	case TV_UNDEF:
	case TV_NONE: return true;
	case TV_STR:
		return a.len == b.len && memcmp(a.u.s, b.u.s, a.len) == 0;
	case TV_LIST:
	case TV_TUPLE: return tv_list_eq(a.u.list, b.u.list, depth);
	case TV_DICT: {
		const struct tv_dict *x = a.u.dict, *y = b.u.dict;
		if (x == y)
			return true;
		if (x->len != y->len)
			return false;
		for (uint32_t i = 0; i < x->len; i++) {
			const tv *o = tv_dict_get(y, x->e[i].key);
			if (o == NULL || !eq_d(*o, x->e[i].val, depth + 1))
				return false;
		}
		return true;
	}
	case TV_OBJ: return a.u.obj == b.u.obj;
	}
	return false;
}

static int
cmp_type_error(struct tmpl_rt *rt, tv a, tv b, const char *op)
{
	return tmpl_rt_error(rt, TMPL_ERR_TYPE, "'%s' not supported between "
	    "instances of '%s' and '%s'", op, tv_type_name(a),
	    tv_type_name(b));
}

static int cmp_d(struct tmpl_rt *rt, tv a, tv b, int *res, int depth);

int
tv_cmp(struct tmpl_rt *rt, tv a, tv b, int *res)
{
	return cmp_d(rt, a, b, res, 0);
}

static int
cmp_d(struct tmpl_rt *rt, tv a, tv b, int *res, int depth)
{
	if (depth > TMPL_VALUE_MAXDEPTH)
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "maximum recursion "
		    "depth exceeded in comparison");
	if ((a.type == TV_UNDEF || b.type == TV_UNDEF))
		return tmpl_rt_undef_error(rt, a.type == TV_UNDEF ? a : b);
	if (tv_is_num(a) && tv_is_num(b)) {
		if (a.type == TV_FLOAT || b.type == TV_FLOAT) {
			double x = tv_to_double(a), y = tv_to_double(b);
			*res = x < y ? -1 : x > y ? 1 : 0;
		} else if (a.type == TV_BIG || b.type == TV_BIG) {
			BIGNUM *x = tv_to_bn(a), *y = tv_to_bn(b);
			*res = BN_cmp(x, y);
			BN_free(x);
			BN_free(y);
		} else
			*res = a.u.i < b.u.i ? -1 : a.u.i > b.u.i;
		return 0;
	}
	if (a.type == TV_STR && b.type == TV_STR) {
		size_t n = a.len < b.len ? a.len : b.len;
		int c = memcmp(a.u.s, b.u.s, n);
		*res = c != 0 ? (c < 0 ? -1 : 1) : a.len < b.len ? -1 :
		    a.len > b.len;
		return 0;
	}
	if ((a.type == TV_LIST && b.type == TV_LIST) ||
	    (a.type == TV_TUPLE && b.type == TV_TUPLE)) {
		const struct tv_list *x = a.u.list, *y = b.u.list;
		for (uint32_t i = 0; i < x->len && i < y->len; i++) {
			if (eq_d(x->items[i], y->items[i], depth + 1))
				continue;
			return cmp_d(rt, x->items[i], y->items[i], res,
			    depth + 1);
		}
		*res = x->len < y->len ? -1 : x->len > y->len;
		return 0;
	}
	return cmp_type_error(rt, a, b, "<");
}

static uint64_t hash_d(tv v, int depth);

uint64_t
tv_hash(tv v)
{
	return hash_d(v, 0);
}

static uint64_t
hash_d(tv v, int depth)
{
	uint64_t h = 1469598103934665603ull;

	if (depth > TMPL_VALUE_MAXDEPTH)
		return h;
	switch (v.type) {
	case TV_BOOL:
	case TV_INT:
		return (uint64_t)v.u.i * 0x9E3779B97F4A7C15ull;
	case TV_FLOAT:
		if (v.u.f == floor(v.u.f) && fabs(v.u.f) < 9e18)
			return (uint64_t)(int64_t)v.u.f * 0x9E3779B97F4A7C15ull;
		memcpy(&h, &v.u.f, sizeof(h));
		return h * 0x9E3779B97F4A7C15ull;
	case TV_STR:
		for (uint32_t i = 0; i < v.len; i++)
			h = (h ^ (unsigned char)v.u.s[i]) * 1099511628211ull;
		return h;
	case TV_TUPLE:
	case TV_LIST:
		for (uint32_t i = 0; i < v.u.list->len; i++)
			h = (h ^ hash_d(v.u.list->items[i], depth + 1)) *
			    1099511628211ull;
		return h;
	case TV_BIG:
		return (uint64_t)BN_num_bits(v.u.big);
	case TV_OBJ:
		return (uint64_t)(uintptr_t)v.u.obj;
	}
	return (uint64_t)v.type;
}

/* ---- list ---- */

struct tv_list *
tv_list_new(struct arena *a, size_t cap)
{
	struct tv_list *l = arena_zalloc(a, sizeof(*l));

	if (cap > UINT32_MAX)
		fatalx("tmpl: list too long");
	if (cap == 0)
		cap = 1;	/* items is never NULL */
	l->items = arena_alloc(a, cap * sizeof(tv));
	l->cap = (uint32_t)cap;
	return l;
}

void
tv_list_push(struct arena *a, struct tv_list *l, tv v)
{
	if (l->len == l->cap) {
		size_t nc = l->cap == 0 ? 4 : (size_t)l->cap * 2;
		if (nc > UINT32_MAX)
			fatalx("tmpl: list too long");
		l->items = arena_realloc(a, l->items, l->cap * sizeof(tv),
		    nc * sizeof(tv));
		l->cap = (uint32_t)nc;
	}
	l->items[l->len++] = v;
}

tv
tv_list_val(struct tv_list *l)
{
	tv v = { .type = TV_LIST };
	v.u.list = l;
	return v;
}

tv
tv_tuple_val(struct tv_list *l)
{
	tv v = { .type = TV_TUPLE };
	v.u.list = l;
	return v;
}

/* ---- dict: entries in insertion order plus a hash index over them ---- */

#define DICT_LINEAR	8

struct tv_dict *
tv_dict_new(struct arena *a, size_t cap)
{
	struct tv_dict *d = arena_zalloc(a, sizeof(*d));

	if (cap > UINT32_MAX / 4)
		fatalx("tmpl: dict too big");
	if (cap > 0)
		d->e = arena_alloc(a, cap * sizeof(*d->e));
	d->cap = (uint32_t)cap;
	return d;
}

static bool
key_eq(tv a, tv b)
{
	if (a.type == TV_STR && b.type == TV_STR)
		return a.len == b.len && memcmp(a.u.s, b.u.s, a.len) == 0;
	return tv_eq(a, b);
}

static void
dict_reindex(struct arena *a, struct tv_dict *d)
{
	uint32_t icap = 16;

	while (icap < d->len * 2 + 2)
		icap *= 2;
	d->index = arena_zalloc(a, icap * sizeof(uint32_t));
	d->icap = icap;
	for (uint32_t i = 0; i < d->len; i++) {
		uint32_t j = (uint32_t)tv_hash(d->e[i].key) & (icap - 1);
		while (d->index[j] != 0)
			j = (j + 1) & (icap - 1);
		d->index[j] = i + 1;
	}
}

static int64_t
dict_find(const struct tv_dict *d, tv k)
{
	if (d->index == NULL) {
		for (uint32_t i = 0; i < d->len; i++)
			if (key_eq(d->e[i].key, k))
				return i;
		return -1;
	}
	uint32_t j = (uint32_t)tv_hash(k) & (d->icap - 1);
	while (d->index[j] != 0) {
		uint32_t i = d->index[j] - 1;
		if (key_eq(d->e[i].key, k))
			return i;
		j = (j + 1) & (d->icap - 1);
	}
	return -1;
}

void
tv_dict_set(struct arena *a, struct tv_dict *d, tv k, tv v)
{
	int64_t i = dict_find(d, k);

	if (i >= 0) {
		d->e[i].val = v;
		return;
	}
	if (d->len == d->cap) {
		size_t nc = d->cap == 0 ? 4 : (size_t)d->cap * 2;
		if (nc > UINT32_MAX / 4)
			fatalx("tmpl: dict too big");
		d->e = arena_realloc(a, d->e, d->cap * sizeof(*d->e),
		    nc * sizeof(*d->e));
		d->cap = (uint32_t)nc;
	}
	d->e[d->len].key = k;
	d->e[d->len].val = v;
	d->len++;
	if (d->len > DICT_LINEAR && (d->index == NULL ||
	    d->len * 2 > d->icap))
		dict_reindex(a, d);
	else if (d->index != NULL) {
		uint32_t j = (uint32_t)tv_hash(k) & (d->icap - 1);
		while (d->index[j] != 0)
			j = (j + 1) & (d->icap - 1);
		d->index[j] = d->len;
	}
}

const tv *
tv_dict_get(const struct tv_dict *d, tv k)
{
	int64_t i = dict_find(d, k);

	return i < 0 ? NULL : &d->e[i].val;
}

const tv *
tv_dict_gets(const struct tv_dict *d, const char *s, size_t len)
{
	return tv_dict_get(d, tv_strn(s, len));
}

const tv *
tv_dict_gets_h(const struct tv_dict *d, const char *s, size_t len,
    uint64_t hash)
{
	if (d->index == NULL) {
		for (uint32_t i = 0; i < d->len; i++) {
			tv k = d->e[i].key;
			if (k.type == TV_STR && k.len == len && (len == 0 ||
			    (k.u.s[0] == s[0] && memcmp(k.u.s, s, len) == 0)))
				return &d->e[i].val;
		}
		return NULL;
	}
	for (uint32_t j = (uint32_t)hash & (d->icap - 1); d->index[j] != 0;
	    j = (j + 1) & (d->icap - 1)) {
		tv k = d->e[d->index[j] - 1].key;
		if (k.type == TV_STR && k.len == len &&
		    memcmp(k.u.s, s, len) == 0)
			return &d->e[d->index[j] - 1].val;
	}
	return NULL;
}

tv
tv_dict_val(struct tv_dict *d)
{
	tv v = { .type = TV_DICT };
	v.u.dict = d;
	return v;
}

/* ---- iteration and length ---- */

static struct tv_list *
str_chars(struct tmpl_rt *rt, tv s)
{
	struct tv_list *l = tv_list_new(tmpl_rt_arena(rt), s.len);
	size_t i = 0, adv;

	while (i < s.len) {
		utf8_decode(s.u.s + i, s.len - i, &adv);
		l->items[l->len++] = tv_strn(s.u.s + i, adv);
		i += adv;
	}
	return l;
}

int
tv_iterate(struct tmpl_rt *rt, tv v, struct tv_list **out)
{
	switch (v.type) {
	case TV_LIST:
	case TV_TUPLE:
		*out = v.u.list;
		return 0;
	case TV_STR:
		*out = str_chars(rt, v);
		return 0;
	case TV_DICT: {
		struct tv_list *l = tv_list_new(tmpl_rt_arena(rt),
		    v.u.dict->len);
		for (uint32_t i = 0; i < v.u.dict->len; i++)
			l->items[i] = v.u.dict->e[i].key;
		l->len = v.u.dict->len;
		*out = l;
		return 0;
	}
	case TV_MISSING:
	case TV_UNDEF:
		if (tv_undef_lenient(v, tmpl_rt_mode(rt))) {
			*out = tv_list_new(tmpl_rt_arena(rt), 0);
			return 0;
		}
		return tmpl_rt_undef_error(rt, v);
	case TV_OBJ:
		if (v.u.obj->type->items != NULL)
			return v.u.obj->type->items(rt, v.u.obj, out);
		break;
	}
	return tmpl_rt_error(rt, TMPL_ERR_TYPE, "'%s' object is not iterable",
	    tv_type_name(v));
}

int
tv_length(struct tmpl_rt *rt, tv v, int64_t *out)
{
	struct tv_list *l;

	switch (v.type) {
	case TV_STR:
		*out = (int64_t)utf8_len(v.u.s, v.len);
		return 0;
	case TV_LIST:
	case TV_TUPLE:
		*out = v.u.list->len;
		return 0;
	case TV_DICT:
		*out = v.u.dict->len;
		return 0;
	case TV_UNDEF:
	case TV_OBJ:
		if (v.type == TV_OBJ && v.u.obj->type->items == NULL)
			break;
		if (tv_iterate(rt, v, &l) == -1)
			return -1;
		*out = l->len;
		return 0;
	}
	return tmpl_rt_error(rt, TMPL_ERR_TYPE, "object of type '%s' has no "
	    "len()", tv_type_name(v));
}

/* ---- printing ---- */

/*
 * repr() follows containers; seen[0..depth) are the ones being printed,
 * so a list that contains itself prints as [...] the way Python does.
 */
static void repr_d(struct tmpl_rt *rt, tv v, struct buf *b, const void **seen,
    int depth);

static void
repr_seq(struct tmpl_rt *rt, const struct tv_list *l, struct buf *b,
    bool tuple, const void **seen, int depth)
{
	buf_addc(b, tuple ? '(' : '[');
	for (uint32_t i = 0; i < l->len; i++) {
		if (i > 0)
			buf_add(b, ", ", 2);
		repr_d(rt, l->items[i], b, seen, depth + 1);
	}
	if (tuple && l->len == 1)
		buf_addc(b, ',');
	buf_addc(b, tuple ? ')' : ']');
}

void
tv_repr_buf(struct tmpl_rt *rt, tv v, struct buf *b)
{
	const void *seen[TMPL_VALUE_MAXDEPTH + 1];

	repr_d(rt, v, b, seen, 0);
}

static void
repr_d(struct tmpl_rt *rt, tv v, struct buf *b, const void **seen, int depth)
{
	const void *self = v.type == TV_DICT ? (const void *)v.u.dict :
	    tv_is_seq(v) ? (const void *)v.u.list : NULL;

	if (self != NULL) {
		bool again = depth >= TMPL_VALUE_MAXDEPTH;
		for (int i = 0; i < depth && !again; i++)
			again = seen[i] == self;
		if (again) {
			buf_addstr(b, v.type == TV_LIST ? "[...]" :
			    v.type == TV_DICT ? "{...}" : "(...)");
			return;
		}
		seen[depth] = self;
	}
	switch (v.type) {
	case TV_STR:
		str_repr(v.u.s, v.len, b);
		return;
	case TV_LIST:
	case TV_TUPLE:
		repr_seq(rt, v.u.list, b, v.type == TV_TUPLE, seen, depth);
		return;
	case TV_DICT:
		buf_addc(b, '{');
		for (uint32_t i = 0; i < v.u.dict->len; i++) {
			if (i > 0)
				buf_add(b, ", ", 2);
			repr_d(rt, v.u.dict->e[i].key, b, seen, depth + 1);
			buf_add(b, ": ", 2);
			repr_d(rt, v.u.dict->e[i].val, b, seen, depth + 1);
		}
		buf_addc(b, '}');
		return;
	case TV_MISSING:
	case TV_UNDEF:
		buf_addstr(b, "Undefined");
		return;
	default:
		(void)tv_str_buf(rt, v, b);
	}
}

int
tv_str_buf(struct tmpl_rt *rt, tv v, struct buf *b)
{
	char tmp[32];

	switch (v.type) {
	case TV_STR:
		buf_add(b, v.u.s, v.len);
		return 0;
	case TV_INT: {
		uint64_t m = v.u.i < 0 ? (uint64_t)0 - (uint64_t)v.u.i :
		    (uint64_t)v.u.i;
		char *p = fmt_u64(m, tmp + sizeof(tmp));
		if (v.u.i < 0)
			*--p = '-';
		buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
		return 0;
	}
	case TV_BOOL:
		buf_addstr(b, v.u.i ? "True" : "False");
		return 0;
	case TV_NONE:
		buf_add(b, "None", 4);
		return 0;
	case TV_FLOAT:
		tv_float_repr(v.u.f, b);
		return 0;
	case TV_BIG: {
		char *s = BN_bn2dec(v.u.big);
		if (s == NULL)
			fatalx("BN_bn2dec failed");
		buf_addstr(b, s);
		OPENSSL_free(s);
		return 0;
	}
	case TV_MISSING:
	case TV_UNDEF:
		if (tv_undef_lenient(v, tmpl_rt_mode(rt)))
			return 0;
		return tmpl_rt_undef_error(rt, v);
	case TV_OBJ:
		if (v.u.obj->type->repr != NULL)
			v.u.obj->type->repr(rt, v.u.obj, b);
		else
			buf_printf(b, "<%s object>", v.u.obj->type->name);
		return 0;
	default:
		tv_repr_buf(rt, v, b);
		return 0;
	}
}

tv
tv_str_copy(struct tmpl_rt *rt, const char *s, size_t n)
{
	if (n == 0)
		return tv_strn("", 0);
	return tv_strn(arena_memdup(tmpl_rt_arena(rt), s, n), n);
}

tv
tv_str_from_buf(struct tmpl_rt *rt, const struct buf *b)
{
	return tv_str_copy(rt, b->data, b->len);
}

int
tv_to_str(struct tmpl_rt *rt, tv v, tv *out)
{
	struct buf b = BUF_INIT;

	if (v.type == TV_STR) {
		*out = v;
		out->flags &= (uint8_t)~TVF_SAFE;
		return 0;
	}
	if (tv_str_buf(rt, v, &b) == -1) {
		buf_free(&b);
		return -1;
	}
	*out = tv_str_from_buf(rt, &b);
	buf_free(&b);
	return 0;
}
