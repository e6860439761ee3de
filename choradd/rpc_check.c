/*
 * rpc_check — check, and generate's dry run: render a root without
 * writing anything and say what differs.
 *
 * The live project is never disturbed: a private copy of the root is
 * opened in --check mode (the store read-only, nothing written) on a
 * background thread, its one pass run level by level on that thread, and
 * what each output came to is collected through the copy's report
 * listener.  The answer is built back on the loop.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "gen.h"
#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_bg.h"
#include "rpc_methods.h"
#include "xmalloc.h"

struct crec {
	enum project_report_kind kind;
	char		*ws;
	char		*id;
	char		*output;
	char		*hash;
	char		*error;
	bool		 drifted;
	bool		 missing;
	char		*finding;
};

struct check_job {
	struct rpc_bg_job bj;
	struct rpc_req	*req;		/* NULL once the client went */
	bool		 dry_run;	/* generate's, else check's answer */
	char		*root;
	char		**ids;		/* NULL: every output */
	size_t		 nids;
	char		*ws;		/* NULL: every workspace */
	/* results, written by the thread */
	char		*cause;		/* the copy could not be opened */
	struct crec	*v;
	size_t		 n;
	char		**errors;	/* config and data errors */
	char		**error_ids;
	size_t		 nerrors;
};

static char *
copy(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Is the output id of workspace ws one the job asked about? */
static bool
wanted(const struct check_job *j, const char *ws, const char *id)
{
	if (j->ws != NULL && (ws == NULL || strcmp(j->ws, ws) != 0))
		return false;
	if (j->ids == NULL)
		return true;
	for (size_t i = 0; i < j->nids; i++)
		if (rpc_fmt_id_match(j->ids[i], id))
			return true;
	return false;
}

static void
check_report(void *arg, struct project *p, const struct project_report *r)
{
	struct check_job *j = arg;
	struct crec *x;

	(void)p;
	if ((r->kind != PROJECT_GENERATED && r->kind != PROJECT_UNCHANGED &&
	    r->kind != PROJECT_FAILED) || !wanted(j, r->workspace, r->id))
		return;
	j->v = xreallocarray(j->v, j->n + 1, sizeof(*j->v));
	x = &j->v[j->n++];
	x->kind = r->kind;
	x->ws = copy(r->workspace);
	x->id = copy(r->id);
	x->output = copy(r->output);
	x->hash = copy(r->hash);
	x->error = copy(r->error);
	x->drifted = r->drifted;
	x->missing = r->missing;
	x->finding = copy(r->finding);
}

/* Config and data errors: problems no output reported. */
static void
check_errors(struct check_job *j, struct project *p)
{
	size_t n;
	struct project_problem *pr = project_problems(p, &n);

	for (size_t k = 0; k < n; k++) {
		bool config = strcmp(pr[k].what, "config") == 0, seen = false;
		if (!config && strcmp(pr[k].what, "failed") != 0)
			continue;
		if (config ? j->ids != NULL : !wanted(j, j->ws, pr[k].id))
			continue;
		for (size_t i = 0; i < j->n && !seen; i++)
			seen = rpc_fmt_id_match(pr[k].id, j->v[i].id);
		if (seen)
			continue;
		j->errors = xreallocarray(j->errors, j->nerrors + 1,
		    sizeof(char *));
		j->error_ids = xreallocarray(j->error_ids, j->nerrors + 1,
		    sizeof(char *));
		j->errors[j->nerrors] = xstrdup(pr[k].message);
		j->error_ids[j->nerrors++] = xstrdup(pr[k].id);
	}
	project_problems_free(pr, n);
}

/* The pass of the private copy, on the job's thread. */
static void
check_run(struct rpc_bg_job *bj)
{
	struct check_job *j = (struct check_job *)bj;
	struct project *p;
	char **cmds;
	size_t nlevels;

	if ((p = project_open(j->root, true, NULL, &j->cause)) == NULL)
		return;
	project_on_report(p, check_report, j);
	nlevels = project_plan(p);
	for (size_t l = 0; l < nlevels && !rpc_bg_stopping(bj); l++) {
		size_t n;
		struct gen_task **tasks = project_level_tasks(p, l, &n);
		gen_run(tasks, n);
		gen_flush(tasks, n, false);
		project_apply(p, tasks, n);
		free(tasks);
	}
	cmds = project_pass_end(p, 0);
	for (size_t i = 0; cmds[i] != NULL; i++)
		free(cmds[i]);
	free(cmds);
	check_errors(j, p);
	project_free(p);
}

/* A config or data error as a problem record. */
static void
enc_error_problem(struct proto_enc *e, const char *id, const char *error)
{
	proto_enc_map(e);
	proto_enc_kv_str(e, PROTO_F_ID, id[0] != '\0' ? id : "(configs)");
	proto_enc_kv_str(e, PROTO_F_WORKSPACE, "");
	proto_enc_kv_str(e, PROTO_F_KIND, "failed");
	proto_enc_kv_str(e, PROTO_F_REASON, error);
	rpc_fmt_error_fields(e, error);
	proto_enc_end(e);
}

static void
enc_problem(struct proto_enc *e, const struct crec *x)
{
	char *why;

	proto_enc_map(e);
	proto_enc_kv_str(e, PROTO_F_ID, x->id);
	proto_enc_kv_str(e, PROTO_F_WORKSPACE, x->ws);
	proto_enc_kv_str_opt(e, PROTO_F_PATH, x->output);
	if (x->kind == PROJECT_FAILED) {
		proto_enc_kv_str(e, PROTO_F_KIND, "failed");
		proto_enc_kv_str(e, PROTO_F_REASON, x->error);
		rpc_fmt_error_fields(e, x->error);
		proto_enc_end(e);
		return;
	}
	if (x->finding != NULL)
		why = xstrdup(x->finding);	/* as --check words it */
	else if (x->output == NULL)
		why = xprintf("%s (kept in the store) does not match its "
		    "sources", x->id);
	else
		why = xprintf("%s %s", x->output, x->missing ? "is missing" :
		    x->drifted ? "was edited by hand" : "does not match its "
		    "sources");
	proto_enc_kv_str(e, PROTO_F_KIND, x->drifted ? "drifted" : "stale");
	proto_enc_kv_str(e, PROTO_F_REASON, why);
	free(why);
	proto_enc_end(e);
}

static void
check_answer(struct check_job *j, struct proto_enc *e)
{
	size_t bad = j->nerrors;

	for (size_t i = 0; i < j->n; i++)
		bad += j->v[i].kind != PROJECT_UNCHANGED;
	proto_enc_kv_bool(e, PROTO_F_OK, bad == 0);
	proto_enc_key(e, PROTO_F_PROBLEMS);
	proto_enc_array(e);
	for (size_t i = 0; i < j->nerrors; i++)
		enc_error_problem(e, j->error_ids[i], j->errors[i]);
	for (size_t i = 0; i < j->n; i++)
		if (j->v[i].kind != PROJECT_UNCHANGED)
			enc_problem(e, &j->v[i]);
	proto_enc_end(e);
}

static void
dry_run_answer(struct check_job *j, struct proto_enc *e)
{
	uint64_t unchanged = 0;

	proto_enc_key(e, PROTO_F_GENERATED);
	proto_enc_array(e);
	for (size_t i = 0; i < j->n; i++) {
		const struct crec *x = &j->v[i];
		unchanged += x->kind == PROJECT_UNCHANGED;
		if (x->kind == PROJECT_GENERATED)
			rpc_fmt_output(e, x->id, x->ws, x->output, x->hash,
			    "would_write", x->drifted);
	}
	proto_enc_end(e);
	proto_enc_kv_uint(e, PROTO_F_UNCHANGED, unchanged);
	proto_enc_key(e, PROTO_F_FAILED);
	proto_enc_array(e);
	for (size_t i = 0; i < j->nerrors; i++)
		rpc_fmt_failure(e, j->error_ids[i], NULL, j->errors[i]);
	for (size_t i = 0; i < j->n; i++)
		if (j->v[i].kind == PROJECT_FAILED)
			rpc_fmt_failure(e, j->v[i].id, j->v[i].ws,
			    j->v[i].error);
	proto_enc_end(e);
}

static void
check_free(struct check_job *j)
{
	for (size_t i = 0; i < j->n; i++) {
		free(j->v[i].ws);
		free(j->v[i].id);
		free(j->v[i].output);
		free(j->v[i].hash);
		free(j->v[i].error);
		free(j->v[i].finding);
	}
	free(j->v);
	for (size_t i = 0; i < j->nerrors; i++) {
		free(j->errors[i]);
		free(j->error_ids[i]);
	}
	free(j->errors);
	free(j->error_ids);
	for (size_t i = 0; i < j->nids; i++)
		free(j->ids[i]);
	free(j->ids);
	free(j->ws);
	free(j->root);
	free(j->cause);
	free(j);
}

/* Back on the loop: answer, unless the client went. */
static void
check_done(struct rpc_bg_job *bj)
{
	struct check_job *j = (struct check_job *)bj;
	struct proto_enc e;

	if (j->req == NULL)
		;
	else if (!bj->ran || rpc_bg_stopping(bj))
		rpc_reply_error(j->req, PROTO_E_CANCELLED, "the daemon is "
		    "stopping", NULL, 0);
	else if (j->cause != NULL)
		rpc_reply_errorf(j->req, PROTO_E_FAILED, "%s", j->cause);
	else {
		proto_enc_init(&e);
		proto_enc_map(&e);
		if (j->dry_run)
			dry_run_answer(j, &e);
		else
			check_answer(j, &e);
		proto_enc_end(&e);
		rpc_reply(j->req, &e);
		proto_enc_free(&e);
	}
	check_free(j);
}

static void
check_cancel(struct rpc_req *req, void *arg)
{
	struct check_job *j = arg;

	(void)req;
	j->req = NULL;
}

void
rpc_check_start(struct rpc_daemon *d, struct rpc_req *req,
    const struct project *p, const char *const *ids, size_t nids,
    const char *ws, bool dry_run)
{
	struct check_job *j = xcalloc(1, sizeof(*j));

	j->bj.run = check_run;
	j->bj.done = check_done;
	j->req = req;
	j->dry_run = dry_run;
	j->root = xstrdup(project_path(p));
	j->ws = copy(ws);
	if (ids != NULL) {
		j->ids = xcalloc(nids + 1, sizeof(char *));
		for (size_t i = 0; i < nids; i++)
			j->ids[i] = xstrdup(ids[i]);
		j->nids = nids;
	}
	rpc_req_park(req, check_cancel, j);
	rpc_bg_submit(d->bg, &j->bj);
}

void
rpc_check(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	struct project *p;
	const char **ids, *ws;
	size_t n;

	if ((p = rpc_root_of(req, d, rpc_check, true)) == NULL ||
	    rpc_ids(req, p, &ids, &n) == -1 || rpc_workspace(req, p, &ws) == -1)
		return;
	rpc_check_start(d, req, p, ids, n, ws, false);
}
