#!/bin/sh
# onnx_nets.sh: real networks from ONNX files, end to end.
# Usage: onnx_nets.sh SERENITY [MODELDIR]
# Writes the networks of tests/onnx/make_models.py (ResNet, MobileNet,
# GoogLeNet, Inception, DenseNet, SqueezeNet, ShuffleNet, EfficientNet,
# RegNet at their published shapes, and their reduced "-tiny" variants)
# into MODELDIR (a temporary directory unless given), then:
#  - schedules every one with --scheduler file and dp, --json, and has
#    tests/onnx/peak.py recompute the order's validity, peak, lower bound
#    and op count from the ONNX file alone; dp is never above file;
#  - recomputes likewise the schedules of ONNX's node tests that serenity
#    accepts (libonnx-testdata);
#  - runs the reduced ones on fsim (configs/npu-256k.xml): those made only of
#    ops the NPU runs must be bit-exact; the others must either be bit-exact
#    or be refused with one line naming what the NPU cannot run.
S=$1
D=$(cd "$(dirname "$0")" && pwd)
[ -n "$S" ] || { echo "usage: onnx_nets.sh SERENITY [MODELDIR]" >&2; exit 2; }
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
M=${2:-$W/models}
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Reduced networks made only of Conv, BatchNormalization, Relu, pooling,
# Add, Concat, Flatten/view, Dropout and Gemm: the NPU runs all of them.
NPU_NETS="resnet18-tiny resnet50-tiny googlenet-tiny densenet-tiny squeezenet1.1-tiny regnetx-tiny"

nice "$PY" "$D/onnx/make_models.py" "$M" || { echo "FAIL: make_models.py"; exit 1; }
# The networks have their published MACs and parameters.
"$PY" "$D/onnx/make_models.py" --check --full && ok || bad "make_models.py --check"
# The generator is deterministic: the same bytes again.
"$PY" "$D/onnx/make_models.py" --only squeezenet1.1-tiny,shufflenetv2-tiny "$W/again" &&
	cmp -s "$M/squeezenet1.1-tiny.onnx" "$W/again/squeezenet1.1-tiny.onnx" &&
	cmp -s "$M/shufflenetv2-tiny.onnx" "$W/again/shufflenetv2-tiny.onnx" && ok ||
	bad "make_models.py wrote other bytes the second time"

for f in "$M"/*.onnx; do
	net=$(basename "$f" .onnx)
	for sched in file dp; do
		if ! "$S" schedule "$f" --scheduler $sched --time-limit 60 --json \
				>"$W/$net.$sched.json" 2>"$W/err"; then
			bad "schedule $net $sched: $(cat "$W/err")"
			continue
		fi
		if "$PY" "$D/onnx/peak.py" "$f" "$W/$net.$sched.json" >"$W/peak" 2>"$W/err"; then
			ok
		else
			bad "$net $sched: $(cat "$W/err")"
		fi
	done
	fp=$(grep -o '"peak_bytes":[0-9]*' "$W/$net.file.json" 2>/dev/null | cut -d: -f2)
	dp=$(grep -o '"peak_bytes":[0-9]*' "$W/$net.dp.json" 2>/dev/null | cut -d: -f2)
	if [ -n "$fp" ] && [ -n "$dp" ]; then
		[ "$dp" -le "$fp" ] && ok || bad "$net: dp peak $dp above file order's $fp"
	fi
done

for f in "$M"/*-tiny.onnx; do
	net=$(basename "$f" .onnx)
	"$S" run "$f" --config "$D/../configs/npu-256k.xml" --sim fsim --json \
		>"$W/run.json" 2>"$W/err"
	rc=$?
	case " $NPU_NETS " in
	*" $net "*)
		if [ $rc -eq 0 ] && grep -q '"bit_exact":true' "$W/run.json"; then
			ok
		else
			bad "run $net on fsim (exit $rc): $(cat "$W/err" "$W/run.json")"
		fi ;;
	*)
		if [ $rc -eq 0 ] && grep -q '"bit_exact":true' "$W/run.json"; then
			ok
		elif [ $rc -eq 1 ] && grep -q "cannot run" "$W/err" &&
				[ "$(wc -l <"$W/err")" -eq 1 ]; then
			ok
		else
			bad "run $net on fsim (exit $rc): $(cat "$W/err" "$W/run.json")"
		fi ;;
	esac
done

# ONNX's own node tests (libonnx-testdata): every model serenity schedules,
# its peak recomputed by peak.py (one run over all of them).
N=/usr/include/onnx/backend/test/data/node
if [ -d "$N" ]; then
	mkdir "$W/node"
	for d in "$N"/*/; do
		t=$(basename "$d")
		"$S" schedule "$d/model.onnx" --json >"$W/node/$t.json" 2>/dev/null &&
			echo "$d/model.onnx $W/node/$t.json"
	done >"$W/all"
	# peak.py does not know which reader of a value takes the importer's
	# 4-D layout copy of it (an op named VALUE.reshape): those are left out
	# (4 loss functions' expanded bodies today), and counted
	while read -r m j; do
		grep -q '\.reshape"' "$j" || echo "$m $j"
	done <"$W/all" >"$W/pairs"
	echo "onnx_nets: node tests: $(wc -l <"$W/pairs") checked by peak.py, $(($(wc -l <"$W/all") - $(wc -l <"$W/pairs"))) with layout copies left out"
	n=$(wc -l <"$W/pairs")
	if [ "$n" -lt 100 ]; then
		bad "only $n of ONNX's node tests scheduled"
	elif "$PY" "$D/onnx/peak.py" $(cat "$W/pairs") >/dev/null 2>"$W/err"; then
		ok
	else
		bad "peak.py on ONNX's node tests: $(head -5 "$W/err")"
	fi
fi

# Bad input: a truncated network is refused with one line.
head -c 3000 "$M/squeezenet1.1-tiny.onnx" >"$W/trunc.onnx"
"$S" schedule "$W/trunc.onnx" --json >/dev/null 2>"$W/err"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$W/err")" -eq 1 ] && ok ||
	bad "truncated ONNX: exit $rc, $(cat "$W/err")"
# peak.py itself: a schedule with two ops swapped, one op left out, a peak
# one byte off, or a folded node merged into nothing scheduled is refused.
J=$W/resnet18-tiny.file.json
if [ -s "$J" ]; then
	sed 's/"order":\["\([^"]*\)","\([^"]*\)"/"order":["\2","\1"/' "$J" >"$W/bad1.json"
	sed 's/"order":\["\([^"]*\)","\([^"]*\)",/"order":["\1",/' "$J" >"$W/bad2.json"
	p=$(grep -o '"peak_bytes":[0-9]*' "$J" | cut -d: -f2)
	sed "s/\"peak_bytes\":$p,/\"peak_bytes\":$((p + 1)),/" "$J" >"$W/bad3.json"
	sed 's/\("merged":{"[^"]*":\)"[^"]*"/\1"nowhere"/' "$J" >"$W/bad4.json"
	for k in 1 2 3 4; do
		if cmp -s "$J" "$W/bad$k.json"; then
			bad "peak.py test $k: the schedule did not change"
		elif "$PY" "$D/onnx/peak.py" "$M/resnet18-tiny.onnx" "$W/bad$k.json" \
				>/dev/null 2>"$W/err"; then
			bad "peak.py accepts a broken schedule ($k)"
		else
			[ "$(wc -l <"$W/err")" -eq 1 ] && ok || bad "peak.py: $(cat "$W/err")"
		fi
	done
fi

echo "onnx_nets: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
