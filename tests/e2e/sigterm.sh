#!/bin/bash
# SIGTERM finishes the output in hand and exits 0, whether it arrives in
# the middle of a pass or while the pass's records are being committed;
# a restart then finds every output current.
. "$(dirname "$0")/lib.sh"
put chora.json '{"settle_ms": 10, "fsync": false}'
python3 - "$ROOT/data.json" <<'PY'
import json, sys
json.dump({"items": [{"name": "i%04d" % i, "v": i} for i in range(3000)]},
          open(sys.argv[1], "w"))
PY
put configs/many.json '{"id": "many", "type": "content", "template": "t.j2",
 "data": "data.json", "foreach": "items", "output": "out/{{ item.name }}.txt"}'
put t.j2 'item {{ item.name }} = {{ item.v }}
'
# In the middle of the first pass.
"$CHORADD" --root "$ROOT" --foreground >>"$LOG" 2>&1 &
DPID=$!
wait_for test -d "$ROOT/out" || fail "no output started"
kill -TERM "$DPID"
wait "$DPID" || fail "exit status $? after SIGTERM mid-pass"
DPID=""
ok "SIGTERM mid-pass: exit 0"
# Just as the outputs are all written (the records may still be going
# into the store).
rm -rf "$ROOT/out" "$ROOT/.chora"
"$CHORADD" --root "$ROOT" --foreground >>"$LOG" 2>&1 &
DPID=$!
wait_for test -f "$ROOT/out/i2999.txt" || fail "outputs not written"
kill -TERM "$DPID"
wait "$DPID" || fail "exit status $? after SIGTERM at the end of a pass"
DPID=""
ok "SIGTERM at the pass's end: exit 0"
start_daemon
[ "$(ls "$ROOT/out" | wc -l)" = 3000 ] || fail "count"
[ "$(cat "$ROOT/out/i1234.txt")" = "item i1234 = 1234" ] || fail "content"
[ "$(status failed)" = 0 ] || fail "failures: $(problems)"
ok "restart: every output current"
stop_daemon
