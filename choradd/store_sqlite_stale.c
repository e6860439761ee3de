/*
 * store_sqlite_stale — which outputs are stale, and why.
 *
 * The check starts from inputs, not outputs: dep_input lists each
 * distinct (input, hash) some output read, so a full check asks the
 * caller about each input once (a few thousand calls for 100,000 outputs
 * sharing templates and data) and compares configs and parts with the
 * store's latest versions in two joins.  Only an input whose hash moved
 * leads, through deps_reverse, to the outputs that read it.  Staleness
 * then spreads to outputs built from stale outputs (artifacts from their
 * parts) breadth-first, each output visited once, so cycles end.  All of
 * it reads one snapshot.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "hash.h"
#include "store_sqlite_int.h"
#include "xmalloc.h"

#define SQ_STALE_DEPTH	64

/* A set of strings (open addressing, FNV-1a), for outputs found stale. */
struct sq_set {
	const char	**slot;
	size_t		  cap;
	size_t		  n;
};

/* Add s (owned by the caller, outliving the set): true when it was new. */
static bool
sq_set_add(struct sq_set *set, const char *s)
{
	size_t i;

	if (2 * (set->n + 1) > set->cap) {
		struct sq_set grown = { NULL, set->cap ? 2 * set->cap : 64, 0 };

		grown.slot = xcalloc(grown.cap, sizeof *grown.slot);
		for (i = 0; i < set->cap; i++)
			if (set->slot[i] != NULL)
				sq_set_add(&grown, set->slot[i]);
		free(set->slot);
		*set = grown;
	}
	for (i = hash_str(s) & (set->cap - 1); set->slot[i] != NULL;
	    i = (i + 1) & (set->cap - 1))
		if (strcmp(set->slot[i], s) == 0)
			return false;
	set->slot[i] = s;
	set->n++;
	return true;
}

struct sq_stale_run {
	struct sq		*q;
	int64_t			 ws;
	struct arena		*a;
	struct store_stale	*v;
	size_t			 n, cap;
	struct sq_set		 seen;		/* outputs found stale */
	const char		**queue;	/* to spread from, in order */
	unsigned		*qdepth;
	size_t			 nq, qcap;
};

/*
 * Strategy of an output's latest version: 1 when input changes make it
 * stale (dependency, ttl), 0 when not (on_demand, immutable, removed or
 * unknown), -1 on error.
 */
static int
sq_stale_follows(struct sq_stale_run *r, const char *id, char **cause)
{
	sqlite3_stmt *st;
	int rc, follows = 0;

	if ((st = sq_stmt(r->q, SQ_HEAD_STRATEGY, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->ws);
	sq_bind_text(st, 2, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int f = store_freshness_parse((const char *)
		    sqlite3_column_text(st, 0));
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		follows = (f == STORE_FRESH_DEPENDENCY || f == STORE_FRESH_TTL)
		    && strcmp(kind, "removed") != 0;
	}
	sq_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(r->q, "freshness strategy", cause);
	return follows;
}

/* Record one reason; the first for an output queues it for spreading. */
static void
sq_stale_add(struct sq_stale_run *r, const char *id, enum store_stale_why why,
    enum store_kind kind, const char *input, const char *old,
    const char *new, int64_t expired, unsigned depth)
{
	struct store_stale *s;

	r->v = sq_grow(r->a, r->v, r->n, &r->cap, sizeof *r->v);
	s = &r->v[r->n++];
	s->content_id = arena_strdup(r->a, id);
	s->why = why;
	s->input_kind = kind;
	s->input_id = input != NULL ? arena_strdup(r->a, input) : NULL;
	s->old_hash = old != NULL ? arena_strdup(r->a, old) : NULL;
	s->new_hash = new != NULL ? arena_strdup(r->a, new) : NULL;
	s->expired_at = expired;
	if (!sq_set_add(&r->seen, s->content_id))
		return;
	if (r->nq == r->qcap) {
		r->qcap = r->qcap ? 2 * r->qcap : 64;
		r->queue = xreallocarray(r->queue, r->qcap, sizeof *r->queue);
		r->qdepth = xreallocarray(r->qdepth, r->qcap,
		    sizeof *r->qdepth);
	}
	r->queue[r->nq] = s->content_id;
	r->qdepth[r->nq++] = depth;
}

/*
 * The outputs that read (kind, id) at hash old (any hash when NULL) are
 * stale for why; those whose strategy follows inputs are recorded.
 */
static int
sq_stale_readers(struct sq_stale_run *r, enum store_stale_why why,
    enum store_kind kind, const char *id, const char *old, const char *new,
    unsigned depth, char **cause)
{
	sqlite3_stmt *st;
	int rc, f = 0;

	if ((st = sq_stmt(r->q, SQ_DEPS_PARENTS, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->ws);
	sq_bind_text(st, 2, store_kind_name(kind));
	sq_bind_text(st, 3, id);
	sq_bind_text(st, 4, old);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *pk = (const char *)sqlite3_column_text(st, 0);
		const char *pid = (const char *)sqlite3_column_text(st, 1);

		if (strcmp(pk, "content") != 0)
			continue;
		if ((f = sq_stale_follows(r, pid, cause)) == -1)
			break;
		if (f == 1)
			sq_stale_add(r, pid, why, kind, id, old, new, 0, depth);
	}
	sq_done(st);
	if (f == -1)
		return -1;
	return rc == SQLITE_DONE ? 0 : sq_fail(r->q, "dependents", cause);
}

/* A file input seen at hash old: compare it with what the caller says. */
static int
sq_stale_file(struct sq_stale_run *r, const struct store_stale_query *sq,
    enum store_kind kind, const char *id, const char *path, const char *old,
    char **cause)
{
	char now[HASH_HEX_SIZE];

	switch (sq->lookup(sq->arg, kind, id, path, now)) {
	case 0:
		if (strcmp(now, old) == 0)
			return 0;
		return sq_stale_readers(r, STORE_STALE_INPUT, kind, id, old,
		    now, 0, cause);
	case 1:
		if (old[0] == '\0')
			return 0;	/* looked for and absent, still */
		return sq_stale_readers(r, STORE_STALE_INPUT_GONE, kind, id,
		    old, NULL, 0, cause);
	default:
		return 0;
	}
}

static int
sq_stale_files(struct sq_stale_run *r, const struct store_stale_query *sq,
    char **cause)
{
	sqlite3_stmt *st;
	int rc, k = 0;

	if ((st = sq_stmt(r->q, SQ_INPUT_FILES, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->ws);
	while (k == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int kind = store_kind_parse((const char *)
		    sqlite3_column_text(st, 0));
		if (kind == -1)
			continue;
		k = sq_stale_file(r, sq, kind,
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3), cause);
	}
	sq_done(st);
	if (k == -1)
		return -1;
	return rc == SQLITE_DONE ? 0 : sq_fail(r->q, "inputs", cause);
}

/* Only the inputs the caller says changed. */
static int
sq_stale_changed(struct sq_stale_run *r, const struct store_stale_query *sq,
    char **cause)
{
	for (size_t i = 0; i < sq->nchanged; i++) {
		const struct store_input *in = &sq->changed[i];
		bool gone = in->hash == NULL || in->hash[0] == '\0';
		sqlite3_stmt *st;
		int rc, k = 0;

		if ((st = sq_stmt(r->q, SQ_INPUT_ONE, cause)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, r->ws);
		sq_bind_text(st, 2, store_kind_name(in->kind));
		sq_bind_text(st, 3, in->id);
		while (k == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *old = (const char *)
			    sqlite3_column_text(st, 0);
			if (gone ? old[0] == '\0' : strcmp(old, in->hash) == 0)
				continue;
			k = sq_stale_readers(r, gone ? STORE_STALE_INPUT_GONE :
			    STORE_STALE_INPUT, in->kind, in->id, old,
			    gone ? NULL : in->hash, 0, cause);
		}
		sq_done(st);
		if (k == -1)
			return -1;
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return sq_fail(r->q, "inputs", cause);
	}
	return 0;
}

/* Configs and parts whose latest version differs from what was read. */
static int
sq_stale_versions(struct sq_stale_run *r, enum sq_stmt which,
    enum store_kind kind, enum store_stale_why why, char **cause)
{
	sqlite3_stmt *st;
	int rc, k = 0;

	if ((st = sq_stmt(r->q, which, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->ws);
	while (k == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *now = (const char *)sqlite3_column_text(st, 2);
		k = sq_stale_readers(r, now == NULL ? STORE_STALE_INPUT_GONE :
		    why, kind, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1), now, 0, cause);
	}
	sq_done(st);
	if (k == -1)
		return -1;
	return rc == SQLITE_DONE ? 0 : sq_fail(r->q, "versions", cause);
}

/* Outputs stale by their own state: expired, drifted, only imported. */
static int
sq_stale_heads(struct sq_stale_run *r, int64_t now, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = sq_stmt(r->q, SQ_HEAD_EXPIRED, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->ws);
	sqlite3_bind_int64(st, 2, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		sq_stale_add(r, (const char *)sqlite3_column_text(st, 0),
		    STORE_STALE_TTL, STORE_KIND_CONTENT, NULL, NULL, NULL,
		    sqlite3_column_int64(st, 1), 0);
	sq_done(st);
	if (rc != SQLITE_DONE)
		return sq_fail(r->q, "expired outputs", cause);

	if ((st = sq_stmt(r->q, SQ_HEAD_UNUSUAL, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->ws);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		sq_stale_add(r, (const char *)sqlite3_column_text(st, 0),
		    strcmp(kind, "drift") == 0 ? STORE_STALE_DRIFT :
		    STORE_STALE_NEVER, STORE_KIND_CONTENT, NULL, NULL, NULL, 0,
		    0);
	}
	sq_done(st);
	return rc == SQLITE_DONE ? 0 : sq_fail(r->q, "drifted outputs", cause);
}

static int
sq_stale_expected(struct sq_stale_run *r, const struct store_stale_query *sq,
    char **cause)
{
	for (size_t i = 0; i < sq->nexpected; i++) {
		sqlite3_stmt *st;
		int rc;

		if ((st = sq_stmt(r->q, SQ_HEAD_STRATEGY, cause)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, r->ws);
		sq_bind_text(st, 2, sq->expected[i]);
		rc = sqlite3_step(st);
		sq_done(st);
		if (rc == SQLITE_DONE)
			sq_stale_add(r, sq->expected[i], STORE_STALE_NEVER,
			    STORE_KIND_CONTENT, NULL, NULL, NULL, 0, 0);
		else if (rc != SQLITE_ROW)
			return sq_fail(r->q, "expected outputs", cause);
	}
	return 0;
}

/* Outputs built from stale outputs are stale too, up to depth levels. */
static int
sq_stale_spread(struct sq_stale_run *r, unsigned depth, char **cause)
{
	for (size_t i = 0; i < r->nq; i++) {
		if (r->qdepth[i] >= depth)
			continue;
		if (sq_stale_readers(r, STORE_STALE_PART, STORE_KIND_CONTENT,
		    r->queue[i], NULL, NULL, r->qdepth[i] + 1, cause) == -1)
			return -1;
	}
	return 0;
}

static int
sq_stale_cmp(const void *a, const void *b)
{
	const struct store_stale *x = a, *y = b;
	int c = strcmp(x->content_id, y->content_id);

	return c != 0 ? c : (int)x->why - (int)y->why;
}

static int
sq_stale_run(struct sq_stale_run *r, const struct store_stale_query *sq,
    char **cause)
{
	if (sq->lookup != NULL && sq_stale_files(r, sq, cause) == -1)
		return -1;
	if (sq->lookup == NULL && sq_stale_changed(r, sq, cause) == -1)
		return -1;
	if (sq_stale_versions(r, SQ_INPUT_CONFIGS, STORE_KIND_CONFIG,
	    STORE_STALE_CONFIG, cause) == -1 ||
	    sq_stale_versions(r, SQ_INPUT_CONTENT, STORE_KIND_CONTENT,
	    STORE_STALE_PART, cause) == -1)
		return -1;
	if (sq_stale_heads(r, sq->now, cause) == -1 ||
	    sq_stale_expected(r, sq, cause) == -1)
		return -1;
	return sq_stale_spread(r, sq->depth > 0 ? sq->depth : SQ_STALE_DEPTH,
	    cause);
}

int
sq_stale(void *b, const struct store_stale_query *sq, struct arena *a,
    struct store_stale **out, size_t *n, char **cause)
{
	struct sq_stale_run r;
	int rc;

	*out = NULL;
	*n = 0;
	memset(&r, 0, sizeof r);
	r.q = b;
	r.a = a;
	if ((r.ws = sq_ws_id(r.q, sq->workspace, false, cause)) <= 0) {
		if (r.ws == -1)
			return -1;
		/* Nothing generated in this workspace: all expected are new. */
		for (size_t i = 0; i < sq->nexpected; i++)
			sq_stale_add(&r, sq->expected[i], STORE_STALE_NEVER,
			    STORE_KIND_CONTENT, NULL, NULL, NULL, 0, 0);
		rc = 0;
	} else if (!r.q->txn) {
		if ((rc = sq_exec(r.q, sq_stmt(r.q, SQ_BEGIN_READ, cause),
		    "begin", cause)) == 0) {
			rc = sq_stale_run(&r, sq, cause);
			char *ignored = NULL;
			if (sq_exec(r.q, sq_stmt(r.q, SQ_COMMIT, &ignored),
			    "end read", &ignored) == -1)
				free(ignored);
		}
	} else
		rc = sq_stale_run(&r, sq, cause);
	if (rc == 0) {
		if (r.n > 1)
			qsort(r.v, r.n, sizeof *r.v, sq_stale_cmp);
		*out = r.v;
		*n = r.n;
	}
	free(r.seen.slot);
	free(r.queue);
	free(r.qdepth);
	return rc;
}
