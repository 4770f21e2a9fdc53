/*
 * spark.c - a row of results as a sparkline, the way spark(1) and
 * Smokeping's small graphs show a trend at a glance: ▁▂▃▄▅▆▇█ for an ok
 * result, lowest at the fastest of the row and highest at the slowest;
 * ✗ for a failure; a blank where there is no result.  Where the
 * terminal's characters are not UTF-8, _.:-=+*# and x: ASCII whose
 * heights still read as heights, and none of them a blank, which is a
 * missing result's.
 *
 * The scale is the row's own, min..max of its ok results: linear, unless
 * the slowest is SPARK_LOG_RATIO times the fastest or more, when a few
 * slow results would flatten all the others to the lowest block; then
 * logarithmic.  The caller says which in words (struct spark_scale).
 */
#include <math.h>
#include <string.h>

#include "spark.h"

static const char *const spark_utf8[SPARK_LEVELS] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char spark_ascii[SPARK_LEVELS + 1] = "_.:-=+*#";
#define SPARK_FAIL_UTF8		"\xe2\x9c\x97"	/* ✗ U+2717 */
#define SPARK_FAIL_ASCII	"x"

static unsigned	 spark_level(unsigned long long,
		    const struct spark_scale *);

/* The height of an ok result, 0 to SPARK_LEVELS - 1. */
static unsigned
spark_level(unsigned long long us, const struct spark_scale *sc)
{
	double	 lo, hi, v, f;

	if (sc->max_us <= sc->min_us)
		return 0;		/* all alike: flat, at the bottom */
	if (sc->log) {
		/* 0 us (a clock's grain) counts as 1 us: log(0) is not */
		lo = log((double)(sc->min_us > 0 ? sc->min_us : 1));
		hi = log((double)sc->max_us);
		v = log((double)(us > 0 ? us : 1));
	} else {
		lo = (double)sc->min_us;
		hi = (double)sc->max_us;
		v = (double)us;
	}
	f = (v - lo) / (hi - lo) * (SPARK_LEVELS - 1) + 0.5;
	if (f < 0)
		return 0;
	if (f >= SPARK_LEVELS - 1)
		return SPARK_LEVELS - 1;
	return (unsigned)f;
}

/*
 * Draw the newest cells of the n points (oldest first) into buf, a NUL
 * at the end: each a character one column wide, UTF-8 or ASCII as utf8
 * says.  Fewer points than cells: blanks on the left, so that rows of
 * a table end, newest, in the same column.  cells is at most
 * SPARK_MAX_CELLS and size at least SPARK_BUF.  The scale of what was
 * drawn in *sc; the columns drawn.
 */
size_t
spark_draw(char *buf, size_t size, const struct spark_point *pts, size_t n,
    size_t cells, int utf8, struct spark_scale *sc)
{
	const struct spark_point	*p;
	const char			*c;
	char				 one[2] = "";
	size_t				 i, off = 0, first, len;

	memset(sc, 0, sizeof(*sc));
	buf[0] = '\0';
	if (cells > SPARK_MAX_CELLS)
		cells = SPARK_MAX_CELLS;
	if (size < cells * SPARK_CELL_BYTES + 1)
		return 0;
	first = n > cells ? n - cells : 0;
	for (i = first; i < n; i++) {
		p = &pts[i];
		if (p->kind == SPARK_FAIL)
			sc->failed++;
		if (p->kind != SPARK_OK)
			continue;
		if (sc->ok == 0 || p->us < sc->min_us)
			sc->min_us = p->us;
		if (sc->ok == 0 || p->us > sc->max_us)
			sc->max_us = p->us;
		sc->ok++;
	}
	sc->log = sc->ok > 1 && sc->max_us >= SPARK_LOG_RATIO *
	    (sc->min_us > 0 ? sc->min_us : 1);

	for (i = n - first; i < cells; i++)
		buf[off++] = ' ';
	for (i = first; i < n; i++) {
		p = &pts[i];
		if (p->kind == SPARK_OK && utf8)
			c = spark_utf8[spark_level(p->us, sc)];
		else if (p->kind == SPARK_OK) {
			one[0] = spark_ascii[spark_level(p->us, sc)];
			c = one;
		} else if (p->kind == SPARK_FAIL)
			c = utf8 ? SPARK_FAIL_UTF8 : SPARK_FAIL_ASCII;
		else
			c = " ";
		len = strlen(c);
		memcpy(buf + off, c, len);
		off += len;
	}
	buf[off] = '\0';
	return cells;
}
