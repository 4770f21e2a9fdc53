#!/bin/sh
# bench/profile.sh - where futd's time goes on figure 1 (closed64 hello):
# callgrind (instructions per probe, deterministic; heap calls per probe) and,
# where it works, perf (cpu-clock samples, kernel included). Writes
# bench/PROFILE.md; raw data under build/bench/runs/<stamp>-profile/.
#
#   sh bench/profile.sh                  # ~30 s
#   PROFILE_SECONDS=20 sh bench/profile.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
command -v valgrind >/dev/null || echo "profile: valgrind not found (apt-get install -y valgrind)" >&2
command -v perf >/dev/null || echo "profile: perf not found (apt-get install -y linux-perf)" >&2
OUT=${OUT:-$root/build/bench/runs/$(date -u +%Y%m%dT%H%M%SZ)-profile}
BENCH_MODE=profile
export OUT BENCH_MODE
# run.sh builds the helpers, finds the shared bench, then starts driver.py profile
exec sh "$here/run.sh"
