/*
 * check_probe.c - the probes (probe.c) and a whole target (target.c)
 * against servers of ours on the same event_base, over real loopback
 * sockets: no mocks.
 *
 * A probe runs as the target runs it: under a timeout future, with
 * probe_timed_out() naming the phase when the deadline wins.  What is
 * checked is what a user reads: the bytes the server received, the peer
 * "127.0.0.1:PORT", the error name and the message.
 *
 * Every test gets a fresh event_base (checked fixture), every wait is
 * bounded by a timer, and only 127.0.0.1 and ::1 are used: names come from
 * a hosts file of ours or a DNS stub of ours on 127.0.0.1, never from
 * resolv.conf's servers.  A target's first probe comes at a name-derived
 * offset within its interval, so the target tests count in ranges.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/dns.h>
#include <event2/event.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "dns.h"
#include "future.h"
#include "log.h"
#include "net.h"
#include "netutil.h"
#include "probe.h"
#include "results.h"
#include "target.h"
#include "target_conf.h"
#include "tests.h"
#include "uring.h"

#define MIB		(1024 * 1024)
#define BIG		(16 * MIB)	/* more than any socket buffers take */
#define SRV_CONNS	32
#define RESET_AFTER_MS	30

static struct event_base	*base;
static struct executor		 ex;
static unsigned char		 big[BIG];	/* a payload: pattern() */

static void
setup(void)
{
	log_init(LOG_ERR, LOG_MODE_TERMINAL);	/* state changes are ours */
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	ck_assert_int_eq(executor_init(&ex, base), 0);
}

/*
 * The same probes with the connects and closes through io_uring, as futd
 * runs them (server.c).  Where the kernel refuses a ring, they run on
 * plain system calls, and say so.
 */
static void
setup_uring(void)
{
	int r;

	setup();
	if ((r = uring_open(&ex, &net_sockets)) < 0)
		fprintf(stderr, "probes_uring: no io_uring here (%s): these "
		    "cases run on plain system calls\n", strerror(-r));
}

static void
teardown(void)
{
	uring_shutdown();
	executor_finish(&ex);
	event_base_free(base);
	base = NULL;
}

/* Bytes that show a reordering or a loss anywhere. */
static void
pattern(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)((i * 2654435761u) >> 13);
}

/* the reactor, bounded */

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	int *expired = arg;

	(void)fd;
	(void)what;
	*expired = 1;
}

/* Run the reactor until *flag is set or ms pass; answer *flag. */
static int
run_until(const int *flag, unsigned ms)
{
	struct timeval tv;
	struct event *ev;
	int expired = 0;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	ev = evtimer_new(base, deadline_cb, &expired);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(evtimer_add(ev, &tv), 0);
	while (!*flag && !expired)
		ck_assert_int_ne(event_base_loop(base, EVLOOP_ONCE), -1);
	event_free(ev);
	return *flag;
}

/* Run the reactor for ms, whatever happens. */
static void
run_for(unsigned ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	ck_assert_int_eq(event_base_loopexit(base, &tv), 0);
	ck_assert_int_ne(event_base_dispatch(base), -1);
}

/* sockets */


/* Open file descriptors of ours, from /proc/self/fd. */
static int
count_fds(void)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	dir = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1;		/* not the directory's own */
}

/* A DNS server of ours on 127.0.0.1: NXDOMAIN to everything, or silence. */
struct dns_stub {
	int			 fd;
	struct event		*ev;
	union sockaddr_union	 addr;
	int			 answer;
	unsigned		 queries;
};

static void
dns_stub_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_stub *ds = arg;
	union sockaddr_union from;
	unsigned char q[512];
	socklen_t len = sizeof(from);
	ssize_t n;

	(void)what;
	while ((n = recvfrom(fd, q, sizeof(q), 0, &from.sa, &len)) != -1) {
		if (n >= 12) {
			ds->queries++;
			if (ds->answer) {
				/* the query back: QR, RD kept, RA, NXDOMAIN */
				q[2] = (unsigned char)(0x80 | (q[2] & 0x01));
				q[3] = 0x83;
				(void)sendto(fd, q, (size_t)n, 0, &from.sa,
				    len);
			}
		}
		len = sizeof(from);
	}
}

/* The stub, and an evdns_base that asks it and nobody else. */
static struct evdns_base *
dns_stub_start(struct dns_stub *ds, int answer)
{
	struct evdns_base *dns;
	socklen_t len;

	memset(ds, 0, sizeof(*ds));
	ds->answer = answer;
	loopback(AF_INET, 0, &ds->addr);
	ds->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(ds->fd, -1);
	len = sockaddr_len(&ds->addr);
	ck_assert_int_eq(bind(ds->fd, &ds->addr.sa, len), 0);
	ck_assert_int_eq(getsockname(ds->fd, &ds->addr.sa, &len), 0);
	ds->ev = event_new(base, ds->fd, EV_READ | EV_PERSIST, dns_stub_cb,
	    ds);
	ck_assert_ptr_nonnull(ds->ev);
	ck_assert_int_eq(event_add(ds->ev, NULL), 0);
	dns = evdns_base_new(base, 0);
	ck_assert_ptr_nonnull(dns);
	ck_assert_int_eq(evdns_base_nameserver_sockaddr_add(dns, &ds->addr.sa,
	    sockaddr_len(&ds->addr), 0), 0);
	ck_assert_int_eq(evdns_base_set_option(dns, "timeout:", "1"), 0);
	ck_assert_int_eq(evdns_base_set_option(dns, "attempts:", "1"), 0);
	return dns;
}

static void
dns_stub_free(struct dns_stub *ds, struct evdns_base *dns)
{
	run_for(20);		/* late evdns callbacks: their tickets */
	evdns_base_free(dns, 0);
	event_free(ds->ev);
	close(ds->fd);
}

/*
 * A server of ours on the test's event_base.  Each connection it accepts
 * it reads to EOF (sink; at most `chunk` bytes per wake-up, keeping `cap`),
 * or holds without reading, or resets after a moment without reading.
 */
enum srv_mode {
	SRV_SINK,
	SRV_HOLD,
	SRV_RESET,
	SRV_BANNER,		/* send `banner` at once, then read as a sink */
	SRV_BANNER_CLOSE,	/* send `banner` at once, then close */
};

struct server;

struct conn {
	struct server	*srv;
	int		 fd;
	struct event	*ev;
	unsigned char	*buf;
	size_t		 len;
	size_t		 overflow;	/* bytes beyond cap */
	int		 eof;
	int		 err;
};

struct server {
	int			 fd;
	union sockaddr_union	 addr;
	struct event		*accept_ev;
	enum srv_mode		 mode;
	size_t			 cap;
	size_t			 chunk;
	const char		*banner;
	struct conn		 conns[SRV_CONNS];
	unsigned		 nconns;
	unsigned		 dropped;	/* beyond SRV_CONNS */
	int			 ended;		/* connections at EOF, reset */
};

static void
conn_end(struct conn *c, int err)
{
	if (c->ev != NULL)
		event_del(c->ev);
	close(c->fd);
	c->fd = -1;
	c->eof = 1;
	c->err = err;
	c->srv->ended++;
}

static void
conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	unsigned char spill[4096], *p;
	size_t want;
	ssize_t n;

	(void)what;
	if (c->len < c->srv->cap) {
		p = c->buf + c->len;
		want = c->srv->cap - c->len;
	} else {
		p = spill;
		want = sizeof(spill);
	}
	if (want > c->srv->chunk)
		want = c->srv->chunk;
	n = recv(fd, p, want, 0);
	if (n > 0) {
		if (p == spill)
			c->overflow += (size_t)n;
		else
			c->len += (size_t)n;
		return;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	conn_end(c, n == 0 ? 0 : errno);
}

/* Reset: SO_LINGER {1, 0} and close, with nothing read. */
static void
conn_reset_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct linger lg = { 1, 0 };

	(void)fd;
	(void)what;
	ck_assert_int_eq(setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof(lg)), 0);
	conn_end(c, ECONNRESET);
}

static void
server_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct server *srv = arg;
	struct timeval tv = { 0, RESET_AFTER_MS * 1000 };
	struct conn *c;
	int fd;

	(void)what;
	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) != -1) {
		if (srv->nconns == SRV_CONNS) {
			srv->dropped++;
			close(fd);
			continue;
		}
		c = &srv->conns[srv->nconns++];
		c->srv = srv;
		c->fd = fd;
		if (srv->banner != NULL)
			ck_assert_int_eq(send(fd, srv->banner,
			    strlen(srv->banner), MSG_NOSIGNAL),
			    (ssize_t)strlen(srv->banner));
		switch (srv->mode) {
		case SRV_BANNER_CLOSE:
			conn_end(c, 0);
			break;
		case SRV_BANNER:
		case SRV_SINK:
			c->buf = malloc(srv->cap);
			ck_assert_ptr_nonnull(c->buf);
			c->ev = event_new(base, fd, EV_READ | EV_PERSIST,
			    conn_read_cb, c);
			ck_assert_ptr_nonnull(c->ev);
			ck_assert_int_eq(event_add(c->ev, NULL), 0);
			break;
		case SRV_HOLD:
			break;
		case SRV_RESET:
			c->ev = evtimer_new(base, conn_reset_cb, c);
			ck_assert_ptr_nonnull(c->ev);
			ck_assert_int_eq(evtimer_add(c->ev, &tv), 0);
			break;
		}
	}
}

/*
 * On `port` (0: any).  rcvbuf > 0: the accepted sockets' receive buffer (a
 * slow window).  -1 when the address is missing.
 */
static int
server_start_at(struct server *srv, int family, uint16_t port,
    enum srv_mode mode, int rcvbuf, size_t cap, size_t chunk)
{
	memset(srv, 0, sizeof(*srv));
	srv->mode = mode;
	srv->cap = cap;
	srv->chunk = chunk;
	if ((srv->fd = tcp_listen(family, port, 64, rcvbuf, &srv->addr)) == -1)
		return -1;
	srv->accept_ev = event_new(base, srv->fd, EV_READ | EV_PERSIST,
	    server_accept_cb, srv);
	ck_assert_ptr_nonnull(srv->accept_ev);
	ck_assert_int_eq(event_add(srv->accept_ev, NULL), 0);
	return 0;
}

static void
server_start(struct server *srv, int family, enum srv_mode mode,
    int rcvbuf, size_t cap, size_t chunk)
{
	ck_assert_int_eq(server_start_at(srv, family, 0, mode, rcvbuf, cap,
	    chunk), 0);
}

static void
server_free(struct server *srv)
{
	unsigned i;

	for (i = 0; i < srv->nconns; i++) {
		if (srv->conns[i].ev != NULL)
			event_free(srv->conns[i].ev);
		if (srv->conns[i].fd != -1)
			close(srv->conns[i].fd);
		free(srv->conns[i].buf);
	}
	event_free(srv->accept_ev);
	close(srv->fd);
}

/*
 * One probe, run by a task of ours the way target.c runs one: under a
 * timeout future (timeout_us > 0), or bare.
 */
struct run {
	struct task		 task;
	struct target_conf	 tc;
	char			 name[16];
	char			 host[INET6_ADDRSTRLEN];
	struct probe		 p;
	struct waiter		 io;
	struct timeout_fut	 to;
	unsigned char		 rbuf[256];	/* read_limit at most */
	int			 use_timeout;
	enum poll		 result;
	int			 done;
	unsigned		 pending;
	unsigned		 unarmed;	/* PENDING with nothing armed */
	int64_t			 wall0;
	uint64_t		 t0;
	uint64_t		 t1;
	char			 msg[256];
};

static int
armed(const struct waiter *w)
{
	return w->armed &&
	    event_pending(&w->ev, EV_READ | EV_WRITE | EV_TIMEOUT, NULL);
}

/* The deadline's timer is in the executor's heap, and only while armed. */
static int
deadline_armed(const struct run *r)
{
	return timer_in_heap(&ex, &r->to.timer.tm);
}

static enum poll
run_poll(struct task *t, void *arg)
{
	struct run *r = arg;
	enum poll pr;
	int woken_by;

	if (r->use_timeout) {
		pr = timeout_poll(&r->to, t);
		if (pr != POLL_PENDING && r->to.expired)
			probe_timed_out(&r->p);
	} else
		pr = probe_poll(&r->p, t);
	if (pr == POLL_PENDING) {
		r->pending++;
		woken_by = armed(&r->io) || r->p.resolve.req4 != NULL ||
		    r->p.resolve.req6 != NULL ||
		    r->p.connect.uring_slot != URING_NONE;
		if (!woken_by || (r->use_timeout && !deadline_armed(r)))
			r->unarmed++;
	}
	return pr;
}

static void
run_done(struct task *t, enum poll pr, void *arg)
{
	struct run *r = arg;

	(void)t;
	r->result = pr;
	r->done = 1;
	r->t1 = clock_mono_us();
	probe_result_message(&r->p.res, r->msg, sizeof(r->msg));
}

/* A numeric target as conf.c would make it, aimed at su. */
static void
run_conf(struct run *r, enum probe_kind kind, const union sockaddr_union *su,
    const void *payload, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->p.connect.fd = -1;		/* until a connect starts */
	snprintf(r->name, sizeof(r->name), "probe");
	if (su->sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &su->sin6.sin6_addr, r->host,
		    sizeof(r->host));
	else
		inet_ntop(AF_INET, &su->sin.sin_addr, r->host,
		    sizeof(r->host));
	r->tc.name = r->name;
	r->tc.host = r->host;
	r->tc.port = port_of(su);
	r->tc.kind = kind;
	r->tc.family = AF_UNSPEC;
	r->tc.numeric = 1;
	ck_assert_int_eq(sockaddr_parse_numeric(r->host, r->tc.port,
	    &r->tc.addr), 0);
	r->tc.payload = (unsigned char *)(uintptr_t)payload;
	r->tc.payload_len = len;
	r->tc.interval_us = 1000 * MS;
	r->tc.timeout_us = 2000 * MS;
}

static void
run_start(struct run *r, struct evdns_base *dns, uint64_t timeout_us)
{
	waiter_init(&r->io);
	r->wall0 = clock_wall_us();
	probe_init(&r->p, &r->tc, dns, &r->io);
	r->p.rbuf = r->rbuf;		/* what target.c lends it */
	ck_assert_uint_le(r->tc.read_limit, sizeof(r->rbuf));
	r->use_timeout = timeout_us > 0;
	if (r->use_timeout)
		timeout_init(&r->to, &r->p.base, timeout_us);
	task_init(&r->task, &ex, run_poll, run_done, r);
	r->t0 = clock_mono_us();
	task_spawn(&r->task);
}

/* Run it to the end; the probe's sockets are closed whatever happened. */
static void
run_wait(struct run *r, unsigned ms)
{
	int done = run_until(&r->done, ms);

	if (!done) {
		task_cancel(&r->task);
		if (r->use_timeout)
			timeout_drop(&r->to);
		else
			probe_drop(&r->p);
	}
	/* run_expect's; the test's own, not the probe's */
	steps_free(r->tc.steps);
	r->tc.steps = NULL;
	ck_assert_msg(done, "the probe did not end within %u ms", ms);
	ck_assert_msg(r->unarmed == 0, "%u PENDING answers with nothing "
	    "armed", r->unarmed);
	ck_assert_msg(r->task.polls == (uint64_t)r->pending + 1,
	    "polled %llu times for %u PENDING answers",
	    (unsigned long long)r->task.polls, r->pending);
	/* whatever the end, no socket stays open */
	ck_assert_int_eq(r->p.fd, -1);
	ck_assert_int_eq(r->p.connect.fd, -1);
	ck_assert(!r->io.armed);
	ck_assert(!deadline_armed(r));
}

static unsigned
elapsed_ms(const struct run *r)
{
	return (unsigned)((r->t1 - r->t0) / MS);
}


/* hello */

START_TEST(test_hello_payload)
{
	struct server srv;
	struct run r;

	server_start(&srv, AF_INET, SRV_SINK, 0, 64, 64);
	run_conf(&r, PROBE_HELLO, &srv.addr, "hello world", 11);
	run_start(&r, NULL, 2000 * MS);
	run_wait(&r, 3000);
	ck_assert_msg(r.result == POLL_READY, "hello: %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_int_eq(r.p.res.error, PERR_NONE);
	ck_assert_int_eq(r.p.res.sys_err, 0);
	ck_assert_str_eq(r.msg, "ok");

	/* the server: exactly the payload, then EOF */
	ck_assert(run_until(&srv.ended, 2000));
	ck_assert_uint_eq(srv.nconns, 1);
	ck_assert_int_eq(srv.conns[0].err, 0);
	ck_assert_uint_eq(srv.conns[0].overflow, 0);
	ck_assert_uint_eq(srv.conns[0].len, 11);
	ck_assert_mem_eq(srv.conns[0].buf, "hello world", 11);
	server_free(&srv);
}
END_TEST

/* 1 MiB through a 4 KiB window to a reader that takes 4 KiB a wake-up. */
START_TEST(test_hello_big_slow_reader)
{
	struct server srv;
	struct run r;

	pattern(big, MIB);
	server_start(&srv, AF_INET, SRV_SINK, 4096, MIB + 1, 4096);
	run_conf(&r, PROBE_HELLO, &srv.addr, big, MIB);
	run_start(&r, NULL, 5000 * MS);
	run_wait(&r, 6000);
	ck_assert_msg(r.result == POLL_READY, "hello: %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_uint_eq(r.p.write.off, MIB);

	ck_assert(run_until(&srv.ended, 5000));
	ck_assert_uint_eq(srv.nconns, 1);
	ck_assert_int_eq(srv.conns[0].err, 0);
	ck_assert_uint_eq(srv.conns[0].overflow, 0);
	ck_assert_uint_eq(srv.conns[0].len, MIB);
	ck_assert_msg(memcmp(srv.conns[0].buf, big, MIB) == 0,
	    "the payload arrived changed or out of order");
	server_free(&srv);
}
END_TEST

/*
 * A peer that resets while the payload is still going: an error, reset,
 * with the errno's words, well before the deadline.
 */
START_TEST(test_hello_reset)
{
	struct server srv;
	struct run r;

	pattern(big, BIG);
	server_start(&srv, AF_INET, SRV_RESET, 4096, 0, 0);
	run_conf(&r, PROBE_HELLO, &srv.addr, big, BIG);
	run_start(&r, NULL, 2000 * MS);
	run_wait(&r, 3000);
	ck_assert_int_eq(r.result, POLL_ERROR);
	ck_assert_msg(r.p.res.error == PERR_RESET, "error %s (%s), want reset",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_msg(r.p.res.sys_err == ECONNRESET ||
	    r.p.res.sys_err == EPIPE, "sys_err %d (%s)", r.p.res.sys_err,
	    strerror(r.p.res.sys_err));
	ck_assert_str_eq(r.msg, strerror(r.p.res.sys_err));
	ck_assert_uint_lt(r.p.write.off, BIG);
	assert_took("a reset after 30 ms", r.t1 - r.t0, RESET_AFTER_MS * MS,
	    1500 * MS);
	ck_assert(!r.to.expired);
	ck_assert_uint_eq(srv.nconns, 1);
	server_free(&srv);
}
END_TEST

/* A peer that never reads: the deadline names the phase, writing. */
START_TEST(test_hello_write_timeout)
{
	struct server srv;
	struct run r;

	pattern(big, BIG);
	server_start(&srv, AF_INET, SRV_HOLD, 4096, 0, 0);
	run_conf(&r, PROBE_HELLO, &srv.addr, big, BIG);
	run_start(&r, NULL, 200 * MS);
	run_wait(&r, 2000);
	ck_assert_int_eq(r.result, POLL_ERROR);
	ck_assert(r.to.expired);
	ck_assert_msg(r.p.res.error == PERR_WRITE_TIMEOUT, "error %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_int_eq(r.p.res.sys_err, ETIMEDOUT);
	ck_assert_msg(strncmp(r.msg, "timed out after 0.", 18) == 0 &&
	    strstr(r.msg, "s while writing") != NULL, "message \"%s\"", r.msg);
	assert_took("a 200 ms write timeout", r.t1 - r.t0, 200 * MS, 150 * MS);
	assert_took("its latency", r.p.res.latency_us, 200 * MS, 150 * MS);
	ck_assert_uint_gt(r.p.write.off, 0);
	ck_assert_uint_lt(r.p.write.off, BIG);
	server_free(&srv);
}
END_TEST

/* peeraddr */

static void
peeraddr_ok(int family)
{
	char want[SOCKADDR_STRLEN], got[SOCKADDR_STRLEN];
	struct server srv;
	struct run r;
	int64_t wall1;

	server_start(&srv, family, SRV_SINK, 0, 64, 64);
	snprintf(want, sizeof(want), family == AF_INET6 ? "[::1]:%u" :
	    "127.0.0.1:%u", (unsigned)port_of(&srv.addr));
	run_conf(&r, PROBE_PEERADDR, &srv.addr, NULL, 0);
	run_start(&r, NULL, 2000 * MS);
	run_wait(&r, 3000);
	wall1 = clock_wall_us();
	ck_assert_msg(r.result == POLL_READY, "peeraddr: %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_int_eq(r.p.res.error, PERR_NONE);
	ck_assert_str_eq(sockaddr_format(&r.p.res.peer, got, sizeof(got)),
	    want);
	ck_assert_uint_gt(r.p.res.connect_us, 0);
	ck_assert_uint_gt(r.p.res.latency_us, 0);
	ck_assert_uint_le(r.p.res.connect_us, r.p.res.latency_us);
	ck_assert_uint_le(r.p.res.latency_us, (r.t1 - r.t0) + 1000);
	ck_assert_int_ge(r.p.res.wall_us, r.wall0);
	ck_assert_int_le(r.p.res.wall_us, wall1);

	/* the server saw one connection, no bytes, a clean close */
	ck_assert(run_until(&srv.ended, 2000));
	ck_assert_uint_eq(srv.nconns, 1);
	ck_assert_uint_eq(srv.conns[0].len, 0);
	ck_assert_int_eq(srv.conns[0].err, 0);
	server_free(&srv);
}

START_TEST(test_peeraddr_ipv4)
{
	peeraddr_ok(AF_INET);
}
END_TEST

/*
 * With a ring, the connect and the close went through it: one probe is one
 * connect and one close in io_uring's counts, and the server still sees a
 * connection that opened and closed cleanly (peeraddr_ok).
 */
START_TEST(test_uring_carries)
{
	struct uring_stats before = uring_stats;

	if (!uring_is_on()) {
		fprintf(stderr, "check_probe: no io_uring here, "
		    "test_uring_carries not tested\n");
		return;
	}
	peeraddr_ok(AF_INET);
	ck_assert_uint_eq(uring_stats.connects - before.connects, 1);
	ck_assert_uint_eq(uring_stats.closes - before.closes, 1);
	ck_assert_uint_ge(uring_stats.submits - before.submits, 1);
	ck_assert_uint_eq(net_sockets, 0);
}
END_TEST

/*
 * A peeraddr probe at su polled once, outside the reactor: its connect
 * waits in uring.c's batch, and its task is not spawned (nothing polls it
 * but an answer).
 */
static void
run_batched(struct run *r, const union sockaddr_union *su)
{
	run_conf(r, PROBE_PEERADDR, su, NULL, 0);
	r->done = 0;
	waiter_init(&r->io);
	probe_init(&r->p, &r->tc, NULL, &r->io);
	task_init(&r->task, &ex, run_poll, run_done, r);
	ck_assert_int_eq(probe_poll(&r->p, &r->task), POLL_PENDING);
	ck_assert_uint_ne(r->p.connect.uring_slot, URING_NONE);
}

/*
 * A probe dropped (a reload, a stop) after its connect joined the batch but
 * before the batch went to the kernel: the connect is never made, its
 * socket is closed, and the probe behind it in the same batch connects as
 * usual.
 */
START_TEST(test_uring_dropped_in_batch)
{
	struct uring_stats before = uring_stats;
	union sockaddr_union su;
	struct run gone, kept;
	int lfd, fd, n0, accepted = 0;

	if (!uring_is_on()) {
		fprintf(stderr, "check_probe: no io_uring here, "
		    "test_uring_dropped_in_batch not tested\n");
		return;
	}
	ck_assert_int_ne(lfd = tcp_listen(AF_INET, 0, 8, 0, &su), -1);
	ck_assert_int_eq(fcntl(lfd, F_SETFL, O_NONBLOCK), 0);
	n0 = count_fds();

	run_batched(&gone, &su);
	ck_assert_int_eq(count_fds(), n0 + 1);
	probe_drop(&gone.p);
	ck_assert_uint_eq(gone.p.connect.uring_slot, URING_NONE);

	run_conf(&kept, PROBE_PEERADDR, &su, NULL, 0);
	run_start(&kept, NULL, 2000 * MS);
	run_wait(&kept, 3000);
	ck_assert_msg(kept.result == POLL_READY, "peeraddr: %s (%s)",
	    probe_error_name(kept.p.res.error), kept.msg);
	run_for(20);

	while ((fd = accept(lfd, NULL, NULL)) != -1) {
		accepted++;
		close(fd);
	}
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_msg(accepted == 1, "%d connections, not the kept probe's "
	    "alone", accepted);
	/* no answer came for the dropped one: nothing woke its task */
	ck_assert_uint_eq(gone.task.polls, 0);
	ck_assert_int_eq(gone.done, 0);
	ck_assert_uint_eq(uring_stats.connects - before.connects, 2);
	ck_assert_uint_eq(uring_stats.closes - before.closes, 2);
	ck_assert_int_eq(count_fds(), n0);
	ck_assert_uint_eq(net_sockets, 0);
	close(lfd);
}
END_TEST

/*
 * The ring goes (a stop) with one connect in flight and one still waiting
 * in the batch, and their probes are dropped after it, as an ad hoc
 * probe's is when its target is freed after the ring (server_free): the
 * drops close the sockets and touch nothing of the ring's.  futd crashed
 * here on SIGTERM during `futctl probe` of a target that hangs.
 */
START_TEST(test_uring_shutdown_then_drop)
{
	union sockaddr_union su;
	struct run flying, waiting;
	int lfd, fill[FILL_MAX], n0;

	if (!uring_is_on()) {
		fprintf(stderr, "check_probe: no io_uring here, "
		    "test_uring_shutdown_then_drop not tested\n");
		return;
	}
	ck_assert_int_ne(lfd = tcp_listen(AF_INET, 0, 0, 0, &su), -1);
	fill_accept_queue(&su, fill);
	n0 = count_fds();

	run_conf(&flying, PROBE_PEERADDR, &su, NULL, 0);
	run_start(&flying, NULL, 4000 * MS);
	run_for(50);
	ck_assert_int_eq(flying.p.connect.state, CONNECT_URING);
	run_batched(&waiting, &su);
	ck_assert_int_eq(count_fds(), n0 + 2);

	uring_shutdown();
	ck_assert(!uring_is_on());
	ck_assert_uint_eq(flying.p.connect.uring_slot, URING_NONE);
	ck_assert_uint_eq(waiting.p.connect.uring_slot, URING_NONE);
	task_cancel(&flying.task);
	timeout_drop(&flying.to);
	probe_drop(&waiting.p);
	/* both sockets closed, and the ring's own descriptor gone */
	ck_assert_int_eq(count_fds(), n0 - 1);
	ck_assert_uint_eq(net_sockets, 0);
	fill_close(fill);
	close(lfd);
}
END_TEST

START_TEST(test_peeraddr_ipv6)
{
	union sockaddr_union su;
	int fd;

	/* is there a ::1 at all? */
	if ((fd = tcp_listen(AF_INET6, 0, -1, 0, &su)) == -1) {
		fprintf(stderr, "check_probe: no ::1 here, IPv6 peeraddr not "
		    "tested\n");
		return;
	}
	close(fd);
	peeraddr_ok(AF_INET6);
}
END_TEST

/*
 * A name from the hosts file: answered at once (no wake-up spent on it),
 * then the connect; the peer is the hosts file's first address.
 */
START_TEST(test_peeraddr_by_name)
{
	char want[SOCKADDR_STRLEN], got[SOCKADDR_STRLEN];
	union sockaddr_union a[2];
	struct evdns_base *dns;
	struct server srv;
	struct run r;
	int fd6 = -1;

	ck_assert_int_eq(hosts_load(NULL), 0);
	ck_assert_msg(hosts_lookup("localhost", AF_UNSPEC, 1, a, 2) >= 1,
	    "no localhost in /etc/hosts");
	server_start(&srv, AF_INET, SRV_SINK, 0, 64, 64);
	/* localhost may be ::1 too: listen there on the same port */
	fd6 = tcp_listen(AF_INET6, port_of(&srv.addr), 8, 0, &a[1]);
	dns = evdns_base_new(base, 0);		/* no servers: hosts only */
	ck_assert_ptr_nonnull(dns);

	run_conf(&r, PROBE_PEERADDR, &srv.addr, NULL, 0);
	snprintf(r.host, sizeof(r.host), "localhost");
	r.tc.numeric = 0;
	memset(&r.tc.addr, 0, sizeof(r.tc.addr));
	ck_assert_int_eq(hosts_lookup("localhost", AF_UNSPEC, r.tc.port, a,
	    1), 1);
	sockaddr_format(&a[0], want, sizeof(want));
	run_start(&r, dns, 2000 * MS);
	run_wait(&r, 3000);
	ck_assert_msg(r.result == POLL_READY, "peeraddr localhost: %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_str_eq(sockaddr_format(&r.p.res.peer, got, sizeof(got)),
	    want);
	/* spawn, at most the connect's wake-up: the hosts file costs none */
	ck_assert_uint_le(r.task.polls, 2);
	evdns_base_free(dns, 0);
	hosts_free();
	if (fd6 != -1)
		close(fd6);
	server_free(&srv);
}
END_TEST

START_TEST(test_refused)
{
	char want[SOCKADDR_STRLEN], got[SOCKADDR_STRLEN];
	union sockaddr_union su;
	struct run r;
	int bfd;

	/* bound, not listening: nobody can take the port meanwhile */
	ck_assert_int_ne(bfd = tcp_listen(AF_INET, 0, -1, 0, &su), -1);
	run_conf(&r, PROBE_PEERADDR, &su, NULL, 0);
	run_start(&r, NULL, 0);
	run_wait(&r, 2000);
	ck_assert_int_eq(r.result, POLL_ERROR);
	ck_assert_msg(r.p.res.error == PERR_REFUSED, "error %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_int_eq(r.p.res.sys_err, ECONNREFUSED);
	ck_assert_str_eq(r.msg, "Connection refused");
	ck_assert_str_eq(probe_error_name(r.p.res.error), "refused");
	ck_assert_uint_gt(r.p.res.latency_us, 0);
	ck_assert_uint_lt(elapsed_ms(&r), 1000);
	/* the address that refused is the one reported */
	ck_assert_str_eq(sockaddr_format(&r.p.res.peer, got, sizeof(got)),
	    sockaddr_format(&su, want, sizeof(want)));

	/* hello says the same */
	run_conf(&r, PROBE_HELLO, &su, "hello world", 11);
	run_start(&r, NULL, 1000 * MS);
	run_wait(&r, 2000);
	ck_assert_int_eq(r.p.res.error, PERR_REFUSED);
	ck_assert_str_eq(r.msg, "Connection refused");
	close(bfd);
}
END_TEST

/*
 * A listener whose accept queue is full: SYNs dropped, the connect hangs,
 * the 200 ms deadline ends it, and the message says where it was.
 */
START_TEST(test_connect_timeout)
{
	char want[SOCKADDR_STRLEN], got[SOCKADDR_STRLEN];
	union sockaddr_union su;
	int lfd, fill[FILL_MAX];
	struct run r;

	ck_assert_int_ne(lfd = tcp_listen(AF_INET, 0, 0, 0, &su), -1);
	fill_accept_queue(&su, fill);
	run_conf(&r, PROBE_HELLO, &su, "hello world", 11);
	r.tc.timeout_us = 200 * MS;
	run_start(&r, NULL, r.tc.timeout_us);
	run_wait(&r, 2000);
	ck_assert_int_eq(r.result, POLL_ERROR);
	ck_assert(r.to.expired);
	ck_assert_int_eq(r.to.err, ETIMEDOUT);
	ck_assert_msg(r.p.res.error == PERR_CONNECT_TIMEOUT, "error %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_str_eq(probe_error_name(r.p.res.error), "connect_timeout");
	ck_assert_int_eq(r.p.res.sys_err, ETIMEDOUT);
	ck_assert_msg(strncmp(r.msg, "timed out after ", 16) == 0 &&
	    strstr(r.msg, " while connecting") != NULL, "message \"%s\"",
	    r.msg);
	assert_took("a 200 ms connect timeout", r.t1 - r.t0, 200 * MS,
	    150 * MS);
	assert_took("its latency", r.p.res.latency_us, 200 * MS, 150 * MS);
	ck_assert_uint_eq(r.p.res.connect_us, 0);
	/* the address that hung is the one reported */
	ck_assert_str_eq(sockaddr_format(&r.p.res.peer, got, sizeof(got)),
	    sockaddr_format(&su, want, sizeof(want)));
	/*
	 * spawn, the deadline: the hanging connect cost no polls (one more
	 * if the reactor's timer came a hair early by our clock and the
	 * deadline was armed again)
	 */
	ck_assert_uint_ge(r.task.polls, 2);
	ck_assert_uint_le(r.task.polls, 3);
	fill_close(fill);
	close(lfd);
}
END_TEST

/*
 * A hello whose first write finds the handshake not done (EAGAIN): it
 * waits for the socket, and the write after the wake-up both completes the
 * connect and sends.  The listener's full queue holds the SYN back until
 * its retransmission, about a second later, finds room.
 */
START_TEST(test_hello_connect_late)
{
	char buf[64], want[SOCKADDR_STRLEN];
	union sockaddr_union su;
	int lfd, fd, fill[FILL_MAX];
	ssize_t n;
	struct run r;

	ck_assert_int_ne(lfd = tcp_listen(AF_INET, 0, 0, 0, &su), -1);
	fill_accept_queue(&su, fill);
	run_conf(&r, PROBE_HELLO, &su, "hello world", 11);
	r.tc.timeout_us = 4000 * MS;
	run_start(&r, NULL, r.tc.timeout_us);
	run_for(50);
	ck_assert_int_eq(r.p.state, PROBE_CONNECTING);
	/* waiting for the socket, or for io_uring to answer */
	ck_assert_int_eq(r.p.connect.state, uring_is_on() ? CONNECT_URING :
	    CONNECT_WAIT);
	ck_assert_uint_eq(r.p.connect.sent, 0);
	/* make room: no filler left to take it first */
	fill_close(fill);
	while ((fd = accept(lfd, NULL, NULL)) != -1)
		close(fd);
	run_wait(&r, 5000);
	ck_assert_msg(r.result == POLL_READY, "hello: %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert(!r.to.expired);
	ck_assert_uint_ge(r.p.res.connect_us, 500 * MS);
	ck_assert_uint_le(r.p.res.connect_us, r.p.res.ph.write_us);
	ck_assert_uint_eq(r.p.write.off, 11);
	ck_assert_str_eq(sockaddr_format(&r.p.res.peer, buf, sizeof(buf)),
	    sockaddr_format(&su, want, sizeof(want)));
	/* spawn and the socket's wake-up */
	ck_assert_uint_eq(r.task.polls, 2);

	/* the listener has it, payload and all */
	ck_assert_int_ne(fd = accept(lfd, NULL, NULL), -1);
	n = recv(fd, buf, sizeof(buf), 0);
	ck_assert_int_eq(n, 11);
	ck_assert_mem_eq(buf, "hello world", 11);
	close(fd);
	close(lfd);
}
END_TEST

/* expect: the reply the peer must send */

/*
 * The steps the config makes of `expect` (conf_steps.c): hello's payload
 * first, then the expect.
 */
static void
run_expect(struct run *r, const char *expect)
{
	struct steps *ss;
	char err[64];
	unsigned k = 0;

	ss = steps_new(r->tc.kind == PROBE_HELLO ? 2 : 1);
	ck_assert_ptr_nonnull(ss);
	if (r->tc.kind == PROBE_HELLO)
		ss->s[k++].kind = STEP_SEND;	/* the payload */
	ss->s[k].kind = STEP_EXPECT;
	ck_assert_int_eq(step_pattern_set(&ss->s[k].expect, expect,
	    strlen(expect), NULL, 0, err, sizeof(err)), 0);
	r->tc.expect = (unsigned char *)(uintptr_t)expect;
	r->tc.expect_len = strlen(expect);
	r->tc.read_limit = 128;
	ss->read_max = r->tc.read_limit;
	r->tc.steps = ss;
}

/*
 * One match a poll (step.c): what the step had (left over) is matched,
 * then the bytes that came are read, and their match waits for the
 * executor's next pass (the task on the run queue), so that a pattern
 * glibc matches slowly against a peer that never stops sending cannot
 * hold the reactor.  On that pass the new bytes are matched.
 */
struct yield_run {
	struct expect_fut	 e;
	struct task		 task;
	enum poll		 r;
	int			 done;
};

static enum poll
yield_poll(struct task *t, void *arg)
{
	struct yield_run *y = arg;

	y->r = expect_poll(&y->e, t);
	y->done = y->r != POLL_PENDING;
	return y->r;
}

START_TEST(test_expect_one_match_a_poll)
{
	static struct yield_run y;
	struct waiter w;
	struct step st;
	unsigned char buf[128 + 1];
	char err[64];
	int sv[2];

	memset(&st, 0, sizeof(st));
	st.kind = STEP_EXPECT;
	ck_assert_int_eq(step_pattern_set(&st.expect, NULL, 0, "x+y", 0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	waiter_init(&w);
	/* 10 bytes left by the step before, 20 waiting in the socket */
	memcpy(buf, "aaaaaaaaaa", 10);
	ck_assert_int_eq(send(sv[1], "bbbbbbbbbbxxxxxxxxxx", 20, 0), 20);
	memset(&y, 0, sizeof(y));
	expect_init(&y.e, &st, &w, sv[0], buf, sizeof(buf), 10, 128);
	task_init(&y.task, &ex, yield_poll, NULL, &y);
	/* its first poll, by hand (task_spawn would queue it) */
	ck_assert_int_eq(yield_poll(&y.task, &y), POLL_PENDING);
	ck_assert_uint_eq(y.e.read.len, 30);
	ck_assert_msg(y.e.matched_len == 10, "matched %zu bytes in the first "
	    "poll, not the 10 it had", y.e.matched_len);
	ck_assert_msg(y.task.flags & TASK_QUEUED, "PENDING, and not on the "
	    "run queue: nothing would poll it again");
	/* the next pass matches the 30; then "y" completes the match */
	run_for(20);
	ck_assert_uint_eq(y.e.matched_len, 30);
	ck_assert(!y.done);
	ck_assert_int_eq(send(sv[1], "y", 1, 0), 1);
	ck_assert(run_until(&y.done, 2000));
	ck_assert_int_eq(y.r, POLL_READY);
	expect_drop(&y.e);
	step_pattern_free(&st.expect);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A banner check: connect, read until the substring shows up. */
START_TEST(test_expect_banner)
{
	struct server srv;
	struct run r;

	server_start(&srv, AF_INET, SRV_BANNER, 0, 64, 64);
	srv.banner = "SSH-2.0-futd_test\r\n";
	run_conf(&r, PROBE_PEERADDR, &srv.addr, NULL, 0);
	run_expect(&r, "SSH-2.0-");
	run_start(&r, NULL, 2000 * MS);
	run_wait(&r, 3000);
	ck_assert_msg(r.result == POLL_READY, "expect: %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_int_eq(r.p.res.error, PERR_NONE);
	ck_assert_uint_ge(r.p.res.recv_total, 8);
	ck_assert_uint_le(r.p.res.recv_total, strlen(srv.banner));
	ck_assert_uint_gt(r.p.res.ph.first_byte_us, 0);
	ck_assert_uint_ge(r.p.res.ph.first_byte_us, r.p.res.connect_us);
	ck_assert_uint_le(r.p.res.ph.first_byte_us, r.p.res.latency_us);
	server_free(&srv);
}
END_TEST

/* Request and reply: the payload goes first, then the reply is read. */
START_TEST(test_expect_after_payload)
{
	struct server srv;
	struct run r;

	server_start(&srv, AF_INET, SRV_BANNER, 0, 64, 64);
	srv.banner = "+PONG\r\n";
	run_conf(&r, PROBE_HELLO, &srv.addr, "PING\r\n", 6);
	run_expect(&r, "+PONG");
	run_start(&r, NULL, 2000 * MS);
	run_wait(&r, 3000);
	ck_assert_msg(r.result == POLL_READY, "expect: %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert(run_until(&srv.ended, 2000));
	ck_assert_uint_eq(srv.conns[0].len, 6);
	ck_assert_mem_eq(srv.conns[0].buf, "PING\r\n", 6);
	server_free(&srv);
}
END_TEST

/* The peer closes without the reply: closed_early, what it said kept. */
START_TEST(test_expect_closed_early)
{
	struct server srv;
	struct run r;

	server_start(&srv, AF_INET, SRV_BANNER_CLOSE, 0, 64, 64);
	srv.banner = "HTTP/1.0 503 Busy\r\n\r\n";
	run_conf(&r, PROBE_PEERADDR, &srv.addr, NULL, 0);
	run_expect(&r, "200 OK");
	run_start(&r, NULL, 2000 * MS);
	run_wait(&r, 3000);
	ck_assert_int_eq(r.result, POLL_ERROR);
	ck_assert_msg(r.p.res.error == PERR_CLOSED_EARLY, "error %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_str_eq(probe_error_name(r.p.res.error), "closed_early");
	ck_assert_uint_eq(r.p.res.recv_total, strlen(srv.banner));
	ck_assert_uint_eq(r.p.res.recv_len, strlen(srv.banner));
	ck_assert_mem_eq(r.p.res.recv, srv.banner, strlen(srv.banner));
	ck_assert_str_eq(r.msg, "connection closed by the peer before the "
	    "expected reply (21 bytes read)");
	ck_assert_uint_lt(elapsed_ms(&r), 1000);
	server_free(&srv);
}
END_TEST

/* The peer says nothing: the deadline names the phase, reading. */
START_TEST(test_expect_read_timeout)
{
	struct server srv;
	struct run r;

	server_start(&srv, AF_INET, SRV_HOLD, 0, 0, 0);
	run_conf(&r, PROBE_PEERADDR, &srv.addr, NULL, 0);
	run_expect(&r, "SSH-2.0-");
	run_start(&r, NULL, 200 * MS);
	run_wait(&r, 2000);
	ck_assert_int_eq(r.result, POLL_ERROR);
	ck_assert(r.to.expired);
	ck_assert_msg(r.p.res.error == PERR_READ_TIMEOUT, "error %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_msg(strncmp(r.msg, "timed out after 0.", 18) == 0 &&
	    strstr(r.msg, "s while reading") != NULL, "message \"%s\"", r.msg);
	assert_took("a 200 ms read timeout", r.t1 - r.t0, 200 * MS, 150 * MS);
	ck_assert_uint_eq(r.p.res.recv_total, 0);
	/* spawn, connected, the deadline */
	ck_assert_uint_le(r.task.polls, 3);
	server_free(&srv);
}
END_TEST

/*
 * The peer answers, wrongly, and then says nothing more (a Redis answering
 * "+PANG" to an expect of "+PONG"): at the deadline that is a wrong reply,
 * expect_mismatch with the bytes, not read_timeout.
 */
START_TEST(test_expect_mismatch_at_deadline)
{
	struct server srv;
	struct run r;

	server_start(&srv, AF_INET, SRV_BANNER, 0, 64, 64);
	srv.banner = "+PANG\r\n";
	run_conf(&r, PROBE_HELLO, &srv.addr, "PING\r\n", 6);
	run_expect(&r, "+PONG");
	run_start(&r, NULL, 200 * MS);
	run_wait(&r, 2000);
	ck_assert_int_eq(r.result, POLL_ERROR);
	ck_assert(r.to.expired);
	ck_assert_msg(r.p.res.error == PERR_EXPECT_MISMATCH, "error %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_uint_eq(r.p.res.recv_total, 7);
	ck_assert_uint_eq(r.p.res.recv_len, 7);
	ck_assert_mem_eq(r.p.res.recv, "+PANG\r\n", 7);
	ck_assert_str_eq(r.msg, "reply did not match by the deadline (7 bytes "
	    "read)");
	assert_took("a 200 ms deadline", r.t1 - r.t0, 200 * MS, 150 * MS);
	server_free(&srv);
}
END_TEST

/* addresses: a name with two, 127.0.0.1 first, then ::1 (hosts file) */

static int
hosts_two(const char *name, char path[32])
{
	char text[128];
	int fd, n;

	snprintf(path, 32, "/tmp/futd-hosts-XXXXXX");
	n = snprintf(text, sizeof(text), "::1 %s\n127.0.0.1 %s\n", name,
	    name);
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_int_eq(write(fd, text, (size_t)n), n);
	close(fd);
	ck_assert_int_eq(hosts_load(path), 0);
	unlink(path);
	return 0;
}

/* A named target as conf.c would make it. */
static void
run_conf_name(struct run *r, enum probe_kind kind, const char *name,
    uint16_t port)
{
	union sockaddr_union su;

	loopback(AF_INET, port, &su);
	run_conf(r, kind, &su, NULL, 0);
	snprintf(r->host, sizeof(r->host), "%s", name);
	r->tc.numeric = 0;
	memset(&r->tc.addr, 0, sizeof(r->tc.addr));
}

/*
 * The first address refuses, the second answers: addresses = "any" goes
 * on to it, "first" stops at the refusal.
 */
START_TEST(test_addresses_any_and_first)
{
	char want[SOCKADDR_STRLEN], got[SOCKADDR_STRLEN], path[32];
	union sockaddr_union su4;
	struct evdns_base *dns;
	struct server srv6;
	struct run r;
	int bfd;

	ck_assert_int_ne(bfd = tcp_listen(AF_INET, 0, -1, 0, &su4), -1);
	if (server_start_at(&srv6, AF_INET6, port_of(&su4), SRV_SINK, 0, 64,
	    64) == -1) {
		fprintf(stderr, "check_probe: no ::1 (or its port %u is "
		    "taken): addresses not tested\n", port_of(&su4));
		close(bfd);
		return;
	}
	hosts_two("futd-test-two", path);
	dns = evdns_base_new(base, 0);		/* no servers: hosts only */
	ck_assert_ptr_nonnull(dns);
	snprintf(want, sizeof(want), "[::1]:%u", port_of(&su4));

	run_conf_name(&r, PROBE_PEERADDR, "futd-test-two", port_of(&su4));
	r.tc.addrs = ADDRS_ANY;
	run_start(&r, dns, 2000 * MS);
	run_wait(&r, 3000);
	ck_assert_msg(r.result == POLL_READY, "any: %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_uint_eq(r.p.naddrs, 2);
	ck_assert_str_eq(sockaddr_format(&r.p.res.peer, got, sizeof(got)),
	    want);

	run_conf_name(&r, PROBE_PEERADDR, "futd-test-two", port_of(&su4));
	r.tc.addrs = ADDRS_FIRST;
	run_start(&r, dns, 2000 * MS);
	run_wait(&r, 3000);
	ck_assert_int_eq(r.p.res.error, PERR_REFUSED);
	snprintf(want, sizeof(want), "127.0.0.1:%u", port_of(&su4));
	ck_assert_str_eq(sockaddr_format(&r.p.res.peer, got, sizeof(got)),
	    want);

	evdns_base_free(dns, 0);
	hosts_free();
	server_free(&srv6);
	close(bfd);
}
END_TEST

/*
 * connect_timeout: the first address hangs (full accept queue), its own
 * 100 ms deadline ends that try, the second address answers, all within
 * the probe's 1 s.
 */
START_TEST(test_connect_timeout_then_next)
{
	char want[SOCKADDR_STRLEN], got[SOCKADDR_STRLEN], path[32];
	union sockaddr_union su4;
	int lfd, fill[FILL_MAX];
	struct evdns_base *dns;
	struct server srv6;
	struct run r;

	ck_assert_int_ne(lfd = tcp_listen(AF_INET, 0, 0, 0, &su4), -1);
	if (server_start_at(&srv6, AF_INET6, port_of(&su4), SRV_SINK, 0, 64,
	    64) == -1) {
		fprintf(stderr, "check_probe: no ::1 (or its port %u is "
		    "taken): connect_timeout not tested\n", port_of(&su4));
		close(lfd);
		return;
	}
	fill_accept_queue(&su4, fill);
	hosts_two("futd-test-hang", path);
	dns = evdns_base_new(base, 0);
	ck_assert_ptr_nonnull(dns);

	run_conf_name(&r, PROBE_PEERADDR, "futd-test-hang", port_of(&su4));
	r.tc.connect_timeout_us = 100 * MS;
	run_start(&r, dns, 1000 * MS);
	run_wait(&r, 3000);
	ck_assert_msg(r.result == POLL_READY, "%s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	snprintf(want, sizeof(want), "[::1]:%u", port_of(&su4));
	ck_assert_str_eq(sockaddr_format(&r.p.res.peer, got, sizeof(got)),
	    want);
	assert_took("a 100 ms connect_timeout, then a connect", r.t1 - r.t0,
	    100 * MS, 150 * MS);
	ck_assert(!r.to.expired);

	/* alone, the hanging address: connect_timeout, in words */
	hosts_free();
	run_conf(&r, PROBE_PEERADDR, &su4, NULL, 0);
	r.tc.connect_timeout_us = 100 * MS;
	run_start(&r, NULL, 1000 * MS);
	run_wait(&r, 3000);
	ck_assert_int_eq(r.p.res.error, PERR_CONNECT_TIMEOUT);
	ck_assert_int_eq(r.p.res.sys_err, ETIMEDOUT);
	ck_assert_msg(strncmp(r.msg, "timed out after 0.", 18) == 0 &&
	    strstr(r.msg, "s while connecting") != NULL, "message \"%s\"",
	    r.msg);
	ck_assert(!r.to.expired);
	assert_took("a 100 ms connect_timeout", r.t1 - r.t0, 100 * MS,
	    150 * MS);

	evdns_base_free(dns, 0);
	server_free(&srv6);
	fill_close(fill);
	close(lfd);
}
END_TEST

/* names: a probe of a name nobody has, and of one nobody answers for */

START_TEST(test_dns_no_such_name)
{
	struct evdns_base *dns;
	struct dns_stub ds;
	struct run r;

	hosts_free();
	dns = dns_stub_start(&ds, 1);
	run_conf_name(&r, PROBE_HELLO, "no-such-host.futd-test.invalid", 80);
	r.tc.payload = (unsigned char *)(uintptr_t)"hello world";
	r.tc.payload_len = 11;
	run_start(&r, dns, 2000 * MS);
	run_wait(&r, 3000);
	ck_assert_int_eq(r.result, POLL_ERROR);
	ck_assert_msg(r.p.res.error == PERR_DNS, "error %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_int_eq(r.p.res.sys_err, -DNS_ERR_NOTEXIST);
	ck_assert_str_eq(r.msg, resolve_strerror(DNS_ERR_NOTEXIST));
	ck_assert_uint_gt(r.p.res.ph.resolve_us, 0);
	ck_assert_uint_eq(r.p.res.connect_us, 0);
	ck_assert_int_eq(r.p.res.peer.sa.sa_family, 0);
	ck_assert_uint_ge(ds.queries, 1);
	ck_assert_uint_lt(elapsed_ms(&r), 1000);
	dns_stub_free(&ds, dns);
}
END_TEST

START_TEST(test_dns_timeout)
{
	struct evdns_base *dns;
	struct dns_stub ds;
	uint64_t polls;
	struct run r;

	hosts_free();
	dns = dns_stub_start(&ds, 0);
	run_conf_name(&r, PROBE_PEERADDR, "slow.futd-test.invalid", 80);
	run_start(&r, dns, 200 * MS);
	run_wait(&r, 3000);
	ck_assert_int_eq(r.result, POLL_ERROR);
	ck_assert(r.to.expired);
	ck_assert_msg(r.p.res.error == PERR_DNS_TIMEOUT, "error %s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_msg(strncmp(r.msg, "timed out after 0.", 18) == 0 &&
	    strstr(r.msg, "s while resolving") != NULL, "message \"%s\"",
	    r.msg);
	assert_took("a 200 ms resolve timeout", r.t1 - r.t0, 200 * MS,
	    150 * MS);
	/* the queries were cancelled: nothing wakes the task again */
	ck_assert_ptr_null(r.p.resolve.req4);
	ck_assert_ptr_null(r.p.resolve.req6);
	polls = r.task.polls;
	run_for(30);
	ck_assert_uint_eq(r.task.polls, polls);
	/*
	 * spawn and the deadline; one more if the reactor's timer came a
	 * hair early by our clock and the deadline was armed again
	 */
	ck_assert_uint_le(polls, 3);
	dns_stub_free(&ds, dns);
}
END_TEST

/* source: connect from a given address; one of another family is no use */
START_TEST(test_source_address)
{
	char got[SOCKADDR_STRLEN];
	struct server srv;
	struct run r;

	server_start(&srv, AF_INET, SRV_SINK, 0, 64, 64);
	run_conf(&r, PROBE_PEERADDR, &srv.addr, NULL, 0);
	r.tc.has_source = 1;
	r.tc.local_addr = 1;
	loopback(AF_INET, 0, &r.tc.source);
	run_start(&r, NULL, 2000 * MS);
	run_wait(&r, 3000);
	ck_assert_msg(r.result == POLL_READY, "%s (%s)",
	    probe_error_name(r.p.res.error), r.msg);
	sockaddr_format(&r.p.res.local, got, sizeof(got));
	ck_assert_msg(strncmp(got, "127.0.0.1:", 10) == 0 &&
	    port_of(&r.p.res.local) != 0, "local address %s", got);

	/* an IPv6 source for an IPv4 target: unreachable, and no socket */
	run_conf(&r, PROBE_PEERADDR, &srv.addr, NULL, 0);
	r.tc.has_source = 1;
	loopback(AF_INET6, 0, &r.tc.source);
	run_start(&r, NULL, 2000 * MS);
	run_wait(&r, 3000);
	ck_assert_int_eq(r.result, POLL_ERROR);
	ck_assert_int_eq(r.p.res.error, PERR_UNREACHABLE);
	ck_assert_uint_eq(r.task.polls, 1);
	server_free(&srv);
}
END_TEST

/* names and words */

/*
 * local_address: getsockname() only when asked for.  Off, the result has no
 * local address; on, the port the kernel chose.  The peer is reported
 * either way, by hello too, which learns it from its first write.
 */
static void
local_address_run(enum probe_kind kind, int on)
{
	char want[SOCKADDR_STRLEN], got[SOCKADDR_STRLEN];
	struct server srv;
	struct run r;

	server_start(&srv, AF_INET, SRV_SINK, 0, 64, 64);
	run_conf(&r, kind, &srv.addr, kind == PROBE_HELLO ? "hello world" :
	    NULL, kind == PROBE_HELLO ? 11 : 0);
	r.tc.local_addr = on;
	run_start(&r, NULL, 2000 * MS);
	run_wait(&r, 3000);
	ck_assert_msg(r.result == POLL_READY, "%s: %s (%s)",
	    kind == PROBE_HELLO ? "hello" : "peeraddr",
	    probe_error_name(r.p.res.error), r.msg);
	ck_assert_str_eq(sockaddr_format(&r.p.res.peer, got, sizeof(got)),
	    sockaddr_format(&srv.addr, want, sizeof(want)));
	sockaddr_format(&r.p.res.local, got, sizeof(got));
	if (on)
		ck_assert_msg(strncmp(got, "127.0.0.1:", 10) == 0 &&
		    port_of(&r.p.res.local) != 0, "local address %s", got);
	else
		ck_assert_msg(r.p.res.local.sa.sa_family == 0,
		    "local address %s without local_address", got);
	if (kind == PROBE_HELLO) {
		ck_assert(run_until(&srv.ended, 2000));
		ck_assert_uint_eq(srv.nconns, 1);
		ck_assert_uint_eq(srv.conns[0].len, 11);
		ck_assert_mem_eq(srv.conns[0].buf, "hello world", 11);
	}
	server_free(&srv);
}

START_TEST(test_local_address)
{
	local_address_run(PROBE_PEERADDR, 0);
	local_address_run(PROBE_PEERADDR, 1);
	local_address_run(PROBE_HELLO, 0);
	local_address_run(PROBE_HELLO, 1);
}
END_TEST

START_TEST(test_error_names)
{
	static const struct {
		enum probe_error	 e;
		const char		*name;
	} want[] = {
		{ PERR_NONE,		"ok" },
		{ PERR_DNS,		"dns" },
		{ PERR_REFUSED,		"refused" },
		{ PERR_UNREACHABLE,	"unreachable" },
		{ PERR_CONNECT_TIMEOUT,	"connect_timeout" },
		{ PERR_WRITE_TIMEOUT,	"write_timeout" },
		{ PERR_DNS_TIMEOUT,	"dns_timeout" },
		{ PERR_RESET,		"reset" },
		{ PERR_FD_LIMIT,	"fd_limit" },
		{ PERR_OTHER,		"error" },
	};
	const char *a, *b, *p;
	int i, j;

	for (i = 0; i < (int)(sizeof(want) / sizeof(*want)); i++)
		ck_assert_str_eq(probe_error_name(want[i].e), want[i].name);
	/* every value named, names distinct, words a script can match */
	for (i = 0; i < PERR__MAX; i++) {
		a = probe_error_name((enum probe_error)i);
		ck_assert_msg(a != NULL && *a != '\0', "error %d has no name",
		    i);
		for (p = a; *p != '\0'; p++)
			ck_assert_msg((*p >= 'a' && *p <= 'z') || *p == '_',
			    "error %d: name \"%s\"", i, a);
		for (j = 0; j < i; j++) {
			b = probe_error_name((enum probe_error)j);
			ck_assert_msg(strcmp(a, b) != 0, "errors %d and %d "
			    "are both \"%s\"", j, i, a);
		}
	}
	ck_assert_str_eq(probe_error_name(PERR__MAX), "error");
	ck_assert_str_eq(probe_error_name((enum probe_error)-1), "error");
}
END_TEST

START_TEST(test_classify_and_words)
{
	struct probe_result pr;
	char buf[128], small[10];

	ck_assert_int_eq(probe_error_classify(0), PERR_NONE);
	ck_assert_int_eq(probe_error_classify(ECONNREFUSED), PERR_REFUSED);
	ck_assert_int_eq(probe_error_classify(ENETUNREACH), PERR_UNREACHABLE);
	ck_assert_int_eq(probe_error_classify(EHOSTUNREACH),
	    PERR_UNREACHABLE);
	ck_assert_int_eq(probe_error_classify(ETIMEDOUT),
	    PERR_CONNECT_TIMEOUT);
	ck_assert_int_eq(probe_error_classify(ECONNRESET), PERR_RESET);
	ck_assert_int_eq(probe_error_classify(EPIPE), PERR_RESET);
	ck_assert_int_eq(probe_error_classify(EMFILE), PERR_FD_LIMIT);
	ck_assert_int_eq(probe_error_classify(ENFILE), PERR_FD_LIMIT);
	ck_assert_int_eq(probe_error_classify(EINVAL), PERR_OTHER);

	memset(&pr, 0, sizeof(pr));
	ck_assert_str_eq(probe_result_message(&pr, buf, sizeof(buf)), "ok");
	pr.error = PERR_REFUSED;
	pr.sys_err = ECONNREFUSED;
	ck_assert_str_eq(probe_result_message(&pr, buf, sizeof(buf)),
	    "Connection refused");
	pr.error = PERR_CONNECT_TIMEOUT;
	pr.sys_err = ETIMEDOUT;
	pr.latency_us = 1500000;
	ck_assert_str_eq(probe_result_message(&pr, buf, sizeof(buf)),
	    "timed out after 1.500s while connecting");
	pr.error = PERR_WRITE_TIMEOUT;
	ck_assert_str_eq(probe_result_message(&pr, buf, sizeof(buf)),
	    "timed out after 1.500s while writing");
	pr.error = PERR_DNS_TIMEOUT;
	ck_assert_str_eq(probe_result_message(&pr, buf, sizeof(buf)),
	    "timed out after 1.500s while resolving");
	/* too small a buffer: cut, still a string */
	ck_assert_str_eq(probe_result_message(&pr, small, sizeof(small)),
	    "timed out");
	pr.error = PERR_DNS;
	pr.sys_err = -DNS_ERR_NOTEXIST;
	ck_assert_str_eq(probe_result_message(&pr, buf, sizeof(buf)),
	    resolve_strerror(DNS_ERR_NOTEXIST));
	ck_assert_uint_gt(strlen(buf), 0);
}
END_TEST

/* a whole target */

static struct target *
target_make(struct daemon *d, enum probe_kind kind,
    const union sockaddr_union *su, uint64_t interval_us, uint64_t timeout_us)
{
	char host[INET6_ADDRSTRLEN];
	struct target_conf tc;
	struct target *tg;

	memset(&tc, 0, sizeof(tc));
	inet_ntop(AF_INET, &su->sin.sin_addr, host, sizeof(host));
	tc.name = strdup("loop");
	tc.host = strdup(host);
	ck_assert_ptr_nonnull(tc.name);
	ck_assert_ptr_nonnull(tc.host);
	if (kind == PROBE_HELLO) {
		tc.payload = malloc(11);
		ck_assert_ptr_nonnull(tc.payload);
		memcpy(tc.payload, "hello world", 11);
		tc.payload_len = 11;
	}
	tc.port = port_of(su);
	tc.kind = kind;
	tc.family = AF_UNSPEC;
	tc.numeric = 1;
	ck_assert_int_eq(sockaddr_parse_numeric(tc.host, tc.port, &tc.addr),
	    0);
	tc.interval_us = interval_us;
	tc.timeout_us = timeout_us;
	tg = target_new(d, &tc, 8);	/* takes the strings */
	ck_assert_ptr_nonnull(tg);
	return tg;
}

/*
 * Every 50 ms for half a second against a server of ours: ten probes or
 * so, all ok, the target up, the ring holding the last eight.
 */
START_TEST(test_target_up)
{
	const struct hist_entry *h;
	struct server srv;
	struct target *tg;
	struct daemon d;
	unsigned i, want;

	server_start(&srv, AF_INET, SRV_SINK, 0, 64, 64);
	ck_assert_int_eq(daemon_init(&d, base, NULL), 0);
	tg = target_make(&d, PROBE_HELLO, &srv.addr, 50 * MS, 1000 * MS);
	target_start(tg, clock_mono_us());
	run_for(500);

	ck_assert_msg(tg->res.probes >= 8 && tg->res.probes <= 11,
	    "%llu probes in 0.5 s at 20/s", (unsigned long long)tg->res.probes);
	ck_assert_uint_eq(tg->res.failed, 0);
	ck_assert_uint_le(tg->res.ok, tg->res.probes);
	ck_assert_uint_ge(tg->res.ok + 1, tg->res.probes);  /* one in flight */
	ck_assert_int_eq(tg->res.state, TARGET_UP);
	ck_assert_str_eq(target_state_name(tg->res.state), "up");
	want = tg->res.ok < 8 ? (unsigned)tg->res.ok : 8;
	ck_assert_uint_eq(tg->res.ring_count, want);
	for (i = 0; i < want; i++) {
		h = results_history(&tg->res, i);
		ck_assert_ptr_nonnull(h);
		ck_assert_uint_eq(h->error, PERR_NONE);
	}
	ck_assert_ptr_null(results_history(&tg->res, want));
	ck_assert_ptr_nonnull(tg->res.d);	/* a last result */
	ck_assert_int_eq(tg->res.d->last.error, PERR_NONE);
	ck_assert_uint_gt(tg->res.d->last.latency_us, 0);
	/* no busy polling: a few polls per probe, not thousands */
	ck_assert_msg(tg->task.polls <= 3 * tg->res.probes + 2,
	    "%llu polls for %llu probes", (unsigned long long)tg->task.polls,
	    (unsigned long long)tg->res.probes);

	/*
	 * the server got "hello world" from every probe that ended: a probe
	 * on loopback ends without a trip through the reactor, so give the
	 * server's side a moment (with the target stopped) to catch up
	 */
	target_stop(tg);
	run_for(50);
	ck_assert_uint_ge(srv.nconns, tg->res.ok);
	for (i = 0; i < srv.nconns; i++)
		if (srv.conns[i].eof) {
			ck_assert_uint_eq(srv.conns[i].len, 11);
			ck_assert_mem_eq(srv.conns[i].buf, "hello world", 11);
		}
	target_free(tg);
	daemon_finish(&d);
	server_free(&srv);
}
END_TEST

START_TEST(test_target_down)
{
	union sockaddr_union su;
	struct target *tg;
	struct daemon d;
	unsigned want;
	int bfd;

	ck_assert_int_ne(bfd = tcp_listen(AF_INET, 0, -1, 0, &su), -1);
	ck_assert_int_eq(daemon_init(&d, base, NULL), 0);
	tg = target_make(&d, PROBE_PEERADDR, &su, 50 * MS, 1000 * MS);
	target_start(tg, clock_mono_us());
	run_for(200);
	ck_assert_uint_ge(tg->res.probes, 3);
	ck_assert_uint_eq(tg->res.ok, 0);
	ck_assert_uint_ge(tg->res.failed + 1, tg->res.probes);
	ck_assert_int_eq(tg->res.state, TARGET_DOWN);
	ck_assert_int_eq(tg->res.d->last.error, PERR_REFUSED);
	want = tg->res.failed < 8 ? (unsigned)tg->res.failed : 8;
	ck_assert_uint_eq(tg->res.ring_count, want);
	ck_assert_uint_eq(results_history(&tg->res, 0)->error, PERR_REFUSED);
	target_free(tg);
	daemon_finish(&d);
	close(bfd);
}
END_TEST

/*
 * Probes that outlast the interval (120 ms hangs, every 50 ms): never two
 * in flight, the slots that pass meanwhile skipped and counted late.
 */
START_TEST(test_target_late)
{
	union sockaddr_union su;
	int lfd, fill[FILL_MAX];
	struct target *tg;
	struct daemon d;

	ck_assert_int_ne(lfd = tcp_listen(AF_INET, 0, 0, 0, &su), -1);
	fill_accept_queue(&su, fill);
	ck_assert_int_eq(daemon_init(&d, base, NULL), 0);
	tg = target_make(&d, PROBE_PEERADDR, &su, 50 * MS, 120 * MS);
	target_start(tg, clock_mono_us());
	run_for(300);
	ck_assert_uint_ge(tg->res.failed, 1);
	ck_assert_uint_eq(tg->res.ok, 0);
	/* one at a time: at most the finished ones and one in flight */
	ck_assert_uint_le(tg->res.probes, tg->res.failed + 1);
	ck_assert_uint_le(tg->res.probes, 3);
	ck_assert_uint_ge(tg->res.late, 2 * tg->res.failed);
	ck_assert_int_eq(tg->res.state, TARGET_DOWN);
	ck_assert_int_eq(tg->res.d->last.error, PERR_CONNECT_TIMEOUT);
	target_free(tg);
	daemon_finish(&d);
	fill_close(fill);
	close(lfd);
}
END_TEST

/*
 * Freed while a probe hangs in connect: its socket is closed, and no wake-up
 * comes later.  (The first probe starts at a name-derived offset within the
 * interval: 100 ms here, so it runs by 150 ms.)
 */
START_TEST(test_target_free_mid_probe)
{
	union sockaddr_union su;
	int lfd, fill[FILL_MAX], n0;
	struct target *tg;
	struct daemon d;

	ck_assert_int_ne(lfd = tcp_listen(AF_INET, 0, 0, 0, &su), -1);
	fill_accept_queue(&su, fill);
	ck_assert_int_eq(daemon_init(&d, base, NULL), 0);
	tg = target_make(&d, PROBE_PEERADDR, &su, 100 * MS, 1000 * MS);
	n0 = count_fds();
	target_start(tg, clock_mono_us());
	run_for(150);
	ck_assert_int_eq(tg->phase, TARGET_PROBING);
	ck_assert_uint_eq(tg->res.probes, 1);
	ck_assert_uint_eq(tg->res.failed + tg->res.ok, 0);
	ck_assert_int_eq(count_fds(), n0 + 1);	/* the probe's socket */
	target_free(tg);
	/* through io_uring, the close goes out at the end of the pass */
	if (!uring_is_on())
		ck_assert_msg(count_fds() == n0, "the probe's socket "
		    "outlived its target");
	run_for(30);		/* a stale wake-up would touch freed memory */
	ck_assert_msg(count_fds() == n0, "the probe's socket outlived its "
	    "target's pass of the reactor");
	daemon_finish(&d);
	fill_close(fill);
	close(lfd);
}
END_TEST

Suite *
probe_suite(void)
{
	/* run twice: on system calls, and with a ring (futd's way) */
	const TTest *both[] = {
		test_hello_payload, test_hello_big_slow_reader,
		test_hello_reset, test_hello_write_timeout, test_peeraddr_ipv4,
		test_peeraddr_ipv6, test_refused, test_connect_timeout,
		test_hello_connect_late, test_expect_banner,
		test_connect_timeout_then_next, test_source_address,
	};
	const TTest *both_target[] = {
		test_target_up, test_target_down, test_target_free_mid_probe,
	};
	Suite *s = suite_create("probe");
	TCase *tc, *tu;
	size_t i;

	tc = tcase_create("probes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tu = tcase_create("probes_uring");
	tcase_add_checked_fixture(tu, setup_uring, teardown);
	tcase_set_timeout(tu, 10);
	tcase_add_test(tu, test_uring_carries);
	tcase_add_test(tu, test_uring_dropped_in_batch);
	tcase_add_test(tu, test_uring_shutdown_then_drop);
	for (i = 0; i < sizeof(both) / sizeof(both[0]); i++) {
		tcase_add_test(tc, both[i]);
		tcase_add_test(tu, both[i]);
	}
	tcase_add_test(tc, test_peeraddr_by_name);
	tcase_add_test(tc, test_expect_after_payload);
	tcase_add_test(tc, test_expect_closed_early);
	tcase_add_test(tc, test_expect_read_timeout);
	tcase_add_test(tc, test_expect_mismatch_at_deadline);
	tcase_add_test(tc, test_expect_one_match_a_poll);
	tcase_add_test(tc, test_addresses_any_and_first);
	tcase_add_test(tc, test_dns_no_such_name);
	tcase_add_test(tc, test_dns_timeout);
	tcase_add_test(tc, test_local_address);
	tcase_add_test(tc, test_error_names);
	tcase_add_test(tc, test_classify_and_words);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tu);

	tc = tcase_create("target");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tu = tcase_create("target_uring");
	tcase_add_checked_fixture(tu, setup_uring, teardown);
	tcase_set_timeout(tu, 10);
	for (i = 0; i < sizeof(both_target) / sizeof(both_target[0]); i++) {
		tcase_add_test(tc, both_target[i]);
		tcase_add_test(tu, both_target[i]);
	}
	tcase_add_test(tc, test_target_late);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tu);

	return s;
}
