#!/bin/bash
# t-partlast.sh: parts of a plan whose milestone per part comes last, as in a national plan:
# the daemon links the new part's steps in place (plan.c insert_part) instead of expanding
# the plan again, at its end and, once a milestone is added after it, before that. The
# states kept, what requires every part waits for the new one, the new step waits for every
# party, and after a restart (a whole expansion) all is the same.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
rm -f "$T"/plans/*.plan
cat >"$T/plans/laatst.plan" <<'EOP'
plan laatst
  title Laatst
role sec
  address sec@x.example
party p1
  role sec sec@p1.example
party p2
  role sec sec@p2.example
party p3
  role sec sec@p3.example
dimension stuk
  found-by start
milestone start
  title Start
  owner sec
  due 2014-03-01
milestone elk
  title Elk
  owner sec
  parties all
  requires start
  due 2014-03-10
milestone samen
  title Samen
  owner sec
  requires deel
  due 2014-04-01
milestone deel
  title Deel
  owner sec
  per stuk
  requires elk@all
  due 2014-03-20
EOP
start_daemon --clock-start '2014-02-10 09:00' --clock-speed 0 || exit 1
same() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3 ('$1' vs '$2')"; fi; }
status_of() { "$C" --json show "$1" | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p' | head -1; }

expect_exit 0 "start" -- "$C" done start
expect_exit 0 "elk@p1" -- "$C" done elk@p1
expect_exit 0 "a first part" -- "$C" part add laatst stuk a --title A
expect_exit 0 "its step is there" -- "$C" show deel#a
same "$(status_of elk@p1)" done "a state from before the part is kept"
expect_exit 3 "the new step waits for every party" -- "$C" done deel#a
expect_in "requires elk@p2" "it names a party not done yet"
expect_exit 0 "elk@p2" -- "$C" done elk@p2
expect_exit 0 "elk@p3" -- "$C" done elk@p3
expect_exit 0 "the part's step" -- "$C" done deel#a
expect_in "now ready: samen" "it makes ready what waits for every part"
expect_exit 0 "a second part" -- "$C" part add laatst stuk b --title B
expect_exit 3 "what waits for every part waits for the new one" -- "$C" done samen
expect_in "requires deel#b" "it names the new part's step"
expect_exit 0 "a third part, with a lead" -- "$C" part add laatst stuk c --title C --lead p2
expect_exit 0 "log" -- "$C" log -p laatst deel#c
expect_in "part-add +deel#c" "the new step's part add is audited"
# A milestone added at run time comes after the part's: a new part's steps go before it.
expect_exit 0 "a milestone added, waiting for every part" -- "$C" add -p laatst extra \
    --title Extra --owner sec --due 2014-05-01 --requires deel
expect_exit 0 "a part after it" -- "$C" part add laatst stuk d --title D
expect_exit 3 "the added milestone waits for the new part too" -- "$C" done extra
expect_in "requires deel#d" "it names the new part's step"
same "$(status_of deel#a)" done "a step of an earlier part stays done"
same "$(status_of elk@p3)" done "and a party's step too"
expect_exit 0 "the new part's step is there" -- "$C" show deel#d
BEFORE=$("$C" --json part list laatst stuk)

# ---- a restart expands the plan whole: the same parts, states and refusals ----
stop_daemon
start_daemon --clock-start '2014-02-10 09:00' --clock-speed 0 || exit 1
same "$("$C" --json part list laatst stuk)" "$BEFORE" "the parts are the same after a restart"
same "$(status_of deel#a)" done "the first part's step is still done"
same "$(status_of deel#b)" open "the second's is open"
expect_exit 3 "what waits for every part still waits" -- "$C" done samen
expect_in "requires deel#b" "for the second part's step"
expect_exit 3 "the added milestone still waits" -- "$C" done extra
expect_in "requires deel#d" "for the last part's step"
stop_daemon
finish
