/*
 * Helpers shared by the store's unit tests: a fresh project root in a
 * temporary folder, and shortcuts for writing generations.
 */
#ifndef CHORA_STORE_TEST_H
#define CHORA_STORE_TEST_H

#include <stddef.h>

#include "store.h"

/* A new empty folder (allocated); removed by st_rmtree(). */
char	*st_tmproot(void);
void	 st_rmtree(const char *root);
/* Open the store of root or fail the test. */
struct store *st_open(const char *root, unsigned history, int flags);
/* Write one generation of id with text and deps, or fail the test. */
int64_t	 st_gen(struct store *s, const char *ws, const char *id,
	    const char *text, size_t len, const char *context,
	    const struct store_dep *deps, size_t ndeps);
/* Number of files in <root>/.chora/blobs/content. */
size_t	 st_nblobs(const char *root);

#endif
