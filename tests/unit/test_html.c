/* test_html.c: escaping, the formatted writer, the page shell and the security headers. */
#include <sys/queue.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "html.h"
#include "sha256.h"

static void
test_text(void **state)
{
	struct html h;
	char *s;

	(void)state;
	html_init(&h);
	html_text(&h, "<script>alert('x')</script> & </svg> \"q\"");
	s = html_steal(&h, NULL);
	assert_string_equal(s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
	    "&lt;/svg&gt; &quot;q&quot;");
	free(s);
	html_text(&h, NULL);
	html_text(&h, "");
	s = html_steal(&h, NULL);
	assert_string_equal(s, "");
	free(s);
}

static void
test_put(void **state)
{
	struct html h;
	char *s;
	size_t len;

	(void)state;
	html_init(&h);
	html_put(&h, "<a title=\"%s\">%d %lld %zu %.1f %5.2f %% %c %x</a>", "\"><x>", -3,
	    (long long)1 << 40, (size_t)7, 2.25, 3.14159, '<', 255);
	s = html_steal(&h, &len);
	assert_string_equal(s, "<a title=\"&quot;&gt;&lt;x&gt;\">-3 1099511627776 7 2.2  3.14 % "
	    "&lt; ff</a>");
	assert_int_equal(len, strlen(s));
	free(s);
	/* The fast form and the others agree with printf. */
	{
		static const double xs[] = { 0, 0.04, 0.05, 0.15, 1.25, -0.04, -0.06, -3.75, 123456.789,
		    -2e15, 1e300 };
		static const int is[] = { 0, 7, -7, 2147483647, -2147483647 - 1 };
		char want[800], one[400];
		size_t i;

		want[0] = '\0';
		for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
			html_put(&h, "%.1f|", xs[i]);
			snprintf(one, sizeof(one), "%.1f|", xs[i]);
			strcat(want, one);
		}
		for (i = 0; i < sizeof(is) / sizeof(is[0]); i++) {
			html_put(&h, "%d|", is[i]);
			snprintf(one, sizeof(one), "%d|", is[i]);
			strcat(want, one);
		}
		s = html_steal(&h, NULL);
		assert_string_equal(s, want);
		free(s);
	}
	/* Long data grows the buffer; the bytes are all there. */
	{
		char big[20000];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		html_put(&h, "[%s]", big);
		s = html_steal(&h, &len);
		assert_int_equal(len, sizeof(big) + 1);
		assert_int_equal(s[len - 1], ']');
		free(s);
	}
}

static void
test_url(void **state)
{
	struct html h;
	char *s;

	(void)state;
	html_init(&h);
	html_url(&h, "raad@staphorst/2014-01-07 \"<&>");
	s = html_steal(&h, NULL);
	assert_string_equal(s, "raad%40staphorst%2F2014-01-07%20%22%3C%26%3E");
	free(s);
}

/* The page's style sheet is exactly what the CSP's hash allows. */
static void
test_shell_csp(void **state)
{
	struct html h;
	char *s, *a, *b, *css;
	unsigned char d[32];
	const char *csp = html_csp();

	(void)state;
	html_init(&h);
	html_begin(&h, "nl", "<script>x</script>");
	html_raw(&h, "<p>body</p>");
	html_end(&h);
	s = html_steal(&h, NULL);
	assert_non_null(strstr(s, "<!DOCTYPE html>"));
	assert_non_null(strstr(s, "<html lang=\"nl\">"));
	assert_non_null(strstr(s, "<title>&lt;script&gt;x&lt;/script&gt;</title>"));
	assert_null(strstr(s, "<script"));
	assert_non_null(strstr(s, "</html>\n"));
	a = strstr(s, "<style>") + 7;
	b = strstr(a, "</style>");
	css = strndup(a, (size_t)(b - a));
	sha256(css, strlen(css), d);
	assert_non_null(strstr(csp, "style-src 'sha256-"));
	assert_non_null(strstr(csp, "default-src 'none'"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_null(strstr(csp, "script-src"));
	assert_null(strstr(csp, "unsafe"));
	/* 44 characters of base64 then a quote. */
	a = strstr(csp, "'sha256-") + 8;
	assert_int_equal(strchr(a, '\'') - a, 44);
	assert_int_equal(a[43], '=');
	/* The first byte of the hash in base64: its top six bits. */
	assert_int_equal(a[0], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	    [d[0] >> 2]);
	free(css);
	free(s);
}

static void
test_headers(void **state)
{
	struct evkeyvalq hd;

	(void)state;
	TAILQ_INIT(&hd);
	html_headers(&hd, 1);
	assert_string_equal(evhttp_find_header(&hd, "X-Frame-Options"), "DENY");
	assert_string_equal(evhttp_find_header(&hd, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(evhttp_find_header(&hd, "Referrer-Policy"), "no-referrer");
	assert_string_equal(evhttp_find_header(&hd, "Cache-Control"), "private, no-store");
	assert_string_equal(evhttp_find_header(&hd, "Content-Security-Policy"), html_csp());
	assert_non_null(strstr(evhttp_find_header(&hd, "Content-Type"), "text/html"));
	evhttp_clear_headers(&hd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_shell_csp),
		cmocka_unit_test(test_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
