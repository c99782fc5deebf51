#!/bin/sh
# fuzz.sh [SECONDS]: builds the libFuzzer targets with clang (ASan + UBSan)
# and runs each for SECONDS (default 30), seeded with the test graphs,
# configs and the zoo exported to ONNX.
set -e
cd "$(dirname "$0")/.."
secs=${1:-30}
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DSERENITY_FUZZ=ON -DSERENITY_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j "$(nproc 2>/dev/null || echo 2)" --target fuzz_graphfile fuzz_config \
	fuzz_stream fuzz_onnx serenity
corpus=build-fuzz/corpus-graphfile
mkdir -p "$corpus"
cp tests/data/good/*.graph tests/data/bad/*.graph examples/*.graph "$corpus"/
echo "== fuzz_graphfile for ${secs}s"
build-fuzz/fuzz_graphfile -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
	"$corpus" 2>&1 | tail -12
corpus=build-fuzz/corpus-config
mkdir -p "$corpus"
cp configs/*.xml tests/data/config/*.xml "$corpus"/
echo "== fuzz_config for ${secs}s"
build-fuzz/fuzz_config -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
	-dict=tests/fuzz/config.dict "$corpus" 2>&1 | tail -12
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
echo "== fuzz_onnx for ${secs}s"
build-fuzz/fuzz_onnx -max_total_time="$secs" -max_len=8192 -rss_limit_mb=1024 -print_final_stats=1 \
	-dict=tests/fuzz/onnx.dict \
	"$corpus" 2>&1 | tail -12
# Command streams: no seeds needed, the target builds mostly well-formed
# instructions from the bytes it is given.
corpus=build-fuzz/corpus-stream
mkdir -p "$corpus"
echo "== fuzz_stream for ${secs}s"
build-fuzz/fuzz_stream -max_total_time="$secs" -max_len=2048 -print_final_stats=1 \
	"$corpus" 2>&1 | tail -12
