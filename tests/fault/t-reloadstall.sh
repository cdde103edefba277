#!/bin/bash
# t-reloadstall.sh: a reload whose putting in force waits 12 s for the disk under the WAL
# (tests/fault/walfault.c) still gets its answer. libevent's cached time is the loop turn's
# start: the answer's 10 s timeouts, armed at its end, were over at once, and evhttp closed
# the connection unanswered ("closed the connection without answering", as t-bigplans saw
# once under load).
. "$(dirname "$0")/../e2e/lib.sh"
C=$TERMIJN
build_walfault || { finish; exit 1; }
F=$T/walfault
setup_conf
LD_PRELOAD=$T/walfault.so WALFAULT_DIR=$F start_daemon --clock-start '2013-12-16 09:00' \
    --clock-speed 0 || exit 1

# A new plan: putting it in force writes its states, and that commit waits for the disk.
printf 'plan extra\n  title Extra\nrole sec\n  address sec@x.example\nmilestone e\n  title E\n  owner sec\n  due 2014-03-01\n' > "$T/plans/extra.plan"
touch "$F/hang"
"$C" reload > "$T/reload.out" 2>&1 & R=$!
sleep 12
rm "$F/hang"
wait $R; rc=$?
OUT=$(cat "$T/reload.out")
[ $rc -eq 0 ] && ok "the reload is answered after the disk's 12 s" ||
	{ not_ok "the reload: exit $rc"; sed 's/^/    /' "$T/reload.out"; }
expect_in "reloaded: .*extra" "with the new plan"
OUT=$(cat "$T/daemon.log")
expect_in "put in force in [0-9]{5,} ms" "the loop was held over 10 s meanwhile"
expect_exit 0 "the new plan is in force" -- "$C" --json show -p extra e
stop_daemon
OUT=$(cat "$T/daemon.log")
expect_not_in "answers? not sent" "every answer was sent before the stop"
finish
