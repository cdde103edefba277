#!/bin/bash
# t-fastdone.sh: a `done` answered by the control socket's fast path (control.c, donewire.c)
# is the answer evhttp gives, byte for byte but the Date (tests/e2e/fastdone.py: a change,
# refusals, errors, Dutch, curl's headers, a caller who may not act), what it does not
# take is evhttp's as before (bad JSON, unknown fields, escapes, big bodies, other headers),
# pipelined requests are answered in order, and a peer that hangs up keeps its change.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
setup_conf
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 ||
    { not_ok "the daemon starts"; finish; exit 1; }
H=$(http_addr)
run_py() {
	OUT=$("$@" 2>&1); rc=$?
	printf '%s\n' "$OUT" | grep -E '^(ok|not ok) - '
	PASS=$((PASS + $(printf '%s\n' "$OUT" | grep -c '^ok - ')))
	FAIL=$((FAIL + $(printf '%s\n' "$OUT" | grep -c '^not ok - ')))
	if [ "$rc" -eq 0 ]; then ok "fastdone.py $3 ran through"
	else not_ok "fastdone.py $3 failed ($rc)"; printf '%s\n' "$OUT" | grep -v '^ok - ' | head -30; fi
}
run_py $PY "$TOP/tests/e2e/fastdone.py" "$SOCK" "$H" main
# Who may act is the socket's peer, per request, on the fast path too.
run_py setpriv --reuid=nobody --regid=nogroup --clear-groups \
    $PY "$TOP/tests/e2e/fastdone.py" "$SOCK" "$H" nobody
# Every change the fast path acknowledged is in the log, as evhttp's are.
OUT=$("$TERMIJN" log 2>&1)
expect_in "uitnodiging" "the fast path's dones are in the log"
# The log is written once a loop turn, but what a change logged is out before its answer.
"$TERMIJN" undo uitnodiging --reason "log" >/dev/null &&
    "$TERMIJN" done uitnodiging >/dev/null || not_ok "termijn done uitnodiging"
n=$(grep -c ' done sociaal-domein/uitnodiging$' "$T/daemon.log")
expect_n 4 "$n" "each done's log line is written before its answer"
stop_daemon
finish
