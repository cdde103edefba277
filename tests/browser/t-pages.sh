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
OUT=$PLAN_PAGE
expect_in '^http://127\.0\.0\.1:[0-9]+/feed/[A-Za-z0-9_-]{32}\.html$' "feeds create gives the page"

api 'milestones?plan=bedrijfsvoering&limit=1000' >"$T/plan.json"

# A wrong token gets the feed's 404, and no cookie.
OUT=$(curl -si "${PLAN_PAGE%/feed/*}/feed/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.html")
expect_in '^HTTP/1.1 404' "a wrong token's page is 404"
expect_not_in 'Set-Cookie' "a wrong token sets no cookie"
OUT=$(curl -si "$PLAN_PAGE")
expect_in '^HTTP/1.1 303' "the page link answers 303"
expect_in '^Location: /view' "and sends the browser on to /view"
expect_in '^Set-Cookie: termijn_view=[A-Za-z0-9_-]{32}; Path=/view; Max-Age=[0-9]+; HttpOnly; SameSite=Lax' \
    "with the token in an HttpOnly cookie"
expect_in "^Content-Security-Policy: default-src 'none'; style-src 'sha256-" "a CSP without script"
expect_in '^X-Frame-Options: DENY' "X-Frame-Options DENY"
OUT=$(curl -si "${PLAN_PAGE%/feed/*}/view/table")
expect_in '^HTTP/1.1 403' "the view without its cookie is refused"

node "$TOP/tests/browser/pages.mjs" "$T" "$PLAN_PAGE" "$PARTY_PAGE" "$HOSTILE_PAGE" \
    "$SHOTS" >"$T/node.out" 2>&1
rc=$?
cat "$T/node.out"
PASS=$((PASS + $(grep -c '^ok - ' "$T/node.out")))
FAIL=$((FAIL + $(grep -c '^not ok - ' "$T/node.out")))
[ "$rc" -eq 0 ] || grep -q '^not ok - ' "$T/node.out" || not_ok "pages.mjs exited $rc"

stop_daemon
finish
