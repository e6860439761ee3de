/*
 * rpc_testd — the transport tests' server: chora_rpc with a few test
 * handlers, run as its own process (as choradd will be) so that the tests
 * talk to it over a real socket, as other users, and see whether it
 * survives.  It exits 0 after SIGTERM; anything else is a failure.
 *
 * Handlers (methods from the table, test behaviour):
 *   status     {server, pid, connections, events: requests cancelled}
 *   wait       park; answer after timeout_ms, or never (until cancelled)
 *   show       text: id, or "big:N" gives N bytes of 'x'
 *   generate   a write: empty result
 *   subscribe  three "event" notifications, then the end of the stream
 *   health     an error with file and line
 *   deps       neither answers nor parks (a buggy handler)
 *
 * Usage: rpc_testd --socket PATH [--foreground] [--allow-uid N]
 *   [--read-uid N] [--allow-gid N] [--group G] [--max-conns N]
 *   [--max-outbuf N] [--max-parked N]
 * With $RPC_TESTD_STARTS set, appends its pid to that file on start.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "arena.h"
#include "log.h"
#include "rpc.h"
#include "xmalloc.h"

struct testd {
	struct ev_loop		*loop;
	struct rpc_server	*srv;
	unsigned		 cancelled;
};

/* A parked request with the timer that answers it. */
struct parked {
	struct testd	*t;
	struct rpc_req	*req;
	ev_timer	 timer;
};

static void
testd_status(struct rpc_req *req, void *arg)
{
	struct testd *t = arg;
	struct proto_enc e;

	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_SERVER, "rpc_testd");
	proto_enc_kv_uint(&e, PROTO_F_PID, (uint64_t)getpid());
	proto_enc_kv_uint(&e, PROTO_F_CONNECTIONS,
	    rpc_server_connections(t->srv));
	proto_enc_kv_uint(&e, PROTO_F_EVENTS, t->cancelled);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}

static void
parked_cancel(struct rpc_req *req, void *arg)
{
	struct parked *p = arg;

	(void)req;
	ev_timer_stop(p->t->loop, &p->timer);
	p->t->cancelled++;
	free(p);
}

static void
wait_done(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct parked *p = w->data;
	struct proto_enc e;

	(void)loop;
	(void)revents;
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_uint(&e, PROTO_F_PASSES, 0);
	proto_enc_key(&e, PROTO_F_FAILED);
	proto_enc_array(&e);
	proto_enc_end(&e);
	proto_enc_end(&e);
	rpc_reply(p->req, &e);
	proto_enc_free(&e);
	free(p);
}

static struct parked *
park(struct testd *t, struct rpc_req *req,
    void (*cb)(struct ev_loop *, ev_timer *, int), double after)
{
	struct parked *p = xcalloc(1, sizeof(*p));

	p->t = t;
	p->req = req;
	ev_timer_init(&p->timer, cb, after, 0.);
	p->timer.data = p;
	rpc_req_park(req, parked_cancel, p);
	if (after >= 0)
		ev_timer_start(t->loop, &p->timer);
	return p;
}

static void
testd_wait(struct rpc_req *req, void *arg)
{
	const msgpack_object *params = rpc_req_params(req);

	if (proto_get(params, PROTO_F_TIMEOUT_MS) == NULL)
		park(arg, req, wait_done, -1);
	else
		park(arg, req, wait_done,
		    (double)proto_get_uint(params, PROTO_F_TIMEOUT_MS, 0) / 1e3);
}

static void
testd_show(struct rpc_req *req, void *arg)
{
	const char *id = proto_get_str(rpc_req_params(req), PROTO_F_ID,
	    rpc_req_arena(req));
	struct proto_enc e;
	size_t n = 0;
	char *text;

	(void)arg;
	if (sscanf(id, "big:%zu", &n) == 1) {
		text = xmalloc(n + 1);
		memset(text, 'x', n);
	} else {
		text = xstrdup(id);
		n = strlen(id);
	}
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_ID, id);
	proto_enc_key(&e, PROTO_F_TEXT);
	proto_enc_strn(&e, text, n);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
	free(text);
}

static void
testd_generate(struct rpc_req *req, void *arg)
{
	(void)arg;
	rpc_reply(req, NULL);
}

static void
subscribe_send(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct parked *p = w->data;
	struct proto_enc e;

	(void)loop;
	(void)revents;
	proto_enc_init(&e);
	for (int i = 0; i < 3; i++) {
		proto_enc_reset(&e);
		proto_enc_map(&e);
		proto_enc_kv_str(&e, PROTO_F_TYPE, "generated");
		proto_enc_kv_uint(&e, PROTO_F_LINE, (uint64_t)i);
		proto_enc_end(&e);
		if (rpc_notify(p->req, PROTO_N_EVENT, &e) == -1)
			break;
	}
	proto_enc_reset(&e);
	proto_enc_map(&e);
	proto_enc_kv_uint(&e, PROTO_F_EVENTS, 3);
	proto_enc_kv_str(&e, PROTO_F_REASON, "test");
	proto_enc_end(&e);
	rpc_reply(p->req, &e);
	proto_enc_free(&e);
	free(p);
}

static void
testd_subscribe(struct rpc_req *req, void *arg)
{
	park(arg, req, subscribe_send, 0.);
}

static void
testd_health(struct rpc_req *req, void *arg)
{
	(void)arg;
	rpc_reply_error(req, PROTO_E_FAILED, "'x' is undefined",
	    "templates/a.j2", 3);
}

static void
testd_deps(struct rpc_req *req, void *arg)
{
	(void)req;
	(void)arg;
}

static void
testd_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static const struct {
	enum proto_method	 m;
	rpc_handler		 fn;
} handlers[] = {
	{ PROTO_M_STATUS, testd_status },
	{ PROTO_M_WAIT, testd_wait },
	{ PROTO_M_SHOW, testd_show },
	{ PROTO_M_GENERATE, testd_generate },
	{ PROTO_M_SUBSCRIBE, testd_subscribe },
	{ PROTO_M_HEALTH, testd_health },
	{ PROTO_M_DEPS, testd_deps },
};

static void
note_start(void)
{
	const char *f = getenv("RPC_TESTD_STARTS");
	char line[32];
	int fd, n;

	if (f == NULL)
		return;
	if ((fd = open(f, O_WRONLY | O_CREAT | O_APPEND, 0600)) == -1)
		fatal("open %s", f);
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (write(fd, line, (size_t)n) != n)
		fatal("write %s", f);
	close(fd);
}

/* Parse the options into cfg (id arrays are static: one each). */
static void
parse_args(int argc, char **argv, struct rpc_config *cfg)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "allow-uid", required_argument, NULL, 'u' },
		{ "read-uid", required_argument, NULL, 'r' },
		{ "allow-gid", required_argument, NULL, 'g' },
		{ "group", required_argument, NULL, 'G' },
		{ "max-conns", required_argument, NULL, 'c' },
		{ "max-outbuf", required_argument, NULL, 'o' },
		{ "max-parked", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static uid_t allow_uid, read_uid;
	static gid_t allow_gid;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': cfg->socket = optarg; break;
		case 'f': break;
		case 'u': allow_uid = (uid_t)atol(optarg);
			cfg->allow_uids = &allow_uid;
			cfg->nallow_uids = 1;
			break;
		case 'r': read_uid = (uid_t)atol(optarg);
			cfg->read_uids = &read_uid;
			cfg->nread_uids = 1;
			break;
		case 'g': allow_gid = (gid_t)atol(optarg);
			cfg->allow_gids = &allow_gid;
			cfg->nallow_gids = 1;
			break;
		case 'G': cfg->group = (gid_t)atol(optarg);
			cfg->has_group = true;
			break;
		case 'c': cfg->max_conns = (unsigned)atol(optarg); break;
		case 'o': cfg->max_outbuf = (size_t)atol(optarg); break;
		case 'p': cfg->max_parked = (unsigned)atol(optarg); break;
		default: fatalx("bad option");
		}
	}
	if (cfg->socket == NULL)
		fatalx("--socket is required");
}

int
main(int argc, char **argv)
{
	struct rpc_config cfg = { .server = "rpc_testd" };
	struct testd t = { .loop = EV_DEFAULT };
	ev_signal sterm, sint;
	char *cause = NULL;

	log_init("rpc_testd", LOG_LEVEL_DEBUG);
	parse_args(argc, argv, &cfg);
	if ((t.srv = rpc_server_new(t.loop, &cfg, &cause)) == NULL) {
		fprintf(stderr, "rpc_testd: %s\n", cause);
		free(cause);
		return 1;
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		rpc_register(t.srv, handlers[i].m, handlers[i].fn, &t);
	note_start();
	ev_signal_init(&sterm, testd_signal, SIGTERM);
	ev_signal_init(&sint, testd_signal, SIGINT);
	ev_signal_start(t.loop, &sterm);
	ev_signal_start(t.loop, &sint);
	ev_run(t.loop, 0);
	rpc_server_free(t.srv);
	ev_loop_destroy(t.loop);
	return 0;
}
