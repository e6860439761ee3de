/*
 * graph — what depends on what, in memory.
 *
 * Two questions are answered here.  "Which outputs depend on path P?" is
 * a reverse index from input paths (templates, data files, configs) to
 * the daemon's output nodes, rebuilt from the store at start and updated
 * after every render with the files that render read; the watcher's
 * events go through it.  "In what order are configs generated?" is a
 * topological order of the configs (an artifact after the configs of its
 * parts, a collection after its members) with cycles and unknown parts
 * reported as errors for the configs involved.
 *
 * Nodes are the caller's pointers; the graph never dereferences or frees
 * them.  graph_order() results are allocated; see its comment.
 */
#ifndef CHORA_GRAPH_H
#define CHORA_GRAPH_H

#include <stddef.h>

#include "root.h"

struct graph;

struct graph	*graph_new(void);
void		 graph_free(struct graph *g);
/* Replace node's inputs with paths (copied). */
void		 graph_set_deps(struct graph *g, void *node,
		    const char *const *paths, size_t n);
/* Forget node entirely. */
void		 graph_drop(struct graph *g, void *node);
/* Call fn(arg, node) for each node depending on path; returns the count. */
size_t		 graph_dependents(const struct graph *g, const char *path,
		    void (*fn)(void *arg, void *node), void *arg);
/* Number of distinct paths some node depends on. */
size_t		 graph_npaths(const struct graph *g);

/*
 * The configs of r in generation order.  *order (allocated; the configs
 * stay r's) gets every config that can be generated; a config in a cycle,
 * or depending on an unknown config or on one in a cycle, is left out and
 * a "file:line: error: ..." appended to *errors (each allocated; the
 * caller frees them and the array).  Returns the number ordered.
 */
size_t		 graph_order(const struct root *r, struct config ***order,
		    char ***errors, size_t *nerrors);

/* The config id a part or member names ("cfg" or "cfg/key"), allocated. */
char		*graph_part_config(const char *part);

#endif
