# timed.sh: sourced by the test runners (run.sh): each test's time, and the slowest at the end.
TIMED=$(mktemp)

# timed NAME COMMAND...: run it and say how long it took; returns its exit status.
timed() {
	_name=$1
	shift
	_t0=$(date +%s%N)
	"$@"
	_rc=$?
	_ds=$((($(date +%s%N) - _t0) / 100000000))
	echo "-- $_name: $((_ds / 10)).$((_ds % 10)) s"
	echo "$((_ds / 10)).$((_ds % 10)) $_name" >> "$TIMED"
	return $_rc
}

# slowest LABEL: the five slowest tests of this run, in seconds.
slowest() {
	echo "$1: the slowest:"
	LC_ALL=C sort -rn -k1,1 "$TIMED" | head -5 | sed 's/^\([^ ]*\) /  \1 s  /'
	rm -f "$TIMED"
}
