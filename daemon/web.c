/*
 * web.c - the status page (GET /) and the routing of web.h's paths.
 *
 * The list shows every target the query picks, down and flapping ones
 * first (a first walk by name over those, a second over the rest), each
 * with its state in colour and in a word, since when, its availability
 * over the hour, the day and its lifetime, p50 and p99 of its history,
 * the last error in words, and a small latency graph (svg.c).  A page is
 * WEB_PAGE_ROWS targets: 100 000 of them are 200 pages, not one reply of
 * 400 MB; page N skips the (N-1) * WEB_PAGE_ROWS first matches, and a
 * target that changes state between two chunks may be shown twice or
 * not at all on this reload of the page (the next one has it right).
 *
 * The page reloads itself every WEB_REFRESH_S (a meta refresh: no
 * script), asks for nothing outside itself (inline CSS, no font, no
 * image), and the listener sends it with a Content-Security-Policy that
 * forbids scripts and fetches anyway.  Every string from the config or
 * a peer goes through html.c.
 */
#include <event2/buffer.h>
#include <event2/http.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "futd.h"
#include "html.h"
#include "maint.h"
#include "probe.h"
#include "results.h"
#include "svg.h"
#include "target.h"
#include "web.h"

#define WEB_LOOK	2048	/* targets looked at a chunk, at most */

#define CT_HTML		"text/html; charset=utf-8"
#define CT_JSON		"application/json"

/* the list's phases */
enum { LIST_HEAD, LIST_BAD, LIST_REST, LIST_TAIL, LIST_DONE };

/* ?name=...&state=...&page=N, for the links between pages (in href="") */
static void
web_query_link(struct evbuffer *out, const struct web_query *q,
    unsigned page)
{
	const char *sep = "?";

	html_lit(out, "/");
	if (q->name != NULL) {
		evbuffer_add_printf(out, "%sname=", sep);
		html_url(out, q->name);
		sep = "&amp;";
	}
	if (q->state != -1) {
		evbuffer_add_printf(out, "%sstate=%s", sep,
		    target_state_name(q->state));
		sep = "&amp;";
	}
	if (page > 1)
		evbuffer_add_printf(out, "%spage=%u", sep, page);
}

static void
web_list_head(struct web_stream *ws, const struct daemon *d,
    struct evbuffer *out)
{
	size_t count[TARGET_STATE_LAST + 1] = { 0 }, i;
	int s;

	for (i = 0; i < d->ntargets; i++)
		count[results_state(&d->targets[i]->res)]++;
	html_head(out, "futd status", WEB_REFRESH_S);
	evbuffer_add_printf(out, "<header><h1>futd status</h1><p "
	    "class=\"summary\">%zu targets:", d->ntargets);
	for (s = TARGET_UP; s <= TARGET_STATE_LAST; s++)
		evbuffer_add_printf(out, " %zu %s,", count[s],
		    target_state_name(s));
	evbuffer_add_printf(out, " %zu unknown. Page %u; reloads every "
	    "%d s.</p></header>\n<form method=\"get\" action=\"/\"><label>"
	    "name <input name=\"name\" size=\"24\" placeholder=\"web*\" "
	    "value=\"", count[TARGET_UNKNOWN], ws->q.page, WEB_REFRESH_S);
	html_text(out, ws->q.name);
	html_lit(out, "\"></label> <label>state <select name=\"state\">"
	    "<option value=\"\">any</option>");
	for (s = TARGET_UNKNOWN; s <= TARGET_STATE_LAST; s++)
		evbuffer_add_printf(out, "<option%s>%s</option>",
		    s == ws->q.state ? " selected" : "",
		    target_state_name(s));
	html_lit(out, "</select></label> <button>filter</button></form>\n"
	    "<table><thead><tr><th>state</th><th>target</th><th>for</th>"
	    "<th>hour</th><th>day</th><th>lifetime</th><th>p50</th>"
	    "<th>p99</th><th>last error</th><th>latency</th></tr></thead>"
	    "<tbody>\n");
}

static void
web_avail(struct evbuffer *out, const struct results *r, int window)
{
	char num[HTML_NUM];
	double v = 0;
	int have = results_availability(r, window, &v) == 0;

	evbuffer_add_printf(out, "<td class=\"num\">%s</td>",
	    html_percent(num, sizeof(num), have, v));
}

/* A disabled target: by whom and why, in place of its last error. */
static void
web_row_maint(struct evbuffer *out, const struct target *tg)
{
	const struct maint *m = maints_find(&target_daemon(tg)->maints,
	    tg->conf.name);

	if (m == NULL)
		return;
	html_lit(out, "disabled");
	if (m->user[0] != '\0') {
		html_lit(out, " by ");
		html_text(out, m->user);
	}
	if (m->reason[0] != '\0') {
		html_lit(out, ": ");
		html_text(out, m->reason);
	}
}

/* One target's row. */
static void
web_row(struct evbuffer *out, const struct target *tg)
{
	const struct results *r = &tg->res;
	enum target_state s = results_state(r);
	struct results_stats st;
	struct probe_result lastbuf;
	const struct probe_result *last = target_last(tg, &lastbuf);
	char num[HTML_NUM], msg[160], iso[32];
	int64_t since_us;
	time_t t;
	struct tm tm;

	evbuffer_add_printf(out, "<tr class=\"target %s\"><td><span "
	    "class=\"st %s\">%s</span></td><td class=\"name\"><a href=\""
	    "/target/", target_state_name(s), target_state_name(s),
	    target_state_name(s));
	html_url(out, tg->conf.name);
	html_lit(out, "\">");
	html_text(out, tg->conf.name);
	html_lit(out, "</a></td>");
	if (r->state == TARGET_UNKNOWN)
		html_lit(out, "<td>\xe2\x80\x94</td>");
	else {
		/* flapping: since it began to, not since its last flip */
		since_us = r->flapping && s == TARGET_FLAPPING ?
		    (int64_t)r->flap_since_s * 1000000 : r->since_wall_us;
		t = (time_t)(since_us / 1000000);
		gmtime_r(&t, &tm);
		strftime(iso, sizeof(iso), "%Y-%m-%d %H:%M:%S UTC", &tm);
		evbuffer_add_printf(out, "<td title=\"since %s\">%s</td>",
		    iso, html_ago(num, sizeof(num), clock_wall_us() -
		    since_us));
	}
	web_avail(out, r, 1);
	web_avail(out, r, 2);
	web_avail(out, r, 0);
	results_stats(r, &st);
	if (st.ok > 0) {
		evbuffer_add_printf(out, "<td class=\"num\">%s</td>",
		    html_ms(num, sizeof(num), st.p50_us));
		evbuffer_add_printf(out, "<td class=\"num\">%s</td>",
		    html_ms(num, sizeof(num), st.p99_us));
	} else
		html_lit(out, "<td class=\"num\">\xe2\x80\x94</td>"
		    "<td class=\"num\">\xe2\x80\x94</td>");
	html_lit(out, "<td class=\"err\">");
	if (s == TARGET_DISABLED)
		web_row_maint(out, tg);
	else if (last != NULL && last->error != PERR_NONE)
		html_text(out, probe_result_message(last, msg, sizeof(msg)));
	html_lit(out, "</td><td>");
	svg_latency(out, r, tg->conf.name, SVG_SMALL,
	    tg->conf.interval_us);
	html_lit(out, "</td></tr>\n");
}

static void
web_list_tail(struct web_stream *ws, const struct daemon *d,
    struct evbuffer *out)
{
	html_lit(out, "</tbody></table>\n");
	if (ws->shown == 0)
		html_lit(out, ws->q.page > 1 ? "<p class=\"none\">no targets "
		    "on this page</p>\n" : d->ntargets == 0 ? "<p class=\""
		    "none\">no targets configured</p>\n" : "<p class=\"none\">"
		    "no targets match</p>\n");
	html_lit(out, "<nav>");
	if (ws->q.page > 1) {
		html_lit(out, "<a rel=\"prev\" href=\"");
		web_query_link(out, &ws->q, ws->q.page - 1);
		html_lit(out, "\">\xe2\x86\x90 previous page</a>");
	}
	if (ws->more) {
		html_lit(out, "<a rel=\"next\" href=\"");
		web_query_link(out, &ws->q, ws->q.page + 1);
		html_lit(out, "\">next page \xe2\x86\x92</a>");
	}
	evbuffer_add_printf(out, "</nav><footer>futd %s \xc2\xb7 <a href=\""
	    "/api/status\">JSON</a> \xc2\xb7 <a href=\"/metrics\">metrics"
	    "</a></footer>\n</body></html>\n", FUTD_VERSION);
}

/* In this walk: down and flapping targets first, then the rest. */
static int
web_list_walk_has(int phase, const struct target *tg)
{
	enum target_state s = results_state(&tg->res);
	int bad = s == TARGET_DOWN || s == TARGET_FLAPPING;

	return phase == LIST_BAD ? bad : !bad;
}

/* A walk's next targets; 1: more of it to come, 0: the walk is done. */
static int
web_list_walk(struct web_stream *ws, const struct daemon *d,
    struct evbuffer *out, size_t max)
{
	const struct target *tg;
	size_t i, looked = 0;

	for (i = web_after(d, ws->after); i < d->ntargets; i++) {
		if (evbuffer_get_length(out) >= max || looked++ >= WEB_LOOK)
			return 1;
		tg = d->targets[i];
		web_after_set(ws, tg->conf.name);
		if (!web_list_walk_has(ws->phase, tg) ||
		    !web_query_match(&ws->q, tg))
			continue;
		if (ws->skip > 0) {
			ws->skip--;
			continue;
		}
		if (ws->shown == WEB_PAGE_ROWS) {
			ws->more = 1;
			ws->phase = LIST_REST;	/* and no further */
			return 0;
		}
		web_row(out, tg);
		ws->shown++;
	}
	return 0;
}

static int
web_list(struct web_stream *ws, const struct daemon *d, struct evbuffer *out,
    size_t max)
{
	if (ws->phase == LIST_HEAD) {
		web_list_head(ws, d, out);
		ws->skip = (size_t)(ws->q.page - 1) * WEB_PAGE_ROWS;
		ws->phase = LIST_BAD;
	}
	while (ws->phase == LIST_BAD || ws->phase == LIST_REST) {
		if (web_list_walk(ws, d, out, max) == 1)
			return 1;
		ws->after[0] = '\0';
		ws->phase++;
	}
	web_list_tail(ws, d, out);
	ws->phase = LIST_DONE;
	return 0;
}

/* /target/NAME, /api/target/NAME: NAME decoded, and a target's. */
static int
web_open_target(struct web_stream *ws, const struct daemon *d,
    const char *enc, char *why, size_t whylen)
{
	size_t len;

	if ((ws->target = evhttp_uridecode(enc, 0, &len)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return 500;
	}
	if (len != strlen(ws->target) || daemon_find(d, ws->target) ==
	    NULL) {
		snprintf(why, whylen, "no such target (GET /api/status "
		    "lists them)");
		return 404;
	}
	return 200;
}

/*
 * Is the path ours, and what will its answer be: 200 and *wsp to render
 * it with, *ctype its Content-Type; 404 (not ours, or no such target),
 * 400 (a bad query) or 500 (out of memory), why in words.
 */
int
web_open(const struct daemon *d, const char *path, const char *query,
    struct web_stream **wsp, const char **ctype, char *why, size_t whylen)
{
	struct web_stream *ws;
	int code = 200;

	*wsp = NULL;
	if ((ws = calloc(1, sizeof(*ws))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return 500;
	}
	ws->q.state = -1;
	jsonw_init(&ws->jw);
	*ctype = CT_HTML;
	if (strcmp(path, "/") == 0)
		ws->kind = WEB_LIST;
	else if (strcmp(path, "/api/status") == 0) {
		ws->kind = WEB_API_STATUS;
		*ctype = CT_JSON;
	} else if (strncmp(path, "/target/", 8) == 0) {
		ws->kind = WEB_TARGET;
		code = web_open_target(ws, d, path + 8, why, whylen);
	} else if (strncmp(path, "/api/target/", 12) == 0) {
		ws->kind = WEB_API_TARGET;
		*ctype = CT_JSON;
		code = web_open_target(ws, d, path + 12, why, whylen);
	} else {
		snprintf(why, whylen, "try /, /api/status or /metrics");
		code = 404;
	}
	if (code == 200 && (ws->kind == WEB_LIST || ws->kind ==
	    WEB_API_STATUS) && web_query_parse(&ws->q, query, why,
	    whylen) == -1)
		code = 400;
	if (code != 200) {
		web_free(ws);
		return code;
	}
	*wsp = ws;
	return 200;
}

int
web_next(struct web_stream *ws, const struct daemon *d, struct evbuffer *out,
    size_t max)
{
	switch (ws->kind) {
	case WEB_LIST:
		return web_list(ws, d, out, max);
	case WEB_TARGET:
		return web_target_page(ws, d, out);
	case WEB_API_STATUS:
		return web_api_status(ws, d, out, max);
	case WEB_API_TARGET:
		return web_api_target(ws, d, out);
	}
	return -1;
}

void
web_free(struct web_stream *ws)
{
	if (ws == NULL)
		return;
	web_query_free(&ws->q);
	free(ws->target);
	jsonw_free(&ws->jw);
	free(ws);
}
