#!/usr/bin/env python3
"""Send each file of tests/data/requests to a running futd and compare what
comes back with tests/data/requests/index.txt (FILE CODE CLOSES REPLIES).

    python3 fuzz/requests_check.py SOCKET [DIR]

Exit 0 when every file gets the expected first code, reply count and
close/keep-open behaviour; 1 otherwise.  Prints one line per file and a
closing "N passed, N failed".  Takes about QUIET (0.5 s) per file that
leaves the connection open.
"""
import json
import os
import socket
import sys
import time

QUIET = float(os.environ.get("QUIET", "0.5"))


def read_replies(s, quiet):
    """Reply lines until EOF or `quiet` seconds of silence: (lines, eof)."""
    buf = b""
    s.settimeout(quiet)
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return buf.split(b"\n")[:-1], False, buf
        except ConnectionResetError:
            return buf.split(b"\n")[:-1], True, buf
        if not chunk:
            return buf.split(b"\n")[:-1], True, buf
        buf += chunk


def read_line(s, timeout):
    """One reply line, or None after `timeout` seconds or at EOF."""
    buf = b""
    s.settimeout(timeout)
    while b"\n" not in buf:
        try:
            chunk = s.recv(65536)
        except (socket.timeout, ConnectionResetError):
            return None
        if not chunk:
            return None
        buf += chunk
    return buf.split(b"\n")[0]


def code_of(line):
    obj = json.loads(line)
    if obj.get("version") != 1 or not isinstance(obj.get("code"), int):
        raise ValueError("not a futd reply: %r" % line[:200])
    if obj["code"] != 200 and not obj.get("message"):
        raise ValueError("error reply without a message: %r" % line[:200])
    return obj["code"]


def check(sock_path, name, data, want_code, want_closes, want_replies):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # futd closed early (too long, binary): the reply is there
    lines, eof, rest = read_replies(s, QUIET)
    problems = []
    if rest and not rest.endswith(b"\n"):
        problems.append("partial reply line %r" % rest[-80:])
    codes = []
    for line in lines:
        try:
            codes.append(code_of(line))
        except ValueError as e:
            problems.append(str(e))
    got_code = str(codes[0]) if codes else "-"
    if got_code != want_code:
        problems.append("first code %s, want %s" % (got_code, want_code))
    if len(lines) != want_replies:
        problems.append("%d replies %s, want %d" % (len(lines), codes,
                                                    want_replies))
    if eof != (want_closes == "yes"):
        problems.append("connection %s, want %s" %
                        ("closed" if eof else "left open",
                         "closed" if want_closes == "yes" else "open"))
    if not eof:
        if data.endswith(b"\n"):
            # still usable: the next request is answered
            s.sendall(b"futd/1 ping\n")
            more = read_line(s, 5)
            if more is None or code_of(more) != 200:
                problems.append("no 200 to a ping afterwards: %r" % more)
        else:
            # an unfinished line: a half-close ends it without a reply
            s.shutdown(socket.SHUT_WR)
            more, eof2, _ = read_replies(s, 5)
            if more or not eof2:
                problems.append("after shutdown: %r, closed %s" %
                                (more, eof2))
    s.close()
    return problems


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    sock_path = sys.argv[1]
    d = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
        "requests")
    passed = failed = 0
    start = time.time()
    with open(os.path.join(d, "index.txt")) as idx:
        for line in idx:
            if not line.strip() or line.startswith("#"):
                continue
            name, code, closes, replies = line.split()[:4]
            with open(os.path.join(d, name), "rb") as f:
                data = f.read()
            problems = check(sock_path, name, data, code, closes,
                             int(replies))
            if problems:
                failed += 1
                print("FAIL %s: %s" % (name, "; ".join(problems)))
            else:
                passed += 1
                print("ok   %s (%s, closes %s, %s replies)" %
                      (name, code, closes, replies))
    print("requests: %.1f s" % (time.time() - start))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
