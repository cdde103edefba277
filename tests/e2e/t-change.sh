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
# The change mails: phase marks where a step's messages begin; told RCPT SUBJECT-START
# counts that step's messages to RCPT with such a subject, body RCPT SUBJECT the last one.
phase() { BASE=$(smtp_count); }
told() { mbox list --since "$BASE" | awk -F'\t' -v r="$1" -v s="$2" \
    '$2 == r && substr($4, 1, length(s)) == s { n++ } END { print n + 0 }'; }
told_any() { mbox list --since "$BASE" | awk -F'\t' -v r="$1" '$2 == r { n++ } END { print n + 0 }'; }
body() { mbox body --since "$BASE" --to "$1" --subject "$2"; }
# wait_told RCPT SUBJECT DESCRIPTION: the mail comes (10 s at most), then $OUT is its body.
wait_told() {
	_rcpt=$1 _subj=$2
	if wait_until 10 eval '[ "$(told "$_rcpt" "$_subj")" -ge 1 ]'; then ok "$3"; else
		not_ok "$3 (no \"$2\" to $1)"; mbox list --since "$BASE" | sed 's/^/    /'; fi
	OUT=$(body "$1" "$2")
}
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
OUT=$(curl -s --unix-socket "$SOCK" -d '{"key": "rapport@x", "title": "X", "reason": "x"}' \
    http://localhost/api/v1/retitle)
expect_in 'without @PARTY' "a retitle of a key with a party is refused, saying a change is to the milestone"
expect_exit 3 "a move of a party's timing of a milestone without parties" -- "$C" move rapport@x \
    --due 2014-01-20 --reason x
expect_in "cannot move rapport@x: milestone rapport is not per party: move it without @x" "is refused, saying why"
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
phase
expect_exit 0 "the kick-off gets a window" -- "$C" move begin --window-start 2014-01-08 --reason "room"
wait_told comm@change.example "Dates moved: Kick-off" "the kick-off's owner is told of the move"
expect_in "^root has moved the dates of this milestone of the plan \"Changes to a running plan\"\." \
    "by whom"
expect_in "^Was: due Thursday 9 January 2014$" "what it was"
expect_in "^Now: Wednesday 8 January 2014 to Thursday 9 January 2014$" "and what it is: a window now"
expect_in "^Reason: room$" "with the reason"
expect_in "^    Report it done: termijn done -p wijziging begin$" "and how to report it done"
sleep 0.3
expect_n 0 "$(told_any sec@change.example)" "the owner of the steps that wait for it is not told"
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
phase
expect_exit 0 "the kick-off without its window again" -- "$C" move begin --window-start none \
    --reason "no room after all"
wait_told comm@change.example "Dates moved: Kick-off" "its owner is told again"
expect_in "^Was: Wednesday 8 January 2014 to Thursday 9 January 2014$" "what it was"
expect_in "^Now: due Thursday 9 January 2014$" "and what it is again"

# ---- a moved deadline: reminders at the new time, SEQUENCE raised, the owner told ----
phase
expect_exit 0 "move the report" -- "$C" move rapport --due 2014-01-20 --reason "the councils meet later"
expect_in "moved rapport: due 2014-01-10 -> due 2014-01-20" "says from what to what"
wait_told sec@change.example "Dates moved: Report" "the report's owner is told of the move"
expect_in "^Was: due Friday 10 January 2014$" "the old deadline"
expect_in "^Now: due Monday 20 January 2014$" "the new one"
expect_in "^  - Report$" "the step"
expect_in "^    Due: Monday 20 January 2014$" "due at its new time"
expect_in "^Reason: the councils meet later$" "the reason"
expect_exit 0 "the move's mail is well-formed" -- mbox check --since "$BASE" --any-body
sleep 0.3
expect_n 1 "$(mbox list --since "$BASE" | wc -l)" "nobody else is told"
[ "$(feed f2)" = 200 ] || not_ok "the feed answers after the move"
read -r SEQ2 STAMP2 END2 _ <<<"$(event rapport "$T/f2.ics")"
[ "$END2" = 20140121 ] && ok "the feed has the new deadline" || not_ok "DTEND $END2"
# By one: a calendar sees one revision of the event per change.
[ "$SEQ2" -eq $((SEQ1 + 1)) ] && ok "SEQUENCE raised by one ($SEQ1 -> $SEQ2)" ||
    not_ok "SEQUENCE $SEQ1 -> $SEQ2"
[ "$STAMP2" \> "$STAMP1" ] || [ "$STAMP2" = "$STAMP1" ] && [ "$STAMP1" != "" ] &&
    ok "DTSTAMP not earlier ($STAMP1 -> $STAMP2)" || not_ok "DTSTAMP $STAMP1 -> $STAMP2"
phase
expect_exit 0 "retitle the advice" -- "$C" retitle advies --title "Advice to the councils" \
    --reason "clearer"
wait_told sec@change.example "New title: Advice to the councils" "the advice's owner is told of the new title"
expect_in "^Old title: Advice$" "the old title"
expect_in "^New title: Advice to the councils$" "and the new one"
expect_in "^Reason: clearer$" "with the reason"
read -r SEQA1 _ <<<"$(event advies "$T/f2.ics")"
feed f3 >/dev/null
read -r SEQA2 _ _ SUMA <<<"$(event advies "$T/f3.ics")"
[ "$SEQA2" -eq $((SEQA1 + 1)) ] && ok "a retitle raises SEQUENCE by one too ($SEQA1 -> $SEQA2)" ||
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
# Time alone changed the kick-off's event (due 9 January, overdue now): a new version.
[ "$(feed f5)" = 200 ] || not_ok "the feed answers on 13 January"
read -r BSEQ4 BSTAMP4 _ BSUM4 <<<"$(event begin "$T/f4.ics")"
read -r BSEQ5 BSTAMP5 _ BSUM5 <<<"$(event begin "$T/f5.ics")"
case "$BSUM4 / $BSUM5" in
"[ready] Kick-off / [overdue] Kick-off") ok "the kick-off's event says it is overdue now";;
*) not_ok "the kick-off's SUMMARY: $BSUM4 / $BSUM5";; esac
[ "$BSEQ5" -gt "$BSEQ4" ] && [ "$BSTAMP5" \> "$BSTAMP4" ] &&
    ok "by time alone: SEQUENCE raised ($BSEQ4 -> $BSEQ5), DTSTAMP later ($BSTAMP4 -> $BSTAMP5)" ||
    not_ok "by time alone: SEQUENCE $BSEQ4 -> $BSEQ5, DTSTAMP $BSTAMP4 -> $BSTAMP5"
# pending STATE [KIND]: the report's reminders (or its mails of KIND) in that state.
pending() { "$C" --json reminders all | "$PY" -c 'import json, sys
k = sys.argv[2] if len(sys.argv) > 2 else None
print(sum(1 for r in json.load(sys.stdin)["outbox"] if r["key"] == "rapport" and r["state"] == sys.argv[1]
          and (r["kind"] == k if k else not r["kind"].startswith("change-"))))' "$@"; }
if wait_until 15 eval '[ "$(pending pending)" -ge 1 ]'; then
	ok "the reminder of the new time is pending (the server refuses)"; else not_ok "no pending reminder"; fi
# Moved again: the pending one goes, a new one comes at the newer time.
expect_exit 0 "move the report once more" -- "$C" move rapport --due 2014-01-27 --reason "later still"
expect_n 0 "$(pending pending)" "the pending reminder of the old time is gone"
expect_n 1 "$(pending cancelled)" "cancelled"
expect_n 1 "$(pending pending change-move)" "the mail of the move waits for the server, not cancelled by it"
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
phase
expect_exit 0 "the advice requires it" -- "$C" require advies --on extra --reason "needed"
expect_in "changed advies: does not require extra -> requires extra" "says so"
wait_told sec@change.example "Now also waits for another step: Advice to the councils" \
    "the owner of the advice, which now waits, is told"
expect_in "^Now also waits for: Extra \(extra\)$" "for what"
expect_in "^  - Extra \(not done\)$" "listed with what it waits for"
expect_in "^Reason: needed$" "with the reason"
expect_exit 3 "cancel of a step that is required" -- "$C" cancel extra --reason "x"
expect_in "cannot cancel extra: milestone advies requires unknown milestone extra" "is refused"
expect_exit 0 "add a second step" -- "$C" add -p wijziging extra2 --title "Extra 2" --owner sec \
    --due 2014-01-29
expect_exit 0 "done on it" -- "$C" done extra2 --override --reason "test"
expect_exit 3 "cancel of a step that is done" -- "$C" cancel extra2 --reason "x"
expect_in "extra2 is done or waived \(reopen it first\)" "is refused"
expect_exit 0 "undo it" -- "$C" undo extra2 --reason "test"
phase
expect_exit 0 "cancel it" -- "$C" cancel extra2 --reason "not needed"
expect_in "cancelled extra2" "says so"
wait_told sec@change.example "Cancelled: Extra 2" "its owner is told it is cancelled"
expect_in "^  - Extra 2$" "naming the step"
expect_in "^Reason: not needed$" "and why"
expect_not_in "termijn done" "not asked to report it done"
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
# A waive changes the event too: a new version.
[ "$(feed w1)" = 200 ] || not_ok "the feed answers before a waive"
expect_exit 0 "waive the kick-off" -- "$C" waive begin -r "held by mail instead"
[ "$(feed w2)" = 200 ] || not_ok "the feed answers after the waive"
read -r WSEQ1 WSTAMP1 _ _ <<<"$(event begin "$T/w1.ics")"
read -r WSEQ2 WSTAMP2 _ WSUM2 <<<"$(event begin "$T/w2.ics")"
case "$WSUM2" in "[waived] Kick-off") ok "the kick-off's event says it is waived";;
*) not_ok "the kick-off's SUMMARY after the waive: $WSUM2";; esac
[ "$WSEQ2" -gt "$WSEQ1" ] && ! [ "$WSTAMP2" \< "$WSTAMP1" ] &&
    ok "by a waive: SEQUENCE raised ($WSEQ1 -> $WSEQ2), DTSTAMP not earlier ($WSTAMP1 -> $WSTAMP2)" ||
    not_ok "by a waive: SEQUENCE $WSEQ1 -> $WSEQ2, DTSTAMP $WSTAMP1 -> $WSTAMP2"
stop_daemon

# ---- the shipped memo plan, in Dutch: one party's own timing moved (its for block), the
# milestone's, a part cancelled; each told to its owners ----
mkdir -p "$T/memo"
cp "$TOP"/etc/plans/*.plan "$T/memo/"
start_daemon -S "$T/state-memo" -P "$T/memo" --clock-start '2014-01-02 09:00' --clock-speed 0 || exit 1
GZ=griffie@zwartewaterland.example
expect_exit 0 "a feed of the memo's plan" -- "$C" feeds create --plan bedrijfsvoering
FPATH=/$(printf '%s\n' "$OUT" | grep -Eo 'https?://[^ ]+\.ics' | head -1 | sed 's,^[a-z]*://[^/]*/,,')
[ "$(feed m1)" = 200 ] || not_ok "the memo's feed answers"
read -r ZSEQ1 _ ZEND1 _ <<<"$(event raad@zwartewaterland "$T/m1.ics")"
read -r SSEQ1 _ SEND1 _ <<<"$(event raad@staphorst "$T/m1.ics")"
# lead KEY DATE: how many 7-day-style lead reminders of KEY are upcoming on DATE.
lead() { "$C" --json reminders upcoming -p bedrijfsvoering --until 2014-03-01 | "$PY" -c 'import json, sys
print(sum(1 for r in json.load(sys.stdin)["upcoming"] if r["key"] == sys.argv[1] and r["kind"] == "lead"
          and r["at_local"].startswith(sys.argv[2])))' "$1" "$2"; }
expect_n 1 "$(lead raad@zwartewaterland 2014-01-24)" "Zwartewaterland's council is reminded a week before 31 January"

expect_exit 3 "one party's window that would start after its end" -- "$C" move raad@zwartewaterland \
    --window-start 2014-02-20 --reason x
expect_in "cannot move raad@zwartewaterland: for zwartewaterland: window starts 2014-02-20, after it ends 2014-01-31" \
    "is refused as the for block of a plan file would be"
expect_exit 3 "one party's window that starts after a dependent is due" -- "$C" move raad@zwartewaterland \
    --window-start 2014-02-10 --due 2014-02-14 --reason x
expect_in "cannot move raad@zwartewaterland: persbericht is due 2014-02-07, but its prerequisite raad@zwartewaterland cannot start before 2014-02-10" \
    "is refused naming the step that could not be on time"
expect_exit 3 "a party the milestone does not have" -- "$C" move raad@kampen --due 2014-02-14 --reason x
expect_in "milestone raad does not apply to a party kampen" "is refused, naming it"

phase
expect_exit 0 "move Zwartewaterland's council only" -- "$C" move raad@zwartewaterland --due 2014-02-14 \
    --reason "De raad van Zwartewaterland vergadert pas op 13 februari"
expect_in "moved raad@zwartewaterland: due 2014-01-31, window from 2014-01-06 -> due 2014-02-14, window from 2014-01-06" \
    "says from what to what, for that party"
expect_exit 0 "show" -- "$C" --json show raad@zwartewaterland
expect_in '"deadline": "2014-02-14T23:00:00Z"' "Zwartewaterland's council is due 14 February"
expect_exit 0 "show" -- "$C" --json show raad@staphorst
expect_in '"deadline": "2014-01-31T23:00:00Z"' "Staphorst's still 31 January"
wait_told $GZ "Termijn verplaatst: Bespreking van de startnotitie in de gemeenteraad — Gemeente Zwartewaterland" \
    "Zwartewaterland's clerk is told, in Dutch, under its own title"
expect_in "^Geachte heer, mevrouw,$" "a function is greeted formally"
expect_in "^root heeft de termijn van deze mijlpaal uit het plan \"Ambtelijke samenwerking Staphorst, Steenwijkerland en Zwartewaterland\" verplaatst\." \
    "who moved it"
expect_in "^Was: maandag 6 januari 2014 t/m vrijdag 31 januari 2014$" "the old window"
expect_in "^Nu: maandag 6 januari 2014 t/m vrijdag 14 februari 2014$" "the new window"
expect_in "^Reden: De raad van Zwartewaterland vergadert pas op 13 februari$" "the reason"
expect_in "^    Gereed melden: termijn done -p bedrijfsvoering raad@zwartewaterland$" "how to report it done"
sleep 0.3
expect_n 1 "$(mbox list --since "$BASE" | wc -l)" "nobody else is told"
expect_n 0 "$(lead raad@zwartewaterland 2014-01-24)" "no reminder at the old time"
expect_n 1 "$(lead raad@zwartewaterland 2014-02-07)" "one a week before the new deadline"
expect_n 1 "$(lead raad@staphorst 2014-01-24)" "Staphorst's reminder stays"
[ "$(feed m2)" = 200 ] || not_ok "the memo's feed answers after the move"
read -r ZSEQ2 _ ZEND2 _ <<<"$(event raad@zwartewaterland "$T/m2.ics")"
read -r SSEQ2 _ SEND2 _ <<<"$(event raad@staphorst "$T/m2.ics")"
[ "$ZSEQ2" -eq $((ZSEQ1 + 1)) ] && [ "$ZEND2" = 20140215 ] &&
    ok "Zwartewaterland's event ends 14 February, SEQUENCE raised by one ($ZSEQ1 -> $ZSEQ2)" ||
    not_ok "Zwartewaterland's event: SEQUENCE $ZSEQ1 -> $ZSEQ2, DTEND $ZEND1 -> $ZEND2"
[ "$SSEQ2" = "$SSEQ1" ] && [ "$SEND2" = "$SEND1" ] && ok "Staphorst's event is as it was" ||
    not_ok "Staphorst's event: SEQUENCE $SSEQ1 -> $SSEQ2, DTEND $SEND1 -> $SEND2"

phase
expect_exit 0 "move the milestone's own window" -- "$C" move raad --due 2014-02-07 \
    --reason "De commissies vergaderen later"
for g in griffie@staphorst.example griffie@steenwijkerland.example; do
	wait_told $g "Termijn verplaatst: Opiniërende bespreking" "$g is told"
	expect_in "^Was: maandag 6 januari 2014 t/m vrijdag 31 januari 2014$" "the old window"
	expect_in "^Nu: maandag 6 januari 2014 t/m vrijdag 7 februari 2014$" "the new one"
done
sleep 0.3
expect_n 0 "$(told_any $GZ)" "Zwartewaterland, with a timing of its own, is not"
expect_exit 0 "show" -- "$C" --json show raad@zwartewaterland
expect_in '"deadline": "2014-02-14T23:00:00Z"' "and keeps it"
stop_daemon
start_daemon -S "$T/state-memo" -P "$T/memo" --clock-start '2014-01-02 09:00' --clock-speed 0 || exit 1
expect_exit 0 "after a restart" -- "$C" --json show raad@zwartewaterland
expect_in '"deadline": "2014-02-14T23:00:00Z"' "the party's move is still in force"
expect_exit 0 "after a restart" -- "$C" --json show raad@steenwijkerland
expect_in '"deadline": "2014-02-07T23:00:00Z"' "and the milestone's"
expect_exit 0 "status" -- "$C" --json status
expect_in '"conflicts": \[\]' "no conflicts"
expect_exit 0 "the log" -- "$C" log -p bedrijfsvoering
expect_in "move +raad@zwartewaterland +De raad van Zwartewaterland vergadert pas op 13 februari; note: due 2014-01-31, window from 2014-01-06 -> due 2014-02-14" \
    "the log has the party's move, with the old and new value"

# A part cancelled: the owners of its steps are told, though the steps are gone.
GS=secretaris@steenwijkerland.example
phase
expect_exit 0 "a part, led by Steenwijkerland" -- "$C" part add bedrijfsvoering onderdeel inkoop \
    --title Inkoop --lead steenwijkerland
wait_told $GS "Nieuw onderdeel, mijlpalen voor u: " "its secretary is told of the part"
phase
expect_exit 0 "cancel the part" -- "$C" part cancel bedrijfsvoering onderdeel inkoop \
    --reason "Inkoop blijkt geen quick win"
wait_told $GS "Onderdeel vervallen: " "its secretary is told it is cancelled"
expect_in "^root heeft een onderdeel uit het plan \"Ambtelijke samenwerking Staphorst, Steenwijkerland en Zwartewaterland\" laten vervallen\." \
    "by whom, what"
expect_in "^  - .*Inkoop.*$" "naming its steps"
expect_in "^Reden: Inkoop blijkt geen quick win$" "the reason"
expect_not_in "Gereed melden" "not asked to report them done"
sleep 0.3
expect_n 1 "$(mbox list --since "$BASE" | wc -l)" "nobody else is told"
expect_exit 0 "reminders sent" -- "$C" reminders sent -p bedrijfsvoering
expect_in "change-part-cancel +(voorstellen|architectuur)#inkoop +$GS" "listed as change-part-cancel"
if use_dutch; then
	OUT=$(LANG=nl_NL.UTF-8 "$C" reminders sent -p bedrijfsvoering 2>&1)
	expect_in "onderdeel vervallen +(voorstellen|architectuur)#inkoop +$GS" "in Dutch: the kind in Dutch words"
	expect_in "nieuw onderdeel +(voorstellen|architectuur)#inkoop +$GS" "each kind"
	expect_in "verplaatst +raad@zwartewaterland +$GZ" "the move too"
	expect_not_in "change-" "no kind left in the daemon's words"
else ok "# skip: no nl_NL.UTF-8 locale to be had"; fi
stop_daemon
stop_smtpd
finish
