/*
 * hash — SHA-256, the one digest chora uses for everything it versions:
 * inputs, outputs, blobs and canonical config JSON.  Hex digests are
 * lowercase, 64 characters plus a NUL (HASH_HEX_SIZE).
 */
#ifndef CHORA_HASH_H
#define CHORA_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SIZE	32
#define HASH_HEX_SIZE	65

struct hash_ctx;

void	hash_sha256(const void *p, size_t n, uint8_t out[HASH_SIZE]);
void	hash_sha256_hex(const void *p, size_t n, char out[HASH_HEX_SIZE]);
void	hash_to_hex(const uint8_t h[HASH_SIZE], char out[HASH_HEX_SIZE]);

/* Incremental hashing; hash_final() frees the context. */
struct hash_ctx	*hash_new(void);
void		 hash_update(struct hash_ctx *c, const void *p, size_t n);
void		 hash_final(struct hash_ctx *c, uint8_t out[HASH_SIZE]);

/*
 * Hash a file's contents into out (hex).  Returns 0, or -1 with errno set
 * (ENOENT for a missing file is common and not worth a log line).
 */
int	hash_file_hex(const char *path, char out[HASH_HEX_SIZE]);

/*
 * FNV-1a, for in-memory hash tables only (never stored, never compared
 * across processes).  hash_fnv() continues h over s (NULL adds nothing),
 * from HASH_FNV_SEED; hash_str() is one string's, its high bits folded
 * into the low ones that a power-of-two table indexes by.
 */
#define HASH_FNV_SEED	14695981039346656037ULL
uint64_t	hash_fnv(uint64_t h, const char *s);
uint64_t	hash_str(const char *s);

#endif
