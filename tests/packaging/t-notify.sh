#!/bin/bash
# t-notify.sh: the sd_notify protocol (READY, WATCHDOG, RELOADING, STOPPING) as systemd sees
# it, and socket activation: a client that connects before termijnd runs is answered.
. "$(dirname "$0")/../e2e/lib.sh"
: > "$T/daemon.log"
setup_conf

# notify.py prints ok/not ok lines of its own; count them here.
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	*) echo "$line" ;;
	esac
done < <(/usr/bin/python3 "$TOP/tests/packaging/notify.py" --daemon "$TERMIJND" \
	--conf "$T/termijnd.conf" --sock "$SOCK" --tmp "$T" --log "$T/daemon.log" 2>&1)

# Socket activation: systemd-socket-activate holds the socket and starts termijnd on the first
# connection, handing it over as fd 3 (LISTEN_FDS), as termijnd.socket does.
if command -v systemd-socket-activate >/dev/null; then
	ASOCK=$T/activated.sock
	systemd-socket-activate -l "$ASOCK" "$TERMIJND" -f "$T/termijnd.conf" \
	    2>>"$T/daemon.log" &
	DPID=$!
	# Listening, not just bound: the file exists a moment before listen(2), and a client
	# that connects in between is refused. Flags 00010000 in /proc/net/unix is a listener.
	listening() { grep -q " 00010000 .* $ASOCK\$" /proc/net/unix; }
	wait_until 10 listening || not_ok "systemd-socket-activate made no listening socket"
	expect_exit 0 "a client that connects before termijnd runs is answered" -- \
	    "$TERMIJN" -s "$ASOCK" status
	expect_in "bedrijfsvoering" "with the plans"
	if grep -q "socket activation" "$T/daemon.log"; then ok "termijnd took the socket from systemd"
	else not_ok "no \"socket activation\" in the log"; tail -5 "$T/daemon.log"; fi
	stop_daemon
	if [ -S "$ASOCK" ]; then ok "termijnd leaves systemd's socket in place when it stops"
	else not_ok "termijnd removed the socket systemd made"; fi
else
	echo "# skipped socket activation: systemd-socket-activate is not installed"
fi
finish
