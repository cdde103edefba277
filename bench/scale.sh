#!/usr/bin/env bash
# scale.sh: termijnd at national size: generated plans in two shapes, at several sizes, and what
# start, restart, reload, `done`, status, list and a feed cost there.
#
# Shapes: "plans" is many small plans (5 parties each, 32 instances a plan: 3,125 plans at
# 100,000), "one" is a single plan of 342 parties. Both have per-party milestones with @all and
# @same requirements, windows, repeats, same-moment steps and reminders.
#
# For each shape and size it prints: cold start and restart (until the socket answers), reload,
# the daemon's CPU per `part add` and per `move` (SCALE_EDITS of each, 10, on the first plan, on a
# copy of the state that the rest does not use, with the longest any one request or commit
# held the loop meanwhile),
# RSS at start, daemon CPU per `done` (of the 1-client run, once the daemon is idle after its
# start and the mail queued before it has gone), acknowledged `done`/s with 1, 8 and 32
# clients for SCALE_SECONDS (a fresh copy of the started state for each; when the keys
# without prerequisites run out sooner, again on another fresh copy, up to SCALE_ROUNDS
# rounds), with the median and 99th percentile latency over all of it, each beside the
# single-insert fsync rate measured just before it (and its ratio). Each `done` pays for
# what it causes: the go-ahead mails it releases are sent meanwhile. Then the same CPU per
# `done` on a lived-in state (an outbox of SCALE_OUTBOX sent rows with message bodies, as
# months of reminders leave within the retention), `status` and
# `list --json` latency (one page, the median of five; every page of status; and the client's status, list and
# log, all pages, with the daemon's RSS before, after and at most meanwhile), the daemon's
# CPU for the readiness probe (milestone?key=none) and for /metrics, the
# first (uncached) render of one plan's feed (with the longest slice of it on the loop and
# the slowest /healthz meanwhile), an hour of feed traffic (SCALE_FEEDS plan, party and
# person feeds, each polled every 15-30 minutes, conditionally, with `done`s among them: RSS
# before, after and at most, renders and drops) and RSS after all of the reads and of it, a
# restart of the lived-in state (after the `done`s and with the outbox), and the longest loop stall: the longest any one callback held the loop in any of
# the size's daemons (/metrics, read before each stop). The SQLite single-insert fsync
# baseline of this machine is measured first; each `done`/s figure is also given as a
# multiple of it.
#
# Knobs (environment): SCALE_SIZES ("1000 10000"; SCALE_BIG=1 adds 100000, which takes several
# minutes), SCALE_SHAPES ("plans one"), SCALE_SECONDS (2 per client level), SCALE_ROUNDS (20
# at most per level), SCALE_DONE (300:
# requests on the lived-in state), SCALE_OUTBOX (50000 rows), SCALE_LIMIT (3600 s in all),
# SCALE_BIG_FEED=1 (also render the single plan's feed at 100,000, which takes long, and
# keep its subscribers in the feed workload),
# SCALE_ONLY=start (only cold start, reload, add, parts and moves, and restart: no load, no
# lived-in state),
# SCALE_ONLY=feeds (only cold start, status, the client's list and log, the feed workload),
# SCALE_EDITS (10 parts added, and moves), SCALE_FEEDS (10000 feeds in the feed workload),
# SCALE_FEED_DONES (60 `done`s in its hour), SCALE_FEED_LIMIT (240 s: the workload stops at
# the end of the simulated minute after it, and says how far into the hour it came).
# It prints figures and asserts no goals: non-zero exit only when something broke.

set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD

SIZES=${SCALE_SIZES:-1000 10000}
[[ ${SCALE_BIG:-0} == 1 ]] && SIZES="$SIZES 100000"
SHAPES=${SCALE_SHAPES:-plans one}
SECS=${SCALE_SECONDS:-2}
ROUNDS=${SCALE_ROUNDS:-20}
NDONE=${SCALE_DONE:-300}
OUTBOX=${SCALE_OUTBOX:-50000}
LIMIT=${SCALE_LIMIT:-3600}
ONLY=${SCALE_ONLY:-}
FEEDS=${SCALE_FEEDS:-10000}
FEED_DONES=${SCALE_FEED_DONES:-60}
FEED_LIMIT=${SCALE_FEED_LIMIT:-240}
EDITS=${SCALE_EDITS:-10}
CC=${CC:-cc}
PY=/usr/bin/python3
B=build/bench
BENCH_CFLAGS="-std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Wall -Wextra -Werror -O2"
CLK_TCK=$(getconf CLK_TCK)

broken=0
DPID=

problem() {
	echo "bench: $*" >&2
	broken=1
}
die() {
	echo "bench: $*" >&2
	exit 1
}
for n in $SIZES $SECS $ROUNDS $NDONE $OUTBOX $LIMIT $FEEDS $FEED_DONES $FEED_LIMIT $EDITS; do
	[[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "knobs are positive whole numbers, not \"$n\""
done
[[ -z $ONLY || $ONLY == start || $ONLY == feeds ]] ||
	die "SCALE_ONLY is start, feeds or nothing, not \"$ONLY\""
for tool in "$CC" pkg-config curl make sqlite3 "$PY"; do
	command -v "$tool" >/dev/null || die "needs $tool"
done

TMP=$(mktemp -d /tmp/termijn-scale.XXXXXX) || die "mktemp failed"
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	local p
	if [[ -n $DPID ]]; then
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	for p in "$TMP"/watchdog.pid "$TMP"/watchdog.sleep; do
		[[ -s $p ]] && kill "$(cat "$p")" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 1' INT TERM
(
	sleep "$LIMIT" &
	echo $! >"$TMP/watchdog.sleep"
	wait $!
	echo "bench: still running after ${LIMIT}s; giving up" >&2
	[[ -s $TMP/daemon.pid ]] && kill -KILL "$(cat "$TMP/daemon.pid")" 2>/dev/null
	kill -TERM $$ 2>/dev/null
) &
echo $! >"$TMP/watchdog.pid"

# The catalogs too: without them the daemon warns and answers in English.
make -s B=$B DAEMON_BIN=$B/termijnd CLIENT_BIN=$B/termijn $B/termijnd $B/termijn mo \
    >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; die "cannot build"; }
TERMIJND=$TOP/$B/termijnd
TERMIJN=$TOP/$B/termijn
# shellcheck disable=SC2086
$CC $BENCH_CFLAGS -o "$TMP/loadgen" bench/loadgen.c -pthread || die "cannot build loadgen.c"
# shellcheck disable=SC2086,SC2046
$CC $BENCH_CFLAGS $(pkg-config --cflags sqlite3) -o "$TMP/sqlite_fsync" bench/sqlite_fsync.c \
    $(pkg-config --libs sqlite3) || die "cannot build sqlite_fsync.c"

# gen SHAPE N DIR: the national-size plans (tests/plans/generate.sh national).
gen() { "$TOP/tests/plans/generate.sh" national "$@"; }

conf() {
	cat >"$1/termijnd.conf" <<EOF
plans-dir plans
state-dir state
socket termijnd.sock
socket-mode 0600
operators $(id -un)
overriders $(id -un)
templates-dir $TOP/etc/templates
mail-url maildir:$1/maildir
listen 127.0.0.1:0
EOF
	mkdir -p "$1/maildir"
}

# start DIR: start termijnd on DIR; START_MS is the time until the socket answers, START_CPU
# the CPU time the daemon spent until then (on a busy machine the two differ a lot).
start() {
	local d=$1 i t0
	SD=$d
	t0=$(date +%s%N)
	"$TERMIJND" -f "$d/termijnd.conf" --clock-start '2013-12-16 09:00' --clock-speed 0 \
	    2>>"$d/termijnd.log" &
	DPID=$!
	echo "$DPID" >"$TMP/daemon.pid"
	for ((i = 0; i < 6000; i++)); do
		kill -0 "$DPID" 2>/dev/null ||
			{ tail -5 "$d/termijnd.log" >&2; DPID=; die "termijnd exited at start"; }
		# Any HTTP answer (404 here) means the socket serves.
		[[ $(curl -s --max-time 60 --unix-socket "$d/termijnd.sock" -o /dev/null \
		    -w '%{http_code}' 'http://localhost/api/v1/milestone?key=none') != 000 ]] && break
		sleep 0.02
	done
	START_MS=$((($(date +%s%N) - t0) / 1000000))
	START_CPU=$(awk -v hz="$CLK_TCK" '{ printf "%.0f", ($14 + $15) * 1000 / hz }' \
	    "/proc/$DPID/stat")
}

stop() {
	note_stall "$SD"
	kill -TERM "$DPID" 2>/dev/null
	wait "$DPID"
	local rc=$?
	((rc == 0)) || problem "termijnd exited with $rc on SIGTERM"
	DPID=
	: >"$TMP/daemon.pid"
}

ticks() { awk '{ print $14 + $15 }' "/proc/$DPID/stat"; }
rss() { awk '$1 == "VmRSS:" { printf "%.0f MiB", $2 / 1024 }' "/proc/$DPID/status"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }

# unsent DIR: the outbox's rows still to go (pending or sending), read beside the daemon.
unsent() {
	sqlite3 "$1/state/termijn.db" "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')" \
	    2>/dev/null || echo 0
}

# settle DIR: wait (10 s at most) until the daemon uses no CPU for 0.2 s and the mail queued
# before this start (the `add`'s to every party) has gone: its start-up work (the first
# reminder scan of every plan, pruning an old outbox, those messages) is not the cost of a
# `done`.
settle() {
	local a b i
	b=$(ticks)
	for ((i = 0; i < 50; i++)); do
		sleep 0.2
		a=$b
		b=$(ticks)
		((a == b)) && (($(unsent "$1") == 0)) && return
	done
}

# load DIR CLIENTS N SECONDS FIRST: loadgen over keys FIRST.. ; LOAD_OUT, LOAD_OK, LOAD_SECS,
# LOAD_TICKS (the daemon's CPU meanwhile and while the mail it released goes), LOAD_CPU
# (ms/done); the latencies are appended to DIR/lat.
load() {
	local d=$1 c=$2 n=$3 s=$4 first=$5 t0 t1 ok i
	tail -n +"$first" "$d/keys" >"$d/keys.now"
	settle "$d"
	t0=$(ticks)
	LOAD_OUT=$(timeout 1200 "$TMP/loadgen" -s "$d/termijnd.sock" -c "$c" -n "$n" \
	    -t "$s" -K "$d/keys.now" -L "$d/lat" 2>"$d/loadgen.err") ||
		problem "loadgen -c $c: $(head -c 300 "$d/loadgen.err")"
	# The CPU of the mail the `done`s released counts too: until it has gone (10 s at most).
	for ((i = 0; i < 100 && $(unsent "$d") > 0; i++)); do sleep 0.1; done
	t1=$(ticks)
	ok=$(sed -n 's/.*(200: \([0-9]*\),.*/\1/p' <<<"$LOAD_OUT")
	LOAD_OK=${ok:-0}
	LOAD_SECS=$(sed -n 's/.*, \([0-9.]*\) s)$/\1/p' <<<"$LOAD_OUT")
	LOAD_TICKS=$((t1 - t0))
	LOAD_CPU=$(awk -v t=$LOAD_TICKS -v hz="$CLK_TCK" -v n="${ok:-0}" \
	    'BEGIN { if (n > 0) printf "%.2f", t / hz * 1000 / n; else print "?" }')
}

# quantile FILE Q: of the numbers in FILE, one a line.
quantile() {
	sort -g "$1" | awk -v q="$2" '{ v[NR] = $1 } END {
	    if (NR == 0) { print "?"; exit } i = int(q * (NR - 1)) + 1; printf "%.2f", v[i] }'
}

# timed DIR PATH: the wall time of a GET of PATH: the median of five (one alone is the
# machine's noise as much as the daemon's), the first of them, and the answer's size.
timed() {
	local i out
	out=$(for ((i = 0; i < 5; i++)); do
		curl -s --max-time 300 --unix-socket "$1/termijnd.sock" -o /dev/null \
		    -w '%{http_code} %{time_total} %{size_download}\n' "http://localhost$2"
	done)
	printf '%s\n' "$out" | awk -v med="$(printf '%s\n' "$out" | awk '{ print $2 }' | sort -g |
	    sed -n 3p)" 'NR == 1 { first = $2 } $1 != 200 { bad = $1 } { size = $3 }
	    END { printf "%.0f ms (median of %d; the first %.0f ms), %.1f MB%s", med * 1000, NR,
	        first * 1000, size / 1e6, bad ? " (HTTP " bad ")" : "" }'
}

fig() { printf '  %-34s %s\n' "$1" "$2"; }

# cpu_per DIR N PATH: the daemon's CPU time per GET of PATH, over N of them (a loaded machine
# makes the wall time longer, not this).
cpu_per() {
	local t0 i
	t0=$(ticks)
	for ((i = 0; i < $2; i++)); do
		curl -s --max-time 300 --unix-socket "$1/termijnd.sock" -o /dev/null "http://localhost$3"
	done
	awk -v t=$(($(ticks) - t0)) -v hz="$CLK_TCK" -v n="$2" \
	    'BEGIN { printf "%.1f ms daemon CPU each (%d requests)", t / hz * 1000 / n, n }'
}

# http_addr DIR: the daemon's HTTP listener, from its log (asking `status` for it would be a
# long callback of its own at 100,000 instances).
http_addr() {
	sed -n 's/.*feeds on \(127\.0\.0\.1:[0-9]*\),.*/\1/p' "$1/termijnd.log" | tail -1
}

# metrics DIR: the running daemon's /metrics.
metrics() {
	curl -s --max-time 60 "http://$(http_addr "$1")/metrics"
}

# loop_hold DIR OF: the longest one OF (reload, feed-slice, ...) held the loop since start
# (/metrics), in ms.
loop_hold() {
	metrics "$1" | awk -v of="$2" '
	    $1 == "termijn_longest_callback_seconds{of=\"" of "\"}" { printf "%.0f", $2 * 1000 }'
}
reload_hold() { loop_hold "$1" reload; }

# feed_render DIR URL: the first render of a feed (time, size), the longest slice of it on
# the loop, and the slowest /healthz answer of a probe every 20 ms meanwhile.
feed_render() {
	local d=$1 probe out slowest
	(while :; do curl -s -o /dev/null --max-time 30 -w '%{time_total}\n' \
	    "http://$(http_addr "$d")/healthz"; sleep 0.02; done) >"$d/probe" 2>/dev/null &
	probe=$!
	out=$(curl -s --max-time 300 -o /dev/null -w '%{http_code} %{time_total} %{size_download}' \
	    "$2" | awk '{ printf "%.0f ms, %.1f MB%s", $2 * 1000, $3 / 1e6,
	    $1 == 200 ? "" : " (HTTP " $1 ")" }')
	kill "$probe" 2>/dev/null
	wait "$probe" 2>/dev/null
	slowest=$(sort -g "$d/probe" | tail -1 | awk '{ printf "%.0f", $1 * 1000 }')
	echo "$out  (loop held $(loop_hold "$d" feed-slice) ms at most, /healthz ${slowest:-?} ms)"
}

# note_stall DIR: the running daemon's longest callback (/metrics) into STALL_MS and STALL_OF
# when it is longer than those of the size's daemons before it.
note_stall() {
	local ms of
	read -r ms of < <(metrics "$1" | awk -F'[{}"= ]+' '/^termijn_longest_callback_seconds\{/ &&
	    $4 * 1000 >= max { max = $4 * 1000; of = $3 } END { printf "%.0f %s\n", max, of }')
	if [[ ${ms:-} =~ ^[0-9]+$ ]] && ((ms >= STALL_MS)); then
		STALL_MS=$ms
		STALL_OF=$of
	fi
}

# add DIR SHAPE: one milestone for every party added to the first plan; ADD_MS.
add() {
	local t0 plan=p0000 req=a@same
	[[ $2 == one ]] && { plan=national; req=m0@same; }
	t0=$EPOCHREALTIME
	TERMIJN_SOCKET=$1/termijnd.sock "$TERMIJN" add -p "$plan" zz --title Extra --owner sec \
	    --due 2014-07-01 --parties all --requires "$req" >/dev/null 2>"$1/add.err" ||
		problem "add failed: $(head -c 300 "$1/add.err")"
	ADD_MS=$(ms "$t0" "$EPOCHREALTIME")
}

# edits DIR SHAPE: SCALE_EDITS parts added to the first plan, then as many moves of one party's
# deadline of it (later and back: one instance, one owner told); PART_CPU and MOVE_CPU, the
# daemon's CPU per edit in ms (the reminder scan after it included), PART_MS and MOVE_MS the
# client's time per edit; PART_HOLD the longest an API request or a commit held the loop
# after the part adds (the daemon was started just before them), EDIT_HOLD after both.
edits() {
	local d=$1 plan=p0000 ms=g@q1 due=(2014-06-20 2014-06-15)
	[[ $2 == one ]] && { plan=national; ms=m0@g001; due=(2014-02-20 2014-02-15); }
	edit_cpu "$d" part add "$plan" onderdeel o%d --title "Onderdeel %d"
	PART_CPU=$EDIT_CPU PART_MS=$EDIT_MS PART_HOLD=$(edit_hold "$d")
	edit_cpu "$d" move -p "$plan" "$ms" --due "%s" --reason bench
	MOVE_CPU=$EDIT_CPU MOVE_MS=$EDIT_MS EDIT_HOLD=$(edit_hold "$d")
}

# edit_hold DIR: the longest API request or commit on the loop since start, in ms (of which).
edit_hold() {
	local a c
	a=$(loop_hold "$1" api)
	c=$(loop_hold "$1" commit)
	if ((${a:-0} >= ${c:-0})); then echo "${a:-?} ms, api"; else echo "$c ms, commit"; fi
}

# edit_cpu DIR ARGS...: the client with ARGS SCALE_EDITS times (%d: the round, %s: a due of
# the edits' in turn); EDIT_CPU, the daemon's CPU per round in ms, EDIT_MS the client's.
edit_cpu() {
	local d=$1 i a t0 c0 args
	shift
	settle "$d"
	c0=$(ticks)
	t0=$EPOCHREALTIME
	for ((i = 0; i < EDITS; i++)); do
		args=()
		for a in "$@"; do
			a=${a//%d/$i}
			args+=("${a//%s/${due[i % 2]}}")
		done
		TERMIJN_SOCKET=$d/termijnd.sock "$TERMIJN" "${args[@]}" >/dev/null 2>"$d/edit.err" ||
			problem "termijn ${args[*]}: $(head -c 300 "$d/edit.err")"
	done
	EDIT_MS=$(ms "$t0" "$EPOCHREALTIME")
	settle "$d"
	EDIT_CPU=$(awk -v t=$(($(ticks) - c0)) -v hz="$CLK_TCK" -v n="$EDITS" \
	    'BEGIN { printf "%.1f", t / hz * 1000 / n }')
}

# feed_workload DIR SHAPE: an hour of calendar clients (bench/feedload.py): SCALE_FEEDS feeds
# made, each polled every 15-30 minutes with conditional requests, SCALE_FEED_DONES `done`s
# among them, SCALE_FEED_LIMIT seconds at most; RSS before, after and at most, the renders
# and drops, and the daemon's CPU. The single plan's own feed is left out at 100,000
# (SCALE_BIG_FEED=1 keeps it): one rendering of it is larger than the render cache.
feed_workload() {
	local d=$1 np t0 pf=1
	np=$(find "$d/plans" -name '*.plan' | wc -l)
	[[ $2 == one && $n -ge 100000 && ${SCALE_BIG_FEED:-0} != 1 ]] && pf=0
	t0=$(ticks)
	$PY "$TOP/bench/feedload.py" "$d/termijnd.sock" "$DPID" "$2" "$np" "$FEEDS" "$FEED_DONES" \
	    "$d/keys" "$pf" "$FEED_LIMIT" 2>"$d/feedload.err" | sed -u 's/^/  /' ||
		problem "feed workload: $(tail -3 "$d/feedload.err")"
	fig "feed workload's daemon CPU" "$(awk -v t=$(($(ticks) - t0)) -v hz="$CLK_TCK" \
	    'BEGIN { printf "%.1f s", t / hz }')  (feed-cache-mb as configured: $(
	    sed -n 's/^feed-cache-mb //p' "$d/termijnd.conf" | grep . || echo default))"
}

# metrics_cost DIR: the daemon's CPU per /metrics scrape at rest (20 of them), and per `done`
# with a scrape after it (10, from the 101st key on: the counts are made again).
metrics_cost() {
	local d=$1 url t0 t1 i
	url="http://$(http_addr "$d")/metrics"
	curl -s --max-time 60 -o /dev/null "$url"
	t0=$(ticks)
	for ((i = 0; i < 20; i++)); do curl -s --max-time 60 -o /dev/null "$url"; done
	t1=$(ticks)
	for ((i = 101; i <= 110; i++)); do
		curl -s --max-time 60 --unix-socket "$d/termijnd.sock" -o /dev/null -X POST \
		    -H 'Content-Type: application/json' -d "$(sed -n "${i}p" "$d/keys")" \
		    http://localhost/api/v1/done
		curl -s --max-time 60 -o /dev/null "$url"
	done
	awk -v a=$((t1 - t0)) -v b=$(($(ticks) - t1)) -v hz="$CLK_TCK" 'BEGIN {
	    printf "%.1f ms daemon CPU a scrape at rest; %.1f ms a done and a scrape after it",
	    a / hz * 1000 / 20, b / hz * 1000 / 10 }'
}

# client_read DIR LABEL ARGS...: the client's time for a read (all its pages), and the daemon's
# RSS before, after and at most meanwhile (read every 20 ms).
client_read() {
	local d=$1 label=$2 rss0 t0 sampler peak
	shift 2
	rss0=$(rss)
	(while :; do awk '$1 == "VmRSS:" { print $2 }' "/proc/$DPID/status"; sleep 0.02; done) \
	    >"$d/rss.samples" 2>/dev/null &
	sampler=$!
	t0=$EPOCHREALTIME
	TERMIJN_SOCKET=$d/termijnd.sock "$TERMIJN" "$@" >"$d/read.out" 2>"$d/read.err" ||
		problem "termijn $*: $(head -c 300 "$d/read.err")"
	kill "$sampler" 2>/dev/null
	wait "$sampler" 2>/dev/null
	peak=$(sort -n "$d/rss.samples" | tail -1 | awk '{ printf "%.0f MiB", $1 / 1024 }')
	fig "$label" "$(ms "$t0" "$EPOCHREALTIME") ms, $(wc -c <"$d/read.out") bytes  (RSS $rss0 -> $(rss), ${peak:-?} at most)"
}

# page_walk DIR PATH: every page of a paged GET (following "next" as cursor=), one after the
# other: how many, their bytes, and the median and slowest page.
page_walk() {
	$PY - "$1/termijnd.sock" "$2" <<'PY'
import http.client, json, socket, sys, time, urllib.parse
class U(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(sys.argv[1])
c, path, url, t, size = U("localhost"), sys.argv[2], sys.argv[2], [], 0
while True:
    t0 = time.monotonic()
    c.request("GET", url)
    r = c.getresponse()
    body = r.read()
    t.append(time.monotonic() - t0)
    size += len(body)
    nxt = json.loads(body).get("next") if r.status == 200 else None
    if nxt is None:
        break
    url = path + ("&" if "?" in path else "?") + "cursor=" + urllib.parse.quote(str(nxt), safe="")
t.sort()
print("%d pages, %.1f MB; a page: median %.0f ms, slowest %.0f ms" % (len(t), size / 1e6,
    t[len(t) // 2] * 1000, t[-1] * 1000))
PY
}

# reads DIR: status, list and log, a page and all of them, through the API and the client.
reads() {
	fig "status (first page)" "$(timed "$1" /api/v1/status); $(cpu_per "$1" 20 /api/v1/status)"
	fig "status, every page" "$(page_walk "$1" /api/v1/status)"
	fig "milestone?key=none (the probe)" "$(cpu_per "$1" 20 '/api/v1/milestone?key=none')"
	fig "/metrics" "$(metrics_cost "$1")"
	client_read "$1" "termijn status (all pages)" status
	client_read "$1" "termijn --json status (all pages)" --json status
	fig "list --json (first page)" "$(timed "$1" /api/v1/milestones)  (RSS after: $(rss))"
	client_read "$1" "termijn --json list (all pages)" --json list
	client_read "$1" "termijn log (all pages)" log
	client_read "$1" "termijn --json log (all pages)" --json log
}

echo "# termijn scale bench: $(nproc) CPU(s), $(stat -f -c %T "$TMP"), termijnd" \
    "$(git describe --always --dirty 2>/dev/null || echo '?'), $SECS s per client level," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
# The baseline first, so that each `done`/s can be set beside it.
FSYNC=$("$TMP/sqlite_fsync" "$TMP/fsync.db" "$SECS") || problem "sqlite_fsync failed"

for shape in $SHAPES; do
	for n in $SIZES; do
		d=$TMP/$shape$n
		STALL_MS=0
		STALL_OF=-
		mkdir -p "$d"
		inst=$(gen "$shape" "$n" "$d/plans")
		conf "$d"
		echo "## shape $shape, $inst instances in $(find "$d/plans" -name '*.plan' | wc -l)" \
		    "plan(s), $(grep -c . "$d/keys") keys without prerequisites"
		"$TERMIJND" -n -f "$d/termijnd.conf" >"$d/check.log" 2>&1 ||
			{ cat "$d/check.log" >&2; die "termijnd -n rejects the generated plans"; }

		start "$d"
		fig "cold start" "$START_MS ms  (CPU $START_CPU ms, RSS $(rss))"
		if [[ $ONLY == feeds ]]; then
			reads "$d"
			feed_workload "$d" "$shape"
			fig "RSS after all of it" "$(rss)"
			stop
			rm -rf "$d"
			continue
		fi
		t0=$EPOCHREALTIME
		TERMIJN_SOCKET=$d/termijnd.sock "$TERMIJN" reload >/dev/null 2>&1 ||
			problem "$shape$n: reload failed"
		fig "reload" "$(ms "$t0" "$EPOCHREALTIME") ms  (loop held $(reload_hold "$d") ms, $(
		    sed -n 's/.*put in force in [0-9]* ms, \([0-9]*\) ms of it CPU.*/\1/p' \
		    "$d/termijnd.log" | tail -1) ms of it CPU)"
		add "$d" "$shape"
		fig "add (a milestone for each party)" "$ADD_MS ms"
		# The edits on a copy: their change mails (to every party, in the single plan) and
		# parts are not the state the restart and the load below measure.
		stop
		cp -a "$d/state" "$d/state.pre"
		start "$d"
		edits "$d" "$shape"
		fig "part add, daemon CPU each" "$PART_CPU ms  ($EDITS parts, $(awk -v t="$PART_MS" \
		    -v n="$EDITS" 'BEGIN { printf "%.0f", t / n }') ms each for the client)"
		fig "move ID@PARTY, daemon CPU each" "$MOVE_CPU ms  ($EDITS moves, $(awk -v t="$MOVE_MS" \
		    -v n="$EDITS" 'BEGIN { printf "%.0f", t / n }') ms each for the client)"
		fig "loop held, part adds" "$PART_HOLD  (the longest request or commit)"
		fig "loop held, part adds and moves" "$EDIT_HOLD"
		stop
		rm -rf "$d/state"
		mv "$d/state.pre" "$d/state"
		start "$d"
		fig "restart with full state" "$START_MS ms  (CPU $START_CPU ms, RSS $(rss))"
		stop
		if [[ $ONLY == start ]]; then
			fig "longest loop stall" "$STALL_MS ms  ($STALL_OF)"
			rm -rf "$d"
			continue
		fi
		cp -a "$d/state" "$d/state.base"

		# Every client level on a fresh copy of the started state, from the first key. When
		# the keys run out before SCALE_SECONDS (a few hundred at the small sizes: a
		# fraction of a second), the level goes again on another fresh copy, until
		# SCALE_SECONDS of load (SCALE_ROUNDS rounds at most): the figures are over all
		# rounds, counting only the time under load (not the restarts between).
		nkeys=$(grep -c . "$d/keys")
		for c in 1 8 32; do
			rounds=0 tok=0 tsecs=0 tticks=0
			rm -f "$d/lat"
			while :; do
				rm -rf "$d/state"
				cp -a "$d/state.base" "$d/state"
				start "$d"
				# This machine's fsync rate varies several times over a minute:
				# measured beside each level, on the state's file system.
				if ((rounds == 0)); then
					LEVEL_FSYNC=$("$TMP/sqlite_fsync" "$d/fsync.db" 1 | awk '{ print $2 }')
					rm -f "$d"/fsync.db*
				fi
				left=$(awk -v s="$SECS" -v t="$tsecs" 'BEGIN { printf "%.2f", s - t }')
				load "$d" "$c" 1000000 "$left" 1
				rounds=$((rounds + 1)) tok=$((tok + LOAD_OK)) tticks=$((tticks + LOAD_TICKS))
				tsecs=$(awk -v a="$tsecs" -v b="${LOAD_SECS:-0}" 'BEGIN { printf "%.2f", a + b }')
				if ((LOAD_OK >= nkeys && rounds < ROUNDS)) &&
				    awk -v t="$tsecs" -v s="$SECS" 'BEGIN { exit !(t < s - 0.05) }'; then
					stop
					continue
				fi
				break
			done
			rate=$(awk -v n="$tok" -v t="$tsecs" 'BEGIN { if (t > 0) printf "%.0f", n / t; else print 0 }')
			((c == 1)) && fig "daemon CPU per done" "$(awk -v t="$tticks" -v hz="$CLK_TCK" \
			    -v n="$tok" 'BEGIN { if (n > 0) printf "%.2f", t / hz * 1000 / n; else print "?" }'
			    ) ms  ($tok done, 1 client)"
			fig "done/s clients=$c" "$rate /s  (median $(quantile "$d/lat" 0.5) ms, p99 $(
			    quantile "$d/lat" 0.99) ms, $tok done in $tsecs s, $rounds round(s); single-insert fsyncs just before: $LEVEL_FSYNC/s, $(
			    awk -v a="$rate" -v b="$LEVEL_FSYNC" \
			    'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "?" }'))"
			if ((c == 32)); then
				reads "$d"
				fp=$(cat "$d/feedplan")
				url=$(TERMIJN_SOCKET=$d/termijnd.sock "$TERMIJN" --json feeds create \
				    --plan "$fp" | $PY -c 'import json, sys; print(json.load(sys.stdin)["url"])')
				if [[ $shape == one && $n -ge 100000 && ${SCALE_BIG_FEED:-0} != 1 ]]; then
					fig "feed of $fp" "skipped (SCALE_BIG_FEED=1 renders it)"
				elif [[ -n $url ]]; then
					fig "feed of $fp (first render)" "$(feed_render "$d" "$url")"
				else
					problem "$shape$n: no feed"
				fi
				feed_workload "$d" "$shape"
				fig "RSS after all of it" "$(rss)"
			fi
			stop
		done

		# A lived-in state: months of sent reminders (and a few failed) in the outbox, sent
		# within the retention (the last 60 days), as a running daemon keeps them: older
		# ones it prunes, which is start-up work, not the cost of a `done`.
		rm -rf "$d/state"
		cp -a "$d/state.base" "$d/state"
		sqlite3 "$d/state/termijn.db" "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL
		    SELECT x + 1 FROM i WHERE x < $OUTBOX) INSERT INTO outbox (plan, key, recipient,
		    kind, due_at, created, state, attempts, next_attempt, sent_at, message_id, subject,
		    message) SELECT 'old', 'k' || x, 'sec@old.example', 'reminder', 1386000000 + x,
		    1386000000 + x, CASE WHEN x % 100 = 0 THEN 'failed' ELSE 'sent' END, 1, 0,
		    CAST(strftime('%s', 'now') AS INTEGER) - x * 5184000 / $OUTBOX, '<' || x || '@old>',
		    'Herinnering', randomblob(5000) FROM i" ||
			die "cannot fill the outbox of $d/state/termijn.db"
		start "$d"
		load "$d" 1 "$NDONE" 600 1
		fig "CPU per done, outbox $OUTBOX rows" "$LOAD_CPU ms  ($LOAD_OK done; start $START_MS ms)"
		stop
		start "$d"
		fig "restart, lived-in (dones, outbox)" "$START_MS ms  (CPU $START_CPU ms, RSS $(rss))"
		stop
		fig "longest loop stall" "$STALL_MS ms  ($STALL_OF, of all this size's runs)"
		rm -rf "$d"
	done
done

echo "## baseline"
echo "  $FSYNC"
((broken == 0))
