#!/bin/bash
# The daemon's socket: status and health answer, wait returns once a
# change made before it has been processed, and status stays instant
# while a pass over 5,000 outputs runs.
. "$(dirname "$0")/lib.sh"
RPCC="/usr/bin/python3 $(dirname "$0")/rpcc.py"
SOCK="$WORK/run/choradd.sock"
small_project
start_daemon --socket "$SOCK"
st=$($RPCC "$SOCK" status)
echo "$st" | grep -q '"outputs": 6' || fail "status: $st"
echo "$st" | grep -q '"workspaces": \["default"\]' || fail "status: $st"
$RPCC "$SOCK" health | grep -q '"ok": true' || fail "health"
ok "status and health"

# wait: an edit just made is processed before wait answers.
sed -i 's/"port": 5432/"port": 5433/' "$ROOT/data/backends.json"
w=$($RPCC "$SOCK" wait '{"timeout_ms": 20000}') || fail "wait: $w"
grep -q '"5433"' "$ROOT/out/compose-postgres.yml" || fail "wait returned early"
echo "$w" | grep -q '"failed": \[\]' || fail "wait: $w"
ok "wait covers changes made before it"

# A failing template shows up in wait's answer with file and line.
put templates/intro.j2 '{{ nope }}'
w=$($RPCC "$SOCK" wait '{"timeout_ms": 20000}')
echo "$w" | grep -q '"file": "templates/intro.j2", "line": 1' || fail "wait failures: $w"
ok "wait reports failures with file and line"

# status during a big pass.
python3 - "$ROOT" <<'PY'
import json, sys
root = sys.argv[1]
json.dump({"items": [{"name": "n%05d" % i} for i in range(5000)]},
          open(root + "/big.json", "w"))
json.dump({"id": "big", "type": "content", "template": "templates/big.j2",
           "data": "big.json", "foreach": "items",
           "output": "big/{{ item.name }}.txt"},
          open(root + "/configs/big.json", "w"))
open(root + "/templates/big.j2", "w").write("{{ item.name }}\n")
PY
wait_for test -d "$ROOT/big" || fail "big pass did not start"
lat=$($RPCC "$SOCK" status --repeat 200 --stats)
echo "status during a 5,000-output pass: $lat"
# No timing bound here (the benchmark measures it): answers must come
# while the pass runs, which a loop blocked by the pass could not give.
busy=$(echo "$lat" | sed 's/.*generating=\([0-9]*\).*/\1/')
[ "$busy" -gt 0 ] || fail "no status answer during the pass: $lat"
$RPCC "$SOCK" wait '{"timeout_ms": 60000}' >/dev/null || fail "big pass"
[ "$(ls "$ROOT/big" | wc -l)" = 5000 ] || fail "big outputs"
ok "status answered during the pass"
stop_daemon
