#!/bin/sh
# fuzz/run.sh - build futd's libFuzzer targets and run them (see fuzz/README).
#
#   sh fuzz/run.sh                  fuzz each target FUZZ_SECONDS (60), merge
#                                   what is new into fuzz/corpus/<target>/
#   FUZZ_REGRESS=1 sh fuzz/run.sh   only run fuzz/regress/<target>/* and
#                                   fuzz/corpus/<target>/ once (make check)
#
# Environment:
#   FUZZ_SECONDS   seconds per target (fuzz mode), default 60
#   FUZZ_TARGETS   which targets, default "conf proto results state"
#   FUZZ_BUILD     build directory, default build/fuzz
#   FUZZ_CC        compiler, default clang (needs libFuzzer: clang >= 6)
#   FUZZ_PKGS      the daemon's pkg-config packages, default the PKGS line
#                  of the top Makefile
#   FUZZ_REQUIRE=1 fail instead of skipping when FUZZ_CC cannot build a
#                  fuzzer (regress mode skips by default, fuzz mode fails)
#   FUZZ_COVERAGE=1  report the line coverage each corpus reaches in the
#                  code its target is for (needs llvm-cov, llvm-profdata)
#   FUZZ_SKIP_KNOWN=1  the targets steer clear of bugs reported and not yet
#                  fixed (fuzz/README, "Findings"), to look for others
#   FUZZ_CORPUS_MAX_FILES, FUZZ_CORPUS_MAX_KB  corpus cap per target
#                  (default 400 files, 2048 KiB): above it the corpus is
#                  minimized again
#
# Exit status: 0 when nothing crashed; 1 when a target crashed (the input's
# path is printed) or could not be built.
set -u

cd "$(dirname "$0")/.." || exit 1

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-conf proto results state}
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
FUZZ_CC=${FUZZ_CC:-clang}
FUZZ_REGRESS=${FUZZ_REGRESS:-0}
FUZZ_REQUIRE=${FUZZ_REQUIRE:-0}
FUZZ_CORPUS_MAX_FILES=${FUZZ_CORPUS_MAX_FILES:-400}
FUZZ_CORPUS_MAX_KB=${FUZZ_CORPUS_MAX_KB:-2048}

mkdir -p "$FUZZ_BUILD" || exit 1
B=$(cd "$FUZZ_BUILD" && pwd)
TOP=$(pwd)

# the conf target writes its files under $TMPDIR: keep them in the build dir
mkdir -p "$B/tmp"
rm -rf "$B/tmp"/futd-fuzz-conf.*	# left by a target that crashed
TMPDIR=$B/tmp
export TMPDIR
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export UBSAN_OPTIONS

say() { echo "fuzz: $*"; }

# Can FUZZ_CC build a libFuzzer binary at all?
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
    > "$B/probe.c"
if ! "$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$B/probe" \
    "$B/probe.c" >"$B/probe.log" 2>&1; then
	if [ "$FUZZ_REGRESS" = 1 ] && [ "$FUZZ_REQUIRE" != 1 ]; then
		say "SKIPPED: $FUZZ_CC cannot build a libFuzzer target" \
		    "(Debian: apt-get install clang)"
		exit 0
	fi
	say "$FUZZ_CC cannot build a libFuzzer target (Debian: apt-get" \
	    "install clang):"
	cat "$B/probe.log"
	exit 1
fi

# Build (incremental; the daemon's objects are our own, in $B/obj).
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -j2 -f fuzz/build.mk \
    FUZZ_BUILD="$FUZZ_BUILD" FUZZ_CC="$FUZZ_CC" >"$B/build.log" 2>&1; then
	grep -E 'error|undefined' "$B/build.log" | head -n 20
	say "build failed, see $B/build.log"
	exit 1
fi

# Per target: the largest input, the dictionary, extra seed directories.
max_len() {
	case $1 in
	conf)		echo 4096 ;;
	proto)		echo 1400 ;;
	results)	echo 2048 ;;
	*)		echo 4096 ;;
	esac
}
dict_opt() {
	d=$1
	[ -f "fuzz/dict/$d.dict" ] && echo "-dict=fuzz/dict/$d.dict"
}
extra_dirs() {
	case $1 in
	conf)	for d in tests/data/good tests/data/bad conf; do
			[ -d "$d" ] && echo "$d"
		done ;;
	proto)	[ -d tests/data/requests ] && echo tests/data/requests ;;
	esac
}

# The path of the input a libFuzzer log says it wrote, if any.
crash_path() {
	sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$1" | tail -n 1
}
# The sanitizer's or the property's one-line summary.
crash_summary() {
	grep -m 1 -E '^SUMMARY:|property failed|runtime error:|does not start' \
	    "$1"
}

failed=0

# FUZZ_COVERAGE=1: line coverage of the code each target is for, from its
# corpus (a second build with clang's source-based coverage, no sanitizer)
if [ "${FUZZ_COVERAGE:-0}" = 1 ]; then
	V=${FUZZ_LLVM_SUFFIX:-$("$FUZZ_CC" --version | sed -n \
	    's/.*clang version \([0-9]*\).*/-\1/p' | head -n 1)}
	if ! command -v "llvm-cov$V" >/dev/null ||
	    ! command -v "llvm-profdata$V" >/dev/null; then
		say "coverage needs llvm-cov$V and llvm-profdata$V"
		exit 1
	fi
	C=$FUZZ_BUILD/cov
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -j2 \
	    -f fuzz/build.mk FUZZ_BUILD="$C" FUZZ_CC="$FUZZ_CC" \
	    FUZZ_SAN="-fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping" \
	    >"$B/build-cov.log" 2>&1; then
		say "coverage build failed, see $B/build-cov.log"
		exit 1
	fi
	for t in $FUZZ_TARGETS; do
		rm -f "$B/cov/$t".*.profraw
		# shellcheck disable=SC2046
		LLVM_PROFILE_FILE="$B/cov/$t.%p.profraw" "$B/cov/fuzz_$t" \
		    -runs=0 fuzz/corpus/"$t" $(extra_dirs "$t") \
		    >"$B/logs/cov-$t.log" 2>&1
		"llvm-profdata$V" merge -sparse -o "$B/cov/$t.profdata" \
		    "$B/cov/$t".*.profraw
		case $t in
		conf)		files="daemon/conf.c daemon/conf_target.c daemon/conf_value.c daemon/conf_dir.c" ;;
		proto)		files="daemon/proto.c daemon/report.c" ;;
		results)	files="daemon/results.c" ;;
		*)		files="" ;;
		esac
		say "$t: coverage from $(ls fuzz/corpus/"$t" | wc -l) corpus files"
		# shellcheck disable=SC2086
		"llvm-cov$V" report "$B/cov/fuzz_$t" \
		    -instr-profile="$B/cov/$t.profdata" $files |
		    sed 's/^/    /'
	done
	exit 0
fi

if [ "$FUZZ_REGRESS" = 1 ]; then
	start=$(date +%s)
	for t in $FUZZ_TARGETS; do
		bin=$B/fuzz_$t
		art=$B/artifacts/$t
		mkdir -p "$art" "$B/logs"
		n=0
		# each known crasher on its own, so that all are reported
		for f in fuzz/regress/"$t"/*; do
			[ -f "$f" ] || continue
			n=$((n + 1))
			log=$B/logs/regress-$t-$(basename "$f").log
			if ! "$bin" -runs=1 -timeout=25 -rss_limit_mb=2048 \
			    -artifact_prefix="$art/" "$f" >"$log" 2>&1; then
				say "$t: FAILED on $f"
				say "    $(crash_summary "$log")"
				say "    log: $log"
				failed=1
			fi
		done
		# the corpus (and its seeds) in one run each
		dirs="fuzz/corpus/$t $(extra_dirs "$t")"
		for d in $dirs; do
			[ -d "$d" ] || continue
			n=$((n + $(find "$d" -maxdepth 1 -type f | wc -l)))
		done
		log=$B/logs/regress-$t-corpus.log
		# shellcheck disable=SC2086
		if ! "$bin" -runs=0 -timeout=25 -rss_limit_mb=2048 \
		    -artifact_prefix="$art/" $dirs >"$log" 2>&1; then
			say "$t: FAILED on the corpus: $(crash_path "$log")"
			say "    $(crash_summary "$log")"
			say "    log: $log"
			failed=1
		fi
		say "$t: $n inputs run"
	done
	end=$(date +%s)
	if [ $failed = 0 ]; then
		say "regress: all inputs pass ($((end - start)) s)"
	else
		say "regress: FAILED ($((end - start)) s)"
	fi
	exit $failed
fi

for t in $FUZZ_TARGETS; do
	bin=$B/fuzz_$t
	corpus=fuzz/corpus/$t
	new=$B/new/$t
	art=$B/artifacts/$t
	log=$B/logs/fuzz-$t.log
	rm -rf "$new"
	mkdir -p "$corpus" "$new" "$art" "$B/logs"
	say "$t: fuzzing for ${FUZZ_SECONDS}s (log: $log)"
	# new inputs go to the first directory, $new; the rest only seed
	# shellcheck disable=SC2046
	"$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
	    -rss_limit_mb=2048 -max_len="$(max_len "$t")" $(dict_opt "$t") \
	    -print_final_stats=1 -artifact_prefix="$art/" \
	    "$new" "$corpus" $(extra_dirs "$t") >"$log" 2>&1
	rc=$?
	stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
	[ -n "$stats" ] || stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	say "$t: $stats"
	if [ $rc != 0 ]; then
		failed=1
		say "$t: CRASH (exit $rc): $(crash_summary "$log")"
		p=$(crash_path "$log")
		[ -n "$p" ] && say "$t: crashing input: $p"
		say "$t: keep it as fuzz/regress/$t/NAME and report it;" \
		    "log: $log"
	fi

	# keep only what adds coverage
	if [ -n "$(ls -A "$new")" ]; then
		before=$(ls "$corpus" | wc -l)
		"$bin" -merge=1 -timeout=25 -rss_limit_mb=2048 \
		    -max_len="$(max_len "$t")" "$corpus" "$new" \
		    >"$B/logs/merge-$t.log" 2>&1 ||
		    say "$t: merge failed, see $B/logs/merge-$t.log"
		say "$t: corpus $before -> $(ls "$corpus" | wc -l) files"
	fi

	# cap: above it, minimize the whole corpus again
	files=$(ls "$corpus" | wc -l)
	kb=$(du -sk "$corpus" | cut -f1)
	if [ "$files" -gt "$FUZZ_CORPUS_MAX_FILES" ] ||
	    [ "$kb" -gt "$FUZZ_CORPUS_MAX_KB" ]; then
		min=$B/min/$t
		rm -rf "$min"
		mkdir -p "$min"
		if "$bin" -merge=1 -timeout=25 -rss_limit_mb=2048 \
		    -max_len="$(max_len "$t")" "$min" "$corpus" \
		    >"$B/logs/minimize-$t.log" 2>&1 &&
		    [ -n "$(ls -A "$min")" ]; then
			rm -f "$corpus"/*
			cp "$min"/* "$corpus"/
			say "$t: corpus minimized: $files files ($kb KiB) ->" \
			    "$(ls "$corpus" | wc -l) files" \
			    "($(du -sk "$corpus" | cut -f1) KiB)"
		fi
		files=$(ls "$corpus" | wc -l)
		[ "$files" -gt "$FUZZ_CORPUS_MAX_FILES" ] &&
		    say "$t: corpus still $files files: raise" \
		    "FUZZ_CORPUS_MAX_FILES or prune by hand"
	fi
done
[ $failed = 0 ] && say "no crash" || say "FAILED: see the crashes above"
exit $failed
