#!/bin/bash
# chorac notify, the save hook: errors come out as "file:line: error:"
# lines an editor's quickfix list reads (only those on stdout), from a
# broken template and from broken data; the answer waits for the pass;
# --no-wait returns at once with the outputs affected.
. "$(dirname "$0")/lib.sh"
small_project
start_daemon --socket "$SOCK"

put templates/compose.j2 'services:
  {{ item.name }}:
    image: {{ item.name | no_such_filter }}
'
out=$(c notify templates/compose.j2) && fail "notify of a broken template exited 0"
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "one line for the one error: $out"
printf '%s\n' "$out" | grep -qv '^templates/compose.j2:3: error: ' &&
	fail "not all quickfix lines: $out"
printf '%s\n' "$out" | grep -q "no_such_filter" || fail "message: $out"
cj notify templates/compose.j2 -- "d['affected'] == 4" "len(d['failed']) == 4" \
	"all(f['file'] == 'templates/compose.j2' and f['line'] == 3 for f in d['failed'])" \
	"sorted(f['id'] for f in d['failed']) == ['compose/mongo', 'compose/mysql', 'compose/postgres', 'compose/redis']" \
	"all('no_such_filter' in f['message'] and not f['message'].startswith('templates') for f in d['failed'])" \
	"d['generated'] == []"
out=$(cd "$ROOT/templates" && "$CHORAC" notify compose.j2) && fail "exit 0"
printf '%s\n' "$out" | grep -q '^compose.j2:3: error: ' ||
	fail "not relative to the current folder: $out"
out=$(cd "$WORK" && "$CHORAC" --root "$ROOT" notify "$ROOT/templates/compose.j2") &&
	fail "exit 0"
printf '%s\n' "$out" | grep -q "^root/templates/compose.j2:3: error: " ||
	fail "not relative to the current folder: $out"
out=$(cd /usr && "$CHORAC" --root "$ROOT" notify "$ROOT/templates/compose.j2") &&
	fail "exit 0"
printf '%s\n' "$out" | grep -q "^$(cd "$ROOT" && pwd -P)/templates/compose.j2:3: error: " ||
	fail "not absolute outside the current folder: $out"
ok "a broken template: file:line: error:, once per distinct error, paths as the shell sees them"

# Relative to the current folder, as an editor in a subfolder gives it.
put templates/compose.j2 'services:
  {{ item.name }}:
    image: {{ item.name }}:2
'
out=$(cd "$ROOT/templates" && "$CHORAC" notify compose.j2) ||
	fail "notify after the fix: $out"
[ -z "$out" ] || fail "stdout not empty after a fix: $out"
grep -q 'image: redis:2' "$ROOT/out/compose-redis.yml" ||
	fail "notify returned before the pass"
cj notify "$ROOT/templates/compose.j2" -- "d['failed'] == []" "d['affected'] == 4"
ok "a fixed template: quiet, and the outputs are written when it returns"

printf '{"project": "shop", "backends": [\n  {"name": "x",\n}' > "$ROOT/data/backends.json"
out=$(c notify data/backends.json) && fail "broken data exited 0"
printf '%s\n' "$out" | grep -q '^data/backends.json:[0-9]*: error: ' ||
	fail "broken data: $out"
ok "broken data: file:line: error:"

put data/backends.json '{"project": "shop", "backends": [{"name": "solo", "port": 1}]}'
cj notify data/backends.json --no-wait -- "sorted(d.keys()) == ['affected']"
c wait >/dev/null
[ -f "$ROOT/out/compose-solo.yml" ] || fail "the change was not processed"
cj notify data/backends.json -- "'generated' in d" "d['failed'] == []"
ok "--no-wait answers at once"
stop_daemon
