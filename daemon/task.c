/*
 * task.c - the executor: runs tasks (top-level futures) on one event_base.
 *
 * There are two ways in.  task_wake() is what a leaf future's reactor
 * callback calls: we are at the top of the event loop, nothing of the task is
 * on the stack, so the task is polled at once.  If the task happens to be
 * running already (a wake-up arrived synchronously, from inside its own
 * poll), the wake is remembered and the task polled again before we return,
 * never re-entered.  task_schedule() defers the poll to the next pass of the
 * reactor through one run-queue event: for callers that are not reactor
 * callbacks (spawning during a reload, a control command).
 */
#include <event2/event.h>
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "future.h"

static void	executor_runq_cb(evutil_socket_t, short, void *);

/*
 * The run queue runs from a zero-length timer, not event_active(): libevent
 * runs an event activated during its own pass again in that same pass, so
 * a task that keeps rescheduling itself (or a chain of semaphore hand-offs)
 * would keep sockets and timers waiting.  Timers are looked at after the
 * sockets, so each pass of the queue comes after a look at both.
 */
static const struct timeval executor_now = { 0, 0 };
static void	task_run(struct task *);

static void	timers_cb(evutil_socket_t, short, void *);

int
executor_init(struct executor *ex, struct event_base *base)
{
	memset(&ex->timers, 0, sizeof(ex->timers));
	if ((ex->timers.ev = evtimer_new(base, timers_cb, ex)) == NULL)
		return -1;
	ex->base = base;
	ex->polls = ex->wakes = 0;
	ex->runq_len = 0;
	ex->pass_hook = NULL;
	ex->pass_hook_arg = NULL;
	TAILQ_INIT(&ex->runq);
	ex->runq_ev = event_new(base, -1, 0, executor_runq_cb, ex);
	return ex->runq_ev == NULL ? -1 : 0;
}

void
executor_finish(struct executor *ex)
{
	struct task *t;

	while ((t = TAILQ_FIRST(&ex->runq)) != NULL) {
		TAILQ_REMOVE(&ex->runq, t, runq);
		t->flags &= ~TASK_QUEUED;
	}
	ex->runq_len = 0;
	if (ex->runq_ev != NULL)
		event_free(ex->runq_ev);
	ex->runq_ev = NULL;
	if (ex->timers.ev != NULL)
		event_free(ex->timers.ev);
	free(ex->timers.mem);
	memset(&ex->timers, 0, sizeof(ex->timers));
}

/* fn(arg) after each task the timers wake; fn NULL: none (future.h) */
void
executor_set_pass_hook(struct executor *ex, void (*fn)(void *), void *arg)
{
	ex->pass_hook = fn;
	ex->pass_hook_arg = arg;
}

void
task_init(struct task *t, struct executor *ex, task_poll_fn poll,
    task_done_fn done, void *arg)
{
	t->ex = ex;
	t->poll = poll;
	t->done = done;
	t->arg = arg;
	t->polls = 0;
	t->flags = 0;
}

struct event_base *
task_base(const struct task *t)
{
	return t->ex->base;
}

/* A new task is polled on the next pass of the reactor. */
void
task_spawn(struct task *t)
{
	t->flags &= ~TASK_DONE;
	task_schedule(t);
}

void
task_wake(struct task *t)
{
	t->ex->wakes++;
	if (t->flags & TASK_DONE)
		return;
	if (t->flags & TASK_RUNNING) {
		t->flags |= TASK_WOKEN;
		return;
	}
	task_run(t);
}

void
task_schedule(struct task *t)
{
	struct executor *ex = t->ex;

	if (t->flags & (TASK_QUEUED | TASK_DONE))
		return;
	t->flags |= TASK_QUEUED;
	TAILQ_INSERT_TAIL(&ex->runq, t, runq);
	ex->runq_len++;
	if (!evtimer_pending(ex->runq_ev, NULL))
		evtimer_add(ex->runq_ev, &executor_now);
}

/*
 * Take a task off the executor.  Its futures must be dropped by the owner;
 * after this no wake-up reaches it.
 */
void
task_cancel(struct task *t)
{
	if (t->flags & TASK_QUEUED) {
		TAILQ_REMOVE(&t->ex->runq, t, runq);
		t->ex->runq_len--;
		t->flags &= ~TASK_QUEUED;
	}
	t->flags |= TASK_DONE;
}

static void
task_run(struct task *t)
{
	enum poll r;

	assert(!(t->flags & TASK_RUNNING));
	do {
		t->flags = (t->flags & ~TASK_WOKEN) | TASK_RUNNING;
		t->polls++;
		t->ex->polls++;
		r = t->poll(t, t->arg);
		t->flags &= ~TASK_RUNNING;
	} while (r == POLL_PENDING && (t->flags & TASK_WOKEN));

	if (r != POLL_PENDING) {
		t->flags |= TASK_DONE;
		if (t->done != NULL)
			t->done(t, r, t->arg);
	}
}

static void
executor_runq_cb(evutil_socket_t fd, short what, void *arg)
{
	struct executor *ex = arg;
	struct task *t;
	size_t n;

	(void)fd;
	(void)what;
	/*
	 * Run only what was queued before this pass: a task scheduled while we
	 * run goes to the next pass, so timers and sockets are never starved.
	 * Tasks are taken one by one off the real queue (not a copy of it), so
	 * a task_cancel() from inside a poll stays correct.
	 */
	for (n = ex->runq_len; n > 0; n--) {
		if ((t = TAILQ_FIRST(&ex->runq)) == NULL)
			break;
		TAILQ_REMOVE(&ex->runq, t, runq);
		ex->runq_len--;
		t->flags &= ~TASK_QUEUED;
		if (!(t->flags & (TASK_DONE | TASK_RUNNING)))
			task_run(t);
	}
	if (!TAILQ_EMPTY(&ex->runq))
		evtimer_add(ex->runq_ev, &executor_now);
}

/* semaphores */

void
sem_init(struct sem *s, unsigned limit)
{
	s->limit = limit;
	s->used = 0;
	s->waits = 0;
	TAILQ_INIT(&s->waiters);
}

void
sem_wait_init(struct sem_wait *w)
{
	w->task = NULL;
	w->state = SEM_IDLE;
}

enum poll
sem_acquire(struct sem *s, struct sem_wait *w, struct task *t)
{
	switch (w->state) {
	case SEM_HELD:
		return POLL_READY;
	case SEM_QUEUED:
		return POLL_PENDING;	/* sem_release will schedule us */
	}
	if (s->limit == 0 || (s->used < s->limit &&
	    TAILQ_EMPTY(&s->waiters))) {
		s->used++;
		w->state = SEM_HELD;
		return POLL_READY;
	}
	w->task = t;
	w->state = SEM_QUEUED;
	TAILQ_INSERT_TAIL(&s->waiters, w, entry);
	s->waits++;
	return POLL_PENDING;
}

/* Hand free slots to waiters, in order; they run on the next pass. */
static void
sem_hand_out(struct sem *s)
{
	struct sem_wait *next;

	while ((s->limit == 0 || s->used < s->limit) &&
	    (next = TAILQ_FIRST(&s->waiters)) != NULL) {
		TAILQ_REMOVE(&s->waiters, next, entry);
		next->state = SEM_HELD;
		s->used++;
		task_schedule(next->task);
	}
}

/* A new limit (reload): raising it lets waiters in at once. */
void
sem_set_limit(struct sem *s, unsigned limit)
{
	s->limit = limit;
	sem_hand_out(s);
}

/*
 * Give the slot back (or leave the queue).  The next waiter gets the slot
 * and is scheduled, not polled here: we may be inside another task's poll.
 * A lowered limit drains before anyone new gets in.
 */
void
sem_release(struct sem *s, struct sem_wait *w)
{
	if (w->state == SEM_QUEUED) {
		TAILQ_REMOVE(&s->waiters, w, entry);
		w->state = SEM_IDLE;
		return;
	}
	if (w->state != SEM_HELD)
		return;
	w->state = SEM_IDLE;
	s->used--;
	sem_hand_out(s);
}

/*
 * Timers: a 4-ary min-heap of deadlines behind one libevent timer, set for
 * the earliest.  An expired timer wakes its task, which finds t->fired set.
 *
 * Four children a node halve the depth of a binary heap (a million timers:
 * 10 levels, not 20), and the four sit in one cache line: heap[0] is the
 * root, the children of i are 4i+1..4i+4, and the array starts 3 entries
 * (48 bytes) into a 64-byte aligned block, so each group of four begins
 * on a line of its own.  A target that schedules its next probe sends its
 * timer from the top towards the bottom, every probe: this walk is the
 * heap's hot path.
 */

#define TIMERS_BUDGET	1024
#define TIMERS_LINE	64
#define TIMERS_PAD	3	/* entries before heap[0] */

static uint64_t
timers_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int
timers_grow(struct timers *ts)
{
	size_t cap = ts->cap ? ts->cap * 2 : 64;
	void *mem;

	if (cap > TIMER_IDLE ||
	    posix_memalign(&mem, TIMERS_LINE, (cap + TIMERS_PAD) *
	    sizeof(struct timer_slot)) != 0)
		return -1;
	if (ts->n > 0)
		memcpy((struct timer_slot *)mem + TIMERS_PAD, ts->heap,
		    ts->n * sizeof(struct timer_slot));
	free(ts->mem);
	ts->mem = mem;
	ts->heap = (struct timer_slot *)mem + TIMERS_PAD;
	ts->cap = cap;
	return 0;
}

/* Entry x at i, and its timer told where it is. */
static void
timers_put(struct timer_slot *heap, size_t i, struct timer_slot x)
{
	heap[i] = x;
	x.t->index = (uint32_t)i;
}

/*
 * The sifts move a hole, not the entry: each level costs one copy, and the
 * entry is put down once, where it belongs.
 */
static void
timers_up(struct timers *ts, size_t i)
{
	struct timer_slot *heap = ts->heap, x = heap[i];
	size_t p;

	while (i > 0 && heap[p = (i - 1) / 4].deadline_us > x.deadline_us) {
		timers_put(heap, i, heap[p]);
		i = p;
	}
	timers_put(heap, i, x);
}

static void
timers_down(struct timers *ts, size_t i)
{
	struct timer_slot *heap = ts->heap, x = heap[i];
	size_t c, k, m, n = ts->n;
	uint64_t d;

	while ((c = 4 * i + 1) < n) {
		m = c;
		d = heap[c].deadline_us;
		if (c + 4 <= n) {
			/* all four: no bound to test (the common case) */
			if (heap[c + 1].deadline_us < d)
				d = heap[m = c + 1].deadline_us;
			if (heap[c + 2].deadline_us < d)
				d = heap[m = c + 2].deadline_us;
			if (heap[c + 3].deadline_us < d)
				d = heap[m = c + 3].deadline_us;
		} else
			for (k = c + 1; k < n; k++)
				if (heap[k].deadline_us < d)
					d = heap[m = k].deadline_us;
		if (d >= x.deadline_us)
			break;
		timers_put(heap, i, heap[m]);
		i = m;
	}
	timers_put(heap, i, x);
}

/* Point the libevent timer at the earliest deadline, if that changed. */
static void
timers_rearm(struct timers *ts)
{
	uint64_t when, now;
	struct timeval tv;

	if (ts->in_cb)
		return;		/* timers_cb does it once, at its end */
	if (ts->n == 0) {
		if (ts->armed_us != 0)
			evtimer_del(ts->ev);
		ts->armed_us = 0;
		return;
	}
	when = ts->heap[0].deadline_us;
	if (when == ts->armed_us)
		return;
	now = timers_now();
	when = when > now ? when - now : 0;
	tv.tv_sec = (time_t)(when / 1000000);
	tv.tv_usec = (suseconds_t)(when % 1000000);
	evtimer_add(ts->ev, &tv);
	ts->armed_us = ts->heap[0].deadline_us;
}

static void
timers_remove(struct timers *ts, struct timer *t)
{
	size_t i = t->index;

	ts->n--;
	if (i != ts->n) {
		timers_put(ts->heap, i, ts->heap[ts->n]);
		timers_down(ts, i);
		timers_up(ts, i);
	}
	t->index = TIMER_IDLE;
}

static void
timers_cb(evutil_socket_t fd, short what, void *arg)
{
	struct executor *ex = arg;
	struct timers *ts = &ex->timers;
	struct timer *t;
	uint64_t now = timers_now();
	/*
	 * At most this many expiries a pass: a backlog (a busy start, a
	 * stall) then goes out in slices, and the control socket and the
	 * watchdog get their turn in between.  What is left is still due,
	 * so the rearm below comes back at once.
	 */
	unsigned budget = TIMERS_BUDGET;

	(void)fd;
	(void)what;
	ts->armed_us = 0;
	ts->in_cb = 1;
	/*
	 * We are a reactor callback: wake the tasks here and now.  A woken
	 * task may arm its timer again; its next deadline is in the future,
	 * so this loop does not see it.  The timer stays at the top of the
	 * heap while its task runs: a task that arms it again (a target
	 * scheduling its next probe) moves it down once, where taking it out
	 * and putting it back would cost two passes over the heap.
	 */
	while (ts->n > 0 && ts->heap[0].deadline_us <= now &&
	    budget-- > 0) {
		t = ts->heap[0].t;
		t->fired = 1;
		ts->expiring = t;
		task_wake(t->task);
		if (ts->expiring == t)		/* not armed again, nor disarmed */
			timers_remove(ts, t);
		ts->expiring = NULL;
		/*
		 * A leaf's batch of work (io_uring: uring.c) goes out, and
		 * its answers come in, every few tasks rather than once at
		 * the end: probes that start together end together, and
		 * targets that all end at once all wait for their next
		 * slots at once, idle, instead of taking turns.  We are
		 * at the top of the reactor: the answers may wake tasks.
		 */
		if (ex->pass_hook != NULL)
			ex->pass_hook(ex->pass_hook_arg);
	}
	ts->in_cb = 0;
	timers_rearm(ts);
}

void
timer_init(struct timer *t)
{
	t->task = NULL;
	t->index = TIMER_IDLE;
	t->fired = 0;
}

/* Wake t's task at deadline (monotonic microseconds).  -1: no memory. */
int
timer_arm(struct timer *t, struct task *task, uint64_t deadline_us)
{
	struct timers *ts = &task->ex->timers;
	uint64_t before;

	if (ts->expiring == t)
		ts->expiring = NULL;
	if (t->index != TIMER_IDLE) {
		/* already in the heap: move it to where its new deadline goes */
		before = ts->heap[t->index].deadline_us;
		ts->heap[t->index].deadline_us = deadline_us;
		t->task = task;
		t->fired = 0;
		if (deadline_us > before)
			timers_down(ts, t->index);
		else
			timers_up(ts, t->index);
		timers_rearm(ts);
		return 0;
	}
	if (ts->n == ts->cap && timers_grow(ts) == -1)
		return -1;
	t->task = task;
	t->fired = 0;
	t->index = (uint32_t)ts->n;
	ts->heap[ts->n].deadline_us = deadline_us;
	ts->heap[ts->n++].t = t;
	timers_up(ts, t->index);
	timers_rearm(ts);
	return 0;
}

/*
 * Disarm every timer at once: a stop of a million targets would otherwise
 * be a million removals from the heap, each a walk down it.
 */
void
timers_clear(struct executor *ex)
{
	size_t i;

	for (i = 0; i < ex->timers.n; i++) {
		ex->timers.heap[i].t->index = TIMER_IDLE;
		ex->timers.heap[i].t->fired = 0;
	}
	ex->timers.n = 0;
	ex->timers.expiring = NULL;
	timers_rearm(&ex->timers);
}

void
timer_disarm(struct timer *t, struct executor *ex)
{
	if (ex->timers.expiring == t)
		ex->timers.expiring = NULL;
	if (t->index != TIMER_IDLE) {
		timers_remove(&ex->timers, t);
		timers_rearm(&ex->timers);
	}
	t->fired = 0;
}
