#!/bin/sh
# build.sh: builds the NPU's RTL simulator for one accelerator config.
#
#   rtl_sim/build.sh OUTDIR SRAM_BYTES BANKS BANK_BYTES WBUF_BYTES RD_BPC WR_BPC ROWS COLS VEC_WIDTH
#
# Verilates hw/*.sv with the config as npu_top's parameters and builds
# OUTDIR/npu_sim (verilator --cc --exe --build -O3, the model's C++ at -O2:
# a third faster to run than Verilator's default -Os; FST tracing compiled
# in but off unless +trace= is given).  The DRAM's latency is not a parameter:
# the harness models the DRAM (+latency=).  Does nothing when OUTDIR/npu_sim
# was built for the same parameters from the same sources: OUTDIR/params
# holds both, the sources as a checksum of their contents (hw/*.sv,
# hw/npu.vlt, this script, the harness and its waivers), so two source trees
# sharing one cache directory never run each other's build.  Environment:
# NPU_JOBS (make jobs, default the number of CPUs), VERILATOR (default
# verilator), NPU_CHECK (npu_top's CHECK: 1, the default, every rule of
# docs/isa.md; 0 the FPGA build's checker, encoding and bounds rules only,
# hw/README.md "Checks"; part of OUTDIR/params, so give each its own OUTDIR:
# src/rtlsim.c and tests/rtl.sh add -c0 to the directory's name).
set -eu

if [ $# -ne 10 ]; then
	echo "usage: build.sh OUTDIR SRAM_BYTES BANKS BANK_BYTES WBUF_BYTES RD_BPC WR_BPC ROWS COLS VEC_WIDTH" >&2
	exit 2
fi
out=$1
shift
for v in "$@"; do
	case $v in
	'' | *[!0-9]*)
		echo "build.sh: '$v' is not a non-negative integer" >&2
		exit 2
		;;
	esac
	if [ "$v" -lt 1 ]; then
		echo "build.sh: every parameter must be positive" >&2
		exit 2
	fi
done
check=${NPU_CHECK:-1}
case $check in
0 | 1) ;;
*)
	echo "build.sh: NPU_CHECK must be 0 or 1 (is '$check')" >&2
	exit 2
	;;
esac
sram=$1 nb=$2 bb=$3 wbuf=$4 rd=$5 wr=$6 rows=$7 cols=$8 vw=$9
jobs=${NPU_JOBS:-$(nproc 2>/dev/null || echo 2)}
verilator=${VERILATOR:-verilator}

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
params="sram=$sram nb=$nb bb=$bb wbuf=$wbuf rd=$rd wr=$wr rows=$rows cols=$cols vw=$vw check=$check"
sources=$(cat "$root"/hw/*.sv "$root"/hw/npu.vlt "$here"/build.sh "$here"/sim_main.cpp "$here"/npu_sim.vlt | cksum | tr ' ' -)
params="$params src=$sources"

mkdir -p "$out"
out=$(cd "$out" && pwd)

# Serialize builds into one OUTDIR.
if [ -z "${NPU_BUILD_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
	NPU_BUILD_LOCKED=1 exec flock "$out/.lock" sh "$0" "$out" "$@"
fi

up_to_date() {
	[ -x "$out/npu_sim" ] && [ -f "$out/params" ] && [ "$(cat "$out/params")" = "$params" ]
}
up_to_date && exit 0

rm -rf "$out/obj" "$out/npu_sim" "$out/params"
"$verilator" --cc --exe --build -O3 --x-assign fast --x-initial fast --trace-fst \
	-MAKEFLAGS "OPT_FAST=-O2 OPT_GLOBAL=-O2" \
	-Wno-fatal --top-module npu_top --prefix Vnpu_top -Mdir "$out/obj" -o "$out/npu_sim" \
	-j "$jobs" \
	-GSRAM_BYTES="$sram" -GNB="$nb" -GBB="$bb" -GWBUF_BYTES="$wbuf" -GRD_BPC="$rd" \
	-GWR_BPC="$wr" -GROWS="$rows" -GCOLS="$cols" -GVW="$vw" -GCHECK="$check" \
	-CFLAGS "-O2 -DNPU_SRAM_BYTES=$sram -DNPU_WBUF_BYTES=$wbuf -DNPU_RD_BPC=$rd -DNPU_WR_BPC=$wr -DNPU_COLS=$cols -DNPU_NB=$nb" \
	"$root"/hw/*.sv "$root"/hw/npu.vlt "$here"/npu_sim.vlt "$here"/sim_main.cpp >"$out/build.log" 2>&1 || {
	echo "build.sh: verilator failed; the last lines of $out/build.log:" >&2
	tail -n 20 "$out/build.log" >&2
	exit 1
}
echo "$params" >"$out/params"
