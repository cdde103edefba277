#!/usr/bin/env python3
"""hold.py: hostile peers for the fault tests: many idle connections, or slowloris.

hold.py [--trickle] [--post-first PATH] ADDRESS N SECONDS READY_FILE
ADDRESS is HOST:PORT (TCP) or a unix socket path. Opens N connections (fewer if the
system refuses more), writes how many to READY_FILE, holds them SECONDS, then closes.
--trickle: send a request line and then one header byte a second on each (slowloris).
--post-first PATH BODY: a first connection, kept alive and shown to work with a GET, then
the N; then "POST PATH" with BODY on the first, its answer written to READY_FILE.answer.
"""
import socket
import sys
import time

args = sys.argv[1:]
trickle = "--trickle" in args
if trickle:
    args.remove("--trickle")
post = None
if "--post-first" in args:
    i = args.index("--post-first")
    post = args[i + 1]
    body = args[i + 2]
    del args[i:i + 3]
addr, n, secs, ready = args[0], int(args[1]), float(args[2]), args[3]


def dial():
    if addr.startswith("/") or addr.startswith("."):
        s = socket.socket(socket.AF_UNIX)
        s.connect(addr)
    else:
        host, port = addr.rsplit(":", 1)
        s = socket.create_connection((host, int(port)), timeout=5)
    return s


def answer(s):
    s.settimeout(5)
    out = b""
    try:
        while b"\r\n\r\n" not in out or not out.rstrip().endswith(b"}"):
            c = s.recv(65536)
            if not c:
                break
            out += c
    except OSError:
        pass
    return out


conns = []
if post is not None:
    first = dial()
    first.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
    answer(first)
for _ in range(n):
    try:
        s = dial()
        if trickle:
            s.sendall(b"GET /feed/")
        conns.append(s)
    except OSError:
        break
with open(ready, "w") as f:
    f.write("%d\n" % len(conns))
if post is not None:
    time.sleep(0.5)
    b = body.encode()
    first.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (post.encode(), len(b), b))
    with open(ready + ".answer", "wb") as f:
        f.write(answer(first))
end = time.time() + secs
while time.time() < end:
    time.sleep(1)
    if trickle:
        for s in conns:
            try:
                s.sendall(b"a")
            except OSError:
                pass
for s in conns:
    s.close()
