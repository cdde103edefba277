#!/bin/bash
# t-fds.sh: descriptor exhaustion (issue 8, defect 6). Idle connections to the feeds port
# cannot take the descriptors the client socket needs; a user lookup that fails for want
# of descriptors is a 503 that says so, never "not an operator".
. "$(dirname "$0")/../e2e/lib.sh"
setup_conf
HOLD="/usr/bin/python3 $TOP/tests/fault/hold.py"
# start_limited NOFILE: the daemon with that descriptor limit.
start_limited() {
	bash -c 'ulimit -n "$1" && shift && exec "$@"' sh "$1" "$TERMIJND" -f "$T/termijnd.conf" \
	    --clock-start '2013-12-17 09:00' --clock-speed 0 2>>"$T/daemon.log" &
	DPID=$!
	wait_until 10 curl -sf --unix-socket "$SOCK" -o "$T/status.json" \
	    http://localhost/api/v1/status || { not_ok "daemon did not start"; cat "$T/daemon.log"; }
	PORT=$(sed -n 's/.*"http": *"127.0.0.1:\([0-9]*\)".*/\1/p' "$T/status.json")
}

start_limited 256
expect_exit 0 "a feed to fetch" -- "$TERMIJN" --json feeds create --plan bedrijfsvoering
URL=$(printf '%s\n' "$OUT" | sed -n 's/.*"url": *"\([^"]*\)".*/\1/p')
OUT=$(cat "$T/daemon.log")
expect_in 'at most 64 connections at once' "the connection cap fits the descriptor limit"

# 400 idle connections: more than the descriptor limit.
$HOLD "127.0.0.1:$PORT" 400 8 "$T/held" &
HPID=$!
wait_until 10 test -s "$T/held"
ok "held $(cat "$T/held") idle connections to the feeds port"
sleep 0.5
t0=$(date +%s%N)
expect_exit 0 "termijn status answers meanwhile, within 2 s" -- timeout 2 "$TERMIJN" status
expect_exit 0 "termijn done answers meanwhile, within 2 s" -- timeout 2 "$TERMIJN" done collegebesluit@staphorst
expect_not_in "not an operator" "no permission refusal for an operator"
code=$(curl -s -o /dev/null -m 2 -w '%{http_code} %{time_total}' "$URL")
case $code in
200\ 0.*) ok "a feed GET meanwhile: $code s" ;;
*) not_ok "a feed GET meanwhile: $code" ;;
esac
n=$(curl -s -m 5 "http://127.0.0.1:$PORT/metrics" | sed -n 's/^termijn_http_connections //p')
[ -n "$n" ] && [ "$n" -le 64 ] && ok "at most 64 connections open ($n)" ||
	not_ok "connections open: ${n:-none}"
wait "$HPID"
stop_daemon

# The client socket itself flooded (150 connections, 96 descriptors): the lookup of the
# caller fails (EMFILE), and says so.
start_limited 96
expect_exit 0 "a change before the flood" -- "$TERMIJN" done collegebesluit@steenwijkerland
$HOLD --post-first /api/v1/done '{"key": "collegebesluit@zwartewaterland"}' "$SOCK" 150 3 \
    "$T/held2" &
HPID=$!
wait_until 15 test -s "$T/held2.answer"
OUT=$(cat "$T/held2.answer" 2>/dev/null)
case $OUT in
*" 200 "*) ok "the lookup did not fail: done answered 200 (descriptors were left)" ;;
*) expect_in '^HTTP/1.1 503' "a failed user lookup: 503"
   expect_in 'cannot look up the calling user' "the 503 says the lookup failed" ;;
esac
expect_not_in "forbidden|not an operator" "a failed lookup is no permission refusal"
wait "$HPID"
expect_exit 0 "the daemon answers again after the flood" -- timeout 5 "$TERMIJN" status
stop_daemon
finish
