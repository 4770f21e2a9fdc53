/*
 * target.c - one target's task: sleep until the next slot, probe under a
 * deadline, record, again.
 *
 * The task is a future like any other: an enum of phases (Sleeping,
 * Probing) whose poll loops until a timer or the probe is PENDING.  Probes
 * run at a fixed rate: the next one is due `interval` after the start of the
 * last.  A slot that passes while the previous probe still runs is skipped
 * and counted as late, never queued: a target never has two probes in
 * flight.  With max_inflight, a due probe first waits for a slot
 * (Waiting); its wait is counted, and its deadline starts once it runs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "daemon.h"
#include "future.h"
#include "log.h"
#include "maint.h"
#include "net.h"
#include "probe.h"
#include "results.h"
#include "target.h"
#include "target_conf.h"
#include "tls.h"

static enum poll	target_poll(struct task *, void *);

/* a target's wake-ups share cells: 1, 2, 4, 8 or 16 ms (target_wake_at) */
#define TARGET_CELL_MIN	1000	/* µs */
#define TARGET_CELL_MAX	16000

/* xorshift64*: jitter needs spread, not secrecy */
static uint64_t
target_rand(struct target *tg)
{
	uint64_t x = tg->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	tg->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * conf.c's default payload: a target that sends it points here instead of
 * carrying its own copy.  (Only the bytes count: were the default to
 * change, targets would carry theirs again, nothing worse.)
 */
static unsigned char target_payload_default[] = "hello world";	/* read only */

/*
 * A new target, stopped.  It takes over tc's strings: the name, the host
 * and the payload are copied into the target's own block (one allocation
 * instead of three, no allocator overhead or rounding for each: a million
 * targets notice) and freed; the rest is kept as it is.  The history ring
 * comes with the first result (results.c).
 */
/*
 * The rare part, when tc needs one (else NULL): its buffers allocated,
 * its labels copied.  -1: out of memory.
 */
static int
target_rare_new(const struct target_conf *tc, int reads,
    struct target_rare **rp)
{
	struct target_rare *rare;

	*rp = NULL;
	if (!reads && tc->expect_regex == NULL && tc->steps == NULL &&
	    !tc->has_source &&
	    tc->connect_timeout_us == 0 && tc->labels == NULL)
		return 0;
	if ((rare = calloc(1, sizeof(*rare))) == NULL)
		return -1;
	if ((tc->labels != NULL &&
	    (rare->labels = malloc(tc->labels_len)) == NULL) ||
	    (tc->steps != NULL && (rare->step_us = calloc(tc->steps->n + 1,
	    sizeof(*rare->step_us))) == NULL) ||
	    (reads && (rare->rbuf = malloc(tc->steps->read_max + 1 +
	    RESULT_RECV_KEEP)) == NULL)) {
		free(rare->labels);
		free(rare->step_us);
		free(rare);
		return -1;
	}
	if (tc->labels != NULL)
		memcpy(rare->labels, tc->labels, tc->labels_len);
	rare->labels_len = tc->labels_len;
	*rp = rare;
	return 0;
}

struct target *
target_new(struct daemon *d, struct target_conf *tc, unsigned history)
{
	struct target *tg;
	struct target_conf_core *cc;
	struct target_rare *rare = NULL;
	struct target_conf own;
	size_t nlen = strlen(tc->name) + 1, hlen = strlen(tc->host) + 1;
	size_t plen = tc->payload_len;
	int shared = tc->payload != NULL &&
	    plen == sizeof(target_payload_default) - 1 &&
	    memcmp(tc->payload, target_payload_default, plen) == 0;
	int reads = tc->steps != NULL && tc->steps->read_max > 0;
	char *s;

	if ((tg = calloc(1, sizeof(*tg) + nlen + hlen +
	    (shared ? 0 : plen))) == NULL)
		return NULL;
	if (target_rare_new(tc, reads, &rare) == -1) {
		free(tg);
		return NULL;
	}
	if ((!tc->numeric && (tg->cache = calloc(1, sizeof(*tg->cache))) ==
	    NULL) ||
	    (tc->tls != NULL &&
	    (tg->tls_info = calloc(1, sizeof(*tg->tls_info))) == NULL)) {
		free(tg->cache);
		if (rare != NULL) {
			free(rare->rbuf);
			free(rare->labels);
			free(rare->step_us);
		}
		free(rare);
		free(tg);
		return NULL;
	}
	s = (char *)(tg + 1);
	cc = &tg->conf;
	cc->name = memcpy(s, tc->name, nlen);
	cc->host = memcpy(s + nlen, tc->host, hlen);
	if (shared)
		cc->payload = target_payload_default;
	else if (tc->payload != NULL)
		cc->payload = memcpy(s + nlen + hlen, tc->payload, plen);
	cc->tls = tc->tls;
	cc->interval_us = tc->interval_us;
	cc->timeout_us = tc->timeout_us;
	cc->payload_len = (uint32_t)tc->payload_len;
	cc->read_limit = tc->read_limit;
	cc->jitter_ppm = tc->jitter_ppm;
	cc->port = tc->port;
	cc->family = tc->family;
	cc->rise = tc->rise;
	cc->fall = tc->fall;
	cc->flap = tc->flap;
	cc->kind = tc->kind;
	cc->addrs = tc->addrs;
	cc->close = tc->close;
	cc->numeric = tc->numeric;
	cc->local_addr = tc->local_addr;
	cc->addr = tc->addr;
	if ((tg->rare = rare) != NULL) {
		rare->expect = tc->expect;
		rare->expect_regex = tc->expect_regex;
		rare->steps = tc->steps;
		rare->connect_timeout_us = tc->connect_timeout_us;
		rare->expect_len = tc->expect_len;
		rare->source = tc->source;
		rare->has_source = tc->has_source;
	}
	tg->phase = TARGET_STOPPED;
	timer_init(&tg->tm);
	sem_wait_init(&tg->slot);
	tg->rng = target_name_hash(tc->name) | 1;
	tg->file = tc->file;
	tg->conf.line = (uint32_t)tc->line;
	results_init(&tg->res, history);
	/* the target owns the rest now: nothing left for tc to free */
	if (!tc->pooled) {
		free(tc->name);
		free(tc->host);
		free(tc->payload);
		free(tc->labels);
	}
	memset(tc, 0, sizeof(*tc));
	results_set_policy(&tg->res, cc->rise, cc->fall, cc->flap);
	task_init(&tg->task, &d->ex, target_poll, NULL, tg);
	/* all zero will match no saved record: the target starts afresh */
	if (target_conf_identity(target_getconf(tg, &own), tg->id) == -1)
		memset(tg->id, 0, sizeof(tg->id));
	return tg;
}

/*
 * The target's config whole, in tc (the probe context's, or a reader's on
 * the stack): a copy of 180-odd bytes per probe buys 70 per target.
 */
const struct target_conf *
target_getconf(const struct target *tg, struct target_conf *tc)
{
	const struct target_conf_core *cc = &tg->conf;
	const struct target_rare *rare = tg->rare;

	/* field by field, without a memset first: the copy is on every probe */
	tc->name = cc->name;
	tc->host = cc->host;
	tc->payload = cc->payload;
	tc->payload_len = cc->payload_len;
	tc->tls = cc->tls;
	tc->read_limit = cc->read_limit;
	tc->interval_us = cc->interval_us;
	tc->timeout_us = cc->timeout_us;
	tc->jitter_ppm = cc->jitter_ppm;
	tc->rise = cc->rise;
	tc->fall = cc->fall;
	tc->flap = cc->flap;
	tc->port = cc->port;
	tc->kind = cc->kind;
	tc->addrs = cc->addrs;
	tc->close = cc->close;
	tc->numeric = cc->numeric;
	tc->local_addr = cc->local_addr;
	tc->family = cc->family;
	tc->addr = cc->addr;
	tc->pooled = 0;
	tc->line = (int)tg->conf.line;
	tc->file = tg->file;
	if (rare != NULL) {
		tc->expect = rare->expect;
		tc->expect_len = rare->expect_len;
		tc->expect_regex = rare->expect_regex;
		tc->labels = rare->labels;
		tc->labels_len = rare->labels_len;
		tc->steps = rare->steps;
		tc->connect_timeout_us = rare->connect_timeout_us;
		tc->has_source = rare->has_source;
		tc->source = rare->source;
	} else {
		tc->expect = NULL;
		tc->expect_len = 0;
		tc->expect_regex = NULL;
		tc->labels = NULL;
		tc->labels_len = 0;
		tc->steps = NULL;
		tc->connect_timeout_us = 0;
		tc->has_source = 0;
		memset(&tc->source, 0, sizeof(tc->source));
	}
	return tc;
}

/*
 * A target's cell, and when its timer wakes it for its slot at us: at the
 * end of the slot's cell, the largest of 1, 2, 4, 8 and 16 ms not over a
 * 32nd of the interval (none under 1 ms).  The cells lie on one grid from
 * the clock's zero, so the targets whose slots fall in one cell start in
 * one pass of the reactor: one wake-up and one io_uring_enter() for all of
 * their connects.  10 000 targets every second start 160 a pass, every
 * 16 ms, and each wake-up and each batch costs more than a probe's share of
 * it: bench/pair.py at that load, 0.93-0.94 of the CPU a probe of passes of
 * 40 every 4 ms (libevent's coarse ticks, server.c); cells of 8 ms, 0.99.
 * The slot stays where it is (next_us): only the start comes up to a cell
 * late, 1/32 of the interval at most from 32 ms up, 1 ms below.
 */
static uint64_t
target_cell(const struct target *tg)
{
	uint64_t iv = tg->conf.interval_us, cell = TARGET_CELL_MIN;

	if (iv < cell)
		return 0;
	while (cell * 2 <= iv / 32 && cell * 2 <= TARGET_CELL_MAX)
		cell *= 2;
	return cell;
}

static uint64_t
target_wake_at(const struct target *tg, uint64_t us)
{
	uint64_t cell = target_cell(tg);

	return cell == 0 ? us : (us + cell - 1) / cell * cell;
}

/*
 * The last cell's end before now: the slots up to it had their start
 * (their cell's end) before now, and are past.  Judged by a slot's own
 * time instead, a target every 1 ms, its cell's size, whose slot lies
 * early in its cell would pass over every other slot.
 */
static uint64_t
target_started_by(const struct target *tg, uint64_t now)
{
	uint64_t cell = target_cell(tg);

	return cell == 0 ? now : (now - 1) / cell * cell;
}

/*
 * Start probing.  The first probe comes at an offset within the interval
 * that depends only on the name: 10 000 targets of 10 s do not all fire in
 * the same millisecond, and a restart keeps the same pattern.  base_us is
 * when the offsets count from: the moment the reactor runs again, for the
 * whole config (a million targets take a while to start; the first ones
 * must not all be overdue together when the loop comes back).
 */
void
target_start(struct target *tg, uint64_t base_us)
{
	uint64_t offset;

	offset = target_name_hash(tg->conf.name) % tg->conf.interval_us;
	tg->next_us = base_us + offset;
	tg->phase = TARGET_SLEEPING;
	if (timer_arm(&tg->tm, &tg->task, target_wake_at(tg, tg->next_us)) ==
	    -1) {
		log_warnx("target %s: out of memory for its timer",
		    tg->conf.name);
		tg->phase = TARGET_STOPPED;
		target_daemon(tg)->nstalled++;
	}
}

/* Stop probing: cancel the probe in flight, close its socket. */
void
target_stop(struct target *tg)
{
	struct daemon *d = target_daemon(tg);
	switch (tg->phase) {
	case TARGET_SLEEPING:
	case TARGET_WAITING:
		break;
	case TARGET_PROBING:
		timeout_drop(&tg->pc->timeout);
		break;
	case TARGET_STOPPED:
	case TARGET_PAUSED:
		break;
	}
	if (tg->pc != NULL) {
		probe_ctx_put(d, tg->pc);
		tg->pc = NULL;
	}
	sem_release(&d->inflight, &tg->slot);
	timer_disarm(&tg->tm, &d->ex);
	task_cancel(&tg->task);
	tg->phase = TARGET_STOPPED;
}

/*
 * The end of a disable, armed on the target's own timer (it has no other
 * use while disabled): until_us is the wall clock's, the timer the
 * monotonic clock's.  0: until enabled, no timer.
 */
static void
target_arm_end(struct target *tg, int64_t until_us)
{
	int64_t left;

	if (until_us == 0)
		return;
	left = until_us - clock_wall_us();
	if (left < 0)
		left = 0;
	if (timer_arm(&tg->tm, &tg->task, clock_mono_us() + (uint64_t)left) ==
	    -1)
		log_warnx("target %s: out of memory for the end of its "
		    "disable: it stays disabled until `futctl enable`",
		    tg->conf.name);
}

/*
 * Disable: a probe in flight is dropped, its socket closed, and nothing
 * recorded of it (it began before the operator's word, and would record
 * a result against the state disabled); no probe starts until the end
 * (until_us, wall clock; 0: until enabled) or target_enable.  The task
 * is not cancelled: it sleeps on the timer, which wakes it at the end.
 * A second disable only moves the end.  Answers 1 when the state
 * changed (the caller tells on_state), 0 when it was disabled already.
 */
int
target_disable(struct target *tg, int64_t until_us)
{
	struct daemon *d = target_daemon(tg);
	int was = tg->phase == TARGET_PAUSED;

	if (tg->phase == TARGET_PROBING)
		timeout_drop(&tg->pc->timeout);
	if (tg->pc != NULL) {
		probe_ctx_put(d, tg->pc);
		tg->pc = NULL;
	}
	sem_release(&d->inflight, &tg->slot);
	timer_disarm(&tg->tm, &d->ex);
	tg->tm.fired = 0;
	tg->round_failed = 0;
	tg->phase = TARGET_PAUSED;
	results_set_state(&tg->res, TARGET_DISABLED, clock_wall_us());
	target_arm_end(tg, until_us);
	return !was;
}

/*
 * Back from a disable (early, or at its end): state unknown, the next
 * result decides afresh, and a probe at once; its slots count from now.
 * 0: it was not disabled.
 */
int
target_enable(struct target *tg)
{
	struct daemon *d = target_daemon(tg);

	if (tg->phase != TARGET_PAUSED)
		return 0;
	timer_disarm(&tg->tm, &d->ex);
	tg->tm.fired = 0;
	results_set_state(&tg->res, TARGET_UNKNOWN, clock_wall_us());
	tg->next_us = clock_mono_us();
	tg->queued = 0;
	tg->phase = TARGET_WAITING;
	task_schedule(&tg->task);
	return 1;
}

void
target_free(struct target *tg)
{
	if (tg == NULL)
		return;
	if (tg->has_adhoc && target_daemon(tg)->on_target_free != NULL)
		target_daemon(tg)->on_target_free(target_daemon(tg), tg);
	target_stop(tg);
	results_free(&tg->res);
	if (tg->rare != NULL) {
		free(tg->rare->expect);
		free(tg->rare->expect_regex);
		free(tg->rare->labels);
		steps_free(tg->rare->steps);
		free(tg->rare->step_us);
		free(tg->rare->rbuf);
		free(tg->rare);
	}
	free(tg->cache);
	free(tg->tls_info);
	if (tg->conf.tls != NULL) {
		tls_conf_free(tg->conf.tls);
		free(tg->conf.tls);
	}
	free(tg);
}

/*
 * A reload changed how a running target is probed or judged, not what it
 * measures (target_conf_compare): it takes the new settings on and keeps
 * its results.  What can fail comes first, before the apply changes
 * anything: a connect_timeout lives in the target's rare part, made here
 * if it has none (an empty one is the same as none, so one made for an
 * apply that fails later does no harm).  -1: out of memory.
 */
int
target_reconf_prepare(struct target *tg, const struct target_conf *tc)
{
	if ((tc->connect_timeout_us == 0 && tc->labels == NULL) ||
	    tg->rare != NULL)
		return 0;
	return (tg->rare = calloc(1, sizeof(*tg->rare))) != NULL ? 0 : -1;
}

/*
 * A new interval counts from the start of the last probe: the next one
 * comes at that start plus the new interval or, when that has passed, at
 * the first slot of the new interval after now, counted from that start.
 * Not "now": a reload that shortens the interval of many targets would
 * start them all at once, where their slots keep them spread as their
 * starts were.  The slots that passed are not late: no probe ran over
 * them.  A probe that runs or is due (a timer fired, its task not yet
 * polled) is left alone: its next slot is counted from its start with the
 * new interval when it ends (target_schedule_next).
 */
static void
target_reschedule(struct target *tg, uint64_t old_iv)
{
	uint64_t iv = tg->conf.interval_us, now, last, next, past;

	if (tg->phase != TARGET_SLEEPING || tg->tm.fired)
		return;
	now = clock_mono_us();
	last = tg->next_us > old_iv ? tg->next_us - old_iv : 0;
	next = last + iv;
	past = target_started_by(tg, now);
	if (next <= past)
		next += ((past - next) / iv + 1) * iv;
	tg->next_us = next;
	/* in the heap already: it moves, and that cannot fail */
	if (timer_arm(&tg->tm, &tg->task, target_wake_at(tg, next)) == -1) {
		log_warnx("target %s: out of memory for its timer, stopped",
		    tg->conf.name);
		tg->phase = TARGET_STOPPED;
		target_daemon(tg)->nstalled++;
	}
}

/*
 * New labels, copied.  Out of memory, the old ones stay: they are words
 * for alerts, nothing a probe needs.
 */
static void
target_reconf_labels(struct target *tg, const struct target_conf *tc)
{
	struct target_rare *rare = tg->rare;
	char *l = NULL;

	if (rare == NULL || (rare->labels_len == tc->labels_len &&
	    (tc->labels_len == 0 ||
	    memcmp(rare->labels, tc->labels, tc->labels_len) == 0)))
		return;
	if (tc->labels != NULL && (l = malloc(tc->labels_len)) == NULL) {
		log_warnx("target %s: out of memory for its new labels: the "
		    "old ones stay", tg->conf.name);
		return;
	}
	if (l != NULL)
		memcpy(l, tc->labels, tc->labels_len);
	free(rare->labels);
	rare->labels = l;
	rare->labels_len = tc->labels_len;
}

/*
 * Then, once the apply cannot fail: the new settings, copied (tc keeps
 * its strings).  A probe in flight finishes under the settings it
 * started with (its own copy, pc->tc, and its deadline) and records into
 * the results kept here (with addresses = "each" each address has a
 * probe of its own: those of the round that start after the reload take
 * the new settings).  rise, fall and flap_threshold judge from the
 * next result recorded on, that probe's too: a state changes only on a
 * result, and the results against the state counted so far still count
 * (an up target with one failure behind it, whose fall goes from 3 to 2,
 * goes down on its next failure, not at the reload).
 */
void
target_reconf(struct target *tg, const struct target_conf *tc)
{
	struct target_conf_core *cc = &tg->conf;
	uint64_t old_iv = cc->interval_us;

	cc->timeout_us = tc->timeout_us;
	cc->jitter_ppm = tc->jitter_ppm;
	cc->rise = tc->rise;
	cc->fall = tc->fall;
	cc->flap = tc->flap;
	cc->close = tc->close;
	cc->local_addr = tc->local_addr;
	if (tg->rare != NULL)
		tg->rare->connect_timeout_us = tc->connect_timeout_us;
	target_reconf_labels(tg, tc);
	if (cc->tls != NULL && tc->tls != NULL) {
		cc->tls->warn_days = tc->tls->warn_days;
		cc->tls->crit_days = tc->tls->crit_days;
	}
	results_set_policy(&tg->res, cc->rise, cc->fall, cc->flap);
	cc->interval_us = tc->interval_us;
	if (cc->interval_us != old_iv)
		target_reschedule(tg, old_iv);
}

/*
 * The last result in full (buf), with its pointers back: the received
 * bytes are in the target's keep buffer, the TLS details its tls_info.
 * NULL when there is none yet.
 */
const struct probe_result *
target_last(const struct target *tg, struct probe_result *buf)
{
	if (results_last(&tg->res, buf) == -1)
		return NULL;
	if (buf->flags & RESULT_TLS)
		buf->tls = tg->tls_info;
	buf->flags &= ~RESULT_TLS;
	if (buf->recv_len > 0 && target_keep(tg->rare) != NULL)
		buf->recv = target_keep(tg->rare);
	else
		buf->recv_len = 0;
	return buf;
}

/* A probe context from the pool; NULL only when memory runs out. */
struct probe_ctx *
probe_ctx_get(struct daemon *d)
{
	struct probe_ctx *pc;

	if ((pc = d->pc_free) != NULL)
		d->pc_free = pc->next;
	else if ((pc = calloc(1, sizeof(*pc))) != NULL) {
		waiter_init(&pc->io);
		d->pc_total++;
	} else
		return NULL;
	d->pc_used++;
	return pc;
}

void
probe_ctx_put(struct daemon *d, struct probe_ctx *pc)
{
	waiter_disarm(&pc->io);
	pc->next = d->pc_free;
	d->pc_free = pc;
	d->pc_used--;
}

/*
 * Probe address i of the last answer (addresses = "each"), or resolve.
 * -1 when no probe context can be had (out of memory).
 */
static int
target_probe_start(struct target *tg, uint8_t each_i)
{
	struct daemon *d = target_daemon(tg);
	struct probe *p;
	union sockaddr_union addrs[TARGET_MAX_ADDRS];
	unsigned n = 0;

	if (tg->pc == NULL && (tg->pc = probe_ctx_get(d)) == NULL)
		return -1;
	p = &tg->pc->probe;
	if (each_i > 0) {
		n = p->naddrs;
		memcpy(addrs, p->addrs, sizeof(addrs));
	}
	probe_init(p, target_getconf(tg, &tg->pc->tc), d->dns,
	    &tg->pc->io);
	p->rbuf = tg->rare != NULL ? tg->rare->rbuf : NULL;
	p->tls_info = tg->tls_info;
	/* what an expect failure read is kept past the next probe's reads */
	p->keep = target_keep(tg->rare);
	if (d->dns_cache_max_us > 0) {
		p->cache = tg->cache;
		p->cache_max_us = d->dns_cache_max_us;
	}
	if (tg->conf.addrs == ADDRS_EACH) {
		p->each = 1;
		p->addr_i = each_i;
		if (each_i > 0) {
			memcpy(p->addrs, addrs, sizeof(addrs));
			p->naddrs = n;
			probe_skip_resolve(p);
		}
	}
	timeout_init(&tg->pc->timeout, &p->base, tg->conf.timeout_us);
	tg->each_i = each_i;
	if (each_i == 0)
		tg->res.probes++;
	tg->phase = TARGET_PROBING;
	return 0;
}

/* the steps' times of the last probe, for the metrics */
static void
target_keep_steps(struct target *tg, const struct probe *p)
{
	struct target_rare *rare = tg->rare;
	unsigned i;

	if (rare == NULL || rare->step_us == NULL ||
	    p->nsteps != rare->steps->n)
		return;
	rare->step_us[0] = p->chain_us;
	for (i = 0; i < p->nsteps; i++)
		rare->step_us[i + 1] = p->step_us[i];
}

/*
 * addresses = "each": p's result is the round's (the first failure, else
 * the first).  What it read and its steps' times are kept apart: the next
 * address's probe writes over the target's buffers.
 */
static void
target_take_round(struct target *tg, const struct probe *p)
{
	struct probe_ctx *pc = tg->pc;

	pc->round = p->res;
	tg->round_failed = p->res.error != PERR_NONE;
	if (p->res.recv != NULL && p->res.recv_len > 0) {
		memcpy(pc->round_recv, p->res.recv, p->res.recv_len);
		pc->round.recv = pc->round_recv;
	}
	target_keep_steps(tg, p);
}

/* The round is complete: its result, its bytes back where show finds them */
static const struct probe_result *
target_round_done(struct target *tg)
{
	struct probe_ctx *pc = tg->pc;
	unsigned char *keep = target_keep(tg->rare);

	tg->round_failed = 0;
	if (pc->round.recv == pc->round_recv && keep != NULL) {
		memcpy(keep, pc->round_recv, pc->round.recv_len);
		pc->round.recv = keep;
	}
	return &pc->round;
}

/*
 * A probe finished.  Answer 1 when the round goes on (addresses = "each"
 * has more addresses to probe), 0 when it is complete.
 */
static int
target_probe_done(struct target *tg)
{
	struct daemon *d = target_daemon(tg);
	struct probe *p = &tg->pc->probe;
	enum target_state before = results_state(&tg->res);
	const struct probe_result *pr = &p->res;
	char msg[128];

	if (tg->pc->timeout.expired)
		probe_timed_out(p);
	/* the words cost more than the probe's bookkeeping: only if asked */
	if (log_getlevel() >= LOG_DEBUG)
		log_debug("target %s: %s, %u us", tg->conf.name,
		    probe_result_message(pr, msg, sizeof(msg)),
		    pr->latency_us);

	if (tg->conf.addrs == ADDRS_EACH && p->naddrs > 0 &&
	    p->addr_i < p->naddrs) {
		results_record_each(&tg->res, pr, p->addr_i, p->naddrs);
		if (tg->each_i == 0 || (pr->error != PERR_NONE &&
		    !tg->round_failed))
			target_take_round(tg, p);
		if (p->addr_i + 1 < p->naddrs)
			return 1;
		pr = target_round_done(tg);
	} else
		target_keep_steps(tg, p);
	results_record_at(&tg->res, pr, p->end_us);
	if (results_state(&tg->res) != before)
		d->on_state(d, tg, before, pr);
	else if (pr->error != PERR_NONE)
		d->on_failure(d, tg, pr);
	if (d->on_result != NULL)
		d->on_result(d, tg, before);
	return 0;
}

/*
 * Sleep until the next slot that has not passed yet.  now: the monotonic
 * time, which the caller may have at hand (a probe's end).
 */
static void
target_schedule_next(struct target *tg, uint64_t now)
{
	struct daemon *d = target_daemon(tg);
	uint64_t iv = tg->conf.interval_us, missed, past;
	int64_t j;

	if (tg->conf.jitter_ppm > 0) {
		/* uniform in [-jitter, +jitter] of the interval */
		j = (int64_t)(target_rand(tg) %
		    (2 * (uint64_t)tg->conf.jitter_ppm + 1)) -
		    (int64_t)tg->conf.jitter_ppm;
		iv = (uint64_t)((int64_t)iv + (int64_t)iv * j / 1000000);
		if (iv == 0)
			iv = 1;
	}
	tg->next_us += iv;
	/* a slot is missed when its start has passed, not its own time */
	past = target_started_by(tg, now);
	if (tg->next_us <= past) {
		/* mostly one slot: a division only for more */
		missed = past - tg->next_us < tg->conf.interval_us ? 1 :
		    (past - tg->next_us) / tg->conf.interval_us + 1;
		tg->res.late += missed;
		d->late_total += missed;
		tg->next_us += missed * tg->conf.interval_us;
		d->on_late(d, tg, missed);
	}
	tg->phase = TARGET_SLEEPING;
	if (timer_arm(&tg->tm, &tg->task, target_wake_at(tg, tg->next_us)) ==
	    -1) {
		log_warnx("target %s: out of memory for its timer, stopped",
		    tg->conf.name);
		tg->phase = TARGET_STOPPED;
		d->nstalled++;
	}
}

static enum poll
target_poll(struct task *t, void *arg)
{
	struct target *tg = arg;
	struct daemon *d = target_daemon(tg);
	uint64_t waited, now;
	enum poll r;

	for (;;) {
		switch (tg->phase) {
		case TARGET_SLEEPING:
			/* armed, and its expiry will wake us */
			if (!tg->tm.fired)
				return POLL_PENDING;
			tg->tm.fired = 0;
			tg->queued = 0;
			tg->phase = TARGET_WAITING;
			break;
		case TARGET_WAITING:
			r = sem_acquire(&d->inflight, &tg->slot, t);
			if (r == POLL_PENDING) {
				/* the clock is read only when there is a wait */
				if (!tg->queued)
					tg->wait_start_us = clock_mono_us();
				tg->queued = 1;
				return POLL_PENDING;
			}
			/* time spent behind max_inflight, counted apart */
			waited = tg->queued ?
			    clock_mono_us() - tg->wait_start_us : 0;
			if (tg->queued) {
				tg->res.queued++;
				tg->res.queued_us += waited;
			}
			if (target_probe_start(tg, 0) == -1) {
				/* no memory for a probe: try at the next slot */
				log_warnx("target %s: out of memory for a probe",
				    tg->conf.name);
				sem_release(&d->inflight, &tg->slot);
				target_schedule_next(tg, clock_mono_us());
				break;
			}
			tg->pc->probe.res.queued_us = waited;
			break;
		case TARGET_PROBING:
			if (timeout_poll(&tg->pc->timeout, t) == POLL_PENDING)
				return POLL_PENDING;
			if (target_probe_done(tg) &&
			    target_probe_start(tg, tg->each_i + 1) == 0)
				break;
			now = tg->pc->probe.end_us;
			probe_ctx_put(d, tg->pc);
			tg->pc = NULL;
			sem_release(&d->inflight, &tg->slot);
			target_schedule_next(tg, now);
			break;
		case TARGET_STOPPED:
			return POLL_READY;
		case TARGET_PAUSED:
			if (!tg->tm.fired)
				return POLL_PENDING;
			/* the end of the disable: the layers above are told */
			tg->tm.fired = 0;
			d->on_maint_end(d, tg);
			if (tg->phase == TARGET_PAUSED)
				return POLL_PENDING;	/* still: not ours */
			break;
		}
	}
}
