/*
 * store_bench — latencies of the store's hot queries on a store of N
 * content entities with a realistic dependency graph.
 *
 *   store_bench populate DIR N   build DIR/.chora with N content entities
 *   store_bench query DIR N ROUNDS [NAME]
 *                                 median latency (µs) of each query (or
 *                                 of NAME), and the rows it returned
 *   store_bench sql               the SQL of each query, as JSON, so that
 *                                 store_bench.py runs the very same text
 *
 * The graph (N = 100,000): N/10 configs, of which N/100 are artifacts
 * built from 5 parts each and the rest content configs of 11 outputs;
 * N/100 page templates, each shared by the outputs of ~9 configs; 50
 * include templates, 1-3 per output; one data file per config plus, for
 * half the outputs, one of 20 shared data files.  Context: team (100
 * values: a --where selects 1%), kind, env.  Texts of ~1 KiB.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "hash.h"
#include "store.h"
#include "store_sqlite_int.h"
#include "xmalloc.h"

#define INCLUDES	50
#define SHARED_DATA	20
#define PARTS		5
#define PER_CONFIG	11
#define TEAMS		100

struct shape {
	int	n;		/* content entities */
	int	nart;		/* artifacts (configs and outputs) */
	int	ncfg;		/* content configs */
	int	ntpl;		/* page templates */
	int	nout;		/* outputs of content configs */
};

static struct shape
shape_of(int n)
{
	struct shape s = { .n = n, .nart = n / 100 };

	s.ncfg = n / 10 - s.nart;
	s.ntpl = n / 100;
	s.nout = s.ncfg * PER_CONFIG;
	return s;
}

/* The hash an input file has, in generation g (1 at populate time). */
static void
input_hash(const char *path, int g, char out[HASH_HEX_SIZE])
{
	char *s = xprintf("%s@%d", path, g);

	hash_sha256_hex(s, strlen(s), out);
	free(s);
}

static void
die(const char *what, char *cause)
{
	fprintf(stderr, "store_bench: %s: %s\n", what, cause ? cause : "");
	exit(1);
}

/* ---- populate ---- */

struct gen_buf {
	char			 ids[PARTS + 8][96];
	char			 hashes[PARTS + 8][HASH_HEX_SIZE];
	struct store_dep	 deps[PARTS + 8];
	size_t			 ndeps;
};

static void
dep_add(struct gen_buf *g, enum store_kind kind, const char *id,
    const char *hash)
{
	size_t i = g->ndeps++;

	snprintf(g->ids[i], sizeof g->ids[i], "%s", id);
	snprintf(g->hashes[i], sizeof g->hashes[i], "%s", hash);
	g->deps[i].kind = kind;
	g->deps[i].id = g->ids[i];
	g->deps[i].path = kind == STORE_KIND_CONFIG ||
	    kind == STORE_KIND_CONTENT ? NULL : g->ids[i];
	g->deps[i].hash = g->hashes[i];
}

static void
file_dep(struct gen_buf *g, enum store_kind kind, const char *path)
{
	char h[HASH_HEX_SIZE];

	input_hash(path, 1, h);
	dep_add(g, kind, path, h);
}

static char *
config_json(int i, bool artifact)
{
	return xprintf("{\"id\":\"cfg-%05d\",\"type\":\"%s\",\"version\":"
	    "\"1.%d.0\",\"template\":\"templates/t%04d.j2\",\"data\":"
	    "\"data/cfg-%05d.json\",\"foreach\":\"items\",\"key\":"
	    "\"{{ item.name }}\",\"output\":\"out/cfg-%05d/{{ item.name }}"
	    ".yml\",\"context\":{\"team\":\"t%02d\",\"kind\":\"k%d\","
	    "\"env\":\"%s\"},\"freshness\":\"dependency\"}", i,
	    artifact ? "artifact" : "content", i % 7, i % 1000, i, i,
	    i % TEAMS, i % 5, i % 2 ? "prod" : "dev");
}

static void
put_configs(struct store *s, const struct shape *sh, char hashes[][HASH_HEX_SIZE])
{
	char *cause = NULL, id[32];

	for (int i = 0; i < sh->ncfg + sh->nart; i++) {
		char *json = config_json(i, i >= sh->ncfg);
		snprintf(id, sizeof id, "cfg-%05d", i);
		struct store_config c = { .id = id, .version = "1.0.0",
		    .type = i >= sh->ncfg ? "artifact" : "content",
		    .json = json };
		if (store_config_put(s, &c, &cause) == -1)
			die("config", cause);
		memcpy(hashes[i], c.hash, HASH_HEX_SIZE);
		free(json);
	}
}

static char *
output_text(int o, size_t *len)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "# generated: output %d\nservices:\n", o);
	while (b.len < 1000)
		buf_printf(&b, "  svc-%d-%zu:\n    image: registry/app:%d\n",
		    o, b.len, o % 13);
	return buf_detach(&b, len);
}

static void
fill_output(struct gen_buf *g, const struct shape *sh, int o,
    char cfghash[][HASH_HEX_SIZE])
{
	int cfg = o / PER_CONFIG;
	char path[96], cid[32];

	g->ndeps = 0;
	snprintf(cid, sizeof cid, "cfg-%05d", cfg);
	dep_add(g, STORE_KIND_CONFIG, cid, cfghash[cfg]);
	snprintf(path, sizeof path, "templates/t%04d.j2", cfg % sh->ntpl);
	file_dep(g, STORE_KIND_TEMPLATE, path);
	for (int k = 0; k < 1 + o % 3; k++) {
		snprintf(path, sizeof path, "templates/inc/%02d.j2",
		    (o + 17 * k) % INCLUDES);
		file_dep(g, STORE_KIND_TEMPLATE, path);
	}
	snprintf(path, sizeof path, "data/cfg-%05d.json", cfg);
	file_dep(g, STORE_KIND_DATA, path);
	if (o % 2) {
		snprintf(path, sizeof path, "data/shared-%02d.json",
		    o % SHARED_DATA);
		file_dep(g, STORE_KIND_DATA, path);
	}
}

static int
part_of(const struct shape *sh, int art, int p)
{
	return (int)(((long)art * 97 + (long)p * 1013) % sh->nout);
}

static void
populate(const char *dir, int n)
{
	struct shape sh = shape_of(n);
	struct store_options opt = { .flags = STORE_NOFSYNC };
	char (*cfghash)[HASH_HEX_SIZE], (*outhash)[HASH_HEX_SIZE];
	char *cause = NULL;
	struct store *s;
	enum { BATCH = 1000 };
	struct store_generation *gen = xcalloc(BATCH, sizeof *gen);
	struct gen_buf *gb = xcalloc(BATCH, sizeof *gb);
	char (*ids)[64] = xcalloc(BATCH, sizeof *ids);
	char (*ctx)[96] = xcalloc(BATCH, sizeof *ctx);
	char **texts = xcalloc(BATCH, sizeof *texts);

	if ((s = store_open(dir, &opt, &cause)) == NULL)
		die("open", cause);
	cfghash = xcalloc((size_t)(sh.ncfg + sh.nart), HASH_HEX_SIZE);
	outhash = xcalloc((size_t)sh.nout, HASH_HEX_SIZE);
	put_configs(s, &sh, cfghash);

	for (int base = 0; base < sh.nout + sh.nart; base += BATCH) {
		int m = 0;
		for (int o = base; o < base + BATCH && o < sh.nout + sh.nart;
		    o++, m++) {
			struct store_content *c = &gen[m].content;
			int cfg = o < sh.nout ? o / PER_CONFIG :
			    sh.ncfg + (o - sh.nout);
			size_t len;

			memset(&gen[m], 0, sizeof gen[m]);
			texts[m] = output_text(o, &len);
			if (o < sh.nout) {
				fill_output(&gb[m], &sh, o, cfghash);
				snprintf(ids[m], sizeof ids[m],
				    "cfg-%05d/item-%02d", cfg, o % PER_CONFIG);
			} else {
				int art = o - sh.nout;
				char cid[32], pid[64];
				gb[m].ndeps = 0;
				snprintf(cid, sizeof cid, "cfg-%05d", cfg);
				dep_add(&gb[m], STORE_KIND_CONFIG, cid,
				    cfghash[cfg]);
				for (int p = 0; p < PARTS; p++) {
					int part = part_of(&sh, art, p);
					snprintf(pid, sizeof pid,
					    "cfg-%05d/item-%02d",
					    part / PER_CONFIG,
					    part % PER_CONFIG);
					dep_add(&gb[m], STORE_KIND_CONTENT,
					    pid, outhash[part]);
				}
				snprintf(ids[m], sizeof ids[m], "art-%04d",
				    art);
			}
			snprintf(ctx[m], sizeof ctx[m], "{\"team\":\"t%02d\","
			    "\"kind\":\"k%d\",\"env\":\"%s\"}", cfg % TEAMS,
			    cfg % 5, cfg % 2 ? "prod" : "dev");
			c->id = ids[m];
			c->text = texts[m];
			c->len = len;
			c->context = ctx[m];
			c->config_id = gb[m].deps[0].id;
			c->config_hash = gb[m].deps[0].hash;
			c->config_version = "1.0.0";
			c->output_path = ids[m];
			gen[m].deps = gb[m].deps;
			gen[m].ndeps = gb[m].ndeps;
			gen[m].uid = -1;
		}
		if (store_generation_put_batch(s, gen, (size_t)m, &cause) ==
		    -1)
			die("generation", cause);
		for (int k = 0; k < m; k++) {
			int o = base + k;
			if (o < sh.nout)
				memcpy(outhash[o], gen[k].content.hash,
				    HASH_HEX_SIZE);
			free(texts[k]);
		}
	}
	store_close(s);
	printf("populated %s: %d content entities (%d outputs, %d artifacts),"
	    " %d configs, %d page templates\n", dir, n, sh.nout, sh.nart,
	    sh.ncfg + sh.nart, sh.ntpl);
	free(cfghash);
	free(outhash);
	free(gen);
	free(gb);
	free(ids);
	free(ctx);
	free(texts);
}

/* ---- queries ---- */

/* path -> current hash, as a daemon keeps it in memory. */
struct hmap {
	char	**key;
	char	(*val)[HASH_HEX_SIZE];
	size_t	  cap;
};

static size_t
hmap_slot(const struct hmap *m, const char *k)
{
	size_t i = hash_str(k) & (m->cap - 1);

	while (m->key[i] != NULL && strcmp(m->key[i], k) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void
hmap_put(struct hmap *m, const char *k, int g)
{
	size_t i = hmap_slot(m, k);

	if (m->key[i] == NULL)
		m->key[i] = xstrdup(k);
	input_hash(k, g, m->val[i]);
}

static int
lookup(void *arg, enum store_kind kind, const char *id, const char *path,
    char out[HASH_HEX_SIZE])
{
	struct hmap *m = arg;
	size_t i = hmap_slot(m, path);

	(void)kind;
	(void)id;
	if (m->key[i] == NULL)
		return 1;
	memcpy(out, m->val[i], HASH_HEX_SIZE);
	return 0;
}

struct bench {
	struct store	*s;
	struct arena	*a;
	struct shape	 sh;
	struct hmap	 files;
	unsigned	 iter;
	size_t		 rows;	/* of the last call, to report */
};

static void
q_load_config(struct bench *b)
{
	struct store_config c;
	char id[32], *cause = NULL;

	snprintf(id, sizeof id, "cfg-%05d", (int)((b->iter * 7919u) %
	    (unsigned)(b->sh.ncfg + b->sh.nart)));
	if (store_config_get(b->s, NULL, id, NULL, b->a, &c, &cause) != 0)
		die("config get", cause);
	b->rows = 1;
}

static void
q_list_configs(struct bench *b)
{
	struct store_filter f = { 0 };
	struct store_config *v;
	char *cause = NULL;

	if (store_config_list(b->s, &f, b->a, &v, &b->rows, &cause) == -1)
		die("config list", cause);
}

static void
q_context(struct bench *b)
{
	char team[8], *cause = NULL;
	struct store_where w = { "team", team };
	struct store_filter f = { .where = &w, .nwhere = 1 };
	struct store_content *v;

	snprintf(team, sizeof team, "t%02u", b->iter % TEAMS);
	if (store_content_list(b->s, &f, b->a, &v, &b->rows, &cause) == -1)
		die("context query", cause);
}

static void
q_tree(struct bench *b)
{
	struct store_tree_node *t;
	char id[32], *cause = NULL;

	snprintf(id, sizeof id, "art-%04u", b->iter % (unsigned)b->sh.nart);
	if (store_deps_tree(b->s, NULL, STORE_KIND_CONTENT, id, 0, false,
	    b->a, &t, &b->rows, &cause) == -1)
		die("tree", cause);
}

static void
q_reverse(struct bench *b)
{
	struct store_tree_node *t;
	char id[32], *cause = NULL;

	snprintf(id, sizeof id, "templates/t%04u.j2", b->iter %
	    (unsigned)b->sh.ntpl);
	if (store_deps_tree(b->s, NULL, STORE_KIND_TEMPLATE, id, 0, true,
	    b->a, &t, &b->rows, &cause) == -1)
		die("reverse tree", cause);
}

static void
q_fresh(struct bench *b)
{
	struct store_stale_query q = { .lookup = lookup, .arg = &b->files };
	struct store_stale *v;
	char *cause = NULL;

	if (store_stale(b->s, &q, b->a, &v, &b->rows, &cause) == -1)
		die("freshness", cause);
}

static const struct bench_query {
	const char	*name;
	void		(*fn)(struct bench *);
	unsigned	 iters;
} queries[] = {
	{ "load_config", q_load_config, 2000 },
	{ "list_configs", q_list_configs, 50 },
	{ "context_query", q_context, 100 },
	{ "dep_tree", q_tree, 1000 },
	{ "reverse_tree", q_reverse, 200 },
	{ "freshness", q_fresh, 20 },
};

static int
cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
files_current(struct bench *b)
{
	char path[64];

	b->files.cap = 1u << 16;
	while (b->files.cap < 4u * (unsigned)(b->sh.ncfg + b->sh.ntpl + 100))
		b->files.cap *= 2;
	b->files.key = xcalloc(b->files.cap, sizeof *b->files.key);
	b->files.val = xcalloc(b->files.cap, sizeof *b->files.val);
	for (int i = 0; i < b->sh.ntpl; i++) {
		snprintf(path, sizeof path, "templates/t%04d.j2", i);
		/* One page template was edited since: its readers are stale. */
		hmap_put(&b->files, path, i == 42 ? 2 : 1);
	}
	for (int i = 0; i < INCLUDES; i++) {
		snprintf(path, sizeof path, "templates/inc/%02d.j2", i);
		hmap_put(&b->files, path, 1);
	}
	for (int i = 0; i < b->sh.ncfg; i++) {
		snprintf(path, sizeof path, "data/cfg-%05d.json", i);
		hmap_put(&b->files, path, 1);
	}
	for (int i = 0; i < SHARED_DATA; i++) {
		snprintf(path, sizeof path, "data/shared-%02d.json", i);
		hmap_put(&b->files, path, 1);
	}
}

static void
query(const char *dir, int n, unsigned rounds, const char *only)
{
	struct store_options opt = { .flags = STORE_READONLY };
	struct bench b = { .sh = shape_of(n), .a = arena_new() };
	char *cause = NULL;

	if ((b.s = store_open(dir, &opt, &cause)) == NULL)
		die("open", cause);
	files_current(&b);
	for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
		unsigned iters = queries[q].iters * rounds;
		uint64_t *t;

		if (only != NULL && strcmp(only, queries[q].name) != 0)
			continue;
		t = xcalloc(iters, sizeof *t);

		for (b.iter = 0; b.iter < iters; b.iter++) {
			uint64_t t0 = now_ns();
			queries[q].fn(&b);
			t[b.iter] = now_ns() - t0;
			arena_reset(b.a);
		}
		qsort(t, iters, sizeof *t, cmp_u64);
		printf("%s %.1f %zu\n", queries[q].name,
		    (double)t[iters / 2] / 1000.0, b.rows);
		free(t);
	}
	for (size_t i = 0; i < b.files.cap; i++)
		free(b.files.key[i]);
	free(b.files.key);
	free(b.files.val);
	store_close(b.s);
	arena_free(b.a);
}

/* The SQL both programs run, for store_bench.py. */
static void
sql(void)
{
	json_t *o = json_object();
	char *list_cfg = sq_list_sql(false, false, 0);
	char *list_ctx = sq_list_sql(true, false, 1);
	static const struct { const char *name; enum sq_stmt which; } fixed[] = {
		{ "config_head", SQ_CONFIG_HEAD },
		{ "tree", SQ_TREE },
		{ "tree_reverse", SQ_TREE_REVERSE },
		{ "input_files", SQ_INPUT_FILES },
		{ "input_configs", SQ_INPUT_CONFIGS },
		{ "input_content", SQ_INPUT_CONTENT },
		{ "deps_parents", SQ_DEPS_PARENTS },
		{ "head_strategy", SQ_HEAD_STRATEGY },
		{ "head_expired", SQ_HEAD_EXPIRED },
		{ "head_unusual", SQ_HEAD_UNUSUAL },
		{ "ws_get", SQ_WS_GET },
	};

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		json_object_set_new(o, fixed[i].name,
		    json_string(sq_stmt_sql(fixed[i].which)));
	json_object_set_new(o, "list_configs", json_string(list_cfg));
	json_object_set_new(o, "list_context", json_string(list_ctx));
	json_object_set_new(o, "tree_max_rows",
	    json_integer(STORE_TREE_MAX_ROWS));
	json_dumpf(o, stdout, JSON_INDENT(1));
	putchar('\n');
	json_decref(o);
	free(list_cfg);
	free(list_ctx);
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "populate") == 0)
		populate(argv[2], atoi(argv[3]));
	else if ((argc == 5 || argc == 6) && strcmp(argv[1], "query") == 0)
		query(argv[2], atoi(argv[3]), (unsigned)atoi(argv[4]),
		    argc == 6 ? argv[5] : NULL);
	else if (argc == 2 && strcmp(argv[1], "sql") == 0)
		sql();
	else {
		fprintf(stderr, "usage: store_bench populate DIR N | "
		    "query DIR N ROUNDS [NAME] | sql\n");
		return 2;
	}
	return 0;
}
