/* test_tz.c: day arithmetic against the C library's, and remembered local times against libical's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <libical/ical.h>

#include "plan.h"
#include "tz.h"

/* What ltime_add_days did with timegm before: the reference. */
static void
libc_add_days(struct ltime *lt, int days)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = lt->year - 1900;
	tm.tm_mon = lt->mon - 1;
	tm.tm_mday = lt->day + days;
	tm.tm_hour = 12;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	lt->year = tm.tm_year + 1900;
	lt->mon = tm.tm_mon + 1;
	lt->day = tm.tm_mday;
}

static void
test_add_days(void **state)
{
	static const int steps[] = { 0, 1, -1, 7, -7, 28, 29, 30, 31, -31, 59, 60, 365, 366,
	    -366, 1461, -1461, 36524, 146097, -146097, 800 };
	struct ltime a, b;
	int y, m, d;
	size_t i;

	(void)state;
	/* Every day of 1899-2101 (centuries, leap years), every step, as timegm says. */
	for (y = 1899; y <= 2101; y++)
		for (m = 1; m <= 12; m++)
			for (d = 1; d <= 31; d++)
				for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
					memset(&a, 0, sizeof(a));
					a.set = 1;
					a.year = y;
					a.mon = m;
					a.day = d;	/* 31 February too: both move on */
					b = a;
					ltime_add_days(&a, steps[i]);
					libc_add_days(&b, steps[i]);
					if (a.year != b.year || a.mon != b.mon || a.day != b.day)
						fail_msg("%04d-%02d-%02d %+d: %04d-%02d-%02d, not "
						    "%04d-%02d-%02d", y, m, d, steps[i], a.year,
						    a.mon, a.day, b.year, b.mon, b.day);
				}
	/* Months out of range are normalised first, as timegm does. */
	for (m = -30; m <= 30; m++) {
		memset(&a, 0, sizeof(a));
		a.year = 2014;
		a.mon = m;
		a.day = 15;
		b = a;
		ltime_add_days(&a, 3);
		libc_add_days(&b, 3);
		assert_int_equal(a.year, b.year);
		assert_int_equal(a.mon, b.mon);
		assert_int_equal(a.day, b.day);
	}
}

/* libical's answer, asked directly. */
static int64_t
ical_utc(const char *tzid, const struct ltime *lt)
{
	struct icaltimetype t = icaltime_null_time();

	t.year = lt->year;
	t.month = lt->mon;
	t.day = lt->day;
	t.hour = lt->has_time ? lt->hour : 0;
	t.minute = lt->has_time ? lt->min : 0;
	return (int64_t)icaltime_as_timet_with_zone(t,
	    icaltimezone_get_builtin_timezone(tzid));
}

static void
test_to_utc_remembered(void **state)
{
	static const char *zones[] = { "Europe/Amsterdam", "America/New_York", "Asia/Tokyo",
	    "Europe/London", "Australia/Sydney" };
	struct ltime lt;
	size_t z, round;
	int day, hour;

	(void)state;
	/* Asked twice in five zones (more than the zone cache holds), with DST changes. */
	for (round = 0; round < 2; round++)
		for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++)
			for (day = 0; day < 400; day += 3)
				for (hour = 0; hour < 24; hour += 5) {
					memset(&lt, 0, sizeof(lt));
					lt.set = 1;
					lt.year = 2014;
					lt.mon = 1;
					lt.day = 1;
					ltime_add_days(&lt, day);
					lt.has_time = hour != 0;
					lt.hour = hour;
					lt.min = hour * 2;
					assert_int_equal(tz_to_utc(zones[z], &lt),
					    ical_utc(zones[z], &lt));
				}
	/* The same local time in two zones: two instants, each its own. */
	memset(&lt, 0, sizeof(lt));
	lt.set = lt.has_time = 1;
	lt.year = 2014;
	lt.mon = 3;
	lt.day = 30;
	lt.hour = 2;
	lt.min = 30;
	assert_int_equal(tz_to_utc("Europe/Amsterdam", &lt) - tz_to_utc("Europe/London", &lt),
	    ical_utc("Europe/Amsterdam", &lt) - ical_utc("Europe/London", &lt));
	assert_int_equal(tz_to_utc("UTC", &lt), 1396146600);
	/* Out of range: not remembered, still libical's answer. */
	lt.day = 32;
	assert_int_equal(tz_to_utc("Europe/Amsterdam", &lt), ical_utc("Europe/Amsterdam", &lt));
	tz_free();
}

/* utc_format writes what strftime did, across the years and outside the four-digit ones. */
static void
test_utc_format(void **state)
{
	static const int64_t edge[] = { 0, -1, 951782400, 253402300799, 253402300800,
	    -62167219200, -62167219201, 4102444800 };
	char got[64], want[64];
	unsigned seed = 5;
	struct tm tm;
	time_t t;
	size_t i;
	int n;

	(void)state;
	for (n = 0; n < 20000; n++) {
		t = n < (int)(sizeof(edge) / sizeof(edge[0])) ? (time_t)edge[n] :
		    (time_t)(((int64_t)rand_r(&seed) << 20 ^ rand_r(&seed)) % 300000000000LL -
		    62000000000LL);
		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		utc_format((int64_t)t, got, sizeof(got));
		assert_string_equal(got, want);
	}
	/* A buffer too short for the whole: as strftime, not past its end. */
	for (i = 0; i < sizeof(got); i++)
		got[i] = 'x';
	utc_format(0, got, 10);
	assert_int_equal(got[10], 'x');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_days),
		cmocka_unit_test(test_utc_format),
		cmocka_unit_test(test_to_utc_remembered),
	};

	return cmocka_run_group_tests_name("tz", tests, NULL, NULL);
}
