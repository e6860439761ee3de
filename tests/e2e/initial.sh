#!/bin/bash
# Initial generation: every output appears with the right text, and the
# store holds each version.
. "$(dirname "$0")/lib.sh"
small_project
start_daemon
for b in postgres mysql redis mongo; do
	grep -q "image: $b:latest" "$ROOT/out/compose-$b.yml" || fail "compose-$b"
	grep -q "restart: always" "$ROOT/out/compose-$b.yml" || fail "include in $b"
done
grep -q "# shop: 4 backends" "$ROOT/out/README.md" || fail "README intro"
grep -q "image: redis:latest" "$ROOT/out/README.md" || fail "README parts"
[ "$(status outputs)" = 6 ] || fail "outputs: $(status outputs)"
[ "$(status failed)" = 0 ] || fail "failed: $(problems)"
[ "$(sql "select count(*) from content where kind='generated'")" = 6 ] ||
	fail "store versions"
ok "initial generation"
# SIGHUP reloads every config; nothing current is written again.
ino=$(inode out/compose-redis.yml)
passes=$(status passes)
kill -HUP "$DPID"
passes_over() { [ "$(status passes)" -gt "$1" ]; }
wait_for passes_over "$passes" || fail "no pass after SIGHUP"
sync_daemon
kill -0 "$DPID" || fail "daemon died on SIGHUP"
[ "$(inode out/compose-redis.yml)" = "$ino" ] || fail "SIGHUP rewrote a current output"
grep -q "SIGHUP: reloading" "$LOG" || fail "no reload logged"
ok "SIGHUP reloads without rewriting"
stop_daemon
ok "clean stop"
