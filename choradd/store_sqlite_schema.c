/*
 * store_sqlite_schema — the schema of storage.db and its migrations.
 *
 * Each schema version is one step in sq_steps[]: SQL plus, when existing
 * rows must be rewritten, a C function.  A new store runs every step; an
 * older one runs the steps it lacks, all in one transaction after a
 * backup copy (storage.db.bak-v<N>, made with VACUUM INTO), so a failed
 * migration leaves the store as it was.  PRAGMA user_version is the
 * version; schema_version.txt repeats it for people and scripts.  A store
 * from a newer chora is refused before anything is written to it.
 *
 * Index notes (every hot query is an index lookup, checked by a test with
 * EXPLAIN QUERY PLAN):
 *  - configs(ws, config_id, seq) and the head tables make "latest config",
 *    "latest content" and "list" one primary-key lookup or a walk of
 *    heads only, never of the full history; config_head repeats the
 *    columns a config list shows, so listing reads no config JSON;
 *  - inline texts live in content_body, apart from the metadata, so that
 *    lists, history and freshness read dense rows; content_head repeats
 *    the strategy, so that deciding whether an output follows its inputs
 *    reads the head alone;
 *  - no statistics (ANALYZE) are kept: the plans below are the ones the
 *    tests check, and with statistics SQLite chose to build a Bloom filter
 *    over all of deps at every step of a recursive tree walk;
 *  - the graph is integers (v3): dep_parent names each parent once by
 *    (ws, kind, name), dep_input each thing read at each hash it was
 *    read at, by (ws, kind, name, hash); deps' primary key (parent,
 *    input) serves trees and deps_reverse (input, parent) reverse trees
 *    and "what depends on X";
 *  - dep_input holds each distinct (input, hash) that some output read,
 *    so a full freshness check asks about each input once instead of
 *    walking every edge;
 *  - ctx is the context of every latest config and content as key/value
 *    rows (nested objects flattened to "a.b").  A context query on any key
 *    is then an index range.  An expression index on json_extract() would
 *    need one index per key, known in advance, and scanning json_extract()
 *    over 100,000 rows costs tens of milliseconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cjson.h"
#include "fileio.h"
#include "log.h"
#include "path.h"
#include "store_sqlite_int.h"
#include "xmalloc.h"

/* Version 1: the first schema. */
static const char sq_schema_v1[] =
"CREATE TABLE workspaces (\n"
"  id INTEGER PRIMARY KEY,\n"
"  name TEXT NOT NULL UNIQUE\n"
");\n"
"CREATE TABLE configs (\n"
"  seq INTEGER PRIMARY KEY,\n"
"  ws INTEGER NOT NULL REFERENCES workspaces(id),\n"
"  config_id TEXT NOT NULL,\n"
"  version TEXT,\n"
"  hash TEXT NOT NULL,\n"
"  type TEXT NOT NULL,\n"
"  json TEXT NOT NULL,\n"
"  created_at INTEGER NOT NULL\n"
");\n"
"CREATE INDEX configs_by_id ON configs(ws, config_id, seq);\n"
"CREATE TABLE config_head (\n"
"  ws INTEGER NOT NULL REFERENCES workspaces(id),\n"
"  config_id TEXT NOT NULL,\n"
"  seq INTEGER NOT NULL,\n"
"  type TEXT NOT NULL,\n"
"  version TEXT,\n"
"  hash TEXT NOT NULL,\n"
"  created_at INTEGER NOT NULL,\n"
"  PRIMARY KEY (ws, config_id)\n"
") WITHOUT ROWID;\n"
"CREATE TABLE content (\n"
"  seq INTEGER PRIMARY KEY,\n"
"  ws INTEGER NOT NULL REFERENCES workspaces(id),\n"
"  content_id TEXT NOT NULL,\n"
"  version INTEGER NOT NULL,\n"
"  hash TEXT NOT NULL,\n"
"  size INTEGER NOT NULL,\n"
"  config_id TEXT,\n"
"  config_version TEXT,\n"
"  config_hash TEXT,\n"
"  context TEXT NOT NULL DEFAULT '{}',\n"
"  output_path TEXT,\n"
"  freshness TEXT NOT NULL DEFAULT 'dependency',\n"
"  ttl INTEGER NOT NULL DEFAULT 0,\n"
"  generated_at INTEGER NOT NULL,\n"
"  blob TEXT,\n"
"  UNIQUE (ws, content_id, version)\n"
");\n"
"CREATE TABLE content_body (\n"
"  seq INTEGER PRIMARY KEY REFERENCES content(seq) ON DELETE CASCADE,\n"
"  body BLOB NOT NULL\n"
");\n"
"CREATE INDEX content_by_blob ON content(blob) WHERE blob IS NOT NULL;\n"
"CREATE TABLE content_head (\n"
"  ws INTEGER NOT NULL REFERENCES workspaces(id),\n"
"  content_id TEXT NOT NULL,\n"
"  seq INTEGER NOT NULL,\n"
"  config_id TEXT,\n"
"  freshness TEXT NOT NULL,\n"
"  expires_at INTEGER,\n"
"  PRIMARY KEY (ws, content_id)\n"
") WITHOUT ROWID;\n"
"CREATE INDEX content_head_config ON content_head(ws, config_id);\n"
"CREATE INDEX content_head_expiry ON content_head(ws, expires_at)\n"
"  WHERE expires_at IS NOT NULL;\n"
"CREATE TABLE deps (\n"
"  ws INTEGER NOT NULL REFERENCES workspaces(id),\n"
"  parent_kind TEXT NOT NULL,\n"
"  parent_id TEXT NOT NULL,\n"
"  child_kind TEXT NOT NULL,\n"
"  child_id TEXT NOT NULL,\n"
"  child_path TEXT,\n"
"  child_hash TEXT NOT NULL,\n"
"  PRIMARY KEY (ws, parent_kind, parent_id, child_kind, child_id)\n"
") WITHOUT ROWID;\n"
"CREATE INDEX deps_reverse ON deps(ws, child_kind, child_id, child_hash,\n"
"  child_path);\n"
"CREATE TABLE dep_input (\n"
"  ws INTEGER NOT NULL,\n"
"  kind TEXT NOT NULL,\n"
"  id TEXT NOT NULL,\n"
"  hash TEXT NOT NULL,\n"
"  path TEXT,\n"
"  refs INTEGER NOT NULL,\n"
"  PRIMARY KEY (ws, kind, id, hash)\n"
") WITHOUT ROWID;\n"
"CREATE TRIGGER deps_ai AFTER INSERT ON deps BEGIN\n"
"  INSERT INTO dep_input(ws, kind, id, hash, path, refs)\n"
"    VALUES (new.ws, new.child_kind, new.child_id, new.child_hash,\n"
"            new.child_path, 1)\n"
"    ON CONFLICT DO UPDATE SET refs = refs + 1;\n"
"END;\n"
"CREATE TRIGGER deps_ad AFTER DELETE ON deps BEGIN\n"
"  UPDATE dep_input SET refs = refs - 1 WHERE ws = old.ws AND\n"
"    kind = old.child_kind AND id = old.child_id AND hash = old.child_hash;\n"
"  DELETE FROM dep_input WHERE ws = old.ws AND kind = old.child_kind AND\n"
"    id = old.child_id AND hash = old.child_hash AND refs <= 0;\n"
"END;\n"
"CREATE TABLE events (\n"
"  seq INTEGER PRIMARY KEY,\n"
"  at INTEGER NOT NULL,\n"
"  kind TEXT NOT NULL,\n"
"  uid INTEGER,\n"
"  ws INTEGER REFERENCES workspaces(id),\n"
"  subject TEXT,\n"
"  details TEXT NOT NULL DEFAULT '{}'\n"
");\n"
"CREATE INDEX events_by_kind ON events(kind, seq);\n"
"CREATE INDEX events_by_subject ON events(subject, seq);\n";

/*
 * Version 2: versions that are not generations (a hand edit kept before
 * it is overwritten, a removal, a rollback, an import) get a kind, and
 * contexts get the key/value index that makes --where an index lookup.
 */
static const char sq_schema_v2[] =
"ALTER TABLE content ADD COLUMN kind TEXT NOT NULL DEFAULT 'generated';\n"
"ALTER TABLE content_head ADD COLUMN kind TEXT NOT NULL\n"
"  DEFAULT 'generated';\n"
"CREATE INDEX content_head_unusual ON content_head(ws, kind)\n"
"  WHERE kind IN ('drift', 'imported');\n"
"CREATE TABLE ctx (\n"
"  ws INTEGER NOT NULL REFERENCES workspaces(id),\n"
"  entity TEXT NOT NULL,\n"
"  key TEXT NOT NULL,\n"
"  value TEXT NOT NULL,\n"
"  id TEXT NOT NULL,\n"
"  PRIMARY KEY (ws, entity, key, value, id)\n"
") WITHOUT ROWID;\n"
"CREATE INDEX ctx_by_id ON ctx(ws, entity, id);\n";

/* Index the contexts of the existing latest configs and contents. */
static int
sq_backfill_v2(struct sq *q, char **cause)
{
	static const char sql[] =
	    "SELECT h.ws, 'config', h.config_id, c.json FROM config_head h"
	    " JOIN configs c ON c.seq = h.seq UNION ALL"
	    " SELECT h.ws, 'content', h.content_id, c.context FROM"
	    " content_head h JOIN content c ON c.seq = h.seq";
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sq_fail(q, "migrate to v2", cause);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *entity = (const char *)sqlite3_column_text(st, 1);
		const char *id = (const char *)sqlite3_column_text(st, 2);
		const char *text = (const char *)sqlite3_column_text(st, 3);
		json_t *doc, *ctx;

		doc = cjson_parse(text, strlen(text), id, cause);
		if (doc == NULL) {
			rc = -1;
			break;
		}
		ctx = strcmp(entity, "config") == 0 ?
		    json_object_get(doc, "context") : doc;
		rc = sq_ctx_set(q, sqlite3_column_int64(st, 0), entity, id, ctx,
		    cause);
		json_decref(doc);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sq_fail(q, "migrate to v2", cause);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Version 3: the dependency graph by integer ids.  Version 2 stored each
 * edge as text (workspace, parent kind and id, child kind, id, path and
 * hash), twice with its reverse index, and kept a reference count per
 * distinct input through triggers: about 300 bytes and a dozen B-tree
 * steps per edge, most of what recording a generation cost.  Now each
 * parent is a dep_parent row, each input (a thing read: a template, a
 * data file or part, a config, another output) at the hash it was read
 * at a dep_input row, and an edge is two integers (parent, input) in deps
 * and its reverse index.  An input row lives as long as some edge uses
 * it; the writer removes it with its last edge, so no counts are kept.
 * Its primary key starts with the workspace and kind, so that "every
 * input of a kind" (a full freshness check) is a range of the table
 * itself, path included: with a rowid table and an index, each row of
 * that range cost a second search (25% more for the check at 100,000
 * outputs).  Its id is allocated by the insert (max + 1).
 */
static const char sq_schema_v3[] =
"DROP TRIGGER deps_ai;\n"
"DROP TRIGGER deps_ad;\n"
"DROP TABLE dep_input;\n"
"DROP INDEX deps_reverse;\n"
"ALTER TABLE deps RENAME TO deps_v2;\n"
"CREATE TABLE dep_parent (\n"
"  id INTEGER PRIMARY KEY,\n"
"  ws INTEGER NOT NULL REFERENCES workspaces(id),\n"
"  kind TEXT NOT NULL,\n"
"  name TEXT NOT NULL,\n"
"  UNIQUE (ws, kind, name)\n"
");\n"
"CREATE TABLE dep_input (\n"
"  ws INTEGER NOT NULL REFERENCES workspaces(id),\n"
"  kind TEXT NOT NULL,\n"
"  name TEXT NOT NULL,\n"
"  hash TEXT NOT NULL,\n"
"  path TEXT,\n"
"  id INTEGER NOT NULL UNIQUE,\n"
"  PRIMARY KEY (ws, kind, name, hash)\n"
") WITHOUT ROWID;\n"
"CREATE TABLE deps (\n"
"  parent INTEGER NOT NULL,\n"
"  input INTEGER NOT NULL,\n"
"  PRIMARY KEY (parent, input)\n"
") WITHOUT ROWID;\n"
"CREATE INDEX deps_reverse ON deps(input, parent);\n"
"INSERT OR IGNORE INTO dep_parent(ws, kind, name)\n"
"  SELECT ws, parent_kind, parent_id FROM deps_v2;\n"
"INSERT OR IGNORE INTO dep_input(ws, kind, name, hash, path, id)\n"
"  SELECT ws, child_kind, child_id, child_hash, child_path,\n"
"    row_number() OVER () FROM deps_v2;\n"
"INSERT OR IGNORE INTO deps(parent, input)\n"
"  SELECT p.id, i.id FROM deps_v2 d\n"
"  JOIN dep_parent p ON p.ws = d.ws AND p.kind = d.parent_kind AND\n"
"    p.name = d.parent_id\n"
"  JOIN dep_input i ON i.ws = d.ws AND i.kind = d.child_kind AND\n"
"    i.name = d.child_id AND i.hash = d.child_hash;\n"
"DROP TABLE deps_v2;\n";

static const struct sq_step {
	const char	*sql;
	int		(*fn)(struct sq *, char **);
} sq_steps[STORE_SCHEMA_VERSION] = {
	{ sq_schema_v1, NULL },
	{ sq_schema_v2, sq_backfill_v2 },
	{ sq_schema_v3, NULL },
};

const char *
sq_schema_sql(int version)
{
	if (version < 1 || version > STORE_SCHEMA_VERSION)
		return NULL;
	return sq_steps[version - 1].sql;
}

static int
sq_exec_sql(struct sq *q, const char *sql, const char *what, char **cause)
{
	char *err = NULL;

	if (sqlite3_exec(q->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		*cause = xprintf("%s: %s: %s", q->dbpath, what,
		    err != NULL ? err : sqlite3_errmsg(q->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static int
sq_user_version(struct sq *q, int *v, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return sq_fail(q, "read schema version", cause);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return sq_fail(q, "read schema version", cause);
	return 0;
}

/* Copy the database before changing its schema: storage.db.bak-v<N>. */
static int
sq_backup(struct sq *q, int from, char **cause)
{
	char *bak = xprintf("%s.bak-v%d", q->dbpath, from);
	char *sql = sqlite3_mprintf("VACUUM INTO %Q", bak);
	int rc = 0;

	if (sql == NULL)
		fatalx("sqlite: out of memory");
	/* A leftover from an earlier failed attempt holds the same data. */
	if (unlink(bak) == -1 && errno != ENOENT) {
		*cause = xprintf("%s: %s", bak, strerror(errno));
		rc = -1;
	} else
		rc = sq_exec_sql(q, sql, "backup before migration", cause);
	sqlite3_free(sql);
	free(bak);
	return rc;
}

/* Run the steps after the stored version, in one transaction. */
static int
sq_migrate(struct sq *q, int from, char **cause)
{
	char *pragma;
	int v, rc;

	if (from > 0 && sq_backup(q, from, cause) == -1)
		return -1;
	if (sq_exec_sql(q, "BEGIN IMMEDIATE", "migrate", cause) == -1)
		return -1;
	/* Another process may have migrated while we waited for the lock. */
	rc = sq_user_version(q, &v, cause);
	for (int i = v; rc == 0 && i < STORE_SCHEMA_VERSION; i++) {
		char *what = xprintf("migrate to v%d", i + 1);
		rc = sq_exec_sql(q, sq_steps[i].sql, what, cause);
		free(what);
		if (rc == 0 && sq_steps[i].fn != NULL)
			rc = sq_steps[i].fn(q, cause);
	}
	if (rc == 0) {
		pragma = xprintf("PRAGMA user_version = %d",
		    STORE_SCHEMA_VERSION);
		rc = sq_exec_sql(q, pragma, "migrate", cause);
		free(pragma);
	}
	if (rc == 0)
		return sq_exec_sql(q, "COMMIT", "migrate", cause);
	char *ignored = NULL;
	sq_exec_sql(q, "ROLLBACK", "rollback", &ignored);
	free(ignored);
	return -1;
}

/* schema_version.txt, rewritten when it does not say the version. */
static int
sq_version_file(struct sq *q, char **cause)
{
	char *path = path_join(q->dir, "schema_version.txt"), *old = NULL;
	char *want = xprintf("%d\n", q->version);
	size_t len;
	int rc = 0;

	if (fileio_read(path, &old, &len) == -1 || strcmp(old, want) != 0)
		rc = fileio_write_atomic(path, want, strlen(want),
		    !(q->flags & STORE_NOFSYNC), 0644, cause);
	free(old);
	free(want);
	free(path);
	return rc;
}

/*
 * For every connection: foreign keys on; the page cache asked for
 * (store_options.cache_kib, 16 MiB by default: queries over a store of
 * 100,000 outputs want it; a daemon writing one output at a time does not
 * and keeps its memory); temporary storage in memory; and the file mapped
 * (up to 1 GiB of address space) so that reading a page is a memory
 * access rather than a pread(2) copy, unless STORE_NOMMAP: every page a
 * mapping has read stays in the process's resident memory (the daemon
 * grew by 8 MB over 100 edits of a 10,000-output project that way).
 *
 * temp_store: each write inside store_begin() is a savepoint, whose
 * journal holds the original of every page the write touches (about 30
 * for a generation); past 64 KiB SQLite spills it to a file in /var/tmp,
 * which cost a cold pass of 10,000 outputs 290,000 pwrite(2)s of 4 KiB.
 */
#define SQ_PRAGMAS "PRAGMA foreign_keys = ON;" \
	"PRAGMA temp_store = MEMORY;" \
	"PRAGMA mmap_size = 1073741824"

static int
sq_pragmas(struct sq *q, const char *first, char **cause)
{
	char *sql = xprintf("%s" SQ_PRAGMAS "; PRAGMA cache_size = -%u%s",
	    first, q->cache_kib, q->flags & STORE_NOMMAP ?
	    "; PRAGMA mmap_size = 0" : "");
	int rc = sq_exec_sql(q, sql, "open", cause);

	free(sql);
	return rc;
}

int
sq_schema_open(struct sq *q, char **cause)
{
	int v;

	if (sq_user_version(q, &v, cause) == -1)
		return -1;
	if (v > STORE_SCHEMA_VERSION) {
		*cause = xprintf("%s: schema version %d is newer than this "
		    "chora supports (%d): upgrade chora; the store is left "
		    "untouched", q->dbpath, v, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (q->flags & STORE_READONLY) {
		if (v != STORE_SCHEMA_VERSION) {
			*cause = xprintf("%s: schema version %d needs migrating"
			    " to %d by a writer first", q->dbpath, v,
			    STORE_SCHEMA_VERSION);
			return -1;
		}
		q->version = v;
		return sq_pragmas(q, "", cause);
	}
	/*
	 * WAL: readers never block the writer nor see its uncommitted work.
	 * NORMAL: a commit survives a crash of the process (not necessarily
	 * of the machine), at a fraction of FULL's fsyncs.
	 */
	if (sq_pragmas(q, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL;", cause) == -1)
		return -1;
	if (v < STORE_SCHEMA_VERSION && sq_migrate(q, v, cause) == -1)
		return -1;
	q->version = STORE_SCHEMA_VERSION;
	return sq_version_file(q, cause);
}
