/* test_feedreq.c: a feed request's token, entity tags, encodings and dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "feedreq.h"
#include "tz.h"

#define TOK	"abcdefghijklmnopqrstuvwxyz012-_A"

static void
test_token(void **state)
{
	char t[FEED_TOKEN_CHARS + 1];

	(void)state;
	assert_int_equal(feedreq_token(TOK, t), 0);
	assert_string_equal(t, TOK);
	assert_int_equal(feedreq_token(TOK ".ics", t), 0);
	assert_int_equal(feedreq_token(TOK ".ic", t), -1);
	assert_int_equal(feedreq_token(TOK ".icsx", t), -1);
	assert_int_equal(feedreq_token(TOK "A", t), -1);
	assert_int_equal(feedreq_token("abc.ics", t), -1);
	assert_int_equal(feedreq_token("abcdefghijklmnopqrstuvwxyz012-_.ics", t), -1);
	assert_int_equal(feedreq_token("abcdefghijklmnopqrstuvwxyz012%2F", t), -1);
	assert_int_equal(feedreq_token("", t), -1);
}

static void
test_validators(void **state)
{
	int64_t t;

	(void)state;
	assert_true(feedreq_etag_matches("\"a-1\"", "\"a-1\""));
	assert_true(feedreq_etag_matches("\"x\", W/\"a-1\"", "\"a-1\""));
	assert_true(feedreq_etag_matches("*", "\"a-1\""));
	assert_false(feedreq_etag_matches("\"a-10\"", "\"a-1\""));
	assert_false(feedreq_etag_matches("", "\"a-1\""));
	assert_true(feedreq_gzip("gzip, deflate"));
	assert_true(feedreq_gzip("br;q=1.0, gzip;q=0.5"));
	assert_false(feedreq_gzip("gzip;q=0"));
	assert_false(feedreq_gzip("identity"));
	assert_false(feedreq_gzip(NULL));
	/* What feeds.c reads If-Modified-Since with: the three formats of RFC 9110. */
	assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT and more", &t), -1);
	assert_int_equal(http_date_parse("", &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_validators),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
