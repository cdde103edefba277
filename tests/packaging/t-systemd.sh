#!/bin/bash
# t-systemd.sh: the units pass systemd-analyze verify (against an install in a DESTDIR, with
# the paths moved into it), the service's exposure is 2.0 or lower, the sysusers file makes
# the user, and the units say what termijnd needs.
. "$(dirname "$0")/../e2e/lib.sh"
: > "$T/daemon.log"
cd "$TOP" || exit 1
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u PREFIX -u DESTDIR make --no-print-directory "$@"; }
S=systemd/termijnd.service K=systemd/termijnd.socket

# ---- what the units must say ----
OUT=$(cat "$S")
for l in 'Type=notify' 'ExecStart=/usr/sbin/termijnd -f /etc/termijn/termijnd.conf' \
    'ExecReload=/bin/kill -HUP $MAINPID' 'WatchdogSec=30s' 'Restart=on-failure' \
    'User=termijn' 'StateDirectory=termijn' 'RuntimeDirectory=termijn' \
    'RuntimeDirectoryPreserve=yes' 'ConfigurationDirectory=termijn' \
    'LoadCredential=smtp-password:/etc/termijn/smtp-password' 'Requires=termijnd.socket'; do
	if grep -qxF -- "$l" "$S"; then ok "service: $l"; else not_ok "service lacks: $l"; fi
done
expect_not_in '^PrivateUsers=yes' "service: no PrivateUsers= (it would hide the clients' uids)"
for l in 'ListenStream=/run/termijn/termijnd.sock' 'SocketMode=0666'; do
	if grep -qxF -- "$l" "$K"; then ok "socket: $l"; else not_ok "socket lacks: $l"; fi
done
# The socket of the unit is the one the shipped config and the client use.
grep -qx 'socket /run/termijn/termijnd.sock' etc/termijnd.conf &&
    grep -q 'TERMIJN_SOCKET_DEFAULT "/run/termijn/termijnd.sock"' client/client.h &&
    ok "termijnd.conf, termijn and termijnd.socket agree on the socket" ||
    not_ok "the socket paths of termijnd.conf, termijn and termijnd.socket differ"

if ! command -v systemd-analyze >/dev/null; then
	echo "# skipped systemd-analyze: systemd is not installed"
	finish; exit
fi

# ---- the exposure score ----
OUT=$(systemd-analyze security --offline=true --no-pager "$S" 2>&1)
score=$(printf '%s\n' "$OUT" | sed -n 's/.*Overall exposure level for termijnd.service: \([0-9.]*\).*/\1/p')
echo "# systemd-analyze security --offline=true $S: exposure $score"
printf '%s\n' "$OUT" | grep '✗' | sed 's/^/#   /'
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
	ok "exposure $score is 2.0 or lower"
else
	not_ok "exposure ${score:-unknown} is above 2.0"; printf '%s\n' "$OUT" | tail -5
fi

# ---- systemd-analyze verify, on the units as installed, moved into the DESTDIR ----
D=$T/root U=$T/units
mk install PREFIX=/usr SYSCONFDIR=/etc DESTDIR="$D" >"$T/install.log" 2>&1 ||
    { not_ok "make install DESTDIR"; cat "$T/install.log"; }
mkdir -p "$U"
for u in termijnd.service termijnd.socket; do
	sed -e "s|/usr/sbin/termijnd|$D/usr/sbin/termijnd|g" -e "s|/etc/termijn|$D/etc/termijn|g" \
	    -e "s|/run/termijn|$T/run/termijn|g" "$D/lib/systemd/system/$u" > "$U/$u"
done
# verify_units DIR: verify's complaints about our units (about others' units: not ours).
verify_units() {
	MANPATH=$D/usr/share/man SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=yes \
	    "$1/termijnd.socket" "$1/termijnd.service" 2>&1 | grep -i 'termijn' |
	    grep -v "^#"
}
OUT=$(verify_units "$U")
if [ -z "$OUT" ]; then ok "systemd-analyze verify: no complaint about termijnd.service and termijnd.socket"
else not_ok "systemd-analyze verify complains:"; printf '%s\n' "$OUT" | sed 's/^/    /'; fi
# The same check catches a broken unit (so that silence above means something).
mkdir -p "$T/broken"
cp "$U/termijnd.socket" "$T/broken/"
sed -e 's|^Type=notify|Type=notified|' -e "s|$D/usr/sbin/termijnd|$D/usr/sbin/termijnd-gone|" \
    "$U/termijnd.service" > "$T/broken/termijnd.service"
OUT=$(verify_units "$T/broken")
expect_in 'Type|notified' "verify does catch a bad Type= in a broken copy"
expect_in 'termijnd-gone' "and a missing ExecStart= binary"
OUT=$(systemd-analyze security --offline=true --no-pager "$D/lib/systemd/system/termijnd.service" 2>&1 |
    sed -n 's/.*Overall exposure level for termijnd.service: \([0-9.]*\).*/\1/p')
[ "$OUT" = "$score" ] && ok "the installed unit scores the same ($OUT)" ||
    not_ok "the installed unit scores $OUT, the source $score"

# ---- the sandbox lets termijnd do its work: its system calls, traced, pass the filter ----
# Not systemd itself (it is not running here): strace records what termijnd calls while it
# starts, answers the client, marks done and undoes, makes a feed, serves it and its metrics,
# reloads and stops; syscalls.py checks each call against the unit's SystemCallFilter= and
# each socket against RestrictAddressFamilies=.
if ! command -v strace >/dev/null && [ "$(id -u)" -eq 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends strace \
	    >/dev/null 2>&1
fi
if command -v strace >/dev/null && strace -f -qq -o /dev/null true 2>/dev/null; then
	setup_conf
	strace -f -qq -o "$T/trace" "$TERMIJND" -f "$T/termijnd.conf" 2>>"$T/daemon.log" &
	SPID=$!
	wait_until 10 curl -sf --unix-socket "$SOCK" http://localhost/api/v1/status -o /dev/null ||
	    not_ok "termijnd under strace did not start"
	TPID=$(ps -o pid= --ppid "$SPID" | tr -d ' ')
	DPID=$TPID	# for lib.sh's cleanup: strace ends with it
	"$TERMIJN" status >/dev/null
	"$TERMIJN" done collegebesluit@staphorst -n traced >/dev/null
	"$TERMIJN" undo collegebesluit@staphorst -r traced >/dev/null
	url=$("$TERMIJN" feeds create --plan bedrijfsvoering | grep -o 'http://[^ ]*\.ics')
	http=$("$TERMIJN" --json status | sed -n 's/.*"http": "\(.*\)".*/\1/p')
	curl -sf -o /dev/null "$url" && curl -sf -o /dev/null "http://$http/metrics" ||
	    not_ok "the feed or the metrics did not answer under strace"
	kill -HUP "$TPID"
	sleep 0.3
	"$TERMIJN" status >/dev/null
	kill -TERM "$TPID"
	wait "$SPID"
	DPID=
	# SQLite gives the database's owner to its journal files with fchown(), as root only;
	# the service runs as termijn.
	excuse=
	[ "$(id -u)" -eq 0 ] && excuse=fchown
	OUT=$(EXCUSE=$excuse /usr/bin/python3 "$TOP/tests/packaging/syscalls.py" "$S" "$T/trace")
	rc=$?
	printf '%s\n' "$OUT" | grep '^#'
	if [ "$rc" -eq 0 ]; then ok "every system call and socket family termijnd used is allowed by the unit"
	else not_ok "the unit's filters would refuse:"; printf '%s\n' "$OUT" | grep -v '^#' | sed 's/^/    /'; fi
else
	echo "# skipped the system call check: strace is not installed or cannot trace here"
fi

# ---- the sysusers file makes the user termijn (in a root of our own) ----
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$T/sysroot/etc"
	expect_exit 0 "systemd-sysusers --root accepts termijn.sysusers" -- \
	    systemd-sysusers --root="$T/sysroot" "$TOP/systemd/termijn.sysusers"
	OUT=$(cat "$T/sysroot/etc/passwd" 2>/dev/null)
	expect_in '^termijn:x:[0-9]+:[0-9]+:[^:]*:/var/lib/termijn:/usr/sbin/nologin$' \
	    "it makes the system user termijn, home /var/lib/termijn, no shell"
else
	echo "# skipped: systemd-sysusers is not installed"
fi
finish
