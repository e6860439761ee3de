/*
 * tmpl_env — the public interface of tmpl.h: environments with their
 * loader and compiled-template cache, frozen data, contexts, renders and
 * results.
 *
 * The cache maps a template name to its compiled form.  Compiling
 * happens outside the lock (two threads may compile the same file at
 * once; the first to insert wins and the other copy is dropped), so a
 * slow parse never blocks renders of other templates.  Compiled
 * templates are reference-counted: a render holds every template it
 * used until it ends, so invalidating one mid-render is safe.
 */
#include "tmpl_eval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fileio.h"
#include "path.h"
#include "tmpl_json.h"
#include "tmpl_limits.h"
#include "tmpl_parse.h"
#include "log.h"
#include "xmalloc.h"

/* Bytes of memory a pooled render arena keeps between renders. */
#define ENV_ARENA_KEEP	(4u * 1024 * 1024)

struct cache_entry {
	char			*name;
	struct tmpl_template	*t;
};

void
tmpl_error_clear(struct tmpl_error *err)
{
	free(err->file);
	free(err->message);
	memset(err, 0, sizeof(*err));
}

char *
tmpl_error_format(const struct tmpl_error *err)
{
	const char *f = err->file != NULL ? err->file : "<template>";
	const char *m = err->message != NULL ? err->message : "unknown error";

	if (err->line > 0)
		return xprintf("%s:%d: error: %s", f, err->line, m);
	return xprintf("%s: error: %s", f, m);
}

static void
set_error(struct tmpl_error *err, enum tmpl_error_kind kind, const char *file,
    int line, const char *msg)
{
	tmpl_error_clear(err);
	err->kind = kind;
	err->file = xstrdup(file);
	err->line = line;
	err->message = xstrdup(msg);
}

/* ---- the default loader: files below a folder ---- */

static int
dir_load(void *arg, const char *name, char **src, size_t *len, char **path,
    char **cause)
{
	const char *dir = arg;
	char *norm, *p;

	if (name[0] == '/' || name[0] == '\0')
		return 1;
	norm = path_normalize(name);
	if (strcmp(norm, "..") == 0 || strncmp(norm, "../", 3) == 0) {
		free(norm);
		return 1;	/* Jinja2 refuses names that leave the folder */
	}
	p = path_join(dir, norm);
	free(norm);
	if (fileio_read(p, src, len) == -1) {
		if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) {
			*path = p;
			return 1;
		}
		*cause = xprintf("%s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	*path = p;
	return 0;
}

static void
env_init_limits(struct tmpl_options *o)
{
	if (o->limits.max_depth == 0)
		o->limits.max_depth = TMPL_DEFAULT_MAX_DEPTH;
	if (o->limits.max_output == 0)
		o->limits.max_output = TMPL_DEFAULT_MAX_OUTPUT;
	if (o->limits.max_loop_iterations == 0)
		o->limits.max_loop_iterations =
		    TMPL_DEFAULT_MAX_LOOP_ITERATIONS;
	if (o->limits.max_memory == 0)
		o->limits.max_memory = TMPL_DEFAULT_MAX_MEMORY;
}

tmpl_env *
tmpl_env_new_loader(const struct tmpl_options *opt,
    const struct tmpl_loader *loader)
{
	struct tmpl_env *env = xcalloc(1, sizeof(*env));

	if (opt != NULL)
		env->opt = *opt;
	env_init_limits(&env->opt);
	env->loader = *loader;
	env->atoms = tmpl_atoms_new();
	if (pthread_mutex_init(&env->lock, NULL) != 0)
		fatalx("pthread_mutex_init failed");
	return env;
}

tmpl_env *
tmpl_env_new(const struct tmpl_options *opt, const char *search_dir)
{
	struct tmpl_loader l = { dir_load, NULL };
	struct tmpl_env *env;
	char *dir = xstrdup(search_dir != NULL ? search_dir : ".");

	l.arg = dir;
	env = tmpl_env_new_loader(opt, &l);
	env->search_dir = dir;
	return env;
}

static void
template_free(struct tmpl_template *t)
{
	if (t == NULL)
		return;
	arena_free(t->arena);
	free(t->name);
	free(t->path);
	free(t);
}

void
env_release(struct tmpl_env *env, struct tmpl_template *t)
{
	bool last;

	pthread_mutex_lock(&env->lock);
	last = --t->refs == 0;
	pthread_mutex_unlock(&env->lock);
	if (last)
		template_free(t);
}

void
tmpl_env_invalidate(tmpl_env *env, const char *name)
{
	struct tmpl_template *drop = NULL;

	pthread_mutex_lock(&env->lock);
	for (size_t i = 0; i < env->ncache; i++) {
		if (strcmp(env->cache[i].name, name) != 0)
			continue;
		drop = env->cache[i].t;
		free(env->cache[i].name);
		env->cache[i] = env->cache[--env->ncache];
		break;
	}
	pthread_mutex_unlock(&env->lock);
	if (drop != NULL)
		env_release(env, drop);
}

void
tmpl_env_invalidate_all(tmpl_env *env)
{
	pthread_mutex_lock(&env->lock);
	size_t n = env->ncache;
	struct cache_entry *c = env->cache;
	env->cache = NULL;
	env->ncache = env->capcache = 0;
	pthread_mutex_unlock(&env->lock);
	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		env_release(env, c[i].t);
	}
	free(c);
}

void
tmpl_env_free(tmpl_env *env)
{
	if (env == NULL)
		return;
	tmpl_env_invalidate_all(env);
	for (size_t i = 0; i < env->npool; i++)
		arena_free(env->pool[i]);
	tmpl_atoms_free(env->atoms);
	pthread_mutex_destroy(&env->lock);
	free(env->search_dir);
	free(env);
}

/* Compile src into a new template (refs 1) or NULL with err set. */
static struct tmpl_template *
compile(struct tmpl_env *env, const char *name, const char *path,
    const char *src, size_t len, struct tmpl_error *err)
{
	struct tmpl_template *t = xcalloc(1, sizeof(*t));
	struct tmpl_lex_opts lo = {
		.trim_blocks = env->opt.trim_blocks,
		.lstrip_blocks = env->opt.lstrip_blocks,
		.keep_trailing_newline = env->opt.keep_trailing_newline,
	};

	t->name = xstrdup(name);
	t->path = xstrdup(path);
	t->arena = arena_new();
	t->refs = 1;
	if (len > TMPL_MAX_SOURCE) {
		set_error(err, TMPL_ERR_LIMIT, path, 0, "template larger than "
		    "16 MiB");
		template_free(t);
		return NULL;
	}
	if (tmpl_parse(t, env->atoms, src, len, &lo, err) == -1) {
		free(err->file);
		err->file = xstrdup(path);
		template_free(t);
		return NULL;
	}
	return t;
}

/* Add path to a list of paths unless it is there. */
static void
add_path(char ***v, size_t *n, const char *path)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], path) == 0)
			return;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrdup(path);
}

static void
add_dep(struct tmpl_result *r, const char *path)
{
	add_path(&r->deps, &r->ndeps, path);
}

static struct tmpl_template *
cache_get(struct tmpl_env *env, const char *name)
{
	for (size_t i = 0; i < env->ncache; i++)
		if (strcmp(env->cache[i].name, name) == 0) {
			env->cache[i].t->refs++;
			return env->cache[i].t;
		}
	return NULL;
}

int
env_acquire(struct tmpl_env *env, const char *name, struct tmpl_template **tp,
    struct tmpl_error *err, struct tmpl_result *deps)
{
	struct tmpl_template *t, *other;
	char *src = NULL, *path = NULL, *cause = NULL;
	size_t len = 0;
	int r;

	pthread_mutex_lock(&env->lock);
	t = cache_get(env, name);
	pthread_mutex_unlock(&env->lock);
	if (t != NULL) {
		add_dep(deps, t->path);
		*tp = t;
		return 0;
	}
	r = env->loader.load(env->loader.arg, name, &src, &len, &path, &cause);
	if (r != 0) {
		if (r == -1)
			set_error(err, TMPL_ERR_NOTFOUND, name, 0,
			    cause != NULL ? cause : "cannot read template");
		else if (path != NULL)
			add_path(&deps->missing, &deps->nmissing, path);
		free(path);
		free(cause);
		return r;
	}
	add_dep(deps, path);
	t = compile(env, name, path, src, len, err);
	free(src);
	free(path);
	if (t == NULL)
		return -1;
	pthread_mutex_lock(&env->lock);
	if ((other = cache_get(env, name)) == NULL) {
		if (env->ncache == env->capcache) {
			env->capcache = env->capcache ? env->capcache * 2 : 16;
			env->cache = xreallocarray(env->cache, env->capcache,
			    sizeof(*env->cache));
		}
		env->cache[env->ncache].name = xstrdup(name);
		env->cache[env->ncache].t = t;
		env->ncache++;
		t->refs++;
	}
	pthread_mutex_unlock(&env->lock);
	if (other != NULL) {
		template_free(t);
		t = other;
	}
	*tp = t;
	return 0;
}

/* ---- data ---- */

struct tmpl_data {
	struct arena	*arena;
	tv		 root;
};

tmpl_data *
tmpl_data_parse(const char *json, size_t len, const char *name,
    struct tmpl_error *err)
{
	struct tmpl_data *d = xcalloc(1, sizeof(*d));
	char *msg = NULL;
	int line = 0;

	d->arena = arena_new();
	if (tmpl_json_read(d->arena, json, len, &d->root, &msg, &line) == -1) {
		set_error(err, TMPL_ERR_DATA, name != NULL ? name : "<data>",
		    line, msg);
		free(msg);
		tmpl_data_free(d);
		return NULL;
	}
	return d;
}

void
tmpl_data_free(tmpl_data *d)
{
	if (d == NULL)
		return;
	arena_free(d->arena);
	free(d);
}

const tmpl_value *
tmpl_data_root(const tmpl_data *d)
{
	return &d->root;
}

const tmpl_value *
tmpl_value_path(const tmpl_value *v, const char *dotted)
{
	const char *p = dotted;

	if (strcmp(dotted, ".") == 0)
		return v;
	while (v != NULL && *p != '\0') {
		const char *dot = strchr(p, '.');
		size_t n = dot == NULL ? strlen(p) : (size_t)(dot - p);
		if (v->type == TV_DICT)
			v = tv_dict_gets(v->u.dict, p, n);
		else if (v->type == TV_LIST) {
			char *end;
			unsigned long i = strtoul(p, &end, 10);
			v = end == p + n && n > 0 && i < v->u.list->len ?
			    &v->u.list->items[i] : NULL;
		} else
			v = NULL;
		p += n + (dot != NULL);
	}
	return v;
}

bool
tmpl_value_is_list(const tmpl_value *v)
{
	return v->type == TV_LIST || v->type == TV_TUPLE;
}

bool
tmpl_value_is_object(const tmpl_value *v)
{
	return v->type == TV_DICT;
}

size_t
tmpl_value_len(const tmpl_value *v)
{
	if (tmpl_value_is_list(v))
		return v->u.list->len;
	if (v->type == TV_DICT)
		return v->u.dict->len;
	return 0;
}

const tmpl_value *
tmpl_value_at(const tmpl_value *v, size_t i)
{
	if (!tmpl_value_is_list(v) || i >= v->u.list->len)
		return NULL;
	return &v->u.list->items[i];
}

const tmpl_value *
tmpl_value_key_at(const tmpl_value *v, size_t i)
{
	if (v->type != TV_DICT || i >= v->u.dict->len)
		return NULL;
	return &v->u.dict->e[i].key;
}

const tmpl_value *
tmpl_value_value_at(const tmpl_value *v, size_t i)
{
	if (v->type != TV_DICT || i >= v->u.dict->len)
		return NULL;
	return &v->u.dict->e[i].val;
}

char *
tmpl_value_to_json(const tmpl_value *v, size_t *lenp)
{
	struct buf b = BUF_INIT;

	if (tmpl_json_canonical(*v, &b) == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, lenp);
}

/* ---- contexts ---- */

tmpl_ctx *
tmpl_ctx_new(void)
{
	return xcalloc(1, sizeof(struct tmpl_ctx));
}

void
tmpl_ctx_free(tmpl_ctx *ctx)
{
	if (ctx == NULL)
		return;
	for (size_t i = 0; i < ctx->cap; i++)
		free((void *)ctx->slots[i].name);
	for (size_t i = 0; i < ctx->nowned; i++)
		free(ctx->owned[i]);
	free(ctx->owned);
	free(ctx->slots);
	free(ctx);
}

static void ctx_put(tmpl_ctx *ctx, struct tmpl_atom *key, tv v);

static void
ctx_grow(tmpl_ctx *ctx)
{
	struct slot *old = ctx->slots;
	size_t oldcap = ctx->cap;

	ctx->cap = oldcap == 0 ? 32 : oldcap * 2;
	ctx->slots = xcalloc(ctx->cap, sizeof(*ctx->slots));
	ctx->n = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].name != NULL)
			ctx_put(ctx, (struct tmpl_atom *)old[i].name,
			    old[i].val);
	free(old);
}

/* Insert key (owned by ctx from now on) or replace its value. */
static void
ctx_put(tmpl_ctx *ctx, struct tmpl_atom *key, tv v)
{
	if ((ctx->n + 1) * 2 > ctx->cap)
		ctx_grow(ctx);
	size_t j = key->hash & (ctx->cap - 1);
	for (; ctx->slots[j].name != NULL; j = (j + 1) & (ctx->cap - 1)) {
		const struct tmpl_atom *k = ctx->slots[j].name;
		if (k->hash == key->hash && k->len == key->len &&
		    memcmp(k->s, key->s, k->len) == 0) {
			ctx->slots[j].val = v;
			free(key);
			return;
		}
	}
	ctx->slots[j].name = key;
	ctx->slots[j].val = v;
	ctx->n++;
}

static void
ctx_setn(tmpl_ctx *ctx, const char *name, size_t len, tv v)
{
	struct tmpl_atom *a = xmalloc(sizeof(*a) + len + 1);

	a->hash = tmpl_hash_bytes(name, len);
	a->len = (uint32_t)len;
	memcpy(a->s, name, len);
	a->s[len] = '\0';
	ctx_put(ctx, a, v);
}

void
tmpl_ctx_set(tmpl_ctx *ctx, const char *name, const tmpl_value *v)
{
	ctx_setn(ctx, name, strlen(name), *v);
}

void
tmpl_ctx_set_keys(tmpl_ctx *ctx, const tmpl_value *object)
{
	if (object->type != TV_DICT)
		return;
	for (uint32_t i = 0; i < object->u.dict->len; i++) {
		const struct tv_entry *e = &object->u.dict->e[i];
		if (e->key.type == TV_STR)
			ctx_setn(ctx, e->key.u.s, e->key.len, e->val);
	}
}

void
tmpl_ctx_set_str(tmpl_ctx *ctx, const char *name, const char *s)
{
	char *copy = xstrdup(s);

	ctx->owned = xreallocarray(ctx->owned, ctx->nowned + 1,
	    sizeof(*ctx->owned));
	ctx->owned[ctx->nowned++] = copy;
	ctx_setn(ctx, name, strlen(name), tv_cstr(copy));
}

/* ---- rendering ---- */

void
tmpl_result_clear(struct tmpl_result *r)
{
	free(r->text);
	tmpl_error_clear(&r->err);
	for (size_t i = 0; i < r->ndeps; i++)
		free(r->deps[i]);
	free(r->deps);
	for (size_t i = 0; i < r->nmissing; i++)
		free(r->missing[i]);
	free(r->missing);
	memset(r, 0, sizeof(*r));
}

static void
rt_init(struct tmpl_rt *rt, struct tmpl_env *env, struct tmpl_result *r)
{
	struct tmpl_atoms *at = env->atoms;

	memset(rt, 0, sizeof(*rt));
	rt->env = env;
	pthread_mutex_lock(&env->lock);
	rt->arena = env->npool > 0 ? env->pool[--env->npool] : NULL;
	pthread_mutex_unlock(&env->lock);
	if (rt->arena == NULL)
		rt->arena = arena_new();
	rt->res = r;
	rt->max_output = env->opt.limits.max_output;
	rt->max_memory = env->opt.limits.max_memory;
	rt->max_iterations = env->opt.limits.max_loop_iterations;
	rt->max_depth = env->opt.limits.max_depth;
	rt->a_loop = tmpl_atom_intern(at, "loop", 4);
	rt->a_varargs = tmpl_atom_intern(at, "varargs", 7);
	rt->a_kwargs = tmpl_atom_intern(at, "kwargs", 6);
	rt->a_caller = tmpl_atom_intern(at, "caller", 6);
	rt->a_self = tmpl_atom_intern(at, "self", 4);
	rt->a_super = tmpl_atom_intern(at, "super", 5);
}

static int
rt_finish(struct tmpl_rt *rt, int rc, struct buf *out)
{
	struct tmpl_result *r = rt->res;

	for (size_t i = 0; i < rt->nheld; i++)
		env_release(rt->env, rt->held[i]);
	free(rt->held);
	rt_buf_free_all(rt);
	/* keep the arena, and up to ENV_ARENA_KEEP of its memory, for reuse */
	arena_reset_keep(rt->arena, ENV_ARENA_KEEP);
	pthread_mutex_lock(&rt->env->lock);
	if (rt->env->npool < sizeof(rt->env->pool) / sizeof(rt->env->pool[0])) {
		rt->env->pool[rt->env->npool++] = rt->arena;
		rt->arena = NULL;
	}
	pthread_mutex_unlock(&rt->env->lock);
	arena_free(rt->arena);
	if (rc == 0 && !rt->failed) {
		r->text = buf_detach(out, &r->len);
		return 0;
	}
	buf_free(out);
	if (r->err.kind == TMPL_ERR_NONE)
		r->err.kind = TMPL_ERR_OTHER;
	return -1;
}

static int
render(struct tmpl_env *env, struct tmpl_template *t, bool held,
    const tmpl_ctx *ctx, struct tmpl_result *r)
{
	struct tmpl_rt rt;
	struct buf out = BUF_INIT;
	int rc;

	rt_init(&rt, env, r);
	if (held) {
		rt.held = xreallocarray(NULL, 8, sizeof(*rt.held));
		rt.capheld = 8;
		rt.held[rt.nheld++] = t;
	}
	struct frame *root = frame_new(&rt, NULL);
	root->ctx = ctx;
	struct tctx *tc = arena_zalloc(rt.arena, sizeof(*tc));
	tc->root = root;
	rt.out = &out;
	buf_reserve(&out, __atomic_load_n(&t->out_hint, __ATOMIC_RELAXED));
	rc = rt_render_template(&rt, t, tc);
	__atomic_store_n(&t->out_hint, out.len + out.len / 8, __ATOMIC_RELAXED);
	return rt_finish(&rt, rc, &out);
}

int
tmpl_render(tmpl_env *env, const char *name, const tmpl_ctx *ctx,
    struct tmpl_result *r)
{
	struct tmpl_template *t;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = env_acquire(env, name, &t, &r->err, r);
	if (rc == 1) {
		/* name the file the default loader looked for */
		char *p = env->search_dir != NULL ?
		    path_join(env->search_dir, name) : xstrdup(name);
		set_error(&r->err, TMPL_ERR_NOTFOUND, p, 0,
		    "template not found");
		free(p);
		return -1;
	}
	if (rc == -1)
		return -1;
	return render(env, t, true, ctx, r);
}

int
tmpl_render_string(tmpl_env *env, const char *name, const char *src,
    size_t len, const tmpl_ctx *ctx, struct tmpl_result *r)
{
	struct tmpl_template *t;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((t = compile(env, name, name, src, len, &r->err)) == NULL)
		return -1;
	rc = render(env, t, false, ctx, r);
	template_free(t);
	return rc;
}
