/*
 * strlist.c - a growing list of strings.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "strlist.h"

static int
strlist_grow(struct strlist *e, size_t need)
{
	size_t cap = e->cap ? e->cap : 8;
	char **msg;

	while (cap < need)
		cap *= 2;	/* doubling: a reload may list a million names */
	if (cap == e->cap)
		return 0;
	if ((msg = reallocarray(e->msg, cap, sizeof(*msg))) == NULL)
		return -1;
	e->msg = msg;
	e->cap = cap;
	return 0;
}

void
strlist_add(struct strlist *e, const char *fmt, ...)
{
	unsigned char *p;
	char *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		return;
	/*
	 * A message quotes what a file said: its control characters must
	 * not forge a line in the log or colour a terminal.
	 */
	for (p = (unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (strlist_grow(e, e->n + 1) == -1) {
		free(s);
		return;
	}
	e->msg[e->n++] = s;
}

void
strlist_move(struct strlist *to, struct strlist *from)
{
	size_t i;

	if (from->n == 0)
		return;
	if (strlist_grow(to, to->n + from->n) == -1) {
		strlist_clear(from);
		return;
	}
	for (i = 0; i < from->n; i++)
		to->msg[to->n++] = from->msg[i];
	free(from->msg);
	from->msg = NULL;
	from->n = from->cap = 0;
}

void
strlist_clear(struct strlist *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	e->msg = NULL;
	e->n = e->cap = 0;
}
