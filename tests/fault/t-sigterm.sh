#!/bin/bash
# t-sigterm.sh: SIGTERM under load: every change committed was answered, every answer is in
# the database, and the daemon stops by itself within its stop timeout (issue 8, defect 7).
. "$(dirname "$0")/../e2e/lib.sh"
N=20000
gen_conf none
build_loadgen || { finish; exit 1; }
{
	printf 'plan load\n  title Load\n  timezone Europe/Amsterdam\n\n'
	printf 'role owner\n  address x@load.example\n\n'
	awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
		printf "milestone m%05d\n  title Load %d\n  owner owner\n  due 2099-12-31\n\n", i, i }'
} >"$T/plans/load.plan"

for round in 1 2 3 4 5 6; do
	rm -rf "$T/state" "$T/answered"; mkdir -p "$T/state"
	start_daemon || break
	# 32 keep-alive writers; the stop comes while they are busy.
	"$T/bin/loadgen" -s "$SOCK" -c 32 -n "$N" -t 20 -o "$T/answered" \
	    >"$T/loadgen.out" 2>"$T/loadgen.err" &
	LPID=$!
	sleep 0.$((2 + round))
	t0=$(date +%s%N)
	kill -TERM "$DPID"
	wait "$DPID"; rc=$?
	secs=$(( ($(date +%s%N) - t0) / 1000000 ))
	DPID=
	wait "$LPID"
	if [ ! -e "$T/answered" ]; then
		not_ok "round $round: the load generator failed"; sed 's/^/    /' "$T/loadgen.err"
		continue
	fi
	[ "$rc" -eq 0 ] && ok "round $round: exit 0 on SIGTERM under load ($secs ms)" ||
		not_ok "round $round: exit $rc on SIGTERM"
	[ "$secs" -lt 11000 ] && ok "round $round: stopped within the stop timeout" ||
		not_ok "round $round: took $secs ms to stop"
	sqlite3 "$T/state/termijn.db" "SELECT key FROM state WHERE status = 'done'" |
	    sort >"$T/committed"
	sort -o "$T/answered" "$T/answered"
	nc=$(wc -l <"$T/committed"); na=$(wc -l <"$T/answered")
	unanswered=$(comm -23 "$T/committed" "$T/answered" | wc -l)
	lost=$(comm -13 "$T/committed" "$T/answered" | wc -l)
	[ "$nc" -gt 0 ] && ok "round $round: $nc changes committed before the stop" ||
		not_ok "round $round: nothing was committed: the stop came too early"
	[ "$unanswered" -eq 0 ] && ok "round $round: every committed change was answered 200" ||
		not_ok "round $round: $unanswered of $nc committed changes got no answer"
	[ "$lost" -eq 0 ] && ok "round $round: every 200 is in the database ($na answered)" ||
		not_ok "round $round: $lost acknowledged changes are not in the database"
done
grep -E 'answers? not sent|every answer sent' "$T/daemon.log" | tail -3 | sed 's/^/    /'
finish
