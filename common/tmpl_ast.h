/*
 * tmpl_ast — the compiled form of a template: a tree of nodes that the
 * evaluator walks.
 *
 * Everything lives in the template's arena and is immutable after the
 * parser returns, so one compiled template serves any number of renders
 * on any number of threads.  Names are interned atoms (pointer equality),
 * filters and tests are resolved to their table entries at compile time;
 * literal text points into the normalized source.
 */
#ifndef CHORA_TMPL_AST_H
#define CHORA_TMPL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmpl_value.h"

/* An interned name: equal names are the same pointer within one env. */
struct tmpl_atom {
	uint32_t	hash;
	uint32_t	len;
	char		s[];
};

enum node_kind {
	/* expressions */
	N_CONST, N_NAME, N_GETATTR, N_GETITEM, N_SLICE, N_CALL, N_FILTER,
	N_TEST, N_NEG, N_POS, N_NOT, N_BINOP, N_AND, N_OR, N_COMPARE,
	N_CONDEXPR, N_CONCAT, N_LIST, N_TUPLE, N_DICT,
	/* statements */
	S_TEXT, S_PRINT, S_IF, S_FOR, S_SET, S_SETBLOCK, S_WITH, S_MACRO,
	S_CALLBLOCK, S_FILTERBLOCK, S_INCLUDE, S_IMPORT, S_FROMIMPORT,
	S_EXTENDS, S_BLOCK,
};

enum cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_IN,
	CMP_NOTIN };

struct node;

struct nodelist {
	struct node	**v;
	size_t		  n;
};

struct builtin;		/* tmpl_builtins.h */

struct callargs {
	struct nodelist		 pos;
	const struct tmpl_atom	**kwnames;
	struct node		**kwvals;
	size_t			 nkw;
	struct node		*dyn_args;	/* *args */
	struct node		*dyn_kwargs;	/* **kwargs */
};

struct macrodef {
	const struct tmpl_atom	 *name;
	const struct tmpl_atom	**params;
	struct node		**defaults;	/* per param, NULL: none */
	size_t			  nparams;
	struct nodelist		  body;
	bool			  catch_varargs;
	bool			  catch_kwargs;
	bool			  caller;	/* body uses caller */
};

struct node {
	uint8_t		kind;
	uint8_t		op;	/* BINOP: enum tv_binop */
	bool		flag;	/* FOR recursive, INCLUDE ignore missing,
				   BLOCK scoped, FILTER/TEST unknown,
				   GETATTR: some type has a method so named */
	bool		flag2;	/* with context */
	int		line;
	union {
		tv	cval;				/* N_CONST */
		const struct tmpl_atom *name;		/* N_NAME */
		struct {
			struct node	*obj;
			const char	*attr;
			size_t		 len;
			uint64_t	 hash;	/* tv_hash() of attr */
			/* the method so named of a str, list, tuple, dict
			   (tmpl_method_slot()), NULL when none has one */
			const struct builtin *const *meth;
		} getattr;				/* N_GETATTR */
		struct {
			struct node	*obj, *key;
		} getitem;
		struct {
			struct node	*obj, *start, *stop, *step;
		} slice;
		struct {
			struct node	*fn;
			struct callargs	 args;
		} call;
		struct {
			struct node		*in;	/* NULL: block input */
			const struct builtin	*fn;	/* NULL: unknown */
			const struct tmpl_atom	*fname;
			struct callargs		 args;
		} filter;				/* N_FILTER, N_TEST */
		struct node	*unary;			/* N_NEG/POS/NOT */
		struct {
			struct node	*l, *r;
		} bin;					/* BINOP/AND/OR */
		struct {
			struct node	*first;
			uint8_t		*ops;
			struct node	**rest;
			size_t		 n;
		} cmp;
		struct {
			struct node	*test, *a, *b;
		} cond;
		struct nodelist	 items;			/* CONCAT/LIST/TUPLE */
		struct {
			struct nodelist	 keys, vals;
		} dict;

		struct {
			const char	*s;
			size_t		 len;
		} text;
		struct node	*expr;			/* S_PRINT, S_EXTENDS */
		struct {
			struct node	*test;
			struct nodelist	 body, orelse;
		} sif;
		struct {
			struct node	*target, *iter, *test;
			struct nodelist	 body, orelse;
		} sfor;
		struct {
			struct node	*target, *value;
		} set;
		struct {
			struct node	*target, *filter;
			struct nodelist	 body;
		} setblock;
		struct {
			struct nodelist	 targets, values;
			struct nodelist	 body;
		} with;
		struct macrodef	*macro;			/* S_MACRO */
		struct {
			struct node	*call;
			struct macrodef	*caller;
		} callblock;
		struct {
			struct node	*filter;
			struct nodelist	 body;
		} filterblock;
		struct {
			struct node		*tmpl;
			const struct tmpl_atom	*target;	/* IMPORT */
			const struct tmpl_atom	**names;	/* FROMIMPORT */
			const struct tmpl_atom	**aliases;
			size_t			 nnames;
		} inc;
		struct {
			const struct tmpl_atom	*name;
			struct nodelist		 body;
		} block;
	} u;
};

/* A compiled template (shared, immutable, reference-counted). */
struct tmpl_template {
	char		*name;		/* as requested */
	char		*path;		/* loader's path, for errors and deps */
	struct arena	*arena;
	struct nodelist	 body;
	struct node	**blocks;	/* S_BLOCK nodes, in order */
	size_t		 nblocks;
	bool		 has_extends;	/* a top-level extends */
	int		 refs;		/* under the env's cache lock */
	size_t		 out_hint;	/* last output size, to size buffers */
};

#endif
