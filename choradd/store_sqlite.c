/*
 * store_sqlite — the embedded store backend: one SQLite database in WAL
 * mode at <root>/.chora/storage.db plus content-addressed blob files.
 *
 * This file holds the connection: opening (pragmas, schema, layout), the
 * prepared-statement cache with every fixed statement's SQL in one table,
 * transactions and savepoints, the workspace cache, and the ops table.
 * The operations themselves live in store_sqlite_<topic>.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "fileio.h"
#include "log.h"
#include "path.h"
#include "store_sqlite_int.h"
#include "xmalloc.h"

/*
 * A tree walk carries the trail of nodes from its root (kind US name RS
 * ...) so that an edge back to a node on the trail is reported as a cycle
 * and not followed; ordering by the trail gives depth-first order, each
 * level by kind and name.  A row of t is an edge: its parent (the
 * dependent, a dep_parent id) and its input (what was read, at which
 * hash: a dep_input id).  Going down, an input is a parent in turn by its
 * kind and name; going up, a parent is read as an input the same way.
 */
#define SQ_KEY(n) n ".kind || char(30) || " n ".name || char(31)"
#define SQ_TREE_SQL(start, step, node) \
	"WITH RECURSIVE t(depth, parent, input, trail, cyc) AS" \
	" (SELECT 1, p.id, i.id, char(31) || ?2 || char(30) || ?3 ||" \
	" char(31) || " SQ_KEY(node) ", " node ".kind = ?2 AND " node \
	".name = ?3 FROM " start \
	" UNION ALL SELECT t.depth + 1, p.id, i.id, t.trail || " SQ_KEY(node) \
	", instr(t.trail, char(31) || " SQ_KEY(node) ") > 0 FROM t " step \
	" WHERE NOT t.cyc AND t.depth < ?4 LIMIT ?5)" \
	" SELECT t.depth, p.kind, p.name, i.kind, i.name, i.path, i.hash," \
	" t.cyc FROM t JOIN dep_parent p ON p.id = t.parent JOIN dep_input i" \
	" ON i.id = t.input ORDER BY t.trail"
/* Down: the edges of parent p, the inputs i they read. */
#define SQ_DOWN "JOIN deps e ON e.parent = p.id JOIN dep_input i ON" \
	" i.id = e.input"
/* Up: the edges reading input i, their parents p. */
#define SQ_UP "JOIN deps e ON e.input = i.id JOIN dep_parent p ON" \
	" p.id = e.parent"
#define SQ_TREE_DOWN SQ_TREE_SQL("dep_parent p " SQ_DOWN " WHERE" \
	" p.ws = ?1 AND p.kind = ?2 AND p.name = ?3", "JOIN dep_input ti ON" \
	" ti.id = t.input JOIN dep_parent p ON p.ws = ti.ws AND" \
	" p.kind = ti.kind AND p.name = ti.name " SQ_DOWN, "i")
#define SQ_TREE_UP SQ_TREE_SQL("dep_input i " SQ_UP " WHERE i.ws = ?1 AND" \
	" i.kind = ?2 AND i.name = ?3", "JOIN dep_parent tp ON" \
	" tp.id = t.parent JOIN dep_input i ON i.ws = tp.ws AND" \
	" i.kind = tp.kind AND i.name = tp.name " SQ_UP, "p")

#define SQ_EVENT_SQL(first) \
	"SELECT e.seq, e.at, e.kind, e.uid, w.name, e.subject, e.details" \
	" FROM events e LEFT JOIN workspaces w ON w.id = e.ws WHERE " first \
	" AND (?1 IS NULL OR e.kind = ?1) AND (?2 IS NULL OR e.ws = ?2)" \
	" AND (?3 IS NULL OR e.subject = ?3) AND e.seq > ?4 AND e.at >= ?5" \
	" ORDER BY e.seq DESC LIMIT ?6"

static const char *const sq_sql[SQ_COUNT] = {
	[SQ_BEGIN] = "BEGIN IMMEDIATE",
	[SQ_BEGIN_READ] = "BEGIN",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
	[SQ_SAVEPOINT] = "SAVEPOINT w",
	[SQ_RELEASE] = "RELEASE w",
	[SQ_ROLLBACK_TO] = "ROLLBACK TO w",
	[SQ_WS_GET] = "SELECT id FROM workspaces WHERE name = ?1",
	[SQ_WS_ADD] = "INSERT INTO workspaces(name) VALUES (?1)",
	[SQ_CONFIG_HEAD] = "SELECT c.seq, c.version, c.type, c.json, c.hash,"
	    " c.created_at FROM config_head h JOIN configs c ON c.seq = h.seq"
	    " WHERE h.ws = ?1 AND h.config_id = ?2",
	[SQ_CONFIG_BY_VERSION] = "SELECT seq, version, type, json, hash,"
	    " created_at FROM configs WHERE ws = ?1 AND config_id = ?2 AND"
	    " (version = ?3 OR hash = ?3) ORDER BY seq DESC LIMIT 1",
	[SQ_CONFIG_INSERT] = "INSERT INTO configs(ws, config_id, version,"
	    " hash, type, json, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	    " ?7)",
	[SQ_CONFIG_HEAD_SET] = "INSERT INTO config_head(ws, config_id, seq,"
	    " type, version, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7) ON CONFLICT(ws, config_id) DO UPDATE SET"
	    " seq = excluded.seq, type = excluded.type,"
	    " version = excluded.version, hash = excluded.hash,"
	    " created_at = excluded.created_at",
	[SQ_CONFIG_HISTORY] = "SELECT seq, version, type, json, hash,"
	    " created_at FROM configs WHERE ws = ?1 AND config_id = ?2"
	    " ORDER BY seq DESC",
	[SQ_CTX_DELETE] = "DELETE FROM ctx WHERE ws = ?1 AND entity = ?2 AND"
	    " id = ?3",
	[SQ_CTX_INSERT] = "INSERT OR IGNORE INTO ctx(ws, entity, key, value,"
	    " id) VALUES (?1, ?2, ?3, ?4, ?5)",
	[SQ_CONTENT_HEAD] = "SELECT " SQ_CONTENT_COLS ", b.body FROM"
	    " content_head h JOIN content c ON c.seq = h.seq LEFT JOIN"
	    " content_body b ON b.seq = c.seq WHERE h.ws = ?1 AND"
	    " h.content_id = ?2",
	[SQ_CONTENT_PREV] = "SELECT c.version, c.context FROM content_head h"
	    " JOIN content c ON c.seq = h.seq WHERE h.ws = ?1 AND"
	    " h.content_id = ?2",
	[SQ_CONTENT_BY_VERSION] = "SELECT " SQ_CONTENT_COLS ", b.body FROM"
	    " content c LEFT JOIN content_body b ON b.seq = c.seq WHERE"
	    " c.ws = ?1 AND c.content_id = ?2 AND c.version = ?3",
	[SQ_CONTENT_INSERT] = "INSERT INTO content(ws, content_id, version,"
	    " kind, hash, size, config_id, config_version, config_hash,"
	    " context, output_path, freshness, ttl, generated_at, blob)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15)",
	[SQ_BODY_INSERT] = "INSERT INTO content_body(seq, body) VALUES (?1,"
	    " ?2)",
	[SQ_CONTENT_HEAD_SET] = "INSERT INTO content_head(ws, content_id,"
	    " seq, config_id, freshness, expires_at, kind) VALUES (?1, ?2,"
	    " ?3, ?4, ?5, ?6, ?7) ON CONFLICT(ws, content_id) DO UPDATE SET"
	    " seq = excluded.seq, config_id = excluded.config_id,"
	    " freshness = excluded.freshness,"
	    " expires_at = excluded.expires_at, kind = excluded.kind",
	[SQ_CONTENT_PRUNE] = "DELETE FROM content WHERE ws = ?1 AND"
	    " content_id = ?2 AND version <= ?3 RETURNING blob",
	[SQ_CONTENT_HISTORY] = "SELECT " SQ_CONTENT_COLS " FROM content c"
	    " WHERE c.ws = ?1 AND c.content_id = ?2 ORDER BY c.version DESC",
	[SQ_BLOB_USED] = "SELECT 1 FROM content WHERE blob = ?1 LIMIT 1",
	[SQ_PARENT_GET] = "SELECT id FROM dep_parent WHERE ws = ?1 AND"
	    " kind = ?2 AND name = ?3",
	[SQ_PARENT_ADD] = "INSERT INTO dep_parent(ws, kind, name) VALUES"
	    " (?1, ?2, ?3)",
	[SQ_INPUT_GET] = "SELECT id, path FROM dep_input WHERE ws = ?1 AND"
	    " kind = ?2 AND name = ?3 AND hash = ?4",
	[SQ_INPUT_ADD] = "INSERT INTO dep_input(ws, kind, name, hash, path,"
	    " id) VALUES (?1, ?2, ?3, ?4, ?5, (SELECT ifnull(max(id), 0) + 1"
	    " FROM dep_input)) RETURNING id",
	[SQ_INPUT_PATH] = "UPDATE dep_input SET path = ?2 WHERE id = ?1",
	[SQ_INPUT_DROP] = "DELETE FROM dep_input WHERE id = ?1 AND NOT EXISTS"
	    " (SELECT 1 FROM deps WHERE input = ?1)",
	[SQ_DEPS_REMOVE] = "DELETE FROM deps WHERE parent = ?1 AND"
	    " input = ?2",
	[SQ_DEPS_INSERT] = "INSERT INTO deps(parent, input) VALUES (?1, ?2)"
	    " ON CONFLICT DO NOTHING",
	[SQ_DEPS_OF] = "SELECT i.kind, i.name, i.path, i.hash, i.id FROM"
	    " deps e JOIN dep_input i ON i.id = e.input WHERE e.parent = ?1",
	[SQ_DEPS_GET] = "SELECT i.kind, i.name, i.path, i.hash FROM"
	    " dep_parent p " SQ_DOWN " WHERE p.ws = ?1 AND p.kind = ?2 AND"
	    " p.name = ?3 ORDER BY i.kind, i.name",
	[SQ_DEPS_EACH] = "SELECT p.kind, p.name, i.kind, i.name, i.path,"
	    " i.hash FROM dep_parent p " SQ_DOWN " WHERE p.ws = ?1",
	[SQ_DEPS_PARENTS] = "SELECT p.kind, p.name FROM dep_input i " SQ_UP
	    " WHERE i.ws = ?1 AND i.kind = ?2 AND i.name = ?3 AND"
	    " (?4 IS NULL OR i.hash = ?4)",
	[SQ_TREE] = SQ_TREE_DOWN,
	[SQ_TREE_REVERSE] = SQ_TREE_UP,
	[SQ_INPUT_FILES] = "SELECT kind, name, path, hash FROM dep_input"
	    " WHERE ws = ?1 AND kind IN ('template', 'data', 'data_part')",
	[SQ_INPUT_ONE] = "SELECT hash FROM dep_input WHERE ws = ?1 AND"
	    " kind = ?2 AND name = ?3",
	[SQ_INPUT_CONFIGS] = "SELECT i.name, i.hash, h.hash FROM dep_input i"
	    " LEFT JOIN config_head h ON h.ws = i.ws AND h.config_id = i.name"
	    " WHERE i.ws = ?1 AND i.kind = 'config' AND h.hash IS NOT i.hash",
	[SQ_INPUT_CONTENT] = "SELECT i.name, i.hash, CASE WHEN h.kind ="
	    " 'removed' THEN NULL ELSE c.hash END FROM dep_input i LEFT JOIN"
	    " content_head h ON h.ws = i.ws AND h.content_id = i.name LEFT"
	    " JOIN content c ON c.seq = h.seq WHERE i.ws = ?1 AND"
	    " i.kind = 'content' AND (c.hash IS NOT i.hash OR"
	    " h.kind = 'removed')",
	[SQ_HEAD_STRATEGY] = "SELECT freshness, kind FROM content_head"
	    " WHERE ws = ?1 AND content_id = ?2",
	[SQ_HEAD_EXPIRED] = "SELECT content_id, expires_at FROM content_head"
	    " WHERE ws = ?1 AND expires_at <= ?2",
	[SQ_HEAD_UNUSUAL] = "SELECT content_id, kind FROM content_head WHERE"
	    " ws = ?1 AND kind IN ('drift', 'imported')",
	[SQ_EVENT_INSERT] = "INSERT INTO events(at, kind, uid, ws, subject,"
	    " details) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[SQ_EVENT_LIST] = SQ_EVENT_SQL("1"),
	[SQ_EVENT_LIST_KIND] = SQ_EVENT_SQL("e.kind = ?1"),
	[SQ_EVENT_LIST_SUBJECT] = SQ_EVENT_SQL("e.subject = ?3"),
	[SQ_GC_PRUNE] = "DELETE FROM content WHERE seq IN (SELECT c.seq FROM"
	    " content_head h JOIN content hc ON hc.seq = h.seq JOIN content c"
	    " ON c.ws = h.ws AND c.content_id = h.content_id AND"
	    " c.version <= hc.version - ?1) RETURNING blob",
};

const char *
sq_stmt_sql(enum sq_stmt which)
{
	return sq_sql[which];
}

int
sq_fail(struct sq *q, const char *what, char **cause)
{
	*cause = xprintf("%s: %s: %s", q->dbpath, what, sqlite3_errmsg(q->db));
	return -1;
}

static sqlite3_stmt *
sq_prepare(struct sq *q, sqlite3_stmt **slot, const char *sql, char **cause)
{
	if (*slot == NULL && sqlite3_prepare_v3(q->db, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK) {
		sq_fail(q, "prepare", cause);
		return NULL;
	}
	return *slot;
}

sqlite3_stmt *
sq_stmt(struct sq *q, enum sq_stmt which, char **cause)
{
	return sq_prepare(q, &q->stmt[which], sq_sql[which], cause);
}

sqlite3_stmt *
sq_list_stmt(struct sq *q, size_t shape, const char *sql, char **cause)
{
	return sq_prepare(q, &q->list[shape], sql, cause);
}

void
sq_done(sqlite3_stmt *st)
{
	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

int
sq_exec(struct sq *q, sqlite3_stmt *st, const char *what, char **cause)
{
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		sq_fail(q, what, cause);
		sq_done(st);
		return -1;
	}
	sq_done(st);
	return 0;
}

void
sq_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	/* Binding only fails on a bad index or OOM, both bugs or fatal. */
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else if (sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) != SQLITE_OK)
		fatalx("sqlite: bind %d failed", i);
}

const char *
sq_col_text(struct arena *a, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	if (s == NULL)
		return NULL;
	return arena_memdup(a, s, (size_t)sqlite3_column_bytes(st, i));
}

const char *
sq_col_text_as(struct arena *a, sqlite3_stmt *st, int i, const char *prev)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);

	if (s == NULL)
		return NULL;
	if (prev != NULL && strncmp(prev, (const char *)s, n) == 0 &&
	    prev[n] == '\0')
		return prev;
	return arena_memdup(a, s, n);
}

void
sq_col_hash(sqlite3_stmt *st, int i, char out[HASH_HEX_SIZE])
{
	const unsigned char *s = sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);

	if (s == NULL || n >= HASH_HEX_SIZE)
		n = 0;
	memcpy(out, s, (size_t)n);
	out[n] = '\0';
}

void *
sq_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size)
{
	size_t ncap;

	if (n < *cap)
		return arr;
	ncap = *cap < 16 ? 16 : *cap * 2;
	arr = arena_realloc(a, arr, *cap * size, ncap * size);
	*cap = ncap;
	return arr;
}

/* ---- workspaces ---- */

static void
sq_ws_forget(struct sq *q)
{
	for (size_t i = 0; i < q->nws; i++)
		free(q->ws[i].name);
	free(q->ws);
	q->ws = NULL;
	q->nws = 0;
}

int64_t
sq_ws_id(struct sq *q, const char *name, bool create, char **cause)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	for (size_t i = 0; i < q->nws; i++)
		if (strcmp(q->ws[i].name, name) == 0)
			return q->ws[i].id;
	if ((st = sq_stmt(q, SQ_WS_GET, cause)) == NULL)
		return -1;
	sq_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sq_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(q, "workspace", cause);
	if (id == 0 && create) {
		if ((st = sq_stmt(q, SQ_WS_ADD, cause)) == NULL)
			return -1;
		sq_bind_text(st, 1, name);
		if (sq_exec(q, st, "add workspace", cause) == -1)
			return -1;
		id = sqlite3_last_insert_rowid(q->db);
	}
	if (id > 0) {
		q->ws = xreallocarray(q->ws, q->nws + 1, sizeof *q->ws);
		q->ws[q->nws].name = xstrdup(name);
		q->ws[q->nws++].id = id;
	}
	return id;
}

sqlite3_stmt *
sq_ws_stmt(struct sq *q, enum sq_stmt which, const char *ws, int64_t *wsid,
    char **cause)
{
	sqlite3_stmt *st;

	if ((*wsid = sq_ws_id(q, ws, false, cause)) <= 0)
		return NULL;
	if ((st = sq_stmt(q, which, cause)) == NULL) {
		*wsid = -1;
		return NULL;
	}
	sqlite3_bind_int64(st, 1, *wsid);
	return st;
}

/* ---- blob unlinks deferred to after commit ---- */

void
sq_unlink_later(struct sq *q, const char *blob)
{
	q->unlink = xreallocarray(q->unlink, q->nunlink + 1, sizeof *q->unlink);
	q->unlink[q->nunlink++] = xstrdup(blob);
}

static void
sq_unlink_drop(struct sq *q, size_t keep)
{
	while (q->nunlink > keep)
		free(q->unlink[--q->nunlink]);
}

/*
 * After a commit: remove each pruned blob that no kept version refers to.
 * A failure here only leaves a file for store_gc(), so it is logged.
 */
static void
sq_unlink_run(struct sq *q)
{
	char *cause = NULL;
	sqlite3_stmt *st;

	for (size_t i = 0; i < q->nunlink; i++) {
		if ((st = sq_stmt(q, SQ_BLOB_USED, &cause)) == NULL)
			break;
		sq_bind_text(st, 1, q->unlink[i]);
		int rc = sqlite3_step(st);
		sq_done(st);
		if (rc == SQLITE_ROW)
			continue;
		if (rc != SQLITE_DONE) {
			sq_fail(q, "blob reference", &cause);
			break;
		}
		char *path = path_join(q->dir, q->unlink[i]);
		if (unlink(path) == -1 && errno != ENOENT)
			log_warn("%s", path);
		free(path);
	}
	if (cause != NULL) {
		log_warnx("%s", cause);
		free(cause);
	}
	sq_unlink_drop(q, 0);
}

/* ---- transactions ---- */

static int
sq_run(struct sq *q, enum sq_stmt which, char **cause)
{
	return sq_exec(q, sq_stmt(q, which, cause), sq_sql[which], cause);
}

/* Undo: a failed write must not leave a stale workspace id cached. */
static void
sq_undo(struct sq *q, enum sq_stmt which, size_t keep)
{
	char *cause = NULL;

	if (sq_run(q, which, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
	}
	sq_unlink_drop(q, keep);
	sq_ws_forget(q);
	sq_ids_clear(q);
}

int
sq_write_begin(struct sq *q, char **cause)
{
	if (q->flags & STORE_READONLY) {
		*cause = xprintf("%s: store opened read-only", q->dbpath);
		return -1;
	}
	if (q->txn && q->batch) {
		if (!q->spoiled)
			return 0;
		*cause = xprintf("%s: an earlier write of this batch failed",
		    q->dbpath);
		return -1;
	}
	q->unlink_mark = q->nunlink;
	return sq_run(q, q->txn ? SQ_SAVEPOINT : SQ_BEGIN, cause);
}

int
sq_write_end(struct sq *q, int rc, char **cause)
{
	if (q->txn && q->batch) {
		/* No savepoint to undo to: the whole batch is lost. */
		if (rc != 0)
			q->spoiled = true;
		return rc;
	}
	if (q->txn) {
		if (rc == 0)
			return sq_run(q, SQ_RELEASE, cause);
		sq_undo(q, SQ_ROLLBACK_TO, q->unlink_mark);
		if (sq_run(q, SQ_RELEASE, cause) == -1)
			log_warnx("release after rollback failed");
		return rc;
	}
	if (rc == 0 && sq_run(q, SQ_COMMIT, cause) == 0) {
		sq_unlink_run(q);
		return 0;
	}
	sq_undo(q, SQ_ROLLBACK, 0);
	return -1;
}

static int
sq_begin(void *b, bool batch, char **cause)
{
	struct sq *q = b;

	if (q->txn) {
		*cause = xprintf("%s: transaction already open", q->dbpath);
		return -1;
	}
	if (sq_write_begin(q, cause) == -1)
		return -1;
	q->txn = true;
	q->batch = batch;
	q->spoiled = false;
	return 0;
}

static int
sq_commit(void *b, char **cause)
{
	struct sq *q = b;
	bool spoiled = q->spoiled;

	if (!q->txn) {
		*cause = xprintf("%s: no transaction open", q->dbpath);
		return -1;
	}
	q->txn = q->batch = q->spoiled = false;
	if (!spoiled)
		return sq_write_end(q, 0, cause);
	sq_undo(q, SQ_ROLLBACK, 0);
	*cause = xprintf("%s: a write of the batch failed; nothing of it was "
	    "committed", q->dbpath);
	return -1;
}

static void
sq_rollback(void *b)
{
	struct sq *q = b;

	if (q->txn) {
		q->txn = q->batch = q->spoiled = false;
		sq_undo(q, SQ_ROLLBACK, 0);
	}
}

/* ---- open, close, check ---- */

static void
sq_close(void *b)
{
	struct sq *q = b;

	if (q == NULL)
		return;
	sq_rollback(q);
	for (size_t i = 0; i < SQ_COUNT; i++)
		sqlite3_finalize(q->stmt[i]);
	for (size_t i = 0; i < SQ_LIST_SHAPES; i++)
		sqlite3_finalize(q->list[i]);
	if (q->db != NULL && sqlite3_close(q->db) != SQLITE_OK)
		log_warnx("%s: close: %s", q->dbpath, sqlite3_errmsg(q->db));
	sq_ws_forget(q);
	sq_ids_clear(q);
	sq_unlink_drop(q, 0);
	free(q->unlink);
	arena_free(q->scratch);
	free(q->root);
	free(q->dir);
	free(q->dbpath);
	free(q);
}

static int
sq_layout(struct sq *q, char **cause)
{
	static const char *const dirs[] = { "blobs/content", "memory/events" };

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *p = path_join(q->dir, dirs[i]);
		int rc = fileio_mkdirs(p, 0755);
		if (rc == -1)
			*cause = xprintf("%s: %s", p, strerror(errno));
		free(p);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static void *
sq_open(const char *root, const struct store_options *opt, char **cause)
{
	struct sq *q = xcalloc(1, sizeof *q);
	int oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;

	q->root = xstrdup(root);
	q->scratch = arena_new();
	q->dir = path_join(root, ".chora");
	q->dbpath = path_join(q->dir, "storage.db");
	q->flags = opt->flags;
	q->history = opt->history;
	q->cache_kib = opt->cache_kib > 0 ? opt->cache_kib : STORE_CACHE_KIB;
	if (q->flags & STORE_READONLY) {
		if (access(q->dbpath, F_OK) == -1) {
			*cause = xprintf("%s: %s", q->dbpath, strerror(errno));
			goto fail;
		}
		oflags |= SQLITE_OPEN_READONLY;
	} else {
		if (sq_layout(q, cause) == -1)
			goto fail;
		oflags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	}
	if (sqlite3_open_v2(q->dbpath, &q->db, oflags, NULL) != SQLITE_OK) {
		if (q->db == NULL)
			fatalx("sqlite: out of memory");
		sq_fail(q, "open", cause);
		goto fail;
	}
	sqlite3_busy_timeout(q->db, opt->busy_timeout_ms > 0 ?
	    opt->busy_timeout_ms : 5000);
	if (sq_schema_open(q, cause) == -1)
		goto fail;
	return q;
fail:
	sq_close(q);
	return NULL;
}

static int
sq_schema_version(void *b)
{
	return ((struct sq *)b)->version;
}

static int
sq_check(void *b, char **cause)
{
	struct sq *q = b;
	sqlite3_stmt *st;
	char *bad = NULL;
	int rc;

	if (sqlite3_prepare_v2(q->db, "PRAGMA integrity_check", -1, &st,
	    NULL) != SQLITE_OK)
		return sq_fail(q, "integrity_check", cause);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);
		if (line != NULL && strcmp(line, "ok") != 0 && bad == NULL)
			bad = xstrdup(line);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(bad);
		return sq_fail(q, "integrity_check", cause);
	}
	if (bad != NULL) {
		*cause = xprintf("%s: integrity check: %s", q->dbpath, bad);
		free(bad);
		return -1;
	}
	return 0;
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.schema_version = sq_schema_version,
	.check = sq_check,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.config_put = sq_config_put,
	.config_get = sq_config_get,
	.config_history = sq_config_history,
	.config_list = sq_config_list,
	.generation_put = sq_generation_put,
	.content_put = sq_content_put,
	.content_get = sq_content_get,
	.content_history = sq_content_history,
	.content_list = sq_content_list,
	.deps_set = sq_deps_set,
	.deps_get = sq_deps_get,
	.deps_each = sq_deps_each,
	.deps_tree = sq_deps_tree,
	.stale = sq_stale,
	.event_append = sq_event_append,
	.event_list = sq_event_list,
	.gc = sq_gc,
};
