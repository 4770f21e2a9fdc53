#!/usr/bin/env python3
"""syscalls.py - system calls per probe of one futd build: `strace -c -f`
attached for SECONDS (3) to futd under figure 1's closed64 load (hello,
then peeraddr) and figure 2's rate10k (10 000 targets every 1 s, hello),
over the probes futd counted meanwhile.  strace slows futd down (every
call stops it twice), so the rate while it watches is lower: the counts
per probe are what to read, not the rate.

    python3 bench/syscalls.py build/futd        # or LOADS="rate10k"

Loopback only; every process it starts it stops (driver.py's helpers).
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver as D  # noqa: E402

SECONDS = float(D.env("SECONDS", "3"))
LOADS = {"closed64 hello": (64, 0.001, "hello", 1.0),
         "closed64 peeraddr": (64, 0.001, "peeraddr", 1.0),
         "rate10k hello": (10000, 1.0, "hello", 2.5)}


def strace_counts(pid, seconds):
    """{syscall: calls} of pid's threads over seconds."""
    p = subprocess.Popen(["strace", "-c", "-f", "-p", str(pid)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(seconds)
    p.send_signal(2)
    err = p.communicate(timeout=30)[1]
    out = {}
    for line in err.splitlines():
        f = line.split()
        # % time, seconds, usecs/call, calls, [errors], syscall
        if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
            try:
                out[f[-1]] = int(f[3])
            except ValueError:
                pass
    return out


def main():
    if len(sys.argv) > 2 or sys.argv[1:] and sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__.strip())
    if sys.argv[1:] and not os.access(sys.argv[1], os.X_OK):
        sys.exit("%s: %s is not an executable" % (os.path.basename(sys.argv[0]), sys.argv[1]))
    D.FUTD = sys.argv[1] if len(sys.argv) > 1 else D.FUTD
    want = D.env("LOADS", "")
    D.PORT = D.free_ports(D.PORT)
    sink = D.Sink(D.PORT).start()
    try:
        for name, (n, iv, job, warm) in LOADS.items():
            if want and not any(w in name for w in want.split(",")):
                continue
            f = D.Futd("sys-%d-%s" % (n, job), D.conf_text(n, iv, job)).start()
            try:
                if f.wait_ready() is None:
                    raise RuntimeError(f.fail_note())
                time.sleep(warm)
                s0 = f.status()[0]
                c = strace_counts(f.p.pid, SECONDS)
                d = D.dsub(f.status()[0], s0)
            finally:
                f.stop()
            probes = d["ok"] + d["failed"]
            total = sum(c.values())
            print("%s: %d probes, %.2f system calls a probe: %s" % (
                name, probes, total / probes, ", ".join(
                    "%s %.3f" % (k, v / probes) for k, v in
                    sorted(c.items(), key=lambda kv: -kv[1]) if v / probes >= 0.001)),
                flush=True)
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
