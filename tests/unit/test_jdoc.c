/*
 * Unit tests for choradd/jdoc: the validating scanner, collection index,
 * and the incremental update checked against a full re-index after
 * thousands of randomized edits.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jdoc.h"
#include "xmalloc.h"

static struct jdoc *
doc(const char *s, const char *path)
{
	char *cause = NULL;
	struct jdoc *d = jdoc_new(xstrdup(s), strlen(s), "d.json", path, &cause);

	cr_assert_not_null(d, "%s", cause ? cause : "");
	return d;
}

static char *
bad(const char *s)
{
	char *cause = NULL;
	struct jdoc *d = jdoc_new(xstrdup(s), strlen(s), "d.json", ".", &cause);

	cr_assert_null(d, "accepted invalid JSON: %s", s);
	cr_assert_not_null(cause);
	return cause;
}

Test(jdoc, rejects_invalid_with_line)
{
	static const char *cases[][2] = {
		{ "{\"a\": 1,\n\"b\": }", "d.json:2: error: invalid JSON: expected a value" },
		{ "[1, 2,]", "d.json:1: error: invalid JSON: expected a value" },
		{ "{\"a\" 1}", "d.json:1: error: invalid JSON: expected ':'" },
		{ "[01]", "d.json:1: error: invalid JSON: expected ',' or ']'" },
		{ "\"abc", "d.json:1: error: invalid JSON: unterminated string" },
		{ "[\"\\x\"]", "d.json:1: error: invalid JSON: invalid escape in string" },
		{ "[1.]", "d.json:1: error: invalid JSON: invalid number" },
		{ "tru", "d.json:1: error: invalid JSON: invalid literal" },
		{ "{}\n\n x", "d.json:3: error: invalid JSON: trailing characters after the value" },
		{ "", "d.json:1: error: invalid JSON: expected a value" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *c = bad(cases[i][0]);
		cr_expect_str_eq(c, cases[i][1], "for %s", cases[i][0]);
		free(c);
	}
}

Test(jdoc, depth_limit)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < JDOC_MAX_DEPTH + 10; i++)
		buf_addc(&b, '[');
	for (int i = 0; i < JDOC_MAX_DEPTH + 10; i++)
		buf_addc(&b, ']');
	char *c = bad(b.data);
	cr_expect(strstr(c, "nesting too deep") != NULL, "%s", c);
	free(c);
	buf_free(&b);
}

Test(jdoc, index_list_and_object)
{
	struct jdoc *d = doc("{\"x\": 1, \"b\": [ {\"n\": 1}, 2 , \"s\" ]}", "b");

	cr_assert(d->has_coll);
	cr_assert(!d->coll_object);
	cr_assert_eq(d->nelems, 3);
	cr_assert_eq(strncmp(d->text + d->elems[0].start, "{\"n\": 1}", 8), 0);
	cr_assert_eq(d->elems[1].end - d->elems[1].start, 1);
	size_t n;
	char *rest = jdoc_rest_text(d, &n);
	cr_assert_str_eq(rest, "{\"x\": 1, \"b\": []}");
	free(rest);
	jdoc_free(d);

	d = doc("{\"m\": {\"a\\u0041\": 1, \"b\": {\"c\": 2}}}", "m");
	cr_assert(d->coll_object);
	cr_assert_eq(d->nelems, 2);
	char *k = jdoc_elem_key(d, 0);
	cr_assert_str_eq(k, "aA");
	free(k);
	jdoc_free(d);

	d = doc("[1,2,3]", ".");
	cr_assert_eq(d->nelems, 3);
	jdoc_free(d);
	d = doc("{\"a\": 3}", "missing");
	cr_assert(!d->has_coll);
	jdoc_free(d);
	d = doc("{\"a\": 3}", "a");
	cr_assert(!d->has_coll, "a scalar is no collection");
	jdoc_free(d);
}

Test(jdoc, find_path)
{
	const char *s = "{\"a\": {\"b\": [1, 2]},\n \"c\": \"x\"}";
	size_t pos, end;

	cr_assert_eq(jscan_find(s, strlen(s), "a.b", &pos, &end), 0);
	cr_assert_eq(strncmp(s + pos, "[1, 2]", end - pos), 0);
	cr_assert_eq(jscan_find(s, strlen(s), "c", &pos, &end), 0);
	cr_assert_eq(jscan_line(s, strlen(s), pos), 2);
	cr_assert_eq(jscan_find(s, strlen(s), "a.z", &pos, &end), -1);
	cr_assert_eq(jscan_find(s, strlen(s), "c.d", &pos, &end), -1);
}

/* The incremental result must equal a full index of the same text. */
static void
same_as_full(const struct jdoc *d)
{
	struct jdoc *f = doc(d->text, d->path);

	cr_assert_eq(d->nelems, f->nelems);
	cr_assert_eq(d->has_coll, f->has_coll);
	cr_assert_eq(d->coll_close, f->coll_close);
	for (size_t i = 0; i < d->nelems; i++) {
		cr_assert_eq(d->elems[i].start, f->elems[i].start, "elem %zu", i);
		cr_assert_eq(d->elems[i].end, f->elems[i].end, "elem %zu", i);
		cr_assert_eq(d->elems[i].kstart, f->elems[i].kstart);
		cr_assert_eq(memcmp(d->elems[i].hash, f->elems[i].hash,
		    HASH_SIZE), 0, "hash of elem %zu", i);
	}
	cr_assert_eq(memcmp(d->rest_hash, f->rest_hash, HASH_SIZE), 0);
	jdoc_free(f);
}

static void
item(struct buf *b, bool object, unsigned id, unsigned v)
{
	if (object)
		buf_printf(b, "\"k%u\": ", id);
	buf_printf(b, "{\"name\": \"b%u\", \"port\": %u, \"tags\": [\"x\", %u]}",
	    id, v, v * 7);
}

static char *
build(bool object, unsigned *ids, unsigned *vals, size_t n, const char *meta)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "{\"meta\": \"%s\",\n \"items\": %c\n", meta,
	    object ? '{' : '[');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_addstr(&b, ",\n  ");
		item(&b, object, ids[i], vals[i]);
	}
	buf_printf(&b, "\n%c}\n", object ? '}' : ']');
	return buf_detach(&b, NULL);
}

static void
randomized(bool object)
{
	unsigned ids[400], vals[400], next = 0;
	size_t n = 50;
	int spliced = 0;

	srand(42);
	for (size_t i = 0; i < n; i++) {
		ids[i] = next++;
		vals[i] = (unsigned)rand() % 1000;
	}
	char *t = build(object, ids, vals, n, "m0");
	struct jdoc *d = doc(t, "items");
	free(t);
	for (int round = 0; round < 2000; round++) {
		int op = rand() % 10;
		char meta[32];
		size_t at = n ? (size_t)rand() % n : 0;
		snprintf(meta, sizeof(meta), "m%d", op == 9 ? round : 0);
		if (op < 5 && n > 0)
			vals[at] = (unsigned)rand() % 100000;
		else if (op < 7 && n < 400) {
			memmove(ids + at + 1, ids + at, (n - at) * sizeof(*ids));
			memmove(vals + at + 1, vals + at, (n - at) * sizeof(*vals));
			ids[at] = next++;
			vals[at] = 1;
			n++;
		} else if (op < 9 && n > 0) {
			memmove(ids + at, ids + at + 1, (n - at - 1) * sizeof(*ids));
			memmove(vals + at, vals + at + 1, (n - at - 1) * sizeof(*vals));
			n--;
		}
		t = build(object, ids, vals, n, meta);
		struct jdoc_change ch;
		char *cause = NULL;
		uint64_t v0 = d->version;
		cr_assert_eq(jdoc_update(d, t, strlen(t), &ch, &cause), 0, "%s",
		    cause ? cause : "");
		if (!ch.unchanged)
			cr_assert_eq(d->version, v0 + 1);
		if (!ch.full && !ch.unchanged) {
			spliced++;
			cr_assert_leq(ch.ninserted, 2, "only the edited item is rescanned");
		}
		same_as_full(d);
	}
	cr_assert_gt(spliced, 1000, "most edits take the incremental path");
	jdoc_free(d);
}

Test(jdoc, randomized_list_edits) { randomized(false); }
Test(jdoc, randomized_object_edits) { randomized(true); }

Test(jdoc, invalid_update_keeps_old)
{
	const char *s = "{\"items\": [1, 2, 3]}";
	struct jdoc *d = doc(s, "items");
	struct jdoc_change ch;
	char *cause = NULL;
	const char *broken[] = { "{\"items\": [1, 2x, 3]}", "{\"items\": [1, , 3]}",
	    "{\"items\": [1, 2, 3]", "{\"items\": [1, [2, 3]}" };

	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(jdoc_update(d, xstrdup(broken[i]), strlen(broken[i]),
		    &ch, &cause), -1, "%s", broken[i]);
		cr_assert(strstr(cause, "d.json:1: error: invalid JSON") == cause,
		    "%s", cause);
		free(cause);
		cause = NULL;
		cr_assert_str_eq(d->text, s);
		cr_assert_eq(d->nelems, 3);
	}
	/* A change that moves the end of the list re-indexes in full. */
	const char *grown = "{\"items\": [1, 2, 3], \"x\": [4]}";
	cr_assert_eq(jdoc_update(d, xstrdup(grown), strlen(grown), &ch, &cause), 0);
	cr_assert(ch.full);
	same_as_full(d);
	/* Inside the list: one element replaced. */
	const char *edit = "{\"items\": [1, 22, 3], \"x\": [4]}";
	cr_assert_eq(jdoc_update(d, xstrdup(edit), strlen(edit), &ch, &cause), 0);
	cr_assert(!ch.full);
	cr_assert_eq(ch.first, 1);
	cr_assert_eq(ch.nremoved, 1);
	cr_assert_eq(ch.ninserted, 1);
	same_as_full(d);
	jdoc_free(d);
}
