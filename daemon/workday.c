/* workday.c: which days reminders may go out on: Monday to Friday, less holidays and closed days. */
#include <stddef.h>

#include "tz.h"
#include "workday.h"

void
workday_easter(int y, int *mon, int *day)
{
	/* The anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;

	*mon = (h + l - 7 * m + 114) / 31;
	*day = (h + l - 7 * m + 114) % 31 + 1;
}

static long
daynum(int y, int mon, int day)
{
	struct ltime t = { 1, 0, y, mon, day, 0, 0 };

	return ltime_daynum(&t);
}

/* 0 Sunday .. 6 Saturday; 1970-01-01 was a Thursday. */
static int
weekday(long dn)
{
	return (int)(((dn % 7) + 7 + 4) % 7);
}

const char *
workday_holiday_nl(int y, int mon, int day)
{
	long dn = daynum(y, mon, day), easter;
	int em, ed, kmon, kday;

	if (mon == 1 && day == 1)
		return "Nieuwjaarsdag";
	if (mon == 12 && day == 25)
		return "Eerste Kerstdag";
	if (mon == 12 && day == 26)
		return "Tweede Kerstdag";
	/* The day off for Liberation Day is every fifth year (2015, 2020, ...). */
	if (mon == 5 && day == 5 && y % 5 == 0)
		return "Bevrijdingsdag";
	/* King's Day from 2014 (Queen's Day, 30 April, before); a Sunday moves it a day back. */
	kmon = 4;
	kday = y >= 2014 ? 27 : 30;
	if (weekday(daynum(y, kmon, kday)) == 0)
		kday--;
	if (mon == kmon && day == kday)
		return y >= 2014 ? "Koningsdag" : "Koninginnedag";
	workday_easter(y, &em, &ed);
	easter = daynum(y, em, ed);
	if (dn == easter)
		return "Eerste Paasdag";
	if (dn == easter + 1)
		return "Tweede Paasdag";
	if (dn == easter + 39)
		return "Hemelvaartsdag";
	if (dn == easter + 49)
		return "Eerste Pinksterdag";
	if (dn == easter + 50)
		return "Tweede Pinksterdag";
	return NULL;
}

int
workday_is_working(const struct plan *p, const struct ltime *lt)
{
	long dn = ltime_daynum(lt);
	int wd = weekday(dn);
	size_t i;

	if (wd == 0 || wd == 6)
		return 0;
	if (p->workdays == WORKDAYS_NL && workday_holiday_nl(lt->year, lt->mon, lt->day) != NULL)
		return 0;
	for (i = 0; i < p->nclosed; i++)
		if (dn >= ltime_daynum(&p->closed[i].from) && dn <= ltime_daynum(&p->closed[i].to))
			return 0;
	return 1;
}

void
workday_shift(const struct plan *p, struct ltime *lt, int dir)
{
	int n;

	if (p->workdays == WORKDAYS_ALL || dir == 0)
		return;
	/* Closed periods are bounded (a year at most each): this ends. */
	for (n = 0; n < 800 && !workday_is_working(p, lt); n++)
		ltime_add_days(lt, dir);
}
