/* tz.c: local times in a named zone to UTC instants and back, with libical's zone data. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "tz.h"

/*
 * libical finds a builtin zone by a linear search over some 400 names; plans use one or
 * two zones, so the last few answers are kept (libical keeps the zones themselves), by
 * each thread for itself (a reload parses in one of its own).
 */
static _Thread_local struct {
	char		 name[64];
	icaltimezone	*z;
} zcache[4];
static _Thread_local unsigned zcache_next;
/*
 * libical 3.0.16 searches its table of zones unlocked while the first thread to ask fills
 * it, adds a zone it did not find there (yet) unlocked too, and reading a zone's data (the
 * first conversion) replaces its name in the table: one asker at a time, and the data read
 * before the zone is used. A conversion extends a zone's table of changes to the year it
 * asks for, in place and unlocked too (a feed's VTIMEZONE, checked in another thread,
 * then read offsets half written): conversions hold the lock as well.
 */
static pthread_mutex_t zlock = PTHREAD_MUTEX_INITIALIZER;

void
tz_lock(void)
{
	pthread_mutex_lock(&zlock);
}

void
tz_unlock(void)
{
	pthread_mutex_unlock(&zlock);
}

icaltimezone *
tz_zone(const char *tzid)
{
	icaltimezone *z;
	unsigned i;

	if (tzid == NULL)
		tzid = "UTC";
	for (i = 0; i < 4; i++)
		if (zcache[i].z != NULL && strcmp(zcache[i].name, tzid) == 0)
			return zcache[i].z;
	pthread_mutex_lock(&zlock);
	/* UTC too: its first use fills the table. */
	if (strcmp(tzid, "UTC") == 0)
		z = icaltimezone_get_utc_timezone();
	else if ((z = icaltimezone_get_builtin_timezone(tzid)) != NULL)
		(void)icaltimezone_get_component(z);
	pthread_mutex_unlock(&zlock);
	if (z != NULL && strlen(tzid) < 64) {
		i = zcache_next++ % 4;
		snprintf(zcache[i].name, sizeof(zcache[i].name), "%s", tzid);
		zcache[i].z = z;
	}
	return z;
}

/*
 * Local times to instants, remembered: 100,000 instances of 3,000 plans share a few hundred
 * dates, and libical's conversion is most of what expanding and scheduling them costs.
 */
#define UCACHE	1024
static _Thread_local struct {
	const icaltimezone	*z;
	int64_t			 key;		/* the local time, packed; 0: empty */
	int64_t			 utc;
} ucache[UCACHE];

void
tz_free(void)
{
	memset(zcache, 0, sizeof(zcache));
	memset(ucache, 0, sizeof(ucache));
	icaltimezone_free_builtin_timezones();
}

int
tz_valid(const char *tzid)
{
	return tz_zone(tzid) != NULL;
}

int64_t
tz_to_utc(const char *tzid, const struct ltime *lt)
{
	struct icaltimetype t = icaltime_null_time();
	icaltimezone *z = tz_zone(tzid);
	int hour = lt->has_time ? lt->hour : 0, min = lt->has_time ? lt->min : 0;
	int64_t key, utc;
	unsigned h = 0;

	if (z == NULL)
		z = tz_zone("UTC");
	/* Fields out of range (libical normalises them) are not remembered. */
	if (lt->year >= 0 && lt->year < 100000 && lt->mon >= 1 && lt->mon <= 12 &&
	    lt->day >= 1 && lt->day <= 31 && hour >= 0 && hour < 24 && min >= 0 && min < 60) {
		key = ((((int64_t)lt->year * 16 + lt->mon) * 32 + lt->day) * 32 + hour) * 64 +
		    min + 1;
		h = (unsigned)(((uint64_t)key * 0x9e3779b97f4a7c15ULL ^ (uintptr_t)z) >> 54) %
		    UCACHE;
		if (ucache[h].key == key && ucache[h].z == z)
			return ucache[h].utc;
	} else
		key = 0;
	t.year = lt->year;
	t.month = lt->mon;
	t.day = lt->day;
	t.hour = hour;
	t.minute = min;
	t.is_date = 0;
	pthread_mutex_lock(&zlock);
	utc = (int64_t)icaltime_as_timet_with_zone(t, z);
	pthread_mutex_unlock(&zlock);
	if (key != 0) {
		ucache[h].z = z;
		ucache[h].key = key;
		ucache[h].utc = utc;
	}
	return utc;
}

void
tz_from_utc(const char *tzid, int64_t when, struct ltime *lt)
{
	icaltimezone *z = tz_zone(tzid);
	struct icaltimetype t;

	if (z == NULL)
		z = tz_zone("UTC");
	pthread_mutex_lock(&zlock);
	t = icaltime_from_timet_with_zone((time_t)when, 0, z);
	pthread_mutex_unlock(&zlock);
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
	struct ltime m = *lt;
	long z, era;
	unsigned doe, yoe, doy, mp;
	int mon0 = lt->mon - 1;

	/* As timegm would: a month out of range moves the year first, a day the month. */
	m.year += mon0 >= 0 ? mon0 / 12 : -((11 - mon0) / 12);
	m.mon = mon0 - (m.year - lt->year) * 12 + 1;
	/* Howard Hinnant's civil_from_days: no libc time function (they take a lock). */
	z = ltime_daynum(&m) + days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	lt->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	lt->mon = mp < 10 ? (int)mp + 3 : (int)mp - 9;
	lt->year = (int)(yoe + era * 400) + (lt->mon <= 2);
}

long
ltime_daynum(const struct ltime *lt)
{
	/* Howard Hinnant's days_from_civil. */
	int y = lt->year - (lt->mon <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153u * (unsigned)(lt->mon + (lt->mon > 2 ? -3 : 9)) + 2) / 5 +
	    (unsigned)lt->day - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (long)doe - 719468;
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

int
http_date_parse(const char *s, int64_t *out)
{
	static const char *fmt[] = { "%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
	    "%a %b %e %H:%M:%S %Y" };
	struct tm tm;
	const char *end;
	size_t i;

	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(s, fmt[i], &tm)) != NULL && *end == '\0') {
			*out = (int64_t)timegm(&tm);
			return 0;
		}
	}
	return -1;
}

/* v as n decimal digits, with leading zeros. */
static void
put_digits(char *s, int v, int n)
{
	while (n-- > 0) {
		s[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void
utc_format(int64_t when, char *buf, size_t len)
{
	struct tm tm;
	time_t t = (time_t)when;

	gmtime_r(&t, &tm);
	/* By hand: strftime is most of the cost of every time in every answer. */
	if (len >= 21 && tm.tm_year >= 1000 - 1900 && tm.tm_year <= 9999 - 1900) {
		put_digits(buf, tm.tm_year + 1900, 4);
		buf[4] = '-';
		put_digits(buf + 5, tm.tm_mon + 1, 2);
		buf[7] = '-';
		put_digits(buf + 8, tm.tm_mday, 2);
		buf[10] = 'T';
		put_digits(buf + 11, tm.tm_hour, 2);
		buf[13] = ':';
		put_digits(buf + 14, tm.tm_min, 2);
		buf[16] = ':';
		put_digits(buf + 17, tm.tm_sec, 2);
		memcpy(buf + 19, "Z", 2);
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* n decimal digits at s, or -1: no signs, no spaces (sscanf allows both). */
static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
month_days(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : d[m - 1];
}

int
instant_parse(const char *s, const char *tzid, int64_t *out)
{
	struct ltime lt, back;
	struct tm tm;
	const char *p;
	int y, mo, d, h = 0, mi = 0, sec, oh, om, off;
	int64_t t;

	if ((y = digits(s, 4)) < 1970 || s[4] != '-' || (mo = digits(s + 5, 2)) < 1 ||
	    mo > 12 || s[7] != '-' || (d = digits(s + 8, 2)) < 1 || d > month_days(y, mo))
		return -1;
	p = s + 10;
	if (*p != '\0') {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -1;
		p++;
		if ((h = digits(p, 2)) < 0 || h > 23 || p[2] != ':' ||
		    (mi = digits(p + 3, 2)) < 0 || mi > 59)
			return -1;
		p += 5;
	}
	if (*p == '\0') {
		/* A local time: it must exist in the zone (not in a daylight saving gap). */
		memset(&lt, 0, sizeof(lt));
		lt.set = 1;
		lt.has_time = s[10] != '\0';
		lt.year = y; lt.mon = mo; lt.day = d; lt.hour = h; lt.min = mi;
		t = tz_to_utc(tzid, &lt);
		tz_from_utc(tzid, t, &back);
		if (back.year != y || back.mon != mo || back.day != d || back.hour != h ||
		    back.min != mi)
			return -1;
		*out = t;
		return 0;
	}
	/* RFC 3339: seconds (no leap second: we cannot tell which are real), a fraction
	 * dropped, and Z or an offset that some zone has (-12:00 to +14:00). */
	if (*p != ':' || (sec = digits(p + 1, 2)) < 0 || sec > 59)
		return -1;
	p += 3;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		off = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		if ((oh = digits(p + 1, 2)) < 0 || p[3] != ':' || (om = digits(p + 4, 2)) < 0 ||
		    om > 59)
			return -1;
		off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
		if (off > 14 * 60 || off < -12 * 60)
			return -1;
		p += 6;
	} else
		return -1;
	if (*p != '\0')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900; tm.tm_mon = mo - 1; tm.tm_mday = d;
	tm.tm_hour = h; tm.tm_min = mi; tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm) - (int64_t)off * 60;
	return 0;
}
