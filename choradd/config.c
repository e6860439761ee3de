/*
 * config — one generation config file into a struct config.
 *
 * Two dialects are read: chora's own (content, artifact, collection; see
 * SPEC section 2) and chora-compose's (content schema 3.1 with
 * `generation.patterns`, artifacts with `content.children`; SPEC section
 * 8), which is recognised by its shape.  jansson parses the text; for an
 * error about a valid file's meaning, the line is that of the offending
 * key's value, found with the jdoc scanner, so every message names file
 * and line.  Each field is read through a small table-free helper that
 * checks its type; unknown keys are ignored for forward compatibility.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cjson.h"
#include "fileio.h"
#include "jdoc.h"
#include "log.h"
#include "path.h"
#include "root.h"
#include "xmalloc.h"

struct cparse {
	const char	*file;	/* relative path, for messages */
	const char	*text;
	size_t		 len;
	char		*cause;	/* first error, sticky */
};

/* Record an error at the value of the dotted key path (or line 1). */
static int __attribute__((format(printf, 3, 4)))
cerr(struct cparse *cp, const char *where, const char *fmt, ...)
{
	va_list ap;

	if (cp->cause != NULL)
		return -1;
	va_start(ap, fmt);
	cp->cause = jscan_verror(cp->file, cp->text, cp->len, where, fmt, ap);
	va_end(ap);
	return -1;
}

/* The line of the value at a dotted key path, 1 when absent. */
static int
key_line(struct cparse *cp, const char *where)
{
	size_t pos, end;

	if (jscan_find(cp->text, cp->len, where, &pos, &end) == -1)
		return 1;
	return jscan_line(cp->text, cp->len, pos);
}

/* A string member; NULL when absent (an error when required). */
static char *
get_str(struct cparse *cp, json_t *o, const char *key, const char *where,
    bool required)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v)) {
		if (required)
			cerr(cp, NULL, "'%s' is required", where);
		return NULL;
	}
	if (!json_is_string(v)) {
		cerr(cp, where, "'%s' must be a string", where);
		return NULL;
	}
	return xstrdup(json_string_value(v));
}

/* A list of strings; 0 or -1 (error recorded). */
static int
get_strv(struct cparse *cp, json_t *v, const char *where, char ***out,
    size_t *n)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return cerr(cp, where, "'%s' must be a list of strings", where);
	*out = xcalloc(json_array_size(v) + 1, sizeof(**out));
	*n = 0;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return cerr(cp, where, "'%s' must be a list of strings",
			    where);
		(*out)[(*n)++] = xstrdup(json_string_value(e));
	}
	return 0;
}

/* Apply a "jinja" object over opt. */
static int
get_jinja(struct cparse *cp, json_t *v, const char *where,
    struct tmpl_options *opt)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} flags[] = {
		{ "trim_blocks", offsetof(struct tmpl_options, trim_blocks) },
		{ "lstrip_blocks", offsetof(struct tmpl_options, lstrip_blocks) },
		{ "keep_trailing_newline",
		    offsetof(struct tmpl_options, keep_trailing_newline) },
	};
	const char *key;
	json_t *e;

	if (!json_is_object(v))
		return cerr(cp, where, "'%s' must be an object", where);
	json_object_foreach(v, key, e) {
		size_t i;
		for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			if (strcmp(key, flags[i].name) == 0)
				break;
		if (i < sizeof(flags) / sizeof(flags[0])) {
			if (!json_is_boolean(e))
				return cerr(cp, where, "'%s.%s' must be true or "
				    "false", where, key);
			*(bool *)((char *)opt + flags[i].off) = json_is_true(e);
		} else if (strcmp(key, "undefined") == 0) {
			const char *s = json_string_value(e);
			if (s != NULL && strcmp(s, "strict") == 0)
				opt->undefined = TMPL_UNDEFINED_STRICT;
			else if (s != NULL && strcmp(s, "lenient") == 0)
				opt->undefined = TMPL_UNDEFINED_LENIENT;
			else
				return cerr(cp, where, "'%s.undefined' must be "
				    "\"strict\" or \"lenient\"", where);
		} else
			return cerr(cp, where, "unknown Jinja option '%s'", key);
	}
	return 0;
}

/* Exported for the manifest parser. */
int	config_parse_jinja(const char *file, const char *text, size_t len,
	    json_t *v, struct tmpl_options *opt, char **cause);

int
config_parse_jinja(const char *file, const char *text, size_t len, json_t *v,
    struct tmpl_options *opt, char **cause)
{
	struct cparse cp = { file, text, len, NULL };

	if (get_jinja(&cp, v, "jinja", opt) == -1) {
		*cause = cp.cause;
		return -1;
	}
	return 0;
}

/* Canonical JSON (the store's form, so hashes agree). */
static char *
dump(json_t *v)
{
	struct buf b = BUF_INIT;

	cjson_dump(v, &b);
	return buf_detach(&b, NULL);
}

static int
get_fresh(struct cparse *cp, json_t *v, struct config *c)
{
	static const struct {
		const char		*name;
		enum config_fresh	 kind;
	} kinds[] = {
		{ "dependency", FRESH_DEPENDENCY },
		{ "on_demand", FRESH_ON_DEMAND },
		{ "immutable", FRESH_IMMUTABLE },
	};
	json_t *ttl;

	if (v == NULL)
		return 0;
	if (json_is_string(v)) {
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (strcmp(json_string_value(v), kinds[i].name) == 0) {
				c->fresh = kinds[i].kind;
				return 0;
			}
	} else if (json_is_object(v) && (ttl = json_object_get(v, "ttl")) !=
	    NULL) {
		if (!json_is_integer(ttl) || json_integer_value(ttl) <= 0)
			return cerr(cp, "freshness.ttl", "'freshness.ttl' must "
			    "be a positive number of seconds");
		c->fresh = FRESH_TTL;
		c->ttl = (long)json_integer_value(ttl);
		return 0;
	}
	return cerr(cp, "freshness", "'freshness' must be \"dependency\", "
	    "\"on_demand\", \"immutable\" or {\"ttl\": SECONDS}");
}

static int
get_data(struct cparse *cp, json_t *v, struct config *c)
{
	if (v == NULL)
		return 0;
	if (json_is_string(v)) {
		c->data_kind = DATA_FILES;
		c->data_files = xcalloc(2, sizeof(char *));
		c->data_files[0] = path_normalize(json_string_value(v));
		c->ndata_files = 1;
		return 0;
	}
	if (json_is_array(v)) {
		c->data_kind = DATA_FILES;
		if (get_strv(cp, v, "data", &c->data_files,
		    &c->ndata_files) == -1)
			return -1;
		for (size_t i = 0; i < c->ndata_files; i++) {
			char *n = path_normalize(c->data_files[i]);
			free(c->data_files[i]);
			c->data_files[i] = n;
		}
		return 0;
	}
	if (json_is_object(v)) {
		c->data_kind = DATA_INLINE;
		c->data_inline = dump(v);
		return 0;
	}
	return cerr(cp, "data", "'data' must be a path, a list of paths or an "
	    "object");
}

/* Fields common to chora's content configs and templated artifacts. */
static int
parse_content(struct cparse *cp, json_t *o, struct config *c)
{
	json_t *v;

	c->template = get_str(cp, o, "template", "template",
	    c->type == CONFIG_CONTENT);
	if (get_data(cp, json_object_get(o, "data"), c) == -1)
		return -1;
	c->foreach = get_str(cp, o, "foreach", "foreach", false);
	c->as = get_str(cp, o, "as", "as", false);
	if (c->as == NULL)
		c->as = xstrdup("item");
	else if (c->as[0] == '\0' || strspn(c->as, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") != strlen(c->as) ||
	    (c->as[0] >= '0' && c->as[0] <= '9'))
		return cerr(cp, "as", "'as' must be a name");
	if ((v = json_object_get(o, "spread")) != NULL) {
		if (!json_is_boolean(v))
			return cerr(cp, "spread", "'spread' must be true or "
			    "false");
		c->spread = json_is_true(v);
	}
	c->key = get_str(cp, o, "key", "key", false);
	c->output = get_str(cp, o, "output", "output", c->type ==
	    CONFIG_ARTIFACT);
	c->output_line = key_line(cp, "output");
	if ((v = json_object_get(o, "context")) != NULL) {
		if (!json_is_object(v))
			return cerr(cp, "context", "'context' must be an "
			    "object");
		free(c->context);
		c->context = dump(v);
	}
	if (c->foreach != NULL && c->data_kind == DATA_NONE)
		return cerr(cp, "foreach", "'foreach' needs 'data'");
	if ((c->spread || c->key != NULL) && c->foreach == NULL)
		return cerr(cp, c->spread ? "spread" : "key", "'%s' needs "
		    "'foreach'", c->spread ? "spread" : "key");
	if (get_fresh(cp, json_object_get(o, "freshness"), c) == -1)
		return -1;
	c->validate = get_str(cp, o, "validate", "validate", false);
	c->validate_line = key_line(cp, "validate");
	c->on_change = get_str(cp, o, "on_change", "on_change", false);
	if ((v = json_object_get(o, "jinja")) != NULL &&
	    get_jinja(cp, v, "jinja", &c->jinja) == -1)
		return -1;
	return cp->cause != NULL ? -1 : 0;
}

static int
parse_native(struct cparse *cp, json_t *o, struct config *c)
{
	json_t *v;

	c->version = get_str(cp, o, "version", "version", false);
	if (c->type == CONFIG_COLLECTION) {
		if ((v = json_object_get(o, "members")) == NULL)
			return cerr(cp, NULL, "'members' is required");
		return get_strv(cp, v, "members", &c->members, &c->nmembers);
	}
	if (parse_content(cp, o, c) == -1)
		return -1;
	if (c->type == CONFIG_ARTIFACT) {
		if ((v = json_object_get(o, "parts")) != NULL &&
		    get_strv(cp, v, "parts", &c->parts, &c->nparts) == -1)
			return -1;
		if (v == NULL && c->template == NULL)
			return cerr(cp, NULL, "an artifact needs 'parts' or "
			    "'template'");
		c->separator = get_str(cp, o, "separator", "separator", false);
		if (c->separator == NULL)
			c->separator = xstrdup("\n");
	}
	return cp->cause != NULL ? -1 : 0;
}

/* A chora-compose context: inline values, and files read at load time. */
static int
parse_compose_context(struct cparse *cp, json_t *ctx, const char *where,
    struct config *c)
{
	const char *key;
	json_t *v, *rest;

	if (ctx == NULL)
		ctx = json_object();
	else if (!json_is_object(ctx))
		return cerr(cp, where, "'%s' must be an object", where);
	else
		json_incref(ctx);
	rest = json_object();
	c->sources = xcalloc(json_object_size(ctx) + 1, sizeof(*c->sources));
	json_object_foreach(ctx, key, v) {
		const char *src = json_string_value(json_object_get(v,
		    "source"));
		const char *p = json_string_value(json_object_get(v, "path"));
		if (json_is_object(v) && src != NULL && strcmp(src, "file") ==
		    0 && p != NULL) {
			struct data_source *s = &c->sources[c->nsources++];
			size_t n = strlen(p);
			s->key = xstrdup(key);
			s->path = path_normalize(p);
			s->json = n >= 5 && strcmp(p + n - 5, ".json") == 0;
		} else
			json_object_set(rest, key, v);
	}
	c->data_kind = DATA_CONTEXT;
	c->data_inline = dump(rest);
	json_decref(rest);
	json_decref(ctx);
	return 0;
}

static int
parse_compose_content(struct cparse *cp, json_t *o, struct config *c)
{
	json_t *pats = json_object_get(json_object_get(o, "generation"),
	    "patterns"), *pat, *gc;
	const char *type;

	c->version = xstrdup(json_string_value(json_object_get(
	    json_object_get(o, "metadata"), "version")) ?: "");
	if (!json_is_array(pats) || json_array_size(pats) == 0)
		return cerr(cp, "generation", "'generation.patterns' must be a "
		    "non-empty list");
	pat = json_array_get(pats, 0);
	if ((type = json_string_value(json_object_get(pat, "type"))) == NULL)
		return cerr(cp, "generation", "'generation.patterns[0].type' is "
		    "required");
	if (strcmp(type, "jinja2") == 0)
		c->engine = ENGINE_JINJA2;
	else if (strcmp(type, "template_fill") == 0)
		c->engine = ENGINE_FILL;
	else
		return cerr(cp, "generation", "generator type '%s' is not "
		    "supported (supported: jinja2, template_fill)", type);
	c->template = get_str(cp, pat, "template", "generation.patterns[0]."
	    "template", true);
	if (c->template == NULL)
		return -1;
	gc = json_object_get(pat, "generation_config");
	if (parse_compose_context(cp, json_object_get(gc, "context"),
	    "generation", c) == -1)
		return -1;
	c->output = get_str(cp, pat, "output", "generation", false);
	c->output_line = key_line(cp, "generation.output");
	return cp->cause != NULL ? -1 : 0;
}

/* Sort children by "order", keeping file order among equals. */
static int
child_cmp(const void *a, const void *b)
{
	const json_int_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

static int
parse_compose_artifact(struct cparse *cp, json_t *o, struct config *c)
{
	json_t *meta = json_object_get(o, "metadata"), *kids, *k;
	json_int_t (*ord)[2];
	size_t i, n;

	c->version = xstrdup(json_string_value(json_object_get(meta,
	    "version")) ?: json_string_value(json_object_get(o, "version")) ?:
	    "");
	c->output = xstrdup(json_string_value(json_object_get(
	    json_array_get(json_object_get(meta, "outputs"), 0), "file")) ?:
	    "");
	if (c->output[0] == '\0')
		return cerr(cp, "metadata", "'metadata.outputs[0].file' is "
		    "required");
	kids = json_object_get(json_object_get(o, "content"), "children");
	if (!json_is_array(kids))
		return cerr(cp, "content", "'content.children' must be a list");
	n = json_array_size(kids);
	ord = xcalloc(n + 1, sizeof(*ord));
	json_array_foreach(kids, i, k) {
		json_t *ov = json_object_get(k, "order");
		if (json_string_value(json_object_get(k, "id")) == NULL) {
			free(ord);
			return cerr(cp, "content", "every 'content.children' "
			    "entry needs an 'id'");
		}
		ord[i][0] = json_is_integer(ov) ? json_integer_value(ov) :
		    (json_int_t)i;
		ord[i][1] = (json_int_t)i;
	}
	qsort(ord, n, sizeof(*ord), child_cmp);
	c->parts = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		c->parts[i] = xstrdup(json_string_value(json_object_get(
		    json_array_get(kids, (size_t)ord[i][1]), "id")));
	c->nparts = n;
	free(ord);
	c->separator = xstrdup("\n\n");
	return 0;
}

static bool
valid_id(const char *id)
{
	return id[0] != '\0' && strchr(id, '/') == NULL &&
	    strspn(id, " \t\n") == 0;
}

/* Build the config from a parsed top-level object (an error in cp). */
static struct config *
config_build(const struct root *r, struct cparse *cp, json_t *o)
{
	static const char *types[] = { "content", "artifact", "collection" };
	struct config *c = xcalloc(1, sizeof(*c));
	const char *type = json_string_value(json_object_get(o, "type"));
	int rc;

	c->file = xstrdup(cp->file);
	c->id = xstrdup(json_string_value(json_object_get(o, "id")));
	for (c->type = 0; (size_t)c->type < 3; c->type++)
		if (strcmp(type, types[c->type]) == 0)
			break;
	c->compose = json_object_get(o, "generation") != NULL ||
	    (c->type == CONFIG_ARTIFACT && json_object_get(o, "content") !=
	    NULL && json_object_get(o, "parts") == NULL);
	c->jinja = c->compose ? r->compose_jinja : r->jinja;
	c->context = xstrdup("{}");
	c->canonical = dump(o);
	hash_sha256_hex(c->canonical, strlen(c->canonical), c->hash);
	if (!valid_id(c->id))
		rc = cerr(cp, "id", "'id' must be non-empty and hold no '/'");
	else if (c->compose && c->type == CONFIG_CONTENT)
		rc = parse_compose_content(cp, o, c);
	else if (c->compose)
		rc = parse_compose_artifact(cp, o, c);
	else
		rc = parse_native(cp, o, c);
	if (rc == 0 && c->version == NULL)
		c->version = xstrdup("");
	if (rc == -1) {
		config_free(c);
		return NULL;
	}
	return c;
}

static bool
is_config_object(json_t *o)
{
	const char *type = json_string_value(json_object_get(o, "type"));

	return json_is_object(o) && json_is_string(json_object_get(o, "id")) &&
	    type != NULL && (strcmp(type, "content") == 0 ||
	    strcmp(type, "artifact") == 0 || strcmp(type, "collection") == 0);
}

struct config *
config_load(const struct root *r, const char *relpath, char **cause)
{
	char *abs = path_join(r->path, relpath), *text;
	struct cparse cp = { relpath, NULL, 0, NULL };
	struct config *c = NULL;
	json_error_t jerr;
	json_t *o;
	size_t len;

	*cause = NULL;
	if (fileio_read(abs, &text, &len) == -1) {
		*cause = xprintf("%s:1: error: cannot read: %s", relpath,
		    strerror(errno));
		free(abs);
		return NULL;
	}
	free(abs);
	cp.text = text;
	cp.len = len;
	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL) {
		/* Broken JSON may be a config or data; say so either way,
		 * since a config folder holds only configs and their data. */
		*cause = xprintf("%s:%d: error: invalid JSON: %s", relpath,
		    jerr.line > 0 ? jerr.line : 1, jerr.text);
	} else if (is_config_object(o)) {
		if ((c = config_build(r, &cp, o)) == NULL)
			*cause = cp.cause;
	}
	json_decref(o);
	free(text);
	return c;
}

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->id);
	free(c->file);
	free(c->version);
	free(c->canonical);
	free(c->template);
	strv_free(c->data_files, c->ndata_files);
	free(c->data_inline);
	for (size_t i = 0; i < c->nsources; i++) {
		free(c->sources[i].key);
		free(c->sources[i].path);
	}
	free(c->sources);
	free(c->foreach);
	free(c->as);
	free(c->key);
	free(c->output);
	free(c->context);
	free(c->validate);
	free(c->on_change);
	strv_free(c->parts, c->nparts);
	free(c->separator);
	strv_free(c->members, c->nmembers);
	free(c);
}
