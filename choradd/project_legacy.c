/*
 * project_legacy — a chora-compose root's history comes in on first start:
 * ephemeral/<content id>/<timestamp>.<ext> files become imported versions,
 * oldest first, their timestamps kept and the files left untouched
 * (SPEC section 8).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "fileio.h"
#include "log.h"
#include "path.h"
#include "project_int.h"
#include "xmalloc.h"

/* ---- chora-compose history ---------------------------------------- */

/* A legacy timestamp file name ("20250102T030405Z.md", ISO, or epoch). */
static int64_t
legacy_time(const char *name)
{
	static const char *fmts[] = { "%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%SZ",
	    "%Y-%m-%dT%H-%M-%SZ", "%Y-%m-%dT%H-%M-%S", "%Y%m%d%H%M%S" };
	char *stem = xstrndup(name, strcspn(name, "."));
	int64_t t = 0;

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]) && t == 0; i++) {
		struct tm tm = { 0 };
		const char *end = strptime(stem, fmts[i], &tm);
		if (end != NULL && *end == '\0')
			t = (int64_t)timegm(&tm) * 1000;
	}
	if (t == 0 && stem[0] != '\0' && strspn(stem, "0123456789") ==
	    strlen(stem)) {
		t = strtoll(stem, NULL, 10);
		if (t < 100000000000LL)
			t *= 1000;	/* seconds */
	}
	free(stem);
	return t;
}

int
project_legacy_import(struct store *s, const char *root, const char *ws,
    const char *id, bool dry_run, project_skip_fn skip, void *arg)
{
	char *dir = xprintf("%s/ephemeral/%s", root, id), **names;
	size_t n;
	int done = 0;

	if ((names = fileio_listdir(dir, false, &n)) == NULL) {
		free(dir);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		char *f = path_join(dir, names[i]), *text, *cause = NULL;
		size_t len, l = strlen(names[i]);
		if (l > 10 && strcmp(names[i] + l - 10, ".meta.json") == 0) {
			free(f);
			continue;	/* a sidecar, not a version */
		}
		if (fileio_read(f, &text, &len) == -1) {
			cause = xstrdup(strerror(errno));
			text = NULL;
		} else if (!dry_run) {
			struct store_content c = {
				.workspace = ws, .id = id,
				.kind = STORE_VERSION_IMPORTED, .config_id = id,
				.generated_at = legacy_time(names[i]),
				.text = text, .len = len,
			};
			(void)store_content_put(s, &c, &cause);
		}
		if (cause != NULL) {
			log_warnx("%s: import: %s", f, cause);
			if (skip != NULL)
				skip(arg, id, f + strlen(root) + 1, cause);
			free(cause);
		} else
			done++;
		free(text);
		free(f);
	}
	fileio_listdir_free(names);
	if (done > 0 && !dry_run)
		log_info("%s: imported %d versions of %s from ephemeral/",
		    root, done, id);
	free(dir);
	return done;
}

/* On the first start of a chora-compose root, its history comes in. */
void
project_import_legacy(struct project *p)
{
	struct arena *a;
	struct store_content sc;
	char *cause = NULL;

	if (p->store == NULL || p->check)
		return;
	a = arena_new();
	for (size_t i = 0; i < p->root->nconfigs; i++) {
		const struct config *c = p->root->configs[i];
		int rc = store_content_get(p->store, p->root->ws[0].name, c->id,
		    0, a, &sc, &cause);
		if (rc == 0)
			continue;	/* imported (or generated) before */
		if (rc == -1) {
			free(cause);
			cause = NULL;
			continue;
		}
		(void)project_legacy_import(p->store, p->path,
		    p->root->ws[0].name, c->id, false, NULL, NULL);
	}
	arena_free(a);
}
