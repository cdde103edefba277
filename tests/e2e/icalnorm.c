/*
 * icalnorm.c: a served feed as libical reads it, for t-calclients.sh, in the form of
 * calclients.py norm: a line "UID<TAB>SUMMARY<TAB>START<TAB>END" per VEVENT, sorted by the
 * caller. Zones come from the feed's own VTIMEZONEs, not from a zone database, so a wrong
 * VTIMEZONE shows as a wrong time. Exit 1 with libical's complaints when it found errors.
 *
 *   icalnorm FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

static void
when(struct icaltimetype t, char *buf, size_t len)
{
	if (t.is_date) {
		snprintf(buf, len, "D:%04d-%02d-%02d", t.year, t.month, t.day);
		return;
	}
	t = icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone());
	snprintf(buf, len, "T:%04d-%02d-%02dT%02d:%02dZ", t.year, t.month, t.day, t.hour,
	    t.minute);
}

int
main(int argc, char **argv)
{
	icalcomponent *cal, *ev;
	icalproperty *err;
	struct icaltimetype start, end;
	char a[32], b[32], *text;
	long n;
	FILE *f;
	int bad = 0;

	if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: icalnorm FILE (a readable file)\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	if (text == NULL || fread(text, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "icalnorm: cannot read %s\n", argv[1]);
		return 2;
	}
	fclose(f);
	if ((cal = icalparser_parse_string(text)) == NULL ||
	    icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
		fprintf(stderr, "icalnorm: libical finds no VCALENDAR in %s\n", argv[1]);
		return 1;
	}
	/* libical keeps going past what it cannot read, leaving X-LIC-ERROR properties. */
	for (ev = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); ev != NULL;
	    ev = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT))
		for (err = icalcomponent_get_first_property(ev, ICAL_XLICERROR_PROPERTY);
		    err != NULL; err = icalcomponent_get_next_property(ev, ICAL_XLICERROR_PROPERTY)) {
			fprintf(stderr, "icalnorm: %s\n", icalproperty_get_xlicerror(err));
			bad = 1;
		}
	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev != NULL;
	    ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		start = icalcomponent_get_dtstart(ev);
		end = icalcomponent_get_dtend(ev);	/* DTEND, or DTSTART + DURATION */
		if (icaltime_is_null_time(end)) {
			end = start;
			if (start.is_date)
				icaltime_adjust(&end, 1, 0, 0, 0);
		}
		if (!start.is_date && start.zone == NULL && !icaltime_is_utc(start)) {
			fprintf(stderr, "icalnorm: a floating time in %s\n", icalcomponent_get_uid(ev));
			bad = 1;
		}
		when(start, a, sizeof(a));
		when(end, b, sizeof(b));
		printf("%s\t%s\t%s\t%s\n", icalcomponent_get_uid(ev),
		    icalcomponent_get_summary(ev), a, b);
	}
	icalcomponent_free(cal);
	free(text);
	return bad;
}
