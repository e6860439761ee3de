/*
 * store_sqlite_content — every version of every output, its text inline
 * below STORE_BLOB_THRESHOLD bytes or in a content-addressed blob file at
 * or above it, and the generation write: a version, its dependency set and
 * its event in one transaction.
 *
 * A blob file is written (atomically, fsynced unless STORE_NOFSYNC) before
 * the row that names it is committed, so a committed row never names a
 * missing file; a crash in between leaves only an unreferenced file for
 * store_gc().  Blobs are named by the SHA-256 of their text, so equal texts
 * share one file.  Versions beyond the history option are pruned in the
 * writing transaction; their blob files go after the commit, when nothing
 * refers to them any more.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "buf.h"
#include "cjson.h"
#include "fileio.h"
#include "path.h"
#include "store_sqlite_int.h"
#include "xmalloc.h"

#define SQ_BLOB_DIR	"blobs/content/sha256-"

void
sq_content_row(struct arena *a, sqlite3_stmt *st, int col,
    struct store_content *c, const struct store_content *prev)
{
	static const struct store_content none;
	int k;

	if (prev == NULL)
		prev = &none;
	memset(c, 0, sizeof *c);
	c->version = sqlite3_column_int64(st, col + 0);
	k = store_version_kind_parse((const char *)sqlite3_column_text(st,
	    col + 1));
	c->kind = k == -1 ? STORE_VERSION_GENERATED : k;
	sq_col_hash(st, col + 2, c->hash);
	c->len = (size_t)sqlite3_column_int64(st, col + 3);
	c->config_id = sq_col_text_as(a, st, col + 4, prev->config_id);
	c->config_version = sq_col_text_as(a, st, col + 5,
	    prev->config_version);
	c->config_hash = sq_col_text_as(a, st, col + 6, prev->config_hash);
	c->context = sq_col_text_as(a, st, col + 7, prev->context);
	c->output_path = sq_col_text(a, st, col + 8);
	k = store_freshness_parse((const char *)sqlite3_column_text(st,
	    col + 9));
	c->freshness = k == -1 ? STORE_FRESH_DEPENDENCY : k;
	c->ttl = sqlite3_column_int64(st, col + 10);
	c->generated_at = sqlite3_column_int64(st, col + 11);
	c->blob = sq_col_text(a, st, col + 12);
}

/* Write a blob unless a file of that name and size is already there. */
static int
sq_blob_write(struct sq *q, const char *rel, const char *text, size_t len,
    char **cause)
{
	char *path = path_join(q->dir, rel);
	struct stat sb;
	int rc = 0;

	if (stat(path, &sb) == -1 || (size_t)sb.st_size != len)
		rc = fileio_write_atomic(path, text, len,
		    !(q->flags & STORE_NOFSYNC), 0644, cause);
	free(path);
	return rc;
}

/* Read a blob into the arena and check it is the text that was stored. */
static int
sq_blob_read(struct sq *q, struct arena *a, struct store_content *c,
    char **cause)
{
	char *path = path_join(q->dir, c->blob), *data;
	char hash[HASH_HEX_SIZE];
	size_t len;

	if (fileio_read(path, &data, &len) == -1) {
		*cause = xprintf("%s: %s (version %lld of %s)", path,
		    strerror(errno), (long long)c->version, c->id);
		free(path);
		return -1;
	}
	hash_sha256_hex(data, len, hash);
	if (strcmp(hash, c->hash) != 0) {
		*cause = xprintf("%s: blob is corrupt (hash %s, want %s)", path,
		    hash, c->hash);
		free(data);
		free(path);
		return -1;
	}
	c->text = arena_memdup(a, data, len);
	c->len = len;
	free(data);
	free(path);
	return 0;
}

/*
 * The latest version number and context of an output: 0 and *version 0
 * when it has none yet.  *context is allocated (caller frees) or NULL.
 */
static int
sq_content_prev(struct sq *q, int64_t ws, const char *id, int64_t *version,
    char **context, char **cause)
{
	sqlite3_stmt *st;
	const char *ctx;
	int rc;

	*version = 0;
	*context = NULL;
	if ((st = sq_stmt(q, SQ_CONTENT_PREV, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sq_bind_text(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 0);
		if ((ctx = (const char *)sqlite3_column_text(st, 1)) != NULL)
			*context = xstrdup(ctx);
	}
	sq_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(q, "latest content", cause);
	return 0;
}

static int
sq_content_head_set(struct sq *q, int64_t ws, const struct store_content *c,
    int64_t seq, char **cause)
{
	sqlite3_stmt *st;

	if ((st = sq_stmt(q, SQ_CONTENT_HEAD_SET, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sq_bind_text(st, 2, c->id);
	sqlite3_bind_int64(st, 3, seq);
	sq_bind_text(st, 4, c->config_id);
	sq_bind_text(st, 5, store_freshness_name(c->freshness));
	if (c->freshness == STORE_FRESH_TTL && c->kind != STORE_VERSION_REMOVED)
		sqlite3_bind_int64(st, 6, c->generated_at + c->ttl * 1000);
	sq_bind_text(st, 7, store_version_kind_name(c->kind));
	return sq_exec(q, st, "content head", cause);
}

/* Drop versions older than the newest q->history of this output. */
static int
sq_content_prune(struct sq *q, int64_t ws, const struct store_content *c,
    char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if (q->history == 0 || c->version <= (int64_t)q->history)
		return 0;
	if ((st = sq_stmt(q, SQ_CONTENT_PRUNE, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sq_bind_text(st, 2, c->id);
	sqlite3_bind_int64(st, 3, c->version - (int64_t)q->history);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			sq_unlink_later(q, (const char *)
			    sqlite3_column_text(st, 0));
	sq_done(st);
	return rc == SQLITE_DONE ? 0 : sq_fail(q, "prune", cause);
}

/* The version's row, and its text unless that is in a blob; *seq is set. */
static int
sq_content_row_insert(struct sq *q, int64_t ws, struct store_content *c,
    const char *context, const char *blob, int64_t *seq, char **cause)
{
	sqlite3_stmt *st;

	if ((st = sq_stmt(q, SQ_CONTENT_INSERT, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sq_bind_text(st, 2, c->id);
	sqlite3_bind_int64(st, 3, c->version);
	sq_bind_text(st, 4, store_version_kind_name(c->kind));
	sq_bind_text(st, 5, c->hash);
	sqlite3_bind_int64(st, 6, (int64_t)c->len);
	sq_bind_text(st, 7, c->config_id);
	sq_bind_text(st, 8, c->config_version);
	sq_bind_text(st, 9, c->config_hash);
	sq_bind_text(st, 10, context);
	sq_bind_text(st, 11, c->output_path);
	sq_bind_text(st, 12, store_freshness_name(c->freshness));
	sqlite3_bind_int64(st, 13, c->ttl);
	sqlite3_bind_int64(st, 14, c->generated_at);
	sq_bind_text(st, 15, blob);
	if (sq_exec(q, st, "insert content", cause) == -1)
		return -1;
	*seq = sqlite3_last_insert_rowid(q->db);
	if (c->text == NULL || blob != NULL)
		return 0;
	if ((st = sq_stmt(q, SQ_BODY_INSERT, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, *seq);
	if (sqlite3_bind_blob64(st, 2, c->len > 0 ? c->text : "", c->len,
	    SQLITE_STATIC) != SQLITE_OK) {
		sq_done(st);
		return sq_fail(q, "bind text", cause);
	}
	return sq_exec(q, st, "insert text", cause);
}

/* Insert one version of c->id (hash, version filled in) and its head. */
static int
sq_content_insert(struct sq *q, int64_t ws, struct store_content *c,
    char **cause)
{
	char blob[sizeof SQ_BLOB_DIR + HASH_HEX_SIZE], *prev_ctx;
	struct buf context = BUF_INIT;
	json_t *doc;
	int64_t prev, seq;
	int rc = -1;

	doc = cjson_parse(c->context != NULL ? c->context : "{}",
	    c->context != NULL ? strlen(c->context) : 2, c->id, cause);
	if (doc == NULL)
		return -1;
	if (!json_is_object(doc)) {
		*cause = xprintf("%s: context is not a JSON object", c->id);
		json_decref(doc);
		return -1;
	}
	cjson_dump(doc, &context);
	if (c->text != NULL)
		hash_sha256_hex(c->text, c->len, c->hash);
	else {
		c->hash[0] = '\0';
		c->len = 0;
	}
	blob[0] = '\0';
	if (c->text != NULL && c->len >= STORE_BLOB_THRESHOLD)
		snprintf(blob, sizeof blob, SQ_BLOB_DIR "%s", c->hash);

	if (sq_content_prev(q, ws, c->id, &prev, &prev_ctx, cause) == -1)
		goto out;
	c->version = prev + 1;
	if (blob[0] != '\0' && sq_blob_write(q, blob, c->text, c->len,
	    cause) == -1)
		goto out;
	if (sq_content_row_insert(q, ws, c, context.data, blob[0] != '\0' ?
	    blob : NULL, &seq, cause) == -1)
		goto out;
	if (sq_content_head_set(q, ws, c, seq, cause) == -1)
		goto out;
	/* Most new versions keep their context: skip rewriting its rows;
	 * a first version has no rows yet, so an empty context adds none. */
	if (c->kind == STORE_VERSION_REMOVED)
		rc = sq_ctx_set(q, ws, "content", c->id, NULL, cause);
	else if (prev_ctx == NULL && json_object_size(doc) == 0)
		rc = 0;
	else if (prev_ctx == NULL || strcmp(prev_ctx, context.data) != 0)
		rc = sq_ctx_set(q, ws, "content", c->id, doc, cause);
	else
		rc = 0;
	if (rc == 0)
		rc = sq_content_prune(q, ws, c, cause);
out:
	free(prev_ctx);
	buf_free(&context);
	json_decref(doc);
	return rc;
}

int
sq_content_put(void *b, struct store_content *c, char **cause)
{
	struct sq *q = b;
	int64_t ws;
	int rc;

	if (sq_write_begin(q, cause) == -1)
		return -1;
	if ((ws = sq_ws_id(q, c->workspace, true, cause)) == -1)
		rc = -1;
	else
		rc = sq_content_insert(q, ws, c, cause);
	return sq_write_end(q, rc, cause);
}

int
sq_generation_put(void *b, struct store_generation *g, char **cause)
{
	struct sq *q = b;
	struct store_content *c = &g->content;
	struct store_event ev;
	char *details = NULL;
	int64_t ws;
	int rc;

	if (sq_write_begin(q, cause) == -1)
		return -1;
	if ((ws = sq_ws_id(q, c->workspace, true, cause)) == -1)
		rc = -1;
	else
		rc = sq_content_insert(q, ws, c, cause);
	if (rc == 0)
		rc = sq_deps_replace(q, ws, STORE_KIND_CONTENT, c->id, g->deps,
		    g->ndeps, cause);
	if (rc == 0 && !g->no_event) {
		if (g->details == NULL)
			details = xprintf("{\"hash\":\"%s\",\"version\":%lld}",
			    c->hash, (long long)c->version);
		memset(&ev, 0, sizeof ev);
		ev.at = c->generated_at;
		ev.kind = STORE_EVENT_GENERATION;
		ev.uid = g->uid;
		ev.workspace = c->workspace;
		ev.subject = c->id;
		ev.details = g->details != NULL ? g->details : details;
		rc = sq_event_insert(q, &ev, cause);
		free(details);
	}
	return sq_write_end(q, rc, cause);
}

int
sq_content_get(void *b, const char *ws, const char *id, int64_t version,
    struct arena *a, struct store_content *out, char **cause)
{
	struct sq *q = b;
	sqlite3_stmt *st;
	int64_t wsid;
	int rc;

	if ((st = sq_ws_stmt(q, version == 0 ? SQ_CONTENT_HEAD :
	    SQ_CONTENT_BY_VERSION, ws, &wsid, cause)) == NULL)
		return wsid == 0 ? 1 : -1;
	sq_bind_text(st, 2, id);
	if (version != 0)
		sqlite3_bind_int64(st, 3, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sq_content_row(a, st, 0, out, NULL);
		out->workspace = arena_strdup(a, ws);
		out->id = arena_strdup(a, id);
		if (sqlite3_column_type(st, SQ_CONTENT_NCOLS) != SQLITE_NULL) {
			out->len = (size_t)sqlite3_column_bytes(st,
			    SQ_CONTENT_NCOLS);
			out->text = arena_memdup(a, sqlite3_column_blob(st,
			    SQ_CONTENT_NCOLS), out->len);
		}
	}
	sq_done(st);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return sq_fail(q, "content", cause);
	if (out->blob != NULL)
		return sq_blob_read(q, a, out, cause);
	return 0;
}

int
sq_content_history(void *b, const char *ws, const char *id, struct arena *a,
    struct store_content **out, size_t *n, char **cause)
{
	struct sq *q = b;
	struct store_content *v = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;
	int64_t wsid;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = sq_ws_stmt(q, SQ_CONTENT_HISTORY, ws, &wsid, cause)) == NULL)
		return wsid == 0 ? 0 : -1;
	sq_bind_text(st, 2, id);
	const char *wsname = arena_strdup(a, ws), *idcopy = arena_strdup(a, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sq_grow(a, v, *n, &cap, sizeof *v);
		sq_content_row(a, st, 0, &v[*n], *n > 0 ? &v[*n - 1] : NULL);
		v[*n].workspace = wsname;
		v[(*n)++].id = idcopy;
	}
	sq_done(st);
	*out = v;
	return rc == SQLITE_DONE ? 0 : sq_fail(q, "content history", cause);
}
