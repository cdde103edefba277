#!/usr/bin/python3
# feedload.py: the feed workload of bench/scale.sh.
# Usage: feedload.py SOCKET PID NPLANS NFEEDS ROUNDS. NFEEDS feeds are made over the client
# socket (plan, party and person feeds in turn, over the plans p0000..), then fetched ROUNDS
# times each over HTTP by 4 threads with keep-alive connections: plain, then compressed, then
# conditional (If-None-Match), and so on; before each round after the first, one `done`
# changes a plan (the feeds that show that plan are made again when next asked for). Prints per round the
# answers by status, the time taken and the daemon's RSS (PID).
import http.client, json, socket, sys, threading, time

sock, pid, nplans, nfeeds, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5])

class UnixConn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=300)
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(300)
        self.sock.connect(self.path)

def rss():
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return -1

def call(method, path, body=None):
    # A connection of its own: an idle one is closed by the daemon's timeout.
    api = UnixConn(sock)
    api.request(method, "/api/v1" + path, body=json.dumps(body) if body is not None else None,
                headers={"Content-Type": "application/json"})
    r = api.getresponse()
    out = r.status, json.loads(r.read() or b"null")
    api.close()
    return out

# Made by 8 connections at once, so that they share commits (one fsync each otherwise).
t0 = time.time()
paths, failed = [None] * nfeeds, []
def maker(k, n):
    conn = UnixConn(sock)
    for i in range(k, nfeeds, n):
        p, r = i % nplans, i // nplans
        plan = "p%04d" % p
        kind = ("plan", "party", "person")[r % 3]
        q = r // 3 % 5 + 1
        subject = {"plan": plan, "party": "%s/q%d" % (plan, q),
                   "person": "sec@q%d-%d.example" % (q, p)}[kind]
        conn.request("POST", "/api/v1/feeds", body=json.dumps({"kind": kind, "subject": subject}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        o = json.loads(r.read() or b"null")
        if r.status != 201:
            failed.append("feeds create %s %s: %d %s" % (kind, subject, r.status, o))
            return
        paths[i] = o["url"].split("://")[1]
th = [threading.Thread(target=maker, args=(k, 8)) for k in range(8)]
for t in th: t.start()
for t in th: t.join()
if failed:
    sys.exit(failed[0])
host = paths[0].split("/", 1)[0]
paths = ["/" + u.split("/", 1)[1] for u in paths]
made = time.time() - t0
print("feeds made: %d in %.1f s, RSS %d MiB" % (nfeeds, made, rss()), flush=True)

etags = [None] * nfeeds
def worker(k, n, rnd, counts, lock):
    c = http.client.HTTPConnection(*host.split(":"), timeout=300)
    mine = {}
    for i in range(k, nfeeds, n):
        h = {}
        mode = (rnd - 1) % 3
        if mode == 1:
            h["Accept-Encoding"] = "gzip"
        elif mode == 2 and etags[i]:
            h["If-None-Match"] = etags[i]
        for attempt in (1, 2):
            try:
                c.request("GET", paths[i], headers=h)
                r = c.getresponse()
                r.read()
                break
            except (OSError, http.client.HTTPException):
                # A connection older than http-max-age is closed: a new one, once.
                c.close()
                c = http.client.HTTPConnection(*host.split(":"), timeout=300)
                if attempt == 2:
                    raise
        if mode == 0:
            etags[i] = r.getheader("ETag")
        mine[r.status] = mine.get(r.status, 0) + 1
    c.close()
    with lock:
        for s, v in mine.items():
            counts[s] = counts.get(s, 0) + v

for rnd in range(1, rounds + 1):
    if rnd > 1:
        # A change: every feed is rendered again when next asked for.
        code, o = call("POST", "/done", {"plan": "p%04d" % (rnd % nplans), "key": "a@q1"})
    counts, lock = {}, threading.Lock()
    t0 = time.time()
    th = [threading.Thread(target=worker, args=(k, 4, rnd, counts, lock)) for k in range(4)]
    for t in th: t.start()
    for t in th: t.join()
    print("round %d (%s): %s in %.1f s, RSS %d MiB" % (rnd, ("plain", "gzip", "If-None-Match")[(rnd - 1) % 3],
          " ".join("%d: %d" % kv for kv in sorted(counts.items())), time.time() - t0, rss()), flush=True)
