/*
 * store_sqlite_list — context queries: listing the latest configs and
 * contents that match a filter, and the ctx key/value rows that make a
 * --where an index lookup (see the index notes in store_sqlite_schema.c).
 *
 * A list statement depends on the filter's shape (configs or content,
 * whether a type/config filter is given, how many keys), so it is built
 * once per shape and cached like the fixed statements.  The first key's
 * ctx rows drive the query (CROSS JOIN fixes the order: an index range on
 * (ws, entity, key, value)); further keys are EXISTS probes.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "cjson.h"
#include "store_sqlite_int.h"
#include "xmalloc.h"

/* Parameters: ?1 ws, ?2 since, ?3 type/config id, ?4 limit, ?5... keys. */
#define SQ_P_KEYS 5

/* One entity's context being indexed. */
struct sq_ctx_rows {
	struct sq	*q;
	sqlite3_stmt	*st;
	int64_t		 ws;
	const char	*entity;
	const char	*id;
	struct buf	 key;		/* "a.b" of the current leaf */
};

static int
sq_ctx_leaves(struct sq_ctx_rows *r, const json_t *obj, char **cause)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v) {
		size_t mark = r->key.len;
		int rc;

		if (mark > 0)
			buf_addc(&r->key, '.');
		buf_addstr(&r->key, k);
		if (json_is_object(v) && json_object_size(v) > 0)
			rc = sq_ctx_leaves(r, v, cause);
		else {
			struct buf val = BUF_INIT;

			if (json_is_string(v))
				buf_addstr(&val, json_string_value(v));
			else
				cjson_dump(v, &val);
			sqlite3_bind_int64(r->st, 1, r->ws);
			sq_bind_text(r->st, 2, r->entity);
			sq_bind_text(r->st, 3, r->key.data);
			sq_bind_text(r->st, 4, val.data);
			sq_bind_text(r->st, 5, r->id);
			rc = sq_exec(r->q, r->st, "context index", cause);
			buf_free(&val);
		}
		r->key.len = mark;
		r->key.data[mark] = '\0';
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
sq_ctx_set(struct sq *q, int64_t ws, const char *entity, const char *id,
    const json_t *ctx, char **cause)
{
	struct sq_ctx_rows r = { q, NULL, ws, entity, id, BUF_INIT };
	sqlite3_stmt *st;
	int rc;

	if ((st = sq_stmt(q, SQ_CTX_DELETE, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sq_bind_text(st, 2, entity);
	sq_bind_text(st, 3, id);
	if (sq_exec(q, st, "context index", cause) == -1)
		return -1;
	if (!json_is_object(ctx))
		return 0;
	if ((r.st = sq_stmt(q, SQ_CTX_INSERT, cause)) == NULL)
		return -1;
	buf_addstr(&r.key, "");
	rc = sq_ctx_leaves(&r, ctx, cause);
	buf_free(&r.key);
	return rc;
}

/* The SQL of a list shape (allocated). */
char *
sq_list_sql(bool content, bool filtered, size_t nwhere)
{
	const char *entity = content ? "content" : "config";
	const char *idcol = content ? "content_id" : "config_id";
	struct buf b = BUF_INIT;

	if (content)
		buf_addstr(&b, "SELECT h.content_id, " SQ_CONTENT_COLS
		    " FROM ");
	else
		buf_addstr(&b, "SELECT h.config_id, h.seq, h.version, h.type,"
		    " h.hash, h.created_at FROM ");
	if (nwhere > 0)
		buf_printf(&b, "ctx x0 CROSS JOIN %s_head h ON h.ws = x0.ws AND"
		    " h.%s = x0.id", entity, idcol);
	else if (content && filtered)
		/* Without statistics the planner would walk the whole
		 * workspace in id order rather than sort one config's few. */
		buf_addstr(&b, "content_head h INDEXED BY content_head_config");
	else
		buf_printf(&b, "%s_head h", entity);
	if (content)
		buf_addstr(&b, " JOIN content c ON c.seq = h.seq WHERE"
		    " h.ws = ?1 AND h.kind != 'removed' AND"
		    " c.generated_at >= ?2");
	else
		buf_addstr(&b, " WHERE h.ws = ?1 AND h.created_at >= ?2");
	if (filtered)
		buf_printf(&b, " AND h.%s = ?3", content ? "config_id" :
		    "type");
	for (size_t i = 0; i < nwhere; i++) {
		int pk = SQ_P_KEYS + 2 * (int)i;
		if (i == 0)
			buf_printf(&b, " AND x0.ws = ?1 AND x0.entity = '%s'"
			    " AND x0.key = ?%d AND x0.value = ?%d", entity,
			    pk, pk + 1);
		else
			buf_printf(&b, " AND EXISTS (SELECT 1 FROM ctx x%zu"
			    " WHERE x%zu.ws = ?1 AND x%zu.entity = '%s' AND"
			    " x%zu.key = ?%d AND x%zu.value = ?%d AND"
			    " x%zu.id = h.%s)", i, i, i, entity, i, pk, i,
			    pk + 1, i, idcol);
	}
	/* x0.id is h's id: ordering by it lets the ctx index give the
	 * order, where h.id would need a sort of every row. */
	buf_printf(&b, " ORDER BY %s LIMIT ?4", nwhere > 0 ? "x0.id" :
	    content ? "h.content_id" : "h.config_id");
	return buf_detach(&b, NULL);
}

/*
 * An array for a list's rows, as long as the last answer of that shape:
 * a daemon lists the same things again and again, and growing a
 * 10,000-row array by doubling copies it and faults in fresh pages.
 */
static void *
sq_list_array(struct sq *q, struct arena *a, size_t shape, size_t size,
    size_t *cap)
{
	*cap = q->list_rows[shape];
	return *cap > 0 ? arena_alloc(a, *cap * size) : NULL;
}

/*
 * The statement for f's shape with f bound, or NULL: *wsp is 0 when the
 * workspace does not exist (an empty result, not an error).
 */
static sqlite3_stmt *
sq_list_prepare(struct sq *q, bool content, const struct store_filter *f,
    int64_t *wsp, size_t *shapep, char **cause)
{
	const char *filter = content ? f->config_id : f->type;
	size_t shape;
	sqlite3_stmt *st;
	char *sql;

	if (f->nwhere > STORE_WHERE_MAX) {
		*cause = xprintf("at most %d --where keys", STORE_WHERE_MAX);
		*wsp = -1;
		return NULL;
	}
	if ((*wsp = sq_ws_id(q, f->workspace, false, cause)) <= 0)
		return NULL;
	shape = ((content ? 2 : 0) + (filter != NULL)) *
	    (STORE_WHERE_MAX + 1) + f->nwhere;
	*shapep = shape;
	if ((st = q->list[shape]) == NULL) {
		sql = sq_list_sql(content, filter != NULL, f->nwhere);
		st = sq_list_stmt(q, shape, sql, cause);
		free(sql);
		if (st == NULL) {
			*wsp = -1;
			return NULL;
		}
	}
	sqlite3_bind_int64(st, 1, *wsp);
	sqlite3_bind_int64(st, 2, f->since);
	if (filter != NULL)
		sq_bind_text(st, 3, filter);
	sqlite3_bind_int64(st, 4, f->limit > 0 ? (int64_t)f->limit : -1);
	for (size_t i = 0; i < f->nwhere; i++) {
		sq_bind_text(st, SQ_P_KEYS + 2 * (int)i, f->where[i].key);
		sq_bind_text(st, SQ_P_KEYS + 2 * (int)i + 1, f->where[i].value);
	}
	return st;
}

int
sq_config_list(void *b, const struct store_filter *f, struct arena *a,
    struct store_config **out, size_t *n, char **cause)
{
	struct sq *q = b;
	struct store_config *v = NULL, *c;
	sqlite3_stmt *st;
	size_t cap = 0, shape;
	int64_t ws;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = sq_list_prepare(q, false, f, &ws, &shape, cause)) == NULL)
		return ws == 0 ? 0 : -1;
	v = sq_list_array(q, a, shape, sizeof *v, &cap);
	const char *wsname = arena_strdup(a, f->workspace);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sq_grow(a, v, *n, &cap, sizeof *v);
		c = &v[(*n)++];
		memset(c, 0, sizeof *c);
		c->workspace = wsname;
		c->id = sq_col_text(a, st, 0);
		c->seq = sqlite3_column_int64(st, 1);
		c->version = sq_col_text_as(a, st, 2, *n > 1 ? c[-1].version :
		    NULL);
		c->type = sq_col_text_as(a, st, 3, *n > 1 ? c[-1].type : NULL);
		sq_col_hash(st, 4, c->hash);
		c->created_at = sqlite3_column_int64(st, 5);
	}
	sq_done(st);
	*out = v;
	q->list_rows[shape] = *n;
	return rc == SQLITE_DONE ? 0 : sq_fail(q, "list configs", cause);
}

int
sq_content_list(void *b, const struct store_filter *f, struct arena *a,
    struct store_content **out, size_t *n, char **cause)
{
	struct sq *q = b;
	struct store_content *v = NULL;
	sqlite3_stmt *st;
	size_t cap = 0, shape;
	int64_t ws;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = sq_list_prepare(q, true, f, &ws, &shape, cause)) == NULL)
		return ws == 0 ? 0 : -1;
	v = sq_list_array(q, a, shape, sizeof *v, &cap);
	const char *wsname = arena_strdup(a, f->workspace);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sq_grow(a, v, *n, &cap, sizeof *v);
		sq_content_row(a, st, 1, &v[*n], *n > 0 ? &v[*n - 1] : NULL);
		v[*n].workspace = wsname;
		v[(*n)++].id = sq_col_text(a, st, 0);
	}
	sq_done(st);
	*out = v;
	q->list_rows[shape] = *n;
	return rc == SQLITE_DONE ? 0 : sq_fail(q, "list content", cause);
}
