/*
 * Unit tests for choradd/data: deep merge of data files, inline and
 * chora-compose contexts, foreach collections (list, object, "." and a
 * dotted path), and refresh after edits telling what changed.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "fileio.h"
#include "path.h"
#include "xmalloc.h"

static char dir[PATH_MAX];

static void
setup(void)
{
	strcpy(dir, "/tmp/chora-test-data.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char *cmd = xprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

static void
put(const char *rel, const char *text)
{
	char *p = path_join(dir, rel), *cause = NULL;

	cr_assert_eq(fileio_write_atomic(p, text, strlen(text), false, 0644,
	    &cause), 0);
	free(p);
}

TestSuite(data, .init = setup, .fini = teardown);

static char *
merge(const char *a, const char *b, const char *c)
{
	char *texts[] = { (char *)a, (char *)b, (char *)c };
	size_t lens[] = { strlen(a), strlen(b), c ? strlen(c) : 0 };
	char *names[] = { "a.json", "b.json", "c.json" };
	char *cause = NULL, *out;
	size_t n;

	out = data_merge(texts, lens, names, c ? 3 : 2, &n, &cause);
	cr_assert_not_null(out, "%s", cause ? cause : "");
	return out;
}

Test(data, deep_merge)
{
	char *m = merge("{\"a\": {\"x\": 1, \"y\": [1, 2]}, \"b\": 1, \"k\": 0.5}",
	    "{\"a\": {\"y\": [3], \"z\": {\"q\": true}}, \"c\": null}",
	    "{\"a\": {\"z\": {\"r\": \"s\"}}, \"b\": {\"now\": \"object\"}}");
	cr_assert_str_eq(m, "{\"a\":{\"x\":1,\"y\":[3],\"z\":{\"q\":true,"
	    "\"r\":\"s\"}},\"b\":{\"now\":\"object\"},\"k\":0.5,\"c\":null}");
	free(m);
	/* A non-object replaces what came before. */
	m = merge("{\"a\": 1}", "[1, 2]", NULL);
	cr_assert_str_eq(m, "[1,2]");
	free(m);
}

Test(data, merge_error_names_file_and_line)
{
	char *texts[] = { "{}", "{\n\"a\": }" };
	size_t lens[] = { 2, 8 };
	char *names[] = { "a.json", "b.json" };
	char *cause = NULL;
	size_t n;

	cr_assert_null(data_merge(texts, lens, names, 2, &n, &cause));
	cr_assert(strncmp(cause, "b.json:2: error: invalid JSON", 29) == 0,
	    "%s", cause);
	free(cause);
}

static struct config *
cfg(enum data_kind kind, const char *foreach)
{
	struct config *c = xcalloc(1, sizeof(*c));

	c->id = xstrdup("c");
	c->file = xstrdup("configs/c.json");
	c->data_kind = kind;
	c->foreach = foreach ? xstrdup(foreach) : NULL;
	return c;
}

static struct dataset *
open_ok(const struct config *c)
{
	char *cause = NULL;
	struct dataset *ds = data_open(dir, c, &cause);

	cr_assert_not_null(ds, "%s", cause ? cause : "");
	return ds;
}

Test(data, foreach_list_object_root_and_path)
{
	struct config *c = cfg(DATA_FILES, "a.list");
	c->data_files = xcalloc(2, sizeof(char *));
	c->data_files[0] = xstrdup("d.json");
	c->ndata_files = 1;
	put("d.json", "{\"top\": 1, \"a\": {\"list\": [{\"n\": 1}, {\"n\": 2}, 3]}}");
	struct dataset *ds = open_ok(c);
	cr_assert(ds->precise);
	cr_assert_eq(ds->doc->nelems, 3);
	cr_assert(data_reads(ds, "d.json"));
	data_free(ds);

	free(c->foreach);
	c->foreach = xstrdup("m");
	put("d.json", "{\"m\": {\"x\": {\"v\": 1}, \"y\": {\"v\": 2}}}");
	ds = open_ok(c);
	cr_assert(ds->doc->coll_object);
	cr_assert_eq(ds->doc->nelems, 2);
	char *k = jdoc_elem_key(ds->doc, 1);
	cr_assert_str_eq(k, "y");
	free(k);
	data_free(ds);

	free(c->foreach);
	c->foreach = xstrdup(".");
	put("d.json", "[\"a\", \"b\", \"c\", \"d\"]");
	ds = open_ok(c);
	cr_assert_eq(ds->doc->nelems, 4);
	data_free(ds);
	config_free(c);
}

Test(data, refresh_reports_changed_items)
{
	struct config *c = cfg(DATA_FILES, "items");
	char h0[HASH_HEX_SIZE], h1[HASH_HEX_SIZE];
	struct jdoc_change ch;
	char *cause = NULL;

	c->data_files = xcalloc(2, sizeof(char *));
	c->data_files[0] = xstrdup("d.json");
	c->ndata_files = 1;
	put("d.json", "{\"x\": 1, \"items\": [{\"n\": 1}, {\"n\": 2}, {\"n\": 3}]}");
	struct dataset *ds = open_ok(c);
	char rest0[HASH_HEX_SIZE];
	memcpy(rest0, ds->rest_hash, HASH_HEX_SIZE);
	data_item_hash(ds, 0, h0);
	put("d.json", "{\"x\": 1, \"items\": [{\"n\": 1}, {\"n\": 20}, {\"n\": 3}]}");
	cr_assert_eq(data_refresh(ds, &ch, &cause), 0);
	cr_assert(!ch.full);
	cr_assert_eq(ch.first, 1);
	cr_assert_eq(ch.ninserted, 1);
	data_item_hash(ds, 0, h1);
	cr_assert_str_eq(h0, h1, "item 0 untouched");
	cr_assert_str_eq(rest0, ds->rest_hash, "rest untouched");
	/* A change outside the collection is a full change of the rest. */
	put("d.json", "{\"x\": 2, \"items\": [{\"n\": 1}, {\"n\": 20}, {\"n\": 3}]}");
	cr_assert_eq(data_refresh(ds, &ch, &cause), 0);
	cr_assert(ch.full);
	cr_assert_str_neq(rest0, ds->rest_hash);
	/* Broken JSON keeps the old state and names file and line. */
	put("d.json", "{\"x\": 2,\n \"items\": [}");
	cr_assert_eq(data_refresh(ds, &ch, &cause), -1);
	cr_assert(strncmp(cause, "d.json:2: error: invalid JSON", 29) == 0,
	    "%s", cause);
	free(cause);
	cr_assert_eq(ds->doc->nelems, 3);
	data_free(ds);
	config_free(c);
}

Test(data, inline_and_compose_context)
{
	struct config *c = cfg(DATA_INLINE, NULL);
	c->data_inline = xstrdup("{\"a\": [1, 2]}");
	struct dataset *ds = open_ok(c);
	cr_assert_eq(ds->nfiles, 0);
	cr_assert_str_eq(ds->doc->text, "{\"a\": [1, 2]}");
	data_free(ds);
	config_free(c);

	c = cfg(DATA_CONTEXT, NULL);
	c->data_inline = xstrdup("{\"title\": \"T\"}");
	c->sources = xcalloc(2, sizeof(*c->sources));
	c->sources[0] = (struct data_source){ xstrdup("list"),
	    xstrdup("l.json"), true };
	c->sources[1] = (struct data_source){ xstrdup("notes"),
	    xstrdup("n.md"), false };
	c->nsources = 2;
	put("l.json", "[\"x\"]");
	put("n.md", "# hi\n");
	ds = open_ok(c);
	cr_assert_str_eq(ds->doc->text, "{\"title\":\"T\",\"list\":[\"x\"],"
	    "\"notes\":\"# hi\\n\"}");
	cr_assert(data_reads(ds, "n.md"));
	data_free(ds);
	config_free(c);
}
