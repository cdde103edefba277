#!/usr/bin/env bash
# signin.sh: the answer to POST /signin for an address a plan names and for one none names,
# interleaved, each from a client address of its own (so that the rate limit does not
# answer instead): the median and the 99th percentile of each, and their bodies compared.
# The two should look alike to whoever asks: the same page after the same kind of work (a
# row written and committed). Asserts no goals; exits non-zero only when something broke.
#
# Knobs (environment): BENCH_RUNS (200 of each).

set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
RUNS=${BENCH_RUNS:-200}
[[ $RUNS =~ ^[0-9]+$ && $RUNS -gt 0 ]] || { echo "bench: BENCH_RUNS is a positive number" >&2; exit 1; }
make -s all >/dev/null || { echo "bench: build failed" >&2; exit 1; }

TMP=$(mktemp -d /tmp/termijn-signin.XXXXXX) || exit 1
DPID=
cleanup() {
	[[ -n $DPID ]] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$TMP/plans" "$TMP/state"
cp etc/plans/*.plan "$TMP/plans/"
# No mail-url: the messages go to a maildir in the state, as for make run.
cat > "$TMP/termijnd.conf" <<EOC
plans-dir plans
state-dir state
socket termijnd.sock
templates-dir $PWD/etc/templates
listen 127.0.0.1:0
trusted-proxies 127.0.0.1
EOC
daemon/termijnd -f "$TMP/termijnd.conf" --clock-start '2013-12-18 10:00' --clock-speed 0 \
    2>"$TMP/daemon.log" &
DPID=$!
for _ in $(seq 1 100); do
	curl -sf --unix-socket "$TMP/termijnd.sock" http://localhost/api/v1/status >"$TMP/status" 2>/dev/null && break
	sleep 0.05
done
HTTP=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["http"])' "$TMP/status") ||
    { echo "bench: termijnd did not start" >&2; cat "$TMP/daemon.log" >&2; exit 1; }

for i in $(seq 1 "$RUNS"); do
	for who in known unknown; do
		[[ $who == known ]] && a=secretaris@staphorst.example || a=nobody$i@staphorst.example
		# A client address per request, through the trusted proxy's headers.
		curl -s -o "$TMP/$who.html" -w "$who %{http_code} %{time_total}\n" \
		    -H "X-Forwarded-For: 198.$([[ $who == known ]] && echo 18 || echo 19).$((i / 250)).$((i % 250 + 1))" \
		    -H "X-Forwarded-Proto: https" -d "address=$a" "http://$HTTP/signin" >>"$TMP/times"
	done
	cmp -s "$TMP/known.html" "$TMP/unknown.html" || { echo "bench: the pages differ" >&2; exit 1; }
done
if grep -qv ' 200 ' "$TMP/times"; then echo "bench: not every answer was 200" >&2; sort "$TMP/times" | uniq -c | head >&2; exit 1; fi
/usr/bin/python3 - "$TMP/times" "$RUNS" <<'PY'
import statistics, sys
t = {"known": [], "unknown": []}
for line in open(sys.argv[1]):
    who, _, s = line.split()
    t[who].append(float(s) * 1000)
print("POST /signin, %s of each, interleaved, identical pages" % sys.argv[2])
for who in ("known", "unknown"):
    v = sorted(t[who])
    print("  %-8s median %6.2f ms   p99 %6.2f ms" % (who, statistics.median(v), v[int(len(v) * 0.99) - 1]))
PY
