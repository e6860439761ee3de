/*
 * rpc_int — what the rpc_*.c files share and nothing else sees: the
 * server, connection and request structures.
 *
 * Lifetimes.  A connection that fails (peer gone, protocol violation,
 * output cap) is killed at once: its watchers stop, its descriptor closes
 * and it moves to the server's dead list.  It is freed later, from a
 * prepare watcher on the loop, never from inside a callback that might
 * still hold it; that is also where its parked requests are cancelled, so
 * cancel callbacks never run inside the daemon's own code (e.g. while it
 * walks a list of waiters to answer them).
 */
#ifndef CHORA_RPC_INT_H
#define CHORA_RPC_INT_H

#include <sys/queue.h>

#include <ev.h>

#include "buf.h"
#include "proto.h"
#include "rpc.h"

struct rpc_req {
	struct rpc_conn		*conn;
	enum proto_method	 method;
	uint32_t		 msgid;
	struct proto_msg	 msg;		/* owns params */
	struct arena		*arena;		/* lazily made */
	bool			 parked;
	bool			 cancelled;	/* inside its cancel callback */
	rpc_cancel		 cancel;
	void			*cancel_arg;
	TAILQ_ENTRY(rpc_req)	 entry;		/* conn->parked */
};

struct rpc_conn {
	struct rpc_server	*srv;
	int			 fd;
	ev_io			 rw;
	ev_io			 ww;
	uid_t			 uid;
	gid_t			 gid;
	pid_t			 pid;
	bool			 can_write;
	bool			 hello;		/* handshake done */
	bool			 dead;
	bool			 eof;		/* peer shut down its writing */
	unsigned		 busy;		/* inside the read callback */
	struct rpc_req		*current;	/* being handled, unanswered */
	struct proto_decoder	*dec;
	struct buf		 out;		/* replies not yet written */
	size_t			 outoff;	/* written part of out */
	TAILQ_HEAD(, rpc_req)	 parked;
	unsigned		 nparked;
	TAILQ_ENTRY(rpc_conn)	 entry;		/* srv->conns or srv->dead */
};

struct rpc_handler_slot {
	rpc_handler		 fn;
	void			*arg;
};

struct rpc_server {
	struct ev_loop		*loop;
	struct rpc_config	 cfg;		/* arrays and strings owned */
	int			 lfd;
	bool			 activated;	/* socket from systemd */
	ino_t			 sock_ino;	/* the socket file we made */
	char			*pidpath;	/* "<socket>.pid", locked */
	int			 pidfd;
	bool			 locked;	/* we hold pidfd's flock */
	ev_io			 accept_w;
	ev_timer		 pause_w;	/* accept paused (EMFILE) */
	ev_prepare		 reap_w;
	struct rpc_handler_slot	 handlers[PROTO_M__COUNT];
	TAILQ_HEAD(, rpc_conn)	 conns;
	TAILQ_HEAD(, rpc_conn)	 dead;
	unsigned		 nconns;
};

/* rpc_listen.c: bind (or take over) the listening socket; undo it. */
int	rpc_listen_open(struct rpc_server *s, char **cause);
void	rpc_listen_close(struct rpc_server *s);

/* rpc_conn.c: one client connection. */
void	rpc_conn_new(struct rpc_server *s, int fd, uid_t uid, gid_t gid,
	    pid_t pid, bool can_write);
/* Stop serving c (reason logged at debug level); freed on the loop. */
void	rpc_conn_kill(struct rpc_conn *c, const char *reason);
/* Free dead connections, cancelling their parked requests. */
void	rpc_conn_reap(struct rpc_server *s);
/* Bytes were appended to c->out: enforce the cap, write if possible. */
void	rpc_conn_queued(struct rpc_conn *c);
/* Answer msgid with an error (no request object needed). */
void	rpc_conn_error(struct rpc_conn *c, uint32_t msgid, int code,
	    const char *message);

/* rpc.c: act on one decoded message (takes ownership of m). */
void	rpc_dispatch(struct rpc_conn *c, struct proto_msg *m);
void	rpc_req_free(struct rpc_req *req);

#endif
