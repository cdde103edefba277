#!/bin/bash
# t-man.sh: the manual pages render without warnings, and name every verb and option of the
# client, every option of the daemon and every key of termijnd.conf.
. "$(dirname "$0")/../e2e/lib.sh"
: > "$T/daemon.log"
cd "$TOP" || exit 1
PAGES="man/termijn.1 man/termijn.plan.5 man/termijnd.conf.5 man/termijnd.8"

if ! command -v groff >/dev/null; then
	echo "# skipped: groff is not installed (apt-get install groff-base)"
	finish; exit
fi
for p in $PAGES; do
	expect_exit 0 "$p exists" -- test -s "$p"
	OUT=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$p" 2>&1)
	if [ -z "$OUT" ]; then ok "groff -man -ww: $p without warnings"; else
		not_ok "groff -man -ww: $p warns"; printf '%s\n' "$OUT" | sed 's/^/    /'; fi
	if command -v man >/dev/null; then
		OUT=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -l "$p" 2>&1 >/dev/null)
		if [ -z "$OUT" ]; then ok "man -l: $p without warnings"; else
			not_ok "man -l: $p warns"; printf '%s\n' "$OUT" | sed 's/^/    /'; fi
	fi
done

# The source with \- as -, so that names can be looked for as they are typed.
text() { sed -e 's/\\-/-/g' -e 's/\\(aq/'"'"'/g' "$1"; }

# mentions PAGE WHAT WORD...: each WORD appears in PAGE, as a whole word.
mentions() {
	page=$1 what=$2; shift 2
	missing=
	for w in "$@"; do
		text "$page" | grep -Eq -- "(^|[^[:alnum:]_-])$(printf '%s' "$w" |
		    sed 's/[.[\*^$]/\\&/g')([^[:alnum:]_-]|$)" || missing="$missing $w"
	done
	if [ -z "$missing" ]; then ok "$page names every $what ($#)"; else
		not_ok "$page lacks $what:$missing"; fi
}

# The verbs: the table in client/cmd.c names their entries, each entry its name.
verbs=$(sed -n 's/^[[:space:]]*&cmd_\([a-z_]*\)_entry,.*/\1/p' client/cmd.c)
[ -n "$verbs" ] && ok "client/cmd.c lists $(echo $verbs | wc -w) verbs" || not_ok "no verbs found in client/cmd.c"
names=
for v in $verbs; do
	n=$(grep -A2 "cmd_entry cmd_${v}_entry" "client/cmd-$v.c" | sed -n 's/^[[:space:]]*"\([a-z]*\)",$/\1/p' | head -1)
	names="$names ${n:-$v}"
done
mentions man/termijn.1 verb $names help

# Every long option of the client (global and per verb), and every short one as -X.
longs=$(cat client/termijn.c client/cmd*.c client/client.h |
	sed -n 's/.*{ "\([a-z-]*\)", \(no\|required\|optional\)_argument.*/--\1/p' | sort -u)
mentions man/termijn.1 "long option of termijn" $longs
shorts=$(grep -ho 'CMD_SHORTOPTS "[^"]*"\|"+:s:h"' client/*.c | sed 's/.*"\(.*\)"/\1/' |
	tr -d ':+' | fold -w1 | sort -u | sed 's/^/-/')
mentions man/termijn.1 "short option of termijn" $shorts -V
views=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)",[[:space:]]*\("[a-z-]*"\|NULL\) },.*/\1/p' \
    client/cmd-reminders.c)
mentions man/termijn.1 "view of termijn reminders" $views upcoming preview retry
mentions man/termijn.1 "exit status" 0 1 2 3 4 69
mentions man/termijn.1 "environment variable" TERMIJN_SOCKET NO_COLOR

# Every key that daemon/config.c accepts.
keys=$(grep -o 'strcmp(key, "[a-z-]*")' daemon/config.c | sed 's/.*"\(.*\)".*/\1/' | sort -u)
[ "$(echo $keys | wc -w)" -ge 20 ] && ok "daemon/config.c accepts $(echo $keys | wc -w) keys" ||
	not_ok "too few keys found in daemon/config.c: $keys"
mentions man/termijnd.conf.5 "config key" $keys
# ... each as a setting of its own (a .TP tag), not only in passing.
missing=
for k in $keys; do
	text man/termijnd.conf.5 | grep -A1 '^\.TP' | grep -Eq "^\.B[IR]? $k( |$)" ||
	    missing="$missing $k"
done
[ -z "$missing" ] && ok "termijnd.conf.5 has a paragraph per key" || not_ok "no paragraph for:$missing"

# Every option of daemon/main.c: the long ones and the letters of the getopt string.
dlongs=$(sed -n 's/.*{ "\([a-z-]*\)", \(no\|required\)_argument.*/--\1/p' daemon/main.c)
mentions man/termijnd.8 "long option of termijnd" $dlongs
dshorts=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' daemon/main.c | tr -d ':' |
	fold -w1 | sed 's/^/-/')
mentions man/termijnd.8 "short option of termijnd" $dshorts
mentions man/termijnd.8 signal SIGHUP SIGTERM SIGINT
mentions man/termijnd.8 "sd_notify message" READY=1 RELOADING=1 STOPPING=1 WATCHDOG=1
mentions man/termijnd.8 "HTTP path" /healthz /metrics /feed/
mentions man/termijnd.8 file /etc/termijn/termijnd.conf /var/lib/termijn/termijn.db \
	/run/termijn/termijnd.sock
# The metrics the daemon exports.
metrics=$(grep -o 'metric(b, "[a-z_]*"' daemon/feeds.c | sed 's/.*"\(.*\)"/\1/')
mentions man/termijnd.8 metric $metrics
finish
