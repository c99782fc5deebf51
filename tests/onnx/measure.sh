#!/bin/sh
# measure.sh: the peak memory of the file (definition) order and of dp on
# the real networks of make_models.py, as a markdown table for
# docs/results.md, for the whole networks and for their bodies after the
# stem (make_models.py --body).  Usage: measure.sh SERENITY [MODELDIR] [TIME_LIMIT]
# MODELDIR, when it exists, must hold make_models.py --full --body's files.
# With RUN_CONFIG=CFG in the environment, a third table: each whole network
# compiled for CFG and run on fsim, bit-exact or refused.
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
[ -d "$M" ] || nice "$PY" "$D/make_models.py" --full --body "$M" >&2 || exit 1

key() { grep -o "\"$1\":[^,}]*" "$2" | head -1 | cut -d: -f2; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

# table SUFFIX: one row per network, from $M/NAME$SUFFIX.onnx
table() {
	echo "| network | ONNX nodes | scheduled ops | file peak (KiB) | dp peak (KiB) | gain file/dp | lower bound (KiB) | dp optimal | dp schedule_ms | dp peak at |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for net in $("$PY" "$D/make_models.py" --list --full | awk '{ print $1 }'); do
		row "$net$1"
	done
}

row() {
	f=$M/$1.onnx
	[ -f "$f" ] || return
	nodes=$("$PY" -c "import onnx, sys; print(len(onnx.load(sys.argv[1]).graph.node))" "$f")
	for sched in file dp; do
		if ! nice "$S" schedule "$f" --scheduler $sched --time-limit "$T" --json \
				>"$W/$sched.json" 2>"$W/err"; then
			echo "| $1 | $nodes | serenity: $(head -c 120 "$W/err") | | | | | | | |"
			return
		fi
		if ! "$PY" "$D/peak.py" "$f" "$W/$sched.json" >"$W/$sched.peak" 2>"$W/err"; then
			echo "| $1 | $nodes | $sched: $(head -c 120 "$W/err") | | | | | | | |"
			return
		fi
	done
	fp=$(key peak_bytes "$W/file.json")
	dp=$(key peak_bytes "$W/dp.json")
	echo "| $1 | $nodes | $(key ops "$W/dp.json") | $(kb "$fp") | $(kb "$dp")" \
		"| $(awk -v a="$fp" -v b="$dp" 'BEGIN { printf "%.2fx", a / b }')" \
		"| $(kb "$(key lower_bound_bytes "$W/dp.json")") | $(key optimal "$W/dp.json")" \
		"| $(key schedule_ms "$W/dp.json") | \`$(awk '{ print $NF }' "$W/dp.peak")\` |"
}

echo "Whole networks:"
echo
table ""
echo
echo "After the stem (NAME-body.onnx: the graph input is the stem's output):"
echo
table -body

[ -n "$RUN_CONFIG" ] || exit 0
echo
echo "On the NPU's simulator (\`serenity run NAME.onnx --config $(basename "$RUN_CONFIG") --sim fsim --json\`, dp order):"
echo
echo "| network | bit-exact | SQNR (dB) | cycles (estimated) | SRAM peak (KiB) | DRAM read (KiB) | DRAM written (KiB) | sim_seconds |"
echo "|---|---|---|---|---|---|---|---|"
for net in $("$PY" "$D/make_models.py" --list --full | awk '{ print $1 }'); do
	f=$M/$net.onnx
	[ -f "$f" ] || continue
	if ! nice "$S" run "$f" --config "$RUN_CONFIG" --sim fsim --json >"$W/run.json" 2>"$W/err"; then
		echo "| $net | refused: $(sed 's/.*the NPU cannot run: /cannot run /; s/ ([^)]*)//g; s/ ([^)]*$/, .../' "$W/err" |
			head -1 | cut -c1-120) | | | | | | |"
		continue
	fi
	echo "| $net | $(key bit_exact "$W/run.json") | $(key sqnr_db "$W/run.json")" \
		"| $(key cycles "$W/run.json")" \
		"| $(kb "$(key sram_peak_bytes "$W/run.json")") | $(kb "$(key dram_read_bytes "$W/run.json")")" \
		"| $(kb "$(key dram_write_bytes "$W/run.json")") | $(key sim_seconds "$W/run.json") |"
done
