/*
 * dns.h - names to addresses, without blocking the reactor (dns.c): the
 * resolve future, the hosts file that answers first, and the resolver's
 * servers and timeouts.
 */
#ifndef FUTD_DNS_H
#define FUTD_DNS_H

#include <stdint.h>

#include "future.h"
#include "net.h"

struct conf;
struct dns_ticket;
struct evdns_base;
struct evdns_request;
struct strlist;

/*
 * resolve a host name without blocking: the hosts file first, then A and
 * AAAA queries in parallel through libevent's evdns (dns.c).  The answer
 * carries every address (IPv4 first) and the smallest TTL.
 */
#define RESOLVE_MAX_ADDRS	8
enum resolve_state { RESOLVE_INIT, RESOLVE_WAIT, RESOLVE_DONE };
struct resolve_fut {
	struct future			 base;
	struct evdns_base		*dns;
	const char			*host;	/* borrowed */
	uint16_t			 port;
	int				 family;	/* AF_UNSPEC, AF_INET... */
	struct evdns_request		*req4;
	struct evdns_request		*req6;
	struct dns_ticket		*tk4;	/* what evdns calls back with */
	struct dns_ticket		*tk6;
	struct task			*task;
	union sockaddr_union		 addr;	/* the first answer */
	union sockaddr_union		 addrs[RESOLVE_MAX_ADDRS];
	unsigned			 n4, n6;	/* answers of each family */
	union sockaddr_union		 a6[RESOLVE_MAX_ADDRS];
	unsigned			 naddrs;
	uint32_t			 ttl;	/* seconds, smallest seen */
	int				 err;	/* DNS_ERR_* (> 0) when ERROR */
	int				 err4, err6;
	unsigned char			 from_hosts;
	enum resolve_state		 state;
};

void		 resolve_init(struct resolve_fut *, struct evdns_base *,
		    const char *, uint16_t, int);
enum poll	 resolve_poll(struct resolve_fut *, struct task *);
void		 resolve_drop(struct resolve_fut *);
const char	*resolve_strerror(int);

int		 hosts_load(const char *);
void		 hosts_free(void);
int		 hosts_lookup(const char *, int, uint16_t, union sockaddr_union *,
		    unsigned);
int		 dns_configure(struct evdns_base *, const struct conf *,
		    struct strlist *);

#endif /* FUTD_DNS_H */
