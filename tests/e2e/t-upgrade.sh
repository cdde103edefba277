#!/bin/bash
# t-upgrade.sh: a database of an older termijnd (schema 9) is migrated at start: the new index
# is there and serves the outbox's pruning, and nothing but the rows past the retention goes.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
echo "mail-url maildir:$T/maildir" >> "$T/termijnd.conf"
mkdir -p "$T/maildir"
DB=$T/state/termijn.db
q() { sqlite3 "$DB" "$1"; }
CLOCK=(--clock-start '2013-12-16 09:00' --clock-speed 0)

# ---- a state with some life in it: a done, its go-ahead mail, reminders, the audit ----
start_daemon "${CLOCK[@]}" || exit 1
expect_exit 0 "a milestone is marked done" -- "$C" done uitnodiging
settled() { [ "$(q "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')")" = 0 ]; }
wait_until 20 settled || not_ok "the mail went ($(q "SELECT state, count(*) FROM outbox GROUP BY 1"))"
stop_daemon
NEWEST=$(q "PRAGMA user_version")

# ---- as schema 9 left it: without outbox_sent, and a lived-in outbox ----
q "DROP INDEX outbox_sent; PRAGMA user_version = 9" || not_ok "cannot make a schema 9 database"
q "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < 3000)
INSERT INTO outbox (plan, key, recipient, kind, due_at, created, state, attempts, next_attempt,
    sent_at, message_id, subject, message)
SELECT 'old', CASE WHEN x % 2 = 0 THEN 'k' ELSE 'r' END || x, 'sec@old.example', 'lead',
    1355000000, CASE WHEN x % 2 = 0 THEN 1355000000 ELSE 1386500000 END,
    CASE WHEN x % 10 = 0 THEN 'failed' WHEN x % 10 = 1 THEN 'cancelled' ELSE 'sent' END, 1, 0,
    CASE WHEN x % 10 < 2 THEN NULL WHEN x % 2 = 0 THEN 1355000000 + x
    ELSE strftime('%s', 'now') - 86400 - x END, '<' || x || '@old>', 'Old',
    CASE WHEN x % 10 = 0 THEN randomblob(200) ELSE zeroblob(0) END FROM i" ||
	not_ok "cannot fill the outbox"
expect_n 9 "$(q "PRAGMA user_version")" "the database says schema 9"
expect_n 0 "$(q "SELECT count(*) FROM sqlite_master WHERE name = 'outbox_sent'")" \
    "schema 9 has no outbox_sent"
# Every row of every table, as text, one a line (blobs as hex), to compare after the upgrade.
dump() {
	local t
	for t in $(q "SELECT name FROM sqlite_master WHERE type = 'table' AND
	    name NOT LIKE 'sqlite_%' ORDER BY name"); do
		sqlite3 -cmd '.mode quote' "$DB" "SELECT '$t', * FROM \"$t\""
	done | LC_ALL=C sort
}
dump > "$T/before"
# Of 2012 (sent, or failed and cancelled ones made then): past the default 90 days.
NOLD=$(q "SELECT count(*) FROM outbox WHERE plan = 'old' AND key LIKE 'k%'")

# ---- the new termijnd migrates it, and prunes by the index ----
start_daemon "${CLOCK[@]}" || exit 1
pruned() { [ "$(q "SELECT count(*) FROM outbox WHERE plan = 'old' AND key LIKE 'k%'")" = 0 ]; }
if wait_until 30 pruned; then ok "the $NOLD rows past the retention are pruned"
else not_ok "rows past the retention left: $(q "SELECT count(*) FROM outbox WHERE key LIKE 'k%'")"; fi
stop_daemon
expect_n "$NEWEST" "$(q "PRAGMA user_version")" "migrated to schema $NEWEST"
expect_n 1 "$(q "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND
    name = 'outbox_sent'")" "outbox_sent is there"
grep -q "database schema migrated to version $NEWEST" "$T/daemon.log" &&
	ok "the log says the schema was migrated" || not_ok "no migration in the log"
dump > "$T/after"
LC_ALL=C comm -23 "$T/before" "$T/after" > "$T/lost"
expect_n "$NOLD" "$(wc -l < "$T/lost")" "only the pruned rows are gone"
expect_n "$NOLD" "$(grep -c "^'outbox',[0-9]*,'old','k" "$T/lost")" \
    "and those are the rows past the retention"
expect_n 1500 "$(q "SELECT count(*) FROM outbox WHERE plan = 'old' AND key LIKE 'r%'")" \
    "the rows within the retention stay"

# store_outbox_prune's query (daemon/store.c): by outbox_sent on both sides, never a scan.
OUT=$(q "EXPLAIN QUERY PLAN DELETE FROM outbox WHERE id IN (SELECT id FROM outbox
    WHERE +state IN ('sent', 'failed', 'cancelled') AND (sent_at < 1 OR
    (sent_at IS NULL AND created < 2)) LIMIT 200)")
expect_in "USING INDEX outbox_sent \(sent_at<\?\)" "pruning finds the sent rows by outbox_sent"
expect_in "USING INDEX outbox_sent \(sent_at=\? AND created<\?\)" \
    "and the failed and cancelled ones by it too"
expect_not_in "SCAN outbox" "the outbox is not read whole"
finish
