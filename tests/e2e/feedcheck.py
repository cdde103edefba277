#!/usr/bin/python3
# feedcheck.py: independent checks of what termijnd's HTTP listener serves, for t-feeds.sh.
#
#   feedcheck.py lines FILE
#       RFC 5545 3.1: every line ends in CRLF and is at most 75 octets, and folding split no
#       UTF-8 character; prints how many lines and how many of them are continuations
#   feedcheck.py ics FILE [--uids FILE] [--calname TEXT]
#       parses FILE with Debian's python3-icalendar; every VEVENT has UID, SUMMARY, DTSTART,
#       DTSTAMP; no UID twice; with --uids the UIDs are exactly those in the file (one a
#       line). Exit 1 with the reasons.
#   feedcheck.py expect LISTJSON MODE ARG
#       the UIDs a feed must hold, from `termijn --json list` output: MODE person-of ROLE/PARTY
#       (owner ROLE and party PARTY or none), party PLAN/PARTY, plan PLAN
#   feedcheck.py event FILE UID PROPERTY
#       prints the property of one VEVENT (as text), nothing if it is not there
#   feedcheck.py events FILE
#       prints, per VEVENT, "UID<TAB>sha256 of its raw lines"; and "-head-" for the rest
#   feedcheck.py metrics FILE
#       Prometheus text format 0.0.4: every sample is `name{labels} value` with a float value,
#       every metric family has # HELP and # TYPE before its samples, histogram buckets are
#       cumulative and end with le="+Inf" equal to _count
#   feedcheck.py response HOST:PORT METHOD PATH [HEADER...]
#       one request on a raw socket with Connection: close; prints the whole answer with the
#       Date header taken out (to compare answers byte for byte); "BODY-BYTES n" last
#   feedcheck.py slow HOST:PORT MODE SECONDS
#       a slow client: one header byte a second (MODE first: of its first request; MODE
#       second: of a second request after a first one was answered); prints "closed N.N"
#       when the server closes the connection, or "open N.N" when it still holds it after
#       SECONDS
import hashlib
import json
import math
import re
import socket
import sys
import time


def read(path):
    with open(path, "rb") as f:
        return f.read()


def raw_lines(b):
    return b.split(b"\r\n")


def cmd_ics(args):
    path = args[0]
    want = calname = None
    i = 1
    while i < len(args):
        if args[i] == "--uids":
            want = [l.strip() for l in open(args[i + 1], encoding="utf-8") if l.strip()]
            i += 2
        elif args[i] == "--calname":
            calname = args[i + 1]
            i += 2
        else:
            sys.exit("ics: unknown option " + args[i])
    b = read(path)
    bad = []
    import icalendar
    try:
        cal = icalendar.Calendar.from_ical(b)
    except Exception as e:  # noqa: BLE001
        bad.append("python3-icalendar cannot parse it: %s" % e)
        cal = None
    uids = []
    if cal is not None:
        if cal.get("VERSION") != "2.0":
            bad.append("VERSION is not 2.0")
        if calname is not None and str(cal.get("X-WR-CALNAME")) != calname:
            bad.append("X-WR-CALNAME is %r, not %r" % (str(cal.get("X-WR-CALNAME")), calname))
        for ev in cal.walk("VEVENT"):
            for prop in ("UID", "SUMMARY", "DTSTART", "DTSTAMP"):
                if ev.get(prop) is None:
                    bad.append("a VEVENT without %s: %s" % (prop, ev.get("UID")))
            if ev.get("UID") is not None:
                uids.append(str(ev["UID"]))
            if ev.get("DTSTART") is not None:
                ev.decoded("DTSTART")  # a value it can read
        if len(set(uids)) != len(uids):
            bad.append("a UID twice: %s" % sorted(u for u in uids if uids.count(u) > 1))
        if want is not None and sorted(uids) != sorted(want):
            bad.append("UIDs differ: missing %s, unexpected %s" % (
                sorted(set(want) - set(uids)), sorted(set(uids) - set(want))))
    if bad:
        print("\n".join(bad))
        sys.exit(1)
    print("%d events" % len(uids))


def cmd_lines(args):
    b = read(args[0])
    bad = []
    if not b.endswith(b"\r\n"):
        bad.append("the body does not end in CRLF")
    if re.search(rb"(?<!\r)\n", b) or re.search(rb"\r(?!\n)", b):
        bad.append("a line break that is not CRLF")
    for n, line in enumerate(raw_lines(b)[:-1], 1):
        if len(line) > 75:
            bad.append("line %d is %d octets: %r" % (n, len(line), line[:90]))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append("line %d is not whole UTF-8 (a fold split a character?)" % n)
    if bad:
        print("\n".join(bad[:20]))
        sys.exit(1)
    lines = raw_lines(b)[:-1]
    print("%d lines, %d folded" % (len(lines), sum(1 for l in lines if l[:1] in (b" ", b"\t"))))


def cmd_expect(args):
    listing, mode, arg = args
    ms = json.load(open(listing, encoding="utf-8"))["milestones"]
    out = []
    for m in ms:
        if mode == "person-of":
            role, party = arg.split("/")
            hit = m["owner"] == role and m["party"] in (party, None)
        elif mode == "party":
            plan, party = arg.split("/")
            hit = m["plan"] == plan and m["party"] in (party, None)
        elif mode == "plan":
            hit = m["plan"] == arg
        else:
            sys.exit("expect: unknown mode " + mode)
        if hit:
            out.append("%s@%s.termijn" % (m["key"], m["plan"]))
    print("\n".join(sorted(out)))


def unfold_events(b):
    """The VEVENTs' raw bytes by UID, and the rest of the calendar."""
    events, head, cur = {}, [], None
    for line in raw_lines(b):
        if line == b"BEGIN:VEVENT":
            cur = [line]
        elif cur is not None:
            cur.append(line)
            if line == b"END:VEVENT":
                text = b"\r\n".join(cur)
                unfolded = re.sub(rb"\r\n[ \t]", b"", text)
                m = re.search(rb"^UID:(.*)$", unfolded, re.M)
                events[m.group(1).decode() if m else "?"] = text
                cur = None
        else:
            head.append(line)
    return events, b"\r\n".join(head)


def cmd_event(args):
    path, uid, prop = args
    import icalendar
    cal = icalendar.Calendar.from_ical(read(path))
    for ev in cal.walk("VEVENT"):
        if str(ev.get("UID")) == uid:
            v = ev.get(prop)
            if v is not None:
                print(v.to_ical().decode() if hasattr(v, "to_ical") else str(v))
            return


def cmd_events(args):
    events, head = unfold_events(read(args[0]))
    print("-head-\t" + hashlib.sha256(head).hexdigest())
    for uid in sorted(events):
        print("%s\t%s" % (uid, hashlib.sha256(events[uid]).hexdigest()))


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?[0-9]+)?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')


def labels_of(s):
    out, pos = {}, 0
    while pos < len(s):
        m = LABEL.match(s, pos)
        if not m:
            raise ValueError("bad labels {%s}" % s)
        out[m.group(1)] = m.group(2)
        pos = m.end()
    return out


def cmd_metrics(args):
    text = read(args[0]).decode("utf-8")
    bad = []
    helps, types, seen_families = {}, {}, set()
    hist = {}   # family -> {labels-without-le: [(le, value)], "_count": ...}
    counts, sums = {}, {}
    if not text.endswith("\n"):
        bad.append("the text does not end in a line break")
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line == "":
            continue
        if line.startswith("#"):
            m = re.match(r"^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$", line)
            if not m:
                continue    # a plain comment
            kind, name, rest = m.groups()
            if name in seen_families:
                bad.append("line %d: %s for %s after its samples" % (n, kind, name))
            if kind == "HELP":
                helps[name] = rest
            else:
                if rest not in ("counter", "gauge", "histogram", "summary", "untyped"):
                    bad.append("line %d: unknown type %s" % (n, rest))
                types[name] = rest
            continue
        m = SAMPLE.match(line)
        if not m:
            bad.append("line %d is not `name{labels} value`: %r" % (n, line))
            continue
        name, _, lab, value = m.group(1), m.group(2), m.group(3), m.group(4)
        try:
            v = float(value)
        except ValueError:
            bad.append("line %d: value %r is not a float" % (n, value))
            continue
        try:
            labels = labels_of(lab or "")
        except ValueError as e:
            bad.append("line %d: %s" % (n, e))
            continue
        family = name
        for suffix in ("_bucket", "_count", "_sum"):
            base = name[:-len(suffix)] if name.endswith(suffix) else None
            if base and types.get(base) in ("histogram", "summary"):
                family = base
        if family not in helps or family not in types:
            bad.append("line %d: %s has no # HELP and # TYPE before it" % (n, family))
        seen_families.add(family)
        if types.get(family) == "counter" and (v < 0 or math.isnan(v)):
            bad.append("line %d: a counter below zero" % n)
        if types.get(family) == "histogram":
            key = (family, tuple(sorted((k, x) for k, x in labels.items() if k != "le")))
            if name.endswith("_bucket"):
                if "le" not in labels:
                    bad.append("line %d: a bucket without le" % n)
                    continue
                hist.setdefault(key, []).append((float(labels["le"]), v))
            elif name.endswith("_count"):
                counts[key] = v
            elif name.endswith("_sum"):
                sums[key] = v
    for key, buckets in hist.items():
        les = [b[0] for b in buckets]
        if les != sorted(les):
            bad.append("%s: buckets not in increasing le" % key[0])
        if not les or not math.isinf(les[-1]):
            bad.append('%s: the last bucket is not le="+Inf"' % key[0])
        vals = [b[1] for b in buckets]
        if any(b > a for b, a in zip(vals, vals[1:])):
            bad.append("%s: buckets are not cumulative: %s" % (key[0], vals))
        if key not in counts:
            bad.append("%s: no _count" % key[0])
        elif vals and vals[-1] != counts[key]:
            bad.append('%s: le="+Inf" is %g, _count %g' % (key[0], vals[-1], counts[key]))
        if key not in sums:
            bad.append("%s: no _sum" % key[0])
    if not seen_families:
        bad.append("no samples at all")
    if bad:
        print("\n".join(bad))
        sys.exit(1)
    print("%d metric families, %d histograms" % (len(seen_families), len(hist)))


def hostport(s):
    host, port = s.rsplit(":", 1)
    return host.strip("[]"), int(port)


def cmd_response(args):
    addr, method, path = args[:3]
    req = "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n" % (method, path, addr)
    for h in args[3:]:
        req += h + "\r\n"
    s = socket.create_connection(hostport(addr), timeout=10)
    s.sendall((req + "\r\n").encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    head = b"\r\n".join(l for l in head.split(b"\r\n") if not l.lower().startswith(b"date:"))
    sys.stdout.buffer.write(head + b"\r\n\r\n" + body + b"\nBODY-BYTES %d\n" % len(body))


def cmd_slow(args):
    addr, mode, limit = args[0], args[1], float(args[2])
    s = socket.create_connection(hostport(addr), timeout=5)
    t0 = time.monotonic()
    if mode == "second":
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    s.settimeout(1.0)
    i = 0
    while time.monotonic() - t0 < limit:
        try:
            s.send(data[i:i + 1])
            i += 1
        except OSError:
            print("closed %.1f" % (time.monotonic() - t0))
            return
        try:
            r = s.recv(4096)
            if r == b"":
                print("closed %.1f" % (time.monotonic() - t0))
                return
        except socket.timeout:
            pass
        except OSError:
            print("closed %.1f" % (time.monotonic() - t0))
            return
    print("open %.1f" % (time.monotonic() - t0))


def main():
    cmds = {"lines": cmd_lines, "ics": cmd_ics, "expect": cmd_expect, "event": cmd_event, "events": cmd_events,
            "metrics": cmd_metrics, "response": cmd_response, "slow": cmd_slow}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit("usage: feedcheck.py %s ..." % "|".join(cmds))
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
