#!/bin/bash
# t-slowloris.sh: clients that trickle a request a byte a second hold the feeds port; a
# normal GET is still answered in under a second, and the client socket too (issue 8,
# defect 6). 400 trickling connections against 256 descriptors, for 6 seconds.
. "$(dirname "$0")/../e2e/lib.sh"
setup_conf
bash -c 'ulimit -n 256 && shift && exec "$@"' sh x "$TERMIJND" -f "$T/termijnd.conf" \
    --clock-start '2013-12-17 09:00' --clock-speed 0 2>>"$T/daemon.log" &
DPID=$!
wait_until 10 curl -sf --unix-socket "$SOCK" -o "$T/status.json" http://localhost/api/v1/status ||
	{ not_ok "daemon did not start"; cat "$T/daemon.log"; finish; exit 1; }
PORT=$(sed -n 's/.*"http": *"127.0.0.1:\([0-9]*\)".*/\1/p' "$T/status.json")
expect_exit 0 "a feed to fetch" -- "$TERMIJN" --json feeds create --plan bedrijfsvoering
URL=$(printf '%s\n' "$OUT" | sed -n 's/.*"url": *"\([^"]*\)".*/\1/p')

/usr/bin/python3 "$TOP/tests/fault/hold.py" --trickle "127.0.0.1:$PORT" 400 6 "$T/held" &
HPID=$!
wait_until 10 test -s "$T/held"
ok "$(cat "$T/held") slow connections trickling"
slow=0
for i in 1 2 3 4 5; do
	sleep 0.5
	r=$(curl -s -o /dev/null -m 3 -w '%{http_code} %{time_total}' "$URL")
	case $r in 200\ 0.*) ;; *) slow=$((slow + 1)); echo "    GET $i: $r" ;; esac
	r=$(curl -s -o /dev/null -m 3 -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT/healthz")
	case $r in 200\ 0.*) ;; *) slow=$((slow + 1)); echo "    healthz $i: $r" ;; esac
done
[ "$slow" -eq 0 ] && ok "5 feed GETs and 5 /healthz meanwhile, each 200 in under 1 s" ||
	not_ok "$slow of 10 GETs meanwhile failed or took 1 s or more"
expect_exit 0 "the client socket answers meanwhile, within 2 s" -- timeout 2 "$TERMIJN" status
wait "$HPID"
OUT=$(curl -s -m 3 "http://127.0.0.1:$PORT/metrics")
expect_in '^termijn_http_connections_closed_total [1-9]' "the oldest connections were closed to make room"
stop_daemon
finish
