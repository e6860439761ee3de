#!/bin/bash
# Output paths that leave the root (.., absolute, through a symlink), or
# that would overwrite what the project reads (data, a template, a config,
# the manifest, the store), are refused for that output and nothing is
# written; the rest go on.
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
# The output itself a link to a file outside, beside outputs that are not.
printf 'theirs\n' > "$WORK/outside/target.txt"
mkdir -p "$ROOT/out"
ln -s "$WORK/outside/target.txt" "$ROOT/out/compose-mongo.yml"
start_daemon
[ ! -e "$WORK/escaped.txt" ] || fail "../ escaped"
[ ! -e "$WORK/outside/abs.txt" ] || fail "absolute path written"
[ ! -e "$WORK/outside/sym.txt" ] || fail "symlink followed"
p=$(problems)
echo "$p" | grep -q "up.*leaves the project root" || fail "no error for ..: $p"
echo "$p" | grep -q "abs.*absolute path" || fail "no error for absolute: $p"
echo "$p" | grep -q "sym.*symbolic link" || fail "no error for symlink: $p"
[ "$(cat "$WORK/outside/target.txt")" = theirs ] || fail "link target written"
echo "$p" | grep -q "compose/mongo.*symbolic link" ||
	fail "no error for a linked output: $p"
[ -f "$ROOT/out/compose-redis.yml" ] || fail "other outputs stopped"
ok "escaping outputs refused"
stop_daemon

# Inputs: each refused with the config's file:line, each left intact.
rm "$ROOT/out/compose-mongo.yml" "$ROOT"/configs/{up,abs,sym}.json
n=0
for o in data/backends.json templates/intro.j2 templates/common.j2 \
    configs/compose.json chora.json .chora/storage.db; do
	n=$((n + 1))
	put "configs/over$n.json" "{\"id\": \"over$n\", \"type\": \"content\",
 \"template\": \"templates/intro.j2\", \"data\": \"data/backends.json\",
 \"output\": \"$o\"}"
done
for f in data/backends.json templates/intro.j2 templates/common.j2 \
    configs/compose.json chora.json; do
	sha256sum "$ROOT/$f"
done > "$WORK/inputs.sha"
"$CHORADD" --root "$ROOT" --once 2>"$WORK/once.err" && fail "--once passed"
sha256sum --quiet -c "$WORK/inputs.sha" || fail "an input was overwritten"
for n in 1 2 3 4 5; do
	grep -q "configs/over$n.json:3: error: output of over$n refused" \
		"$WORK/once.err" || fail "over$n: $(cat "$WORK/once.err")"
done
grep -q "'templates/common.j2' is a template" "$WORK/once.err" ||
	fail "an included template not named: $(cat "$WORK/once.err")"
grep -q "'data/backends.json' is data a config reads" "$WORK/once.err" ||
	fail "data not named: $(cat "$WORK/once.err")"
grep -q "over6.*inside the store" "$WORK/once.err" || fail "store"
[ -f "$ROOT/out/compose-redis.yml" ] || fail "other outputs stopped"
ok "outputs over the project's inputs refused"
