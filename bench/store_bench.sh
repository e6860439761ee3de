#!/bin/sh
# Store benchmark driver: builds a store of 10,000 and of 100,000 content
# entities, then runs the C store (store_bench) and its Python peer
# (store_bench.py: Python's sqlite3 on the same database, the same SQL)
# in alternation, ROUNDS times each, and prints the median of the
# per-round medians, the ratio Python/C, and the goal at 100,000.
#
# The C store runs twice: with glibc malloc's defaults, and with its mmap
# threshold raised to 64 MiB (what choradd can set with mallopt(3)):
# by default every result array above 128 KiB is a fresh mmap(2), and the
# page faults of touching it cost ~2 ms per 10,000 rows.
#
# usage: bench/store_bench.sh [BUILD_DIR] [ROUNDS] [SIZES]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
rounds=${2:-7}
sizes=${3:-"10000 100000"}
bin="$build/bench/store_bench"
[ -x "$bin" ] || { echo "store_bench.sh: build $bin first" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/chora-store-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
"$bin" sql >"$tmp/sql.json"
: >"$tmp/results"
for n in $sizes; do
	mkdir -p "$tmp/s$n"
	"$bin" populate "$tmp/s$n" "$n" >&2
	# The fresh store's write-back (238 MB at 100,000) would otherwise
	# run under the first rounds of whichever side comes first.
	sync
	for r in $(seq "$rounds"); do
		"$bin" query "$tmp/s$n" "$n" 1 | sed "s/^/c $n /" >>"$tmp/results"
		MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=134217728 \
			"$bin" query "$tmp/s$n" "$n" 1 | sed "s/^/cm $n /" \
			>>"$tmp/results"
		python3 bench/store_bench.py "$tmp/s$n" "$n" 1 "$tmp/sql.json" |
			sed "s/^/py $n /" >>"$tmp/results"
	done
	du -sh "$tmp/s$n/.chora" >&2
done

python3 - "$tmp/results" "$rounds" <<'PY'
import statistics, sys
goals = {"load_config": 50, "list_configs": 5000, "context_query": 5000,
         "dep_tree": 1000, "freshness": 50000}
seed = {"load_config": "3 ms", "list_configs": "5 ms",
        "context_query": "20 ms", "dep_tree": "50 ms", "freshness": "20 ms"}
res = {}
for line in open(sys.argv[1]):
    who, n, name, us, rows = line.split()
    res.setdefault((int(n), name), {}).setdefault(who, []).append(
        (float(us), int(rows)))
print(f"rounds: {sys.argv[2]} (each a median over many calls); "
      "figures: median of the round medians")
print()
print("| entities | query | rows | C store | C, mmap threshold 64 MiB "
      "| Python sqlite3 | Python/C | goal at 100k (C store) "
      "| Python original (seed) |")
print("|---:|---|---:|---:|---:|---:|---:|---|---|")
def fmt(us):
    return f"{us:.1f} µs" if us < 1000 else f"{us / 1000:.2f} ms"
for (n, name), d in res.items():
    c = statistics.median(u for u, _ in d["c"])
    cm = statistics.median(u for u, _ in d["cm"])
    p = statistics.median(u for u, _ in d["py"])
    rows = d["c"][0][1]
    goal = ""
    if n == 100000 and name in goals:
        goal = f"< {fmt(goals[name])}: " + ("met" if c < goals[name]
                                           else "NOT met")
    print(f"| {n:,} | {name} | {rows:,} | {fmt(c)} | {fmt(cm)} | {fmt(p)} "
          f"| {p / c:.2f} | {goal} | {seed.get(name, '')} |")
PY
