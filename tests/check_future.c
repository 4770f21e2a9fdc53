/*
 * check_future.c - the futures core (task.c) and the leaf futures (net.c),
 * on a real event_base and real loopback sockets: no mocks.
 *
 * What the executor promises, and what is counted here: a task is polled
 * once when it is spawned and afterwards once per wake-up that something it
 * armed delivers; never re-entered, never "just in case".  What a leaf
 * promises: PENDING only with a wake-up armed (an event pending on the
 * reactor, or a resolver request in flight).
 *
 * Every test gets a fresh event_base (checked fixture) and every wait is
 * bounded by a timer.  Only 127.0.0.1 and ::1 are used: the resolver tests
 * talk to a DNS stub of ours on 127.0.0.1, never to resolv.conf's servers.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "future.h"
#include "net.h"
#include "netutil.h"
#include "tests.h"

#define MIB		(1024 * 1024)

static struct event_base	*base;
static struct executor		 ex;

static void
setup(void)
{
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	ck_assert_int_eq(executor_init(&ex, base), 0);
}

static void
teardown(void)
{
	executor_finish(&ex);
	event_base_free(base);
	base = NULL;
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

static uint64_t
ms_since(uint64_t us)
{
	return (clock_mono_us() - us) / MS;
}


/* sockets */


/* Exactly n bytes from a non-blocking socket within ms, or fail. */
static void
recv_exact(int fd, void *buf, size_t n, int ms)
{
	struct pollfd pfd;
	size_t off = 0;
	ssize_t r;

	while (off < n) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		ck_assert_int_eq(poll(&pfd, 1, ms), 1);
		r = recv(fd, (char *)buf + off, n - off, 0);
		ck_assert_msg(r > 0, "recv: %zd (%s)", r, strerror(errno));
		off += (size_t)r;
	}
}

static void
fmt(const union sockaddr_union *su, char buf[SOCKADDR_STRLEN])
{
	sockaddr_format(su, buf, SOCKADDR_STRLEN);
}

/*
 * A sink: accepts one connection on the reactor and reads it to EOF, at
 * most `chunk` bytes per wake-up (a slow reader), into a buffer of `cap`.
 */
struct sink {
	int		 lfd;
	int		 fd;
	struct event	*accept_ev;
	struct event	*read_ev;
	unsigned char	*buf;
	size_t		 len;
	size_t		 cap;
	size_t		 chunk;
	size_t		 overflow;	/* bytes beyond cap */
	unsigned	 reads;
	int		 eof;
	int		 err;
};

static void
sink_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sink *s = arg;
	unsigned char spill[4096], *p;
	size_t want;
	ssize_t n;

	(void)what;
	if (s->len < s->cap) {
		p = s->buf + s->len;
		want = s->cap - s->len;
	} else {
		p = spill;
		want = sizeof(spill);
	}
	if (want > s->chunk)
		want = s->chunk;
	n = recv(fd, p, want, 0);
	if (n > 0) {
		s->reads++;
		if (p == spill)
			s->overflow += (size_t)n;
		else
			s->len += (size_t)n;
		return;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	s->err = n == 0 ? 0 : errno;
	s->eof = 1;
	event_del(s->read_ev);
}

static void
sink_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct sink *s = arg;

	(void)what;
	if ((s->fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) == -1)
		return;
	event_del(s->accept_ev);
	s->read_ev = event_new(base, s->fd, EV_READ | EV_PERSIST, sink_read_cb,
	    s);
	ck_assert_ptr_nonnull(s->read_ev);
	ck_assert_int_eq(event_add(s->read_ev, NULL), 0);
}

static void
sink_start(struct sink *s, int lfd, size_t cap, size_t chunk)
{
	memset(s, 0, sizeof(*s));
	s->lfd = lfd;
	s->fd = -1;
	s->cap = cap;
	s->chunk = chunk;
	s->buf = malloc(cap);
	ck_assert_ptr_nonnull(s->buf);
	s->accept_ev = event_new(base, lfd, EV_READ | EV_PERSIST,
	    sink_accept_cb, s);
	ck_assert_ptr_nonnull(s->accept_ev);
	ck_assert_int_eq(event_add(s->accept_ev, NULL), 0);
}

static void
sink_free(struct sink *s)
{
	if (s->read_ev != NULL)
		event_free(s->read_ev);
	if (s->accept_ev != NULL)
		event_free(s->accept_ev);
	if (s->fd != -1)
		close(s->fd);
	free(s->buf);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
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

static void
dns_stub_start(struct dns_stub *ds, int answer)
{
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
}

static void
dns_stub_free(struct dns_stub *ds)
{
	event_free(ds->ev);
	close(ds->fd);
}

/*
 * An evdns_base that knows only our stub as its one nameserver, or (ds
 * NULL) none at all: never resolv.conf's servers.  (The hosts file is
 * dns.c's own table: hosts_load.)
 */
static struct evdns_base *
dns_new(const struct dns_stub *ds)
{
	struct evdns_base *dns;

	dns = evdns_base_new(base, 0);
	ck_assert_ptr_nonnull(dns);
	if (ds == NULL)
		return dns;
	ck_assert_int_eq(evdns_base_nameserver_sockaddr_add(dns, &ds->addr.sa,
	    sockaddr_len(&ds->addr), 0), 0);
	ck_assert_int_eq(evdns_base_set_option(dns, "timeout:", "1"), 0);
	ck_assert_int_eq(evdns_base_set_option(dns, "attempts:", "1"), 0);
	return dns;
}

/*
 * A task under test.  Each test future embeds it first, so that the task's
 * argument is both.  The poll functions report every answer through
 * tt_note(), which checks the PENDING rule as the answer leaves the task.
 */
struct tt {
	struct task	 task;
	enum poll	 result;
	int		 done;		/* times the done callback ran */
	uint64_t	 t0;		/* spawned, monotonic us */
	uint64_t	 t1;		/* done */
	unsigned	 pending;	/* PENDING answers */
	unsigned	 unarmed;	/* ... with nothing armed: must be 0 */
};

static void
tt_done(struct task *t, enum poll r, void *arg)
{
	struct tt *tt = arg;

	ck_assert_ptr_eq(&tt->task, t);
	tt->result = r;
	tt->done++;
	tt->t1 = clock_mono_us();
}

static void
tt_spawn(struct tt *tt, task_poll_fn fn)
{
	tt->result = POLL_PENDING;
	tt->done = 0;
	tt->pending = tt->unarmed = 0;
	task_init(&tt->task, &ex, fn, tt_done, tt);
	tt->t0 = clock_mono_us();
	task_spawn(&tt->task);
}

static enum poll
tt_note(struct tt *tt, enum poll r, int armed)
{
	if (r == POLL_PENDING) {
		tt->pending++;
		if (!armed)
			tt->unarmed++;
	}
	return r;
}

/* A waiter that will wake its task: armed, and its event on the reactor. */
static int
armed(const struct waiter *w)
{
	return w->armed &&
	    event_pending(&w->ev, EV_READ | EV_WRITE | EV_TIMEOUT, NULL);
}

/* A sleep's timer is in the executor's heap, and only while armed. */
static int
sleep_armed(const struct sleep_fut *s)
{
	return timer_in_heap(&ex, &s->tm);
}

/*
 * Polled on spawn, then once per PENDING it answered with a wake-up armed:
 * no poll without a wake-up, no PENDING without one armed.
 */
static void
assert_polled_only_when_woken(const struct tt *tt)
{
	ck_assert_msg(tt->unarmed == 0, "%u PENDING answers with nothing "
	    "armed", tt->unarmed);
	ck_assert_msg(tt->task.polls == (uint64_t)tt->pending + 1,
	    "polled %llu times for %u PENDING answers",
	    (unsigned long long)tt->task.polls, tt->pending);
}

/* The executor */

/* A future that is ready at once. */
struct once {
	struct tt	 tt;
	int		 value;
};

static enum poll
once_poll(struct task *t, void *arg)
{
	struct once *o = arg;

	(void)t;
	o->value = 42;
	return tt_note(&o->tt, POLL_READY, 0);
}

START_TEST(test_ready_at_once)
{
	struct once o;

	memset(&o, 0, sizeof(o));
	tt_spawn(&o.tt, once_poll);
	/* spawning queues it: the first poll is the reactor's */
	ck_assert_uint_eq(o.tt.task.polls, 0);
	ck_assert_uint_eq(ex.runq_len, 1);
	ck_assert(run_until(&o.tt.done, 1000));
	ck_assert_int_eq(o.tt.result, POLL_READY);
	ck_assert_int_eq(o.value, 42);
	ck_assert_uint_eq(o.tt.task.polls, 1);
	ck_assert_uint_eq(ex.polls, 1);
	ck_assert_uint_eq(ex.wakes, 0);
	ck_assert_uint_eq(ex.runq_len, 0);

	/* done is done: a late wake-up and more passes poll nothing */
	task_wake(&o.tt.task);
	run_for(20);
	ck_assert_uint_eq(o.tt.task.polls, 1);
	ck_assert_int_eq(o.tt.done, 1);
}
END_TEST

/* The seed's shape: an enum of states, a poll that loops until blocked. */
enum nap_state { NAP_START, NAP_SLEEPING, NAP_DONE };

struct nap {
	struct tt		 tt;
	enum nap_state		 state;
	uint64_t		 usec;
	struct sleep_fut	 sleep;
};

static enum poll
nap_step(struct nap *n, struct task *t)
{
	for (;;) {
		switch (n->state) {
		case NAP_START:
			sleep_init(&n->sleep, n->usec);
			n->state = NAP_SLEEPING;
			break;
		case NAP_SLEEPING:
			TRY_READY(sleep_poll(&n->sleep, t));
			n->state = NAP_DONE;
			break;
		case NAP_DONE:
			return POLL_READY;
		}
	}
}

static enum poll
nap_poll(struct task *t, void *arg)
{
	struct nap *n = arg;
	enum poll r = nap_step(n, t);

	return tt_note(&n->tt, r, sleep_armed(&n->sleep));
}

static void
nap_spawn(struct nap *n, uint64_t usec)
{
	memset(n, 0, sizeof(*n));
	n->usec = usec;
	tt_spawn(&n->tt, nap_poll);
}

START_TEST(test_sleep_polled_twice)
{
	struct nap n;
	uint64_t polls;

	nap_spawn(&n, 50 * MS);
	ck_assert(run_until(&n.tt.done, 2000));
	ck_assert_int_eq(n.tt.result, POLL_READY);
	ck_assert_int_eq(n.state, NAP_DONE);
	/*
	 * spawn, then the timer: nothing in between, nothing after (the
	 * executor's heap reads our clock: it never wakes a sleep early).
	 */
	ck_assert_uint_eq(n.tt.task.polls, 2);
	ck_assert_uint_eq(ex.polls, 2);
	ck_assert_uint_eq(ex.wakes, 1);
	ck_assert_uint_eq(n.tt.pending, 1);
	assert_polled_only_when_woken(&n.tt);
	ck_assert(!sleep_armed(&n.sleep));
	ck_assert_uint_eq(ex.timers.n, 0);
	polls = n.tt.task.polls;
	run_for(60);
	ck_assert_uint_eq(n.tt.task.polls, polls);
}
END_TEST

START_TEST(test_sleep_duration)
{
	struct nap n;

	nap_spawn(&n, 100 * MS);
	ck_assert(run_until(&n.tt.done, 2000));
	assert_took("a 100 ms sleep", n.tt.t1 - n.tt.t0, 100 * MS, 200 * MS);
	assert_polled_only_when_woken(&n.tt);
	/* done stays done, and arms nothing */
	ck_assert_int_eq(sleep_poll(&n.sleep, &n.tt.task), POLL_READY);
	ck_assert(!sleep_armed(&n.sleep));
	ck_assert_uint_eq(ex.timers.n, 0);
}
END_TEST

/* Dropped, a sleep takes its wake-up with it: the task is never woken. */
START_TEST(test_sleep_drop)
{
	struct nap n;

	nap_spawn(&n, 30 * MS);
	run_for(10);
	ck_assert_uint_eq(n.tt.task.polls, 1);
	ck_assert(sleep_armed(&n.sleep));
	sleep_drop(&n.sleep);
	ck_assert(!sleep_armed(&n.sleep));
	ck_assert_uint_eq(ex.timers.n, 0);
	task_cancel(&n.tt.task);
	run_for(60);
	ck_assert_uint_eq(n.tt.task.polls, 1);
	ck_assert_uint_eq(ex.wakes, 0);
	ck_assert_int_eq(n.tt.done, 0);
}
END_TEST

/*
 * A sleep that ended is started again in the poll that saw it end (as a
 * probe of addresses = "each" starts its next address's timeout): each
 * round waits its whole time, and one timer is in the heap, not two.
 */
struct naps {
	struct tt		 tt;
	unsigned		 left;
	struct sleep_fut	 sleep;
};

static enum poll
naps_poll(struct task *t, void *arg)
{
	struct naps *n = arg;
	enum poll r;

	for (;;) {
		r = sleep_poll(&n->sleep, t);
		if (r != POLL_READY || --n->left == 0)
			break;
		sleep_init(&n->sleep, 20 * MS);
	}
	/* while PENDING, exactly our timer waits */
	return tt_note(&n->tt, r, sleep_armed(&n->sleep) &&
	    ex.timers.n == 1);
}

START_TEST(test_sleep_again)
{
	struct naps n;

	memset(&n, 0, sizeof(n));
	n.left = 3;
	sleep_init(&n.sleep, 20 * MS);
	tt_spawn(&n.tt, naps_poll);
	ck_assert(run_until(&n.tt.done, 2000));
	ck_assert_int_eq(n.tt.result, POLL_READY);
	assert_took("three 20 ms sleeps", n.tt.t1 - n.tt.t0, 60 * MS,
	    200 * MS);
	/* spawn, then each sleep's end: none woke early */
	ck_assert_uint_eq(n.tt.task.polls, 4);
	assert_polled_only_when_woken(&n.tt);
	ck_assert_uint_eq(ex.timers.n, 0);
}
END_TEST

/* Breaks the rule: PENDING with nothing armed.  It must be left alone. */
struct lazy {
	struct tt	 tt;
};

static enum poll
lazy_poll(struct task *t, void *arg)
{
	struct lazy *l = arg;

	(void)t;
	l->tt.pending++;
	return POLL_PENDING;
}

START_TEST(test_pending_unarmed_not_repolled)
{
	struct lazy l;
	uint64_t t0;

	memset(&l, 0, sizeof(l));
	tt_spawn(&l.tt, lazy_poll);
	t0 = clock_mono_us();
	run_for(100);
	/* the loop really ran */
	ck_assert_uint_ge(ms_since(t0) * MS + timer_slack_us(), 100 * MS);
	ck_assert_uint_eq(l.tt.task.polls, 1);
	ck_assert_uint_eq(ex.polls, 1);
	ck_assert_uint_eq(ex.wakes, 0);
	ck_assert_int_eq(l.tt.done, 0);
	task_cancel(&l.tt.task);
}
END_TEST

/* A task cancelled before its first pass is never polled. */
START_TEST(test_cancel_queued)
{
	struct once o;

	memset(&o, 0, sizeof(o));
	tt_spawn(&o.tt, once_poll);
	task_cancel(&o.tt.task);
	ck_assert_uint_eq(ex.runq_len, 0);
	run_for(20);
	ck_assert_uint_eq(o.tt.task.polls, 0);
	ck_assert_int_eq(o.tt.done, 0);
	ck_assert_int_eq(o.value, 0);
}
END_TEST

/*
 * A wake-up that arrives from inside the task's own poll (what a resolver
 * answering from /etc/hosts does): remembered, the task polled again after
 * the poll returns, never re-entered.  Two wakes, one more poll.
 */
struct selfwake {
	struct tt	 tt;
	int		 in_poll;
	int		 reentered;
	uint64_t	 polls_in_wake;	/* polls that ran inside task_wake */
};

static enum poll
selfwake_poll(struct task *t, void *arg)
{
	struct selfwake *s = arg;
	uint64_t before;

	if (s->in_poll)
		s->reentered++;
	s->in_poll = 1;
	if (t->polls == 1) {
		before = t->polls;
		task_wake(t);
		task_wake(t);
		s->polls_in_wake = t->polls - before;
		s->in_poll = 0;
		return tt_note(&s->tt, POLL_PENDING, 1);	/* woken */
	}
	s->in_poll = 0;
	return tt_note(&s->tt, POLL_READY, 0);
}

START_TEST(test_wake_inside_poll)
{
	struct selfwake s;

	memset(&s, 0, sizeof(s));
	tt_spawn(&s.tt, selfwake_poll);
	ck_assert(run_until(&s.tt.done, 1000));
	ck_assert_int_eq(s.reentered, 0);
	ck_assert_uint_eq(s.polls_in_wake, 0);
	ck_assert_int_eq(s.tt.result, POLL_READY);
	ck_assert_uint_eq(s.tt.task.polls, 2);
	ck_assert_uint_eq(ex.wakes, 2);
	ck_assert_int_eq(s.tt.done, 1);
}
END_TEST

/*
 * task.c promises that "a task scheduled while we run goes to the next
 * pass, so timers and sockets are never starved".  A task that yields
 * (task_schedule itself, PENDING: what a semaphore hand-off does) for 60 ms
 * on end, and a timer due after 5 ms: the timer must get its turn while the
 * task still yields, not after it is done.
 */
struct yielder {
	struct tt	 tt;
	uint64_t	 until_us;
	uint64_t	 polls_at_timer;
	int		 done_at_timer;
	int		 fired;
	uint64_t	 fired_us;
};

static enum poll
yielder_poll(struct task *t, void *arg)
{
	struct yielder *y = arg;

	if (clock_mono_us() < y->until_us && t->polls < 10000000) {
		task_schedule(t);
		return tt_note(&y->tt, POLL_PENDING, 1);
	}
	return tt_note(&y->tt, POLL_READY, 0);
}

static void
yielder_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct yielder *y = arg;

	(void)fd;
	(void)what;
	y->fired = 1;
	y->fired_us = clock_mono_us();
	y->polls_at_timer = y->tt.task.polls;
	y->done_at_timer = y->tt.done;
}

START_TEST(test_schedule_does_not_starve)
{
	struct timeval tv = { 0, 5000 };
	struct yielder y;
	struct event *ev;

	memset(&y, 0, sizeof(y));
	ev = evtimer_new(base, yielder_timer_cb, &y);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(evtimer_add(ev, &tv), 0);
	y.until_us = clock_mono_us() + 60 * MS;
	tt_spawn(&y.tt, yielder_poll);
	run_until(&y.tt.done, 2000);
	run_until(&y.fired, 1000);
	event_free(ev);
	ck_assert(y.tt.done);
	ck_assert(y.fired);
	ck_assert_msg(!y.done_at_timer, "a 5 ms timer waited %.1f ms, until "
	    "a task that kept rescheduling itself was done (%llu polls, all "
	    "in one pass of the event loop)", (y.fired_us - y.tt.t0) / 1e3,
	    (unsigned long long)y.polls_at_timer);
	ck_assert_uint_lt(y.fired_us - y.tt.t0, 50 * MS);
}
END_TEST

/*
 * A wake-up from a reactor callback (what waiter_cb does) polls the task at
 * once, inside task_wake, with nothing of the task on the stack.
 */
struct extwake {
	struct tt	 tt;
	struct event	*ev;
	uint64_t	 polls_before;
	uint64_t	 polls_after;
};

static void
extwake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct extwake *e = arg;

	(void)fd;
	(void)what;
	e->polls_before = e->tt.task.polls;
	task_wake(&e->tt.task);
	e->polls_after = e->tt.task.polls;
}

static enum poll
extwake_poll(struct task *t, void *arg)
{
	struct extwake *e = arg;
	struct timeval tv = { 0, 10000 };

	if (t->polls == 1) {
		ck_assert_int_eq(evtimer_add(e->ev, &tv), 0);
		return tt_note(&e->tt, POLL_PENDING,
		    event_pending(e->ev, EV_TIMEOUT, NULL));
	}
	return tt_note(&e->tt, POLL_READY, 0);
}

START_TEST(test_wake_from_reactor)
{
	struct extwake e;

	memset(&e, 0, sizeof(e));
	e.ev = evtimer_new(base, extwake_cb, &e);
	ck_assert_ptr_nonnull(e.ev);
	tt_spawn(&e.tt, extwake_poll);
	ck_assert(run_until(&e.tt.done, 1000));
	ck_assert_uint_eq(e.polls_before, 1);
	ck_assert_uint_eq(e.polls_after, 2);
	assert_polled_only_when_woken(&e.tt);
	event_free(e.ev);
}
END_TEST

/*
 * A semaphore of one (max_inflight = 1) and three tasks that each hold it
 * for a 20 ms sleep: one holder at a time, in the order they came, a
 * release hands the slot over by scheduling the next (not polling it from
 * inside the releaser), and every poll has its wake-up.
 */
enum holder_state { HOLD_ACQUIRE, HOLD_SLEEP, HOLD_DONE };

struct holder {
	struct tt		 tt;
	enum holder_state	 state;
	struct sem		*sem;
	struct sem_wait		 sw;
	struct sleep_fut	 sleep;
	int			 order;		/* 1st, 2nd... to hold it */
};

static int		 sem_holders, sem_max_holders, sem_order;
static struct holder	*sem_next;		/* the one we hand over to */
static uint64_t		 sem_next_polls;
static int		 sem_polled_inside = -1;

static enum poll
holder_step(struct holder *h, struct task *t)
{
	for (;;) {
		switch (h->state) {
		case HOLD_ACQUIRE:
			TRY_READY(sem_acquire(h->sem, &h->sw, t));
			h->order = ++sem_order;
			if (++sem_holders > sem_max_holders)
				sem_max_holders = sem_holders;
			sleep_init(&h->sleep, 20 * MS);
			h->state = HOLD_SLEEP;
			break;
		case HOLD_SLEEP:
			TRY_READY(sleep_poll(&h->sleep, t));
			sem_holders--;
			if (sem_next != NULL)
				sem_next_polls = sem_next->tt.task.polls;
			sem_release(h->sem, &h->sw);
			if (sem_next != NULL && sem_polled_inside == -1)
				sem_polled_inside =
				    sem_next->tt.task.polls != sem_next_polls;
			h->state = HOLD_DONE;
			break;
		case HOLD_DONE:
			return POLL_READY;
		}
	}
}

static enum poll
holder_poll(struct task *t, void *arg)
{
	struct holder *h = arg;
	enum poll r = holder_step(h, t);

	return tt_note(&h->tt, r, h->sw.state == SEM_QUEUED ||
	    sleep_armed(&h->sleep));
}

START_TEST(test_semaphore)
{
	struct holder h[3];
	struct sem sem;
	int i;

	sem_holders = sem_max_holders = sem_order = 0;
	sem_polled_inside = -1;
	sem_init(&sem, 1);
	for (i = 0; i < 3; i++) {
		memset(&h[i], 0, sizeof(h[i]));
		h[i].sem = &sem;
		sem_wait_init(&h[i].sw);
	}
	sem_next = &h[1];
	for (i = 0; i < 3; i++)
		tt_spawn(&h[i].tt, holder_poll);
	ck_assert(run_until(&h[2].tt.done, 2000));
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(h[i].tt.result, POLL_READY);
		ck_assert_int_eq(h[i].order, i + 1);
		assert_polled_only_when_woken(&h[i].tt);
	}
	ck_assert_int_eq(sem_max_holders, 1);
	ck_assert_int_eq(sem_polled_inside, 0);
	ck_assert_uint_eq(sem.waits, 2);
	ck_assert_uint_eq(sem.used, 0);
	/*
	 * the first: spawn, sleep; the others: spawn, the slot, sleep (and
	 * each one more if its sleep fired a hair early and armed again)
	 */
	ck_assert_uint_ge(h[0].tt.task.polls, 2);
	ck_assert_uint_le(h[0].tt.task.polls, 3);
	ck_assert_uint_ge(h[1].tt.task.polls, 3);
	ck_assert_uint_le(h[1].tt.task.polls, 4);
	ck_assert_uint_ge(h[2].tt.task.polls, 3);
	ck_assert_uint_le(h[2].tt.task.polls, 4);
	ck_assert_uint_ge(h[2].tt.t1 - h[0].tt.t0 + 3 * timer_slack_us(),
	    60 * MS);
}
END_TEST

/*
 * The seed's HelloWorld, by hand: Connecting, then Connected (writing the
 * whole buffer, partial writes and all).  Connect and write share one
 * waiter, as a probe's do.
 */
enum hw_state { HW_CONNECTING, HW_WRITING, HW_DONE };

struct hello_world {
	struct tt		 tt;
	enum hw_state		 state;
	struct waiter		 w;
	struct connect_fut	 connect;
	struct write_fut	 write;
	int			 fd;
	const unsigned char	*data;
	size_t			 len;
	int			 sndbuf;	/* > 0: small, partial writes */
	unsigned		 write_pending;
};

static enum poll
hw_step(struct hello_world *hw, struct task *t)
{
	enum poll r;

	for (;;) {
		switch (hw->state) {
		case HW_CONNECTING:
			TRY_READY(connect_poll(&hw->connect, t));
			hw->fd = connect_take(&hw->connect);
			if (hw->sndbuf > 0 && setsockopt(hw->fd, SOL_SOCKET,
			    SO_SNDBUF, &hw->sndbuf, sizeof(hw->sndbuf)) == -1)
				return POLL_ERROR;
			write_init(&hw->write, &hw->w, hw->fd, hw->data,
			    hw->len);
			hw->state = HW_WRITING;
			break;
		case HW_WRITING:
			r = write_poll(&hw->write, t);
			if (r == POLL_PENDING)
				hw->write_pending++;
			TRY_READY(r);
			close(hw->fd);
			hw->fd = -1;
			hw->state = HW_DONE;
			break;
		case HW_DONE:
			return POLL_READY;
		}
	}
}

static enum poll
hw_poll(struct task *t, void *arg)
{
	struct hello_world *hw = arg;
	enum poll r = hw_step(hw, t);

	return tt_note(&hw->tt, r, armed(&hw->w));
}

static void
hw_spawn(struct hello_world *hw, const union sockaddr_union *to,
    const void *data, size_t len, int sndbuf)
{
	memset(hw, 0, sizeof(*hw));
	waiter_init(&hw->w);
	connect_init(&hw->connect, &hw->w, to, NULL);
	hw->fd = -1;
	hw->data = data;
	hw->len = len;
	hw->sndbuf = sndbuf;
	tt_spawn(&hw->tt, hw_poll);
}

static void
hw_free(struct hello_world *hw)
{
	connect_drop(&hw->connect);
	if (hw->fd != -1)
		close(hw->fd);
}

START_TEST(test_hello_world)
{
	struct hello_world hw;
	union sockaddr_union su;
	struct sink s;
	int lfd;

	ck_assert_int_ne(lfd = tcp_listen(AF_INET, 0, 8, 0, &su), -1);
	sink_start(&s, lfd, 64, 64);
	hw_spawn(&hw, &su, "hello world", 11, 0);
	ck_assert(run_until(&hw.tt.done, 2000));
	ck_assert_int_eq(hw.tt.result, POLL_READY);
	ck_assert_int_eq(hw.state, HW_DONE);
	/* connecting is PENDING once (loopback is quick, not synchronous) */
	ck_assert_uint_le(hw.tt.task.polls, 2);
	assert_polled_only_when_woken(&hw.tt);
	ck_assert(run_until(&s.eof, 2000));
	ck_assert_int_eq(s.err, 0);
	ck_assert_uint_eq(s.len, 11);
	ck_assert_mem_eq(s.buf, "hello world", 11);
	hw_free(&hw);
	sink_free(&s);
	close(lfd);
}
END_TEST

/* connect */

struct conn_task {
	struct tt		 tt;
	struct waiter		 w;
	struct connect_fut	 c;
};

static enum poll
conn_poll(struct task *t, void *arg)
{
	struct conn_task *ct = arg;
	enum poll r = connect_poll(&ct->c, t);

	return tt_note(&ct->tt, r, armed(&ct->w));
}

static void
conn_spawn(struct conn_task *ct, const union sockaddr_union *to)
{
	memset(ct, 0, sizeof(*ct));
	waiter_init(&ct->w);
	connect_init(&ct->c, &ct->w, to, NULL);
	tt_spawn(&ct->tt, conn_poll);
}

/* Connect to a listener on `family`'s loopback; the socket must work. */
static void
connect_and_talk(int family)
{
	char want[SOCKADDR_STRLEN], got[SOCKADDR_STRLEN], buf[4];
	union sockaddr_union su, peer;
	struct conn_task ct;
	socklen_t len;
	int lfd, fd, afd;

	lfd = tcp_listen(family, 0, 8, 0, &su);
	if (lfd == -1 && family == AF_INET6 && (errno == EAFNOSUPPORT ||
	    errno == EADDRNOTAVAIL)) {
		fprintf(stderr, "check_future: no ::1 here, IPv6 connect "
		    "not tested\n");
		return;
	}
	ck_assert_int_ne(lfd, -1);
	conn_spawn(&ct, &su);
	ck_assert(run_until(&ct.tt.done, 2000));
	ck_assert_msg(ct.tt.result == POLL_READY, "connect: %s",
	    strerror(ct.c.err));
	ck_assert_int_eq(ct.c.err, 0);
	ck_assert_int_ge(ct.c.fd, 0);
	assert_polled_only_when_woken(&ct.tt);
	ck_assert(!ct.w.armed);

	/* polled again when done, it stays READY and arms nothing */
	ck_assert_int_eq(connect_poll(&ct.c, &ct.tt.task), POLL_READY);
	ck_assert(!ct.w.armed);

	fd = connect_take(&ct.c);
	ck_assert_int_eq(ct.c.fd, -1);
	len = sizeof(peer);
	ck_assert_int_eq(getpeername(fd, &peer.sa, &len), 0);
	fmt(&su, want);
	fmt(&peer, got);
	ck_assert_str_eq(got, want);

	/* both ways through the connection */
	afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ck_assert_int_ne(afd, -1);
	ck_assert_int_eq(send(fd, "ping", 4, MSG_NOSIGNAL), 4);
	recv_exact(afd, buf, 4, 1000);
	ck_assert_mem_eq(buf, "ping", 4);
	ck_assert_int_eq(send(afd, "pong", 4, MSG_NOSIGNAL), 4);
	recv_exact(fd, buf, 4, 1000);
	ck_assert_mem_eq(buf, "pong", 4);
	close(afd);
	close(fd);
	close(lfd);
}

START_TEST(test_connect_ipv4)
{
	connect_and_talk(AF_INET);
}
END_TEST

START_TEST(test_connect_ipv6)
{
	connect_and_talk(AF_INET6);
}
END_TEST

START_TEST(test_connect_refused)
{
	union sockaddr_union su;
	struct conn_task ct;
	int bfd;

	/* bound, not listening: nobody can take the port meanwhile */
	ck_assert_int_ne(bfd = tcp_listen(AF_INET, 0, -1, 0, &su), -1);
	conn_spawn(&ct, &su);
	ck_assert(run_until(&ct.tt.done, 2000));
	ck_assert_int_eq(ct.tt.result, POLL_ERROR);
	ck_assert_msg(ct.c.err == ECONNREFUSED, "err %d (%s), want "
	    "ECONNREFUSED", ct.c.err, strerror(ct.c.err));
	ck_assert_int_eq(ct.c.fd, -1);
	ck_assert(!ct.w.armed);
	assert_polled_only_when_woken(&ct.tt);
	ck_assert_uint_lt((ct.tt.t1 - ct.tt.t0) / MS, 1000);
	/* an error stays an error */
	ck_assert_int_eq(connect_poll(&ct.c, &ct.tt.task), POLL_ERROR);
	close(bfd);
}
END_TEST

/* write: 1 MiB through a tiny window to a slow reader, in order. */
START_TEST(test_write_partial)
{
	static unsigned char data[MIB];
	struct hello_world hw;
	union sockaddr_union su;
	struct sink s;
	size_t i;
	int lfd;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)((i * 2654435761u) >> 13);
	ck_assert_int_ne(lfd = tcp_listen(AF_INET, 0, 8, 4096, &su), -1);
	sink_start(&s, lfd, sizeof(data) + 1, 4096);
	hw_spawn(&hw, &su, data, sizeof(data), 16384);
	ck_assert(run_until(&hw.tt.done, 4000));
	ck_assert_int_eq(hw.tt.result, POLL_READY);
	ck_assert_uint_eq(hw.write.off, sizeof(data));
	ck_assert_msg(hw.write_pending >= 1, "1 MiB went out without a "
	    "single partial write");
	assert_polled_only_when_woken(&hw.tt);
	ck_assert(run_until(&s.eof, 4000));
	ck_assert_int_eq(s.err, 0);
	ck_assert_uint_eq(s.overflow, 0);
	ck_assert_uint_eq(s.len, sizeof(data));
	ck_assert_msg(memcmp(s.buf, data, sizeof(data)) == 0,
	    "the bytes arrived changed or out of order");
	ck_assert_uint_gt(s.reads, 1);
	hw_free(&hw);
	sink_free(&s);
	close(lfd);
}
END_TEST

/* timeout */

struct to_task {
	struct tt		 tt;
	struct waiter		 w;	/* the inner future's */
	struct connect_fut	 c;
	struct sleep_fut	 s;
	struct timeout_fut	 to;
};

static enum poll
to_poll(struct task *t, void *arg)
{
	struct to_task *tt = arg;
	enum poll r = timeout_poll(&tt->to, t);

	/* PENDING: the inner future's wake-up and the deadline, both */
	return tt_note(&tt->tt, r, sleep_armed(&tt->to.timer) &&
	    (armed(&tt->w) || sleep_armed(&tt->s)));
}

static void
to_spawn(struct to_task *tt, struct future *inner, uint64_t usec)
{
	timeout_init(&tt->to, inner, usec);
	tt_spawn(&tt->tt, to_poll);
}

static void
to_prepare(struct to_task *tt)
{
	memset(tt, 0, sizeof(*tt));
	waiter_init(&tt->w);
}

START_TEST(test_timeout_connect)
{
	union sockaddr_union su;
	struct to_task tt;
	int lfd, fill[FILL_MAX];

	ck_assert_int_ne(lfd = tcp_listen(AF_INET, 0, 0, 0, &su), -1);
	fill_accept_queue(&su, fill);
	to_prepare(&tt);
	connect_init(&tt.c, &tt.w, &su, NULL);
	to_spawn(&tt, &tt.c.base, 200 * MS);
	ck_assert(run_until(&tt.tt.done, 2000));
	ck_assert_int_eq(tt.tt.result, POLL_ERROR);
	ck_assert_int_eq(tt.to.err, ETIMEDOUT);
	ck_assert(tt.to.expired);
	assert_took("a 200 ms timeout", tt.tt.t1 - tt.tt.t0, 200 * MS,
	    200 * MS);
	/* the inner connect was dropped: socket closed, nothing armed */
	ck_assert_int_eq(tt.c.fd, -1);
	ck_assert(!tt.w.armed);
	ck_assert(!sleep_armed(&tt.to.timer));
	ck_assert_uint_eq(ex.timers.n, 0);
	/* spawn, then the deadline */
	ck_assert_uint_eq(tt.tt.task.polls, 2);
	assert_polled_only_when_woken(&tt.tt);
	/* expired stays expired */
	ck_assert_int_eq(timeout_poll(&tt.to, &tt.tt.task), POLL_ERROR);
	ck_assert(!tt.w.armed);
	fill_close(fill);
	close(lfd);
}
END_TEST

START_TEST(test_timeout_inner_too_slow)
{
	struct to_task tt;

	to_prepare(&tt);
	sleep_init(&tt.s, 1000 * MS);
	to_spawn(&tt, &tt.s.base, 100 * MS);
	ck_assert(run_until(&tt.tt.done, 2000));
	ck_assert_int_eq(tt.tt.result, POLL_ERROR);
	ck_assert_int_eq(tt.to.err, ETIMEDOUT);
	assert_took("a 100 ms timeout", tt.tt.t1 - tt.tt.t0, 100 * MS,
	    200 * MS);
	/* the inner sleep was dropped: its timer is gone */
	ck_assert_int_eq(tt.s.state, SLEEP_INIT);
	ck_assert(!sleep_armed(&tt.s));
	ck_assert_uint_eq(ex.timers.n, 0);
	ck_assert_uint_eq(tt.tt.task.polls, 2);
	assert_polled_only_when_woken(&tt.tt);
}
END_TEST

START_TEST(test_timeout_inner_first)
{
	struct to_task tt;
	uint64_t polls;

	to_prepare(&tt);
	sleep_init(&tt.s, 30 * MS);
	to_spawn(&tt, &tt.s.base, 1000 * MS);
	ck_assert(run_until(&tt.tt.done, 2000));
	ck_assert_int_eq(tt.tt.result, POLL_READY);
	ck_assert(!tt.to.expired);
	ck_assert_int_eq(tt.to.err, 0);
	assert_took("a 30 ms sleep", tt.tt.t1 - tt.tt.t0, 30 * MS, 200 * MS);
	/* the deadline went with the answer */
	ck_assert(!sleep_armed(&tt.to.timer));
	ck_assert_uint_eq(ex.timers.n, 0);
	assert_polled_only_when_woken(&tt.tt);
	polls = tt.tt.task.polls;
	ck_assert_uint_eq(polls, 2);	/* spawn, the inner sleep's end */
	run_for(20);
	ck_assert_uint_eq(tt.tt.task.polls, polls);
}
END_TEST

/* resolve */

struct res_task {
	struct tt		 tt;
	struct resolve_fut	*r;
};

/* A lookup in flight is what wakes us: PENDING needs one. */
static int
res_in_flight(const struct resolve_fut *r)
{
	return r->req4 != NULL || r->req6 != NULL;
}

static enum poll
res_poll(struct task *t, void *arg)
{
	struct res_task *rt = arg;
	enum poll r = resolve_poll(rt->r, t);

	return tt_note(&rt->tt, r, res_in_flight(rt->r));
}

static void
res_spawn(struct res_task *rt, struct resolve_fut *r,
    struct evdns_base *dns, const char *host, uint16_t port, int family)
{
	memset(rt, 0, sizeof(*rt));
	rt->r = r;
	resolve_init(r, dns, host, port, family);
	tt_spawn(&rt->tt, res_poll);
}

static int
is_loopback(const union sockaddr_union *su)
{
	if (su->sa.sa_family == AF_INET)
		return (ntohl(su->sin.sin_addr.s_addr) >> 24) == 127;
	if (su->sa.sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&su->sin6.sin6_addr);
	return 0;
}

/* "localhost" from the system's hosts file: answered at once, no query. */
START_TEST(test_resolve_localhost)
{
	char got[SOCKADDR_STRLEN];
	struct evdns_base *dns;
	struct resolve_fut r;
	struct res_task rt;
	unsigned i;

	ck_assert_int_eq(hosts_load(NULL), 0);
	dns = dns_new(NULL);
	res_spawn(&rt, &r, dns, "localhost", 80, AF_UNSPEC);
	ck_assert(run_until(&rt.tt.done, 2000));
	fmt(&r.addr, got);
	ck_assert_msg(rt.tt.result == POLL_READY, "localhost: err %d (%s)",
	    r.err, resolve_strerror(r.err));
	ck_assert_int_eq(r.err, 0);
	ck_assert(r.from_hosts);
	ck_assert_msg(is_loopback(&r.addr), "localhost is %s", got);
	ck_assert_uint_eq(ntohs(r.addr.sin.sin_port), 80);
	ck_assert_uint_ge(r.naddrs, 1);
	for (i = 0; i < r.naddrs; i++)
		ck_assert(is_loopback(&r.addrs[i]));
	ck_assert(!res_in_flight(&r));
	ck_assert_uint_eq(rt.tt.task.polls, 1);
	ck_assert_uint_eq(ex.wakes, 0);
	ck_assert_int_eq(resolve_poll(&r, &rt.tt.task), POLL_READY);
	evdns_base_free(dns, 0);
	hosts_free();
}
END_TEST

/* A hosts file of ours: every address of a name, IPv4 first, the family. */
START_TEST(test_resolve_hosts_file)
{
	static const char text[] =
	    "# futd test\n"
	    "::1\t\tfutd-test-both\n"
	    "127.0.0.1 futd-test-both futd-test-alias   # trailing\n"
	    "not-an-address futd-test-bad\n";
	char path[] = "/tmp/futd-hosts-XXXXXX", got[SOCKADDR_STRLEN];
	struct evdns_base *dns;
	struct resolve_fut r;
	struct res_task rt;
	int fd;

	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1),
	    (ssize_t)(sizeof(text) - 1));
	close(fd);
	ck_assert_int_eq(hosts_load(path), 0);
	unlink(path);
	dns = dns_new(NULL);

	res_spawn(&rt, &r, dns, "FUTD-test-both", 7, AF_UNSPEC);
	ck_assert(run_until(&rt.tt.done, 1000));
	ck_assert_int_eq(rt.tt.result, POLL_READY);
	ck_assert_uint_eq(r.naddrs, 2);
	ck_assert_str_eq(sockaddr_format(&r.addrs[0], got, sizeof(got)),
	    "127.0.0.1:7");
	ck_assert_str_eq(sockaddr_format(&r.addrs[1], got, sizeof(got)),
	    "[::1]:7");
	ck_assert_str_eq(sockaddr_format(&r.addr, got, sizeof(got)),
	    "127.0.0.1:7");

	res_spawn(&rt, &r, dns, "futd-test-both", 7, AF_INET6);
	ck_assert(run_until(&rt.tt.done, 1000));
	ck_assert_int_eq(rt.tt.result, POLL_READY);
	ck_assert_uint_eq(r.naddrs, 1);
	ck_assert_str_eq(sockaddr_format(&r.addr, got, sizeof(got)),
	    "[::1]:7");

	res_spawn(&rt, &r, dns, "futd-test-alias", 8, AF_UNSPEC);
	ck_assert(run_until(&rt.tt.done, 1000));
	ck_assert_int_eq(rt.tt.result, POLL_READY);
	ck_assert_str_eq(sockaddr_format(&r.addr, got, sizeof(got)),
	    "127.0.0.1:8");
	evdns_base_free(dns, 0);
	hosts_free();
}
END_TEST

START_TEST(test_parse_numeric)
{
	union sockaddr_union su;
	char got[SOCKADDR_STRLEN];

	ck_assert_int_eq(sockaddr_parse_numeric("127.0.0.1", 8080, &su), 0);
	ck_assert_int_eq(su.sa.sa_family, AF_INET);
	ck_assert_uint_eq(ntohs(su.sin.sin_port), 8080);
	ck_assert_uint_eq(ntohl(su.sin.sin_addr.s_addr), INADDR_LOOPBACK);
	ck_assert_str_eq(sockaddr_format(&su, got, sizeof(got)),
	    "127.0.0.1:8080");
	ck_assert_int_eq(sockaddr_parse_numeric("::1", 8080, &su), 0);
	ck_assert_int_eq(su.sa.sa_family, AF_INET6);
	ck_assert(IN6_IS_ADDR_LOOPBACK(&su.sin6.sin6_addr));
	ck_assert_uint_eq(ntohs(su.sin6.sin6_port), 8080);
	ck_assert_str_eq(sockaddr_format(&su, got, sizeof(got)),
	    "[::1]:8080");
	/* names, and what only looks like an address */
	ck_assert_int_eq(sockaddr_parse_numeric("localhost", 1, &su), -1);
	ck_assert_int_eq(sockaddr_parse_numeric("256.0.0.1", 1, &su), -1);
	ck_assert_int_eq(sockaddr_parse_numeric("127.1", 1, &su), -1);
	ck_assert_int_eq(sockaddr_parse_numeric("[::1]", 1, &su), -1);
	ck_assert_int_eq(sockaddr_parse_numeric("", 1, &su), -1);
}
END_TEST

/*
 * A name nobody has: our stub says NXDOMAIN to both queries, the future
 * says ERROR with "no such name", after exactly one wake-up.
 */
START_TEST(test_resolve_invalid)
{
	struct evdns_base *dns;
	struct resolve_fut r;
	struct res_task rt;
	struct dns_stub ds;

	hosts_free();			/* nothing from a hosts file */
	dns_stub_start(&ds, 1);
	dns = dns_new(&ds);
	res_spawn(&rt, &r, dns, "no-such-host.futd-test.invalid", 80,
	    AF_UNSPEC);
	ck_assert(run_until(&rt.tt.done, 3000));
	ck_assert_int_eq(rt.tt.result, POLL_ERROR);
	ck_assert_msg(r.err == DNS_ERR_NOTEXIST, "err %d (%s), want %d (%s)",
	    r.err, resolve_strerror(r.err), DNS_ERR_NOTEXIST,
	    resolve_strerror(DNS_ERR_NOTEXIST));
	ck_assert_uint_eq(r.naddrs, 0);
	ck_assert_uint_eq(ds.queries, 2);	/* A and AAAA */
	ck_assert(!res_in_flight(&r));
	ck_assert_uint_eq(rt.tt.task.polls, 2);
	assert_polled_only_when_woken(&rt.tt);
	ck_assert_int_eq(resolve_poll(&r, &rt.tt.task), POLL_ERROR);
	evdns_base_free(dns, 0);
	dns_stub_free(&ds);
}
END_TEST

/*
 * Dropped while in flight, a lookup is cancelled; evdns's late callbacks
 * must not touch the future (freed here: valgrind and ASan watch), nor
 * wake the task, nor leak what they carried.
 */
START_TEST(test_resolve_drop)
{
	struct evdns_base *dns;
	struct resolve_fut *r;
	struct res_task rt;
	struct dns_stub ds;

	hosts_free();
	dns_stub_start(&ds, 0);		/* silent: the lookup stays in flight */
	dns = dns_new(&ds);
	r = malloc(sizeof(*r));
	ck_assert_ptr_nonnull(r);
	res_spawn(&rt, r, dns, "slow.futd-test.invalid", 80, AF_UNSPEC);
	run_for(30);
	ck_assert_uint_eq(rt.tt.task.polls, 1);
	ck_assert_uint_eq(rt.tt.pending, 1);
	ck_assert_uint_eq(rt.tt.unarmed, 0);
	ck_assert(res_in_flight(r));
	ck_assert_uint_ge(ds.queries, 1);
	resolve_drop(r);
	ck_assert(!res_in_flight(r));
	ck_assert_int_eq(r->state, RESOLVE_INIT);
	task_cancel(&rt.tt.task);
	memset(r, 0xa5, sizeof(*r));
	free(r);
	rt.r = NULL;
	run_for(50);
	ck_assert_uint_eq(rt.tt.task.polls, 1);
	ck_assert_uint_eq(ex.wakes, 0);
	evdns_base_free(dns, 0);
	dns_stub_free(&ds);
}
END_TEST

/* addresses */

START_TEST(test_sockaddr_format)
{
	union sockaddr_union su;
	char buf[SOCKADDR_STRLEN], small[8];

	loopback(AF_INET, 80, &su);
	ck_assert_str_eq(sockaddr_format(&su, buf, sizeof(buf)),
	    "127.0.0.1:80");
	ck_assert_uint_eq(sockaddr_len(&su), sizeof(struct sockaddr_in));
	loopback(AF_INET6, 80, &su);
	ck_assert_str_eq(sockaddr_format(&su, buf, sizeof(buf)), "[::1]:80");
	ck_assert_uint_eq(sockaddr_len(&su), sizeof(struct sockaddr_in6));
	ck_assert_int_eq(sockaddr_parse_numeric("2001:db8::ffff:1", 65535,
	    &su), 0);
	ck_assert_str_eq(sockaddr_format(&su, buf, sizeof(buf)),
	    "[2001:db8::ffff:1]:65535");
	memset(&su, 0, sizeof(su));
	ck_assert_str_eq(sockaddr_format(&su, buf, sizeof(buf)), "-");
	/* too small a buffer: cut, still a string */
	loopback(AF_INET, 80, &su);
	ck_assert_str_eq(sockaddr_format(&su, small, sizeof(small)),
	    "127.0.0");
}
END_TEST

/* timers: the executor's heap */

#define TMX_N		64
#define TMX_ROUNDS	3

struct tmx {
	struct timer	 tm;
	struct task	 task;
	unsigned	 id;
	unsigned	 rounds;
};
static uint64_t	 tmx_fired[TMX_N * TMX_ROUNDS + TMX_N];
static unsigned	 tmx_nfired;

static void
tmx_check_heap(void)
{
	const struct timers *ts = &ex.timers;
	size_t i;

	for (i = 0; i < ts->n; i++) {
		ck_assert_uint_eq(ts->heap[i].t->index, i);
		if (i > 0)
			ck_assert_uint_le(ts->heap[(i - 1) / 4].deadline_us,
			    ts->heap[i].deadline_us);
	}
}

/*
 * Fired: note the deadline; arm again (later, by an amount of its own)
 * until the last round, which leaves the timer alone.
 */
static enum poll
tmx_poll(struct task *t, void *arg)
{
	struct tmx *x = arg;

	(void)t;
	if (!x->tm.fired)
		return POLL_PENDING;
	x->tm.fired = 0;
	ck_assert_uint_lt(tmx_nfired, sizeof(tmx_fired) / sizeof(tmx_fired[0]));
	/* still in the heap while its task runs (timers_cb) */
	ck_assert_uint_ne(x->tm.index, TIMER_IDLE);
	tmx_fired[tmx_nfired++] = ex.timers.heap[x->tm.index].deadline_us;
	if (++x->rounds == TMX_ROUNDS)
		return POLL_PENDING;
	ck_assert_int_eq(timer_arm(&x->tm, &x->task, clock_mono_us() +
	    (x->id * 7919) % 20 * MS + 1), 0);
	return POLL_PENDING;
}

/*
 * Timers fire in deadline order, each as often as armed: armed again from
 * the wake-up (moved in place), moved earlier and later while pending,
 * disarmed, or left alone after firing (taken out).
 */
START_TEST(test_timers_order)
{
	static struct tmx x[TMX_N];
	uint64_t now = clock_mono_us();
	unsigned i, want;

	tmx_nfired = 0;
	for (i = 0; i < TMX_N; i++) {
		memset(&x[i], 0, sizeof(x[i]));
		x[i].id = i;
		timer_init(&x[i].tm);
		task_init(&x[i].task, &ex, tmx_poll, NULL, &x[i]);
		ck_assert_int_eq(timer_arm(&x[i].tm, &x[i].task, now +
		    50 * MS + (i * 104729) % 30 * MS), 0);
	}
	tmx_check_heap();
	/* a quarter moved earlier, a quarter later, while pending */
	for (i = 0; i < TMX_N; i += 4) {
		ck_assert_int_eq(timer_arm(&x[i].tm, &x[i].task, now +
		    (i % 10 + 1) * MS), 0);
		ck_assert_int_eq(timer_arm(&x[i + 1].tm, &x[i + 1].task,
		    now + 90 * MS + i * MS / 4), 0);
	}
	tmx_check_heap();
	/* one never fires */
	timer_disarm(&x[2].tm, &ex);
	ck_assert_uint_eq(x[2].tm.index, TIMER_IDLE);
	tmx_check_heap();

	want = (TMX_N - 1) * TMX_ROUNDS;
	for (i = 0; i < 100 && tmx_nfired < want; i++)
		run_for(10);
	run_for(30);
	ck_assert_uint_eq(tmx_nfired, want);
	for (i = 1; i < tmx_nfired; i++)
		ck_assert_msg(tmx_fired[i - 1] <= tmx_fired[i], "fired out of "
		    "order at %u", i);
	for (i = 0; i < TMX_N; i++) {
		ck_assert_uint_eq(x[i].rounds, i == 2 ? 0 : TMX_ROUNDS);
		ck_assert_uint_eq(x[i].tm.index, TIMER_IDLE);
	}
	ck_assert_uint_eq(ex.timers.n, 0);
	ck_assert_ptr_null(ex.timers.expiring);
}
END_TEST

Suite *
future_suite(void)
{
	Suite *s = suite_create("future");
	TCase *tc;

	tc = tcase_create("executor");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_ready_at_once);
	tcase_add_test(tc, test_sleep_polled_twice);
	tcase_add_test(tc, test_pending_unarmed_not_repolled);
	tcase_add_test(tc, test_cancel_queued);
	tcase_add_test(tc, test_wake_inside_poll);
	tcase_add_test(tc, test_wake_from_reactor);
	tcase_add_test(tc, test_schedule_does_not_starve);
	tcase_add_test(tc, test_semaphore);
	tcase_add_test(tc, test_timers_order);
	tcase_add_test(tc, test_hello_world);
	suite_add_tcase(s, tc);

	tc = tcase_create("leaves");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_connect_ipv4);
	tcase_add_test(tc, test_connect_ipv6);
	tcase_add_test(tc, test_connect_refused);
	tcase_add_test(tc, test_write_partial);
	tcase_add_test(tc, test_sleep_duration);
	tcase_add_test(tc, test_sleep_drop);
	tcase_add_test(tc, test_sleep_again);
	tcase_add_test(tc, test_timeout_connect);
	tcase_add_test(tc, test_timeout_inner_too_slow);
	tcase_add_test(tc, test_timeout_inner_first);
	tcase_add_test(tc, test_resolve_localhost);
	tcase_add_test(tc, test_resolve_hosts_file);
	tcase_add_test(tc, test_parse_numeric);
	tcase_add_test(tc, test_resolve_invalid);
	tcase_add_test(tc, test_resolve_drop);
	tcase_add_test(tc, test_sockaddr_format);
	suite_add_tcase(s, tc);

	return s;
}
