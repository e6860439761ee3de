/*
 * gen — see gen.h.  The order inside gen_run() matters: the key and the
 * output path come first (an item whose path is refused writes nothing),
 * then the text; the text is rendered against the item alone unless a
 * template the render read can name the whole data, in which case it is
 * rendered again against everything (and the output remembers that, so
 * the next render starts there).
 */
#include "gen.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "data.h"
#include "fileio.h"
#include "loader.h"
#include "path.h"
#include "proc.h"
#include "root.h"
#include "strmap.h"
#include "xmalloc.h"

/*
 * What one job's tasks learn about the folder of their outputs (a worker
 * runs a job's tasks one after the other): the last folder confined and
 * whether it exists.
 */
struct gen_dir {
	char	*rel;		/* relative to the root; NULL: none yet */
	char	*abs;		/* confined, symbolic links resolved */
	bool	 made;		/* known to exist as a folder */
};

void
gen_dep_add(struct gen_task *t, enum store_kind kind, const char *id,
    const char *path, const char *hash)
{
	struct gen_dep *d;

	for (size_t i = 0; i < t->ndeps; i++)
		if (t->deps[i].kind == kind && strcmp(t->deps[i].id, id) == 0)
			return;
	t->deps = xreallocarray(t->deps, t->ndeps + 1, sizeof(*t->deps));
	d = &t->deps[t->ndeps++];
	d->kind = kind;
	d->id = xstrdup(id);
	d->path = path != NULL ? xstrdup(path) : NULL;
	snprintf(d->hash, sizeof(d->hash), "%s", hash);
}

static void
fail(struct gen_task *t, char *msg)
{
	if (t->error == NULL)
		t->error = msg;
	else
		free(msg);
}

static char *
format_err(struct tmpl_error *e)
{
	char *s = tmpl_error_format(e);

	tmpl_error_clear(e);
	return s;
}

/* The scalar at JSON text as a key string (strings bare), or NULL. */
static char *
scalar_text(const tmpl_value *v)
{
	size_t n;
	char *j, *out = NULL;
	json_t *o;

	if (v == NULL || (j = tmpl_value_to_json(v, &n)) == NULL)
		return NULL;
	if ((o = json_loadb(j, n, JSON_DECODE_ANY, NULL)) != NULL) {
		if (json_is_string(o))
			out = xstrdup(json_string_value(o));
		else if (json_is_integer(o))
			out = xprintf("%lld", (long long)json_integer_value(o));
		json_decref(o);
	}
	free(j);
	return out;
}

static tmpl_ctx *
build_ctx(struct gen_task *t, const tmpl_value *item, bool full)
{
	const struct gen_ctx *gx = t->gx;
	const struct config *c = gx->cfg;
	tmpl_ctx *ctx = tmpl_ctx_new();
	const tmpl_value *data = NULL;
	char *cause = NULL;

	if (gx->ds != NULL) {
		if (full && (data = data_full(gx->ds, &cause)) == NULL) {
			fail(t, cause);
			tmpl_ctx_free(ctx);
			return NULL;
		}
		if (data == NULL)
			data = tmpl_data_root(gx->ds->rest);
		if (tmpl_value_is_object(data))
			tmpl_ctx_set_keys(ctx, data);
		if (!tmpl_value_is_object(data) ||
		    tmpl_value_path(data, "data") == NULL)
			tmpl_ctx_set(ctx, "data", data);
	}
	tmpl_ctx_set(ctx, "vars", gx->vars);
	tmpl_ctx_set(ctx, "config", gx->config);
	if (item != NULL) {
		if (c->spread && tmpl_value_is_object(item))
			tmpl_ctx_set_keys(ctx, item);
		tmpl_ctx_set(ctx, c->as, item);
		if (t->objkey != NULL)
			tmpl_ctx_set_str(ctx, "loop_key", t->objkey);
	}
	return ctx;
}

static char *
render_inline(struct gen_task *t, const char *what, const char *src,
    tmpl_ctx *ctx)
{
	struct tmpl_result r = { 0 };
	char *name = xprintf("%s (%s)", t->gx->cfg->file, what), *out = NULL;

	if (tmpl_render_string(t->gx->env, name, src, strlen(src), ctx,
	    &r) == 0) {
		out = r.text;
		r.text = NULL;
	} else
		fail(t, format_err(&r.err));
	tmpl_result_clear(&r);
	free(name);
	return out;
}

/* The item's key: the key template, the member's key, name, id, index. */
static char *
item_key(struct gen_task *t, const tmpl_value *item, tmpl_ctx *ctx)
{
	const struct config *c = t->gx->cfg;
	char *k;

	if (c->key != NULL)
		k = render_inline(t, "key", c->key, ctx);
	else if (t->objkey != NULL)
		k = xstrdup(t->objkey);
	else if ((k = scalar_text(tmpl_value_path(item, "name"))) == NULL &&
	    (k = scalar_text(tmpl_value_path(item, "id"))) == NULL)
		k = xprintf("%zd", t->elem);
	if (k != NULL && (k[0] == '\0' || strchr(k, '/') != NULL ||
	    strchr(k, '\n') != NULL)) {
		fail(t, xprintf("%s:1: error: item %zd: key '%s' must be "
		    "non-empty, without '/' or newlines", c->file, t->elem, k));
		free(k);
		return NULL;
	}
	return k;
}

/*
 * The confined absolute path of t->output.  A job's outputs mostly share
 * a folder: it is confined (realpath(3), a readlink(2) per component)
 * once, and each output's own name is only looked at with lstat(2), which
 * also tells whether the output exists and its mode.  A name that is a
 * symbolic link, and any folder refused, go through path_confine() whole,
 * which decides (and words the refusal) exactly as before.
 */
static char *
confine_output(struct gen_task *t, struct gen_dir *d, char **cause)
{
	const char *root = t->gx->root, *base = path_basename(t->output);
	char *rel = path_dirname(t->output), *abs;
	struct stat st;
	int rc;

	t->disk_known = t->disk_same = false;
	if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		free(rel);
		return path_confine(root, t->output, cause);
	}
	if (d->rel == NULL || strcmp(d->rel, rel) != 0) {
		free(d->rel);
		free(d->abs);
		d->rel = NULL;
		if ((d->abs = path_confine(root, rel, cause)) == NULL) {
			free(*cause);
			*cause = NULL;
			free(rel);
			return path_confine(root, t->output, cause);
		}
		d->rel = rel;
		d->made = stat(d->abs, &st) == 0 && S_ISDIR(st.st_mode);
	} else
		free(rel);
	abs = path_join(d->abs, base);
	if ((rc = lstat(abs, &st)) == 0 && S_ISLNK(st.st_mode)) {
		free(abs);
		return path_confine(root, t->output, cause);
	}
	if (rc == 0 || errno == ENOENT) {
		t->disk_known = true;
		t->disk_exists = rc == 0;
		t->disk_mode = rc == 0 ? st.st_mode & 07777 : 0;
		t->disk_same = rc == 0 && gen_file_same(&t->expect_file, &st);
	}
	return abs;
}

/* What an output path would overwrite that the project reads, or NULL. */
static const char *
input_kind(const struct gen_ctx *gx, const char *rel)
{
	const char *what;

	if (gx->inputs != NULL && (what = strmap_get(gx->inputs, rel)) != NULL)
		return what;
	if (gx->loader != NULL && loader_knows(gx->loader, rel))
		return "a template";
	return NULL;
}

static void
output_path(struct gen_task *t, tmpl_ctx *ctx, struct gen_dir *d)
{
	const struct gen_ctx *gx = t->gx;
	const char *what;
	char *o, *rel, *cause = NULL;

	if (gx->cfg->output == NULL)
		return;
	if ((o = render_inline(t, "output", gx->cfg->output, ctx)) == NULL)
		return;
	if (o[0] == '/') {
		fail(t, xprintf("%s:1: error: output '%s' of %s is an absolute "
		    "path; outputs must stay inside the project root",
		    gx->cfg->file, o, t->id));
		free(o);
		return;
	}
	rel = path_join(gx->ws->output_dir, o);
	t->output = path_normalize(rel);
	if ((t->abs = confine_output(t, d, &cause)) == NULL)
		fail(t, xprintf("%s:1: error: output of %s refused: %s",
		    gx->cfg->file, t->id, cause));
	else if (path_is_under(gx->root, t->abs) &&
	    (strcmp(t->output, ".chora") == 0 ||
	    strncmp(t->output, ".chora/", 7) == 0))
		fail(t, xprintf("%s:1: error: output of %s refused: '%s' is "
		    "inside the store", gx->cfg->file, t->id, t->output));
	else if ((what = input_kind(gx, t->output)) != NULL)
		fail(t, xprintf("%s:%d: error: output of %s refused: '%s' is "
		    "%s; an output may not overwrite what the project reads",
		    gx->cfg->file, gx->cfg->output_line, t->id, t->output,
		    what));
	free(cause);
	free(rel);
	free(o);
}

/* What the render read, and what it looked for and did not find. */
static void
template_deps(struct gen_task *t, const struct tmpl_result *r)
{
	char h[HASH_HEX_SIZE];

	for (size_t i = 0; i < r->ndeps; i++) {
		char *alias;
		if (loader_hash(t->gx->loader, r->deps[i], h) == -1)
			continue;
		gen_dep_add(t, STORE_KIND_TEMPLATE, r->deps[i], r->deps[i], h);
		if ((alias = loader_alias(t->gx->loader, r->deps[i])) != NULL) {
			gen_dep_add(t, STORE_KIND_TEMPLATE, alias, alias, h);
			free(alias);
		}
	}
	for (size_t i = 0; i < r->nmissing; i++)
		gen_dep_add(t, STORE_KIND_TEMPLATE, r->missing[i],
		    r->missing[i], STORE_HASH_ABSENT);
}

/* Could any template read by this render reach the whole data? */
static bool
reaches_data(struct gen_task *t, char **deps, size_t n)
{
	const char *root = t->gx->foreach_root;

	for (size_t i = 0; i < n; i++)
		if (loader_mentions(t->gx->loader, deps[i], "data") ||
		    (root != NULL && loader_mentions(t->gx->loader, deps[i],
		    root)))
			return true;
	return false;
}

static void
render_fill(struct gen_task *t)
{
	const struct gen_ctx *gx = t->gx;
	char *cause = NULL, *abs, *src, h[HASH_HEX_SIZE];
	size_t n;

	if ((abs = path_confine(gx->root, gx->cfg->template, &cause)) == NULL) {
		fail(t, xprintf("%s:1: error: %s", gx->cfg->file, cause));
		free(cause);
		return;
	}
	if (fileio_read(abs, &src, &n) == -1) {
		fail(t, xprintf("%s:1: error: cannot read template: %s",
		    gx->cfg->template, strerror(errno)));
		free(abs);
		return;
	}
	free(abs);
	hash_sha256_hex(src, n, h);
	gen_dep_add(t, STORE_KIND_TEMPLATE, gx->cfg->template,
	    gx->cfg->template, h);
	t->full = true;
	if ((t->text = gen_fill(src, n, gx->ds->doc->text, gx->ds->doc->len,
	    &t->len, &cause)) == NULL)
		fail(t, cause);
	free(src);
}

/* Render the text; returns whether it must be redone with all data. */
static bool
render_text(struct gen_task *t, tmpl_ctx *ctx, tmpl_data *content)
{
	const struct gen_ctx *gx = t->gx;
	struct tmpl_result r = { 0 };
	bool redo = false;

	if (gx->cfg->template == NULL) {
		t->text = xstrdup(t->part_text != NULL ? t->part_text : "");
		t->len = strlen(t->text);
		return false;
	}
	if (content != NULL)
		tmpl_ctx_set(ctx, "content", tmpl_data_root(content));
	if (tmpl_render(gx->env, gx->cfg->template, ctx, &r) == 0) {
		t->text = r.text;
		t->len = r.len;
		r.text = NULL;
	} else
		fail(t, format_err(&r.err));
	template_deps(t, &r);
	if (!t->full && t->elem >= 0 && reaches_data(t, r.deps, r.ndeps))
		redo = true;
	tmpl_result_clear(&r);
	return redo;
}

static void
data_deps(struct gen_task *t)
{
	struct dataset *ds = t->gx->ds;
	const char *file;

	if (ds == NULL)
		return;
	file = ds->nfiles > 0 ? ds->files[0] : NULL;
	/* The item's hash is recorded in every mode: it is how items are
	 * matched to outputs again after a restart without rendering. */
	if (t->elem >= 0) {
		char *item = xprintf("%s#item:%s", file != NULL ? file :
		    t->gx->cfg->file, t->id);
		gen_dep_add(t, STORE_KIND_DATA_PART, item, file, t->item_hash);
		free(item);
	}
	if (ds->precise && t->elem >= 0 && !t->full) {
		char *rest = xprintf("%s#rest", file);
		gen_dep_add(t, STORE_KIND_DATA_PART, rest, file, ds->rest_hash);
		free(rest);
		return;
	}
	for (size_t i = 0; i < ds->nfiles; i++)
		gen_dep_add(t, STORE_KIND_DATA, ds->files[i], ds->files[i],
		    data_hash(ds));
}

/* Parse the item and produce id, output path and text. */
static void
render(struct gen_task *t, struct gen_dir *d)
{
	const struct gen_ctx *gx = t->gx;
	struct tmpl_error err = { 0 };
	tmpl_data *item = NULL, *content = NULL;
	const tmpl_value *iv = NULL;
	tmpl_ctx *ctx;
	char *name;

	if (t->item != NULL) {
		name = xprintf("%s", gx->ds->files[0] != NULL &&
		    gx->ds->precise ? gx->ds->files[0] : gx->cfg->file);
		item = tmpl_data_parse(t->item, t->itemlen, name, &err);
		free(name);
		if (item == NULL) {
			fail(t, format_err(&err));
			t->id = xstrdup(gx->cfg->id);
			return;
		}
		iv = tmpl_data_root(item);
	}
	if (t->part_json != NULL && (content = tmpl_data_parse(t->part_json,
	    strlen(t->part_json), gx->cfg->file, &err)) == NULL)
		fail(t, format_err(&err));
	t->full = t->want_full || t->elem < 0 || gx->cfg->engine == ENGINE_FILL;
	for (int pass = 0; pass < 2 && t->error == NULL; pass++) {
		if ((ctx = build_ctx(t, iv, t->full)) == NULL)
			break;
		if (t->id == NULL) {
			if (t->elem >= 0 && (t->key = item_key(t, iv, ctx)) !=
			    NULL)
				t->id = xprintf("%s/%s", gx->cfg->id, t->key);
			else if (t->elem < 0)
				t->id = xstrdup(gx->cfg->id);
			if (t->id != NULL && t->objkey == NULL && t->key != NULL)
				tmpl_ctx_set_str(ctx, "loop_key", t->key);
			if (t->id != NULL)
				output_path(t, ctx, d);
		} else if (t->objkey == NULL && t->key != NULL)
			tmpl_ctx_set_str(ctx, "loop_key", t->key);
		bool redo = false;
		if (t->error == NULL && gx->cfg->engine == ENGINE_FILL)
			render_fill(t);
		else if (t->error == NULL)
			redo = render_text(t, ctx, content);
		tmpl_ctx_free(ctx);
		if (!redo)
			break;
		free(t->text);
		t->text = NULL;
		t->full = true;
	}
	if (t->id == NULL)
		t->id = xstrdup(gx->cfg->id);
	gen_dep_add(t, STORE_KIND_CONFIG, gx->cfg->id, NULL, gx->cfg_hash);
	data_deps(t);
	tmpl_data_free(item);
	tmpl_data_free(content);
}

/* Read the output as it is on disk; note drift from the last version. */
static void
look_at_disk(struct gen_task *t)
{
	char *text;
	size_t n;

	t->disk_hash[0] = '\0';
	if (t->disk_known && !t->disk_exists)
		return;
	/* Most outputs are still the file this daemon wrote: a template
	 * edit rewriting 1,000 of them would read each back for nothing. */
	if (t->disk_known && t->disk_same && t->expect != NULL &&
	    t->expect[0] != '\0') {
		snprintf(t->disk_hash, sizeof(t->disk_hash), "%s", t->expect);
		return;
	}
	t->disk_exists = false;
	if (t->abs == NULL || fileio_read(t->abs, &text, &n) == -1)
		return;
	t->disk_exists = true;
	hash_sha256_hex(text, n, t->disk_hash);
	if (t->expect != NULL && t->expect[0] != '\0' &&
	    strcmp(t->disk_hash, t->expect) != 0) {
		t->drift_text = text;
		t->drift_len = n;
	} else
		free(text);
}

/*
 * The process's umask, read once: umask(2) can only be read by setting
 * it, and two workers doing that at once could leave the wrong one.
 */
static pthread_once_t umask_once = PTHREAD_ONCE_INIT;
static mode_t umask_value = 022;

static void
umask_read(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	unsigned int v;

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Umask: %o", &v) == 1) {
			umask_value = (mode_t)v;
			break;
		}
	if (f != NULL)
		fclose(f);
}

static int
write_tmp(struct gen_task *t, struct gen_dir *d, char **cause)
{
	char *dir = path_dirname(t->abs);
	struct stat st;
	mode_t mode = 0644;
	int fd = -1, rc = -1;
	bool known = d->abs != NULL && strcmp(d->abs, dir) == 0;

	if ((!known || !d->made) && fileio_mkdirs(dir, 0755) == -1) {
		*cause = xprintf("%s: %s", dir, strerror(errno));
		goto out;
	}
	if (known)
		d->made = true;
	t->tmp = xprintf("%s/" FILEIO_TMP_PREFIX "%s.XXXXXX", dir,
	    path_basename(t->abs));
	if ((fd = mkostemp(t->tmp, O_CLOEXEC)) == -1) {
		*cause = xprintf("%s: %s", t->tmp, strerror(errno));
		free(t->tmp);
		t->tmp = NULL;
		goto out;
	}
	pthread_once(&umask_once, umask_read);
	if (t->disk_known)
		mode = t->disk_exists ? t->disk_mode : mode & ~umask_value;
	else if (stat(t->abs, &st) == 0)
		mode = st.st_mode & 07777;
	else
		mode &= ~umask_value;
	for (size_t off = 0; off < t->len;) {
		ssize_t w = write(fd, t->text + off, t->len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			*cause = xprintf("%s: write: %s", t->tmp,
			    strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, mode) == -1) {
		*cause = xprintf("%s: chmod: %s", t->tmp, strerror(errno));
		goto out;
	}
	/* What the file will look like once renamed: the loop tells its own
	 * write from an edit by this (gen_file_same()). */
	if (fstat(fd, &st) == 0)
		gen_file_id(&st, &t->written);
	rc = 0;
out:
	if (fd != -1 && close(fd) == -1 && rc == 0) {
		*cause = xprintf("%s: close: %s", t->tmp, strerror(errno));
		rc = -1;
	}
	if (rc == -1 && t->tmp != NULL) {
		unlink(t->tmp);
		free(t->tmp);
		t->tmp = NULL;
	}
	free(dir);
	return rc;
}

static void
validate(struct gen_task *t)
{
	const struct config *c = t->gx->cfg;
	struct proc_result res;
	char *cause = NULL, **argv;

	if ((argv = proc_split(c->validate, t->tmp, &cause)) == NULL ||
	    proc_run(argv, t->gx->root, PROC_DEFAULT_TIMEOUT_MS, &res,
	    &cause) == -1) {
		fail(t, xprintf("%s:%d: error: validate: %s", c->file,
		    c->validate_line, cause));
		free(cause);
	} else {
		const char *said = res.err[0] != '\0' ? res.err : res.out;
		int n = (int)strlen(said);
		while (n > 0 && strchr(" \t\r\n", said[n - 1]) != NULL)
			n--;	/* the command's last newline ends the line */
		if (res.timed_out)
			fail(t, xprintf("%s:%d: error: validate of %s timed out",
			    c->file, c->validate_line, t->id));
		else if (res.status != 0)
			fail(t, xprintf("%s:%d: error: validate of %s failed "
			    "(exit %d): %.*s", c->file, c->validate_line, t->id,
			    res.status, n, said));
		t->validate_out = xprintf("%s%s", res.out, res.err);
		proc_result_clear(&res);
	}
	proc_argv_free(argv);
	if (t->error != NULL) {
		unlink(t->tmp);
		free(t->tmp);
		t->tmp = NULL;
	}
}

static void
run_one(struct gen_task *t, struct gen_dir *d)
{
	char *cause = NULL;

	if (t->kind == GEN_VERIFY) {
		t->abs = t->output_in != NULL ? path_join(t->gx->root,
		    t->output_in) : NULL;
		look_at_disk(t);
		return;
	}
	render(t, d);
	if (t->error != NULL)
		return;
	hash_sha256_hex(t->text, t->len, t->hash);
	if (t->abs == NULL) {
		t->changed = t->expect == NULL || strcmp(t->expect, t->hash) != 0;
		return;
	}
	look_at_disk(t);
	if (t->disk_exists && strcmp(t->disk_hash, t->hash) == 0)
		return;
	t->changed = true;
	if (t->check)
		return;
	if (write_tmp(t, d, &cause) == -1) {
		fail(t, cause);
		t->changed = false;
		return;
	}
	if (t->gx->cfg->validate != NULL)
		validate(t);
	if (t->error != NULL)
		t->changed = false;
}

void
gen_run(struct gen_task **tasks, size_t n)
{
	struct gen_dir d = { NULL, NULL, false };

	for (size_t i = 0; i < n; i++)
		run_one(tasks[i], &d);
	free(d.rel);
	free(d.abs);
}

void
gen_file_id(const struct stat *st, struct gen_file *f)
{
	f->known = true;
	f->ino = st->st_ino;
	f->size = st->st_size;
	f->mtime = st->st_mtim;
}

bool
gen_file_same(const struct gen_file *f, const struct stat *st)
{
	return f->known && S_ISREG(st->st_mode) && f->ino == st->st_ino &&
	    f->size == st->st_size && f->mtime.tv_sec == st->st_mtim.tv_sec &&
	    f->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

void
gen_flush(struct gen_task **tasks, size_t n, bool fsync)
{
	size_t ntmp = 0;
	char **dirs = NULL;
	size_t ndirs = 0;

	for (size_t i = 0; i < n; i++)
		ntmp += tasks[i]->tmp != NULL;
	if (ntmp == 0)
		return;
	/* One sync for the batch: each temp file is durable before any
	 * rename, so a power cut leaves old or new text, never empty. */
	for (size_t i = 0; fsync && i < n; i++) {
		if (tasks[i]->tmp == NULL)
			continue;
		int fd = open(tasks[i]->tmp, O_RDONLY | O_CLOEXEC);
		if (fd != -1) {
			if (ntmp == 1 ? fdatasync(fd) : syncfs(fd))
				fail(tasks[i], xprintf("%s: sync: %s",
				    tasks[i]->output, strerror(errno)));
			close(fd);
		}
		if (ntmp > 1)
			break;
	}
	for (size_t i = 0; i < n; i++) {
		struct gen_task *t = tasks[i];
		if (t->tmp == NULL)
			continue;
		if (rename(t->tmp, t->abs) == -1) {
			fail(t, xprintf("%s: rename: %s", t->output,
			    strerror(errno)));
			unlink(t->tmp);
			t->changed = false;
		} else if (fsync) {
			char *d = path_dirname(t->abs);
			size_t k;
			for (k = 0; k < ndirs && strcmp(dirs[k], d) != 0; k++)
				;
			if (k == ndirs) {
				dirs = xreallocarray(dirs, ndirs + 1,
				    sizeof(char *));
				dirs[ndirs++] = d;
			} else
				free(d);
		}
		free(t->tmp);
		t->tmp = NULL;
	}
	for (size_t k = 0; k < ndirs; k++) {
		fileio_fsync_dir(dirs[k]);
		free(dirs[k]);
	}
	free(dirs);
}

void
gen_task_free(struct gen_task *t)
{
	if (t == NULL)
		return;
	if (t->tmp != NULL) {
		unlink(t->tmp);
		free(t->tmp);
	}
	free(t->item);
	free(t->objkey);
	free(t->part_json);
	free(t->part_text);
	free(t->expect);
	free(t->output_in);
	free(t->id);
	free(t->key);
	free(t->output);
	free(t->abs);
	free(t->text);
	free(t->error);
	for (size_t i = 0; i < t->ndeps; i++) {
		free(t->deps[i].id);
		free(t->deps[i].path);
	}
	free(t->deps);
	free(t->drift_text);
	free(t->validate_out);
	free(t);
}

/* Look a dotted name up in a JSON object. */
static json_t *
fill_lookup(json_t *ctx, const char *name, size_t n)
{
	json_t *v = ctx;
	size_t s = 0;

	for (size_t i = 0; i <= n && v != NULL; i++) {
		if (i < n && name[i] != '.')
			continue;
		char *k = xstrndup(name + s, i - s);
		v = json_object_get(v, k);
		free(k);
		s = i + 1;
	}
	return v;
}

char *
gen_fill(const char *src, size_t len, const char *ctx_json, size_t ctx_len,
    size_t *outlen, char **cause)
{
	json_error_t jerr;
	json_t *ctx = json_loadb(ctx_json, ctx_len, 0, &jerr);
	struct buf b = BUF_INIT;
	size_t i = 0;

	if (ctx == NULL) {
		*cause = xprintf("context:%d: error: %s", jerr.line, jerr.text);
		return NULL;
	}
	while (i < len) {
		const char *open = i + 1 < len ? memmem(src + i, len - i, "{{",
		    2) : NULL;
		const char *close = open != NULL ? memmem(open + 2,
		    (size_t)(src + len - open - 2), "}}", 2) : NULL;
		if (open == NULL || close == NULL) {
			buf_add(&b, src + i, len - i);
			break;
		}
		buf_add(&b, src + i, (size_t)(open - (src + i)));
		const char *s = open + 2, *e = close;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		json_t *v = e > s ? fill_lookup(ctx, s, (size_t)(e - s)) : NULL;
		if (v == NULL)
			buf_add(&b, open, (size_t)(close + 2 - open));
		else if (json_is_string(v))
			buf_addstr(&b, json_string_value(v));
		else {
			char *j = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			if (j != NULL)
				buf_addstr(&b, j);
			free(j);
		}
		i = (size_t)(close + 2 - src);
	}
	json_decref(ctx);
	return buf_detach(&b, outlen);
}
