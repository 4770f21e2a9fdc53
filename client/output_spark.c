/*
 * output_spark.c - a target's history (futd's "history", newest first)
 * as the sparkline of show and of status -w (spark.c), and its scale in
 * words.
 */
#include <stdio.h>

#include "output_text.h"
#include "field.h"
#include "fmt.h"
#include "print.h"
#include "spark.h"

/*
 * The newest cells results of history as a sparkline into buf (at least
 * SPARK_BUF), blanks on the left for the results it does not have; a
 * result that is neither ok nor failed, or ok without a latency, is a
 * blank too.  The scale in *sc; the columns drawn.
 */
size_t
text_spark(char *buf, size_t size, const json_t *history, size_t cells,
    struct spark_scale *sc)
{
	struct spark_point	 pts[SPARK_MAX_CELLS];
	const json_t		*result;
	size_t			 n, i;
	long long		 us;
	int			 good;

	n = json_array_size(history);
	if (cells > SPARK_MAX_CELLS)
		cells = SPARK_MAX_CELLS;
	if (n > cells)
		n = cells;
	/* futd's newest first; the line's oldest first */
	for (i = 0; i < n; i++) {
		result = json_array_get(history, n - 1 - i);
		pts[i].kind = SPARK_NONE;
		pts[i].us = 0;
		if (field_bool(result, "ok", &good) == -1)
			continue;
		if (!good)
			pts[i].kind = SPARK_FAIL;
		else if (field_int(result, "latency_us", &us) == 0 && us >= 0) {
			pts[i].kind = SPARK_OK;
			pts[i].us = (unsigned long long)us;
		}
	}
	return spark_draw(buf, size, pts, n, cells, print_utf8(), sc);
}

/*
 * What the heights of a sparkline mean: "latency 183us–1.81ms, log",
 * "latency 40us, flat" when every ok result took the same, "no ok
 * result" when there is none to scale.
 */
void
text_spark_scale(char *buf, size_t size, const struct spark_scale *sc)
{
	char	 lo[32], hi[32];

	if (sc->ok == 0) {
		snprintf(buf, size, "no ok result");
		return;
	}
	fmt_latency(lo, sizeof(lo), (long long)sc->min_us);
	fmt_latency(hi, sizeof(hi), (long long)sc->max_us);
	if (sc->min_us == sc->max_us)
		snprintf(buf, size, "latency %s, flat", lo);
	else
		snprintf(buf, size, "latency %s%s%s, %s", lo,
		    print_utf8() ? "\xe2\x80\x93" : "-", hi,
		    sc->log ? "log" : "linear");
}
