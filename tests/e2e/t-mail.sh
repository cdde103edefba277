#!/bin/bash
# t-mail.sh: reminders by e-mail, end to end: the real daemon on a fast demo clock, a real SMTP
# server on loopback (smtpd.py, aiosmtpd) that can refuse, stall and go away, the real client.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
start_smtpd || exit 1
mail_conf mail-retry-base 1


# phase NAME: a new state directory for the next daemon; what arrives from now on is its.
phase() {
	echo "# $1"
	STATE=$T/state-$1
	mkdir -p "$STATE"
	BASE=$(smtp_count)
	EBASE=$(cat "$T/smtpd.events" 2>/dev/null | wc -l)
}
arrived() { echo $(($(smtp_count) - BASE)); }
have() { [ "$(arrived)" -ge "$1" ]; }
# The server's events of this phase (smtpd.py's log).
events() { tail -n +$((EBASE + 1)) "$T/smtpd.events" 2>/dev/null; }
# The message ids of this phase's messages: all of them, then how many are different.
ids() { mbox list --since "$BASE" | cut -f3; }
distinct_ids() { ids | sort -u | wc -l; }
# Outbox rows of a state as "ID STATE ATTEMPTS KIND KEY RECIPIENT SMTP_CODE MESSAGE-ID".
outbox() {
	"$C" --json reminders "${1:-all}" | /usr/bin/python3 -c '
import json, sys
for r in json.load(sys.stdin)["outbox"]:
    print(r["id"], r["state"], r["attempts"], r["kind"], r["key"], r["recipient"],
          r["smtp_code"], r["message_id"])'
}
# got RCPT SUBJECT-START: how many of this phase's messages to RCPT have such a subject.
got() {
	mbox list --since "$BASE" | awk -F'\t' -v r="$1" -v s="$2" \
	    '$2 == r && substr($4, 1, length(s)) == s { n++ } END { print n + 0 }'
}
# The reminders of 10 December 08:30 (7 days before the colleges decide), one per secretary.
leads_arrived() {
	for a in $SECRETARIES; do [ "$(got "$a" "Herinnering: $COLLEGE")" -ge 1 ] || return 1; done
}
check_leads_once() {
	for a in $SECRETARIES; do
		expect_n 1 "$(got "$a" "Herinnering: $COLLEGE")" "$1: the reminder to $a once"
	done
	expect_n "$(arrived)" "$(distinct_ids)" "$1: as many Message-IDs as messages, none twice"
}

SECRETARIES="secretaris@staphorst.example secretaris@steenwijkerland.example
secretaris@zwartewaterland.example"
COLLEGE="College besluit over de bestuursopdracht en het gastheermodel"

# ---- the memo's timeline, fast: the 7-day reminders of the colleges' decision ----
phase timeline
start_daemon -S "$STATE" --clock-start '2013-12-09 09:00' --clock-speed 20000 || exit 1
if wait_until 20 leads_arrived; then ok "the 7-day reminders arrive (10 December 08:30 on the demo clock)"
else not_ok "the 7-day reminders arrive ($(arrived) messages)"; fi
# Anything sent twice would come now (the next reminders, of 11 December, come later too).
sleep 1
expect_exit 0 "reminders sent" -- "$C" reminders sent
expect_in "collegebesluit@zwartewaterland +secretaris@zwartewaterland.example +1 " \
    "reminders sent lists the reminder to Zwartewaterland with its one attempt"
OUT=$(outbox sent)
expect_in "lead collegebesluit@staphorst secretaris@staphorst.example 250 <" "the outbox has the 250"
stop_daemon
SENT_IDS=$(printf '%s\n' "$OUT" | awk '{print $8}' | sort)
check_leads_once "timeline"
if [ "$(ids | sort)" = "$SENT_IDS" ]; then ok "the outbox's Message-IDs are the ones that arrived"
else not_ok "the outbox's Message-IDs are the ones that arrived"; fi
# The subject is RFC 2047 (the dashes are not ASCII); Python decodes it back.
OUT=$(mbox list --since "$BASE")
expect_in "secretaris@zwartewaterland.example	<[^>]+>	Herinnering: $COLLEGE — Gemeente Zwartewaterland — uiterlijk dinsdag 17 december 2013$" \
    "the subject decodes to the Dutch title, party and deadline"
expect_exit 0 "Python's email package reads them as promised" -- mbox check --since "$BASE"

# ---- go-ahead: councils and staff informed, the press release may go out ----
mark_all_done() {
	for m in collegebesluit mt-betrokken personeel raad; do
		for p in staphorst steenwijkerland zwartewaterland; do
			"$C" done "$m@$p" >/dev/null 2>&1 || not_ok "done $m@$p: $("$C" done "$m@$p" 2>&1)"
		done
	done
}
goahead_arrived() {
	[ "$(mbox list --since "$BASE" | grep -c '	communicatie@[a-z]*\.example	.*Kan nu: Gezamenlijk persbericht')" -ge 3 ]
}
check_goahead() {
	OUT=$(mbox list --since "$BASE")
	for p in staphorst steenwijkerland zwartewaterland; do
		expect_n 1 "$(printf '%s\n' "$OUT" | grep -c "	communicatie@$p.example	.*Kan nu: Gezamenlijk persbericht")" \
		    "$1: one go-ahead for the press release to communicatie@$p.example"
	done
	expect_exit 0 "$1: the go-ahead messages are well-formed" -- mbox check --since "$BASE"
	expect_n "$(arrived)" "$(distinct_ids)" "$1: no message twice"
}

phase goahead-running
start_daemon -S "$STATE" --clock-start '2014-01-20 10:00' --clock-speed 20000 || exit 1
mark_all_done
if wait_until 10 goahead_arrived; then
	ok "running clock: the go-ahead for the press release arrives"
	sleep 0.5
	check_goahead "running clock"
else not_ok "running clock: the go-ahead for the press release arrives ($(arrived) messages)"; fi
stop_daemon

phase goahead-frozen
start_daemon -S "$STATE" --clock-start '2014-01-20 10:00' --clock-speed 0 || exit 1
mark_all_done
if wait_until 3 goahead_arrived; then
	ok "frozen clock: the go-ahead for the press release arrives"
	sleep 0.5
	check_goahead "frozen clock"
else not_ok "frozen clock: the go-ahead for the press release arrives ($(arrived) messages)"; fi
stop_daemon

# ---- 451 twice, then 250: delivered once ----
mkdir -p "$T/proef"
cat > "$T/proef/proef.plan" <<'EOP'
plan proef
  title Proef voor de e-mailtest
  remind 1d
  remind-at 08:30
  overdue-max 0

role secretaris
  name Gemeentesecretaris
  address proef@proef.example

milestone een
  title Eén bericht dat twee keer wordt uitgesteld
  owner secretaris
  due 2013-12-11
EOP
phase tempfail
smtp_ctl '{"tempfail": 2}'
start_daemon -S "$STATE" -P "$T/proef" --clock-start '2013-12-10 08:29' --clock-speed 60 || exit 1
if wait_until 20 have 1; then ok "after two 451 answers the reminder arrives"
else not_ok "after two 451 answers the reminder arrives"; tail -5 "$T/daemon.log"; fi
sleep 1.5
expect_n 1 "$(arrived)" "it arrived once"
OUT=$(events)
expect_n 2 "$(printf '%s\n' "$OUT" | grep -c ' data-451 ')" "the server said 451 twice"
MID=$(ids | head -1)
expect_n 2 "$(printf '%s\n' "$OUT" | grep ' data-451 ' | grep -cF "$MID")" \
    "both 451s were for the message that arrived, with the same Message-ID"
OUT=$(outbox sent)
expect_in "^[0-9]+ sent 3 lead een proef@proef.example 250 " "the outbox says sent on the third attempt"
stop_daemon

# ---- 550: failed for good, listed, retried by hand ----
phase reject
smtp_ctl '{"reject": ["secretaris@zwartewaterland.example"]}'
start_daemon -S "$STATE" --clock-start '2013-12-10 08:29' --clock-speed 60 || exit 1
lead_failed() { outbox failed | grep -q ' lead collegebesluit@zwartewaterland '; }
two_leads() {
	[ "$(got secretaris@staphorst.example "Herinnering: $COLLEGE")" -ge 1 ] &&
	    [ "$(got secretaris@steenwijkerland.example "Herinnering: $COLLEGE")" -ge 1 ]
}
if wait_until 15 lead_failed; then ok "550: the reminder is marked failed"
else not_ok "550: the reminder is marked failed"; fi
if wait_until 10 two_leads; then ok "the two other reminders arrived"
else not_ok "the two other reminders arrived"; fi
expect_exit 0 "reminders failed" -- "$C" reminders failed
expect_in "^[0-9]+ +failed +2013-12-10 08:30 +lead +collegebesluit@zwartewaterland +secretaris@zwartewaterland.example +1 .*550" \
    "reminders failed lists it with the server's 550"
expect_not_in "staphorst" "and only it"
FID=$(outbox failed | awk '$4 == "lead" {print $1}')
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
expect_exit 1 "a non-operator may not retry" -- $NOBODY "$C" reminders retry "$FID"
expect_exit 2 "retry needs a number" -- "$C" reminders retry x
expect_exit 4 "retry of a reminder that does not exist" -- "$C" reminders retry 99999
smtp_ctl '{"reject": []}'
expect_exit 0 "reminders retry $FID" -- "$C" reminders retry "$FID"
expect_in "reminder $FID requeued" "retry says so"
if wait_until 10 leads_arrived; then ok "the retried reminder arrives"
else not_ok "the retried reminder arrives"; fi
sleep 0.5
check_leads_once "550 and retry"
OUT=$(outbox all)
expect_in "^$FID sent 1 lead collegebesluit@zwartewaterland secretaris@zwartewaterland.example 250 " \
    "the outbox says sent"
expect_exit 4 "retry of a reminder that is not failed" -- "$C" reminders retry "$FID"

# ---- preview: every message until a date, and nothing sent ----
B0=$(smtp_count)
R0=$(outbox all | wc -l)
expect_exit 0 "reminders preview --until 2014-01-10" -- "$C" reminders preview --until 2014-01-10
expect_in "^2013-12-16 08:30  lead  bedrijfsvoering/collegebesluit@staphorst$" \
    "the preview names time, kind and key"
expect_in "^  To:      secretaris@staphorst.example$" "the recipients"
expect_in "^  Subject: Herinnering: $COLLEGE — Gemeente Staphorst" "the subject"
expect_in "^    Geachte heer, mevrouw,$" "and the body, indented"
expect_in "^2014-01-06 08:30  opens  bedrijfsvoering/raad@zwartewaterland$" \
    "it reaches into January"
expect_not_in "^2014-01-1[1-9]" "but not past the date"
expect_in "^[0-9]+ messages until 2014-01-10; nothing was sent$" "and says that nothing was sent"
expect_exit 0 "reminders preview --json" -- "$C" --json reminders preview --until 2014-01-10
expect_in '"upcoming": \[' "--json gives the API's JSON"
expect_exit 0 "reminders (upcoming)" -- "$C" reminders -p bedrijfsvoering --until 2013-12-17
expect_in "^2013-12-16 08:30 +lead +collegebesluit@staphorst +secretaris@staphorst.example +Herinnering" \
    "upcoming lists time, kind, key, recipient and subject"
sleep 1
expect_n "$B0" "$(smtp_count)" "the preview sent nothing"
expect_n "$R0" "$(outbox all | wc -l)" "the preview queued nothing"
stop_daemon

# ---- a stalled server does not stall the daemon ----
phase stall
smtp_ctl '{"stall": 5}'
start_daemon -S "$STATE" --clock-start '2013-12-10 08:29' --clock-speed 60 || exit 1
stalled() { events | grep -q ' data-stall '; }
if wait_until 10 stalled; then
	# What counts is that the answer comes while the server still holds the DATA, not how
	# fast (a busy machine is slow, timings are for bench/): a loop waiting for the server
	# answers only once the stalled DATA was answered.
	t0=$(date +%s%N)
	"$C" status >/dev/null || not_ok "termijn status failed during the stall"
	ms=$((($(date +%s%N) - t0) / 1000000))
	if events | grep -q ' data-250 '; then
		not_ok "termijn status answers while the SMTP server stalls in DATA" \
		    "(it took $ms ms and came back only when the stalled DATA was answered)"
	else
		ok "termijn status answers (in $ms ms) while the SMTP server stalls in DATA"
	fi
else
	not_ok "the SMTP server got a message to stall on"
fi
smtp_ctl '{"stall": 0}'
if wait_until 20 leads_arrived; then ok "the stalled messages arrive"
else not_ok "the stalled messages arrive"; fi
sleep 0.5
check_leads_once "stall"
stop_daemon

# ---- kill -9 in the middle of a burst: every reminder at least once, same Message-ID ----
mkdir -p "$T/stoot"
{
	printf 'plan stoot\n  title Veertig herinneringen tegelijk\n  remind 1d\n  remind-at 08:30\n'
	printf '  overdue-max 0\n\nrole secretaris\n  address stoot@stoot.example\n'
	for i in $(seq -w 1 40); do
		printf '\nmilestone m%s\n  title Stoot %s\n  owner secretaris\n  due 2013-12-11\n' "$i" "$i"
	done
} > "$T/stoot/stoot.plan"
phase burst
# The server takes each message at once but answers 250 only later: what was in flight at the
# kill is on the server, unknown to the daemon, and goes again after the restart.
smtp_ctl '{"stall_after": 0.2}'
start_daemon -S "$STATE" -P "$T/stoot" --clock-start '2013-12-10 08:29' --clock-speed 60 || exit 1
if wait_until 15 have 5; then ok "the burst has begun"; else not_ok "the burst has begun"; fi
kill9_daemon
BEFORE=$(arrived)
if [ "$BEFORE" -lt 40 ]; then ok "killed with $BEFORE of 40 delivered"
else not_ok "killed in the middle of the burst ($BEFORE of 40 delivered already)"; fi
smtp_ctl '{"stall_after": 0}'
all_titles() { [ "$(mbox list --since "$BASE" | cut -f4 | sort -u | wc -l)" -ge 40 ]; }
start_daemon -S "$STATE" -P "$T/stoot" --clock-start '2013-12-10 08:31' --clock-speed 60 || exit 1
if wait_until 30 all_titles; then ok "after the restart all 40 reminders arrived"
else not_ok "after the restart all 40 reminders arrived ($(mbox list --since "$BASE" | cut -f4 | sort -u | wc -l))"; fi
sleep 1
OUT=$(mbox list --since "$BASE")
expect_n 40 "$(distinct_ids)" "40 different Message-IDs: a message sent again kept its Message-ID"
expect_n 40 "$(printf '%s\n' "$OUT" | awk -F'\t' '{print $3 "\t" $4}' | sort -u | wc -l)" \
    "one Message-ID per reminder"
ok "$(($(arrived) - 40)) sent twice (delivery is at least once)"
expect_n 40 "$(outbox sent | wc -l)" "the outbox has all 40 sent"
expect_n 0 "$(outbox pending | wc -l)" "and nothing pending"
expect_exit 0 "the burst's messages are well-formed" -- mbox check --since "$BASE" --subject "Stoot"
stop_daemon

# ---- the server away for a while, then back: everything once ----
phase down
stop_smtpd
start_daemon -S "$STATE" --clock-start '2013-12-10 08:29' --clock-speed 60 || exit 1
tried() { [ "$(outbox pending | awk '$3 >= 1 && $4 == "lead"' | wc -l)" -ge 3 ]; }
if wait_until 10 tried; then ok "with the server away the reminders wait, tried once or more"
else not_ok "with the server away the reminders wait, tried once or more"; fi
expect_exit 0 "reminders pending" -- "$C" reminders pending
expect_in "collegebesluit@staphorst .*(onnect|refused)" "reminders pending shows why"
sleep 1
start_smtpd "$SMTP_PORT" || exit 1
all_sent() { [ -z "$(outbox pending)" ] && [ -z "$(outbox sending)" ]; }
if wait_until 20 leads_arrived && wait_until 20 all_sent; then
	ok "the server is back: the reminders arrive"
else not_ok "the server is back: the reminders arrive ($(arrived))"; fi
sleep 1
check_leads_once "server down"
expect_n "$(arrived)" "$(outbox sent | wc -l)" "the outbox has every message sent, each arrived once"
stop_daemon
stop_smtpd

finish
