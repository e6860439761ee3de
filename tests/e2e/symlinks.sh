#!/bin/bash
# Inputs reached through symlinks inside the root: switching the link
# and editing its target both regenerate, for data and for templates
# (a "current.json -> v2.json" data file, a shared template linked in).
. "$(dirname "$0")/lib.sh"
small_project
put data/v1.json '{"x": 1}'
put data/v2.json '{"x": 2}'
ln -s v1.json "$ROOT/data/current.json"
put shared/real.j2 'x={{ x }}
'
ln -s ../shared/real.j2 "$ROOT/templates/linked.j2"
put configs/linked.json '{"id": "linked", "type": "content",
 "template": "templates/linked.j2", "data": "data/current.json",
 "output": "out/linked.txt"}'
start_daemon
[ "$(cat "$ROOT/out/linked.txt")" = "x=1" ] || fail "first"
ln -sfn v2.json "$ROOT/data/current.json"
sync_daemon
[ "$(cat "$ROOT/out/linked.txt")" = "x=2" ] || fail "link switched"
put data/v2.json '{"x": 22}'
sync_daemon
[ "$(cat "$ROOT/out/linked.txt")" = "x=22" ] || fail "data target edited"
ok "data through a symlink: the link and its target"
put shared/real.j2 'X={{ x }}
'
sync_daemon
[ "$(cat "$ROOT/out/linked.txt")" = "X=22" ] || fail "template target edited"
ok "a template through a symlink: its target"
stop_daemon
