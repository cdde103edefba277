/* suggest.c: "did you mean": the closest of some names by edit distance (pure). */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"

#define WORD_MAX	200
#define BAG		32	/* letter classes counted for the cheap lower bound */

/*
 * Optimal string alignment distance, case-insensitive; stops counting above limit. Three
 * rows, on the stack: a look at a hundred thousand keys (a readiness probe asking for a
 * key that is not there) allocates nothing.
 */
static size_t
distance(const char *a, size_t la, const char *b, size_t lb, size_t limit)
{
	size_t rows[3][WORD_MAX + 1], *pp, *prev, *cur, *tmp, i, j, best, v;

	if (la > WORD_MAX || lb > WORD_MAX)
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	pp = rows[0];
	prev = rows[1];
	cur = rows[2];
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		best = i;
		for (j = 1; j <= lb; j++) {
			int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);

			v = prev[j - 1] + !same;
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 2]) && tolower((unsigned char)a[i - 2]) ==
			    tolower((unsigned char)b[j - 1]) && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
		tmp = pp;
		pp = prev;
		prev = cur;
		cur = tmp;
	}
	return prev[lb];
}

/*
 * The letters of s by class, and its length, reading no further than max + 1 bytes: a
 * name that long is too far already.
 */
static size_t
bag_of(const char *s, size_t max, int bag[BAG])
{
	size_t i;

	memset(bag, 0, BAG * sizeof(int));
	for (i = 0; s[i] != '\0' && i <= max; i++)
		bag[tolower((unsigned char)s[i]) % BAG]++;
	return i;
}

/*
 * A lower bound of the distance from letter counts alone: an edit changes them by two at
 * most (a letter for another), a swap not at all. Letters that share a class only lower it.
 */
static size_t
bag_bound(const int wbag[BAG], const int bag[BAG])
{
	size_t i, sum = 0;
	int d;

	for (i = 0; i < BAG; i++) {
		d = wbag[i] - bag[i];
		sum += (size_t)(d < 0 ? -d : d);
	}
	return (sum + 1) / 2;
}

/*
 * Which letter classes s has (letters of either case in one), and its length, reading no
 * further than max + 1 bytes: an edit adds or takes away two classes at most.
 */
static size_t
mask_of(const char *s, size_t max, uint64_t *mask)
{
	size_t i;

	*mask = 0;
	for (i = 0; s[i] != '\0' && i <= max; i++)
		*mask |= 1ULL << (((unsigned char)s[i] | 0x20) & 63);
	return i;
}

const char *
suggest(const char *word, const char *const *cands, size_t n)
{
	const char *hit = NULL;
	size_t i, dist, len = strlen(word), lc, lim;
	/* One slip in a short name, more in a long one: "stapforst", "colegebesluit@...". */
	size_t limit = len < 4 ? 1 : 1 + len / 6;
	int wbag[BAG], bag[BAG];
	uint64_t wmask, mask;

	if (len == 0 || len > WORD_MAX)
		return NULL;
	bag_of(word, len, wbag);
	mask_of(word, len, &wmask);
	/*
	 * Cheap bounds first (length, letter classes, letter counts), the distance only for
	 * what passes them; only a closer one than the best so far can take its place.
	 */
	for (i = 0, lim = limit; i < n; i++) {
		lc = mask_of(cands[i], len + lim, &mask);
		if ((lc > len ? lc - len : len - lc) > lim ||
		    ((size_t)__builtin_popcountll(wmask ^ mask) + 1) / 2 > lim)
			continue;
		bag_of(cands[i], lc, bag);
		if (bag_bound(wbag, bag) > lim)
			continue;
		if ((dist = distance(word, len, cands[i], lc, lim)) <= lim) {
			hit = cands[i];
			if (dist == 0)
				break;
			lim = dist - 1;
		}
	}
	return hit;
}
