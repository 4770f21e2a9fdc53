/*
 * target.c - one target's task: sleep until the next slot, probe under a
 * deadline, record, again.
 *
 * The task is a future like any other: an enum of phases (Sleeping,
 * Probing) whose poll loops until a timer or the probe is PENDING.  Probes
 * run at a fixed rate: the next one is due `interval` after the start of the
 * last.  A slot that passes while the previous probe still runs is skipped
 * and counted as late, never queued: a target never has two probes in
 * flight.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "futd.h"

static enum poll	target_poll(struct task *, void *);

struct target *
target_new(struct daemon *d, const struct target_conf *tc, unsigned history)
{
	struct target *tg;

	if ((tg = calloc(1, sizeof(*tg))) == NULL)
		return NULL;
	tg->conf = *tc;		/* takes over the strings */
	tg->d = d;
	tg->phase = TARGET_STOPPED;
	waiter_init(&tg->io);
	waiter_init(&tg->timer);
	if (results_init(&tg->res, history) == -1) {
		free(tg);
		return NULL;
	}
	task_init(&tg->task, &d->ex, target_poll, NULL, tg);
	return tg;
}

/* Start probing: the first probe is due at once. */
void
target_start(struct target *tg)
{
	tg->next_us = clock_mono_us();
	sleep_init(&tg->sleep, &tg->timer, 0);
	tg->phase = TARGET_SLEEPING;
	task_spawn(&tg->task);
}

/* Stop probing: cancel the probe in flight, close its socket. */
void
target_stop(struct target *tg)
{
	switch (tg->phase) {
	case TARGET_SLEEPING:
		sleep_drop(&tg->sleep);
		break;
	case TARGET_PROBING:
		timeout_drop(&tg->timeout);
		break;
	case TARGET_STOPPED:
		break;
	}
	waiter_disarm(&tg->io);
	waiter_disarm(&tg->timer);
	task_cancel(&tg->task);
	tg->phase = TARGET_STOPPED;
}

void
target_free(struct target *tg)
{
	if (tg == NULL)
		return;
	target_stop(tg);
	results_free(&tg->res);
	free(tg->conf.name);
	free(tg->conf.host);
	free(tg->conf.payload);
	free(tg);
}

static void
target_probe_start(struct target *tg)
{
	probe_init(&tg->probe, &tg->conf, tg->d->dns, &tg->io);
	timeout_init(&tg->timeout, &tg->probe.base, &tg->timer,
	    tg->conf.timeout_us);
	tg->res.probes++;
	tg->phase = TARGET_PROBING;
}

static void
target_probe_done(struct target *tg)
{
	struct daemon *d = tg->d;
	enum target_state before = tg->res.state, after;
	int v6 = strchr(tg->conf.host, ':') != NULL;
	char msg[128];

	if (tg->timeout.expired)
		probe_timed_out(&tg->probe);
	after = results_record(&tg->res, &tg->probe.res);
	log_debug("target %s: %s, %u us", tg->conf.name,
	    probe_result_message(&tg->probe.res, msg, sizeof(msg)),
	    tg->probe.res.latency_us);
	if (after != before)
		log_info("target %s (%s %s%s%s:%u): state %s -> %s (%s, "
		    "%.3fms)", tg->conf.name, probe_kind_name(tg->conf.kind),
		    v6 ? "[" : "", tg->conf.host, v6 ? "]" : "",
		    (unsigned)tg->conf.port,
		    target_state_name(before), target_state_name(after),
		    probe_result_message(&tg->probe.res, msg, sizeof(msg)),
		    tg->probe.res.latency_us / 1000.0);
	if (d->on_result != NULL)
		d->on_result(d, tg, before);
}

/* Sleep until the next slot that has not passed yet. */
static void
target_schedule_next(struct target *tg)
{
	uint64_t now = clock_mono_us(), iv = tg->conf.interval_us, missed;

	tg->next_us += iv;
	if (tg->next_us <= now) {
		missed = (now - tg->next_us) / iv + 1;
		tg->res.late += missed;
		tg->next_us += missed * iv;
	}
	sleep_init(&tg->sleep, &tg->timer, tg->next_us - now);
	tg->phase = TARGET_SLEEPING;
}

static enum poll
target_poll(struct task *t, void *arg)
{
	struct target *tg = arg;
	enum poll r;

	for (;;) {
		switch (tg->phase) {
		case TARGET_SLEEPING:
			r = sleep_poll(&tg->sleep, t);
			if (r == POLL_PENDING)
				return POLL_PENDING;
			if (r == POLL_ERROR) {
				log_warnx("target %s: cannot arm its timer, "
				    "stopped", tg->conf.name);
				tg->phase = TARGET_STOPPED;
				return POLL_ERROR;
			}
			target_probe_start(tg);
			break;
		case TARGET_PROBING:
			if (timeout_poll(&tg->timeout, t) == POLL_PENDING)
				return POLL_PENDING;
			target_probe_done(tg);
			target_schedule_next(tg);
			break;
		case TARGET_STOPPED:
			return POLL_READY;
		}
	}
}
