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

int
executor_init(struct executor *ex, struct event_base *base)
{
	ex->base = base;
	ex->polls = ex->wakes = 0;
	ex->runq_len = 0;
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
