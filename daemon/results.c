/*
 * results.c - what a target has seen: counters, state, the last result and
 * a ring of the last `history` results.
 *
 * The ring is allocated once per target (and again only when `history`
 * changes on reload); recording a result never allocates.
 */
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
		h->latency_us = pr->latency_us;
		h->sys_err = (int16_t)pr->sys_err;
		h->error = (uint8_t)pr->error;
		h->pad = 0;
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
