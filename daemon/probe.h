/*
 * probe.h - a probe as a future (probe.c): peeraddr or hello, a chain of
 * the leaf futures of net.h and tls.h, and its outcome: one struct
 * probe_result with one enum probe_error, whose names are probe.c's.
 */
#ifndef FUTD_PROBE_H
#define FUTD_PROBE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "future.h"
#include "net.h"
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

/* a result's errno for a deadline passed in STARTTLS's dialogue (probe.c) */
#define PROBE_ETIME_STARTTLS	ETIME

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

/* A name's addresses, cached for their TTL (probe.c) */
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

#endif /* FUTD_PROBE_H */
