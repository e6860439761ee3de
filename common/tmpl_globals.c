/*
 * tmpl_globals — the names every template sees: range, dict, namespace,
 * cycler, joiner and lipsum, one table; and the objects they make.
 * A namespace is the one mutable object a template can share across
 * scopes ({% set ns.count = ns.count + 1 %} inside a loop).
 */
#include <string.h>

#include "arena.h"
#include "tmpl_builtins.h"
#include "tmpl_eval.h"

/* ---- range ---- */

struct range_obj {
	struct tv_obj	base;
	int64_t		start, stop, step;
};

static int64_t
range_len(const struct range_obj *r)
{
	if (r->step > 0 && r->start < r->stop)
		return (int64_t)(((__int128)r->stop - r->start - 1) / r->step + 1);
	if (r->step < 0 && r->start > r->stop)
		return (int64_t)(((__int128)r->start - r->stop - 1) / -r->step + 1);
	return 0;
}

static int
range_items(struct tmpl_rt *rt, struct tv_obj *o, struct tv_list **out)
{
	struct range_obj *r = (struct range_obj *)o;
	int64_t n = range_len(r);

	if ((uint64_t)n > rt->max_iterations || n > UINT32_MAX / 2)
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "range of %lld items "
		    "is more than the loop limit", (long long)n);
	if (tmpl_rt_check_size(rt, (size_t)n * sizeof(tv)) == -1)
		return -1;
	struct tv_list *l = tv_list_new(rt->arena, (size_t)n);
	for (int64_t i = 0; i < n; i++)
		l->items[i] = tv_int(r->start + i * r->step);
	l->len = (uint32_t)n;
	l->frozen = true;
	*out = l;
	return 0;
}

static void
range_repr(struct tmpl_rt *rt, struct tv_obj *o, struct buf *b)
{
	struct range_obj *r = (struct range_obj *)o;

	(void)rt;
	if (r->step == 1)
		buf_printf(b, "range(%lld, %lld)", (long long)r->start,
		    (long long)r->stop);
	else
		buf_printf(b, "range(%lld, %lld, %lld)", (long long)r->start,
		    (long long)r->stop, (long long)r->step);
}

static const struct tv_objtype range_type = {
	.name = "range",
	.items = range_items,
	.repr = range_repr,
};

static int
int_arg(struct tmpl_rt *rt, tv v, int64_t *out)
{
	if (v.type != TV_INT && v.type != TV_BOOL)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "'%s' object cannot be "
		    "interpreted as an integer", tv_type_name(v));
	*out = v.u.i;
	return 0;
}

static int
g_range(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	struct range_obj *r = arena_zalloc(rt->arena, sizeof(*r));
	int64_t x[3] = { 0, 0, 1 };

	(void)self;
	if (a->npos < 1 || a->npos > 3 || a->nkw > 0)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "range expected 1 to 3 "
		    "arguments, got %zu", a->npos);
	for (size_t i = 0; i < a->npos; i++)
		if (int_arg(rt, a->pos[i], &x[i]) == -1)
			return -1;
	if (a->npos == 1) {
		x[1] = x[0];
		x[0] = 0;
	}
	if (x[2] == 0)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "range() arg 3 must "
		    "not be zero");
	r->base.type = &range_type;
	r->start = x[0];
	r->stop = x[1];
	r->step = x[2];
	*out = tv_obj(&r->base);
	return 0;
}

/* ---- dict ---- */

static int
g_dict(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	struct tv_dict *d = tv_dict_new(rt->arena, a->nkw);

	(void)self;
	if (a->npos > 1)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "dict expected at most "
		    "1 argument, got %zu", a->npos);
	if (a->npos == 1) {
		tv src = a->pos[0];
		if (src.type == TV_DICT) {
			for (uint32_t i = 0; i < src.u.dict->len; i++)
				tv_dict_set(rt->arena, d, src.u.dict->e[i].key,
				    src.u.dict->e[i].val);
		} else {
			struct tv_list *l;
			if (tv_iterate(rt, src, &l) == -1)
				return -1;
			for (uint32_t i = 0; i < l->len; i++) {
				tv p = l->items[i];
				if (!tv_is_seq(p) || p.u.list->len != 2)
					return tmpl_rt_error(rt, TMPL_ERR_TYPE,
					    "dictionary update sequence "
					    "element #%u has wrong length", i);
				tv_dict_set(rt->arena, d, p.u.list->items[0],
				    p.u.list->items[1]);
			}
		}
	}
	for (size_t i = 0; i < a->nkw; i++)
		tv_dict_set(rt->arena, d, tv_strn(a->kw[i].name, a->kw[i].len),
		    a->kw[i].val);
	*out = tv_dict_val(d);
	return 0;
}

/* ---- namespace ---- */

struct ns_obj {
	struct tv_obj	 base;
	struct tv_dict	*d;
};

static int
ns_getattr(struct tmpl_rt *rt, struct tv_obj *o, const char *name,
    size_t len, tv *out)
{
	const tv *v = tv_dict_gets(((struct ns_obj *)o)->d, name, len);

	(void)rt;
	if (v == NULL)
		return 1;
	*out = *v;
	return 0;
}

static int
ns_setattr(struct tmpl_rt *rt, struct tv_obj *o, const char *name,
    size_t len, tv v)
{
	tv_dict_set(rt->arena, ((struct ns_obj *)o)->d,
	    tv_str_copy(rt, name, len), v);
	return 0;
}

static void
ns_repr(struct tmpl_rt *rt, struct tv_obj *o, struct buf *b)
{
	buf_addstr(b, "<Namespace ");
	tv_repr_buf(rt, tv_dict_val(((struct ns_obj *)o)->d), b);
	buf_addc(b, '>');
}

static const struct tv_objtype ns_type = {
	.name = "Namespace",
	.getattr = ns_getattr,
	.setattr = ns_setattr,
	.repr = ns_repr,
};

static int
g_namespace(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	struct ns_obj *ns = arena_zalloc(rt->arena, sizeof(*ns));
	tv d;

	if (g_dict(rt, self, a, &d) == -1)
		return -1;
	ns->base.type = &ns_type;
	ns->d = d.u.dict;
	*out = tv_obj(&ns->base);
	return 0;
}

/* ---- cycler and joiner ---- */

struct cycler_obj {
	struct tv_obj	 base;
	struct tv_list	*items;
	uint32_t	 pos;
};

static int
cycler_next(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	struct cycler_obj *c = (struct cycler_obj *)self.u.obj;

	(void)rt; (void)a;
	*out = c->items->items[c->pos];
	c->pos = (c->pos + 1) % c->items->len;
	return 0;
}

static int
cycler_reset(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	(void)rt; (void)a;
	((struct cycler_obj *)self.u.obj)->pos = 0;
	*out = tv_none();
	return 0;
}

static const struct builtin cycler_methods[] = {
	{ "next", cycler_next, "the next item", 0 },
	{ "reset", cycler_reset, "back to the first item", 0 },
};

static int
cycler_getattr(struct tmpl_rt *rt, struct tv_obj *o, const char *name,
    size_t len, tv *out)
{
	struct cycler_obj *c = (struct cycler_obj *)o;

	if (len == 7 && memcmp(name, "current", 7) == 0) {
		*out = c->items->items[c->pos];
		return 0;
	}
	for (size_t i = 0; i < 2; i++)
		if (strlen(cycler_methods[i].name) == len &&
		    memcmp(cycler_methods[i].name, name, len) == 0) {
			*out = tmpl_builtin_value(rt, &cycler_methods[i],
			    tv_obj(o), true);
			return 0;
		}
	return 1;
}

static const struct tv_objtype cycler_type = {
	.name = "Cycler",
	.getattr = cycler_getattr,
};

static int
g_cycler(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	struct cycler_obj *c = arena_zalloc(rt->arena, sizeof(*c));

	(void)self;
	if (a->npos == 0)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "at least one item has "
		    "to be provided");
	c->base.type = &cycler_type;
	c->items = tv_list_new(rt->arena, a->npos);
	tv_copy(c->items->items, a->pos, a->npos);
	c->items->len = (uint32_t)a->npos;
	*out = tv_obj(&c->base);
	return 0;
}

struct joiner_obj {
	struct tv_obj	 base;
	tv		 sep;
	bool		 used;
};

static int
joiner_call(struct tmpl_rt *rt, struct tv_obj *o, const struct tmpl_args *a,
    tv *out)
{
	struct joiner_obj *j = (struct joiner_obj *)o;

	(void)rt; (void)a;
	*out = j->used ? j->sep : tv_strn("", 0);
	j->used = true;
	return 0;
}

static const struct tv_objtype joiner_type = {
	.name = "Joiner",
	.call = joiner_call,
};

static int
g_joiner(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	struct joiner_obj *j = arena_zalloc(rt->arena, sizeof(*j));
	tv args[1];

	(void)self;
	if (tmpl_bind(rt, "joiner", a, "sep", args, 1) == -1)
		return -1;
	j->base.type = &joiner_type;
	j->sep = args[0].type == TV_MISSING ? tv_cstr(", ") : args[0];
	*out = tv_obj(&j->base);
	return 0;
}

/* lipsum: deterministic placeholder text (no randomness in outputs). */
static int
g_lipsum(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	static const char words[] = "lorem ipsum dolor sit amet consectetur "
	    "adipiscing elit sed do eiusmod tempor incididunt ut labore et "
	    "dolore magna aliqua";
	tv args[4];
	struct buf b = BUF_INIT;

	(void)self;
	if (tmpl_bind(rt, "lipsum", a, "n,html,min,max", args, 4) == -1)
		return -1;
	int64_t n = args[0].type == TV_INT ? args[0].u.i : 5;
	if (n < 0 || n > 100)
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "lipsum: n out of range");
	for (int64_t i = 0; i < n; i++) {
		if (i > 0)
			buf_addstr(&b, "\n\n");
		buf_addstr(&b, "Lorem ipsum dolor sit amet.");
		buf_addc(&b, ' ');
		buf_addstr(&b, words);
		buf_addc(&b, '.');
	}
	*out = tv_str_from_buf(rt, &b);
	buf_free(&b);
	return 0;
}

const struct builtin tmpl_globals[] = {
	{ "cycler", g_cycler, "cycle through the arguments with next()", 0 },
	{ "dict", g_dict, "a dict from keyword arguments", 0 },
	{ "joiner", g_joiner, "returns '' the first call, then sep", 0 },
	{ "lipsum", g_lipsum, "placeholder text", 0 },
	{ "namespace", g_namespace, "a mutable object for loop state", 0 },
	{ "range", g_range, "range(stop) or range(start, stop[, step])", 0 },
	{ NULL, NULL, NULL, 0 },
};

const struct builtin *
tmpl_global_find(const char *name, size_t len)
{
	for (const struct builtin *b = tmpl_globals; b->name != NULL; b++)
		if (strlen(b->name) == len && memcmp(b->name, name, len) == 0)
			return b;
	return NULL;
}
