/*
 * target_conf.h - a target as the config describes it (target_conf.c):
 * the words of its settings (kind, addresses, close) and their names,
 * comparing two, freeing one.  conf.c makes them, target.c runs them,
 * probe.c reads them.
 */
#ifndef FUTD_TARGET_CONF_H
#define FUTD_TARGET_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

struct conf_file;
struct steps;
struct tls_conf;

enum probe_kind {
	PROBE_PEERADDR,
	PROBE_HELLO,
	PROBE_STEPS,	/* a dialogue: steps = ( ... ) (step.h) */
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

/*
 * How a target's new config differs from its running one, on reload
 * (target_conf_compare): the words are those of the reload's reply.
 */
enum target_conf_diff {
	TARGET_CONF_SAME,
	TARGET_CONF_CHANGED,	/* settings only: its results are kept */
	TARGET_CONF_RESET,	/* what it measures: its results start again */
};

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
	char			*labels;	/* "name\0value\0" each, or NULL:
						   pooled as name is */
	size_t			 labels_len;
	struct steps		*steps;		/* what the probe does after the
						   connect, NULL: its TLS and
						   payload alone (probe.c) */
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

#define TARGET_ID_LEN	32	/* SHA-256 */

void		 target_conf_free(struct target_conf *);
int		 target_conf_identity(const struct target_conf *,
		    unsigned char[TARGET_ID_LEN]);
enum target_conf_diff target_conf_compare(const struct target_conf *,
		    const struct target_conf *);
const char	*probe_kind_name(enum probe_kind);
const char	*addr_mode_name(enum addr_mode);
const char	*close_mode_name(enum close_mode);
const char	*family_name(int);

#endif /* FUTD_TARGET_CONF_H */
