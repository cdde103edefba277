// icaljs.mjs FILE: a feed as ical.js (Mozilla's parser, npm ical.js) reads it, for
// t-calclients.sh: per VEVENT "UID<TAB>SUMMARY<TAB>START<TAB>END", sorted, in the form of
// feedcheck.py norm (D:YYYY-MM-DD for a day, end exclusive; T:YYYY-MM-DDTHH:MMZ for an instant).
// The zones are the feed's own VTIMEZONEs, as a calendar client without a zone database has.
import { readFileSync } from "node:fs";
import ICAL from "../../node_modules/ical.js/dist/ical.js";

const pad = (n) => String(n).padStart(2, "0");

function when(t) {
	if (t.isDate)
		return `D:${t.year}-${pad(t.month)}-${pad(t.day)}`;
	const u = t.convertToZone(ICAL.Timezone.utcTimezone);
	return `T:${u.year}-${pad(u.month)}-${pad(u.day)}T${pad(u.hour)}:${pad(u.minute)}Z`;
}

const cal = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], "utf8")));
for (const tz of cal.getAllSubcomponents("vtimezone"))
	ICAL.TimezoneService.register(tz);
const out = [];
for (const v of cal.getAllSubcomponents("vevent")) {
	const e = new ICAL.Event(v);
	// A TZID the feed does not define would silently become floating time: say so.
	for (const name of ["dtstart", "dtend"]) {
		const p = v.getFirstProperty(name);
		const tzid = p && p.getParameter("tzid");
		if (tzid && !ICAL.TimezoneService.has(tzid)) {
			console.error(`${e.uid}: ${name} names TZID ${tzid}, which the feed does not define`);
			process.exit(1);
		}
	}
	out.push([e.uid, e.summary, when(e.startDate), when(e.endDate)].join("\t"));
}
out.sort();
process.stdout.write(out.map((l) => l + "\n").join(""));
