/*
 * client — connecting to choradd, starting it when needed, and
 * synchronous calls over the socket (see client.h).
 *
 * I/O is non-blocking with poll(2), so every wait has a deadline: a call
 * with a timeout, the spawn lock, a daemon that is slow to come up.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "cmd.h"
#include "fileio.h"
#include "log.h"
#include "path.h"
#include "xmalloc.h"

struct client {
	int			 fd;
	char			*socket;
	uint32_t		 msgid;
	unsigned		 timeout_ms;
	bool			 broken;
	bool			 hangup;	/* the daemon closed on us */
	uint32_t		 hello_id;	/* pipelined hello, unanswered */
	struct proto_decoder	*dec;
};

/* ---- errors ------------------------------------------------------------- */

static void
client_fail(struct client_error *err, enum client_status st, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
client_fail(struct client_error *err, enum client_status st, const char *fmt,
    ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	err->status = st;
	va_start(ap, fmt);
	xvasprintf(&err->message, fmt, ap);
	va_end(ap);
}

void
client_error_clear(struct client_error *err)
{
	free(err->message);
	free(err->file);
	memset(err, 0, sizeof(*err));
}

int
client_exit_code(const struct client_error *err)
{
	static const struct {
		int	code;
		int	exit;
	} remote[] = {
		{ PROTO_E_PARAMS, CMD_EXIT_USAGE },
		{ PROTO_E_NO_ROOT, CMD_EXIT_NOROOT },
	};

	switch (err->status) {
	case CLIENT_OK:
		return CMD_EXIT_OK;
	case CLIENT_REMOTE:
		for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
			if (remote[i].code == err->code)
				return remote[i].exit;
		return CMD_EXIT_FAIL;
	default:
		return CMD_EXIT_UNREACHABLE;
	}
}

/* ---- time --------------------------------------------------------------- */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before deadline (-1: none), for poll(2). */
static int
left_ms(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - now_ms();
	return left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* ---- connecting and starting the daemon ---------------------------------- */

/*
 * Connect to path: the descriptor (non-blocking), or -1 with errno.
 * Non-blocking from the start, so a daemon whose backlog is full makes
 * connect fail (EAGAIN) instead of hanging.
 */
static int
client_dial(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, saved;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Does this connect(2) error mean "nobody is serving there"? */
static bool
client_nobody(int error)
{
	return error == ENOENT || error == ECONNREFUSED;
}

/* The choradd to start: o->choradd, one next to us, or "choradd". */
static char *
client_daemon_path(const struct client_opts *o)
{
	static const char *const near[] = { "choradd", "../choradd/choradd" };
	char self[PATH_MAX], *dir, *p;
	ssize_t n;

	if (o->choradd != NULL)
		return xstrdup(o->choradd);
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		dir = path_dirname(self);
		for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
			p = path_join(dir, near[i]);
			if (access(p, X_OK) == 0) {
				free(dir);
				return p;
			}
			free(p);
		}
		free(dir);
	}
	return xstrdup("choradd");	/* execvp searches $PATH */
}

/* In the grandchild: detach and exec the daemon; report failure on wfd. */
static void __attribute__((noreturn))
client_exec_daemon(const char *prog, const char *sock, const char *log,
    int wfd)
{
	char *const argv[] = { (char *)prog, "--foreground", "--socket",
	    (char *)sock, NULL };
	int fd, e;

	if (setsid() == -1 || chdir("/") == -1)
		goto fail;
	if ((fd = open("/dev/null", O_RDONLY)) == -1 || dup2(fd, 0) == -1)
		goto fail;
	close(fd);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600)) == -1 ||
	    dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
		goto fail;
	close(fd);
	execvp(prog, argv);
fail:
	e = errno;
	while (write(wfd, &e, sizeof(e)) == -1 && errno == EINTR)
		;
	_exit(127);
}

/*
 * Start the daemon detached (double fork: it is nobody's child, so it
 * never lingers as a zombie).  Returns 0 once it has been exec'd, or -1
 * with *cause.
 */
static int
client_spawn(const char *prog, const char *sock, char **cause)
{
	char *log = xprintf("%s.log", sock);	/* no malloc after fork */
	int p[2], e = 0, status;
	pid_t pid;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		free(log);
		return -1;
	}
	if ((pid = fork()) == -1) {
		xasprintf(cause, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		free(log);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		if ((pid = fork()) == 0)
			client_exec_daemon(prog, sock, log, p[1]);
		e = errno;
		if (pid == -1 && write(p[1], &e, sizeof(e)) != sizeof(e))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	free(log);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	/* EOF: exec succeeded and closed the pipe; else its errno. */
	while ((n = read(p[0], &e, sizeof(e))) == -1 && errno == EINTR)
		;
	close(p[0]);
	if (n == sizeof(e)) {
		xasprintf(cause, "cannot run %s: %s", prog, strerror(e));
		return -1;
	}
	return 0;
}

/* Take the spawn lock before deadline: its descriptor, or -1. */
static int
client_lock(const char *sock, int64_t deadline, char **cause)
{
	char *path = xprintf("%s.lock", sock);
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if ((errno != EWOULDBLOCK && errno != EINTR) ||
		    left_ms(deadline) == 0) {
			xasprintf(cause, "cannot lock %s: %s", path,
			    errno == EWOULDBLOCK ? "another chorac is "
			    "starting choradd and did not finish" :
			    strerror(errno));
			close(fd);
			free(path);
			return -1;
		}
		sleep_ms(10);
	}
	free(path);
	return fd;
}

/* Poll connect until the new daemon answers or deadline passes. */
static int
client_await(const char *sock, int64_t deadline)
{
	int fd, wait = 5;

	for (;;) {
		if ((fd = client_dial(sock)) != -1 || !client_nobody(errno))
			return fd;
		if (left_ms(deadline) == 0)
			return -1;
		sleep_ms(wait);
		wait = wait < 50 ? wait * 2 : 50;
	}
}

/* Nobody answers at sock: start a daemon (once) and connect to it. */
static int
client_start(const struct client_opts *o, const char *sock, char **cause)
{
	unsigned t = o->spawn_timeout_ms ? o->spawn_timeout_ms :
	    CLIENT_SPAWN_TIMEOUT_MS;
	int64_t deadline = now_ms() + t;
	char *dir = path_dirname(sock), *prog = NULL;
	int lfd = -1, fd = -1;

	if (fileio_mkdirs(dir, 0700) == -1) {
		xasprintf(cause, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	if ((lfd = client_lock(sock, deadline, cause)) == -1)
		goto out;
	/* Whoever held the lock may have started it meanwhile. */
	if ((fd = client_dial(sock)) != -1 || !client_nobody(errno))
		goto out;
	prog = client_daemon_path(o);
	if (client_spawn(prog, sock, cause) == -1)
		goto out;
	if ((fd = client_await(sock, deadline)) == -1)
		xasprintf(cause, "%s did not answer on %s within %u ms (see "
		    "%s.log)", prog, sock, t, sock);
out:
	if (fd == -1 && *cause == NULL)
		xasprintf(cause, "%s: %s", sock, strerror(errno));
	if (lfd != -1)
		close(lfd);
	free(prog);
	free(dir);
	return fd;
}

/* ---- calls ---------------------------------------------------------------- */

static int	client_hello_await(struct client *c, struct client_error *err);

/* Write all of p before deadline. */
static int
client_write(struct client *c, const char *p, size_t n, int64_t deadline,
    struct client_error *err)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
	ssize_t w;

	while (n > 0) {
		w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w == -1 && errno != EAGAIN && errno != EINTR) {
			c->hangup = errno == EPIPE || errno == ECONNRESET;
			client_fail(err, CLIENT_PROTOCOL, "sending to choradd "
			    "on %s: %s", c->socket, strerror(errno));
			return -1;
		}
		if (poll(&pfd, 1, left_ms(deadline)) == 0) {
			client_fail(err, CLIENT_TIMEOUT, "choradd on %s did "
			    "not take the request within %u ms", c->socket,
			    c->timeout_ms);
			return -1;
		}
	}
	return 0;
}

/* The next message from the daemon, waiting until deadline. */
static int
client_read(struct client *c, struct proto_msg *m, int64_t deadline,
    struct client_error *err)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	char *cause = NULL, *p;
	ssize_t n;
	int r;

	while ((r = proto_decoder_next(c->dec, m, &cause)) == 0) {
		p = proto_decoder_space(c->dec, PROTO_READ_CHUNK);
		n = read(c->fd, p, PROTO_READ_CHUNK);
		if (n > 0) {
			proto_decoder_fill(c->dec, (size_t)n);
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			c->hangup = true;
			client_fail(err, CLIENT_PROTOCOL, "choradd closed the "
			    "connection on %s%s%s", c->socket, n == 0 ? "" :
			    ": ", n == 0 ? "" : strerror(errno));
			return -1;
		}
		if (poll(&pfd, 1, left_ms(deadline)) == 0) {
			client_fail(err, CLIENT_TIMEOUT, "no answer from "
			    "choradd on %s within %u ms", c->socket,
			    c->timeout_ms);
			return -1;
		}
	}
	if (r == -1) {
		client_fail(err, CLIENT_PROTOCOL, "bad data from choradd: %s",
		    cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Hand a notification to fn; false if it is not a notification. */
static bool
client_notified(const struct proto_msg *m, client_notify_fn fn, void *arg)
{
	if (m->type != PROTO_MSG_NOTIFICATION)
		return false;
	for (int i = 0; i < PROTO_N__COUNT; i++) {
		const struct proto_notify_def *n = proto_notification(i);

		if (strlen(n->name) == m->method_len &&
		    memcmp(n->name, m->method, m->method_len) == 0) {
			if (fn != NULL)
				fn(n, m->params, arg);
			break;
		}
	}
	return true;
}

/* Turn the response m into *r or *err. */
static int
client_answer(struct proto_msg *m, struct client_reply *r,
    struct client_error *err)
{
	struct proto_err e;

	if (m->error == NULL) {
		r->msg = *m;
		r->result = r->msg.result;
		memset(m, 0, sizeof(*m));
		return 0;
	}
	proto_err_parse(m->error, &e);
	memset(err, 0, sizeof(*err));
	err->status = CLIENT_REMOTE;
	err->code = e.code;
	err->message = e.message;
	err->file = e.file;
	err->line = e.line;
	proto_msg_free(m);
	return -1;
}

int
client_call(struct client *c, enum proto_method method,
    const struct proto_enc *params, client_notify_fn fn, void *arg,
    struct client_reply *r, struct client_error *err)
{
	int64_t deadline = c->timeout_ms ? now_ms() + c->timeout_ms : -1;
	struct buf b = BUF_INIT;
	struct proto_msg m;
	uint32_t id = ++c->msgid;
	int rv;

	memset(r, 0, sizeof(*r));
	if (c->broken) {
		client_fail(err, CLIENT_PROTOCOL, "the connection to choradd "
		    "on %s is unusable after an earlier failure", c->socket);
		return -1;
	}
	proto_pack_request(&b, id, method, params);
	rv = client_write(c, b.data, b.len, deadline, err);
	buf_free(&b);
	if (rv == 0 && c->hello_id != 0)
		rv = client_hello_await(c, err);
	while (rv == 0 && (rv = client_read(c, &m, deadline, err)) == 0) {
		if (client_notified(&m, fn, arg)) {
			proto_msg_free(&m);
			continue;
		}
		if (m.type == PROTO_MSG_RESPONSE && m.msgid == id)
			return client_answer(&m, r, err);
		client_fail(err, CLIENT_PROTOCOL, "unexpected message from "
		    "choradd on %s%s%s", c->socket, m.invalid ? ": " : "",
		    m.invalid ? m.invalid : "");
		proto_msg_free(&m);
		rv = -1;
	}
	c->broken = true;
	return -1;
}

void
client_reply_free(struct client_reply *r)
{
	proto_msg_free(&r->msg);
	r->result = NULL;
}

/* ---- opening ------------------------------------------------------------- */

/* hello's params: our protocol version and name. */
static void
client_hello_params(struct proto_enc *e, const struct client_opts *o)
{
	proto_enc_init(e);
	proto_enc_map(e);
	proto_enc_kv_uint(e, PROTO_F_VERSION, PROTO_VERSION);
	proto_enc_kv_str(e, PROTO_F_CLIENT, o->name != NULL ? o->name :
	    "chorac " CHORA_VERSION);
	proto_enc_end(e);
}

/* hello failed: a daemon that hangs up at once refused our uid. */
static void
client_hello_failed(struct client *c, struct client_error *err)
{
	if (!c->hangup)
		return;
	client_error_clear(err);
	client_fail(err, CLIENT_PROTOCOL, "choradd on %s closed the "
	    "connection during hello (is uid %u allowed to use it?)",
	    c->socket, (unsigned)getuid());
}

/* hello: check the daemon speaks our protocol. */
static int
client_hello(struct client *c, const struct client_opts *o,
    struct client_error *err)
{
	struct client_reply r;
	struct proto_enc e;
	int rv;

	client_hello_params(&e, o);
	rv = client_call(c, PROTO_M_HELLO, &e, NULL, NULL, &r, err);
	proto_enc_free(&e);
	if (rv == -1) {
		client_hello_failed(c, err);
		return -1;
	}
	client_reply_free(&r);
	return 0;
}

/*
 * pipeline_hello: send hello now and read its answer before the first
 * call's (client_call), saving a round trip per chorac run.
 */
static int
client_hello_send(struct client *c, const struct client_opts *o,
    struct client_error *err)
{
	int64_t deadline = now_ms() + c->timeout_ms;
	struct buf b = BUF_INIT;
	struct proto_enc e;
	int rv;

	client_hello_params(&e, o);
	c->hello_id = ++c->msgid;
	proto_pack_request(&b, c->hello_id, PROTO_M_HELLO, &e);
	proto_enc_free(&e);
	rv = client_write(c, b.data, b.len, deadline, err);
	buf_free(&b);
	if (rv == -1)
		client_hello_failed(c, err);
	return rv;
}

/* The pipelined hello's answer, before anything else. */
static int
client_hello_await(struct client *c, struct client_error *err)
{
	int64_t deadline = now_ms() + CLIENT_HELLO_TIMEOUT_MS;
	struct client_reply r;
	struct proto_msg m;

	if (c->timeout_ms != 0 && c->timeout_ms < CLIENT_HELLO_TIMEOUT_MS)
		deadline = now_ms() + c->timeout_ms;
	while (client_read(c, &m, deadline, err) == 0) {
		if (m.type == PROTO_MSG_RESPONSE && m.msgid == c->hello_id) {
			c->hello_id = 0;
			if (client_answer(&m, &r, err) == -1)
				return -1;
			client_reply_free(&r);
			return 0;
		}
		proto_msg_free(&m);
	}
	client_hello_failed(c, err);
	return -1;
}

struct client *
client_open(const struct client_opts *o, struct client_error *err)
{
	struct client *c;
	char *sock, *cause = NULL;
	int fd;

	if ((sock = proto_socket_path(o->socket, &cause)) == NULL) {
		client_fail(err, CLIENT_UNREACHABLE, "%s", cause);
		free(cause);
		return NULL;
	}
	if ((fd = client_dial(sock)) == -1) {
		if (!client_nobody(errno))
			xasprintf(&cause, "cannot connect to %s: %s", sock,
			    strerror(errno));
		else if (o->no_spawn)
			xasprintf(&cause, "choradd is not running on %s (and "
			    "--no-spawn or CHORA_NO_SPAWN=1 forbids starting "
			    "it)", sock);
		else
			fd = client_start(o, sock, &cause);
	}
	if (fd == -1) {
		client_fail(err, CLIENT_UNREACHABLE, "%s", cause);
		free(cause);
		free(sock);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->socket = sock;
	c->dec = proto_decoder_new(0);
	c->timeout_ms = o->timeout_ms != 0 &&
	    o->timeout_ms < CLIENT_HELLO_TIMEOUT_MS ? o->timeout_ms :
	    CLIENT_HELLO_TIMEOUT_MS;
	if ((o->pipeline_hello ? client_hello_send(c, o, err) :
	    client_hello(c, o, err)) == -1) {
		client_close(c);
		return NULL;
	}
	c->timeout_ms = o->timeout_ms;
	return c;
}

void
client_close(struct client *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	proto_decoder_free(c->dec);
	free(c->socket);
	free(c);
}

const char *
client_socket(const struct client *c)
{
	return c->socket;
}

void
client_set_timeout(struct client *c, unsigned timeout_ms)
{
	c->timeout_ms = timeout_ms;
}
