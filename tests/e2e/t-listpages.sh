#!/bin/bash
# t-listpages.sh: `termijn --json list` of more steps than one page holds (1000) goes out page
# by page as it comes, never held whole, and reads as the one answer the pages make together:
# the same JSON, in the same layout, as the API's pages joined (fetched here with curl).
. "$(dirname "$0")/lib.sh"
C=$TERMIJN PY=/usr/bin/python3
setup_conf
{
	printf 'plan groot\n  title Groot plan met "aanhalingstekens", \\ en ï\n'
	printf '  timezone Europe/Amsterdam\n\nrole secretaris\n  address secretaris@groot.example\n'
	for i in $(seq -w 1 2600); do
		printf '\nmilestone m%s\n  title Stap %s «é»\n  owner secretaris\n  due 2014-%02d-%02d\n' \
		    "$i" "$i" $((10#$i % 12 + 1)) $((10#$i % 28 + 1))
	done
} > "$T/plans/groot.plan"
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1

# pages QUERY: the API's pages of /milestones?QUERY joined, as termijn --json list shows them.
pages() {
	$PY - "$TOP/tests/e2e" "$T/termijnd.sock" "$1" <<'PY'
import json, sys, urllib.parse
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv.pop(1))
from unixhttp import Connection
c, q, out, n = Connection(sys.argv[1]), sys.argv[2], None, 0
while True:
    c.request("GET", "/api/v1/milestones?" + q)
    page = json.loads(c.getresponse().read())
    n += 1
    if out is None:
        out = page
    else:
        out["milestones"] += page["milestones"]
    if page.get("next") is None:
        break
    q = sys.argv[2] + ("&" if sys.argv[2] else "") + "cursor=" + urllib.parse.quote(page["next"], safe="")
del out["next"]
sys.stderr.write("%d page(s)\n" % n)
print(json.dumps(out, indent=2, ensure_ascii=False))
PY
}

for args in "" "-p groot" "-p groot --state blocked" "--state open"; do
	q=$(printf '%s' "$args" | sed 's/-p /plan=/; s/ --state /\&state=/; s/^--state /state=/')
	"$C" --json list $args > "$T/list.json" 2>"$T/list.err"
	rc=$?
	pages "$q" > "$T/pages.json" 2>"$T/pages.n"
	if [ "$rc" = 0 ] && cmp -s "$T/list.json" "$T/pages.json"; then
		ok "termijn --json list $args: the $(cat "$T/pages.n") joined, byte for byte ($(wc -c < "$T/list.json") bytes)"
	else
		not_ok "termijn --json list $args (exit $rc) is not the pages joined"
		diff "$T/list.json" "$T/pages.json" | head -5 | sed 's/^/    /'
	fi
done
N=$($PY -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["milestones"]))' "$T/list.json")
if [ "$N" -gt 2600 ]; then ok "the list has all $N open steps"; else not_ok "the list has $N"; fi
expect_exit 4 "a filter naming no plan" -- "$C" --json list -p nosuch
expect_in "no plan nosuch" "says so"
stop_daemon
finish
