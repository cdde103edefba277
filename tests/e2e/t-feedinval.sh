#!/bin/bash
# t-feedinval.sh: a cached feed is made again after each change that touches what it shows,
# and only then (issue 13). Three plans: a waits for b (a link between plans), c stands
# apart. Six feeds (plans a, b and c, party a/x, the people sec@x, in a and b, and sec@c, in
# c); after each kind of change the test fetches each feed alone and reads from /metrics
# whether it was rendered (1) or served from the cache (0). Then random changes and clock
# jumps, each followed by a check that every cached answer equals a fresh rendering (a new
# token of the same feed), and /metrics' counts of steps by state equal status's. The daemon
# runs on the real clock, moved by libfaketime.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN PY=/usr/bin/python3
faked_clock

setup_conf
rm -f "$T"/plans/*.plan
cat > "$T/plans/a.plan" <<'EOP'
plan a
  title Spoor A
  timezone Europe/Amsterdam

role secretaris
  address sec@a.example
party x
  name Gemeente X
  role secretaris sec@x.example
party y
  name Gemeente Y
  role secretaris sec@y.example

dimension onderdeel
  name Onderdeel
  found-by start

milestone start
  title A begint
  owner secretaris
  due 2014-01-10 12:00

milestone memo
  title A memo
  owner secretaris
  due 2014-01-10 14:00

milestone besluit
  title A besluit
  owner secretaris
  parties all
  due 2014-02-01
  requires b:overleg

milestone stuk
  title A stuk
  owner secretaris
  per onderdeel
  due 2014-02-10
  requires start
EOP
cat > "$T/plans/b.plan" <<'EOP'
plan b
  title Spoor B
  timezone Europe/Amsterdam

role secretaris
  address sec@b.example
party x
  name Gemeente X
  role secretaris sec@x.example
party y
  name Gemeente Y
  role secretaris sec@y.example

milestone overleg
  title B overleg
  owner secretaris
  parties all
  due 2014-01-20

milestone conferentie
  title B conferentie
  owner secretaris
  due 2014-03-01
EOP
cat > "$T/plans/c.plan" <<'EOP'
plan c
  title Spoor C
  timezone Europe/Amsterdam

role secretaris
  address sec@c.example
role helper
  address sec@x.example

milestone een
  title C een
  owner secretaris
  due 2014-05-01

milestone twee
  title C twee
  owner secretaris
  due 2014-06-01
  requires een
EOP
set_clock '2014-01-10 11:00:00'
start_daemon || { not_ok "the daemon starts"; finish; }
H=$(http_addr)

NAMES="FA FAX FB FC PX PC"
declare -A FP
# newfeed KIND SUBJECT: a new feed: the path of its URL in NEWPATH, its id in NEWID.
newfeed() {
	local out
	out=$("$C" --json feeds create "--$1" "$2") || { not_ok "feeds create --$1 $2"; return 1; }
	read -r NEWID NEWPATH < <(printf '%s' "$out" | $PY -c 'import json, sys
o = json.load(sys.stdin)
print(o["id"], "/" + o["url"].split("://")[1].split("/", 1)[1])')
}
declare -A KIND=([FA]=plan [FAX]=party [FB]=plan [FC]=plan [PX]=person [PC]=person)
declare -A SUBJ=([FA]=a [FAX]=a/x [FB]=b [FC]=c [PX]=sec@x.example [PC]=sec@c.example)
declare -A FID
for f in $NAMES; do
	newfeed "${KIND[$f]}" "${SUBJ[$f]}"
	FP[$f]=$NEWPATH
	FID[$f]=$NEWID
done
renders() {
	curl -s --max-time 10 "http://$H/metrics" | awk '$1 == "termijn_feed_renders_total" { print $2 }'
}
# probe FEED...: for each, 1 when fetching it rendered it, 0 when it came from the cache.
probe() {
	local f r0 r1 s=
	for f in "$@"; do
		r0=$(renders)
		curl -s --max-time 30 -o "$T/$f.body" "http://$H${FP[$f]}"
		r1=$(renders)
		s=$s$((r1 - r0))
	done
	echo "$s"
}
probe $NAMES >/dev/null
expect_n 0 "$(probe $NAMES)" "a second round of the six feeds comes from the cache"

# after DESCRIPTION PATTERN -- command...: the command succeeds; then which feeds render.
after() {
	local desc=$1 want=$2
	shift 3
	probe $NAMES >/dev/null
	OUT=$("$@" 2>&1) || { not_ok "$desc: $* failed: $OUT"; return; }
	local got
	got=$(probe $NAMES)
	if [ "$got" = "$want" ]; then ok "$desc: rendered again $want ($NAMES)"
	else not_ok "$desc: rendered again $got, wanted $want ($NAMES)"; fi
}
after "done in a" 111010 -- "$C" done start -p a
after "done in c" 000101 -- "$C" done een -p c
after "waive in b (a waits for b; b's feed shows a)" 111010 -- "$C" waive conferentie -p b -r x
after "undo in c" 000101 -- "$C" undo een -p c -r x
after "move in c" 000101 -- "$C" move twee -p c --due 2014-06-02 -r x
after "retitle in a" 111010 -- "$C" retitle besluit -p a --title "A besluit nu" -r x
after "add in c, for a role of sec@x: their feed takes c in" 000111 -- \
    "$C" add -p c drie --title "C drie" --owner helper --due 2014-07-01
after "require in c (sec@x acts in c now)" 000111 -- "$C" require drie -p c --on een -r x
after "part add in a" 111010 -- "$C" part add a onderdeel inkoop --title Inkoop -r x
after "part cancel in a" 111010 -- "$C" part cancel a onderdeel inkoop -r x
after "cancel in c" 000111 -- "$C" cancel drie -p c -r x
after "done in b (a waits for it)" 111010 -- "$C" done overleg@x -p b
after "undo in a" 111010 -- "$C" undo start -p a -r x

expect_exit 0 "revoke the feed of sec@c" -- "$C" feeds revoke "${FID[PC]}"
CODE=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "http://$H${FP[PC]}")
expect_n 404 "$CODE" "the revoked feed is not found at once"
expect_n 0 "$(probe FA FAX FB FC PX)" "the other feeds stay in the cache over the revoke"
NAMES="FA FAX FB FC PX"

# mcheck: /metrics' termijn_milestones, kept between changes, against status (counted anew).
mcheck() {
	curl -s --max-time 10 "http://$H/metrics" > "$T/metrics"
	"$C" --json status > "$T/status.json" || return 1
	$PY - "$T/metrics" "$T/status.json" <<'EOPY'
import json, re, sys
m = {}
for line in open(sys.argv[1]):
    g = re.match(r'termijn_milestones\{plan="([^"]*)",state="([^"]*)"\} (\d+)', line)
    if g:
        m[(g.group(1), g.group(2))] = int(g.group(3))
s = {}
for p in json.load(open(sys.argv[2]))["plans"]:
    for k, v in p["counts"].items():
        s[(p["id"], k)] = v
if m != s:
    print("# metrics", sorted(m.items()))
    print("# status ", sorted(s.items()))
    sys.exit(1)
EOPY
}
# The clock passes a's start (12:00) and memo (14:00): what shows them (a, a/x, sec@x's) is
# made again; b and c are not.
set_clock '2014-01-10 11:40:00'
expect_n 0 "$(probe $NAMES)" "half an hour on, no moment passed: all from the cache"
if mcheck; then ok "/metrics counts the steps by state as status does"
else not_ok "/metrics counts the steps otherwise than status"; fi
set_clock '2014-01-10 13:30:00'
expect_n 11001 "$(probe $NAMES)" "past the start's deadline: a, a/x and sec@x are made again"
if mcheck; then ok "/metrics counts the start overdue, as status does"
else not_ok "/metrics does not count the start overdue as status does"; fi
set_clock '2014-01-10 14:30:00'
expect_n 11001 "$(probe $NAMES)" "past the memo's deadline: a, a/x and sec@x are made again"
if grep -q 'SUMMARY:\[te laat\] A memo' "$T/FA.body"; then ok "the memo shows overdue"
else not_ok "the memo does not show overdue"; fi
# The wall clock set back (an NTP step, an operator's mistake): the memo's deadline has not
# passed yet, so what shows it is made again, and no longer says it is late.
set_clock '2014-01-10 13:45:00'
expect_n 11001 "$(probe $NAMES)" "the clock set back before the memo's deadline: a, a/x and sec@x are made again"
if grep -q 'SUMMARY:\[kan nu\] A memo' "$T/FA.body" && ! grep -q 'SUMMARY:\[te laat\] A memo' "$T/FA.body"
then ok "after the clock went back the memo is no longer overdue"
else not_ok "after the clock went back the memo still shows overdue"
	grep -a 'SUMMARY:.*memo' "$T/FA.body" | sed 's/^/# /'; fi
if mcheck; then ok "/metrics counts the memo open again after the clock went back, as status does"
else not_ok "/metrics keeps counting the memo overdue after the clock went back"; fi
set_clock '2014-01-10 14:30:00'
probe $NAMES >/dev/null

expect_exit 0 "reload" -- "$C" reload
expect_n 11111 "$(probe $NAMES)" "after a reload every feed is made again"

# Random changes and clock jumps (some back): a cached answer is always what a fresh rendering gives.
SEED=${FEEDINVAL_SEED:-$$}
RANDOM=$SEED
KEYS="a:start a:memo a:besluit@x a:besluit@y b:overleg@x b:overleg@y b:conferentie c:een c:twee"
read -ra KV <<<"$KEYS"
mcheck || not_ok "/metrics counts as status does, before the random changes"
bad=0 mbad=0
for round in $(seq 1 24); do
	k=${KV[RANDOM % ${#KV[@]}]}
	p=${k%%:*} key=${k#*:}
	case $((RANDOM % 6)) in
	0|1) "$C" done "$key" -p "$p" >/dev/null 2>&1 ;;
	2) "$C" undo "$key" -p "$p" -r x >/dev/null 2>&1 ;;
	3) "$C" waive "$key" -p "$p" -r x >/dev/null 2>&1 ;;
	4) "$C" move "${key%@*}" -p "$p" --due "2014-0$((RANDOM % 3 + 1))-$((RANDOM % 18 + 10))" \
	    -r x >/dev/null 2>&1 ;;
	5) shift_clock $(((RANDOM % 240 - 60) * 3600)) ;;
	esac
	mcheck || mbad=$((mbad + 1))
	for f in $NAMES; do
		curl -s --max-time 30 -D "$T/old.hdr" -o "$T/old.body" "http://$H${FP[$f]}"
		newfeed "${KIND[$f]}" "${SUBJ[$f]}"
		curl -s --max-time 30 -D "$T/new.hdr" -o "$T/new.body" "http://$H$NEWPATH"
		"$C" feeds revoke "$NEWID" >/dev/null 2>&1
		if ! cmp -s "$T/old.body" "$T/new.body" || [ "$(grep -i '^Last-Modified' "$T/old.hdr")" != \
		    "$(grep -i '^Last-Modified' "$T/new.hdr")" ]; then
			bad=$((bad + 1))
			[ "$bad" -le 3 ] && { echo "# round $round ($k), feed $f: cached and fresh differ"
				diff "$T/old.body" "$T/new.body" | head -10 | sed 's/^/#   /'; }
		fi
	done
done
expect_n 0 "$bad" "24 random changes (seed $SEED): every cached feed equals a fresh rendering"
expect_n 0 "$mbad" "and /metrics counted each plan's steps by state as status does, each time"
stop_daemon
finish
