#!/bin/bash
# 500 edits within a second coalesce into one or a few passes, and the
# final outputs match the final data.
. "$(dirname "$0")/lib.sh"
small_project
put chora.json '{"settle_ms": 250, "fsync": false}'
start_daemon
before=$(status passes)
python3 - "$ROOT/data/backends.json" <<'PY'
import json, os, sys, time
p = sys.argv[1]; d = json.load(open(p))
t0 = time.time()
for i in range(500):
    d["backends"][2]["port"] = 10000 + i
    tmp = p + ".new"
    json.dump(d, open(tmp, "w"))
    os.rename(tmp, p)
print("burst of 500 edits took %.2f s" % (time.time() - t0))
PY
sync_daemon
after=$(status passes)
n=$((after - before))
[ "$n" -le 5 ] || fail "$n passes for one burst"
grep -q '"10499"' "$ROOT/out/compose-redis.yml" || fail "final value missing"
ok "500 edits, $n passes, final output correct"
stop_daemon
