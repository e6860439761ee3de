/*
 * watch — the kernel's inotify, inside the event loop.
 *
 * Every folder below a project root is watched (never single files, so an
 * editor that saves through a temporary file and rename(2) is seen like
 * any other writer), except the store (.chora/), version-control folders
 * and node_modules/.  Folders that appear are watched as they appear and
 * the files already in them reported.  A queue overflow, a folder moved
 * away, or a watch that cannot be added is reported as "everything may
 * have changed" (the callback gets NULL) and the daemon rescans by
 * hashes, so no change is ever lost.  Our own temporary files are not
 * reported; our own writes are (the daemon recognises them by hash).
 *
 * Ownership: watch_free() stops the watcher and closes its descriptor.
 */
#ifndef CHORA_WATCH_H
#define CHORA_WATCH_H

#include <stdbool.h>
#include <stddef.h>

struct ev_loop;
struct watch;

/* relpath: a file below the root that changed; NULL: rescan everything. */
typedef void	(*watch_fn)(void *arg, const char *relpath);

/*
 * Watch root (absolute).  clean: remove leftover temporary files of a
 * killed writer found on the way.  NULL with *cause.
 */
struct watch	*watch_new(struct ev_loop *loop, const char *root, bool clean,
		    watch_fn fn, void *arg, char **cause);
void		 watch_free(struct watch *w);
size_t		 watch_count(const struct watch *w);
/* False once a watch could not be added (the limit is reached). */
bool		 watch_alive(const struct watch *w);
/* Is this folder name one the watcher never enters? */
bool		 watch_skip_dir(const char *name);

#endif
