#!/bin/sh
# Build the libFuzzer targets with clang (ASan + UBSan, libraries
# instrumented) into build-fuzz/ and run each for a fixed number of
# inputs; fuzz_tmpl starts from a seed corpus made of the Jinja2
# conformance and golden templates.  Exit non-zero on any crash.
#
#   tests/fuzz/run.sh [RUNS]        (default 200000 inputs per target)
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)
runs="${1:-200000}"
dir="$top/build-fuzz"
targets="fuzz_tmpl fuzz_proto"

CC=clang cmake -S . -B "$dir" -DCHORA_FUZZ=ON -DCHORA_WERROR=ON \
	-DCHORA_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
for t in $targets; do
	cmake --build "$dir" -j"$(nproc)" --target "$t" >/dev/null
done

corpus="$dir/corpus-tmpl"
mkdir -p "$corpus" "$dir/corpus-proto"
# seeds for fuzz_tmpl: an option byte of 0, then a template
for t in tests/conformance/jinja/cases/*/*.j2 tests/golden/*/*.j2; do
	seed="$corpus/seed-$(printf '%s' "$t" | cksum | cut -d' ' -f1)"
	[ -f "$seed" ] || { printf '\0'; cat "$t"; } > "$seed"
done

cd "$dir"
for t in $targets; do
	case $t in
	fuzz_tmpl) extra="-dict=$top/tests/fuzz/tmpl.dict $corpus" ;;
	*) extra="$dir/corpus-${t#fuzz_}" ;;
	esac
	# shellcheck disable=SC2086
	./tests/fuzz/"$t" -runs="$runs" -max_len=4096 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 $extra \
		2>"$t.log" || {
		tail -40 "$t.log"
		echo "$t: failed (log: $dir/$t.log)" >&2
		exit 1
	}
	echo "$t: $runs runs, no crash"
done
