#!/bin/bash
# t-logpages.sh: a log longer than a page (1000) is read forwards from after=SEQ or last=N
# as well as backwards from before=SEQ, the pages joined the same either way, and `termijn
# log` prints each page as it comes: an entry written while it prints is on its last page
# (past -n, it is not shown), in text and --json.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN PY=/usr/bin/python3
setup_conf
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
expect_exit 0 "termijn log of a step without entries" -- "$C" log -p sociaal-domein werkgroep-opbrengst
if [ "$OUT" = "no log entries" ]; then ok "says so, and nothing else"
else not_ok "an empty log: $OUT"; fi

# 2200 entries of done and undo by a local user, of one plan's step and then another's,
# written as termijnd writes them (the changes themselves would take a minute here).
stop_daemon >/dev/null
sqlite3 "$T/state/termijn.db" "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i
    WHERE x < 2200) INSERT INTO audit (at, actor, uid, plan, key, action, reason, note,
    channel) SELECT 1387180800 + x, 'root', 0, CASE WHEN x <= 1400 THEN 'sociaal-domein' ELSE
    'bedrijfsvoering' END, CASE WHEN x <= 1400 THEN 'werkgroep-opbrengst' ELSE
    'collegebesluit@staphorst' END, CASE x % 2 WHEN 1 THEN 'done' ELSE 'undo' END,
    CASE x % 2 WHEN 0 THEN 'r' || x END, CASE x % 2 WHEN 1 THEN 'n' || x END, 'socket' FROM i" ||
	not_ok "cannot write the entries"
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
TOTAL=$(sqlite3 "$T/state/termijn.db" 'SELECT count(*) FROM audit')

# pages QUERY PARAM [MODE]: the entries of /log?QUERY's pages joined, following next as PARAM,
# as {"entries": [...]} in termijn --json's layout; the pages' sizes to stderr.
pages() {
	$PY - "$TOP/tests/e2e" "$SOCK" "$@" <<'PY'
import json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv.pop(1))
from unixhttp import Connection
c, q, param = Connection(sys.argv[1]), sys.argv[2], sys.argv[3]
url, all, sizes = q, [], []
while True:
    c.request("GET", "/api/v1/log?" + url)
    r = c.getresponse()
    page = json.loads(r.read())
    if r.status != 200:
        sys.exit("HTTP %d: %s" % (r.status, page))
    sizes.append(len(page["entries"]))
    all = all + page["entries"] if param == "after" else page["entries"] + all
    if page["next"] is None:
        break
    if len(sizes) == 1000:
        sys.exit("more than 1000 pages: next is %s" % page["next"])
    base = "&".join(p for p in q.split("&") if not p.startswith(("after=", "last=")))
    url = base + "&%s=%d" % (param, page["next"])
sys.stderr.write(" ".join(map(str, sizes)) + "\n")
print(json.dumps({"entries": all}, indent=2, ensure_ascii=False))
PY
}

pages "limit=1000" before > "$T/back.json" 2>"$T/back.n"
pages "limit=1000&after=0" after > "$T/fwd.json" 2>"$T/fwd.n"
pages "limit=7&after=0" after > "$T/fwd7.json" 2>/dev/null
N=$($PY -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$T/fwd.json")
if [ "$N" = "$TOTAL" ] && [ "$N" -gt 2200 ] && cmp -s "$T/back.json" "$T/fwd.json" &&
    cmp -s "$T/fwd.json" "$T/fwd7.json"; then
	ok "forwards (pages of $(cat "$T/fwd.n"), or of 7) and backwards: all $N entries, the same"
else not_ok "forwards and backwards differ ($N of $TOTAL; $(cat "$T/fwd.n") / $(cat "$T/back.n"))"; fi
if $PY -c 'import json, sys; s = [e["seq"] for e in json.load(open(sys.argv[1]))["entries"]]
sys.exit(s != sorted(set(s)))' "$T/fwd.json"; then ok "oldest first, none twice"
else not_ok "the forward pages are out of order"; fi
pages "limit=1000&last=1500" after > "$T/last.json" 2>"$T/last.n"
pages "limit=7&last=15" after > "$T/last15.json" 2>/dev/null
if $PY -c 'import json, sys; a, l, l15 = (json.load(open(f))["entries"] for f in sys.argv[1:])
sys.exit(not (l == a[-1500:] and l15 == a[-15:]))' "$T/fwd.json" "$T/last.json" "$T/last15.json"; then
	ok "last=1500 (pages of $(cat "$T/last.n")) and last=15 in pages of 7: the newest ones"
else not_ok "last=N is not the newest N"; fi
for f in "plan=sociaal-domein" "plan=bedrijfsvoering&key=collegebesluit%40staphorst"; do
	pages "limit=1000&$f" before > "$T/b.json" 2>/dev/null
	pages "limit=1000&$f&after=0" after > "$T/f.json" 2>"$T/f.n"
	if cmp -s "$T/b.json" "$T/f.json" && [ "$(wc -l < "$T/f.json")" -gt 100 ]; then
		ok "$f: forwards (pages of $(cat "$T/f.n")) as backwards"
	else not_ok "$f: forwards and backwards differ"; fi
done

# termijn log: the same entries, in the same order, page by page.
expect_exit 0 "termijn --json log" -- "$C" --json log
if [ "$OUT" = "$(cat "$T/fwd.json")" ]; then ok "termijn --json log is the pages joined, byte for byte"
else not_ok "termijn --json log is not the pages joined"; diff <(printf '%s\n' "$OUT") "$T/fwd.json" | head -5; fi
expect_exit 0 "termijn --json log -n 1500" -- "$C" --json log -n 1500
if [ "$OUT" = "$(cat "$T/last.json")" ]; then ok "termijn --json log -n 1500 is the newest 1500"
else not_ok "termijn --json log -n 1500 is not the newest 1500"; fi
# The text: a line for each entry under one heading, the notes and reasons in order.
notes() { grep -oE '(n|r)[0-9]+$'; }
expect_exit 0 "termijn log" -- "$C" log
$PY -c 'import json, sys
for e in json.load(open(sys.argv[1]))["entries"]:
    if (e["note"] or e["reason"] or "")[:1] in ("n", "r") and (e["note"] or e["reason"])[1:].isdigit():
        print(e["note"] or e["reason"])' "$T/fwd.json" > "$T/notes.want"
if [ "$(printf '%s\n' "$OUT" | wc -l)" = $((TOTAL + 1)) ] &&
    [ "$(printf '%s\n' "$OUT" | grep -c '^AT (Europe/Amsterdam) ')" = 1 ] &&
    [ "$(printf '%s\n' "$OUT" | notes)" = "$(cat "$T/notes.want")" ]; then
	ok "termijn log: one heading, all $TOTAL entries in order"
else not_ok "termijn log: $(printf '%s\n' "$OUT" | wc -l) lines"; printf '%s\n' "$OUT" | head -3; fi
expect_in '^AT \(Europe/Amsterdam\) +ACTOR +ACTION +PLAN +KEY +REASON/NOTE$' "with a plan column"
expect_exit 0 "termijn log -n 1500" -- "$C" log -n 1500
if [ "$(printf '%s\n' "$OUT" | notes)" = "$(tail -n 1500 "$T/notes.want")" ]; then
	ok "termijn log -n 1500: the newest 1500 in order"
else not_ok "termijn log -n 1500: not the newest 1500"; fi
expect_exit 0 "termijn log -p sociaal-domein" -- "$C" log -p sociaal-domein
expect_not_in 'PLAN' "one plan asked for: no plan column"

# Printed as it comes: while termijn waits to write the first page (a pipe holds 64 KiB), an
# entry is written; it is on the last page. With -n, what comes after the last N is not.
k=0
for args in "log" "--json log" "log -n 2000" "--json log -n 2000"; do
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	"$C" $args > "$T/fifo" &
	CPID=$!
	exec 3< "$T/fifo"
	head -c 1000 <&3 > "$T/head.out"
	note="written-meanwhile-$((++k))"
	"$C" done -p sociaal-domein werkgroep-opbrengst --note "$note" >/dev/null
	cat <&3 > "$T/rest.out"
	exec 3<&-
	wait "$CPID"
	rc=$?
	n=$(cat "$T/head.out" "$T/rest.out" | grep -c "$note")
	"$C" undo -p sociaal-domein werkgroep-opbrengst --reason again >/dev/null
	case $args in *-n*) want=0 ;; *) want=1 ;; esac
	if [ "$rc" = 0 ] && [ "$n" = "$want" ]; then
		ok "termijn $args: an entry written while it prints is there $want time(s)"
	else not_ok "termijn $args: the entry written meanwhile is there $n time(s) (exit $rc)"; fi
done

# Bad cursors: a clear 400.
for q in "after=x" "after=-1" "last=0" "last=x" "before=0" "before=5&after=2" "last=3&after=1" \
    "last=3&before=9" "after=99999999999999999999" "before=9223372036854775808" \
    "last=18446744073709551617"; do
	OUT=$(curl -s -w ' %{http_code}' --unix-socket "$SOCK" "http://x/api/v1/log?$q")
	case $q in
	*\&*) want='one of them at a time' ;;
	after*) want='after: the seq of a log entry, or 0' ;;
	last*) want='last: a number of entries from 1' ;;
	*) want='before: the seq of a log entry' ;;
	esac
	if [ "${OUT##* }" = 400 ] && printf '%s' "$OUT" | grep -q "$want"; then ok "log?$q: 400"
	else not_ok "log?$q: $OUT"; fi
done
stop_daemon
finish
