/*
 * results.h - what a target has seen (results.c): counters, the history
 * ring, the last result, latency histograms, availability windows, and
 * the state that rise and fall make of them.
 */
#ifndef FUTD_RESULTS_H
#define FUTD_RESULTS_H

#include <stdint.h>

#include "net.h"
#include "probe.h"

enum target_state {
	TARGET_UNKNOWN,
	TARGET_UP,
	TARGET_DOWN,
	TARGET_FLAPPING,	/* reported, never stored as the base state */
	TARGET_DISABLED,	/* by an operator (maint.h): not probed */
};
#define TARGET_STATE_LAST	TARGET_DISABLED

/*
 * A compact history entry, 16 bytes (README "Memory"): the phase times in
 * 16 bits each (11 significant bits, < 0.05 % error), the start time as the
 * low 32 bits of its wall-clock milliseconds (the ring's order and its
 * newest full time give back the rest), the errno in a byte (see
 * results.c).  Addresses and DNS provenance stay with the last result.
 */
struct hist_entry {
	uint32_t		 ms_lo;
	uint16_t		 ph[5];		/* resolve connect write first total */
	uint8_t			 error;
	uint8_t			 err;		/* errno, or 244..255 for DNS */
};

/* Walks the history newest first, giving back full times (results.c). */
struct hist_cursor {
	const struct results	*r;
	unsigned		 n;
	int64_t			 ms;
	uint32_t		 lo;
};

/* One address of an `addresses = "each"` target, reported on its own */
struct addr_result {
	union sockaddr_union	 addr;
	uint64_t		 ok;
	uint64_t		 failed;
	int			 have_last;
	struct probe_result	 last;
};

/*
 * Availability over the last hour and day, in buckets of counts: six of ten
 * minutes make the hour, 12 of two hours the day (results.c).
 */
#define AVAIL_HOUR_BUCKETS	6
#define AVAIL_DAY_BUCKETS	12
struct avail_bucket {
	uint16_t		 ok;	/* both halved together when full: */
	uint16_t		 total;	/* the ratio is what counts */
};

#define FLAP_KEEP		8	/* state changes remembered */

/*
 * Latency histograms for the metrics: upper bounds in microseconds, from a
 * LAN's 100 us to a far WAN's 2.5 s (results.c), and one more for the rest.
 */
#define LAT_BUCKETS		15
extern const uint32_t lat_bucket_us[LAT_BUCKETS - 1];
enum lat_phase { LAT_CONNECT, LAT_TOTAL, LAT__MAX };
struct lat_hist {
	uint64_t		 sum_us;
	uint32_t		 count[LAT_BUCKETS - 1];	/* the last: derived */
} __attribute__((packed, aligned(4)));	/* 64 bytes, not 72 */

/*
 * The last result as a target keeps it: every field of its probe_result,
 * exact, in 96 bytes instead of 144 (results_last() gives it back whole).
 * An address keeps what is printed of it: family, port, address.
 */
struct addr_compact {
	uint8_t			 addr[16];
	uint16_t		 port;		/* network order */
	uint8_t			 family;	/* 0: none */
};

struct last_result {
	int64_t			 wall_us;
	uint64_t		 queued_us;
	uint32_t		 latency_us;	/* = phases.total_us */
	uint32_t		 resolve_us;
	uint32_t		 connect_us;
	uint32_t		 handshake_us;
	uint32_t		 write_us;
	uint32_t		 first_byte_us;
	int32_t			 sys_err;
	uint32_t		 recv_total;	/* the bytes: the target's keep */
	struct addr_compact	 peer;
	struct addr_compact	 local;
	uint16_t		 recv_len;
	uint8_t			 error;
	uint8_t			 flags;		/* RESULT_*, RESULT_TLS */
	uint8_t			 step;		/* in the padding: still 96 */
	uint8_t			 step_kind;
};

/*
 * What a target keeps of its results beyond the counters and the state:
 * the last result, latency histograms, availability windows and failures
 * by class.  It comes with the first result (slab.c), as the ring does: a
 * million targets start without 384 MB of it to fault in, and until then
 * results_detail() answers with one of zeros.  Six cache lines from a
 * line's start (slab.c): an ok result writes five of them (a histogram
 * each, the last result, the windows), where 368 bytes anywhere could
 * span seven (paired runs could not tell the two apart).
 */
struct results_detail {
	struct lat_hist		 lat[LAT__MAX];		/* ok probes */
	struct last_result	 last;
	struct avail_bucket	 hour[AVAIL_HOUR_BUCKETS];
	struct avail_bucket	 day[AVAIL_DAY_BUCKETS];
	uint32_t		 hour_slot;	/* 10 minutes since boot, + 1 */
	uint32_t		 day_slot;
	uint32_t		 errors[PERR__MAX - 1];	/* failures by class */
	uint32_t		 ok_before;	/* ok results it did not see (no
						   memory for it then): not in lat */
} __attribute__((aligned(64)));

/*
 * Field order: widest first, so that there are no holes (one of these per
 * target: README "Memory").
 */
struct results {
	uint64_t		 probes;	/* started */
	uint64_t		 ok;
	uint64_t		 failed;
	uint64_t		 late;		/* skipped: previous still running */
	uint64_t		 queued;	/* waited for max_inflight */
	uint64_t		 queued_us;	/* ... for this long in all */
	uint64_t		 changes;	/* state changes, all told */
	int64_t			 since_wall_us;	/* last state change */
	int64_t			 last_ok_wall_us;
	struct results_detail	*d;		/* NULL: not yet (or no memory) */
	struct hist_entry	*ring;
	struct addr_result	*each;		/* addresses = "each" only */
	uint32_t		 ring_size;
	uint32_t		 ring_head;	/* next slot to write */
	uint32_t		 ring_count;
	uint32_t		 neach;
	uint32_t		 seq;		/* results recorded (wraps) */
	uint32_t		 change_seq[FLAP_KEEP];	/* when, newest first */
	/* rise and fall: consecutive results before the state changes */
	uint8_t			 rise;
	uint8_t			 fall;
	uint8_t			 flap;		/* changes within the history... */
	uint8_t			 streak;	/* results against the state */
	uint8_t			 state;		/* enum target_state */
	uint8_t			 flapping;
	uint32_t		 flap_since_s;	/* wall clock: when flapping began
						   (in the padding: 160 bytes) */
};

/* Latency statistics over the successful results of the history ring. */
struct results_stats {
	unsigned		 count;		/* results in the ring */
	unsigned		 ok;
	uint32_t		 min_us, max_us, p50_us, p95_us, p99_us;
	double			 mean_us;
	double			 jitter_us;	/* mean |difference| of neighbours */
};

int		 results_init(struct results *, unsigned);
void		 results_free(struct results *);
int		 results_resize(struct results *, unsigned);
enum target_state results_record(struct results *,
		    const struct probe_result *);
enum target_state results_record_at(struct results *,
		    const struct probe_result *, uint64_t);
void		 results_set_policy(struct results *, unsigned, unsigned,
		    unsigned);
enum target_state results_state(const struct results *);
void		 results_set_state(struct results *, enum target_state,
		    int64_t);
void		 results_stats(const struct results *, struct results_stats *);
int		 results_availability(const struct results *, int, double *);
int		 results_record_each(struct results *,
		    const struct probe_result *, unsigned, unsigned);
const struct hist_entry *results_history(const struct results *, unsigned);
void		 results_cursor(struct hist_cursor *, const struct results *);
int		 results_next(struct hist_cursor *, struct probe_result *);
int		 results_get(const struct results *, unsigned,
		    struct probe_result *);
int		 results_last(const struct results *, struct probe_result *);
uint32_t	 results_lat_count(const struct results *, enum lat_phase,
		    unsigned);
uint32_t	 results_errors(const struct results *, enum probe_error);
uint64_t	 results_lat_sum_us(const struct results *, enum lat_phase);
uint16_t	 results_pack_us(uint32_t);
uint32_t	 results_unpack_us(uint16_t);
int		 results_restore(struct results *, const struct results *,
		    const struct results_detail *, const struct hist_entry *,
		    unsigned, int64_t);
int		 results_restore_each(struct results *,
		    const struct addr_result *, unsigned);
const char	*target_state_name(enum target_state);

#endif /* FUTD_RESULTS_H */
