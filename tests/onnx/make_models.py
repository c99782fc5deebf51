#!/usr/bin/python3
"""make_models.py: real-architecture ONNX networks, written the way PyTorch's
exporter (torch.onnx.export, eval mode, no constant folding of BN) writes
them, for testing and measuring serenity on real networks without any
download.

Usage: make_models.py [--list] [--markdown] [--check] [--only NAME[,NAME..]]
                      [--reduced|--full] [--body] [OUTDIR]

Every network is built at its published shape (ImageNet 224x224, batch 1;
Inception-v3 299x299) from the papers' and torchvision's definitions, with
random float32 weights from a numpy generator seeded by the network's name,
so the files are reproducible byte for byte.  The graphs carry what the
exporter writes: Conv (bias=False) then BatchNormalization then Relu, not
fused; Flatten or x.view(x.size(0), -1)'s Shape -> Gather -> Unsqueeze ->
Concat -> Reshape; Gemm with transB=1; Dropout; Constant nodes; Clip with
min/max inputs (ReLU6); HardSwish/HardSigmoid; Sigmoid+Mul (Swish, SE);
ReduceMean and GlobalAveragePool; channel shuffle as Reshape -> Transpose ->
Reshape and Split; Concat; Pad (before AveragePool with count_include_pad, as
the exporter writes it, and for TF-style "same" padding).  The opsets are mixed (9, 11, 13, 14, 17) so
that each opset variant of Clip, Pad, Split, Unsqueeze and Dropout appears.

The builder tracks every shape itself (to count MACs and parameters the way
the papers do: one MAC per multiply-add of Conv and Gemm, parameters without
BN running statistics) and checks them against onnx.shape_inference, then
runs onnx.checker.  The written files include the inferred value_info.

The "-tiny" variants are the same architectures scaled down in width and
resolution (and depth for the deep ones): files under 200 KB that the NPU
simulator runs in seconds, for the CI's bit-exact run tests.  --body also
writes each full network without its stem (from the tensor after the stem,
its graph input), where the stem's large activations no
longer hide what the order of the rest can gain.
"""
import argparse
import contextlib
import os
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, checker, helper, numpy_helper, shape_inference


class Net:
	"""A graph under construction, PyTorch-exporter style."""

	def __init__(self, name, opset, res, classes=1000, names="new"):
		self.name = name
		self.opset = opset
		self.classes = classes
		self.rng = np.random.default_rng(zlib.crc32(name.encode()))
		self.nodes = []
		self.inits = []
		self.shape = {"input": (1, 3, res, res)}
		self.macs = 0
		self.params = 0
		# Node names: "new" as torch >= 1.13 ("/layer1/0/conv1/Conv"), "old" as
		# torch 1.5 to 1.12 ("Conv_0"), "none" as torch 1.0 to 1.4 (unnamed).
		self.names = names
		self.scopes = []
		self.used = set()
		self.k = 0
		self.body = None  # the tensor after the stem

	@contextlib.contextmanager
	def scope(self, s):
		self.scopes.append(str(s))
		try:
			yield
		finally:
			self.scopes.pop()

	def _unique(self, n):
		m, i = n, 0
		while m in self.used:
			i += 1
			m = "%s_%d" % (n, i)
		self.used.add(m)
		return m

	def node(self, op, inputs, shapes, **attrs):
		"""Adds a node; shapes are its outputs' shapes; returns the outputs."""
		if self.names == "new":
			name = self._unique("/" + "/".join(self.scopes + [op]))
			outs = ["%s_output_%d" % (name, i) for i in range(len(shapes))]
		else:
			name = "%s_%d" % (op, len(self.nodes))
			outs = []
			for _ in shapes:
				self.k += 1
				outs.append(str(self.k + 100))
		if self.names == "none":
			name = None
		self.nodes.append(helper.make_node(op, inputs, outs, name=name, **attrs))
		for o, s in zip(outs, shapes):
			self.shape[o] = tuple(s)
		return outs

	def init(self, tag, arr, param=True):
		name = self._unique(".".join(self.scopes + [tag]))
		self.inits.append(numpy_helper.from_array(arr, name))
		if param:
			self.params += arr.size
		return name

	def const(self, values, dtype=np.int64):
		arr = np.array(values, dtype=dtype)
		name = self.node("Constant", [], [arr.shape],
				 value=numpy_helper.from_array(arr))[0]
		return name

	def randn(self, shape, std):
		return (self.rng.standard_normal(shape) * std).astype(np.float32)

	# Layers.
	def conv(self, x, cout, k, s=1, p=None, g=1, bias=False, d=1, tag="Conv"):
		n, c, h, w = self.shape[x]
		kh, kw = (k, k) if isinstance(k, int) else k
		if p is None:
			p = (d * (kh - 1) // 2, d * (kw - 1) // 2)
		ph, pw = (p, p) if isinstance(p, int) else p
		oh = (h + 2 * ph - d * (kh - 1) - 1) // s + 1
		ow = (w + 2 * pw - d * (kw - 1) - 1) // s + 1
		wt = self.init("weight", self.randn((cout, c // g, kh, kw),
						    np.sqrt(2.0 / (c // g * kh * kw))))
		ins = [x, wt]
		if bias:
			ins.append(self.init("bias", self.randn((cout,), 0.05)))
		self.macs += cout * oh * ow * (c // g) * kh * kw
		return self.node("Conv", ins, [(n, cout, oh, ow)], dilations=[d, d], group=g,
				 kernel_shape=[kh, kw], pads=[ph, pw, ph, pw], strides=[s, s])[0]

	def bn(self, x):
		c = self.shape[x][1]
		ins = [x, self.init("weight", self.rng.uniform(0.5, 1.5, c).astype(np.float32)),
		       self.init("bias", self.randn((c,), 0.1)),
		       self.init("running_mean", self.randn((c,), 0.1), param=False),
		       self.init("running_var", self.rng.uniform(0.5, 1.5, c).astype(np.float32),
				 param=False)]
		return self.node("BatchNormalization", ins, [self.shape[x]], epsilon=1e-5,
				 momentum=0.9)[0]

	def act(self, op, x, **attrs):
		return self.node(op, [x], [self.shape[x]], **attrs)[0]

	def relu(self, x):
		return self.act("Relu", x)

	def relu6(self, x):
		if self.opset < 11:
			return self.act("Clip", x, min=0.0, max=6.0)
		lo = self.const(0.0, np.float32)
		hi = self.const(6.0, np.float32)
		return self.node("Clip", [x, lo, hi], [self.shape[x]])[0]

	def hardswish(self, x):
		return self.act("HardSwish", x)

	def hardsigmoid(self, x):
		return self.act("HardSigmoid", x, alpha=1.0 / 6, beta=0.5)

	def mul(self, x, y):
		s = max(self.shape[x], self.shape[y], key=lambda t: np.prod(t))
		return self.node("Mul", [x, y], [s])[0]

	def add(self, x, y):
		return self.node("Add", [x, y], [self.shape[x]])[0]

	def swish(self, x):
		return self.mul(x, self.act("Sigmoid", x))

	def cbr(self, x, cout, k, s=1, p=None, g=1, act="relu"):
		"""Conv(bias=False) -> BatchNormalization -> activation."""
		y = self.bn(self.conv(x, cout, k, s, p, g))
		return {"relu": self.relu, "relu6": self.relu6, "hswish": self.hardswish,
			"swish": self.swish, None: lambda t: t}[act](y)

	def pool(self, op, x, k, s, p=0, ceil=False, **attrs):
		n, c, h, w = self.shape[x]
		rnd = (lambda a, b: -(-a // b)) if ceil else (lambda a, b: a // b)
		oh, ow = rnd(h + 2 * p - k, s) + 1, rnd(w + 2 * p - k, s) + 1
		if ceil:
			attrs["ceil_mode"] = 1
		return self.node(op, [x], [(n, c, oh, ow)], kernel_shape=[k, k],
				 pads=[p, p, p, p], strides=[s, s], **attrs)[0]

	def maxpool(self, x, k, s, p=0, ceil=False):
		return self.pool("MaxPool", x, k, s, p, ceil)

	def avgpool(self, x, k, s, p=0, ceil=False):
		if p:  # F.avg_pool2d's count_include_pad=True: the exporter pads first
			x = self.pad(x, p, p, p, p)
		return self.pool("AveragePool", x, k, s, 0, ceil)

	def gap(self, x):
		n, c = self.shape[x][:2]
		return self.node("GlobalAveragePool", [x], [(n, c, 1, 1)])[0]

	def reducemean(self, x, keepdims):
		n, c = self.shape[x][:2]
		s = (n, c, 1, 1) if keepdims else (n, c)
		if self.opset >= 18:
			return self.node("ReduceMean", [x, self.const([2, 3])], [s],
					 keepdims=keepdims)[0]
		return self.node("ReduceMean", [x], [s], axes=[2, 3], keepdims=keepdims)[0]

	def concat(self, xs):
		s = list(self.shape[xs[0]])
		s[1] = sum(self.shape[x][1] for x in xs)
		return self.node("Concat", xs, [s], axis=1)[0]

	def split(self, x, sizes):
		n, c, h, w = self.shape[x]
		shapes = [(n, k, h, w) for k in sizes]
		if self.opset >= 13:
			return self.node("Split", [x, self.const(sizes)], shapes, axis=1)
		return self.node("Split", [x], shapes, axis=1, split=list(sizes))

	def reshape(self, x, shape, out=None):
		return self.node("Reshape", [x, self.const(shape)], [out or shape])[0]

	def transpose(self, x, perm):
		s = self.shape[x]
		return self.node("Transpose", [x], [[s[p] for p in perm]], perm=perm)[0]

	def pad(self, x, t, l, b, r):
		n, c, h, w = self.shape[x]
		pads = [0, 0, t, l, 0, 0, b, r]
		s = (n, c, h + t + b, w + l + r)
		if self.opset >= 11:
			return self.node("Pad", [x, self.const(pads)], [s], mode="constant")[0]
		return self.node("Pad", [x], [s], mode="constant", pads=pads, value=0.0)[0]

	def flatten(self, x):
		s = self.shape[x]
		return self.node("Flatten", [x], [(s[0], int(np.prod(s[1:])))], axis=1)[0]

	def view_flat(self, x):
		"""x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape."""
		s = self.shape[x]
		sh = self.node("Shape", [x], [(len(s),)])[0]
		g = self.node("Gather", [sh, self.const(0)], [()], axis=0)[0]
		if self.opset >= 13:
			u = self.node("Unsqueeze", [g, self.const([0])], [(1,)])[0]
		else:
			u = self.node("Unsqueeze", [g], [(1,)], axes=[0])[0]
		cat = self.node("Concat", [u, self.const([-1])], [(2,)], axis=0)[0]
		return self.node("Reshape", [x, cat], [(s[0], int(np.prod(s[1:])))])[0]

	def dropout(self, x):
		if self.opset >= 12:
			return self.act("Dropout", x)
		return self.act("Dropout", x, ratio=0.2)

	def gemm(self, x, nout):
		n, nin = self.shape[x]
		wt = self.init("weight", self.randn((nout, nin), np.sqrt(1.0 / nin)))
		b = self.init("bias", self.randn((nout,), 0.05))
		self.macs += nin * nout
		return self.node("Gemm", [x, wt, b], [(n, nout)], alpha=1.0, beta=1.0, transB=1)[0]

	def body_model(self, out):
		"""The graph from the tensor after the stem to out."""
		made = {o: nd for nd in self.nodes for o in nd.output}
		keep, todo = set(), [out]
		while todo:
			v = todo.pop()
			if v == self.body or v not in made or id(made[v]) in keep:
				continue
			keep.add(id(made[v]))
			todo.extend(made[v].input)
		nodes = [nd for nd in self.nodes if id(nd) in keep]
		used = {i for nd in nodes for i in nd.input}
		inits = [t for t in self.inits if t.name in used]
		return self.model(out, self.body, nodes, inits, self.name + "-body")

	def model(self, out, inp="input", nodes=None, inits=None, name=None):
		nodes = self.nodes if nodes is None else nodes
		inits = self.inits if inits is None else inits
		vi = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT,
								list(self.shape[name]))
		graph = helper.make_graph(nodes, (name or self.name).replace("-", "_"), [vi(inp)],
					  [vi(out)], initializer=inits)
		m = helper.make_model(graph, producer_name="pytorch", producer_version="1.13.1",
				      opset_imports=[helper.make_opsetid("", self.opset)])
		m.ir_version = 6 if self.opset <= 11 else 8
		checker.check_model(m)
		inf = shape_inference.infer_shapes(m, check_type=True, strict_mode=True, data_prop=True)
		self._check_shapes(inf)
		types = {v.name: v.type.tensor_type.elem_type for v in inf.graph.value_info}
		# As the exporter does, the shapes of every activation in value_info
		# (onnx 1.12 cannot infer through x.view(x.size(0), -1)); inferring
		# again checks them against each other.
		const = {o for n in nodes if n.op_type == "Constant" for o in n.output}
		m.graph.value_info.extend(
			helper.make_tensor_value_info(o, types.get(o, TensorProto.FLOAT),
						      list(self.shape[o]))
			for n in nodes for o in n.output if o not in const and o != out)
		m = shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
		checker.check_model(m)
		return m

	def _check_shapes(self, m):
		"""Our shapes against onnx's; unknown only downstream of a Reshape."""
		known = {v.name: v for v in list(m.graph.value_info) + list(m.graph.output)}
		unknown = set()
		for n in m.graph.node:
			if n.op_type == "Constant":
				continue
			for o in n.output:
				t = known[o].type.tensor_type if o in known else None
				if t is None or not t.HasField("shape") or \
						(len(t.shape.dim) == 0 and len(self.shape[o]) > 0):
					if n.op_type != "Reshape" and not unknown & set(n.input):
						sys.exit("%s: node %s: onnx infers no shape" % (self.name, n.name))
					unknown.add(o)
					continue
				got = tuple(d.dim_value for d in t.shape.dim)
				if got != tuple(self.shape[o]):
					sys.exit("%s: node %s: shape %s, onnx infers %s" %
						 (self.name, n.name, self.shape[o], got))


# ResNet (He et al. 2016; torchvision resnet18/resnet50).
def resnet(b, blocks, bottleneck, width=64, flatten="flatten"):
	x = b.maxpool(b.cbr("input", width, 7, 2, 3), 3, 2, 1)
	b.body = x  # the stem ends here
	cin = width
	for stage, n in enumerate(blocks):
		w = width << stage
		for i in range(n):
			s = 2 if stage > 0 and i == 0 else 1
			cout = w * 4 if bottleneck else w
			with b.scope("layer%d" % (stage + 1)), b.scope(i):
				if bottleneck:
					y = b.cbr(x, w, 1)
					y = b.cbr(y, w, 3, s)
					y = b.bn(b.conv(y, cout, 1))
				else:
					y = b.cbr(x, w, 3, s)
					y = b.bn(b.conv(y, cout, 3))
				if s != 1 or cin != cout:
					with b.scope("downsample"):
						x = b.bn(b.conv(x, cout, 1, s, 0))
				x = b.relu(b.add(y, x))
			cin = cout
	x = b.gap(x)
	x = b.view_flat(x) if flatten == "view" else b.flatten(x)
	return b.gemm(x, b.classes)


# MobileNetV2 (Sandler et al. 2018), width 1.0.
def make_div(v, d=8):
	n = max(d, int(v + d / 2) // d * d)
	return n + d if n < 0.9 * v else n


def mobilenet_v2(b, mult=1.0, cfg=None):
	cfg = cfg or [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
		      (6, 160, 3, 2), (6, 320, 1, 1)]
	cin = make_div(32 * mult)
	with b.scope("features"), b.scope(0):
		x = b.cbr("input", cin, 3, 2, act="relu6")
		b.body = x  # the stem ends here
	idx = 1
	for t, c, n, s in cfg:
		cout = make_div(c * mult)
		for i in range(n):
			with b.scope("features"), b.scope(idx):
				y = x
				if t != 1:
					y = b.cbr(y, cin * t, 1, act="relu6")
				y = b.cbr(y, cin * t, 3, s if i == 0 else 1, g=cin * t, act="relu6")
				y = b.bn(b.conv(y, cout, 1))
				st = s if i == 0 else 1
				x = b.add(x, y) if st == 1 and cin == cout else y
			cin = cout
			idx += 1
	with b.scope("features"), b.scope(idx):
		x = b.cbr(x, make_div(1280 * max(1.0, mult)), 1, act="relu6")
	x = b.flatten(b.gap(x))
	with b.scope("classifier"):
		return b.gemm(b.dropout(x), b.classes)


# MobileNetV3-Small (Howard et al. 2019).
def se_v3(b, x, cin):
	with b.scope("block"), b.scope("se"):
		sq = make_div(cin // 4)
		s = b.gap(x)
		s = b.relu(b.conv(s, sq, 1, bias=True))
		s = b.hardsigmoid(b.conv(s, cin, 1, bias=True))
		return b.mul(s, x)


def mobilenet_v3_small(b, cfg=None, last=1024):
	# k, expanded, out, SE, activation, stride
	cfg = cfg or [(3, 16, 16, 1, "relu", 2), (3, 72, 24, 0, "relu", 2), (3, 88, 24, 0, "relu", 1),
		      (5, 96, 40, 1, "hswish", 2), (5, 240, 40, 1, "hswish", 1),
		      (5, 240, 40, 1, "hswish", 1), (5, 120, 48, 1, "hswish", 1),
		      (5, 144, 48, 1, "hswish", 1), (5, 288, 96, 1, "hswish", 2),
		      (5, 576, 96, 1, "hswish", 1), (5, 576, 96, 1, "hswish", 1)]
	with b.scope("features"), b.scope(0):
		x = b.cbr("input", 16, 3, 2, act="hswish")
		b.body = x  # the stem ends here
	cin = 16
	for i, (k, e, c, se, a, s) in enumerate(cfg):
		with b.scope("features"), b.scope(i + 1):
			y = x
			if e != cin:
				y = b.cbr(y, e, 1, act=a)
			y = b.cbr(y, e, k, s, g=e, act=a)
			if se:
				y = se_v3(b, y, e)
			y = b.bn(b.conv(y, c, 1))
			x = b.add(y, x) if s == 1 and cin == c else y
		cin = c
	with b.scope("features"), b.scope(len(cfg) + 1):
		x = b.cbr(x, 6 * cin, 1, act="hswish")
	x = b.flatten(b.gap(x))
	with b.scope("classifier"):
		x = b.hardswish(b.gemm(x, last))
		return b.gemm(b.dropout(x), b.classes)


# GoogLeNet (Szegedy et al. 2015; torchvision's, eval mode: no auxiliary heads).
def inception_v1(b, x, c1, c3r, c3, c5r, c5, pp):
	with b.scope("branch1"):
		y1 = b.cbr(x, c1, 1)
	with b.scope("branch2"):
		y2 = b.cbr(b.cbr(x, c3r, 1), c3, 3)
	with b.scope("branch3"):  # torchvision's 3x3 where the paper has 5x5
		y3 = b.cbr(b.cbr(x, c5r, 1), c5, 3)
	with b.scope("branch4"):
		y4 = b.cbr(b.maxpool(x, 3, 1, 1, ceil=True), pp, 1)
	return b.concat([y1, y2, y3, y4])


def googlenet(b, div=1):
	d = lambda *cs: [max(1, c // div) for c in cs]
	with b.scope("conv1"):
		x = b.cbr("input", *d(64), 7, 2, 3)
	x = b.maxpool(x, 3, 2, ceil=True)
	with b.scope("conv2"):
		x = b.cbr(x, *d(64), 1)
	with b.scope("conv3"):
		x = b.cbr(x, *d(192), 3)
	x = b.maxpool(x, 3, 2, ceil=True)
	b.body = x  # the stem ends here
	cfg = [("3a", 64, 96, 128, 16, 32, 32), ("3b", 128, 128, 192, 32, 96, 64), "pool",
	       ("4a", 192, 96, 208, 16, 48, 64), ("4b", 160, 112, 224, 24, 64, 64),
	       ("4c", 128, 128, 256, 24, 64, 64), ("4d", 112, 144, 288, 32, 64, 64),
	       ("4e", 256, 160, 320, 32, 128, 128), "pool2",
	       ("5a", 256, 160, 320, 32, 128, 128), ("5b", 384, 192, 384, 48, 128, 128)]
	for c in cfg:
		if c == "pool":
			x = b.maxpool(x, 3, 2, ceil=True)
		elif c == "pool2":
			x = b.maxpool(x, 2, 2, ceil=True)
		else:
			with b.scope("inception" + c[0]):
				x = inception_v1(b, x, *d(*c[1:]))
	x = b.view_flat(b.gap(x))
	return b.gemm(b.dropout(x), b.classes)


# Inception-v3 (Szegedy et al. 2016; torchvision's, transform_input=False, no aux head).
def inception_v3(b, div=1, reduced=False):
	d = lambda c: max(1, c // div)
	cbr = lambda x, c, k, s=1, p=0: b.cbr(x, d(c), k, s, p)

	def block_a(x, pf):
		with b.scope("branch1x1"):
			y1 = cbr(x, 64, 1)
		with b.scope("branch5x5"):
			y2 = cbr(cbr(x, 48, 1), 64, 5, p=2)
		with b.scope("branch3x3dbl"):
			y3 = cbr(cbr(cbr(x, 64, 1), 96, 3, p=1), 96, 3, p=1)
		with b.scope("branch_pool"):
			y4 = cbr(b.avgpool(x, 3, 1, 1), pf, 1)
		return b.concat([y1, y2, y3, y4])

	def block_b(x):
		with b.scope("branch3x3"):
			y1 = cbr(x, 384, 3, 2)
		with b.scope("branch3x3dbl"):
			y2 = cbr(cbr(cbr(x, 64, 1), 96, 3, p=1), 96, 3, 2)
		return b.concat([y1, y2, b.maxpool(x, 3, 2)])

	def block_c(x, c7):
		with b.scope("branch1x1"):
			y1 = cbr(x, 192, 1)
		with b.scope("branch7x7"):
			y2 = cbr(cbr(cbr(x, c7, 1), c7, (1, 7), p=(0, 3)), 192, (7, 1), p=(3, 0))
		with b.scope("branch7x7dbl"):
			y3 = cbr(x, c7, 1)
			y3 = cbr(cbr(y3, c7, (7, 1), p=(3, 0)), c7, (1, 7), p=(0, 3))
			y3 = cbr(cbr(y3, c7, (7, 1), p=(3, 0)), 192, (1, 7), p=(0, 3))
		with b.scope("branch_pool"):
			y4 = cbr(b.avgpool(x, 3, 1, 1), 192, 1)
		return b.concat([y1, y2, y3, y4])

	def block_d(x):
		with b.scope("branch3x3"):
			y1 = cbr(cbr(x, 192, 1), 320, 3, 2)
		with b.scope("branch7x7x3"):
			y2 = cbr(cbr(x, 192, 1), 192, (1, 7), p=(0, 3))
			y2 = cbr(cbr(y2, 192, (7, 1), p=(3, 0)), 192, 3, 2)
		return b.concat([y1, y2, b.maxpool(x, 3, 2)])

	def block_e(x):
		with b.scope("branch1x1"):
			y1 = cbr(x, 320, 1)
		with b.scope("branch3x3"):
			t = cbr(x, 384, 1)
			y2 = b.concat([cbr(t, 384, (1, 3), p=(0, 1)), cbr(t, 384, (3, 1), p=(1, 0))])
		with b.scope("branch3x3dbl"):
			t = cbr(cbr(x, 448, 1), 384, 3, p=1)
			y3 = b.concat([cbr(t, 384, (1, 3), p=(0, 1)), cbr(t, 384, (3, 1), p=(1, 0))])
		with b.scope("branch_pool"):
			y4 = cbr(b.avgpool(x, 3, 1, 1), 192, 1)
		return b.concat([y1, y2, y3, y4])

	x = cbr("input", 32, 3, 2)
	x = cbr(x, 32, 3)
	x = cbr(x, 64, 3, p=1)
	x = b.maxpool(x, 3, 2)
	x = cbr(x, 80, 1)
	x = cbr(x, 192, 3)
	x = b.maxpool(x, 3, 2)
	b.body = x  # the stem ends here
	seq = [("Mixed_5b", block_a, 32), ("Mixed_5c", block_a, 64), ("Mixed_5d", block_a, 64),
	       ("Mixed_6a", block_b), ("Mixed_6b", block_c, 128), ("Mixed_6c", block_c, 160),
	       ("Mixed_6d", block_c, 160), ("Mixed_6e", block_c, 192), ("Mixed_7a", block_d),
	       ("Mixed_7b", block_e), ("Mixed_7c", block_e)]
	if reduced:
		seq = [s for s in seq if s[0] in ("Mixed_5b", "Mixed_6a", "Mixed_6b",
						  "Mixed_7a", "Mixed_7b")]
	for name, f, *a in seq:
		with b.scope(name):
			x = f(x, *a)
	x = b.flatten(b.dropout(b.gap(x)))
	with b.scope("fc"):
		return b.gemm(x, b.classes)


# DenseNet-121 (Huang et al. 2017): BN -> ReLU -> Conv, a Concat per layer.
def densenet(b, blocks=(6, 12, 24, 16), growth=32, init=64, bn_size=4):
	with b.scope("features"):
		x = b.cbr("input", init, 7, 2, 3)
		x = b.maxpool(x, 3, 2, 1)
		b.body = x  # the stem ends here
	c = init
	for i, n in enumerate(blocks):
		feats = [x]
		for j in range(n):
			with b.scope("features"), b.scope("denseblock%d" % (i + 1)), \
					b.scope("denselayer%d" % (j + 1)):
				y = b.concat(feats) if len(feats) > 1 else feats[0]
				y = b.conv(b.relu(b.bn(y)), bn_size * growth, 1)
				y = b.conv(b.relu(b.bn(y)), growth, 3)
			feats.append(y)
		x = b.concat(feats)
		c += n * growth
		if i < len(blocks) - 1:
			with b.scope("features"), b.scope("transition%d" % (i + 1)):
				c //= 2
				x = b.avgpool(b.conv(b.relu(b.bn(x)), c, 1), 2, 2)
	with b.scope("features"):
		x = b.relu(b.bn(x))
	x = b.flatten(b.gap(x))
	with b.scope("classifier"):
		return b.gemm(x, b.classes)


# SqueezeNet 1.1 (Iandola et al. 2016): convolutions with bias, no BN.
def squeezenet(b, div=1):
	d = lambda c: max(1, c // div)

	def fire(x, s, e1, e3):
		sq = b.relu(b.conv(x, d(s), 1, bias=True))
		return b.concat([b.relu(b.conv(sq, d(e1), 1, bias=True)),
				 b.relu(b.conv(sq, d(e3), 3, bias=True))])

	x = b.relu(b.conv("input", d(64), 3, 2, 0, bias=True))
	x = b.maxpool(x, 3, 2, ceil=True)
	b.body = x  # the stem ends here
	x = fire(fire(x, 16, 64, 64), 16, 64, 64)
	x = b.maxpool(x, 3, 2, ceil=True)
	x = fire(fire(x, 32, 128, 128), 32, 128, 128)
	x = b.maxpool(x, 3, 2, ceil=True)
	for s, e in [(48, 192), (48, 192), (64, 256), (64, 256)]:
		x = fire(x, s, e, e)
	x = b.dropout(x)
	x = b.relu(b.conv(x, b.classes, 1, bias=True))
	return b.flatten(b.gap(x))


# ShuffleNetV2 x1.0 (Ma et al. 2018): Split, channel shuffle, ReduceMean head.
def shufflenet_v2(b, stages=(4, 8, 4), widths=(24, 116, 232, 464, 1024)):
	def shuffle(x):
		n, c, h, w = b.shape[x]
		y = b.reshape(x, (n, 2, c // 2, h, w))
		y = b.transpose(y, [0, 2, 1, 3, 4])
		return b.reshape(y, (n, -1, h, w), (n, c, h, w))

	def unit(x, cout, s):
		half = cout // 2
		if s == 1:
			x1, x2 = b.split(x, [b.shape[x][1] // 2] * 2)
		else:
			x1 = x2 = x
			with b.scope("branch1"):
				x1 = b.bn(b.conv(x1, b.shape[x][1], 3, s, g=b.shape[x][1]))
				x1 = b.cbr(x1, half, 1)
		with b.scope("branch2"):
			y = b.cbr(x2, half, 1)
			y = b.bn(b.conv(y, half, 3, s, g=half))
			y = b.cbr(y, half, 1)
		return shuffle(b.concat([x1, y]))

	with b.scope("conv1"):
		x = b.cbr("input", widths[0], 3, 2)
	x = b.maxpool(x, 3, 2, 1)
	b.body = x  # the stem ends here
	for i, n in enumerate(stages):
		for j in range(n):
			with b.scope("stage%d" % (i + 2)), b.scope(j):
				x = unit(x, widths[i + 1], 2 if j == 0 else 1)
	with b.scope("conv5"):
		x = b.cbr(x, widths[-1], 1)
	x = b.reducemean(x, keepdims=0)
	with b.scope("fc"):
		return b.gemm(x, b.classes)


# EfficientNet-B0 (Tan and Le 2019), TF "same" padding as timm's tf_efficientnet_b0
# exports it: an explicit Pad before each stride-2 convolution.
def efficientnet_b0(b, cfg=None, head=1280):
	cfg = cfg or [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
		      (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]

	def same(x, k, s):
		if s == 1:
			return x, (k - 1) // 2
		h = b.shape[x][2]
		tot = max((-(-h // s) - 1) * s + k - h, 0)
		return b.pad(x, tot // 2, tot // 2, tot - tot // 2, tot - tot // 2), 0

	with b.scope("conv_stem"):
		x, p = same("input", 3, 2)
		x = b.swish(b.bn(b.conv(x, 32, 3, 2, p)))
		b.body = x  # the stem ends here
	cin = 32
	for i, (e, k, s, c, n) in enumerate(cfg):
		for j in range(n):
			st = s if j == 0 else 1
			with b.scope("blocks"), b.scope(i), b.scope(j):
				y = x
				if e != 1:
					y = b.cbr(y, cin * e, 1, act="swish")
				y, p = same(y, k, st)
				y = b.swish(b.bn(b.conv(y, cin * e, k, st, p, g=cin * e)))
				with b.scope("se"):
					sq = b.gap(y)
					sq = b.swish(b.conv(sq, max(1, cin // 4), 1, bias=True))
					sq = b.act("Sigmoid", b.conv(sq, cin * e, 1, bias=True))
					y = b.mul(sq, y)
				y = b.bn(b.conv(y, c, 1))
				x = b.add(y, x) if st == 1 and cin == c else y
			cin = c
	with b.scope("conv_head"):
		x = b.cbr(x, head, 1, act="swish")
	x = b.flatten(b.gap(x))
	with b.scope("classifier"):
		return b.gemm(b.dropout(x), b.classes)


# RegNetX/Y-400MF (Radosavovic et al. 2020), torchvision's parametrisation.
def regnet_params(depth, w0, wa, wm, gw):
	wc = np.arange(depth) * wa + w0
	cap = np.round(np.log(wc / w0) / np.log(wm))
	bw = (np.round(np.divide(w0 * np.power(wm, cap), 8)) * 8).astype(int).tolist()
	split = [w != wp for w, wp in zip(bw + [0], [0] + bw)]
	widths = [w for w, t in zip(bw, split[:-1]) if t]
	depths = np.diff([d for d, t in enumerate(split) if t]).tolist()
	gws = [min(gw, w) for w in widths]
	widths = [make_div(w, g) for w, g in zip(widths, gws)]
	return widths, depths, gws


def regnet(b, depth, w0, wa, wm, gw, se=0.0, stem=32, max_stages=4):
	widths, depths, gws = regnet_params(depth, w0, wa, wm, gw)
	with b.scope("stem"):
		x = b.cbr("input", stem, 3, 2)
		b.body = x  # the stem ends here
	cin = stem
	for i, (w, n, g) in enumerate(list(zip(widths, depths, gws))[:max_stages]):
		for j in range(n):
			s = 2 if j == 0 else 1
			with b.scope("trunk_output"), b.scope("block%d" % (i + 1)), \
					b.scope("block%d-%d" % (i + 1, j)):
				y = b.cbr(x, w, 1)
				y = b.cbr(y, w, 3, s, g=w // g)
				if se:
					with b.scope("se"):
						sq = b.reducemean(y, keepdims=1)
						sq = b.relu(b.conv(sq, int(round(se * cin)), 1, bias=True))
						sq = b.act("Sigmoid", b.conv(sq, w, 1, bias=True))
						y = b.mul(sq, y)
				y = b.bn(b.conv(y, w, 1))
				if s != 1 or cin != w:
					with b.scope("proj"):
						x = b.bn(b.conv(x, w, 1, s, 0))
				x = b.relu(b.add(x, y))
			cin = w
	x = b.flatten(b.gap(x))
	with b.scope("fc"):
		return b.gemm(x, b.classes)


# name: (opset, resolution, builder, published GMACs, published Mparams, source)
MODELS = {
	"resnet18": (9, 224, lambda b: resnet(b, (2, 2, 2, 2), False, flatten="view"),
		     1.81, 11.69, "torchvision"),
	"resnet50": (13, 224, lambda b: resnet(b, (3, 4, 6, 3), True), 4.09, 25.56, "torchvision"),
	"mobilenetv2": (11, 224, mobilenet_v2, 0.300, 3.50, "paper, torchvision"),
	"mobilenetv3-small": (14, 224, mobilenet_v3_small, 0.056, 2.54, "paper, torchvision"),
	"googlenet": (11, 224, googlenet, 1.50, 6.62, "torchvision (no aux heads)"),
	"inception-v3": (13, 299, inception_v3, 5.71, 23.83, "torchvision (no aux head)"),
	"densenet121": (17, 224, densenet, 2.83, 7.98, "torchvision"),
	"squeezenet1.1": (12, 224, squeezenet, 0.349, 1.24, "torchvision"),
	"shufflenetv2": (11, 224, shufflenet_v2, 0.146, 2.28, "paper, torchvision"),
	"efficientnet-b0": (13, 224, efficientnet_b0, 0.390, 5.29, "paper, torchvision"),
	"regnetx-400mf": (17, 224, lambda b: regnet(b, 22, 24, 24.48, 2.54, 16),
			  0.410, 5.50, "paper, torchvision"),
	"regnety-400mf": (13, 224, lambda b: regnet(b, 16, 48, 27.89, 2.09, 8, se=0.25),
			  0.400, 4.34, "paper, torchvision"),
	# Reduced variants for the CI's run tests: same structure, small width,
	# resolution and depth, 10 classes.
	"resnet18-tiny": (9, 32, lambda b: resnet(b, (1, 1, 1, 1), False, 4, "view"),
			  None, None, "reduced"),
	"resnet50-tiny": (13, 32, lambda b: resnet(b, (1, 2, 1, 1), True, 4), None, None, "reduced"),
	"googlenet-tiny": (11, 64, lambda b: googlenet(b, 16), None, None, "reduced"),
	"inception-v3-tiny": (13, 75, lambda b: inception_v3(b, 20, True), None, None, "reduced"),
	"densenet-tiny": (17, 32, lambda b: densenet(b, (2, 3, 2), 8, 16, 2), None, None, "reduced"),
	"squeezenet1.1-tiny": (12, 48, lambda b: squeezenet(b, 8), None, None, "reduced"),
	"regnetx-tiny": (17, 32, lambda b: regnet(b, 6, 8, 8, 2.5, 8, stem=8, max_stages=3),
			 None, None, "reduced"),
	"mobilenetv2-tiny": (11, 32, lambda b: mobilenet_v2(b, 0.25, [(1, 16, 1, 1), (6, 24, 2, 2),
								    (6, 32, 2, 2)]),
			     None, None, "reduced"),
	"shufflenetv2-tiny": (11, 32, lambda b: shufflenet_v2(b, (2, 2), (8, 16, 32, 64)),
			      None, None, "reduced"),
	"efficientnet-tiny": (13, 32, lambda b: efficientnet_b0(b, [(1, 3, 1, 8, 1), (6, 3, 2, 16, 2),
								     (6, 5, 2, 24, 1)], 64),
			      None, None, "reduced"),
}


def build(name):
	opset, res, f, _, _, _ = MODELS[name]
	reduced = name.endswith("-tiny")
	b = Net(name, opset, res, 10 if reduced else 1000,
		"new" if opset >= 13 else "old" if opset > 9 else "none")
	b.out = f(b)
	m = b.model(b.out)
	return m, b


def si(v):
	return "%.3f G" % (v / 1e9) if v >= 1e8 else "%.3f M" % (v / 1e6)


def main():
	ap = argparse.ArgumentParser(description="Writes real-architecture ONNX models.")
	ap.add_argument("outdir", nargs="?", help="directory to write NAME.onnx into")
	ap.add_argument("--list", action="store_true", help="list the models and exit")
	ap.add_argument("--markdown", action="store_true",
			help="print a markdown table of MACs and parameters beside the published ones")
	ap.add_argument("--only", help="comma-separated model names")
	ap.add_argument("--reduced", action="store_true", help="only the -tiny variants")
	ap.add_argument("--full", action="store_true", help="only the full-size networks")
	ap.add_argument("--check", action="store_true",
			help="exit 1 unless MACs are within 2%% and parameters within 0.5%% "
			     "of the published figures")
	ap.add_argument("--body", action="store_true",
			help="also write NAME-body.onnx: the network after its stem")
	a = ap.parse_args()
	names = list(MODELS)
	if a.only:
		names = a.only.split(",")
		for n in names:
			if n not in MODELS:
				print("make_models.py: no model '%s' (see --list)" % n, file=sys.stderr)
				return 2
	if a.reduced:
		names = [n for n in names if n.endswith("-tiny")]
	if a.full:
		names = [n for n in names if not n.endswith("-tiny")]
	if a.list:
		for n in names:
			print("%-20s opset %-2d %dx%d" % (n, MODELS[n][0], MODELS[n][1], MODELS[n][1]))
		return 0
	if not a.outdir and not a.markdown and not a.check:
		ap.print_usage(sys.stderr)
		return 2
	if a.markdown:
		print("| network | opset | input | nodes | MACs (ours) | MACs (published) "
		      "| params (ours) | params (published) | source | file |")
		print("|---|---|---|---|---|---|---|---|---|---|")
	off = 0
	for n in names:
		m, b = build(n)
		gm, mp = MODELS[n][3:5]
		if a.check and gm is not None and (abs(b.macs / (gm * 1e9) - 1) > 0.02 or
						   abs(b.params / (mp * 1e6) - 1) > 0.005):
			print("make_models.py: %s: %d MACs, %d params; published %g G, %g M" %
			      (n, b.macs, b.params, gm, mp), file=sys.stderr)
			off += 1
		if a.outdir:
			os.makedirs(a.outdir, exist_ok=True)
			path = os.path.join(a.outdir, n + ".onnx")
			tmp = path + ".tmp"
			onnx.save(m, tmp)
			os.replace(tmp, path)
			if a.body and b.body:
				onnx.save(b.body_model(b.out), tmp)
				os.replace(tmp, os.path.join(a.outdir, n + "-body.onnx"))
		if a.markdown:
			_, res, _, gm, mp, src = MODELS[n]
			pub = lambda v, f: "-" if v is None else \
				"%g G" % v if f == "G" and v >= 0.1 else "%g M" % (v * 1e3 if f == "G" else v)
			size = len(m.SerializeToString())
			print("| %s | %d | %dx%d | %d | %s | %s | %s | %s | %s | %.0f KB |" % (
				n, b.opset, res, res, len(m.graph.node), si(b.macs), pub(gm, "G"),
				si(b.params), pub(mp, "M"), src, size / 1024))
	return 1 if off else 0


if __name__ == "__main__":
	sys.exit(main())
