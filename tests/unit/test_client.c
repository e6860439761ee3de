/*
 * Client transport tests: the unreachable exit path, starting the daemon
 * (rpc_testd stands in for choradd: same socket options, same protocol)
 * once and detached even when several clients race, spawn failures,
 * timeouts, notifications and remote errors mapped to exit codes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "client.h"
#include "cmd.h"
#include "fileio.h"
#include "testd.h"
#include "xmalloc.h"

TestSuite(client, .init = testd_setup, .fini = testd_teardown,
    .timeout = 120);

static struct client_opts
opts(void)
{
	return (struct client_opts){ .socket = testd_sock,
	    .choradd = RPC_TESTD, .name = "test_client" };
}

/* The pid in "<socket>.pid", or -1. */
static pid_t
daemon_pid(void)
{
	char *path = xprintf("%s.pid", testd_sock), *text;
	size_t len;
	pid_t pid = -1;

	if (fileio_read(path, &text, &len) == 0) {
		pid = (pid_t)atol(text);
		free(text);
	}
	free(path);
	return pid;
}

/* Stop a daemon that is not our child: SIGTERM, wait for it to go. */
static void
stop_spawned(pid_t pid)
{
	int tries = 0;

	cr_assert_gt(pid, 0);
	cr_assert_eq(kill(pid, SIGTERM), 0);
	while (kill(pid, 0) == 0) {
		cr_assert_lt(++tries, 20000, "spawned daemon did not stop");
		usleep(1000);
	}
}

/* Field n (1-based) of /proc/PID/stat, after the command name. */
static long
proc_stat_field(pid_t pid, int n)
{
	char *path = xprintf("/proc/%ld/stat", (long)pid), *text, *p;
	size_t len;
	long v = -1;

	cr_assert_eq(fileio_read(path, &text, &len), 0);
	p = strrchr(text, ')');
	for (int i = 2; p != NULL && i < n; i++)
		p = strchr(p + 1, ' ');
	if (p != NULL)
		v = atol(p + 1);
	free(text);
	free(path);
	return v;
}

/* Start rpc_testd and connect to it without spawning. */
static struct client *
testd_client(unsigned timeout_ms)
{
	struct client_opts o = opts();
	struct client_error err;
	struct client *c;

	testd_start(NULL);
	o.no_spawn = true;
	o.timeout_ms = timeout_ms;
	c = client_open(&o, &err);
	cr_assert_not_null(c, "%s", err.message);
	return c;
}

Test(client, no_daemon_and_no_spawn_is_unreachable)
{
	struct client_opts o = opts();
	struct client_error err;
	char *dir = xprintf("%s/run", testd_dir);

	o.no_spawn = true;
	cr_assert_null(client_open(&o, &err));
	cr_assert_eq(err.status, CLIENT_UNREACHABLE);
	cr_assert_eq(client_exit_code(&err), CMD_EXIT_UNREACHABLE);
	cr_assert_eq(client_exit_code(&err), 3);
	cr_assert_not_null(strstr(err.message, testd_sock), "%s", err.message);
	cr_assert_not_null(strstr(err.message, "--no-spawn"));
	client_error_clear(&err);
	cr_assert_eq(access(dir, F_OK), -1, "nothing was started or created");
	free(dir);
}

Test(client, starts_the_daemon_detached)
{
	struct client_opts o = opts();
	struct client_error err;
	struct client_reply r;
	struct client *c;
	char *log = xprintf("%s.log", testd_sock);
	pid_t pid;

	c = client_open(&o, &err);
	cr_assert_not_null(c, "%s", err.message);
	cr_assert_str_eq(client_socket(c), testd_sock);
	cr_assert_eq(client_call(c, PROTO_M_STATUS, NULL, NULL, NULL, &r,
	    &err), 0, "%s", err.message);
	pid = (pid_t)proto_get_uint(r.result, PROTO_F_PID, 0);
	client_reply_free(&r);
	cr_assert_eq(pid, daemon_pid());
	cr_assert_neq(proc_stat_field(pid, 4), (long)getpid(),
	    "the daemon is not our child");
	cr_assert_eq(proc_stat_field(pid, 6), (long)pid,
	    "it leads its own session");
	cr_assert_eq(access(log, F_OK), 0, "its output goes to %s", log);
	client_close(c);
	/* A second client finds it running: no second start. */
	c = client_open(&o, &err);
	cr_assert_not_null(c, "%s", err.message);
	cr_assert_eq(daemon_pid(), pid);
	client_close(c);
	stop_spawned(pid);
	free(log);
}

Test(client, racing_clients_start_one_daemon)
{
	char *starts = xprintf("%s/starts", testd_dir), *text;
	pid_t kids[6];
	int status;
	size_t len, lines = 0;

	setenv("RPC_TESTD_STARTS", starts, 1);
	for (int i = 0; i < 6; i++) {
		cr_assert_neq(kids[i] = fork(), -1);
		if (kids[i] == 0) {
			struct client_opts o = opts();
			struct client_error err;
			struct client_reply r;
			struct client *c = client_open(&o, &err);

			if (c == NULL)
				_exit(1);
			if (client_call(c, PROTO_M_STATUS, NULL, NULL, NULL,
			    &r, &err) == -1)
				_exit(2);
			client_reply_free(&r);
			client_close(c);
			_exit(0);
		}
	}
	for (int i = 0; i < 6; i++) {
		cr_assert_eq(waitpid(kids[i], &status, 0), kids[i]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "client %d failed (0x%x)", i, status);
	}
	cr_assert_eq(fileio_read(starts, &text, &len), 0);
	for (char *p = text; *p != '\0'; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 1, "daemons started: %s", text);
	free(text);
	stop_spawned(daemon_pid());
	unsetenv("RPC_TESTD_STARTS");
	free(starts);
}

Test(client, a_daemon_that_cannot_run)
{
	struct client_opts o = opts();
	struct client_error err;

	o.choradd = "/nonexistent/choradd";
	cr_assert_null(client_open(&o, &err));
	cr_assert_eq(err.status, CLIENT_UNREACHABLE);
	cr_assert_str_eq(err.message, "cannot run /nonexistent/choradd: No "
	    "such file or directory");
	client_error_clear(&err);
}

Test(client, a_daemon_that_never_answers)
{
	struct client_opts o = opts();
	struct client_error err;
	char want[256];

	o.choradd = "/bin/true";
	o.spawn_timeout_ms = 200;
	cr_assert_null(client_open(&o, &err));
	cr_assert_eq(err.status, CLIENT_UNREACHABLE);
	snprintf(want, sizeof(want), "/bin/true did not answer on %s within "
	    "200 ms (see %s.log)", testd_sock, testd_sock);
	cr_assert_str_eq(err.message, want);
	client_error_clear(&err);
}

Test(client, a_socket_path_that_cannot_be)
{
	struct client_opts o = opts();
	struct client_error err;
	char path[200];

	memset(path, 'x', sizeof(path));
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	o.socket = path;
	cr_assert_null(client_open(&o, &err));
	cr_assert_eq(err.status, CLIENT_UNREACHABLE);
	cr_assert_not_null(strstr(err.message, "socket path too long"));
	client_error_clear(&err);
}

Test(client, a_daemon_that_accepts_but_never_answers)
{
	struct client_opts o = opts();
	struct client_error err;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *dir = xprintf("%s/run", testd_dir);
	int fd;

	/* The kernel completes the connect; nobody ever reads. */
	cr_assert_eq(mkdir(dir, 0700), 0);
	strcpy(sun.sun_path, testd_sock);
	cr_assert_neq(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	o.no_spawn = true;
	o.timeout_ms = 200;
	cr_assert_null(client_open(&o, &err));
	cr_assert_eq(err.status, CLIENT_TIMEOUT);
	cr_assert_not_null(strstr(err.message, "within 200 ms"), "%s",
	    err.message);
	client_error_clear(&err);
	close(fd);
	free(dir);
}

Test(client, call_timeout_makes_the_connection_unusable)
{
	struct client_error err;
	struct client_reply r;
	struct client *c;

	c = testd_client(100);
	cr_assert_eq(client_call(c, PROTO_M_WAIT, NULL, NULL, NULL, &r,
	    &err), -1);
	cr_assert_eq(err.status, CLIENT_TIMEOUT);
	cr_assert_not_null(strstr(err.message, "within 100 ms"));
	cr_assert_eq(client_exit_code(&err), CMD_EXIT_UNREACHABLE);
	client_error_clear(&err);
	cr_assert_eq(client_call(c, PROTO_M_STATUS, NULL, NULL, NULL, &r,
	    &err), -1);
	cr_assert_eq(err.status, CLIENT_PROTOCOL);
	client_error_clear(&err);
	client_close(c);
	testd_stop();
}

struct seen {
	int		 n;
	uint64_t	 lines;
};

static void
on_event(const struct proto_notify_def *n, const msgpack_object *params,
    void *arg)
{
	struct seen *s = arg;

	cr_assert_str_eq(n->name, proto_notification(PROTO_N_EVENT)->name);
	cr_assert_not_null(proto_get(params, PROTO_F_STREAM));
	s->lines += proto_get_uint(params, PROTO_F_LINE, 100);
	s->n++;
}

Test(client, notifications_arrive_before_the_response)
{
	struct client_error err;
	struct client_reply r;
	struct client *c;
	struct seen s = { 0, 0 };

	c = testd_client(0);
	cr_assert_eq(client_call(c, PROTO_M_SUBSCRIBE, NULL, on_event, &s, &r,
	    &err), 0, "%s", err.message);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.lines, 0 + 1 + 2);
	cr_assert_eq(proto_get_uint(r.result, PROTO_F_EVENTS, 0), 3);
	client_reply_free(&r);
	client_close(c);
	testd_stop();
}

Test(client, remote_errors_and_their_exit_codes)
{
	struct client_error err;
	struct client_reply r;
	struct client *c;

	c = testd_client(0);
	cr_assert_eq(client_call(c, PROTO_M_SHOW, NULL, NULL, NULL, &r, &err),
	    -1);
	cr_assert_eq(err.status, CLIENT_REMOTE);
	cr_assert_eq(err.code, PROTO_E_PARAMS);
	cr_assert_str_eq(err.message, "show: field 'id' is required");
	cr_assert_eq(client_exit_code(&err), CMD_EXIT_USAGE);
	client_error_clear(&err);
	cr_assert_eq(client_call(c, PROTO_M_HEALTH, NULL, NULL, NULL, &r,
	    &err), -1);
	cr_assert_eq(err.code, PROTO_E_FAILED);
	cr_assert_str_eq(err.file, "templates/a.j2");
	cr_assert_eq(err.line, 3);
	cr_assert_eq(client_exit_code(&err), CMD_EXIT_FAIL);
	client_error_clear(&err);
	err.status = CLIENT_REMOTE;
	err.code = PROTO_E_NO_ROOT;
	cr_assert_eq(client_exit_code(&err), CMD_EXIT_NOROOT);
	/* An error reply leaves the connection usable. */
	cr_assert_eq(client_call(c, PROTO_M_STATUS, NULL, NULL, NULL, &r,
	    &err), 0);
	client_reply_free(&r);
	client_close(c);
	testd_stop();
}

Test(client, a_refused_uid_is_told_why)
{
	char *dir = xprintf("%s/run", testd_dir);
	pid_t pid;
	int status;

	if (geteuid() != 0)
		cr_skip_test("needs root to act as another uid");
	testd_start(NULL);
	cr_assert_eq(chmod(testd_dir, 0711), 0);
	cr_assert_eq(chmod(dir, 0711), 0);
	cr_assert_eq(chmod(testd_sock, 0666), 0);
	free(dir);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		struct client_opts o = opts();
		struct client_error err;

		o.no_spawn = true;
		if (setgroups(0, NULL) == -1 || setresgid(65534, 65534,
		    65534) == -1 || setresuid(65534, 65534, 65534) == -1)
			_exit(100);
		if (client_open(&o, &err) != NULL)
			_exit(1);
		if (err.status != CLIENT_PROTOCOL || strstr(err.message,
		    "closed the connection during hello (is uid 65534 "
		    "allowed") == NULL)
			_exit(2);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "0x%x",
	    status);
	testd_stop();
}
