#!/bin/bash
# A generated file edited by hand is reported as drifted and its text is
# kept in history before anything overwrites it.
. "$(dirname "$0")/lib.sh"
small_project
start_daemon
echo "# my local tweak" >> "$ROOT/out/compose-mongo.yml"
sync_daemon
[ "$(status drifted)" = 1 ] || fail "drift not reported: $(problems)"
grep -q "drift: out/compose-mongo.yml" "$LOG" || fail "drift not logged"
bodies compose/mongo drift |
	grep -q "my local tweak" || fail "drifted text not in history"
ok "drift reported and kept"
# An input change regenerates it; the hand edit is in history already.
sed -i 's/"port": 27017/"port": 27018/' "$ROOT/data/backends.json"
sync_daemon
grep -q '"27018"' "$ROOT/out/compose-mongo.yml" || fail "not regenerated"
grep -q "my local tweak" "$ROOT/out/compose-mongo.yml" && fail "tweak survived"
ok "regenerated after input change"
stop_daemon
