#!/bin/bash
# t-reload.sh: a reload parses the new plans aside; the old ones answer meanwhile, the new ones
# after; a signal, two at once, and a stop while one runs.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
rm -f "$T"/plans/*.plan
# Templates of its own, to break one.
cp -r "$TOP/etc/templates" "$T/templates"
sed -i "s|^templates-dir .*|templates-dir $T/templates|" "$T/termijnd.conf"

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
mixed_round() {
	for try in 1 2 3; do
		n0=$(refusals)
		kill -HUP "$DPID"
		sleep 0.05
		env LANG=nl_NL.UTF-8 "$C" reload > "$T/nl.out" 2>&1 & RNL=$!
		env LANG=C "$C" reload > "$T/en.out" 2>&1 & REN=$!
		wait $RNL; wait $REN
		[ "$(($(refusals) - n0))" -eq 2 ] && return 0
		echo "# try $try: the two requests went in rounds of their own"
	done
	return 1
}
# expect_langs DUTCH ENGLISH WHAT: each asker of the last mixed round got WHAT in its language.
expect_langs() {
	OUT=$(cat "$T/nl.out")
	expect_in "$1" "the Dutch asker gets $3 in Dutch"
	expect_not_in "$2" "and no English"
	OUT=$(cat "$T/en.out")
	expect_in "$2" "the English asker gets $3 in English"
	expect_not_in "$1" "and no Dutch"
}
if use_dutch; then
	mixed_round && ok "a Dutch and an English reload in one round" ||
	    not_ok "the two reloads never shared a round"
	expect_langs 'eigenaar "nobody" is geen rol in dit plan' 'owner "nobody" is not a role' \
	    "the parse's error"

	# Errors of putting the plans in force, after the parse: a run-time move that the
	# other plan's file no longer allows.
	printf 'plan xa\n  title XA\nrole sec\n  address sec@xa.example\nmilestone m\n  title M\n  owner sec\n  due 2014-03-01\n  requires xb:p\n' > "$T/plans/xa.plan"
	printf 'plan xb\n  title XB\nrole sec\n  address sec@xb.example\nmilestone p\n  title P\n  owner sec\n  due 2014-01-20\n' > "$T/plans/xb.plan"
	small "Fifth title"
	expect_exit 0 "reload with two linked plans" -- "$C" reload
	expect_exit 0 "move xa's m to before xb:p's later start" -- \
	    "$C" move -p xa m --due 2014-02-01 -r sooner
	sed -i 's/^  due 2014-01-20$/  not-before 2014-02-10\n  due 2014-02-20/' "$T/plans/xb.plan"
	mixed_round && ok "a Dutch and an English reload in one round, refused in force" ||
	    not_ok "the two reloads never shared a round"
	expect_langs 'm heeft termijn 2014-02-01, maar het vereiste xb:p kan niet vóór 2014-02-10 beginnen' \
	    'm is due 2014-02-01, but its prerequisite xb:p cannot start before 2014-02-10' \
	    "an error of putting the plans in force"
	OUT=$(cat "$T/daemon.log")
	expect_in 'reload: .*m is due 2014-02-01, but' "the journal tells it in English"
	expect_not_in 'heeft termijn' "never in Dutch"
	sed -i '/^  not-before 2014-02-10$/d' "$T/plans/xb.plan"

	# A broken template: refused with the plans, in each asker's language; the plans stay.
	small "Sixth title"
	printf 'no subject\n' > "$T/templates/en/lead.txt"
	mixed_round && ok "a Dutch and an English reload in one round, a template broken" ||
	    not_ok "the two reloads never shared a round"
	expect_langs 'een sjabloon begint met "Subject' 'a template starts with "Subject' \
	    "the template's error"
	OUT=$(cat "$T/daemon.log")
	expect_in 'reload: .*lead.txt:1: a template starts with' "the journal tells it in English"
	expect_not_in 'een sjabloon' "never in Dutch"
	expect_exit 0 "show after the refusal" -- "$C" --json show -p small a
	expect_in '"title": *"Fifth title"' "the plans in force stay, as the refusal says"
	cp "$TOP/etc/templates/en/lead.txt" "$T/templates/en/lead.txt"
else
	echo "# no nl_NL.UTF-8 locale and no localedef: the mixed-language rounds are not checked"
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
