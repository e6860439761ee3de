/*
 * graph — see graph.h.  The reverse index is a map from path to a small
 * vector of nodes plus, for updates, a map from node to its paths.  The
 * order is a depth-first topological sort with the classic three colours;
 * the grey stack gives the cycle's path for the message.
 */
#include "graph.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "strmap.h"
#include "xmalloc.h"

struct nodes {
	void	**v;
	size_t	 n;
	size_t	 cap;
};

struct paths {
	char	**v;
	size_t	 n;
};

struct graph {
	struct strmap	*by_path;	/* path -> struct nodes */
	struct strmap	*by_node;	/* "%p" -> struct paths */
};

struct graph *
graph_new(void)
{
	struct graph *g = xcalloc(1, sizeof(*g));

	g->by_path = strmap_new();
	g->by_node = strmap_new();
	return g;
}

static void
node_key(const void *node, char out[32])
{
	snprintf(out, 32, "%p", node);
}

static void
unlink_path(struct graph *g, const char *path, void *node)
{
	struct nodes *ns = strmap_get(g->by_path, path);

	if (ns == NULL)
		return;
	for (size_t i = 0; i < ns->n; i++) {
		if (ns->v[i] != node)
			continue;
		ns->v[i] = ns->v[--ns->n];
		break;
	}
	if (ns->n == 0) {
		strmap_del(g->by_path, path);
		free(ns->v);
		free(ns);
	}
}

void
graph_drop(struct graph *g, void *node)
{
	char key[32];
	struct paths *ps;

	node_key(node, key);
	if ((ps = strmap_del(g->by_node, key)) == NULL)
		return;
	for (size_t i = 0; i < ps->n; i++) {
		unlink_path(g, ps->v[i], node);
		free(ps->v[i]);
	}
	free(ps->v);
	free(ps);
}

/* Does ps hold exactly the distinct members of paths? */
static bool
same_paths(const struct paths *ps, const char *const *paths, size_t n)
{
	size_t distinct = 0;

	for (size_t i = 0; i < n; i++) {
		bool found = false, dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(paths[j], paths[i]) == 0;
		if (dup)
			continue;
		distinct++;
		for (size_t j = 0; j < ps->n && !found; j++)
			found = strcmp(ps->v[j], paths[i]) == 0;
		if (!found)
			return false;
	}
	return distinct == ps->n;
}

void
graph_set_deps(struct graph *g, void *node, const char *const *paths,
    size_t n)
{
	struct paths *ps;
	char key[32];

	/* Most re-renders read what they read before: nothing to do. */
	node_key(node, key);
	if ((ps = strmap_get(g->by_node, key)) != NULL && same_paths(ps,
	    paths, n))
		return;
	ps = xcalloc(1, sizeof(*ps));
	graph_drop(g, node);
	ps->v = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		struct nodes *ns = strmap_get(g->by_path, paths[i]);
		bool dup = false;
		for (size_t j = 0; j < ps->n && !dup; j++)
			dup = strcmp(ps->v[j], paths[i]) == 0;
		if (dup)
			continue;
		if (ns == NULL) {
			ns = xcalloc(1, sizeof(*ns));
			strmap_set(g->by_path, paths[i], ns);
		}
		if (ns->n == ns->cap) {
			ns->cap = ns->cap ? ns->cap * 2 : 4;
			ns->v = xreallocarray(ns->v, ns->cap, sizeof(void *));
		}
		ns->v[ns->n++] = node;
		ps->v[ps->n++] = xstrdup(paths[i]);
	}
	strmap_set(g->by_node, key, ps);
}

size_t
graph_dependents(const struct graph *g, const char *path,
    void (*fn)(void *arg, void *node), void *arg)
{
	struct nodes *ns = strmap_get(g->by_path, path);

	if (ns == NULL)
		return 0;
	for (size_t i = 0; i < ns->n; i++)
		fn(arg, ns->v[i]);
	return ns->n;
}

size_t
graph_npaths(const struct graph *g)
{
	return strmap_count(g->by_path);
}

void
graph_free(struct graph *g)
{
	const char *k;
	void *v;
	size_t it = 0;

	if (g == NULL)
		return;
	while (strmap_next(g->by_node, &it, &k, &v)) {
		struct paths *ps = v;
		for (size_t i = 0; i < ps->n; i++)
			free(ps->v[i]);
		free(ps->v);
		free(ps);
	}
	it = 0;
	while (strmap_next(g->by_path, &it, &k, &v)) {
		struct nodes *ns = v;
		free(ns->v);
		free(ns);
	}
	strmap_free(g->by_node);
	strmap_free(g->by_path);
	free(g);
}

char *
graph_part_config(const char *part)
{
	const char *slash = strchr(part, '/');

	return slash != NULL ? xstrndup(part, (size_t)(slash - part)) :
	    xstrdup(part);
}

enum { WHITE, GREY, BLACK, BAD };

struct order {
	const struct root *r;
	struct strmap	*index;		/* id -> (index + 1) */
	int		*colour;
	size_t		*stack;
	size_t		 depth;
	struct config	**out;
	size_t		 nout;
	char		***errors;
	size_t		*nerrors;
};

static void
order_error(struct order *o, char *msg)
{
	*o->errors = xreallocarray(*o->errors, *o->nerrors + 1, sizeof(char *));
	(*o->errors)[(*o->nerrors)++] = msg;
}

/* The configs c needs before it, as ids (parts or members). */
static char **
needs(const struct config *c, size_t *n)
{
	*n = c->type == CONFIG_ARTIFACT ? c->nparts :
	    c->type == CONFIG_COLLECTION ? c->nmembers : 0;
	return c->type == CONFIG_ARTIFACT ? c->parts : c->members;
}

static int	visit(struct order *o, size_t i);

static int
visit_edge(struct order *o, size_t i, const char *ref)
{
	struct config *c = o->r->configs[i];
	char *id = graph_part_config(ref);
	size_t j = (size_t)(uintptr_t)strmap_get(o->index, id);
	int rc = 0;

	if (j == 0) {
		order_error(o, xprintf("%s:1: error: '%s' names no known config",
		    c->file, ref));
		rc = -1;
	} else if (o->colour[j - 1] == GREY) {
		struct buf b = BUF_INIT;
		size_t from = 0;
		while (o->stack[from] != j - 1)
			from++;
		for (size_t k = from; k < o->depth; k++)
			buf_printf(&b, "%s -> ", o->r->configs[o->stack[k]]->id);
		buf_addstr(&b, id);
		order_error(o, xprintf("%s:1: error: dependency cycle: %s",
		    o->r->configs[j - 1]->file, b.data));
		buf_free(&b);
		rc = -1;
	} else if (visit(o, j - 1) == -1)
		rc = -1;
	free(id);
	return rc;
}

static int
visit(struct order *o, size_t i)
{
	struct config *c = o->r->configs[i];
	char **refs;
	size_t n;
	int bad = 0;

	if (o->colour[i] == BLACK)
		return 0;
	if (o->colour[i] == BAD)
		return -1;
	o->colour[i] = GREY;
	o->stack[o->depth++] = i;
	refs = needs(c, &n);
	for (size_t k = 0; k < n; k++)
		if (visit_edge(o, i, refs[k]) == -1)
			bad = 1;
	o->depth--;
	o->colour[i] = bad ? BAD : BLACK;
	if (!bad)
		o->out[o->nout++] = c;
	return bad ? -1 : 0;
}

size_t
graph_order(const struct root *r, struct config ***order, char ***errors,
    size_t *nerrors)
{
	struct order o = { .r = r, .errors = errors, .nerrors = nerrors };

	o.index = strmap_new();
	o.colour = xcalloc(r->nconfigs + 1, sizeof(int));
	o.stack = xcalloc(r->nconfigs + 1, sizeof(size_t));
	o.out = xcalloc(r->nconfigs + 1, sizeof(*o.out));
	for (size_t i = 0; i < r->nconfigs; i++)
		strmap_set(o.index, r->configs[i]->id, (void *)(uintptr_t)(i + 1));
	for (size_t i = 0; i < r->nconfigs; i++)
		visit(&o, i);
	strmap_free(o.index);
	free(o.colour);
	free(o.stack);
	*order = o.out;
	return o.nout;
}
