#!/bin/bash
# An edit to one item, in place and by rename-over, changes only the
# outputs that read it; the others keep their inode and mtime.
. "$(dirname "$0")/lib.sh"
small_project
start_daemon
pg=$(inode out/compose-postgres.yml); pgm=$(mtime out/compose-postgres.yml)
my=$(inode out/compose-mysql.yml)

# In place: the same file rewritten (no rename).
python3 - "$ROOT/data/backends.json" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace('"port": 6379', '"port": 6380')
with open(p, "r+") as f:
    f.write(s); f.truncate()
PY
sync_daemon
grep -q '"6380"' "$ROOT/out/compose-redis.yml" || fail "redis not regenerated"
[ "$(inode out/compose-postgres.yml)" = "$pg" ] || fail "postgres rewritten"
[ "$(mtime out/compose-postgres.yml)" = "$pgm" ] || fail "postgres mtime"
[ "$(inode out/compose-mysql.yml)" = "$my" ] || fail "mysql rewritten"
ok "in-place edit touched only its output"

# Rename-over, as editors save.
sed 's/"port": 3306/"port": 3307/' "$ROOT/data/backends.json" > "$ROOT/data/.tmp.json"
mv "$ROOT/data/.tmp.json" "$ROOT/data/backends.json"
sync_daemon
grep -q '"3307"' "$ROOT/out/compose-mysql.yml" || fail "mysql not regenerated"
[ "$(inode out/compose-postgres.yml)" = "$pg" ] || fail "postgres rewritten"
ok "rename-over edit touched only its output"
[ "$(sql "select count(*) from content where content_id='compose/postgres'")" = 1 ] ||
	fail "postgres got a new version"
stop_daemon
