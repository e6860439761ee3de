/*
 * rpc_status — the daemon and every root it serves, from counters kept
 * up to date as passes go: no store query, no file access, so the answer
 * is instant even in the middle of a 10,000-output pass.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_methods.h"
#include "scheduler.h"

static void
iso_time(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
root_info(struct proto_enc *e, struct rpc_daemon *d, struct project *p)
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
	    "generating" : "ready");
	proto_enc_kv_uint(e, PROTO_F_CONFIGS, st.configs);
	proto_enc_kv_uint(e, PROTO_F_OUTPUTS, st.outputs);
	proto_enc_kv_uint(e, PROTO_F_STALE, st.stale);
	proto_enc_kv_uint(e, PROTO_F_FAILED, st.failed);
	proto_enc_kv_uint(e, PROTO_F_DRIFTED, st.drifted);
	if (st.last_pass_at != 0) {
		iso_time(st.last_pass_at, when);
		proto_enc_kv_str(e, PROTO_F_LAST_GENERATION, when);
	}
	proto_enc_kv_uint(e, PROTO_F_WATCHED_DIRS,
	    sched_project_dirs(d->sched, p));
	proto_enc_key(e, PROTO_F_WORKSPACES);
	proto_enc_strs(e, ws, nws);
	proto_enc_end(e);
}

void
rpc_status(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	struct proto_enc e;

	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_SERVER, "choradd " CHORA_VERSION);
	proto_enc_kv_uint(&e, PROTO_F_PID, (uint64_t)getpid());
	proto_enc_kv_uint(&e, PROTO_F_UPTIME, (uint64_t)(time(NULL) -
	    d->started));
	proto_enc_kv_uint(&e, PROTO_F_CONNECTIONS,
	    rpc_server_connections(d->server));
	proto_enc_key(&e, PROTO_F_ROOTS);
	proto_enc_array(&e);
	for (size_t i = 0; i < d->nprojects; i++)
		root_info(&e, d, d->projects[i]);
	proto_enc_end(&e);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}
