#!/bin/sh
# run-intro.sh: what make run says before termijnd starts: where to look next. In the
# language of LANG, from the same catalogs as the programs (po/, build/locale).
TEXTDOMAIN=termijn
TEXTDOMAINDIR=$(cd "$(dirname "$0")/.." && pwd)/build/locale
export TEXTDOMAIN TEXTDOMAINDIR
if command -v gettext >/dev/null 2>&1; then say() { gettext "$1"; }; else say() { printf '%s' "$1"; }; fi
say 'termijn: the two plans of the memo (etc/plans/) on a demo clock that begins on
Monday 16 December 2013, 09:00 Amsterdam time, and runs 60 times real time (a
day in 24 minutes). In a second terminal, in this directory:

  export TERMIJN_SOCKET=$PWD/run/termijnd.sock
  client/termijn status              where things stand
  client/termijn list --state ready  what may be done now
  client/termijn show persbericht    one milestone: what it waits for, and why
  client/termijn help                every verb (man man/termijn.1 for more)

The state is in run/state/, mail in run/state/maildir/new/. Ctrl-C stops
termijnd; make run goes on where it stopped, make run-fresh starts over.
README.md walks the memo.
'
echo
