#!/bin/bash
# Editing an included template regenerates every output that includes it.
. "$(dirname "$0")/lib.sh"
small_project
start_daemon
put templates/common.j2 '    restart: unless-stopped
'
sync_daemon
for b in postgres mysql redis mongo; do
	grep -q "restart: unless-stopped" "$ROOT/out/compose-$b.yml" || fail "$b"
done
grep -q "restart: unless-stopped" "$ROOT/out/README.md" || fail "README"
ok "include edit regenerated all dependents"
stop_daemon
