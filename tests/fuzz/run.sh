#!/bin/sh
# run.sh SECONDS BINDIR [NAME...]: run each fuzz target (BINDIR/fuzz_NAME) for SECONDS.
# Inputs: the committed corpus tests/fuzz/corpus/NAME (regression cases, run every time),
# the seeds named on the target's "fuzz-seeds:" line, and a working corpus under
# build/fuzz/corpus/NAME that keeps what earlier runs learnt (not committed). A finding
# (crash, leak, sanitizer report, broken property, timeout, memory blow-up) is saved under
# build/fuzz/findings/ and fails the run: fix it, then add the input to the corpus.
set -u
cd "$(dirname "$0")/../.." || exit 1
secs=$1 bindir=$2
shift 2
names=${*:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_\(.*\)\.c|\1|')}
mkdir -p build/fuzz/findings
fail=0
for n in $names; do
	bin=$bindir/fuzz_$n
	work=build/fuzz/corpus/$n
	mkdir -p "$work" "tests/fuzz/corpus/$n"
	# Seed directories are read as they are; seed files are copied into one.
	seeds=
	rm -rf "build/fuzz/seeds/$n"
	mkdir -p "build/fuzz/seeds/$n"
	for s in $(sed -n 's|^/\* fuzz-seeds: \(.*\) \*/$|\1|p' "tests/fuzz/fuzz_$n.c"); do
		if [ -d "$s" ]; then seeds="$seeds $s"; else cp "$s" "build/fuzz/seeds/$n/"; fi
	done
	echo "== fuzz $n: ${secs}s"
	start=$(date +%s)
	# -timeout: an input that takes 10 s is a finding (what a reader would wait);
	# -rss_limit_mb: one that needs 1 GiB is too.
	if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -max_len=65536 \
	    -print_final_stats=1 -artifact_prefix="build/fuzz/findings/$n-" \
	    "$work" "tests/fuzz/corpus/$n" "build/fuzz/seeds/$n" $seeds >"build/fuzz/$n.log" 2>&1; then
		echo "   $(( $(date +%s) - start ))s, $(ls "$work" | wc -l) inputs in the working" \
		    "corpus, no finding"
		echo "$n $(( $(date +%s) - start )) ok" >>build/fuzz/times.log
	else
		fail=1
		echo "$n $(( $(date +%s) - start )) finding" >>build/fuzz/times.log
		echo "   FINDING after $(( $(date +%s) - start ))s; the log: build/fuzz/$n.log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*property failed|.*runtime error)' \
		    "build/fuzz/$n.log" | head -5 | sed 's/^/   /' | grep . ||
		    tail -3 "build/fuzz/$n.log" | sed 's/^/   /'
		grep -E 'Test unit written to' "build/fuzz/$n.log" | sed 's/^/   /'
	fi
done
[ "$fail" -eq 0 ]
