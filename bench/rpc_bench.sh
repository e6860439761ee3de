#!/bin/sh
# rpc_bench.sh [BUILD_DIR] [ROUNDS] -- msgpack-rpc round trips: chora_rpc
# against the Python peer (bench/rpc_peer.py), both as separate server
# processes measured by the same client (rpc_bench --socket), rounds
# interleaved so both see the same noise; then the medians and ratios.
# Each round also runs rpc_bench with its server in process.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
rounds=${2:-5}
bench="$build/bench/rpc_bench"
# Debian's python3, where python3-msgpack is installed.
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d /tmp/chora-rpcbench-XXXXXX)
trap 'kill $cpid $ppid 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM

"$bench" --serve "$tmp/chora.sock" &
cpid=$!
"$py" bench/rpc_peer.py "$tmp/peer.sock" &
ppid=$!
for s in chora peer; do
	n=0
	while [ ! -S "$tmp/$s.sock" ]; do
		n=$((n + 1))
		[ $n -lt 500 ] || { echo "rpc_bench.sh: $s never came up" >&2; exit 1; }
		sleep 0.01
	done
done

for i in $(seq "$rounds"); do
	for s in chora peer; do
		printf '%s ' "$s" >>"$tmp/results"
		"$bench" --socket "$tmp/$s.sock" --json >>"$tmp/results"
	done
	printf 'inproc ' >>"$tmp/results"
	"$bench" --json >>"$tmp/results"
done

"$py" - "$tmp/results" "$rounds" <<'PY'
import json, statistics, sys
runs = {"chora": [], "peer": [], "inproc": []}
for line in open(sys.argv[1]):
    name, doc = line.split(" ", 1)
    runs[name].append(json.loads(doc))
def med(name, phase, key):
    return statistics.median(r[phase][key] for r in runs[name])
errors = sum(r[p]["errors"] for n in runs for r in runs[n]
             for p in ("idle", "concurrent"))
print("rounds: %s per server; errors: %d" % (sys.argv[2], errors))
print("%-11s %-8s %10s %10s %10s" % ("phase", "metric", "chora_rpc",
                                     "python", "python/chora"))
for phase in ("idle", "concurrent"):
    for key in ("p50_us", "p99_us", "rps"):
        c, p = med("chora", phase, key), med("peer", phase, key)
        print("%-11s %-8s %10.1f %10.1f %10.2fx" % (phase, key, c, p, p / c))
for phase in ("idle", "concurrent"):
    print("in process: %-10s p50 %.1f us, p99 %.1f us, %.0f req/s" % (
        phase, med("inproc", phase, "p50_us"), med("inproc", phase, "p99_us"),
        med("inproc", phase, "rps")))
sys.exit(1 if errors else 0)
PY
