#!/usr/bin/python3
# feedload.py: the feed workload of bench/scale.sh: an hour of calendar clients, replayed.
# Usage: feedload.py SOCKET PID SHAPE NPLANS NFEEDS DONES KEYS PLANFEEDS LIMIT
# NFEEDS feeds are made over the client socket (POST /api/v1/feeds, as `termijn feeds create`
# does), plan, party and person feeds in turn over the plans p0000.. (SHAPE "plans") or the
# parties of the one plan (SHAPE "one"; PLANFEEDS 0 leaves its plan feed out). Each feed's
# subscriber then polls it for a simulated hour, every 15 to 30 minutes (its own interval,
# from a random moment of its first one: 2 to 4 fetches), three in four with Accept-Encoding:
# gzip, each after its first with If-None-Match and If-Modified-Since from the answer before,
# as calendar clients do; DONES `done`s (bodies from KEYS, spread over its second half) fall
# at random moments of the hour and make the feeds that show their plans stale (a key the
# daemon refuses, done already or not yet allowed, is counted apart and replaced by the next
# of that half, so that DONES are done). The hour is
# replayed in minutes as fast as the daemon answers: a minute's `done`s, then its fetches by
# 4 keep-alive connections. Prints per quarter the answers by status, the time taken, the
# daemon's RSS (PID) and its renders and dropped renderings (/metrics); then the RSS peak
# (VmHWM since the workload began) and the slowest fetch. Seeded: every run asks the same.
# After LIMIT seconds of replay it stops at the end of a minute, and says how far it came.
import http.client, json, random, socket, sys, threading, time

sock, pid, shape, nplans, nfeeds, ndones, keyfile = sys.argv[1], int(sys.argv[2]), \
    sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
planfeeds, limit = sys.argv[8] != "0", float(sys.argv[9])
HOUR, MINUTE, THREADS = 3600, 60, 4
rng = random.Random(13)

class UnixConn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=300)
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(300)
        self.sock.connect(self.path)

def status_kb(field):
    for line in open("/proc/%d/status" % pid):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return -1

def rss():
    return status_kb("VmRSS") // 1024

# The peak from here on: "5" resets VmHWM (Linux 4.0 on); where it cannot, the peak since start.
try:
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")
    peak_of = "since the workload began"
except OSError:
    peak_of = "since the daemon started"

# subject(i): the i-th feed's kind and subject. Several subscribers share a subject (15 a
# party at 10,000 feeds of the one plan), each with a token of their own.
def subject(i):
    if shape == "plans":
        p, r = i % nplans, i // nplans
        plan, q = "p%04d" % p, r // 3 % 5 + 1
        kind = ("plan", "party", "person")[r % 3]
        return kind, {"plan": plan, "party": "%s/q%d" % (plan, q),
                      "person": "sec@q%d-%d.example" % (q, p)}[kind]
    kinds = ("plan", "party", "person") if planfeeds else ("party", "person")
    kind, g = kinds[i % len(kinds)], i // len(kinds) % 342
    return kind, {"plan": "national", "party": "national/g%03d" % g,
                  "person": "sec@g%03d.example" % g}[kind]

print("feed workload: %d feeds (%s), %d done in the hour, RSS %d MiB" % (nfeeds,
      "plan, party and person" if shape == "plans" or planfeeds else
      "party and person; the plan's feed left out", ndones, rss()), flush=True)

# Made by 8 connections at once, so that they share commits (one fsync each otherwise).
t0 = time.time()
paths, failed = [None] * nfeeds, []
def maker(k, n):
    conn = UnixConn(sock)
    for i in range(k, nfeeds, n):
        kind, subj = subject(i)
        conn.request("POST", "/api/v1/feeds", body=json.dumps({"kind": kind, "subject": subj}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        o = json.loads(r.read() or b"null")
        if r.status != 201:
            failed.append("feeds create %s %s: %d %s" % (kind, subj, r.status, o))
            return
        paths[i] = o["url"].split("://")[1]
    conn.close()
th = [threading.Thread(target=maker, args=(k, 8)) for k in range(8)]
for t in th: t.start()
for t in th: t.join()
if failed:
    sys.exit(failed[0])
host = paths[0].split("/", 1)[0]
paths = ["/" + u.split("/", 1)[1] for u in paths]
print("  feeds made: %d in %.1f s, RSS %d MiB" % (nfeeds, time.time() - t0, rss()), flush=True)

def metrics():
    c = http.client.HTTPConnection(*host.split(":"), timeout=60)
    c.request("GET", "/metrics")
    out = {}
    for line in c.getresponse().read().decode().splitlines():
        if line and line[0] != "#":
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    c.close()
    return out

# The hour: each subscriber's fetches, and the `done`s, by minute.
gz = [rng.random() < 0.75 for _ in range(nfeeds)]
fetches = [[] for _ in range(HOUR // MINUTE)]
for i in range(nfeeds):
    every = rng.uniform(15, 30) * 60
    t = rng.uniform(0, every)
    while t < HOUR:
        fetches[int(t // MINUTE)].append(i)
        t += every
keys = [l for l in open(keyfile).read().splitlines() if l.strip()]
half = keys[len(keys) // 2:]
chosen = [half[k * len(half) // ndones] for k in range(min(ndones, len(half)))]
# A key refused (done already, or not yet allowed) gives way to the next of these.
spare = [k for k in half if k not in set(chosen)]
dones = [[] for _ in range(HOUR // MINUTE)]
for body in chosen:
    dones[rng.randrange(HOUR // MINUTE)].append(body)

etag, lastmod = [None] * nfeeds, [None] * nfeeds
slowest = [0.0, None]

def worker(todo, counts, lock):
    c = http.client.HTTPConnection(*host.split(":"), timeout=300)
    mine, slow = {}, (0.0, None)
    for i in todo:
        h = {}
        if gz[i]:
            h["Accept-Encoding"] = "gzip"
        if etag[i]:
            h["If-None-Match"] = etag[i]
        if lastmod[i]:
            h["If-Modified-Since"] = lastmod[i]
        for attempt in (1, 2):
            try:
                t0 = time.monotonic()
                c.request("GET", paths[i], headers=h)
                r = c.getresponse()
                r.read()
                dt = time.monotonic() - t0
                break
            except (OSError, http.client.HTTPException):
                # A connection older than http-max-age is closed: a new one, once.
                c.close()
                c = http.client.HTTPConnection(*host.split(":"), timeout=300)
                if attempt == 2:
                    raise
        if r.status == 200:
            etag[i], lastmod[i] = r.getheader("ETag"), r.getheader("Last-Modified")
        mine[r.status] = mine.get(r.status, 0) + 1
        if dt > slow[0]:
            slow = (dt, subject(i))
    c.close()
    with lock:
        for s, v in mine.items():
            counts[s] = counts.get(s, 0) + v
        if slow[0] > slowest[0]:
            slowest[:] = slow

api = None
def done(body):
    global api
    for attempt in (1, 2):
        try:
            if api is None:
                api = UnixConn(sock)
            api.request("POST", "/api/v1/done", body=body,
                        headers={"Content-Type": "application/json"})
            r = api.getresponse()
            text = r.read()
            return r.status, text
        except (OSError, http.client.HTTPException):
            api.close()
            api = None
            if attempt == 2:
                raise

m0 = metrics()
total, accepted, refused, first_refusal = {}, 0, {}, None
t0, reached = time.time(), 60
for q in range(4):
    counts, lock, tq = {}, threading.Lock(), time.time()
    for minute in range(q * 15, q * 15 + 15):
        if time.time() - t0 > limit:
            reached = minute
            break
        for body in dones[minute]:
            while True:
                s, text = done(body)
                if s == 200:
                    accepted += 1
                    break
                refused[s] = refused.get(s, 0) + 1
                if first_refusal is None:
                    first_refusal = "%s: %d %s" % (body, s, text.decode()[:160].strip())
                if not spare or sum(refused.values()) >= 10 * ndones:
                    break
                body = spare.pop(0)
        todo = fetches[minute]
        th = [threading.Thread(target=worker, args=(todo[k::THREADS], counts, lock))
              for k in range(THREADS)]
        for t in th: t.start()
        for t in th: t.join()
    m = metrics()
    for s, v in counts.items():
        total[s] = total.get(s, 0) + v
    print("  minutes %2d-%2d: %s in %.1f s, RSS %d MiB; %d renders, %d dropped so far" % (
          q * 15, min(q * 15 + 15, reached), " ".join("%d: %d" % kv for kv in sorted(counts.items())),
          time.time() - tq, rss(), m.get("termijn_feed_renders_total", 0) -
          m0.get("termijn_feed_renders_total", 0), m.get("termijn_feed_cache_dropped_total", 0) -
          m0.get("termijn_feed_cache_dropped_total", 0)), flush=True)
    if reached < 60:
        print("  stopped after %.0f s (SCALE_FEED_LIMIT), at minute %d of the hour" % (
              time.time() - t0, reached), flush=True)
        break
m = metrics()
def grew(name):
    return m.get(name, 0) - m0.get(name, 0)
print("  %s: %d fetches (%s) and %d done (%d refused%s) in %.1f s; %d renders (%d of them "
      "the bytes made before), %d dropped, %.1f MB held" % ("the hour" if reached == 60 else
      "its first %d minutes" % reached, sum(total.values()),
      " ".join("%d: %d" % kv for kv in sorted(total.items())), accepted, sum(refused.values()),
      "".join(", %d: %d" % kv for kv in sorted(refused.items())), time.time() - t0,
      grew("termijn_feed_renders_total"), grew("termijn_feed_renders_same_total"),
      grew("termijn_feed_cache_dropped_total"), m.get("termijn_feed_cache_bytes", 0) / 1e6),
      flush=True)
if first_refusal:
    print("  refused dones (each replaced by another key): the first %s" % first_refusal,
          flush=True)
print("  RSS after: %d MiB, peak %d MiB (%s); slowest fetch %.0f ms (%s %s)" % (rss(),
      status_kb("VmHWM") // 1024, peak_of, slowest[0] * 1000, *(slowest[1] or ("-", "-"))),
      flush=True)
if sum(total.values()) - total.get(200, 0) - total.get(304, 0):
    sys.exit("feed answers other than 200 and 304: %s" % total)
