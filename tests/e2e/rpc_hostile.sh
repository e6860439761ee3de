#!/bin/bash
# Hostile clients against the real choradd (rpc_hostile.py), then a
# client of another uid, which is refused and logged (as root, run with
# setpriv as nobody; skipped, saying why, otherwise).  The daemon must
# survive all of it and stop cleanly.
. "$(dirname "$0")/lib.sh"
small_project
# A 1 MiB output, for the client that never reads its replies.
put configs/big.json '{"id": "big", "type": "content", "template": "templates/big.j2",
 "data": "data/backends.json", "output": "out/big.txt"}'
put templates/big.j2 '{% for i in range(16384) %}{{ project }} {{ "%056d" % i }}
{% endfor %}'
start_daemon --socket "$SOCK"
/usr/bin/python3 "$(dirname "$0")/rpc_hostile.py" "$SOCK" "$LOG" ||
	fail "hostile clients"
kill -0 "$DPID" || fail "the daemon died"

if [ "$(id -u)" != 0 ]; then
	echo "skip: another uid needs root (setpriv); running as uid $(id -u)"
else
	# Let nobody reach the socket: only the daemon's peer check stands.
	chmod 0755 "$WORK" "$WORK/run" "$(dirname "$SOCK")"
	chmod 0777 "$SOCK"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		/usr/bin/python3 - "$SOCK" <<'PY'
import socket, sys, msgpack
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
try:
    s.sendall(msgpack.packb([0, 1, "hello", [{"version": 1}]]))
    data = s.recv(65536)
except (BrokenPipeError, ConnectionResetError):
    data = b""
print("answered" if data else "refused")
PY
	) || fail "the foreign client: $out"
	[ "$out" = refused ] || fail "uid 65534 was answered"
	grep -q 'refused connection from uid 65534' "$LOG" || fail "not logged"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		env CHORA_SOCKET="$SOCK" "$CHORAC" --root "$ROOT" status 2>&1) &&
		fail "chorac as uid 65534 was served: $out"
	echo "$out" | grep -q 'is uid 65534 allowed' || fail "chorac message: $out"
	ok "a client of another uid is refused and logged"
fi
expect_exit 0 status
stop_daemon
ok "the daemon survived and stopped cleanly"

# Read-only access (choradd.conf read-uid): queries yes, writes no.
[ "$(id -u)" = 0 ] || exit 0
printf 'read-uid 65534\n' > "$WORK/ro.conf"
rm -f "$ROOT/.chora/daemon-status.json"
start_daemon --socket "$SOCK" --config "$WORK/ro.conf"
wait_for test -S "$SOCK" || fail "no socket"
chmod 0755 "$WORK" "$WORK/run" "$(dirname "$SOCK")" "$ROOT"
chmod 0777 "$SOCK"
mkdir -p "$WORK/other" && printf '{}' > "$WORK/other/chora.json"
chmod 0755 "$WORK/other"
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env CHORA_SOCKET="$SOCK" CHORA_NO_SPAWN=1 "$CHORAC" "$@"
}
for cmd in "status" "health" "list content" "show compose/mysql" \
    "history compose/mysql" "deps readme" "stale" "deploy list" "roots"; do
	# shellcheck disable=SC2086
	nobody --root "$ROOT" $cmd >/dev/null 2>"$WORK/err" ||
		fail "read-only $cmd: $(cat "$WORK/err")"
done
for cmd in "generate" "deploy record --env e --version v --status s" \
    "rollback compose/mysql --to 1" "gc" "migrate" "roots add $ROOT"; do
	# shellcheck disable=SC2086
	rc=0; nobody --root "$ROOT" --json $cmd > "$WORK/out" 2>/dev/null || rc=$?
	[ "$rc" = 1 ] || fail "read-only $cmd exited $rc"
	$JCHECK "d['error']['name'] == 'permission_denied'" < "$WORK/out" ||
		fail "read-only $cmd"
done
rc=0; nobody --root "$WORK/other" --json status > "$WORK/out" 2>/dev/null || rc=$?
$JCHECK "d['error']['name'] == 'permission_denied'" "'may not add' in d['error']['message']" < "$WORK/out" ||
	fail "a read-only peer added a root"
expect_exit 0 roots
grep -q "$WORK/other" "$WORK/out" && fail "the root was added"
stop_daemon
ok "read-only peers query and are refused writes, new roots included"
