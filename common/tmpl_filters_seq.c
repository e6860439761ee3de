/*
 * tmpl_filters_seq — filters over sequences: first/last, join, sort,
 * dictsort, groupby, unique, min/max, sum, map, select/reject,
 * selectattr/rejectattr, batch, slice, reverse, list, items, random.
 * Sorting is stable and compares with Python's rules (a TypeError for
 * mixed types), case-insensitively unless asked otherwise, as Jinja2.
 */
#include "tmpl_filters.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tmpl_builtins.h"
#include "tmpl_eval.h"

#define ARGS(fname, params, n)						\
	tv args[n];							\
	if (tmpl_bind(rt, fname, a, params, args, n) == -1)		\
		return -1

static tv
list_of(struct tv_list *l)
{
	return tv_list_val(l);
}

/* One plain key ("name", not "a.b" nor "0"): a dict's item, if any. */
static bool
attr_plain(tv attr)
{
	return attr.type == TV_STR && memchr(attr.u.s, '.', attr.len) == NULL &&
	    !(attr.len > 0 && attr.u.s[0] >= '0' && attr.u.s[0] <= '9');
}

/* An attribute looked up on many items: a plain key is hashed once. */
struct attrkey {
	tv		 attr;
	uint64_t	 hash;
	bool		 plain;
};

static void
attrkey_init(struct attrkey *k, tv attr)
{
	k->attr = attr;
	k->plain = attr_plain(attr);
	k->hash = k->plain ? tv_hash(attr) : 0;
}

/* flt_attr(item, k->attr) */
static int
attrkey_get(struct tmpl_rt *rt, const struct attrkey *k, tv item, tv dflt,
    tv *out)
{
	if (k->plain && item.type == TV_DICT) {
		const tv *v = tv_dict_gets_h(item.u.dict, k->attr.u.s,
		    k->attr.len, k->hash);
		if (v != NULL) {
			*out = *v;
			return 0;
		}
	}
	return flt_attr(rt, item, k->attr, dflt, out);
}

int
flt_attr(struct tmpl_rt *rt, tv item, tv attr, tv dflt, tv *out)
{
	if (attr.type == TV_INT) {
		if (rt_getitem(rt, item, attr, out) == -1)
			return -1;
	} else if (item.type == TV_DICT && attr_plain(attr)) {
		/* one plain key of a dict: the usual case */
		if (rt_getitem(rt, item, attr, out) == -1)
			return -1;
	} else if (attr.type == TV_STR) {
		const char *s = attr.u.s;
		size_t n = attr.len, i = 0;
		*out = item;
		while (i <= n) {
			size_t j = i;
			while (j < n && s[j] != '.')
				j++;
			tv key = tv_strn(s + i, j - i);
			char *end;
			if (j > i && s[i] >= '0' && s[i] <= '9') {
				long idx = strtol(s + i, &end, 10);
				if (end == s + j)
					key = tv_int(idx);
			}
			if (out->type == TV_UNDEF)
				break;
			if (rt_getitem(rt, *out, key, out) == -1)
				return -1;
			i = j + 1;
		}
	} else
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "attribute must be a "
		    "string or an integer");
	if (out->type == TV_UNDEF && dflt.type != TV_MISSING &&
	    dflt.type != TV_NONE)
		*out = dflt;
	return 0;
}

/* ---- stable merge sort with a comparison that can fail ---- */

struct sorter {
	struct tmpl_rt	*rt;
	bool		 reverse;
	bool		 failed;
};

static bool
before(struct sorter *s, tv a, tv b)
{
	int c = 0;

	if (s->failed)
		return false;
	if (tv_cmp(s->rt, a, b, &c) == -1) {
		s->failed = true;
		return false;
	}
	return s->reverse ? c > 0 : c < 0;
}

static void
merge_sort(struct sorter *s, size_t *idx, size_t *tmp, size_t n,
    const tv *keys)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	merge_sort(s, idx, tmp, h, keys);
	merge_sort(s, idx + h, tmp, n - h, keys);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n) {
		/* take from the right only when strictly before: stable */
		if (before(s, keys[idx[j]], keys[idx[i]]))
			tmp[k++] = idx[j++];
		else
			tmp[k++] = idx[i++];
	}
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(*idx));
}

int
flt_sort(struct tmpl_rt *rt, tv *items, tv *keys, size_t n, bool reverse)
{
	struct sorter s = { rt, reverse, false };
	size_t *idx = arena_alloc(rt->arena, (n + 1) * sizeof(size_t));
	size_t *tmp = arena_alloc(rt->arena, (n + 1) * sizeof(size_t));
	tv *copy = arena_alloc(rt->arena, (n + 1) * sizeof(tv));

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	merge_sort(&s, idx, tmp, n, keys);
	if (s.failed)
		return -1;
	tv_copy(copy, items, n);
	for (size_t i = 0; i < n; i++)
		items[i] = copy[idx[i]];
	return 0;
}

/* A fresh mutable copy of v's items. */
static int
copy_items(struct tmpl_rt *rt, tv v, struct tv_list **out)
{
	struct tv_list *src;

	if (tv_iterate(rt, v, &src) == -1)
		return -1;
	struct tv_list *l = tv_list_new(rt->arena, src->len);
	tv_copy(l->items, src->items, src->len);
	l->len = src->len;
	*out = l;
	return 0;
}

/* Keys for sorting: the attribute(s) given, lowercased if asked. */
static int
sort_keys(struct tmpl_rt *rt, struct tv_list *l, tv attr, bool ci, tv **keys)
{
	tv *k = arena_alloc(rt->arena, (l->len + 1) * sizeof(tv));
	struct attrkey ak;

	attrkey_init(&ak, attr);

	for (uint32_t i = 0; i < l->len; i++) {
		tv key = l->items[i];
		if (attr.type == TV_STR && memchr(attr.u.s, ',', attr.len)) {
			struct tv_list *t = tv_list_new(rt->arena, 0);
			const char *s = attr.u.s;
			size_t n = attr.len, p = 0;
			while (p <= n) {
				size_t q = p;
				while (q < n && s[q] != ',')
					q++;
				tv part;
				if (flt_attr(rt, key, tv_strn(s + p, q - p),
				    tv_missing(), &part) == -1)
					return -1;
				tv_list_push(rt->arena, t, ci ?
				    flt_lower(rt, part) : part);
				p = q + 1;
			}
			t->frozen = true;
			k[i] = tv_tuple_val(t);
			continue;
		}
		if (attr.type != TV_MISSING && attr.type != TV_NONE &&
		    attrkey_get(rt, &ak, key, tv_missing(), &key) == -1)
			return -1;
		k[i] = ci ? flt_lower(rt, key) : key;
	}
	*keys = k;
	return 0;
}

FILTER(f_sort)
{
	ARGS("sort", "reverse,case_sensitive,attribute", 3);
	struct tv_list *l;
	tv *keys;

	if (copy_items(rt, v, &l) == -1 ||
	    sort_keys(rt, l, args[2], !flt_bool_arg(args[1], false),
	    &keys) == -1 ||
	    flt_sort(rt, l->items, keys, l->len,
	    flt_bool_arg(args[0], false)) == -1)
		return -1;
	*out = list_of(l);
	return 0;
}

static tv
pair(struct tmpl_rt *rt, tv a, tv b)
{
	struct tv_list *p = tv_list_new(rt->arena, 2);

	p->items[0] = a;
	p->items[1] = b;
	p->len = 2;
	p->frozen = true;
	return tv_tuple_val(p);
}

FILTER(f_dictsort)
{
	ARGS("dictsort", "case_sensitive,by,reverse", 3);
	bool ci = !flt_bool_arg(args[0], false);
	int pos = 0;

	if (v.type != TV_DICT)
		return v.type == TV_UNDEF ? tmpl_rt_undef_error(rt, v) :
		    tmpl_rt_error(rt, TMPL_ERR_TYPE, "dictsort needs a dict");
	if (args[1].type == TV_STR) {
		if (args[1].len == 5 && memcmp(args[1].u.s, "value", 5) == 0)
			pos = 1;
		else if (!(args[1].len == 3 && memcmp(args[1].u.s, "key",
		    3) == 0))
			return tmpl_rt_error(rt, TMPL_ERR_OTHER, "You can only "
			    "sort by either 'key' or 'value'");
	}
	struct tv_dict *d = v.u.dict;
	struct tv_list *l = tv_list_new(rt->arena, d->len);
	tv *keys = arena_alloc(rt->arena, (d->len + 1) * sizeof(tv));
	for (uint32_t i = 0; i < d->len; i++) {
		l->items[i] = pair(rt, d->e[i].key, d->e[i].val);
		tv k = pos ? d->e[i].val : d->e[i].key;
		keys[i] = ci ? flt_lower(rt, k) : k;
	}
	l->len = d->len;
	if (flt_sort(rt, l->items, keys, l->len,
	    flt_bool_arg(args[2], false)) == -1)
		return -1;
	*out = list_of(l);
	return 0;
}

FILTER(f_groupby)
{
	ARGS("groupby", "attribute,default,case_sensitive", 3);
	bool ci = !flt_bool_arg(args[2], false);
	struct tv_list *l;
	tv *keys;

	if (copy_items(rt, v, &l) == -1)
		return -1;
	keys = arena_alloc(rt->arena, (l->len + 1) * sizeof(tv));
	tv *raw = arena_alloc(rt->arena, (l->len + 1) * sizeof(tv));
	for (uint32_t i = 0; i < l->len; i++) {
		if (flt_attr(rt, l->items[i], args[0], args[1], &raw[i]) == -1)
			return -1;
		if (raw[i].type == TV_UNDEF)
			return tmpl_rt_undef_error(rt, raw[i]);
		keys[i] = ci ? flt_lower(rt, raw[i]) : raw[i];
	}
	/* sort items and their keys together */
	struct tv_list *pairs = tv_list_new(rt->arena, l->len);
	for (uint32_t i = 0; i < l->len; i++)
		pairs->items[i] = pair(rt, l->items[i], raw[i]);
	pairs->len = l->len;
	tv *k2 = arena_alloc(rt->arena, (l->len + 1) * sizeof(tv));
	tv_copy(k2, keys, l->len);
	if (flt_sort(rt, pairs->items, keys, l->len, false) == -1 ||
	    flt_sort(rt, k2, k2, l->len, false) == -1)
		return -1;
	struct tv_list *res = tv_list_new(rt->arena, 0);
	for (uint32_t i = 0; i < l->len;) {
		struct tv_list *members = tv_list_new(rt->arena, 0);
		tv grouper = pairs->items[i].u.list->items[1];
		uint32_t j = i;
		while (j < l->len && tv_eq(k2[j], k2[i])) {
			tv_list_push(rt->arena, members,
			    pairs->items[j].u.list->items[0]);
			j++;
		}
		tv g = pair(rt, grouper, tv_list_val(members));
		g.flags |= TVF_GROUP;
		tv_list_push(rt->arena, res, g);
		i = j;
	}
	*out = list_of(res);
	return 0;
}

FILTER(f_unique)
{
	ARGS("unique", "case_sensitive,attribute", 2);
	bool ci = !flt_bool_arg(args[0], false);
	struct tv_list *l, *res = tv_list_new(rt->arena, 0);
	struct tv_dict *seen = tv_dict_new(rt->arena, 0);

	if (tv_iterate(rt, v, &l) == -1)
		return -1;
	for (uint32_t i = 0; i < l->len; i++) {
		tv k = l->items[i];
		if (args[1].type != TV_MISSING &&
		    flt_attr(rt, k, args[1], tv_missing(), &k) == -1)
			return -1;
		if (ci)
			k = flt_lower(rt, k);
		if (tv_dict_get(seen, k) != NULL)
			continue;
		tv_dict_set(rt->arena, seen, k, tv_none());
		tv_list_push(rt->arena, res, l->items[i]);
	}
	*out = list_of(res);
	return 0;
}

static int
extreme(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, bool max,
    tv *out)
{
	ARGS(max ? "max" : "min", "case_sensitive,attribute", 2);
	bool ci = !flt_bool_arg(args[0], false);
	struct tv_list *l;
	tv *keys;

	if (tv_iterate(rt, v, &l) == -1 ||
	    sort_keys(rt, l, args[1], ci, &keys) == -1)
		return -1;
	if (l->len == 0) {
		*out = tmpl_undef_hint(rt, max ? "No largest item, sequence was "
		    "empty." : "No smallest item, sequence was empty.", false);
		return 0;
	}
	uint32_t best = 0;
	for (uint32_t i = 1; i < l->len; i++) {
		int c;
		if (tv_cmp(rt, keys[i], keys[best], &c) == -1)
			return -1;
		if (max ? c > 0 : c < 0)
			best = i;
	}
	*out = l->items[best];
	return 0;
}

FILTER(f_max)
{
	return extreme(rt, v, a, true, out);
}

FILTER(f_min)
{
	return extreme(rt, v, a, false, out);
}

FILTER(f_sum)
{
	ARGS("sum", "attribute,start", 2);
	struct tv_list *l;
	tv acc = args[1].type == TV_MISSING ? tv_int(0) : args[1], x;

	if (tv_iterate(rt, v, &l) == -1)
		return -1;
	for (uint32_t i = 0; i < l->len; i++) {
		x = l->items[i];
		if (args[0].type != TV_MISSING &&
		    flt_attr(rt, x, args[0], tv_missing(), &x) == -1)
			return -1;
		if (tv_arith(rt, OP_ADD, acc, x, &acc) == -1)
			return -1;
	}
	*out = acc;
	return 0;
}

FILTER(f_join)
{
	ARGS("join", "d,attribute", 2);
	struct tv_list *l;
	struct buf *b;
	tv sep = args[0].type == TV_MISSING ? tv_strn("", 0) : args[0], x;

	if (flt_str(rt, sep, &sep) == -1 || tv_iterate(rt, v, &l) == -1)
		return -1;
	b = tmpl_rt_buf(rt);
	for (uint32_t i = 0; i < l->len; i++) {
		x = l->items[i];
		if (args[1].type != TV_MISSING &&
		    flt_attr(rt, x, args[1], tv_missing(), &x) == -1)
			goto fail;
		if (i > 0)
			buf_add(b, sep.u.s, sep.len);
		if (tv_str_buf(rt, x, b) == -1 ||
		    tmpl_rt_check_size(rt, b->len) == -1)
			goto fail;
	}
	if (tmpl_rt_check_size(rt, b->len) == -1)
		goto fail;
	*out = tmpl_rt_buf_str(rt, b);
	return 0;
fail:
	tmpl_rt_buf_drop(rt, b);
	return -1;
}

FILTER(f_first)
{
	struct tv_list *l;

	(void)a;
	if (v.type == TV_STR) {
		size_t adv;
		if (v.len == 0)
			goto empty;
		utf8_decode(v.u.s, v.len, &adv);
		*out = tv_strn(v.u.s, adv);
		return 0;
	}
	if (tv_iterate(rt, v, &l) == -1)
		return -1;
	if (l->len == 0)
		goto empty;
	*out = l->items[0];
	return 0;
empty:
	*out = tmpl_undef_hint(rt, "No first item, sequence was empty.", false);
	return 0;
}

/* One item of v (last or random), or an undefined saying it is empty. */
static int
pick(struct tmpl_rt *rt, tv v, bool last, tv *out)
{
	struct tv_list *l;

	if (tv_iterate(rt, v, &l) == -1)
		return -1;
	if (l->len == 0) {
		*out = tmpl_undef_hint(rt, last ? "No last item, sequence was "
		    "empty." : "No random item, sequence was empty.", false);
		return 0;
	}
	/* random is deterministic: generated files must not change */
	*out = l->items[last ? l->len - 1 : tv_hash(tv_list_val(l)) % l->len];
	return 0;
}

FILTER(f_last)
{
	(void)a;
	return pick(rt, v, true, out);
}

FILTER(f_list)
{
	struct tv_list *l;

	(void)a;
	if (copy_items(rt, v, &l) == -1)
		return -1;
	*out = list_of(l);
	return 0;
}

FILTER(f_reverse)
{
	struct tv_list *l;

	(void)a;
	if (v.type == TV_STR) {
		struct buf b = BUF_INIT;
		size_t i = v.len;
		while (i > 0) {
			size_t j = i - 1;
			while (j > 0 && ((unsigned char)v.u.s[j] & 0xC0) == 0x80)
				j--;
			buf_add(&b, v.u.s + j, i - j);
			i = j;
		}
		*out = tv_str_from_buf(rt, &b);
		buf_free(&b);
		return 0;
	}
	if (copy_items(rt, v, &l) == -1)
		return -1;
	for (uint32_t i = 0; i < l->len / 2; i++) {
		tv t = l->items[i];
		l->items[i] = l->items[l->len - 1 - i];
		l->items[l->len - 1 - i] = t;
	}
	*out = list_of(l);
	return 0;
}

FILTER(f_items)
{
	(void)a;
	if (v.type == TV_UNDEF) {
		*out = list_of(tv_list_new(rt->arena, 0));
		return 0;
	}
	if (v.type != TV_DICT)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "Can only get item "
		    "pairs from a mapping.");
	struct tv_list *l = tv_list_new(rt->arena, v.u.dict->len);
	for (uint32_t i = 0; i < v.u.dict->len; i++)
		l->items[i] = pair(rt, v.u.dict->e[i].key, v.u.dict->e[i].val);
	l->len = v.u.dict->len;
	*out = list_of(l);
	return 0;
}

FILTER(f_batch)
{
	ARGS("batch", "linecount,fill_with", 2);
	struct tv_list *l, *res = tv_list_new(rt->arena, 0), *cur = NULL;
	int64_t n;

	if (flt_int_arg(rt, "batch", args[0], 1, &n) == -1 ||
	    tv_iterate(rt, v, &l) == -1)
		return -1;
	if (n <= 0)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "batch size must be "
		    "positive");
	for (uint32_t i = 0; i < l->len; i++) {
		if (cur == NULL || (int64_t)cur->len == n) {
			cur = tv_list_new(rt->arena, 0);
			tv_list_push(rt->arena, res, tv_list_val(cur));
		}
		tv_list_push(rt->arena, cur, l->items[i]);
	}
	if (cur != NULL && args[1].type != TV_MISSING &&
	    args[1].type != TV_NONE) {
		if (tmpl_rt_check_size(rt, (size_t)(n - cur->len) *
		    sizeof(tv)) == -1)
			return -1;
		while ((int64_t)cur->len < n)
			tv_list_push(rt->arena, cur, args[1]);
	}
	*out = list_of(res);
	return 0;
}

FILTER(f_slice)
{
	ARGS("slice", "slices,fill_with", 2);
	struct tv_list *l, *res = tv_list_new(rt->arena, 0);
	int64_t slices;

	if (flt_int_arg(rt, "slice", args[0], 1, &slices) == -1 ||
	    tv_iterate(rt, v, &l) == -1)
		return -1;
	if (slices <= 0 || slices > 100000)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "slice count out of "
		    "range");
	int64_t len = l->len, per = len / slices, extra = len % slices;
	int64_t offset = 0;
	for (int64_t k = 0; k < slices; k++) {
		int64_t start = offset + k * per;
		if (k < extra)
			offset++;
		int64_t end = offset + (k + 1) * per;
		struct tv_list *t = tv_list_new(rt->arena, 0);
		for (int64_t i = start; i < end; i++)
			tv_list_push(rt->arena, t, l->items[i]);
		if (args[1].type != TV_MISSING && args[1].type != TV_NONE &&
		    k >= extra)
			tv_list_push(rt->arena, t, args[1]);
		tv_list_push(rt->arena, res, tv_list_val(t));
	}
	*out = list_of(res);
	return 0;
}

FILTER(f_random)
{
	(void)a;
	return pick(rt, v, false, out);
}

/* map(filter, args...) or map(attribute=..., default=...) */
FILTER(f_map)
{
	struct tv_list *l, *res;
	tv attr = tv_missing(), dflt = tv_missing();

	if (tv_iterate(rt, v, &l) == -1)
		return -1;
	res = tv_list_new(rt->arena, l->len);
	if (a->npos == 0) {
		for (size_t i = 0; i < a->nkw; i++) {
			if (a->kw[i].len == 9 &&
			    memcmp(a->kw[i].name, "attribute", 9) == 0)
				attr = a->kw[i].val;
			else if (a->kw[i].len == 7 &&
			    memcmp(a->kw[i].name, "default", 7) == 0)
				dflt = a->kw[i].val;
			else
				return tmpl_rt_error(rt, TMPL_ERR_TYPE, "Unexpected "
				    "keyword argument '%.*s'", (int)a->kw[i].len,
				    a->kw[i].name);
		}
		if (attr.type == TV_MISSING)
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "map requires a "
			    "filter argument");
		for (uint32_t i = 0; i < l->len; i++)
			if (flt_attr(rt, l->items[i], attr, dflt,
			    &res->items[i]) == -1)
				return -1;
	} else {
		tv name = a->pos[0];
		struct tmpl_args rest = { a->pos + 1, a->npos - 1, a->kw, a->nkw };
		if (name.type != TV_STR)
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "map: filter "
			    "name must be a string");
		for (uint32_t i = 0; i < l->len; i++)
			if (tmpl_apply_filter(rt, name.u.s, name.len,
			    l->items[i], &rest, &res->items[i]) == -1)
				return -1;
	}
	res->len = l->len;
	*out = list_of(res);
	return 0;
}

/* select/reject(test, args...) and selectattr/rejectattr(attr, test, ...) */
static int
select_common(struct tmpl_rt *rt, tv v, const struct tmpl_args *a,
    bool want, bool by_attr, tv *out)
{
	struct tv_list *l, *res = tv_list_new(rt->arena, 0);
	size_t k = 0;
	tv attr = tv_missing();

	if (tv_iterate(rt, v, &l) == -1)
		return -1;
	if (by_attr) {
		if (a->npos == 0)
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "Missing "
			    "parameter for attribute name");
		attr = a->pos[k++];
	}
	tv test = k < a->npos ? a->pos[k++] : tv_missing();
	if (test.type != TV_MISSING && test.type != TV_STR)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "test name must be a "
		    "string");
	struct tmpl_args rest = { a->pos + k, a->npos - k, a->kw, a->nkw };
	struct attrkey ak;
	attrkey_init(&ak, attr);
	for (uint32_t i = 0; i < l->len; i++) {
		tv x = l->items[i];
		bool r;
		int err = 0;
		if (by_attr && attrkey_get(rt, &ak, x, tv_missing(), &x) == -1)
			return -1;
		if (test.type == TV_MISSING) {
			r = tv_truthy(rt, x, &err);
			if (err)
				return -1;
		} else if (tmpl_apply_test(rt, test.u.s, test.len, x, &rest,
		    &r) == -1)
			return -1;
		if (r == want)
			tv_list_push(rt->arena, res, l->items[i]);
	}
	*out = list_of(res);
	return 0;
}

FILTER(f_select)
{
	return select_common(rt, v, a, true, false, out);
}

FILTER(f_reject)
{
	return select_common(rt, v, a, false, false, out);
}

FILTER(f_selectattr)
{
	return select_common(rt, v, a, true, true, out);
}

FILTER(f_rejectattr)
{
	return select_common(rt, v, a, false, true, out);
}
