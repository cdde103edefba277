#!/bin/bash
# t-locked.sh: while another process holds the database's write lock, changes are refused
# with a clear error and leave nothing behind in memory; once it lets go they go through.
. "$(dirname "$0")/lib.sh"
setup_conf
start_daemon --clock-start '2013-12-17 09:00' --clock-speed 0 || exit 1
C=$TERMIJN
DB=$T/state/termijn.db

# Hold the write lock for a while (longer than termijnd waits for it: 2 s a request).
/usr/bin/python3 - "$DB" "$T/locked" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(8)
db.execute("ROLLBACK")
PY
HOLDER=$!
wait_until 10 test -e "$T/locked" || not_ok "the lock was not taken"

expect_exit 1 "an addition while the database is locked" -- "$C" add -p bedrijfsvoering op-slot \
    --title "Op slot" --owner secretaris --due 2014-02-20
expect_in "database is locked" "the refusal says why"
expect_exit 4 "the refused addition is not in memory" -- "$C" show op-slot
expect_exit 1 "a done while the database is locked" -- "$C" done collegebesluit@staphorst
expect_exit 0 "show" -- "$C" --json show collegebesluit@staphorst
expect_in '"status": "open"' "the refused done is not in memory"
wait "$HOLDER"

expect_exit 0 "the addition once the lock is gone" -- "$C" add -p bedrijfsvoering op-slot \
    --title "Op slot" --owner secretaris --due 2014-02-20
expect_exit 0 "the done once the lock is gone" -- "$C" done collegebesluit@staphorst
OUT=$(sqlite3 "$DB" "SELECT count(*) FROM added WHERE id = 'op-slot'; SELECT status FROM state WHERE key = 'collegebesluit@staphorst'")
expect_in '^1$' "the addition is in the database once"
expect_in '^done$' "and the done"
stop_daemon
finish
