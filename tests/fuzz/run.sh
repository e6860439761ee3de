#!/bin/sh
# Build the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/
# and run each for a fixed number of inputs, starting from a seed corpus
# made of the Jinja2 conformance templates.  Exit non-zero on any crash.
#
#   tests/fuzz/run.sh [RUNS]        (default 200000 inputs)
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)
runs="${1:-200000}"
dir="$top/build-fuzz"

CC=clang cmake -S . -B "$dir" -DCHORA_FUZZ=ON -DCHORA_WERROR=ON \
	-DCHORA_TESTS=OFF -DCHORA_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	>/dev/null
cmake --build "$dir" -j"$(nproc)" --target fuzz_tmpl >/dev/null

corpus="$dir/corpus-tmpl"
mkdir -p "$corpus"
# seeds: a zero option byte, then each conformance (and golden) template
for t in tests/conformance/jinja/cases/*/*.j2 tests/golden/*/*.j2; do
	seed="$corpus/seed-$(printf '%s' "$t" | cksum | cut -d' ' -f1)"
	[ -f "$seed" ] || { printf '\0'; cat "$t"; } > "$seed"
done

cd "$dir"
./tests/fuzz/fuzz_tmpl -runs="$runs" -max_len=4096 -timeout=10 \
	-rss_limit_mb=2048 -dict="$top/tests/fuzz/tmpl.dict" \
	-print_final_stats=1 "$corpus" 2>fuzz-tmpl.log || {
	tail -40 fuzz-tmpl.log
	echo "fuzz_tmpl: failed (log: $dir/fuzz-tmpl.log)" >&2
	exit 1
}
grep -E '^stat::number_of_executed_units|^Done' fuzz-tmpl.log || true
echo "fuzz_tmpl: $runs runs, no crash"
