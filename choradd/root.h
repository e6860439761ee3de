/*
 * root — a project root: its manifest (chora.json) and its generation
 * configs, as the daemon's in-memory model.
 *
 * A root is found with path_find_root() (common/path.h), the way git
 * finds .git.  root_load() reads the manifest (every
 * key optional) and every config below the manifest's `configs` folders.
 * A malformed manifest fails the whole root; a malformed or invalid
 * config is recorded in root->errors as "file:line: error: message" and
 * the other configs go on.
 *
 * Ownership: root_load() returns a struct root the caller frees with
 * root_free(), which frees every config, workspace and message in it.
 * Configs are immutable once loaded; a reload builds a new struct root.
 */
#ifndef CHORA_ROOT_H
#define CHORA_ROOT_H

#include <stdbool.h>
#include <stddef.h>

#include "hash.h"
#include "path.h"
#include "tmpl.h"

enum config_type {
	CONFIG_CONTENT,
	CONFIG_ARTIFACT,
	CONFIG_COLLECTION,
};

enum config_fresh {
	FRESH_DEPENDENCY,	/* stale when an input's hash changed */
	FRESH_TTL,		/* ... or ttl seconds after generation */
	FRESH_ON_DEMAND,	/* only an explicit generate */
	FRESH_IMMUTABLE,	/* once, then only generate --force */
};

enum config_engine {
	ENGINE_JINJA2,
	ENGINE_FILL,		/* chora-compose template_fill */
};

/* Where a content config's data comes from. */
enum data_kind {
	DATA_NONE,
	DATA_FILES,		/* one or more files, deep-merged in order */
	DATA_INLINE,		/* an object written in the config */
	DATA_CONTEXT,		/* chora-compose generation_config.context */
};

/* A chora-compose context value read from a file. */
struct data_source {
	char	*key;
	char	*path;		/* relative to the root */
	bool	 json;		/* parsed as JSON (path ends in .json) */
};

struct config {
	char		*id;
	enum config_type type;
	char		*file;		/* the config file, relative to root */
	char		*version;	/* author's version, "" when none */
	char		 hash[HASH_HEX_SIZE];	/* of the canonical JSON */
	char		*canonical;	/* sorted, compact JSON of the file */
	bool		 compose;	/* a chora-compose config */

	/* content (and templated artifacts) */
	char		*template;	/* relative to root, or NULL */
	enum config_engine engine;
	enum data_kind	 data_kind;
	char		**data_files;
	size_t		 ndata_files;
	char		*data_inline;	/* JSON text (inline or context) */
	struct data_source *sources;	/* DATA_CONTEXT file values */
	size_t		 nsources;
	char		*foreach;	/* dotted path, "." for the data */
	char		*as;		/* element variable, "item" */
	bool		 spread;
	char		*key;		/* template for the element's key */
	char		*output;	/* template; NULL: kept in the store only */
	int		 output_line;	/* of "output" in file, for errors */
	int		 validate_line;	/* of "validate" */
	char		*context;	/* JSON object text, "{}" when none */
	enum config_fresh fresh;
	long		 ttl;		/* seconds, FRESH_TTL */
	char		*validate;
	char		*on_change;
	struct tmpl_options jinja;	/* manifest defaults + override */

	/* artifact */
	char		**parts;	/* content ids, in order */
	size_t		 nparts;
	char		*separator;

	/* collection */
	char		**members;
	size_t		 nmembers;
};

struct workspace {
	char	*name;
	char	*vars;		/* JSON object text */
	char	*output_dir;	/* relative to root, normalized */
};

struct root {
	char		*path;		/* absolute and realpath()ed */
	char		*manifest;	/* chora.json path, NULL for compose */
	bool		 compose;	/* found through configs/content/ */
	char		**config_dirs;	/* relative to path */
	size_t		 nconfig_dirs;
	struct tmpl_options jinja;	/* native configs' defaults */
	struct tmpl_options compose_jinja;	/* chora-compose configs' */
	unsigned	 settle_ms;
	unsigned	 history;
	bool		 fsync;
	struct workspace *ws;
	size_t		 nws;
	struct config	**configs;
	size_t		 nconfigs;
	char		**errors;	/* "file:line: error: message" */
	char		**error_files;	/* [nerrors]: the file, or NULL */
	size_t		 nerrors;
};

#define ROOT_MANIFEST		PATH_MANIFEST
#define ROOT_DEFAULT_SETTLE_MS	20
#define ROOT_DEFAULT_HISTORY	50

/* Load the root at path.  NULL with *cause when the manifest is bad. */
struct root	*root_load(const char *path, char **cause);
void		 root_free(struct root *r);
/* The config with this id, or NULL. */
struct config	*root_config(const struct root *r, const char *id);

/*
 * Parse one config file (path relative to r->path) with r's defaults.
 * Returns the config; NULL with *cause NULL when the file is JSON data
 * rather than a config; NULL with *cause ("file:line: error: ...") when
 * it is a broken config.
 */
struct config	*config_load(const struct root *r, const char *relpath,
		    char **cause);
void		 config_free(struct config *c);
/* Does relpath look like a config location for r (a .json below a
 * configs folder)?  Used by the watcher to decide on a reload. */
bool		 root_is_config_path(const struct root *r, const char *relpath);
/* Is relpath one of the files c's data is read from? */
bool		 config_reads_data(const struct config *c, const char *relpath);

#endif
