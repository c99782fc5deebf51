/* strmap.c: the string map of strmap.h. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static size_t probe(const StrMap *m, const char *k)
{
	size_t i = fnv(k) & (m->cap - 1);
	while (m->key[i] && strcmp(m->key[i], k) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

int strmap_get(const StrMap *m, const char *k)
{
	if (!m->cap)
		return -1;
	size_t i = probe(m, k);
	return m->key[i] ? m->val[i] : -1;
}

bool strmap_put(StrMap *m, const char *k, int v)
{
	if ((m->count + 1) * 2 > m->cap) {
		StrMap old = *m;
		m->cap = old.cap ? 2 * old.cap : 64;
		m->key = xcalloc(m->cap, sizeof *m->key);
		m->val = xcalloc(m->cap, sizeof *m->val);
		for (size_t i = 0; i < old.cap; i++)
			if (old.key[i]) {
				size_t j = probe(m, old.key[i]);
				m->key[j] = old.key[i];
				m->val[j] = old.val[i];
			}
		free(old.key);
		free(old.val);
	}
	size_t i = probe(m, k);
	if (m->key[i])
		return false;
	m->key[i] = k;
	m->val[i] = v;
	m->count++;
	return true;
}

void strmap_free(StrMap *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof *m);
}
