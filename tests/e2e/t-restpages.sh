#!/bin/bash
# t-restpages.sh: /reminders, /parts and /access answer in pages as /milestones does (issue
# 13: no answer built whole): with more rows than a page, every row comes once and in order,
# whatever the page size, each page is bounded, termijn --json shows the pages joined byte
# for byte (read here with curl-like requests), its tables have every row, bad cursors get a
# clear 400. The outbox and the tokens are written into the database while termijnd is down:
# what is read is the subject here, not how rows come to be.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN PY=/usr/bin/python3
setup_conf
rm -f "$T"/plans/*.plan
# More dimensions than a page holds (a plan has 100 at most): eleven plans of 100, v10's
# d099 with parts across the first page's end.
for v in $(seq -w 1 11); do
	{
		printf 'plan v%s\n  title Veel dimensies\n  timezone Europe/Amsterdam\n\n' "$v"
		printf 'role secretaris\n  address secretaris@veel.example\n\n'
		printf 'milestone begin\n  title Begin\n  owner secretaris\n  due 2014-06-01\n'
		[ "$v" = 10 ] && printf '\nmilestone stuk\n  title Een stuk per deel\n  owner secretaris\n  per d099\n  due 2014-06-02\n'
		for i in $(seq -w 1 100); do printf '\ndimension d%s\n' "$i"; done
	} > "$T/plans/v$v.plan"
done
printf 'plan ander\n  title Ander plan\n  timezone Europe/Amsterdam\n\nrole s\n  address s@ander.example\n\nmilestone m\n  title M\n  owner s\n  due 2014-06-01\n' \
    > "$T/plans/ander.plan"
start_daemon --clock-start '2014-01-06 09:00' --clock-speed 0 || exit 1
for p in p1 p2 p3 p4 p5; do
	"$C" part add v10 d099 "$p" --title "Deel $p" >/dev/null || not_ok "part add $p"
done
# The mails of those changes go out first: the counts below must not move (a row still
# "sending" at the stop would be sent by the next start, two more sent than counted).
none_pending() {
	for st in pending sending; do
		curl -s --unix-socket "$SOCK" "http://localhost/api/v1/reminders?state=$st&upcoming=0" |
		    grep -q '"outbox":\[\]' || return 1
	done
}
wait_until 10 none_pending || not_ok "the change mails were not sent"
stop_daemon

# 10,500 outbox rows, plan ander's the last 500 (an answer of the first 10,000 missed them),
# failed ones among them across the pages; 1,100 tokens. Then how many rows of each there
# are (the part adds wrote some too).
read -r NSENT NFAILED NALL < <($PY - "$T/state/termijn.db" <<'PY'
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time())
states = ["sent", "cancelled", "sent", "failed"]
rows = []
for i in range(10500):
    plan = "v01" if i < 10000 else "ander"
    st = states[i % 4]
    rows.append((plan, "begin" if plan == "v01" else "m", "r%d@veel.example" % i, "lead",
                 now - 86400 + i, now, st, 1, 0, "550 no" if st == "failed" else None,
                 550 if st == "failed" else None, now if st == "sent" else None,
                 "<%d@termijn>" % i, "Herinnering %d «é»" % i, b"x" * 2000))
db.executemany("INSERT INTO outbox (plan, key, recipient, kind, due_at, created, state,"
               " attempts, next_attempt, last_error, smtp_code, sent_at, message_id, subject,"
               " message) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
db.executemany("INSERT INTO token (person, token_hash, created, expires, created_by, how)"
               " VALUES (?,?,?,?,?,?)",
               [("p%d@veel.example" % (i % 7), os.urandom(32), now, now + 86400 * 30, "root",
                 "grant") for i in range(1100)])
db.commit()
print(*[db.execute("SELECT count(*) FROM outbox" + w).fetchone()[0] for w in
        (" WHERE state = 'sent'", " WHERE state = 'failed'", "")])
PY
)
start_daemon --clock-start '2014-01-06 09:00' --clock-speed 0 || exit 1

# pages PATH QUERY LIST: the API's pages of PATH?QUERY joined as one answer (a dimension
# that goes on in the next page, merged), as termijn --json shows them; on stderr the
# number of pages, the most rows and the most bytes in one, and whether the rows (by id,
# or plan/dimension/part) came once each, in order.
pages() {
	$PY - "$TOP/tests/e2e" "$T/termijnd.sock" "$@" <<'PY'
import json, sys, urllib.parse
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv.pop(1))
from unixhttp import Connection
c, path, q0, name = Connection(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
q, out, n, most, big, seen = q0, None, 0, 0, 0, []
while True:
    c.request("GET", "/api/v1/" + path + ("?" + q if q else ""))
    body = c.getresponse().read()
    page = json.loads(body)
    n += 1
    big = max(big, len(body))
    rows = page[name]
    most = max(most, sum(len(d["parts"]) or 1 for d in rows) if name == "dimensions" else len(rows))
    for r in rows:
        if name == "dimensions":
            seen += [(r["plan"], r["id"], p["id"]) for p in r["parts"]] or [(r["plan"], r["id"], None)]
        else:
            seen.append(r["id"])
    if out is None:
        out = page
    else:
        have = out[name]
        if name == "dimensions" and rows and have and \
            (rows[0]["plan"], rows[0]["id"]) == (have[-1]["plan"], have[-1]["id"]):
            have[-1]["parts"] += rows.pop(0)["parts"]
        have += rows
    if page.get("next") is None:
        break
    nxt = page["next"]
    q = q0 + ("&" if q0 else "") + "cursor=" + urllib.parse.quote(str(nxt), safe="")
del out["next"]
once = len(seen) == len(set(seen))
ordered = name == "dimensions" or seen == sorted(seen)
sys.stderr.write("%d %d %d %s\n" % (n, most, big, "once-in-order" if once and ordered else "NOT"))
print(json.dumps(out, indent=2, ensure_ascii=False))
PY
}

# same_as_client WHAT PATH QUERY LIST ARGS...: the client's JSON is the pages joined.
same_as_client() {
	what=$1 path=$2 query=$3 list=$4
	shift 4
	"$C" --json "$@" > "$T/client.json" 2>"$T/client.err"
	rc=$?
	pages "$path" "$query" "$list" > "$T/pages.json" 2>"$T/pages.n"
	read -r NPAGES MOST BIG ONCE < "$T/pages.n"
	if [ "$rc" = 0 ] && cmp -s "$T/client.json" "$T/pages.json"; then
		ok "$what: termijn --json $* is the $NPAGES pages joined, byte for byte"
	else
		not_ok "$what: termijn --json $* (exit $rc) is not the pages joined"
		diff "$T/client.json" "$T/pages.json" | head -5 | sed 's/^/    /'
		head -3 "$T/client.err" | sed 's/^/    /'
	fi
}

count() { $PY -c 'import json, sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$@"; }

# bounded WHAT ROWS: the pages seen by the last pages call were several, of at most ROWS
# rows and at most 1 MB each, and gave every row once, in order.
bounded() {
	if [ "$NPAGES" -gt 1 ] && [ "$MOST" -le "$2" ] && [ "$BIG" -le 1000000 ] &&
	    [ "$ONCE" = once-in-order ]; then
		ok "$1: $NPAGES pages of at most $MOST rows ($BIG bytes), every row once, in order"
	else
		not_ok "$1: pages $NPAGES, at most $MOST rows, $BIG bytes, $ONCE"
	fi
}

# ---- the outbox ----
same_as_client "reminders" reminders "state=sent&upcoming=0" outbox reminders sent
bounded "the sent reminders" 1000
N=$(count "$T/client.json" outbox)
if [ "$N" = "$NSENT" ] && [ "$N" -ge 5250 ]; then ok "all $N sent reminders are shown"; else
	not_ok "$N sent reminders shown, not $NSENT"; fi
same_as_client "reminders of one plan" reminders "state=failed&plan=ander&upcoming=0" outbox \
    reminders failed -p ander
N=$(count "$T/client.json" outbox)
if [ "$N" = 125 ]; then ok "the 125 failed of plan ander, past the first 10,000 rows"; else
	not_ok "$N failed reminders of plan ander, not 125"; fi
same_as_client "the whole outbox" reminders "upcoming=0" outbox reminders all
N=$(count "$T/client.json" outbox)
if [ "$N" = "$NALL" ] && [ "$N" -ge 10500 ]; then ok "all $N rows of the outbox"; else
	not_ok "$N rows of $NALL"; fi
pages reminders "limit=7&state=failed" outbox > "$T/small.json" 2>"$T/pages.n"
read -r NPAGES MOST BIG ONCE < "$T/pages.n"
bounded "failed reminders 7 at a time" 7
N=$(count "$T/small.json" outbox)
if [ "$N" = "$NFAILED" ]; then ok "7 at a time gives all $N failed"; else
	not_ok "7 at a time gives $N failed, not $NFAILED"; fi
# Without --json, the table has every row.
expect_exit 0 "termijn reminders failed" -- "$C" reminders failed
N=$(printf '%s\n' "$OUT" | grep -c ' failed ')
if [ "$N" = "$NFAILED" ]; then ok "its table has all $N rows"; else
	not_ok "its table has $N rows, not $NFAILED"; fi
expect_exit 0 "termijn reminders (upcoming, and the failed ones)" -- "$C" reminders
N=$(printf '%s\n' "$OUT" | grep -c ' failed ')
if [ "$N" = "$NFAILED" ]; then ok "it lists all $N failed"; else
	not_ok "it lists $N failed, not $NFAILED"; fi

# ---- the tokens ----
same_as_client "tokens" access "" tokens access list
bounded "the tokens" 1000
N=$(count "$T/client.json" tokens)
if [ "$N" = 1100 ]; then ok "all 1100 tokens are listed"; else not_ok "$N tokens listed, not 1100"; fi
expect_exit 0 "termijn access list" -- "$C" access list
N=$(printf '%s\n' "$OUT" | grep -c 'in force')
if [ "$N" = 1100 ]; then ok "its table has all 1100"; else not_ok "its table has $N tokens, not 1100"; fi
pages access "limit=9" tokens > /dev/null 2>"$T/pages.n"
read -r NPAGES MOST BIG ONCE < "$T/pages.n"
bounded "tokens 9 at a time" 9

# ---- the parts ----
same_as_client "parts" parts "" dimensions part list
bounded "the dimensions" 1000
N=$($PY -c 'import json, sys; d = json.load(open(sys.argv[1]))["dimensions"]; print(len(d), [p["id"] for x in d if x["plan"] + x["id"] == "v10d099" for p in x["parts"]], [p["instances"] for x in d if x["plan"] + x["id"] == "v10d099" for p in x["parts"]][2])' "$T/client.json")
if [ "$N" = "1100 ['p1', 'p2', 'p3', 'p4', 'p5'] ['stuk#p3']" ]; then
	ok "1100 dimensions, v10's d099 once with its five parts, each with its step"
else not_ok "the dimensions: $N"; fi
OUT=$(curl -s --unix-socket "$SOCK" http://localhost/api/v1/parts | $PY -c 'import json, sys; p = json.load(sys.stdin); print(p["next"], len(p["dimensions"]), len(p["dimensions"][-1]["parts"]))')
if [ "$OUT" = "v10/d099/p3 999 2" ]; then ok "the first page ends within d099, the next names its third part"
else not_ok "the first page: next, dimensions, parts of the last: $OUT"; fi
pages parts "limit=3" dimensions > "$T/small.json" 2>"$T/pages.n"
read -r NPAGES MOST BIG ONCE < "$T/pages.n"
bounded "dimensions and parts 3 at a time" 3
if cmp -s "$T/small.json" "$T/client.json"; then ok "3 at a time, joined, are the same"; else
	not_ok "3 at a time, joined, differ"; diff "$T/small.json" "$T/client.json" | head -5; fi
same_as_client "one dimension's parts" parts "plan=v10&dimension=d099" dimensions \
    part list v10 d099
expect_exit 0 "termijn part list" -- "$C" part list
N=$(printf '%s\n' "$OUT" | grep -c '^v[01][0-9] ')
if [ "$N" = 1104 ]; then ok "its table has a row per part and per empty dimension"; else
	not_ok "its table has $N rows, not 1104"; fi

# ---- bad cursors and limits: a clear 400 ----
bad() {
	code=$(curl -s -o "$T/bad.json" -w '%{http_code}' --unix-socket "$SOCK" \
	    "http://localhost/api/v1/$1")
	if [ "$code" = 400 ] && grep -q "\"message\":\"$2" "$T/bad.json"; then ok "$1: 400, $2"
	else not_ok "$1: $code $(head -c 300 "$T/bad.json")"; fi
}
bad "reminders?cursor=0" "cursor: the number of a reminder"
bad "reminders?cursor=abc" "cursor: the number of a reminder"
bad "reminders?limit=0" "limit: a number from 1"
bad "reminders?cursor=99999999999999999999" "cursor: the number of a reminder"
bad "access?cursor=9223372036854775808" "cursor: the number of a token"
bad "access?cursor=-3" "cursor: the number of a token"
bad "access?limit=x" "limit: a number from 1"
bad "parts?cursor=v10" "cursor: no such place in the plans"
bad "parts?cursor=v10/d999" "cursor: no such place in the plans"
bad "parts?cursor=v10/d099/p9" "cursor: no such place in the plans"
bad "parts?cursor=nosuch/d001" "cursor: no such place in the plans"
bad "parts?limit=-1" "limit: a number from 1"
stop_daemon
finish
