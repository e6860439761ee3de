# Helpers for chora's end-to-end tests (sourced by each test).
#
# Every test gets a private temporary project ($ROOT), starts choradd on it
# in the foreground with its log in $LOG, and synchronises with it through
# cookie files: `sync_daemon` writes .chora-cookie-<n> into the root and
# waits until the daemon has processed it (it deletes the cookie at the end
# of the pass that took it in), so no test sleeps for a fixed time.
set -eu

CHORADD=${CHORADD:?CHORADD must name the choradd binary}
EXAMPLE=${EXAMPLE:-}
TIMEOUT=${TIMEOUT:-20}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/chora-e2e.XXXXXX")
ROOT="$WORK/root"
LOG="$WORK/choradd.log"
DPID=""
COOKIE=0
mkdir -p "$ROOT"
export XDG_RUNTIME_DIR="$WORK/run" XDG_CONFIG_HOME="$WORK/config"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME"

cleanup() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null || true
		wait "$DPID" 2>/dev/null || true
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	if [ -f "$LOG" ]; then echo "--- choradd log:" >&2; tail -40 "$LOG" >&2; fi
	exit 1
}

ok() { echo "ok: $*"; }

# put FILE TEXT: write a file below the root (creating folders).
put() {
	mkdir -p "$(dirname "$ROOT/$1")"
	printf '%s' "$2" > "$ROOT/$1"
}

# Poll until the command succeeds, at most $TIMEOUT seconds.
wait_for() {
	local i=0 limit=$((TIMEOUT * 50))
	while ! "$@" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt "$limit" ] || return 1
		sleep 0.02
	done
}

start_daemon() {
	"$CHORADD" --root "$ROOT" --foreground --log-level "${LEVEL:-info}" \
		"$@" >>"$LOG" 2>&1 &
	DPID=$!
	wait_for test -f "$ROOT/.chora/daemon-status.json" ||
		fail "daemon did not finish its first pass"
}

stop_daemon() {
	kill -TERM "$DPID"
	wait "$DPID" || fail "daemon exited with $?"
	DPID=""
}

# Wait until every change made so far has been processed.
sync_daemon() {
	COOKIE=$((COOKIE + 1))
	local c="$ROOT/.chora-cookie-test-$COOKIE"
	: > "$c"
	wait_for test ! -e "$c" || fail "daemon did not process cookie $COOKIE"
}

# status KEY: a number from the daemon's status file.
status() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$ROOT/.chora/daemon-status.json" "$1"
}

problems() {
	python3 -c 'import json,sys
for p in json.load(open(sys.argv[1]))["problems"]: print(p["what"], p["id"], p["message"])' \
		"$ROOT/.chora/daemon-status.json"
}

# sql QUERY: ask the store.
sql() { sqlite3 "$ROOT/.chora/storage.db" "$1"; }

# bodies ID KIND: the texts of an output's versions of one kind, oldest
# first (texts below 100 KiB live in content_body).
bodies() {
	sql "select b.body from content c join content_body b on b.seq = c.seq
	     where c.content_id = '$1' and c.kind = '$2' order by c.version"
}

inode() { stat -c '%i' "$ROOT/$1"; }
mtime() { stat -c '%Y.%y' "$ROOT/$1"; }

# A small project: a list of backends, one compose file per backend, an
# include, and a README artifact assembled from two contents.
small_project() {
	put chora.json '{"settle_ms": 10, "fsync": false,
 "jinja": {"trim_blocks": true, "lstrip_blocks": true, "keep_trailing_newline": true}}'
	put data/backends.json '{"project": "shop", "backends": [
 {"name": "postgres", "port": 5432},
 {"name": "mysql", "port": 3306},
 {"name": "redis", "port": 6379},
 {"name": "mongo", "port": 27017}
]}'
	put configs/compose.json '{"id": "compose", "type": "content",
 "template": "templates/compose.j2", "data": "data/backends.json",
 "foreach": "backends", "key": "{{ item.name }}",
 "output": "out/compose-{{ item.name }}.yml"}'
	put configs/intro.json '{"id": "intro", "type": "content",
 "template": "templates/intro.j2", "data": "data/backends.json"}'
	put configs/readme.json '{"id": "readme", "type": "artifact",
 "output": "out/README.md", "parts": ["intro", "compose"], "separator": "\n"}'
	put templates/compose.j2 'services:
  {{ item.name }}:
    image: {{ item.name }}:latest
    ports: ["{{ item.port }}"]
{% include "templates/common.j2" %}
'
	put templates/common.j2 '    restart: always
'
	put templates/intro.j2 '# {{ project }}: {{ backends | length }} backends
'
}

# ---- the client (chorac) -------------------------------------------------
#
# Tests of the client run the daemon on a private socket ($SOCK, also
# $CHORA_SOCKET for chorac) and never let chorac start one by itself
# unless they mean to (CHORA_NO_SPAWN=1).
CHORAC=${CHORAC:-}
SOCK="$WORK/run/chora/choradd.sock"
JCHECK="/usr/bin/python3 $(dirname "${BASH_SOURCE[0]}")/jcheck.py"
export CHORA_SOCKET="$SOCK" CHORA_NO_SPAWN=1

# c ARGS...: run chorac from inside the root.
c() { (cd "$ROOT" && "$CHORAC" "$@"); }

# cj ARGS... -- EXPR...: chorac --json ARGS, its document checked by EXPRs.
cj() {
	local args=() out rc
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	out=$(cd "$ROOT" && "$CHORAC" --json "${args[@]}") && rc=0 || rc=$?
	printf '%s\n' "$out" | $JCHECK "$@" ||
		fail "chorac ${args[*]} (exit $rc) did not match"
}

# expect_exit N ARGS...: chorac ARGS must exit with N.
expect_exit() {
	local want=$1 rc
	shift
	(cd "$ROOT" && "$CHORAC" "$@") >"$WORK/out" 2>"$WORK/err" && rc=0 ||
		rc=$?
	[ "$rc" = "$want" ] || fail "chorac $* exited $rc, not $want:
$(cat "$WORK/out" "$WORK/err")"
}
