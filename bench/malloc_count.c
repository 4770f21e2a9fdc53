/*
 * malloc_count.c - an LD_PRELOAD shim that counts heap calls, for
 * bench/driver.py's "mallocs per probe" (figure 6).
 *
 *   MALLOC_COUNT_FILE=/tmp/x LD_PRELOAD=build/bench/bin/malloc_count.so futd ...
 *
 * malloc, calloc, realloc and free are counted, then handed to glibc's own
 * allocator (__libc_*), so the program behaves as without the shim.  The
 * counters live in a shared mapping of MALLOC_COUNT_FILE, which the driver
 * reads whenever it likes: no signal, no call into the program, nothing
 * that would itself allocate.  Layout: five little-endian uint64 at offset
 * 0: malloc, calloc, realloc, free, memalign (memalign/valloc family).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

extern void	*__libc_malloc(size_t);
extern void	*__libc_calloc(size_t, size_t);
extern void	*__libc_realloc(void *, size_t);
extern void	 __libc_free(void *);
extern void	*__libc_memalign(size_t, size_t);

struct counts {
	uint64_t	malloc, calloc, realloc, free, memalign;
};

static struct counts	 early;		/* until the mapping exists */
static struct counts	*C = &early;

__attribute__((constructor)) static void
malloc_count_init(void)
{
	const char	*path = getenv("MALLOC_COUNT_FILE");
	void		*m;
	int		 fd;

	if (path == NULL || (fd = open(path, O_RDWR | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644)) == -1)
		return;
	if (ftruncate(fd, 4096) == 0 && (m = mmap(NULL, 4096, PROT_READ |
	    PROT_WRITE, MAP_SHARED, fd, 0)) != MAP_FAILED) {
		*(struct counts *)m = early;
		C = m;
	}
	close(fd);
}

#define BUMP(f)	__atomic_fetch_add(&C->f, 1, __ATOMIC_RELAXED)

void *
malloc(size_t n)
{
	BUMP(malloc);
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t m)
{
	BUMP(calloc);
	return __libc_calloc(n, m);
}

void *
realloc(void *p, size_t n)
{
	BUMP(realloc);
	return __libc_realloc(p, n);
}

void
free(void *p)
{
	if (p != NULL)
		BUMP(free);
	__libc_free(p);
}

void *
memalign(size_t a, size_t n)
{
	BUMP(memalign);
	return __libc_memalign(a, n);
}
