/*
 * data — a content config's data, loaded, indexed and kept current.
 *
 * A dataset is the text a config's `data` stands for: one file as it is
 * (the precise case), several files deep-merged left to right (objects
 * merged key by key, anything else replaced), an inline object, or a
 * chora-compose context with its file values read in.  The text is kept
 * in a jdoc indexed on the config's `foreach` path, so an edit to a
 * single-file dataset costs a diff and the scan of the changed item
 * (data_refresh), and the caller learns which items changed.
 *
 * Renders see the data through engine handles: `rest`, the document with
 * its collection emptied (parsed when the data changes outside the
 * collection, which is small), each item parsed on its own from its bytes
 * by the render thread, and `full`, the whole document, parsed only when
 * some template reaches it (data_full(), thread-safe, at most once per
 * version).
 *
 * Ownership: data_open() returns a dataset the caller frees with
 * data_free(); handles returned are owned by the dataset and stay valid
 * until the next data_refresh()/data_free(), which only the loop thread
 * calls, between passes.
 */
#ifndef CHORA_DATA_H
#define CHORA_DATA_H

#include <pthread.h>
#include <stdbool.h>

#include "hash.h"
#include "jdoc.h"
#include "root.h"
#include "tmpl.h"

struct dataset {
	const struct config *cfg;	/* not owned */
	char		*root;
	char		**files;	/* every file read, relative to root */
	size_t		 nfiles;
	char		**aliases;	/* where symlinks among files lead */
	size_t		 naliases;
	bool		 precise;	/* one file: per-item dependencies */
	struct jdoc	*doc;
	char		 hash_[HASH_HEX_SIZE];	/* of the whole text, lazily:
						   use data_hash() */
	char		 rest_hash[HASH_HEX_SIZE];
	tmpl_data	*rest;
	pthread_mutex_t	 mu;	/* guards full */
	tmpl_data	*full;
	char		*full_error;	/* "file:line: error: ..." */
};

/* Load cfg's data below root.  NULL with *cause ("file:line: error:"). */
struct dataset	*data_open(const char *root, const struct config *cfg,
		    char **cause);
void		 data_free(struct dataset *ds);
/*
 * Re-read the data after a change to one of its files.  0 with *ch
 * telling what changed (as jdoc_update; ch->full also when the rest
 * changed), or -1 with *cause (the dataset keeps its old state).
 */
int		 data_refresh(struct dataset *ds, struct jdoc_change *ch,
		    char **cause);
/* The whole document (parsed on first use), or NULL with *err filled. */
const tmpl_value *data_full(struct dataset *ds, char **cause);
/* The hex SHA-256 of the whole text, computed on first use (thread-safe:
 * a 3 MB file costs milliseconds, and an edit to one item needs none). */
const char	*data_hash(struct dataset *ds);
/* Does the dataset read path? */
bool		 data_reads(const struct dataset *ds, const char *path);
/* The hex SHA-256 of item i's bytes. */
void		 data_item_hash(const struct dataset *ds, size_t i,
		    char out[HASH_HEX_SIZE]);

/* Deep-merge JSON texts left to right into one text (allocated). */
char		*data_merge(char *const *texts, const size_t *lens,
		    char *const *names, size_t n, size_t *outlen, char **cause);

#endif
