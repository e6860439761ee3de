#!/bin/bash
# The daemon's benchmarks against the Python peer, in one run on one disk.
#
#   bench/daemon/run.sh [DIR]
#
# DIR (default: a fresh ext4 file system on a loop device when running as
# root, else $TMPDIR) holds every project.  A fresh file system keeps
# ext4's "recently deleted inode" scan, which thousands of earlier test
# files make slow, from dominating the file-creation numbers of both
# sides.  Prints one line per measurement; docs/benchmarks.md quotes them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CHORADD=${CHORADD:-$top/build/choradd/choradd}
PROBE=${PROBE:-$top/build/bench/probe}
PY=/usr/bin/python3
REPS=${REPS:-5}
img=""

if [ $# -ge 1 ]; then
	base=$1
elif [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null; then
	img=$(mktemp "${TMPDIR:-/tmp}/chora-bench.XXXXXX.img")
	truncate -s 4G "$img"
	mkfs.ext4 -q -F "$img"
	base=$(mktemp -d "${TMPDIR:-/tmp}/chora-bench.XXXXXX")
	mount -o loop "$img" "$base"
else
	base=$(mktemp -d "${TMPDIR:-/tmp}/chora-bench.XXXXXX")
fi
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "$img" ]; then umount "$base"; rm -f "$img"; rmdir "$base"; fi
}
trap cleanup EXIT
echo "# base $base ($(df -T "$base" | awk 'NR==2{print $2}')), $(nproc) cores"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
secs() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }

"$PROBE" fsync "$base" 200
# what a pass without fsync cannot beat: temp file + rename per output
"$PROBE" files "$base" 3 1000
"$PROBE" files "$base" 3 10000

# ---- cold generation --------------------------------------------------
for n in 100 1000 10000; do
	reps=$REPS; [ "$n" = 10000 ] && reps=3
	$PY "$here/mkproject.py" "$base/tmpl-$n" "$n" --fsync true
	$PY "$here/mkproject.py" "$base/tmpl-$n-nf" "$n" --fsync false
	for side in choradd peer; do
		for fs in durable nofsync; do
			t=()
			for r in $(seq "$reps"); do
				d="$base/cold-$side-$fs-$n-$r"
				src="$base/tmpl-$n"; [ $fs = nofsync ] && src="$base/tmpl-$n-nf"
				cp -r "$src" "$d"
				sync
				if [ $side = choradd ]; then
					t+=("$(secs "$CHORADD" --root "$d" --once)")
				else
					flag=""; [ $fs = durable ] && flag=--fsync
					t+=("$(secs $PY "$here/peer.py" "$d" --once $flag)")
				fi
			done
			echo "cold n=$n $side $fs: median $(printf '%s\n' "${t[@]}" | median) s (runs: ${t[*]})"
		done
	done
done

# ---- a running daemon / peer ------------------------------------------
start_choradd() {
	"$CHORADD" --root "$1" --foreground --log-level warn \
		--socket "$1.sock" &
	pids+=($!)
	echo $! > "$1.pid"
	# status round trips while the first (cold) pass runs
	while [ ! -S "$1.sock" ]; do sleep 0.01; done
	if [ "${2:-}" = measure ]; then
		echo "choradd status during the cold pass: $($PY \
		    "$top/tests/e2e/rpcc.py" "$1.sock" status --repeat 3000 \
		    --stats)"
	fi
	while [ ! -f "$1/.chora/daemon-status.json" ]; do sleep 0.05; done
}
start_peer() {
	local fifo="$1.ready"
	mkfifo "$fifo"
	$PY "$here/peer.py" "$1" $2 > "$fifo" &
	pids+=($!)
	read -r _ < "$fifo"
	echo $! > "$1.pid"
}
stop() { kill "$(cat "$1.pid")"; }

rss() { awk '/VmRSS/{print $2}' "/proc/$(cat "$1.pid")/status"; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$(cat "$1.pid")/stat"; }

for n in 100 10000; do
	for fs in nofsync durable; do
		[ "$n" = 10000 ] && [ $fs = durable ] && continue
		f=false; [ $fs = durable ] && f=true
		d="$base/live-choradd-$fs-$n"
		$PY "$here/mkproject.py" "$d" "$n" --fsync $f
		start_choradd "$d" $([ "$n" = 10000 ] && echo measure)
		echo "choradd n=$n $fs: $("$PROBE" edit "$d" 100)"
		if [ "$n" = 10000 ]; then
			echo "choradd n=$n rss: $(rss "$d") KiB"
			t0=$(cpu_ticks "$d"); sleep 10; t1=$(cpu_ticks "$d")
			echo "choradd idle cpu over 10 s: $((t1 - t0)) ticks"
		fi
		stop "$d"
		d="$base/live-peer-$fs-$n"
		$PY "$here/mkproject.py" "$d" "$n" --fsync $f
		flag=""; [ $fs = durable ] && flag=--fsync
		start_peer "$d" "$flag"
		echo "peer n=$n $fs: $("$PROBE" edit "$d" 100)"
		[ "$n" = 10000 ] && echo "peer n=$n rss: $(rss "$d") KiB"
		stop "$d"
	done
done

# ---- a template edit rewriting 1,000 outputs --------------------------
d="$base/tpl-choradd"
$PY "$here/mkproject.py" "$d" 1000 --fsync false
start_choradd "$d"
echo "choradd template edit, 1000 outputs: $("$PROBE" template "$d" 5 1000)"
stop "$d"
d="$base/tpl-peer"
$PY "$here/mkproject.py" "$d" 1000 --fsync false
start_peer "$d" ""
echo "peer template edit, 1000 outputs: $("$PROBE" template "$d" 5 1000)"
stop "$d"
