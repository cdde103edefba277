#!/bin/bash
# t-smtp.sh: a hostile SMTP server under load (tests/e2e/t-mail.sh has the single cases): 120
# reminders at once to a server that stalls every DATA, answers 451 to the first 40 and 550
# to one recipient. Meanwhile the daemon answers readers and a change at once; afterwards every
# reminder arrived once, with its Message-ID, the 451s were retried, the 550s never.
. "$(dirname "$0")/../e2e/lib.sh"
C=$TERMIJN
N_OK=100 N_REJ=20
setup_conf
rm -f "$T"/plans/*.plan
{
	printf 'plan veel\n  title Veel herinneringen tegelijk\n  remind 1d\n  remind-at 08:30\n'
	printf '  overdue-max 0\n\nrole secretaris\n  address veel@veel.example\n'
	printf '\nrole weg\n  address weg@veel.example\n'
	for i in $(seq -w 1 $N_OK); do
		printf '\nmilestone m%s\n  title Stap %s\n  owner secretaris\n  due 2013-12-11\n' "$i" "$i"
	done
	for i in $(seq -w 1 $N_REJ); do
		printf '\nmilestone w%s\n  title Weg %s\n  owner weg\n  due 2013-12-11\n' "$i" "$i"
	done
	# Marked done during the stall: a write, with no reminder of its own before June.
	printf '\nmilestone later\n  title Later\n  owner secretaris\n  due 2014-06-01\n'
} > "$T/plans/veel.plan"
start_smtpd || exit 1
mail_conf mail-retry-base 1 mail-in-flight 4

nevents() { cat "$T/smtpd.events" 2>/dev/null | grep -c " $1 "; }
outbox() {
	"$C" --json reminders all | /usr/bin/python3 -c '
import json, sys
for r in json.load(sys.stdin)["outbox"]:
    print(r["state"], r["attempts"], r["key"], r["smtp_code"], r["message_id"])'
}

smtp_ctl "{\"stall\": 3, \"tempfail\": 40, \"reject\": [\"weg@veel.example\"]}"
start_daemon --clock-start '2013-12-10 08:29' --clock-speed 60 || exit 1
H=$(http_addr)

# ---- every transfer stalled in DATA: readers are answered meanwhile ----
stalled() { [ "$(nevents data-stall)" -ge 4 ]; }
# At once: four sessions in their stall before the server answered any DATA. One mail thread
# waiting for each end-of-data reply in turn gave one stall after the other.
before_answer() {
	awk '$2 ~ /^data-(250|451)$/ { exit } $2 == "data-stall" { n++ } END { print n + 0 }' \
	    "$T/smtpd.events"
}
if wait_until 15 stalled && [ "$(before_answer)" -ge 4 ]; then ok "four transfers stalled in DATA at once"
else not_ok "four transfers stalled in DATA at once ($(before_answer) before the first answer)"; fi
n=0 bad=
: > "$T/ms"
# A loop waiting on the server would hold the requests for the 3 s stalls: the median tells.
for i in $(seq 1 10); do
	for cmd in "$C status" "$C reminders pending" "curl -sf --max-time 10 -o /dev/null http://$H/healthz"; do
		t0=$(date +%s%N)
		$cmd >/dev/null 2>&1 || bad="$bad; $cmd failed"
		echo $((($(date +%s%N) - t0) / 1000000)) >> "$T/ms"
		n=$((n + 1))
	done
done
t0=$(date +%s%N)
expect_exit 0 "a change during the stall is answered" -- "$C" done later
echo $((($(date +%s%N) - t0) / 1000000)) >> "$T/ms"
n=$((n + 1))
median=$(sort -n "$T/ms" | sed -n "$((n / 2))p") worst=$(sort -n "$T/ms" | tail -1)
SENT_DURING=$(nevents data-250)
if [ -z "$bad" ]; then ok "$n requests during the stall all answered"; else not_ok "requests during the stall$bad"; fi
if [ "$median" -lt 500 ]; then ok "requests answered in $median ms (median; slowest $worst ms) while the server stalled"
else not_ok "requests answered in $median ms (median; slowest $worst ms) while the server stalled: a loop waiting on SMTP?"; fi
echo "# $SENT_DURING messages taken meanwhile"
smtp_ctl '{"stall": 0}'

# ---- afterwards: everything once, 451s retried, 550s failed for good ----
settled() {
	[ "$(smtp_count)" -ge $N_OK ] && ! outbox | grep -Eq '^(pending|sending) '
}
if wait_until 90 settled; then ok "everything settled: $(smtp_count) messages arrived"
else not_ok "everything settled ($(smtp_count) arrived)"; outbox | grep -Ev '^sent ' | head; fi
sleep 1
expect_n $N_OK "$(smtp_count)" "$N_OK messages arrived"
expect_n $N_OK "$(mbox list | cut -f4 | sort -u | wc -l)" "one for each reminder"
expect_n $N_OK "$(mbox list | cut -f3 | sort -u | wc -l)" "each with its own Message-ID"
expect_n 40 "$(nevents data-451)" "the server said 451 forty times"
OUT=$(outbox)
expect_n $N_OK "$(printf '%s\n' "$OUT" | grep -c '^sent .* 250 ')" "the outbox: $N_OK sent"
RETRIED=$(printf '%s\n' "$OUT" | awk '$1 == "sent" && $2 > 1' | wc -l)
if [ "$RETRIED" -ge 1 ]; then ok "$RETRIED of them sent on a later attempt"
else not_ok "some sent on a later attempt"; fi
# Each 451 was for a message that arrived later with the same Message-ID.
lost=0
for mid in $(grep ' data-451 ' "$T/smtpd.events" | awk '{print $4}' | sort -u); do
	mbox list | cut -f3 | grep -qxF "$mid" || lost=$((lost + 1))
done
expect_n 0 "$lost" "every message refused with 451 arrived later, same Message-ID"
expect_n $N_REJ "$(printf '%s\n' "$OUT" | grep -c '^failed 1 w[0-9]* 550 ')" \
    "the outbox: $N_REJ failed at the first attempt with 550"
expect_n $N_REJ "$(nevents rcpt-550)" "a 550 is not tried again"
# mail-in-flight 4: four sessions, each kept for the next message, not one per message.
SESSIONS=$(nevents ehlo)
TRANSFERS=$(($(nevents data-250) + $(nevents data-451) + $(nevents rcpt-550)))
if [ "$SESSIONS" -ge 1 ] && [ "$SESSIONS" -le $((TRANSFERS / 4)) ]; then
	ok "$TRANSFERS transfers in $SESSIONS SMTP sessions: connections are reused"
else not_ok "$TRANSFERS transfers in $SESSIONS SMTP sessions: connections not reused"; fi
expect_exit 0 "the change made during the stall holds" -- "$C" --json show later
expect_in '"status": "done"' "later is done"
stop_daemon
stop_smtpd
finish
