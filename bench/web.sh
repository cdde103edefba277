#!/usr/bin/env bash
# web.sh: how long termijnd takes to render its pages, and how many it serves a second beside
# the calendar feed of the same steps, on loopback.
#
# Plans: the shipped ones, and a generated one of 10,000 steps (2,000 milestones for 5
# parties, a requirement chain among them). For each page it prints the time to the last byte
# over BENCH_RUNS requests (median, p99, with curl), then requests/s under wrk for the page and
# for the .ics of the same feed, and the daemon's own longest hold of the loop by one HTTP
# request (termijn_longest_callback_seconds{of="http"}). It asserts no goals: the exit status
# is non-zero only when something broke.
#
# Knobs (environment): TERMIJND, TERMIJN (built into build/bench-web when unset), BENCH_RUNS
# (50), BENCH_SECONDS (5 per wrk run), BENCH_CONNECTIONS (16), BENCH_THREADS (2),
# BENCH_LIMIT (300 s for the whole run).

set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD
RUNS=${BENCH_RUNS:-50}
SECS=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
LIMIT=${BENCH_LIMIT:-300}
PY=/usr/bin/python3

die() { echo "bench: $*" >&2; exit 1; }
broken=0
problem() { echo "bench: PROBLEM: $*" >&2; broken=1; }
for n in "$RUNS" "$SECS" "$CONNS" "$THREADS" "$LIMIT"; do
	[[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "knobs are positive whole numbers, not \"$n\""
done
for tool in curl wrk "$PY"; do command -v "$tool" >/dev/null || die "needs $tool"; done

if [[ -z ${TERMIJND:-} || -z ${TERMIJN:-} ]]; then
	B=build/bench-web
	mkdir -p $B
	make -s B=$B DAEMON_BIN=$B/termijnd CLIENT_BIN=$B/termijn $B/termijnd $B/termijn mo \
	    >/dev/null 2>"$B.log" || { cat "$B.log" >&2; die "the build failed"; }
	TERMIJND=$TOP/$B/termijnd TERMIJN=$TOP/$B/termijn
fi

TMP=$(mktemp -d /tmp/termijn-webbench.XXXXXX) || die "mktemp failed"
DPID=
cleanup() {
	[[ -n $DPID ]] && { kill -KILL "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; }
	[[ -n ${WATCHDOG:-} ]] && kill "$WATCHDOG" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 1' INT TERM
MAINPID=$$
( sleep "$LIMIT"; echo "bench: still running after ${LIMIT}s; giving up" >&2
  kill -TERM "$MAINPID" 2>/dev/null ) &
WATCHDOG=$!

mkdir -p "$TMP/plans" "$TMP/state"
cp etc/plans/*.plan "$TMP/plans/"
$PY - "$TMP/plans/w10k.plan" <<'PY'
import datetime, sys
out = ["plan w10k", "  title Bench: 10.000 stappen", "  timezone Europe/Amsterdam",
       "  language nl", "", "role eigenaar", "  name Eigenaar", "", ]
for p in range(5):
    out += ["party p%d" % p, "  name Gemeente %d" % p, "  role eigenaar e@p%d.example" % p, ""]
d0 = datetime.date(2014, 1, 6)
for i in range(2000):
    d = d0 + datetime.timedelta(days=i // 4)
    out += ["milestone m%04d" % i, "  title Mijlpaal %d: stukken voor de raad" % i,
            "  owner eigenaar", "  parties all"]
    out.append("  window %s .. %s" % (d, d + datetime.timedelta(days=6)) if i % 7 == 3
               else "  due %s" % d)
    if i % 10 != 0:
        out.append("  requires m%04d" % (i - 1))
    out.append("")
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(out))
PY
cat > "$TMP/termijnd.conf" <<EOF
plans-dir plans
state-dir state
socket termijnd.sock
socket-mode 0600
operators $(id -un)
templates-dir $TOP/etc/templates
listen 127.0.0.1:0
EOF
export TERMIJN_SOCKET=$TMP/termijnd.sock NO_COLOR=1
"$TERMIJND" -f "$TMP/termijnd.conf" --clock-start '2013-12-18 10:00' --clock-speed 0 \
    2>>"$TMP/termijnd.log" &
DPID=$!
for ((i = 0; i < 600; i++)); do
	kill -0 "$DPID" 2>/dev/null || { tail -20 "$TMP/termijnd.log" >&2; die "termijnd exited"; }
	"$TERMIJN" status >/dev/null 2>&1 && break
	sleep 0.05
done
((i < 600)) || die "termijnd did not answer within 30 s"
H=$("$TERMIJN" --json status | $PY -c 'import json, sys; print(json.load(sys.stdin)["http"])')
"$TERMIJN" done collegebesluit@staphorst >/dev/null || problem "done failed"

# feed PLAN: the token of a new feed of the plan.
feed() {
	"$TERMIJN" --json feeds create --plan "$1" | $PY -c \
	    'import json, sys; print(json.load(sys.stdin)["page"].rsplit("/", 1)[1][:-5])'
}
TOK_SHIPPED=$(feed bedrijfsvoering) || die "no feed of the shipped plan"
TOK_10K=$(feed w10k) || die "no feed of the 10k plan"

quantiles() {
	sort -g "$1" | awk '{ v[NR] = $1 }
	    END {
		m = int(NR * 0.5); if (m < NR * 0.5) m++
		p = int(NR * 0.99); if (p < NR * 0.99) p++
		printf "median %.2f ms  p99 %.2f ms", v[m], v[p]
	    }'
}

# render NAME TOKEN PATH: RUNS requests, each timed to its last byte.
render() {
	local name=$1 tok=$2 path=$3 i code t size
	: >"$TMP/render.ms"
	for ((i = 0; i < RUNS; i++)); do
		read -r code t size <<<"$(curl -s -o /dev/null -H "Cookie: termijn_view=$tok" \
		    -w '%{http_code} %{time_total} %{size_download}' --max-time 30 "http://$H$path")"
		[[ $code == 200 ]] || { problem "$name: $path answered $code"; return; }
		awk -v t="$t" 'BEGIN { printf "%.3f\n", t * 1000 }' >>"$TMP/render.ms"
	done
	printf '%-30s %s  (%d bytes, n=%d)\n' "render $name" "$(quantiles "$TMP/render.ms")" \
	    "$size" "$RUNS"
}

# rate NAME PATH [TOKEN]: requests/s under wrk, with the view cookie when given.
rate() {
	local out
	out=$(timeout $((SECS + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" \
	    ${3:+-H "Cookie: termijn_view=$3"} "http://$H$2" 2>&1) || problem "wrk $1 failed"
	grep -q 'Non-2xx' <<<"$out" && problem "$1: answers other than 2xx: $(grep Non-2xx <<<"$out")"
	printf '%-30s %s req/s  (latency %s)\n' "wrk $1" \
	    "$(awk '/Requests\/sec/ { print $2 }' <<<"$out")" \
	    "$(awk '/Latency/ { print $2 " avg, " $4 " max" }' <<<"$out")"
}

# longest WHEN: the daemon's own figure, the longest one HTTP request held the loop so far.
longest() {
	curl -s "http://$H/metrics" | awk -v w="$1" '/^termijn_longest_callback_seconds\{of="http"\}/ {
	    printf "longest hold of the loop by one HTTP request (%s): %.1f ms\n", w, $2 * 1000 }'
}

echo "# termijn web bench: $(nproc) CPU(s), $RUNS renders each, wrk -t$THREADS -c$CONNS" \
    "-d${SECS}s, termijnd $(git describe --always --dirty 2>/dev/null || echo '?');" \
    "the shipped plan (37 steps) and one of 10,000"
render "shipped timeline" "$TOK_SHIPPED" /view
render "shipped table" "$TOK_SHIPPED" /view/table
render "10k timeline (page 1)" "$TOK_10K" /view
render "10k timeline (last page)" "$TOK_10K" '/view?from=9600'
render "10k table (page 1)" "$TOK_10K" /view/table
render "10k step page" "$TOK_10K" '/view/step?plan=w10k&key=m1000@p2'
longest "the renders, one at a time"
rate "shipped timeline" /view "$TOK_SHIPPED"
rate "shipped feed .ics" "/feed/$TOK_SHIPPED.ics"
rate "10k timeline" /view "$TOK_10K"
rate "10k feed .ics" "/feed/$TOK_10K.ics"
longest "all of it, wrk too"
kill -TERM "$DPID"
wait "$DPID" || problem "termijnd exited with $? on SIGTERM"
DPID=
exit "$broken"
