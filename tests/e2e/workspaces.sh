#!/bin/bash
# Workspaces added, removed and reordered in chora.json while the daemon
# runs: each output stays with its workspace (by name, not position), a
# removed workspace's outputs are removed, nothing is taken for a hand
# edit or a clash.
. "$(dirname "$0")/lib.sh"
small_project
manifest() {
	put chora.json "{\"settle_ms\": 10, \"fsync\": false, \"workspaces\": {$1}}"
}
ws() { printf '"%s": {"vars": {"env": "%s"}, "output_dir": "%s"}' "$1" "$1" "$1"; }
put configs/intro.json '{"id": "intro", "type": "content",
 "template": "templates/intro.j2", "data": "data/backends.json",
 "output": "intro.md"}'
put templates/intro.j2 '# {{ project }} ({{ vars.env }})
'
manifest "$(ws dev), $(ws prod)"
start_daemon
grep -qx "# shop (dev)" "$ROOT/dev/intro.md" || fail "dev"
grep -qx "# shop (prod)" "$ROOT/prod/intro.md" || fail "prod"
manifest "$(ws prod)"
sync_daemon
[ ! -e "$ROOT/dev/intro.md" ] || fail "a removed workspace's output kept"
grep -qx "# shop (prod)" "$ROOT/prod/intro.md" || fail "prod after dev went"
ok "a removed workspace's outputs go, the others stay"
manifest "$(ws stage), $(ws prod)"
sync_daemon
grep -qx "# shop (stage)" "$ROOT/stage/intro.md" || fail "stage"
sed -i 's/shop/store/' "$ROOT/data/backends.json"
sync_daemon
grep -qx "# store (prod)" "$ROOT/prod/intro.md" || fail "prod after a reorder"
grep -qx "# store (stage)" "$ROOT/stage/intro.md" || fail "stage after an edit"
[ "$(status failed)" = 0 ] || fail "failures: $(problems)"
[ "$(status drifted)" = 0 ] || fail "drift: $(problems)"
[ "$(sql "select count(*) from content where kind = 'drift'")" = 0 ] ||
	fail "drift versions recorded"
ok "outputs follow their workspace by name"
stop_daemon
