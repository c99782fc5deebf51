/* model.c: picks the importer for a MODEL argument. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "graphfile.h"
#include "onnx_import.h"
#include "randdag.h"
#include "zoo.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

Graph *model_load(const char *spec, Err *e)
{
	return model_load_opts(spec, NULL, e);
}

Graph *model_load_opts(const char *spec, const OnnxOpts *o, Err *e)
{
	if (o && o->nshapes && !ends_with(spec, ".onnx")) {
		err_set(e, "%s: --input-shape is for ONNX models (the others state their shapes)",
			spec);
		return NULL;
	}
	if (strncmp(spec, "zoo:", 4) == 0)
		return zoo_build(spec + 4, e);
	if (strncmp(spec, "random:", 7) == 0) {
		/* random:OPS[:SEED] */
		char *end;
		long n = strtol(spec + 7, &end, 10);
		unsigned long long seed = 1;
		if (*end == ':')
			seed = strtoull(end + 1, &end, 10);
		if (*end || n < 1 || n > NOPS_MAX) {
			err_set(e, "%s: expected random:OPS[:SEED] with 1 <= OPS <= %d", spec, NOPS_MAX);
			return NULL;
		}
		return randdag_new(seed, (int)n, 10);
	}
	if (ends_with(spec, ".onnx"))
		return onnx_import(spec, o, e);
	return gf_read(spec, e);
}
