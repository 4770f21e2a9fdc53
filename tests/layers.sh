#!/bin/sh
# layers.sh - the graph of calls between futd's files, its loops, and what
# has outgrown its size.
#
#   sh tests/layers.sh          from the top of the tree
#   VERBOSE=1 sh tests/layers.sh  every edge with the functions behind it
#
# Builds every daemon/ and client/ object without optimisation and without
# LTO (in LAYERS_BUILD, build/layers: each object keeps each of its
# calls), reads the relocations of each (objdump -dr: which function of
# this file names which symbol; objdump -r: what a table in its data
# names), maps each symbol to the file that defines it (nm) and prints:
#
#   - the edges file -> file (a call, or a function's or a variable's
#     address taken: a callback one layer registers with another counts
#     for the one that names it, not for the one that calls it back);
#   - every strongly connected component of more than one file (a loop),
#     with the edges inside it and the functions behind them;
#   - the edges that call up against the house's order of layers
#     (STYLE.md; below), and the daemon's files in no layer: each fails;
#   - functions over 100 lines, files over 1 200 lines and headers over
#     300 lines in daemon/ and client/: each fails.
#
# Exits 1 when there is a loop, a call up or something over those sizes,
# 0 when neither, 2 when it could not build or read the objects.  `make
# check` runs it after the suites.  Nothing is run; nothing is written
# outside LAYERS_BUILD (and LAYERS_BUILD.log).
set -eu

# not BUILD: a make that runs us exports its own
BUILD=${LAYERS_BUILD:-build/layers}
MAKE=${MAKE:-make}
export BUILD
mkdir -p "$BUILD"

srcs=$(ls daemon/*.c client/*.c)
objs=
for s in $srcs; do
	objs="$objs $BUILD/${s%.c}.o"
done
# (not a parent make's flags: its SANITIZE=, its BUILD=)
# shellcheck disable=SC2086
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    $MAKE -s --no-print-directory BUILD="$BUILD" LTO= CFLAGS="-O0" $objs \
    >"$BUILD.log" 2>&1 || {
	cat "$BUILD.log" >&2
	echo "layers: could not build the objects" >&2
	exit 2
}

# shellcheck disable=SC2086
exec python3 - $srcs <<'EOF'
import os, re, subprocess, sys

BUILD = os.environ["BUILD"]
VERBOSE = os.environ.get("VERBOSE", "") not in ("", "0")
srcs = sys.argv[1:]


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


def obj(src):
    return os.path.join(BUILD, src[:-2] + ".o")


# where each global symbol is defined; the client and the daemon are two
# programs (a name may be defined once in each: main)
defs = {}
for s in srcs:
    for line in run("nm", "--defined-only", "-g", obj(s)).splitlines():
        f = line.split()
        if len(f) == 3:
            defs.setdefault(f[2], []).append(s)


def owner(sym, src):
    where = defs.get(sym)
    if not where:
        return None
    same = [w for w in where if w.split("/")[0] == src.split("/")[0]]
    return (same or where)[0]


CODE = re.compile(r"^[0-9a-f]+ <(.+)>:$")
RELOC = re.compile(r"^\s+[0-9a-f]+: (R_\S+)\s+([^\s+-]+)")
SECT = re.compile(r"^RELOCATION RECORDS FOR \[(.+)\]:$")
# edges[(a, b)] = {(function in a, symbol of b)}
edges = {}
for s in srcs:
    fn = None
    for line in run("objdump", "-dr", obj(s)).splitlines():
        m = CODE.match(line)
        if m:
            fn = m.group(1)
            continue
        m = RELOC.match(line)
        if m and fn:
            d = owner(m.group(2), s)
            if d and d != s:
                edges.setdefault((s, d), set()).add((fn, m.group(2)))
    # tables in data: an initialiser that names another file's function
    sect = None
    for line in run("objdump", "-r", obj(s)).splitlines():
        m = SECT.match(line)
        if m:
            sect = m.group(1)
            continue
        f = line.split()
        if (sect is None or len(f) != 3 or not f[1].startswith("R_")
                or sect.startswith((".text", ".debug", ".eh_frame"))):
            continue
        sym = re.split(r"[+-]", f[2])[0]
        d = owner(sym, s)
        if d and d != s:
            edges.setdefault((s, d), set()).add(("(data %s)" % sect, sym))

files = sorted(set(srcs))
succ = {f: sorted({b for (a, b) in edges if a == f}) for f in files}

# Tarjan's strongly connected components (iterative)
index, low, onstack, stack, sccs = {}, {}, set(), [], []
counter = [0]
for root in files:
    if root in index:
        continue
    work = [(root, 0)]
    while work:
        v, i = work.pop()
        if i == 0:
            index[v] = low[v] = counter[0]
            counter[0] += 1
            stack.append(v)
            onstack.add(v)
        recurse = False
        for j in range(i, len(succ[v])):
            w = succ[v][j]
            if w not in index:
                work.append((v, j + 1))
                work.append((w, 0))
                recurse = True
                break
            if w in onstack:
                low[v] = min(low[v], index[w])
        if recurse:
            continue
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                onstack.discard(w)
                comp.append(w)
                if w == v:
                    break
            sccs.append(sorted(comp))
        if work:
            u = work[-1][0]
            low[u] = min(low[u], low[v])


def calls(a, b, limit=None):
    pairs = sorted(edges[(a, b)])
    txt = ", ".join("%s -> %s" % p for p in pairs[:limit])
    if limit and len(pairs) > limit:
        txt += ", ... (%d)" % len(pairs)
    return txt


print("== edges (file -> files it calls or names)")
for a in files:
    if succ[a]:
        print("%-20s -> %s" % (a, " ".join(succ[a])))
        if VERBOSE:
            for b in succ[a]:
                print("    %s: %s" % (b, calls(a, b)))

loops = [c for c in sccs if len(c) > 1]
print()
print("== loops (strongly connected components of more than one file): %d"
      % len(loops))
for c in sorted(loops, key=len, reverse=True):
    print("loop of %d: %s" % (len(c), " ".join(c)))
    for a in c:
        for b in succ[a]:
            if b in c:
                print("    %s -> %s: %s" % (a, b, calls(a, b, 6)))

# The house's layers (STYLE.md), lowest first: a file calls only files of
# its own layer or below; news goes up through callbacks.  log, heap and
# slab serve everyone; the client is a program of its own.  A target's
# config (target_conf: what a probe is told, TLS settings and all) sits
# with the probe; its results (results.c: the ring and the statistics a
# target's task fills, a structure it owns) just below the scheduler; the
# news of a result (events.c) above it, told through the daemon's on_state,
# on_failure and on_late.
HOUSE = [
    ("base", "log heap slab strlist"),
    ("core", "task"),
    ("io", "net dns tls uring step"),
    ("probe", "probe target_conf"),
    ("results", "results"),
    ("schedule", "target adhoc maint"),
    ("record", "events"),
    ("config", "conf_keys conf_labels conf_host conf_syntax conf_value conf_read conf_target conf_steps conf_dir conf reload daemon"),
    ("serve", "alerts report control control_maint metrics html svg web web_query web_api web_target http hook jsonw proto sdnotify state state_file state_load"),
    ("main", "server futd"),
]
layer = {}
for i, (name, names) in enumerate(HOUSE):
    for f in names.split():
        layer["daemon/%s.c" % f] = (i, name)
print()
print("== calls up, against the house's layers (%s)" %
      " < ".join(n for n, _ in HOUSE))
up = []
for a in files:
    for b in succ[a]:
        if a in layer and b in layer and layer[b][0] > layer[a][0]:
            up.append(a)
            print("%s (%s) -> %s (%s): %s" % (a, layer[a][1], b,
                  layer[b][1], calls(a, b, 6)))
for f in files:
    if f.startswith("daemon/") and f not in layer:
        up.append(f)
        print("%s: in no layer (tests/layers.sh: HOUSE)" % f)

# sizes: a function from its name at the start of a line to the "}" that
# closes it at the start of a line (style(9)).
over = []


def oversize(path, what):
    over.append(path)
    print("%s: %s" % (path, what))


print()
print("== functions over 100 lines")
FUNC = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\(")
for s in files:
    with open(s) as fh:
        lines = fh.read().split("\n")
    name, start = None, 0
    for n, line in enumerate(lines, 1):
        m = FUNC.match(line)
        if m and not line.rstrip().endswith(";"):
            name, start = m.group(1), n
        elif line == "}" and name:
            if n - start + 1 > 100:
                oversize("%s:%d" % (s, start),
                         "%s: %d lines" % (name, n - start + 1))
            name = None

print()
print("== files over 1200 lines, headers over 300")
for d in ("daemon", "client"):
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        if not f.endswith((".c", ".h")):
            continue
        with open(p) as fh:
            n = sum(1 for _ in fh)
        if n > (1200 if f.endswith(".c") else 300):
            oversize(p, "%d lines" % n)

print()
print("== verdict: %d loop%s, %d call%s up, %d over the sizes" %
      (len(loops), "" if len(loops) == 1 else "s", len(up),
       "" if len(up) == 1 else "s", len(over)))
sys.exit(1 if loops or up or over else 0)
EOF
