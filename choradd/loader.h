/*
 * loader — how templates reach the engine, and what the daemon learns on
 * the way.
 *
 * The engine asks this loader for a template by name (as written in a
 * config or an {% include %}); names are paths relative to the project
 * root and may not leave it (".." or a symlink pointing out is refused).
 * While a source passes through, the loader records its SHA-256 (the
 * hash a dependency edge carries, taken from the very bytes compiled) and
 * the identifiers its tags use, so the daemon can tell whether a template
 * can reach the whole data set (`data` or the collection's name) or only
 * its item: that is what lets an edit to one item re-render one output.
 *
 * Thread-safe: the engine calls load() from render threads.  Ownership:
 * the loader copies what it is given; loader_free() releases its cache.
 */
#ifndef CHORA_LOADER_H
#define CHORA_LOADER_H

#include <stdbool.h>

#include "hash.h"
#include "tmpl.h"

struct loader;

struct loader	*loader_new(const char *root_real);
void		 loader_free(struct loader *l);
/* The struct tmpl_loader to give tmpl_env_new_loader(). */
struct tmpl_loader loader_tmpl(struct loader *l);
/*
 * The hash of template path as last loaded (or, if never loaded, as on
 * disk now).  0, or -1 when the file cannot be read.
 */
int		 loader_hash(struct loader *l, const char *path,
		    char out[HASH_HEX_SIZE]);
/* Does the template at path use identifier name inside a tag?  A
 * template never loaded counts as using every name. */
bool		 loader_mentions(struct loader *l, const char *path,
		    const char *name);
/* Where the template at path, as last loaded, really is when a symlink
 * leads elsewhere (allocated), or NULL. */
char		*loader_alias(struct loader *l, const char *path);
/* Has path been loaded (or hashed) as a template since it last changed? */
bool		 loader_knows(struct loader *l, const char *path);
/* Forget what is known of path (it changed on disk), or of everything. */
void		 loader_forget(struct loader *l, const char *path);
void		 loader_forget_all(struct loader *l);

/* Identifiers used inside {{ }} and {% %} of src, for tests: sorted,
 * unique, NULL-terminated (allocated; free each and the array). */
char		**loader_scan_idents(const char *src, size_t len);

#endif
