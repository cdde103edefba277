#!/bin/bash
# t-groupcommit.sh: group commit, with the disk under the WAL stuck, slow, full or failing
# on request (tests/fault/walfault.c, preloaded into termijnd). While the disk has not
# confirmed a commit nothing of it is acknowledged, not even a read that could see it, yet
# the loop goes on serving and the changes that come meanwhile gather for one next commit; a
# batch whose commit fails answers each of its requests with the failure and leaves nothing
# of them; a sync that fails stops termijnd; kill -9 under 16 writers on a slow disk loses
# no acknowledged change.
. "$(dirname "$0")/../e2e/lib.sh"
build_walfault || { finish; exit 1; }
F=$T/walfault
build_loadgen || { finish; exit 1; }
gen_conf 127.0.0.1:0
{
	printf 'plan load\n  title Load\n  timezone Europe/Amsterdam\n\n'
	printf 'role owner\n  address x@load.example\n\n'
	awk 'BEGIN { for (i = 0; i < 400; i++)
		printf "milestone m%05d\n  title Load %d\n  owner owner\n  due 2099-12-31\n\n", i, i }'
} >"$T/plans/load.plan"

run_daemon() { LD_PRELOAD=$T/walfault.so WALFAULT_DIR=$F start_daemon; }
# done KEY: POST /api/v1/done in the background; its status lands in $T/code.KEY.
done_bg() {
	curl -s -o "$T/body.$1" -w '%{http_code}' --max-time 60 --unix-socket "$SOCK" -X POST \
	    -H 'Content-Type: application/json' --data-binary "{\"key\": \"$1\"}" \
	    http://localhost/api/v1/done >"$T/code.$1" &
	BG="$BG $!"
}
BG=
# wait_bg: until every request in the background is answered (not the daemon: wait alone).
wait_bg() { for p in $BG; do wait "$p"; done; BG=; }
answered() { [ -s "$T/code.$1" ]; }
handled() { [ "$(grep -c " done load/$1\$" "$T/daemon.log")" -ge 1 ]; }
all_handled() { for k in "$@"; do handled "$k" || return 1; done; }
metric() { curl -s --max-time 10 "http://$ADDR/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
status_of() {
	curl -s --max-time 20 --unix-socket "$SOCK" "http://localhost/api/v1/milestone?key=$1" |
	    /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])'
}
db_status() { sqlite3 "$T/state/termijn.db" "SELECT status FROM state WHERE plan = 'load' AND key = '$1'"; }
keys() { for i in $(seq "$1" "$2"); do printf 'm%05d ' "$i"; done; }
# stall FIRST KEYS...: the WAL's sync hangs; FIRST is committed and waits for it, KEYS are
# handled meanwhile (they are in the open batch), and none of them is answered yet.
stall() {
	touch "$F/hang"
	done_bg "$1"
	wait_until 20 handled "$1" || not_ok "$1 was not handled"
	shift
	for k in "$@"; do done_bg "$k"; done
	wait_until 20 all_handled "$@" || not_ok "the changes during the stall were not all handled"
}

run_daemon || exit 1
ADDR=$(http_addr)
done_bg m00000; wait_bg
[ "$(cat "$T/code.m00000")" = 200 ] && [ -s "$F/syncs" ] &&
    ok "a change is acknowledged after its WAL was synced" || not_ok "first done: $(cat "$T/code.m00000")"

# The disk does not confirm: nothing is acknowledged, the loop serves on, changes gather.
C0=$(metric termijn_api_commits_total)
LATER=$(keys 2 11)
stall m00001 $LATER
curl -s -o "$T/read.json" -w '%{http_code}' --max-time 60 --unix-socket "$SOCK" \
    "http://localhost/api/v1/milestone?key=m00001" >"$T/read.code" &
BG="$BG $!"
sleep 1
n=0; for k in m00001 $LATER; do answered "$k" && n=$((n + 1)); done
expect_n 0 "$n" "while the WAL's sync hangs no change is acknowledged"
[ -s "$T/read.code" ] && not_ok "a read that could see the unconfirmed change was answered" ||
    ok "nor a read that could see it"
H=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$ADDR/healthz")
[ "$H" != 000 ] && ok "the loop is not held by the sync: /healthz answers ($H)" ||
    not_ok "/healthz did not answer while the sync hung"
rm -f "$F/hang"
wait_bg
n=0; for k in m00001 $LATER; do [ "$(cat "$T/code.$k")" = 200 ] && n=$((n + 1)); done
expect_n 11 "$n" "once the disk confirms, every change is acknowledged"
[ "$(cat "$T/read.code")" = 200 ] && grep -q '"status":"done"' "$T/read.json" &&
    ok "and the read, which saw the change" || not_ok "the read: $(cat "$T/read.code")"
C1=$(metric termijn_api_commits_total)
[ $((C1 - C0)) -le 2 ] && ok "the 10 changes made during the sync shared one commit ($((C1 - C0)) commits for 11)" ||
    not_ok "$((C1 - C0)) commits for 11 changes"
n=0; for k in m00001 $LATER; do [ "$(db_status "$k")" = done ] && n=$((n + 1)); done
expect_n 11 "$n" "and all 11 are in the database"

# A batch that fails: the WAL is full when it is committed.
FAILED=$(keys 21 28)
stall m00020 $FAILED
touch "$F/full"
rm -f "$F/hang"
wait_bg
rm -f "$F/full"
[ "$(cat "$T/code.m00020")" = 200 ] && ok "the change whose commit was written before is acknowledged" ||
    not_ok "m00020: $(cat "$T/code.m00020")"
n=0; for k in $FAILED; do [ "$(cat "$T/code.$k")" = 500 ] && n=$((n + 1)); done
expect_n 8 "$n" "each request of the failed batch is answered 500"
OUT=$(cat "$T/body.m00021")
expect_in 'disk is full' "the failure says the disk is full"
expect_in 'nothing was changed' "and that nothing was changed"
n=0; for k in $FAILED; do [ "$(status_of "$k")" = open ] && [ -z "$(db_status "$k")" ] && n=$((n + 1)); done
expect_n 8 "$n" "none of the failed batch is in memory or in the database"
[ "$(status_of m00020)" = done ] && [ "$(db_status m00020)" = done ] &&
    ok "the one before it is in both" || not_ok "m00020 lost"
for k in $FAILED; do done_bg "$k"; done
wait_bg
n=0; for k in $FAILED; do [ "$(cat "$T/code.$k")" = 200 ] && n=$((n + 1)); done
expect_n 8 "$n" "once there is room they go through"

# Mail while the WAL's sync hangs. The mail pump's commits ("sending", then "sent") wait for
# the disk in the sync thread like the batches, never on the loop; and a message goes only
# once its "sending" is on disk, so none goes while the disk does not confirm.
MAILNEW=$T/state/maildir/new
mails() { find "$MAILNEW" -type f 2>/dev/null | wc -l; }
outbox_of() { sqlite3 "$T/state/termijn.db" "SELECT state FROM outbox WHERE kind = 'change-add' AND key = '$1'"; }
state_of() { [ "$(outbox_of "$1")" = "$2" ]; }
M0=$(mails)
touch "$F/hang"
curl -s -o "$T/add.body" -w '%{http_code}' --max-time 60 --unix-socket "$SOCK" -X POST \
    -H 'Content-Type: application/json' --data-binary \
    '{"plan": "load", "id": "extra", "title": "Extra", "owner": "owner", "due": "2099-12-31"}' \
    http://localhost/api/v1/add >"$T/add.code" &
BG="$BG $!"
wait_until 20 state_of extra sending || not_ok "the addition's mail is not sending: $(outbox_of extra)"
H=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$ADDR/healthz")
[ "$H" != 000 ] && ok "the mail pump's commit does not hold the loop: /healthz answers ($H)" ||
    not_ok "/healthz did not answer while the mail pump's commit waited for the disk"
sleep 1
expect_n "$M0" "$(mails)" "no message goes while its \"sending\" is not on disk"
[ -s "$T/add.code" ] && not_ok "the addition was acknowledged before the disk confirmed it" ||
    ok "nor is the addition acknowledged"
rm -f "$F/hang"
wait_bg
[ "$(cat "$T/add.code")" = 201 ] && ok "once the disk confirms, the addition is acknowledged" ||
    not_ok "add: $(cat "$T/add.code") $(cat "$T/add.body")"
wait_until 20 state_of extra sent && [ "$(mails)" -eq $((M0 + 1)) ] &&
    ok "and its mail goes, once" || not_ok "the mail: $(outbox_of extra), $(mails) files (before: $M0)"

# A sync that fails: termijnd stops rather than say what the disk may not hold.
touch "$F/fail"
done_bg m00030
wait_bg
wait "$DPID"; rc=$?
DPID=
[ "$rc" -ne 0 ] && ok "termijnd stops when the WAL's sync fails (exit $rc)" || not_ok "exit $rc after a failed sync"
[ "$(cat "$T/code.m00030")" != 200 ] && ok "the change is not acknowledged ($(cat "$T/code.m00030"))" ||
    not_ok "a change was acknowledged though its sync failed"
grep -q 'cannot be made durable' "$T/daemon.log" && ok "the log says why" || not_ok "no log line for the failed sync"
rm -f "$F/fail"

# kill -9 under 16 keep-alive writers on a slow disk: every acknowledged change survives.
run_daemon || exit 1
ADDR=$(http_addr)
touch "$F/slow"
W0=$(metric termijn_api_changes_total) C0=$(metric termijn_api_commits_total)
"$T/bin/loadgen" -s "$SOCK" -c 16 -n 300 -k 100 -t 30 -o "$T/answered" >"$T/loadgen.out" 2>"$T/loadgen.err" &
LPID=$!
many() { [ "$(metric termijn_api_changes_total)" -ge $((W0 + 60)) ]; }
wait_until 30 many || not_ok "fewer than 60 changes in 30 s"
W1=$(metric termijn_api_changes_total) C1=$(metric termijn_api_commits_total)
kill9_daemon
# Its requests cut off by the kill count as failed: what it wrote down is what matters.
wait "$LPID"
[ -e "$T/answered" ] || { not_ok "the load generator failed"; sed 's/^/    /' "$T/loadgen.err"; }
rm -f "$F/slow"
[ $((W1 - W0)) -ge $((2 * (C1 - C0))) ] &&
    ok "16 writers on a slow disk: $((W1 - W0)) changes in $((C1 - C0)) commits" ||
    not_ok "no group commit: $((W1 - W0)) changes in $((C1 - C0)) commits"
run_daemon || exit 1
sqlite3 "$T/state/termijn.db" "SELECT key FROM state WHERE status = 'done'" | sort >"$T/committed"
NA=$(grep -c . "$T/answered")
missing=$(sort "$T/answered" | comm -23 - "$T/committed" | head -5)
[ "$NA" -gt 0 ] && [ -z "$missing" ] && ok "after kill -9 all $NA acknowledged changes are there" ||
    not_ok "acknowledged ($NA) but missing after kill -9: $missing"
[ "$(sqlite3 "$T/state/termijn.db" 'PRAGMA integrity_check')" = ok ] && ok "integrity_check ok" ||
    not_ok "integrity_check"
stop_daemon
finish
