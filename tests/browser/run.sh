#!/bin/sh
# run.sh TERMIJND TERMIJN: the browser tests (Debian's Chromium through playwright-core) against
# these binaries; fails when one fails. Screenshots go to build/browser/.
set -u
cd "$(dirname "$0")/../.." || exit 1
TERMIJND=$(realpath "$1") TERMIJN=$(realpath "$2")
export TERMIJND TERMIJN
. tests/timed.sh
pass=0 fail=0
for t in tests/browser/t-*.sh; do
	echo "== $t"
	if timed "$t" timeout 600 bash "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
slowest browser
echo "browser: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
