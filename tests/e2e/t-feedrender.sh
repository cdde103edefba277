#!/bin/bash
# t-feedrender.sh: a plan of 342 parties (the national shape, each step waiting for the one
# before @all) gives a feed that grows with its steps, not with parties squared; and a feed
# made while its data changes (a slice at a time, feeds.c) never gets a 304 for bytes that
# differ from what its Last-Modified was given with.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN PY=/usr/bin/python3
setup_conf
rm -f "$T"/plans/*.plan
P=342 M=40
"$TOP/tests/plans/generate.sh" all $P $M > "$T/plans/all.plan"
# The clock runs: each change below gets a second of its own (HTTP dates are in seconds).
START_WAIT=60 start_daemon --clock-start '2013-12-16 10:00' --clock-speed 1 || { finish; exit; }
H=$(http_addr)
expect_exit 0 "a feed of the plan" -- "$C" --json feeds create --plan all
FPATH=/$(printf '%s' "$OUT" | $PY -c \
    'import json, sys; print(json.load(sys.stdin)["url"].split("://")[1].split("/", 1)[1])')

# fetch NAME [curl options]: the feed into $T/NAME.body and .hdr; CODE its status.
fetch() {
	local name=$1
	shift
	CODE=$(curl -s --max-time 120 -D "$T/$name.hdr" -o "$T/$name.body" -w '%{http_code}' \
	    "$@" "http://$H$FPATH")
}
hdr() { tr -d '\r' < "$T/$1.hdr" | sed -n "s/^$2: //Ip"; }
# event NAME UID PROPERTY: a property of an event, unfolded, as written.
event() {
	$PY - "$T/$1.body" "$2" "$3" <<'EOPY'
import sys
text = open(sys.argv[1], encoding="utf-8", newline="").read().replace("\r\n ", "")
ev = text.split("UID:" + sys.argv[2] + "\r\n", 1)[1].split("END:VEVENT", 1)[0]
for line in ev.split("\r\n"):
    if line.split(":", 1)[0].split(";", 1)[0] == sys.argv[3]:
        print(line.split(":", 1)[1])
EOPY
}

fetch f0
expect_n 200 "$CODE" "the feed of $((P * M)) steps answers"
OUT=$($PY - "$T/f0.body" <<'EOPY'
import sys
text = open(sys.argv[1], "rb").read()
evs = text.split(b"BEGIN:VEVENT")[1:]
print("events", len(evs), "longest", max(len(e) for e in evs), "bytes", len(text))
EOPY
)
expect_in "^events $((P * M)) " "one event per step"
LONGEST=$(printf '%s' "$OUT" | awk '{ print $4 }')
if [ "${LONGEST:-99999}" -lt 2048 ]; then
	ok "the longest event is $LONGEST bytes, with $P prerequisites and $P dependents"
else not_ok "the longest event is $LONGEST bytes: the lists of $P parties are not summed up"; fi
OUT=$(event f0 m1@p5@all.termijn DESCRIPTION)
expect_in '^Status: geblokkeerd\\nPlan: All\\nPartij: P5\\nEigenaar: sec\\nUiterlijk: 2014-01-01\\nWacht op:\\n- M — 342 van 342 partijen: P0 \(kan nu\)\\, P1 \(kan nu\)\\, ' \
    "a step's prerequisites: 342 of 342 parties, the first named"
expect_in 'P9 \(kan nu\) en 332 andere\\nMaakt mogelijk:\\n- M — 342 partijen\\nAfvinken: ' \
    "ten named, the rest counted; its dependents counted"
STAMP0=$(event f0 m1@p5@all.termijn DTSTAMP)

# Changes while feeds are being made: each round asks for four feeds of the plan at once
# (each made anew after the last change, their slices taking turns) and marks a step done
# meanwhile, which lands mid-render or not; either way, for each, what follows must hold.
for k in 1 2 3; do
	expect_exit 0 "feed $k more of the plan" -- "$C" --json feeds create --plan all
	FP[$k]=/$(printf '%s' "$OUT" | $PY -c \
	    'import json, sys; print(json.load(sys.stdin)["url"].split("://")[1].split("/", 1)[1])')
done
FP[0]=$FPATH
for i in 0 1 2 3 4; do
	sleep 1.1
	FETCHES=
	for k in 0 1 2 3; do FPATH=${FP[$k]} fetch "a$i-$k" & FETCHES="$FETCHES $!"; done
	sleep "0.00$((i % 3 * 5))"
	"$C" done "m0@p$i" -p all >/dev/null || not_ok "done m0@p$i"
	# shellcheck disable=SC2086
	wait $FETCHES
	for k in 0 1 2 3; do
		FPATH=${FP[$k]}
		LM=$(hdr "a$i-$k" Last-Modified) ETAG=$(hdr "a$i-$k" ETag)
		fetch "c$i-$k"
		fetch "b$i-$k" -H "If-Modified-Since: $LM"
		# A 304 only for the same bytes; a 200 (the same bytes again, at worst) else.
		if [ "$CODE" = 200 ] && cmp -s "$T/b$i-$k.body" "$T/c$i-$k.body"; then
			ok "round $i, feed $k: If-Modified-Since its Last-Modified gets the bytes of now"
		elif [ "$CODE" = 304 ] && cmp -s "$T/a$i-$k.body" "$T/c$i-$k.body"; then
			ok "round $i, feed $k: made after the change, If-Modified-Since its Last-Modified: 304"
		else
			not_ok "round $i, feed $k: If-Modified-Since: $LM answers $CODE$(cmp -s \
			    "$T/a$i-$k.body" "$T/c$i-$k.body" || echo ', and its bytes differ from now')"
		fi
		fetch "e$i-$k" -H "If-None-Match: $ETAG"
		if cmp -s "$T/a$i-$k.body" "$T/c$i-$k.body"; then
			expect_n 304 "$CODE" "round $i, feed $k: its ETag still matches"
		else expect_n 200 "$CODE" "round $i, feed $k: its ETag no longer matches"; fi
	done
done
FPATH=${FP[0]}
cp "$T/c4-0.body" "$T/c4.body"
OUT=$(event c4 m1@p5@all.termijn DESCRIPTION)
expect_in '^Status: geblokkeerd\\n.*Wacht op:\\n- M — 337 van 342 partijen: P5 \(kan nu\)\\, ' \
    "five done: 337 of 342 hold the step up, the first named is P5"
STAMP3=$(event c4 m1@p5@all.termijn DTSTAMP)
if [[ $STAMP3 > $STAMP0 ]]; then ok "with the count its DTSTAMP moved ($STAMP0 -> $STAMP3)"
else not_ok "the count changed, its DTSTAMP did not ($STAMP0 -> $STAMP3)"; fi

stop_daemon
finish
