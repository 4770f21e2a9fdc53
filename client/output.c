/*
 * output.c - the text backend: what a person reads.
 *
 * Everything printed from a reply goes through print_line() or a table,
 * which replace control characters: a target name or an error message
 * holding "\n" or an escape sequence must not break the layout or play
 * with the terminal.  Fields missing from a reply print as "-", so that an
 * older or newer futd still gives a readable answer; only a reply without
 * the expected shape (no "targets" array, ...) is an error.
 *
 * What `check` concludes and its Nagios line are check.c's.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto.h"
#include "futctl.h"
#include "parser.h"
#include "ctl.h"
#include "check.h"
#include "output.h"
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

static int	 text_ping(const json_t *);
static int	 text_metrics(const json_t *);
static int	 text_status(const json_t *, const struct parse_result *);
static int	 text_show(const json_t *, const struct parse_result *);
static int	 text_probe(const json_t *, const json_t *);
static int	 text_log(const json_t *);
static void	 text_event(const json_t *, int);
static int	 text_reload(const json_t *);
static void	 text_error(const struct parse_result *,
		    const struct ctl_reply *);

static int	 text_malformed(const char *);
static void	 text_names(const char *, const json_t *, size_t *);
static void	 text_target(char *, size_t, const json_t *);
static void	 text_kv(const char *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 text_since(const json_t *);
static void	 text_settings(const json_t *);
static void	 text_counters(const json_t *);
static void	 text_last_result(const json_t *);
static void	 text_addresses(const json_t *);
static void	 text_history(const json_t *, unsigned long);
static void	 text_phases(char *, size_t, const json_t *, int);
static int	 text_is_tls(const json_t *, const json_t *);
static void	 text_tls_settings(const json_t *, const json_t *);
static void	 text_cert(const json_t *);
static void	 text_cert_cell(char *, size_t, const json_t *);
static void	 text_tls_result(const json_t *);
static void	 text_received(const json_t *);
static void	 text_dns(const json_t *);
static void	 text_event_what(char *, size_t, const json_t *);
static int	 status_rank(const json_t *);
static int	 status_cmp(const void *, const void *);
static void	 status_row(struct table *, size_t, const int *,
		    const json_t *);




const struct output output_text = {
	.ping =		text_ping,
	.status =	text_status,
	.show =		text_show,
	.probe =	text_probe,
	.log =		text_log,
	.event =	text_event,
	.reload =	text_reload,
	.metrics =	text_metrics,
	.check =	check_print,
	.error =	text_error,
};

/*
 * futd 0.1.0 pid 1234 up 12.3s, 3 targets
 */
/* The exposition as futd wrote it: for a pipe into promtool or a file. */
static int
text_metrics(const json_t *data)
{
	const json_t	*text = json_object_get(data, "text");

	if (!json_is_string(text))
		return -1;
	fwrite(json_string_value(text), 1, json_string_length(text), stdout);
	return 0;
}

static int
text_ping(const json_t *data)
{
	const char	*daemon, *version;
	long long	 pid, targets;
	double		 uptime;
	char		 up[32] = "-", spid[32] = "-";
	char		 ntargets[64] = "- targets";

	daemon = field_str(data, "daemon");
	version = field_str(data, "version");
	if (field_int(data, "pid", &pid) == 0)
		snprintf(spid, sizeof(spid), "%lld", pid);
	if (field_num(data, "uptime_s", &uptime) == 0)
		fmt_duration(up, sizeof(up), uptime);
	if (field_int(data, "targets", &targets) == 0)
		snprintf(ntargets, sizeof(ntargets), "%lld target%s",
		    targets, targets == 1 ? "" : "s");

	print_line(stdout, "%s %s pid %s up %s, %s",
	    daemon != NULL ? daemon : "futd", version != NULL ? version : "?",
	    spid, up, ntargets);
	return 0;
}

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
static int
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

/*
 * Everything about one target: what it is, how it is probed, its state
 * and since when, its numbers, the last result in full, and the last
 * results with their phases.
 */
static int
text_show(const json_t *data, const struct parse_result *res)
{
	const json_t	*target, *history, *result;
	const char	*s;
	char		 buf[512];
	size_t		 i;

	target = json_object_get(data, "target");
	if (!json_is_object(target))
		return text_malformed("show without a \"target\" object");
	history = json_object_get(target, "history");
	if (history != NULL && !json_is_null(history) &&
	    !json_is_array(history))
		return text_malformed("\"history\" is not an array");
	json_array_foreach(history, i, result)
		if (!json_is_object(result))
			return text_malformed("a result is not an object");

	s = field_str(target, "name");
	text_kv("name:", "%s", s != NULL ? s : "-");
	s = field_str(target, "probe");
	text_kv("probe:", "%s", s != NULL ? s : "-");
	text_target(buf, sizeof(buf), target);
	text_kv("target:", "%s", buf);
	text_since(target);
	text_settings(target);
	print_line(stdout, "%s", "");
	text_counters(target);
	text_cert(target);
	print_line(stdout, "%s", "");
	text_last_result(target);
	text_addresses(target);
	print_line(stdout, "%s", "");
	text_history(history, res->count);
	return 0;
}

/* state, since, changes, next probe */
static void
text_since(const json_t *target)
{
	const char	*state, *base;
	char		 when[64], ago[32];
	double		 d;
	long long	 changes;

	state = field_str(target, "state");
	base = field_str(target, "base_state");
	if (state != NULL && base != NULL && strcmp(state, base) != 0)
		text_kv("state:", "%s (%s at the moment)", state, base);
	else
		text_kv("state:", "%s", state != NULL ? state : "-");

	if (field_num(target, "since", &d) == 0) {
		fmt_date(when, sizeof(when), d);
		if (field_num(target, "for_s", &d) == -1)
			d = (double)time(NULL) - d;
		if (d >= 0) {
			fmt_age(ago, sizeof(ago), d);
			text_kv("since:", "%s (%s ago)", when, ago);
		} else
			text_kv("since:", "%s", when);
	} else
		text_kv("since:", "-");
	if (field_int(target, "changes", &changes) == 0)
		text_kv("changes:", "%lld state change%s", changes,
		    changes == 1 ? "" : "s");

	if (field_num(target, "next_probe_in_s", &d) == -1)
		text_kv("next probe:", "-");
	else if (d <= 0)
		text_kv("next probe:", "now (running)");
	else {
		fmt_duration(ago, sizeof(ago), d);
		text_kv("next probe:", "in %s", ago);
	}
}

/* interval, timeouts, rise/fall, how it connects, what it sends/expects */
static void
text_settings(const json_t *target)
{
	const json_t	*conf = json_object_get(target, "config");
	const char	*s, *family, *addrs, *close;
	char		 a[64], b[64];
	long long	 rise, fall, flap, n;
	double		 d;

	field_fmt_seconds(a, sizeof(a), target, "interval");
	if (field_num(conf, "jitter", &d) == 0 && d > 0)
		text_kv("interval:", "%s, jitter +/-%g%%", a, d);
	else
		text_kv("interval:", "%s", a);
	field_fmt_seconds(a, sizeof(a), target, "timeout");
	if (field_num(conf, "connect_timeout", &d) == 0 && d > 0) {
		field_fmt_seconds(b, sizeof(b), conf, "connect_timeout");
		text_kv("timeout:", "%s, each connect %s", a, b);
	} else
		text_kv("timeout:", "%s", a);

	if (field_int(target, "rise", &rise) == 0 &&
	    field_int(target, "fall", &fall) == 0) {
		if (field_int(target, "flap_threshold", &flap) == 0 && flap > 0)
			text_kv("rise/fall:", "%lld ok to go up, %lld failed "
			    "to go down; flapping above %lld changes",
			    rise, fall, flap);
		else
			text_kv("rise/fall:", "%lld ok to go up, %lld failed "
			    "to go down", rise, fall);
	}
	if (!json_is_object(conf))
		return;

	family = field_str(conf, "family");
	addrs = field_str(conf, "addresses");
	close = field_str(conf, "close");
	text_kv("connect:", "family %s, addresses %s, close %s%s",
	    family != NULL ? family : "-", addrs != NULL ? addrs : "-",
	    close != NULL ? close : "-",
	    json_is_true(json_object_get(conf, "local_address")) ?
	    ", local address recorded" : "");
	if ((s = field_str(conf, "source")) != NULL)
		text_kv("source:", "%s", s);
	if (field_int(conf, "payload_bytes", &n) == 0)
		text_kv("payload:", "%lld byte%s", n, n == 1 ? "" : "s");
	if (field_num(conf, "read_limit", &d) == 0)
		snprintf(b, sizeof(b), " in the first %.0f bytes", d);
	else
		b[0] = '\0';
	if ((s = field_str(conf, "expect")) != NULL)
		text_kv("expect:", "\"%s\"%s", s, b);
	else if ((s = field_str(conf, "expect_regex")) != NULL)
		text_kv("expect:", "/%s/ (extended regex)%s", s, b);
	text_tls_settings(target, json_object_get(conf, "tls"));
}

/* probes, availability, latency statistics */
static void
text_counters(const json_t *target)
{
	const json_t	*avail, *stats;
	char		 probes[32], ok[32], failed[32], late[32];
	char		 life[16], hour[16], day[16];
	char		 min[16], p50[16], p95[16], p99[16], max[16];
	char		 mean[16], jit[16], q[32];
	long long	 queued, nres, nok;

	field_fmt_int(probes, sizeof(probes), target, "probes");
	field_fmt_int(ok, sizeof(ok), target, "ok");
	field_fmt_int(failed, sizeof(failed), target, "failed");
	field_fmt_int(late, sizeof(late), target, "late");
	text_kv("probes:", "%s (%s ok, %s failed, %s late)", probes, ok,
	    failed, late);
	if (field_int(target, "queued", &queued) == 0 && queued > 0) {
		field_fmt_us(q, sizeof(q), target, "queued_us");
		text_kv("queued:", "%lld time%s, %s in all (max_inflight)",
		    queued, queued == 1 ? "" : "s", q);
	}

	avail = json_object_get(target, "availability");
	field_fmt_ratio(life, sizeof(life), avail, "lifetime");
	field_fmt_ratio(hour, sizeof(hour), avail, "hour");
	field_fmt_ratio(day, sizeof(day), avail, "day");
	text_kv("available:", "%s lifetime, %s last hour, %s last day",
	    life, hour, day);

	stats = json_object_get(target, "stats");
	if (field_int(stats, "results", &nres) == -1)
		nres = 0;
	if (field_int(stats, "ok", &nok) == -1 || nok == 0) {
		text_kv("latency:", "- (no ok result among the %lld kept)",
		    nres);
		return;
	}
	field_fmt_us(min, sizeof(min), stats, "min_us");
	field_fmt_us(p50, sizeof(p50), stats, "p50_us");
	field_fmt_us(p95, sizeof(p95), stats, "p95_us");
	field_fmt_us(p99, sizeof(p99), stats, "p99_us");
	field_fmt_us(max, sizeof(max), stats, "max_us");
	field_fmt_us(mean, sizeof(mean), stats, "mean_us");
	field_fmt_us(jit, sizeof(jit), stats, "jitter_us");
	text_kv("latency:", "min %s, p50 %s, p95 %s, p99 %s, max %s", min,
	    p50, p95, p99, max);
	text_kv("", "mean %s, jitter %s; of %lld ok in %lld kept results",
	    mean, jit, nok, nres);
}

/* The last result in full: outcome, phases, addresses, what came back. */
static void
text_last_result(const json_t *target)
{
	const json_t	*last = json_object_get(target, "last");
	const char	*words, *class, *s;
	char		 when[64], lat[32], buf[256];
	double		 d;
	long long	 us;
	int		 good;

	if (!json_is_object(last)) {
		text_kv("last probe:", "- (none yet)");
		return;
	}
	if (field_num(last, "time", &d) == 0)
		fmt_date_ms(when, sizeof(when), d);
	else
		snprintf(when, sizeof(when), "-");
	if (field_int(last, "latency_us", &us) == 0)
		fmt_latency(lat, sizeof(lat), us);
	else
		snprintf(lat, sizeof(lat), "-");
	if (field_bool(last, "ok", &good) == 0 && good)
		text_kv("last probe:", "%s, ok in %s", when, lat);
	else {
		words = field_str(last, "message");
		class = field_str(last, "error");
		text_kv("last probe:", "%s, FAILED after %s", when, lat);
		if (words != NULL && class != NULL)
			text_kv("error:", "%s (%s)", words, class);
		else
			text_kv("error:", "%s", words != NULL ? words :
			    class != NULL ? class : "-");
	}
	text_phases(buf, sizeof(buf), json_object_get(last, "phases"),
	    text_is_tls(last, target));
	text_kv("phases:", "%s", buf);
	text_dns(last);
	s = field_str(last, "peer");
	text_kv("peer:", "%s", s != NULL ? s : "-");
	s = field_str(last, "local");
	text_kv("local:", "%s", s != NULL ? s : "-");
	if (field_int(last, "queued_us", &us) == 0 && us > 0) {
		fmt_latency(lat, sizeof(lat), us);
		text_kv("queued:", "%s before it ran", lat);
	}
	text_tls_result(last);
	text_received(last);
}

/*
 * Where the addresses came from: a fresh answer, the cache, or a stale
 * answer because the servers failed.  Said only when a name was resolved
 * (an IP literal is "fresh" without asking anyone).
 */
static void
text_dns(const json_t *result)
{
	const json_t	*ph = json_object_get(result, "phases");
	const char	*s = field_str(result, "dns");

	if (s != NULL && (strcmp(s, "fresh") != 0 ||
	    json_is_integer(json_object_get(ph, "resolve_us"))))
		text_kv("dns:", "%s", s);
}

/* "received" on expect failures: the bytes, escaped by futd */
static void
text_received(const json_t *result)
{
	const char	*s = field_str(result, "received");
	long long	 total;

	if (s == NULL)
		return;
	if (field_int(result, "received_total", &total) == 0)
		text_kv("received:", "\"%s\" (%lld byte%s read)", s, total,
		    total == 1 ? "" : "s");
	else
		text_kv("received:", "\"%s\"", s);
}

/* addresses = "each": one row per address */
static void
text_addresses(const json_t *target)
{
	static const char *const header[] = {
		"ADDRESS", "OK", "FAILED", "LAST",
	};
	static const enum table_align align[] = {
		TABLE_LEFT, TABLE_RIGHT, TABLE_RIGHT, TABLE_LEFT,
	};
	const json_t	*addrs = json_object_get(target, "addresses");
	const json_t	*a, *last;
	const char	*s;
	struct table	 t;
	char		 ok[32], failed[32], lat[32];
	long long	 us;
	int		 good;
	size_t		 i;

	if (json_array_size(addrs) == 0)
		return;
	print_line(stdout, "%s", "");
	table_init(&t, 4, json_array_size(addrs) + 1, align, header);
	json_array_foreach(addrs, i, a) {
		s = field_str(a, "address");
		table_cell(&t, i + 1, 0, "%s", s != NULL ? s : "-");
		field_fmt_int(ok, sizeof(ok), a, "ok");
		field_fmt_int(failed, sizeof(failed), a, "failed");
		table_cell(&t, i + 1, 1, "%s", ok);
		table_cell(&t, i + 1, 2, "%s", failed);
		last = json_object_get(a, "last");
		if (field_int(last, "latency_us", &us) == 0)
			fmt_latency(lat, sizeof(lat), us);
		else
			snprintf(lat, sizeof(lat), "-");
		if (!json_is_object(last))
			table_cell(&t, i + 1, 3, "-");
		else if (field_bool(last, "ok", &good) == 0 && good)
			table_cell(&t, i + 1, 3, "ok in %s", lat);
		else
			table_cell(&t, i + 1, 3, "%s after %s",
			    (s = field_str(last, "message")) != NULL ? s :
			    "failed", lat);
	}
	table_print(&t);
	table_free(&t);
}

/* The newest n results, with their phases. */
static void
text_history(const json_t *history, unsigned long n)
{
	static const char *const header[] = {
		"TIME", "RESULT", "LATENCY", "RESOLVE", "CONNECT", "WRITE",
		"TTFB", "ERROR",
	};
	static const enum table_align align[] = {
		TABLE_LEFT, TABLE_LEFT, TABLE_RIGHT, TABLE_RIGHT, TABLE_RIGHT,
		TABLE_RIGHT, TABLE_RIGHT, TABLE_LEFT,
	};
	static const char *const phases[] = {
		"resolve_us", "connect_us", "write_us", "first_byte_us",
	};
	struct table	 t;
	const json_t	*result, *ph;
	const char	*words, *class;
	char		 buf[64];
	double		 d;
	long long	 us;
	size_t		 i, p, rows, total = json_array_size(history);
	int		 good;

	if (total == 0) {
		print_line(stdout, "no results yet");
		return;
	}
	rows = total < n ? total : n;
	if (rows < total)
		print_line(stdout, "the last %zu of %zu results (-n for more):",
		    rows, total);
	table_init(&t, 8, rows + 1, align, header);
	for (i = 0; i < rows; i++) {
		result = json_array_get(history, i);
		if (field_num(result, "time", &d) == 0)
			fmt_clock(buf, sizeof(buf), d);
		else
			snprintf(buf, sizeof(buf), "-");
		table_cell(&t, i + 1, 0, "%s", buf);
		if (field_bool(result, "ok", &good) == -1)
			good = -1;
		table_cell(&t, i + 1, 1, "%s",
		    good == 1 ? "ok" : good == 0 ? "FAIL" : "-");
		if (field_int(result, "latency_us", &us) == 0)
			fmt_latency(buf, sizeof(buf), us);
		else
			snprintf(buf, sizeof(buf), "-");
		table_cell(&t, i + 1, 2, "%s", buf);
		ph = json_object_get(result, "phases");
		for (p = 0; p < sizeof(phases) / sizeof(phases[0]); p++) {
			field_fmt_us(buf, sizeof(buf), ph, phases[p]);
			table_cell(&t, i + 1, 3 + p, "%s", buf);
		}
		words = field_str(result, "message");
		class = field_str(result, "error");
		table_cell(&t, i + 1, 7, "%s", words != NULL ? words :
		    class != NULL ? class : good == 0 ? "failed" : "");
	}
	table_print(&t);
	table_free(&t);
}

/*
 * "resolve -, connect 63us, write -, first byte 379us, total 999.06ms";
 * with tls, "handshake 4.12ms" after the connect.
 */
static void
text_phases(char *buf, size_t size, const json_t *phases, int tls)
{
	char	 r[16], c[16], hs[16], h[32], w[16], f[16], t[16];

	field_fmt_us(r, sizeof(r), phases, "resolve_us");
	field_fmt_us(c, sizeof(c), phases, "connect_us");
	field_fmt_us(w, sizeof(w), phases, "write_us");
	field_fmt_us(f, sizeof(f), phases, "first_byte_us");
	field_fmt_us(t, sizeof(t), phases, "total_us");
	h[0] = '\0';
	if (tls) {
		field_fmt_us(hs, sizeof(hs), phases, "handshake_us");
		snprintf(h, sizeof(h), "handshake %s, ", hs);
	}
	snprintf(buf, size, "resolve %s, connect %s, %swrite %s, first byte "
	    "%s, total %s", r, c, h, w, f, t);
}

/*
 * Is this result (and target, which may be NULL) a TLS one?  Its phases
 * have a handshake, or the target has a certificate to speak of: a
 * handshake that timed out leaves no trace in the result itself.
 */
static int
text_is_tls(const json_t *result, const json_t *target)
{
	return json_object_get(json_object_get(result, "phases"),
	    "handshake_us") != NULL ||
	    json_is_object(json_object_get(target, "cert"));
}

/* Is host an IP address (no SNI is sent for one)? */
static int
text_is_address(const char *host)
{
	unsigned char	 a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

/*
 * show's TLS settings (config.tls):
 *
 * tls:         sni (the host), alpn h2,http/1.1, min version 1.2, starttls smtp
 * tls verify:  against /etc/ssl/ours.pem
 * cert days:   warning below 30, critical below 7
 */
static void
text_tls_settings(const json_t *target, const json_t *tls)
{
	const char	*s, *alpn, *min, *starttls;
	char		 sni[300];
	long long	 warn, crit;
	int		 verify;

	if (!json_is_object(tls))
		return;
	if ((s = field_str(tls, "sni")) != NULL)
		snprintf(sni, sizeof(sni), "%s", s);
	else if ((s = field_str(target, "host")) != NULL &&
	    text_is_address(s))
		snprintf(sni, sizeof(sni), "- (an address)");
	else
		snprintf(sni, sizeof(sni), "(the host)");
	alpn = field_str(tls, "alpn");
	min = field_str(tls, "min_version");
	starttls = field_str(tls, "starttls");
	text_kv("tls:", "sni %s, alpn %s, min version %s, starttls %s", sni,
	    alpn != NULL ? alpn : "-", min != NULL ? min : "any",
	    starttls != NULL ? starttls : "-");
	if (field_bool(tls, "verify", &verify) == 0) {
		if (!verify)
			text_kv("tls verify:", "off: what it finds is shown, "
			    "not failed");
		else if ((s = field_str(tls, "ca_file")) != NULL)
			text_kv("tls verify:", "against %s", s);
		else
			text_kv("tls verify:", "against the system store");
	}
	if (field_int(tls, "cert_warn_days", &warn) == 0 &&
	    field_int(tls, "cert_crit_days", &crit) == 0)
		text_kv("cert days:", "warning below %lld, critical below %lld",
		    warn, crit);
}

/* "ok", "WARNING", "CRITICAL", as check says them; else as futd did */
static const char *
text_cert_status(const json_t *cert)
{
	const char	*s = field_str(cert, "status");

	if (s == NULL)
		return "-";
	if (strcmp(s, "warning") == 0)
		return check_word(CHECK_WARNING);
	if (strcmp(s, "critical") == 0)
		return check_word(CHECK_CRITICAL);
	return s;
}

/*
 * show: the target's certificate, the earliest expiry in its chain
 * against the limits.
 *
 * certificate: expires 2027-02-25 13:11:39, 89 days left (ok)
 * certificate: expired 2020-01-02 01:00:00, 2521 days ago (CRITICAL)
 */
static void
text_cert(const json_t *target)
{
	const json_t	*cert = json_object_get(target, "cert");
	const char	*words;
	char		 when[64], buf[256];
	double		 t;
	long long	 days;
	int		 verified;

	if (!json_is_object(cert))
		return;
	if (field_int(cert, "days_left", &days) == -1) {
		text_kv("certificate:", "- (none seen yet)");
		return;
	}
	if (field_num(cert, "expires", &t) == 0)
		fmt_date(when, sizeof(when), t);
	else
		snprintf(when, sizeof(when), "-");
	if (days >= 0)
		snprintf(buf, sizeof(buf), "expires %s, %lld day%s left (%s)",
		    when, days, days == 1 ? "" : "s", text_cert_status(cert));
	else
		snprintf(buf, sizeof(buf), "expired %s, %lld day%s ago (%s)",
		    when, -days, days == -1 ? "" : "s", text_cert_status(cert));
	if (days >= 0 && field_bool(cert, "verified", &verified) == 0 &&
	    !verified && (words = field_str(cert, "verify")) != NULL)
		text_kv("certificate:", "%s, not verified: %s", buf, words);
	else
		text_kv("certificate:", "%s", buf);
}

/*
 * status's CERT: "89d", "19d warning", "5d critical", "expired", with
 * " unverified" when verification failed for another reason; "-" for
 * none (yet).
 */
static void
text_cert_cell(char *buf, size_t size, const json_t *target)
{
	const json_t	*cert = json_object_get(target, "cert");
	const char	*s;
	long long	 days;
	int		 verified, n;

	if (!json_is_object(cert) ||
	    field_int(cert, "days_left", &days) == -1) {
		snprintf(buf, size, "-");
		return;
	}
	s = field_str(cert, "status");
	if (days < 0)
		n = snprintf(buf, size, "expired");
	else if (s != NULL && strcmp(s, "ok") != 0)
		n = snprintf(buf, size, "%lldd %s", days, s);
	else
		n = snprintf(buf, size, "%lldd", days);
	/* an expired one cannot verify: no need to say so twice */
	if (n > 0 && (size_t)n < size && days >= 0 &&
	    field_bool(cert, "verified", &verified) == 0 && !verified)
		snprintf(buf + n, size - (size_t)n, " unverified");
}

/*
 * What a handshake told (a result's "tls"), for show and probe:
 *
 * handshake:   TLSv1.3, TLS_AES_256_GCM_SHA384, alpn h2
 * subject:     CN=www.example.com
 * issuer:      CN=R11,O=Let's Encrypt,C=US
 * names:       www.example.com, example.com
 * not after:   2027-02-25 13:11:39 (89 days left)
 * verify:      ok
 */
static void
text_tls_result(const json_t *result)
{
	const json_t	*tls = json_object_get(result, "tls");
	const char	*v, *c, *alpn, *s;
	char		 names[1024], when[64], chain[64], left[64];
	double		 na, cna;
	long long	 days;
	size_t		 i, o;
	int		 done;

	if (!json_is_object(tls))
		return;
	if (field_bool(tls, "handshake", &done) == 0 && done) {
		v = field_str(tls, "version");
		c = field_str(tls, "cipher");
		alpn = field_str(tls, "alpn");
		text_kv("handshake:", "%s, %s%s%s", v != NULL ? v : "-",
		    c != NULL ? c : "-", alpn != NULL ? ", alpn " : "",
		    alpn != NULL ? alpn : "");
	} else
		text_kv("handshake:", "failed");
	if ((s = field_str(tls, "subject")) != NULL)
		text_kv("subject:", "%s", s);
	if ((s = field_str(tls, "issuer")) != NULL)
		text_kv("issuer:", "%s", s);
	if ((s = field_str(tls, "sans")) != NULL) {
		for (i = 0, o = 0; s[i] != '\0' && o + 3 < sizeof(names); i++) {
			names[o++] = s[i];
			if (s[i] == ',')
				names[o++] = ' ';
		}
		names[o] = '\0';
		text_kv("names:", "%s", names);
	}
	if (field_num(tls, "not_after", &na) == 0) {
		fmt_date(when, sizeof(when), na);
		left[0] = chain[0] = '\0';
		if (field_int(tls, "days_left", &days) == 0)
			snprintf(left, sizeof(left), days >= 0 ?
			    " (%lld day%s left)" : " (expired %lld day%s ago)",
			    days >= 0 ? days : -days,
			    days == 1 || days == -1 ? "" : "s");
		/* the days count to the earliest expiry in the chain */
		if (field_num(tls, "chain_not_after", &cna) == 0 && cna < na) {
			fmt_date(chain, sizeof(chain), cna);
			text_kv("not after:", "%s; the chain's earliest %s%s",
			    when, chain, left);
		} else
			text_kv("not after:", "%s%s", when, left);
	}
	if ((s = field_str(tls, "verify")) != NULL)
		text_kv("verify:", "%s", s);
}

/*
 * probe web: hello 127.0.0.1:80
 *   resolve     -
 *   connect     159us
 *   write       174us
 *   first byte  -
 *   total       183us
 * peer:        127.0.0.1:80
 * local:       127.0.0.1:60920
 * result:      ok in 183us
 *
 * Each step with the time it was done at, counted from the start; "-" for
 * one not reached (or not part of this probe).  A TLS target has a
 * handshake step after the connect, and what the handshake told before
 * the result (text_tls_result).
 */
static int
text_probe(const json_t *data, const json_t *target)
{
	static const struct {
		const char	*key;
		const char	*words;
	} steps[] = {
		{ "resolve_us",		"resolve" },
		{ "connect_us",		"connect" },
		{ "handshake_us",	"handshake" },	/* TLS only */
		{ "write_us",		"write" },
		{ "first_byte_us",	"first byte" },
		{ "total_us",		"total" },
	};
	const json_t	*result, *phases;
	const char	*name, *s, *words, *class;
	char		 buf[512], lat[32];
	long long	 us;
	size_t		 i;
	int		 good, tls;

	result = json_object_get(data, "result");
	if (!json_is_object(result))
		return text_malformed("probe without a \"result\" object");
	tls = text_is_tls(result, target);
	name = field_str(data, "target");
	if (target != NULL) {
		text_target(buf, sizeof(buf), target);
		s = field_str(target, "probe");
		print_line(stdout, "probe %s: %s %s", name != NULL ? name :
		    "-", s != NULL ? s : "-", buf);
	} else
		print_line(stdout, "probe %s", name != NULL ? name : "-");

	phases = json_object_get(result, "phases");
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (!tls && strcmp(steps[i].key, "handshake_us") == 0)
			continue;
		field_fmt_us(buf, sizeof(buf), phases, steps[i].key);
		print_line(stdout, "  %-11s %s", steps[i].words, buf);
	}
	text_dns(result);
	s = field_str(result, "peer");
	text_kv("peer:", "%s", s != NULL ? s : "-");
	s = field_str(result, "local");
	text_kv("local:", "%s", s != NULL ? s : "-");
	if (field_int(result, "queued_us", &us) == 0 && us > 0) {
		fmt_latency(lat, sizeof(lat), us);
		text_kv("queued:", "%s before it ran", lat);
	}
	text_tls_result(result);
	text_received(result);

	if (field_int(result, "latency_us", &us) == 0)
		fmt_latency(lat, sizeof(lat), us);
	else
		snprintf(lat, sizeof(lat), "-");
	if (field_bool(result, "ok", &good) == 0 && good) {
		text_kv("result:", "ok in %s", lat);
		return 0;
	}
	words = field_str(result, "message");
	class = field_str(result, "error");
	if (words != NULL && class != NULL)
		text_kv("result:", "FAILED after %s: %s (%s)", lat, words,
		    class);
	else
		text_kv("result:", "FAILED after %s: %s", lat,
		    words != NULL ? words : class != NULL ? class : "-");
	return 1;
}

/* Did the probe of a `probe` reply succeed?  1, 0, or -1: cannot say. */
int
output_probe_ok(const json_t *data)
{
	const json_t	*ok;

	ok = json_object_get(json_object_get(data, "result"), "ok");
	return json_is_boolean(ok) ? json_is_true(ok) : -1;
}

/* The event ring, oldest first: one line each. */
static int
text_log(const json_t *data)
{
	const json_t	*events, *ev;
	json_t		*line;
	size_t		 i;

	events = json_object_get(data, "events");
	if (!json_is_array(events))
		return text_malformed("log without an \"events\" array");
	if (json_array_size(events) == 0) {
		print_line(stdout, "no events");
		return 0;
	}
	json_array_foreach(events, i, ev) {
		if (!json_is_object(ev))
			return text_malformed("an event is not an object");
		if ((line = json_pack("{s:O}", "event", ev)) == NULL) {
			print_warnx("%s", strerror(ENOMEM));
			exit(FUTCTL_EXIT_REPLY);
		}
		text_event(line, 0);
		json_decref(line);
	}
	return 0;
}

/*
 * Nov 27 12:44:32  closed  state  unknown -> down (Connection refused,
 *     0.302ms), availability 0.00% (failed 8 more times, last 12:45:00)
 * Nov 27 12:45:02  closed  state  ... (failed 9 more times since 12:44:32)
 *
 * (each one line).  The second form is an update: futd folded one more
 * repeat into an event printed before.
 */
static void
text_event(const json_t *line, int update)
{
	const json_t	*ev = json_object_get(line, "event");
	const char	*target, *type;
	char		 when[32], first[32], last[32], what[512], more[128];
	double		 t, lt;
	long long	 repeat, dropped;
	int		 failed;

	if (field_int(line, "dropped", &dropped) == 0 && dropped > 0)
		print_warnx("futd dropped %lld event%s: they came faster than "
		    "futctl read them", dropped, dropped == 1 ? "" : "s");

	target = field_str(ev, "target");
	type = field_str(ev, "type");
	if (field_num(ev, "time", &t) == -1)
		t = -1;
	if (field_num(ev, "last_time", &lt) == -1)
		lt = t;
	if (field_int(ev, "repeat", &repeat) == -1)
		repeat = 0;
	failed = field_str(ev, "error") != NULL;

	if (update) {
		fmt_stamp(when, sizeof(when), lt);
		fmt_clock(first, sizeof(first), t);
		first[8] = '\0';	/* HH:MM:SS */
		print_line(stdout, "%s  %s  %s  ... (%s%lld more time%s "
		    "since %s)", when, target != NULL ? target : "-",
		    type != NULL ? type : "-", failed ? "failed " : "",
		    repeat, repeat == 1 ? "" : "s", first);
		return;
	}

	fmt_stamp(when, sizeof(when), t);
	text_event_what(what, sizeof(what), ev);
	more[0] = '\0';
	if (repeat > 0) {
		fmt_clock(last, sizeof(last), lt);
		last[8] = '\0';
		snprintf(more, sizeof(more), " (%s%lld more time%s, last %s)",
		    failed ? "failed " : "", repeat, repeat == 1 ? "" : "s",
		    last);
	}
	print_line(stdout, "%s  %s  %s  %s%s", when,
	    target != NULL ? target : "-", type != NULL ? type : "-", what,
	    more);
}

/*
 * What happened, without the target's name that futd's message starts
 * with ("target web (hello 127.0.0.1:80): state up -> down (...)"): the
 * line names it already.  A state change also says the availability.
 */
static void
text_event_what(char *buf, size_t size, const json_t *ev)
{
	const char	*msg, *target, *type, *p;
	char		 pct[16];
	size_t		 n, depth;
	double		 a;

	msg = field_str(ev, "message");
	target = field_str(ev, "target");
	type = field_str(ev, "type");
	if (msg == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	p = msg;
	if (target != NULL && strncmp(p, "target ", 7) == 0 &&
	    strncmp(p + 7, target, (n = strlen(target))) == 0) {
		p += 7 + n;
		if (p[0] == ' ' && p[1] == '(') {
			for (depth = 0, p++; *p != '\0'; p++) {
				if (*p == '(')
					depth++;
				else if (*p == ')' && --depth == 0) {
					p++;
					break;
				}
			}
		}
		if (strncmp(p, ": ", 2) == 0)
			p += 2;
		else
			p = msg;	/* not the shape we know: all of it */
	}
	if (type != NULL && strcmp(type, "state") == 0 &&
	    strncmp(p, "state ", 6) == 0)
		p += 6;
	if (type != NULL && strcmp(type, "state") == 0 &&
	    field_num(ev, "availability", &a) == 0) {
		fmt_percent(pct, sizeof(pct), a);
		snprintf(buf, size, "%s, availability %s", p, pct);
	} else
		snprintf(buf, size, "%s", p);
}

static int
text_reload(const json_t *data)
{
	size_t		 changes = 0;
	long long	 unchanged;

	text_names("added", json_object_get(data, "added"), &changes);
	text_names("removed", json_object_get(data, "removed"), &changes);
	text_names("changed", json_object_get(data, "changed"), &changes);
	if (changes == 0) {
		print_line(stdout, "no changes");
		return 0;
	}
	if (field_int(data, "unchanged", &unchanged) == 0)
		print_line(stdout, "unchanged: %lld", unchanged);
	return 0;
}

/*
 * futctl: no such target (404)
 *
 * A failed reload names every problem of the new configuration, one
 * "file:line: problem" per line, so that an editor can jump to them.
 */
static void
text_error(const struct parse_result *res, const struct ctl_reply *reply)
{
	const json_t	*errors, *e;
	size_t		 i;

	if (res->action == ACTION_RELOAD && reply->code == PROTO_UNPROCESSABLE)
		print_line(stderr, "futctl: reload failed: %s (%d)",
		    reply->message, reply->code);
	else if (res->name != NULL)
		print_line(stderr, "futctl: %s: %s (%d)", res->name,
		    reply->message, reply->code);
	else
		print_line(stderr, "futctl: %s (%d)", reply->message,
		    reply->code);

	errors = reply->data != NULL ?
	    json_object_get(reply->data, "errors") : NULL;
	json_array_foreach(errors, i, e)
		if (json_is_string(e))
			print_line(stderr, "%s", json_string_value(e));
}

static int
text_malformed(const char *what)
{
	print_warnx("malformed reply from futd: %s", what);
	return -1;
}

/* "added: a, b" when the list is not empty; counts the names. */
static void
text_names(const char *label, const json_t *names, size_t *count)
{
	const json_t	*name;
	size_t		 i;

	if (json_array_size(names) == 0)
		return;
	/* as it goes: a reload may name a million targets */
	print_write(stdout, label);
	fputs(": ", stdout);
	json_array_foreach(names, i, name) {
		if (i > 0)
			fputs(", ", stdout);
		print_write(stdout, json_is_string(name) ?
		    json_string_value(name) : "?");
	}
	putc('\n', stdout);
	*count += json_array_size(names);
}

/* host:port, with an IPv6 host in brackets so the port stays apart. */
static void
text_target(char *buf, size_t size, const json_t *target)
{
	const char	*host;
	char		 port[32];
	int		 v6;

	host = field_str(target, "host");
	field_fmt_int(port, sizeof(port), target, "port");
	if (host == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	v6 = strchr(host, ':') != NULL;
	snprintf(buf, size, "%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "",
	    port);
}

/* "label:      value", the value from column 14 on (labels < 13). */
static void
text_kv(const char *label, const char *fmt, ...)
{
	va_list	 ap;
	char	*value;

	va_start(ap, fmt);
	value = print_vasprintf(fmt, ap);
	va_end(ap);
	print_line(stdout, "%-13s%s", label, value);
	free(value);
}
