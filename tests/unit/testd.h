/*
 * testd — helpers for tests that run rpc_testd: a private temporary
 * directory and socket, starting and stopping the server (stopping
 * asserts that it exits 0: it never crashed), and a raw msgpack-rpc
 * connection that reads with a generous hang guard.
 */
#ifndef CHORA_TESTD_H
#define CHORA_TESTD_H

#include <stdbool.h>
#include <sys/types.h>

#include "proto.h"

extern char	testd_dir[];		/* the private directory */
extern char	testd_sock[];		/* <dir>/run/choradd.sock */
extern char	testd_log[];		/* rpc_testd's stderr */
extern pid_t	testd_pid;

/* Fixture: make the directory / kill leftovers and remove it. */
void	testd_setup(void);
void	testd_teardown(void);

/* Start rpc_testd on testd_sock with extra options (NULL-terminated). */
void	testd_start(const char *const *extra);
/* Start one that is expected to fail; returns its exit status. */
int	testd_start_fail(const char *const *extra);
/* SIGTERM it and assert a clean exit 0. */
void	testd_stop(void);
/* Wait until the socket answers connect (or the process exits). */
void	testd_wait_ready(pid_t pid);
/* Does testd_log contain s? */
bool	testd_logged(const char *s);

struct rconn {
	int			 fd;
	struct proto_decoder	*dec;
	uint32_t		 next_id;
};

/* Connect to testd_sock (blocking); -1 on failure (errno set). */
int	rconn_open(struct rconn *c);
void	rconn_close(struct rconn *c);
/* Send raw bytes; false if the peer is gone. */
bool	rconn_send(struct rconn *c, const void *p, size_t n);
/* Send a request; returns its msgid. */
uint32_t rconn_request(struct rconn *c, enum proto_method m,
	    const struct proto_enc *params);
/* The next message: 1, or 0 on end of connection (EOF or reset). */
int	rconn_recv(struct rconn *c, struct proto_msg *m);
/* Request and its response (notifications before it skipped). */
void	rconn_call(struct rconn *c, enum proto_method m,
	    const struct proto_enc *params, struct proto_msg *resp);
/* hello with our version; asserts success. */
void	rconn_hello(struct rconn *c);
/* A response's error code, 0 when it succeeded; *msg (allocated). */
int	rconn_error(const struct proto_msg *resp, char **msg);

#endif
