#!/bin/sh
# ptq.sh: a float ONNX model through post-training quantization, end to
# end: run reports sqnr_db beside bit_exact, --calib takes a directory of
# TensorProtos and refuses a bad one.  Usage: ptq.sh SERENITY TESTDIR.
# Exit 77 (skipped) without python3's onnx and numpy or an ONNX importer.
S=$1
T=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" "$T/ptq/make_model.py" "$W/small.onnx" "$W/calib" 2>"$W/err" || {
	echo "ptq.sh: python3 onnx/numpy missing: skipped"; cat "$W/err"; exit 77; }
if "$S" schedule "$W/small.onnx" 2>&1 | grep -q "not available in this build"; then
	echo "ptq.sh: no ONNX importer in this build: skipped"; exit 77
fi
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
cfg=$T/../configs/npu-64k.xml

# sqnr_db above 25 dB and the NPU bit-exact with the int8 reference
check_run() {
	"$S" run "$W/small.onnx" --config "$cfg" --json "$@" >"$W/run.json" 2>"$W/err" ||
		{ bad "run $*: exit $?"; cat "$W/err" "$W/run.json"; return; }
	grep -q '"bit_exact":true' "$W/run.json" && ok || bad "run $*: not bit-exact"
	db=$(grep -o '"sqnr_db":[-0-9.]*' "$W/run.json" | cut -d: -f2)
	echo "ptq.sh: run $*: sqnr_db $db"
	awk -v d="$db" 'BEGIN { exit !(d + 0 > 25) }' && ok || bad "run $*: sqnr_db '$db'"
}
check_run
check_run --calib "$W/calib"
check_run --rewrite
"$S" run "$W/small.onnx" --config "$cfg" | grep -q '^SQNR .* dB' && ok || bad "run: no SQNR line"
# an int8 model has no float reference: null
"$S" run zoo:randwire-cifar10 --config "$cfg" --json 2>/dev/null | grep -q '"sqnr_db":null' &&
	ok || bad "zoo run: sqnr_db not null"
# bad calibration input: one line naming the file, exit 1
mkdir -p "$W/bad"
printf '\377\377\377' >"$W/bad/input_0.pb"
"$S" run "$W/small.onnx" --config "$cfg" --calib "$W/bad" >/dev/null 2>"$W/err"
rc=$?
[ $rc -eq 1 ] && grep -q 'bad/input_0.pb: not an ONNX TensorProto' "$W/err" && [ "$(wc -l <"$W/err")" -eq 1 ] &&
	ok || { bad "bad --calib: exit $rc"; cat "$W/err"; }
# NaN or Inf weights, a NaN calibration input: refused before quantization
# converts them to int8, in one line naming the initializer or the file
"$PY" - "$W/small.onnx" "$W" <<'EOF'
import os, sys
import numpy as np, onnx
from onnx import numpy_helper as nh
m = onnx.load(sys.argv[1])
for name, v in (("nan", np.nan), ("inf", -np.inf)):
    w = nh.to_array(m.graph.initializer[0]).copy()
    w.flat[5] = v
    m.graph.initializer[0].CopyFrom(nh.from_array(w, "w1"))
    onnx.save(m, os.path.join(sys.argv[2], name + ".onnx"))
m = onnx.load(sys.argv[1])  # Clip(-1, 6): not fusable, so not run by the NPU
lo = [i for i in m.graph.initializer if i.name == "lo"][0]
lo.CopyFrom(nh.from_array(np.array(-1, np.float32), "lo"))
onnx.save(m, os.path.join(sys.argv[2], "clip.onnx"))
x = np.full((1, 3, 16, 16), 0.5, np.float32)
x.flat[7] = np.nan
os.makedirs(os.path.join(sys.argv[2], "nancalib"))
with open(os.path.join(sys.argv[2], "nancalib", "input_0.pb"), "wb") as f:
    f.write(nh.from_array(x).SerializeToString())
EOF
refused() { # refused WANT ARGS...: exit 1, one line holding WANT
	want=$1; shift
	"$S" run "$@" --config "$cfg" >/dev/null 2>"$W/err"
	rc=$?
	[ $rc -eq 1 ] && grep -qF "$want" "$W/err" && [ "$(wc -l <"$W/err")" -eq 1 ] &&
		ok || { bad "run $*: exit $rc, wanted '$want'"; cat "$W/err"; }
}
refused "nan.onnx: node c1 (Conv): weights 'w1': element 5 is NaN" "$W/nan.onnx"
refused "inf.onnx: node c1 (Conv): weights 'w1': element 5 is Inf" "$W/inf.onnx"
refused "nancalib/input_0.pb: element 7 is NaN" "$W/small.onnx" --calib "$W/nancalib"
refused "clip.onnx: the NPU cannot run: Clip (r1)" "$W/clip.onnx"
echo "ptq.sh: $pass passed, $fail failed"
[ $fail -eq 0 ]
