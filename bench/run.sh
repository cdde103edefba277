#!/usr/bin/env bash
# run.sh: termijnd figures: `termijn done` as a whole process, acknowledged mark-done calls per
# second at 1, 8 and 32 clients, the SQLite single-insert fsync baseline, and the daemon's memory.
#
# Everything runs on unix sockets in a temporary directory and stops by itself. It prints
# figures and asserts no goals: the exit status is non-zero only when something broke (a build,
# a daemon that did not start or crashed, an answer other than 200, a count that disagrees).
#
# Knobs (environment): BENCH_RUNS (300), BENCH_PROCESS_SECONDS (45: the runs stop early past
# it), BENCH_MILESTONES (20000), BENCH_SECONDS (3 per level), BENCH_SQLITE_SECONDS (2),
# BENCH_LIMIT (300: the watchdog's limit for the whole run), CC, BENCH_CURL=1 (measure the
# done process with the curl stand-in even when termijn builds).

set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1

RUNS=${BENCH_RUNS:-300}
PROCESS_SECONDS=${BENCH_PROCESS_SECONDS:-45}
MILESTONES=${BENCH_MILESTONES:-20000}
LEVEL_SECONDS=${BENCH_SECONDS:-3}
SQLITE_SECONDS=${BENCH_SQLITE_SECONDS:-2}
LIMIT=${BENCH_LIMIT:-300}
LEVELS="1 8 32"
CC=${CC:-cc}
B=build/bench
WARN="-Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wpointer-arith \
-Wformat=2 -Werror"
BENCH_CFLAGS="-std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $WARN -O2"

broken=0
problems=()
DPID=
DLOG=
DSOCK=

note_problem() {
	problems+=("$*")
	broken=1
}

die() {
	echo "bench: $*" >&2
	exit 1
}

for n in "$RUNS" "$PROCESS_SECONDS" "$MILESTONES" "$LEVEL_SECONDS" "$SQLITE_SECONDS" "$LIMIT"; do
	[[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "knobs are positive whole numbers, not \"$n\""
done
((MILESTONES <= 100000)) || die "BENCH_MILESTONES is at most 100000 (keys m00000..m99999)"
((RUNS <= MILESTONES)) || die "BENCH_RUNS is at most BENCH_MILESTONES"
for tool in "$CC" pkg-config curl make; do
	command -v "$tool" >/dev/null || die "needs $tool"
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/termijn-bench.XXXXXX") || die "mktemp failed"
((${#TMP} < 80)) || { rmdir "$TMP"; TMP=$(mktemp -d /tmp/termijn-bench.XXXXXX) || exit 1; }

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

# The watchdog: past LIMIT seconds it kills the daemon (so that no client waits on it) and us.
(
	sleep "$LIMIT" &
	echo $! >"$TMP/watchdog.sleep"
	wait $!
	echo "bench: still running after ${LIMIT}s; giving up" >&2
	[[ -s $TMP/daemon.pid ]] && kill -KILL "$(cat "$TMP/daemon.pid")" 2>/dev/null
	kill -TERM $$ 2>/dev/null
) &
echo $! >"$TMP/watchdog.pid"

# ---- build ----

mkdir -p "$TMP/bin"
# With its catalogs (build/locale, found from $B): without them termijnd warns at start.
make -s B=$B DAEMON_BIN=$B/termijnd $B/termijnd mo >"$TMP/build-daemon.log" 2>&1 ||
	{ cat "$TMP/build-daemon.log" >&2; die "cannot build termijnd"; }
TERMIJND=$B/termijnd
CLIENT=
client_why="client/*.c does not exist yet"
if [[ ${BENCH_CURL:-0} == 1 ]]; then
	client_why="BENCH_CURL=1 asked for it"
elif compgen -G 'client/*.c' >/dev/null; then
	if make -s B=$B CLIENT_BIN=$B/termijn $B/termijn >"$TMP/build-client.log" 2>&1; then
		CLIENT=$B/termijn
	else
		client_why="client/termijn does not build ($(grep -m1 -E 'error|undefined' \
		    "$TMP/build-client.log" | cut -c1-100))"
	fi
fi
# shellcheck disable=SC2086
$CC $BENCH_CFLAGS -o "$TMP/bin/loadgen" bench/loadgen.c -pthread ||
	die "cannot build bench/loadgen.c"
# shellcheck disable=SC2086,SC2046
$CC $BENCH_CFLAGS $(pkg-config --cflags sqlite3) -o "$TMP/bin/sqlite_fsync" \
    bench/sqlite_fsync.c $(pkg-config --libs sqlite3) || die "cannot build bench/sqlite_fsync.c"

# ---- the bench plan: independent milestones, due far away, one owner role with an address ----

mkdir -p "$TMP/plans"
{
	printf 'plan bench\n  title Bench plan\n  timezone Europe/Amsterdam\n  language en\n\n'
	printf 'role owner\n  name Bench owner\n  address x@bench.example\n\n'
	awk -v n="$MILESTONES" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "milestone m%05d\n  title Bench milestone %d\n  owner owner\n" \
			    "  due 2099-12-31\n\n", i, i
	}'
} >"$TMP/plans/bench.plan"
cat >"$TMP/termijnd.conf" <<EOF
# bench: the options name the paths
plans-dir plans
state-dir state
socket termijnd.sock
socket-mode 0600
operators $(id -un)
overriders $(id -un)
EOF
# Mail stays in the temporary directory; added only when this termijnd knows the keys.
if grep -q '"templates-dir"' daemon/config.c; then
	echo "templates-dir $PWD/etc/templates" >>"$TMP/termijnd.conf"
fi
if grep -q '"mail-url"' daemon/config.c; then
	echo "mail-url maildir:$TMP/maildir" >>"$TMP/termijnd.conf"
	mkdir -p "$TMP/maildir"
fi

# ---- the daemon ----

start_daemon() {
	local name=$1 i
	DSOCK=$TMP/$name.sock
	DLOG=$TMP/$name.log
	mkdir -p "$TMP/$name.state"
	"$TERMIJND" -f "$TMP/termijnd.conf" -S "$TMP/$name.state" -s "$DSOCK" -P "$TMP/plans" \
	    --clock-start '2013-12-16 09:00' --clock-speed 0 2>"$DLOG" &
	DPID=$!
	echo "$DPID" >"$TMP/daemon.pid"
	for ((i = 0; i < 600; i++)); do
		if ! kill -0 "$DPID" 2>/dev/null; then
			wait "$DPID"
			echo "bench: termijnd ($name) exited with $? before answering:" >&2
			tail -n 20 "$DLOG" >&2
			DPID=
			exit 1
		fi
		curl -sf --max-time 2 --unix-socket "$DSOCK" -o /dev/null \
		    http://localhost/api/v1/status && return 0
		sleep 0.05
	done
	die "termijnd ($name) did not answer within 30 s"
}

# The daemon's CPU time so far, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$DPID/stat" 2>/dev/null
}

rss() {
	awk -v k="$1:" '$1 == k { printf "%.1f MiB", $2 / 1024 }' "/proc/$DPID/status" \
	    2>/dev/null || echo "?"
}

# The number of done milestones the daemon reports; it must match what was acknowledged.
check_done() {
	local name=$1 want=$2 got
	got=$(curl -sf --max-time 10 --unix-socket "$DSOCK" http://localhost/api/v1/status |
	    grep -o '"done":[0-9]*' | head -n 1 | cut -d: -f2)
	if [[ $got != "$want" ]]; then
		note_problem "$name: status counts ${got:-nothing} done, but $want were acknowledged"
	fi
}

stop_daemon() {
	local name=$1 rc warns slow
	if ! kill -0 "$DPID" 2>/dev/null; then
		wait "$DPID"
		note_problem "$name: termijnd died during the run (exit $?)"
	else
		kill -TERM "$DPID"
		wait "$DPID"
		rc=$?
		((rc == 0)) || note_problem "$name: termijnd exited with $rc on SIGTERM"
	fi
	DPID=
	: >"$TMP/daemon.pid"
	# Priorities 0 to 4 (warning and worse) are news; info lines are not. A slow
	# request is a timing on a busy machine, not breakage: it is counted apart.
	warns=$(grep '^<[0-4]>' "$DLOG" | grep -vc 'slow request:')
	if ((warns > 0)); then
		note_problem "$name: $warns warning line(s) from termijnd, first: \
$(grep '^<[0-4]>' "$DLOG" | grep -v -m1 'slow request:')"
	fi
	slow=$(grep -c '^<[0-4]>.*slow request:' "$DLOG")
	((slow == 0)) || echo "  $name: $slow slow request(s) logged (the machine was busy?)"
}

# Median and 99th percentile (nearest rank) of the numbers in a file, one a line.
quantiles() {
	sort -g "$1" | awk '{ v[NR] = $1 }
	    END {
		m = int(NR * 0.5); if (m < NR * 0.5) m++
		p = int(NR * 0.99); if (p < NR * 0.99) p++
		printf "median %.2f ms  p99 %.2f ms", v[m], v[p]
	    }'
}

version=$(git describe --always --dirty 2>/dev/null || echo '(not a git tree)')
echo "# termijn bench: $(nproc) CPU(s), $(stat -f -c %T "$TMP") at $TMP," \
    "$MILESTONES independent milestones, termijnd $version"

# ---- 1. termijn done as a whole process ----

start_daemon process
fails=0
times=()
if [[ -n $CLIENT ]]; then
	how="termijn -s SOCKET done KEY"
else
	how="STAND-IN: curl --unix-socket, because $client_why"
fi
deadline=$((SECONDS + PROCESS_SECONDS))
for ((i = 0; i < RUNS && SECONDS < deadline; i++)); do
	key=$(printf 'm%05d' "$i")
	t0=$EPOCHREALTIME
	if [[ -n $CLIENT ]]; then
		# shellcheck disable=SC1010  # "done" is the verb
		"$CLIENT" -s "$DSOCK" done "$key" >/dev/null 2>>"$TMP/process.err"
		rc=$?
	else
		code=$(curl -s --max-time 10 --unix-socket "$DSOCK" -o /dev/null -w '%{http_code}' \
		    -H 'Content-Type: application/json' -d "{\"key\": \"$key\"}" \
		    http://localhost/api/v1/done)
		rc=$?
		[[ $rc -eq 0 && $code != 200 ]] && rc=1
	fi
	t1=$EPOCHREALTIME
	((rc == 0)) || fails=$((fails + 1))
	times+=("$t0 $t1")
done
printf '%s\n' "${times[@]}" | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }' >"$TMP/process.ms"
runs=$i
((fails == 0)) || note_problem "done-process: $fails of $runs runs failed, first error: \
$(head -n 1 "$TMP/process.err" 2>/dev/null)"
check_done done-process $((runs - fails))
stop_daemon done-process
short=
((runs == RUNS)) || short=", stopped after ${PROCESS_SECONDS}s instead of $RUNS runs"
echo "done-process  $(quantiles "$TMP/process.ms")  (n=$runs$short, $how)"
[[ -n $CLIENT ]] || echo "done-process  NOTE: measured with curl, not with termijn"

# ---- 2. acknowledged mark-done calls per second, a fresh daemon and database per level ----

declare -A rate
CLK_TCK=$(getconf CLK_TCK)
for c in $LEVELS; do
	start_daemon "api$c"
	before=$(rss VmRSS)
	ticks0=$(cpu_ticks)
	out=$(timeout $((LEVEL_SECONDS + 60)) "$TMP/bin/loadgen" -s "$DSOCK" -c "$c" \
	    -n "$MILESTONES" -t "$LEVEL_SECONDS" 2>"$TMP/loadgen$c.err")
	rc=$?
	ticks1=$(cpu_ticks)
	echo "$out"
	((rc == 0)) || note_problem "api-done clients=$c: loadgen exit $rc: \
$(head -n 3 "$TMP/loadgen$c.err" | tr '\n' ' ')"
	rate[$c]=$(awk '{ print $3 }' <<<"$out")
	ok=$(sed -n 's/.*(200: \([0-9]*\),.*/\1/p' <<<"$out")
	[[ -n $ok ]] && check_done "api-done clients=$c" "$ok"
	secs=$(sed -n 's/.* \([0-9.]*\) s)$/\1/p' <<<"$out")
	if [[ -n $ok && $ok -gt 0 && -n $secs && -n $ticks0 && -n $ticks1 ]]; then
		awk -v c="$c" -v t=$((ticks1 - ticks0)) -v hz="$CLK_TCK" -v n="$ok" -v s="$secs" \
		    'BEGIN { printf "daemon-cpu  clients=%d  %.3f ms per request  (%.0f%% of one CPU)\n",
		    c, t / hz * 1000 / n, t / hz / s * 100 }'
	fi
	if [[ $c == 32 ]]; then
		rss_line="daemon-rss  after clients=32 load  VmRSS $(rss VmRSS)  (VmHWM $(rss VmHWM);"
		rss_line+=" $before before the load; $MILESTONES milestones, ${ok:-?} done)"
	fi
	stop_daemon "api-done clients=$c"
done

# ---- 3. the baseline: plain SQLite, one INSERT per transaction ----

out=$(timeout $((SQLITE_SECONDS + 60)) "$TMP/bin/sqlite_fsync" "$TMP/fsync.db" "$SQLITE_SECONDS")
rc=$?
echo "$out"
((rc == 0)) || note_problem "sqlite_fsync failed with $rc"
sqlite_rate=$(awk '{ print $2 }' <<<"$out")
if [[ ${rate[32]:-} =~ ^[0-9]+$ && $sqlite_rate =~ ^[0-9]+$ && $sqlite_rate -gt 0 ]]; then
	echo "ratio api32/sqlite  $(awk -v a="${rate[32]}" -v b="$sqlite_rate" \
	    'BEGIN { printf "%.2f", a / b }')  (${rate[32]} req/s / $sqlite_rate commits/s)"
else
	echo "ratio api32/sqlite  n/a"
fi

# ---- 4. memory ----

echo "${rss_line:-daemon-rss  n/a}"
if [[ -d $TMP/maildir ]]; then
	mails=$(find "$TMP/maildir" -type f | wc -l)
	((mails == 0)) || echo "# note: termijnd wrote $mails mail(s) during the bench"
fi

if ((broken)); then
	echo "bench: something broke:" >&2
	printf '  %s\n' "${problems[@]}" >&2
	exit 1
fi
exit 0
