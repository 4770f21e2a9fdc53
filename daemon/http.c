/*
 * http.c - the HTTP listener (`http_listen = "ADDR:PORT"`, formerly
 * `metrics_listen`) on libevent's evhttp, on the daemon's one reactor.
 * It routes; metrics.c renders /metrics, web.c the rest (web.h).
 *
 *	GET /metrics	200, the Prometheus text format 0.0.4; OpenMetrics
 *			1.0 when Accept names application/openmetrics-text
 *	GET /		the status page (web.c); ?name=GLOB&state=S&page=N
 *	GET /target/NAME	one target's page (web_target.c)
 *	GET /api/status, GET /api/target/NAME
 *			futctl --json status, show NAME (web_api.c)
 *	HEAD		200 (or 404, 400), the headers only
 *	other methods	405 (Allow: GET, HEAD)
 *	other paths	404, as is a target futd does not have
 *
 * Every reply is streamed: a chunk of about HTTP_CHUNK bytes is rendered
 * (metrics.c's cursor, or web.c's), handed to the connection, and the
 * next one is
 * rendered only once the client has taken it all and a zero-timeout timer
 * has given the reactor back to the probes.  A scrape of 100 000 targets
 * (560 MB) so never holds the loop for more than a chunk's rendering
 * (half a millisecond), and never holds more than a chunk in memory per
 * client.
 *
 * Slow and abusive clients:
 *  - headers at most HTTP_MAX_HEADERS, a body at most HTTP_MAX_BODY
 *    (evhttp answers 400 or 413 and closes);
 *  - evhttp's read and write timeouts, HTTP_TIMEOUT_S, and a deadline of
 *    our own: a connection whose request is not in within HTTP_TIMEOUT_S of
 *    its accept (or of the end of its previous reply) is closed, so a
 *    client that sends a header byte every few seconds cannot keep it;
 *  - HTTP_MAX_CONNS connections: the ones accepted beyond that get 503 to
 *    their request; at HTTP_MAX_OPEN we stop accepting (the kernel's
 *    backlog holds the rest) until some close;
 *  - accept() failing (out of descriptors) pauses the listener a second.
 *
 * Counting connections: evhttp has no "accepted" callback, but it asks us
 * for each connection's bufferevent (evhttp_set_bevcb).  We count there,
 * and on the reactor's next pass (before the connection can have read a
 * byte) find its evhttp_connection, the callback argument evhttp gave the
 * bufferevent, to set its close callback, where we count down.  Until then
 * we hold a reference on the bufferevent, so that one evhttp freed at once
 * (out of memory) is seen as such (its callbacks cleared), not touched
 * freed.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon.h"
#include "log.h"
#include "metrics.h"
#include "net.h"
#include "web.h"

#define HTTP_MAX_HEADERS	(8 * 1024)
#define HTTP_MAX_BODY		1024
#define HTTP_TIMEOUT_S		10
#define HTTP_MAX_CONNS		64		/* served; more get 503 */
#define HTTP_MAX_OPEN		(2 * HTTP_MAX_CONNS)	/* then no accept */
#define HTTP_CHUNK		(256 * 1024)
#define HTTP_WARN_EVERY_US	(60ULL * 1000000)

#define CT_TEXT		"text/plain; version=0.0.4; charset=utf-8"
#define CT_OPENMETRICS	"application/openmetrics-text; version=1.0.0; " \
			"charset=utf-8"
/* the pages fetch nothing and run nothing, whatever a string slips in */
#define WEB_CSP		"default-src 'none'; style-src 'unsafe-inline'; " \
			"form-action 'self'; base-uri 'none'; " \
			"frame-ancestors 'none'"

struct http;

struct http_conn {
	struct http			*h;
	struct bufferevent		*bev;	/* referenced until attached */
	struct evhttp_connection	*evcon;	/* NULL until attached */
	struct event			*deadline;	/* for its request */
	int				 over;	/* beyond HTTP_MAX_CONNS */
	/* a reply on its way: /metrics (ms) or a page (ws) */
	struct evhttp_request		*req;
	struct metrics_stream		*ms;
	struct web_stream		*ws;
	struct evbuffer			*chunk;
	struct event			*next_ev;	/* renders the next chunk */
	TAILQ_ENTRY(http_conn)		 entry;
};

TAILQ_HEAD(http_conns, http_conn);

struct http {
	struct daemon			*d;
	struct event_base		*base;
	struct evhttp			*eh;
	struct evhttp_bound_socket	*bound;
	struct event			*attach_ev;
	struct event			*resume_ev;
	size_t				 nconns;	/* open, ours or not yet */
	int				 full;	/* HTTP_MAX_OPEN reached */
	uint64_t			 full_warned_us;	/* monotonic */
	int				 paused;	/* accept() failed */
	struct http_conns		 pending;	/* not attached yet */
	struct http_conns		 conns;
};

static const struct timeval http_timeout = { HTTP_TIMEOUT_S, 0 };
static const struct timeval http_now = { 0, 0 };

static struct evconnlistener *
http_listener(struct http *h)
{
	return h->bound != NULL ? evhttp_bound_socket_get_listener(h->bound) :
	    NULL;
}

/* Accept while neither full nor paused. */
static void
http_listen_update(struct http *h)
{
	struct evconnlistener *lev = http_listener(h);

	if (lev == NULL)
		return;
	if (h->full || h->paused)
		evconnlistener_disable(lev);
	else
		evconnlistener_enable(lev);
}

static void
http_count(struct http *h, int delta)
{
	int full;

	if (delta > 0)
		h->nconns++;
	else
		h->nconns--;
	full = h->nconns >= HTTP_MAX_OPEN;
	if (full != h->full) {
		h->full = full;
		/* said once a minute at most: an attack flaps around it */
		if (full && (h->full_warned_us == 0 || clock_mono_us() -
		    h->full_warned_us >= HTTP_WARN_EVERY_US)) {
			h->full_warned_us = clock_mono_us();
			log_warnx("http: %zu connections, not accepting "
			    "more for now", h->nconns);
		}
		http_listen_update(h);
	}
}

/* The reply in flight, if any, is forgotten: evhttp frees its request. */
static void
http_conn_free(struct http_conn *c, struct http_conns *list)
{
	TAILQ_REMOVE(list, c, entry);
	if (c->deadline != NULL)
		event_free(c->deadline);
	if (c->next_ev != NULL)
		event_free(c->next_ev);
	if (c->chunk != NULL)
		evbuffer_free(c->chunk);
	metrics_stream_free(c->ms);
	web_free(c->ws);
	http_count(c->h, -1);
	free(c);
}

/* evhttp closes a connection (its close callback). */
static void
http_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct http_conn *c = arg;

	(void)evcon;
	/*
	 * A reply cut short (the client went, a timeout): evhttp has let go
	 * of the request, which is ours to end, and so to free.  When evhttp
	 * itself frees the connection (http_free), the request is still on
	 * it and goes with it.
	 */
	if (c->req != NULL && evhttp_request_get_connection(c->req) == NULL) {
		log_debug("http: a reply cut short (client gone or too "
		    "slow)");
		evhttp_send_reply_end(c->req);
	}
	c->req = NULL;
	http_conn_free(c, &c->h->conns);
}

/* No request within the deadline: close. */
static void
http_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;

	(void)fd;
	(void)what;
	if (c->req == NULL)
		evhttp_connection_free(c->evcon);	/* calls http_close_cb */
}

/*
 * The connections accepted since the last pass: find each one's
 * evhttp_connection and watch for its close.
 */
static void
http_attach_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	struct http_conn *c;
	struct bufferevent *bev;
	void *cbarg = NULL;

	(void)fd;
	(void)what;
	while ((c = TAILQ_FIRST(&h->pending)) != NULL) {
		bev = c->bev;
		c->bev = NULL;
		bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
		if (cbarg == NULL) {
			/* evhttp gave up on it already */
			http_conn_free(c, &h->pending);
		} else {
			c->evcon = cbarg;
			TAILQ_REMOVE(&h->pending, c, entry);
			TAILQ_INSERT_TAIL(&h->conns, c, entry);
			evhttp_connection_set_closecb(c->evcon, http_close_cb,
			    c);
			evtimer_add(c->deadline, &http_timeout);
		}
		bufferevent_decref(bev);
	}
}

/* evhttp accepted a connection and asks for its bufferevent. */
static struct bufferevent *
http_bev_cb(struct event_base *base, void *arg)
{
	struct http *h = arg;
	struct http_conn *c;
	struct bufferevent *bev;

	if ((bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)) ==
	    NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->deadline = evtimer_new(base, http_deadline_cb, c)) == NULL) {
		/* not counted: its request will get 503 */
		free(c);
		return bev;
	}
	c->h = h;
	c->bev = bev;
	bufferevent_incref(bev);
	c->over = h->nconns >= HTTP_MAX_CONNS;
	TAILQ_INSERT_TAIL(&h->pending, c, entry);
	http_count(h, 1);
	event_active(h->attach_ev, EV_TIMEOUT, 0);
	return bev;
}

static void
http_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;

	(void)fd;
	(void)what;
	h->paused = 0;
	http_listen_update(h);
}

/* accept() failed: out of descriptors most likely; wait a second. */
static void
http_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct http *h = arg;
	struct timeval one = { 1, 0 };

	(void)lev;
	log_warn("http: accept");
	h->paused = 1;
	http_listen_update(h);
	evtimer_add(h->resume_ev, &one);
}

static struct http_conn *
http_conn_find(struct http *h, struct evhttp_connection *evcon)
{
	struct http_conn *c;

	TAILQ_FOREACH(c, &h->conns, entry)
		if (c->evcon == evcon)
			return c;
	return NULL;
}

/*
 * Does Accept ask for OpenMetrics?  Any application/openmetrics-text range
 * whose q is not 0 (Prometheus lists it first).
 */
static int
http_wants_openmetrics(const char *accept)
{
	static const char om[] = "application/openmetrics-text";
	const size_t n = sizeof(om) - 1;
	const char *p, *end, *param;
	double q;

	for (p = accept; p != NULL && *p != '\0'; p = *end != '\0' ? end + 1 :
	    end) {
		p += strspn(p, " \t");
		end = p + strcspn(p, ",");
		if ((size_t)(end - p) < n || strncasecmp(p, om, n) != 0 ||
		    (p + n < end && p[n] != ';' && p[n] != ' ' && p[n] != '\t'))
			continue;
		q = 1;
		for (param = p + n; (param = memchr(param, ';',
		    (size_t)(end - param))) != NULL; ) {
			param++;
			param += strspn(param, " \t");
			if (end - param > 2 && strncasecmp(param, "q=", 2) == 0)
				q = strtod(param + 2, NULL);
		}
		if (q > 0)
			return 1;
	}
	return 0;
}

/*
 * An error in a few words, and the connection closed after it (our own,
 * not evhttp_send_error(), which drops the headers set: Allow, Retry-After).
 */
static void
http_error(struct evhttp_request *req, int code, const char *reason,
    const char *detail, const char *header, const char *value)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer *body = evbuffer_new();

	evhttp_add_header(out, "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(out, "Connection", "close");
	if (header != NULL)
		evhttp_add_header(out, header, value);
	if (body != NULL)
		evbuffer_add_printf(body, "%d %s%s%s\n", code, reason,
		    detail != NULL ? ": " : "", detail != NULL ? detail : "");
	evhttp_send_reply(req, code, reason, body);
	if (body != NULL)
		evbuffer_free(body);
}

/* The client took the last chunk: render the next on a pass of its own. */
static void
http_drained_cb(struct evhttp_connection *evcon, void *arg)
{
	struct http_conn *c = arg;

	(void)evcon;
	evtimer_add(c->next_ev, &http_now);
}

static void
http_next_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;
	int r;

	(void)fd;
	(void)what;
	if (c->ms != NULL)
		r = metrics_stream_next(c->ms, c->h->d, c->chunk, HTTP_CHUNK);
	else
		r = web_next(c->ws, c->h->d, c->chunk, HTTP_CHUNK);
	if (r == -1) {
		/* a cut reply must not look whole: drop the connection */
		log_warnx("http: out of memory rendering, connection "
		    "dropped");
		evhttp_connection_free(c->evcon);	/* calls http_close_cb */
		return;
	}
	if (evbuffer_get_length(c->chunk) > 0)
		evhttp_send_reply_chunk_with_cb(c->req, c->chunk, r == 1 ?
		    http_drained_cb : NULL, c);
	else if (r == 1)
		evtimer_add(c->next_ev, &http_now);
	if (r == 1)
		return;
	evhttp_send_reply_end(c->req);
	c->req = NULL;
	metrics_stream_free(c->ms);
	c->ms = NULL;
	web_free(c->ws);
	c->ws = NULL;
	/* the next request, if any, within the deadline again */
	evtimer_add(c->deadline, &http_timeout);
}

/*
 * The reply's headers are set and c->ms or c->ws holds its renderer: send
 * them, then the chunks.
 */
static void
http_stream(struct http_conn *c, struct evhttp_request *req)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const char *conn;

	/*
	 * An HTTP/1.0 client that asks to keep the connection would get
	 * "Content-Length: 0" from evhttp before a body of unknown length:
	 * it gets the body and the close instead.  (HTTP/1.1 gets chunks and
	 * keeps the connection whatever this says.)
	 */
	if ((conn = evhttp_find_header(in, "Connection")) != NULL &&
	    strcasecmp(conn, "keep-alive") == 0)
		evhttp_remove_header(in, "Connection");
	c->req = req;
	evhttp_send_reply_start(req, HTTP_OK, "OK");
	evtimer_add(c->next_ev, &http_now);
}

/* a reply's buffer and timer, kept for the connection's next ones */
static int
http_conn_ready(struct http_conn *c)
{
	return (c->chunk != NULL || (c->chunk = evbuffer_new()) != NULL) &&
	    (c->next_ev != NULL || (c->next_ev = evtimer_new(c->h->base,
	    http_next_cb, c)) != NULL) ? 0 : -1;
}

static void
http_metrics(struct http_conn *c, struct evhttp_request *req, int head)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	int om;

	om = http_wants_openmetrics(evhttp_find_header(in, "Accept"));
	evhttp_add_header(out, "Content-Type", om ? CT_OPENMETRICS : CT_TEXT);
	if (head) {
		evhttp_send_reply(req, HTTP_OK, "OK", NULL);
		evtimer_add(c->deadline, &http_timeout);
		return;
	}
	if (http_conn_ready(c) == -1 || (c->ms = metrics_stream_new(om)) ==
	    NULL) {
		http_error(req, HTTP_INTERNAL, "Internal Server Error",
		    "out of memory", NULL, NULL);
		return;
	}
	http_stream(c, req);
}

/* Any other path: web.c's, or 404. */
static void
http_web(struct http_conn *c, struct evhttp_request *req, const char *path,
    const char *query, enum evhttp_cmd_type cmd)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct web_stream *ws;
	const char *ctype = NULL;
	char why[160];
	int code;

	code = web_open(c->h->d, path != NULL ? path : "", query, &ws, &ctype,
	    why, sizeof(why));
	if (code != 200) {
		http_error(req, code, code == HTTP_NOTFOUND ? "Not Found" :
		    code == HTTP_BADREQUEST ? "Bad Request" :
		    "Internal Server Error", why, NULL, NULL);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		web_free(ws);
		http_error(req, HTTP_BADMETHOD, "Method Not Allowed", NULL,
		    "Allow", "GET, HEAD");
		return;
	}
	evhttp_add_header(out, "Content-Type", ctype);
	evhttp_add_header(out, "Cache-Control", "no-store");
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(out, "Content-Security-Policy", WEB_CSP);
	if (cmd == EVHTTP_REQ_HEAD) {
		web_free(ws);
		evhttp_send_reply(req, HTTP_OK, "OK", NULL);
		evtimer_add(c->deadline, &http_timeout);
		return;
	}
	if (http_conn_ready(c) == -1) {
		web_free(ws);
		http_error(req, HTTP_INTERNAL, "Internal Server Error",
		    "out of memory", NULL, NULL);
		return;
	}
	c->ws = ws;
	http_stream(c, req);
}

static void
http_request_cb(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	struct http_conn *c;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;

	c = http_conn_find(h, evhttp_request_get_connection(req));
	if (c != NULL)
		evtimer_del(c->deadline);
	if (c == NULL || c->over) {
		http_error(req, 503, "Service Unavailable",
		    "too many connections", "Retry-After", "10");
		return;
	}
	if (path == NULL || strcmp(path, "/metrics") != 0) {
		http_web(c, req, path, uri != NULL ? evhttp_uri_get_query(uri) :
		    NULL, cmd);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		http_error(req, HTTP_BADMETHOD, "Method Not Allowed", NULL,
		    "Allow", "GET, HEAD");
		return;
	}
	http_metrics(c, req, cmd == EVHTTP_REQ_HEAD);
}

struct http *
http_start(struct daemon *d, struct event_base *base, const char *listen,
    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr *sa = (struct sockaddr *)&ss;
	int sslen = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	uint16_t port;
	const void *a;
	struct http *h;
	int e;

	memset(&ss, 0, sizeof(ss));
	if (evutil_parse_sockaddr_port(listen, sa, &sslen) == -1 ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)) {
		snprintf(err, errlen, "%s: not ADDRESS:PORT",
		    listen);
		return NULL;
	}
	if (sa->sa_family == AF_INET) {
		a = &((struct sockaddr_in *)sa)->sin_addr;
		port = ntohs(((struct sockaddr_in *)sa)->sin_port);
	} else {
		a = &((struct sockaddr_in6 *)sa)->sin6_addr;
		port = ntohs(((struct sockaddr_in6 *)sa)->sin6_port);
	}
	if (inet_ntop(sa->sa_family, a, host, sizeof(host)) == NULL) {
		snprintf(err, errlen, "%s: %s", listen,
		    strerror(errno));
		return NULL;
	}

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "%s: out of memory",
		    listen);
		return NULL;
	}
	h->d = d;
	h->base = base;
	TAILQ_INIT(&h->pending);
	TAILQ_INIT(&h->conns);
	if ((h->eh = evhttp_new(base)) == NULL ||
	    (h->attach_ev = event_new(base, -1, 0, http_attach_cb, h)) ==
	    NULL ||
	    (h->resume_ev = evtimer_new(base, http_resume_cb, h)) == NULL) {
		snprintf(err, errlen, "%s: out of memory",
		    listen);
		http_free(h);
		return NULL;
	}
	evhttp_set_max_headers_size(h->eh, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(h->eh, HTTP_MAX_BODY);
	evhttp_set_timeout(h->eh, HTTP_TIMEOUT_S);
	/* every method evhttp knows reaches us: we answer 405, not 501 */
	evhttp_set_allowed_methods(h->eh, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_default_content_type(h->eh, NULL);
	evhttp_set_gencb(h->eh, http_request_cb, h);
	evhttp_set_bevcb(h->eh, http_bev_cb, h);

	errno = 0;
	if ((h->bound = evhttp_bind_socket_with_handle(h->eh, host, port)) ==
	    NULL) {
		e = errno;
		snprintf(err, errlen, "%s: %s%s", listen,
		    e != 0 ? strerror(e) : "cannot listen", e == EADDRINUSE ?
		    " (another program listens there: `ss -ltnp` names it; "
		    "choose another port)" : e == EADDRNOTAVAIL ? " (no "
		    "interface of this host has that address)" : "");
		http_free(h);
		return NULL;
	}
	evconnlistener_set_error_cb(http_listener(h), http_accept_error_cb);
	return h;
}

void
http_free(struct http *h)
{
	struct http_conn *c;

	if (h == NULL)
		return;
	/* the connections evhttp knows close through http_close_cb */
	if (h->eh != NULL)
		evhttp_free(h->eh);
	h->bound = NULL;
	while ((c = TAILQ_FIRST(&h->pending)) != NULL) {
		bufferevent_decref(c->bev);
		http_conn_free(c, &h->pending);
	}
	while ((c = TAILQ_FIRST(&h->conns)) != NULL)
		http_conn_free(c, &h->conns);	/* not reached */
	if (h->attach_ev != NULL)
		event_free(h->attach_ev);
	if (h->resume_ev != NULL)
		event_free(h->resume_ev);
	free(h);
}
