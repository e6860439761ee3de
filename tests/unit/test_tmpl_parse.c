/*
 * Unit tests for the template parser: the tree it builds (precedence as
 * Jinja2's grammar has it), compile-time checks (unknown filters and
 * tests, duplicate blocks, macro signature scans) and syntax errors with
 * Jinja2's messages and the line of the problem.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "tmpl_ast.h"
#include "tmpl_parse.h"
#include "xmalloc.h"

static struct tmpl_atoms *atoms;

static void
setup(void)
{
	atoms = tmpl_atoms_new();
}

static void
teardown(void)
{
	tmpl_atoms_free(atoms);
}

TestSuite(parse, .init = setup, .fini = teardown);

struct parsed {
	struct tmpl_template	t;
	struct tmpl_error	err;
	int			rc;
};

static struct parsed *
parse(const char *src)
{
	struct parsed *p = xcalloc(1, sizeof(*p));
	struct tmpl_lex_opts o = { 0, 0, 0 };

	p->t.arena = arena_new();
	p->rc = tmpl_parse(&p->t, atoms, src, strlen(src), &o, &p->err);
	return p;
}

static void
done(struct parsed *p)
{
	tmpl_error_clear(&p->err);
	arena_free(p->t.arena);
	free(p);
}

/* The expression of the first {{ }} of src. */
static const struct node *
expr_of(struct parsed *p)
{
	cr_assert_eq(p->rc, 0, "parse failed: %s", p->err.message);
	cr_assert_eq(p->t.body.v[0]->kind, S_PRINT);
	return p->t.body.v[0]->u.expr;
}

Test(parse, arithmetic_precedence)
{
	struct parsed *p = parse("{{ 1 + 2 * 3 }}");
	const struct node *n = expr_of(p);

	cr_expect_eq(n->kind, N_BINOP);
	cr_expect_eq(n->op, OP_ADD);
	cr_expect_eq(n->u.bin.r->kind, N_BINOP);
	cr_expect_eq(n->u.bin.r->op, OP_MUL);
	done(p);
}

Test(parse, pow_is_left_associative_and_binds_after_unary)
{
	struct parsed *p = parse("{{ -2 ** 2 ** 3 }}");
	const struct node *n = expr_of(p);

	/* Jinja2: ((-2) ** 2) ** 3 */
	cr_expect_eq(n->op, OP_POW);
	cr_expect_eq(n->u.bin.l->op, OP_POW);
	cr_expect_eq(n->u.bin.l->u.bin.l->kind, N_NEG);
	done(p);
}

Test(parse, filter_binds_to_unary_operand)
{
	struct parsed *p = parse("{{ -5|abs + 1 }}");
	const struct node *n = expr_of(p);

	cr_expect_eq(n->op, OP_ADD);
	cr_expect_eq(n->u.bin.l->kind, N_FILTER);
	cr_expect_eq(n->u.bin.l->u.filter.in->kind, N_NEG);
	done(p);
}

Test(parse, concat_is_flat_and_below_plus)
{
	struct parsed *p = parse("{{ 'a' ~ 1 + 2 ~ 'b' }}");
	const struct node *n = expr_of(p);

	/* math1 > concat: ('a' ~ 1) + (2 ~ 'b') */
	cr_expect_eq(n->kind, N_BINOP);
	cr_expect_eq(n->u.bin.l->kind, N_CONCAT);
	cr_expect_eq(n->u.bin.r->kind, N_CONCAT);
	done(p);
}

Test(parse, chained_comparison_and_tests)
{
	struct parsed *p = parse("{{ 1 < x <= 3 and y is not defined }}");
	const struct node *n = expr_of(p);

	cr_expect_eq(n->kind, N_AND);
	cr_expect_eq(n->u.bin.l->kind, N_COMPARE);
	cr_expect_eq(n->u.bin.l->u.cmp.n, 2);
	cr_expect_eq(n->u.bin.r->kind, N_NOT);
	cr_expect_eq(n->u.bin.r->u.unary->kind, N_TEST);
	done(p);
}

Test(parse, conditional_expression_and_tuple)
{
	struct parsed *p = parse("{{ a if b else c }}{{ 1, 2 }}{{ (1,) }}");

	cr_assert_eq(p->rc, 0);
	cr_expect_eq(p->t.body.v[0]->u.expr->kind, N_CONDEXPR);
	cr_expect_eq(p->t.body.v[1]->u.expr->kind, N_TUPLE);
	cr_expect_eq(p->t.body.v[1]->u.expr->u.items.n, 2);
	cr_expect_eq(p->t.body.v[2]->u.expr->u.items.n, 1);
	done(p);
}

Test(parse, subscripts_slices_and_calls)
{
	struct parsed *p = parse("{{ a[1:2:3].b(c, d=e, *f, **g)['k'] }}");
	const struct node *n = expr_of(p);

	cr_expect_eq(n->kind, N_GETITEM);
	const struct node *c = n->u.getitem.obj;
	cr_expect_eq(c->kind, N_CALL);
	cr_expect_eq(c->u.call.args.pos.n, 1);
	cr_expect_eq(c->u.call.args.nkw, 1);
	cr_expect_not_null(c->u.call.args.dyn_args);
	cr_expect_not_null(c->u.call.args.dyn_kwargs);
	cr_expect_eq(c->u.call.fn->kind, N_GETATTR);
	cr_expect_eq(c->u.call.fn->u.getattr.obj->kind, N_SLICE);
	done(p);
}

Test(parse, statements)
{
	struct parsed *p = parse("{% for a, b in x if a recursive %}{% else %}"
	    "{% endfor %}{% set n.k = 1 %}{% macro m(a, b=2) %}{{ varargs }}"
	    "{% endmacro %}{% block c scoped %}{% endblock c %}");

	cr_assert_eq(p->rc, 0, "%s", p->err.message);
	const struct node *f = p->t.body.v[0];
	cr_expect_eq(f->kind, S_FOR);
	cr_expect(f->flag, "recursive");
	cr_expect_eq(f->u.sfor.target->kind, N_TUPLE);
	cr_expect_not_null(f->u.sfor.test);
	cr_expect_eq(p->t.body.v[1]->u.set.target->kind, N_GETATTR);
	const struct macrodef *m = p->t.body.v[2]->u.macro;
	cr_expect_eq(m->nparams, 2);
	cr_expect_null(m->defaults[0]);
	cr_expect_not_null(m->defaults[1]);
	cr_expect(m->catch_varargs);
	cr_expect(!m->catch_kwargs);
	cr_expect_eq(p->t.nblocks, 1);
	cr_expect(p->t.blocks[0]->flag, "scoped");
	done(p);
}

struct err_case {
	const char	*src;
	int		 line;
	const char	*msg;
};

Test(parse, syntax_errors)
{
	static const struct err_case cases[] = {
		{ "{% for x in l %}\n{{ x }}", 2, "Unexpected end of template. "
		  "Jinja was looking for the following tags: 'endfor' or "
		  "'else'. The innermost block that needs to be closed is "
		  "'for'." },
		{ "ok\n{% frobnicate %}", 2, "Encountered unknown tag "
		  "'frobnicate'." },
		{ "{% if x %}\n{% for y in x %}\n{% endif %}", 3, "Encountered "
		  "unknown tag 'endif'. You probably made a nesting mistake." },
		{ "a\n{{ 1 + }}", 2, "unexpected 'end of print statement'" },
		{ "{{ x\nmore", 2, "expected token 'end of print statement', "
		  "got 'more'" },
		{ "{{ a | }}", 1, "expected token 'name', got 'end of print "
		  "statement'" },
		{ "{{ x|nosuchfilter }}", 1, "No filter named 'nosuchfilter'." },
		{ "\n{{ x is nosuchtest }}", 2, "No test named 'nosuchtest'." },
		{ "{% block a %}{% endblock %}\n{% block a %}{% endblock %}", 2,
		  "block 'a' defined twice" },
		{ "{% macro m(a=1, b) %}{% endmacro %}", 1, "non-default "
		  "argument follows default argument" },
		{ "{% set 1 = 2 %}", 1, "can't assign" },
		{ "{{ f(a=1, 2) }}", 1, "invalid syntax for function call" },
		{ "{% block a %}{% endblock b %}", 1, "'b' is not the name of "
		  "the block" },
		{ "{{ x is a is b }}", 1, "You cannot chain multiple tests" },
		{ "{% from 'x' import _p %}", 1, "names starting with an "
		  "underline can not be imported" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed *p = parse(cases[i].src);
		cr_expect_eq(p->rc, -1, "%s", cases[i].src);
		cr_expect_eq(p->err.kind, TMPL_ERR_SYNTAX);
		cr_expect_eq(p->err.line, cases[i].line, "%s: line %d",
		    cases[i].src, p->err.line);
		cr_expect(p->err.message != NULL && strncmp(p->err.message,
		    cases[i].msg, strlen(cases[i].msg)) == 0,
		    "%s\n  want %s\n  got  %s", cases[i].src, cases[i].msg,
		    p->err.message);
		done(p);
	}
}

Test(parse, unknown_filter_in_if_is_deferred)
{
	struct parsed *p = parse("{% if x %}{{ y|nosuch }}{% endif %}"
	    "{{ 1 if x else z|nosuch2 }}");

	cr_expect_eq(p->rc, 0, "%s", p->err.message);
	done(p);
	p = parse("{% if x %}{% for i in l %}{{ i|nosuch }}{% endfor %}"
	    "{% endif %}");
	cr_expect_eq(p->rc, -1, "a loop body is not soft");
	done(p);
}

Test(parse, nesting_limits)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < 400; i++)
		buf_addstr(&b, "{% if 1 %}");
	struct parsed *p = parse(b.data);
	cr_expect_eq(p->rc, -1);
	cr_expect(strstr(p->err.message, "nests too deeply") != NULL);
	done(p);
	buf_reset(&b);
	buf_addstr(&b, "{{ 1");
	for (int i = 0; i < 5000; i++)
		buf_addstr(&b, " + 1");
	buf_addstr(&b, " }}");
	p = parse(b.data);
	cr_expect_eq(p->rc, -1);
	cr_expect(strstr(p->err.message, "nests too deeply") != NULL);
	done(p);
	buf_reset(&b);
	buf_addstr(&b, "{{ ");
	for (int i = 0; i < 100000; i++)
		buf_addstr(&b, "-");
	buf_addstr(&b, "1 }}");
	p = parse(b.data);
	cr_expect_eq(p->rc, -1);
	done(p);
	buf_free(&b);
}

Test(parse, atoms_are_interned)
{
	const struct tmpl_atom *a = tmpl_atom_intern(atoms, "name", 4);
	const struct tmpl_atom *b = tmpl_atom_intern(atoms, "name", 4);
	const struct tmpl_atom *c = tmpl_atom_intern(atoms, "other", 5);

	cr_expect_eq(a, b);
	cr_expect_neq(a, c);
	cr_expect_str_eq(c->s, "other");
	for (int i = 0; i < 5000; i++) {
		char s[16];
		int n = snprintf(s, sizeof(s), "n%d", i);
		cr_assert_eq(tmpl_atom_intern(atoms, s, (size_t)n),
		    tmpl_atom_intern(atoms, s, (size_t)n));
	}
	cr_expect_eq(tmpl_atom_intern(atoms, "name", 4), a, "after growth");
}
