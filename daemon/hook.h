/*
 * hook.h - the on_change hook (hook.c): a program run on each change of
 * a target's state, a few at once, the rest queued, each bounded in time.
 */
#ifndef FUTD_HOOK_H
#define FUTD_HOOK_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "probe.h"
#include "results.h"

struct daemon;
struct event;
struct event_base;
struct target;

#define HOOK_QUEUE_MAX		1000	/* changes waiting for a slot */
#define HOOK_LINE_MAX		200	/* of its output, the first line */
#define HOOK_READ_MAX		(1024 * 1024)	/* then we stop listening */
#define HOOK_KILL_US		(2 * 1000000LL)	/* SIGTERM to SIGKILL */
/* the news (11), and as many of a target's labels as fit */
#define HOOK_ENV_MAX		48

/* A change to tell: the environment, built when it happened. */
struct hook_job {
	TAILQ_ENTRY(hook_job)	 entry;
	char			*target;
	char			*env[HOOK_ENV_MAX + 1];
	size_t			 nenv;
};

/* A program running for one job. */
struct hook_run {
	LIST_ENTRY(hook_run)	 entry;
	struct hook_job		*job;
	pid_t			 pid;
	int			 fd;		/* its stdout and stderr; -1 */
	struct event		*rd_ev;
	struct event		*tmo_ev;
	int			 killed;	/* 0, SIGTERM or SIGKILL sent */
	size_t			 nread;
	size_t			 linelen;
	int			 line_done;
	char			 line[HOOK_LINE_MAX + 1];
};

struct hook {
	struct event_base	*base;
	const struct daemon	*d;		/* its conf: what to run */
	struct event		*sigchld;
	TAILQ_HEAD(, hook_job)	 queue;
	size_t			 nqueued;
	LIST_HEAD(, hook_run)	 runs;
	size_t			 nrunning;
	uint64_t		 dropped;	/* ever: queue full */
	uint64_t		 burst_dropped;	/* since the queue last drained */
	uint64_t		 runs_total;	/* started, ever */
};

int	 hook_init(struct hook *, struct event_base *,
	    const struct daemon *);
void	 hook_state(struct hook *, const struct daemon *, struct target *,
	    enum target_state, const struct probe_result *);
void	 hook_free(struct hook *);

#endif /* FUTD_HOOK_H */
