/*
 * store — the daemon's memory: versioned configs, every generated version
 * of every output, the dependency graph, and the event log of a project
 * root, kept in <root>/.chora/.
 *
 * Callers see an opaque struct store and call only the store_*() functions
 * below.  Behind them sits a backend, a table of operations (struct
 * store_ops at the end of this file); SQLite (store_sqlite*.c) is the
 * embedded default and another backend (PostgreSQL for a team sharing one
 * store) plugs in by providing the same table, without touching callers.
 *
 * Conventions, everywhere in this interface:
 *
 *  - Functions return 0 on success and -1 on failure with *cause set to an
 *    allocated message the caller frees.  Lookups return 1 when the thing
 *    asked for does not exist (cause untouched).
 *  - Records are plain data.  Records a caller passes in are read and
 *    copied; the caller keeps them.  Records handed back (and every string
 *    or array in them) are allocated in the arena the caller passes, and
 *    live until that arena is reset or freed: there is nothing to free one
 *    by one.  A request handler passes its per-request arena.
 *  - Times are milliseconds since the Unix epoch (UTC).
 *  - Hashes are lowercase hex SHA-256 (common/hash.h).
 *  - A NULL workspace means "default".
 *  - A struct store is used by one thread at a time.  One process holds the
 *    writer; any thread may open its own read-only store on the same root
 *    (STORE_READONLY) and never sees a half-written transaction.
 *
 * Changes to this header are listed here, newest first:
 *   - STORE_NOMMAP: no memory-mapped reads (the daemon's handles).
 *   - store_options.cache_kib: the page cache of the connection (the
 *     daemon keeps small ones; queries over big stores want the default).
 *   - store_begin_batch(): a transaction without a savepoint per write,
 *     spoiled whole by a failed write (the writer thread replays then);
 *     store_ops.begin takes the batch flag.
 *   - store_generation.no_event: the daemon records one generation event
 *     per pass ({"count":N,"outputs":[...]}) instead of one per output.
 *   - STORE_SCHEMA_VERSION 3: the SQLite backend keeps dependencies by
 *     integer ids (docs/store.md); no function changed.
 *   - store_event_append()/store_generation_put(): details must be a JSON
 *     object (else -1 with a cause naming the line); store_gc() on a
 *     STORE_READONLY store is refused.
 *   - Puts no longer fill store_content.blob (only gets do);
 *     store_content_put() records no event (group it with
 *     store_event_append() in a transaction); a removal has hash "".
 *   - First version (df718ca).
 */
#ifndef CHORA_STORE_H
#define CHORA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"

struct arena;
struct store;

/* The schema version this build writes; older stores are migrated. */
#define STORE_SCHEMA_VERSION	3
/* Texts of this many bytes or more live in blobs/content/, not inline. */
#define STORE_BLOB_THRESHOLD	102400
/* Keys a list filter may constrain at once. */
#define STORE_WHERE_MAX		8
/* Rows a dependency tree returns at most (diamonds repeat subtrees). */
#define STORE_TREE_MAX_ROWS	100000

/* What a dependency edge points at. */
enum store_kind {
	STORE_KIND_CONFIG = 0,	/* a generation config (id), by its hash */
	STORE_KIND_TEMPLATE,	/* a template file: includes, imports, parents */
	STORE_KIND_DATA,	/* a whole data file */
	STORE_KIND_DATA_PART,	/* the slice of a data file one output read */
	STORE_KIND_CONTENT,	/* another output (an artifact's part) */
	STORE_KIND_COUNT
};

/* Why a content version exists. */
enum store_version_kind {
	STORE_VERSION_GENERATED = 0,	/* rendered by chora */
	STORE_VERSION_DRIFT,	/* text found on disk, edited by hand */
	STORE_VERSION_REMOVED,	/* the output was deleted (config gone) */
	STORE_VERSION_ROLLBACK,	/* an earlier version restored */
	STORE_VERSION_IMPORTED,	/* imported from a legacy layout */
	STORE_VERSION_COUNT
};

/* A config's freshness strategy (SPEC section 2). */
enum store_freshness {
	STORE_FRESH_DEPENDENCY = 0,
	STORE_FRESH_TTL,	/* also stale ttl seconds after generation */
	STORE_FRESH_ON_DEMAND,	/* only an explicit generate touches it */
	STORE_FRESH_IMMUTABLE,	/* generated once */
	STORE_FRESH_COUNT
};

enum store_event_kind {
	STORE_EVENT_GENERATION = 0,
	STORE_EVENT_FAILURE,
	STORE_EVENT_DRIFT,
	STORE_EVENT_DEPLOY,
	STORE_EVENT_ROLLBACK,
	STORE_EVENT_REMOVAL,
	STORE_EVENT_GC,
	STORE_EVENT_MIGRATION,
	STORE_EVENT_COUNT
};

/* Names as stored and shown ("data_part", "drift", ...); parse gives -1. */
const char	*store_kind_name(enum store_kind k);
int		 store_kind_parse(const char *name);
const char	*store_version_kind_name(enum store_version_kind k);
int		 store_version_kind_parse(const char *name);
const char	*store_freshness_name(enum store_freshness f);
int		 store_freshness_parse(const char *name);
const char	*store_event_kind_name(enum store_event_kind k);
int		 store_event_kind_parse(const char *name);

/* ---- opening ---------------------------------------------------------- */

#define STORE_READONLY	0x1	/* a reader: never creates nor migrates */
#define STORE_NOFSYNC	0x2	/* chora.json "fsync": false (blobs, jsonl) */
#define STORE_NOMMAP	0x4	/* read through the page cache only: a
				   long-running process's memory stays the
				   cache's size, not the file's */

/* The page cache a connection keeps unless told otherwise (KiB). */
#define STORE_CACHE_KIB	16384

struct store_options {
	const char	*backend;	/* NULL: "sqlite" */
	int		 flags;		/* STORE_* above */
	unsigned	 history;	/* versions kept per output; 0 keeps all */
	int		 busy_timeout_ms;	/* 0: 5000 */
	unsigned	 cache_kib;	/* page cache; 0: STORE_CACHE_KIB */
};

/*
 * Open (creating when absent, unless STORE_READONLY) the store of the
 * project root, migrating an older schema after a backup copy
 * (.chora/storage.db.bak-v<N>).  A store written by a newer chora is an
 * error and is left untouched.  opt may be NULL.  Returns the store (the
 * caller closes it with store_close()) or NULL with *cause set.
 */
struct store	*store_open(const char *root, const struct store_options *opt,
		    char **cause);
void		 store_close(struct store *s);
/* The schema version of the open store (STORE_SCHEMA_VERSION once open). */
int		 store_schema_version(struct store *s);
const char	*store_root(struct store *s);	/* owned by s */
/* PRAGMA integrity_check and friends: 0 when sound, else -1 and cause. */
int		 store_check(struct store *s, char **cause);

/*
 * Transactions.  Every write function below is atomic on its own; between
 * store_begin() and store_commit() the writes are grouped into one
 * transaction (one fsync), and a write that fails inside it undoes only
 * itself, leaving the caller to commit the rest or roll back everything.
 * No nesting.  Blob files written in a rolled-back transaction stay until
 * store_gc() (they are referenced by nothing).
 */
int	store_begin(struct store *s, char **cause);
int	store_commit(struct store *s, char **cause);
void	store_rollback(struct store *s);
/*
 * A transaction whose writes are not savepoints (a savepoint journals
 * every page a write touches: a fifth of what recording a generation
 * costs).  A write that fails spoils the whole transaction: later writes
 * fail, and store_commit() rolls it back and returns -1; nothing of it is
 * kept.  For a caller that can then replay its writes one by one.
 */
int	store_begin_batch(struct store *s, char **cause);

/* ---- configs ---------------------------------------------------------- */

struct store_config {
	const char	*workspace;
	const char	*id;
	const char	*version;	/* the author's; may be NULL */
	const char	*type;		/* content, artifact, collection */
	const char	*json;		/* canonical JSON (sorted, compact) */
	char		 hash[HASH_HEX_SIZE];	/* SHA-256 of json */
	int64_t		 created_at;
	int64_t		 seq;		/* store-wide insertion order */
};

/*
 * Record a config version.  The caller fills workspace, id, version, type
 * and json (any JSON text: it is canonicalized here, so formatting and key
 * order do not make a new version); created_at 0 means now.  hash, seq
 * and created_at are filled in (json keeps the caller's text).  Returns 1 when a new version was
 * stored, 0 when the latest version already had this hash (nothing
 * written; seq/created_at are the existing version's), -1 on error (bad
 * JSON: the cause names the config and line).
 */
int	store_config_put(struct store *s, struct store_config *c, char **cause);

/*
 * One config version into *out: the latest when version is NULL, else the
 * newest whose author version or hash equals it.  0, 1 (none), -1.
 */
int	store_config_get(struct store *s, const char *workspace, const char *id,
	    const char *version, struct arena *a, struct store_config *out,
	    char **cause);

/* Every kept version of a config, newest first (json included). */
int	store_config_history(struct store *s, const char *workspace,
	    const char *id, struct arena *a, struct store_config **out,
	    size_t *n, char **cause);

/* ---- queries ---------------------------------------------------------- */

struct store_where {
	const char	*key;	/* a context key; "a.b" reaches into objects */
	const char	*value;	/* compared as text: "1", "true", "infra" */
};

/*
 * A list filter.  Values: strings as they are, numbers as written in
 * JSON, true/false/null as those words, arrays as compact JSON.
 */
struct store_filter {
	const char	*workspace;
	const char	*type;		/* configs only: content|artifact|... */
	const char	*config_id;	/* content only: outputs of this config */
	const struct store_where *where;	/* all must match */
	size_t		 nwhere;		/* <= STORE_WHERE_MAX */
	int64_t		 since;		/* created/generated at or after; 0 */
	size_t		 limit;		/* 0: no limit */
};

/*
 * The latest version of each config matching f (json NULL: fetch it with
 * store_config_get()), ordered by id.  Context keys are the config's
 * "context" object.
 */
int	store_config_list(struct store *s, const struct store_filter *f,
	    struct arena *a, struct store_config **out, size_t *n, char **cause);

/* ---- content ---------------------------------------------------------- */

struct store_content {
	const char	*workspace;
	const char	*id;		/* "<config id>" or "<config id>/<key>" */
	int64_t		 version;	/* 1, 2, ... per output (filled in) */
	enum store_version_kind kind;
	const char	*config_id;
	const char	*config_version;
	const char	*config_hash;
	const char	*context;	/* JSON object text; NULL means {} */
	const char	*output_path;	/* relative to the root */
	enum store_freshness freshness;
	int64_t		 ttl;		/* seconds, for STORE_FRESH_TTL */
	int64_t		 generated_at;	/* 0 on input: now */
	const char	*text;		/* NULL in list/history results */
	size_t		 len;		/* of text (in results even without it) */
	char		 hash[HASH_HEX_SIZE];	/* SHA-256 of text (filled in) */
	const char	*blob;		/* "blobs/content/sha256-<hex>" or NULL */
};

/* A dependency edge from a parent (an output) to what it read. */
struct store_dep {
	enum store_kind	 kind;
	const char	*id;	/* config id, content id, file path, or
				   "<path>#<selector>" for a data part */
	const char	*path;	/* the file, relative to root; NULL for
				   config and content */
	const char	*hash;	/* of the child when the parent was made;
				   "" (STORE_HASH_ABSENT): looked for and
				   absent, so its appearing is a change */
};

#define STORE_HASH_ABSENT	""

/*
 * One generated output: its new version, its complete dependency set
 * (replacing the previous set) and an event, written in one transaction so
 * that no reader ever sees one without the others.  With no_event the
 * event is left to the caller, who records one for a whole pass (the
 * daemon: a generation event whose details list the outputs).
 */
struct store_generation {
	struct store_content	 content;
	const struct store_dep	*deps;
	size_t			 ndeps;
	int			 uid;	/* of the client who asked; -1 daemon */
	const char		*details;	/* event JSON object or NULL */
	bool			 no_event;	/* the caller records one
						   event for many (a pass) */
};

/*
 * Write a generation (content.kind normally GENERATED).  Fills in
 * content.version, .hash and .generated_at (blob is only set by gets).
 * Versions beyond the history option are pruned in the same transaction
 * (their blob files unlinked after commit when nothing else uses them).
 */
int	store_generation_put(struct store *s, struct store_generation *g,
	    char **cause);
/* n generations in one transaction: all are written, or none. */
int	store_generation_put_batch(struct store *s, struct store_generation *g,
	    size_t n, char **cause);

/*
 * A content version without touching dependencies: a drift (the hand-edited
 * text, kept before it is overwritten), a removal (text NULL: no text, hash
 * ""), a rollback or an import.  Fills in as store_generation_put() does.
 * No event is recorded: to record one atomically with it, call
 * store_event_append() between store_begin() and store_commit().
 */
int	store_content_put(struct store *s, struct store_content *c,
	    char **cause);

/*
 * One version of an output with its text (read back from its blob when it
 * has one, and checked against its hash): version 0 means the latest.
 * 0, 1 (none), -1.
 */
int	store_content_get(struct store *s, const char *workspace, const char *id,
	    int64_t version, struct arena *a, struct store_content *out,
	    char **cause);

/* Every kept version of an output, newest first, without text. */
int	store_content_history(struct store *s, const char *workspace,
	    const char *id, struct arena *a, struct store_content **out,
	    size_t *n, char **cause);

/*
 * The latest version of each output matching f (context query), without
 * text, ordered by id.  Removed outputs are left out.
 */
int	store_content_list(struct store *s, const struct store_filter *f,
	    struct arena *a, struct store_content **out, size_t *n,
	    char **cause);

/* ---- dependencies ----------------------------------------------------- */

/*
 * The dependency set of a parent is that of its latest generation; history
 * keeps texts, not old graphs.
 */
int	store_deps_set(struct store *s, const char *workspace,
	    enum store_kind parent_kind, const char *parent_id,
	    const struct store_dep *deps, size_t n, char **cause);
/* Direct dependencies of a parent, ordered by kind then id. */
int	store_deps_get(struct store *s, const char *workspace,
	    enum store_kind parent_kind, const char *parent_id,
	    struct arena *a, struct store_dep **out, size_t *n, char **cause);

/*
 * Every edge of a workspace, for rebuilding an in-memory graph: fn is
 * called once per edge (its strings valid only during the call) and stops
 * the walk by returning non-zero (then this returns that value).
 */
typedef int (*store_edge_fn)(void *arg, enum store_kind parent_kind,
    const char *parent_id, const struct store_dep *child);
int	store_deps_each(struct store *s, const char *workspace,
	    store_edge_fn fn, void *arg, char **cause);

/*
 * A row of a dependency tree (what X depends on) or reverse tree (what
 * depends on X), in depth-first order.  For a reverse tree, kind/id are
 * the dependent and parent_* the node it was reached from.
 */
struct store_tree_node {
	unsigned	 depth;		/* 1: direct */
	enum store_kind	 parent_kind;
	const char	*parent_id;
	enum store_kind	 kind;
	const char	*id;
	const char	*path;		/* may be NULL */
	const char	*hash;		/* the edge's hash */
	bool		 cycle;		/* reaches a node already on its path:
					   reported, not expanded */
};

/* Tree of (kind, id) up to depth levels (0: STORE_TREE_MAX_ROWS bound). */
int	store_deps_tree(struct store *s, const char *workspace,
	    enum store_kind kind, const char *id, unsigned depth, bool reverse,
	    struct arena *a, struct store_tree_node **out, size_t *n,
	    char **cause);

/* ---- freshness -------------------------------------------------------- */

/*
 * The current hash of an input: fills out and returns 0; returns 1 when
 * the input no longer exists; -1 when the caller cannot tell (skipped).
 * Called once per distinct input (kind template, data or data_part) that
 * some output depends on.  path is the edge's path.
 */
typedef int (*store_hash_fn)(void *arg, enum store_kind kind, const char *id,
    const char *path, char out[HASH_HEX_SIZE]);

/* An input known to have changed: its current hash ("" when removed). */
struct store_input {
	enum store_kind	 kind;
	const char	*id;
	const char	*hash;
};

struct store_stale_query {
	const char	*workspace;
	/* Either a full check, asking lookup about every input ... */
	store_hash_fn	 lookup;
	void		*arg;
	/* ... or only these changed inputs (lookup NULL). */
	const struct store_input *changed;
	size_t		 nchanged;
	/* Outputs that should exist (never generated when absent); may be 0. */
	const char *const *expected;
	size_t		 nexpected;
	int64_t		 now;		/* for ttl; 0: now */
	unsigned	 depth;		/* artifact propagation; 0: 64 */
};

enum store_stale_why {
	STORE_STALE_INPUT = 0,	/* input changed from old_hash to new_hash */
	STORE_STALE_INPUT_GONE,	/* input no longer exists */
	STORE_STALE_CONFIG,	/* its config has a newer version */
	STORE_STALE_PART,	/* a content it depends on is stale */
	STORE_STALE_TTL,	/* generated_at + ttl passed (at expired_at) */
	STORE_STALE_NEVER,	/* never generated (or only imported) */
	STORE_STALE_DRIFT,	/* latest version is a hand edit */
	STORE_STALE_COUNT
};
const char	*store_stale_why_name(enum store_stale_why w);

/* One reason one output is stale; an output may have several rows. */
struct store_stale {
	const char	*content_id;
	enum store_stale_why why;
	enum store_kind	 input_kind;	/* INPUT, INPUT_GONE, CONFIG, PART */
	const char	*input_id;
	const char	*old_hash;
	const char	*new_hash;	/* NULL when gone */
	int64_t		 expired_at;	/* TTL */
};

/*
 * Which outputs of q->workspace are stale, and why, by their strategy:
 * dependency and ttl outputs on changed inputs (and configs, whose newest
 * versions the store knows), propagated to the outputs that depend on a
 * stale one (cycle-safe); ttl outputs past their time; on_demand and
 * immutable outputs only when never generated.  Ordered by content id.
 */
int	store_stale(struct store *s, const struct store_stale_query *q,
	    struct arena *a, struct store_stale **out, size_t *n, char **cause);

/* ---- events ----------------------------------------------------------- */

struct store_event {
	int64_t		 seq;		/* filled in */
	int64_t		 at;		/* 0 on input: now */
	enum store_event_kind kind;
	int		 uid;		/* -1: the daemon itself */
	const char	*workspace;
	const char	*subject;	/* content/config id, environment */
	const char	*details;	/* JSON object text or NULL */
};

int	store_event_append(struct store *s, struct store_event *ev,
	    char **cause);

struct store_event_filter {
	int		 kind;		/* enum store_event_kind, -1 any */
	const char	*workspace;	/* NULL: any */
	const char	*subject;	/* NULL: any */
	int64_t		 after_seq;	/* only seq > this (for following) */
	int64_t		 since;		/* at >= this; 0 */
	size_t		 limit;		/* 0: no limit */
};

/* Events matching f, newest first. */
int	store_event_list(struct store *s, const struct store_event_filter *f,
	    struct arena *a, struct store_event **out, size_t *n, char **cause);

struct store_deploy {
	const char	*environment;	/* required */
	const char	*version;	/* required */
	const char	*status;	/* required: success, failure, ... */
	const char	*note;		/* optional */
	const char	*workspace;	/* optional */
	int		 uid;
	int64_t		 at;		/* 0: now */
};

/*
 * Record a deployment: an event of kind deploy (details hold the fields)
 * and a line in .chora/memory/events/deployment.jsonl:
 * {"timestamp":"2026-01-02T03:04:05Z","event_type":"deployment",
 *  "environment":"production","version":"v1.2.0","status":"success",...}
 */
int	store_deploy_record(struct store *s, const struct store_deploy *d,
	    char **cause);

/* ---- maintenance ------------------------------------------------------ */

struct store_gc_stats {
	size_t	versions_pruned;
	size_t	blobs_removed;
	size_t	blobs_kept;
	size_t	temp_removed;	/* leftovers of killed writes */
};

/*
 * Keep the newest keep versions of every output (0: the history option;
 * both 0: keep all), then remove blob files no version refers to.
 */
int	store_gc(struct store *s, unsigned keep, struct store_gc_stats *st,
	    char **cause);

/* Milliseconds since the epoch, now. */
int64_t	store_now(void);

/* ---- for backends only ------------------------------------------------ */

/*
 * A backend: every function takes the handle its open returned.  The
 * wrappers above have already filled in defaults (workspace "default",
 * times) and checked arguments; results go into the caller's arena.
 */
struct store_ops {
	const char *name;
	void	*(*open)(const char *root, const struct store_options *opt,
		    char **cause);
	void	 (*close)(void *b);
	int	 (*schema_version)(void *b);
	int	 (*check)(void *b, char **cause);
	int	 (*begin)(void *b, bool batch, char **cause);
	int	 (*commit)(void *b, char **cause);
	void	 (*rollback)(void *b);

	int	 (*config_put)(void *b, struct store_config *c, char **cause);
	int	 (*config_get)(void *b, const char *ws, const char *id,
		    const char *version, struct arena *a,
		    struct store_config *out, char **cause);
	int	 (*config_history)(void *b, const char *ws, const char *id,
		    struct arena *a, struct store_config **out, size_t *n,
		    char **cause);
	int	 (*config_list)(void *b, const struct store_filter *f,
		    struct arena *a, struct store_config **out, size_t *n,
		    char **cause);

	int	 (*generation_put)(void *b, struct store_generation *g,
		    char **cause);
	int	 (*content_put)(void *b, struct store_content *c, char **cause);
	int	 (*content_get)(void *b, const char *ws, const char *id,
		    int64_t version, struct arena *a, struct store_content *out,
		    char **cause);
	int	 (*content_history)(void *b, const char *ws, const char *id,
		    struct arena *a, struct store_content **out, size_t *n,
		    char **cause);
	int	 (*content_list)(void *b, const struct store_filter *f,
		    struct arena *a, struct store_content **out, size_t *n,
		    char **cause);

	int	 (*deps_set)(void *b, const char *ws, enum store_kind pk,
		    const char *pid, const struct store_dep *deps, size_t n,
		    char **cause);
	int	 (*deps_get)(void *b, const char *ws, enum store_kind pk,
		    const char *pid, struct arena *a, struct store_dep **out,
		    size_t *n, char **cause);
	int	 (*deps_each)(void *b, const char *ws, store_edge_fn fn,
		    void *arg, char **cause);
	int	 (*deps_tree)(void *b, const char *ws, enum store_kind kind,
		    const char *id, unsigned depth, bool reverse,
		    struct arena *a, struct store_tree_node **out, size_t *n,
		    char **cause);
	int	 (*stale)(void *b, const struct store_stale_query *q,
		    struct arena *a, struct store_stale **out, size_t *n,
		    char **cause);

	int	 (*event_append)(void *b, struct store_event *ev, char **cause);
	int	 (*event_list)(void *b, const struct store_event_filter *f,
		    struct arena *a, struct store_event **out, size_t *n,
		    char **cause);
	int	 (*gc)(void *b, unsigned keep, struct store_gc_stats *st,
		    char **cause);
};

/* The embedded default. */
extern const struct store_ops store_sqlite_ops;

#endif
