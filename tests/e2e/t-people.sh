#!/bin/bash
# t-people.sh: people in the plans, least privilege on the socket, the person and channel in
# the audit log.
. "$(dirname "$0")/lib.sh"
C=$TERMIJN
setup_conf
start_daemon --clock-start '2013-12-17 10:00' --clock-speed 0 || exit 1

expect_exit 0 "termijn people" -- "$C" people
expect_in "griffie@zwartewaterland.example +Griffie Zwartewaterland +bedrijfsvoering +griffier \(Gemeente Zwartewaterland\)" \
    "people lists the griffier of Zwartewaterland by name, plan and role"
expect_in "secretaris@staphorst.example .*coordinator of staphorst" "a secretary coordinates their own party"
expect_exit 0 "termijn people --json" -- "$C" --json people -p sociaal-domein
expect_not_in '"plan": "bedrijfsvoering"' "-p keeps to one plan"
expect_exit 4 "people of an unknown plan" -- "$C" people -p nietbestaand

expect_exit 0 "whoami on the socket" -- "$C" whoami
expect_in "^root$" "whoami names the local user"
expect_in "channel: socket \(uid 0\)" "whoami names the channel"
expect_in "operator of termijnd" "whoami says root is an operator"

NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
expect_exit 1 "a local non-operator may not mark done" -- $NOBODY "$C" done raad@zwartewaterland
expect_in "nobody \(uid [0-9]+, not an operator of termijnd\) may not mark raad@zwartewaterland done" \
    "the refusal names the caller"
expect_in "can be marked done by the Griffier of Gemeente Zwartewaterland \(griffie@zwartewaterland.example\), a coordinator of Gemeente Zwartewaterland \(secretaris@zwartewaterland.example\)" \
    "the refusal names who may instead"
expect_exit 0 "whoami as nobody" -- $NOBODY "$C" whoami
expect_in "may read; changes need" "whoami tells a reader what they may"

expect_exit 0 "root marks a college decision done" -- "$C" done collegebesluit@staphorst
expect_exit 0 "termijn log" -- "$C" log
expect_in "root via socket \(uid 0\) +done +bedrijfsvoering +collegebesluit@staphorst" "the log shows the user and the channel"
expect_exit 0 "termijn log --json" -- "$C" --json log
expect_in '"channel": "socket"' "the log's JSON has the channel"

stop_daemon
finish
