/*
 * data — see data.h.  Merges and chora-compose contexts go through
 * jansson (key order kept, floats printed to round-trip); a single file
 * is used byte for byte, which is what makes the incremental path
 * possible.
 */
#include "data.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "log.h"
#include "path.h"
#include "xmalloc.h"

static char *
read_rel(const char *root, const char *rel, size_t *len, char **cause)
{
	char *abs = path_join(root, rel), *text;

	if (fileio_read(abs, &text, len) == -1) {
		*cause = xprintf("%s:1: error: cannot read data: %s", rel,
		    strerror(errno));
		free(abs);
		return NULL;
	}
	free(abs);
	return text;
}

static json_t *
parse(const char *text, size_t len, const char *name, char **cause)
{
	json_error_t jerr;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &jerr);

	if (v == NULL)
		*cause = xprintf("%s:%d: error: invalid JSON: %s", name,
		    jerr.line > 0 ? jerr.line : 1, jerr.text);
	return v;
}

static void
merge_into(json_t *dst, json_t *src)
{
	const char *k;
	json_t *v;

	json_object_foreach(src, k, v) {
		json_t *d = json_object_get(dst, k);
		if (json_is_object(d) && json_is_object(v))
			merge_into(d, v);
		else
			json_object_set(dst, k, v);
	}
}

static char *
dumpv(json_t *v, size_t *len)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_REAL_PRECISION(17));

	if (s == NULL)
		fatalx("json_dumps: out of memory");
	*len = strlen(s);
	return s;
}

char *
data_merge(char *const *texts, const size_t *lens, char *const *names,
    size_t n, size_t *outlen, char **cause)
{
	json_t *acc = NULL;
	char *out;

	for (size_t i = 0; i < n; i++) {
		json_t *v = parse(texts[i], lens[i], names[i], cause);
		if (v == NULL) {
			json_decref(acc);
			return NULL;
		}
		if (acc != NULL && json_is_object(acc) && json_is_object(v)) {
			merge_into(acc, v);
			json_decref(v);
		} else {
			json_decref(acc);
			acc = v;
		}
	}
	out = dumpv(acc != NULL ? acc : json_null(), outlen);
	json_decref(acc);
	return out;
}

/* A chora-compose context: inline values plus files read in. */
static char *
load_context(struct dataset *ds, size_t *len, char **cause)
{
	const struct config *c = ds->cfg;
	json_t *o = parse(c->data_inline, strlen(c->data_inline),
	    c->file, cause);
	char *out = NULL;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < c->nsources; i++) {
		size_t n;
		char *t = read_rel(ds->root, c->sources[i].path, &n, cause);
		json_t *v;
		if (t == NULL)
			goto done;
		v = c->sources[i].json ? parse(t, n, c->sources[i].path,
		    cause) : json_stringn(t, n);
		free(t);
		if (v == NULL)
			goto done;
		json_object_set_new(o, c->sources[i].key, v);
		ds->files[ds->nfiles++] = xstrdup(c->sources[i].path);
	}
	out = dumpv(o, len);
done:
	json_decref(o);
	return out;
}

/* The dataset's current text (allocated). */
static char *
load_text(struct dataset *ds, size_t *len, char **cause)
{
	const struct config *c = ds->cfg;
	char **texts, *out;
	size_t *lens, i;

	for (i = 0; i < ds->nfiles; i++)
		free(ds->files[i]);
	ds->nfiles = 0;
	switch (c->data_kind) {
	case DATA_NONE:
		*len = 2;
		return xstrdup("{}");
	case DATA_INLINE:
		*len = strlen(c->data_inline);
		return xstrdup(c->data_inline);
	case DATA_CONTEXT:
		return load_context(ds, len, cause);
	case DATA_FILES:
		break;
	}
	for (i = 0; i < c->ndata_files; i++)
		ds->files[ds->nfiles++] = xstrdup(c->data_files[i]);
	if (ds->precise)
		return read_rel(ds->root, c->data_files[0], len, cause);
	texts = xcalloc(c->ndata_files, sizeof(char *));
	lens = xcalloc(c->ndata_files, sizeof(size_t));
	out = NULL;
	for (i = 0; i < c->ndata_files; i++)
		if ((texts[i] = read_rel(ds->root, c->data_files[i], &lens[i],
		    cause)) == NULL)
			break;
	if (i == c->ndata_files)
		out = data_merge(texts, lens, c->data_files, c->ndata_files,
		    len, cause);
	for (i = 0; i < c->ndata_files; i++)
		free(texts[i]);
	free(texts);
	free(lens);
	return out;
}

static const char *
doc_name(const struct dataset *ds)
{
	return ds->precise ? ds->cfg->data_files[0] : ds->cfg->file;
}

/* Where the files read really are, when symlinks lead elsewhere. */
static void
find_aliases(struct dataset *ds)
{
	char *a;

	for (size_t i = 0; i < ds->naliases; i++)
		free(ds->aliases[i]);
	ds->naliases = 0;
	for (size_t i = 0; i < ds->nfiles; i++)
		if ((a = path_real_alias(ds->root, ds->files[i])) != NULL) {
			ds->aliases = xreallocarray(ds->aliases,
			    ds->naliases + 1, sizeof(*ds->aliases));
			ds->aliases[ds->naliases++] = a;
		}
}

/* Derived state after the text changed: hashes, rest handle, no full. */
static int
derive(struct dataset *ds, char **cause)
{
	struct tmpl_error err = { 0 };
	size_t n;
	char *rest = jdoc_rest_text(ds->doc, &n);
	tmpl_data *r;

	r = tmpl_data_parse(rest, n, doc_name(ds), &err);
	free(rest);
	if (r == NULL) {
		*cause = tmpl_error_format(&err);
		tmpl_error_clear(&err);
		return -1;
	}
	tmpl_data_free(ds->rest);
	ds->rest = r;
	ds->hash_[0] = '\0';
	hash_to_hex(ds->doc->rest_hash, ds->rest_hash);
	tmpl_data_free(ds->full);
	ds->full = NULL;
	free(ds->full_error);
	ds->full_error = NULL;
	return 0;
}

struct dataset *
data_open(const char *root, const struct config *cfg, char **cause)
{
	struct dataset *ds = xcalloc(1, sizeof(*ds));
	char *text;
	size_t len;

	ds->cfg = cfg;
	ds->root = xstrdup(root);
	ds->files = xcalloc(cfg->ndata_files + cfg->nsources + 1,
	    sizeof(char *));
	ds->precise = cfg->data_kind == DATA_FILES && cfg->ndata_files == 1;
	pthread_mutex_init(&ds->mu, NULL);
	if ((text = load_text(ds, &len, cause)) == NULL ||
	    (ds->doc = jdoc_new(text, len, doc_name(ds), cfg->foreach,
	    cause)) == NULL || derive(ds, cause) == -1) {
		data_free(ds);
		return NULL;
	}
	find_aliases(ds);
	return ds;
}

void
data_free(struct dataset *ds)
{
	if (ds == NULL)
		return;
	for (size_t i = 0; i < ds->nfiles; i++)
		free(ds->files[i]);
	free(ds->files);
	for (size_t i = 0; i < ds->naliases; i++)
		free(ds->aliases[i]);
	free(ds->aliases);
	free(ds->root);
	jdoc_free(ds->doc);
	tmpl_data_free(ds->rest);
	tmpl_data_free(ds->full);
	free(ds->full_error);
	pthread_mutex_destroy(&ds->mu);
	free(ds);
}

int
data_refresh(struct dataset *ds, struct jdoc_change *ch, char **cause)
{
	uint8_t rest_before[HASH_SIZE];
	char *text;
	size_t len;

	if ((text = load_text(ds, &len, cause)) == NULL)
		return -1;
	find_aliases(ds);	/* a symlink may lead elsewhere now */
	memcpy(rest_before, ds->doc->rest_hash, HASH_SIZE);
	if (jdoc_update(ds->doc, text, len, ch, cause) == -1)
		return -1;
	if (ch->unchanged)
		return 0;
	if (memcmp(rest_before, ds->doc->rest_hash, HASH_SIZE) != 0)
		ch->full = true;
	/* Only the rest needs parsing now; items are parsed by renders. */
	if (ch->full)
		return derive(ds, cause);
	ds->hash_[0] = '\0';
	tmpl_data_free(ds->full);
	ds->full = NULL;
	return 0;
}

const tmpl_value *
data_full(struct dataset *ds, char **cause)
{
	const tmpl_value *v = NULL;

	pthread_mutex_lock(&ds->mu);
	if (ds->full == NULL && ds->full_error == NULL) {
		struct tmpl_error err = { 0 };
		ds->full = tmpl_data_parse(ds->doc->text, ds->doc->len,
		    doc_name(ds), &err);
		if (ds->full == NULL) {
			ds->full_error = tmpl_error_format(&err);
			tmpl_error_clear(&err);
		}
	}
	if (ds->full != NULL)
		v = tmpl_data_root(ds->full);
	else
		*cause = xstrdup(ds->full_error);
	pthread_mutex_unlock(&ds->mu);
	return v;
}

const char *
data_hash(struct dataset *ds)
{
	pthread_mutex_lock(&ds->mu);
	if (ds->hash_[0] == '\0')
		hash_sha256_hex(ds->doc->text, ds->doc->len, ds->hash_);
	pthread_mutex_unlock(&ds->mu);
	return ds->hash_;
}

bool
data_reads(const struct dataset *ds, const char *path)
{
	for (size_t i = 0; i < ds->nfiles; i++)
		if (strcmp(ds->files[i], path) == 0)
			return true;
	for (size_t i = 0; i < ds->naliases; i++)
		if (strcmp(ds->aliases[i], path) == 0)
			return true;
	return false;
}

void
data_item_hash(const struct dataset *ds, size_t i, char out[HASH_HEX_SIZE])
{
	hash_to_hex(ds->doc->elems[i].hash, out);
}
