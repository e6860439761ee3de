#!/bin/bash
# SIGKILL in the middle of a pass, then a restart: every output is correct
# and no temporary file is left.
. "$(dirname "$0")/lib.sh"
put chora.json '{"settle_ms": 10, "fsync": true}'
python3 - "$ROOT/data.json" <<'PY'
import json, sys
json.dump({"items": [{"name": "i%04d" % i, "v": i} for i in range(3000)]},
          open(sys.argv[1], "w"))
PY
put configs/many.json '{"id": "many", "type": "content", "template": "t.j2",
 "data": "data.json", "foreach": "items", "output": "out/{{ item.name }}.txt"}'
put t.j2 'item {{ item.name }} = {{ item.v }}
'
"$CHORADD" --root "$ROOT" --foreground >>"$LOG" 2>&1 &
DPID=$!
wait_for test -d "$ROOT/out" || fail "no output started"
kill -KILL "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=""
ok "killed during the first pass ($(ls "$ROOT/out" | wc -l) files then)"
start_daemon
for i in 0 1 1500 2999; do
	n=$(printf 'i%04d' "$i")
	[ "$(cat "$ROOT/out/$n.txt")" = "item $n = $i" ] || fail "$n wrong"
done
[ "$(ls "$ROOT/out" | grep -c '\.txt$')" = 3000 ] || fail "count"
left=$(find "$ROOT" -name '.chora-tmp.*' | wc -l)
[ "$left" = 0 ] || fail "$left temporary files left"
[ "$(status failed)" = 0 ] || fail "failures: $(problems)"
ok "restart completed every output, no temp files"
stop_daemon
