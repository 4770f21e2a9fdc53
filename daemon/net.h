/*
 * net.h - leaf futures: the places where a task really waits.
 *
 * Every leaf waits through a struct waiter: one embedded libevent event that
 * wakes the owning task when a socket becomes ready or a timer expires.  A
 * waiter is borrowed, not owned, by the leaves that use it, so that the
 * futures of one probe (connect, then write) share one event and a target
 * does not carry an event per state it might be in.
 */
#ifndef FUTD_NET_H
#define FUTD_NET_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <event2/event_struct.h>
#include <stddef.h>
#include <stdint.h>

#include "future.h"

struct evdns_base;
struct evdns_getaddrinfo_request;
struct evutil_addrinfo;

union sockaddr_union {
	struct sockaddr		sa;
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
};

struct waiter {
	struct event	 ev;
	struct task	*task;
	short		 fired;		/* what woke us since arming */
	unsigned char	 armed;
};

/* connect(): non-blocking, completion read from SO_ERROR */
enum connect_state { CONNECT_INIT, CONNECT_WAIT, CONNECT_DONE };
struct connect_fut {
	struct future		 base;
	struct waiter		*w;
	union sockaddr_union	 addr;
	int			 fd;	/* ours until taken with connect_take */
	int			 err;	/* errno when poll said ERROR */
	enum connect_state	 state;
};

/* write the whole buffer, whatever the socket takes per call */
struct write_fut {
	struct future		 base;
	struct waiter		*w;
	int			 fd;	/* borrowed */
	const unsigned char	*buf;	/* borrowed */
	size_t			 len;
	size_t			 off;
	int			 err;
};

/* sleep for a while (a relative duration, started on the first poll) */
enum sleep_state { SLEEP_INIT, SLEEP_ARMED, SLEEP_DONE };
struct sleep_fut {
	struct future		 base;
	struct waiter		*w;
	uint64_t		 usec;
	enum sleep_state	 state;
};

/*
 * timeout: polls the inner future; when the timer expires first, drops the
 * inner future (closing its socket) and answers ERROR with err = ETIMEDOUT.
 * The deadline counts from the first poll: every wait of the inner future
 * gets only the time that is left.
 */
struct timeout_fut {
	struct future		 base;
	struct future		*inner;
	struct sleep_fut	 timer;
	int			 err;
	unsigned char		 expired;
};

/* resolve a host name without blocking (libevent's evdns) */
enum resolve_state { RESOLVE_INIT, RESOLVE_WAIT, RESOLVE_DONE };
struct resolve_fut {
	struct future			 base;
	struct evdns_base		*dns;
	const char			*host;	/* borrowed */
	uint16_t			 port;
	int				 family;	/* AF_UNSPEC, AF_INET... */
	struct evdns_getaddrinfo_request *req;
	struct task			*task;
	union sockaddr_union		 addr;	/* the answer */
	int				 err;	/* EVUTIL_EAI_* when ERROR */
	enum resolve_state		 state;
};

/* net.c */
void		 waiter_init(struct waiter *);
void		 waiter_disarm(struct waiter *);

void		 connect_init(struct connect_fut *, struct waiter *,
		    const union sockaddr_union *);
enum poll	 connect_poll(struct connect_fut *, struct task *);
int		 connect_take(struct connect_fut *);
void		 connect_drop(struct connect_fut *);

void		 write_init(struct write_fut *, struct waiter *, int,
		    const void *, size_t);
enum poll	 write_poll(struct write_fut *, struct task *);
void		 write_drop(struct write_fut *);

void		 sleep_init(struct sleep_fut *, struct waiter *, uint64_t);
enum poll	 sleep_poll(struct sleep_fut *, struct task *);
void		 sleep_drop(struct sleep_fut *);

void		 timeout_init(struct timeout_fut *, struct future *,
		    struct waiter *, uint64_t);
enum poll	 timeout_poll(struct timeout_fut *, struct task *);
void		 timeout_drop(struct timeout_fut *);

void		 resolve_init(struct resolve_fut *, struct evdns_base *,
		    const char *, uint16_t, int);
enum poll	 resolve_poll(struct resolve_fut *, struct task *);
void		 resolve_drop(struct resolve_fut *);

socklen_t	 sockaddr_len(const union sockaddr_union *);
int		 sockaddr_parse_numeric(const char *, uint16_t,
		    union sockaddr_union *);
char		*sockaddr_format(const union sockaddr_union *, char *, size_t);
uint64_t	 clock_mono_us(void);
int64_t		 clock_wall_us(void);

#define SOCKADDR_STRLEN	64	/* "[ffff:...:ffff%ifname]:65535" */

#endif /* FUTD_NET_H */
