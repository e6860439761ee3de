#!/bin/sh
# Keeps the store benchmark honest: on a small store, the C program and
# its Python peer must return the same number of rows for every query
# (so they do the same work), and both must run.
# usage: store_bench_agree.sh STORE_BENCH_BINARY
set -eu
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chora-bench-agree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
"$bin" sql >"$tmp/sql.json"
"$bin" populate "$tmp" 2000 >/dev/null
"$bin" query "$tmp" 2000 1 | awk '{ print $1, $3 }' >"$tmp/c"
python3 "$here/store_bench.py" "$tmp" 2000 1 "$tmp/sql.json" |
	awk '{ print $1, $3 }' >"$tmp/py"
[ "$(wc -l <"$tmp/c")" -eq 6 ] || { echo "C ran $(wc -l <"$tmp/c") queries"; exit 1; }
diff "$tmp/c" "$tmp/py"
