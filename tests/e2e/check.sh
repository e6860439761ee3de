#!/bin/bash
# --check writes nothing and exits 1 on each kind of problem, 0 when clean.
. "$(dirname "$0")/lib.sh"
small_project
check() { "$CHORADD" --root "$ROOT" --check >"$WORK/check.out" 2>&1; }
check && fail "--check passed before anything was generated"
grep -q "missing" "$WORK/check.out" || fail "missing outputs not listed"
[ ! -e "$ROOT/out" ] || fail "--check wrote outputs"
[ ! -e "$ROOT/.chora" ] || fail "--check created a store"
"$CHORADD" --root "$ROOT" --once || fail "--once failed"
check || fail "--check not clean after --once: $(cat "$WORK/check.out")"
ok "clean: exit 0"
sed -i 's/6379/6390/' "$ROOT/data/backends.json"
check && fail "stale not found"
grep -q "stale: compose/redis" "$WORK/check.out" || fail "stale: $(cat "$WORK/check.out")"
# Each finding names the input that moved, as precisely as it was read.
grep -q "compose-redis.yml does not match its sources: item 'compose/redis' of data/backends.json changed" \
	"$WORK/check.out" || fail "stale reason: $(cat "$WORK/check.out")"
grep -q "compose/postgres" "$WORK/check.out" && fail "an unchanged item listed"
ok "stale: exit 1, naming the changed item"
"$CHORADD" --root "$ROOT" --once
put templates/common.j2 '    restart: unless-stopped
'
check && fail "template edit not found"
grep -q "compose-mongo.yml does not match its sources: templates/common.j2 changed" \
	"$WORK/check.out" || fail "template reason: $(cat "$WORK/check.out")"
"$CHORADD" --root "$ROOT" --once
put templates/common.j2 '    restart: always
{% include "templates/extra.j2" ignore missing %}
'
"$CHORADD" --root "$ROOT" --once
put templates/extra.j2 '    init: true
'
check && fail "an optional include that appeared not found"
grep -q "compose-mongo.yml does not match its sources: templates/extra.j2 appeared" \
	"$WORK/check.out" || fail "new input reason: $(cat "$WORK/check.out")"
ok "stale: a changed template and a new include named"
"$CHORADD" --root "$ROOT" --once
echo tweak >> "$ROOT/out/compose-mysql.yml"
check && fail "drift not found"
grep -q "drifted: compose/mysql" "$WORK/check.out" || fail "drift: $(cat "$WORK/check.out")"
ok "drifted: exit 1"
"$CHORADD" --root "$ROOT" --once
check || fail "--once did not restore the drifted output"
rm "$ROOT/out/compose-mongo.yml"
check && fail "missing not found"
grep -q "missing: compose/mongo" "$WORK/check.out" || fail "missing: $(cat "$WORK/check.out")"
ok "missing: exit 1"
"$CHORADD" --root "$ROOT" --once
put templates/intro.j2 '{{ nosuchname }}'
check && fail "render error not found"
grep -q "templates/intro.j2:1: error" "$WORK/check.out" || fail "error: $(cat "$WORK/check.out")"
ok "failing: exit 1 with file:line"
put templates/intro.j2 '# {{ project }}: {{ backends | length }} backends
'
put configs/bad.json '{"id": "bad", "type": "content",
 "template": 7}'
check && fail "config error not found"
grep -q "configs/bad.json:2: error: 'template' must be a string" "$WORK/check.out" ||
	fail "config: $(cat "$WORK/check.out")"
ok "invalid config: exit 1 with file:line"
rm "$ROOT/configs/bad.json"
# A data file kept under configs/, read by two configs, with a mistake:
# said once, at its own line (not also as a config that failed to load,
# nor once per config reading it).
put configs/shared.json '{"items": [
 {"name": "x",}
]}'
for c in one two; do
	put "configs/$c.json" "{\"id\": \"$c\", \"type\": \"content\",
 \"template\": \"templates/intro.j2\", \"data\": \"configs/shared.json\",
 \"output\": \"out/$c.md\"}"
done
"$CHORADD" --root "$ROOT" --check >"$WORK/check.out" 2>"$WORK/check.err" &&
	fail "invalid shared data not found"
[ "$(grep -c "configs/shared.json:2: error" "$WORK/check.out")" = 1 ] ||
	fail "shared data error not listed once: $(cat "$WORK/check.out")"
[ "$(grep -c "configs/shared.json:2: error" "$WORK/check.err")" = 1 ] ||
	fail "shared data error not logged once: $(cat "$WORK/check.err")"
ok "one mistake in shared data: one line"
