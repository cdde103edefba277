#!/bin/sh
# run.sh TERMIJND TERMIJN: every end-to-end test against these binaries; fails when one fails.
set -u
cd "$(dirname "$0")/../.." || exit 1
TERMIJND=$(realpath "$1") TERMIJN=$(realpath "$2")
export TERMIJND TERMIJN
. tests/timed.sh
pass=0 fail=0
for t in tests/e2e/t-*.sh; do
	echo "== $t"
	# Bounded, so that one hung peer (smtpd.py once never stopped) cannot hold the whole run.
	if timed "$t" timeout 900 bash "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
slowest e2e
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
