#!/bin/sh
# client_bench.sh [BUILD_DIR] [RUNS] [ROUNDS] -- `chorac status` as a
# whole process (exec, connect, hello, status, print, exit) against the
# real choradd, compared in the same run with the Python peer: python3
# -c sending the same hello + status with the msgpack module, and
# Python's own startup (python3 -c pass), and /bin/true for the cost of
# starting any process on this machine.  hyperfine runs each command
# RUNS times per round (no shell in between: -N), ROUNDS rounds
# interleaved; the medians of the rounds' medians are reported.  Then
# rpc_bench measures round trips against the same daemon (idle p50/p99,
# 64 clients x 1,000).
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-300}
rounds=${3:-5}
py=${PYTHON:-/usr/bin/python3}
chorac="$PWD/$build/chorac/chorac"
choradd="$PWD/$build/choradd/choradd"
tmp=$(mktemp -d /tmp/chora-clientbench-XXXXXX)
sock="$tmp/run/choradd.sock"
trap 'kill $dpid 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM

# The example project, served by a daemon on a private socket.
cp -r examples/backends "$tmp/root"
"$choradd" --root "$tmp/root" --socket "$sock" --foreground \
	--log-level warn 2>"$tmp/choradd.log" &
dpid=$!
n=0
until [ -f "$tmp/root/.chora/daemon-status.json" ]; do
	n=$((n + 1))
	[ $n -lt 1000 ] || { echo "choradd did not start" >&2; exit 1; }
	sleep 0.01
done
CHORA_SOCKET=$sock CHORA_NO_SPAWN=1 "$chorac" status >/dev/null

cat > "$tmp/peer.py" <<'PY'
import socket, sys, msgpack
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
u = msgpack.Unpacker(raw=False)
def call(i, m, p):
    s.sendall(msgpack.packb([0, i, m, [p]]))
    while True:
        for msg in u:
            return msg[3]
        u.feed(s.recv(65536))
call(1, "hello", {"version": 1, "client": "peer"})
print(call(2, "status", {}))
PY

cd "$tmp/root"
for i in $(seq "$rounds"); do
	CHORA_SOCKET=$sock CHORA_NO_SPAWN=1 hyperfine -N --style none \
		--warmup 30 --runs "$runs" --export-json "$tmp/round$i.json" \
		"$chorac status" \
		"$py $tmp/peer.py $sock" \
		"$py -c pass" \
		"/bin/true" >/dev/null
done
"$py" - "$tmp" "$rounds" "$runs" <<'PY'
import json, statistics, sys
tmp, rounds, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
names = ["chorac status", "python3 + msgpack: hello + status",
         "python3 -c pass (startup only)", "/bin/true (process floor)"]
med = [[] for _ in names]
for i in range(1, rounds + 1):
    for k, r in enumerate(json.load(open("%s/round%d.json" % (tmp, i)))
                          ["results"]):
        med[k].append(r["median"] * 1e3)
m = [statistics.median(v) for v in med]
print("whole process, median of %d rounds x %d runs (ms):" % (rounds, runs))
for k, name in enumerate(names):
    print("  %-36s %7.3f  (rounds: %s)" % (name, m[k],
          " ".join("%.3f" % x for x in med[k])))
print("  python peer / chorac: %.1fx; python startup / chorac: %.1fx" %
      (m[1] / m[0], m[2] / m[0]))
PY
cd - >/dev/null
for i in $(seq "$rounds"); do
	"$build/bench/rpc_bench" --socket "$sock" --json >>"$tmp/rpc.json"
done
"$py" - "$tmp/rpc.json" "$rounds" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
errors = sum(r[p]["errors"] for r in runs for p in ("idle", "concurrent"))
print("rpc_bench against choradd's status, median of %s rounds "
      "(idle: 20,000 sequential; concurrent: 64 clients x 1,000); "
      "errors: %d" % (sys.argv[2], errors))
for phase in ("idle", "concurrent"):
    m = {k: statistics.median(r[phase][k] for r in runs)
         for k in ("p50_us", "p99_us", "rps")}
    print("  %-10s p50 %8.1f us  p99 %8.1f us  %8.0f req/s" % (
        phase, m["p50_us"], m["p99_us"], m["rps"]))
sys.exit(1 if errors else 0)
PY
