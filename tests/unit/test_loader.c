/*
 * Unit tests for choradd/loader: the identifier scan that decides whether
 * a template can reach the whole data, and loading with confinement.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

static bool
has(char **v, const char *name)
{
	for (size_t i = 0; v[i] != NULL; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

static void
freev(char **v)
{
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

Test(loader, scan_only_tags_and_names)
{
	const char *src = "data items outside tags\n"
	    "{{ item.name | upper }} {% for k, v in item.env.items() %}"
	    "{{ 'data' }}{{ \"backends\" }}{% endfor %}"
	    "{% if backends|length > loop_max %}{{ x . data }}{% endif %}"
	    "{{ data['k'] }}{# comment data #}";
	char **v = loader_scan_idents(src, strlen(src));

	cr_assert(has(v, "item"));
	cr_assert(has(v, "upper"));
	cr_assert(has(v, "backends"), "a bare name");
	cr_assert(has(v, "loop_max"));
	cr_assert(has(v, "data"), "data['k'] reaches the data");
	cr_assert(!has(v, "items"), "item.env.items() is an attribute");
	cr_assert(!has(v, "env"), "an attribute");
	cr_assert(!has(v, "name"), "an attribute");
	cr_assert(!has(v, "outside"), "text outside tags");
	for (size_t i = 1; v[i] != NULL; i++)
		cr_assert_lt(strcmp(v[i - 1], v[i]), 0, "sorted and unique");
	freev(v);
}

Test(loader, unknown_template_mentions_everything)
{
	struct loader *l = loader_new("/nonexistent-root");

	cr_assert(loader_mentions(l, "t.j2", "data"));
	loader_free(l);
}

Test(loader, refuses_paths_outside)
{
	struct loader *l = loader_new("/tmp");
	struct tmpl_loader tl = loader_tmpl(l);
	char *src = NULL, *path = NULL, *cause = NULL;
	size_t len;

	cr_assert_eq(tl.load(tl.arg, "../etc/passwd", &src, &len, &path,
	    &cause), -1);
	cr_assert(strstr(cause, "outside the project root") != NULL, "%s",
	    cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(tl.load(tl.arg, "/etc/passwd", &src, &len, &path,
	    &cause), -1);
	free(cause);
	cr_assert_eq(tl.load(tl.arg, "./no-such-template.j2", &src, &len,
	    &path, &cause), 1);
	cr_assert_str_eq(path, "no-such-template.j2", "where it looked, "
	    "for the render to depend on its absence");
	free(path);
	loader_free(l);
}
