#!/bin/bash
# t-feeds.sh: the iCal feeds over HTTP, fetched with curl and read with independent parsers
# (python3-icalendar, a Prometheus text-format checker): headers, conditional requests, gzip,
# HEAD, stable bytes across fetches and restarts, tokens (rotate, revoke, wrong), health,
# metrics, and a slow client cut off by the connection age limit.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
PY=/usr/bin/python3
fc() { "$PY" "$TOP/tests/e2e/feedcheck.py" "$@"; }
setup_conf
echo "http-max-age 3" >> "$T/termijnd.conf"

start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1

# fetch NAME PATH [curl options]: body in $T/NAME.body, headers in $T/NAME.head, status in CODE.
fetch() {
	_n=$1 _p=$2; shift 2
	: > "$T/$_n.body"	# curl writes no file for an empty body
	CODE=$(curl -s --max-time 10 -o "$T/$_n.body" -D "$T/$_n.head" -w '%{http_code}' "$@" "http://$H$_p")
}
# hdr NAME HEADER: the header's value in the answer saved by fetch NAME.
hdr() { grep -i "^$2:" "$T/$1.head" | head -1 | cut -d: -f2- | sed 's/^ //; s/\r$//'; }
# check DESCRIPTION -- command...: ok when the command succeeds; its output shown when not.
check() {
	_d=$1; shift 2
	OUT=$("$@" 2>&1) && ok "$_d${OUT:+ ($(printf '%s' "$OUT" | head -1))}" || {
		not_ok "$_d"; printf '%s\n' "$OUT" | sed 's/^/    /' | head -20; }
}
# same A B DESCRIPTION: two strings are equal.
same() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3 ('$1' vs '$2')"; fi; }
differ() { if [ "$1" != "$2" ]; then ok "$3"; else not_ok "$3 (both '$1')"; fi; }
epoch() { date -u -d "$1" +%s 2>/dev/null || echo 0; }

H=$(http_addr)
if [ -n "$H" ]; then ok "status names the HTTP address ($H)"; else not_ok "status names no HTTP address"; fi

# ---- a person's feed ----
expect_exit 0 "create a feed for secretaris@staphorst.example" -- \
    "$C" feeds create --person secretaris@staphorst.example
expect_in '^  https?://[^ ]+/feed/[A-Za-z0-9_-]{32}\.ics$' "it prints an http(s):// URL"
expect_in '^  webcal://[^ ]+/feed/[A-Za-z0-9_-]{32}\.ics$' "and a webcal:// URL"
PURL=$(printf '%s\n' "$OUT" | grep -Eo 'https?://[^ ]+\.ics' | head -1)
WURL=$(printf '%s\n' "$OUT" | grep -Eo 'webcal://[^ ]+\.ics' | head -1)
PFEED=$(printf '%s\n' "$OUT" | sed -n 's/^created feed \([0-9]*\) .*/\1/p')
same "${PURL#*://}" "${WURL#webcal://}" "the webcal:// URL is the same address"
PPATH=/${PURL#*://*/}

fetch p1 "$PPATH"
same "$CODE" 200 "the feed answers 200"
same "$(hdr p1 Content-Type)" "text/calendar; charset=utf-8" "Content-Type text/calendar; charset=utf-8"
ETAG1=$(hdr p1 ETag)
LM1=$(hdr p1 Last-Modified)
if printf '%s' "$ETAG1" | grep -Eq '^"[^"]+"$'; then ok "a strong ETag ($ETAG1)"; else
	not_ok "no strong ETag: '$ETAG1'"; fi
if [ "$(epoch "$LM1")" -gt 0 ]; then ok "Last-Modified is an HTTP date ($LM1)"; else
	not_ok "Last-Modified: '$LM1'"; fi
case "$(hdr p1 Cache-Control)" in
*private*) ok "Cache-Control says private ($(hdr p1 Cache-Control))" ;;
*) not_ok "Cache-Control without private: '$(hdr p1 Cache-Control)'" ;;
esac
same "$(hdr p1 Content-Length)" "$(stat -c %s "$T/p1.body")" "Content-Length is the body's length"

"$C" --json list > "$T/list.json"
fc expect "$T/list.json" person-of secretaris/staphorst > "$T/person.uids"
check "python3-icalendar parses it and finds exactly the events of secretaris@staphorst ($(wc -l < "$T/person.uids") expected), each with UID, SUMMARY, DTSTART, DTSTAMP" -- \
    fc ics "$T/p1.body" --uids "$T/person.uids" --calname "termijn — secretaris@staphorst.example"
check "every line is at most 75 octets and ends in CRLF" -- fc lines "$T/p1.body"
if grep -q '^ ' "$T/p1.body" && LC_ALL=C grep -q $'\xc3\xaf' "$T/p1.body"; then
	ok "the feed has folded lines and non-ASCII text (the line check means something)"
else not_ok "the feed has no folded lines or no non-ASCII text"; fi

# ---- conditional requests, HEAD, gzip ----
fetch p2 "$PPATH" -H "If-None-Match: $ETAG1"
same "$CODE" 304 "If-None-Match with the ETag: 304"
same "$(stat -c %s "$T/p2.body")" 0 "the 304 has an empty body"
same "$(hdr p2 ETag)" "$ETAG1" "the 304 names the same ETag"
fetch p3 "$PPATH" -H "If-Modified-Since: $LM1"
same "$CODE" 304 "If-Modified-Since with the Last-Modified value: 304"
same "$(stat -c %s "$T/p3.body")" 0 "that 304 has an empty body too"
fetch p3b "$PPATH" -H 'If-None-Match: "0000"' -H "If-Modified-Since: $LM1"
same "$CODE" 200 "a wrong If-None-Match wins over a matching If-Modified-Since: 200"

fc response "$H" HEAD "$PPATH" > "$T/head.txt"
fc response "$H" GET "$PPATH" > "$T/get.txt"
OUT=$(cat "$T/head.txt")
expect_in '^HTTP/1\.1 200 ' "HEAD answers 200"
same "$(sed -n 's/^BODY-BYTES //p' "$T/head.txt")" 0 "HEAD sends no body (RFC 9110 9.3.2; bytes after the header would be read as the next answer)"
for h in ETag Last-Modified Content-Type Cache-Control Content-Length; do
	same "$(sed '/^\r$/q' "$T/head.txt" | grep -i "^$h:")" "$(sed '/^\r$/q' "$T/get.txt" | grep -i "^$h:")" \
	    "HEAD has GET's $h"
done

for p in /healthz /feed/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics; do
	fc response "$H" HEAD "$p" > "$T/head2.txt"
	same "$(sed -n 's/^BODY-BYTES //p' "$T/head2.txt")" 0 "HEAD $p sends no body either"
done

fetch g1 "$PPATH" -H 'Accept-Encoding: gzip'
same "$CODE" 200 "Accept-Encoding: gzip: 200"
same "$(hdr g1 Content-Encoding)" gzip "with Content-Encoding: gzip"
if gzip -dc < "$T/g1.body" | cmp -s - "$T/p1.body"; then
	ok "the gunzipped bytes are the plain body ($(stat -c %s "$T/g1.body") of $(stat -c %s "$T/p1.body") bytes)"
else not_ok "the gunzipped bytes differ from the plain body"; fi
differ "$(hdr g1 ETag)" "$ETAG1" "the gzip answer has its own ETag"
fetch g2 "$PPATH" -H 'Accept-Encoding: gzip' -H "If-None-Match: $(hdr g1 ETag)"
same "$CODE" 304 "If-None-Match with the gzip ETag: 304"

fetch p4 "$PPATH"
if cmp -s "$T/p1.body" "$T/p4.body" && [ "$(hdr p4 ETag)" = "$ETAG1" ]; then
	ok "a second fetch: the same bytes and ETag"; else not_ok "a second fetch differs"; fi

# ---- party and plan feeds ----
expect_exit 0 "create a party feed" -- "$C" --json feeds create --party bedrijfsvoering/staphorst
QPATH=/$(printf '%s' "$OUT" | $PY -c 'import json, sys; print(json.load(sys.stdin)["url"].split("://")[1].split("/", 1)[1])')
QFEED=$(printf '%s' "$OUT" | $PY -c 'import json, sys; print(json.load(sys.stdin)["id"])')
expect_exit 0 "create a plan feed" -- "$C" feeds create --plan bedrijfsvoering
LPATH=/$(printf '%s\n' "$OUT" | grep -Eo 'https?://[^ ]+\.ics' | head -1 | sed 's,^[a-z]*://[^/]*/,,')
fc expect "$T/list.json" party bedrijfsvoering/staphorst > "$T/party.uids"
fc expect "$T/list.json" plan bedrijfsvoering > "$T/plan.uids"
fetch q1 "$QPATH"
same "$CODE" 200 "the party feed answers 200"
check "the party feed has the plan-wide events and Staphorst's ($(wc -l < "$T/party.uids"))" -- \
    fc ics "$T/q1.body" --uids "$T/party.uids" \
    --calname "Ambtelijke samenwerking Staphorst, Steenwijkerland en Zwartewaterland — Gemeente Staphorst"
check "the party feed's lines" -- fc lines "$T/q1.body"
fetch l1 "$LPATH"
same "$CODE" 200 "the plan feed answers 200"
check "the plan feed has every event of the plan ($(wc -l < "$T/plan.uids"))" -- \
    fc ics "$T/l1.body" --uids "$T/plan.uids"
check "the plan feed's lines" -- fc lines "$T/l1.body"
# Each occurrence of the report-back series is an event of its own, without RRULE.
NOCC=$(tr -d '\r' < "$T/l1.body" | grep -c '^UID:terugkoppeling@staphorst/2014-')
NRR=$(tr -d '\r' < "$T/l1.body" | awk '/^BEGIN:VEVENT/ { e = 1 } /^END:VEVENT/ { e = 0 } e && /^RRULE/' | wc -l)
if [ "$NOCC" = 4 ] && [ "$NRR" = 0 ]; then
	ok "the recurring milestone: 4 events of Staphorst's series, no RRULE"
else not_ok "the recurring milestone: $NOCC events of Staphorst's series, $NRR RRULEs"; fi

# ---- the same data after a restart, later: the same bytes ----
stop_daemon
start_daemon --clock-start '2013-12-16 10:00' --clock-speed 0 || exit 1
H=$(http_addr)
fetch p5 "$PPATH"
if [ "$CODE" = 200 ] && cmp -s "$T/p1.body" "$T/p5.body" && [ "$(hdr p5 ETag)" = "$ETAG1" ] &&
    [ "$(hdr p5 Last-Modified)" = "$LM1" ]; then
	ok "after a restart an hour later, unchanged data: the same bytes, ETag and Last-Modified"
else not_ok "after a restart the unchanged feed differs (code $CODE, ETag $(hdr p5 ETag))"; fi

# ---- a change ----
UID_CB=collegebesluit@staphorst@bedrijfsvoering.termijn
LMOD_BEFORE=$(fc event "$T/p1.body" "$UID_CB" LAST-MODIFIED)
STAMP_BEFORE=$(fc event "$T/p1.body" "$UID_CB" DTSTAMP)
# Before its day (17 December) only an override marks the college's decision done.
expect_exit 0 "done collegebesluit@staphorst" -- "$C" done collegebesluit@staphorst \
    --override --reason "besluit een dag eerder genomen"
fetch p6 "$PPATH"
same "$CODE" 200 "the feed after the change: 200"
ETAG6=$(hdr p6 ETag)
LM6=$(hdr p6 Last-Modified)
differ "$ETAG6" "$ETAG1" "the change gives a new ETag"
if [ "$(epoch "$LM6")" -gt "$(epoch "$LM1")" ]; then ok "Last-Modified moved ($LM6)"; else
	not_ok "Last-Modified did not move ($LM1 -> $LM6)"; fi
SUM6=$(fc event "$T/p6.body" "$UID_CB" SUMMARY)
case "$SUM6" in
"[klaar] "*) ok "the event's SUMMARY shows it done: $SUM6" ;;
*) not_ok "the event's SUMMARY: '$SUM6'" ;;
esac
LMOD6=$(fc event "$T/p6.body" "$UID_CB" LAST-MODIFIED)
STAMP6=$(fc event "$T/p6.body" "$UID_CB" DTSTAMP)
if [ -n "$LMOD6" ] && [[ "$LMOD6" > "$LMOD_BEFORE" ]]; then
	ok "the event's LAST-MODIFIED moved ($LMOD_BEFORE -> $LMOD6)"; else
	not_ok "the event's LAST-MODIFIED did not move ('$LMOD_BEFORE' -> '$LMOD6')"; fi
if [[ "$STAMP6" > "$STAMP_BEFORE" ]]; then ok "its DTSTAMP moved too"; else
	not_ok "its DTSTAMP did not move ('$STAMP_BEFORE' -> '$STAMP6')"; fi
# Events of the other plan cannot have changed: their bytes, and the calendar's head, are the same.
fc events "$T/p1.body" | grep -E '^(-head-|.*@sociaal-domein\.termijn)' > "$T/unrelated1"
fc events "$T/p6.body" | grep -E '^(-head-|.*@sociaal-domein\.termijn)' > "$T/unrelated6"
if [ -s "$T/unrelated1" ] && cmp -s "$T/unrelated1" "$T/unrelated6"; then
	ok "events the change does not touch, and the calendar's head, are byte-identical"
else not_ok "unrelated events changed"; diff "$T/unrelated1" "$T/unrelated6" | head; fi
fetch p3c "$PPATH" -H "If-Modified-Since: $LM1"
same "$CODE" 200 "If-Modified-Since with the old Last-Modified: 200 now"
fetch p2c "$PPATH" -H "If-None-Match: $ETAG1"
same "$CODE" 200 "If-None-Match with the old ETag: 200 now"
fetch p7 "$PPATH"
if cmp -s "$T/p6.body" "$T/p7.body" && [ "$(hdr p7 ETag)" = "$ETAG6" ]; then
	ok "two fetches after the change: the same bytes and ETag"; else
	not_ok "two fetches after the change differ"; fi

stop_daemon
start_daemon --clock-start '2013-12-16 10:30' --clock-speed 0 || exit 1
H=$(http_addr)
fetch p8 "$PPATH"
if [ "$CODE" = 200 ] && cmp -s "$T/p6.body" "$T/p8.body" && [ "$(hdr p8 ETag)" = "$ETAG6" ] &&
    [ "$(hdr p8 Last-Modified)" = "$LM6" ]; then
	ok "after a restart: the same ETag, Last-Modified and bytes"
else not_ok "after a restart the feed differs (code $CODE, ETag $(hdr p8 ETag) vs $ETAG6)"; fi
fetch q2 "$QPATH"
same "$CODE" 200 "the party feed still answers after the restart"
fetch l2 "$LPATH"
same "$CODE" 200 "the plan feed still answers after the restart"

# ---- tokens: rotate, revoke, wrong ----
expect_exit 0 "rotate the person feed" -- "$C" feeds rotate "$PFEED"
expect_in '^  webcal://' "rotate prints the new webcal:// URL"
NURL=$(printf '%s\n' "$OUT" | grep -Eo 'https?://[^ ]+\.ics' | head -1)
NPATH=/${NURL#*://*/}
differ "$NPATH" "$PPATH" "the new URL differs from the old"
fc response "$H" GET "$PPATH" > "$T/r-rotated"
OUT=$(cat "$T/r-rotated")
expect_in '^HTTP/1\.1 404 ' "the old URL answers 404 at once"
fetch n1 "$NPATH"
if [ "$CODE" = 200 ] && cmp -s "$T/n1.body" "$T/p8.body"; then
	ok "the new URL serves the same calendar"; else not_ok "the new URL: $CODE"; fi
fetch n2 "$NPATH" -H "If-None-Match: $ETAG6"
same "$CODE" 304 "the new URL answers 304 to the ETag the subscriber already has"
expect_exit 0 "revoke the party feed" -- "$C" feeds revoke "$QFEED"
fc response "$H" GET "$QPATH" > "$T/r-revoked"
MADE=$($PY -c 'import secrets; print(secrets.token_urlsafe(24))')
fc response "$H" GET "/feed/$MADE.ics" > "$T/r-madeup"
fc response "$H" GET "/feed/short.ics" > "$T/r-short"
fc response "$H" GET "${NPATH%.ics}" > "$T/r-noext"
if cmp -s "$T/r-rotated" "$T/r-madeup" && cmp -s "$T/r-revoked" "$T/r-madeup"; then
	ok "rotated, revoked and made-up tokens get byte-identical 404s"
else not_ok "the 404s differ"; diff "$T/r-rotated" "$T/r-madeup"; diff "$T/r-revoked" "$T/r-madeup"; fi
if cmp -s "$T/r-short" "$T/r-madeup"; then ok "a malformed token gets the same 404"; else
	not_ok "a malformed token's answer differs"; diff "$T/r-short" "$T/r-madeup"; fi
OUT=$(cat "$T/r-noext")
expect_in '^HTTP/1\.1 200 ' "the URL without .ics works too"
expect_exit 4 "revoking a revoked feed: not found" -- "$C" feeds revoke "$QFEED"
expect_exit 0 "feeds list" -- "$C" feeds list
expect_in "revoked" "the list shows the revoked feeds"
expect_not_in "$(basename "$NPATH" .ics)" "the list does not show tokens"
if grep -Fq "$(basename "$NPATH" .ics)" "$T/daemon.log" || grep -Fq "$(basename "$PPATH" .ics)" "$T/daemon.log"; then
	not_ok "a token is in the daemon's log"; else ok "no token in the daemon's log"; fi

NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
expect_exit 1 "a non-operator cannot create feeds" -- $NOBODY "$C" feeds create --plan bedrijfsvoering
expect_in "operator" "the refusal says why"

# ---- health and metrics ----
fetch hz /healthz
same "$CODE" 200 "/healthz answers 200"
check "/healthz is JSON saying ok" -- $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "ok", d
print(d)' "$T/hz.body"
fetch m /metrics
same "$CODE" 200 "/metrics answers 200"
case "$(hdr m Content-Type)" in
text/plain*version=0.0.4*) ok "/metrics has the text format's Content-Type" ;;
*) not_ok "/metrics Content-Type: '$(hdr m Content-Type)'" ;;
esac
check "/metrics parses as Prometheus text format" -- fc metrics "$T/m.body"
OUT=$(cat "$T/m.body")
expect_in '^termijn_feed_requests_total\{code="304"\} [1-9]' "the 304s are counted"
expect_in '^termijn_feed_requests_total\{code="404"\} [1-9]' "the 404s are counted"

# ---- the person's feed follows additions and cancels (the person index is made anew) ----
expect_exit 0 "a new feed for secretaris@staphorst.example" -- "$C" --json feeds create \
    --person secretaris@staphorst.example
P2PATH=/$(printf '%s' "$OUT" | $PY -c \
    'import json, sys; print(json.load(sys.stdin)["url"].split("://")[1].split("/", 1)[1])')
pfeed_is_list() {
	fetch "$1" "$P2PATH"
	"$C" --json list > "$T/list-$1.json"
	fc expect "$T/list-$1.json" person-of secretaris/staphorst > "$T/person-$1.uids"
	check "$2" -- \
	    fc ics "$T/$1.body" --uids "$T/person-$1.uids"
}
expect_exit 0 "add a step of every party's secretaris" -- "$C" add -p bedrijfsvoering \
    extra-stap --title "Extra stap" --owner secretaris --due 2014-02-20 --parties all
pfeed_is_list pa "after an addition the person's feed holds exactly their steps, the new one too"
if grep -q '^UID:extra-stap@staphorst@bedrijfsvoering.termijn' "$T/pa.body"; then
	ok "the new step of Staphorst is in it"
else not_ok "the new step of Staphorst is not in the person's feed"; fi
expect_exit 0 "cancel the addition" -- "$C" cancel -p bedrijfsvoering extra-stap --reason "weg"
pfeed_is_list pc "after the cancel it holds exactly their steps again"
if grep -q '^UID:extra-stap@' "$T/pc.body"; then not_ok "the cancelled step is still in it"
else ok "the cancelled step is gone"; fi

# ---- a slow client is cut off by the connection age limit (http-max-age 3) ----
fc slow "$H" first 14 > "$T/slow1" 2>&1 &
S1=$!
fc slow "$H" second 14 > "$T/slow2" 2>&1 &
S2=$!
sleep 1.5
t=$(curl -s -o "$T/mid.body" -w '%{http_code} %{time_total}' --max-time 5 "http://$H$NPATH")
case "$t" in
"200 "*) ok "a normal request answers meanwhile ($t s)" ;;
*) not_ok "a normal request meanwhile: '$t'" ;;
esac
wait "$S1" "$S2"
for s in slow1:"trickling its first request" slow2:"trickling a second request"; do
	r=$(cat "$T/${s%%:*}")
	if printf '%s' "$r" | $PY -c 'import sys; w = sys.stdin.read().split(); sys.exit(not (w[0] == "closed" and 2.5 <= float(w[1]) <= 12))' 2>/dev/null; then
		ok "a client ${s#*:} one byte a second is cut off ($r s)"
	else not_ok "a client ${s#*:} one byte a second is not cut off within 12 s ($r)"; fi
done
fetch hz2 /healthz
same "$CODE" 200 "the listener still answers afterwards"

stop_daemon
finish
