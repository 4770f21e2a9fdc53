/*
 * heap.c - ask for huge pages for the heap futd is about to fill.
 *
 * A million targets are two million small allocations, two gigabytes that
 * the kernel hands out a 4 KiB page at a time: half a million page faults,
 * several seconds of a start on a virtual machine where a fault is dear.
 * Transparent huge pages would make that a thousand faults, but on most
 * systems they are "madvise" only, and glibc's malloc asks for them only
 * under GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which a daemon cannot set
 * for itself once it runs.
 *
 * So, before a big batch: grow the heap by what the batch will need with
 * one allocation from it (mmap off for a moment, so that it does come from
 * the heap), mark that range MADV_HUGEPAGE and free it.  glibc keeps the
 * freed top of the heap (trimming is off for a moment too) and carves the
 * batch's allocations out of it: the marked range, faulted in 2 MiB at a
 * time.  malloc_trim() after the batch gives back what it did not use.
 * Everything here is a hint: when it fails, the batch costs what it did.
 */
#include <sys/mman.h>

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "heap.h"

#define HEAP_PREPARE_MIN	(64UL * 1024 * 1024)
#define HEAP_HUGE		(2UL * 1024 * 1024)
#define HEAP_MMAP_MAX_DEFAULT	65536	/* glibc's M_MMAP_MAX */
#define HEAP_TRIM_DEFAULT	(128 * 1024)	/* and M_TRIM_THRESHOLD */

void
heap_prepare(size_t bytes)
{
	char *p;

	if (bytes < HEAP_PREPARE_MIN)
		return;
	if (mallopt(M_MMAP_MAX, 0) == 0)
		return;
	(void)mallopt(M_TRIM_THRESHOLD, (int)(bytes > INT32_MAX / 2 ?
	    INT32_MAX : bytes * 2));
	p = malloc(bytes);
	(void)mallopt(M_MMAP_MAX, HEAP_MMAP_MAX_DEFAULT);
	if (p == NULL)
		return;
	heap_hint(p, bytes);
	free(p);
}

/* After the batch: trimming as before (server.c trims what is left). */
void
heap_done(void)
{
	(void)mallopt(M_TRIM_THRESHOLD, HEAP_TRIM_DEFAULT);
}

/*
 * A big array, fresh from calloc (glibc maps it, untouched): huge pages
 * for its whole 2 MiB pieces before it is written.
 */
void
heap_hint(void *p, size_t bytes)
{
	uintptr_t start, end;

	if (bytes < HEAP_HUGE * 4)
		return;
	start = ((uintptr_t)p + HEAP_HUGE - 1) & ~(HEAP_HUGE - 1);
	end = ((uintptr_t)p + bytes) & ~(HEAP_HUGE - 1);
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}
