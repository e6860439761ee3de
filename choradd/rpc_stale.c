/*
 * rpc_stale — what is stale now and why: changes the daemon has not
 * processed yet, outputs failing or edited by hand, and outputs whose
 * inputs differ from those they were generated from (including on_demand
 * and immutable ones, which only generate updates).  From the project's
 * memory (project_stale), never a render.
 */
#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_methods.h"

static void
stale_one(void *arg, const struct unit *u, const char *ws, const char *why,
    const char *input)
{
	struct proto_enc *e = arg;

	proto_enc_map(e);
	proto_enc_kv_str(e, PROTO_F_ID, u->id);
	proto_enc_kv_str(e, PROTO_F_WORKSPACE, ws);
	proto_enc_kv_str_opt(e, PROTO_F_PATH, u->output);
	proto_enc_kv_str(e, PROTO_F_REASON, why);
	if (input != NULL) {
		proto_enc_key(e, PROTO_F_CHANGED);
		proto_enc_strs(e, &input, 1);
	}
	proto_enc_end(e);
}

void
rpc_stale(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	struct project *p;
	const char *ws;
	struct proto_enc e;

	if ((p = rpc_root_of(req, d, rpc_stale, true)) == NULL ||
	    rpc_workspace(req, p, &ws) == -1)
		return;
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_key(&e, PROTO_F_STALE);
	proto_enc_array(&e);
	project_stale(p, ws, stale_one, &e);
	proto_enc_end(&e);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}
