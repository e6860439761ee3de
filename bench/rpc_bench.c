/*
 * rpc_bench — msgpack-rpc round trips through chorac's client and
 * choradd's server: latency on an idle server, then many concurrent
 * clients.
 *
 * By default the server runs in this process (chora_rpc on its own
 * thread and libev loop) answering `status` with a small fixed map, so
 * what is measured is framing, validation, dispatch and the socket, not
 * daemon work.  With --socket PATH it measures whatever serves PATH
 * instead: bench/rpc_peer.py is the same server written in Python
 * (asyncio + msgpack), the peer the numbers are compared with.  With
 * --serve PATH it only serves (until SIGTERM), so that chora_rpc can be
 * measured from another process exactly like the peer
 * (bench/rpc_bench.sh does both).
 *
 * Output: one line per phase with count, errors, p50/p99/mean in
 * microseconds and requests per second; --json prints one JSON object.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "client.h"
#include "log.h"
#include "rpc.h"
#include "xmalloc.h"

struct bench_opts {
	const char	*socket;	/* external server, or NULL */
	const char	*serve;		/* only serve at this path */
	unsigned	 iterations;	/* idle round trips */
	unsigned	 clients;	/* concurrent phase */
	unsigned	 per_client;
	bool		 json;
};

struct server {
	struct ev_loop		*loop;
	struct rpc_server	*rpc;
	ev_async		 stop;
	pthread_t		 thread;
	char			 dir[64];
	char			*socket;
};

struct phase {
	uint64_t	*ns;		/* latency of each request */
	size_t		 n;
	size_t		 errors;
	double		 seconds;	/* wall time of the phase */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the in-process server ------------------------------------------------ */

static void
bench_status(struct rpc_req *req, void *arg)
{
	struct server *s = arg;
	struct proto_enc e;

	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_SERVER, "rpc_bench");
	proto_enc_kv_uint(&e, PROTO_F_PID, (uint64_t)getpid());
	proto_enc_kv_uint(&e, PROTO_F_UPTIME, 0);
	proto_enc_kv_uint(&e, PROTO_F_CONNECTIONS,
	    rpc_server_connections(s->rpc));
	proto_enc_key(&e, PROTO_F_ROOTS);
	proto_enc_array(&e);
	proto_enc_end(&e);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}

static void
server_stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void
server_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void *
server_main(void *arg)
{
	struct server *s = arg;

	ev_run(s->loop, 0);
	return NULL;
}

/* Listen at path, or in a new temporary directory for NULL. */
static void
server_open(struct server *s, const char *path)
{
	struct rpc_config cfg = { .server = "rpc_bench", .max_conns = 1024 };
	char *cause = NULL;

	s->dir[0] = '\0';
	if (path == NULL) {
		strcpy(s->dir, "/tmp/chora-bench-XXXXXX");
		if (mkdtemp(s->dir) == NULL)
			fatal("mkdtemp");
		s->socket = xprintf("%s/choradd.sock", s->dir);
	} else
		s->socket = xstrdup(path);
	cfg.socket = s->socket;
	if ((s->loop = ev_loop_new(EVFLAG_AUTO)) == NULL)
		fatalx("ev_loop_new failed");
	if ((s->rpc = rpc_server_new(s->loop, &cfg, &cause)) == NULL)
		fatalx("%s", cause);
	rpc_register(s->rpc, PROTO_M_STATUS, bench_status, s);
	ev_async_init(&s->stop, server_stop_cb);
	ev_async_start(s->loop, &s->stop);
}

static void
server_start(struct server *s)
{
	server_open(s, NULL);
	if ((errno = pthread_create(&s->thread, NULL, server_main, s)) != 0)
		fatal("pthread_create");
}

static void
server_close(struct server *s)
{
	rpc_server_free(s->rpc);
	ev_loop_destroy(s->loop);
	if (s->dir[0] != '\0' && rmdir(s->dir) == -1)
		log_warn("rmdir %s", s->dir);
	free(s->socket);
}

/* --serve: answer until SIGTERM or SIGINT. */
static void
server_foreground(const char *path)
{
	struct server s;
	ev_signal sterm, sint;

	server_open(&s, path);
	ev_signal_init(&sterm, server_signal_cb, SIGTERM);
	ev_signal_init(&sint, server_signal_cb, SIGINT);
	ev_signal_start(s.loop, &sterm);
	ev_signal_start(s.loop, &sint);
	ev_run(s.loop, 0);
	server_close(&s);
}

static void
server_stop(struct server *s)
{
	ev_async_send(s->loop, &s->stop);
	if ((errno = pthread_join(s->thread, NULL)) != 0)
		fatal("pthread_join");
	server_close(s);
}

/* ---- clients -------------------------------------------------------------- */

struct worker {
	const char	*socket;
	unsigned	 count;
	uint64_t	*ns;		/* count slots */
	size_t		 errors;
	pthread_t	 thread;
};

/* count status round trips on one connection, timing each. */
static void
run_calls(struct worker *w)
{
	struct client_opts o = { .socket = w->socket, .no_spawn = true,
	    .timeout_ms = 10000, .name = "rpc_bench" };
	struct client_error err;
	struct client_reply r;
	struct client *c;
	uint64_t t0;

	if ((c = client_open(&o, &err)) == NULL) {
		log_warnx("%s", err.message);
		client_error_clear(&err);
		w->errors += w->count;
		return;
	}
	for (unsigned i = 0; i < w->count; i++) {
		t0 = now_ns();
		if (client_call(c, PROTO_M_STATUS, NULL, NULL, NULL, &r,
		    &err) == -1) {
			w->errors++;
			client_error_clear(&err);
			w->ns[i] = now_ns() - t0;
			continue;
		}
		w->ns[i] = now_ns() - t0;
		if (proto_get(r.result, PROTO_F_PID) == NULL)
			w->errors++;
		client_reply_free(&r);
	}
	client_close(c);
}

static void *
worker_main(void *arg)
{
	run_calls(arg);
	return NULL;
}

/* nclients threads, each making per_client calls; latencies pooled. */
static void
run_phase(const char *socket, unsigned nclients, unsigned per_client,
    struct phase *p)
{
	struct worker *w = xcalloc(nclients, sizeof(*w));
	uint64_t t0;

	p->n = (size_t)nclients * per_client;
	p->ns = xcalloc(p->n, sizeof(*p->ns));
	p->errors = 0;
	for (unsigned i = 0; i < nclients; i++) {
		w[i].socket = socket;
		w[i].count = per_client;
		w[i].ns = p->ns + (size_t)i * per_client;
	}
	t0 = now_ns();
	if (nclients == 1)
		run_calls(&w[0]);
	else {
		for (unsigned i = 0; i < nclients; i++)
			if ((errno = pthread_create(&w[i].thread, NULL,
			    worker_main, &w[i])) != 0)
				fatal("pthread_create");
		for (unsigned i = 0; i < nclients; i++)
			pthread_join(w[i].thread, NULL);
	}
	p->seconds = (double)(now_ns() - t0) / 1e9;
	for (unsigned i = 0; i < nclients; i++)
		p->errors += w[i].errors;
	free(w);
}

/* ---- report --------------------------------------------------------------- */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct_us(const uint64_t *sorted, size_t n, double q)
{
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);

	return (double)sorted[i] / 1e3;
}

static void
report(const char *name, struct phase *p, bool json, bool last)
{
	double sum = 0;

	qsort(p->ns, p->n, sizeof(*p->ns), cmp_u64);
	for (size_t i = 0; i < p->n; i++)
		sum += (double)p->ns[i];
	if (json)
		printf("\"%s\":{\"requests\":%zu,\"errors\":%zu,"
		    "\"p50_us\":%.1f,\"p99_us\":%.1f,\"mean_us\":%.1f,"
		    "\"rps\":%.0f}%s", name, p->n, p->errors,
		    pct_us(p->ns, p->n, .5), pct_us(p->ns, p->n, .99),
		    sum / (double)p->n / 1e3, (double)p->n / p->seconds,
		    last ? "" : ",");
	else
		printf("%-10s requests %-7zu errors %-4zu p50 %7.1f us  "
		    "p99 %7.1f us  mean %7.1f us  %9.0f req/s\n", name, p->n,
		    p->errors, pct_us(p->ns, p->n, .5),
		    pct_us(p->ns, p->n, .99), sum / (double)p->n / 1e3,
		    (double)p->n / p->seconds);
	free(p->ns);
}

static void
usage(void)
{
	fprintf(stderr, "usage: rpc_bench [--socket PATH] [--iterations N] "
	    "[--clients N] [--per-client N] [--json]\n"
	    "       rpc_bench --serve PATH\n");
	exit(2);
}

static void
parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "clients", required_argument, NULL, 'c' },
		{ "per-client", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "serve", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->socket = optarg; break;
		case 'i': o->iterations = (unsigned)atoi(optarg); break;
		case 'c': o->clients = (unsigned)atoi(optarg); break;
		case 'p': o->per_client = (unsigned)atoi(optarg); break;
		case 'j': o->json = true; break;
		case 'S': o->serve = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || o->iterations == 0 || o->clients == 0 ||
	    o->per_client == 0)
		usage();
}

int
main(int argc, char **argv)
{
	struct bench_opts o = { NULL, NULL, 20000, 64, 1000, false };
	struct server srv;
	struct phase idle, conc, warm;
	const char *socket;

	log_init("rpc_bench", LOG_LEVEL_WARN);
	parse(argc, argv, &o);
	if (o.serve != NULL) {
		server_foreground(o.serve);
		return 0;
	}
	if ((socket = o.socket) == NULL) {
		server_start(&srv);
		socket = srv.socket;
	}
	run_phase(socket, 1, 1000, &warm);
	free(warm.ns);
	run_phase(socket, 1, o.iterations, &idle);
	run_phase(socket, o.clients, o.per_client, &conc);
	if (o.json)
		printf("{\"server\":\"%s\",", o.socket ? "external" :
		    "chora_rpc");
	report("idle", &idle, o.json, false);
	report("concurrent", &conc, o.json, true);
	if (o.json)
		printf("}\n");
	if (o.socket == NULL)
		server_stop(&srv);
	return idle.errors + conc.errors == 0 && warm.errors == 0 ? 0 : 1;
}
