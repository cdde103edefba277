/* test_suggest.c: "did you mean": near misses found, far ones not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "suggest.h"

static const char *keys[] = {
	"startnotitie", "collegebesluit@staphorst", "collegebesluit@steenwijkerland",
	"collegebesluit@zwartewaterland", "personeel@staphorst", "persbericht", "raad@staphorst"
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static void
test_near(void **state)
{
	(void)state;
	/* A letter left out, one too many, two swapped, one wrong; case does not count. */
	assert_string_equal(suggest("colegebesluit@staphorst", keys, NKEYS),
	    "collegebesluit@staphorst");
	assert_string_equal(suggest("collegebesluit@stapphorst", keys, NKEYS),
	    "collegebesluit@staphorst");
	assert_string_equal(suggest("collegebesluit@stpahorst", keys, NKEYS),
	    "collegebesluit@staphorst");
	assert_string_equal(suggest("collegebesluit@stapforst", keys, NKEYS),
	    "collegebesluit@staphorst");
	assert_string_equal(suggest("persbericth", keys, NKEYS), "persbericht");
	assert_string_equal(suggest("Persbericht", keys, NKEYS), "persbericht");
	assert_string_equal(suggest("raad@stahporst", keys, NKEYS), "raad@staphorst");
}

static void
test_far(void **state)
{
	(void)state;
	assert_null(suggest("begroting", keys, NKEYS));
	assert_null(suggest("x", keys, NKEYS));
	assert_null(suggest("", keys, NKEYS));
	assert_null(suggest("persbericht", keys, 0));
	/* Long words do not cost quadratic time or memory beyond the limit. */
	{
		char big[4096];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_null(suggest(big, keys, NKEYS));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_near),
		cmocka_unit_test(test_far),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
