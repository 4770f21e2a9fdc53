/*
 * slab.c - what a target gets with its first result (results.c: its
 * history ring and its results_detail), carved out of big slabs, one kind
 * per size.
 *
 * They come with the first result, so a million of them are made in the
 * order the probes end, not the order of the targets.  From malloc, each
 * would be a chunk among the others; freeing them target by target (a
 * stop, a reload that drops many) then walks the heap at random, and
 * glibc's coalescing made a stop of a million targets take seconds.  Here
 * each is a slot of a slab: freeing it is one write (the free list goes
 * through the slots), a slab is never given back while a slot of its size
 * lives, and all of them go at once with the last.  Slabs are mapped
 * (zero) and faulted in as the slots are first written; huge pages where
 * the kernel has them.
 */
#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>

#include "slab.h"

#define SLAB_LEN	(4UL * 1024 * 1024)
#define SLAB_HEAD	64	/* a cache line: slots of a multiple of it
				   start on one (struct results_detail) */

struct slab {
	struct slab	*next;
	size_t		 len;	/* the mapping's */
};

_Static_assert(sizeof(struct slab) <= SLAB_HEAD, "a slab's head");

struct slab_kind {
	size_t			 size;	/* of a slot: a multiple of 8 */
	size_t			 live;	/* slots handed out */
	void			*free;	/* a slot's first word: the next */
	struct slab		*slabs;
	char			*cur, *end;	/* the newest slab's rest */
};

/* a few kinds at most: the detail, and each history a config had while
   rings lived */
static struct slab_kind	*slab_kinds;
static size_t		 slab_nkinds;

static struct slab_kind *
slab_kind(size_t size, int add)
{
	struct slab_kind *k;
	size_t i;

	for (i = 0; i < slab_nkinds; i++)
		if (slab_kinds[i].size == size)
			return &slab_kinds[i];
	if (!add || (k = reallocarray(slab_kinds, slab_nkinds + 1,
	    sizeof(*k))) == NULL)
		return NULL;
	slab_kinds = k;
	k = &slab_kinds[slab_nkinds++];
	memset(k, 0, sizeof(*k));
	k->size = size;
	return k;
}

static int
slab_grow(struct slab_kind *k)
{
	size_t len = k->size + SLAB_HEAD > SLAB_LEN ?
	    k->size + SLAB_HEAD : SLAB_LEN;
	struct slab *s;

	s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (s == MAP_FAILED)
		return -1;
	(void)madvise(s, len, MADV_HUGEPAGE);
	s->len = len;
	s->next = k->slabs;
	k->slabs = s;
	k->cur = (char *)s + SLAB_HEAD;
	k->end = (char *)s + len;
	return 0;
}

/* size zeroed bytes (size > 0), aligned to 8, or NULL. */
void *
slab_alloc(size_t size)
{
	struct slab_kind *k;
	void *p;

	size = (size + 7) & ~(size_t)7;
	if (size == 0 || (k = slab_kind(size, 1)) == NULL)
		return NULL;
	if ((p = k->free) != NULL) {
		memcpy(&k->free, p, sizeof(k->free));
		memset(p, 0, size);
	} else {
		/* fresh from a mapping: zero already, and not touched here */
		if ((size_t)(k->end - k->cur) < size && slab_grow(k) == -1)
			return NULL;
		p = k->cur;
		k->cur += size;
	}
	k->live++;
	return p;
}

/* Give back p from slab_alloc(size); NULL is nothing. */
void
slab_free(void *p, size_t size)
{
	struct slab_kind *k;
	struct slab *s;

	size = (size + 7) & ~(size_t)7;
	if (p == NULL || (k = slab_kind(size, 0)) == NULL)
		return;
	memcpy(p, &k->free, sizeof(k->free));
	k->free = p;
	if (--k->live > 0)
		return;
	/* the last of its size: every slab goes, and the kind */
	while ((s = k->slabs) != NULL) {
		k->slabs = s->next;
		munmap(s, s->len);
	}
	*k = slab_kinds[--slab_nkinds];
	if (slab_nkinds == 0) {
		free(slab_kinds);
		slab_kinds = NULL;
	}
}
