#!/bin/bash
# The roots a daemon serves: roots add/remove; a root named by a client
# (chorac run inside it) is added and its first pass waited for; and a
# chorac that finds no daemon starts one (unless --no-spawn), which then
# serves the root it names.
. "$(dirname "$0")/lib.sh"
small_project
start_daemon --socket "$SOCK"
R=$(cd "$ROOT" && pwd -P)
mk_root() {
	local saved=$ROOT
	ROOT=$1
	mkdir -p "$ROOT"
	small_project
	ROOT=$saved
}
mk_root "$WORK/two"
mk_root "$WORK/three"
TWO=$(cd "$WORK/two" && pwd -P)
THREE=$(cd "$WORK/three" && pwd -P)

cj roots add "$WORK/two" -- "sorted(r['root'] for r in d['roots']) == sorted(['$R', '$TWO'])"
(cd "$TWO" && "$CHORAC" wait >/dev/null) || fail "wait for the added root"
[ -f "$TWO/out/README.md" ] || fail "the added root was not generated"
cj status -- "len(d['roots']) == 2"
ok "roots add"

# Named by a client: added, and a query waits for its first pass.
out=$(cd "$THREE/templates" && "$CHORAC" --json list content) ||
	fail "list in a new root: $out"
printf '%s\n' "$out" | $JCHECK "d['total'] == 5" || fail "first pass not waited for"
cj roots -- "len(d['roots']) == 3" "'$THREE' in [r['root'] for r in d['roots']]"
ok "a root a client names is added"

# Without a root named, a daemon serving several asks for one.
out=$(cd "$WORK" && "$CHORAC" --json generate 2>/dev/null) && fail "generate outside a root"
cj roots remove "$WORK/two" -- "sorted(r['root'] for r in d['roots']) == sorted(['$R', '$THREE'])"
sed -i '/mysql/s/"port": [0-9]*/"port": 4000/' "$TWO/data/backends.json"
c wait >/dev/null
grep -q '"3306"' "$TWO/out/compose-mysql.yml" || fail "a removed root is still served"
cj roots remove "$WORK/two" -- "d['error']['name'] == 'not_found'"
cj roots add "$WORK" -- "d['error']['name'] == 'no_root'"
expect_exit 4 roots add "$WORK/nowhere"
ok "roots remove, and what is refused"
stop_daemon

# No daemon: chorac starts one on its socket and it serves the root.
S2="$WORK/spawn/chora.sock"
out=$(cd "$ROOT" && CHORA_NO_SPAWN= "$CHORAC" --json --socket "$S2" list content) ||
	fail "spawned list: $out"
printf '%s\n' "$out" | $JCHECK "d['total'] == 5" || fail "spawned daemon's answer"
[ -S "$S2" ] && [ -f "$S2.pid" ] || fail "no socket or pid file"
SPID=$(cat "$S2.pid")
kill -0 "$SPID" || fail "the spawned daemon is not running"
out=$(cd "$ROOT" && CHORA_NO_SPAWN= "$CHORAC" --json --socket "$S2" status)
printf '%s\n' "$out" | $JCHECK "d['pid'] == $SPID" "d['roots'][0]['root'] == '$R'" ||
	fail "a second chorac started another daemon"
kill -TERM "$SPID"
wait_for test ! -e "$S2" || fail "the spawned daemon did not stop"
ok "chorac starts the daemon when none answers"
