#!/usr/bin/env python3
"""driver.py - futd's benchmark figures (issue "As fast as the kernel allows").

    python3 bench/driver.py run       # figures 1-6, table, bench/RESULTS.md
    python3 bench/driver.py profile   # callgrind + perf of figure 1 hello, bench/PROFILE.md

Normally started by bench/run.sh / bench/profile.sh, which build the helpers
(sink, epoll_prober, malloc_count.so) into build/bench/bin and set the
environment below. Loopback only; every process started here is stopped
here, by PID; every wait is bounded.

Environment (defaults in brackets):
  QUICK [0]            1: a short run (~1 min), smaller and shorter figures
  FIGURES [1 2 3 5 6 4 7] which figures, in this order (4 and 7, the heaviest, last)
  DIR_FILES [100]      figure 7: the targets of figure 4 in this many files of targets_dir
  FUTD FUTCTL TESTSRV  binaries [build/futd build/futctl build/testsrv]
  SHARED_BENCH         the shared measuring stick's folder ('' = none)
  BENCH_BIN [build/bench/bin]  sink, epoll_prober, malloc_count.so
  PORT [19000]         first of 64 sink ports (127.0.0.1)
  FUTD_CPU [0] SINK_CPU [1]
  REPS [5|1]  DURATION [4|2]   figure 1 repetitions and seconds per program and repetition (two halves)
  RATE_SECONDS [10|4]  figure 2 window; RATE_REPS [3|1] windows (futd and the prober, in turn)
  SCALE_TARGETS [1000000|200000]  figure 4 size; SCALE_RUN [20|8] seconds
  SCALE_READY_MAX [90|40]  give up waiting for futd after this many seconds
  CONTROL_TARGETS [100000] CONTROL_INTERVAL [10]  figure 5
  FUTD_LOG_LEVEL [warning]  log_level in every generated config
  OUT [build/bench/runs/<UTC stamp>]  raw data
  RESULTS_MD [bench/RESULTS.md]  ('' = do not write)
"""
import atexit
import json
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def env(name, default):
    v = os.environ.get(name)
    return default if v is None or v == "" else v


QUICK = env("QUICK", "0") not in ("0", "", "no")
# the heaviest (4) last: it must not disturb the others
FIGURES = env("FIGURES", "1 2 3 5 6 4 7").replace(",", " ").split()
FUTD = env("FUTD", os.path.join(ROOT, "build/futd"))
FUTCTL = env("FUTCTL", os.path.join(ROOT, "build/futctl"))
TESTSRV = env("TESTSRV", os.path.join(ROOT, "build/testsrv"))
SHARED = os.environ.get("SHARED_BENCH", "")
BIN = env("BENCH_BIN", os.path.join(ROOT, "build/bench/bin"))
PORT = int(env("PORT", "19000"))
NPORTS = 64
NCPU = os.cpu_count() or 1
FUTD_CPU = int(env("FUTD_CPU", "0"))
SINK_CPU = int(env("SINK_CPU", "1" if NCPU > 1 else "0"))
REPS = int(env("REPS", "1" if QUICK else "5"))
DURATION = float(env("DURATION", "2" if QUICK else "4"))
RATE_SECONDS = float(env("RATE_SECONDS", "4" if QUICK else "10"))
SCALE_TARGETS = int(env("SCALE_TARGETS", "100000" if QUICK else "1000000"))
SCALE_RUN = float(env("SCALE_RUN", "5" if QUICK else "20"))
SCALE_READY_MAX = float(env("SCALE_READY_MAX", "40" if QUICK else "90"))
CONTROL_TARGETS = int(env("CONTROL_TARGETS", "20000" if QUICK else "100000"))
CONTROL_INTERVAL = float(env("CONTROL_INTERVAL", "2" if QUICK else "10"))
LOG_LEVEL = env("FUTD_LOG_LEVEL", "warning")
STAMP = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
OUT = env("OUT", os.path.join(ROOT, "build/bench/runs", STAMP))
RESULTS_MD = os.environ.get("RESULTS_MD", os.path.join(HERE, "RESULTS.md"))
HZ = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"
TMP = tempfile.mkdtemp(prefix="futdbench.")  # short paths for UNIX sockets

ROWS = []      # (figure, name, value, unit, notes)
DETAILS = []   # markdown sections for RESULTS.md
STARTED = {}   # pid -> Popen, everything we started and still own


def log(*a):
    print(*a, flush=True)


def row(fig, name, value, unit, notes=""):
    ROWS.append((str(fig), name, value, unit, notes))
    log("   -> %-48s %14s %-12s %s" % (name, fmt(value), unit, notes))


def fmt(v):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return "{:,}".format(v).replace(",", " ")
    a = abs(v)
    if a >= 1000:
        return "{:,.0f}".format(v).replace(",", " ")
    if a >= 100:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    if a == 0:
        return "0"
    return "%.3g" % v


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ------------------------------------------------------------ processes

def spawn(argv, cpu=None, **kw):
    if cpu is not None and shutil.which("taskset"):
        argv = ["taskset", "-c", str(cpu)] + list(argv)  # taskset execs: same PID
    p = subprocess.Popen(argv, **kw)
    STARTED[p.pid] = p
    return p


def stop(p, grace=5.0, sig=signal.SIGTERM):
    """Stop one process we started, by its PID: sig, then SIGKILL after grace."""
    if p is None:
        return None
    if p.poll() is None:
        try:
            p.send_signal(sig)
            p.wait(grace)
        except subprocess.TimeoutExpired:
            p.kill()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                pass
    STARTED.pop(p.pid, None)
    return p.returncode


def stop_all():
    for p in list(STARTED.values()):
        stop(p, grace=3)
    shutil.rmtree(TMP, ignore_errors=True)


atexit.register(stop_all)


def _sig(signum, frame):
    raise SystemExit(128 + signum)


signal.signal(signal.SIGINT, _sig)
signal.signal(signal.SIGTERM, _sig)


def cpu_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        f = s[s.rindex(")") + 2:].split()
        return int(f[11]) + int(f[12])  # utime, stime (fields 14, 15)
    except (OSError, ValueError):
        return None


def cpu_split(pid):
    """(user, system) seconds of pid, or (None, None)"""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        f = s[s.rindex(")") + 2:].split()
        return int(f[11]) / HZ, int(f[12]) / HZ
    except (OSError, ValueError):
        return None, None


def proc_kb(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def mem_available_kb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    return 0


def tcp_active_opens():
    """system-wide connect() count (Tcp: ActiveOpens), a fallback probe counter"""
    with open("/proc/net/snmp") as f:
        lines = [l.split() for l in f if l.startswith("Tcp:")]
    return int(lines[1][lines[0].index("ActiveOpens")])


# ------------------------------------------------------------ the target server

class Sink:
    """The shared sink (counts connections) or, without it, testsrv -m sink."""

    def __init__(self, port):
        self.port = port
        self.lines = []
        self.cv = threading.Condition()
        self.kind = None
        self.p = None

    def start(self):
        sink = os.path.join(BIN, "sink")
        if SHARED and os.access(sink, os.X_OK):
            self.kind = "sink"
            self.p = spawn([sink, "--host", HOST, "--port", str(self.port), "--ports",
                            str(NPORTS), "--backlog", "4096", "--lifetime", "3600"],
                           cpu=SINK_CPU, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
            ready = self.p.stderr.readline()
            if "READY" not in ready:
                raise RuntimeError("sink did not start: " + ready.strip())
            threading.Thread(target=self._drain_err, daemon=True).start()
        elif os.access(TESTSRV, os.X_OK):
            self.kind = "testsrv"
            self.p = spawn([TESTSRV, "-m", "sink", "-t", "3600"] +
                           [str(self.port + k) for k in range(NPORTS)],
                           cpu=SINK_CPU, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
            ready = self.p.stdout.readline()
            if not ready.startswith("ready"):
                raise RuntimeError("testsrv did not start: " + ready.strip())
            threading.Thread(target=self._drain_err, daemon=True).start()
        else:
            raise RuntimeError("no target server: neither %s nor %s" % (sink, TESTSRV))
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self):
        for line in self.p.stdout:
            with self.cv:
                self.lines.append(line)
                self.cv.notify_all()

    def _drain_err(self):
        for _ in self.p.stderr:
            pass

    def snap(self):
        """cumulative counters of the shared sink: (monotonic time, dict), or None"""
        if self.kind != "sink" or self.p.poll() is not None:
            return None
        with self.cv:
            n = len(self.lines)
            t = time.monotonic()
            self.p.send_signal(signal.SIGUSR1)
            self.cv.wait_for(lambda: len(self.lines) > n, timeout=3)
            if len(self.lines) <= n:
                return None
            try:
                return (t + time.monotonic()) / 2, json.loads(self.lines[-1])
            except ValueError:
                return None

    def stop(self):
        stop(self.p)


def sink_rate(a, b):
    if a is None or b is None or b[0] <= a[0]:
        return None
    return (b[1]["accepted"] - a[1]["accepted"]) / (b[0] - a[0])


# ------------------------------------------------------------ futd

def ctl_raw(sock, line, timeout=60.0):
    """One request on futd's control socket, no futctl (so no 10 s cap):
    (reply dict, t_sent, t_last_byte, reply bytes)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock)
        t0 = time.monotonic()
        s.sendall(b"futd/1 " + line.encode() + b"\n")
        chunks = []
        deadline = t0 + timeout
        while True:
            c = s.recv(1 << 20)
            if not c:
                break
            chunks.append(c)
            if c.endswith(b"\n"):
                break
            if time.monotonic() > deadline:
                raise TimeoutError("control reply took over %.0f s" % timeout)
        t1 = time.monotonic()
    finally:
        s.close()
    buf = b"".join(chunks)
    if not buf.endswith(b"\n"):
        raise RuntimeError("futd closed the connection after %d bytes of a reply, %.1f s after "
                           "the request '%s'" % (len(buf), t1 - t0, line))
    try:
        return json.loads(buf), t0, t1, len(buf)
    except ValueError as e:
        keep = os.path.join(OUT, "bad-reply.%d.json" % int(time.time() * 1000))
        with open(keep, "wb") as fh:
            fh.write(buf)
        pos = getattr(e, "pos", 0) or 0
        raise RuntimeError("futd's reply to '%s' is not JSON (%s; near %r; kept in %s)" % (
            line, e, buf[max(0, pos - 60):pos + 40].decode(errors="replace"),
            os.path.relpath(keep, ROOT)))


def totals(data):
    t = {"probes": 0, "ok": 0, "failed": 0, "late": 0, "queued": 0, "n": 0}
    for e in data.get("targets", []):
        t["n"] += 1
        for k in ("probes", "ok", "failed", "late", "queued"):
            v = e.get(k)
            if isinstance(v, int):
                t[k] += v
    return t


def dsub(b, a):
    d = {k: b[k] - a[k] for k in b}
    d["n"] = b["n"]
    return d


SKIPPED_RX = re.compile(rb"(\d+) probes? skipped")


class Notify:
    """A NOTIFY_SOCKET of our own: when futd says READY=1, RELOADING=1, ..."""

    def __init__(self, path):
        self.path = path
        self.msgs = []  # (monotonic, text)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(path)
        self.s.settimeout(0.2)
        self.run = True
        self.th = threading.Thread(target=self._loop, daemon=True)
        self.th.start()

    def _loop(self):
        while self.run:
            try:
                m = self.s.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            self.msgs.append((time.monotonic(), m.decode(errors="replace")))

    def first(self, key, after=0.0):
        for t, m in list(self.msgs):
            if t >= after and any(l == key for l in m.split("\n")):
                return t
        return None

    def close(self):
        self.run = False
        self.th.join(1)
        self.s.close()


class Futd:
    def __init__(self, name, conf=None, conf_path=None, cpu=None, notify=False,
                 preload=None, extra_env=None, wrap=None):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=name[:20] + ".", dir=TMP)
        self.sock = os.path.join(self.dir, "s")
        self.conf = conf_path or os.path.join(self.dir, "futd.conf")
        if conf is not None:
            with open(self.conf, "w") as f:
                f.write(conf.replace("@SOCK@", self.sock))
        self.pin = FUTD_CPU if cpu is None else cpu
        self.notify = Notify(os.path.join(self.dir, "n")) if notify else None
        self.preload = preload
        self.extra_env = extra_env or {}
        self.wrap = wrap or []
        self.p = None
        self.log_lines = 0
        self.log_tail = []
        self.log_match = {}
        self.log_skipped = 0  # sum of "N probes skipped" in late events (folded ones not logged)

    def start(self):
        e = dict(os.environ)
        e.pop("NOTIFY_SOCKET", None)
        e.pop("LISTEN_FDS", None)
        e.pop("LISTEN_PID", None)
        e.pop("WATCHDOG_USEC", None)
        if self.notify:
            e["NOTIFY_SOCKET"] = self.notify.path
        if self.preload:
            e["LD_PRELOAD"] = self.preload
        e.update(self.extra_env)
        self.t_spawn = time.monotonic()
        self.p = spawn(self.wrap + [FUTD, "-f", self.conf, "-s", self.sock], cpu=self.pin,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=e)
        self.pid = self.p.pid
        threading.Thread(target=self._log, daemon=True).start()
        return self

    def _log(self):
        # futd's log goes through a pipe: counted and tailed, not stored
        for line in self.p.stderr:
            self.log_lines += 1
            self.log_tail = (self.log_tail + [line])[-20:]
            for key in (b"fd_limit", b"skipped", b"refused"):
                if key in line:
                    self.log_match[key.decode()] = self.log_match.get(key.decode(), 0) + 1
            m = SKIPPED_RX.search(line)
            if m:
                self.log_skipped += int(m.group(1))

    def alive(self):
        return self.p is not None and self.p.poll() is None

    def wait_ready(self, limit=15.0, step=0.02):
        """seconds from spawn until `futctl ping` answers, or None"""
        end = self.t_spawn + limit
        while time.monotonic() < end and self.alive():
            if os.path.exists(self.sock):
                r = subprocess.run([FUTCTL, "-s", self.sock, "ping"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
                if r.returncode == 0:
                    self.t_ping = time.monotonic()
                    return self.t_ping - self.t_spawn
            time.sleep(step)
        return None

    def settle(self, limit, fast=0.1, need=3):
        """wait until `futctl ping` answers within `fast` s `need` times in a row
        (a freshly started futd under load may lag for a while); seconds
        waited, or None when it did not settle within `limit`"""
        t0 = time.monotonic()
        ok = 0
        while time.monotonic() - t0 < limit and self.alive():
            p0 = time.monotonic()
            r = subprocess.run([FUTCTL, "-s", self.sock, "ping"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            ok = ok + 1 if r.returncode == 0 and time.monotonic() - p0 < fast else 0
            if ok >= need:
                return time.monotonic() - t0
            time.sleep(0.2)
        return None

    def status(self, match=None, timeout=60.0):
        """(totals, time the request was sent, wall s, bytes). futd builds the
        whole reply as soon as it reads the request, then writes it out over
        many loop turns: the send time is the closer one to its snapshot."""
        data, t0, t1, n = ctl_raw(self.sock, "status" + (" match=" + match if match else ""),
                                  timeout)
        if data.get("code") != 200:
            raise RuntimeError("status: %s" % data.get("message"))
        return totals(data["data"]), t0, t1 - t0, n

    def cpu(self):
        return cpu_ticks(self.pid)

    def rss_kb(self):
        return proc_kb(self.pid, "VmRSS")

    def stop(self, grace=5.0):
        rc = stop(self.p, grace)
        if self.notify:
            self.notify.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc

    def fail_note(self):
        return "futd %s: %s" % (self.name, "".join(
            l.decode(errors="replace") for l in self.log_tail[-3:]).strip()[:300])


def conf_text(n, interval, job="hello", port=None, history=64, timeout=2.0, extra=""):
    """n targets t0..t{n-1}: target i -> PORT + i % 64 (or `port`)"""
    out = ['control_socket = "@SOCK@";', "history = %d;" % history,
           'log_level = "%s";' % LOG_LEVEL, extra, "targets = ("]
    tl = '{ name = "t%d"; host = "' + HOST + '"; port = %d; probe = "' + job + \
         '"; interval = %.6f; timeout = %.6f; }'
    for i in range(n):
        p = port if port is not None else PORT + i % NPORTS
        out.append((tl % (i, p, interval, timeout)) + ("," if i < n - 1 else ""))
    out.append(");")
    return "\n".join(out) + "\n"


def conf_awk(path, n, interval, port, job="hello", sock="@SOCK@"):
    """a big config written by awk (1M targets: ~80 MB in a second or two)"""
    prog = r'''BEGIN {
  printf "control_socket = \"%s\";\nhistory = 64;\nlog_level = \"%s\";\ntargets = (\n", sock, lvl
  for (i = 0; i < n; i++)
    printf "{ name = \"t%d\"; host = \"%s\"; port = %d; probe = \"%s\"; interval = %s; timeout = 2.0; }%s\n",
      i, host, p, job, iv, (i < n - 1 ? "," : "")
  printf ");\n"
}'''
    with open(path, "w") as f:
        subprocess.run(["awk", "-v", "n=%d" % n, "-v", "sock=" + sock, "-v", "lvl=" + LOG_LEVEL,
                        "-v", "host=" + HOST, "-v", "p=%d" % port,
                        "-v", "job=" + job,
                        "-v", "iv=%.6f" % interval, prog], stdout=f, check=True)


# ------------------------------------------------------------ epoll_prober

def epoll_prober(mode, targets, duration, job="hello", eager=False, interval=None, wrap=None):
    exe = os.path.join(BIN, "epoll_prober")
    argv = [exe, "--mode", mode, "--targets", str(targets), "--duration", str(duration),
            "--host", HOST, "--port", str(PORT), "--ports", str(NPORTS), "--job", job,
            "--timeout", "2"]
    if interval is not None:
        argv += ["--interval", str(interval)]
    if eager:
        argv.append("--eager")
    if wrap:
        argv = wrap + argv
    p = spawn(argv, cpu=FUTD_CPU, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=duration + 30)
    except subprocess.TimeoutExpired:
        stop(p)
        return None
    STARTED.pop(p.pid, None)
    for line in out.splitlines()[::-1]:
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


def have_epoll():
    return bool(SHARED) and os.access(os.path.join(BIN, "epoll_prober"), os.X_OK)


# ------------------------------------------------------------ figure 1

def futd_closed(job, sink, seconds, warm=1.0):
    f = Futd("closed64-" + job, conf_text(64, 0.001, job)).start()
    try:
        if f.wait_ready() is None:
            return {"error": f.fail_note()}
        time.sleep(warm)
        s0, t0, _, _ = f.status()
        c0, k0 = f.cpu(), sink.snap()
        time.sleep(seconds)
        s1, t1, _, _ = f.status()
        c1, k1 = f.cpu(), sink.snap()
        d = dsub(s1, s0)
        done = d["ok"] + d["failed"]
        return {"pps": d["ok"] / (t1 - t0), "failed": d["failed"],
                "cpu_us": (c1 - c0) / HZ * 1e6 / done if done else None,
                "cpu_util": (c1 - c0) / HZ / (t1 - t0),
                "sink_pps": sink_rate(k0, k1)}
    finally:
        f.stop()


def halves_mean(rs):
    """one repetition's figure from its two half runs: the mean of each number"""
    errs = [r["error"] for r in rs if "error" in r]
    if errs:
        return {"error": errs[0]}
    out = {}
    for k in rs[0]:
        vs = [r.get(k) for r in rs]
        if any(v is None for v in vs):
            out[k] = None
        elif k == "failed":
            out[k] = sum(vs)
        else:
            out[k] = sum(vs) / len(vs)
    return out


def figure1(sink):
    log("== figure 1: closed loop, 64 targets at interval 0.001 s, %d x %.0f s (two halves, A B C C B A)"
        % (REPS, DURATION))
    probers = ["futd"] + (["epoll", "epoll_eager"] if have_epoll() else [])
    if have_epoll():  # warm-up (not recorded): slab caches, TIME_WAIT table
        epoll_prober("closed", 64, 2 if not QUICK else 1)
    res = {}
    for rep in range(REPS):
        for job in ("hello", "peeraddr"):
            # A B C C B A, each run half of DURATION: every program's two
            # halves sit around the same middle, so a machine that speeds
            # up or slows down across the repetition (seen here: the
            # prober's own rate moving by 15 % from one run to the next)
            # weighs on all three alike; a repetition's figure for each is
            # the mean of its halves
            order = probers[rep % len(probers):] + probers[:rep % len(probers)]
            halves = {}
            for pr in order + order[::-1]:
                if pr == "futd":
                    r = futd_closed(job, sink, DURATION / 2)
                else:
                    j = epoll_prober("closed", 64, DURATION / 2, job,
                                     eager=(pr == "epoll_eager"))
                    r = {"error": "epoll_prober failed"} if j is None else {
                        "pps": j["probes_per_s"], "failed": j["probes_failed"],
                        "cpu_us": j.get("cpu_us_per_probe"), "cpu_util": j.get("cpu_util")}
                halves.setdefault(pr, []).append(r)
                log("   rep %d %-8s %-11s %s" % (rep + 1, job, pr, json.dumps(
                    {k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()})))
            for pr in order:
                res.setdefault((job, pr), []).append(halves_mean(halves[pr]))
    for job in ("hello", "peeraddr"):
        fr = res[(job, "futd")]
        errs = [r["error"] for r in fr if "error" in r]
        pps = median([r.get("pps") for r in fr])
        cpu = median([r.get("cpu_us") for r in fr])
        failed = sum(r.get("failed", 0) for r in fr)
        spps = median([r.get("sink_pps") for r in fr])
        notes = "median of %d repetitions (each the mean of two halves, A B C C B A); CPU %s µs/probe; failed %d" % (
            len(fr), fmt(cpu), failed)
        if spps:
            notes += "; sink saw %s conn/s" % fmt(spps)
        if errs:
            notes += "; ERROR " + errs[0]
        row(1, "closed64 %s: futd" % job, pps, "probes/s", notes)
        for pr, label in (("epoll", "epoll_prober"), ("epoll_eager", "epoll_prober --eager")):
            if (job, pr) not in res:
                continue
            er = res[(job, pr)]
            ratios = [a.get("pps") / b["pps"] for a, b in zip(fr, er)
                      if a.get("pps") and b.get("pps")]
            cratios = [a.get("cpu_us") / b["cpu_us"] for a, b in zip(fr, er)
                       if a.get("cpu_us") and b.get("cpu_us")]
            row(1, "closed64 %s: %s" % (job, label), median([r.get("pps") for r in er]),
                "probes/s", "CPU %s µs/probe" % fmt(median([r.get("cpu_us") for r in er])))
            row(1, "closed64 %s: futd ÷ %s" % (job, "epoll" if pr == "epoll" else "epoll --eager"),
                median(ratios), "×", "probes/s ratio, median of per-rep ratios %s; CPU/probe ratio %s"
                % ("/".join("%.2f" % x for x in ratios), fmt(median(cratios))))
    if not have_epoll():
        row(1, "closed64: epoll comparison", "skipped", "",
            "no shared bench (SHARED_BENCH, /work/shared/bench, ../shared/bench)")


# ------------------------------------------------------------ figure 2

def futd_rate(n, iv, sample, sink):
    """one window of figure 2's load on a fresh futd: CPU per probe and the sample's counts"""
    f = Futd("rate10k", conf_text(n, iv, "hello")).start()
    try:
        ready = f.wait_ready(30)
        if ready is None:
            return {"error": f.fail_note()}
        time.sleep(iv + 1.0)  # every target has had its first probe
        settled = f.settle(15 if QUICK else 30)
        skipped0 = f.log_skipped
        a, ta, wa, _ = f.status(sample)
        c0, k0 = f.cpu(), sink.snap()
        time.sleep(RATE_SECONDS)
        k1, c1 = sink.snap(), f.cpu()
        b, tb, wb, _ = f.status(sample)
    finally:
        f.stop()
    d = dsub(b, a)
    secs = tb - ta
    if k0 and k1:
        done, src = k1[1]["accepted"] - k0[1]["accepted"], "sink"
        cpu_secs = k1[0] - k0[0]
    else:
        done = (d["ok"] + d["failed"]) * n / max(1, d["n"])
        src = "sample × %.1f" % (n / max(1, d["n"]))
        cpu_secs = secs
    return {"cpu_us": (c1 - c0) / HZ * 1e6 / done if done else None, "done": done,
            "src": src, "cpu_secs": cpu_secs, "util": (c1 - c0) / HZ / cpu_secs, "d": d,
            "secs": secs, "settled": settled, "skipped0": skipped0, "status_s": max(wa, wb)}


def figure2(sink):
    n, iv = 10000, 1.0
    sample = "t*00"  # 1 %: a full status of 10k targets takes futd seconds
    reps = int(env("RATE_REPS", "1" if QUICK else "3"))
    log("== figure 2: fixed load, %d targets every %.0f s, %.0f s windows, %d x futd and "
        "epoll_prober, interleaved" % (n, iv, RATE_SECONDS, reps))
    runs, eps = [], []
    for rep in range(reps):
        r = futd_rate(n, iv, sample, sink)
        if "error" in r:
            row(2, "rate10k: futd", None, "", "ERROR " + r["error"])
            return
        runs.append(r)
        e = epoll_prober("rate", n, RATE_SECONDS, "hello", interval=iv) if have_epoll() else None
        eps.append(e)
        log("   rep %d futd %s µs/probe (%s %% of a core)%s" % (
            rep + 1, fmt(r["cpu_us"]), fmt(100 * r["util"]),
            ", epoll_prober %s µs/probe" % fmt(e["cpu_us_per_probe"]) if e else ""))
    # the run whose CPU per probe is the median speaks for the others
    k = sorted(range(reps), key=lambda i: runs[i]["cpu_us"] or 0)[reps // 2]
    r, d = runs[k], runs[k]["d"]
    expected = d["n"] * r["secs"] / iv
    notes = "%s probes in %.1f s (%s/s, counted by the %s), CPU %.1f %% of a core; %s" % (
        fmt(r["done"]), r["cpu_secs"], fmt(r["done"] / r["cpu_secs"]), r["src"],
        100 * r["util"],
        ("settled (ping < 0.1 s) %.1f s after the first second, %d late slots logged before"
         % (r["settled"], r["skipped0"])) if r["settled"] is not None else
        "NOT settled within the bound: ping still slow; %d late slots logged so far"
        % r["skipped0"])
    if reps > 1:
        notes = "median of %d windows (%s µs/probe), this one: " % (
            reps, "/".join(fmt(x["cpu_us"]) for x in runs)) + notes
    ratios = [a["cpu_us"] / e["cpu_us_per_probe"] for a, e in zip(runs, eps)
              if e and a["cpu_us"] and e.get("cpu_us_per_probe")]
    if ratios:
        notes += "; epoll_prober %s µs/probe (median) → futd ÷ epoll %s, median of per-window " \
            "ratios %s" % (fmt(median([e["cpu_us_per_probe"] for e in eps if e])),
                           fmt(median(ratios)), "/".join("%.2f" % x for x in ratios))
    row(2, "rate10k: futd CPU per probe", r["cpu_us"], "µs/probe", notes)
    late = sum(x["d"]["late"] for x in runs)
    probes = sum(x["d"]["probes"] for x in runs)
    row(2, "rate10k: futd late (skipped slots)", 100.0 * late / probes if probes else None,
        "% of probes", "sample %s (%d targets), %d windows of %.1f s: late %d of %d probes, "
        "failed %d; a sample status took at most %.0f ms" % (
            sample, d["n"], reps, r["secs"], late, probes,
            sum(x["d"]["failed"] for x in runs), 1000 * max(x["status_s"] for x in runs)))
    # a window holds a whole number of each target's slots: a fraction is not a probe due
    exp_all = sum(int(x["d"]["n"] * x["secs"] / iv) for x in runs)
    missed_all = sum(max(0, int(x["d"]["n"] * x["secs"] / iv) - x["d"]["probes"])
                     for x in runs)
    row(2, "rate10k: futd missed (expected − started)",
        100.0 * missed_all / exp_all if exp_all else None, "% of probes",
        "sample: expected %.0f = %d targets × %.2f s / %.0f s, started %d (the median window)"
        % (expected, d["n"], r["secs"], iv, d["probes"]))
    if any(eps):
        row(2, "rate10k: epoll_prober CPU per probe",
            median([e["cpu_us_per_probe"] for e in eps if e]), "µs/probe",
            "median of %d; missed %s of %s (the last)" % (
                len([e for e in eps if e]), fmt(eps[-1].get("missed")),
                fmt(eps[-1].get("probes_expected"))))


# ------------------------------------------------------------ figure 3

def settle_rss(f, seconds):
    time.sleep(seconds)
    return f.rss_kb()


def figure3(sink):
    # a target's history ring comes with its first result: RSS is read once
    # every target has had one (their first probes spread over an interval)
    n, iv = 100000, 10.0
    log("== figure 3: memory, %d targets, history 64, interval %.0f s" % (n, iv))
    f = Futd("empty", 'control_socket = "@SOCK@";\nhistory = 64;\nlog_level = "%s";\n'
             "targets = ();\n" % LOG_LEVEL).start()
    try:
        if f.wait_ready() is None:
            row(3, "memory: empty config", None, "", "ERROR " + f.fail_note())
            return
        rss0 = settle_rss(f, 1.0)
    finally:
        f.stop()
    res = {}
    for hist in ((64, 1) if not QUICK else (64,)):
        f = Futd("mem-h%d" % hist, conf_text(n, iv, "hello", history=hist)).start()
        try:
            ready = f.wait_ready(60)
            if ready is None:
                row(3, "memory: %d targets" % n, None, "", "ERROR " + f.fail_note())
                return
            rss = settle_rss(f, iv + 3.0)
            res[hist] = (rss, ready, proc_kb(f.pid, "VmHWM"))
        finally:
            f.stop()
    rss, ready, hwm = res[64]
    row(3, "memory: RSS per target (history 64)", (rss - rss0) * 1024 / n, "bytes/target",
        "(VmRSS %s kB − empty %s kB) / %d, %.0f s after start (every target has had a "
        "result, and so its ring); VmHWM (peak) %s kB; ready in %.2f s" % (
            fmt(rss), fmt(rss0), n, iv + 3.0, fmt(hwm), ready))
    if 1 in res:
        rss1 = res[1][0]
        row(3, "memory: RSS per target (history 1)", (rss1 - rss0) * 1024 / n, "bytes/target",
            "history 64 − history 1 = %s B/target (63 results × 16 B = 1008 B)" %
            fmt((rss - rss1) * 1024 / n))


# ------------------------------------------------------------ figure 4

def try_status(f, sample, timeout):
    try:
        return f.status(sample, timeout=timeout), None
    except Exception as e:  # slow or cut short: that is a result too
        return None, str(e)


def reload_one_port(f, path, anchor):
    """The first "port = 1;" after anchor in path becomes 2, then SIGHUP,
    timed by our NOTIFY_SOCKET: futd says RELOADING=1 when it starts (a
    reactor turn after the signal) and READY=1 when done.  (signal time,
    RELOADING=1, READY=1, and futd's CPU user/system before and after)"""
    with open(path, "r+b") as fh:
        head = fh.read(4096)
        j = head.index(b"port = 1;", head.index(anchor))
        fh.seek(j)
        fh.write(b"port = 2;")
    cu0, cs0 = cpu_split(f.pid)
    r0 = time.monotonic()
    f.p.send_signal(signal.SIGHUP)
    while time.monotonic() - r0 < 60 and f.alive() and \
            f.notify.first("READY=1", after=r0) is None:
        time.sleep(0.005)
    cu1, cs1 = cpu_split(f.pid)
    return (r0, f.notify.first("RELOADING=1", after=r0), f.notify.first("READY=1", after=r0),
            cu0, cs0, cu1, cs1)


def figure4(sink):
    n, iv = SCALE_TARGETS, 60.0
    log("== figure 4: scale, %d targets at %.0f s (127.0.0.1 port 1: refused)" % (n, iv))
    need_kb = n * 6  # ~2.5 kB/target measured, x2 for the reload, margin
    if mem_available_kb() < need_kb:
        n2 = max(10000, int(mem_available_kb() / 6 / 2))
        log("   only %d MB available: %d targets instead of %d" % (mem_available_kb() // 1024, n2, n))
        n = n2
    # a status is written out 16 kB per reactor turn: under the start-up burst
    # even a small one is slow, so the sample is small and may fail
    sample = env("SCALE_SAMPLE", "t*000" if n <= 200000 else "t*0000")
    f = Futd("scale", notify=True)
    conf = f.conf
    t_gen = time.monotonic()
    conf_awk(conf, n, iv, 1, "hello", sock=f.sock)
    gen = time.monotonic() - t_gen
    size_mb = os.path.getsize(conf) / 1e6
    ao_spawn = tcp_active_opens()
    f.start()
    try:
        # poll with the protocol's ping (as `futctl ping`, but a 2 s bound per
        # try instead of 10); stop 15 s after READY=1 if the socket stays mute
        t_ping = None
        while time.monotonic() - f.t_spawn < SCALE_READY_MAX and f.alive():
            t_ready = f.notify.first("READY=1")
            if t_ready is not None and time.monotonic() - t_ready > 15:
                break
            if os.path.exists(f.sock):
                try:
                    rep, _, t_ans, _ = ctl_raw(f.sock, "ping", timeout=2.0)
                    if rep.get("code") == 200:
                        t_ping = t_ans - f.t_spawn
                        f.t_ping = t_ans
                        break
                except (OSError, RuntimeError, ValueError):
                    pass
            time.sleep(0.05)
        end = time.monotonic() + 5  # READY=1 comes with or after the socket
        while f.notify.first("READY=1") is None and time.monotonic() < end and f.alive():
            time.sleep(0.05)
        t_ready = f.notify.first("READY=1")
        rss, hwm0 = f.rss_kb(), proc_kb(f.pid, "VmHWM")
        cu, cs = cpu_split(f.pid)
        row(4, "scale %dk: start → control socket answers" % (n // 1000), t_ping, "s",
            "config %.0f MB written by awk in %.1f s; VmRSS %s MB after start (VmHWM, the "
            "peak, %s MB); futd's CPU by "
            "then %s s user, %s s system (the kernel handing out memory)%s" % (
                size_mb, gen, fmt(rss / 1024) if rss else "n/a",
                fmt(hwm0 / 1024) if hwm0 else "n/a",
                fmt(cu) if cu is not None else "n/a", fmt(cs) if cs is not None else "n/a",
                "" if t_ping is not None else "; NO ANSWER to ping within %.0f s of the "
                "start (15 s after READY=1)" % (time.monotonic() - f.t_spawn)))
        row(4, "scale %dk: start → READY=1 (sd_notify)" % (n // 1000),
            t_ready - f.t_spawn if t_ready else None, "s",
            "" if t_ready else "no READY=1 within the bound")
        if t_ping is None and t_ready is None:
            row(4, "scale %dk" % (n // 1000), "gave up", "", "futd not ready after %.0f s; %s"
                % (SCALE_READY_MAX, f.fail_note()))
            return
        t0 = t_ready or f.t_ping
        tries = 20.0 if t_ping is not None else 10.0
        ao0, sk0 = tcp_active_opens(), f.log_skipped
        time.sleep(max(0.0, t0 + SCALE_RUN - time.monotonic()))
        t1, ao1, sk1 = time.monotonic(), tcp_active_opens(), f.log_skipped
        sa, err_a = try_status(f, sample, tries)
        # reload: the same config with t0's port changed
        r0, t_rl, t_rd, cu0, cs0, cu1, cs1 = reload_one_port(f, conf, b'name = "t0";')
        row(4, "scale %dk: reload (SIGHUP, 1 target changed)" % (n // 1000),
            t_rd - r0 if t_rd else None, "s",
            "signal → READY=1; of which signal → RELOADING=1 (reactor latency) %s s, "
            "RELOADING=1 → READY=1 (the reload) %s s%s; futd's CPU meanwhile (probing "
            "included) %s s user, %s s system" % (
                fmt(t_rl - r0) if t_rl else "n/a", fmt(t_rd - t_rl) if t_rl and t_rd else "n/a",
                "" if t_rd else "; no READY=1 within 60 s",
                fmt(cu1 - cu0) if None not in (cu0, cu1) else "n/a",
                fmt(cs1 - cs0) if None not in (cs0, cs1) else "n/a"))
        t2, ao2, sk2 = time.monotonic(), tcp_active_opens(), f.log_skipped
        time.sleep(min(10.0, SCALE_RUN / 2))
        t3, ao3, sk3 = time.monotonic(), tcp_active_opens(), f.log_skipped
        sb, err_b = try_status(f, sample, tries)
        cpu = f.cpu() / HZ
        hwm = proc_kb(f.pid, "VmHWM")
    finally:
        t_stop = time.monotonic()
        rc = f.stop(grace=5)
        t_stop = time.monotonic() - t_stop
    rate = n / iv
    for label, ta, tb, aa, ab, ka, kb in (
            ("the first %.0f s" % (t1 - t0), t0, t1, ao0, ao1, sk0, sk1),
            ("%.0f s after the reload" % (t3 - t2), t2, t3, ao2, ao3, sk2, sk3)):
        exp = rate * (tb - ta)
        row(4, "scale %dk: probe starts over %s ÷ due" % (n // 1000, label),
            100.0 * (ab - aa) / exp, "%",
            "connect() calls system-wide (Tcp ActiveOpens: other work included; probes that "
            "failed before connect, e.g. fd_limit, not counted) %s/s for %s/s due" % (
                fmt((ab - aa) / (tb - ta)), fmt(rate)))
        row(4, "scale %dk: late over %s" % (n // 1000, label), 100.0 * (kb - ka) / exp, "% of due",
            "≥ %d slots skipped (from futd's late events in its log; folded repeats are not "
            "logged) of ≈ %.0f due" % (kb - ka, exp))
    if sa is not None:
        a = sa[0]
        row(4, "scale %dk: sample before the reload" % (n // 1000),
            100.0 * a["late"] / a["probes"] if a["probes"] else None, "% late",
            "status %s (%d targets) took %.2f s: %d probes since start (≈ %.0f due), "
            "late %d, failed %d" % (sample, a["n"], sa[2], a["probes"],
                                    a["n"] * min(1.0, (sa[1] - t0) / iv), a["late"], a["failed"]))
    else:
        row(4, "scale %dk: sample before the reload" % (n // 1000), None, "", err_a)
    if sa is not None and sb is not None:
        d = dsub(sb[0], sa[0])
        row(4, "scale %dk: sample across the reload" % (n // 1000),
            100.0 * d["late"] / d["probes"] if d["probes"] else None, "% late",
            "%d probes started (≈ %.0f due: unchanged targets not skipped if close), late %d" % (
                d["probes"], d["n"] * (sb[1] - sa[1]) / iv, d["late"]))
    elif sb is None:
        row(4, "scale %dk: sample after the reload" % (n // 1000), None, "", err_b)
    # the floor: the kernel's time for as much fresh memory as futd held
    touch = os.path.join(BIN, "touch")
    if rss and os.access(touch, os.X_OK):
        try:
            mib = int(rss / 1024)
            out = subprocess.run([touch, str(mib), "huge"], capture_output=True, text=True,
                                 timeout=120).stdout.split()
            row(4, "scale %dk: floor: %d MiB of fresh memory (huge pages)" % (n // 1000, mib),
                float(out[1]), "s",
                "bench/touch: mmap + madvise(MADV_HUGEPAGE) + a write per page, as much as "
                "futd's VmRSS after start, run after futd stopped. On a virtual machine that "
                "backs guest memory lazily this is warm memory (futd just gave it back): memory "
                "the guest has not touched for a while costs several times more")
        except (OSError, ValueError, IndexError, subprocess.TimeoutExpired) as e:
            row(4, "scale %dk: floor" % (n // 1000), None, "", "bench/touch failed: %s" % e)
    row(4, "scale %dk: run details" % (n // 1000), "", "",
        "CPU %.1f s in all; VmHWM %s MB; connect() system-wide from spawn to ready %s; futd log "
        "%d lines %s; stop (SIGTERM) took %.1f s, rc %s" % (
            cpu, fmt(hwm / 1024) if hwm else "n/a", fmt(ao0 - ao_spawn), f.log_lines,
            json.dumps(f.log_match) if f.log_match else "", t_stop, rc))


# ------------------------------------------------------------ figure 7

def wait_ready_notify(f, limit):
    """seconds from spawn to READY=1 (our NOTIFY_SOCKET), or None"""
    while time.monotonic() - f.t_spawn < limit and f.alive():
        t = f.notify.first("READY=1")
        if t is not None:
            return t - f.t_spawn
        time.sleep(0.02)
    return None


DIR_AWK = r"""BEGIN {
  printf "targets = (\n"
  for (i = 0; i < per; i++)
    printf "{ name = \"f%d-t%d\"; host = \"%s\"; port = %d; probe = \"hello\"; interval = %s; timeout = 2.0; }%s\n",
      k, i, host, p, iv, (i < per - 1 ? "," : "")
  printf ");\n"
}"""


def figure7(sink):
    """targets_dir: SCALE_TARGETS targets in DIR_FILES files, parsed on worker
    threads; a reload after one file changed reads that file only."""
    n, nf, iv = SCALE_TARGETS, int(env("DIR_FILES", "100")), 60.0
    log("== figure 7: %d targets in %d files of targets_dir, at %.0f s (port 1: refused)"
        % (n, nf, iv))
    f = Futd("confdir", notify=True, cpu="0-%d" % ((os.cpu_count() or 1) - 1))  # every core: the files are parsed on worker threads
    d = os.path.join(f.dir, "targets.d")
    os.mkdir(d)
    with open(f.conf, "w") as fh:
        fh.write('control_socket = "%s";\nhistory = 64;\nlog_level = "%s";\n'
                 'targets_dir = "targets.d";\n' % (f.sock, LOG_LEVEL))
    per = n // nf
    t_gen = time.monotonic()
    for k in range(nf):
        with open(os.path.join(d, "%03d.conf" % k), "w") as fh:
            subprocess.run(["awk", "-v", "per=%d" % per, "-v", "k=%d" % k, "-v", "host=" + HOST,
                            "-v", "p=1", "-v", "iv=%.6f" % iv, DIR_AWK], stdout=fh, check=True)
    gen = time.monotonic() - t_gen
    f.start()
    try:
        t_ready = wait_ready_notify(f, SCALE_READY_MAX)
        hwm, rss = proc_kb(f.pid, "VmHWM"), f.rss_kb()
        cu, cs = cpu_split(f.pid)
        row(7, "dir %dk in %d files: start → READY=1" % (n // 1000, nf), t_ready, "s",
            "files written by awk in %.1f s; VmHWM (peak) %s MB, VmRSS %s MB at READY=1; "
            "futd's CPU by then %s s user, %s s system (%d cores)" % (
                gen, fmt(hwm / 1024) if hwm else "n/a", fmt(rss / 1024) if rss else "n/a",
                fmt(cu) if cu is not None else "n/a", fmt(cs) if cs is not None else "n/a",
                os.cpu_count() or 0))
        if t_ready is None:
            return
        time.sleep(min(5.0, SCALE_RUN / 2))
        # one file changed: its first target's port
        r0, t_rl, t_rd, cu0, cs0, cu1, cs1 = reload_one_port(
            f, os.path.join(d, "%03d.conf" % (nf // 2)), b"targets = (")
        rl = t_rd - r0 if t_rd else None
        row(7, "dir %dk: reload, 1 file of %d changed" % (n // 1000, nf), rl, "s",
            "signal → READY=1 (RELOADING=1 → READY=1 %s s); %s of the start; futd's CPU "
            "meanwhile %s s user, %s s system; VmHWM after %s MB" % (
                fmt(t_rd - t_rl) if t_rl and t_rd else "n/a",
                "%.1f %%" % (100.0 * rl / t_ready) if rl else "n/a",
                fmt(cu1 - cu0) if None not in (cu0, cu1) else "n/a",
                fmt(cs1 - cs0) if None not in (cs0, cs1) else "n/a",
                fmt(proc_kb(f.pid, "VmHWM") / 1024)))
    finally:
        f.stop(grace=5)


# ------------------------------------------------------------ figure 5

def control_trials(sink, n, iv, trials):
    f = Futd("control%d" % n, conf_text(n, iv, "hello")).start()
    res = []
    try:
        ready = f.wait_ready(60)
        if ready is None:
            return None, "ERROR " + f.fail_note(), None
        time.sleep(3.0)
        settled = f.settle(15 if QUICK else 30)
        use_sink = sink.snap() is not None

        def snap():
            if use_sink:
                return sink.snap()
            return time.monotonic(), {"accepted": tcp_active_opens()}

        out = os.path.join(TMP, "status.json")
        for k in range(trials):
            a = snap()
            time.sleep(2.0)
            b = snap()
            t0 = time.monotonic()
            with open(out, "wb") as fh:
                try:
                    r = subprocess.run([FUTCTL, "-s", f.sock, "--json", "status"], stdout=fh,
                                       stderr=subprocess.PIPE, timeout=90)
                    rc, err = r.returncode, r.stderr.decode(errors="replace").strip()[:200]
                except subprocess.TimeoutExpired:
                    rc, err = "timeout", "no answer within 90 s"
            t1 = time.monotonic()
            c = snap()
            # the next cheap request: how long until futd answers again
            p0 = time.monotonic()
            while time.monotonic() - p0 < 30:
                if subprocess.run([FUTCTL, "-s", f.sock, "ping"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL).returncode == 0:
                    break
                time.sleep(0.05)
            ping = time.monotonic() - p0
            before, during = sink_rate(a, b), sink_rate(b, c)
            res.append({"wall": t1 - t0, "rc": rc, "bytes": os.path.getsize(out),
                        "before": before, "during": during, "ping": ping, "err": err})
            log("   %d targets, trial %d: %s" % (n, k + 1, json.dumps(res[-1])))
            if t1 - t0 > 10:
                break  # slow: one trial is enough
            time.sleep(1.0)
        src = "sink accepts" if use_sink else "system-wide Tcp ActiveOpens (no sink counters)"
        src += "; settled %s" % ("after %.1f s" % settled if settled is not None else "NOT (ping "
                                 "still slow after the bound)")
        return res, src, f.log_skipped
    finally:
        f.stop()


def figure5(sink):
    sizes = [(CONTROL_TARGETS, CONTROL_INTERVAL)]
    if not QUICK:  # the same 10 000 probes/s with a tenth of the targets, for contrast
        sizes.insert(0, (CONTROL_TARGETS // 10, CONTROL_INTERVAL / 10))
    for n, iv in sizes:
        log("== figure 5: control under load, %d targets every %.0f s" % (n, iv))
        trials, src, skipped = control_trials(sink, n, iv, 1 if QUICK else 3)
        if trials is None:
            row(5, "control %dk" % (n // 1000), None, "", src)
            continue
        wall = median([t["wall"] for t in trials])
        ratios = [t["during"] / t["before"] for t in trials
                  if t["before"] and t["during"] is not None]
        row(5, "control %dk@%gs: futctl --json status wall" % (n // 1000, iv), wall, "s",
            "median of %d; rc %s; output %s MB; then `futctl ping` answered after %s s%s" % (
                len(trials), "/".join(str(t["rc"]) for t in trials),
                fmt(median([t["bytes"] for t in trials]) / 1e6),
                fmt(median([t["ping"] for t in trials])),
                "; " + trials[0]["err"] if trials[0]["err"] else ""))
        row(5, "control %dk@%gs: probe rate during status ÷ before" % (n // 1000, iv),
            100 * median(ratios) if ratios else None, "%",
            "per trial %s; before ≈ %s/s (target %s/s), from %s; late slots logged since "
            "start ≥ %d" % ("/".join("%.0f%%" % (100 * x) for x in ratios),
                            fmt(median([t["before"] for t in trials])), fmt(n / iv), src, skipped))


# ------------------------------------------------------------ figure 6

def parse_strace(path):
    rows = {}
    with open(path) as fh:
        for line in fh:
            t = line.split()
            if len(t) < 5 or not re.match(r"^[\d.]+$", t[0]) or t[-1] == "total":
                continue
            calls = int(t[3])
            errors = int(t[4]) if len(t) == 6 else 0
            rows[t[-1]] = (calls, errors)
    return rows


def syscall_list(rows, probes):
    items = sorted(rows.items(), key=lambda kv: -kv[1][0])
    return ", ".join("%s %.2f" % (k, v[0] / probes) for k, v in items if v[0] / probes >= 0.005)


def figure6(sink):
    secs = 2.0 if QUICK else 4.0
    log("== figure 6: syscalls and mallocs per probe (closed64)")
    if shutil.which("strace"):
        f = Futd("strace-hello", conf_text(64, 0.001, "hello")).start()
        try:
            if f.wait_ready() is None:
                row(6, "syscalls: futd", None, "", "ERROR " + f.fail_note())
                return
            time.sleep(1.0)
            out = os.path.join(OUT, "strace.futd.txt")
            s0, _, _, _ = f.status()
            st = spawn(["strace", "-f", "-c", "-o", out, "-p", str(f.pid)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(secs)
            stop(st, grace=10, sig=signal.SIGINT)
            s1, _, _, _ = f.status()
        finally:
            f.stop()
        rows = parse_strace(out)
        # a probe is one socket(); its connect (and close) may go through
        # io_uring, inside the io_uring_enter() calls counted here
        probes = rows.get("socket", (0, 0))[0]
        total = sum(v[0] for v in rows.values())
        cnt = dsub(s1, s0)["probes"]
        if probes:
            row(6, "syscalls per hello probe: futd", total / probes, "syscalls",
                "%d socket() under strace (futd counted %d probes around the window); "
                "connect and close through io_uring: %s" % (
                    probes, cnt, "yes" if "io_uring_enter" in rows else "no"))
            DETAILS.append(("Figure 6: futd syscalls per hello probe (strace -c, %d probes)" % probes,
                            syscall_list(rows, probes)))
        ref = None
        if have_epoll():
            for eager in (False, True):
                out = os.path.join(OUT, "strace.epoll%s.txt" % ("_eager" if eager else ""))
                j = epoll_prober("closed", 64, secs, "hello", eager=eager,
                                 wrap=["strace", "-f", "-c", "-o", out])
                er = parse_strace(out)
                ep = er.get("connect", (0, 0))[0]
                if not ep:
                    continue
                # the process' start-up calls (execve, mmap...) are few; left in
                et = sum(v[0] for v in er.values())
                label = "epoll_prober" + (" --eager" if eager else "")
                if not eager:
                    ref = et / ep
                row(6, "syscalls per hello probe: %s" % label, et / ep, "syscalls",
                    "%d connect() under strace; ok %s" % (ep, j and j.get("probes_ok")))
                DETAILS.append(("Figure 6: %s syscalls per hello probe (strace -c, %d probes)" % (
                    label, ep), syscall_list(er, ep)))
        if probes and ref:
            row(6, "syscalls per hello probe: futd ÷ epoll", total / probes / ref, "×",
                "under strace futd runs slower: more epoll_wait per probe than at full speed")
    else:
        row(6, "syscalls per probe", "skipped", "", "strace not installed (apt-get install strace)")

    so = os.path.join(BIN, "malloc_count.so")
    if not os.access(so, os.R_OK):
        row(6, "mallocs per probe", "skipped", "", "no %s" % so)
        return
    runs = [("closed64 hello", 64, 0.001, "hello", 1.0),
            ("closed64 peeraddr", 64, 0.001, "peeraddr", 1.0),
            ("rate10k hello", 10000, 1.0, "hello", 2.0)]
    for name, n, iv, job, warm in (runs[:1] if QUICK else runs):
        cf = os.path.join(TMP, "mc.%d" % n)
        f = Futd("malloc-" + job, conf_text(n, iv, job), preload=so,
                 extra_env={"MALLOC_COUNT_FILE": cf}).start()
        # probes in the window: the sink's accepts (no control call inside the
        # window; a status of 10k targets would itself allocate a lot)
        sample = "t*" if n <= 64 else "t*00"
        scale = 1 if n <= 64 else 100
        try:
            if f.wait_ready(30) is None:
                row(6, "mallocs per probe: " + name, None, "", "ERROR " + f.fail_note())
                continue
            time.sleep(warm)

            def mc():
                with open(cf, "rb") as fh:
                    return struct.unpack("<5Q", fh.read(40))
            s0, _, _, _ = f.status(sample)
            k0, m0 = sink.snap(), mc()
            time.sleep(secs)
            m1, k1 = mc(), sink.snap()
            s1, _, _, _ = f.status(sample)
        finally:
            f.stop()
        d = [b - a for a, b in zip(m0, m1)]
        if k0 and k1:
            p, src = k1[1]["accepted"] - k0[1]["accepted"], "sink accepts"
        else:
            p, src = dsub(s1, s0)["probes"] * scale, "futd counters"
        if p:
            row(6, "mallocs per probe: " + name, (d[0] + d[1] + d[2] + d[4]) / p, "allocs",
                "malloc %.4f calloc %.4f realloc %.4f free %.4f per probe over %d probes (%s; "
                "LD_PRELOAD counter)" % (d[0] / p, d[1] / p, d[2] / p, d[3] / p, p, src))


# ------------------------------------------------------------ report

def machine():
    cpu = ""
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = mem_available_kb()
    with open("/proc/meminfo") as fh:
        total = int(fh.readline().split()[1])
    return {"nproc": NCPU, "kernel": os.uname().release, "cpu": cpu,
            "mem": "%.1f GiB (%.1f GiB available at start)" % (total / 1048576, mem / 1048576),
            "load": open("/proc/loadavg").read().split()[:3]}


def sorted_rows():
    return sorted(ROWS, key=lambda r: r[0])  # by figure, in run order within one


def table_md():
    out = ["| figure | measure | value | unit | notes |", "| --- | --- | ---: | --- | --- |"]
    for fig, name, v, unit, notes in sorted_rows():
        out.append("| %s | %s | %s | %s | %s |" % (fig, name, fmt(v), unit,
                                                   notes.replace("|", "\\|")))
    return "\n".join(out)


def table_text():
    w = max([len(r[1]) for r in ROWS] + [10])
    out = ["%-3s %-*s %14s  %-12s %s" % ("fig", w, "measure", "value", "unit", "notes")]
    for fig, name, v, unit, notes in sorted_rows():
        out.append("%-3s %-*s %14s  %-12s %s" % (fig, w, name, fmt(v), unit, notes))
    return "\n".join(out)


def command_line():
    keys = ["QUICK", "FIGURES", "REPS", "DURATION", "RATE_SECONDS", "SCALE_TARGETS", "SCALE_RUN",
            "CONTROL_TARGETS", "CONTROL_INTERVAL", "PORT", "FUTD_CPU", "SINK_CPU",
            "FUTD_LOG_LEVEL"]
    parts = ["%s=%s" % (k, os.environ[k]) for k in keys if os.environ.get(k)]
    if os.environ.get("SHARED_BENCH_USER"):
        parts.append("SHARED_BENCH=" + os.environ["SHARED_BENCH_USER"])
    return " ".join(parts + [os.environ.get("BENCH_CMD", "sh bench/run.sh")])


def write_results(m, t_start, t_end, load_before, load_after):
    if not RESULTS_MD:
        return
    rel = os.path.relpath(OUT, ROOT)
    lines = [
        "# futd benchmark results",
        "",
        "Generated by `bench/run.sh` on %s (took %.0f s). Raw data: `%s/`." % (
            time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t_start)), t_end - t_start, rel),
        "",
        "## Machine and command",
        "",
        "- nproc: %d; kernel: %s; CPU: %s; memory: %s" % (m["nproc"], m["kernel"], m["cpu"],
                                                          m["mem"]),
        "- load average before / after: %s / %s" % (" ".join(load_before), " ".join(load_after)),
        "- futd on CPU %d, target server (%s) on CPU %d, pinned with taskset; loopback %s:%d..%d" % (
            FUTD_CPU, SINK_KIND, SINK_CPU, HOST, PORT, PORT + NPORTS - 1),
        "- binary: %s; shared measuring stick: %s" % (FUTD_VERSION, SHARED or "not found (epoll "
                                                    "comparison skipped)"),
        "- generated configs use `log_level = \"%s\"` (futd's log goes to a pipe that counts lines)"
        % LOG_LEVEL,
        "- command: `%s`%s" % (command_line(), " (QUICK: shorter, smaller figures)" if QUICK else ""),
        "",
        "**Noise.** The machine was shared with other work during the run (builds, tests,",
        "package installs on the same 2 cores), so absolute figures are noisy; quote the",
        "ratios (futd ÷ epoll), which come from adjacent runs in the same session.",
        "",
        "## Results",
        "",
        table_md(),
        "",
    ]
    if DETAILS:
        lines += ["## Details", ""]
        for title, body in DETAILS:
            lines += ["**%s**: %s" % (title, body), ""]
    lines += [
        "## What each figure measures",
        "",
        "1. `closed64`: 64 targets at interval 0.001 s, so each target starts a new probe as soon",
        "   as its slot comes after the last is done (a closed loop; `late` counts the slots that",
        "   passed). probes/s = Δok between two `status` calls ÷ the time between them, after 1 s",
        "   of warm-up. `epoll_prober` is the shared bare prober (non-blocking connect, epoll,",
        "   write, close); `--eager` writes right after connect(). Runs interleave, the order",
        "   rotating; the ratio is taken per repetition, then the median.",
        "2. `rate10k`: 10 000 targets each every 1 s (10 000 probes/s due) to the sink, measured",
        "   once futd has settled (3 `futctl ping` in a row under 0.1 s). CPU per probe =",
        "   Δ(utime+stime) of /proc/PID/stat (10 ms ticks) ÷ the sink's Δaccepted over the same",
        "   window. *late* (slots skipped) and *missed* (due − started) come from a status of the",
        "   sample `t*00` (1 % of the targets), so that the reading costs the window nothing.",
        "   %d windows, each on a fresh futd and each followed by a window of `epoll_prober"
        % int(env("RATE_REPS", "1" if QUICK else "3")),
        "   --mode rate`: the ratio is per window, then the median.",
        "3. VmRSS with 100 000 targets (interval 10 s, history 64) once every target has had a",
        "   result (and so its history ring), minus VmRSS with `targets = ();`, per target.",
        "4. %s targets at 60 s to 127.0.0.1 port 1 (refused at once, no TIME_WAIT)," % fmt(SCALE_TARGETS),
        "   config by awk. Start → the first `futctl ping` that answers, and → READY=1 on a",
        "   NOTIFY_SOCKET of ours. Reload = SIGHUP after one target's port changed in the file,",
        "   timed to the READY=1 that ends it. Late probes: the `N probes skipped` of futd's",
        "   late events in its log (a lower bound: repeats are folded), and a status of a small",
        "   sample of the targets before and after the reload. The floor: `bench/touch` maps as",
        "   much fresh memory as futd's VmRSS after start, asks for huge pages and writes each",
        "   page: what the kernel alone takes to hand out that memory on this machine.",
        "5. %s targets every %g s (%s probes/s due, hello, to the sink), once settled%s." % (
            fmt(CONTROL_TARGETS), CONTROL_INTERVAL, fmt(CONTROL_TARGETS / CONTROL_INTERVAL),
            "" if QUICK else ";\n   for contrast also a tenth of the targets at a tenth of the interval"),
        "   `futctl --json status` wall time (futctl gives up after 10 s without a byte); probe",
        "   rate during the call = the sink's accepted connections from just before to just after",
        "   the call ÷ that time, against the same rate over the 2 s before.",
        "6. `strace -f -c -p PID` on futd closed64 hello for a few seconds; probes = socket()",
        "   calls in the same trace. `epoll_prober` run under `strace -f -c`. Mallocs: an",
        "   LD_PRELOAD counter (bench/malloc_count.c) read from a shared file around a window",
        "   with no control calls, ÷ the sink's Δaccepted.",
        "",
        "RESULTS.md is rewritten by every run of bench/run.sh.",
    ]
    with open(RESULTS_MD, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    log("== wrote %s" % RESULTS_MD)


def free_ports(base):
    for cand in range(base, base + 2000, 100):
        ok = True
        for k in range(NPORTS):
            s = socket.socket()
            try:
                s.bind((HOST, cand + k))
            except OSError:
                ok = False
            finally:
                s.close()
            if not ok:
                break
        if ok:
            return cand
    raise RuntimeError("no 64 free ports from %d" % base)


SINK_KIND = "?"
FUTD_VERSION = "?"


def run():
    global PORT, SINK_KIND, FUTD_VERSION
    for b in (FUTD, FUTCTL):
        if not os.access(b, os.X_OK):
            sys.exit("bench: %s not found: build it first (make)" % b)
    os.makedirs(OUT, exist_ok=True)
    FUTD_VERSION = "%s (%s, built %s)" % (
        subprocess.run([FUTD, "-V"], capture_output=True, text=True).stdout.strip(),
        os.path.relpath(FUTD, ROOT),
        time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(os.path.getmtime(FUTD))))
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "daemon"],
                               capture_output=True, text=True).stdout.strip()
        FUTD_VERSION += "; tree %s%s" % (head, " with local changes in daemon/" if dirty else "")
    except OSError:
        pass
    PORT = free_ports(PORT)
    m = machine()
    t_start = time.time()
    load_before = m["load"]
    log("== futd benchmark: %s, nproc %d, kernel %s, %s" % (FUTD_VERSION, m["nproc"], m["kernel"],
                                                             m["cpu"]))
    log("== figures %s%s; raw data in %s" % (" ".join(FIGURES), " (QUICK)" if QUICK else "", OUT))
    sink = Sink(PORT).start()
    SINK_KIND = sink.kind
    log("== target server: %s pid %d on CPU %d, %s:%d..%d" % (
        sink.kind, sink.p.pid, SINK_CPU, HOST, PORT, PORT + NPORTS - 1))
    figs = {"1": figure1, "2": figure2, "3": figure3, "4": figure4, "5": figure5, "6": figure6,
            "7": figure7}
    try:
        for f in FIGURES:
            if f not in figs:
                log("unknown figure %s" % f)
                continue
            t = time.monotonic()
            try:
                figs[f](sink)
            except Exception as e:  # one broken figure must not lose the others
                import traceback
                traceback.print_exc()
                row(f, "figure %s" % f, None, "", "ERROR %s: %s" % (type(e).__name__, e))
            log("   (figure %s took %.0f s)" % (f, time.monotonic() - t))
    finally:
        sink.stop()
    t_end = time.time()
    with open(os.path.join(OUT, "rows.json"), "w") as fh:
        json.dump(ROWS, fh, indent=1)
    log("")
    log(table_text())
    for title, body in DETAILS:
        log("\n%s:\n  %s" % (title, body))
    log("")
    write_results(m, t_start, t_end, load_before, open("/proc/loadavg").read().split()[:3])


# ------------------------------------------------------------ profile

def parse_callgrind_calls(path, names):
    """total calls= to functions whose name is in `names` (callgrind out format)"""
    ids, calls, cur = {}, {n: 0 for n in names}, None
    rx = re.compile(r"^(c?fn)=\((\d+)\)(?: (.*))?$")
    with open(path) as fh:
        for line in fh:
            m = rx.match(line)
            if m:
                kind, i, name = m.groups()
                if name:
                    ids[i] = name.strip()
                if kind == "cfn":
                    cur = ids.get(i)
                continue
            if line.startswith("calls=") and cur is not None:
                base = cur.split("'")[0]
                if base in calls:
                    calls[base] += int(line[6:].split()[0])
                cur = None
    return calls


def callgrind_top(path, inclusive, k=15):
    """PROGRAM TOTALS and the top k functions of callgrind_annotate's table
    (one row per function: the per-source-file duplicates of inlined code
    are folded into the largest)"""
    r = subprocess.run(["callgrind_annotate", "--inclusive=" + ("yes" if inclusive else "no"),
                        "--threshold=100", "--auto=no", path], capture_output=True, text=True)
    total, rows, section = None, {}, False
    for line in r.stdout.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
            continue
        if "file:function" in line:
            section = True
            continue
        if not section:
            continue
        m = re.match(r"^\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(\S+?):(\S+)(?:\s+\[(.*)\])?\s*$",
                     line)
        if not m:
            continue
        ir = int(m.group(1).replace(",", ""))
        fn = m.group(3)
        obj = os.path.basename(m.group(4) or "")
        if fn.startswith("0x"):
            fn = "%s+%s (no symbol)" % (obj or "?", fn)
        key = fn
        if key not in rows or rows[key][0] < ir or (rows[key][0] == ir and obj and
                                                    "[" not in rows[key][1]):
            rows[key] = (ir, fn + ("  [" + obj + "]" if obj and "no symbol" not in fn else ""))
    top = sorted(rows.values(), key=lambda x: -x[0])[:k]
    return total, top, r.stdout


PROFILE_MARK = "<!-- sh bench/profile.sh writes what follows; what precedes stays -->"


def profile():
    global PORT
    os.makedirs(OUT, exist_ok=True)
    PORT = free_ports(PORT)
    secs = float(env("PROFILE_SECONDS", "10"))
    sink = Sink(PORT).start()
    md = ["# futd profile: figure 1 (closed64 hello)", "",
          "Generated by `sh bench/profile.sh` on %s; %s (built %s); nproc %d, kernel %s, %s. "
          "Raw data: `%s/`." % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                subprocess.run([FUTD, "-V"], capture_output=True,
                                               text=True).stdout.strip(),
                                time.strftime("%Y-%m-%d %H:%M:%S UTC",
                                              time.gmtime(os.path.getmtime(FUTD))),
                                NCPU, os.uname().release, machine()["cpu"],
                                os.path.relpath(OUT, ROOT)), ""]
    try:
        # ---- callgrind: deterministic instruction counts
        if shutil.which("valgrind"):
            cg = os.path.join(OUT, "callgrind.out")
            f = Futd("cg-hello", conf_text(64, 0.001, "hello"),
                     wrap=["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg,
                           "--instr-atstart=no"]).start()
            try:
                if f.wait_ready(60) is None:
                    raise RuntimeError("futd under callgrind: " + f.fail_note())
                time.sleep(2.0)
                s0, _, _, _ = f.status()
                r = subprocess.run(["callgrind_control", "-i", "on", str(f.pid)],
                                   capture_output=True, text=True, timeout=60)
                log("callgrind_control -i on: " + (r.stdout + r.stderr).strip())
                time.sleep(secs)
                subprocess.run(["callgrind_control", "-i", "off", str(f.pid)],
                               capture_output=True, timeout=60)
                s1, _, _, _ = f.status()
            finally:
                f.stop(grace=30)
            calls = parse_callgrind_calls(cg, ["socket", "malloc", "calloc", "realloc", "free",
                                               "epoll_wait", "event_base_loop"])
            probes = calls["socket"]  # one a probe; connect may go through io_uring
            total, top, text = callgrind_top(cg, True, 15)
            _, topself, text2 = callgrind_top(cg, False, 15)
            with open(os.path.join(OUT, "callgrind.inclusive.txt"), "w") as fh:
                fh.write(text)
            with open(os.path.join(OUT, "callgrind.self.txt"), "w") as fh:
                fh.write(text2)
            md += ["## callgrind (user-space instructions, deterministic)", "",
                   "futd under `valgrind --tool=callgrind --instr-atstart=no`, instrumentation "
                   "switched on for %.0f s after warm-up (`callgrind_control -i on/off`). Probes "
                   "in the window = calls to socket(): %d (futd's counters around the window: %d)."
                   % (secs, probes, dsub(s1, s0)["probes"]), ""]
            if probes and total:
                alloc = calls["malloc"] + calls["calloc"] + calls["realloc"]
                md += ["- instructions per probe: **%s** (%s in all)" % (fmt(total / probes),
                                                                          fmt(total)),
                       "- heap calls per probe: malloc %.3f, calloc %.3f, realloc %.3f, free %.3f "
                       "→ **%.3f allocations per probe**" % (
                           calls["malloc"] / probes, calls["calloc"] / probes,
                           calls["realloc"] / probes, calls["free"] / probes, alloc / probes),
                       "- epoll_wait calls per probe: %.3f" % (calls["epoll_wait"] / probes), "",
                       "Top 15 by inclusive cost (share of all instructions in the window; "
                       "instructions per probe):", "",
                       "| # | function | inclusive Ir | share | Ir/probe |",
                       "| ---: | --- | ---: | ---: | ---: |"]
                for i, (ir, fn) in enumerate(top, 1):
                    md.append("| %d | `%s` | %s | %.1f %% | %s |" % (i, fn, fmt(ir),
                                                                       100 * ir / total,
                                                                       fmt(ir / probes)))
                md += ["", "Top 15 by self cost:", "",
                       "| # | function | self Ir | share | Ir/probe |",
                       "| ---: | --- | ---: | ---: | ---: |"]
                for i, (ir, fn) in enumerate(topself, 1):
                    md.append("| %d | `%s` | %s | %.1f %% | %s |" % (i, fn, fmt(ir),
                                                                       100 * ir / total,
                                                                       fmt(ir / probes)))
                md.append("")
        # ---- perf: where the CPU time goes, kernel included
        if shutil.which("perf"):
            pd = os.path.join(OUT, "perf.data")
            f = Futd("perf-hello", conf_text(64, 0.001, "hello")).start()
            try:
                if f.wait_ready() is None:
                    raise RuntimeError("futd: " + f.fail_note())
                time.sleep(1.0)
                s0, _, _, _ = f.status()
                pr = spawn(["perf", "record", "-q", "-e", "cpu-clock", "-F", "2000",
                            "--call-graph", "dwarf,16384", "-o", pd, "-p", str(f.pid)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                time.sleep(min(secs, 5.0))
                stop(pr, grace=60, sig=signal.SIGINT)
                s1, _, _, _ = f.status()
            finally:
                f.stop()
            rep = subprocess.run(["perf", "report", "-i", pd, "--children", "--stdio",
                                  "--no-header", "-g", "none", "--percent-limit", "0.2",
                                  "--sort", "symbol"], capture_output=True, text=True,
                                 timeout=600)
            with open(os.path.join(OUT, "perf.children.txt"), "w") as fh:
                fh.write(rep.stdout)
            top = []
            for line in rep.stdout.splitlines():
                m = re.match(r"^\s*([\d.]+)%\s+([\d.]+)%\s+\[(.)\]\s+(.*)$", line)
                if m:
                    top.append((float(m.group(1)), float(m.group(2)), m.group(3),
                            re.sub(r"(\s+-)+\s*$", "", m.group(4)).strip()))
            md += ["## perf (cpu-clock samples, user and kernel)", "",
                   "`perf record -e cpu-clock -F 2000 --call-graph dwarf -p PID` for %.0f s on futd "
                   "closed64 hello (%s probes in the window; hardware counters are not available "
                   "in this VM). Top 15 by inclusive (children) share; [k] kernel, [.] user:" % (
                       min(secs, 5.0), fmt(dsub(s1, s0)["probes"])), "",
                   "| # | function | inclusive | self |", "| ---: | --- | ---: | ---: |"]
            for i, (ch, sf, k, fn) in enumerate(top[:15], 1):
                md.append("| %d | `[%s] %s` | %.1f %% | %.1f %% |" % (i, k, fn, ch, sf))
            md.append("")
            dso = subprocess.run(["perf", "report", "-i", pd, "--no-children", "--stdio",
                                  "--no-header", "-g", "none", "--sort", "dso"],
                                 capture_output=True, text=True, timeout=600).stdout
            split = [(float(m.group(1)), m.group(2).strip()) for m in
                     (re.match(r"^\s*([\d.]+)%\s+(\S+)", l) for l in dso.splitlines()) if m]
            md += ["Self time by object: " + ", ".join("%s %.1f %%" % (d, p) for p, d in split
                                                         if p >= 0.5), ""]
            wrappers = ("__libc_connect", "__socket", "__GI_socket", "__close", "__GI___close",
                        "__send", "__libc_send", "__GI___getpeername", "__getpeername",
                        "__getsockname", "__GI___getsockname", "epoll_wait", "__GI_epoll_wait",
                        "timerfd_settime")
            seen, sysrows = set(), []
            for line in rep.stdout.splitlines():
                m = re.match(r"^\s*([\d.]+)%\s+([\d.]+)%\s+\[\.\]\s+(\S+)", line)
                if m and m.group(3) in wrappers and m.group(3) not in seen:
                    seen.add(m.group(3))
                    sysrows.append("%s %.1f %%" % (m.group(3), float(m.group(1))))
            md += ["Inclusive share of the libc syscall wrappers (kernel time under them "
                   "included): " + ", ".join(sysrows), ""]
            self_top = sorted(top, key=lambda x: -x[1])[:15]
            md += ["Top 15 by self share:", "", "| # | function | self |", "| ---: | --- | ---: |"]
            for i, (ch, sf, k, fn) in enumerate(self_top, 1):
                md.append("| %d | `[%s] %s` | %.1f %% |" % (i, k, fn, sf))
            md.append("")
    finally:
        sink.stop()
    path = env("PROFILE_MD", os.path.join(HERE, "PROFILE.md"))
    # what is written by hand above the marker stays (issue 23's notes)
    head = ""
    if os.path.exists(path):
        with open(path) as fh:
            old = fh.read()
        if PROFILE_MARK in old:
            head = old[:old.index(PROFILE_MARK) + len(PROFILE_MARK)] + "\n\n"
    with open(path, "w") as fh:
        fh.write(head + "\n".join(md) + "\n")
    log("\n".join(md))
    log("== wrote %s" % path)


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "run"
    if what == "run":
        run()
    elif what == "profile":
        profile()
    else:
        sys.exit("usage: driver.py run|profile")
