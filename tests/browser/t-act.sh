# t-act.sh: signing in and acting on the pages in real headless Chromium (act.mjs), with the
# links read from a real SMTP server; then the audit log as termijn log shows it.
. "$(dirname "$0")/../e2e/lib.sh"

SHOTS=$TOP/build/browser
mkdir -p "$SHOTS"
setup_conf
start_smtpd || { finish; exit 1; }
mail_conf
# Tuesday 17 December, a minute before the reminders of 08:30: the colleges decide today.
start_daemon --clock-start '2013-12-17 08:29' --clock-speed 60 || { finish; exit 1; }
B=http://$(http_addr)

node "$TOP/tests/browser/act.mjs" "$TOP" "$MAILDIR" "$B" "$SHOTS" "$T/done-link" \
    >"$T/node.out" 2>&1
rc=$?
cat "$T/node.out"
PASS=$((PASS + $(grep -c '^ok - ' "$T/node.out")))
FAIL=$((FAIL + $(grep -c '^not ok - ' "$T/node.out")))
[ "$rc" -eq 0 ] || grep -q '^not ok - ' "$T/node.out" || not_ok "act.mjs exited $rc"

OUT=$("$TERMIJN" log)
expect_in "Gemeentesecretaris Staphorst <secretaris@staphorst.example> via web +done +bedrijfsvoering +collegebesluit@staphorst" \
    "termijn log: the form's change, by name, channel web"
expect_in "Gemeentesecretaris Steenwijkerland <secretaris@steenwijkerland.example> via mail link +done +bedrijfsvoering +collegebesluit@steenwijkerland" \
    "termijn log: the mail link's change, by name, channel mail link"
OUT=$("$TERMIJN" --json log)
expect_in '"channel": "mail link"' "the log's JSON has the channel mail link"
expect_in 'B&W-besluit <b>17 december</b>' "the note as typed, markup and all"
stop_smtpd
stop_daemon
finish
