#!/bin/sh
# Build chora and run the daemon on the bundled example project (a copy in
# a temporary folder): generate everything once, show what came out, prove
# it is current with --check, then change a backend and watch --check
# catch it.  Works on a fresh Debian 12 machine as root.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

./scripts/deps.sh
./scripts/build.sh build >/dev/null
choradd="$top/build/choradd/choradd"

work=$(mktemp -d "${TMPDIR:-/tmp}/chora-example.XXXXXX")
cp -r examples/backends "$work/"
proj="$work/backends"
trap 'rm -rf "$work"' EXIT

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

say "the engine alone, no daemon: chorac render"
echo "try: build/chorac/chorac render examples/compose/templates/docker/docker-compose.test-backend.j2 --data examples/compose/out/context-redis.json --trim-blocks --lstrip-blocks"
