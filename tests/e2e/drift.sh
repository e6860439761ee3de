#!/bin/bash
# A generated file edited by hand is reported as drifted and its text is
# kept in history before anything overwrites it.
. "$(dirname "$0")/lib.sh"
small_project
start_daemon
echo "# my local tweak" >> "$ROOT/out/compose-mongo.yml"
sync_daemon
[ "$(status drifted)" = 1 ] || fail "drift not reported: $(problems)"
grep -q "drift: out/compose-mongo.yml" "$LOG" || fail "drift not logged"
bodies compose/mongo drift |
	grep -q "my local tweak" || fail "drifted text not in history"
ok "drift reported and kept"
# An input change regenerates it; the hand edit is in history already.
sed -i 's/"port": 27017/"port": 27018/' "$ROOT/data/backends.json"
sync_daemon
grep -q '"27018"' "$ROOT/out/compose-mongo.yml" || fail "not regenerated"
grep -q "my local tweak" "$ROOT/out/compose-mongo.yml" && fail "tweak survived"
ok "regenerated after input change"
# A hand edit of the same size, in place, of a file the daemon has just
# written (and is told about by its own rename too): still drift.
sed -i 's/"port": 5432/"port": 5433/' "$ROOT/data/backends.json"
sync_daemon
grep -q '"5433"' "$ROOT/out/compose-postgres.yml" || fail "postgres not regenerated"
python3 - "$ROOT/out/compose-postgres.yml" <<'PY'
import sys
with open(sys.argv[1], "r+") as f:
    s = f.read()
    f.seek(0)
    f.write(s.replace("5433", "5999"))
PY
sync_daemon
[ "$(status drifted)" = 1 ] || fail "same-size edit not seen: $(problems)"
bodies compose/postgres drift | grep -q '"5999"' ||
	fail "same-size edit not in history"
ok "a same-size edit in place is drift"
# A hand edit and an input change in the same moment (one pass): the
# edit is still kept before the output is regenerated over it.
python3 - "$ROOT" <<'PY'
import sys
root = sys.argv[1]
with open(root + "/out/compose-mysql.yml", "r+") as f:
    s = f.read()
    f.seek(0)
    f.write(s.replace("3306", "3999"))
with open(root + "/data/backends.json") as f:
    d = f.read()
with open(root + "/data/backends.json.tmp", "w") as f:
    f.write(d.replace('"port": 3306', '"port": 3307'))
import os
os.rename(root + "/data/backends.json.tmp", root + "/data/backends.json")
PY
sync_daemon
grep -q '"3307"' "$ROOT/out/compose-mysql.yml" || fail "mysql not regenerated"
bodies compose/mysql drift | grep -q '"3999"' ||
	fail "the edit made with the input change is not in history"
ok "an edit in the same pass as an input change is kept"
stop_daemon
