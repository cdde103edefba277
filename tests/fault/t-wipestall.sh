#!/bin/bash
# t-wipestall.sh: a sent feed address is erased from the database files even when its
# "sent" went into a batch that waited for a stuck disk past the erasure's delay
# (tests/fault/walfault.c preloaded): the erasure waits for the batch, it is not dropped.
. "$(dirname "$0")/../e2e/lib.sh"
build_walfault || { finish; exit 1; }
F=$T/walfault
gen_conf 127.0.0.1:0
{
	printf 'plan load\n  title Load\n  timezone Europe/Amsterdam\n\n'
	printf 'role owner\n  address x@load.example\n\n'
	for i in 1 2 3; do printf 'milestone m%d\n  title Step %d\n  owner owner\n  due 2099-12-31\n\n' "$i" "$i"; done
} >"$T/plans/load.plan"
start_smtpd || exit 1
mail_conf
LD_PRELOAD=$T/walfault.so WALFAULT_DIR=$F start_daemon || exit 1

done_bg() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 60 --unix-socket "$SOCK" -X POST \
	    -H 'Content-Type: application/json' --data-binary "{\"key\": \"$1\"}" \
	    http://localhost/api/v1/done >"$T/code.$1" &
	BG="$BG $!"
}
BG=
handled() { grep -q " done load/$1\$" "$T/daemon.log"; }
stalled() { awk '$2 == "data-stall" { f = 1 } END { exit !f }' "$T/smtpd.events" 2>/dev/null; }
taken() { awk '$2 == "data-250" { f = 1 } END { exit !f }' "$T/smtpd.events" 2>/dev/null; }
sent() { [ "$(sqlite3 "$T/state/termijn.db" "SELECT state FROM outbox WHERE kind = 'feed-link'")" = sent ]; }
token_gone() { ! token_in "$1" "$T/state/termijn.db" "$T/state/termijn.db-wal"; }

# The server holds the message 2 s; meanwhile the disk stops confirming: m1 is committed and
# waits, m2 is in the open batch, and the message's "sent" joins that batch.
smtp_ctl '{"stall": 2}'
expect_exit 0 "feeds send" -- "$TERMIJN" feeds send x@load.example
wait_until 20 stalled || not_ok "the message did not reach DATA"
touch "$F/hang"
done_bg m1
wait_until 20 handled m1 || not_ok "m1 was not handled"
done_bg m2
wait_until 20 handled m2 || not_ok "m2 was not handled"
wait_until 20 taken || not_ok "the server did not take the message"
# Past the erasure's delay (0.5 s) with the batch still open.
sleep 1.5
rm -f "$F/hang"
for p in $BG; do wait "$p"; done
[ "$(cat "$T/code.m1")" = 200 ] && [ "$(cat "$T/code.m2")" = 200 ] &&
    ok "both changes acknowledged after the disk came back" ||
    not_ok "changes answered $(cat "$T/code.m1") and $(cat "$T/code.m2")"
wait_until 10 sent || not_ok "the outbox row is not sent"
TOK=$(token_of_last)
[ ${#TOK} -ge 22 ] && ok "the message carries a feed address" || not_ok "no token in the mail"
if wait_until 5 token_gone "$TOK"; then ok "no part of the token is left in the database files"
else not_ok "the token is still in the database files"; fi
stop_daemon
finish
