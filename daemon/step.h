/*
 * step.h - a probe as a chain of steps (step.c): what a target's `steps =
 * ( ... )` says, or what its shorthands (payload, expect, expect_regex,
 * tls, starttls) stand for, and the expect step's future.  The seed's
 * "chaining computations": after the connect, each step is one future on
 * the probe's connection (send: net.h's write, tls: tls.h's handshake,
 * expect: expect_fut here); probe.c chains them and names what failed.
 */
#ifndef FUTD_STEP_H
#define FUTD_STEP_H

#include <stddef.h>
#include <stdint.h>

#include "future.h"
#include "net.h"

#define STEPS_MAX	32	/* steps in one target: futd.conf(5) */

enum step_kind {
	STEP_SEND,
	STEP_EXPECT,
	STEP_TLS,
};

/* where a step comes from: shown by futctl show */
enum step_origin {
	STEP_FROM_STEPS,	/* the target's steps */
	STEP_FROM_STARTTLS,	/* starttls's preset */
	STEP_FROM_PAYLOAD,	/* hello's payload */
	STEP_FROM_EXPECT,	/* expect, expect_regex */
};

/*
 * A pattern to find in what the peer sent: bytes (a string, or hex), or
 * a POSIX extended regex.  Neither: none.
 */
struct step_pattern {
	unsigned char		*bytes;
	size_t			 len;
	void			*regex;		/* a compiled regex_t */
	char			*text;		/* the regex as written */
	uint8_t			 hex;		/* written as hex */
};

struct step {
	uint8_t			 kind;		/* enum step_kind */
	uint8_t			 hex;		/* send: written as send_hex */
	uint8_t			 origin;	/* enum step_origin */
	uint32_t		 read_limit;	/* expect: 0, the target's */
	uint64_t		 timeout_us;	/* 0: the probe's deadline only */
	unsigned char		*data;		/* send: NULL, the target's
						   payload (a shorthand) */
	size_t			 len;
	struct step_pattern	 expect;
	struct step_pattern	 reject;	/* none: the step fails only
						   by limit, close or time */
	int			 line;		/* in its file; 0: a preset's */
};

/* A target's steps: immutable once loaded, owned by its target. */
struct steps {
	unsigned		 n;
	uint8_t			 preset;	/* enum starttls_kind they
						   start with, 0: none */
	uint8_t			 has_tls;	/* a tls step */
	uint32_t		 read_max;	/* the largest expect's limit */
	struct step		*s;
};

/*
 * How an expect ended.  What it read and did not consume stays in the
 * buffer for the next step (exp.left bytes at its start).
 */
enum expect_end {
	EXPECT_MATCHED,
	EXPECT_LIMIT,		/* read_limit bytes and no match */
	EXPECT_CLOSED,		/* the peer closed first */
	EXPECT_REJECTED,	/* the reject pattern came first */
	EXPECT_IOERR,		/* a read failed: err */
};

struct expect_fut {
	struct future		 base;
	const struct step_pattern *expect;
	const struct step_pattern *reject;
	struct read_fut		 read;		/* into the probe's buffer */
	size_t			 matched_len;	/* what the last match looked at */
	size_t			 left;		/* after a match: unconsumed */
	size_t			 seen;		/* bytes of this step's reads */
	size_t			 at;		/* rejected: where it matched */
	enum expect_end		 end;
	int			 err;
};

struct steps	*steps_new(unsigned);
void		 steps_free(struct steps *);
int		 steps_equal(const struct steps *, const struct steps *);
void		 step_pattern_free(struct step_pattern *);
int		 step_pattern_set(struct step_pattern *, const void *, size_t,
		    const char *, int, char *, size_t);
int		 step_find(const struct step_pattern *, unsigned char *,
		    size_t, size_t *, size_t *);
const char	*step_kind_name(enum step_kind);
const char	*step_origin_name(enum step_origin);

void		 expect_init(struct expect_fut *, const struct step *,
		    struct waiter *, int, unsigned char *, size_t, size_t,
		    uint32_t);
enum poll	 expect_poll(struct expect_fut *, struct task *);
void		 expect_drop(struct expect_fut *);

#endif /* FUTD_STEP_H */
