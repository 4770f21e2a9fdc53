/*
 * output_status.c - the text of `status`: one row per target, the worst
 * first, in a table of the columns the view asks for, as wide as the
 * terminal; under a target of addresses = "each", a row per address.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "futctl.h"
#include "parser.h"
#include "output_text.h"
#include "field.h"
#include "fmt.h"
#include "print.h"
#include "spark.h"
#include "table.h"

/*
 * The default status view keeps to the terminal's width (print_columns):
 * a longer name stands on a line of its own and its row follows, aligned,
 * on the next; CERT and LAST, the free text, are abbreviated and cut.
 */
#define STATUS_NAME_WRAP	20
#define STATUS_ADDR_INDENT	"  "	/* an address under its target */

/* A status column: its header, alignment, and whether -w is needed. */
enum status_col {
	COL_NAME,
	COL_PROBE,
	COL_TARGET,
	COL_STATE,
	COL_SINCE,
	COL_AVAIL,
	COL_P50,
	COL_P99,
	COL_LATENCY,
	COL_OKFAILED,
	COL_NEXT,
	COL_CERT,
	COL_LAST,
	COL_TREND,
	COL__MAX
};

static const struct {
	const char		*header;
	enum table_align	 align;
	int			 wide;		/* only with -w */
	int			 tls;		/* only when a TLS target is listed */
	int			 cut;		/* free text: cut to fit */
	int			 history;	/* only when futctl has histories */
} status_cols[COL__MAX] = {
	[COL_NAME] =		{ "NAME",	TABLE_LEFT,	0, 0, 0, 0 },
	[COL_PROBE] =		{ "PROBE",	TABLE_LEFT,	1, 0, 0, 0 },
	[COL_TARGET] =		{ "TARGET",	TABLE_LEFT,	1, 0, 0, 0 },
	[COL_STATE] =		{ "STATE",	TABLE_LEFT,	0, 0, 0, 0 },
	[COL_SINCE] =		{ "SINCE",	TABLE_RIGHT,	0, 0, 0, 0 },
	[COL_AVAIL] =		{ "AVAIL",	TABLE_RIGHT,	0, 0, 0, 0 },
	[COL_P50] =		{ "P50",	TABLE_RIGHT,	0, 0, 0, 0 },
	[COL_P99] =		{ "P99",	TABLE_RIGHT,	0, 0, 0, 0 },
	[COL_LATENCY] =		{ "LATENCY",	TABLE_RIGHT,	1, 0, 0, 0 },
	[COL_OKFAILED] =	{ "OK/FAILED",	TABLE_RIGHT,	1, 0, 0, 0 },
	[COL_NEXT] =		{ "NEXT",	TABLE_RIGHT,	1, 0, 0, 0 },
	[COL_CERT] =		{ "CERT",	TABLE_LEFT,	0, 1, 1, 0 },
	[COL_LAST] =		{ "LAST",	TABLE_LEFT,	0, 0, 1, 0 },
	[COL_TREND] =		{ "TREND",	TABLE_LEFT,	1, 0, 0, 1 },
};

/* status: the worst first, so that trouble is at the top. */
static const char *const status_order[] = {
	"down", "flapping", "unknown", "up", "disabled",
};

static void	 status_row(struct table *, size_t, const int *,
		    const json_t *);
static void	 status_since(char *, size_t, const json_t *);
static void	 status_last(char *, size_t, const json_t *, int);
static size_t	 status_addrs(struct table *, size_t, const int *,
		    const json_t *);
static int	 status_rank(const json_t *);
static int	 status_cmp(const void *, const void *);

/*
 * NAME               STATE  SINCE    AVAIL    P50    P99  LAST
 * closed             down   3m02s    0.00%      -      -  Connection refused
 * web                up     2h10m  100.00%  183us  412us  127.0.0.1:80
 * both               down      5s   50.00%  201us  230us  Connection refused
 *   127.0.0.1:80                    0.00%                 Connection refused
 *   [::1]:80                      100.00%                 ok in 201us
 *
 * Down first, then flapping, unknown, up, disabled; by name within each.
 * A disabled target's LAST says who disabled it, until when and why.  -w adds
 * the probe, host:port, last latency, counters and the next probe's time,
 * and cuts nothing.  When a TLS target is listed, CERT says how long its
 * certificate has (text_cert_cell).
 */
int
text_status(const json_t *data, const struct parse_result *res)
{
	static const char	*header[COL__MAX];
	static enum table_align	 align[COL__MAX];
	struct table		 t;
	const json_t		*targets, *target, **sorted;
	long long		 total = -1;
	int			 map[COL__MAX], tls = 0, hist = 0;
	size_t			 i, ncols = 0, nrows = 1, row;

	targets = json_object_get(data, "targets");
	if (!json_is_array(targets))
		return text_malformed("status without a \"targets\" array");
	json_array_foreach(targets, i, target)
		if (!json_is_object(target))
			return text_malformed("a target is not an object");

	if (json_array_size(targets) == 0) {
		(void)field_int(data, "total", &total);
		if (total == 0 || (total == -1 && res->pattern == NULL &&
		    res->state == NULL))
			print_line(stdout, "no targets configured");
		else
			print_line(stdout, "no targets match");
		return 0;
	}

	/* CERT only when there is a certificate to speak of */
	json_array_foreach(targets, i, target)
		if (json_is_object(json_object_get(target, "cert")))
			tls = 1;
	/* TREND when futctl asked for the histories (futctl_trend) */
	json_array_foreach(targets, i, target)
		if (json_is_array(json_object_get(target, "history")))
			hist = 1;

	/* the columns of this view: map[col] is its place, or -1 */
	for (i = 0; i < COL__MAX; i++) {
		map[i] = -1;
		if ((status_cols[i].wide && !res->wide) ||
		    (status_cols[i].tls && !tls) ||
		    (status_cols[i].history && !hist))
			continue;
		map[i] = (int)ncols;
		header[ncols] = status_cols[i].header;
		align[ncols] = status_cols[i].align;
		ncols++;
	}

	if ((sorted = calloc(json_array_size(targets), sizeof(*sorted))) ==
	    NULL) {
		print_warnx("%s", strerror(errno));
		exit(FUTCTL_EXIT_REPLY);
	}
	json_array_foreach(targets, i, target) {
		sorted[i] = target;
		nrows += 1 + json_array_size(json_object_get(target,
		    "addresses"));
	}
	qsort(sorted, json_array_size(targets), sizeof(*sorted), status_cmp);

	table_init(&t, ncols, nrows, align, header);
	if (!res->wide) {
		t.wrap = STATUS_NAME_WRAP;
		t.width = print_columns();
		for (i = 0; i < COL__MAX; i++)
			if (map[i] >= 0 && status_cols[i].cut)
				t.cut |= 1UL << map[i];
	}
	for (i = 0, row = 1; i < json_array_size(targets); i++) {
		status_row(&t, row++, map, sorted[i]);
		row += status_addrs(&t, row, map, sorted[i]);
	}
	table_print(&t);
	table_free(&t);
	free(sorted);
	return 0;
}

/* One target's row; map says where each column goes (-1: not shown). */
static void
status_row(struct table *t, size_t row, const int *map, const json_t *target)
{
	const json_t	*stats, *avail;
	const char	*s;
	struct spark_scale sc;
	char		 buf[512], ok[32], failed[32], trend[SPARK_BUF];
	double		 d;
	long long	 us;

#define CELL(col, ...) do {						\
	if (map[(col)] >= 0)						\
		table_cell(t, row, (size_t)map[(col)], __VA_ARGS__);	\
} while (0)

	s = field_str(target, "name");
	CELL(COL_NAME, "%s", s != NULL ? s : "-");
	s = field_str(target, "probe");
	CELL(COL_PROBE, "%s", s != NULL ? s : "-");
	text_target(buf, sizeof(buf), target);
	CELL(COL_TARGET, "%s", buf);
	s = field_str(target, "state");
	CELL(COL_STATE, "%s", s != NULL ? s : "-");

	status_since(buf, sizeof(buf), target);
	CELL(COL_SINCE, "%s", buf);

	avail = json_object_get(target, "availability");
	field_fmt_ratio(buf, sizeof(buf), avail, "lifetime");
	CELL(COL_AVAIL, "%s", buf);

	stats = json_object_get(target, "stats");
	field_fmt_us(buf, sizeof(buf), stats, "p50_us");
	CELL(COL_P50, "%s", buf);
	field_fmt_us(buf, sizeof(buf), stats, "p99_us");
	CELL(COL_P99, "%s", buf);

	if (field_int(target, "last_latency_us", &us) == 0)
		fmt_latency(buf, sizeof(buf), us);
	else
		snprintf(buf, sizeof(buf), "-");
	CELL(COL_LATENCY, "%s", buf);
	field_fmt_int(ok, sizeof(ok), target, "ok");
	field_fmt_int(failed, sizeof(failed), target, "failed");
	CELL(COL_OKFAILED, "%s/%s", ok, failed);

	/* 0: running, or waiting for a max_inflight slot; null: stopped */
	if (field_num(target, "next_probe_in_s", &d) == -1)
		snprintf(buf, sizeof(buf), "-");
	else if (d <= 0)
		snprintf(buf, sizeof(buf), "now");
	else
		fmt_duration(buf, sizeof(buf), d);
	CELL(COL_NEXT, "%s", buf);

	text_cert_cell(buf, sizeof(buf), target, 0);
	CELL(COL_CERT, "%s", buf);
	if (map[COL_CERT] >= 0) {
		text_cert_cell(buf, sizeof(buf), target, 1);
		table_cell_short(t, row, (size_t)map[COL_CERT], "%s", buf);
	}

	status_last(buf, sizeof(buf), target, 0);
	CELL(COL_LAST, "%s", buf);
	if (map[COL_LAST] >= 0) {
		status_last(buf, sizeof(buf), target, 1);
		table_cell_short(t, row, (size_t)map[COL_LAST], "%s", buf);
	}

	/*
	 * its own scale: the numbers are P50's, P99's and LATENCY's; no
	 * result yet, no blanks at the end of the line
	 */
	if (map[COL_TREND] >= 0 &&
	    json_array_size(json_object_get(target, "history")) > 0) {
		text_spark(trend, sizeof(trend), json_object_get(target,
		    "history"), STATUS_TREND_CELLS, &sc);
		CELL(COL_TREND, "%s", trend);
	}
#undef CELL
}

/*
 * SINCE: how long the target has been so; a flapping one, since when it
 * flaps (futd's "flapping_for_s"), not since its last flip.
 */
static void
status_since(char *buf, size_t size, const json_t *target)
{
	const char	*state = field_str(target, "state");
	double		 d;

	if (state != NULL && strcmp(state, "flapping") == 0 &&
	    field_num(target, "flapping_for_s", &d) == 0)
		fmt_age(buf, size, d);
	else if (field_num(target, "for_s", &d) == 0)
		fmt_age(buf, size, d);
	else if (field_num(target, "since", &d) == 0)
		fmt_age(buf, size, (double)time(NULL) - d);
	else
		snprintf(buf, size, "-");
}

/*
 * LAST: why the last probe failed, else who answered it.  A result that
 * goes against the state says so, and how far it has come towards
 * changing it: a down target whose last probe succeeded reads
 * "ok 127.0.0.1:80 (1 of rise 2)", not an address that looks like all
 * is well; an up one whose last probe failed, "Connection refused (1 of
 * fall 3)".  brief, for a narrow table: the error's class instead of its
 * words ("refused"), "ok" instead of the address.
 */
static void
status_last(char *buf, size_t size, const json_t *target, int brief)
{
	const char	*s, *base = field_str(target, "base_state");
	const char	*peer = field_str(target, "peer");
	char		 streak[64] = "";
	long long	 n, of;
	int		 good, against;

	if (peer == NULL)
		peer = "-";
	/* a disabled target's last probe is old news: who, until, why */
	if (json_is_object(json_object_get(target, "maintenance"))) {
		text_maint_words(buf, size, target, brief);
		return;
	}
	if (field_bool(target, "last_ok", &good) == -1) {
		snprintf(buf, size, "%s", peer);
		return;
	}
	against = base != NULL && strcmp(base, good ? "down" : "up") == 0;
	if (against && field_int(target, "streak", &n) == 0 && n > 0 &&
	    field_int(target, good ? "rise" : "fall", &of) == 0)
		snprintf(streak, sizeof(streak), " (%lld of %s %lld)", n,
		    good ? "rise" : "fall", of);
	if (!good) {
		s = field_str(target, brief ? "error" : "last_error");
		if (s == NULL && (s = field_str(target, brief ? "last_error" :
		    "error")) == NULL)
			s = "failed";
		snprintf(buf, size, "%s%s", s, streak);
	} else if (brief || against)
		snprintf(buf, size, "ok%s%s%s", brief ? "" : " ",
		    brief ? "" : peer, streak);
	else
		snprintf(buf, size, "%s", peer);
}

/*
 * addresses = "each": a row per address under its target's, the address
 * indented in NAME, its own availability, counters, last latency and
 * last result; the rest blank, as it belongs to the target.  The rows.
 */
static size_t
status_addrs(struct table *t, size_t row, const int *map,
    const json_t *target)
{
	const json_t	*addrs = json_object_get(target, "addresses");
	const json_t	*a, *last;
	const char	*s;
	char		 buf[512], ok[32], failed[32];
	long long	 nok, nfailed, us;
	size_t		 i;
	int		 good;

#define CELL(col, ...) do {						\
	if (map[(col)] >= 0)						\
		table_cell(t, row + i, (size_t)map[(col)], __VA_ARGS__);	\
} while (0)

	json_array_foreach(addrs, i, a) {
		s = field_str(a, "address");
		CELL(COL_NAME, STATUS_ADDR_INDENT "%s", s != NULL ? s : "-");
		/* in doubles: two counts near LLONG_MAX must not overflow */
		if (field_int(a, "ok", &nok) == 0 &&
		    field_int(a, "failed", &nfailed) == 0 && nok >= 0 &&
		    nfailed >= 0 && (double)nok + (double)nfailed > 0)
			fmt_percent(buf, sizeof(buf), (double)nok /
			    ((double)nok + (double)nfailed));
		else
			snprintf(buf, sizeof(buf), "-");
		CELL(COL_AVAIL, "%s", buf);
		field_fmt_int(ok, sizeof(ok), a, "ok");
		field_fmt_int(failed, sizeof(failed), a, "failed");
		CELL(COL_OKFAILED, "%s/%s", ok, failed);

		last = json_object_get(a, "last");
		if (field_int(last, "latency_us", &us) == 0)
			fmt_latency(buf, sizeof(buf), us);
		else
			snprintf(buf, sizeof(buf), "-");
		CELL(COL_LATENCY, "%s", buf);
		if (!json_is_object(last))
			CELL(COL_LAST, "-");
		else if (field_bool(last, "ok", &good) == 0 && good)
			CELL(COL_LAST, "ok in %s", buf);
		else {
			s = field_str(last, "message");
			CELL(COL_LAST, "%s", s != NULL ? s : "failed");
			/* brief: the class, as the target's row has it */
			if (map[COL_LAST] >= 0 &&
			    (s = field_str(last, "error")) != NULL)
				table_cell_short(t, row + i,
				    (size_t)map[COL_LAST], "%s", s);
		}
	}
#undef CELL
	return json_array_size(addrs);
}

static int
status_rank(const json_t *target)
{
	const char	*s = field_str(target, "state");
	size_t		 i;

	for (i = 0; s != NULL &&
	    i < sizeof(status_order) / sizeof(status_order[0]); i++)
		if (strcmp(s, status_order[i]) == 0)
			return (int)i;
	return (int)(sizeof(status_order) / sizeof(status_order[0]));
}

static int
status_cmp(const void *a, const void *b)
{
	const json_t	*x = *(const json_t *const *)a;
	const json_t	*y = *(const json_t *const *)b;
	const char	*nx, *ny;
	int		 rx = status_rank(x), ry = status_rank(y);

	if (rx != ry)
		return rx - ry;
	nx = field_str(x, "name");
	ny = field_str(y, "name");
	return strcmp(nx != NULL ? nx : "", ny != NULL ? ny : "");
}
