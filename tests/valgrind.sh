#!/bin/sh
# valgrind.sh - the whole daemon under valgrind memcheck: start futd with a
# config that exercises every probe path (hello, peeraddr, expect, names
# through a DNS server of ours, addresses = "each", a closed port), drive
# every control command, reload (good and bad), SIGHUP, then SIGTERM, and
# require zero errors and zero leaks.  Loopback only; every wait bounded;
# only our own processes are stopped, by PID.
set -u
BUILD=${BUILD:-build}
BUILD=$(cd "$BUILD" && pwd)
tmp=$(mktemp -d /tmp/futd-valgrind.XXXXXX)
srv= dns= vg=
pass=0 fail=0

cleanup() {
	for p in $vg $srv $dns; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
ready() { # file -> waits for its "ready" line, prints the ports
	i=0
	while ! grep -q '^ready' "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 50 ] && return 1; sleep 0.1
	done
	sed -n 's/^ready //p' "$1"
}

command -v valgrind >/dev/null || { echo "valgrind: SKIPPED: valgrind not installed"; exit 0; }

"$BUILD/testsrv" -t 120 -m respond -B '+PONG\r\n' 0 >"$tmp/srv.out" &
srv=$!
printf 'both.test A 1 127.0.0.1\nboth.test AAAA 1 ::1\n' >"$tmp/zone"
"$BUILD/testdns" -t 120 -z "$tmp/zone" 0 >"$tmp/dns.out" 2>/dev/null &
dns=$!
port=$(ready "$tmp/srv.out") && dport=$(ready "$tmp/dns.out") || {
	echo "valgrind: the test servers did not start"; exit 1; }

conf() {
	cat >"$tmp/futd.conf" <<EOC
history = 8;
nameservers = [ "127.0.0.1:$dport" ];
dns_timeout = 0.5;
dns_attempts = 1;
defaults = { interval = 0.2; timeout = 1.0; };
targets = (
  { name = "hello"; host = "127.0.0.1"; port = $port; probe = "hello";
    payload = "PING\r\n"; expect = "+PONG"; },
  { name = "peer"; host = "localhost"; port = $port; },
  { name = "named"; host = "both.test"; port = $port; addresses = "each"; },
  { name = "closed"; host = "127.0.0.1"; port = 1; close = "rst"; }$1
);
EOC
}
conf ""
valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --log-file="$tmp/vg.log" \
    "$BUILD/futd" -f "$tmp/futd.conf" -s "$tmp/futd.sock" 2>"$tmp/futd.log" &
vg=$!
FUTCTL="$BUILD/futctl -s $tmp/futd.sock"
i=0
until $FUTCTL ping >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "valgrind: futd did not answer"; cat "$tmp/vg.log"; exit 1; }
	sleep 0.2
done
sleep 2
for cmd in "status" "--json status" "show hello" "show named" "probe hello" \
    "probe closed" "log -n 50" "metrics"; do
	if $FUTCTL $cmd >"$tmp/out" 2>&1 || [ "$cmd" = "probe closed" ]; then
		ok "futctl $cmd under valgrind"
	else
		not_ok "futctl $cmd under valgrind: $(head -c 300 "$tmp/out")"
	fi
done
timeout 2 $FUTCTL log -f >/dev/null 2>&1
conf ",
  { name = \"added\"; host = \"127.0.0.1\"; port = $port; }"
if $FUTCTL reload >/dev/null 2>&1; then ok "good reload"; else not_ok "good reload"; fi
echo "targets = ( { name = \"x\"; port = 70000; } );" >"$tmp/futd.conf"
if $FUTCTL reload >/dev/null 2>&1; then not_ok "bad reload refused"; else ok "bad reload refused"; fi
kill -HUP "$vg"
sleep 1
kill -TERM "$vg"
wait "$vg"
rc=$?
vg=
if [ "$rc" = 0 ]; then ok "futd exited 0 under valgrind"; else
	not_ok "futd exited $rc under valgrind (99: valgrind found errors)"; fi
if [ -s "$tmp/vg.log" ]; then
	not_ok "valgrind reported:"; sed 's/^/    /' "$tmp/vg.log" | head -60
else
	ok "valgrind: no errors, no leaks"
fi
echo "valgrind: $pass passed, $fail failed"
[ "$fail" = 0 ]
