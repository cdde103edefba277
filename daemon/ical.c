/* ical.c: the iCalendar renderer: milestone instances as VEVENTs, written by hand (RFC 5545). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "ical.h"
#include "plan.h"
#include "rules.h"
#include "tz.h"
#include "version.h"
#include "workday.h"
#include "xmalloc.h"

#define DEFAULT_TZ	"Europe/Amsterdam"
#define DEADLINE_MINUTES 30	/* a deadline at a time of day: an event this long, ending then */
#define FOLD_AT		75	/* octets per line, CRLF not counted */
#define CHECK_YEARS	50	/* years of a zone's rules checked, at most */

struct buf {
	char	*p;
	size_t	 n, cap;
};

/* Words of the feed, per language; state[] is indexed by enum derived. */
struct words {
	const char	*state[6];
	const char	*status, *plan, *party, *owner, *due, *window, *window_to, *on;
	const char	*not_before, *repeats, *until, *waits, *unblocks;
	const char	*every1[3], *every, *periods[3];	/* day, week, month */
	const char	*done_on, *waived_on, *by, *note, *reason, *overridden;
	const char	*mark_done;
	const char	*plan_done;	/* the note of a milestone the plan file says was done */
	/* A long list of one milestone's instances, summed up: "12 of 342 parties: A, B and 10 more". */
	const char	*of, *all, *and, *others;
	const char	*units[3];	/* of enum unit, plural: such a list is long */
};

/* What a summed-up list counts. */
enum unit {
	UNIT_PARTY,
	UNIT_PART,
	UNIT_STEP
};

static const struct words words_nl = {
	{ "geblokkeerd", "kan nu", "te laat", "klaar", "te laat klaar", "vervallen" },
	"Status", "Plan", "Partij", "Eigenaar", "Uiterlijk", "Periode", "t/m", "Op",
	"Niet vóór", "Herhaalt", "tot en met", "Wacht op", "Maakt mogelijk",
	{ "elke dag", "elke week", "elke maand" },
	"elke", { "dagen", "weken", "maanden" },
	"Klaar op", "Vervallen op", "door", "Notitie", "Reden",
	"Afgevinkt met voorrang op de regels.",
	"Afvinken",
	"afgerond voordat het plan begon",
	"van", "alle", "en", "andere",
	{ "partijen", "onderdelen", "stappen" }
};

static const struct words words_en = {
	{ "blocked", "ready", "overdue", "done", "done late", "waived" },
	"Status", "Plan", "Party", "Owner", "Due", "Window", "to", "On",
	"Not before", "Repeats", "until", "Waits for", "Unblocks",
	{ "every day", "every week", "every month" },
	"every", { "days", "weeks", "months" },
	"Done on", "Waived on", "by", "Note", "Reason",
	"Marked done by a rule override.",
	"Mark done",
	"done before the plan started",
	"of", "all", "and", "more",
	{ "parties", "parts", "steps" }
};

/* An instance's timing as published, in local time of its plan's zone. */
struct evtime {
	int		 allday;
	struct ltime	 start, end;		/* end exclusive */
	char		 dtstart[64], dtend[64];	/* after the TZID or VALUE parameter */
};

/* A zone the feed uses: what its VTIMEZONE must get right. */
struct zuse {
	const char	*tzid;
	struct ltime	*check;		/* local times of timed events */
	size_t		 ncheck, capcheck;
	int		 ymin, ymax;	/* years of events in this zone, 0: none */
};

struct seen {
	const struct plan	*plan;
	unsigned char		*done;
};

struct render {
	const struct ical_feed_opts	*opts;
	const struct words		*w;
	int64_t				 now;
	int64_t				 next;		/* what it wrote changes then by time alone */
	struct zuse			*zones;
	size_t				 nzones, capzones;
	struct buf			 line;		/* the content line being built */
	struct buf			 text;		/* a text value being built */
};

/* ---- growing buffers ---- */

/* Room for n more bytes and a NUL. */
static void
buf_room(struct buf *b, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		if (b->cap == 0)
			b->cap = 256;
		while (b->n + n + 1 > b->cap)
			b->cap *= 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
}

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_room(b, n);
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));

/* Formatted in place: a feed of 10,000 events makes some 200,000 of these. */
static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	buf_room(b, 128);
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if ((size_t)n >= b->cap - b->n) {
		buf_room(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
	}
	b->n += (size_t)n;
}

/* The strings up to a NULL, one after the other. */
static void
buf_cat(struct buf *b, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, b);
	while ((s = va_arg(ap, const char *)) != NULL)
		buf_str(b, s);
	va_end(ap);
}

/* ---- content lines: escaping and folding ---- */

/* Length of the valid UTF-8 sequence at p (RFC 3629), 0 if it is not one. */
static size_t
utf8_len(const unsigned char *p)
{
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f))
			return 0;
		return (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
			return 0;
		return (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 &&
		    (p[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

/*
 * A TEXT value (RFC 5545 3.3.11). Line breaks of any kind become \n; other control
 * characters are not allowed in TEXT and are dropped; bytes that are not UTF-8 become
 * U+FFFD, so that what we fold is always whole characters.
 */
/* The bytes a TEXT value takes as they are: printable ASCII but \\ ; and , (1). */
static const unsigned char text_plain[256] = {
	[' '] = 1, ['!'] = 1, ['"'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1,
	['\''] = 1, ['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1,
	['/'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
	['7'] = 1, ['8'] = 1, ['9'] = 1, [':'] = 1, ['<'] = 1, ['='] = 1, ['>'] = 1, ['?'] = 1,
	['@'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
	['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1,
	['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1,
	['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['['] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
	['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
	['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1
};

static void
text_escape(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *q;
	size_t n;

	while (*p != '\0') {
		/* Whole runs of what needs no escaping, at once. */
		for (q = p;;) {
			if (text_plain[*q])
				q++;
			else if (*q >= 0x80 && (n = utf8_len(q)) > 0)
				q += n;
			else
				break;
		}
		if (q > p) {
			buf_add(b, p, (size_t)(q - p));
			p = q;
		} else if (*p == '\r' || *p == '\n') {
			buf_add(b, "\\n", 2);
			p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
		} else if (*p == '\\' || *p == ';' || *p == ',') {
			buf_add(b, "\\", 1);
			buf_add(b, p++, 1);
		} else if (*p == '\t')
			buf_add(b, p++, 1);
		else if (*p < 0x20 || *p == 0x7f)
			p++;
		else {
			buf_add(b, "\xef\xbf\xbd", 3);
			p++;
		}
	}
}

static void
line_start(struct render *r, const char *name)
{
	r->line.n = 0;
	buf_str(&r->line, name);
}

static void
line_param(struct render *r, const char *name, const char *value)
{
	buf_cat(&r->line, ";", name, "=", value, (char *)NULL);
}

static void
line_raw(struct render *r, const char *value)
{
	buf_add(&r->line, ":", 1);
	buf_str(&r->line, value);
}

static void
line_text(struct render *r, const char *value)
{
	buf_add(&r->line, ":", 1);
	text_escape(&r->line, value);
}

/*
 * Fold at 75 octets (RFC 5545 3.1): a continuation line starts with a space, which
 * counts. Never cut inside a UTF-8 sequence, nor between a backslash and the
 * character it escapes (legal, but naive readers trip on it).
 */
static void
fold_out(struct buf *out, const char *s, size_t len)
{
	size_t pos = 0, limit = FOLD_AT, cut, k;

	while (len - pos > limit) {
		cut = pos + limit;
		while (cut > pos + 1 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		for (k = 0; cut - k > pos && s[cut - 1 - k] == '\\'; k++)
			;
		if (k % 2 == 1)
			cut--;
		buf_add(out, s + pos, cut - pos);
		buf_add(out, "\r\n ", 3);
		pos = cut;
		limit = FOLD_AT - 1;
	}
	buf_add(out, s + pos, len - pos);
	buf_add(out, "\r\n", 2);
}

static void
line_end(struct render *r, struct buf *out)
{
	fold_out(out, r->line.p, r->line.n);
}

static void
put_raw(struct render *r, struct buf *out, const char *name, const char *value)
{
	line_start(r, name);
	line_raw(r, value);
	line_end(r, out);
}

static void
put_text(struct render *r, struct buf *out, const char *name, const char *value)
{
	line_start(r, name);
	line_text(r, value);
	line_end(r, out);
}

/* ---- dates ---- */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long
daynum(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
ltime_add_minutes(struct ltime *lt, int mins)
{
	int m = lt->hour * 60 + lt->min + mins, days = 0;

	while (m < 0) {
		m += 1440;
		days--;
	}
	while (m >= 1440) {
		m -= 1440;
		days++;
	}
	if (days != 0)
		ltime_add_days(lt, days);
	lt->hour = m / 60;
	lt->min = m % 60;
}

static int
ltime_cmp(const struct ltime *a, const struct ltime *b)
{
	long da = daynum(a->year, a->mon, a->day), db = daynum(b->year, b->mon, b->day);
	int ma = a->has_time ? a->hour * 60 + a->min : 0;
	int mb = b->has_time ? b->hour * 60 + b->min : 0;

	if (da != db)
		return da < db ? -1 : 1;
	return ma < mb ? -1 : ma > mb;
}

/* n (0 <= n < 10^w) as w digits at p; returns the end. */
static char *
digits(char *p, int n, int w)
{
	int i;

	for (i = w - 1; i >= 0; i--) {
		p[i] = (char)('0' + n % 10);
		n /= 10;
	}
	return p + w;
}

/* "YYYYMMDD", and with t "THHMMSS", without snprintf (a feed writes some 30,000). */
static void
fmt_stamp(char *buf, size_t len, int y, int mo, int d, const int *t)
{
	char *p = buf;

	if (len < 17 || y < 0 || y > 9999) {
		snprintf(buf, len, "%04d%02d%02d", y, mo, d);
		if (t != NULL)
			snprintf(buf + strlen(buf), len - strlen(buf), "T%02d%02d%02d", t[0], t[1],
			    t[2]);
		return;
	}
	p = digits(digits(digits(p, y, 4), mo, 2), d, 2);
	if (t != NULL) {
		*p++ = 'T';
		p = digits(digits(digits(p, t[0], 2), t[1], 2), t[2], 2);
	}
	*p = '\0';
}

static void
fmt_date(char *buf, size_t len, const struct ltime *lt)
{
	fmt_stamp(buf, len, lt->year, lt->mon, lt->day, NULL);
}

static void
fmt_local(char *buf, size_t len, const struct ltime *lt)
{
	const int t[3] = { lt->has_time ? lt->hour : 0, lt->has_time ? lt->min : 0, 0 };

	fmt_stamp(buf, len, lt->year, lt->mon, lt->day, t);
}

/* "YYYYMMDDTHHMMSSZ": the civil date of a day number (the inverse of daynum). */
static void
fmt_utc(char *buf, size_t len, int64_t when)
{
	int64_t days = when >= 0 ? when / 86400 : -((-when + 86399) / 86400);
	int64_t secs = when - days * 86400, z = days + 719468, era, doe, yoe, doy, mp;
	int t[3] = { (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60) }, y, m, d;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y = (int)(yoe + era * 400 + (m <= 2));
	fmt_stamp(buf, len - 1, y, m, d, t);
	strcat(buf, "Z");
}

static const char *
plan_tz(const struct plan *p)
{
	return p->tz != NULL ? p->tz : DEFAULT_TZ;
}

/*
 * How an instance is published. A date is an all-day event, a window runs from..due
 * (a date end is inclusive in the plan, so DTEND is the next day), so does a not-before
 * with its due, and a deadline at a time of day alone is a short event ending at that
 * time: it sits in the calendar just before the moment, where it is seen in time.
 */
static int
ev_times(const struct instance *in, struct evtime *ev)
{
	const struct timing *t = &in->timing;

	memset(ev, 0, sizeof(*ev));
	if (!t->due.set)
		return -1;
	/* A not-before opens the event: the step can be done from then until its deadline. */
	ev->start = t->from.set ? t->from : t->not_before.set ? t->not_before : t->due;
	ev->end = t->due;
	if (!ev->start.has_time && !ev->end.has_time) {
		ev->allday = 1;
		ltime_add_days(&ev->end, 1);
		fmt_date(ev->dtstart, sizeof(ev->dtstart), &ev->start);
		fmt_date(ev->dtend, sizeof(ev->dtend), &ev->end);
	} else {
		if (!ev->end.has_time) {
			ltime_add_days(&ev->end, 1);
			ev->end.has_time = 1;
			ev->end.hour = ev->end.min = 0;
		}
		if (!ev->start.has_time) {
			ev->start.has_time = 1;
			ev->start.hour = ev->start.min = 0;
		}
		if ((!t->from.set && !t->not_before.set) || ltime_cmp(&ev->start, &ev->end) >= 0) {
			ev->start = ev->end;
			ltime_add_minutes(&ev->start, -DEADLINE_MINUTES);
		}
		fmt_local(ev->dtstart, sizeof(ev->dtstart), &ev->start);
		fmt_local(ev->dtend, sizeof(ev->dtend), &ev->end);
	}
	return 0;
}

/* ---- zones ---- */

static struct zuse *
zone_use(struct render *r, const char *tzid)
{
	struct zuse *z;
	size_t i;

	for (i = 0; i < r->nzones; i++)
		if (strcmp(r->zones[i].tzid, tzid) == 0)
			return &r->zones[i];
	XGROW(r->zones, r->nzones, r->capzones);
	z = &r->zones[r->nzones++];
	memset(z, 0, sizeof(*z));
	z->tzid = tzid;
	return z;
}

static void
zone_year(struct zuse *z, int y)
{
	if (z->ymin == 0 || y < z->ymin)
		z->ymin = y;
	if (y > z->ymax)
		z->ymax = y;
}

static void
zone_check(struct zuse *z, const struct ltime *lt)
{
	XGROW(z->check, z->ncheck, z->capcheck);
	z->check[z->ncheck++] = *lt;
	zone_year(z, lt->year);
}

static int
obs_kind(icalcomponent *c)
{
	icalcomponent_kind k = icalcomponent_isa(c);

	return k == ICAL_XSTANDARD_COMPONENT || k == ICAL_XDAYLIGHT_COMPONENT;
}

static void
obs_copy(icalcomponent *dst, icalcomponent *src, icalproperty_kind kind)
{
	icalproperty *p;

	if ((p = icalcomponent_get_first_property(src, kind)) != NULL)
		icalcomponent_add_property(dst, icalproperty_new_clone(p));
}

/* An observance with its yearly rule made open-ended. */
static icalcomponent *
obs_open_ended(icalcomponent *src)
{
	icalcomponent *c = icalcomponent_new(icalcomponent_isa(src));
	icalproperty *p;
	struct icalrecurrencetype rr;

	obs_copy(c, src, ICAL_DTSTART_PROPERTY);
	p = icalcomponent_get_first_property(src, ICAL_RRULE_PROPERTY);
	rr = icalproperty_get_rrule(p);
	rr.until = icaltime_null_time();
	icalcomponent_add_property(c, icalproperty_new_rrule(rr));
	obs_copy(c, src, ICAL_TZOFFSETFROM_PROPERTY);
	obs_copy(c, src, ICAL_TZOFFSETTO_PROPERTY);
	obs_copy(c, src, ICAL_TZNAME_PROPERTY);
	return c;
}

/*
 * The yearly rules in force in year y (y 0: the open-ended ones), as a VTIMEZONE of
 * one STANDARD and one DAYLIGHT, or of one STANDARD for a zone without DST then.
 * NULL when the zone's history does not reduce to that.
 */
static icalcomponent *
zone_compact(icaltimezone *z, const char *tzid, int y)
{
	icalcomponent *full = icaltimezone_get_component(z), *c, *vtz, *std = NULL, *dl = NULL;
	icalcomponent *last = NULL;
	icalproperty *p;
	struct icalrecurrencetype rr;
	struct icaltimetype start, noon, lstart = icaltime_null_time();
	int n = 0, off, isdl;

	/* Without DST in year y, its one offset: the one at its midsummer. */
	noon = icaltime_null_time();
	noon.year = y ? y : 2000;
	noon.month = 7;
	noon.day = 1;
	noon.hour = 12;
	off = icaltimezone_get_utc_offset(z, &noon, &isdl);

	vtz = icalcomponent_new(ICAL_VTIMEZONE_COMPONENT);
	icalcomponent_add_property(vtz, icalproperty_new_tzid(tzid));
	for (c = full ? icalcomponent_get_first_component(full, ICAL_ANY_COMPONENT) : NULL;
	    c != NULL; c = icalcomponent_get_next_component(full, ICAL_ANY_COMPONENT)) {
		if (!obs_kind(c))
			continue;
		start = icalcomponent_get_dtstart(c);
		/* The latest start of that offset names it. */
		if (start.year <= noon.year && (p = icalcomponent_get_first_property(c,
		    ICAL_TZOFFSETTO_PROPERTY)) != NULL && icalproperty_get_tzoffsetto(p) == off &&
		    (last == NULL || icaltime_compare(start, lstart) > 0)) {
			last = c;
			lstart = start;
		}
		if ((p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY)) == NULL)
			continue;
		rr = icalproperty_get_rrule(p);
		if (rr.count != 0)
			continue;
		if (y == 0 ? !icaltime_is_null_time(rr.until) :
		    start.year > y || (!icaltime_is_null_time(rr.until) && rr.until.year < y))
			continue;
		n++;
		if (icalcomponent_isa(c) == ICAL_XSTANDARD_COMPONENT)
			std = c;
		else
			dl = c;
	}
	if (n == 2 && std != NULL && dl != NULL) {
		icalcomponent_add_component(vtz, obs_open_ended(std));
		icalcomponent_add_component(vtz, obs_open_ended(dl));
		return vtz;
	}
	if (n != 0) {
		icalcomponent_free(vtz);
		return NULL;
	}
	c = icalcomponent_new(ICAL_XSTANDARD_COMPONENT);
	start = icaltime_null_time();
	start.year = 1970;
	start.month = start.day = 1;
	icalcomponent_add_property(c, icalproperty_new_dtstart(start));
	icalcomponent_add_property(c, icalproperty_new_tzoffsetfrom(off));
	icalcomponent_add_property(c, icalproperty_new_tzoffsetto(off));
	if (full == NULL)
		icalcomponent_add_property(c, icalproperty_new_tzname(tzid));
	else if (last != NULL)
		obs_copy(c, last, ICAL_TZNAME_PROPERTY);
	icalcomponent_add_component(vtz, c);
	return vtz;
}

/* Every observance of the zone, under the plain TZID: long, but right. */
static icalcomponent *
zone_full(icaltimezone *z, const char *tzid)
{
	icalcomponent *full = icaltimezone_get_component(z), *c, *vtz;

	vtz = icalcomponent_new(ICAL_VTIMEZONE_COMPONENT);
	icalcomponent_add_property(vtz, icalproperty_new_tzid(tzid));
	if (full == NULL)
		return vtz;
	for (c = icalcomponent_get_first_component(full, ICAL_ANY_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(full, ICAL_ANY_COMPONENT))
		if (obs_kind(c))
			icalcomponent_add_component(vtz, icalcomponent_new_clone(c));
	return vtz;
}

static int
cmp_ltime(const void *a, const void *b)
{
	return ltime_cmp(a, b);
}

/* Does the compact zone give every local time we publish the offset the real one does? */
static int
zone_agrees(icaltimezone *real, icaltimezone *compact, struct zuse *zu)
{
	struct icaltimetype tt;
	size_t i, k;
	int y, m, dl;

	/* Each local time once: thousands of events share a few hours of the day. */
	if (zu->ncheck > 1)
		qsort(zu->check, zu->ncheck, sizeof(*zu->check), cmp_ltime);
	for (i = k = 0; i < zu->ncheck; i++)
		if (k == 0 || ltime_cmp(&zu->check[k - 1], &zu->check[i]) != 0)
			zu->check[k++] = zu->check[i];
	zu->ncheck = k;
	for (i = 0; i < zu->ncheck; i++) {
		tt = icaltime_null_time();
		tt.year = zu->check[i].year;
		tt.month = zu->check[i].mon;
		tt.day = zu->check[i].day;
		tt.hour = zu->check[i].hour;
		tt.minute = zu->check[i].min;
		if (icaltimezone_get_utc_offset(real, &tt, &dl) !=
		    icaltimezone_get_utc_offset(compact, &tt, &dl))
			return 0;
	}
	/* And both seasons of every year in between, for recurrences. */
	for (y = zu->ymin; y != 0 && y <= zu->ymax && y < zu->ymin + CHECK_YEARS; y++)
		for (m = 1; m <= 12; m += 6) {
			tt = icaltime_null_time();
			tt.year = y;
			tt.month = m;
			tt.day = 15;
			tt.hour = 12;
			if (icaltimezone_get_utc_offset(real, &tt, &dl) !=
			    icaltimezone_get_utc_offset(compact, &tt, &dl))
				return 0;
		}
	return 1;
}

/* A libical property as one unfolded line, to be folded our way. */
static void
put_icalprop(struct render *r, struct buf *out, icalproperty *p)
{
	char *s = icalproperty_as_ical_string_r(p), *src, *dst;

	for (src = dst = s; *src != '\0'; src++) {
		if (src[0] == '\r' && src[1] == '\n' && (src[2] == ' ' || src[2] == '\t')) {
			src += 2;
			continue;
		}
		if (*src == '\r' || *src == '\n')
			continue;
		*dst++ = *src;
	}
	*dst = '\0';
	line_start(r, s);
	line_end(r, out);
	icalmemory_free_buffer(s);
}

/*
 * A VTIMEZONE with the plain TZID and, where they describe every time we publish, only
 * the yearly rules in force; else (rules changed within the feed's years) every
 * observance of the zone.
 */
static int
vtimezone_write(struct render *r, struct buf *out, struct zuse *zu, char **cause)
{
	icaltimezone *z, *cz;
	icalcomponent *vtz, *c;
	icalproperty *p;

	if ((z = tz_zone(zu->tzid)) == NULL) {
		xasprintf(cause, "unknown time zone \"%s\"", zu->tzid);
		return -1;
	}
	/* z is libical's, shared with the threads that parse plans (tz.h). */
	tz_lock();
	cz = icaltimezone_new();
	if ((vtz = zone_compact(z, zu->tzid, zu->ymin)) != NULL) {
		icaltimezone_set_component(cz, vtz);
		if (!zone_agrees(z, cz, zu)) {
			icaltimezone_free(cz, 1);
			cz = icaltimezone_new();
			vtz = NULL;
		}
	}
	if (vtz == NULL) {
		vtz = zone_full(z, zu->tzid);
		icaltimezone_set_component(cz, vtz);
	}
	tz_unlock();
	put_raw(r, out, "BEGIN", "VTIMEZONE");
	put_text(r, out, "TZID", zu->tzid);
	for (c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		put_raw(r, out, "BEGIN", icalcomponent_kind_to_string(icalcomponent_isa(c)));
		for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p != NULL;
		    p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY))
			put_icalprop(r, out, p);
		put_raw(r, out, "END", icalcomponent_kind_to_string(icalcomponent_isa(c)));
	}
	put_raw(r, out, "END", "VTIMEZONE");
	icaltimezone_free(cz, 1);
	return 0;
}

/* ---- events ---- */

char *
ical_uid(const struct plan *p, size_t idx)
{
	char *s;

	xasprintf(&s, "%s@%s.termijn", p->inst[idx].key, p->id);
	return s;
}

/* A line NAME[;RELTYPE=FINISHTOSTART]:UID of instance idx of p (ical_uid, no copy made). */
static void
put_uid(struct render *r, struct buf *out, const char *name, const struct plan *p, size_t idx)
{
	line_start(r, name);
	if (strcmp(name, "RELATED-TO") == 0)
		line_param(r, "RELTYPE", "FINISHTOSTART");
	buf_add(&r->line, ":", 1);
	text_escape(&r->line, p->inst[idx].key);
	buf_add(&r->line, "@", 1);
	text_escape(&r->line, p->id);
	buf_str(&r->line, ".termijn");
	line_end(r, out);
}

static const char *
party_name(const struct party *pt)
{
	return pt->name != NULL ? pt->name : pt->id;
}

static const char *
role_name(const struct plan *p, const char *id)
{
	struct role *ro = plan_role(p, id);

	return ro != NULL && ro->name != NULL ? ro->name : id;
}

static void
local_str(char *buf, size_t len, const struct plan *p, int64_t when)
{
	struct ltime lt;

	tz_from_utc(plan_tz(p), when, &lt);
	ltime_format(&lt, buf, len);
}

/* "Title — Party" for an instance in a list. */
static void
inst_label(struct buf *b, const struct plan *p, size_t idx)
{
	const struct instance *in = &p->inst[idx];

	buf_str(b, in->title != NULL ? in->title : in->key);
	if (in->party != NULL)
		buf_cat(b, " — ", party_name(in->party), (char *)NULL);
}

/* The end of the group of instances of one milestone that begins at v[i] (v in plan order). */
static size_t
group_end(const struct plan *p, const size_t *v, size_t n, size_t i)
{
	const struct milestone *m = p->inst[v[i]].ms;

	while (++i < n && p->inst[v[i]].ms == m)
		;
	return i;
}

static enum unit
group_unit(const struct milestone *m)
{
	if (m->per != NULL)
		return UNIT_PART;
	return m->per_party && m->recur.every == 0 ? UNIT_PARTY : UNIT_STEP;
}

/* An instance by what tells it from the others of its milestone: party or part, and date. */
static void
inst_short(struct buf *b, const struct plan *p, size_t idx)
{
	const struct instance *in = &p->inst[idx];
	char a[32];

	if (in->part != NULL)
		buf_str(b, in->part->title != NULL ? in->part->title : in->part->id);
	else if (in->party != NULL)
		buf_str(b, party_name(in->party));
	if (in->nocc > 1 || (in->part == NULL && in->party == NULL)) {
		ltime_format(&in->timing.due, a, sizeof(a));
		buf_printf(b, "%s%s", in->part != NULL || in->party != NULL ? " " : "", a);
	}
}

/* The first of an instance's moments after now: its derived state may change then. */
static void
note_moments(int64_t *next, const struct instance *in, int64_t now)
{
	const int64_t t[3] = { in->deadline, in->not_before, in->opens };
	size_t i;

	for (i = 0; i < 3; i++)
		if (t[i] > now && t[i] < *next)
			*next = t[i];
}

/* rules_derived, and the moment it may give another answer (r->next). */
static enum derived
derived(struct render *r, const struct plan *p, const struct istate *st, size_t idx)
{
	note_moments(&r->next, &p->inst[idx], r->now);
	return rules_derived(p, st, idx, r->now);
}

/*
 * Prerequisites v[0 .. n) of one milestone, more than ICAL_LIST_MAX: how many still hold it
 * up, the first ICAL_LIST_MAX of those by name ("Stap 1 — 12 van 342 partijen: ...").
 */
/* "- Title — ", and of another plan's milestone (other) "- Title [plan:id] — ". */
static void
summary_head(struct buf *b, const struct plan *p, const struct milestone *m, int other)
{
	buf_printf(b, "- %s", m->title != NULL ? m->title : m->id);
	if (other)
		buf_printf(b, " [%s:%s]", p->id, m->id);
	buf_str(b, " — ");
}

static void
pre_summary(struct render *r, struct buf *b, const struct plan *p, const struct istate *st,
    const size_t *v, size_t n, int other)
{
	const struct words *w = r->w;
	const struct milestone *m = p->inst[v[0]].ms;
	size_t i, open = 0, waived = 0, named = 0;

	for (i = 0; i < n; i++)
		if (!rules_met(&st[v[i]]))
			open++;
		else if (st[v[i]].status == ST_WAIVED)
			waived++;
	summary_head(b, p, m, other);
	if (open == 0) {
		buf_printf(b, "%s %zu %s %s", w->all, n, w->units[group_unit(m)],
		    w->state[DV_DONE]);
		if (waived > 0)
			buf_printf(b, " (%zu %s)", waived, w->state[DV_WAIVED]);
		buf_str(b, "\n");
		return;
	}
	buf_printf(b, "%zu %s %zu %s:", open, w->of, n, w->units[group_unit(m)]);
	for (i = 0; i < n && named < ICAL_LIST_MAX; i++) {
		if (rules_met(&st[v[i]]))
			continue;
		buf_str(b, named++ == 0 ? " " : ", ");
		inst_short(b, p, v[i]);
		buf_printf(b, " (%s)", w->state[derived(r, p, st, v[i])]);
	}
	if (open > named)
		buf_printf(b, " %s %zu %s", w->and, open - named, w->others);
	buf_str(b, "\n");
}

/* Dependents v[0 .. n) of one milestone, more than ICAL_LIST_MAX: how many, how many done. */
static void
dep_summary(struct render *r, struct buf *b, const struct plan *p, const struct istate *st,
    const size_t *v, size_t n, int other)
{
	const struct words *w = r->w;
	const struct milestone *m = p->inst[v[0]].ms;
	size_t i, done = 0, waived = 0;

	for (i = 0; i < n; i++)
		if (st[v[i]].status == ST_DONE)
			done++;
		else if (st[v[i]].status == ST_WAIVED)
			waived++;
	summary_head(b, p, m, other);
	buf_printf(b, "%zu %s", n, w->units[group_unit(m)]);
	if (done > 0 && waived > 0)
		buf_printf(b, " (%zu %s, %zu %s)", done, w->state[DV_DONE], waived,
		    w->state[DV_WAIVED]);
	else if (done + waived > 0)
		buf_printf(b, " (%zu %s)", done + waived, w->state[done > 0 ? DV_DONE : DV_WAIVED]);
	buf_str(b, "\n");
}

/*
 * The instances v[0 .. n) of p (in plan order), then those of other plans x[0 .. nx), with
 * their states; a milestone with more than ICAL_LIST_MAX of them summed up in one line, so
 * that an @all of hundreds of parties costs a line, not hundreds in each of hundreds of events.
 */
/*
 * The end of the run of links beginning at x[i] to one milestone of one plan, whose
 * instances go into v (room for nx).
 */
static size_t
xgroup_end(const struct xlink *x, size_t nx, size_t i, size_t *v)
{
	const struct milestone *m = x[i].plan->inst[x[i].inst].ms;
	size_t k = i;

	do
		v[k - i] = x[k].inst;
	while (++k < nx && x[k].plan == x[i].plan && x[k].plan->inst[x[k].inst].ms == m);
	return k;
}

static void
inst_list(struct render *r, struct buf *b, const char *head, const struct plan *p,
    const struct istate *st, const size_t *v, size_t n, const struct xlink *x, size_t nx,
    int pre)
{
	size_t i, end, *xv;

	if (n == 0 && nx == 0)
		return;
	buf_cat(b, head, ":\n", (char *)NULL);
	for (i = 0; i < n; i = end) {
		end = group_end(p, v, n, i);
		if (end - i > ICAL_LIST_MAX) {
			(pre ? pre_summary : dep_summary)(r, b, p, st, v + i, end - i, 0);
			continue;
		}
		for (; i < end; i++) {
			buf_str(b, "- ");
			inst_label(b, p, v[i]);
			buf_cat(b, " (", r->w->state[derived(r, p, st, v[i])], ")\n",
			    (char *)NULL);
		}
	}
	/* Another plan's steps, summed up the same way (when their states are known). */
	xv = xcalloc(nx ? nx : 1, sizeof(*xv));
	for (i = 0; i < nx; i = end) {
		end = xgroup_end(x, nx, i, xv);
		if (end - i > ICAL_LIST_MAX && x[i].st != NULL && *x[i].st != NULL) {
			(pre ? pre_summary : dep_summary)(r, b, x[i].plan, *x[i].st, xv, end - i, 1);
			continue;
		}
		for (; i < end; i++) {
			buf_str(b, "- ");
			inst_label(b, x[i].plan, x[i].inst);
			buf_printf(b, " [%s:%s]", x[i].plan->id, x[i].plan->inst[x[i].inst].key);
			if (x[i].st != NULL && *x[i].st != NULL)
				buf_printf(b, " (%s)", r->w->state[derived(r, x[i].plan, *x[i].st,
				    x[i].inst)]);
			buf_str(b, "\n");
		}
	}
	free(xv);
}

/* The event's DESCRIPTION; pre[0 .. npre): its prerequisites in this plan. */
static void
describe(struct render *r, struct buf *b, const struct plan *p, const struct istate *st,
    size_t idx, enum derived dv, const size_t *pre, size_t npre)
{
	const struct words *w = r->w;
	const struct instance *in = &p->inst[idx];
	const struct istate *s = &st[idx];
	const struct recurrence *rc = &in->ms->recur;
	const struct xlink *x;
	char a[32], c[32];
	size_t *v, n, nx;
	int fi;

	b->n = 0;
	if (in->description != NULL && in->description[0] != '\0')
		buf_cat(b, in->description, "\n\n", (char *)NULL);
	buf_cat(b, w->status, ": ", w->state[dv], "\n", w->plan, ": ",
	    p->title != NULL ? p->title : p->id, "\n", (char *)NULL);
	if (in->party != NULL)
		buf_cat(b, w->party, ": ", party_name(in->party), "\n", (char *)NULL);
	if (in->owner != NULL)
		buf_cat(b, w->owner, ": ", role_name(p, in->owner), "\n", (char *)NULL);
	ltime_format(&in->timing.due, a, sizeof(a));
	if (in->timing.on)
		buf_cat(b, w->on, ": ", a, "\n", (char *)NULL);
	else if (in->timing.from.set) {
		ltime_format(&in->timing.from, c, sizeof(c));
		buf_cat(b, w->window, ": ", c, " ", w->window_to, " ", a, "\n", (char *)NULL);
	} else
		buf_cat(b, w->due, ": ", a, "\n", (char *)NULL);
	if (in->timing.not_before.set) {
		ltime_format(&in->timing.not_before, a, sizeof(a));
		buf_cat(b, w->not_before, ": ", a, "\n", (char *)NULL);
	}
	if (rc->every > 0) {
		fi = rc->unit == 'w' ? 1 : rc->unit == 'm' ? 2 : 0;
		buf_printf(b, "%s: ", w->repeats);
		if (rc->every == 1)
			buf_str(b, w->every1[fi]);
		else
			buf_printf(b, "%s %d %s", w->every, rc->every, w->periods[fi]);
		if (rc->until.set) {
			ltime_format(&rc->until, a, sizeof(a));
			buf_printf(b, " %s %s", w->until, a);
		}
		buf_printf(b, " (%d/%d)\n", in->occ, in->nocc);
	}
	nx = links_pre(p, idx, &x);
	inst_list(r, b, w->waits, p, st, pre, npre, x, nx, 1);
	n = plan_dependents(p, idx, &v);
	nx = links_dep(p, idx, &x);
	inst_list(r, b, w->unblocks, p, st, v, n, x, nx, 0);
	free(v);
	if (s->status != ST_OPEN) {
		local_str(a, sizeof(a), p, s->at);
		buf_printf(b, "%s %s", s->status == ST_DONE ? w->done_on : w->waived_on, a);
		if (s->actor != NULL)
			buf_printf(b, " %s %s", w->by, s->actor);
		buf_str(b, "\n");
		/* termijnd's own note (the store keeps it in English) in the feed's language. */
		if (s->note != NULL && s->note[0] != '\0')
			buf_printf(b, "%s: %s\n", s->status == ST_DONE ? w->note : w->reason,
			    s->actor != NULL && strcmp(s->actor, "plan") == 0 ? w->plan_done :
			    s->note);
		if (s->overridden)
			buf_printf(b, "%s\n", w->overridden);
	} else
		buf_cat(b, w->mark_done, ": ", r->opts->how_to_done != NULL ?
		    r->opts->how_to_done : "termijn done", " ", in->key, " -p ", p->id, "\n",
		    (char *)NULL);
	/* No trailing line break in the value. */
	while (b->n > 0 && b->p[b->n - 1] == '\n')
		b->p[--b->n] = '\0';
}

/* "-P1DT15H30M" for a negative number of minutes. */
static void
fmt_trigger(char *buf, size_t len, int mins)
{
	int neg = mins < 0, d, h, m;
	size_t n;

	if (neg)
		mins = -mins;
	d = mins / 1440;
	h = mins % 1440 / 60;
	m = mins % 60;
	n = (size_t)snprintf(buf, len, "%sP", neg ? "-" : "");
	if (d > 0 || mins == 0)
		n += (size_t)snprintf(buf + n, len - n, "%dD", d);
	if (h > 0 || m > 0)
		n += (size_t)snprintf(buf + n, len - n, "T");
	if (h > 0)
		n += (size_t)snprintf(buf + n, len - n, "%dH", h);
	if (m > 0)
		snprintf(buf + n, len - n, "%dM", m);
}

/*
 * One alarm per reminder lead time, at the plan's reminder hour that many days before
 * the due date, relative to the event's end (the deadline). Past the deadline itself
 * (a same-day reminder after a morning deadline) it is an hour before.
 */
static void
alarms(struct render *r, struct buf *out, const struct plan *p, const struct instance *in,
    const struct evtime *ev, const char *summary)
{
	const int *lead = in->ms->nremind ? in->ms->remind : p->remind;
	size_t nlead = in->ms->nremind ? in->ms->nremind : p->nremind, i, j;
	int *done = xcalloc(nlead ? nlead : 1, sizeof(int)), mins, dup;
	struct ltime day;
	long days;
	char trig[64];

	for (i = 0; i < nlead; i++) {
		/* The day the e-mail goes out: on a working day, if the plan says so. */
		day = in->timing.due;
		ltime_add_days(&day, -lead[i]);
		workday_shift(p, &day, -1);
		days = daynum(day.year, day.mon, day.day) - daynum(ev->end.year, ev->end.mon,
		    ev->end.day);
		mins = (int)days * 1440 + p->remind_hour * 60 + p->remind_min -
		    (ev->end.has_time ? ev->end.hour * 60 + ev->end.min : 0);
		if (mins >= 0)
			mins = -60;
		for (dup = 0, j = 0; j < i; j++)
			if (done[j] == mins)
				dup = 1;
		done[i] = mins;
		if (dup)
			continue;
		fmt_trigger(trig, sizeof(trig), mins);
		put_raw(r, out, "BEGIN", "VALARM");
		put_raw(r, out, "ACTION", "DISPLAY");
		put_text(r, out, "DESCRIPTION", summary);
		line_start(r, "TRIGGER");
		line_param(r, "RELATED", "END");
		line_raw(r, trig);
		line_end(r, out);
		put_raw(r, out, "END", "VALARM");
	}
	free(done);
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/*
 * The moments up to now at which an instance's derived state changed by time alone; the
 * next such moment into *next.
 */
static int64_t
time_stamp(const struct instance *in, int64_t now, int *passed, int64_t *next)
{
	const int64_t t[3] = { in->deadline, in->not_before, in->opens };
	int64_t m = 0;
	size_t i;

	note_moments(next, in, now);
	for (i = 0; i < 3; i++)
		if (t[i] != 0 && t[i] <= now) {
			m = max64(m, t[i]);
			if (passed != NULL)
				(*passed)++;
		}
	return m;
}

/*
 * The last change of the steps of other plans linked with instance idx, which its event
 * shows with their titles and states: their plan's text, their states, their moments.
 */
static int64_t
xlinks_stamp(const struct plan *p, size_t idx, int64_t now, int64_t *next)
{
	const struct xlink *x;
	const struct istate *xs;
	int64_t t = 0;
	size_t i, n;
	int pre;

	for (pre = 1; pre >= 0; pre--)
		for (n = pre ? links_pre(p, idx, &x) : links_dep(p, idx, &x), i = 0; i < n; i++) {
			if ((xs = rules_xstate(&x[i])) != NULL)
				t = max64(t, xs->changed);
			if (x[i].stamp != NULL)
				t = max64(t, *x[i].stamp);
			t = max64(t, time_stamp(&x[i].plan->inst[x[i].inst], now, NULL, next));
		}
	return t;
}

/*
 * The data's last change as far as this event shows it: plan, own state, neighbours',
 * and the moments that changed a state shown by time alone (overdue, no longer blocked).
 */
static int64_t
event_stamp(const struct ical_part *pt, const struct istate *st, size_t idx, int64_t now,
    int64_t *next)
{
	const struct plan *p = pt->plan;
	const struct instance *in = &p->inst[idx];
	int64_t t = max64(pt->plan_stamp, st[idx].changed);
	size_t i, k;

	t = max64(t, time_stamp(in, now, NULL, next));
	for (i = 0; i < in->npre_runs; i++)
		for (k = in->pre_runs[i].first; k < in->pre_runs[i].first + in->pre_runs[i].n; k++)
			t = max64(max64(t, st[k].changed), time_stamp(&p->inst[k], now, NULL,
			    next));
	for (i = 0; i < in->ndep_runs; i++)
		for (k = in->dep_runs[i].first; k < in->dep_runs[i].first + in->dep_runs[i].n; k++)
			t = max64(max64(t, st[k].changed), time_stamp(&p->inst[k], now, NULL,
			    next));
	return max64(t, xlinks_stamp(p, idx, now, next));
}

/*
 * SEQUENCE: the published timing's revision, raised too by every change of the event's
 * state (done, undo, waive: the state's version) and by each moment passed that changed
 * it (overdue, not-before, window): all only ever grow, so clients that compare
 * versions show the change.
 */
static int
event_sequence(const struct ical_part *pt, const struct istate *st, size_t idx, int64_t now,
    int64_t *next)
{
	int n = pt->sequence != NULL && pt->sequence[idx] > 0 ? pt->sequence[idx] : 0;

	time_stamp(&pt->plan->inst[idx], now, &n, next);
	return n + (st[idx].version > 0 ? st[idx].version : 0);
}

static void
event_write(struct render *r, struct buf *out, const struct ical_part *pt,
    const struct istate *st, size_t idx)
{
	const struct plan *p = pt->plan;
	const struct instance *in = &p->inst[idx];
	const char *tzid = plan_tz(p);
	struct zuse *zu;
	struct evtime ev;
	enum derived dv;
	struct buf sum = { NULL, 0, 0 };
	int64_t stamp;
	const struct xlink *x;
	char when[32];
	size_t i, k, n, end, named, *pre;
	int summed;

	if (ev_times(in, &ev) == -1)
		return;		/* the parser requires a due date: nothing to place */
	zu = zone_use(r, tzid);
	zone_year(zu, ev.start.year);
	zone_year(zu, ev.end.year);
	if (!ev.allday) {
		zone_check(zu, &ev.start);
		zone_check(zu, &ev.end);
	}
	dv = derived(r, p, st, idx);

	put_raw(r, out, "BEGIN", "VEVENT");
	put_uid(r, out, "UID", p, idx);
	stamp = event_stamp(pt, st, idx, r->now, &r->next);
	fmt_utc(when, sizeof(when), stamp);
	put_raw(r, out, "DTSTAMP", when);
	if (stamp != 0)
		put_raw(r, out, "LAST-MODIFIED", when);
	snprintf(when, sizeof(when), "%d", event_sequence(pt, st, idx, r->now, &r->next));
	put_raw(r, out, "SEQUENCE", when);
	line_start(r, "DTSTART");
	line_param(r, ev.allday ? "VALUE" : "TZID", ev.allday ? "DATE" : tzid);
	line_raw(r, ev.dtstart);
	line_end(r, out);
	line_start(r, "DTEND");
	line_param(r, ev.allday ? "VALUE" : "TZID", ev.allday ? "DATE" : tzid);
	line_raw(r, ev.dtend);
	line_end(r, out);

	buf_cat(&sum, "[", r->w->state[dv], "] ", (char *)NULL);
	inst_label(&sum, p, idx);
	put_text(r, out, "SUMMARY", sum.p);
	n = plan_prereqs(p, idx, &pre);
	describe(r, &r->text, p, st, idx, dv, pre, n);
	put_text(r, out, "DESCRIPTION", r->text.p);
	put_raw(r, out, "STATUS", dv == DV_WAIVED ? "CANCELLED" : "CONFIRMED");
	put_raw(r, out, "TRANSP", "TRANSPARENT");
	/*
	 * RFC 9253: the prerequisite must finish before this one can start. Of a milestone
	 * summed up in the description, only those it names: the ones still holding it up.
	 */
	for (i = 0; i < n; i = end) {
		end = group_end(p, pre, n, i);
		for (k = i, named = 0; k < end && named < ICAL_LIST_MAX; k++) {
			if (end - i > ICAL_LIST_MAX && rules_met(&st[pre[k]]))
				continue;
			named++;
			put_uid(r, out, "RELATED-TO", p, pre[k]);
		}
	}
	free(pre);
	n = links_pre(p, idx, &x);
	pre = xcalloc(n ? n : 1, sizeof(*pre));
	for (i = 0; i < n; i = end) {
		end = xgroup_end(x, n, i, pre);
		/* Summed up (inst_list) only when its states are known. */
		summed = end - i > ICAL_LIST_MAX && x[i].st != NULL && *x[i].st != NULL;
		for (k = i, named = 0; k < end && (!summed || named < ICAL_LIST_MAX); k++) {
			if (summed && rules_met(&(*x[k].st)[x[k].inst]))
				continue;
			named++;
			put_uid(r, out, "RELATED-TO", x[k].plan, x[k].inst);
		}
	}
	free(pre);
	if (r->opts->with_alarms && st[idx].status == ST_OPEN)
		alarms(r, out, p, in, &ev, sum.p);
	put_raw(r, out, "END", "VEVENT");
	free(sum.p);
}

/* ---- the feed ---- */

static int
url_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static unsigned char *
seen_for(struct seen **v, size_t *n, const struct plan *p)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*v)[i].plan == p)
			return (*v)[i].done;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].plan = p;
	(*v)[*n].done = xcalloc(p->ninst ? p->ninst : 1, 1);
	return (*v)[(*n)++].done;
}

/* A feed being rendered, a slice at a time: events first, the calendar around them last. */
struct ical_job {
	struct ical_feed_opts	 opts;
	struct render		 r;
	struct buf		 ev;
	struct seen		*seen;
	size_t			 nseen;
	const char		*calname, *caltz;
};

struct ical_job *
ical_job_new(const struct plan *p0, const struct ical_feed_opts *opts, int64_t now,
    char **cause)
{
	struct ical_job *j;
	const char *lang;

	*cause = NULL;
	if (opts != NULL && opts->source_url != NULL && !url_ok(opts->source_url)) {
		*cause = xstrdup("the feed URL has spaces or control characters");
		return NULL;
	}
	j = xcalloc(1, sizeof(*j));
	if (opts != NULL)
		j->opts = *opts;
	j->r.opts = &j->opts;
	j->r.now = now;
	j->r.next = INT64_MAX;
	lang = j->opts.lang != NULL ? j->opts.lang : p0 != NULL && p0->lang != NULL ?
	    p0->lang : "nl";
	j->r.w = strcmp(lang, "en") == 0 ? &words_en : &words_nl;
	j->calname = j->opts.calname != NULL ? j->opts.calname : p0 != NULL &&
	    p0->title != NULL ? p0->title : "termijn";
	j->caltz = j->opts.tz != NULL ? j->opts.tz : p0 != NULL ? plan_tz(p0) : DEFAULT_TZ;
	zone_use(&j->r, j->caltz);
	return j;
}

int
ical_job_part(struct ical_job *j, const struct ical_part *pt, size_t *pos, size_t budget,
    char **cause)
{
	const struct plan *p = pt->plan;
	const struct istate *st = pt->states;
	struct istate *zero = NULL;
	unsigned char *done;
	size_t n, idx, end;

	*cause = NULL;
	if (p == NULL) {
		*cause = xstrdup("a feed part without a plan");
		return -1;
	}
	if (st == NULL)
		st = zero = xcalloc(p->ninst ? p->ninst : 1, sizeof(*zero));
	done = seen_for(&j->seen, &j->nseen, p);
	n = pt->inst != NULL ? pt->n : p->ninst;
	end = *pos + budget < n && budget > 0 ? *pos + budget : n;
	for (; *pos < end; (*pos)++) {
		idx = pt->inst != NULL ? pt->inst[*pos] : *pos;
		if (idx >= p->ninst) {
			xasprintf(cause, "plan %s has no instance %zu", p->id, idx);
			free(zero);
			return -1;
		}
		if (done[idx])
			continue;
		done[idx] = 1;
		event_write(&j->r, &j->ev, pt, st, idx);
	}
	free(zero);
	return *pos == n;
}

void
ical_job_free(struct ical_job *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->nseen; i++)
		free(j->seen[i].done);
	free(j->seen);
	for (i = 0; i < j->r.nzones; i++)
		free(j->r.zones[i].check);
	free(j->r.zones);
	free(j->r.line.p);
	free(j->r.text.p);
	free(j->ev.p);
	free(j);
}

char *
ical_job_head(struct ical_job *j, size_t *len, char **cause)
{
	struct render *r = &j->r;
	struct buf out = { NULL, 0, 0 };
	char dur[32];
	size_t i;
	int mins;

	*cause = NULL;
	put_raw(r, &out, "BEGIN", "VCALENDAR");
	put_raw(r, &out, "VERSION", "2.0");
	put_raw(r, &out, "PRODID", "-//termijn//termijn " TERMIJN_VERSION "//NL");
	put_raw(r, &out, "CALSCALE", "GREGORIAN");
	/* No METHOD: PUBLISH would need an ORGANIZER (RFC 5546); a plain feed needs neither. */
	put_text(r, &out, "X-WR-CALNAME", j->calname);
	put_text(r, &out, "NAME", j->calname);
	put_text(r, &out, "X-WR-TIMEZONE", j->caltz);
	mins = r->opts->refresh_minutes > 0 ? r->opts->refresh_minutes : 60;
	snprintf(dur, sizeof(dur), "PT%dM", mins);
	line_start(r, "REFRESH-INTERVAL");
	line_param(r, "VALUE", "DURATION");
	line_raw(r, dur);
	line_end(r, &out);
	put_raw(r, &out, "X-PUBLISHED-TTL", dur);
	if (r->opts->source_url != NULL) {
		line_start(r, "SOURCE");
		line_param(r, "VALUE", "URI");
		line_raw(r, r->opts->source_url);
		line_end(r, &out);
	}
	/* The calendar's own zone always: it gives an empty feed its one component. */
	for (i = 0; i < r->nzones; i++)
		if (vtimezone_write(r, &out, &r->zones[i], cause) == -1) {
			free(out.p);
			return NULL;
		}
	*len = out.n;
	return out.p != NULL ? out.p : xstrdup("");
}

int64_t
ical_job_next(const struct ical_job *j)
{
	return j->r.next;
}

const char *
ical_job_events(const struct ical_job *j, size_t *len)
{
	*len = j->ev.n;
	return j->ev.p != NULL ? j->ev.p : "";
}

char *
ical_job_finish(struct ical_job *j, size_t *len, char **cause)
{
	struct buf out = { NULL, 0, 0 };
	const char *ev;
	size_t hlen, elen;
	char *head;

	if ((head = ical_job_head(j, &hlen, cause)) == NULL) {
		ical_job_free(j);
		return NULL;
	}
	ev = ical_job_events(j, &elen);
	buf_add(&out, head, hlen);
	buf_add(&out, ev, elen);
	buf_add(&out, ICAL_TAIL, strlen(ICAL_TAIL));
	free(head);
	ical_job_free(j);
	*len = out.n;
	return out.p;
}

char *
ical_render(const struct ical_part *parts, size_t nparts, const struct ical_feed_opts *opts,
    int64_t now, size_t *len, char **cause)
{
	struct ical_job *j;
	size_t i, pos;

	*cause = NULL;
	for (i = 0; i < nparts; i++)
		if (parts[i].plan == NULL) {
			*cause = xstrdup("a feed part without a plan");
			return NULL;
		}
	if ((j = ical_job_new(nparts > 0 ? parts[0].plan : NULL, opts, now, cause)) == NULL)
		return NULL;
	for (i = 0; i < nparts; i++) {
		pos = 0;
		if (ical_job_part(j, &parts[i], &pos, 0, cause) == -1) {
			ical_job_free(j);
			return NULL;
		}
	}
	return ical_job_finish(j, len, cause);
}

int64_t
ical_modified(const struct ical_part *parts, size_t nparts, int64_t now, int64_t *next)
{
	const struct plan *p;
	int64_t t = 0, nx = INT64_MAX;
	size_t i, k;

	for (i = 0; i < nparts; i++) {
		p = parts[i].plan;
		t = max64(t, parts[i].plan_stamp);
		/* Every instance: a neighbour's state shows in an event's description. */
		for (k = 0; k < p->ninst; k++) {
			if (parts[i].states != NULL)
				t = max64(t, parts[i].states[k].changed);
			t = max64(t, time_stamp(&p->inst[k], now, NULL, &nx));
			if (p->xl != NULL)
				t = max64(t, xlinks_stamp(p, k, now, &nx));
		}
	}
	if (next != NULL)
		*next = nx;
	return t;
}

uint64_t
ical_timing_hash(const struct plan *p, size_t idx)
{
	struct evtime ev;
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *s[5];
	size_t i;
	const unsigned char *c;

	if (ev_times(&p->inst[idx], &ev) == -1)
		return 0;
	s[0] = plan_tz(p);
	s[1] = ev.allday ? "D" : "T";
	s[2] = ev.dtstart;
	s[3] = ev.dtend;
	s[4] = "";	/* once the RRULE: stored digests stay valid */
	for (i = 0; i < 5; i++) {
		for (c = (const unsigned char *)s[i]; *c != '\0'; c++) {
			h ^= *c;
			h *= 0x100000001b3ULL;
		}
		h ^= '|';
		h *= 0x100000001b3ULL;
	}
	return h;
}
