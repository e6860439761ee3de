#!/bin/sh
# The whole test suite, from a clean build: unit and end-to-end tests,
# the unit tests again under AddressSanitizer + UBSan, the Jinja2
# conformance suite, and a bounded fuzzing run.  Exit 0 only if all pass.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

./scripts/deps.sh

step() { printf '\n=== %s\n' "$*"; }

step "build (release, -Werror)"
rm -rf build
./scripts/build.sh build

step "tests"
(cd build && ctest --output-on-failure -j2)

step "unit and end-to-end tests under ASan + UBSan"
# The end-to-end tests drive the sanitized choradd and chorac: a memory
# error in the daemon aborts it, and the test that was talking to it fails.
rm -rf build-asan
./scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DCHORA_SANITIZE=ON \
	-DCHORA_BENCH=OFF
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --output-on-failure -j2 -L 'unit|e2e')

step "Jinja2 conformance"
# The shared copy is the yardstick when this checkout sits beside it; the
# copy in tests/conformance keeps a lone checkout (CI) testable.
conf="$top/../shared/conformance/jinja"
[ -x "$conf/run.sh" ] || conf="$top/tests/conformance/jinja"
CHORA_RENDER="$top/build/chorac/chorac render" "$conf/run.sh"

if [ -x tests/fuzz/run.sh ]; then
	step "fuzzing (bounded)"
	tests/fuzz/run.sh
fi

step "all tests passed"
