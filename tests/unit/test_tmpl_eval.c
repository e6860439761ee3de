/*
 * Unit tests for the evaluator: expressions and printing, statements
 * and scoping, macros, include/import/extends through an in-memory
 * loader, undefined in both modes, error messages with file and line,
 * and the dependencies a render reports.  Expected texts of the tables
 * come from the real Jinja2 3.1.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_helper.h"
#include "xmalloc.h"

static const struct th_case expr_cases[] = {
	{ "{{ 7 // 2 }}|{{ -7 // 2 }}|{{ 7 % -3 }}|{{ 7 / 2 }}|{{ 2 ** 10 }}|{{ 2 ** -1 }}|{{ 2 ** 64 }}|{{ -2 ** 63 }}|{{ 9223372036854775807 + 1 }}|{{ -9223372036854775808 - 1 }}", NULL,
	  "3|-4|-2|3.5|1024|0.5|18446744073709551616|-9223372036854775808|9223372036854775808|-9223372036854775809" },
	{ "{{ 0.1 + 0.2 }}|{{ 1e16 }}|{{ 1e-5 }}|{{ -0.0 }}|{{ 1.5e300 * 1e10 }}|{{ 3 * 1.0 }}|{{ 10 / 4 }}", NULL,
	  "0.30000000000000004|1e+16|1e-05|-0.0|inf|3.0|2.5" },
	{ "{{ 'ab' * 2 }}|{{ [1] * 3 }}|{{ (1,) + (2,) }}|{{ [1] + [2] }}|{{ 'a' ~ 1 ~ none }}|{{ 'a' + 'b' }}", NULL,
	  "abab|[1, 1, 1]|(1, 2)|[1, 2]|a1None|ab" },
	{ "{{ 1 < 2 < 3 }}|{{ 1 == 1.0 }}|{{ 'a' < 'b' }}|{{ [1, 2] < [1, 3] }}|{{ 1 in [1] }}|{{ 'b' not in 'abc' }}|{{ 'k' in {'k': 1} }}", NULL,
	  "True|True|True|True|True|False|True" },
	{ "{{ 0 or 'x' }}|{{ 1 and 'y' }}|{{ none or [] }}|{{ not '' }}|{{ 'a' if 0 else 'b' }}|[{{ 'a' if 0 }}]", NULL,
	  "x|y|[]|True|b|[]" },
	{ "{{ [1, 'a', none, true, 1.5, (1,), {'k': [2]}] }}|{{ \"it's\" }}|{{ ['it\\'s', 'q\"'] }}", NULL,
	  "[1, 'a', None, True, 1.5, (1,), {'k': [2]}]|it's|[\"it's\", 'q\"']" },
	{ "{{ x.a }}|{{ x['a'] }}|{{ l[0] }}|{{ l[-1] }}|{{ l[1:] }}|{{ l[::-1] }}|{{ 'hello'[1:3] }}|{{ x.b.c }}", "{\"x\":{\"a\":1,\"b\":{\"c\":2}},\"l\":[1,2,3]}",
	  "1|1|1|3|[2, 3]|[3, 2, 1]|el|2" },
	{ "{{ range(3)|list }}|{{ range(1, 7, 2)|list }}|{{ range(3, 0, -1)|list }}|{{ dict(a=1) }}|{{ namespace(a=1).a }}", NULL,
	  "[0, 1, 2]|[1, 3, 5]|[3, 2, 1]|{'a': 1}|1" },
	{ "{% set c = cycler('a','b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }}|{% set j = joiner('/') %}{{ j() }}x{{ j() }}y", NULL,
	  "abab|x/y" },
	{ "{{ 1_000 }}|{{ 0x10 }}|{{ 0o10 }}|{{ 0b10 }}|{{ 1_0.5 }}|{{ 'a' 'b' }}|{{ \"\\u00e9\\x41\\n\" }}", NULL,
	  "1000|16|8|2|10.5|ab|éA\n" },
};

static const struct th_case stmt_cases[] = {
	{ "{% for x in [1,2,3] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", NULL,
	  "1032TrueFalse3;2121FalseFalse3;3210FalseTrue3;" },
	{ "{% for x in [] %}y{% else %}empty{% endfor %}|{% for x in [1,2,3,4] if x is even %}{{ x }}{% endfor %}", NULL,
	  "empty|24" },
	{ "{% for a, b in [(1, 2), (3, 4)] %}{{ a + b }}{% endfor %}|{% for k, v in {'x': 1}.items() %}{{ k }}{{ v }}{% endfor %}", NULL,
	  "37|x1" },
	{ "{% for x in [1,2,2,3] %}{% if loop.changed(x) %}{{ x }}{% endif %}{{ loop.cycle('a','b') }}{% endfor %}", NULL,
	  "1a2ba3b" },
	{ "{% for n in t recursive %}{{ n.v }}{% if n.c %}({{ loop(n.c) }}){% endif %}{% endfor %}", "{\"t\":[{\"v\":1,\"c\":[{\"v\":2,\"c\":[]}]},{\"v\":3,\"c\":[]}]}",
	  "1(2)3" },
	{ "{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}|{% if true %}{% set y = 3 %}{% endif %}{{ y }}|{% with z = 4 %}{{ z }}{% endwith %}{{ z is defined }}", NULL,
	  "1|3|4False" },
	{ "{% set ns = namespace(n=0) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", NULL,
	  "6" },
	{ "{% macro m(a, b=2) %}{{ a }}{{ b }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1) }}|{{ m(1, 3, 4, k=5) }}|{{ m(b=0, a=9) }}", NULL,
	  "12(){}|13(4,){'k': 5}|90(){}" },
	{ "{% macro w() %}[{{ caller() }}]{% endmacro %}{% call w() %}in{% endcall %}|{% macro each(l) %}{% for i in l %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(i) each([1,2]) %}<{{ i }}>{% endcall %}", NULL,
	  "[in]|<1><2>" },
	{ "{% set s %}a{{ 1 }}b{% endset %}{{ s }}|{% set t | upper %}x{% endset %}{{ t }}|{% filter replace('a', 'o') %}banana{% endfilter %}", NULL,
	  "a1b|X|bonono" },
	{ "{% raw %}{{ x }}{% endraw %}|{# c #}|{{ '{{' }}", NULL,
	  "{{ x }}||{{" },
	{ "{% set a, b = 1, 2 %}{{ b }}{{ a }}|{% set t = 1, %}{{ t }}", NULL,
	  "21|(1,)" },
	/* a macro printed at once writes into the output; its value
	   elsewhere (filtered, set, concatenated, nested) is the same text */
	{ "{% macro m(x) %}<{{ x }}{% for i in [1, 2] %}{{ i }}{% endfor %}>{% endmacro %}"
	  "{{ m('a') }}|{{ m('b') | upper }}|{% set v = m('c') %}{{ v }}{{ v | length }}|"
	  "{{ m('d') ~ m('e') }}|{{ m(m('f')) }}|{{ [m('g')] | join(',') }}", NULL,
	  "<a12>|<B12>|<c12>5|<d12><e12>|<<f12>12>|<g12>" },
	{ "{% macro w() %}[{{ caller() }}|{{ caller() | lower }}]{% endmacro %}"
	  "{% call w() %}{{ 'X' ~ 'y' | upper }}{% endcall %}|{% set s %}{% call w() %}Q{% endcall %}{% endset %}{{ s }}", NULL,
	  "[XY|xy]|[Q|q]" },
	/* scratch buffers nest: a filter's argument built while another is */
	{ "{{ ['a', 'b'] | join(['-', 'x' | upper] | join('')) | replace('a', 'A' ~ 'B' | lower) }}", NULL,
	  "Ab-Xb" },
	/* methods resolved per type when compiled */
	{ "{{ 'abca'.count('a') }}{{ [1, 1, 2].count(1) }}{{ (1, 2).index(2) }}{{ 'xy'.index('y') }}{{ {'count': 5}.count }}", NULL,
	  "22115" },
};

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

Test(eval, expressions)
{
	th_check_all(expr_cases, NCASES(expr_cases), NULL);
}

Test(eval, statements)
{
	th_check_all(stmt_cases, NCASES(stmt_cases), NULL);
}

static const char *const files[] = {
	"base.j2", "<{% block a %}A{% endblock %}|{% block b %}B{% endblock %}>",
	"mid.j2", "{% extends 'base.j2' %}{% block a %}m{{ super() }}{% endblock %}",
	"inc.j2", "[{{ v }}]",
	"incd.j2", "[{{ v|default('-') }}]",
	"lib.j2", "{% set k = 'K' %}{% macro f(x) %}f{{ x }}{{ g|default('') }}"
	    "{% endmacro %}",
	"bad.j2", "line1\n{{ 1 +\n",
	"err.j2", "ok\n{{ nope }}",
	"self.j2", "{% include 'self.j2' %}",
	"loop.j2", "{% extends 'loop.j2' %}",
	NULL, NULL,
};

static void
with_files(void)
{
	th_files = files;
}

TestSuite(tmpls, .init = with_files);

Test(tmpls, inheritance_include_import)
{
	th_check("{% extends 'mid.j2' %}{% block b %}c{% endblock %}", NULL,
	    "<mA|c>");
	th_check("{% set v = 1 %}{% include 'inc.j2' %}"
	    "{% include 'incd.j2' without context %}", "{\"v\":2}", "[1][-]");
	th_check("{% include ['none.j2', 'inc.j2'] %}{% include 'x.j2' "
	    "ignore missing %}", "{\"v\":0}", "[0]");
	th_check("{% import 'lib.j2' as l %}{{ l.f(1) }}{{ l.k }}"
	    "{% from 'lib.j2' import f as ff %}{{ ff(2) }}", "{\"g\":\"G\"}",
	    "f1Kf2");
	th_check("{% from 'lib.j2' import f with context %}{{ f(3) }}",
	    "{\"g\":\"G\"}", "f3G");
}

Test(tmpls, errors_name_the_file_and_line)
{
	th_check("{% include 'bad.j2' %}", NULL,
	    "ERROR bad.j2:2: error: unexpected 'end of template'");
	th_check("a\n{% include 'err.j2' %}", NULL,
	    "ERROR err.j2:2: error: 'nope' is undefined");
	th_check("a\n\n{% include 'missing.j2' %}", NULL,
	    "ERROR t.j2:3: error: template 'missing.j2' not found");
	th_check("{% from 'lib.j2' import nothere %}\n{{ nothere() }}", NULL,
	    "ERROR t.j2:2: error: the template 'lib.j2' (imported on line 1) "
	    "does not export the requested name 'nothere'");
	th_check("{% macro m(a) %}{{ a }}{% endmacro %}\n{{ m(1, 2) }}", NULL,
	    "ERROR t.j2:2: error: macro 'm' takes not more than 1 "
	    "argument(s)");
	th_check("{{ 1 + 'a' }}", NULL, "ERROR t.j2:1: error: unsupported "
	    "operand type(s) for +: 'int' and 'str'");
	th_check("\n{{ 1 < 'a' }}", NULL, "ERROR t.j2:2: error: '<' not "
	    "supported between instances of 'int' and 'str'");
	th_check("{{ x() }}", "{\"x\":1}",
	    "ERROR t.j2:1: error: 'int' object is not callable");
	th_check("{% for a, b in [[1, 2, 3]] %}{% endfor %}", NULL,
	    "ERROR t.j2:1: error: too many values to unpack (expected 2)");
	th_check("{{ 1 // 0 }}", NULL,
	    "ERROR t.j2:1: error: integer division or modulo by zero");
	th_check("{{ 1 / 0 }}", NULL, "ERROR t.j2:1: error: division by zero");
	th_check("{% if x %}\n{{ y|nosuch }}{% endif %}", "{\"x\":1}",
	    "ERROR t.j2:2: error: No filter named 'nosuch' found.");
}

Test(eval, undefined_strict)
{
	th_check("a\n{{ missing }}", NULL,
	    "ERROR t.j2:2: error: 'missing' is undefined");
	th_check("{{ d.x }}", "{\"d\":{}}",
	    "ERROR t.j2:1: error: 'dict object' has no attribute 'x'");
	th_check("{{ l[3] }}", "{\"l\":[]}",
	    "ERROR t.j2:1: error: list object has no element 3");
	th_check("{{ missing.a|default(1) }}", NULL,
	    "ERROR t.j2:1: error: 'missing' is undefined");
	th_check("{{ missing is defined }}{{ missing|default('d') }}"
	    "{{ 'x' if missing is defined else 'y' }}[{{ 'v' if false }}]",
	    NULL, "Falsedy[]");
	th_check("{% for x in l %}\n{{ loop.previtem }}{% endfor %}",
	    "{\"l\":[1]}", "ERROR t.j2:2: error: there is no previous item");
}

Test(eval, undefined_lenient)
{
	struct tmpl_options o = { .undefined = TMPL_UNDEFINED_LENIENT };

	th_check_opt("[{{ missing }}][{{ missing|upper }}]{{ missing|length }}"
	    "{% for x in missing %}x{% endfor %}{% if missing %}t{% endif %}",
	    NULL, "[][]0", &o);
	th_check_opt("{{ missing.attr }}", NULL,
	    "ERROR t.j2:1: error: 'missing' is undefined", &o);
	th_check_opt("{{ missing + 1 }}", NULL,
	    "ERROR t.j2:1: error: 'missing' is undefined", &o);
}

Test(eval, whitespace_options)
{
	struct tmpl_options o = { .trim_blocks = true, .lstrip_blocks = true,
	    .keep_trailing_newline = true };

	th_check_opt("  {% if 1 %}\nx\n  {% endif %}\n", NULL, "x\n", &o);
	th_check("  {% if 1 %}\nx\n  {% endif %}\n", NULL, "  \nx\n  ");
}

static int
count_load(void *arg, const char *name, char **src, size_t *len, char **path,
    char **cause)
{
	(void)cause;
	(*(int *)arg)++;
	if (strcmp(name, "a.j2") == 0)
		*src = xstrdup("{% include 'b.j2' %}{% include 'gone.j2' ignore "
		    "missing %}{{ x }}");
	else if (strcmp(name, "b.j2") == 0)
		*src = xstrdup("b");
	else
		return 1;
	*len = strlen(*src);
	*path = xprintf("/tpl/%s", name);
	return 0;
}

Test(tmpls, deps_and_cache)
{
	int loads = 0;
	struct tmpl_loader l = { count_load, &loads };
	tmpl_env *env = tmpl_env_new_loader(NULL, &l);
	tmpl_ctx *ctx = tmpl_ctx_new();
	struct tmpl_result r;

	tmpl_ctx_set_str(ctx, "x", "X");
	cr_assert_eq(tmpl_render(env, "a.j2", ctx, &r), 0);
	cr_expect_str_eq(r.text, "bX");
	cr_assert_eq(r.ndeps, 2);
	cr_expect_str_eq(r.deps[0], "/tpl/a.j2");
	cr_expect_str_eq(r.deps[1], "/tpl/b.j2");
	tmpl_result_clear(&r);
	int after_first = loads;
	cr_assert_eq(tmpl_render(env, "a.j2", ctx, &r), 0);
	cr_expect_eq(r.ndeps, 2, "cached templates still count as read");
	tmpl_result_clear(&r);
	cr_expect_eq(loads, after_first + 1, "only the missing one is retried");
	tmpl_env_invalidate(env, "b.j2");
	cr_assert_eq(tmpl_render(env, "a.j2", ctx, &r), 0);
	tmpl_result_clear(&r);
	cr_expect_eq(loads, after_first + 3, "b.j2 reloaded after invalidate");
	/* a failed render still reports what it read */
	tmpl_ctx_free(ctx);
	ctx = tmpl_ctx_new();
	cr_expect_eq(tmpl_render(env, "a.j2", ctx, &r), -1);
	cr_expect_eq(r.err.kind, TMPL_ERR_UNDEFINED);
	cr_expect_eq(r.ndeps, 2);
	tmpl_result_clear(&r);
	cr_expect_eq(tmpl_render(env, "nope.j2", ctx, &r), -1);
	cr_expect_eq(r.err.kind, TMPL_ERR_NOTFOUND);
	tmpl_result_clear(&r);
	tmpl_env_invalidate_all(env);
	tmpl_ctx_free(ctx);
	tmpl_env_free(env);
}

/* A loader that says where it looked, found or not. */
static int
where_load(void *arg, const char *name, char **src, size_t *len,
    char **path, char **cause)
{
	(void)arg;
	(void)cause;
	*path = xprintf("/tpl/%s", name);
	if (strcmp(name, "a.j2") == 0)
		*src = xstrdup("{% include ['opt.j2', 'b.j2'] %}"
		    "{% include 'gone.j2' ignore missing %}.");
	else if (strcmp(name, "b.j2") == 0)
		*src = xstrdup("b");
	else
		return 1;
	*len = strlen(*src);
	return 0;
}

Test(tmpls, missing_templates_are_reported)
{
	struct tmpl_loader l = { where_load, NULL };
	tmpl_env *env = tmpl_env_new_loader(NULL, &l);
	tmpl_ctx *ctx = tmpl_ctx_new();
	struct tmpl_result r;

	cr_assert_eq(tmpl_render(env, "a.j2", ctx, &r), 0);
	cr_expect_str_eq(r.text, "b.");
	cr_assert_eq(r.ndeps, 2);
	cr_assert_eq(r.nmissing, 2, "a list's absent first name and an "
	    "ignored include");
	cr_expect_str_eq(r.missing[0], "/tpl/opt.j2");
	cr_expect_str_eq(r.missing[1], "/tpl/gone.j2");
	tmpl_result_clear(&r);
	cr_expect_eq(tmpl_render(env, "none.j2", ctx, &r), -1);
	cr_assert_eq(r.nmissing, 1, "a failed render depends on its absence");
	cr_expect_str_eq(r.missing[0], "/tpl/none.j2");
	tmpl_result_clear(&r);
	tmpl_ctx_free(ctx);
	tmpl_env_free(env);
}

Test(tmpls, error_format)
{
	struct tmpl_error e = { TMPL_ERR_UNDEFINED, xstrdup("templates/x.j2"),
	    12, xstrdup("'backend' is undefined") };
	char *s = tmpl_error_format(&e);

	cr_expect_str_eq(s, "templates/x.j2:12: error: 'backend' is undefined");
	free(s);
	e.line = 0;
	s = tmpl_error_format(&e);
	cr_expect_str_eq(s, "templates/x.j2: error: 'backend' is undefined");
	free(s);
	tmpl_error_clear(&e);
	cr_expect_null(e.message);
}

struct thread_job {
	tmpl_env	*env;
	tmpl_ctx	*ctx;
	int		 ok;
};

static void *
render_many(void *arg)
{
	struct thread_job *j = arg;
	struct tmpl_result r;

	for (int i = 0; i < 200; i++) {
		if (tmpl_render(j->env, "mid.j2", j->ctx, &r) == 0 &&
		    strcmp(r.text, "<mA|B>") == 0 && r.ndeps == 2)
			j->ok++;
		tmpl_result_clear(&r);
		const char *src = "{% import 'lib.j2' as l %}{{ l.f(x) }}";
		if (tmpl_render_string(j->env, "s.j2", src, strlen(src), j->ctx,
		    &r) == 0 && strcmp(r.text, "f7") == 0)
			j->ok++;
		tmpl_result_clear(&r);
		if (i % 50 == 0)
			tmpl_env_invalidate(j->env, "base.j2");
	}
	return NULL;
}

Test(tmpls, concurrent_renders_share_one_env)
{
	struct tmpl_error err = { 0 };
	const char *json = "{\"x\": 7, \"g\": \"G\"}";
	tmpl_data *d = tmpl_data_parse(json, strlen(json), "d", &err);
	pthread_t th[4];
	struct thread_job jobs[4];

	tmpl_env *env = th_env_new(NULL);
	tmpl_ctx *ctx = tmpl_ctx_new();
	tmpl_ctx_set_keys(ctx, tmpl_data_root(d));
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct thread_job){ env, ctx, 0 };
		cr_assert_eq(pthread_create(&th[i], NULL, render_many,
		    &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		cr_expect_eq(jobs[i].ok, 400, "thread %d: %d good renders", i,
		    jobs[i].ok);
	}
	tmpl_ctx_free(ctx);
	tmpl_env_free(env);
	tmpl_data_free(d);
}
