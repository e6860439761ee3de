#!/bin/bash
# A template syntax error is reported with file:line, the previous output
# stays intact, and fixing the template recovers.
. "$(dirname "$0")/lib.sh"
small_project
start_daemon
before=$(cat "$ROOT/out/compose-redis.yml")
put templates/compose.j2 'services:
  {{ item.name }}:
    image: {% if %}
'
sync_daemon
problems | grep -q "templates/compose.j2:3: error" || fail "no file:line error: $(problems)"
grep -q "templates/compose.j2:3: error" "$LOG" || fail "error not logged"
[ "$(cat "$ROOT/out/compose-redis.yml")" = "$before" ] || fail "output damaged"
ok "syntax error reported, output intact"
put templates/compose.j2 'services:
  {{ item.name }}:
    image: {{ item.name }}:fixed
'
sync_daemon
grep -q "image: redis:fixed" "$ROOT/out/compose-redis.yml" || fail "not recovered"
[ "$(status failed)" = 0 ] || fail "still failing: $(problems)"
ok "fixed template recovered"
stop_daemon
