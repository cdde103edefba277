#!/usr/bin/env bash
# stall.sh: how long one request holds termijnd's event loop, during mixed reads and writes,
# at 1,000, 10,000 and 100,000 milestone instances (issue 8: no request above 50 ms).
#
# For each size: a plan of that many milestones (one in ten done in the plan file, the other
# nine each requiring it), a fresh daemon, then bench/stall.c for BENCH_STALL_SECONDS: readers
# (status, a page of milestones, a state filter, show, a log page, reminders, /metrics, a
# person's feed), writers (done and undo, over and over) and a /healthz probe every 20 ms.
# Measured from the daemon's side: /metrics termijn_longest_callback_seconds, the longest one
# API request, group commit or listener request took on the loop (clock_gettime around each
# callback). From outside: each request's latency, and the probe's (which also waits for
# whatever is ahead of it in the loop: an upper bound on a stall).
#
# Knobs: BENCH_STALL_SIZES ("1000 10000 100000"), BENCH_STALL_SECONDS (5), BENCH_STALL_READERS
# (2), BENCH_STALL_WRITERS (2), CC. Prints figures, asserts no goal: non-zero exit only when
# something broke (a build, a daemon that did not start, answers other than 200).
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
SIZES=${BENCH_STALL_SIZES:-"1000 10000 100000"}
SECS=${BENCH_STALL_SECONDS:-5}
READERS=${BENCH_STALL_READERS:-2}
WRITERS=${BENCH_STALL_WRITERS:-2}
CC=${CC:-cc}
TMP=$(mktemp -d /tmp/termijn-stall.XXXXXX)
DPID=
cleanup() { [ -n "$DPID" ] && kill "$DPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
die() { echo "stall.sh: $*" >&2; exit 1; }

make --no-print-directory -s all >/dev/null || die "the build failed"
$CC -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$TMP/stall" \
    bench/stall.c -pthread || die "cannot build bench/stall.c"

echo "termijnd event-loop stall: $READERS readers, $WRITERS writers (done+undo), a /healthz" \
    "probe every 20 ms; ${SECS} s per size; $(nproc) CPUs"
echo "longest callback = the daemon's own measure (/metrics termijn_longest_callback_seconds)"
broken=0
for n in $SIZES; do
	rm -rf "$TMP/run"; mkdir -p "$TMP/run/plans" "$TMP/run/state"
	{
		printf 'plan bench\n  title Bench\n  timezone Europe/Amsterdam\n\n'
		printf 'role owner\n  address x@bench.example\n\n'
		awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) {
			printf "milestone m%06d\n  title Bench %d\n  owner owner\n", i, i
			printf "  due %s\n", strftime("%Y-%m-%d %H:%M", 1420070400 + (n - i) * 300, 1)
			if (i % 10 == 0) printf "  done 2013-12-01\n\n"
			else printf "  requires m%06d\n\n", i - i % 10 } }'
	} >"$TMP/run/plans/bench.plan"
	cat >"$TMP/run/termijnd.conf" <<EOC
plans-dir plans
state-dir state
socket termijnd.sock
socket-mode 0600
operators $(id -un)
templates-dir $PWD/etc/templates
listen 127.0.0.1:0
EOC
	daemon/termijnd -f "$TMP/run/termijnd.conf" --clock-start '2014-01-01 09:00' \
	    --clock-speed 0 2>"$TMP/run/daemon.log" &
	DPID=$!
	sock=$TMP/run/termijnd.sock
	for _ in $(seq 1 600); do
		curl -sf --unix-socket "$sock" -o "$TMP/run/status" http://x/api/v1/status && break
		sleep 0.1
	done
	port=$(sed -n 's/.*"http": *"\(127.0.0.1:[0-9]*\)".*/\1/p' "$TMP/run/status")
	[ -n "$port" ] || { echo "  $n: the daemon did not start"; tail -3 "$TMP/run/daemon.log";
	    broken=1; kill "$DPID"; DPID=; continue; }
	feed=$(client/termijn -s "$sock" --json feeds create --person x@bench.example |
	    sed -n 's|.*"url": *"http://[^/]*\(/feed/[^"]*\)".*|\1|p')
	echo "instances=$n"
	"$TMP/stall" -s "$sock" -H "$port" -n "$n" -t "$SECS" -r "$READERS" -w "$WRITERS" \
	    -f "$feed" || broken=1
	m=$(curl -s "http://$port/metrics" | sed -n 's/^termijn_longest_callback_seconds{of="\([a-z-]*\)"} \(.*\)/\1 \2/p' |
	    awk '{ printf "%s %.1f ms  ", $1, $2 * 1000; if ($2 > max) max = $2 }
	        END { printf "| longest %.1f ms", max * 1000 }')
	echo "  longest callback:  $m"
	kill "$DPID"; wait "$DPID"; DPID=
done
exit $broken
