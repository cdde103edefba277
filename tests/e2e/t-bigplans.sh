#!/bin/bash
# t-bigplans.sh: plans at the size limits (made here, at run time) on -n, at start, on reload.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
rm -f "$T"/plans/*.plan

# chain N [cycle]: milestones m0 requires m1 ... requires mN-1 (cycle: mN-1 requires m0).
chain() {
	awk -v n="$1" -v cycle="${2:-}" 'BEGIN {
		print "plan chain\n  title Chain\nrole sec\n  address sec@x.example"
		for (i = 0; i < n; i++) {
			printf "milestone m%d\n  title M\n  owner sec\n  due 2014-01-01\n", i
			if (i + 1 < n) printf "  requires m%d\n", i + 1
			else if (cycle) print "  requires m0"
		}
	}'
}
chain 100000 > "$T/chain.plan"
chain 70000 cycle > "$T/cycle.plan"

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

# At start, and on reload of a running daemon.
cp "$T/chain.plan" "$T/plans/chain.plan"
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
expect_exit 0 "the daemon started on the chain: show m99998" -- "$C" --json show m99998
expect_in '"m99999"' "m99998 requires m99999"
cp "$T/cycle.plan" "$T/plans/chain.plan"
expect_exit 1 "reload of the 70,000-cycle is refused" -- "$C" reload
expect_in "dependency cycle" "the refusal names the cycle"
expect_exit 0 "the daemon still answers, on the plan it had" -- "$C" --json show m99998
cp "$T/chain.plan" "$T/plans/chain.plan"
expect_exit 0 "reload of the chain" -- "$C" reload
stop_daemon
finish
