/* strmap.h: a map from strings to ints (open addressing, FNV-1a), for
 * names: the IR's tensors, the ONNX importer's values and nodes.  Keys are
 * not copied: they must outlive the map. */
#ifndef SERENITY_STRMAP_H
#define SERENITY_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct StrMap {
	const char **key; /* NULL: empty slot */
	int *val;
	size_t cap, count;
} StrMap;

/* The value of k, or -1. */
int strmap_get(const StrMap *m, const char *k);
/* Adds k -> v unless k is there; returns false when it was. */
bool strmap_put(StrMap *m, const char *k, int v);
void strmap_free(StrMap *m);

#endif
