/*
 * store — the interface callers use (see store.h): argument checks and
 * defaults, then a call through the backend's ops table.  What does not
 * depend on the backend lives here too: the names of kinds, batches of
 * generations, and the deployment trail in
 * .chora/memory/events/deployment.jsonl.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cjson.h"
#include "fileio.h"
#include "path.h"
#include "xmalloc.h"

#define STORE_DEFAULT_WS	"default"

struct store {
	const struct store_ops	*ops;
	void			*b;
	char			*root;
	int			 flags;
};

static const struct store_ops *const store_backends[] = {
	&store_sqlite_ops,
	NULL,
};

/* ---- names ---- */

static const char *const store_kind_names[STORE_KIND_COUNT] = {
	"config", "template", "data", "data_part", "content",
};
static const char *const store_version_names[STORE_VERSION_COUNT] = {
	"generated", "drift", "removed", "rollback", "imported",
};
static const char *const store_freshness_names[STORE_FRESH_COUNT] = {
	"dependency", "ttl", "on_demand", "immutable",
};
static const char *const store_event_names[STORE_EVENT_COUNT] = {
	"generation", "failure", "drift", "deploy", "rollback", "removal",
	"gc", "migration",
};
static const char *const store_stale_names[STORE_STALE_COUNT] = {
	"input changed", "input removed", "config changed", "part stale",
	"ttl expired", "never generated", "drifted",
};

static const char *
store_name(const char *const *names, size_t n, int i)
{
	return i >= 0 && (size_t)i < n ? names[i] : "unknown";
}

static int
store_parse(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

#define STORE_NAMES(fn, type, table)					\
const char *								\
fn##_name(type v)							\
{									\
	return store_name(table, sizeof table / sizeof table[0], (int)v); \
}

STORE_NAMES(store_kind, enum store_kind, store_kind_names)
STORE_NAMES(store_version_kind, enum store_version_kind, store_version_names)
STORE_NAMES(store_freshness, enum store_freshness, store_freshness_names)
STORE_NAMES(store_event_kind, enum store_event_kind, store_event_names)
STORE_NAMES(store_stale_why, enum store_stale_why, store_stale_names)

int
store_kind_parse(const char *s)
{
	return store_parse(store_kind_names, STORE_KIND_COUNT, s);
}

int
store_version_kind_parse(const char *s)
{
	return store_parse(store_version_names, STORE_VERSION_COUNT, s);
}

int
store_freshness_parse(const char *s)
{
	return store_parse(store_freshness_names, STORE_FRESH_COUNT, s);
}

int
store_event_kind_parse(const char *s)
{
	return store_parse(store_event_names, STORE_EVENT_COUNT, s);
}

int64_t
store_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Event details are a JSON object or absent. */
static int
store_details_check(const char *details, const char *what, char **cause)
{
	json_t *doc;

	if (details == NULL)
		return 0;
	if ((doc = cjson_parse(details, strlen(details), what, cause)) == NULL)
		return -1;
	if (!json_is_object(doc)) {
		*cause = xprintf("%s: event details are not a JSON object",
		    what);
		json_decref(doc);
		return -1;
	}
	json_decref(doc);
	return 0;
}

static const char *
store_ws(const char *ws)
{
	return ws != NULL ? ws : STORE_DEFAULT_WS;
}

/* ---- opening ---- */

struct store *
store_open(const char *root, const struct store_options *opt, char **cause)
{
	static const struct store_options defaults;
	const char *name;
	struct store *s;
	size_t i;

	if (opt == NULL)
		opt = &defaults;
	name = opt->backend != NULL ? opt->backend : "sqlite";
	for (i = 0; store_backends[i] != NULL; i++)
		if (strcmp(store_backends[i]->name, name) == 0)
			break;
	if (store_backends[i] == NULL) {
		*cause = xprintf("unknown store backend \"%s\"", name);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->ops = store_backends[i];
	s->root = xstrdup(root);
	s->flags = opt->flags;
	if ((s->b = s->ops->open(root, opt, cause)) == NULL) {
		free(s->root);
		free(s);
		return NULL;
	}
	return s;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	s->ops->close(s->b);
	free(s->root);
	free(s);
}

int
store_schema_version(struct store *s)
{
	return s->ops->schema_version(s->b);
}

const char *
store_root(struct store *s)
{
	return s->root;
}

int
store_check(struct store *s, char **cause)
{
	return s->ops->check(s->b, cause);
}

int
store_begin(struct store *s, char **cause)
{
	return s->ops->begin(s->b, false, cause);
}

int
store_begin_batch(struct store *s, char **cause)
{
	return s->ops->begin(s->b, true, cause);
}

int
store_commit(struct store *s, char **cause)
{
	return s->ops->commit(s->b, cause);
}

void
store_rollback(struct store *s)
{
	s->ops->rollback(s->b);
}

/* ---- configs ---- */

int
store_config_put(struct store *s, struct store_config *c, char **cause)
{
	if (c->id == NULL || c->json == NULL || c->type == NULL) {
		*cause = xprintf("config %s: id, type and json are required",
		    c->id != NULL ? c->id : "(no id)");
		return -1;
	}
	c->workspace = store_ws(c->workspace);
	if (c->created_at == 0)
		c->created_at = store_now();
	return s->ops->config_put(s->b, c, cause);
}

int
store_config_get(struct store *s, const char *workspace, const char *id,
    const char *version, struct arena *a, struct store_config *out,
    char **cause)
{
	return s->ops->config_get(s->b, store_ws(workspace), id, version, a,
	    out, cause);
}

int
store_config_history(struct store *s, const char *workspace, const char *id,
    struct arena *a, struct store_config **out, size_t *n, char **cause)
{
	return s->ops->config_history(s->b, store_ws(workspace), id, a, out, n,
	    cause);
}

int
store_config_list(struct store *s, const struct store_filter *f,
    struct arena *a, struct store_config **out, size_t *n, char **cause)
{
	struct store_filter copy = *f;

	copy.workspace = store_ws(f->workspace);
	return s->ops->config_list(s->b, &copy, a, out, n, cause);
}

/* ---- content ---- */

static int
store_content_check(struct store_content *c, char **cause)
{
	if (c->id == NULL) {
		*cause = xstrdup("content without an id");
		return -1;
	}
	if ((unsigned)c->kind >= STORE_VERSION_COUNT ||
	    (unsigned)c->freshness >= STORE_FRESH_COUNT) {
		*cause = xprintf("%s: bad version kind or freshness", c->id);
		return -1;
	}
	if (c->text == NULL && c->kind != STORE_VERSION_REMOVED) {
		*cause = xprintf("%s: a %s version needs its text", c->id,
		    store_version_kind_name(c->kind));
		return -1;
	}
	c->workspace = store_ws(c->workspace);
	if (c->generated_at == 0)
		c->generated_at = store_now();
	return 0;
}

int
store_generation_put(struct store *s, struct store_generation *g,
    char **cause)
{
	if (store_content_check(&g->content, cause) == -1 ||
	    store_details_check(g->details, g->content.id, cause) == -1)
		return -1;
	return s->ops->generation_put(s->b, g, cause);
}

int
store_generation_put_batch(struct store *s, struct store_generation *g,
    size_t n, char **cause)
{
	if (store_begin_batch(s, cause) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (store_generation_put(s, &g[i], cause) == -1) {
			store_rollback(s);
			return -1;
		}
	}
	return store_commit(s, cause);
}

int
store_content_put(struct store *s, struct store_content *c, char **cause)
{
	if (store_content_check(c, cause) == -1)
		return -1;
	return s->ops->content_put(s->b, c, cause);
}

int
store_content_get(struct store *s, const char *workspace, const char *id,
    int64_t version, struct arena *a, struct store_content *out,
    char **cause)
{
	return s->ops->content_get(s->b, store_ws(workspace), id, version, a,
	    out, cause);
}

int
store_content_history(struct store *s, const char *workspace, const char *id,
    struct arena *a, struct store_content **out, size_t *n, char **cause)
{
	return s->ops->content_history(s->b, store_ws(workspace), id, a, out,
	    n, cause);
}

int
store_content_list(struct store *s, const struct store_filter *f,
    struct arena *a, struct store_content **out, size_t *n, char **cause)
{
	struct store_filter copy = *f;

	copy.workspace = store_ws(f->workspace);
	return s->ops->content_list(s->b, &copy, a, out, n, cause);
}

/* ---- dependencies ---- */

int
store_deps_set(struct store *s, const char *workspace,
    enum store_kind parent_kind, const char *parent_id,
    const struct store_dep *deps, size_t n, char **cause)
{
	return s->ops->deps_set(s->b, store_ws(workspace), parent_kind,
	    parent_id, deps, n, cause);
}

int
store_deps_get(struct store *s, const char *workspace,
    enum store_kind parent_kind, const char *parent_id, struct arena *a,
    struct store_dep **out, size_t *n, char **cause)
{
	return s->ops->deps_get(s->b, store_ws(workspace), parent_kind,
	    parent_id, a, out, n, cause);
}

int
store_deps_each(struct store *s, const char *workspace, store_edge_fn fn,
    void *arg, char **cause)
{
	return s->ops->deps_each(s->b, store_ws(workspace), fn, arg, cause);
}

int
store_deps_tree(struct store *s, const char *workspace, enum store_kind kind,
    const char *id, unsigned depth, bool reverse, struct arena *a,
    struct store_tree_node **out, size_t *n, char **cause)
{
	return s->ops->deps_tree(s->b, store_ws(workspace), kind, id, depth,
	    reverse, a, out, n, cause);
}

int
store_stale(struct store *s, const struct store_stale_query *q,
    struct arena *a, struct store_stale **out, size_t *n, char **cause)
{
	struct store_stale_query copy = *q;

	copy.workspace = store_ws(q->workspace);
	if (copy.now == 0)
		copy.now = store_now();
	return s->ops->stale(s->b, &copy, a, out, n, cause);
}

/* ---- events ---- */

int
store_event_append(struct store *s, struct store_event *ev, char **cause)
{
	if ((unsigned)ev->kind >= STORE_EVENT_COUNT) {
		*cause = xprintf("bad event kind %d", (int)ev->kind);
		return -1;
	}
	if (store_details_check(ev->details, store_event_kind_name(ev->kind),
	    cause) == -1)
		return -1;
	if (ev->at == 0)
		ev->at = store_now();
	return s->ops->event_append(s->b, ev, cause);
}

int
store_event_list(struct store *s, const struct store_event_filter *f,
    struct arena *a, struct store_event **out, size_t *n, char **cause)
{
	return s->ops->event_list(s->b, f, a, out, n, cause);
}

/* "2026-01-02T03:04:05Z" */
static void
store_iso8601(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The deployment's fields as a JSON object, in the SPEC's order. */
static json_t *
store_deploy_json(const struct store_deploy *d, bool with_time)
{
	json_t *o = json_object();
	char ts[32];

	if (o == NULL)
		return NULL;
	if (with_time) {
		store_iso8601(d->at, ts);
		json_object_set_new(o, "timestamp", json_string(ts));
		json_object_set_new(o, "event_type", json_string("deployment"));
	}
	json_object_set_new(o, "environment", json_string(d->environment));
	json_object_set_new(o, "version", json_string(d->version));
	json_object_set_new(o, "status", json_string(d->status));
	if (d->note != NULL)
		json_object_set_new(o, "note", json_string(d->note));
	if (d->workspace != NULL)
		json_object_set_new(o, "workspace", json_string(d->workspace));
	if (d->uid >= 0)
		json_object_set_new(o, "uid", json_integer(d->uid));
	return o;
}

static char *
store_deploy_text(const struct store_deploy *d, bool with_time, char **cause)
{
	json_t *o = store_deploy_json(d, with_time);
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	if (text == NULL)
		*cause = xprintf("deploy %s: fields are not valid UTF-8",
		    d->environment);
	return text;
}

/* Append one line with one write(2), so lines never interleave. */
static int
store_jsonl_append(struct store *s, const char *line, char **cause)
{
	char *dir = path_join(s->root, ".chora/memory/events");
	char *path = path_join(dir, "deployment.jsonl");
	char *text = xprintf("%s\n", line);
	size_t len = strlen(text);
	int fd = -1, rc = -1;
	ssize_t w;

	if (fileio_mkdirs(dir, 0755) == -1 || (fd = open(path, O_WRONLY |
	    O_APPEND | O_CREAT | O_CLOEXEC, 0644)) == -1)
		*cause = xprintf("%s: %s", path, strerror(errno));
	else if ((w = write(fd, text, len)) != (ssize_t)len)
		*cause = xprintf("%s: %s", path, w == -1 ? strerror(errno) :
		    "short write");
	else if (!(s->flags & STORE_NOFSYNC) && fsync(fd) == -1)
		*cause = xprintf("%s: fsync: %s", path, strerror(errno));
	else
		rc = 0;
	if (fd != -1)
		close(fd);
	free(text);
	free(path);
	free(dir);
	return rc;
}

int
store_deploy_record(struct store *s, const struct store_deploy *in,
    char **cause)
{
	struct store_deploy d = *in;
	struct store_event ev;
	char *details, *line;
	int rc;

	if (d.environment == NULL || d.version == NULL || d.status == NULL) {
		*cause = xstrdup("deploy: environment, version and status "
		    "are required");
		return -1;
	}
	if (d.at == 0)
		d.at = store_now();
	if ((details = store_deploy_text(&d, false, cause)) == NULL)
		return -1;
	if ((line = store_deploy_text(&d, true, cause)) == NULL) {
		free(details);
		return -1;
	}
	memset(&ev, 0, sizeof ev);
	ev.at = d.at;
	ev.kind = STORE_EVENT_DEPLOY;
	ev.uid = d.uid;
	ev.workspace = d.workspace;
	ev.subject = d.environment;
	ev.details = details;
	/* The trail line only once the event is in: never a line alone. */
	rc = store_event_append(s, &ev, cause);
	if (rc == 0)
		rc = store_jsonl_append(s, line, cause);
	free(details);
	free(line);
	return rc;
}

/* ---- maintenance ---- */

int
store_gc(struct store *s, unsigned keep, struct store_gc_stats *st,
    char **cause)
{
	return s->ops->gc(s->b, keep, st, cause);
}
