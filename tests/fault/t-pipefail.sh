#!/bin/bash
# t-pipefail.sh: a `done` pipelined behind another on one connection (the control socket's
# fast path takes both) is not answered with the failure of a batch it was not in: the
# first joins a batch whose commit fails (the WAL full for one write, tests/fault/walfault.c)
# and gets the 500 with nothing changed; the second, read behind it, goes into the next
# batch, is committed, and says so.
. "$(dirname "$0")/../e2e/lib.sh"
build_walfault || { finish; exit 1; }
F=$T/walfault
gen_conf 127.0.0.1:0
{
	printf 'plan load\n  title Load\n  timezone Europe/Amsterdam\n\n'
	printf 'role owner\n  address x@load.example\n\n'
	awk 'BEGIN { for (i = 0; i < 40; i++)
		printf "milestone m%05d\n  title Load %d\n  owner owner\n  due 2099-12-31\n\n", i, i }'
} >"$T/plans/load.plan"
LD_PRELOAD=$T/walfault.so WALFAULT_DIR=$F start_daemon || { finish; exit 1; }
done_bg() {
	curl -s -o "$T/body.$1" -w '%{http_code}' --max-time 60 --unix-socket "$SOCK" -X POST \
	    -H 'Content-Type: application/json' --data-binary "{\"key\": \"$1\"}" \
	    http://localhost/api/v1/done >"$T/code.$1" &
	BG="$BG $!"
}
BG=
handled() { [ "$(grep -c " done load/$1\$" "$T/daemon.log")" -ge 1 ]; }
status_of() { sqlite3 "$T/state/termijn.db" "SELECT status FROM state WHERE plan = 'load' AND key = '$1'"; }

# The disk holds the first commit; m00021 (with m00022 read behind it on the same
# connection) and m00023 gather for the next, whose write then fails once.
touch "$F/hang"
done_bg m00020
wait_until 20 handled m00020 || not_ok "m00020 handled"
/usr/bin/python3 - "$SOCK" m00021 m00022 >"$T/pipe.out" 2>&1 <<'PY' &
import re, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(60)
req = b""
for k in sys.argv[2:]:
    body = ('{"key": "%s"}' % k).encode()
    req += (b"POST /api/v1/done HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body)
s.sendall(req)
buf, codes = b"", []
while len(codes) < 2:
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            sys.exit("closed after %d answers" % len(codes))
        buf += d
    head, buf = buf.split(b"\r\n\r\n", 1)
    n = int(re.search(rb"Content-Length: (\d+)", head).group(1))
    while len(buf) < n:
        buf += s.recv(65536)
    codes.append(head.split(b" ")[1].decode())
    buf = buf[n:]
print(" ".join(codes))
PY
PYPID=$!
wait_until 20 handled m00021 || not_ok "m00021 handled"
done_bg m00023
wait_until 20 handled m00023 || not_ok "m00023 handled"
touch "$F/fullonce"
rm -f "$F/hang"
wait "$PYPID"
for p in $BG; do wait "$p"; done
expect_n 200 "$(cat "$T/code.m00020")" "the held commit's done: 200"
expect_n 500 "$(cat "$T/code.m00023")" "a done of the failed batch: 500"
OUT=$(cat "$T/pipe.out")
expect_in '^500 200$' "pipelined: the first in the failed batch gets 500, the one behind it 200"
OUT="m00021 [$(status_of m00021)] m00022 [$(status_of m00022)] m00023 [$(status_of m00023)]"
expect_in '^m00021 \[\] m00022 \[done\] m00023 \[\]$' "what was answered 500 is not done, what was answered 200 is"
OUT=$(grep 'answered with the failure' "$T/daemon.log")
expect_in ' 2 requests answered with the failure' "the failure answers the two of its batch"
stop_daemon
finish
