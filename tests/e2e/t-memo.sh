#!/bin/bash
# t-memo.sh: walk the memo's timeline with the real client against the real daemon.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf

start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1

expect_exit 0 "status answers" -- "$C" status
expect_in "bedrijfsvoering" "status names the plan"
expect_exit 0 "status --json answers" -- "$C" --json status
expect_in '"plans"' "status --json is the API's JSON"

expect_exit 3 "press release refused at the start" -- "$C" done persbericht
for k in raad@staphorst raad@steenwijkerland raad@zwartewaterland personeel@staphorst \
    personeel@steenwijkerland personeel@zwartewaterland; do
	expect_in "$k" "refusal names $k"
done

expect_exit 3 "staff briefing refused before the colleges decided" -- "$C" done personeel@staphorst
expect_in "collegebesluit@zwartewaterland" "refusal names the college still to decide"
expect_in "2013-12-19 08:00" "refusal names the not-before time"

expect_exit 1 "a per-party milestone without its party is ambiguous" -- "$C" done personeel
expect_in "personeel@steenwijkerland" "the candidates are listed"
expect_exit 4 "an unknown milestone is not found" -- "$C" done nietbestaand
expect_exit 4 "show of an unknown milestone is not found" -- "$C" show nietbestaand@staphorst

# A non-operator may read but not change.
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
expect_exit 0 "a non-operator may read" -- $NOBODY "$C" list
expect_exit 1 "a non-operator may not mark done" -- $NOBODY "$C" done collegebesluit@staphorst
expect_in "not an operator" "the refusal says why"
expect_exit 0 "the milestone is still open" -- "$C" --json show collegebesluit@staphorst
expect_in '"status": "open"' "nothing changed"

# The colleges decide on 17 December, not before ("on 2013-12-17" in the plan).
expect_exit 3 "a college cannot decide on 16 December" -- "$C" done collegebesluit@staphorst
expect_in "only on its day, 2013-12-17" "the refusal names its day"
stop_daemon
start_daemon --clock-start '2013-12-17 09:00' --clock-speed 0 || exit 1
expect_exit 0 "college of Staphorst decides" -- "$C" done collegebesluit@staphorst -n "B&W 17-12"
expect_exit 0 "college of Steenwijkerland decides" -- "$C" done collegebesluit@steenwijkerland
expect_exit 3 "done twice is refused" -- "$C" done collegebesluit@steenwijkerland
expect_exit 0 "college of Zwartewaterland decides" -- "$C" done collegebesluit@zwartewaterland
expect_in "inventarisatie" "the last college's decision reports what became ready"
expect_in "^now ready: inventarisatie " "inventarisatie may be done now"
expect_in "^ready from 2013-12-19 08:00: or-geinformeerd@staphorst " "the works council only from the 19th, 08:00"
expect_in "^ready from 2014-01-06 00:00: raad@zwartewaterland " "the council only when its window opens"
for p in staphorst steenwijkerland; do
	expect_exit 0 "management team $p involved" -- "$C" done mt-betrokken@$p
done
expect_exit 3 "staff briefing still refused before 19 December 08:00" -- "$C" done personeel@staphorst
expect_in "2013-12-19 08:00" "only the not-before rule is left"
expect_not_in "collegebesluit" "the colleges are no longer named"
expect_exit 1 "done in the future is refused" -- "$C" done mt-betrokken@zwartewaterland --at "2014-01-01 10:00"

# Acknowledged, then killed at once: it must survive.
expect_exit 0 "management team zwartewaterland involved" -- "$C" done mt-betrokken@zwartewaterland
# Honest "now ready": the staff step still waits for its 08:00 on the 19th, and says so.
expect_in "^ready from 2013-12-19 08:00: personeel@staphorst " "the staff step is ready only from 19 December 08:00"
expect_in "^ready from 2013-12-19 08:00: personeel@zwartewaterland " "in every party"
expect_not_in "now ready: personeel@" "and is not reported as ready now"
kill9_daemon
start_daemon --clock-start '2013-12-19 08:30' --clock-speed 0 || exit 1
expect_exit 0 "show after kill -9" -- "$C" --json show mt-betrokken@zwartewaterland
expect_in '"status": "done"' "the done acknowledged before kill -9 survived"
expect_exit 0 "show after restart" -- "$C" --json show collegebesluit@staphorst
expect_in '"note": "B&W 17-12"' "the note survived the restart"

for p in staphorst steenwijkerland zwartewaterland; do
	expect_exit 0 "staff of $p informed" -- "$C" done personeel@$p
done
# The council's window opens on 6 January: before it the council step is refused.
expect_exit 3 "done raad@staphorst before 6 January is refused" -- "$C" done raad@staphorst
expect_in "its window opens 2014-01-06" "the refusal names the window"
expect_not_in "collegebesluit" "and nothing else"
expect_exit 3 "press release refused while councils are not informed" -- "$C" done persbericht
expect_in "raad@zwartewaterland" "refusal names the council of Zwartewaterland"
expect_not_in "personeel@" "refusal no longer names the staff"

stop_daemon
start_daemon --clock-start '2014-01-20 10:00' --clock-speed 0 || exit 1
expect_exit 0 "council Staphorst" -- "$C" done raad@staphorst
expect_exit 0 "council Steenwijkerland" -- "$C" done raad@steenwijkerland
expect_exit 3 "press release refused with one council left" -- "$C" done persbericht
expect_in "raad@zwartewaterland" "refusal names the one council left"
expect_not_in "raad@staphorst" "refusal does not name councils that are done"
expect_exit 0 "council Zwartewaterland" -- "$C" done raad@zwartewaterland
expect_in "persbericht" "the last council makes the press release ready"
expect_exit 0 "press release goes out" -- "$C" done persbericht -n "uitgegeven"

expect_exit 2 "undo needs a reason" -- "$C" undo raad@staphorst
expect_exit 3 "undo of a council refused while the press release is done" -- "$C" undo raad@staphorst -r "vergissing"
expect_in "persbericht" "the refusal names the press release"
expect_exit 0 "waive a milestone" -- "$C" waive or-geinformeerd@staphorst -r "OR al op 18-12 bijgepraat"
expect_exit 0 "a part found in deliverable 2" -- "$C" part add bedrijfsvoering onderdeel ict \
    --title "ICT" --lead zwartewaterland
expect_exit 0 "override a rule, with a reason" -- "$C" done architectuur#ict --override --reason "besproken in stuurgroep"
expect_exit 0 "add a part found in deliverable 2" -- "$C" add -p bedrijfsvoering onderdeel-ict \
    --title "Onderdeel ICT: gezamenlijk beheer" --owner secretaris --due 2014-02-20 --requires quickwins
expect_exit 0 "the added milestone is there" -- "$C" --json show onderdeel-ict
expect_in '"state": "blocked"' "the added milestone waits for quickwins"
expect_exit 1 "an add with an unknown prerequisite is refused" -- "$C" add -p bedrijfsvoering x-y \
    --title "X" --owner secretaris --due 2014-02-20 --requires bestaatniet

# Reload an edited plan: a title changes, a milestone is renamed, one is removed.
sed -i -e 's/^  title Gezamenlijk persbericht uitgegeven/  title Gezamenlijk persbericht naar buiten/' \
    -e 's/^milestone architectuur$/milestone architectuur-keuze\n  formerly architectuur/' \
    -e 's/requires voorstellen#all, architectuur#all$/requires voorstellen#all, architectuur-keuze#all/' \
    "$T/plans/bedrijfsvoering.plan"
python3 - "$T/plans/bedrijfsvoering.plan" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
s = re.sub(r"\nmilestone or-geinformeerd\n(  .*\n)+", "\n", s)
open(p, "w", encoding="utf-8").write(s)
PY
kill -HUP "$DPID"
sleep 0.5
expect_exit 0 "show after reload" -- "$C" --json show persbericht
expect_in '"status": "done"' "press release still done after reload"
expect_in 'naar buiten' "its new title is in force"
expect_exit 0 "renamed milestone, its part's instance" -- "$C" --json show architectuur-keuze#ict
expect_in '"status": "done"' "the renamed milestone kept its state"
expect_exit 0 "status after reload" -- "$C" status
expect_in "or-geinformeerd@staphorst" "the removed milestone's state is kept and shown"
expect_exit 0 "added milestone after reload" -- "$C" --json show onderdeel-ict
expect_in '"runtime": true' "the milestone added at run time survived the reload"

# A broken plan is refused and the old one stays.
cp "$T/plans/bedrijfsvoering.plan" "$T/good.plan"
printf 'milestone kapot\n  title Kapot\n  owner niemand\n  due 2014-13-01\n' >> "$T/plans/bedrijfsvoering.plan"
expect_exit 1 "reload of a broken plan fails" -- "$C" reload
expect_in "bedrijfsvoering.plan:[0-9]+: " "the error names file and line"
expect_exit 0 "the old plan is still in force" -- "$C" --json show persbericht
expect_in 'naar buiten' "still the plan before the broken edit"
expect_exit 1 "termijnd -n reports the broken plan" -- "$TERMIJND" -n -f "$T/termijnd.conf"
expect_in "bedrijfsvoering.plan:[0-9]+: .*2014-13-01" "the check names the bad date"
expect_in "bedrijfsvoering.plan:[0-9]+: .*niemand" "and, in the same run, the unknown owner"
cp "$T/good.plan" "$T/plans/bedrijfsvoering.plan"
expect_exit 0 "reload of the repaired plan" -- "$C" reload

expect_exit 0 "the log" -- "$C" log
expect_in "done-override" "the override is in the log"
expect_in "besproken in stuurgroep" "with its reason"
expect_in "root" "with the actor"
expect_exit 0 "the log of one milestone" -- "$C" --json log persbericht
expect_in '"action": "done"' "the log of the press release shows its done"

expect_exit 0 "sqlite: the audit log refuses updates" -- sqlite3 "$T/state/termijn.db" "SELECT 1"
OUT=$(sqlite3 "$T/state/termijn.db" "UPDATE audit SET actor='x'" 2>&1)
expect_in "append-only" "the audit log is append-only in the database itself"

stop_daemon
finish
