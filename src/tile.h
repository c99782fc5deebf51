/* tile.h: spatial partitioning, the third identity rewrite (design in tile.c).
 *
 * A region of ops between two waists of the graph runs band by band: each
 * band of the region's output rows is computed by its own copy of the
 * region's ops over just the rows it needs of every tensor inside, so only
 * a band of each intermediate tensor is ever alive; a join puts the
 * output's bands together.  tile_apply chooses the regions and their bands
 * where the dp-scheduled peak falls, within a budget of extra MACs. */
#ifndef SERENITY_TILE_H
#define SERENITY_TILE_H

#include "ir.h"
#include "sched_dp.h"

typedef struct TileOpts {
	double max_overhead; /* extra MACs allowed, a fraction of the graph's */
	int max_bands;       /* bands of one region, at most */
} TileOpts;
#define TILE_DEFAULT_OVERHEAD 0.10
enum { TILE_DEFAULT_BANDS = 8, TILE_MAX_BANDS = 64 };

typedef struct TileStats {
	int regions;        /* regions partitioned */
	int bands;          /* their bands, in all */
	int tried;          /* (region, bands) candidates scheduled */
	int64_t macs_before, macs_after;
	int64_t peak_before;  /* the dp order's peak */
	int64_t peak_after;   /* the peak of that order with the regions run band
	                       * after band (the dp's order of the result can only
	                       * be lower) */
} TileStats;

/* Whether ops (a, b] of g (linked) form a region tile_region can
 * partition: every op in it is a convolution, a pooling, an elementwise sum
 * or activation or a concat; what it makes is read only inside it, but b's
 * tensor (its output, which anyone may read), of at least 2 rows; it may
 * read any tensor made by a or before (held whole). */
bool tile_applies(const Graph *g, int a, int b);

/* g (linked) with ops (a, b] run in nbands bands of b's output rows: a
 * band op is named after its op, "conv3/band2of8".  NULL with e set when
 * the region does not apply or a band's window cannot be expressed. */
Graph *tile_region(const Graph *g, int a, int b, int nbands, Err *e);

/* Partitions, one region at a time, wherever it lowers the dp-scheduled
 * peak most, until no region lowers it within the MAC budget.  Returns the
 * final graph (a copy of g if none helped). */
Graph *tile_apply(const Graph *g, const DpOpts *dp, const TileOpts *o, TileStats *st, Err *e);

#endif
