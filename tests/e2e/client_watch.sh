#!/bin/bash
# chorac watch (subscribe): events arrive as they happen — a deploy, a
# generated output, a failure with file and line, its recovery, a drift —
# as JSON lines with --json; the stream ends cleanly when the daemon
# stops (exit 0), and a watcher that goes away leaves the daemon serving
# the others.
. "$(dirname "$0")/lib.sh"
small_project
start_daemon --socket "$SOCK"
EV="$WORK/events"
(cd "$ROOT" && exec "$CHORAC" --json watch) > "$EV" 2>"$WORK/watch.err" &
WPID=$!
(cd "$ROOT" && exec "$CHORAC" watch --type deploy) > "$WORK/deploys.txt" &
TPID=$!
(cd "$ROOT" && exec "$CHORAC" watch --type deploy --type failed) \
    > "$WORK/failed.txt" &
FPID=$!

# The subscriptions start when the daemon reads them: record deploys
# until one shows up on both streams.
has() { grep -q "$1" "$2"; }
n=0
until has '"type":"deploy"' "$EV" && has ' deploy ' "$WORK/deploys.txt" &&
    has ' deploy ' "$WORK/failed.txt"; do
	n=$((n + 1))
	[ "$n" -lt 500 ] || fail "no deploy event: $(cat "$EV")"
	c deploy record --env prod --version "v$n" --status success >/dev/null
	sleep 0.02
done
grep '"type":"deploy"' "$EV" | head -1 | $JCHECK "d['env'] == 'prod'" \
	"d['version'].startswith('v')" "d['status'] == 'success'" \
	"d['uid'] == $(id -u)" "d['root'] == '$(cd "$ROOT" && pwd -P)'" \
	"'stream' not in d" || fail "deploy event fields"
ok "a deploy event on both streams"

sed -i 's/"port": 3306/"port": 3307/' "$ROOT/data/backends.json"
c wait >/dev/null
wait_for grep -q '"id":"compose/mysql"' "$EV" || fail "no generated event"
grep '"id":"compose/mysql"' "$EV" | head -1 | $JCHECK \
	"d['type'] == 'generated'" "d['path'] == 'out/compose-mysql.yml'" \
	"d['workspace'] == 'default'" \
	"d['hash'] == '$(sha256sum "$ROOT/out/compose-mysql.yml" | cut -d' ' -f1)'" \
	"re.match(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', d['time'])" ||
	fail "generated event fields"
ok "a generated event"

put templates/intro.j2 '{{ nope }}'
c wait >/dev/null && fail "wait exited 0 with a failing output"
wait_for grep -q '"type":"failed"' "$EV" || fail "no failed event"
grep '"type":"failed"' "$EV" | head -1 | $JCHECK "d['id'] == 'intro'" \
	"d['file'] == 'templates/intro.j2'" "d['line'] == 1" \
	"'nope' in d['message']" || fail "failed event fields"
# For people too, a failure names its file and line as a compiler would.
wait_for grep -q ' failed ' "$WORK/failed.txt" || fail "no failed line"
grep ' failed ' "$WORK/failed.txt" | head -1 |
	grep -q ' intro templates/intro.j2:1: .*nope' ||
	fail "failed line: $(grep ' failed ' "$WORK/failed.txt")"
# Fixed back to the text it had: nothing is written, but the failure is
# over, and a watcher (an editor's error list) has to hear it.
put templates/intro.j2 '# {{ project }}: {{ backends | length }} backends
'
c wait >/dev/null || fail "wait after the fix"
wait_for grep -q '"type":"recovered"' "$EV" || fail "no recovered event"
grep '"type":"recovered"' "$EV" | head -1 | $JCHECK "d['id'] == 'intro'" ||
	fail "recovered event fields"
printf 'by hand\n' > "$ROOT/out/compose-redis.yml"
c wait >/dev/null || true
wait_for grep -q '"type":"drift"' "$EV" || fail "no drift event"
grep -q ' generated \| failed ' "$WORK/deploys.txt" && fail "--type deploy let others through"
ok "failed, recovered and drift events; --type filters"

# A watcher killed mid-stream: the daemon goes on serving.
kill "$TPID" "$FPID"
wait "$TPID" "$FPID" 2>/dev/null || true
c deploy record --env prod --version after --status success >/dev/null
expect_exit 0 status
stop_daemon
rc=0; wait "$WPID" || rc=$?
[ "$rc" = 0 ] || fail "watch exited $rc when the daemon stopped: $(cat "$WORK/watch.err")"
$JCHECK --lines "len(d) >= 4" \
	"all(e['type'] in ('generated', 'failed', 'recovered', 'drift', 'deploy', 'rollback') for e in d)" < "$EV" ||
	fail "every line is an event"
ok "the stream ends cleanly when the daemon stops"
