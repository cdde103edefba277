#!/bin/bash
# t-calclients.sh: the calendar clients of the feeds issue read every kind of feed termijnd
# serves as python3-icalendar does: libical (tests/e2e/icalnorm.c, zones from the feed's own
# VTIMEZONEs), ical.js (npm, in node), and vdirsyncer syncing the feed's
# URL into a directory (a real sync, twice) that khal then lists. Each sees the same events:
# count, summaries, start and end; UIDs too where the client keeps them (vdirsyncer's http
# storage replaces them by design: there every other property must be the feed's).
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
PY=/usr/bin/python3
cc() { "$PY" "$TOP/tests/e2e/calclients.py" "$@"; }
setup_conf

for tool in node vdirsyncer khal; do
	command -v "$tool" >/dev/null || { not_ok "$tool is not installed (tools/deps.sh)"; finish; exit; }
done
[ -f "$TOP/node_modules/ical.js/dist/ical.js" ] ||
	{ not_ok "ical.js is not in node_modules (make deps)"; finish; exit; }
# shellcheck disable=SC2046
command cc -std=c11 -O1 -o "$T/icalnorm" "$TOP/tests/e2e/icalnorm.c" $(pkg-config --cflags --libs libical) ||
	{ not_ok "cannot build tests/e2e/icalnorm.c"; finish; exit; }

# An English plan in a zone whose rules changed (US DST, 2007), events on both sides: the
# feed's VTIMEZONE must carry the old rules too, for clients that read only it (ical.js).
cat > "$T/plans/zones.plan" <<'EOP'
plan zones
  title Zones across rule changes
  language en
  timezone America/New_York
role sec
  address sec@zones.example
milestone old-march
  title Before the old DST start, 2006
  owner sec
  not-before 2006-03-20 08:00
  due 2006-03-20 09:00
milestone old-april
  title After the old DST start, 2006
  owner sec
  due 2006-04-03 09:00
milestone new-march
  title After the new DST start, 2008
  owner sec
  due 2008-03-20 09:00
milestone summer
  title Summer 2014
  owner sec
  window 2014-07-01 .. 2014-07-04
milestone monthly
  title Monthly at 17:00
  owner sec
  due 2014-01-31 17:00
  repeat every 1 months until 2014-12-31
EOP

# Fourteen parties and an @all (more than ical.h's ICAL_LIST_MAX): each Besluit sums its
# prerequisites up in one line, naming those still open, and relates only to those.
{ printf 'plan breed\n  title Veertien gemeenten\n  language nl\nrole sec\n  name Secretaris\n'
  for i in $(seq -w 1 14); do
	printf 'party g%s\n  name Gemeente %s\n  role sec sec@g%s.example\n' "$i" "$i" "$i"
  done
  printf 'milestone aanbod\n  title Aanbod\n  owner sec\n  parties all\n  due 2014-01-10\n'
  printf 'milestone besluit\n  title Besluit\n  owner sec\n  parties all\n  requires aanbod@all\n'
  printf '  due 2014-01-20\n'; } > "$T/plans/breed.plan"

start_daemon --clock-start '2013-12-20 10:00' --clock-speed 0 || exit 1
H=$(http_addr)

# Every state a feed shows: done (at a past time), waived, overdue, ready, blocked; windows,
# not-before hours, a series, and a milestone added at run time with a long Dutch title.
for p in staphorst steenwijkerland zwartewaterland; do
	"$C" done "collegebesluit@$p" --at "2013-12-17 10:00" -n "B&W-besluit" >/dev/null
done
expect_exit 0 "waive a milestone" -- "$C" waive mt-betrokken@zwartewaterland -r "niet nodig"
expect_exit 0 "mark uitnodiging done" -- "$C" done -p sociaal-domein uitnodiging
for i in 01 03; do "$C" done -p breed "aanbod@g$i" >/dev/null; done
LONG="Extra overleg van de drie gemeentesecretarissen over de financiële consequenties van het gastheermodel, met één gezamenlijke notitie"
expect_exit 0 "add a milestone with a long Dutch title and hours" -- "$C" add -p bedrijfsvoering \
    extra-overleg --title "$LONG" --owner secretaris --not-before "2014-01-09 13:30" \
    --due "2014-01-09 16:00" --requires collegebesluit@all
# One backslash at a time: Debian's python3-icalendar 4.0.3 (and so khal) unescapes twice,
# reading the feed's \\\\ (two backslashes, as RFC 5545 writes them) as one, where ical.js is right.
ODD='Punten; komma’s, een \backslash en "aanhalingstekens" — in één titel'
expect_exit 0 "add a milestone whose title needs escaping in iCalendar" -- "$C" add -p bedrijfsvoering \
    tekens --title "$ODD" --owner secretaris --due 2014-01-10
"$C" --json list > "$T/list.json"
OUT=$(cat "$T/list.json")
for s in done waived overdue ready blocked; do
	expect_in "\"state\": \"$s\"" "the plans hold a milestone that is $s"
done

# feed NAME ARGS...: create a feed, its path in $T/NAME.path.
feed() {
	_n=$1; shift
	expect_exit 0 "create the $_n feed" -- "$C" --json feeds create "$@"
	printf '%s' "$OUT" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["url"])' > "$T/$_n.url"
}
feed person --person secretaris@staphorst.example
feed party --party bedrijfsvoering/staphorst
feed plan --plan bedrijfsvoering
feed social --plan sociaal-domein
feed zones --plan zones
feed wide --plan breed

# vdirsyncer: a pair from the feed's URL into a directory; khal reads that directory.
vd_conf() {
	_n=$1
	mkdir -p "$T/$_n.vdir" "$T/$_n.status"
	cat > "$T/$_n.vdirsyncer" <<EOC
[general]
status_path = "$T/$_n.status/"

[pair feed]
a = "feed_remote"
b = "feed_local"
collections = null
conflict_resolution = "a wins"

[storage feed_remote]
type = "http"
url = "$(cat "$T/$_n.url")"

[storage feed_local]
type = "filesystem"
path = "$T/$_n.vdir/"
fileext = ".ics"
EOC
	cat > "$T/$_n.khal" <<EOC
[calendars]
[[feed]]
path = $T/$_n.vdir/
type = calendar

[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%dT%H:%M%z
longdatetimeformat = %Y-%m-%dT%H:%M%z
local_timezone = Europe/Amsterdam
default_timezone = Europe/Amsterdam

[sqlite]
path = $T/$_n.khal.db
EOC
}
# Neither writes outside $T.
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_DATA_HOME=$T/home/.local/share
mkdir -p "$HOME"
vd_sync() { timeout 60 vdirsyncer -c "$T/$1.vdirsyncer" "${@:2}" 2>&1; }
khal_list() {
	timeout 60 khal -c "$T/$1.khal" list --once --day-format '' \
	    --format '{title}	{start}	{end}	{all-day}' 2005-01-01 2015-12-31 > "$T/$1.khal.out" 2>&1
}

# compare NAME: every client against python3-icalendar's reading of the feed as served now.
compare() {
	_n=$1
	curl -s --max-time 10 -o "$T/$_n.ics" "$(cat "$T/$_n.url")"
	cc norm "$T/$_n.ics" > "$T/$_n.py" 2>&1 || { not_ok "$_n: python3-icalendar fails"; cat "$T/$_n.py"; }
	_k=$(wc -l < "$T/$_n.py")
	[ "$_k" -gt 0 ] && ok "$_n: python3-icalendar reads $_k events" || not_ok "$_n: no events"
	if "$T/icalnorm" "$T/$_n.ics" 2> "$T/$_n.licerr" | LC_ALL=C sort > "$T/$_n.lic" &&
	    [ ! -s "$T/$_n.licerr" ] && LC_ALL=C sort "$T/$_n.py" | diff - "$T/$_n.lic" > "$T/$_n.diff"; then
		ok "$_n: libical sees the same $_k events (UIDs, summaries, start, end), no errors"
	else not_ok "$_n: libical reads it differently"; head -20 "$T/$_n.licerr" "$T/$_n.diff"; fi
	if timeout 60 node "$TOP/tests/e2e/icaljs.mjs" "$T/$_n.ics" > "$T/$_n.js" 2>&1 &&
	    diff "$T/$_n.py" "$T/$_n.js" > "$T/$_n.diff"; then
		ok "$_n: ical.js sees the same $_k events (UIDs, summaries, start, end)"
	else not_ok "$_n: ical.js reads it differently"; head -20 "$T/$_n.diff" "$T/$_n.js"; fi
	OUT=$(vd_sync "$_n" sync); _rc=$?
	if [ "$_rc" -eq 0 ]; then ok "$_n: vdirsyncer syncs the feed's URL"; else
		not_ok "$_n: vdirsyncer sync exit $_rc"; printf '%s\n' "$OUT" | head -20; fi
	OUT=$(cc vdir "$T/$_n.ics" "$T/$_n.vdir") && ok "$_n: vdirsyncer stored $OUT" ||
	    { not_ok "$_n: vdirsyncer's items are not the feed's events"; printf '%s\n' "$OUT" | head -20; }
	cut -f2- "$T/$_n.py" | LC_ALL=C sort > "$T/$_n.py2"
	if khal_list "$_n" && cc khal "$T/$_n.khal.out" | LC_ALL=C sort > "$T/$_n.kh" &&
	    diff "$T/$_n.py2" "$T/$_n.kh" > "$T/$_n.diff"; then
		ok "$_n: khal lists the same $_k events (summaries, start, end)"
	else not_ok "$_n: khal lists them differently"; head -20 "$T/$_n.diff" "$T/$_n.khal.out"; fi
}

for n in person party plan social zones wide; do
	vd_conf "$n"
	OUT=$(vd_sync "$n" discover)
	expect_in 'Saved for feed: collections = null' "$n: vdirsyncer discover"
	compare "$n"
done

# What the test must have had in it to mean something.
OUT=$(cat "$T/plan.py")
expect_in $'\tT:2014-01-09T12:30Z\tT:2014-01-09T15:00Z$' "the added milestone: 13:30 to 16:00 in Amsterdam, in UTC"
expect_in $'\t'"\\[geblokkeerd\\] $LONG"$'\t' "with its long Dutch title, whole"
expect_in $'\tD:2014-01-06\tD:2014-02-01$' "a window of days, the end exclusive"
expect_in 'terugkoppeling@staphorst/2014-02-18@' "an occurrence of a series"
expect_in "^tekens@bedrijfsvoering.termijn	\\[kan nu\\] Punten; komma’s, een \\\\backslash en \"aanhalingstekens\" — in één titel	" \
    "the title with ; , \\ and quotes, read back as written"
expect_in $'\t\\[vervallen\\] ' "a waived one"
expect_in $'\t\\[te laat\\] ' "an overdue one"
expect_in $'\t\\[klaar\\] ' "a done one"
OUT=$(cat "$T/zones.py")
expect_in $'\tT:2006-03-20T13:00Z\tT:2006-03-20T14:00Z$' "New York, March 2006: EST (the old rules)"
expect_in $'\tT:2008-03-20T12:30Z\tT:2008-03-20T13:00Z$' "New York, March 2008: EDT (the new rules)"
OUT=$("$PY" - "$T/wide.ics" <<'EOPY'
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
for ev in cal.walk("VEVENT"):
    if str(ev["UID"]) == "besluit@g02@breed.termijn":
        rel = ev.get("RELATED-TO")
        rel = rel if isinstance(rel, list) else [rel]
        print(str(ev["DESCRIPTION"]).replace("\n", "|"))
        print("related", len(rel), str(rel[0]), str(rel[-1]))
EOPY
)
expect_in '|Wacht op:|- Aanbod — 12 van 14 partijen: Gemeente 02 (kan nu), Gemeente 04 (kan nu), ' \
    "python3-icalendar reads the summed-up @all: 12 of 14 open, named"
expect_in 'Gemeente 12 (kan nu) en 2 andere|Afvinken' "ten named, two more counted"
expect_in '^related 10 aanbod@g02@breed.termijn aanbod@g12@breed.termijn$' \
    "RELATED-TO: the ten it names"
OUT=$(cat "$T/person.py")
expect_in '@bedrijfsvoering\.termijn' "the person's feed has bedrijfsvoering's events"
expect_in '@sociaal-domein\.termijn' "and sociaal-domein's"
if LC_ALL=C grep -q '^ ' "$T/plan.ics"; then ok "the plan feed has folded lines"; else
	not_ok "no folded lines in the plan feed"; fi

# A real sync: a change in termijnd reaches khal through vdirsyncer the next time.
expect_exit 0 "mark or-geinformeerd@staphorst done" -- "$C" done or-geinformeerd@staphorst
compare party
OUT=$(cat "$T/party.kh")
expect_in '^\[klaar\] Ondernemingsraad geïnformeerd — Gemeente Staphorst	' \
    "khal shows it done after the second sync"
expect_not_in '^\[kan nu\] Ondernemingsraad geïnformeerd — Gemeente Staphorst	' "and not ready any more"

stop_daemon
finish
