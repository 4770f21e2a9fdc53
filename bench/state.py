#!/usr/bin/env python3
"""bench/state.py - what the state file costs at 100 000 targets.

    python3 bench/state.py            # 100 000 targets, 30 s per run
    N=20000 RUN=10 python3 bench/state.py

Runs futd twice against testsrv on loopback (sink, 4 ports): 100 000
targets every 10 s (10 000 probes/s, history 64) and one "tick" target
every 50 ms; once with state_save = 2 (a background save every 2 s), once
without state_file.  Figures:

  - a background save: from the temporary file's appearance to its rename
    (polled every 2 ms: the child's whole write, fsyncs included);
  - the save at SIGTERM (futd's own "saved ... in X ms" line);
  - the probes' lateness during it: the tick target's start-to-start gaps
    minus 50 ms (from its history, read every 2 s), p50, p99 and max, with
    and without saves; and the slots skipped (late) over all targets.

Every process it starts it stops, by PID; every wait is bounded.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUTD = os.environ.get("FUTD", os.path.join(ROOT, "build/futd"))
FUTCTL = os.environ.get("FUTCTL", os.path.join(ROOT, "build/futctl"))
TESTSRV = os.environ.get("TESTSRV", os.path.join(ROOT, "build/testsrv"))
N = int(os.environ.get("N", "100000"))
RUN = float(os.environ.get("RUN", "30"))
TICK_S = 0.05


def futctl(sock, *args):
    r = subprocess.run([FUTCTL, "-s", sock, "--json"] + list(args),
                       capture_output=True, timeout=60)
    return json.loads(r.stdout) if r.returncode == 0 else None


def wait_ready(sock, p, limit=120):
    end = time.time() + limit
    while time.time() < end:
        if p.poll() is not None:
            sys.exit("bench: futd exited")
        r = subprocess.run([FUTCTL, "-s", sock, "ping"],
                           capture_output=True, timeout=10)
        if r.returncode == 0:
            return
        time.sleep(0.2)
    sys.exit("bench: futd not ready")


def one_run(d, ports, with_state):
    conf = os.path.join(d, "futd.conf")
    sock = os.path.join(d, "futd.sock")
    state = os.path.join(d, "futd.state")
    tmp = state + ".tmp"
    with open(conf, "w") as f:
        if with_state:
            f.write('state_file = "%s";\nstate_save = 2.0;\n' % state)
        f.write("history = 64;\ntargets = (\n")
        f.write('{ name = "tick"; host = "127.0.0.1"; port = %d; '
                'interval = %g; },\n' % (ports[0], TICK_S))
        f.write(",\n".join('{ name = "t%06d"; host = "127.0.0.1"; '
                            'port = %d; interval = 10.0; }'
                            % (i, ports[i % len(ports)]) for i in range(N)))
        f.write("\n);\n")
    err = open(os.path.join(d, "futd.err"), "w")
    p = subprocess.Popen([FUTD, "-f", conf, "-s", sock], stderr=err)
    try:
        wait_ready(sock, p)
        time.sleep(11)          # every target has had a result
        saves, gaps = [], []
        seen = set()
        t_end = time.time() + RUN
        t_read = time.time() + 2
        t_tmp = None
        while time.time() < t_end:
            now = time.time()
            if os.path.exists(tmp):
                if t_tmp is None:
                    t_tmp = now
            elif t_tmp is not None:
                saves.append(now - t_tmp)
                t_tmp = None
            if now >= t_read:
                t_read = now + 2
                j = futctl(sock, "show", "tick")
                h = j["target"]["history"] if j else []
                starts = sorted({round(e["time"] * 1e3) for e in h} - seen)
                seen.update(starts)
                gaps += [(b - a) - TICK_S * 1e3
                         for a, b in zip(starts, starts[1:])]
            time.sleep(0.002)
        st = futctl(sock, "status")
        late = sum(t.get("late", 0) for t in st["targets"]) if st else -1
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=120)
        err.close()
    stop_ms = None
    for line in open(os.path.join(d, "futd.err")):
        if "state: saved" in line and " in " in line:
            stop_ms = float(line.rsplit(" in ", 1)[1].split()[0])
    size = os.path.getsize(state) if with_state else 0
    return saves, sorted(gaps), late, stop_ms, size


def pct(v, q):
    return v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")


def main():
    for b in (FUTD, FUTCTL, TESTSRV):
        if not os.access(b, os.X_OK):
            sys.exit("bench: %s not found: run make first" % b)
    d = tempfile.mkdtemp(prefix="futd-bench-state.")
    keep = os.environ.get("KEEP")
    srv = subprocess.Popen([TESTSRV, "-t", "3600", "0", "0", "0", "0"],
                           stdout=subprocess.PIPE, text=True)
    try:
        line = srv.stdout.readline().split()
        ports = [int(x) for x in line[1:]]
        print("bench: %d targets every 10 s + tick every %g s, %g s per run"
              % (N, TICK_S, RUN))
        for with_state in (True, False):
            saves, gaps, late, stop_ms, size = one_run(d, ports, with_state)
            name = "state_save = 2" if with_state else "no state_file"
            print("%s:" % name)
            if with_state:
                saves.sort()
                print("  background save (child, fsyncs included): %d saves,"
                      " median %.0f ms, max %.0f ms; file %.1f MB"
                      % (len(saves), pct(saves, 0.5) * 1e3,
                         (saves[-1] if saves else 0) * 1e3, size / 1e6))
                print("  save at SIGTERM: %s ms" % stop_ms)
            print("  tick lateness (gap - 50 ms) over %d gaps: p50 %.2f ms,"
                  " p99 %.2f ms, max %.2f ms; slots skipped (late): %d"
                  % (len(gaps), pct(gaps, 0.5), pct(gaps, 0.99),
                     gaps[-1] if gaps else float("nan"), late))
    finally:
        srv.send_signal(signal.SIGTERM)
        srv.wait(timeout=10)
        if keep:
            print("bench: kept", d)
        else:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
