/*
 * report.h - what the control socket answers (report.c): the one place
 * that writes the reply envelope and the objects of proto.h's schema.
 *
 * Every reply is text in a struct jsonw (jsonw.h), on its way to a
 * client's output buffer:
 *
 *	report_begin(jw, code, message, data?)	the envelope, up to "data":
 *	... the data, by one of the writers below ...
 *	report_end(jw)				the envelope's '}' and '\n'
 *
 * report_reply() does the three for a small object built with jansson
 * (ping, reload, errors, events).  A target and a result are only ever
 * printed, by report_target() and report_result(): `status` and `show`
 * write a target's fields the same way, `show` adds what `status` leaves
 * out.
 */
#ifndef FUTD_REPORT_H
#define FUTD_REPORT_H

#include <stddef.h>

struct daemon;
struct event_rec;
struct json_t;
struct jsonw;
struct probe_result;
struct reload_report;
struct target;

/* How much of a target report_target() writes. */
enum report_detail {
	REPORT_STATUS,	/* what the table and scripts need, for many */
	REPORT_SHOW,	/* all: stats in full, the settings, the history */
};

/* the envelope */
void		 report_begin(struct jsonw *, int, const char *, int);
void		 report_end(struct jsonw *);
void		 report_reply(struct jsonw *, int, const char *,
		    struct json_t *);
void		 report_json(struct jsonw *, struct json_t *);

/* printed data */
void		 report_target(struct jsonw *, const struct target *,
		    enum report_detail, unsigned);
void		 report_result(struct jsonw *, const struct probe_result *,
		    int);
void		 report_status_begin(struct jsonw *, size_t);
void		 report_status_end(struct jsonw *);
void		 report_show(struct jsonw *, const struct target *);
void		 report_probe(struct jsonw *, const struct target *,
		    const struct probe_result *, const struct probe_result *,
		    unsigned, const struct probe_trace *);
void		 report_metrics_begin(struct jsonw *, const char *);
void		 report_metrics_end(struct jsonw *, int);

/* small data, built with jansson */
struct json_t	*report_event(const struct event_rec *);
struct json_t	*report_events(const struct daemon *, size_t, const char *);
struct json_t	*report_ping(const struct daemon *);
struct json_t	*report_reload(const struct reload_report *);

#endif /* FUTD_REPORT_H */
