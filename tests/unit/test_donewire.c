/* test_donewire.c: which `done` requests the control socket's fast path takes, and what it
 * reads of them (the rest is evhttp's: request_parse's messages stay the one source). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "donewire.h"

#define LINE	"POST /api/v1/done HTTP/1.1\r\n"

static char req[8192];

/* A request of body with the headers hdrs (each with its CRLF) and its Content-Length. */
static size_t
parse(const char *hdrs, const char *body, struct donewire *w)
{
	snprintf(req, sizeof(req), LINE "%sContent-Length: %zu\r\n\r\n%s", hdrs, strlen(body),
	    body);
	return donewire_parse(req, strlen(req), w);
}

/* The whole request taken. */
#define taken(h, b, w)	do {							\
	size_t n_ = parse((h), (b), (w));					\
	assert_int_equal(n_, strlen(req));					\
} while (0)

static void
test_takes(void **state)
{
	static struct donewire w;
	static char two[2 * sizeof(req)];
	size_t n;

	(void)state;
	taken("Host: x\r\nContent-Type: application/json\r\n",
	    "{\"plan\": \"p\", \"key\": \"m1@a\"}", &w);
	assert_string_equal(w.plan, "p");
	assert_string_equal(w.key, "m1@a");
	assert_null(w.note);
	assert_null(w.at);
	assert_null(w.reason);
	assert_false(w.override);
	assert_false(w.has_lang);
	assert_string_equal(req + w.body, "{\"plan\": \"p\", \"key\": \"m1@a\"}");
	/* Every field, nulls as absent, JSON's spaces anywhere. */
	taken("accept-language: nl, en;q=0.5 \t\r\nUser-Agent: curl\r\n"
	    "Accept: */*\r\nConnection: Keep-Alive\r\n",
	    " {\"key\":\"k\" ,\n\"note\" : \"a note\",\"at\":\"2013-12-19 09:00\",\"reason\":null,"
	    "\"override\" :true ,\"plan\":null}\r\n", &w);
	assert_string_equal(w.key, "k");
	assert_string_equal(w.note, "a note");
	assert_string_equal(w.at, "2013-12-19 09:00");
	assert_null(w.reason);
	assert_null(w.plan);
	assert_true(w.override);
	assert_true(w.has_lang);
	assert_string_equal(w.lang, "nl, en;q=0.5");
	taken("", "{\"key\": \"k\", \"override\": false, \"note\": \"\"}", &w);
	assert_false(w.override);
	assert_string_equal(w.note, "");
	/* Pipelined: the first request only. */
	parse("", "{\"key\": \"k\"}", &w);
	n = strlen(req);
	snprintf(two, sizeof(two), "%s%s", req, req);
	assert_int_equal(donewire_parse(two, strlen(two), &w), n);
}

static void
test_leaves_head(void **state)
{
	static struct donewire w;
	static const char *const heads[] = {
		"POST /api/v1/done HTTP/1.0\r\nContent-Length: 11\r\n\r\n{\"key\":\"k\"}",
		"POST /api/v1/done?x HTTP/1.1\r\nContent-Length: 11\r\n\r\n{\"key\":\"k\"}",
		"POST /api/v1/undo HTTP/1.1\r\nContent-Length: 11\r\n\r\n{\"key\":\"k\"}",
		"post /api/v1/done HTTP/1.1\r\nContent-Length: 11\r\n\r\n{\"key\":\"k\"}",
		/* No length, two, a bad one, a body not whole yet. */
		LINE "Host: x\r\n\r\n{\"key\":\"k\"}",
		LINE "Content-Length: 11\r\nContent-Length: 11\r\n\r\n{\"key\":\"k\"}",
		LINE "Content-Length: +11\r\n\r\n{\"key\":\"k\"}",
		LINE "Content-Length: 12\r\n\r\n{\"key\":\"k\"}",
		/* Headers that may change what evhttp does, or that it reads otherwise. */
		LINE "Content-Length: 11\r\nConnection: close\r\n\r\n{\"key\":\"k\"}",
		LINE "Content-Length: 11\r\nExpect: 100-continue\r\n\r\n{\"key\":\"k\"}",
		LINE "Content-Length: 11\r\nTransfer-Encoding: chunked\r\n\r\n{\"key\":\"k\"}",
		LINE "Content-Length: 11\r\nX-Other: 1\r\n\r\n{\"key\":\"k\"}",
		LINE "Content-Length: 11\r\nHost: a\r\nHost: b\r\n\r\n{\"key\":\"k\"}",
		LINE "Content-Length: 11\r\nAccept-Language: nl\r\nAccept-Language: en\r\n\r\n"
		    "{\"key\":\"k\"}",
		LINE "Content-Length: 11\r\nHost: a\r\n b\r\n\r\n{\"key\":\"k\"}",
		LINE "Content-Length: 11\nHost: a\r\n\r\n{\"key\":\"k\"}",
		LINE "Content-Length: 11\r\nHost: \x01\r\n\r\n{\"key\":\"k\"}",
		LINE "Content-Length: 11\r\nHost : a\r\n\r\n{\"key\":\"k\"}",
		/* The head not whole yet. */
		LINE "Content-Length: 11\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		assert_int_equal(donewire_parse(heads[i], strlen(heads[i]), &w), 0);
		assert_null(w.key);
	}
}

static void
test_leaves_body(void **state)
{
	static struct donewire w;
	static const char *const bodies[] = {
		"", "{}", "[]", "\"k\"", "{\"key\": \"\"}", "{\"key\": null}", "{\"note\": \"n\"}",
		"{\"key\": \"k\"", "{\"key\": \"k\"} x", "{\"key\": \"k\",}", "{\"key\" \"k\"}",
		"{\"key\": \"k\", \"key\": \"l\"}", "{\"key\": \"k\", \"x\": 1}",
		"{\"key\": \"k\", \"override\": 1}", "{\"key\": \"k\", \"override\": \"true\"}",
		"{\"key\": 1}", "{\"key\": true}", "{\"key\": \"k\", \"note\": false}",
		"{\"key\": \"a\\u0062\"}", "{\"key\": \"a\\\"b\"}", "{\"key\": \"a\tb\"}",
		"{\"key\": \"\xc3\xb6\"}", "{\"key\": \"k\", \"override\": tru}",
		"{\"key\": \"k\", \"override\": nul}", "{key: \"k\"}", "{\"key\": \"k\"}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(parse("", bodies[i], &w), 0);
		assert_null(w.key);
	}
}

static void
test_limits(void **state)
{
	static struct donewire w;
	static char body[DONEWIRE_MAX_BODY + 2], lang[DONEWIRE_VALUE + 32];
	size_t n;

	(void)state;
	/* A body at the limit is taken; one byte over is evhttp's. */
	n = (size_t)snprintf(body, sizeof(body), "{\"key\": \"k\", \"note\": \"");
	memset(body + n, 'x', DONEWIRE_MAX_BODY - n - 2);
	memcpy(body + DONEWIRE_MAX_BODY - 2, "\"}", 3);
	assert_int_equal(strlen(body), DONEWIRE_MAX_BODY);
	taken("", body, &w);
	assert_int_equal(strlen(w.note), DONEWIRE_MAX_BODY - n - 2);
	memmove(body + 1, body, DONEWIRE_MAX_BODY + 1);
	body[0] = ' ';
	assert_int_equal(parse("", body, &w), 0);
	/* The same for the language. */
	memset(lang, 'a', DONEWIRE_VALUE - 1);
	lang[DONEWIRE_VALUE - 1] = '\0';
	snprintf(body, sizeof(body), "Accept-Language: %s\r\n", lang);
	assert_int_not_equal(parse(body, "{\"key\": \"k\"}", &w), 0);
	assert_int_equal(strlen(w.lang), DONEWIRE_VALUE - 1);
	snprintf(body, sizeof(body), "Accept-Language: %sa\r\n", lang);
	assert_int_equal(parse(body, "{\"key\": \"k\"}", &w), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_takes),
		cmocka_unit_test(test_leaves_head),
		cmocka_unit_test(test_leaves_body),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
