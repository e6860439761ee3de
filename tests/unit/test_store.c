/*
 * Unit tests for the store's operations through store.h: configs,
 * content and blobs, retention and gc, dependencies and trees, freshness,
 * events and the deployment trail, transactions.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "fileio.h"
#include "hash.h"
#include "store.h"
#include "store_test.h"
#include "xmalloc.h"

static char *root;
static struct store *s;
static struct arena *a;
static char *cause;

static void
setup(void)
{
	root = st_tmproot();
	s = st_open(root, 0, STORE_NOFSYNC);
	a = arena_new();
	cause = NULL;
}

static void
teardown(void)
{
	store_close(s);
	arena_free(a);
	st_rmtree(root);
	free(root);
	free(cause);
}

TestSuite(store, .init = setup, .fini = teardown);

static int
put_config(const char *ws, const char *id, const char *version,
    const char *type, const char *json, struct store_config *out)
{
	struct store_config c = { .workspace = ws, .id = id,
	    .version = version, .type = type, .json = json };
	int rc = store_config_put(s, &c, &cause);

	if (out != NULL)
		*out = c;
	return rc;
}

static char *
bigtext(size_t len, char fill)
{
	char *t = xmalloc(len + 1);

	memset(t, fill, len);
	t[len] = '\0';
	return t;
}

static bool
file_exists(const char *rel)
{
	char *p = xprintf("%s/.chora/%s", root, rel);
	struct stat sb;
	bool ok = stat(p, &sb) == 0;

	free(p);
	return ok;
}

/* ---- layout and configs ---- */

Test(store, layout_on_create)
{
	char *txt, *p = xprintf("%s/.chora/schema_version.txt", root);
	size_t len;

	cr_assert_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
	cr_assert_eq(fileio_read(p, &txt, &len), 0);
	cr_assert_str_eq(txt, "3\n");
	cr_assert(file_exists("storage.db"));
	cr_assert(file_exists("blobs/content"));
	cr_assert(file_exists("memory/events"));
	cr_assert_eq(store_check(s, &cause), 0, "%s", cause);
	free(txt);
	free(p);
}

Test(store, config_versions_keyed_by_canonical_hash)
{
	struct store_config c1, c2, got;
	char want[HASH_HEX_SIZE];

	cr_assert_eq(put_config(NULL, "web", "1.0.0", "content",
	    "{\"id\":\"web\", \"type\":\"content\", \"n\": 1}", &c1), 1);
	hash_sha256_hex("{\"id\":\"web\",\"n\":1,\"type\":\"content\"}", 35,
	    want);
	cr_assert_str_eq(c1.hash, want);
	/* Reformatted and reordered: the same version. */
	cr_assert_eq(put_config(NULL, "web", "1.0.0", "content",
	    "{\n  \"n\": 1,\n  \"type\": \"content\",\n  \"id\": \"web\"\n}",
	    &c2), 0);
	cr_assert_eq(c2.seq, c1.seq);
	/* An edit without a version bump is a new version. */
	cr_assert_eq(put_config(NULL, "web", "1.0.0", "content",
	    "{\"id\":\"web\",\"type\":\"content\",\"n\":2}", &c2), 1);
	cr_assert_neq(c2.seq, c1.seq);
	cr_assert_eq(put_config(NULL, "web", "1.1.0", "content",
	    "{\"id\":\"web\",\"type\":\"content\",\"n\":3}", NULL), 1);

	cr_assert_eq(store_config_get(s, NULL, "web", NULL, a, &got, &cause),
	    0);
	cr_assert_str_eq(got.version, "1.1.0");
	cr_assert_str_eq(got.json, "{\"id\":\"web\",\"n\":3,\"type\":\"content\"}");
	cr_assert_str_eq(got.workspace, "default");
	cr_assert_eq(store_config_get(s, NULL, "web", "1.0.0", a, &got,
	    &cause), 0);
	cr_assert_str_eq(got.hash, c2.hash, "newest with that version");
	cr_assert_eq(store_config_get(s, NULL, "web", c1.hash, a, &got,
	    &cause), 0);
	cr_assert_eq(got.seq, c1.seq);
	cr_assert_eq(store_config_get(s, NULL, "web", "9.9", a, &got, &cause),
	    1);
	cr_assert_eq(store_config_get(s, NULL, "nope", NULL, a, &got, &cause),
	    1);
	cr_assert_eq(store_config_get(s, "nows", "web", NULL, a, &got, &cause),
	    1);

	struct store_config *h;
	size_t n;
	cr_assert_eq(store_config_history(s, NULL, "web", a, &h, &n, &cause),
	    0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(h[0].version, "1.1.0");
	cr_assert_eq(h[2].seq, c1.seq);
}

Test(store, config_bad_json_names_config_and_line)
{
	cr_assert_eq(put_config(NULL, "broken", "1", "content",
	    "{\"id\": \"broken\",\n\"x\": [1,\n}", NULL), -1);
	cr_assert_not_null(strstr(cause, "broken:3: error:"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(put_config(NULL, "arr", "1", "content", "[1]", NULL), -1);
	cr_assert_not_null(strstr(cause, "not a JSON object"), "%s", cause);
}

Test(store, config_list_by_type_and_context)
{
	char id[32], json[160];

	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof id, "c%02d", i);
		snprintf(json, sizeof json, "{\"id\":\"%s\",\"context\":"
		    "{\"team\":\"%s\",\"tier\":%d,\"meta\":{\"os\":\"%s\"}}}",
		    id, i % 2 ? "infra" : "web", i % 3, i < 5 ? "linux" : "bsd");
		cr_assert_eq(put_config("prod", id, "1", i < 15 ? "content" :
		    "artifact", json, NULL), 1, "%s", cause);
	}
	struct store_config *v;
	size_t n;
	struct store_filter f = { .workspace = "prod" };

	cr_assert_eq(store_config_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 20);
	cr_assert_str_eq(v[0].id, "c00");
	cr_assert_null(v[0].json);
	f.type = "artifact";
	cr_assert_eq(store_config_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 5);
	f.type = NULL;
	struct store_where w[] = { { "team", "infra" }, { "tier", "0" },
	    { "meta.os", "bsd" } };
	f.where = w;
	f.nwhere = 1;
	cr_assert_eq(store_config_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 10);
	f.nwhere = 2;	/* odd i with i % 3 == 0: 3, 9, 15 */
	cr_assert_eq(store_config_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(v[2].id, "c15");
	f.nwhere = 3;	/* and not below 5 */
	cr_assert_eq(store_config_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(v[0].id, "c09");
	f.nwhere = 1;
	f.limit = 4;
	cr_assert_eq(store_config_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 4);
	f.workspace = "absent";
	cr_assert_eq(store_config_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 0);
	f.nwhere = STORE_WHERE_MAX + 1;
	cr_assert_eq(store_config_list(s, &f, a, &v, &n, &cause), -1);
}

/* ---- content, blobs, retention ---- */

Test(store, content_versions_and_history)
{
	struct store_content c;

	cr_assert_eq(st_gen(s, NULL, "web/a", "one\n", 4, "{\"k\":1}", NULL,
	    0), 1);
	cr_assert_eq(st_gen(s, NULL, "web/a", "two\n", 4, "{\"k\":1}", NULL,
	    0), 2);
	cr_assert_eq(st_gen(s, NULL, "web/a", "", 0, NULL, NULL, 0), 3);
	cr_assert_eq(store_content_get(s, NULL, "web/a", 0, a, &c, &cause), 0);
	cr_assert_eq(c.version, 3);
	cr_assert_eq(c.len, 0);
	cr_assert_not_null(c.text, "an empty text is still a text");
	cr_assert_str_eq(c.context, "{}");
	cr_assert_eq(store_content_get(s, NULL, "web/a", 1, a, &c, &cause), 0);
	cr_assert_str_eq(c.text, "one\n");
	cr_assert_str_eq(c.config_id, "cfg");
	cr_assert_str_eq(c.output_path, "web/a");
	cr_assert_eq(c.kind, STORE_VERSION_GENERATED);
	char h[HASH_HEX_SIZE];
	hash_sha256_hex("one\n", 4, h);
	cr_assert_str_eq(c.hash, h);
	cr_assert_eq(store_content_get(s, NULL, "web/a", 9, a, &c, &cause), 1);
	cr_assert_eq(store_content_get(s, NULL, "web/b", 0, a, &c, &cause), 1);

	struct store_content *v;
	size_t n;
	cr_assert_eq(store_content_history(s, NULL, "web/a", a, &v, &n,
	    &cause), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(v[0].version, 3);
	cr_assert_eq(v[2].version, 1);
	cr_assert_null(v[0].text);
	cr_assert_eq(v[1].len, 4);
}

Test(store, drift_and_removal_versions)
{
	struct store_content c = { .id = "web/a", .kind = STORE_VERSION_DRIFT,
	    .text = "edited by hand\n", .len = 15 };

	st_gen(s, NULL, "web/a", "gen\n", 4, NULL, NULL, 0);
	cr_assert_eq(store_content_put(s, &c, &cause), 0, "%s", cause);
	cr_assert_eq(c.version, 2);
	st_gen(s, NULL, "web/a", "gen\n", 4, NULL, NULL, 0);

	struct store_content *v;
	size_t n;
	cr_assert_eq(store_content_history(s, NULL, "web/a", a, &v, &n,
	    &cause), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(v[1].kind, STORE_VERSION_DRIFT);
	struct store_content got;
	cr_assert_eq(store_content_get(s, NULL, "web/a", 2, a, &got, &cause),
	    0);
	cr_assert_str_eq(got.text, "edited by hand\n");

	struct store_content rm = { .id = "web/a",
	    .kind = STORE_VERSION_REMOVED };
	cr_assert_eq(store_content_put(s, &rm, &cause), 0, "%s", cause);
	cr_assert_eq(store_content_get(s, NULL, "web/a", 0, a, &got, &cause),
	    0);
	cr_assert_eq(got.kind, STORE_VERSION_REMOVED);
	cr_assert_null(got.text);
	struct store_filter f = { 0 };
	cr_assert_eq(store_content_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 0, "removed outputs are not listed");

	struct store_content bad = { .id = "x", .kind = STORE_VERSION_DRIFT };
	cr_assert_eq(store_content_put(s, &bad, &cause), -1);
	free(cause);
	cause = NULL;
	struct store_content badctx = { .id = "x", .text = "t", .len = 1,
	    .context = "[1,2]" };
	cr_assert_eq(store_content_put(s, &badctx, &cause), -1);
	cr_assert_not_null(strstr(cause, "context"), "%s", cause);
}

Test(store, blob_threshold_is_102400_bytes)
{
	char *below = bigtext(STORE_BLOB_THRESHOLD - 1, 'a');
	char *at = bigtext(STORE_BLOB_THRESHOLD, 'b');
	struct store_content c;
	char h[HASH_HEX_SIZE], *rel;

	cr_assert_eq(STORE_BLOB_THRESHOLD, 102400);
	st_gen(s, NULL, "below", below, 102399, NULL, NULL, 0);
	cr_assert_eq(st_nblobs(root), 0);
	cr_assert_eq(store_content_get(s, NULL, "below", 0, a, &c, &cause), 0);
	cr_assert_null(c.blob);
	cr_assert_eq(c.len, 102399);
	cr_assert_eq(memcmp(c.text, below, 102399), 0);

	st_gen(s, NULL, "at", at, 102400, NULL, NULL, 0);
	cr_assert_eq(st_nblobs(root), 1);
	hash_sha256_hex(at, 102400, h);
	rel = xprintf("blobs/content/sha256-%s", h);
	cr_assert(file_exists(rel));
	cr_assert_eq(store_content_get(s, NULL, "at", 0, a, &c, &cause), 0);
	cr_assert_str_eq(c.blob, rel);
	cr_assert_eq(c.len, 102400);
	cr_assert_eq(memcmp(c.text, at, 102400), 0);
	free(rel);
	free(below);
	free(at);
}

Test(store, blobs_deduplicated_and_checked)
{
	char *big = bigtext(200000, 'x'), *p;
	struct store_content c;

	st_gen(s, NULL, "one", big, 200000, NULL, NULL, 0);
	st_gen(s, "other", "two", big, 200000, NULL, NULL, 0);
	st_gen(s, NULL, "one", big, 200000, NULL, NULL, 0);
	cr_assert_eq(st_nblobs(root), 1, "equal texts share one blob");
	big[0] = 'y';
	st_gen(s, NULL, "three", big, 200000, NULL, NULL, 0);
	cr_assert_eq(st_nblobs(root), 2);

	/* A damaged blob is reported, not returned. */
	cr_assert_eq(store_content_get(s, NULL, "three", 0, a, &c, &cause), 0);
	p = xprintf("%s/.chora/%s", root, c.blob);
	cr_assert_eq(fileio_write_atomic(p, "junk", 4, false, 0644, &cause),
	    0);
	cr_assert_eq(store_content_get(s, NULL, "three", 0, a, &c, &cause), -1);
	cr_assert_not_null(strstr(cause, "corrupt"), "%s", cause);
	free(p);
	free(big);
}

Test(store, history_retention_prunes_versions_and_blobs)
{
	char *t = bigtext(150000, 'a');
	struct store_content *v;
	size_t n;

	store_close(s);
	s = st_open(root, 3, STORE_NOFSYNC);
	for (int i = 0; i < 5; i++) {
		t[0] = (char)('a' + i);
		st_gen(s, NULL, "big", t, 150000, NULL, NULL, 0);
	}
	cr_assert_eq(store_content_history(s, NULL, "big", a, &v, &n, &cause),
	    0);
	cr_assert_eq(n, 3);
	cr_assert_eq(v[2].version, 3);
	cr_assert_eq(st_nblobs(root), 3, "pruned versions' blobs are gone");

	/* A blob still used by a kept version survives its pruned twin. */
	t[0] = 'S';
	st_gen(s, NULL, "shared", t, 150000, NULL, NULL, 0);
	st_gen(s, NULL, "keeper", t, 150000, NULL, NULL, 0);
	for (int i = 0; i < 3; i++)
		st_gen(s, NULL, "shared", "small", 5, NULL, NULL, 0);
	cr_assert_eq(st_nblobs(root), 4);
	struct store_content c;
	cr_assert_eq(store_content_get(s, NULL, "keeper", 0, a, &c, &cause),
	    0);
	cr_assert_eq(c.text[0], 'S');
	free(t);
}

Test(store, gc_keeps_referenced_blobs_removes_the_rest)
{
	char *t = bigtext(120000, 'a');
	struct store_gc_stats gs;
	char *stray, *tmp;

	for (int i = 0; i < 4; i++) {
		t[0] = (char)('a' + i);
		st_gen(s, NULL, "big", t, 120000, NULL, NULL, 0);
	}
	st_gen(s, NULL, "twin", t, 120000, NULL, NULL, 0);	/* = v4 */
	cr_assert_eq(st_nblobs(root), 4);
	stray = xprintf("%s/.chora/blobs/content/sha256-%064d", root, 0);
	tmp = xprintf("%s/.chora/blobs/content/.chora-tmp.x.123", root);
	cr_assert_eq(fileio_write_atomic(stray, "s", 1, false, 0644, &cause),
	    0);
	cr_assert_eq(fileio_write_atomic(tmp, "t", 1, false, 0644, &cause), 0);

	cr_assert_eq(store_gc(s, 0, &gs, &cause), 0, "%s", cause);
	cr_assert_eq(gs.versions_pruned, 0, "history 0 keeps every version");
	cr_assert_eq(gs.blobs_removed, 1);
	cr_assert_eq(gs.temp_removed, 1);
	cr_assert_eq(gs.blobs_kept, 4);
	cr_assert_eq(access(stray, F_OK), -1);

	cr_assert_eq(store_gc(s, 1, &gs, &cause), 0, "%s", cause);
	cr_assert_eq(gs.versions_pruned, 3);
	cr_assert_eq(gs.blobs_removed, 3);
	cr_assert_eq(gs.blobs_kept, 1, "v4's blob is shared with twin");
	struct store_content c;
	cr_assert_eq(store_content_get(s, NULL, "big", 0, a, &c, &cause), 0);
	cr_assert_eq(c.text[0], 'd');
	cr_assert_eq(store_content_get(s, NULL, "twin", 0, a, &c, &cause), 0);
	cr_assert_eq(store_content_get(s, NULL, "big", 1, a, &c, &cause), 1);

	struct store_event *ev;
	size_t n;
	struct store_event_filter ef = { .kind = STORE_EVENT_GC };
	cr_assert_eq(store_event_list(s, &ef, a, &ev, &n, &cause), 0);
	cr_assert_eq(n, 2);
	free(stray);
	free(tmp);
	free(t);
}

Test(store, content_context_query)
{
	char id[32], ctx[96];

	for (int i = 0; i < 30; i++) {
		snprintf(id, sizeof id, "svc/%02d", i);
		snprintf(ctx, sizeof ctx, "{\"team\":\"%s\",\"port\":%d,"
		    "\"on\":%s}", i % 3 ? "web" : "infra", 8000 + i % 2,
		    i % 5 ? "true" : "false");
		st_gen(s, NULL, id, "x", 1, ctx, NULL, 0);
	}
	/* A new version with a new context moves it. */
	st_gen(s, NULL, "svc/00", "y", 1, "{\"team\":\"web\"}", NULL, 0);
	/* A first version without a context, then one with it. */
	st_gen(s, NULL, "late", "x", 1, NULL, NULL, 0);
	st_gen(s, NULL, "late", "y", 1, "{\"team\":\"late\"}", NULL, 0);

	struct store_where w[] = { { "team", "infra" }, { "port", "8001" },
	    { "on", "false" } };
	struct store_filter f = { .where = w, .nwhere = 1 };
	struct store_content *v;
	size_t n;

	cr_assert_eq(store_content_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 9);
	cr_assert_str_eq(v[0].id, "svc/03");
	cr_assert_null(v[0].text);
	f.nwhere = 2;	/* i % 3 == 0, odd: 3, 9, 15, 21, 27 */
	cr_assert_eq(store_content_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 5);
	f.nwhere = 3;	/* and i % 5 == 0: 15 */
	cr_assert_eq(store_content_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(v[0].id, "svc/15");
	cr_assert_str_eq(v[0].context, "{\"on\":false,\"port\":8001,"
	    "\"team\":\"infra\"}");
	w[0].value = "late";
	f.nwhere = 1;
	cr_assert_eq(store_content_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(v[0].id, "late");
	f.nwhere = 0;
	f.config_id = "cfg";
	cr_assert_eq(store_content_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 31);
	f.config_id = "other";
	cr_assert_eq(store_content_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 0);
}

/* ---- dependencies ---- */

static const struct store_dep readme_deps[] = {
	{ STORE_KIND_CONTENT, "intro", NULL, "h-intro" },
	{ STORE_KIND_CONTENT, "table", NULL, "h-table" },
	{ STORE_KIND_CONFIG, "readme", NULL, "h-cfg" },
};
static const struct store_dep part_deps[] = {
	{ STORE_KIND_TEMPLATE, "t/part.j2", "t/part.j2", "h-tpl" },
	{ STORE_KIND_TEMPLATE, "t/macros.j2", "t/macros.j2", "h-mac" },
	{ STORE_KIND_DATA_PART, "d.json#rows", "d.json", "h-rows" },
};

static void
build_graph(void)
{
	cr_assert_eq(store_deps_set(s, NULL, STORE_KIND_CONTENT, "readme",
	    readme_deps, 3, &cause), 0, "%s", cause);
	cr_assert_eq(store_deps_set(s, NULL, STORE_KIND_CONTENT, "intro",
	    part_deps, 2, &cause), 0);
	cr_assert_eq(store_deps_set(s, NULL, STORE_KIND_CONTENT, "table",
	    part_deps, 3, &cause), 0);
}

Test(store, deps_set_get_each)
{
	struct store_dep *d;
	size_t n;

	build_graph();
	cr_assert_eq(store_deps_get(s, NULL, STORE_KIND_CONTENT, "table", a,
	    &d, &n, &cause), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(d[0].kind, STORE_KIND_DATA_PART);
	cr_assert_str_eq(d[0].id, "d.json#rows");
	cr_assert_str_eq(d[0].path, "d.json");
	cr_assert_str_eq(d[2].hash, "h-tpl");
	/* Replacing a set drops the old edges. */
	cr_assert_eq(store_deps_set(s, NULL, STORE_KIND_CONTENT, "table",
	    part_deps + 2, 1, &cause), 0);
	cr_assert_eq(store_deps_get(s, NULL, STORE_KIND_CONTENT, "table", a,
	    &d, &n, &cause), 0);
	cr_assert_eq(n, 1);

	struct store_dep bad = { STORE_KIND_DATA, "x", NULL, NULL };
	cr_assert_eq(store_deps_set(s, NULL, STORE_KIND_CONTENT, "table", &bad,
	    1, &cause), -1);
	free(cause);
	cause = NULL;
	cr_assert_eq(store_deps_get(s, NULL, STORE_KIND_CONTENT, "table", a,
	    &d, &n, &cause), 0);
	cr_assert_eq(n, 1, "a failed set changes nothing");
}

static int
count_edges(void *arg, enum store_kind pk, const char *pid,
    const struct store_dep *d)
{
	(void)pk;
	(void)pid;
	(void)d;
	return ++*(int *)arg == 100 ? 7 : 0;
}

Test(store, deps_each_walks_all_edges)
{
	int count = 0;

	build_graph();
	cr_assert_eq(store_deps_each(s, NULL, count_edges, &count, &cause), 0);
	cr_assert_eq(count, 8);
	count = 99;
	cr_assert_eq(store_deps_each(s, NULL, count_edges, &count, &cause), 7,
	    "a callback's non-zero stops the walk and is returned");
}

Test(store, tree_and_reverse_tree)
{
	struct store_tree_node *t;
	size_t n;

	build_graph();
	cr_assert_eq(store_deps_tree(s, NULL, STORE_KIND_CONTENT, "readme", 0,
	    false, a, &t, &n, &cause), 0, "%s", cause);
	cr_assert_eq(n, 8);
	/* Depth-first: each part is followed by its own inputs. */
	cr_assert_eq(t[0].kind, STORE_KIND_CONFIG);
	cr_assert_str_eq(t[1].id, "intro");
	cr_assert_eq(t[1].depth, 1);
	cr_assert_eq(t[2].depth, 2);
	cr_assert_str_eq(t[2].parent_id, "intro");
	cr_assert_str_eq(t[4].id, "table");
	cr_assert_eq(t[5].kind, STORE_KIND_DATA_PART);
	for (size_t i = 0; i < n; i++)
		cr_assert(!t[i].cycle);

	cr_assert_eq(store_deps_tree(s, NULL, STORE_KIND_CONTENT, "readme", 1,
	    false, a, &t, &n, &cause), 0);
	cr_assert_eq(n, 3, "depth 1: direct dependencies only");

	cr_assert_eq(store_deps_tree(s, NULL, STORE_KIND_TEMPLATE, "t/part.j2",
	    0, true, a, &t, &n, &cause), 0);
	cr_assert_eq(n, 4);	/* intro, readme, table, readme */
	cr_assert_str_eq(t[0].id, "intro");
	cr_assert_eq(t[0].kind, STORE_KIND_CONTENT);
	cr_assert_str_eq(t[0].parent_id, "t/part.j2");
	cr_assert_str_eq(t[1].id, "readme");
	cr_assert_eq(t[1].depth, 2);
	cr_assert_str_eq(t[1].parent_id, "intro");
	cr_assert_str_eq(t[3].id, "readme");

	cr_assert_eq(store_deps_tree(s, NULL, STORE_KIND_TEMPLATE, "nothing",
	    0, true, a, &t, &n, &cause), 0);
	cr_assert_eq(n, 0);
}

Test(store, cycle_is_reported_not_followed)
{
	struct store_dep ab = { STORE_KIND_CONTENT, "b", NULL, "hb" };
	struct store_dep bc = { STORE_KIND_CONTENT, "c", NULL, "hc" };
	struct store_dep ca = { STORE_KIND_CONTENT, "a", NULL, "ha" };
	struct store_dep self = { STORE_KIND_CONTENT, "s", NULL, "hs" };
	struct store_tree_node *t;
	size_t n;

	store_deps_set(s, NULL, STORE_KIND_CONTENT, "a", &ab, 1, &cause);
	store_deps_set(s, NULL, STORE_KIND_CONTENT, "b", &bc, 1, &cause);
	store_deps_set(s, NULL, STORE_KIND_CONTENT, "c", &ca, 1, &cause);
	store_deps_set(s, NULL, STORE_KIND_CONTENT, "s", &self, 1, &cause);

	cr_assert_eq(store_deps_tree(s, NULL, STORE_KIND_CONTENT, "a", 0,
	    false, a, &t, &n, &cause), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(t[2].id, "a");
	cr_assert(t[2].cycle);
	cr_assert(!t[0].cycle && !t[1].cycle);
	cr_assert_eq(store_deps_tree(s, NULL, STORE_KIND_CONTENT, "a", 0,
	    true, a, &t, &n, &cause), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(t[0].id, "c");
	cr_assert(t[2].cycle);
	cr_assert_eq(store_deps_tree(s, NULL, STORE_KIND_CONTENT, "s", 0,
	    false, a, &t, &n, &cause), 0);
	cr_assert_eq(n, 1);
	cr_assert(t[0].cycle);
}

/* ---- freshness ---- */

struct hashes {
	const char *kind_id[8][2];
	int n;
};

/* The lookup a daemon would give: current hashes from its own table. */
static int
lookup(void *arg, enum store_kind kind, const char *id, const char *path,
    char out[HASH_HEX_SIZE])
{
	struct hashes *h = arg;

	(void)kind;
	cr_assert_not_null(path);
	for (int i = 0; i < h->n; i++)
		if (strcmp(h->kind_id[i][0], id) == 0) {
			if (h->kind_id[i][1] == NULL)
				return 1;
			snprintf(out, HASH_HEX_SIZE, "%s", h->kind_id[i][1]);
			return 0;
		}
	return -1;
}

static void
gen_full(const char *id, const char *cfg_hash, enum store_freshness fr,
    int64_t ttl, int64_t at, const struct store_dep *deps, size_t n)
{
	struct store_generation g = {
		.content = { .id = id, .text = id, .len = strlen(id),
		    .config_id = id, .config_hash = cfg_hash,
		    .freshness = fr, .ttl = ttl, .generated_at = at },
		.deps = deps, .ndeps = n, .uid = -1,
	};
	cr_assert_eq(store_generation_put(s, &g, &cause), 0, "%s", cause);
}

static size_t
find_stale(const struct store_stale *v, size_t n, const char *id,
    enum store_stale_why why)
{
	size_t hits = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].content_id, id) == 0 && v[i].why == why)
			hits++;
	return hits;
}

Test(store, freshness_strategies_and_reasons)
{
	struct store_config cfg;
	const struct store_dep tdep[] = {
		{ STORE_KIND_TEMPLATE, "t.j2", "t.j2", "T1" },
		{ STORE_KIND_DATA, "d.json", "d.json", "D1" },
	};
	struct store_dep cdep = { STORE_KIND_CONFIG, "web", NULL, NULL };
	int64_t t0 = 1000000;

	put_config(NULL, "web", "1", "content", "{\"id\":\"web\",\"n\":1}",
	    &cfg);
	cdep.hash = cfg.hash;
	struct store_dep both[] = { tdep[0], tdep[1], cdep };
	gen_full("dep", cfg.hash, STORE_FRESH_DEPENDENCY, 0, t0, both, 3);
	gen_full("ttl", NULL, STORE_FRESH_TTL, 60, t0, tdep, 1);
	gen_full("lazy", NULL, STORE_FRESH_ON_DEMAND, 0, t0, tdep, 2);
	gen_full("frozen", NULL, STORE_FRESH_IMMUTABLE, 0, t0, tdep, 2);
	gen_full("other", NULL, STORE_FRESH_DEPENDENCY, 0, t0, tdep + 1, 1);
	struct store_dep parts[] = {
		{ STORE_KIND_CONTENT, "dep", NULL, NULL },
	};
	struct store_content c;
	store_content_get(s, NULL, "dep", 0, a, &c, &cause);
	parts[0].hash = c.hash;
	gen_full("art", NULL, STORE_FRESH_DEPENDENCY, 0, t0, parts, 1);

	struct hashes h = { { { "t.j2", "T1" }, { "d.json", "D1" } }, 2 };
	struct store_stale_query q = { .lookup = lookup, .arg = &h,
	    .now = t0 + 1000 };
	struct store_stale *v;
	size_t n;

	cr_assert_eq(store_stale(s, &q, a, &v, &n, &cause), 0, "%s", cause);
	cr_assert_eq(n, 0, "nothing changed");

	/* The template changes: dependency and ttl outputs go stale, and
	 * the artifact through its part; on_demand/immutable do not. */
	h.kind_id[0][1] = "T2";
	cr_assert_eq(store_stale(s, &q, a, &v, &n, &cause), 0);
	cr_assert_eq(find_stale(v, n, "dep", STORE_STALE_INPUT), 1);
	cr_assert_eq(find_stale(v, n, "ttl", STORE_STALE_INPUT), 1);
	cr_assert_eq(find_stale(v, n, "art", STORE_STALE_PART), 1);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(v[0].content_id, "art", "sorted by id");
	size_t i = v[1].why == STORE_STALE_INPUT ? 1 : 2;
	cr_assert_str_eq(v[i].input_id, "t.j2");
	cr_assert_str_eq(v[i].old_hash, "T1");
	cr_assert_str_eq(v[i].new_hash, "T2");

	/* The data file disappears; the config gets a new version; time. */
	h.kind_id[0][1] = "T1";
	h.kind_id[1][1] = NULL;
	put_config(NULL, "web", "2", "content", "{\"id\":\"web\",\"n\":2}",
	    NULL);
	q.now = t0 + 61000;
	cr_assert_eq(store_stale(s, &q, a, &v, &n, &cause), 0);
	cr_assert_eq(find_stale(v, n, "dep", STORE_STALE_INPUT_GONE), 1);
	cr_assert_eq(find_stale(v, n, "other", STORE_STALE_INPUT_GONE), 1);
	cr_assert_eq(find_stale(v, n, "dep", STORE_STALE_CONFIG), 1);
	cr_assert_eq(find_stale(v, n, "ttl", STORE_STALE_TTL), 1);
	cr_assert_eq(find_stale(v, n, "art", STORE_STALE_PART), 1,
	    "spread once however many reasons its part has");
	cr_assert_eq(find_stale(v, n, "lazy", STORE_STALE_INPUT_GONE), 0);
	cr_assert_eq(n, 5);

	/* The changed-inputs form, and never-generated expected outputs. */
	struct store_input ch[] = { { STORE_KIND_DATA, "d.json", "D9" } };
	const char *expected[] = { "dep", "brand-new" };
	struct store_stale_query q2 = { .changed = ch, .nchanged = 1,
	    .expected = expected, .nexpected = 2, .now = t0 };
	cr_assert_eq(store_stale(s, &q2, a, &v, &n, &cause), 0);
	cr_assert_eq(find_stale(v, n, "dep", STORE_STALE_INPUT), 1);
	cr_assert_eq(find_stale(v, n, "other", STORE_STALE_INPUT), 1);
	cr_assert_eq(find_stale(v, n, "brand-new", STORE_STALE_NEVER), 1);
	cr_assert_eq(find_stale(v, n, "ttl", STORE_STALE_INPUT), 0);

	/* A hand edit recorded as the latest version. */
	struct store_content drift = { .id = "frozen",
	    .kind = STORE_VERSION_DRIFT, .text = "mine", .len = 4 };
	cr_assert_eq(store_content_put(s, &drift, &cause), 0);
	q2.nchanged = 0;
	q2.nexpected = 0;
	cr_assert_eq(store_stale(s, &q2, a, &v, &n, &cause), 0);
	cr_assert_eq(find_stale(v, n, "frozen", STORE_STALE_DRIFT), 1);
	cr_assert_eq(find_stale(v, n, "dep", STORE_STALE_CONFIG), 1);
}

/*
 * An input recorded as absent (STORE_HASH_ABSENT: an optional include
 * that was not there) is fresh while it stays absent and stale once it
 * appears, in both forms of the query.
 */
Test(store, freshness_of_an_absent_input)
{
	const struct store_dep deps[] = {
		{ STORE_KIND_TEMPLATE, "t.j2", "t.j2", "T1" },
		{ STORE_KIND_TEMPLATE, "opt.j2", "opt.j2", STORE_HASH_ABSENT },
	};
	struct hashes h = { { { "t.j2", "T1" }, { "opt.j2", NULL } }, 2 };
	struct store_stale_query q = { .lookup = lookup, .arg = &h };
	struct store_stale *v;
	size_t n;

	gen_full("out", NULL, STORE_FRESH_DEPENDENCY, 0, 1000, deps, 2);
	cr_assert_eq(store_stale(s, &q, a, &v, &n, &cause), 0, "%s", cause);
	cr_assert_eq(n, 0, "absent then, absent now");
	struct store_input gone = { STORE_KIND_TEMPLATE, "opt.j2", NULL };
	struct store_stale_query q2 = { .changed = &gone, .nchanged = 1 };
	cr_assert_eq(store_stale(s, &q2, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 0, "told it is absent: still fresh");

	h.kind_id[1][1] = "O1";
	cr_assert_eq(store_stale(s, &q, a, &v, &n, &cause), 0);
	cr_assert_eq(find_stale(v, n, "out", STORE_STALE_INPUT), 1);
	cr_assert_str_eq(v[0].input_id, "opt.j2");
	struct store_input came = { STORE_KIND_TEMPLATE, "opt.j2", "O1" };
	q2.changed = &came;
	cr_assert_eq(store_stale(s, &q2, a, &v, &n, &cause), 0);
	cr_assert_eq(find_stale(v, n, "out", STORE_STALE_INPUT), 1);
}

/*
 * A new dependency set is written as its difference from the stored one:
 * the edges, their order and the inputs freshness asks about must be
 * exactly those of the new set, shared inputs keeping their other readers.
 */
Test(store, deps_replace_keeps_sets_and_inputs_exact)
{
	const struct store_dep first[] = {
		{ STORE_KIND_TEMPLATE, "t1.j2", "t1.j2", "T1" },
		{ STORE_KIND_TEMPLATE, "t2.j2", "t2.j2", "T2" },
		{ STORE_KIND_DATA, "d.json", "d.json", "D1" },
	};
	const struct store_dep second[] = {
		{ STORE_KIND_DATA_PART, "x.json#a", "x.json", "X1" },
		{ STORE_KIND_TEMPLATE, "t2.j2", "t2.j2", "T2b" },
		{ STORE_KIND_TEMPLATE, "t1.j2", "t1.j2", "T1" },
		{ STORE_KIND_DATA_PART, "x.json#a", "x.json", "X2" },
	};
	struct hashes h = { { { "t1.j2", "T1" }, { "t2.j2", "T2b" },
	    { "d.json", NULL }, { "x.json#a", "X1" } }, 4 };
	struct store_stale_query q = { .lookup = lookup, .arg = &h };
	struct store_stale *v;
	struct store_dep *d;
	size_t n;

	gen_full("out", NULL, STORE_FRESH_DEPENDENCY, 0, 1, first, 3);
	gen_full("other", NULL, STORE_FRESH_DEPENDENCY, 0, 1, first + 1, 1);
	gen_full("out", NULL, STORE_FRESH_DEPENDENCY, 0, 2, second, 4);
	cr_assert_eq(store_deps_get(s, NULL, STORE_KIND_CONTENT, "out", a, &d,
	    &n, &cause), 0);
	cr_assert_eq(n, 3, "one edge gone, one added, a repeat ignored");
	cr_assert_str_eq(d[0].id, "x.json#a");
	cr_assert_str_eq(d[0].hash, "X1", "of a repeated edge the first wins");
	cr_assert_str_eq(d[1].id, "t1.j2");
	cr_assert_str_eq(d[1].hash, "T1");
	cr_assert_str_eq(d[2].id, "t2.j2");
	cr_assert_str_eq(d[2].hash, "T2b");

	/* "out" read what exists now; "other" still reads t2.j2 at T2, and
	 * nobody reads the removed d.json any more. */
	cr_assert_eq(store_stale(s, &q, a, &v, &n, &cause), 0, "%s", cause);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(v[0].content_id, "other");
	cr_assert_eq(v[0].why, STORE_STALE_INPUT);
	cr_assert_str_eq(v[0].old_hash, "T2");

	/* The same set again writes nothing and changes nothing. */
	gen_full("out", NULL, STORE_FRESH_DEPENDENCY, 0, 3, second, 4);
	cr_assert_eq(store_stale(s, &q, a, &v, &n, &cause), 0, "%s", cause);
	cr_assert_eq(n, 1);
	/* An empty set clears the edges. */
	gen_full("out", NULL, STORE_FRESH_DEPENDENCY, 0, 4, NULL, 0);
	cr_assert_eq(store_deps_get(s, NULL, STORE_KIND_CONTENT, "out", a, &d,
	    &n, &cause), 0);
	cr_assert_eq(n, 0);
}

Test(store, freshness_spreads_through_a_cycle_and_stops)
{
	char ha[HASH_HEX_SIZE], hb[HASH_HEX_SIZE];
	struct store_stale *v;
	size_t n;

	hash_sha256_hex("a", 1, ha);	/* gen_full()'s text is the id */
	hash_sha256_hex("b", 1, hb);
	struct store_dep ab[] = { { STORE_KIND_CONTENT, "b", NULL, hb },
	    { STORE_KIND_DATA, "d", "d", "D1" } };
	struct store_dep ba = { STORE_KIND_CONTENT, "a", NULL, ha };

	gen_full("a", NULL, STORE_FRESH_DEPENDENCY, 0, 1, ab, 2);
	gen_full("b", NULL, STORE_FRESH_DEPENDENCY, 0, 1, &ba, 1);
	struct store_input ch = { STORE_KIND_DATA, "d", "D2" };
	struct store_stale_query q = { .changed = &ch, .nchanged = 1,
	    .now = 1 };
	cr_assert_eq(store_stale(s, &q, a, &v, &n, &cause), 0);
	cr_assert_eq(find_stale(v, n, "a", STORE_STALE_INPUT), 1);
	cr_assert_eq(find_stale(v, n, "b", STORE_STALE_PART), 1);
	cr_assert_leq(n, 4);
}

/* ---- events and deployments ---- */

Test(store, events_append_and_filter)
{
	struct store_event e = { .kind = STORE_EVENT_FAILURE, .uid = 1000,
	    .workspace = "prod", .subject = "web/a",
	    .details = "{\"error\":\"t.j2:3: error: x\"}" };
	struct store_event *v;
	size_t n;

	cr_assert_eq(store_event_append(s, &e, &cause), 0);
	cr_assert_gt(e.seq, 0);
	cr_assert_gt(e.at, 0);
	st_gen(s, "prod", "web/a", "x", 1, NULL, NULL, 0);
	st_gen(s, NULL, "web/b", "x", 1, NULL, NULL, 0);

	struct store_event_filter f = { .kind = -1 };
	cr_assert_eq(store_event_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(v[0].kind, STORE_EVENT_GENERATION, "newest first");
	cr_assert_str_eq(v[0].subject, "web/b");
	cr_assert_eq(v[0].uid, 1000);
	f.workspace = "prod";
	cr_assert_eq(store_event_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 2);
	f.subject = "web/a";
	f.workspace = NULL;
	cr_assert_eq(store_event_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 2);
	f.kind = STORE_EVENT_FAILURE;
	cr_assert_eq(store_event_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(v[0].details, e.details);
	cr_assert_str_eq(v[0].workspace, "prod");
	f.kind = -1;
	f.subject = NULL;
	f.after_seq = e.seq;
	f.limit = 1;
	cr_assert_eq(store_event_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 1);
	cr_assert_gt(v[0].seq, e.seq);
	struct store_event bad = { .kind = STORE_EVENT_FAILURE,
	    .details = "{\"error\": oops}" };
	cr_assert_eq(store_event_append(s, &bad, &cause), -1);
	cr_assert_not_null(strstr(cause, "failure:1: error:"), "%s", cause);
	free(cause);
	cause = NULL;
	bad.details = "[1]";
	cr_assert_eq(store_event_append(s, &bad, &cause), -1);
	free(cause);
	cause = NULL;
	json_t *d = json_loads(v[0].details, 0, NULL);
	cr_assert(json_is_object(d), "generation details are JSON");
	cr_assert_eq(json_integer_value(json_object_get(d, "version")), 1);
	json_decref(d);
}

Test(store, generation_event_can_be_left_to_the_caller)
{
	struct store_event_filter f = { .kind = STORE_EVENT_GENERATION };
	struct store_event *v;
	size_t n;
	struct store_generation g = {
		.content = { .id = "quiet", .text = "x", .len = 1 },
		.uid = -1, .no_event = true,
	};

	cr_assert_eq(store_generation_put(s, &g, &cause), 0, "%s", cause);
	cr_assert_eq(store_event_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 0, "no event for a generation with no_event");
	g.no_event = false;
	cr_assert_eq(store_generation_put(s, &g, &cause), 0, "%s", cause);
	cr_assert_eq(store_event_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(v[0].subject, "quiet");
}

Test(store, deployment_jsonl_lines_are_valid_json)
{
	struct store_deploy d1 = { .environment = "production",
	    .version = "v1.2.0", .status = "success", .uid = -1,
	    .at = 1767323045000 };	/* 2026-01-02T03:04:05Z */
	struct store_deploy d2 = { .environment = "staging",
	    .version = "v1.3.0-rc1", .status = "failure",
	    .note = "smoke test \"login\" failed\nrolled back", .uid = 1000,
	    .workspace = "prod" };
	char *path = xprintf("%s/.chora/memory/events/deployment.jsonl", root);
	char *text, *line, *save;
	size_t len;
	int lines = 0;

	cr_assert_eq(store_deploy_record(s, &d1, &cause), 0, "%s", cause);
	cr_assert_eq(store_deploy_record(s, &d2, &cause), 0, "%s", cause);
	cr_assert_eq(fileio_read(path, &text, &len), 0);
	cr_assert_eq(text[len - 1], '\n');
	const char *first = "{\"timestamp\":\"2026-01-02T03:04:05Z\","
	    "\"event_type\":\"deployment\",\"environment\":\"production\","
	    "\"version\":\"v1.2.0\",\"status\":\"success\"}\n";
	cr_assert_eq(strncmp(text, first, strlen(first)), 0, "%s", text);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), lines++) {
		json_error_t err;
		json_t *o = json_loads(line, 0, &err);

		cr_assert_not_null(o, "line %d: %s", lines, err.text);
		const char *req[] = { "timestamp", "event_type", "environment",
		    "version", "status" };
		for (size_t k = 0; k < 5; k++)
			cr_assert(json_is_string(json_object_get(o, req[k])),
			    "line %d lacks %s", lines, req[k]);
		cr_assert_str_eq(json_string_value(json_object_get(o,
		    "event_type")), "deployment");
		json_decref(o);
	}
	cr_assert_eq(lines, 2);

	struct store_event_filter f = { .kind = STORE_EVENT_DEPLOY,
	    .subject = "staging" };
	struct store_event *v;
	size_t n;
	cr_assert_eq(store_event_list(s, &f, a, &v, &n, &cause), 0);
	cr_assert_eq(n, 1);
	json_t *o = json_loads(v[0].details, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(o, "note")),
	    d2.note);
	json_decref(o);

	struct store_deploy bad = { .environment = "x" };
	cr_assert_eq(store_deploy_record(s, &bad, &cause), -1);
	free(text);
	free(path);
}

/* ---- transactions ---- */

Test(store, transactions_group_and_undo)
{
	struct store_content c;

	cr_assert_eq(store_begin(s, &cause), 0);
	st_gen(s, "ws1", "a", "1", 1, NULL, NULL, 0);
	st_gen(s, "ws1", "b", "1", 1, NULL, NULL, 0);
	store_rollback(s);
	cr_assert_eq(store_content_get(s, "ws1", "a", 0, a, &c, &cause), 1);

	cr_assert_eq(store_begin(s, &cause), 0);
	cr_assert_eq(store_begin(s, &cause), -1, "no nesting");
	free(cause);
	cause = NULL;
	st_gen(s, "ws1", "a", "1", 1, NULL, NULL, 0);
	struct store_content bad = { .workspace = "ws1", .id = "b",
	    .text = "x", .len = 1, .context = "{nope" };
	cr_assert_eq(store_content_put(s, &bad, &cause), -1);
	free(cause);
	cause = NULL;
	cr_assert_eq(store_commit(s, &cause), 0, "%s", cause);
	cr_assert_eq(store_content_get(s, "ws1", "a", 0, a, &c, &cause), 0);
	cr_assert_eq(store_content_get(s, "ws1", "b", 0, a, &c, &cause), 1);
	cr_assert_eq(store_commit(s, &cause), -1, "nothing open");
}

Test(store, batch_is_all_or_nothing)
{
	struct store_generation g[3] = {
		{ .content = { .id = "x1", .text = "a", .len = 1 } },
		{ .content = { .id = "x2", .text = "b", .len = 1 } },
		{ .content = { .id = "x3", .text = "c", .len = 1,
		    .context = "7" } },
	};
	struct store_content c;

	cr_assert_eq(store_generation_put_batch(s, g, 3, &cause), -1);
	cr_assert_eq(store_content_get(s, NULL, "x1", 0, a, &c, &cause), 1);
	g[2].content.context = NULL;
	cr_assert_eq(store_generation_put_batch(s, g, 3, &cause), 0, "%s",
	    cause);
	cr_assert_eq(store_content_get(s, NULL, "x3", 0, a, &c, &cause), 0);
	cr_assert_str_eq(c.text, "c");
}

Test(store, a_failed_write_spoils_a_batch_transaction)
{
	struct store_dep nohash = { STORE_KIND_TEMPLATE, "t.j2", "t.j2", NULL };
	struct store_generation bad = {
		.content = { .id = "k2", .text = "2", .len = 1 },
		.deps = &nohash, .ndeps = 1, .uid = -1,
	};
	struct store_content c;

	cr_assert_eq(store_begin_batch(s, &cause), 0, "%s", cause);
	st_gen(s, NULL, "k1", "1", 1, NULL, NULL, 0);
	/* Its content row is in before its dependency fails. */
	cr_assert_eq(store_generation_put(s, &bad, &cause), -1);
	free(cause);
	cause = NULL;
	bad.deps = NULL;
	bad.ndeps = 0;
	cr_assert_eq(store_generation_put(s, &bad, &cause), -1,
	    "later writes of a spoiled batch fail");
	free(cause);
	cause = NULL;
	cr_assert_eq(store_commit(s, &cause), -1);
	free(cause);
	cause = NULL;
	cr_assert_eq(store_content_get(s, NULL, "k1", 0, a, &c, &cause), 1,
	    "nothing of a spoiled batch is kept");
	cr_assert_eq(store_content_get(s, NULL, "k2", 0, a, &c, &cause), 1);
	cr_assert_eq(store_commit(s, &cause), -1, "nothing open");
	free(cause);
	cause = NULL;
	/* A good batch commits, and the store goes on as usual. */
	cr_assert_eq(store_begin_batch(s, &cause), 0);
	st_gen(s, NULL, "k1", "1", 1, NULL, NULL, 0);
	cr_assert_eq(store_generation_put(s, &bad, &cause), 0, "%s", cause);
	cr_assert_eq(store_commit(s, &cause), 0, "%s", cause);
	cr_assert_eq(store_content_get(s, NULL, "k2", 0, a, &c, &cause), 0);
	cr_assert_str_eq(c.text, "2");
}

Test(store, readers_cannot_write)
{
	struct store *r = st_open(root, 0, STORE_READONLY);
	struct store_content c = { .id = "x", .text = "a", .len = 1 };
	struct store_content got;

	st_gen(s, NULL, "y", "b", 1, NULL, NULL, 0);
	cr_assert_eq(store_content_put(r, &c, &cause), -1);
	cr_assert_not_null(strstr(cause, "read-only"), "%s", cause);
	cr_assert_eq(store_content_get(r, NULL, "y", 0, a, &got, &cause), 0);
	struct store_gc_stats gs;
	free(cause);
	cause = NULL;
	cr_assert_eq(store_gc(r, 0, &gs, &cause), -1, "only the writer sweeps");
	store_close(r);

	char *nowhere = st_tmproot();
	struct store_options ro = { .flags = STORE_READONLY };
	free(cause);
	cause = NULL;
	cr_assert_null(store_open(nowhere, &ro, &cause));
	cr_assert_not_null(strstr(cause, "storage.db"), "%s", cause);
	st_rmtree(nowhere);
	free(nowhere);
}

Test(store, names_round_trip)
{
	for (int k = 0; k < STORE_KIND_COUNT; k++)
		cr_assert_eq(store_kind_parse(store_kind_name(k)), k);
	for (int k = 0; k < STORE_VERSION_COUNT; k++)
		cr_assert_eq(store_version_kind_parse(
		    store_version_kind_name(k)), k);
	for (int k = 0; k < STORE_FRESH_COUNT; k++)
		cr_assert_eq(store_freshness_parse(store_freshness_name(k)), k);
	for (int k = 0; k < STORE_EVENT_COUNT; k++)
		cr_assert_eq(store_event_kind_parse(store_event_kind_name(k)),
		    k);
	cr_assert_eq(store_kind_parse("bogus"), -1);
	cr_assert_str_eq(store_kind_name(STORE_KIND_DATA_PART), "data_part");
	cr_assert_str_eq(store_stale_why_name(STORE_STALE_TTL), "ttl expired");
}
