#!/bin/sh
# onnx.sh: ONNX models end to end.  Usage: onnx.sh SERENITY TESTDIR.
#  - the zoo round-trips: export --format onnx, then schedule the file: the
#    same ops and peak as the zoo network, and the same plain graph;
#  - models written by python3-onnx (tests/onnx_small/make_models.py), when
#    it is installed: ops, folded nodes, the NPU's refusal;
#  - ONNX's own node tests (libonnx-testdata), when installed: every model
#    is accepted or refused with a one-line error and exit 1, never a crash;
#  - bad files: empty, truncated, not ONNX.
S=$1
T=$2
. "$T/lib.sh"
C=$T/../configs

for net in darts-imagenet randwire-cifar10 randwire-cifar100 swiftnet-hpd; do
	expect 0 "$S" export "zoo:$net" --format onnx -o "$W/$net.onnx"
	"$S" schedule "zoo:$net" --json >"$W/a.json" && "$S" schedule "$W/$net.onnx" --json >"$W/b.json" ||
		{ bad "schedule $net"; continue; }
	for key in ops peak_bytes; do
		a=$(json_int $key <"$W/a.json")
		b=$(json_int $key <"$W/b.json")
		[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "$net: $key $a from the zoo, $b from ONNX"
	done
	"$S" export "zoo:$net" --format graph -o "$W/a.graph"
	"$S" export "$W/$net.onnx" --format graph -o "$W/b.graph"
	grep -v '^#' "$W/a.graph" >"$W/a.txt"
	grep -v '^#' "$W/b.graph" >"$W/b.txt"
	cmp -s "$W/a.txt" "$W/b.txt" && ok || bad "$net: the graph changed through ONNX"
done
# compile and run an exported model: bit-exact on fsim
expect 0 "$S" run "$W/swiftnet-hpd.onnx" --config "$C/npu-64k.xml" --json
grep -q '"bit_exact":true' "$W/out" && ok || bad "run swiftnet-hpd.onnx: $(cat "$W/out")"
# bad files
: >"$W/empty.onnx"
expect 1 "$S" schedule "$W/empty.onnx"
grep -q "empty.onnx: not an ONNX model" "$W/err" && ok || bad "empty: $(cat "$W/err")"
head -c 1000 "$W/swiftnet-hpd.onnx" >"$W/trunc.onnx"
expect 1 "$S" schedule "$W/trunc.onnx"
grep -q "trunc.onnx: not an ONNX model" "$W/err" && ok || bad "truncated: $(cat "$W/err")"
printf 'node a 10\n' >"$W/text.onnx"
expect 1 "$S" schedule "$W/text.onnx"
expect 1 "$S" schedule "$W/missing.onnx"

# a rewritten graph (kernel-wise partitions) exports too, with its peak
expect 0 "$S" export zoo:swiftnet-hpd --rewrite --format onnx -o "$W/rw.onnx"
a=$("$S" schedule zoo:swiftnet-hpd --rewrite --json | json_int peak_bytes)
b=$("$S" schedule "$W/rw.onnx" --json | json_int peak_bytes)
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "rewritten swiftnet-hpd: peak $a, $b through ONNX"
# -o - is stdout (issue 15), the same bytes; a failed export leaves no file
expect 0 "$S" export zoo:swiftnet-hpd --format onnx -o -
"$S" export zoo:swiftnet-hpd --format onnx -o "$W/dash.onnx" && cmp -s "$W/out" "$W/dash.onnx" && ok ||
	bad "export --format onnx -o - differs from the file"
expect 1 "$S" export "$W/trunc.onnx" --format onnx -o "$W/no.onnx"
[ ! -e "$W/no.onnx" ] && [ ! -e "$W/no.onnx.tmp" ] && ok || bad "half-written no.onnx"

# models written by python3-onnx
if python3 -c 'import onnx' 2>/dev/null || /usr/bin/python3 -c 'import onnx' 2>/dev/null; then
	py=python3
	python3 -c 'import onnx' 2>/dev/null || py=/usr/bin/python3
	mkdir -p "$W/py"
	if "$py" "$T/onnx_small/make_models.py" "$W/py"; then
		ok
		expect 0 "$S" schedule "$W/py/cnn.onnx" --json
		[ "$(json_int ops <"$W/out")" = 6 ] && ok || bad "cnn.onnx: $(cat "$W/out")"
		grep -q '"bn1":"conv1","relu1":"conv1"' "$W/out" && ok || bad "cnn.onnx merged: $(cat "$W/out")"
		grep -q '"view":"gap"' "$W/out" && ok || bad "cnn.onnx view: $(cat "$W/out")"
		expect 0 "$S" run "$W/py/cnn.onnx" --config "$C/npu-64k.xml" --json
		grep -q '"bit_exact":true' "$W/out" && ok || bad "run cnn.onnx"
		expect 0 "$S" schedule "$W/py/shuffle.onnx" -d S
		expect 0 "$S" export "$W/py/shuffle.onnx" --format graph -o "$W/shuffle.graph"
		grep -q "^node tr 1024 cat$" "$W/shuffle.graph" && ok || bad "shuffle: $(cat "$W/shuffle.graph")"
		expect 0 "$S" schedule "$W/py/se.onnx" --json
		expect 1 "$S" compile "$W/py/se.onnx" --config "$C/npu-64k.xml" -o "$W/se-out"
		grep -q "se.onnx: the NPU cannot run: HardSwish (hs), HardSigmoid (se_gate), Mul (2: excite, swish)" \
			"$W/err" && ok || bad "se.onnx refusal: $(cat "$W/err")"
		[ ! -e "$W/se-out" ] && ok || bad "compile wrote output for a refused model"
		expect 1 "$S" run "$W/py/dense.onnx" --config "$C/npu-64k.xml"
		grep -q "the NPU cannot run: Softmax (softmax)" "$W/err" && ok || bad "dense.onnx: $(cat "$W/err")"
		expect 0 "$S" schedule "$W/py/dense.onnx"
		expect 0 "$S" schedule "$W/py/op9.onnx"
		# as exporters write models (issue 14): no value_info at all
		expect 0 "$S" schedule "$W/py/novi.onnx" --json
		[ "$(json_int ops <"$W/out")" = 10 ] && ok || bad "novi.onnx: $(cat "$W/out")"
		# VGG-19's fc weights from ConstantOfShape: scheduled without their 400 MB
		expect 0 "$S" schedule "$W/py/vgg19-fc.onnx" --json
		[ "$(json_int peak_bytes <"$W/out")" = 125440 ] && ok || bad "vgg19-fc: $(cat "$W/out")"
		expect 0 "$S" run "$W/py/vgg-small.onnx" --config "$C/npu-64k.xml" --json
		grep -q '"bit_exact":true' "$W/out" && ok || bad "run vgg-small.onnx: $(cat "$W/out")"
		# a symbolic batch dim: refused in one line naming input and dim, or given
		expect 1 "$S" schedule "$W/py/batch.onnx"
		grep -q "^serenity: .*batch.onnx: input input: dynamic shape (dim 0 is 'batch_size'): give its dims with --input-shape input=DIMS" \
			"$W/err" && [ "$(wc -l <"$W/err")" -eq 1 ] && ok || bad "batch.onnx: $(cat "$W/err")"
		expect 0 "$S" schedule "$W/py/batch.onnx" --input-shape input=2x3x8x8 --json
		[ "$(json_int peak_bytes <"$W/out")" = 896 ] && ok || bad "batch 2: $(cat "$W/out")"
		expect 0 "$S" run "$W/py/batch.onnx" --input-shape input=1x3x8x8 --config "$C/npu-64k.xml" --json
		grep -q '"bit_exact":true' "$W/out" && ok || bad "run batch.onnx: $(cat "$W/out")"
		expect 2 "$S" schedule "$W/py/batch.onnx" --input-shape input
		expect 1 "$S" schedule "$W/py/batch.onnx" --input-shape images=1x3x8x8
		grep -q "the graph has no input 'images'" "$W/err" && ok || bad "images: $(cat "$W/err")"
		expect 1 "$S" schedule zoo:swiftnet-hpd --input-shape x=1
		# float16 weights, QDQ int8 weights: read, quantized, bit-exact
		for f in fp16 qdq; do
			expect 0 "$S" run "$W/py/$f.onnx" --config "$C/npu-64k.xml" --json
			grep -q '"bit_exact":true' "$W/out" && ok || bad "run $f.onnx: $(cat "$W/out")"
		done
		# what export writes, ONNX's checker and strict shape inference take
		for f in se dense; do
			expect 0 "$S" export "$W/py/$f.onnx" --format onnx -o "$W/rt_$f.onnx"
		done
		"$py" -c 'import sys, onnx
from onnx import checker, shape_inference
for f in sys.argv[1:]:
    m = onnx.load(f)
    checker.check_model(m)
    shape_inference.infer_shapes(m, strict_mode=True)' "$W/rt_se.onnx" "$W/rt_dense.onnx" \
			"$W/swiftnet-hpd.onnx" "$W/darts-imagenet.onnx" "$W/rw.onnx" &&
			ok || bad "exported models fail onnx.checker"
	else
		bad "make_models.py"
	fi
else
	echo "onnx.sh: python3-onnx missing, its models skipped"
fi

# ONNX's node tests: accepted, or refused cleanly.  Those of the ops the
# importer knows (about 300; SERENITY_ONNX_NODE_ALL=1 for all 900, which
# takes minutes under the sanitizers).
N=/usr/include/onnx/backend/test/data/node
ops='conv|pool|relu|concat|gemm|batchnorm|split|slice|_pad|reduce_mean|transpose|flatten|reshape'
ops="$ops|clip|sigmoid|hard|^test_mul|^test_add|^test_sum|identity|dropout|squeeze|constant"
ops="$ops|^test_shape|gather|cast|matmul"
if [ -d "$N" ]; then
	for d in $(ls "$N" | if [ -n "$SERENITY_ONNX_NODE_ALL" ]; then cat; else
		grep -E "$ops" | grep -v expanded; fi); do
		d=$N/$d
		"$S" schedule "$d/model.onnx" >/dev/null 2>"$W/err"
		rc=$?
		if [ $rc -gt 1 ] || { [ $rc -eq 1 ] && [ "$(wc -l <"$W/err")" -ne 1 ]; }; then
			bad "$(basename "$d"): exit $rc: $(cat "$W/err")"
		else
			ok
		fi
	done
	for t in split_equal_parts_2d relu maxpool_2d_ceil averagepool_2d_same_upper \
		concat_3d_axis_1 flatten_axis2 reduce_mean_keepdims_example transpose_default; do
		expect 0 "$S" schedule "$N/test_$t/model.onnx"
	done
fi

echo "onnx.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
