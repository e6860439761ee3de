/*
 * project — one served project root, as the daemon keeps it.
 *
 * A project ties the pieces together: the config model (root.h), the
 * store, the template loader and engine environments, a dataset per
 * content config, the dependency graph, and the units — one per output
 * (workspace x config x item) — with what each was last generated from.
 * Everything here runs on the loop thread; renders run in gen.c on
 * workers with the tasks this module builds.
 *
 * The life of a change: project_touch() records a changed path;
 * project_plan() turns the pending paths into tasks (re-reading data
 * incrementally, reloading configs, checking outputs for drift) grouped
 * by dependency level; the scheduler runs each level's tasks on workers
 * and hands every finished job to project_apply(), which records the
 * results in the store (one transaction per job), updates units and the
 * graph, and collects on_change commands; project_pass_end() removes
 * outputs no config produces any more.
 */
#ifndef CHORA_PROJECT_H
#define CHORA_PROJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen.h"
#include "hash.h"
#include "root.h"

enum unit_state {
	UNIT_OK,
	UNIT_STALE,
	UNIT_FAILED,
	UNIT_DRIFTED,
};

/*
 * What an output's last render read, as its unit keeps it.  The strings
 * are the project's pooled copies (strpool.h): at 10,000 outputs nearly
 * all of them are the same template, data file and config names and
 * hashes, so each unit holds pointers, not copies.
 */
struct unit_dep {
	enum store_kind	 kind;
	const char	*id;
	const char	*path;		/* NULL for config and content */
	const char	*hash;
};

struct unit {
	char		*id;		/* content id */
	size_t		 ws;
	char		*config_id;
	char		*output;	/* relative path, or NULL */
	char		 hash[HASH_HEX_SIZE];	/* last generated, "" never */
	struct gen_file	 written;	/* the output file as we last wrote it */
	char		 drift_hash[HASH_HEX_SIZE];	/* last edit kept */
	int64_t		 generated_at;	/* ms */
	struct unit_dep	*deps;
	size_t		 ndeps;
	bool		 full;		/* read the whole data */
	enum unit_state	 state;
	char		*error;		/* last failure */
	char		*text;		/* check mode: the rendered text */
	bool		 seen;		/* produced in this pass */
	bool		 queued;	/* has a task in this pass */
	bool		 candidate;	/* may be gone: sweep if not seen */
	bool		 forced;
	bool		 marked;	/* an input changed: re-check */
	bool		 touched;	/* on the pass's list of flagged units */
	bool		 clash;		/* shares its output path with another */
	bool		 rolled_back;	/* holds an earlier version on purpose */
};

/* One problem --check (and status) reports. */
struct project_problem {
	char	*what;		/* "stale", "drifted", "failed", "missing",
				   "config" */
	char	*id;		/* content id or config file */
	char	*message;	/* reason or file:line: error: ... */
};

struct project_stats {
	size_t	 configs;
	size_t	 outputs;
	size_t	 stale;
	size_t	 failed;
	size_t	 drifted;
	uint64_t passes;
	uint64_t generated;	/* outputs written since start */
	int64_t	 last_pass_at;	/* ms */
	double	 last_pass_ms;
};

/*
 * What a pass did to one output, told to the project's listener (the
 * socket's subscribers and waiting requests).  Strings are valid only
 * during the call.
 */
enum project_report_kind {
	PROJECT_GENERATED,	/* written (check mode: would be written) */
	PROJECT_UNCHANGED,	/* rendered to the text it already had */
	PROJECT_FAILED,
	PROJECT_DRIFT,		/* found edited by hand; its text was kept */
	PROJECT_REMOVED,	/* no config produces it any more */
};

struct project_report {
	enum project_report_kind kind;
	const char	*workspace;
	const char	*id;
	const char	*output;	/* relative path, or NULL */
	const char	*hash;		/* GENERATED, UNCHANGED: the text's */
	const char	*error;		/* FAILED: "file:line: error: ..." */
	bool		 drifted;	/* GENERATED: over a hand edit */
	bool		 missing;	/* GENERATED: there was no file */
	const char	*finding;	/* check mode: why it differs, or NULL */
	bool		 recovered;	/* it had failed, renders again */
};

struct project;
typedef void	(*project_report_fn)(void *arg, struct project *p,
		    const struct project_report *r);
/* Why one output is stale (project_stale); strings valid during the call. */
typedef void	(*project_stale_fn)(void *arg, const struct unit *u,
		    const char *workspace, const char *why, const char *input);

struct ev_loop;
struct root;
struct store;
struct storeq;

/*
 * Open the project at root (realpath'd).  check: write nothing (no store
 * is created; an existing one is read).  Otherwise the store's writer
 * thread reports to loop.  NULL with *cause.
 */
struct project	*project_open(const char *root, bool check,
		    struct ev_loop *loop, char **cause);
void		 project_free(struct project *p);
const char	*project_path(const struct project *p);
unsigned	 project_settle_ms(const struct project *p);

/* A file below the root changed (relative path), or everything did. */
void		 project_touch(struct project *p, const char *relpath);
void		 project_touch_all(struct project *p);
bool		 project_pending(const struct project *p);
/* Check every output's freshness again (a TTL may have run out). */
void		 project_recheck(struct project *p);
/* Mark outputs (ids, NULL for all) to be generated even if fresh. */
void		 project_force(struct project *p, const char *const *ids,
		    size_t n, bool force);

/*
 * Plan a pass from what is pending: returns the number of dependency
 * levels; project_level_tasks() then gives level l's tasks (allocated
 * array; the tasks belong to the caller until handed back through
 * project_apply()).
 */
size_t		 project_plan(struct project *p);
struct gen_task	**project_level_tasks(struct project *p, size_t level,
		    size_t *n);
/* Apply finished tasks (frees them); their store records are queued
 * to the store's writer thread. */
void		 project_apply(struct project *p, struct gen_task **tasks,
		    size_t n);
/* Call fn(arg) on the loop once every queued store write is committed. */
void		 project_when_stored(struct project *p, void (*fn)(void *),
		    void *arg);
/*
 * End the pass: remove outputs nothing produces any more; returns the
 * on_change commands to run (allocated NULL-terminated; each allocated).
 */
char		**project_pass_end(struct project *p, double ms);

bool		 project_fsync(const struct project *p);
/* Its store is open for writing (false in --check, or without one). */
bool		 project_writable(const struct project *p);
/* Workspace names (owned by p; valid until the next reload). */
const char *const *project_workspaces(const struct project *p, size_t *n);
/* Earliest TTL expiry in ms since the epoch, or 0 for none. */
int64_t		 project_next_expiry(const struct project *p);
void		 project_stats(const struct project *p,
		    struct project_stats *st);
/* Tell fn about every output a pass handles (one listener; NULL: none). */
void		 project_on_report(struct project *p, project_report_fn fn,
		    void *arg);
/*
 * An explicit generate request: mark the outputs of ids (config, content
 * or artifact ids; NULL: all) in workspace ws (NULL: every one) for the
 * next pass.  Drifted and on_demand outputs are rendered; force renders
 * fresh and immutable ones too.  Returns how many outputs were marked.
 */
size_t		 project_request(struct project *p, const char *const *ids,
		    size_t n, const char *ws, bool force);
/* The output id of workspace ws (NULL: the first), or NULL. */
const struct unit *project_unit(const struct project *p, const char *ws,
		    const char *id);
/* The index of workspace name, or -1. */
int		 project_ws_index(const struct project *p, const char *name);
/* The configs as loaded (owned by p; valid until the next reload). */
const struct root *project_root(const struct project *p);
/* The loop thread's read-only store handle, or NULL (owned by p). */
struct store	*project_store(const struct project *p);
/* The store's writer queue, or NULL in --check (owned by p). */
struct storeq	*project_storeq(const struct project *p);
/* How many outputs depend on the file rel (relative to the root). */
size_t		 project_dependents(const struct project *p, const char *rel);
/*
 * The file of output id in workspace ws now holds an earlier text (a
 * rollback): remember its hash (and text, for an artifact's part) so
 * that it is neither drift nor regenerated until an input changes.
 * -1 when there is no such output.
 */
int		 project_restored(struct project *p, const char *ws,
		    const char *id, const char *text, size_t len,
		    const char *hash);
/*
 * Call fn for each output of workspace ws (NULL: all) that is stale now
 * and why: changes not processed yet, a failure or a hand edit waiting,
 * or inputs whose hashes differ from those it was generated from
 * (on_demand and immutable outputs included: only generate updates
 * them).
 */
void		 project_stale(struct project *p, const char *ws,
		    project_stale_fn fn, void *arg);

/* A legacy file that could not be imported, and why. */
typedef void	(*project_skip_fn)(void *arg, const char *id,
		    const char *file, const char *why);
/*
 * Import a chora-compose history, root/ephemeral/<id>/<timestamp>.<ext>,
 * into s as versions of id in workspace ws, oldest first, timestamps
 * kept, the files untouched (SPEC section 8); dry_run only counts.  Any
 * thread may call it with its own store.  Returns the versions imported.
 */
int		 project_legacy_import(struct store *s, const char *root,
		    const char *ws, const char *id, bool dry_run,
		    project_skip_fn skip, void *arg);

/* Every current problem (allocated; free with project_problems_free). */
struct project_problem *project_problems(const struct project *p,
		    size_t *n);
void		 project_problems_free(struct project_problem *v, size_t n);

#endif
