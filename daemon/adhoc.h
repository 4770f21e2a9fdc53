/*
 * adhoc.h - `futctl probe`: one probe of a target now, outside its
 * schedule, answered when it ends (adhoc.c).
 */
#ifndef FUTD_ADHOC_H
#define FUTD_ADHOC_H

struct adhoc;
struct daemon;
struct probe_result;
struct probe_trace;
struct target;

/*
 * The target (NULL: it went away), the result (with addresses = "each",
 * the round's: the first failure, else the first), and each address's
 * result in the answer's order (none without "each"), and the steps of the
 * result's probe with when each ended.
 */
typedef void (*adhoc_done_fn)(void *, const struct target *,
    const struct probe_result *, const struct probe_result *, unsigned,
    const struct probe_trace *);
struct adhoc	*adhoc_start(struct daemon *, struct target *, adhoc_done_fn,
		    void *);
void		 adhoc_detach(struct adhoc *);
void		 adhoc_abort(struct adhoc *);
void		 adhoc_abort_target(struct daemon *, struct target *);

#endif /* FUTD_ADHOC_H */
