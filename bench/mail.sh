#!/usr/bin/env bash
# mail.sh: termijnd's reminders by e-mail: messages per second into a local SMTP server
# (tests/e2e/smtpd.py, aiosmtpd on loopback) with 1,000 reminders due at the same moment, the
# 100 through a relay that takes a second per message (sessions side by side, reused), and
# the daemon's wake-ups per minute while idle on the shipped plans (goal: none between
# reminders), counted with strace as returns from epoll_wait.
#
# Prints one line per figure. It asserts no timings: the exit status is non-zero only when
# something broke (a build, a server or daemon that did not start or died, messages missing or
# twice). It stops by itself (BENCH_LIMIT).
#
# Knobs (environment): TERMIJND (binary; built into build/bench-mail when unset),
# BENCH_MESSAGES (1000), BENCH_IN_FLIGHT (mail-in-flight, 4), BENCH_SLOW_MESSAGES (100) and
# BENCH_SLOW_DELAY (1 s per message) for the slow relay, BENCH_IDLE_SECONDS (60 per idle run;
# the two idle runs go side by side), BENCH_LIMIT (420 s for the whole run).

set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD

MESSAGES=${BENCH_MESSAGES:-1000}
IN_FLIGHT=${BENCH_IN_FLIGHT:-4}
SLOW=${BENCH_SLOW_MESSAGES:-100}
SLOW_DELAY=${BENCH_SLOW_DELAY:-1}
IDLE=${BENCH_IDLE_SECONDS:-60}
LIMIT=${BENCH_LIMIT:-420}
PY=/usr/bin/python3

die() { echo "bench: $*" >&2; exit 1; }
broken=0
problem() { echo "bench: PROBLEM: $*" >&2; broken=1; }

for n in "$MESSAGES" "$IN_FLIGHT" "$SLOW" "$SLOW_DELAY" "$IDLE" "$LIMIT"; do
	[[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "knobs are positive whole numbers, not \"$n\""
done
((MESSAGES <= 99999)) || die "BENCH_MESSAGES is at most 99999"

# ---- what it needs ----
if ! command -v strace >/dev/null; then
	[[ $(id -u) -eq 0 ]] || die "needs strace (apt-get install strace, as root)"
	echo "# installing strace"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q strace >/dev/null 2>&1 ||
	    { apt-get update -q >/dev/null 2>&1 &&
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q strace >/dev/null 2>&1; } ||
	    die "cannot install strace"
fi
for tool in curl strace "$PY"; do command -v "$tool" >/dev/null || die "needs $tool"; done
"$PY" -c 'import aiosmtpd' 2>/dev/null || die "needs python3-aiosmtpd for $PY"

if [[ -z ${TERMIJND:-} ]]; then
	B=build/bench-mail
	mkdir -p "$B"
	# With its catalogs (build/locale, found from $B): without them termijnd warns at start.
	make -s B=$B DAEMON_BIN=$B/termijnd $B/termijnd mo >/dev/null 2>"$B/build.log" ||
	    { cat "$B/build.log" >&2; die "the build failed"; }
	TERMIJND=$TOP/$B/termijnd
fi
[[ -x $TERMIJND ]] || die "no daemon at $TERMIJND"

TMP=$(mktemp -d /tmp/termijn-bench-mail.XXXXXX) || die "mktemp failed"
PIDS=()

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	[[ -s $TMP/watchdog.pid ]] && kill "$(cat "$TMP/watchdog.pid")" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 1' INT TERM

# The watchdog: past LIMIT seconds, give up (the EXIT trap kills what runs).
# Its sleep goes with it: left behind, it would hold the output pipe of whoever reads this.
( sleep "$LIMIT" >/dev/null 2>&1 </dev/null & s=$!
  trap 'kill $s 2>/dev/null; exit 0' TERM
  wait $s
  echo "bench: still running after ${LIMIT}s; giving up" >&2
  kill -TERM $$ 2>/dev/null ) &
echo $! >"$TMP/watchdog.pid"

# wait_for SECONDS COMMAND...: poll every 20 ms; 1 on timeout.
wait_for() {
	local deadline=$(($(date +%s%N) + $1 * 1000000000))
	shift
	until "$@"; do
		(($(date +%s%N) >= deadline)) && return 1
		sleep 0.02
	done
}

# start_daemon NAME CONF [OPTIONS...]: sets DPID; waits until the socket answers.
start_daemon() {
	local name=$1 conf=$2
	shift 2
	"$TERMIJND" -f "$conf" -S "$TMP/$name.state" -s "$TMP/$name.sock" "$@" \
	    2>"$TMP/$name.log" &
	DPID=$!
	PIDS+=("$DPID")
	if ! wait_for 30 curl -sf --max-time 2 --unix-socket "$TMP/$name.sock" -o /dev/null \
	    http://localhost/api/v1/status; then
		tail -n 20 "$TMP/$name.log" >&2
		die "termijnd ($name) did not answer within 30 s"
	fi
}

stop_daemon() {
	local name=$1 pid=$2 rc
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		problem "$name: termijnd died during the run (exit $?)"
		return
	fi
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	((rc == 0)) || problem "$name: termijnd exited with $rc on SIGTERM"
	if grep -q '^<[0-4]>' "$TMP/$name.log"; then
		problem "$name: warnings from termijnd, first: $(grep -m1 '^<[0-4]>' "$TMP/$name.log")"
	fi
}

version=$(git describe --always --dirty 2>/dev/null || echo '(not a git tree)')
echo "# termijn mail bench: $(nproc) CPU(s), load average $(cut -d' ' -f1-3 /proc/loadavg)," \
    "termijnd $version"

# ---- 1. messages per second: N reminders due at once, into aiosmtpd on loopback ----

"$PY" "$TOP/tests/e2e/smtpd.py" --dir "$TMP/mail" --port-file "$TMP/smtpd.port" \
    --log "$TMP/smtpd.events" 2>"$TMP/smtpd.log" &
SPID=$!
PIDS+=("$SPID")
wait_for 15 test -s "$TMP/smtpd.port" || { cat "$TMP/smtpd.log" >&2; die "smtpd.py did not start"; }
PORT=$(cat "$TMP/smtpd.port")

# burst_plan DIR N: one plan, N milestones due on 11 December 2013; their 1-day reminders all
# fall on 10 December at 08:30, one message each, to one address.
burst_plan() {
	mkdir -p "$1"
	{
		printf 'plan burst\n  title %s reminders at once\n  language en\n' "$2"
		printf '  remind 1d\n  remind-at 08:30\n  overdue-max 0\n\n'
		printf 'role owner\n  name Owner\n  address owner@bench.example\n'
		awk -v n="$2" 'BEGIN {
			for (i = 0; i < n; i++)
				printf "\nmilestone m%05d\n  title Burst milestone %d\n  owner owner\n" \
				    "  due 2013-12-11\n", i, i
		}'
	} >"$1/burst.plan"
}
burst_plan "$TMP/plans-burst" "$MESSAGES"
# Feeds (when this termijnd has them) on a free port, so that runs side by side do not clash.
LISTEN=
grep -q '"listen"' daemon/config.c 2>/dev/null && LISTEN="listen 127.0.0.1:0"
cat >"$TMP/burst.conf" <<EOF
plans-dir plans-burst
templates-dir $TOP/etc/templates
operators $(id -un)
$LISTEN
mail-url smtp://127.0.0.1:$PORT
mail-tls none
mail-from termijn@bench.example
mail-in-flight $IN_FLIGHT
mail-retry-base 1
EOF

# CPU seconds (user + system) a process has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null; }
count() { find "$TMP/mail" -name '*.eml' 2>/dev/null | wc -l; }
all_in() { (($(count) >= MESSAGES)); }

# The demo clock starts at 08:29 and runs 60 times real time: the reminders are due one
# real second after the daemon starts its clock.
t_start=$(date +%s.%N)
start_daemon burst "$TMP/burst.conf" --clock-start '2013-12-10 08:29' --clock-speed 60
BPID=$DPID
t_due=$(awk -v s="$t_start" 'BEGIN { printf "%.6f", s + 1 }')
if ! wait_for 240 all_in; then
	problem "burst: only $(count) of $MESSAGES messages arrived within 240 s"
fi
cpu_d=$(cpu "$BPID")
cpu_s=$(cpu "$SPID")
sleep 1
stop_daemon burst "$BPID"

# Arrival times as smtpd.py recorded them, and the Message-IDs (each once, or something broke).
"$PY" - "$TMP/mail" "$MESSAGES" "$t_due" "$IN_FLIGHT" "${cpu_d:-?}" "${cpu_s:-?}" <<'PY' || broken=1
import json, os, sys
d, want, due, inflight, cpu_d, cpu_s = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), \
    sys.argv[4], sys.argv[5], sys.argv[6]
meta = [json.load(open(os.path.join(d, f))) for f in os.listdir(d) if f.endswith(".json")]
ats = sorted(m["at"] for m in meta)
ids = {m["message_id"] for m in meta}
if len(meta) < 2:
    print("mail-burst  n/a (%d messages)" % len(meta))
    sys.exit(1)
first, last = ats[0], ats[-1]
print("mail-burst  %.0f messages/s  (%d messages between the first and the last arrival, "
      "%.2f s; mail-in-flight %s)" % ((len(ats) - 1) / (last - first), len(ats), last - first,
                                      inflight))
print("mail-burst  %.2f s from due to the last message  (%.0f messages/s including the "
      "scan that queues them; first after %.2f s)" % (last - due, len(ats) / (last - due),
                                                     first - due))
print("mail-burst  CPU used: termijnd %s s, smtpd.py (the Python server) %s s  (start to last "
      "message)" % (cpu_d, cpu_s))
rc = 0
if len(ids) != len(meta):
    print("bench: PROBLEM: %d messages but %d Message-IDs: some came twice"
          % (len(meta), len(ids)), file=sys.stderr)
    rc = 1
if len(ids) < want:
    print("bench: PROBLEM: %d of %d reminders arrived" % (len(ids), want), file=sys.stderr)
    rc = 1
sys.exit(rc)
PY

# ---- 2. a slow relay: every end-of-data answered after SLOW_DELAY seconds ----
#
# SLOW reminders at once through a relay that takes SLOW_DELAY s per message: with
# mail-in-flight sessions side by side, each kept open for the next message, they take about
# SLOW * SLOW_DELAY / mail-in-flight seconds. The SMTP sessions (EHLOs) show whether
# connections are reused.

"$PY" "$TOP/tests/e2e/smtpd.py" --dir "$TMP/slowmail" --port-file "$TMP/slow.port" \
    --control "$TMP/slow.control" --log "$TMP/slow.events" 2>"$TMP/slow.log" &
SSPID=$!
PIDS+=("$SSPID")
wait_for 15 test -s "$TMP/slow.port" || { cat "$TMP/slow.log" >&2; die "smtpd.py did not start"; }
printf '{"stall": %s}' "$SLOW_DELAY" >"$TMP/slow.control"
wait_for 5 test ! -e "$TMP/slow.control" || die "smtpd.py did not take its control file"
burst_plan "$TMP/plans-slow" "$SLOW"
sed -e "s|^plans-dir .*|plans-dir plans-slow|" \
    -e "s|^mail-url .*|mail-url smtp://127.0.0.1:$(cat "$TMP/slow.port")|" \
    "$TMP/burst.conf" >"$TMP/slow.conf"
slow_count() { find "$TMP/slowmail" -name '*.eml' 2>/dev/null | wc -l; }
slow_in() { (($(slow_count) >= SLOW)); }
t_start=$(date +%s.%N)
start_daemon slow "$TMP/slow.conf" --clock-start '2013-12-10 08:29' --clock-speed 60
SLPID=$DPID
t_due=$(awk -v s="$t_start" 'BEGIN { printf "%.6f", s + 1 }')
# The loop must stay free meanwhile: a status request every 200 ms, its longest answer kept.
worst=0
until slow_in; do
	if (($(date +%s) > ${t_start%.*} + 240)); then
		problem "slow relay: only $(slow_count) of $SLOW messages arrived within 240 s"
		break
	fi
	ms=$(curl -s -o /dev/null -w '%{time_total}' --max-time 5 --unix-socket "$TMP/slow.sock" \
	    http://localhost/api/v1/status | awk '{ printf "%d", $1 * 1000 }')
	((ms > worst)) && worst=$ms
	sleep 0.2
done
t_last=$(date +%s.%N)
stop_daemon slow "$SLPID"
sessions=$(grep -c ' ehlo ' "$TMP/slow.events")
awk -v n="$(slow_count)" -v d="$SLOW_DELAY" -v f="$IN_FLIGHT" -v s="$sessions" -v w="$worst" \
    -v due="$t_due" -v last="$t_last" 'BEGIN {
	printf "mail-slow-relay  %.1f s for %d messages at %s s each  (%.2f messages/s; " \
	    "mail-in-flight %s; %d SMTP sessions; longest status answer meanwhile %d ms)\n",
	    last - due, n, d, n / (last - due), f, s, w }'
kill -TERM "$SSPID" 2>/dev/null
wait "$SSPID" 2>/dev/null

# ---- 3. wake-ups while idle: the shipped plans, nothing to send for a long while ----
#
# real:  the real clock; the 2013-2014 timeline is long past, so nothing is ever due.
# demo:  the demo clock at real speed from 16 December 2013 09:00; the next reminder is at
#        08:30 the next morning, so the one timer is armed 23.5 hours ahead.
# Both send to the same SMTP server (what a fresh database sends at start goes first: strace
# attaches once nothing is pending, as start-up is not idling) and strace follows every thread.

cat >"$TMP/idle.conf" <<EOF
plans-dir $TOP/etc/plans
templates-dir $TOP/etc/templates
operators $(id -un)
$LISTEN
mail-url smtp://127.0.0.1:$PORT
mail-tls none
mail-from termijn@bench.example
EOF

# Nothing pending or being sent in the outbox of daemon NAME.
quiet() {
	local st out
	for st in pending sending; do
		out=$(curl -sf --max-time 5 --unix-socket "$TMP/$1.sock" \
		    "http://localhost/api/v1/reminders?state=$st&until=2000-01-01") || return 1
		[[ $out == *'"outbox":[]'* || $out == *'"outbox": []'* ]] || return 1
	done
}

start_daemon idle-real "$TMP/idle.conf"
RPID=$DPID
start_daemon idle-demo "$TMP/idle.conf" --clock-start '2013-12-16 09:00' --clock-speed 1
DDPID=$DPID
for run in real demo; do
	wait_for 30 quiet "idle-$run" || problem "idle-$run: the outbox did not empty at start"
done
before=$(count)
strace -f -qq -e trace=epoll_wait,epoll_pwait -o "$TMP/idle-real.strace" -p "$RPID" &
S1=$!
strace -f -qq -e trace=epoll_wait,epoll_pwait -o "$TMP/idle-demo.strace" -p "$DDPID" &
S2=$!
PIDS+=("$S1" "$S2")
sleep "$IDLE"
kill -INT "$S1" "$S2" 2>/dev/null
wait "$S1" "$S2" 2>/dev/null
for run in real demo; do
	pid=$RPID
	[[ $run == demo ]] && pid=$DDPID
	# A return is a line with "= N" (a call that was still waiting at detach has none).
	n=$(grep -cE '\) += -?[0-9]+' "$TMP/idle-$run.strace")
	timeouts=$(grep -oE 'epoll_p?wait\([0-9]+, [^,]*, [0-9]+, -?[0-9]+' "$TMP/idle-$run.strace" |
	    awk -F', ' '{ print $4 }' | sort -n | uniq -c | awk '{ printf "%s%s ms x%s", s, $2, $1;
	    s = ", " }')
	awk -v n="$n" -v s="$IDLE" -v run="$run" -v t="$timeouts" 'BEGIN {
		printf "idle-wakeups  %s clock: %.1f per minute  (%d epoll_wait returns in %d s%s)\n",
		    run, n * 60 / s, n, s, t != "" ? "; timeouts asked: " t : "" }'
	if ! kill -0 "$pid" 2>/dev/null; then
		problem "idle-$run: termijnd died"
	fi
	stop_daemon "idle-$run" "$pid"
done
echo "# goal: 0 idle wake-ups between reminders (one timer, armed for the next thing due);" \
    "$((before - MESSAGES)) message(s) sent at start, $(($(count) - before)) while idle"
kill -TERM "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null

if ((broken)); then
	echo "bench: something broke (see above)" >&2
	exit 1
fi
exit 0
