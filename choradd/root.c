/*
 * root — see root.h.  The manifest is parsed with jansson; each key is
 * optional and checked for its type, with the line of the offending value
 * in the message.  Config discovery walks the config folders in sorted
 * order so that messages and ids come out the same on every run.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "jdoc.h"
#include "log.h"
#include "path.h"
#include "root.h"
#include "xmalloc.h"

int	config_parse_jinja(const char *file, const char *text, size_t len,
	    json_t *v, struct tmpl_options *opt, char **cause);

static bool
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

struct mparse {
	const char	*file;
	const char	*text;
	size_t		 len;
	char		*cause;
};

static int __attribute__((format(printf, 3, 4)))
merr(struct mparse *mp, const char *where, const char *fmt, ...)
{
	va_list ap;

	if (mp->cause != NULL)
		return -1;
	va_start(ap, fmt);
	mp->cause = jscan_verror(mp->file, mp->text, mp->len, where, fmt, ap);
	va_end(ap);
	return -1;
}

/* A relative folder that stays inside the root, normalized. */
static char *
inside(struct mparse *mp, const char *where, const char *p)
{
	char *n = path_normalize(p);

	if (p[0] == '/' || strcmp(n, "..") == 0 || strncmp(n, "../", 3) == 0) {
		merr(mp, where, "'%s' must be a folder inside the project root",
		    p);
		free(n);
		return NULL;
	}
	return n;
}

static int
parse_workspaces(struct mparse *mp, json_t *v, struct root *r)
{
	const char *name;
	json_t *w;

	if (!json_is_object(v) || json_object_size(v) == 0)
		return merr(mp, "workspaces", "'workspaces' must be a non-empty "
		    "object");
	r->ws = xcalloc(json_object_size(v), sizeof(*r->ws));
	json_object_foreach(v, name, w) {
		char *where = xprintf("workspaces.%s", name);
		json_t *vars = json_object_get(w, "vars");
		json_t *od = json_object_get(w, "output_dir");
		struct workspace *ws = &r->ws[r->nws];
		int bad = 0;

		if (!json_is_object(w))
			bad = merr(mp, where, "workspace '%s' must be an object",
			    name);
		else if (vars != NULL && !json_is_object(vars))
			bad = merr(mp, where, "'%s.vars' must be an object",
			    where);
		else if (od != NULL && !json_is_string(od))
			bad = merr(mp, where, "'%s.output_dir' must be a "
			    "string", where);
		else if (name[0] == '\0' || strchr(name, '/') != NULL)
			bad = merr(mp, where, "workspace names hold no '/'");
		if (bad == 0 && (ws->output_dir = inside(mp, where, od != NULL ?
		    json_string_value(od) : ".")) == NULL)
			bad = -1;
		free(where);
		if (bad == -1)
			return -1;
		ws->name = xstrdup(name);
		if (vars == NULL)
			ws->vars = xstrdup("{}");
		else if ((ws->vars = json_dumps(vars, JSON_COMPACT |
		    JSON_SORT_KEYS | JSON_REAL_PRECISION(17))) == NULL)
			fatalx("json_dumps: out of memory");
		r->nws++;
	}
	return 0;
}

static int
parse_manifest(struct mparse *mp, json_t *o, struct root *r)
{
	json_t *v;

	if (!json_is_object(o))
		return merr(mp, "", "the manifest must be a JSON object");
	if ((v = json_object_get(o, "configs")) != NULL) {
		size_t i;
		json_t *e;
		if (!json_is_array(v))
			return merr(mp, "configs", "'configs' must be a list of "
			    "folders");
		r->config_dirs = xcalloc(json_array_size(v) + 1,
		    sizeof(char *));
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				return merr(mp, "configs", "'configs' must be a "
				    "list of folders");
			if ((r->config_dirs[r->nconfig_dirs] = inside(mp,
			    "configs", json_string_value(e))) == NULL)
				return -1;
			r->nconfig_dirs++;
		}
	}
	if ((v = json_object_get(o, "jinja")) != NULL) {
		if (config_parse_jinja(mp->file, mp->text, mp->len, v,
		    &r->jinja, &mp->cause) == -1)
			return -1;
		r->compose_jinja = r->jinja;
	}
	if ((v = json_object_get(o, "settle_ms")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 600000)
			return merr(mp, "settle_ms", "'settle_ms' must be a "
			    "number of milliseconds (0 to 600000)");
		r->settle_ms = (unsigned)json_integer_value(v);
	}
	if ((v = json_object_get(o, "history")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 1000000)
			return merr(mp, "history", "'history' must be a positive "
			    "number of versions");
		r->history = (unsigned)json_integer_value(v);
	}
	if ((v = json_object_get(o, "fsync")) != NULL) {
		if (!json_is_boolean(v))
			return merr(mp, "fsync", "'fsync' must be true or false");
		r->fsync = json_is_true(v);
	}
	if ((v = json_object_get(o, "workspaces")) != NULL &&
	    parse_workspaces(mp, v, r) == -1)
		return -1;
	return 0;
}

static int
load_manifest(struct root *r, char **cause)
{
	struct mparse mp = { ROOT_MANIFEST, NULL, 0, NULL };
	json_error_t jerr;
	char *text;
	size_t len;
	json_t *o;
	int rc;

	if (fileio_read(r->manifest, &text, &len) == -1) {
		*cause = xprintf("%s: %s", r->manifest, strerror(errno));
		return -1;
	}
	mp.text = text;
	mp.len = len;
	if ((o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		*cause = xprintf("%s:%d: error: invalid JSON: %s",
		    ROOT_MANIFEST, jerr.line > 0 ? jerr.line : 1, jerr.text);
		free(text);
		return -1;
	}
	rc = parse_manifest(&mp, o, r);
	if (rc == -1)
		*cause = mp.cause;
	json_decref(o);
	free(text);
	return rc;
}

/* msg (taken) about the file rel, or NULL when about no file. */
static void
add_error(struct root *r, const char *rel, char *msg)
{
	r->errors = xreallocarray(r->errors, r->nerrors + 1, sizeof(char *));
	r->error_files = xreallocarray(r->error_files, r->nerrors + 1,
	    sizeof(char *));
	r->error_files[r->nerrors] = rel != NULL ? xstrdup(rel) : NULL;
	r->errors[r->nerrors++] = msg;
}

/*
 * A .json under a config folder that did not load as a config but is a
 * loaded config's data is reported by the data reader, at its own line:
 * its config error would be the same mistake twice in an editor's list.
 */
static void
drop_data_errors(struct root *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nerrors; i++) {
		bool data = false;
		for (size_t j = 0; r->error_files[i] != NULL && !data &&
		    j < r->nconfigs; j++)
			data = config_reads_data(r->configs[j],
			    r->error_files[i]);
		if (data) {
			free(r->errors[i]);
			free(r->error_files[i]);
			continue;
		}
		r->errors[n] = r->errors[i];
		r->error_files[n++] = r->error_files[i];
	}
	r->nerrors = n;
}

static void
add_config(struct root *r, const char *rel)
{
	struct config *c;
	char *cause;

	if ((c = config_load(r, rel, &cause)) == NULL) {
		if (cause != NULL)
			add_error(r, rel, cause);
		return;
	}
	if (root_config(r, c->id) != NULL) {
		add_error(r, NULL, xprintf("%s:1: error: config id '%s' is already "
		    "used by %s", rel, c->id, root_config(r, c->id)->file));
		config_free(c);
		return;
	}
	r->configs = xreallocarray(r->configs, r->nconfigs + 1,
	    sizeof(*r->configs));
	r->configs[r->nconfigs++] = c;
}

/* Every *.json below rel (relative to the root), sorted, recursively. */
static void
scan_dir(struct root *r, const char *rel, int depth)
{
	char *abs = path_join(r->path, rel), **names;
	size_t n;

	if (depth > 64 || (names = fileio_listdir(abs, false, &n)) == NULL) {
		if (depth > 64 || errno != ENOENT)
			log_warn("%s", abs);
		free(abs);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *child = strcmp(rel, ".") == 0 ? xstrdup(names[i]) :
		    path_join(rel, names[i]);
		char *cabs = path_join(r->path, child);
		size_t l = strlen(names[i]);
		if (is_dir(cabs))
			scan_dir(r, child, depth + 1);
		else if (l > 5 && strcmp(names[i] + l - 5, ".json") == 0)
			add_config(r, child);
		free(cabs);
		free(child);
	}
	fileio_listdir_free(names);
	free(abs);
}

static void
defaults(struct root *r)
{
	memset(&r->jinja, 0, sizeof(r->jinja));
	r->jinja.undefined = TMPL_UNDEFINED_STRICT;
	/* chora-compose used Jinja2's own defaults. */
	memset(&r->compose_jinja, 0, sizeof(r->compose_jinja));
	r->compose_jinja.undefined = TMPL_UNDEFINED_LENIENT;
	r->settle_ms = ROOT_DEFAULT_SETTLE_MS;
	r->history = ROOT_DEFAULT_HISTORY;
	r->fsync = true;
}

struct root *
root_load(const char *path, char **cause)
{
	struct root *r = xcalloc(1, sizeof(*r));

	if ((r->path = realpath(path, NULL)) == NULL) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		free(r);
		return NULL;
	}
	defaults(r);
	r->manifest = path_join(r->path, ROOT_MANIFEST);
	if (!is_file(r->manifest)) {
		free(r->manifest);
		r->manifest = NULL;
		r->compose = true;
		char *cc = path_join(r->path, "configs/content");
		bool compose = is_dir(cc);
		free(cc);
		if (!compose) {
			*cause = xprintf("%s: no %s and no configs/content/",
			    r->path, ROOT_MANIFEST);
			root_free(r);
			return NULL;
		}
	} else if (load_manifest(r, cause) == -1) {
		root_free(r);
		return NULL;
	}
	if (r->nconfig_dirs == 0) {
		r->config_dirs = xcalloc(2, sizeof(char *));
		r->config_dirs[r->nconfig_dirs++] = xstrdup("configs");
	}
	if (r->nws == 0) {
		r->ws = xcalloc(1, sizeof(*r->ws));
		r->ws[0].name = xstrdup("default");
		r->ws[0].vars = xstrdup("{}");
		r->ws[0].output_dir = xstrdup(".");
		r->nws = 1;
	}
	for (size_t i = 0; i < r->nconfig_dirs; i++)
		scan_dir(r, r->config_dirs[i], 0);
	drop_data_errors(r);
	return r;
}

void
root_free(struct root *r)
{
	if (r == NULL)
		return;
	free(r->path);
	free(r->manifest);
	for (size_t i = 0; i < r->nconfig_dirs; i++)
		free(r->config_dirs[i]);
	free(r->config_dirs);
	for (size_t i = 0; i < r->nws; i++) {
		free(r->ws[i].name);
		free(r->ws[i].vars);
		free(r->ws[i].output_dir);
	}
	free(r->ws);
	for (size_t i = 0; i < r->nconfigs; i++)
		config_free(r->configs[i]);
	free(r->configs);
	for (size_t i = 0; i < r->nerrors; i++) {
		free(r->errors[i]);
		free(r->error_files[i]);
	}
	free(r->errors);
	free(r->error_files);
	free(r);
}

struct config *
root_config(const struct root *r, const char *id)
{
	for (size_t i = 0; i < r->nconfigs; i++)
		if (strcmp(r->configs[i]->id, id) == 0)
			return r->configs[i];
	return NULL;
}

bool
root_is_config_path(const struct root *r, const char *relpath)
{
	size_t n = strlen(relpath);

	if (n < 5 || strcmp(relpath + n - 5, ".json") != 0)
		return false;
	for (size_t i = 0; i < r->nconfig_dirs; i++)
		if (strcmp(r->config_dirs[i], ".") == 0 ||
		    path_is_under(r->config_dirs[i], relpath))
			return true;
	return false;
}

bool
config_reads_data(const struct config *c, const char *relpath)
{
	for (size_t i = 0; i < c->ndata_files; i++)
		if (strcmp(c->data_files[i], relpath) == 0)
			return true;
	for (size_t i = 0; i < c->nsources; i++)
		if (strcmp(c->sources[i].path, relpath) == 0)
			return true;
	return false;
}
