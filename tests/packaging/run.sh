#!/bin/sh
# run.sh TERMIJND TERMIJN: every packaging test (install, units, sd_notify, manual pages,
# completion, .deb) against these binaries; fails when one fails.
set -u
cd "$(dirname "$0")/../.." || exit 1
TERMIJND=$(realpath "$1") TERMIJN=$(realpath "$2")
export TERMIJND TERMIJN
. tests/timed.sh
pass=0 fail=0
for t in tests/packaging/t-*.sh; do
	echo "== $t"
	if timed "$t" bash "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
slowest packaging
echo "packaging: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
