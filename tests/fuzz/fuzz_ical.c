/* fuzz_ical.c: the iCalendar renderer on any plan, its output read back with libical. */
/* fuzz-seeds: etc/plans tests/plans */
#include <string.h>

#include <libical/ical.h>

#include "fuzz.h"
#include "ical.h"
#include "plan.h"
#include "rules.h"
#include "xmalloc.h"

/* CRLF line ends, at most 75 octets a line (RFC 5545 3.1), no bare CR or LF. */
static void
check_lines(const char *s, size_t len)
{
	size_t i, col = 0;

	FUZZ_ASSERT(strlen(s) == len);
	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			FUZZ_ASSERT(i + 1 < len && s[i + 1] == '\n');
			i++;
			col = 0;
			continue;
		}
		FUZZ_ASSERT(s[i] != '\n');
		FUZZ_ASSERT(++col <= 75);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist e = { 0 };
	struct ical_feed_opts o;
	struct ical_part part;
	struct istate *st;
	struct plan *p;
	icalcomponent *cal, *c;
	char *out, *cause = NULL;
	size_t i, len, nev = 0;
	int64_t now;

	if ((p = plan_parse("fuzz.plan", (const char *)data, size, &e)) == NULL) {
		errlist_free(&e);
		return 0;
	}
	/* States and the moment come from the input too, so that every derived state shows. */
	st = xcalloc(p->ninst ? p->ninst : 1, sizeof(*st));
	for (i = 0; i < p->ninst; i++) {
		st[i].status = (enum status)(data[i % size] % 3);
		if (st[i].status != ST_OPEN) {
			st[i].at = p->inst[i].deadline + (data[(i + 1) % size] & 1 ? 3600 : -3600);
			st[i].changed = st[i].at;
			st[i].actor = xstrdup("fuzz");
			st[i].note = xstrdup(data[(i + 2) % size] & 1 ? "een notitie, met; tekens\\" :
			    "");
		}
	}
	now = p->ninst > 0 ? p->inst[data[0] % p->ninst].deadline + (int64_t)(size % 5 - 2) *
	    86400 : 1387440000;
	memset(&part, 0, sizeof(part));
	part.plan = p;
	part.states = st;
	memset(&o, 0, sizeof(o));
	o.with_alarms = size & 1;
	o.source_url = "https://termijn.example/feeds/abc.ics";

	out = ical_render(&part, 1, &o, now, &len, &cause);
	FUZZ_ASSERT(out != NULL);
	check_lines(out, len);
	/* libical reads it back with one VEVENT per instance. */
	cal = icalparser_parse_string(out);
	FUZZ_ASSERT(cal != NULL);
	for (c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		nev++;
	FUZZ_ASSERT(nev == p->ninst);
	icalcomponent_free(cal);
	free(out);
	free(cause);
	for (i = 0; i < p->ninst; i++)
		istate_clear(&st[i]);
	free(st);
	plan_free(p);
	return 0;
}
