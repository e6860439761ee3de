#!/bin/sh
# Configure and build into build/ (or $1) with warnings as errors.
set -eu
cd "$(dirname "$0")/.."
dir="${1:-build}"
shift 2>/dev/null || true
cmake -S . -B "$dir" -DCHORA_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
