/* workday.h: working days: weekends, Dutch public holidays and a plan's own closed days (pure). */
#ifndef TERMIJN_WORKDAY_H
#define TERMIJN_WORKDAY_H

#include "plan.h"

/* Easter Sunday of year y (Gregorian), as month and day. */
void		 workday_easter(int y, int *mon, int *day);
/* The name of the Dutch public holiday on that date, or NULL. */
const char	*workday_holiday_nl(int y, int mon, int day);
/* Is the date a working day for the plan (Monday to Friday, no holiday, not closed)? */
int		 workday_is_working(const struct plan *, const struct ltime *);
/*
 * Move a date to a working day of the plan: dir -1 the working day before, +1 the one
 * after, 0 none. A plan without working-days leaves it as it is.
 */
void		 workday_shift(const struct plan *, struct ltime *, int dir);

#endif
