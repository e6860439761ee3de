/*
 * store_sqlite_config — versioned configs: every version is kept, keyed
 * by the SHA-256 of its canonical JSON, and config_head names the latest
 * so that loading one is a primary-key lookup.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "cjson.h"
#include "store_sqlite_int.h"
#include "xmalloc.h"

/* Columns: seq, version, type, json, hash, created_at. */
static void
sq_config_row(struct arena *a, sqlite3_stmt *st, const char *ws,
    const char *id, struct store_config *c)
{

	memset(c, 0, sizeof *c);
	c->workspace = arena_strdup(a, ws);
	c->id = arena_strdup(a, id);
	c->seq = sqlite3_column_int64(st, 0);
	c->version = sq_col_text(a, st, 1);
	c->type = sq_col_text(a, st, 2);
	c->json = sq_col_text(a, st, 3);
	sq_col_hash(st, 4, c->hash);
	c->created_at = sqlite3_column_int64(st, 5);
}

/*
 * Insert the version unless the latest already has its hash: 1 stored,
 * 0 unchanged (c gets the existing seq and time), -1 error.
 */
static int
sq_config_write(struct sq *q, struct store_config *c, const char *canon,
    const json_t *doc, char **cause)
{
	sqlite3_stmt *st;
	int64_t ws;
	int rc;

	if ((ws = sq_ws_id(q, c->workspace, true, cause)) == -1)
		return -1;
	if ((st = sq_stmt(q, SQ_CONFIG_HEAD, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sq_bind_text(st, 2, c->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st,
	    4), c->hash) == 0) {
		c->seq = sqlite3_column_int64(st, 0);
		c->created_at = sqlite3_column_int64(st, 5);
		sq_done(st);
		return 0;
	}
	sq_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(q, "config head", cause);

	if ((st = sq_stmt(q, SQ_CONFIG_INSERT, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sq_bind_text(st, 2, c->id);
	sq_bind_text(st, 3, c->version);
	sq_bind_text(st, 4, c->hash);
	sq_bind_text(st, 5, c->type);
	sq_bind_text(st, 6, canon);
	sqlite3_bind_int64(st, 7, c->created_at);
	if (sq_exec(q, st, "insert config", cause) == -1)
		return -1;
	c->seq = sqlite3_last_insert_rowid(q->db);

	if ((st = sq_stmt(q, SQ_CONFIG_HEAD_SET, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sq_bind_text(st, 2, c->id);
	sqlite3_bind_int64(st, 3, c->seq);
	sq_bind_text(st, 4, c->type);
	sq_bind_text(st, 5, c->version);
	sq_bind_text(st, 6, c->hash);
	sqlite3_bind_int64(st, 7, c->created_at);
	if (sq_exec(q, st, "config head", cause) == -1)
		return -1;
	if (sq_ctx_set(q, ws, "config", c->id, json_object_get(doc,
	    "context"), cause) == -1)
		return -1;
	return 1;
}

int
sq_config_put(void *b, struct store_config *c, char **cause)
{
	struct sq *q = b;
	struct buf canon = BUF_INIT;
	json_t *doc;
	int rc;

	if ((doc = cjson_parse(c->json, strlen(c->json), c->id, cause)) ==
	    NULL)
		return -1;
	if (!json_is_object(doc)) {
		*cause = xprintf("%s: config is not a JSON object", c->id);
		json_decref(doc);
		return -1;
	}
	cjson_dump(doc, &canon);
	hash_sha256_hex(canon.data, canon.len, c->hash);
	if ((rc = sq_write_begin(q, cause)) == 0) {
		rc = sq_config_write(q, c, canon.data, doc, cause);
		if (sq_write_end(q, rc == -1 ? -1 : 0, cause) == -1)
			rc = -1;
	}
	buf_free(&canon);
	json_decref(doc);
	return rc;
}

int
sq_config_get(void *b, const char *ws, const char *id, const char *version,
    struct arena *a, struct store_config *out, char **cause)
{
	struct sq *q = b;
	sqlite3_stmt *st;
	int64_t wsid;
	int rc;

	if ((st = sq_ws_stmt(q, version == NULL ? SQ_CONFIG_HEAD :
	    SQ_CONFIG_BY_VERSION, ws, &wsid, cause)) == NULL)
		return wsid == 0 ? 1 : -1;
	sq_bind_text(st, 2, id);
	if (version != NULL)
		sq_bind_text(st, 3, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		sq_config_row(a, st, ws, id, out);
	sq_done(st);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : sq_fail(q, "config", cause);
}

int
sq_config_history(void *b, const char *ws, const char *id, struct arena *a,
    struct store_config **out, size_t *n, char **cause)
{
	struct sq *q = b;
	struct store_config *v = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;
	int64_t wsid;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = sq_ws_stmt(q, SQ_CONFIG_HISTORY, ws, &wsid, cause)) == NULL)
		return wsid == 0 ? 0 : -1;
	sq_bind_text(st, 2, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sq_grow(a, v, *n, &cap, sizeof *v);
		sq_config_row(a, st, ws, id, &v[(*n)++]);
	}
	sq_done(st);
	*out = v;
	return rc == SQLITE_DONE ? 0 : sq_fail(q, "config history", cause);
}
