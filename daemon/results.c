/*
 * results.c - what a target has seen: counters, state, the last result and
 * a ring of the last `history` results.
 *
 * The ring is allocated once per target (and again only when `history`
 * changes on reload); recording a result never allocates.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "futd.h"

static const char *target_state_names[] = {
	[TARGET_UNKNOWN] =	"unknown",
	[TARGET_UP] =		"up",
	[TARGET_DOWN] =		"down",
};

const char *
target_state_name(enum target_state s)
{
	return (unsigned)s <= TARGET_DOWN ? target_state_names[s] : "unknown";
}

int
results_init(struct results *r, unsigned history)
{
	memset(r, 0, sizeof(*r));
	r->state = TARGET_UNKNOWN;
	return results_resize(r, history);
}

void
results_free(struct results *r)
{
	free(r->each);
	r->each = NULL;
	r->neach = 0;
	free(r->ring);
	r->ring = NULL;
	r->ring_size = r->ring_head = r->ring_count = 0;
}

/* Change the ring's size, keeping the newest entries that fit. */
int
results_resize(struct results *r, unsigned history)
{
	struct hist_entry *ring = NULL;
	unsigned i, keep;

	if (history == r->ring_size)
		return 0;
	if (history > 0 && (ring = calloc(history, sizeof(*ring))) == NULL)
		return -1;
	keep = r->ring_count < history ? r->ring_count : history;
	/* oldest kept first, so that the new head is at `keep` */
	for (i = 0; i < keep; i++)
		ring[i] = *results_history(r, keep - 1 - i);
	free(r->ring);
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
 * history of 64 entries then costs 1.5 KiB per target, not 3.
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

void
hist_entry_unpack(const struct hist_entry *h, struct probe_result *pr)
{
	memset(pr, 0, sizeof(*pr));
	pr->wall_us = h->wall_ms * 1000;
	pr->ph.resolve_us = results_unpack_us(h->ph[0]);
	pr->ph.connect_us = results_unpack_us(h->ph[1]);
	pr->ph.write_us = results_unpack_us(h->ph[2]);
	pr->ph.first_byte_us = results_unpack_us(h->ph[3]);
	pr->ph.total_us = results_unpack_us(h->ph[4]);
	pr->latency_us = pr->ph.total_us;
	pr->connect_us = pr->ph.connect_us;
	pr->sys_err = h->sys_err;
	pr->error = (enum probe_error)h->error;
	pr->flags = h->flags;
	if (h->local_port != 0) {
		pr->local.sin.sin_family = AF_INET;
		pr->local.sin.sin_port = htons(h->local_port);
	}
}

static uint16_t
results_port(const union sockaddr_union *su)
{
	switch (su->sa.sa_family) {
	case AF_INET:
		return ntohs(su->sin.sin_port);
	case AF_INET6:
		return ntohs(su->sin6.sin6_port);
	}
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
	a->have_last = 1;
	return 0;
}

/* Count a finished probe; answer the state it leaves the target in. */
enum target_state
results_record(struct results *r, const struct probe_result *pr)
{
	struct hist_entry *h;
	enum target_state s;

	if (pr->error == PERR_NONE)
		r->ok++;
	else
		r->failed++;
	r->last = *pr;
	r->have_last = 1;

	if (r->ring_size > 0) {
		h = &r->ring[r->ring_head];
		h->wall_ms = pr->wall_us / 1000;
		h->ph[0] = results_pack_us(pr->ph.resolve_us);
		h->ph[1] = results_pack_us(pr->ph.connect_us);
		h->ph[2] = results_pack_us(pr->ph.write_us);
		h->ph[3] = results_pack_us(pr->ph.first_byte_us);
		h->ph[4] = results_pack_us(pr->latency_us);
		h->sys_err = (int16_t)pr->sys_err;
		h->error = (uint8_t)pr->error;
		h->flags = (uint8_t)pr->flags;
		h->local_port = results_port(&pr->local);
		r->ring_head = (r->ring_head + 1) % r->ring_size;
		if (r->ring_count < r->ring_size)
			r->ring_count++;
	}

	s = pr->error == PERR_NONE ? TARGET_UP : TARGET_DOWN;
	if (s != r->state) {
		r->state = s;
		r->since_wall_us = pr->wall_us + pr->latency_us;
	}
	return s;
}
