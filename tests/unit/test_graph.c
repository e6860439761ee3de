/*
 * Unit tests for choradd/graph: the reverse index and the config order
 * with cycles and unknown parts.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "xmalloc.h"

static void
collect(void *arg, void *node)
{
	int *sum = arg;
	*sum += *(int *)node;
}

Test(graph, reverse_index)
{
	struct graph *g = graph_new();
	int a = 1, b = 10, c = 100, sum = 0;
	const char *pa[] = { "t/x.j2", "d.json", "t/x.j2" };
	const char *pb[] = { "t/x.j2", "t/inc.j2" };
	const char *pb2[] = { "d.json" };

	graph_set_deps(g, &a, pa, 3);
	graph_set_deps(g, &b, pb, 2);
	graph_set_deps(g, &c, NULL, 0);
	cr_assert_eq(graph_dependents(g, "t/x.j2", collect, &sum), 2);
	cr_assert_eq(sum, 11, "a duplicate path counts once");
	sum = 0;
	cr_assert_eq(graph_dependents(g, "t/inc.j2", collect, &sum), 1);
	cr_assert_eq(sum, 10);
	cr_assert_eq(graph_npaths(g), 3);
	graph_set_deps(g, &b, pb2, 1);
	sum = 0;
	cr_assert_eq(graph_dependents(g, "t/inc.j2", collect, &sum), 0);
	cr_assert_eq(graph_dependents(g, "d.json", collect, &sum), 2);
	cr_assert_eq(sum, 11);
	graph_drop(g, &a);
	sum = 0;
	cr_assert_eq(graph_dependents(g, "t/x.j2", collect, &sum), 0);
	cr_assert_eq(graph_npaths(g), 1);
	graph_free(g);
}

static struct config *
cfg(const char *id, enum config_type t, const char **refs, size_t n)
{
	struct config *c = xcalloc(1, sizeof(*c));

	c->id = xstrdup(id);
	c->file = xprintf("configs/%s.json", id);
	c->type = t;
	char **v = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(refs[i]);
	if (t == CONFIG_ARTIFACT) {
		c->parts = v;
		c->nparts = n;
	} else if (t == CONFIG_COLLECTION) {
		c->members = v;
		c->nmembers = n;
	} else
		free(v);
	return c;
}

static size_t
pos(struct config **o, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(o[i]->id, id) == 0)
			return i;
	return (size_t)-1;
}

Test(graph, order_and_cycles)
{
	const char *readme[] = { "intro", "tests/a", "usage" };
	const char *all[] = { "readme", "tests" };
	const char *x[] = { "y" }, *y[] = { "z" }, *z[] = { "x" };
	const char *w[] = { "x" }, *u[] = { "nope" };
	struct root r = { 0 };
	struct config *cs[] = {
		cfg("all", CONFIG_COLLECTION, all, 2),
		cfg("readme", CONFIG_ARTIFACT, readme, 3),
		cfg("intro", CONFIG_CONTENT, NULL, 0),
		cfg("tests", CONFIG_CONTENT, NULL, 0),
		cfg("usage", CONFIG_CONTENT, NULL, 0),
		cfg("x", CONFIG_ARTIFACT, x, 1),
		cfg("y", CONFIG_ARTIFACT, y, 1),
		cfg("z", CONFIG_ARTIFACT, z, 1),
		cfg("w", CONFIG_ARTIFACT, w, 1),
		cfg("u", CONFIG_ARTIFACT, u, 1),
	};
	struct config **o;
	char **errs = NULL;
	size_t nerr = 0, n;

	r.configs = cs;
	r.nconfigs = 10;
	n = graph_order(&r, &o, &errs, &nerr);
	cr_assert_eq(n, 5, "all, readme, intro, tests, usage, and not x y z w u");
	cr_assert_lt(pos(o, n, "intro"), pos(o, n, "readme"));
	cr_assert_lt(pos(o, n, "tests"), pos(o, n, "readme"));
	cr_assert_lt(pos(o, n, "usage"), pos(o, n, "readme"));
	cr_assert_lt(pos(o, n, "readme"), pos(o, n, "all"));
	cr_assert_eq(pos(o, n, "w"), (size_t)-1, "depends on a cycle");
	cr_assert_eq(nerr, 2);
	cr_assert_str_eq(errs[0], "configs/x.json:1: error: dependency cycle: "
	    "x -> y -> z -> x");
	cr_assert_str_eq(errs[1], "configs/u.json:1: error: 'nope' names no "
	    "known config");
	for (size_t i = 0; i < nerr; i++)
		free(errs[i]);
	free(errs);
	free(o);
	for (size_t i = 0; i < 10; i++)
		config_free(cs[i]);
}
