#!/bin/sh
# Render the bundled example (examples/compose) with `chorac render`:
# one docker-compose file per backend of its data, the way the daemon's
# foreach will (the context is the data plus `item`, the backend), and
# compare each with the expected output produced by the real Jinja2.
#
#   tests/e2e/example_render.sh CHORAC [OUTDIR]
set -eu
chorac="$1"
here="$(cd "$(dirname "$0")/../.." && pwd)"
ex="$here/examples/compose"
out="${2:-$(mktemp -d "${TMPDIR:-/tmp}/chora-example.XXXXXX")}"
mkdir -p "$out"
data="$ex/configs/backends-data.json"
n=$(jq '.backends | length' "$data")
fail=0
i=0
while [ "$i" -lt "$n" ]; do
	name=$(jq -r ".backends[$i].name" "$data")
	jq --argjson i "$i" '. + {item: .backends[$i]}' "$data" \
		> "$out/context-$name.json"
	file="docker-compose.test-$name.yml"
	if "$chorac" render "$ex/templates/docker/docker-compose.test-backend.j2" \
	    --data "$out/context-$name.json" --trim-blocks --lstrip-blocks \
	    --keep-trailing-newline > "$out/$file" &&
	    cmp -s "$out/$file" "$ex/expected/$file"; then
		echo "ok   $file"
	else
		echo "FAIL $file (see $out/$file)"
		fail=1
	fi
	i=$((i + 1))
done
echo "rendered $n outputs into $out"
exit $fail
