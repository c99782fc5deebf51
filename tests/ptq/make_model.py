# make_model.py OUT.onnx CALIBDIR: a small float CNN for the post-training
# quantization test (tests/ptq.sh) and calibration inputs for it: conv,
# Clip(0, 6) to fuse, conv, a residual add of two scales, a concat with a
# maxpool (one shared scale), 1x1 conv, ReLU, global pooling and Gemm.
# Seeded, so the same file every time.
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

out, calib = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(1)


def init(name, a):
    return nh.from_array(np.asarray(a, dtype=np.float32), name)


inits = [
    init("w1", rng.normal(0, 1 / np.sqrt(27), (8, 3, 3, 3))), init("b1", rng.normal(0, .1, 8)),
    init("w2", rng.normal(0, 3 / np.sqrt(72), (8, 8, 3, 3))), init("b2", rng.normal(0, .1, 8)),
    init("w3", rng.normal(0, 1 / np.sqrt(16), (8, 16, 1, 1))), init("b3", rng.normal(0, .1, 8)),
    init("wf", rng.normal(0, 1 / np.sqrt(8), (4, 8))), init("bf", rng.normal(0, .1, 4)),
    init("lo", 0), init("hi", 6),
]
nodes = [
    h.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="c1", pads=[1, 1, 1, 1]),
    h.make_node("Clip", ["c1", "lo", "hi"], ["r1"], name="r1"),
    h.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="c2", pads=[1, 1, 1, 1]),
    h.make_node("Add", ["r1", "c2"], ["s"], name="s"),
    h.make_node("MaxPool", ["r1"], ["mp"], name="mp", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
    h.make_node("Concat", ["s", "mp"], ["cat"], name="cat", axis=1),
    h.make_node("Conv", ["cat", "w3", "b3"], ["c3"], name="c3"),
    h.make_node("Relu", ["c3"], ["r3"], name="r3"),
    h.make_node("GlobalAveragePool", ["r3"], ["gp"], name="gp"),
    h.make_node("Flatten", ["gp"], ["fl"], name="fl"),
    h.make_node("Gemm", ["fl", "wf", "bf"], ["y"], name="fc", transB=1),
]
g = h.make_graph(nodes, "ptq_small", [h.make_tensor_value_info("x", T.FLOAT, [1, 3, 16, 16])],
                 [h.make_tensor_value_info("y", T.FLOAT, [1, 4])], inits)
m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)])
onnx.checker.check_model(m)
onnx.save(m, out)
for k in range(4):
    d = os.path.join(calib, "test_data_set_%d" % k)
    os.makedirs(d, exist_ok=True)
    x = rng.uniform(-1, 1, (1, 3, 16, 16)).astype(np.float32)
    with open(os.path.join(d, "input_0.pb"), "wb") as f:
        f.write(nh.from_array(x, "x").SerializeToString())
