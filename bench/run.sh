#!/bin/sh
# bench/run.sh - futd's benchmark figures 1-6 (see bench/README.md).
#
#   sh bench/run.sh                   # full run, ~6-8 min; writes bench/RESULTS.md
#   QUICK=1 sh bench/run.sh           # ~1-2 min, smaller and shorter figures
#   FIGURES="1 3" sh bench/run.sh     # some figures only
#
# Needs build/futd and build/futctl (and build/testsrv when the shared bench
# is absent); builds its own helpers into build/bench/bin. Loopback only;
# every process it starts it stops, by PID; every wait is bounded.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root" || exit 1

FUTD=${FUTD:-$root/build/futd}
FUTCTL=${FUTCTL:-$root/build/futctl}
TESTSRV=${TESTSRV:-$root/build/testsrv}
BENCH_BIN=${BENCH_BIN:-$root/build/bench/bin}
CC=${CC:-cc}
export FUTD FUTCTL TESTSRV BENCH_BIN

for b in "$FUTD" "$FUTCTL"; do
	[ -x "$b" ] || { echo "bench: $b not found: run make first" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "bench: python3 is required" >&2; exit 1; }

# The shared measuring stick (sink + bare epoll prober), read-only: its
# sources are compiled into build/bench/bin, nothing is written there.
if [ -n "${SHARED_BENCH:-}" ]; then
	SHARED_BENCH_USER=$SHARED_BENCH
	export SHARED_BENCH_USER
fi
if [ -z "${SHARED_BENCH+set}" ]; then
	SHARED_BENCH=
	for d in /work/shared/bench "$root/../shared/bench"; do
		if [ -f "$d/epoll_prober.c" ] && [ -f "$d/sink.c" ]; then
			SHARED_BENCH=$(cd "$d" && pwd)
			break
		fi
	done
fi
export SHARED_BENCH

mkdir -p "$BENCH_BIN" || exit 1
build() { # out src [flags...]: compile src into out when out is missing or older
	out=$1
	src=$2
	shift 2
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		echo "  CC      $out"
		"$CC" -O2 -g -Wall -o "$out" "$src" "$@" || return 1
	fi
}
if [ -n "$SHARED_BENCH" ]; then
	build "$BENCH_BIN/sink" "$SHARED_BENCH/sink.c" -lm || exit 1
	build "$BENCH_BIN/epoll_prober" "$SHARED_BENCH/epoll_prober.c" -lm || exit 1
	# the bare io_uring prober, for bench/equal.py (issue 23)
	if [ -f "$SHARED_BENCH/uring_prober.c" ]; then
		build "$BENCH_BIN/uring_prober" "$SHARED_BENCH/uring_prober.c" \
		    -luring -lm || echo "bench: uring_prober did not build:" \
		    "bench/equal.py cannot run" >&2
	fi
else
	echo "bench: no shared bench (/work/shared/bench, ../shared/bench):" \
	    "epoll comparison skipped, testsrv is the target server" >&2
	[ -x "$TESTSRV" ] || { echo "bench: $TESTSRV not found: make build/testsrv" >&2; exit 1; }
fi
build "$BENCH_BIN/touch" "$here/touch.c" ||
    echo "bench: touch did not build: figure 4's memory floor skipped" >&2
build "$BENCH_BIN/malloc_count.so" "$here/malloc_count.c" -shared -fPIC ||
    echo "bench: malloc_count.so did not build: mallocs per probe skipped" >&2

command -v strace >/dev/null ||
    echo "bench: strace not found (apt-get install -y strace): syscall counts skipped" >&2
command -v taskset >/dev/null ||
    echo "bench: taskset not found: nothing is pinned" >&2

# many sockets at once in figures 4 and 5
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ]; then ulimit -n 1048576 2>/dev/null; else ulimit -n "$hard"; fi

BENCH_CMD=${BENCH_CMD:-sh bench/run.sh}
export BENCH_CMD
exec python3 "$here/driver.py" "${BENCH_MODE:-run}"   # profile.sh: BENCH_MODE=profile
