/*
 * target.h - one target's task (target.c): sleep until the next slot,
 * probe under a deadline, record, again; and the probe contexts it
 * borrows from the daemon's pool while it probes.
 */
#ifndef FUTD_TARGET_H
#define FUTD_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "future.h"
#include "net.h"
#include "probe.h"
#include "results.h"
#include "step.h"
#include "target_conf.h"

struct conf_file;
struct daemon;
struct dns_cache;
struct tls_conf;
struct tls_info;

/*
 * A running target's config (struct target's conf): what every target has
 * inline, in the order that leaves no holes.  What few targets have (the
 * options expect, expect_regex, steps, source, connect_timeout, labels, and
 * the buffer that the steps' expects read into) is out of line, in one struct
 * target_rare, NULL when none is set.  target_getconf() gives the config
 * back whole, as the struct target_conf the probes and `show` read.
 */
struct target_rare {
	unsigned char		*expect;
	char			*expect_regex;
	char			*labels;	/* "name\0value\0" each */
	size_t			 labels_len;
	struct steps		*steps;		/* NULL: none (target_conf.h) */
	uint32_t		*step_us;	/* the last probe's: where its
						   steps began, then each one's
						   end (0: not reached) */
	unsigned char		*rbuf;		/* the steps' expects: read_max +
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
	uint32_t		 line;		/* defined at this line of file */
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

enum target_phase {
	TARGET_SLEEPING,
	TARGET_WAITING,		/* for a max_inflight slot */
	TARGET_PROBING,
	TARGET_STOPPED,
	TARGET_PAUSED,		/* disabled: its timer, the end (maint.h) */
};

/*
 * What a probe in flight needs: the probe future, its deadline (a timer of the
 * executor's), its socket's event.  Targets borrow one from the daemon's pool
 * while they probe, so memory grows with the probes in flight, not with the
 * targets, and the steady state allocates nothing.
 */
struct probe_ctx {
	struct probe		 probe;
	struct timeout_fut	 timeout;
	struct waiter		 io;
	struct probe_result	 round;		/* each: the round's first failure */
	unsigned char		 round_recv[RESULT_RECV_KEEP];	/* its bytes */
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
	struct conf_file	*file;		/* its config's file */
	uint32_t		 fail_event;	/* newest failure event, to fold */
	uint32_t		 late_event;	/* (low 32 bits: events.c) */
	struct results		 res;
	uint8_t			 each_i;	/* addresses = "each": next one */
	uint8_t			 phase;		/* enum target_phase */
	uint8_t			 kept;		/* daemon_apply's mark: TARGET_KEPT_* */
	uint8_t			 round_failed;	/* pc->round holds a failure */
	uint8_t			 queued;	/* this probe waited for a slot */
	uint8_t			 fail_error;	/* of fail_event */
	uint8_t			 has_adhoc;	/* futctl probe, in flight */
	/*
	 * target_conf_identity, made once by target_new: the state file's
	 * key.  Not in the state writer: a forked child of a threaded futd
	 * must not enter OpenSSL (its locks may be held by a thread that
	 * is not there) nor malloc.  What it hashes never changes while
	 * the target lives (target_reconf changes none of it).
	 */
	unsigned char		 id[TARGET_ID_LEN];
	/* then conf.name, conf.host, conf.payload (target.c) */
};

/* daemon_apply's marks (struct target's kept), for one apply only */
#define TARGET_KEPT		1	/* runs on as it is */
#define TARGET_KEPT_CHANGED	2	/* runs on with new settings */

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

/*
 * Where a target's buffer keeps what a failed expect read (probe.h's
 * keep): after the bytes its expects read into, their terminator's.
 */
static inline unsigned char *
target_keep(const struct target_rare *rare)
{
	return rare != NULL && rare->rbuf != NULL ? rare->rbuf +
	    rare->steps->read_max + 1 : NULL;
}

struct probe_ctx *probe_ctx_get(struct daemon *);
void		 probe_ctx_put(struct daemon *, struct probe_ctx *);
struct target	*target_new(struct daemon *, struct target_conf *,
		    unsigned);
void		 target_start(struct target *, uint64_t);
void		 target_stop(struct target *);
void		 target_free(struct target *);
int		 target_disable(struct target *, int64_t);
int		 target_enable(struct target *);
int		 target_reconf_prepare(struct target *,
		    const struct target_conf *);
void		 target_reconf(struct target *, const struct target_conf *);
const struct probe_result *target_last(const struct target *,
		    struct probe_result *);
const struct target_conf *target_getconf(const struct target *,
		    struct target_conf *);

#endif /* FUTD_TARGET_H */
