/*
 * fuzz_tmpl — libFuzzer target for the template engine: the input is
 * compiled and rendered as a template (with a few helper templates for
 * include, import and extends, and a fixed context), and parsed as JSON
 * data.  The first byte picks the options.  Limits are small so that
 * every input finishes quickly; any crash, sanitizer report or hang is a
 * bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "xmalloc.h"

static const char *const helpers[] = {
	"inc.j2", "[{{ x }}{% for i in l %}{{ i }}{% endfor %}]",
	"base.j2", "<{% block a %}A{% endblock %}{% block b %}{% endblock %}>",
	"lib.j2", "{% macro m(a, b=1) %}{{ a ~ b }}{{ caller() if caller }}"
	    "{% endmacro %}{% set v = 2 %}",
	NULL, NULL,
};

struct input {
	const char	*s;
	size_t		 n;
};

static int
fuzz_load(void *arg, const char *name, char **src, size_t *len, char **path,
    char **cause)
{
	const struct input *in = arg;

	(void)cause;
	if (strcmp(name, "self.j2") == 0) {
		*src = xmemdup(in->s, in->n);
		*len = in->n;
		*path = xstrdup(name);
		return 0;
	}
	for (const char *const *h = helpers; h[0] != NULL; h += 2)
		if (strcmp(h[0], name) == 0) {
			*src = xstrdup(h[1]);
			*len = strlen(h[1]);
			*path = xstrdup(name);
			return 0;
		}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char ctx_json[] = "{\"x\": 1, \"s\": \"t\\u00e9xt\", "
	    "\"l\": [3, 1, 2], \"d\": {\"k\": \"v\", \"n\": [1.5, null]}, "
	    "\"big\": 123456789012345678901234567890}";
	struct tmpl_options o = {
		.limits = { .max_depth = 20, .max_output = 1 << 20,
		    .max_loop_iterations = 100000, .max_memory = 32 << 20 },
	};
	struct tmpl_error err = { 0 };
	struct tmpl_result r;

	if (size == 0)
		return 0;
	o.trim_blocks = data[0] & 1;
	o.lstrip_blocks = (data[0] >> 1) & 1;
	o.keep_trailing_newline = (data[0] >> 2) & 1;
	o.undefined = (data[0] >> 3) & 1 ? TMPL_UNDEFINED_LENIENT :
	    TMPL_UNDEFINED_STRICT;
	struct input in = { (const char *)data + 1, size - 1 };

	/* the input as JSON data */
	tmpl_data *d = tmpl_data_parse(in.s, in.n, "fuzz.json", &err);
	tmpl_error_clear(&err);
	if (d != NULL) {
		size_t len;
		free(tmpl_value_to_json(tmpl_data_root(d), &len));
		tmpl_data_free(d);
	}

	/* the input as a template, through the cache and as a string */
	struct tmpl_loader l = { fuzz_load, &in };
	tmpl_env *env = tmpl_env_new_loader(&o, &l);
	tmpl_data *cd = tmpl_data_parse(ctx_json, strlen(ctx_json), "ctx",
	    &err);
	tmpl_ctx *ctx = tmpl_ctx_new();
	tmpl_ctx_set_keys(ctx, tmpl_data_root(cd));
	tmpl_render(env, "self.j2", ctx, &r);
	tmpl_result_clear(&r);
	tmpl_render_string(env, "str.j2", in.s, in.n, ctx, &r);
	tmpl_result_clear(&r);
	tmpl_ctx_free(ctx);
	tmpl_data_free(cd);
	tmpl_env_free(env);
	return 0;
}
