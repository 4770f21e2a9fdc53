/*
 * output_status.c - the text of `status`: one row per target, the worst
 * first, in a table of the columns the view asks for.
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
#include "table.h"

/*
 * The default status view keeps to 80 columns where it can: a longer name
 * stands on a line of its own and its row follows, aligned, on the next.
 */
#define STATUS_NAME_WRAP	20

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
	COL__MAX
};

static const struct {
	const char		*header;
	enum table_align	 align;
	int			 wide;		/* only with -w */
	int			 tls;		/* only when a TLS target is listed */
} status_cols[COL__MAX] = {
	[COL_NAME] =		{ "NAME",	TABLE_LEFT,	0, 0 },
	[COL_PROBE] =		{ "PROBE",	TABLE_LEFT,	1, 0 },
	[COL_TARGET] =		{ "TARGET",	TABLE_LEFT,	1, 0 },
	[COL_STATE] =		{ "STATE",	TABLE_LEFT,	0, 0 },
	[COL_SINCE] =		{ "SINCE",	TABLE_RIGHT,	0, 0 },
	[COL_AVAIL] =		{ "AVAIL",	TABLE_RIGHT,	0, 0 },
	[COL_P50] =		{ "P50",	TABLE_RIGHT,	0, 0 },
	[COL_P99] =		{ "P99",	TABLE_RIGHT,	0, 0 },
	[COL_LATENCY] =		{ "LATENCY",	TABLE_RIGHT,	1, 0 },
	[COL_OKFAILED] =	{ "OK/FAILED",	TABLE_RIGHT,	1, 0 },
	[COL_NEXT] =		{ "NEXT",	TABLE_RIGHT,	1, 0 },
	[COL_CERT] =		{ "CERT",	TABLE_LEFT,	0, 1 },
	[COL_LAST] =		{ "LAST",	TABLE_LEFT,	0, 0 },
};

/* status: the worst first, so that trouble is at the top. */
static const char *const status_order[] = {
	"down", "flapping", "unknown", "up",
};

static void	 status_row(struct table *, size_t, const int *,
		    const json_t *);
static int	 status_rank(const json_t *);
static int	 status_cmp(const void *, const void *);

/*
 * NAME    STATE  SINCE    AVAIL    P50    P99  LAST
 * closed  down   3m02s    0.00%      -      -  Connection refused
 * web     up     2h10m  100.00%  183us  412us  127.0.0.1:80
 *
 * Down first, then flapping, unknown, up; by name within each.  -w adds
 * the probe, host:port, last latency, counters and the next probe's time.
 * When a TLS target is listed, CERT says how long its certificate has
 * (text_cert_cell).
 */
int
text_status(const json_t *data, const struct parse_result *res)
{
	static const char	*header[COL__MAX];
	static enum table_align	 align[COL__MAX];
	struct table		 t;
	const json_t		*targets, *target, **sorted;
	long long		 total = -1;
	int			 map[COL__MAX], tls = 0;
	size_t			 i, ncols = 0;

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

	/* the columns of this view: map[col] is its place, or -1 */
	for (i = 0; i < COL__MAX; i++) {
		map[i] = -1;
		if ((status_cols[i].wide && !res->wide) ||
		    (status_cols[i].tls && !tls))
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
	json_array_foreach(targets, i, target)
		sorted[i] = target;
	qsort(sorted, json_array_size(targets), sizeof(*sorted), status_cmp);

	table_init(&t, ncols, json_array_size(targets) + 1, align, header);
	if (!res->wide)
		t.wrap = STATUS_NAME_WRAP;
	for (i = 0; i < json_array_size(targets); i++)
		status_row(&t, i + 1, map, sorted[i]);
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
	char		 buf[512], ok[32], failed[32];
	double		 d;
	long long	 us;
	int		 good;

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

	if (field_num(target, "for_s", &d) == 0)
		fmt_age(buf, sizeof(buf), d);
	else if (field_num(target, "since", &d) == 0)
		fmt_age(buf, sizeof(buf), (double)time(NULL) - d);
	else
		snprintf(buf, sizeof(buf), "-");
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

	text_cert_cell(buf, sizeof(buf), target);
	CELL(COL_CERT, "%s", buf);

	/* LAST: why the last probe failed, else who answered it */
	if (field_bool(target, "last_ok", &good) == 0 && !good) {
		if ((s = field_str(target, "last_error")) == NULL &&
		    (s = field_str(target, "error")) == NULL)
			s = "failed";
	} else if ((s = field_str(target, "peer")) == NULL)
		s = "-";
	CELL(COL_LAST, "%s", s);
#undef CELL
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
