/*
 * store_sqlite_event — the event log (generation, failure, drift, deploy,
 * rollback, ...) and garbage collection: history beyond retention and
 * blob files nothing refers to.
 */
#include <dirent.h>
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

int
sq_event_insert(struct sq *q, struct store_event *ev, char **cause)
{
	sqlite3_stmt *st;
	int64_t ws = 0;

	if (ev->workspace != NULL &&
	    (ws = sq_ws_id(q, ev->workspace, true, cause)) == -1)
		return -1;
	if ((st = sq_stmt(q, SQ_EVENT_INSERT, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ev->at);
	sq_bind_text(st, 2, store_event_kind_name(ev->kind));
	if (ev->uid >= 0)
		sqlite3_bind_int(st, 3, ev->uid);
	if (ws > 0)
		sqlite3_bind_int64(st, 4, ws);
	sq_bind_text(st, 5, ev->subject);
	sq_bind_text(st, 6, ev->details != NULL ? ev->details : "{}");
	if (sq_exec(q, st, "record event", cause) == -1)
		return -1;
	ev->seq = sqlite3_last_insert_rowid(q->db);
	return 0;
}

int
sq_event_append(void *b, struct store_event *ev, char **cause)
{
	struct sq *q = b;

	if (sq_write_begin(q, cause) == -1)
		return -1;
	return sq_write_end(q, sq_event_insert(q, ev, cause), cause);
}

int
sq_event_list(void *b, const struct store_event_filter *f, struct arena *a,
    struct store_event **out, size_t *n, char **cause)
{
	struct sq *q = b;
	struct store_event *v = NULL, *e;
	sqlite3_stmt *st;
	enum sq_stmt which = SQ_EVENT_LIST;
	size_t cap = 0;
	int64_t ws = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (f->workspace != NULL &&
	    (ws = sq_ws_id(q, f->workspace, false, cause)) <= 0)
		return ws == 0 ? 0 : -1;
	if (f->kind >= 0)
		which = SQ_EVENT_LIST_KIND;
	else if (f->subject != NULL)
		which = SQ_EVENT_LIST_SUBJECT;
	if ((st = sq_stmt(q, which, cause)) == NULL)
		return -1;
	if (f->kind >= 0)
		sq_bind_text(st, 1, store_event_kind_name(f->kind));
	if (ws > 0)
		sqlite3_bind_int64(st, 2, ws);
	sq_bind_text(st, 3, f->subject);
	sqlite3_bind_int64(st, 4, f->after_seq);
	sqlite3_bind_int64(st, 5, f->since);
	sqlite3_bind_int64(st, 6, f->limit > 0 ? (int64_t)f->limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sq_grow(a, v, *n, &cap, sizeof *v);
		e = &v[(*n)++];
		e->seq = sqlite3_column_int64(st, 0);
		e->at = sqlite3_column_int64(st, 1);
		int k = store_event_kind_parse((const char *)
		    sqlite3_column_text(st, 2));
		e->kind = k == -1 ? STORE_EVENT_GENERATION : k;
		e->uid = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(st, 3);
		e->workspace = sq_col_text(a, st, 4);
		e->subject = sq_col_text(a, st, 5);
		e->details = sq_col_text(a, st, 6);
	}
	sq_done(st);
	*out = v;
	return rc == SQLITE_DONE ? 0 : sq_fail(q, "events", cause);
}

/* Delete versions beyond keep per output. */
static int
sq_gc_prune(struct sq *q, unsigned keep, struct store_gc_stats *gs,
    char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = sq_stmt(q, SQ_GC_PRUNE, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, keep);
	/* Their blob files are left to the sweep, which counts them. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		gs->versions_pruned++;
	sq_done(st);
	return rc == SQLITE_DONE ? 0 : sq_fail(q, "prune", cause);
}

/* Is this blob (relative name) named by any kept version? 1, 0, -1. */
static int
sq_blob_used(struct sq *q, const char *rel, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = sq_stmt(q, SQ_BLOB_USED, cause)) == NULL)
		return -1;
	sq_bind_text(st, 1, rel);
	rc = sqlite3_step(st);
	sq_done(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : sq_fail(q, "blob reference", cause);
}

/*
 * Remove blob files no version names, and temporary files of writes that
 * were killed.  Runs in the writer, so no blob is being written meanwhile.
 */
static int
sq_gc_sweep(struct sq *q, struct store_gc_stats *gs, char **cause)
{
	char *dir = path_join(q->dir, "blobs/content");
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		*cause = xprintf("%s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char *rel = xprintf("blobs/content/%s", de->d_name);
		int used = 0;

		if (fileio_is_tmp(de->d_name))
			gs->temp_removed++;
		else if (strncmp(de->d_name, "sha256-", 7) != 0)
			used = 1;	/* not ours: leave it */
		else if ((used = sq_blob_used(q, rel, cause)) == 1)
			gs->blobs_kept++;
		else if (used == 0)
			gs->blobs_removed++;
		if (used == 0) {
			char *path = path_join(q->dir, rel);
			if (unlink(path) == -1 && errno != ENOENT) {
				*cause = xprintf("%s: %s", path,
				    strerror(errno));
				used = -1;
			}
			free(path);
		}
		if (used == -1)
			rc = -1;
		free(rel);
	}
	closedir(d);
	free(dir);
	return rc;
}

int
sq_gc(void *b, unsigned keep, struct store_gc_stats *gs, char **cause)
{
	struct sq *q = b;
	struct store_event ev;
	char *details;
	int rc = 0;

	memset(gs, 0, sizeof *gs);
	/* Only the writer may sweep: a reader could race its blob writes. */
	if (q->flags & STORE_READONLY) {
		*cause = xprintf("%s: gc needs the writer", q->dbpath);
		return -1;
	}
	if (q->txn) {
		*cause = xprintf("%s: gc inside a transaction", q->dbpath);
		return -1;
	}
	if (keep == 0)
		keep = q->history;
	if (keep > 0) {
		if (sq_write_begin(q, cause) == -1)
			return -1;
		rc = sq_write_end(q, sq_gc_prune(q, keep, gs, cause), cause);
	}
	if (rc == 0)
		rc = sq_gc_sweep(q, gs, cause);
	if (rc == -1)
		return -1;
	details = xprintf("{\"blobs_kept\":%zu,\"blobs_removed\":%zu,"
	    "\"temp_removed\":%zu,\"versions_pruned\":%zu}", gs->blobs_kept,
	    gs->blobs_removed, gs->temp_removed, gs->versions_pruned);
	memset(&ev, 0, sizeof ev);
	ev.at = store_now();
	ev.kind = STORE_EVENT_GC;
	ev.uid = -1;
	ev.details = details;
	rc = sq_event_append(q, &ev, cause);
	free(details);
	return rc;
}
