/*
 * hist.c - history rings, carved out of big slabs, one kind per size.
 *
 * A target's ring comes with its first result (results.c), so a million
 * of them are made in the order the probes end, not the order of the
 * targets.  From malloc, each would be a chunk among the others; freeing
 * them target by target (a stop, a reload that drops many) then walks the
 * heap at random, and glibc's coalescing made a stop of a million targets
 * take seconds.  Here a ring is a slot of a slab: freeing it is one write
 * (the free list goes through the rings), a slab is never given back
 * while a ring of its size lives, and all of them go at once with the
 * last.  Slabs are mapped (zero) and faulted in as the rings are first
 * written; huge pages where the kernel has them.
 */
#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>

#include "futd.h"

#define HIST_SLAB	(4UL * 1024 * 1024)

struct hist_slab {
	struct hist_slab	*next;
	size_t			 len;	/* the mapping's */
};

struct hist_kind {
	unsigned		 n;	/* entries per ring */
	size_t			 live;	/* rings handed out */
	void			*free;	/* a ring's first word: the next */
	struct hist_slab	*slabs;
	char			*cur, *end;	/* the newest slab's rest */
};

/* a few kinds at most: each history a config had while rings lived */
static struct hist_kind	*hist_kinds;
static size_t		 hist_nkinds;

static struct hist_kind *
hist_kind(unsigned n, int add)
{
	struct hist_kind *k;
	size_t i;

	for (i = 0; i < hist_nkinds; i++)
		if (hist_kinds[i].n == n)
			return &hist_kinds[i];
	if (!add || (k = reallocarray(hist_kinds, hist_nkinds + 1,
	    sizeof(*k))) == NULL)
		return NULL;
	hist_kinds = k;
	k = &hist_kinds[hist_nkinds++];
	memset(k, 0, sizeof(*k));
	k->n = n;
	return k;
}

static int
hist_grow(struct hist_kind *k)
{
	size_t ring = (size_t)k->n * sizeof(struct hist_entry);
	size_t len = ring + sizeof(struct hist_slab) > HIST_SLAB ?
	    ring + sizeof(struct hist_slab) : HIST_SLAB;
	struct hist_slab *s;

	s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (s == MAP_FAILED)
		return -1;
	(void)madvise(s, len, MADV_HUGEPAGE);
	s->len = len;
	s->next = k->slabs;
	k->slabs = s;
	k->cur = (char *)(s + 1);
	k->end = (char *)s + len;
	return 0;
}

/* A zeroed ring of n entries (n > 0), or NULL. */
struct hist_entry *
hist_alloc(unsigned n)
{
	size_t ring = (size_t)n * sizeof(struct hist_entry);
	struct hist_kind *k;
	void *p;

	if (n == 0 || (k = hist_kind(n, 1)) == NULL)
		return NULL;
	if ((p = k->free) != NULL) {
		memcpy(&k->free, p, sizeof(k->free));
		memset(p, 0, ring);
	} else {
		/* fresh from a mapping: zero already, and not touched here */
		if ((size_t)(k->end - k->cur) < ring && hist_grow(k) == -1)
			return NULL;
		p = k->cur;
		k->cur += ring;
	}
	k->live++;
	return p;
}

/* Give back a ring of n entries from hist_alloc(n); NULL is nothing. */
void
hist_free(struct hist_entry *ring, unsigned n)
{
	struct hist_kind *k;
	struct hist_slab *s;

	if (ring == NULL || (k = hist_kind(n, 0)) == NULL)
		return;
	memcpy(ring, &k->free, sizeof(k->free));
	k->free = ring;
	if (--k->live > 0)
		return;
	/* the last of its size: every slab goes, and the kind */
	while ((s = k->slabs) != NULL) {
		k->slabs = s->next;
		munmap(s, s->len);
	}
	*k = hist_kinds[--hist_nkinds];
	if (hist_nkinds == 0) {
		free(hist_kinds);
		hist_kinds = NULL;
	}
}
