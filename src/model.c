/* model.c: picks the importer for a MODEL argument. */
#include "model.h"

#include <string.h>

#include "graphfile.h"
#include "zoo.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

Graph *model_load(const char *spec, Err *e)
{
	if (strncmp(spec, "zoo:", 4) == 0)
		return zoo_build(spec + 4, e);
	if (ends_with(spec, ".onnx")) {
		err_set(e, "%s: ONNX import is not available in this build yet", spec);
		return NULL;
	}
	return gf_read(spec, e);
}
