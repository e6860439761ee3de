/*
 * Unit tests for common/cjson: the canonical form must equal what Python
 * prints with json.dumps(v, sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False); the expected strings below are Python's output.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cjson.h"

static void
expect_canonical(const char *in, const char *want)
{
	char *cause = NULL, *out;
	size_t len;

	out = cjson_canonical(in, strlen(in), "t.json", &len, &cause);
	cr_assert_not_null(out, "%s: %s", in, cause ? cause : "");
	cr_assert_str_eq(out, want, "input %s", in);
	cr_assert_eq(len, strlen(want));
	free(out);
}

Test(cjson, sorted_compact)
{
	expect_canonical("{ \"b\" : [1, 2.0, \"x\\n\\u0001\xc3\xa9\"],\n"
	    "  \"a\": {\"d\": null, \"c\": true} }",
	    "{\"a\":{\"c\":true,\"d\":null},\"b\":[1,2.0,\"x\\n\\u0001\xc3\xa9\"]}");
	expect_canonical("{\"\xc3\xa9\":1,\"z\":2,\"A\":3}",
	    "{\"A\":3,\"z\":2,\"\xc3\xa9\":1}");
	expect_canonical("[]", "[]");
	expect_canonical("{}", "{}");
	expect_canonical("\"q\\\"\\\\/\"", "\"q\\\"\\\\/\"");
}

Test(cjson, floats_as_python_repr)
{
	static const char *const cases[][2] = {
		{ "0.1", "0.1" }, { "1.0", "1.0" }, { "1e16", "1e+16" },
		{ "1.5e-5", "1.5e-05" }, { "1e15", "1000000000000000.0" },
		{ "123.456", "123.456" }, { "-0.0", "-0.0" },
		{ "1E100", "1e+100" }, { "2.5e-4", "0.00025" },
		{ "0.0001", "0.0001" }, { "0.3333333333333333",
		    "0.3333333333333333" }, { "-7", "-7" },
		{ "9223372036854775807", "9223372036854775807" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_canonical(cases[i][0], cases[i][1]);
}

Test(cjson, equal_documents_equal_text)
{
	char *cause = NULL;
	const char *ta = "{\"x\":1,\"y\":[true]}";
	const char *tb = "{\n  \"y\": [ true ],\n  \"x\": 1\n}\n";
	char *a = cjson_canonical(ta, strlen(ta), "a", NULL, &cause);
	char *b = cjson_canonical(tb, strlen(tb), "b", NULL, &cause);

	cr_assert_str_eq(a, b);
	free(a);
	free(b);
}

Test(cjson, errors_name_file_and_line)
{
	char *cause = NULL;

	cr_assert_null(cjson_canonical("{\n\"a\": 1,\n\"a\": 2}", 17,
	    "cfg.json", NULL, &cause));
	cr_assert_not_null(strstr(cause, "cfg.json:3: error:"), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_null(cjson_canonical("{\"a\":\n\n[1,}", 11, "x.json", NULL,
	    &cause));
	cr_assert_not_null(strstr(cause, "x.json:3: error:"), "%s", cause);
	free(cause);
}
