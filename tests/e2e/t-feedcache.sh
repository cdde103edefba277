#!/bin/bash
# t-feedcache.sh: the rendered feeds stay within feed-cache-mb. Three plan feeds of some
# 0.5 MB each against a budget of 1 MiB: the one served longest ago lets go of its bytes, is
# made again when asked for, with the same bytes and ETag; what stays is served from memory;
# once dropped, a conditional request is answered from the validators kept, until it changes.
# Then 130 feeds of one small plan: each token is found in memory (the token table) as its own;
# the 13 tokens of a party share one rendering, made once; a revoked one is not found at once
# while the others of its party are still served from that rendering.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN PY=/usr/bin/python3
setup_conf
rm -f "$T"/plans/*.plan
for p in 1 2 3; do
	{
		printf 'plan groot%s\n  title Groot plan %s\n  timezone Europe/Amsterdam\n\n' "$p" "$p"
		printf 'role secretaris\n  address secretaris@groot%s.example\n' "$p"
		for i in $(seq -w 1 1200); do
			printf '\nmilestone m%s\n  title Stap %s van plan %s, met een titel van enige lengte\n' \
			    "$i" "$i" "$p"
			printf '  owner secretaris\n  due 2014-%02d-%02d\n' $((10#$i % 12 + 1)) $((10#$i % 28 + 1))
		done
	} > "$T/plans/groot$p.plan"
done
# A small plan of 10 parties, for many feeds at once (the token table grows past 64).
{
	printf 'plan klein\n  title Klein plan\n  timezone Europe/Amsterdam\n\n'
	printf 'role secretaris\n  address secretaris@klein.example\n'
	for q in $(seq -w 1 10); do printf '\nparty k%s\n  name Partij %s\n' "$q" "$q"; done
	printf '\nmilestone a\n  title A\n  owner secretaris\n  parties all\n  due 2014-03-01\n'
} > "$T/plans/klein.plan"
echo "feed-cache-mb 1" >> "$T/termijnd.conf"
start_daemon || { not_ok "the daemon starts"; cat "$T/daemon.log"; finish; }
H=$(http_addr)

declare -A FPATH
for p in 1 2 3; do
	expect_exit 0 "a feed of plan groot$p" -- "$C" --json feeds create --plan groot$p
	FPATH[$p]=/$(printf '%s' "$OUT" | $PY -c \
	    'import json, sys; print(json.load(sys.stdin)["url"].split("://")[1].split("/", 1)[1])')
done

# fetch NAME N [curl options]: feed N into $T/NAME.body and .hdr.
fetch() {
	local name=$1 n=$2
	shift 2
	curl -s --max-time 30 -D "$T/$name.hdr" -o "$T/$name.body" "$@" "http://$H${FPATH[$n]}"
}
etag() { tr -d '\r' < "$T/$1.hdr" | sed -n 's/^ETag: //Ip'; }
metric() {
	curl -s --max-time 10 "http://$H/metrics" | awk -v m="$1" '$1 == m { print $2 }'
}

fetch a1 1
SIZE1=$(wc -c < "$T/a1.body")
if [ "$SIZE1" -gt 400000 ]; then ok "plan feed 1 is $SIZE1 bytes: over a third of the budget"
else not_ok "plan feed 1 is only $SIZE1 bytes: the test needs more than 400000"; fi
R1=$(metric termijn_feed_renders_total)
fetch a1again 1
expect_n "$R1" "$(metric termijn_feed_renders_total)" "a second fetch of feed 1 is served from memory"
expect_n 0 "$(metric termijn_feed_cache_dropped_total)" "nothing dropped while within the budget"
fetch b 2
fetch c 3
CACHED=$(metric termijn_feed_cache_bytes)
BIGGEST=$(for f in a1 b c; do wc -c < "$T/$f.body"; done | sort -n | tail -1)
if [ "$CACHED" -le $((1048576 + BIGGEST)) ]; then
	ok "the cache holds $CACHED bytes: within 1 MiB and one feed"
else not_ok "the cache holds $CACHED bytes, past 1 MiB and one feed ($BIGGEST)"; fi
DROPPED=$(metric termijn_feed_cache_dropped_total)
if [ "$DROPPED" -ge 1 ]; then ok "$DROPPED feed(s) dropped to stay within the budget"
else not_ok "no feed dropped although three of ~$SIZE1 bytes pass 1 MiB"; fi

# Feed 1, served longest ago, went first: made again, the same bytes and ETag.
R2=$(metric termijn_feed_renders_total)
S2=$(metric termijn_feed_renders_same_total)
fetch a2 1
expect_n $((R2 + 1)) "$(metric termijn_feed_renders_total)" "feed 1 is made again once dropped"
expect_n $((S2 + 1)) "$(metric termijn_feed_renders_same_total)" \
    "and counted as a render of the bytes made before"
if cmp -s "$T/a1.body" "$T/a2.body" && [ "$(etag a1)" = "$(etag a2)" ] && [ -n "$(etag a1)" ]
then ok "the feed made again has the same bytes and ETag"
else not_ok "the feed made again differs ($(etag a1) / $(etag a2))"; fi
# A conditional request after the drop: the ETag is still good.
CODE=$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' -H "If-None-Match: $(etag a1)" \
    "http://$H${FPATH[1]}")
expect_n 304 "$CODE" "If-None-Match with the old ETag: 304"

# Compressed copies count too, and decompress to the same bytes.
fetch gz 1 -H 'Accept-Encoding: gzip'
if grep -qi '^Content-Encoding: gzip' "$T/gz.hdr" && gzip -dc < "$T/gz.body" | cmp -s - "$T/a1.body"
then ok "the gzip answer decompresses to the feed"
else not_ok "the gzip answer is not the feed compressed"; fi
CACHED=$(metric termijn_feed_cache_bytes)
if [ "$CACHED" -le $((1048576 + BIGGEST)) ]; then
	ok "with a compressed copy the cache holds $CACHED bytes, still within budget and one feed"
else not_ok "with a compressed copy the cache holds $CACHED bytes"; fi

# Every feed still answers whole, however often it was dropped.
for p in 3 2 1 3; do
	fetch z$p $p
	if "$PY" "$TOP/tests/e2e/feedcheck.py" lines "$T/z$p.body" >/dev/null 2>&1 &&
	    [ "$(grep -c '^BEGIN:VEVENT' "$T/z$p.body")" -eq 1200 ]; then
		ok "feed $p whole: 1200 events"
	else not_ok "feed $p not whole ($(grep -c '^BEGIN:VEVENT' "$T/z$p.body") events)"; fi
done

# Feed 1 dropped for room (2 and 3 changed and made again after it), nothing it shows
# changed: a calendar's conditional request is answered from the validators kept, without
# making it again; once its plan changes, it is made again.
lastmod() { tr -d '\r' < "$T/$1.hdr" | sed -n 's/^Last-Modified: //Ip'; }
D0=$(metric termijn_feed_cache_dropped_total)
expect_exit 0 "a change in plan groot2" -- "$C" done m0001 -p groot2
expect_exit 0 "a change in plan groot3" -- "$C" done m0001 -p groot3
fetch y2 2
fetch y3 3
if [ "$(metric termijn_feed_cache_dropped_total)" -gt "$D0" ]; then
	ok "feeds 2 and 3 made again, the cache let go of feed 1"
else not_ok "nothing dropped while feeds 2 and 3 were made again"; fi
R4=$(metric termijn_feed_renders_total)
cond() {
	curl -s --max-time 30 -o /dev/null -w '%{http_code}' "$@" "http://$H${FPATH[1]}"
}
expect_n 304 "$(cond -H "If-None-Match: $(etag a1)")" "dropped, If-None-Match with its ETag: 304"
expect_n 304 "$(cond -H 'Accept-Encoding: gzip' -H "If-None-Match: $(etag gz)")" \
    "and with its compressed copy's ETag: 304"
expect_n 304 "$(cond -H "If-Modified-Since: $(lastmod a1)")" "and If-Modified-Since: 304"
expect_n "$R4" "$(metric termijn_feed_renders_total)" \
    "the three answered from the validators kept: feed 1 not made again"
S4=$(metric termijn_feed_renders_same_total)
expect_exit 0 "a change in plan groot1" -- "$C" done m0001 -p groot1
expect_n 200 "$(cond -H "If-None-Match: $(etag a1)")" "after its plan changed, the old ETag gets 200"
expect_n $((R4 + 1)) "$(metric termijn_feed_renders_total)" "feed 1 made again for it"
expect_n "$S4" "$(metric termijn_feed_renders_same_total)" "with other bytes: not counted as the same"

# 130 feeds, 13 of each party of plan klein: each token finds its own feed.
declare -A KPATH KPARTY KID
for i in $(seq 1 130); do
	q=$(printf '%02d' $(( (i - 1) % 10 + 1 )))
	OUT=$("$C" --json feeds create --party "klein/k$q" 2>&1)
	KPATH[$i]=/$(printf '%s' "$OUT" | $PY -c \
	    'import json, sys; print(json.load(sys.stdin)["url"].split("://")[1].split("/", 1)[1])')
	KPARTY[$i]=$q
	KID[$i]=$(printf '%s' "$OUT" | $PY -c 'import json, sys; print(json.load(sys.stdin)["id"])')
done
# kfeeds: how many of the 130 answer 200 with their own party's name (the revoked one aside).
kfeeds() {
	local i n=0 code
	for i in $(seq 1 130); do
		code=$(curl -s --max-time 10 -o "$T/k.body" -w '%{http_code}' "http://$H${KPATH[$i]}")
		if [ "$i" = "${REVOKED:-}" ]; then
			[ "$code" = 404 ] && n=$((n + 1))
		elif [ "$code" = 200 ] && grep -q "^X-WR-CALNAME:Klein plan — Partij ${KPARTY[$i]}" \
		    "$T/k.body"; then
			n=$((n + 1))
		fi
	done
	echo "$n"
}
R0=$(metric termijn_feed_renders_total)
expect_n 130 "$(kfeeds)" "130 feeds of 10 parties: each token answers with its own party's feed"
R3=$(metric termijn_feed_renders_total)
expect_n $((R0 + 10)) "$R3" "130 tokens of 10 parties: 10 renders, one a party"
expect_n 130 "$(kfeeds)" "and again"
expect_n "$R3" "$(metric termijn_feed_renders_total)" "the second round is served from memory: each token is found in the table"
expect_exit 0 "revoke one of them" -- "$C" feeds revoke "${KID[77]}"
REVOKED=77
expect_n 130 "$(kfeeds)" "after a revoke: that one is not found, the 129 others still answer as theirs"
expect_n "$R3" "$(metric termijn_feed_renders_total)" \
    "the revoked token's party still served from its rendering: nothing made again"

# A budget that is not a number is refused at start with its line.
echo "feed-cache-mb 1G" >> "$T/termijnd.conf"
expect_exit 1 "feed-cache-mb 1G is refused" -- "$TERMIJND" -n -f "$T/termijnd.conf"
expect_in 'feed-cache-mb: MiB, from 1 to 65536' "the error says what it takes"
stop_daemon
finish
