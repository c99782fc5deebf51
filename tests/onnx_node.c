/* onnx_node.c: the float reference interpreter against ONNX's own backend
 * node tests (Debian's libonnx-testdata): each directory holds a model.onnx
 * of one operator and test_data_set_N/ with input_K.pb and output_K.pb
 * TensorProtos.
 *
 *     onnx_node [DIR] [-v]    DIR defaults to the package's node directory
 *
 * A case whose model the importer takes (model_load) runs every data set
 * through reff_run and compares every output with |got - want| <= 1e-5 +
 * 1e-3 |want|; one difference fails the case.  Outputs are found by name,
 * or through Graph.merged for nodes the importer folded away.  The node
 * tests pass weights as graph inputs; the importer wants them constant, so
 * a model it refuses, or imports with opaque ops, is tried once more with every input but the first
 * turned into an initializer holding data set 0's value (the case then
 * runs data set 0 only).  Models the importer refuses either way or imports with opaque ops
 * (known by their size only), and inputs or outputs other than float32,
 * are skipped (unsupported).  Prints
 *     node tests: P passed, F failed, S skipped (unsupported)
 * and the failures' names; exits 1 when any case failed, 77 (CTest's skip)
 * when DIR is absent or no case ran.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "onnx.pb-c.h"
#include "ref_float.h"

enum { PASS, FAIL, SKIP };
enum { NIN_MAX = 16 };

static bool verbose;

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = xmalloc(cap);
	size_t k;
	while ((k = fread(buf + n, 1, cap - n, f)) > 0)
		if ((n += k) == cap)
			buf = xrealloc(buf, cap *= 2);
	fclose(f);
	*len = n;
	return buf;
}

static Onnx__TensorProto *read_tensor(const char *path)
{
	size_t len;
	uint8_t *buf = read_all(path, &len);
	if (!buf)
		return NULL;
	Onnx__TensorProto *t = onnx__tensor_proto__unpack(NULL, len, buf);
	free(buf);
	return t;
}

/* The float32 values of t (malloc'd), their count in *n; NULL if t is not
 * float32 or its data does not match its dims. */
static float *tensor_floats(const Onnx__TensorProto *t, int64_t *n)
{
	int64_t count = 1;
	for (size_t i = 0; i < t->n_dims; i++)
		if (t->dims[i] < 0 || !mul_ok_i64(count, t->dims[i], &count) || count > (1 << 28))
			return NULL;
	if (t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
		return NULL;
	float *v = xmalloc((count ? count : 1) * sizeof *v);
	if (t->has_raw_data && t->raw_data.len == (size_t)count * 4) {
		for (int64_t i = 0; i < count; i++) {
			const uint8_t *p = t->raw_data.data + 4 * i;
			uint32_t u = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
			memcpy(&v[i], &u, 4);
		}
	} else if (t->n_float_data == (size_t)count) {
		memcpy(v, t->float_data, count * sizeof *v);
	} else {
		free(v);
		return NULL;
	}
	*n = count;
	return v;
}

/* model.onnx with inputs 1.. of the graph made initializers from data set
 * 0, written to tmp; false when there is nothing to fold. */
static bool fold_inputs(const char *dir, const char *tmp)
{
	char path[8192];
	size_t len;
	snprintf(path, sizeof path, "%s/model.onnx", dir);
	uint8_t *buf = read_all(path, &len);
	if (!buf)
		return false;
	Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
	free(buf);
	if (!m || !m->graph || m->graph->n_input < 2) {
		if (m)
			onnx__model_proto__free_unpacked(m, NULL);
		return false;
	}
	Onnx__GraphProto *g = m->graph;
	size_t nin = g->n_input, ninit = g->n_initializer, k = 0;
	Onnx__TensorProto **init = xcalloc(ninit + nin, sizeof *init), **old_init = g->initializer;
	Onnx__TensorProto **fresh = xcalloc(nin, sizeof *fresh);
	if (ninit)
		memcpy(init, old_init, ninit * sizeof *init);
	bool ok = true;
	for (size_t i = 1; i < nin && ok; i++) {
		snprintf(path, sizeof path, "%s/test_data_set_0/input_%zu.pb", dir, i);
		Onnx__TensorProto *t = read_tensor(path);
		ok = t != NULL;
		if (ok) {
			free(t->name);
			t->name = strdup(g->input[i]->name);
			init[ninit + k] = fresh[k] = t;
			k++;
		}
	}
	if (ok) {
		g->initializer = init;
		g->n_initializer = ninit + k;
		g->n_input = 1;
		size_t n = onnx__model_proto__get_packed_size(m);
		uint8_t *out = xmalloc(n);
		onnx__model_proto__pack(m, out);
		FILE *f = fopen(tmp, "wb");
		ok = f && fwrite(out, 1, n, f) == n;
		if (f && fclose(f))
			ok = false;
		free(out);
		g->initializer = old_init;
		g->n_initializer = ninit;
		g->n_input = nin;
	}
	for (size_t i = 0; i < k; i++)
		onnx__tensor_proto__free_unpacked(fresh[i], NULL);
	free(fresh);
	free(init);
	onnx__model_proto__free_unpacked(m, NULL);
	return ok;
}

/* The tensor holding the model's value `name`: its own, or that of the op
 * the importer merged its node into (views, identities; nodes without a
 * name are named after their first output). */
static int out_tensor(const Graph *g, const char *name, int k)
{
	int u = name ? ir_find(g, name) : -1;
	for (int i = 0; u < 0 && name && i < g->nmerged; i++)
		if (strcmp(g->merged[2 * i], name) == 0 && g->merged[2 * i + 1])
			u = ir_find(g, g->merged[2 * i + 1]);
	/* a named node's output value is not an IR name: the k-th graph output */
	for (int t = 0; u < 0 && t < g->ntensors; t++)
		if (g->tensors[t].output && k-- == 0)
			u = t;
	return u;
}

/* Runs data set `set` of a case on g: PASS, FAIL (why in msg) or SKIP. */
static int run_set(const Graph *g, const char *dir, int set, char *msg, size_t msglen)
{
	char path[8192];
	const float *ins[NIN_MAX] = {0};
	float *owned[NIN_MAX] = {0};
	int nops_in = 0, rc = SKIP, given = 0;
	int slot[NIN_MAX]; /* OP_INPUT tensors in op order */
	for (int o = 0; o < g->nops; o++)
		if (g->ops[o].kind == OP_INPUT) {
			if (nops_in == NIN_MAX)
				return SKIP;
			slot[nops_in++] = g->ops[o].out[0];
		}
	FloatValues v = {0};
	for (int k = 0; k < NIN_MAX; k++) {
		snprintf(path, sizeof path, "%s/test_data_set_%d/input_%d.pb", dir, set, k);
		Onnx__TensorProto *t = read_tensor(path);
		if (!t)
			break;
		int j = 0;
		while (j < nops_in && strcmp(g->tensors[slot[j]].name, t->name ? t->name : "") != 0)
			j++;
		int64_t n;
		float *f = j < nops_in ? tensor_floats(t, &n) : NULL;
		onnx__tensor_proto__free_unpacked(t, NULL);
		if (j == nops_in)
			continue; /* folded into a constant */
		if (!f || n != ir_shape_elems(g->tensors[slot[j]].shape)) {
			free(f);
			goto out;
		}
		free(owned[j]);
		ins[j] = owned[j] = f;
		given++;
	}
	if (given != nops_in)
		goto out;
	Err e;
	if (reff_run(g, ins, &v, &e)) {
		snprintf(msg, msglen, "%s", e.msg);
		rc = FAIL;
		goto out;
	}
	rc = PASS;
	for (int k = 0; rc == PASS; k++) {
		snprintf(path, sizeof path, "%s/test_data_set_%d/output_%d.pb", dir, set, k);
		Onnx__TensorProto *t = read_tensor(path);
		if (!t)
			break;
		int u = out_tensor(g, t->name, k);
		int64_t n;
		float *want = tensor_floats(t, &n);
		if (!want) {
			rc = SKIP;
		} else if (u < 0 || n != ir_shape_elems(g->tensors[u].shape)) {
			snprintf(msg, msglen, "output %s: %s", t->name ? t->name : "?",
				 u < 0 ? "not in the graph" : "another element count");
			rc = FAIL;
		} else {
			for (int64_t i = 0; i < n && rc == PASS; i++) {
				double got = v.val[u][i], w = want[i];
				bool same = fabs(got - w) <= 1e-5 + 1e-3 * fabs(w) ||
					    (isnan(got) && isnan(w));
				if (!same) {
					snprintf(msg, msglen, "output %s[%lld] = %g, expected %g",
						 t->name, (long long)i, got, w);
					rc = FAIL;
				}
			}
		}
		free(want);
		onnx__tensor_proto__free_unpacked(t, NULL);
	}
out:
	reff_free(&v);
	for (int j = 0; j < NIN_MAX; j++)
		free(owned[j]);
	return rc;
}

/* The first opaque op of g (imported for its size only), or NULL. */
static const char *opaque_op(const Graph *g)
{
	for (int o = 0; o < g->nops; o++)
		if (g->ops[o].kind == OP_OPAQUE)
			return g->ops[o].name;
	return NULL;
}

static int run_case(const char *dir, const char *tmp, char *msg, size_t msglen)
{
	char path[8192];
	Err e;
	bool folded = false;
	snprintf(path, sizeof path, "%s/model.onnx", dir);
	Graph *g = model_load(path, &e);
	if ((!g || opaque_op(g)) && fold_inputs(dir, tmp)) {
		Graph *f = model_load(tmp, &e);
		if (f && (!g || !opaque_op(f))) {
			ir_free(g);
			g = f;
			folded = true;
		} else {
			ir_free(f);
		}
	}
	if (!g) {
		if (verbose)
			printf("skip %s: %s\n", dir, e.msg);
		return SKIP;
	}
	if (opaque_op(g)) {
		if (verbose)
			printf("skip %s: %s is opaque (imported for its size only)\n", dir,
			       opaque_op(g));
		ir_free(g);
		return SKIP;
	}
	int rc = SKIP; /* PASS once a data set passed, FAIL once one failed */
	for (int set = 0; rc != FAIL && (set < 1 || !folded); set++) {
		snprintf(path, sizeof path, "%s/test_data_set_%d", dir, set);
		if (access(path, F_OK) != 0)
			break;
		int r = run_set(g, dir, set, msg, msglen);
		if (r != SKIP)
			rc = r;
	}
	ir_free(g);
	return rc;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	const char *root = "/usr/include/onnx/backend/test/data/node";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else
			root = argv[i];
	}
	struct dirent **ents;
	int n = scandir(root, &ents, NULL, by_name);
	if (n < 0) {
		printf("node tests: %s: %s (package libonnx-testdata absent): skipped\n", root,
		       strerror(errno));
		return 77;
	}
	char tmpdir[] = "/tmp/serenity-node-XXXXXX", tmp[64];
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "onnx_node: temporary directory: %s\n", strerror(errno));
		return 1;
	}
	snprintf(tmp, sizeof tmp, "%s/model.onnx", tmpdir);
	int count[3] = {0};
	char **failed = xcalloc(n ? n : 1, sizeof *failed);
	int nfailed = 0;
	for (int i = 0; i < n; i++) {
		char dir[4096], msg[NERRMSG + 128] = "";
		if (ents[i]->d_name[0] == '.')
			goto next;
		snprintf(dir, sizeof dir, "%s/%s", root, ents[i]->d_name);
		int r = run_case(dir, tmp, msg, sizeof msg);
		count[r]++;
		if (r == FAIL) {
			size_t len = strlen(ents[i]->d_name) + strlen(msg) + 3;
			failed[nfailed] = xmalloc(len);
			snprintf(failed[nfailed++], len, "%s: %s", ents[i]->d_name, msg);
		}
		if (verbose && r == PASS)
			printf("pass %s\n", ents[i]->d_name);
next:
		free(ents[i]);
	}
	free(ents);
	remove(tmp);
	rmdir(tmpdir);
	printf("node tests: %d passed, %d failed, %d skipped (unsupported)\n", count[PASS],
	       count[FAIL], count[SKIP]);
	for (int i = 0; i < nfailed; i++) {
		printf("  FAILED %s\n", failed[i]);
		free(failed[i]);
	}
	free(failed);
	/* nothing the importer takes (none in this build): skipped, not passed */
	return count[FAIL] ? 1 : count[PASS] ? 0 : 77;
}
