/* fuzz_msgcat.c: the .mo reader on any bytes, and Accept-Language, which any caller sends. */
/* fuzz-seeds: build/locale/nl/LC_MESSAGES/termijn.mo */
#include <string.h>

#include "fuzz.h"
#include "msgcat.h"
#include "xmalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const langs[] = { "nl", "de" };
	struct msgcat *c;
	const char *s;
	char *cause = NULL, *hdr;
	int k;

	/* The bytes as a header: an index of langs, or -1; never more. */
	hdr = xstrndup((const char *)data, size);
	k = msgcat_pick(hdr, langs, 2);
	FUZZ_ASSERT(k >= -1 && k < 2);
	free(hdr);

	c = msgcat_parse(data, size, &cause);
	FUZZ_ASSERT((c == NULL) == (cause != NULL));
	free(cause);
	if (c == NULL)
		return 0;
	/* Whatever it found is a string inside what it holds. */
	if ((s = msgcat_get(c, "no such plan")) != NULL)
		FUZZ_ASSERT(strlen(s) < size);
	if ((s = msgcat_nget(c, "%s cannot be done yet: %zu rule is unmet", 2)) != NULL)
		FUZZ_ASSERT(strlen(s) < size);
	msgcat_get(c, "");
	msgcat_free(c);
	return 0;
}
