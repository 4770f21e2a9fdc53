/*
 * adhoc.c - one probe now, out of schedule (`futctl probe NAME`).
 *
 * A task of its own with its own futures, sockets and timers, so the
 * target's schedule, counters and history are not touched: the operator
 * asked a question, the answer goes to the operator.  One at a time per
 * target; a target that goes away (reload) takes its ad hoc probe along.
 * With addresses = "each" it probes every address of the answer in turn,
 * as the target's round does (target.c), and answers with each result
 * and the round's: the first failure, else the first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adhoc.h"
#include "daemon.h"
#include "future.h"
#include "net.h"
#include "probe.h"
#include "target.h"
#include "target_conf.h"
#include "tls.h"

struct adhoc {
	struct task		 task;
	struct daemon		*d;
	struct target		*tg;
	struct waiter		 io;
	struct target_conf	 tc;		/* the target's, whole */
	struct probe		 probe;
	struct timeout_fut	 timeout;
	unsigned char		*rbuf;
	struct tls_info		 tls_info;
	/* addresses = "each": every address's result, and the round's */
	struct probe_result	 each[TARGET_MAX_ADDRS];
	unsigned		 neach;
	int			 have_round;
	struct probe_result	 round;
	struct tls_info		 round_tls;
	struct probe_trace	 trace;		/* the result's probe's */
	unsigned char		 round_recv[RESULT_RECV_KEEP];
	adhoc_done_fn		 done;
	void			*arg;
	LIST_ENTRY(adhoc)	 entry;		/* the daemon's adhocs */
};

static int	 adhoc_next(struct adhoc *);

static enum poll
adhoc_poll(struct task *t, void *arg)
{
	struct adhoc *a = arg;

	(void)t;
	for (;;) {
		if (timeout_poll(&a->timeout, &a->task) == POLL_PENDING)
			return POLL_PENDING;
		if (a->timeout.expired)
			probe_timed_out(&a->probe);
		if (!adhoc_next(a))
			return POLL_READY;
	}
}

/* A new probe of the target, ready for its first poll. */
static void
adhoc_probe_init(struct adhoc *a)
{
	struct daemon *d = a->d;
	struct target *tg = a->tg;

	probe_init(&a->probe, &a->tc, d->dns, &a->io);
	a->probe.rbuf = a->rbuf;
	if (tg->conf.tls != NULL)
		a->probe.tls_info = &a->tls_info;
	a->probe.keep = a->rbuf != NULL ? a->rbuf + a->tc.steps->read_max +
	    1 : NULL;
	if (d->dns_cache_max_us > 0) {
		a->probe.cache = tg->cache;
		a->probe.cache_max_us = d->dns_cache_max_us;
	}
	if (tg->conf.addrs == ADDRS_EACH)
		a->probe.each = 1;	/* the first address, on its own */
	timeout_init(&a->timeout, &a->probe.base, tg->conf.timeout_us);
}

/*
 * addresses = "each": keep what the probe of this address found, then
 * probe the next address of the answer, with a timeout of its own.  The
 * round's result is a copy with its own TLS details and bytes: the next
 * probe writes over the buffers it pointed to.  1 when another probe
 * started.
 */
static int
adhoc_next(struct adhoc *a)
{
	struct probe *p = &a->probe;
	const struct probe_result *pr = &p->res;
	union sockaddr_union addrs[TARGET_MAX_ADDRS];
	unsigned i = p->addr_i, n = p->naddrs;

	if (a->tg == NULL || a->tg->conf.addrs != ADDRS_EACH || n == 0 ||
	    i >= n)
		return 0;
	a->each[i] = *pr;
	a->each[i].tls = NULL;		/* the round's alone: see above */
	a->each[i].recv = NULL;
	a->each[i].recv_len = 0;
	a->neach = i + 1;
	if (!a->have_round || (pr->error != PERR_NONE &&
	    a->round.error == PERR_NONE)) {
		a->round = *pr;
		if (pr->tls != NULL) {
			a->round_tls = *pr->tls;
			a->round.tls = &a->round_tls;
		}
		if (pr->recv != NULL && pr->recv_len > 0) {
			if (a->round.recv_len > RESULT_RECV_KEEP)
				a->round.recv_len = RESULT_RECV_KEEP;
			memcpy(a->round_recv, pr->recv, a->round.recv_len);
			a->round.recv = a->round_recv;
		}
		probe_trace_get(p, &a->trace);
		a->have_round = 1;
	}
	if (i + 1 >= n)
		return 0;
	memcpy(addrs, p->addrs, sizeof(addrs));
	adhoc_probe_init(a);
	memcpy(p->addrs, addrs, sizeof(addrs));
	p->naddrs = n;
	p->addr_i = i + 1;
	probe_skip_resolve(p);
	return 1;
}

static void
adhoc_free(struct adhoc *a)
{
	timeout_drop(&a->timeout);
	waiter_disarm(&a->io);
	if (a->tg != NULL)
		a->tg->has_adhoc = 0;
	LIST_REMOVE(a, entry);
	free(a->rbuf);
	free(a);
}

/* The task ended: tell whoever asked, then go. */
static void
adhoc_task_done(struct task *t, enum poll r, void *arg)
{
	struct adhoc *a = arg;

	(void)t;
	(void)r;
	if (!a->have_round)
		probe_trace_get(&a->probe, &a->trace);
	if (a->done != NULL)
		a->done(a->arg, a->tg, a->have_round ? &a->round :
		    &a->probe.res, a->each, a->neach, &a->trace);
	adhoc_free(a);
}

struct adhoc *
adhoc_start(struct daemon *d, struct target *tg, adhoc_done_fn done,
    void *arg)
{
	struct adhoc *a;

	if (tg->has_adhoc || (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	target_getconf(tg, &a->tc);
	if (a->tc.steps != NULL && a->tc.steps->read_max > 0 &&
	    (a->rbuf = malloc(a->tc.steps->read_max + 1 +
	    RESULT_RECV_KEEP)) == NULL) {
		free(a);
		return NULL;
	}
	a->d = d;
	a->tg = tg;
	a->done = done;
	a->arg = arg;
	waiter_init(&a->io);
	adhoc_probe_init(a);
	task_init(&a->task, &d->ex, adhoc_poll, adhoc_task_done, a);
	tg->has_adhoc = 1;
	/* target_free() tells us when tg goes away */
	d->on_target_free = adhoc_abort_target;
	LIST_INSERT_HEAD(&d->adhocs, a, entry);
	task_spawn(&a->task);
	return a;
}

/* Whoever asked is gone: finish quietly. */
void
adhoc_detach(struct adhoc *a)
{
	a->done = NULL;
	a->arg = NULL;
}

/* The target goes away: cancel now, tell whoever asked. */
void
adhoc_abort(struct adhoc *a)
{
	task_cancel(&a->task);
	timeout_drop(&a->timeout);
	a->tg = NULL;
	if (a->done != NULL) {
		a->probe.res.error = PERR_OTHER;
		a->probe.res.sys_err = ECANCELED;
		a->done(a->arg, NULL, &a->probe.res, NULL, 0, NULL);
	}
	adhoc_free(a);
}

/*
 * The target goes away: abort its ad hoc probe.  A target has one at most
 * and the daemon a few, so a walk costs less than a pointer per target.
 */
void
adhoc_abort_target(struct daemon *d, struct target *tg)
{
	struct adhoc *a;

	LIST_FOREACH(a, &d->adhocs, entry)
		if (a->tg == tg) {
			adhoc_abort(a);
			return;
		}
}
