#!/bin/bash
# validate and on_change: a failing validation keeps the old output and
# reports the command's stderr; on_change runs once per pass per config,
# even when several of its outputs changed; {{ tmp }} names the new text.
. "$(dirname "$0")/lib.sh"
small_project
put configs/compose.json '{"id": "compose", "type": "content",
 "template": "templates/compose.j2", "data": "data/backends.json",
 "foreach": "backends", "key": "{{ item.name }}",
 "output": "out/compose-{{ item.name }}.yml",
 "validate": "sh -c '"'"'if grep -q FORBIDDEN \"$1\"; then echo \"forbidden word in $1\" >&2; exit 3; fi'"'"' sh {{ tmp }}",
 "on_change": "sh -c '"'"'echo run >> ../on_change.log'"'"'"}'
runs_are() { [ "$(cat "$WORK/on_change.log" 2>/dev/null | wc -l)" = "$1" ]; }
start_daemon
# on_change runs on a worker after the pass: wait for it, then make sure
# it ran once only.
wait_for runs_are 1 || fail "on_change did not run"
sync_daemon
runs_are 1 || fail "on_change ran $(wc -l < "$WORK/on_change.log") times for the first pass"
ok "on_change once for four new outputs"
# Two outputs change in one pass: one more run.
python3 - "$ROOT/data/backends.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["backends"][0]["port"] += 1; d["backends"][1]["port"] += 1
json.dump(d, open(p, "w"))
PY
sync_daemon
wait_for runs_are 2 || fail "on_change count $(wc -l < "$WORK/on_change.log")"
ok "on_change once per pass"
before=$(cat "$ROOT/out/compose-redis.yml")
python3 - "$ROOT/data/backends.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["backends"][2]["name"] = "redis"; d["backends"][2]["port"] = "FORBIDDEN"
json.dump(d, open(p, "w"))
PY
sync_daemon
[ "$(cat "$ROOT/out/compose-redis.yml")" = "$before" ] || fail "a failed validation replaced the output"
problems | grep -q "configs/compose.json:5: error: validate of compose/redis failed (exit 3): forbidden word in .*[^[:space:]]$" ||
	fail "validation error not reported (file:line, one line): $(problems)"
[ -z "$(find "$ROOT/out" -name '.chora-tmp.*')" ] || fail "temp file left"
[ "$(wc -l < "$WORK/on_change.log")" = 2 ] || fail "on_change ran for a failed output"
ok "failed validation keeps the old output and reports stderr"
stop_daemon
