#!/bin/bash
# t-remote.sh: three people, one per municipality, each with a personal access token, talking
# to termijnd through a real nginx with TLS on loopback; termijn login with the code read from
# a real SMTP server; what a token may and may not do, and how every bad token is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tlsproxy.sh"
C=$TERMIJN
setup_conf
start_smtpd || exit 1
mail_conf
echo "trusted-proxies 127.0.0.1, ::1" >> "$T/termijnd.conf"
start_daemon --clock-start '2014-01-10 10:00' --clock-speed 0 || exit 1
trap 'tls_proxy_stop; stop_smtpd; cleanup' EXIT
HTTP=$(http_addr)
tls_proxy_start "$T/nginx" "${HTTP##*:}" || { not_ok "nginx with TLS starts"; finish; exit 1; }
ok "nginx with TLS on 127.0.0.1:$TLS_PORT in front of termijnd on $HTTP"
URL=https://localhost:$TLS_PORT
export TERMIJN_CACERT=$TLS_CERT

# The colleges have decided (an operator, on the socket): the councils' steps may go ahead.
for p in staphorst steenwijkerland zwartewaterland; do
	"$C" done "collegebesluit@$p" >/dev/null || not_ok "collegebesluit@$p"
done

GRIFFIE=griffie@zwartewaterland.example
SECR_ST=secretaris@staphorst.example
SECR_SW=secretaris@steenwijkerland.example
# grant ADDRESS [ARGS]: the operator grants a token; it arrives by mail; prints it.
token_in_mail() {
	mbox body --since "$_n" --to "$1" --subject "$2" 2>/dev/null |
	    sed -n 's/^  \([A-Za-z0-9_-]\{32\}\)$/\1/p' | tail -1
}
have_token() { [ -n "$(token_in_mail "$@")" ]; }
grant() {
	_n=$(smtp_count)
	"$C" access grant "$@" >"$T/grant.out" 2>&1 || { cat "$T/grant.out" >&2; return 1; }
	wait_until 10 have_token "$1" toegangssleutel || { cat "$T/grant.out" >&2; mbox list --since "$_n" >&2; mbox body --since "$_n" --to "$1" >&2; return 1; }
	token_in_mail "$1" toegangssleutel
}
# as NAME ARGS...: the client as that person, with their own token file.
as() { _who=$1; shift; XDG_CONFIG_HOME=$T/home-$_who "$C" --server "$URL" "$@"; }

tok=$(grant "$GRIFFIE")
OUT=$(cat "$T/grant.out")
expect_in "until [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} local time" "access grant says until when, in local time"
expect_not_in "T[0-9:]+Z" "access grant prints no bare UTC stamp"
for who in griffie secr_st secr_sw; do
	case $who in griffie) a=$GRIFFIE ;; secr_st) a=$SECR_ST ;; secr_sw) a=$SECR_SW ;; esac
	tok=$(grant "$a")
	if [ ${#tok} -eq 32 ]; then ok "$a gets a token by mail"; else not_ok "$a gets a token by mail ($tok)"; fi
	eval "TOK_$who=\$tok"
	OUT=$(printf '%s\n' "$tok" | XDG_CONFIG_HOME=$T/home-$who "$C" login --token "$URL" 2>&1)
	expect_in "logged in to $URL as .*<$a>" "$a keeps the token with termijn login --token"
done
expect_in "Gemeentesecretaris Steenwijkerland" "login --token names the person"
OUT=$(stat -c %a "$T/home-griffie/termijn/tokens")
expect_in "^600$" "the token file is mode 0600"
OUT=$(stat -c %a "$T/home-griffie/termijn")
expect_in "^700$" "its directory is mode 0700"

# Nothing keeps a token in clear: not the outbox, the database, the daemon's log.
OUT=$("$C" --json reminders all)
expect_not_in "access|$TOK_griffie" "the outbox has no access messages"
if grep -qF -- "$TOK_griffie" "$T"/state/termijn.db* "$T/daemon.log" "$T/nginx/access.log" 2>/dev/null; then
	not_ok "no token in the database, the daemon's log or nginx's log"
else ok "no token in the database, the daemon's log or nginx's log"; fi

expect_exit 0 "whoami, remotely" -- as griffie whoami
expect_in "^Griffie Zwartewaterland <$GRIFFIE>$" "whoami names the person"
expect_in "channel: token [0-9]+" "whoami names the token"
expect_in "bedrijfsvoering: griffier of Gemeente Zwartewaterland" "whoami lists the role"

# Least privilege, by party.
expect_exit 0 "Zwartewaterland's griffier marks raad@zwartewaterland done remotely" -- \
    as griffie done raad@zwartewaterland -n "raad 21 januari"
expect_exit 1 "Staphorst's secretary may not mark raad@staphorst's neighbour done" -- \
    as secr_st done raad@steenwijkerland
expect_in "secretaris@staphorst.example may not mark raad@steenwijkerland done: raad@steenwijkerland can be marked done by the Griffier of Gemeente Steenwijkerland \(griffie@steenwijkerland.example\)" \
    "the refusal names who may instead"
expect_exit 1 "Staphorst's secretary trying Zwartewaterland's council step" -- \
    as secr_st undo raad@zwartewaterland -r "niet van ons"
expect_in "can be reopened by the Griffier of Gemeente Zwartewaterland" "the undo refusal names who may"
expect_exit 0 "a coordinator acts on a step of their own party" -- as secr_sw done raad@steenwijkerland
expect_exit 1 "a coordinator may not act for another party" -- as secr_sw done raad@staphorst
expect_in "the Griffier of Gemeente Staphorst \(griffie@staphorst.example\), a coordinator of Gemeente Staphorst \(secretaris@staphorst.example\)" \
    "the refusal names Staphorst's griffier and coordinator"
expect_exit 0 "Staphorst's secretary, its coordinator, may" -- as secr_st done raad@staphorst
expect_exit 1 "a person may not reload" -- as griffie reload
expect_exit 1 "a person may not grant access" -- as griffie access grant "$SECR_ST"
expect_exit 3 "the rules hold remotely too (exit 3)" -- as secr_st done personeel@staphorst
expect_in "requires mt-betrokken@staphorst" "the refusal lists the unmet rule"
expect_exit 0 "reading works remotely with the same output" -- as griffie show raad@zwartewaterland
expect_in "griffie@zwartewaterland.example" "show says who did it"

# The log: each person by name, and the channel.
expect_exit 0 "termijn log" -- "$C" log
expect_in "Griffie Zwartewaterland <$GRIFFIE> via token [0-9]+ +done +bedrijfsvoering +raad@zwartewaterland" \
    "the log names the griffier and the token"
expect_in "Gemeentesecretaris Steenwijkerland <$SECR_SW> via token [0-9]+ +done +bedrijfsvoering +raad@steenwijkerland" \
    "the log names the coordinator"
expect_in "root via socket \(uid 0\) +done +bedrijfsvoering +collegebesluit@staphorst" \
    "the log names the local operator and the socket"

# A person lists and revokes their own tokens; an operator everyone's.
expect_exit 0 "access list (operator)" -- "$C" access list
expect_in "$SECR_SW +in force" "the operator sees every token"
expect_exit 0 "access list (a person)" -- as griffie access list
expect_not_in "$SECR_ST" "a person sees only their own"

# Every bad token gets the same answer: revoked, expired, wrong, over plain HTTP.
REV=$(grant griffie@staphorst.example)
REV_ID=$("$C" --json access list | /usr/bin/python3 -c 'import json, sys; print(max(t["id"] for t in json.load(sys.stdin)["tokens"]))')
expect_exit 0 "the operator revokes a token" -- "$C" access revoke "$REV_ID"
# An expiry past a year, or a number past what a long holds, is refused plainly (it once
# overflowed in the multiplication to seconds).
for e in 367d 53w 99999999999999999999d 9223372036854775807w; do
	expect_exit 1 "access grant --expires $e: refused" -- "$C" access grant or@staphorst.example --expires "$e"
	expect_in 'at most 366 days' "--expires $e: says the limit"
done
EXP=$(grant or@staphorst.example --expires 1d)
EXP_ID=$((REV_ID + 1))
# A day on: the token's expiry moved into the past in the database (termijnd reads it there).
sqlite3 "$T/state/termijn.db" "UPDATE token SET expires = strftime('%s','now') - 1 WHERE id = $EXP_ID" ||
    not_ok "cannot age the token"
answer() { curl -s -w ' %{http_code}' --cacert "$TLS_CERT" -H "Authorization: Bearer $1" "${2:-$URL}/api/v1/status"; }
A_REV=$(answer "$REV") A_EXP=$(answer "$EXP") A_WRONG=$(answer "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
A_PLAIN=$(curl -s -w ' %{http_code}' -H "X-Forwarded-For: 192.0.2.7" -H "Authorization: Bearer $TOK_griffie" \
    "http://127.0.0.1:$PLAIN_PORT/api/v1/status")
OUT=$A_REV; expect_in '"unauthorized"' "a revoked token: unauthorized"; expect_in '^ 401$' "with 401"
[ "$A_REV" = "$A_EXP" ] && ok "an expired token: the same answer" || not_ok "an expired token: the same answer ($A_EXP)"
[ "$A_REV" = "$A_WRONG" ] && ok "a wrong token: the same answer" || not_ok "a wrong token: the same answer ($A_WRONG)"
[ "$A_REV" = "$A_PLAIN" ] && ok "a good token over plain HTTP from a remote client: the same answer" ||
    not_ok "a good token over plain HTTP from a remote client: the same answer ($A_PLAIN)"
OUT=$(answer "$TOK_griffie"); expect_in '"plans".* 200$|^ 200$' "the same good token over HTTPS works"
OUT=$(printf '%s\n' "$REV" | XDG_CONFIG_HOME=$T/home-rev "$C" login --token "$URL" 2>&1); rc=$?
[ $rc -eq 1 ] && ok "the client: a revoked token exits 1" || not_ok "the client: a revoked token exits 1 ($rc)"
expect_in "a valid personal access token is needed" "the client says a token is needed"
OUT=$(grep -E "authentication failed" "$T/daemon.log")
expect_in "token $REV_ID revoked" "the log says why (revoked)"
expect_in "token $EXP_ID expired" "the log says why (expired)"
expect_in "from 192.0.2.7: a token over plain HTTP" "the log names the remote client of the plain request"
if grep -qF -- "$REV" "$T/daemon.log" || grep -qF -- "$TOK_griffie" "$T/daemon.log"; then
	not_ok "refused tokens are not logged"; else ok "refused tokens are not logged"; fi

# What a client writes in X-Forwarded-For reaches the log only as address characters.
curl -s -o /dev/null --cacert "$TLS_CERT" -H 'X-Forwarded-For: <b>$(id)</b>' \
    -H "Authorization: Bearer nope" "$URL/api/v1/status"
OUT=$(grep "authentication failed from" "$T/daemon.log" | tail -1)
expect_in "from \?b\?\?\?\?d\?\?\?b\?: " "a forged X-Forwarded-For is logged defanged"

# A token file that others can read is refused.
chmod 644 "$T/home-griffie/termijn/tokens"
expect_exit 1 "a token file readable by others is refused" -- as griffie whoami
expect_in "can be read by others" "the client says why"
chmod 600 "$T/home-griffie/termijn/tokens"

# Rate limiting: repeated failures from one client address; another is not affected.
for i in $(seq 1 10); do
	curl -s -o /dev/null --cacert "$TLS_CERT" -H "X-Forwarded-For: 198.51.100.9" \
	    -H "Authorization: Bearer wrong$i" "$URL/api/v1/status"
done
OUT=$(curl -s -D - --cacert "$TLS_CERT" -H "X-Forwarded-For: 198.51.100.9" \
    -H "Authorization: Bearer $TOK_griffie" "$URL/api/v1/status")
expect_in "^HTTP/1.1 429" "after 10 failures from 198.51.100.9, even a good token waits (429)"
expect_in "Retry-After: [0-9]+" "with Retry-After"
OUT=$(curl -s -w ' %{http_code}' --cacert "$TLS_CERT" -H "X-Forwarded-For: 198.51.100.10" \
    -H "Authorization: Bearer $TOK_griffie" "$URL/api/v1/status")
expect_in " 200$" "another client address is not held back"
# Requests with no token at all guess nothing: they are refused but not counted.
for i in $(seq 1 12); do
	curl -s -o /dev/null --cacert "$TLS_CERT" -H "X-Forwarded-For: 198.51.100.11" \
	    "$URL/api/v1/status"
done
OUT=$(curl -s -w ' %{http_code}' --cacert "$TLS_CERT" -H "X-Forwarded-For: 198.51.100.11" \
    "$URL/api/v1/status" | tr '\n' ' ')
expect_in '"unauthorized".* 401$' "a request without a token: 401"
OUT=$(curl -s -w ' %{http_code}' --cacert "$TLS_CERT" -H "X-Forwarded-For: 198.51.100.11" \
    -H "Authorization: Bearer $TOK_griffie" "$URL/api/v1/status")
expect_in " 200$" "13 requests without a token do not hold back a good one"

# ---- termijn login: a code by mail from the real SMTP server, typed back ----
N0=$(smtp_count)
mkfifo "$T/code.fifo"
XDG_CONFIG_HOME=$T/home-login "$C" login "$URL" griffie@steenwijkerland.example <"$T/code.fifo" \
    >"$T/login.out" 2>&1 &
LPID=$!
exec 9>"$T/code.fifo"
login_code() {
	mbox body --since "$N0" --to griffie@steenwijkerland.example --subject inlogcode |
	    sed -n 's/^  \([A-Z0-9]\{5\}-[A-Z0-9]\{5\}\)$/\1/p'
}
have_code() { [ -n "$(login_code)" ]; }
if wait_until 10 have_code; then ok "the login code arrives by mail, in Dutch (the plan's language)"
else not_ok "the login code arrives by mail"; fi
CODE=$(login_code)
printf '%s\n' "$CODE" >&9
exec 9>&-
wait "$LPID"; rc=$?
OUT=$(cat "$T/login.out")
[ $rc -eq 0 ] && ok "termijn login with the mailed code" || not_ok "termijn login with the mailed code (exit $rc)"
expect_in "logged in to $URL as griffie@steenwijkerland.example" "login says as whom"
expect_in "until [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} local time" "login says until when, in local time"
expect_not_in "T[0-9:]+Z" "login prints no bare UTC stamp"
expect_exit 0 "the new token works" -- as login whoami
expect_in "Griffie Steenwijkerland" "as the griffier of Steenwijkerland"
OUT=$(stat -c %a "$T/home-login/termijn/tokens"); expect_in "^600$" "stored with mode 0600"
# The code is spent, and an unknown address gets the same answer and no mail.
OUT=$(curl -s --cacert "$TLS_CERT" -H 'Content-Type: application/json' \
    -d "{\"address\": \"griffie@steenwijkerland.example\", \"code\": \"$CODE\"}" "$URL/api/v1/login/code")
expect_in '"unauthorized"' "a used code is refused"
N1=$(smtp_count)
K=$(curl -s --cacert "$TLS_CERT" -d '{"address": "griffie@staphorst.example"}' "$URL/api/v1/login")
U=$(curl -s --cacert "$TLS_CERT" -d '{"address": "nobody@nowhere.example"}' "$URL/api/v1/login")
[ "$K" = "$U" ] && ok "login answers a known and an unknown address alike" || not_ok "login answers alike ($K / $U)"
got_code_for() { mbox list --since "$N1" | grep -q "$1"; }
wait_until 10 got_code_for griffie@staphorst.example
sleep 0.3
OUT=$(mbox list --since "$N1")
expect_in "griffie@staphorst.example" "the known address gets a code"
expect_not_in "nowhere.example" "the unknown one gets nothing"
OUT=$(curl -s --cacert "$TLS_CERT" -d '{"address": "griffie@staphorst.example", "code": "WRONG-CODE1"}' "$URL/api/v1/login/code")
expect_in '"unauthorized"' "a wrong code is refused"
OUT=$(curl -s -w ' %{http_code}' -H "X-Forwarded-For: 192.0.2.8" -d '{"address": "griffie@staphorst.example"}' \
    "http://127.0.0.1:$PLAIN_PORT/api/v1/login")
expect_in " 401$" "no login over plain HTTP from a remote client"

# Asking for codes counts too: the eleventh request from one address in ten minutes waits.
for i in $(seq 1 10); do
	curl -s -o /dev/null --cacert "$TLS_CERT" -H "X-Forwarded-For: 203.0.113.5" \
	    -d '{"address": "griffie@staphorst.example"}' "$URL/api/v1/login"
done
OUT=$(curl -s -w ' %{http_code}' --cacert "$TLS_CERT" -H "X-Forwarded-For: 203.0.113.5" \
    -d '{"address": "griffie@staphorst.example"}' "$URL/api/v1/login")
expect_in " 429$" "the eleventh login request from one address gets 429"

tls_proxy_stop
stop_daemon
finish
