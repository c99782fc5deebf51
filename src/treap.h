/* treap.h: an ordered set of the integers 0..n-1 (buffers, for the
 * planner), ordered by two keys and then the integer, each member
 * carrying a value; the largest value of every subtree is kept, so the
 * first member whose value reaches a bound is found without a scan.
 * Insert, erase, neighbours, a new value and that search take expected
 * O(log n). */
#ifndef SERENITY_TREAP_H
#define SERENITY_TREAP_H

#include <stdint.h>

typedef struct TreapNode {
	int l, r;      /* children, -1: none */
	uint64_t pri;  /* heap priority, seeded */
	int64_t k1, k2; /* the keys, while a member */
	int64_t val;   /* the member's value */
	int64_t max;   /* the largest value in its subtree */
} TreapNode;

typedef struct Treap {
	TreapNode *node;
	int root;      /* -1: empty */
	int64_t *work; /* nodes visited are added here, when set (complexity tests) */
} Treap;

void treap_init(Treap *t, int n);
void treap_free(Treap *t);
void treap_insert(Treap *t, int x, int64_t k1, int64_t k2, int64_t val);
void treap_erase(Treap *t, int x);
/* x's value, x a member */
void treap_set(Treap *t, int x, int64_t val);
/* The member just before or after (k1, k2, x) in the order (x need not
 * be a member), or -1. */
int treap_prev(const Treap *t, int64_t k1, int64_t k2, int x);
int treap_next(const Treap *t, int64_t k1, int64_t k2, int x);
/* The last member, or -1. */
int treap_last(const Treap *t);
/* The first member in the order whose value is at least v, or -1. */
int treap_first_reaching(const Treap *t, int64_t v);

#endif
