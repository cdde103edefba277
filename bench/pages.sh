#!/usr/bin/env bash
# pages.sh: what reading the outbox and the tokens costs termijnd (issue 13: answers paged,
# never built whole): an outbox of BENCH_PAGES_ROWS rows (sent, cancelled and failed; the failed
# with a message of BENCH_PAGES_MSG bytes, as a lived-in one keeps them) and 2,000 tokens written
# into a fresh database, then each read followed page by page as termijn does. Prints per
# read: pages, the longest one request took (the loop is held that long), the whole read,
# the largest answer, and the daemon's RSS after (and its peak, VmHWM).
#
# Knobs: BENCH_PAGES_ROWS (70000), BENCH_PAGES_MSG (5000), TERMIJND and TERMIJN (the
# binaries to measure, default this tree's: set them to an older build to compare).
# Prints figures, asserts no goal.
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
ROWS=${BENCH_PAGES_ROWS:-70000}
MSG=${BENCH_PAGES_MSG:-5000}
TOP=$PWD
TMP=$(mktemp -d /tmp/termijn-pages.XXXXXX)
DPID=
cleanup() { [ -n "$DPID" ] && kill "$DPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
die() { echo "pages.sh: $*" >&2; exit 1; }
if [ -z "${TERMIJND:-}" ]; then
	make --no-print-directory -s all >/dev/null || die "the build failed"
	TERMIJND=$TOP/daemon/termijnd
fi
mkdir -p "$TMP/plans" "$TMP/state"
cp etc/plans/*.plan "$TMP/plans/"
cat > "$TMP/termijnd.conf" <<EOC
plans-dir plans
state-dir state
socket termijnd.sock
operators root
templates-dir $TOP/etc/templates
EOC
start() {
	"$TERMIJND" -f "$TMP/termijnd.conf" --clock-start '2014-01-06 09:00' --clock-speed 0 \
	    2>>"$TMP/daemon.log" &
	DPID=$!
	for _ in $(seq 1 200); do
		curl -sf --unix-socket "$TMP/termijnd.sock" http://localhost/api/v1/status \
		    >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	die "termijnd did not start: $(tail -3 "$TMP/daemon.log")"
}
start
kill "$DPID"; wait "$DPID"; DPID=
/usr/bin/python3 - "$TMP/state/termijn.db" "$ROWS" "$MSG" <<'PY' || die "cannot fill the database"
import os, sqlite3, sys, time
db, rows, msg = sqlite3.connect(sys.argv[1]), int(sys.argv[2]), b"x" * int(sys.argv[3])
now, states = int(time.time()), ["sent", "cancelled", "sent", "sent", "sent", "sent", "sent", "failed"]
db.executemany("INSERT INTO outbox (plan, key, recipient, kind, due_at, created, state,"
               " attempts, next_attempt, last_error, smtp_code, sent_at, message_id, subject,"
               " message) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               (("bedrijfsvoering", "begin", "r%d@example.org" % i, "lead", now, now,
                 states[i % 8], 1, 0, None, None, now, "<%d@termijn>" % i,
                 "Herinnering %d" % i, msg if states[i % 8] == "failed" else b"")
                for i in range(rows)))
db.executemany("INSERT INTO token (person, token_hash, created, expires, created_by, how)"
               " VALUES (?,?,?,?,?,?)", (("p%d@example.org" % i, os.urandom(32), now,
               now + 86400, "root", "grant") for i in range(2000)))
db.commit()
PY
start
echo "termijnd reads in pages: an outbox of $ROWS rows (messages of $MSG bytes), 2,000 tokens;" \
    "$(nproc) CPUs; $TERMIJND"
printf '%-34s %6s %12s %10s %12s %10s %10s\n' read pages "longest req" "whole" "largest" \
    "RSS after" "peak RSS"
for q in "reminders?state=sent&upcoming=0" "reminders?state=failed&upcoming=0" \
    "reminders?state=pending&upcoming=0" "access" "parts"; do
	/usr/bin/python3 - "$TOP/tests/e2e" "$TMP/termijnd.sock" "$q" "$DPID" <<'PY'
import json, sys, time, urllib.parse
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv.pop(1))
from unixhttp import Connection
c, q0, pid = Connection(sys.argv[1]), sys.argv[2], sys.argv[3]
q, n, longest, big, t0 = q0, 0, 0.0, 0, time.monotonic()
while True:
    t = time.monotonic()
    c.request("GET", "/api/v1/" + q)
    body = c.getresponse().read()
    longest, big, n = max(longest, time.monotonic() - t), max(big, len(body)), n + 1
    nxt = json.loads(body).get("next")
    if nxt is None:
        break
    q = q0 + ("&" if "?" in q0 else "?") + "cursor=" + urllib.parse.quote(str(nxt), safe="")
whole = time.monotonic() - t0
st = dict(l.split(":", 1) for l in open("/proc/%s/status" % pid) if ":" in l)
print("%-34s %6d %9.1f ms %7.0f ms %9.0f KB %7.0f MB %7.0f MB" % (q0, n, longest * 1e3,
      whole * 1e3, big / 1e3, int(st["VmRSS"].split()[0]) / 1024,
      int(st["VmHWM"].split()[0]) / 1024))
PY
done
