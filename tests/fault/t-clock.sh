#!/bin/bash
# t-clock.sh: the wall clock set forward and back under a running daemon (libfaketime, real
# clock, no demo clock): plan moments follow the wall clock, no reminder twice, none lost;
# SMTP retries keep their delays (the monotonic clock), whichever way the clock jumps.
#
# libfaketime does not fire TFD_TIMER_CANCEL_ON_SET, so after each jump the test wakes the
# daemon with `termijn reload`: the same scan that the timerfd runs, re-reading the clock.
# The monotonic clock is left alone (FAKETIME_DONT_FAKE_MONOTONIC), as a real jump leaves it.
. "$(dirname "$0")/../e2e/lib.sh"
C=$TERMIJN
faked_clock

# What the timerfd would do on a real jump: make the daemon scan again.
kick() { "$C" reload >/dev/null || not_ok "termijn reload failed"; }

titled() { mbox list | cut -f4 | grep -c "$1"; }
have() { [ "$(smtp_count)" -ge "$1" ]; }
# The real time (seconds, as a decimal) of the Nth event of a kind in smtpd.py's log.
event_at() { grep " $1 " "$T/smtpd.events" 2>/dev/null | sed -n "${2}p" | cut -d' ' -f1; }
nevents() { cat "$T/smtpd.events" 2>/dev/null | grep -c " $1 "; }
has_event() { [ "$(nevents "$1")" -ge "$2" ]; }
# gap A B: B - A in tenths of a second.
gap() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 10 }'; }
outbox() {
	"$C" --json reminders all | /usr/bin/python3 -c '
import json, sys
for r in json.load(sys.stdin)["outbox"]:
    print(r["state"], r["attempts"], r["key"])'
}

setup_conf
rm -f "$T"/plans/*.plan
{
	printf 'plan klok\n  title Klokproef\n  remind 1d\n  remind-at 08:30\n  overdue-max 0\n\n'
	printf 'role secretaris\n  address klok@klok.example\n'
	printf '\nmilestone een\n  title Eerste stap\n  owner secretaris\n  due 2013-12-11\n'
	printf '\nmilestone twee\n  title Tweede stap\n  owner secretaris\n  due 2013-12-12\n'
	printf '\nmilestone drie\n  title Derde stap\n  owner secretaris\n  due 2013-12-13\n'
} > "$T/plans/klok.plan"
start_smtpd || exit 1
mail_conf mail-retry-base 3

# ---- plan moments: forward, back, a restart behind the last scan, forward again ----
echo "# plan moments"
set_clock '2013-12-10 08:29:57'
start_daemon || exit 1
OUT=$("$C" --json status 2>&1)
expect_in '"now": "2013-12-10T07:29:5' "the daemon runs on the faked wall clock"
OUT=$("$C" reminders preview --until 2013-12-13 2>&1)
expect_n 3 "$(printf '%s\n' "$OUT" | grep -c '^2013-12-1[0-2] 08:30  lead  klok/')" \
    "three reminders to come, a day apart"
if wait_until 10 have 1; then ok "the first reminder arrives at 08:30"
else not_ok "the first reminder arrives at 08:30"; tail -5 "$T/daemon.log"; fi

set_clock '2013-12-11 08:30:05'
kick
if wait_until 5 have 2; then ok "clock forward a day: the second reminder arrives"
else not_ok "clock forward a day: the second reminder arrives ($(smtp_count))"; fi

set_clock '2013-12-10 08:31:00'
kick
sleep 2
expect_n 2 "$(smtp_count)" "clock back a day: nothing is sent again"
OUT=$(cat "$T/daemon.log")
expect_in 'the wall clock was set forward by 8640[0-9] s' "the daemon noticed the jump forward"
expect_in 'the wall clock was set back by 863[0-9][0-9] s' "and the jump back"
OUT=$("$C" reminders preview --until 2013-12-13 2>&1)
expect_not_in '^2013-12-1[01] 08:30' "what was sent is not shown as to come"
expect_in '^2013-12-12 08:30  lead  klok/drie$' "what is still to come is"

kill -TERM "$DPID"; wait "$DPID"; DPID=
start_daemon || exit 1
sleep 2
expect_n 2 "$(smtp_count)" "restarted behind its last scan: nothing is sent again"

set_clock '2013-12-12 08:30:05'
kick
if wait_until 5 have 3; then ok "clock forward two days: the third reminder arrives"
else not_ok "clock forward two days: the third reminder arrives ($(smtp_count))"; fi
sleep 1
expect_n 3 "$(smtp_count)" "three messages in all"
for t in "Eerste stap" "Tweede stap" "Derde stap"; do
	expect_n 1 "$(titled "$t")" "the reminder of \"$t\" once"
done
expect_n 3 "$(mbox list | cut -f3 | sort -u | wc -l)" "three different Message-IDs"
OUT=$(outbox)
expect_n 3 "$(printf '%s\n' "$OUT" | grep -c '^sent 1 ')" "the outbox: three sent at the first try"
stop_daemon

# ---- retries: 451, the clock back a day, 451, the clock forward two days, 250 ----
echo "# retries"
mkdir -p "$T/state2" "$T/plans2"
sed '/^milestone twee/,$d' "$T/plans/klok.plan" > "$T/plans2/klok.plan"
smtp_ctl '{"tempfail": 2}'
set_clock '2013-12-10 08:29:58'
BASE=$(smtp_count)
: > "$T/smtpd.events"
start_daemon -S "$T/state2" -P "$T/plans2" || exit 1
if wait_until 10 has_event data-451 1; then ok "the first attempt gets a 451"
else not_ok "the first attempt gets a 451"; tail -5 "$T/daemon.log"; fi
shift_clock -86400
# on_time DESC DUE FROM TO: the real seconds between two server events are DUE (to the
# second: the outbox keeps whole seconds), not much more on a busy machine.
on_time() {
	if [ -z "$3" ] || [ -z "$4" ]; then not_ok "$1: the retry came after $2 s (not at all)"; return; fi
	g=$(gap "$3" "$4") s="$((g / 10)).$((g % 10)) s"
	if [ "$g" -ge $(($2 * 10 - 10)) ] && [ "$g" -le $(($2 * 10 + 80)) ]
	then ok "$1: the retry came $s later, as due ($2 s)"
	else not_ok "$1: the retry came after $2 s ($s)"; fi
}
# The retry is due 3 s after the first attempt, on the monotonic clock.
wait_until 15 has_event data-451 2
on_time "clock back a day" 3 "$(event_at data-451 1)" "$(event_at data-451 2)"

# The next retry is due 6 s after the second; a wake-up after a jump forward must not bring
# it early.
shift_clock 172800
kick
sleep 2
kick
wait_until 20 have $((BASE + 1))
on_time "clock forward two days" 6 "$(event_at data-451 2)" "$(event_at data-250 1)"
sleep 1
expect_n "$((BASE + 1))" "$(smtp_count)" "it arrived once"
OUT=$(outbox)
expect_in '^sent 3 een$' "the outbox: sent at the third attempt"
stop_daemon
stop_smtpd
finish
