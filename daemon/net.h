/*
 * net.h - leaf futures: the places where a task really waits.
 *
 * Every leaf that waits on a socket waits through a struct waiter: one
 * embedded libevent event that wakes the owning task when the socket becomes
 * ready or a timer expires.  A waiter is borrowed, not owned, by the leaves
 * that use it, so that the futures of one probe (connect, then write) share
 * one event and a target does not carry an event per state it might be in.
 * A sleep (and so a timeout) waits on a timer of the executor's heap.
 */
#ifndef FUTD_NET_H
#define FUTD_NET_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <event2/event_struct.h>
#include <stddef.h>
#include <stdint.h>

#include "future.h"

struct ssl_st;

union sockaddr_union {
	struct sockaddr		sa;
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
};

struct waiter {
	struct event	 ev;
	struct task	*task;
	short		 fired;		/* what woke us since arming */
	short		 what;		/* what it is armed for */
	unsigned char	 armed;
};

/*
 * connect(): non-blocking, completion read from SO_ERROR.  With a first
 * write (early, early_len > 0) the send itself is the completion test: a
 * send that takes bytes proves the connection is up and saves asking
 * getpeername(); the caller goes on from `sent`.
 */
enum connect_state { CONNECT_INIT, CONNECT_WAIT, CONNECT_URING,
	CONNECT_DONE };
#define URING_NONE	UINT32_MAX
struct connect_fut {
	struct future		 base;
	struct waiter		*w;
	union sockaddr_union	 addr;
	const union sockaddr_union *source;	/* bind first, or NULL */
	uint64_t		 timeout_us;	/* 0: no deadline of its own */
	uint64_t		 deadline_us;	/* ... on our clock, once armed */
	const void		*early;		/* borrowed, or NULL */
	size_t			 early_len;
	size_t			 sent;		/* of early, once connected */
	union sockaddr_union	 peer;	/* the peer, once connected */
	int			 fd;	/* ours until taken with connect_take */
	int			 err;	/* errno when poll said ERROR */
	uint32_t		 uring_slot;	/* uring.c's: batched or in flight */
	int			 uring_res;	/* what it answered */
	enum connect_state	 state;
};

/* write the whole buffer, whatever the socket takes per call */
struct write_fut {
	struct future		 base;
	struct waiter		*w;
	int			 fd;	/* borrowed */
	struct ssl_st		*ssl;	/* write through TLS, or NULL */
	const unsigned char	*buf;	/* borrowed */
	size_t			 len;
	size_t			 off;
	int			 err;
};

/*
 * read what the peer sends, into a buffer of the caller's: READY when new
 * bytes arrived (or the peer closed: eof), PENDING when nothing is there yet,
 * ERROR on a socket error.  The caller decides whether it has enough.
 */
struct read_fut {
	struct future		 base;
	struct waiter		*w;
	int			 fd;	/* borrowed */
	struct ssl_st		*ssl;	/* read through TLS, or NULL */
	unsigned char		*buf;	/* borrowed */
	size_t			 cap;
	size_t			 len;
	int			 eof;
	int			 err;
};

/*
 * sleep for a while (a relative duration, started on the first poll), on
 * the executor's timer heap: a probe's deadline is armed and disarmed once
 * a probe, and a libevent timer's add and del cost ~500 instructions, of
 * which the heap saves ~330 (callgrind, bench/PROFILE.md).
 */
enum sleep_state { SLEEP_INIT, SLEEP_ARMED, SLEEP_DONE };
struct sleep_fut {
	struct future		 base;
	struct timer		 tm;
	uint64_t		 usec;
	uint64_t		 deadline_us;	/* monotonic, once armed */
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

/* net.c */
extern size_t	 net_sockets;		/* probe sockets open now */
extern size_t	 net_sockets_max;	/* beyond: fd_limit, not EMFILE */
void		 net_close(int);
void		 waiter_init(struct waiter *);
void		 waiter_disarm(struct waiter *);
int		 waiter_arm_fd(struct waiter *, struct task *, int, short);

void		 connect_init(struct connect_fut *, struct waiter *,
		    const union sockaddr_union *, const union sockaddr_union *);
enum poll	 connect_poll(struct connect_fut *, struct task *);
int		 connect_take(struct connect_fut *);
void		 connect_drop(struct connect_fut *);

void		 write_init(struct write_fut *, struct waiter *, int,
		    const void *, size_t);
enum poll	 write_poll(struct write_fut *, struct task *);
void		 write_drop(struct write_fut *);

void		 read_init(struct read_fut *, struct waiter *, int, void *,
		    size_t);
enum poll	 read_poll(struct read_fut *, struct task *);
void		 read_drop(struct read_fut *);

void		 sleep_init(struct sleep_fut *, uint64_t);
enum poll	 sleep_poll(struct sleep_fut *, struct task *);
void		 sleep_drop(struct sleep_fut *);

void		 timeout_init(struct timeout_fut *, struct future *, uint64_t);
enum poll	 timeout_poll(struct timeout_fut *, struct task *);
void		 timeout_drop(struct timeout_fut *);

socklen_t	 sockaddr_len(const union sockaddr_union *);
int		 sockaddr_parse_numeric(const char *, uint16_t,
		    union sockaddr_union *);
char		*sockaddr_format(const union sockaddr_union *, char *, size_t);
uint64_t	 clock_mono_us(void);
int64_t		 clock_wall_us(void);

#define SOCKADDR_STRLEN	64	/* "[ffff:...:ffff%ifname]:65535" */

#endif /* FUTD_NET_H */
