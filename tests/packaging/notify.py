#!/usr/bin/python3
"""notify.py: what termijnd tells systemd over NOTIFY_SOCKET, checked as systemd would see it.

Runs the daemon twice under a datagram socket of our own and prints "ok - ..." or
"not ok - ..." lines; exits 1 when one is not ok.
  1. A path socket, WATCHDOG_USEC=1000000 and WATCHDOG_PID = the daemon's own pid:
     READY=1 first and only once the API answers; WATCHDOG=1 about every 0.5 s;
     RELOADING=1 then READY=1 on SIGHUP; STOPPING=1 on SIGTERM, and exit status 0.
  2. An abstract socket (@name) and WATCHDOG_PID of another process: READY=1, no WATCHDOG=1.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

failed = 0


def ok(cond, desc, detail=None):
    global failed
    if cond:
        print("ok - " + desc)
    else:
        failed += 1
        print("not ok - " + desc)
        if detail:
            for line in str(detail).splitlines():
                print("    " + line)
    sys.stdout.flush()
    return cond


def api_status(path, timeout=5.0):
    """GET /api/v1/status on the client socket: (HTTP status, body) or (None, error)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: localhost\r\n"
                  b"Connection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError as e:
        return None, repr(e)
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        code = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None, data[:200]
    return code, body


class Listener:
    def __init__(self, addr):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(addr)
        self.log = []           # (monotonic time, message)

    def recv(self, timeout):
        """The next datagram as text, or None after timeout seconds."""
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return None
        msg = data.decode("utf-8", "replace")
        self.log.append((time.monotonic(), msg))
        return msg

    def wait_for(self, pred, timeout):
        """Messages until one satisfies pred; (that message, the ones before it)."""
        end = time.monotonic() + timeout
        seen = []
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None, seen
            m = self.recv(left)
            if m is None:
                return None, seen
            if pred(m):
                return m, seen
            seen.append(m)

    def close(self):
        self.sock.close()


def has(m, field):
    return field in m.split("\n")


def spawn(args, env, logf):
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=logf)


def stop(p):
    if p.poll() is None:
        p.kill()
        p.wait()


def run_path_socket(a, logf):
    path = os.path.join(a.tmp, "notify.sock")
    lis = Listener(path)
    env = dict(os.environ)
    for k in ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "WATCHDOG_PID"):
        env.pop(k, None)
    env["NOTIFY_SOCKET"] = path
    env["WATCHDOG_USEC"] = "1000000"
    # WATCHDOG_PID is the daemon's pid: the shell's, which exec keeps.
    p = spawn(["/bin/sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" "$@"',
               a.daemon, "-f", a.conf], env, logf)
    try:
        first = lis.recv(20)
        if not ok(first is not None, "path socket: termijnd sent something within 20 s",
                  "daemon exit status %s" % p.poll()):
            return
        ok(has(first, "READY=1"), "the first message is READY=1 (nothing was sent before it)",
           repr(first))
        ok(any(l.startswith("STATUS=") for l in first.split("\n")),
           "READY=1 comes with a STATUS=", repr(first))
        code, body = api_status(a.sock)
        ok(code == 200, "when READY=1 arrives, the API answers (GET /api/v1/status: %s)" % code,
           body)
        try:
            plans = json.loads(body).get("plans", [])
        except (ValueError, TypeError, AttributeError):
            plans = []
        ok(len(plans) == 2, "and the plans are loaded (%d)" % len(plans))

        # The watchdog: every half of WATCHDOG_USEC, from the loop.
        t0 = time.monotonic()
        while time.monotonic() - t0 < 2.6:
            lis.recv(2.6 - (time.monotonic() - t0))
        wd = [t for t, m in lis.log if has(m, "WATCHDOG=1")]
        other = [m for t, m in lis.log[1:] if not has(m, "WATCHDOG=1")]
        ok(len(wd) >= 5, "WATCHDOG=1 sent %d times in about 2.6 s" % len(wd))
        gaps = [b - a_ for a_, b in zip(wd, wd[1:])]
        if gaps:
            mean = sum(gaps) / len(gaps)
            ok(0.4 <= mean <= 0.65 and max(gaps) < 0.9 and min(gaps) > 0.25,
               "WATCHDOG=1 about every 0.5 s (mean %.3f s, min %.3f, max %.3f)"
               % (mean, min(gaps), max(gaps)))
        ok(not other, "nothing but WATCHDOG=1 while idle", other)

        # SIGHUP: RELOADING=1, then READY=1.
        p.send_signal(signal.SIGHUP)
        m, _ = lis.wait_for(lambda x: not has(x, "WATCHDOG=1"), 10)
        ok(m is not None and has(m, "RELOADING=1"), "SIGHUP: RELOADING=1 first", repr(m))
        m2, _ = lis.wait_for(lambda x: not has(x, "WATCHDOG=1"), 10)
        ok(m2 is not None and has(m2, "READY=1"), "SIGHUP: then READY=1", repr(m2))
        code, _ = api_status(a.sock)
        ok(code == 200, "the API answers after the reload")

        # SIGTERM: STOPPING=1, exit 0.
        p.send_signal(signal.SIGTERM)
        m, _ = lis.wait_for(lambda x: not has(x, "WATCHDOG=1"), 10)
        ok(m is not None and has(m, "STOPPING=1"), "SIGTERM: STOPPING=1", repr(m))
        try:
            rc = p.wait(10)
        except subprocess.TimeoutExpired:
            rc = None
        ok(rc == 0, "termijnd exits with status 0 after SIGTERM (%s)" % rc)
    finally:
        stop(p)
        lis.close()


def run_abstract_socket(a, logf):
    name = "@termijn-test-%d" % os.getpid()
    lis = Listener("\0" + name[1:])
    env = dict(os.environ)
    for k in ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"):
        env.pop(k, None)
    env["NOTIFY_SOCKET"] = name
    env["WATCHDOG_USEC"] = "400000"
    env["WATCHDOG_PID"] = "1"           # meant for another process: not for termijnd
    p = spawn([a.daemon, "-f", a.conf], env, logf)
    try:
        m = lis.recv(20)
        ok(m is not None and has(m, "READY=1"), "abstract socket: READY=1", repr(m))
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            lis.recv(end - time.monotonic())
        wd = [m for t, m in lis.log if has(m, "WATCHDOG=1")]
        ok(not wd, "no WATCHDOG=1 when WATCHDOG_PID names another process", wd)
        p.send_signal(signal.SIGTERM)
        m, _ = lis.wait_for(lambda x: True, 10)
        ok(m is not None and has(m, "STOPPING=1"), "abstract socket: STOPPING=1", repr(m))
        try:
            rc = p.wait(10)
        except subprocess.TimeoutExpired:
            rc = None
        ok(rc == 0, "exit status 0 (%s)" % rc)
    finally:
        stop(p)
        lis.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--sock", required=True, help="the client socket of that config")
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    with open(a.log, "ab") as logf:
        run_path_socket(a, logf)
        run_abstract_socket(a, logf)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
