/*
 * rpc_health — does the daemon work: every root's store open for writing,
 * every watcher alive (no folder failed to be watched), the socket
 * serving (it is: this answer came through it).
 */
#include <stdbool.h>

#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_methods.h"
#include "scheduler.h"

struct health_check {
	const char	*name;
	bool		 ok;
	const char	*why;
};

void
rpc_health(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	struct health_check c[] = {
		{ "store", true, "a root's store is not open for writing" },
		{ "watcher", sched_watch_alive(d->sched), "a folder could not "
		    "be watched (see fs.inotify.max_user_watches)" },
		{ "socket", true, NULL },
	};
	const size_t n = sizeof(c) / sizeof(c[0]);
	const char *first = NULL;
	struct proto_enc e;

	if (proto_get(rpc_req_params(req), PROTO_F_ROOT) != NULL &&
	    rpc_root_of(req, d, rpc_health, false) == NULL)
		return;
	for (size_t i = 0; i < d->nprojects; i++)
		c[0].ok = c[0].ok && project_writable(d->projects[i]);
	for (size_t i = 0; i < n && first == NULL; i++)
		if (!c[i].ok)
			first = c[i].why;
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_bool(&e, PROTO_F_OK, first == NULL);
	proto_enc_kv_str_opt(&e, PROTO_F_REASON, first);
	proto_enc_key(&e, PROTO_F_CHECKS);
	proto_enc_array(&e);
	for (size_t i = 0; i < n; i++) {
		proto_enc_map(&e);
		proto_enc_kv_str(&e, PROTO_F_NAME, c[i].name);
		proto_enc_kv_bool(&e, PROTO_F_OK, c[i].ok);
		if (!c[i].ok)
			proto_enc_kv_str(&e, PROTO_F_MESSAGE, c[i].why);
		proto_enc_end(&e);
	}
	proto_enc_end(&e);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}
