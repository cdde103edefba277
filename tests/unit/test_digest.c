/* test_digest.c: the daily digest's moments on the working-day calendar, who gets it, what it holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "digest.h"
#include "plan.h"
#include "plantext.h"
#include "tz.h"

static const char text[] =
    "plan d\n"
    "  title Digest\n"
    "  working-days nl\n"
    "  closed 2014-01-02\n"
    "  digest 07:30 secretaris, griffie@b.example\n"
    "role secretaris\n"
    "role griffier\n"
    "party a\n"
    "  role secretaris s@a.example\n"
    "  role griffier g@a.example\n"
    "party b\n"
    "  role secretaris s@b.example\n"
    "  role griffier griffie@b.example\n"
    "milestone m\n"
    "  title M\n"
    "  owner secretaris\n"
    "  parties all\n"
    "  due 2014-01-14\n";

static struct plan *
parse(const char *t)
{
	return plantext_parse("d.plan", t);
}

static int64_t
at(const char *s)
{
	int64_t t;

	assert_int_equal(instant_parse(s, "Europe/Amsterdam", &t), 0);
	return t;
}

static void
test_who(void **state)
{
	struct plan *p = parse(text);

	(void)state;
	assert_non_null(p);
	assert_true(digest_for(p, "s@a.example"));
	assert_true(digest_for(p, "S@A.example"));
	assert_true(digest_for(p, "griffie@b.example"));
	assert_false(digest_for(p, "g@a.example"));
	assert_false(digest_for(p, NULL));
	plan_free(p);
	/* Without a list everyone gets it; without the key nobody. */
	p = parse("plan d\n  title D\n  digest 18:00\nrole r\n  address x@y.example\n");
	assert_non_null(p);
	assert_true(digest_for(p, "anyone@y.example"));
	plan_free(p);
	p = parse("plan d\n  title D\nrole r\n  address x@y.example\n");
	assert_non_null(p);
	assert_false(digest_for(p, "x@y.example"));
	assert_int_equal(digest_next(p, at("2014-01-06 00:00")), 0);
	plan_free(p);
}

/* On working days only: not on New Year's Day, the plan's closed day or the weekend. */
static void
test_moments_working_days(void **state)
{
	struct plan *p = parse(text);

	(void)state;
	assert_non_null(p);
	assert_int_equal(digest_next(p, at("2013-12-31 07:30")), at("2014-01-03 07:30"));
	assert_int_equal(digest_next(p, at("2014-01-03 07:29")), at("2014-01-03 07:30"));
	assert_int_equal(digest_next(p, at("2014-01-03 07:30")), at("2014-01-06 07:30"));
	assert_int_equal(digest_prev(p, at("2014-01-06 07:30")), at("2014-01-03 07:30"));
	assert_int_equal(digest_prev(p, at("2014-01-03 07:30")), at("2013-12-31 07:30"));
	/* Over a change of summer time the local time stays. */
	assert_int_equal(digest_next(p, at("2014-03-28 08:00")), at("2014-03-31 07:30"));
	assert_int_equal(digest_horizon(p, at("2014-01-06 07:30")), at("2014-01-07 00:00") - 1);
	plan_free(p);
}

static void
test_moments_every_day(void **state)
{
	struct plan *p = parse("plan d\n  title D\n  digest 18:00\nrole r\n  address x@y.example\n");

	(void)state;
	assert_non_null(p);
	assert_int_equal(digest_next(p, at("2014-01-04 09:00")), at("2014-01-04 18:00"));
	assert_int_equal(digest_next(p, at("2014-01-04 18:00")), at("2014-01-05 18:00"));
	plan_free(p);
}

/* The reminders of its day (later ones too); a go-ahead once it came; never a moment. */
static void
test_holds(void **state)
{
	struct plan *p = parse(text);
	int64_t m = at("2014-01-07 07:30");
	struct occurrence o;

	(void)state;
	assert_non_null(p);
	memset(&o, 0, sizeof(o));
	o.kind = RK_LEAD;
	o.when = at("2014-01-07 08:30");
	assert_true(digest_holds(p, m, &o));
	o.when = at("2014-01-07 23:59");
	assert_true(digest_holds(p, m, &o));
	o.when = at("2014-01-08 00:00");
	assert_false(digest_holds(p, m, &o));
	o.kind = RK_GOAHEAD;
	o.when = at("2014-01-07 07:00");
	assert_true(digest_holds(p, m, &o));
	o.when = at("2014-01-07 08:00");
	assert_false(digest_holds(p, m, &o));
	o.kind = RK_MOMENT;
	o.when = at("2014-01-07 07:00");
	assert_false(digest_holds(p, m, &o));
	assert_false(digest_takes(RK_HELDUP));
	assert_true(digest_takes(RK_OVERDUE));
	plan_free(p);
}

static void
test_bad_lines(void **state)
{
	static const char *bad[] = {
		"plan d\n  title D\n  digest 7:30\nrole r\n",
		"plan d\n  title D\n  digest 24:00\nrole r\n",
		"plan d\n  title D\n  digest 07:30x\nrole r\n",
		"plan d\n  title D\n  digest 07:30 nosuchrole\nrole r\n",
		"plan d\n  title D\n  digest 07:30\n  digest 08:00\nrole r\n",
	};
	struct errlist e = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(plan_parse("d.plan", bad[i], strlen(bad[i]), &e));
		assert_true(e.n > 0);
		errlist_free(&e);
		memset(&e, 0, sizeof(e));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_who),
		cmocka_unit_test(test_moments_working_days),
		cmocka_unit_test(test_moments_every_day),
		cmocka_unit_test(test_holds),
		cmocka_unit_test(test_bad_lines),
	};

	return cmocka_run_group_tests_name("daily digest", tests, NULL, NULL) != 0;
}
