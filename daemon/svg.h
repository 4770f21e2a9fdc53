/*
 * svg.h - the status pages' pictures (svg.c), drawn by the daemon as
 * inline SVG: nothing fetched, no script.
 *
 *	svg_latency()	a target's history ring, Smokeping-style: the spread
 *			and the median of each column of results over time,
 *			failures as red crosses, state changes as dashed
 *			vertical lines, on a linear or a log axis
 *	svg_phases()	one result's phases as a stacked bar
 */
#ifndef FUTD_SVG_H
#define FUTD_SVG_H

#include <stdint.h>

struct evbuffer;
struct probe_result;
struct results;

/* How big a latency graph, and whether it has axes and labels. */
enum svg_size {
	SVG_SMALL,	/* a row of the list: 240 x 40, newest 120 results */
	SVG_LARGE,	/* a target's page: 800 x 260, the whole ring */
};

void	 svg_latency(struct evbuffer *, const struct results *,
	    const char *, enum svg_size, uint64_t);
void	 svg_phases(struct evbuffer *, const struct probe_result *);

#endif /* FUTD_SVG_H */
