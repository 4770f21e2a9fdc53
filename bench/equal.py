#!/usr/bin/env python3
"""equal.py - futd's CPU per probe beside the bare io_uring prober's at the
same rate.  futd's closed64 (64 targets at interval 0.001 s) is not a closed
loop: its rate is what its timers give (20-45 k probes/s here), where the
prober's closed loop runs 40-90 k/s, and CPU per probe falls with the rate
(fuller batches, warmer caches).  So each repetition runs futd's closed64
alone on CPU 0 (the sink on CPU 1), then the prober in rate mode with 64
targets at futd's measured rate, then the prober's closed loop, and prints
futd's CPU per probe over each.

    sh bench/run.sh >/dev/null    # once: builds the sink and uring_prober
    python3 bench/equal.py build/futd      # REPS (3), JOBS ("hello peeraddr")

CPU per probe: user + system ticks of the process (/proc/PID/stat) over
the probes futd counted (`status`); the prober's own report.  Loopback
only; every process it starts it stops (driver.py's helpers).
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver as D  # noqa: E402

URING = D.env("URING_PROBER", os.path.join(D.BIN, "uring_prober"))
SECONDS = 4


def ticks(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])


def prober(mode, job, iv=None):
    args = ["taskset", "-c", "0", URING, "--mode", mode, "--targets", "64",
            "--duration", str(SECONDS), "--host", D.HOST, "--port", str(D.PORT),
            "--ports", "64", "--job", job]
    if iv is not None:
        args += ["--interval", "%.6f" % iv]
    r = subprocess.run(args, capture_output=True, text=True, timeout=SECONDS + 30)
    j = json.loads(r.stdout.strip().splitlines()[-1])
    return j["probes_per_s"], j["cpu_us_per_probe"]


def futd(job):
    f = D.Futd("equal-" + job, D.conf_text(64, 0.001, job), cpu=0).start()
    try:
        if f.wait_ready() is None:
            raise RuntimeError(f.fail_note())
        time.sleep(1.0)
        s0, c0, t0 = f.status()[0], ticks(f.p.pid), time.time()
        time.sleep(SECONDS)
        d, c1, t1 = D.dsub(f.status()[0], s0), ticks(f.p.pid), time.time()
    finally:
        f.stop()
    n = d["ok"] + d["failed"]
    return n / (t1 - t0), (c1 - c0) * 1e6 / os.sysconf("SC_CLK_TCK") / n


def main():
    if len(sys.argv) > 2 or sys.argv[1:] and sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__.strip())
    if sys.argv[1:] and not os.access(sys.argv[1], os.X_OK):
        sys.exit("%s: %s is not an executable" % (os.path.basename(sys.argv[0]), sys.argv[1]))
    D.FUTD = sys.argv[1] if len(sys.argv) > 1 else D.FUTD
    if not os.access(URING, os.X_OK):
        sys.exit("equal.py: no %s: run sh bench/run.sh once (or set URING_PROBER)" % URING)
    D.PORT = D.free_ports(D.PORT)
    sink = D.Sink(D.PORT).start()
    try:
        for rep in range(D.REPS if "REPS" in os.environ else 3):
            for job in D.env("JOBS", "hello peeraddr").split():
                rate, cpu = futd(job)
                ur, uc = prober("rate", job, 64.0 / rate)
                cr, cc = prober("closed", job)
                print("rep %d %-8s futd %6.0f/s %5.2f µs | uring rate %6.0f/s %5.2f µs: "
                      "%.3f | uring closed %6.0f/s %5.2f µs: %.3f" % (
                          rep + 1, job, rate, cpu, ur, uc, cpu / uc, cr, cc, cpu / cc),
                      flush=True)
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
