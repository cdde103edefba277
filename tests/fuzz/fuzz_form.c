/* fuzz_form.c: a form body and a Cookie header as a browser sends them to the pages.
 * Input: "COOKIE-HEADER\nBODY" (the body may hold any byte). */
#include <string.h>

#include "form.h"
#include "fuzz.h"
#include "xmalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t hlen = nl ? (size_t)(nl - (const char *)data) : size, i;
	char *hdr = xstrndup((const char *)data, hlen), v[64];
	const char *body = nl ? nl + 1 : "";
	size_t blen = nl ? size - hlen - 1 : 0;
	struct form f;
	char *cause = NULL;
	int rc;

	if ((rc = cookie_get(hdr, "termijn_session", v, sizeof(v))) == 1)
		FUZZ_ASSERT(strlen(v) < sizeof(v) && strstr(hdr, v) != NULL);
	if (rc == 1 && web_token_ok(v)) {
		char c[WEB_TOKEN_CHARS + 1];

		form_csrf(v, c);
		FUZZ_ASSERT(web_token_ok(c) && !secret_equal(c, v));
	}
	if (form_parse(body, blen, &f, &cause) == 0) {
		FUZZ_ASSERT(f.n <= FORM_MAX_FIELDS);
		/* Every name once, each found again. */
		for (i = 0; i < f.n; i++)
			FUZZ_ASSERT(form_get(&f, f.name[i]) == f.value[i]);
		form_free(&f);
	} else {
		FUZZ_ASSERT(cause != NULL && f.n == 0);
		free(cause);
	}
	free(hdr);
	return 0;
}
