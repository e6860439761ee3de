/*
 * tmpl_exec — statements: output, if, for, set, with, macro and call
 * definitions, filter blocks, and the statements that bring in other
 * templates: include, import, from-import, extends and block.
 *
 * Inheritance works as in Jinja2: a template's top level runs until its
 * end; after an extends tag its output is dropped (statements still run,
 * so sets and macros take effect), then the parent runs with the same
 * context, and every block tag renders the most derived implementation
 * of that block.  The block stacks of a context list the implementations
 * child first, so super() is the next entry.
 */
#include "tmpl_eval.h"

#include <string.h>

#include "arena.h"
#include "tmpl_limits.h"
#include "xmalloc.h"

static int exec_stmt(struct tmpl_rt *rt, const struct node *n);

int
exec_body(struct tmpl_rt *rt, const struct nodelist *body)
{
	for (size_t i = 0; i < body->n; i++) {
		const struct node *n = body->v[i];
		/* text and prints, most of any body, without the dispatch */
		if (n->kind == S_TEXT && rt->out != NULL) {
			if (rt_output(rt, n->u.text.s, n->u.text.len) == -1)
				return -1;
		} else if (exec_stmt(rt, n) == -1)
			return -1;
	}
	return 0;
}

/* Bind value to an assignment target in frame f. */
static int
assign(struct tmpl_rt *rt, const struct node *target, tv v, struct frame *f)
{
	if (target->kind == N_NAME) {
		frame_set(rt, f, target->u.name, v);
		return 0;
	}
	if (target->kind == N_GETATTR) {
		tv ns;
		const struct tmpl_atom *name = target->u.getattr.obj->u.name;
		if (rt_lookup(rt, name, &ns) != 0)
			return tmpl_rt_error(rt, TMPL_ERR_UNDEFINED, "'%s' is "
			    "undefined", name->s);
		if (ns.type != TV_OBJ || ns.u.obj->type->setattr == NULL)
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "cannot assign "
			    "attribute on non-namespace object");
		return ns.u.obj->type->setattr(rt, ns.u.obj,
		    target->u.getattr.attr, target->u.getattr.len, v);
	}
	struct tv_list *items;
	size_t want = target->u.items.n;
	if (tv_iterate(rt, v, &items) == -1)
		return -1;
	if (items->len > want)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "too many values to "
		    "unpack (expected %zu)", want);
	if (items->len < want)
		return tmpl_rt_error(rt, TMPL_ERR_OTHER, "not enough values to "
		    "unpack (expected %zu, got %u)", want, items->len);
	for (size_t i = 0; i < want; i++)
		if (assign(rt, target->u.items.v[i], items->items[i], f) == -1)
			return -1;
	return 0;
}

int
rt_assign(struct tmpl_rt *rt, const struct node *target, tv v,
    struct frame *f)
{
	return assign(rt, target, v, f);
}

static int
exec_if(struct tmpl_rt *rt, const struct node *n)
{
	int err = 0;
	tv v;

	if (eval(rt, n->u.sif.test, &v) == -1)
		return -1;
	bool t = tv_truthy(rt, v, &err);
	if (err)
		return -1;
	return exec_body(rt, t ? &n->u.sif.body : &n->u.sif.orelse);
}

static int
exec_with(struct tmpl_rt *rt, const struct node *n)
{
	struct frame *f = frame_new(rt, rt->frame), *saved = rt->frame;
	tv v;
	int r;

	for (size_t i = 0; i < n->u.with.targets.n; i++) {
		if (eval(rt, n->u.with.values.v[i], &v) == -1 ||
		    assign(rt, n->u.with.targets.v[i], v, f) == -1)
			return -1;
	}
	rt->frame = f;
	r = exec_body(rt, &n->u.with.body);
	rt->frame = saved;
	return r;
}

static int
exec_setblock(struct tmpl_rt *rt, const struct node *n)
{
	tv v;

	if (rt_capture(rt, &n->u.setblock.body, frame_new(rt, rt->frame),
	    &v) == -1 ||
	    rt_apply_filters(rt, n->u.setblock.filter, v, &v) == -1)
		return -1;
	return assign(rt, n->u.setblock.target, v, rt->frame);
}

static int
exec_filterblock(struct tmpl_rt *rt, const struct node *n)
{
	tv v;

	if (rt_capture(rt, &n->u.filterblock.body, frame_new(rt, rt->frame),
	    &v) == -1 ||
	    rt_apply_filters(rt, n->u.filterblock.filter, v, &v) == -1)
		return -1;
	return rt_output_value(rt, v);
}

static int
exec_callblock(struct tmpl_rt *rt, const struct node *n)
{
	const struct node *call = n->u.callblock.call;
	struct tmpl_args a;
	tv fn;

	if (eval(rt, call->u.call.fn, &fn) == -1 ||
	    rt_eval_args(rt, &call->u.call.args, &a, NULL) == -1)
		return -1;
	rt->line = n->line;
	tv caller = macro_value(rt, n->u.callblock.caller, rt->frame);
	return rt_call_macro(rt, fn, &a, caller, NULL);
}

/* ---- templates ---- */

int
rt_load(struct tmpl_rt *rt, const char *name, size_t len,
    struct tmpl_template **t, bool *missing)
{
	struct tmpl_env *env = rt->env;
	char *nm = arena_memdup(rt->arena, name, len);
	struct tmpl_error err = { 0 };
	int r;

	*missing = false;
	r = env_acquire(env, nm, t, &err, rt->res);
	if (r == 1) {
		*missing = true;
		tmpl_error_clear(&err);
		return -1;
	}
	if (r == -1) {
		if (!rt->failed) {
			rt->failed = true;
			tmpl_error_clear(&rt->res->err);
			rt->res->err = err;
		} else
			tmpl_error_clear(&err);
		return -1;
	}
	if (rt->nheld == rt->capheld) {
		size_t nc = rt->capheld == 0 ? 8 : rt->capheld * 2;
		rt->held = xreallocarray(rt->held, nc, sizeof(*rt->held));
		rt->capheld = nc;
	}
	rt->held[rt->nheld++] = *t;
	return 0;
}

/* The template(s) named by v: a name, a list of names (first that exists). */
static int
load_named(struct tmpl_rt *rt, tv v, bool ignore_missing,
    struct tmpl_template **t)
{
	struct tv_list *names;
	struct buf tried = BUF_INIT;
	bool missing;

	*t = NULL;
	if (v.type == TV_STR) {
		names = tv_list_new(rt->arena, 1);
		tv_list_push(rt->arena, names, v);
	} else if (v.type == TV_UNDEF) {
		return tmpl_rt_undef_error(rt, v);
	} else if (tv_iterate(rt, v, &names) == -1)
		return -1;
	for (uint32_t i = 0; i < names->len; i++) {
		tv nm = names->items[i];
		if (nm.type != TV_STR) {
			buf_free(&tried);
			return tmpl_rt_error(rt, TMPL_ERR_TYPE, "template name "
			    "must be a string, not %s", tv_type_name(nm));
		}
		if (rt_load(rt, nm.u.s, nm.len, t, &missing) == 0) {
			buf_free(&tried);
			return 0;
		}
		if (!missing) {
			buf_free(&tried);
			return -1;
		}
		buf_printf(&tried, "%s'%.*s'", i ? ", " : "", (int)nm.len,
		    nm.u.s);
	}
	if (ignore_missing) {
		buf_free(&tried);
		return 0;
	}
	if (names->len == 1)
		tmpl_rt_error(rt, TMPL_ERR_NOTFOUND, "template %s not found",
		    tried.data);
	else
		tmpl_rt_error(rt, TMPL_ERR_NOTFOUND, "none of the templates "
		    "%s found", names->len ? tried.data : "[]");
	buf_free(&tried);
	return -1;
}

static struct tctx *
tctx_new(struct tmpl_rt *rt, struct frame *root)
{
	struct tctx *tc = arena_zalloc(rt->arena, sizeof(*tc));

	tc->root = root;
	return tc;
}

ssize_t
rt_find_block(struct tctx *tc, const struct tmpl_atom *name)
{
	for (size_t i = 0; i < tc->nblocks; i++)
		if (tc->blocks[i].name == name)
			return (ssize_t)i;
	return -1;
}

static void
add_blocks(struct tmpl_rt *rt, struct tctx *tc, const struct tmpl_template *t)
{
	for (size_t i = 0; i < t->nblocks; i++) {
		const struct node *b = t->blocks[i];
		ssize_t k = rt_find_block(tc, b->u.block.name);
		if (k < 0) {
			if (tc->nblocks == tc->capblocks) {
				size_t nc = tc->capblocks ? tc->capblocks * 2 : 8;
				tc->blocks = arena_realloc(rt->arena, tc->blocks,
				    tc->capblocks * sizeof(*tc->blocks),
				    nc * sizeof(*tc->blocks));
				tc->capblocks = nc;
			}
			k = (ssize_t)tc->nblocks++;
			memset(&tc->blocks[k], 0, sizeof(tc->blocks[k]));
			tc->blocks[k].name = b->u.block.name;
		}
		struct blockstack *s = &tc->blocks[k];
		if (s->n == s->cap) {
			size_t nc = s->cap ? s->cap * 2 : 4;
			s->nodes = arena_realloc(rt->arena, s->nodes,
			    s->cap * sizeof(void *), nc * sizeof(void *));
			s->tmpls = arena_realloc(rt->arena, s->tmpls,
			    s->cap * sizeof(void *), nc * sizeof(void *));
			s->cap = nc;
		}
		s->nodes[s->n] = b;
		s->tmpls[s->n] = t;
		s->n++;
	}
}

int
rt_render_block(struct tmpl_rt *rt, struct tctx *tc, size_t stack,
    size_t level, struct frame *parent)
{
	const struct blockstack *s = &tc->blocks[stack];
	const struct tmpl_template *st = rt->tmpl;
	const struct blockpos *sb = rt->block;
	struct frame *sf = rt->frame;
	struct blockpos pos = { tc, stack, level };
	int r;

	if (rt_enter(rt) == -1)
		return -1;
	rt->tmpl = s->tmpls[level];
	rt->block = &pos;
	rt->frame = frame_new(rt, parent);
	r = exec_body(rt, &s->nodes[level]->u.block.body);
	rt->frame = sf;
	rt->block = sb;
	rt->tmpl = st;
	rt_leave(rt);
	return r;
}

static int
exec_block(struct tmpl_rt *rt, const struct node *n)
{
	ssize_t k = rt_find_block(rt->tc, n->u.block.name);

	if (k < 0)
		return 0;
	return rt_render_block(rt, rt->tc, (size_t)k, 0,
	    n->flag ? rt->frame : rt->tc->root);
}

/*
 * Run t's top level in context tc (its root frame already set up), then
 * the chain of parents its extends tags name.
 */
int
rt_render_template(struct tmpl_rt *rt, struct tmpl_template *t,
    struct tctx *tc)
{
	const struct tmpl_template *st = rt->tmpl;
	struct tctx *stc = rt->tc;
	struct frame *sf = rt->frame;
	struct buf *out = rt->out;
	int r;

	if (rt_enter(rt) == -1)
		return -1;
	rt->tc = tc;
	rt->frame = tc->root;
	for (unsigned level = 0;; level++) {
		if (level > rt->max_depth) {
			r = tmpl_rt_error(rt, TMPL_ERR_LIMIT, "extends chain "
			    "longer than %u templates (does a template extend "
			    "itself?)", rt->max_depth);
			break;
		}
		rt->tmpl = t;
		tc->parent = NULL;
		add_blocks(rt, tc, t);
		r = exec_body(rt, &t->body);
		rt->out = out;
		if (r == -1 || tc->parent == NULL)
			break;
		t = tc->parent;
	}
	rt->tc = stc;
	rt->frame = sf;
	rt->tmpl = st;
	rt_leave(rt);
	return r;
}

static int
exec_extends(struct tmpl_rt *rt, const struct node *n)
{
	struct tmpl_template *t;
	tv v;

	if (rt->tc->parent != NULL || rt->out == NULL)
		return tmpl_rt_error(rt, TMPL_ERR_SYNTAX, "extended multiple "
		    "times");
	if (eval(rt, n->u.expr, &v) == -1 || load_named(rt, v, false, &t) == -1)
		return -1;
	rt->tc->parent = t;
	rt->out = NULL;		/* the rest of this template prints nothing */
	return 0;
}

static int
exec_include(struct tmpl_rt *rt, const struct node *n)
{
	struct tmpl_template *t;
	struct frame *root;
	tv v;

	if (eval(rt, n->u.inc.tmpl, &v) == -1 ||
	    load_named(rt, v, n->flag, &t) == -1)
		return -1;
	if (t == NULL)
		return 0;
	root = frame_new(rt, n->flag2 ? rt->frame : NULL);
	root->include = true;
	return rt_render_template(rt, t, tctx_new(rt, root));
}

/* Render t as a module: its top level runs, its output is dropped. */
static int
make_module(struct tmpl_rt *rt, const struct node *n, tv *mod,
    struct tmpl_template **tp)
{
	struct tmpl_template *t;
	struct buf sink = BUF_INIT, *saved = rt->out;
	struct frame *root;
	tv v;
	int r;

	if (eval(rt, n->u.inc.tmpl, &v) == -1 ||
	    load_named(rt, v, false, &t) == -1)
		return -1;
	root = frame_new(rt, n->flag2 ? rt->frame : NULL);
	rt->out = &sink;
	r = rt_render_template(rt, t, tctx_new(rt, root));
	rt->out = saved;
	buf_free(&sink);
	if (r == -1)
		return -1;
	*mod = module_value(rt, root, t);
	*tp = t;
	return 0;
}

static int
exec_import(struct tmpl_rt *rt, const struct node *n)
{
	struct tmpl_template *t;
	tv mod;

	if (make_module(rt, n, &mod, &t) == -1)
		return -1;
	frame_set(rt, rt->frame, n->u.inc.target, mod);
	return 0;
}

static int
exec_fromimport(struct tmpl_rt *rt, const struct node *n)
{
	struct tmpl_template *t;
	tv mod, v;

	if (make_module(rt, n, &mod, &t) == -1)
		return -1;
	for (size_t i = 0; i < n->u.inc.nnames; i++) {
		const struct tmpl_atom *name = n->u.inc.names[i];
		if (rt_getattr(rt, mod, name->s, name->len, &v) == -1)
			return -1;
		if (v.type == TV_UNDEF) {
			char *hint = arena_printf(rt->arena, "the template "
			    "'%s' (imported on line %d) does not export the "
			    "requested name '%s'", t->name, n->line, name->s);
			v = tmpl_undef_hint(rt, hint, false);
		}
		frame_set(rt, rt->frame, n->u.inc.aliases[i], v);
	}
	return 0;
}

static int
exec_stmt(struct tmpl_rt *rt, const struct node *n)
{
	tv v;
	int r;

	if (++rt->edepth > TMPL_MAX_EVAL_DEPTH) {
		rt->edepth--;
		return tmpl_rt_error(rt, TMPL_ERR_LIMIT, "statement nesting "
		    "deeper than %d", TMPL_MAX_EVAL_DEPTH);
	}
	rt->line = n->line;
	switch (n->kind) {
	case S_TEXT:
		r = rt_output(rt, n->u.text.s, n->u.text.len);
		break;
	case S_PRINT:
		if (rt->out == NULL)
			r = 0;
		else if (n->u.expr->kind == N_CALL)
			r = rt_print_call(rt, n->u.expr);
		else
			r = eval(rt, n->u.expr, &v) == -1 ? -1 :
			    rt_output_value(rt, v);
		break;
	case S_IF: r = exec_if(rt, n); break;
	case S_FOR:
		r = eval(rt, n->u.sfor.iter, &v) == -1 ? -1 :
		    loop_run(rt, n, v, 1);
		break;
	case S_SET:
		r = eval(rt, n->u.set.value, &v) == -1 ? -1 :
		    assign(rt, n->u.set.target, v, rt->frame);
		break;
	case S_SETBLOCK: r = exec_setblock(rt, n); break;
	case S_WITH: r = exec_with(rt, n); break;
	case S_MACRO:
		frame_set(rt, rt->frame, n->u.macro->name,
		    macro_value(rt, n->u.macro, rt->frame));
		r = 0;
		break;
	case S_CALLBLOCK:
		r = rt->out == NULL ? 0 : exec_callblock(rt, n);
		break;
	case S_FILTERBLOCK:
		r = rt->out == NULL ? 0 : exec_filterblock(rt, n);
		break;
	case S_INCLUDE:
		r = rt->out == NULL ? 0 : exec_include(rt, n);
		break;
	case S_IMPORT: r = exec_import(rt, n); break;
	case S_FROMIMPORT: r = exec_fromimport(rt, n); break;
	case S_EXTENDS: r = exec_extends(rt, n); break;
	case S_BLOCK:
		r = rt->out == NULL ? 0 : exec_block(rt, n);
		break;
	default:
		r = tmpl_rt_error(rt, TMPL_ERR_OTHER, "not a statement");
	}
	rt->edepth--;
	return r;
}
