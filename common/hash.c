/*
 * hash — see hash.h.  OpenSSL's SHA-256 functions, from libcrypto.
 *
 * The SHA256_* functions, not EVP: EVP fetches the implementation from a
 * provider, which initialises OpenSSL's provider and algorithm tables on
 * first use.  That left 3.4 MB of libcrypto resident in every process
 * (1.6 MB with SHA256_*: a tenth of the daemon's memory at 10,000
 * outputs) and cost about twice the time per small hash.  OpenSSL 3
 * marks them deprecated but keeps them; should a later OpenSSL drop
 * them, EVP_MD_fetch() once and EVP_Digest*() with that digest is the
 * replacement.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

struct hash_ctx {
	SHA256_CTX	sha;
};

struct hash_ctx *
hash_new(void)
{
	struct hash_ctx *c = xmalloc(sizeof(*c));

	if (SHA256_Init(&c->sha) != 1)
		fatalx("hash: cannot initialise SHA-256");
	return c;
}

void
hash_update(struct hash_ctx *c, const void *p, size_t n)
{
	if (n > 0 && SHA256_Update(&c->sha, p, n) != 1)
		fatalx("hash: SHA-256 update failed");
}

void
hash_final(struct hash_ctx *c, uint8_t out[HASH_SIZE])
{
	if (SHA256_Final(out, &c->sha) != 1)
		fatalx("hash: SHA-256 final failed");
	free(c);
}

void
hash_sha256(const void *p, size_t n, uint8_t out[HASH_SIZE])
{
	SHA256_CTX sha;

	if (SHA256_Init(&sha) != 1 || SHA256_Update(&sha, p, n) != 1 ||
	    SHA256_Final(out, &sha) != 1)
		fatalx("hash: SHA-256 failed");
}

void
hash_to_hex(const uint8_t h[HASH_SIZE], char out[HASH_HEX_SIZE])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < HASH_SIZE; i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[2 * HASH_SIZE] = '\0';
}

void
hash_sha256_hex(const void *p, size_t n, char out[HASH_HEX_SIZE])
{
	uint8_t h[HASH_SIZE];

	hash_sha256(p, n, h);
	hash_to_hex(h, out);
}

int
hash_file_hex(const char *path, char out[HASH_HEX_SIZE])
{
	unsigned char chunk[65536];
	uint8_t h[HASH_SIZE];
	struct hash_ctx *c;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	c = hash_new();
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		hash_update(c, chunk, (size_t)n);
	}
	saved = errno;
	hash_final(c, h);
	close(fd);
	if (n == -1) {
		errno = saved;
		return -1;
	}
	hash_to_hex(h, out);
	return 0;
}

uint64_t
hash_fnv(uint64_t h, const char *s)
{
	while (s != NULL && *s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

uint64_t
hash_str(const char *s)
{
	uint64_t h = hash_fnv(HASH_FNV_SEED, s);

	return h ^ (h >> 29);
}
