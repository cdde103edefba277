#!/bin/bash
# t-feedsecret.sh: `feeds send` mails a feed's address, whose token the database otherwise
# holds only as a hash: the message is kept until it is sent, through a temporary failure
# and a refusal retried by hand, and then no byte of the token is left in the database
# files or the daemon's log. The address that arrived works.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
start_smtpd || exit 1
mail_conf mail-retry-base 1
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
PERSON=secretaris@staphorst.example

token_gone() { ! token_in "$1" "$T/state/termijn.db" "$T/state/termijn.db-wal"; }
arrived_more() { [ "$(smtp_count)" -gt "$1" ]; }
state_is() { [ "$(outbox_state)" = "$1" ]; }

outbox_state() {
	sqlite3 "$T/state/termijn.db" "SELECT state FROM outbox WHERE kind = 'feed-link' ORDER BY id DESC LIMIT 1"
}

# check_gone WHAT: the token of the last message is nowhere but in the mail, and works.
check_gone() {
	TOK=$(token_of_last)
	[ ${#TOK} -ge 22 ] && ok "$1: the message carries a feed address" || { not_ok "$1: no token in the mail"; return; }
	# The row reads "sent" from the commit on; the WAL's old frames go in the checkpoint
	# termijnd makes right after it (store_commit), which a slow daemon may not have made yet.
	if ! wait_until 5 token_gone "$TOK"; then
		not_ok "$1: the token is still in the database files"
	else ok "$1: no part of the token is left in the database files"; fi
	if token_in "$TOK" "$T/daemon.log"; then not_ok "$1: the token is in the daemon log"
	else ok "$1: the token is not in the daemon log"; fi
	ADDR=$("$C" --json status | sed -n 's/.*"http": "\(.*\)".*/\1/p')
	OUT=$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDR/feed/$TOK.ics")
	[ "$OUT" = 200 ] && ok "$1: the address that arrived serves the feed" || not_ok "$1: feed GET $OUT"
	[ "$(token_of_last .html)" = "$TOK" ] && ok "$1: the message carries the feed's page too" ||
	    not_ok "$1: no page of the same feed in the mail"
	OUT=$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDR/feed/$TOK.html")
	[ "$OUT" = 303 ] && ok "$1: the page address opens the pages" || not_ok "$1: page GET $OUT"
}

# A temporary failure first: the message must still be there for the second attempt.
smtp_ctl '{"tempfail": 1}'
N0=$(smtp_count)
expect_exit 0 "feeds send, the server says 451 first" -- "$C" feeds send "$PERSON"
expect_not_in "/feed/" "the address goes to the person only"
if wait_until 15 arrived_more "$N0"; then ok "it arrives on the retry"; else not_ok "it did not arrive"; fi
wait_until 5 state_is sent || not_ok "outbox row not sent: $(outbox_state)"
OUT=$(sqlite3 "$T/state/termijn.db" "SELECT attempts, length(message) FROM outbox WHERE kind = 'feed-link'")
expect_in '^2\|0$' "it went on the second attempt, and the sent message is no longer kept"
check_gone "after 451"

# A refusal, then a retry by hand.
smtp_ctl "{\"reject\": [\"$PERSON\"]}"
N0=$(smtp_count)
expect_exit 0 "feeds send, the server refuses" -- "$C" feeds send "$PERSON"
if wait_until 15 state_is failed; then ok "the message is marked failed"; else not_ok "not failed: $(outbox_state)"; fi
FID=$(sqlite3 "$T/state/termijn.db" "SELECT id FROM outbox WHERE kind = 'feed-link' ORDER BY id DESC LIMIT 1")
smtp_ctl '{"reject": []}'
expect_exit 0 "reminders retry of the refused message" -- "$C" reminders retry "$FID"
if wait_until 15 arrived_more "$N0"; then ok "the retried message arrives"; else not_ok "the retry did not arrive"; fi
wait_until 5 state_is sent || not_ok "outbox row not sent: $(outbox_state)"
check_gone "after 550 and retry"

# And after a restart nothing of either comes back.
stop_daemon
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1
if token_in "$TOK" "$T/state/termijn.db" "$T/state/termijn.db-wal"; then
	not_ok "after a restart the token is in the database files"
else ok "after a restart the database files hold no token"; fi
stop_daemon
finish
