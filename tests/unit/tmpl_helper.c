/*
 * tmpl_helper — see tmpl_helper.h.
 */
#include "tmpl_helper.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

const char *const *th_files;

static int
th_load(void *arg, const char *name, char **src, size_t *len, char **path,
    char **cause)
{
	(void)arg;
	(void)cause;
	for (const char *const *f = th_files; f != NULL && f[0] != NULL; f += 2)
		if (strcmp(f[0], name) == 0) {
			*src = xstrdup(f[1]);
			*len = strlen(f[1]);
			*path = xstrdup(name);
			return 0;
		}
	return 1;
}

tmpl_env *
th_env_new(const struct tmpl_options *o)
{
	struct tmpl_loader l = { th_load, NULL };

	return tmpl_env_new_loader(o, &l);
}

char *
th_render(const char *src, const char *data, const struct tmpl_options *o)
{
	struct tmpl_error err = { 0 };
	struct tmpl_result r;
	tmpl_env *env = th_env_new(o);
	tmpl_ctx *ctx = tmpl_ctx_new();
	tmpl_data *d = NULL;
	char *out;

	if (data == NULL)
		data = "{}";
	d = tmpl_data_parse(data, strlen(data), "data.json", &err);
	cr_assert_not_null(d, "bad test data: %s", data);
	tmpl_ctx_set_keys(ctx, tmpl_data_root(d));
	if (tmpl_render_string(env, "t.j2", src, strlen(src), ctx, &r) == 0)
		out = xstrdup(r.text);
	else {
		char *m = tmpl_error_format(&r.err);
		out = xprintf("ERROR %s", m);
		free(m);
	}
	tmpl_result_clear(&r);
	tmpl_data_free(d);
	tmpl_ctx_free(ctx);
	tmpl_env_free(env);
	return out;
}

void
th_check_opt(const char *src, const char *data, const char *want,
    const struct tmpl_options *o)
{
	char *got = th_render(src, data, o);

	if (strncmp(want, "ERROR ", 6) == 0)
		cr_expect(strncmp(got, want, strlen(want)) == 0,
		    "template %s\n  want %s\n  got  %s", src, want, got);
	else
		cr_expect(strcmp(got, want) == 0, "template %s\n  want %s\n"
		    "  got  %s", src, want, got);
	free(got);
}

void
th_check(const char *src, const char *data, const char *want)
{
	th_check_opt(src, data, want, NULL);
}

void
th_check_all(const struct th_case *cases, size_t n,
    const struct tmpl_options *o)
{
	for (size_t i = 0; i < n; i++)
		th_check_opt(cases[i].src, cases[i].data, cases[i].want, o);
}
