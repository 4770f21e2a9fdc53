/*
 * fmt.c - numbers and times as futctl prints them, into a buffer: latencies,
 * durations, ages, percentages, clock times and dates.  "-" for what
 * cannot be said (negative, not finite, out of range).
 */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "fmt.h"

/*
 * 312us, 1.25ms, 2.003s.  Integer arithmetic, rounded half up, and the
 * unit switches where the rounded value would need the next unit, so
 * 999999us is "1.000s", never "1000.00ms".
 */
void
fmt_latency(char *buf, size_t size, long long us)
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

/* Whole seconds of a minute or more in two units: 4m12s, 3h04m, 2d03h. */
static void
fmt_units(char *buf, size_t size, unsigned long long s)
{
	if (s < 3600)
		snprintf(buf, size, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lluh%02llum", s / 3600, s / 60 % 60);
	else
		snprintf(buf, size, "%llud%02lluh", s / 86400, s / 3600 % 24);
}

/* 12.3s, 4m12s, 3h04m, 2d03h: precise when short, short when long. */
void
fmt_duration(char *buf, size_t size, double sec)
{
	unsigned long long	 s;

	if (!isfinite(sec) || sec < 0) {
		snprintf(buf, size, "-");
		return;
	}
	/* a time that is not none, but would print as "0.0s" */
	if (sec > 0 && sec < 0.05) {
		snprintf(buf, size, "<0.1s");
		return;
	}
	if (sec < 59.95) {
		snprintf(buf, size, "%.1fs", sec);
		return;
	}
	s = (unsigned long long)(sec + 0.5);
	fmt_units(buf, size, s);
}

/* Unix seconds as local time: 0, or -1 when they are not a time. */
static int
fmt_local(struct tm *tm, double t)
{
	time_t secs;

	if (!isfinite(t) || t < 0 || t > 1e15)
		return -1;
	secs = (time_t)t;
	return localtime_r(&secs, tm) == NULL ? -1 : 0;
}

/* Unix seconds as local HH:MM:SS.mmm. */
void
fmt_clock(char *buf, size_t size, double t)
{
	struct tm	 tm;
	long long	 ms;
	char		 hms[16];

	if (!isfinite(t) || t < 0 || t > 1e15) {
		snprintf(buf, size, "-");
		return;
	}
	/* truncated as futd keeps history; + 1 us for binary fractions */
	ms = (long long)(t * 1000.0 + 0.001);
	if (fmt_local(&tm, (double)(ms / 1000)) == -1 ||
	    strftime(hms, sizeof(hms), "%H:%M:%S", &tm) == 0) {
		snprintf(buf, size, "-");
		return;
	}
	snprintf(buf, size, "%s.%03lld", hms, ms % 1000);
}

/*
 * How long something has been so, in at most two units: 45s, 4m12s,
 * 3h12m, 2d03h.  Whole seconds: an age, not a measurement.
 */
void
fmt_age(char *buf, size_t size, double sec)
{
	unsigned long long	 s;

	if (!isfinite(sec) || sec < 0) {
		snprintf(buf, size, "-");
		return;
	}
	s = (unsigned long long)sec;
	if (s < 60)
		snprintf(buf, size, "%llus", s);
	else
		fmt_units(buf, size, s);
}

/*
 * A ratio 0..1 as a percentage with two decimals, rounded down: 100.00%
 * only when nothing failed, 99.99% for one failure in a million.
 */
void
fmt_percent(char *buf, size_t size, double ratio)
{
	double	 hundredths;

	if (!isfinite(ratio) || ratio < 0 || ratio > 1) {
		snprintf(buf, size, "-");
		return;
	}
	/* the epsilon: 0.9995 may be a hair below it in binary */
	hundredths = (double)(long long)(ratio * 10000 + 1e-6);
	snprintf(buf, size, "%.2f%%", hundredths / 100);
}


/* Unix seconds as a local "YYYY-mm-dd HH:MM:SS". */
void
fmt_date(char *buf, size_t size, double t)
{
	struct tm tm;

	if (fmt_local(&tm, t) == -1 ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, size, "-");
}

/* Unix seconds as a local "YYYY-mm-dd HH:MM:SS.mmm". */
void
fmt_date_ms(char *buf, size_t size, double t)
{
	char		 date[32];
	long long	 ms;

	if (!isfinite(t) || t < 0 || t > 1e15) {
		snprintf(buf, size, "-");
		return;
	}
	ms = (long long)(t * 1000.0 + 0.001);
	fmt_date(date, sizeof(date), (double)(ms / 1000));
	snprintf(buf, size, "%s.%03lld", date, ms % 1000);
}

/* Unix seconds as a local "Nov 27 12:44:32", as syslog writes it. */
void
fmt_stamp(char *buf, size_t size, double t)
{
	struct tm tm;

	if (fmt_local(&tm, t) == -1 ||
	    strftime(buf, size, "%b %d %H:%M:%S", &tm) == 0)
		snprintf(buf, size, "-");
}
