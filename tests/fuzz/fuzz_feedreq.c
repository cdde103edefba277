/* fuzz_feedreq.c: a feed request as the HTTP listener reads it: the target parsed by
 * libevent as evhttp does, the token from its path, and the validators in its headers.
 * Input: lines "TARGET\nIF-NONE-MATCH\nACCEPT-ENCODING\nIF-MODIFIED-SINCE". */
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "feedreq.h"
#include "fuzz.h"
#include "tz.h"
#include "xmalloc.h"

static int
b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size), *line[4] = { NULL }, *p, *save = NULL;
	char token[FEED_TOKEN_CHARS + 1], buf[64];
	struct evhttp_uri *uri;
	const char *path;
	int64_t t, t2;
	struct tm tm;
	time_t tt;
	int i;

	for (i = 0, p = text; i < 4; i++, p = NULL)
		line[i] = strtok_r(p, "\n", &save);
	if (line[0] != NULL && (uri = evhttp_uri_parse_with_flags(line[0],
	    EVHTTP_URI_NONCONFORMANT)) != NULL) {
		path = evhttp_uri_get_path(uri);
		if (path != NULL && strncmp(path, "/feed/", 6) == 0 &&
		    feedreq_token(path + 6, token) == 0) {
			/* Only 32 base64url characters, then nothing or ".ics". */
			FUZZ_ASSERT(strlen(token) == FEED_TOKEN_CHARS);
			for (i = 0; i < FEED_TOKEN_CHARS; i++)
				FUZZ_ASSERT(b64url(token[i]));
			FUZZ_ASSERT(strcmp(path + 6 + FEED_TOKEN_CHARS, "") == 0 ||
			    strcmp(path + 6 + FEED_TOKEN_CHARS, ".ics") == 0);
		}
		evhttp_uri_free(uri);
	}
	if (line[1] != NULL) {
		feedreq_etag_matches(line[1], "\"0123456789abcdef-1f\"");
		/* A list that holds the tag itself matches. */
		snprintf(buf, sizeof(buf), "%.20s, \"0123456789abcdef-1f\"", line[1]);
		if (strchr(line[1], '"') == NULL && strchr(line[1], ',') == NULL)
			FUZZ_ASSERT(feedreq_etag_matches(buf, "\"0123456789abcdef-1f\""));
	}
	if (line[2] != NULL)
		feedreq_gzip(line[2]);
	if (line[3] != NULL && http_date_parse(line[3], &t) == 0) {
		/* What it takes, written again as an HTTP date, reads as the same moment. */
		tt = (time_t)t;
		if (gmtime_r(&tt, &tm) != NULL && tm.tm_year > -1900 && tm.tm_year < 8000) {
			strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
			FUZZ_ASSERT(http_date_parse(buf, &t2) == 0 && t2 == t);
		}
	}
	free(text);
	return 0;
}
