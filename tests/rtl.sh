#!/bin/sh
# rtl.sh: the RTL's tests: lint, the unit testbenches, then the RTL
# simulator (rtl_sim/npu_sim) end to end against the functional model.
#
#   tests/rtl.sh [--quick] [--no-unit] [WORKDIR]     (default /tmp/serenity-rtl)
#
# For each config (npu-tiny, npu-32k, npu-256k) it builds npu_sim
# (rtl_sim/build.sh), then:
#   models   `serenity compile` zoo networks, run the stream on npu_sim and
#            on fsim (`serenity run --sim fsim --json` for the CLI's counters,
#            tests/rtl/fsim_image for fsim's final DRAM image); the graph
#            output's bytes and the whole DRAM image must be equal, the DRAM
#            bytes read (weights, activations) and written, the SRAM peak and
#            the instruction count equal, the cycles within 10% of fsim's;
#            on npu-32k also swiftnet-hpd calibrated per output channel
#            (--per-channel: CONV with per-channel tables, flag PERCH)
#   random   streams from tests/rtl/streamgen (every opcode and flag, SRAM
#            and DRAM operands), the same comparisons with fsim_image
#   checks   streams that break one rule each: npu_sim must stop with exit
#            status 1 and fsim's message
# --quick runs swiftnet-hpd only and fewer random streams.  Exit status 0
# when everything passes.  Needs verilator, cc, and the serenity build
# (built here when build/serenity is missing).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0 unit=1
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--no-unit) unit=0 ;;
	-*) echo "usage: tests/rtl.sh [--quick] [--no-unit] [WORKDIR]" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
work=${1:-/tmp/serenity-rtl}
mkdir -p "$work"
work=$(cd "$work" && pwd)
serenity=$root/build/serenity
failures=0
fail() {
	echo "FAIL $*"
	failures=$((failures + 1))
}

command -v verilator >/dev/null || { echo "rtl.sh: verilator not found (tests/deps.sh)" >&2; exit 2; }
if [ ! -x "$serenity" ] || [ ! -f "$root/build/libserenity_core.a" ]; then
	cmake -S "$root" -B "$root/build" >/dev/null
	cmake --build "$root/build" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
fi

echo "== lint"
if verilator --lint-only -Wall "$root"/hw/*.sv "$root/hw/npu.vlt" --top-module npu_top; then
	echo "ok   verilator --lint-only -Wall hw/*.sv hw/npu.vlt"
else
	fail "lint"
fi

if [ $unit = 1 ]; then
	echo "== unit testbenches"
	sh "$root/tests/rtl/unit.sh" "$work/unit" || fail "unit testbenches"
fi

echo "== tools"
for t in fsim_image streamgen; do
	cc -std=c17 -O2 -Wall -Wextra -I"$root/src" -I"$root/targets/npu" "$root/tests/rtl/$t.c" \
		"$root/build/libserenity_core.a" -lm -lxml2 -o "$work/$t"
done

# "... SRAM 32768 bytes (align 16), DMA 8/8 bytes per cycle read/write,
# latency 100, MAC array 16x16, vector 16, ..." -> build.sh's parameters
params() {
	"$serenity" check-config "$1" | sed -n \
		's/.*SRAM \([0-9]*\) bytes.*DMA \([0-9]*\)\/\([0-9]*\) bytes.*latency \([0-9]*\), MAC array \([0-9]*\)x\([0-9]*\), vector \([0-9]*\).*/\1 \2 \3 \4 \5 \6 \7/p'
}

# "key":value from a one-line JSON object
jget() {
	sed -n "s/.*\"$2\":\([0-9-]*\).*/\1/p" "$1"
}

# run_sim DIR SIM: npu_sim on DIR/stream.bin, DIR/dram.bin -> rtl.bin, rtl.json, rtl.csv
run_sim() {
	"$2" +stream="$1/stream.bin" +dram="$1/dram.bin" +dram_out="$1/rtl.bin" \
		+counters="$1/rtl.json" +timeline="$1/rtl.csv" 2>"$1/rtl.err"
}

# compare_counters WHAT RTL.json FSIM.json KEYMAP: "rtlkey=fsimkey ..." must be equal
compare_counters() {
	what=$1 r=$2 f=$3
	shift 3
	for pair in "$@"; do
		rk=${pair%%=*} fk=${pair#*=}
		rv=$(jget "$r" "$rk") fv=$(jget "$f" "$fk")
		[ -n "$rv" ] && [ "$rv" = "$fv" ] || { fail "$what: $rk $rv, fsim $fv"; return 1; }
	done
	return 0
}

# cycles_within WHAT RTL FSIM: |RTL - FSIM| <= 10% of FSIM; prints the difference
cycles_within() {
	awk -v r="$2" -v f="$3" 'BEGIN { d = (r - f) * 100.0 / f; printf "%+.2f%%", d; exit (d > 10 || d < -10) }'
}

cfgs="npu-tiny npu-32k npu-256k"
for cfg in $cfgs; do
	p=$(params "$root/configs/$cfg.xml")
	[ -n "$p" ] || { fail "$cfg: cannot read its parameters from serenity check-config"; continue; }
	echo "== $cfg ($p)"
	# shellcheck disable=SC2086
	if ! "$root/rtl_sim/build.sh" "$work/sim-$cfg" $p; then
		fail "$cfg: build"
		continue
	fi
	sim=$work/sim-$cfg/npu_sim
	set -- $p
	sram=$1

	models="zoo:swiftnet-hpd"
	[ $quick = 1 ] || models="$models zoo:randwire-cifar10"
	[ $quick = 1 ] || [ "$cfg" != npu-32k ] || models="$models zoo:darts-imagenet"
	[ "$cfg" != npu-32k ] || models="$models zoo:swiftnet-hpd+per-channel"
	for m in $models; do
		d=$work/$cfg-${m#zoo:}
		rm -rf "$d"
		name=${m%+per-channel} pc=
		[ "$name" = "$m" ] || pc=--per-channel
		# shellcheck disable=SC2086
		if ! "$serenity" compile "$name" $pc --config "$root/configs/$cfg.xml" -o "$d" >/dev/null; then
			fail "$cfg $m: compile"
			continue
		fi
		[ -z "$pc" ] || grep -q ' perch$' "$d/stream.lst" || { fail "$cfg $m: no PERCH instruction"; continue; }
		# shellcheck disable=SC2086
		if ! "$serenity" run "$name" $pc --config "$root/configs/$cfg.xml" --sim fsim --json >"$d/cli.json"; then
			fail "$cfg $m: serenity run --sim fsim"
			continue
		fi
		# shellcheck disable=SC2086
		if ! "$work/fsim_image" $p "$d/stream.bin" "$d/dram.bin" "$d/fsim.bin" "$d/fsim.json" >"$d/fsim.out"; then
			fail "$cfg $m: fsim_image: $(cat "$d/fsim.out")"
			continue
		fi
		t0=$(date +%s.%N)
		if ! run_sim "$d" "$sim"; then
			fail "$cfg $m: npu_sim: $(cat "$d/rtl.err")"
			continue
		fi
		t1=$(date +%s.%N)
		# the graph output: the last tensor of the memory map, at its DRAM address
		out=$(awk '$1 == "tensor" { n = $5; a = $4; if ($6 == "(dram") { a = $7; sub(/\)/, "", a) } } END { print a, n }' "$d/memmap.txt")
		set -- $out
		oa=$(printf '%d' "$1") on=$2
		ok=1
		cmp -s -i "$oa:$oa" -n "$on" "$d/rtl.bin" "$d/fsim.bin" || { fail "$cfg $m: output bytes differ"; ok=0; }
		cmp -s "$d/rtl.bin" "$d/fsim.bin" || { fail "$cfg $m: DRAM images differ"; ok=0; }
		grep -q '"bit_exact":true' "$d/cli.json" || { fail "$cfg $m: fsim is not bit-exact with the reference"; ok=0; }
		compare_counters "$cfg $m" "$d/rtl.json" "$d/cli.json" dram_weight_read=dram_weight_read_bytes \
			dram_act_read=dram_act_read_bytes dram_write=dram_write_bytes sram_peak=sram_peak_bytes \
			instructions=instructions || ok=0
		rc=$(jget "$d/rtl.json" cycles) fc=$(jget "$d/cli.json" cycles)
		diff=$(cycles_within x "$rc" "$fc") || { fail "$cfg $m: cycles $rc, fsim $fc ($diff)"; ok=0; }
		rate=$(awk -v c="$rc" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", c / (b - a) / 1e6 }')
		[ $ok = 1 ] && echo "ok   $m: output and DRAM image bit-exact, counters equal, cycles $rc vs fsim $fc ($diff), $rate Mcycles/s"
	done

	n=40
	[ $quick = 0 ] || n=10
	bad=0
	seed=1
	while [ $seed -le $n ]; do
		d=$work/$cfg-random-$seed
		mkdir -p "$d"
		"$work/streamgen" good "$seed" "$d" "$sram"
		# shellcheck disable=SC2086
		if ! "$work/fsim_image" $p "$d/stream.bin" "$d/dram.bin" "$d/fsim.bin" "$d/fsim.json" >"$d/fsim.out"; then
			fail "$cfg random $seed: fsim refuses it: $(cat "$d/fsim.out")"
			bad=$((bad + 1))
		elif ! run_sim "$d" "$sim"; then
			fail "$cfg random $seed: npu_sim: $(cat "$d/rtl.err")"
			bad=$((bad + 1))
		elif ! cmp -s "$d/rtl.bin" "$d/fsim.bin"; then
			fail "$cfg random $seed: DRAM images differ ($d)"
			bad=$((bad + 1))
		elif ! compare_counters "$cfg random $seed" "$d/rtl.json" "$d/fsim.json" \
			dram_weight_read=dram_weight_read dram_act_read=dram_act_read dram_write=dram_write \
			sram_peak=sram_peak instructions=instructions; then
			bad=$((bad + 1))
		fi
		seed=$((seed + 1))
	done
	[ $bad = 0 ] && echo "ok   $n random streams: DRAM images bit-exact, counters equal"

	if [ "$cfg" = npu-tiny ]; then
		nbad=$("$work/streamgen" nbad)
		k=0 bad=0
		while [ $k -lt "$nbad" ]; do
			d=$work/$cfg-check-$k
			mkdir -p "$d"
			"$work/streamgen" bad "$k" "$d" "$sram"
			# shellcheck disable=SC2086
			want=$("$work/fsim_image" $p "$d/stream.bin" "$d/dram.bin" "$d/fsim.bin" | sed -n 's/^error: //p')
			set +e
			"$sim" +stream="$d/stream.bin" +dram="$d/dram.bin" 2>"$d/rtl.err" >/dev/null
			st=$?
			set -e
			got=$(sed -n 's/^npu_sim: //p' "$d/rtl.err")
			if [ -z "$want" ] || [ $st != 1 ] || [ "$got" != "$want" ]; then
				fail "$cfg check $k: exit $st, '$got'; fsim: '$want'"
				bad=$((bad + 1))
			fi
			k=$((k + 1))
		done
		[ $bad = 0 ] && echo "ok   $nbad broken streams: stopped with exit status 1 and fsim's message"
	fi
done

if [ $failures = 0 ]; then
	echo "rtl.sh: all passed"
	exit 0
fi
echo "rtl.sh: $failures failed"
exit 1
