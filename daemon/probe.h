/*
 * probe.h - a probe as a future (probe.c): resolve, connect, then a chain
 * of steps (step.h: hello's send, an expect, a TLS handshake, or what a
 * target's steps say), each a leaf future of net.h, step.h or tls.h; and
 * its outcome: one struct probe_result with one enum probe_error, whose
 * names are probe.c's, and the step that failed.
 */
#ifndef FUTD_PROBE_H
#define FUTD_PROBE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "future.h"
#include "net.h"
#include "step.h"
#include "tls.h"

struct evdns_base;
struct target_conf;

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
	PERR_REJECTED,		/* a step's reject pattern came first */
	PERR__MAX
};

/* a probe tries at most this many of a name's addresses */
#define TARGET_MAX_ADDRS	8

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
	uint8_t			 step;		/* 1-based: the step that
						   failed; 0: none */
	uint8_t			 step_kind;	/* its enum step_kind */
	uint32_t		 recv_total;	/* bytes read in all */
	const unsigned char	*recv;		/* the target's keep buffer */
	const struct tls_info	*tls;		/* TLS targets: the handshake */
};

/* A name's addresses, cached for their TTL (probe.c) */
struct dns_cache {
	union sockaddr_union	 addr[TARGET_MAX_ADDRS];
	unsigned		 n;
	uint64_t		 expires_us;	/* monotonic */
	int			 valid;
};

/* the chain's states in its order: those from HANDSHAKE on are steps' */
enum probe_state {
	PROBE_RESOLVING,
	PROBE_CONNECTING,
	PROBE_HANDSHAKE,	/* a tls step, or tls = true's before them */
	PROBE_WRITING,		/* a send step */
	PROBE_READING,		/* an expect step */
	PROBE_DONE,
};

/*
 * A probe is a future: peeraddr and hello as the seed writes them, grown
 * by chaining (its "chaining computations"): a step after another.
 */
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
	struct expect_fut	 expect;
	struct tls_fut		 tls;
	struct tls_info		*tls_info;	/* the target's, written at the end */
	const struct step	*steps;		/* the chain after the connect */
	unsigned		 nsteps;
	unsigned		 step_i;	/* the one running */
	int			 tls_first;	/* tls = true, no tls step */
	size_t			 left;		/* what an expect left unread */
	size_t			 recv_total;	/* bytes the expects read */
	size_t			 seen_before;	/* of them, the step's counted */
	struct timer		 step_tm;	/* a step's own timeout */
	uint64_t		 step_deadline_us;	/* 0: none */
	uint32_t		 chain_us;	/* the first step's start */
	uint32_t		 step_us[STEPS_MAX];	/* each step's end, from
							   the start; 0: not */
	union sockaddr_union	 addrs[TARGET_MAX_ADDRS];
	unsigned		 naddrs;
	unsigned		 addr_i;	/* the one being tried */
	int			 each;		/* only addrs[addr_i], no fallback */
	int			 fd;
	uint64_t		 start_us;	/* monotonic */
	uint64_t		 end_us;	/* monotonic, once done */
	unsigned char		*rbuf;		/* the steps' read_max + 1 bytes,
						   the target's */
	unsigned char		*keep;		/* RESULT_RECV_KEEP bytes, its */
	struct probe_result	 res;
};

/* Each step of a probe and when it ended (`futctl probe`, adhoc.c). */
struct probe_trace {
	unsigned		 n;		/* steps the probe had */
	uint8_t			 kind[STEPS_MAX];
	uint32_t		 end_us[STEPS_MAX];	/* from the start; 0:
							   not reached */
};

void		 probe_trace_get(const struct probe *, struct probe_trace *);
void		 probe_init(struct probe *, const struct target_conf *,
		    struct evdns_base *, struct waiter *);
enum poll	 probe_poll(struct probe *, struct task *);
void		 probe_skip_resolve(struct probe *);
void		 probe_drop(struct probe *);
void		 probe_timed_out(struct probe *);
const char	*probe_error_name(enum probe_error);
const char	*probe_result_message(const struct probe_result *, char *,
		    size_t);
enum probe_error probe_error_classify(int);

#endif /* FUTD_PROBE_H */
