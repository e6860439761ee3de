#!/bin/bash
# Output paths that leave the root (.., absolute, through a symlink) are
# refused for that output and nothing is written; the rest go on.
. "$(dirname "$0")/lib.sh"
small_project
mkdir -p "$WORK/outside"
ln -s "$WORK/outside" "$ROOT/link"
put configs/up.json '{"id": "up", "type": "content", "template": "templates/intro.j2",
 "data": "data/backends.json", "output": "../escaped.txt"}'
put configs/abs.json "{\"id\": \"abs\", \"type\": \"content\", \"template\": \"templates/intro.j2\",
 \"data\": \"data/backends.json\", \"output\": \"$WORK/outside/abs.txt\"}"
put configs/sym.json '{"id": "sym", "type": "content", "template": "templates/intro.j2",
 "data": "data/backends.json", "output": "link/sym.txt"}'
start_daemon
[ ! -e "$WORK/escaped.txt" ] || fail "../ escaped"
[ ! -e "$WORK/outside/abs.txt" ] || fail "absolute path written"
[ ! -e "$WORK/outside/sym.txt" ] || fail "symlink followed"
p=$(problems)
echo "$p" | grep -q "up.*leaves the project root" || fail "no error for ..: $p"
echo "$p" | grep -q "abs.*absolute path" || fail "no error for absolute: $p"
echo "$p" | grep -q "sym.*symbolic link" || fail "no error for symlink: $p"
[ -f "$ROOT/out/compose-redis.yml" ] || fail "other outputs stopped"
ok "escaping outputs refused"
stop_daemon
