/*
 * futd.h - the daemon's shared declarations, grouped by the file that
 * defines them.  The futures core is in future.h, the leaf futures in net.h,
 * the control protocol (shared with futctl) in proto.h.
 */
#ifndef FUTD_H
#define FUTD_H

#include <sys/queue.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "future.h"
#include "net.h"
#include "tls.h"
#include "uring.h"
#include "log.h"
#include "proto.h"
#include "strlist.h"
#include "conf.h"

#define FUTD_VERSION		"0.1.0"
#define FUTD_DEFAULT_CONFIG	"/etc/futd/futd.conf"

struct evdns_base;
struct event_base;

/* probe kinds and outcomes */
enum probe_kind {
	PROBE_PEERADDR,
	PROBE_HELLO,
};

/*
 * The outcome of a probe: one stable set of names (see probe.c's table),
 * plus the errno (or resolver code) that says it in words.
 */
enum probe_error {
	PERR_NONE = 0,
	PERR_DNS,
	PERR_REFUSED,
	PERR_UNREACHABLE,
	PERR_CONNECT_TIMEOUT,
	PERR_WRITE_TIMEOUT,
	PERR_DNS_TIMEOUT,
	PERR_RESET,
	PERR_FD_LIMIT,
	PERR_OTHER,
	PERR_READ_TIMEOUT,
	PERR_CLOSED_EARLY,
	PERR_EXPECT_MISMATCH,
	PERR_TLS_HANDSHAKE,
	PERR_TLS_VERIFY,
	PERR_TLS_TIMEOUT,
	PERR__MAX
};

enum target_state {
	TARGET_UNKNOWN,
	TARGET_UP,
	TARGET_DOWN,
	TARGET_FLAPPING,	/* reported, never stored as the base state */
};

enum addr_mode {
	ADDRS_ANY,	/* try each address in turn until one connects */
	ADDRS_FIRST,	/* only the first address */
	ADDRS_EACH,	/* probe every address, each reported on its own */
};

enum close_mode {
	CLOSE_FIN,	/* close(): the peer reads everything, then EOF */
	CLOSE_RST,	/* SO_LINGER 0: no TIME_WAIT left on our side */
};

#define TARGET_MAX_ADDRS	8

/*
 * One target as the config describes it; compared whole on reload.  A new
 * field must be set in target_getconf() too: it fills the struct field by
 * field (once per probe), with no memset first.
 */
struct target_conf {
	char			*name;
	char			*host;
	unsigned char		*payload;	/* hello only */
	size_t			 payload_len;
	unsigned char		*expect;	/* substring, or NULL */
	size_t			 expect_len;
	char			*expect_regex;	/* source text, or NULL */
	void			*regex;		/* compiled regex_t, or NULL */
	struct tls_conf		*tls;		/* NULL: plain TCP */
	uint32_t		 read_limit;
	uint64_t		 interval_us;
	uint64_t		 timeout_us;
	uint64_t		 connect_timeout_us;	/* 0: only timeout */
	uint32_t		 jitter_ppm;	/* of the interval, +/- */
	uint8_t			 rise;		/* results to come up */
	uint8_t			 fall;		/* results to go down */
	uint8_t			 flap;		/* changes in history: flapping */
	uint16_t		 port;
	uint8_t			 kind;		/* enum probe_kind */
	uint8_t			 addrs;		/* enum addr_mode */
	uint8_t			 close;		/* enum close_mode */
	uint8_t			 numeric;	/* host is an IP literal */
	uint8_t			 has_source;
	uint8_t			 local_addr;	/* record the local address */
	uint8_t			 pooled;	/* name, host, payload: the conf's */
	uint16_t		 family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	int			 line;		/* where it was defined, */
	struct conf_file	*file;		/* and in which file */
	union sockaddr_union	 addr;		/* when numeric */
	union sockaddr_union	 source;	/* when has_source */
};

/*
 * A running target's config (struct target's conf): what every target has
 * inline, in the order that leaves no holes.  What few targets have (the
 * options expect, expect_regex, source, connect_timeout, and the buffer
 * that expect and STARTTLS read into) is out of line, in one struct
 * target_rare, NULL when none is set.  target_getconf() gives the config
 * back whole, as the struct target_conf the probes and `show` read.
 */
struct target_rare {
	unsigned char		*expect;
	char			*expect_regex;
	void			*regex;
	unsigned char		*rbuf;		/* expect, STARTTLS: read_limit +
						   1 + RESULT_RECV_KEEP */
	uint64_t		 connect_timeout_us;
	size_t			 expect_len;
	union sockaddr_union	 source;
	uint8_t			 has_source;
};

struct target_conf_core {
	char			*name;
	char			*host;
	unsigned char		*payload;
	struct tls_conf		*tls;		/* NULL: plain TCP */
	uint64_t		 interval_us;
	uint64_t		 timeout_us;
	uint32_t		 payload_len;
	uint32_t		 read_limit;
	uint32_t		 jitter_ppm;
	uint16_t		 port;
	uint16_t		 family;
	uint8_t			 rise;
	uint8_t			 fall;
	uint8_t			 flap;
	uint8_t			 kind;
	uint8_t			 addrs;
	uint8_t			 close;
	uint8_t			 numeric;
	uint8_t			 local_addr;
	union sockaddr_union	 addr;		/* when numeric */
};

#define RESULT_DNS_STALE	0x01	/* resolver failed, old answer used */
#define RESULT_DNS_CACHED	0x02	/* answer from the cache */
#define RESULT_TLS		0x04	/* last_result: tls was set */

/* Phase timings, microseconds from the start of the probe (0: not reached) */
struct probe_phases {
	uint32_t		 resolve_us;	/* name resolved */
	uint32_t		 connect_us;	/* connected */
	uint32_t		 handshake_us;	/* TLS up (last result only) */
	uint32_t		 write_us;	/* last byte handed to the kernel */
	uint32_t		 first_byte_us;	/* first byte read */
	uint32_t		 total_us;	/* the end */
};

#define RESULT_RECV_KEEP	64	/* received bytes kept on expect failure */

/* The result of one probe. */
struct probe_result {
	int64_t			 wall_us;	/* when it started */
	uint32_t		 latency_us;	/* start to end (= phases.total_us) */
	uint32_t		 connect_us;	/* start to connected */
	struct probe_phases	 ph;
	uint64_t		 queued_us;	/* waited for max_inflight */
	int			 sys_err;	/* errno, or a DNS code < 0 */
	enum probe_error	 error;
	unsigned		 flags;		/* RESULT_* */
	union sockaddr_union	 peer;		/* family 0 when none */
	union sockaddr_union	 local;
	uint16_t		 recv_len;	/* bytes at recv */
	uint32_t		 recv_total;	/* bytes read in all */
	const unsigned char	*recv;		/* the target's keep buffer */
	const struct tls_info	*tls;		/* TLS targets: the handshake */
};

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
};

/* Latency statistics over the successful results of the history ring. */
struct results_stats {
	unsigned		 count;		/* results in the ring */
	unsigned		 ok;
	uint32_t		 min_us, max_us, p50_us, p95_us, p99_us;
	double			 mean_us;
	double			 jitter_us;	/* mean |difference| of neighbours */
};

/* A name's addresses, cached for their TTL (dns.c) */
struct dns_cache {
	union sockaddr_union	 addr[TARGET_MAX_ADDRS];
	unsigned		 n;
	uint64_t		 expires_us;	/* monotonic */
	int			 valid;
};

enum probe_state {
	PROBE_RESOLVING,
	PROBE_CONNECTING,
	PROBE_STARTTLS,
	PROBE_HANDSHAKE,
	PROBE_WRITING,
	PROBE_READING,
	PROBE_DONE,
};

/* A probe is a future: peeraddr or hello, as the seed writes them. */
struct probe {
	struct future		 base;
	enum probe_state	 state;
	const struct target_conf *tc;
	struct evdns_base	*dns;
	struct waiter		*w;		/* the socket's waits */
	struct dns_cache	*cache;		/* NULL: resolve every time */
	uint64_t		 cache_max_us;
	struct resolve_fut	 resolve;
	struct connect_fut	 connect;
	struct write_fut	 write;
	struct read_fut		 read;
	struct tls_fut		 tls;
	struct tls_info		*tls_info;	/* the target's, written at the end */
	unsigned		 st_step;	/* STARTTLS dialogue step */
	union sockaddr_union	 addrs[TARGET_MAX_ADDRS];
	unsigned		 naddrs;
	unsigned		 addr_i;	/* the one being tried */
	int			 each;		/* only addrs[addr_i], no fallback */
	int			 fd;
	uint64_t		 start_us;	/* monotonic */
	uint64_t		 end_us;	/* monotonic, once done */
	unsigned char		*rbuf;		/* read_limit + 1 bytes, the target's */
	unsigned char		*keep;		/* RESULT_RECV_KEEP bytes, its */
	struct probe_result	 res;
};

/* events.c: what happened, in a bounded ring */
enum event_type {
	EVENT_STATE,		/* a target changed state */
	EVENT_FAILURE,		/* a probe failed (repeats fold in) */
	EVENT_RELOAD,		/* a reload, done or refused */
	EVENT_CONFIG,		/* a config error, file:line */
	EVENT_RESOURCE,		/* fd limit, late probes */
	EVENT_START,		/* futd started */
};

struct event_rec {
	uint64_t		 seq;
	int64_t			 wall_us;
	int64_t			 last_wall_us;	/* of the last folded repeat */
	enum event_type		 type;
	char			*target;	/* NULL: the daemon's own */
	const void		*owner;		/* the target, as an identity:
						   compared, never followed */
	enum target_state	 from, to;
	enum probe_error	 error;
	uint32_t		 latency_us;
	uint32_t		 repeat;	/* folded repeats */
	double			 availability;	/* -1: none */
	char			 message[200];
	char			 words[128];	/* the probe's words, or "" */
};

struct events {
	struct event_rec	*ring;
	size_t			 size;
	size_t			 head;		/* next slot */
	size_t			 count;
	uint64_t		 next_seq;
	void			(*notify)(void *, const struct event_rec *);
	void			*notify_arg;
};

enum target_phase {
	TARGET_SLEEPING,
	TARGET_WAITING,		/* for a max_inflight slot */
	TARGET_PROBING,
	TARGET_STOPPED,
};

/*
 * What a probe in flight needs: the probe future, its deadline, its
 * socket's event.  Targets borrow one from the daemon's pool while they
 * probe, so memory grows with the probes in flight, not with the targets,
 * and the steady state allocates nothing.
 */
struct probe_ctx {
	struct probe		 probe;
	struct timeout_fut	 timeout;
	struct waiter		 io;
	struct waiter		 tmo;		/* the deadline's timer */
	struct probe_result	 round;		/* each: the round's first failure */
	struct target_conf	 tc;		/* the target's, whole, for probe.c */
	struct probe_ctx	*next;		/* in the free list */
};

/*
 * A target: its config, its task, its futures and what it has seen.  One
 * per target (README "Memory"): what can be derived is not kept (its
 * daemon is its executor's; an ad hoc probe is found in the daemon's list).
 */
struct target {
	struct target_conf_core	 conf;
	struct task		 task;		/* its ex: the daemon's */
	struct timer		 tm;		/* the next probe's start */
	struct sem_wait		 slot;		/* max_inflight */
	struct probe_ctx	*pc;		/* while probing */
	struct dns_cache	*cache;		/* names only */
	struct tls_info		*tls_info;	/* TLS only */
	struct target_rare	*rare;		/* NULL: none of those */
	uint64_t		 next_us;	/* monotonic start of next probe */
	uint64_t		 wait_start_us;
	uint64_t		 rng;		/* jitter */
	struct conf_file	*file;		/* defined there, */
	uint32_t		 line;		/* at this line */
	uint32_t		 fail_event;	/* newest failure event, to fold */
	uint32_t		 late_event;	/* (low 32 bits: events.c) */
	struct results		 res;
	uint8_t			 each_i;	/* addresses = "each": next one */
	uint8_t			 phase;		/* enum target_phase */
	uint8_t			 kept;		/* daemon_apply's mark */
	uint8_t			 round_failed;	/* pc->round holds a failure */
	uint8_t			 queued;	/* this probe waited for a slot */
	uint8_t			 fail_error;	/* of fail_event */
	uint8_t			 has_adhoc;	/* futctl probe, in flight */
	/* then conf.name, conf.host, conf.payload (target.c) */
};

struct control;
struct adhoc;

struct daemon {
	struct event_base	*base;
	struct evdns_base	*dns;
	struct executor		 ex;
	struct conf		*conf;
	struct target		**targets;	/* sorted by name */
	size_t			 ntargets;
	struct control		*control;
	struct sem		 inflight;	/* max_inflight */
	struct events		 events;
	struct probe_ctx	*pc_free;	/* the pool */
	size_t			 pc_total;	/* allocated, in use or free */
	size_t			 pc_used;
	uint64_t		 dns_cache_max_us;
	int64_t			 start_wall_us;
	uint64_t		 start_mono_us;
	int64_t			 conf_ok_wall_us;	/* the last good config */
	int			 reload_failed;	/* the last reload was refused */
	uint64_t		 late_total;	/* all targets', ever */
	size_t			 nstalled;	/* stopped for want of memory:
						   a reload starts them again */
	uint64_t		 fdlimit_event;	/* to fold fd_limit failures into */
	/* called after every probe result, e.g. for STATUS= updates */
	void			(*on_result)(struct daemon *, struct target *,
				    enum target_state);
	void			*on_result_arg;
	/* a target with an ad hoc probe (has_adhoc) goes away: adhoc.c's */
	void			(*on_target_free)(struct daemon *,
				    struct target *);
	LIST_HEAD(, adhoc)	 adhocs;	/* futctl probes in flight */
};

/*
 * FNV-1a: a stable hash of a target's name, so a restart keeps the
 * pattern (and shard K/N picks the same targets on every host).  Here, not
 * in target.c: the config (conf.c) picks the shard's targets with it.
 */
static inline uint64_t
target_name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A target's daemon: the one whose executor runs its task. */
static inline struct daemon *
target_daemon(const struct target *tg)
{
	return (struct daemon *)(void *)((char *)tg->task.ex -
	    offsetof(struct daemon, ex));
}

/* target_conf.c */
void		 target_conf_free(struct target_conf *);
int		 target_conf_equal(const struct target_conf *,
		    const struct target_conf *);
const char	*probe_kind_name(enum probe_kind);
const char	*addr_mode_name(enum addr_mode);
const char	*close_mode_name(enum close_mode);
const char	*family_name(int);

/* probe.c */
void		 probe_init(struct probe *, const struct target_conf *,
		    struct evdns_base *, struct waiter *);
enum poll	 peeraddr_poll(struct probe *, struct task *);
enum poll	 hello_poll(struct probe *, struct task *);
void		 probe_skip_resolve(struct probe *);
void		 probe_drop(struct probe *);
void		 probe_timed_out(struct probe *);
const char	*probe_error_name(enum probe_error);
const char	*probe_result_message(const struct probe_result *, char *,
		    size_t);
enum probe_error probe_error_classify(int);

/* results.c */
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
const char	*target_state_name(enum target_state);

/* dns.c */
int		 hosts_load(const char *);
void		 hosts_free(void);
int		 hosts_lookup(const char *, int, uint16_t, union sockaddr_union *,
		    unsigned);
int		 dns_configure(struct evdns_base *, const struct conf *,
		    struct strlist *);

/* target.c */
struct probe_ctx *probe_ctx_get(struct daemon *);
void		 probe_ctx_put(struct daemon *, struct probe_ctx *);
struct target	*target_new(struct daemon *, struct target_conf *,
		    unsigned);
void		 target_start(struct target *, uint64_t);
void		 target_stop(struct target *);
void		 target_free(struct target *);
const struct probe_result *target_last(const struct target *,
		    struct probe_result *);
const struct target_conf *target_getconf(const struct target *,
		    struct target_conf *);

/* What a reload did, by target name. */
struct reload_report {
	struct strlist		 added;
	struct strlist		 removed;
	struct strlist		 changed;
	size_t			 unchanged;
	size_t			 reused;	/* of those, in files not read */
};

/* slab.c: the rings and the results_detail */
void		*slab_alloc(size_t);
void		 slab_free(void *, size_t);

/* heap.c */
void		 heap_prepare(size_t);
void		 heap_done(void);
void		 heap_hint(void *, size_t);

/* daemon.c */
int		 daemon_init(struct daemon *, struct event_base *,
		    struct evdns_base *);
int		 daemon_apply(struct daemon *, struct conf *,
		    struct reload_report *, struct strlist *);
int		 daemon_reload(struct daemon *, struct strlist *,
		    struct reload_report *);
int		 daemon_reload_apply(struct daemon *, struct conf *, double,
		    struct strlist *, struct reload_report *);
void		 reload_report_clear(struct reload_report *);
struct target	*daemon_find(const struct daemon *, const char *);
void		 daemon_stop_targets(struct daemon *);
void		 daemon_finish(struct daemon *);
void		 daemon_counts(const struct daemon *, size_t[3]);

/* adhoc.c */
struct adhoc;
typedef void (*adhoc_done_fn)(void *, const struct target *,
    const struct probe_result *);
struct adhoc	*adhoc_start(struct daemon *, struct target *, adhoc_done_fn,
		    void *);
void		 adhoc_detach(struct adhoc *);
void		 adhoc_abort(struct adhoc *);
void		 adhoc_abort_target(struct daemon *, struct target *);

/* events.c */
const char	*event_type_name(enum event_type);
int		 events_init(struct events *, size_t);
int		 events_resize(struct events *, size_t);
void		 events_free(struct events *);
struct event_rec *events_get(const struct events *, size_t);
struct event_rec *events_find(const struct events *, uint64_t);
uint64_t	 events_add(struct events *, const struct event_rec *);
int		 events_fold(struct events *, uint64_t, int64_t);
void		 event_state(struct daemon *, struct target *,
		    enum target_state, const struct probe_result *);
void		 event_failure(struct daemon *, struct target *,
		    const struct probe_result *);
void		 event_late(struct daemon *, struct target *, uint64_t,
		    int64_t);
void		 event_fd_limit(struct daemon *, const struct probe_result *);
void		 event_start(struct daemon *);
void		 event_reload(struct daemon *, const struct reload_report *,
		    const struct strlist *);

#endif /* FUTD_H */
