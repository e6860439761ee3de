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
stop_daemon
ok "clean stop"
