/*
 * store_sqlite_deps — the dependency graph: each parent's edge set (that
 * of its latest generation), direct lookups both ways, and trees walked
 * by recursive CTEs (SQ_TREE, SQ_TREE_REVERSE in store_sqlite.c) that stop
 * at cycles and at a depth limit.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "store_sqlite_int.h"
#include "xmalloc.h"

int
sq_deps_replace(struct sq *q, int64_t ws, enum store_kind pk,
    const char *pid, const struct store_dep *deps, size_t n, char **cause)
{
	sqlite3_stmt *st;

	if ((st = sq_stmt(q, SQ_DEPS_DELETE, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sq_bind_text(st, 2, store_kind_name(pk));
	sq_bind_text(st, 3, pid);
	if (sq_exec(q, st, "clear dependencies", cause) == -1)
		return -1;
	if (n > 0 && (st = sq_stmt(q, SQ_DEPS_INSERT, cause)) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct store_dep *d = &deps[i];

		if ((unsigned)d->kind >= STORE_KIND_COUNT || d->id == NULL ||
		    d->hash == NULL) {
			*cause = xprintf("%s: dependency %zu lacks a kind, id "
			    "or hash", pid, i);
			return -1;
		}
		sqlite3_bind_int64(st, 1, ws);
		sq_bind_text(st, 2, store_kind_name(pk));
		sq_bind_text(st, 3, pid);
		sq_bind_text(st, 4, store_kind_name(d->kind));
		sq_bind_text(st, 5, d->id);
		sq_bind_text(st, 6, d->path);
		sq_bind_text(st, 7, d->hash);
		if (sq_exec(q, st, "add dependency", cause) == -1)
			return -1;
	}
	return 0;
}

int
sq_deps_set(void *b, const char *ws, enum store_kind pk, const char *pid,
    const struct store_dep *deps, size_t n, char **cause)
{
	struct sq *q = b;
	int64_t wsid;
	int rc;

	if (sq_write_begin(q, cause) == -1)
		return -1;
	if ((wsid = sq_ws_id(q, ws, true, cause)) == -1)
		rc = -1;
	else
		rc = sq_deps_replace(q, wsid, pk, pid, deps, n, cause);
	return sq_write_end(q, rc, cause);
}

static enum store_kind
sq_kind(sqlite3_stmt *st, int col)
{
	int k = store_kind_parse((const char *)sqlite3_column_text(st, col));

	return k == -1 ? STORE_KIND_CONTENT : (enum store_kind)k;
}

int
sq_deps_get(void *b, const char *ws, enum store_kind pk, const char *pid,
    struct arena *a, struct store_dep **out, size_t *n, char **cause)
{
	struct sq *q = b;
	struct store_dep *v = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;
	int64_t wsid;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = sq_ws_stmt(q, SQ_DEPS_GET, ws, &wsid, cause)) == NULL)
		return wsid == 0 ? 0 : -1;
	sq_bind_text(st, 2, store_kind_name(pk));
	sq_bind_text(st, 3, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sq_grow(a, v, *n, &cap, sizeof *v);
		v[*n].kind = sq_kind(st, 0);
		v[*n].id = sq_col_text(a, st, 1);
		v[*n].path = sq_col_text(a, st, 2);
		v[(*n)++].hash = sq_col_text(a, st, 3);
	}
	sq_done(st);
	*out = v;
	return rc == SQLITE_DONE ? 0 : sq_fail(q, "dependencies", cause);
}

int
sq_deps_each(void *b, const char *ws, store_edge_fn fn, void *arg,
    char **cause)
{
	struct sq *q = b;
	struct store_dep d;
	sqlite3_stmt *st;
	int64_t wsid;
	int rc, stop = 0;

	if ((st = sq_ws_stmt(q, SQ_DEPS_EACH, ws, &wsid, cause)) == NULL)
		return wsid == 0 ? 0 : -1;
	while (stop == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		d.kind = sq_kind(st, 2);
		d.id = (const char *)sqlite3_column_text(st, 3);
		d.path = (const char *)sqlite3_column_text(st, 4);
		d.hash = (const char *)sqlite3_column_text(st, 5);
		stop = fn(arg, sq_kind(st, 0),
		    (const char *)sqlite3_column_text(st, 1), &d);
	}
	sq_done(st);
	if (stop != 0)
		return stop;
	return rc == SQLITE_DONE ? 0 : sq_fail(q, "dependencies", cause);
}

int
sq_deps_tree(void *b, const char *ws, enum store_kind kind, const char *id,
    unsigned depth, bool reverse, struct arena *a,
    struct store_tree_node **out, size_t *n, char **cause)
{
	struct sq *q = b;
	struct store_tree_node *v = NULL, *t;
	sqlite3_stmt *st;
	size_t cap = 0;
	int64_t wsid;
	int rc;
	/* Columns: depth, pk, pid, ck, cid, cpath, chash, cyc. */
	int node = reverse ? 1 : 3, from = reverse ? 3 : 1;

	*out = NULL;
	*n = 0;
	if ((st = sq_ws_stmt(q, reverse ? SQ_TREE_REVERSE : SQ_TREE, ws, &wsid,
	    cause)) == NULL)
		return wsid == 0 ? 0 : -1;
	sq_bind_text(st, 2, store_kind_name(kind));
	sq_bind_text(st, 3, id);
	sqlite3_bind_int64(st, 4, depth > 0 ? depth : STORE_TREE_MAX_ROWS);
	sqlite3_bind_int64(st, 5, STORE_TREE_MAX_ROWS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sq_grow(a, v, *n, &cap, sizeof *v);
		t = &v[(*n)++];
		t->depth = (unsigned)sqlite3_column_int(st, 0);
		t->kind = sq_kind(st, node);
		t->id = sq_col_text(a, st, node + 1);
		t->parent_kind = sq_kind(st, from);
		t->parent_id = sq_col_text(a, st, from + 1);
		t->path = sq_col_text(a, st, 5);
		t->hash = sq_col_text(a, st, 6);
		t->cycle = sqlite3_column_int(st, 7) != 0;
	}
	sq_done(st);
	*out = v;
	return rc == SQLITE_DONE ? 0 : sq_fail(q, "dependency tree", cause);
}
