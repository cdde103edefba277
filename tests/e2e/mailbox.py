#!/usr/bin/python3
# mailbox.py: reads what tests/e2e/smtpd.py saved, with Python's own e-mail parser.
#
#   mailbox.py DIR list  [--since N]   one line per message: SEQ RCPT MESSAGE-ID SUBJECT
#                                      (tab-separated; the subject decoded from RFC 2047)
#   mailbox.py DIR check [--since N] [--subject TEXT] [--any-body]
#                                      every message is RFC 5322 as termijn promises: From,
#                                      To, Date, Message-ID, Subject (containing TEXT), MIME,
#                                      text/plain UTF-8, Auto-Submitted, CRLF, a body that
#                                      says how to mark it done (not with --any-body: a
#                                      message about a step that is done); exit 1 if not
#   mailbox.py DIR body  [--since N] [--to ADDR]
#                                      the decoded text of the last such message
# --since N: only the messages after the Nth, so that the phases of a test share one server.
import argparse
import email
import email.policy
import email.utils
import json
import os
import re
import sys


def messages(d, since):
    for name in sorted(os.listdir(d)):
        if not name.endswith(".eml") or not name[:-4].isdigit() or int(name[:-4]) <= since:
            continue
        with open(os.path.join(d, name), "rb") as f:
            raw = f.read()
        with open(os.path.join(d, name[:-4] + ".json"), encoding="utf-8") as f:
            env = json.load(f)
        yield int(name[:-4]), raw, env


def problems(raw, env, want_subject, any_body=False):
    bad = []
    if re.search(rb"(?<!\r)\n", raw) or re.search(rb"\r(?!\n)", raw):
        bad.append("line ends are not all CRLF")
    head = raw.split(b"\r\n\r\n", 1)[0]
    if any(len(line) > 998 for line in head.split(b"\r\n")):
        bad.append("a header line over 998 octets")
    if any(b >= 0x80 for b in head):
        bad.append("8-bit bytes in the header")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for h in ("From", "To", "Date", "Message-ID", "Subject", "MIME-Version", "Content-Type",
              "Auto-Submitted"):
        if len(msg.get_all(h) or []) != 1:
            bad.append("%s: %d times" % (h, len(msg.get_all(h) or [])))
    if bad:
        return bad
    if msg.defects:
        bad.append("defects: %s" % msg.defects)
    if email.utils.parsedate_to_datetime(str(msg["Date"])) is None:
        bad.append("Date unparsable: %s" % msg["Date"])
    if not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", str(msg["Message-ID"]).strip()):
        bad.append("Message-ID: %s" % msg["Message-ID"])
    to = [a for _, a in email.utils.getaddresses([str(msg["To"])])]
    if [a.lower() for a in to] != [a.lower() for a in env["to"]]:
        bad.append("To %s is not the envelope's %s" % (to, env["to"]))
    frm = email.utils.parseaddr(str(msg["From"]))[1]
    if "@" not in frm or frm.lower() != (env["from"] or "").lower():
        bad.append("From %s is not the envelope's %s" % (frm, env["from"]))
    if str(msg["Auto-Submitted"]).strip().lower() != "auto-generated":
        bad.append("Auto-Submitted: %s" % msg["Auto-Submitted"])
    if str(msg["MIME-Version"]).strip() != "1.0":
        bad.append("MIME-Version: %s" % msg["MIME-Version"])
    if msg.get_content_type() != "text/plain" or \
            (msg.get_content_charset() or "").lower() != "utf-8":
        bad.append("Content-Type: %s" % msg["Content-Type"])
    subject = str(msg["Subject"])
    if "=?" in subject:
        bad.append("Subject not decoded: %s" % subject)
    if want_subject and want_subject not in subject:
        bad.append("Subject %r lacks %r" % (subject, want_subject))
    try:
        body = msg.get_content()
        if not any_body and "termijn done" not in body:
            bad.append("the body does not say how to mark it done")
    except (LookupError, UnicodeError) as e:
        bad.append("body: %s" % e)
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("cmd", choices=["list", "check", "body"])
    ap.add_argument("--since", type=int, default=0)
    ap.add_argument("--subject")
    ap.add_argument("--to")
    ap.add_argument("--any-body", action="store_true")
    a = ap.parse_args()
    if not os.path.isdir(a.dir):
        return 0
    rc = n = 0
    last = None
    for seq, raw, env in messages(a.dir, a.since):
        if a.cmd == "body":
            if a.to is None or a.to.lower() in [t.lower() for t in env["to"]]:
                m = email.message_from_bytes(raw, policy=email.policy.default)
                if a.subject is None or a.subject in str(m["Subject"] or ""):
                    last = raw
            continue
        n += 1
        if a.cmd == "list":
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            print("%06d\t%s\t%s\t%s" % (seq, ",".join(env["to"]),
                                        str(msg["Message-ID"] or "").strip(),
                                        str(msg["Subject"] or "").replace("\t", " ")))
            continue
        for p in problems(raw, env, a.subject, a.any_body):
            print("%06d.eml: %s" % (seq, p))
            rc = 1
    if a.cmd == "body":
        if last is None:
            return 1
        sys.stdout.write(email.message_from_bytes(last, policy=email.policy.default)
                         .get_content().replace("\r\n", "\n"))
        return 0
    if a.cmd == "check" and rc == 0:
        print("%d messages well-formed" % n)
    return rc


if __name__ == "__main__":
    sys.exit(main())
