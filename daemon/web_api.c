/*
 * web_api.c - /api/status and /api/target/NAME: the JSON of `futctl --json
 * status` and `futctl --json show NAME`, written by report.c's own
 * writers (report_status_begin, report_target, report_show), so the two
 * cannot drift.  No envelope: futctl prints the data of the control
 * socket's reply, and so do these.
 *
 * The status streams, by name as futctl's does, with ?name= and ?state=
 * as `futctl status --match GLOB --state STATE`, and ?trend=N as the
 * control socket's status trend=N (the last N latencies of each).
 */
#include <event2/buffer.h>

#include "daemon.h"
#include "jsonw.h"
#include "report.h"
#include "target.h"
#include "web.h"

#define WEB_API_LOOK	4096	/* targets looked at a chunk, at most */

enum { API_BEGIN, API_TARGETS, API_DONE };

int
web_api_status(struct web_stream *ws, const struct daemon *d,
    struct evbuffer *out, size_t max)
{
	const struct target *tg;
	size_t i, looked = 0;

	if (ws->phase == API_BEGIN) {
		report_status_begin(&ws->jw, d->ntargets);
		ws->phase = API_TARGETS;
	}
	for (i = web_after(d, ws->after); i < d->ntargets; i++) {
		if (ws->jw.n >= max || looked++ >= WEB_API_LOOK) {
			if (jsonw_flush(&ws->jw, out) == -1)
				return -1;
			return 1;
		}
		tg = d->targets[i];
		web_after_set(ws, tg->conf.name);
		if (!web_query_match(&ws->q, tg))
			continue;
		if (ws->shown++ > 0)
			jsonw_lit(&ws->jw, ",");
		report_target(&ws->jw, tg, REPORT_STATUS, ws->q.trend);
	}
	report_status_end(&ws->jw);
	jsonw_lit(&ws->jw, "\n");
	ws->phase = API_DONE;
	return jsonw_flush(&ws->jw, out) == -1 ? -1 : 0;
}

int
web_api_target(struct web_stream *ws, const struct daemon *d,
    struct evbuffer *out)
{
	const struct target *tg;

	/* gone since web_open (a reload): what is left to say */
	if ((tg = daemon_find(d, ws->target)) == NULL)
		jsonw_lit(&ws->jw, "null\n");
	else {
		report_show(&ws->jw, tg);
		jsonw_lit(&ws->jw, "\n");
	}
	return jsonw_flush(&ws->jw, out) == -1 ? -1 : 0;
}
