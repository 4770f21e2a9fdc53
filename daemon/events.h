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
	int64_t			 wall_us;
	int64_t			 last_wall_us;	/* of the last folded repeat */
	enum event_type		 type;
	char			*target;	/* NULL: the daemon's own */
	const void		*owner;		/* the target, as an identity:
						   compared, never followed */
	enum target_state	 from, to;
	enum probe_error	 error;
	uint32_t		 latency_us;
	uint32_t		 repeat;	/* folded repeats */
	double			 availability;	/* -1: none */
	char			 message[200];
	char			 words[128];	/* the probe's words, or "" */
};

struct events {
	struct event_rec	*ring;
	size_t			 size;
	size_t			 head;		/* next slot */
	size_t			 count;
	uint64_t		 next_seq;
	void			(*notify)(void *, const struct event_rec *);
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
void		 event_state(struct daemon *, struct target *,
		    enum target_state, const struct probe_result *);
void		 event_failure(struct daemon *, struct target *,
		    const struct probe_result *);
void		 event_late(struct daemon *, struct target *, uint64_t,
		    int64_t);
void		 event_fd_limit(struct daemon *, const struct probe_result *);
void		 event_start(struct daemon *);
void		 event_reload(struct daemon *, const struct reload_report *,
		    const struct strlist *);

#endif /* FUTD_EVENTS_H */
