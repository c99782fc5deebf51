#!/usr/bin/python3
"""peak.py: an independent check of `serenity schedule MODEL.onnx --json`.

Usage: peak.py MODEL.onnx SCHEDULE.json [MODEL.onnx SCHEDULE.json ...]

Recomputes, from the ONNX file alone and the order serenity printed, the
peak under the paper's memory model (DESIGN.md section 3: int8 activations,
one byte per element; initializers and constant-folded tensors not counted;
an op's inputs and outputs are live while it runs; a tensor is freed once
its last reader has run; graph outputs are never freed) and the lower bound
(the largest inputs + outputs of one op), prints them with the op count and
the op at which the peak is reached, and exits 1 with a one-line
message when they or the order disagree with what serenity reported.

The graph serenity schedules is not the ONNX graph node for node: the
importer folds nodes away (BatchNormalization and Relu into the conv before
them, Identity, Dropout, Flatten and Reshape views, ...) and reports them in
the JSON's "merged" map, node name -> the scheduled op that now computes its
output (null for a constant-folded node).  This script collapses each merged
node into its target: the node's output becomes another name for the
target's tensor, and the node's activation inputs become the target's
inputs.  Independently of serenity, a node the order does not hold is
constant-folded when it is a Constant, Shape or Size (static shapes) or
when all its inputs are initializers or constant-folded; those are neither
scheduled nor readers.  An entry of the order names a node (its name, or
its first output's name when it has none), a graph input, or one output of
a node (an op per output, as for Split: the output's name, or NODE.OUTPUT).
The order must then hold every remaining unit exactly once, each after the
producers of its inputs.

Shapes come from the file's value_info and onnx's shape inference; where
that stops (onnx 1.12 does not follow x.view(x.size(0), -1)'s Shape ->
Gather -> Unsqueeze -> Concat into Reshape), the shape arithmetic is
evaluated with numpy and inference run again.
"""
import json
import sys

import numpy as np
import onnx
from google.protobuf.message import DecodeError
from onnx import helper, numpy_helper, shape_inference

CONST_OPS = {"Constant", "Shape", "Size"}


class Mismatch(Exception):
	pass


def _fold(model, shapes):
	"""Evaluates with numpy the shape arithmetic that onnx's inference does not
	follow (x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat) and
	puts the results in the model as initializers; returns how many."""
	g = model.graph
	val = {t.name: numpy_helper.to_array(t) for t in g.initializer
	       if t.data_type in (onnx.TensorProto.INT64, onnx.TensorProto.INT32)}
	attr = lambda nd, k, d=None: next((helper.get_attribute_value(a) for a in nd.attribute
					   if a.name == k), d)
	for nd in topo(list(g.node)):
		x = [val.get(i) for i in nd.input]
		known = all(v is not None for v, i in zip(x, nd.input) if i)
		op = nd.op_type
		try:
			if op == "Constant" and attr(nd, "value") is not None:
				r = numpy_helper.to_array(attr(nd, "value"))
			elif op == "Shape" and nd.input[0] in shapes:
				r = np.array(shapes[nd.input[0]], dtype=np.int64)
			elif not known or op == "Constant":
				continue
			elif op == "Gather":
				r = np.take(x[0], x[1], axis=attr(nd, "axis", 0))
			elif op == "Unsqueeze":
				axes = attr(nd, "axes") if len(nd.input) < 2 else x[1].tolist()
				r = x[0]
				for ax in sorted(a % (r.ndim + len(axes)) for a in axes):
					r = np.expand_dims(r, ax)
			elif op == "Squeeze":
				axes = attr(nd, "axes") if len(nd.input) < 2 else x[1].tolist()
				r = np.squeeze(x[0], axis=tuple(axes) if axes is not None else None)
			elif op == "Concat":
				r = np.concatenate([np.atleast_1d(v) for v in x], axis=attr(nd, "axis"))
			elif op == "Cast":
				r = x[0]
			elif op in ("Mul", "Add", "Sub", "Div"):
				r = {"Mul": np.multiply, "Add": np.add, "Sub": np.subtract,
				     "Div": np.floor_divide}[op](x[0], x[1])
			else:
				continue
		except (TypeError, ValueError, IndexError):
			continue
		val[nd.output[0]] = np.asarray(r)
	n = 0
	for nd in g.node:
		if nd.op_type in ("Reshape", "Expand", "Tile") and len(nd.input) > 1 and \
				nd.input[1] in val and not any(t.name == nd.input[1] for t in g.initializer):
			name = "peak_py_fold_%d" % n
			g.initializer.append(numpy_helper.from_array(
				val[nd.input[1]].astype(np.int64), name))
			nd.input[1] = name
			n += 1
	return n


def _shapes(m):
	s = {}
	for v in list(m.graph.input) + list(m.graph.value_info) + list(m.graph.output):
		t = v.type.tensor_type
		if not t.HasField("shape"):
			continue
		dims = [d.dim_value if d.HasField("dim_value") else -1 for d in t.shape.dim]
		if all(d >= 0 for d in dims):
			s[v.name] = dims
	return s


def elements(model):
	"""Value name -> element count, from the file's shapes and onnx's
	inference, helped by folding shape arithmetic where it stops."""
	m = onnx.ModelProto()
	m.CopyFrom(model)
	for _ in range(8):
		try:
			m = shape_inference.infer_shapes(m, data_prop=True)
		except Exception:  # keep what we have
			pass
		shapes = _shapes(m)
		if not _fold(m, shapes):
			break
	return {k: int(np.prod(v, dtype=np.int64)) for k, v in shapes.items()}


def node_name(nd):
	return nd.name or next((o for o in nd.output if o), "")


def topo(nodes):
	"""The nodes in a topological order (ONNX asks for one; do not trust it)."""
	made = {o: k for k, nd in enumerate(nodes) for o in nd.output if o}
	deps = [{made[i] for i in nd.input if i in made} for nd in nodes]
	done, out = set(), []
	pending = list(range(len(nodes)))
	while pending:
		ready = [k for k in pending if deps[k] <= done]
		if not ready:
			raise Mismatch("node %s: on a cycle" % node_name(nodes[pending[0]]))
		done.update(ready)
		out.extend(nodes[k] for k in ready)
		pending = [k for k in pending if k not in done]
	return out


def check(model, sched):
	g = model.graph
	nelem = elements(model)
	inits = {t.name for t in g.initializer}
	inputs = [v.name for v in g.input if v.name not in inits]
	outputs = {v.name for v in g.output}
	nodes = topo(list(g.node))
	byname = {}
	for nd in nodes:
		if node_name(nd) in byname:
			raise Mismatch("two nodes named %s" % node_name(nd))
		byname[node_name(nd)] = nd
	prod = {o: nd for nd in nodes for o in nd.output if o}

	order = sched.get("order")
	if not isinstance(order, list) or not all(isinstance(v, str) for v in order):
		raise Mismatch("no order (a list of names) in the JSON")
	merged = sched.get("merged", {}) or {}
	if not isinstance(merged, dict):
		raise Mismatch("merged is not an object")

	def node_output(name):
		"""NODE.OUTPUT, as the importer names the op of a node's later output."""
		for k, ch in enumerate(name):
			if ch == "." and name[:k] in byname and name[k + 1:] in byname[name[:k]].output:
				return byname[name[:k]], name[k + 1:]
		raise Mismatch("order names %s: no such node, input or value" % name)

	# The units of the order: each makes a graph input, or some outputs of one node.
	values, src = {}, {}
	for name in order:
		if name in values:
			raise Mismatch("%s scheduled twice" % name)
		if name in inputs:
			values[name], src[name] = [name], None
		elif name in byname:
			if name in merged:
				raise Mismatch("node %s both merged and scheduled" % name)
			values[name], src[name] = None, byname[name]  # outputs not claimed below
		elif name in prod:
			values[name], src[name] = [name], prod[name]
		else:
			src[name], v = node_output(name)
			values[name] = [v]
	made = [v for vs in values.values() if vs for v in vs]
	if len(made) != len(set(made)):
		raise Mismatch("a value made by two ops of the order")
	for name, vs in values.items():
		if vs is None:
			values[name] = [o for o in byname[name].output if o and o not in made]
			if not values[name]:
				raise Mismatch("node %s: no output left to make" % name)
	unit_of = {v: u for u, vs in values.items() for v in vs}

	# Constant-folded: not scheduled, and reading only constants (or shapes).
	scheduled = {id(nd) for nd in src.values() if nd is not None}
	const = set(inits)
	for nd in nodes:
		ins = [i for i in nd.input if i]
		if id(nd) not in scheduled and (nd.op_type in CONST_OPS or
						all(i in const for i in ins)):
			const.update(o for o in nd.output if o)
	is_const = lambda nd: all(o in const for o in nd.output if o)

	# Merged nodes: each output becomes an alias of a tensor of its target.
	for name, target in merged.items():
		if name not in byname:
			raise Mismatch("merged names %s: no such node" % name)
		if target is None:
			if not is_const(byname[name]):
				raise Mismatch("node %s: merged as constant, but it reads activations" % name)
		elif not isinstance(target, str):
			raise Mismatch("merged %s: target is not a name" % name)

	def final(name, seen=()):
		t = merged[name]
		if t in merged and t not in values:
			if t in seen:
				raise Mismatch("merged %s: a loop" % name)
			return final(t, seen + (t,))
		if t not in values:
			raise Mismatch("node %s merged into %s, which is not scheduled" % (name, t))
		return t

	read = {i for nd in nodes if not is_const(nd) for i in nd.input}
	canon = {v: v for v in unit_of}
	for v in inputs:
		canon.setdefault(v, v)
	group = {u: ([src[u]] if src[u] is not None else []) for u in values}
	for nd in nodes:  # topological, so a merged node's inputs are resolved first
		name = node_name(nd)
		if is_const(nd):
			continue
		if name in merged:
			u = final(name)
			group[u].append(nd)
			mine = [canon.get(i) for i in nd.input if i and i not in const]
			tv = values[u]
			if len(tv) == 1:
				t = tv[0]
			else:
				hit = [v for v in tv if v in mine]
				if len(hit) != 1:
					raise Mismatch("node %s merged into %s: which of its tensors?" %
						       (name, u))
				t = hit[0]
			for o in nd.output:
				if not o or (o not in read and o not in outputs):
					continue  # e.g. Dropout's mask: nothing reads it
				# Folded into its producer (BN, Relu, a view), the output is the
				# producer's tensor and has its size; folded into a reader (a Pad
				# into the conv after it), it is a tensor no one makes.
				if t in mine and nelem.get(o) != nelem.get(t):
					raise Mismatch("node %s merged into %s: %s elements, not %s" %
						       (name, u, nelem.get(o), nelem.get(t)))
				canon[o] = t
		else:
			for o in nd.output:
				if o and o not in unit_of:
					raise Mismatch("node %s (%s): neither scheduled nor merged" %
						       (name, nd.op_type))

	# The collapsed graph: each unit reads the activations its group reads.
	ins = {}
	for u, vs in values.items():
		s = set()
		for nd in group[u]:
			for i in nd.input:
				if not i or i in const:
					continue
				if i not in canon:
					raise Mismatch("node %s: input %s made by nothing scheduled" %
						       (node_name(nd), i))
				s.add(canon[i])
		ins[u] = sorted(s - set(vs))
	size = {}
	for u, vs in values.items():
		for v in vs:
			if v not in nelem:
				raise Mismatch("value %s: shape unknown" % v)
			size[v] = nelem[v]  # int8: one byte per element
	live0 = [v for v in inputs if v not in unit_of]
	for v in live0:
		size[v] = nelem[v]
	left = {}
	for u in values:
		for t in ins[u]:
			left[t] = left.get(t, 0) + 1
	keep = {canon[o] for o in outputs if o in canon}

	live = sum(size[v] for v in live0)
	peak = live
	done = set(live0)
	lb = 0
	at = order[0] if order else None
	for u in order:
		for t in ins[u]:
			if t not in done:
				raise Mismatch("%s runs before its input %s" % (u, t))
		lb = max(lb, sum(size[t] for t in ins[u]) + sum(size[v] for v in values[u]))
		live += sum(size[v] for v in values[u])
		if live > peak:
			peak, at = live, u
		done.update(values[u])
		for t in ins[u]:
			left[t] -= 1
			if left[t] == 0 and t not in keep:
				live -= size[t]
		for v in values[u]:
			if left.get(v, 0) == 0 and v not in keep:
				live -= size[v]
	return peak, lb, len(order), at


def one(path, jpath):
	"""Checks one schedule; returns the line to print."""
	model = onnx.load(path)
	with open(jpath) as f:
		sched = json.load(f)
	if not isinstance(sched, dict):
		raise Mismatch("the JSON is not an object")
	peak, lb, n, at = check(model, sched)
	for key, mine in (("peak_bytes", peak), ("lower_bound_bytes", lb), ("ops", n)):
		if key in sched and sched[key] != mine:
			raise Mismatch("reported %s %s, recomputed %d" % (key, sched[key], mine))
	if "peak_bytes" not in sched:
		raise Mismatch("no peak_bytes in the JSON")
	return "peak %d lower_bound %d ops %d at %s" % (peak, lb, n, at)


def main():
	args = sys.argv[1:]
	if not args or len(args) % 2:
		print("usage: peak.py MODEL.onnx SCHEDULE.json [MODEL.onnx SCHEDULE.json ...]",
		      file=sys.stderr)
		return 2
	rc = 0
	for path, jpath in zip(args[::2], args[1::2]):
		try:
			line = one(path, jpath)
		except (Mismatch, OSError, ValueError, DecodeError) as e:
			print("peak.py: %s: %s" % (path, e), file=sys.stderr)
			rc = 1
			continue
		print(line if len(args) == 2 else "%s: %s" % (path, line))
	return rc


if __name__ == "__main__":
	sys.exit(main())
