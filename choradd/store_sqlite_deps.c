/*
 * store_sqlite_deps — the dependency graph: each parent's edge set (that
 * of its latest generation), direct lookups both ways, and trees walked
 * by recursive CTEs (SQ_TREE, SQ_TREE_REVERSE in store_sqlite.c) that stop
 * at cycles and at a depth limit.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "store_sqlite_int.h"
#include "xmalloc.h"

/* One edge of a parent, as stored or as asked for. */
struct sq_edge {
	const char	*kind;		/* store_kind_name() */
	const char	*id;
	const char	*path;
	const char	*hash;
};

/* The order of SQ_DEPS_GET: kind name, then id (BINARY collation). */
static int
sq_edge_cmp(const void *a, const void *b)
{
	const struct sq_edge *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);

	return c != 0 ? c : strcmp(x->id, y->id);
}

static bool
sq_str_eq(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* The parent's stored edges, in order, copied into a. */
static int
sq_edges_now(struct sq *q, int64_t ws, const char *pk, const char *pid,
    struct arena *a, struct sq_edge **out, size_t *n, char **cause)
{
	struct sq_edge *v = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*n = 0;
	if ((st = sq_stmt(q, SQ_DEPS_GET, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sq_bind_text(st, 2, pk);
	sq_bind_text(st, 3, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sq_grow(a, v, *n, &cap, sizeof *v);
		v[*n].kind = sq_col_text(a, st, 0);
		v[*n].id = sq_col_text(a, st, 1);
		v[*n].path = sq_col_text(a, st, 2);
		v[(*n)++].hash = sq_col_text(a, st, 3);
	}
	sq_done(st);
	*out = v;
	return rc == SQLITE_DONE ? 0 : sq_fail(q, "dependencies", cause);
}

/* Add or remove one edge (the triggers keep dep_input's counts). */
static int
sq_edge_write(struct sq *q, enum sq_stmt which, int64_t ws, const char *pk,
    const char *pid, const struct sq_edge *e, char **cause)
{
	sqlite3_stmt *st;

	if ((st = sq_stmt(q, which, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sq_bind_text(st, 2, pk);
	sq_bind_text(st, 3, pid);
	sq_bind_text(st, 4, e->kind);
	sq_bind_text(st, 5, e->id);
	if (which == SQ_DEPS_INSERT) {
		sq_bind_text(st, 6, e->path);
		sq_bind_text(st, 7, e->hash);
	}
	return sq_exec(q, st, which == SQ_DEPS_INSERT ? "add dependency" :
	    "remove dependency", cause);
}

/*
 * Make the parent's edges deps[]: only the edges that differ from the
 * stored set are written.  A regeneration usually reads what it read
 * before, and at most one input has moved (an edited template, an item),
 * so this is one read instead of rewriting every edge, its reverse index
 * entry and dep_input's counts.  Duplicates in deps[]: the first wins.
 */
static int
sq_deps_diff(struct sq *q, int64_t ws, enum store_kind pk,
    const char *pid, const struct store_dep *deps, size_t n, char **cause)
{
	const char *pkn = store_kind_name(pk);
	struct sq_edge *want, *have;
	size_t nhave, i = 0, j = 0;
	int rc = 0;

	want = arena_alloc(q->scratch, (n + 1) * sizeof *want);
	for (size_t k = 0; k < n; k++) {
		const struct store_dep *d = &deps[k];

		if ((unsigned)d->kind >= STORE_KIND_COUNT || d->id == NULL ||
		    d->hash == NULL) {
			*cause = xprintf("%s: dependency %zu lacks a kind, id "
			    "or hash", pid, k);
			return -1;
		}
		want[k] = (struct sq_edge){ store_kind_name(d->kind), d->id,
		    d->path, d->hash };
	}
	/* A stable order, so that of two equal keys the first is kept. */
	for (size_t k = 1; k < n; k++) {
		struct sq_edge e = want[k];
		size_t m = k;
		for (; m > 0 && sq_edge_cmp(&want[m - 1], &e) > 0; m--)
			want[m] = want[m - 1];
		want[m] = e;
	}
	if (sq_edges_now(q, ws, pkn, pid, q->scratch, &have, &nhave,
	    cause) == -1)
		return -1;
	while (rc == 0 && (i < nhave || j < n)) {
		int c = i == nhave ? 1 : j == n ? -1 :
		    sq_edge_cmp(&have[i], &want[j]);

		if (c < 0)
			rc = sq_edge_write(q, SQ_DEPS_REMOVE, ws, pkn, pid,
			    &have[i++], cause);
		else if (c > 0)
			rc = sq_edge_write(q, SQ_DEPS_INSERT, ws, pkn, pid,
			    &want[j++], cause);
		else {
			if (strcmp(have[i].hash, want[j].hash) != 0 ||
			    !sq_str_eq(have[i].path, want[j].path)) {
				rc = sq_edge_write(q, SQ_DEPS_REMOVE, ws, pkn,
				    pid, &have[i], cause);
				if (rc == 0)
					rc = sq_edge_write(q, SQ_DEPS_INSERT,
					    ws, pkn, pid, &want[j], cause);
			}
			i++;
			j++;
		}
		/* Skip the later copies of a key deps[] repeats. */
		while (j > 0 && j < n && sq_edge_cmp(&want[j - 1],
		    &want[j]) == 0)
			j++;
	}
	return rc;
}

int
sq_deps_replace(struct sq *q, int64_t ws, enum store_kind pk,
    const char *pid, const struct store_dep *deps, size_t n, char **cause)
{
	int rc = sq_deps_diff(q, ws, pk, pid, deps, n, cause);

	arena_reset_keep(q->scratch, SQ_SCRATCH_KEEP);
	return rc;
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
