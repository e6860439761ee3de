/*
 * Unit tests for every limit of tmpl_limits.h: each ends the render with
 * TMPL_ERR_LIMIT (or a syntax error for the parser's) instead of a
 * crash, a hang or unbounded memory.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tmpl.h"
#include "tmpl_helper.h"
#include "tmpl_limits.h"

/* Render src with limits o; return the error kind (NONE on success). */
static enum tmpl_error_kind
kind_of(const char *src, const struct tmpl_options *o, char **msg)
{
	tmpl_env *env = tmpl_env_new(o, ".");
	tmpl_ctx *ctx = tmpl_ctx_new();
	struct tmpl_result r;
	enum tmpl_error_kind k;

	tmpl_render_string(env, "t.j2", src, strlen(src), ctx, &r);
	k = r.err.kind;
	if (msg != NULL)
		*msg = r.err.message != NULL ? strdup(r.err.message) : NULL;
	tmpl_result_clear(&r);
	tmpl_ctx_free(ctx);
	tmpl_env_free(env);
	return k;
}

static void
expect_limit(const char *src, const struct tmpl_options *o, const char *what)
{
	char *msg = NULL;

	cr_expect_eq(kind_of(src, o, &msg), TMPL_ERR_LIMIT, "%s: %s", src,
	    msg);
	cr_expect(msg != NULL && strstr(msg, what) != NULL, "%s: %s", src,
	    msg);
	free(msg);
}

Test(limits, depth)
{
	struct tmpl_options o = { .limits.max_depth = 10 };

	expect_limit("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",
	    NULL, "nesting deeper than 100");
	expect_limit("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",
	    &o, "nesting deeper than 10");
	expect_limit("{% for x in [[[[[[[[[[[[1]]]]]]]]]]]] recursive %}"
	    "{{ loop(x) if x is iterable }}{% endfor %}", &o, "nesting");
	/* within the limit */
	cr_expect_eq(kind_of("{% macro m(n) %}{{ m(n - 1) if n }}{% endmacro %}"
	    "{{ m(8) }}", &o, NULL), TMPL_ERR_NONE);
}

Test(limits, self_include_and_extends)
{
	static const char *const files[] = {
		"self.j2", "{% include 'self.j2' %}",
		"ext.j2", "{% extends 'ext.j2' %}",
		NULL, NULL,
	};

	th_files = files;
	th_check("{% include 'self.j2' %}", NULL, "ERROR self.j2:1: error: "
	    "nesting deeper than 100 levels");
	th_check("{% extends 'ext.j2' %}", NULL, "ERROR ext.j2:1: error: "
	    "extends chain longer than 100 templates");
	th_files = NULL;
}

Test(limits, output_size)
{
	struct tmpl_options o = { .limits.max_output = 1000 };

	expect_limit("{% for i in range(100) %}0123456789ABCDEF{% endfor %}",
	    &o, "output larger than 1000 bytes");
	expect_limit("{{ 'x' * 2000 }}", &o, "output larger");
	/* captured output counts too */
	expect_limit("{% set s %}{% for i in range(200) %}0123456789{% endfor %}"
	    "{% endset %}", &o, "output larger");
	cr_expect_eq(kind_of("{{ 'x' * 1000 }}", &o, NULL), TMPL_ERR_NONE);
}

Test(limits, loop_iterations)
{
	struct tmpl_options o = { .limits.max_loop_iterations = 50 };

	expect_limit("{% for i in range(10) %}{% for j in range(10) %}"
	    "{% endfor %}{% endfor %}", &o, "more than 50 loop iterations");
	expect_limit("{% for i in range(10**12) %}{% endfor %}", NULL,
	    "more than the loop limit");
	cr_expect_eq(kind_of("{% for i in range(49) %}{% endfor %}", &o, NULL),
	    TMPL_ERR_NONE);
}

Test(limits, memory)
{
	struct tmpl_options o = { .limits.max_memory = 1 << 20 };

	expect_limit("{{ ('x' * 2000000)|length }}", &o, "memory");
	expect_limit("{% set s = 'ab' %}{% for i in range(40) %}"
	    "{% set s = s ~ s %}{% endfor %}", &o, "memory");
	expect_limit("{{ [1]|batch(10**9, 0)|list }}", &o, "memory");
	expect_limit("{{ range(100000)|join('0123456789') }}", &o, "memory");
	expect_limit("{{ ('y' * 1000)|replace('y', 'zzzzzzzzzz' * 200) }}", &o,
	    "memory");
	expect_limit("{{ 'x' * 10**12 }}", NULL, "too long");
}

Test(limits, evaluation_depth)
{
	struct buf b = BUF_INIT;

	/* a chain of 1500 filters parses (tree < 2000) and evaluates */
	buf_addstr(&b, "{{ 1");
	for (int i = 0; i < 1500; i++)
		buf_addstr(&b, "|abs");
	buf_addstr(&b, " }}");
	th_check(b.data, NULL, "1");
	/* nested macros each adding depth run into the evaluator's bound */
	buf_reset(&b);
	buf_addstr(&b, "{% macro m(n) %}{{ m(n + 1)");
	for (int i = 0; i < 1000; i++)
		buf_addstr(&b, "|string");
	buf_addstr(&b, " }}{% endmacro %}{{ m(0) }}");
	struct tmpl_options o = { .limits.max_depth = 100 };
	char *msg = NULL;
	cr_expect_eq(kind_of(b.data, &o, &msg), TMPL_ERR_LIMIT, "%s", msg);
	cr_expect(msg && strstr(msg, "deeper than"), "%s", msg);
	free(msg);
	buf_free(&b);
	cr_expect_eq(TMPL_MAX_EVAL_DEPTH > TMPL_PARSE_MAXTREE, 1);
}

Test(limits, parser_bounds)
{
	struct buf b = BUF_INIT;
	char *msg = NULL;

	buf_addstr(&b, "{{ ");
	for (int i = 0; i < 100000; i++)
		buf_addc(&b, '(');
	cr_expect_eq(kind_of(b.data, NULL, &msg), TMPL_ERR_SYNTAX);
	cr_expect(msg && strstr(msg, "too many open brackets"), "%s", msg);
	free(msg);
	buf_reset(&b);
	for (int i = 0; i < TMPL_PARSE_MAXDEPTH + 5; i++)
		buf_addstr(&b, "{% for x in y %}");
	cr_expect_eq(kind_of(b.data, NULL, &msg), TMPL_ERR_SYNTAX);
	cr_expect(msg && strstr(msg, "nests too deeply"), "%s", msg);
	free(msg);
	buf_reset(&b);
	buf_addstr(&b, "{{ x");
	for (int i = 0; i < TMPL_PARSE_MAXTREE + 5; i++)
		buf_addstr(&b, ".a");
	buf_addstr(&b, " }}");
	cr_expect_eq(kind_of(b.data, NULL, &msg), TMPL_ERR_SYNTAX);
	cr_expect(msg && strstr(msg, "nests too deeply"), "%s", msg);
	free(msg);
	buf_free(&b);
}

Test(limits, self_containing_values)
{
	th_check("{% set l = [1] %}{% set _ = l.append(l) %}{{ l }} {{ l == l }}"
	    " {{ l|length }}", NULL, "[1, [...]] True 2");
	th_check("{% set d = {} %}{% set _ = d.update(x=d) %}{{ d }}", NULL,
	    "{'x': {...}}");
}

Test(limits, integer_size)
{
	expect_limit("{{ 2 ** 200000 }}", NULL, "integer too large");
	expect_limit("{{ (2 ** 70) ** 444445 }}", NULL, "integer too large");
	th_check("{{ (10 ** 40 * 10 ** 40)|string|length }} {{ (-1) ** (10 ** "
	    "30 + 1) }}", NULL, "81 -1");
}

Test(limits, missing_required_argument)
{
	th_check("{{ ', '.join() }}", NULL,
	    "ERROR t.j2:1: error: a required argument is missing");
}
