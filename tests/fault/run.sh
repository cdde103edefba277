#!/bin/sh
# run.sh TERMIJND TERMIJN: every fault scenario (tests/fault/t-*.sh) against these binaries.
# Each scenario is bounded in time, talks to loopback only and stops by itself.
set -u
cd "$(dirname "$0")/../.." || exit 1
TERMIJND=$(realpath "$1") TERMIJN=$(realpath "$2")
export TERMIJND TERMIJN
. tests/timed.sh
pass=0 fail=0
for t in tests/fault/t-*.sh; do
	[ -e "$t" ] || continue
	echo "== $t"
	if timed "$t" timeout 600 bash "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
slowest fault
echo "fault: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
