#!/bin/sh
# demo.sh - `make demo`: start testsrv on a loopback port, run futd against
# it with conf/demo.conf, show `futctl status` a few times, stop everything.
# Every process here is ours and is stopped by its PID; every wait is bounded.
set -u
BUILD=${BUILD:-build}
tmp=$(mktemp -d /tmp/futd-demo.XXXXXX)
srv_pid= futd_pid=

cleanup() {
	[ -n "$futd_pid" ] && kill -TERM "$futd_pid" 2>/dev/null && wait "$futd_pid" 2>/dev/null
	[ -n "$srv_pid" ] && kill -TERM "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$BUILD/testsrv" -t 60 -l "$tmp/srv.log" 0 >"$tmp/srv.out" &
srv_pid=$!
i=0
while ! grep -q '^ready' "$tmp/srv.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 50 ] && { echo "demo: testsrv did not start" >&2; exit 1; }
	sleep 0.1
done
port=$(awk '/^ready/ { print $2 }' "$tmp/srv.out")
sed "s|@PORT@|$port|g; s|@SOCKET@|$tmp/futd.sock|g" conf/demo.conf >"$tmp/demo.conf"
mkdir "$tmp/demo.d"
for f in conf/demo.d/*.conf; do
	sed "s|@PORT@|$port|g" "$f" >"$tmp/demo.d/${f##*/}"
done

echo "== testsrv listening on 127.0.0.1:$port; futd config: $tmp/demo.conf"
echo "   and its targets_dir: $(cd "$tmp/demo.d" && echo *)"
"$BUILD/futd" -n -f "$tmp/demo.conf" || exit 1
"$BUILD/futd" -f "$tmp/demo.conf" 2>"$tmp/futd.log" &
futd_pid=$!

for round in 1 2 3; do
	sleep 1
	echo
	echo "== futctl status ($round/3)"
	FUTD_SOCKET="$tmp/futd.sock" "$BUILD/futctl" status || exit 1
done
echo
echo "== a new file in demo.d, then futctl reload (only that file is read)"
printf 'targets = ( { name = "added"; host = "127.0.0.1"; port = %s; } );\n' \
    "$port" >"$tmp/demo.d/added.conf"
"$BUILD/futctl" -s "$tmp/futd.sock" reload || exit 1
sleep 1
FUTD_SOCKET="$tmp/futd.sock" "$BUILD/futctl" status || exit 1
echo
echo "== futctl show peer"
"$BUILD/futctl" -s "$tmp/futd.sock" show peer | head -n 20
echo
echo "== futd's log"
cat "$tmp/futd.log"
echo
echo "== what testsrv received (first 3 connections of $(wc -l <"$tmp/srv.log"))"
head -n 3 "$tmp/srv.log"
kill -TERM "$futd_pid" && wait "$futd_pid"
rc=$?
futd_pid=
echo
echo "== futd stopped with status $rc; control socket removed: $([ -e "$tmp/futd.sock" ] && echo no || echo yes)"
