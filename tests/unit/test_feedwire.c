/* test_feedwire.c: which request heads the feed fast path takes, and what it reads of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "feedwire.h"

#define TOK	"abcdefghijklmnopqrstuvwxyz012-_A"
#define LINE	"GET /feed/" TOK ".ics HTTP/1.1\r\n"

static size_t
parse(const char *s, struct feedwire *w)
{
	return feedwire_parse(s, strlen(s), w);
}

static void
test_takes(void **state)
{
	struct feedwire w;
	const char *r = LINE "Host: x\r\nUser-Agent: wrk\r\n\r\n";
	const char *two = LINE "Host: x\r\n\r\n" LINE "Host: y\r\n\r\n";

	(void)state;
	assert_int_equal(parse(r, &w), strlen(r));
	assert_string_equal(w.token, TOK);
	assert_false(w.head);
	assert_false(w.has_inm || w.has_ims || w.has_ae);
	/* Without ".ics", and HEAD. */
	r = "HEAD /feed/" TOK " HTTP/1.1\r\nhost: x\r\n\r\n";
	assert_int_equal(parse(r, &w), strlen(r));
	assert_true(w.head);
	/* Pipelined: the first head only. */
	assert_int_equal(parse(two, &w), strlen(two) / 2);
}

static void
test_values(void **state)
{
	struct feedwire w;
	const char *r = LINE "Host: x\r\nif-none-match:   \"a-1\", W/\"b\" \t \r\n"
	    "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\nACCEPT-ENCODING:\tgzip\r\n"
	    "Connection: Keep-Alive\r\n\r\n";

	(void)state;
	assert_int_equal(parse(r, &w), strlen(r));
	/* As evhttp keeps them: leading spaces and trailing spaces and tabs dropped. */
	assert_true(w.has_inm);
	assert_string_equal(w.inm, "\"a-1\", W/\"b\"");
	assert_string_equal(w.ims, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_string_equal(w.ae, "\tgzip");
	/* Present but empty is not absent: an empty If-None-Match still hides the date. */
	r = LINE "Host: x\r\nIf-None-Match:\r\n\r\n";
	assert_int_equal(parse(r, &w), strlen(r));
	assert_true(w.has_inm);
	assert_string_equal(w.inm, "");
}

/* Everything evhttp should see as it came: 0, nothing taken. */
static void
test_leaves(void **state)
{
	static const char *const left[] = {
		"",
		LINE,
		LINE "Host: x\r\n",				/* not whole yet */
		LINE "Host: x\r\n\r",
		"POST /feed/" TOK ".ics HTTP/1.1\r\nHost: x\r\n\r\n",
		"get /feed/" TOK ".ics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /feed/" TOK ".ics HTTP/1.0\r\nHost: x\r\n\r\n",
		"GET /feed/" TOK ".ics HTTP/1.1 \r\nHost: x\r\n\r\n",
		"GET  /feed/" TOK ".ics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /feed/" TOK ".ics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /feed/" TOK ".html HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /feed/" TOK "A HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /feed/abc%2F HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET http://x/feed/" TOK ".ics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /api/feeds HTTP/1.1\r\nHost: x\r\n\r\n",
		LINE "\r\n",					/* no Host */
		LINE "Host: x\r\nHost: y\r\n\r\n",
		LINE "Host: x\r\nConnection: close\r\n\r\n",
		LINE "Host: x\r\nConnection: keep-alive, Upgrade\r\n\r\n",
		LINE "Host: x\r\nContent-Length: 0\r\n\r\n",
		LINE "Host: x\r\nTransfer-Encoding: chunked\r\n\r\n",
		LINE "Host: x\r\nExpect: 100-continue\r\n\r\n",
		LINE "Host: x\r\nIf-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\n\r\n",
		LINE "Host: x\r\nAccept-Encoding: gzip\r\n\tdeflate\r\n\r\n",	/* folded */
		LINE "Host: x\r\n Accept-Encoding: gzip\r\n\r\n",
		LINE "Host: x\r\nAccept-Encoding : gzip\r\n\r\n",
		LINE "Host: x\r\nNo colon here\r\n\r\n",
		LINE "Host: x\r\n: empty name\r\n\r\n",
		LINE "Host: x\nAccept: */*\r\n\r\n",		/* a bare LF */
		LINE "Host: x\rAccept: */*\r\n\r\n",		/* a bare CR */
		LINE "Host: x\r\nUser-Agent: caf\xc3\xa9\r\n\r\n",
		LINE "Host: x\r\nX: \x01\r\n\r\n",
	};
	struct feedwire w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(left) / sizeof(left[0]); i++)
		if (parse(left[i], &w) != 0)
			fail_msg("taken: %s", left[i]);
}

static void
test_limits(void **state)
{
	static const char nul[] = LINE "Host: x\r\nX: a\0b\r\n\r\n";
	static char buf[FEEDWIRE_MAX_HEAD + 64], v[FEEDWIRE_VALUE + 1];
	struct feedwire w;
	size_t n;

	(void)state;
	/* A value one byte over what it keeps goes to evhttp; one at the limit is taken. */
	memset(v, 'a', FEEDWIRE_VALUE);
	v[FEEDWIRE_VALUE] = '\0';
	snprintf(buf, sizeof(buf), LINE "Host: x\r\nIf-None-Match: %s\r\n\r\n", v);
	assert_int_equal(parse(buf, &w), 0);
	v[FEEDWIRE_VALUE - 1] = '\0';
	snprintf(buf, sizeof(buf), LINE "Host: x\r\nIf-None-Match: %s\r\n\r\n", v);
	assert_int_equal(parse(buf, &w), strlen(buf));
	assert_int_equal(strlen(w.inm), FEEDWIRE_VALUE - 1);
	/* A head longer than FEEDWIRE_MAX_HEAD is evhttp's, however it ends. */
	n = (size_t)snprintf(buf, sizeof(buf), LINE "Host: x\r\nX: ");
	memset(buf + n, 'b', sizeof(buf) - n);
	memcpy(buf + sizeof(buf) - 5, "\r\n\r\n", 5);
	assert_int_equal(feedwire_parse(buf, sizeof(buf) - 1, &w), 0);
	/* A NUL inside: what follows it is not read as a header. */
	assert_int_equal(feedwire_parse(nul, sizeof(nul) - 1, &w), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_takes),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_leaves),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
