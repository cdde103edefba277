#!/bin/bash
# t-lang.sh: the client and termijnd's messages speak Dutch or English by the locale; codes,
# JSON field names and exit statuses stay the same in both.
. "$(dirname "$0")/lib.sh"
setup_conf
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1

if ! use_dutch; then
	# Without the locale gettext stays English; the rest of this test would prove nothing.
	not_ok "no nl_NL.UTF-8 locale, and localedef (package locales) cannot make one"
	finish; exit
fi

# The memo's hard rule: the press release waits for every council and all staff.
expect_exit 3 "LANG=nl_NL.UTF-8: done persbericht is refused (exit 3)" -- \
    env LANG=nl_NL.UTF-8 "$TERMIJN" done persbericht
expect_in '^termijn: persbericht kan nog niet worden afgerond:$' "the refusal in Dutch"
expect_in '^  - vereist raad@zwartewaterland \(Bespreking van de startnotitie in de gemeenteraad, Gemeente Zwartewaterland\): nog niet afgerond$' \
    "the unmet rule for the council of Zwartewaterland, in Dutch"
expect_not_in 'cannot|requires|not done' "no English in the Dutch refusal"

expect_exit 3 "LANG=C: done persbericht is refused (exit 3)" -- env LANG=C "$TERMIJN" done persbericht
expect_in '^termijn: persbericht cannot be done yet:$' "the refusal in English"
expect_in '^  - requires raad@zwartewaterland \(Bespreking van de startnotitie in de gemeenteraad, Gemeente Zwartewaterland\): not done$' \
    "the unmet rule for the council of Zwartewaterland, in English"

# termijnd's own message follows the client's language; the code and fields do not.
OUT=$(env LANG=nl_NL.UTF-8 "$TERMIJN" --json done persbericht 2>/dev/null)
expect_in '"error": "refused"' "--json in Dutch: the error code stays \"refused\""
expect_in '"message": "persbericht kan nog niet worden afgerond: aan 6 regels is niet voldaan"' \
    "--json in Dutch: termijnd's message is Dutch"
expect_in '"kind": "requires"' "--json in Dutch: the unmet rules keep their field names and kinds"
OUT=$(env LANG=C "$TERMIJN" --json done persbericht 2>/dev/null)
expect_in '"message": "persbericht cannot be done yet: 6 rules are unmet"' \
    "--json in English: termijnd's message is English"

# LC_MESSAGES alone chooses too; LANGUAGE does not work in the C locale (as gettext says).
expect_exit 4 "LC_MESSAGES=nl_NL.UTF-8: an unknown milestone is exit 4" -- \
    env LANG=C LC_MESSAGES=nl_NL.UTF-8 "$TERMIJN" show bestaatniet
expect_in 'geen mijlpaal bestaatniet' "LC_MESSAGES=nl_NL.UTF-8: termijnd says so in Dutch"
expect_exit 2 "LANG=C LANGUAGE=nl: a usage error is exit 2" -- env LANG=C LANGUAGE=nl "$TERMIJN" bogus
expect_in 'unknown verb: bogus' "LANG=C LANGUAGE=nl: English, as gettext does in the C locale"
expect_exit 2 "LANG=nl_NL.UTF-8: a usage error is exit 2" -- env LANG=nl_NL.UTF-8 "$TERMIJN" bogus
expect_in 'onbekend werkwoord: bogus' "LANG=nl_NL.UTF-8: the client's own errors in Dutch"

# Usage synopses name their placeholders in the reader's language; options stay as typed.
expect_exit 0 "LANG=nl_NL.UTF-8: help done" -- env LANG=nl_NL.UTF-8 "$TERMIJN" help done
expect_in '^gebruik: termijn done MIJLPAAL \[-p PLAN\] \[-n\|--note TEKST\] \[--at "JJJJ-MM-DD UU:MM"\]$' \
    "help done: the synopsis's placeholders in Dutch"
expect_in '^    \[--override --reason TEKST\]$' "help done: --reason TEKST"
expect_not_in 'TEXT|KEY|YYYY' "no English placeholders in the Dutch synopsis"
expect_exit 2 "LANG=nl_NL.UTF-8: undo without a reason is a usage error" -- \
    env LANG=nl_NL.UTF-8 "$TERMIJN" undo startnotitie
expect_in '^gebruik: termijn undo MIJLPAAL -r\|--reason TEKST \[-p PLAN\]$' "the usage line in Dutch"
expect_exit 0 "LANG=nl_NL.UTF-8: help" -- env LANG=nl_NL.UTF-8 "$TERMIJN" help
expect_in '^gebruik: termijn \[-s SOCKET \| --server URL \[--cacert BESTAND\]\] \[--json\] WERKWOORD \[ARGUMENTEN\]$' \
    "help: the synopsis in Dutch"
expect_in '^  --cacert BESTAND  de CA-certificaten' "help: --cacert BESTAND"
expect_exit 0 "LANG=C: help done" -- env LANG=C "$TERMIJN" help done
expect_in '^usage: termijn done KEY \[-p PLAN\] \[-n\|--note TEXT\]' "help done in English keeps KEY and TEXT"

# termijnd's own note on what the plan says was done before it started, in Dutch too.
expect_exit 0 "LANG=nl_NL.UTF-8: show startnotitie" -- env LANG=nl_NL.UTF-8 "$TERMIJN" show startnotitie
expect_in '^  Notitie +afgerond voordat het plan begon$' "the plan's note in Dutch"
expect_in 'plan +vooraf afgerond +afgerond voordat het plan begon$' "and in its history, with the action in Dutch"
expect_not_in 'done before the plan started' "no English note in Dutch"
expect_exit 0 "LANG=C: show startnotitie" -- env LANG=C "$TERMIJN" show startnotitie
expect_in '^  Note +done before the plan started$' "the plan's note in English"

# The times of upcoming reminders name their zone; empty lists say what to do in words.
expect_exit 0 "LANG=nl_NL.UTF-8: reminders" -- env LANG=nl_NL.UTF-8 "$TERMIJN" reminders
expect_in '^WANNEER \(Europe/Amsterdam\) +SOORT +PLAN +MIJLPAAL' "reminders: WHEN names the plans' zone, in Dutch"
expect_in '^2013-12-17 08:30 +herinnering +bedrijfsvoering +collegebesluit@staphorst ' \
    "reminders: the kind of a reminder in Dutch"
expect_exit 0 "LANG=C: reminders" -- env LANG=C "$TERMIJN" reminders
expect_in '^WHEN \(Europe/Amsterdam\) +KIND +PLAN +KEY' "reminders: WHEN names the plans' zone"
expect_in '^2013-12-17 08:30 +lead +bedrijfsvoering +collegebesluit@staphorst ' \
    "reminders: the kind as the daemon names it, in English"
expect_exit 0 "LANG=nl_NL.UTF-8: log startnotitie" -- env LANG=nl_NL.UTF-8 "$TERMIJN" log startnotitie
expect_in '^2013-11-25 23:59 +plan +vooraf afgerond +startnotitie +afgerond voordat het plan begon$' \
    "log: the action in Dutch"
OUT=$(env LANG=nl_NL.UTF-8 "$TERMIJN" --json log startnotitie 2>&1)
expect_in '"action": "plan-done"' "--json in Dutch: the action stays plan-done"
expect_exit 0 "LANG=nl_NL.UTF-8: reminders pending, empty" -- env LANG=nl_NL.UTF-8 "$TERMIJN" reminders pending
expect_in '^geen herinneringen die in de wachtrij staan$' "an empty outbox view in a Dutch sentence"
expect_exit 0 "LANG=nl_NL.UTF-8: feeds list, empty" -- env LANG=nl_NL.UTF-8 "$TERMIJN" feeds
expect_in '^nog geen feeds; termijn feeds create --person ADRES maakt er een$' "no feeds: says how to make one"
expect_exit 0 "LANG=nl_NL.UTF-8: access list, empty" -- env LANG=nl_NL.UTF-8 "$TERMIJN" access
expect_in '^nog geen persoonlijke toegangssleutels; termijn access grant ADRES geeft er een$' \
    "no tokens: says how to give one"
expect_exit 2 "LANG=nl_NL.UTF-8: access grant without an address" -- env LANG=nl_NL.UTF-8 "$TERMIJN" access grant
expect_in '^termijn: access grant: aan wie\? geef het e-mailadres van de persoon$' "access grant asks to whom"

# people, whoami and access list: their headings and words are the client's, so Dutch too.
expect_exit 0 "LANG=nl_NL.UTF-8: people" -- env LANG=nl_NL.UTF-8 "$TERMIJN" people
expect_in '^ADRES +NAAM +PLAN +ROLLEN +OOK$' "people: the headings in Dutch"
expect_in 'coördinator van staphorst' "people: what a coordinator may do, in Dutch"
expect_not_in 'ADDRESS|coordinator of' "no English in people"
expect_exit 0 "LANG=nl_NL.UTF-8: whoami" -- env LANG=nl_NL.UTF-8 "$TERMIJN" whoami
expect_in '^  beheerder van termijnd en overrider: mag alles wijzigen$' "whoami: an operator, in Dutch"
expect_exit 0 "an operator grants a token" -- "$TERMIJN" access grant secretaris@staphorst.example
expect_exit 0 "LANG=nl_NL.UTF-8: access list" -- env LANG=nl_NL.UTF-8 "$TERMIJN" access list
expect_in '^NR +PERSOON +STAND +VERLOOPT \(Europe/Amsterdam\) +GEMAAKT \(Europe/Amsterdam\) +DOOR$' \
    "access list: the headings in Dutch, naming the zone of the times"
expect_in 'secretaris@staphorst.example +geldig ' "access list: the token's state in Dutch"
expect_exit 0 "LANG=C: access list" -- env LANG=C "$TERMIJN" access list
expect_in '^ID +PERSON +STATE +EXPIRES \(Europe/Amsterdam\) +CREATED \(Europe/Amsterdam\) +BY$' \
    "access list: the headings in English, naming the zone of the times"

# termijnd reads its catalogs itself: Accept-Language works without any locale on the server.
OUT=$(curl -s --unix-socket "$SOCK" -H 'Accept-Language: nl-NL,nl;q=0.9,en;q=0.8' \
    'http://localhost/api/v1/milestones?plan=bestaatniet')
expect_in '"error":"not-found"' "Accept-Language nl: the code stays not-found"
expect_in '"message":"geen plan bestaatniet"' "Accept-Language nl: the message is Dutch"
OUT=$(curl -s --unix-socket "$SOCK" -H 'Accept-Language: de, en;q=0.5' \
    'http://localhost/api/v1/milestones?plan=bestaatniet')
expect_in '"message":"no plan bestaatniet"' "Accept-Language de, en: English (no German catalog)"
OUT=$(curl -s --unix-socket "$SOCK" 'http://localhost/api/v1/milestones?plan=bestaatniet')
expect_in '"message":"no plan bestaatniet"' "no Accept-Language: English"
OUT=$(curl -s --unix-socket "$SOCK" -H 'Accept-Language: en;q=0.9, nl' \
    'http://localhost/api/v1/milestones?plan=bestaatniet')
expect_in '"message":"geen plan bestaatniet"' "Accept-Language: the higher q wins"

# Plan errors come from termijnd's parser, in the client's language; file:line stays as it is.
printf 'plan kapot\n  title Kapot\n  bogus x\n' > "$T/plans/kapot.plan"
expect_exit 1 "LANG=nl_NL.UTF-8: reload of a broken plan is refused (exit 1)" -- \
    env LANG=nl_NL.UTF-8 "$TERMIJN" reload
expect_in 'kapot\.plan:3: onbekend veld "bogus" in het plan' "the plan error in Dutch, with file:line"
expect_not_in 'unknown key' "no English in the Dutch plan error"
expect_exit 1 "LANG=C: reload of a broken plan is refused (exit 1)" -- env LANG=C "$TERMIJN" reload
expect_in 'kapot\.plan:3: unknown key "bogus" in plan' "the plan error in English, with the same file:line"
rm "$T/plans/kapot.plan"
# The plan directory's own errors (a plan twice, none at all) in the client's language too.
cp "$T/plans/bedrijfsvoering.plan" "$T/plans/zz-kopie.plan"
expect_exit 1 "LANG=nl_NL.UTF-8: reload with a plan in two files is refused" -- \
    env LANG=nl_NL.UTF-8 "$TERMIJN" reload
expect_in 'zz-kopie\.plan:1: plan bedrijfsvoering staat ook in .*/bedrijfsvoering\.plan' "a plan twice, in Dutch"
expect_not_in 'is also in' "no English in the Dutch answer"
rm "$T/plans/zz-kopie.plan"
mkdir "$T/aside" && mv "$T"/plans/*.plan "$T/aside/"
expect_exit 1 "LANG=nl_NL.UTF-8: reload of an empty plan directory is refused" -- \
    env LANG=nl_NL.UTF-8 "$TERMIJN" reload
expect_in 'plans: geen \*\.plan-bestanden' "no plans, in Dutch"
mv "$T"/aside/*.plan "$T/plans/"
expect_exit 0 "the plans back: reload works" -- "$TERMIJN" reload
OUT=$(cat "$T/daemon.log")
expect_in 'reload: .*kapot\.plan:3: unknown key "bogus" in plan' "the journal stays English"
expect_not_in 'onbekend veld' "no Dutch in the journal"

# evhttp's own answer to a request it cannot read, in the language of its headers.
OUT=$(printf 'GET /api/v1/status HTTP/1.1\r\nHost: x\r\nAccept-Language: nl\r\nContent-Length: 99999999\r\n\r\n' |
    curl -s --max-time 5 telnet://$(http_addr) 2>/dev/null)
expect_in 'het verzoek is te groot' "413 with Accept-Language nl: Dutch"

# Over HTTP, the answers given before the API's routes (no token, too many tries) too.
HTTP=$(http_addr)
OUT=$(curl -s -H 'Accept-Language: nl' "http://$HTTP/api/v1/whoami")
expect_in '"error": "unauthorized"' "HTTP without a token, Accept-Language nl: the code stays unauthorized"
expect_in '"message": "een geldige persoonlijke toegangssleutel is nodig' \
    "HTTP without a token, Accept-Language nl: the message is Dutch"
OUT=$(curl -s "http://$HTTP/api/v1/whoami")
expect_in '"message": "a valid personal access token is needed' \
    "HTTP without a token, no Accept-Language: English"
# Wrong tokens count towards the limit (no token at all does not: it guesses nothing).
for i in 1 2 3 4 5 6 7 8 9 10; do curl -s -o /dev/null -H "Authorization: Bearer wrong$i" "http://$HTTP/api/v1/whoami"; done
OUT=$(curl -s -H 'Accept-Language: nl' "http://$HTTP/api/v1/whoami")
expect_in '"error": "too-many"' "after 10 failures, Accept-Language nl: the code stays too-many"
expect_in '"message": "te veel mislukte pogingen vanaf 127.0.0.1' \
    "after 10 failures, Accept-Language nl: the message is Dutch"
OUT=$(env LANG=nl_NL.UTF-8 "$TERMIJN" --server "http://$HTTP" whoami 2>&1)
expect_in '^termijn: te veel mislukte pogingen' "the client, remote, says so in Dutch"

# A Dutch plan's feed gives termijnd's own note in Dutch too (the store keeps it in English).
expect_exit 0 "a plan feed" -- "$TERMIJN" feeds create --plan bedrijfsvoering
FURL=$(printf '%s\n' "$OUT" | grep -Eo 'http://[^ ]+\.ics' | head -1)
curl -s --max-time 10 -o "$T/plan.ics" "$FURL"
OUT=$(/usr/bin/python3 "$TOP/tests/e2e/feedcheck.py" event "$T/plan.ics" \
    startnotitie@bedrijfsvoering.termijn DESCRIPTION)
expect_in 'Notitie: afgerond voordat het plan begon' "the feed: the plan's note in Dutch"
expect_not_in 'done before the plan started' "the feed: no English note"

# The pages' refusals in the reader's language: Accept-Language, else the plans' (Dutch);
# a step missing from a view in the view's language, as its pages.
page() { OUT=$(curl -s -m 10 -w '\n%{http_code}' "$@"); }
page -H 'Accept-Language: nl' "http://$HTTP/view"
expect_in '^403$' "a view without its cookie: 403"
expect_in '<html lang="nl">' "Accept-Language nl: the 403 page is Dutch"
expect_in '<h1>Niet toegestaan</h1>' "its heading in Dutch"
expect_in 'Open de paginalink van een feed' "and its text"
page -H 'Accept-Language: en' "http://$HTTP/view"
expect_in '<html lang="en">' "Accept-Language en: the 403 page is English"
expect_in 'Open the page link of a feed' "and says so in English"
expect_not_in 'paginalink' "no Dutch on the English 403"
page "http://$HTTP/view/table"
expect_in 'Open de paginalink' "no Accept-Language: the 403 in the plans' Dutch"
page -H 'Accept-Language: en' "http://$HTTP/feed/bestaatniet.html"
expect_in '^404$' "an unknown page link: 404"
expect_in 'This page link is not known' "Accept-Language en: the 404 page is English"
page -H 'Accept-Language: nl-NL,nl;q=0.9' "http://$HTTP/feed/bestaatniet.html"
expect_in 'Deze paginalink is onbekend' "Accept-Language nl-NL: the 404 page is Dutch"
expect_not_in 'not known' "no English on the Dutch 404"
page -H 'Accept-Language: en' -X POST "http://$HTTP/view"
expect_in '^405$' "a POST to a view: 405"
expect_in 'Method not allowed' "Accept-Language en: the 405 page is English"
page -H 'Accept-Language: nl' -X POST "http://$HTTP/view"
expect_in 'Methode niet toegestaan' "Accept-Language nl: the 405 page is Dutch"
PAGE=${FURL%.ics}.html
curl -s -m 10 -c "$T/cookies" -b "$T/cookies" -L -o /dev/null "$PAGE" || not_ok "open the feed's page"
page -b "$T/cookies" -H 'Accept-Language: en' "http://$HTTP/view/step?plan=bedrijfsvoering&key=bestaatniet"
expect_in '^404$' "a step not in the view: 404"
expect_in '<html lang="nl">' "a step not in the Dutch plan's view: the 404 in its language"
expect_in 'Deze stap staat niet in deze weergave' "and says so in Dutch"

stop_daemon
finish
