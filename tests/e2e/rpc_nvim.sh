#!/bin/sh
# End-to-end: the Neovim example of docs/protocol.md against rpc_testd.
# Skipped (exit 77) when nvim is not installed.
# usage: rpc_nvim.sh RPC_TESTD
set -eu
testd=$1
command -v nvim >/dev/null 2>&1 || { echo "nvim not installed: skipped"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/chora-e2e-XXXXXX)
export CHORA_SOCKET="$tmp/run/choradd.sock"
"$testd" --socket "$CHORA_SOCKET" 2>"$tmp/testd.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
n=0
while [ ! -S "$CHORA_SOCKET" ]; do
	n=$((n + 1))
	[ $n -lt 1000 ] || { echo "rpc_testd never came up"; exit 1; }
	sleep 0.01
done
out=$(nvim --headless -u NONE -i NONE -n -c "luafile $here/rpc_nvim.lua" \
	-c 'qa!' 2>&1)
echo "$out"
kill -TERM $pid
wait $pid || { echo "rpc_testd did not exit cleanly"; exit 1; }
[ "$out" = ok ]
