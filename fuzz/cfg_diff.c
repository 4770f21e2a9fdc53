/*
 * cfg_diff.c - libFuzzer target: daemon/cfg.c against libconfig 1.5 on the
 * same input (differential).
 *
 * The input goes to cfg_read_mem() and to libconfig's config_read() on an
 * fmemopen() stream of the same bytes (config_read_string() would stop at
 * the first NUL; the daemon reads files, where a NUL is a byte like any
 * other).  tests/cfgdiff.h compares the two: both accept with equal trees
 * (types, names, values, lengths, the lines of named settings, groups,
 * lists and arrays), or both reject with the same line and text.  Any
 * other outcome aborts.
 *
 * Normalised or skipped, each for a reason of libconfig's:
 *  - inputs holding "@include" are skipped: the files named would be
 *    looked up in the cwd (tests/check_cfg.c tests @include with files of
 *    its own);
 *  - the differences cfg.c makes on purpose (cfgdiff.h: an integer beyond
 *    32 bits is an int64 where libconfig 1.5 truncates it, and an array
 *    mixing it with ints is then an error; a decimal beyond 64 bits is
 *    "integer out of range"; nesting beyond 200 is an error) are counted,
 *    not aborted on;
 *  - an input ending in a # or // comment without a newline gets one for
 *    both: libconfig 1.5's comment rule wants the newline (a syntax
 *    error), cfg.c does not (a difference on purpose; check_cfg.c asserts
 *    ours);
 *  - libconfig's leaks of a string token on some syntax errors (its
 *    grammar has no %destructor; a string still open at the end of the
 *    input is lost too) are suppressed: leak:libconfig.so;
 *  - an include name's stray backslash makes libconfig's flex echo it to
 *    stdout (its default rule): harmless, and skipped with "@include".
 * Nothing of libconfig's has crashed here (nesting is bounded by
 * -max_len: bison's stack grows to 10000, "memory exhausted" beyond).
 *
 * FUZZ_DEBUG=1 prints every input's outcome.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/cfgdiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
const char *__lsan_default_suppressions(void);

static unsigned long	 deliberate;
static int		 debug = -1;

const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static void
report(void)
{
	if (deliberate > 0)
		fprintf(stderr, "cfg_diff: %lu inputs differed only on purpose\n",
		    deliberate);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_error err;
	struct cfgdiff d;
	struct cfg *c;
	config_t lc;
	FILE *f;
	char *text;
	size_t len = size;
	int ok, r;

	if (debug == -1) {
		debug = getenv("FUZZ_DEBUG") != NULL;
		atexit(report);
	}
	if (memmem(data, size, "@include", 8) != NULL)
		return -1;	/* not kept in the corpus */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(text, data, size);
	if (cfgdiff_eof_comment(text, len))
		text[len++] = '\n';

	config_init(&lc);
	ok = 0;
	if ((f = fmemopen(text, len, "r")) != NULL) {
		ok = config_read(&lc, f) == CONFIG_TRUE;
		fclose(f);
	} else if (len > 0) {
		fprintf(stderr, "cfg_diff: fmemopen failed\n");
		abort();
	}
	c = cfg_read_mem(text, len, "input", &err);
	if (len == 0 && f == NULL)	/* no stream for nothing: accept */
		ok = 1;

	r = cfgdiff(&d, &lc, ok, c, &err, text, len);
	if (debug)
		fprintf(stderr, "cfg_diff: %s%s%s\n", r == CFGDIFF_SAME ?
		    "same" : r == CFGDIFF_DELIBERATE ? "on purpose" : "DIFFER",
		    d.why[0] ? ": " : "", d.why);
	if (r == CFGDIFF_DIFFER) {
		fprintf(stderr, "cfg_diff: property failed: cfg.c and "
		    "libconfig differ: %s\n", d.why);
		abort();
	}
	if (r == CFGDIFF_DELIBERATE)
		deliberate++;
	cfg_free(c);
	config_destroy(&lc);
	free(text);
	return 0;
}
