/*
 * adhoc.h - `futctl probe`: one probe of a target now, outside its
 * schedule, answered when it ends (adhoc.c).
 */
#ifndef FUTD_ADHOC_H
#define FUTD_ADHOC_H

struct adhoc;
struct daemon;
struct probe_result;
struct target;

typedef void (*adhoc_done_fn)(void *, const struct target *,
    const struct probe_result *);
struct adhoc	*adhoc_start(struct daemon *, struct target *, adhoc_done_fn,
		    void *);
void		 adhoc_detach(struct adhoc *);
void		 adhoc_abort(struct adhoc *);
void		 adhoc_abort_target(struct daemon *, struct target *);

#endif /* FUTD_ADHOC_H */
