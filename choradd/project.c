/*
 * project — see project.h.  This file holds units, configs, the store
 * at start, opening and the small accessors; planning is in
 * project_plan.c, applying results in project_apply.c, the
 * chora-compose history import in project_legacy.c.
 *
 * Units are found by "workspace \x1f content id" and by output path.  For
 * a config with `foreach`, each workspace keeps an array of units parallel
 * to the dataset's items, spliced exactly as the dataset's index is, so an
 * edit to one item names the one unit (or the new item) to render without
 * looking at the others.  When that correspondence is lost (start, a
 * reload, an edit outside the collection) items are matched to units by
 * the hash of the item each was rendered from, and what no item claims is
 * a candidate for removal at the end of the pass.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "fileio.h"
#include "log.h"
#include "path.h"
#include "project_int.h"
#include "xmalloc.h"

/* Remember u has pass flags to reset (the pass end visits only these). */
void
project_flag(struct project *p, struct unit *u)
{
	if (u->touched)
		return;
	u->touched = true;
	p->touched = xreallocarray(p->touched, p->ntouched + 1,
	    sizeof(*p->touched));
	p->touched[p->ntouched++] = u;
}

/* Change u's state, keeping the problem counters. */
void
project_set_state(struct project *p, struct unit *u, enum unit_state st)
{
	p->nfailed -= u->state == UNIT_FAILED;
	p->ndrifted -= u->state == UNIT_DRIFTED;
	u->state = st;
	p->nfailed += st == UNIT_FAILED;
	p->ndrifted += st == UNIT_DRIFTED;
}

char *
project_unit_key(size_t ws, const char *id)
{
	return xprintf("%zu\x1f%s", ws, id);
}

struct unit *
project_unit_get(struct project *p, size_t ws, const char *id)
{
	char *k = project_unit_key(ws, id);
	struct unit *u = strmap_get(p->units, k);

	free(k);
	return u;
}

/* The unit's dependency n, its strings from the project's pool. */
static void
unit_dep_set(struct project *p, struct unit_dep *d, enum store_kind kind,
    const char *id, const char *path, const char *hash)
{
	d->kind = kind;
	d->id = strpool_get(p->strs, id);
	d->path = strpool_get(p->strs, path);
	d->hash = strpool_get(p->strs, hash);
}

/*
 * Replace u's dependencies with deps[] (a task's, freed here: the unit
 * keeps pooled copies of its strings).
 */
void
project_unit_set_deps(struct project *p, struct unit *u,
    struct gen_dep *deps, size_t n)
{
	for (size_t i = 0; i < u->ndeps; i++) {
		strpool_put(p->strs, u->deps[i].id);
		strpool_put(p->strs, u->deps[i].path);
		strpool_put(p->strs, u->deps[i].hash);
	}
	free(u->deps);
	u->deps = n > 0 ? xreallocarray(NULL, n, sizeof(*u->deps)) : NULL;
	u->ndeps = n;
	for (size_t i = 0; i < n; i++) {
		unit_dep_set(p, &u->deps[i], deps[i].kind, deps[i].id,
		    deps[i].path, deps[i].hash);
		free(deps[i].id);
		free(deps[i].path);
	}
	free(deps);
}

static void
unit_free(struct project *p, struct unit *u)
{
	project_unit_set_deps(p, u, NULL, 0);
	free(u->id);
	free(u->config_id);
	free(u->output);
	free(u->error);
	free(u->text);
	free(u);
}

struct unit *
project_unit_new(struct project *p, size_t ws, const char *id,
    const char *cfgid)
{
	struct unit *u = xcalloc(1, sizeof(*u));
	char *k = project_unit_key(ws, id);

	u->id = xstrdup(id);
	u->ws = ws;
	u->config_id = xstrdup(cfgid);
	u->state = UNIT_STALE;
	strmap_set(p->units, k, u);
	free(k);
	return u;
}

void
project_unit_set_output(struct project *p, struct unit *u, const char *output)
{
	if (u->output != NULL && strmap_get(p->by_output, u->output) == u)
		strmap_del(p->by_output, u->output);
	free(u->output);
	u->output = output != NULL ? xstrdup(output) : NULL;
	if (output != NULL)
		strmap_set(p->by_output, output, u);
}

void
project_unit_graph(struct project *p, struct unit *u, const struct config *c)
{
	const char **paths = xcalloc(u->ndeps + 2, sizeof(char *));
	size_t n = 0;

	for (size_t i = 0; i < u->ndeps; i++)
		if (u->deps[i].path != NULL)
			paths[n++] = u->deps[i].path;
	if (c != NULL)
		paths[n++] = c->file;
	graph_set_deps(p->graph, u, paths, n);
	free(paths);
}

void
project_unit_drop(struct project *p, struct unit *u)
{
	char *k = project_unit_key(u->ws, u->id);

	project_set_state(p, u, UNIT_STALE);
	for (size_t i = 0; u->touched && i < p->ntouched; i++)
		if (p->touched[i] == u)
			p->touched[i] = p->touched[--p->ntouched];
	project_unit_set_output(p, u, NULL);
	graph_drop(p->graph, u);
	strmap_del(p->units, k);
	free(k);
	for (size_t i = 0; i < p->ncs; i++) {
		struct cstate *cs = &p->cs[i];
		if (cs->by_elem == NULL || u->ws >= p->root->nws)
			continue;
		for (size_t e = 0; e < cs->nelems; e++)
			if (cs->by_elem[u->ws][e] == u)
				cs->by_elem[u->ws][e] = NULL;
	}
	unit_free(p, u);
}

void
project_add_error(struct project *p, char *msg)
{
	p->errors = xreallocarray(p->errors, p->nerrors + 1, sizeof(char *));
	p->errors[p->nerrors++] = msg;
	log_warnx("%s", msg);
}

/* ---- configs -------------------------------------------------------- */

static tmpl_env *
env_for(struct project *p, const struct tmpl_options *opt)
{
	struct tmpl_loader l = loader_tmpl(p->loader);

	for (size_t i = 0; i < p->nenvs; i++)
		if (memcmp(&p->envs[i].opt, opt, sizeof(*opt)) == 0)
			return p->envs[i].env;
	p->envs = xreallocarray(p->envs, p->nenvs + 1, sizeof(*p->envs));
	p->envs[p->nenvs].opt = *opt;
	p->envs[p->nenvs].env = tmpl_env_new_loader(opt, &l);
	return p->envs[p->nenvs++].env;
}

static tmpl_data *
parse_json(const char *text, const char *name)
{
	struct tmpl_error err = { 0 };
	tmpl_data *d = tmpl_data_parse(text, strlen(text), name, &err);

	if (d == NULL) {
		char *m = tmpl_error_format(&err);
		log_warnx("%s", m);
		free(m);
		tmpl_error_clear(&err);
		d = tmpl_data_parse("{}", 2, name, &err);
	}
	return d;
}

static void
cstate_clear(struct project *p, struct cstate *cs)
{
	for (size_t w = 0; cs->gx != NULL && w < p->root->nws; w++)
		free(cs->gx[w].foreach_root);
	free(cs->gx);
	for (size_t w = 0; cs->by_elem != NULL && w < p->root->nws; w++)
		free(cs->by_elem[w]);
	free(cs->by_elem);
	data_free(cs->ds);
	free(cs->data_error);
	tmpl_data_free(cs->json);
	free(cs->todo);
	memset(cs, 0, sizeof(*cs));
}

/* The fingerprint of everything about a config a workspace renders it
 * with: its text, the workspace's vars and folder, the engine options. */
static void
config_hash(const struct config *c, const struct workspace *ws,
    char out[HASH_HEX_SIZE])
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s\n%s\n%s\n%d%d%d%d", c->canonical, ws->vars,
	    ws->output_dir, c->jinja.trim_blocks, c->jinja.lstrip_blocks,
	    c->jinja.keep_trailing_newline, (int)c->jinja.undefined);
	hash_sha256_hex(b.data, b.len, out);
	buf_free(&b);
}

/* Has a config set up before cs logged the same data error (a file
 * several configs read)? */
static bool
data_error_said(const struct project *p, const struct cstate *cs)
{
	for (const struct cstate *o = p->cs; o < cs; o++)
		if (o->data_error != NULL &&
		    strcmp(o->data_error, cs->data_error) == 0)
			return true;
	return false;
}

static void
setup_datasets(struct project *p, struct cstate *cs)
{
	struct config *c = cs->cfg;
	char *cause = NULL;

	if (c->type == CONFIG_COLLECTION)
		return;
	if (c->data_kind != DATA_NONE || c->foreach != NULL ||
	    c->engine == ENGINE_FILL) {
		if ((cs->ds = data_open(p->path, c, &cause)) == NULL) {
			cs->data_error = cause;
			if (!data_error_said(p, cs))
				log_warnx("%s", cause);
		}
	}
	if (cs->ds != NULL && c->foreach != NULL && !cs->ds->doc->has_coll)
		cs->data_error = xprintf("%s:1: error: foreach '%s' names no "
		    "list or object in the data", c->file, c->foreach);
	if (c->foreach != NULL) {
		cs->by_elem = xcalloc(p->root->nws, sizeof(*cs->by_elem));
		cs->nelems = cs->ds != NULL ? cs->ds->doc->nelems : 0;
		for (size_t w = 0; w < p->root->nws; w++)
			cs->by_elem[w] = xcalloc(cs->nelems + 1,
			    sizeof(struct unit *));
	}
	cs->expand = true;
}

static int
level_of(struct project *p, struct config *c)
{
	for (size_t i = 0; i < p->ncs; i++)
		if (p->cs[i].cfg == c)
			return p->cs[i].level;
	return -1;
}

/* The files the configs name, which no output may overwrite. */
static void
setup_inputs(struct project *p)
{
	const struct root *r = p->root;

	p->inputs = strmap_new();
	strmap_set(p->inputs, ROOT_MANIFEST, (void *)"the manifest");
	for (size_t i = 0; i < r->nconfigs; i++) {
		const struct config *c = r->configs[i];
		strmap_set(p->inputs, c->file, (void *)"a config");
		for (size_t j = 0; j < c->ndata_files; j++)
			strmap_set(p->inputs, c->data_files[j],
			    (void *)"data a config reads");
		for (size_t j = 0; j < c->nsources; j++)
			strmap_set(p->inputs, c->sources[j].path,
			    (void *)"data a config reads");
		if (c->template != NULL)
			strmap_set(p->inputs, c->template,
			    (void *)"a template");
	}
}

/* Build the per-config state of the current root. */
void
project_setup_configs(struct project *p)
{
	struct root *r = p->root;
	struct config **order;
	char **errs = NULL;
	size_t nerrs = 0, n;

	for (size_t i = 0; i < r->nerrors; i++)
		project_add_error(p, xstrdup(r->errors[i]));
	p->ncs = r->nconfigs;
	p->cs = xcalloc(p->ncs + 1, sizeof(*p->cs));
	p->vars = xcalloc(r->nws, sizeof(*p->vars));
	p->wsnames = xcalloc(r->nws + 1, sizeof(char *));
	for (size_t w = 0; w < r->nws; w++) {
		p->vars[w] = parse_json(r->ws[w].vars, ROOT_MANIFEST);
		p->wsnames[w] = r->ws[w].name;
	}
	for (size_t i = 0; i < p->ncs; i++) {
		p->cs[i].cfg = r->configs[i];
		p->cs[i].level = -1;
	}
	n = graph_order(r, &order, &errs, &nerrs);
	for (size_t i = 0; i < nerrs; i++)
		project_add_error(p, errs[i]);
	free(errs);
	p->nlevels = 0;
	for (size_t k = 0; k < n; k++) {
		struct config *c = order[k];
		int lv = 0;
		for (size_t j = 0; j < c->nparts; j++) {
			char *id = graph_part_config(c->parts[j]);
			struct config *pc = root_config(r, id);
			if (pc != NULL && level_of(p, pc) + 1 > lv)
				lv = level_of(p, pc) + 1;
			for (size_t i = 0; pc != NULL && i < p->ncs; i++)
				if (p->cs[i].cfg == pc)
					p->cs[i].is_part = true;
			free(id);
		}
		for (size_t i = 0; i < p->ncs; i++)
			if (p->cs[i].cfg == c)
				p->cs[i].level = c->type == CONFIG_COLLECTION ?
				    -1 : lv;
		if ((size_t)lv + 1 > p->nlevels)
			p->nlevels = (size_t)lv + 1;
	}
	free(order);
	setup_inputs(p);
	for (size_t i = 0; i < p->ncs; i++) {
		struct cstate *cs = &p->cs[i];
		struct config *c = cs->cfg;
		if (cs->level < 0)
			continue;
		cs->json = parse_json(c->canonical, c->file);
		setup_datasets(p, cs);
		cs->gx = xcalloc(r->nws, sizeof(*cs->gx));
		for (size_t w = 0; w < r->nws; w++) {
			struct gen_ctx *gx = &cs->gx[w];
			gx->root = p->path;
			gx->env = env_for(p, &c->jinja);
			gx->loader = p->loader;
			gx->ds = cs->ds;
			gx->cfg = c;
			gx->ws = &r->ws[w];
			gx->vars = tmpl_data_root(p->vars[w]);
			gx->config = tmpl_data_root(cs->json);
			gx->fsync = r->fsync;
			gx->inputs = p->inputs;
			config_hash(c, &r->ws[w], gx->cfg_hash);
			if (c->foreach != NULL && strcmp(c->foreach, ".") != 0)
				gx->foreach_root = xstrndup(c->foreach,
				    strcspn(c->foreach, "."));
		}
	}
}

/* The index of the workspace called name in r, or -1. */
static ssize_t
ws_index(const struct root *r, const char *name)
{
	for (size_t w = 0; w < r->nws; w++)
		if (strcmp(r->ws[w].name, name) == 0)
			return (ssize_t)w;
	return -1;
}

/*
 * The manifest's workspaces changed (nr is the new root, p->root still
 * the old one).  Units are keyed by workspace index: move each to its
 * workspace's new index, and remove the outputs of workspaces that are
 * gone now, while the old root can still name them.
 */
void
project_remap_workspaces(struct project *p, const struct root *nr)
{
	const struct root *or = p->root;
	ssize_t *to = xcalloc(or->nws, sizeof(*to));
	struct unit **gone = NULL;
	struct strmap *units;
	bool same = or->nws == nr->nws;
	size_t it = 0, ngone = 0;
	const char *k;
	void *v;

	for (size_t w = 0; w < or->nws; w++) {
		to[w] = ws_index(nr, or->ws[w].name);
		same = same && to[w] == (ssize_t)w;
	}
	if (same) {
		free(to);
		return;
	}
	while (strmap_next(p->units, &it, &k, &v))
		if (to[((struct unit *)v)->ws] < 0) {
			gone = xreallocarray(gone, ngone + 1, sizeof(*gone));
			gone[ngone++] = v;
		}
	for (size_t i = 0; i < ngone; i++)
		project_remove_unit(p, gone[i]);
	free(gone);
	units = strmap_new();
	it = 0;
	while (strmap_next(p->units, &it, &k, &v)) {
		struct unit *u = v;
		char *key;
		u->ws = (size_t)to[u->ws];
		key = project_unit_key(u->ws, u->id);
		strmap_set(units, key, u);
		free(key);
	}
	strmap_free(p->units);
	p->units = units;
	free(to);
}

void
project_teardown_configs(struct project *p)
{
	for (size_t i = 0; i < p->ncs; i++)
		cstate_clear(p, &p->cs[i]);
	free(p->cs);
	p->cs = NULL;
	p->ncs = 0;
	for (size_t w = 0; p->vars != NULL && w < p->root->nws; w++)
		tmpl_data_free(p->vars[w]);
	free(p->vars);
	p->vars = NULL;
	free(p->wsnames);
	p->wsnames = NULL;
	for (size_t i = 0; i < p->nenvs; i++)
		tmpl_env_free(p->envs[i].env);
	free(p->envs);
	p->envs = NULL;
	p->nenvs = 0;
	for (size_t i = 0; i < p->nerrors; i++)
		free(p->errors[i]);
	free(p->errors);
	p->errors = NULL;
	p->nerrors = 0;
	strmap_free(p->inputs);
	p->inputs = NULL;
}

struct cstate *
project_cstate(struct project *p, const char *cfgid)
{
	for (size_t i = 0; i < p->ncs; i++)
		if (strcmp(p->cs[i].cfg->id, cfgid) == 0)
			return &p->cs[i];
	return NULL;
}

/* ---- the store ------------------------------------------------------ */

struct load_ctx {
	struct project	*p;
	size_t		 ws;
};

static int
load_edge(void *arg, enum store_kind pk, const char *pid,
    const struct store_dep *d)
{
	struct load_ctx *lc = arg;
	struct unit *u;

	if (pk != STORE_KIND_CONTENT || (u = project_unit_get(lc->p, lc->ws, pid)) ==
	    NULL)
		return 0;
	u->deps = xreallocarray(u->deps, u->ndeps + 1, sizeof(*u->deps));
	unit_dep_set(lc->p, &u->deps[u->ndeps++], d->kind, d->id, d->path,
	    d->hash != NULL ? d->hash : "");
	if (d->kind == STORE_KIND_DATA)
		u->full = true;
	return 0;
}

/* Units as the store last knew them. */
static void
load_units(struct project *p)
{
	struct arena *a = arena_new();
	char *cause = NULL;

	for (size_t w = 0; p->store != NULL && w < p->root->nws; w++) {
		struct store_filter f = { .workspace = p->root->ws[w].name };
		struct store_content *v;
		struct load_ctx lc = { p, w };
		size_t n;

		if (store_content_list(p->store, &f, a, &v, &n, &cause) == -1) {
			log_warnx("%s: store: %s", p->path, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			struct unit *u = project_unit_new(p, w, v[i].id, v[i].config_id);
			/* An imported version was never generated here. */
			if (v[i].kind != STORE_VERSION_IMPORTED)
				snprintf(u->hash, sizeof(u->hash), "%s",
				    v[i].hash);
			u->generated_at = v[i].generated_at;
			project_set_state(p, u, v[i].kind == STORE_VERSION_DRIFT ?
			    UNIT_DRIFTED : UNIT_OK);
			u->rolled_back = v[i].kind == STORE_VERSION_ROLLBACK;
			project_unit_set_output(p, u, v[i].output_path);
		}
		if (store_deps_each(p->store, p->root->ws[w].name, load_edge,
		    &lc, &cause) == -1) {
			log_warnx("%s: store: %s", p->path, cause);
			free(cause);
			cause = NULL;
		}
		arena_reset(a);
	}
	arena_free(a);
	size_t it = 0;
	const char *k;
	void *v;
	while (strmap_next(p->units, &it, &k, &v)) {
		struct unit *u = v;
		struct cstate *cs = project_cstate(p, u->config_id);
		project_unit_graph(p, u, cs != NULL ? cs->cfg : NULL);
	}
}

void
project_record_configs(struct project *p)
{
	char *cause = NULL;

	if (p->store == NULL || p->check)
		return;
	for (size_t w = 0; w < p->root->nws; w++)
		for (size_t i = 0; i < p->root->nconfigs; i++) {
			struct config *c = p->root->configs[i];
			static const char *types[] = { "content", "artifact",
			    "collection" };
			struct store_config sc = {
				.workspace = p->root->ws[w].name,
				.id = c->id,
				.version = c->version,
				.type = types[c->type],
				.json = c->canonical,
			};
			if (p->wq != NULL)
				storeq_config(p->wq, &sc);
			else if (store_config_put(p->store, &sc, &cause) ==
			    -1) {
				log_warnx("%s: %s", c->file, cause);
				free(cause);
				cause = NULL;
			}
		}
}

void
project_event(struct project *p, enum store_event_kind kind, size_t ws,
    const char *subject, const char *details)
{
	struct store_event ev = {
		.kind = kind, .uid = -1, .workspace = p->root->ws[ws].name,
		.subject = subject, .details = details,
	};
	char *cause = NULL;

	if (p->store == NULL || p->check)
		return;
	if (p->wq != NULL)
		storeq_event(p->wq, &ev);
	else if (store_event_append(p->store, &ev, &cause) == -1) {
		log_warnx("%s: store: %s", p->path, cause);
		free(cause);
	}
}

char *
project_json_str(const char *s)
{
	struct buf b = BUF_INIT;

	buf_addc(&b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_printf(&b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			buf_printf(&b, "\\u%04x", *s);
		else
			buf_addc(&b, *s);
	}
	buf_addc(&b, '"');
	return buf_detach(&b, NULL);
}

/* Keep a hand-edited text in history before anything replaces it. */
void
project_keep_drift(struct project *p, struct unit *u, const char *text,
    size_t len)
{
	struct cstate *cs = project_cstate(p, u->config_id);
	struct store_content c = {
		.workspace = p->root->ws[u->ws].name, .id = u->id,
		.kind = STORE_VERSION_DRIFT, .config_id = u->config_id,
		.config_version = cs != NULL ? cs->cfg->version : NULL,
		.output_path = u->output, .text = text, .len = len,
	};
	char *cause = NULL, *d, *q = project_json_str(u->output ? u->output : "");

	struct project_report r = {
		.kind = PROJECT_DRIFT, .workspace = p->root->ws[u->ws].name,
		.id = u->id, .output = u->output,
	};
	char h[HASH_HEX_SIZE];

	/* Two outputs sharing a file see each other's text: not an edit. */
	if (u->clash) {
		free(q);
		return;
	}
	/* The same edit, seen again as it is overwritten: kept already. */
	hash_sha256_hex(text, len, h);
	if (strcmp(h, u->drift_hash) == 0) {
		project_set_state(p, u, UNIT_DRIFTED);
		free(q);
		return;
	}
	memcpy(u->drift_hash, h, sizeof(h));
	log_warnx("%s: drift: %s was edited by hand; its text is kept in "
	    "history", p->path, u->output != NULL ? u->output : u->id);
	project_set_state(p, u, UNIT_DRIFTED);
	project_report(p, &r);
	if (p->store == NULL || p->check) {
		free(q);
		return;
	}
	if (p->wq != NULL)
		storeq_content(p->wq, &c);
	else if (store_content_put(p->store, &c, &cause) == -1) {
		log_warnx("%s: store: %s", p->path, cause);
		free(cause);
	}
	d = xprintf("{\"output\":%s}", q);
	project_event(p, STORE_EVENT_DRIFT, u->ws, u->id, d);
	free(d);
	free(q);
}

/* ---- opening -------------------------------------------------------- */

struct project *
project_open(const char *root, bool check, struct ev_loop *loop,
    char **cause)
{
	struct project *p = xcalloc(1, sizeof(*p));
	struct store_options so = { 0 };
	char *db;
	struct stat st;

	if ((p->root = root_load(root, cause)) == NULL) {
		free(p);
		return NULL;
	}
	p->path = xstrdup(p->root->path);
	p->check = check;
	so.history = p->root->history;
	/* The daemon lives long: its memory is its caches, not its store. */
	so.flags = (p->root->fsync ? 0 : STORE_NOFSYNC) | STORE_NOMMAP;
	so.cache_kib = STOREQ_CACHE_KIB;
	db = path_join(p->path, ".chora/storage.db");
	if (check)
		so.flags |= STORE_READONLY;
	if ((!check || stat(db, &st) == 0) &&
	    (p->store = store_open(p->path, &so, cause)) == NULL) {
		free(db);
		root_free(p->root);
		free(p->path);
		free(p);
		return NULL;
	}
	free(db);
	p->loader = loader_new(p->path);
	p->units = strmap_new();
	p->strs = strpool_new();
	p->by_output = strmap_new();
	p->graph = graph_new();
	p->dirty = strmap_new();
	p->on_change = strmap_new();
	project_setup_configs(p);
	project_import_legacy(p);
	load_units(p);
	project_check_clashes(p);	/* before any drift is believed */
	project_record_configs(p);
	p->rescan = true;
	if (p->store != NULL && !check) {
		so.flags |= STORE_READONLY;
		so.cache_kib = PROJECT_READ_CACHE_KIB;
		if ((p->rstore = store_open(p->path, &so, cause)) == NULL) {
			project_free(p);
			return NULL;
		}
		p->wq = storeq_new(p->store, loop);
	} else
		p->rstore = p->store;
	return p;
}

void
project_free(struct project *p)
{
	size_t it = 0;
	const char *k;
	void *v;

	if (p == NULL)
		return;
	for (size_t w = 0; p->passlog != NULL && w < p->root->nws; w++)
		buf_free(&p->passlog[w].ids);
	free(p->passlog);
	project_teardown_configs(p);
	while (strmap_next(p->units, &it, &k, &v))
		unit_free(p, v);
	strmap_free(p->units);
	strpool_free(p->strs);
	strmap_free(p->by_output);
	strmap_free(p->dirty);
	strmap_free(p->on_change);
	graph_free(p->graph);
	loader_free(p->loader);
	storeq_free(p->wq);
	if (p->rstore != p->store)
		store_close(p->rstore);
	store_close(p->store);
	root_free(p->root);
	for (size_t i = 0; i < p->ncookies; i++)
		free(p->cookies[i]);
	free(p->cookies);
	project_problems_free(p->problems, p->nproblems);
	free(p->touched);
	free(p->path);
	free(p);
}

const char *
project_path(const struct project *p)
{
	return p->path;
}

unsigned
project_settle_ms(const struct project *p)
{
	return p->root->settle_ms;
}

bool
project_fsync(const struct project *p)
{
	return p->root->fsync;
}

bool
project_writable(const struct project *p)
{
	return p->wq != NULL;
}

const char *const *
project_workspaces(const struct project *p, size_t *n)
{
	*n = p->root->nws;
	return (const char *const *)p->wsnames;
}

void
project_touch(struct project *p, const char *rel)
{
	strmap_set(p->dirty, rel, p);
}

void
project_touch_all(struct project *p)
{
	p->rescan = true;
	p->reload = true;
}

bool
project_pending(const struct project *p)
{
	return p->rescan || p->reload || p->recheck ||
	    strmap_count(p->dirty) > 0;
}

void
project_recheck(struct project *p)
{
	size_t it = 0;
	const char *k;
	void *v;

	while (strmap_next(p->units, &it, &k, &v)) {
		((struct unit *)v)->marked = true;
		project_flag(p, v);
	}
	p->recheck = true;
}

/* Is u one of ids (its own id, its config's, or "<config>/...")? */
static bool
unit_named(const struct unit *u, const char *const *ids, size_t n)
{
	if (ids == NULL)
		return true;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(ids[i]);
		if (strcmp(u->id, ids[i]) == 0 ||
		    strcmp(u->config_id, ids[i]) == 0 ||
		    (strncmp(u->id, ids[i], l) == 0 && u->id[l] == '/'))
			return true;
	}
	return false;
}

/* Mark the outputs named (in workspace ws, -1: all); how many. */
static size_t
mark_named(struct project *p, const char *const *ids, size_t n, int ws,
    bool force, bool on_demand)
{
	size_t it = 0, marked = 0;
	const char *k;
	void *v;

	while (strmap_next(p->units, &it, &k, &v)) {
		struct unit *u = v;
		struct cstate *cs;
		if ((ws >= 0 && u->ws != (size_t)ws) || !unit_named(u, ids, n))
			continue;
		cs = on_demand ? project_cstate(p, u->config_id) : NULL;
		u->forced = force || u->state == UNIT_DRIFTED ||
		    u->rolled_back || (cs != NULL &&
		    cs->cfg->fresh == FRESH_ON_DEMAND);
		u->marked = true;
		project_flag(p, u);
		marked++;
	}
	if (ids == NULL)
		p->rescan = true;
	return marked;
}

void
project_force(struct project *p, const char *const *ids, size_t n,
    bool force)
{
	mark_named(p, ids, n, -1, force, false);
}

size_t
project_request(struct project *p, const char *const *ids, size_t n,
    const char *ws, bool force)
{
	int w = ws != NULL ? project_ws_index(p, ws) : -1;

	if (ws != NULL && w == -1)
		return 0;
	return mark_named(p, ids, n, w, force, true);
}

int
project_ws_index(const struct project *p, const char *name)
{
	for (size_t w = 0; w < p->root->nws; w++)
		if (strcmp(p->root->ws[w].name, name) == 0)
			return (int)w;
	return -1;
}

const struct unit *
project_unit(const struct project *p, const char *ws, const char *id)
{
	int w = ws != NULL ? project_ws_index(p, ws) : 0;

	if (w == -1)
		return NULL;
	return project_unit_get((struct project *)p, (size_t)w, id);
}

const struct root *
project_root(const struct project *p)
{
	return p->root;
}

struct store *
project_store(const struct project *p)
{
	return p->rstore;
}

struct storeq *
project_storeq(const struct project *p)
{
	return p->wq;
}

static void
count_only(void *arg, void *node)
{
	(void)arg;
	(void)node;
}

size_t
project_dependents(const struct project *p, const char *rel)
{
	return graph_dependents(p->graph, rel, count_only, NULL);
}

int
project_restored(struct project *p, const char *ws, const char *id,
    const char *text, size_t len, const char *hash)
{
	struct unit *u = (struct unit *)project_unit(p, ws, id);

	if (u == NULL)
		return -1;
	snprintf(u->hash, sizeof(u->hash), "%s", hash);
	project_set_state(p, u, UNIT_OK);
	u->rolled_back = true;	/* until its inputs change, or generate */
	free(u->error);
	u->error = NULL;
	if (u->text != NULL && text != NULL) {
		free(u->text);
		u->text = xmemdup(text, len);
	}
	return 0;
}

void
project_on_report(struct project *p, project_report_fn fn, void *arg)
{
	p->report_fn = fn;
	p->report_arg = arg;
}

/* Tell the listener what happened to an output. */
void
project_report(struct project *p, const struct project_report *r)
{
	if (p->report_fn != NULL)
		p->report_fn(p->report_arg, p, r);
}
