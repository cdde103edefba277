#!/bin/bash
# t-maildirsync.sh: maildir delivery shares the sync of new/ between the mail threads (one
# fsync of the directory makes every rename before it durable), and a message is still
# reported sent only once its file and its name in new/ are on disk: while that sync hangs
# (tests/fault/walfault.c), the messages stay "sending", and a crash then loses none.
. "$(dirname "$0")/../e2e/lib.sh"
build_walfault || { finish; exit 1; }
F=$T/walfault
N=8
gen_conf 127.0.0.1:0
mkdir -p "$T/maildir"
{
	echo "mail-url maildir:$T/maildir"
	echo "mail-from termijn@termijn.example"
} >>"$T/termijnd.conf"
{
	printf 'plan vol\n  title Stap\n  timezone Europe/Amsterdam\n\n'
	printf 'role secretaris\n  address vol@vol.example\n'
	for m in a c; do
		printf '\nmilestone %s\n  title Eerst %s\n  owner secretaris\n  due 2014-12-11\n' "$m" "$m"
		for i in $(seq 1 $N); do
			printf '\nmilestone %s%d\n  title Dan %s %d\n  owner secretaris\n' "$m" "$i" "$m" "$i"
			printf '  due 2014-12-12\n  requires %s\n' "$m"
		done
	done
} >"$T/plans/vol.plan"
CLOCK=(--clock-start '2013-12-10 09:00' --clock-speed 0)
run_daemon() { LD_PRELOAD=$T/walfault.so WALFAULT_DIR=$F start_daemon "${CLOCK[@]}"; }
done_of() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 60 --unix-socket "$SOCK" -X POST \
	    -H 'Content-Type: application/json' --data-binary "{\"key\": \"$1\"}" \
	    http://localhost/api/v1/done
}
rows() { sqlite3 "$T/state/termijn.db" "SELECT count(*) FROM outbox WHERE key GLOB '$1[0-9]*' AND state = '$2'"; }
files() { find "$T/maildir/new" -type f | wc -l; }
dirsyncs() { [ -e "$F/dirsyncs" ] && wc -l <"$F/dirsyncs" || echo 0; }

# ---- while the sync of new/ hangs: files in new/, none reported sent; then a crash ----
run_daemon || exit 1
touch "$F/dirhang"
expect_n 200 "$(done_of a)" "a is done, without waiting for its mail"
wait_until 20 eval '[ "$(files)" -ge 4 ]' && ok "the mail threads wrote their messages ($(files))" ||
    not_ok "messages in new/: $(files)"
sleep 1
expect_n 0 "$(rows a sent)" "none is reported sent while new/ is not synced"
expect_n $N "$(rows a sending)" "all $N are still sending"
kill9_daemon
rm -f "$F/dirhang"
run_daemon || exit 1
wait_until 20 eval '[ "$(rows a sent)" = $N ]' && ok "after the crash all $N go again and are sent" ||
    not_ok "sent after the crash: $(rows a sent) of $N"
ids() {
	grep -h '^Message-ID:' "$T"/maildir/new/* | sort -u | wc -l
}
expect_n $N "$(ids)" "each of the $N is in the maildir (by its Message-ID): none lost"

# ---- one sync of new/ for the renames of several threads ----
touch "$F/dirhang"
S0=$(dirsyncs)
F0=$(files)
expect_n 200 "$(done_of c)" "c is done"
wait_until 20 eval '[ "$(($(files) - F0))" -ge 4 ]' ||
    not_ok "messages of c in new/: $(($(files) - F0))"
sleep 0.5
rm -f "$F/dirhang"
wait_until 20 eval '[ "$(rows c sent)" = $N ]' && ok "all $N of c are sent" ||
    not_ok "sent of c: $(rows c sent) of $N"
S=$(($(dirsyncs) - S0))
echo "# $S syncs of new/ for $N messages"
# The first thread's sync (hung), one for the three renames that waited for it, then at most
# one for each of the four left: one a message was $N.
[ "$S" -le $((N - 2)) ] && ok "the mail threads share syncs of new/ ($S for $N messages)" ||
    not_ok "syncs of new/: $S for $N messages"
expect_n $((N + F0)) "$(files)" "each message of c once"
stop_daemon
finish
