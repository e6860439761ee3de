#!/bin/sh
# Build chora and run the daemon on the bundled example project (a copy in
# a temporary folder): generate everything once, show what came out, prove
# it is current with --check, then change a backend and watch --check
# catch it.  Then the daemon and the client: choradd in the background on
# a private socket, chorac status, an edit the daemon regenerates by
# itself (chorac wait), chorac history of the output, a save hook
# (chorac notify) reporting a broken template as file:line: error:, and
# the daemon stopped.  Works on a fresh Debian 12 machine as root.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

[ "${CHORA_SKIP_DEPS:-0}" = 1 ] || ./scripts/deps.sh
./scripts/build.sh build >/dev/null
choradd="$top/build/choradd/choradd"
chorac="$top/build/chorac/chorac"

work=$(mktemp -d "${TMPDIR:-/tmp}/chora-example.XXXXXX")
cp -r examples/backends "$work/"
proj="$work/backends"
dpid=""
trap 'if [ -n "$dpid" ]; then kill "$dpid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "choradd --once: generate every output of every workspace"
"$choradd" --root "$proj" --once --log-level info

say "what was generated"
(cd "$proj" && find out -type f | sort)

say "out/prod/compose/docker-compose.test-redis.yml"
cat "$proj/out/prod/compose/docker-compose.test-redis.yml"

say "out/dev/README.md (an artifact assembled from three contents)"
cat "$proj/out/dev/README.md"

say "choradd --check: everything is current (exit 0)"
"$choradd" --root "$proj" --check && echo "check: clean"

say "bump redis to 7.4 in the data; --check now fails (exit 1)"
sed -i 's/"version": "7.2"/"version": "7.4"/' \
	"$proj/configs/content/backends-data.json"
if "$choradd" --root "$proj" --check; then
	echo "check unexpectedly passed" >&2
	exit 1
fi

say "choradd --once regenerates only what changed"
"$choradd" --root "$proj" --once --log-level info
"$choradd" --root "$proj" --check && echo "check: clean again"

# The daemon and the client, on a socket of our own; chorac never starts
# a daemon by itself here (CHORA_NO_SPAWN=1).
export CHORA_SOCKET="$work/run/choradd.sock" CHORA_NO_SPAWN=1
say "choradd in the background on $CHORA_SOCKET"
"$choradd" --root "$proj" --foreground --log-level warn 2>"$work/choradd.log" &
dpid=$!
n=0
until (cd "$proj" && "$chorac" health >/dev/null 2>&1); do
	n=$((n + 1))
	[ $n -lt 500 ] || { cat "$work/choradd.log" >&2; exit 1; }
	sleep 0.02
done
cd "$proj"

say "chorac status"
"$chorac" status

say "bump postgres to 17 in the data; the daemon regenerates it (chorac wait)"
sed -i 's/"version": "16"/"version": "17"/' \
	configs/content/backends-data.json
"$chorac" wait
grep -n 'image:' out/prod/compose/docker-compose.test-postgres.yml

say "chorac history docker-tests/postgres --workspace prod"
"$chorac" history docker-tests/postgres --workspace prod

say "chorac list content --where kind=compose --workspace prod"
"$chorac" list content --where kind=compose --workspace prod

say "a save hook on a broken template: chorac notify (exit 1)"
cp templates/partials/healthcheck.j2 "$work/healthcheck.j2"
printf '{{ item.name | nosuchfilter }}\n' >> templates/partials/healthcheck.j2
if "$chorac" notify templates/partials/healthcheck.j2; then
	echo "notify unexpectedly passed" >&2
	exit 1
fi
cp "$work/healthcheck.j2" templates/partials/healthcheck.j2
"$chorac" notify templates/partials/healthcheck.j2 && echo "notify: fixed"

say "stop the daemon"
kill -TERM "$dpid"
wait "$dpid"
dpid=""
cd "$top"
echo "stopped"

say "the engine alone, no daemon: chorac render"
echo "try: build/chorac/chorac render examples/compose/templates/docker/docker-compose.test-backend.j2 --data examples/compose/out/context-redis.json --trim-blocks --lstrip-blocks"
