/*
 * events.c - what happened: a bounded ring of events (state changes,
 * failures, reloads, resource trouble), each also logged.
 *
 * Repeated identical failures of a target fold into the event that
 * reported the first one ("failed 37 more times"), so a target that stays
 * down for a day costs one event, not 8 640; and followers are told of
 * the repeats at most every EVENTS_TELL_US (events.h).  Every event is
 * stamped by one clock when futd learns of it, so the ring, and what
 * followers are told, go in time order.  Under systemd each event goes
 * to the journal with fields of its own (FUTD_TARGET=, FUTD_STATE=,
 * FUTD_ERROR=, FUTD_LATENCY_US=), so `journalctl -u futd FUTD_TARGET=web`
 * tells one target's story; elsewhere it is one key=value line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "conf.h"
#include "daemon.h"
#include "events.h"
#include "futd.h"
#include "log.h"
#include "net.h"
#include "probe.h"
#include "results.h"
#include "strlist.h"
#include "target.h"
#include "target_conf.h"

static const char *event_type_names[] = {
	[EVENT_STATE] =		"state",
	[EVENT_FAILURE] =	"failure",
	[EVENT_RELOAD] =	"reload",
	[EVENT_CONFIG] =	"config",
	[EVENT_RESOURCE] =	"resource",
	[EVENT_START] =		"start",
};

const char *
event_type_name(enum event_type t)
{
	return (unsigned)t <= EVENT_START ? event_type_names[t] : "?";
}

int
events_init(struct events *e, size_t size)
{
	memset(e, 0, sizeof(*e));
	e->next_seq = 1;
	return events_resize(e, size);
}

static void
event_rec_clear(struct event_rec *ev)
{
	free(ev->target);
	memset(ev, 0, sizeof(*ev));
}

/* The i-th oldest event still in the ring, or NULL. */
struct event_rec *
events_get(const struct events *e, size_t i)
{
	size_t k;

	if (i >= e->count)
		return NULL;
	/* head - count + i, around the ring: below 2 * size, no division */
	k = e->head + e->size - e->count + i;
	return &e->ring[k >= e->size ? k - e->size : k];
}

/* The event numbered seq, if it is still in the ring. */
struct event_rec *
events_find(const struct events *e, uint64_t seq)
{
	uint64_t first = e->next_seq - e->count;

	if (seq < first || seq >= e->next_seq)
		return NULL;
	return events_get(e, (size_t)(seq - first));
}

/*
 * Keep only the untold seqs whose events are still in the ring and still
 * queued, into list (of room for e->size): at most e->count of them.
 */
static size_t
events_untold_compact(const struct events *e, uint64_t *list)
{
	struct event_rec *ev;
	size_t i, n = 0;

	for (i = 0; i < e->nuntold; i++)
		if ((ev = events_find(e, e->untold[i])) != NULL &&
		    ev->queued && n < e->size)
			list[n++] = e->untold[i];
	return n;
}

/* Keep the newest events that fit. */
int
events_resize(struct events *e, size_t size)
{
	struct event_rec *ring;
	uint64_t *untold;
	size_t i, keep;

	if (size == e->size)
		return 0;
	if ((ring = calloc(size, sizeof(*ring))) == NULL)
		return -1;
	if ((untold = calloc(size, sizeof(*untold))) == NULL) {
		free(ring);
		return -1;
	}
	keep = e->count < size ? e->count : size;
	for (i = 0; i < e->count; i++) {
		struct event_rec *ev = events_get(e, i);

		if (i >= e->count - keep)
			ring[i - (e->count - keep)] = *ev;
		else
			event_rec_clear(ev);
	}
	free(e->ring);
	e->ring = ring;
	e->size = size;
	e->count = keep;
	e->head = keep % size;
	/* the seqs stay (next_seq does): the evicted ones drop out */
	e->nuntold = events_untold_compact(e, untold);
	free(e->untold);
	e->untold = untold;
	return 0;
}

void
events_free(struct events *e)
{
	size_t i;

	for (i = 0; i < e->count; i++)
		event_rec_clear(events_get(e, i));
	free(e->ring);
	free(e->untold);
	memset(e, 0, sizeof(*e));
}

/*
 * An event to the log: under systemd to the journal with fields of its
 * own, elsewhere as one key=value line (log_fields).  The two say the same
 * but for from= and availability=, on the line only.
 */
static void
events_log(const struct event_rec *ev)
{
	struct log_field f[LOG_FIELDS_MAX];
	char lat[16], avail[32];
	int pri = LOG_INFO;
	size_t n = 0;

	/*
	 * A target found up at start is no news: a million of them would be
	 * a million lines.  Found down, or any change later, is.
	 */
	if (ev->type == EVENT_STATE && ev->from == TARGET_UNKNOWN &&
	    ev->to == TARGET_UP)
		pri = LOG_DEBUG;
	else if (ev->type == EVENT_STATE && ev->to == TARGET_DOWN)
		pri = LOG_WARNING;
	else if (ev->type == EVENT_RESOURCE || (ev->type == EVENT_RELOAD &&
	    ev->error != PERR_NONE) || ev->type == EVENT_CONFIG)
		pri = LOG_WARNING;
	else if (ev->type == EVENT_FAILURE)
		pri = LOG_NOTICE;
	if (pri > log_getlevel())
		return;
	snprintf(lat, sizeof(lat), "%u", ev->latency_us);
	snprintf(avail, sizeof(avail), "%.4f", ev->availability);
	f[n++] = (struct log_field){ "FUTD_EVENT", "event",
	    event_type_name(ev->type) };
	if (ev->target != NULL) {
		f[n++] = (struct log_field){ "FUTD_TARGET", "target",
		    ev->target };
		f[n++] = (struct log_field){ "FUTD_STATE", "state",
		    target_state_name(ev->to) };
	}
	if (ev->type == EVENT_STATE)
		f[n++] = (struct log_field){ NULL, "from",
		    target_state_name(ev->from) };
	/* the journal has the latency before the error, the line after */
	if (ev->target != NULL)
		f[n++] = (struct log_field){ "FUTD_LATENCY_US", NULL, lat };
	/* a reload's error is no probe's class: its message says it */
	if (ev->error != PERR_NONE && ev->type != EVENT_RELOAD)
		f[n++] = (struct log_field){ "FUTD_ERROR", "error",
		    probe_error_name(ev->error) };
	if (ev->target != NULL)
		f[n++] = (struct log_field){ NULL, "latency_us", lat };
	if (ev->availability >= 0)
		f[n++] = (struct log_field){ NULL, "availability", avail };
	log_fields(pri, ev->message, f, n);
}

/*
 * Add an event (copied; its target name is duplicated), stamped now when
 * it has no time of its own.  Logs it and tells whoever follows.  Answers
 * its number.
 */
uint64_t
events_add(struct events *e, const struct event_rec *in)
{
	struct event_rec *ev;

	if (e->size == 0)
		return 0;
	ev = &e->ring[e->head];
	if (e->count == e->size)
		event_rec_clear(ev);
	else
		e->count++;
	*ev = *in;
	ev->target = in->target != NULL ? strdup(in->target) : NULL;
	ev->seq = e->next_seq++;
	if (ev->wall_us == 0)
		ev->wall_us = clock_wall_us();
	ev->told_us = ev->wall_us;
	ev->told = 0;
	ev->queued = 0;
	e->head = (e->head + 1) % e->size;
	events_log(ev);
	if (e->notify != NULL)
		e->notify(e->notify_arg, ev, EVENT_NEWS_NEW);
	return ev->seq;
}

/* Tell followers of the repeats folded into ev since they were last told. */
static void
events_tell(struct events *e, struct event_rec *ev, int64_t now)
{
	if (ev->repeat == ev->told)
		return;
	ev->told = ev->repeat;
	/* never before what they were told last, whatever the clock did */
	ev->told_us = now > ev->last_wall_us ? now : ev->last_wall_us;
	if (e->notify != NULL)
		e->notify(e->notify_arg, ev, EVENT_NEWS_UPDATE);
}

/*
 * A repeat to tell later: queue ev (once) for events_tell_due.  The list
 * has room for every event of the ring; once full, what is gone from it
 * makes room (and if none did, the repeat is told at once).
 */
static void
events_queue(struct events *e, struct event_rec *ev, int64_t now)
{
	if (ev->queued)
		return;
	if (e->nuntold == e->size)
		e->nuntold = events_untold_compact(e, e->untold);
	if (e->nuntold == e->size) {
		events_tell(e, ev, now);
		return;
	}
	e->untold[e->nuntold++] = ev->seq;
	ev->queued = 1;
	e->notify(e->notify_arg, ev, EVENT_NEWS_UNTOLD);
}

static void
events_fold_rec(struct events *e, struct event_rec *ev, int64_t wall_us)
{
	ev->repeat++;
	ev->last_wall_us = wall_us;
	if (e->notify == NULL)
		return;
	if (wall_us - ev->told_us >= EVENTS_TELL_US)
		events_tell(e, ev, wall_us);
	else
		events_queue(e, ev, wall_us);
}

/* One more of the same: fold it into event seq.  -1 when it is gone. */
int
events_fold(struct events *e, uint64_t seq, int64_t wall_us)
{
	struct event_rec *ev;

	if ((ev = events_find(e, seq)) == NULL)
		return -1;
	events_fold_rec(e, ev, wall_us);
	return 0;
}

/*
 * Tell followers of the queued repeats that are due by now: those of a
 * target that fails no more, or that a reload removed.  Answers when the
 * next of those left is due, 0 if none is left.
 */
int64_t
events_tell_due(struct events *e, int64_t now)
{
	struct event_rec *ev;
	int64_t due, next = 0;
	size_t i, n = 0;

	for (i = 0; i < e->nuntold; i++) {
		if ((ev = events_find(e, e->untold[i])) == NULL || !ev->queued)
			continue;
		due = ev->told_us + EVENTS_TELL_US;
		if (ev->repeat != ev->told && due > now) {
			e->untold[n++] = ev->seq;
			if (next == 0 || due < next)
				next = due;
			continue;
		}
		events_tell(e, ev, now);
		ev->queued = 0;
	}
	e->nuntold = n;
	return next;
}

/* target events */

/*
 * A target keeps only the low 32 bits of its newest failure and late
 * events' numbers (0: none; 4 bytes each, per target).  The full number
 * is the newest that ends in them, exact while fewer than 2^32 events
 * came since; the event must still be the target's own.  (An event whose
 * number ends in 32 zero bits is not folded into: one line more, once in
 * four billion.)
 */
static struct event_rec *
event_of_target(const struct events *e, const struct target *tg,
    uint32_t lo)
{
	struct event_rec *ev;
	uint64_t newest, seq;

	if (lo == 0 || e->next_seq == 0)
		return NULL;
	newest = e->next_seq - 1;
	seq = newest - (uint32_t)((uint32_t)newest - lo);
	/*
	 * The event must still be the target's own (see above): known by
	 * address first, which costs no string compare (a target made where
	 * a freed one was starts with no event numbers), else by name.
	 */
	if ((ev = events_find(e, seq)) == NULL || (ev->owner != tg &&
	    (ev->target == NULL || strcmp(ev->target, tg->conf.name) != 0)))
		return NULL;
	return ev;
}

static int
event_fold_target(struct events *e, const struct target *tg, uint32_t lo,
    int64_t wall_us)
{
	struct event_rec *ev;

	if ((ev = event_of_target(e, tg, lo)) == NULL)
		return -1;
	events_fold_rec(e, ev, wall_us);
	return 0;
}

/*
 * The target has something else to say: followers first hear how often
 * its events repeated since they were last told, so that a count is
 * never left behind the news that ended it.
 */
static void
event_tell_target(struct events *e, const struct target *tg, int64_t now)
{
	struct event_rec *ev;

	if ((ev = event_of_target(e, tg, tg->fail_event)) != NULL)
		events_tell(e, ev, now);
	if ((ev = event_of_target(e, tg, tg->late_event)) != NULL)
		events_tell(e, ev, now);
}

/*
 * The event of a target's result, stamped now: when futd learned of it,
 * the one clock every event and repeat is stamped by.  (A repeat was
 * stamped at its probe's start, an event at its end, with addresses =
 * "each" at one address's: a slow failure's line, a timeout's, came after
 * a quick one's with a time up to the timeout before it.)
 */
static void
event_target(struct event_rec *ev, const struct target *tg,
    const struct probe_result *pr, int64_t now)
{
	memset(ev, 0, sizeof(*ev));
	ev->target = tg->conf.name;
	ev->owner = tg;
	ev->wall_us = now;
	ev->error = pr->error;
	ev->latency_us = pr->latency_us;
	ev->from = ev->to = results_state(&tg->res);
	if (results_availability(&tg->res, 0, &ev->availability) == -1)
		ev->availability = -1;
}

/*
 * The words of pr for an event; with addresses = "each", a failure's
 * after the address that failed ("127.0.0.2:80: Connection refused"): the
 * round fails when one address does, and the log and the journal should
 * say which without a `futctl show`; a failure in a step says which
 * step ("at step 4 (expect)").
 */
static const char *
event_words(const struct target *tg, const struct probe_result *pr,
    char *buf, size_t len)
{
	char addr[64], msg[160], step[40];

	step[0] = '\0';
	if (pr->error != PERR_NONE && pr->step > 0)
		snprintf(step, sizeof(step), " at step %u (%s)", pr->step,
		    step_kind_name(pr->step_kind));
	if (tg->conf.addrs != ADDRS_EACH || pr->error == PERR_NONE ||
	    pr->peer.sa.sa_family == AF_UNSPEC)
		snprintf(buf, len, "%s%s", probe_result_message(pr, msg,
		    sizeof(msg)), step);
	else
		snprintf(buf, len, "%s: %s%s", sockaddr_format(&pr->peer,
		    addr, sizeof(addr)), probe_result_message(pr, msg,
		    sizeof(msg)), step);
	return buf;
}

/*
 * The words of a disable (who, why, until when) or of its end: an
 * operator's change, not a probe's.
 */
static const char *
event_maint_words(const struct daemon *d, const struct target *tg,
    char *buf, size_t len)
{
	const struct maint *m = maints_find(&d->maints, tg->conf.name);
	char until[32], who[MAINT_USER_MAX + 16];
	time_t t;
	struct tm tm;

	if (m == NULL || results_state(&tg->res) != TARGET_DISABLED) {
		/* the timer fires at the end, never before it */
		snprintf(buf, len, "%s", m != NULL && m->until_us != 0 &&
		    clock_wall_us() >= m->until_us - 100000 ?
		    "its disable's time is up" : "enabled");
		return buf;
	}
	if (m->until_us != 0) {
		t = (time_t)(m->until_us / 1000000);
		localtime_r(&t, &tm);
		strftime(until, sizeof(until), "until %Y-%m-%d %H:%M:%S",
		    &tm);
	} else
		snprintf(until, sizeof(until), "until enabled");
	if (m->user[0] != '\0')
		snprintf(who, sizeof(who), "%s", m->user);
	else
		snprintf(who, sizeof(who), "uid %u", (unsigned)m->uid);
	snprintf(buf, len, "disabled by %s, %s%s%s", who, until,
	    m->reason[0] != '\0' ? ": " : "", m->reason);
	return buf;
}

/* the message of a change to or from disabled (a long reason is cut) */
static void
event_maint_message(const struct daemon *d, const struct target *tg,
    struct event_rec *ev, enum target_state before, const char *addr)
{
	char words[MAINT_REASON_MAX + 80];
	int n;

	n = snprintf(ev->message, sizeof(ev->message), "target %s (%s %s): "
	    "state %s -> %s (", tg->conf.name, probe_kind_name(tg->conf.kind),
	    addr, target_state_name(before), target_state_name(ev->to));
	if (n < 0 || (size_t)n >= sizeof(ev->message) - 2)
		return;
	event_maint_words(d, tg, words, sizeof(words));
	snprintf(ev->message + n, sizeof(ev->message) - (size_t)n, "%.*s)",
	    (int)(sizeof(ev->message) - (size_t)n - 2), words);
}

/* A target's state changed (before -> its state now). */
void
event_state(struct daemon *d, struct target *tg, enum target_state before,
    const struct probe_result *pr)
{
	struct event_rec ev;
	char msg[160], addr[8 + RESULT_RECV_KEEP];
	int64_t now = clock_wall_us();
	int v6 = strchr(tg->conf.host, ':') != NULL;

	event_tell_target(&d->events, tg, now);
	event_target(&ev, tg, pr, now);
	ev.type = EVENT_STATE;
	ev.from = before;
	snprintf(addr, sizeof(addr), "%s%s%s:%u", v6 ? "[" : "",
	    tg->conf.host, v6 ? "]" : "", (unsigned)tg->conf.port);
	if (before == TARGET_DISABLED || ev.to == TARGET_DISABLED)
		event_maint_message(d, tg, &ev, before, addr);
	else
		snprintf(ev.message, sizeof(ev.message), "target %s (%s %s): "
		    "state %s -> %s (%s, %.3fms)", tg->conf.name,
		    probe_kind_name(tg->conf.kind), addr,
		    target_state_name(before), target_state_name(ev.to),
		    event_words(tg, pr, msg, sizeof(msg)),
		    pr->latency_us / 1000.0);
	/* further failures of a target gone down fold into this event */
	tg->fail_event = (uint32_t)events_add(&d->events, &ev);
	tg->fail_error = pr->error;
	if (pr->error == PERR_NONE)
		tg->fail_event = 0;
}

/*
 * A probe failed.  The same failure again, while its event is the
 * target's newest, only counts up that event.
 */
void
event_failure(struct daemon *d, struct target *tg,
    const struct probe_result *pr)
{
	struct event_rec ev;
	char msg[160];
	int64_t now = clock_wall_us();

	if (tg->fail_event != 0 && tg->fail_error == pr->error &&
	    event_fold_target(&d->events, tg, tg->fail_event, now) == 0)
		return;
	if (pr->error == PERR_FD_LIMIT) {
		event_fd_limit(d);
		return;
	}
	event_tell_target(&d->events, tg, now);
	event_target(&ev, tg, pr, now);
	ev.type = EVENT_FAILURE;
	snprintf(ev.message, sizeof(ev.message), "target %s: %s: %s",
	    tg->conf.name, probe_error_name(pr->error),
	    event_words(tg, pr, msg, sizeof(msg)));
	tg->fail_event = (uint32_t)events_add(&d->events, &ev);
	tg->fail_error = pr->error;
}

/*
 * Out of descriptors: one trouble of the daemon's, not of each target's.
 * All such failures fold into one event, so that a burst of a hundred
 * thousand probes does not write a hundred thousand lines.
 */
void
event_fd_limit(struct daemon *d)
{
	struct event_rec ev;

	if (d->fdlimit_event != 0 && events_fold(&d->events,
	    d->fdlimit_event, clock_wall_us()) == 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = EVENT_RESOURCE;
	ev.error = PERR_FD_LIMIT;
	ev.availability = -1;
	snprintf(ev.message, sizeof(ev.message), "probes are out of file "
	    "descriptors (%zu open, %zu allowed): they fail as fd_limit",
	    net_sockets, net_sockets_max);
	d->fdlimit_event = events_add(&d->events, &ev);
}

/* event_late's first of a run: the words, apart from the fold's path */
static void
event_late_new(struct daemon *d, struct target *tg, uint64_t missed,
    int64_t now)
{
	struct event_rec ev;

	event_tell_target(&d->events, tg, now);
	memset(&ev, 0, sizeof(ev));
	ev.type = EVENT_RESOURCE;
	ev.target = tg->conf.name;
	ev.owner = tg;
	ev.from = ev.to = results_state(&tg->res);
	ev.availability = -1;
	ev.wall_us = now;
	snprintf(ev.message, sizeof(ev.message), "target %s: %llu probe "
	    "slot%s skipped: the probe before ended after %s due (interval "
	    "%.3fs)", tg->conf.name, (unsigned long long)missed,
	    missed == 1 ? "" : "s", missed == 1 ? "it was" : "they were",
	    tg->conf.interval_us / 1e6);
	tg->late_event = (uint32_t)events_add(&d->events, &ev);
}

/*
 * A probe came due while the last one still ran: the interval is short.
 * A target that stays late (an overload) folds each into the one event,
 * on every probe: that part is the hot one.
 */
void
event_late(struct daemon *d, struct target *tg, uint64_t missed)
{
	int64_t now = clock_wall_us();

	if (tg->late_event != 0 &&
	    event_fold_target(&d->events, tg, tg->late_event, now) == 0)
		return;
	event_late_new(d, tg, missed, now);
}

/* futd has started: the first event of the ring. */
void
event_start(struct daemon *d)
{
	struct event_rec ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = EVENT_START;
	ev.availability = -1;
	snprintf(ev.message, sizeof(ev.message), "futd %s started: %zu "
	    "target%s from %s", FUTD_VERSION, d->ntargets,
	    d->ntargets == 1 ? "" : "s", d->conf->path);
	events_add(&d->events, &ev);
}

/*
 * "; label: a, b and 3 more" at buf + *off, as much as fits in size (room
 * is kept for the " and N more" of what does not), for a reload's event.
 */
static void
event_names(char *buf, size_t size, size_t *off, const char *label,
    const struct strlist *l)
{
	char more[32];
	size_t i;

	/* room for the label and " and N more" at least, or none of it */
	if (l->n == 0 || *off + strlen(label) + 3 + (size_t)snprintf(more,
	    sizeof(more), " and %zu more", l->n) >= size)
		return;
	*off += (size_t)snprintf(buf + *off, size - *off, "; %s:", label);
	for (i = 0; i < l->n; i++) {
		/* the name, and room for the " and N more" of the rest */
		if (*off + strlen(l->msg[i]) + 2 + (i + 1 < l->n ?
		    (size_t)snprintf(more, sizeof(more), " and %zu more",
		    l->n - i - 1) : 0) >= size)
			break;
		*off += (size_t)snprintf(buf + *off, size - *off, "%s %s",
		    i > 0 ? "," : "", l->msg[i]);
	}
	if (i < l->n)
		*off += (size_t)snprintf(buf + *off, size - *off, " and %zu "
		    "more", l->n - i);
}

/* A reload (ok) or a config that was refused (errs). */
void
event_reload(struct daemon *d, const struct reload_report *rep,
    const struct strlist *errs)
{
	struct event_rec ev;
	size_t i, off;

	memset(&ev, 0, sizeof(ev));
	ev.availability = -1;
	if (errs != NULL && errs->n > 0) {
		for (i = 0; i < errs->n; i++) {
			ev.type = EVENT_CONFIG;
			snprintf(ev.message, sizeof(ev.message), "%s",
			    errs->msg[i]);
			events_add(&d->events, &ev);
		}
		ev.type = EVENT_RELOAD;
		ev.error = PERR_OTHER;
		snprintf(ev.message, sizeof(ev.message), "reload failed: "
		    "still running the previous configuration (%zu targets)",
		    d->ntargets);
	} else {
		ev.type = EVENT_RELOAD;
		off = (size_t)snprintf(ev.message, sizeof(ev.message),
		    "reloaded: %zu added, %zu removed, %zu changed, %zu reset, "
		    "%zu unchanged", rep->added.n, rep->removed.n,
		    rep->changed.n, rep->reset.n, rep->unchanged);
		/* which, as many as fit: the reset ones matter most */
		event_names(ev.message, sizeof(ev.message), &off,
		    "reset (results start again)", &rep->reset);
		event_names(ev.message, sizeof(ev.message), &off,
		    "changed (results kept)", &rep->changed);
		event_names(ev.message, sizeof(ev.message), &off, "added",
		    &rep->added);
		event_names(ev.message, sizeof(ev.message), &off, "removed",
		    &rep->removed);
	}
	events_add(&d->events, &ev);
}
