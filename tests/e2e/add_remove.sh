#!/bin/bash
# Adding an item makes its output appear; removing it deletes the output,
# whose last text stays in history.  A config made invalid keeps its
# outputs (a typo deletes nothing); a config deleted removes them.
. "$(dirname "$0")/lib.sh"
small_project
start_daemon
python3 - "$ROOT/data/backends.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["backends"].append({"name": "kafka", "port": 9092})
json.dump(d, open(p, "w"), indent=1)
PY
sync_daemon
grep -q "image: kafka:latest" "$ROOT/out/compose-kafka.yml" || fail "kafka missing"
grep -q "# shop: 5 backends" "$ROOT/out/README.md" || fail "README not updated"
ok "added item generated"
python3 - "$ROOT/data/backends.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["backends"] = [b for b in d["backends"] if b["name"] != "mysql"]
json.dump(d, open(p, "w"), indent=1)
PY
sync_daemon
[ ! -e "$ROOT/out/compose-mysql.yml" ] || fail "mysql output still there"
[ "$(sql "select kind from content where content_id='compose/mysql' order by version desc limit 1")" = removed ] ||
	fail "no removal recorded"
bodies compose/mysql generated |
	grep -q "image: mysql:latest" || fail "removed text not in history"
grep -q "image: mysql" "$ROOT/out/README.md" && fail "README still lists mysql"
ok "removed item's output deleted, text kept"
cp "$ROOT/configs/compose.json" "$WORK/compose.json"
put configs/compose.json '{"id": "compose", "type": "content",
 "template": 7}'
sync_daemon
problems | grep -q "configs/compose.json:2: error: 'template' must be a string" ||
	fail "invalid config not reported: $(problems)"
[ -f "$ROOT/out/compose-redis.yml" ] || fail "an invalid config's outputs removed"
ok "an invalid config keeps its outputs"
cp "$WORK/compose.json" "$ROOT/configs/compose.json"
sync_daemon
[ "$(status failed)" = 0 ] || fail "fixed config: $(problems)"
rm "$ROOT/configs/compose.json"
sync_daemon
[ ! -e "$ROOT/out/compose-redis.yml" ] || fail "a deleted config's outputs kept"
ok "a deleted config's outputs removed"
stop_daemon
