/*
 * results.c - what a target has seen: counters, state, the last result and
 * a ring of the last `history` results.
 *
 * The ring and the rest of what a result leaves (struct results_detail)
 * are allocated at a target's first result (slab.c), the ring again only
 * when `history` changes on a reload: a million targets start without 1.4
 * GB of them to fault in (they come over the first interval, with the
 * probes), and recording any later result never allocates.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "probe.h"
#include "results.h"
#include "slab.h"

#define STATS_MAX	65536	/* the largest history */

/* one daemon, one thread: a static scratch array beats 256 KiB of stack */
static uint32_t		stats_lat[STATS_MAX];

static const char *target_state_names[] = {
	[TARGET_UNKNOWN] =	"unknown",
	[TARGET_UP] =		"up",
	[TARGET_DOWN] =		"down",
	[TARGET_FLAPPING] =	"flapping",
	[TARGET_DISABLED] =	"disabled",
};

/* a target's before its first result: no last result, all counts zero */
static const struct results_detail results_detail_none;

#define AVAIL_HOUR_SLOT_US	(600ULL * 1000000)	/* 10 minutes */
#define AVAIL_DAY_SLOT_US	(7200ULL * 1000000)	/* 2 hours */

const uint32_t lat_bucket_us[LAT_BUCKETS - 1] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000, 2500000,
};

/*
 * Count an ok probe's time.  The last bucket (above 2.5 s) is not kept:
 * every ok probe is counted in one bucket, so it is the ok probes less the
 * others (results_lat_count()).
 */
static void
results_lat_add(struct lat_hist *h, uint32_t us)
{
	unsigned i;

	for (i = 0; i < LAT_BUCKETS - 1 && us > lat_bucket_us[i]; i++)
		;
	if (i < LAT_BUCKETS - 1)
		h->count[i]++;
	h->sum_us += us;
}

static const struct results_detail *
results_detail(const struct results *r)
{
	return r->d != NULL ? r->d : &results_detail_none;
}

/* Bucket i of a latency histogram (not cumulative); wraps as a u32. */
uint32_t
results_lat_count(const struct results *r, enum lat_phase p, unsigned i)
{
	const struct lat_hist *h = &results_detail(r)->lat[p];
	uint32_t rest;
	unsigned j;

	if (i < LAT_BUCKETS - 1)
		return h->count[i];
	if (r->d == NULL)
		return 0;
	rest = (uint32_t)r->ok - r->d->ok_before;
	for (j = 0; j < LAT_BUCKETS - 1; j++)
		rest -= h->count[j];
	return rest;
}

/*
 * Results of class e, by class (a u32 that wraps): those of PERR_NONE
 * are the ok ones, not counted twice.
 */
uint32_t
results_errors(const struct results *r, enum probe_error e)
{
	if (e == PERR_NONE)
		return (uint32_t)r->ok;
	return (unsigned)e < PERR__MAX ? results_detail(r)->errors[e - 1] : 0;
}

/* The sum of a latency histogram's times (microseconds). */
uint64_t
results_lat_sum_us(const struct results *r, enum lat_phase p)
{
	return results_detail(r)->lat[p].sum_us;
}

const char *
target_state_name(enum target_state s)
{
	return (unsigned)s <= TARGET_STATE_LAST ? target_state_names[s] :
	    "unknown";
}

int
results_init(struct results *r, unsigned history)
{
	memset(r, 0, sizeof(*r));
	r->state = TARGET_UNKNOWN;
	r->rise = r->fall = 1;
	r->ring_size = history;		/* the ring: at the first result */
	return 0;
}

/*
 * rise: consecutive successes that bring a down target up; fall: failures
 * that bring an up target down (the first result decides from unknown).
 * flap: more state changes than this within the last `history` results
 * make the target "flapping" (0: never).
 */
void
results_set_policy(struct results *r, unsigned rise, unsigned fall,
    unsigned flap)
{
	r->rise = rise > 0 ? rise : 1;
	r->fall = fall > 0 ? fall : 1;
	r->flap = flap < FLAP_KEEP ? flap : FLAP_KEEP - 1;
}

/* The state an operator sees: flapping above up and down. */
enum target_state
results_state(const struct results *r)
{
	if (r->state == TARGET_DISABLED)
		return TARGET_DISABLED;
	return r->flapping ? TARGET_FLAPPING : r->state;
}

/*
 * Not a result's doing: an operator's (maint.h).  Into disabled, or out of
 * it to unknown, where the next result decides afresh (the first result
 * decides from unknown); not counted as a change for flapping: the
 * target did not move, we stopped looking.
 */
void
results_set_state(struct results *r, enum target_state s, int64_t wall_us)
{
	r->state = (uint8_t)s;
	r->streak = 0;
	r->flapping = 0;
	r->flap_since_s = 0;
	r->since_wall_us = wall_us;
}

static int
results_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* nearest-rank percentile of a sorted array */
static uint32_t
results_pct(const uint32_t *v, unsigned n, unsigned pct)
{
	unsigned rank = (pct * n + 99) / 100;

	return v[rank > 0 ? rank - 1 : 0];
}

/*
 * Latency statistics of the successful results in the ring, computed when
 * asked (a status request), not on every probe.
 */
void
results_stats(const struct results *r, struct results_stats *st)
{
	uint32_t *lat = stats_lat, prev = 0;
	const struct hist_entry *h;
	double sum = 0, jsum = 0;
	unsigned i, n = 0, pairs = 0;

	memset(st, 0, sizeof(*st));
	st->count = r->ring_count;
	/* oldest first, so that jitter compares neighbours in time */
	for (i = r->ring_count; i-- > 0 && n < STATS_MAX; ) {
		h = results_history(r, i);
		if (h->error != PERR_NONE)
			continue;
		lat[n] = results_unpack_us(h->ph[4]);
		if (n > 0) {
			jsum += lat[n] > prev ? lat[n] - prev : prev - lat[n];
			pairs++;
		}
		prev = lat[n];
		sum += lat[n];
		n++;
	}
	st->ok = n;
	if (n == 0)
		return;
	st->mean_us = sum / n;
	st->jitter_us = pairs > 0 ? jsum / pairs : 0;
	qsort(lat, n, sizeof(lat[0]), results_cmp_u32);
	st->min_us = lat[0];
	st->max_us = lat[n - 1];
	st->p50_us = results_pct(lat, n, 50);
	st->p95_us = results_pct(lat, n, 95);
	st->p99_us = results_pct(lat, n, 99);
}

/* Move a window's newest bucket to slot, emptying the ones skipped. */
static void
results_avail_advance(struct avail_bucket *b, unsigned n, uint32_t *head,
    uint32_t slot)
{
	uint32_t s;

	if (slot <= *head && *head != 0)
		return;
	if (*head == 0 || slot - *head >= n) {
		memset(b, 0, n * sizeof(*b));
	} else {
		for (s = *head + 1; s <= slot; s++)
			memset(&b[s % n], 0, sizeof(*b));
	}
	*head = slot;
}

/*
 * Count one result in a bucket.  16 bits hold a 10-minute bucket of a
 * probe every 10 ms; faster than that, both counts are halved when full,
 * which keeps their ratio (all a window is asked for) and weighs the
 * bucket's later results a little more.
 */
static void
results_avail_add(struct avail_bucket *b, int ok)
{
	if (b->total == UINT16_MAX) {
		b->total /= 2;
		b->ok /= 2;
	}
	b->total++;
	b->ok += ok != 0;
}

static void
results_avail_count(struct results_detail *d, int ok, uint64_t now)
{
	/* 32 bits of 10-minute slots since boot: 80 000 years */
	uint32_t hs = (uint32_t)(now / AVAIL_HOUR_SLOT_US + 1);
	uint32_t ds = (uint32_t)(now / AVAIL_DAY_SLOT_US + 1);

	results_avail_advance(d->hour, AVAIL_HOUR_BUCKETS, &d->hour_slot, hs);
	results_avail_advance(d->day, AVAIL_DAY_BUCKETS, &d->day_slot, ds);
	results_avail_add(&d->hour[hs % AVAIL_HOUR_BUCKETS], ok);
	results_avail_add(&d->day[ds % AVAIL_DAY_BUCKETS], ok);
}

/*
 * Availability (0..1) over the daemon's lifetime (window 0), the last hour
 * (1) or day (2); -1 when there is no result in it.  The hour and the day
 * are sliding windows of buckets: the oldest bucket may hold a little more
 * than the window.
 */
int
results_availability(const struct results *r, int window, double *out)
{
	const struct results_detail *d = results_detail(r);
	const struct avail_bucket *b;
	uint64_t ok = 0, total = 0, head, now = clock_mono_us(), slot;
	unsigned i, n;

	if (window == 0) {
		ok = r->ok;
		total = r->ok + r->failed;
	} else {
		b = window == 1 ? d->hour : d->day;
		n = window == 1 ? AVAIL_HOUR_BUCKETS : AVAIL_DAY_BUCKETS;
		head = window == 1 ? d->hour_slot : d->day_slot;
		slot = now / (window == 1 ? AVAIL_HOUR_SLOT_US :
		    AVAIL_DAY_SLOT_US) + 1;
		for (i = 0; i < n && head != 0; i++) {
			/* bucket of slot - i, if it still belongs to it */
			if (slot < i + 1 || slot - i > head ||
			    head - (slot - i) >= n)
				continue;
			ok += b[(slot - i) % n].ok;
			total += b[(slot - i) % n].total;
		}
	}
	if (total == 0)
		return -1;
	*out = (double)ok / (double)total;
	return 0;
}

void
results_free(struct results *r)
{
	free(r->each);
	r->each = NULL;
	r->neach = 0;
	slab_free(r->ring, r->ring_size * sizeof(*r->ring));
	r->ring = NULL;
	r->ring_size = r->ring_head = r->ring_count = 0;
	slab_free(r->d, sizeof(*r->d));
	r->d = NULL;
}

/* Change the ring's size, keeping the newest entries that fit. */
int
results_resize(struct results *r, unsigned history)
{
	struct hist_entry *ring = NULL;
	unsigned i, keep;

	if (history == r->ring_size)
		return 0;
	if (r->ring == NULL) {		/* none yet: made at the first result */
		r->ring_size = history;
		return 0;
	}
	if (history > 0 && (ring = slab_alloc(history * sizeof(*ring))) == NULL)
		return -1;
	keep = r->ring_count < history ? r->ring_count : history;
	/* oldest kept first, so that the new head is at `keep` */
	for (i = 0; i < keep; i++)
		ring[i] = *results_history(r, keep - 1 - i);
	slab_free(r->ring, r->ring_size * sizeof(*r->ring));
	r->ring = ring;
	r->ring_size = history;
	r->ring_count = keep;
	r->ring_head = history > 0 ? keep % history : 0;
	return 0;
}

/* The n-th newest entry (0 = the last result), or NULL. */
const struct hist_entry *
results_history(const struct results *r, unsigned n)
{
	if (n >= r->ring_count)
		return NULL;
	return &r->ring[(r->ring_head + r->ring_size - 1 - n) % r->ring_size];
}

/*
 * Times in 16 bits: below 2048 us exact, above it 11 significant bits and a
 * 5-bit exponent (to 2^31 us, 35 minutes), so an error below 0.05 %.  A
 * history of 64 entries then costs 1 KiB per target (16-byte entries), not
 * 1.75 (28-byte ones).
 */
uint16_t
results_pack_us(uint32_t us)
{
	uint64_t m;
	unsigned e = 0;

	while ((us >> e) >= 2048)
		e++;
	if (e == 0)
		return (uint16_t)us;
	m = ((uint64_t)us + (1u << (e - 1))) >> e;	/* to nearest */
	if (m == 2048) {
		m = 1024;
		e++;
	}
	return (uint16_t)((e << 11) | (unsigned)m);
}

uint32_t
results_unpack_us(uint16_t v)
{
	uint64_t us = (uint64_t)(v & 0x7ff) << (v >> 11);

	return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/*
 * errno in a byte: errnos are below 244 on Linux; the resolver's codes
 * (DNS_ERR_*: 1..5 and 65..70, kept negative in sys_err) go to 244..255.
 */
static uint8_t
results_pack_err(int sys_err)
{
	int e;

	if (sys_err >= 0)
		return sys_err < 244 ? (uint8_t)sys_err : 243;
	if (sys_err < -70)
		return 255;	/* no such code; and -INT_MIN overflows */
	e = -sys_err;
	if (e <= 5)
		return (uint8_t)(255 - e);
	if (e >= 65 && e <= 70)
		return (uint8_t)(255 - (e - 59));
	return 255;
}

static int
results_unpack_err(uint8_t v)
{
	int e;

	if (v < 244)
		return v;
	e = 255 - v;
	return -(e <= 5 ? e : e + 59);
}

static void
results_unpack(const struct hist_entry *h, int64_t ms, struct probe_result *pr)
{
	memset(pr, 0, sizeof(*pr));
	pr->wall_us = ms * 1000;
	pr->ph.resolve_us = results_unpack_us(h->ph[0]);
	pr->ph.connect_us = results_unpack_us(h->ph[1]);
	pr->ph.write_us = results_unpack_us(h->ph[2]);
	pr->ph.first_byte_us = results_unpack_us(h->ph[3]);
	pr->ph.total_us = results_unpack_us(h->ph[4]);
	pr->latency_us = pr->ph.total_us;
	pr->connect_us = pr->ph.connect_us;
	pr->sys_err = results_unpack_err(h->err);
	pr->error = (enum probe_error)h->error;
}

void
results_cursor(struct hist_cursor *c, const struct results *r)
{
	c->r = r;
	c->n = 0;
	/* the newest entry is the last result: its full time */
	c->ms = results_detail(r)->last.wall_us / 1000;
	c->lo = (uint32_t)c->ms;
}

/*
 * The next older result: 0 and out filled, or -1 at the end.  Each entry
 * keeps the low 32 bits of its milliseconds; two neighbours are never 49
 * days apart (the longest interval is a day), so the difference of the
 * low bits is the whole difference.  (A wall clock stepped back between
 * two probes puts the older entries 49.7 days early: history times are
 * for reading; counters, states and schedules use the monotonic clock.)
 */
int
results_next(struct hist_cursor *c, struct probe_result *out)
{
	const struct hist_entry *h;

	if ((h = results_history(c->r, c->n)) == NULL)
		return -1;
	c->ms -= (uint32_t)(c->lo - h->ms_lo);
	c->lo = h->ms_lo;
	results_unpack(h, c->ms, out);
	c->n++;
	return 0;
}

/* The n-th newest result (0 = the last), in full: 0, or -1. */
int
results_get(const struct results *r, unsigned n, struct probe_result *out)
{
	struct hist_cursor c;
	unsigned i;

	results_cursor(&c, r);
	for (i = 0; i <= n; i++)
		if (results_next(&c, out) == -1)
			return -1;
	return 0;
}

static void
results_addr_pack(struct addr_compact *a, const union sockaddr_union *su)
{
	memset(a, 0, sizeof(*a));
	switch (su->sa.sa_family) {
	case AF_INET:
		memcpy(a->addr, &su->sin.sin_addr, sizeof(su->sin.sin_addr));
		a->port = su->sin.sin_port;
		a->family = AF_INET;
		break;
	case AF_INET6:
		memcpy(a->addr, &su->sin6.sin6_addr,
		    sizeof(su->sin6.sin6_addr));
		a->port = su->sin6.sin6_port;
		a->family = AF_INET6;
		break;
	}
}

static void
results_addr_unpack(const struct addr_compact *a, union sockaddr_union *su)
{
	memset(su, 0, sizeof(*su));
	switch (a->family) {
	case AF_INET:
		su->sin.sin_family = AF_INET;
		su->sin.sin_port = a->port;
		memcpy(&su->sin.sin_addr, a->addr, sizeof(su->sin.sin_addr));
		break;
	case AF_INET6:
		su->sin6.sin6_family = AF_INET6;
		su->sin6.sin6_port = a->port;
		memcpy(&su->sin6.sin6_addr, a->addr,
		    sizeof(su->sin6.sin6_addr));
		break;
	}
}

/*
 * The last result, kept compact: the pointers (received bytes, TLS
 * details) always point into the target, which gives them back
 * (target_last()); the addresses keep what is printed of them.
 */
static void
results_last_pack(struct last_result *l, const struct probe_result *pr)
{
	l->wall_us = pr->wall_us;
	l->queued_us = pr->queued_us;
	l->latency_us = pr->latency_us;
	l->resolve_us = pr->ph.resolve_us;
	l->connect_us = pr->ph.connect_us;
	l->handshake_us = pr->ph.handshake_us;
	l->write_us = pr->ph.write_us;
	l->first_byte_us = pr->ph.first_byte_us;
	l->sys_err = pr->sys_err;
	l->recv_total = pr->recv_total;
	results_addr_pack(&l->peer, &pr->peer);
	results_addr_pack(&l->local, &pr->local);
	l->recv_len = pr->recv != NULL ? pr->recv_len : 0;
	l->error = (uint8_t)pr->error;
	l->step = pr->step;
	l->step_kind = pr->step_kind;
	l->flags = (uint8_t)(pr->flags & (RESULT_DNS_STALE |
	    RESULT_DNS_CACHED)) | (pr->tls != NULL ? RESULT_TLS : 0);
}

/*
 * The last result in full, but for recv and tls (NULL here; RESULT_TLS in
 * flags says the target's tls_info belongs): 0, or -1 when there is none.
 */
int
results_last(const struct results *r, struct probe_result *pr)
{
	const struct last_result *l = &results_detail(r)->last;

	if (r->d == NULL)	/* it comes with the first result */
		return -1;
	memset(pr, 0, sizeof(*pr));
	pr->wall_us = l->wall_us;
	pr->queued_us = l->queued_us;
	pr->latency_us = pr->ph.total_us = l->latency_us;
	pr->ph.resolve_us = l->resolve_us;
	pr->connect_us = pr->ph.connect_us = l->connect_us;
	pr->ph.handshake_us = l->handshake_us;
	pr->ph.write_us = l->write_us;
	pr->ph.first_byte_us = l->first_byte_us;
	pr->sys_err = l->sys_err;
	pr->recv_total = l->recv_total;
	results_addr_unpack(&l->peer, &pr->peer);
	results_addr_unpack(&l->local, &pr->local);
	pr->recv_len = l->recv_len;
	pr->error = (enum probe_error)l->error;
	pr->step = l->step;
	pr->step_kind = l->step_kind;
	pr->flags = l->flags;
	return 0;
}

/*
 * addresses = "each": the result of address i of n, kept on its own.  The
 * table follows the resolver's answer: when the count changes it starts
 * again.  -1 when out of memory (the round's overall result still counts).
 */
int
results_record_each(struct results *r, const struct probe_result *pr,
    unsigned i, unsigned n)
{
	struct addr_result *a;

	if (n != r->neach) {
		if ((a = calloc(n, sizeof(*a))) == NULL)
			return -1;
		free(r->each);
		r->each = a;
		r->neach = n;
	}
	if (i >= n)
		return -1;
	a = &r->each[i];
	if (memcmp(&a->addr, &pr->peer, sizeof(a->addr)) != 0) {
		memset(a, 0, sizeof(*a));
		a->addr = pr->peer;
	}
	if (pr->error == PERR_NONE)
		a->ok++;
	else
		a->failed++;
	a->last = *pr;
	/* its bytes were in the target's one buffer, the next address's now */
	a->last.recv = NULL;
	a->last.recv_len = 0;
	a->have_last = 1;
	return 0;
}

/* Count a finished probe; answer the state it leaves the target in. */
enum target_state
results_record(struct results *r, const struct probe_result *pr)
{
	return results_record_at(r, pr, clock_mono_us());
}

/* The same, when the caller knows the (monotonic) time: a probe's end. */
enum target_state
results_record_at(struct results *r, const struct probe_result *pr,
    uint64_t now_us)
{
	struct results_detail *d;
	struct hist_entry *h;
	enum target_state s;
	int flapping;

	/*
	 * Out of memory for the detail or the ring: the result counts, and
	 * the state follows it; what they keep waits for the next result.
	 * The ring's newest entry takes its full time from the last result:
	 * no entry without one.
	 */
	if ((d = r->d) == NULL && (d = r->d = slab_alloc(sizeof(*d))) != NULL)
		d->ok_before = (uint32_t)r->ok;
	if (pr->error == PERR_NONE) {
		r->ok++;
		r->last_ok_wall_us = pr->wall_us + pr->latency_us;
	} else
		r->failed++;
	if (d != NULL) {
		if (pr->error == PERR_NONE) {
			results_lat_add(&d->lat[LAT_CONNECT], pr->ph.connect_us);
			results_lat_add(&d->lat[LAT_TOTAL], pr->latency_us);
		} else if ((unsigned)pr->error < PERR__MAX)
			d->errors[pr->error - 1]++;
		results_last_pack(&d->last, pr);
		results_avail_count(d, pr->error == PERR_NONE, now_us);
	}

	if (d != NULL && r->ring_size > 0 && (r->ring != NULL || (r->ring =
	    slab_alloc(r->ring_size * sizeof(*r->ring))) != NULL)) {
		h = &r->ring[r->ring_head];
		h->ms_lo = (uint32_t)(pr->wall_us / 1000);
		h->ph[0] = results_pack_us(pr->ph.resolve_us);
		h->ph[1] = results_pack_us(pr->ph.connect_us);
		h->ph[2] = results_pack_us(pr->ph.write_us);
		h->ph[3] = results_pack_us(pr->ph.first_byte_us);
		h->ph[4] = results_pack_us(pr->latency_us);
		h->err = results_pack_err(pr->sys_err);
		h->error = (uint8_t)pr->error;
		if (++r->ring_head == r->ring_size)	/* no division */
			r->ring_head = 0;
		if (r->ring_count < r->ring_size)
			r->ring_count++;
	}

	r->seq++;

	/* rise and fall: only a streak against the state changes it */
	s = pr->error == PERR_NONE ? TARGET_UP : TARGET_DOWN;
	if (s == r->state) {
		r->streak = 0;
	} else if (r->state == TARGET_UNKNOWN ||
	    ++r->streak >= (s == TARGET_UP ? r->rise : r->fall)) {
		if (r->state != TARGET_UNKNOWN) {
			r->changes++;
			memmove(&r->change_seq[1], &r->change_seq[0],
			    (FLAP_KEEP - 1) * sizeof(r->change_seq[0]));
			r->change_seq[0] = r->seq;
		}
		r->state = s;
		r->streak = 0;
		r->since_wall_us = pr->wall_us + pr->latency_us;
	}

	/*
	 * flapping: more than `flap` changes within the history window.  It
	 * begins at a change (only a change adds one to the window), and an
	 * operator wants to know since when, not since its last flip.
	 */
	flapping = r->flap > 0 && r->changes > r->flap &&
	    r->seq - r->change_seq[r->flap] < (r->ring_size > 0 ?
	    r->ring_size : 1);
	if (flapping && !r->flapping)
		r->flap_since_s = (uint32_t)((pr->wall_us + pr->latency_us) /
		    1000000);
	r->flapping = (uint8_t)flapping;
	return r->state;
}

/* A window's slot, moved by shift microseconds of the monotonic clock. */
static void
results_avail_shift(struct avail_bucket *b, unsigned n, uint32_t *slot,
    int64_t shift_us, uint64_t slot_us)
{
	int64_t s = (int64_t)*slot + shift_us / (int64_t)slot_us;

	if (*slot == 0)
		return;
	if (s < 1 || s > (int64_t)UINT32_MAX) {	/* before this boot */
		memset(b, 0, n * sizeof(*b));
		*slot = 0;
	} else
		*slot = (uint32_t)s;
}

/*
 * The addresses of an `addresses = "each"` target after a restart (state.c):
 * n of them, their last results' pointers (the bytes read, the TLS
 * details) voided, as those went with the old process.
 */
int
results_restore_each(struct results *r, const struct addr_result *each,
    unsigned n)
{
	struct addr_result *a;
	unsigned i;

	if (n == 0)
		return 0;
	if ((a = calloc(n, sizeof(*a))) == NULL)
		return -1;
	memcpy(a, each, n * sizeof(*a));
	for (i = 0; i < n; i++) {
		a[i].last.recv = NULL;
		a[i].last.recv_len = 0;
		a[i].last.tls = NULL;
		a[i].have_last = a[i].have_last != 0;
	}
	free(r->each);
	r->each = a;
	r->neach = n;
	return 0;
}

/*
 * Take on what a target had seen before a restart (state.c): the counters
 * and the state of saved, its detail d (or NULL) and n history entries,
 * oldest first; not its rise, fall and flap, which are the config's.  The
 * availability windows count in slots of the monotonic clock: mono_shift_us
 * is how far that clock moved against the wall clock since the save (a
 * reboot).  No event: the state is the one it had.  -1: out of memory for
 * the detail or the ring (the counters and the state are taken on).
 */
int
results_restore(struct results *r, const struct results *saved,
    const struct results_detail *d, const struct hist_entry *ring,
    unsigned n, int64_t mono_shift_us)
{
	unsigned i, keep;

	r->probes = saved->probes;
	r->ok = saved->ok;
	r->failed = saved->failed;
	r->late = saved->late;
	r->queued = saved->queued;
	r->queued_us = saved->queued_us;
	r->changes = saved->changes;
	r->since_wall_us = saved->since_wall_us;
	r->last_ok_wall_us = saved->last_ok_wall_us;
	r->seq = saved->seq;
	memcpy(r->change_seq, saved->change_seq, sizeof(r->change_seq));
	r->streak = saved->streak;
	r->state = saved->state <= TARGET_DOWN ? saved->state : TARGET_UNKNOWN;
	r->flapping = saved->flapping != 0;
	r->flap_since_s = saved->flap_since_s;
	if (d != NULL) {
		if (r->d == NULL && (r->d = slab_alloc(sizeof(*r->d))) == NULL)
			return -1;
		*r->d = *d;
		/*
		 * Its received bytes were in the target's keep buffer, not
		 * in the file: none are claimed (nor a file's length past
		 * that buffer's end believed).  recv_total still says.
		 */
		r->d->last.recv_len = 0;
		results_avail_shift(r->d->hour, AVAIL_HOUR_BUCKETS,
		    &r->d->hour_slot, mono_shift_us, AVAIL_HOUR_SLOT_US);
		results_avail_shift(r->d->day, AVAIL_DAY_BUCKETS,
		    &r->d->day_slot, mono_shift_us, AVAIL_DAY_SLOT_US);
	}
	if (n == 0 || r->ring_size == 0 || r->d == NULL)
		return 0;	/* no ring without a last result: see record */
	if (r->ring == NULL && (r->ring =
	    slab_alloc(r->ring_size * sizeof(*r->ring))) == NULL)
		return -1;
	keep = n < r->ring_size ? n : r->ring_size;
	for (i = 0; i < keep; i++)
		r->ring[i] = ring[n - keep + i];
	r->ring_count = keep;
	r->ring_head = keep % r->ring_size;
	return 0;
}
