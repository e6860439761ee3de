/*
 * Unit tests for common/strmap, checked against a plain array model
 * through many random inserts, lookups and deletions.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "strmap.h"

Test(strmap, random_against_model)
{
	struct strmap *m = strmap_new();
	static int present[5000];
	char key[32];

	srand(7);
	for (int round = 0; round < 200000; round++) {
		int k = rand() % 5000, op = rand() % 3;
		snprintf(key, sizeof(key), "k/%d", k);
		if (op == 0) {
			void *prev = strmap_set(m, key, &present[k]);
			cr_assert_eq(prev != NULL, present[k] != 0);
			present[k] = 1;
		} else if (op == 1) {
			void *v = strmap_del(m, key);
			cr_assert_eq(v != NULL, present[k] != 0, "del %s", key);
			present[k] = 0;
		} else
			cr_assert_eq(strmap_get(m, key) != NULL, present[k] != 0);
	}
	size_t n = 0, it = 0;
	const char *k;
	void *v;
	for (int i = 0; i < 5000; i++)
		n += (size_t)present[i];
	cr_assert_eq(strmap_count(m), n);
	size_t seen = 0;
	while (strmap_next(m, &it, &k, &v)) {
		int idx = atoi(k + 2);
		cr_assert(present[idx]);
		cr_assert_eq(v, &present[idx]);
		seen++;
	}
	cr_assert_eq(seen, n);
	strmap_free(m);
}
