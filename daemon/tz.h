/* tz.h: local time in a named zone to UTC and back (pure; zone data through libical). */
#ifndef TERMIJN_TZ_H
#define TERMIJN_TZ_H

#include <stdint.h>

#include "plan.h"

int	tz_valid(const char *tzid);
/*
 * libical's zone of that name (its data read), looked up under the lock every thread's
 * lookups share (see tz.c); NULL: unknown. Every use of libical's builtin zones goes here.
 */
struct _icaltimezone	*tz_zone(const char *tzid);
/* Held around any other use of such a zone (its offsets, its component); not re-entrant. */
void	tz_lock(void);
void	tz_unlock(void);
/* Free libical's zones (at exit; leak checkers look). */
void	tz_free(void);
/* The instant of a local time; a date alone means its midnight. */
int64_t	tz_to_utc(const char *tzid, const struct ltime *);
/* Local time of an instant. */
void	tz_from_utc(const char *tzid, int64_t, struct ltime *);
/* The local day (and, when with_time, time) of an instant that ends a day or is a time. */
void	tz_from_utc_day(const char *tzid, int64_t, struct ltime *, int with_time);
/* The end of a local day: the next day's midnight, as an instant. */
int64_t	tz_day_end(const char *tzid, const struct ltime *);
/* Add days to a local date (calendar arithmetic, no zone involved). */
void	ltime_add_days(struct ltime *, int days);
/* Days since 1970-01-01 of a local date (calendar arithmetic, no zone involved). */
long	ltime_daynum(const struct ltime *);
/* An HTTP date in any of RFC 9110's three formats (IMF-fixdate, RFC 850, asctime). */
int	http_date_parse(const char *, int64_t *);
/* ISO 8601 in UTC ("2013-12-19T08:00:00Z") into buf. */
void	utc_format(int64_t, char *, size_t);
/*
 * Parse an RFC 3339 instant ("2013-12-19T09:00:00Z", "...+01:00") or a local time in zone
 * tzid ("2013-12-19 09:00", "2013-12-19": its midnight) that exists there. Years 1970-9999.
 */
int	instant_parse(const char *, const char *tzid, int64_t *);

#endif
