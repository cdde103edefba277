#!/bin/bash
# t-crossplan.sh: links between plans ("requires PLAN:ID", issue 9 point 7): the real daemon
# on the replay clock, the real client, a real SMTP server, the feeds. Two small test plans,
# a and b, then the shipped plans.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
PY=/usr/bin/python3
setup_conf
rm -f "$T"/plans/*.plan
start_smtpd || exit 1
mail_conf mail-retry-base 1

cat > "$T/plans/a.plan" <<'EOP'
plan a
  title Spoor A

role secretaris
party x
  name Gemeente X
  role secretaris sec@x.example
party y
  name Gemeente Y
  role secretaris sec@y.example

milestone start
  title A begint
  owner secretaris
  due 2014-01-10

milestone besluit
  title A besluit
  owner secretaris
  parties all
  due 2014-02-01
  requires b:overleg

milestone eind
  title A eind
  owner secretaris
  due 2014-03-01
  requires besluit@all, b:conferentie
EOP
cat > "$T/plans/b.plan" <<'EOP'
plan b
  title Spoor B

role secretaris
party x
  name Gemeente X
  role secretaris sec@x.example
party y
  name Gemeente Y
  role secretaris sec@y.example
party z
  name Gemeente Z
  role secretaris sec@z.example

milestone overleg
  title B overleg
  owner secretaris
  parties all
  due 2014-01-20

milestone conferentie
  title B conferentie
  owner secretaris
  window 2014-01-13 .. 2014-01-31
  requires a:start
EOP
cp "$T/plans/a.plan" "$T/a.plan.good"
cp "$T/plans/b.plan" "$T/b.plan.good"

# ---- checked at start (termijnd -n) ----
expect_exit 0 "termijnd -n: the two linked plans are fine" -- "$TERMIJND" -n -f "$T/termijnd.conf"
sed -i 's/requires b:overleg$/requires c:overleg/' "$T/plans/a.plan"
expect_exit 1 "a plan that is not loaded: an error" -- "$TERMIJND" -n -f "$T/termijnd.conf"
expect_in "plans/a\.plan:22: milestone besluit requires c:overleg, but no plan c is loaded" \
    "with file:line, naming the plan"
cp "$T/a.plan.good" "$T/plans/a.plan"
sed -i 's/requires b:overleg$/requires b:overlag@same/' "$T/plans/a.plan"
expect_exit 1 "a milestone the other plan does not have: an error" -- \
    "$TERMIJND" -n -f "$T/termijnd.conf"
expect_in "plans/a\.plan:22: milestone besluit requires b:overlag@same, but plan b has no milestone overlag" \
    "with file:line, naming the milestone"
cp "$T/a.plan.good" "$T/plans/a.plan"
sed -i 's/^  requires a:start$/  requires a:start, a:eind/' "$T/plans/b.plan"
expect_exit 1 "a cycle through both plans: an error" -- "$TERMIJND" -n -f "$T/termijnd.conf"
expect_in "dependency cycle across plans: .*a:eind -> b:conferentie -> a:eind|dependency cycle across plans: .*b:conferentie -> a:eind -> b:conferentie" \
    "naming the cycle"
cp "$T/b.plan.good" "$T/plans/b.plan"
sed -i 's/window 2014-01-13 .. 2014-01-31/window 2014-03-02 .. 2014-03-05/' "$T/plans/b.plan"
expect_exit 1 "a prerequisite in the other plan that opens too late: an error" -- \
    "$TERMIJND" -n -f "$T/termijnd.conf"
expect_in "plans/a\.plan:28: eind is due 2014-03-01, but its prerequisite b:conferentie cannot start before 2014-03-02" \
    "with file:line and both moments"
cp "$T/b.plan.good" "$T/plans/b.plan"
sed -i 's/requires b:overleg$/requires b:overleg@z/' "$T/plans/a.plan"
expect_exit 0 "@PARTY of the other plan, a party this plan does not have" -- \
    "$TERMIJND" -n -f "$T/termijnd.conf"
sed -i 's/requires b:overleg@z$/requires b:overleg@q/' "$T/plans/a.plan"
expect_exit 1 "@PARTY the other milestone does not apply to: an error" -- \
    "$TERMIJND" -n -f "$T/termijnd.conf"
expect_in "a\.plan:22: requires b:overleg@q: overleg does not apply to party q" "naming the party"
cp "$T/a.plan.good" "$T/plans/a.plan"

# ---- enforced: refusals name the other plan's step, until it is done ----
start_daemon --clock-start '2014-01-15 09:00' --clock-speed 0 || exit 1
expect_exit 3 "done besluit@x while b's overleg@x is open: refused (exit 3)" -- \
    "$C" done besluit@x
expect_in "requires b:overleg@x \(B overleg, Gemeente X\): not done" \
    "the refusal names the other plan's step"
expect_exit 0 "show besluit@y" -- "$C" show besluit@y
expect_in "b:overleg@y +blocked|b:overleg@y +(ready|overdue)" "show lists the other plan's step with its state"
expect_exit 0 "show b:overleg@x: PLAN:KEY as the refusal names it" -- "$C" show b:overleg@x
expect_in "B overleg" "is plan b's step"
expect_exit 4 "show c:overleg@x: no plan c" -- "$C" show c:overleg@x
expect_in "no plan c" "says so"
expect_exit 0 "done overleg@x in plan b" -- "$C" done -p b overleg@x
expect_in "now ready: a:besluit@x \(A besluit, Gemeente X\)" \
    "its now-ready lines include the dependent in plan a"
expect_exit 0 "done besluit@x now succeeds" -- "$C" done besluit@x

# A go-ahead mail when the other plan's step is done.
expect_exit 0 "done overleg@y in plan b" -- "$C" done -p b overleg@y
goahead() { mbox list | awk -F'\t' '$2 == "sec@y.example" && $4 ~ /^Kan nu: A besluit/ { n++ } END { exit n ? 0 : 1 }'; }
if wait_until 20 goahead; then ok "the owner of besluit@y gets the go-ahead"
else not_ok "the owner of besluit@y gets the go-ahead"; mbox list | tail -5; fi
expect_exit 0 "done besluit@y" -- "$C" done besluit@y

# The other direction: b's conferentie waits for a:start.
expect_exit 3 "done eind: refused" -- "$C" done eind
expect_in "requires b:conferentie \(B conferentie\): not done" "naming b:conferentie"
expect_exit 3 "done conferentie in plan b while a:start is open: refused" -- \
    "$C" done -p b conferentie
expect_in "requires a:start \(A begint\): not done" "naming a:start"

# The feed of plan a shows the prerequisite in plan b, with its state.
FEEDPATH=$("$C" --json feeds create --plan a |
    $PY -c 'import json, sys; print("/" + json.load(sys.stdin)["url"].split("://")[1].split("/", 1)[1])')
curl -s --max-time 10 -o "$T/a1.ics" "http://$(http_addr)$FEEDPATH"
OUT=$($PY "$TOP/tests/e2e/feedcheck.py" event "$T/a1.ics" "eind@a.termijn" DESCRIPTION)
expect_in "B conferentie \[b:conferentie\] \(geblokkeerd\)" "the feed's description (in the plan's Dutch) names b:conferentie, blocked"
OUT=$($PY "$TOP/tests/e2e/feedcheck.py" event "$T/a1.ics" "eind@a.termijn" RELATED-TO)
expect_in "conferentie@b.termijn" "and relates to its UID"

# ---- restart keeps it (a day later, the clock running a minute a second) ----
stop_daemon
start_daemon --clock-start '2014-01-16 09:00' --clock-speed 60 || exit 1
expect_exit 3 "after a restart: done eind still refused" -- "$C" done eind
expect_in "requires b:conferentie" "still naming b:conferentie"
expect_exit 0 "done start" -- "$C" done start
expect_in "now ready: b:conferentie \(B conferentie\)" "now ready in plan b"
# Plan a's feed changes when b's step is done: Last-Modified moves (no 304 for the old date).
LM=$(curl -s --max-time 10 -D - -o /dev/null "http://$(http_addr)$FEEDPATH" | tr -d '\r' |
    sed -n 's/^Last-Modified: //p')
expect_exit 0 "done conferentie in plan b" -- "$C" done -p b conferentie
OUT=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $LM" \
    "http://$(http_addr)$FEEDPATH")
expect_in "^200$" "plan a's feed since $LM: 200, as b's step shown in it changed"
expect_exit 3 "undo start while b:conferentie is done: refused" -- \
    "$C" undo start --reason test
expect_in "b:conferentie \(B conferentie\)" "naming the other plan's done step"
curl -s --max-time 10 -o "$T/a2.ics" "http://$(http_addr)$FEEDPATH"
OUT=$($PY "$TOP/tests/e2e/feedcheck.py" event "$T/a2.ics" "eind@a.termijn" DESCRIPTION)
expect_in "\[b:conferentie\] \(klaar\)" "the feed reads the other plan's state live"

# ---- reload: links re-resolved; one that would break is refused, the old plans stay ----
sed -i '/^milestone overleg/,/^  due 2014-01-20/d' "$T/plans/b.plan"
expect_exit 1 "reload without b's overleg: refused" -- "$C" reload
expect_in "a\.plan:22: milestone besluit requires b:overleg, but plan b has no milestone overleg" \
    "naming the broken link with file:line"
expect_exit 0 "the old plans stay" -- "$C" show -p b overleg@z
cp "$T/b.plan.good" "$T/plans/b.plan"
sed -i 's/^  due 2014-01-20$/  due 2014-01-20\n  requires a:eind/' "$T/plans/b.plan"
expect_exit 1 "reload that makes a cycle across the plans: refused" -- "$C" reload
expect_in "dependency cycle across plans: " "naming the cycle"
expect_in "a:eind" "with the steps of plan a"
cp "$T/b.plan.good" "$T/plans/b.plan"
# A reload that adds a link: besluit also waits for b's conferentie (done).
sed -i 's/^  requires a:start$/  requires a:start\nmilestone nazorg\n  title B nazorg\n  owner secretaris\n  due 2014-02-20\n  requires a:eind/' "$T/plans/b.plan"
LM=$(curl -s --max-time 10 -D - -o /dev/null "http://$(http_addr)$FEEDPATH" | tr -d '\r' |
    sed -n 's/^Last-Modified: //p')
sleep 1
expect_exit 0 "reload with a new link from b to a" -- "$C" reload
OUT=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $LM" \
    "http://$(http_addr)$FEEDPATH")
expect_in "^200$" "plan a's feed after b's text changed: 200 (its eind now shows b:nazorg)"
expect_exit 3 "done nazorg in plan b while a:eind is open: refused" -- "$C" done -p b nazorg
expect_in "requires a:eind \(A eind\): not done" "the new link is in force"
expect_exit 0 "done eind" -- "$C" done eind
expect_in "now ready: b:nazorg" "and reported as ready in plan b"
stop_daemon

# ---- the shipped plans: the advice follows the conference of the other track ----
cp "$TOP"/etc/plans/*.plan "$T/plans/"
rm -f "$T/plans/a.plan" "$T/plans/b.plan"
start_daemon -S "$T/state2" --clock-start '2014-02-28 09:00' --clock-speed 0 || exit 1
expect_exit 0 "show advies" -- "$C" show -p bedrijfsvoering advies
expect_in "sociaal-domein:conferentie" "the shipped advice requires the conference of sociaal-domein"
stop_daemon
finish
