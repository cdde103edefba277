/* suggest.c: "did you mean": the closest of some names by edit distance (pure). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"
#include "xmalloc.h"

#define WORD_MAX	200

/* Optimal string alignment distance, case-insensitive; stops counting above limit. */
static size_t
distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best, *d, v;

	if (la > WORD_MAX || lb > WORD_MAX)
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	d = xcalloc((la + 1) * (lb + 1), sizeof(*d));
#define D(x, y)	d[(x) * (lb + 1) + (y)]
	for (i = 0; i <= la; i++)
		D(i, 0) = i;
	for (j = 0; j <= lb; j++)
		D(0, j) = j;
	for (i = 1; i <= la; i++) {
		best = limit + 1;
		for (j = 1; j <= lb; j++) {
			int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);

			v = D(i - 1, j - 1) + !same;
			if (D(i - 1, j) + 1 < v)
				v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 2]) && tolower((unsigned char)a[i - 2]) ==
			    tolower((unsigned char)b[j - 1]) && D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
			if (v < best)
				best = v;
		}
		if (best > limit) {
			free(d);
			return limit + 1;
		}
	}
	v = D(la, lb);
#undef D
	free(d);
	return v;
}

const char *
suggest(const char *word, const char *const *cands, size_t n)
{
	const char *hit = NULL;
	size_t i, dist, best, len = strlen(word);
	/* One slip in a short name, more in a long one: "stapforst", "colegebesluit@...". */
	size_t limit = len < 4 ? 1 : 1 + len / 6;

	if (len == 0)
		return NULL;
	best = limit + 1;
	for (i = 0; i < n; i++) {
		if ((dist = distance(word, cands[i], limit)) < best) {
			best = dist;
			hit = cands[i];
		}
	}
	return hit;
}
