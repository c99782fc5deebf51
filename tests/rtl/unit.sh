#!/bin/sh
# unit.sh: the RTL's unit testbenches (tests/rtl/tb_*.sv), each built with
# verilator --binary and run, some at several parameter sets:
#   tb_requant  npu_requant against src/ref.c's requantization (DPI)
#   tb_mac      npu_mac: all 65,536 products (also through mul8, the LUT
#               multiplier synthesis builds), accumulation, loads
#   tb_spad     npu_spad + npu_bank: random port A / port B traffic against a
#               byte-array model; port B always wins, refusals on conflicts
#   tb_wbuf     npu_wbuf: random row writes and reads against a model
#   tb_dma      npu_dma against a DRAM model on its master port: 2-D
#               transfers, bursts, classes, beats counted, back-to-back
#   tb_conv     npu_conv + npu_mac + npu_requant: random convolutions against
#               a loop-nest reference, the header's cycle formula, refusals
#   tb_vec      npu_vec + npu_requant: POOL, GAVG, EW, REQUANT, COPY, RELU
#               against loop nests, cycle formulas, refusals
# (The sequencer and the checker run in tests/rtl.sh, whole streams against
# fsim.)
#
#   tests/rtl/unit.sh [--quick] [WORKDIR]      (default /tmp/serenity-rtl-unit)
#
# --quick runs each testbench at one parameter set.  Verilator's run-time
# objects (verilated*.o: the same for every testbench built with the same
# flags) are compiled once and reused from WORKDIR/vlrt: two thirds of a
# small testbench's build otherwise.  Needs verilator and
# build/libserenity_core.a (cmake --build build).  Exit status 0 when every
# testbench passes.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
quick=0
if [ "${1:-}" = --quick ]; then
	quick=1
	shift
fi
work=${1:-/tmp/serenity-rtl-unit}
lib=$root/build/libserenity_core.a
jobs=${NPU_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ -f "$lib" ] || { echo "unit.sh: $lib missing; build serenity first (cmake --build build)" >&2; exit 2; }
mkdir -p "$work"

rm -f "$work/failed"
fail() { # the loops below run in subshells: failures go to a file
	echo "FAIL $*"
	: >"$work/failed"
}
# build NAME DIR: make in DIR (verilated, V$NAME.mk), with the run-time
# objects of the cache (by the flags they are compiled with) copied in
# first; those it compiled go into the cache
build() {
	b_mk=$2/V$1.mk
	b_key=$({
		verilator --version
		grep -hE '^(VM_SC|VM_COVERAGE|VM_TIMING|VM_TRACE[A-Z_]*|VM_USER_CFLAGS) ' "$2/V$1_classes.mk" "$b_mk"
		sed -n '/^VM_USER_CFLAGS/,/^$/p' "$b_mk"
	} | cksum | tr ' ' -)
	b_rt=$work/vlrt/$b_key
	if [ -d "$b_rt" ]; then
		for o in "$b_rt"/*.o; do
			[ -e "$o" ] || continue
			cp "$o" "${o%.o}.d" "$2/" # newer than V$1.mk: make keeps them
		done
	fi
	if ! make -C "$2" -f "V$1.mk" -j "$jobs" >>"$2.log" 2>&1; then
		[ -d "$b_rt" ] || return 1
		rm -rf "$b_rt" "$2"/verilated*.o # a stale cache: once more from scratch
		make -C "$2" -f "V$1.mk" -j "$jobs" >>"$2.log" 2>&1 || return 1
	fi
	mkdir -p "$b_rt"
	for o in "$2"/verilated*.o; do
		if [ -e "$o" ] && [ ! -e "$b_rt/${o##*/}" ]; then
			cp "${o%.o}.d" "$b_rt/" && cp "$o" "$b_rt/"
		fi
	done
}
run() { # NAME PARAMS SOURCES...
	name=$1 params=$2
	shift 2
	dir=$work/$name$(echo "$params" | tr -d ' =-' | tr 'A-Z' 'a-z')
	rm -rf "$dir"
	# verilator --binary, the make step apart (build above)
	# shellcheck disable=SC2086
	if ! verilator --cc --exe --main --timing -Wno-fatal -Wno-lint -Wno-style -O3 -j "$jobs" $params \
		--top-module "$name" -Mdir "$dir" -o "$name" "$@" "$lib" -LDFLAGS "-lm -lxml2" \
		>"$dir.log" 2>&1 || ! build "$name" "$dir"; then
		fail "$name $params: build failed, see $dir.log"
		return
	fi
	if "$dir/$name" >"$dir.out" 2>&1 && grep -q "PASS" "$dir.out"; then
		echo "ok   $(grep PASS "$dir.out")"
	else
		fail "$name $params:"
		sed 's/^/     /' "$dir.out" | head -20
	fi
}
# the first parameter set, or all of them
sets() {
	if [ $quick = 1 ]; then echo "$1"; else printf '%s\n' "$@"; fi
}

hw=$root/hw
tb=$root/tests/rtl
run tb_requant "" "$tb/tb_requant.sv" "$hw/npu_requant.sv"
# with SYNTHESIS the array multiplies through mul8, the LUT multiplier
run tb_mac "" "$tb/tb_mac.sv" "$hw/npu_mac.sv"
run tb_mac "+define+SYNTHESIS" "$tb/tb_mac.sv" "$hw/npu_mac.sv"
sets "-GNB=8 -GBB=1" "-GNB=4 -GBB=2 -GBYTES=4096" "-GNB=32 -GBB=1 -GBYTES=65536" |
	while read -r p; do run tb_spad "$p" "$tb/tb_spad.sv" "$hw/npu_spad.sv" "$hw/npu_bank.sv"; done
run tb_wbuf "" "$tb/tb_wbuf.sv" "$hw/npu_wbuf.sv"
sets "-GRD_BPC=4 -GWR_BPC=4 -GWIN=8 -GCOLS=4 -GLATENCY=10" \
	"-GRD_BPC=8 -GWR_BPC=8 -GWIN=32 -GCOLS=16 -GLATENCY=100" \
	"-GRD_BPC=16 -GWR_BPC=4 -GWIN=16 -GCOLS=8 -GLATENCY=0" |
	while read -r p; do run tb_dma "$p" "$tb/tb_dma.sv" "$hw/npu_dma.sv"; done
sets "-GROWS=4 -GCOLS=4 -GWIN=8" "-GROWS=4 -GCOLS=4 -GWIN=8 -GREFUSE=30" \
	"-GROWS=16 -GCOLS=16 -GWIN=32" "-GROWS=1 -GCOLS=1 -GWIN=2" |
	while read -r p; do
		run tb_conv "$p" "$tb/tb_conv.sv" "$hw/npu_conv.sv" "$hw/npu_mac.sv" "$hw/npu_requant.sv"
	done
sets "-GVW=4 -GWIN=8 -GCOLS=4" "-GVW=16 -GWIN=32 -GCOLS=16" "-GVW=1 -GWIN=2 -GCOLS=1" |
	while read -r p; do run tb_vec "$p" "$tb/tb_vec.sv" "$hw/npu_vec.sv" "$hw/npu_requant.sv"; done
[ ! -e "$work/failed" ]
