#!/bin/bash
# t-scan-diskfull.sh: the state directory full when reminders fall due: the failed scan goes
# again with backoff (not at the next reminder moment), what it could not queue is shown as
# to come, /healthz says degraded with the reason while the database takes no writes, and
# everything is back to normal, each reminder sent once, when there is room again.
# The state directory is a small tmpfs, so this runs as root only.
. "$(dirname "$0")/../e2e/lib.sh"
C=$TERMIJN
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: not root: no tmpfs to fill, the disk-full scan scenario did not run"
	exit 0
fi
setup_conf
rm -f "$T"/plans/*.plan
{
	printf 'plan vol\n  title Volle schijf\n  remind 1d\n  remind-at 08:30\n  overdue-max 0\n\n'
	printf 'role secretaris\n  address vol@vol.example\n'
	printf '\nmilestone een\n  title Eerste stap\n  owner secretaris\n  due 2013-12-11\n'
	printf '\nmilestone twee\n  title Tweede stap\n  owner secretaris\n  due 2013-12-11\n'
} > "$T/plans/vol.plan"
if ! mount -t tmpfs -o size=4m,mode=0700 tmpfs "$T/state"; then
	echo "SKIP: cannot mount a tmpfs: the disk-full scan scenario did not run"
	exit 0
fi
start_smtpd || exit 1
trap 'stop_smtpd; [ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null; wait; umount "$T/state"; cleanup' EXIT
mail_conf mail-retry-base 1

fill() { dd if=/dev/zero of="$T/state/fill" bs=64k 2>/dev/null; sync; }
health() { CODE=$(curl -s --max-time 5 -o "$T/hz" -w '%{http_code}' "http://$H/healthz"); OUT=$(cat "$T/hz"); }
healthy() { health; [ "$CODE" = 200 ]; }
failed_scans() { grep -c 'reminders: database: .*trying again in' "$T/daemon.log"; }
have() { [ "$(smtp_count)" -ge "$1" ]; }
retried() { [ "$(failed_scans)" -ge 2 ]; }

# ---- reminders due while the disk is full ----
start_daemon --clock-start '2013-12-10 08:29' --clock-speed 15 || exit 1
H=$(http_addr)
health
expect_n 200 "$CODE" "/healthz: 200 before the disk fills"
fill
# 08:30 on the demo clock comes four seconds after the start.
if wait_until 15 retried; then
	ok "the scan at 08:30 failed and went again"
else not_ok "the scan at 08:30 failed and went again ($(failed_scans) failed scans)"; fi
OUT=$(grep 'trying again in' "$T/daemon.log" | head -3)
expect_in 'trying again in 1 s' "the first retry after 1 s"
expect_in 'trying again in 2 s' "then after 2 s (backoff)"
health
expect_n 503 "$CODE" "/healthz: 503 while the database cannot be written"
expect_in '"status": "degraded"' "/healthz says degraded"
expect_in '"reason": "the database cannot be written: [^"]*full' "and why: the disk is full"
expect_exit 0 "termijn reminders" -- "$C" reminders
expect_in '^2013-12-10 08:30 +lead +een +vol@vol.example' \
    "the reminder not yet queued is shown as to come"
expect_n 0 "$(smtp_count)" "nothing was sent"

rm -f "$T/state/fill"
if wait_until 40 have 2; then ok "room again: both reminders arrive, without a new reminder moment"
else not_ok "room again: both reminders arrive ($(smtp_count))"; tail -5 "$T/daemon.log"; fi
if wait_until 5 healthy; then ok "/healthz: 200 again"; else not_ok "/healthz: 200 again ($CODE $OUT)"; fi
expect_in '"status": "ok"' "/healthz says ok"
expect_not_in 'reason' "and gives no reason"
sleep 1
expect_n 2 "$(smtp_count)" "each reminder once"
OUT=$("$C" reminders sent 2>&1)
expect_n 2 "$(printf '%s\n' "$OUT" | grep -Ec ' sent .* lead +(een|twee) +vol@vol.example ')" \
    "the outbox has both sent"

# ---- a failed commit of a change: degraded until the database takes writes again ----
fill
expect_exit 1 "done while the disk is full fails" -- "$C" done een
health
expect_n 503 "$CODE" "/healthz: 503 after a failed commit"
expect_in '"status": "degraded"' "/healthz says degraded"
rm -f "$T/state/fill"
# Nothing else asks for a write: the daemon finds out by itself that it can write again.
if wait_until 30 healthy; then ok "room again: /healthz is 200 again by itself"
else not_ok "room again: /healthz is 200 again by itself ($CODE $OUT)"; fi
stop_daemon

# ---- messages due for a retry while the disk is full: the backoff, not a busy loop ----
stop_smtpd
start_daemon -S "$T/state/s3" --clock-start '2013-12-10 08:29' --clock-speed 60 || exit 1
tried() { "$C" reminders pending 2>/dev/null | grep -q 'Couldn.t connect'; }
if wait_until 15 tried; then ok "with the server away the reminders wait for a retry"
else not_ok "with the server away the reminders wait for a retry"; fi
fill
before=$(grep -c 'disk is full' "$T/daemon.log")
sleep 6
n=$(($(grep -c 'disk is full' "$T/daemon.log") - before))
if [ "$n" -le 20 ]; then ok "6 s of a full disk with retries due: $n failed writes, with backoff"
else not_ok "6 s of a full disk with retries due: $n failed writes (a busy loop)"; fi
rm -f "$T/state/fill"
stop_daemon
finish
