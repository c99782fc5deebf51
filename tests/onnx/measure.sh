#!/bin/sh
# measure.sh: the peak memory of the file (definition) order and of dp on
# the real networks of make_models.py, as a markdown table for
# docs/results.md.  Usage: measure.sh SERENITY [MODELDIR] [TIME_LIMIT]
# Every peak is recomputed by peak.py from the ONNX file before it is
# printed; a network serenity cannot schedule gets a row saying why.
S=$1
D=$(cd "$(dirname "$0")" && pwd)
[ -n "$S" ] || { echo "usage: measure.sh SERENITY [MODELDIR] [TIME_LIMIT]" >&2; exit 2; }
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
M=${2:-$W/models}
T=${3:-600}
[ -d "$M" ] || nice "$PY" "$D/make_models.py" --full "$M" >&2 || exit 1

key() { grep -o "\"$1\":[^,}]*" "$2" | head -1 | cut -d: -f2; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

echo "| network | ONNX nodes | scheduled ops | file peak (KiB) | dp peak (KiB) | gain file/dp | lower bound (KiB) | dp optimal | dp schedule_ms | dp peak at |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for net in $("$PY" "$D/make_models.py" --list --full | awk '{ print $1 }'); do
	f=$M/$net.onnx
	[ -f "$f" ] || continue
	nodes=$("$PY" -c "import onnx, sys; print(len(onnx.load(sys.argv[1]).graph.node))" "$f")
	why=""
	for sched in file dp; do
		if ! nice "$S" schedule "$f" --scheduler $sched --time-limit "$T" --json \
				>"$W/$sched.json" 2>"$W/err"; then
			why="serenity: $(head -c 120 "$W/err")"
			break
		fi
		if ! "$PY" "$D/peak.py" "$f" "$W/$sched.json" >"$W/$sched.peak" 2>"$W/err"; then
			why="$sched: $(head -c 120 "$W/err")"
			break
		fi
	done
	if [ -n "$why" ]; then
		echo "| $net | $nodes | $why | | | | | | | |"
		continue
	fi
	fp=$(key peak_bytes "$W/file.json")
	dp=$(key peak_bytes "$W/dp.json")
	echo "| $net | $nodes | $(key ops "$W/dp.json") | $(kb "$fp") | $(kb "$dp")" \
		"| $(awk -v a="$fp" -v b="$dp" 'BEGIN { printf "%.2fx", a / b }')" \
		"| $(kb "$(key lower_bound_bytes "$W/dp.json")") | $(key optimal "$W/dp.json")" \
		"| $(key schedule_ms "$W/dp.json") | \`$(awk '{ print $NF }' "$W/dp.peak")\` |"
done
