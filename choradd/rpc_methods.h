/*
 * rpc_methods — the daemon's method handlers, one rpc_<method>.c each,
 * registered on the socket server from one table, and what they share.
 *
 * Handlers run on the loop thread.  Queries (status, health, list, show,
 * history, deps, stale, deploy.list) answer at once from the projects'
 * counters and the loop's read-only store handles.  Work parks: generate
 * and notify on the scheduler (sched_wait) while a collector gathers what
 * the passes report (rpc_feed.c); check and dry runs render a private
 * --check copy of the root on a background thread (rpc_bg.c,
 * rpc_check.c); store writes (deploy, rollback records, gc, migrate) go
 * through the root's writer queue and answer once it has committed them.
 *
 * Roots: every request may name one (param root).  rpc_root_of() finds
 * it, or adds a root not served yet (full-access peers only) and parks
 * the request until its first pass, then runs the handler again.
 *
 * Ownership: struct rpc_daemon belongs to main; the projects in it are
 * owned here once added (rpc_root_open/rpc_root_close), as are the feed
 * and the background threads (rpc_daemon_stop frees them).
 */
#ifndef CHORA_RPC_METHODS_H
#define CHORA_RPC_METHODS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "rpc.h"

struct ev_loop;
struct project;
struct rpc_bg;
struct rpc_feed;
struct sched;

/* What every handler may look at. */
struct rpc_daemon {
	struct ev_loop	*loop;
	struct sched	*sched;
	struct project	**projects;	/* every root served */
	size_t		 nprojects;
	struct rpc_server *server;	/* NULL outside daemon mode */
	int64_t		 started;	/* seconds since the epoch */
	bool		 check;		/* --check: projects write nothing */
	bool		 watch;		/* daemon mode: roots are watched */
	struct rpc_feed	*feed;
	struct rpc_bg	*bg;
};

/* Set up what handlers share, before any root is opened. */
void	rpc_daemon_init(struct rpc_daemon *d, struct ev_loop *loop,
	    struct sched *sched, bool check, bool watch);
/* Register every handler on s. */
void	rpc_methods_register(struct rpc_server *s, struct rpc_daemon *d);
/*
 * The daemon stops: background work is waited for and answered,
 * subscribers get their closing response.  Before rpc_server_free();
 * the projects stay (main frees them with rpc_daemon_free()).
 */
void	rpc_daemon_stop(struct rpc_daemon *d);
/* Free every project served, then the rest. */
void	rpc_daemon_free(struct rpc_daemon *d);

/* ---- roots (rpc_roots.c) ------------------------------------------------ */

/*
 * Serve the root at path: open its project (check/watch as d says),
 * schedule it and report its passes to the feed.  Its first pass starts
 * with sched_start() or sched_kick().  NULL with *cause.
 */
struct project	*rpc_root_open(struct rpc_daemon *d, const char *path,
		    char **cause);
/* Stop serving p and free it (no pass may be running over it). */
void		 rpc_root_close(struct rpc_daemon *d, struct project *p);
/* The project of the root at the realpath()ed path, or NULL. */
struct project	*rpc_root_find(struct rpc_daemon *d, const char *path);
/*
 * The project req is about: its root param, else the only root served.
 * A root not served yet is added; when settle, req is parked until its
 * first pass has ended and then self runs again.  NULL when req has been
 * answered (an error) or parked.
 */
struct project	*rpc_root_of(struct rpc_req *req, struct rpc_daemon *d,
		    rpc_handler self, bool settle);

/*
 * Park req until every change made before now has been processed, then
 * run self(req, d) again (a new root's first pass, a pass in the way).
 */
void		 rpc_rerun(struct rpc_req *req, struct rpc_daemon *d,
		    rpc_handler self);

/* ---- what requests name (rpc_ids.c) ------------------------------------ */

/*
 * The ids param: each a config, content or artifact id of p, collections
 * replaced by their members; *ids NULL when none was given (everything).
 * Allocated in req's arena.  -1 after answering not_found.
 */
int	rpc_ids(struct rpc_req *req, const struct project *p,
	    const char ***ids, size_t *n);
/* The workspace param (NULL: none); -1 after answering not_found. */
int	rpc_workspace(struct rpc_req *req, const struct project *p,
	    const char **ws);

/*
 * Render a private --check copy of p's root on a background thread and
 * answer req with what differs: check's problems, or (dry_run)
 * generate's would-be result.  ids (NULL: all) and ws are copied.
 */
void	rpc_check_start(struct rpc_daemon *d, struct rpc_req *req,
	    const struct project *p, const char *const *ids, size_t nids,
	    const char *ws, bool dry_run);

/* The key roots and every root's record (status, roots). */
void	rpc_status_roots(struct proto_enc *e, struct rpc_daemon *d);

/* ---- formatting shared by handlers (rpc_fmt.c) ------------------------- */

/* A config version's name: this many hex digits of its hash. */
#define RPC_CONFIG_VERSION_LEN	12


/* ISO 8601 UTC ("2026-01-02T03:04:05Z") of ms since the epoch. */
void	rpc_fmt_time(int64_t ms, char out[32]);
/*
 * A time given by a client: ISO 8601 ("2026-01-02", "...T03:04:05Z") or a
 * duration ago ("90s", "15m", "2h", "7d").  0, or -1 when malformed.
 */
int	rpc_fmt_parse_time(const char *s, int64_t now_ms, int64_t *ms);
/*
 * "file:line: error: message" as the fields file, line and message of
 * the open map e (only message when error has no such prefix).
 */
void	rpc_fmt_error_fields(struct proto_enc *e, const char *error);
/* A failure record: id, workspace (or NULL) and the error's fields. */
void	rpc_fmt_failure(struct proto_enc *e, const char *id, const char *ws,
	    const char *error);
/*
 * An output record (generate, notify): path "" for an output kept in the
 * store only; action "written" or "would_write".
 */
void	rpc_fmt_output(struct proto_enc *e, const char *id, const char *ws,
	    const char *path, const char *hash, const char *action,
	    bool drifted);
/* Does id name out (the id itself, its config's, or "<id>/...")? */
bool	rpc_fmt_id_match(const char *id, const char *out);
/* Key f and the JSON text as msgpack; nothing when text is NULL or bad. */
void	rpc_fmt_json(struct proto_enc *e, enum proto_field f,
	    const char *text);
/* A store failure answered as such; frees cause. */
void	rpc_fmt_store_error(struct rpc_req *req, char *cause);

/* ---- the handlers ------------------------------------------------------- */

void	rpc_status(struct rpc_req *req, void *arg);
void	rpc_health(struct rpc_req *req, void *arg);
void	rpc_generate(struct rpc_req *req, void *arg);
void	rpc_check(struct rpc_req *req, void *arg);
void	rpc_notify_method(struct rpc_req *req, void *arg);
void	rpc_wait(struct rpc_req *req, void *arg);
void	rpc_list(struct rpc_req *req, void *arg);
void	rpc_show(struct rpc_req *req, void *arg);
void	rpc_history(struct rpc_req *req, void *arg);
void	rpc_deps(struct rpc_req *req, void *arg);
void	rpc_stale(struct rpc_req *req, void *arg);
void	rpc_subscribe(struct rpc_req *req, void *arg);
void	rpc_deploy_record(struct rpc_req *req, void *arg);
void	rpc_deploy_list(struct rpc_req *req, void *arg);
void	rpc_rollback(struct rpc_req *req, void *arg);
void	rpc_migrate(struct rpc_req *req, void *arg);
void	rpc_roots(struct rpc_req *req, void *arg);
void	rpc_gc(struct rpc_req *req, void *arg);

#endif
