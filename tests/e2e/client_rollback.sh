#!/bin/bash
# chorac rollback: an earlier version's bytes are restored atomically,
# recorded as a version (kind rollback) and an event; the daemon neither
# calls the restored file drift nor overwrites it, until a change of its
# inputs regenerates it as usual, or generate names it.  stale and check
# say it is rolled back (check fails: the file is not its sources').
. "$(dirname "$0")/lib.sh"
small_project
start_daemon --socket "$SOCK"
F="$ROOT/out/compose-mysql.yml"
cp "$F" "$WORK/v1"
for port in 3307 3308; do
	sed -i "/mysql/s/\"port\": [0-9]*/\"port\": $port/" "$ROOT/data/backends.json"
	c wait >/dev/null
done
grep -q 3308 "$F" || fail "setup: $(cat "$F")"
cj history compose/mysql -- "[v['version'] for v in d['versions']] == ['3', '2', '1']"

ino=$(inode out/compose-mysql.yml)
cj rollback compose/mysql --to 1 -- "d['id'] == 'compose/mysql'" \
	"d['version'] == '4'" "d['path'] == 'out/compose-mysql.yml'" \
	"d['hash'] == '$(sha256sum "$WORK/v1" | cut -d' ' -f1)'"
cmp -s "$F" "$WORK/v1" || fail "rollback did not restore the bytes"
[ "$(inode out/compose-mysql.yml)" != "$ino" ] || fail "not replaced atomically (same inode)"
cj history compose/mysql -- "d['versions'][0]['source'] == 'rollback'" \
	"d['versions'][0]['version'] == '4'" \
	"d['versions'][0]['hash'] == '$(sha256sum "$WORK/v1" | cut -d' ' -f1)'"
[ "$(sql "select count(*) from events where kind = 'rollback' and subject = 'compose/mysql'")" = 1 ] ||
	fail "no rollback event: $(sql 'select kind, subject from events')"
c show compose/mysql --version 4 | cmp -s - "$WORK/v1" || fail "show of the rollback version"
ok "rollback restores the bytes and is recorded"

c wait >/dev/null
cj status -- "d['roots'][0]['drifted'] == 0" "d['roots'][0]['failed'] == 0"
cj stale -- "[s['id'] for s in d['stale']] == ['compose/mysql']" \
	"'rolled back' in d['stale'][0]['reason']"
expect_exit 1 check
grep -q "out/compose-mysql.yml was rolled back to an earlier version" "$WORK/out" ||
	fail "check does not say rolled back: $(cat "$WORK/out" "$WORK/err")"
cmp -s "$F" "$WORK/v1" || fail "the daemon overwrote the rollback"
ok "the restored file is neither drift nor regenerated; stale and check say so"

sed -i '/mysql/s/"port": [0-9]*/"port": 4000/' "$ROOT/data/backends.json"
c wait >/dev/null
grep -q '"4000"' "$F" || fail "a data change did not regenerate: $(cat "$F")"
cj history compose/mysql -- "d['versions'][0]['source'] == 'generated'" \
	"d['versions'][0]['version'] == '5'"
cj stale -- "d['stale'] == []"
ok "a later data change regenerates as usual"

c rollback compose/mysql --to 1 >/dev/null
c generate compose/mysql >/dev/null || fail "generate after a rollback"
grep -q '"4000"' "$F" || fail "generate did not rewrite the rolled-back output"
cj stale -- "d['stale'] == []"
expect_exit 0 check
ok "generate (without --force) rewrites a rolled-back output"

expect_exit 1 rollback compose/mysql --to 42
expect_exit 2 rollback compose/mysql --to latest
expect_exit 1 rollback intro --to 1
grep -q 'no output file' "$WORK/err" || fail "rollback of a store-only output: $(cat "$WORK/err")"
ok "rollback refuses unknown versions and outputs without a file"
stop_daemon
