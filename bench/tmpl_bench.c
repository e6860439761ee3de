/*
 * tmpl_bench — render throughput of the template engine.
 *
 *   tmpl_bench TEMPLATE DATA.json RUNS RENDERS_PER_RUN
 *
 * Compiles TEMPLATE once (trim_blocks and lstrip_blocks on, strict
 * undefined), then times RUNS batches of RENDERS_PER_RUN renders with
 * the same context and prints one line:
 *   median_us=<median microseconds per render> min_us=... bytes=<output
 *   size> sha256=<output digest> maxrss_kb=<peak RSS>
 * tmpl_bench.py prints the same line for Python's Jinja2, so the driver
 * (tmpl_bench.sh) can compare outputs and times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fileio.h"
#include "hash.h"
#include "path.h"
#include "tmpl.h"
#include "xmalloc.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
bench_fail(const struct tmpl_error *err)
{
	char *m = tmpl_error_format(err);

	fprintf(stderr, "%s\n", m);
	free(m);
	return 1;
}

int
main(int argc, char **argv)
{
	struct tmpl_options o = { .trim_blocks = true, .lstrip_blocks = true };
	struct tmpl_error err = { 0 };
	struct tmpl_result r;
	char *json, hex[HASH_HEX_SIZE];
	size_t len;

	if (argc != 5) {
		fprintf(stderr, "usage: tmpl_bench TEMPLATE DATA RUNS "
		    "RENDERS_PER_RUN\n");
		return 2;
	}
	int runs = atoi(argv[3]), per = atoi(argv[4]);
	if (runs < 1 || per < 1 || fileio_read(argv[2], &json, &len) == -1) {
		fprintf(stderr, "tmpl_bench: bad arguments or data file\n");
		return 2;
	}
	tmpl_data *d = tmpl_data_parse(json, len, argv[2], &err);
	free(json);
	if (d == NULL)
		return bench_fail(&err);
	char *dir = path_dirname(argv[1]);
	tmpl_env *env = tmpl_env_new(&o, dir);
	tmpl_ctx *ctx = tmpl_ctx_new();
	tmpl_ctx_set_keys(ctx, tmpl_data_root(d));
	const char *name = path_basename(argv[1]);

	/* warm up: compiles and caches the template */
	if (tmpl_render(env, name, ctx, &r) == -1)
		return bench_fail(&r.err);
	hash_sha256_hex(r.text, r.len, hex);
	size_t bytes = r.len;
	tmpl_result_clear(&r);

	double *t = xreallocarray(NULL, (size_t)runs, sizeof(double));
	for (int i = 0; i < runs; i++) {
		double start = now_us();
		for (int k = 0; k < per; k++) {
			if (tmpl_render(env, name, ctx, &r) == -1)
				return bench_fail(&r.err);
			tmpl_result_clear(&r);
		}
		t[i] = (now_us() - start) / per;
	}
	qsort(t, (size_t)runs, sizeof(double), cmp_double);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("median_us=%.2f min_us=%.2f bytes=%zu sha256=%s maxrss_kb=%ld\n",
	    t[runs / 2], t[0], bytes, hex, ru.ru_maxrss);
	free(t);
	free(dir);
	tmpl_ctx_free(ctx);
	tmpl_env_free(env);
	tmpl_data_free(d);
	return 0;
}
