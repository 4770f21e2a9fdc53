/*
 * control.c - the control socket: a UNIX stream listener on the reactor.
 *
 * Each client is a bufferevent.  Requests are lines (proto.h); each gets one
 * JSON line back.  Nothing here blocks: a client that does not read only
 * fills its own output buffer, and while that holds more than
 * CONTROL_OUT_HIGH bytes we stop reading its requests (back-pressure, as in
 * libevent's le-proxy) until it drains below CONTROL_OUT_LOW.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adhoc.h"
#include "ctl.h"
#include "daemon.h"
#include "events.h"
#include "jsonw.h"
#include "log.h"
#include "metrics.h"
#include "net.h"
#include "probe.h"
#include "proto.h"
#include "report.h"
#include "results.h"
#include "strlist.h"
#include "target.h"

#define CONTROL_OUT_HIGH	(1024 * 1024)
#define CONTROL_OUT_LOW		(64 * 1024)
/*
 * A status reply's socket buffer: room for futctl to read from while the
 * next slices are printed (the kernel caps it at net.core.wmem_max, and
 * doubles it).  Kernel memory a client that does not read can hold: so
 * only this many clients at a time get one.
 */
#define CONTROL_STREAM_SNDBUF	(4 * 1024 * 1024)
#define CONTROL_BIG_SNDBUFS	4
#define CONTROL_MAX_CLIENTS	1024
#define CONTROL_BACKLOG		128

struct control_client {
	struct control			*c;
	struct bufferevent		*bev;
	int				 closing;	/* after flush */
	int				 following;	/* events stream */
	char				*follow_target;	/* NULL: all */
	uint64_t			 dropped;	/* events it was too slow for */
	struct adhoc			*adhoc;		/* a probe it waits for */
	uint64_t			 reload;	/* the reload it waits for */
	struct control_stream		*stream;	/* a status being sent */
	int				 big_sndbuf;
	TAILQ_ENTRY(control_client)	 entry;
};

/*
 * A status reply of many targets goes out in slices, CONTROL_SLICE_US of
 * printing per pass of the reactor, and only while the socket takes what
 * was printed: probing carries on in between, and memory stays bounded
 * whatever the client's pace.  The slice is a time, not a count: when the
 * passes are long (a backlog of due probes), a count made a status of
 * 100 000 targets wait for a hundred of them.  A reload in the middle is
 * seen from the next slice on.
 */
#define CONTROL_SLICE_US	10000
#define CONTROL_SLICE_CHECK	256		/* targets between clock reads */
#define CONTROL_PIECE		(256 * 1024)	/* printed, then sent */
struct control_stream {
	struct event		*ev;		/* the next slice, soon */
	size_t			 next;		/* target index */
	size_t			 sent;
	char			*match;
	int			 state;
	unsigned		 trend;		/* results per target, 0: none */
	struct metrics_stream	*ms;		/* metrics, not status */
	struct evbuffer		*tmp;		/* a metrics chunk, to escape */
	struct jsonw		 jw;		/* targets, on their way to out */
};

#define CONTROL_METRICS_CHUNK	(64 * 1024)
#define CONTROL_TREND_MAX	64	/* status trend=N */

struct control {
	struct daemon			*d;
	struct evconnlistener		*lev;
	struct event			*pause_ev;
	struct event			*tell_ev;	/* untold repeats due */
	int64_t				 tell_us;	/* when it fires; 0: idle */
	char				*path;	/* ours to unlink; NULL if passed */
	control_reload_fn		 reload;
	void				*reload_arg;
	size_t				 nclients;
	size_t				 nbig_sndbufs;
	struct jsonw			 jw;	/* a reply, on its way out */
	TAILQ_HEAD(, control_client)	 clients;
};

static void	control_stream_free(struct control_client *);
static void	control_stream_cb(evutil_socket_t, short, void *);
static void	control_tell_at(struct control *, int64_t);
static void	control_event_notify(void *, const struct event_rec *,
		    enum event_news);
static void	control_write_cb(struct bufferevent *, void *);
static void	control_event_cb(struct bufferevent *, short, void *);
static void	control_read_cb(struct bufferevent *, void *);

struct control *
control_new(struct daemon *d, control_reload_fn reload, void *arg)
{
	struct control *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->d = d;
	c->reload = reload;
	c->reload_arg = arg;
	jsonw_init(&c->jw);
	TAILQ_INIT(&c->clients);
	d->events.notify = control_event_notify;
	d->events.notify_arg = c;
	return c;
}

size_t
control_nclients(const struct control *c)
{
	return c->nclients;
}

/* a probe or a reload it asked for is under way */
static int
control_waits(const struct control_client *cl)
{
	return cl->adhoc != NULL || cl->reload != 0;
}

static void
control_client_free(struct control_client *cl)
{
	struct control *c = cl->c;

	TAILQ_REMOVE(&c->clients, cl, entry);
	c->nclients--;
	if (cl->big_sndbuf)
		c->nbig_sndbufs--;
	if (cl->adhoc != NULL)
		adhoc_detach(cl->adhoc);
	control_stream_free(cl);
	bufferevent_free(cl->bev);	/* closes the socket */
	free(cl->follow_target);
	free(cl);
}

/*
 * Queue the reply line written in c->jw.  A write lost for memory makes
 * it a 500 in fixed words; a reply the output buffer does not take ends
 * the connection.
 */
static void
control_send(struct control_client *cl)
{
	struct jsonw *jw = &cl->c->jw;

	if (jw->nomem) {
		jw->n = 0;
		jw->nomem = 0;
		report_reply(jw, PROTO_INTERNAL, "out of memory", NULL);
	}
	if (jsonw_flush(jw, bufferevent_get_output(cl->bev)) == -1)
		cl->closing = 1;
}

/* One reply line with small data (NULL: none); takes over data. */
static void
control_reply(struct control_client *cl, int code, const char *message,
    json_t *data)
{
	report_reply(&cl->c->jw, code, message, data);
	control_send(cl);
}

static void
control_error(struct control_client *cl, int code, const char *msg,
    const char *usage)
{
	json_t *data = NULL;

	if (usage != NULL)
		data = json_pack("{s:s}", "usage", usage);
	control_reply(cl, code, msg, data);
}

/*
 * Commands that change the daemon are for root and for the daemon's own
 * user; the socket's mode decides who may read.
 */
static int
control_privileged(struct control_client *cl, uid_t *uid)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(bufferevent_getfd(cl->bev), SOL_SOCKET, SO_PEERCRED,
	    &uc, &len) == -1)
		return 0;
	if (uid != NULL)
		*uid = uc.uid;
	return uc.uid == 0 || uc.uid == geteuid();
}

/* disable, enable: for those who may reload (the operator's word) */
static void
control_maint(struct control_client *cl, struct ctl_request *req)
{
	const char *msg = NULL;
	json_t *data;
	uid_t uid = (uid_t)-1;
	int code;

	if (!control_privileged(cl, &uid)) {
		control_error(cl, PROTO_FORBIDDEN, req->cmd == CTL_DISABLE ?
		    "disable is for root and the daemon's own user" :
		    "enable is for root and the daemon's own user", NULL);
		return;
	}
	if (req->cmd == CTL_DISABLE)
		data = control_maint_disable(cl->c->d, req, (uint32_t)uid,
		    &code, &msg);
	else
		data = control_maint_enable(cl->c->d, req, &code, &msg);
	if (data == NULL)
		control_error(cl, code, msg, code == PROTO_BAD_REQUEST ?
		    req->usage : NULL);
	else
		control_reply(cl, PROTO_OK, "OK", data);
}

/*
 * The reply waits for the reload's end (a read off the reactor's thread),
 * and so do the client's later requests: replies keep their order.
 */
static void
control_reload(struct control_client *cl)
{
	struct control *c = cl->c;

	if (!control_privileged(cl, NULL)) {
		control_error(cl, PROTO_FORBIDDEN, "reload is for root and the "
		    "daemon's own user", NULL);
		return;
	}
	if (c->reload == NULL || (cl->reload = c->reload(c->reload_arg)) ==
	    0) {
		control_error(cl, PROTO_INTERNAL, "reload not available", NULL);
		return;
	}
	bufferevent_disable(cl->bev, EV_READ);
}

/* Reload number gen is done: failed when errs has messages. */
void
control_reload_done(struct control *c, uint64_t gen,
    const struct strlist *errs, const struct reload_report *rep)
{
	struct control_client *cl, *tmp;
	json_t *list;
	size_t i;

	for (cl = TAILQ_FIRST(&c->clients); cl != NULL; cl = tmp) {
		tmp = TAILQ_NEXT(cl, entry);	/* cl may go */
		if (cl->reload != gen)
			continue;
		cl->reload = 0;
		if (errs->n > 0) {
			list = json_array();
			for (i = 0; list != NULL && i < errs->n; i++)
				json_array_append_new(list,
				    json_string(errs->msg[i]));
			control_reply(cl, PROTO_UNPROCESSABLE,
			    "configuration has errors, nothing changed",
			    json_pack("{s:o}", "errors", list));
		} else
			control_reply(cl, PROTO_OK, "OK", report_reload(rep));
		/* requests that waited behind this one */
		bufferevent_enable(cl->bev, EV_READ);
		control_read_cb(cl->bev, cl);
	}
}

static void
control_stream_free(struct control_client *cl)
{
	struct control_stream *st = cl->stream;

	if (st == NULL)
		return;
	if (st->ev != NULL)
		event_free(st->ev);
	if (st->ms != NULL)
		metrics_stream_free(st->ms);
	if (st->tmp != NULL)
		evbuffer_free(st->tmp);
	jsonw_free(&st->jw);
	free(st->match);
	free(st);
	cl->stream = NULL;
}

/*
 * Send what the stream printed: straight to the socket when nothing waits
 * in the output buffer (one copy fewer of 75 MB), what the socket does not
 * take to the buffer, for the bufferevent.  -1: the socket is full, wait
 * for control_write_cb.  A socket in error is left to the bufferevent,
 * which finds it at its next write.
 */
static int
control_stream_push(struct control_client *cl)
{
	struct jsonw *jw = &cl->stream->jw;
	struct evbuffer *out = bufferevent_get_output(cl->bev);
	evutil_socket_t fd = bufferevent_getfd(cl->bev);
	ssize_t w = 0;

	if (evbuffer_get_length(out) > 0)
		evbuffer_write(out, fd);
	if (evbuffer_get_length(out) == 0 && jw->n > 0 &&
	    (w = send(fd, jw->b, jw->n, MSG_NOSIGNAL | MSG_DONTWAIT)) == -1)
		w = 0;
	if ((size_t)w < jw->n)
		evbuffer_add(out, jw->b + w, jw->n - (size_t)w);
	jw->n = 0;
	return evbuffer_get_length(out) > 0 ? -1 : 0;
}

/*
 * Send what fits: a slice of targets, or the end of the reply.  Called
 * from the request reader (in_reader: it reads on by itself) or later from
 * a timer or the write callback.
 */
static void
control_stream_more(struct control_client *cl, int in_reader)
{
	struct control_stream *st = cl->stream;
	struct evbuffer *out = bufferevent_get_output(cl->bev);
	struct daemon *d = cl->c->d;
	static const struct timeval now = { 0, 0 };
	const struct target *tg;
	uint64_t deadline;
	size_t n = 0;
	int r;

	if (st->ms != NULL) {
		/* metrics: one chunk a pass, escaped into the JSON string */
		if (evbuffer_get_length(out) > CONTROL_OUT_HIGH)
			return;
		r = metrics_stream_next(st->ms, d, st->tmp,
		    CONTROL_METRICS_CHUNK);
		jsonw_escape(&st->jw, st->tmp);
		if (r != 1) {
			report_metrics_end(&st->jw, r == -1);
			report_end(&st->jw);
		}
		jsonw_flush(&st->jw, out);
		if (r == 1) {
			evtimer_add(st->ev, &now);
			return;
		}
		goto done;
	}

	/* targets go to st->jw, and from there to the socket in pieces */
	deadline = clock_mono_us() + CONTROL_SLICE_US;
	while (st->next < d->ntargets) {
		if (st->jw.n >= CONTROL_PIECE && control_stream_push(cl) == -1)
			return;			/* control_write_cb resumes */
		if (++n % CONTROL_SLICE_CHECK == 0 &&
		    clock_mono_us() >= deadline) {
			if (control_stream_push(cl) == 0)
				evtimer_add(st->ev, &now); /* after a look around */
			return;
		}
		tg = d->targets[st->next++];
		if (st->match != NULL && fnmatch(st->match, tg->conf.name,
		    0) != 0)
			continue;
		if (st->state != -1 &&
		    (int)results_state(&tg->res) != st->state)
			continue;
		if (st->sent++ > 0)
			jsonw_lit(&st->jw, ",");
		report_target(&st->jw, tg, REPORT_STATUS, st->trend);
	}
	report_status_end(&st->jw);
	report_end(&st->jw);
	control_stream_push(cl);
 done:
	control_stream_free(cl);
	/* requests that waited behind this one */
	bufferevent_enable(cl->bev, EV_READ);
	if (!in_reader)
		control_read_cb(cl->bev, cl);
}

/*
 * A big reply goes faster with a big socket buffer: futd prints the next
 * slices while futctl reads the last ones, and fewer passes of the reactor
 * are spent waiting for the socket.  From a client's first stream on, for
 * CONTROL_BIG_SNDBUFS clients at a time; the others stream as before.
 */
static void
control_stream_sndbuf(struct control_client *cl)
{
	int want = CONTROL_STREAM_SNDBUF;

	if (cl->big_sndbuf || cl->c->nbig_sndbufs >= CONTROL_BIG_SNDBUFS)
		return;
	if (setsockopt(bufferevent_getfd(cl->bev), SOL_SOCKET, SO_SNDBUF,
	    &want, sizeof(want)) == -1) {
		log_debug("%s: SO_SNDBUF: %s", __func__, strerror(errno));
		return;
	}
	cl->big_sndbuf = 1;
	cl->c->nbig_sndbufs++;
}

static void
control_stream_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	control_stream_more(arg, 0);
}

static void
control_stream_start(struct control_client *cl, const char *match,
    int state, unsigned trend)
{
	struct control_stream *st;

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (match != NULL && (st->match = strdup(match)) == NULL) ||
	    (st->ev = evtimer_new(cl->c->d->base, control_stream_cb, cl)) ==
	    NULL) {
		if (st != NULL)
			free(st->match);
		free(st);
		control_error(cl, PROTO_INTERNAL, "out of memory", NULL);
		return;
	}
	st->state = state;
	st->trend = trend;
	jsonw_init(&st->jw);
	cl->stream = st;
	control_stream_sndbuf(cl);
	report_begin(&st->jw, PROTO_OK, "OK", 1);
	report_status_begin(&st->jw, cl->c->d->ntargets);
	/* replies keep their order: later requests wait for this one */
	bufferevent_disable(cl->bev, EV_READ);
	control_stream_more(cl, 1);
}

static const char *const control_status_keys[] = { "match", "state", "name",
    "trend", NULL };
static const char *const control_log_keys[] = { "n", "target", NULL };
static const char *const control_follow_keys[] = { "target", NULL };

static void
control_status(struct control_client *cl, struct ctl_request *req)
{
	const char *v[4];
	struct jsonw *jw = &cl->c->jw;
	struct target *tg;
	unsigned long trend = 0;
	char *end;
	int state = -1;

	if (proto_args(req, control_status_keys, v) == -1) {
		control_error(cl, PROTO_BAD_REQUEST, req->error, req->usage);
		return;
	}
	if (v[3] != NULL) {
		trend = strtoul(v[3], &end, 10);
		if (*v[3] == '\0' || *end != '\0' || trend == 0 ||
		    trend > CONTROL_TREND_MAX) {
			control_error(cl, PROTO_BAD_REQUEST, "trend must be a "
			    "count of results, 1..64", req->usage);
			return;
		}
	}
	if (v[1] != NULL) {
		for (state = TARGET_UNKNOWN; state <= TARGET_STATE_LAST;
		    state++)
			if (strcmp(v[1], target_state_name(state)) == 0)
				break;
		if (state > TARGET_STATE_LAST) {
			control_error(cl, PROTO_BAD_REQUEST, "unknown state",
			    req->usage);
			return;
		}
	}
	if (v[2] != NULL) {
		/* name=: exactly one target, no glob to escape */
		report_begin(jw, PROTO_OK, "OK", 1);
		report_status_begin(jw, cl->c->d->ntargets);
		if ((tg = daemon_find(cl->c->d, v[2])) != NULL &&
		    (state == -1 || (int)results_state(&tg->res) == state))
			report_target(jw, tg, REPORT_STATUS,
			    (unsigned)trend);
		report_status_end(jw);
		report_end(jw);
		control_send(cl);
		return;
	}
	control_stream_start(cl, v[0], state, (unsigned)trend);
}

static void
control_log(struct control_client *cl, struct ctl_request *req)
{
	const char *v[2];
	char *end;
	unsigned long n = 20;
	json_t *j;

	if (proto_args(req, control_log_keys, v) == -1) {
		control_error(cl, PROTO_BAD_REQUEST, req->error, req->usage);
		return;
	}
	if (v[0] != NULL) {
		n = strtoul(v[0], &end, 10);
		if (*v[0] == '\0' || *end != '\0' || n == 0 || n > 1000000) {
			control_error(cl, PROTO_BAD_REQUEST, "n must be a "
			    "count of events, 1..1000000", req->usage);
			return;
		}
	}
	j = report_events(cl->c->d, n, v[1]);
	/* a removed target's events are still its; a name never seen is not */
	if (j != NULL && v[1] != NULL && daemon_find(cl->c->d, v[1]) == NULL &&
	    json_array_size(json_object_get(j, "events")) == 0) {
		json_decref(j);
		control_error(cl, PROTO_NOT_FOUND, "no such target", NULL);
		return;
	}
	control_reply(cl, PROTO_OK, "OK", j);
}

/* Stream events from now on, one JSON line each, until the client goes. */
static void
control_follow(struct control_client *cl, struct ctl_request *req)
{
	const char *v[1];

	if (proto_args(req, control_follow_keys, v) == -1) {
		control_error(cl, PROTO_BAD_REQUEST, req->error, req->usage);
		return;
	}
	if (v[0] != NULL && (cl->follow_target = strdup(v[0])) == NULL) {
		control_error(cl, PROTO_INTERNAL, "out of memory", NULL);
		return;
	}
	cl->following = 1;
	/* a follower only listens: no idle timeout for it */
	bufferevent_set_timeouts(cl->bev, NULL, NULL);
	control_reply(cl, PROTO_OK, "OK", json_pack("{s:i, s:b, s:o}",
	    "schema", FUTD_SCHEMA_VERSION, "following", 1, "target",
	    v[0] != NULL ? json_string(v[0]) : json_null()));
}

/* The untold repeats' time has come: tell them, and wait for the next. */
static void
control_tell_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control *c = arg;

	(void)fd;
	(void)what;
	c->tell_us = 0;
	control_tell_at(c, events_tell_due(&c->d->events, clock_wall_us()));
}

/* Have control_tell_cb run by due (wall-clock us; 0: nothing due). */
static void
control_tell_at(struct control *c, int64_t due)
{
	struct timeval tv;
	int64_t wait;

	if (due == 0 || (c->tell_us != 0 && c->tell_us <= due))
		return;
	if (c->tell_ev == NULL && (c->tell_ev = evtimer_new(c->d->base,
	    control_tell_cb, c)) == NULL) {
		log_warnx("%s: out of memory: repeats are told to `futctl log "
		    "-f` only with the next event", __func__);
		return;
	}
	wait = due - clock_wall_us();
	if (wait < 0)
		wait = 0;
	tv.tv_sec = (time_t)(wait / 1000000);
	tv.tv_usec = (suseconds_t)(wait % 1000000);
	if (evtimer_add(c->tell_ev, &tv) == 0)
		c->tell_us = due;
}

/*
 * News of an event: every follower that wants it gets a line, the event
 * as `log` shows it; an update (more repeats folded into an event told
 * before) also carries "update": true and "at", when it was told.
 */
static void
control_event_notify(void *arg, const struct event_rec *ev,
    enum event_news news)
{
	struct control *c = arg;
	struct control_client *cl;
	json_t *o;

	if (news == EVENT_NEWS_UNTOLD) {
		control_tell_at(c, ev->told_us + EVENTS_TELL_US);
		return;
	}
	TAILQ_FOREACH(cl, &c->clients, entry) {
		if (!cl->following || cl->closing)
			continue;
		if (cl->follow_target != NULL && (ev->target == NULL ||
		    strcmp(cl->follow_target, ev->target) != 0))
			continue;
		/* a follower that does not read loses events, not memory */
		if (evbuffer_get_length(bufferevent_get_output(cl->bev)) >
		    CONTROL_OUT_HIGH) {
			cl->dropped++;
			continue;
		}
		if ((o = json_pack("{s:o}", "event", report_event(ev))) ==
		    NULL)
			continue;
		if (news == EVENT_NEWS_UPDATE) {
			json_object_set_new(o, "update", json_true());
			json_object_set_new(o, "at",
			    json_real(ev->told_us / 1e6));
		}
		if (cl->dropped > 0) {
			json_object_set_new(o, "dropped",
			    json_integer((json_int_t)cl->dropped));
			cl->dropped = 0;
		}
		/* not a reply: a line of its own, with no envelope */
		report_json(&c->jw, o);
		jsonw_lit(&c->jw, "\n");
		control_send(cl);
	}
}

/*
 * The Prometheus text, as a JSON string in data.text (futctl prints it),
 * streamed in chunks as status is: 100 000 targets make half a gigabyte.
 */
static void
control_metrics(struct control_client *cl, struct ctl_request *req)
{
	static const char *const keys[] = { "format", NULL };
	struct control_stream *st;
	const char *v[1];
	int om;

	if (proto_args(req, keys, v) == -1 || (v[0] != NULL &&
	    strcmp(v[0], "openmetrics") != 0 &&
	    strcmp(v[0], "prometheus") != 0)) {
		control_error(cl, PROTO_BAD_REQUEST, req->error != NULL ?
		    req->error : "unknown format", req->usage);
		return;
	}
	om = v[0] != NULL && strcmp(v[0], "openmetrics") == 0;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->ms = metrics_stream_new(om)) == NULL ||
	    (st->tmp = evbuffer_new()) == NULL ||
	    (st->ev = evtimer_new(cl->c->d->base, control_stream_cb, cl)) ==
	    NULL) {
		cl->stream = st;
		control_stream_free(cl);
		control_error(cl, PROTO_INTERNAL, "out of memory", NULL);
		return;
	}
	cl->stream = st;
	jsonw_init(&st->jw);
	report_begin(&st->jw, PROTO_OK, "OK", 1);
	report_metrics_begin(&st->jw, om ? "openmetrics" : "prometheus");
	bufferevent_disable(cl->bev, EV_READ);
	control_stream_more(cl, 1);
}

/* An ad hoc probe finished: the answer to `probe NAME`. */
static void
control_probe_done(void *arg, const struct target *tg,
    const struct probe_result *pr, const struct probe_result *each,
    unsigned neach, const struct probe_trace *tr)
{
	struct control_client *cl = arg;
	struct jsonw *jw = &cl->c->jw;

	cl->adhoc = NULL;
	if (tg == NULL) {
		control_error(cl, PROTO_NOT_FOUND, "target removed while "
		    "probing", NULL);
	} else {
		report_begin(jw, PROTO_OK, "OK", 1);
		report_probe(jw, tg, pr, each, neach, tr);
		report_end(jw);
		control_send(cl);
	}
	/* requests that waited behind this one */
	bufferevent_enable(cl->bev, EV_READ);
	control_read_cb(cl->bev, cl);
}

static void
control_probe(struct control_client *cl, struct ctl_request *req)
{
	struct target *tg;

	if ((tg = daemon_find(cl->c->d, req->arg)) == NULL) {
		control_error(cl, PROTO_NOT_FOUND, "no such target", NULL);
		return;
	}
	if (tg->has_adhoc) {
		control_error(cl, PROTO_CONFLICT, "a probe of this target is "
		    "already running", NULL);
		return;
	}
	if ((cl->adhoc = adhoc_start(cl->c->d, tg, control_probe_done, cl)) ==
	    NULL) {
		control_error(cl, PROTO_INTERNAL, "out of memory", NULL);
		return;
	}
	/* replies keep their order: later requests wait for this one */
	bufferevent_disable(cl->bev, EV_READ);
}

static void
control_dispatch(struct control_client *cl, char *line, size_t len)
{
	struct daemon *d = cl->c->d;
	struct ctl_request req;
	struct target *tg;
	enum proto_code code;

	code = proto_parse(line, len, &req);
	if (code != PROTO_OK) {
		log_debug("control: bad request: %s", req.error);
		control_error(cl, code, req.error, req.usage);
		if (req.unframed)
			cl->closing = 1;
		return;
	}
	switch (req.cmd) {
	case CTL_PING:
		control_reply(cl, PROTO_OK, "OK", report_ping(d));
		break;
	case CTL_STATUS:
		control_status(cl, &req);
		break;
	case CTL_PROBE:
		control_probe(cl, &req);
		break;
	case CTL_LOG:
		control_log(cl, &req);
		break;
	case CTL_FOLLOW:
		control_follow(cl, &req);
		break;
	case CTL_METRICS:
		control_metrics(cl, &req);
		break;
	case CTL_SHOW:
		if ((tg = daemon_find(d, req.arg)) == NULL) {
			control_error(cl, PROTO_NOT_FOUND, "no such target",
			    NULL);
			break;
		}
		report_begin(&cl->c->jw, PROTO_OK, "OK", 1);
		report_show(&cl->c->jw, tg);
		report_end(&cl->c->jw);
		control_send(cl);
		break;
	case CTL_RELOAD:
		control_reload(cl);
		break;
	case CTL_DISABLE:
	case CTL_ENABLE:
		control_maint(cl, &req);
		break;
	case CTL_NONE:
		control_error(cl, PROTO_INTERNAL, "no command", NULL);
		break;
	}
}

static void
control_read_cb(struct bufferevent *bev, void *arg)
{
	struct control_client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = bufferevent_get_output(bev);
	char *line;
	size_t len;

	while (!cl->closing && !control_waits(cl) && cl->stream == NULL) {
		if (evbuffer_get_length(out) > CONTROL_OUT_HIGH) {
			bufferevent_disable(bev, EV_READ);
			return;
		}
		line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
		if (line == NULL) {
			/* an unterminated line longer than allowed: done */
			if (evbuffer_get_length(in) >= FUTD_PROTO_MAX_REQUEST) {
				control_error(cl, PROTO_TOO_LONG,
				    "request too long", NULL);
				cl->closing = 1;
			}
			break;
		}
		if (len >= FUTD_PROTO_MAX_REQUEST) {
			control_error(cl, PROTO_TOO_LONG, "request too long",
			    NULL);
			cl->closing = 1;
		} else
			control_dispatch(cl, line, len);
		free(line);
	}
	if (cl->closing) {
		bufferevent_disable(bev, EV_READ);
		evbuffer_drain(in, evbuffer_get_length(in));
		if (evbuffer_get_length(out) == 0 && cl->stream == NULL &&
		    !control_waits(cl))
			control_client_free(cl);
	}
}

static void
control_write_cb(struct bufferevent *bev, void *arg)
{
	struct control_client *cl = arg;
	struct evbuffer *out = bufferevent_get_output(bev);

	/* a status in slices goes on, whatever else is pending */
	if (cl->stream != NULL) {
		if (evbuffer_get_length(out) <= CONTROL_OUT_LOW &&
		    !evtimer_pending(cl->stream->ev, NULL))
			control_stream_more(cl, 0);
		return;
	}
	if (cl->closing) {
		/* a half-closed client still gets the probe it asked for */
		if (evbuffer_get_length(out) == 0 && !control_waits(cl))
			control_client_free(cl);
		return;
	}
	if (evbuffer_get_length(out) <= CONTROL_OUT_LOW &&
	    !(bufferevent_get_enabled(bev) & EV_READ) && !control_waits(cl)) {
		bufferevent_enable(bev, EV_READ);
		/* requests may have waited in the input buffer */
		control_read_cb(bev, cl);
	}
}

static void
control_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct control_client *cl = arg;

	(void)bev;
	if (what & BEV_EVENT_EOF) {
		/* a half-close: answer what was asked, then go */
		struct evbuffer *out = bufferevent_get_output(bev);

		cl->closing = 1;
		if (evbuffer_get_length(out) > 0 || cl->stream != NULL ||
		    control_waits(cl))
			return;
	}
	control_client_free(cl);
}

static void
control_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control *c = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(c->lev);
}

static void
control_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct control *c = arg;
	struct control_client *cl;
	struct timeval idle = { FUTD_PROTO_IDLE_SEC, 0 };

	(void)lev;
	(void)sa;
	(void)salen;
	if (c->nclients >= CONTROL_MAX_CLIENTS) {
		log_warnx("control: %zu clients, refusing one more",
		    c->nclients);
		close(fd);
		return;
	}
	if ((cl = calloc(1, sizeof(*cl))) == NULL ||
	    (cl->bev = bufferevent_socket_new(c->d->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warnx("control: out of memory for a client");
		free(cl);
		close(fd);
		return;
	}
	cl->c = c;
	TAILQ_INSERT_TAIL(&c->clients, cl, entry);
	c->nclients++;
	bufferevent_setcb(cl->bev, control_read_cb, control_write_cb,
	    control_event_cb, cl);
	/* big replies (status, metrics) in big writes, not 16 KiB ones */
	bufferevent_set_max_single_write(cl->bev, CONTROL_OUT_HIGH);
	bufferevent_set_timeouts(cl->bev, &idle, &idle);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
}

/*
 * accept() failed: out of descriptors most likely.  Pause the listener for
 * a second instead of spinning on a socket that stays readable.
 */
static void
control_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct control *c = arg;
	struct timeval one = { 1, 0 };

	log_warn("control: accept");
	evconnlistener_disable(lev);
	if (c->pause_ev == NULL)
		c->pause_ev = evtimer_new(c->d->base, control_resume_cb, c);
	if (c->pause_ev != NULL)
		evtimer_add(c->pause_ev, &one);
}

static int
control_start(struct control *c, int fd)
{
	c->lev = evconnlistener_new(c->d->base, control_accept_cb, c,
	    LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (c->lev == NULL)
		return -1;
	evconnlistener_set_error_cb(c->lev, control_accept_error_cb);
	return 0;
}

/*
 * Bind the control socket at path.  A socket file left by a futd that died
 * is replaced; one that answers belongs to a running futd and is an error.
 */
int
control_listen(struct control *c, const char *path)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, probe;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);

	if ((probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(probe);
		errno = EADDRINUSE;
		return -1;
	}
	close(probe);
	if (unlink(path) == -1 && errno != ENOENT)
		return -1;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(path, 0660) == -1 || listen(fd, CONTROL_BACKLOG) == -1 ||
	    (c->path = strdup(path)) == NULL || control_start(c, fd) == -1) {
		unlink(path);
		free(c->path);
		c->path = NULL;
		close(fd);
		return -1;
	}
	return 0;
}

/* Use a listening socket passed by systemd; it is not ours to unlink. */
int
control_adopt(struct control *c, int fd)
{
	if (evutil_make_socket_nonblocking(fd) == -1)
		return -1;
	return control_start(c, fd);
}

void
control_free(struct control *c)
{
	struct control_client *cl;

	if (c == NULL)
		return;
	if (c->d->events.notify_arg == c)
		c->d->events.notify = NULL;
	while ((cl = TAILQ_FIRST(&c->clients)) != NULL)
		control_client_free(cl);
	if (c->lev != NULL)
		evconnlistener_free(c->lev);
	if (c->pause_ev != NULL)
		event_free(c->pause_ev);
	if (c->tell_ev != NULL)
		event_free(c->tell_ev);
	if (c->path != NULL) {
		unlink(c->path);
		free(c->path);
	}
	jsonw_free(&c->jw);
	free(c);
}
