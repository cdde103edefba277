#!/bin/bash
# t-manyplans.sh: hundreds of plans in one daemon: ids told apart, each state back in its own
# plan after a restart, a plan id twice refused, a reload that keeps the states; what was added
# and changed at run time (read for all plans at once) back in its own plan after a restart.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
rm -f "$T"/plans/*.plan

# plan NAME ID: a small plan in file NAME.plan; file names sort otherwise than ids.
plan() {
	cat > "$T/plans/$1.plan" <<EOP
plan $2
  title Plan $2

role sec
  name Secretaris
  address sec@$2.example

party a
  name A

party b
  name B

milestone start
  title Start
  owner sec
  due 2014-03-01

milestone each
  title Each
  owner sec
  parties all
  requires start
  due 2014-04-01

milestone early
  title Early
  owner sec
  parties all
  due 2013-12-10
  done 2013-12-01

dimension stuk
  name Stuk
  found-by start

milestone lees
  title Lees
  owner sec
  per stuk
  due 2014-05-01
EOP
}
N=400
for i in $(seq 1 $N); do plan "f$(printf %04d $((N + 1 - i)))" "p$i"; done

START_WAIT=60 start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
expect_exit 0 "$N plans are loaded" -- "$C" --json status
expect_in '"p400"' "the last plan is there"
# The same key in every plan: only naming the plan tells them apart.
expect_exit 1 "start without a plan is ambiguous" -- "$C" done start
expect_in "several plans" "and says so"
for i in 1 7 200 400; do
	expect_exit 0 "done start in p$i" -- "$C" done -p p$i start
done
# Done in the plan file: each party's, in every plan, and nothing else with them.
for k in p1/early@a p1/early@b p400/early@b; do
	expect_exit 0 "show $k" -- "$C" --json show -p "${k%/*}" "${k#*/}"
	expect_in '"status": *"done"' "$k is done by the plan"
done
expect_exit 0 "show each@b in p3" -- "$C" --json show -p p3 each@b
expect_in '"status": *"open"' "each@b beside it is open"
expect_exit 0 "each@a in p7 may go ahead" -- "$C" done -p p7 each@a
expect_exit 3 "each@a in p8 may not: its start is open" -- "$C" done -p p8 each@a
# Run-time additions, parts and changes in a few plans: after a restart in those, not beside.
expect_exit 0 "add a milestone to p7" -- "$C" add -p p7 extra --title Extra --owner sec \
    --due 2014-06-01
expect_exit 0 "add a part to p200" -- "$C" part add p200 stuk s1 --title S1
expect_exit 0 "retitle start in p2" -- "$C" retitle -p p2 start --title Begin --reason test
expect_exit 0 "move start in p399" -- "$C" move -p p399 start --due 2014-03-05 --reason test
stop_daemon

# After a restart, every state is back in its own plan, none in another.
START_WAIT=60 start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
for i in 1 7 200 400; do
	expect_exit 0 "show start in p$i" -- "$C" --json show -p p$i start
	expect_in '"status": *"done"' "start of p$i is done after the restart"
done
for i in 2 8 399; do
	expect_exit 0 "show start in p$i" -- "$C" --json show -p p$i start
	expect_in '"status": *"open"' "start of p$i is still open"
done
expect_exit 0 "show each@a in p7" -- "$C" --json show -p p7 each@a
expect_in '"status": *"done"' "each@a of p7 is done after the restart"
expect_exit 0 "the addition is in p7 after the restart" -- "$C" show -p p7 extra
for i in 6 8 400; do
	expect_exit 4 "and not in p$i" -- "$C" show -p p$i extra
done
expect_exit 0 "the part's step is in p200 after the restart" -- "$C" show -p p200 'lees#s1'
expect_exit 4 "and not in p199" -- "$C" show -p p199 'lees#s1'
expect_exit 0 "show start in p2" -- "$C" --json show -p p2 start
expect_in '"title": *"Begin"' "the retitle of p2 holds after the restart"
expect_exit 0 "show start in p3" -- "$C" --json show -p p3 start
expect_in '"title": *"Start"' "p3 keeps its title"
expect_exit 0 "show start in p399" -- "$C" --json show -p p399 start
expect_in '"due_local": *"2014-03-05' "the move of p399 holds after the restart"
expect_exit 0 "show start in p398" -- "$C" --json show -p p398 start
expect_in '"due_local": *"2014-03-01' "p398 keeps its date"

# Two files with one plan id: refused, naming both files, on -n and on reload.
plan g0001 p7
expect_exit 1 "termijnd -n refuses a plan id twice" -- "$TERMIJND" -n -f "$T/termijnd.conf"
expect_in "plan p7 is also in .*f0394.plan" "and names the other file"
expect_exit 1 "reload refuses it too" -- "$C" reload
expect_in "plan p7 is also in" "saying why"
rm "$T/plans/g0001.plan"
# Errors in three of the files (parsed on several threads): told in the files' order, each
# file's together, as when they were parsed one after the other.
for f in f0002 f0150 f0399; do
	printf 'plan bad%s\n  title Bad\n  colour red\n  shape round\n' "$f" > "$T/plans/$f-bad.plan"
done
expect_exit 1 "termijnd -n refuses the three bad files" -- "$TERMIJND" -n -f "$T/termijnd.conf"
order=$(printf '%s\n' "$OUT" | grep -o '[a-z0-9]*-bad\.plan:[0-9]*' | tr '\n' ' ')
want="f0002-bad.plan:3 f0002-bad.plan:4 f0150-bad.plan:3 f0150-bad.plan:4 f0399-bad.plan:3 "
want="${want}f0399-bad.plan:4 "
if [ "$order" = "$want" ]; then ok "their errors come in file order"; else
	not_ok "their errors come in file order (got: $order)"; printf '%s\n' "$OUT" | head -20; fi
rm "$T"/plans/*-bad.plan
expect_exit 0 "reload without it" -- "$C" reload
expect_exit 0 "show start in p200" -- "$C" --json show -p p200 start
expect_in '"status": *"done"' "the states stay through the reload"
stop_daemon
finish
