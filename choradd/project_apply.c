/*
 * project_apply — finished tasks back into the model: units, graph, the
 * store's writer queue, drift and failures; the end of a pass removes the
 * outputs nothing produces any more; stats and problems for status,
 * --check and the status file.
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

/*
 * Note an output recorded in this pass: the pass ends with one generation
 * event per workspace listing them, rather than an event row each.
 */
static void
log_generation(struct project *p, size_t ws, const char *id)
{
	struct passlog *l;
	char *q = project_json_str(id);

	if (p->passlog == NULL)
		p->passlog = xcalloc(p->root->nws, sizeof(*p->passlog));
	l = &p->passlog[ws];
	if (l->n++ > 0)
		buf_addc(&l->ids, ',');
	buf_addstr(&l->ids, q);
	free(q);
}

/* The pass's generation events, one per workspace that recorded any. */
static void
log_pass(struct project *p)
{
	for (size_t w = 0; p->passlog != NULL && w < p->root->nws; w++) {
		struct passlog *l = &p->passlog[w];
		char *d;

		if (l->n == 0)
			continue;
		d = xprintf("{\"count\":%zu,\"outputs\":[%s]}", l->n,
		    l->ids.data);
		project_event(p, STORE_EVENT_GENERATION, w, NULL, d);
		free(d);
		buf_free(&l->ids);
	}
	free(p->passlog);
	p->passlog = NULL;
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
		.deps = deps, .ndeps = t->ndeps, .uid = -1, .no_event = true,
	};
	g.content.generated_at = store_now();
	u->generated_at = g.content.generated_at;
	if (p->wq != NULL) {
		storeq_generation(p->wq, &g);
		log_generation(p, (size_t)(t->gx->ws - p->root->ws), u->id);
	}
	free(deps);
}

static void
apply_failure(struct project *p, struct gen_task *t, struct unit *u)
{
	char *d, *q = project_json_str(t->error);

	log_warnx("%s", t->error);
	project_set_state(p, u, UNIT_FAILED);
	free(u->error);
	u->error = xstrdup(t->error);
	if (p->check)
		problem(p, "failed", u->id, t->error);
	d = xprintf("{\"error\":%s}", q);
	project_event(p, STORE_EVENT_FAILURE, t->gx->ws - p->root->ws, u->id, d);
	free(d);
	free(q);
	/* A failed render still depends on what it read. */
	project_unit_set_deps(p, u, t->deps, t->ndeps);
	t->deps = NULL;
	t->ndeps = 0;
	project_unit_graph(p, u, t->gx->cfg);
}

static void
apply_verify(struct project *p, struct gen_task *t)
{
	struct unit *u = t->unit;

	if (!t->disk_exists) {
		project_mark_unit(p, u);
		project_touch(p, u->output);
	} else if (t->drift_text != NULL && u->state != UNIT_DRIFTED)
		project_keep_drift(p, u, t->drift_text, t->drift_len);
	else if (t->drift_text == NULL && u->state == UNIT_DRIFTED)
		project_set_state(p, u, UNIT_OK);
	if (p->check && t->drift_text != NULL && !u->clash)
		problem(p, "drifted", u->id, "edited by hand since generated");
}

/* An input as a person names it: a file, an item of one, a config. */
static char *
dep_name(enum store_kind kind, const char *id, const char *path)
{
	const char *item;

	switch (kind) {
	case STORE_KIND_CONFIG:
		return xprintf("config '%s'", id);
	case STORE_KIND_CONTENT:
		return xprintf("part '%s'", id);
	case STORE_KIND_DATA_PART:
		if ((item = strstr(id, "#item:")) != NULL)
			return xprintf("item '%s' of %s", item + 6, path);
		return xprintf("%s outside its items", path);
	default:
		return xstrdup(path != NULL ? path : id);
	}
}

/*
 * Why --check found t stale, from what u was generated from and what
 * the render just read: the first input whose hash moved, or one read
 * now and not then (or the reverse).  NULL when they agree (the store
 * was written by another chora, say).
 */
static char *
changed_input(const struct unit *u, const struct gen_task *t)
{
	char *name, *why;

	if (u->hash[0] == '\0')
		return xstrdup("never generated here");
	for (size_t i = 0; i < t->ndeps; i++) {
		const struct gen_dep *d = &t->deps[i];
		const struct unit_dep *o = NULL;
		for (size_t j = 0; j < u->ndeps && o == NULL; j++)
			if (u->deps[j].kind == d->kind &&
			    strcmp(u->deps[j].id, d->id) == 0)
				o = &u->deps[j];
		if (o != NULL && strcmp(o->hash, d->hash) == 0)
			continue;
		name = dep_name(d->kind, d->id, d->path);
		why = xprintf(o == NULL ? "now reads %s" : o->hash[0] == '\0' ?
		    "%s appeared" : d->hash[0] == '\0' ? "%s was removed" :
		    "%s changed", name);
		free(name);
		return why;
	}
	for (size_t j = 0; j < u->ndeps; j++) {
		bool kept = false;
		for (size_t i = 0; i < t->ndeps && !kept; i++)
			kept = u->deps[j].kind == t->deps[i].kind &&
			    strcmp(u->deps[j].id, t->deps[i].id) == 0;
		if (kept)
			continue;
		name = dep_name(u->deps[j].kind, u->deps[j].id,
		    u->deps[j].path);
		why = xprintf("no longer reads %s", name);
		free(name);
		return why;
	}
	return NULL;
}

/* --check's finding about t (a problem, and the message, which the
 * caller frees), or NULL when the output is as its sources make it. */
static char *
check_finding(struct project *p, struct unit *u, struct gen_task *t)
{
	const char *wsname = t->gx->ws->name;
	bool many = p->root->nws > 1;
	/* loaded drifted: the file is the edit the store kept */
	bool drifted = t->drift_text != NULL || u->state == UNIT_DRIFTED;
	char *m, *why;

	if (!t->changed)
		return NULL;
	why = changed_input(u, t);
	if (t->abs == NULL)
		m = xprintf("%s%s%s does not match its sources%s%s", t->id,
		    many ? " in workspace " : "", many ? wsname : "",
		    why != NULL ? ": " : "", why != NULL ? why : "");
	else if (!t->disk_exists)
		m = xprintf("%s is missing", t->output);
	else if (drifted && u->clash) {
		free(why);
		return NULL;	/* the clash is the finding */
	} else if (u->rolled_back && why == NULL)
		m = xprintf("%s was rolled back to an earlier version; "
		    "generate rewrites it", t->output);
	else if (drifted)
		m = xprintf("%s was edited by hand", t->output);
	else
		m = xprintf("%s does not match its sources%s%s", t->output,
		    why != NULL ? ": " : "", why != NULL ? why : "");
	free(why);
	problem(p, t->abs != NULL && !t->disk_exists ? "missing" :
	    drifted ? "drifted" : "stale", t->id, m);
	return m;
}

/* Tell the listener what a render of u (NULL: new) came to (finding:
 * --check's). */
static void
report_render(struct project *p, const struct unit *u, struct gen_task *t,
    const char *finding)
{
	struct project_report r = {
		.kind = t->error != NULL ? PROJECT_FAILED : t->changed ?
		    PROJECT_GENERATED : PROJECT_UNCHANGED,
		.workspace = t->gx->ws->name, .id = t->id, .output = t->output,
		.hash = t->hash, .error = t->error,
		.drifted = t->drift_text != NULL || (t->unit != NULL &&
		    t->unit->state == UNIT_DRIFTED),
		.missing = t->abs != NULL && !t->disk_exists,
		.finding = finding,
		.recovered = t->error == NULL && u != NULL &&
		    u->state == UNIT_FAILED && !u->clash,
	};

	project_report(p, &r);
}

/* Record t's render of u: a new version, or, the text unchanged, its
 * dependencies (they may have moved) and the time of the render. */
static void
record(struct project *p, struct unit *u, struct gen_task *t)
{
	struct store_dep *deps;

	if (strcmp(u->hash, t->hash) != 0 || t->changed ||
	    u->state == UNIT_DRIFTED) {
		record_generation(p, u, t);
		return;
	}
	/* A ttl counts from here, or an unchanged output would expire
	 * again at once. */
	u->generated_at = store_now();
	if (p->wq == NULL)
		return;
	deps = store_deps(t);
	storeq_deps_set(p->wq, t->gx->ws->name, u->id, deps, t->ndeps);
	free(deps);
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
	if ((u = project_unit_get(p, w, t->id)) == NULL)
		u = t->unit != NULL && strcmp(t->unit->id, t->id) == 0 ?
		    t->unit : project_unit_new(p, w, t->id, t->gx->cfg->id);
	u->seen = true;
	project_flag(p, u);
	u->forced = false;
	if (t->elem >= 0) {
		struct cstate *cs = project_cstate(p, t->gx->cfg->id);
		if (cs != NULL && cs->by_elem != NULL &&
		    (size_t)t->elem < cs->nelems)
			cs->by_elem[w][t->elem] = u;
	}
	if (t->error != NULL) {
		report_render(p, u, t, NULL);
		apply_failure(p, t, u);
		return;
	}
	if (t->drift_text != NULL && !p->check)
		project_keep_drift(p, u, t->drift_text, t->drift_len);
	if (p->check) {
		char *finding = check_finding(p, u, t);
		report_render(p, u, t, finding);
		free(finding);
	} else {
		report_render(p, u, t, NULL);
		record(p, u, t);
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
	if (t->output != NULL) {
		struct unit *o = strmap_get(p->by_output, t->output);
		if (o != NULL && o != u)
			p->clash_check = true;
	}
	project_unit_set_output(p, u, t->output);
	memcpy(u->hash, t->hash, HASH_HEX_SIZE);
	u->rolled_back = u->rolled_back && p->check;	/* rendered again */
	if (t->changed)
		u->written = t->written;
	u->full = t->full;
	project_set_state(p, u, UNIT_OK);
	free(u->error);
	u->error = NULL;
	project_unit_set_deps(p, u, t->deps, t->ndeps);
	t->deps = NULL;
	t->ndeps = 0;
	project_unit_graph(p, u, t->gx->cfg);
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

/*
 * An output nothing produces any more: keep its text, then delete it;
 * unless another output has taken its path (an item's key changed, its
 * output path did not): then the file is that one's.
 */
void
project_remove_unit(struct project *p, struct unit *u)
{
	struct unit *heir = u->output != NULL ? strmap_get(p->by_output,
	    u->output) : NULL;
	char *abs = u->output != NULL && (heir == NULL || heir == u) ?
	    path_join(p->path, u->output) : NULL;
	char *text = NULL, h[HASH_HEX_SIZE];
	size_t n = 0;

	if (abs != NULL && fileio_read(abs, &text, &n) == 0) {
		hash_sha256_hex(text, n, h);
		if (strcmp(h, u->hash) != 0)
			project_keep_drift(p, u, text, n);
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
		project_event(p, STORE_EVENT_REMOVAL, u->ws, u->id, NULL);
	}
	if (abs == NULL && u->output != NULL)
		log_info("%s: %s is no longer produced; %s is now %s's",
		    p->path, u->id, u->output, heir->id);
	else
		log_info("%s: removed %s (no config produces it any more)",
		    p->path, u->output != NULL ? u->output : u->id);
	struct project_report r = {
		.kind = PROJECT_REMOVED, .workspace = p->root->ws[u->ws].name,
		.id = u->id, .output = u->output,
	};
	project_report(p, &r);
	free(text);
	free(abs);
	project_unit_drop(p, u);
}

/* Where c writes, for errors: "configs/a.json:4". */
static char *
output_place(struct project *p, const struct unit *u)
{
	struct cstate *cs = project_cstate(p, u->config_id);

	if (cs == NULL)
		return xstrdup(u->config_id);
	return xprintf("%s:%d", cs->cfg->file, cs->cfg->output_line);
}

/* u writes the same file as o: a failure of u, named in both places. */
static void
clash_fail(struct project *p, struct unit *u, const struct unit *o,
    bool was)
{
	char *here = output_place(p, u), *there = output_place(p, o);
	char *m = xprintf("%s: error: '%s' writes %s, as '%s' does (%s): "
	    "each output needs a path of its own", here, u->id, u->output,
	    o->id, there);

	if (!was)
		log_warnx("%s", m);
	if (p->check && !was)
		problem(p, "failed", u->id, m);
	project_set_state(p, u, UNIT_FAILED);
	free(u->error);
	u->error = m;
	u->clash = true;
	free(here);
	free(there);
}

/*
 * Outputs that share a path: each fails, naming the other.  A full scan,
 * done only when a pass saw a path change hands or clashes are known (so
 * a fixed clash clears): the file holds whichever was written last.
 */
void
project_check_clashes(struct project *p)
{
	struct strmap *seen = strmap_new();
	struct unit **was = NULL;
	size_t it = 0, nwas = 0;
	const char *k;
	void *v;

	while (strmap_next(p->units, &it, &k, &v)) {
		struct unit *u = v;
		if (u->clash) {
			was = xreallocarray(was, nwas + 1, sizeof(*was));
			was[nwas++] = u;
		}
		u->clash = false;
	}
	p->nclashes = 0;
	it = 0;
	while (strmap_next(p->units, &it, &k, &v)) {
		struct unit *u = v, *o;
		if (u->output == NULL)
			continue;
		if ((o = strmap_get(seen, u->output)) == NULL) {
			strmap_set(seen, u->output, u);
			continue;
		}
		bool uw = false, ow = false;
		for (size_t i = 0; i < nwas; i++) {
			uw |= was[i] == u;
			ow |= was[i] == o;
		}
		p->nclashes += !o->clash + 1;
		clash_fail(p, u, o, uw);
		if (!o->clash)
			clash_fail(p, o, u, ow);
	}
	free(was);
	strmap_free(seen);
	p->clash_check = false;
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
	/*
	 * After a reload, outputs of configs that are gone go too; but not
	 * while a config file is invalid: it may be the one that made them,
	 * and a typo must not delete what it generated.
	 */
	if (p->rescan && !p->check && p->root->nerrors > 0)
		log_info("%s: configs have errors: outputs of configs not "
		    "found are kept until they load", p->path);
	while (p->rescan && !p->check && p->root->nerrors == 0 &&
	    strmap_next(p->units, &it, &k, &v)) {
		struct unit *u = v;
		if (project_cstate(p, u->config_id) == NULL) {
			gone = xreallocarray(gone, ngone + 1, sizeof(*gone));
			gone[ngone++] = u;
		}
	}
	for (size_t i = 0; i < ngone; i++)
		project_remove_unit(p, gone[i]);
	free(gone);
	if (p->clash_check || p->nclashes > 0)
		project_check_clashes(p);
	log_pass(p);
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
	/* Outputs the running pass has handed to workers, not yet done. */
	for (size_t i = 0; i < p->ntouched; i++)
		st->stale += p->touched[i]->queued;
	st->failed = p->nfailed + p->nerrors;
	st->drifted = p->ndrifted;
}

/* Did a config before config i have this data error (one file, read by
 * several configs: one mistake, said once)? */
static bool
said_before(const struct project *p, size_t i, const char *error)
{
	for (size_t j = 0; j < i; j++)
		if (p->cs[j].data_error != NULL &&
		    strcmp(p->cs[j].data_error, error) == 0)
			return true;
	return false;
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
		if (p->cs[i].data_error != NULL &&
		    !said_before(p, i, p->cs[i].data_error)) {
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
