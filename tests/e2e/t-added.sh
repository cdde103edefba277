#!/bin/bash
# t-added.sh: milestones added at run time come back after a restart whatever their order,
# names and clock; one the plan no longer takes stays in the database and in view.
. "$(dirname "$0")/lib.sh"
setup_conf
# A step of the plan file that an addition will require, and that an edit then takes out.
cat >> "$T/plans/bedrijfsvoering.plan" <<'EOP'

milestone tijdelijk
  title Tijdelijke stap
  owner secretaris
  due 2014-02-10
  requires quickwins
EOP
C=$TERMIJN
start_daemon --clock-start '2013-12-20 09:00' --clock-speed 0 || exit 1

# The first added requires the second, and sorts before it (same second, name order).
expect_exit 0 "add a part per party" -- "$C" add -p bedrijfsvoering qw-ict --title "Onderdeel ICT" \
    --owner secretaris --due 2014-02-20 --parties all --requires quickwins
expect_exit 0 "add a proposal that requires one party's part" -- "$C" add -p bedrijfsvoering \
    qw-hr-voorstel --title "Voorstel HR" --owner secretaris --due 2014-02-25 \
    --requires qw-ict@steenwijkerland
expect_exit 0 "add a step that requires a step of the plan file" -- "$C" add -p bedrijfsvoering \
    qw-a-tijdelijk --title "Hangt aan de tijdelijke stap" --owner secretaris --due 2014-02-26 \
    --requires tijdelijk
stop_daemon

# A demo clock starts again where it started: an addition now has an earlier time than
# the one it requires.
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
expect_exit 0 "after a restart: the proposal is there" -- "$C" --json show qw-hr-voorstel
expect_in '"runtime": true' "the proposal is an addition"
expect_in '"key": "qw-ict@steenwijkerland"' "it still requires the part of Steenwijkerland"
expect_exit 0 "add, on a clock earlier than the addition it requires" -- "$C" add -p bedrijfsvoering \
    qw-advies --title "Advies over HR" --owner secretaris --due 2014-02-27 --requires qw-hr-voorstel
expect_exit 0 "done on an addition" -- "$C" done qw-ict@steenwijkerland --override --reason "test"
kill9_daemon

start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
expect_exit 0 "after kill -9: the last addition is there" -- "$C" --json show qw-advies
expect_in '"key": "qw-hr-voorstel"' "it requires the proposal"
expect_exit 0 "the part's state came back" -- "$C" --json show qw-ict@steenwijkerland
expect_in '"status": "done"' "the part is done"
OUT=$(grep -c 'no longer fits' "$T/daemon.log")
[ "$OUT" = 0 ] && ok "no addition was reported as unfit" || not_ok "additions reported unfit: $OUT"

# The plan file loses the step an addition requires: the addition no longer fits.
expect_exit 0 "done on the addition that will not fit" -- "$C" done qw-a-tijdelijk --override --reason "test"
cp "$T/plans/bedrijfsvoering.plan" "$T/with-tijdelijk.plan"
/usr/bin/python3 - "$T/plans/bedrijfsvoering.plan" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
s = re.sub(r"\nmilestone tijdelijk\n(  .*\n)+", "\n", s)
open(p, "w", encoding="utf-8").write(s)
PY
expect_exit 0 "reload without the step" -- "$C" reload
expect_exit 0 "status" -- "$C" status
expect_in "qw-a-tijdelijk" "status lists the addition that no longer fits"
expect_in "unknown milestone tijdelijk" "and says why"
expect_in "qw-a-tijdelijk +done" "its done state is kept and shown too"
OUT=$(curl -s --unix-socket "$SOCK" http://localhost/api/v1/status)
expect_in '"unfit":\[\{"plan":"bedrijfsvoering","id":"qw-a-tijdelijk"' "the API lists it as unfit"
expect_exit 4 "show of the unfit addition" -- "$C" show qw-a-tijdelijk
expect_in "no longer fits the plan: .*tijdelijk" "show says it is kept but no longer fits"
expect_exit 1 "adding it again is refused" -- "$C" add -p bedrijfsvoering qw-a-tijdelijk \
    --title "Nog eens" --owner secretaris --due 2014-02-26
expect_in "added before and is kept" "the refusal says why"
OUT=$(sqlite3 "$T/state/termijn.db" "SELECT count(*) FROM added WHERE id = 'qw-a-tijdelijk'")
[ "$OUT" = 1 ] && ok "the addition is still in the database" || not_ok "added rows: $OUT"
expect_exit 0 "the other additions are unaffected" -- "$C" --json show qw-advies
stop_daemon
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
expect_exit 0 "status after a restart" -- "$C" status
expect_in "qw-a-tijdelijk" "the unfit addition is still listed"

# The step comes back: so does the addition, with its state.
cp "$T/with-tijdelijk.plan" "$T/plans/bedrijfsvoering.plan"
expect_exit 0 "reload with the step again" -- "$C" reload
expect_exit 0 "the addition fits again" -- "$C" --json show qw-a-tijdelijk
expect_in '"status": "done"' "with its state"
OUT=$(curl -s --unix-socket "$SOCK" http://localhost/api/v1/status)
expect_in '"unfit":\[\]' "nothing is unfit any more"
stop_daemon
finish
