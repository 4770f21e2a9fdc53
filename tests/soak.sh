#!/bin/sh
#
# soak.sh - `make soak` (not in CI): futd with 10 000 targets against
# loopback servers that misbehave in every way the faults suite knows
# (testsrv: sink silent slow banner respond trickle flood close rst
# noaccept, a refused port, names from a testdns that turns slow, mute and
# garbage in turn), for SOAK_SECONDS (default 600, 60 works too), with a
# reload every 30 s (two configs in turn) and 100 control clients polling
# status and show.  At the end:
#
#  - RSS and descriptor count, sampled every 10 s, are flat: the last
#    sample is within 10 % of the one at 60 s;
#  - every counter adds up: probes == ok + failed (+ 1 if in flight);
#  - no target is stuck: every target has a result within the last two
#    intervals;
#  - every reload was taken, no control client failed to get an answer,
#    futd still answers ping and exits cleanly on SIGTERM.
#
# Prints the samples and "soak: N passed, M failed"; exit 1 if any failed.
# Loopback only; every process it starts is stopped by pid at the end.
#
# Environment: BUILD (default build), SOAK_SECONDS (600), SOAK_TARGETS
# (10000), SOAK_CLIENTS (100), SOAK_KEEP=1 keeps the directory.

set -u

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_TARGETS=${SOAK_TARGETS:-10000}
SOAK_CLIENTS=${SOAK_CLIENTS:-100}
INTERVAL=10		# every target; timeout 3
RELOAD_EVERY=30
SAMPLE_EVERY=10
FLAT_PCT=10

for b in futd futctl testsrv testdns; do
	if [ ! -x "$BUILD/$b" ]; then
		echo "soak: $BUILD/$b is not built" >&2
		exit 2
	fi
done
command -v jq >/dev/null || { echo "soak: needs jq" >&2; exit 2; }

DIR=$(mktemp -d /tmp/futd-soak.XXXXXX) || exit 2
SOCK=$DIR/futd.sock
FUTCTL="$BUILD/futctl -s $SOCK"
PIDS=""			# servers, loops: stopped at the end, by pid
FUTD=""
DNS=""
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "soak: ok   $*"; }
bad() { fail=$((fail + 1)); echo "soak: FAIL $*"; }

cleanup() {
	touch "$DIR/stop"
	for p in $PIDS $DNS $FUTD; do
		kill "$p" 2>/dev/null
	done
	sleep 1
	for p in $PIDS $DNS $FUTD; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "${SOAK_KEEP:-0}" = 1 ]; then
		echo "soak: kept $DIR"
	else
		rm -rf "$DIR"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A server in the background, stdout to a file; its port once "ready".
# start NAME CMD...: sets $port and appends the pid to PIDS (or DNS).
start() {
	name=$1
	shift
	"$@" >"$DIR/$name.out" 2>"$DIR/$name.err" &
	spid=$!
	i=0
	while [ $i -lt 100 ]; do
		if grep -q '^ready ' "$DIR/$name.out" 2>/dev/null; then
			port=$(sed -n 's/^ready \([0-9]*\).*/\1/p' \
			    "$DIR/$name.out")
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "soak: $name did not start" >&2
	kill "$spid" 2>/dev/null
	exit 2
}

LIFE=$((SOAK_SECONDS + 300))
srv() {		# srv MODE [OPTS...]: a testsrv; its port in P_MODE
	mode=$1
	shift
	start "srv-$mode" "$BUILD/testsrv" -t "$LIFE" -m "$mode" "$@" 0
	PIDS="$PIDS $spid"
	eval "P_$mode=\$port"
}

srv sink
srv silent
srv slow -d 50
srv banner -B 'SSH-2.0-soak\r\n'
srv respond -B '+PONG\r\n'
srv trickle -d 200 -B 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
srv flood -F 10485760
srv close
srv rst
srv noaccept
# a refused port: a testsrv started and stopped (nothing listens there)
start refused "$BUILD/testsrv" -t 10 0
P_refused=$port
kill "$spid"
wait "$spid" 2>/dev/null

printf 'd.test A 5 127.0.0.1\n' >"$DIR/zone"
dns_start() {	# dns_start [-g]: testdns on $P_dns (0 the first time)
	start dns "$BUILD/testdns" -t "$LIFE" -z "$DIR/zone" "$@" \
	    "${P_dns:-0}"
	DNS=$spid
	P_dns=$port
}
dns_start

# config VARIANT: a and b differ in every 7th target's interval, and in
# 100 names (a has a-extra-N, b has b-extra-N)
config() {
	v=$1
	awk -v n="$SOAK_TARGETS" -v v="$v" -v iv="$INTERVAL" \
	    -v sink="$P_sink" -v silent="$P_silent" -v slow="$P_slow" \
	    -v banner="$P_banner" -v respond="$P_respond" \
	    -v trickle="$P_trickle" -v flood="$P_flood" -v close_="$P_close" \
	    -v rst="$P_rst" -v noaccept="$P_noaccept" -v refused="$P_refused" \
	    -v dns="$P_dns" 'BEGIN {
	printf "nameservers = [\"127.0.0.1:%s\"];\n", dns
	printf "dns_timeout = 1.0; dns_attempts = 1; dns_cache_max = 5;\n"
	printf "history = 16;\n"
	printf "defaults = { timeout = 3.0; };\ntargets = (\n"
	for (i = 0; i < n; i++) {
		name = sprintf("t%05d", i)
		if (i >= n - 100)
			name = sprintf("%s-extra-%03d", v, i - (n - 100))
		ival = iv
		if (v == "b" && i % 7 == 0)
			ival = iv - 2
		m = i % 12
		host = "127.0.0.1"
		if (m == 0)  rest = sprintf("port = %s;", sink)
		if (m == 1)  rest = sprintf("port = %s; expect = \"never\";", silent)
		if (m == 2)  rest = sprintf("port = %s; probe = \"hello\"; payload = \"PING\\r\\n\";", slow)
		if (m == 3)  rest = sprintf("port = %s; expect = \"SSH-2.0-\";", banner)
		if (m == 4)  rest = sprintf("port = %s; probe = \"hello\"; payload = \"PING\\r\\n\"; expect = \"+PONG\";", respond)
		if (m == 5)  rest = sprintf("port = %s; expect = \"zzz\";", trickle)
		if (m == 6)  rest = sprintf("port = %s; expect = \"ZZZ\"; read_limit = 4096;", flood)
		if (m == 7)  rest = sprintf("port = %s; expect = \"x\";", close_)
		if (m == 8)  rest = sprintf("port = %s; expect = \"x\";", rst)
		if (m == 9)  rest = sprintf("port = %s;", noaccept)
		if (m == 10) rest = sprintf("port = %s;", refused)
		if (m == 11) { host = "d.test"; rest = sprintf("port = %s;", sink) }
		printf "  { name = \"%s\"; host = \"%s\"; %s interval = %s; }%s\n",
		    name, host, rest, ival, i + 1 < n ? "," : ""
	}
	printf ");\n"
}' >"$DIR/futd.conf.$v"
}
config a
config b
cp "$DIR/futd.conf.a" "$DIR/futd.conf"

"$BUILD/futd" -f "$DIR/futd.conf" -s "$SOCK" 2>"$DIR/futd.err" &
FUTD=$!
i=0
until $FUTCTL ping >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -ge 300 ] || ! kill -0 "$FUTD" 2>/dev/null; then
		echo "soak: futd did not start:" >&2
		tail -5 "$DIR/futd.err" >&2
		exit 2
	fi
	sleep 0.1
done
echo "soak: futd $FUTD, $SOAK_TARGETS targets, $SOAK_SECONDS s, dir $DIR"
T0=$(date +%s)
END=$((T0 + SOAK_SECONDS))

# futd's descriptors: "TOTAL TCP UNIX SOCK OTHER": probe sockets are TCP,
# control clients UNIX; SOCK: sockets in neither table (UDP, TCP sockets
# not connected or already closed by the peer); OTHER: not sockets (files,
# pipes, eventfds)
fdkinds() {
	ls -l "/proc/$FUTD/fd" 2>/dev/null |
	    sed -n 's/.*socket:\[\([0-9]*\)\].*/S \1/p; /socket:/!s/.* -> .*/F/p' |
	    awk 'FILENAME != "-" && FILENAME ~ /tcp/ { if (FNR > 1) tcp[$10] = 1
		next }
	    FILENAME != "-" { if (FNR > 1) ux[$7] = 1; next }
	    { total++
	      if ($1 == "S" && ($2 in tcp)) t++
	      else if ($1 == "S" && ($2 in ux)) u++
	      else if ($1 == "S") x++
	      else o++ }
	    END { printf "%d %d %d %d %d\n", total, t, u, x, o }' \
	    /proc/net/tcp /proc/net/tcp6 /proc/net/unix -
}

# samples: "SECONDS RSS_KB TOTAL TCP UNIX SOCK OTHER" every 10 s
(
	next=$((T0 + SAMPLE_EVERY))
	while :; do
		now=$(date +%s)
		[ "$next" -gt "$now" ] && sleep $((next - now))
		next=$((next + SAMPLE_EVERY))
		[ ! -e "$DIR/stop" ] && [ "$(date +%s)" -le "$END" ] || break
		rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$FUTD/status" \
		    2>/dev/null)
		fds=$(fdkinds)
		echo "$(($(date +%s) - T0)) ${rss:-0} $fds" >>"$DIR/samples"
	done
) &
PIDS="$PIDS $!"

# reloads: b, a, b, ... every 30 s
(
	v=b
	while [ ! -e "$DIR/stop" ]; do
		sleep "$RELOAD_EVERY"
		[ "$(date +%s)" -lt "$END" ] || break
		cp "$DIR/futd.conf.$v" "$DIR/futd.conf.tmp"
		mv "$DIR/futd.conf.tmp" "$DIR/futd.conf"
		if timeout 30 $FUTCTL reload >>"$DIR/reloads" 2>&1; then
			echo ok >>"$DIR/reload.ok"
		else
			echo "reload to $v: exit $?" >>"$DIR/reload.fail"
		fi
		echo "$v" >"$DIR/config.now"
		[ $v = b ] && v=a || v=b
	done
) &
PIDS="$PIDS $!"
echo a >"$DIR/config.now"

# DNS misbehaves in turn, 10 s each: slow, fine, mute, fine, garbage, fine
(
	while [ ! -e "$DIR/stop" ] && [ "$(date +%s)" -lt "$END" ]; do
		sleep 10; kill -USR2 "$(cat "$DIR/dns.pid")" 2>/dev/null
		sleep 10; kill -USR2 "$(cat "$DIR/dns.pid")" 2>/dev/null
		sleep 10; kill -USR1 "$(cat "$DIR/dns.pid")" 2>/dev/null
		sleep 10; kill -USR1 "$(cat "$DIR/dns.pid")" 2>/dev/null
		sleep 10
		echo garbage >"$DIR/dns.want"
		sleep 10
		echo normal >"$DIR/dns.want"
	done
) &
PIDS="$PIDS $!"
echo "$DNS" >"$DIR/dns.pid"

# control clients, a round every 2 s: show, a status of 1000 targets, and
# (the first two, every 20th round) the whole --json status of 10 000;
# few forks per round: on 2 CPUs the clients must not starve futd.
# a call that gets no answer within 30 s (or cannot connect) is logged
# with when it started and how long it took
call() {	# call WHAT ARGS...
	what=$1
	shift
	timeout 30 $FUTCTL "$@" >/dev/null 2>&1
	rc=$?
	[ $rc -ge 3 ] && echo "$what: exit $rc (124: no answer in 30 s)," \
	    "at $(($(date +%s) - T0)) s" >>"$DIR/client.fail"
}
n=0
while [ $n -lt "$SOAK_CLIENTS" ]; do
	(
		k=0
		while [ ! -e "$DIR/stop" ]; do
			t=$((10000 + (n * 97 + k * 13) % 9000))
			t=t${t#1}	# t00000-t08999, without a fork
			call show show "$t"
			call "status t0$((n % 10))*" status "t0$((n % 10))*"
			if [ $((k % 20)) -eq $((n % 20)) ] && [ $n -lt 2 ]; then
				call "full status" --json status
			fi
			echo x >>"$DIR/client.calls.$n"
			k=$((k + 1))
			sleep 2
		done
	) &
	PIDS="$PIDS $!"
	n=$((n + 1))
done

# the main loop: restart testdns with or without -g when asked to
mode=normal
while [ "$(date +%s)" -lt "$END" ]; do
	want=$(cat "$DIR/dns.want" 2>/dev/null || echo normal)
	if [ "$want" != "$mode" ]; then
		kill "$DNS" 2>/dev/null
		wait "$DNS" 2>/dev/null
		if [ "$want" = garbage ]; then dns_start -g; else dns_start; fi
		echo "$DNS" >"$DIR/dns.pid"
		mode=$want
	fi
	if ! kill -0 "$FUTD" 2>/dev/null; then
		echo "soak: futd died" >&2
		break
	fi
	sleep 1
done
touch "$DIR/stop"
echo "soak: load over after $(($(date +%s) - T0)) s; settling"

# let the last reload's schedules run two intervals before looking
sleep $((2 * INTERVAL + 3))
now=$(date +%s)

# checks
if kill -0 "$FUTD" 2>/dev/null && $FUTCTL ping >/dev/null 2>&1; then
	ok "futd alive, answers ping"
else
	bad "futd gone or silent"
fi

echo "soak: samples (s rss_kb fds: all tcp unix sock other):"
sed 's/^/soak:   /' "$DIR/samples" 2>/dev/null
flat() {	# flat COLUMN WHAT
	awk -v c="$1" -v what="$2" -v pct="$FLAT_PCT" '
	$1 >= 60 && base == "" { base = $c; bt = $1 }
	{ last = $c; lt = $1 }
	END {
		if (base == "") { print "no sample at 60 s"; exit 1 }
		d = last - base; if (d < 0) d = -d
		r = 100
		if (base > 0) r = 100 * d / base
		printf "%s %s at %d s, %s at %d s (%.1f%%, at most %d%%)\n",
		    what, base, bt, last, lt, r, pct
		if (r <= pct) exit 0
		exit 1
	}' "$DIR/samples"
}
if msg=$(flat 2 RSS); then ok "$msg"; else bad "$msg"; fi
# all descriptors swing with the probes in flight (hundreds of TCP
# sockets held by silent, trickle and noaccept peers, sockets of probes
# waiting for a slow DNS): what must be flat is what is not a socket;
# leaked sockets show at the end, once the targets are gone
if msg=$(flat 7 "non-socket fds"); then ok "$msg"; else bad "$msg"; fi
msg=$(flat 3 "all fds (informative)")
echo "soak: info $msg"

if timeout 60 $FUTCTL --json status >"$DIR/final.json" 2>"$DIR/final.err" &&
    jq -e .targets "$DIR/final.json" >/dev/null 2>&1; then
	total=$(jq '.targets | length' "$DIR/final.json")
	[ "$total" -eq "$SOAK_TARGETS" ] && ok "$total targets" ||
	    bad "$total targets, expected $SOAK_TARGETS"
	# probes == ok + failed, or one more while a probe is in flight
	badc=$(jq -r '.targets[] | select((.probes - .ok - .failed) as $d |
	    ($d != 0 and $d != 1)) | "\(.name) probes=\(.probes) ok=\(.ok) failed=\(.failed)"' \
	    "$DIR/final.json")
	nbadc=$(printf '%s' "$badc" | grep -c .)
	inflight=$(jq '[.targets[] | select(.probes - .ok - .failed == 1)] |
	    length' "$DIR/final.json")
	if [ "$nbadc" -eq 0 ]; then
		ok "counters add up ($inflight in flight)"
	else
		bad "$nbadc targets whose counters do not add up:"
		printf '%s\n' "$badc" | head -5
	fi
	stuck=$(jq -r --argjson now "$now" '.targets[] |
	    select(.last_time == null or
	    ($now - .last_time) > 2 * .interval + 1) |
	    "\(.name) last_time=\(.last_time) interval=\(.interval)"' \
	    "$DIR/final.json")
	nstuck=$(printf '%s' "$stuck" | grep -c .)
	if [ "$nstuck" -eq 0 ]; then
		ok "no target stuck (each probed within 2 intervals)"
	else
		bad "$nstuck targets not probed within 2 intervals:"
		printf '%s\n' "$stuck" | head -5
	fi
	echo "soak: errors at the end:" $(jq -r '[.targets[] |
	    (.error // "ok")] | group_by(.) | map("\(.[0])=\(length)") |
	    join(" ")' "$DIR/final.json")
	echo "soak: probes in all: $(jq '[.targets[].probes] | add' \
	    "$DIR/final.json")"
else
	bad "final futctl --json status failed: $(head -c 300 "$DIR/final.err")"
fi

nrel=$(cat "$DIR/reload.ok" 2>/dev/null | wc -l)
nrelf=$(cat "$DIR/reload.fail" 2>/dev/null | wc -l)
exp=$((SOAK_SECONDS / RELOAD_EVERY))
if [ "$nrelf" -eq 0 ] && [ "$nrel" -ge $((exp > 0 ? exp - 1 : 0)) ]; then
	ok "$nrel reloads taken"
else
	bad "$nrel reloads taken, $nrelf failed (expected ~$exp)"
	head -3 "$DIR/reload.fail" 2>/dev/null
fi

ncalls=$(cat "$DIR"/client.calls.* 2>/dev/null | wc -l)
ncf=$(cat "$DIR/client.fail" 2>/dev/null | wc -l)
if [ "$ncf" -eq 0 ] && [ "$ncalls" -gt 0 ]; then
	ok "$SOAK_CLIENTS control clients: $ncalls rounds, every call answered"
else
	bad "control clients: $ncalls rounds, $ncf calls unanswered"
	head -3 "$DIR/client.fail" 2>/dev/null
fi

if grep -qi 'assert\|sanitizer\|panic\|fatal' "$DIR/futd.err"; then
	bad "futd's stderr: $(grep -i 'assert\|sanitizer\|panic\|fatal' \
	    "$DIR/futd.err" | head -2)"
else
	ok "nothing alarming on futd's stderr"
fi

# no targets at all: every probe socket must go
printf 'targets = ();\n' >"$DIR/futd.conf"
timeout 30 $FUTCTL reload >/dev/null 2>&1 || bad "reload to no targets failed"
sleep 5
set -- $(fdkinds)
if [ "${2:-1}" -eq 0 ] && [ "${4:-1}" -le 2 ]; then
	ok "no targets: no probe socket left ($1 descriptors: $3 unix," \
	    "$4 other sockets, $5 not sockets)"
else
	bad "no targets, yet $2 TCP and $4 other sockets open ($1 descriptors)"
fi

cpu=$(awk '{ print $14 + $15 }' "/proc/$FUTD/stat" 2>/dev/null)
echo "soak: futd used $((${cpu:-0} / $(getconf CLK_TCK))) s of CPU in" \
    "$(($(date +%s) - T0)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
kill "$FUTD" 2>/dev/null
i=0
while kill -0 "$FUTD" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$FUTD" 2>/dev/null; then
	bad "futd still running 5 s after SIGTERM"
else
	wait "$FUTD"
	rc=$?
	[ $rc -eq 0 ] && ok "futd exited 0 on SIGTERM" ||
	    bad "futd exited $rc on SIGTERM"
	FUTD=""
fi

echo "soak: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
