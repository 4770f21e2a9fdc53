/*
 * svg.c - the latency graph and the phase bar of the status pages (see
 * svg.h).
 *
 * The graph is Smokeping's: time runs left to right, the newest result
 * at the right edge; the results are put in columns of equal time (one a
 * result while there are few), and each column shows the spread of its
 * successful latencies as grey smoke, their median as a green mark, and
 * its failures as a red cross at the top over a pale red band: a failure
 * reads by shape as well as colour.  A state change is a dashed blue
 * vertical line at its result's time.  The axis is linear from zero
 * unless the successful latencies span more than SVG_LOG_SPREAD (a LAN
 * hop and a timeout's neighbour in one graph), then logarithmic by
 * decades.
 *
 * Everything is drawn with presentation attributes, no CSS, no script,
 * no font named beyond "sans-serif": the page's style may be anything.
 * The one string from outside, the title, goes through html_text().
 */
#include <event2/buffer.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "probe.h"
#include "results.h"
#include "svg.h"

#define SVG_LOG_SPREAD	20	/* max / min beyond which the axis is log */
#define SVG_COL_PX	2	/* the narrowest column */
#define SVG_SMALL_MAX	120	/* results in a small graph */

#define SVG_OK		"#1a7f37"
#define SVG_SMOKE	"#9aa5b1"
#define SVG_FAIL	"#d1242f"
#define SVG_CHANGE	"#0550ae"
#define SVG_GRID	"#d0d7de"
#define SVG_TEXT	"#57606a"

struct svg_pt {
	int64_t		 ms;	/* wall clock, milliseconds */
	uint32_t	 us;	/* latency */
	uint8_t		 ok;
	uint8_t		 change;	/* the state changed with it */
};

struct svg_box {
	double		 left, top, w, h;	/* the plot, in pixels */
	double		 ymin, ymax;	/* microseconds at its bottom, top */
	int		 log;
	int64_t		 t0, t1;	/* milliseconds at its left, right */
	unsigned	 ncol;
};

/* 1, 2 or 5 times a power of ten, at least v */
static double
svg_nice(double v)
{
	double p = pow(10, floor(log10(v)));

	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

static double
svg_y(const struct svg_box *b, double us)
{
	double f;

	if (b->log)
		f = us <= b->ymin ? 0 : (log10(us) - log10(b->ymin)) /
		    (log10(b->ymax) - log10(b->ymin));
	else
		f = us / b->ymax;
	if (f > 1)
		f = 1;
	return b->top + b->h * (1 - f);
}

static double
svg_x_time(const struct svg_box *b, int64_t ms)
{
	if (b->t1 <= b->t0)
		return b->left + b->w;
	return b->left + b->w * (double)(ms - b->t0) / (double)(b->t1 -
	    b->t0);
}

static unsigned
svg_col(const struct svg_box *b, int64_t ms)
{
	if (b->t1 <= b->t0)
		return b->ncol - 1;
	return (unsigned)((double)(ms - b->t0) * (b->ncol - 1) /
	    (double)(b->t1 - b->t0) + 0.5);
}

static double
svg_x_col(const struct svg_box *b, unsigned col)
{
	return b->left + b->w * (col + 0.5) / b->ncol;
}

/*
 * The ring, oldest first, into pts (n of them at most); the results that
 * changed the state marked.  The count read.
 */
static size_t
svg_read(const struct results *r, struct svg_pt *pts, size_t n)
{
	struct hist_cursor c;
	struct probe_result pr;
	size_t i, k, got = 0;
	uint32_t back;

	results_cursor(&c, r);
	while (got < n && results_next(&c, &pr) == 0) {
		pts[got].ms = pr.wall_us / 1000;
		pts[got].us = pr.latency_us;
		pts[got].ok = pr.error == PERR_NONE;
		pts[got].change = 0;
		got++;
	}
	/* change_seq: the seq after the result that changed it (results.c) */
	for (k = 0; k < FLAP_KEEP && k < r->changes; k++) {
		back = r->seq - r->change_seq[k];
		if (back < got)
			pts[back].change = 1;
	}
	for (i = 0; i < got / 2; i++) {
		struct svg_pt t = pts[i];

		pts[i] = pts[got - 1 - i];
		pts[got - 1 - i] = t;
	}
	return got;
}

/* The axis the successful latencies want. */
static void
svg_scale(struct svg_box *b, const struct svg_pt *pts, size_t n)
{
	uint32_t lo = UINT32_MAX, hi = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (pts[i].ok) {
			if (pts[i].us < lo)
				lo = pts[i].us;
			if (pts[i].us > hi)
				hi = pts[i].us;
		}
	b->log = 0;
	b->ymin = 0;
	if (hi == 0) {
		b->ymax = 1000;		/* none, or all 0: a millisecond */
		return;
	}
	if (lo > 0 && (double)hi / lo > SVG_LOG_SPREAD) {
		b->log = 1;
		b->ymin = pow(10, floor(log10(lo)));
		b->ymax = pow(10, ceil(log10(hi)));
		if (b->ymax <= b->ymin)
			b->ymax = b->ymin * 10;
		return;
	}
	b->ymax = svg_nice(hi * 1.05);
}

static int
svg_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* One column: pts[from, to) all fall in col. */
static void
svg_column(struct evbuffer *out, const struct svg_box *b,
    const struct svg_pt *pts, size_t from, size_t to, unsigned col,
    uint32_t *tmp, double *med_y)
{
	double x = svg_x_col(b, col), cw = b->w / b->ncol, y0, y1, yc;
	size_t i, nok = 0, nfail = 0;

	for (i = from; i < to; i++) {
		if (pts[i].ok)
			tmp[nok++] = pts[i].us;
		else
			nfail++;
	}
	if (cw < SVG_COL_PX)
		cw = SVG_COL_PX;
	if (nfail > 0) {
		evbuffer_add_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\" fill=\"" SVG_FAIL "\" "
		    "fill-opacity=\"0.15\"/>", x - cw / 2, b->top, cw, b->h);
		yc = b->top + 4;
		evbuffer_add_printf(out, "<path class=\"fail\" d=\"M%.1f "
		    "%.1fl6 6m0 -6l-6 6\" stroke=\"" SVG_FAIL "\" "
		    "stroke-width=\"1.6\" fill=\"none\"/>", x - 3, yc - 3);
	}
	*med_y = -1;
	if (nok == 0)
		return;
	qsort(tmp, nok, sizeof(*tmp), svg_cmp_u32);
	y0 = svg_y(b, tmp[nok - 1]);
	y1 = svg_y(b, tmp[0]);
	if (nok > 1 && y1 - y0 >= 1)
		evbuffer_add_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\" fill=\"" SVG_SMOKE "\" "
		    "fill-opacity=\"0.6\"/>", x - cw / 2, y0, cw, y1 - y0);
	*med_y = svg_y(b, tmp[nok / 2]);
	evbuffer_add_printf(out, "<rect class=\"ok\" x=\"%.1f\" y=\"%.1f\" "
	    "width=\"%.1f\" height=\"2\" fill=\"" SVG_OK "\"/>", x - cw / 2,
	    *med_y - 1, cw);
}

/* The axis's lines and, on a large graph, its labels. */
static void
svg_axis(struct evbuffer *out, const struct svg_box *b, int labels)
{
	char num[HTML_NUM];
	double v, step, y;
	int i;

	for (i = 0; i <= 8; i++) {
		if (b->log) {
			v = b->ymin * pow(10, i);
			if (v > b->ymax * 1.001)
				break;
		} else {
			step = b->ymax / 4;
			v = step * i;
			if (i > 4)
				break;
		}
		y = svg_y(b, v);
		evbuffer_add_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\" stroke=\"" SVG_GRID "\" "
		    "stroke-width=\"1\"/>", b->left, y, b->left + b->w, y);
		if (labels)
			evbuffer_add_printf(out, "<text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"end\" font-size=\"11\" "
			    "fill=\"" SVG_TEXT "\">%s</text>", b->left - 4,
			    y + 4, html_ms(num, sizeof(num), (uint64_t)v));
	}
	if (!labels) {
		/* the top of a small graph, so its height means something */
		evbuffer_add_printf(out, "<text x=\"%.1f\" y=\"9\" "
		    "font-size=\"9\" fill=\"" SVG_TEXT "\">%s%s</text>",
		    b->left + 2, html_ms(num, sizeof(num), (uint64_t)b->ymax),
		    b->log ? " log" : "");
		return;
	}
	evbuffer_add_printf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
	    "fill=\"" SVG_TEXT "\">%s ago</text>", b->left, b->top + b->h +
	    16, html_ago(num, sizeof(num), (b->t1 - b->t0) * 1000));
	evbuffer_add_printf(out, "<text x=\"%.1f\" y=\"%.1f\" "
	    "text-anchor=\"end\" font-size=\"11\" fill=\"" SVG_TEXT "\">"
	    "newest%s</text>", b->left + b->w, b->top + b->h + 16, b->log ?
	    " (log scale)" : "");
}

/*
 * The columns, then the line through their medians, then the state
 * changes over both.  med: room for b->ncol medians' heights.
 */
static void
svg_plot(struct evbuffer *out, struct svg_box *b, const struct svg_pt *pts,
    size_t n, uint32_t *tmp, double *med)
{
	size_t i, from;
	unsigned col;
	double x;
	int line = 0;

	for (col = 0; col < b->ncol; col++)
		med[col] = -1;
	for (from = 0; from < n; from = i) {
		col = svg_col(b, pts[from].ms);
		for (i = from; i < n && svg_col(b, pts[i].ms) == col; i++)
			;
		svg_column(out, b, pts, from, i, col, tmp, &med[col]);
	}
	for (col = 0; col < b->ncol; col++) {
		if (med[col] < 0)
			continue;
		if (!line++)
			evbuffer_add_printf(out, "<polyline fill=\"none\" "
			    "stroke=\"" SVG_OK "\" stroke-opacity=\"0.6\" "
			    "stroke-width=\"1\" points=\"");
		evbuffer_add_printf(out, "%.1f,%.1f ", svg_x_col(b, col),
		    med[col]);
	}
	if (line)
		evbuffer_add_printf(out, "\"/>");
	for (i = 0; i < n; i++) {
		if (!pts[i].change)
			continue;
		x = svg_x_time(b, pts[i].ms);
		evbuffer_add_printf(out, "<line class=\"change\" x1=\"%.1f\" "
		    "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" SVG_CHANGE
		    "\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"/>", x,
		    b->top, x, b->top + b->h);
	}
}

/*
 * The graph spans what the ring would hold at the target's interval, the
 * newest result at the right edge: a young target's few results sit at
 * the right, not stretched over the width; a ring whose results are
 * further apart (slots skipped, a restart) is drawn whole.
 */
void
svg_latency(struct evbuffer *out, const struct results *r,
    const char *title, enum svg_size size, uint64_t interval_us)
{
	int large = size == SVG_LARGE;
	int width = large ? 800 : 240, height = large ? 260 : 40;
	size_t max = large ? r->ring_size : SVG_SMALL_MAX, n = 0;
	struct svg_box b;
	struct svg_pt *pts = NULL;
	uint32_t *tmp = NULL;
	double *med = NULL;

	memset(&b, 0, sizeof(b));
	b.left = large ? 64 : 2;
	b.top = large ? 10 : 2;
	b.w = width - b.left - (large ? 12 : 2);
	b.h = height - b.top - (large ? 26 : 2);
	evbuffer_add_printf(out, "<svg class=\"graph\" role=\"img\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\"><title>", width, height, width, height);
	html_text(out, title);
	evbuffer_add_printf(out, "</title><rect width=\"%d\" height=\"%d\" "
	    "fill=\"#ffffff\"/>", width, height);
	if (max > r->ring_size)
		max = r->ring_size;
	if (max > 0 && ((pts = calloc(max, sizeof(*pts))) == NULL ||
	    (tmp = calloc(max, sizeof(*tmp))) == NULL ||
	    (med = calloc(max, sizeof(*med))) == NULL))
		max = 0;	/* no memory: an empty graph says no more */
	if (max > 0)
		n = svg_read(r, pts, max);
	svg_scale(&b, pts, n);
	b.ncol = (unsigned)(max < b.w / SVG_COL_PX ? max : b.w / SVG_COL_PX);
	if (n > 0) {
		b.t1 = pts[n - 1].ms;
		b.t0 = b.t1 - (int64_t)(interval_us / 1000 * (max - 1));
		if (pts[0].ms < b.t0)
			b.t0 = pts[0].ms;
	}
	svg_axis(out, &b, large);
	if (n > 0)
		svg_plot(out, &b, pts, n, tmp, med);
	else
		evbuffer_add_printf(out, "<text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\" font-size=\"11\" fill=\""
		    SVG_TEXT "\">no results yet</text>", b.left + b.w / 2,
		    b.top + b.h / 2 + 4);
	evbuffer_add_printf(out, "</svg>");
	free(pts);
	free(tmp);
	free(med);
}

/* The phases of a result, in the order a probe passes them. */
static const struct {
	const char	*name;
	const char	*color;
} svg_phase[] = {
	{ "resolve", "#8250df" },
	{ "connect", "#0969da" },
	{ "TLS", "#bf8700" },
	{ "write", "#1a7f37" },
	{ "wait", "#9aa5b1" },
	{ "read", "#57606a" },
};
#define SVG_NPHASES	(sizeof(svg_phase) / sizeof(svg_phase[0]))

/* each phase's end, microseconds from the start; 0: not reached */
static void
svg_phase_ends(const struct probe_result *pr, uint32_t end[SVG_NPHASES])
{
	end[0] = pr->ph.resolve_us;
	end[1] = pr->ph.connect_us;
	end[2] = pr->ph.handshake_us;
	end[3] = pr->ph.write_us;
	end[4] = pr->ph.first_byte_us;
	end[5] = pr->ph.first_byte_us != 0 ? pr->latency_us : 0;
}

void
svg_phases(struct evbuffer *out, const struct probe_result *pr)
{
	const double left = 4, w = 792, top = 4, h = 22;
	uint32_t end[SVG_NPHASES], from = 0, total = pr->latency_us;
	char num[HTML_NUM];
	double x0, x1;
	size_t i;

	svg_phase_ends(pr, end);
	evbuffer_add_printf(out, "<svg class=\"phases\" role=\"img\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"48\" "
	    "viewBox=\"0 0 800 48\"><title>phases of the last result"
	    "</title><rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" "
	    "height=\"%.0f\" fill=\"#f6f8fa\" stroke=\"" SVG_GRID "\"/>",
	    left, top, w, h);
	if (total == 0)
		total = 1;
	for (i = 0; i < SVG_NPHASES; i++) {
		if (end[i] == 0 || end[i] < from)
			continue;
		x0 = left + w * from / total;
		x1 = left + w * (end[i] > total ? total : end[i]) / total;
		evbuffer_add_printf(out, "<rect class=\"phase\" x=\"%.1f\" "
		    "y=\"%.0f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\">"
		    "<title>%s %s</title></rect>", x0, top, x1 - x0 < 1 ? 1 :
		    x1 - x0, h, svg_phase[i].color, svg_phase[i].name,
		    html_ms(num, sizeof(num), end[i] - from));
		if (x1 - x0 > 60)
			evbuffer_add_printf(out, "<text x=\"%.1f\" y=\"%.0f\" "
			    "font-size=\"11\" fill=\"#ffffff\">%s</text>",
			    x0 + 3, top + 15, svg_phase[i].name);
		from = end[i];
	}
	if (pr->error != PERR_NONE) {
		/* where it failed: a cross at the end, not only red */
		x1 = left + w * (from > total ? total : from) / total;
		if (x1 > left + w - 14)
			x1 = left + w - 14;
		evbuffer_add_printf(out, "<path class=\"fail\" d=\"M%.1f "
		    "%.0fl10 10m0 -10l-10 10\" stroke=\"" SVG_FAIL "\" "
		    "stroke-width=\"2.5\" fill=\"none\"/>", x1 + 2, top + 6);
	}
	evbuffer_add_printf(out, "<text x=\"%.0f\" y=\"44\" font-size=\"11\" "
	    "fill=\"" SVG_TEXT "\">0</text><text x=\"%.0f\" y=\"44\" "
	    "text-anchor=\"end\" font-size=\"11\" fill=\"" SVG_TEXT "\">%s"
	    "</text></svg>", left, left + w, html_ms(num, sizeof(num),
	    pr->latency_us));
}
