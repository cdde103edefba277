# fastfeed.py HOST:PORT FEEDPATH BIGPATH [CMD...]: the feed listener's fast path answers byte
# for byte as evhttp does. Each request is sent as a client sends it (the fast path's) and
# again with a query string, which the fast path leaves to evhttp and the feed handler
# ignores; the answers must be the same bytes but for the Date's value, and
# termijn_feed_fast_total must count the ones the fast path answered. CMD, if given, changes
# the big feed's plan: run while answers of it are held half sent, and while one lies whole
# in the socket buffers unread; each "{}" in it is a milestone, m0001, m0002 and so on.
# Prints "ok - ..." and "not ok - ..." lines.
import fcntl
import re
import struct
import termios
import socket
import subprocess
import sys
import time

HOST, PORT = sys.argv[1].rsplit(":", 1)
FEED, BIG, CMD = sys.argv[2], sys.argv[3], sys.argv[4:]
DATE = re.compile(rb"\r\nDate: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r\n")
fails = 0


def say(good, what):
    global fails
    print(("ok - " if good else "not ok - ") + what)
    if not good:
        fails += 1


def connect(rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(20)
    s.connect((HOST, int(PORT)))
    return s


class Reader:
    def __init__(self, s):
        self.s, self.buf = s, b""

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError
        self.buf += d

    def answer(self, head_request):
        """One answer: its head and body (none for HEAD, 304, and by Content-Length)."""
        while b"\r\n\r\n" not in self.buf:
            self.fill()
        i = self.buf.index(b"\r\n\r\n") + 4
        head, self.buf = self.buf[:i], self.buf[i:]
        m = re.search(rb"\r\nContent-Length: (\d+)\r\n", head)
        n = int(m.group(1)) if m and not head_request and b" 304 " not in head[:20] else 0
        while len(self.buf) < n:
            self.fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return head + body

    def closed(self):
        try:
            self.fill()
        except (EOFError, ConnectionResetError):
            return True
        return False


def request(method, target, headers=(), version="HTTP/1.1"):
    lines = ["%s %s %s" % (method, target, version), "Host: %s:%s" % (HOST, PORT)]
    lines += list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def norm(answer):
    """The Date's value out, once it is as evhttp writes it."""
    if b"\r\nDate: " not in answer:
        return answer
    return DATE.sub(b"\r\nDate: -\r\n", answer, count=1)


def once(method, target, headers=(), version="HTTP/1.1"):
    s = connect()
    s.sendall(request(method, target, headers, version))
    a = Reader(s).answer(method == "HEAD")
    s.close()
    return a


def counter(name):
    m = re.search(rb"\n" + name.encode() + rb" (\d+)\n", once("GET", "/metrics"))
    return int(m.group(1)) if m else -1


def fast_total():
    return counter("termijn_feed_fast_total")


changes = 0


def change():
    """The big feed's plan changed (CMD, the next milestone done)."""
    global changes
    changes += 1
    cmd = [a.replace("{}", "m%04d" % changes) for a in CMD]
    return subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode == 0


def same(what, method, path, headers=(), version="HTTP/1.1", code=None, isfast=True):
    """The fast form (fast or not, as isfast says) and evhttp's (a query string) alike."""
    n0 = fast_total()
    a = once(method, path, headers, version)
    n1 = fast_total()
    b = once(method, path + "?evhttp", headers, version)
    n2 = fast_total()
    say(n1 - n0 == (1 if isfast else 0) and n2 == n1, "%s: %s" % (what, "the fast path's"
        if isfast else "left to evhttp"))
    # evhttp dates its HTTP/1.1 answers only.
    good = norm(a) == norm(b) and (DATE.search(a) is not None) == (version == "HTTP/1.1")
    if code is not None:
        good = good and a.startswith(("%s %d " % (version, code)).encode())
    say(good, "%s: the same bytes as evhttp's (%s)" % (what, a.split(b"\r\n", 1)[0].decode()))
    if not good:
        print("    fast:   %r" % a[:600])
        print("    evhttp: %r" % b[:600])
    return a


def header(answer, name):
    m = re.search(rb"\r\n" + name.encode() + rb": ([^\r]*)\r\n", answer)
    return m.group(1).decode() if m else None


# The gzip bytes are made on the first request that wants them (evhttp's, a job).
once("GET", FEED + "?warm", ["Accept-Encoding: gzip"])
plain = same("GET", "GET", FEED, code=200)
gz = same("GET gzip", "GET", FEED, ["Accept-Encoding: gzip, deflate"], code=200)
say(header(gz, "Content-Encoding") == "gzip" and header(plain, "Content-Encoding") is None,
    "gzip only when asked for")
same("GET without .ics", "GET", FEED[:-4], code=200)
same("HEAD", "HEAD", FEED, code=200)
same("HEAD gzip", "HEAD", FEED, ["Accept-Encoding: gzip"], code=200)
same("gzip;q=0 is plain", "GET", FEED, ["Accept-Encoding: gzip;q=0, identity"], code=200)
etag, etag_gz = header(plain, "ETag"), header(gz, "ETag")
lastmod = header(plain, "Last-Modified")
same("If-None-Match", "GET", FEED, ["If-None-Match: " + etag], code=304)
same("If-None-Match of the gzip bytes", "GET", FEED,
     ["If-None-Match: " + etag_gz, "Accept-Encoding: gzip"], code=304)
same("weak If-None-Match in a list", "GET", FEED, ['If-None-Match: "x", W/' + etag], code=304)
same("If-None-Match of other bytes", "GET", FEED, ['If-None-Match: "other"'], code=200)
same("the plain ETag asked with gzip", "GET", FEED,
     ["If-None-Match: " + etag, "Accept-Encoding: gzip"], code=200)
same("empty If-None-Match", "GET", FEED, ["If-None-Match:"], code=200)
same("If-Modified-Since", "GET", FEED, ["If-Modified-Since: " + lastmod], code=304)
same("If-Modified-Since before", "GET", FEED,
     ["If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"], code=200)
same("If-None-Match over If-Modified-Since", "GET", FEED,
     ['If-None-Match: "other"', "If-Modified-Since: " + lastmod], code=200)
same("HEAD If-None-Match", "HEAD", FEED, ["If-None-Match: " + etag], code=304)
same("Connection: keep-alive", "GET", FEED, ["Connection: keep-alive"], code=200)
# What the fast path leaves to evhttp answers as before.
same("a token of no feed", "GET", "/feed/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics", code=404,
     isfast=False)
same("a malformed token", "GET", "/feed/short.ics", code=404, isfast=False)
same("HTTP/1.0", "GET", FEED, version="HTTP/1.0", code=200, isfast=False)
same("HTTP/1.0 keep-alive", "GET", FEED, ["Connection: keep-alive"], version="HTTP/1.0",
     code=200, isfast=False)
same("Connection: close", "GET", FEED, ["Connection: close"], code=200, isfast=False)
same("POST", "POST", FEED, ["Content-Length: 0"], code=405, isfast=False)

# One connection, fast and evhttp's requests in turn, pipelined: every answer in order.
s = connect()
r = Reader(s)
seq = [("GET", FEED, []), ("GET", FEED + "?x", []), ("HEAD", FEED, []),
       ("GET", "/feed/nope", []), ("GET", FEED, ["Accept-Encoding: gzip"]),
       ("GET", FEED, ["If-None-Match: " + etag])]
want = [norm(once(m, t + ("?evhttp" if "?" not in t else ""), h)) for m, t, h in seq]
for m, t, h in seq:
    s.sendall(request(m, t, h))
got = [norm(r.answer(m == "HEAD")) for m, t, h in seq]
say(got == want, "six pipelined requests, fast and evhttp's in turn, answered in order")
# Then one at a time on the same connection: the fast ones fast again.
n0 = fast_total()
for m, t, h in seq:
    s.sendall(request(m, t, h))
    if norm(r.answer(m == "HEAD")) != want[seq.index((m, t, h))]:
        say(False, "one at a time on a kept connection: %s %s" % (m, t))
        break
else:
    say(True, "one at a time on a kept connection, fast and evhttp's in turn")
s.close()
say(fast_total() - n0 == 4, "four of the six answered by the fast path (%d)" % (fast_total() - n0))

# A big feed, pipelined past what the socket buffers (twice the kernel's most), to a client
# that does not read for a while: what the socket does not take waits in the output, the
# requests behind it are answered after, the connection stays usable.
ref = once("GET", BIG + "?evhttp")
wmem = int(open("/proc/sys/net/ipv4/tcp_wmem").read().split()[2])
k = 2 * wmem // len(ref) + 2
n0 = fast_total()
s = connect(rcvbuf=4096)
r = Reader(s)
s.sendall(request("GET", BIG) * k + request("HEAD", BIG))
time.sleep(0.5)
got = [r.answer(False) for _ in range(k)]
a2 = r.answer(True)
s.sendall(request("GET", FEED))
a3 = r.answer(False)
say(fast_total() - n0 == k + 2, "all %d by the fast path (%d)" % (k + 2, fast_total() - n0))
say(all(norm(a) == norm(ref) for a in got) and len(ref) > 400000,
    "%d big feeds (%d bytes) to a slow reader: each whole" % (k, len(ref)))
say(a2.startswith(b"HTTP/1.1 200 OK\r\n") and header(a2, "Content-Length") ==
    header(ref, "Content-Length") and a2.endswith(b"\r\n\r\n"),
    "the HEAD pipelined behind them answered after them")
say(norm(a3) == norm(plain), "the connection serves on after")
s.close()

# Garbage, a partial request and a slow one on connections of their own: evhttp's answers.
s = connect()
s.sendall(b"GET /feed/\x00\x01 HTTP/1.1\r\n\r\n")
a = Reader(s).answer(False)
say(a.startswith(b"HTTP/1.1 400 "), "garbage: evhttp's 400 (%r)" % a[:40])
s.close()
s = connect()
for part in (b"GET /feed/", FEED[6:].encode() + b" HTTP/1.1\r\nHo", b"st: x\r\n\r\n"):
    s.sendall(part)
    time.sleep(0.2)
a = Reader(s).answer(False)
say(norm(a) == norm(plain), "a request in pieces: answered by evhttp, the same bytes")
n0 = fast_total()
s.sendall(request("GET", FEED))
say(norm(Reader(s).answer(False)) == norm(plain), "the next request on it: the same again")
say(fast_total() - n0 == 1, "and by the fast path")
s.close()

# The big feed changed and made again while answers of it are held half sent (the reader
# does not read): the answer under way ends with the old bytes (the cache keeps them while
# an answer sends them by reference), those after it have the new ones, each whole, in order.
if CMD:
    old = norm(once("GET", BIG))
    k = 2 * wmem // len(old) + 2
    s = connect(rcvbuf=4096)
    s.sendall(request("GET", BIG) * k)
    time.sleep(0.5)
    say(change(), "the big feed changed")
    new = norm(once("GET", BIG))
    say(new != old and norm(once("GET", BIG)) == new, "made again, with other bytes, and cached")
    r = Reader(s)
    got = [norm(r.answer(False)) for _ in range(k)]
    nold = 0
    while nold < k and got[nold] == old:
        nold += 1
    say(nold >= 1 and all(a == new for a in got[nold:]),
        "%d answers held half sent: %d with the old bytes (the first under way), then the "
        "new, each whole" % (k, nold))
    s.close()

# An answer wholly in the socket buffers, unread: the kernel holds the cache's own pages
# (pagesend.c), no reference of the daemon's left on them. The feed changes twice and is made
# again each time (new pages, perhaps where the old were); the reader reads the old bytes.
if CMD:
    raw = once("GET", BIG)
    old = norm(raw)
    p0 = counter("termijn_feed_paged_total")
    s = connect(rcvbuf=4 << 20)
    s.sendall(request("GET", BIG))
    queued = 0
    for _ in range(50):
        time.sleep(0.1)
        queued = struct.unpack("i", fcntl.ioctl(s, termios.FIONREAD, b"\0\0\0\0"))[0]
        if queued >= len(raw):
            break
    say(queued == len(raw), "a big answer (%d bytes) wholly in the reader's buffer, unread (%d)"
        % (len(raw), queued))
    say(counter("termijn_feed_paged_total") - p0 == 1, "its body sent by page reference")
    made = []
    for _ in range(2):
        say(change(), "the big feed changed")
        made.append(norm(once("GET", BIG)))
    say(made[0] != old and made[1] != made[0], "made again twice, with other bytes each time")
    say(norm(Reader(s).answer(False)) == old, "the answer read after: the old bytes, whole")
    s.close()
sys.exit(1 if fails else 0)
