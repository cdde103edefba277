/* fuzz_donewire.c: what the control socket's fast path takes of a `done` (donewire.c), set
 * against what evhttp's path reads: a body it takes, request_parse takes too and reads
 * alike. Input: a request's bytes, or (first byte 'B') a body, sent with a head of its own. */
#include <string.h>

#include "donewire.h"
#include "fuzz.h"
#include "request.h"
#include "xmalloc.h"

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct donewire w;
	struct request rq;
	char *buf, *cause = NULL;
	size_t len, n, blen;
	const char *cl, *body;

	if (size > 0 && data[0] == 'B') {
		buf = xmalloc(size + 129);
		len = (size_t)snprintf(buf, 128, "POST /api/v1/done HTTP/1.1\r\nHost: x\r\n"
		    "Content-Length: %zu\r\n\r\n", size - 1);
		memcpy(buf + len, data + 1, size - 1);
		len += size - 1;
	} else {
		buf = xmalloc(size + 1);
		memcpy(buf, data, size);
		len = size;
	}
	buf[len] = '\0';
	if ((n = donewire_parse(buf, len, &w)) != 0) {
		FUZZ_ASSERT(n <= len && w.body < n);
		FUZZ_ASSERT(memcmp(buf, "POST /api/v1/done HTTP/1.1\r\n", 28) == 0);
		FUZZ_ASSERT(memcmp(buf + w.body - 4, "\r\n\r\n", 4) == 0);
		/* The body is what Content-Length says, and evhttp's path reads it alike. */
		cl = strcasestr(buf, "\r\nContent-Length:");
		FUZZ_ASSERT(cl != NULL && cl < buf + w.body);
		blen = n - w.body;
		FUZZ_ASSERT(blen <= DONEWIRE_MAX_BODY && strtoul(cl + 17, NULL, 10) == blen);
		body = buf + w.body;
		FUZZ_ASSERT(request_parse(REQ_DONE, body, blen, &rq, &cause) == 0);
		FUZZ_ASSERT(same(rq.plan, w.plan) && same(rq.key, w.key) && same(rq.note, w.note) &&
		    same(rq.at, w.at) && same(rq.reason, w.reason) && rq.override == w.override);
		request_free(&rq);
	}
	free(cause);
	free(buf);
	return 0;
}
