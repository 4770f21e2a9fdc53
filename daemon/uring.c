/*
 * uring.c - the probes' connects and closes through io_uring.
 *
 * A probe is four system calls (socket, connect, getpeername or send,
 * close), and on a virtual machine whose kernel isolates its page tables
 * (PTI) a system call costs about a microsecond before it does anything:
 * a sixth of a loopback probe.  Here the probes' connects and closes go
 * into io_uring's submission queue, and one io_uring_enter() hands a batch
 * of them to the kernel: every 16 connects the timers start (the
 * executor's pass hook, task.c), and whatever is left at the end of the
 * reactor's pass.  A batch's closes (those of the batch before) go first,
 * in an io_uring_enter() of their own (uring_submit() says why).  What
 * each connect answers comes back on the completion queue, whose
 * descriptor the reactor watches like any socket, and wakes the task that
 * waits for it.
 *
 * Everything here is optional.  When the kernel has no io_uring, or a
 * seccomp filter (containers) or kernel.io_uring_disabled refuses it,
 * uring_open() fails; under -U it is not called.  Then, and for a single
 * operation that finds no room, net.c makes the system calls itself.
 *
 * A connect in flight belongs to a slot of ours, not to the future that
 * asked for it: a future dropped before its answer came (a timeout, a
 * reload, a stop) lets go of its slot, the kernel is asked to cancel (if
 * the connect was submitted at all), and the late completion finds an
 * empty slot instead of memory that may have been given to someone else.
 */
#include <liburing.h>
#include <event2/event.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "uring.h"

#define URING_ENTRIES	2048	/* a pass's work; more waits for a submit */
#define URING_CANCEL	UINT64_MAX	/* user_data of a cancel */
#ifndef URING_PASS
#define URING_PASS	16	/* operations in a batch of the timers' */
#endif

struct uring_slot {
	struct connect_fut	*c;	/* NULL: let go (or free) */
	struct task		*task;
	uint32_t		 next;	/* free list, or the batch's next */
	socklen_t		 len;	/* of c->addr */
	unsigned char		 waiting;	/* in the batch, no entry yet */
};

static struct io_uring		 ring;
static int			 ring_on;
static struct event		*ring_ev;	/* completions to read */
static struct event		*flush_ev;	/* submit at the pass's end */
static int			 flush_armed;	/* flush_ev is active */
static unsigned			 unsubmitted;	/* entries not yet submitted */
static size_t			 closes_queued;	/* still in *sockets */
static size_t			*sockets;	/* the sockets open (net.c's) */
static struct executor		*ring_ex;	/* whose pass hook is ours */
static unsigned			 connects_queued;
static struct uring_slot	*slots;
static uint32_t			 nslots, slots_free = URING_NONE;
/* the connects of the batch, in order, still without their entries */
static uint32_t			 batch_head = URING_NONE, batch_tail = URING_NONE;

struct uring_stats	uring_stats;

static void	uring_reap(void);
static void	uring_submit(void);
static int	uring_enter(void);

static void
ring_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	uring_reap();
	uring_submit();		/* what the woken tasks queued */
}

/*
 * The end of a pass: everything its callbacks queued goes to the kernel
 * at once.  Connects to a near peer often answer during the submit itself;
 * their tasks run now rather than after another trip through epoll.
 */
static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	flush_armed = 0;
	uring_flush();
}

/*
 * Submit what is queued and read what has come back.  Only from the top
 * of the reactor (a callback, not a task's poll): the answers wake tasks.
 */
void
uring_flush(void)
{
	if (!ring_on)
		return;
	uring_submit();
	uring_reap();
}

/*
 * Enough for a batch?  The executor calls us after each task its timers
 * wake (task.c): a batch goes out before the next task runs.
 */
static void
uring_pass_hook(void *arg)
{
	(void)arg;
	/* connects only: the closes their answers queue go with the next */
	if (connects_queued >= URING_PASS)
		uring_flush();
}

/*
 * Open the ring on ex's reactor, and take ex's pass hook.  nopen: the
 * count of open sockets that a close takes one from when it is submitted
 * (until then its number is still taken).  -errno: no ring, make system
 * calls.
 */
int
uring_open(struct executor *ex, size_t *nopen)
{
	struct event_base *base = ex->base;
	struct io_uring_params p;
	int r;

	if (ring_on)
		return 0;
	memset(&p, 0, sizeof(p));
	/*
	 * SUBMIT_ALL (5.18): an entry that fails at once does not stop the
	 * submission of those behind it, which would otherwise wait for the
	 * next batch: a close left waiting is a descriptor kept open.  An
	 * older kernel refuses the flag and futd makes system calls.
	 */
	p.flags = IORING_SETUP_SUBMIT_ALL;
	if ((r = io_uring_queue_init_params(URING_ENTRIES, &ring, &p)) < 0)
		return r;
	/*
	 * NODROP: completions beyond the queue's room wait in the kernel
	 * rather than being lost (a lost one: a probe that never ends).
	 * CQE_SKIP: the closes and cancels that succeed post nothing.
	 */
	if (!(p.features & IORING_FEAT_NODROP) ||
	    !(p.features & IORING_FEAT_CQE_SKIP) ||
	    (ring_ev = event_new(base, ring.ring_fd, EV_READ | EV_PERSIST,
	    ring_cb, NULL)) == NULL ||
	    (flush_ev = event_new(base, -1, 0, flush_cb, NULL)) == NULL ||
	    event_add(ring_ev, NULL) == -1) {
		if (ring_ev != NULL)
			event_free(ring_ev);
		if (flush_ev != NULL)
			event_free(flush_ev);
		ring_ev = flush_ev = NULL;
		io_uring_queue_exit(&ring);
		return -ENOTSUP;
	}
	ring_on = 1;
	sockets = nopen;
	ring_ex = ex;
	executor_set_pass_hook(ex, uring_pass_hook, NULL);
	return 0;
}

int
uring_is_on(void)
{
	return ring_on;
}

/*
 * Hand the last closes to the kernel, then let the ring go.  The connects
 * still waiting or in flight are not ours any more: their futures forget
 * their slots, so that a drop after this (an ad hoc probe's, freed with
 * its target after the ring at a stop) touches nothing of the ring's.
 */
void
uring_shutdown(void)
{
	uint32_t i;

	if (!ring_on)
		return;
	if (unsubmitted > 0)
		(void)uring_enter();
	for (i = 0; i < nslots; i++)
		if (slots[i].c != NULL)
			slots[i].c->uring_slot = URING_NONE;
	executor_set_pass_hook(ring_ex, NULL, NULL);
	ring_ex = NULL;
	event_free(ring_ev);
	event_free(flush_ev);
	ring_ev = flush_ev = NULL;
	io_uring_queue_exit(&ring);
	free(slots);
	slots = NULL;
	nslots = 0;
	slots_free = batch_head = batch_tail = URING_NONE;
	unsubmitted = connects_queued = 0;
	flush_armed = 0;
	ring_on = 0;
}

/* One io_uring_enter() for the entries queued.  -1: none went. */
static int
uring_enter(void)
{
	int r;

	do
		r = io_uring_submit(&ring);
	while (r == -EINTR);
	if (r < 0) {
		/*
		 * EBUSY: completions the kernel holds back.  The entries
		 * wait in the queue; ring_cb reads the completions and
		 * submits again (not here: we may be inside a task's poll),
		 * or the next pass does (uring_queued).
		 */
		return -1;
	}
	uring_stats.submits++;
	unsubmitted = 0;
	/*
	 * The closes are done (or failed, which a close of ours cannot):
	 * only now do their descriptors count as free, so that the reserve
	 * kept for the control socket holds while they wait.
	 */
	*sockets -= closes_queued;
	closes_queued = 0;
	return 0;
}

/* The batch's connects into the submission queue, in the order asked. */
static void
uring_prep_batch(void)
{
	struct io_uring_sqe *sqe;
	struct uring_slot *s;
	uint32_t i;

	while ((i = batch_head) != URING_NONE) {
		s = &slots[i];
		if (s->c != NULL) {
			/* a full queue goes to the kernel, the rest waits */
			if ((sqe = io_uring_get_sqe(&ring)) == NULL &&
			    (uring_enter() == -1 ||
			    (sqe = io_uring_get_sqe(&ring)) == NULL))
				return;
			io_uring_prep_connect(sqe, s->c->fd, &s->c->addr.sa,
			    s->len);
			io_uring_sqe_set_data64(sqe, i);
			unsubmitted++;
		}
		batch_head = s->next;
		if (batch_head == URING_NONE)
			batch_tail = URING_NONE;
		s->waiting = 0;
		if (s->c == NULL) {	/* let go before it was asked */
			s->next = slots_free;
			slots_free = i;
		}
		connects_queued--;
	}
}

/*
 * The closes first, in an enter of their own, then the connects.  The
 * kernel releases a closed socket, and sends its FIN, when the enter that
 * closed it returns (task work), so closes that shared an enter with
 * connects would reach their peers after every handshake.  Before them, a
 * peer on this host (a local service, the benchmark's sink) has the
 * closes to handle while the handshakes come, instead of going idle in
 * between and being woken, across CPUs, for each: bench/PROFILE.md,
 * closed64 peeraddr.
 */
static void
uring_submit(void)
{
	if (unsubmitted > 0 && uring_enter() == -1)
		return;
	if (batch_head == URING_NONE)
		return;
	uring_prep_batch();
	if (unsubmitted > 0)
		(void)uring_enter();
}

/*
 * Something queued: the end of the pass submits it (flush_ev), even when
 * something was queued already: what a failed submit left goes with it.
 */
static void
uring_queued(void)
{
	if (!flush_armed) {
		flush_armed = 1;
		event_active(flush_ev, 0, 0);
	}
}

/* An entry of the submission queue; when it is full, empty it first. */
static struct io_uring_sqe *
uring_sqe(void)
{
	struct io_uring_sqe *sqe;

	if ((sqe = io_uring_get_sqe(&ring)) == NULL) {
		if (uring_enter() == -1 ||
		    (sqe = io_uring_get_sqe(&ring)) == NULL)
			return NULL;
	}
	uring_queued();
	unsubmitted++;
	return sqe;
}

static uint32_t
uring_slot_get(void)
{
	struct uring_slot *n;
	uint32_t i, cap;

	if (slots_free == URING_NONE) {
		cap = nslots ? nslots * 2 : 256;
		if (cap >= URING_NONE ||
		    (n = reallocarray(slots, cap, sizeof(*n))) == NULL)
			return URING_NONE;
		slots = n;
		for (i = cap; i > nslots; i--) {
			slots[i - 1].c = NULL;
			slots[i - 1].next = slots_free;
			slots_free = i - 1;
		}
		nslots = cap;
	}
	i = slots_free;
	slots_free = slots[i].next;
	return i;
}

/*
 * Ask the kernel to connect c->fd to c->addr, of len bytes, with the
 * batch.  0: queued, the task is woken with c->uring_res; -1: not
 * possible now (no ring, no memory), the caller connects by itself.
 */
int
uring_connect(struct connect_fut *c, socklen_t len, struct task *t)
{
	struct uring_slot *s;
	uint32_t i;

	if (!ring_on || (i = uring_slot_get()) == URING_NONE)
		return -1;
	s = &slots[i];
	s->c = c;
	s->task = t;
	s->len = len;
	s->waiting = 1;
	s->next = URING_NONE;
	if (batch_tail == URING_NONE)
		batch_head = i;
	else
		slots[batch_tail].next = i;
	batch_tail = i;
	c->uring_slot = i;
	uring_stats.connects++;
	uring_queued();
	connects_queued++;
	return 0;
}

/*
 * c no longer waits for its connect: the answer, when it comes, finds an
 * empty slot.  The kernel is asked to stop waiting too; if the cancel
 * cannot be queued, the close that follows ends the handshake's use for
 * us, and the completion still comes (the socket keeps its own time-out).
 */
void
uring_cancel(struct connect_fut *c)
{
	struct io_uring_sqe *sqe;
	uint32_t i = c->uring_slot;

	if (i == URING_NONE)
		return;
	slots[i].c = NULL;
	c->uring_slot = URING_NONE;
	if (slots[i].waiting)
		return;		/* not submitted: the batch passes it over */
	if ((sqe = uring_sqe()) == NULL)
		return;
	io_uring_prep_cancel64(sqe, i, 0);
	io_uring_sqe_set_data64(sqe, URING_CANCEL);
	/* a cancel that found its target says nothing */
	io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
}

/*
 * Close fd at the end of the pass.  Until then the number stays taken,
 * so no new socket gets it.  -1: not possible, the caller closes.
 */
int
uring_close(int fd)
{
	struct io_uring_sqe *sqe;

	if (!ring_on || (sqe = uring_sqe()) == NULL)
		return -1;
	io_uring_prep_close(sqe, fd);
	io_uring_sqe_set_data64(sqe, URING_CANCEL);
	io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
	uring_stats.closes++;
	closes_queued++;
	return 0;
}

/* Read the completions: each answer wakes the task that waits for it. */
static void
uring_reap(void)
{
	struct io_uring_cqe *cqe;
	struct uring_slot *s;
	struct connect_fut *c;
	struct task *t;
	uint64_t ud;
	int res;

	while (io_uring_peek_cqe(&ring, &cqe) == 0) {
		ud = cqe->user_data;
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (ud >= nslots)
			continue;	/* a close or a cancel that failed */
		/* free the slot first: the woken task may want one */
		s = &slots[ud];
		c = s->c;
		t = s->task;
		s->c = NULL;
		s->next = slots_free;
		slots_free = (uint32_t)ud;
		if (c != NULL) {
			c->uring_res = res;
			c->uring_slot = URING_NONE;
			task_wake(t);
		}
	}
}
