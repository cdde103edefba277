/* test_timeheap.c: the heap of moments against a plain array, over random operations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "timeheap.h"

#define NID	200

/* The model: per id its key, or absent. */
static int64_t	key_of[NID];
static int	in_model[NID];

/* The heap's own order and handles hold, and it holds what the model does. */
static void
check(const struct timeheap *h)
{
	size_t i, n = 0, id;
	int64_t k, min = INT64_MAX;

	for (i = 0; i < h->n; i++) {
		if (i > 0)
			assert_true(h->v[(i - 1) / 2].key <= h->v[i].key);
		assert_int_equal(h->pos[h->v[i].id], i + 1);
	}
	for (id = 0; id < NID; id++) {
		assert_int_equal(timeheap_get(h, id, &k), in_model[id]);
		if (in_model[id]) {
			assert_int_equal(k, key_of[id]);
			n++;
			if (key_of[id] < min)
				min = key_of[id];
		}
	}
	assert_int_equal(h->n, n);
	if (n == 0)
		assert_int_equal(timeheap_head(h, NULL, NULL), 0);
	else {
		assert_int_equal(timeheap_head(h, &id, &k), 1);
		assert_int_equal(k, min);
		assert_int_equal(key_of[id], min);
	}
}

static void
test_random_against_model(void **state)
{
	struct timeheap h;
	size_t id, i;
	int64_t k;
	int op;

	(void)state;
	srandom(13);
	memset(in_model, 0, sizeof(in_model));
	timeheap_init(&h);
	timeheap_resize(&h, NID);
	for (i = 0; i < 20000; i++) {
		id = (size_t)random() % NID;
		/* Few distinct keys: ties are common, as for reminders at one hour. */
		k = (int64_t)(random() % 50) - 10;
		op = (int)(random() % 10);
		if (op < 6) {
			timeheap_set(&h, id, k);
			key_of[id] = k;
			in_model[id] = 1;
		} else if (op < 8) {
			timeheap_remove(&h, id);
			in_model[id] = 0;
		} else if (op == 8 && timeheap_head(&h, &id, &k)) {
			/* Taking the head, as a scan does. */
			timeheap_remove(&h, id);
			in_model[id] = 0;
		} else if (i % 1000 == 999) {
			timeheap_clear(&h);
			memset(in_model, 0, sizeof(in_model));
		}
		check(&h);
	}
	timeheap_free(&h);
}

/* Taking the head again and again gives the keys in order. */
static void
test_drain_sorted(void **state)
{
	struct timeheap h;
	size_t id, n = 0;
	int64_t k, last = INT64_MIN;

	(void)state;
	timeheap_init(&h);
	for (id = 0; id < 1000; id++)
		timeheap_set(&h, id, (int64_t)((id * 7919) % 1000));
	while (timeheap_head(&h, &id, &k)) {
		assert_true(k >= last);
		last = k;
		timeheap_remove(&h, id);
		n++;
	}
	assert_int_equal(n, 1000);
	timeheap_free(&h);
}

/* Shrinking the id space takes the ids beyond it out; growing it adds none. */
static void
test_resize(void **state)
{
	struct timeheap h;
	size_t id;
	int64_t k;

	(void)state;
	timeheap_init(&h);
	for (id = 0; id < 10; id++)
		timeheap_set(&h, id, (int64_t)(100 - id));
	timeheap_resize(&h, 5);
	assert_int_equal(h.n, 5);
	assert_int_equal(timeheap_head(&h, &id, &k), 1);
	assert_int_equal(id, 4);
	assert_int_equal(k, 96);
	assert_int_equal(timeheap_get(&h, 7, NULL), 0);
	timeheap_resize(&h, 20);
	assert_int_equal(h.n, 5);
	assert_int_equal(timeheap_get(&h, 15, NULL), 0);
	timeheap_remove(&h, 15);	/* not in: nothing happens */
	timeheap_remove(&h, 500);	/* beyond the ids: nothing happens */
	assert_int_equal(h.n, 5);
	timeheap_free(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_drain_sorted),
		cmocka_unit_test(test_resize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
