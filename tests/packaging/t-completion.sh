#!/bin/bash
# t-completion.sh: the bash completion offers every verb and option, and the milestones,
# plans, parties and feeds that a running termijnd knows; nothing when it is unreachable.
. "$(dirname "$0")/../e2e/lib.sh"
: > "$T/daemon.log"
cd "$TOP" || exit 1
expect_exit 0 "completion/termijn is valid bash" -- bash -n completion/termijn

# complete WORDS...: what bash would offer for the last word (empty: a new word), one a line.
complete_words() {
	PATH=$(dirname "$TERMIJN"):$PATH bash -c '
		[ -n "${WITH_BC:-}" ] && . /usr/share/bash-completion/bash_completion
		. completion/termijn
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_termijn
		printf "%s\n" "${COMPREPLY[@]}"' termijn-complete "$@"
}
# offers DESCRIPTION WANTED WORDS...: every word of WANTED is offered.
offers() {
	desc=$1 want=$2; shift 2
	OUT=$(complete_words "$@")
	missing=
	for w in $want; do printf '%s\n' "$OUT" | grep -qxF -- "$w" || missing="$missing $w"; done
	if [ -z "$missing" ]; then ok "$desc"; else
		not_ok "$desc: not offered:$missing"; printf '%s\n' "$OUT" | head -20 | sed 's/^/    /'; fi
}

# Verbs from the table in client/cmd.c, and the options of termijn --help and each verb's usage.
verbs=$(sed -n 's/^[[:space:]]*&cmd_\([a-z_]*\)_entry,.*/\1/p' client/cmd.c)
offers "every verb of client/cmd.c, and help" "$verbs help" termijn ""
offers "the global options" "-s --socket --json --help --version" termijn -
for v in $verbs; do
	longs=$(sed -n '/option longopts/,/NULL, 0, NULL, 0/s/.*{ "\([a-z-]*\)",.*/--\1/p' \
	    "client/cmd-$v.c")
	[ "$v" = feeds ] && set -- termijn feeds create - || set -- termijn "$v" -
	offers "$v: its options ($(echo $longs | wc -w) and --json --help)" "$longs --json --help" "$@"
done
offers "list --state: the states" "blocked ready overdue done done-late waived open" \
    termijn list --state ""
# The views: the outbox's (the table in cmd-reminders.c), upcoming, preview and retry.
views=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)",[[:space:]]*\("[a-z-]*"\|NULL\) },.*/\1/p' \
    client/cmd-reminders.c)
offers "reminders: its views ($(echo $views | wc -w) of the outbox)" \
    "upcoming $views preview retry" termijn reminders ""
offers "feeds: its subcommands" "list create rotate revoke" termijn feeds ""

# Unreachable: nothing offered, quickly, and no error on the terminal.
OUT=$(TERMIJN_SOCKET=$T/none.sock complete_words termijn done "" 2>&1)
expect_not_in . "no daemon: no milestones offered, no error shown"

setup_conf
start_daemon || { finish; exit; }
keys=$("$TERMIJN" --json list | sed -n 's/^ *"key": "\([^"]*\)".*/\1/p' | sort -u)
[ "$(echo $keys | wc -w)" -gt 30 ] && ok "termijn --json list gives $(echo $keys | wc -w) keys" ||
	not_ok "too few keys from termijn --json list"
offers "done: every milestone the daemon knows" "$keys" termijn done ""
offers "done: completes a started key" "personeel@staphorst personeel@steenwijkerland personeel@zwartewaterland" \
    termijn done perso
OUT=$(TERMIJN_SOCKET=$T/none.sock complete_words termijn -s "$SOCK" show pers)
expect_in '^persbericht$' "-s SOCKET wins over TERMIJN_SOCKET"
offers "-p: the plans" "bedrijfsvoering sociaal-domein" termijn list -p ""
offers "--party: the parties" "meppel westerveld staphorst steenwijkerland zwartewaterland" \
    termijn list --party ""
offers "--owner: the roles" "secretaris burgemeester griffier communicatie" termijn list --owner ""
offers "feeds create --party: PLAN/PARTY" "bedrijfsvoering/staphorst sociaal-domein/meppel" \
    termijn feeds create --party ""
"$TERMIJN" feeds create --plan bedrijfsvoering >/dev/null
"$TERMIJN" feeds create --plan sociaal-domein >/dev/null
offers "feeds revoke: the feeds' numbers" "1 2" termijn feeds revoke ""
OUT=$(complete_words termijn done persbericht "")
expect_not_in '@' "done takes one milestone: none offered after it"
# The same with bash-completion's _init_completion, which joins --socket=PATH again.
if [ -r /usr/share/bash-completion/bash_completion ]; then
	export WITH_BC=1
	offers "with bash-completion: every milestone" "$keys" termijn done ""
	OUT=$(TERMIJN_SOCKET=$T/none.sock complete_words termijn --socket = "$SOCK" show pers)
	expect_in '^persbericht$' "with bash-completion: --socket=SOCKET"
	offers "with bash-completion: the options of list" "--plan --party --owner --state" \
	    termijn list --
	unset WITH_BC
else
	echo "# not tried with bash-completion's helpers: the package is not installed"
fi
stop_daemon
finish
