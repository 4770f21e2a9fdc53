/*
 * adhoc.c - one probe now, out of schedule (`futctl probe NAME`).
 *
 * A task of its own with its own futures, sockets and timers, so the
 * target's schedule, counters and history are not touched: the operator
 * asked a question, the answer goes to the operator.  One at a time per
 * target; a target that goes away (reload) takes its ad hoc probe along.
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
	struct target		*tg;
	struct waiter		 io;
	struct waiter		 timer;
	struct target_conf	 tc;		/* the target's, whole */
	struct probe		 probe;
	struct timeout_fut	 timeout;
	unsigned char		*rbuf;
	struct tls_info		 tls_info;
	adhoc_done_fn		 done;
	void			*arg;
	LIST_ENTRY(adhoc)	 entry;		/* the daemon's adhocs */
};

static enum poll
adhoc_poll(struct task *t, void *arg)
{
	struct adhoc *a = arg;

	(void)t;
	TRY_READY(timeout_poll(&a->timeout, &a->task));
	return POLL_READY;
}

static void
adhoc_free(struct adhoc *a)
{
	timeout_drop(&a->timeout);
	waiter_disarm(&a->io);
	waiter_disarm(&a->timer);
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
	if (a->timeout.expired)
		probe_timed_out(&a->probe);
	if (a->done != NULL)
		a->done(a->arg, a->tg, &a->probe.res);
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
	if ((a->tc.expect != NULL || a->tc.regex != NULL ||
	    a->tc.tls != NULL) &&
	    (a->rbuf = malloc(a->tc.read_limit + 1 + RESULT_RECV_KEEP)) ==
	    NULL) {
		free(a);
		return NULL;
	}
	a->tg = tg;
	a->done = done;
	a->arg = arg;
	waiter_init(&a->io);
	waiter_init(&a->timer);
	probe_init(&a->probe, &a->tc, d->dns, &a->io);
	a->probe.rbuf = a->rbuf;
	if (tg->conf.tls != NULL)
		a->probe.tls_info = &a->tls_info;
	a->probe.keep = a->rbuf != NULL ? a->rbuf + tg->conf.read_limit + 1 :
	    NULL;
	if (d->dns_cache_max_us > 0) {
		a->probe.cache = tg->cache;
		a->probe.cache_max_us = d->dns_cache_max_us;
	}
	if (tg->conf.addrs == ADDRS_EACH)
		a->probe.each = 1;	/* the first address, on its own */
	timeout_init(&a->timeout, &a->probe.base, &a->timer,
	    tg->conf.timeout_us);
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
		a->done(a->arg, NULL, &a->probe.res);
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
