#!/usr/bin/env bash
# remote.sh: `termijn done` as a whole process, three ways in one run, interleaved so that they
# share the machine's state: over the unix socket (a local operator), over HTTPS through a real
# nginx on loopback (a person with a personal access token, tests/e2e/tlsproxy.sh), and over
# plain HTTP to termijnd's listener on loopback (the same token, without nginx and TLS). Prints
# the median and the 99th percentile of each; asserts no goals, and exits non-zero only when
# something broke (a build, a start, a done that did not succeed).
#
# Knobs (environment): BENCH_RUNS (200 of each way), BENCH_LIMIT (300: the watchdog, seconds).

set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD
RUNS=${BENCH_RUNS:-200}
LIMIT=${BENCH_LIMIT:-300}
B=build/bench
for n in "$RUNS" "$LIMIT"; do
	[[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || { echo "bench: knobs are positive numbers" >&2; exit 1; }
done
for tool in nginx openssl curl make /usr/bin/python3; do
	command -v "$tool" >/dev/null || { echo "bench: needs $tool" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/termijn-remote.XXXXXX) || exit 1
DPID=
. tests/e2e/tlsproxy.sh
cleanup() {
	tls_proxy_stop
	[[ -n $DPID ]] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	local p
	# The watchdog and its sleep both: a sleep left behind would hold our stdout open.
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
	kill -TERM $$ 2>/dev/null
) &
echo $! >"$TMP/watchdog.pid"

# The catalogs too: without them the daemon warns and answers in English.
make -s B=$B DAEMON_BIN=$B/termijnd CLIENT_BIN=$B/termijn $B/termijnd $B/termijn mo \
    >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; exit 1; }
D=$TOP/$B/termijnd C=$TOP/$B/termijn

# A plan of independent milestones, one person holding their role.
N=$((RUNS * 3))
mkdir -p "$TMP/plans" "$TMP/state" "$TMP/maildir"
{
	printf 'plan bench\n  title Bench plan\n  language en\n\n'
	printf 'role owner\n  name Owner\n  address "Bench Owner" <owner@bench.example>\n\n'
	awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
		printf "milestone m%05d\n  title Bench milestone %d\n  owner owner\n  due 2099-12-31\n\n", i, i }'
} >"$TMP/plans/bench.plan"
cat >"$TMP/termijnd.conf" <<EOC
plans-dir plans
state-dir state
socket termijnd.sock
operators $(id -un)
templates-dir $TOP/etc/templates
mail-url maildir:$TMP/maildir
listen 127.0.0.1:0
trusted-proxies 127.0.0.1
EOC
"$D" -f "$TMP/termijnd.conf" 2>"$TMP/daemon.log" &
DPID=$!
export TERMIJN_SOCKET=$TMP/termijnd.sock
for _ in $(seq 1 200); do "$C" status >/dev/null 2>&1 && break; sleep 0.05; done
"$C" status >/dev/null || { cat "$TMP/daemon.log" >&2; exit 1; }
HTTP=$("$C" --json status | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["http"])')
tls_proxy_start "$TMP/nginx" "${HTTP##*:}" || exit 1

# The person's token, from the grant's message in the maildir.
"$C" access grant owner@bench.example >/dev/null || exit 1
for _ in $(seq 1 100); do compgen -G "$TMP/maildir/new/*" >/dev/null && break; sleep 0.05; done
TOKEN=$(/usr/bin/python3 - "$TMP/maildir/new" <<'EOP'
import email, email.policy, os, re, sys
d = sys.argv[1]
for n in os.listdir(d):
    body = email.message_from_binary_file(open(os.path.join(d, n), "rb"),
                                          policy=email.policy.default).get_content()
    m = re.search(r"^  ([A-Za-z0-9_-]{32})\s*$", body, re.M)
    if m:
        print(m.group(1))
EOP
)
[[ ${#TOKEN} -eq 32 ]] || { echo "bench: no token in the grant's message" >&2; exit 1; }
export XDG_CONFIG_HOME=$TMP/config
mkdir -m 700 -p "$XDG_CONFIG_HOME/termijn"
( umask 077; printf 'https://localhost:%s %s\nhttp://%s %s\n' "$TLS_PORT" "$TOKEN" "$HTTP" \
    "$TOKEN" >"$XDG_CONFIG_HOME/termijn/tokens" )
export TERMIJN_CACERT=$TLS_CERT

# One process each, timed with bash's own clock (no fork for the timer).
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'; }
broken=0 i=0
for ((r = 0; r < RUNS; r++)); do
	for way in socket tls http; do
		key=$(printf 'm%05d' "$i")
		i=$((i + 1))
		t0=$EPOCHREALTIME
		case $way in
		socket) "$C" done "$key" >/dev/null 2>"$TMP/err" ;;
		tls) "$C" --server "https://localhost:$TLS_PORT" done "$key" >/dev/null 2>"$TMP/err" ;;
		http) "$C" --server "http://$HTTP" done "$key" >/dev/null 2>"$TMP/err" ;;
		esac
		rc=$?
		t1=$EPOCHREALTIME
		if [[ $rc -ne 0 ]]; then
			echo "bench: $way done $key: exit $rc: $(head -1 "$TMP/err")" >&2
			broken=1
		fi
		ms "$t0" "$t1" >>"$TMP/$way.ms"
	done
done
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		p = int(NR * 0.99 + 0.999); if (p > NR) p = NR
		printf "median %7.2f ms   p99 %7.2f ms   (%d runs)\n", \
		    (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[p], NR }'
}
echo "termijn done, one process each, interleaved, $(nproc) CPUs:"
printf '  unix socket (operator)               '; stats "$TMP/socket.ms"
printf '  HTTPS through nginx (personal token) '; stats "$TMP/tls.ms"
printf '  plain HTTP on loopback (same token)  '; stats "$TMP/http.ms"
DONE=$("$C" --json status | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["plans"][0]["counts"]["ready"])')
[[ $DONE -eq $((N - 3 * RUNS)) ]] || { echo "bench: $DONE still ready, wanted $((N - 3 * RUNS))" >&2; broken=1; }
"$C" log -n 3 | tail -2
exit $broken
