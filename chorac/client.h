/*
 * client — chorac's side of the socket: find the daemon (starting it if
 * none answers), say hello, make calls, receive notifications.
 *
 * Calls are synchronous: client_call() sends one request and returns its
 * response, handing any notifications that arrive first (a subscribe
 * stream, progress) to a callback.  Every failure is described by a
 * struct client_error whose status says which exit path applies
 * (client_exit_code()).
 *
 * Starting the daemon: when nothing answers at the socket and spawning is
 * allowed, the client takes "<socket>.lock" (flock), checks again, and
 * only then starts `choradd --foreground --socket SOCKET` detached (its
 * own session, stdin from /dev/null, output appended to "<socket>.log"),
 * polling until it answers or the deadline passes.  Concurrent clients
 * queue on the lock, so one socket never gets two daemons.
 */
#ifndef CHORAC_CLIENT_H
#define CHORAC_CLIENT_H

#include <stdbool.h>

#include "proto.h"

struct client;

/* How long to wait for a spawned daemon to answer, by default. */
#define CLIENT_SPAWN_TIMEOUT_MS	5000
/* The most hello may take, whatever the call timeout: a daemon that
 * accepts but never answers must not hang every chorac. */
#define CLIENT_HELLO_TIMEOUT_MS	10000

enum client_status {
	CLIENT_OK = 0,
	CLIENT_UNREACHABLE,	/* no daemon answers, none could be started */
	CLIENT_PROTOCOL,	/* it hung up or answered nonsense */
	CLIENT_TIMEOUT,		/* no answer within the call's timeout */
	CLIENT_REMOTE,		/* it answered with an error */
};

struct client_error {
	enum client_status	 status;
	int			 code;		/* REMOTE: PROTO_E_* */
	char			*message;	/* allocated */
	char			*file;		/* REMOTE: allocated or NULL */
	unsigned		 line;
};

void	client_error_clear(struct client_error *err);
/* The chorac exit code (cmd.h CMD_EXIT_*) for a failure. */
int	client_exit_code(const struct client_error *err);

struct client_opts {
	const char	*socket;	/* NULL: proto_socket_path() default */
	bool		 no_spawn;
	const char	*choradd;	/* NULL: next to chorac, else $PATH */
	unsigned	 timeout_ms;	/* per call; 0: wait forever */
	unsigned	 spawn_timeout_ms;	/* 0: CLIENT_SPAWN_TIMEOUT_MS */
	const char	*name;		/* sent in hello; NULL: "chorac VER" */
	/* Send hello without waiting: its answer is read (and a failure
	 * reported) by the first client_call, one round trip fewer. */
	bool		 pipeline_hello;
};

/*
 * Connect to the daemon (starting it if allowed), and say hello.
 * Returns the client (client_close() frees it), or NULL with *err set.
 */
struct client	*client_open(const struct client_opts *o,
		    struct client_error *err);
void		 client_close(struct client *c);
/* The socket path in use. */
const char	*client_socket(const struct client *c);
/* Change the per-call timeout (0: none), e.g. for a stream. */
void		 client_set_timeout(struct client *c, unsigned timeout_ms);

/* The result of a call: a map (or other value) owned by msg. */
struct client_reply {
	struct proto_msg	 msg;
	const msgpack_object	*result;
};

void	client_reply_free(struct client_reply *r);

/* Receives each notification that arrives while a call waits. */
typedef void	(*client_notify_fn)(const struct proto_notify_def *n,
		    const msgpack_object *params, void *arg);

/*
 * Call method m with params (one map, or NULL for {}).  Returns 0 with
 * *r filled, or -1 with *err set.  After a PROTOCOL or TIMEOUT failure
 * the connection is unusable and later calls fail at once.
 */
int	client_call(struct client *c, enum proto_method m,
	    const struct proto_enc *params, client_notify_fn fn, void *arg,
	    struct client_reply *r, struct client_error *err);

#endif
