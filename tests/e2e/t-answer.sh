#!/bin/bash
# t-answer.sh: the answer of a change (written as text, not through the tree GET /milestone
# uses) shows each instance as GET /milestone does: generated plans and the shipped ones.
. "$(dirname "$0")/lib.sh"
setup_conf
"$TOP/tests/plans/generate.sh" national plans 640 "$T/plans" >/dev/null
# What a change makes ready in another plan: now, and once its window opens.
cat >"$T/plans/xa.plan" <<'EOP'
plan xa
  title Spoor A

role secretaris
  address sec@x.example

milestone start
  title A begint
  owner secretaris
  due 2014-01-10
EOP
cat >"$T/plans/xb.plan" <<'EOP'
plan xb
  title Spoor B

role secretaris
  address sec@x.example

milestone volgt
  title B volgt
  owner secretaris
  due 2014-01-20
  requires xa:start

milestone venster
  title B venster
  owner secretaris
  window 2014-01-13 .. 2014-01-31
  requires xa:start
EOP
echo '{"plan": "xa", "key": "start"}' >>"$T/keys"
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 || exit 1

# The answer of a change is written as text, not through the tree GET /milestone uses: each
# instance in it (and what it made ready) has the same fields, in the same order, as GET
# /milestone gives for it (its first ones; "ref" and "ready_at" come after).
OUT=$(/usr/bin/python3 - "$TOP/tests/e2e" "$SOCK" "$T/keys" <<'PY' 2>&1
import json, sys, urllib.parse
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv.pop(1))
from unixhttp import Connection
c = Connection(sys.argv[1])
def call(method, path, body=None):
    c.request(method, path, body=json.dumps(body) if body else None,
              headers={"Content-Type": "application/json"} if body else {})
    r = c.getresponse()
    return r.status, json.loads(r.read(), object_pairs_hook=list)
keys, q = [tuple(json.loads(l).values()) for l in open(sys.argv[2])], ""
while True:
    st, page = call("GET", "/api/v1/milestones" + q)
    page = dict(page)
    keys += [(dict(i)["plan"], dict(i)["key"]) for i in page["milestones"]]
    if page.get("next") is None:
        break
    q = "?cursor=" + urllib.parse.quote(page["next"], safe="")
compared = later = refs = 0
for plan, key in keys * 3:
    st, ans = call("POST", "/api/v1/done", {"plan": plan, "key": key})
    if st != 200:
        continue
    ans = dict(ans)
    for x, ready_later in [(ans["instance"], 0)] + [(i, 0) for i in ans["ready"]] + \
            [(i, 1) for i in ans["ready_later"]]:
        d = dict(x)
        st, g = call("GET", "/api/v1/milestone?" + urllib.parse.urlencode(
            {"plan": d["plan"], "key": d["key"]}))
        own = [kv for kv in x if kv[0] not in ("ref", "ready_at", "ready_at_local")]
        if g[:len(own)] != own:
            print("differs: %s/%s\n  change: %s\n  GET:    %s" % (d["plan"], d["key"], own,
                  g[:len(own)]))
            sys.exit(1)
        if ready_later and "ready_at" not in d:
            print("no ready_at in ready_later: %s" % d["key"])
            sys.exit(1)
        compared += 1
        later += ready_later
        refs += "ref" in d
print("compared %d instances, %d ready later, %d in other plans" % (compared, later, refs))
PY
)
expect_in '^compared [1-9][0-9]* instances, [1-9][0-9]* ready later, [1-9][0-9]* in other plans$' \
    "a change's answer shows each instance as GET /milestone does"

stop_daemon
finish
