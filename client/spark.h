/*
 * spark.h - results drawn as a sparkline (spark.c): a block per ok
 * result as high as its latency, a cross per failure, a blank where
 * there is no result; oldest on the left, newest on the right.
 */
#ifndef FUTCTL_SPARK_H
#define FUTCTL_SPARK_H

#include <stddef.h>

#define SPARK_MAX_CELLS		60	/* show's line: at most this wide */
#define SPARK_LEVELS		8	/* heights of a block */
#define SPARK_LOG_RATIO		10	/* max / min from which the scale is
					   logarithmic */
#define SPARK_CELL_BYTES	3	/* "▁".."█", "✗": 3 bytes each */
#define SPARK_BUF		(SPARK_MAX_CELLS * SPARK_CELL_BYTES + 1)

enum spark_kind {
	SPARK_NONE,		/* no result: a blank */
	SPARK_OK,		/* a block */
	SPARK_FAIL,		/* a cross */
};

struct spark_point {
	enum spark_kind		 kind;
	unsigned long long	 us;	/* SPARK_OK: its latency */
};

/* What the heights mean: the ok results drawn, from min to max. */
struct spark_scale {
	unsigned long long	 min_us, max_us;
	size_t			 ok, failed;
	int			 log;	/* logarithmic, else linear */
};

size_t	 spark_draw(char *, size_t, const struct spark_point *, size_t,
	    size_t, int, struct spark_scale *);

#endif /* FUTCTL_SPARK_H */
