/* treap.c: a treap (a binary search tree whose nodes also form a heap on
 * random priorities, so its depth is O(log n) expected) over preallocated
 * nodes 0..n-1, with the subtree maximum of the values kept on every
 * change.  The keys live in the nodes, so a comparison touches no other
 * memory.  The planner's sweep allocator keeps its live blocks in them,
 * by offset and by the size of the hole below each; plan_check keeps the
 * live blocks by offset. */
#include "treap.h"

#include <stdlib.h>

#include "arena.h"
#include "rng.h"

void treap_init(Treap *t, int n)
{
	t->node = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *t->node);
	uint64_t s = 0x7eab; /* the same shape on every run */
	for (int i = 0; i < n; i++)
		t->node[i] = (TreapNode){-1, -1, rng_next(&s), 0, 0, 0, 0};
	t->root = -1;
	t->work = NULL;
}

void treap_free(Treap *t)
{
	free(t->node);
	t->node = NULL;
}

static void count(const Treap *t)
{
	if (t->work)
		++*t->work;
}

/* (k1, k2, x) against member y */
static int cmp(const Treap *t, int64_t k1, int64_t k2, int x, int y)
{
	const TreapNode *b = &t->node[y];
	if (k1 != b->k1)
		return k1 < b->k1 ? -1 : 1;
	if (k2 != b->k2)
		return k2 < b->k2 ? -1 : 1;
	return (x > y) - (x < y);
}

static int cmp_nodes(const Treap *t, int x, int y)
{
	return cmp(t, t->node[x].k1, t->node[x].k2, x, y);
}

static void pull(Treap *t, int x)
{
	TreapNode *a = &t->node[x];
	int64_t m = a->val;
	if (a->l >= 0 && t->node[a->l].max > m)
		m = t->node[a->l].max;
	if (a->r >= 0 && t->node[a->r].max > m)
		m = t->node[a->r].max;
	a->max = m;
}

/* The subtree at y split into the members before x and the rest. */
static void split(Treap *t, int y, int x, int *a, int *b)
{
	if (y < 0) {
		*a = *b = -1;
		return;
	}
	count(t);
	if (cmp_nodes(t, y, x) < 0) {
		split(t, t->node[y].r, x, &t->node[y].r, b);
		*a = y;
	} else {
		split(t, t->node[y].l, x, a, &t->node[y].l);
		*b = y;
	}
	pull(t, y);
}

/* Every member of a sorts before every member of b. */
static int merge(Treap *t, int a, int b)
{
	if (a < 0 || b < 0)
		return a < 0 ? b : a;
	count(t);
	if (t->node[a].pri > t->node[b].pri) {
		t->node[a].r = merge(t, t->node[a].r, b);
		pull(t, a);
		return a;
	}
	t->node[b].l = merge(t, a, t->node[b].l);
	pull(t, b);
	return b;
}

static int insert(Treap *t, int y, int x)
{
	if (y < 0)
		return x;
	count(t);
	TreapNode *n = &t->node[y];
	if (t->node[x].pri > n->pri) {
		split(t, y, x, &t->node[x].l, &t->node[x].r);
		pull(t, x);
		return x;
	}
	if (cmp_nodes(t, x, y) < 0)
		n->l = insert(t, n->l, x);
	else
		n->r = insert(t, n->r, x);
	pull(t, y);
	return y;
}

void treap_insert(Treap *t, int x, int64_t k1, int64_t k2, int64_t val)
{
	TreapNode *a = &t->node[x];
	a->l = a->r = -1;
	a->k1 = k1;
	a->k2 = k2;
	a->val = a->max = val;
	t->root = insert(t, t->root, x);
}

static int erase(Treap *t, int y, int x)
{
	if (y < 0)
		return -1;
	count(t);
	TreapNode *n = &t->node[y];
	if (y == x)
		return merge(t, n->l, n->r);
	if (cmp_nodes(t, x, y) < 0)
		n->l = erase(t, n->l, x);
	else
		n->r = erase(t, n->r, x);
	pull(t, y);
	return y;
}

void treap_erase(Treap *t, int x)
{
	t->root = erase(t, t->root, x);
}

static void set(Treap *t, int y, int x, int64_t val)
{
	count(t);
	if (y == x)
		t->node[x].val = val;
	else
		set(t, cmp_nodes(t, x, y) < 0 ? t->node[y].l : t->node[y].r, x, val);
	pull(t, y);
}

void treap_set(Treap *t, int x, int64_t val)
{
	set(t, t->root, x, val);
}

int treap_prev(const Treap *t, int64_t k1, int64_t k2, int x)
{
	int best = -1;
	for (int y = t->root; y >= 0;) {
		count(t);
		if (cmp(t, k1, k2, x, y) > 0) {
			best = y;
			y = t->node[y].r;
		} else {
			y = t->node[y].l;
		}
	}
	return best;
}

int treap_next(const Treap *t, int64_t k1, int64_t k2, int x)
{
	int best = -1;
	for (int y = t->root; y >= 0;) {
		count(t);
		if (cmp(t, k1, k2, x, y) < 0) {
			best = y;
			y = t->node[y].l;
		} else {
			y = t->node[y].r;
		}
	}
	return best;
}

int treap_last(const Treap *t)
{
	int y = t->root;
	while (y >= 0 && t->node[y].r >= 0)
		y = t->node[y].r;
	return y;
}

int treap_first_reaching(const Treap *t, int64_t v)
{
	int y = t->root;
	if (y < 0 || t->node[y].max < v)
		return -1;
	for (;;) {
		count(t);
		const TreapNode *n = &t->node[y];
		if (n->l >= 0 && t->node[n->l].max >= v)
			y = n->l;
		else if (n->val >= v)
			return y;
		else
			y = n->r;
	}
}
