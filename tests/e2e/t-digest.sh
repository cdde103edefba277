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
  role secretaris "A. de Vries" <secretaris@oost.example>, plv@oost.example
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

# ---- who makes a change is not told of it; the other owners are ----
phase own
_n=$(smtp_count)
expect_exit 0 "a token for A. de Vries" -- "$C" access grant secretaris@oost.example
token() { mbox body --since "$_n" --to secretaris@oost.example --subject toegangssleutel 2>/dev/null |
    sed -n 's/^  \([A-Za-z0-9_-]\{32\}\)$/\1/p' | tail -1; }
have_token() { [ -n "$(token)" ]; }
if wait_until 10 have_token; then ok "the token arrives by mail"; else not_ok "the token arrives by mail"; fi
OUT=$(mbox body --since "$_n" --to secretaris@oost.example --subject toegangssleutel)
expect_in "^Beste A\. de Vries,$" "the token's mail greets by name"
URL=http://$(http_addr)
as_devries() { XDG_CONFIG_HOME=$T/home-devries "$C" --server "$URL" "$@"; }
OUT=$(token | XDG_CONFIG_HOME=$T/home-devries "$C" login --token "$URL" 2>&1)
expect_in "as .*<secretaris@oost.example>" "A. de Vries logs in with it"
phase own-undo
expect_exit 0 "A. de Vries marks advies@oost done" -- as_devries done advies@oost
expect_exit 0 "and takes it back" -- as_devries undo advies@oost --reason "Nog niet af"
plv_told() { [ "$(got plv@oost.example "Weer open: Advies opgesteld — Gemeente Oost")" -ge 1 ]; }
if wait_until 10 plv_told; then ok "the other owner is told"; else not_ok "the other owner is told ($(arrived) messages)"; fi
OUT=$(body plv@oost.example "Weer open")
expect_in "^A\. de Vries heeft de gereedmelding van deze mijlpaal" "by the name of who did it"
expect_in "^Geachte heer, mevrouw,$" "an address without a name: the formal greeting"
sleep 0.5
expect_n 0 "$(to secretaris@oost.example)" "who undid it is not told"
stop_daemon

# ---- the daily digest: one message at 07:30 with all that is theirs, not one each at 08:30 ----
mkdir -p "$T/overzicht"
cat > "$T/overzicht/overzicht.plan" <<'EOP'
plan overzicht
  title Overzicht voor de secretaris
  language nl
  remind 7d, 1d
  remind-at 08:30
  overdue-every 1d
  overdue-max 1
  working-days nl
  digest 07:30 secretaris

role secretaris
  name Gemeentesecretaris
role griffier
  name Griffier

party oost
  name Gemeente Oost
  role secretaris "A. de Vries" <secretaris@oost.example>
  role griffier griffie@oost.example

milestone nota
  title Nota opgesteld
  owner secretaris
  due 2014-01-14
milestone brief
  title Brief aan de raad
  owner secretaris
  due 2014-01-14
milestone agenda
  title Agenda verstuurd
  owner secretaris
  due 2014-01-06
milestone stukken
  title Stukken ter inzage
  owner griffier
  due 2014-01-14
EOP
SEC=secretaris@oost.example
# Tuesday 7 January: the 7-day reminders of nota and brief and the overdue one of agenda, at
# 08:30, for the secretary in one digest at 07:30; the griffier's reminder on its own.
digest_arrived() { [ "$(to $SEC)" -ge 1 ] && [ "$(to griffie@oost.example)" -ge 1 ]; }
check_digest() {
	expect_n 1 "$(to $SEC)" "$1: one message to the secretary"
	expect_n 1 "$(got $SEC "Uw overzicht van dinsdag 7 januari 2014: 3 mijlpalen uit \"Overzicht voor de secretaris\"")" \
	    "$1: the digest of Tuesday 7 January, with three milestones"
	expect_n 1 "$(got griffie@oost.example "Herinnering: Stukken ter inzage")" \
	    "$1: who has no digest gets the reminder itself"
	OUT=$(body $SEC)
	expect_in "^Beste A\. de Vries,$" "$1: greeted by name"
	expect_in "^Verlopen:$" "$1: what is overdue"
	expect_in "^  - Agenda verstuurd$" "$1: the overdue step"
	expect_in "^    Uiterlijk: maandag 6 januari 2014 \(1 dag over de termijn\)$" "$1: a day late"
	expect_in "^Binnenkort uiterlijk:$" "$1: what is due soon"
	expect_in "^  - Nota opgesteld$" "$1: the first step due in a week"
	expect_in "^  - Brief aan de raad$" "$1: and the second"
	expect_in "^    Uiterlijk: dinsdag 14 januari 2014 \(over 7 dagen\)$" "$1: with its deadline"
	expect_in "^    Gereed melden: termijn done -p overzicht nota$" "$1: and how to report it done"
	OUT=$("$C" reminders sent)
	expect_in "2014-01-07 07:30 +digest +digest/2014-01-07 +$SEC " "$1: the outbox has it at 07:30"
	if use_dutch; then
		OUT=$(LANG=nl_NL.UTF-8 "$C" reminders sent 2>&1)
		expect_in "2014-01-07 07:30 +dagoverzicht +digest/2014-01-07 +$SEC " "$1: in Dutch, a dagoverzicht"
	fi
	expect_not_in " lead +nota " "$1: and no reminder of its own"
}

phase digest
start_daemon -S "$T/state-digest" -P "$T/overzicht" --clock-start '2014-01-06 12:00' --clock-speed 20000 || exit 1
if wait_until 15 digest_arrived; then ok "the digest arrives"; else not_ok "the digest arrives ($(arrived) messages)"; fi
# Past 08:30, when the reminders would have gone one by one (5.5 demo hours a second).
sleep 1
check_digest "running clock"
expect_exit 0 "the digest is well-formed" -- mbox check --since "$BASE"
stop_daemon
phase digest-restart
start_daemon -S "$T/state-digest" -P "$T/overzicht" --clock-start '2014-01-06 12:00' --clock-speed 20000 || exit 1
# The clock resumes (Tuesday afternoon) and passes Wednesday's digest moment, which looks back
# to Tuesday's: what Tuesday's digest held is not sent again, and there is nothing new.
sleep 4.5
expect_n 0 "$(arrived)" "a restart, and the next day's digest, send nothing again"
stop_daemon

# Down over the digest's moment: at the next start, the digest once (not the reminders).
phase digest-down
start_daemon -S "$T/state-down" -P "$T/overzicht" --clock-start '2014-01-06 12:00' --clock-speed 0 || exit 1
stop_daemon
start_daemon -S "$T/state-down" -P "$T/overzicht" --clock-start '2014-01-07 09:00' --clock-speed 0 || exit 1
if wait_until 10 digest_arrived; then ok "after downtime the digest arrives"; else not_ok "after downtime the digest arrives ($(arrived) messages)"; fi
sleep 1
check_digest "after downtime"
expect_exit 0 "reminders preview" -- "$C" reminders preview --until 2014-01-14
expect_in "^2014-01-13 08:30  lead  overzicht/nota$" "the preview lists the 1-day reminder"
expect_in "^  Digest:  $SEC$" "as going in the secretary's digest"
expect_in "^  To:      griffie@oost.example$" "and the griffier's as mailed to them"
stop_daemon
start_daemon -S "$T/state-down" -P "$T/overzicht" --clock-start '2014-01-07 09:00' --clock-speed 0 || exit 1
sleep 1
expect_n 2 "$(arrived)" "and a restart after it sends nothing again"
stop_daemon

# ---- a part added at run time: the owners of its new steps are told ----
mkdir -p "$T/onderdelen"
cat > "$T/onderdelen/onderdelen.plan" <<'EOP'
plan onderdelen
  title Onderdelen gevonden
  language nl

role secretaris
  name Gemeentesecretaris

party oost
  name Gemeente Oost
  role secretaris "A. de Vries" <secretaris@oost.example>
party west
  name Gemeente West
  role secretaris "B. Bakker" <secretaris@west.example>

dimension onderdeel
  name Onderdeel

milestone voorstel
  title Voorstel per onderdeel
  owner secretaris
  per onderdeel
  due 2014-02-21
EOP
phase part-add
start_daemon -S "$T/state-parts" -P "$T/onderdelen" --clock-start '2014-02-10 09:00' --clock-speed 0 || exit 1
expect_exit 0 "part add inkoop, led by West" -- "$C" part add onderdelen onderdeel inkoop --title Inkoop --lead west
west_told() { [ "$(to secretaris@west.example)" -ge 1 ]; }
if wait_until 10 west_told; then ok "the part is told"; else not_ok "the part is told ($(arrived) messages)"; fi
expect_n 1 "$(got secretaris@west.example "Nieuw onderdeel, mijlpalen voor u: ")" "to the secretary of the lead party, once"
OUT=$(body secretaris@west.example)
expect_in "^Beste B\. Bakker,$" "by name"
expect_in "^root heeft een onderdeel toegevoegd aan het plan \"Onderdelen gevonden\"\." "saying what happened"
expect_in "^    Gereed melden: termijn done -p onderdelen voorstel" "with the new step and how to report it done"
sleep 0.5
expect_n 1 "$(arrived)" "nobody else is told"
stop_daemon

# The occurrence table keeps each reminder once: a digest that tried to send one again
# would meet its UNIQUE constraint and fail its scan, which the log says.
OUT=$(cat "$T/daemon.log")
expect_not_in "reminders: database" "no reminder scan failed on the way"

stop_smtpd
finish
