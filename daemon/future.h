/*
 * future.h - futures and tasks on one libevent reactor.
 *
 * The model is the one of Tokio 0.1's "Getting asynchronous":
 *
 *  - A future has a poll function that never blocks and answers
 *    POLL_READY, POLL_PENDING or POLL_ERROR.
 *  - POLL_PENDING may only be returned when something inside (a socket, a
 *    timer, an inner future) answered PENDING and arranged a wake-up of the
 *    task.  A future does all the work it can before it yields.
 *  - A future is an enum of states and its poll loops until it is done or
 *    blocked.
 *  - A task is a top-level future.  The executor polls it once when it is
 *    spawned and afterwards only when a reactor event wakes it: nothing is
 *    ever polled "just in case".
 *
 * This module knows nothing about probes.  Leaf futures (sockets, timers,
 * name resolution) are in net.h.
 */
#ifndef FUTD_FUTURE_H
#define FUTD_FUTURE_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct event;

enum poll {
	POLL_ERROR = -1,
	POLL_PENDING = 0,
	POLL_READY = 1,
};

/*
 * TRY_READY(expr): evaluate a poll; hand PENDING and ERROR up to our caller,
 * carry on when READY.  The C spelling of futures' try_ready!().
 */
#define TRY_READY(expr) do {						\
	enum poll try_ready_r_ = (expr);				\
	if (try_ready_r_ != POLL_READY)					\
		return try_ready_r_;					\
} while (0)

struct task;

/*
 * A future that can be handled without knowing its type (what the timeout
 * combinator wraps).  Concrete futures embed it as their first member.
 * drop() cancels whatever is in flight (closes sockets, removes events) and
 * leaves the future ready to be started again; it may be called at any time.
 */
struct future {
	enum poll	(*poll)(struct future *, struct task *);
	void		(*drop)(struct future *);
};

static inline enum poll
future_poll(struct future *f, struct task *t)
{
	return f->poll(f, t);
}

static inline void
future_drop(struct future *f)
{
	f->drop(f);
}

typedef enum poll (*task_poll_fn)(struct task *, void *);
typedef void (*task_done_fn)(struct task *, enum poll, void *);

#define TASK_RUNNING	0x01	/* inside its poll function */
#define TASK_WOKEN	0x02	/* woken while running: poll again */
#define TASK_QUEUED	0x04	/* on the executor's run queue */
#define TASK_DONE	0x08	/* poll answered READY or ERROR */

struct executor;

struct task {
	struct executor		*ex;
	task_poll_fn		 poll;
	task_done_fn		 done;	/* may be NULL */
	void			*arg;
	uint32_t		 polls;	/* how often poll ran (wraps) */
	unsigned		 flags;	/* with polls: 8 bytes, no hole */
	TAILQ_ENTRY(task)	 runq;
};

TAILQ_HEAD(task_queue, task);

/*
 * A timer of the executor's own: 16 bytes instead of a libevent event's
 * 128, for the timers every target holds for as long as it lives.  All of
 * them sit in one heap behind a single libevent timer; the deadline is in
 * the timer's heap entry.
 */
struct timer {
	struct task		*task;		/* woken when it expires */
	uint32_t		 index;		/* in the heap; TIMER_IDLE */
	uint32_t		 fired;
};
#define TIMER_IDLE	UINT32_MAX

/*
 * A heap entry carries its timer's deadline: the sifts compare entries
 * side by side instead of following a pointer into a target per
 * comparison (libev's "cached at" 4-heap).
 */
struct timer_slot {
	uint64_t		 deadline_us;	/* monotonic */
	struct timer		*t;
};

struct timers {
	struct timer_slot	*heap;		/* a 4-ary min-heap */
	void			*mem;		/* heap - 3: see timers_grow */
	size_t			 n;
	size_t			 cap;
	struct event		*ev;
	uint64_t		 armed_us;	/* what ev is set for, 0: none */
	int			 in_cb;		/* timers_cb rearms at its end */
	struct timer		*expiring;	/* being woken, still in the heap */
};

struct executor {
	struct event_base	*base;
	struct event		*runq_ev;
	struct timers		 timers;
	struct task_queue	 runq;
	size_t			 runq_len;
	uint64_t		 polls;	/* all polls of all tasks */
	uint64_t		 wakes;
	/*
	 * Called in the timers' pass after each task it wakes, at the top of
	 * the reactor (the hook may wake tasks): a leaf that batches its
	 * system calls (uring.c) sends a batch there once it has enough.
	 * NULL: none.
	 */
	void			(*pass_hook)(void *);
	void			*pass_hook_arg;
};

/*
 * A counting semaphore (max_inflight): sem_acquire answers READY when a slot
 * is free, else queues the task and answers PENDING; sem_release hands the
 * slot to the first waiter and schedules it.  A limit of 0 means no limit.
 */
struct sem_wait {
	struct task		*task;
	int			 state;	/* SEM_IDLE, SEM_QUEUED, SEM_HELD */
	TAILQ_ENTRY(sem_wait)	 entry;
};
#define SEM_IDLE	0
#define SEM_QUEUED	1
#define SEM_HELD	2

struct sem {
	unsigned			 limit;
	unsigned			 used;
	uint64_t			 waits;	/* acquisitions that queued */
	TAILQ_HEAD(, sem_wait)		 waiters;
};

/* task.c */
void		 timer_init(struct timer *);
int		 timer_arm(struct timer *, struct task *, uint64_t);
void		 timers_clear(struct executor *);
void		 timer_disarm(struct timer *, struct executor *);
void		 sem_init(struct sem *, unsigned);
void		 sem_set_limit(struct sem *, unsigned);
void		 sem_wait_init(struct sem_wait *);
enum poll	 sem_acquire(struct sem *, struct sem_wait *, struct task *);
void		 sem_release(struct sem *, struct sem_wait *);
int		 executor_init(struct executor *, struct event_base *);
void		 executor_finish(struct executor *);
void		 executor_set_pass_hook(struct executor *, void (*)(void *),
		    void *);
void		 task_init(struct task *, struct executor *, task_poll_fn,
		    task_done_fn, void *);
void		 task_spawn(struct task *);
void		 task_wake(struct task *);
void		 task_schedule(struct task *);
void		 task_cancel(struct task *);
struct event_base *task_base(const struct task *);

#endif /* FUTD_FUTURE_H */
