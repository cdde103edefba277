/* test_form.c: form bodies, cookies, the token format and CSRF tokens as form.c reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "form.h"

#define TOK	"abcdefghijklmnopqrstuvwxyz012-_A"

static void
test_form(void **state)
{
	struct form f;
	char *cause = NULL;
	const char *b = "csrf=" TOK "&note=B%26W-besluit+van+17%2F12&empty=&bare&&verb=done";

	(void)state;
	assert_int_equal(form_parse(b, strlen(b), &f, &cause), 0);
	assert_string_equal(form_get(&f, "csrf"), TOK);
	assert_string_equal(form_get(&f, "note"), "B&W-besluit van 17/12");
	assert_string_equal(form_get(&f, "empty"), "");
	assert_string_equal(form_get(&f, "bare"), "");
	assert_string_equal(form_get(&f, "verb"), "done");
	assert_null(form_get(&f, "other"));
	assert_int_equal(f.n, 5);
	form_free(&f);
	/* The length counts, not a NUL: a body is bytes. */
	assert_int_equal(form_parse("a=1&b=2", 3, &f, &cause), 0);
	assert_string_equal(form_get(&f, "a"), "1");
	assert_null(form_get(&f, "b"));
	form_free(&f);
	assert_int_equal(form_parse("", 0, &f, &cause), 0);
	assert_int_equal(f.n, 0);
	form_free(&f);
	/* UTF-8 through escapes. */
	assert_int_equal(form_parse("t=ge%C3%AFnventariseerd", 23, &f, &cause), 0);
	assert_string_equal(form_get(&f, "t"), "ge\xc3\xafnventariseerd");
	form_free(&f);
}

static void
test_form_bad(void **state)
{
	static const char *bad[] = {
		"a=%00", "a=%2", "a=%", "a=%zz", "a=1&a=2", "a%=1", "x=%0g",
		"1&2&3&4&5&6&7&8&9&10&11&12&13&14&15&16&17",
	};
	struct form f;
	char *cause;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cause = NULL;
		assert_int_equal(form_parse(bad[i], strlen(bad[i]), &f, &cause), -1);
		assert_non_null(cause);
		assert_int_equal(f.n, 0);
		free(cause);
	}
	/* A NUL in the bytes themselves. */
	cause = NULL;
	assert_int_equal(form_parse("a=1\0b", 5, &f, &cause), -1);
	free(cause);
}

static void
test_cookie(void **state)
{
	char v[40];

	(void)state;
	assert_int_equal(cookie_get("termijn_session=" TOK, "termijn_session", v, sizeof(v)), 1);
	assert_string_equal(v, TOK);
	assert_int_equal(cookie_get("a=1; termijn_session=x; b=2", "termijn_session", v,
	    sizeof(v)), 1);
	assert_string_equal(v, "x");
	assert_int_equal(cookie_get("a=1;b=\"quoted\" ", "b", v, sizeof(v)), 1);
	assert_string_equal(v, "quoted");
	/* A name that only ends or begins like it is another cookie. */
	assert_int_equal(cookie_get("xtermijn_session=1; termijn_sessionx=2", "termijn_session",
	    v, sizeof(v)), 0);
	assert_int_equal(cookie_get("termijn_session", "termijn_session", v, sizeof(v)), 0);
	assert_int_equal(cookie_get("", "a", v, sizeof(v)), 0);
	assert_int_equal(cookie_get(NULL, "a", v, sizeof(v)), 0);
	/* The first of two with one name, as browsers send the most specific first. */
	assert_int_equal(cookie_get("a=1; a=2", "a", v, sizeof(v)), 1);
	assert_string_equal(v, "1");
	assert_int_equal(cookie_get("a=" TOK TOK, "a", v, sizeof(v)), -1);
	assert_int_equal(cookie_get("a=", "a", v, sizeof(v)), 1);
	assert_string_equal(v, "");
}

static void
test_tokens(void **state)
{
	char c1[WEB_TOKEN_CHARS + 1], c2[WEB_TOKEN_CHARS + 1];

	(void)state;
	assert_true(web_token_ok(TOK));
	assert_false(web_token_ok(TOK "A"));
	assert_false(web_token_ok("abcdefghijklmnopqrstuvwxyz012-_"));
	assert_false(web_token_ok("abcdefghijklmnopqrstuvwxyz012-_="));
	assert_false(web_token_ok("abcdefghijklmnopqrstuvwxyz012-/A"));
	assert_false(web_token_ok(""));
	form_csrf(TOK, c1);
	assert_true(web_token_ok(c1));
	assert_string_not_equal(c1, TOK);
	form_csrf(TOK, c2);
	assert_string_equal(c1, c2);
	form_csrf("abcdefghijklmnopqrstuvwxyz012-_B", c2);
	assert_string_not_equal(c1, c2);
	assert_true(secret_equal(c1, c1));
	assert_false(secret_equal(c1, c2));
	assert_false(secret_equal(c1, ""));
	assert_false(secret_equal("ab", "abc"));
	assert_true(secret_equal("", ""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_form_bad),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_tokens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
