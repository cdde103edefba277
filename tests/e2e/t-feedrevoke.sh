#!/bin/bash
# t-feedrevoke.sh: a token revoked while its request waits for its subject's rendering (shared
# with another token of the same plan) is not served it: the waiting request gets 503, the
# next one 404, the other token its feed.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN PY=/usr/bin/python3
setup_conf
rm -f "$T"/plans/*.plan
{
	printf 'plan groot\n  title Groot plan\n  timezone Europe/Amsterdam\n\n'
	printf 'role secretaris\n  address secretaris@groot.example\n'
	for i in $(seq -w 1 80000); do
		printf '\nmilestone m%s\n  title Stap %s, met een titel van enige lengte\n' "$i" "$i"
		printf '  owner secretaris\n  due 2014-%02d-%02d\n' $((10#$i % 12 + 1)) $((10#$i % 28 + 1))
	done
} > "$T/plans/groot.plan"
START_WAIT=60 start_daemon || { not_ok "the daemon starts"; cat "$T/daemon.log"; finish; }
H=$(http_addr)
field() { $PY -c "import json, sys; o = json.load(sys.stdin); print($1)"; }
A=$("$C" --json feeds create --plan groot); B=$("$C" --json feeds create --plan groot)
APATH=/$(printf '%s' "$A" | field 'o["url"].split("://")[1].split("/", 1)[1]')
BPATH=/$(printf '%s' "$B" | field 'o["url"].split("://")[1].split("/", 1)[1]')
AID=$(printf '%s' "$A" | field 'o["id"]')
expect_n 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 120 "http://$H$BPATH")" \
    "B's feed (made once, for both tokens)"
expect_exit 0 "a done: the shared rendering is made again" -- "$C" done m00001
# A asks; while the rendering is being made, A is revoked.
(curl -s -o "$T/a.body" -w '%{http_code}' --max-time 120 "http://$H$APATH" >"$T/a.code"
    date +%s%N >"$T/a.end") &
CP=$!
sleep 0.05
expect_exit 0 "A revoked" -- "$C" feeds revoke "$AID"
REVOKED=$(date +%s%N)
wait $CP
if [ "$(cat "$T/a.end")" -lt "$REVOKED" ] && [ "$(cat "$T/a.code")" = 200 ]; then
	ok "A's request was answered before the revoke was acknowledged (nothing to judge)"
else
	expect_n 503 "$(cat "$T/a.code")" "A's request waiting at the revoke: 503, not the feed"
fi
expect_n 404 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 "http://$H$APATH")" \
    "A again: 404"
expect_n 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 120 "http://$H$BPATH")" \
    "B still gets its feed"
stop_daemon
finish
