/* arena.h: one owner for the memory of a graph or a compilation.
 *
 * Everything allocated from an arena is freed at once by arena_free().
 * Allocations are zeroed and 16-byte aligned.  Counts that come from input
 * files go through arena_newvec(), which checks the multiplication for
 * overflow.  Running out of memory is not an input error: it aborts.
 */
#ifndef SERENITY_ARENA_H
#define SERENITY_ARENA_H

#include <stddef.h>

typedef struct Arena Arena;

Arena *arena_new(void);
void arena_free(Arena *a);
void *arena_alloc(Arena *a, size_t size);
void *arena_allocv(Arena *a, size_t elem, size_t count);
void *arena_grow(Arena *a, void *old, size_t elem, size_t oldcount, size_t newcount);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
size_t arena_bytes(const Arena *a);

/* malloc, calloc and realloc that abort when memory runs out (the arena's
 * policy), for scratch arrays outside any arena. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);

#define arena_new1(a, T) ((T *)arena_alloc((a), sizeof(T)))
#define arena_newvec(a, T, n) ((T *)arena_allocv((a), sizeof(T), (size_t)(n)))

/* Overflow-checked size arithmetic for sizes read from files. */
#include <stdbool.h>
#include <stdint.h>
static inline bool mul_ok_i64(int64_t a, int64_t b, int64_t *r)
{
	return !__builtin_mul_overflow(a, b, r);
}
static inline bool add_ok_i64(int64_t a, int64_t b, int64_t *r)
{
	return !__builtin_add_overflow(a, b, r);
}

#endif
