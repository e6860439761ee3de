/*
 * Unit tests for what the store promises beyond single operations:
 * migration from schema v1 (with its backup), refusal of a newer schema,
 * survival of a writer killed mid-stream, readers that never see half a
 * batch, and hot queries that are index lookups (EXPLAIN QUERY PLAN).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "fileio.h"
#include "hash.h"
#include "store.h"
#include "store_sqlite_int.h"
#include "store_test.h"
#include "xmalloc.h"

static void
sql(sqlite3 *db, const char *text)
{
	char *err = NULL;

	cr_assert_eq(sqlite3_exec(db, text, NULL, NULL, &err), SQLITE_OK,
	    "%s: %s", text, err ? err : "");
}

static sqlite3 *
raw_open(const char *root, const char *name)
{
	char *dir = xprintf("%s/.chora", root), *p = xprintf("%s/%s", dir,
	    name);
	sqlite3 *db;

	cr_assert_eq(fileio_mkdirs(dir, 0755), 0);
	cr_assert_eq(sqlite3_open(p, &db), SQLITE_OK);
	free(dir);
	free(p);
	return db;
}

static int
user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v;

	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
	    NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

Test(durability, migrates_v1_with_backup)
{
	char *root = st_tmproot(), *p, *txt;
	struct arena *a = arena_new();
	char *cause = NULL;
	size_t len;

	/* A store as the first schema wrote it. */
	sqlite3 *db = raw_open(root, "storage.db");
	sql(db, "PRAGMA journal_mode = WAL");
	sql(db, sq_schema_sql(1));
	sql(db, "PRAGMA user_version = 1;"
	    "INSERT INTO workspaces(id, name) VALUES (1, 'default');"
	    "INSERT INTO configs VALUES (1, 1, 'web', '1.0', 'h1', 'content',"
	    " '{\"context\":{\"team\":\"infra\"},\"id\":\"web\"}', 5);"
	    "INSERT INTO config_head VALUES (1, 'web', 1, 'content', '1.0',"
	    " 'h1', 5);"
	    "INSERT INTO content(seq, ws, content_id, version, hash, size,"
	    " config_id, context, generated_at) VALUES"
	    " (1, 1, 'web/a', 1, 'x', 3, 'web', '{\"team\":\"infra\"}', 7),"
	    " (2, 1, 'web/a', 2, 'y', 3, 'web', '{\"team\":\"infra\"}', 8);"
	    "INSERT INTO content_body VALUES (1, 'old'), (2, 'new');"
	    "INSERT INTO content_head VALUES (1, 'web/a', 2, 'web',"
	    " 'dependency', NULL);"
	    "INSERT INTO deps VALUES (1, 'content', 'web/a', 'template',"
	    " 't.j2', 't.j2', 'T1');");
	sqlite3_close(db);

	struct store *s = st_open(root, 0, 0);
	cr_assert_eq(store_schema_version(s), STORE_SCHEMA_VERSION);

	struct store_config c;
	cr_assert_eq(store_config_get(s, NULL, "web", NULL, a, &c, &cause), 0);
	cr_assert_str_eq(c.version, "1.0");
	struct store_content v;
	cr_assert_eq(store_content_get(s, NULL, "web/a", 1, a, &v, &cause), 0);
	cr_assert_str_eq(v.text, "old");
	cr_assert_eq(v.kind, STORE_VERSION_GENERATED, "v2's new column");
	struct store_dep *d;
	size_t n;
	cr_assert_eq(store_deps_get(s, NULL, STORE_KIND_CONTENT, "web/a", a,
	    &d, &n, &cause), 0);
	cr_assert_eq(n, 1);
	/* The context index was filled from the existing rows. */
	struct store_where w = { "team", "infra" };
	struct store_filter f = { .where = &w, .nwhere = 1 };
	struct store_content *list;
	cr_assert_eq(store_content_list(s, &f, a, &list, &n, &cause), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(list[0].version, 2);
	struct store_config *cl;
	cr_assert_eq(store_config_list(s, &f, a, &cl, &n, &cause), 0);
	cr_assert_eq(n, 1);
	/* And v2 features work on migrated data. */
	struct store_content drift = { .id = "web/a", .text = "hand",
	    .len = 4, .kind = STORE_VERSION_DRIFT };
	cr_assert_eq(store_content_put(s, &drift, &cause), 0, "%s", cause);
	cr_assert_eq(drift.version, 3);
	cr_assert_eq(store_check(s, &cause), 0, "%s", cause);
	store_close(s);

	p = xprintf("%s/.chora/schema_version.txt", root);
	cr_assert_eq(fileio_read(p, &txt, &len), 0);
	cr_assert_str_eq(txt, "3\n");
	free(txt);
	free(p);
	/* The backup is the v1 store as it was. */
	db = raw_open(root, "storage.db.bak-v1");
	cr_assert_eq(user_version(db), 1);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM content",
	    -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 2);
	sqlite3_finalize(st);
	cr_assert_neq(sqlite3_prepare_v2(db, "SELECT kind FROM content", -1,
	    &st, NULL), SQLITE_OK, "the backup has no v2 column");
	sqlite3_close(db);

	/* Opening again is not a migration: no new backup is needed. */
	p = xprintf("%s/.chora/storage.db.bak-v1", root);
	cr_assert_eq(unlink(p), 0);
	s = st_open(root, 0, 0);
	store_close(s);
	cr_assert_eq(access(p, F_OK), -1);
	free(p);

	arena_free(a);
	st_rmtree(root);
	free(root);
}

static int
count_rows(sqlite3 *db, const char *text)
{
	sqlite3_stmt *st;
	int n;

	cr_assert_eq(sqlite3_prepare_v2(db, text, -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The current hashes a daemon would report, for the v2 migration test. */
static int
v2_lookup(void *arg, enum store_kind kind, const char *id, const char *path,
    char out[HASH_HEX_SIZE])
{
	(void)arg;
	(void)kind;
	(void)path;
	snprintf(out, HASH_HEX_SIZE, "%s", strcmp(id, "t.j2") == 0 ? "T2" :
	    strcmp(id, "d.json#item:web/a") == 0 ? "A1" : "B1");
	return 0;
}

Test(durability, migrates_v2_dependencies_with_backup)
{
	char *root = st_tmproot(), *cause = NULL, *p;
	struct arena *a = arena_new();
	struct store_tree_node *t;
	struct store_stale *v;
	struct store_dep *d;
	size_t n;

	/* A v2 store: two outputs sharing a template, each with its item;
	 * dep_input is filled by v2's own triggers. */
	sqlite3 *db = raw_open(root, "storage.db");
	sql(db, "PRAGMA journal_mode = WAL");
	sql(db, sq_schema_sql(1));
	sql(db, sq_schema_sql(2));
	sql(db, "PRAGMA user_version = 2;"
	    "INSERT INTO workspaces(id, name) VALUES (1, 'default');"
	    "INSERT INTO content(seq, ws, content_id, version, hash, size,"
	    " config_id, generated_at) VALUES (1, 1, 'web/a', 1, 'ha', 1,"
	    " 'web', 7), (2, 1, 'web/b', 1, 'hb', 1, 'web', 7),"
	    " (3, 1, 'readme', 1, 'hr', 1, 'readme', 7);"
	    "INSERT INTO content_body VALUES (1, 'a'), (2, 'b'), (3, 'r');"
	    "INSERT INTO content_head(ws, content_id, seq, config_id,"
	    " freshness) VALUES (1, 'web/a', 1, 'web', 'dependency'),"
	    " (1, 'web/b', 2, 'web', 'dependency'),"
	    " (1, 'readme', 3, 'readme', 'dependency');"
	    "INSERT INTO deps VALUES"
	    " (1, 'content', 'web/a', 'template', 't.j2', 't.j2', 'T1'),"
	    " (1, 'content', 'web/a', 'data_part', 'd.json#item:web/a',"
	    "  'd.json', 'A1'),"
	    " (1, 'content', 'web/b', 'template', 't.j2', 't.j2', 'T1'),"
	    " (1, 'content', 'web/b', 'data_part', 'd.json#item:web/b',"
	    "  'd.json', 'B1'),"
	    " (1, 'content', 'readme', 'content', 'web/a', NULL, 'ha');");
	cr_assert_eq(count_rows(db, "SELECT count(*) FROM dep_input"), 4);
	sqlite3_close(db);

	struct store *s = st_open(root, 0, 0);
	cr_assert_eq(store_schema_version(s), 3);
	cr_assert_eq(store_deps_get(s, NULL, STORE_KIND_CONTENT, "web/a", a,
	    &d, &n, &cause), 0, "%s", cause);
	cr_assert_eq(n, 2);
	cr_assert_eq(d[0].kind, STORE_KIND_DATA_PART);
	cr_assert_str_eq(d[0].id, "d.json#item:web/a");
	cr_assert_str_eq(d[0].path, "d.json");
	cr_assert_str_eq(d[0].hash, "A1");
	cr_assert_eq(d[1].kind, STORE_KIND_TEMPLATE);
	cr_assert_str_eq(d[1].hash, "T1");
	cr_assert_eq(store_deps_tree(s, NULL, STORE_KIND_TEMPLATE, "t.j2", 0,
	    true, a, &t, &n, &cause), 0, "%s", cause);
	cr_assert_eq(n, 3, "web/a, the readme built from it, web/b");
	cr_assert_str_eq(t[0].id, "web/a");
	cr_assert_str_eq(t[1].id, "readme");
	cr_assert_eq(t[1].depth, 2);
	cr_assert_str_eq(t[2].id, "web/b");

	/* Freshness sees each migrated input once: t.j2 moved to T2. */
	struct store_stale_query q = { .lookup = v2_lookup };
	cr_assert_eq(store_stale(s, &q, a, &v, &n, &cause), 0, "%s", cause);
	cr_assert_eq(n, 3, "web/a and web/b by t.j2, readme by its part");
	cr_assert_str_eq(v[0].content_id, "readme");
	cr_assert_eq(v[0].why, STORE_STALE_PART);
	cr_assert_str_eq(v[1].content_id, "web/a");
	cr_assert_str_eq(v[1].old_hash, "T1");
	cr_assert_str_eq(v[1].new_hash, "T2");

	/* v3 writes on migrated data: web/a now reads t.j2 at T2. */
	struct store_dep now[] = {
		{ STORE_KIND_TEMPLATE, "t.j2", "t.j2", "T2" },
		{ STORE_KIND_DATA_PART, "d.json#item:web/a", "d.json", "A1" },
	};
	st_gen(s, NULL, "web/a", "a2", 2, NULL, now, 2);
	cr_assert_eq(store_stale(s, &q, a, &v, &n, &cause), 0, "%s", cause);
	cr_assert_eq(n, 2, "web/b by t.j2, readme by its part");
	cr_assert_str_eq(v[1].content_id, "web/b");
	cr_assert_eq(store_check(s, &cause), 0, "%s", cause);
	store_close(s);

	/* The backup is the v2 store, edges as text. */
	db = raw_open(root, "storage.db.bak-v2");
	cr_assert_eq(user_version(db), 2);
	cr_assert_eq(count_rows(db, "SELECT count(*) FROM deps WHERE"
	    " child_kind = 'template'"), 2);
	sqlite3_close(db);
	p = xprintf("%s/.chora/storage.db.bak-v2", root);
	cr_assert_eq(access(p, F_OK), 0);
	free(p);
	arena_free(a);
	st_rmtree(root);
	free(root);
}


Test(durability, pruned_versions_take_their_text)
{
	char *root = st_tmproot();
	struct store *s = st_open(root, 2, STORE_NOFSYNC);

	for (int i = 0; i < 5; i++)
		st_gen(s, NULL, "a", "text", 4, NULL, NULL, 0);
	st_gen(s, NULL, "b", "", 0, NULL, NULL, 0);
	store_close(s);
	sqlite3 *db = raw_open(root, "storage.db");
	sql(db, "PRAGMA foreign_keys = ON");
	cr_assert_eq(count_rows(db, "SELECT count(*) FROM content"), 3);
	cr_assert_eq(count_rows(db, "SELECT count(*) FROM content_body"), 3);
	cr_assert_eq(count_rows(db, "SELECT count(*) FROM content_body b"
	    " JOIN content c ON c.seq = b.seq"), 3);
	sqlite3_close(db);
	st_rmtree(root);
	free(root);
}

static void
file_hash(const char *path, char out[HASH_HEX_SIZE])
{
	cr_assert_eq(hash_file_hex(path, out), 0, "%s", path);
}

Test(durability, newer_schema_is_refused_untouched)
{
	char *root = st_tmproot(), *cause = NULL;
	char before[HASH_HEX_SIZE], after[HASH_HEX_SIZE];
	char *p = xprintf("%s/.chora/storage.db", root);

	struct store *s = st_open(root, 0, 0);
	st_gen(s, NULL, "a", "text", 4, NULL, NULL, 0);
	store_close(s);
	sqlite3 *db = raw_open(root, "storage.db");
	sql(db, "PRAGMA user_version = 99");
	sqlite3_close(db);
	file_hash(p, before);

	cr_assert_null(store_open(root, NULL, &cause));
	cr_assert_not_null(strstr(cause, "schema version 99 is newer"), "%s",
	    cause);
	free(cause);
	cause = NULL;
	struct store_options ro = { .flags = STORE_READONLY };
	cr_assert_null(store_open(root, &ro, &cause));
	free(cause);
	file_hash(p, after);
	cr_assert_str_eq(before, after, "storage.db must not change");
	char *bak = xprintf("%s.bak-v99", p);
	cr_assert_eq(access(bak, F_OK), -1);
	free(bak);
	free(p);
	st_rmtree(root);
	free(root);
}

Test(durability, garbage_database_is_a_clear_error)
{
	char *root = st_tmproot(), *cause = NULL;
	char *dir = xprintf("%s/.chora", root), *p = xprintf("%s/storage.db",
	    dir);
	char junk[4096];

	memset(junk, 'J', sizeof junk);
	cr_assert_eq(fileio_mkdirs(dir, 0755), 0);
	cr_assert_eq(fileio_write_atomic(p, junk, sizeof junk, false, 0644,
	    &cause), 0);
	cr_assert_null(store_open(root, NULL, &cause));
	cr_assert_not_null(strstr(cause, p), "%s", cause);
	cr_assert_not_null(strstr(cause, "not a database"), "%s", cause);
	free(cause);
	free(p);
	free(dir);
	st_rmtree(root);
	free(root);
}

static int64_t
pragma(struct sq *q, const char *name)
{
	char *sql = xprintf("PRAGMA %s", name);
	sqlite3_stmt *st;
	int64_t v;

	cr_assert_eq(sqlite3_prepare_v2(q->db, sql, -1, &st, NULL),
	    SQLITE_OK);
	free(sql);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

Test(durability, page_cache_and_mapping_are_the_ones_asked_for)
{
	char *root = st_tmproot(), *cause = NULL;
	struct store_options opt = { .cache_kib = 1536, .flags = STORE_NOMMAP };
	struct sq *q = store_sqlite_ops.open(root, &opt, &cause);

	cr_assert_not_null(q, "%s", cause);
	cr_assert_eq(pragma(q, "cache_size"), -1536);
	cr_assert_eq(pragma(q, "mmap_size"), 0, "STORE_NOMMAP maps nothing");
	store_sqlite_ops.close(q);
	opt.cache_kib = 0;
	opt.flags = STORE_READONLY;
	q = store_sqlite_ops.open(root, &opt, &cause);
	cr_assert_not_null(q, "%s", cause);
	cr_assert_eq(pragma(q, "cache_size"), -STORE_CACHE_KIB, "the default");
	cr_assert_gt(pragma(q, "mmap_size"), 0, "mapped by default");
	store_sqlite_ops.close(q);
	st_rmtree(root);
	free(root);
}

Test(durability, reader_refuses_old_schema)
{
	char *root = st_tmproot(), *cause = NULL;
	sqlite3 *db = raw_open(root, "storage.db");

	sql(db, sq_schema_sql(1));
	sql(db, "PRAGMA user_version = 1");
	sqlite3_close(db);
	struct store_options ro = { .flags = STORE_READONLY };
	cr_assert_null(store_open(root, &ro, &cause));
	cr_assert_not_null(strstr(cause, "needs migrating"), "%s", cause);
	free(cause);
	st_rmtree(root);
	free(root);
}

/*
 * Generation i of the crash test: output "out/<i % 40>", version
 * i / 40 + 1; every 7th text is blob-sized.  Its three edges carry the
 * generation number so a partial write would show.
 */
#define CRASH_IDS 40

static char *
crash_text(int i, size_t *len)
{
	size_t n = i % 7 == 0 ? STORE_BLOB_THRESHOLD + (size_t)i : 64;
	char *t = xmalloc(n + 1);

	for (size_t k = 0; k < n; k++)
		t[k] = (char)('a' + (i + (int)k) % 26);
	t[n] = '\0';
	*len = n;
	return t;
}

static void
crash_writer(const char *root, int fd)
{
	struct store *s = st_open(root, 0, 0);
	char *cause = NULL;

	for (int i = 0;; i++) {
		char id[32], h[3][24];
		size_t len;
		char *text = crash_text(i, &len);

		snprintf(id, sizeof id, "out/%d", i % CRASH_IDS);
		for (int k = 0; k < 3; k++)
			snprintf(h[k], sizeof h[k], "gen-%d-%d", i, k);
		struct store_dep deps[3] = {
			{ STORE_KIND_CONFIG, "cfg", NULL, h[0] },
			{ STORE_KIND_TEMPLATE, "t.j2", "t.j2", h[1] },
			{ STORE_KIND_DATA, "d.json", "d.json", h[2] },
		};
		struct store_generation g = { .content = { .id = id,
		    .text = text, .len = len }, .deps = deps, .ndeps = 3 };
		if (store_generation_put(s, &g, &cause) == -1)
			_exit(3);
		free(text);
		if (write(fd, &i, sizeof i) != sizeof i)
			_exit(4);
	}
}

Test(durability, killed_writer_leaves_a_sound_store, .timeout = 120)
{
	char *root = st_tmproot(), *cause = NULL;
	int fds[2], got, committed = -1, status;
	struct arena *a = arena_new();
	pid_t pid;

	/* Make the store before forking, so the child only writes. */
	store_close(st_open(root, 0, 0));
	cr_assert_eq(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		crash_writer(root, fds[1]);
		_exit(0);
	}
	cr_assert_gt(pid, 0);
	close(fds[1]);
	while (committed < 300 && read(fds[0], &got, sizeof got) ==
	    sizeof got)
		committed = got;
	cr_assert_eq(kill(pid, SIGKILL), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status), "the writer died of the signal");
	while (read(fds[0], &got, sizeof got) == sizeof got)
		committed = got;
	close(fds[0]);

	struct store *s = st_open(root, 0, 0);
	cr_assert_eq(store_check(s, &cause), 0, "%s", cause);
	/* Every reported generation is there, whole; none beyond one more. */
	int seen = 0;
	for (int k = 0; k < CRASH_IDS; k++) {
		char id[32];
		struct store_content c;
		struct store_dep *d;
		size_t n;

		snprintf(id, sizeof id, "out/%d", k);
		if (store_content_get(s, NULL, id, 0, a, &c, &cause) == 1)
			continue;
		int last = (int)(c.version - 1) * CRASH_IDS + k;
		cr_assert_leq(last, committed + 1, "%s v%lld was never "
		    "committed", id, (long long)c.version);
		int want = committed - ((committed - k) % CRASH_IDS +
		    CRASH_IDS) % CRASH_IDS;
		if (want >= 0)
			cr_assert_geq(last, want, "%s lost generation %d", id,
			    want);
		for (int64_t ver = 1; ver <= c.version; ver++, seen++) {
			int i = (int)(ver - 1) * CRASH_IDS + k;
			size_t len;
			char *text = crash_text(i, &len);
			struct store_content old;
			cr_assert_eq(store_content_get(s, NULL, id, ver, a,
			    &old, &cause), 0, "%s", cause);
			cr_assert_eq(old.len, len);
			cr_assert_eq(memcmp(old.text, text, len), 0);
			free(text);
		}
		cr_assert_eq(store_deps_get(s, NULL, STORE_KIND_CONTENT, id, a,
		    &d, &n, &cause), 0);
		cr_assert_eq(n, 3, "%s: dependency set incomplete", id);
		for (size_t e = 0; e < n; e++) {
			char want_hash[24];
			int kind = d[e].kind == STORE_KIND_CONFIG ? 0 :
			    d[e].kind == STORE_KIND_TEMPLATE ? 1 : 2;
			snprintf(want_hash, sizeof want_hash, "gen-%d-%d", last,
			    kind);
			cr_assert_str_eq(d[e].hash, want_hash);
		}
	}
	cr_assert_geq(seen, committed + 1);
	struct store_event_filter f = { .kind = STORE_EVENT_GENERATION };
	struct store_event *ev;
	size_t nev;
	cr_assert_eq(store_event_list(s, &f, a, &ev, &nev, &cause), 0);
	cr_assert_eq((int)nev, seen, "one event per version, no more");
	store_close(s);
	arena_free(a);
	st_rmtree(root);
	free(root);
}

/* ---- readers during writes ---- */

struct reader_arg {
	const char	*root;
	volatile int	*stop;
	int		 checks;
	int		 torn;
};

#define BATCH_IDS 10

static void *
reader_main(void *p)
{
	struct reader_arg *r = p;
	struct store *s = st_open(r->root, 0, STORE_READONLY);
	struct arena *a = arena_new();
	char *cause = NULL;

	while (!*r->stop) {
		struct store_filter f = { 0 };
		struct store_content *v;
		size_t n;

		if (store_content_list(s, &f, a, &v, &n, &cause) == -1) {
			free(cause);
			cause = NULL;
			continue;
		}
		/* A batch writes every output once: all versions agree. */
		for (size_t i = 1; i < n; i++)
			if (v[i].version != v[0].version)
				r->torn++;
		if (n != 0 && n != BATCH_IDS)
			r->torn++;
		r->checks++;
		arena_reset(a);
	}
	arena_free(a);
	store_close(s);
	return NULL;
}

Test(durability, readers_never_see_half_a_batch, .timeout = 120)
{
	char *root = st_tmproot(), *cause = NULL;
	struct store *s = st_open(root, 0, STORE_NOFSYNC);
	volatile int stop = 0;
	struct reader_arg r = { root, &stop, 0, 0 };
	pthread_t t;

	st_gen(s, NULL, "seed", "x", 1, NULL, NULL, 0);	/* make the db */
	cr_assert_eq(store_begin(s, &cause), 0);
	for (int k = 0; k < BATCH_IDS; k++) {
		char id[16];
		snprintf(id, sizeof id, "b%d", k);
		st_gen(s, NULL, id, "0", 1, NULL, NULL, 0);
	}
	struct store_content rm = { .id = "seed",
	    .kind = STORE_VERSION_REMOVED };
	cr_assert_eq(store_content_put(s, &rm, &cause), 0);
	cr_assert_eq(store_commit(s, &cause), 0);

	cr_assert_eq(pthread_create(&t, NULL, reader_main, &r), 0);
	for (int round = 1; round <= 150; round++) {
		struct store_generation g[BATCH_IDS];
		char ids[BATCH_IDS][16], text[16];

		snprintf(text, sizeof text, "%d", round);
		memset(g, 0, sizeof g);
		for (int k = 0; k < BATCH_IDS; k++) {
			snprintf(ids[k], sizeof ids[k], "b%d", k);
			g[k].content.id = ids[k];
			g[k].content.text = text;
			g[k].content.len = strlen(text);
		}
		cr_assert_eq(store_generation_put_batch(s, g, BATCH_IDS,
		    &cause), 0, "%s", cause);
	}
	stop = 1;
	pthread_join(t, NULL);
	cr_assert_gt(r.checks, 0);
	cr_assert_eq(r.torn, 0, "%d of %d reads saw a partial batch", r.torn,
	    r.checks);
	store_close(s);
	st_rmtree(root);
	free(root);
}

/* ---- query plans ---- */

/*
 * The plan of text must use want (an index and the columns it is searched
 * by) and scan no table; a search by the workspace alone is a scan too.
 */
static void
expect_plan(sqlite3 *db, const char *what, const char *text, const char *want)
{
	char *eqp = xprintf("EXPLAIN QUERY PLAN %s", text);
	sqlite3_stmt *st;
	bool found = false;

	cr_assert_eq(sqlite3_prepare_v2(db, eqp, -1, &st, NULL), SQLITE_OK,
	    "%s: %s", what, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);
		bool bad = strncmp(detail, "SCAN ", 5) == 0 &&
		    strcmp(detail, "SCAN t") != 0;	/* the CTE's queue */
		cr_assert(!bad, "%s: %s", what, detail);
		/* A Bloom filter is built by reading the whole table. */
		cr_assert_null(strstr(detail, "BLOOM"), "%s: %s", what,
		    detail);
		cr_assert_null(strstr(detail, "(ws=?)"), "%s: %s", what,
		    detail);
		if (strstr(detail, want) != NULL)
			found = true;
	}
	cr_assert(found, "%s: plan does not use %s", what, want);
	sqlite3_finalize(st);
	free(eqp);
}

/* A list in id order must come in index order, not through a sort. */
static void
expect_no_sort(sqlite3 *db, const char *text)
{
	char *eqp = xprintf("EXPLAIN QUERY PLAN %s", text);
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_prepare_v2(db, eqp, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		cr_assert_null(strstr((const char *)sqlite3_column_text(st, 3),
		    "TEMP B-TREE"), "%s", text);
	sqlite3_finalize(st);
	free(eqp);
}

#define PK_PARENT "e USING PRIMARY KEY (parent=?)"
#define REVERSE "e USING COVERING INDEX deps_reverse (input=?)"
#define NAMED "(ws=? AND kind=? AND name=?)"
#define CTX "x0 USING PRIMARY KEY (ws=? AND entity=? AND key=? AND value=?)"

Test(durability, hot_queries_are_index_lookups)
{
	static const struct {
		enum sq_stmt	 which;
		const char	*what;
		const char	*want;
	} hot[] = {
		{ SQ_CONFIG_HEAD, "latest config",
		    "h USING PRIMARY KEY (ws=? AND config_id=?)" },
		{ SQ_CONFIG_BY_VERSION, "config version",
		    "configs_by_id (ws=? AND config_id=?)" },
		{ SQ_CONFIG_HISTORY, "config history",
		    "configs_by_id (ws=? AND config_id=?)" },
		{ SQ_CONTENT_HEAD, "latest content",
		    "h USING PRIMARY KEY (ws=? AND content_id=?)" },
		{ SQ_CONTENT_PREV, "latest version number",
		    "h USING PRIMARY KEY (ws=? AND content_id=?)" },
		{ SQ_CONTENT_BY_VERSION, "content version",
		    "(ws=? AND content_id=? AND version=?)" },
		{ SQ_CONTENT_HISTORY, "history", "(ws=? AND content_id=?)" },
		{ SQ_CONTENT_PRUNE, "prune",
		    "(ws=? AND content_id=? AND version<?)" },
		{ SQ_BLOB_USED, "blob referenced", "content_by_blob (blob=?)" },
		{ SQ_PARENT_GET, "dependency parent", NAMED },
		{ SQ_INPUT_GET, "input at a hash",
		    "(ws=? AND kind=? AND name=? AND hash=?)" },
		{ SQ_INPUT_DROP, "input still read", "deps_reverse (input=?)" },
		{ SQ_DEPS_OF, "edges of a parent", PK_PARENT },
		{ SQ_DEPS_GET, "dependencies of X", PK_PARENT },
		{ SQ_DEPS_REMOVE, "remove a dependency",
		    "PRIMARY KEY (parent=? AND input=?)" },
		{ SQ_DEPS_PARENTS, "what depends on X", REVERSE },
		{ SQ_TREE, "dependency tree", PK_PARENT },
		{ SQ_TREE_REVERSE, "reverse tree", REVERSE },
		{ SQ_INPUT_FILES, "distinct inputs", "(ws=? AND kind=?)" },
		{ SQ_INPUT_ONE, "one input", NAMED },
		{ SQ_INPUT_CONFIGS, "configs read",
		    "h USING PRIMARY KEY (ws=? AND config_id=?)" },
		{ SQ_HEAD_STRATEGY, "strategy", "(ws=? AND content_id=?)" },
		{ SQ_HEAD_EXPIRED, "ttl expired",
		    "content_head_expiry (ws=? AND expires_at<?)" },
		{ SQ_HEAD_UNUSUAL, "drifted",
		    "content_head_unusual (ws=? AND kind=?)" },
		{ SQ_CTX_DELETE, "context rows",
		    "ctx_by_id (ws=? AND entity=? AND id=?)" },
		{ SQ_EVENT_LIST_KIND, "events of a kind",
		    "events_by_kind (kind=? AND seq>?)" },
		{ SQ_EVENT_LIST_SUBJECT, "events of a subject",
		    "events_by_subject (subject=? AND seq>?)" },
	};
	char *root = st_tmproot();

	store_close(st_open(root, 0, 0));
	sqlite3 *db = raw_open(root, "storage.db");
	for (size_t i = 0; i < sizeof hot / sizeof hot[0]; i++)
		expect_plan(db, hot[i].what, sq_stmt_sql(hot[i].which),
		    hot[i].want);
	for (int content = 0; content < 2; content++)
		for (size_t nw = 1; nw <= 3; nw++) {
			char *text = sq_list_sql(content, nw == 2, nw);
			expect_plan(db, "context query", text, CTX);
			expect_no_sort(db, text);
			free(text);
		}
	char *text = sq_list_sql(true, true, 0);
	expect_plan(db, "content of a config", text,
	    "h USING INDEX content_head_config (ws=? AND config_id=?)");
	free(text);
	/* Listing a whole workspace walks its heads, in key order. */
	for (int content = 0; content < 2; content++) {
		text = sq_list_sql(content, false, 0);
		expect_no_sort(db, text);
		free(text);
	}
	sqlite3_close(db);
	st_rmtree(root);
	free(root);
}
