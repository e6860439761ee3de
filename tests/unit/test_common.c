/*
 * Unit tests for common/: arena, buf, hash, path, fileio.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "fileio.h"
#include "hash.h"
#include "path.h"
#include "xmalloc.h"

Test(arena, alignment_and_growth)
{
	struct arena *a = arena_new();
	char *prev = NULL;

	for (int i = 0; i < 10000; i++) {
		char *p = arena_alloc(a, (size_t)(i % 37) + 1);
		cr_assert_eq((uintptr_t)p % 16, 0);
		memset(p, 'x', (size_t)(i % 37) + 1);
		cr_assert_neq(p, prev);
		prev = p;
	}
	cr_assert_geq(arena_used(a), 10000 * 16);
	arena_reset(a);
	cr_assert_eq(arena_used(a), 0);
	arena_free(a);
}

Test(arena, big_allocation_and_realloc)
{
	struct arena *a = arena_new();
	char *small = arena_strdup(a, "hello");
	char *big = arena_alloc(a, 3 * 1024 * 1024);

	memset(big, 1, 3 * 1024 * 1024);
	cr_assert_str_eq(small, "hello");
	char *r = arena_alloc(a, 8);
	memcpy(r, "abcdefg", 8);
	char *r2 = arena_realloc(a, r, 8, 64);
	cr_assert_eq(r, r2, "the last allocation grows in place");
	cr_assert_str_eq(r2, "abcdefg");
	char *r3 = arena_realloc(a, small, 6, 100);
	cr_assert_neq(r3, small, "an older allocation is copied");
	cr_assert_str_eq(r3, "hello");
	cr_assert_str_eq(arena_printf(a, "%d-%s", 42, "x"), "42-x");
	arena_free(a);
}

static int deferred_calls;
static void count_call(void *arg) { deferred_calls += *(int *)arg; }

Test(arena, defer_runs_on_reset_and_free)
{
	struct arena *a = arena_new();
	int one = 1, ten = 10;

	deferred_calls = 0;
	arena_defer(a, count_call, &one);
	arena_reset(a);
	cr_assert_eq(deferred_calls, 1);
	arena_defer(a, count_call, &ten);
	arena_free(a);
	cr_assert_eq(deferred_calls, 11);
}

Test(arena, reset_keep_reuses_blocks)
{
	struct arena *a = arena_new();
	char *p1 = arena_alloc(a, 200 * 1024);
	char *small = arena_alloc(a, 64 * 1024);

	memset(p1, 1, 200 * 1024);
	memset(small, 2, 64 * 1024);
	arena_reset_keep(a, 4 * 1024 * 1024);
	cr_assert_eq(arena_used(a), 0);
	char *p2 = arena_alloc(a, 200 * 1024);
	cr_assert_eq(p1, p2, "a kept block is reused for the same request");
	memset(p2, 3, 200 * 1024);
	/* keeping nothing frees the blocks; the arena still works */
	arena_reset_keep(a, 0);
	char *p3 = arena_alloc(a, 300 * 1024);
	memset(p3, 4, 300 * 1024);
	cr_assert_eq(arena_used(a), 300 * 1024);
	arena_reset(a);
	arena_free(a);
}

Test(xmalloc, dup_of_nothing)
{
	char *a = xstrndup(NULL, 0), *b = xmemdup(NULL, 0), *c;

	cr_expect_str_eq(a, "");
	cr_expect_str_eq(b, "");
	c = xstrndup("abc\0def", 8);
	cr_expect_str_eq(c, "abc");
	free(a);
	free(b);
	free(c);
}

Test(buf, grows_and_detaches)
{
	struct buf b = BUF_INIT;
	size_t len;

	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	buf_addc(&b, '!');
	cr_assert_eq(b.data[b.len], '\0');
	cr_assert(strncmp(b.data, "0,1,2,", 6) == 0);
	char *s = buf_detach(&b, &len);
	cr_assert_eq(len, strlen(s));
	cr_assert_eq(s[len - 1], '!');
	cr_assert_null(b.data);
	free(s);
}

Test(buf, an_empty_buf_detaches_as_an_empty_string)
{
	struct buf b = BUF_INIT;
	size_t len = 9;
	char *s = buf_detach(&b, &len);

	cr_assert_eq(len, 0);
	cr_assert_str_eq(s, "");
	free(s);
}

Test(hash, sha256_known_vectors)
{
	char hex[HASH_HEX_SIZE];

	hash_sha256_hex("", 0, hex);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	hash_sha256_hex("abc", 3, hex);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");

	uint8_t h[HASH_SIZE];
	struct hash_ctx *c = hash_new();
	hash_update(c, "a", 1);
	hash_update(c, "bc", 2);
	hash_final(c, h);
	hash_to_hex(h, hex);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

Test(path, normalize)
{
	static const char *cases[][2] = {
		{ "a/b/../c", "a/c" }, { "/a//b/./c/", "/a/b/c" },
		{ "../x", "../x" }, { "a/../../x", "../x" }, { "/../x", "/x" },
		{ "", "." }, { "./", "." }, { "a/..", "." },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = path_normalize(cases[i][0]);
		cr_assert_str_eq(n, cases[i][1], "normalize(%s)", cases[i][0]);
		free(n);
	}
}

Test(path, under_and_relative)
{
	cr_assert(path_is_under("/r", "/r"));
	cr_assert(path_is_under("/r", "/r/x"));
	cr_assert(path_is_under("/r/", "/r/x"));
	cr_assert_not(path_is_under("/r", "/rx"));
	cr_assert_not(path_is_under("/r", "/"));
	cr_assert(path_is_under("/", "/x"));
	char *rel = path_relative("/r", "/r/a/b");
	cr_assert_str_eq(rel, "a/b");
	free(rel);
	cr_assert_null(path_relative("/r", "/s/a"));
	char *d = path_dirname("a/b/c");
	cr_assert_str_eq(d, "a/b");
	free(d);
	cr_assert_str_eq(path_basename("a/b/c"), "c");
}

static char *
make_tmpdir(void)
{
	char tmpl[] = "/tmp/chora-test.XXXXXX";
	char *d = mkdtemp(tmpl);

	cr_assert_not_null(d);
	char *real = realpath(d, NULL);
	cr_assert_not_null(real);
	return real;
}

Test(path, confine_refuses_escapes)
{
	char *root = make_tmpdir(), *cause = NULL, *p;
	char *outside = make_tmpdir();
	char *link = path_join(root, "evil");

	cr_assert_eq(symlink(outside, link), 0);
	p = path_confine(root, "ok/new.txt", &cause);
	cr_assert_not_null(p, "%s", cause);
	cr_assert(path_is_under(root, p));
	free(p);

	static const char *bad[] = { "../x", "/etc/passwd", "a/../../x",
	    "evil/x.txt", "evil" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cause = NULL;
		p = path_confine(root, bad[i], &cause);
		cr_assert_null(p, "%s must be refused", bad[i]);
		cr_assert_not_null(cause);
		free(cause);
	}
	unlink(link);
	rmdir(outside);
	rmdir(root);
	free(link);
	free(outside);
	free(root);
}

Test(path, real_alias_follows_links_inside_the_root)
{
	char *root = make_tmpdir(), *outside = make_tmpdir();
	char *data = path_join(root, "data"), *f = path_join(root, "data/v1");
	char *cur = path_join(root, "data/cur"), *out = path_join(root, "out");
	char *a;
	FILE *fp;

	cr_assert_eq(mkdir(data, 0755), 0);
	cr_assert_not_null(fp = fopen(f, "w"));
	fclose(fp);
	cr_assert_eq(symlink("v1", cur), 0);
	cr_assert_eq(symlink(outside, out), 0);
	cr_assert_str_eq(a = path_real_alias(root, "data/cur"), "data/v1");
	free(a);
	cr_assert_null(path_real_alias(root, "data/v1"), "not a link");
	cr_assert_null(path_real_alias(root, "out"), "leaves the root");
	cr_assert_null(path_real_alias(root, "data/none"), "does not resolve");
	unlink(cur);
	unlink(f);
	unlink(out);
	rmdir(data);
	rmdir(outside);
	rmdir(root);
	free(data);
	free(f);
	free(cur);
	free(out);
	free(outside);
	free(root);
}

Test(fileio, atomic_write_replaces_and_leaves_no_temp)
{
	char *root = make_tmpdir(), *cause = NULL, *data;
	char *file = path_join(root, "out.txt");
	size_t len;

	cr_assert_eq(fileio_write_atomic(file, "one", 3, true, 0644, &cause), 0);
	cr_assert_eq(fileio_write_atomic(file, "two!", 4, false, 0644, &cause),
	    0);
	cr_assert_eq(fileio_read(file, &data, &len), 0);
	cr_assert_eq(len, 4);
	cr_assert_str_eq(data, "two!");
	free(data);

	DIR *d = opendir(root);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)) != NULL) {
		cr_assert_not(fileio_is_tmp(de->d_name));
		n++;
	}
	closedir(d);
	cr_assert_eq(n, 3);	/* ., .., out.txt */

	char *missing = path_join(root, "nodir/x.txt");
	cr_assert_eq(fileio_write_atomic(missing, "x", 1, true, 0644, &cause),
	    -1);
	cr_assert_not_null(strstr(cause, "nodir/x.txt"));
	free(cause);
	free(missing);
	unlink(file);
	rmdir(root);
	free(file);
	free(root);
}

Test(fileio, read_takes_the_size_of_the_file)
{
	char *root = make_tmpdir(), *cause = NULL, *data;
	char *file = path_join(root, "big.json");
	size_t n = 3 * 1024 * 1024 + 17, len;
	char *text = xmalloc(n);

	for (size_t i = 0; i < n; i++)
		text[i] = (char)('a' + i % 26);
	cr_assert_eq(fileio_write_atomic(file, text, n, false, 0644, &cause),
	    0);
	cr_assert_eq(fileio_read(file, &data, &len), 0);
	cr_assert_eq(len, n);
	cr_assert_eq(memcmp(data, text, n), 0);
	cr_assert_eq(data[n], '\0');
	/* Not twice the file, as a buffer doubled to find the end was. */
	cr_assert_lt(malloc_usable_size(data), n + 4096);
	free(data);
	free(text);
	unlink(file);
	rmdir(root);
	free(file);
	free(root);
}

Test(fileio, mkdirs_and_read_errors)
{
	char *root = make_tmpdir(), *data;
	char *deep = path_join(root, "a/b/c");
	size_t len;

	cr_assert_eq(fileio_mkdirs(deep, 0755), 0);
	cr_assert_eq(fileio_mkdirs(deep, 0755), 0, "idempotent");
	cr_assert_eq(fileio_read(deep, &data, &len), -1);
	cr_assert_eq(errno, EISDIR);
	char *none = path_join(root, "none");
	cr_assert_eq(fileio_read(none, &data, &len), -1);
	cr_assert_eq(errno, ENOENT);
	free(none);
	free(deep);
	char *rm = xprintf("rm -rf '%s'", root);
	cr_assert_eq(system(rm), 0);
	free(rm);
	free(root);
}

Test(buf, detach_empty_is_a_string)
{
	struct buf b = BUF_INIT;
	size_t n = 99;
	char *s;

	/* Poison the allocator's next block so garbage would show. */
	free(memset(xmalloc(64), 'x', 64));
	s = buf_detach(&b, &n);
	cr_assert_eq(n, 0);
	cr_assert_eq(s[0], '\0');
	free(s);
}

Test(fileio, listdir_sorted)
{
	char *root = make_tmpdir(), **v;
	const char *names[] = { "b", "a", ".hidden", "c.txt" };
	size_t n;

	for (size_t i = 0; i < 4; i++) {
		char *p = path_join(root, names[i]), *cause = NULL;
		cr_assert_eq(fileio_write_atomic(p, "x", 1, false, 0644, &cause),
		    0);
		free(p);
	}
	v = fileio_listdir(root, false, &n);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(v[0], "a");
	cr_assert_str_eq(v[1], "b");
	cr_assert_str_eq(v[2], "c.txt");
	cr_assert_null(v[3]);
	fileio_listdir_free(v);
	v = fileio_listdir(root, true, &n);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(v[0], ".hidden");
	fileio_listdir_free(v);
	char *none = path_join(root, "none");
	cr_assert_null(fileio_listdir(none, true, &n));
	cr_assert_eq(errno, ENOENT);
	free(none);
	char *rm = xprintf("rm -rf '%s'", root);
	cr_assert_eq(system(rm), 0);
	free(rm);
	free(root);
}
