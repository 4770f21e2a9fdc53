/*
 * events.h - what happened, in a bounded ring (events.c): state changes,
 * failures (repeats fold in), reloads, config errors, resources.
 */
#ifndef FUTD_EVENTS_H
#define FUTD_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "probe.h"
#include "results.h"

struct daemon;
struct reload_report;
struct strlist;
struct target;

enum event_type {
	EVENT_STATE,		/* a target changed state */
	EVENT_FAILURE,		/* a probe failed (repeats fold in) */
	EVENT_RELOAD,		/* a reload, done or refused */
	EVENT_CONFIG,		/* a config error, file:line */
	EVENT_RESOURCE,		/* fd limit, late probes */
	EVENT_START,		/* futd started */
};

struct event_rec {
	uint64_t		 seq;
	int64_t			 wall_us;	/* when futd learned of it */
	int64_t			 last_wall_us;	/* of the last folded repeat */
	int64_t			 told_us;	/* followers last told of it */
	enum event_type		 type;
	char			*target;	/* NULL: the daemon's own */
	const void		*owner;		/* the target, as an identity:
						   compared, never followed */
	enum target_state	 from, to;
	enum probe_error	 error;
	uint32_t		 latency_us;
	uint32_t		 repeat;	/* folded repeats */
	uint32_t		 told;		/* the repeat they were told */
	uint8_t			 queued;	/* in events.untold */
	double			 availability;	/* -1: none */
	char			 message[200];
};

/*
 * What followers (`futctl log -f`) are told, through events.notify: a new
 * event at once; the repeats folded into an event at most every
 * EVENTS_TELL_US, or at once when its target has another event (so that
 * a target that stays down is one line a half minute, not one a probe).
 * A repeat not told yet is EVENT_NEWS_UNTOLD: whoever follows calls
 * events_tell_due by told_us + EVENTS_TELL_US, so that the last count of
 * a run of failures is told too.
 */
#define EVENTS_TELL_US		(30 * 1000000LL)

enum event_news {
	EVENT_NEWS_NEW,		/* added */
	EVENT_NEWS_UPDATE,	/* repeats folded in since told_us's telling */
	EVENT_NEWS_UNTOLD,	/* a repeat folded in, to tell by its due time */
};

struct events {
	struct event_rec	*ring;
	size_t			 size;
	size_t			 head;		/* next slot */
	size_t			 count;
	uint64_t		 next_seq;
	uint64_t		*untold;	/* seqs of queued events, < size */
	size_t			 nuntold;
	void			(*notify)(void *, const struct event_rec *,
				    enum event_news);
	void			*notify_arg;
};

const char	*event_type_name(enum event_type);
int		 events_init(struct events *, size_t);
int		 events_resize(struct events *, size_t);
void		 events_free(struct events *);
struct event_rec *events_get(const struct events *, size_t);
struct event_rec *events_find(const struct events *, uint64_t);
uint64_t	 events_add(struct events *, const struct event_rec *);
int		 events_fold(struct events *, uint64_t, int64_t);
int64_t		 events_tell_due(struct events *, int64_t);
void		 event_state(struct daemon *, struct target *,
		    enum target_state, const struct probe_result *);
void		 event_failure(struct daemon *, struct target *,
		    const struct probe_result *);
void		 event_late(struct daemon *, struct target *, uint64_t);
void		 event_fd_limit(struct daemon *);
void		 event_start(struct daemon *);
void		 event_reload(struct daemon *, const struct reload_report *,
		    const struct strlist *);

#endif /* FUTD_EVENTS_H */
