#!/bin/bash
# A ttl output is rendered again once its ttl has passed, and its clock
# restarts at that render even when the text came out the same: no pass
# after pass (it once spun, rendering it as fast as it could).  An
# immutable output is not rendered again when its template changes.
. "$(dirname "$0")/lib.sh"
small_project
put templates/same.j2 'always the same
'
put configs/ttl.json '{"id": "ttl", "type": "content",
 "template": "templates/same.j2", "output": "out/ttl.txt",
 "freshness": {"ttl": 1}}'
put configs/frozen.json '{"id": "frozen", "type": "content",
 "template": "templates/same.j2", "output": "out/frozen.txt",
 "freshness": "immutable"}'
start_daemon
p0=$(status passes)
t0=$(date +%s%N)
# At least one expiry, then count passes over the next ~2.5 s.
more_passes() { [ "$(status passes)" -gt "$p0" ]; }
wait_for more_passes || fail "the ttl never expired"
sleep 2.5
n=$(($(status passes) - p0))
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$n" -le $((ms / 1000 + 2)) ] ||
	fail "$n passes in $ms ms for a 1 s ttl: the ttl does not restart"
grep -qx "always the same" "$ROOT/out/ttl.txt" || fail "ttl output"
ok "a ttl output is rendered again once per ttl ($n passes in $ms ms)"
put templates/same.j2 'changed
'
sync_daemon
grep -qx "changed" "$ROOT/out/ttl.txt" || fail "the ttl output follows its template"
grep -qx "always the same" "$ROOT/out/frozen.txt" || fail "immutable rewritten"
ok "an immutable output stays as it was"
stop_daemon
