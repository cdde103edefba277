#!/usr/bin/python3
# fastdone.py SOCKET HTTP MODE: the control socket's fast path for `done` (control.c,
# donewire.c) answers with the bytes evhttp answers with. Each request is sent whole in one
# write (the fast path's) and again in two writes a moment apart (the head first: evhttp's),
# and the two answers compared but for their Date; termijn_api_fast_total on /metrics (of
# the HTTP listener HTTP) says which path took which. MODE "nobody": only what a caller
# who may not act gets. Prints "ok - " / "not ok - " lines; exit 1 on a failure.
import re, socket, sys, threading, time, urllib.request

sock, http, mode = sys.argv[1], sys.argv[2], sys.argv[3]
failed = 0


def check(cond, what):
    global failed
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failed = 1


def conn():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(20)
    s.connect(sock)
    return s


def read_answer(s, buf=b""):
    """One answer off s: (its bytes, what was read after it)."""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            return buf, b""
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    m = re.search(rb"\r\nContent-Length: (\d+)", head)
    n = int(m.group(1)) if m else 0
    while len(rest) < n:
        d = s.recv(65536)
        if not d:
            break
        rest += d
    return head + b"\r\n\r\n" + rest[:n], rest[n:]


def request(body, headers=b"", target=b"/api/v1/done"):
    if isinstance(body, str):
        body = body.encode()
    return (b"POST " + target + b" HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\n" + headers +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def post(body, headers=b"", split=False, target=b"/api/v1/done"):
    r = request(body, headers, target)
    s = conn()
    if split:
        head = r.index(b"\r\n\r\n") + 4
        s.sendall(r[:head])
        time.sleep(0.05)
        s.sendall(r[head:])
    else:
        s.sendall(r)
    a, _ = read_answer(s)
    s.close()
    return a


def undated(a):
    return re.sub(rb"\r\nDate: [^\r]*\r\n", b"\r\nDate: -\r\n", a)


def fast():
    with urllib.request.urlopen("http://%s/metrics" % http, timeout=10) as r:
        m = re.search(rb"^termijn_api_fast_total (\d+)$", r.read(), re.M)
    return int(m.group(1))


def code_of(a):
    return int(a.split(b" ", 2)[1]) if a.startswith(b"HTTP/1.1 ") else 0


def same(body, what, code, headers=b""):
    """body answered alike by the fast path and by evhttp, with HTTP code."""
    f0 = fast()
    a = post(body, headers)
    f1 = fast()
    b = post(body, headers, split=True)
    f2 = fast()
    check(f1 - f0 == 1 and f2 == f1, "%s: once by the fast path, once by evhttp (%d, %d)"
          % (what, f1 - f0, f2 - f1))
    check(undated(a) == undated(b), what + ": the same bytes from both")
    if undated(a) != undated(b):
        print("    fast:   %r\n    evhttp: %r" % (a[:800], b[:800]))
    check(code_of(a) == code, "%s: HTTP %d (%d)" % (what, code, code_of(a)))
    return a


def not_fast(req, what, code, expect=None):
    """req (bytes, one write) left to evhttp: answered with code (and expect in it)."""
    f0 = fast()
    s = conn()
    s.sendall(req)
    a, _ = read_answer(s)
    s.close()
    check(fast() == f0, what + ": left to evhttp")
    check(code_of(a) == code, "%s: HTTP %d (%d)" % (what, code, code_of(a)))
    if expect is not None:
        check(expect in a, "%s: %r in the answer" % (what, expect))
        if expect not in a:
            print("    %r" % a[:400])


if mode == "nobody":
    same('{"key": "uitnodiging"}', "a done by a caller who may not", 403)
    sys.exit(failed)

# A done: fast, then undone, then the same done by evhttp: the same answer (the clock stands).
f0 = fast()
a = post('{"key": "uitnodiging", "note": "fast"}')
check(fast() - f0 == 1 and code_of(a) == 200, "a done by the fast path: 200")
u = post('{"key": "uitnodiging", "reason": "again"}', target=b"/api/v1/undo")
check(code_of(u) == 200, "undone by evhttp: 200")
b = post('{"key": "uitnodiging", "note": "fast"}', split=True)
check(undated(a) == undated(b) and b'"note":"fast"' in a,
      "the same done by evhttp: the same bytes")
if undated(a) != undated(b):
    print("    fast:   %r\n    evhttp: %r" % (a[:800], b[:800]))

same('{"key": "collegebesluit@staphorst"}', "prerequisites not met", 409)
same('{"key": "startnotitie"}', "already done", 409)
same('{"key": "nope"}', "no such milestone", 404)
same('{"plan": "nope", "key": "x"}', "no such plan", 404)
same('{"key": "werkgroep-opbrengst", "at": "yesterday"}', "a bad at", 400)
same('{"key": "werkgroep-opbrengst", "at": "2099-01-01 09:00"}', "at in the future", 400)
same(' {\t"key" :"nope" ,"note":null, "override" : false,"plan":null}\r\n', "spaces and nulls",
     404)
same('{"key": "collegebesluit@staphorst", "override": true}', "an override without reason",
     400)
same('{"key": "nope"}', "in Dutch", 404, b"Accept-Language: nl\r\n")
same('{"key": "nope"}', "with the headers curl sends", 404,
     b"User-Agent: curl/7.88.1\r\nAccept: */*\r\nConnection: keep-alive\r\n")

# What the fast path leaves to evhttp: answered as always.
not_fast(request('{"key": "nope"'), "malformed JSON", 400, b"bad JSON")
not_fast(request('{"key": "nope", "x": 1}'), "an unknown field", 400, b'unknown field \\"x\\"')
not_fast(request('{"key": "nope", "key": "x"}'), "a field twice", 400, b"bad JSON")
not_fast(request('{"key": 5}'), "a key that is no string", 400, b"key must be a string")
not_fast(request('{"note": "x"}'), "no key", 400, b"key is required")
not_fast(request('{"key": ""}'), "an empty key", 400, b"key is required")
not_fast(request('{"key": "nop\\u0065"}'), "an escape", 404, b"no milestone nope")
not_fast(request('{"key": "n\xc3\xb6pe"}'.encode("latin-1")), "UTF-8", 404,
         "no milestone n\u00f6pe".encode())
not_fast(request('[]'), "no object", 400, b"must be a JSON object")
not_fast(request('{"key": "nope", "note": "a\tb"}'), "a control character", 400, b"bad JSON")
not_fast(request('{"key": "nope"}', target=b"/api/v1/done?x=1"), "a query", 404)
not_fast(request('{"key": "nope"}', b"Connection: close\r\n"), "Connection: close", 404,
         b"Connection: close")
not_fast(request('{"key": "nope", "note": "%s"}' % ("x" * 3000)), "a long body", 404)
not_fast(request("{" + " " * 70000 + '"key": "nope"}'), "a body over 64 KiB", 413,
         b"too-large")
not_fast(request('{"key": "nope"}').replace(b"POST", b"PUT"), "PUT", 405)
not_fast(request('{"key": "nope"}', b"X-Other: 1\r\n"), "another header", 404)
not_fast(request('{"key": "nope"}').replace(b"\r\nHost", b"\nHost"), "a bare LF", 404)

# Pipelined: fast, fast, evhttp's, then fast again once evhttp is done; answers in order.
s = conn()
f0 = fast()
s.sendall(request('{"key": "werkgroep-opbrengst"}') + request('{"key": "nope"}') +
          b"GET /api/v1/whoami HTTP/1.1\r\nHost: x\r\n\r\n")
a1, rest = read_answer(s)
a2, rest = read_answer(s, rest)
a3, rest = read_answer(s, rest)
s.sendall(request('{"key": "nope"}'))
a4, rest = read_answer(s, rest)
s.close()
check([code_of(x) for x in (a1, a2, a3, a4)] == [200, 404, 200, 404] and
      b'"instance"' in a1 and b"no milestone" in a2 and b'"name"' in a3 and
      b"no milestone" in a4, "pipelined: the answers in order")
check(fast() - f0 == 3, "pipelined: the dones by the fast path (%d of 3)" % (fast() - f0))

# Many pipelined, read slowly: answers past the socket's buffer go out as it drains.
N = 3000
s = conn()
f0 = fast()
reqs = b"".join(request('{"key": "nope%d"}' % i) for i in range(N))
t = threading.Thread(target=s.sendall, args=(reqs,))
t.start()
time.sleep(0.5)
rest, codes, inorder = b"", [], True
for i in range(N):
    a, rest = read_answer(s, rest)
    codes.append(code_of(a))
    inorder = inorder and (b"no milestone nope%d\"" % i) in a
t.join()
s.close()
check(codes == [404] * N and inorder, "%d pipelined, read late: all answered, in order" % N)
# A request cut by the end of a read goes to evhttp, and the rest of the connection with it.
check(fast() - f0 >= 1, "%d pipelined: the first by the fast path (%d in all)" % (N, fast() - f0))

# A peer that hangs up while its answer waits for the disk: the change is kept.
a = post('{"key": "uitnodiging", "reason": "once more"}', target=b"/api/v1/undo")
s = conn()
s.sendall(request('{"key": "uitnodiging"}'))
s.close()
time.sleep(0.5)
a = post('{"key": "uitnodiging"}')
check(code_of(a) == 409 and b"already done" in a, "a done whose peer hung up is kept")
sys.exit(failed)
