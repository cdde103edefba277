#!/usr/bin/python3
# calclients.py: what calendar clients make of a feed, in one form to compare, for
# t-calclients.sh. Each event is a line "UID<TAB>SUMMARY<TAB>START<TAB>END", sorted: START and
# END are D:YYYY-MM-DD for a day (END exclusive, as DTEND) or T:YYYY-MM-DDTHH:MMZ for an
# instant; tests/e2e/icaljs.mjs prints the same for ical.js.
#
#   calclients.py norm FILE
#       the feed as Debian's python3-icalendar reads it (zones by name, from its tz database)
#   calclients.py khal FILE
#       `khal list --once --format '{title}<TAB>{start}<TAB>{end}<TAB>{all-day}'` output, with
#       datetimeformat %Y-%m-%dT%H:%M%z and dateformat %Y-%m-%d, in that form without the UID
#       (khal shows an all-day event's last day; END here is the day after)
#   calclients.py vdir FEED DIR
#       DIR is what vdirsyncer synced from FEED: one item per file, each a VEVENT of the feed
#       with every property the same but UID (vdirsyncer's http storage replaces UIDs with a
#       hash of the item, by design); prints the feed's UIDs matched, exit 1 with the reasons
import datetime
import os
import sys

import icalendar

UTC = datetime.timezone.utc


def when(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            sys.exit("a floating time (no zone): %s" % v)
        return "T:" + v.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    return "D:" + v.strftime("%Y-%m-%d")


def span(ev):
    start = ev.decoded("DTSTART")
    if ev.get("DTEND") is not None:
        end = ev.decoded("DTEND")
    elif ev.get("DURATION") is not None:
        end = start + ev.decoded("DURATION")
    elif isinstance(start, datetime.datetime):
        end = start
    else:
        end = start + datetime.timedelta(days=1)
    return when(start), when(end)


def events(path):
    with open(path, "rb") as f:
        return icalendar.Calendar.from_ical(f.read()).walk("VEVENT")


def cmd_norm(args):
    out = []
    for ev in events(args[0]):
        out.append("\t".join((str(ev["UID"]), str(ev["SUMMARY"])) + span(ev)))
    for line in sorted(out):
        print(line)


def cmd_khal(args):
    out = []
    with open(args[0], encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            title, start, end, allday = line.split("\t")
            if allday == "True":
                s = datetime.date.fromisoformat(start)
                e = datetime.date.fromisoformat(end) + datetime.timedelta(days=1)
            else:
                s = datetime.datetime.strptime(start, "%Y-%m-%dT%H:%M%z")
                e = datetime.datetime.strptime(end, "%Y-%m-%dT%H:%M%z")
            out.append("\t".join((title, when(s), when(e))))
    for line in sorted(out):
        print(line)


def props(ev):
    """Every property of the event but UID, as text, in a form that does not depend on order."""
    return tuple(sorted((k, v.to_ical()) for k, v in ev.property_items(recursive=False)
                        if k not in ("BEGIN", "END", "UID")))


def cmd_vdir(args):
    feed, d = args
    want = {}
    for ev in events(feed):
        want.setdefault(props(ev), []).append(str(ev["UID"]))
    bad, matched, nfiles = [], 0, 0
    for name in sorted(os.listdir(d)):
        nfiles += 1
        evs = events(os.path.join(d, name))
        if len(evs) != 1:
            bad.append("%s holds %d events, not 1" % (name, len(evs)))
            continue
        uids = want.get(props(evs[0]))
        if not uids:
            bad.append("%s (%s) is no event of the feed, or one seen twice" % (
                name, evs[0].get("SUMMARY")))
            continue
        uids.pop()
        matched += 1
    left = sorted(u for us in want.values() for u in us)
    if left:
        bad.append("events of the feed vdirsyncer did not store: %s" % left)
    if bad:
        print("\n".join(bad))
        sys.exit(1)
    print("%d items, each an event of the feed" % matched)


def main():
    cmds = {"norm": cmd_norm, "khal": cmd_khal, "vdir": cmd_vdir}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit("usage: calclients.py %s ..." % "|".join(cmds))
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
