#!/bin/bash
# t-outbox.sh: the outbox stays small: bodies of sent reminders are not kept, rows past
# outbox-retention are pruned (in rounds, on a lived-in state), occurrences and the audit stay.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
echo "mail-url maildir:$T/maildir" >> "$T/termijnd.conf"
mkdir -p "$T/maildir"
DB=$T/state/termijn.db
q() { sqlite3 "$DB" "$1"; }

# ---- a reminder goes out: its body reaches the maildir, the outbox keeps only the row ----
start_daemon --clock-start '2013-12-09 09:00' --clock-speed 20000 || exit 1
sent() { [ "$(q "SELECT count(*) FROM outbox WHERE state = 'sent'")" -ge 3 ]; }
if wait_until 20 sent; then ok "reminders are sent (10 December 08:30 on the demo clock)"
else not_ok "reminders are sent ($(q "SELECT state, count(*) FROM outbox GROUP BY state"))"; fi
stop_daemon
NSENT=$(q "SELECT count(*) FROM outbox WHERE state = 'sent'")
expect_n 0 "$(q "SELECT count(*) FROM outbox WHERE state = 'sent' AND length(message) > 0")" \
    "none of the $NSENT sent rows keeps its body"
FILES=$(find "$T/maildir" -type f | wc -l)
expect_n "$NSENT" "$FILES" "each sent message is in the maildir"
F=$(find "$T/maildir" -type f | head -n 1)
if [ -n "$F" ] && grep -q '^Subject: ' "$F" && [ "$(wc -c < "$F")" -gt 500 ]; then
	ok "a delivered message is whole ($(wc -c < "$F") bytes)"
else not_ok "a delivered message is whole"; fi
IDS=$(q "SELECT group_concat(id) FROM outbox")

# ---- a lived-in state: a year of old rows, with bodies, as an older termijnd left them ----
NOCC=$(q "SELECT count(*) FROM occurrence")
NAUDIT=$(q "SELECT count(*) FROM audit")
q "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < 2500)
INSERT INTO outbox (plan, key, recipient, kind, due_at, created, state, attempts, next_attempt,
    sent_at, message_id, subject, message)
SELECT 'old', 'k' || x, 'sec@old.example', 'lead', 1355000000, 1355000000,
    CASE WHEN x % 10 = 0 THEN 'failed' WHEN x % 10 = 1 THEN 'cancelled' ELSE 'sent' END, 1, 0,
    CASE WHEN x % 10 < 2 THEN NULL ELSE 1355000000 + x END, '<' || x || '@old>', 'Old',
    randomblob(2000) FROM i;
INSERT INTO occurrence SELECT 'old', key, kind, due_at, recipient, id FROM outbox
    WHERE plan = 'old' AND id % 100 = 0;
INSERT INTO outbox (plan, key, recipient, kind, due_at, created, state, attempts, next_attempt,
    sent_at, message_id, subject, message)
VALUES ('old', 'recent', 'sec@old.example', 'lead', 1386500000, 1386500000, 'sent', 1, 0,
    strftime('%s', 'now') - 10 * 86400, '<recent@old>', 'Recent', ''),
    ('old', 'recentfail', 'sec@old.example', 'lead', 1386500000, 1386500000, 'failed', 8, 0,
    NULL, '<recentfail@old>', 'Recent', 'body')" || not_ok "cannot fill the outbox"
NOCC2=$(q "SELECT count(*) FROM occurrence")
expect_n $((NOCC + 25)) "$NOCC2" "the old occurrences are in"

# sent_at is on the real clock, created on the plan's (the demo clock here, 16 December 2013):
# rows of 2012 are long past the default 90 days; those of 8 December and ten days ago are not.
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
pruned() { [ "$(q "SELECT count(*) FROM outbox WHERE plan = 'old' AND key LIKE 'k%'")" = 0 ]; }
if wait_until 30 pruned; then ok "the 2,500 old rows (sent, failed, cancelled) are pruned"
else not_ok "old rows left: $(q "SELECT count(*) FROM outbox WHERE key LIKE 'k%'")"; fi
expect_n 2 "$(q "SELECT count(*) FROM outbox WHERE key IN ('recent', 'recentfail')")" \
    "the rows within the retention stay, the failed one with its body to retry"
expect_n "$NSENT" "$(q "SELECT count(*) FROM outbox WHERE id IN ($IDS)")" \
    "this month's reminders stay"
expect_n 25 "$(q "SELECT count(*) FROM occurrence WHERE plan = 'old'")" \
    "every occurrence stays, so that nothing pruned is sent again"
expect_n "$NAUDIT" "$(q "SELECT count(*) FROM audit")" "the audit log is untouched"
expect_exit 0 "reminders sent still answers" -- "$C" reminders sent
expect_in "recent" "it lists the recent row"
expect_exit 0 "a milestone can still be marked done" -- "$C" done uitnodiging
stop_daemon
# Taken once the daemon is gone: its scan of the week since the first run runs after the
# pruning rounds (at a lower priority), so a count taken while it ran could miss its rows.
occurrences() { q "SELECT plan, key, kind, at, recipient FROM occurrence ORDER BY 1, 2, 3, 4, 5"; }
occurrences > "$T/occ.before"

# A short retention prunes this month's reminders too, once they are older than it: as if
# those of the first run had been sent two days ago.
echo "outbox-retention 1" >> "$T/termijnd.conf"
q "UPDATE outbox SET sent_at = sent_at - 2 * 86400 WHERE id IN ($IDS)"
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
gone() { [ "$(q "SELECT count(*) FROM outbox WHERE id IN ($IDS)")" = 0 ]; }
if wait_until 20 gone; then ok "outbox-retention 1: the reminders of 10 December go"
else not_ok "outbox-retention 1: $(q "SELECT count(*) FROM outbox WHERE id IN ($IDS)") left"; fi
expect_n 0 "$(q "SELECT count(*) FROM outbox WHERE state = 'sent' AND
    sent_at < strftime('%s', 'now') - 86400")" "no sent row older than a day"
if [ "$(q "SELECT count(*) FROM outbox WHERE state = 'sent'")" -gt 0 ]; then
	ok "those sent within the day stay"; else not_ok "no sent row is left at all"; fi
# Each one that was there stays (a scan may add ones of its own, never take one away).
occurrences > "$T/occ.after"
expect_n 0 "$(LC_ALL=C comm -23 "$T/occ.before" "$T/occ.after" | wc -l)" \
    "the $(wc -l < "$T/occ.before") occurrences still stay"
stop_daemon
finish
