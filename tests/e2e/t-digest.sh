#!/bin/bash
# t-digest.sh: the owners are told of changes (override, undo, add) by name, and a person with
# a daily digest gets one message a day with all that is theirs: the real daemon on the demo
# clock, the real client, a real SMTP server (smtpd.py) on loopback.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
start_smtpd || exit 1
mail_conf

# phase NAME: what arrives from now on is this phase's.
phase() { echo "# $1"; BASE=$(smtp_count); }
arrived() { echo $(($(smtp_count) - BASE)); }
have() { [ "$(arrived)" -ge "$1" ]; }
# got RCPT SUBJECT-START: how many of this phase's messages to RCPT have such a subject.
got() {
	mbox list --since "$BASE" | awk -F'\t' -v r="$1" -v s="$2" \
	    '$2 == r && substr($4, 1, length(s)) == s { n++ } END { print n + 0 }'
}
to() { mbox list --since "$BASE" | awk -F'\t' -v r="$1" '$2 == r { n++ } END { print n + 0 }'; }
body() { mbox body --since "$BASE" --to "$1" ${2:+--subject "$2"}; }

mkdir -p "$T/proef"
cat > "$T/proef/proef.plan" <<'EOP'
plan proef
  title Proef voor de berichten
  language nl
  remind 7d, 1d
  remind-at 08:30
  overdue-max 0

role secretaris
  name Gemeentesecretaris
role griffier
  name Griffier

party oost
  name Gemeente Oost
  role secretaris "A. de Vries" <secretaris@oost.example>
  role griffier "Griffie Oost" <griffie@oost.example>
party west
  name Gemeente West
  role secretaris "B. Bakker" <secretaris@west.example>
  role griffier griffie@west.example

milestone besluit
  title Besluit genomen
  owner secretaris
  parties all
  due 2014-01-14

milestone raad
  title Raad gehoord
  owner griffier
  parties all
  due 2014-01-21
  requires besluit@same
EOP

# ---- the owners told of an override, an undo and an addition ----
phase changes
FIRST=$BASE
start_daemon -P "$T/proef" --clock-start '2014-01-06 10:00' --clock-speed 0 || exit 1
expect_exit 0 "done raad@oost over its rule" -- "$C" done raad@oost --override --reason "De raad vergaderde eerder"
if wait_until 10 have 1; then ok "the override is told"; else not_ok "the override is told"; fi
expect_n 1 "$(got griffie@oost.example "Gereed gemeld ondanks een regel: Raad gehoord — Gemeente Oost")" \
    "to the owner of raad@oost, once"
OUT=$(body griffie@oost.example)
expect_in "^Geachte heer, mevrouw,$" "a function's name ('Griffie Oost') is not greeted as a person"
expect_in "^root heeft deze mijlpaal uit het plan \"Proef voor de berichten\" gereed gemeld, terwijl een regel van het plan dat nog niet toestond\." \
    "it says who and what, in one line"
expect_in "^Reden: De raad vergaderde eerder$" "with the reason"
expect_in "^  - Besluit genomen, Gemeente Oost \(nog niet gereed\)$" "and the rule it went past"
expect_n 1 "$(arrived)" "nobody else is told"

phase undo
expect_exit 0 "done besluit@west" -- "$C" done besluit@west
expect_exit 0 "undo besluit@west" -- "$C" undo besluit@west --reason "Te vroeg gemeld"
if wait_until 10 have 1; then ok "the undo is told"; else not_ok "the undo is told"; fi
expect_n 1 "$(got secretaris@west.example "Weer open: Besluit genomen — Gemeente West")" \
    "to the owner of besluit@west; a plain done is not a change to tell"
OUT=$(body secretaris@west.example)
expect_in "^Beste B\. Bakker,$" "greeted by the name the plan gives"
expect_in "^Reden: Te vroeg gemeld$" "with the reason"
expect_in "^    Gereed melden: termijn done -p proef besluit@west$" "and how to report it done again"

phase add
expect_exit 0 "add a milestone for every party" -- "$C" add -p proef advies --title "Advies opgesteld" \
    --owner secretaris --due 2014-02-03 --parties all --requires raad@same
two() { [ "$(to secretaris@oost.example)" -ge 1 ] && [ "$(to secretaris@west.example)" -ge 1 ]; }
if wait_until 10 two; then ok "the addition is told"; else not_ok "the addition is told"; fi
expect_n 1 "$(got secretaris@oost.example "Nieuwe mijlpaal voor u: Advies opgesteld")" "to Oost's owner once"
expect_n 1 "$(got secretaris@west.example "Nieuwe mijlpaal voor u: Advies opgesteld")" "to West's owner once"
expect_n 0 "$(to griffie@oost.example)" "not to who does not own it"
OUT=$(body secretaris@oost.example "Nieuwe mijlpaal")
expect_in "^Beste A\. de Vries,$" "greeted by name"
expect_in "^  - Advies opgesteld — Gemeente Oost$" "its own instance"
expect_not_in "Gemeente West" "not the other party's"
expect_in "^    Uiterlijk: maandag 3 februari 2014$" "with its deadline in Dutch"
expect_exit 0 "the change mails are well-formed" -- mbox check --since "$FIRST" --any-body
expect_exit 0 "reminders sent lists them" -- "$C" reminders sent
expect_in "change-add +advies@oost +secretaris@oost.example" "as change-add"
expect_in "change-undo +besluit@west" "and change-undo"
expect_in "change-done-override +raad@oost" "and change-done-override"
stop_daemon

stop_smtpd
finish
