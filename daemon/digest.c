/* digest.c: the daily digest's moments and what it holds, from the plan and its calendar. */
#include "digest.h"
#include "tz.h"
#include "workday.h"

/* A plan's digest may go out at most this far ahead (closed periods are a year at most). */
#define DIGEST_SEARCH_DAYS	800

int
digest_for(const struct plan *p, const char *addr)
{
	if (p->digest_hour < 0 || addr == NULL)
		return 0;
	return p->digest_who.n == 0 || plan_lists(p, &p->digest_who, addr, NULL);
}

int
digest_takes(enum rkind k)
{
	return k != RK_MOMENT && k != RK_HELDUP;
}

static int
digest_day(const struct plan *p, const struct ltime *day)
{
	return p->workdays == WORKDAYS_ALL || workday_is_working(p, day);
}

/* The digest moment on a local day. */
static int64_t
moment_on(const struct plan *p, const struct ltime *day)
{
	struct ltime lt = *day;

	lt.has_time = 1;
	lt.hour = p->digest_hour;
	lt.min = p->digest_min;
	return tz_to_utc(p->tz, &lt);
}

static int64_t
search(const struct plan *p, int64_t from, int dir)
{
	struct ltime day;
	int64_t m;
	int n;

	if (p->digest_hour < 0)
		return 0;
	tz_from_utc(p->tz, from, &day);
	day.has_time = 0;
	for (n = 0; n < DIGEST_SEARCH_DAYS; n++, ltime_add_days(&day, dir)) {
		if (!digest_day(p, &day))
			continue;
		m = moment_on(p, &day);
		if (dir > 0 ? m > from : m < from)
			return m;
	}
	return 0;
}

int64_t
digest_next(const struct plan *p, int64_t after)
{
	return search(p, after, 1);
}

int64_t
digest_prev(const struct plan *p, int64_t before)
{
	return search(p, before, -1);
}

int64_t
digest_horizon(const struct plan *p, int64_t moment)
{
	struct ltime day;

	tz_from_utc(p->tz, moment, &day);
	day.has_time = 0;
	return tz_day_end(p->tz, &day) - 1;
}

int
digest_holds(const struct plan *p, int64_t moment, const struct occurrence *o)
{
	if (!digest_takes(o->kind))
		return 0;
	/* A go-ahead is about what happened: not before it did. */
	if (o->kind == RK_GOAHEAD)
		return o->when <= moment;
	return o->when <= digest_horizon(p, moment);
}
