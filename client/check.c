/*
 * check.c - `futctl check NAME`: what a target's state means to Nagios.
 *
 * check_eval() turns a target as `status` shows it into a check_result:
 * the Nagios code (0 OK when up, 1 WARNING when flapping or when the last
 * probe failed while still up, 2 CRITICAL when down, 3 UNKNOWN when there
 * is nothing to go by), one line of words and the perfdata; a TLS
 * target's certificate may make it worse.  Both backends print the same
 * conclusion: check_print() the plugin's line, output_json.c an object.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "field.h"
#include "fmt.h"
#include "output_text.h"
#include "print.h"

/* check: the words of the Nagios codes */
static const char *const check_words[] = {
	[CHECK_OK] =		"OK",
	[CHECK_WARNING] =	"WARNING",
	[CHECK_CRITICAL] =	"CRITICAL",
	[CHECK_UNKNOWN] =	"UNKNOWN",
};

/* What check_eval() reads from a target, once. */
struct check_facts {
	const char	*state;
	const char	*base;
	char		 age[32];	/* for_s, as an age */
	char		 lat[32];	/* the last latency, if ok */
	char		 pct[16];	/* lifetime availability */
	char		 why[300];	/* what the last probe failed of */
	double		 avail;		/* -1: not known */
	long long	 us;		/* the last latency; -1: none */
	long long	 p99;		/* -1: none */
	long long	 changes;
	int		 good;		/* the last probe: 1 ok, 0 failed, -1 */
};

static void	 check_facts(struct check_facts *, const json_t *);
static int	 check_body(const struct check_facts *, const char *,
		    const json_t *, char *, size_t, enum check_code *);
static void	 check_perfdata(struct check_result *,
		    const struct check_facts *);
static void	 check_cert(struct check_result *, enum check_code *, char *,
		    size_t, const json_t *, const json_t *);

/*
 * FUTD OK - web is up for 3h12m, ... | latency=0.000310s;;;0 ...
 *
 * The plugin guidelines' perfdata: 'label'=value[UOM];[warn];[crit];
 * [min];[max], space separated, after a '|'.  Only cert_days has warn
 * and crit: the days below which futd says warning and critical.
 */
void
check_print(const struct check_result *cr)
{
	const struct check_perf	*p;
	char			*line, *next, max[32], warn[32], crit[32];
	size_t			 i;

	if ((line = strdup(cr->text)) == NULL) {
		fputs("FUTD UNKNOWN - out of memory\n", stdout);
		return;
	}
	for (i = 0; i < cr->nperf; i++) {
		p = &cr->perf[i];
		max[0] = warn[0] = crit[0] = '\0';
		if (p->has_max)
			snprintf(max, sizeof(max), ";%g", p->max);
		if (p->has_limits) {
			/*
			 * Nagios ranges: "30:" alerts below 30, which is
			 * what limits on days left mean (a bare 30 would
			 * alert above it).
			 */
			snprintf(warn, sizeof(warn), "%g:", p->warn);
			snprintf(crit, sizeof(crit), "%g:", p->crit);
		}
		if (asprintf(&next, "%s%s%s=%.*f%s;%s;%s;%g%s", line,
		    i == 0 ? " | " : " ", p->label, p->decimals, p->value,
		    p->uom, warn, crit, p->min, max) == -1) {
			free(line);
			fputs("FUTD UNKNOWN - out of memory\n", stdout);
			return;
		}
		free(line);
		line = next;
	}
	print_line(stdout, "%s", line);
	free(line);
}

/*
 * What `check NAME` says of a target (a status object, or NULL when futd
 * has none by that name).  tls_conf is a TLS target's config.tls from
 * show, for the limits in the perfdata (NULL: not known).
 */
void
check_eval(struct check_result *cr, const char *name, const json_t *target,
    const json_t *tls_conf)
{
	struct check_facts	 f;
	const char		*p;
	char			 body[900];
	enum check_code		 code;

	if (target == NULL) {
		check_unknown(cr, "no such target: %s", name);
		return;
	}
	memset(cr, 0, sizeof(*cr));
	check_facts(&f, target);
	if (check_body(&f, name, target, body, sizeof(body), &code) == -1) {
		check_unknown(cr, "%s is in a state futctl does not know: %s",
		    name, f.state);
		return;
	}
	check_perfdata(cr, &f);
	if (code != CHECK_UNKNOWN)
		check_cert(cr, &code, body, sizeof(body), target, tls_conf);

	cr->code = code;
	snprintf(cr->text, sizeof(cr->text), "FUTD %s - %s", check_words[code],
	    body);
	/* '|' would start the perfdata: not in the words */
	for (p = cr->text; *p != '\0'; p++)
		if (*p == '|')
			cr->text[p - cr->text] = '/';
}

static void
check_facts(struct check_facts *f, const json_t *target)
{
	const json_t	*avail, *stats;
	const char	*words, *peer;
	char		 where[48];
	double		 d;

	memset(f, 0, sizeof(*f));
	f->avail = -1;
	f->us = f->p99 = -1;
	f->good = -1;
	f->state = field_str(target, "state");
	f->base = field_str(target, "base_state");
	(void)field_bool(target, "last_ok", &f->good);
	(void)field_int(target, "changes", &f->changes);
	if (field_num(target, "for_s", &d) == 0)
		fmt_age(f->age, sizeof(f->age), d);
	else
		snprintf(f->age, sizeof(f->age), "-");
	avail = json_object_get(target, "availability");
	if (field_num(avail, "lifetime", &f->avail) == 0)
		fmt_percent(f->pct, sizeof(f->pct), f->avail);
	else {
		f->avail = -1;
		snprintf(f->pct, sizeof(f->pct), "-");
	}
	stats = json_object_get(target, "stats");
	if (field_int(stats, "p99_us", &f->p99) == -1)
		f->p99 = -1;
	if (f->good == 1 && field_int(target, "last_latency_us", &f->us) == 0 &&
	    f->us >= 0) {
		if (f->us < 1000000)
			snprintf(f->lat, sizeof(f->lat), "%.2fms",
			    f->us / 1000.0);
		else
			snprintf(f->lat, sizeof(f->lat), "%.3fs", f->us / 1e6);
	} else
		f->us = -1;
	if (f->good == 0) {
		if ((words = field_str(target, "last_error")) == NULL &&
		    (words = field_str(target, "error")) == NULL)
			words = "failed";
		/* addresses = "each": which of them failed, as the log says */
		text_step_where(where, sizeof(where),
		    json_object_get(target, "last"));
		if (json_is_array(json_object_get(target, "addresses")) &&
		    (peer = field_str(target, "peer")) != NULL)
			snprintf(f->why, sizeof(f->why), "%s: %s%s", peer,
			    words, where);
		else
			snprintf(f->why, sizeof(f->why), "%s%s", words, where);
	}
}

/* The code and the words of a target's state; -1: a state unknown to us. */
static int
check_body(const struct check_facts *f, const char *name,
    const json_t *target, char *body, size_t size, enum check_code *code)
{
	const char	*state = f->state, *why = f->why;
	char		 next[320];
	double		 d;

	if (state != NULL && strcmp(state, "disabled") == 0) {
		/* planned: an operator's word, nothing to page anyone for */
		*code = CHECK_OK;
		text_maint_words(next, sizeof(next), target, 0);
		snprintf(body, size, "%s is disabled %s", name, next);
	} else if (state == NULL || strcmp(state, "unknown") == 0) {
		*code = CHECK_UNKNOWN;
		if (field_num(target, "next_probe_in_s", &d) == 0 && d > 0) {
			fmt_duration(next, sizeof(next), d);
			snprintf(body, size, "%s has no result yet, "
			    "first probe in %s", name, next);
		} else
			snprintf(body, size, "%s has no result yet", name);
	} else if (strcmp(state, "down") == 0) {
		*code = CHECK_CRITICAL;
		snprintf(body, size, "%s is down for %s: %s, "
		    "availability %s", name, f->age,
		    why[0] != '\0' ? why : "failed", f->pct);
	} else if (strcmp(state, "flapping") == 0) {
		*code = CHECK_WARNING;
		snprintf(body, size, "%s is flapping (%lld state "
		    "changes, %s for %s), last probe %s%s%s, availability %s",
		    name, f->changes, f->base != NULL ? f->base : "-", f->age,
		    f->good == 1 ? "ok in " : "failed: ",
		    f->good == 1 ? (f->us >= 0 ? f->lat : "-") : "",
		    f->good == 1 ? "" : why[0] != '\0' ? why : "-", f->pct);
	} else if (strcmp(state, "up") == 0 && f->good == 0) {
		*code = CHECK_WARNING;
		snprintf(body, size, "%s is up for %s but the last "
		    "probe failed: %s, availability %s", name, f->age, why,
		    f->pct);
	} else if (strcmp(state, "up") == 0) {
		*code = CHECK_OK;
		snprintf(body, size, "%s is up for %s, latency %s, "
		    "availability %s", name, f->age, f->us >= 0 ? f->lat : "-",
		    f->pct);
	} else
		return -1;
	return 0;
}

/* latency, availability and p99, those that are known */
static void
check_perfdata(struct check_result *cr, const struct check_facts *f)
{
	if (f->us >= 0)
		cr->perf[cr->nperf++] = (struct check_perf){ .label =
		    "latency", .value = f->us / 1e6, .uom = "s",
		    .decimals = 6 };
	if (f->avail >= 0)
		cr->perf[cr->nperf++] = (struct check_perf){ .label =
		    "availability", .value = (double)(long long)(f->avail *
		    10000 + 1e-6) / 100, .uom = "%", .decimals = 2,
		    .has_max = 1, .max = 100 };
	if (f->p99 >= 0)
		cr->perf[cr->nperf++] = (struct check_perf){ .label = "p99",
		    .value = f->p99 / 1e6, .uom = "s", .decimals = 6 };
}

/*
 * A TLS target's certificate, for check: the earliest expiry in its
 * chain against cert_warn_days and cert_crit_days (futd's cert.status)
 * makes the code WARNING or CRITICAL; a failed verification of a target
 * that verifies (tls_verify) is CRITICAL even while `fall` keeps it up.
 * Appended to body:
 *
 *   ", certificate expires in 19 days (warning below 30)"
 *   ", certificate expired 3 days ago"
 *   ", certificate expires in 80 days, not verified: hostname mismatch"
 *
 * and the perfdata cert_days=19;30:;7:;0 (the limits when known).
 */
static void
check_cert(struct check_result *cr, enum check_code *code, char *body,
    size_t size, const json_t *target, const json_t *tls_conf)
{
	const json_t	*cert = json_object_get(target, "cert");
	const char	*error, *status, *verify;
	long long	 days, warn = -1, crit = -1;
	size_t		 len = strlen(body);
	int		 verified, vfail;

	if (!json_is_object(cert))
		return;
	error = field_str(target, "error");
	vfail = error != NULL && strcmp(error, "tls_verify") == 0;
	if (vfail)
		*code = CHECK_CRITICAL;
	if (field_int(cert, "days_left", &days) == -1)
		return;		/* no certificate seen yet */
	if (field_int(cert, "warn_days", &warn) == -1 &&
	    field_int(tls_conf, "cert_warn_days", &warn) == -1)
		warn = -1;
	if (field_int(cert, "crit_days", &crit) == -1 &&
	    field_int(tls_conf, "cert_crit_days", &crit) == -1)
		crit = -1;
	status = field_str(cert, "status");
	if (status != NULL && strcmp(status, "critical") == 0)
		*code = CHECK_CRITICAL;
	else if (status != NULL && strcmp(status, "warning") == 0 &&
	    *code == CHECK_OK)
		*code = CHECK_WARNING;

	if (days < 0)
		len += (size_t)snprintf(body + len, size - len, ", certificate "
		    "expired %lld day%s ago", -days, days == -1 ? "" : "s");
	else
		len += (size_t)snprintf(body + len, size - len, ", certificate "
		    "expires in %lld day%s", days, days == 1 ? "" : "s");
	if (len < size && days >= 0 && status != NULL &&
	    strcmp(status, "critical") == 0 && crit >= 0)
		len += (size_t)snprintf(body + len, size - len, " (critical "
		    "below %lld)", crit);
	else if (len < size && days >= 0 && status != NULL &&
	    strcmp(status, "warning") == 0 && warn >= 0)
		len += (size_t)snprintf(body + len, size - len, " (warning "
		    "below %lld)", warn);
	/* with verify = false the words are all there is to tell */
	if (len < size && !vfail && days >= 0 &&
	    field_bool(cert, "verified", &verified) == 0 && !verified &&
	    (verify = field_str(cert, "verify")) != NULL)
		snprintf(body + len, size - len, ", not verified: %s", verify);

	if (cr->nperf < CHECK_MAX_PERF)
		cr->perf[cr->nperf++] = (struct check_perf){ .label =
		    "cert_days", .value = (double)days, .uom = "",
		    .has_limits = warn >= 0 && crit >= 0, .warn = (double)warn,
		    .crit = (double)crit };
}

/* Does check need a TLS target's limits from show (status lacks them)? */
int
check_wants_tls_conf(const json_t *target)
{
	const json_t	*cert = json_object_get(target, "cert");

	return json_is_object(cert) &&
	    (json_object_get(cert, "warn_days") == NULL ||
	    json_object_get(cert, "crit_days") == NULL);
}

/* "OK", "WARNING", "CRITICAL", "UNKNOWN" */
const char *
check_word(enum check_code code)
{
	return (unsigned)code <= CHECK_UNKNOWN ? check_words[code] : "UNKNOWN";
}

/* FUTD UNKNOWN - <words>: no perfdata. */
void
check_unknown(struct check_result *cr, const char *fmt, ...)
{
	va_list	 ap;
	char	 words[900];
	size_t	 i;

	memset(cr, 0, sizeof(*cr));
	cr->code = CHECK_UNKNOWN;
	va_start(ap, fmt);
	vsnprintf(words, sizeof(words), fmt, ap);
	va_end(ap);
	for (i = 0; words[i] != '\0'; i++)
		if (words[i] == '|')
			words[i] = '/';
	snprintf(cr->text, sizeof(cr->text), "FUTD UNKNOWN - %s", words);
}
