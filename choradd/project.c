/*
 * project — see project.h.
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
#include "project.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "data.h"
#include "fileio.h"
#include "graph.h"
#include "loader.h"
#include "log.h"
#include "path.h"
#include "store.h"
#include "storeq.h"
#include "strmap.h"
#include "xmalloc.h"

#define COOKIE_PREFIX	".chora-cookie-"

/* Per config (parallel to root->configs). */
struct cstate {
	struct config	*cfg;
	int		 level;		/* -1: not generated (errors) */
	struct dataset	*ds;
	char		*data_error;
	tmpl_data	*json;
	struct gen_ctx	*gx;		/* [nws] */
	struct unit	***by_elem;	/* [nws][nelems] with foreach */
	size_t		 nelems;
	bool		 expand;	/* match all items to units again */
	bool		 is_part;	/* an artifact's part: texts kept */
	size_t		*todo;		/* item indices to render */
	size_t		 ntodo;
};

struct envslot {
	struct tmpl_options	 opt;
	tmpl_env		*env;
};

struct project {
	char		*path;
	bool		 check;
	struct root	*root;
	struct store	*store;		/* the writer's, once wq runs */
	struct storeq	*wq;		/* the writer thread, NULL --check */
	struct store	*rstore;	/* the loop's reads */
	struct loader	*loader;
	struct envslot	*envs;
	size_t		 nenvs;
	tmpl_data	**vars;		/* [nws] */
	char		**wsnames;	/* [nws + 1], pointing into root */
	struct cstate	*cs;
	size_t		 ncs;
	size_t		 nlevels;
	char		**errors;	/* config errors */
	size_t		 nerrors;
	struct strmap	*units;		/* ws \x1f id -> unit */
	struct strmap	*by_output;	/* path -> unit */
	struct graph	*graph;
	struct strmap	*dirty;		/* paths pending */
	bool		 rescan;
	bool		 reload;
	bool		 recheck;
	struct unit	**touched;	/* units with pass flags set */
	size_t		 ntouched;
	size_t		 nfailed;	/* units in each problem state */
	size_t		 ndrifted;
	char		**cookies;
	size_t		 ncookies;
	struct strmap	*on_change;	/* config id -> config */
	struct project_problem *problems;	/* check mode findings */
	size_t		 nproblems;
	struct project_stats st;
};

/* Remember u has pass flags to reset (the pass end visits only these). */
static void
touch(struct project *p, struct unit *u)
{
	if (u->touched)
		return;
	u->touched = true;
	p->touched = xreallocarray(p->touched, p->ntouched + 1,
	    sizeof(*p->touched));
	p->touched[p->ntouched++] = u;
}

/* Change u's state, keeping the problem counters. */
static void
set_state(struct project *p, struct unit *u, enum unit_state st)
{
	p->nfailed -= u->state == UNIT_FAILED;
	p->ndrifted -= u->state == UNIT_DRIFTED;
	u->state = st;
	p->nfailed += st == UNIT_FAILED;
	p->ndrifted += st == UNIT_DRIFTED;
}

static char *
unit_key(size_t ws, const char *id)
{
	return xprintf("%zu\x1f%s", ws, id);
}

static struct unit *
unit_get(struct project *p, size_t ws, const char *id)
{
	char *k = unit_key(ws, id);
	struct unit *u = strmap_get(p->units, k);

	free(k);
	return u;
}

static void
unit_set_deps(struct unit *u, struct gen_dep *deps, size_t n)
{
	for (size_t i = 0; i < u->ndeps; i++) {
		free(u->deps[i].id);
		free(u->deps[i].path);
	}
	free(u->deps);
	u->deps = deps;
	u->ndeps = n;
}

static void
unit_free(struct unit *u)
{
	unit_set_deps(u, NULL, 0);
	free(u->id);
	free(u->config_id);
	free(u->output);
	free(u->error);
	free(u->text);
	free(u);
}

static struct unit *
unit_new(struct project *p, size_t ws, const char *id, const char *cfgid)
{
	struct unit *u = xcalloc(1, sizeof(*u));
	char *k = unit_key(ws, id);

	u->id = xstrdup(id);
	u->ws = ws;
	u->config_id = xstrdup(cfgid);
	u->state = UNIT_STALE;
	strmap_set(p->units, k, u);
	free(k);
	return u;
}

static void
unit_set_output(struct project *p, struct unit *u, const char *output)
{
	if (u->output != NULL && strmap_get(p->by_output, u->output) == u)
		strmap_del(p->by_output, u->output);
	free(u->output);
	u->output = output != NULL ? xstrdup(output) : NULL;
	if (output != NULL)
		strmap_set(p->by_output, output, u);
}

static void
unit_graph(struct project *p, struct unit *u, const struct config *c)
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

static void
unit_drop(struct project *p, struct unit *u)
{
	char *k = unit_key(u->ws, u->id);

	set_state(p, u, UNIT_STALE);
	for (size_t i = 0; u->touched && i < p->ntouched; i++)
		if (p->touched[i] == u)
			p->touched[i] = p->touched[--p->ntouched];
	unit_set_output(p, u, NULL);
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
	unit_free(u);
}

static void
add_error(struct project *p, char *msg)
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

/* Build the per-config state of the current root. */
static void
setup_configs(struct project *p)
{
	struct root *r = p->root;
	struct config **order;
	char **errs = NULL;
	size_t nerrs = 0, n;

	for (size_t i = 0; i < r->nerrors; i++)
		add_error(p, xstrdup(r->errors[i]));
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
		add_error(p, errs[i]);
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
			config_hash(c, &r->ws[w], gx->cfg_hash);
			if (c->foreach != NULL && strcmp(c->foreach, ".") != 0)
				gx->foreach_root = xstrndup(c->foreach,
				    strcspn(c->foreach, "."));
		}
	}
}

static void
teardown_configs(struct project *p)
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
}

static struct cstate *
cstate_of(struct project *p, const char *cfgid)
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
	struct gen_dep *g;

	if (pk != STORE_KIND_CONTENT || (u = unit_get(lc->p, lc->ws, pid)) ==
	    NULL)
		return 0;
	u->deps = xreallocarray(u->deps, u->ndeps + 1, sizeof(*u->deps));
	g = &u->deps[u->ndeps++];
	g->kind = d->kind;
	g->id = xstrdup(d->id);
	g->path = d->path != NULL ? xstrdup(d->path) : NULL;
	snprintf(g->hash, sizeof(g->hash), "%s", d->hash != NULL ? d->hash :
	    "");
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
			struct unit *u = unit_new(p, w, v[i].id, v[i].config_id);
			/* An imported version was never generated here. */
			if (v[i].kind != STORE_VERSION_IMPORTED)
				snprintf(u->hash, sizeof(u->hash), "%s",
				    v[i].hash);
			u->generated_at = v[i].generated_at;
			set_state(p, u, v[i].kind == STORE_VERSION_DRIFT ?
			    UNIT_DRIFTED : UNIT_OK);
			unit_set_output(p, u, v[i].output_path);
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
		struct cstate *cs = cstate_of(p, u->config_id);
		unit_graph(p, u, cs != NULL ? cs->cfg : NULL);
	}
}

static void
record_configs(struct project *p)
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

static void
event(struct project *p, enum store_event_kind kind, size_t ws,
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

static char *
json_str(const char *s)
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
static void
keep_drift(struct project *p, struct unit *u, const char *text, size_t len)
{
	struct cstate *cs = cstate_of(p, u->config_id);
	struct store_content c = {
		.workspace = p->root->ws[u->ws].name, .id = u->id,
		.kind = STORE_VERSION_DRIFT, .config_id = u->config_id,
		.config_version = cs != NULL ? cs->cfg->version : NULL,
		.output_path = u->output, .text = text, .len = len,
	};
	char *cause = NULL, *d, *q = json_str(u->output ? u->output : "");

	log_warnx("%s: drift: %s was edited by hand; its text is kept in "
	    "history", p->path, u->output != NULL ? u->output : u->id);
	set_state(p, u, UNIT_DRIFTED);
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
	event(p, STORE_EVENT_DRIFT, u->ws, u->id, d);
	free(d);
	free(q);
}


/* ---- chora-compose history ---------------------------------------- */

/* A legacy timestamp file name ("20250102T030405Z.md", ISO, or epoch). */
static int64_t
legacy_time(const char *name)
{
	static const char *fmts[] = { "%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%SZ",
	    "%Y-%m-%dT%H-%M-%SZ", "%Y-%m-%dT%H-%M-%S", "%Y%m%d%H%M%S" };
	char *stem = xstrndup(name, strcspn(name, "."));
	int64_t t = 0;

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]) && t == 0; i++) {
		struct tm tm = { 0 };
		const char *end = strptime(stem, fmts[i], &tm);
		if (end != NULL && *end == '\0')
			t = (int64_t)timegm(&tm) * 1000;
	}
	if (t == 0 && stem[0] != '\0' && strspn(stem, "0123456789") ==
	    strlen(stem)) {
		t = strtoll(stem, NULL, 10);
		if (t < 100000000000LL)
			t *= 1000;	/* seconds */
	}
	free(stem);
	return t;
}

/* Import ephemeral/<id>/ versions oldest first; the files stay. */
static void
import_one(struct project *p, const char *id)
{
	char *dir = xprintf("%s/ephemeral/%s", p->path, id), **names;
	size_t n, done = 0;

	if ((names = fileio_listdir(dir, false, &n)) == NULL) {
		free(dir);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *f = path_join(dir, names[i]), *text, *cause = NULL;
		size_t len, l = strlen(names[i]);
		if (l > 10 && strcmp(names[i] + l - 10, ".meta.json") == 0) {
			free(f);
			continue;	/* a sidecar, not a version */
		}
		if (fileio_read(f, &text, &len) == 0) {
			struct store_content c = {
				.workspace = p->root->ws[0].name, .id = id,
				.kind = STORE_VERSION_IMPORTED, .config_id = id,
				.generated_at = legacy_time(names[i]),
				.text = text, .len = len,
			};
			if (store_content_put(p->store, &c, &cause) == -1) {
				log_warnx("%s: import: %s", f, cause);
				free(cause);
			} else
				done++;
			free(text);
		}
		free(f);
	}
	fileio_listdir_free(names);
	if (done > 0)
		log_info("%s: imported %zu versions of %s from ephemeral/",
		    p->path, done, id);
	free(dir);
}

/* On the first start of a chora-compose root, its history comes in. */
static void
import_ephemeral(struct project *p)
{
	struct arena *a;
	struct store_content sc;
	char *cause = NULL;

	if (p->store == NULL || p->check)
		return;
	a = arena_new();
	for (size_t i = 0; i < p->root->nconfigs; i++) {
		const struct config *c = p->root->configs[i];
		int rc = store_content_get(p->store, p->root->ws[0].name, c->id,
		    0, a, &sc, &cause);
		if (rc == 0)
			continue;	/* imported (or generated) before */
		if (rc == -1) {
			free(cause);
			cause = NULL;
			continue;
		}
		import_one(p, c->id);
	}
	arena_free(a);
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
	so.flags = p->root->fsync ? 0 : STORE_NOFSYNC;
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
	p->by_output = strmap_new();
	p->graph = graph_new();
	p->dirty = strmap_new();
	p->on_change = strmap_new();
	setup_configs(p);
	import_ephemeral(p);
	load_units(p);
	record_configs(p);
	p->rescan = true;
	if (p->store != NULL && !check) {
		so.flags |= STORE_READONLY;
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
	teardown_configs(p);
	while (strmap_next(p->units, &it, &k, &v))
		unit_free(v);
	strmap_free(p->units);
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
		touch(p, v);
	}
	p->recheck = true;
}

void
project_force(struct project *p, const char *const *ids, size_t n,
    bool force)
{
	size_t it = 0;
	const char *k;
	void *v;

	while (strmap_next(p->units, &it, &k, &v)) {
		struct unit *u = v;
		bool hit = ids == NULL;
		for (size_t i = 0; i < n && !hit; i++) {
			size_t l = strlen(ids[i]);
			hit = strcmp(u->id, ids[i]) == 0 ||
			    strcmp(u->config_id, ids[i]) == 0 ||
			    (strncmp(u->id, ids[i], l) == 0 && u->id[l] == '/');
		}
		if (!hit)
			continue;
		u->forced = force || u->state == UNIT_DRIFTED;
		u->marked = true;
		touch(p, u);
	}
	if (ids == NULL)
		p->rescan = true;
}

/* ---- planning ------------------------------------------------------- */

static void
mark_unit(void *arg, void *node)
{
	struct unit *u = node;

	u->marked = true;
	touch(arg, u);
}

/* Splice a config's item->unit arrays as its dataset's index was. */
static void
splice_units(struct project *p, struct cstate *cs,
    const struct jdoc_change *ch)
{
	size_t nnew = cs->nelems - ch->nremoved + ch->ninserted;

	for (size_t w = 0; w < p->root->nws; w++) {
		struct unit **old = cs->by_elem[w];
		struct unit **v = xcalloc(nnew + 1, sizeof(*v));
		memcpy(v, old, ch->first * sizeof(*v));
		for (size_t i = 0; i < ch->nremoved; i++)
			if (old[ch->first + i] != NULL) {
				old[ch->first + i]->candidate = true;
				touch(p, old[ch->first + i]);
			}
		memcpy(v + ch->first + ch->ninserted, old + ch->first +
		    ch->nremoved, (cs->nelems - ch->first - ch->nremoved) *
		    sizeof(*v));
		free(old);
		cs->by_elem[w] = v;
	}
	cs->nelems = nnew;
	for (size_t i = 0; i < ch->ninserted; i++) {
		cs->todo = xreallocarray(cs->todo, cs->ntodo + 1,
		    sizeof(size_t));
		cs->todo[cs->ntodo++] = ch->first + i;
	}
}

static void
mark_full_unit(void *arg, void *node)
{
	struct unit *u = node;

	(void)arg;
	if (u->full)
		u->marked = true;
}

/* Re-read the datasets reading path; false when none does. */
static bool
refresh_data(struct project *p, const char *path)
{
	bool handled = false;

	for (size_t i = 0; i < p->ncs; i++) {
		struct cstate *cs = &p->cs[i];
		struct jdoc_change ch;
		char *cause = NULL;

		if (cs->ds == NULL || !data_reads(cs->ds, path))
			continue;
		handled = true;
		if (data_refresh(cs->ds, &ch, &cause) == -1) {
			log_warnx("%s", cause);
			free(cs->data_error);
			cs->data_error = cause;
			continue;
		}
		free(cs->data_error);
		cs->data_error = NULL;
		if (ch.unchanged)
			continue;
		if (cs->cfg->foreach != NULL && !cs->ds->doc->has_coll)
			cs->data_error = xprintf("%s:1: error: foreach '%s' "
			    "names no list or object in the data",
			    cs->cfg->file, cs->cfg->foreach);
		if (ch.full || cs->by_elem == NULL)
			cs->expand = true;
		else
			splice_units(p, cs, &ch);
		if (cs->expand && cs->by_elem != NULL) {
			for (size_t w = 0; w < p->root->nws; w++) {
				free(cs->by_elem[w]);
				cs->by_elem[w] = xcalloc(cs->ds->doc->nelems + 1,
				    sizeof(struct unit *));
			}
			cs->nelems = cs->ds->doc->nelems;
		}
		/* Items were spliced; outputs that read the whole data depend
		 * on any change (a full change re-checks every item anyway). */
		if (!cs->expand)
			graph_dependents(p->graph, path, mark_full_unit, p);
	}
	return handled;
}

static bool
is_cookie(const char *rel)
{
	return strncmp(path_basename(rel), COOKIE_PREFIX,
	    strlen(COOKIE_PREFIX)) == 0;
}

/* A generated file changed on disk: ours, edited, or deleted. */
static void
output_changed(struct project *p, struct unit *u)
{
	char *abs = path_join(p->path, u->output), *text, h[HASH_HEX_SIZE];
	size_t n;

	if (fileio_read(abs, &text, &n) == -1) {
		mark_unit(p, u);	/* deleted: generate it again */
		free(abs);
		return;
	}
	free(abs);
	hash_sha256_hex(text, n, h);
	if (u->hash[0] != '\0' && strcmp(h, u->hash) != 0 &&
	    u->state != UNIT_DRIFTED)
		keep_drift(p, u, text, n);
	else if (strcmp(h, u->hash) == 0 && u->state == UNIT_DRIFTED)
		set_state(p, u, UNIT_OK);	/* edited back */
	free(text);
}

static void
reload(struct project *p)
{
	char *cause = NULL;
	struct root *r = root_load(p->path, &cause);

	if (r == NULL) {
		teardown_configs(p);
		add_error(p, cause);
		setup_configs(p);
		return;
	}
	teardown_configs(p);
	root_free(p->root);
	p->root = r;
	setup_configs(p);
	loader_forget_all(p->loader);
	record_configs(p);
	p->rescan = true;
}

/* Apply the pending paths to datasets, templates and outputs. */
static void
take_changes(struct project *p)
{
	size_t it = 0;
	const char *rel;
	bool configs = p->reload;

	while (!configs && strmap_next(p->dirty, &it, &rel, NULL))
		configs = strcmp(rel, ROOT_MANIFEST) == 0 ||
		    root_is_config_path(p->root, rel);
	if (configs)
		reload(p);
	p->reload = false;
	it = 0;
	while (strmap_next(p->dirty, &it, &rel, NULL)) {
		struct unit *u;
		if (is_cookie(rel)) {
			char *abs = path_join(p->path, rel);
			int gone = access(abs, F_OK) == -1;
			free(abs);
			if (gone)
				continue;	/* our own unlink of it */
			p->cookies = xreallocarray(p->cookies, p->ncookies + 1,
			    sizeof(char *));
			p->cookies[p->ncookies++] = xstrdup(rel);
			continue;
		}
		if ((u = strmap_get(p->by_output, rel)) != NULL)
			output_changed(p, u);
		if (refresh_data(p, rel))
			continue;	/* data: marked item by item */
		loader_forget(p->loader, rel);
		if (graph_dependents(p->graph, rel, mark_unit, p) > 0)
			for (size_t i = 0; i < p->nenvs; i++)
				tmpl_env_invalidate_all(p->envs[i].env);
	}
	strmap_free(p->dirty);
	p->dirty = strmap_new();
	if (p->rescan)
		for (size_t i = 0; i < p->nenvs; i++)
			tmpl_env_invalidate_all(p->envs[i].env);
}

size_t
project_plan(struct project *p)
{
	take_changes(p);
	if (p->rescan) {
		loader_forget_all(p->loader);
		for (size_t i = 0; i < p->ncs; i++)
			p->cs[i].expand = true;
	}
	return p->nlevels;
}

/* Is u out of date, and why (static string)? */
static const char *
unit_stale(struct project *p, struct cstate *cs, struct unit *u,
    ssize_t elem)
{
	const struct config *c = cs->cfg;
	const struct gen_ctx *gx = &cs->gx[u->ws];
	char h[HASH_HEX_SIZE];
	struct stat st;

	if (u->hash[0] == '\0')
		return "never generated";
	if (u->forced)
		return "forced";
	if (p->check)
		return "checking";
	if (c->fresh == FRESH_ON_DEMAND || c->fresh == FRESH_IMMUTABLE)
		return NULL;
	if (u->state == UNIT_FAILED)
		return "failed before";
	if (u->output != NULL) {
		char *abs = path_join(p->path, u->output);
		int rc = stat(abs, &st);
		free(abs);
		if (rc == -1)
			return "output missing";
	}
	if (c->fresh == FRESH_TTL && store_now() >= u->generated_at +
	    c->ttl * 1000)
		return "ttl expired";
	for (size_t i = 0; i < u->ndeps; i++) {
		struct gen_dep *d = &u->deps[i];
		switch (d->kind) {
		case STORE_KIND_CONFIG:
			if (strcmp(d->hash, gx->cfg_hash) != 0)
				return "config changed";
			break;
		case STORE_KIND_TEMPLATE:
			if (loader_hash(p->loader, d->path, h) == -1 ||
			    strcmp(h, d->hash) != 0)
				return "template changed";
			break;
		case STORE_KIND_DATA:
			if (cs->ds == NULL || strcmp(d->hash,
			    data_hash(cs->ds)) != 0)
				return "data changed";
			break;
		case STORE_KIND_DATA_PART:
			if (cs->ds == NULL)
				return "data changed";
			if (strstr(d->id, "#rest") != NULL) {
				if (strcmp(d->hash, cs->ds->rest_hash) != 0)
					return "data changed";
			} else if (elem < 0)
				return "item changed";
			else {
				data_item_hash(cs->ds, (size_t)elem, h);
				if (strcmp(h, d->hash) != 0)
					return "item changed";
			}
			break;
		case STORE_KIND_CONTENT: {
			struct unit *pu = unit_get(p, u->ws, d->id);
			if (pu == NULL || strcmp(pu->hash, d->hash) != 0)
				return "part changed";
			break;
		}
		default:
			break;
		}
	}
	return NULL;
}

static struct gen_task *
task_new(struct project *p, struct cstate *cs, size_t w, struct unit *u)
{
	struct gen_task *t = xcalloc(1, sizeof(*t));

	t->kind = GEN_RENDER;
	t->gx = &cs->gx[w];
	t->unit = u;
	t->elem = -1;
	t->check = p->check;
	t->expect = xstrdup(u != NULL ? u->hash : "");
	t->want_full = u != NULL && u->full;
	if (u != NULL) {
		u->queued = true;
		touch(p, u);
	}
	return t;
}

struct tasks {
	struct gen_task	**v;
	size_t		  n;
};

static void
push(struct tasks *ts, struct gen_task *t)
{
	ts->v = xreallocarray(ts->v, ts->n + 1, sizeof(*ts->v));
	ts->v[ts->n++] = t;
}

static struct gen_task *
item_task(struct project *p, struct cstate *cs, size_t w, size_t e,
    struct unit *u)
{
	struct gen_task *t = task_new(p, cs, w, u);
	const struct jdoc *d = cs->ds->doc;
	const struct jdoc_elem *el = &d->elems[e];

	t->elem = (ssize_t)e;
	t->item = xmemdup(d->text + el->start, el->end - el->start);
	t->itemlen = el->end - el->start;
	if (d->coll_object)
		t->objkey = jdoc_elem_key(d, e);
	data_item_hash(cs->ds, e, t->item_hash);
	return t;
}

static struct gen_task *
verify_task(struct project *p, struct cstate *cs, struct unit *u)
{
	struct gen_task *t = task_new(p, cs, u->ws, u);

	t->kind = GEN_VERIFY;
	t->output_in = xstrdup(u->output);
	return t;
}

/* Match every item to the unit rendered from the same bytes. */
static void
expand(struct project *p, struct cstate *cs, size_t w)
{
	struct strmap *byhash = strmap_new();
	size_t it = 0;
	const char *k;
	void *v;

	while (strmap_next(p->units, &it, &k, &v)) {
		struct unit *u = v;
		if (u->ws != w || strcmp(u->config_id, cs->cfg->id) != 0)
			continue;
		u->candidate = true;
		touch(p, u);
		for (size_t i = 0; i < u->ndeps; i++)
			if (u->deps[i].kind == STORE_KIND_DATA_PART &&
			    strstr(u->deps[i].id, "#item:") != NULL)
				strmap_set(byhash, u->deps[i].hash, u);
	}
	for (size_t e = 0; e < cs->nelems; e++) {
		char h[HASH_HEX_SIZE];
		data_item_hash(cs->ds, e, h);
		cs->by_elem[w][e] = strmap_del(byhash, h);
	}
	strmap_free(byhash);
}

/* Tasks for a foreach config in workspace w. */
static void
plan_items(struct project *p, struct cstate *cs, size_t w, struct tasks *ts,
    bool all)
{
	for (size_t e = 0; e < cs->nelems; e++) {
		struct unit *u = cs->by_elem[w][e];
		if (u != NULL) {
			if (!all && !u->marked)
				continue;
			u->seen = true;
			touch(p, u);
			const char *why = unit_stale(p, cs, u, (ssize_t)e);
			if (why != NULL) {
				log_debug("%s: %s: %s", p->path, u->id, why);
				push(ts, item_task(p, cs, w, e, u));
			}
			else if (p->rescan && u->output != NULL)
				push(ts, verify_task(p, cs, u));
		} else if (all)
			push(ts, item_task(p, cs, w, e, NULL));
	}
	for (size_t i = 0; !all && i < cs->ntodo; i++)
		if (cs->by_elem[w][cs->todo[i]] == NULL)
			push(ts, item_task(p, cs, w, cs->todo[i], NULL));
}

/* The texts of an artifact's parts, as JSON and joined. */
static int
parts_text(struct project *p, struct cstate *cs, size_t w,
    struct gen_task *t)
{
	struct buf js = BUF_INIT, joined = BUF_INIT;
	struct arena *a = arena_new();
	const struct config *c = cs->cfg;
	char *cause = NULL;
	int rc = 0;

	buf_addc(&js, '{');
	for (size_t i = 0; i < c->nparts && rc == 0; i++) {
		struct unit **us = NULL;
		size_t nus = 0;
		struct cstate *pcs = cstate_of(p, c->parts[i]);
		struct unit *one = unit_get(p, w, c->parts[i]);
		if (one != NULL) {
			us = xcalloc(1, sizeof(*us));
			us[nus++] = one;
		} else if (pcs != NULL && pcs->by_elem != NULL) {
			us = xcalloc(pcs->nelems + 1, sizeof(*us));
			for (size_t e = 0; e < pcs->nelems; e++)
				if (pcs->by_elem[w][e] != NULL)
					us[nus++] = pcs->by_elem[w][e];
		}
		if (nus == 0) {
			t->error = xprintf("%s:1: error: part '%s' has no "
			    "content yet", c->file, c->parts[i]);
			rc = -1;
		}
		for (size_t k = 0; k < nus && rc == 0; k++) {
			struct store_content sc;
			const char *text = us[k]->text;
			if (text == NULL && p->rstore != NULL &&
			    store_content_get(p->rstore, p->root->ws[w].name,
			    us[k]->id, 0, a, &sc, &cause) == 0)
				text = sc.text;
			if (text == NULL) {
				t->error = xprintf("%s:1: error: part '%s' has "
				    "no content yet%s%s", c->file, us[k]->id,
				    cause ? ": " : "", cause ? cause : "");
				rc = -1;
				break;
			}
			char *q = json_str(us[k]->id), *tq = json_str(text);
			buf_printf(&js, "%s%s:%s", js.len > 1 ? "," : "", q, tq);
			free(q);
			free(tq);
			if (joined.len > 0)
				buf_addstr(&joined, c->separator);
			buf_addstr(&joined, text);
			gen_dep_add(t, STORE_KIND_CONTENT, us[k]->id, NULL,
			    us[k]->hash);
		}
		free(us);
	}
	buf_addc(&js, '}');
	free(cause);
	t->part_json = buf_detach(&js, NULL);
	t->part_text = buf_detach(&joined, NULL);
	arena_free(a);
	return rc;
}

/* Tasks for a config without foreach (content or artifact). */
static void
plan_single(struct project *p, struct cstate *cs, size_t w, struct tasks *ts,
    bool all)
{
	struct unit *u = unit_get(p, w, cs->cfg->id);
	struct gen_task *t;

	if (u != NULL) {
		u->seen = true;
		touch(p, u);
	}
	if (u != NULL && !all && !u->marked && cs->cfg->type != CONFIG_ARTIFACT)
		return;
	const char *why = u != NULL ? unit_stale(p, cs, u, -1) : "new";
	if (why == NULL) {
		if (p->rescan && u->output != NULL)
			push(ts, verify_task(p, cs, u));
		return;
	}
	log_debug("%s: %s: %s", p->path, cs->cfg->id, why);
	t = task_new(p, cs, w, u);
	if (cs->cfg->type == CONFIG_ARTIFACT && parts_text(p, cs, w, t) == -1)
		t->kind = GEN_RENDER;	/* gen_run reports t->error */
	push(ts, t);
}

struct gen_task **
project_level_tasks(struct project *p, size_t level, size_t *n)
{
	struct tasks ts = { NULL, 0 };

	for (size_t i = 0; i < p->ncs; i++) {
		struct cstate *cs = &p->cs[i];
		if (cs->level != (int)level)
			continue;
		if (cs->data_error != NULL || (cs->ds == NULL &&
		    cs->cfg->foreach != NULL))
			continue;
		for (size_t w = 0; w < p->root->nws; w++) {
			if (cs->cfg->foreach != NULL) {
				if (cs->expand)
					expand(p, cs, w);
				plan_items(p, cs, w, &ts, cs->expand ||
				    p->rescan);
			} else
				plan_single(p, cs, w, &ts, cs->expand ||
				    p->rescan);
		}
		cs->expand = false;
		free(cs->todo);
		cs->todo = NULL;
		cs->ntodo = 0;
	}
	*n = ts.n;
	return ts.v;
}

/* ---- applying results ----------------------------------------------- */

/* Is c a part of some artifact (its texts are kept in memory)? */
static bool
is_part(const struct project *p, const struct config *c)
{
	for (size_t i = 0; i < p->ncs; i++)
		if (p->cs[i].cfg == c)
			return p->cs[i].is_part;
	return false;
}

static void
problem(struct project *p, const char *what, const char *id,
    const char *msg)
{
	struct project_problem *q;

	p->problems = xreallocarray(p->problems, p->nproblems + 1,
	    sizeof(*p->problems));
	q = &p->problems[p->nproblems++];
	q->what = xstrdup(what);
	q->id = xstrdup(id);
	q->message = xstrdup(msg);
}

static struct store_dep *
store_deps(struct gen_task *t)
{
	struct store_dep *d = xcalloc(t->ndeps + 1, sizeof(*d));

	for (size_t i = 0; i < t->ndeps; i++) {
		d[i].kind = t->deps[i].kind;
		d[i].id = t->deps[i].id;
		d[i].path = t->deps[i].path;
		d[i].hash = t->deps[i].hash;
	}
	return d;
}

static void
record_generation(struct project *p, struct unit *u, struct gen_task *t)
{
	const struct config *c = t->gx->cfg;
	struct store_dep *deps = store_deps(t);
	struct store_generation g = {
		.content = {
			.workspace = t->gx->ws->name, .id = u->id,
			.kind = STORE_VERSION_GENERATED, .config_id = c->id,
			.config_version = c->version, .config_hash = c->hash,
			.context = c->context, .output_path = t->output,
			.freshness = (enum store_freshness)c->fresh,
			.ttl = c->ttl, .text = t->text, .len = t->len,
		},
		.deps = deps, .ndeps = t->ndeps, .uid = -1,
	};
	g.content.generated_at = store_now();
	u->generated_at = g.content.generated_at;
	if (p->wq != NULL)
		storeq_generation(p->wq, &g);
	free(deps);
}

static void
apply_failure(struct project *p, struct gen_task *t, struct unit *u)
{
	char *d, *q = json_str(t->error);

	log_warnx("%s", t->error);
	set_state(p, u, UNIT_FAILED);
	free(u->error);
	u->error = xstrdup(t->error);
	if (p->check)
		problem(p, "failed", u->id, t->error);
	d = xprintf("{\"error\":%s}", q);
	event(p, STORE_EVENT_FAILURE, t->gx->ws - p->root->ws, u->id, d);
	free(d);
	free(q);
	/* A failed render still depends on what it read. */
	unit_set_deps(u, t->deps, t->ndeps);
	t->deps = NULL;
	t->ndeps = 0;
	unit_graph(p, u, t->gx->cfg);
}

static void
apply_verify(struct project *p, struct gen_task *t)
{
	struct unit *u = t->unit;

	if (!t->disk_exists) {
		mark_unit(p, u);
		project_touch(p, u->output);
	} else if (t->drift_text != NULL && u->state != UNIT_DRIFTED)
		keep_drift(p, u, t->drift_text, t->drift_len);
	else if (t->drift_text == NULL && u->state == UNIT_DRIFTED)
		set_state(p, u, UNIT_OK);
	if (p->check && t->drift_text != NULL)
		problem(p, "drifted", u->id, "edited by hand since generated");
}

static void
check_finding(struct project *p, struct gen_task *t)
{
	const char *wsname = t->gx->ws->name;
	bool many = p->root->nws > 1;
	char *m;

	if (!t->changed)
		return;
	if (t->abs == NULL)
		m = xprintf("%s%s%s does not match its sources", t->id,
		    many ? " in workspace " : "", many ? wsname : "");
	else if (!t->disk_exists)
		m = xprintf("%s is missing", t->output);
	else if (t->drift_text != NULL)
		m = xprintf("%s was edited by hand", t->output);
	else
		m = xprintf("%s does not match its sources", t->output);
	problem(p, t->abs != NULL && !t->disk_exists ? "missing" :
	    t->drift_text != NULL ? "drifted" : "stale", t->id, m);
	free(m);
}

static void
apply_one(struct project *p, struct gen_task *t)
{
	size_t w = (size_t)(t->gx->ws - p->root->ws);
	struct unit *u;

	if (t->kind == GEN_VERIFY) {
		apply_verify(p, t);
		return;
	}
	if ((u = unit_get(p, w, t->id)) == NULL)
		u = t->unit != NULL && strcmp(t->unit->id, t->id) == 0 ?
		    t->unit : unit_new(p, w, t->id, t->gx->cfg->id);
	u->seen = true;
	touch(p, u);
	u->forced = false;
	if (t->elem >= 0) {
		struct cstate *cs = cstate_of(p, t->gx->cfg->id);
		if (cs != NULL && cs->by_elem != NULL &&
		    (size_t)t->elem < cs->nelems)
			cs->by_elem[w][t->elem] = u;
	}
	if (t->error != NULL) {
		apply_failure(p, t, u);
		return;
	}
	if (t->drift_text != NULL && !p->check)
		keep_drift(p, u, t->drift_text, t->drift_len);
	if (p->check)
		check_finding(p, t);
	else if (strcmp(u->hash, t->hash) != 0 || t->changed ||
	    u->state == UNIT_DRIFTED)
		record_generation(p, u, t);
	else if (p->wq != NULL) {
		struct store_dep *deps = store_deps(t);
		storeq_deps_set(p->wq, t->gx->ws->name, u->id, deps, t->ndeps);
		free(deps);
	}
	if (p->check || is_part(p, t->gx->cfg)) {
		/* Artifacts read their parts from here, never from a store
		 * the writer thread may not have committed yet. */
		free(u->text);
		u->text = t->text;
		t->text = NULL;
	}
	if (u->output != NULL && t->output != NULL &&
	    strcmp(u->output, t->output) != 0 && !p->check) {
		/* The output moved: remove the old file if it is ours. */
		char *abs = path_join(p->path, u->output), h[HASH_HEX_SIZE];
		if (hash_file_hex(abs, h) == 0 && strcmp(h, u->hash) == 0)
			unlink(abs);
		free(abs);
	}
	unit_set_output(p, u, t->output);
	memcpy(u->hash, t->hash, HASH_HEX_SIZE);
	u->full = t->full;
	set_state(p, u, UNIT_OK);
	free(u->error);
	u->error = NULL;
	unit_set_deps(u, t->deps, t->ndeps);
	t->deps = NULL;
	t->ndeps = 0;
	unit_graph(p, u, t->gx->cfg);
	if (t->changed && !p->check) {
		p->st.generated++;
		if (t->output != NULL)
			log_info("%s: generated %s", p->path, t->output);
		else
			log_info("%s: generated %s (workspace %s, kept in the "
			    "store)", p->path, u->id, t->gx->ws->name);
		if (t->gx->cfg->on_change != NULL)
			strmap_set(p->on_change, t->gx->cfg->id,
			    (void *)t->gx->cfg);
	}
}

void
project_apply(struct project *p, struct gen_task **tasks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		apply_one(p, tasks[i]);
		if (tasks[i]->unit != NULL)
			tasks[i]->unit->queued = false;
		gen_task_free(tasks[i]);
	}
}

void
project_when_stored(struct project *p, void (*fn)(void *), void *arg)
{
	if (p->wq != NULL)
		storeq_when_idle(p->wq, fn, arg);
	else
		fn(arg);
}

/* An output nothing produces any more: keep its text, then delete it. */
static void
remove_unit(struct project *p, struct unit *u)
{
	char *abs = u->output != NULL ? path_join(p->path, u->output) : NULL;
	char *text = NULL, h[HASH_HEX_SIZE];
	size_t n = 0;

	if (abs != NULL && fileio_read(abs, &text, &n) == 0) {
		hash_sha256_hex(text, n, h);
		if (strcmp(h, u->hash) != 0)
			keep_drift(p, u, text, n);
		if (unlink(abs) == 0) {
			char *d = path_dirname(abs);
			if (p->root->fsync)
				fileio_fsync_dir(d);
			free(d);
		}
	}
	if (p->wq != NULL) {
		struct store_content c = {
			.workspace = p->root->ws[u->ws].name, .id = u->id,
			.kind = STORE_VERSION_REMOVED,
			.config_id = u->config_id, .output_path = u->output,
		};
		storeq_content(p->wq, &c);
		event(p, STORE_EVENT_REMOVAL, u->ws, u->id, NULL);
	}
	log_info("%s: removed %s (no config produces it any more)", p->path,
	    u->output != NULL ? u->output : u->id);
	free(text);
	free(abs);
	unit_drop(p, u);
}

char **
project_pass_end(struct project *p, double ms)
{
	struct unit **gone = NULL;
	size_t ngone = 0, it = 0, ncmd = 0;
	const char *k;
	void *v;
	char **cmds;

	for (size_t i = 0; i < p->ntouched; i++) {
		struct unit *u = p->touched[i];
		if (!p->check && u->candidate && !u->seen) {
			gone = xreallocarray(gone, ngone + 1, sizeof(*gone));
			gone[ngone++] = u;
		}
		u->seen = u->candidate = u->queued = u->marked = false;
		u->touched = false;
	}
	p->ntouched = 0;
	/* After a reload, outputs of configs that are gone go too. */
	while (p->rescan && !p->check && strmap_next(p->units, &it, &k, &v)) {
		struct unit *u = v;
		if (cstate_of(p, u->config_id) == NULL) {
			gone = xreallocarray(gone, ngone + 1, sizeof(*gone));
			gone[ngone++] = u;
		}
	}
	for (size_t i = 0; i < ngone; i++)
		remove_unit(p, gone[i]);
	free(gone);
	p->rescan = false;
	p->recheck = false;
	for (size_t i = 0; i < p->ncookies; i++) {
		char *abs = path_join(p->path, p->cookies[i]);
		log_info("%s: cookie %s done", p->path, p->cookies[i]);
		unlink(abs);
		free(abs);
		free(p->cookies[i]);
	}
	p->ncookies = 0;
	cmds = xcalloc(strmap_count(p->on_change) + 1, sizeof(char *));
	it = 0;
	while (strmap_next(p->on_change, &it, &k, &v))
		cmds[ncmd++] = xstrdup(((struct config *)v)->on_change);
	strmap_free(p->on_change);
	p->on_change = strmap_new();
	p->st.passes++;
	p->st.last_pass_at = store_now();
	p->st.last_pass_ms = ms;
	return cmds;
}

int64_t
project_next_expiry(const struct project *p)
{
	int64_t next = 0;
	size_t it = 0;
	const char *k;
	void *v;
	bool any = false;

	for (size_t i = 0; i < p->ncs && !any; i++)
		any = p->cs[i].cfg->fresh == FRESH_TTL;
	while (any && strmap_next(p->units, &it, &k, &v)) {
		struct unit *u = v;
		for (size_t i = 0; i < p->ncs; i++) {
			const struct config *c = p->cs[i].cfg;
			if (c->fresh != FRESH_TTL || strcmp(c->id,
			    u->config_id) != 0)
				continue;
			int64_t at = u->generated_at + c->ttl * 1000;
			if (next == 0 || at < next)
				next = at;
		}
	}
	return next;
}

void
project_stats(const struct project *p, struct project_stats *st)
{
	*st = p->st;
	st->configs = p->root->nconfigs;
	st->outputs = strmap_count(p->units);
	st->stale = 0;
	st->failed = p->nfailed + p->nerrors;
	st->drifted = p->ndrifted;
}

struct project_problem *
project_problems(const struct project *p, size_t *n)
{
	struct project_problem *v;
	size_t it = 0, m = 0;
	const char *k;
	void *u_;

	v = xcalloc(p->nerrors + p->nproblems + strmap_count(p->units) + 1 +
	    p->ncs, sizeof(*v));
	for (size_t i = 0; i < p->nerrors; i++) {
		v[m].what = xstrdup("config");
		v[m].id = xstrdup("");
		v[m++].message = xstrdup(p->errors[i]);
	}
	for (size_t i = 0; i < p->ncs; i++)
		if (p->cs[i].data_error != NULL) {
			v[m].what = xstrdup("failed");
			v[m].id = xstrdup(p->cs[i].cfg->id);
			v[m++].message = xstrdup(p->cs[i].data_error);
		}
	for (size_t i = 0; i < p->nproblems; i++) {
		v[m].what = xstrdup(p->problems[i].what);
		v[m].id = xstrdup(p->problems[i].id);
		v[m++].message = xstrdup(p->problems[i].message);
	}
	while (!p->check && p->nfailed + p->ndrifted > 0 &&
	    strmap_next(p->units, &it, &k, &u_)) {
		struct unit *u = u_;
		if (u->state != UNIT_FAILED && u->state != UNIT_DRIFTED)
			continue;
		v[m].what = xstrdup(u->state == UNIT_FAILED ? "failed" :
		    "drifted");
		v[m].id = xstrdup(u->id);
		v[m++].message = xstrdup(u->state == UNIT_FAILED ? u->error :
		    "edited by hand since generated");
	}
	*n = m;
	return v;
}

void
project_problems_free(struct project_problem *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].what);
		free(v[i].id);
		free(v[i].message);
	}
	free(v);
}
