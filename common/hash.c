/*
 * hash — see hash.h.  OpenSSL's EVP interface, from libcrypto.
 */
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "log.h"

struct hash_ctx *
hash_new(void)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		fatalx("hash: cannot initialise SHA-256");
	/* The context is the EVP handle itself; the struct is only a tag. */
	return (struct hash_ctx *)md;
}

void
hash_update(struct hash_ctx *c, const void *p, size_t n)
{
	if (n > 0 && EVP_DigestUpdate((EVP_MD_CTX *)c, p, n) != 1)
		fatalx("hash: SHA-256 update failed");
}

void
hash_final(struct hash_ctx *c, uint8_t out[HASH_SIZE])
{
	unsigned int len = 0;

	if (EVP_DigestFinal_ex((EVP_MD_CTX *)c, out, &len) != 1 ||
	    len != HASH_SIZE)
		fatalx("hash: SHA-256 final failed");
	EVP_MD_CTX_free((EVP_MD_CTX *)c);
}

void
hash_sha256(const void *p, size_t n, uint8_t out[HASH_SIZE])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 ||
	    len != HASH_SIZE)
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
