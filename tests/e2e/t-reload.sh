#!/bin/bash
# t-reload.sh: a reload parses the new plans aside; the old ones answer meanwhile, the new ones
# after; a signal, two at once, and a stop while one runs.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
rm -f "$T"/plans/*.plan

small() {
	cat > "$T/plans/small.plan" <<EOP
plan small
  title Small

role sec
  address sec@small.example

milestone a
  title $1
  owner sec
  due 2014-03-01
EOP
}
shows() { "$C" --json show -p small a 2>/dev/null | grep -q "$1"; }
# A plan that takes a while to parse (about 0.3 s here; an ASan build takes ten times that).
N=100000
ldd "$TERMIJND" 2>/dev/null | grep -q libasan && N=20000
"$TOP/tests/plans/generate.sh" chain $N > "$T/plans/chain.plan"
small "Old title"
START_WAIT=120 start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1

# A request sent while the reload parses is answered at once, from the plans in force.
small "New title"
("$C" reload > "$T/reload.out" 2>&1; echo "reload $?" >> "$T/order") &
RL=$!
sleep 0.05
"$C" --json show -p small a > "$T/show.out" 2>&1
echo "show $?" >> "$T/order"
wait $RL
OUT=$(cat "$T/order")
expect_in "^show 0" "the show during the reload was answered first"
expect_in "reload 0" "and the reload succeeded"
OUT=$(cat "$T/show.out")
expect_in '"title": *"Old title"' "from the old plans"
expect_exit 0 "show after the reload" -- "$C" --json show -p small a
expect_in '"title": *"New title"' "shows the new plans"

# SIGHUP: the same, told in the journal.
small "Third title"
kill -HUP "$DPID"
wait_until 60 shows "Third title" &&
	ok "SIGHUP put the new plans in force" || not_ok "SIGHUP did not reload"
OUT=$(cat "$T/daemon.log")
expect_in "reloaded 2 plans \(parsed in [0-9]+ ms aside, put in force in [0-9]+ ms, [0-9]+ ms of \
it CPU\)" "the journal says how long it took, and where"

# Two at once: the second goes after the first (the files may have changed between them).
small "Fourth title"
"$C" reload > "$T/r1.out" 2>&1 & R1=$!
"$C" reload > "$T/r2.out" 2>&1 & R2=$!
wait $R1; rc1=$?
wait $R2; rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]; then ok "two reloads at once both succeed"; else
	not_ok "two reloads at once: $rc1 and $rc2"; cat "$T/r1.out" "$T/r2.out"; fi

# A broken plan: refused with its errors, the plans in force stay.
printf 'plan small\n  title Small\nmilestone a\n  title A\n  owner nobody\n' > "$T/plans/small.plan"
expect_exit 1 "a reload of a broken plan is refused" -- "$C" reload
expect_in 'owner "nobody" is not a role' "naming the error"
expect_exit 0 "show after the refusal" -- "$C" --json show -p small a
expect_in '"title": *"Fourth title"' "the plans in force stay"

# Askers of several languages in one round: each gets the errors in its own. A signal's
# round parses the chain first, so that both requests wait for the next round together
# (the journal then says "reload failed" twice, not three times; tried up to three times).
refusals() { grep -c 'reload failed; the old plans stay in force' "$T/daemon.log"; }
if use_dutch; then
	together=
	for try in 1 2 3; do
		n0=$(refusals)
		kill -HUP "$DPID"
		sleep 0.05
		env LANG=nl_NL.UTF-8 "$C" reload > "$T/nl.out" 2>&1 & RNL=$!
		env LANG=C "$C" reload > "$T/en.out" 2>&1 & REN=$!
		wait $RNL; wait $REN
		[ "$(($(refusals) - n0))" -eq 2 ] && { together=1; break; }
		echo "# try $try: the two requests went in rounds of their own"
	done
	[ -n "$together" ] && ok "a Dutch and an English reload in one round" ||
	    not_ok "the two reloads never shared a round"
	OUT=$(cat "$T/nl.out")
	expect_in 'eigenaar "nobody" is geen rol in dit plan' "the Dutch asker gets the error in Dutch"
	expect_not_in 'is not a role' "and no English"
	OUT=$(cat "$T/en.out")
	expect_in 'owner "nobody" is not a role' "the English asker gets it in English"
	expect_not_in 'geen rol' "and no Dutch"
else
	echo "# no nl_NL.UTF-8 locale and no localedef: the mixed-language round is not checked"
fi
small "Fifth title"

# The daemon's own measure of how long putting them in force held its loop.
port=$(http_addr)
OUT=$(curl -s "http://$port/metrics")
expect_in 'termijn_longest_callback_seconds\{of="reload"\} [0-9.]+' "/metrics tells the reload's"

# A stop while a reload parses: it waits for the thread and stops cleanly.
kill -HUP "$DPID"
sleep 0.05
stop_daemon
finish
