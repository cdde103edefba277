#!/bin/bash
# t-large.sh: 100,000 open milestones in falling deadline order (issue 8, defect 4): status
# answers (it took 6.4 s with an insertion sort, and /healthz waited), the milestones come
# in pages that `termijn list` follows to the end, and `termijn log` shows the whole log
# through its pages. The times asserted are generous bounds against a stall, not speed
# figures (those are bench/stall.sh's).
. "$(dirname "$0")/../e2e/lib.sh"
N=100000
gen_conf 127.0.0.1:0
build_loadgen || { finish; exit 1; }
{
	printf 'plan big\n  title Big\n  timezone Europe/Amsterdam\n\nrole owner\n  address x@big.example\n\n'
	# m00000 is due last, m99999 first: every insertion went to the front.
	awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) {
		t = 1388534400 + (n - i) * 60
		printf "milestone m%05d\n  title Big %d\n  owner owner\n  due %s\n\n", i, i,
		    strftime("%Y-%m-%d %H:%M", t, 1) } }'
} >"$T/plans/big.plan"
# 100,000 milestones start in about a second, eight on a loaded machine: not a timing test.
START_WAIT=60 start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || { finish; exit 1; }

OUT=$(curl -s -m 10 --unix-socket "$SOCK" -w ' %{http_code}' http://localhost/api/v1/status |
    tr -d '\n')
expect_in '"next":\[\{[^]]*"key":"m99999".* 200$' "status within 10 s, the soonest deadline first"
keys=$(printf '%s' "$OUT" | grep -o '"key":"m[0-9]*"' | head -5 | tr '\n' ' ')
[ "$keys" = '"key":"m99999" "key":"m99998" "key":"m99997" "key":"m99996" "key":"m99995" ' ] &&
	ok "status: the five soonest, in order" || not_ok "status next: $keys"

OUT=$(curl -s -m 10 --unix-socket "$SOCK" http://localhost/api/v1/milestones)
n=$(printf '%s' "$OUT" | grep -o '"key":' | wc -l)
[ "$n" -ge 1 ] && [ "$n" -le 1000 ] && ok "one page holds at most 1000 ($n)" ||
	not_ok "a page of $n instances"
expect_in '"next":"big/m0*1000"' "the page says where the next one starts"
OUT=$(curl -s -m 10 --unix-socket "$SOCK" 'http://localhost/api/v1/milestones?cursor=big/nope')
expect_in '"error":"bad-request"' "a cursor that names nothing: 400"

"$TERMIJN" list >"$T/list.txt" 2>&1
n=$(grep -c '^m[0-9]' "$T/list.txt")
[ "$n" -eq "$N" ] && ok "termijn list shows all $N, following the pages" ||
	{ not_ok "termijn list shows $n of $N"; tail -3 "$T/list.txt"; }
[ "$(grep '^m[0-9]' "$T/list.txt" | cut -d' ' -f1 | sort -u | wc -l)" -eq "$N" ] &&
	ok "none twice" || not_ok "some milestones are listed twice"
n=$("$TERMIJN" --json list --state open | grep -c '"key"')
[ "$n" -eq "$N" ] && ok "termijn --json list --state open: all $N in one answer" ||
	not_ok "termijn --json list --state open: $n"

# 2500 changes: the log is longer than a page.
"$T/bin/loadgen" -s "$SOCK" -c 4 -n 2500 -t 60 >/dev/null 2>&1
n=$("$TERMIJN" --json log | grep -c '"seq"')
total=$(sqlite3 "$T/state/termijn.db" 'SELECT count(*) FROM audit')
[ "$n" -eq "$total" ] && [ "$n" -ge 2500 ] && ok "termijn log: all $n entries, over 3 pages" ||
	not_ok "termijn log shows $n of $total"
n=$("$TERMIJN" --json log -n 1500 | grep -c '"seq"')
[ "$n" -eq 1500 ] && ok "termijn log -n 1500: 1500 entries" || not_ok "log -n 1500 gave $n"
last=$("$TERMIJN" --json log -n 1 | sed -n 's/.*"seq": *\([0-9]*\).*/\1/p')
[ "$last" = "$(sqlite3 "$T/state/termijn.db" 'SELECT max(seq) FROM audit')" ] &&
	ok "log -n 1 is the newest entry" || not_ok "log -n 1 gave seq $last"
# The plan's feed (100,000 events, some 50 MB) is made a slice at a time: /healthz answers
# meanwhile, a change meanwhile loses nothing, and a slow download of the old bytes is
# whole after a new rendering replaced them.
URL=$("$TERMIJN" --json feeds create --plan big | sed -n 's/.*"url": *"\([^"]*\)".*/\1/p')
PORT=$(printf '%s' "$URL" | sed -n 's|http://127.0.0.1:\([0-9]*\)/.*|\1|p')
curl -s -m 60 -o "$T/feed1.ics" "$URL" &
CPID=$!
sleep 0.2
r=$(curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT/healthz")
case $r in 200\ 0.*) ok "/healthz while the feed is made: $r s" ;; *) not_ok "/healthz while the feed is made: $r" ;; esac
expect_exit 0 "a change while the feed is made" -- "$TERMIJN" done m50007
wait "$CPID"
n=$(grep -c '^BEGIN:VEVENT' "$T/feed1.ics")
[ "$n" -eq "$N" ] && tail -c 15 "$T/feed1.ics" | grep -q 'END:VCALENDAR' &&
	ok "the feed is whole: $N events" || not_ok "the feed has $n events"
# A slow download of one rendering while the next replaces it: both whole.
curl -s -m 120 --limit-rate 20M -o "$T/feed2.ics" "$URL" &
CPID=$!
sleep 0.5
"$TERMIJN" done m50008 >/dev/null
sleep 1
curl -s -m 60 -o "$T/feed3.ics" "$URL"
wait "$CPID"
for f in feed2 feed3; do
	n=$(grep -c '^BEGIN:VEVENT' "$T/$f.ics")
	[ "$n" -eq "$N" ] && tail -c 15 "$T/$f.ics" | grep -q 'END:VCALENDAR' &&
		ok "$f: whole while a new rendering replaced the bytes" || not_ok "$f has $n events"
done
# Once made, the feed has every change acknowledged before it was asked for. (Not compared
# with feed2: its rendering reads states as it goes, and on a slow machine m50008 was done
# before it got there.) feed3's rendering is over; a change after it makes the next new.
expect_exit 0 "a change once the renderings are over" -- "$TERMIJN" done m50009
curl -s -m 60 -o "$T/feed5.ics" "$URL"
curl -s -m 60 -o "$T/feed6.ics" "$URL"
! cmp -s "$T/feed3.ics" "$T/feed5.ics" && cmp -s "$T/feed5.ics" "$T/feed6.ics" &&
	ok "a new rendering after a change, then the same bytes" || not_ok "feed5/feed6"
curl -s -m 60 --compressed -o "$T/feed4.ics" -D "$T/feed4.h" "$URL"
grep -qi '^content-encoding: gzip' "$T/feed4.h" && cmp -s "$T/feed6.ics" "$T/feed4.ics" &&
	ok "compressed (a slice at a time too): the same bytes" || not_ok "the gzip feed differs"
stop_daemon
finish
