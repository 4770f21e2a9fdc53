/*
 * netutil.c - loopback sockets and timing for the unit suites of the futures
 * core and the probes (check_future.c, check_probe.c).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "netutil.h"
#include "tests.h"

/*
 * How early a timer may fire by our clock: an event_base_new() base (the
 * daemon's too) reads CLOCK_MONOTONIC_COARSE, one tick behind the precise
 * clock_mono_us() at most.
 */
uint64_t
timer_slack_us(void)
{
	struct timespec ts;

	if (clock_getres(CLOCK_MONOTONIC_COARSE, &ts) == -1)
		return 10 * MS;
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* A timer is in its executor's heap (a sleep armed), where it says. */
int
timer_in_heap(const struct executor *ex, const struct timer *tm)
{
	return tm->index != TIMER_IDLE && tm->index < ex->timers.n &&
	    ex->timers.heap[tm->index].t == tm;
}

/* A wait of `want` us took `took`: not early (but for the tick), not late. */
void
assert_took(const char *what, uint64_t took, uint64_t want, uint64_t margin)
{
	ck_assert_msg(took + timer_slack_us() >= want && took < want + margin,
	    "%s took %.3f ms, want %.0f ms (+ %.0f)", what, took / 1e3,
	    want / 1e3, margin / 1e3);
}

void
loopback(int family, uint16_t port, union sockaddr_union *su)
{
	ck_assert_int_eq(sockaddr_parse_numeric(family == AF_INET6 ? "::1" :
	    "127.0.0.1", port, su), 0);
}

uint16_t
port_of(const union sockaddr_union *su)
{
	return ntohs(su->sa.sa_family == AF_INET6 ? su->sin6.sin6_port :
	    su->sin.sin_port);
}

/*
 * A TCP socket on a loopback port (the kernel's choice when port is 0):
 * listening with `backlog`, or with backlog < 0 only bound (a closed port
 * that nobody else takes while we hold it).  rcvbuf > 0: a small receive
 * buffer, which accepted sockets inherit.  -1 when the address is missing.
 */
int
tcp_listen(int family, uint16_t port, int backlog, int rcvbuf,
    union sockaddr_union *su)
{
	socklen_t len;
	int fd;

	loopback(family, port, su);
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (rcvbuf > 0)
		ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf)), 0);
	len = sockaddr_len(su);
	if (bind(fd, &su->sa, len) == -1 ||
	    (backlog >= 0 && listen(fd, backlog) == -1) ||
	    getsockname(fd, &su->sa, &len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Fill the accept queue of a backlog-0 listener that nobody accepts from
 * until a connection hangs (its SYNs are dropped): from then on a connect to
 * it can only time out.
 */
void
fill_accept_queue(const union sockaddr_union *su, int fill[FILL_MAX])
{
	struct pollfd pfd;
	int i;

	for (i = 0; i < FILL_MAX; i++)
		fill[i] = -1;
	for (i = 0; i < FILL_MAX; i++) {
		fill[i] = socket(su->sa.sa_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		ck_assert_int_ne(fill[i], -1);
		if (connect(fill[i], &su->sa, sockaddr_len(su)) == -1)
			ck_assert_int_eq(errno, EINPROGRESS);
		pfd.fd = fill[i];
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, 50) == 0)
			return;		/* this one hangs: the queue is full */
	}
	ck_abort_msg("a backlog-0 accept queue took %d connections", FILL_MAX);
}

void
fill_close(int fill[FILL_MAX])
{
	int i;

	for (i = 0; i < FILL_MAX; i++)
		if (fill[i] != -1)
			close(fill[i]);
}
