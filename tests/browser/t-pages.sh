# t-pages.sh: the read-only pages of a feed in real headless Chromium (pages.mjs): the
# shipped plan's rows and states against the API, hostile titles as text, axe-core, console.
. "$(dirname "$0")/../e2e/lib.sh"

SHOTS=$TOP/build/browser
mkdir -p "$SHOTS"
setup_conf
cp "$TOP/tests/browser/hostile.plan" "$T/plans/"
# The replay clock: Wednesday 18 December 2013, 10:00, standing still.
start_daemon --clock-start '2013-12-18 10:00' --clock-speed 0 || { finish; exit 1; }

for k in collegebesluit@staphorst collegebesluit@steenwijkerland mt-betrokken@staphorst; do
	expect_exit 0 "done $k" -- "$TERMIJN" done "$k"
done
expect_exit 0 "waive or-geinformeerd@zwartewaterland" -- "$TERMIJN" waive \
    or-geinformeerd@zwartewaterland --reason test

page() {
	"$TERMIJN" --json feeds create "$@" | /usr/bin/python3 -c \
	    'import json, sys; print(json.load(sys.stdin)["page"])'
}
api() { curl -sf --unix-socket "$SOCK" "http://localhost/api/v1/$1"; }

PLAN_PAGE=$(page --plan bedrijfsvoering)
PARTY_PAGE=$(page --party bedrijfsvoering/staphorst)
HOSTILE_PAGE=$(page --plan hostile)
PERSON_PAGE=$(page --person secretaris@staphorst.example)
# A person's page has the steps of the person's calendar.
curl -sf "${PERSON_PAGE%.html}.ics" | grep -c '^BEGIN:VEVENT' >"$T/person.count"
OUT=$(cat "$T/person.count")
expect_in '^[1-9][0-9]*$' "the person's calendar has steps"
OUT=$PLAN_PAGE
expect_in '^http://127\.0\.0\.1:[0-9]+/feed/[A-Za-z0-9_-]{32}\.html$' "feeds create gives the page"

api 'milestones?plan=bedrijfsvoering&limit=1000' >"$T/plan.json"
api status >"$T/status.json"

# A wrong token gets the feed's 404, and no cookie.
OUT=$(curl -si "${PLAN_PAGE%/feed/*}/feed/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.html")
expect_in '^HTTP/1.1 404' "a wrong token's page is 404"
expect_not_in 'Set-Cookie' "a wrong token sets no cookie"
OUT=$(curl -si "$PLAN_PAGE")
expect_in '^HTTP/1.1 303' "the page link answers 303"
expect_in '^Location: /view\s*$' "and sends the browser on to /view"
expect_in '^Set-Cookie: termijn_view=[A-Za-z0-9_-]{32}; Path=/view; Max-Age=[0-9]+; HttpOnly; SameSite=Lax' \
    "with the token in an HttpOnly cookie"
expect_in "^Content-Security-Policy: default-src 'none'; style-src 'sha256-" "a CSP without script"
expect_in '^X-Frame-Options: DENY' "X-Frame-Options DENY"
for p in /view /view/table '/view/step?plan=bedrijfsvoering&key=persbericht'; do
	OUT=$(curl -si "${PLAN_PAGE%/feed/*}$p")
	expect_in '^HTTP/1.1 403' "$p without its cookie is refused"
done

TERMIJN_ME=$(id -un) node "$TOP/tests/browser/pages.mjs" "$T" "$PLAN_PAGE" "$PARTY_PAGE" "$HOSTILE_PAGE" \
    "$PERSON_PAGE" "$SHOTS" >"$T/node.out" 2>&1
rc=$?
cat "$T/node.out"
PASS=$((PASS + $(grep -c '^ok - ' "$T/node.out")))
FAIL=$((FAIL + $(grep -c '^not ok - ' "$T/node.out")))
[ "$rc" -eq 0 ] || grep -q '^not ok - ' "$T/node.out" || not_ok "pages.mjs exited $rc"

stop_daemon
finish
