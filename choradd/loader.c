/*
 * loader — see loader.h.  The identifier scan is deliberately crude and
 * errs on the side of "mentioned": it looks only inside tags, skips
 * string literals, and takes every word, attributes included.  A false
 * positive costs precision (an output re-renders when any item changes),
 * never correctness.  Names after a dot are attributes (item.items(),
 * item.data) and are not counted; everything else is,
 * since a name cannot be reached without being written, as
 * Jinja2 has no way to look a variable up by a computed name.
 */
#include "loader.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "path.h"
#include "strmap.h"
#include "xmalloc.h"

struct tinfo {
	char	 hash[HASH_HEX_SIZE];
	char	*alias;		/* where a symlink leads, or NULL */
	char	**idents;	/* sorted, NULL-terminated */
	size_t	 nidents;
};

struct loader {
	char		*root;
	pthread_mutex_t	 mu;
	struct strmap	*cache;	/* path -> struct tinfo */
};

static bool
ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
ident_char(char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
loader_scan_idents(const char *src, size_t len)
{
	char **v = NULL;
	size_t n = 0, cap = 0, i = 0, out = 0;

	while (i + 1 < len) {
		if (src[i] != '{' || (src[i + 1] != '{' && src[i + 1] != '%')) {
			i++;
			continue;
		}
		char close = src[i + 1] == '{' ? '}' : '%';
		for (i += 2; i + 1 < len && !(src[i] == close &&
		    src[i + 1] == '}');) {
			if (src[i] == '"' || src[i] == '\'') {
				char q = src[i++];
				while (i < len && src[i] != q)
					i += src[i] == '\\' ? 2 : 1;
				i++;
			} else if (ident_start(src[i]) && (i == 0 ||
			    !ident_char(src[i - 1]))) {
				size_t s = i, b = i;
				while (b > 0 && (src[b - 1] == ' ' ||
				    src[b - 1] == '\t' || src[b - 1] == '\n'))
					b--;
				while (i < len && ident_char(src[i]))
					i++;
				/* x.name is an attribute, not a variable. */
				if (b > 0 && src[b - 1] == '.' && (b < 2 ||
				    src[b - 2] != '.'))
					continue;
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					v = xreallocarray(v, cap + 1,
					    sizeof(char *));
				}
				v[n++] = xstrndup(src + s, i - s);
			} else
				i++;
		}
		i += 2;
	}
	if (v == NULL)
		return xcalloc(1, sizeof(char *));
	qsort(v, n, sizeof(char *), str_cmp);
	for (size_t k = 0; k < n; k++) {
		if (out > 0 && strcmp(v[out - 1], v[k]) == 0)
			free(v[k]);
		else
			v[out++] = v[k];
	}
	v[out] = NULL;
	return v;
}

static void
tinfo_free(struct tinfo *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nidents; i++)
		free(t->idents[i]);
	free(t->idents);
	free(t->alias);
	free(t);
}

static void
remember(struct loader *l, const char *path, const char *src, size_t len,
    const char *real)
{
	struct tinfo *t = xcalloc(1, sizeof(*t));
	char *rel = path_relative(l->root, real);

	/* Read through a symlink: an edit of the target is an edit. */
	if (rel != NULL && strcmp(rel, path) != 0)
		t->alias = rel;
	else
		free(rel);
	hash_sha256_hex(src, len, t->hash);
	t->idents = loader_scan_idents(src, len);
	while (t->idents[t->nidents] != NULL)
		t->nidents++;
	pthread_mutex_lock(&l->mu);
	tinfo_free(strmap_set(l->cache, path, t));
	pthread_mutex_unlock(&l->mu);
}

static int
loader_load(void *arg, const char *name, char **src, size_t *len,
    char **path, char **cause)
{
	struct loader *l = arg;
	char *norm = path_normalize(name), *abs;

	if (name[0] == '/' || strcmp(norm, "..") == 0 ||
	    strncmp(norm, "../", 3) == 0) {
		*cause = xprintf("template '%s' is outside the project root",
		    name);
		free(norm);
		return -1;
	}
	if ((abs = path_confine(l->root, norm, cause)) == NULL) {
		free(norm);
		return -1;
	}
	if (fileio_read(abs, src, len) == -1) {
		int e = errno;
		free(abs);
		if (e == ENOENT || e == ENOTDIR) {
			*path = norm;	/* the render depends on its absence */
			return 1;
		}
		*cause = xprintf("%s: %s", norm, strerror(e));
		free(norm);
		return -1;
	}
	remember(l, norm, *src, *len, abs);
	free(abs);
	*path = norm;
	return 0;
}

struct loader *
loader_new(const char *root_real)
{
	struct loader *l = xcalloc(1, sizeof(*l));

	l->root = xstrdup(root_real);
	pthread_mutex_init(&l->mu, NULL);
	l->cache = strmap_new();
	return l;
}

void
loader_forget_all(struct loader *l)
{
	const char *k;
	void *v;
	size_t it = 0;

	pthread_mutex_lock(&l->mu);
	while (strmap_next(l->cache, &it, &k, &v))
		tinfo_free(v);
	strmap_free(l->cache);
	l->cache = strmap_new();
	pthread_mutex_unlock(&l->mu);
}

void
loader_free(struct loader *l)
{
	if (l == NULL)
		return;
	loader_forget_all(l);
	strmap_free(l->cache);
	pthread_mutex_destroy(&l->mu);
	free(l->root);
	free(l);
}

struct tmpl_loader
loader_tmpl(struct loader *l)
{
	struct tmpl_loader t = { loader_load, l };

	return t;
}

int
loader_hash(struct loader *l, const char *path, char out[HASH_HEX_SIZE])
{
	struct tinfo *t;
	char *abs;
	int rc;

	pthread_mutex_lock(&l->mu);
	if ((t = strmap_get(l->cache, path)) != NULL)
		memcpy(out, t->hash, HASH_HEX_SIZE);
	pthread_mutex_unlock(&l->mu);
	if (t != NULL)
		return 0;
	abs = path_join(l->root, path);
	rc = hash_file_hex(abs, out);
	free(abs);
	if (rc == 0) {
		/* Known by hash only: its identifiers stay unknown. */
		t = xcalloc(1, sizeof(*t));
		memcpy(t->hash, out, HASH_HEX_SIZE);
		pthread_mutex_lock(&l->mu);
		if (strmap_get(l->cache, path) == NULL)
			strmap_set(l->cache, path, t);
		else
			tinfo_free(t);
		pthread_mutex_unlock(&l->mu);
	}
	return rc;
}

bool
loader_mentions(struct loader *l, const char *path, const char *name)
{
	struct tinfo *t;
	bool yes = true;

	pthread_mutex_lock(&l->mu);
	if ((t = strmap_get(l->cache, path)) != NULL && t->idents != NULL)
		yes = bsearch(&name, t->idents, t->nidents, sizeof(char *),
		    str_cmp) != NULL;
	pthread_mutex_unlock(&l->mu);
	return yes;
}

void
loader_forget(struct loader *l, const char *path)
{
	pthread_mutex_lock(&l->mu);
	tinfo_free(strmap_del(l->cache, path));
	pthread_mutex_unlock(&l->mu);
}

bool
loader_knows(struct loader *l, const char *path)
{
	bool known;

	pthread_mutex_lock(&l->mu);
	known = strmap_get(l->cache, path) != NULL;
	pthread_mutex_unlock(&l->mu);
	return known;
}

char *
loader_alias(struct loader *l, const char *path)
{
	struct tinfo *t;
	char *a = NULL;

	pthread_mutex_lock(&l->mu);
	if ((t = strmap_get(l->cache, path)) != NULL && t->alias != NULL)
		a = xstrdup(t->alias);
	pthread_mutex_unlock(&l->mu);
	return a;
}
