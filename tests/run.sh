#!/bin/sh
# run.sh: the whole test suite, as CI runs it: a warnings-as-errors build,
# an ASan + UBSan build (gcc) and a UBSan build with clang (whose
# float-cast-overflow check catches NaN and out-of-range float -> int
# conversions), each running every CTest test, then the RTL's
# tests (tests/rtl.sh --quick: lint, unit testbenches, streams against
# fsim), the libFuzzer targets for a bounded time (tests/fuzz.sh), and the
# synthesis of npu-tiny with Yosys (tests/synth.sh, about 15 minutes).
set -e
cd "$(dirname "$0")/.."
sh tests/deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
# The sanitizer builds write their reports to build-*/sanitizer-reports,
# and their last test fails when there is one (tests/CMakeLists.txt).
for cfg in release asan ubsan; do
	case $cfg in
	release) flags="-DCMAKE_BUILD_TYPE=RelWithDebInfo" ;;
	asan) flags="-DCMAKE_BUILD_TYPE=Debug -DSERENITY_SANITIZE=ON" ;;
	ubsan) flags="-DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSERENITY_SANITIZE=ubsan" ;;
	esac
	echo "== $cfg build"
	cmake -S . -B "build-$cfg" -DSERENITY_WERROR=ON $flags >/dev/null
	cmake --build "build-$cfg" -j "$jobs"
	echo "== $cfg tests"
	ctest --test-dir "build-$cfg" --output-on-failure -j "$jobs"
done
echo "== real networks from ONNX: schedules recomputed, reduced ones on fsim"
sh tests/onnx_nets.sh build-release/serenity
echo "== the RTL: lint, unit testbenches, end to end against fsim"
sh tests/rtl.sh --quick build-rtl
echo "== fuzzing the readers (bounded)"
sh tests/fuzz.sh 30
echo "== synthesis: npu-tiny with Yosys (synth_ecp5)"
sh tests/synth.sh build-release/serenity
