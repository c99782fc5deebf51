#!/bin/sh
# synth.sh: the RTL synthesizes: rtl_sim/synth.sh on configs/npu-tiny.xml
# (Yosys synth_ecp5 on npu_top, every hw/*.sv read as it is).
#
#   tests/synth.sh [SERENITY]   (default build/serenity: it reads the config)
#
# Fails when Yosys fails (a construct Yosys 0.23 does not read, a missing
# module, ...) or when a memory of the RTL became flip-flops instead of
# block or LUT RAM (the report's memories.in_ffs; a case statement Yosys turned
# into a ROM is logic, not counted).  Prints the summary, whether it fits an
# ECP5-85 (informational) and the run time: about 15 minutes on 2 cores, so
# this is not part of the quick tests.
set -eu

T=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$T")
SERENITY=${1:-${SERENITY:-$root/build/serenity}}
export SERENITY
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP

t0=$(date +%s)
if ! sh "$root/rtl_sim/synth.sh" "$root/configs/npu-tiny.xml" -o "$W/report.json" >"$W/out" 2>"$W/err"; then
	cat "$W/out"
	tail -n 5 "$W/err"
	echo "FAIL: rtl_sim/synth.sh configs/npu-tiny.xml"
	exit 1
fi
t=$(($(date +%s) - t0))
cat "$W/out"
# "in_ffs": [...] lists the memories mapped to flip-flops; it must be empty
ff=$(tr -d '\n' <"$W/report.json" | sed -n 's/.*"in_ffs": \[\([^]]*\)\].*/\1/p')
if [ -n "$ff" ]; then
	echo "FAIL: memories in flip-flops: $ff"
	exit 1
fi
echo "ok: npu-tiny synthesizes (synth_ecp5), no memory in flip-flops, ${t}s"
