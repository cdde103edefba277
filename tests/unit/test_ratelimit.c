/* test_ratelimit.c: failed attempts per address: the lock, its end, other addresses, a full table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "ratelimit.h"

static void
test_lock(void **state)
{
	struct ratelimit *rl = ratelimit_new(8, 3, 600);
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(ratelimit_blocked(rl, "192.0.2.7", 1000 + i), 0);
		ratelimit_fail(rl, "192.0.2.7", 1000 + i);
	}
	assert_int_equal(ratelimit_blocked(rl, "192.0.2.7", 1002), 0);
	assert_int_equal(ratelimit_fail(rl, "192.0.2.7", 1002), 3);
	/* Locked until the window that began at 1000 is over. */
	assert_int_equal(ratelimit_blocked(rl, "192.0.2.7", 1003), 597);
	assert_int_equal(ratelimit_blocked(rl, "192.0.2.7", 1599), 1);
	assert_int_equal(ratelimit_blocked(rl, "192.0.2.7", 1600), 0);
	/* Another address is not touched. */
	assert_int_equal(ratelimit_blocked(rl, "192.0.2.8", 1003), 0);
	/* A new window starts from nothing. */
	assert_int_equal(ratelimit_fail(rl, "192.0.2.7", 1600), 1);
	ratelimit_free(rl);
}

static void
test_full_table(void **state)
{
	struct ratelimit *rl = ratelimit_new(2, 2, 600);

	(void)state;
	ratelimit_fail(rl, "a", 10);
	ratelimit_fail(rl, "a", 11);
	ratelimit_fail(rl, "b", 20);
	ratelimit_fail(rl, "b", 21);
	assert_true(ratelimit_blocked(rl, "a", 30) > 0);
	assert_true(ratelimit_blocked(rl, "b", 30) > 0);
	/* A third address takes the slot of the oldest window: a's. */
	assert_int_equal(ratelimit_fail(rl, "c", 40), 1);
	assert_int_equal(ratelimit_blocked(rl, "a", 41), 0);
	assert_true(ratelimit_blocked(rl, "b", 41) > 0);
	ratelimit_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_full_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
