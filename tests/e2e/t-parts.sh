#!/bin/bash
# t-parts.sh: parts found during the process (issue 9, point 4) on the shipped memo plan:
# parts added at run time make the advice wait for every proposal, survive a restart, are in
# the feeds (read with python3-icalendar) and the reminders; adding one after the advice is
# refused unless overridden; bad input gets a clear error and changes nothing.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
PY=/usr/bin/python3
fc() { "$PY" "$TOP/tests/e2e/feedcheck.py" "$@"; }
setup_conf
# The memo's February: the inventory is in, the parts are being found.
start_daemon --clock-start '2014-02-10 09:00' --clock-speed 0 || exit 1

same() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3 ('$1' vs '$2')"; fi; }
parts_json() { "$C" --json part list bedrijfsvoering onderdeel; }
log_count() { "$C" --json log -p bedrijfsvoering -n 1000 | grep -c '"seq"'; }

# ---- no part yet: "every part" is not met by there being none ----
expect_exit 0 "part list" -- "$C" part list
expect_in 'bedrijfsvoering +onderdeel +\(none yet\)' "the memo's plan has the dimension onderdeel, empty"
expect_exit 3 "the advice cannot be given before any part exists" -- "$C" done advies
expect_in "requires every part's voorstellen, and onderdeel has no part yet" \
    "the refusal says the proposals of every part are waited for, and there is none"
expect_exit 4 "a milestone per part without parts names no step" -- "$C" show voorstellen
expect_in "voorstellen is per onderdeel, which has no part yet" "and says why"

# The pages of a feed say it too (the plan speaks Dutch).
expect_exit 0 "a feed of the plan" -- "$C" feeds create --plan bedrijfsvoering
PURL=$(printf '%s\n' "$OUT" | grep -Eo 'https?://[^ ]+\.ics' | head -1)
H=$(http_addr)
PAGE=${PURL#*://*/}
PAGE=${PAGE%.ics}.html
curl -sf -m 10 -c "$T/cookies" -b "$T/cookies" -L -o /dev/null "http://$H/$PAGE" ||
    not_ok "open the feed's pages"
OUT=$(curl -sf -m 10 -b "$T/cookies" "http://$H/view/step?plan=bedrijfsvoering&key=advies")
expect_in "een eerste onderdeel van onderdeel" "the advice's page says it waits for a first part"

# ---- bad input: a clear error, nothing changed ----
BEFORE=$(parts_json)
NLOG=$(log_count)
expect_exit 4 "unknown plan" -- "$C" part add bedrijfsvoeringg onderdeel inkoop --title Inkoop
expect_in "no such plan" "it says the plan is unknown"
expect_exit 4 "unknown dimension" -- "$C" part add bedrijfsvoering onderdelen inkoop --title Inkoop
expect_in "plan bedrijfsvoering has no dimension onderdelen; did you mean onderdeel\?" \
    "it names the dimension probably meant"
expect_exit 4 "a plan without dimensions" -- "$C" part add sociaal-domein onderdeel x --title X
expect_in "plan sociaal-domein has no dimensions" "it says the plan has none"
expect_exit 1 "a part id with capitals" -- "$C" part add bedrijfsvoering onderdeel Inkoop --title Inkoop
expect_in "part id: lower case letters" "it says what an id is"
expect_exit 1 "a part id with a #" -- "$C" part add bedrijfsvoering onderdeel 'in#koop' --title Inkoop
expect_in "part id: lower case letters" "a # cannot be part of a part's id"
expect_exit 1 "a title with a control character" -- "$C" part add bedrijfsvoering onderdeel inkoop \
    --title "$(printf 'In\001koop')"
expect_in "title: one line of text without control characters" "it says what a title is"
expect_exit 1 "a title with U+2028" -- "$C" part add bedrijfsvoering onderdeel inkoop \
    --title "$(printf 'In\342\200\250koop')"
expect_in "without control characters" "a line separator is refused too"
expect_exit 1 "a title on two lines" -- "$C" part add bedrijfsvoering onderdeel inkoop \
    --title "$(printf 'In\nkoop')"
expect_exit 1 "a lead that is no party" -- "$C" part add bedrijfsvoering onderdeel inkoop \
    --title Inkoop --lead kampen
expect_in "lead: kampen is not a party of plan bedrijfsvoering" "it names the lead"
expect_exit 2 "part add without a title" -- "$C" part add bedrijfsvoering onderdeel inkoop
expect_exit 2 "part cancel without a reason" -- "$C" part cancel bedrijfsvoering onderdeel inkoop
same "$(parts_json)" "$BEFORE" "the bad requests added no part"
same "$(log_count)" "$NLOG" "and wrote nothing to the audit log"

# ---- two parts found at run time ----
expect_exit 0 "add the part inkoop, led by Steenwijkerland" -- "$C" part add bedrijfsvoering \
    onderdeel inkoop --title "Inkoop" --lead steenwijkerland -r "uit de inventarisatie"
expect_in '^added: voorstellen#inkoop \(due 2014-02-21\)' "it gets its proposal"
expect_in '^added: architectuur#inkoop \(due 2014-02-21\)' "and its architecture"
expect_exit 0 "add the part ict, led by Zwartewaterland" -- "$C" part add bedrijfsvoering \
    onderdeel ict --title "ICT en informatiebeheer" --lead zwartewaterland
# A part moves the steps after it: the link to the other plan's conference still holds.
expect_exit 3 "with parts, the advice waits for them" -- "$C" done advies
expect_in "requires sociaal-domein:conferentie" "and still for the conference of the social domain"
expect_exit 1 "the same part twice" -- "$C" part add bedrijfsvoering onderdeel ict --title ICT
expect_in "part ict of onderdeel exists already" "a duplicate is named"
expect_exit 0 "show a part's proposal" -- "$C" --json show voorstellen#inkoop
expect_in '"title": "3. Procesverantwoordelijke secretaris en voorstel tot samenwerking: Inkoop"' \
    "its title names the part"
expect_in '"party": "steenwijkerland"' "it belongs to the lead party"
expect_in '"secretaris@steenwijkerland.example"' "its owner is the lead's secretary"
expect_exit 4 "a mistyped part key gets a suggestion" -- "$C" show voorstellen#inkop
expect_in "did you mean voorstellen#inkoop\?" "the key meant is offered"
expect_exit 1 "a milestone per part named without its part" -- "$C" done voorstellen
expect_in "voorstellen applies to each part of onderdeel: name one as voorstellen#PART" \
    "it asks for the part"
expect_in "voorstellen#ict" "and lists the candidates"
expect_exit 0 "log of the part" -- "$C" log -p bedrijfsvoering onderdeel#inkoop
expect_in 'part-add +onderdeel#inkoop +uit de inventarisatie; note: Inkoop' \
    "the addition is audited: who, when, the reason"

# seqs NAME: "UID SEQUENCE" of every event of the plan's feed, into $T/NAME.seq.
seqs() {
	curl -sf --max-time 10 -o "$T/$1.ics" "http://$(http_addr)/${PURL#*://*/}" ||
		not_ok "fetch the plan's feed ($1)"
	"$PY" - "$T/$1.ics" >"$T/$1.seq" <<'PY'
import sys
from icalendar import Calendar
for ev in Calendar.from_ical(open(sys.argv[1], "rb").read()).walk("VEVENT"):
    print(ev["UID"], int(ev["SEQUENCE"]))
PY
}
# seq_moved A B: the events of A whose SEQUENCE differs in B (or that B lacks), and B's new
# ones with a SEQUENCE other than 0.
seq_moved() {
	awk 'NR == FNR { a[$1] = $2; next } { b[$1] = $2; if (!($1 in a) && $2 != 0) print "new " $0 }
	    END { for (u in a) if (!(u in b) || b[u] != a[u]) print u, a[u], "->", b[u] }' \
	    "$T/$1.seq" "$T/$2.seq"
}
# A part neither moves nor raises another step's SEQUENCE; a move raises its step's by one.
seqs before-hr

# A third part, cancelled again: its steps go, and the advice does not wait for them.
expect_exit 0 "add a third part" -- "$C" part add bedrijfsvoering onderdeel hr --title "HR"
seqs with-hr
grep -q '^voorstellen#hr@' "$T/with-hr.seq" || not_ok "the third part's proposal is in the feed"
same "$(seq_moved before-hr with-hr)" "" "a part added: every other event keeps its SEQUENCE, its own are 0"
expect_exit 0 "move the proposals" -- "$C" move -p bedrijfsvoering voorstellen --due 2014-02-24 \
    -r "later"
seqs hr-moved
same "$(seq_moved with-hr hr-moved | sort)" \
    "$(awk '/^voorstellen#/ { print $1, $2, "->", $2 + 1 }' "$T/with-hr.seq" | sort)" \
    "a move after it raises each proposal's SEQUENCE by one, no other"
expect_exit 0 "cancel it, with a reason" -- "$C" part cancel bedrijfsvoering onderdeel hr \
    -r "geen quick win"
seqs without-hr
same "$(seq_moved hr-moved without-hr | grep -v '#hr@')" "" "a part cancelled: every other event keeps its SEQUENCE"
expect_in '^no longer a step: voorstellen#hr' "its proposal is no longer a step"
expect_exit 4 "its steps are gone" -- "$C" show architectuur#hr
expect_exit 3 "cancelling it twice" -- "$C" part cancel bedrijfsvoering onderdeel hr -r "nog eens"
expect_exit 1 "its id stays taken" -- "$C" part add bedrijfsvoering onderdeel hr --title "HR"
expect_in "was cancelled; its id stays taken" "it says so"

# Deliverables 1 and 2, the works councils and the conference, by override (this test is
# about parts).
for k in inventarisatie quickwins or-betrokken@staphorst or-betrokken@steenwijkerland \
    or-betrokken@zwartewaterland; do
	"$C" done "$k" --override --reason "voor de test" >/dev/null 2>&1 || not_ok "done $k"
done
# The advice also follows the social domain's conference (a link between the plans).
"$C" done -p sociaal-domein conferentie --override --reason "voor de test" >/dev/null 2>&1 ||
    not_ok "done sociaal-domein:conferentie"
expect_exit 3 "the advice waits for both proposals and architectures" -- "$C" done advies
expect_in "requires voorstellen#inkoop" "it names the proposal of inkoop"
expect_in "requires voorstellen#ict" "and of ict"
expect_not_in "voorstellen#hr" "not the cancelled part's"
expect_exit 0 "the proposal of inkoop" -- "$C" done voorstellen#inkoop
expect_exit 0 "the architecture of inkoop" -- "$C" done architectuur#inkoop
expect_exit 0 "the architecture of ict" -- "$C" done architectuur#ict
expect_exit 3 "the advice still waits for the proposal of ict" -- "$C" done advies
expect_in "requires voorstellen#ict" "it names it"
expect_not_in "requires voorstellen#inkoop" "not the one that is done"

# ---- reminders: each part's step has its own ----
expect_exit 0 "reminders preview" -- "$C" reminders preview --until 2014-02-21
expect_in "voorstellen#ict" "the proposal of ict is reminded"
expect_in "secretaris@zwartewaterland.example" "to the secretary of its lead"

# ---- the feeds: each part's step its own event ----
expect_exit 0 "a feed of Zwartewaterland" -- "$C" feeds create --party bedrijfsvoering/zwartewaterland
ZURL=$(printf '%s\n' "$OUT" | grep -Eo 'https?://[^ ]+\.ics' | head -1)
# The listener's port is new after a restart; the feeds' paths stay.
check_feeds() {
	H=$(http_addr)
	curl -sf --max-time 10 -o "$T/plan.ics" "http://$H/${PURL#*://*/}" || not_ok "fetch the plan's feed"
	curl -sf --max-time 10 -o "$T/zw.ics" "http://$H/${ZURL#*://*/}" || not_ok "fetch Zwartewaterland's feed"
	"$C" --json list > "$T/list.json"
	fc expect "$T/list.json" plan bedrijfsvoering > "$T/plan.uids"
	fc expect "$T/list.json" party bedrijfsvoering/zwartewaterland > "$T/zw.uids"
	OUT=$(fc ics "$T/plan.ics" --uids "$T/plan.uids" 2>&1) &&
	    ok "$1: python3-icalendar reads the plan's feed with exactly its steps ($OUT)" ||
	    { not_ok "$1: the plan's feed"; printf '%s\n' "$OUT" | sed 's/^/    /'; }
	for k in voorstellen#inkoop voorstellen#ict architectuur#inkoop architectuur#ict; do
		grep -qx "$k@bedrijfsvoering.termijn" "$T/plan.uids" || not_ok "$1: no $k in the list"
	done
	grep -q 'hr@' "$T/plan.uids" && not_ok "$1: the cancelled part is in the feed"
	same "$(fc event "$T/plan.ics" voorstellen#ict@bedrijfsvoering.termijn SUMMARY | sed 's/^\[[^]]*\] //')" \
	    "3. Procesverantwoordelijke secretaris en voorstel tot samenwerking: ICT en informatiebeheer — Gemeente Zwartewaterland" \
	    "$1: the proposal of ict is its own event, titled with the part"
	OUT=$(fc ics "$T/zw.ics" --uids "$T/zw.uids" 2>&1) &&
	    ok "$1: Zwartewaterland's feed has exactly its steps ($OUT)" ||
	    { not_ok "$1: Zwartewaterland's feed"; printf '%s\n' "$OUT" | sed 's/^/    /'; }
	grep -qx 'voorstellen#ict@bedrijfsvoering.termijn' "$T/zw.uids" &&
	    ! grep -q 'voorstellen#inkoop' "$T/zw.uids" &&
	    ok "$1: the lead's feed has its part's steps, not the other part's" ||
	    not_ok "$1: the lead's feed"
}
check_feeds "before a restart"
OUT=$(curl -sf -m 10 -b "$T/cookies" "http://$H/view/table")
expect_in 'key=voorstellen%23ict' "the table links a part's step by its key, # escaped"
OUT=$(curl -sf -m 10 -b "$T/cookies" "http://$H/view/step?plan=bedrijfsvoering&key=voorstellen%23ict")
expect_in "ICT en informatiebeheer" "its page is the part's step"
cp "$T/plan.ics" "$T/plan-before.ics"

# ---- a restart: the parts, their states and their events come back ----
stop_daemon
start_daemon --clock-start '2014-02-10 09:00' --clock-speed 0 || exit 1
expect_exit 0 "part list after a restart" -- "$C" part list bedrijfsvoering
expect_in 'inkoop \(Inkoop\) +Gemeente Steenwijkerland +voorstellen#inkoop architectuur#inkoop' \
    "inkoop is there, with its lead and steps"
expect_in 'ict \(ICT en informatiebeheer\) +Gemeente Zwartewaterland' "ict too"
expect_in 'hr \(HR\), cancelled' "and the cancelled one, as cancelled"
expect_exit 0 "its state came back" -- "$C" --json show voorstellen#inkoop
expect_in '"status": "done"' "the proposal of inkoop is still done"
expect_exit 3 "the advice still waits for the proposal of ict" -- "$C" done advies
expect_in "requires voorstellen#ict" "after the restart too"
check_feeds "after a restart"
if cmp -s "$T/plan.ics" "$T/plan-before.ics"; then ok "the plan's feed has the same bytes"; else
	not_ok "the plan's feed changed over the restart"; fi
OUT=$(grep -c 'no longer fits\|has no milestone in the plan' "$T/daemon.log")
same "$OUT" 0 "nothing reported unfit or orphaned (the cancelled part's states are kept quietly)"

# A reload keeps them as well.
expect_exit 0 "reload" -- "$C" reload
expect_exit 0 "after a reload" -- "$C" --json show architectuur#ict
expect_in '"status": "done"' "the architecture of ict is still done"

# ---- the advice given: a part found now is refused, unless overridden ----
expect_exit 0 "the proposal of ict" -- "$C" done voorstellen#ict
expect_in "now ready: advies" "it makes the advice ready"
expect_exit 0 "the advice" -- "$C" done advies
BEFORE=$(parts_json)
expect_exit 3 "a part after the advice is refused" -- "$C" part add bedrijfsvoering onderdeel \
    financien --title "Financiën" --lead staphorst
expect_in "no part can be added to onderdeel any more" "the refusal says why"
expect_in "advies \(6. Advies aan de colleges\)" "it names the step that waited for every part"
same "$(parts_json)" "$BEFORE" "the refused part was not added"
expect_exit 2 "an override needs a reason" -- "$C" part add bedrijfsvoering onderdeel financien \
    --title "Financiën" --override
expect_exit 0 "an overrider adds it, with a reason" -- "$C" part add bedrijfsvoering onderdeel \
    financien --title "Financiën" --lead staphorst --override -r "alsnog gevonden"
expect_exit 0 "log" -- "$C" log -p bedrijfsvoering voorstellen#financien
expect_in 'part-add-override +voorstellen#financien +alsnog gevonden' \
    "the override is audited, on the new step too"

stop_daemon
finish
