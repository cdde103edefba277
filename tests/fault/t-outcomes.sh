#!/bin/bash
# t-outcomes.sh: what became of messages that went while the WAL took no writes (ENOSPC,
# tests/fault/walfault.c) stays in memory; a clean stop records it once there is room, so
# the next start sends none of them again (before, their rows stayed "sending" and went twice).
. "$(dirname "$0")/../e2e/lib.sh"
build_walfault || { finish; exit 1; }
F=$T/walfault
gen_conf 127.0.0.1:0
{
	printf 'plan vol\n  title Stap\n  timezone Europe/Amsterdam\n  remind 1d\n  remind-at 08:30\n  overdue-max 0\n\n'
	printf 'role secretaris\n  address vol@vol.example\n'
	for i in 1 2 3 4; do
		printf '\nmilestone m%d\n  title Stap %d\n  owner secretaris\n  due 2013-12-11\n' "$i" "$i"
	done
} >"$T/plans/vol.plan"
start_smtpd || exit 1
mail_conf mail-in-flight 4
smtp_ctl '{"stall": 3}'
# The reminders fall due 4 s after the start (08:30 at 15 times the speed).
LD_PRELOAD=$T/walfault.so WALFAULT_DIR=$F start_daemon --clock-start '2013-12-10 08:29' \
    --clock-speed 15 || exit 1
rows() { sqlite3 "$T/state/termijn.db" "SELECT count(*) FROM outbox WHERE plan = 'vol' AND state = '$1'"; }
nstalled() { cat "$T/smtpd.events" 2>/dev/null | grep -c ' data-stall '; }
stalled() { [ "$(nstalled)" -ge 4 ]; }
unrecorded() { grep -q 'cannot record the outcomes' "$T/daemon.log"; }
if wait_until 30 stalled; then ok "four reminders on their way, in DATA"
else not_ok "four reminders in DATA ($(nstalled))"; fi
expect_n 4 "$(rows sending)" "their rows are sending"
touch "$F/full"
went() { [ "$(grep -c 'reminder [0-9]* sent$' "$T/daemon.log")" -ge 4 ] && unrecorded; }
if wait_until 20 went; then ok "the server took them; their outcomes meet a full disk"
else not_ok "not all went, or no outcome met the full disk"; tail -5 "$T/daemon.log"; fi
expect_n 4 "$(smtp_count)" "four messages arrived"
rm -f "$F/full"
stop_daemon
expect_n 4 "$(rows sent)" "a clean stop records them, now that there is room"
smtp_ctl '{"reset": true}'
start_daemon --clock-start '2013-12-10 08:35' --clock-speed 15 || exit 1
sleep 2
expect_n 4 "$(smtp_count)" "after a restart none goes again"
stop_daemon
finish
