/*
 * tmpl_builtins — the tables of filters, tests, methods and globals.
 *
 * Each kind has ONE table in its own file (tmpl_filters.c, tmpl_tests.c,
 * tmpl_methods.c, tmpl_globals.c): a row is a name, a handler (see
 * tmpl_fn in tmpl_value.h) and a line of help.  Tests return a TV_BOOL.
 * Methods also say which value types they apply to.
 */
#ifndef CHORA_TMPL_BUILTINS_H
#define CHORA_TMPL_BUILTINS_H

#include <stddef.h>

#include "tmpl_value.h"

struct builtin {
	const char	*name;
	tmpl_fn		 fn;
	const char	*help;
	unsigned	 types;	/* methods: mask of 1 << TV_* */
};

const struct builtin *tmpl_filter_find(const char *name, size_t len);
const struct builtin *tmpl_test_find(const char *name, size_t len);
const struct builtin *tmpl_method_find(int type, const char *name,
	    size_t len);
const struct builtin *tmpl_global_find(const char *name, size_t len);
/*
 * Methods resolved once, when a template is compiled: the methods named
 * name of each type that has methods (an array of TMPL_METHOD_SLOTS), and
 * the slot of a value type in it (-1: a type without methods).
 */
#define TMPL_METHOD_SLOTS	4
void	 tmpl_method_resolve(const char *name, size_t len,
	    const struct builtin **slots);
int	 tmpl_method_slot(int type);

/* The tables themselves, NULL-terminated, for help and tests. */
extern const struct builtin tmpl_filters[];
extern const struct builtin tmpl_tests[];
extern const struct builtin tmpl_methods[];
extern const struct builtin tmpl_globals[];

/* A builtin as a callable value (a bound method when self is given). */
tv	tmpl_builtin_value(struct tmpl_rt *rt, const struct builtin *b,
	    tv self, bool bound);

#endif
