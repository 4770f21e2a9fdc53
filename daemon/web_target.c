/*
 * web_target.c - GET /target/NAME: one target in full (see web.h).
 *
 * Its state and figures, a large latency graph of its whole history
 * ring, the phases of its last result as a stacked bar (svg.c), what the
 * peer sent when a reply did not match, its certificate, its settings as
 * futd understood them, and its events, newest first.  One chunk: a
 * target's page is small but for its graph (the ring's columns are at
 * most the graph's width) and its events (WEB_EVENTS of them, found in
 * one walk of the ring).
 */
#include <event2/buffer.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "daemon.h"
#include "events.h"
#include "html.h"
#include "probe.h"
#include "results.h"
#include "step.h"
#include "svg.h"
#include "target.h"
#include "target_conf.h"
#include "tls.h"
#include "web.h"

#define WEB_EVENTS	50	/* the newest of a target's events shown */

static const char *
web_time(char *buf, size_t len, int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

/* <dt>key</dt><dd>value, escaped</dd> */
static void
web_dd(struct evbuffer *out, const char *key, const char *value)
{
	evbuffer_add_printf(out, "<dt>%s</dt><dd>", key);
	html_text(out, value);
	html_lit(out, "</dd>");
}

static void
web_dd_bytes(struct evbuffer *out, const char *key, const unsigned char *b,
    size_t n)
{
	evbuffer_add_printf(out, "<dt>%s</dt><dd><code>", key);
	html_bytes(out, b, n);
	html_lit(out, "</code></dd>");
}

static void
web_dd_ms(struct evbuffer *out, const char *key, uint64_t us)
{
	char num[HTML_NUM];

	web_dd(out, key, html_ms(num, sizeof(num), us));
}

static void
web_target_head(struct evbuffer *out, const struct target *tg)
{
	const struct results *r = &tg->res;
	enum target_state s = results_state(r);
	char num[HTML_NUM], when[40];

	html_head(out, tg->conf.name, WEB_REFRESH_S);
	html_lit(out, "<nav><a href=\"/\">\xe2\x86\x90 all targets</a> <a "
	    "href=\"/api/target/");
	html_url(out, tg->conf.name);
	html_lit(out, "\">JSON</a></nav>\n<header><h1>");
	html_text(out, tg->conf.name);
	evbuffer_add_printf(out, "</h1><p><span class=\"st %s\">%s</span>",
	    target_state_name(s), target_state_name(s));
	if (r->state != TARGET_UNKNOWN)
		evbuffer_add_printf(out, " for %s, since %s",
		    html_ago(num, sizeof(num), clock_wall_us() -
		    r->since_wall_us), web_time(when, sizeof(when),
		    r->since_wall_us));
	evbuffer_add_printf(out, "; %llu state changes</p></header>\n",
	    (unsigned long long)r->changes);
}

static void
web_target_figures(struct evbuffer *out, const struct target *tg,
    const struct probe_result *last)
{
	const struct results *r = &tg->res;
	struct results_stats st;
	char num[HTML_NUM], buf[160];
	double v = 0;
	int w, have;
	static const char *const window[] = { "lifetime", "hour", "day" };

	html_lit(out, "<h2>Now</h2><dl>");
	snprintf(buf, sizeof(buf), "%s:%u (%s)", tg->conf.host,
	    tg->conf.port, probe_kind_name(tg->conf.kind));
	web_dd(out, "probes", buf);
	if (last != NULL) {
		web_dd(out, "last result", probe_result_message(last, buf,
		    sizeof(buf)));
		web_dd(out, "at", web_time(buf, sizeof(buf), last->wall_us));
		web_dd_ms(out, "latency", last->latency_us);
		if (last->peer.sa.sa_family != 0)
			web_dd(out, "peer", sockaddr_format(&last->peer, buf,
			    sizeof(buf)));
	}
	for (w = 1; w <= 3; w++) {
		have = results_availability(r, w % 3, &v) == 0;
		evbuffer_add_printf(out, "<dt>availability, %s</dt><dd>%s"
		    "</dd>", window[w % 3], html_percent(num, sizeof(num),
		    have, v));
	}
	results_stats(r, &st);
	snprintf(buf, sizeof(buf), "%u in the history, %u ok; %llu probes "
	    "in all, %llu failed", st.count, st.ok, (unsigned long long)
	    r->probes, (unsigned long long)r->failed);
	web_dd(out, "results", buf);
	if (st.ok > 0) {
		web_dd_ms(out, "min", st.min_us);
		web_dd_ms(out, "p50", st.p50_us);
		web_dd_ms(out, "p95", st.p95_us);
		web_dd_ms(out, "p99", st.p99_us);
		web_dd_ms(out, "max", st.max_us);
	}
	html_lit(out, "</dl>\n");
}

static void
web_target_graph(struct evbuffer *out, const struct target *tg)
{
	html_lit(out, "<h2>Latency</h2>");
	svg_latency(out, &tg->res, tg->conf.name, SVG_LARGE,
	    tg->conf.interval_us);
	html_lit(out, "<p class=\"legend\">Each column: the spread of its "
	    "results (grey), their median (green); a failure: a red "
	    "\xc3\x97 over a pale red band; a state change: a dashed blue "
	    "line.</p>\n");
}

/* the last result's phases, what the peer sent, its certificate */
static void
web_target_last(struct evbuffer *out, const struct target *tg,
    const struct probe_result *last)
{
	const struct tls_info *ti = tg->tls_info;
	char buf[64];

	if (last == NULL)
		return;
	html_lit(out, "<h2>Last result, phase by phase</h2>");
	svg_phases(out, last);
	html_lit(out, "<dl>");
	if (last->ph.resolve_us != 0)
		web_dd_ms(out, "resolved", last->ph.resolve_us);
	if (last->ph.connect_us != 0)
		web_dd_ms(out, "connected", last->ph.connect_us);
	if (last->ph.handshake_us != 0)
		web_dd_ms(out, "TLS up", last->ph.handshake_us);
	if (last->ph.write_us != 0)
		web_dd_ms(out, "written", last->ph.write_us);
	if (last->ph.first_byte_us != 0)
		web_dd_ms(out, "first byte", last->ph.first_byte_us);
	web_dd_ms(out, "end", last->latency_us);
	if (last->recv != NULL && last->recv_len > 0)
		web_dd_bytes(out, "received", last->recv, last->recv_len);
	html_lit(out, "</dl>\n");
	if (ti == NULL || !ti->done)
		return;
	html_lit(out, "<h2>Certificate</h2><dl>");
	web_dd(out, "subject", ti->subject);
	web_dd(out, "issuer", ti->issuer);
	web_dd(out, "names", ti->sans);
	if (ti->not_after != 0)
		web_dd(out, "not after", web_time(buf, sizeof(buf),
		    ti->not_after * 1000000));
	web_dd(out, "verification", ti->verify);
	web_dd(out, "TLS", ti->version);
	web_dd(out, "cipher", ti->cipher);
	html_lit(out, "</dl>\n");
}

static void
web_target_settings(struct evbuffer *out, const struct target *tg)
{
	struct target_conf tcbuf;
	const struct target_conf *tc = target_getconf(tg, &tcbuf);
	char buf[160];
	size_t off, nl;

	html_lit(out, "<h2>Settings</h2><dl>");
	if (tc->file != NULL) {
		snprintf(buf, sizeof(buf), ":%d", tc->line);
		evbuffer_add_printf(out, "<dt>defined</dt><dd>");
		html_text(out, tc->file->path);
		html_text(out, buf);
		html_lit(out, "</dd>");
	}
	web_dd(out, "host", tc->host);
	snprintf(buf, sizeof(buf), "%u", tc->port);
	web_dd(out, "port", buf);
	web_dd(out, "probe", probe_kind_name(tc->kind));
	web_dd_ms(out, "interval", tc->interval_us);
	web_dd_ms(out, "timeout", tc->timeout_us);
	if (tc->connect_timeout_us != 0)
		web_dd_ms(out, "connect timeout", tc->connect_timeout_us);
	snprintf(buf, sizeof(buf), "rise %u, fall %u, flap threshold %u",
	    tc->rise, tc->fall, tc->flap);
	web_dd(out, "state", buf);
	snprintf(buf, sizeof(buf), "%s, family %s, close %s",
	    addr_mode_name(tc->addrs), family_name(tc->family),
	    close_mode_name(tc->close));
	web_dd(out, "addresses", buf);
	if (tc->kind == PROBE_HELLO && tc->payload_len > 0)
		web_dd_bytes(out, "payload", tc->payload, tc->payload_len);
	if (tc->expect != NULL)
		web_dd_bytes(out, "expect", tc->expect, tc->expect_len);
	if (tc->expect_regex != NULL)
		web_dd(out, "expect_regex", tc->expect_regex);
	for (off = 0; tc->labels != NULL && off < tc->labels_len; off +=
	    nl + strlen(tc->labels + off + nl) + 1) {
		nl = strlen(tc->labels + off) + 1;
		evbuffer_add_printf(out, "<dt>label</dt><dd>");
		html_text(out, tc->labels + off);
		html_lit(out, " = ");
		html_text(out, tc->labels + off + nl);
		html_lit(out, "</dd>");
	}
	if (tc->tls != NULL) {
		snprintf(buf, sizeof(buf), "verify %s%s%s",
		    tc->tls->verify ? "on" : "off", tc->tls->starttls != 0 ?
		    ", STARTTLS " : "", tc->tls->starttls != 0 ?
		    starttls_name(tc->tls->starttls) : "");
		web_dd(out, "TLS", buf);
		if (tc->tls->sni != NULL)
			web_dd(out, "sni", tc->tls->sni);
		if (tc->tls->alpn_text != NULL)
			web_dd(out, "alpn", tc->tls->alpn_text);
	}
	html_lit(out, "</dl>\n");
}

/* A step's pattern: its bytes, or its regex between slashes. */
static void
web_pattern(struct evbuffer *out, const char *what,
    const struct step_pattern *p)
{
	if (p->bytes == NULL && p->text == NULL)
		return;
	evbuffer_add_printf(out, "%s <code>", what);
	if (p->text != NULL) {
		html_lit(out, "/");
		html_text(out, p->text);
		html_lit(out, "/");
	} else
		html_bytes(out, p->bytes, p->len);
	html_lit(out, "</code> ");
}

/*
 * How long a step of the last probe took, from where it began: its end,
 * or the probe's for the one that failed; NULL for one not reached.
 */
static const char *
web_step_time(char *buf, size_t len, const struct target_rare *rare,
    const struct probe_result *last, unsigned i, uint32_t *start)
{
	uint32_t end = rare->step_us[i + 1];
	char num[HTML_NUM];

	if (end == 0 && (last == NULL || last->step != i + 1))
		return NULL;
	if (end == 0)
		end = last->latency_us;
	snprintf(buf, len, "%s%s", html_ms(num, sizeof(num), end >= *start ?
	    end - *start : 0), rare->step_us[i + 1] == 0 ? ", failed" : "");
	*start = end;
	return buf;
}

/* Its steps, what each does, and how long each took in the last probe. */
static void
web_target_steps(struct evbuffer *out, const struct target *tg,
    const struct probe_result *last)
{
	const struct target_rare *rare = tg->rare;
	const struct step *st;
	uint32_t start;
	const char *took;
	char buf[64];
	unsigned i;

	if (rare == NULL || rare->steps == NULL || rare->steps->n == 0)
		return;
	html_lit(out, "<h2>Steps</h2><table class=\"steps\"><thead><tr>"
	    "<th>#</th><th>step</th><th>from</th><th>what</th><th>last "
	    "probe</th></tr></thead><tbody>\n");
	start = rare->step_us != NULL ? rare->step_us[0] : 0;
	for (i = 0; i < rare->steps->n; i++) {
		st = &rare->steps->s[i];
		evbuffer_add_printf(out, "<tr><td class=\"num\">%u</td><td>%s"
		    "</td><td>%s</td><td>", i + 1, step_kind_name(st->kind),
		    step_origin_name(st->origin));
		if (st->kind == STEP_SEND && st->data != NULL) {
			html_lit(out, "<code>");
			html_bytes(out, st->data, st->len);
			html_lit(out, "</code>");
		} else if (st->kind == STEP_SEND)
			html_lit(out, "the payload");
		web_pattern(out, "expect", &st->expect);
		web_pattern(out, "reject", &st->reject);
		took = rare->step_us != NULL ? web_step_time(buf, sizeof(buf),
		    rare, last, i, &start) : NULL;
		evbuffer_add_printf(out, "</td><td class=\"num%s\">%s</td></tr>"
		    "\n", took != NULL && strstr(took, "failed") != NULL ?
		    " fail" : "", took != NULL ? took : "\xe2\x80\x94");
	}
	html_lit(out, "</tbody></table>\n");
}

/* Its events, newest first: one walk of the ring, back from its head. */
static void
web_target_events(struct evbuffer *out, const struct daemon *d,
    const struct target *tg)
{
	const struct event_rec *ev;
	size_t i, n = 0;
	char when[40];

	html_lit(out, "<h2>Events</h2><table class=\"events\"><thead><tr>"
	    "<th>when</th><th>what</th><th>repeats</th><th>message</th></tr>"
	    "</thead><tbody>\n");
	for (i = d->events.count; i-- > 0 && n < WEB_EVENTS; ) {
		ev = events_get(&d->events, i);
		if (ev->target == NULL || strcmp(ev->target, tg->conf.name) !=
		    0)
			continue;
		n++;
		evbuffer_add_printf(out, "<tr><td>%s</td><td>%s</td>"
		    "<td class=\"num\">%u</td><td>", web_time(when,
		    sizeof(when), ev->wall_us), event_type_name(ev->type),
		    ev->repeat);
		html_text(out, ev->message);
		html_lit(out, "</td></tr>\n");
	}
	html_lit(out, "</tbody></table>\n");
	if (n == 0)
		html_lit(out, "<p class=\"none\">no events</p>\n");
}

int
web_target_page(struct web_stream *ws, const struct daemon *d,
    struct evbuffer *out)
{
	const struct target *tg;
	struct probe_result lastbuf;
	const struct probe_result *last;

	if ((tg = daemon_find(d, ws->target)) == NULL) {
		/* gone by a reload since web_open */
		html_head(out, ws->target, WEB_REFRESH_S);
		html_lit(out, "<p>no such target now (a reload removed it)."
		    " <a href=\"/\">All targets</a></p></body></html>\n");
		return 0;
	}
	last = target_last(tg, &lastbuf);
	web_target_head(out, tg);
	web_target_figures(out, tg, last);
	web_target_graph(out, tg);
	web_target_last(out, tg, last);
	web_target_steps(out, tg, last);
	web_target_settings(out, tg);
	web_target_events(out, d, tg);
	html_lit(out, "<footer><a href=\"/\">all targets</a></footer>\n"
	    "</body></html>\n");
	return 0;
}
