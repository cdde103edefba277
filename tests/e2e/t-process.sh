#!/bin/bash
# t-process.sh: the memo's process as issue 9 has it, end to end on the shipped plans: the real
# daemon on the replay clock, the real client, a real SMTP server (smtpd.py), the feeds read by
# python3-icalendar. Each section is one point of the model.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
PY=/usr/bin/python3
fc() { "$PY" "$TOP/tests/e2e/feedcheck.py" "$@"; }
setup_conf
start_smtpd || exit 1
mail_conf mail-retry-base 1

# got RCPT SUBJECT-START: how many messages so far to RCPT have such a subject.
got() {
	mbox list | awk -F'\t' -v r="$1" -v s="$2" \
	    '$2 == r && substr($4, 1, length(s)) == s { n++ } END { print n + 0 }'
}
has() { [ "$(got "$1" "$2")" -ge 1 ]; }
# plan_feed NAME: the plan feed of bedrijfsvoering, fetched into $T/NAME.ics.
plan_feed() {
	[ -n "${FEEDPATH:-}" ] || FEEDPATH=$("$C" --json feeds create --plan bedrijfsvoering |
	    $PY -c 'import json, sys; print("/" + json.load(sys.stdin)["url"].split("://")[1].split("/", 1)[1])')
	curl -s --max-time 10 -o "$T/$1.ics" "http://$(http_addr)$FEEDPATH"
}
summary() { fc event "$T/$1.ics" "$2@bedrijfsvoering.termijn" SUMMARY; }
# body RCPT SUBJECT-START: the decoded body of the last such message.
body() {
	/usr/bin/python3 - "$MAILDIR" "$1" "$2" <<'PY'
import email, email.policy, json, os, sys
d, rcpt, subj = sys.argv[1:]
out = ""
for name in sorted(os.listdir(d), key=lambda n: int(n.split(".")[0]) if n[0].isdigit() else 0):
    if not name.endswith(".eml"):
        continue
    env = json.load(open(os.path.join(d, name[:-4] + ".json"), encoding="utf-8"))
    m = email.message_from_bytes(open(os.path.join(d, name), "rb").read(), policy=email.policy.default)
    if rcpt in env["to"] and str(m["Subject"]).startswith(subj):
        out = m.get_content()
print(out)
PY
}

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
# The feed items of the issue: a not-before opens the event; no METHOD without ORGANIZER.
DS=$(fc event "$T/f1.ics" personeel@staphorst@bedrijfsvoering.termijn DTSTART)
DE=$(fc event "$T/f1.ics" personeel@staphorst@bedrijfsvoering.termijn DTEND)
case "$DS $DE" in
*20131219T080000*20131219T120000*) ok "the staff briefing is one event 08:00-12:00 ($DS $DE)" ;;
*) not_ok "the staff briefing's event: '$DS' '$DE'" ;;
esac
if tr -d '\r' < "$T/f1.ics" | grep -q '^METHOD:'; then not_ok "the feed has a METHOD"
else ok "the feed has no METHOD (PUBLISH would need an ORGANIZER)"; fi
expect_exit 1 "a title with U+2028 is refused" -- "$C" add -p bedrijfsvoering sep \
    --title "$(printf 'Pers\342\200\250bericht')" --owner secretaris --due 2014-02-20
expect_exit 1 "a title with a C1 control (NEL) is refused" -- "$C" add -p bedrijfsvoering sep \
    --title "$(printf 'Pers\302\205bericht')" --owner secretaris --due 2014-02-20
expect_exit 4 "nothing was added" -- "$C" show sep
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

# ---- 3. steps taken together: the staff of all three are told at one moment ----
SECRETARIES="secretaris@staphorst.example secretaris@steenwijkerland.example secretaris@zwartewaterland.example"
STAFF="Medewerkers geïnformeerd door de eigen secretaris"
start_daemon -S "$T/state3" --clock-start '2013-12-17 09:00' --clock-speed 0 || exit 1
for p in staphorst steenwijkerland zwartewaterland; do "$C" done collegebesluit@$p >/dev/null; done
for p in staphorst steenwijkerland; do "$C" done mt-betrokken@$p >/dev/null; done
stop_daemon
start_daemon -S "$T/state3" --clock-start '2013-12-19 07:59' --clock-speed 20 || exit 1
expect_exit 3 "done personeel@staphorst while Zwartewaterland's management team is not done" -- \
    "$C" done personeel@staphorst
expect_in "taken together: Gemeente Zwartewaterland is not ready, personeel@zwartewaterland requires mt-betrokken@zwartewaterland" \
    "the refusal names Zwartewaterland and what it waits for"
expect_in "not before 2013-12-19 08:00" "and its own not-before, a minute away"
expect_exit 0 "list: every party's staff step is blocked" -- "$C" list --state blocked
expect_in "personeel@steenwijkerland" "Steenwijkerland's waits too, though its own rules are met"
held() { for a in $SECRETARIES; do has "$a" "Opgehouden: $STAFF" || return 1; done; }
if wait_until 20 held; then ok "at 08:00 all three secretaries are told the step is held up"
else not_ok "at 08:00 all three secretaries are told the step is held up"; mbox list | tail -5; fi
for a in $SECRETARIES; do
	OUT=$(body "$a" "Opgehouden: $STAFF")
	expect_in "Gemeente Zwartewaterland: wacht op Managementteam betrokken bij de eerste boodschap, Gemeente Zwartewaterland \(mt-betrokken@zwartewaterland\)" \
	    "the notice to $a names Zwartewaterland and its management team"
	expect_in "^Geachte heer, mevrouw," "and greets in a correct Dutch form"
	expect_not_in "^Beste " "not 'Beste Gemeentesecretaris'"
done
expect_n 0 "$(got secretaris@staphorst.example "Nu, in alle organisaties tegelijk")" \
    "no 'now, everywhere at once' while a party is not ready"
expect_exit 0 "Zwartewaterland's management team is done" -- "$C" done mt-betrokken@zwartewaterland
expect_in "now ready: personeel@staphorst" "then the staff step is ready in Staphorst"
expect_in "now ready: personeel@zwartewaterland" "and in Zwartewaterland: in every party at once"
goahead() { for a in $SECRETARIES; do has "$a" "Kan nu: $STAFF" || return 1; done; }
if wait_until 20 goahead; then ok "every secretary gets the go-ahead"
else not_ok "every secretary gets the go-ahead"; mbox list | tail -5; fi
expect_exit 0 "now done personeel@staphorst" -- "$C" done personeel@staphorst
stop_daemon

# ---- 5. reminders on working days only (working-days nl, closed days in the shipped plans) ----
start_daemon -S "$T/state5" --clock-start '2013-12-20 09:00' --clock-speed 0 || exit 1
expect_exit 0 "reminders preview over Christmas" -- "$C" reminders preview --until '2014-01-06 23:00'
expect_not_in "^2013-12-2[125-9] |^2013-12-3[01] |^2014-01-01 |^2014-01-0[45] " \
    "no reminder on the weekends, Christmas, the closed days or New Year's Day"
expect_in "^2013-12-23 08:30  overdue  bedrijfsvoering/or-geinformeerd@staphorst" \
    "the first overdue reminder after Friday the 20th on Monday the 23rd"
expect_in "^2014-01-02 08:30  overdue  bedrijfsvoering/or-geinformeerd@staphorst" \
    "the next after Christmas and the closed days, on 2 January"
stop_daemon

# ---- 5. the feed's conditional requests and addresses ----
start_daemon -S "$T/state5" --clock-start '2013-12-20 09:00' --clock-speed 0 || exit 1
FEEDPATH=
plan_feed f5
for d in 'Sun, 06 Nov 2039 08:49:37 GMT' 'Sunday, 06-Nov-39 08:49:37 GMT' 'Sun Nov  6 08:49:37 2039'; do
	CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $d" "http://$(http_addr)$FEEDPATH")
	[ "$CODE" = 304 ] && ok "If-Modified-Since: $d: 304" || not_ok "If-Modified-Since: $d: $CODE"
done
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "If-Modified-Since: Sun Nov  6 08:49:37 1994" "http://$(http_addr)$FEEDPATH")
same() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3 ('$1' vs '$2')"; fi; }
same "$CODE" 200 "an older asctime date: 200 with the feed"
stop_daemon
# An https public-url: never offered as webcal://, which clients fetch over plain http.
echo "public-url https://termijn.example/" >> "$T/termijnd.conf"
start_daemon -S "$T/state5" --clock-start '2013-12-20 09:00' --clock-speed 0 || exit 1
expect_exit 0 "feeds create behind https" -- "$C" feeds create --plan bedrijfsvoering
expect_in "^  https://termijn.example/feed/[A-Za-z0-9_-]+\.ics$" "it gives the https address"
expect_not_in "webcal://" "and no webcal:// address"
expect_exit 0 "feeds create --json behind https" -- "$C" --json feeds create --plan bedrijfsvoering
expect_in '"webcal": null' "the API says there is no webcal address"
stop_daemon

finish
