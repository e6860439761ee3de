/*
 * Helpers for the store's unit tests (see store_test.h).
 */
#include "store_test.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

char *
st_tmproot(void)
{
	const char *tmp = getenv("TMPDIR");
	char *root = xprintf("%s/chora-store-XXXXXX", tmp ? tmp : "/tmp");

	cr_assert_not_null(mkdtemp(root));
	return root;
}

void
st_rmtree(const char *root)
{
	char *cmd = xprintf("rm -rf '%s'", root);

	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

struct store *
st_open(const char *root, unsigned history, int flags)
{
	struct store_options opt = { .history = history, .flags = flags };
	char *cause = NULL;
	struct store *s = store_open(root, &opt, &cause);

	cr_assert_not_null(s, "open: %s", cause ? cause : "");
	return s;
}

int64_t
st_gen(struct store *s, const char *ws, const char *id, const char *text,
    size_t len, const char *context, const struct store_dep *deps,
    size_t ndeps)
{
	struct store_generation g = {
		.content = { .workspace = ws, .id = id, .text = text,
		    .len = len, .context = context, .config_id = "cfg",
		    .output_path = id },
		.deps = deps, .ndeps = ndeps, .uid = 1000,
	};
	char *cause = NULL;

	cr_assert_eq(store_generation_put(s, &g, &cause), 0, "%s: %s", id,
	    cause ? cause : "");
	return g.content.version;
}

size_t
st_nblobs(const char *root)
{
	char *dir = xprintf("%s/.chora/blobs/content", root);
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	cr_assert_not_null(d, "%s", dir);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || strncmp(de->d_name, ".chora-tmp",
		    10) == 0)
			n++;
	closedir(d);
	free(dir);
	return n;
}
