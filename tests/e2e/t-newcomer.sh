#!/bin/bash
# t-newcomer.sh: the frictions of issue 12: filters that name what they do not know and
# suggest near misses, ids without regard to case, times that say their zone, a demo clock
# that resumes where it stopped, feeds send that says what it made, the log's own times.
. "$(dirname "$0")/lib.sh"
setup_conf
ARGS="--clock-start 2013-12-17T09:00:00+01:00 --clock-speed 600"
start_daemon $ARGS || exit 1

# ---- filters and ids (item 6) ----
expect_exit 0 "list --party Staphorst: ids without regard to case" -- "$TERMIJN" list --party Staphorst
expect_in 'collegebesluit@staphorst' "list --party Staphorst lists Staphorst's milestones"
expect_exit 4 "list --party stapforst: exit 4" -- "$TERMIJN" list --party stapforst
expect_in 'no party stapforst; did you mean staphorst\?' "an unknown party is named, with the near miss"
expect_exit 4 "list -p bedrijfsvoerng: exit 4" -- "$TERMIJN" list -p bedrijfsvoerng
expect_in 'no plan bedrijfsvoerng; did you mean bedrijfsvoering\?' "an unknown plan is named, with the near miss"
expect_exit 4 "list --state klaar: exit 4" -- "$TERMIJN" list --state klaar
expect_in 'no state klaar' "an unknown state is named"
expect_exit 4 "list --owner burgmeester: exit 4" -- "$TERMIJN" list --owner burgmeester
expect_in 'no role burgmeester; did you mean burgemeester\?' "an unknown owner is named, with the near miss"
expect_exit 0 "list --owner Burgemeester -p Bedrijfsvoering: case aside" -- \
    "$TERMIJN" list --owner Burgemeester -p Bedrijfsvoering
expect_in 'terugkoppeling@' "the mayors' report-backs"
expect_exit 0 "show Collegebesluit@Staphorst: case aside" -- "$TERMIJN" show Collegebesluit@Staphorst
expect_in '^collegebesluit@staphorst: ' "show finds the milestone"
expect_exit 4 "show colegebesluit@staphorst: exit 4" -- "$TERMIJN" show colegebesluit@staphorst
expect_in 'no milestone colegebesluit@staphorst; did you mean collegebesluit@staphorst\?' \
    "a mistyped id gets the near miss"
expect_exit 4 "show begroting: exit 4" -- "$TERMIJN" show begroting
expect_not_in 'did you mean' "nothing is suggested when nothing is near"
if use_dutch; then
	expect_exit 4 "LANG=nl_NL.UTF-8 show colegebesluit@staphorst: exit 4" -- \
	    env LANG=nl_NL.UTF-8 "$TERMIJN" show colegebesluit@staphorst
	expect_in 'bedoelde u collegebesluit@staphorst\?' "the near miss in Dutch"
	expect_exit 0 "LANG=nl_NL.UTF-8 list --state 'aan de beurt': a state by its Dutch label" -- \
	    env LANG=nl_NL.UTF-8 "$TERMIJN" list --state 'aan de beurt'
	expect_in 'collegebesluit@staphorst +aan de beurt' "the ready ones, labelled in Dutch"
fi

# ---- an 80-column terminal: the title is not cut, nothing runs over (item 5) ----
script -qfc "stty cols 80; NO_COLOR=1 '$TERMIJN' list --party staphorst" "$T/narrow.log" \
    >/dev/null 2>&1 </dev/null
OUT=$(tr -d '\r' < "$T/narrow.log" | grep -v '^Script ')
all=$OUT
OUT=$(printf '%s\n' "$all" | tr '\n' ' ' | sed 's/  */ /g')
expect_in 'College besluit over de bestuursopdracht en het gastheermodel \(Gemeente Staphorst\)' \
    "at 80 columns the whole title is there"
OUT=$all
expect_not_in '…' "at 80 columns nothing is cut off with an ellipsis"
long=0
while IFS= read -r line; do [ "${#line}" -gt 80 ] && long=$((long + 1)); done <<< "$OUT"
[ "$long" -eq 0 ] && ok "at 80 columns no line is longer than 80" ||
	not_ok "at 80 columns $long lines are longer than 80"
# Tables whose columns cannot stand side by side in 80 (people, the log with its actors)
# become blocks of "LABEL: value": nothing runs over, nothing is cut.
for v in people log; do
	script -qfc "stty cols 80; NO_COLOR=1 '$TERMIJN' $v" "$T/narrow.log" >/dev/null 2>&1 </dev/null
	OUT=$(tr -d '\r' < "$T/narrow.log" | grep -v '^Script ')
	long=0
	while IFS= read -r line; do [ "${#line}" -gt 80 ] && long=$((long + 1)); done <<< "$OUT"
	[ "$long" -eq 0 ] && ok "$v at 80 columns: no line is longer than 80" ||
		not_ok "$v at 80 columns: $long lines are longer than 80"
	expect_not_in '…' "$v at 80 columns: nothing cut off with an ellipsis"
done
expect_in 'done before the plan started' "the log's reasons are there in full"

# What make run says first fits an 80-column terminal too, in either language (item 4).
for lang in C nl_NL.UTF-8; do
	w=$(env LANG=$lang sh "$TOP/tools/run-intro.sh" | LC_ALL=C.UTF-8 wc -L)
	[ "$w" -le 80 ] && ok "LANG=$lang: make run's first words fit 80 columns" ||
		not_ok "LANG=$lang: make run's first words fit 80 columns (a line of $w)"
done
OUT=$(env LANG=nl_NL.UTF-8 sh "$TOP/tools/run-intro.sh")
expect_in 'In een tweede terminal' "LANG=nl_NL.UTF-8: make run's first words in Dutch"

# ---- times say their zone (item 7) ----
expect_exit 0 "feeds create --person" -- "$TERMIJN" feeds create --person secretaris@staphorst.example
expect_exit 0 "feeds list under TZ=UTC" -- env TZ=UTC "$TERMIJN" feeds list
expect_in 'CREATED \(Europe/Amsterdam\)' "feeds list names the zone of its times"
expect_in '2013-12-17 09:[0-9][0-9] ' "the feed's time is Amsterdam's (09:xx), not UTC's (08:xx)"
expect_exit 0 "log under TZ=UTC" -- env TZ=UTC "$TERMIJN" log
expect_in '^AT \(Europe/Amsterdam\)' "log names the zone of its times"

# ---- the log's own times (item 10) ----
expect_in '^2013-11-25 23:59 +plan +plan-done +bedrijfsvoering +startnotitie' \
    "the startnotitie, done before the plan started, is logged on 25 November, not at load time"

# ---- feeds send says what it makes (item 9) ----
expect_exit 0 "feeds send" -- "$TERMIJN" feeds send secretaris@staphorst.example
expect_in 'older feed [0-9]+ still works' "feeds send says the person's older feed still works"

# ---- reminders: how to see the rest (item 8) ----
expect_exit 0 "reminders" -- "$TERMIJN" reminders
expect_in 'termijn reminders sent' "reminders says how to see what went out"

# ---- demo mail and feed carry the demo's time and our version (item 10) ----
wait_until 10 sh -c "ls '$T'/state/maildir/new/* >/dev/null 2>&1" || true
OUT=$(grep -h '^Date: ' "$T"/state/maildir/new/* 2>/dev/null | head -1)
expect_in '^Date: .* 2013 ' "a demo mail is dated in the demo's December 2013"
version=$("$TERMIJN" --version | awk '{ print $2 }')
url=$("$TERMIJN" feeds create --plan bedrijfsvoering | grep -m1 '^  http')
OUT=$(curl -s $url | tr -d '\r')
expect_in "^PRODID:-//termijn//termijn $version//NL$" "the feed's PRODID carries the version, $version"

# ---- the demo clock resumes where it stopped (item 2) ----
now() { "$TERMIJN" --json status | sed -n 's/^  "now": "\(.*\)",$/\1/p'; }
expect_exit 0 "done collegebesluit@staphorst" -- "$TERMIJN" done collegebesluit@staphorst
before=$(now)
stop_daemon
start_daemon $ARGS || exit 1
after=$(now)
[[ "$after" > "$before" || "$after" == "$before" ]] && ok "after a restart the clock goes on ($before, then $after)" ||
	not_ok "the clock went back from $before to $after"
grep -q 'demo clock: resumes at' "$T/daemon.log" && ok "the log says the demo clock resumes" ||
	not_ok "no \"resumes at\" in the log"
done_at=$("$TERMIJN" --json show collegebesluit@staphorst | sed -n 's/^  "at": "\(.*\)",$/\1/p')
kill9_daemon
start_daemon $ARGS || exit 1
after=$(now)
[[ "$after" > "$done_at" ]] && ok "after kill -9 the clock is past the last change ($done_at, now $after)" ||
	not_ok "after kill -9 the clock ($after) is before the last change ($done_at)"
stop_daemon
start_daemon $ARGS --clock-restart || exit 1
after=$(now)
[[ "$after" < "2013-12-17T08:10" ]] && ok "--clock-restart starts at the start again ($after)" ||
	not_ok "--clock-restart: the clock is at $after"
stop_daemon

# ---- on a terminal: quiet, no journald prefixes, one line that says where things are (4) ----
rm -rf "$T/state" && mkdir -p "$T/state"
script -qfc "echo \$\$ > '$T/tty.pid'; exec '$TERMIJND' -f '$T/termijnd.conf' $ARGS" \
    "$T/tty.log" >/dev/null 2>&1 &
SPID=$!
wait_until 10 grep -qs 'ready:' "$T/tty.log" || not_ok "termijnd on a terminal did not say ready"
kill -TERM "$(cat "$T/tty.pid")" 2>/dev/null
wait "$SPID" 2>/dev/null
OUT=$(tr -d '\r' < "$T/tty.log")
expect_in '^termijnd: ready: 2 plans from .*; state in .*, socket .*, feeds on http://' \
    "on a terminal: the ready line says where the state, socket and feeds are"
expect_not_in '^<[0-9]>' "on a terminal: no <N> prefixes"
expect_not_in 'schema migrated' "on a terminal: no schema migration chatter"
finish
