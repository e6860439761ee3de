/*
 * Unit tests for the template lexer: token kinds and values, line
 * numbers, Jinja2's source normalization and whitespace control, raw
 * blocks, comments and lexical errors.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "arena.h"
#include "tmpl_lex.h"

struct lexed {
	struct arena		*a;
	struct token		*t;
	size_t			 n;
	struct tmpl_error	 err;
	int			 rc;
};

static struct lexed
lex(const char *src, int trim, int lstrip, int keep)
{
	struct tmpl_lex_opts o = { trim, lstrip, keep };
	struct lexed l = { .a = arena_new() };

	l.rc = tmpl_lex(l.a, src, strlen(src), &o, &l.t, &l.n, &l.err);
	return l;
}

static void
done(struct lexed *l)
{
	tmpl_error_clear(&l->err);
	arena_free(l->a);
}

/* The data tokens joined: what the template prints around its tags. */
static char *
data_of(struct lexed *l, char *buf, size_t cap)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->t[i].type == TK_DATA && k + l->t[i].len < cap) {
			memcpy(buf + k, l->t[i].s, l->t[i].len);
			k += l->t[i].len;
		}
	buf[k] = '\0';
	return buf;
}

Test(lex, expression_tokens)
{
	struct lexed l = lex("{{ a.b + 12 * 1.5e3 ~ 'x\\ty' | f(k=0x1F) }}",
	    0, 0, 0);
	static const int want[] = { TK_VAR_BEGIN, TK_NAME, TK_OP, TK_NAME,
	    TK_OP, TK_INT, TK_OP, TK_FLOAT, TK_OP, TK_STRING, TK_OP, TK_NAME,
	    TK_OP, TK_NAME, TK_OP, TK_INT, TK_OP, TK_VAR_END, TK_EOF };

	cr_assert_eq(l.rc, 0);
	cr_assert_eq(l.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < l.n; i++)
		cr_expect_eq(l.t[i].type, want[i], "token %zu", i);
	cr_expect_eq(l.t[2].op, TO_DOT);
	cr_expect_eq(l.t[9].len, 3);
	cr_expect(memcmp(l.t[9].s, "x\ty", 3) == 0, "escape decoded");
	cr_expect(memcmp(l.t[15].s, "0x1F", 4) == 0);
	done(&l);
}

Test(lex, two_char_operators_win)
{
	struct lexed l = lex("{{ a ** b // c == d != e >= f <= g }}", 0, 0, 0);
	static const int ops[] = { TO_POW, TO_FLOORDIV, TO_EQ, TO_NE, TO_GTEQ,
	    TO_LTEQ };
	size_t k = 0;

	cr_assert_eq(l.rc, 0);
	for (size_t i = 0; i < l.n; i++)
		if (l.t[i].type == TK_OP)
			cr_expect_eq(l.t[i].op, ops[k++]);
	cr_expect_eq(k, 6);
	done(&l);
}

Test(lex, dotted_integer_is_not_a_float)
{
	struct lexed l = lex("{{ x.1 }}", 0, 0, 0);

	cr_assert_eq(l.rc, 0);
	cr_expect_eq(l.t[2].op, TO_DOT);
	cr_expect_eq(l.t[3].type, TK_INT);
	done(&l);
}

Test(lex, line_numbers)
{
	struct lexed l = lex("a\nb {{ x\n + y }}\n{% if z %}", 0, 0, 0);

	cr_assert_eq(l.rc, 0);
	cr_expect_eq(l.t[0].line, 1);		/* "a\nb " */
	cr_expect_eq(l.t[2].line, 2);		/* x */
	cr_expect_eq(l.t[4].line, 3);		/* y */
	cr_expect_eq(l.t[l.n - 1].line, 4);	/* eof: the last token's */
	done(&l);
}

Test(lex, newlines_normalized_and_trailing_dropped)
{
	char buf[64];
	struct lexed l = lex("a\r\nb\rc\n", 0, 0, 0);

	cr_assert_eq(l.rc, 0);
	cr_expect_str_eq(data_of(&l, buf, sizeof(buf)), "a\nb\nc");
	done(&l);
	l = lex("a\r\n", 0, 0, 1);
	cr_expect_str_eq(data_of(&l, buf, sizeof(buf)), "a\n");
	done(&l);
}

Test(lex, whitespace_control)
{
	char buf[64];
	struct lexed l = lex("a  \n {%- if x -%}  \n b {{- y }}c {#- z -#} d",
	    0, 0, 0);

	cr_assert_eq(l.rc, 0);
	cr_expect_str_eq(data_of(&l, buf, sizeof(buf)), "abcd");
	done(&l);
}

Test(lex, trim_and_lstrip_blocks)
{
	char buf[64];
	struct lexed l = lex("x\n  {% if a %}\ny\n  {%+ if b %}\n{{ v }}\nz",
	    1, 1, 0);

	cr_assert_eq(l.rc, 0);
	/* lstrip removes "  " before the first tag, trim the \n after
	   both; + keeps the indentation of the second; expressions untouched */
	cr_expect_str_eq(data_of(&l, buf, sizeof(buf)), "x\ny\n  \nz");
	done(&l);
	l = lex("{% if a +%}\nk", 1, 0, 0);
	cr_expect_str_eq(data_of(&l, buf, sizeof(buf)), "\nk");
	done(&l);
}

Test(lex, raw_block)
{
	char buf[64];
	struct lexed l = lex("a{% raw %}{{ x }}{% if %}{% endraw %}b", 0, 0, 0);

	cr_assert_eq(l.rc, 0);
	cr_expect_str_eq(data_of(&l, buf, sizeof(buf)), "a{{ x }}{% if %}b");
	for (size_t i = 0; i < l.n; i++)
		cr_expect(l.t[i].type == TK_DATA || l.t[i].type == TK_EOF);
	done(&l);
}

Test(lex, brackets_balance_before_tag_end)
{
	struct lexed l = lex("{{ {'a': {'b': 1}} }}", 0, 0, 0);

	cr_assert_eq(l.rc, 0);
	cr_expect_eq(l.t[l.n - 2].type, TK_VAR_END);
	done(&l);
}

Test(lex, errors_name_the_line)
{
	struct lexed l = lex("a\n{# open", 0, 0, 0);

	cr_expect_eq(l.rc, -1);
	cr_expect_eq(l.err.line, 2);
	cr_expect_str_eq(l.err.message, "Missing end of comment tag");
	done(&l);
	l = lex("a\nb\n{{ 'abc }}", 0, 0, 0);
	cr_expect_eq(l.rc, -1);
	cr_expect_eq(l.err.line, 3);
	cr_expect(strstr(l.err.message, "unexpected char") != NULL);
	done(&l);
	l = lex("{% raw %}x", 0, 0, 0);
	cr_expect_eq(l.rc, -1);
	cr_expect_str_eq(l.err.message, "Missing end of raw directive");
	done(&l);
	l = lex("{{ a ] }}", 0, 0, 0);
	cr_expect_eq(l.rc, -1);
	done(&l);
	l = lex("{{ a ? }}", 0, 0, 0);
	cr_expect_eq(l.rc, -1);
	done(&l);
}

Test(lex, deep_brackets_are_an_error)
{
	size_t n = 100000;
	char *s = malloc(n + 8);

	memcpy(s, "{{ ", 3);
	memset(s + 3, '(', n);
	s[n + 3] = '\0';
	struct lexed l = lex(s, 0, 0, 0);
	cr_expect_eq(l.rc, -1);
	cr_expect(strstr(l.err.message, "brackets") != NULL);
	done(&l);
	free(s);
}
