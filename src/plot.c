/* plot.c: SVG line charts, written by hand: axes with round ticks, one
 * polyline per series, the peak of each marked, a legend. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

enum { W = 900, H = 460, ML = 90, MR = 30, MT = 50, MB = 60 };

static const char *colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

typedef struct Chart {
	const char *title, *xlabel, *ylabel;
	const PlotSeries *s;
	int ns;
	bool logx; /* x values on a log2 axis */
} Chart;

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

static double nice_step(double range, int ticks)
{
	double raw = range / ticks, mag = pow(10, floor(log10(raw))), r = raw / mag;
	return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

static void label_bytes(char *buf, size_t n, double v)
{
	if (v >= 1 << 20)
		snprintf(buf, n, "%.4g MiB", v / 1048576);
	else if (v >= 1024)
		snprintf(buf, n, "%.4g KiB", v / 1024);
	else
		snprintf(buf, n, "%.4g", v);
}

static int write_chart(FILE *f, const void *arg)
{
	const Chart *c = arg;
	double xmin = 0, xmax = 1;
	double ymax = 1;
	bool first = true;
	for (int k = 0; k < c->ns; k++) {
		if (!c->logx && c->s[k].n > xmax)
			xmax = c->s[k].n;
		for (int i = 0; i < c->s[k].n; i++) {
			if (c->s[k].y[i] > ymax)
				ymax = (double)c->s[k].y[i];
			if (c->logx) {
				double lx = log2((double)(c->s[k].x[i] > 0 ? c->s[k].x[i] : 1));
				xmin = first || lx < xmin ? lx : xmin;
				xmax = first || lx > xmax ? lx : xmax;
				first = false;
			}
		}
	}
	if (c->logx && xmax - xmin < 1) {
		xmin -= 0.5;
		xmax += 0.5;
	}
	/* round ticks in the unit the labels use */
	double unit = ymax >= 1 << 20 ? 1 << 20 : ymax >= 1024 ? 1024 : 1;
	double ystep = nice_step(ymax / unit, 6) * unit;
	double ytop = ceil(ymax / ystep) * ystep;
	double xstep = nice_step(xmax, 8);
	double pw = W - ML - MR, ph = H - MT - MB;
#define PX(x) (ML + ((x) - xmin) / (xmax - xmin) * pw)
#define PY(y) (MT + ph - (y) / ytop * ph)
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		W, H, W, H);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"24\" font-size=\"15\" text-anchor=\"middle\">", W / 2);
	xml_text(f, c->title);
	fprintf(f, "</text>\n");
	for (double y = 0; y <= ytop + 1e-9; y += ystep) {
		char buf[32];
		label_bytes(buf, sizeof buf, y);
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
			ML, W - MR, PY(y), PY(y));
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", ML - 6,
			PY(y) + 4, buf);
	}
	if (c->logx) {
		for (double x = ceil(xmin); x <= xmax + 1e-9; x += 1) {
			char buf[32];
			label_bytes(buf, sizeof buf, pow(2, x));
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
				PX(x), H - MB + 18, buf);
		}
	} else {
		for (double x = 0; x <= xmax + 1e-9; x += xstep)
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>\n",
				PX(x), H - MB + 18, x);
	}
	fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", ML, W - MR,
		H - MB, H - MB);
	fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", ML, ML, MT,
		H - MB);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", ML + (int)pw / 2, H - 18);
	xml_text(f, c->xlabel);
	fprintf(f, "</text>\n<text x=\"18\" y=\"%d\" text-anchor=\"middle\" "
		   "transform=\"rotate(-90 18 %d)\">",
		MT + (int)ph / 2, MT + (int)ph / 2);
	xml_text(f, c->ylabel);
	fprintf(f, "</text>\n");
	for (int k = c->ns - 1; k >= 0; k--) {
		const PlotSeries *s = &c->s[k];
		const char *col = colors[k % 6];
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", col);
		int peak = 0;
		for (int i = 0; i < s->n; i++) {
			if (c->logx) /* a line through the points */
				fprintf(f, "%.1f,%.1f ", PX(log2((double)s->x[i])), PY(s->y[i]));
			else /* a step function: the value holds while op i runs */
				fprintf(f, "%.1f,%.1f %.1f,%.1f ", PX(i), PY(s->y[i]), PX(i + 1),
					PY(s->y[i]));
			if (s->y[i] > s->y[peak])
				peak = i;
		}
		fprintf(f, "\"/>\n");
		if (c->logx)
			for (int i = 0; i < s->n; i++)
				fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n",
					PX(log2((double)s->x[i])), PY(s->y[i]), col);
		if (s->n && !c->logx) {
			char buf[32];
			label_bytes(buf, sizeof buf, (double)s->y[peak]);
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n",
				PX(peak + 0.5), PY(s->y[peak]), col);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">peak %s</text>\n",
				PX(peak + 0.5) + 6, PY(s->y[peak]) - 6, col, buf);
		}
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" fill=\"%s\"/>\n",
			W - MR - 260, MT + 8 + 18 * k, col);
		fprintf(f, "<text x=\"%d\" y=\"%d\">", W - MR - 240, MT + 14 + 18 * k);
		xml_text(f, s->label);
		fprintf(f, "</text>\n");
	}
	fprintf(f, "</svg>\n");
#undef PX
#undef PY
	return ferror(f) ? -1 : 0;
}

static int plot(OutSet *to, const char *path, const Chart *c, Err *e)
{
	if (c->ns < 1 || c->ns > 6)
		return err_set(e, "%s: a plot takes 1 to 6 series", path);
	size_t n = strlen(path);
	if (n < 4 || strcmp(path + n - 4, ".svg") != 0)
		return err_set(e, "%s: plots are written as SVG (name the file .svg)", path);
	return out_stage(to, path, write_chart, c, e);
}

int plot_lines_svg(OutSet *to, const char *path, const char *title, const char *xlabel,
		   const char *ylabel, const PlotSeries *s, int ns, Err *e)
{
	Chart c = {title, xlabel, ylabel, s, ns, false};
	return plot(to, path, &c, e);
}

int plot_xy_svg(OutSet *to, const char *path, const char *title, const char *xlabel,
		const char *ylabel, const PlotSeries *s, int ns, Err *e)
{
	for (int k = 0; k < ns; k++)
		if (!s[k].x)
			return err_set(e, "%s: series %d has no x values", path, k);
	Chart c = {title, xlabel, ylabel, s, ns, true};
	return plot(to, path, &c, e);
}
