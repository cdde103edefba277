#!/bin/bash
# t-change.sh: changing a running plan (move, retitle, cancel, require), end to end: the real
# daemon on a demo clock, a real SMTP server, the real client, the feed read by python3-icalendar.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
PY=/usr/bin/python3
setup_conf
rm -f "$T"/plans/*.plan
cp "$TOP/tests/plans/change/wijziging.plan" "$TOP/tests/plans/change/tweede.plan" "$T/plans/"
start_smtpd || exit 1
# Retries wait long: a message the server refused stays pending until the test moves on.
mail_conf mail-retry-base 600

# The subjects this run's server took, one per line.
subjects() { mbox list | cut -f4; }
got() { subjects | grep -c -- "$1"; }
# event KEY FILE: "SEQUENCE DTSTAMP DTEND" of the event of KEY in an iCalendar file.
event() {
	"$PY" - "$1" "$2" <<'PY'
import sys
from icalendar import Calendar
key, path = sys.argv[1], sys.argv[2]
cal = Calendar.from_ical(open(path, "rb").read())
for ev in cal.walk("VEVENT"):
    if str(ev["UID"]).startswith(key + "@"):
        print(int(ev["SEQUENCE"]), ev.decoded("DTSTAMP").strftime("%Y%m%dT%H%M%S"),
              ev.decoded("DTEND").strftime("%Y%m%d"), str(ev["SUMMARY"]))
        break
PY
}
# The listener has a new port at each start: the feed's path on today's address.
feed() { curl -s -o "$T/$1.ics" -w '%{http_code}' "$(http_addr)$FPATH"; }
json_field() { "$PY" -c 'import json, sys; d = json.load(sys.stdin)
for k in sys.argv[1].split("."): d = d[int(k)] if isinstance(d, list) else d[k]
print(d)' "$1"; }

start_daemon --clock-start '2014-01-01 09:00' --clock-speed 0 || exit 1
expect_exit 0 "a plan feed" -- "$C" feeds create --plan wijziging
FPATH=/$(printf '%s\n' "$OUT" | grep -Eo 'https?://[^ ]+\.ics' | head -1 | sed 's,^[a-z]*://[^/]*/,,')
[ "$(feed f1)" = 200 ] && ok "the feed answers" || not_ok "the feed answers"
read -r SEQ1 STAMP1 END1 _ <<<"$(event rapport "$T/f1.ics")"
[ "$END1" = 20140111 ] && ok "the report is due 10 January in the feed" || not_ok "DTEND $END1"

# ---- bad input changes nothing ----
expect_exit 4 "move of an unknown milestone" -- "$C" move rapprt --due 2014-01-20 --reason x
expect_in "no milestone rapprt.*did you mean rapport" "names it, and what was meant"
expect_exit 1 "move to a date that does not exist" -- "$C" move rapport --due 2014-02-30 --reason x
expect_in "due: write YYYY-MM-DD" "says how to write it"
expect_exit 2 "move without a reason" -- "$C" move rapport --due 2014-01-20
expect_in "say why, with --reason" "asks for the reason"
OUT=$(curl -s --unix-socket "$SOCK" -d '{"key": "rapport", "due": "2014-01-20"}' \
    http://localhost/api/v1/move)
expect_in '"error": ?"bad-request".*a reason is required' "the API refuses a move without a reason"
OUT=$(curl -s --unix-socket "$SOCK" -d '{"key": "rapport@x", "due": "2014-01-20", "reason": "x"}' \
    http://localhost/api/v1/move)
expect_in 'without @PARTY' "a key with a party is refused, saying a change is to the milestone"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
expect_exit 1 "a non-operator may not move" -- $NOBODY "$C" move rapport --due 2014-01-20 --reason x
expect_in "nobody \(uid [0-9]+, not an operator of termijnd\) may not change plan wijziging: .*operator" \
    "says who may"
expect_exit 1 "a non-operator may not retitle" -- $NOBODY "$C" retitle rapport --title X --reason x
expect_exit 3 "cancel of a milestone of the plan file" -- "$C" cancel rapport --reason x
expect_in "in the plan file: only a milestone added at run time" "says only additions can be cancelled"
expect_exit 0 "show" -- "$C" --json show rapport
expect_in '"deadline": "2014-01-10T23:00:00Z"' "the report is still due 10 January"
expect_exit 0 "the log" -- "$C" log
expect_not_in " (move|retitle|cancel|require) " "no change is in the log"
OUT=$(sqlite3 "$T/state/termijn.db" "SELECT count(*) FROM plan_change")
expect_n 0 "$OUT" "no change was recorded"

# ---- a requirement that makes a cycle, a move that makes timing impossible ----
expect_exit 3 "a requirement that closes a cycle" -- "$C" require begin --on advies --reason "x"
expect_in "cannot add a requirement to begin: dependency cycle: begin -> advies -> rapport -> begin" \
    "is refused naming the cycle"
expect_exit 0 "the kick-off gets a window" -- "$C" move begin --window-start 2014-01-08 --reason "room"
expect_exit 3 "a deadline before the prerequisite can start" -- "$C" move rapport --due 2014-01-07 \
    --reason "sooner"
expect_in "rapport is due 2014-01-07, but its prerequisite begin cannot start before 2014-01-08" \
    "is refused naming why"
# Across plans too: the follow-up of plan tweede (due 10 February) requires the advice.
expect_exit 3 "a window that starts after a dependent in another plan is due" -- "$C" move advies \
    --window-start 2014-02-11 --due 2014-02-20 --reason "x"
expect_in "cannot move advies: .*vervolg.*2014-02-11" "is refused naming the other plan's step"
expect_exit 1 "a requirement on another plan's milestone" -- "$C" require advies --on tweede:vervolg \
    --reason "x"
expect_in "one of another plan is required in the plan file" "is left to the plan file"
expect_exit 0 "the kick-off without its window again" -- "$C" move begin --window-start none \
    --reason "no room after all"

# ---- a moved deadline: reminders at the new time, SEQUENCE raised ----
expect_exit 0 "move the report" -- "$C" move rapport --due 2014-01-20 --reason "the councils meet later"
expect_in "moved rapport: due 2014-01-10 -> due 2014-01-20" "says from what to what"
[ "$(feed f2)" = 200 ] || not_ok "the feed answers after the move"
read -r SEQ2 STAMP2 END2 _ <<<"$(event rapport "$T/f2.ics")"
[ "$END2" = 20140121 ] && ok "the feed has the new deadline" || not_ok "DTEND $END2"
[ "$SEQ2" -gt "$SEQ1" ] && ok "SEQUENCE raised ($SEQ1 -> $SEQ2)" || not_ok "SEQUENCE $SEQ1 -> $SEQ2"
[ "$STAMP2" \> "$STAMP1" ] || [ "$STAMP2" = "$STAMP1" ] && [ "$STAMP1" != "" ] &&
    ok "DTSTAMP not earlier ($STAMP1 -> $STAMP2)" || not_ok "DTSTAMP $STAMP1 -> $STAMP2"
expect_exit 0 "retitle the advice" -- "$C" retitle advies --title "Advice to the councils" \
    --reason "clearer"
read -r SEQA1 _ <<<"$(event advies "$T/f2.ics")"
feed f3 >/dev/null
read -r SEQA2 _ _ SUMA <<<"$(event advies "$T/f3.ics")"
[ "$SEQA2" -gt "$SEQA1" ] && ok "a retitle raises SEQUENCE too ($SEQA1 -> $SEQA2)" ||
    not_ok "retitle: SEQUENCE $SEQA1 -> $SEQA2"
case "$SUMA" in *"Advice to the councils"*) ok "the feed has the new title";;
*) not_ok "the feed's SUMMARY: $SUMA";; esac
expect_exit 0 "the log" -- "$C" log
expect_in "move +rapport +the councils meet later; note: due 2014-01-10 -> due 2014-01-20" \
    "the log has who, the reason, the old and the new deadline"
expect_in "retitle +advies +clearer; note: Advice -> Advice to the councils" "and the retitle"

# The old 7-day reminder (3 January 08:30) must not come; the kick-off's (2 January) does.
stop_daemon
start_daemon --clock-start '2014-01-04 09:00' --clock-speed 0 || exit 1
if wait_until 15 eval '[ "$(got "Reminder: Kick-off")" -ge 1 ]'; then
	ok "the kick-off's reminder of 2 January came"; else not_ok "no kick-off reminder"; fi
sleep 0.5
expect_n 0 "$(got "Reminder: Report")" "no reminder of the report at its old time"
expect_exit 0 "after a restart" -- "$C" --json show rapport
expect_in '"deadline": "2014-01-20T23:00:00Z"' "the move is still in force"
expect_exit 0 "after a restart" -- "$C" --json show advies
expect_in '"title": "Advice to the councils"' "the retitle too"
[ "$(feed f4)" = 200 ] || not_ok "the feed answers after the restart"
read -r SEQ4 _ <<<"$(event rapport "$T/f4.ics")"
expect_n "$SEQ2" "$SEQ4" "the feed's SEQUENCE is the same after a restart"

# At its new time, 13 January 08:30, while the server refuses: the reminder waits, pending.
smtp_ctl '{"tempfail": 100}'
stop_daemon
start_daemon --clock-start '2014-01-13 09:00' --clock-speed 0 || exit 1
pending() { "$C" --json reminders all | "$PY" -c 'import json, sys
print(sum(1 for r in json.load(sys.stdin)["outbox"] if r["key"] == "rapport" and r["state"] == sys.argv[1]))' "$1"; }
if wait_until 15 eval '[ "$(pending pending)" -ge 1 ]'; then
	ok "the reminder of the new time is pending (the server refuses)"; else not_ok "no pending reminder"; fi
# Moved again: the pending one goes, a new one comes at the newer time.
expect_exit 0 "move the report once more" -- "$C" move rapport --due 2014-01-27 --reason "later still"
expect_n 0 "$(pending pending)" "the pending reminder of the old time is gone"
expect_n 1 "$(pending cancelled)" "cancelled"
OUT=$("$C" --json reminders all)
expect_in '"last_error": "the milestone changed"' "saying why"
smtp_ctl '{"reset": true}'
stop_daemon
BASE=$(smtp_count)
start_daemon --clock-start '2014-01-20 09:00' --clock-speed 0 || exit 1
if wait_until 15 eval '[ "$(got "Reminder: Report — due Monday 27 January 2014")" -ge 1 ]'; then
	ok "the reminder comes at the newest time, with the newest deadline"
else not_ok "no reminder for 27 January"; subjects | sed 's/^/    /'; fi
expect_n 0 "$(got "due Monday 20 January")" "none for the deadline it no longer has"

# ---- additions cancelled, requirements added, both kept over a restart ----
expect_exit 0 "add a step" -- "$C" add -p wijziging extra --title "Extra" --owner sec \
    --due 2014-01-29 --requires rapport
expect_exit 0 "the advice requires it" -- "$C" require advies --on extra --reason "needed"
expect_in "changed advies: does not require extra -> requires extra" "says so"
expect_exit 3 "cancel of a step that is required" -- "$C" cancel extra --reason "x"
expect_in "cannot cancel extra: milestone advies requires unknown milestone extra" "is refused"
expect_exit 0 "add a second step" -- "$C" add -p wijziging extra2 --title "Extra 2" --owner sec \
    --due 2014-01-29
expect_exit 0 "done on it" -- "$C" done extra2 --override --reason "test"
expect_exit 3 "cancel of a step that is done" -- "$C" cancel extra2 --reason "x"
expect_in "extra2 is done or waived \(reopen it first\)" "is refused"
expect_exit 0 "undo it" -- "$C" undo extra2 --reason "test"
expect_exit 0 "cancel it" -- "$C" cancel extra2 --reason "not needed"
expect_in "cancelled extra2" "says so"
stop_daemon
start_daemon --clock-start '2014-01-20 09:00' --clock-speed 0 || exit 1
expect_exit 0 "after a restart" -- "$C" --json show advies
expect_in '"key": "extra"' "the advice still requires the addition"
expect_exit 4 "the cancelled step" -- "$C" show extra2
expect_exit 0 "status" -- "$C" --json status
expect_in '"conflicts": \[\]' "no conflicts"

# ---- the plan file edited under a run-time change: the file wins, status says so ----
sed -i 's/^  due 2014-01-10$/  due 2014-01-15/' "$T/plans/wijziging.plan"
expect_exit 0 "reload the edited plan" -- "$C" reload
expect_exit 0 "show" -- "$C" --json show rapport
expect_in '"deadline": "2014-01-15T23:00:00Z"' "the file's deadline is in force"
expect_exit 0 "status" -- "$C" status
expect_in "run-time changes that are not in force" "status warns"
expect_in "wijziging: move of rapport to \"due 2014-01-27\" \(by root[^:]*: later still\)" \
    "naming the change"
expect_in "plan file was changed since \(due 2014-01-20, then due 2014-01-15\): the file wins" \
    "and what the file says"
expect_exit 0 "status" -- "$C" --json status
OUT=$(printf '%s' "$OUT" | json_field conflicts.0.key)
expect_in "^rapport$" "the API lists the conflict"
expect_exit 0 "show advies" -- "$C" --json show advies
expect_in '"title": "Advice to the councils"' "the other changes stay in force"
stop_daemon
start_daemon --clock-start '2014-01-20 09:00' --clock-speed 0 || exit 1
expect_exit 0 "status after a restart" -- "$C" status
expect_in "move of rapport" "still shows the conflict"
# The file takes the run-time value: nothing left to report.
sed -i 's/^  due 2014-01-15$/  due 2014-01-27/' "$T/plans/wijziging.plan"
expect_exit 0 "reload" -- "$C" reload
expect_exit 0 "status" -- "$C" status
expect_not_in "not in force" "a file that agrees with the change is no conflict"
stop_daemon
finish
