#!/bin/sh
# unit.sh: the RTL's unit testbenches (tests/rtl/tb_*.sv), each built with
# verilator --binary and run, some at several parameter sets:
#   tb_requant  npu_requant against src/ref.c's requantization (DPI)
#   tb_decode   npu_decode: fields and every encoding rule's status code
#   tb_dma      npu_dma + memories: bytes moved, latency + bytes/bandwidth
#               cycles, back-to-back transfers, streaming, the SRAM hold
#   tb_conv     npu_conv + npu_mac + npu_requant + memories: random
#               convolutions against a loop-nest reference, cost-model cycles
#
#   tests/rtl/unit.sh [WORKDIR]      (default /tmp/serenity-rtl-unit)
#
# Needs verilator and build/libserenity_core.a (cmake --build build).
# Exit status 0 when every testbench passes.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/serenity-rtl-unit}
lib=$root/build/libserenity_core.a
jobs=${NPU_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ -f "$lib" ] || { echo "unit.sh: $lib missing; build serenity first (cmake --build build)" >&2; exit 2; }
mkdir -p "$work"

fail=0
run() { # NAME PARAMS SOURCES...
	name=$1 params=$2
	shift 2
	dir=$work/$name$(echo "$params" | tr -d ' =-' | tr 'A-Z' 'a-z')
	rm -rf "$dir"
	# shellcheck disable=SC2086
	if ! verilator --binary --timing -Wno-fatal -Wno-lint -Wno-style -O3 -j "$jobs" $params \
		--top-module "$name" -Mdir "$dir" -o "$name" "$@" "$lib" -LDFLAGS "-lm -lxml2" \
		>"$dir.log" 2>&1; then
		echo "FAIL $name $params: build failed, see $dir.log"
		fail=1
		return
	fi
	if "$dir/$name" >"$dir.out" 2>&1 && grep -q "PASS" "$dir.out"; then
		echo "ok   $(grep PASS "$dir.out")"
	else
		echo "FAIL $name $params:"
		sed 's/^/     /' "$dir.out" | head -20
		fail=1
	fi
}

hw=$root/hw
tb=$root/tests/rtl
run tb_requant "" "$tb/tb_requant.sv" "$hw/npu_requant.sv"
run tb_decode "" "$tb/tb_decode.sv" "$hw/npu_decode.sv"
for p in "-GRD_BPC=4 -GWR_BPC=4 -GLATENCY=10" "-GRD_BPC=3 -GWR_BPC=5 -GLATENCY=1" \
	"-GRD_BPC=8 -GWR_BPC=2 -GLATENCY=0" "-GRD_BPC=8 -GWR_BPC=8 -GLATENCY=100"; do
	run tb_dma "$p" "$tb/tb_dma.sv" "$hw/npu_dma.sv" "$hw/npu_sram.sv" "$hw/npu_dram.sv"
done
for p in "-GROWS=4 -GCOLS=4" "-GROWS=3 -GCOLS=5" "-GROWS=16 -GCOLS=16" "-GROWS=1 -GCOLS=1"; do
	run tb_conv "$p" "$tb/tb_conv.sv" "$hw/npu_conv.sv" "$hw/npu_mac.sv" "$hw/npu_requant.sv" \
		"$hw/npu_sram.sv" "$hw/npu_dram.sv"
done
exit $fail
