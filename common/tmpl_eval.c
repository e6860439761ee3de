/*
 * tmpl_eval — expressions: name lookup through frames, attribute and
 * item access with Jinja2's rules (attribute first for ".", item first
 * for "[]"), operators, calls, filters and tests; and the runtime
 * services builtins use (errors, undefined values, argument binding).
 */
#include "tmpl_eval.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "tmpl_builtins.h"
#include "tmpl_limits.h"
#include "tmpl_parse.h"
#include "xmalloc.h"

/* ---- runtime services ---- */

struct arena *
tmpl_rt_arena(struct tmpl_rt *rt)
{
	return rt->arena;
}

enum tmpl_undefined_mode
tmpl_rt_mode(const struct tmpl_rt *rt)
{
	return rt->env->opt.undefined;
}

int
tmpl_rt_error(struct tmpl_rt *rt, enum tmpl_error_kind kind, const char *fmt,
    ...)
{
	struct tmpl_error *e = &rt->res->err;
	va_list ap;

	if (rt->failed)
		return -1;
	rt->failed = true;
	e->kind = kind;
	e->line = rt->line;
	free(e->file);
	e->file = xstrdup(rt->tmpl != NULL ? rt->tmpl->path : "<template>");
	va_start(ap, fmt);
	if (xvasprintf(&e->message, fmt, ap) == -1)
		e->message = NULL;
	va_end(ap);
	return -1;
}

static void
undef_message(tv u, struct buf *b)
{
	const struct tv_undef *d = u.u.undef;

	if (u.type == TV_MISSING || d == NULL) {
		buf_addstr(b, "a required argument is missing");
		return;
	}
	switch (d->kind) {
	case UNDEF_NAME:
		buf_printf(b, "'%.*s' is undefined", (int)d->nlen, d->name);
		return;
	case UNDEF_ATTR:
		buf_printf(b, "'%s' has no attribute '%.*s'", d->objtype,
		    (int)d->nlen, d->name);
		return;
	case UNDEF_ITEM:
		buf_printf(b, "%s has no element ", d->objtype);
		tv_repr_buf(NULL, d->key, b);
		return;
	case UNDEF_COND:
		buf_printf(b, "the inline if-expression on line %zu evaluated "
		    "to false and no else section was defined.", d->nlen);
		return;
	default:
		buf_add(b, d->name, d->nlen);
	}
}

int
tmpl_rt_undef_error(struct tmpl_rt *rt, tv u)
{
	struct buf b = BUF_INIT;

	undef_message(u, &b);
	tmpl_rt_error(rt, TMPL_ERR_UNDEFINED, "%s", b.data);
	buf_free(&b);
	return -1;
}

int
tmpl_rt_check_size(struct tmpl_rt *rt, size_t n)
{
	if (n > rt->max_memory || arena_used(rt->arena) > rt->max_memory - n)
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "render uses more "
		    "than %zu bytes of memory", rt->max_memory);
	return 0;
}

int
rt_check_limits(struct tmpl_rt *rt)
{
	if (++rt->iterations > rt->max_iterations)
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "more than %llu loop "
		    "iterations", (unsigned long long)rt->max_iterations);
	return tmpl_rt_check_size(rt, 0);
}

int
rt_enter(struct tmpl_rt *rt)
{
	if (rt->depth >= rt->max_depth)
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "nesting deeper than "
		    "%u levels (recursive include, import or macro?)",
		    rt->max_depth);
	rt->depth++;
	return 0;
}

void
rt_leave(struct tmpl_rt *rt)
{
	rt->depth--;
}

static const char *
objtype_repr(tv obj)
{
	switch (obj.type) {
	case TV_NONE: return "None";
	case TV_BOOL: return "bool object";
	case TV_INT:
	case TV_BIG: return "int object";
	case TV_FLOAT: return "float object";
	case TV_STR: return "str object";
	case TV_LIST: return "list object";
	case TV_TUPLE: return "tuple object";
	case TV_DICT: return "dict object";
	case TV_OBJ: return obj.u.obj->type->name;
	}
	return "object";
}

tv
tmpl_undef_name(struct tmpl_rt *rt, const char *name, size_t len)
{
	tv v = { .type = TV_UNDEF };
	struct tv_undef *d = arena_zalloc(rt->arena, sizeof(*d));

	d->kind = UNDEF_NAME;
	d->name = name;
	d->nlen = len;
	v.u.undef = d;
	return v;
}

tv
tmpl_undef_attr(struct tmpl_rt *rt, tv obj, const char *name, size_t len)
{
	tv v = tmpl_undef_name(rt, name, len);

	v.u.undef->kind = UNDEF_ATTR;
	v.u.undef->objtype = objtype_repr(obj);
	return v;
}

tv
tmpl_undef_item(struct tmpl_rt *rt, tv obj, tv key)
{
	tv v = tmpl_undef_name(rt, NULL, 0);

	v.u.undef->kind = UNDEF_ITEM;
	v.u.undef->objtype = objtype_repr(obj);
	v.u.undef->key = key;
	return v;
}

tv
tmpl_undef_hint(struct tmpl_rt *rt, const char *hint, bool lenient)
{
	tv v = tmpl_undef_name(rt, hint, strlen(hint));

	v.u.undef->kind = UNDEF_HINT;
	v.u.undef->lenient = lenient;
	return v;
}

int
tmpl_bind(struct tmpl_rt *rt, const char *fname, const struct tmpl_args *a,
    const char *params, tv *out, size_t nout)
{
	const char *names[16];
	size_t lens[16], np = 0;

	for (size_t i = 0; i < nout; i++)
		out[i] = tv_missing();
	if (a->nkw == 0 && a->npos <= nout) {
		/* positional only (the usual call): no names to match */
		for (size_t i = 0; i < a->npos; i++)
			out[i] = a->pos[i];
		return 0;
	}
	for (const char *p = params; *p != '\0' && np < 16;) {
		const char *c = strchr(p, ',');
		size_t l = c == NULL ? strlen(p) : (size_t)(c - p);
		names[np] = p;
		lens[np++] = l;
		p += l + (c != NULL);
	}
	if (a->npos > np || a->npos > nout)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "%s() takes at most "
		    "%zu arguments (%zu given)", fname, np, a->npos);
	for (size_t i = 0; i < a->npos; i++)
		out[i] = a->pos[i];
	for (size_t k = 0; k < a->nkw; k++) {
		size_t i;
		for (i = 0; i < np; i++)
			if (lens[i] == a->kw[k].len &&
			    memcmp(names[i], a->kw[k].name, lens[i]) == 0)
				break;
		if (i == np || i >= nout)
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "%s() got an "
			    "unexpected keyword argument '%.*s'", fname,
			    (int)a->kw[k].len, a->kw[k].name);
		if (out[i].type != TV_MISSING)
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "%s() got "
			    "multiple values for argument '%.*s'", fname,
			    (int)lens[i], names[i]);
		out[i] = a->kw[k].val;
	}
	return 0;
}

/* ---- frames and names ---- */

struct frame *
frame_new(struct tmpl_rt *rt, struct frame *parent)
{
	struct frame *f = arena_alloc(rt->arena, sizeof(*f));

	f->parent = parent;
	f->ctx = NULL;
	f->include = false;
	f->slots = f->inl;
	f->n = 0;
	f->cap = sizeof(f->inl) / sizeof(f->inl[0]);
	return f;
}

void
frame_set(struct tmpl_rt *rt, struct frame *f, const struct tmpl_atom *name,
    tv v)
{
	for (uint32_t i = 0; i < f->n; i++)
		if (f->slots[i].name == name) {
			f->slots[i].val = v;
			return;
		}
	if (f->n == f->cap) {
		uint32_t nc = f->cap * 2;
		f->slots = arena_realloc(rt->arena, f->slots,
		    f->cap * sizeof(*f->slots), nc * sizeof(*f->slots));
		f->cap = nc;
	}
	f->slots[f->n].name = name;
	f->slots[f->n].val = v;
	f->n++;
}

static const tv *
ctx_get(const struct tmpl_ctx *c, const struct tmpl_atom *name)
{
	if (c == NULL || c->cap == 0)
		return NULL;
	for (size_t j = name->hash & (c->cap - 1); c->slots[j].name != NULL;
	    j = (j + 1) & (c->cap - 1)) {
		const struct tmpl_atom *k = c->slots[j].name;
		if (k->hash == name->hash && k->len == name->len &&
		    memcmp(k->s, name->s, k->len) == 0)
			return &c->slots[j].val;
	}
	return NULL;
}

/* 0 found, 1 not found. */
int
rt_lookup(struct tmpl_rt *rt, const struct tmpl_atom *name, tv *out)
{
	const struct frame *f;

	for (f = rt->frame; f != NULL; f = f->parent) {
		for (uint32_t i = f->n; i-- > 0;)
			if (f->slots[i].name == name) {
				*out = f->slots[i].val;
				return 0;
			}
		if (f->include && name == rt->a_loop)
			break;
		if (f->parent == NULL) {
			const tv *v = ctx_get(f->ctx, name);
			if (v != NULL) {
				*out = *v;
				return 0;
			}
		}
	}
	if (name == rt->a_self && rt->tc != NULL) {
		*out = self_value(rt, rt->tc);
		return 0;
	}
	if (name == rt->a_super && rt->block != NULL)
		return super_value(rt, out) == -1 ? -1 : 0;
	const struct builtin *g = tmpl_global_find(name->s, name->len);
	if (g != NULL) {
		*out = tmpl_builtin_value(rt, g, tv_none(), false);
		return 0;
	}
	return 1;
}

/* ---- attribute and item access ---- */

static int
getattr_method(struct tmpl_rt *rt, tv obj, const char *name, size_t len,
    tv *out)
{
	const struct builtin *m = tmpl_method_find(obj.type, name, len);

	if (m == NULL)
		return 1;
	*out = tmpl_builtin_value(rt, m, obj, true);
	return 0;
}

int
rt_getattr(struct tmpl_rt *rt, tv obj, const char *name, size_t len, tv *out)
{
	int r;

	switch (obj.type) {
	case TV_MISSING:
	case TV_UNDEF:
		return tmpl_rt_undef_error(rt, obj);
	case TV_DICT: {
		if (getattr_method(rt, obj, name, len, out) == 0)
			return 0;
		const tv *v = tv_dict_gets(obj.u.dict, name, len);
		if (v != NULL) {
			*out = *v;
			return 0;
		}
		break;
	}
	case TV_TUPLE:
		if ((obj.flags & TVF_GROUP) && obj.u.list->len == 2) {
			if (len == 7 && memcmp(name, "grouper", 7) == 0) {
				*out = obj.u.list->items[0];
				return 0;
			}
			if (len == 4 && memcmp(name, "list", 4) == 0) {
				*out = obj.u.list->items[1];
				return 0;
			}
		}
		/* FALLTHROUGH */
	default:
		if (getattr_method(rt, obj, name, len, out) == 0)
			return 0;
		break;
	case TV_OBJ:
		if (obj.u.obj->type->getattr == NULL)
			break;
		r = obj.u.obj->type->getattr(rt, obj.u.obj, name, len, out);
		if (r <= 0)
			return r;
		break;
	}
	*out = tmpl_undef_attr(rt, obj, name, len);
	return 0;
}

static bool
index_of(tv key, int64_t len, int64_t *idx)
{
	if (key.type != TV_INT && key.type != TV_BOOL)
		return false;
	int64_t i = key.u.i;
	if (i < 0)
		i += len;
	*idx = i;
	return true;
}

int
rt_getitem(struct tmpl_rt *rt, tv obj, tv key, tv *out)
{
	int64_t i;

	switch (obj.type) {
	case TV_MISSING:
	case TV_UNDEF:
		return tmpl_rt_undef_error(rt, obj);
	case TV_LIST:
	case TV_TUPLE:
		if (index_of(key, obj.u.list->len, &i)) {
			if (i >= 0 && i < obj.u.list->len) {
				*out = obj.u.list->items[i];
				return 0;
			}
			*out = tmpl_undef_item(rt, obj, key);
			return 0;
		}
		break;
	case TV_STR:
		if (index_of(key, (int64_t)utf8_len(obj.u.s, obj.len), &i)) {
			size_t off, adv;
			if (i < 0 || (off = utf8_offset(obj.u.s, obj.len,
			    (size_t)i)) >= obj.len) {
				*out = tmpl_undef_item(rt, obj, key);
				return 0;
			}
			utf8_decode(obj.u.s + off, obj.len - off, &adv);
			*out = tv_strn(obj.u.s + off, adv);
			return 0;
		}
		break;
	case TV_DICT: {
		const tv *v = tv_dict_get(obj.u.dict, key);
		if (v != NULL) {
			*out = *v;
			return 0;
		}
		break;
	}
	default:
		break;
	}
	if (key.type == TV_STR)
		return rt_getattr(rt, obj, key.u.s, key.len, out);
	*out = tmpl_undef_item(rt, obj, key);
	return 0;
}

static int
slice_index(struct tmpl_rt *rt, const struct node *n, int64_t dflt,
    int64_t *out)
{
	tv v;

	if (n == NULL) {
		*out = dflt;
		return 0;
	}
	if (eval(rt, n, &v) == -1)
		return -1;
	if (v.type == TV_NONE) {
		*out = dflt;
		return 0;
	}
	if (v.type != TV_INT && v.type != TV_BOOL)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "slice indices must be "
		    "integers or None");
	*out = v.u.i;
	return 0;
}

/* Python's slice.indices(). */
static void
slice_adjust(int64_t len, int64_t *start, int64_t *stop, int64_t step,
    bool has_start, bool has_stop)
{
	if (!has_start)
		*start = step < 0 ? len - 1 : 0;
	else {
		if (*start < 0)
			*start += len;
		if (*start < 0)
			*start = step < 0 ? -1 : 0;
		else if (*start >= len)
			*start = step < 0 ? len - 1 : len;
	}
	if (!has_stop)
		*stop = step < 0 ? -1 : len;
	else {
		if (*stop < 0)
			*stop += len;
		if (*stop < 0)
			*stop = step < 0 ? -1 : 0;
		else if (*stop >= len)
			*stop = step < 0 ? len - 1 : len;
	}
}

static int
eval_slice(struct tmpl_rt *rt, const struct node *n, tv *out)
{
	tv obj;
	int64_t start, stop, step;

	if (n->u.slice.obj == NULL)	/* x[1, 2:3]: a slice inside a tuple */
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "slices are only "
		    "allowed alone in a subscript");
	if (eval(rt, n->u.slice.obj, &obj) == -1 ||
	    slice_index(rt, n->u.slice.start, INT64_MIN, &start) == -1 ||
	    slice_index(rt, n->u.slice.stop, INT64_MIN, &stop) == -1 ||
	    slice_index(rt, n->u.slice.step, 1, &step) == -1)
		return -1;
	if (step == 0)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "slice step cannot be "
		    "zero");
	if (obj.type == TV_UNDEF)
		return tmpl_rt_undef_error(rt, obj);
	struct tv_list *src;
	bool is_str = obj.type == TV_STR;
	if (!is_str && !tv_is_seq(obj))
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "'%s' object is not "
		    "subscriptable", tv_type_name(obj));
	if (tv_iterate(rt, obj, &src) == -1)
		return -1;
	slice_adjust(src->len, &start, &stop, step, start != INT64_MIN,
	    stop != INT64_MIN);
	struct tv_list *l = tv_list_new(rt->arena, 0);
	for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
		tv_list_push(rt->arena, l, src->items[i]);
	if (is_str) {
		struct buf b = BUF_INIT;
		for (uint32_t i = 0; i < l->len; i++)
			buf_add(&b, l->items[i].u.s, l->items[i].len);
		*out = tv_str_from_buf(rt, &b);
		buf_free(&b);
	} else if (obj.type == TV_TUPLE) {
		l->frozen = true;
		*out = tv_tuple_val(l);
	} else
		*out = tv_list_val(l);
	return 0;
}

/* ---- calls, filters, tests ---- */

int
rt_eval_args(struct tmpl_rt *rt, const struct callargs *ca,
    struct tmpl_args *out, struct argbuf *ab)
{
	struct tv_list *dyn = NULL;
	struct tv_dict *dkw = NULL;
	tv v;

	if (ca->dyn_args != NULL) {
		if (eval(rt, ca->dyn_args, &v) == -1 ||
		    tv_iterate(rt, v, &dyn) == -1)
			return -1;
	}
	if (ca->dyn_kwargs != NULL) {
		if (eval(rt, ca->dyn_kwargs, &v) == -1)
			return -1;
		if (v.type != TV_DICT)
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "argument "
			    "after ** must be a mapping, not %s",
			    tv_type_name(v));
		dkw = v.u.dict;
	}
	size_t npos = ca->pos.n + (dyn ? dyn->len : 0);
	size_t nkw = ca->nkw + (dkw ? dkw->len : 0);
	tv *pos = ab != NULL && npos <= 4 ? ab->pos :
	    arena_alloc(rt->arena, (npos + 1) * sizeof(tv));
	struct tmpl_kwarg *kw = ab != NULL && nkw <= 2 ? ab->kw :
	    arena_alloc(rt->arena, (nkw + 1) * sizeof(*kw));
	for (size_t i = 0; i < ca->pos.n; i++)
		if (eval(rt, ca->pos.v[i], &pos[i]) == -1)
			return -1;
	for (size_t i = 0; dyn != NULL && i < dyn->len; i++)
		pos[ca->pos.n + i] = dyn->items[i];
	for (size_t i = 0; i < ca->nkw; i++) {
		kw[i].name = ca->kwnames[i]->s;
		kw[i].len = ca->kwnames[i]->len;
		if (eval(rt, ca->kwvals[i], &kw[i].val) == -1)
			return -1;
	}
	for (size_t i = 0; dkw != NULL && i < dkw->len; i++) {
		tv k = dkw->e[i].key;
		if (k.type != TV_STR)
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "keywords must "
			    "be strings");
		kw[ca->nkw + i].name = k.u.s;
		kw[ca->nkw + i].len = k.len;
		kw[ca->nkw + i].val = dkw->e[i].val;
	}
	out->pos = pos;
	out->npos = npos;
	out->kw = kw;
	out->nkw = nkw;
	return 0;
}

/*
 * Call node n: 0 with the result in *out; or, when print is set and the
 * callee is a macro, 1 after its output went straight to rt->out.
 */
static int
eval_call(struct tmpl_rt *rt, const struct node *n, tv *out, bool print)
{
	const struct node *fnode = n->u.call.fn;
	struct argbuf ab;
	struct tmpl_args a;
	tv fn, obj;

	/* obj.method(...): call the method without a bound-method value */
	if (fnode->kind == N_GETATTR) {
		if (eval(rt, fnode->u.getattr.obj, &obj) == -1)
			return -1;
		const struct builtin *m = NULL;
		int k = tmpl_method_slot(obj.type);
		if (fnode->u.getattr.meth != NULL && k >= 0)
			m = fnode->u.getattr.meth[k];
		if (m != NULL) {
			if (rt_eval_args(rt, &n->u.call.args, &a, &ab) == -1)
				return -1;
			rt->line = n->line;
			return m->fn(rt, obj, &a, out);
		}
		rt->line = fnode->line;
		if (rt_getattr(rt, obj, fnode->u.getattr.attr,
		    fnode->u.getattr.len, &fn) == -1)
			return -1;
	} else if (eval(rt, fnode, &fn) == -1)
		return -1;
	if (rt_eval_args(rt, &n->u.call.args, &a, &ab) == -1)
		return -1;
	rt->line = n->line;
	if (print && tv_is_macro(fn))
		return rt_call_macro(rt, fn, &a, tv_missing(), NULL) == -1 ?
		    -1 : 1;
	return tmpl_call(rt, fn, &a, out);
}

int
rt_apply_filters(struct tmpl_rt *rt, const struct node *f, tv in, tv *out)
{
	struct tmpl_args a;
	tv v;

	if (f == NULL) {
		*out = in;
		return 0;
	}
	if (f->u.filter.in != NULL) {
		if (rt_apply_filters(rt, f->u.filter.in, in, &v) == -1)
			return -1;
	} else
		v = in;
	if (rt_eval_args(rt, &f->u.filter.args, &a, NULL) == -1)
		return -1;
	rt->line = f->line;
	if (f->u.filter.fn == NULL)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "No filter named "
		    "'%s' found.", f->u.filter.fname->s);
	return f->u.filter.fn->fn(rt, v, &a, out);
}

static int
eval_filter(struct tmpl_rt *rt, const struct node *n, tv *out)
{
	struct argbuf ab;
	struct tmpl_args a;
	tv in;

	if (eval(rt, n->u.filter.in, &in) == -1 ||
	    rt_eval_args(rt, &n->u.filter.args, &a, &ab) == -1)
		return -1;
	rt->line = n->line;
	if (n->u.filter.fn == NULL)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "No %s named '%s' "
		    "found.", n->kind == N_FILTER ? "filter" : "test",
		    n->u.filter.fname->s);
	return n->u.filter.fn->fn(rt, in, &a, out);
}

int
tmpl_apply_filter(struct tmpl_rt *rt, const char *name, size_t len, tv in,
    const struct tmpl_args *a, tv *out)
{
	const struct builtin *f = tmpl_filter_find(name, len);

	if (f == NULL)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "No filter named "
		    "'%.*s'.", (int)len, name);
	return f->fn(rt, in, a, out);
}

int
tmpl_apply_test(struct tmpl_rt *rt, const char *name, size_t len, tv in,
    const struct tmpl_args *a, bool *res)
{
	const struct builtin *t = tmpl_test_find(name, len);
	tv r;

	if (t == NULL)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "No test named "
		    "'%.*s'.", (int)len, name);
	if (t->fn(rt, in, a, &r) == -1)
		return -1;
	*res = r.u.i != 0;
	return 0;
}

/* ---- operators ---- */

static int
contains(struct tmpl_rt *rt, tv item, tv seq, bool *res)
{
	struct tv_list *l;

	switch (seq.type) {
	case TV_STR:
		if (item.type != TV_STR)
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "'in <string>' "
			    "requires string as left operand, not %s",
			    tv_type_name(item));
		*res = str_find(seq.u.s, seq.len, item.u.s, item.len) != NULL;
		return 0;
	case TV_DICT:
		*res = tv_dict_get(seq.u.dict, item) != NULL;
		return 0;
	case TV_UNDEF:
		return tmpl_rt_undef_error(rt, seq);
	case TV_LIST:
	case TV_TUPLE:
	case TV_OBJ:
		if (tv_iterate(rt, seq, &l) == -1)
			return -1;
		*res = false;
		for (uint32_t i = 0; i < l->len && !*res; i++)
			*res = tv_eq(l->items[i], item);
		return 0;
	}
	return tmpl_rt_error(rt, TMPL_ERR_TYPE, "argument of type '%s' is not "
	    "iterable", tv_type_name(seq));
}

static int
compare(struct tmpl_rt *rt, int op, tv a, tv b, bool *res)
{
	int c;

	switch (op) {
	case CMP_EQ:
	case CMP_NE:
		if ((a.type == TV_UNDEF || a.type == TV_MISSING) &&
		    !tv_undef_lenient(a, tmpl_rt_mode(rt)))
			return tmpl_rt_undef_error(rt, a);
		if ((b.type == TV_UNDEF || b.type == TV_MISSING) &&
		    !tv_undef_lenient(b, tmpl_rt_mode(rt)))
			return tmpl_rt_undef_error(rt, b);
		*res = tv_eq(a, b) == (op == CMP_EQ);
		return 0;
	case CMP_IN:
	case CMP_NOTIN:
		if (contains(rt, a, b, res) == -1)
			return -1;
		if (op == CMP_NOTIN)
			*res = !*res;
		return 0;
	}
	if (tv_cmp(rt, a, b, &c) == -1) {
		if (!rt->failed)
			return -1;
		/* fix the operator in the message */
		static const char *const sym[] = { [CMP_LT] = "<",
		    [CMP_LE] = "<=", [CMP_GT] = ">", [CMP_GE] = ">=" };
		char *m = rt->res->err.message;
		if (m != NULL && strncmp(m, "'<' not", 7) == 0) {
			char *nm = xprintf("'%s'%s", sym[op], m + 3);
			free(m);
			rt->res->err.message = nm;
		}
		return -1;
	}
	switch (op) {
	case CMP_LT: *res = c < 0; break;
	case CMP_LE: *res = c <= 0; break;
	case CMP_GT: *res = c > 0; break;
	default: *res = c >= 0; break;
	}
	return 0;
}

static int
eval_compare(struct tmpl_rt *rt, const struct node *n, tv *out)
{
	tv a, b;
	bool r = true;

	if (eval(rt, n->u.cmp.first, &a) == -1)
		return -1;
	for (size_t i = 0; i < n->u.cmp.n; i++) {
		if (eval(rt, n->u.cmp.rest[i], &b) == -1)
			return -1;
		rt->line = n->line;
		if (compare(rt, n->u.cmp.ops[i], a, b, &r) == -1)
			return -1;
		if (!r)
			break;
		a = b;
	}
	*out = tv_bool(r);
	return 0;
}

static int
eval_concat(struct tmpl_rt *rt, const struct node *n, tv *out)
{
	struct buf *b = tmpl_rt_buf(rt);
	tv v;

	for (size_t i = 0; i < n->u.items.n; i++) {
		if (eval(rt, n->u.items.v[i], &v) == -1 ||
		    tv_str_buf(rt, v, b) == -1 ||
		    tmpl_rt_check_size(rt, b->len) == -1) {
			tmpl_rt_buf_drop(rt, b);
			return -1;
		}
	}
	*out = tmpl_rt_buf_str(rt, b);
	return 0;
}

static int
eval_seq(struct tmpl_rt *rt, const struct node *n, tv *out)
{
	struct tv_list *l = tv_list_new(rt->arena, n->u.items.n);

	for (size_t i = 0; i < n->u.items.n; i++)
		if (eval(rt, n->u.items.v[i], &l->items[i]) == -1)
			return -1;
	l->len = (uint32_t)n->u.items.n;
	if (n->kind == N_TUPLE) {
		l->frozen = true;
		*out = tv_tuple_val(l);
	} else
		*out = tv_list_val(l);
	return 0;
}

static int
eval_dict(struct tmpl_rt *rt, const struct node *n, tv *out)
{
	struct tv_dict *d = tv_dict_new(rt->arena, n->u.dict.keys.n);
	tv k, v;

	for (size_t i = 0; i < n->u.dict.keys.n; i++) {
		if (eval(rt, n->u.dict.keys.v[i], &k) == -1 ||
		    eval(rt, n->u.dict.vals.v[i], &v) == -1)
			return -1;
		if (k.type == TV_LIST || k.type == TV_DICT)
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "unhashable "
			    "type: '%s'", tv_type_name(k));
		tv_dict_set(rt->arena, d, k, v);
	}
	*out = tv_dict_val(d);
	return 0;
}

static int
eval_truth(struct tmpl_rt *rt, const struct node *n, tv *v, bool *b)
{
	int err = 0;

	if (eval(rt, n, v) == -1)
		return -1;
	*b = tv_truthy(rt, *v, &err);
	return err;
}

/* Attribute n->u.getattr of a, a the value of its object. */
static int
getattr_node(struct tmpl_rt *rt, const struct node *n, tv a, tv *out)
{
	rt->line = n->line;
	if (a.type == TV_DICT && !n->flag) {
		/* no method has this name: the key, or undefined */
		const tv *v = tv_dict_gets_h(a.u.dict, n->u.getattr.attr,
		    n->u.getattr.len, n->u.getattr.hash);
		*out = v != NULL ? *v : tmpl_undef_attr(rt, a,
		    n->u.getattr.attr, n->u.getattr.len);
		return 0;
	}
	return rt_getattr(rt, a, n->u.getattr.attr, n->u.getattr.len, out);
}

/* The value of name node n (undefined when nothing has the name). */
static inline int
eval_name(struct tmpl_rt *rt, const struct node *n, tv *out)
{
	rt->line = n->line;
	switch (rt_lookup(rt, n->u.name, out)) {
	case -1: return -1;
	case 1:
		*out = tmpl_undef_name(rt, n->u.name->s, n->u.name->len);
	}
	return 0;
}

static int
eval_inner(struct tmpl_rt *rt, const struct node *n, tv *out)
{
	tv a, b;
	bool t;

	switch (n->kind) {
	case N_CONST:
		*out = n->u.cval;
		return 0;
	case N_NAME:
		return eval_name(rt, n, out);
	case N_GETATTR:
		if (eval(rt, n->u.getattr.obj, &a) == -1)
			return -1;
		return getattr_node(rt, n, a, out);
	case N_GETITEM:
		if (eval(rt, n->u.getitem.obj, &a) == -1 ||
		    eval(rt, n->u.getitem.key, &b) == -1)
			return -1;
		rt->line = n->line;
		return rt_getitem(rt, a, b, out);
	case N_SLICE: return eval_slice(rt, n, out);
	case N_CALL: return eval_call(rt, n, out, false);
	case N_FILTER:
	case N_TEST: return eval_filter(rt, n, out);
	case N_NEG:
		if (eval(rt, n->u.unary, &a) == -1)
			return -1;
		rt->line = n->line;
		return tv_neg(rt, a, out);
	case N_POS:
		if (eval(rt, n->u.unary, &a) == -1)
			return -1;
		if (!tv_is_num(a))
			return a.type == TV_UNDEF ? tmpl_rt_undef_error(rt, a) :
			    tmpl_rt_error(rt, TMPL_ERR_TYPE, "bad operand type "
			    "for unary +: '%s'", tv_type_name(a));
		*out = a.type == TV_BOOL ? tv_int(a.u.i) : a;
		return 0;
	case N_NOT:
		if (eval_truth(rt, n->u.unary, &a, &t) == -1)
			return -1;
		*out = tv_bool(!t);
		return 0;
	case N_BINOP:
		if (eval(rt, n->u.bin.l, &a) == -1 ||
		    eval(rt, n->u.bin.r, &b) == -1)
			return -1;
		rt->line = n->line;
		return tv_arith(rt, n->op, a, b, out);
	case N_AND:
	case N_OR:
		if (eval_truth(rt, n->u.bin.l, &a, &t) == -1)
			return -1;
		if (t == (n->kind == N_OR)) {
			*out = a;
			return 0;
		}
		return eval(rt, n->u.bin.r, out);
	case N_COMPARE: return eval_compare(rt, n, out);
	case N_CONDEXPR:
		if (eval_truth(rt, n->u.cond.test, &a, &t) == -1)
			return -1;
		if (t)
			return eval(rt, n->u.cond.a, out);
		if (n->u.cond.b != NULL)
			return eval(rt, n->u.cond.b, out);
		*out = tmpl_undef_hint(rt, "", true);
		out->u.undef->kind = UNDEF_COND;	/* message made if used */
		out->u.undef->nlen = (size_t)n->line;
		return 0;
	case N_CONCAT: return eval_concat(rt, n, out);
	case N_LIST:
	case N_TUPLE: return eval_seq(rt, n, out);
	case N_DICT: return eval_dict(rt, n, out);
	}
	return tmpl_rt_error(rt, TMPL_ERR_OTHER, "not an expression");
}

int
eval(struct tmpl_rt *rt, const struct node *n, tv *out)
{
	int r;

	switch (n->kind) {	/* leaves: no recursion to count */
	case N_CONST:
		*out = n->u.cval;
		return 0;
	case N_NAME:
		return eval_name(rt, n, out);
	case N_GETATTR:		/* name.attr, the most common expression */
		if (n->u.getattr.obj->kind == N_NAME) {
			tv a;
			if (eval_name(rt, n->u.getattr.obj, &a) == -1)
				return -1;
			return getattr_node(rt, n, a, out);
		}
		break;
	}
	if (++rt->edepth > TMPL_MAX_EVAL_DEPTH) {
		rt->edepth--;
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "expression nesting "
		    "deeper than %d", TMPL_MAX_EVAL_DEPTH);
	}
	rt->line = n->line;
	r = eval_inner(rt, n, out);
	rt->edepth--;
	return r;
}

/* ---- output ---- */

int
rt_print_call(struct tmpl_rt *rt, const struct node *e)
{
	tv v;
	int r;

	if (++rt->edepth > TMPL_MAX_EVAL_DEPTH) {
		rt->edepth--;
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "expression nesting "
		    "deeper than %d", TMPL_MAX_EVAL_DEPTH);
	}
	rt->line = e->line;
	r = eval_call(rt, e, &v, true);
	rt->edepth--;
	if (r == 0)
		r = rt_output_value(rt, v);
	return r == -1 ? -1 : 0;
}

/* rt_output() when the buffer must grow, the limit is near or out NULL. */
int
rt_output_grow(struct tmpl_rt *rt, const char *s, size_t n)
{
	if (rt->out == NULL)
		return 0;	/* discarded: after extends */
	if (rt->out->len + n > rt->max_output)
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "output larger than "
		    "%zu bytes", rt->max_output);
	buf_add(rt->out, s, n);
	return 0;
}

int
rt_output_value(struct tmpl_rt *rt, tv v)
{
	if (rt->out == NULL)
		return 0;
	if (v.type == TV_STR)
		return rt_output(rt, v.u.s, v.len);
	if (v.type == TV_INT) {
		char tmp[24], *end = tmp + sizeof(tmp);
		uint64_t m = v.u.i < 0 ? (uint64_t)0 - (uint64_t)v.u.i :
		    (uint64_t)v.u.i;
		char *p = fmt_u64(m, end);
		if (v.u.i < 0)
			*--p = '-';
		return rt_output(rt, p, (size_t)(end - p));
	}
	if (tv_str_buf(rt, v, rt->out) == -1)
		return -1;
	if (rt->out->len > rt->max_output)
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "output larger than "
		    "%zu bytes", rt->max_output);
	return 0;
}

struct buf *
tmpl_rt_buf(struct tmpl_rt *rt)
{
	if (rt->nscratch == rt->capscratch) {
		size_t nc = rt->capscratch ? rt->capscratch * 2 : 4;
		rt->scratch = xreallocarray(rt->scratch, nc,
		    sizeof(*rt->scratch));
		for (size_t i = rt->capscratch; i < nc; i++) {
			rt->scratch[i] = xmalloc(sizeof(struct buf));
			buf_init(rt->scratch[i]);
		}
		rt->capscratch = nc;
	}
	struct buf *b = rt->scratch[rt->nscratch++];
	buf_reset(b);
	return b;
}

void
tmpl_rt_buf_drop(struct tmpl_rt *rt, struct buf *b)
{
	for (size_t i = rt->nscratch; i-- > 0;)
		if (rt->scratch[i] == b) {
			rt->nscratch = i;
			return;
		}
}

tv
tmpl_rt_buf_str(struct tmpl_rt *rt, struct buf *b)
{
	tv v = tv_str_from_buf(rt, b);

	tmpl_rt_buf_drop(rt, b);
	return v;
}

void
rt_buf_free_all(struct tmpl_rt *rt)
{
	for (size_t i = 0; i < rt->capscratch; i++) {
		buf_free(rt->scratch[i]);
		free(rt->scratch[i]);
	}
	free(rt->scratch);
	rt->scratch = NULL;
	rt->nscratch = rt->capscratch = 0;
}

int
rt_capture(struct tmpl_rt *rt, const struct nodelist *body, struct frame *f,
    tv *out)
{
	struct buf *b = out != NULL ? tmpl_rt_buf(rt) : NULL,
	    *saved = rt->out;
	struct frame *sf = rt->frame;
	int r;

	if (b != NULL)
		rt->out = b;
	rt->frame = f;
	r = exec_body(rt, body);
	rt->out = saved;	/* an extends in the body may have cleared it */
	rt->frame = sf;
	if (b != NULL) {
		if (r == 0)
			*out = tv_str_from_buf(rt, b);
		tmpl_rt_buf_drop(rt, b);
	}
	return r;
}
