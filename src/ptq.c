/* ptq.c: post-training quantization of a float graph to int8.
 *
 * 1. Calibration.  The float interpreter (ref_float.c) runs the graph on
 *    PtqOpts.nsamples inputs (16 by default: reff_input's seeded uniform
 *    [-1, 1], or the user's); every tensor records the largest |value| it
 *    takes.  The maximum, not a percentile: the NPU saturates, so a clipped
 *    outlier costs more than a coarser step on these small sample counts,
 *    and a fused Clip's bound is exact only as a maximum.
 * 2. Clip fusion.  Clip(0, hi) whose input is a conv, fc, add or weighted
 *    sum that nothing else reads (and is no graph output) disappears: the
 *    producer gets a fused ReLU and the output scale hi/127, so the int8
 *    saturation at [0, 127] is the clip (equal to the float clip up to
 *    rounding); where calibration never reached hi (Clip(0, +inf), a
 *    ReLU), the largest value it saw instead, as for any activation.  The Clip node is recorded in Graph.merged as computed by
 *    its producer.
 * 3. Scales.  Activations are symmetric per tensor, s = max|x| / 127.  Ops
 *    whose int8 form keeps its input's scale (pools, relu, concat, slice,
 *    pad, shuffle, transpose, reshape) put input and output tensors in one
 *    class (union-find), and a concat's inputs too; a class takes the
 *    largest scale of its members, and its producers requantize to it.  A
 *    fused producer counts as hi; if its class then needs a larger scale
 *    the Clip is not fused after all (its saturation would no longer clip).
 * 4. Weights per output channel: s_w[c] = max |w_c| / 127, w_q =
 *    round(w / s_w[c]); biases int32, round(b / (s_in s_w[c])); the
 *    requantization of channel c is s_in s_w[c] / s_out (Op.qmuls, qshifts).
 * 5. Sums.  An add whose inputs share one scale stays an add (multiplier
 *    s_in / s_out).  Otherwise, and for weighted sums (float weights a_i),
 *    it becomes the NPU's weighted sum: int8 coefficients
 *    c_i = round(k a_i s_i) with k = 127 / max |a_i s_i| (the largest is
 *    +-127, so coefficient rounding costs at most 1/254 of the largest
 *    term), multiplier 1 / (k s_out).
 * Ops without int8 semantics (act, mul) are copied with scales on their
 * tensors and nothing else: compile and run refuse them.
 *
 * SQNR (ptq_sqnr, `run`'s sqnr_db) measures the quantization on float
 * inputs like the user's: the --calib samples when given (the data the
 * scales were fitted to), otherwise PTQ_HELDOUT inputs drawn as the
 * default calibration's (reff_input, uniform [-1, 1]) with the seeds after
 * the calibration's.  For each sample x the float graph runs on x and the
 * int8 graph (ref.c) on x quantized with its input tensor's scale s_in
 * (round(x / s_in), saturated to [-128, 127] as every activation is).
 * Signal and noise add up over all samples and all graph outputs:
 *   SQNR = 10 log10(sum f^2 / sum (f - s q)^2),
 * f the float outputs, q the int8 ones, s their scales: one ratio of sums,
 * as if the samples were one long input, not a mean of per-sample dB.  The
 * NPU is not involved: it is compared with the int8 reference bit for bit
 * (pipeline.c), so this is also the NPU's SQNR.
 */
#include "ptq.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"
#include "ref_float.h"

typedef struct Ptq {
	const Graph *f;
	float *amax;    /* per tensor of f: largest |value| in calibration */
	bool *fused;    /* per op of f: a Clip folded into its producer */
	int *cls;       /* per tensor of f: union-find parent */
	double *scale;  /* per tensor of f */
} Ptq;

static int calibrate(Ptq *p, const PtqOpts *o, Err *e)
{
	const Graph *f = p->f;
	int nin = 0, ns = o && o->nsamples > 0 ? o->nsamples : PTQ_SAMPLES;
	for (int i = 0; i < f->nops; i++)
		nin += f->ops[i].kind == OP_INPUT;
	float **in = xcalloc(nin ? nin : 1, sizeof *in);
	int rc = 0;
	for (int k = 0; k < ns && !rc; k++) {
		if (o && o->progress)
			o->progress(k, ns);
		if (!o || !o->inputs)
			for (int i = 0, j = 0; i < f->nops; i++) {
				const Tensor *t = &f->tensors[f->ops[i].out[0]];
				if (f->ops[i].kind != OP_INPUT)
					continue;
				free(in[j]);
				in[j] = xmalloc(ir_shape_elems(t->shape) * sizeof **in);
				reff_input(t, k, in[j++]);
			}
		FloatValues v;
		rc = reff_run(f, o && o->inputs ? o->inputs[k] : (const float *const *)in, &v, e);
		for (int t = 0; !rc && t < f->ntensors; t++) {
			int64_t n = ir_shape_elems(f->tensors[t].shape);
			for (int64_t i = 0; i < n && !rc; i++) {
				if (!isfinite(v.val[t][i])) /* fmaxf would skip a NaN */
					rc = err_set(e, "node %s: calibration sample %d gives %s: "
						     "weights or inputs too large for float",
						     f->ops[f->tensors[t].producer].name, k,
						     isnan(v.val[t][i]) ? "NaN" : "Inf");
				p->amax[t] = fmaxf(p->amax[t], fabsf(v.val[t][i]));
			}
		}
		reff_free(&v);
	}
	if (o && o->progress)
		o->progress(ns, ns);
	for (int j = 0; j < nin; j++)
		free(in[j]);
	free(in);
	return rc;
}

/* Clip(0, hi) reading the only use of a conv, fc, add or weighted sum. */
static bool fusable(const Graph *f, int o)
{
	const Op *op = &f->ops[o];
	if (op->kind != OP_ACT || op->act != ACT_CLIP || op->alpha != 0 || !(op->beta > 0) ||
	    op->nin != 1)
		return false;
	const Tensor *t = &f->tensors[op->in[0]];
	OpKind k = f->ops[t->producer].kind;
	return t->ncons == 1 && !t->output &&
	       (k == OP_CONV || k == OP_FC || k == OP_ADD || k == OP_WSUM);
}

static bool keeps_scale(OpKind k)
{
	return k == OP_MAXPOOL || k == OP_AVGPOOL || k == OP_GAVGPOOL || k == OP_RELU ||
	       k == OP_CONCAT || k == OP_SLICE || k == OP_PAD || k == OP_SHUFFLE ||
	       k == OP_TRANSPOSE || k == OP_RESHAPE;
}

static int find(int *cls, int t)
{
	while (cls[t] != t)
		t = cls[t] = cls[cls[t]];
	return t;
}

static void unite(int *cls, int a, int b)
{
	a = find(cls, a);
	b = find(cls, b);
	if (a != b)
		cls[a < b ? b : a] = a < b ? a : b;
}

/* Scales of all tensors of f under the current fusions; false when some
 * fused Clip's class needs more than its bound (it is unfused then). */
static bool assign_scales(Ptq *p)
{
	const Graph *f = p->f;
	double *cmax = xcalloc(f->ntensors, sizeof *cmax);
	double *hi = xcalloc(f->ntensors, sizeof *hi);
	for (int t = 0; t < f->ntensors; t++)
		p->cls[t] = t;
	for (int o = 0; o < f->nops; o++) {
		const Op *op = &f->ops[o];
		if (keeps_scale(op->kind) || p->fused[o])
			for (int i = 0; i < op->nin; i++)
				unite(p->cls, op->in[i], op->out[0]);
		if (p->fused[o])
			hi[op->in[0]] = op->beta;
	}
	for (int t = 0; t < f->ntensors; t++) {
		int r = find(p->cls, t);
		/* a fused Clip's bound, or less where calibration never got there
		 * (Clip(0, +inf) is a ReLU): saturation clips at whichever is lower */
		double m = hi[t] > 0 && (hi[t] < p->amax[t] || p->amax[t] <= 0) ? hi[t] : p->amax[t];
		/* the fused clip's own output is bounded by hi anyway */
		if (p->fused[f->tensors[t].producer])
			m = 0;
		cmax[r] = fmax(cmax[r], m);
	}
	bool stable = true;
	for (int o = 0; o < f->nops; o++)
		if (p->fused[o] && cmax[find(p->cls, f->ops[o].in[0])] > f->ops[o].beta) {
			p->fused[o] = false;
			stable = false;
		}
	for (int t = 0; t < f->ntensors; t++) {
		double m = cmax[find(p->cls, t)];
		/* at least FLT_MIN: scales are stored as float, and one of 0 would
		 * divide by zero in the requantization */
		p->scale[t] = m > 0 ? fmax(m / 127.0, FLT_MIN) : 1.0 / 127.0;
	}
	free(cmax);
	free(hi);
	return stable;
}

/* The conversions are total (ptq_quantize refuses NaN before they run; a
 * NaN would go to the low end rather than be undefined behaviour). */
static int32_t round32(double v)
{
	v = round(v); /* half away from zero, as round8 */
	return v > INT32_MAX ? INT32_MAX : v >= INT32_MIN ? (int32_t)v : INT32_MIN;
}

static int8_t round8(double v)
{
	v = round(v);
	return (int8_t)(v > 127 ? 127 : v >= -127 ? v : -127);
}

/* Conv and fc: per-channel int8 weights, int32 biases, requantization. */
static int quant_weights(Graph *q, Op *op, Err *e)
{
	Const *w = &q->consts[op->weight];
	const Const *b = op->bias >= 0 ? &q->consts[op->bias] : NULL;
	double sin = q->tensors[op->in[0]].scale, sout = q->tensors[op->out[0]].scale;
	int cout = q->tensors[op->out[0]].shape.c;
	int64_t per = w->count / cout;
	if (!w->fdata || per * cout != w->count || (b && b->count != cout))
		return err_set(e, "node %s: float weights missing or of the wrong size", op->name);
	int8_t *wq = arena_alloc(q->arena, w->count);
	op->qmuls = arena_newvec(q->arena, int32_t, cout);
	op->qshifts = arena_newvec(q->arena, int, cout);
	int32_t *bq = b ? arena_newvec(q->arena, int32_t, cout) : NULL;
	for (int c = 0; c < cout; c++) {
		const float *wc = w->fdata + c * per;
		double m = 0;
		for (int64_t i = 0; i < per; i++)
			m = fmax(m, fabs(wc[i]));
		double sw = m > 0 ? m / 127.0 : 1.0;
		for (int64_t i = 0; i < per; i++)
			wq[c * per + i] = round8(wc[i] / sw);
		if (bq)
			bq[c] = b->fdata ? round32(b->fdata[c] / (sin * sw)) : 0;
		ref_quant_params(sin * sw / sout, &op->qmuls[c], &op->qshifts[c]);
	}
	w->data = wq;
	if (b)
		q->consts[op->bias].data = bq;
	op->qmul = op->qmuls[0];
	op->qshift = op->qshifts[0];
	return 0;
}

/* Whether f's add or weighted sum o must become a weighted sum in q. */
static bool needs_wsum(const Ptq *p, int o)
{
	const Op *op = &p->f->ops[o];
	if (op->kind == OP_WSUM)
		return true;
	for (int i = 1; i < op->nin; i++)
		if (p->scale[op->in[i]] != p->scale[op->in[0]])
			return true;
	return false;
}

static void quant_sum(const Ptq *p, int fo, Graph *q, Op *op)
{
	const Op *fop = &p->f->ops[fo];
	double sout = q->tensors[op->out[0]].scale;
	if (op->kind == OP_ADD) {
		ref_quant_params(q->tensors[op->in[0]].scale / sout, &op->qmul, &op->qshift);
		return;
	}
	const float *a = fop->kind == OP_WSUM ? p->f->consts[fop->weight].fdata : NULL;
	double m = 0;
	for (int i = 0; i < op->nin; i++)
		m = fmax(m, fabs((a ? a[i] : 1.0) * q->tensors[op->in[i]].scale));
	double k = m > 0 ? 127.0 / m : 1.0;
	Const *w = &q->consts[op->weight];
	int8_t *c = arena_alloc(q->arena, op->nin);
	float *fc = arena_newvec(q->arena, float, op->nin);
	for (int i = 0; i < op->nin; i++) {
		fc[i] = a ? a[i] : 1.0f;
		c[i] = round8(k * fc[i] * q->tensors[op->in[i]].scale);
	}
	w->data = c;
	w->fdata = fc;
	ref_quant_params(1.0 / (k * sout), &op->qmul, &op->qshift);
}

static void add_merged(Graph *q, const char *node, const char *by)
{
	const char **m = arena_newvec(q->arena, const char *, 2 * (q->nmerged + 1));
	if (q->nmerged)
		memcpy(m, q->merged, 2 * q->nmerged * sizeof *m);
	m[2 * q->nmerged] = arena_strdup(q->arena, node);
	m[2 * q->nmerged + 1] = by ? arena_strdup(q->arena, by) : NULL;
	q->merged = m;
	q->nmerged++;
}

/* q: the ops of f, fused Clips left out, adds turned weighted sums. */
static Graph *build(const Ptq *p, Err *e)
{
	const Graph *f = p->f;
	Graph *q = ir_new(f->name);
	q->acc_bits = f->acc_bits;
	for (int i = 0; i < f->nmerged; i++)
		add_merged(q, f->merged[2 * i], f->merged[2 * i + 1]);
	int *map = xmalloc(f->ntensors * sizeof *map), *ins = NULL;
	for (int o = 0; o < f->nops && ir_ok(q); o++) {
		const Op *fop = &f->ops[o];
		if (p->fused[o]) {
			int t = map[fop->in[0]];
			Op *prod = &q->ops[q->tensors[t].producer];
			prod->relu = true;
			q->tensors[t].output |= f->tensors[fop->out[0]].output;
			map[fop->out[0]] = t;
			add_merged(q, fop->name, prod->name);
			continue;
		}
		ins = xrealloc(ins, (fop->nin + 1) * sizeof *ins);
		for (int i = 0; i < fop->nin; i++)
			ins[i] = map[fop->in[i]];
		int t;
		if ((fop->kind == OP_ADD || fop->kind == OP_WSUM) && needs_wsum(p, o)) {
			t = ir_wsum(q, fop->name, ins, fop->nin);
			if (t >= 0) {
				q->ops[q->nops - 1].relu = fop->relu;
				q->ops[q->nops - 1].otype =
					fop->otype ? arena_strdup(q->arena, fop->otype) : NULL;
				q->tensors[t].output = f->tensors[fop->out[0]].output;
			}
		} else {
			t = ir_copy_op(q, f, o, ins);
		}
		if (t >= 0)
			q->tensors[t].scale = (float)p->scale[fop->out[0]];
		map[fop->out[0]] = t;
	}
	free(map);
	free(ins);
	if (!ir_ok(q)) {
		err_set(e, "%s", q->err.msg);
		ir_free(q);
		return NULL;
	}
	return q;
}

/* The float constants of op o (its weights, bias, sum coefficients) that
 * are NaN or Inf: the ONNX importer refuses them in initializers, but they
 * may also come of its folding (a BatchNormalization's, a division by 0). */
static int check_finite(const Graph *f, int o, Err *e)
{
	const Op *op = &f->ops[o];
	int cs[2] = {op->weight, op->bias};
	for (int k = 0; k < 2; k++) {
		const Const *c = cs[k] >= 0 ? &f->consts[cs[k]] : NULL;
		for (int64_t i = 0; c && c->fdata && i < c->count; i++)
			if (!isfinite(c->fdata[i]))
				return err_set(e, "node %s: %s element %lld is %s (weights must be finite)",
					       op->name, k ? "bias" : "weight", (long long)i,
					       isnan(c->fdata[i]) ? "NaN" : "Inf");
	}
	return 0;
}

Graph *ptq_quantize(const Graph *f, const PtqOpts *o, Err *e)
{
	if (!f->linked) {
		err_set(e, "graph %s: not linked", f->name);
		return NULL;
	}
	for (int i = 0; i < f->nops; i++)
		if (check_finite(f, i, e))
			return NULL;
	Ptq p = {f, xcalloc(f->ntensors, sizeof(float)), xcalloc(f->nops, sizeof(bool)),
		 xcalloc(f->ntensors, sizeof(int)), xcalloc(f->ntensors, sizeof(double))};
	Graph *q = NULL;
	if (calibrate(&p, o, e))
		goto out;
	for (int i = 0; i < f->nops; i++)
		p.fused[i] = fusable(f, i);
	while (!assign_scales(&p))
		;
	if (!(q = build(&p, e)))
		goto out;
	for (int i = 0, fo = 0; i < q->nops; i++, fo++) {
		while (p.fused[fo])
			fo++;
		Op *op = &q->ops[i];
		int rc = 0;
		if (op->kind == OP_CONV || op->kind == OP_FC)
			rc = quant_weights(q, op, e);
		else if (op->kind == OP_ADD || op->kind == OP_WSUM)
			quant_sum(&p, fo, q, op);
		if (rc) {
			ir_free(q);
			q = NULL;
			goto out;
		}
	}
	ir_link(q);
	if (ir_verify(q, e)) {
		ir_free(q);
		q = NULL;
	}
out:
	free(p.amax);
	free(p.fused);
	free(p.cls);
	free(p.scale);
	return q;
}

/* The tensor of q that holds f's tensor t (a fused Clip's: its producer's). */
static int q_tensor(const Graph *f, const Graph *q, int t)
{
	int u = ir_find(q, f->tensors[t].name);
	const Op *op = &f->ops[f->tensors[t].producer];
	if (u < 0 && op->kind == OP_ACT && op->act == ACT_CLIP)
		u = ir_find(q, f->tensors[op->in[0]].name);
	return u;
}

/* x quantized with scale s: rounded to nearest, saturated as ref_clamp8. */
static void quant_input(const float *x, int64_t n, double s, int8_t *out)
{
	for (int64_t i = 0; i < n; i++) {
		double v = nearbyint(x[i] / s);
		out[i] = (int8_t)(v > 127 ? 127 : v >= -128 ? v : -128);
	}
}

/* Adds sample x's signal and noise over all outputs of f to *sig, *noise. */
static int sqnr_sample(const Graph *f, const Graph *q, const float *const *x, double *sig,
		       double *noise, Err *e)
{
	RefValues qv = {0};
	FloatValues fv = {0};
	int nin = 0, rc = -1;
	int8_t **in = xcalloc(f->nops, sizeof *in);
	for (int o = 0; o < f->nops; o++) {
		if (f->ops[o].kind != OP_INPUT)
			continue;
		int t = f->ops[o].out[0], u = ir_find(q, f->tensors[t].name);
		if (u < 0 || q->tensors[u].dtype != DT_I8 ||
		    ir_shape_elems(q->tensors[u].shape) != ir_shape_elems(f->tensors[t].shape)) {
			err_set(e, "node %s: no int8 input in the quantized graph", f->ops[o].name);
			goto out;
		}
		int64_t n = ir_shape_elems(f->tensors[t].shape);
		in[nin] = xmalloc(n ? n : 1);
		quant_input(x[nin], n, q->tensors[u].scale, in[nin]);
		nin++;
	}
	if (ref_run_inputs(q, (const int8_t *const *)in, &qv, e) || reff_run(f, x, &fv, e))
		goto out;
	for (int t = 0; t < f->ntensors; t++) {
		if (!f->tensors[t].output)
			continue;
		int u = q_tensor(f, q, t);
		if (u < 0 || q->tensors[u].dtype != DT_I8) {
			err_set(e, "node %s: output missing from the quantized graph",
				f->tensors[t].name);
			goto out;
		}
		int64_t n = ir_shape_elems(f->tensors[t].shape);
		for (int64_t i = 0; i < n; i++) {
			double y = fv.val[t][i];
			if (!isfinite(y)) {
				err_set(e, "node %s: the float graph gives %s on an SQNR sample: "
					   "weights or inputs too large for float",
					f->tensors[t].name, isnan(y) ? "NaN" : "Inf");
				goto out;
			}
			double d = y - (double)q->tensors[u].scale * ((const int8_t *)qv.val[u])[i];
			*sig += y * y;
			*noise += d * d;
		}
	}
	rc = 0;
out:
	for (int i = 0; i < nin; i++)
		free(in[i]);
	free(in);
	ref_free(&qv);
	reff_free(&fv);
	return rc;
}

int ptq_sqnr(const Graph *f, const Graph *q, const PtqOpts *o, double *db, Err *e)
{
	bool given = o && o->inputs && o->nsamples > 0;
	int ns = given ? o->nsamples : PTQ_HELDOUT, nin = 0, rc = 0;
	/* held-out seeds: those after the calibration's */
	int seed0 = o && o->nsamples > 0 ? o->nsamples : PTQ_SAMPLES;
	for (int i = 0; i < f->nops; i++)
		nin += f->ops[i].kind == OP_INPUT;
	float **in = xcalloc(nin ? nin : 1, sizeof *in);
	double sig = 0, noise = 0;
	for (int k = 0; k < ns && !rc; k++) {
		if (!given)
			for (int i = 0, j = 0; i < f->nops; i++) {
				const Tensor *t = &f->tensors[f->ops[i].out[0]];
				if (f->ops[i].kind != OP_INPUT)
					continue;
				free(in[j]);
				in[j] = xmalloc((ir_shape_elems(t->shape) + 1) * sizeof **in);
				reff_input(t, seed0 + k, in[j++]);
			}
		rc = sqnr_sample(f, q, given ? o->inputs[k] : (const float *const *)in, &sig,
				 &noise, e);
	}
	for (int j = 0; j < nin; j++)
		free(in[j]);
	free(in);
	if (!rc)
		*db = noise > 0 ? 10 * log10(sig / noise) : INFINITY;
	return rc;
}
