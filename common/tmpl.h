/*
 * tmpl — chora's Jinja2 engine: the public interface.
 *
 * This is the only header the daemon and the client include; everything
 * else in common/tmpl_*.h is the engine's own.  The model:
 *
 *   tmpl_env     options + a loader + a cache of compiled templates.
 *                Long-lived, shared by worker threads (the cache is locked;
 *                compiled templates are immutable and reference-counted).
 *   tmpl_data    a JSON document turned into engine values once, frozen,
 *                and shared read-only by any number of renders and threads
 *                until tmpl_data_free().  A render never mutates it.
 *   tmpl_ctx     the names visible to one render (data keys, data, vars,
 *                config, item, ...).  Cheap: holds references to values
 *                owned by tmpl_data handles, which must outlive it.
 *   tmpl_result  what one render produced: the text, or an error naming
 *                file and line; and every file the render read.
 *
 * Errors follow one convention: functions return 0 or -1 (or NULL) and
 * fill a struct tmpl_error the caller releases with tmpl_error_clear().
 * tmpl_error_format() gives the gcc-style line
 * "templates/x.j2:12: error: 'backend' is undefined".
 *
 * Changes made while implementing (engine issue):
 *  - struct tmpl_limits gained max_memory (bytes of intermediate values
 *    one render may allocate); see tmpl_limits.h for every limit.
 *  - The template loader's `path` is what errors and deps report; the
 *    default loader reports search_dir joined with the name.
 *  - A render needs at most about 1 MiB of C stack (the evaluator's
 *    recursion is bounded, see tmpl_limits.h): give worker threads at
 *    least 2 MiB (glibc's default is 8 MiB).
 *  - An env keeps up to 4 render arenas (4 MiB each at most) for reuse,
 *    so steady rendering does not go back to malloc; tmpl_env_free()
 *    releases them.
 */
#ifndef CHORA_TMPL_H
#define CHORA_TMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tmpl_env tmpl_env;
typedef struct tmpl_data tmpl_data;
typedef struct tmpl_ctx tmpl_ctx;
typedef struct tmpl_value tmpl_value;	/* opaque to callers */

enum tmpl_undefined_mode {
	TMPL_UNDEFINED_STRICT = 0,	/* any use but `is defined`/default errs */
	TMPL_UNDEFINED_LENIENT,		/* Jinja2's default Undefined */
};

/* Limits; 0 means the default from tmpl_limits.h. */
struct tmpl_limits {
	unsigned	max_depth;	/* include/import/extends/macro nesting */
	size_t		max_output;	/* bytes of rendered text */
	uint64_t	max_loop_iterations;	/* total, across one render */
	size_t		max_memory;	/* bytes of intermediate values */
};

struct tmpl_options {
	bool			 trim_blocks;
	bool			 lstrip_blocks;
	bool			 keep_trailing_newline;
	enum tmpl_undefined_mode undefined;
	struct tmpl_limits	 limits;
};

enum tmpl_error_kind {
	TMPL_ERR_NONE = 0,
	TMPL_ERR_SYNTAX,	/* does not parse; unknown filter or test */
	TMPL_ERR_UNDEFINED,	/* strict undefined used */
	TMPL_ERR_TYPE,		/* operation on unsuitable types */
	TMPL_ERR_LIMIT,		/* depth, output size or iterations exceeded */
	TMPL_ERR_NOTFOUND,	/* template (include, import, extends) missing */
	TMPL_ERR_DATA,		/* malformed JSON data */
	TMPL_ERR_OTHER,		/* division by zero, unpacking, ... */
};

struct tmpl_error {
	enum tmpl_error_kind	 kind;
	char			*file;	/* allocated; the template or data file */
	int			 line;	/* 1-based; 0 when unknown */
	char			*message;	/* allocated, without file:line */
};

void	tmpl_error_clear(struct tmpl_error *err);
/* "FILE:LINE: error: MESSAGE" (allocated; caller frees). */
char	*tmpl_error_format(const struct tmpl_error *err);

/*
 * The loader maps a template name (as written in {% include %}, relative
 * to the search path) to its source.  On success it sets *src and *len (the
 * engine takes ownership of *src and free()s it) and *path, the file name
 * reported in errors and dependencies (allocated, the engine frees it).
 * It returns 0, 1 when the template does not exist, or -1 with *cause set
 * (allocated) for any other failure.  With 1 it may set *path to where
 * the template was looked for: the render then depends on its absence.  The default loader
 * (tmpl_env_new() with a search dir) reads files below that folder and
 * refuses names that leave it.
 */
struct tmpl_loader {
	int	(*load)(void *arg, const char *name, char **src, size_t *len,
		    char **path, char **cause);
	void	*arg;
};

/* A new environment reading templates below search_dir. Caller frees. */
tmpl_env	*tmpl_env_new(const struct tmpl_options *opt,
		    const char *search_dir);
/* The same with a caller-supplied loader (copied). */
tmpl_env	*tmpl_env_new_loader(const struct tmpl_options *opt,
		    const struct tmpl_loader *loader);
void		 tmpl_env_free(tmpl_env *env);
/* Drop a cached compiled template (its file changed), or all of them. */
void		 tmpl_env_invalidate(tmpl_env *env, const char *name);
void		 tmpl_env_invalidate_all(tmpl_env *env);

/*
 * Parse JSON text into a frozen data handle, keeping object key order and
 * int/float distinction (integers beyond 64 bits too).  name is used in
 * error messages ("data.json:3: error: ...").  NULL on error.
 */
tmpl_data	*tmpl_data_parse(const char *json, size_t len, const char *name,
		    struct tmpl_error *err);
void		 tmpl_data_free(tmpl_data *d);
/* The document's root value; owned by d. */
const tmpl_value *tmpl_data_root(const tmpl_data *d);

/*
 * Navigating data, for `foreach`: a dotted path ("a.b", "." for the root),
 * a container's length, the i-th element of a list, the i-th key/value of
 * an object.  Results are owned by the data handle.  NULL when absent.
 */
const tmpl_value *tmpl_value_path(const tmpl_value *v, const char *dotted);
bool		 tmpl_value_is_list(const tmpl_value *v);
bool		 tmpl_value_is_object(const tmpl_value *v);
size_t		 tmpl_value_len(const tmpl_value *v);
const tmpl_value *tmpl_value_at(const tmpl_value *v, size_t i);
const tmpl_value *tmpl_value_key_at(const tmpl_value *v, size_t i);
const tmpl_value *tmpl_value_value_at(const tmpl_value *v, size_t i);
/* Canonical JSON of a value (sorted keys, compact), e.g. for hashing the
 * part of the data one output read.  Allocated; caller frees. */
char		*tmpl_value_to_json(const tmpl_value *v, size_t *lenp);

/*
 * A render context.  tmpl_ctx_set() binds name to a value owned by some
 * tmpl_data that outlives the context; tmpl_ctx_set_keys() binds every key
 * of an object value; tmpl_ctx_set_str() copies a string.  Later bindings
 * of a name replace earlier ones.
 */
tmpl_ctx	*tmpl_ctx_new(void);
void		 tmpl_ctx_free(tmpl_ctx *ctx);
void		 tmpl_ctx_set(tmpl_ctx *ctx, const char *name,
		    const tmpl_value *v);
void		 tmpl_ctx_set_keys(tmpl_ctx *ctx, const tmpl_value *object);
void		 tmpl_ctx_set_str(tmpl_ctx *ctx, const char *name,
		    const char *s);

struct tmpl_result {
	char		*text;		/* allocated, NUL-terminated */
	size_t		 len;
	struct tmpl_error err;		/* kind TMPL_ERR_NONE on success */
	char		**deps;		/* files read (loader paths), in order */
	size_t		 ndeps;
	/* Templates looked for and absent (an include with "ignore
	 * missing", a list's earlier names, a missing one that failed the
	 * render): their appearing would change what the render gives. */
	char		**missing;
	size_t		 nmissing;
};

void	tmpl_result_clear(struct tmpl_result *r);

/*
 * Render the template called name (through env's loader) with ctx.
 * Returns 0 with r->text set, or -1 with r->err set; r->deps and
 * r->missing are filled in both cases (a failed render still depends on what it read).  Safe to
 * call from several threads at once on one env.
 */
int	tmpl_render(tmpl_env *env, const char *name, const tmpl_ctx *ctx,
	    struct tmpl_result *r);

/*
 * Render template source given inline (an output path like
 * "compose-{{ item.name }}.yml").  name appears in errors.
 */
int	tmpl_render_string(tmpl_env *env, const char *name, const char *src,
	    size_t len, const tmpl_ctx *ctx, struct tmpl_result *r);

#endif
