#!/bin/bash
# t-memory.sh: memory a big answer took goes back to the kernel once it is sent. 781 plans of
# national shape (tests/plans/generate.sh) made a status of 2.2 MB; glibc kept what its
# objects had taken (17 MiB) resident for good, until termijnd trimmed its heap after such
# answers. The status is paged now: its biggest page (20,000 instances) is the big answer.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
rm -f "$T"/plans/*.plan
"$TOP/tests/plans/generate.sh" national plans 25000 "$T/plans" >/dev/null
# Started as start_daemon does, but asked something small until it answers: start_daemon
# asks for the status, the big answer this test is about.
"$TERMIJND" -f "$T/termijnd.conf" --clock-start '2013-12-16 09:00' --clock-speed 0 \
    2>>"$T/daemon.log" &
DPID=$!
for _ in $(seq 1 1200); do
	[ "$(curl -s --max-time 10 --unix-socket "$SOCK" -o /dev/null -w '%{http_code}' \
	    'http://localhost/api/v1/milestone?key=none')" = 404 ] && break
	kill -0 "$DPID" 2>/dev/null || break
	sleep 0.05
done
sleep 1
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$DPID/status"; }

if grep -qa '__asan_init' "$TERMIJND"; then
	echo "# under AddressSanitizer, whose allocator keeps its own: RSS not checked"
else
	R0=$(rss)
	SIZE=$(curl -s --max-time 60 --unix-socket "$SOCK" -o /dev/null -w '%{size_download}' \
	    'http://localhost/api/v1/status?limit=1000')
	R1=$(rss)
	if [ "$SIZE" -ge 1048576 ] && [ $((R1 - R0)) -ge 4096 ]; then
		ok "a status of $SIZE bytes took $(( (R1 - R0) / 1024 )) MiB (the test means something)"
	else not_ok "the status of $SIZE bytes took only $((R1 - R0)) KiB: too little to see"; fi
	# Trimmed a second after the answer and again ten seconds after.
	for w in $(seq 0 30); do
		R2=$(rss)
		[ $((R2 - R0)) -lt $(( (R1 - R0) / 4 )) ] && break
		sleep 1
	done
	if [ $((R2 - R0)) -lt $(( (R1 - R0) / 4 )) ]; then
		ok "within $w s RSS is back to $((R2 / 1024)) MiB (it was $((R0 / 1024)) before, $((R1 / 1024)) after)"
	else not_ok "RSS stays at $((R2 / 1024)) MiB (it was $((R0 / 1024)) before, $((R1 / 1024)) after)"; fi
fi
expect_exit 0 "status still answers" -- "$C" status
stop_daemon
finish
