#!/bin/bash
# t-statuspages.sh: the status of more plans than a page holds comes in pages (a cursor per
# plan), and the pages joined are the one answer, also with a change or a reload between
# pages; `termijn status` prints them as they come, in text and --json. The people of the
# plans come in pages of plans too, and the feeds in pages by id.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN PY=/usr/bin/python3
setup_conf
rm -f "$T"/plans/*.plan

# plan FILE ID: a small plan; file names sort otherwise than ids (p1 is in f0060.plan).
plan() {
	cat > "$T/plans/$1.plan" <<EOP
plan $2
  title Plan $2

role sec
  address sec@$2.example

milestone start
  title Start
  owner sec
  due 2014-03-01

milestone next
  title Next
  owner sec
  requires start
  due 2014-04-01
EOP
}
N=60
for i in $(seq 1 $N); do plan "f$(printf %04d $((N + 1 - i)))" "p$i"; done
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1

# pages QUERY [ACTION AFTER]: the pages of /status?QUERY joined, one JSON line per page to
# stderr (its plans and next); after the page numbered AFTER, run the shell command ACTION.
pages() {
	$PY - "$TOP/tests/e2e" "$SOCK" "$@" <<'PY'
import json, subprocess, sys, urllib.parse
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv.pop(1))
from unixhttp import Connection
c, q0 = Connection(sys.argv[1]), sys.argv[2]
q, out, n = q0, None, 0
while True:
    c.request("GET", "/api/v1/status?" + q)
    r = c.getresponse()
    page = json.loads(r.read())
    if r.status != 200:
        print(json.dumps({"http": r.status, "answer": page}))
        sys.exit(0)
    n += 1
    sys.stderr.write(json.dumps({"page": n, "plans": [p["id"] for p in page["plans"]],
        "orphans": "orphans" in page, "next": page["next"]}) + "\n")
    if out is None:
        out = page
    else:
        out["plans"] += page["plans"]
        for k in ("orphans", "unfit", "conflicts"):
            if k in page:
                out[k] = page[k]
    if len(sys.argv) > 4 and n == int(sys.argv[4]):
        subprocess.run(sys.argv[3], shell=True, check=True)
    if page["next"] is None:
        break
    q = q0 + ("&" if q0 else "") + "cursor=" + urllib.parse.quote(page["next"], safe="")
del out["next"]
print(json.dumps(out, indent=2, ensure_ascii=False))
PY
}
field() { $PY -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

pages "limit=1000" > "$T/whole.json" 2>"$T/whole.pages"
pages "limit=7" > "$T/paged.json" 2>"$T/paged.pages"
if [ "$(wc -l < "$T/whole.pages")" = 1 ] && [ "$(wc -l < "$T/paged.pages")" = 9 ] &&
    cmp -s "$T/whole.json" "$T/paged.json"; then
	ok "9 pages of 7 plans joined are the one page of all $N, byte for byte"
else
	not_ok "the pages of 7 joined differ from the whole"; head -3 "$T/paged.pages"
	diff "$T/whole.json" "$T/paged.json" | head -5
fi
if [ "$(field "$T/paged.json" '",".join(p["id"] for p in d["plans"])')" = \
    "$(seq -f 'p%g' $N -1 1 | paste -sd,)" ]; then
	ok "in the order the plans were loaded (their files'), each once"
else not_ok "plans out of order: $(field "$T/paged.json" '[p["id"] for p in d["plans"]][:5]')"; fi
if grep -q '"orphans": false' "$T/paged.pages" && tail -1 "$T/paged.pages" | grep -q '"orphans": true' &&
    [ "$(grep -c '"orphans": true' "$T/paged.pages")" = 1 ]; then
	ok "orphans, unfit and conflicts come with the last page only"
else not_ok "orphans on the wrong pages"; cat "$T/paged.pages"; fi
expect_exit 0 "the default page" -- curl -s --unix-socket "$SOCK" http://x/api/v1/status
if [ "$(printf '%s' "$OUT" | field /dev/stdin 'len(d["plans"])')" -le 100 ]; then
	ok "holds at most 100 plans"; else not_ok "the default page holds more than 100 plans"; fi
expect_in '"timezone":"Europe/Amsterdam","plans"' "and names the zone every plan shares"

# termijn status: each page printed as it comes, the same as the pages joined.
expect_exit 0 "termijn --json status" -- "$C" --json status
pages "" > "$T/default.json" 2>/dev/null
if [ "$OUT" = "$(cat "$T/default.json")" ]; then
	ok "termijn --json status is the pages joined, byte for byte"
else not_ok "termijn --json status is not the pages joined"
	diff <(printf '%s\n' "$OUT") "$T/default.json" | head -5; fi
expect_exit 0 "termijn status" -- "$C" status
if [ "$(printf '%s\n' "$OUT" | grep -o '^p[0-9]*: Plan' | sed 's/: Plan//' | paste -sd,)" = \
    "$(seq -f 'p%g' $N -1 1 | paste -sd,)" ]; then
	ok "termijn status shows every plan once, in order"
else not_ok "termijn status: $(printf '%s\n' "$OUT" | grep -c ': Plan') plans"; fi
expect_in '^  1 ready, 1 blocked$' "with its counts"

# A change between pages: plans already sent stay as they were read, later ones show it.
pages "limit=7" "$C done -p p60 start >/dev/null && $C done -p p40 start >/dev/null" 1 \
    > "$T/changed.json" 2>"$T/changed.pages"
if [ "$(field "$T/changed.json" '[p["counts"]["done"] for p in d["plans"] if p["id"] in ("p60", "p40")]')" = "[0, 1]" ] &&
    [ "$(field "$T/changed.json" 'len(d["plans"])')" = $N ]; then
	ok "done between pages: p60 (page 1) read before it, p40 (page 3) after, each plan once"
else not_ok "done between pages: $(field "$T/changed.json" '[(p["id"], p["counts"]) for p in d["plans"] if p["id"] in ("p60", "p40")]')"; fi
pages "limit=1000" > "$T/after.json" 2>/dev/null
if [ "$(field "$T/after.json" '[p["counts"]["done"] for p in d["plans"] if p["id"] in ("p60", "p40")]')" = "[1, 1]" ]; then
	ok "read again, both are done"; else not_ok "read again: not both done"; fi

# A reload between pages that takes away the cursor's plan: a 400, start again.
pages "limit=7" "rm $T/plans/f0008.plan && $C reload >/dev/null" 1 > "$T/reloaded.json" 2>/dev/null
if [ "$(field "$T/reloaded.json" 'd.get("http")')" = 400 ] &&
    grep -q 'start again' "$T/reloaded.json"; then
	ok "the cursor's plan (p53) reloaded away: 400, start again"
else not_ok "cursor of a plan reloaded away: $(head -c 300 "$T/reloaded.json")"; fi
# One that adds a plan before the cursor and one after: the pages go on from the cursor's
# plan; the one added before it is not shown, the one after is.
plan f0000 p0
plan f0099 p99
pages "limit=7" "$C reload >/dev/null" 2 > "$T/grown.json" 2>/dev/null
if [ "$(field "$T/grown.json" '",".join(p["id"] for p in d["plans"])')" = \
    "$(seq -f 'p%g' $N -1 54 | paste -sd,),$(seq -f 'p%g' 52 -1 1 | paste -sd,),p99" ]; then
	ok "a reload between pages: they go on from the cursor's plan, none twice"
else not_ok "after a reload between pages: $(field "$T/grown.json" '[p["id"] for p in d["plans"]]')"; fi

# joined NAME QUERY: the pages of /NAME?QUERY joined, as termijn --json NAME shows them; the
# number of pages to stderr.
joined() {
	$PY - "$TOP/tests/e2e" "$SOCK" "$1" "$2" <<'PY'
import json, sys, urllib.parse
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv.pop(1))
from unixhttp import Connection
c, name, q0 = Connection(sys.argv[1]), sys.argv[2], sys.argv[3]
q, out, n = q0, [], 0
while True:
    c.request("GET", "/api/v1/%s?%s" % (name, q))
    page = json.loads(c.getresponse().read())
    out += page[name]
    n += 1
    if page["next"] is None or n == 1000:
        break
    q = q0 + "&cursor=" + urllib.parse.quote(str(page["next"]), safe="")
sys.stderr.write("%d\n" % n)
print(json.dumps({name: out}, indent=2, ensure_ascii=False))
PY
}
joined people "limit=1000" > "$T/people.json" 2>/dev/null
joined people "limit=9" > "$T/people9.json" 2>"$T/people9.n"
if cmp -s "$T/people.json" "$T/people9.json" && [ "$(cat "$T/people9.n")" = 7 ] &&
    [ "$(field "$T/people.json" 'len(d["people"])')" = $((N + 1)) ]; then
	ok "people: 7 pages of 9 plans joined are the one page"
else not_ok "people: the pages of 9 plans differ from the whole ($(cat "$T/people9.n") pages)"; fi
expect_exit 0 "termijn --json people" -- "$C" --json people
if [ "$OUT" = "$(joined people "" 2>/dev/null)" ]; then ok "termijn --json people is the pages joined"
else not_ok "termijn --json people is not the pages joined"; fi
expect_exit 0 "termijn people" -- "$C" people
if [ "$(printf '%s\n' "$OUT" | grep -c '^sec@')" = $((N + 1)) ] &&
    [ "$(printf '%s\n' "$OUT" | grep -c '^ADDRESS ')" = 1 ]; then
	ok "termijn people: one heading, everyone once"
else not_ok "termijn people: $(printf '%s\n' "$OUT" | head -3)"; fi
for q in "cursor=nosuch" "plan=p7&cursor=p8" "limit=0"; do
	OUT=$(curl -s -w ' %{http_code}' --unix-socket "$SOCK" "http://x/api/v1/people?$q")
	if [ "${OUT##* }" = 400 ]; then ok "people?$q: 400"; else not_ok "people?$q: $OUT"; fi
done

for i in $(seq 1 25); do
	"$C" feeds create --person "sec@p$i.example" >/dev/null || not_ok "feed for sec@p$i.example"
done
"$C" feeds revoke 3 >/dev/null || not_ok "revoke feed 3"
joined feeds "limit=1000" > "$T/feeds.json" 2>/dev/null
joined feeds "limit=7" > "$T/feeds7.json" 2>"$T/feeds7.n"
if cmp -s "$T/feeds.json" "$T/feeds7.json" && [ "$(cat "$T/feeds7.n")" = 4 ] &&
    [ "$(field "$T/feeds.json" '[f["id"] for f in d["feeds"]] == list(range(1, 26))')" = True ]; then
	ok "feeds: 4 pages of 7 joined are the one page, by id"
else not_ok "feeds: the pages of 7 differ from the whole ($(cat "$T/feeds7.n") pages)"; fi
expect_exit 0 "termijn --json feeds" -- "$C" --json feeds
if [ "$OUT" = "$(joined feeds "" 2>/dev/null)" ]; then ok "termijn --json feeds is the pages joined"
else not_ok "termijn --json feeds is not the pages joined"; fi
expect_exit 0 "termijn feeds" -- "$C" feeds
if [ "$(printf '%s\n' "$OUT" | grep -cE '^[0-9]+ +person +sec@p[0-9]+\.example')" = 25 ] &&
    [ "$(printf '%s\n' "$OUT" | grep -c '^ID ')" = 1 ]; then
	ok "termijn feeds: one heading, every feed once"
else not_ok "termijn feeds: $(printf '%s\n' "$OUT" | head -3)"; fi
expect_in '^3 +person +sec@p3\.example .* revoked$' "the revoked one says so"
for q in "cursor=x" "cursor=0" "cursor=-2" "limit=0"; do
	OUT=$(curl -s -w ' %{http_code}' --unix-socket "$SOCK" "http://x/api/v1/feeds?$q")
	if [ "${OUT##* }" = 400 ]; then ok "feeds?$q: 400"; else not_ok "feeds?$q: $OUT"; fi
done

# Bad cursors and limits: a clear 400, nothing else.
for q in "cursor=nosuch" "cursor=" "cursor=p1%2Fstart" "limit=0" "limit=x" "limit=-3"; do
	OUT=$(curl -s -w ' %{http_code}' --unix-socket "$SOCK" "http://x/api/v1/status?$q")
	case $q in
	cursor=) want='"plans"' code=200 ;;	# empty: not given
	cursor*) want='cursor: no such place in the plans' code=400 ;;
	*) want='limit: a number from 1' code=400 ;;
	esac
	if [ "${OUT##* }" = "$code" ] && printf '%s' "$OUT" | grep -q "$want"; then
		ok "status?$q: $code"
	else not_ok "status?$q: $OUT"; fi
done
stop_daemon
finish
