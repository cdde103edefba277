/* test_request.c: API request bodies (known fields, types) and the times a client may give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"
#include "request.h"
#include "tz.h"

static const char plan_text[] =
    "plan demo\n"
    "  title Demo\n"
    "  timezone Europe/Amsterdam\n"
    "role sec\n"
    "party alpha\n"
    "  role sec sec@alpha.example\n"
    "milestone start\n"
    "  title Start\n"
    "  owner sec\n"
    "  due 2013-12-17\n";

static void
test_instants(void **state)
{
	static const struct { const char *s; int64_t t; } good[] = {
		{ "2013-12-19T08:00:00Z", 1387440000 },
		{ "2013-12-19t08:00:00z", 1387440000 },
		{ "2013-12-19T09:00:00+01:00", 1387440000 },
		{ "2013-12-19T07:30:00-00:30", 1387440000 },
		{ "2013-12-19T08:00:00.999Z", 1387440000 },
		{ "2013-12-19T22:00:00+14:00", 1387440000 },
		{ "2013-12-18T20:00:00-12:00", 1387440000 },
		{ "2012-02-29T00:00:00Z", 1330473600 },
		{ "1970-01-01T00:00:00Z", 0 },
		/* Local times in the zone: winter (+01:00) and summer (+02:00). */
		{ "2013-12-19 09:00", 1387440000 },
		{ "2013-12-19T09:00", 1387440000 },
		{ "2013-12-19", 1387407600 },
		{ "2014-06-01 10:00", 1401609600 },
	};
	static const char *bad[] = {
		"-999-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
		"2013-02-31T00:00:00Z", "2013-02-29", "2100-02-29 10:00", "2013-13-01",
		"2013-00-10", "2013-12-19T08:00:60Z", "2013-12-19T24:00:00Z",
		"2013-12-19T08:60:00Z", "2013-12-19T08:00:00+14:59", "2013-12-19T08:00:00+15:00",
		"2013-12-19T08:00:00-12:30", "2013-12-19T08:00:00+01:60", "2013-12-19T08:00:00+0100",
		"2013-12-19T8:00:00Z", "2013-12-19T08:00:00", "2013-12-19T08:00:00.Z",
		"2013-12-19T08:00Z", " 2013-12-19", "2013-12-19 ", "+013-12-19", "2013-+1-19",
		"2013-12-19 09:00:00", "2013-12-19X09:00", "gisteren", "", "2013-12-1",
		"2014-03-30 02:30",	/* no such local time: the clocks go from 2:00 to 3:00 */
		"20131219T080000Z",
	};
	int64_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		t = -1;
		if (instant_parse(good[i].s, "Europe/Amsterdam", &t) != 0 || t != good[i].t)
			fail_msg("%s: got %lld, wanted %lld", good[i].s, (long long)t,
			    (long long)good[i].t);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (instant_parse(bad[i], "Europe/Amsterdam", &t) != -1)
			fail_msg("%s: accepted as %lld", bad[i], (long long)t);
}

static void
test_when(void **state)
{
	struct errlist errs = { 0 };
	struct plan *p = plan_parse("demo.plan", plan_text, strlen(plan_text), &errs);
	int64_t now, t, first;
	char *cause = NULL;

	(void)state;
	assert_non_null(p);
	first = plan_first_moment(p);
	assert_int_equal(first, 1387234800);	/* 2013-12-17 00:00 local: the due day starts */
	instant_parse("2013-12-18 12:00", p->tz, &now);
	assert_int_equal(request_when(p, "2013-12-18 11:00", now, &t, &cause), 0);
	assert_int_equal(t, now - 3600);
	assert_int_equal(request_when(p, "2013-12-18 13:00", now, &t, &cause), -1);
	assert_non_null(strstr(cause, "future"));
	free(cause);
	cause = NULL;
	assert_int_equal(request_when(p, "2012-12-01", now, &t, &cause), -1);
	assert_non_null(strstr(cause, "before the plan's life"));
	free(cause);
	cause = NULL;
	assert_int_equal(request_when(p, "2012-12-16T00:00:00Z", now, &t, &cause), 0);
	assert_int_equal(request_when(p, "2013-02-31", now, &t, &cause), -1);
	assert_non_null(strstr(cause, "RFC 3339"));
	free(cause);
	plan_free(p);
	errlist_free(&errs);
}

/* parse KIND BODY: 0 or -1, and the message when -1. */
static int
parse(enum req_kind k, const char *body, struct request *r, char **cause)
{
	*cause = NULL;
	return request_parse(k, body, strlen(body), r, cause);
}

static void
expect_refused(enum req_kind k, const char *body, const char *msg)
{
	struct request r;
	char *cause;

	if (parse(k, body, &r, &cause) != -1)
		fail_msg("%s: accepted", body);
	if (cause == NULL || strstr(cause, msg) == NULL)
		fail_msg("%s: \"%s\", wanted \"%s\"", body, cause ? cause : "(none)", msg);
	assert_null(r.body);
	free(cause);
}

static void
test_bodies(void **state)
{
	struct request r;
	char *cause;

	(void)state;
	assert_int_equal(request_kind("/api/v1/done"), REQ_DONE);
	assert_int_equal(request_kind("/api/v1/feeds/send"), REQ_FEED_SEND);
	assert_int_equal(request_kind("/api/v1/donex"), -1);

	assert_int_equal(parse(REQ_DONE, "{\"plan\": \"p\", \"key\": \"k@a\", \"note\": null, "
	    "\"override\": true, \"reason\": \"r\", \"at\": \"2013-12-19\"}", &r, &cause), 0);
	assert_string_equal(r.key, "k@a");
	assert_string_equal(r.plan, "p");
	assert_null(r.note);
	assert_int_equal(r.override, 1);
	assert_string_equal(r.at, "2013-12-19");
	request_free(&r);
	assert_int_equal(parse(REQ_RELOAD, "", &r, &cause), 0);
	request_free(&r);
	assert_int_equal(parse(REQ_RETRY, "{\"id\": 12}", &r, &cause), 0);
	assert_int_equal(r.id, 12);
	request_free(&r);
	assert_int_equal(parse(REQ_ADD, "{\"plan\": \"p\", \"id\": \"x\", \"parties\": [\"a\"]}",
	    &r, &cause), 0);
	request_free(&r);

	expect_refused(REQ_DONE, "{\"key\": \"k\", \"overide\": true}", "unknown field \"overide\"");
	expect_refused(REQ_UNDO, "{\"key\": \"k\", \"reason\": \"r\", \"at\": \"x\"}",
	    "unknown field \"at\"");
	expect_refused(REQ_DONE, "{\"key\": \"k\", \"o\\u001bv\": 1}", "unknown field \"o?v\"");
	expect_refused(REQ_DONE, "{\"key\": 42}", "key must be a string");
	expect_refused(REQ_DONE, "{\"key\": \"k\", \"override\": \"yes\"}", "override must be");
	expect_refused(REQ_DONE, "{\"note\": \"n\"}", "key is required");
	expect_refused(REQ_DONE, "{\"key\": \"\"}", "key is required");
	expect_refused(REQ_DONE, "{\"key\": \"a\\u0000b\"}", "bad JSON");
	expect_refused(REQ_DONE, "{\"key\": \"k\", \"key\": \"j\"}", "bad JSON");
	expect_refused(REQ_DONE, "[\"k\"]", "JSON object");
	expect_refused(REQ_DONE, "", "JSON object is needed");
	expect_refused(REQ_RETRY, "{\"id\": 1.5}", "id must be an integer");
	expect_refused(REQ_RETRY, "{}", "id is required");
	expect_refused(REQ_RELOAD, "{\"force\": true}", "unknown field");
	expect_refused(REQ_ADD, "{\"id\": \"x\"}", "plan is required");
	expect_refused(REQ_ADD, "{\"plan\": \"p\", \"requirse\": []}", "unknown field");
	expect_refused(REQ_FEED_CREATE, "{\"kind\": \"plan\"}", "subject is required");
	expect_refused(REQ_FEED_SEND, "{\"person\": 3}", "person must be a string");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instants),
		cmocka_unit_test(test_when),
		cmocka_unit_test(test_bodies),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tz_free();
	return rc;
}
