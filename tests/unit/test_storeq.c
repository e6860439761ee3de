/*
 * Unit tests for the store's writer thread (choradd/storeq.c): writes are
 * committed in order, a pass's waiters run once they are, and a write
 * that fails inside a batch costs only itself (the batch is written again
 * one write at a time).
 */
#include <criterion/criterion.h>
#include <ev.h>
#include <string.h>

#include "arena.h"
#include "store.h"
#include "store_test.h"
#include "storeq.h"

static void
done(void *arg)
{
	ev_break((struct ev_loop *)arg, EVBREAK_ALL);
}

static void
gen(struct storeq *q, const char *id, const char *text,
    const struct store_dep *deps, size_t n)
{
	struct store_generation g = {
		.content = { .id = id, .text = text, .len = strlen(text) },
		.deps = deps, .ndeps = n, .uid = -1, .no_event = true,
	};

	storeq_generation(q, &g);
}

Test(storeq, a_failed_write_costs_only_itself)
{
	char *root = st_tmproot(), *cause = NULL;
	struct store *s = st_open(root, 0, STORE_NOFSYNC);
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct storeq *q = storeq_new(s, loop);
	struct store_dep ok = { STORE_KIND_TEMPLATE, "t.j2", "t.j2", "T1" };
	struct store_dep nohash = { STORE_KIND_TEMPLATE, "t.j2", "t.j2", NULL };
	struct store_event ev = { .kind = STORE_EVENT_GENERATION, .uid = -1,
	    .details = "{\"count\":2}" };
	struct arena *a = arena_new();
	struct store_event_filter f = { .kind = STORE_EVENT_GENERATION };
	struct store_event *evs;
	struct store_content c;
	struct store_dep *d;
	size_t n;

	gen(q, "a", "first", &ok, 1);
	gen(q, "b", "broken", &nohash, 1);
	gen(q, "c", "third", &ok, 1);
	storeq_event(q, &ev);
	storeq_when_idle(q, done, loop);
	ev_run(loop, 0);
	cr_assert(storeq_idle(q));

	cr_assert_eq(store_content_get(s, NULL, "a", 0, a, &c, &cause), 0);
	cr_assert_str_eq(c.text, "first");
	cr_assert_eq(store_content_get(s, NULL, "b", 0, a, &c, &cause), 1,
	    "the failed write is not kept");
	cr_assert_eq(store_content_get(s, NULL, "c", 0, a, &c, &cause), 0);
	cr_assert_str_eq(c.text, "third");
	cr_assert_eq(store_deps_get(s, NULL, STORE_KIND_CONTENT, "c", a, &d,
	    &n, &cause), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(store_event_list(s, &f, a, &evs, &n, &cause), 0);
	cr_assert_eq(n, 1, "the pass's one event, none per output");
	cr_assert_str_eq(evs[0].details, "{\"count\":2}");

	storeq_free(q);
	ev_loop_destroy(loop);
	store_close(s);
	arena_free(a);
	st_rmtree(root);
	free(root);
}

/*
 * A config already stored answers 1 (unchanged), not 0: that is not a
 * failure, and the rest of its batch is kept (it once rolled the batch
 * back without a word).
 */
Test(storeq, an_unchanged_config_keeps_its_batch)
{
	char *root = st_tmproot(), *cause = NULL;
	struct store *s = st_open(root, 0, STORE_NOFSYNC);
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct storeq *q = storeq_new(s, loop);
	struct store_config one = { .id = "one", .type = "content",
	    .json = "{\"id\": \"one\"}" };
	struct store_config two = { .id = "two", .type = "content",
	    .json = "{\"id\": \"two\"}" };
	struct arena *a = arena_new();
	struct store_config got;
	struct store_content c;

	storeq_config(q, &one);
	storeq_when_idle(q, done, loop);
	ev_run(loop, 0);
	storeq_config(q, &one);		/* unchanged: 1 */
	storeq_config(q, &two);
	gen(q, "after", "kept", NULL, 0);
	storeq_when_idle(q, done, loop);
	ev_run(loop, 0);

	cr_assert_eq(store_config_get(s, NULL, "two", NULL, a, &got, &cause),
	    0, "the config after an unchanged one is kept");
	cr_assert_eq(store_content_get(s, NULL, "after", 0, a, &c, &cause), 0);
	cr_assert_str_eq(c.text, "kept");

	storeq_free(q);
	ev_loop_destroy(loop);
	store_close(s);
	arena_free(a);
	st_rmtree(root);
	free(root);
}
