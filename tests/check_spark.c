/*
 * check_spark.c - futctl's sparkline (client/spark.c) for known series of
 * latencies: the characters of each, on a linear and on a log scale,
 * with failures and gaps, newest on the right, in UTF-8 and in ASCII; a
 * TCase of the display suite, whose system tests see it through futctl.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../client/spark.h"
#include "tests.h"

#define OK(us)	{ SPARK_OK, (us) }
#define FAIL	{ SPARK_FAIL, 0 }
#define GAP	{ SPARK_NONE, 0 }
#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* Draw pts in cells, in UTF-8 or not: buf; the columns drawn checked. */
static const char *
draw(char *buf, const struct spark_point *pts, size_t n, size_t cells,
    int utf8, struct spark_scale *sc)
{
	size_t	 w;

	w = spark_draw(buf, SPARK_BUF, pts, n, cells, utf8, sc);
	ck_assert_uint_eq(w, cells < SPARK_MAX_CELLS ? cells :
	    SPARK_MAX_CELLS);
	return buf;
}

/* Columns of s on a terminal, by glibc's wcwidth() in C.UTF-8. */
static size_t
columns(const char *s)
{
	locale_t loc, old;
	mbstate_t st;
	wchar_t wc;
	size_t n, w = 0, len = strlen(s);

	loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	ck_assert_msg(loc != (locale_t)0, "no C.UTF-8 locale");
	old = uselocale(loc);
	memset(&st, 0, sizeof(st));
	while (len > 0) {
		n = mbrtowc(&wc, s, len, &st);
		ck_assert_msg(n != (size_t)-1 && n != (size_t)-2 && n > 0,
		    "not UTF-8: \"%s\"", s);
		ck_assert_msg(wcwidth(wc) == 1, "U+%04X takes %d columns",
		    (unsigned)wc, wcwidth(wc));
		w++;
		s += n;
		len -= n;
	}
	uselocale(old);
	freelocale(loc);
	return w;
}

/* 100 to 800 us in steps of 100: every height once, linear. */
START_TEST(test_spark_linear)
{
	static const struct spark_point pts[] = {
		OK(100), OK(200), OK(300), OK(400), OK(500), OK(600), OK(700),
		OK(800),
	};
	struct spark_scale sc;
	char buf[SPARK_BUF];

	ck_assert_str_eq(draw(buf, pts, N(pts), N(pts), 1, &sc),
	    "▁▂▃▄▅▆▇█");
	ck_assert_int_eq(sc.log, 0);
	ck_assert_uint_eq(sc.min_us, 100);
	ck_assert_uint_eq(sc.max_us, 800);
	ck_assert_uint_eq(sc.ok, 8);
	ck_assert_uint_eq(sc.failed, 0);
	ck_assert_uint_eq(columns(buf), 8);
	ck_assert_str_eq(draw(buf, pts, N(pts), N(pts), 0, &sc), "_.:-=+*#");

	/* newest on the right: the same, slowest first */
	{
		struct spark_point rev[N(pts)];
		size_t i;

		for (i = 0; i < N(pts); i++)
			rev[i] = pts[N(pts) - 1 - i];
		ck_assert_str_eq(draw(buf, rev, N(rev), N(rev), 1, &sc),
		    "█▇▆▅▄▃▂▁");
	}
}
END_TEST

/*
 * A decade a step, 1 us to 10 s: log, each height once; the same on a
 * linear scale would be all bottom but the last.  A 9x spread stays
 * linear; 10x is log.
 */
START_TEST(test_spark_log)
{
	static const struct spark_point pts[] = {
		OK(1), OK(10), OK(100), OK(1000), OK(10000), OK(100000),
		OK(1000000), OK(10000000),
	};
	static const struct spark_point nine[] = {
		OK(100), OK(900), OK(500),
	};
	static const struct spark_point ten[] = {
		OK(100), OK(1000), OK(320),
	};
	/* what log is for: one slow result among fast ones */
	static const struct spark_point spike[] = {
		OK(200), OK(400), OK(200), OK(50000), OK(400), OK(200),
	};
	struct spark_scale sc;
	char buf[SPARK_BUF];

	ck_assert_str_eq(draw(buf, pts, N(pts), N(pts), 1, &sc),
	    "▁▂▃▄▅▆▇█");
	ck_assert_int_eq(sc.log, 1);
	ck_assert_uint_eq(sc.min_us, 1);
	ck_assert_uint_eq(sc.max_us, 10000000);
	ck_assert_str_eq(draw(buf, pts, N(pts), N(pts), 0, &sc), "_.:-=+*#");

	ck_assert_str_eq(draw(buf, nine, N(nine), N(nine), 1, &sc), "▁█▅");
	ck_assert_int_eq(sc.log, 0);
	ck_assert_str_eq(draw(buf, ten, N(ten), N(ten), 1, &sc), "▁█▅");
	ck_assert_int_eq(sc.log, 1);
	/* (linear, 320 us would be ▃) */
	ck_assert_str_eq(draw(buf, spike, N(spike), N(spike), 1, &sc),
	    "▁▂▁█▂▁");
	ck_assert_int_eq(sc.log, 1);
}
END_TEST

/*
 * Failures are crosses, missing results blanks, neither counts in the
 * scale; a row of failures alone has no scale; all alike is flat.
 */
START_TEST(test_spark_failures)
{
	static const struct spark_point pts[] = {
		GAP, OK(100), FAIL, OK(800), GAP, OK(450), FAIL,
	};
	static const struct spark_point down[] = { FAIL, FAIL, FAIL };
	static const struct spark_point flat[] = { OK(40), OK(40), FAIL };
	struct spark_scale sc;
	char buf[SPARK_BUF];

	ck_assert_str_eq(draw(buf, pts, N(pts), N(pts), 1, &sc),
	    " ▁✗█ ▅✗");
	ck_assert_uint_eq(columns(buf), 7);
	ck_assert_uint_eq(sc.ok, 3);
	ck_assert_uint_eq(sc.failed, 2);
	ck_assert_uint_eq(sc.min_us, 100);
	ck_assert_uint_eq(sc.max_us, 800);
	ck_assert_str_eq(draw(buf, pts, N(pts), N(pts), 0, &sc), " _x# =x");

	ck_assert_str_eq(draw(buf, down, N(down), N(down), 1, &sc), "✗✗✗");
	ck_assert_uint_eq(sc.ok, 0);
	ck_assert_str_eq(draw(buf, down, N(down), N(down), 0, &sc), "xxx");
	ck_assert_str_eq(draw(buf, flat, N(flat), N(flat), 1, &sc), "▁▁✗");
	ck_assert_int_eq(sc.log, 0);
}
END_TEST

/*
 * More points than cells: the newest, and the scale theirs alone (an old
 * slow result no longer flattens the rest); fewer: blanks on the left,
 * the newest in the last cell.  Never more than SPARK_MAX_CELLS.
 */
START_TEST(test_spark_window)
{
	struct spark_point pts[SPARK_MAX_CELLS + 10];
	struct spark_scale sc;
	char buf[SPARK_BUF], want[SPARK_BUF];
	size_t i;

	pts[0] = (struct spark_point)OK(1000000);
	for (i = 1; i < N(pts); i++)
		pts[i] = (struct spark_point)OK(i % 2 ? 100 : 200);
	draw(buf, pts, N(pts), 16, 1, &sc);
	ck_assert_str_eq(buf, "█▁█▁█▁█▁█▁█▁█▁█▁");
	ck_assert_uint_eq(sc.max_us, 200);
	ck_assert_uint_eq(sc.ok, 16);

	draw(buf, pts, N(pts), 200, 0, &sc);
	ck_assert_uint_eq(strlen(buf), SPARK_MAX_CELLS);
	for (i = 0; i < SPARK_MAX_CELLS; i++)
		want[i] = i % 2 ? '_' : '#';
	want[i] = '\0';
	ck_assert_str_eq(buf, want);

	draw(buf, pts, N(pts), 200, 1, &sc);
	ck_assert_uint_eq(columns(buf), SPARK_MAX_CELLS);

	/* three results in sixteen cells */
	draw(buf, pts + 1, 3, 16, 1, &sc);
	ck_assert_str_eq(buf, "             ▁█▁");
	ck_assert_uint_eq(columns(buf), 16);
	draw(buf, pts, 0, 4, 0, &sc);
	ck_assert_str_eq(buf, "    ");
}
END_TEST

TCase *
spark_tcase(void)
{
	TCase *tc = tcase_create("spark");

	tcase_add_test(tc, test_spark_linear);
	tcase_add_test(tc, test_spark_log);
	tcase_add_test(tc, test_spark_failures);
	tcase_add_test(tc, test_spark_window);
	return tc;
}
