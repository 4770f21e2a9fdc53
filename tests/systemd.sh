#!/bin/bash
# systemd.sh - `make check-systemd`: futd under a real systemd.
#
# systemd boots as PID 1 of a new PID and mount namespace (it shares our
# network, so the targets are on our loopback).  In that namespace only, a
# folder of ours is bind-mounted over /etc/systemd/system: it holds a minimal
# target and our units, so none of the host's own units is started.  Fresh
# tmpfs are mounted over /tmp and /var/tmp first: booting runs
# systemd-tmpfiles, which empties /tmp, and the host's /tmp (this tree may
# live there, CI's does) must not be touched.  A host with a persistent
# journal (/var/log/journal) gets a fresh one too: its entries of earlier
# runs, by earlier builds, are not this run's.  Then, step by step: start futd.socket, let `futctl
# status` start the service, reload (good and bad), read the journal, stop.
#
# Where systemd cannot boot here (not root, no unshare, no systemd), the
# script says SKIPPED and why, in one line, and exits 0.
set -u
BUILD=${BUILD:-build}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)

skip() { echo "check-systemd: SKIPPED: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root to boot systemd in a namespace"
command -v unshare >/dev/null || skip "unshare(1) not found"
command -v nsenter >/dev/null || skip "nsenter(1) not found"
[ -x /lib/systemd/systemd ] || skip "/lib/systemd/systemd not found"

stage=$(mktemp -d "$BUILD/systemd-test.XXXXXX")
chmod 755 "$stage"
sd_pid= srv_pid=
pass=0 fail=0

cleanup() {
	if [ -n "$sd_pid" ] && kill -0 "$sd_pid" 2>/dev/null; then
		timeout 10 nsenter -t "$sd_pid" -m -p systemctl poweroff \
		    --no-block >/dev/null 2>&1
		for _ in $(seq 50); do kill -0 "$sd_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$sd_pid" 2>/dev/null
	fi
	[ -n "$srv_pid" ] && kill -TERM "$srv_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$stage"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # description command...
	local d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# run a command inside the namespace, bounded
in_ns() { timeout 20 nsenter -t "$sd_pid" -m -p "$@"; }
wait_for() { # tries description command...
	local n=$1 d=$2; shift 2
	for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && { ok "$d"; return 0; }; sleep 0.2; done
	not_ok "$d"; return 1
}

# a loopback target server for the probes
"$BUILD/testsrv" -t 120 -l "$stage/srv.log" 0 >"$stage/srv.out" &
srv_pid=$!
for _ in $(seq 50); do grep -q '^ready' "$stage/srv.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/^ready/ { print $2 }' "$stage/srv.out")
[ -n "$port" ] || { echo "check-systemd: testsrv did not start"; exit 1; }

# units: the shipped ones, with paths of this build.  The binary and the
# config are copied into the namespace's /run (a tmpfs systemd mounts), which
# the hardened service can read even when this tree lives under /tmp
# (PrivateTmp= would hide it).
units=$stage/units
mkdir -p "$units/futd-test.target.wants"
cat >"$units/futd-test.target" <<EOT
[Unit]
Description=futd test target: the journal, and nothing else of the host
Wants=systemd-journald.service
EOT
for u in "$SRC"/systemd/futd.service "$SRC"/systemd/futd.socket; do
	sed 's|@SBINDIR@|/run/futd-test|g; s|@BINDIR@|/run/futd-test|g; s|/etc/futd/futd.conf|/run/futd-test/futd.conf|g' \
	    "$u" >"$units/$(basename "$u")"
done
conf() { # targets... -> $stage/futd.conf
	{
		echo 'defaults = { interval = 0.2; timeout = 1.0; };'
		echo 'targets = ('
		local sep=""
		for t in "$@"; do printf '%s  %s\n' "$sep" "$t"; sep=","; done
		echo ');'
	} >"$stage/futd.conf"
}
HELLO="{ name = \"hello\"; host = \"127.0.0.1\"; port = $port; probe = \"hello\"; }"
CLOSED='{ name = "closed"; host = "127.0.0.1"; port = 1; }'
PEER="{ name = \"peer\"; host = \"localhost\"; port = $port; }"
conf "$HELLO" "$CLOSED"

unshare --pid --fork --mount --mount-proc sh -c "
	mount --make-rprivate / &&
	mount --bind '$units' /etc/systemd/system &&
	mount -t tmpfs -o mode=1777 tmpfs /tmp &&
	mount -t tmpfs -o mode=1777 tmpfs /var/tmp &&
	{ [ ! -d /var/log/journal ] ||
	  mount -t tmpfs -o mode=2755 tmpfs /var/log/journal; } &&
	exec /lib/systemd/systemd --system --unit=futd-test.target" \
	>"$stage/systemd.log" 2>&1 &
unshare_pid=$!
for _ in $(seq 50); do
	sd_pid=$(pgrep -P "$unshare_pid" | head -n 1)
	[ -n "$sd_pid" ] && break
	sleep 0.1
done
[ -n "$sd_pid" ] || skip "systemd did not start in a PID namespace here"
state=
for _ in $(seq 150); do
	state=$(timeout 5 nsenter -t "$sd_pid" -m -p systemctl is-system-running 2>/dev/null)
	case "$state" in running|degraded) break ;; esac
	sleep 0.2
done
case "$state" in running|degraded) ;; *) skip "systemd did not come up in a namespace here (state: ${state:-none})" ;; esac
echo "systemd is up as PID 1 of a namespace (host pid $sd_pid, state $state)"

put_conf() { in_ns sh -c "cat >/run/futd-test/futd.conf" <"$stage/futd.conf"; }
# through stdin: inside the namespace this tree may be under the new /tmp
in_ns sh -c "mkdir -p /run/futd-test && chmod 755 /run/futd-test"
for b in futd futctl; do
	in_ns sh -c "cat >/run/futd-test/$b && chmod 755 /run/futd-test/$b" <"$BUILD/$b"
done
put_conf
in_ns systemctl daemon-reload
FUTCTL="/run/futd-test/futctl -s /run/futd.sock"

check "systemd-analyze verify is clean" \
	in_ns systemd-analyze verify /etc/systemd/system/futd.service /etc/systemd/system/futd.socket
in_ns systemctl start futd.socket
check "futd.socket is active" in_ns systemctl is-active --quiet futd.socket
check "futd.service is not running before anyone asks" \
	sh -c "! timeout 20 nsenter -t $sd_pid -m -p systemctl is-active --quiet futd.service"
check "the socket is /run/futd.sock, mode 0660" \
	sh -c "[ \"\$(timeout 20 nsenter -t $sd_pid -m -p stat -c %a /run/futd.sock)\" = 660 ]"
check "futctl status starts the service through the socket" in_ns $FUTCTL status
check "futd.service is active after futctl" in_ns systemctl is-active --quiet futd.service
wait_for 50 "the probes see hello up and closed down" \
	sh -c "timeout 20 nsenter -t $sd_pid -m -p $FUTCTL status | grep -E '^hello .* up ' &&
	       timeout 20 nsenter -t $sd_pid -m -p $FUTCTL status | grep -E '^closed .* down .*Connection refused'"
wait_for 50 "systemd shows futd's STATUS= line" \
	sh -c "timeout 20 nsenter -t $sd_pid -m -p systemctl show -p StatusText --value futd.service | grep -q 'probing 2 targets: 1 up, 1 down'"
check "the watchdog is armed (WatchdogUSec=30s)" \
	sh -c "timeout 20 nsenter -t $sd_pid -m -p systemctl show -p WatchdogUSec --value futd.service | grep -qx 30s"
check "it runs as a dynamic user, not root" \
	sh -c "pid=\$(timeout 20 nsenter -t $sd_pid -m -p systemctl show -p MainPID --value futd.service);
	       uid=\$(timeout 20 nsenter -t $sd_pid -m -p awk '/^Uid:/ { print \$2 }' /proc/\$pid/status);
	       [ -n \"\$uid\" ] && [ \"\$uid\" != 0 ]"

probes_of() { # name -> probes counter
	in_ns $FUTCTL --json status | python3 -c "import json,sys
for t in json.load(sys.stdin)['targets']:
    if t['name'] == '$1': print(t['probes'])"
}
pid_before=$(in_ns systemctl show -p MainPID --value futd.service)
hello_before=$(probes_of hello)

# a good reload: hello unchanged, closed removed, peer added
conf "$HELLO" "$PEER"
put_conf
check "systemctl reload futd succeeds" in_ns systemctl reload futd.service
wait_for 50 "after the reload the new target probes and the removed one is gone" \
	sh -c "s=\$(timeout 20 nsenter -t $sd_pid -m -p $FUTCTL status);
	       echo \"\$s\" | grep -qE '^peer .* up ' && ! echo \"\$s\" | grep -q '^closed '"
hello_after=$(probes_of hello)
check "the unchanged target kept its counters ($hello_before -> $hello_after)" \
	test "${hello_after:-0}" -ge "${hello_before:-1}"
check "the reload kept the same process" \
	test "$(in_ns systemctl show -p MainPID --value futd.service)" = "$pid_before"

# a bad reload changes nothing
printf 'targets = ( { name = "x"; host = "127.0.0.1"; port = 70000; } );\n' >"$stage/futd.conf"
put_conf
in_ns systemctl reload futd.service
check "after a bad reload futd still runs" in_ns systemctl is-active --quiet futd.service
check "after a bad reload the old targets are still there" \
	sh -c "timeout 20 nsenter -t $sd_pid -m -p $FUTCTL status | grep -q '^peer '"
check "futctl reload prints the file:line error and exits 1" \
	sh -c "out=\$(timeout 20 nsenter -t $sd_pid -m -p $FUTCTL reload 2>&1); rc=\$?;
	       [ \$rc = 1 ] && echo \"\$out\" | grep -q '/run/futd-test/futd.conf:1: port 70000 out of range'"

journal=$(in_ns journalctl -u futd.service --no-pager -o cat)
check "the journal has the state changes" \
	sh -c "echo \"\$1\" | grep -q 'target closed (peeraddr 127.0.0.1:1): state unknown -> down (Connection refused'" _ "$journal"
# the unit's SystemCallFilter (@system-service) lets io_uring through: say
# which way the probes go, and where the kernel refuses a ring, that it fell
# back (the other checks hold either way)
if echo "$journal" | grep -q 'io_uring on:'; then
	ok "under the hardened unit the probes go through io_uring"
else
	check "without io_uring here, futd says it fell back to system calls" \
		sh -c "echo \"\$1\" | grep -q 'io_uring not available'" _ "$journal"
fi
check "the journal has the bad reload with file:line" \
	sh -c "echo \"\$1\" | grep -q '/run/futd-test/futd.conf:1: port 70000 out of range'" _ "$journal"
check "warnings reach the journal with their priority" \
	sh -c "timeout 20 nsenter -t $sd_pid -m -p journalctl -u futd.service -p warning --no-pager -o cat | grep -q 'reload failed'"
check "info lines reach the journal, and not as warnings" \
	sh -c "timeout 20 nsenter -t $sd_pid -m -p journalctl -u futd.service --no-pager -o cat | grep -q 'reloaded: 1 added' &&
	       ! timeout 20 nsenter -t $sd_pid -m -p journalctl -u futd.service -p warning --no-pager -o cat | grep -q 'reloaded:'"
check "journalctl FUTD_TARGET=closed tells that target's story, and only its" \
	sh -c "out=\$(timeout 20 nsenter -t $sd_pid -m -p journalctl -u futd.service FUTD_TARGET=closed --no-pager -o cat);
	       echo \"\$out\" | grep -q 'target closed (peeraddr 127.0.0.1:1): state unknown -> down' &&
	       ! echo \"\$out\" | grep -q 'target hello'"
check "state events carry FUTD_STATE, FUTD_ERROR and FUTD_LATENCY_US" \
	sh -c "timeout 20 nsenter -t $sd_pid -m -p journalctl -u futd.service FUTD_TARGET=closed FUTD_EVENT=state -o verbose --no-pager |
	       grep -q 'FUTD_ERROR=refused' &&
	       timeout 20 nsenter -t $sd_pid -m -p journalctl -u futd.service FUTD_TARGET=closed FUTD_EVENT=state -o verbose --no-pager |
	       grep -q 'FUTD_STATE=down' &&
	       timeout 20 nsenter -t $sd_pid -m -p journalctl -u futd.service FUTD_TARGET=closed FUTD_EVENT=state -o verbose --no-pager |
	       grep -qE 'FUTD_LATENCY_US=[0-9]+'"

# a good config again, so that the socket can start futd once more below;
# with a name asked of a nameserver that never answers (nothing on testsrv's
# port over UDP), so that evdns gives it up and says so through futd's log
conf "$HELLO" "$PEER" '{ name = "named"; host = "nowhere.test"; port = 80; }'
printf 'nameservers = [ "127.0.0.1:%s" ]; dns_timeout = 0.2; dns_attempts = 1;\n' \
    "$port" >>"$stage/futd.conf"
put_conf
in_ns systemctl reload futd.service
wait_for 50 "libevent's lines reach the journal as futd's: FUTD_SOURCE=libevent, priority notice" \
	sh -c "timeout 20 nsenter -t $sd_pid -m -p journalctl -u futd.service FUTD_SOURCE=libevent -p notice --no-pager -o cat |
	       grep -q 'Nameserver 127.0.0.1:$port has failed'"
check "and not as libevent's raw [msg] lines" \
	sh -c "! timeout 20 nsenter -t $sd_pid -m -p journalctl -u futd.service --no-pager -o cat | grep -q '^\[msg\]'"
check "systemctl stop futd succeeds" in_ns systemctl stop futd.service
check "futd stopped cleanly (Result=success, status 0)" \
	sh -c "[ \"\$(timeout 20 nsenter -t $sd_pid -m -p systemctl show -p Result --value futd.service)\" = success ] &&
	       [ \"\$(timeout 20 nsenter -t $sd_pid -m -p systemctl show -p ExecMainStatus --value futd.service)\" = 0 ]"
check "the socket stays (owned by futd.socket) and starts futd again" in_ns $FUTCTL ping
in_ns systemctl stop futd.service futd.socket

echo "check-systemd: $pass passed, $fail failed"
[ "$fail" = 0 ]
