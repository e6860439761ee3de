/*
 * Unit tests for template data: the JSON reader (key order, int/float,
 * integers beyond 64 bits, strings and escapes, errors with lines,
 * nesting bound), the navigation API used for foreach, canonical JSON,
 * and contexts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "tmpl_helper.h"
#include "tmpl_limits.h"

static tmpl_data *
parse(const char *json, struct tmpl_error *err)
{
	return tmpl_data_parse(json, strlen(json), "d.json", err);
}

Test(data, key_order_and_types)
{
	th_check("{{ d }}|{{ d|list }}", "{\"d\":{\"z\":1,\"a\":2.0,\"m\":"
	    "[true,false,null,\"s\"]}}",
	    "{'z': 1, 'a': 2.0, 'm': [True, False, None, 's']}|['z', 'a', 'm']");
	th_check("{{ n }} {{ n + 1 }} {{ m }} {{ f }} {{ e }}",
	    "{\"n\":123456789012345678901234567890,\"m\":-9223372036854775809,"
	    "\"f\":1e400,\"e\":1E-2}",
	    "123456789012345678901234567890 123456789012345678901234567891 "
	    "-9223372036854775809 inf 0.01");
	th_check("{{ s }}|{{ s|length }}", "{\"s\":\"\\u00e9\\ud83d\\ude00\\n\\\"\"}",
	    "\xc3\xa9\xf0\x9f\x98\x80\n\"|4");
	th_check("{{ d }}", "{\"d\":{\"k\":1,\"k\":2}}", "{'k': 2}");
}

Test(data, errors_have_lines)
{
	static const struct {
		const char	*json;
		int		 line;
		const char	*msg;
	} cases[] = {
		{ "{\n\"a\": 1,\n}", 3, "expected a string key" },
		{ "[1,\n2\n3]", 3, "expected ',' or ']'" },
		{ "{\"a\" 1}", 1, "expected ':'" },
		{ "\n\n\"abc", 3, "unterminated string" },
		{ "[01]", 1, "expected ','" },
		{ "[1.]", 1, "invalid number" },
		{ "nul", 1, "unexpected character" },
		{ "{} x", 1, "extra data" },
		{ "\"\\q\"", 1, "invalid escape" },
		{ "\"a\tb\"", 1, "control character" },
		{ "", 1, "unexpected end" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tmpl_error err = { 0 };
		cr_expect_null(parse(cases[i].json, &err), "%s", cases[i].json);
		cr_expect_eq(err.kind, TMPL_ERR_DATA);
		cr_expect_eq(err.line, cases[i].line, "%s: line %d",
		    cases[i].json, err.line);
		cr_expect(err.message && strstr(err.message, cases[i].msg),
		    "%s: %s", cases[i].json, err.message);
		cr_expect_str_eq(err.file, "d.json");
		tmpl_error_clear(&err);
	}
}

Test(data, nesting_is_bounded)
{
	size_t n = TMPL_JSON_MAX_DEPTH + 10;
	char *s = malloc(2 * n + 1);
	struct tmpl_error err = { 0 };

	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = '\0';
	cr_expect_null(parse(s, &err));
	cr_expect_eq(err.kind, TMPL_ERR_DATA);
	cr_expect(strstr(err.message, "nesting") != NULL);
	tmpl_error_clear(&err);
	s[0] = ' ';
	s[1] = ' ';
	s[2 * n - 1] = ' ';
	s[2 * n - 2] = ' ';
	memset(s + 10, ' ', 10);
	memset(s + 2 * n - 22, ' ', 10);
	tmpl_data *d = parse(s, &err);
	cr_expect_not_null(d, "%d levels are fine", (int)n - 12);
	tmpl_data_free(d);
	free(s);
}

Test(data, navigation)
{
	struct tmpl_error err = { 0 };
	tmpl_data *d = parse("{\"a\":{\"b\":[10,{\"c\":\"x\"}]},\"k\":{\"p\":1,"
	    "\"q\":2}}", &err);
	const tmpl_value *root = tmpl_data_root(d);

	cr_assert_not_null(d);
	cr_expect(tmpl_value_is_object(root));
	cr_expect_eq(tmpl_value_path(root, "."), root);
	const tmpl_value *b = tmpl_value_path(root, "a.b");
	cr_assert_not_null(b);
	cr_expect(tmpl_value_is_list(b));
	cr_expect_eq(tmpl_value_len(b), 2);
	cr_expect_not_null(tmpl_value_path(root, "a.b.1.c"));
	cr_expect_null(tmpl_value_path(root, "a.x"));
	cr_expect_null(tmpl_value_path(root, "a.b.7"));
	cr_expect_null(tmpl_value_at(b, 2));
	const tmpl_value *k = tmpl_value_path(root, "k");
	size_t len;
	char *j = tmpl_value_to_json(tmpl_value_key_at(k, 1), &len);
	cr_expect_str_eq(j, "\"q\"");
	free(j);
	j = tmpl_value_to_json(tmpl_value_value_at(k, 0), &len);
	cr_expect_str_eq(j, "1");
	free(j);
	cr_expect_null(tmpl_value_key_at(k, 2));
	j = tmpl_value_to_json(root, &len);
	cr_expect_str_eq(j, "{\"a\":{\"b\":[10,{\"c\":\"x\"}]},\"k\":{\"p\":1,"
	    "\"q\":2}}");
	cr_expect_eq(len, strlen(j));
	free(j);
	tmpl_data_free(d);
}

Test(data, canonical_json_sorts_keys)
{
	struct tmpl_error err = { 0 };
	tmpl_data *d = parse("{\"b\":[1.5,\"\\u00e9\"],\"a\":null}", &err);
	size_t len;
	char *j = tmpl_value_to_json(tmpl_data_root(d), &len);

	cr_expect_str_eq(j, "{\"a\":null,\"b\":[1.5,\"\xc3\xa9\"]}");
	free(j);
	tmpl_data_free(d);
}

Test(data, context_bindings)
{
	struct tmpl_error err = { 0 };
	tmpl_data *d = parse("{\"x\":1,\"y\":2}", &err);
	tmpl_env *env = tmpl_env_new(NULL, ".");
	tmpl_ctx *ctx = tmpl_ctx_new();
	struct tmpl_result r;

	tmpl_ctx_set_keys(ctx, tmpl_data_root(d));
	tmpl_ctx_set(ctx, "all", tmpl_data_root(d));
	tmpl_ctx_set_str(ctx, "y", "over");
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof(name), "v%d", i);
		tmpl_ctx_set_str(ctx, name, name);
	}
	const char *src = "{{ x }} {{ y }} {{ all.y }} {{ v99 }}";
	cr_assert_eq(tmpl_render_string(env, "s", src, strlen(src), ctx, &r), 0);
	cr_expect_str_eq(r.text, "1 over 2 v99");
	tmpl_result_clear(&r);
	tmpl_ctx_free(ctx);
	tmpl_env_free(env);
	tmpl_data_free(d);
}
