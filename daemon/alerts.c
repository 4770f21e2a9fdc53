/*
 * alerts.c - Alertmanager: a target down or flapping is an alert
 * (FutdTargetDown, FutdTargetFlapping) posted to every alertmanager_urls'
 * POST /api/v2/alerts, again every alert_resend while it lasts, and once
 * with endsAt = now when it ends (up again, gone by a reload, disabled:
 * any state but down or flapping).
 *
 * All of it on the reactor, through evhttp's client: nothing here waits.
 * An alert is one per target and name, changed in place, so the newest
 * state wins: a firing alert not yet sent that ends is sent only as its
 * end.  Each alert keeps a mask of the URLs it has still to reach; a URL
 * takes all that are due at once in one POST (ALERTS_BATCH_MAX at most),
 * one POST at a time, and one that fails waits (1, 2, 4 ... 30 s) before
 * the next.  A firing alert is due again at each resend, which covers an
 * Alertmanager that was away; an ended one is tried for 10 x alert_resend,
 * then given up (Alertmanager ends it by itself at its endsAt: a firing
 * alert's says now + 4 x alert_resend, as Prometheus does).
 */
#include <sys/queue.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "net.h"
#include "probe.h"
#include "results.h"
#include "target.h"
#include "target_conf.h"

#ifndef TAILQ_FOREACH_SAFE	/* glibc's sys/queue.h has not got it */
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#define ALERTS_TICK_S		1
#define ALERTS_TIMEOUT_S	10	/* one POST, connect to answer */
#define ALERTS_BACKOFF_MAX_US	30000000ULL
#define ALERTS_KEEP_RESENDS	10	/* an end is tried this many resends */

enum alert_kind { ALERT_DOWN, ALERT_FLAPPING };

static const char *const alert_names[] = {
	[ALERT_DOWN] = "FutdTargetDown",
	[ALERT_FLAPPING] = "FutdTargetFlapping",
};

struct alert {
	TAILQ_ENTRY(alert)	 entry;
	char			*target;
	json_t			*labels;
	char			*summary;
	char			*description;
	uint64_t		 id;
	uint64_t		 version;	/* counts changes */
	uint64_t		 due;		/* URLs it has still to reach */
	int64_t			 starts_us;	/* wall clock */
	int64_t			 ends_us;	/* 0: firing */
	uint64_t		 resend_mono_us;	/* firing: due again */
	uint64_t		 give_up_mono_us;	/* ended: tried until */
	enum alert_kind		 kind;
};
TAILQ_HEAD(alert_list, alert);

/* what a POST in flight carried: each alert as it was */
struct alert_sent {
	uint64_t		 id;
	uint64_t		 version;
};

struct alert_url {
	struct alerts		*a;
	char			*url;
	char			*host;
	char			*path;		/* .../api/v2/alerts */
	struct evhttp_connection *conn;
	struct alert_sent	*sent;
	size_t			 nsent;		/* > 0: a POST in flight */
	unsigned		 fails;
	uint64_t		 next_mono_us;	/* not before */
	unsigned		 i;		/* its bit */
};

struct alerts {
	struct daemon		*d;
	struct event_base	*base;
	struct evdns_base	*dns;
	struct event		*tick;		/* every ALERTS_TICK_S */
	struct event		*kick;		/* now: news to send */
	struct alert_url	*urls;
	size_t			 nurls;
	uint64_t		 resend_us;
	uint64_t		 next_id;
	struct alert_list	 list;
	char			 instance[256];
};

static void	alerts_flush(struct alerts *);

static void
alert_free(struct alerts *a, struct alert *al)
{
	TAILQ_REMOVE(&a->list, al, entry);
	json_decref(al->labels);
	free(al->target);
	free(al->summary);
	free(al->description);
	free(al);
}

static uint64_t
alerts_all(const struct alerts *a)
{
	return a->nurls >= 64 ? ~0ULL : (1ULL << a->nurls) - 1;
}

static void
alerts_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	alerts_flush(arg);
}

/*
 * Flush on the next pass of the loop, once however many changes come
 * before it.  Not by activating the tick: libevent would move a
 * persistent timer's next run.
 */
static void
alerts_kick(struct alerts *a)
{
	event_active(a->kick, EV_TIMEOUT, 1);
}

struct alerts *
alerts_new(struct daemon *d, struct event_base *base, struct evdns_base *dns)
{
	struct alerts *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->d = d;
	a->base = base;
	a->dns = dns;
	a->next_id = 1;
	TAILQ_INIT(&a->list);
	if (gethostname(a->instance, sizeof(a->instance) - 1) == -1)
		strcpy(a->instance, "localhost");
	if ((a->tick = event_new(base, -1, EV_PERSIST, alerts_tick_cb,
	    a)) == NULL || (a->kick = event_new(base, -1, 0, alerts_tick_cb,
	    a)) == NULL) {
		if (a->tick != NULL)
			event_free(a->tick);
		free(a);
		return NULL;
	}
	return a;
}

static void
alerts_urls_free(struct alerts *a)
{
	size_t i;

	for (i = 0; i < a->nurls; i++) {
		/* frees its request in flight without calling it back */
		if (a->urls[i].conn != NULL)
			evhttp_connection_free(a->urls[i].conn);
		free(a->urls[i].url);
		free(a->urls[i].host);
		free(a->urls[i].path);
		free(a->urls[i].sent);
	}
	free(a->urls);
	a->urls = NULL;
	a->nurls = 0;
}

static int
alerts_url_init(struct alerts *a, struct alert_url *u, const char *url)
{
	struct evhttp_uri *uri;
	const char *p;
	size_t len;
	int port;

	u->a = a;
	if ((uri = evhttp_uri_parse(url)) == NULL)
		return -1;
	p = evhttp_uri_get_path(uri);
	if (p == NULL)
		p = "";
	len = strlen(p);
	while (len > 0 && p[len - 1] == '/')
		len--;
	port = evhttp_uri_get_port(uri);
	u->url = strdup(url);
	u->host = strdup(evhttp_uri_get_host(uri));
	if (asprintf(&u->path, "%.*s/api/v2/alerts", (int)len, p) == -1)
		u->path = NULL;
	if (u->url != NULL && u->host != NULL && u->path != NULL)
		u->conn = evhttp_connection_base_new(a->base, a->dns, u->host,
		    port > 0 ? (uint16_t)port : 80);
	evhttp_uri_free(uri);
	if (u->conn == NULL)
		return -1;
	evhttp_connection_set_timeout(u->conn, ALERTS_TIMEOUT_S);
	evhttp_connection_set_retries(u->conn, 0);
	return 0;
}

static int
alerts_same_urls(const struct alerts *a, const struct conf *c)
{
	size_t i;

	if (a->nurls != c->nam_urls)
		return 0;
	for (i = 0; i < a->nurls; i++)
		if (strcmp(a->urls[i].url, c->am_urls[i]) != 0)
			return 0;
	return 1;
}

/*
 * The config, at start and after each reload.  New URLs are told every
 * alert that still matters; with none, alerts are off and forgotten.
 */
int
alerts_conf(struct alerts *a, const struct conf *c)
{
	struct alert *al, *next;
	struct timeval tv = { ALERTS_TICK_S, 0 };
	size_t i;
	int r = 0;

	a->resend_us = c->alert_resend_us;
	if (!alerts_same_urls(a, c)) {
		alerts_urls_free(a);
		if (c->nam_urls > 0 && (a->urls = calloc(c->nam_urls,
		    sizeof(*a->urls))) == NULL)
			return -1;
		for (i = 0; i < c->nam_urls; i++) {
			a->urls[i].i = (unsigned)i;
			a->nurls++;
			if (alerts_url_init(a, &a->urls[i], c->am_urls[i]) ==
			    -1) {
				log_warnx("alertmanager %s: cannot set up a "
				    "connection", c->am_urls[i]);
				r = -1;
			}
		}
		TAILQ_FOREACH_SAFE(al, &a->list, entry, next) {
			if (a->nurls == 0)
				alert_free(a, al);
			else
				al->due = alerts_all(a);
		}
	}
	if (a->nurls == 0) {
		event_del(a->tick);
		event_del(a->kick);
		return r;
	}
	if (!event_pending(a->tick, EV_TIMEOUT, NULL))
		event_add(a->tick, &tv);
	/* a reload may have removed a target: the flush ends its alerts */
	alerts_kick(a);
	return r;
}

static struct alert *
alerts_find(const struct alerts *a, const char *target, enum alert_kind k)
{
	struct alert *al;

	TAILQ_FOREACH(al, &a->list, entry)
		if (al->kind == k && strcmp(al->target, target) == 0)
			return al;
	return NULL;
}

static void
alert_end(struct alerts *a, struct alert *al, uint64_t mono)
{
	if (al->ends_us != 0)
		return;
	al->ends_us = clock_wall_us();
	al->version++;
	al->due = alerts_all(a);
	al->give_up_mono_us = mono + ALERTS_KEEP_RESENDS * a->resend_us;
}

static json_t *
alert_labels(const struct alerts *a, const struct target *tg,
    enum alert_kind k)
{
	const struct target_rare *rare = tg->rare;
	const char *n, *v;
	char port[8];
	size_t off;
	json_t *l;

	snprintf(port, sizeof(port), "%u", (unsigned)tg->conf.port);
	l = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
	    "alertname", alert_names[k], "target", tg->conf.name,
	    "probe", probe_kind_name(tg->conf.kind), "host", tg->conf.host,
	    "port", port, "instance", a->instance);
	/* the target's own (conf_labels.c: none of the names above) */
	for (off = 0; l != NULL && rare != NULL && off < rare->labels_len;
	    off += strlen(n) + strlen(v) + 2) {
		n = rare->labels + off;
		v = n + strlen(n) + 1;
		json_object_set_new(l, n, json_string(v));
	}
	return l;
}

/* The words of it: what failed, and how long the last probe took. */
static void
alert_words(struct alert *al, const struct target *tg,
    const struct probe_result *pr)
{
	char msg[160];
	const char *what = al->kind == ALERT_DOWN ? "down" : "flapping";

	free(al->summary);
	free(al->description);
	if (asprintf(&al->summary, "%s is %s", tg->conf.name, what) == -1)
		al->summary = NULL;
	if (asprintf(&al->description, "target %s (%s %s port %u) is %s: "
	    "%s; last latency %.3f ms", tg->conf.name,
	    probe_kind_name(tg->conf.kind), tg->conf.host,
	    (unsigned)tg->conf.port, what,
	    probe_result_message(pr, msg, sizeof(msg)),
	    pr->latency_us / 1000.0) == -1)
		al->description = NULL;
}

static void
alerts_fire(struct alerts *a, struct target *tg, enum alert_kind k,
    const struct probe_result *pr, uint64_t mono)
{
	struct alert *al;

	if ((al = alerts_find(a, tg->conf.name, k)) == NULL) {
		if ((al = calloc(1, sizeof(*al))) == NULL ||
		    (al->target = strdup(tg->conf.name)) == NULL) {
			free(al);
			log_warnx("alert for %s: out of memory", tg->conf.name);
			return;
		}
		al->id = a->next_id++;
		al->kind = k;
		al->ends_us = 1;	/* a new one starts below */
		TAILQ_INSERT_TAIL(&a->list, al, entry);
	}
	if (al->ends_us != 0) {
		al->starts_us = clock_wall_us();
		al->ends_us = 0;
	}
	json_decref(al->labels);
	al->labels = alert_labels(a, tg, k);
	alert_words(al, tg, pr);
	al->version++;
	al->due = alerts_all(a);
	al->resend_mono_us = mono + a->resend_us;
}

/* A target's state changed: its alerts follow it, and go out now. */
void
alerts_state(struct alerts *a, struct target *tg, enum target_state before,
    const struct probe_result *pr)
{
	enum target_state now = results_state(&tg->res);
	uint64_t mono = clock_mono_us();
	struct alert *al;

	(void)before;
	if (a == NULL || a->nurls == 0)
		return;
	TAILQ_FOREACH(al, &a->list, entry)
		if (strcmp(al->target, tg->conf.name) == 0 &&
		    !(al->kind == ALERT_DOWN && now == TARGET_DOWN) &&
		    !(al->kind == ALERT_FLAPPING && now == TARGET_FLAPPING))
			alert_end(a, al, mono);
	if (now == TARGET_DOWN)
		alerts_fire(a, tg, ALERT_DOWN, pr, mono);
	else if (now == TARGET_FLAPPING)
		alerts_fire(a, tg, ALERT_FLAPPING, pr, mono);
	alerts_kick(a);
}

/*
 * At start, after the state file: a target that was down or flapping
 * still is, and Alertmanager holds its alert only until the endsAt the
 * last futd gave it.  Told again as that alert (its labels, its state's
 * since as startsAt), so that it does not end by itself while the target
 * is still down; Alertmanager takes it as the one it has: no new
 * notification, as no hook runs for a state a target already had.
 */
void
alerts_adopt(struct alerts *a)
{
	struct probe_result buf;
	const struct probe_result *pr;
	uint64_t mono = clock_mono_us();
	enum target_state st;
	enum alert_kind k;
	struct target *tg;
	struct alert *al;
	size_t i;

	if (a == NULL || a->nurls == 0)
		return;
	for (i = 0; i < a->d->ntargets; i++) {
		tg = a->d->targets[i];
		st = results_state(&tg->res);
		if (st != TARGET_DOWN && st != TARGET_FLAPPING)
			continue;
		k = st == TARGET_DOWN ? ALERT_DOWN : ALERT_FLAPPING;
		if ((pr = target_last(tg, &buf)) == NULL) {
			memset(&buf, 0, sizeof(buf));
			pr = &buf;
		}
		alerts_fire(a, tg, k, pr, mono);
		if ((al = alerts_find(a, tg->conf.name, k)) != NULL &&
		    tg->res.since_wall_us != 0)
			al->starts_us = tg->res.since_wall_us;
	}
	alerts_kick(a);
}

/* RFC 3339, UTC, milliseconds */
static void
alerts_time(int64_t wall_us, char *buf, size_t len)
{
	time_t t = (time_t)(wall_us / 1000000);
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03dZ", (int)(wall_us / 1000 % 1000));
}

static json_t *
alert_json(const struct alerts *a, const struct alert *al)
{
	char starts[40], ends[40];
	int64_t ends_us = al->ends_us;

	/* a firing one ends by itself if futd stops telling: as Prometheus */
	if (ends_us == 0)
		ends_us = clock_wall_us() + 4 * (int64_t)a->resend_us;
	alerts_time(al->starts_us, starts, sizeof(starts));
	alerts_time(ends_us, ends, sizeof(ends));
	return json_pack("{s:O, s:{s:s, s:s}, s:s, s:s}", "labels",
	    al->labels, "annotations", "summary",
	    al->summary != NULL ? al->summary : "",
	    "description", al->description != NULL ? al->description : "",
	    "startsAt", starts, "endsAt", ends);
}

static void
alerts_url_done(struct evhttp_request *req, void *arg)
{
	struct alert_url *u = arg;
	struct alerts *a = u->a;
	struct alert *al;
	uint64_t backoff;
	size_t i;
	int code = req != NULL ? evhttp_request_get_response_code(req) : 0;

	log_debug("alertmanager %s: %zu alerts, HTTP %d", u->url, u->nsent,
	    code);
	if (code >= 200 && code < 300) {
		if (u->fails > 0)
			log_info("alertmanager %s: sent again", u->url);
		u->fails = 0;
		for (i = 0; i < u->nsent; i++)
			TAILQ_FOREACH(al, &a->list, entry)
				if (al->id == u->sent[i].id) {
					/* changed since: due still */
					if (al->version == u->sent[i].version)
						al->due &= ~(1ULL << u->i);
					break;
				}
	} else {
		if (u->fails++ == 0 && code == 0)
			log_warnx("alertmanager %s: no answer (refused, or "
			    "timed out); trying again", u->url);
		else if (u->fails == 1)
			log_warnx("alertmanager %s: HTTP %d; trying again",
			    u->url, code);
		backoff = 1000000ULL << (u->fails < 6 ? u->fails - 1 : 5);
		if (backoff > ALERTS_BACKOFF_MAX_US)
			backoff = ALERTS_BACKOFF_MAX_US;
		u->next_mono_us = clock_mono_us() + backoff;
	}
	free(u->sent);
	u->sent = NULL;
	u->nsent = 0;
	if (code >= 200 && code < 300)
		alerts_kick(a);
}

/* One POST to u of every alert due there, ALERTS_BATCH_MAX at most. */
static void
alerts_url_send(struct alerts *a, struct alert_url *u)
{
	struct evhttp_request *req;
	struct evkeyvalq *h;
	struct alert *al;
	json_t *arr;
	char *body = NULL;
	size_t n = 0;

	if ((u->sent = calloc(ALERTS_BATCH_MAX, sizeof(*u->sent))) == NULL ||
	    (arr = json_array()) == NULL)
		goto fail;
	TAILQ_FOREACH(al, &a->list, entry) {
		if ((al->due & (1ULL << u->i)) == 0 || al->labels == NULL)
			continue;
		if (n == ALERTS_BATCH_MAX)
			break;
		json_array_append_new(arr, alert_json(a, al));
		u->sent[n].id = al->id;
		u->sent[n++].version = al->version;
	}
	if (n > 0)
		body = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	if (n == 0 || body == NULL ||
	    (req = evhttp_request_new(alerts_url_done, u)) == NULL)
		goto fail;
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", u->host);
	evhttp_add_header(h, "Content-Type", "application/json");
	evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
	free(body);
	body = NULL;
	/*
	 * In flight before the call: a connect that fails at once (no
	 * route, no fd) calls alerts_url_done within it, which ends this
	 * POST and sets the backoff.  Set after, nsent would say "in
	 * flight" for good and this URL be told nothing again.
	 */
	u->nsent = n;
	log_debug("alertmanager %s: sending %zu alerts", u->url, n);
	/* on failure it has freed req */
	if (evhttp_make_request(u->conn, req, EVHTTP_REQ_POST, u->path) ==
	    -1 && u->sent != NULL)
		goto fail;
	return;
fail:
	if (n > 0)
		log_warnx("alertmanager %s: cannot send", u->url);
	free(body);
	free(u->sent);
	u->sent = NULL;
	u->nsent = 0;
}

/*
 * Due again: firing ones at each resend, or ended if their target is gone
 * or no longer down or flapping (a reload, futctl disable).  Ended ones
 * every URL has, or given up, go.
 */
static void
alerts_review(struct alerts *a, uint64_t mono)
{
	struct alert *al, *next;
	struct target *tg;
	enum target_state st;

	TAILQ_FOREACH_SAFE(al, &a->list, entry, next) {
		if (al->ends_us == 0) {
			tg = daemon_find(a->d, al->target);
			st = tg != NULL ? results_state(&tg->res) :
			    TARGET_UNKNOWN;
			if ((al->kind == ALERT_DOWN && st != TARGET_DOWN) ||
			    (al->kind == ALERT_FLAPPING &&
			    st != TARGET_FLAPPING))
				alert_end(a, al, mono);
			/* half a tick early: not a whole tick late */
			else if (mono + ALERTS_TICK_S * 500000ULL >=
			    al->resend_mono_us) {
				al->due = alerts_all(a);
				al->resend_mono_us = mono + a->resend_us;
			}
		}
		if (al->ends_us != 0 && al->due == 0)
			alert_free(a, al);
		else if (al->ends_us != 0 && mono >= al->give_up_mono_us) {
			log_warnx("alert %s for %s: its end never reached "
			    "every alertmanager; given up",
			    alert_names[al->kind], al->target);
			alert_free(a, al);
		}
	}
}

static void
alerts_flush(struct alerts *a)
{
	uint64_t mono = clock_mono_us();
	size_t i;

	alerts_review(a, mono);
	for (i = 0; i < a->nurls; i++)
		if (a->urls[i].conn != NULL && a->urls[i].nsent == 0 &&
		    mono >= a->urls[i].next_mono_us)
			alerts_url_send(a, &a->urls[i]);
}

void
alerts_free(struct alerts *a)
{
	struct alert *al;

	if (a == NULL)
		return;
	alerts_urls_free(a);
	while ((al = TAILQ_FIRST(&a->list)) != NULL)
		alert_free(a, al);
	event_free(a->tick);
	event_free(a->kick);
	free(a);
}
