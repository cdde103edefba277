# lib.sh: shared helpers of the end-to-end tests: a daemon in a temporary directory, checks.
# Sourced by each tests/e2e/t-*.sh with TERMIJND and TERMIJN set to the binaries.

set -u
PASS=0
FAIL=0
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/termijn-e2e.XXXXXX)
# Another user (the non-operator check) must reach the socket.
chmod 755 "$T"
SOCK=$T/termijnd.sock
export TERMIJN_SOCKET=$SOCK NO_COLOR=1
# The messages the tests compare are the English ones, whatever the caller's locale.
unset LANGUAGE LC_ALL LC_MESSAGES
export LANG=C.UTF-8
DPID=

cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }

# expect_exit CODE DESCRIPTION -- command...: run, keep output in $OUT, check the exit status.
expect_exit() {
	want=$1; desc=$2; shift 3
	OUT=$("$@" 2>&1); got=$?
	if [ "$got" -eq "$want" ]; then ok "$desc"; else
		not_ok "$desc (exit $got, wanted $want)"; printf '%s\n' "$OUT" | sed 's/^/    /'; fi
}

# expect_in PATTERN DESCRIPTION: $OUT matches the extended regular expression.
expect_in() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$1"; then ok "$2"; else
		not_ok "$2 (no /$1/ in output)"; printf '%s\n' "$OUT" | sed 's/^/    /' | head -40; fi
}

expect_not_in() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$1"; then
		not_ok "$2 (/$1/ found)"; printf '%s\n' "$OUT" | sed 's/^/    /' | head -40
	else ok "$2"; fi
}

# The shipped config, with state, socket and plans in the temporary directory.
setup_conf() {
	mkdir -p "$T/plans" "$T/state"
	cp "$TOP"/etc/plans/*.plan "$T/plans/"
	cat > "$T/termijnd.conf" <<EOC
plans-dir plans
state-dir state
socket termijnd.sock
socket-mode 0666
operators root
overriders root
templates-dir $TOP/etc/templates
listen 127.0.0.1:0
EOC
}

# start_daemon [options...]: start and wait until the socket answers (START_WAIT seconds).
start_daemon() {
	"$TERMIJND" -f "$T/termijnd.conf" "$@" 2>>"$T/daemon.log" &
	DPID=$!
	for _ in $(seq 1 $((${START_WAIT:-5} * 20))); do
		curl -sf --unix-socket "$SOCK" http://localhost/api/v1/status >/dev/null 2>&1 && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.05
	done
	not_ok "daemon did not start"; cat "$T/daemon.log"; return 1
}

stop_daemon() {
	kill -TERM "$DPID"
	wait "$DPID"; rc=$?
	DPID=
	if [ "$rc" -eq 0 ]; then ok "daemon stopped cleanly on SIGTERM"; else
		not_ok "daemon exit status $rc on SIGTERM"; tail -20 "$T/daemon.log"; fi
}

kill9_daemon() {
	kill -9 "$DPID"; wait "$DPID" 2>/dev/null; DPID=
}

# Sanitizer reports in the daemon's log fail the test.
check_log() {
	if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/daemon.log"; then
		not_ok "sanitizer report in the daemon log"; grep -E -A15 'ERROR|runtime error' "$T/daemon.log" | head -60
	else ok "no sanitizer report in the daemon log"; fi
}

finish() {
	check_log
	echo "$(basename "$0"): $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

# use_dutch: a locale for LANG=nl_NL.UTF-8 (the machine's, else one made with localedef
# under $T, as a fresh machine has none); 1 when neither can be had.
use_dutch() {
	locale -a 2>/dev/null | grep -qix 'nl_NL.utf8' && return 0
	mkdir -p "$T/locale"
	localedef -i nl_NL -f UTF-8 "$T/locale/nl_NL.UTF-8" >/dev/null 2>&1 || return 1
	export LOCPATH=$T/locale
}

# ---- mail: a real SMTP server on loopback (tests/e2e/smtpd.py), for t-mail.sh ----
SMTPD_PID=
SMTP_PORT=
MAILDIR=$T/mail

# start_smtpd [PORT]: start the server (a free port, or PORT to come back on the same one)
# and wait until it listens; SMTP_PORT is its port. Messages land in $MAILDIR.
start_smtpd() {
	rm -f "$T/smtpd.port"
	/usr/bin/python3 "$TOP/tests/e2e/smtpd.py" --dir "$MAILDIR" --port-file "$T/smtpd.port" \
	    --control "$T/smtpd.control" --log "$T/smtpd.events" ${1:+--port "$1"} \
	    2>>"$T/smtpd.log" &
	SMTPD_PID=$!
	trap 'stop_smtpd; cleanup' EXIT
	if wait_until 15 test -s "$T/smtpd.port"; then
		SMTP_PORT=$(cat "$T/smtpd.port")
		return 0
	fi
	not_ok "smtpd.py did not start"; cat "$T/smtpd.log"; return 1
}

stop_smtpd() {
	[ -n "$SMTPD_PID" ] || return 0
	kill -TERM "$SMTPD_PID" 2>/dev/null
	# aiosmtpd's stop can wait for ever on its loop thread (seen in a make check run): 5 s at most.
	wait_until 5 eval '! kill -0 "$SMTPD_PID" 2>/dev/null' ||
	    { echo "# smtpd.py did not stop on SIGTERM: killed"; kill -9 "$SMTPD_PID" 2>/dev/null; }
	wait "$SMTPD_PID" 2>/dev/null
	SMTPD_PID=
}

# smtp_ctl JSON: change the server's behaviour (see smtpd.py) and wait until it is in force.
smtp_ctl() {
	printf '%s\n' "$1" > "$T/smtpd.control.tmp"
	mv "$T/smtpd.control.tmp" "$T/smtpd.control"
	wait_until 5 test ! -e "$T/smtpd.control" || not_ok "smtpd.py did not take $1"
}

# The number of messages the server accepted so far.
smtp_count() {
	find "$MAILDIR" -name '*.eml' 2>/dev/null | wc -l
}

# mail_conf [KEY VALUE]...: the mail keys for the server, appended to termijnd.conf, then
# any given (later keys of the same name are errors, so give only what is not here).
mail_conf() {
	{
		echo "mail-url smtp://127.0.0.1:$SMTP_PORT"
		echo "mail-tls none"
		echo "mail-from termijn@termijn.example"
		while [ $# -ge 2 ]; do echo "$1 $2"; shift 2; done
	} >> "$T/termijnd.conf"
}

# token_of_last [SUFFIX]: the token of the feed address (SUFFIX .ics, or .html: its page) in
# the newest message the server took.
token_of_last() {
	/usr/bin/python3 - "$MAILDIR" "${1:-.ics}" <<'PY'
import email, email.policy, os, re, sys
d = sys.argv[1]
last = sorted(n for n in os.listdir(d) if n.endswith(".eml"))[-1]
msg = email.message_from_bytes(open(os.path.join(d, last), "rb").read(), policy=email.policy.default)
m = re.search(r"/feed/([A-Za-z0-9_-]+)" + re.escape(sys.argv[2]), msg.get_body(("plain",)).get_content())
print(m.group(1) if m else "")
PY
}

# token_in TOKEN FILES...: is any half of the token in these files? (A soft line break may
# split it in a message.)
token_in() {
	tok=$1; shift
	h=$((${#tok} / 2))
	grep -aqF -e "${tok:0:$h}" -e "${tok:$h}" "$@" 2>/dev/null
}

# expect_n WANT GOT DESCRIPTION: a count is what it should be.
expect_n() { if [ "$2" -eq "$1" ]; then ok "$3"; else not_ok "$3 ($2, wanted $1)"; fi; }

# The HTTP listener's address (port 0 in the config: a new port on each start).
http_addr() {
	"$TERMIJN" --json status | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["http"])'
}

# mbox list|check ...: what the SMTP server took, read by Python's e-mail parser.
mbox() { /usr/bin/python3 "$TOP/tests/e2e/mailbox.py" "$MAILDIR" "$@"; }

# wait_until SECONDS COMMAND...: poll every 50 ms until COMMAND succeeds; 1 on timeout.
wait_until() {
	_deadline=$(($(date +%s%N) + $1 * 1000000000)); shift
	until "$@"; do
		[ "$(date +%s%N)" -ge "$_deadline" ] && return 1
		sleep 0.05
	done
	return 0
}

# ---- for the fault suite: generated plans under load ----

# build_loadgen: $T/bin/loadgen, the keep-alive writer of bench/loadgen.c.
build_loadgen() {
	mkdir -p "$T/bin"
	cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -O2 -o "$T/bin/loadgen" \
	    "$TOP/bench/loadgen.c" -pthread || { not_ok "cannot build bench/loadgen.c"; return 1; }
}

# build_walfault: $T/walfault.so, the WAL's disk on request (tests/fault/walfault.c), driven
# by files in $T/walfault.
build_walfault() {
	mkdir -p "$T/walfault"
	cc -shared -fPIC -O2 -o "$T/walfault.so" "$TOP/tests/fault/walfault.c" -ldl ||
		{ not_ok "cannot build tests/fault/walfault.c"; return 1; }
}

# gen_conf LISTEN: termijnd.conf for the plans in $T/plans, this user the operator.
gen_conf() {
	mkdir -p "$T/plans" "$T/state"
	cat >"$T/termijnd.conf" <<EOC
plans-dir plans
state-dir state
socket termijnd.sock
socket-mode 0600
operators $(id -un)
templates-dir $TOP/etc/templates
listen $1
EOC
}

# faked_clock: TERMIJND becomes the daemon under libfaketime, its wall clock moved by
# set_clock 'YYYY-MM-DD HH:MM:SS' (Amsterdam) and shift_clock SECONDS (negative: back); the
# monotonic clock is left alone, as a real jump leaves it. Without libfaketime (package
# faketime, which tools/deps.sh installs) the test says what did not run and stops.
faked_clock() {
	local ft=
	# Where the architecture puts it (the package libfaketime, which faketime pulls in).
	for ft in /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1; do
		[ -e "$ft" ] && break
	done
	if [ ! -e "$ft" ]; then
		echo "SKIP: $(basename "$0") did not run: it needs libfaketimeMT.so.1" \
		    "(package faketime; tools/deps.sh installs it)"
		exit 0
	fi
	# Under ASan, libfaketime is loaded before ASan's runtime: allowed, as it wraps only
	# the clock calls.
	cat > "$T/termijnd-faked" <<EOS
#!/bin/sh
ASAN_OPTIONS=\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0 \\
LD_PRELOAD=$ft FAKETIME_TIMESTAMP_FILE=$T/faketime FAKETIME_NO_CACHE=1 \\
FAKETIME_DONT_FAKE_MONOTONIC=1 exec "$TERMIJND" "\$@"
EOS
	chmod +x "$T/termijnd-faked"
	TERMIJND=$T/termijnd-faked
	OFFSET=0
}
epoch() { date -d "TZ=\"Europe/Amsterdam\" $1" +%s; }
set_clock() {
	OFFSET=$(($(epoch "$1") - $(date +%s)))
	printf '%+d\n' "$OFFSET" > "$T/faketime.tmp" && mv "$T/faketime.tmp" "$T/faketime"
}
shift_clock() {
	OFFSET=$((OFFSET + $1))
	printf '%+d\n' "$OFFSET" > "$T/faketime.tmp" && mv "$T/faketime.tmp" "$T/faketime"
}
