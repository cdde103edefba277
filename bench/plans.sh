#!/usr/bin/env bash
# plans.sh: how long termijnd -n takes, and how much memory, on large plans made here:
# a chain of 100,000 milestones, a cycle of 70,000 and 200 parties x 2000 milestones that
# each require the one before @all, and two chains of 100,000 with and without a link from
# each milestone of one to the other's. Prints figures and asserts no goals: the exit status is
# non-zero only when something broke (a build, a crash, a plan judged wrongly).
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
# TERMIJND=path measures another build (an older one, say).
TERMIJND=${TERMIJND:-./daemon/termijnd}
[ "$TERMIJND" != ./daemon/termijnd ] || make --no-print-directory all >/dev/null || exit 1
T=$(mktemp -d /tmp/termijn-bench-plans.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/plans"
printf 'plans-dir plans\nstate-dir state\nsocket termijnd.sock\ntemplates-dir %s/etc/templates\n' \
    "$PWD" > "$T/termijnd.conf"

G=tests/plans/generate.sh

# run NAME WANT: termijnd -n on the plan in $T/plans, WANT its exit status.
rc=0
run() {
	/usr/bin/time -f '%e %M' -o "$T/time" "$TERMIJND" -n -f "$T/termijnd.conf" \
	    >"$T/out" 2>&1
	got=$?
	read -r secs kb < <(tail -1 "$T/time")
	printf '%-44s %8s s %8d MiB  %6d bytes of output\n' "$1" "$secs" $((kb / 1024)) \
	    "$(wc -c < "$T/out")"
	if [ "$got" -ne "$2" ]; then
		echo "  exit status $got, wanted $2:"; head -3 "$T/out"; rc=1; fi
}
echo "termijnd -n on generated plans (elapsed, peak resident memory):"
$G chain 100000 > "$T/plans/p.plan"; run "chain of 100,000 milestones ($(($(wc -c < "$T/plans/p.plan") / 1024)) KiB)" 0
$G cycle 70000 > "$T/plans/p.plan"; run "cycle of 70,000 milestones ($(($(wc -c < "$T/plans/p.plan") / 1024)) KiB)" 1
$G all 200 2000 > "$T/plans/p.plan"; run "200 parties x 2000 @all ($(($(wc -c < "$T/plans/p.plan") / 1024)) KiB)" 0
# Links between plans (links.c): a second chain of 100,000 beside the first, unlinked, then
# each of its milestones also requiring the first plan's of the same id.
$G chain 100000 > "$T/plans/p.plan"
sed 's/^plan chain$/plan other/' "$T/plans/p.plan" > "$T/plans/q.plan"
run "two chains of 100,000, not linked" 0
awk '{ print } /^  due / { sub(/^milestone /, "", m); print "  requires chain:" m } /^milestone / { m = $0 }' \
    "$T/plans/p.plan" | sed 's/^plan chain$/plan other/' > "$T/plans/q.plan"
run "the same, 100,000 links between the plans" 0
exit $rc
