#!/bin/bash
# Editing an included template regenerates every output that includes it;
# an optional include ("ignore missing") that appears, or goes, does too.
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
put templates/common.j2 '    restart: unless-stopped
{% include "templates/local/extra.j2" ignore missing %}
'
sync_daemon
grep -q "init: true" "$ROOT/out/compose-redis.yml" && fail "extra before it exists"
# In a folder that did not exist either: watched as it appears.
put templates/local/extra.j2 '    init: true
'
sync_daemon
for b in postgres mysql redis mongo; do
	grep -q "init: true" "$ROOT/out/compose-$b.yml" ||
		fail "$b: the optional include that appeared is not in it"
done
ok "an optional include that appears regenerates its dependents"
rm "$ROOT/templates/local/extra.j2"
sync_daemon
grep -q "init: true" "$ROOT/out/compose-mongo.yml" &&
	fail "the optional include that went is still in it"
ok "and one that goes"
stop_daemon
