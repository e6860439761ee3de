/*
 * Transport tests: rpc_testd (chora_rpc with test handlers) in its own
 * process, driven over its socket with raw msgpack: the handshake, the
 * request gate, hostile and broken input, limits, parked requests and
 * streams, peer credentials and file modes, stale and live sockets,
 * socket activation.  Every test ends by stopping the server and
 * asserting it exits 0, i.e. that nothing crashed it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "fileio.h"
#include "testd.h"
#include "xmalloc.h"

TestSuite(rpc, .init = testd_setup, .fini = testd_teardown, .timeout = 120);

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Call m with params; return the error code (0: success), *msg set. */
static int
call_code(struct rconn *c, enum proto_method m, const struct proto_enc *p,
    char **msg)
{
	struct proto_msg resp;
	int code;

	rconn_call(c, m, p, &resp);
	code = rconn_error(&resp, msg);
	proto_msg_free(&resp);
	return code;
}

/* A status call works on c (the server still serves). */
static uint64_t
status_field(struct rconn *c, enum proto_field f)
{
	struct proto_msg resp;
	char *msg;
	uint64_t v;

	rconn_call(c, PROTO_M_STATUS, NULL, &resp);
	cr_assert_eq(rconn_error(&resp, &msg), 0, "status: %s", msg);
	v = proto_get_uint(resp.result, f, UINT64_MAX);
	cr_assert_neq(v, UINT64_MAX);
	proto_msg_free(&resp);
	return v;
}

static void
open_hello(struct rconn *c)
{
	cr_assert_eq(rconn_open(c), 0, "connect: %s", strerror(errno));
	rconn_hello(c);
}

/* The server answers a fresh connection. */
static void
still_serving(void)
{
	struct rconn c;

	open_hello(&c);
	(void)status_field(&c, PROTO_F_PID);
	rconn_close(&c);
}

/* params {id: s} */
static void
params_id(struct proto_enc *e, const char *s)
{
	proto_enc_init(e);
	proto_enc_map(e);
	proto_enc_kv_str(e, PROTO_F_ID, s);
	proto_enc_end(e);
}

/* ---- the handshake and the gate ------------------------------------------ */

Test(rpc, hello_comes_first_and_versions_must_match)
{
	struct rconn c;
	struct proto_enc e;
	struct proto_msg m;
	char *msg;

	testd_start(NULL);
	cr_assert_eq(rconn_open(&c), 0);
	cr_assert_eq(call_code(&c, PROTO_M_STATUS, NULL, &msg),
	    PROTO_E_NO_HELLO);
	cr_assert_str_eq(msg, "status: the first request must be hello");
	free(msg);
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_uint(&e, PROTO_F_VERSION, 999);
	proto_enc_end(&e);
	cr_assert_eq(call_code(&c, PROTO_M_HELLO, &e, &msg), PROTO_E_VERSION);
	cr_assert_not_null(strstr(msg, "client speaks version 999"), "%s",
	    msg);
	cr_assert_not_null(strstr(msg, "rpc_testd speaks version 1"), "%s",
	    msg);
	free(msg);
	cr_assert_eq(call_code(&c, PROTO_M_STATUS, NULL, &msg),
	    PROTO_E_NO_HELLO, "a failed hello is no hello");
	free(msg);
	proto_enc_reset(&e);
	proto_enc_map(&e);
	proto_enc_end(&e);
	cr_assert_eq(call_code(&c, PROTO_M_HELLO, &e, &msg), PROTO_E_PARAMS);
	cr_assert_str_eq(msg, "hello: field 'version' is required");
	free(msg);
	proto_enc_free(&e);
	rconn_hello(&c);
	rconn_call(&c, PROTO_M_STATUS, NULL, &m);
	cr_assert_null(m.error);
	cr_assert_eq(proto_get_uint(m.result, PROTO_F_PID, 0),
	    (uint64_t)testd_pid);
	proto_msg_free(&m);
	rconn_close(&c);
	testd_stop();
}

Test(rpc, the_gate_answers_errors_and_keeps_the_connection)
{
	struct rconn c;
	struct proto_enc e;
	struct proto_msg m;
	struct proto_err err;
	char *msg;

	testd_start(NULL);
	open_hello(&c);
	/* Unknown method. */
	cr_assert(rconn_send(&c, "\x94\x00\x05\xa4nope\x91\x80", 10));
	cr_assert_eq(rconn_recv(&c, &m), 1);
	cr_assert_eq(m.msgid, 5);
	cr_assert_eq(rconn_error(&m, &msg), PROTO_E_NO_METHOD);
	cr_assert_str_eq(msg, "unknown method 'nope'");
	free(msg);
	proto_msg_free(&m);
	/* A name that is not text comes back escaped (valid UTF-8). */
	cr_assert(rconn_send(&c, "\x94\x00\x05\xa2\xff\x01\x91\x80", 8));
	cr_assert_eq(rconn_recv(&c, &m), 1);
	cr_assert_eq(rconn_error(&m, &msg), PROTO_E_NO_METHOD);
	cr_assert_str_eq(msg, "unknown method '\\xff\\x01'");
	free(msg);
	proto_msg_free(&m);
	/* Wrong type. */
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_IDS, "x");
	proto_enc_end(&e);
	cr_assert_eq(call_code(&c, PROTO_M_GENERATE, &e, &msg),
	    PROTO_E_PARAMS);
	cr_assert_str_eq(msg, "generate: field 'ids' must be an array of "
	    "strings (UTF-8, no NUL bytes)");
	free(msg);
	proto_enc_free(&e);
	/* Missing required field. */
	cr_assert_eq(call_code(&c, PROTO_M_SHOW, NULL, &msg), PROTO_E_PARAMS);
	cr_assert_str_eq(msg, "show: field 'id' is required");
	free(msg);
	/* Not implemented by this server. */
	cr_assert_eq(call_code(&c, PROTO_M_GC, NULL, &msg),
	    PROTO_E_UNSUPPORTED);
	cr_assert_str_eq(msg, "gc: not implemented by this server");
	free(msg);
	/* A handler that drops its request. */
	params_id(&e, "x");
	cr_assert_eq(call_code(&c, PROTO_M_DEPS, &e, &msg), PROTO_E_INTERNAL);
	free(msg);
	proto_enc_free(&e);
	/* An error with file and line. */
	rconn_call(&c, PROTO_M_HEALTH, NULL, &m);
	proto_err_parse(m.error, &err);
	cr_assert_eq(err.code, PROTO_E_FAILED);
	cr_assert_str_eq(err.file, "templates/a.j2");
	cr_assert_eq(err.line, 3);
	proto_err_clear(&err);
	proto_msg_free(&m);
	/* A response and a notification from the client are ignored. */
	cr_assert(rconn_send(&c, "\x94\x01\x01\xc0\xc0\x93\x02\xa1x\x90", 10));
	/* An invalid request with a msgid: answered, and we go on. */
	cr_assert(rconn_send(&c, "\x94\x00\x06\xa6status\x80", 11));
	cr_assert_eq(rconn_recv(&c, &m), 1);
	cr_assert_eq(m.msgid, 6);
	cr_assert_eq(rconn_error(&m, &msg), PROTO_E_INVALID);
	cr_assert_str_eq(msg, "params must be an array holding one map");
	free(msg);
	proto_msg_free(&m);
	(void)status_field(&c, PROTO_F_PID);
	rconn_close(&c);
	testd_stop();
}

Test(rpc, result_too_large_is_an_error_not_a_disconnect)
{
	struct rconn c;
	struct proto_enc e;
	char *msg;

	testd_start(NULL);
	open_hello(&c);
	params_id(&e, "big:17825792");
	cr_assert_eq(call_code(&c, PROTO_M_SHOW, &e, &msg), PROTO_E_TOO_BIG);
	free(msg);
	proto_enc_free(&e);
	params_id(&e, "big:1000000");
	cr_assert_eq(call_code(&c, PROTO_M_SHOW, &e, &msg), 0);
	proto_enc_free(&e);
	rconn_close(&c);
	testd_stop();
}

/* ---- broken and hostile input -------------------------------------------- */

Test(rpc, truncated_and_split_requests)
{
	static const char req[] = "\x94\x00\x01\xa6status\x90";
	struct rconn c;
	struct proto_msg m;

	testd_start(NULL);
	/* Cut short, then the client goes away. */
	cr_assert_eq(rconn_open(&c), 0);
	rconn_hello(&c);
	cr_assert(rconn_send(&c, req, 5));
	rconn_close(&c);
	/* Sent a byte at a time: still one request. */
	open_hello(&c);
	for (size_t i = 0; i < sizeof(req) - 1; i++) {
		cr_assert(rconn_send(&c, req + i, 1));
		usleep(200);
	}
	cr_assert_eq(rconn_recv(&c, &m), 1);
	cr_assert_eq(m.msgid, 1);
	cr_assert_null(m.error);
	proto_msg_free(&m);
	rconn_close(&c);
	still_serving();
	testd_stop();
}

Test(rpc, malformed_msgpack_closes_the_connection)
{
	struct rconn c;
	struct proto_msg m;
	char *msg;

	testd_start(NULL);
	/* With a msgid known, the error is answered first. */
	open_hello(&c);
	cr_assert(rconn_send(&c, "\x94\x00\x07\xc1", 4));
	cr_assert_eq(rconn_recv(&c, &m), 1);
	cr_assert_eq(m.msgid, 7);
	cr_assert_eq(rconn_error(&m, &msg), PROTO_E_INVALID);
	cr_assert_not_null(strstr(msg, "malformed msgpack"));
	free(msg);
	proto_msg_free(&m);
	cr_assert_eq(rconn_recv(&c, &m), 0, "then the connection ends");
	rconn_close(&c);
	/* Something that is not a message at all. */
	open_hello(&c);
	cr_assert(rconn_send(&c, "\x05", 1));
	cr_assert_eq(rconn_recv(&c, &m), 0);
	rconn_close(&c);
	/* Garbage before any hello. */
	cr_assert_eq(rconn_open(&c), 0);
	cr_assert(rconn_send(&c, "\xc1\xc1\xc1", 3));
	cr_assert_eq(rconn_recv(&c, &m), 0);
	rconn_close(&c);
	still_serving();
	cr_assert(testd_logged("malformed msgpack"));
	testd_stop();
}

Test(rpc, a_17_mib_request_gets_an_error_and_a_close)
{
	struct rconn c;
	struct proto_enc e;
	struct proto_msg m;
	struct buf b = BUF_INIT;
	char *mib = xmalloc(1u << 20), *msg;
	bool sent;

	memset(mib, 'p', 1u << 20);
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_key(&e, PROTO_F_PATHS);
	proto_enc_array(&e);
	for (int i = 0; i < 17; i++)
		proto_enc_strn(&e, mib, 1u << 20);
	proto_enc_end(&e);
	proto_enc_end(&e);
	proto_pack_request(&b, 9, PROTO_M_NOTIFY, &e);
	cr_assert_gt(b.len, 17u << 20);

	testd_start(NULL);
	open_hello(&c);
	sent = rconn_send(&c, b.data, b.len);
	cr_assert_eq(rconn_recv(&c, &m), 1);
	cr_assert_eq(m.msgid, 9);
	cr_assert_eq(rconn_error(&m, &msg), PROTO_E_TOO_BIG);
	cr_assert_not_null(strstr(msg, "too large"), "%s", msg);
	free(msg);
	proto_msg_free(&m);
	cr_assert_eq(rconn_recv(&c, &m), 0);
	cr_log_info("the whole message was %s", sent ? "accepted by the "
	    "kernel" : "cut off by the close");
	rconn_close(&c);
	still_serving();
	testd_stop();
	proto_enc_free(&e);
	buf_free(&b);
	free(mib);
}

Test(rpc, a_thousand_pipelined_requests_answered_in_order)
{
	struct rconn c;
	struct proto_enc e;
	struct proto_msg m;
	struct buf b = BUF_INIT;
	char want[32];
	const char *text;
	struct arena *a;

	testd_start(NULL);
	open_hello(&c);
	proto_enc_init(&e);
	for (uint32_t i = 1; i <= 1000; i++) {
		snprintf(want, sizeof(want), "r%u", i);
		proto_enc_reset(&e);
		proto_enc_map(&e);
		proto_enc_kv_str(&e, PROTO_F_ID, want);
		proto_enc_end(&e);
		if (i % 10 == 0)	/* mix in some errors */
			proto_pack_request(&b, 100000 + i, PROTO_M_SHOW, NULL);
		proto_pack_request(&b, i, PROTO_M_SHOW, &e);
	}
	proto_enc_free(&e);
	cr_assert(rconn_send(&c, b.data, b.len));
	buf_free(&b);
	for (uint32_t i = 1; i <= 1000; i++) {
		if (i % 10 == 0) {
			cr_assert_eq(rconn_recv(&c, &m), 1);
			cr_assert_eq(m.msgid, 100000 + i);
			cr_assert_not_null(m.error);
			proto_msg_free(&m);
		}
		cr_assert_eq(rconn_recv(&c, &m), 1);
		cr_assert_eq(m.msgid, i, "response %u out of order", i);
		snprintf(want, sizeof(want), "r%u", i);
		a = arena_new();
		text = proto_get_str(m.result, PROTO_F_TEXT, a);
		cr_assert_str_eq(text, want);
		arena_free(a);
		proto_msg_free(&m);
	}
	rconn_close(&c);
	testd_stop();
}

Test(rpc, a_client_that_never_reads_is_dropped_and_others_served)
{
	struct rconn a, b;
	struct proto_enc e;
	struct proto_msg m;
	struct buf all = BUF_INIT;
	int got = 0, calls = 0;

	testd_start(OPTS("--max-outbuf", "1048576"));
	open_hello(&a);
	open_hello(&b);
	cr_assert_eq(status_field(&b, PROTO_F_CONNECTIONS), 2);
	params_id(&e, "big:65536");
	for (uint32_t i = 1; i <= 300; i++)
		proto_pack_request(&all, i, PROTO_M_SHOW, &e);
	proto_enc_free(&e);
	/* It may be cut off before all of it is taken. */
	(void)rconn_send(&a, all.data, all.len);
	buf_free(&all);
	/* b is answered all along, until the server has dropped a. */
	while (status_field(&b, PROTO_F_CONNECTIONS) != 1) {
		cr_assert_lt(++calls, 100000, "a was never dropped");
		usleep(1000);
	}
	while (rconn_recv(&a, &m) == 1) {
		got++;
		proto_msg_free(&m);
	}
	cr_assert_lt(got, 300, "a got all its replies but was not reading");
	cr_assert(testd_logged("is not reading its replies"));
	rconn_close(&a);
	rconn_close(&b);
	still_serving();
	testd_stop();
}

/* ---- parked requests ------------------------------------------------------- */

Test(rpc, a_parked_request_is_cancelled_when_its_client_goes)
{
	struct rconn a, b;
	int calls = 0;

	testd_start(NULL);
	open_hello(&a);
	open_hello(&b);
	(void)rconn_request(&a, PROTO_M_WAIT, NULL);	/* parks forever */
	(void)status_field(&a, PROTO_F_PID);	/* a's wait is parked now */
	cr_assert_eq(status_field(&b, PROTO_F_EVENTS), 0);
	rconn_close(&a);
	while (status_field(&b, PROTO_F_EVENTS) != 1) {
		cr_assert_lt(++calls, 100000, "never cancelled");
		usleep(1000);
	}
	cr_assert_eq(status_field(&b, PROTO_F_CONNECTIONS), 1);
	rconn_close(&b);
	testd_stop();
}

Test(rpc, a_half_closed_client_still_gets_its_parked_reply)
{
	struct rconn c;
	struct proto_enc e;
	struct proto_msg m;

	testd_start(NULL);
	open_hello(&c);
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_uint(&e, PROTO_F_TIMEOUT_MS, 30);
	proto_enc_end(&e);
	(void)rconn_request(&c, PROTO_M_WAIT, &e);
	proto_enc_free(&e);
	cr_assert_eq(shutdown(c.fd, SHUT_WR), 0);
	cr_assert_eq(rconn_recv(&c, &m), 1);
	cr_assert_null(m.error);
	cr_assert_eq(proto_get_uint(m.result, PROTO_F_PASSES, 9), 0);
	proto_msg_free(&m);
	cr_assert_eq(rconn_recv(&c, &m), 0, "then the server closes");
	rconn_close(&c);
	testd_stop();
}

Test(rpc, parking_is_limited_per_connection)
{
	struct rconn c;
	struct proto_msg m;
	char *msg;

	testd_start(OPTS("--max-parked", "2"));
	open_hello(&c);
	(void)rconn_request(&c, PROTO_M_WAIT, NULL);
	(void)rconn_request(&c, PROTO_M_WAIT, NULL);
	rconn_call(&c, PROTO_M_WAIT, NULL, &m);
	cr_assert_eq(rconn_error(&m, &msg), PROTO_E_BUSY);
	cr_assert_str_eq(msg, "wait: 2 requests already waiting on this "
	    "connection");
	free(msg);
	proto_msg_free(&m);
	(void)status_field(&c, PROTO_F_PID);	/* instant methods still run */
	rconn_close(&c);
	testd_stop();
}

Test(rpc, a_stream_sends_notifications_then_ends_with_the_response)
{
	struct rconn c;
	struct proto_msg m;
	struct arena *a = arena_new();
	uint32_t id;

	testd_start(NULL);
	open_hello(&c);
	id = rconn_request(&c, PROTO_M_SUBSCRIBE, NULL);
	for (uint64_t i = 0; i < 3; i++) {
		cr_assert_eq(rconn_recv(&c, &m), 1);
		cr_assert_eq(m.type, PROTO_MSG_NOTIFICATION);
		cr_assert_eq(m.method_len, 5);
		cr_assert_eq(memcmp(m.method, "event", 5), 0);
		cr_assert_eq(proto_get_uint(m.params, PROTO_F_STREAM, 0), id);
		cr_assert_eq(proto_get_uint(m.params, PROTO_F_LINE, 9), i);
		cr_assert_str_eq(proto_get_str(m.params, PROTO_F_TYPE, a),
		    "generated");
		proto_msg_free(&m);
	}
	cr_assert_eq(rconn_recv(&c, &m), 1);
	cr_assert_eq(m.type, PROTO_MSG_RESPONSE);
	cr_assert_eq(m.msgid, id);
	cr_assert_eq(proto_get_uint(m.result, PROTO_F_EVENTS, 0), 3);
	proto_msg_free(&m);
	arena_free(a);
	rconn_close(&c);
	testd_stop();
}

Test(rpc, stopping_answers_parked_requests_cancelled)
{
	struct rconn c;
	struct proto_msg m;
	char *msg;

	testd_start(NULL);
	open_hello(&c);
	(void)rconn_request(&c, PROTO_M_WAIT, NULL);
	(void)status_field(&c, PROTO_F_PID);
	testd_stop();
	cr_assert_eq(rconn_recv(&c, &m), 1);
	cr_assert_eq(rconn_error(&m, &msg), PROTO_E_CANCELLED);
	free(msg);
	proto_msg_free(&m);
	cr_assert_eq(rconn_recv(&c, &m), 0);
	rconn_close(&c);
	cr_assert_eq(access(testd_sock, F_OK), -1, "socket removed");
}

/* ---- connections, files and the socket ----------------------------------- */

Test(rpc, connection_limit)
{
	static const char hello[] = "\x94\x00\x01\xa5hello\x91\x81"
	    "\xa7version\x01";
	struct rconn c[3];
	struct proto_msg m;
	int tries = 0;

	testd_start(OPTS("--max-conns", "2"));
	open_hello(&c[0]);
	open_hello(&c[1]);
	cr_assert_eq(rconn_open(&c[2]), 0, "the kernel accepts it...");
	(void)rconn_send(&c[2], hello, sizeof(hello) - 1);
	cr_assert_eq(rconn_recv(&c[2], &m), 0, "...the server closes it");
	rconn_close(&c[2]);
	cr_assert(testd_logged("2 connections open, the limit"));
	rconn_close(&c[0]);
	/* Once the server has seen the close, there is room again. */
	for (;;) {
		cr_assert_eq(rconn_open(&c[2]), 0);
		if (rconn_send(&c[2], hello, sizeof(hello) - 1) &&
		    rconn_recv(&c[2], &m) == 1)
			break;
		rconn_close(&c[2]);
		cr_assert_lt(++tries, 10000);
		usleep(1000);
	}
	proto_msg_free(&m);
	rconn_close(&c[1]);
	rconn_close(&c[2]);
	testd_stop();
}

Test(rpc, socket_and_directory_modes)
{
	struct stat st;
	char *dir = xprintf("%s/run", testd_dir), *pid, *pidtext;
	size_t len;

	testd_start(NULL);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0700, "dir mode %o", st.st_mode);
	cr_assert_eq(stat(testd_sock, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0600, "socket mode %o", st.st_mode);
	pid = xprintf("%s.pid", testd_sock);
	cr_assert_eq(fileio_read(pid, &pidtext, &len), 0);
	cr_assert_eq(atol(pidtext), (long)testd_pid);
	free(pidtext);
	testd_stop();
	cr_assert_eq(access(testd_sock, F_OK), -1, "socket removed on exit");
	cr_assert_eq(access(pid, F_OK), -1, "pid file removed on exit");
	free(pid);
	free(dir);
}

Test(rpc, group_modes)
{
	struct stat st;
	char *dir = xprintf("%s/run", testd_dir), gid[16];

	snprintf(gid, sizeof(gid), "%u", (unsigned)getegid());
	testd_start(OPTS("--group", gid));
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0710, "dir mode %o", st.st_mode);
	cr_assert_eq(st.st_gid, getegid());
	cr_assert_eq(stat(testd_sock, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0660, "socket mode %o", st.st_mode);
	cr_assert_eq(st.st_gid, getegid());
	still_serving();
	testd_stop();
	free(dir);
}

/* Leave a socket file with nobody behind it, as a killed daemon does. */
static void
make_stale_socket(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *dir = xprintf("%s/run", testd_dir);
	int fd;

	cr_assert_eq(mkdir(dir, 0700), 0);
	strcpy(sun.sun_path, testd_sock);
	cr_assert_neq(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	free(dir);
}

Test(rpc, a_stale_socket_is_replaced)
{
	make_stale_socket();
	testd_start(NULL);
	still_serving();
	cr_assert(testd_logged("replaced the stale socket"));
	testd_stop();
}

Test(rpc, a_live_socket_is_refused)
{
	testd_start(NULL);
	cr_assert_eq(testd_start_fail(NULL), 1);
	cr_assert(testd_logged("another choradd is serving"));
	still_serving();
	testd_stop();
}

Test(rpc, a_file_in_the_way_is_refused)
{
	char *dir = xprintf("%s/run", testd_dir);

	cr_assert_eq(mkdir(dir, 0700), 0);
	char *cause = NULL;

	cr_assert_eq(fileio_write_atomic(testd_sock, "x", 1, false, 0600,
	    &cause), 0, "%s", cause);
	cr_assert_eq(testd_start_fail(NULL), 1);
	cr_assert(testd_logged("exists and is not a socket"));
	free(dir);
}

Test(rpc, socket_activation)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *dir = xprintf("%s/run", testd_dir), *pidpath;
	pid_t pid;
	int fd;

	cr_assert_eq(mkdir(dir, 0700), 0);
	strcpy(sun.sun_path, testd_sock);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		/* As systemd does: a listening socket as fd 3. */
		char env[32];

		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd == -1 || bind(fd, (struct sockaddr *)&sun,
		    sizeof(sun)) == -1 || listen(fd, 16) == -1 ||
		    (fd != 3 && dup2(fd, 3) == -1))
			_exit(125);
		snprintf(env, sizeof(env), "%ld", (long)getpid());
		setenv("LISTEN_PID", env, 1);
		setenv("LISTEN_FDS", "1", 1);
		fd = open(testd_log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd == -1 || dup2(fd, 2) == -1)
			_exit(126);
		execl(RPC_TESTD, RPC_TESTD, "--socket", testd_sock,
		    (char *)NULL);
		_exit(127);
	}
	testd_pid = pid;
	testd_wait_ready(pid);
	still_serving();
	cr_assert(testd_logged("(socket activation)"));
	testd_stop();
	cr_assert_eq(access(testd_sock, F_OK), 0, "systemd's socket stays");
	pidpath = xprintf("%s.pid", testd_sock);
	cr_assert_eq(access(pidpath, F_OK), -1, "no pid lock when activated");
	free(pidpath);
	free(dir);
}

/* ---- other users ------------------------------------------------------------ */

#define NOBODY	65534

/*
 * Run fn as uid/gid 65534 in a child, with the supplementary group
 * extra (or none for 0); its exit code.
 */
static int
as_nobody_in(int (*fn)(void), gid_t extra)
{
	pid_t pid;
	int status;

	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		if (setgroups(extra != 0, &extra) == -1 ||
		    setresgid(NOBODY, NOBODY, NOBODY) == -1 ||
		    setresuid(NOBODY, NOBODY, NOBODY) == -1)
			_exit(100);
		_exit(fn());
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int
as_nobody(int (*fn)(void))
{
	return as_nobody_in(fn, 0);
}

static void
need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to act as another uid (running as "
		    "uid %u)", (unsigned)geteuid());
}

/* Outcome codes of the children below. */
enum { NB_OK = 0, NB_EACCES = 1, NB_CLOSED = 2, NB_ERROR = 3, NB_OTHER = 4,
    NB_PERM = 5 };

static int
nobody_connect(void)
{
	struct rconn c;

	if (rconn_open(&c) == 0) {
		rconn_close(&c);
		return NB_OK;
	}
	return errno == EACCES ? NB_EACCES : NB_OTHER;
}

/* hello, then (if allowed) a read and a write. */
static int
nobody_hello(void)
{
	struct rconn c;
	struct buf b = BUF_INIT;
	struct proto_enc e;
	struct proto_msg m;
	int code;

	if (rconn_open(&c) == -1)
		return NB_OTHER;
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_uint(&e, PROTO_F_VERSION, PROTO_VERSION);
	proto_enc_end(&e);
	proto_pack_request(&b, 1, PROTO_M_HELLO, &e);
	proto_pack_request(&b, 2, PROTO_M_STATUS, NULL);
	proto_pack_request(&b, 3, PROTO_M_GENERATE, NULL);
	if (!rconn_send(&c, b.data, b.len))
		return NB_CLOSED;
	for (uint32_t id = 1; id <= 3; id++) {
		if (rconn_recv(&c, &m) == 0)
			return NB_CLOSED;
		if (m.msgid != id)
			return NB_OTHER;
		code = m.error == NULL ? 0 :
		    (int)proto_get_uint(m.error, PROTO_F_CODE, 0);
		proto_msg_free(&m);
		if (id == 3)
			return code == 0 ? NB_OK : code == PROTO_E_PERM ?
			    NB_PERM : NB_ERROR;
		if (code != 0)
			return NB_ERROR;
	}
	return NB_OTHER;
}

/* Let everyone reach the socket, so only the server's check stands. */
static void
open_up(void)
{
	char *dir = xprintf("%s/run", testd_dir);

	cr_assert_eq(chmod(testd_dir, 0711), 0);
	cr_assert_eq(chmod(dir, 0711), 0);
	cr_assert_eq(chmod(testd_sock, 0666), 0);
	free(dir);
}

Test(rpc, another_uid_is_kept_out_by_the_modes)
{
	need_root();
	testd_start(NULL);
	cr_assert_eq(chmod(testd_dir, 0711), 0);
	cr_assert_eq(as_nobody(nobody_connect), NB_EACCES);
	still_serving();
	testd_stop();
}

Test(rpc, another_uid_is_refused_by_peer_credentials)
{
	need_root();
	testd_start(NULL);
	open_up();
	cr_assert_eq(as_nobody(nobody_hello), NB_CLOSED);
	cr_assert(testd_logged("refused connection from uid 65534"));
	still_serving();
	testd_stop();
}

Test(rpc, an_allowed_uid_gets_full_access)
{
	need_root();
	testd_start(OPTS("--allow-uid", "65534"));
	open_up();
	cr_assert_eq(as_nobody(nobody_hello), NB_OK);
	testd_stop();
}

Test(rpc, a_read_only_uid_cannot_write)
{
	need_root();
	testd_start(OPTS("--read-uid", "65534"));
	open_up();
	cr_assert_eq(as_nobody(nobody_hello), NB_PERM);
	testd_stop();
}

Test(rpc, an_allowed_group_gets_in)
{
	need_root();
	testd_start(OPTS("--allow-gid", "65534"));
	open_up();
	cr_assert_eq(as_nobody(nobody_hello), NB_OK, "primary gid 65534");
	testd_stop();
}

Test(rpc, a_supplementary_group_counts)
{
	need_root();
	testd_start(OPTS("--allow-gid", "4242"));
	open_up();
	cr_assert_eq(as_nobody(nobody_hello), NB_CLOSED, "not without it");
	cr_assert_eq(as_nobody_in(nobody_hello, 4242), NB_OK,
	    "SO_PEERGROUPS shows the supplementary group");
	testd_stop();
}
