/*
 * touch.c - the machine's floor for figure 4: how long the kernel takes
 * to hand a process N MiB of fresh memory, with huge pages asked for as
 * futd asks for them (madvise), and with none.  futd's start-up of a
 * million targets cannot be faster than its own VmRSS costs here.
 *
 *	touch MIB [huge|4k]	prints "MIB seconds"
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	size_t len, i;
	double t0;
	char *p;

	if (argc < 2 || (len = strtoull(argv[1], NULL, 10) << 20) == 0) {
		fprintf(stderr, "usage: touch MIB [huge|4k]\n");
		return 2;
	}
	t0 = now();
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (argc < 3 || strcmp(argv[2], "4k") != 0)
		(void)madvise(p, len, MADV_HUGEPAGE);
	for (i = 0; i < len; i += 4096)
		p[i] = 1;
	printf("%zu %.3f\n", len >> 20, now() - t0);
	munmap(p, len);
	return 0;
}
