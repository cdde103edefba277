#!/bin/bash
# t-sendstall.sh: a reminder marked "sending" waits for the disk to confirm that mark before
# it goes (tests/fault/walfault.c holds the WAL's sync); a milestone done meanwhile gets no
# reminder after all (the row is cancelled), while the open one's reminder still goes, once.
. "$(dirname "$0")/../e2e/lib.sh"
build_walfault || { finish; exit 1; }
F=$T/walfault
gen_conf 127.0.0.1:0
{
	printf 'plan vol\n  title Stap\n  timezone Europe/Amsterdam\n  remind 1d\n  remind-at 08:30\n  overdue-max 0\n\n'
	printf 'role secretaris\n  address vol@vol.example\n'
	printf '\nmilestone een\n  title Eerste stap\n  owner secretaris\n  due 2013-12-11\n'
	printf '\nmilestone twee\n  title Tweede stap\n  owner secretaris\n  due 2013-12-11\n'
} >"$T/plans/vol.plan"
start_smtpd || exit 1
mail_conf
# The reminders fall due 4 s after the start (08:30 at 15 times the speed).
LD_PRELOAD=$T/walfault.so WALFAULT_DIR=$F start_daemon --clock-start '2013-12-10 08:29' \
    --clock-speed 15 || exit 1
touch "$F/hang"
row() { sqlite3 "$T/state/termijn.db" "SELECT state FROM outbox WHERE plan = 'vol' AND key = '$1'"; }
both_sending() { [ "$(row een)" = sending ] && [ "$(row twee)" = sending ]; }
handled() { grep -q " done vol/een\$" "$T/daemon.log"; }
if wait_until 30 both_sending; then ok "both reminders are marked sending while the disk holds"
else not_ok "not both sending: een $(row een), twee $(row twee)"; fi
expect_n 0 "$(smtp_count)" "nothing goes before the mark is on disk"
curl -s -o /dev/null -w '%{http_code}' --max-time 60 --unix-socket "$SOCK" -X POST \
    -H 'Content-Type: application/json' --data-binary '{"key": "een"}' \
    http://localhost/api/v1/done >"$T/code" &
BGP=$!
wait_until 20 handled || not_ok "the done of een was not handled"
rm -f "$F/hang"
wait "$BGP"
expect_n 200 "$(cat "$T/code")" "the done is acknowledged once the disk confirms"
settled() { [ "$(row een)" = cancelled ] && [ "$(row twee)" = sent ]; }
if wait_until 20 settled; then ok "een's reminder is cancelled, twee's sent"
else not_ok "een $(row een), twee $(row twee)"; fi
sleep 1
expect_n 1 "$(smtp_count)" "one message arrived"
OUT=$(mbox list 2>&1)
expect_not_in "Eerste stap" "no reminder of the step done meanwhile"
stop_daemon
finish
