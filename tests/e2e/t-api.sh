#!/bin/bash
# t-api.sh: the API answers bad requests with a 4xx and a JSON error, and changes nothing.
. "$(dirname "$0")/lib.sh"
setup_conf
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1

# req METHOD PATH [BODY]: $OUT is "STATUS BODY".
req() {
	if [ $# -ge 3 ]; then
		OUT=$(curl -s --unix-socket "$SOCK" -X "$1" -H 'Content-Type: application/json' \
		    --data-binary "$3" -w ' %{http_code}' "http://localhost$2" | tr '\n' ' ' | sed 's/  */ /g')
	else
		OUT=$(curl -s --unix-socket "$SOCK" -X "$1" -w ' %{http_code}' "http://localhost$2" | tr '\n' ' ' | sed 's/  */ /g')
	fi
}

snapshot() { sqlite3 "$T/state/termijn.db" "SELECT count(*) FROM audit; SELECT group_concat(key||status) FROM state"; }
before=$(snapshot)

req POST /api/v1/done '{"key": "collegebesluit@staphorst"'
expect_in '"error":"bad-request".* 400$' "truncated JSON: 400 with a JSON error"
req POST /api/v1/done '["collegebesluit@staphorst"]'
expect_in 'JSON object.* 400$' "an array instead of an object: 400"
req POST /api/v1/done '{"key": 42}'
expect_in 'key must be a string.* 400$' "a number for a key: 400"
req POST /api/v1/done '{"key": "collegebesluit@staphorst", "override": "yes"}'
expect_in 'override.* 400$' "a string for override: 400"
req POST /api/v1/done '{"key": "collegebesluit@staphorst", "key": "x"}'
expect_in ' 400$' "duplicate keys in the object: 400"
req POST /api/v1/done ''
expect_in ' 400$' "an empty body: 400"
req POST /api/v1/done '{"key": "collegebesluit@staphorst", "at": "gisteren"}'
expect_in 'at:.* 400$' "a bad time: 400"
req POST /api/v1/done '{"key": "collegebesluit@staphorst", "note": "a\u0000b"}'
expect_in ' 400$' "a NUL in a note: 400"
big=$(head -c 70000 /dev/zero | tr '\0' 'a')
req POST /api/v1/done "{\"key\": \"collegebesluit@staphorst\", \"note\": \"$big\"}"
expect_in ' 413$' "a body over 64 KiB: 413"
req POST /api/v1/undo '{"key": "collegebesluit@staphorst"}'
expect_in 'reason.* 400$' "undo without a reason: 400"
req POST /api/v1/add '{"plan": "bedrijfsvoering", "id": "x", "title": "A\r\nBcc: evil@example.org", "owner": "secretaris", "due": "2014-02-01"}'
expect_in 'title.* 400$' "a title with CR LF (header injection): 400"
req POST /api/v1/add '{"plan": "bedrijfsvoering", "id": "Bad Id", "title": "A", "owner": "secretaris", "due": "2014-02-01"}'
expect_in 'id:.* 400$' "a bad id: 400"
req POST /api/v1/add '{"plan": "bedrijfsvoering", "id": "lus", "title": "A", "owner": "secretaris", "due": "2014-02-01", "requires": ["lus"]}'
expect_in 'requires itself.* 400$' "a milestone that requires itself: 400"
req POST /api/v1/add '{"plan": "bedrijfsvoering", "id": "te-vroeg", "title": "A", "owner": "secretaris", "due": "2013-12-18", "requires": ["personeel@all"]}'
expect_in 'cannot start before.* 400$' "timing that cannot work: 400"
req POST /api/v1/add '{"plan": "bestaatniet", "id": "x", "title": "A", "owner": "secretaris", "due": "2014-02-01"}'
expect_in ' 404$' "add to an unknown plan: 404"
req GET '/api/v1/milestones?state=bogus'
expect_in ' 400$' "an unknown state filter: 400"
req GET '/api/v1/log?limit=-1'
expect_in ' 400$' "a bad limit: 400"
req GET /api/v1/nope
expect_in '"error":"not-found".* 404$' "an unknown path: 404 with a JSON error"
req PUT /api/v1/done '{}'
expect_in ' 405$' "PUT is not allowed"

after=$(snapshot)
if [ "$before" = "$after" ]; then ok "none of the bad requests changed anything"; else
	not_ok "bad requests changed the database"; fi

req GET '/api/v1/milestones?plan=bedrijfsvoering&party=zwartewaterland&state=blocked'
expect_in '"key":"personeel@zwartewaterland"' "filters by plan, party and state"
expect_not_in '"party":"staphorst"' "the party filter holds"
req POST /api/v1/done '{"key": "collegebesluit@staphorst", "at": "2013-12-16 08:15", "note": "Ñandú ‘ok’"}'
expect_in '"at_local":"2013-12-16 08:15".* 200$' "done with a local --at time"
expect_in 'Ñandú ‘ok’' "a UTF-8 note comes back as it was"

stop_daemon
finish
