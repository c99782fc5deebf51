/* plot.h: line plots as SVG, for results people would rather look at. */
#ifndef SERENITY_PLOT_H
#define SERENITY_PLOT_H

#include "err.h"
#include "output.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct PlotSeries {
	const char *label;
	const int64_t *y; /* y[0..n) */
	int n;
	const int64_t *x; /* x[0..n), or NULL: x is the index, drawn as steps */
} PlotSeries;

/* An SVG line chart of up to 6 series, staged into `to` (out_stage): the
 * caller commits it, alone or with the files it belongs with. */
int plot_lines_svg(OutSet *to, const char *path, const char *title, const char *xlabel,
		   const char *ylabel, const PlotSeries *s, int ns, Err *e);

/* Lines with markers through (x, y) points, x on a log2 axis (SRAM sizes). */
int plot_xy_svg(OutSet *to, const char *path, const char *title, const char *xlabel,
		const char *ylabel, const PlotSeries *s, int ns, Err *e);

#endif
