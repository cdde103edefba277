/* fuzz_feedwire.c: request heads as they come off the wire, for the feed fast path. What it
 * takes is a whole GET or HEAD of a feed, its values as evhttp would keep them; a head taken
 * is taken alike with or without what follows it. Input: the bytes of a connection. */
#include <string.h>

#include "feedwire.h"
#include "fuzz.h"
#include "xmalloc.h"

static void
value_ok(int has, const char *v)
{
	size_t n = strlen(v);

	FUZZ_ASSERT(has || n == 0);
	FUZZ_ASSERT(n < FEEDWIRE_VALUE && strpbrk(v, "\r\n") == NULL);
	FUZZ_ASSERT(n == 0 || (v[0] != ' ' && v[n - 1] != ' ' && v[n - 1] != '\t'));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct feedwire w, again;
	size_t n, i;
	char *copy;

	if ((n = feedwire_parse(p, size, &w)) == 0)
		return 0;
	FUZZ_ASSERT(n <= size && n <= FEEDWIRE_MAX_HEAD && n >= 4);
	FUZZ_ASSERT(memcmp(p + n - 4, "\r\n\r\n", 4) == 0);
	/* The empty line is the head's first one. */
	FUZZ_ASSERT(memmem(p, n, "\r\n\r\n", 4) == p + n - 4);
	FUZZ_ASSERT(memcmp(p, w.head ? "HEAD /feed/" : "GET /feed/", w.head ? 11 : 10) == 0);
	FUZZ_ASSERT(strlen(w.token) == FEED_TOKEN_CHARS);
	FUZZ_ASSERT(memcmp(p + (w.head ? 11 : 10), w.token, FEED_TOKEN_CHARS) == 0);
	for (i = 0; i < n; i++)
		FUZZ_ASSERT(p[i] != '\0' && (p[i] != '\n' || p[i - 1] == '\r'));
	value_ok(w.has_inm, w.inm);
	value_ok(w.has_ims, w.ims);
	value_ok(w.has_ae, w.ae);
	/* The head alone reads the same. */
	copy = xmalloc(n);
	memcpy(copy, p, n);
	FUZZ_ASSERT(feedwire_parse(copy, n, &again) == n);
	FUZZ_ASSERT(memcmp(&w, &again, sizeof(w)) == 0);
	/* One byte short is not whole. */
	FUZZ_ASSERT(feedwire_parse(copy, n - 1, &again) == 0);
	free(copy);
	return 0;
}
