/*
 * strlist.h - a growing list of strings: config errors ("file:line:
 * problem"), the names a reload added or removed.
 */
#ifndef FUTD_STRLIST_H
#define FUTD_STRLIST_H

#include <stddef.h>

struct strlist {
	char			**msg;
	size_t			  n;
	size_t			  cap;	/* of msg */
};

void	strlist_add(struct strlist *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* take over every message of from (which is left empty) */
void	strlist_move(struct strlist *, struct strlist *);
void	strlist_clear(struct strlist *);

#endif /* FUTD_STRLIST_H */
