#!/usr/bin/python3
"""syscalls.py UNIT TRACE: the system calls in an strace -f log that the unit's
SystemCallFilter= would refuse, and the socket families its RestrictAddressFamilies= would.

Prints one "denied: NAME" or "family: AF_X" line per offence and exits 1 if there is any.
EXCUSE (environment, blanks between) names calls not to count.
"""
import os
import re
import subprocess
import sys


def groups():
    out = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager"],
                         capture_output=True, text=True, check=True).stdout
    g, cur = {}, None
    for line in out.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("@") and not line[0].isspace():
            cur = g.setdefault(s, [])
        elif cur is not None:
            cur.append(s)
    return g


def expand(g, names):
    res = set()
    for n in names:
        if n.startswith("@"):
            res |= expand(g, g.get(n, []))
        else:
            res.add(n)
    return res


def main():
    unit, trace = sys.argv[1], sys.argv[2]
    allow, deny, families = set(), set(), None
    g = groups()
    for line in open(unit):
        line = line.strip()
        if line.startswith("SystemCallFilter="):
            v = line.split("=", 1)[1].split()
            if v and v[0].startswith("~"):
                deny |= expand(g, [v[0][1:]] + v[1:])
            else:
                allow |= expand(g, v)
        elif line.startswith("RestrictAddressFamilies="):
            families = set(line.split("=", 1)[1].split())
    allowed = (allow or expand(g, ["@known"])) - deny
    text = open(trace).read()
    used = set(re.findall(r"^\d+\s+([a-z0-9_]+)\(", text, re.M))
    excuse = set(os.environ.get("EXCUSE", "").split())
    bad = sorted(used - allowed - excuse)
    for n in bad:
        print("denied: " + n)
    fams = set(re.findall(r"^\d+\s+socket\((AF_[A-Z0-9]+)", text, re.M))
    # glibc's getaddrinfo asks netlink which address families are configured, and goes on
    # without when it may not: not an offence.
    badf = sorted(fams - (families or fams) - {"AF_NETLINK"})
    for f in badf:
        print("family: " + f)
    print("# %d system calls used, %d allowed by the unit" % (len(used), len(allowed)))
    sys.exit(1 if bad or badf else 0)


if __name__ == "__main__":
    main()
