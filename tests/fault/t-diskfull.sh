#!/bin/bash
# t-diskfull.sh: the state directory fills up. Changes are refused with a clear error, none
# that was acknowledged is lost, and what the daemon shows is what the database holds: while
# the disk is full, once space returns, and after a restart. Needs root (a small tmpfs).
. "$(dirname "$0")/../e2e/lib.sh"
if [ "$(id -u)" != 0 ] || ! mkdir -p "$T/state" || ! mount -t tmpfs -o size=6m tmpfs "$T/state"; then
	echo "SKIP: t-diskfull.sh needs root to mount a small tmpfs as the state directory"
	exit 0
fi
setup_conf
start_smtpd || exit 1
mail_conf mail-retry-base 1
trap 'stop_smtpd; [ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null; umount "$T/state"; cleanup' EXIT
C=$TERMIJN
DB=$T/state/termijn.db
PERSON=secretaris@staphorst.example
# 17 December: the colleges decide on that day ("on 2013-12-17" in the plan).
start_daemon --clock-start '2013-12-17 09:00' --clock-speed 0 || exit 1
LONG=$(head -c 15000 /dev/zero | tr '\0' 'x')
NOTE=$(head -c 3900 /dev/zero | tr '\0' 'n')

# api METHOD PATH [BODY]: $CODE the HTTP status, $OUT the body.
api() {
	OUT=$(curl -s --max-time 20 --unix-socket "$SOCK" -X "$1" ${3:+-H 'Content-Type: application/json' --data-binary "$3"} \
	    -w '\n%{http_code}' "http://localhost$2")
	CODE=${OUT##*$'\n'}
	OUT=${OUT%$'\n'*}
}

# What the daemon shows against what the database holds: the additions, and every state
# that is not open.
same_as_db() {
	api GET /api/v1/milestones
	mem=$(printf '%s' "$OUT" | /usr/bin/python3 -c '
import json, sys
ms = json.load(sys.stdin)["milestones"]
for m in ms:
    if m["runtime"]: print("added", m["id"])
    if m["status"] != "open": print("state", m["key"], m["status"])
' | sort -u)
	db=$(sqlite3 "$DB" "SELECT 'added ' || id FROM added; SELECT 'state ' || key || ' ' || status FROM state WHERE status != 'open'" | sort -u)
	if [ "$mem" = "$db" ] && [ -n "$db" ]; then ok "$1: the daemon shows what the database holds"; else
		not_ok "$1: the daemon and the database differ"; diff <(echo "$db") <(echo "$mem") | head -20 | sed 's/^/    /'; fi
}

api POST /api/v1/add '{"plan": "bedrijfsvoering", "id": "vooraf", "title": "Vooraf", "owner": "secretaris", "due": "2014-02-20"}'
[ "$CODE" = 201 ] && ok "an addition before the disk fills" || not_ok "add before: $CODE $OUT"

api POST /api/v1/add '{"plan": "bedrijfsvoering", "id": "vorig", "title": "Vorig", "owner": "secretaris", "due": "2014-02-20"}'
api POST /api/v1/done '{"key": "vorig"}'
[ "$CODE" = 200 ] && ok "a done before the disk fills" || not_ok "done before: $CODE $OUT"

# Fill the disk to the last block, then give back a little: a few changes still fit (an
# addition also writes a mail to each owner of it).
dd if=/dev/zero of="$T/state/filler" bs=4k 2>/dev/null
truncate -s -512K "$T/state/filler"
ok "the state directory is nearly full ($(df -k "$T/state" | awk 'NR==2 {print $4}') KiB left)"

acked= refused= other=
for i in $(seq 1 40); do
	api POST /api/v1/add "{\"plan\": \"bedrijfsvoering\", \"id\": \"vol-$i\", \"title\": \"Vol $i\", \"owner\": \"secretaris\", \"due\": \"2014-02-20\", \"description\": \"$LONG\"}"
	case $CODE in
	201) acked="$acked vol-$i" ;;
	500) refused="$refused vol-$i"; LASTERR=$OUT ;;
	*) other="$other vol-$i:$CODE" ;;
	esac
done
[ -n "$refused" ] && ok "additions on a full disk are refused ($(echo $refused | wc -w) of 40)" || not_ok "no addition was refused"
[ -n "$acked" ] && ok "the first ones still fitted ($(echo $acked | wc -w))" || not_ok "none fitted before the disk was full"
[ -z "$other" ] && ok "every answer was a success or a refusal" || not_ok "other answers:$other"
OUT=$LASTERR
expect_in '"error":"internal"' "the refusal is a JSON error"
expect_in 'disk is full' "the refusal says the disk is full"
expect_in 'nothing was changed' "and that nothing was changed"
for id in $refused; do
	api GET "/api/v1/milestone?key=$id"
	[ "$CODE" = 404 ] || { not_ok "refused $id is there ($CODE)"; continue; }
done
ok "no refused addition is in memory"
first=$(echo $refused | cut -d' ' -f1)
api POST /api/v1/done "{\"key\": \"$first\"}"
[ "$CODE" = 404 ] && ok "done on a refused addition: not found" || not_ok "done on refused $first: $CODE $OUT"
api POST /api/v1/add "{\"plan\": \"bedrijfsvoering\", \"id\": \"$first\", \"title\": \"Vol\", \"owner\": \"secretaris\", \"due\": \"2014-02-20\", \"description\": \"$LONG\"}"
expect_not_in 'exists already' "adding a refused one again is not 'exists already'"

# State changes on the full disk: each either acknowledged or refused.
dones_acked= dones_refused=
for k in collegebesluit@staphorst collegebesluit@steenwijkerland collegebesluit@zwartewaterland vooraf; do
	api POST /api/v1/done "{\"key\": \"$k\", \"note\": \"$NOTE\"}"
	case $CODE in
	200) dones_acked="$dones_acked $k" ;;
	500) dones_refused="$dones_refused $k" ;;
	*) not_ok "done $k: $CODE $OUT" ;;
	esac
done
api POST /api/v1/waive "{\"key\": \"mt-betrokken@staphorst\", \"reason\": \"$NOTE\"}"
case $CODE in 200) dones_acked="$dones_acked mt-betrokken@staphorst" ;; 500) dones_refused="$dones_refused mt-betrokken@staphorst" ;; esac
api POST /api/v1/undo "{\"key\": \"vorig\", \"reason\": \"$NOTE\"}"
case $CODE in 200) dones_acked="$dones_acked vorig-undone" ;; 500) ;; *) not_ok "undo: $CODE $OUT" ;; esac
if [ "$CODE" = 500 ]; then
	api GET "/api/v1/milestone?key=vorig"
	printf '%s' "$OUT" | grep -q '"status":"done"' && ok "a refused undo leaves it done in memory" ||
	    not_ok "refused undo of vorig changed memory"
fi
api POST /api/v1/feeds/send "{\"person\": \"$PERSON\"}"
case $CODE in
500) [ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE kind = 'feed-link'")" = 0 ] &&
	ok "a refused feeds send leaves no message in the outbox" || not_ok "feeds send refused, but a row is there" ;;
200) ok "feeds send went through on the full disk" ;;
*) not_ok "feeds send: $CODE $OUT" ;;
esac
for k in $dones_refused; do
	api GET "/api/v1/milestone?key=$k"
	printf '%s' "$OUT" | grep -q '"status":"open"' || not_ok "refused change of $k is in memory"
done
ok "refused state changes are not in memory (${dones_refused:- none})"
api POST /api/v1/feeds '{"kind": "plan", "subject": "bedrijfsvoering"}'
[ "$CODE" = 201 ] || [ "$CODE" = 500 ] && ok "a feed on a full disk: created or refused ($CODE)" || not_ok "feed: $CODE $OUT"
same_as_db "disk full"

# Space returns.
rm -f "$T/state/filler"
api POST /api/v1/done '{"key": "inventarisatie", "override": true, "reason": "ruimte terug"}'
[ "$CODE" = 200 ] && ok "a change goes through once space returns" || not_ok "after space: $CODE $OUT"
for id in $refused; do
	api POST /api/v1/add "{\"plan\": \"bedrijfsvoering\", \"id\": \"$id\", \"title\": \"Vol\", \"owner\": \"secretaris\", \"due\": \"2014-02-20\"}"
	[ "$CODE" = 201 ] || not_ok "add $id again after space returned: $CODE $OUT"
done
ok "every refused addition can be made now"
same_as_db "space back"

# A message on its way when the disk fills: its outcome is kept and written once there is
# room, so that it is not "sending" for ever (and sent again at the next start).
feed_state() { sqlite3 "$DB" "SELECT state FROM outbox WHERE kind = 'feed-link' ORDER BY id DESC LIMIT 1"; }
state_is() { [ "$(feed_state)" = "$1" ]; }
arrived_more() { [ "$(smtp_count)" -gt "$1" ]; }
# The daemon's log since this message's phase began: the additions above may have met the
# full disk too, and their lines must not stand in for this message's.
logged_since() { tail -n +"$((LOG0 + 1))" "$T/daemon.log" | grep -q "$1"; }
N0=$(smtp_count)
api POST /api/v1/feeds/send "{\"person\": \"$PERSON\"}"
wait_until 15 state_is sent && wait_until 5 arrived_more "$N0" || not_ok "a first feed-link did not go: $(feed_state)"
smtp_ctl '{"stall": 5}'
N0=$(smtp_count)
LOG0=$(wc -l < "$T/daemon.log")
api POST /api/v1/feeds/send "{\"person\": \"$PERSON\"}"
[ "$CODE" = 200 ] || not_ok "feeds send: $CODE $OUT"
wait_until 10 state_is sending && ok "the message is on its way" || not_ok "not sending: $(feed_state)"
dd if=/dev/zero of="$T/state/filler" bs=4k 2>/dev/null
# The checkpoint that erases the first message's token from the WAL comes up to half a
# second after it (store_wipe) and gives its space back: fill that too.
sleep 1
dd if=/dev/zero of="$T/state/filler2" bs=4k 2>/dev/null
wait_until 15 arrived_more "$N0" && ok "the message arrived" || not_ok "the message did not arrive"
smtp_ctl '{"reset": true}'
if wait_until 10 logged_since 'kept to record later'; then
	ok "its outcome met the full disk and is kept"
	state_is sending && ok "the database still says sending" || not_ok "database says $(feed_state)"
else not_ok "the outcome was not kept (or the disk had room): $(feed_state)"; fi
rm -f "$T/state/filler" "$T/state/filler2"
wait_until 20 state_is sent && ok "once there is room the outcome is written: sent" ||
    not_ok "the outcome was not written: $(feed_state)"
# The line follows the commit (and SQLite's checkpoint after it): the row can read "sent"
# before the line is written.
wait_until 5 logged_since 'recorded after all' && ok "the log says so" || not_ok "no log line for the late outcome"
DELIVERED=$(smtp_count)

kill9_daemon
start_daemon --clock-start '2013-12-17 09:00' --clock-speed 0 || exit 1
for id in vooraf $acked $refused; do
	api GET "/api/v1/milestone?key=$id"
	[ "$CODE" = 200 ] || not_ok "after restart: $id missing ($CODE)"
done
ok "after a restart every acknowledged addition is there"
for k in $dones_acked inventarisatie; do
	[ "$k" = vorig-undone ] && continue
	api GET "/api/v1/milestone?key=$k"
	printf '%s' "$OUT" | grep -Eq '"status":"(done|waived)"' || not_ok "after restart: $k not done"
done
ok "after a restart every acknowledged state change is there"
api GET /api/v1/status
expect_in '"orphans":\[\]' "no orphans after the restart"
same_as_db "after restart"
sleep 2
[ "$(smtp_count)" = "$DELIVERED" ] && ok "after the restart no message goes twice" ||
    not_ok "messages after the restart: $(($(smtp_count) - DELIVERED))"
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] && ok "integrity_check ok" || not_ok "integrity_check"
stop_daemon
finish
