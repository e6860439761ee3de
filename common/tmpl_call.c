/*
 * tmpl_call — the callable objects the evaluator creates: macros (and
 * the caller of a call block), the for loop's `loop`, imported modules,
 * `self` and `super()`, and builtins as values (a global like range, or
 * a bound method like 'a'.upper).  Macro argument binding follows
 * Jinja2's Macro._invoke, messages included.
 */
#include "tmpl_eval.h"

#include <string.h>

#include "arena.h"
#include "tmpl_builtins.h"
#include "xmalloc.h"

int
tmpl_call(struct tmpl_rt *rt, tv fn, const struct tmpl_args *a, tv *out)
{
	if (fn.type == TV_OBJ && fn.u.obj->type->call != NULL)
		return fn.u.obj->type->call(rt, fn.u.obj, a, out);
	if (fn.type == TV_UNDEF || fn.type == TV_MISSING)
		return tmpl_rt_undef_error(rt, fn);
	return tmpl_rt_error(rt, TMPL_ERR_TYPE, "'%s' object is not callable",
	    tv_type_name(fn));
}

/* ---- builtins as values ---- */

struct builtin_obj {
	struct tv_obj		 base;
	const struct builtin	*b;
	tv			 self;
	bool			 bound;
};

static int
builtin_call(struct tmpl_rt *rt, struct tv_obj *o, const struct tmpl_args *a,
    tv *out)
{
	struct builtin_obj *b = (struct builtin_obj *)o;

	return b->b->fn(rt, b->self, a, out);
}

static void
builtin_repr(struct tmpl_rt *rt, struct tv_obj *o, struct buf *b)
{
	struct builtin_obj *bo = (struct builtin_obj *)o;

	(void)rt;
	if (bo->bound)
		buf_printf(b, "<built-in method %s of %s object>", bo->b->name,
		    tv_type_name(bo->self));
	else
		buf_printf(b, "<built-in function %s>", bo->b->name);
}

static const struct tv_objtype builtin_type = {
	.name = "builtin_function_or_method",
	.call = builtin_call,
	.repr = builtin_repr,
};

tv
tmpl_builtin_value(struct tmpl_rt *rt, const struct builtin *b, tv self,
    bool bound)
{
	struct builtin_obj *o = arena_zalloc(rt->arena, sizeof(*o));

	o->base.type = &builtin_type;
	o->b = b;
	o->self = self;
	o->bound = bound;
	return tv_obj(&o->base);
}

/* ---- macros ---- */

struct macro_obj {
	struct tv_obj			 base;
	const struct macrodef		*m;
	struct frame			*closure;
	const struct tmpl_template	*tmpl;
};

static int macro_invoke(struct tmpl_rt *, struct macro_obj *,
    const struct tmpl_args *, tv, tv *);

static int
macro_call(struct tmpl_rt *rt, struct tv_obj *o, const struct tmpl_args *a,
    tv *out)
{
	return macro_invoke(rt, (struct macro_obj *)o, a, tv_missing(), out);
}

static int
macro_getattr(struct tmpl_rt *rt, struct tv_obj *o, const char *name,
    size_t len, tv *out)
{
	const struct macrodef *m = ((struct macro_obj *)o)->m;

	if (len == 4 && memcmp(name, "name", 4) == 0) {
		*out = tv_strn(m->name->s, m->name->len);
		return 0;
	}
	if (len == 9 && memcmp(name, "arguments", 9) == 0) {
		struct tv_list *l = tv_list_new(rt->arena, m->nparams);
		for (size_t i = 0; i < m->nparams; i++)
			l->items[i] = tv_strn(m->params[i]->s,
			    m->params[i]->len);
		l->len = (uint32_t)m->nparams;
		l->frozen = true;
		*out = tv_tuple_val(l);
		return 0;
	}
	if (len == 12 && memcmp(name, "catch_kwargs", 12) == 0) {
		*out = tv_bool(m->catch_kwargs);
		return 0;
	}
	if (len == 13 && memcmp(name, "catch_varargs", 13) == 0) {
		*out = tv_bool(m->catch_varargs);
		return 0;
	}
	if (len == 6 && memcmp(name, "caller", 6) == 0) {
		*out = tv_bool(m->caller);
		return 0;
	}
	return 1;
}

static void
macro_repr(struct tmpl_rt *rt, struct tv_obj *o, struct buf *b)
{
	(void)rt;
	buf_printf(b, "<Macro '%s'>", ((struct macro_obj *)o)->m->name->s);
}

static const struct tv_objtype macro_type = {
	.name = "Macro",
	.getattr = macro_getattr,
	.call = macro_call,
	.repr = macro_repr,
};

bool
tv_is_macro(tv v)
{
	return tv_is_objtype(v, &macro_type);
}

tv
macro_value(struct tmpl_rt *rt, const struct macrodef *m,
    struct frame *closure)
{
	struct macro_obj *o = arena_zalloc(rt->arena, sizeof(*o));

	o->base.type = &macro_type;
	o->m = m;
	o->closure = closure;
	o->tmpl = rt->tmpl;
	return tv_obj(&o->base);
}

static const struct tmpl_kwarg *
kw_find(const struct tmpl_args *a, const struct tmpl_atom *name, bool *used)
{
	for (size_t i = 0; i < a->nkw; i++)
		if (!used[i] && a->kw[i].len == name->len &&
		    memcmp(a->kw[i].name, name->s, name->len) == 0) {
			used[i] = true;
			return &a->kw[i];
		}
	return NULL;
}

static int
macro_bind(struct tmpl_rt *rt, struct macro_obj *mo, const struct tmpl_args *a,
    tv caller, struct frame *f, bool *used)
{
	const struct macrodef *m = mo->m;
	const char *name = m->name->s;

	for (size_t i = 0; i < m->nparams; i++) {
		const struct tmpl_kwarg *k;
		tv v;
		if (i < a->npos)
			v = a->pos[i];
		else if ((k = kw_find(a, m->params[i], used)) != NULL)
			v = k->val;
		else if (m->defaults[i] != NULL) {
			if (eval(rt, m->defaults[i], &v) == -1)
				return -1;
		} else {
			char *h = arena_printf(rt->arena, "parameter '%s' was "
			    "not provided", m->params[i]->s);
			v = tmpl_undef_hint(rt, h, false);
		}
		frame_set(rt, f, m->params[i], v);
	}
	if (m->caller) {
		const struct tmpl_kwarg *k = kw_find(a, rt->a_caller, used);
		if (caller.type == TV_MISSING)
			caller = k != NULL ? k->val :
			    tmpl_undef_hint(rt, "No caller defined", false);
		frame_set(rt, f, rt->a_caller, caller);
	} else if (caller.type != TV_MISSING)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "macro '%s' takes no "
		    "keyword argument 'caller'", name);
	if (m->catch_kwargs) {
		struct tv_dict *d = tv_dict_new(rt->arena, 0);
		for (size_t i = 0; i < a->nkw; i++)
			if (!used[i])
				tv_dict_set(rt->arena, d, tv_strn(a->kw[i].name,
				    a->kw[i].len), a->kw[i].val);
		frame_set(rt, f, rt->a_kwargs, tv_dict_val(d));
	} else {
		for (size_t i = 0; i < a->nkw; i++)
			if (!used[i])
				return tmpl_rt_error(rt, TMPL_ERR_TYPE, "macro "
				    "'%s' takes no keyword argument '%.*s'",
				    name, (int)a->kw[i].len, a->kw[i].name);
	}
	if (m->catch_varargs) {
		struct tv_list *l = tv_list_new(rt->arena, 0);
		for (size_t i = m->nparams; i < a->npos; i++)
			tv_list_push(rt->arena, l, a->pos[i]);
		l->frozen = true;
		frame_set(rt, f, rt->a_varargs, tv_tuple_val(l));
	} else if (a->npos > m->nparams)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "macro '%s' takes not "
		    "more than %zu argument(s)", name, m->nparams);
	return 0;
}

/* Run the macro: its text becomes *out, or with out NULL goes to rt->out. */
static int
macro_invoke(struct tmpl_rt *rt, struct macro_obj *mo,
    const struct tmpl_args *a, tv caller, tv *out)
{
	const struct tmpl_template *st = rt->tmpl;
	struct frame *sf = rt->frame, *f;
	bool *used = arena_zalloc(rt->arena, a->nkw + 1);
	int r;

	if (rt_enter(rt) == -1)
		return -1;
	f = frame_new(rt, mo->closure);
	rt->tmpl = mo->tmpl;
	rt->frame = f;
	r = macro_bind(rt, mo, a, caller, f, used);
	rt->frame = sf;
	if (r == 0)
		r = rt_capture(rt, &mo->m->body, f, out);
	rt->tmpl = st;
	rt_leave(rt);
	return r;
}

int
rt_call_macro(struct tmpl_rt *rt, tv fn, const struct tmpl_args *a,
    tv caller, tv *out)
{
	if (tv_is_macro(fn))
		return macro_invoke(rt, (struct macro_obj *)fn.u.obj, a, caller,
		    out);
	/* Not a macro: pass caller as a keyword argument. */
	struct tmpl_kwarg *kw = arena_alloc(rt->arena,
	    (a->nkw + 1) * sizeof(*kw));
	struct tmpl_args b = *a;
	for (size_t i = 0; i < a->nkw; i++)
		kw[i] = a->kw[i];
	kw[a->nkw].name = "caller";
	kw[a->nkw].len = 6;
	kw[a->nkw].val = caller;
	b.kw = kw;
	b.nkw = a->nkw + 1;
	if (out != NULL)
		return tmpl_call(rt, fn, &b, out);
	tv v;
	return tmpl_call(rt, fn, &b, &v) == -1 ? -1 : rt_output_value(rt, v);
}

/* ---- loops ---- */

struct loop_obj {
	struct tv_obj		 base;
	struct tv_list		*items;
	int64_t			 i;
	unsigned		 depth;
	const struct node	*node;
	struct frame		*outer;
	tv			 changed;
	bool			 has_changed;
	tv			 methods[2];	/* cycle, changed, made once */
};

static int
loop_cycle(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	struct loop_obj *l = (struct loop_obj *)self.u.obj;

	if (a->npos == 0)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "no items for "
		    "cycling given");
	*out = a->pos[l->i % (int64_t)a->npos];
	return 0;
}

static int
loop_changed(struct tmpl_rt *rt, tv self, const struct tmpl_args *a, tv *out)
{
	struct loop_obj *l = (struct loop_obj *)self.u.obj;
	struct tv_list *now = tv_list_new(rt->arena, a->npos);

	tv_copy(now->items, a->pos, a->npos);
	now->len = (uint32_t)a->npos;
	tv v = tv_tuple_val(now);
	if (l->has_changed && tv_eq(l->changed, v)) {
		*out = tv_bool(false);
		return 0;
	}
	l->changed = v;
	l->has_changed = true;
	*out = tv_bool(true);
	return 0;
}

static const struct builtin loop_methods[] = {
	{ "cycle", loop_cycle, "cycle through the arguments", 0 },
	{ "changed", loop_changed, "true when the arguments changed", 0 },
};

static int
loop_getattr(struct tmpl_rt *rt, struct tv_obj *o, const char *name,
    size_t len, tv *out)
{
	struct loop_obj *l = (struct loop_obj *)o;
	int64_t n = l->items->len, i = l->i;

#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
	if (IS("index"))
		*out = tv_int(i + 1);
	else if (IS("index0"))
		*out = tv_int(i);
	else if (IS("revindex"))
		*out = tv_int(n - i);
	else if (IS("revindex0"))
		*out = tv_int(n - i - 1);
	else if (IS("first"))
		*out = tv_bool(i == 0);
	else if (IS("last"))
		*out = tv_bool(i == n - 1);
	else if (IS("length"))
		*out = tv_int(n);
	else if (IS("depth"))
		*out = tv_int(l->depth);
	else if (IS("depth0"))
		*out = tv_int(l->depth - 1);
	else if (IS("previtem"))
		*out = i > 0 ? l->items->items[i - 1] :
		    tmpl_undef_hint(rt, "there is no previous item", false);
	else if (IS("nextitem"))
		*out = i + 1 < n ? l->items->items[i + 1] :
		    tmpl_undef_hint(rt, "there is no next item", false);
	else if (IS("cycle") || IS("changed")) {
		int k = name[1] == 'y' ? 0 : 1;
		if (l->methods[k].type == TV_MISSING)
			l->methods[k] = tmpl_builtin_value(rt, &loop_methods[k],
			    tv_obj(o), true);
		*out = l->methods[k];
	} else
		return 1;
#undef IS
	return 0;
}

static int
loop_recurse(struct tmpl_rt *rt, struct tv_obj *o, const struct tmpl_args *a,
    tv *out)
{
	struct loop_obj *l = (struct loop_obj *)o;
	struct buf *b, *so = rt->out;
	struct frame *sf = rt->frame;
	int r;

	if (!l->node->flag)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "loop is not "
		    "recursive; add 'recursive' to the for tag to call it");
	if (a->npos != 1)
		return tmpl_rt_error(rt, TMPL_ERR_TYPE, "loop() takes exactly "
		    "one argument");
	if (rt_enter(rt) == -1)
		return -1;
	rt->out = b = tmpl_rt_buf(rt);
	rt->frame = l->outer;
	r = loop_run(rt, l->node, a->pos[0], l->depth + 1);
	rt->out = so;
	rt->frame = sf;
	rt_leave(rt);
	if (r == 0)
		*out = tv_str_from_buf(rt, b);
	tmpl_rt_buf_drop(rt, b);
	return r;
}

static void
loop_repr(struct tmpl_rt *rt, struct tv_obj *o, struct buf *b)
{
	struct loop_obj *l = (struct loop_obj *)o;

	(void)rt;
	buf_printf(b, "<LoopContext %lld/%u>", (long long)l->i + 1,
	    l->items->len);
}

static const struct tv_objtype loop_type = {
	.name = "LoopContext",
	.getattr = loop_getattr,
	.call = loop_recurse,
	.repr = loop_repr,
};

/* Items of iter that pass the for tag's if, bound in frame f. */
static int
loop_filter(struct tmpl_rt *rt, const struct node *n, struct frame *f,
    struct tv_list **items)
{
	struct tv_list *in = *items, *l = tv_list_new(rt->arena, 0);
	struct frame *sf = rt->frame;
	int err = 0;
	tv v;

	rt->frame = f;
	for (uint32_t i = 0; i < in->len; i++) {
		if (rt_assign(rt, n->u.sfor.target, in->items[i], f) == -1 ||
		    eval(rt, n->u.sfor.test, &v) == -1) {
			rt->frame = sf;
			return -1;
		}
		if (tv_truthy(rt, v, &err))
			tv_list_push(rt->arena, l, in->items[i]);
		if (err) {
			rt->frame = sf;
			return -1;
		}
	}
	rt->frame = sf;
	*items = l;
	return 0;
}

int
loop_run(struct tmpl_rt *rt, const struct node *n, tv iter, unsigned depth)
{
	struct frame *sf = rt->frame, *f = frame_new(rt, rt->frame);
	struct loop_obj *l = arena_zalloc(rt->arena, sizeof(*l));
	struct tv_list *items;
	int r = 0;

	rt->line = n->line;
	if (tv_iterate(rt, iter, &items) == -1)
		return -1;
	if (n->u.sfor.test != NULL && loop_filter(rt, n, f, &items) == -1)
		return -1;
	l->base.type = &loop_type;
	l->items = items;
	l->depth = depth;
	l->node = n;
	l->outer = sf;
	rt->frame = f;
	frame_set(rt, f, rt->a_loop, tv_obj(&l->base));
	for (uint32_t i = 0; i < items->len && r == 0; i++) {
		l->i = i;
		rt->line = n->line;
		r = rt_check_limits(rt);
		if (r == 0)
			r = rt_assign(rt, n->u.sfor.target, items->items[i], f);
		if (r == 0)
			r = exec_body(rt, &n->u.sfor.body);
	}
	if (r == 0 && items->len == 0)
		r = exec_body(rt, &n->u.sfor.orelse);
	rt->frame = sf;
	return r;
}

/* ---- modules ---- */

struct module_obj {
	struct tv_obj			 base;
	struct frame			*root;
	const struct tmpl_template	*t;
};

static int
module_getattr(struct tmpl_rt *rt, struct tv_obj *o, const char *name,
    size_t len, tv *out)
{
	struct module_obj *m = (struct module_obj *)o;

	(void)rt;
	if (len > 0 && name[0] == '_')
		return 1;
	for (uint32_t i = 0; i < m->root->n; i++) {
		const struct tmpl_atom *a = m->root->slots[i].name;
		if (a->len == len && memcmp(a->s, name, len) == 0) {
			*out = m->root->slots[i].val;
			return 0;
		}
	}
	return 1;
}

static void
module_repr(struct tmpl_rt *rt, struct tv_obj *o, struct buf *b)
{
	(void)rt;
	buf_printf(b, "<TemplateModule '%s'>", ((struct module_obj *)o)->t->name);
}

static const struct tv_objtype module_type = {
	.name = "TemplateModule",
	.getattr = module_getattr,
	.repr = module_repr,
};

tv
module_value(struct tmpl_rt *rt, struct frame *root,
    const struct tmpl_template *t)
{
	struct module_obj *m = arena_zalloc(rt->arena, sizeof(*m));

	m->base.type = &module_type;
	m->root = root;
	m->t = t;
	return tv_obj(&m->base);
}

/* ---- self and super ---- */

struct blockref_obj {
	struct tv_obj	 base;
	struct tctx	*tc;
	size_t		 stack, level;
};

static int
blockref_call(struct tmpl_rt *rt, struct tv_obj *o, const struct tmpl_args *a,
    tv *out)
{
	struct blockref_obj *b = (struct blockref_obj *)o;
	struct buf *buf = tmpl_rt_buf(rt), *so = rt->out;
	int r;

	(void)a;
	rt->out = buf;
	r = rt_render_block(rt, b->tc, b->stack, b->level, b->tc->root);
	rt->out = so;
	if (r == 0)
		*out = tv_str_from_buf(rt, buf);
	tmpl_rt_buf_drop(rt, buf);
	return r;
}

static const struct tv_objtype blockref_type = {
	.name = "BlockReference",
	.call = blockref_call,
};

static tv
blockref_value(struct tmpl_rt *rt, struct tctx *tc, size_t stack,
    size_t level)
{
	struct blockref_obj *b = arena_zalloc(rt->arena, sizeof(*b));

	b->base.type = &blockref_type;
	b->tc = tc;
	b->stack = stack;
	b->level = level;
	return tv_obj(&b->base);
}

struct self_obj {
	struct tv_obj	 base;
	struct tctx	*tc;
};

static int
self_getattr(struct tmpl_rt *rt, struct tv_obj *o, const char *name,
    size_t len, tv *out)
{
	struct tctx *tc = ((struct self_obj *)o)->tc;

	for (size_t i = 0; i < tc->nblocks; i++) {
		const struct tmpl_atom *a = tc->blocks[i].name;
		if (a->len == len && memcmp(a->s, name, len) == 0) {
			*out = blockref_value(rt, tc, i, 0);
			return 0;
		}
	}
	return 1;
}

static const struct tv_objtype self_type = {
	.name = "TemplateReference",
	.getattr = self_getattr,
};

tv
self_value(struct tmpl_rt *rt, struct tctx *tc)
{
	struct self_obj *s = arena_zalloc(rt->arena, sizeof(*s));

	s->base.type = &self_type;
	s->tc = tc;
	return tv_obj(&s->base);
}

int
super_value(struct tmpl_rt *rt, tv *out)
{
	const struct blockpos *p = rt->block;
	const struct blockstack *s = &p->tc->blocks[p->stack];

	if (p->level + 1 >= s->n) {
		char *h = arena_printf(rt->arena, "there is no parent block "
		    "called '%s'.", s->name->s);
		*out = tmpl_undef_hint(rt, h, false);
		return 0;
	}
	*out = blockref_value(rt, p->tc, p->stack, p->level + 1);
	return 0;
}
