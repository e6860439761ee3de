/*
 * testd — see testd.h.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "testd.h"

/* Generous hang guards, never timing assertions. */
#define READY_TIMEOUT_MS	10000
#define RECV_TIMEOUT_MS		20000

char	testd_dir[64];
char	testd_sock[128];
char	testd_log[128];
pid_t	testd_pid = -1;

void
testd_setup(void)
{
	strcpy(testd_dir, "/tmp/chora-rpc-XXXXXX");
	cr_assert_not_null(mkdtemp(testd_dir));
	snprintf(testd_sock, sizeof(testd_sock), "%s/run/choradd.sock",
	    testd_dir);
	snprintf(testd_log, sizeof(testd_log), "%s/testd.log", testd_dir);
	testd_pid = -1;
	signal(SIGPIPE, SIG_IGN);
}

void
testd_teardown(void)
{
	char cmd[128];

	if (testd_pid > 0) {
		kill(testd_pid, SIGKILL);
		waitpid(testd_pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", testd_dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", testd_dir);
}

static pid_t
testd_spawn(const char *const *extra)
{
	const char *argv[32] = { RPC_TESTD, "--socket", testd_sock };
	size_t n = 3;
	pid_t pid;
	int fd;

	for (; extra != NULL && *extra != NULL && n < 31; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		fd = open(testd_log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd == -1 || dup2(fd, 2) == -1)
			_exit(126);
		execv(RPC_TESTD, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static int64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *
log_text(void)
{
	char *text = NULL;
	size_t len;

	if (fileio_read(testd_log, &text, &len) == -1)
		return strdup("(no log)");
	return text;
}

void
testd_wait_ready(pid_t pid)
{
	int64_t deadline = ms_now() + READY_TIMEOUT_MS;
	struct rconn c;
	int status;

	while (rconn_open(&c) == -1) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			testd_pid = -1;
			cr_assert_fail("rpc_testd exited early (status %d): %s",
			    status, log_text());
		}
		cr_assert_lt(ms_now(), deadline, "rpc_testd never answered");
		usleep(5000);
	}
	rconn_close(&c);
}

void
testd_start(const char *const *extra)
{
	testd_pid = testd_spawn(extra);
	testd_wait_ready(testd_pid);
}

int
testd_start_fail(const char *const *extra)
{
	pid_t pid = testd_spawn(extra);
	int status;

	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "killed by a signal: %s", log_text());
	return WEXITSTATUS(status);
}

void
testd_stop(void)
{
	int status;

	cr_assert_gt(testd_pid, 0);
	cr_assert_eq(kill(testd_pid, SIGTERM), 0);
	cr_assert_eq(waitpid(testd_pid, &status, 0), testd_pid);
	testd_pid = -1;
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "rpc_testd did not exit cleanly (status 0x%x): %s", status,
	    log_text());
}

bool
testd_logged(const char *s)
{
	char *text = log_text();
	bool found = strstr(text, s) != NULL;

	free(text);
	return found;
}

int
rconn_open(struct rconn *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int saved;

	memset(c, 0, sizeof(*c));
	strcpy(sun.sun_path, testd_sock);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		close(c->fd);
		errno = saved;
		return -1;
	}
	c->dec = proto_decoder_new(0);
	c->next_id = 1;
	return 0;
}

void
rconn_close(struct rconn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	proto_decoder_free(c->dec);
	c->dec = NULL;
}

bool
rconn_send(struct rconn *c, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		w = send(c->fd, s, n, MSG_NOSIGNAL);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

uint32_t
rconn_request(struct rconn *c, enum proto_method m,
    const struct proto_enc *params)
{
	struct buf b = BUF_INIT;
	uint32_t id = c->next_id++;

	proto_pack_request(&b, id, m, params);
	cr_assert(rconn_send(c, b.data, b.len), "send: %s", strerror(errno));
	buf_free(&b);
	return id;
}

int
rconn_recv(struct rconn *c, struct proto_msg *m)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	char *cause = NULL, *space;
	ssize_t n;
	int r;

	while ((r = proto_decoder_next(c->dec, m, &cause)) == 0) {
		cr_assert_eq(poll(&p, 1, RECV_TIMEOUT_MS), 1,
		    "no message from rpc_testd (hang guard)");
		space = proto_decoder_space(c->dec, PROTO_READ_CHUNK);
		n = read(c->fd, space, PROTO_READ_CHUNK);
		if (n == 0 || (n == -1 && errno == ECONNRESET))
			return 0;
		cr_assert_gt(n, 0, "read: %s", strerror(errno));
		proto_decoder_fill(c->dec, (size_t)n);
	}
	cr_assert_eq(r, 1, "bad data from rpc_testd: %s", cause);
	return 1;
}

void
rconn_call(struct rconn *c, enum proto_method m,
    const struct proto_enc *params, struct proto_msg *resp)
{
	uint32_t id = rconn_request(c, m, params);

	for (;;) {
		cr_assert_eq(rconn_recv(c, resp), 1, "connection closed");
		if (resp->type == PROTO_MSG_RESPONSE)
			break;
		proto_msg_free(resp);
	}
	cr_assert_eq(resp->msgid, id);
}

void
rconn_hello(struct rconn *c)
{
	struct proto_enc e;
	struct proto_msg m;
	char *msg = NULL;

	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_uint(&e, PROTO_F_VERSION, PROTO_VERSION);
	proto_enc_end(&e);
	rconn_call(c, PROTO_M_HELLO, &e, &m);
	cr_assert_eq(rconn_error(&m, &msg), 0, "hello: %s", msg);
	cr_assert_eq(proto_get_uint(m.result, PROTO_F_VERSION, 0),
	    PROTO_VERSION);
	proto_msg_free(&m);
	proto_enc_free(&e);
}

int
rconn_error(const struct proto_msg *resp, char **msg)
{
	struct proto_err e;

	*msg = NULL;
	if (resp->error == NULL)
		return 0;
	proto_err_parse(resp->error, &e);
	*msg = e.message;
	free(e.file);
	return e.code;
}
