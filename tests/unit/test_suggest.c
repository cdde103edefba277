/* test_suggest.c: "did you mean": near misses found, far ones not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

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

/* The distance without shortcuts (optimal string alignment, case ignored). */
static size_t
plain_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, v, d[40][40];

	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			v = d[i - 1][j - 1] + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 2]) && tolower((unsigned char)a[i - 2]) ==
			    tolower((unsigned char)b[j - 1]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/* The first candidate of the least distance within the limit, the slow way. */
static const char *
plain_suggest(const char *w, const char *const *c, size_t n)
{
	size_t len = strlen(w), limit = len < 4 ? 1 : 1 + len / 6, best = limit + 1, i, dist;
	const char *hit = NULL;

	for (i = 0; len > 0 && i < n; i++)
		if ((dist = plain_distance(w, c[i])) < best) {
			best = dist;
			hit = c[i];
		}
	return hit;
}

/*
 * Random names over a small alphabet (so that near misses are common) and random words,
 * some of them edits of a name: the shortcuts (lengths, letter counts, the shrinking
 * limit) give what the full comparison gives.
 */
static void
test_same_as_plain(void **state)
{
	static char names[300][24], words[24];
	const char *c[300];
	const char *alpha = "abcdeAB@-1";
	size_t i, k, n, round, len;
	unsigned seed = 13;

	(void)state;
	for (round = 0; round < 200; round++) {
		n = (size_t)rand_r(&seed) % 300;
		for (i = 0; i < n; i++) {
			len = 1 + (size_t)rand_r(&seed) % 20;
			for (k = 0; k < len; k++)
				names[i][k] = alpha[rand_r(&seed) % 10];
			names[i][len] = '\0';
			c[i] = names[i];
		}
		for (k = 0; k < 20; k++) {
			if (n > 0 && k % 2 == 0) {
				/* A name with a letter changed, left out or added. */
				snprintf(words, sizeof(words), "%s", names[(size_t)rand_r(&seed) % n]);
				len = strlen(words);
				i = (size_t)rand_r(&seed) % len;
				if (k % 3 == 0)
					words[i] = alpha[rand_r(&seed) % 10];
				else if (k % 3 == 1)
					memmove(words + i, words + i + 1, len - i);
				else if (len < 22) {
					memmove(words + i + 1, words + i, len - i + 1);
					words[i] = alpha[rand_r(&seed) % 10];
				}
			} else {
				len = (size_t)rand_r(&seed) % 21;
				for (i = 0; i < len; i++)
					words[i] = alpha[rand_r(&seed) % 10];
				words[len] = '\0';
			}
			assert_ptr_equal(suggest(words, c, n), plain_suggest(words, c, n));
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_near),
		cmocka_unit_test(test_far),
		cmocka_unit_test(test_same_as_plain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
