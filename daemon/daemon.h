/*
 * daemon.h - the running daemon (daemon.c): its targets, sorted by name,
 * the pool of probe contexts, the event ring; applying a config, a reload.
 */
#ifndef FUTD_DAEMON_H
#define FUTD_DAEMON_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "future.h"
#include "maint.h"
#include "results.h"
#include "strlist.h"
#include "target.h"

struct adhoc;
struct conf;
struct control;
struct evdns_base;
struct event_base;

/* What a reload did, by target name, each name in one list. */
struct reload_report {
	struct strlist		 added;
	struct strlist		 removed;
	struct strlist		 changed;	/* new settings, results kept */
	struct strlist		 reset;		/* measures another thing now:
						   its results start again */
	size_t			 unchanged;
	size_t			 reused;	/* of those, in files not read */
};

struct daemon {
	struct event_base	*base;
	struct evdns_base	*dns;
	struct executor		 ex;
	struct conf		*conf;
	struct target		**targets;	/* sorted by name */
	size_t			 ntargets;
	struct control		*control;
	struct sem		 inflight;	/* max_inflight */
	struct events		 events;
	struct probe_ctx	*pc_free;	/* the pool */
	size_t			 pc_total;	/* allocated, in use or free */
	size_t			 pc_used;
	uint64_t		 dns_cache_max_us;
	int64_t			 start_wall_us;
	uint64_t		 start_mono_us;
	int64_t			 conf_ok_wall_us;	/* the last good config */
	int			 reload_failed;	/* the last reload was refused */
	uint64_t		 late_total;	/* all targets', ever */
	size_t			 nstalled;	/* stopped for want of memory:
						   a reload starts them again */
	uint64_t		 fdlimit_event;	/* to fold fd_limit failures into */
	/*
	 * The news a target's task has for the layers above it (events.c's,
	 * set by daemon_init): a change of state, a failure that did not
	 * change it, slots that passed while a probe ran.
	 */
	void			(*on_state)(struct daemon *, struct target *,
				    enum target_state,
				    const struct probe_result *);
	void			(*on_failure)(struct daemon *, struct target *,
				    const struct probe_result *);
	void			(*on_late)(struct daemon *, struct target *,
				    uint64_t);
	/* called after every probe result, e.g. for STATUS= updates */
	void			(*on_result)(struct daemon *, struct target *,
				    enum target_state);
	void			*on_result_arg;
	/* a target with an ad hoc probe (has_adhoc) goes away: adhoc.c's */
	void			(*on_target_free)(struct daemon *,
				    struct target *);
	/*
	 * The end of a target's disable came (its timer: target.c); the
	 * daemon's (daemon_maint_end), which drops the record and enables it.
	 */
	void			(*on_maint_end)(struct daemon *,
				    struct target *);
	LIST_HEAD(, adhoc)	 adhocs;	/* futctl probes in flight */
	struct maints		 maints;	/* disabled targets, by name */
};

/*
 * A target's daemon: the one whose executor runs its task.  Here, not in
 * target.h: it needs the daemon's layout.
 */
static inline struct daemon *
target_daemon(const struct target *tg)
{
	return (struct daemon *)(void *)((char *)tg->task.ex -
	    offsetof(struct daemon, ex));
}

int		 daemon_init(struct daemon *, struct event_base *,
		    struct evdns_base *);
int		 daemon_apply(struct daemon *, struct conf *,
		    struct reload_report *, struct strlist *);
int		 daemon_reload(struct daemon *, struct strlist *,
		    struct reload_report *);
int		 daemon_reload_apply(struct daemon *, struct conf *, double,
		    struct strlist *, struct reload_report *);
void		 reload_report_clear(struct reload_report *);
struct target	*daemon_find(const struct daemon *, const char *);
void		 daemon_stop_targets(struct daemon *);
void		 daemon_finish(struct daemon *);
void		 daemon_counts(const struct daemon *, size_t[3]);
int		 daemon_disable(struct daemon *, struct target *,
		    const struct maint *);
int		 daemon_enable(struct daemon *, struct target *);

#endif /* FUTD_DAEMON_H */
