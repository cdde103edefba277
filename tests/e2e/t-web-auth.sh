#!/bin/bash
# t-web-auth.sh: the protocol edges of signing in and acting on the pages, with curl: the
# sign-in link from a real SMTP server, the session cookie's flags on loopback and behind
# nginx with TLS, CSRF refused, a reminder's "done" link (its step only, once, not by
# opening it), expired links and idle sessions, and an unknown address answered as a known.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tlsproxy.sh"
C=$TERMIJN
setup_conf
start_smtpd || exit 1
mail_conf
echo "trusted-proxies 127.0.0.1, ::1" >> "$T/termijnd.conf"
# Tuesday 17 December, a minute before the reminders of 08:30: the colleges decide today.
start_daemon --clock-start '2013-12-17 08:29' --clock-speed 60 || exit 1
trap 'tls_proxy_stop; stop_smtpd; cleanup' EXIT
HTTP=$(http_addr)
B=http://$HTTP
SECR=secretaris@staphorst.example

# page ARGS...: curl, the status in $CODE, headers in $T/head, the body in $OUT.
page() {
	CODE=$(curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' "$@")
	OUT=$(cat "$T/body")
}
expect_code() { if [ "$CODE" = "$1" ]; then ok "$2"; else not_ok "$2 (HTTP $CODE, wanted $1)"; head -c 600 "$T/body" | sed 's/^/    /'; fi; }
header() { sed -n "s/^$1: //Ip" "$T/head" | tr -d '\r'; }
# The newest link of a kind (signin, done) in the mail to an address.
link_in_mail() {
	case $2 in signin) _s="in te loggen" ;; *) _s="College" ;; esac
	mbox body --since "$_n" --to "$1" ${_s:+--subject "$_s"} 2>/dev/null |
	    grep -Eo "https?://[^ ]+/$2/[A-Za-z0-9_-]{32}" | tail -1
}
have_link() { [ -n "$(link_in_mail "$@")" ]; }
# signin ADDRESS [BASE [CURL-OPTION VALUE]]: ask for a link, take it from the mail, confirm it; the
# session cookie ("name=value") in $COOKIE and the Set-Cookie line in $SETCOOKIE.
signin() {
	_n=$(smtp_count)
	page -d "address=$1" ${3:+"$3" "$4"} "${2:-$B}/signin"
	wait_until 10 have_link "$1" signin || { not_ok "a sign-in link reaches $1"; return 1; }
	LINK=$(link_in_mail "$1" signin)
	page ${3:+"$3" "$4"} -d "token=${LINK##*/}" "${2:-$B}/signin/confirm"
	SETCOOKIE=$(header Set-Cookie)
	COOKIE=${SETCOOKIE%%;*}
	[ "$CODE" = 303 ] && [ -n "$COOKIE" ]
}
csrf_of() { grep -Eo 'name="csrf" value="[A-Za-z0-9_-]{32}"' "$T/body" | head -1 | sed 's/.*value="//; s/"$//'; }
state_of() {
	"$C" --json show "$1" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])'
}

# ---- the pages' headers ----
page "$B/signin"
expect_code 200 "GET /signin"
csp=$(header Content-Security-Policy)
OUT=$csp
expect_in "frame-ancestors 'none'" "the CSP forbids framing"
expect_in "default-src 'none'" "the CSP allows nothing by default (no script at all)"
expect_not_in "unsafe-inline|script-src" "the CSP has no inline script"
OUT=$(header X-Frame-Options)
expect_in "^DENY$" "X-Frame-Options: DENY"

OUT=$(curl -s -I "$B/signin" | tr -d '\r')
expect_in "^Content-Length: [0-9]+$" "HEAD /signin: the headers"
# HTTP/1.0: the server closes after its answer, which must end with the headers.
OUT=$(timeout 5 bash -c 'exec 3<>/dev/tcp/${0%:*}/${0##*:}; printf "HEAD /signin HTTP/1.0\r\n\r\n" >&3; cat <&3' "$HTTP" |
    sed -n '/^\r*$/,$p' | wc -c)
expect_in "^2$" "and no body"

# ---- an unknown address gets the known one's answer ----
_n=$(smtp_count)
page -d "address=$SECR" "$B/signin"
known_code=$CODE
cp "$T/body" "$T/known.html"
page -d "address=nobody@staphorst.example" "$B/signin"
if [ "$CODE" = "$known_code" ] && cmp -s "$T/body" "$T/known.html"; then
	ok "an unknown address gets the same status and page as a known one"
else not_ok "an unknown address gets the same status and page ($CODE vs $known_code)"; diff "$T/known.html" "$T/body" | head; fi
wait_until 10 have_link "$SECR" signin && ok "the known address gets a sign-in link by mail" ||
    not_ok "the known address gets a sign-in link by mail"
sleep 0.5
OUT=$(mbox list --since "$_n")
expect_not_in "nobody@" "nothing is mailed to the unknown address"

# ---- the link: opening it changes nothing, the POST spends it ----
LINK=$(link_in_mail "$SECR" signin)
page "$LINK"
page "$LINK"
expect_code 200 "the sign-in link opens (twice) on a page with a button"
expect_in "<form method=\"post\" action=\"/signin/confirm\">" "the page posts the link's token in a form"
OUT=$(header Set-Cookie)
expect_not_in "termijn_session" "opening the link gives no session"
page -d "token=${LINK##*/}" "$B/signin/confirm"
expect_code 303 "the confirmation signs in"
SETCOOKIE=$(header Set-Cookie)
COOKIE=${SETCOOKIE%%;*}
OUT=$SETCOOKIE
expect_in "^termijn_session=[A-Za-z0-9_-]{32}; " "a session cookie"
expect_in "; HttpOnly" "HttpOnly"
expect_in "; SameSite=(Lax|Strict)" "SameSite"
expect_in "; Path=/;" "for the whole site"
expect_in "; Max-Age=[0-9]+" "with a lifetime"
expect_not_in "Secure" "not Secure over plain HTTP on loopback"
OUT=$(header Location)
expect_in "^/me$" "on to the person's steps"
page -d "token=${LINK##*/}" "$B/signin/confirm"
expect_code 403 "the same link a second time is refused"
OUT=$(header Set-Cookie)
expect_not_in "termijn_session=[A-Za-z0-9]" "and gives no session"

page -b "$COOKIE" "$B/me"
expect_code 200 "/me with the session"
expect_in "Gemeentesecretaris Staphorst" "it names the person"
expect_in 'data-key="collegebesluit@staphorst"' "it lists their step"
expect_not_in 'data-key="collegebesluit@steenwijkerland"' "and not another municipality's"
CSRF=$(csrf_of)
page "$B/me"
expect_code 303 "/me without a session goes to signing in"

# ---- CSRF ----
act() { page -b "$COOKIE" --data-urlencode "plan=bedrijfsvoering" --data-urlencode "key=$1" \
    --data-urlencode "verb=$2" ${3:+--data-urlencode "$3"} ${4:+--data-urlencode "$4"} "$B/me/act"; }
act collegebesluit@staphorst done "note=zonder csrf"
expect_code 403 "a form without the CSRF token is refused"
act collegebesluit@staphorst done "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect_code 403 "a form with a wrong CSRF token is refused"
page -d "csrf=$CSRF&plan=bedrijfsvoering&key=collegebesluit%40staphorst&verb=done" "$B/me/act"
expect_code 403 "the right CSRF token without the session is refused"
OUT=$(state_of collegebesluit@staphorst)
expect_in "^open$" "none of these changed anything"

# ---- acting through the form ----
act mt-betrokken@staphorst done "csrf=$CSRF"
expect_code 409 "a step whose rules are unmet is refused"
expect_in "vereist collegebesluit@staphorst \(College besluit" "the refusal names the unmet rule, in the plan's language"
act collegebesluit@staphorst waive "csrf=$CSRF"
expect_code 400 "waiving without a reason is refused"
act raad@steenwijkerland done "csrf=$CSRF"
expect_code 403 "a step of another municipality is refused"
expect_in "griffie@steenwijkerland.example" "naming who may instead"

# ---- a reminder's "done" link ----
_n=0
wait_until 20 have_link "$SECR" done || not_ok "the 08:30 reminder to $SECR has a done link"
DLINK=$(link_in_mail "$SECR" done)
OUT=$(mbox body --since "$_n" --to "$SECR" --subject College)
expect_in "collegebesluit|College besluit" "the reminder is about the colleges' decision"
expect_in "Of meld het gereed op het web" "the reminder says what its link is for, in Dutch"
page "$DLINK"
page "$DLINK"
expect_code 200 "the done link opens (twice) on a confirmation page"
expect_in "College besluit over de bestuursopdracht" "naming its step"
expect_in "<form method=\"post\" action=\"/done\">" "with a form that posts the token"
OUT=$(state_of collegebesluit@staphorst)
expect_in "^open$" "opening the link changed nothing"
# A link is for its step: the form's other fields do not choose another.
page --data-urlencode "token=${DLINK##*/}" --data-urlencode "key=mt-betrokken@staphorst" \
    --data-urlencode "note=B&W-besluit via de link" "$B/done"
expect_code 200 "the confirmation marks the step done"
OUT=$(state_of collegebesluit@staphorst)
expect_in "^done$" "collegebesluit@staphorst is done"
OUT=$(state_of mt-betrokken@staphorst)
expect_in "^open$" "and only the link's step"
OUT=$("$C" log)
expect_in "Gemeentesecretaris Staphorst <$SECR> via mail link +done +bedrijfsvoering +collegebesluit@staphorst" \
    "termijn log shows the person and the channel mail link"
page --data-urlencode "token=${DLINK##*/}" "$B/done"
expect_code 404 "the done link a second time is refused"
page "$DLINK"
expect_code 404 "and no longer opens"
# Links are of one kind: a done link does not sign in, a sign-in link marks nothing done.
page -d "token=${DLINK##*/}" "$B/signin/confirm"
expect_code 403 "a done link does not sign in"
_n=$(smtp_count)
page -d "address=$SECR" "$B/signin"
wait_until 10 have_link "$SECR" signin
SLINK=$(link_in_mail "$SECR" signin)
page -d "token=${SLINK##*/}" "$B/done"
expect_code 404 "a sign-in link marks nothing done"

# ---- undo and waive through the form, in the audit log as "web" ----
act collegebesluit@staphorst undo "csrf=$CSRF" "reason=te vroeg gemeld"
expect_code 303 "undo with a reason"
OUT=$(state_of collegebesluit@staphorst)
expect_in "^open$" "the step is open again"
act collegebesluit@staphorst done "csrf=$CSRF" "note=B&W-besluit"
expect_code 303 "done with a note"
OUT=$("$C" log)
expect_in "Gemeentesecretaris Staphorst <$SECR> via web +undo +bedrijfsvoering +collegebesluit@staphorst" \
    "termijn log shows the undo with channel web"

# ---- signing out ends the session in the store ----
page -b "$COOKIE" -d "csrf=$CSRF" "$B/signout"
expect_code 303 "sign out"
OUT=$(header Set-Cookie)
expect_in "^termijn_session=; .*Max-Age=0" "the cookie is dropped"
page -b "$COOKIE" "$B/me"
expect_code 303 "the old cookie no longer signs in"

# ---- behind nginx with TLS: the cookie is Secure ----
tls_proxy_start "$T/nginx" "${HTTP##*:}" || { not_ok "nginx with TLS starts"; finish; exit 1; }
if signin communicatie@zwartewaterland.example "https://localhost:$TLS_PORT" "--cacert" "$TLS_CERT"; then
	ok "signing in through nginx with TLS"
else not_ok "signing in through nginx with TLS"; fi
OUT=$SETCOOKIE
expect_in "; Secure" "the cookie is Secure behind HTTPS"
expect_in "; HttpOnly" "and HttpOnly"
page --cacert "$TLS_CERT" -b "$COOKIE" "https://localhost:$TLS_PORT/me"
expect_code 200 "/me through nginx"
expect_in 'data-key="persbericht"' "the communication adviser sees the press release"
# A client beyond the proxy over plain HTTP gets no secret page.
page -H "X-Forwarded-For: 192.0.2.7" -H "X-Forwarded-Proto: http" "$B/signin"
expect_code 403 "a page of secrets over plain HTTP from beyond the proxy is refused"

# ---- no secret in a log ----
toks=$(grep -Eho "/(signin|done)/[A-Za-z0-9_-]{32}" "$MAILDIR"/*.eml | sed 's|.*/||' | sort -u)
sess=${COOKIE#termijn_session=}
leak=0
for t in $toks $sess; do grep -qF -- "$t" "$T/daemon.log" && leak=1; done
if [ "$leak" = 0 ] && [ -n "$toks" ]; then ok "no link token or session in termijnd's log"; else not_ok "no link token or session in termijnd's log"; fi
# A sent link's erasure leaves the WAL in a checkpoint shared by half a second's messages.
in_db() { for t in $toks $sess; do grep -qF -- "$t" "$T"/state/termijn.db* && return 0; done; return 1; }
wait_until 5 eval '! in_db'
leak=0
for t in $toks $sess; do grep -qF -- "$t" "$T"/state/termijn.db* && { leak=1; echo "# in the database: $t"; }; done
if [ "$leak" = 0 ]; then ok "the database keeps links and sessions only as hashes"; else not_ok "the database keeps links and sessions only as hashes"; fi

# ---- the rate limit: each request for a link counts ----
for i in $(seq 1 12); do page -d "address=x$i@example.org" "$B/signin"; done
expect_code 429 "asking for links again and again is held back"
stop_daemon

# ---- lifetimes: a second daemon whose links and sessions last seconds ----
rm -rf "$T/state"
mkdir -p "$T/state"
cat >> "$T/termijnd.conf" <<EOC
signin-link-lifetime 4s
mail-link-lifetime 4s
session-idle 2s
public-url https://termijn.gemeente.example
EOC
start_daemon --clock-start '2013-12-17 08:29' --clock-speed 60 || exit 1
HTTP=$(http_addr)
B=http://$HTTP
if signin "$SECR"; then ok "signing in (short lifetimes)"; else not_ok "signing in (short lifetimes)"; fi
OUT=$SETCOOKIE
expect_in "; Secure" "the cookie is Secure when public-url is https"
OUT=$LINK
expect_in "^https://termijn.gemeente.example/signin/" "the link is on the public address"
page -b "$COOKIE" "$B/me"
expect_code 200 "the new session works"
sleep 2.5
page -b "$COOKIE" "$B/me"
expect_code 303 "an idle session has ended"
_n=0
wait_until 20 have_link "$SECR" done || not_ok "a reminder with a done link"
DLINK=$(link_in_mail "$SECR" done)
_n=$(smtp_count)
page -d "address=$SECR" "$B/signin"
wait_until 10 have_link "$SECR" signin
SLINK=$(link_in_mail "$SECR" signin)
sleep 4.5
page -d "token=${SLINK##*/}" "$B/signin/confirm"
expect_code 403 "an expired sign-in link is refused"
page --data-urlencode "token=${DLINK##*/}" "$B/done"
expect_code 404 "an expired done link is refused"
OUT=$(state_of collegebesluit@staphorst)
expect_in "^open$" "and changed nothing"
stop_daemon
finish
