/*
 * store_sqlite_int — what the files of the SQLite backend share: the
 * handle, the prepared-statement cache, transactions and workspaces.
 * Nothing outside store_sqlite*.c includes this.
 *
 * Every statement the backend runs on a hot path is named in enum sq_stmt
 * with its SQL in sq_sql[] (store_sqlite.c), prepared once per connection
 * on first use (SQLITE_PREPARE_PERSISTENT) and reset after each use, so
 * that a reader never holds its snapshot open between calls.
 */
#ifndef CHORA_STORE_SQLITE_INT_H
#define CHORA_STORE_SQLITE_INT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"

enum sq_stmt {
	SQ_BEGIN,
	SQ_BEGIN_READ,
	SQ_COMMIT,
	SQ_ROLLBACK,
	SQ_SAVEPOINT,
	SQ_RELEASE,
	SQ_ROLLBACK_TO,
	SQ_WS_GET,
	SQ_WS_ADD,
	SQ_CONFIG_HEAD,
	SQ_CONFIG_BY_VERSION,
	SQ_CONFIG_INSERT,
	SQ_CONFIG_HEAD_SET,
	SQ_CONFIG_HISTORY,
	SQ_CTX_DELETE,
	SQ_CTX_INSERT,
	SQ_CONTENT_HEAD,
	SQ_CONTENT_PREV,
	SQ_CONTENT_BY_VERSION,
	SQ_CONTENT_INSERT,
	SQ_BODY_INSERT,
	SQ_CONTENT_HEAD_SET,
	SQ_CONTENT_PRUNE,
	SQ_CONTENT_HISTORY,
	SQ_BLOB_USED,
	SQ_PARENT_GET,
	SQ_PARENT_ADD,
	SQ_INPUT_GET,
	SQ_INPUT_ADD,
	SQ_INPUT_PATH,
	SQ_INPUT_DROP,
	SQ_DEPS_REMOVE,
	SQ_DEPS_INSERT,
	SQ_DEPS_OF,
	SQ_DEPS_GET,
	SQ_DEPS_EACH,
	SQ_DEPS_PARENTS,
	SQ_TREE,
	SQ_TREE_REVERSE,
	SQ_INPUT_FILES,
	SQ_INPUT_ONE,
	SQ_INPUT_CONFIGS,
	SQ_INPUT_CONTENT,
	SQ_HEAD_STRATEGY,
	SQ_HEAD_EXPIRED,
	SQ_HEAD_UNUSUAL,
	SQ_EVENT_INSERT,
	SQ_EVENT_LIST,
	SQ_EVENT_LIST_KIND,
	SQ_EVENT_LIST_SUBJECT,
	SQ_GC_PRUNE,
	SQ_COUNT
};

/* Bytes of scratch blocks kept between operations. */
#define SQ_SCRATCH_KEEP	65536

/* List statements are built per shape (entity, number of where keys). */
#define SQ_LIST_SHAPES	(2 * 2 * (STORE_WHERE_MAX + 1))

struct sq_ids;

struct sq_ws {
	char	*name;
	int64_t	 id;
};

struct sq {
	sqlite3		*db;
	char		*root;
	char		*dir;		/* <root>/.chora */
	char		*dbpath;
	int		 flags;
	unsigned	 history;
	unsigned	 cache_kib;
	int		 version;	/* schema version once open */
	bool		 txn;		/* store_begin() is in effect */
	bool		 batch;		/* ... as store_begin_batch() */
	bool		 spoiled;	/* a write of the batch failed */

	sqlite3_stmt	*stmt[SQ_COUNT];
	sqlite3_stmt	*list[SQ_LIST_SHAPES];
	size_t		 list_rows[SQ_LIST_SHAPES];	/* last answer's */

	struct sq_ws	*ws;		/* workspaces known to exist */
	size_t		 nws;

	struct arena	*scratch;	/* within one operation */
	struct sq_ids	*ids;		/* node and input ids (writers) */

	char		**unlink;	/* blob files to check after commit */
	size_t		 nunlink;
	size_t		 unlink_mark;	/* at the open savepoint */
};

/* The cached statement, prepared on first use; NULL with *cause. */
sqlite3_stmt	*sq_stmt(struct sq *q, enum sq_stmt which, char **cause);
/* Prepare (or fetch) a cached statement for a list shape. */
sqlite3_stmt	*sq_list_stmt(struct sq *q, size_t shape, const char *sql,
		    char **cause);
/* Reset and unbind a statement after use (always safe on NULL). */
void		 sq_done(sqlite3_stmt *st);
/* Set *cause from the connection's last error; returns -1. */
int		 sq_fail(struct sq *q, const char *what, char **cause);
/* Run a statement to completion expecting no rows: 0 or -1. */
int		 sq_exec(struct sq *q, sqlite3_stmt *st, const char *what,
		    char **cause);

void		 sq_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Room for one more element in an arena array of *cap (doubling). */
void		*sq_grow(struct arena *a, void *arr, size_t n, size_t *cap,
		    size_t size);
/* A column as an arena string (NULL for SQL NULL). */
const char	*sq_col_text(struct arena *a, sqlite3_stmt *st, int i);
/*
 * The same, but prev itself when the column equals it: rows in id order
 * repeat their neighbours' type, version and context, and a list of
 * 10,000 rows then copies each once.
 */
const char	*sq_col_text_as(struct arena *a, sqlite3_stmt *st, int i,
		    const char *prev);
/* A hash column into out ("" when NULL or not a hash). */
void		 sq_col_hash(sqlite3_stmt *st, int i, char out[HASH_HEX_SIZE]);

/*
 * A write: one transaction, or a savepoint inside store_begin()'s.  End
 * it with sq_write_end(q, rc, ...), which commits or undoes by rc and
 * returns the final result.
 */
int		 sq_write_begin(struct sq *q, char **cause);
int		 sq_write_end(struct sq *q, int rc, char **cause);

/*
 * The id of a workspace: > 0, 0 when absent and !create, -1 on error.
 */
int64_t		 sq_ws_id(struct sq *q, const char *name, bool create,
		    char **cause);

/*
 * A read of one workspace: the cached statement with ?1 bound to the id of
 * ws.  NULL with *wsid 0 when the workspace does not exist (an empty
 * answer, not an error), or with *wsid -1 and *cause on error.
 */
sqlite3_stmt	*sq_ws_stmt(struct sq *q, enum sq_stmt which, const char *ws,
		    int64_t *wsid, char **cause);

/* Forget the cached node and input ids (after a rollback, at close). */
void		 sq_ids_clear(struct sq *q);

/* Remember a blob file to unlink after commit if nothing refers to it. */
void		 sq_unlink_later(struct sq *q, const char *blob);

/* Schema: create or migrate to STORE_SCHEMA_VERSION (store_sqlite_schema.c). */
int		 sq_schema_open(struct sq *q, char **cause);
/* The SQL of a fixed statement and of a list shape (for plan tests). */
const char	*sq_stmt_sql(enum sq_stmt which);
char		*sq_list_sql(bool content, bool filtered, size_t nwhere);
/* The SQL of one schema step (for tests that build an old store). */
const char	*sq_schema_sql(int version);
/*
 * Replace the context index rows of an entity ("config" or "content")
 * with the leaves of ctx (a JSON object; NULL or another type: none).
 */
int		 sq_ctx_set(struct sq *q, int64_t ws, const char *entity,
		    const char *id, const json_t *ctx, char **cause);

/* The columns sq_content_row() reads, in order. */
#define SQ_CONTENT_COLS "c.version, c.kind, c.hash, c.size, c.config_id, " \
	"c.config_version, c.config_hash, c.context, c.output_path, " \
	"c.freshness, c.ttl, c.generated_at, c.blob"
#define SQ_CONTENT_NCOLS 13

/*
 * Fill a content record (no text, no workspace/id) from the columns of
 * SQ_CONTENT_COLS starting at col, sharing strings equal to prev's (may
 * be NULL).
 */
void		 sq_content_row(struct arena *a, sqlite3_stmt *st, int col,
		    struct store_content *c, const struct store_content *prev);

/* The backend's operations, one file each. */
int	sq_config_put(void *b, struct store_config *c, char **cause);
int	sq_config_get(void *b, const char *ws, const char *id,
	    const char *version, struct arena *a, struct store_config *out,
	    char **cause);
int	sq_config_history(void *b, const char *ws, const char *id,
	    struct arena *a, struct store_config **out, size_t *n,
	    char **cause);
int	sq_config_list(void *b, const struct store_filter *f, struct arena *a,
	    struct store_config **out, size_t *n, char **cause);
int	sq_generation_put(void *b, struct store_generation *g, char **cause);
int	sq_content_put(void *b, struct store_content *c, char **cause);
int	sq_content_get(void *b, const char *ws, const char *id,
	    int64_t version, struct arena *a, struct store_content *out,
	    char **cause);
int	sq_content_history(void *b, const char *ws, const char *id,
	    struct arena *a, struct store_content **out, size_t *n,
	    char **cause);
int	sq_content_list(void *b, const struct store_filter *f,
	    struct arena *a, struct store_content **out, size_t *n,
	    char **cause);
int	sq_deps_set(void *b, const char *ws, enum store_kind pk,
	    const char *pid, const struct store_dep *deps, size_t n,
	    char **cause);
int	sq_deps_replace(struct sq *q, int64_t ws, enum store_kind pk,
	    const char *pid, const struct store_dep *deps, size_t n,
	    char **cause);
int	sq_deps_get(void *b, const char *ws, enum store_kind pk,
	    const char *pid, struct arena *a, struct store_dep **out,
	    size_t *n, char **cause);
int	sq_deps_each(void *b, const char *ws, store_edge_fn fn, void *arg,
	    char **cause);
int	sq_deps_tree(void *b, const char *ws, enum store_kind kind,
	    const char *id, unsigned depth, bool reverse, struct arena *a,
	    struct store_tree_node **out, size_t *n, char **cause);
int	sq_stale(void *b, const struct store_stale_query *q, struct arena *a,
	    struct store_stale **out, size_t *n, char **cause);
int	sq_event_append(void *b, struct store_event *ev, char **cause);
int	sq_event_insert(struct sq *q, struct store_event *ev, char **cause);
int	sq_event_list(void *b, const struct store_event_filter *f,
	    struct arena *a, struct store_event **out, size_t *n,
	    char **cause);
int	sq_gc(void *b, unsigned keep, struct store_gc_stats *st, char **cause);

#endif
