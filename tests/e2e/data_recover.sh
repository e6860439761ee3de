#!/bin/bash
# A config whose data cannot be loaded when the daemon starts (the file is
# missing, or not JSON) is reported with file:line, and generates as soon
# as its data is there and valid: nothing needs a restart.
. "$(dirname "$0")/lib.sh"
small_project
put configs/late.json '{"id": "late", "type": "content",
 "template": "templates/late.j2", "data": "data/late/more.json",
 "output": "out/late.txt"}'
put configs/broken.json '{"id": "broken", "type": "content",
 "template": "templates/late.j2", "data": "data/broken.json",
 "output": "out/broken.txt"}'
put templates/late.j2 'x={{ x }}
'
put data/broken.json '{"x": '
start_daemon
grep -q "data/late/more.json:1: error: cannot read data" "$LOG" ||
	fail "missing data not reported"
grep -q "data/broken.json:1: error: invalid JSON" "$LOG" ||
	fail "invalid data not reported"
[ -f "$ROOT/out/compose-redis.yml" ] || fail "the other configs did not go on"
[ ! -e "$ROOT/out/late.txt" ] || fail "late generated without data"
put data/late/more.json '{"x": 1}'
sync_daemon
[ "$(cat "$ROOT/out/late.txt")" = "x=1" ] ||
	fail "data that appeared (in a new folder) not used: $(problems)"
ok "data that was missing at start is used when it appears"
put data/broken.json '{"x": 2}'
sync_daemon
[ "$(cat "$ROOT/out/broken.txt")" = "x=2" ] ||
	fail "data that was fixed not used: $(problems)"
ok "data that was invalid at start is used once fixed"
put data/late/more.json '{"x": 3}'
sync_daemon
[ "$(cat "$ROOT/out/late.txt")" = "x=3" ] || fail "a later edit not followed"
ok "and its edits are followed from then on"
stop_daemon
