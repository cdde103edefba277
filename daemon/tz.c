/* tz.c: local times in a named zone to UTC instants and back, with libical's zone data. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "tz.h"

/*
 * libical finds a builtin zone by a linear search over some 400 names; plans use one or
 * two zones, so the last few answers are kept (libical keeps the zones themselves).
 */
static struct {
	char		 name[64];
	icaltimezone	*z;
} zcache[4];
static unsigned zcache_next;

static icaltimezone *
zone(const char *tzid)
{
	icaltimezone *z;
	unsigned i;

	if (tzid == NULL || strcmp(tzid, "UTC") == 0)
		return icaltimezone_get_utc_timezone();
	for (i = 0; i < 4; i++)
		if (zcache[i].z != NULL && strcmp(zcache[i].name, tzid) == 0)
			return zcache[i].z;
	if ((z = icaltimezone_get_builtin_timezone(tzid)) != NULL && strlen(tzid) < 64) {
		i = zcache_next++ % 4;
		snprintf(zcache[i].name, sizeof(zcache[i].name), "%s", tzid);
		zcache[i].z = z;
	}
	return z;
}

void
tz_free(void)
{
	memset(zcache, 0, sizeof(zcache));
	icaltimezone_free_builtin_timezones();
}

int
tz_valid(const char *tzid)
{
	return zone(tzid) != NULL;
}

int64_t
tz_to_utc(const char *tzid, const struct ltime *lt)
{
	struct icaltimetype t = icaltime_null_time();
	icaltimezone *z = zone(tzid);

	t.year = lt->year;
	t.month = lt->mon;
	t.day = lt->day;
	t.hour = lt->has_time ? lt->hour : 0;
	t.minute = lt->has_time ? lt->min : 0;
	t.is_date = 0;
	if (z == NULL)
		z = icaltimezone_get_utc_timezone();
	return (int64_t)icaltime_as_timet_with_zone(t, z);
}

void
tz_from_utc(const char *tzid, int64_t when, struct ltime *lt)
{
	icaltimezone *z = zone(tzid);
	struct icaltimetype t;

	if (z == NULL)
		z = icaltimezone_get_utc_timezone();
	t = icaltime_from_timet_with_zone((time_t)when, 0, z);
	memset(lt, 0, sizeof(*lt));
	lt->set = 1;
	lt->has_time = 1;
	lt->year = t.year;
	lt->mon = t.month;
	lt->day = t.day;
	lt->hour = t.hour;
	lt->min = t.minute;
}

void
ltime_add_days(struct ltime *lt, int days)
{
	struct tm tm;
	time_t t;

	/* Noon UTC keeps the day arithmetic clear of any zone. */
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

void
tz_from_utc_day(const char *tzid, int64_t when, struct ltime *lt, int with_time)
{
	/* A whole-day deadline is the next midnight: step back into the day it ends. */
	tz_from_utc(tzid, with_time ? when : when - 1, lt);
	if (!with_time) {
		lt->has_time = 0;
		lt->hour = lt->min = 0;
	}
}

int64_t
tz_day_end(const char *tzid, const struct ltime *lt)
{
	struct ltime next = *lt;

	next.has_time = 0;
	ltime_add_days(&next, 1);
	return tz_to_utc(tzid, &next);
}

void
utc_format(int64_t when, char *buf, size_t len)
{
	struct tm tm;
	time_t t = (time_t)when;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
instant_parse(const char *s, const char *tzid, int64_t *out)
{
	struct ltime lt;
	struct tm tm;
	int y, mo, d, h, mi, sec = 0, oh, om, n = 0;
	char sign;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6 &&
	    s[n] == '\0') {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900; tm.tm_mon = mo - 1; tm.tm_mday = d;
		tm.tm_hour = h; tm.tm_min = mi; tm.tm_sec = sec;
		if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
			return -1;
		*out = (int64_t)timegm(&tm);
		return 0;
	}
	n = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &sign,
	    &oh, &om, &n) == 9 && s[n] == '\0' && (sign == '+' || sign == '-')) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900; tm.tm_mon = mo - 1; tm.tm_mday = d;
		tm.tm_hour = h; tm.tm_min = mi; tm.tm_sec = sec;
		if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
		    oh > 14 || om > 59)
			return -1;
		*out = (int64_t)timegm(&tm) - (sign == '+' ? 1 : -1) * (oh * 3600 + om * 60);
		return 0;
	}
	if (ltime_parse(s, &lt) == -1)
		return -1;
	*out = tz_to_utc(tzid, &lt);
	return 0;
}
