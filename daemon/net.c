/*
 * net.c - leaf futures: connect, write-all, sleep, timeout, resolve.
 *
 * Each leaf is an enum of states whose poll does all it can (a connect that
 * completes at once, a write the socket takes whole) and answers PENDING only
 * after it armed its waiter, so that a reactor event wakes the task again.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/event.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <event2/util.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "uring.h"

/*
 * Probe sockets are counted and capped below the descriptor limit, so that
 * probes run out first and the control socket keeps a reserve: an operator
 * can still ask what is wrong when every descriptor is taken by probes.
 */
size_t	net_sockets;
size_t	net_sockets_max = SIZE_MAX;

void
net_close(int fd)
{
	if (fd == -1)
		return;
	/* through io_uring, counted out when the close is submitted */
	if (uring_close(fd) == 0)
		return;
	close(fd);
	net_sockets--;
}

/* waiters */

static void
waiter_cb(evutil_socket_t fd, short what, void *arg)
{
	struct waiter *w = arg;

	(void)fd;
	w->armed = 0;
	w->fired |= what;
	task_wake(w->task);
}

void
waiter_init(struct waiter *w)
{
	memset(w, 0, sizeof(*w));
}

void
waiter_disarm(struct waiter *w)
{
	if (w->armed)
		event_del(&w->ev);
	w->armed = 0;
	w->fired = 0;
}

static int
waiter_arm(struct waiter *w, struct task *t, int fd, short what,
    const struct timeval *tv)
{
	waiter_disarm(w);
	w->task = t;
	if (event_assign(&w->ev, task_base(t), fd, what, waiter_cb, w) == -1 ||
	    event_add(&w->ev, tv) == -1)
		return -1;
	w->armed = 1;
	w->what = what;
	return 0;
}

int
waiter_arm_fd(struct waiter *w, struct task *t, int fd, short what)
{
	return waiter_arm(w, t, fd, what, NULL);
}

/* A plain timer, usec from now: connect_timeout of a connect in io_uring. */
static int
waiter_arm_timer(struct waiter *w, struct task *t, uint64_t usec)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(usec / 1000000);
	tv.tv_usec = (suseconds_t)(usec % 1000000);
	return waiter_arm(w, t, -1, 0, &tv);
}

/* connect */

static enum poll
connect_future_poll(struct future *f, struct task *t)
{
	return connect_poll((struct connect_fut *)f, t);
}

static void
connect_future_drop(struct future *f)
{
	connect_drop((struct connect_fut *)f);
}

void
connect_init(struct connect_fut *c, struct waiter *w,
    const union sockaddr_union *addr, const union sockaddr_union *source)
{
	c->base.poll = connect_future_poll;
	c->base.drop = connect_future_drop;
	c->w = w;
	c->addr = *addr;
	c->source = source;
	c->timeout_us = 0;
	c->early = NULL;
	c->early_len = 0;
	c->sent = 0;
	c->peer.sa.sa_family = 0;
	c->fd = -1;
	c->err = 0;
	c->uring_slot = URING_NONE;
	c->state = CONNECT_INIT;
}

static enum poll
connect_fail(struct connect_fut *c, int err)
{
	c->err = err;
	connect_drop(c);
	c->state = CONNECT_DONE;
	return POLL_ERROR;
}

/*
 * Connect from a given source address.  IP_BIND_ADDRESS_NO_PORT lets the
 * kernel pick the port at connect() time, from the whole 4-tuple space, so
 * many probes from one source do not run out of ports.
 */
static int
connect_bind(struct connect_fut *c)
{
	int one = 1;

	(void)setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
	    sizeof(one));
	return bind(c->fd, &c->source->sa, sockaddr_len(c->source));
}

/*
 * Connected?  1: yes, c->peer set; 0: not yet; -1: failed, c->err set.
 *
 * With a first write, send() answers: bytes taken mean the handshake is
 * over and the peer is the address we connected to; EAGAIN (or ENOTCONN)
 * means not yet; any other error is why the connect failed, as SO_ERROR
 * would have said (the kernel hands over the pending error, once).
 * Without one, getpeername() answers ENOTCONN until the handshake is
 * done and gives the peer address, which the probes record anyway.
 */
static int
connect_established(struct connect_fut *c)
{
	socklen_t len = sizeof(c->peer);
	ssize_t n;

	if (c->early_len == 0) {
		if (getpeername(c->fd, &c->peer.sa, &len) == 0)
			return 1;
		c->peer.sa.sa_family = 0;
		return 0;
	}
	do
		n = send(c->fd, c->early, c->early_len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n > 0) {
		c->sent = (size_t)n;
		c->peer = c->addr;
		return 1;
	}
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == ENOTCONN))
		return 0;
	c->err = n == 0 ? EPIPE : errno;
	return -1;
}

static int
connect_arm(struct connect_fut *c, struct task *t, uint64_t usec)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(usec / 1000000);
	tv.tv_usec = (suseconds_t)(usec % 1000000);
	return waiter_arm(c->w, t, c->fd, EV_WRITE, usec ? &tv : NULL);
}

/*
 * The connect goes to io_uring (uring.c) with the others of its batch (up
 * to 16, or what the reactor's pass has), in one system call, and answers
 * when it is done; meanwhile connect_timeout rides on a plain timer.
 * 1: queued; 0: no ring or no memory, connect by ourselves; -1: no timer.
 */
static int
connect_via_uring(struct connect_fut *c, struct task *t)
{
	if (uring_connect(c, sockaddr_len(&c->addr), t) == -1)
		return 0;
	c->state = CONNECT_URING;
	if (c->timeout_us > 0) {
		c->deadline_us = clock_mono_us() + c->timeout_us;
		if (waiter_arm_timer(c->w, t, c->timeout_us) == -1)
			return -1;	/* connect_fail() cancels it */
	}
	return 1;
}

/* CONNECT_INIT: a socket, then io_uring's connect or our own. */
static enum poll
connect_start(struct connect_fut *c, struct task *t)
{
	int r;

	if (net_sockets >= net_sockets_max)
		return connect_fail(c, EMFILE);
	c->fd = socket(c->addr.sa.sa_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		return connect_fail(c, errno);
	net_sockets++;
	if (c->source != NULL && connect_bind(c) == -1)
		return connect_fail(c, errno);
	if ((r = connect_via_uring(c, t)) == 1)
		return POLL_PENDING;
	if (r == -1)
		return connect_fail(c, errno ? errno : ENOMEM);
	if (connect(c->fd, &c->addr.sa, sockaddr_len(&c->addr)) == -1 &&
	    errno != EINPROGRESS && errno != EINTR)
		return connect_fail(c, errno);
	/*
	 * On loopback and near peers the handshake is often over by the
	 * time connect() returns: do the work now instead of a trip through
	 * the reactor (the seed's rule).
	 */
	if ((r = connect_established(c)) == -1)
		return connect_fail(c, c->err);
	if (r == 1) {
		c->state = CONNECT_DONE;
		return POLL_READY;
	}
	/* connect_timeout rides on the socket's own event */
	c->deadline_us = clock_mono_us() + c->timeout_us;
	if (connect_arm(c, t, c->timeout_us) == -1)
		return connect_fail(c, errno ? errno : ENOMEM);
	c->state = CONNECT_WAIT;
	return POLL_PENDING;
}

/* CONNECT_WAIT: our own connect, armed for writable or its deadline. */
static enum poll
connect_wait(struct connect_fut *c, struct task *t)
{
	socklen_t len;
	uint64_t now;
	int err, r;

	if (c->w->fired & EV_TIMEOUT) {
		/* a deadline has passed when our clock says so */
		now = clock_mono_us();
		if (now >= c->deadline_us)
			return connect_fail(c, ETIMEDOUT);
		c->w->fired = 0;
		if (connect_arm(c, t, c->deadline_us - now) == -1)
			return connect_fail(c, errno ? errno : ENOMEM);
		return POLL_PENDING;
	}
	if (!(c->w->fired & EV_WRITE))
		return POLL_PENDING;	/* still armed */
	c->w->fired = 0;
	if ((r = connect_established(c)) == -1)
		return connect_fail(c, c->err);
	if (r == 1) {
		c->state = CONNECT_DONE;
		return POLL_READY;
	}
	/* not connected: the reason is in SO_ERROR */
	len = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return connect_fail(c, errno);
	return connect_fail(c, err != 0 ? err : ENOTCONN);
}

/* CONNECT_URING: io_uring's connect, in its batch, in flight or answered. */
static enum poll
connect_uring_wait(struct connect_fut *c, struct task *t)
{
	uint64_t now;
	int r;

	if (c->uring_slot != URING_NONE) {
		/* in flight: only our deadline can end it */
		if (!(c->w->fired & EV_TIMEOUT))
			return POLL_PENDING;
		now = clock_mono_us();
		if (now >= c->deadline_us)
			return connect_fail(c, ETIMEDOUT);
		c->w->fired = 0;
		if (waiter_arm_timer(c->w, t, c->deadline_us - now) == -1)
			return connect_fail(c, errno ? errno : ENOMEM);
		return POLL_PENDING;
	}
	waiter_disarm(c->w);
	if (c->uring_res < 0)
		return connect_fail(c, -c->uring_res);
	if ((r = connect_established(c)) == -1)
		return connect_fail(c, c->err);
	if (r == 1) {
		c->state = CONNECT_DONE;
		return POLL_READY;
	}
	/*
	 * Connected, says io_uring, and the socket not yet writable (a send
	 * that found its buffer full): wait for it as a connect of our own
	 * would.
	 */
	now = c->timeout_us > 0 ? clock_mono_us() : 0;
	if (c->timeout_us > 0 && now >= c->deadline_us)
		return connect_fail(c, ETIMEDOUT);
	if (connect_arm(c, t, c->timeout_us > 0 ? c->deadline_us - now : 0) ==
	    -1)
		return connect_fail(c, errno ? errno : ENOMEM);
	c->state = CONNECT_WAIT;
	return POLL_PENDING;
}

/* Each state's step answers for itself: none falls through to another. */
enum poll
connect_poll(struct connect_fut *c, struct task *t)
{
	switch (c->state) {
	case CONNECT_INIT:
		return connect_start(c, t);
	case CONNECT_WAIT:
		return connect_wait(c, t);
	case CONNECT_URING:
		return connect_uring_wait(c, t);
	case CONNECT_DONE:
		break;
	}
	return c->fd == -1 ? POLL_ERROR : POLL_READY;
}

/* Hand the connected socket over to the caller. */
int
connect_take(struct connect_fut *c)
{
	int fd = c->fd;

	c->fd = -1;
	return fd;
}

void
connect_drop(struct connect_fut *c)
{
	uring_cancel(c);
	waiter_disarm(c->w);
	net_close(c->fd);
	c->fd = -1;
}

/* write all */

static enum poll
write_future_poll(struct future *f, struct task *t)
{
	return write_poll((struct write_fut *)f, t);
}

static void
write_future_drop(struct future *f)
{
	write_drop((struct write_fut *)f);
}

void
write_init(struct write_fut *wr, struct waiter *w, int fd, const void *buf,
    size_t len)
{
	wr->base.poll = write_future_poll;
	wr->base.drop = write_future_drop;
	wr->w = w;
	wr->fd = fd;
	wr->buf = buf;
	wr->len = len;
	wr->off = 0;
	wr->err = 0;
	wr->ssl = NULL;
}

/*
 * Through TLS: SSL_write() may want the socket readable (a renegotiation,
 * a key update), so the waiter is armed for what it says it wants.
 * Returns bytes written, 0 with *want set to wait, -1 with err set.
 */
static ssize_t
net_ssl_io(struct ssl_st *ssl, int writing, void *buf, size_t len,
    short *want, int *err, int *eof)
{
	int n, e;

	ERR_clear_error();
	n = writing ? SSL_write(ssl, buf, (int)(len > INT_MAX ? INT_MAX : len)) :
	    SSL_read(ssl, buf, (int)(len > INT_MAX ? INT_MAX : len));
	if (n > 0)
		return n;
	switch ((e = SSL_get_error(ssl, n))) {
	case SSL_ERROR_WANT_READ:
		*want = EV_READ;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*want = EV_WRITE;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		*eof = 1;
		return 0;
	case SSL_ERROR_SYSCALL:
		*err = errno != 0 ? errno : ECONNRESET;
		if (!writing && errno == 0) {
			*eof = 1;	/* closed without close_notify */
			return 0;
		}
		return -1;
	default:
		*err = EPROTO;
		return -1;
	}
}

enum poll
write_poll(struct write_fut *wr, struct task *t)
{
	short want = EV_WRITE;
	int eof = 0;
	ssize_t n;

	while (wr->off < wr->len) {
		if (wr->ssl != NULL) {
			n = net_ssl_io(wr->ssl, 1, (void *)(uintptr_t)
			    (wr->buf + wr->off), wr->len - wr->off, &want,
			    &wr->err, &eof);
			if (n > 0) {
				wr->off += (size_t)n;
				continue;
			}
			if (n < 0 || eof) {
				if (eof)
					wr->err = EPIPE;
				return POLL_ERROR;
			}
		} else {
			n = send(wr->fd, wr->buf + wr->off, wr->len - wr->off,
			    MSG_NOSIGNAL);
			if (n > 0) {
				wr->off += (size_t)n;
				continue;
			}
			if (n == -1 && errno == EINTR)
				continue;
			if (n == 0 || (errno != EAGAIN &&
			    errno != EWOULDBLOCK)) {
				wr->err = n == 0 ? EPIPE : errno;
				return POLL_ERROR;
			}
		}
		/* a spurious wake-up finds us still armed */
		if (wr->w->armed && wr->w->what == want)
			return POLL_PENDING;
		if (waiter_arm(wr->w, t, wr->fd, want, NULL) == -1) {
			wr->err = errno ? errno : ENOMEM;
			return POLL_ERROR;
		}
		return POLL_PENDING;
	}
	return POLL_READY;
}

void
write_drop(struct write_fut *wr)
{
	waiter_disarm(wr->w);
}

/* read */

static enum poll
read_future_poll(struct future *f, struct task *t)
{
	return read_poll((struct read_fut *)f, t);
}

static void
read_future_drop(struct future *f)
{
	read_drop((struct read_fut *)f);
}

void
read_init(struct read_fut *rd, struct waiter *w, int fd, void *buf,
    size_t cap)
{
	rd->base.poll = read_future_poll;
	rd->base.drop = read_future_drop;
	rd->w = w;
	rd->fd = fd;
	rd->buf = buf;
	rd->cap = cap;
	rd->len = 0;
	rd->eof = 0;
	rd->err = 0;
	rd->ssl = NULL;
}

/* READY when new bytes came, the buffer is full or the peer closed. */
enum poll
read_poll(struct read_fut *rd, struct task *t)
{
	size_t before = rd->len;
	short want = EV_READ;
	ssize_t n;

	while (rd->len < rd->cap && !rd->eof) {
		if (rd->ssl != NULL) {
			n = net_ssl_io(rd->ssl, 0, rd->buf + rd->len,
			    rd->cap - rd->len, &want, &rd->err, &rd->eof);
			if (n > 0) {
				rd->len += (size_t)n;
				continue;
			}
			if (n < 0)
				return POLL_ERROR;
			if (rd->eof)
				break;
			break;		/* wants to wait */
		}
		n = recv(rd->fd, rd->buf + rd->len, rd->cap - rd->len, 0);
		if (n > 0) {
			rd->len += (size_t)n;
			continue;
		}
		if (n == 0) {
			rd->eof = 1;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		rd->err = errno;
		return POLL_ERROR;
	}
	if (rd->len > before || rd->eof || rd->len == rd->cap)
		return POLL_READY;
	if (rd->w->armed && rd->w->what == want)
		return POLL_PENDING;
	if (waiter_arm(rd->w, t, rd->fd, want, NULL) == -1) {
		rd->err = errno ? errno : ENOMEM;
		return POLL_ERROR;
	}
	return POLL_PENDING;
}

void
read_drop(struct read_fut *rd)
{
	waiter_disarm(rd->w);
}

/* sleep */

static enum poll
sleep_future_poll(struct future *f, struct task *t)
{
	return sleep_poll((struct sleep_fut *)f, t);
}

static void
sleep_future_drop(struct future *f)
{
	sleep_drop((struct sleep_fut *)f);
}

/* Not while it is armed (SLEEP_ARMED): its timer is in the executor's heap. */
void
sleep_init(struct sleep_fut *s, uint64_t usec)
{
	s->base.poll = sleep_future_poll;
	s->base.drop = sleep_future_drop;
	timer_init(&s->tm);
	s->usec = usec;
	s->state = SLEEP_INIT;
}

enum poll
sleep_poll(struct sleep_fut *s, struct task *t)
{
	switch (s->state) {
	case SLEEP_INIT:
		s->deadline_us = clock_mono_us() + s->usec;
		/*
		 * A timer that cannot be armed (no memory for the heap) is
		 * not a reason to spin: report it, the owner decides.
		 */
		if (timer_arm(&s->tm, t, s->deadline_us) == -1)
			return POLL_ERROR;
		s->state = SLEEP_ARMED;
		return POLL_PENDING;
	case SLEEP_ARMED:
		/* the heap reads clock_mono_us()'s clock: never early */
		if (!s->tm.fired)
			return POLL_PENDING;
		/*
		 * Out of the heap now, not after this task (timers_cb): its
		 * owner may start it again at once (addresses = "each").
		 */
		timer_disarm(&s->tm, t->ex);
		s->state = SLEEP_DONE;
		return POLL_READY;
	case SLEEP_DONE:
		break;
	}
	return POLL_READY;
}

void
sleep_drop(struct sleep_fut *s)
{
	if (s->state == SLEEP_ARMED)
		timer_disarm(&s->tm, s->tm.task->ex);
	s->state = SLEEP_INIT;
}

/* timeout */

static enum poll
timeout_future_poll(struct future *f, struct task *t)
{
	return timeout_poll((struct timeout_fut *)f, t);
}

static void
timeout_future_drop(struct future *f)
{
	timeout_drop((struct timeout_fut *)f);
}

void
timeout_init(struct timeout_fut *to, struct future *inner, uint64_t usec)
{
	to->base.poll = timeout_future_poll;
	to->base.drop = timeout_future_drop;
	to->inner = inner;
	sleep_init(&to->timer, usec);
	to->err = 0;
	to->expired = 0;
}

enum poll
timeout_poll(struct timeout_fut *to, struct task *t)
{
	enum poll r;

	if (to->expired)
		return POLL_ERROR;
	/* The inner future first: an answer that came with the deadline wins. */
	r = future_poll(to->inner, t);
	if (r != POLL_PENDING) {
		sleep_drop(&to->timer);
		return r;
	}
	r = sleep_poll(&to->timer, t);
	if (r == POLL_PENDING)
		return POLL_PENDING;
	/* expired (or the timer could not be armed): cancel the inner work */
	future_drop(to->inner);
	sleep_drop(&to->timer);
	to->expired = 1;
	to->err = r == POLL_READY ? ETIMEDOUT : ENOMEM;
	return POLL_ERROR;
}

void
timeout_drop(struct timeout_fut *to)
{
	future_drop(to->inner);
	sleep_drop(&to->timer);
}

/* addresses and clocks */

socklen_t
sockaddr_len(const union sockaddr_union *su)
{
	return su->sa.sa_family == AF_INET6 ? sizeof(su->sin6) :
	    sizeof(su->sin);
}

/* Parse an IPv4 or IPv6 literal; -1 when it is a name. */
int
sockaddr_parse_numeric(const char *host, uint16_t port,
    union sockaddr_union *su)
{
	memset(su, 0, sizeof(*su));
	if (inet_pton(AF_INET, host, &su->sin.sin_addr) == 1) {
		su->sin.sin_family = AF_INET;
		su->sin.sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &su->sin6.sin6_addr) == 1) {
		su->sin6.sin6_family = AF_INET6;
		su->sin6.sin6_port = htons(port);
		return 0;
	}
	return -1;
}

char *
sockaddr_format(const union sockaddr_union *su, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	switch (su->sa.sa_family) {
	case AF_INET:
		inet_ntop(AF_INET, &su->sin.sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host,
		    (unsigned)ntohs(su->sin.sin_port));
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, &su->sin6.sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host,
		    (unsigned)ntohs(su->sin6.sin6_port));
		break;
	default:
		snprintf(buf, len, "-");
		break;
	}
	return buf;
}

uint64_t
clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int64_t
clock_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
