/* test_workday.c: Dutch public holidays 2013-2030 against a published list; working days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plan.h"
#include "tz.h"
#include "workday.h"

/*
 * The public holidays of the Netherlands as the government publishes them (Algemene
 * termijnenwet and the Rijksoverheid list of "officiële feestdagen"): Easter and Whit
 * Sunday and Monday, Ascension, King's Day (Queen's Day, 30 April, until 2013; on a
 * Sunday the day before), Christmas, New Year, and Liberation Day in every fifth year,
 * when it is a day off. Good Friday is not a general day off and is not listed.
 */
static const struct {
	const char	*date;
	const char	*name;
} nl[] = {
	{ "2013-01-01", "Nieuwjaarsdag" }, { "2013-03-31", "Eerste Paasdag" }, { "2013-04-01", "Tweede Paasdag" },
	{ "2013-04-30", "Koninginnedag" }, { "2013-05-09", "Hemelvaartsdag" }, { "2013-05-19", "Eerste Pinksterdag" },
	{ "2013-05-20", "Tweede Pinksterdag" }, { "2013-12-25", "Eerste Kerstdag" }, { "2013-12-26", "Tweede Kerstdag" },
	{ "2014-01-01", "Nieuwjaarsdag" }, { "2014-04-20", "Eerste Paasdag" }, { "2014-04-21", "Tweede Paasdag" },
	{ "2014-04-26", "Koningsdag" }, { "2014-05-29", "Hemelvaartsdag" }, { "2014-06-08", "Eerste Pinksterdag" },
	{ "2014-06-09", "Tweede Pinksterdag" }, { "2014-12-25", "Eerste Kerstdag" }, { "2014-12-26", "Tweede Kerstdag" },
	{ "2015-01-01", "Nieuwjaarsdag" }, { "2015-04-05", "Eerste Paasdag" }, { "2015-04-06", "Tweede Paasdag" },
	{ "2015-04-27", "Koningsdag" }, { "2015-05-05", "Bevrijdingsdag" }, { "2015-05-14", "Hemelvaartsdag" },
	{ "2015-05-24", "Eerste Pinksterdag" }, { "2015-05-25", "Tweede Pinksterdag" }, { "2015-12-25", "Eerste Kerstdag" },
	{ "2015-12-26", "Tweede Kerstdag" },
	{ "2016-01-01", "Nieuwjaarsdag" }, { "2016-03-27", "Eerste Paasdag" }, { "2016-03-28", "Tweede Paasdag" },
	{ "2016-04-27", "Koningsdag" }, { "2016-05-05", "Hemelvaartsdag" }, { "2016-05-15", "Eerste Pinksterdag" },
	{ "2016-05-16", "Tweede Pinksterdag" }, { "2016-12-25", "Eerste Kerstdag" }, { "2016-12-26", "Tweede Kerstdag" },
	{ "2017-01-01", "Nieuwjaarsdag" }, { "2017-04-16", "Eerste Paasdag" }, { "2017-04-17", "Tweede Paasdag" },
	{ "2017-04-27", "Koningsdag" }, { "2017-05-25", "Hemelvaartsdag" }, { "2017-06-04", "Eerste Pinksterdag" },
	{ "2017-06-05", "Tweede Pinksterdag" }, { "2017-12-25", "Eerste Kerstdag" }, { "2017-12-26", "Tweede Kerstdag" },
	{ "2018-01-01", "Nieuwjaarsdag" }, { "2018-04-01", "Eerste Paasdag" }, { "2018-04-02", "Tweede Paasdag" },
	{ "2018-04-27", "Koningsdag" }, { "2018-05-10", "Hemelvaartsdag" }, { "2018-05-20", "Eerste Pinksterdag" },
	{ "2018-05-21", "Tweede Pinksterdag" }, { "2018-12-25", "Eerste Kerstdag" }, { "2018-12-26", "Tweede Kerstdag" },
	{ "2019-01-01", "Nieuwjaarsdag" }, { "2019-04-21", "Eerste Paasdag" }, { "2019-04-22", "Tweede Paasdag" },
	{ "2019-04-27", "Koningsdag" }, { "2019-05-30", "Hemelvaartsdag" }, { "2019-06-09", "Eerste Pinksterdag" },
	{ "2019-06-10", "Tweede Pinksterdag" }, { "2019-12-25", "Eerste Kerstdag" }, { "2019-12-26", "Tweede Kerstdag" },
	{ "2020-01-01", "Nieuwjaarsdag" }, { "2020-04-12", "Eerste Paasdag" }, { "2020-04-13", "Tweede Paasdag" },
	{ "2020-04-27", "Koningsdag" }, { "2020-05-05", "Bevrijdingsdag" }, { "2020-05-21", "Hemelvaartsdag" },
	{ "2020-05-31", "Eerste Pinksterdag" }, { "2020-06-01", "Tweede Pinksterdag" }, { "2020-12-25", "Eerste Kerstdag" },
	{ "2020-12-26", "Tweede Kerstdag" },
	{ "2021-01-01", "Nieuwjaarsdag" }, { "2021-04-04", "Eerste Paasdag" }, { "2021-04-05", "Tweede Paasdag" },
	{ "2021-04-27", "Koningsdag" }, { "2021-05-13", "Hemelvaartsdag" }, { "2021-05-23", "Eerste Pinksterdag" },
	{ "2021-05-24", "Tweede Pinksterdag" }, { "2021-12-25", "Eerste Kerstdag" }, { "2021-12-26", "Tweede Kerstdag" },
	{ "2022-01-01", "Nieuwjaarsdag" }, { "2022-04-17", "Eerste Paasdag" }, { "2022-04-18", "Tweede Paasdag" },
	{ "2022-04-27", "Koningsdag" }, { "2022-05-26", "Hemelvaartsdag" }, { "2022-06-05", "Eerste Pinksterdag" },
	{ "2022-06-06", "Tweede Pinksterdag" }, { "2022-12-25", "Eerste Kerstdag" }, { "2022-12-26", "Tweede Kerstdag" },
	{ "2023-01-01", "Nieuwjaarsdag" }, { "2023-04-09", "Eerste Paasdag" }, { "2023-04-10", "Tweede Paasdag" },
	{ "2023-04-27", "Koningsdag" }, { "2023-05-18", "Hemelvaartsdag" }, { "2023-05-28", "Eerste Pinksterdag" },
	{ "2023-05-29", "Tweede Pinksterdag" }, { "2023-12-25", "Eerste Kerstdag" }, { "2023-12-26", "Tweede Kerstdag" },
	{ "2024-01-01", "Nieuwjaarsdag" }, { "2024-03-31", "Eerste Paasdag" }, { "2024-04-01", "Tweede Paasdag" },
	{ "2024-04-27", "Koningsdag" }, { "2024-05-09", "Hemelvaartsdag" }, { "2024-05-19", "Eerste Pinksterdag" },
	{ "2024-05-20", "Tweede Pinksterdag" }, { "2024-12-25", "Eerste Kerstdag" }, { "2024-12-26", "Tweede Kerstdag" },
	{ "2025-01-01", "Nieuwjaarsdag" }, { "2025-04-20", "Eerste Paasdag" }, { "2025-04-21", "Tweede Paasdag" },
	{ "2025-04-26", "Koningsdag" }, { "2025-05-05", "Bevrijdingsdag" }, { "2025-05-29", "Hemelvaartsdag" },
	{ "2025-06-08", "Eerste Pinksterdag" }, { "2025-06-09", "Tweede Pinksterdag" }, { "2025-12-25", "Eerste Kerstdag" },
	{ "2025-12-26", "Tweede Kerstdag" },
	{ "2026-01-01", "Nieuwjaarsdag" }, { "2026-04-05", "Eerste Paasdag" }, { "2026-04-06", "Tweede Paasdag" },
	{ "2026-04-27", "Koningsdag" }, { "2026-05-14", "Hemelvaartsdag" }, { "2026-05-24", "Eerste Pinksterdag" },
	{ "2026-05-25", "Tweede Pinksterdag" }, { "2026-12-25", "Eerste Kerstdag" }, { "2026-12-26", "Tweede Kerstdag" },
	{ "2027-01-01", "Nieuwjaarsdag" }, { "2027-03-28", "Eerste Paasdag" }, { "2027-03-29", "Tweede Paasdag" },
	{ "2027-04-27", "Koningsdag" }, { "2027-05-06", "Hemelvaartsdag" }, { "2027-05-16", "Eerste Pinksterdag" },
	{ "2027-05-17", "Tweede Pinksterdag" }, { "2027-12-25", "Eerste Kerstdag" }, { "2027-12-26", "Tweede Kerstdag" },
	{ "2028-01-01", "Nieuwjaarsdag" }, { "2028-04-16", "Eerste Paasdag" }, { "2028-04-17", "Tweede Paasdag" },
	{ "2028-04-27", "Koningsdag" }, { "2028-05-25", "Hemelvaartsdag" }, { "2028-06-04", "Eerste Pinksterdag" },
	{ "2028-06-05", "Tweede Pinksterdag" }, { "2028-12-25", "Eerste Kerstdag" }, { "2028-12-26", "Tweede Kerstdag" },
	{ "2029-01-01", "Nieuwjaarsdag" }, { "2029-04-01", "Eerste Paasdag" }, { "2029-04-02", "Tweede Paasdag" },
	{ "2029-04-27", "Koningsdag" }, { "2029-05-10", "Hemelvaartsdag" }, { "2029-05-20", "Eerste Pinksterdag" },
	{ "2029-05-21", "Tweede Pinksterdag" }, { "2029-12-25", "Eerste Kerstdag" }, { "2029-12-26", "Tweede Kerstdag" },
	{ "2030-01-01", "Nieuwjaarsdag" }, { "2030-04-21", "Eerste Paasdag" }, { "2030-04-22", "Tweede Paasdag" },
	{ "2030-04-27", "Koningsdag" }, { "2030-05-05", "Bevrijdingsdag" }, { "2030-05-30", "Hemelvaartsdag" },
	{ "2030-06-09", "Eerste Pinksterdag" }, { "2030-06-10", "Tweede Pinksterdag" }, { "2030-12-25", "Eerste Kerstdag" },
	{ "2030-12-26", "Tweede Kerstdag" },
};

static void
parse(const char *s, struct ltime *lt)
{
	assert_int_equal(ltime_parse(s, lt), 0);
}

/* Every day of 2013-2030: a holiday exactly when the list has it, by the same name. */
static void
test_holidays_2013_2030(void **state)
{
	struct ltime d, end;
	size_t i, n = sizeof(nl) / sizeof(nl[0]), found = 0;
	char buf[32];
	const char *name;

	(void)state;
	parse("2013-01-01", &d);
	parse("2030-12-31", &end);
	for (; ltime_daynum(&d) <= ltime_daynum(&end); ltime_add_days(&d, 1)) {
		ltime_format(&d, buf, sizeof(buf));
		name = workday_holiday_nl(d.year, d.mon, d.day);
		for (i = 0; i < n && strcmp(nl[i].date, buf) != 0; i++)
			;
		if (i == n && name != NULL)
			fail_msg("%s is no holiday, but %s", buf, name);
		if (i < n && (name == NULL || strcmp(name, nl[i].name) != 0))
			fail_msg("%s is %s, not %s", buf, nl[i].name, name ? name : "a working day");
		if (i < n)
			found++;
	}
	assert_int_equal(found, n);
	/* 18 years, 9 a year, and Liberation Day in 2015, 2020, 2025 and 2030. */
	assert_int_equal(n, 18 * 9 + 4);
}

static void
test_easter(void **state)
{
	static const int want[][3] = { { 2013, 3, 31 }, { 2014, 4, 20 }, { 2019, 4, 21 },
	    { 2024, 3, 31 }, { 2027, 3, 28 }, { 2030, 4, 21 }, { 2038, 4, 25 }, { 1818, 3, 22 } };
	size_t i;
	int m, d;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		workday_easter(want[i][0], &m, &d);
		assert_int_equal(m, want[i][1]);
		assert_int_equal(d, want[i][2]);
	}
}

static void
expect_shift(const struct plan *p, const char *from, int dir, const char *want)
{
	struct ltime d;
	char buf[32];

	parse(from, &d);
	workday_shift(p, &d, dir);
	ltime_format(&d, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
test_working_days(void **state)
{
	struct plan p;
	struct closed c[2];

	(void)state;
	memset(&p, 0, sizeof(p));
	/* Every day: nothing moves. */
	expect_shift(&p, "2013-12-25", -1, "2013-12-25");
	p.workdays = WORKDAYS_WEEK;
	/* Saturday 21 December 2013 to Friday the 20th, or Monday the 23rd. */
	expect_shift(&p, "2013-12-21", -1, "2013-12-20");
	expect_shift(&p, "2013-12-21", 1, "2013-12-23");
	expect_shift(&p, "2013-12-21", 0, "2013-12-21");
	/* Monday to Friday only: Christmas is a working day then. */
	expect_shift(&p, "2013-12-25", -1, "2013-12-25");
	p.workdays = WORKDAYS_NL;
	/* Christmas on Wednesday and Thursday: to Tuesday the 24th. */
	expect_shift(&p, "2013-12-26", -1, "2013-12-24");
	/* Easter Monday 2014 (21 April), after Easter Sunday and Saturday: to Good Friday. */
	expect_shift(&p, "2014-04-21", -1, "2014-04-18");
	/* King's Day 2014 on Saturday the 26th; Liberation Day 2015 on Tuesday. */
	expect_shift(&p, "2015-05-05", -1, "2015-05-04");
	expect_shift(&p, "2014-05-05", -1, "2014-05-05");
	/* The plan's own closed days: between Christmas and New Year. */
	parse("2013-12-27", &c[0].from);
	c[0].to = c[0].from;
	parse("2013-12-30", &c[1].from);
	parse("2013-12-31", &c[1].to);
	p.closed = c;
	p.nclosed = 2;
	expect_shift(&p, "2014-01-01", -1, "2013-12-24");
	expect_shift(&p, "2013-12-25", 1, "2014-01-02");
	parse("2013-12-24", &c[0].to);
	assert_true(workday_is_working(&p, &c[0].to));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_holidays_2013_2030),
		cmocka_unit_test(test_easter),
		cmocka_unit_test(test_working_days),
	};

	return cmocka_run_group_tests_name("working days", tests, NULL, NULL);
}
