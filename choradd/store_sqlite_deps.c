/*
 * store_sqlite_deps — the dependency graph: each parent's edge set (that
 * of its latest generation), direct lookups both ways, and trees walked
 * by recursive CTEs (SQ_TREE, SQ_TREE_REVERSE in store_sqlite.c) that stop
 * at cycles and at a depth limit.
 *
 * Since schema v3 an edge is two integers, a parent and an input (a thing
 * read, at a hash); see the v3 notes in store_sqlite_schema.c.  Writing a
 * set resolves names to ids through two small caches (the inputs most
 * outputs share, a template or a config, are found without a query) and
 * writes only the edges that differ from the stored set: a regeneration
 * usually reads what it read before, with at most one input moved.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "hash.h"
#include "store_sqlite_int.h"
#include "xmalloc.h"

/* Slots of each id cache (direct-mapped: a collision replaces). */
#define SQ_CACHE_SLOTS	512

/* A parent or an input row: (ws, kind, name[, hash]) -> id (and path). */
struct sq_slot {
	int64_t	 id;		/* 0: empty */
	int64_t	 ws;
	char	*kind;
	char	*name;
	char	*hash;		/* inputs */
	char	*path;		/* inputs */
};

struct sq_ids {
	struct sq_slot	parent[SQ_CACHE_SLOTS];
	struct sq_slot	input[SQ_CACHE_SLOTS];
};

/* One edge of a parent, as stored or as asked for. */
struct sq_edge {
	const char	*kind;		/* store_kind_name() */
	const char	*id;
	const char	*path;
	const char	*hash;
	int64_t		 input;		/* stored edges: the input's id */
};

static bool
sq_str_eq(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static void
sq_slot_clear(struct sq_slot *s)
{
	free(s->kind);
	free(s->name);
	free(s->hash);
	free(s->path);
	memset(s, 0, sizeof *s);
}

void
sq_ids_clear(struct sq *q)
{
	if (q->ids == NULL)
		return;
	for (size_t i = 0; i < SQ_CACHE_SLOTS; i++) {
		sq_slot_clear(&q->ids->parent[i]);
		sq_slot_clear(&q->ids->input[i]);
	}
	free(q->ids);
	q->ids = NULL;
}

/* The slot of a key in one of the caches, and whether it holds the key. */
static struct sq_slot *
sq_slot(struct sq *q, bool input, int64_t ws, const char *kind,
    const char *name, const char *hash, bool *hit)
{
	uint64_t h = hash_fnv(hash_fnv(hash_fnv(HASH_FNV_SEED ^
	    (uint64_t)ws, kind), name), hash);
	struct sq_slot *s;

	if (q->ids == NULL)
		q->ids = xcalloc(1, sizeof *q->ids);
	s = &(input ? q->ids->input : q->ids->parent)[h % SQ_CACHE_SLOTS];
	*hit = s->id != 0 && s->ws == ws && strcmp(s->kind, kind) == 0 &&
	    strcmp(s->name, name) == 0 && sq_str_eq(s->hash, hash);
	return s;
}

static void
sq_slot_fill(struct sq_slot *s, int64_t id, int64_t ws, const char *kind,
    const char *name, const char *hash, const char *path)
{
	sq_slot_clear(s);
	s->id = id;
	s->ws = ws;
	s->kind = xstrdup(kind);
	s->name = xstrdup(name);
	s->hash = hash != NULL ? xstrdup(hash) : NULL;
	s->path = path != NULL ? xstrdup(path) : NULL;
}

/* Bind (ws, kind, name[, hash]) as ?1.. of a cached statement. */
static sqlite3_stmt *
sq_key_stmt(struct sq *q, enum sq_stmt which, int64_t ws, const char *kind,
    const char *name, const char *hash, char **cause)
{
	sqlite3_stmt *st;

	if ((st = sq_stmt(q, which, cause)) == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, ws);
	sq_bind_text(st, 2, kind);
	sq_bind_text(st, 3, name);
	if (hash != NULL)
		sq_bind_text(st, 4, hash);
	return st;
}

/*
 * The id of a row by its key, from get (its id and, for inputs, path in
 * the first columns) or, when absent, added with add (path as ?5 for
 * inputs): > 0, or -1.  *path is the stored path (allocated) or NULL.
 */
static int64_t
sq_row_id(struct sq *q, enum sq_stmt get, enum sq_stmt add, int64_t ws,
    const char *kind, const char *name, const char *hash, const char *path,
    char **stored, char **cause)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	*stored = NULL;
	if ((st = sq_key_stmt(q, get, ws, kind, name, hash, cause)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (hash != NULL && sqlite3_column_type(st, 1) != SQLITE_NULL)
			*stored = xstrdup((const char *)
			    sqlite3_column_text(st, 1));
	}
	sq_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(q, "dependency", cause);
	if (id != 0)
		return id;
	if ((st = sq_key_stmt(q, add, ws, kind, name, hash, cause)) == NULL)
		return -1;
	if (hash != NULL)
		sq_bind_text(st, 5, path);
	/* An input's id comes back (RETURNING); a parent's is its rowid. */
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	} else
		id = sqlite3_last_insert_rowid(q->db);
	sq_done(st);
	if (rc != SQLITE_DONE)
		return sq_fail(q, "add dependency", cause);
	*stored = path != NULL ? xstrdup(path) : NULL;
	return id;
}

/* The id of parent (ws, kind, name), added when new: > 0, or -1. */
static int64_t
sq_parent(struct sq *q, int64_t ws, const char *kind, const char *name,
    char **cause)
{
	bool hit;
	struct sq_slot *s = sq_slot(q, false, ws, kind, name, NULL, &hit);
	char *ignored;
	int64_t id;

	if (hit)
		return s->id;
	if ((id = sq_row_id(q, SQ_PARENT_GET, SQ_PARENT_ADD, ws, kind, name,
	    NULL, NULL, &ignored, cause)) == -1)
		return -1;
	sq_slot_fill(s, id, ws, kind, name, NULL, NULL);
	return id;
}

/* The id of input e, added when new, its path made e's: > 0, or -1. */
static int64_t
sq_input(struct sq *q, int64_t ws, const struct sq_edge *e, char **cause)
{
	bool hit;
	struct sq_slot *s = sq_slot(q, true, ws, e->kind, e->id, e->hash,
	    &hit);
	sqlite3_stmt *st;
	char *stored;
	int64_t id;

	if (hit && sq_str_eq(s->path, e->path))
		return s->id;
	if (!hit) {
		if ((id = sq_row_id(q, SQ_INPUT_GET, SQ_INPUT_ADD, ws, e->kind,
		    e->id, e->hash, e->path, &stored, cause)) == -1)
			return -1;
		sq_slot_fill(s, id, ws, e->kind, e->id, e->hash, stored);
		free(stored);
		if (sq_str_eq(s->path, e->path))
			return id;
	}
	if ((st = sq_stmt(q, SQ_INPUT_PATH, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, s->id);
	sq_bind_text(st, 2, e->path);
	if (sq_exec(q, st, "dependency path", cause) == -1)
		return -1;
	free(s->path);
	s->path = e->path != NULL ? xstrdup(e->path) : NULL;
	return s->id;
}

/* Run a statement on one or two ids. */
static int
sq_ids_exec(struct sq *q, enum sq_stmt which, int64_t a, int64_t b,
    const char *what, char **cause)
{
	sqlite3_stmt *st;

	if ((st = sq_stmt(q, which, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	if (which != SQ_INPUT_DROP)
		sqlite3_bind_int64(st, 2, b);
	return sq_exec(q, st, what, cause);
}

/* Remove a stored edge, and its input when no other edge reads it. */
static int
sq_edge_remove(struct sq *q, int64_t ws, int64_t parent,
    const struct sq_edge *e, char **cause)
{
	struct sq_slot *s;
	bool hit;

	if (sq_ids_exec(q, SQ_DEPS_REMOVE, parent, e->input,
	    "remove dependency", cause) == -1 ||
	    sq_ids_exec(q, SQ_INPUT_DROP, e->input, 0, "drop input",
	    cause) == -1)
		return -1;
	if (sqlite3_changes(q->db) > 0) {
		s = sq_slot(q, true, ws, e->kind, e->id, e->hash, &hit);
		if (hit)
			sq_slot_clear(s);
	}
	return 0;
}

static int
sq_edge_add(struct sq *q, int64_t ws, int64_t parent, const struct sq_edge *e,
    char **cause)
{
	int64_t input;

	if ((input = sq_input(q, ws, e, cause)) == -1)
		return -1;
	return sq_ids_exec(q, SQ_DEPS_INSERT, parent, input,
	    "add dependency", cause);
}

/* The order both sets are merged in: kind name, then id. */
static int
sq_edge_cmp(const void *a, const void *b)
{
	const struct sq_edge *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);

	return c != 0 ? c : strcmp(x->id, y->id);
}

/* The parent's stored edges, copied into a, sorted. */
static int
sq_edges_now(struct sq *q, int64_t parent, struct arena *a,
    struct sq_edge **out, size_t *n, char **cause)
{
	struct sq_edge *v = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*n = 0;
	if ((st = sq_stmt(q, SQ_DEPS_OF, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, parent);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sq_grow(a, v, *n, &cap, sizeof *v);
		v[*n].kind = sq_col_text(a, st, 0);
		v[*n].id = sq_col_text(a, st, 1);
		v[*n].path = sq_col_text(a, st, 2);
		v[*n].hash = sq_col_text(a, st, 3);
		v[(*n)++].input = sqlite3_column_int64(st, 4);
	}
	sq_done(st);
	if (rc != SQLITE_DONE)
		return sq_fail(q, "dependencies", cause);
	if (*n > 1)
		qsort(v, *n, sizeof *v, sq_edge_cmp);
	*out = v;
	return 0;
}

/* deps[] as edges in merge order; a stable sort keeps a repeat's first. */
static int
sq_edges_want(const char *pid, const struct store_dep *deps, size_t n,
    struct arena *a, struct sq_edge **out, char **cause)
{
	struct sq_edge *v = arena_alloc(a, (n + 1) * sizeof *v);

	for (size_t k = 0; k < n; k++) {
		const struct store_dep *d = &deps[k];
		struct sq_edge e;
		size_t m;

		if ((unsigned)d->kind >= STORE_KIND_COUNT || d->id == NULL ||
		    d->hash == NULL) {
			*cause = xprintf("%s: dependency %zu lacks a kind, id "
			    "or hash", pid, k);
			return -1;
		}
		e = (struct sq_edge){ store_kind_name(d->kind), d->id,
		    d->path, d->hash, 0 };
		for (m = k; m > 0 && sq_edge_cmp(&v[m - 1], &e) > 0; m--)
			v[m] = v[m - 1];
		v[m] = e;
	}
	*out = v;
	return 0;
}

/* Make the parent's edges deps[], writing only what differs. */
static int
sq_deps_diff(struct sq *q, int64_t ws, enum store_kind pk, const char *pid,
    const struct store_dep *deps, size_t n, char **cause)
{
	struct sq_edge *want = NULL, *have = NULL;
	size_t nhave = 0, i = 0, j = 0;
	int64_t parent;
	int rc = 0;

	if (sq_edges_want(pid, deps, n, q->scratch, &want, cause) == -1 ||
	    (parent = sq_parent(q, ws, store_kind_name(pk), pid,
	    cause)) == -1 ||
	    sq_edges_now(q, parent, q->scratch, &have, &nhave, cause) == -1)
		return -1;
	while (rc == 0 && (i < nhave || j < n)) {
		int c = i == nhave ? 1 : j == n ? -1 :
		    sq_edge_cmp(&have[i], &want[j]);

		if (c < 0)
			rc = sq_edge_remove(q, ws, parent, &have[i++], cause);
		else if (c > 0)
			rc = sq_edge_add(q, ws, parent, &want[j++], cause);
		else {
			if (strcmp(have[i].hash, want[j].hash) != 0 ||
			    !sq_str_eq(have[i].path, want[j].path)) {
				rc = sq_edge_remove(q, ws, parent, &have[i],
				    cause);
				if (rc == 0)
					rc = sq_edge_add(q, ws, parent,
					    &want[j], cause);
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
