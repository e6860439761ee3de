/*
 * project_int — what the project module's files share (project.c,
 * project_plan.c, project_apply.c, project_legacy.c); nothing outside
 * choradd/project*.c includes it.
 */
#ifndef CHORA_PROJECT_INT_H
#define CHORA_PROJECT_INT_H

#include "buf.h"
#include "data.h"
#include "graph.h"
#include "loader.h"
#include "project.h"
#include "store.h"
#include "storeq.h"
#include "strmap.h"
#include "strpool.h"

/*
 * The page cache of the loop's read-only store (KiB): the file is mapped,
 * so a read finds its pages in the mapping; the cache only saves decoding
 * them again.
 */
#define PROJECT_READ_CACHE_KIB	1024

/* Cookie files (wait, tests) are changes the daemon reports done. */
#define COOKIE_PREFIX	".chora-cookie-"

/* Per config (parallel to root->configs). */
struct cstate {
	struct config	*cfg;
	int		 level;		/* -1: not generated (errors) */
	struct dataset	*ds;
	char		*data_error;
	tmpl_data	*json;
	struct gen_ctx	*gx;		/* [nws] */
	struct unit	***by_elem;	/* [nws][nelems] with foreach */
	size_t		 nelems;
	bool		 expand;	/* match all items to units again */
	bool		 is_part;	/* an artifact's part: texts kept */
	size_t		*todo;		/* item indices to render */
	size_t		 ntodo;
};

/* The outputs one workspace recorded in this pass, for its event. */
struct passlog {
	struct buf	 ids;		/* a JSON array's items, comma-separated */
	size_t		 n;
};

struct envslot {
	struct tmpl_options	 opt;
	tmpl_env		*env;
};

struct project {
	char		*path;
	bool		 check;
	struct root	*root;
	struct store	*store;		/* the writer's, once wq runs */
	struct storeq	*wq;		/* the writer thread, NULL --check */
	struct store	*rstore;	/* the loop's reads */
	struct loader	*loader;
	struct envslot	*envs;
	size_t		 nenvs;
	tmpl_data	**vars;		/* [nws] */
	char		**wsnames;	/* [nws + 1], pointing into root */
	struct cstate	*cs;
	size_t		 ncs;
	size_t		 nlevels;
	char		**errors;	/* config errors */
	size_t		 nerrors;
	struct strmap	*units;		/* ws \x1f id -> unit */
	struct strpool	*strs;		/* the units' dependency strings */
	struct strmap	*by_output;	/* path -> unit */
	struct strmap	*inputs;	/* path -> what it is (gen_ctx) */
	struct graph	*graph;
	struct strmap	*dirty;		/* paths pending */
	bool		 rescan;
	bool		 reload;
	bool		 recheck;
	struct unit	**touched;	/* units with pass flags set */
	size_t		 ntouched;
	size_t		 nfailed;	/* units in each problem state */
	size_t		 ndrifted;
	size_t		 nclashes;	/* units sharing an output path */
	bool		 clash_check;	/* a unit took another's path */
	char		**cookies;
	size_t		 ncookies;
	struct strmap	*on_change;	/* config id -> config */
	struct passlog	*passlog;	/* [nws] once a pass records one */
	struct project_problem *problems;	/* check mode findings */
	size_t		 nproblems;
	struct project_stats st;
	project_report_fn report_fn;	/* the listener, or NULL */
	void		*report_arg;
};

/* Helpers of project.c used by the other files (see each definition). */
void	project_check_clashes(struct project *p);
void	project_remove_unit(struct project *p, struct unit *u);
void	project_remap_workspaces(struct project *p, const struct root *nr);
void	project_flag(struct project *p, struct unit *u);
void	project_set_state(struct project *p, struct unit *u,
	    enum unit_state st);
char	*project_unit_key(size_t ws, const char *id);
struct unit	*project_unit_get(struct project *p, size_t ws,
		    const char *id);
struct unit	*project_unit_new(struct project *p, size_t ws,
	    const char *id, const char *cfgid);
void	project_unit_set_deps(struct project *p, struct unit *u,
	    struct gen_dep *deps, size_t n);
void	project_unit_set_output(struct project *p, struct unit *u,
	    const char *output);
void	project_unit_graph(struct project *p, struct unit *u,
	    const struct config *c);
void	project_unit_drop(struct project *p, struct unit *u);
void	project_add_error(struct project *p, char *msg);
struct cstate	*project_cstate(struct project *p, const char *cfgid);
void	project_event(struct project *p, enum store_event_kind kind,
	    size_t ws, const char *subject, const char *details);
void	project_keep_drift(struct project *p, struct unit *u,
	    const char *text, size_t len);
char	*project_json_str(const char *s);
void	project_report(struct project *p, const struct project_report *r);
void	project_mark_unit(void *arg, void *node);
void	project_setup_configs(struct project *p);
void	project_teardown_configs(struct project *p);
void	project_record_configs(struct project *p);
void	project_import_legacy(struct project *p);

#endif
