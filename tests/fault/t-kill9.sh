#!/bin/bash
# t-kill9.sh: kill -9 while 32 writers add, mark done and undo at once. After the restart
# every acknowledged change is there, none is there twice, and the database is sound.
. "$(dirname "$0")/../e2e/lib.sh"
setup_conf
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
WRITERS=32
MAXOPS=400

# writer W: its own milestones k-W-I, each added, marked done and every third undone; one
# line per request ("TRY op key" before, "ACK op key" once answered with success), and it
# stops at the first request without an answer.
writer() {
	w=$1 log=$T/writer-$1.log
	post() {
		echo "TRY $1 $2" >> "$log"
		code=$(curl -s -o /dev/null --max-time 10 --unix-socket "$SOCK" -X POST \
		    -H 'Content-Type: application/json' --data-binary "$3" -w '%{http_code}' \
		    "http://localhost/api/v1/$1")
		case $code in
		200|201) echo "ACK $1 $2" >> "$log" ;;
		000) return 1 ;;
		*) echo "ERR $1 $2 $code" >> "$log" ;;
		esac
	}
	for i in $(seq 1 $MAXOPS); do
		k=k-$w-$i
		post add "$k" "{\"plan\": \"bedrijfsvoering\", \"id\": \"$k\", \"title\": \"Schrijver $w stap $i\", \"owner\": \"secretaris\", \"due\": \"2014-02-20\"}" || return
		post done "$k" "{\"key\": \"$k\"}" || return
		if [ $((i % 3)) = 0 ]; then post undo "$k" "{\"key\": \"$k\", \"reason\": \"proef\"}" || return; fi
	done
}

for w in $(seq 1 $WRITERS); do writer "$w" & done
# Long enough for a few hundred acknowledged changes, then the hard stop.
acks() { cat "$T"/writer-*.log 2>/dev/null | grep -c '^ACK'; }
test_acks() { [ "$(acks)" -ge 600 ]; }
wait_until 30 test_acks || not_ok "fewer than 600 changes acknowledged in 30 s"
kill9_daemon
wait
N=$(acks)
ok "kill -9 with $WRITERS writers under way ($N changes acknowledged)"

start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
curl -s --unix-socket "$SOCK" http://localhost/api/v1/milestones > "$T/after.json"
sqlite3 "$T/state/termijn.db" "SELECT key, action FROM audit WHERE key LIKE 'k-%'" > "$T/audit.txt"
OUT=$(/usr/bin/python3 - "$T" "$WRITERS" <<'PY'
import collections, glob, json, sys
t, nw = sys.argv[1], int(sys.argv[2])
ms = json.load(open(t + "/after.json"))["milestones"]
status, dup = {}, []
for m in ms:
    if m["key"] in status:
        dup.append(m["key"])
    status[m["key"]] = m["status"]
audit = collections.Counter(tuple(l.rstrip("\n").split("|")) for l in open(t + "/audit.txt"))
after = {"add": "open", "done": "done", "undo": "open"}
bad = []
for f in glob.glob(t + "/writer-*.log"):
    lines = [l.split() for l in open(f)]
    acked = [(l[1], l[2]) for l in lines if l[0] == "ACK"]
    errs = [l for l in lines if l[0] == "ERR"]
    bad += ["refused: %s" % " ".join(e) for e in errs]
    last_try = lines[-1][1:3] if lines and lines[-1][0] == "TRY" else None
    want = {}
    for op, key in acked:
        want[key] = after[op]
    for key, st in want.items():
        ok = [st]
        if last_try and last_try[1] == key:
            ok.append(after[last_try[0]])
        if status.get(key) not in ok:
            bad.append("%s: %s after restart, acknowledged %s" % (key, status.get(key), st))
    for op, key in acked:
        if audit[(key, op)] != 1:
            bad.append("%s %s: %d times in the audit log" % (op, key, audit[(key, op)]))
for (key, op), n in audit.items():
    if n > 1:
        bad.append("%s %s: %d times in the audit log" % (op, key, n))
bad += ["%s twice in the plan" % k for k in dup]
print("\n".join(sorted(set(bad))[:20]) if bad else "all present")
PY
)
expect_in '^all present$' "every acknowledged change is there after the restart, none twice"
OUT=$(sqlite3 "$T/state/termijn.db" "PRAGMA integrity_check")
expect_in '^ok$' "PRAGMA integrity_check: ok"
expect_exit 0 "the daemon works on after the restart" -- "$TERMIJN" add -p bedrijfsvoering na-herstart \
    --title "Na de herstart" --owner secretaris --due 2014-02-20
stop_daemon
finish
