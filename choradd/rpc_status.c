/*
 * rpc_status — the daemon and every root it serves, from counters kept
 * up to date as passes go: no store query, no file access, so the answer
 * is instant even in the middle of a 10,000-output pass.
 */
#include <time.h>
#include <unistd.h>

#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_methods.h"
#include "scheduler.h"

static void
status_root(struct proto_enc *e, struct rpc_daemon *d, struct project *p)
{
	struct project_stats st;
	const char *const *ws;
	size_t nws;
	char when[32];

	project_stats(p, &st);
	ws = project_workspaces(p, &nws);
	proto_enc_map(e);
	proto_enc_kv_str(e, PROTO_F_ROOT, project_path(p));
	proto_enc_kv_str(e, PROTO_F_STATE, sched_running(d->sched) == p ?
	    "generating" : st.passes == 0 ? "scanning" : "ready");
	proto_enc_kv_uint(e, PROTO_F_CONFIGS, st.configs);
	proto_enc_kv_uint(e, PROTO_F_OUTPUTS, st.outputs);
	proto_enc_kv_uint(e, PROTO_F_STALE, st.stale);
	proto_enc_kv_uint(e, PROTO_F_FAILED, st.failed);
	proto_enc_kv_uint(e, PROTO_F_DRIFTED, st.drifted);
	if (st.last_pass_at != 0) {
		rpc_fmt_time(st.last_pass_at, when);
		proto_enc_kv_str(e, PROTO_F_LAST_GENERATION, when);
	}
	proto_enc_kv_uint(e, PROTO_F_WATCHED_DIRS,
	    sched_project_dirs(d->sched, p));
	proto_enc_key(e, PROTO_F_WORKSPACES);
	proto_enc_strs(e, ws, nws);
	proto_enc_end(e);
}

void
rpc_status_roots(struct proto_enc *e, struct rpc_daemon *d)
{
	proto_enc_key(e, PROTO_F_ROOTS);
	proto_enc_array(e);
	for (size_t i = 0; i < d->nprojects; i++)
		status_root(e, d, d->projects[i]);
	proto_enc_end(e);
}

void
rpc_status(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	struct proto_enc e;

	/* A root named for the first time is added; status never waits. */
	if (proto_get(rpc_req_params(req), PROTO_F_ROOT) != NULL &&
	    rpc_root_of(req, d, rpc_status, false) == NULL)
		return;
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_SERVER, "choradd " CHORA_VERSION);
	proto_enc_kv_uint(&e, PROTO_F_PID, (uint64_t)getpid());
	proto_enc_kv_uint(&e, PROTO_F_UPTIME, (uint64_t)(time(NULL) -
	    d->started));
	proto_enc_kv_uint(&e, PROTO_F_CONNECTIONS,
	    rpc_server_connections(d->server));
	rpc_status_roots(&e, d);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}
