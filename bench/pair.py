#!/usr/bin/env python3
"""pair.py - CPU per probe of two futd builds (or a build and the eager
prober) run side by side: for telling whether a change to the probe path
helps, which figure 1 cannot.

    sh bench/run.sh >/dev/null   # once: builds the sink and the prober
    python3 bench/pair.py OLD/futd NEW/futd
    python3 bench/pair.py build/futd eager

Both run at the same time on CPU 0, the sink on CPU 1, each with figure 1's
closed64 load (64 targets at 0.001 s; hello, then peeraddr), DURATION
seconds (4), REPS times (5); LOAD=rate10k: figure 2's instead (10 000
targets every 1 s, hello; the eager prober is not comparable there). On this machine the rate of one program moves
by +-15 % from one 4 s run to the next; run at once, the two meet the same
slow and fast spells, and a difference of half a percent shows (the median
of five pairs moves by +-0.5 % between runs). CPU per probe: the process's
run time (/proc/PID/schedstat, in ns) over the probes futd counted
(`status`), or the prober's own report. Prints each pair, with each
build's probes a second and slots skipped (a build that costs less a probe
by running fewer of them is no better), and the medians of SECOND / FIRST.
The absolute figures are higher than figure 1's: two processes take turns
on one core and each finds the caches cold.

Loopback only; every process it starts it stops (driver.py's helpers).
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver as D  # noqa: E402


def schedstat_ns(pid):
    with open("/proc/%d/schedstat" % pid) as fh:
        return int(fh.read().split()[0])


LOAD = D.env("LOAD", "closed64")
if LOAD == "rate10k":
    CONF, JOBS, WARM = (10000, 1.0), ("hello",), 2.5
else:
    CONF, JOBS, WARM = (64, 0.001), ("hello", "peeraddr"), 1.0


def one(builds, job, sink):
    """CPU µs per probe of each build (or "eager") over one shared window;
    of a futd also its probes a second and its slots skipped, for a build
    that costs less a probe by running fewer of them is no better."""
    futds, out, runs = {}, {}, {}
    try:
        for b in builds:
            if b == "eager":
                continue
            D.FUTD = b
            f = D.Futd("pair-%s-%d" % (job, len(futds)), D.conf_text(CONF[0], CONF[1], job)).start()
            futds[b] = f
            if f.wait_ready() is None:
                raise RuntimeError("%s: %s" % (b, f.fail_note()))
        time.sleep(WARM)  # rate10k: every target's first probe is past
        t0 = {b: (f.status()[0], schedstat_ns(f.p.pid), time.monotonic())
              for b, f in futds.items()}
        if "eager" in builds:
            j = D.epoll_prober("closed", 64, D.DURATION, job, eager=True)
            if j is None:
                raise RuntimeError("epoll_prober --eager failed")
            n = j["probes_ok"] + j["probes_failed"]
            out["eager"] = (j["cpu_user_s"] + j["cpu_sys_s"]) * 1e6 / n
            runs["eager"] = (n / j["seconds"], 0)
        else:
            time.sleep(D.DURATION)
        for b, f in futds.items():
            s1, c1 = f.status()[0], schedstat_ns(f.p.pid)
            d = D.dsub(s1, t0[b][0])
            out[b] = (c1 - t0[b][1]) / 1e3 / (d["ok"] + d["failed"])
            runs[b] = ((d["ok"] + d["failed"]) / (time.monotonic() - t0[b][2]), d["late"])
    finally:
        for f in futds.values():
            f.stop()
    return out, runs


def main():
    builds = sys.argv[1:]
    if len(builds) != 2 or builds[0] == builds[1]:
        sys.exit("usage: pair.py FUTD_A FUTD_B   (either may be 'eager')")
    for b in builds:
        if b != "eager" and not os.access(b, os.X_OK):
            sys.exit("pair.py: %s is not an executable" % b)
    if "eager" in builds and LOAD != "closed64":
        sys.exit("pair.py: the eager prober runs the closed loop only")
    if "eager" in builds and not D.have_epoll():
        sys.exit("pair.py: no epoll_prober in %s: run sh bench/run.sh once" % D.BIN)
    D.PORT = D.free_ports(D.PORT)
    sink = D.Sink(D.PORT).start()
    ratios, rates = {}, {}
    try:
        for rep in range(D.REPS):
            for job in JOBS:
                cpu, runs = one(builds, job, sink)
                r = cpu[builds[1]] / cpu[builds[0]]
                ratios.setdefault(job, []).append(r)
                rates.setdefault(job, []).append(runs[builds[1]][0] / runs[builds[0]][0])
                print("rep %d %-8s %s %.2f µs (%.1f k/s, %d late), %s %.2f µs "
                      "(%.1f k/s, %d late): %.3f" % (
                          rep + 1, job, builds[0], cpu[builds[0]], runs[builds[0]][0] / 1e3,
                          runs[builds[0]][1], builds[1], cpu[builds[1]],
                          runs[builds[1]][0] / 1e3, runs[builds[1]][1], r), flush=True)
    finally:
        sink.stop()
    for job, rs in ratios.items():
        print("%-8s CPU per probe %s ÷ %s: median %.3f (%s); probes/s %.3f" % (
            job, builds[1], builds[0], statistics.median(rs), " ".join("%.3f" % x for x in rs),
            statistics.median(rates[job])))


if __name__ == "__main__":
    main()
