#!/bin/bash
# t-bigplans.sh: plans at the size limits (made here, at run time) on -n, at start, on reload.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
rm -f "$T"/plans/*.plan

"$TOP/tests/plans/generate.sh" chain 100000 > "$T/chain.plan"
"$TOP/tests/plans/generate.sh" cycle 70000 > "$T/cycle.plan"
"$TOP/tests/plans/generate.sh" all 200 2000 > "$T/all.plan"

# A chain of 100,000 milestones is a valid plan: the cycle check overflowed the stack.
cp "$T/chain.plan" "$T/plans/chain.plan"
expect_exit 0 "termijnd -n: a chain of 100,000 milestones is valid" -- \
    "$TERMIJND" -n -f "$T/termijnd.conf"
expect_in "configuration OK" "termijnd -n says so"

# A cycle of 70,000 is refused, in one message of a line that names both ends.
cp "$T/cycle.plan" "$T/plans/chain.plan"
expect_exit 1 "termijnd -n: a cycle of 70,000 milestones is refused" -- \
    "$TERMIJND" -n -f "$T/termijnd.conf"
expect_in "dependency cycle: m0 -> m1 -> .* \(69988 more\) .* -> m69999 -> m0" \
    "the cycle is named by its ends"
if [ "${#OUT}" -lt 2000 ]; then ok "the refusal is short (${#OUT} bytes)"; else
	not_ok "the refusal is ${#OUT} bytes"; fi

# 200 parties x 2000 milestones requiring the one before @all: 17.8 s and 1.38 GB to check.
cp "$T/all.plan" "$T/plans/chain.plan"
expect_exit 0 "termijnd -n: 200 parties x 2000 milestones requiring @all" -- \
    "$TERMIJND" -n -f "$T/termijnd.conf"

# At start, and on reload of a running daemon (which stores 100,000 states first). Under
# ASan, ten times slower, a chain of 20,000.
N=100000
if ldd "$TERMIJND" 2>/dev/null | grep -q libasan; then
	N=20000
	echo "# an ASan build: start and reload with a chain of $N"
	"$TOP/tests/plans/generate.sh" chain $N > "$T/chain.plan"
fi
cp "$T/chain.plan" "$T/plans/chain.plan"
START_WAIT=120 start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
expect_exit 0 "the daemon started on the chain: show m$((N - 2))" -- "$C" --json show m$((N - 2))
expect_in "\"m$((N - 1))\"" "m$((N - 2)) requires m$((N - 1))"
cp "$T/cycle.plan" "$T/plans/chain.plan"
expect_exit 1 "reload of the 70,000-cycle is refused" -- "$C" reload
expect_in "dependency cycle" "the refusal names the cycle"
expect_exit 0 "the daemon still answers, on the plan it had" -- "$C" --json show m$((N - 2))
cp "$T/chain.plan" "$T/plans/chain.plan"
F0=$FAIL
expect_exit 0 "reload of the chain" -- "$C" reload
# Seen once under load: the answer lost when putting in force held the loop 10 s (the disk,
# the CPU), tests/fault/t-reloadstall.sh. Should it come again, what to look at:
if [ "$FAIL" -gt "$F0" ]; then
	kill -0 "$DPID" 2>/dev/null && echo "# termijnd still runs" || echo "# termijnd is gone"
	curl -s -m 10 "http://$(http_addr)/metrics" | grep longest_callback | sed 's/^/#   /'
	tail -20 "$T/daemon.log" | cut -c1-300 | sed 's/^/#   /'
fi
stop_daemon
finish
