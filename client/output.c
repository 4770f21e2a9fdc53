/*
 * output.c - the text backend: what a person reads.
 *
 * Everything printed from a reply goes through output_line() or a table,
 * which replace control characters: a target name or an error message
 * holding "\n" or an escape sequence must not break the layout or play
 * with the terminal.  Fields missing from a reply print as "-", so that an
 * older or newer futd still gives a readable answer; only a reply without
 * the expected shape (no "targets" array, ...) is an error.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto.h"
#include "futctl.h"

enum table_align {
	TABLE_LEFT,
	TABLE_RIGHT,
};

/* Rows of cells whose column widths come from the content. */
struct table {
	size_t			 ncols;
	size_t			 nrows;		/* header row included */
	const enum table_align	*align;
	char			**cells;	/* nrows * ncols, owned */
};

static int	 text_ping(const json_t *);
static int	 text_status(const json_t *);
static int	 text_show(const json_t *);
static int	 text_reload(const json_t *);
static void	 text_error(const struct parse_result *,
		    const struct ctl_reply *);

static int	 text_malformed(const char *);
static void	 text_names(const char *, const json_t *, size_t *);
static void	 text_target(char *, size_t, const json_t *);
static void	 text_last(struct table *, size_t, size_t, const json_t *);

static void	 table_init(struct table *, size_t, size_t,
		    const enum table_align *, const char *const *);
static void	 table_cell(struct table *, size_t, size_t, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static void	 table_print(const struct table *);
static void	 table_free(struct table *);

static size_t	 output_width(const char *);
static void	 output_write(FILE *, const char *);
static void	 output_vline(FILE *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	 output_line(FILE *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static char	*output_vasprintf(const char *, va_list)
		    __attribute__((format(printf, 1, 0)));
static void	 output_date(char *, size_t, double);

static const char	*field_str(const json_t *, const char *);
static int		 field_num(const json_t *, const char *, double *);
static int		 field_int(const json_t *, const char *, long long *);
static int		 field_bool(const json_t *, const char *, int *);
static void		 field_fmt_int(char *, size_t, const json_t *,
			    const char *);
static void		 field_fmt_seconds(char *, size_t, const json_t *,
			    const char *);

const struct output output_text = {
	.ping =		text_ping,
	.status =	text_status,
	.show =		text_show,
	.reload =	text_reload,
	.error =	text_error,
};

/*
 * futd 0.1.0 pid 1234 up 12.3s, 3 targets
 */
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
		output_fmt_duration(up, sizeof(up), uptime);
	if (field_int(data, "targets", &targets) == 0)
		snprintf(ntargets, sizeof(ntargets), "%lld target%s",
		    targets, targets == 1 ? "" : "s");

	output_line(stdout, "%s %s pid %s up %s, %s",
	    daemon != NULL ? daemon : "futd", version != NULL ? version : "?",
	    spid, up, ntargets);
	return 0;
}

static int
text_status(const json_t *data)
{
	static const char *const header[] = {
		"NAME", "PROBE", "TARGET", "STATE", "LATENCY", "OK/FAILED",
		"LAST",
	};
	static const enum table_align align[] = {
		TABLE_LEFT, TABLE_LEFT, TABLE_LEFT, TABLE_LEFT, TABLE_RIGHT,
		TABLE_RIGHT, TABLE_LEFT,
	};
	struct table	 t;
	const json_t	*targets, *target;
	const char	*name, *probe, *state;
	char		 addr[512], latency[32], ok[32], failed[32];
	long long	 us;
	size_t		 i, row;

	targets = json_object_get(data, "targets");
	if (!json_is_array(targets))
		return text_malformed("status without a \"targets\" array");
	json_array_foreach(targets, i, target)
		if (!json_is_object(target))
			return text_malformed("a target is not an object");

	if (json_array_size(targets) == 0) {
		output_line(stdout, "no targets configured");
		return 0;
	}

	table_init(&t, 7, json_array_size(targets) + 1, align, header);
	json_array_foreach(targets, i, target) {
		row = i + 1;
		name = field_str(target, "name");
		probe = field_str(target, "probe");
		state = field_str(target, "state");
		text_target(addr, sizeof(addr), target);
		if (field_int(target, "last_latency_us", &us) == 0)
			output_fmt_latency(latency, sizeof(latency), us);
		else
			snprintf(latency, sizeof(latency), "-");
		field_fmt_int(ok, sizeof(ok), target, "ok");
		field_fmt_int(failed, sizeof(failed), target, "failed");

		table_cell(&t, row, 0, "%s", name != NULL ? name : "-");
		table_cell(&t, row, 1, "%s", probe != NULL ? probe : "-");
		table_cell(&t, row, 2, "%s", addr);
		table_cell(&t, row, 3, "%s", state != NULL ? state : "-");
		table_cell(&t, row, 4, "%s", latency);
		table_cell(&t, row, 5, "%s/%s", ok, failed);
		text_last(&t, row, 6, target);
	}
	table_print(&t);
	table_free(&t);
	return 0;
}

static int
text_show(const json_t *data)
{
	static const char *const header[] = {
		"TIME", "RESULT", "LATENCY", "ERROR",
	};
	static const enum table_align align[] = {
		TABLE_LEFT, TABLE_LEFT, TABLE_RIGHT, TABLE_LEFT,
	};
	struct table	 t;
	const json_t	*target, *history, *result;
	const char	*s, *words, *errclass;	/* "error": a class name */
	char		 buf[512], when[64], ago[32], latency[32];
	char		 probes[32], ok[32], failed[32], late[32];
	double		 d;
	time_t		 now;
	long long	 us;
	int		 good;
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
	output_line(stdout, "name:        %s", s != NULL ? s : "-");
	s = field_str(target, "probe");
	output_line(stdout, "probe:       %s", s != NULL ? s : "-");
	text_target(buf, sizeof(buf), target);
	output_line(stdout, "target:      %s", buf);
	field_fmt_seconds(buf, sizeof(buf), target, "interval");
	output_line(stdout, "interval:    %s", buf);
	field_fmt_seconds(buf, sizeof(buf), target, "timeout");
	output_line(stdout, "timeout:     %s", buf);
	s = field_str(target, "state");
	output_line(stdout, "state:       %s", s != NULL ? s : "-");

	if (field_num(target, "since", &d) == 0) {
		output_date(when, sizeof(when), d);
		now = time(NULL);
		d = (double)now - d;
		if (d >= 0) {
			output_fmt_duration(ago, sizeof(ago), d);
			output_line(stdout, "since:       %s (%s ago)",
			    when, ago);
		} else
			output_line(stdout, "since:       %s", when);
	} else
		output_line(stdout, "since:       -");

	field_fmt_int(probes, sizeof(probes), target, "probes");
	field_fmt_int(ok, sizeof(ok), target, "ok");
	field_fmt_int(failed, sizeof(failed), target, "failed");
	field_fmt_int(late, sizeof(late), target, "late");
	output_line(stdout, "probes:      %s (%s ok, %s failed, %s late)",
	    probes, ok, failed, late);

	words = field_str(target, "last_error");
	errclass = field_str(target, "error");
	if (words != NULL && errclass != NULL)
		output_line(stdout, "last error:  %s (%s)", words, errclass);
	else
		output_line(stdout, "last error:  %s",
		    words != NULL ? words : errclass != NULL ? errclass : "-");
	s = field_str(target, "peer");
	output_line(stdout, "peer:        %s", s != NULL ? s : "-");

	output_line(stdout, "%s", "");
	if (json_array_size(history) == 0) {
		output_line(stdout, "no results yet");
		return 0;
	}

	table_init(&t, 4, json_array_size(history) + 1, align, header);
	json_array_foreach(history, i, result) {
		if (field_num(result, "time", &d) == 0)
			output_fmt_clock(when, sizeof(when), d);
		else
			snprintf(when, sizeof(when), "-");
		if (field_int(result, "latency_us", &us) == 0)
			output_fmt_latency(latency, sizeof(latency), us);
		else
			snprintf(latency, sizeof(latency), "-");
		if (field_bool(result, "ok", &good) == -1)
			good = -1;
		words = field_str(result, "message");
		errclass = field_str(result, "error");

		table_cell(&t, i + 1, 0, "%s", when);
		table_cell(&t, i + 1, 1, "%s",
		    good == 1 ? "ok" : good == 0 ? "FAIL" : "-");
		table_cell(&t, i + 1, 2, "%s", latency);
		table_cell(&t, i + 1, 3, "%s",
		    words != NULL ? words : errclass != NULL ? errclass : "-");
	}
	table_print(&t);
	table_free(&t);
	return 0;
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
		output_line(stdout, "no changes");
		return 0;
	}
	if (field_int(data, "unchanged", &unchanged) == 0)
		output_line(stdout, "unchanged: %lld", unchanged);
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
		output_line(stderr, "futctl: reload failed: %s (%d)",
		    reply->message, reply->code);
	else
		output_line(stderr, "futctl: %s (%d)", reply->message,
		    reply->code);

	errors = reply->data != NULL ?
	    json_object_get(reply->data, "errors") : NULL;
	json_array_foreach(errors, i, e)
		if (json_is_string(e))
			output_line(stderr, "%s", json_string_value(e));
}

/*
 * Say "futctl: <message>" on stderr: for main() and the parser's errors,
 * with the same care for control characters as the rest.
 */
void
output_warnx(const char *fmt, ...)
{
	va_list	 ap;

	fflush(stdout);
	fputs("futctl: ", stderr);
	va_start(ap, fmt);
	output_vline(stderr, fmt, ap);
	va_end(ap);
}

/*
 * 312us, 1.25ms, 2.003s.  Integer arithmetic, rounded half up, and the
 * unit switches where the rounded value would need the next unit, so
 * 999999us is "1.000s", never "1000.00ms".
 */
void
output_fmt_latency(char *buf, size_t size, long long us)
{
	unsigned long long	 u, centi, milli;

	if (us < 0) {
		snprintf(buf, size, "-");
		return;
	}
	u = (unsigned long long)us;
	if (u < 1000) {
		snprintf(buf, size, "%lluus", u);
		return;
	}
	centi = (u + 5) / 10;			/* hundredths of a ms */
	if (centi < 100000) {
		snprintf(buf, size, "%llu.%02llums", centi / 100, centi % 100);
		return;
	}
	milli = (u + 500) / 1000;
	snprintf(buf, size, "%llu.%03llus", milli / 1000, milli % 1000);
}

/* 12.3s, 4m12s, 3h04m, 2d03h: precise when short, short when long. */
void
output_fmt_duration(char *buf, size_t size, double sec)
{
	unsigned long long	 s;

	if (!isfinite(sec) || sec < 0) {
		snprintf(buf, size, "-");
		return;
	}
	if (sec < 59.95) {
		snprintf(buf, size, "%.1fs", sec);
		return;
	}
	s = (unsigned long long)(sec + 0.5);
	if (s < 3600)
		snprintf(buf, size, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lluh%02llum", s / 3600, s / 60 % 60);
	else
		snprintf(buf, size, "%llud%02lluh", s / 86400, s / 3600 % 24);
}

/* Unix seconds as local HH:MM:SS.mmm. */
void
output_fmt_clock(char *buf, size_t size, double t)
{
	struct tm	 tm;
	time_t		 secs;
	long long	 ms;
	char		 hms[16];

	if (!isfinite(t) || t < 0 || t > 1e15) {
		snprintf(buf, size, "-");
		return;
	}
	ms = (long long)(t * 1000.0 + 0.5);	/* t >= 0: no need for libm */
	secs = (time_t)(ms / 1000);
	if (localtime_r(&secs, &tm) == NULL ||
	    strftime(hms, sizeof(hms), "%H:%M:%S", &tm) == 0) {
		snprintf(buf, size, "-");
		return;
	}
	snprintf(buf, size, "%s.%03lld", hms, ms % 1000);
}

static int
text_malformed(const char *what)
{
	output_warnx("malformed reply from futd: %s", what);
	return -1;
}

/* "added: a, b" when the list is not empty; counts the names. */
static void
text_names(const char *label, const json_t *names, size_t *count)
{
	const json_t	*name;
	char		*line = NULL, *next;
	size_t		 i;

	if (json_array_size(names) == 0)
		return;
	json_array_foreach(names, i, name) {
		if (asprintf(&next, "%s%s%s", line != NULL ? line : "",
		    line != NULL ? ", " : "",
		    json_is_string(name) ? json_string_value(name) : "?")
		    == -1) {
			output_warnx("%s", strerror(ENOMEM));
			exit(FUTCTL_EXIT_REPLY);
		}
		free(line);
		line = next;
	}
	output_line(stdout, "%s: %s", label, line);
	free(line);
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

/* The LAST column: why the last probe failed, else who answered it. */
static void
text_last(struct table *t, size_t row, size_t col, const json_t *target)
{
	const char	*s;
	int		 ok;

	if (field_bool(target, "last_ok", &ok) == 0 && !ok) {
		if ((s = field_str(target, "last_error")) != NULL ||
		    (s = field_str(target, "error")) != NULL)
			table_cell(t, row, col, "%s", s);
		else
			table_cell(t, row, col, "failed");
	} else if ((s = field_str(target, "peer")) != NULL)
		table_cell(t, row, col, "peer %s", s);
	else
		table_cell(t, row, col, "-");
}

static void
table_init(struct table *t, size_t ncols, size_t nrows,
    const enum table_align *align, const char *const *header)
{
	size_t	 c;

	t->ncols = ncols;
	t->nrows = nrows;
	t->align = align;
	if ((t->cells = calloc(nrows * ncols, sizeof(*t->cells))) == NULL) {
		output_warnx("%s", strerror(errno));
		exit(FUTCTL_EXIT_REPLY);
	}
	for (c = 0; c < ncols; c++)
		table_cell(t, 0, c, "%s", header[c]);
}

static void
table_cell(struct table *t, size_t row, size_t col, const char *fmt, ...)
{
	va_list	 ap;
	char	**cell = &t->cells[row * t->ncols + col];

	free(*cell);
	va_start(ap, fmt);
	*cell = output_vasprintf(fmt, ap);
	va_end(ap);
}

/*
 * Columns two spaces apart, each as wide as its widest cell.  The last
 * column is not padded: no trailing blanks for diff or grep to trip on.
 */
static void
table_print(const struct table *t)
{
	size_t		*width, r, c, w, pad;
	const char	*cell;

	if ((width = calloc(t->ncols, sizeof(*width))) == NULL) {
		output_warnx("%s", strerror(errno));
		exit(FUTCTL_EXIT_REPLY);
	}
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			cell = t->cells[r * t->ncols + c];
			if (cell != NULL && (w = output_width(cell)) > width[c])
				width[c] = w;
		}

	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			cell = t->cells[r * t->ncols + c];
			if (cell == NULL)
				cell = "";
			pad = width[c] - output_width(cell);
			if (c > 0)
				fputs("  ", stdout);
			if (t->align[c] == TABLE_RIGHT)
				printf("%*s", (int)pad, "");
			output_write(stdout, cell);
			if (t->align[c] == TABLE_LEFT && c + 1 < t->ncols)
				printf("%*s", (int)pad, "");
		}
		putchar('\n');
	}
	free(width);
}

static void
table_free(struct table *t)
{
	size_t	 i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
}

/*
 * Columns a string takes: one per UTF-8 character, not per byte, so that
 * a name like "café" does not shift the table.  (Wide characters would
 * need wcwidth() and a locale; names are ASCII in practice.)
 */
static size_t
output_width(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Write s, with each control character shown as '?'. */
static void
output_write(FILE *fp, const char *s)
{
	unsigned char	 c;

	for (; (c = (unsigned char)*s) != '\0'; s++)
		putc(c < 0x20 || c == 0x7f ? '?' : c, fp);
}

static void
output_vline(FILE *fp, const char *fmt, va_list ap)
{
	char	*line;

	line = output_vasprintf(fmt, ap);
	output_write(fp, line);
	putc('\n', fp);
	free(line);
}

static void
output_line(FILE *fp, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	output_vline(fp, fmt, ap);
	va_end(ap);
}

/* Out of memory in a command-line tool: say so and stop. */
static char *
output_vasprintf(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) == -1) {
		fputs("futctl: out of memory\n", stderr);
		exit(FUTCTL_EXIT_REPLY);
	}
	return s;
}

/* Unix seconds as a local "YYYY-mm-dd HH:MM:SS". */
static void
output_date(char *buf, size_t size, double t)
{
	struct tm	 tm;
	time_t		 secs;

	if (!isfinite(t) || t < 0 || t > 1e15) {
		snprintf(buf, size, "-");
		return;
	}
	secs = (time_t)t;
	if (localtime_r(&secs, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, size, "-");
}

static const char *
field_str(const json_t *obj, const char *key)
{
	const json_t	*v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
field_num(const json_t *obj, const char *key, double *out)
{
	const json_t	*v = json_object_get(obj, key);

	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

static int
field_int(const json_t *obj, const char *key, long long *out)
{
	const json_t	*v = json_object_get(obj, key);

	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static int
field_bool(const json_t *obj, const char *key, int *out)
{
	const json_t	*v = json_object_get(obj, key);

	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 0;
}

static void
field_fmt_int(char *buf, size_t size, const json_t *obj, const char *key)
{
	long long	 v;

	if (field_int(obj, key, &v) == 0)
		snprintf(buf, size, "%lld", v);
	else
		snprintf(buf, size, "-");
}

/*
 * A duration from the configuration, in seconds: "10s", "2.5s", "500ms".
 * A string is shown as futd wrote it.
 */
static void
field_fmt_seconds(char *buf, size_t size, const json_t *obj, const char *key)
{
	const char	*s;
	double		 d;

	if ((s = field_str(obj, key)) != NULL)
		snprintf(buf, size, "%s", s);
	else if (field_num(obj, key, &d) == -1 || !isfinite(d) || d < 0)
		snprintf(buf, size, "-");
	else if (d > 0 && d < 1)
		snprintf(buf, size, "%gms", d * 1000);
	else
		snprintf(buf, size, "%gs", d);
}
