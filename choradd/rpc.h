/*
 * rpc — the daemon's socket server: listening, peer checks, framing,
 * dispatch.
 *
 * The server owns the listening socket (bound at the resolved path, or
 * handed over by systemd), accepts connections on a libev loop, checks
 * each peer's uid/gid (SO_PEERCRED) against the owner and the allow
 * lists, decodes requests with proto_decoder, answers hello itself,
 * validates every other request against methods.def
 * (proto_check_request) and the peer's permission, and only then calls
 * the handler the daemon registered for the method (one rpc_<method>.c
 * each).  All I/O is non-blocking; a slow or hostile client costs only
 * its own connection.
 *
 * A handler either answers at once (rpc_reply / rpc_reply_error) or parks
 * the request (rpc_req_park) and answers later from anywhere on the loop,
 * as tmux's command queue waits.  If the client goes away first, the
 * cancel callback given to rpc_req_park runs and the request is freed:
 * the daemon drops its pointer then and never touches it again.
 *
 * Ownership: the server owns connections and requests.  A request is
 * valid from the handler call until rpc_reply*() or its cancel callback,
 * whichever comes first; both free it.
 *
 * A handler, e.g. rpc_show.c (fields by constant, never by string):
 *
 *	static void
 *	rpc_show(struct rpc_req *req, void *arg)
 *	{
 *		const msgpack_object *p = rpc_req_params(req);
 *		const char *id = proto_get_str(p, PROTO_F_ID,
 *		    rpc_req_arena(req));		(required: never NULL)
 *		struct proto_enc e;
 *
 *		if (... not found ...) {
 *			rpc_reply_errorf(req, PROTO_E_NOT_FOUND,
 *			    "show: no config or content '%s'", id);
 *			return;
 *		}
 *		proto_enc_init(&e);
 *		proto_enc_map(&e);
 *		proto_enc_kv_str(&e, PROTO_F_ID, id);
 *		proto_enc_key(&e, PROTO_F_TEXT);
 *		proto_enc_strn(&e, text, len);
 *		...
 *		proto_enc_end(&e);
 *		rpc_reply(req, &e);
 *		proto_enc_free(&e);
 *	}
 *
 *	rpc_register(server, PROTO_M_SHOW, rpc_show, daemon);
 *
 * A waiting method parks instead: rpc_req_park(req, waiter_cancel, w)
 * and keeps req in its list of waiters; at the end of the pass it calls
 * rpc_reply(req, ...) and forgets it, and waiter_cancel removes it from
 * the list if the client goes first.
 */
#ifndef CHORA_RPC_H
#define CHORA_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"

struct ev_loop;
struct arena;
struct rpc_server;
struct rpc_req;

/*
 * Server limits.  Defaults (used for a 0 in struct rpc_config):
 *
 * RPC_MAX_CONNS: open connections; the next one is accepted, logged and
 * closed at once.  Each may buffer up to PROTO_MAX_MESSAGE of input.
 *
 * RPC_MAX_OUTBUF: replies queued to one connection and not yet read by
 * the client.  Past it the client is disconnected (it is not reading),
 * so one stuck client never holds memory without bound or stalls others.
 * Twice the largest message, so one maximal reply always fits.
 *
 * RPC_MAX_PARKED: parked requests per connection (wait, notify,
 * subscribe, ...); more are answered "busy" without reaching a handler.
 */
#define RPC_MAX_CONNS	256
#define RPC_MAX_OUTBUF	(2 * (size_t)PROTO_MAX_MESSAGE)
#define RPC_MAX_PARKED	256

struct rpc_config {
	const char	*socket;	/* resolved path (proto_socket_path) */
	const char	*server;	/* name + version for hello; NULL:
					   "choradd VERSION" */
	uid_t		 owner;		/* full access; 0: the daemon's own
					   euid (uid 0 always has it) */
	bool		 has_group;	/* share the socket with group: mode
					   0660 in a 0710 directory of that
					   group; else 0600 in 0700 */
	gid_t		 group;
	/* Full access for these uids and for members of these groups. */
	const uid_t	*allow_uids;
	size_t		 nallow_uids;
	const gid_t	*allow_gids;
	size_t		 nallow_gids;
	/* Read-only access: methods without PROTO_MF_WRITE. */
	const uid_t	*read_uids;
	size_t		 nread_uids;
	const gid_t	*read_gids;
	size_t		 nread_gids;
	unsigned	 max_conns;	/* 0: RPC_MAX_CONNS */
	size_t		 max_outbuf;	/* 0: RPC_MAX_OUTBUF */
	unsigned	 max_parked;	/* 0: RPC_MAX_PARKED */
};

/*
 * A handler for one method.  params are validated; the handler must end
 * with exactly one of: rpc_reply*(), or rpc_req_park() (and a reply or
 * cancel later).  Returning with neither is a bug, answered "internal".
 */
typedef void	(*rpc_handler)(struct rpc_req *req, void *arg);
/* Called when a parked request's connection died or the server stops. */
typedef void	(*rpc_cancel)(struct rpc_req *req, void *arg);

/*
 * Listen on cfg->socket, or on the socket systemd passed (LISTEN_FDS),
 * serving on loop.  cfg is copied (arrays too); a zeroed config with a
 * socket path is a sound default.  When binding: the directory is
 * created 0700 (0710 with a group), a socket left by a dead
 * daemon is replaced and a live one refused ("another choradd is serving
 * PATH"); "PATH.pid" is held locked (flock) while the server runs.
 * Returns the server, or NULL with *cause (allocated).
 */
struct rpc_server *rpc_server_new(struct ev_loop *loop,
		    const struct rpc_config *cfg, char **cause);
/*
 * Stop: parked requests are answered "cancelled" (best effort) and their
 * cancel callbacks run, connections close, the socket file and the pid
 * lock are removed (not for a systemd socket).
 */
void		 rpc_server_free(struct rpc_server *s);
/* Install the handler for m (replacing any).  hello is built in. */
void		 rpc_register(struct rpc_server *s, enum proto_method m,
		    rpc_handler fn, void *arg);
/* Whether the socket came from systemd; the path served. */
bool		 rpc_server_activated(const struct rpc_server *s);
const char	*rpc_server_socket(const struct rpc_server *s);
unsigned	 rpc_server_connections(const struct rpc_server *s);

/* ---- the request a handler gets ---------------------------------------- */

enum proto_method rpc_req_method(const struct rpc_req *req);
uint32_t	 rpc_req_msgid(const struct rpc_req *req);
/* The validated params map (owned by req). */
const msgpack_object *rpc_req_params(const struct rpc_req *req);
uid_t		 rpc_req_uid(const struct rpc_req *req);
gid_t		 rpc_req_gid(const struct rpc_req *req);
pid_t		 rpc_req_pid(const struct rpc_req *req);
/* Whether the peer has full access (may call writes). */
bool		 rpc_req_can_write(const struct rpc_req *req);
/* Per-request memory, freed with the request (e.g. for proto_get_str). */
struct arena	*rpc_req_arena(struct rpc_req *req);

/*
 * Park: the handler returns without answering; the daemon keeps req and
 * answers it later.  cancel (required) runs if the connection dies or the
 * server stops first; req is freed right after it returns.
 */
void		 rpc_req_park(struct rpc_req *req, rpc_cancel cancel,
		    void *arg);

/*
 * Take a parked request back, as if it had just arrived: the caller
 * answers it or parks it again (e.g. after waiting for a new root's first
 * pass, the handler runs again).  Its cancel callback is forgotten.
 */
void		 rpc_req_resume(struct rpc_req *req);

/*
 * Answer and free req.  result holds one value (normally a map built
 * with proto_enc), or is NULL for {}; the caller keeps and frees it.  A
 * result larger than PROTO_MAX_MESSAGE is replaced by a too_large error.
 * Answering a request whose client has gone just frees it.
 */
void		 rpc_reply(struct rpc_req *req, const struct proto_enc *result);
/* Answer with an error; file (or NULL) and line (or 0) locate it. */
void		 rpc_reply_error(struct rpc_req *req, enum proto_error code,
		    const char *message, const char *file, unsigned line);
void		 rpc_reply_errorf(struct rpc_req *req, enum proto_error code,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Push a notification on a parked STREAM request's connection, tagged
 * with its msgid ("stream").  params: a map, or NULL.  Returns 0, or -1
 * when the connection is gone or over its output cap (it is being
 * closed; the cancel callback follows).
 */
int		 rpc_notify(struct rpc_req *req, enum proto_notify n,
		    const struct proto_enc *params);

#endif
