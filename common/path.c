/*
 * path — see path.h.
 */
#include "path.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "xmalloc.h"

char *
path_join(const char *a, const char *b)
{
	size_t la;

	if (b[0] == '/' || a[0] == '\0')
		return xstrdup(b);
	la = strlen(a);
	if (a[la - 1] == '/')
		return xprintf("%s%s", a, b);
	return xprintf("%s/%s", a, b);
}

char *
path_normalize(const char *p)
{
	bool abs = p[0] == '/';
	size_t n = strlen(p), nparts = 0, lead = 0;
	const char **parts = xreallocarray(NULL, n / 2 + 2, sizeof(*parts));
	size_t *lens = xreallocarray(NULL, n / 2 + 2, sizeof(*lens));
	struct buf out = BUF_INIT;

	for (const char *s = p; *s != '\0';) {
		const char *e = strchr(s, '/');
		size_t len = e != NULL ? (size_t)(e - s) : strlen(s);
		if (len == 0 || (len == 1 && s[0] == '.')) {
			/* skip */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			if (nparts > lead)
				nparts--;
			else if (!abs) {
				parts[nparts] = s;
				lens[nparts++] = len;
				lead = nparts;
			}
		} else {
			parts[nparts] = s;
			lens[nparts++] = len;
		}
		s += len;
		while (*s == '/')
			s++;
	}
	if (abs)
		buf_addc(&out, '/');
	for (size_t i = 0; i < nparts; i++) {
		if (i > 0)
			buf_addc(&out, '/');
		buf_add(&out, parts[i], lens[i]);
	}
	if (out.len == 0)
		buf_addc(&out, '.');
	free(parts);
	free(lens);
	return buf_detach(&out, NULL);
}

bool
path_is_under(const char *root, const char *p)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(root, p, n) != 0)
		return false;
	if (n == 1 && root[0] == '/')
		return p[0] == '/';
	return p[n] == '\0' || p[n] == '/';
}

char *
path_relative(const char *root, const char *p)
{
	size_t n = strlen(root);

	if (!path_is_under(root, p))
		return NULL;
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n == 1 && root[0] == '/')
		return xstrdup(p[1] == '\0' ? "." : p + 1);
	if (p[n] == '\0')
		return xstrdup(".");
	return xstrdup(p + n + 1);
}

char *
path_dirname(const char *p)
{
	const char *slash = strrchr(p, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == p)
		return xstrdup("/");
	return xstrndup(p, (size_t)(slash - p));
}

const char *
path_basename(const char *p)
{
	const char *slash = strrchr(p, '/');

	return slash != NULL ? slash + 1 : p;
}

/*
 * realpath() of the longest existing prefix of abs, with the rest appended
 * lexically.  The rest does not exist yet, so it can hold no symlink.
 */
static char *
path_resolve_existing(const char *abs)
{
	char *head = xstrdup(abs), *resolved, *out;
	size_t len = strlen(head);

	for (;;) {
		if ((resolved = realpath(head, NULL)) != NULL)
			break;
		if (errno != ENOENT && errno != ENOTDIR) {
			free(head);
			return NULL;
		}
		char *slash = strrchr(head, '/');
		if (slash == NULL || slash == head) {
			free(head);
			return NULL;
		}
		*slash = '\0';
	}
	size_t hl = strlen(head);
	if (hl == len)
		out = resolved;
	else {
		out = path_join(resolved, abs + hl + 1);
		free(resolved);
	}
	free(head);
	return out;
}

char *
path_confine(const char *root_real, const char *rel, char **cause)
{
	char *joined, *norm, *real;

	if (rel[0] == '\0') {
		*cause = xstrdup("empty path");
		return NULL;
	}
	if (rel[0] == '/') {
		*cause = xprintf("'%s' is an absolute path; outputs must be "
		    "relative to the project root", rel);
		return NULL;
	}
	joined = path_join(root_real, rel);
	norm = path_normalize(joined);
	free(joined);
	if (!path_is_under(root_real, norm)) {
		*cause = xprintf("'%s' leaves the project root", rel);
		free(norm);
		return NULL;
	}
	real = path_resolve_existing(norm);
	free(norm);
	if (real == NULL) {
		*cause = xprintf("'%s': cannot resolve: %s", rel,
		    strerror(errno));
		return NULL;
	}
	if (!path_is_under(root_real, real)) {
		*cause = xprintf("'%s' leaves the project root through a "
		    "symbolic link (it resolves to %s)", rel, real);
		free(real);
		return NULL;
	}
	return real;
}

static bool
path_is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Is dir a root: a manifest file, or chora-compose's configs/content/? */
static bool
path_root_here(const char *dir)
{
	char *m = path_join(dir, PATH_MANIFEST);
	char *c = path_join(dir, "configs/content");
	struct stat st;
	bool yes = (stat(m, &st) == 0 && S_ISREG(st.st_mode)) ||
	    path_is_dir(c);

	free(m);
	free(c);
	return yes;
}

char *
path_find_root(const char *start, char **cause)
{
	char *dir = realpath(start, NULL), *up;

	if (dir == NULL) {
		*cause = xprintf("%s: %s", start, strerror(errno));
		return NULL;
	}
	if (!path_is_dir(dir)) {
		up = path_dirname(dir);
		free(dir);
		dir = up;
	}
	for (;;) {
		if (path_root_here(dir))
			return dir;
		if (strcmp(dir, "/") == 0)
			break;
		up = path_dirname(dir);
		free(dir);
		dir = up;
	}
	free(dir);
	*cause = xprintf("%s: not inside a project root (no %s or "
	    "configs/content/ here or above)", start, PATH_MANIFEST);
	return NULL;
}

char *
path_real_alias(const char *root_real, const char *rel)
{
	char *abs = path_join(root_real, rel), *real = realpath(abs, NULL);
	char *r = real != NULL ? path_relative(root_real, real) : NULL;

	free(abs);
	free(real);
	if (r != NULL && strcmp(r, rel) == 0) {
		free(r);
		r = NULL;
	}
	return r;
}
