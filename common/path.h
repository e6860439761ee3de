/*
 * path — lexical path arithmetic and confinement to a project root.
 *
 * Outputs are named by templates, so a path is untrusted until
 * path_confine() says it stays inside the root after symlinks are
 * resolved.  Every returned string is allocated; the caller frees it.
 */
#ifndef CHORA_PATH_H
#define CHORA_PATH_H

#include <stdbool.h>

/* The file that makes a folder a project root (SPEC section 1). */
#define PATH_MANIFEST	"chora.json"

/* b relative to a ("a/b"); b itself when absolute. */
char	*path_join(const char *a, const char *b);
/* Collapse "//", "." and "dir/.." lexically; "" becomes ".". */
char	*path_normalize(const char *p);
/* Does p equal root or lie below it (whole components, lexical)? */
bool	 path_is_under(const char *root, const char *p);
/* p relative to root when under it ("." for root itself), else NULL. */
char	*path_relative(const char *root, const char *p);
char	*path_dirname(const char *p);
const char *path_basename(const char *p);	/* points into p */

/*
 * Resolve rel (relative to root, or absolute) to an absolute path whose
 * existing part has its symlinks resolved, and check that it stays below
 * root_real (itself already realpath()ed).  Returns the path, or NULL
 * with *cause set (allocated) saying why it was refused.
 */
char	*path_confine(const char *root_real, const char *rel, char **cause);

/*
 * Where rel (below root_real) really is, relative to root_real, when a
 * symlink on the way makes that another path: a change to the target
 * must count as a change to rel.  NULL when it is the same path, leaves
 * the root or does not resolve.  Allocated.
 */
char	*path_real_alias(const char *root_real, const char *rel);

/*
 * The project root holding start (a folder or a file): the nearest folder
 * at or above it with PATH_MANIFEST, or chora-compose's configs/content/,
 * found the way git finds .git.  Both programs use it: choradd for its
 * default root, chorac for the root it names in requests.  Returns the
 * realpath()ed root, or NULL with *cause ("DIR: not inside a project
 * root ...").
 */
char	*path_find_root(const char *start, char **cause);

#endif
