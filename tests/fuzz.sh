#!/bin/sh
# fuzz.sh [SECONDS]: builds the libFuzzer targets with clang (ASan + UBSan
# with float-cast-overflow, stopping at the first finding) and runs each for
# SECONDS (default 30), seeded with the test graphs, configs and the zoo
# exported to ONNX.
set -e
cd "$(dirname "$0")/.."
secs=${1:-30}
# fuzz NAME CORPUS ARGS...: runs build-fuzz/NAME for secs seconds; prints
# the end of its report and fails, with the whole report kept, when it
# found something (a crash, a leak, a timeout, an abort of its checks).
fuzz() {
	name=$1 corpus=$2
	shift 2
	echo "== $name for ${secs}s"
	log=build-fuzz/$name.log
	if build-fuzz/"$name" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix=build-fuzz/"$name"- "$@" "$corpus" >"$log" 2>&1; then
		tail -n 6 "$log"
	else
		tail -n 40 "$log"
		echo "fuzz.sh: $name found a failure (report: $log, input: build-fuzz/$name-*)" >&2
		exit 1
	fi
}
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DSERENITY_FUZZ=ON -DSERENITY_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j "$(nproc 2>/dev/null || echo 2)" --target fuzz_graphfile fuzz_config \
	fuzz_stream fuzz_onnx fuzz_run_onnx fuzz_run_config serenity
corpus=build-fuzz/corpus-graphfile
mkdir -p "$corpus"
cp tests/data/good/*.graph tests/data/bad/*.graph examples/*.graph "$corpus"/
fuzz fuzz_graphfile "$corpus" -max_len=4096
corpus=build-fuzz/corpus-config
mkdir -p "$corpus"
cp configs/*.xml tests/data/config/*.xml "$corpus"/
fuzz fuzz_config "$corpus" -max_len=4096 -dict=tests/fuzz/config.dict
# ONNX: seeds small enough for max_len (a cut protobuf does not decode, so
# whole models matter): the test graphs exported to ONNX, the python3-onnx
# models of tests/onnx_small and ONNX's node tests when installed.
corpus=build-fuzz/corpus-onnx
mkdir -p "$corpus"
for f in tests/data/good/*.graph examples/*.graph; do
	build-fuzz/serenity export "$f" --format onnx -o "$corpus/$(basename "$f" .graph).onnx" \
		>/dev/null 2>&1 || true
done
/usr/bin/python3 tests/onnx_small/make_models.py "$corpus" 2>/dev/null || true
for d in /usr/include/onnx/backend/test/data/node/test_*; do
	if [ -f "$d/model.onnx" ]; then cp "$d/model.onnx" "$corpus/$(basename "$d").onnx"; fi
done
fuzz fuzz_onnx "$corpus" -max_len=8192 -rss_limit_mb=1024 -dict=tests/fuzz/onnx.dict
# `run` end to end (import, quantization, schedule, plan, emit, fsim) on
# the same models, then on configs with a small built-in network: each
# input bounded (fuzz_run.h, about 2 s at most of CPU alone): one slower
# than 30 s (wall: a shared machine needs the margin) is a finding
mkdir -p build-fuzz/corpus-run-onnx build-fuzz/corpus-run-config
cp build-fuzz/corpus-onnx/* build-fuzz/corpus-run-onnx/
/usr/bin/python3 tests/ptq/make_model.py build-fuzz/corpus-run-onnx/ptq-small.onnx \
	build-fuzz/calib-unused 2>/dev/null || true
fuzz fuzz_run_onnx build-fuzz/corpus-run-onnx -max_len=8192 -rss_limit_mb=1024 -timeout=30 \
	-dict=tests/fuzz/onnx.dict
cp build-fuzz/corpus-config/* build-fuzz/corpus-run-config/
fuzz fuzz_run_config build-fuzz/corpus-run-config -max_len=4096 -rss_limit_mb=1024 -timeout=30 \
	-dict=tests/fuzz/config.dict
# Command streams: no seeds needed, the target builds mostly well-formed
# instructions from the bytes it is given.
corpus=build-fuzz/corpus-stream
mkdir -p "$corpus"
fuzz fuzz_stream "$corpus" -max_len=2048
