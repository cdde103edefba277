/* test_ical.c: the iCalendar renderer, read back with libical. */
#include <glob.h>
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

#include "ical.h"
#include "links.h"
#include "plan.h"
#include "rules.h"
#include "schedule.h"
#include "tz.h"
#include "version.h"
#include "xmalloc.h"

static const char demo_text[] =
    "# the brief's example\n"
    "plan demo\n"
    "  title Demo plan\n"
    "  timezone Europe/Amsterdam\n"
    "  language nl\n"
    "  remind 7d, 1d, 0d\n"
    "  remind-at 08:30\n"
    "role secretaris\n"
    "  name Gemeentesecretaris\n"
    "party staphorst\n"
    "  name Gemeente Staphorst\n"
    "  role secretaris secretaris@staphorst.example\n"
    "party zwartewaterland\n"
    "  name Gemeente Zwartewaterland\n"
    "  role secretaris secretaris@zwartewaterland.example\n"
    "milestone collegebesluit\n"
    "  title Collegebesluit bestuursopdracht\n"
    "  description\n"
    "    Het college besluit over de bestuursopdracht, en over het gastheermodel.\n"
    "    Tweede regel; met \\ een backslash.\n"
    "  owner secretaris\n"
    "  parties all\n"
    "  due 2013-12-17\n"
    "milestone briefing\n"
    "  title Personeel geïnformeerd\n"
    "  owner secretaris\n"
    "  parties all\n"
    "  not-before 2013-12-19 08:00\n"
    "  due 2013-12-19 12:00\n"
    "  requires collegebesluit@all\n"
    "milestone raad\n"
    "  title Raadsbespreking\n"
    "  owner secretaris\n"
    "  parties all\n"
    "  window 2014-01-06 .. 2014-01-31\n"
    "  for zwartewaterland\n"
    "    title Bespreking in de gemeenteraad\n"
    "milestone terugkoppeling\n"
    "  title Terugkoppeling burgemeesters\n"
    "  owner secretaris\n"
    "  due 2014-01-07 10:00\n"
    "  repeat every 2 weeks until 2014-03-01\n"
    "milestone voortgang\n"
    "  title Voortgangsrapportage\n"
    "  owner secretaris\n"
    "  due 2014-01-10\n"
    "  repeat every 1 months until 2014-03-01\n";

/* Instances of the demo plan, in plan order. */
enum {
	COL_ST, COL_ZW, BRIEF_ST, BRIEF_ZW, RAAD_ST, RAAD_ZW,
	TERUG, TERUG2, TERUG3, TERUG4,	/* 01-07, 01-21, 02-04, 02-18 */
	VOORT, VOORT2,			/* 01-10, 02-10 */
	NDEMO
};

static const char dst_text[] =
    "plan dst\n"
    "  title Zomertijd\n"
    "  timezone Europe/Amsterdam\n"
    "role r\n  address r@x.example\n"
    "  name R\n"
    "milestone winter\n"
    "  title Winter\n"
    "  owner r\n"
    "  window 2014-01-15 09:00 .. 2014-01-15 11:00\n"
    "milestone summer\n"
    "  title Zomer\n"
    "  owner r\n"
    "  due 2014-07-15 09:30\n";

static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm);
}

static struct plan *
load(const char *text)
{
	struct errlist errs = { 0 };
	struct plan *p;
	size_t i;

	p = plan_parse("test.plan", text, strlen(text), &errs);
	for (i = 0; i < errs.n; i++)
		print_error("%s\n", errs.msg[i]);
	errlist_free(&errs);
	assert_non_null(p);
	return p;
}

/* Checks every physical line: CRLF, at most 75 octets, whole UTF-8 characters only. */
static void
check_lines(const char *s, size_t len)
{
	size_t i = 0, start, n, k;
	const unsigned char *u = (const unsigned char *)s;

	assert_int_equal(strlen(s), len);
	assert_true(len >= 2);
	while (i < len) {
		start = i;
		while (i < len && s[i] != '\r' && s[i] != '\n')
			i++;
		assert_true(i + 1 < len + 1);
		assert_int_equal(s[i], '\r');
		assert_int_equal(s[i + 1], '\n');
		n = i - start;
		if (n > 75)
			print_error("long line: %.*s\n", (int)n, s + start);
		assert_true(n <= 75);
		assert_true(n > 0);
		/* Each physical line decodes alone: no character is cut by a fold. */
		for (k = start; k < i;) {
			if (u[k] < 0x80)
				k++;
			else if ((u[k] & 0xe0) == 0xc0 && k + 1 < i && (u[k + 1] & 0xc0) == 0x80)
				k += 2;
			else if ((u[k] & 0xf0) == 0xe0 && k + 2 < i && (u[k + 1] & 0xc0) == 0x80 &&
			    (u[k + 2] & 0xc0) == 0x80)
				k += 3;
			else if ((u[k] & 0xf8) == 0xf0 && k + 3 < i && (u[k + 1] & 0xc0) == 0x80 &&
			    (u[k + 2] & 0xc0) == 0x80 && (u[k + 3] & 0xc0) == 0x80)
				k += 4;
			else
				fail_msg("broken UTF-8 in line: %.*s", (int)n, s + start);
		}
		i += 2;
	}
}

/* The text with folds undone, to look for whole content lines. */
static char *
unfold(const char *s)
{
	char *o = xstrdup(s), *d = o;

	for (; *s != '\0'; s++) {
		if (s[0] == '\r' && s[1] == '\n' && s[2] == ' ') {
			s += 2;
			continue;
		}
		*d++ = *s;
	}
	*d = '\0';
	return o;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static char *
render(const struct ical_part *parts, size_t nparts, const struct ical_feed_opts *o,
    int64_t now)
{
	char *cause = NULL, *s;
	size_t len = 0;

	s = ical_render(parts, nparts, o, now, &len, &cause);
	if (s == NULL)
		fail_msg("ical_render: %s", cause);
	assert_null(cause);
	check_lines(s, len);
	return s;
}

static icalcomponent *
parse(const char *s)
{
	icalcomponent *c = icalparser_parse_string(s);

	assert_non_null(c);
	assert_int_equal(icalcomponent_isa(c), ICAL_VCALENDAR_COMPONENT);
	assert_int_equal(icalcomponent_count_errors(c), 0);
	return c;
}

static icalcomponent *
event(icalcomponent *cal, const char *uid)
{
	icalcomponent *e;

	for (e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); e != NULL;
	    e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		if (strcmp(icalcomponent_get_uid(e), uid) == 0)
			return e;
	fail_msg("no event %s", uid);
	return NULL;
}

static int
nevents(icalcomponent *cal)
{
	return icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT);
}

static const char *
xprop(icalcomponent *c, const char *name)
{
	icalproperty *p;

	for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY))
		if (strcmp(icalproperty_get_property_name(p), name) == 0)
			return icalproperty_get_value_as_string(p);
	return NULL;
}

static void
assert_date(struct icaltimetype t, int y, int m, int d)
{
	assert_true(t.is_date);
	assert_int_equal(t.year, y);
	assert_int_equal(t.month, m);
	assert_int_equal(t.day, d);
}

/* A local time in the calendar's own VTIMEZONE (not libical's built-in) as UTC. */
static int64_t
as_utc(struct icaltimetype t)
{
	assert_false(t.is_date);
	assert_non_null(t.zone);
	assert_string_equal(icaltimezone_get_tzid((icaltimezone *)t.zone), "Europe/Amsterdam");
	return (int64_t)icaltime_as_timet_with_zone(t, t.zone);
}

static void
test_demo_events(void **state)
{
	struct plan *p = load(demo_text);
	struct ical_part part = { p, NULL, NULL, 0, NULL, 0 };
	struct ical_feed_opts o = { "Termijn — demo", NULL, NULL, 30, 0, NULL, NULL };
	icalcomponent *cal, *e, *tz, *obs;
	icalproperty *pr;
	icalparameter *pa;
	struct icalrecurrencetype rr;
	char *s, *u;
	int nstd = 0, ndl = 0;

	(void)state;
	assert_int_equal(p->ninst, NDEMO);
	s = render(&part, 1, &o, utc(2013, 12, 16, 8, 0));
	u = unfold(s);
	cal = parse(s);
	assert_int_equal(nevents(cal), NDEMO);

	/* The calendar's own properties, in their fixed order. */
	assert_true(starts(s, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//termijn//termijn " TERMIJN_VERSION "//NL\r\nCALSCALE:GREGORIAN\r\n"
	    "X-WR-CALNAME:Termijn — demo\r\nNAME:Termijn — demo\r\n"));
	assert_non_null(strstr(u, "\r\nX-WR-TIMEZONE:Europe/Amsterdam\r\n"));
	assert_non_null(strstr(u, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT30M\r\n"));
	assert_non_null(strstr(u, "\r\nX-PUBLISHED-TTL:PT30M\r\n"));
	assert_string_equal(xprop(cal, "X-WR-CALNAME"), "Termijn — demo");
	assert_null(strstr(s, "VALARM"));
	assert_null(strstr(s, "freeassociation"));
	assert_null(strstr(s, "SOURCE"));

	/* One compact VTIMEZONE: this year's rules, open-ended. */
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 1);
	tz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
	assert_string_equal(icalproperty_get_tzid(icalcomponent_get_first_property(tz,
	    ICAL_TZID_PROPERTY)), "Europe/Amsterdam");
	for (obs = icalcomponent_get_first_component(tz, ICAL_ANY_COMPONENT); obs != NULL;
	    obs = icalcomponent_get_next_component(tz, ICAL_ANY_COMPONENT)) {
		if (icalcomponent_isa(obs) == ICAL_XSTANDARD_COMPONENT)
			nstd++;
		else if (icalcomponent_isa(obs) == ICAL_XDAYLIGHT_COMPONENT)
			ndl++;
		pr = icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY);
		assert_non_null(pr);
		rr = icalproperty_get_rrule(pr);
		assert_int_equal(rr.freq, ICAL_YEARLY_RECURRENCE);
		assert_true(icaltime_is_null_time(rr.until));
	}
	assert_int_equal(nstd, 1);
	assert_int_equal(ndl, 1);

	/* A date: all day, DTEND the next day. */
	e = event(cal, "collegebesluit@staphorst@demo.termijn");
	assert_date(icalcomponent_get_dtstart(e), 2013, 12, 17);
	assert_date(icalcomponent_get_dtend(e), 2013, 12, 18);
	assert_string_equal(icalcomponent_get_summary(e),
	    "[kan nu] Collegebesluit bestuursopdracht — Gemeente Staphorst");
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CONFIRMED);
	assert_int_equal(icalcomponent_get_sequence(e), 0);
	assert_non_null(strstr(icalcomponent_get_description(e),
	    "Het college besluit over de bestuursopdracht, en over het gastheermodel.\n"
	    "Tweede regel; met \\ een backslash.\n\nStatus: kan nu\n"));
	assert_non_null(strstr(icalcomponent_get_description(e), "Eigenaar: Gemeentesecretaris\n"));
	assert_non_null(strstr(icalcomponent_get_description(e), "Uiterlijk: 2013-12-17\n"));
	assert_non_null(strstr(icalcomponent_get_description(e), "Maakt mogelijk:\n"
	    "- Personeel geïnformeerd — Gemeente Staphorst (geblokkeerd)\n"
	    "- Personeel geïnformeerd — Gemeente Zwartewaterland (geblokkeerd)\n"));
	assert_non_null(strstr(icalcomponent_get_description(e),
	    "Afvinken: termijn done collegebesluit@staphorst -p demo"));
	assert_null(icalcomponent_get_first_property(e, ICAL_RELATEDTO_PROPERTY));
	assert_non_null(strstr(u, "UID:collegebesluit@staphorst@demo.termijn\r\n"
	    "DTSTAMP:19700101T000000Z\r\nSEQUENCE:0\r\nDTSTART;VALUE=DATE:20131217\r\n"
	    "DTEND;VALUE=DATE:20131218\r\n"));

	/*
	 * A deadline at a time with a not-before: one event from the not-before (08:00) to
	 * the deadline (12:00), not the last 30 minutes; blocked, two prerequisites.
	 */
	e = event(cal, "briefing@zwartewaterland@demo.termijn");
	assert_int_equal(as_utc(icalcomponent_get_dtstart(e)), utc(2013, 12, 19, 7, 0));
	assert_int_equal(as_utc(icalcomponent_get_dtend(e)), utc(2013, 12, 19, 11, 0));
	assert_non_null(strstr(u, "DTSTART;TZID=Europe/Amsterdam:20131219T080000\r\n"
	    "DTEND;TZID=Europe/Amsterdam:20131219T120000\r\n"));
	assert_null(strstr(u, "\r\nMETHOD:"));
	assert_string_equal(icalcomponent_get_summary(e),
	    "[geblokkeerd] Personeel geïnformeerd — Gemeente Zwartewaterland");
	assert_non_null(strstr(icalcomponent_get_description(e),
	    "Niet vóór: 2013-12-19 08:00\nWacht op:\n"
	    "- Collegebesluit bestuursopdracht — Gemeente Staphorst (kan nu)\n"
	    "- Collegebesluit bestuursopdracht — Gemeente Zwartewaterland (kan nu)\n"));
	pr = icalcomponent_get_first_property(e, ICAL_RELATEDTO_PROPERTY);
	assert_non_null(pr);
	assert_string_equal(icalproperty_get_relatedto(pr), "collegebesluit@staphorst@demo.termijn");
	pa = icalproperty_get_first_parameter(pr, ICAL_RELTYPE_PARAMETER);
	assert_non_null(pa);
	assert_string_equal(icalparameter_get_xvalue(pa), "FINISHTOSTART");
	pr = icalcomponent_get_next_property(e, ICAL_RELATEDTO_PROPERTY);
	assert_string_equal(icalproperty_get_relatedto(pr),
	    "collegebesluit@zwartewaterland@demo.termijn");
	assert_null(icalcomponent_get_next_property(e, ICAL_RELATEDTO_PROPERTY));
	assert_int_equal(count(u, "RELATED-TO;RELTYPE=FINISHTOSTART:collegebesluit@staphorst@"
	    "demo.termijn\r\n"), 2);

	/* A window of dates: inclusive in the plan, DTEND exclusive; a per-party title. */
	e = event(cal, "raad@zwartewaterland@demo.termijn");
	assert_date(icalcomponent_get_dtstart(e), 2014, 1, 6);
	assert_date(icalcomponent_get_dtend(e), 2014, 2, 1);
	assert_string_equal(icalcomponent_get_summary(e),
	    "[geblokkeerd] Bespreking in de gemeenteraad — Gemeente Zwartewaterland");
	assert_non_null(strstr(icalcomponent_get_description(e),
	    "Periode: 2014-01-06 t/m 2014-01-31\n"));
	e = event(cal, "raad@staphorst@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e),
	    "[geblokkeerd] Raadsbespreking — Gemeente Staphorst");

	/* Once, not per party: no party in the title. */
	e = event(cal, "terugkoppeling/2014-01-07@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e), "[kan nu] Terugkoppeling burgemeesters");

	icalcomponent_free(cal);
	free(u);
	free(s);
	plan_free(p);
}

static void
set_state(struct istate *s, enum status st, int64_t at, const char *actor, const char *note)
{
	s->status = st;
	s->at = at;
	s->changed = at;
	s->actor = actor ? xstrdup(actor) : NULL;
	s->note = note ? xstrdup(note) : NULL;
	s->version = 1;
}

static void
states_free(struct istate *st, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		istate_clear(&st[i]);
	free(st);
}

static const char monthly_text[] =
    "plan maand\n  title Maand\n  timezone Europe/Amsterdam\n"
    "role r\n  address r@x.example\n"
    "milestone rapport\n  title Rapport\n  owner r\n  due 2014-01-31\n"
    "  repeat every 1 month until 2014-06-30\n  remind 0d\n";

/* Each occurrence is an event of its own, with its own state: no RRULE to read two ways. */
static void
test_recurrence(void **state)
{
	struct plan *p = load(demo_text);
	struct istate *st = xcalloc(p->ninst, sizeof(*st));
	struct ical_part part = { p, st, NULL, 0, NULL, 0 };
	icalcomponent *cal, *e;
	char *s;
	static const int day[] = { 7, 21, 4, 18 };
	int i;

	(void)state;
	set_state(&st[TERUG], ST_DONE, utc(2014, 1, 7, 9, 0), "jan", NULL);
	s = render(&part, 1, NULL, utc(2014, 1, 22, 8, 0));
	cal = parse(s);
	assert_int_equal(nevents(cal), NDEMO);
	for (e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); e != NULL;
	    e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		assert_null(icalcomponent_get_first_property(e, ICAL_RRULE_PROPERTY));
	for (i = 0; i < 4; i++) {
		char uid[64];
		struct icaltimetype t;

		snprintf(uid, sizeof(uid), "terugkoppeling/2014-%02d-%02d@demo.termijn",
		    i < 2 ? 1 : 2, day[i]);
		e = event(cal, uid);
		t = icalcomponent_get_dtend(e);
		assert_int_equal(t.month, i < 2 ? 1 : 2);
		assert_int_equal(t.day, day[i]);
		assert_int_equal(t.hour, 10);
		/* A time of day without a not-before: the 30 minutes before it. */
		t = icalcomponent_get_dtstart(e);
		assert_int_equal(t.hour * 60 + t.minute, 9 * 60 + 30);
		assert_non_null(strstr(icalcomponent_get_description(e),
		    "Herhaalt: elke 2 weken tot en met 2014-03-01"));
	}
	/* The first is done; the second is overdue on its own; the later ones are open. */
	assert_true(starts(icalcomponent_get_summary(event(cal,
	    "terugkoppeling/2014-01-07@demo.termijn")), "[klaar]"));
	assert_true(starts(icalcomponent_get_summary(event(cal,
	    "terugkoppeling/2014-01-21@demo.termijn")), "[te laat]"));
	assert_true(starts(icalcomponent_get_summary(event(cal,
	    "terugkoppeling/2014-02-04@demo.termijn")), "[kan nu]"));
	assert_non_null(strstr(icalcomponent_get_description(event(cal,
	    "terugkoppeling/2014-02-04@demo.termijn")), "(3/4)"));
	assert_date(icalcomponent_get_dtstart(event(cal, "voortgang/2014-02-10@demo.termijn")),
	    2014, 2, 10);
	icalcomponent_free(cal);
	free(s);
	states_free(st, p->ninst);
	plan_free(p);
}

/* A monthly series on the 31st: the calendar and the reminders name the same days. */
static void
test_recurrence_month_end(void **state)
{
	struct plan *p = load(monthly_text);
	struct ical_part part = { p, NULL, NULL, 0, NULL, 0 };
	static const int mon[] = { 1, 2, 3, 4, 5, 6 }, day[] = { 31, 28, 31, 30, 31, 30 };
	struct occurrence *occ;
	struct istate *st;
	icalcomponent *cal, *e;
	struct ltime lt;
	char *s;
	size_t n, i, k;

	(void)state;
	assert_int_equal(p->ninst, 6);
	s = render(&part, 1, NULL, utc(2014, 1, 1, 8, 0));
	cal = parse(s);
	assert_int_equal(nevents(cal), 6);
	st = xcalloc(p->ninst, sizeof(*st));
	n = schedule_between(p, st, utc(2014, 1, 1, 0, 0), utc(2014, 7, 1, 0, 0), &occ);
	for (i = k = 0, e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); i < 6;
	    i++, e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		assert_non_null(e);
		assert_date(icalcomponent_get_dtstart(e), 2014, mon[i], day[i]);
		while (k < n && occ[k].kind != RK_LEAD)
			k++;
		assert_true(k < n);
		assert_int_equal(occ[k].inst, i);
		tz_from_utc(p->tz, occ[k].when, &lt);
		assert_int_equal(lt.mon, mon[i]);
		assert_int_equal(lt.day, day[i]);
		k++;
	}
	free(st);
	free(occ);
	icalcomponent_free(cal);
	free(s);
	plan_free(p);
}

/* Time alone (a step becoming overdue) and a waive move DTSTAMP and raise SEQUENCE. */
static void
test_stamp_moves_with_time_and_waive(void **state)
{
	struct plan *p = load(demo_text);
	struct istate *st = xcalloc(p->ninst, sizeof(*st));
	struct ical_part part = { p, st, NULL, 0, NULL, 0 };
	const char *uid = "collegebesluit@zwartewaterland@demo.termijn";
	char *a, *b, *c, *sa, *sb, *sc;
	icalcomponent *ca, *cb, *cc;
	int qa, qb, qc;

	(void)state;
	a = render(&part, 1, NULL, utc(2013, 12, 16, 8, 0));
	b = render(&part, 1, NULL, utc(2013, 12, 18, 8, 0));	/* overdue since midnight */
	set_state(&st[COL_ZW], ST_WAIVED, utc(2013, 12, 18, 9, 0), "piet", "Al besloten");
	c = render(&part, 1, NULL, utc(2013, 12, 18, 9, 30));
	ca = parse(a);
	cb = parse(b);
	cc = parse(c);
	qa = icalcomponent_get_sequence(event(ca, uid));
	qb = icalcomponent_get_sequence(event(cb, uid));
	qc = icalcomponent_get_sequence(event(cc, uid));
	assert_true(qb > qa);
	assert_true(qc > qb);
	sa = xstrdup(icaltime_as_ical_string(icalcomponent_get_dtstamp(event(ca, uid))));
	sb = xstrdup(icaltime_as_ical_string(icalcomponent_get_dtstamp(event(cb, uid))));
	sc = xstrdup(icaltime_as_ical_string(icalcomponent_get_dtstamp(event(cc, uid))));
	assert_string_equal(sb, "20131217T230000Z");	/* the deadline that passed */
	assert_string_equal(sc, "20131218T090000Z");	/* the waive */
	assert_true(strcmp(sa, sb) < 0);
	assert_true(starts(icalcomponent_get_summary(event(cb, uid)), "[te laat]"));
	assert_true(starts(icalcomponent_get_summary(event(cc, uid)), "[vervallen]"));
	free(sa);
	free(sb);
	free(sc);
	icalcomponent_free(ca);
	icalcomponent_free(cb);
	icalcomponent_free(cc);
	free(a);
	free(b);
	free(c);
	states_free(st, p->ninst);
	plan_free(p);
}

static void
test_states(void **state)
{
	struct plan *p = load(demo_text);
	struct istate *st = xcalloc(p->ninst, sizeof(*st));
	int seq[NDEMO] = { 0, 0, 3 };
	struct ical_part part = { p, st, NULL, 0, seq, utc(2013, 11, 25, 12, 0) };
	struct ical_feed_opts o = { "x", NULL, NULL, 0, 0, "termijn -s /run/t.sock done", NULL };
	icalcomponent *cal, *e;
	const char *d;
	char *s, *u;

	(void)state;
	/* Staphorst's college decided on time, Zwartewaterland's was waived. */
	set_state(&st[COL_ST], ST_DONE, utc(2013, 12, 17, 14, 0), "jan", "Besluit 2013/481");
	set_state(&st[COL_ZW], ST_WAIVED, utc(2013, 12, 18, 9, 15), "piet", "Al besloten");
	/* Staphorst's staff informed late. */
	set_state(&st[BRIEF_ST], ST_DONE, utc(2013, 12, 19, 12, 0), "jan", NULL);
	st[BRIEF_ST].overridden = 1;
	s = render(&part, 1, &o, utc(2013, 12, 20, 9, 0));
	u = unfold(s);
	cal = parse(s);
	assert_int_equal(nevents(cal), NDEMO);
	assert_int_equal(count(s, "REFRESH-INTERVAL;VALUE=DURATION:PT60M\r\n"), 1);

	e = event(cal, "collegebesluit@staphorst@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e),
	    "[klaar] Collegebesluit bestuursopdracht — Gemeente Staphorst");
	d = icalcomponent_get_description(e);
	assert_non_null(strstr(d, "Klaar op 2013-12-17 15:00 door jan\nNotitie: Besluit 2013/481"));
	assert_null(strstr(d, "Afvinken"));
	/*
	 * Stamped with the data: the latest of the plan and this and its neighbours' state.
	 * SEQUENCE: its state's version (done once) and its deadline passed.
	 */
	assert_non_null(strstr(u, "UID:collegebesluit@staphorst@demo.termijn\r\n"
	    "DTSTAMP:20131219T120000Z\r\nLAST-MODIFIED:20131219T120000Z\r\nSEQUENCE:2\r\n"));

	e = event(cal, "collegebesluit@zwartewaterland@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e),
	    "[vervallen] Collegebesluit bestuursopdracht — Gemeente Zwartewaterland");
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CANCELLED);
	assert_non_null(strstr(icalcomponent_get_description(e),
	    "Vervallen op 2013-12-18 10:15 door piet\nReden: Al besloten"));

	e = event(cal, "briefing@staphorst@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e),
	    "[te laat klaar] Personeel geïnformeerd — Gemeente Staphorst");
	/* 3 timing revisions, one done, its not-before and its deadline passed. */
	assert_int_equal(icalcomponent_get_sequence(e), 6);
	d = icalcomponent_get_description(e);
	assert_non_null(strstr(d, "Afgevinkt met voorrang op de regels."));
	assert_non_null(strstr(d, "Wacht op:\n"
	    "- Collegebesluit bestuursopdracht — Gemeente Staphorst (klaar)\n"
	    "- Collegebesluit bestuursopdracht — Gemeente Zwartewaterland (vervallen)\n"));

	e = event(cal, "briefing@zwartewaterland@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e),
	    "[te laat] Personeel geïnformeerd — Gemeente Zwartewaterland");
	assert_non_null(strstr(icalcomponent_get_description(e),
	    "Afvinken: termijn -s /run/t.sock done briefing@zwartewaterland -p demo"));
	/* Never changed: the plan's stamp. */
	assert_non_null(strstr(u, "UID:raad@staphorst@demo.termijn\r\n"
	    "DTSTAMP:20131125T120000Z\r\nLAST-MODIFIED:20131125T120000Z\r\n"));
	icalcomponent_free(cal);
	free(u);
	free(s);

	/* The same in English. */
	o.lang = "en";
	o.how_to_done = NULL;
	s = render(&part, 1, &o, utc(2013, 12, 20, 9, 0));
	cal = parse(s);
	e = event(cal, "collegebesluit@staphorst@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e),
	    "[done] Collegebesluit bestuursopdracht — Gemeente Staphorst");
	assert_non_null(strstr(icalcomponent_get_description(e),
	    "Done on 2013-12-17 15:00 by jan\nNote: Besluit 2013/481"));
	e = event(cal, "collegebesluit@zwartewaterland@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e),
	    "[waived] Collegebesluit bestuursopdracht — Gemeente Zwartewaterland");
	e = event(cal, "briefing@staphorst@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e),
	    "[done late] Personeel geïnformeerd — Gemeente Staphorst");
	e = event(cal, "briefing@zwartewaterland@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e),
	    "[overdue] Personeel geïnformeerd — Gemeente Zwartewaterland");
	d = icalcomponent_get_description(e);
	assert_non_null(strstr(d, "Status: overdue\nPlan: Demo plan\nParty: Gemeente "
	    "Zwartewaterland\nOwner: Gemeentesecretaris\nDue: 2013-12-19 12:00\n"
	    "Not before: 2013-12-19 08:00\nWaits for:\n"));
	assert_non_null(strstr(d, "Mark done: termijn done briefing@zwartewaterland -p demo"));
	e = event(cal, "raad@staphorst@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e), "[blocked] Raadsbespreking — Gemeente Staphorst");
	assert_non_null(strstr(icalcomponent_get_description(e), "Window: 2014-01-06 to 2014-01-31\n"));
	icalcomponent_free(cal);
	free(s);

	/* Blocked, in English. */
	s = render(&part, 1, &o, utc(2013, 12, 16, 9, 0));
	cal = parse(s);
	e = event(cal, "raad@zwartewaterland@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e),
	    "[blocked] Bespreking in de gemeenteraad — Gemeente Zwartewaterland");
	icalcomponent_free(cal);
	free(s);
	states_free(st, p->ninst);
	st = xcalloc(p->ninst, sizeof(*st));
	part.states = st;
	s = render(&part, 1, &o, utc(2013, 12, 16, 9, 0));
	cal = parse(s);
	assert_string_equal(icalcomponent_get_summary(event(cal,
	    "briefing@staphorst@demo.termijn")),
	    "[blocked] Personeel geïnformeerd — Gemeente Staphorst");
	icalcomponent_free(cal);
	free(s);
	states_free(st, p->ninst);
	plan_free(p);
}

static const char long_nl[] =
    "De gemeentesecretarissen van Staphorst, Steenwijkerland en Zwartewaterland "
    "hebben op 25 november de startnotitie ‘Samenwerking bedrijfsvoering’ "
    "vastgesteld; het personeel wordt geïnformeerd, de ondernemingsraden worden "
    "betrokken en de coëxistentie van drie organisaties blijft het uitgangspunt — "
    "één werkwijze, geen fusie. Café-overleg: ’s ochtends, ná het collegebesluit.";

static void
test_text_roundtrip(void **state)
{
	struct plan *p = load(demo_text);
	struct istate *st = xcalloc(p->ninst, sizeof(*st));
	struct ical_part part = { p, st, NULL, 0, NULL, 0 };
	const char *inject = "Persbericht\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:x";
	const char *tricky = "A, B; C \\ D\\n E;\\,,";
	char *pad[4], *s, *u;
	icalcomponent *cal, *e;
	size_t i;

	(void)state;
	assert_true(strlen(long_nl) > 100);
	/* Titles as if they came from a run-time "termijn add": anything at all. */
	p->inst[COL_ST].title = tricky;
	p->inst[COL_ZW].title = inject;
	p->inst[RAAD_ST].title = long_nl;
	p->inst[RAAD_ST].description = "Regel één\nRegel twee, met ; en \\\n\nNa een witregel.";
	/* The long text at every alignment, so that folds fall inside characters. */
	for (i = 0; i < 4; i++) {
		xasprintf(&pad[i], "%.*s%s", (int)i + 1, "xxxx", long_nl);
		if (i == 0)
			p->inst[RAAD_ZW].title = pad[i];
		else if (i == 1)
			p->inst[TERUG].title = pad[i];
		else if (i == 2)
			p->inst[VOORT].title = pad[i];
		else
			p->inst[BRIEF_ST].description = pad[i];
	}
	set_state(&st[BRIEF_ZW], ST_DONE, utc(2013, 12, 19, 9, 0), "jan\r\nEND:VEVENT",
	    "klaar;\r\nBEGIN:VALARM\nmet\\ ,komma\001en\x7f stuurtekens \xff\xfe kapot");
	s = render(&part, 1, NULL, utc(2013, 12, 16, 8, 0));
	u = unfold(s);
	cal = parse(s);
	assert_int_equal(nevents(cal), NDEMO);
	/* As lines, the markers are only ours (a fold's next line starts with a blank). */
	assert_int_equal(count(s, "\r\nBEGIN:VEVENT\r\n"), NDEMO);
	assert_int_equal(count(s, "\r\nEND:VEVENT\r\n"), NDEMO);
	assert_null(strstr(s, "\r\nUID:evil"));
	assert_null(strstr(s, "\r\nBEGIN:VALARM"));

	e = event(cal, "collegebesluit@staphorst@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e), "[kan nu] A, B; C \\ D\\n E;\\,, — "
	    "Gemeente Staphorst");
	assert_non_null(strstr(u, "SUMMARY:[kan nu] A\\, B\\; C \\\\ D\\\\n E\\;\\\\\\,\\, — "));
	/* CR LF has no place in TEXT: it comes back as a line break, harmless. */
	e = event(cal, "collegebesluit@zwartewaterland@demo.termijn");
	assert_string_equal(icalcomponent_get_summary(e), "[kan nu] Persbericht\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:evil\nSUMMARY:x — Gemeente Zwartewaterland");
	e = event(cal, "raad@staphorst@demo.termijn");
	/* Before its window opens (6 January) the council step is blocked. */
	assert_string_equal(icalcomponent_get_summary(e), "[geblokkeerd] De gemeentesecretarissen van "
	    "Staphorst, Steenwijkerland en Zwartewaterland hebben op 25 november de startnotitie "
	    "‘Samenwerking bedrijfsvoering’ vastgesteld; het personeel wordt geïnformeerd, de "
	    "ondernemingsraden worden betrokken en de coëxistentie van drie organisaties blijft "
	    "het uitgangspunt — één werkwijze, geen fusie. Café-overleg: ’s ochtends, ná het "
	    "collegebesluit. — Gemeente Staphorst");
	assert_true(starts(icalcomponent_get_description(e), "Regel één\nRegel twee, met ; en "
	    "\\\n\nNa een witregel.\n\nStatus: geblokkeerd\n"));
	for (i = 0; i < 3; i++) {
		char *want;

		xasprintf(&want, "[%s] %s%s", i == 0 ? "geblokkeerd" : "kan nu", pad[i],
		    i == 0 ? " — Gemeente Zwartewaterland" : "");
		e = event(cal, i == 0 ? "raad@zwartewaterland@demo.termijn" : i == 1 ?
		    "terugkoppeling/2014-01-07@demo.termijn" : "voortgang/2014-01-10@demo.termijn");
		assert_string_equal(icalcomponent_get_summary(e), want);
		free(want);
	}
	e = event(cal, "briefing@staphorst@demo.termijn");
	assert_true(starts(icalcomponent_get_description(e), pad[3]));
	/* Control characters dropped, bytes that are not UTF-8 replaced. */
	e = event(cal, "briefing@zwartewaterland@demo.termijn");
	assert_non_null(strstr(icalcomponent_get_description(e), "Klaar op 2013-12-19 10:00 door "
	    "jan\nEND:VEVENT\nNotitie: klaar;\nBEGIN:VALARM\nmet\\ ,kommaen stuurtekens "
	    "\xef\xbf\xbd\xef\xbf\xbd kapot"));
	icalcomponent_free(cal);
	for (i = 0; i < 4; i++)
		free(pad[i]);
	free(u);
	free(s);
	states_free(st, p->ninst);
	plan_free(p);
}

static void
test_deterministic(void **state)
{
	struct plan *p = load(demo_text), *q = load(demo_text);
	struct ical_part a = { p, NULL, NULL, 0, NULL, 1000 }, b = { q, NULL, NULL, 0, NULL, 1000 };
	char *s1, *s2, *s3, *s4;

	(void)state;
	s1 = render(&a, 1, NULL, utc(2013, 12, 1, 8, 0));
	s2 = render(&a, 1, NULL, utc(2013, 12, 1, 8, 0));
	assert_string_equal(s1, s2);
	/* Another parse of the same text, a later moment with the same derived state. */
	s3 = render(&b, 1, NULL, utc(2013, 12, 2, 17, 0));
	assert_string_equal(s1, s3);
	/* A deadline passed: the state shown changes, so do the bytes. */
	s4 = render(&b, 1, NULL, utc(2013, 12, 18, 0, 0));
	assert_string_not_equal(s1, s4);
	assert_non_null(strstr(s4, "SUMMARY:[te laat] Collegebesluit"));
	free(s1);
	free(s2);
	free(s3);
	free(s4);
	plan_free(p);
	plan_free(q);
}

static void
test_dst(void **state)
{
	struct plan *p = load(dst_text);
	struct ical_part part = { p, NULL, NULL, 0, NULL, 0 };
	icalcomponent *cal, *e;
	char *s, *u;

	(void)state;
	s = render(&part, 1, NULL, utc(2013, 12, 1, 0, 0));
	u = unfold(s);
	cal = parse(s);
	assert_int_equal(nevents(cal), 2);
	/* 09:00 local both times; CET in January, CEST in July. */
	assert_non_null(strstr(u, "DTSTART;TZID=Europe/Amsterdam:20140115T090000\r\n"
	    "DTEND;TZID=Europe/Amsterdam:20140115T110000\r\n"));
	assert_non_null(strstr(u, "DTSTART;TZID=Europe/Amsterdam:20140715T090000\r\n"
	    "DTEND;TZID=Europe/Amsterdam:20140715T093000\r\n"));
	e = event(cal, "winter@dst.termijn");
	assert_int_equal(as_utc(icalcomponent_get_dtstart(e)), utc(2014, 1, 15, 8, 0));
	assert_int_equal(as_utc(icalcomponent_get_dtend(e)), utc(2014, 1, 15, 10, 0));
	e = event(cal, "summer@dst.termijn");
	assert_int_equal(as_utc(icalcomponent_get_dtstart(e)), utc(2014, 7, 15, 7, 0));
	assert_int_equal(as_utc(icalcomponent_get_dtend(e)), utc(2014, 7, 15, 7, 30));
	/* And what the parser computed agrees. */
	assert_int_equal(p->inst[1].deadline, utc(2014, 7, 15, 7, 30));
	icalcomponent_free(cal);
	free(u);
	free(s);
	plan_free(p);
}

/* Windows that mix dates and times, and deadlines near midnight. */
static void
test_timing_shapes(void **state)
{
	static const char text[] =
	    "plan shapes\n  title Vormen\nrole r\n  address r@x.example\n"
	    "milestone a\n  title A\n  owner r\n  window 2014-03-03 .. 2014-03-05 12:00\n"
	    "milestone b\n  title B\n  owner r\n  window 2014-03-03 09:00 .. 2014-03-04\n"
	    "milestone c\n  title C\n  owner r\n  due 2014-03-10 00:10\n"
	    "milestone d\n  title D\n  owner r\n  window 2014-03-11 10:00 .. 2014-03-11 10:00\n"
	    "milestone e\n  title E\n  owner r\n  window 2014-03-30 01:00 .. 2014-03-30 04:00\n";
	struct plan *p = load(text);
	struct ical_part part = { p, NULL, NULL, 0, NULL, 0 };
	icalcomponent *cal;
	char *s, *u;

	(void)state;
	s = render(&part, 1, NULL, utc(2014, 1, 1, 0, 0));
	u = unfold(s);
	cal = parse(s);
	assert_int_equal(nevents(cal), 5);
	/* A date end is inclusive: the next midnight. */
	assert_non_null(strstr(u, "DTSTART;TZID=Europe/Amsterdam:20140303T000000\r\n"
	    "DTEND;TZID=Europe/Amsterdam:20140305T120000\r\n"));
	assert_non_null(strstr(u, "DTSTART;TZID=Europe/Amsterdam:20140303T090000\r\n"
	    "DTEND;TZID=Europe/Amsterdam:20140305T000000\r\n"));
	/* Thirty minutes before ten past midnight is the day before. */
	assert_non_null(strstr(u, "DTSTART;TZID=Europe/Amsterdam:20140309T234000\r\n"
	    "DTEND;TZID=Europe/Amsterdam:20140310T001000\r\n"));
	/* An empty window is a deadline. */
	assert_non_null(strstr(u, "DTSTART;TZID=Europe/Amsterdam:20140311T093000\r\n"
	    "DTEND;TZID=Europe/Amsterdam:20140311T100000\r\n"));
	/* Across the spring change: 01:00 CET to 04:00 CEST is two hours. */
	assert_int_equal(as_utc(icalcomponent_get_dtstart(event(cal, "e@shapes.termijn"))),
	    utc(2014, 3, 30, 0, 0));
	assert_int_equal(as_utc(icalcomponent_get_dtend(event(cal, "e@shapes.termijn"))),
	    utc(2014, 3, 30, 2, 0));
	icalcomponent_free(cal);
	free(u);
	free(s);
	plan_free(p);
}

/* A zone whose rules changed within the feed's years, and one without DST. */
static void
test_zone_history(void **state)
{
	static const char sp_text[] =
	    "plan sp\n  title Sao Paulo\n  timezone America/Sao_Paulo\nrole r\n  address r@x.example\n"
	    "milestone a\n  title A\n  owner r\n  due 2019-01-15 09:30\n"
	    "milestone b\n  title B\n  owner r\n  due 2020-01-15 09:30\n";
	static const char tk_text[] =
	    "plan tk\n  title Tokyo\n  timezone Asia/Tokyo\nrole r\n  address r@x.example\n"
	    "milestone a\n  title A\n  owner r\n  due 2014-07-15 09:30\n";
	struct plan *p = load(sp_text), *q = load(tk_text);
	struct ical_part part = { p, NULL, NULL, 0, NULL, 0 }, qp = { q, NULL, NULL, 0, NULL, 0 };
	icalcomponent *cal, *tz;
	struct icaltimetype t;
	char *s;

	(void)state;
	s = render(&part, 1, NULL, utc(2018, 1, 1, 0, 0));
	cal = parse(s);
	/* Daylight time (-02) in January 2019, none (-03) since. */
	t = icalcomponent_get_dtstart(event(cal, "a@sp.termijn"));
	assert_int_equal(icaltime_as_timet_with_zone(t, t.zone), utc(2019, 1, 15, 11, 0));
	t = icalcomponent_get_dtstart(event(cal, "b@sp.termijn"));
	assert_int_equal(icaltime_as_timet_with_zone(t, t.zone), utc(2020, 1, 15, 12, 0));
	assert_string_equal(icaltimezone_get_tzid((icaltimezone *)t.zone), "America/Sao_Paulo");
	icalcomponent_free(cal);
	free(s);

	s = render(&qp, 1, NULL, utc(2014, 1, 1, 0, 0));
	cal = parse(s);
	tz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
	assert_int_equal(icalcomponent_count_components(tz, ICAL_XSTANDARD_COMPONENT), 1);
	assert_int_equal(icalcomponent_count_components(tz, ICAL_XDAYLIGHT_COMPONENT), 0);
	assert_non_null(strstr(s, "TZOFFSETTO:+0900\r\n"));
	t = icalcomponent_get_dtstart(event(cal, "a@tk.termijn"));
	assert_int_equal(icaltime_as_timet_with_zone(t, t.zone), utc(2014, 7, 15, 0, 0));
	icalcomponent_free(cal);
	free(s);
	plan_free(p);
	plan_free(q);
}

static void
test_alarms(void **state)
{
	struct plan *p = load(demo_text);
	struct istate *st = xcalloc(p->ninst, sizeof(*st));
	struct ical_part part = { p, st, NULL, 0, NULL, 0 };
	struct ical_feed_opts o = { NULL, NULL, NULL, 0, 1, NULL, NULL };
	icalcomponent *cal, *e, *a;
	struct icaltriggertype tr;
	char *s, *u;

	(void)state;
	set_state(&st[COL_ST], ST_DONE, utc(2013, 12, 17, 14, 0), "jan", NULL);
	s = render(&part, 1, &o, utc(2013, 12, 16, 8, 0));
	u = unfold(s);
	cal = parse(s);
	/* Three lead times (7d, 1d, 0d at 08:30) on each open instance. */
	assert_int_equal(count(s, "BEGIN:VALARM\r\n"), 3 * (NDEMO - 1));
	assert_int_equal(icalcomponent_count_components(event(cal,
	    "collegebesluit@staphorst@demo.termijn"), ICAL_VALARM_COMPONENT), 0);
	/* All day: 08:30 on the due day is 15h30 before the day's end. */
	e = event(cal, "collegebesluit@zwartewaterland@demo.termijn");
	a = icalcomponent_get_first_component(e, ICAL_VALARM_COMPONENT);
	tr = icalproperty_get_trigger(icalcomponent_get_first_property(a, ICAL_TRIGGER_PROPERTY));
	assert_int_equal(icaldurationtype_as_int(tr.duration), -(7 * 86400 + 15 * 3600 + 1800));
	assert_int_equal(icalproperty_get_action(icalcomponent_get_first_property(a,
	    ICAL_ACTION_PROPERTY)), ICAL_ACTION_DISPLAY);
	assert_string_equal(icalcomponent_get_description(a),
	    "[kan nu] Collegebesluit bestuursopdracht — Gemeente Zwartewaterland");
	/* Timed: relative to the deadline at 12:00. */
	assert_non_null(strstr(u, "TRIGGER;RELATED=END:-P1DT3H30M\r\n"));
	assert_non_null(strstr(u, "TRIGGER;RELATED=END:-PT3H30M\r\n"));
	icalcomponent_free(cal);
	free(u);
	free(s);
	states_free(st, p->ninst);
	plan_free(p);
}

static void
test_multi_plan(void **state)
{
	static const char london[] =
	    "plan uk\n  title London\n  timezone Europe/London\n  language en\nrole r\n  address r@x.example\n"
	    "milestone m\n  title Meeting\n  owner r\n  due 2014-02-03 10:00\n"
	    "milestone n\n  title Note\n  owner r\n  due 2014-02-04\n";
	struct plan *p = load(demo_text), *q = load(london);
	size_t sel[] = { BRIEF_ST, COL_ST, BRIEF_ST, TERUG };
	size_t qsel[] = { 0 };
	struct ical_part parts[] = {
		{ p, NULL, sel, 2, NULL, 0 },
		{ q, NULL, qsel, 1, NULL, 0 },
		{ p, NULL, sel + 2, 2, NULL, 0 },	/* BRIEF_ST again: published once */
	};
	struct ical_feed_opts o = { "Jan", "https://termijn.example/feeds/abc.ics", NULL, 0, 0,
	    NULL, NULL };
	icalcomponent *cal, *tz;
	char *s, *u;
	int ntz = 0;

	(void)state;
	s = render(parts, 3, &o, utc(2013, 12, 16, 8, 0));
	u = unfold(s);
	cal = parse(s);
	assert_int_equal(nevents(cal), 4);
	assert_int_equal(count(s, "UID:briefing@staphorst@demo.termijn\r\n"), 1);
	event(cal, "collegebesluit@staphorst@demo.termijn");
	event(cal, "terugkoppeling/2014-01-07@demo.termijn");
	event(cal, "m@uk.termijn");
	/* The order given: briefing, collegebesluit, m, terugkoppeling. */
	assert_true(strstr(s, "UID:briefing@staphorst") < strstr(s, "UID:collegebesluit@staphorst"));
	assert_true(strstr(s, "UID:collegebesluit@staphorst") < strstr(s, "UID:m@uk"));
	assert_true(strstr(s, "UID:m@uk") < strstr(s, "UID:terugkoppeling/2014-01-07@demo"));
	/* The first plan's zone and language lead; each zone used has its VTIMEZONE. */
	assert_non_null(strstr(u, "\r\nX-WR-TIMEZONE:Europe/Amsterdam\r\n"));
	assert_non_null(strstr(u, "\r\nSOURCE;VALUE=URI:https://termijn.example/feeds/abc.ics\r\n"));
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 2);
	for (tz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT); tz != NULL;
	    tz = icalcomponent_get_next_component(cal, ICAL_VTIMEZONE_COMPONENT))
		ntz += strcmp(icalproperty_get_tzid(icalcomponent_get_first_property(tz,
		    ICAL_TZID_PROPERTY)), "Europe/London") == 0;
	assert_int_equal(ntz, 1);
	assert_true(strstr(s, "TZID:Europe/Amsterdam\r\n") < strstr(s, "TZID:Europe/London\r\n"));
	assert_non_null(strstr(u, "DTSTART;TZID=Europe/London:20140203T093000\r\n"));
	assert_string_equal(icalcomponent_get_summary(event(cal, "m@uk.termijn")),
	    "[kan nu] Meeting");
	icalcomponent_free(cal);
	free(u);
	free(s);

	/* The calendar's zone may be set; English from the first plan. */
	o.tz = "Europe/London";
	parts[0].plan = q;
	parts[0].inst = NULL;
	s = render(parts, 1, &o, utc(2013, 12, 16, 8, 0));
	cal = parse(s);
	assert_int_equal(nevents(cal), 2);
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 1);
	assert_string_equal(xprop(cal, "X-WR-TIMEZONE"), "Europe/London");
	assert_string_equal(icalcomponent_get_summary(event(cal, "n@uk.termijn")), "[ready] Note");
	icalcomponent_free(cal);
	free(s);
	plan_free(p);
	plan_free(q);
}

static void
test_empty(void **state)
{
	icalcomponent *cal;
	char *s;

	(void)state;
	/* Still a valid calendar: the zone gives it its one component. */
	s = render(NULL, 0, NULL, 0);
	cal = parse(s);
	assert_int_equal(nevents(cal), 0);
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 1);
	assert_string_equal(xprop(cal, "X-WR-CALNAME"), "termijn");
	icalcomponent_free(cal);
	free(s);
}

static void
test_errors(void **state)
{
	struct plan *p = load(demo_text);
	size_t bad[] = { 0, 99 };
	struct ical_part part = { p, NULL, bad, 2, NULL, 0 };
	struct ical_feed_opts o = { NULL, NULL, "Mars/Olympus_Mons", 0, 0, NULL, NULL };
	char *cause = NULL;
	size_t len = 0;

	(void)state;
	assert_null(ical_render(&part, 1, NULL, 0, &len, &cause));
	assert_string_equal(cause, "plan demo has no instance 99");
	free(cause);
	part.inst = NULL;
	assert_null(ical_render(&part, 1, &o, 0, &len, &cause));
	assert_string_equal(cause, "unknown time zone \"Mars/Olympus_Mons\"");
	free(cause);
	o.tz = NULL;
	o.source_url = "https://x.example/a\r\nEND:VCALENDAR";
	assert_null(ical_render(&part, 1, &o, 0, &len, &cause));
	assert_non_null(cause);
	free(cause);
	plan_free(p);
}

static void
test_hash_modified(void **state)
{
	struct plan *p = load(demo_text), *q = load(demo_text), *r;
	struct istate *st = xcalloc(p->ninst, sizeof(*st));
	struct ical_part part = { p, st, NULL, 0, NULL, 500 };
	char *text, *uid;
	size_t i;

	(void)state;
	for (i = 0; i < p->ninst; i++)
		assert_true(ical_timing_hash(p, i) == ical_timing_hash(q, i));
	assert_true(ical_timing_hash(p, COL_ST) == ical_timing_hash(p, COL_ZW));
	assert_true(ical_timing_hash(p, COL_ST) != ical_timing_hash(p, BRIEF_ST));
	text = xstrdup(demo_text);
	memcpy(strstr(text, "due 2013-12-19 12:00"), "due 2013-12-19 13:00", 20);
	r = load(text);
	assert_true(ical_timing_hash(p, BRIEF_ST) != ical_timing_hash(r, BRIEF_ST));
	assert_true(ical_timing_hash(p, COL_ST) == ical_timing_hash(r, COL_ST));
	uid = ical_uid(p, RAAD_ZW);
	assert_string_equal(uid, "raad@zwartewaterland@demo.termijn");
	free(uid);

	/* Before anything happened: the plan's stamp; then each deadline as it passes. */
	assert_int_equal(ical_modified(&part, 1, utc(2013, 12, 1, 0, 0), NULL), 500);
	assert_int_equal(ical_modified(&part, 1, utc(2013, 12, 18, 0, 0), NULL),
	    utc(2013, 12, 17, 23, 0));
	st[COL_ST].changed = utc(2013, 12, 18, 6, 0);
	assert_int_equal(ical_modified(&part, 1, utc(2013, 12, 18, 12, 0), NULL),
	    utc(2013, 12, 18, 6, 0));
	assert_int_equal(ical_modified(&part, 1, utc(2013, 12, 19, 8, 0), NULL),
	    utc(2013, 12, 19, 7, 0));	/* not-before 08:00 local */
	free(text);
	free(st);
	plan_free(p);
	plan_free(q);
	plan_free(r);
}

/* The feed of part at now, and the moment time alone next changes it (*next). */
static char *
render_next(const struct ical_part *part, int64_t now, int64_t *next, int64_t *modified)
{
	struct ical_job *j;
	char *cause = NULL, *text;
	size_t pos = 0, len;
	int64_t mnext;

	j = ical_job_new(part->plan, NULL, now, &cause);
	assert_non_null(j);
	assert_int_equal(ical_job_part(j, part, &pos, 0, &cause), 1);
	*next = ical_job_next(j);
	text = ical_job_finish(j, &len, &cause);
	assert_non_null(text);
	*modified = ical_modified(part, 1, now, &mnext);
	if (mnext < *next)
		*next = mnext;
	return text;
}

/*
 * Walking the clock from moment to moment (what a cache keeps a feed until): just before
 * the next one the feed and its Last-Modified are what they were; the walk passes every
 * deadline of the plan and ends.
 */
static void
test_render_next(void **state)
{
	struct plan *p = load(demo_text);
	struct istate *st = xcalloc(p->ninst, sizeof(*st));
	struct ical_part part = { p, st, NULL, 0, NULL, 500 };
	int64_t now = utc(2013, 12, 1, 0, 0), next, next2, mod, mod2;
	char *a, *b;
	size_t steps = 0, i, passed;

	(void)state;
	st[COL_ST].status = ST_DONE;
	st[COL_ST].at = utc(2013, 12, 17, 10, 0);
	for (;;) {
		a = render_next(&part, now, &next, &mod);
		if (next == INT64_MAX) {
			free(a);
			break;
		}
		assert_true(next > now);
		b = render_next(&part, next - 1, &next2, &mod2);
		assert_string_equal(a, b);
		assert_int_equal(mod, mod2);
		assert_int_equal(next, next2);
		free(a);
		free(b);
		now = next;
		assert_true(++steps < 4 * p->ninst + 4);
	}
	for (i = passed = 0; i < p->ninst; i++)
		passed += p->inst[i].deadline <= now;
	assert_int_equal(passed, p->ninst);
	free(st);
	plan_free(p);
}

/* Every shipped plan renders, and reads back with one VEVENT per instance. */
static void
test_shipped_plans(void **state)
{
	struct errlist errs = { 0 };
	struct plan *p;
	struct ical_part part;
	icalcomponent *cal;
	glob_t g;
	size_t i, k;
	char *s;

	(void)state;
	if (glob("etc/plans/*.plan", 0, NULL, &g) != 0) {
		print_message("no etc/plans/*.plan (run from the top directory)\n");
		skip();
	}
	for (i = 0; i < g.gl_pathc; i++) {
		p = plan_load(g.gl_pathv[i], &errs);
		for (k = 0; k < errs.n; k++)
			print_error("%s\n", errs.msg[k]);
		assert_non_null(p);
		memset(&part, 0, sizeof(part));
		part.plan = p;
		s = render(&part, 1, NULL, utc(2013, 12, 16, 8, 0));
		cal = parse(s);
		assert_int_equal(nevents(cal), (int)p->ninst);
		icalcomponent_free(cal);
		free(s);
		plan_free(p);
	}
	errlist_free(&errs);
	globfree(&g);
}

/* A plan of head, n parties g001 ... (each with its sec), then the milestones of tail. */
static struct plan *
load_with_parties(const char *head, size_t n, const char *tail)
{
	struct plan *p;
	char *text = xstrdup(head), *t;
	size_t i;

	for (i = 1; i <= n; i++) {
		xasprintf(&t, "%sparty g%03zu\n  name Gemeente %zu\n  role sec sec@g%zu.example\n",
		    text, i, i, i);
		free(text);
		text = t;
	}
	xasprintf(&t, "%s%s", text, tail);
	free(text);
	p = load(t);
	free(t);
	return p;
}

/* A plan of n parties: a for each, b for each waiting for every party's a. */
static struct plan *
load_parties(size_t n, const char *lang)
{
	struct plan *p;
	char *head;

	xasprintf(&head, "plan breed\n  title Breed\n  timezone Europe/Amsterdam\n  language %s\n"
	    "role sec\n  name Secretaris\n", lang);
	p = load_with_parties(head, n, "milestone a\n  title Aanbieden\n  owner sec\n"
	    "  parties all\n  due 2014-01-10\nmilestone b\n  title Besluiten\n  owner sec\n"
	    "  parties all\n  requires a@all\n  due 2014-01-20\n");
	free(head);
	return p;
}

/* The RELATED-TO values of an event, one a line. */
static char *
related(icalcomponent *e)
{
	icalproperty *pr;
	char *s = xstrdup(""), *t;

	for (pr = icalcomponent_get_first_property(e, ICAL_RELATEDTO_PROPERTY); pr != NULL;
	    pr = icalcomponent_get_next_property(e, ICAL_RELATEDTO_PROPERTY)) {
		xasprintf(&t, "%s%s\n", s, icalproperty_get_relatedto(pr));
		free(s);
		s = t;
	}
	return s;
}

/* The longest VEVENT of a feed, in bytes. */
static size_t
longest_event(const char *s)
{
	const char *b, *e;
	size_t max = 0;

	for (b = strstr(s, "BEGIN:VEVENT"); b != NULL; b = strstr(e, "BEGIN:VEVENT")) {
		e = strstr(b, "END:VEVENT");
		assert_non_null(e);
		if ((size_t)(e - b) > max)
			max = (size_t)(e - b);
	}
	return max;
}

/* The feed of part at now: the description of event uid holds text. */
static void
assert_desc(const struct ical_part *part, int64_t now, const char *uid, const char *text)
{
	struct ical_feed_opts o = { 0 };
	icalcomponent *cal;
	char *s = render(part, 1, &o, now);
	const char *d;

	cal = parse(s);
	d = icalcomponent_get_description(event(cal, uid));
	if (strstr(d, text) == NULL)
		fail_msg("%s: no \"%s\" in \"%s\"", uid, text, d);
	icalcomponent_free(cal);
	free(s);
}

/*
 * Steps of another plan are summed up as those of the event's own: plan "later" waits for
 * breed's a of 12 parties, and breed's a unblocks later's step of each of 12 parties.
 */
static void
test_summary_other_plan(void **state)
{
	struct plan *p = load_parties(12, "nl"), *q;
	struct istate *st = xcalloc(p->ninst, sizeof(*st)), *qst;
	struct linkplan lp[2];
	struct errlist errs = { 0 };
	struct ical_part part;
	struct ical_feed_opts o = { 0 };
	int64_t now = utc(2013, 12, 16, 9, 0);
	icalcomponent *cal;
	char *s, *r;
	size_t i;

	(void)state;
	q = load_with_parties("plan later\n  title Later\n  timezone Europe/Amsterdam\n"
	    "  language nl\nrole sec\n  name Secretaris\n", 12, "milestone eind\n  title Einde\n"
	    "  owner sec\n  requires breed:a@all\n  due 2014-02-10\nmilestone stap\n"
	    "  title Stap\n  owner sec\n  parties all\n  requires breed:a@same\n"
	    "  due 2014-02-01\n");
	qst = xcalloc(q->ninst, sizeof(*qst));
	lp[0].plan = p;
	lp[0].st = &st;
	lp[0].stamp = NULL;
	lp[1].plan = q;
	lp[1].st = &qst;
	lp[1].stamp = NULL;
	errs.max = 10;
	assert_int_equal(links_resolve(lp, 2, &errs), 0);
	errlist_free(&errs);
	for (i = 0; i < 9; i++)
		set_state(&st[i], ST_DONE, utc(2013, 12, 2, 10, 0), "sec@g1.example", NULL);

	memset(&part, 0, sizeof(part));
	part.plan = q;
	part.states = qst;
	assert_desc(&part, now, "eind@later.termijn", "Wacht op:\n- Aanbieden [breed:a] — 3 van "
	    "12 partijen: Gemeente 10 (kan nu), Gemeente 11 (kan nu), Gemeente 12 (kan nu)\n");
	s = render(&part, 1, &o, now);
	cal = parse(s);
	r = related(event(cal, "eind@later.termijn"));
	assert_string_equal(r, "a@g010@breed.termijn\na@g011@breed.termijn\na@g012@breed.termijn\n");
	free(r);
	icalcomponent_free(cal);
	free(s);
	/* One of them, with its party: listed as before. */
	assert_desc(&part, now, "stap@g003@later.termijn", "Wacht op:\n- Aanbieden — Gemeente 3 "
	    "[breed:a@g003] (klaar)\n");
	/* breed's a unblocks later's eind and a stap: below the limit, listed. */
	part.plan = p;
	part.states = st;
	assert_desc(&part, now, "a@g002@breed.termijn", "[later:stap@g002]");
	/* All open: ten named, two more. */
	for (i = 0; i < 9; i++)
		istate_clear(&st[i]);
	part.plan = q;
	part.states = qst;
	assert_desc(&part, now, "eind@later.termijn", "- Aanbieden [breed:a] — 12 van 12 "
	    "partijen: Gemeente 1 (kan nu), ");
	assert_desc(&part, now, "eind@later.termijn", "Gemeente 10 (kan nu) en 2 andere\n");
	free(st);
	free(qst);
	plan_free(p);
	plan_free(q);
}

/*
 * An @all over more than ICAL_LIST_MAX parties is summed up: how many still hold a step up,
 * the first ICAL_LIST_MAX of them named, RELATED-TO only those; dependents counted.
 */
static void
test_summary(void **state)
{
	struct plan *p = load_parties(12, "nl");
	struct istate *st = xcalloc(p->ninst, sizeof(*st));
	struct ical_part part = { p, st, NULL, 0, NULL, utc(2013, 11, 25, 12, 0) };
	struct ical_feed_opts o = { 0 };
	int64_t now = utc(2013, 12, 16, 9, 0);
	icalcomponent *cal, *e;
	char *s, *r, *u;
	const char *d;
	size_t i;

	(void)state;
	assert_int_equal(p->ninst, 24);
	/* All open: 12 of 12, ten named in plan order, two more. */
	s = render(&part, 1, &o, now);
	cal = parse(s);
	e = event(cal, "b@g001@breed.termijn");
	d = icalcomponent_get_description(e);
	assert_non_null(strstr(d, "Wacht op:\n- Aanbieden — 12 van 12 partijen: Gemeente 1 "
	    "(kan nu), Gemeente 2 (kan nu), Gemeente 3 (kan nu), Gemeente 4 (kan nu), Gemeente 5 "
	    "(kan nu), Gemeente 6 (kan nu), Gemeente 7 (kan nu), Gemeente 8 (kan nu), Gemeente 9 "
	    "(kan nu), Gemeente 10 (kan nu) en 2 andere\n"));
	assert_null(strstr(d, "Gemeente 11"));
	r = related(e);
	assert_string_equal(r, "a@g001@breed.termijn\na@g002@breed.termijn\na@g003@breed.termijn\n"
	    "a@g004@breed.termijn\na@g005@breed.termijn\na@g006@breed.termijn\n"
	    "a@g007@breed.termijn\na@g008@breed.termijn\na@g009@breed.termijn\n"
	    "a@g010@breed.termijn\n");
	free(r);
	icalcomponent_free(cal);
	free(s);
	assert_desc(&part, now, "a@g004@breed.termijn", "Maakt mogelijk:\n- Besluiten — 12 partijen\n");

	/* Ten done, one waived: one still holds it up, and it alone is related. */
	for (i = 0; i < 10; i++)
		set_state(&st[i], ST_DONE, utc(2013, 12, 2, 10, 0), "sec@g1.example", NULL);
	set_state(&st[11], ST_WAIVED, utc(2013, 12, 3, 10, 0), "sec@g12.example", "niet nodig");
	s = render(&part, 1, &o, now);
	cal = parse(s);
	r = related(event(cal, "b@g007@breed.termijn"));
	assert_string_equal(r, "a@g011@breed.termijn\n");
	free(r);
	icalcomponent_free(cal);
	free(s);
	assert_desc(&part, now, "b@g007@breed.termijn",
	    "Wacht op:\n- Aanbieden — 1 van 12 partijen: Gemeente 11 (kan nu)\n");
	assert_desc(&part, now, "a@g011@breed.termijn", "Maakt mogelijk:\n- Besluiten — 12 partijen\n");

	/*
	 * The last one done: "1 of 12" becomes "all 12 done", a text change, and DTSTAMP moves
	 * with it to that change; the dependents' counts show on a's events.
	 */
	set_state(&st[10], ST_DONE, utc(2013, 12, 9, 11, 0), "sec@g11.example", NULL);
	set_state(&st[12 + 4], ST_DONE, utc(2013, 12, 4, 10, 0), "sec@g5.example", NULL);
	s = render(&part, 1, &o, now);
	u = unfold(s);
	cal = parse(s);
	assert_null(icalcomponent_get_first_property(event(cal, "b@g002@breed.termijn"),
	    ICAL_RELATEDTO_PROPERTY));
	assert_non_null(strstr(u, "UID:b@g002@breed.termijn\r\nDTSTAMP:20131209T110000Z\r\n"));
	icalcomponent_free(cal);
	free(u);
	free(s);
	assert_desc(&part, now, "b@g002@breed.termijn",
	    "Wacht op:\n- Aanbieden — alle 12 partijen klaar (1 vervallen)\n");
	assert_desc(&part, now, "a@g003@breed.termijn",
	    "Maakt mogelijk:\n- Besluiten — 12 partijen (1 klaar)\n");
	set_state(&st[12 + 5], ST_WAIVED, utc(2013, 12, 4, 11, 0), "sec@g6.example", "nee");
	assert_desc(&part, now, "a@g003@breed.termijn",
	    "Maakt mogelijk:\n- Besluiten — 12 partijen (1 klaar, 1 vervallen)\n");
	states_free(st, p->ninst);
	plan_free(p);

	/* In English. */
	p = load_parties(11, "en");
	st = xcalloc(p->ninst, sizeof(*st));
	part.plan = p;
	part.states = st;
	set_state(&st[2], ST_DONE, utc(2013, 12, 2, 10, 0), "sec@g3.example", NULL);
	assert_desc(&part, now, "b@g001@breed.termijn", "Waits for:\n- Aanbieden — 10 of 11 "
	    "parties: Gemeente 1 (ready), Gemeente 2 (ready), Gemeente 4 (ready), Gemeente 5 "
	    "(ready), Gemeente 6 (ready), Gemeente 7 (ready), Gemeente 8 (ready), Gemeente 9 "
	    "(ready), Gemeente 10 (ready), Gemeente 11 (ready)\n");
	assert_desc(&part, now, "a@g001@breed.termijn", "Unblocks:\n- Besluiten — 11 parties\n");
	set_state(&st[0], ST_DONE, utc(2013, 12, 2, 10, 0), "sec@g1.example", NULL);
	set_state(&st[11 + 3], ST_DONE, utc(2013, 12, 4, 10, 0), "sec@g4.example", NULL);
	assert_desc(&part, now, "b@g005@breed.termijn", "Waits for:\n- Aanbieden — 9 of 11 parties: "
	    "Gemeente 2 (ready), Gemeente 4 (ready), ");
	assert_desc(&part, now, "a@g001@breed.termijn",
	    "Unblocks:\n- Besluiten — 11 parties (1 done)\n");
	states_free(st, p->ninst);
	plan_free(p);

	/* Up to ICAL_LIST_MAX, each one as before. */
	p = load_parties(ICAL_LIST_MAX, "nl");
	part.plan = p;
	part.states = NULL;
	assert_desc(&part, now, "b@g001@breed.termijn", "Wacht op:\n- Aanbieden — Gemeente 1 "
	    "(kan nu)\n- Aanbieden — Gemeente 2 (kan nu)\n");
	assert_desc(&part, now, "b@g001@breed.termijn", "- Aanbieden — Gemeente 10 (kan nu)\n"
	    "Afvinken");
	assert_desc(&part, now, "a@g001@breed.termijn", "- Besluiten — Gemeente 10 (geblokkeerd)\n");
	s = render(&part, 1, &o, now);
	cal = parse(s);
	assert_int_equal(icalcomponent_count_properties(event(cal, "b@g001@breed.termijn"),
	    ICAL_RELATEDTO_PROPERTY), ICAL_LIST_MAX);
	icalcomponent_free(cal);
	free(s);
	plan_free(p);
}

/* An event's size does not grow with the parties of an @all: 20 or 300, the same bound. */
static void
test_summary_bounded(void **state)
{
	struct ical_part part = { NULL, NULL, NULL, 0, NULL, 0 };
	struct ical_feed_opts o = { 0 };
	size_t sizes[2] = { 20, 300 }, longest[2], len[2], i;
	char *s;

	(void)state;
	for (i = 0; i < 2; i++) {
		part.plan = load_parties(sizes[i], "nl");
		s = render(&part, 1, &o, utc(2013, 12, 16, 9, 0));
		len[i] = strlen(s);
		longest[i] = longest_event(s);
		free(s);
		plan_free((struct plan *)part.plan);
	}
	/* Names of a few more digits, not 280 lines more. */
	assert_true(longest[1] < longest[0] + 100);
	assert_true(longest[1] < 2048);
	/* The feed grows with its events: 15 times the events, not 225 times the bytes. */
	assert_true(len[1] < len[0] * 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_events),
		cmocka_unit_test(test_recurrence),
		cmocka_unit_test(test_recurrence_month_end),
		cmocka_unit_test(test_stamp_moves_with_time_and_waive),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_text_roundtrip),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_dst),
		cmocka_unit_test(test_timing_shapes),
		cmocka_unit_test(test_zone_history),
		cmocka_unit_test(test_alarms),
		cmocka_unit_test(test_multi_plan),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hash_modified),
		cmocka_unit_test(test_render_next),
		cmocka_unit_test(test_summary_other_plan),
		cmocka_unit_test(test_shipped_plans),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
