#!/bin/bash
# t-mailsync.sh: a done and the go-ahead mail it releases are written in one commit and made
# durable by one sync of the WAL (tests/fault/walfault.c counts them); before, the mail took a
# commit and a sync of its own after the done's. The mail still goes only once that commit is
# on disk: while the sync hangs, neither the done is acknowledged nor the mail sent.
. "$(dirname "$0")/../e2e/lib.sh"
build_walfault || { finish; exit 1; }
F=$T/walfault
N=8
gen_conf 127.0.0.1:0
{
	printf 'plan vol\n  title Stap\n  timezone Europe/Amsterdam\n\n'
	printf 'role secretaris\n  address vol@vol.example\n'
	for i in $(seq 0 $N); do
		printf '\nmilestone a%d\n  title Eerst %d\n  owner secretaris\n  due 2014-12-11\n' "$i" "$i"
		printf '\nmilestone b%d\n  title Dan %d\n  owner secretaris\n  due 2014-12-12\n' "$i" "$i"
		printf '  requires a%d\n' "$i"
	done
} >"$T/plans/vol.plan"
start_smtpd || exit 1
mail_conf
LD_PRELOAD=$T/walfault.so WALFAULT_DIR=$F start_daemon --clock-start '2013-12-10 09:00' \
    --clock-speed 0 || exit 1
done_of() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 60 --unix-socket "$SOCK" -X POST \
	    -H 'Content-Type: application/json' --data-binary "{\"key\": \"$1\"}" \
	    http://localhost/api/v1/done
}
syncs() { [ -e "$F/syncs" ] && wc -l <"$F/syncs" || echo 0; }
go_ahead() { sqlite3 "$T/state/termijn.db" "SELECT state FROM outbox WHERE key = '$1'"; }
have() { [ "$(smtp_count)" -ge "$1" ]; }

# While the WAL's sync hangs: the done waits, its mail is "sending" with it, and stays here.
touch "$F/hang"
done_of a0 >"$T/code" &
BGP=$!
wait_until 20 eval '[ "$(go_ahead b0)" = sending ]' && ok "the go-ahead is sending with the done" ||
    not_ok "the go-ahead of a0: '$(go_ahead b0)'"
sleep 1
expect_n 0 "$(smtp_count)" "no mail while its commit is not on disk"
[ -s "$T/code" ] && not_ok "the done was acknowledged before the disk confirmed it" ||
    ok "nor is the done acknowledged"
rm -f "$F/hang"
wait "$BGP"
expect_n 200 "$(cat "$T/code")" "once the disk confirms, the done is acknowledged"
wait_until 20 have 1 && ok "and its mail goes" || not_ok "the mail of a0 did not go"
sleep 0.5

# One at a time, each mail's outcome recorded, and the checkpoint that erases its "done" link
# from the WAL (500 ms after) taken, before the next done, so that each done brings the same
# syncs: four, counted (the done's with its mail, the outcome's, the checkpoint's and the
# WAL's restart after it); five before, when the mail's commit had a sync of its own.
sleep 1
S0=$(syncs)
for i in $(seq 1 $N); do
	[ "$(done_of "a$i")" = 200 ] || not_ok "done a$i"
	wait_until 20 eval '[ "$(go_ahead b'"$i"')" = sent ]' || not_ok "the go-ahead of a$i: $(go_ahead "b$i")"
	sleep 0.8
done
S=$(($(syncs) - S0))
echo "# $S syncs of the WAL for $N dones, each with its mail"
[ "$S" -le $((4 * N + 2)) ] && ok "a done and its mail share a sync ($S for $N)" ||
    not_ok "a done and its mail share a sync ($S syncs for $N dones)"
expect_n $((N + 1)) "$(smtp_count)" "every go-ahead arrived once"
stop_daemon
finish
