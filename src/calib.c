/* calib.c: calibration inputs from TensorProto files.
 *
 * Only the tensor's dims, data type and data are read (float_data or
 * little-endian raw_data); names are not matched, position is: input_K.pb
 * feeds the graph's K-th input, as in ONNX's test data.  A sample directory
 * must hold exactly one file per graph input.
 */
#include "calib.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "graphfile.h"
#include "onnx.pb-c.h"

enum { NSAMPLES_MAX = 1024, NFILE_MAX = 1 << 30 };

/* The float32 values of the tensor in path, which must have n elements. */
static float *read_tensor(const char *path, int64_t n, Err *e)
{
	size_t len;
	char *buf = gf_slurp(path, NFILE_MAX, &len, e);
	if (!buf)
		return NULL;
	Onnx__TensorProto *t = onnx__tensor_proto__unpack(NULL, len, (const uint8_t *)buf);
	free(buf);
	if (!t) {
		err_set(e, "%s: not an ONNX TensorProto", path);
		return NULL;
	}
	float *v = NULL;
	int64_t count = 1;
	for (size_t i = 0; i < t->n_dims; i++)
		if (t->dims[i] < 0 || !mul_ok_i64(count, t->dims[i], &count))
			count = -1;
	if (t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
		err_set(e, "%s: data type %d, not float32", path, t->data_type);
	} else if (count != n) {
		err_set(e, "%s: %lld elements, the graph input has %lld", path, (long long)count,
			(long long)n);
	} else if (t->has_raw_data && t->raw_data.len == (size_t)n * 4) {
		v = xmalloc((n ? n : 1) * sizeof *v);
		for (int64_t i = 0; i < n; i++) {
			const uint8_t *p = t->raw_data.data + 4 * i;
			uint32_t u = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
			memcpy(&v[i], &u, 4);
		}
	} else if (!t->has_raw_data && t->n_float_data == (size_t)n) {
		v = xmalloc((n ? n : 1) * sizeof *v);
		memcpy(v, t->float_data, n * sizeof *v);
	} else {
		err_set(e, "%s: data does not match its dims", path);
	}
	onnx__tensor_proto__free_unpacked(t, NULL);
	/* a NaN or an Inf would reach quantization's float -> int8 */
	for (int64_t i = 0; v && i < n; i++)
		if (!isfinite(v[i])) {
			err_set(e, "%s: element %lld is %s (calibration inputs must be finite)", path,
				(long long)i, isnan(v[i]) ? "NaN" : "Inf");
			free(v);
			v = NULL;
		}
	return v;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* One sample from dir into c->x[c->nsamples]. */
static int read_sample(const char *dir, const Graph *g, Calib *c, Err *e)
{
	char path[4096];
	float **x = xcalloc(c->ninputs ? c->ninputs : 1, sizeof *x);
	c->x[c->nsamples++] = x;
	for (int o = 0, k = 0; o < g->nops; o++) {
		if (g->ops[o].kind != OP_INPUT)
			continue;
		snprintf(path, sizeof path, "%s/input_%d.pb", dir, k);
		if (!(x[k] = read_tensor(path, ir_shape_elems(g->tensors[g->ops[o].out[0]].shape), e)))
			return -1;
		k++;
	}
	snprintf(path, sizeof path, "%s/input_%d.pb", dir, c->ninputs);
	if (is_file(path))
		return err_set(e, "%s: the graph has only %d inputs", path, c->ninputs);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int calib_read(const char *dir, const Graph *g, Calib *c, Err *e)
{
	memset(c, 0, sizeof *c);
	for (int o = 0; o < g->nops; o++)
		c->ninputs += g->ops[o].kind == OP_INPUT;
	c->x = xcalloc(NSAMPLES_MAX, sizeof *c->x);
	char path[4096];
	snprintf(path, sizeof path, "%s/input_0.pb", dir);
	if (is_file(path)) {
		if (read_sample(dir, g, c, e))
			goto fail;
		return 0;
	}
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, by_name), rc = 0;
	if (n < 0) {
		err_set(e, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
		char first[4096 + 16];
		snprintf(first, sizeof first, "%s/input_0.pb", path);
		if (!rc && ents[i]->d_name[0] != '.' && is_file(first)) {
			if (c->nsamples == NSAMPLES_MAX)
				rc = err_set(e, "%s: more than %d samples", dir, NSAMPLES_MAX);
			else
				rc = read_sample(path, g, c, e);
		}
		free(ents[i]);
	}
	free(ents);
	if (rc)
		goto fail;
	if (c->nsamples == 0) {
		err_set(e, "%s: no input_0.pb in it or in its subdirectories", dir);
		goto fail;
	}
	return 0;
fail:
	calib_free(c);
	return -1;
}

void calib_free(Calib *c)
{
	for (int k = 0; k < c->nsamples; k++) {
		for (int i = 0; i < c->ninputs; i++)
			free(c->x[k][i]);
		free(c->x[k]);
	}
	free(c->x);
	memset(c, 0, sizeof *c);
}
