"""make_models.py OUTDIR: small ONNX models written with python3-onnx (its
helper, numpy_helper and shape inference), as exporters write them: a CNN
with BN and PyTorch's x.view(x.size(0), -1) chain, a ShuffleNet unit, a
MobileNetV3-like block (SE, HardSwish, Clip, Pad, Slice, Swish), a
DenseNet-like block with an op outside the list (Softmax), opset-9
attribute forms; and models as exporters write them (issue 14): no
value_info at all, VGG-like fc weights from ConstantOfShape, a symbolic
batch dim, float16 weights, QDQ int8 weights.  Used by tests/onnx.sh."""
import os, sys
import numpy as np, onnx
out = sys.argv[1]
from onnx import helper as h, numpy_helper as nh, TensorProto as T, shape_inference
rng = np.random.default_rng(0)
def W(name, *shape): return nh.from_array(rng.standard_normal(shape).astype(np.float32), name)
def I(name, vals): return nh.from_array(np.array(vals, dtype=np.int64), name)
def save(nodes, inits, inp, out, path, opset=13, infer=True):
    g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, inp)],
                     [h.make_tensor_value_info(o, T.FLOAT, None) for o in out], inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)])
    if infer: m = shape_inference.infer_shapes(m)
    onnx.save(m, path)

# 1. small CNN: conv-bn-relu, maxpool, conv-bn-relu, gap, flatten, gemm; pytorch view chain
nodes = [
 h.make_node("Conv", ["x","w1","b1"], ["c1"], name="conv1", pads=[1,1,1,1], strides=[2,2]),
 h.make_node("BatchNormalization", ["c1","g1","be1","m1","v1"], ["bn1"], name="bn1"),
 h.make_node("Relu", ["bn1"], ["r1"], name="relu1"),
 h.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[3,3], strides=[2,2], pads=[1,1,1,1]),
 h.make_node("Conv", ["p1","w2"], ["c2"], name="conv2", group=2, auto_pad="SAME_UPPER", kernel_shape=[3,3]),
 h.make_node("Relu", ["c2"], ["r2"], name="relu2"),
 h.make_node("GlobalAveragePool", ["r2"], ["gap"], name="gap"),
 h.make_node("Shape", ["gap"], ["sh"], name="shape"),
 h.make_node("Constant", [], ["zero"], name="const0", value=nh.from_array(np.array(0, dtype=np.int64))),
 h.make_node("Gather", ["sh","zero"], ["n"], name="gather", axis=0),
 h.make_node("Unsqueeze", ["n","ax0"], ["n1"], name="unsq"),
 h.make_node("Concat", ["n1","minus1"], ["newshape"], name="cat_shape", axis=0),
 h.make_node("Reshape", ["gap","newshape"], ["flat"], name="view"),
 h.make_node("Gemm", ["flat","wf","bf"], ["y"], name="fc", transB=1),
]
inits = [W("w1",16,3,3,3), W("b1",16), W("g1",16), W("be1",16), W("m1",16),
         nh.from_array(np.abs(rng.standard_normal(16)).astype(np.float32)+0.1, "v1"),
         W("w2",32,8,3,3), I("ax0",[0]), I("minus1",[-1]), W("wf",10,32), W("bf",10)]
save(nodes, inits, [1,3,32,32], ["y"], os.path.join(out, "cnn.onnx"))

# 2. shufflenet unit: split, conv, concat, channel shuffle
nodes = [
 h.make_node("Split", ["x","sp"], ["a","b"], name="split", axis=1),
 h.make_node("Conv", ["b","w"], ["bc"], name="convb", kernel_shape=[1,1]),
 h.make_node("Relu", ["bc"], ["br"], name="relub"),
 h.make_node("Concat", ["a","br"], ["cat"], name="cat", axis=1),
 h.make_node("Reshape", ["cat","s5"], ["r5"], name="r5"),
 h.make_node("Transpose", ["r5"], ["t5"], name="tr", perm=[0,2,1,3,4]),
 h.make_node("Reshape", ["t5","s4"], ["y"], name="r4"),
]
inits = [I("sp",[8,8]), W("w",8,8,1,1), I("s5",[1,2,8,8,8]), I("s4",[1,16,8,8])]
save(nodes, inits, [1,16,8,8], ["y"], os.path.join(out, "shuffle.onnx"))

# 3. SE block + hardswish + clip + pad + slice + reducemean
nodes = [
 h.make_node("Conv", ["x","w"], ["c"], name="conv", kernel_shape=[3,3], pads=[1,1,1,1]),
 h.make_node("HardSwish", ["c"], ["hs"], name="hs"),
 h.make_node("ReduceMean", ["hs"], ["se0"], name="squeeze", axes=[2,3], keepdims=1),
 h.make_node("Conv", ["se0","w1"], ["se1"], name="se_fc1", kernel_shape=[1,1]),
 h.make_node("Relu", ["se1"], ["se2"], name="se_relu"),
 h.make_node("Conv", ["se2","w2"], ["se3"], name="se_fc2", kernel_shape=[1,1]),
 h.make_node("HardSigmoid", ["se3"], ["se4"], name="se_gate"),
 h.make_node("Mul", ["hs","se4"], ["m"], name="excite"),
 h.make_node("Clip", ["m","lo","hi"], ["cl"], name="clip"),
 h.make_node("Pad", ["cl","pads"], ["pd"], name="pad"),
 h.make_node("Slice", ["pd","st","en","axs"], ["sl"], name="slice"),
 h.make_node("Sigmoid", ["sl"], ["sg"], name="sig"),
 h.make_node("Mul", ["sl","sg"], ["sw"], name="swish"),
 h.make_node("Mul", ["sw","chs"], ["sc"], name="chscale"),
 h.make_node("LeakyRelu", ["sc"], ["y"], name="leaky", alpha=0.1),
]
inits = [W("w",16,8,3,3), W("w1",4,16,1,1), W("w2",16,4,1,1),
         nh.from_array(np.array(0,dtype=np.float32),"lo"), nh.from_array(np.array(6,dtype=np.float32),"hi"),
         I("pads",[0,0,1,2,0,0,3,4]), I("st",[1]), I("en",[-1]), I("axs",[2]), W("chs",16,1,1)]
save(nodes, inits, [1,8,16,16], ["y"], os.path.join(out, "se.onnx"))

# 4. densenet-ish: concat then BN then relu then conv; Sum; Flatten; MatMul; unsupported Softmax
nodes = [
 h.make_node("Conv", ["x","w0"], ["c0"], name="c0", kernel_shape=[3,3], pads=[1,1,1,1]),
 h.make_node("Concat", ["x","c0"], ["cat"], name="cat", axis=1),
 h.make_node("BatchNormalization", ["cat","g","b","m","v"], ["bn"], name="bn"),
 h.make_node("Relu", ["bn"], ["r"], name="relu"),
 h.make_node("Conv", ["r","w1"], ["c1"], name="c1", kernel_shape=[1,1]),
 h.make_node("Sum", ["c1","c0","c0"], ["s"], name="sum"),
 h.make_node("AveragePool", ["s"], ["ap"], name="ap", kernel_shape=[2,2], strides=[2,2]),
 h.make_node("Flatten", ["ap"], ["fl"], name="flat"),
 h.make_node("MatMul", ["fl","wm"], ["mm"], name="mm"),
 h.make_node("Softmax", ["mm"], ["y"], name="softmax", axis=1),
]
inits = [W("w0",8,4,3,3), W("g",12), W("b",12), W("m",12),
         nh.from_array(np.ones(12,np.float32),"v"), W("w1",8,12,1,1), W("wm",8*4*4,10)]
save(nodes, inits, [1,4,8,8], ["y"], os.path.join(out, "dense.onnx"))
# same, opset 9 (Pad/Clip/Split/Slice attributes)
nodes = [
 h.make_node("Split", ["x"], ["a","b"], name="split", axis=1, split=[4,4]),
 h.make_node("Clip", ["a"], ["ca"], name="clip", min=0.0, max=6.0),
 h.make_node("Pad", ["b"], ["pb"], name="pad", pads=[0,0,1,1,0,0,1,1]),
 h.make_node("Slice", ["pb"], ["sb"], name="slice", starts=[1], ends=[9], axes=[2]),
 h.make_node("Slice", ["sb"], ["tb"], name="slice2", starts=[1], ends=[9], axes=[3]),
 h.make_node("Add", ["ca","tb"], ["y"], name="add"),
 h.make_node("ReduceMean", ["y"], ["z"], name="rm", axes=[2,3], keepdims=0),
]
g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, [1,8,8,8])],
                 [h.make_tensor_value_info("z", T.FLOAT, None)], [])
m = shape_inference.infer_shapes(h.make_model(g, opset_imports=[h.make_opsetid("", 9)]))
onnx.save(m, os.path.join(out, "op9.onnx"))

# 6. Inception-v1-like, as exporters write it: no value_info at all (LRN, Softmax)
def C(name, v): return h.make_node("Constant", [], [name], value=nh.from_array(np.array(v, dtype=np.int64)))
nodes = [
 h.make_node("Conv", ["x","w1","b1"], ["c1"], name="conv1", pads=[1,1,1,1]),
 h.make_node("Relu", ["c1"], ["r1"], name="relu1"),
 h.make_node("LRN", ["r1"], ["n1"], name="norm1", size=5, alpha=1e-4, beta=0.75),
 h.make_node("MaxPool", ["n1"], ["p1"], name="pool1", kernel_shape=[3,3], strides=[2,2], ceil_mode=1),
 h.make_node("Conv", ["p1","w2"], ["a"], name="branch_a", kernel_shape=[1,1]),
 h.make_node("Conv", ["p1","w3"], ["b"], name="branch_b", kernel_shape=[3,3], pads=[1,1,1,1]),
 h.make_node("Concat", ["a","b"], ["cat"], name="cat", axis=1),
 h.make_node("GlobalAveragePool", ["cat"], ["g"], name="gap"),
 h.make_node("Flatten", ["g"], ["f"], name="flat"),
 h.make_node("Gemm", ["f","wf","bf"], ["fc"], name="fc", transB=1),
 h.make_node("Softmax", ["fc"], ["y"], name="prob", axis=1),
]
inits = [W("w1",8,3,3,3), W("b1",8), W("w2",4,8,1,1), W("w3",4,8,3,3), W("wf",10,8), W("bf",10)]
save(nodes, inits, [1,3,16,16], ["y"], os.path.join(out, "novi.onnx"), infer=False)

# 7. VGG-19's classifier as ONNX's own vgg19 ships it: fc weights from
# ConstantOfShape, 25088 x 4096 of them (400 MB were they made), opset 9
def cos(name, dims, v):
    return [C(name + "_shape", dims),
            h.make_node("ConstantOfShape", [name + "_shape"], [name], name=name,
                        value=nh.from_array(np.array([v], dtype=np.float32)))]
def vgg(path, c, hw, f, classes):
    nodes = cos("conv1_w_0", [c,3,3,3], 0.01) + [
     h.make_node("Conv", ["x","conv1_w_0"], ["c1"], name="conv1", pads=[1,1,1,1]),
     h.make_node("Relu", ["c1"], ["r1"], name="relu1"),
     h.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2,2], strides=[2,2]),
     h.make_node("Flatten", ["p1"], ["fl"], name="flatten")]
    nodes += cos("fc6_w_0", [f, c*(hw//2)**2], 0.001) + cos("fc6_b_0", [f], 0.0) + [
     h.make_node("Gemm", ["fl","fc6_w_0","fc6_b_0"], ["fc6"], name="fc6", transB=1),
     h.make_node("Relu", ["fc6"], ["r6"], name="relu6"),
     h.make_node("Dropout", ["r6"], ["d6"], name="drop6")]
    nodes += cos("fc7_w_0", [f, f], 0.002) + [
     h.make_node("Gemm", ["d6","fc7_w_0"], ["fc7"], name="fc7", transB=1),
     h.make_node("Relu", ["fc7"], ["r7"], name="relu7")]
    nodes += cos("fc8_w_0", [classes, f], -0.001) + [
     h.make_node("Gemm", ["r7","fc8_w_0"], ["y"], name="fc8", transB=1)]
    save(nodes, [], [1,3,hw,hw], ["y"], path, opset=9, infer=False)
vgg(os.path.join(out, "vgg19-fc.onnx"), 512, 14, 4096, 1000)
vgg(os.path.join(out, "vgg-small.onnx"), 8, 8, 32, 10)

# 8. a symbolic batch dim, as torch.onnx.export's dynamic_axes writes it
nodes = [h.make_node("Conv", ["input","w"], ["c"], name="conv", pads=[1,1,1,1]),
         h.make_node("Relu", ["c"], ["output"], name="relu")]
g = h.make_graph(nodes, "g", [h.make_tensor_value_info("input", T.FLOAT, ["batch_size",3,8,8])],
                 [h.make_tensor_value_info("output", T.FLOAT, ["batch_size",4,8,8])], [W("w",4,3,3,3)])
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]), os.path.join(out, "batch.onnx"))

# 9. float16 weights; QDQ int8 weights (DequantizeLinear per output channel)
def small_cnn(path, w1, w2, extra):
    nodes = extra + [
     h.make_node("Conv", ["x","w1"], ["c1"], name="conv1", pads=[1,1,1,1]),
     h.make_node("Relu", ["c1"], ["r1"], name="relu1"),
     h.make_node("GlobalAveragePool", ["r1"], ["g"], name="gap"),
     h.make_node("Flatten", ["g"], ["f"], name="flat"),
     h.make_node("Gemm", ["f","w2"], ["y"], name="fc", transB=1)]
    save(nodes, [w1, w2], [1,3,8,8], ["y"], path, infer=False)
small_cnn(os.path.join(out, "fp16.onnx"),
          nh.from_array(rng.standard_normal((8,3,3,3)).astype(np.float16), "w1"),
          nh.from_array(rng.standard_normal((10,8)).astype(np.float16), "w2"), [])
q1 = rng.integers(-127, 128, (8,3,3,3)).astype(np.int8)
small_cnn(os.path.join(out, "qdq.onnx"), nh.from_array(q1, "w1q"), W("w2",10,8), [
 h.make_node("DequantizeLinear", ["w1q","s1","z1"], ["w1"], name="w1_dq", axis=0)])
m = onnx.load(os.path.join(out, "qdq.onnx"))
m.graph.initializer.extend([nh.from_array(np.full(8, 0.01, np.float32), "s1"),
                            nh.from_array(np.zeros(8, np.int8), "z1")])
onnx.save(m, os.path.join(out, "qdq.onnx"))
