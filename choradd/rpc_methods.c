/*
 * rpc_methods — see rpc_methods.h: the table of handlers and the life of
 * what they share.
 */
#include "rpc_methods.h"

#include <stdlib.h>
#include <time.h>

#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_bg.h"
#include "rpc_feed.h"

static const struct {
	enum proto_method	 m;
	rpc_handler		 fn;
} rpc_methods[] = {
	{ PROTO_M_STATUS, rpc_status },
	{ PROTO_M_HEALTH, rpc_health },
	{ PROTO_M_GENERATE, rpc_generate },
	{ PROTO_M_CHECK, rpc_check },
	{ PROTO_M_NOTIFY, rpc_notify_method },
	{ PROTO_M_WAIT, rpc_wait },
	{ PROTO_M_LIST, rpc_list },
	{ PROTO_M_SHOW, rpc_show },
	{ PROTO_M_HISTORY, rpc_history },
	{ PROTO_M_DEPS, rpc_deps },
	{ PROTO_M_STALE, rpc_stale },
	{ PROTO_M_SUBSCRIBE, rpc_subscribe },
	{ PROTO_M_DEPLOY_RECORD, rpc_deploy_record },
	{ PROTO_M_DEPLOY_LIST, rpc_deploy_list },
	{ PROTO_M_ROLLBACK, rpc_rollback },
	{ PROTO_M_MIGRATE, rpc_migrate },
	{ PROTO_M_ROOTS, rpc_roots },
	{ PROTO_M_GC, rpc_gc },
};

void
rpc_daemon_init(struct rpc_daemon *d, struct ev_loop *loop,
    struct sched *sched, bool check, bool watch)
{
	d->loop = loop;
	d->sched = sched;
	d->check = check;
	d->watch = watch;
	d->started = time(NULL);
	d->feed = rpc_feed_new(d);
	d->bg = rpc_bg_new(loop);
}

void
rpc_methods_register(struct rpc_server *s, struct rpc_daemon *d)
{
	d->server = s;
	for (size_t i = 0; i < sizeof(rpc_methods) / sizeof(rpc_methods[0]);
	    i++)
		rpc_register(s, rpc_methods[i].m, rpc_methods[i].fn, d);
}

void
rpc_daemon_stop(struct rpc_daemon *d)
{
	rpc_bg_free(d->bg);
	d->bg = NULL;
	rpc_feed_free(d->feed);
	d->feed = NULL;
	for (size_t i = 0; i < d->nprojects; i++)
		project_on_report(d->projects[i], NULL, NULL);
}

void
rpc_daemon_free(struct rpc_daemon *d)
{
	rpc_daemon_stop(d);
	for (size_t i = 0; i < d->nprojects; i++)
		project_free(d->projects[i]);
	free(d->projects);
	d->projects = NULL;
	d->nprojects = 0;
}
