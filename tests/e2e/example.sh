#!/bin/bash
# The bundled example: --once generates both workspaces, --check is clean,
# and a changed backend makes --check fail until --once runs again.
. "$(dirname "$0")/lib.sh"
cp -r "$EXAMPLE/." "$ROOT/"
rm -rf "$ROOT/.chora" "$ROOT/out"
"$CHORADD" --root "$ROOT" --once || fail "--once"
for ws in dev prod; do
	for b in postgres mysql redis mongo kafka; do
		[ -f "$ROOT/out/$ws/compose/docker-compose.test-$b.yml" ] || fail "$ws/$b"
	done
	grep -q "| redis | redis:7.2 | 6379 |" "$ROOT/out/$ws/README.md" || fail "$ws README"
done
grep -q "replicas: 3" "$ROOT/out/prod/compose/docker-compose.test-redis.yml" || fail "prod vars"
grep -q "log_level: debug" "$ROOT/out/dev/compose/docker-compose.test-redis.yml" || fail "dev vars"
"$CHORADD" --root "$ROOT" --check || fail "--check after --once"
sed -i 's/"7.2"/"7.4"/' "$ROOT/configs/content/backends-data.json"
"$CHORADD" --root "$ROOT" --check > "$WORK/out" && fail "--check missed a change"
grep -q "stale: docker-tests/redis" "$WORK/out" || fail "$(cat "$WORK/out")"
ok "example project"
