/*
 * fileio — whole-file reads and crash-safe writes.
 *
 * fileio_write_atomic() is the one way chora replaces a file: a temporary
 * file in the same folder (so rename(2) is atomic), written, optionally
 * fsynced, renamed over the target, and then the folder fsynced, so that a
 * power cut leaves the old or the new text and never an empty file.
 * Temporary names start with FILEIO_TMP_PREFIX so that leftovers from a
 * killed process can be recognised and removed (fileio_is_tmp()).
 */
#ifndef CHORA_FILEIO_H
#define CHORA_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FILEIO_TMP_PREFIX ".chora-tmp."

/*
 * Read a whole file into *data (NUL-terminated, caller frees) and *len.
 * Returns 0, or -1 with errno set.
 */
int	fileio_read(const char *path, char **data, size_t *len);

/*
 * Replace path with data atomically.  do_fsync makes it durable.  mode
 * applies to a new file; an existing file keeps its mode.  Returns 0, or -1
 * with *cause set (allocated, names the path); nothing is left behind.
 */
int	fileio_write_atomic(const char *path, const void *data, size_t len,
	    bool do_fsync, mode_t mode, char **cause);

/* fsync a folder (after a rename or unlink in it). 0 or -1/errno. */
int	fileio_fsync_dir(const char *dir);

/* mkdir -p; 0 or -1 with errno. */
int	fileio_mkdirs(const char *path, mode_t mode);

/*
 * The names in folder dir, sorted, without "." and ".." (and without any
 * name starting with '.' when !hidden): a NULL-terminated array the
 * caller frees with fileio_listdir_free(); *n its length.  NULL with
 * errno set when the folder cannot be read.
 */
char	**fileio_listdir(const char *dir, bool hidden, size_t *n);
void	  fileio_listdir_free(char **names);
/* Is this file name (not path) one of our temporary files? */
bool	fileio_is_tmp(const char *name);

#endif
