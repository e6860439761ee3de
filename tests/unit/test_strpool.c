/*
 * Unit tests for common/strpool: one copy per distinct string, counted
 * references, checked against a model through many random gets and puts
 * (the deletions exercise the probe runs' backward shift).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strpool.h"

Test(strpool, one_copy_counted)
{
	struct strpool *sp = strpool_new();
	char buf[16] = "template.j2";
	const char *a = strpool_get(sp, "template.j2");
	const char *b = strpool_get(sp, buf);

	cr_assert_eq(a, b, "equal strings share one copy");
	cr_assert_neq(a, buf);
	cr_assert_str_eq(a, "template.j2");
	cr_assert_null(strpool_get(sp, NULL));
	cr_assert_eq(strpool_count(sp), 1);
	strpool_put(sp, a);
	cr_assert_eq(strpool_count(sp), 1, "one holder left");
	cr_assert_str_eq(b, "template.j2");
	strpool_put(sp, b);
	cr_assert_eq(strpool_count(sp), 0, "the last put frees it");
	strpool_put(sp, NULL);
	strpool_free(sp);
}

Test(strpool, random_against_model)
{
	struct strpool *sp = strpool_new();
	static int refs[3000];
	static const char *held[3000];
	char key[32];
	size_t distinct = 0;

	srand(11);
	for (int round = 0; round < 200000; round++) {
		int k = rand() % 3000;
		snprintf(key, sizeof(key), "k/%d", k);
		if (rand() % 2 == 0 || refs[k] == 0) {
			const char *p = strpool_get(sp, key);
			cr_assert_str_eq(p, key);
			if (refs[k] > 0)
				cr_assert_eq(p, held[k], "%s moved", key);
			else
				distinct++;
			held[k] = p;
			refs[k]++;
		} else {
			strpool_put(sp, held[k]);
			if (--refs[k] == 0)
				distinct--;
		}
		cr_assert_eq(strpool_count(sp), distinct);
	}
	for (int k = 0; k < 3000; k++)
		if (refs[k] > 0)
			cr_assert_str_eq(held[k], (snprintf(key, sizeof(key),
			    "k/%d", k), key));
	strpool_free(sp);
}
