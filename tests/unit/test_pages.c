/* test_pages.c: the pages of a plan whose titles try HTML and SVG: text, never markup; a row
 * per step and per milestone; the pages of many steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pages.h"
#include "tz.h"
#include "xmalloc.h"

static struct plan *plan;
static struct istate *st;
static size_t *sel;

static int
setup(void **state)
{
	struct errlist e = { 0 };
	size_t i;

	(void)state;
	plan = plan_load("tests/browser/hostile.plan", &e);
	for (i = 0; i < e.n; i++)
		fprintf(stderr, "%s\n", e.msg[i]);
	errlist_free(&e);
	if (plan == NULL)
		return -1;
	st = xcalloc(plan->ninst, sizeof(*st));
	sel = xcalloc(plan->ninst, sizeof(*sel));
	for (i = 0; i < plan->ninst; i++)
		sel[i] = i;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(sel);
	free(st);
	plan_free(plan);
	return 0;
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

static char *
render(int which)
{
	struct view_part vp = { plan, st, sel, plan->ninst };
	struct view v = { plan->title, &vp, 1, 0, "/view", 0, PAGES_ROWS };
	struct view_event ev = { 0, "done", "<script>who</script>", "</svg>note", "web" };
	struct html h;

	instant_parse("2013-12-18 10:00", "Europe/Amsterdam", &v.now);
	html_init(&h);
	if (which == 0)
		pages_timeline(&h, &v);
	else if (which == 1)
		pages_table(&h, &v);
	else
		pages_step(&h, &v, &vp, 0, &ev, 1);
	return html_steal(&h, NULL);
}

static void
test_escaped(void **state)
{
	int which;
	char *s;

	(void)state;
	for (which = 0; which < 3; which++) {
		s = render(which);
		assert_int_equal(count(s, "<script"), 0);
		assert_int_equal(count(s, "<img"), 0);
		assert_int_equal(count(s, "<b>"), 0);
		/* The chart's own and nothing else's. */
		assert_int_equal(count(s, "<svg"), which == 0);
		assert_int_equal(count(s, "</svg>"), which == 0);
		assert_int_equal(count(s, "</text></a>"), which == 0 ? plan->ninst : 0);
		assert_non_null(strstr(s, "First &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
		    "&amp; &lt;/svg&gt; &quot;quoted&quot; &#39;single&#39;"));
		if (which == 2) {
			assert_non_null(strstr(s, "&lt;b&gt;markup&lt;/b&gt;"));
			assert_non_null(strstr(s, "&lt;script&gt;who&lt;/script&gt;"));
			assert_non_null(strstr(s, "&lt;/svg&gt;note"));
		}
		free(s);
	}
}

static void
test_rows(void **state)
{
	char *s = render(0);

	(void)state;
	assert_int_equal(count(s, "<a class=\"step"), plan->ninst);
	assert_int_equal(count(s, "<g class=\"ms\""), plan->nms);
	assert_int_equal(count(s, "id=\"today\""), 1);
	/* second requires first: one arrow. */
	assert_int_equal(count(s, "class=\"arrow\""), 1);
	free(s);
}

/* Many steps: a page holds PAGES_ROWS of them, and links to the next. */
static void
test_paged(void **state)
{
	struct errlist e = { 0 };
	struct plan *p;
	struct istate *s2;
	size_t *all, i, len = 0;
	struct html h;
	char *text, *out;
	FILE *fp = open_memstream(&text, &len);

	(void)state;
	fputs("plan big\n  title Big\nrole r\n  address r@x.example\n", fp);
	for (i = 0; i < 1000; i++)
		fprintf(fp, "milestone m%zu\n  title M %zu\n  owner r\n  due 2014-01-%02zu\n", i, i,
		    i % 28 + 1);
	fclose(fp);
	p = plan_parse("big.plan", text, len, &e);
	free(text);
	errlist_free(&e);
	assert_non_null(p);
	s2 = xcalloc(p->ninst, sizeof(*s2));
	all = xcalloc(p->ninst, sizeof(*all));
	for (i = 0; i < p->ninst; i++)
		all[i] = i;
	{
		struct view_part vp = { p, s2, all, p->ninst };
		struct view v = { "Big", &vp, 1, 1387357200, "/view", 800, PAGES_ROWS };

		html_init(&h);
		pages_timeline(&h, &v);
		out = html_steal(&h, NULL);
		assert_int_equal(count(out, "<a class=\"step"), 1000 - 800);
		assert_non_null(strstr(out, "href=\"/view?from=400\""));
		assert_null(strstr(out, "?from=1200"));
		free(out);
		v.from = 0;
		html_init(&h);
		pages_table(&h, &v);
		out = html_steal(&h, NULL);
		assert_int_equal(count(out, "<tr data-key="), PAGES_ROWS);
		assert_non_null(strstr(out, "href=\"/view/table?from=400\""));
		free(out);
	}
	free(all);
	free(s2);
	plan_free(p);
}

/* Over two years a day is a few pixels: the month the axis begins in has no room to be named. */
static void
test_months(void **state)
{
	static const char text[] = "plan long\n  title Long\nrole r\n  address r@x.example\n"
	    "milestone a\n  title A\n  owner r\n  due 2014-01-01\n"
	    "milestone b\n  title B\n  owner r\n  due 2016-01-01\n";
	struct errlist e = { 0 };
	struct plan *p = plan_parse("long.plan", text, strlen(text), &e);
	struct istate s2[2];
	size_t all[2] = { 0, 1 };
	struct html h;
	char *out;

	(void)state;
	errlist_free(&e);
	assert_non_null(p);
	memset(s2, 0, sizeof(s2));
	{
		struct view_part vp = { p, s2, all, 2 };
		struct view v = { "Long", &vp, 1, 1388400000, "/view", 0, PAGES_ROWS };

		html_init(&h);
		pages_timeline(&h, &v);
		out = html_steal(&h, NULL);
	}
	assert_null(strstr(out, ">Dec 2013</text>"));
	assert_non_null(strstr(out, ">Jan 2014</text>"));
	assert_non_null(strstr(out, ">Dec 2015</text>"));
	free(out);
	plan_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaped),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_paged),
		cmocka_unit_test(test_months),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
