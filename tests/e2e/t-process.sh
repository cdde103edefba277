#!/bin/bash
# t-process.sh: the memo's process as issue 9 has it, end to end on the shipped plans: the real
# daemon on the replay clock, the real client, a real SMTP server (smtpd.py), the feeds read by
# python3-icalendar. Each section is one point of the model.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
PY=/usr/bin/python3
fc() { "$PY" "$TOP/tests/e2e/feedcheck.py" "$@"; }
mbox() { /usr/bin/python3 "$TOP/tests/e2e/mailbox.py" "$MAILDIR" "$@"; }
setup_conf
start_smtpd || exit 1
mail_conf mail-retry-base 1

# got RCPT SUBJECT-START: how many messages so far to RCPT have such a subject.
got() {
	mbox list | awk -F'\t' -v r="$1" -v s="$2" \
	    '$2 == r && substr($4, 1, length(s)) == s { n++ } END { print n + 0 }'
}
has() { [ "$(got "$1" "$2")" -ge 1 ]; }
expect_n() { if [ "$2" -eq "$1" ]; then ok "$3"; else not_ok "$3 ($2, wanted $1)"; fi; }
http_addr() { "$C" --json status | $PY -c 'import json, sys; print(json.load(sys.stdin)["http"])'; }
# plan_feed NAME: the plan feed of bedrijfsvoering, fetched into $T/NAME.ics.
plan_feed() {
	[ -n "${FEEDPATH:-}" ] || FEEDPATH=$("$C" --json feeds create --plan bedrijfsvoering |
	    $PY -c 'import json, sys; print("/" + json.load(sys.stdin)["url"].split("://")[1].split("/", 1)[1])')
	curl -s --max-time 10 -o "$T/$1.ics" "http://$(http_addr)$FEEDPATH"
}
summary() { fc event "$T/$1.ics" "$2@bedrijfsvoering.termijn" SUMMARY; }

# ---- 1. each occurrence of a recurring milestone is its own step ----
TK="Terugkoppeling door de burgemeester in het college — Gemeente"
start_daemon --clock-start '2014-01-07 12:00' --clock-speed 0 || exit 1
expect_exit 0 "done collegebesluit@staphorst" -- "$C" done collegebesluit@staphorst
expect_exit 1 "done terugkoppeling@staphorst names no occurrence: refused" -- \
    "$C" done terugkoppeling@staphorst
expect_in "repeats: name one occurrence as terugkoppeling@staphorst/DATE" "the refusal says how"
expect_in "terugkoppeling@staphorst/2014-01-21" "and lists the occurrences"
expect_exit 0 "done terugkoppeling@staphorst/2014-01-07" -- \
    "$C" done terugkoppeling@staphorst/2014-01-07
expect_exit 0 "list --party staphorst" -- "$C" list --party staphorst
expect_in "terugkoppeling@staphorst/2014-01-07 +done" "the first report-back is done"
expect_in "terugkoppeling@staphorst/2014-01-21 +ready" "the second stays open (ready)"
expect_in "terugkoppeling@staphorst/2014-02-18 +ready" "the last stays open"
expect_exit 0 "show the second report-back" -- "$C" show terugkoppeling@staphorst/2014-01-21
expect_in "Occurrence +2 of 4" "show says which occurrence of the series it is"
expect_exit 0 "log of the first" -- "$C" log terugkoppeling@staphorst/2014-01-07
expect_in "done +terugkoppeling@staphorst/2014-01-07" "the audit log names the occurrence"
plan_feed f1
check_ics() { fc ics "$T/f1.ics" >/dev/null; }
if check_ics; then ok "python3-icalendar reads the plan feed"; else not_ok "python3-icalendar reads the plan feed"; fi
case "$(summary f1 terugkoppeling@staphorst/2014-01-07)" in
"[klaar]"*) ok "the feed: the first report-back is its own event, done" ;;
*) not_ok "the feed: the first report-back ($(summary f1 terugkoppeling@staphorst/2014-01-07))" ;;
esac
case "$(summary f1 terugkoppeling@staphorst/2014-01-21)" in
"[kan nu]"*) ok "the feed: the second is its own event, open" ;;
*) not_ok "the feed: the second ($(summary f1 terugkoppeling@staphorst/2014-01-21))" ;;
esac
stop_daemon
# On to the day before the second meeting: its reminder comes, the first's overdue ones do not.
start_daemon --clock-start '2014-01-20 08:29' --clock-speed 60 || exit 1
if wait_until 20 has burgemeester@staphorst.example "Herinnering: $TK Staphorst — uiterlijk dinsdag 21 januari 2014"; then
	ok "the second report-back is reminded after the first was done"
else not_ok "the second report-back is reminded after the first was done"; mbox list | tail -5; fi
expect_n 0 "$(got burgemeester@staphorst.example "Verlopen: $TK Staphorst (was uiterlijk dinsdag 7 januari")" \
    "no overdue reminder for the occurrence that was done"
if has burgemeester@steenwijkerland.example "Verlopen: $TK Steenwijkerland (was uiterlijk dinsdag 7 januari"; then
	ok "Steenwijkerland's first, still open, was overdue on its own"
else not_ok "Steenwijkerland's first, still open, was overdue on its own"; mbox list | tail -5; fi
stop_daemon

finish
