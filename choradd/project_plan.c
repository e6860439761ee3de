/*
 * project_plan — from pending paths to tasks: datasets re-read
 * incrementally, templates forgotten, outputs checked for drift, configs
 * reloaded; then, level by level, the units whose inputs changed (or the
 * new items) become render tasks and, on a rescan, the others verify
 * tasks.
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

/* ---- planning ------------------------------------------------------- */

void
project_mark_unit(void *arg, void *node)
{
	struct unit *u = node;

	u->marked = true;
	project_flag(arg, u);
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
				project_flag(p, old[ch->first + i]);
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

/*
 * A generated file changed on disk: ours, edited, or deleted.  Most such
 * events are the daemon's own renames (every output a pass writes comes
 * back as one): a file that is still exactly the one written is not read
 * again (10,000 of them cost the pass after a cold one ~100 ms).
 */
static void
output_changed(struct project *p, struct unit *u)
{
	char *abs = path_join(p->path, u->output), *text, h[HASH_HEX_SIZE];
	struct stat st;
	size_t n;

	if (lstat(abs, &st) == 0 && gen_file_same(&u->written, &st) &&
	    u->state != UNIT_DRIFTED) {
		free(abs);
		return;
	}
	if (fileio_read(abs, &text, &n) == -1) {
		project_mark_unit(p, u);	/* deleted: generate it again */
		free(abs);
		return;
	}
	free(abs);
	hash_sha256_hex(text, n, h);
	if (u->hash[0] != '\0' && strcmp(h, u->hash) != 0 &&
	    u->state != UNIT_DRIFTED)
		project_keep_drift(p, u, text, n);
	else if (strcmp(h, u->hash) == 0 && u->state == UNIT_DRIFTED)
		project_set_state(p, u, UNIT_OK);	/* edited back */
	free(text);
}

static void
reload(struct project *p)
{
	char *cause = NULL;
	struct root *r = root_load(p->path, &cause);

	if (r == NULL) {
		project_teardown_configs(p);
		project_add_error(p, cause);
		project_setup_configs(p);
		return;
	}
	project_remap_workspaces(p, r);
	project_teardown_configs(p);
	root_free(p->root);
	p->root = r;
	project_setup_configs(p);
	loader_forget_all(p->loader);
	project_record_configs(p);
	p->rescan = true;
}

/*
 * Does a config whose data could not be loaded (missing, invalid JSON)
 * read rel?  Then the change may heal it: it has no dataset to refresh,
 * so the configs are set up again.
 */
static bool
heals_data(struct project *p, const char *rel)
{
	for (size_t i = 0; i < p->ncs; i++)
		if (p->cs[i].ds == NULL && p->cs[i].data_error != NULL &&
		    config_reads_data(p->cs[i].cfg, rel))
			return true;
	return false;
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
		    root_is_config_path(p->root, rel) || heals_data(p, rel);
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
		if (graph_dependents(p->graph, rel, project_mark_unit, p) > 0)
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

/* Has dependency d of u changed (why, a static string), or NULL? */
static const char *
dep_changed(struct project *p, struct cstate *cs, struct unit *u,
    ssize_t elem, const struct unit_dep *d)
{
	const struct gen_ctx *gx = &cs->gx[u->ws];
	char h[HASH_HEX_SIZE];

	switch (d->kind) {
	case STORE_KIND_CONFIG:
		return strcmp(d->hash, gx->cfg_hash) != 0 ? "config changed" :
		    NULL;
	case STORE_KIND_TEMPLATE:
		if (loader_hash(p->loader, d->path, h) == -1)
			return d->hash[0] == '\0' ? NULL : "template removed";
		return strcmp(h, d->hash) != 0 ? d->hash[0] == '\0' ?
		    "template appeared" : "template changed" : NULL;
	case STORE_KIND_DATA:
		return cs->ds == NULL || strcmp(d->hash,
		    data_hash(cs->ds)) != 0 ? "data changed" : NULL;
	case STORE_KIND_DATA_PART:
		if (cs->ds == NULL)
			return "data changed";
		if (strstr(d->id, "#rest") != NULL)
			return strcmp(d->hash, cs->ds->rest_hash) != 0 ?
			    "data changed" : NULL;
		if (elem < 0)
			return "item changed";
		data_item_hash(cs->ds, (size_t)elem, h);
		return strcmp(h, d->hash) != 0 ? "item changed" : NULL;
	case STORE_KIND_CONTENT: {
		struct unit *pu = project_unit_get(p, u->ws, d->id);
		return pu == NULL || strcmp(pu->hash, d->hash) != 0 ?
		    "part changed" : NULL;
	}
	default:
		return NULL;
	}
}

/*
 * Is u out of date, and why (static string)?  any: by its inputs whatever
 * its freshness strategy (on_demand, immutable), and not as --check
 * renders everything.  *input names the changed input, if one did.
 */
static const char *
unit_why(struct project *p, struct cstate *cs, struct unit *u, ssize_t elem,
    bool any, const char **input)
{
	const struct config *c = cs->cfg;
	const char *why;
	struct stat st;

	*input = NULL;
	if (u->hash[0] == '\0')
		return "never generated";
	if (u->forced)
		return "forced";
	if (p->check && !any)
		return "checking";
	if (!any && (c->fresh == FRESH_ON_DEMAND ||
	    c->fresh == FRESH_IMMUTABLE))
		return NULL;
	if (u->state == UNIT_FAILED)
		return "failed before";
	if (c->fresh == FRESH_TTL && store_now() >= u->generated_at +
	    c->ttl * 1000)
		return "ttl expired";
	for (size_t i = 0; i < u->ndeps; i++)
		if ((why = dep_changed(p, cs, u, elem, &u->deps[i])) != NULL) {
			*input = u->deps[i].path != NULL ? u->deps[i].path :
			    u->deps[i].id;
			return why;
		}
	/* Last: a template edit makes 1,000 outputs stale without a stat
	 * each. */
	if (u->output != NULL) {
		char *abs = path_join(p->path, u->output);
		int rc = stat(abs, &st);
		free(abs);
		if (rc == -1)
			return "output missing";
	}
	return NULL;
}

static const char *
unit_stale(struct project *p, struct cstate *cs, struct unit *u,
    ssize_t elem)
{
	const char *input;

	return unit_why(p, cs, u, elem, false, &input);
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
	if (u != NULL && u->state != UNIT_DRIFTED)
		t->expect_file = u->written;
	t->want_full = u != NULL && u->full;
	if (u != NULL) {
		u->queued = true;
		project_flag(p, u);
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
		project_flag(p, u);
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
			project_flag(p, u);
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
		struct cstate *pcs = project_cstate(p, c->parts[i]);
		struct unit *one = project_unit_get(p, w, c->parts[i]);
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
			char *q = project_json_str(us[k]->id), *tq = project_json_str(text);
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
	struct unit *u = project_unit_get(p, w, cs->cfg->id);
	struct gen_task *t;

	if (u != NULL) {
		u->seen = true;
		project_flag(p, u);
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

/* ---- what is stale, for the stale method --------------------------- */

struct stale_walk {
	struct project	*p;
	struct strmap	*pending;	/* unit key -> the path it reads */
	const char	*path;
	project_stale_fn fn;
	void		*arg;
};

static void
stale_pending(void *arg, void *node)
{
	struct stale_walk *sw = arg;
	struct unit *u = node;
	char *k = project_unit_key(u->ws, u->id);

	strmap_set(sw->pending, k, (void *)sw->path);
	free(k);
}

/* Report u if it is stale (elem: its item, -1 without foreach). */
static void
stale_unit(struct stale_walk *sw, struct cstate *cs, struct unit *u,
    ssize_t elem)
{
	struct project *p = sw->p;
	const char *ws = p->root->ws[u->ws].name, *input, *why;
	char *k = project_unit_key(u->ws, u->id);
	const char *path = strmap_get(sw->pending, k);

	free(k);
	if (path != NULL)
		sw->fn(sw->arg, u, ws, "input changed, not processed yet",
		    path);
	else if (u->state == UNIT_FAILED)
		sw->fn(sw->arg, u, ws, "failed", NULL);
	else if (u->state == UNIT_DRIFTED)
		sw->fn(sw->arg, u, ws, "edited by hand; generate rewrites it "
		    "(the edit is kept in history)", NULL);
	else if (u->rolled_back && unit_why(p, cs, u, elem, true, &input) ==
	    NULL)
		sw->fn(sw->arg, u, ws, "rolled back to an earlier version; "
		    "generate rewrites it", NULL);
	else if ((why = unit_why(p, cs, u, elem, true, &input)) != NULL)
		sw->fn(sw->arg, u, ws, why, input);
}

void
project_stale(struct project *p, const char *ws, project_stale_fn fn,
    void *arg)
{
	struct stale_walk sw = { p, strmap_new(), NULL, fn, arg };
	size_t it = 0;
	const char *rel;
	int only = ws != NULL ? project_ws_index(p, ws) : -1;

	while (strmap_next(p->dirty, &it, &rel, NULL)) {
		sw.path = rel;
		graph_dependents(p->graph, rel, stale_pending, &sw);
	}
	for (size_t i = 0; i < p->ncs; i++) {
		struct cstate *cs = &p->cs[i];
		for (size_t w = 0; cs->gx != NULL && w < p->root->nws; w++) {
			struct unit *u;
			if (only >= 0 && w != (size_t)only)
				continue;
			for (size_t e = 0; cs->by_elem != NULL &&
			    e < cs->nelems; e++)
				if ((u = cs->by_elem[w][e]) != NULL)
					stale_unit(&sw, cs, u, (ssize_t)e);
			if (cs->by_elem == NULL && (u = project_unit_get(p, w,
			    cs->cfg->id)) != NULL)
				stale_unit(&sw, cs, u, -1);
		}
	}
	strmap_free(sw.pending);
}
