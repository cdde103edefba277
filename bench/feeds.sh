#!/usr/bin/env bash
# feeds.sh: how fast termijnd serves iCal feeds, next to nginx serving the same bytes with the
# same headers (its ETag, Last-Modified, Cache-Control, Vary, nosniff, Content-Disposition,
# termijnd's own gzip bytes through gzip_static) in the same run, and Radicale serving the
# same calendar as a CalDAV collection, all on loopback under wrk. Plans of 100 and of 10,000
# milestones are generated in a temporary directory.
#
# Prints one line per figure: requests/s of termijn and nginx for the 100-event feed (plain and
# gzip, the medians of BENCH_ROUNDS alternating rounds; nginx also with sendfile off, copying
# the body into the socket as termijnd does), for the 10k feed (plain and gzip),
# radicale 100 and 10k (bounded), termijn's 304 answers (and how many of its answers the fast
# path sent, feeds.c), the ratios termijn/nginx, and
# "render 10k: N ms" (the first request after a change, which renders the feed). Beside
# requests/s, the server's CPU time per answer (its /proc ticks over the run, user + system),
# which a machine busy with other work disturbs less. With BENCH_STRACE=1, also the system
# calls per answer of each server on the 100-event feed (strace -c -f, one more run each).
# It asserts no goals: the exit status is non-zero only when something broke (a server that
# did not start, a wrong answer, different bytes or headers). It stops by itself (BENCH_LIMIT).
#
# Knobs (environment): TERMIJND, TERMIJN (binaries; built into build/bench-feeds when unset),
# BENCH_SECONDS (5 per wrk run), BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_RENDERS (5),
# BENCH_ROUNDS (3), BENCH_LIMIT (400 s for the whole run), BENCH_RADICALE_10K (1; 0 skips it:
# it takes a minute or more), BENCH_RADICALE_WARM (100: seconds allowed for Radicale's first
# GET of 10k events), BENCH_STRACE (0).

set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD

SECS=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
RENDERS=${BENCH_RENDERS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
LIMIT=${BENCH_LIMIT:-400}
RADICALE_10K=${BENCH_RADICALE_10K:-1}
RADICALE_WARM=${BENCH_RADICALE_WARM:-100}
STRACE=${BENCH_STRACE:-0}
PY=/usr/bin/python3

die() { echo "bench: $*" >&2; exit 1; }
broken=0
problem() { echo "bench: PROBLEM: $*" >&2; broken=1; }

for n in "$SECS" "$CONNS" "$THREADS" "$RENDERS" "$ROUNDS" "$LIMIT" "$RADICALE_WARM"; do
	[[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "knobs are positive whole numbers, not \"$n\""
done

# ---- what it needs ----
need=()
command -v wrk >/dev/null || need+=(wrk)
[[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
command -v radicale >/dev/null || need+=(radicale)
if ((${#need[@]} > 0)); then
	[[ $(id -u) -eq 0 ]] || die "needs ${need[*]} (apt-get install ${need[*]}, as root)"
	echo "# installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null 2>&1 ||
	    { apt-get update -q >/dev/null 2>&1 &&
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null 2>&1; } ||
	    die "cannot install ${need[*]}"
	# The package's own nginx service is not ours: ours runs on a free loopback port.
fi
for tool in curl wrk "$PY"; do command -v "$tool" >/dev/null || die "needs $tool"; done

if [[ -z ${TERMIJND:-} || -z ${TERMIJN:-} ]]; then
	B=build/bench-feeds
	# The catalogs too: without them the daemon warns and answers in English.
	make -s B=$B DAEMON_BIN=$B/termijnd CLIENT_BIN=$B/termijn $B/termijnd $B/termijn mo \
	    >/dev/null 2>"$B.log" || { cat "$B.log" >&2; die "the build failed"; }
	TERMIJND=$TOP/$B/termijnd TERMIJN=$TOP/$B/termijn
fi
[[ -x $TERMIJND && -x $TERMIJN ]] || die "no termijnd or termijn binary"

TMP=$(mktemp -d /tmp/termijn-feedbench.XXXXXX) || die "mktemp failed"
chmod 755 "$TMP"
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[[ -s $TMP/watchdog.pid ]] && kill "$(cat "$TMP/watchdog.pid")" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 1' INT TERM

# The watchdog: past LIMIT seconds it kills the servers (so nothing waits) and then us.
MAINPID=$$
(
	sleep "$LIMIT" &
	echo $! > "$TMP/watchdog.pid"
	wait $! || exit 0
	echo "bench: still running after ${LIMIT}s; giving up" >&2
	for f in "$TMP"/*.pid; do
		[[ $f == "$TMP/watchdog.pid" ]] && continue
		[[ -s $f ]] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	kill -TERM "$MAINPID" 2>/dev/null
) &
WATCHDOG=$!
disown "$WATCHDOG" 2>/dev/null

free_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL SECONDS: until the URL answers at all.
wait_http() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		curl -s -o /dev/null --max-time 2 "$1" && return 0
		sleep 0.05
	done
	return 1
}

# ---- the plans: one owner role with one address, dates, times, windows, a few requires ----
mkdir -p "$TMP/plans" "$TMP/state"
$PY - "$TMP/plans" <<'PY'
import datetime, sys
for name, n in (("f100", 100), ("f10k", 10000)):
    out = ["plan %s" % name, "  title Bench: %d mijlpalen" % n, "  timezone Europe/Amsterdam",
           "  language nl", "", "role eigenaar", "  name Eigenaar",
           "  address eigenaar@bench.example", ""]
    d0 = datetime.date(2014, 1, 6)
    for i in range(n):
        d = d0 + datetime.timedelta(days=i % 700)
        out.append("milestone m%05d" % i)
        out.append("  title Mijlpaal %d: stukken voor de raad geïnventariseerd" % i)
        out.append("  description")
        out.append("    Een beschrijving van mijlpaal %d, met komma's, puntkomma's; en" % i)
        out.append("    een tweede regel, zodat het event gevouwen moet worden.")
        out.append("  owner eigenaar")
        if i % 50 == 7:
            out.append("  window %s .. %s" % (d, d + datetime.timedelta(days=9)))
        elif i % 3 == 1:
            out.append("  due %s 17:00" % d)
        else:
            out.append("  due %s" % d)
        # A few prerequisites; never on the milestones the render runs mark done.
        if i % 100 == 99:
            out.append("  requires m%05d" % (i - 1))
        out.append("")
    open("%s/%s.plan" % (sys.argv[1], name), "w", encoding="utf-8").write("\n".join(out))
PY
cat > "$TMP/termijnd.conf" <<EOF
plans-dir plans
state-dir state
socket termijnd.sock
socket-mode 0600
operators $(id -un)
overriders $(id -un)
templates-dir $TOP/etc/templates
listen 127.0.0.1:0
EOF
export TERMIJN_SOCKET=$TMP/termijnd.sock NO_COLOR=1

"$TERMIJND" -n -f "$TMP/termijnd.conf" > "$TMP/check.log" 2>&1 ||
    { cat "$TMP/check.log" >&2; die "termijnd -n rejects the generated plans"; }

start_termijnd() {
	local i t0
	t0=$(date +%s%N)
	"$TERMIJND" -f "$TMP/termijnd.conf" --clock-start '2013-12-16 09:00' --clock-speed 0 \
	    2>>"$TMP/termijnd.log" &
	DPID=$!
	PIDS+=("$DPID")
	echo "$DPID" > "$TMP/termijnd.pid"
	for ((i = 0; i < 600; i++)); do
		kill -0 "$DPID" 2>/dev/null || { tail -20 "$TMP/termijnd.log" >&2; die "termijnd exited"; }
		"$TERMIJN" status >/dev/null 2>&1 && break
		sleep 0.05
	done
	((i < 600)) || die "termijnd did not answer within 30 s"
	START_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
	H=$("$TERMIJN" --json status | $PY -c 'import json, sys; print(json.load(sys.stdin)["http"])')
}

stop_termijnd() {
	kill -TERM "$DPID" 2>/dev/null
	wait "$DPID"
	local rc=$?
	((rc == 0)) || problem "termijnd exited with $rc on SIGTERM"
	DPID=
}

start_termijnd
echo "# termijn feed bench: $(nproc) CPU(s), wrk -t$THREADS -c$CONNS -d${SECS}s on loopback," \
    "termijnd $(git describe --always --dirty 2>/dev/null || echo '?'); started in ${START_MS} ms" \
    "with 10,100 milestones"

feed_path() {
	"$TERMIJN" --json feeds create --plan "$1" |
	    $PY -c 'import json, sys; print("/" + json.load(sys.stdin)["url"].split("://")[1].split("/", 1)[1])'
}
P100=$(feed_path f100) || die "cannot create the feed of f100"
P10K=$(feed_path f10k) || die "cannot create the feed of f10k"

# The first request after the start renders the 10k feed (nothing cached yet).
ttfb() { curl -s -o "${2:-/dev/null}" -w '%{http_code} %{time_starttransfer} %{time_total}' --max-time 60 "$1"; }
read -r code first_ttfb _ <<< "$(ttfb "http://$H$P10K" "$TMP/f10k.ics")"
[[ $code == 200 ]] || die "the 10k feed answered $code"
read -r code _ _ <<< "$(ttfb "http://$H$P100" "$TMP/f100.ics")"
[[ $code == 200 ]] || die "the 100 feed answered $code"
SIZE100=$(stat -c %s "$TMP/f100.ics")
SIZE10K=$(stat -c %s "$TMP/f10k.ics")
EV100=$(grep -c '^BEGIN:VEVENT' "$TMP/f100.ics")
EV10K=$(grep -c '^BEGIN:VEVENT' "$TMP/f10k.ics")
((EV100 == 100 && EV10K == 10000)) || problem "the feeds hold $EV100 and $EV10K events, not 100 and 10000"
echo "# feed sizes: 100: $SIZE100 bytes, 10k: $SIZE10K bytes ($(curl -s -H 'Accept-Encoding: gzip' \
    "http://$H$P10K" | wc -c) gzipped)"

metric() { curl -s "http://$H/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

# wrk_run LABEL URL [wrk options...]: requests/s in RPS; the full output in $TMP/wrk-LABEL.
# With SERVER (a pid) set, also the server's CPU time per answer in US (microseconds), which a
# loaded machine disturbs less than requests/s.
CLK_TCK=$(getconf CLK_TCK)
# user and system ticks of a process (the comm field has no spaces here: termijnd, nginx)
ticks() { awk '{ print $14, $15 }' "/proc/$1/stat" 2>/dev/null || echo 0 0; }
wrk_run() {
	local label=$1 url=$2 u0=0 s0=0 u1 s1
	shift 2
	[[ -n ${SERVER:-} ]] && read -r u0 s0 <<< "$(ticks "$SERVER")"
	wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" "$@" "$url" > "$TMP/wrk-$label" 2>&1
	RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/wrk-$label")
	US= USPLIT=
	if [[ -n ${SERVER:-} ]]; then
		read -r u1 s1 <<< "$(ticks "$SERVER")"
		# US: all of it; USPLIT: "user+system" (the kernel's part: copying, TCP)
		read -r US USPLIT <<< "$(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$CLK_TCK" \
		    '/ requests in / { if ($1 > 0) printf "%.2f %.2f+%.2f", (u + s) / hz * 1e6 / $1,
		    u / hz * 1e6 / $1, s / hz * 1e6 / $1 }' "$TMP/wrk-$label")"
	fi
	if [[ -z $RPS ]]; then
		problem "wrk $label: no figure"; sed 's/^/    /' "$TMP/wrk-$label" >&2; RPS=0
	fi
	if grep -q 'Non-2xx or 3xx' "$TMP/wrk-$label"; then
		problem "wrk $label: $(grep 'Non-2xx or 3xx' "$TMP/wrk-$label")"
	fi
	WERR=$(grep -E '^ +Socket errors' "$TMP/wrk-$label" | sed 's/^ *//')
	LAT=$(awk '/^    Latency/ { print $2 }' "$TMP/wrk-$label")
}
fig() { printf "%-34s %10.1f req/s%s\n" "$1" "$2" \
    "${LAT:+  (latency avg $LAT${US:+; server CPU $US us/answer}${WERR:+; $WERR})}"; }
ratio() { awk -v a="$2" -v b="$3" -v l="$1" 'BEGIN { if (b > 0) printf "%-34s %10.2f\n", l, a / b; else printf "%-34s %10s\n", l, "n/a" }'; }

# ---- nginx: the same bytes and headers, beside termijnd in the same run ----
# The compressed bytes are termijnd's own (gzip_static), ETag and Last-Modified its values.
mkdir -p "$TMP/www" "$TMP/nginx"
for f in f100 f10k; do
	P=$P100; [[ $f == f10k ]] && P=$P10K
	cp "$TMP/$f.ics" "$TMP/www/$f.ics"
	curl -s -D "$TMP/$f.hdr" -o "$TMP/www/$f.ics.gz" -H 'Accept-Encoding: gzip' "http://$H$P"
	curl -s -D "$TMP/$f.hdr-plain" -o /dev/null "http://$H$P"
	touch -d "$(sed -n 's/^Last-Modified: //p' "$TMP/$f.hdr" | tr -d '\r')" "$TMP/www/$f.ics" \
	    "$TMP/www/$f.ics.gz" || problem "no Last-Modified in termijnd's answer"
done
etag_of() { awk 'tolower($1) == "etag:" { print $2 }' "$1" | tr -d '\r'; }
NPORT=$(free_port) NPORTC=$(free_port)
{
	[[ $(id -u) -eq 0 ]] && echo "user root;"
	cat <<EOF
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $TMP/nginx/body;
	proxy_temp_path $TMP/nginx/proxy;
	fastcgi_temp_path $TMP/nginx/fastcgi;
	types { }
	default_type "text/calendar; charset=utf-8";
	sendfile on;
	tcp_nopush on;
	# As a tuned static server runs: no open, fstat and close of the file per request.
	open_file_cache max=16 inactive=600s;
	open_file_cache_valid 600s;
	keepalive_requests 1000000;
	server_tokens off;
	etag off;
	gzip_static on;
	gzip_vary on;
	map "\$uri \$http_accept_encoding" \$feed_etag {
		"~^/f100.ics .*gzip" '$(etag_of "$TMP/f100.hdr")';
		"~^/f100.ics" '$(etag_of "$TMP/f100.hdr-plain")';
		"~^/f10k.ics .*gzip" '$(etag_of "$TMP/f10k.hdr")';
		default '$(etag_of "$TMP/f10k.hdr-plain")';
	}
	server {
		listen 127.0.0.1:$NPORT;
		root $TMP/www;
		location / {
			add_header ETag \$feed_etag;
			add_header Cache-Control "private, max-age=900";
			add_header X-Content-Type-Options nosniff;
			add_header Content-Disposition 'inline; filename="termijn.ics"';
		}
	}
	# The same, but the body read into a buffer and copied into the socket, as termijnd's.
	server {
		listen 127.0.0.1:$NPORTC;
		root $TMP/www;
		sendfile off;
		location / {
			add_header ETag \$feed_etag;
			add_header Cache-Control "private, max-age=900";
			add_header X-Content-Type-Options nosniff;
			add_header Content-Disposition 'inline; filename="termijn.ics"';
		}
	}
}
EOF
} > "$TMP/nginx/nginx.conf"
/usr/sbin/nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" > "$TMP/nginx/out.log" 2>&1 &
NGPID=$!
PIDS+=("$NGPID")
echo "$NGPID" > "$TMP/nginx.pid"
NG=http://127.0.0.1:$NPORT NGC=http://127.0.0.1:$NPORTC
NGINX=1
if ! wait_http "$NG/f100.ics" 10; then
	problem "nginx did not start: $(head -3 "$TMP/nginx/out.log" "$TMP/nginx/error.log" 2>/dev/null)"
	NGINX=0
fi
# Same bytes, and the same headers but for nginx's own (Server, Connection, Accept-Ranges).
answer_of() {
	curl -s -D - -o "$2" ${3:+-H "Accept-Encoding: $3"} "$1" | tr -d '\r' |
	    grep -v -i -E '^(date|http/1.1|connection|server|accept-ranges):' | grep . | sort
}
same_answer() {
	local t n
	t=$(answer_of "http://$H$2" "$TMP/t.body" "$3")
	n=$(answer_of "${4:-$NG}/$1.ics" "$TMP/n.body" "$3")
	cmp -s "$TMP/t.body" "$TMP/n.body" || problem "nginx serves other bytes of $1 (${3:-plain})"
	[[ $t == "$n" ]] || problem "nginx answers $1 (${3:-plain}) with other headers:"$'\n'"$(diff \
	    <(echo "$t") <(echo "$n"))"
}
if ((NGINX)); then
	same_answer f100 "$P100" ""
	same_answer f100 "$P100" "" "$NGC"
	same_answer f100 "$P100" gzip
	same_answer f10k "$P10K" ""
	same_answer f10k "$P10K" gzip
fi

# ---- termijn beside nginx: the 100-event feed in alternating rounds, medians ----
ok0=$(metric 'termijn_feed_requests_total{code="200"}') fast0=$(metric termijn_feed_fast_total)
median_of() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# nginx's worker is its master's child.
NGW=$(pgrep -P "$NGPID" | head -1)
# CPU figures of a round as "all:user+system"; their median by all.
t100=() t100gz=() n100=() n100c=() n100gz=() ut100=() ut100gz=() un100=() un100c=() un100gz=()
for ((r = 1; r <= ROUNDS; r++)); do
	SERVER=$DPID wrk_run t100 "http://$H$P100"; t100+=("$RPS") ut100+=("$US:$USPLIT")
	if ((NGINX)); then
		SERVER=$NGW wrk_run n100 "$NG/f100.ics"; n100+=("$RPS") un100+=("$US:$USPLIT")
		SERVER=$NGW wrk_run n100c "$NGC/f100.ics"; n100c+=("$RPS") un100c+=("$US:$USPLIT")
	fi
	SERVER=$DPID wrk_run t100gz "http://$H$P100" -H 'Accept-Encoding: gzip'
	t100gz+=("$RPS") ut100gz+=("$US:$USPLIT")
	if ((NGINX)); then
		SERVER=$NGW wrk_run n100gz "$NG/f100.ics" -H 'Accept-Encoding: gzip'
		n100gz+=("$RPS") un100gz+=("$US:$USPLIT")
	fi
done
T100=$(median_of "${t100[@]}") T100GZ=$(median_of "${t100gz[@]}")
N100=$(median_of "${n100[@]:-0}") N100C=$(median_of "${n100c[@]:-0}")
N100GZ=$(median_of "${n100gz[@]:-0}")
UT100=$(median_of "${ut100[@]}") UT100GZ=$(median_of "${ut100gz[@]}")
UN100=$(median_of "${un100[@]:-0}") UN100C=$(median_of "${un100c[@]:-0}")
UN100GZ=$(median_of "${un100gz[@]:-0}")
LAT= WERR=
rounds() {
	local split=
	[[ $1 == *:* ]] && split=", user+system ${1#*:}"
	echo "  (server CPU ${1%%:*} us/answer$split; rounds: ${*:2} req/s)"
}
fig100() { printf "%-34s %10.1f req/s%s\n" "$1" "$2" "$(rounds "${@:3}")"; }
fig100 "termijn 100" "$T100" "$UT100" "${t100[@]}"
fig100 "nginx 100 (1 worker)" "$N100" "$UN100" "${n100[@]:-}"
fig100 "nginx 100 sendfile off (1 worker)" "$N100C" "$UN100C" "${n100c[@]:-}"
fig100 "termijn 100 gzip" "$T100GZ" "$UT100GZ" "${t100gz[@]}"
fig100 "nginx 100 gzip (1 worker)" "$N100GZ" "$UN100GZ" "${n100gz[@]:-}"

# strace_run LABEL PID URL [wrk options...]: the system calls per answer of PID (all its
# threads) on URL.
strace_run() {
	local label=$1 pid=$2 url=$3 sp t args=()
	shift 3
	for t in /proc/"$pid"/task/*; do args+=(-p "${t##*/}"); done
	strace -c -f -o "$TMP/strace-$label" "${args[@]}" 2>/dev/null &
	sp=$!
	sleep 0.5
	SERVER= wrk_run "strace-$label" "$url" "$@"
	kill -INT "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	awk -v l="$label" -v n="$(awk '/ requests in / { print $1 }' "$TMP/wrk-strace-$label")" '
	    $NF != "syscall" && $NF != "total" && $4 ~ /^[0-9]+$/ && n > 0 {
		c = $4 / n; if (c >= 0.01) s = s sprintf(" %s %.2f", $NF, c) }
	    END { printf "%-34s %s\n", "syscalls per answer, " l ":", s }' "$TMP/strace-$label"
}
if ((STRACE)); then
	if command -v strace >/dev/null; then
		strace_run "termijn 100" "$DPID" "http://$H$P100"
		if ((NGINX)); then
			strace_run "nginx 100" "$NGW" "$NG/f100.ics"
			strace_run "nginx 100 sendfile off" "$NGW" "$NGC/f100.ics"
		fi
		strace_run "termijn 10k gzip" "$DPID" "http://$H$P10K" -H 'Accept-Encoding: gzip'
	else
		problem "BENCH_STRACE=1 but no strace"
	fi
fi

SERVER=$DPID wrk_run t10k "http://$H$P10K"; T10K=$RPS; fig "termijn 10k" "$T10K"
N10K=0 N10KGZ=0
if ((NGINX)); then SERVER=$NGW wrk_run n10k "$NG/f10k.ics"; N10K=$RPS; fig "nginx 10k (1 worker)" "$N10K"; fi
SERVER=$DPID wrk_run t10kgz "http://$H$P10K" -H 'Accept-Encoding: gzip'; T10KGZ=$RPS
fig "termijn 10k gzip" "$T10KGZ"
if ((NGINX)); then
	SERVER=$NGW wrk_run n10kgz "$NG/f10k.ics" -H 'Accept-Encoding: gzip'; N10KGZ=$RPS
	fig "nginx 10k gzip (1 worker)" "$N10KGZ"
fi
kill -TERM "$NGPID" 2>/dev/null
wait "$NGPID" 2>/dev/null
ETAG=$(etag_of "$TMP/f10k.hdr-plain")
nm0=$(metric 'termijn_feed_requests_total{code="304"}')
SERVER=$DPID wrk_run t304 "http://$H$P10K" -H "If-None-Match: $ETAG"; T304=$RPS; fig "termijn 304s (10k feed)" "$T304"
nm1=$(metric 'termijn_feed_requests_total{code="304"}')
ok1=$(metric 'termijn_feed_requests_total{code="200"}')
renders=$(metric termijn_feed_renders_total)
fast1=$(metric termijn_feed_fast_total)
paged=$(metric termijn_feed_paged_total)
((nm1 - nm0 > 0)) || problem "the If-None-Match run got no 304s"
[[ $renders == 2 ]] || problem "$renders renders during the runs (2 expected: everything else cached)"
echo "# termijn counted $((ok1 - ok0)) 200s and $((nm1 - nm0)) 304s ($((fast1 - fast0)) of them by" \
    "the fast path, without evhttp; ${paged:-no} bodies sent by page reference); $renders renders in all"

# ---- render time: the first request after a change ----
: > "$TMP/render.ms"
: > "$TMP/cached.ms"
for ((i = 1; i <= RENDERS; i++)); do
	"$TERMIJN" done "m$(printf %05d "$i")" -p f10k >/dev/null 2>&1 || problem "termijn done m$i failed"
	read -r code t _ <<< "$(ttfb "http://$H$P10K")"
	[[ $code == 200 ]] || problem "the 10k feed answered $code after a change"
	awk -v t="$t" 'BEGIN { printf "%.1f\n", t * 1000 }' >> "$TMP/render.ms"
	read -r code t _ <<< "$(ttfb "http://$H$P10K")"
	awk -v t="$t" 'BEGIN { printf "%.1f\n", t * 1000 }' >> "$TMP/cached.ms"
done
renders2=$(metric termijn_feed_renders_total)
((renders2 - renders == RENDERS)) || problem "$((renders2 - renders)) renders for $RENDERS changes"
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "render 10k: $(median "$TMP/render.ms") ms (median time to first byte of $RENDERS requests" \
    "right after a change; $(sort -g "$TMP/render.ms" | head -1)..$(sort -g "$TMP/render.ms" |
    tail -1) ms; cached: $(median "$TMP/cached.ms") ms; first after start:" \
    "$(awk -v t="$first_ttfb" 'BEGIN { printf "%.1f", t * 1000 }') ms)"
stop_termijnd

# ---- Radicale: the same calendar as a CalDAV collection ----
RPORT=$(free_port)
mkdir -p "$TMP/radicale/collections"
cat > "$TMP/radicale/config" <<EOF
[server]
hosts = 127.0.0.1:$RPORT
max_connections = 64
timeout = 60
[auth]
type = none
[rights]
# with auth none, "authenticated" lets anyone read and write collections
type = authenticated
[storage]
filesystem_folder = $TMP/radicale/collections
[web]
type = none
[logging]
level = warning
EOF
radicale -C "$TMP/radicale/config" > "$TMP/radicale/out.log" 2>&1 &
RDPID=$!
PIDS+=("$RDPID")
echo "$RDPID" > "$TMP/radicale.pid"
R100=0 R10K=0
RBASE=http://127.0.0.1:$RPORT/bench
if wait_http "http://127.0.0.1:$RPORT/" 15; then
	# A PUT of a whole calendar onto a new collection URL makes it a calendar collection;
	# its parent (the user's collection) must exist first.
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X MKCOL "$RBASE/")
	[[ $code == 201 ]] || problem "radicale: MKCOL $RBASE/ answered $code"
	put() {
		curl -s -o "$TMP/radicale/put.out" -w '%{http_code}' --max-time "$2" -X PUT \
		    -H 'Content-Type: text/calendar; charset=utf-8' --data-binary "@$TMP/$1.ics" \
		    "$RBASE/$1/"
	}
	code=$(put f100 60)
	if [[ $code == 201 || $code == 200 ]]; then
		n=$(curl -s --max-time 30 "$RBASE/f100/" | grep -c '^BEGIN:VEVENT')
		((n == 100)) || problem "radicale serves $n events of 100"
		wrk_run r100 "$RBASE/f100/" --timeout 10s; R100=$RPS; fig "radicale 100" "$R100"
	else
		problem "radicale: PUT of the 100 calendar answered $code: $(head -c 200 "$TMP/radicale/put.out")"
	fi
	if [[ $RADICALE_10K == 1 ]]; then
		# Radicale takes minutes to PUT 10,000 events; its storage is written directly instead
		# (one item file per event, as Radicale keeps them). Its first GET parses every item
		# and fills its cache: bounded by BENCH_RADICALE_WARM seconds.
		$PY - "$TMP/f10k.ics" "$TMP/radicale/collections/collection-root/bench/f10k" <<'PY'
import json, os, re, sys
b = open(sys.argv[1], "rb").read()
tzs = b"".join(re.findall(rb"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", b[:b.index(b"BEGIN:VEVENT")], re.S))
os.makedirs(sys.argv[2])
for i, ev in enumerate(re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", b, re.S)):
    with open(os.path.join(sys.argv[2], "e%05d.ics" % i), "wb") as f:
        f.write(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//termijn//bench//NL\r\n" + tzs + ev +
                b"END:VCALENDAR\r\n")
with open(os.path.join(sys.argv[2], ".Radicale.props"), "w") as f:
    json.dump({"tag": "VCALENDAR", "C:supported-calendar-component-set": "VEVENT"}, f)
PY
		read -r code warm _ <<< "$(curl -s -o "$TMP/radicale/f10k.out" -w '%{http_code} %{time_total} x' \
		    --max-time "$RADICALE_WARM" "$RBASE/f10k/")"
		if [[ $code == 200 ]]; then
			n=$(grep -c '^BEGIN:VEVENT' "$TMP/radicale/f10k.out")
			((n == 10000)) || problem "radicale serves $n events of 10000"
			wrk -t1 -c2 -d"${SECS}s" --timeout 30s "$RBASE/f10k/" > "$TMP/wrk-r10k" 2>&1
			R10K=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/wrk-r10k")
			LAT=$(awk '/^    Latency/ { print $2 }' "$TMP/wrk-r10k") WERR=
			fig "radicale 10k (wrk -c2)" "${R10K:-0}"
			echo "# radicale 10k: its first GET (parsing every item, filling its cache) took" \
			    "$(awk -v t="$warm" 'BEGIN { printf "%.1f", t }') s"
		else
			echo "radicale 10k: no figure: its first GET did not finish within ${RADICALE_WARM} s" \
			    "(BENCH_RADICALE_WARM)"
		fi
	fi
else
	problem "radicale did not start: $(head -5 "$TMP/radicale/out.log")"
fi
kill -TERM "$RDPID" 2>/dev/null
wait "$RDPID" 2>/dev/null

# ---- ratios ----
ratio "ratio termijn/nginx 100" "$T100" "$N100"
ratio "ratio termijn/nginx 100 gzip" "$T100GZ" "$N100GZ"
ratio "ratio termijn/nginx sendfile off 100" "$T100" "$N100C"
ratio "ratio nginx/termijn CPU per answer 100" "${UN100%%:*}" "${UT100%%:*}"
ratio "ratio nginx/termijn CPU per answer 100 gzip" "${UN100GZ%%:*}" "${UT100GZ%%:*}"
ratio "ratio termijn/nginx 10k" "$T10K" "$N10K"
ratio "ratio termijn/nginx 10k gzip" "$T10KGZ" "$N10KGZ"
ratio "ratio termijn 304s/nginx 10k 200s" "$T304" "$N10K"
ratio "ratio termijn 304s/nginx 100 200s" "$T304" "$N100"
ratio "ratio termijn/radicale 100" "$T100" "$R100"
ratio "ratio termijn/radicale 10k" "$T10K" "$R10K"

kill "$(cat "$TMP/watchdog.pid" 2>/dev/null)" 2>/dev/null
if ((broken)); then echo "# feeds bench: something broke (see PROBLEM lines)"; exit 1; fi
exit 0
