#!/bin/sh
# Template engine throughput: chora's engine (bench/tmpl_bench.c) against
# Python's Jinja2 (bench/tmpl_bench.py) on the same templates and data,
# in one run, alternating the two so that machine noise hits both.
#
#   bench/tmpl_bench.sh [BUILD_DIR] [REPS]
#
# For each template: REPS rounds of (C, Python); each invocation prints
# the median time per render of its batches; the table shows the median
# of those medians, the ratio, peak RSS of each process and whether the
# outputs are byte-identical.  PYTHON picks the interpreter (default
# /usr/bin/python3, Debian's python3-jinja2).
set -eu
cd "$(dirname "$0")/.."
build="${1:-build}"
reps="${2:-5}"
py="${PYTHON:-/usr/bin/python3}"
bin="$build/bench/tmpl_bench"
[ -x "$bin" ] || { echo "build first: ./scripts/build.sh $build" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tmpl-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$py" bench/tmpl/gen_data.py "$tmp"

field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%s\n' "jinja2: $("$py" -c 'import jinja2, sys; print(jinja2.__version__, "on Python", sys.version.split()[0])')"
printf '%-8s %12s %12s %8s %10s %10s %s\n' template "chora us" "jinja2 us" ratio \
	"chora RSS" "py RSS" output
# template, C runs x renders, Python runs x renders
for spec in "compose 21 400 11 25" "config 21 300 11 20" "table 11 4 5 1"; do
	set -- $spec
	name=$1
	: > "$tmp/c" ; : > "$tmp/p"
	i=0
	while [ "$i" -lt "$reps" ]; do
		c=$("$bin" "bench/tmpl/$name.j2" "$tmp/$name.json" "$2" "$3")
		p=$("$py" bench/tmpl_bench.py "bench/tmpl/$name.j2" "$tmp/$name.json" "$4" "$5")
		field "$c" median_us >> "$tmp/c"
		field "$p" median_us >> "$tmp/p"
		i=$((i + 1))
	done
	cm=$(median < "$tmp/c")
	pm=$(median < "$tmp/p")
	same=identical
	[ "$(field "$c" sha256)" = "$(field "$p" sha256)" ] || same=DIFFERENT
	printf '%-8s %12.1f %12.1f %7.1fx %8s kB %7s kB %s (%s bytes)\n' "$name" "$cm" "$pm" \
		"$(echo "$pm $cm" | awk '{ print $1 / $2 }')" \
		"$(field "$c" maxrss_kb)" "$(field "$p" maxrss_kb)" "$same" \
		"$(field "$c" bytes)"
done
