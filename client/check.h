/*
 * check.h - `futctl check` (check.c): what a target's state means to
 * Nagios (the exit code, one line of words, perfdata) and the plugin's
 * line; the JSON form is output_json.c's.
 */
#ifndef FUTCTL_CHECK_H
#define FUTCTL_CHECK_H

#include <stddef.h>

#include <jansson.h>

/* The Nagios plugin convention: exit status and word of `check`. */
enum check_code {
	CHECK_OK = 0,
	CHECK_WARNING = 1,
	CHECK_CRITICAL = 2,
	CHECK_UNKNOWN = 3,
};

#define CHECK_MAX_PERF	4

/* One Nagios performance value: label=value[uom];[warn];[crit];min[;max] */
struct check_perf {
	const char	*label;
	double		 value;
	const char	*uom;		/* "s", "%", "" */
	int		 decimals;	/* in the text form */
	double		 min;
	int		 has_max;
	double		 max;
	int		 has_limits;	/* warn and crit */
	double		 warn;
	double		 crit;
};

/* What `check` says: a Nagios status, one line of words, perfdata. */
struct check_result {
	enum check_code		 code;
	char			 text[1024];	/* "FUTD OK - web is up ..." */
	struct check_perf	 perf[CHECK_MAX_PERF];
	size_t			 nperf;
};

void		 check_print(const struct check_result *);
int		 check_wants_tls_conf(const json_t *);
const char	*check_word(enum check_code);
void		 check_eval(struct check_result *, const char *,
		    const json_t *, const json_t *);
void		 check_unknown(struct check_result *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

#endif /* FUTCTL_CHECK_H */
