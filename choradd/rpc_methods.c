/*
 * rpc_methods — see rpc_methods.h: the table of the handlers written.
 */
#include "rpc_methods.h"

#include "proto.h"
#include "rpc.h"

static const struct {
	enum proto_method	 m;
	rpc_handler		 fn;
} rpc_methods[] = {
	{ PROTO_M_STATUS, rpc_status },
	{ PROTO_M_HEALTH, rpc_health },
	{ PROTO_M_WAIT, rpc_wait },
};

void
rpc_methods_register(struct rpc_server *s, struct rpc_daemon *d)
{
	for (size_t i = 0; i < sizeof(rpc_methods) / sizeof(rpc_methods[0]);
	    i++)
		rpc_register(s, rpc_methods[i].m, rpc_methods[i].fn, d);
}
