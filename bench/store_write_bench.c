/*
 * store_write_bench — what recording generations costs the store, in the
 * shape the daemon records them (choradd/storeq.c): transactions of
 * STOREQ_BATCH generations, each the output's text and its five
 * dependencies (config, template, include, its item of the data file, the
 * rest of that file), as bench/daemon/mkproject.py's project makes them,
 * without an event each (the daemon records one per pass).
 *
 *   store_write_bench DIR N ROUNDS [PHASES [CACHE_KIB]]
 *
 * Phases, each over all N outputs, ROUNDS times (medians printed, in µs
 * per generation):
 *   cold      the first generation of every output (a fresh store)
 *   template  the include changed: new text, one dependency's hash moved
 *   same      the same dependencies again (new text, e.g. a forced
 *             regeneration or a data edit that left every hash alone)
 * and the size of storage.db after the first cold phase.  DIR is
 * emptied first.  PHASES (1-3) runs only the first phases, so that an
 * instruction count (valgrind --tool=callgrind) can be taken per phase
 * by difference; CACHE_KIB is the store's page cache (the daemon's
 * writer's by default).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hash.h"
#include "store.h"
#include "storeq.h"
#include "xmalloc.h"

#define NDEPS	5

struct out {
	char	 id[32];
	char	 item[64];
	char	 item_hash[HASH_HEX_SIZE];
	char	 path[48];
	char	 text[320];
};

static void
die(const char *what, char *cause)
{
	fprintf(stderr, "store_write_bench: %s: %s\n", what, cause ? cause : "");
	exit(1);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
hash_of(const char *s, int round, char out[HASH_HEX_SIZE])
{
	char *t = xprintf("%s@%d", s, round);

	hash_sha256_hex(t, strlen(t), out);
	free(t);
}

/* Record every output once, in batches as the writer thread does. */
static double
record(struct store *s, struct out *o, int n, int text_round,
    int include_round)
{
	char cfg[HASH_HEX_SIZE], tpl[HASH_HEX_SIZE], inc[HASH_HEX_SIZE];
	char rest[HASH_HEX_SIZE], *cause = NULL;
	double t0 = now_us();

	hash_of("config", 0, cfg);
	hash_of("templates/out.j2", 0, tpl);
	hash_of("templates/common.j2", include_round, inc);
	hash_of("data.json#rest", 0, rest);
	for (int base = 0; base < n; base += STOREQ_BATCH) {
		if (store_begin_batch(s, &cause) == -1)
			die("begin", cause);
		for (int i = base; i < n && i < base + STOREQ_BATCH; i++) {
			struct store_dep d[NDEPS] = {
				{ STORE_KIND_TEMPLATE, "templates/out.j2",
				    "templates/out.j2", tpl },
				{ STORE_KIND_TEMPLATE, "templates/common.j2",
				    "templates/common.j2", inc },
				{ STORE_KIND_CONFIG, "items", NULL, cfg },
				{ STORE_KIND_DATA_PART, o[i].item, "data.json",
				    o[i].item_hash },
				{ STORE_KIND_DATA_PART, "data.json#rest",
				    "data.json", rest },
			};
			struct store_generation g = {
				.content = {
					.id = o[i].id, .config_id = "items",
					.config_hash = cfg,
					.output_path = o[i].path,
					.text = o[i].text,
				},
				.deps = d, .ndeps = NDEPS, .uid = -1,
				.no_event = true,	/* one per pass */
			};
			g.content.len = (size_t)snprintf(o[i].text,
			    sizeof o[i].text, "# %s (round %d)\nservices:\n"
			    "  %s:\n    image: registry.example.com/team/"
			    "service-%d:latest\n    environment:\n      MODE:"
			    " \"test\"\n      SHARD: \"%d\"\n    restart: "
			    "always\n", o[i].id, text_round, o[i].id, i % 97,
			    i % 16);
			if (store_generation_put(s, &g, &cause) == -1)
				die("generation", cause);
		}
		if (store_commit(s, &cause) == -1)
			die("commit", cause);
	}
	return (now_us() - t0) / n;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return v[n / 2];
}

int
main(int argc, char **argv)
{
	struct store_options opt = { .flags = STORE_NOFSYNC, .history = 50,
	    .cache_kib = STOREQ_CACHE_KIB };
	char *cause = NULL, *cmd, *db;
	struct out *o;
	struct stat sb;
	int n, rounds, phases = 3;
	double *cold, *tpl, *same;
	long long dbsize = 0;

	if (argc < 4 || argc > 6 || (n = atoi(argv[2])) <= 0 ||
	    (rounds = atoi(argv[3])) <= 0 ||
	    (argc >= 5 && ((phases = atoi(argv[4])) < 1 || phases > 3))) {
		fprintf(stderr, "usage: store_write_bench DIR N ROUNDS "
		    "[PHASES [CACHE_KIB]]\n");
		return 2;
	}
	if (argc == 6)
		opt.cache_kib = (unsigned)atoi(argv[5]);
	o = xcalloc((size_t)n, sizeof *o);
	for (int i = 0; i < n; i++) {
		snprintf(o[i].id, sizeof o[i].id, "items/i%05d", i);
		snprintf(o[i].item, sizeof o[i].item, "data.json#item:%s",
		    o[i].id);
		hash_of(o[i].item, 0, o[i].item_hash);
		snprintf(o[i].path, sizeof o[i].path, "out/i%05d.txt", i);
	}
	cold = xcalloc((size_t)rounds, sizeof *cold);
	tpl = xcalloc((size_t)rounds, sizeof *tpl);
	same = xcalloc((size_t)rounds, sizeof *same);
	db = xprintf("%s/.chora/storage.db", argv[1]);
	for (int r = 0; r < rounds; r++) {
		struct store *s;

		cmd = xprintf("rm -rf '%s/.chora'", argv[1]);
		if (system(cmd) != 0)
			die("rm", NULL);
		free(cmd);
		if ((s = store_open(argv[1], &opt, &cause)) == NULL)
			die("open", cause);
		cold[r] = record(s, o, n, 0, 0);
		if (r == 0 && stat(db, &sb) == 0)
			dbsize = (long long)sb.st_size;
		if (phases > 1)
			tpl[r] = record(s, o, n, 1, 1);
		if (phases > 2)
			same[r] = record(s, o, n, 2, 1);
		store_close(s);
	}
	printf("N=%d rounds=%d: cold %.1f us, template %.1f us, same %.1f us "
	    "per generation; storage.db %lld bytes after cold\n", n, rounds,
	    median(cold, rounds), median(tpl, rounds), median(same, rounds),
	    dbsize);
	free(db);
	free(cold);
	free(tpl);
	free(same);
	free(o);
	return 0;
}
