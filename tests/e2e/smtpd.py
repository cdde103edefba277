#!/usr/bin/python3
# smtpd.py: a real SMTP server on loopback for the e2e tests (aiosmtpd), with a control file.
#
#   /usr/bin/python3 smtpd.py --dir DIR --port-file FILE [--port N] [--control FILE] [--log FILE]
#
# Every accepted message is saved as DIR/NNNNNN.eml (the bytes as received) beside
# DIR/NNNNNN.json (envelope sender, recipients, Message-ID), each written to a temporary name
# and renamed, so that a reader counting *.eml sees whole messages only. The port (a free one,
# or --port to come back on the same one) is written to --port-file once the server listens.
#
# The test changes the server's behaviour by writing a JSON object to the control file; the
# server applies it within 20 ms and removes the file (so "the file is gone" means "in force"):
#   {"tempfail": N}        answer 451 to the next N DATA commands
#   {"reject": ["a@b"]}    answer 550 to RCPT TO these addresses ([] clears)
#   {"stall": S}           sleep S seconds in every DATA before answering (0 stops)
#   {"stall_after": S}     take every message at once, then sleep S seconds before the 250:
#                          a client that goes away meanwhile never hears that it was taken
#   {"reset": true}        all of the above back to normal
# Every session (its EHLO), refusal, stall and acceptance is a line in the --log file.
import argparse
import asyncio
import email.parser
import email.policy
import json
import os
import signal
import socket
import sys
import threading
import time

from aiosmtpd.controller import Controller


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.tempfail = 0
        self.reject = set()
        self.stall = 0.0
        self.stall_after = 0.0
        self.seq = 0


class Handler:
    def __init__(self, st, outdir, logf):
        self.st = st
        self.outdir = outdir
        self.logf = logf

    def log(self, line):
        with self.st.lock:
            with open(self.logf, "a", encoding="utf-8") as f:
                f.write("%.3f %s\n" % (time.time(), line))

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # One line per SMTP session, so that a test can count connections against messages.
        self.log("ehlo %s:%s" % (session.peer[0], session.peer[1]))
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.st.lock:
            refuse = address.lower() in self.st.reject
        if refuse:
            self.log("rcpt-550 %s" % address)
            return "550 5.1.1 <%s>: mailbox unavailable (test)" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.st.lock:
            stall = self.st.stall
            stall_after = self.st.stall_after
            fail = self.st.tempfail > 0
            if fail:
                self.st.tempfail -= 1
        data = envelope.original_content or envelope.content or b""
        msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
            data, headersonly=True)
        msgid = (msg.get("Message-ID") or "").strip()
        if stall > 0:
            self.log("data-stall %g %s" % (stall, msgid))
            await asyncio.sleep(stall)
        if fail:
            self.log("data-451 %s %s" % (",".join(envelope.rcpt_tos), msgid))
            return "451 4.3.0 try again later (test)"
        with self.st.lock:
            self.st.seq += 1
            n = self.st.seq
        base = os.path.join(self.outdir, "%06d" % n)
        meta = {"from": envelope.mail_from, "to": envelope.rcpt_tos, "message_id": msgid,
                "at": time.time()}
        for ext, payload in ((".json", json.dumps(meta).encode()), (".eml", data)):
            with open(base + ext + ".tmp", "wb") as f:
                f.write(payload)
            os.rename(base + ext + ".tmp", base + ext)
        self.log("data-250 %06d %s %s" % (n, ",".join(envelope.rcpt_tos), msgid))
        if stall_after > 0:
            await asyncio.sleep(stall_after)
        return "250 2.0.0 OK queued as %06d" % n


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def apply_control(st, path):
    try:
        with open(path, encoding="utf-8") as f:
            cmd = json.load(f)
    except (OSError, ValueError) as e:
        print("smtpd.py: bad control file: %s" % e, file=sys.stderr)
        os.unlink(path)
        return
    with st.lock:
        if cmd.get("reset"):
            st.tempfail, st.reject, st.stall, st.stall_after = 0, set(), 0.0, 0.0
        if "tempfail" in cmd:
            st.tempfail = int(cmd["tempfail"])
        if "reject" in cmd:
            st.reject = {a.lower() for a in cmd["reject"]}
        if "stall" in cmd:
            st.stall = float(cmd["stall"])
        if "stall_after" in cmd:
            st.stall_after = float(cmd["stall_after"])
    os.unlink(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--control")
    ap.add_argument("--log")
    a = ap.parse_args()

    os.makedirs(a.dir, exist_ok=True)
    st = State()
    # Coming back after a stop: go on numbering after what is there.
    for name in os.listdir(a.dir):
        if name.endswith(".eml") and name[:-4].isdigit():
            st.seq = max(st.seq, int(name[:-4]))
    logf = a.log or os.path.join(a.dir, "..", "smtpd.events")
    port = a.port or free_port()
    ctl = Controller(Handler(st, a.dir, logf), hostname="127.0.0.1", port=port,
                     ready_timeout=10, data_size_limit=10 * 1024 * 1024)
    for _ in range(50):
        try:
            ctl.start()
            break
        except (OSError, TimeoutError, RuntimeError):
            # The port of the previous run may still be closing.
            time.sleep(0.1)
    else:
        print("smtpd.py: cannot listen on 127.0.0.1:%d" % port, file=sys.stderr)
        return 1

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(a.port_file + ".tmp", a.port_file)
    while not stop.wait(0.02):
        if a.control and os.path.exists(a.control):
            apply_control(st, a.control)
    ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
