/*
 * maint.h - maintenance (maint.c): the targets an operator disabled with
 * `futctl disable`, by name, with who, why, since and until when.
 *
 * Kept by name, in the daemon, not in struct target: a disable is the
 * operator's word about a name, so it outlives a reload that resets the
 * target (a new struct target), and a state file can dump and restore the
 * list as it is (maints_get, maints_set).  The target's part is its phase
 * (TARGET_DISABLED) and its timer, armed to the end (target.c).
 */
#ifndef FUTD_MAINT_H
#define FUTD_MAINT_H

#include <stddef.h>
#include <stdint.h>

#define MAINT_REASON_MAX	200	/* bytes of a reason */
#define MAINT_USER_MAX		32

struct maint {
	char			*name;		/* the target's */
	char			*reason;	/* "": none given */
	int64_t			 since_us;	/* wall clock */
	int64_t			 until_us;	/* wall clock; 0: until enabled */
	uint32_t		 uid;		/* who disabled it (SO_PEERCRED) */
	char			 user[MAINT_USER_MAX];	/* its name, or "" */
};

/* sorted by name */
struct maints {
	struct maint		*v;
	size_t			 n;
	size_t			 cap;		/* of v: doubles */
};

const struct maint *maints_find(const struct maints *, const char *);
int		 maints_set(struct maints *, const struct maint *);
int		 maints_remove(struct maints *, const char *);
size_t		 maints_count(const struct maints *);
const struct maint *maints_get(const struct maints *, size_t);
void		 maints_clear(struct maints *);

#endif /* FUTD_MAINT_H */
