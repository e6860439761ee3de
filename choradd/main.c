/*
 * choradd — the daemon: options, modes, signals.
 *
 * Three modes share one engine.  The daemon (default) serves every root
 * until SIGTERM, regenerating on change; --once runs one pass over every
 * root and exits 0, or 1 when an output failed; --check renders every
 * output, writes nothing, and exits 1 listing each output that is stale,
 * drifted, missing or failing (what CI runs).  In every mode the event
 * loop only schedules: renders and writes run on the worker pool.
 */
#include <ev.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fileio.h"
#include "log.h"
#include "path.h"
#include "pool.h"
#include "project.h"
#include "proto.h"
#include "root.h"
#include "rpc.h"
#include "rpc_methods.h"
#include "scheduler.h"
#include "sd.h"
#include "xmalloc.h"

enum mode { MODE_DAEMON, MODE_ONCE, MODE_CHECK };

struct daemon {
	enum mode	 mode;
	struct ev_loop	*loop;
	struct pool	*pool;
	struct sched	*sched;
	bool		 ready;		/* READY=1 sent */
	bool		 fixed_drift;	/* --once: second pass done */
	int		 exit;
	struct rpc_daemon rpcd;		/* the roots, and what method
					   handlers see */
	ev_signal	 sigterm, sigint, sighup;
};

static void
usage(void)
{
	fprintf(stderr, "usage: choradd [--root DIR]... [--config FILE] "
	    "[--socket PATH] [--foreground]\n               [--once] [--check] "
	    "[--log-level error|warn|info|debug]\n");
	exit(2);
}

/* Serve the socket (daemon mode): --socket, choradd.conf, or the
 * default path; systemd's socket when activated. */
static struct rpc_server *
serve(struct daemon *d, const char *opt, const struct conf *conf)
{
	struct rpc_config cfg = { 0 };
	struct rpc_server *s;
	char *path, *cause = NULL;

	if ((path = proto_socket_path(opt != NULL ? opt : conf->socket,
	    &cause)) == NULL)
		fatalx("%s", cause);
	cfg.socket = path;
	cfg.server = "choradd " CHORA_VERSION;
	cfg.owner = getuid();
	cfg.group = (gid_t)-1;
	cfg.allow_uids = conf->uids;
	cfg.nallow_uids = conf->nuids;
	cfg.allow_gids = conf->gids;
	cfg.nallow_gids = conf->ngids;
	cfg.read_uids = conf->read_uids;
	cfg.nread_uids = conf->nread_uids;
	cfg.read_gids = conf->read_gids;
	cfg.nread_gids = conf->nread_gids;
	if ((s = rpc_server_new(d->loop, &cfg, &cause)) == NULL)
		fatalx("%s", cause);
	rpc_methods_register(s, &d->rpcd);
	log_info("serving %s", rpc_server_socket(s));
	free(path);
	return s;
}

/* Write <root>/.chora/daemon-status.json: counters and problems. */
static void
write_status(struct project *p)
{
	struct project_stats st;
	struct project_problem *pr;
	size_t n;
	char *path = path_join(project_path(p), ".chora/daemon-status.json");
	char *cause = NULL;
	FILE *f;
	char *text = NULL;
	size_t len = 0;

	project_stats(p, &st);
	pr = project_problems(p, &n);
	if ((f = open_memstream(&text, &len)) == NULL)
		fatal("open_memstream");
	fprintf(f, "{\"pid\":%ld,\"passes\":%llu,\"configs\":%zu,"
	    "\"outputs\":%zu,\"failed\":%zu,\"drifted\":%zu,\"generated\":%llu,"
	    "\"last_pass_ms\":%.3f,\"problems\":[", (long)getpid(),
	    (unsigned long long)st.passes, st.configs, st.outputs, st.failed,
	    st.drifted, (unsigned long long)st.generated, st.last_pass_ms);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s{\"what\":\"%s\",\"id\":\"", i ? "," : "",
		    pr[i].what);
		for (const char *s = pr[i].id; *s; s++)
			fprintf(f, *s == '"' || *s == '\\' ? "\\%c" :
			    (unsigned char)*s < 0x20 ? "\\u%04x" : "%c", *s);
		fprintf(f, "\",\"message\":\"");
		for (const char *s = pr[i].message; *s; s++)
			fprintf(f, *s == '"' || *s == '\\' ? "\\%c" :
			    (unsigned char)*s < 0x20 ? "\\u%04x" : "%c", *s);
		fprintf(f, "\"}");
	}
	fprintf(f, "]}\n");
	fclose(f);
	if (fileio_write_atomic(path, text, len, false, 0644, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
	}
	free(text);
	free(path);
	project_problems_free(pr, n);
}

static size_t
count_problems(struct daemon *d, bool drift_too, bool print)
{
	size_t total = 0;

	for (size_t i = 0; i < d->rpcd.nprojects; i++) {
		size_t n;
		struct project_problem *pr =
		    project_problems(d->rpcd.projects[i], &n);
		for (size_t k = 0; k < n; k++) {
			if (!drift_too && strcmp(pr[k].what, "drifted") == 0)
				continue;
			total++;
			if (!print)
				continue;
			if (strstr(pr[k].message, ": error: ") != NULL)
				printf("%s\n", pr[k].message);
			else
				printf("%s: %s: %s\n", pr[k].what, pr[k].id,
				    pr[k].message);
		}
		project_problems_free(pr, n);
	}
	return total;
}

static void
on_pass(void *arg, struct project *p)
{
	struct daemon *d = arg;
	struct project_stats st;

	project_stats(p, &st);
	log_info("%s: pass %llu in %.1f ms: %zu outputs, %zu failed, "
	    "%zu drifted", project_path(p), (unsigned long long)st.passes,
	    st.last_pass_ms, st.outputs, st.failed, st.drifted);
	if (d->mode != MODE_CHECK)
		write_status(p);
	if (d->mode == MODE_DAEMON) {
		sd_status("%zu outputs, %zu failed, %zu drifted; last pass "
		    "%.1f ms", st.outputs, st.failed, st.drifted,
		    st.last_pass_ms);
		if (!d->ready && sched_idle(d->sched)) {
			d->ready = true;
			sd_ready();
		}
		return;
	}
	if (!sched_idle(d->sched))
		return;
	if (d->mode == MODE_ONCE && !d->fixed_drift) {
		/* --once leaves every output matching its sources: outputs
		 * edited by hand (kept in history) are generated again. */
		size_t drifted = 0;
		for (size_t i = 0; i < d->rpcd.nprojects; i++) {
			project_stats(d->rpcd.projects[i], &st);
			drifted += st.drifted;
		}
		d->fixed_drift = true;
		if (drifted > 0) {
			for (size_t i = 0; i < d->rpcd.nprojects; i++)
				sched_generate(d->sched,
				    d->rpcd.projects[i], NULL, 0, false);
			return;
		}
	}
	ev_break(d->loop, EVBREAK_ALL);
}

static void
stopped(void *arg)
{
	struct daemon *d = arg;

	ev_break(d->loop, EVBREAK_ALL);
}

static void
on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;

	(void)loop;
	(void)revents;
	if (w->signum == SIGHUP) {
		log_info("SIGHUP: reloading configuration");
		for (size_t i = 0; i < d->rpcd.nprojects; i++)
			sched_touch(d->sched, d->rpcd.projects[i], NULL);
		return;
	}
	log_info("%s: finishing the output in hand", strsignal(w->signum));
	sd_stopping();
	sched_stop(d->sched, stopped, d);
}

static void
signals(struct daemon *d)
{
	struct { ev_signal *w; int sig; } s[] = {
		{ &d->sigterm, SIGTERM }, { &d->sigint, SIGINT },
		{ &d->sighup, SIGHUP },
	};

	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < 3; i++) {
		ev_signal_init(s[i].w, on_signal, s[i].sig);
		s[i].w->data = d;
		ev_signal_start(d->loop, s[i].w);
		ev_unref(d->loop);
	}
}

static void
open_roots(struct daemon *d, char **roots, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *cause = NULL;
		if (rpc_root_open(&d->rpcd, roots[i], &cause) != NULL)
			continue;
		if (d->mode == MODE_CHECK)
			printf("%s\n", cause);
		log_warnx("%s", cause);
		free(cause);
		d->exit = 1;
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "once", no_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'k' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = { .mode = MODE_DAEMON };
	struct rpc_server *server = NULL;
	struct conf conf;
	char **roots = NULL, *config = NULL, *cause = NULL, *socket = NULL;
	size_t nroots = 0;
	int c, level = -1;
	bool foreground = false;

	log_init("choradd", LOG_LEVEL_INFO);
	while ((c = getopt_long(argc, argv, "r:c:s:foklh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			roots = xreallocarray(roots, nroots + 1, sizeof(char *));
			roots[nroots++] = xstrdup(optarg);
			break;
		case 'c': config = optarg; break;
		case 's': socket = optarg; break;
		case 'f': foreground = true; break;
		case 'o': d.mode = MODE_ONCE; break;
		case 'k': d.mode = MODE_CHECK; break;
		case 'l':
			if ((level = log_level_parse(optarg)) == -1)
				usage();
			break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	{
		char *def = conf_default_path();
		if (conf_load(config != NULL ? config : def, config != NULL,
		    &conf, &cause) == -1)
			fatalx("%s", cause);
		free(def);
	}
	if (level == -1)
		level = conf.log_level != -1 ? conf.log_level :
		    d.mode == MODE_DAEMON ? LOG_LEVEL_INFO : LOG_LEVEL_WARN;
	log_setlevel((enum log_level)level);
	for (size_t i = 0; nroots == 0 && i < conf.nroots; i++) {
		roots = xreallocarray(roots, nroots + 1, sizeof(char *));
		roots[nroots++] = xstrdup(conf.roots[i]);
	}
	if (nroots == 0) {
		char *r = path_find_root(".", &cause);
		if (r == NULL && d.mode != MODE_DAEMON) {
			log_warnx("%s", cause);
			return 4;
		}
		if (r == NULL) {
			log_info("no project root here: serving the roots "
			    "clients name");
			free(cause);
		} else {
			roots = xcalloc(1, sizeof(char *));
			roots[nroots++] = r;
		}
	}
	if (d.mode == MODE_DAEMON && !foreground && getenv("NOTIFY_SOCKET") ==
	    NULL && daemon(1, 1) == -1)
		fatal("daemon");
	if ((d.loop = ev_loop_new(EVFLAG_AUTO)) == NULL)
		fatalx("cannot create the event loop");
	d.pool = pool_new(d.loop, conf.threads);
	d.sched = sched_new(d.loop, d.pool);
	sched_observe(d.sched, on_pass, &d);
	rpc_daemon_init(&d.rpcd, d.loop, d.sched, d.mode == MODE_CHECK,
	    d.mode == MODE_DAEMON);
	open_roots(&d, roots, nroots);
	/* A daemon may start empty: clients add the roots they name. */
	if (d.rpcd.nprojects == 0 && (d.mode != MODE_DAEMON || nroots > 0))
		return d.mode == MODE_DAEMON ? 1 : d.exit;
	if (d.mode == MODE_DAEMON) {
		signals(&d);
		sd_start(d.loop);
		server = serve(&d, socket, &conf);
	}
	sched_start(d.sched);
	ev_run(d.loop, 0);
	if (d.mode == MODE_CHECK && count_problems(&d, true, true) > 0)
		d.exit = 1;
	else if (d.mode == MODE_ONCE && count_problems(&d, false, false) > 0)
		d.exit = 1;	/* the failures were logged as they happened */
	sd_stop();
	rpc_daemon_stop(&d.rpcd);
	rpc_server_free(server);
	sched_free(d.sched);
	pool_free(d.pool);
	rpc_daemon_free(&d.rpcd);
	for (size_t i = 0; i < nroots; i++)
		free(roots[i]);
	free(roots);
	conf_clear(&conf);
	ev_loop_destroy(d.loop);
	return d.exit;
}
