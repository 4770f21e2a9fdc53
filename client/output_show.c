/*
 * output_show.c - the text of `show` (one target: settings, state,
 * figures, the last result in full, the last results) and of `probe`
 * (one result, step by step).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "parser.h"
#include "output_text.h"
#include "field.h"
#include "fmt.h"
#include "print.h"
#include "spark.h"
#include "table.h"

static void	 text_since(const json_t *);
static void	 text_settings(const json_t *);
static void	 text_labels(json_t *);
static void	 text_counters(const json_t *);
static void	 text_trend(const json_t *);
static void	 text_last_result(const json_t *);
static void	 text_dns(const json_t *);
static void	 text_received(const json_t *);
static void	 text_result_tail(const json_t *);
static void	 text_addresses(const json_t *);
static void	 text_history(const json_t *, unsigned long);
static void	 text_phases(char *, size_t, const json_t *, int);
static void	 text_probe_addresses(const json_t *);

/*
 * Everything about one target: what it is, how it is probed, its state
 * and since when, its numbers, the last result in full, and the last
 * results with their phases.
 */
int
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
	text_trend(history);
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
	char		 when[320], ago[32], streak[64] = "";
	double		 d;
	long long	 changes, n, of;

	state = field_str(target, "state");
	base = field_str(target, "base_state");
	/* results against the state so far: "2 ok of rise 5" */
	if (base != NULL && field_int(target, "streak", &n) == 0 && n > 0 &&
	    (strcmp(base, "up") == 0 || strcmp(base, "down") == 0) &&
	    field_int(target, strcmp(base, "up") == 0 ? "fall" : "rise",
	    &of) == 0)
		snprintf(streak, sizeof(streak), ", %lld %s of %s %lld so far",
		    n, strcmp(base, "up") == 0 ? "failed" : "ok",
		    strcmp(base, "up") == 0 ? "fall" : "rise", of);
	if (state != NULL && base != NULL && strcmp(state, base) != 0)
		text_kv("state:", "%s (%s at the moment%s)", state, base,
		    streak);
	else if (streak[0] != '\0')
		text_kv("state:", "%s (%s)", state != NULL ? state : "-",
		    streak + 2);
	else
		text_kv("state:", "%s", state != NULL ? state : "-");

	if (json_is_object(json_object_get(target, "maintenance"))) {
		text_maint_words(when, sizeof(when), target, 0);
		text_kv("disabled:", "%s", when);
	}
	/* since when it flaps; "since" is the last flip's */
	if (state != NULL && strcmp(state, "flapping") == 0 &&
	    field_num(target, "flapping_since", &d) == 0) {
		fmt_date(when, sizeof(when), d);
		if (field_num(target, "flapping_for_s", &d) == -1)
			d = (double)time(NULL) - d;
		fmt_age(ago, sizeof(ago), d);
		text_kv("flapping:", "since %s (%s ago)", when, ago);
	}
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
	text_labels(json_object_get(conf, "labels"));
	/* the steps say what payload and expect would (shorthands) */
	if (json_is_array(json_object_get(conf, "steps"))) {
		text_steps(conf);
		text_tls_settings(target, json_object_get(conf, "tls"));
		return;
	}
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

/* labels: name="value", ... as Prometheus writes them */
static void
text_labels(json_t *labels)
{
	const char *k;
	json_t *v;
	char buf[1024];
	size_t n = 0;
	int r;

	if (!json_is_object(labels) || json_object_size(labels) == 0)
		return;
	buf[0] = '\0';
	json_object_foreach(labels, k, v) {
		r = snprintf(buf + n, sizeof(buf) - n, "%s%s=\"%s\"",
		    n > 0 ? ", " : "", k, json_is_string(v) ?
		    json_string_value(v) : "?");
		if (r < 0 || (size_t)r >= sizeof(buf) - n)
			break;
		n += (size_t)r;
	}
	text_kv("labels:", "%s", buf);
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

/*
 * history:     ▁▁▂▁▃▇✗✗▁▁▂▁  latency 183us–1.81ms, log
 *
 * The results futd keeps as a sparkline, newest on the right: at most
 * SPARK_MAX_CELLS of them, fewer where the terminal is narrower than the
 * label, the line and its scale.  The scale is of the results drawn, so
 * the cells are chosen again until its words fit with them.  Where even SPARK_MIN_CELLS would not fit
 * beside the words, they go on the next line.
 */
#define SHOW_LABEL_COLS		13	/* text_kv's */
#define SHOW_SPARK_GAP		2
#define SHOW_SPARK_MIN_CELLS	8

static void
text_trend(const json_t *history)
{
	struct spark_scale	 sc;
	char			 line[SPARK_BUF], words[96];
	size_t			 n = json_array_size(history), cols, cells;
	size_t			 room;
	int			 below = 0;

	if (n == 0)
		return;
	cols = print_columns();
	cells = n < SPARK_MAX_CELLS ? n : SPARK_MAX_CELLS;
	for (;;) {	/* cells only ever fewer: it ends */
		text_spark(line, sizeof(line), history, cells, &sc);
		text_spark_scale(words, sizeof(words), &sc);
		room = SHOW_LABEL_COLS + SHOW_SPARK_GAP + print_width(words);
		room = cols > room ? cols - room : 0;
		if (cells <= room)
			break;
		if (room < SHOW_SPARK_MIN_CELLS) {
			/* the words below: the line has the width alone */
			below = 1;
			room = cols > SHOW_LABEL_COLS ? cols - SHOW_LABEL_COLS :
			    1;
			if (room < cells)
				cells = room > 0 ? room : 1;
			text_spark(line, sizeof(line), history, cells, &sc);
			text_spark_scale(words, sizeof(words), &sc);
			break;
		}
		cells = room;
	}
	printf("%-*s", SHOW_LABEL_COLS, "history:");
	print_write(stdout, line);
	if (below)
		printf("\n%-*s", SHOW_LABEL_COLS, "");
	else
		printf("%*s", SHOW_SPARK_GAP, "");
	print_write(stdout, words);
	putchar('\n');
}

/* The last result in full: outcome, phases, addresses, what came back. */
/* What a result says after its phases (show's last result, probe's). */
static void
text_result_tail(const json_t *result)
{
	const char	*s;
	char		 lat[32];
	long long	 us;

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
}

static void
text_last_result(const json_t *target)
{
	const json_t	*last = json_object_get(target, "last");
	const char	*words, *class;
	char		 when[64], lat[32], buf[256], where[48];
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
		text_step_where(where, sizeof(where), last);
		text_kv("last probe:", "%s, FAILED after %s%s", when, lat,
		    where);
		if (words != NULL && class != NULL)
			text_kv("error:", "%s (%s)", words, class);
		else
			text_kv("error:", "%s", words != NULL ? words :
			    class != NULL ? class : "-");
	}
	text_phases(buf, sizeof(buf), json_object_get(last, "phases"),
	    text_is_tls(last, target));
	text_kv("phases:", "%s", buf);
	text_result_tail(last);
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
	t.width = print_columns();
	t.cut = 1UL << 3;
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
		if (class != NULL)
			table_cell_short(&t, i + 1, 7, "%s", class);
	}
	/* the words give way to the class where the terminal is narrow */
	t.width = print_columns();
	t.cut = 1UL << 7;
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
int
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
	char		 buf[512], lat[32], where[48];
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
	text_probe_steps(data);
	text_result_tail(result);
	text_probe_addresses(json_object_get(data, "addresses"));

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
	text_step_where(where, sizeof(where), result);
	if (words != NULL && class != NULL)
		text_kv("result:", "FAILED after %s%s: %s (%s)", lat, where,
		    words, class);
	else
		text_kv("result:", "FAILED after %s%s: %s", lat, where,
		    words != NULL ? words : class != NULL ? class : "-");
	return 1;
}

/*
 * probe, addresses = "each": a line per address probed, before the
 * round's result (the first failure, else the first), which the steps
 * above are of:
 *
 * address:     127.0.0.2:8080  FAILED after 83us: Connection refused
 * address:     127.0.0.3:8080  ok in 201us
 */
static void
text_probe_addresses(const json_t *addrs)
{
	const json_t	*a, *last;
	const char	*s, *words;
	char		 lat[32];
	long long	 us;
	size_t		 i, w, width = 0;
	int		 good;

	json_array_foreach(addrs, i, a) {
		if ((s = field_str(a, "address")) == NULL)
			s = "-";
		if ((w = print_width(s)) > width)
			width = w;
	}
	json_array_foreach(addrs, i, a) {
		if ((s = field_str(a, "address")) == NULL)
			s = "-";
		last = json_object_get(a, "last");
		if (field_int(last, "latency_us", &us) == 0)
			fmt_latency(lat, sizeof(lat), us);
		else
			snprintf(lat, sizeof(lat), "-");
		if (field_bool(last, "ok", &good) == 0 && good)
			text_kv("address:", "%s%*s  ok in %s", s,
			    (int)(width - print_width(s)), "", lat);
		else {
			words = field_str(last, "message");
			text_kv("address:", "%s%*s  FAILED after %s: %s", s,
			    (int)(width - print_width(s)), "", lat,
			    words != NULL ? words : "failed");
		}
	}
}
