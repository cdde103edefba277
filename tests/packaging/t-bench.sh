#!/bin/bash
# t-bench.sh: bench/run.sh in a fresh tree (nothing built, no catalogs installed) runs
# briefly, prints its figures and says "something broke" only when something did; scale.sh
# and remote.sh, run there briefly too, build the catalogs of the daemon they run.
. "$(dirname "$0")/../e2e/lib.sh"
: > "$T/daemon.log"

W=$T/tree
mkdir -p "$W/etc"
cp -r "$TOP/Makefile" "$TOP/bench" "$TOP/client" "$TOP/common" "$TOP/daemon" "$TOP/po" "$W/"
cp -r "$TOP/etc/templates" "$W/etc/"
# A termijnd of this tree whose catalogs are not installed warns, and the bench counts
# warnings as breakage: the bench must build the catalogs beside the daemon it runs.
expect_exit 0 "bench/run.sh in a fresh tree" -- env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    BENCH_RUNS=3 BENCH_PROCESS_SECONDS=20 BENCH_MILESTONES=300 BENCH_SECONDS=1 \
    BENCH_SQLITE_SECONDS=1 BENCH_LIMIT=240 TMPDIR="$T" bash "$W/bench/run.sh"
expect_not_in 'something broke' "it does not say something broke"
expect_not_in 'termijnd answers in English' "the daemon found its catalogs"
for fig in 'done-process  median' 'api-done  clients=1 ' 'api-done  clients=8 ' \
    'api-done  clients=32 ' 'sqlite-full-insert  [0-9]+ commits/s' \
    'ratio api32/sqlite  [0-9.]+' 'daemon-rss  after clients=32'; do
	expect_in "$fig" "it prints $fig"
done

# The other benches that run this build (build/bench) build the catalogs too.
MO=$W/build/locale/nl/LC_MESSAGES/termijn.mo
mkdir -p "$W/tests"
cp -r "$TOP/tests/plans" "$TOP/tests/e2e" "$W/tests/"
rm -rf "$W/build/locale"
expect_exit 0 "bench/scale.sh, briefly" -- env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    SCALE_SIZES=1000 SCALE_SHAPES=plans SCALE_ONLY=start SCALE_SECONDS=1 SCALE_EDITS=1 \
    SCALE_LIMIT=240 TMPDIR="$T" bash "$W/bench/scale.sh"
if [ -s "$MO" ]; then ok "bench/scale.sh built the catalogs"
else not_ok "bench/scale.sh ran termijnd without its catalogs"; fi
rm -rf "$W/build/locale"
expect_exit 0 "bench/remote.sh, briefly" -- env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    BENCH_RUNS=3 BENCH_LIMIT=240 TMPDIR="$T" bash "$W/bench/remote.sh"
if [ -s "$MO" ]; then ok "bench/remote.sh built the catalogs"
else not_ok "bench/remote.sh ran termijnd without its catalogs"; fi
finish
