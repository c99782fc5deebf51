/* arena.c: bump allocator over a list of blocks. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NBLOCK = 64 * 1024, NALIGN = 16 };

typedef struct Block Block;
struct Block {
	Block *next;
	size_t size; /* usable bytes after the header */
	size_t used;
	_Alignas(NALIGN) unsigned char data[];
};

struct Arena {
	Block *head;
	size_t total; /* bytes handed out */
};

static void oom(size_t n)
{
	fprintf(stderr, "serenity: out of memory (%zu bytes)\n", n);
	abort();
}

Arena *arena_new(void)
{
	Arena *a = calloc(1, sizeof *a);
	if (!a)
		oom(sizeof *a);
	return a;
}

void arena_free(Arena *a)
{
	if (!a)
		return;
	for (Block *b = a->head, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void *arena_alloc(Arena *a, size_t size)
{
	size_t n = (size + NALIGN - 1) & ~(size_t)(NALIGN - 1);
	if (n < size)
		oom(size);
	Block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t bs = n > NBLOCK / 4 ? n : NBLOCK;
		if (bs > SIZE_MAX - sizeof *b)
			oom(size);
		Block *nb = malloc(sizeof *nb + bs);
		if (!nb)
			oom(size);
		nb->size = bs;
		nb->used = 0;
		/* A big allocation gets its own block behind the current one, so
		 * the current block's free tail is not wasted. */
		if (b && bs != NBLOCK) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	a->total += n;
	memset(p, 0, n);
	return p;
}

void *arena_allocv(Arena *a, size_t elem, size_t count)
{
	size_t n;
	if (__builtin_mul_overflow(elem, count, &n))
		oom(SIZE_MAX);
	return arena_alloc(a, n ? n : 1);
}

void *arena_grow(Arena *a, void *old, size_t elem, size_t oldcount, size_t newcount)
{
	void *p = arena_allocv(a, elem, newcount);
	if (old && oldcount)
		memcpy(p, old, elem * oldcount);
	return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(Arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

size_t arena_bytes(const Arena *a)
{
	return a->total;
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}
