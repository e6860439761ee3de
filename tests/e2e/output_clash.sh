#!/bin/bash
# Two outputs that would write the same file are an error for both, named
# with each config's file:line, until one of them moves; an item whose key
# changes while its output path does not keeps its file (it is not
# "removed" by the item that went, nor taken for a hand edit).
. "$(dirname "$0")/lib.sh"
small_project
put configs/other.json '{"id": "other", "type": "content",
 "template": "templates/intro.j2", "data": "data/backends.json",
 "output": "out/compose-redis.yml"}'
"$CHORADD" --root "$ROOT" --once 2>"$WORK/once.err" && fail "--once passed"
grep -q "configs/other.json:3: error: 'other' writes out/compose-redis.yml, as 'compose/redis' does (configs/compose.json:4)" \
	"$WORK/once.err" || fail "clash not reported: $(cat "$WORK/once.err")"
grep -q "configs/compose.json:4: error: 'compose/redis' writes out/compose-redis.yml, as 'other' does (configs/other.json:3)" \
	"$WORK/once.err" || fail "clash not reported on both: $(cat "$WORK/once.err")"
grep -q "drift" "$WORK/once.err" && fail "a clash taken for drift"
"$CHORADD" --root "$ROOT" --check >"$WORK/check.out" 2>/dev/null && fail "--check passed"
[ "$(grep -c "each output needs a path of its own" "$WORK/check.out")" = 2 ] ||
	fail "--check: $(cat "$WORK/check.out")"
grep -q "drifted" "$WORK/check.out" && fail "--check: a clash taken for drift"
ok "a shared output path fails both, with file:line"

start_daemon
[ "$(status failed)" = 2 ] || fail "daemon: $(problems)"
put configs/other.json '{"id": "other", "type": "content",
 "template": "templates/intro.j2", "data": "data/backends.json",
 "output": "out/other.md"}'
sync_daemon
[ "$(status failed)" = 0 ] || fail "clash not cleared: $(problems)"
grep -q "image: redis" "$ROOT/out/compose-redis.yml" || fail "redis output"
grep -q "backends" "$ROOT/out/other.md" || fail "other output"
ok "moving one of them clears the error"

# The key changes (name -> name-v2), the output path (by port) does not.
put configs/compose.json '{"id": "compose", "type": "content",
 "template": "templates/compose.j2", "data": "data/backends.json",
 "foreach": "backends", "key": "{{ item.name }}",
 "output": "out/compose-{{ item.port }}.yml"}'
sync_daemon
[ -f "$ROOT/out/compose-6379.yml" ] || fail "outputs by port"
put configs/compose.json '{"id": "compose", "type": "content",
 "template": "templates/compose.j2", "data": "data/backends.json",
 "foreach": "backends", "key": "{{ item.name }}-v2",
 "output": "out/compose-{{ item.port }}.yml"}'
sync_daemon
for port in 5432 3306 6379 27017; do
	[ -f "$ROOT/out/compose-$port.yml" ] || fail "compose-$port.yml removed"
done
[ "$(status drifted)" = 0 ] || fail "taken for drift: $(problems)"
[ "$(sql "select count(*) from content where kind = 'drift'")" = 0 ] ||
	fail "drift versions recorded"
ok "a key change keeps the output file"
stop_daemon
