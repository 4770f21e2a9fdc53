/*
 * maint.c - the list of disabled targets, by name (maint.h).  Short: an
 * operator disables a handful of names, not a million, so a sorted array
 * and a binary search are all it needs.
 */
#include <stdlib.h>
#include <string.h>

#include "maint.h"

/* the index of name, or where it would go (*found: 0) */
static size_t
maints_index(const struct maints *ms, const char *name, int *found)
{
	size_t lo = 0, hi = ms->n, mid;
	int c;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(name, ms->v[mid].name)) == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

const struct maint *
maints_find(const struct maints *ms, const char *name)
{
	size_t i;
	int found;

	i = maints_index(ms, name, &found);
	return found ? &ms->v[i] : NULL;
}

/*
 * Add m (copied), or replace the record of its name: a second disable
 * says the operator's newer word.  -1: out of memory, nothing changed.
 */
int
maints_set(struct maints *ms, const struct maint *m)
{
	struct maint *v, copy = *m;
	size_t i;
	int found;

	copy.name = strdup(m->name);
	copy.reason = strdup(m->reason != NULL ? m->reason : "");
	if (copy.name == NULL || copy.reason == NULL) {
		free(copy.name);
		free(copy.reason);
		return -1;
	}
	i = maints_index(ms, m->name, &found);
	if (found) {
		free(ms->v[i].name);
		free(ms->v[i].reason);
		ms->v[i] = copy;
		return 0;
	}
	/*
	 * Doubling: `disable 't*'` of 100 000 targets grew it by one a
	 * name, a copy of all each time where realloc could not extend it
	 * (ASan never does: 0.3 s became minutes, the reactor held).
	 */
	if (ms->n == ms->cap) {
		if ((v = reallocarray(ms->v, ms->cap > 0 ? 2 * ms->cap : 16,
		    sizeof(*v))) == NULL) {
			free(copy.name);
			free(copy.reason);
			return -1;
		}
		ms->v = v;
		ms->cap = ms->cap > 0 ? 2 * ms->cap : 16;
	}
	v = ms->v;
	memmove(&v[i + 1], &v[i], (ms->n - i) * sizeof(*v));
	v[i] = copy;
	ms->n++;
	return 0;
}

/* 0: removed; -1: it was not there */
int
maints_remove(struct maints *ms, const char *name)
{
	size_t i;
	int found;

	i = maints_index(ms, name, &found);
	if (!found)
		return -1;
	free(ms->v[i].name);
	free(ms->v[i].reason);
	memmove(&ms->v[i], &ms->v[i + 1], (ms->n - i - 1) * sizeof(*ms->v));
	ms->n--;
	return 0;
}

size_t
maints_count(const struct maints *ms)
{
	return ms->n;
}

/* the i-th record, by name's order (a state file's dump) */
const struct maint *
maints_get(const struct maints *ms, size_t i)
{
	return i < ms->n ? &ms->v[i] : NULL;
}

void
maints_clear(struct maints *ms)
{
	size_t i;

	for (i = 0; i < ms->n; i++) {
		free(ms->v[i].name);
		free(ms->v[i].reason);
	}
	free(ms->v);
	ms->v = NULL;
	ms->n = 0;
	ms->cap = 0;
}
