/*
 * check_cfg.c - daemon/cfg.c against libconfig 1.5, the reader it replaced.
 *
 * Every config the tests and the fuzzer keep (tests/data/good, bad, conf/,
 * fuzz/corpus/conf), a table of snippets for each corner of the syntax,
 * and @include with real files, each read by both and compared by
 * tests/cfgdiff.h: both accept with equal trees, or both reject with the
 * same line and text.  What cfg.c does differently on purpose (cfg.c's
 * header comment) is asserted as cfg.c's own behaviour, next to what
 * libconfig 1.5 does instead.
 *
 * libconfig 1.5 exits (its flex scanner's "input in flex scanner failed")
 * on an @include of a directory and blocks on one of a FIFO: a file with
 * "@include" is compared in a child process, and libconfig is not asked
 * about a FIFO at all.  Data: $FUTD_SRCDIR/..., else relative to the cwd.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgdiff.h"
#include "tests.h"

const char	*__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks a string token on some syntax errors and a string
 * still open at the end of the input (its grammar has no %destructor):
 * libconfig's, not cfg.c's (check-asan runs LeakSanitizer).
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

/* ------------------------------------------------------------ helpers */

/* A file of the source tree. */
static const char *
src_path(char *buf, size_t len, const char *rel)
{
	const char *src = getenv("FUTD_SRCDIR");
	int n;

	if (src != NULL && *src != '\0')
		n = snprintf(buf, len, "%s/%s", src, rel);
	else
		n = snprintf(buf, len, "%s", rel);
	ck_assert_msg(n > 0 && (size_t)n < len, "path too long: %s", rel);
	return buf;
}

static char *
slurp(const char *path, size_t *lenp)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t off = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd != -1, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 2);
	ck_assert_ptr_nonnull(buf);
	while (off < (size_t)st.st_size &&
	    (n = read(fd, buf + off, (size_t)st.st_size - off)) > 0)
		off += (size_t)n;
	close(fd);
	*lenp = off;
	return buf;
}

static void
spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* Both readers on text in memory (config_read() on an fmemopen stream). */
static int
compare_mem(const char *text, size_t len, struct cfgdiff *d)
{
	struct cfg_error err;
	struct cfg *c;
	config_t lc;
	FILE *f;
	int ok = 1, r;

	config_init(&lc);
	if (len > 0) {
		f = fmemopen((void *)(uintptr_t)text, len, "r");
		ck_assert_ptr_nonnull(f);
		ok = config_read(&lc, f) == CONFIG_TRUE;
		fclose(f);
	}
	c = cfg_read_mem(text, len, "mem", &err);
	r = cfgdiff(d, &lc, ok, c, &err, text, len);
	cfg_free(c);
	config_destroy(&lc);
	return r;
}

/* Both readers on a file, @include looked up in dir. */
static int
compare_file(const char *path, const char *dir, struct cfgdiff *d)
{
	struct cfg_error err;
	struct cfg *c;
	config_t lc;
	char *text;
	size_t len;
	int ok, r;

	text = slurp(path, &len);
	/*
	 * cfg.c takes a last comment without a newline on purpose: the
	 * newline for both (in memory, @include is then looked up in the
	 * cwd by both)
	 */
	if (cfgdiff_eof_comment(text, len)) {
		text[len++] = '\n';
		r = compare_mem(text, len, d);
		free(text);
		return r;
	}
	config_init(&lc);
	if (dir != NULL)
		config_set_include_dir(&lc, dir);
	ok = config_read_file(&lc, path) == CONFIG_TRUE;
	c = cfg_read(path, dir, &err);
	r = cfgdiff(d, &lc, ok, c, &err, text, len);
	cfg_free(c);
	config_destroy(&lc);
	free(text);
	return r;
}

struct result {
	int		 r;	/* CFGDIFF_*, or -1: libconfig exited */
	int		 status;
	struct cfgdiff	 d;
	struct cfg_error err;	/* cfg.c's, when it rejected */
};

static int	 quiet_child;

/*
 * compare_file() in a child: libconfig 1.5 exits on some includes.  When
 * it did, res->r is -1 and res->err is what cfg.c said of the file.
 */
static void
compare_file_child(const char *path, const char *dir, struct result *res)
{
	struct cfg *c;
	ssize_t n;
	size_t off = 0;
	pid_t pid;
	int p[2], st;

	memset(res, 0, sizeof(*res));
	ck_assert_int_eq(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		close(p[0]);
		/* libconfig's flex says "input in flex scanner failed" */
		if (quiet_child)
			(void)!freopen("/dev/null", "w", stderr);
		res->r = compare_file(path, dir, &res->d);
		(void)!write(p[1], res, sizeof(*res));
		_exit(0);
	}
	close(p[1]);
	while (off < sizeof(*res) &&
	    (n = read(p[0], (char *)res + off, sizeof(*res) - off)) > 0)
		off += (size_t)n;
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	res->status = st;
	if (off == sizeof(*res) && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	res->r = -1;
	c = cfg_read(path, dir, &res->err);
	ck_assert_msg(c == NULL, "%s: libconfig exited (status %d), cfg.c "
	    "accepts it", path, st);
}

/* CFG_COUNT=1: each test prints how many inputs it compared */
static unsigned		 ncompared;

static void
count_setup(void)
{
	ncompared = 0;
}

static void
count_report(void)
{
	if (getenv("CFG_COUNT") != NULL)
		fprintf(stderr, "check_cfg: %u comparisons\n", ncompared);
}

static void
assert_same_file(const char *path, const char *dir)
{
	struct result res;

	compare_file_child(path, dir, &res);
	ncompared++;
	if (res.r == -1) {
		/* libconfig's flex on a directory: cfg.c says why */
		ck_assert_msg(strstr(res.err.text, "not a regular file") !=
		    NULL, "%s: libconfig exited, cfg.c: %d: %s", path,
		    res.err.line, res.err.text);
		return;
	}
	ck_assert_msg(res.r != CFGDIFF_DIFFER, "%s: %s", path, res.d.why);
}

/* fn on every regular file of a directory of the source tree */
static unsigned
each_file(const char *rel, void (*fn)(const char *, const char *))
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *e;
	struct stat st;
	DIR *dp;
	unsigned n = 0;

	src_path(dir, sizeof(dir), rel);
	dp = opendir(dir);
	ck_assert_msg(dp != NULL, "%s: %s (run from the repo root or set "
	    "FUTD_SRCDIR)", dir, strerror(errno));
	while ((e = readdir(dp)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (strcmp(rel, "conf") == 0 && (strlen(e->d_name) < 5 ||
		    strcmp(e->d_name + strlen(e->d_name) - 5, ".conf") != 0))
			continue;
		fn(path, dir);
		n++;
	}
	closedir(dp);
	return n;
}

/* Every regular file of a directory, read by both readers. */
static unsigned
compare_dir(const char *rel)
{
	return each_file(rel, assert_same_file);
}

/* ------------------------------------------------------------ files */

START_TEST(test_data_good)
{
	ck_assert_uint_ge(compare_dir("tests/data/good"), 3);
}
END_TEST

START_TEST(test_data_bad)
{
	ck_assert_uint_ge(compare_dir("tests/data/bad"), 30);
}
END_TEST

START_TEST(test_conf_dir)
{
	ck_assert_uint_ge(compare_dir("conf"), 1);
}
END_TEST

START_TEST(test_fuzz_corpus)
{
	char path[PATH_MAX];
	struct stat st;
	unsigned n;

	n = compare_dir("fuzz/corpus/conf");
	ck_assert_uint_ge(n, 50);
	/* and what the differential fuzzer kept, when it kept any */
	if (stat(src_path(path, sizeof(path), "fuzz/corpus/cfg_diff"), &st) ==
	    0)
		compare_dir("fuzz/corpus/cfg_diff");
	if (stat(src_path(path, sizeof(path), "fuzz/regress/cfg_diff"), &st) ==
	    0)
		compare_dir("fuzz/regress/cfg_diff");
}
END_TEST

/* ------------------------------------------------------------ snippets */

#define ACCEPT	1
#define REJECT	0
#define SA(lit)	{ lit, sizeof(lit) - 1, ACCEPT }
#define SR(lit)	{ lit, sizeof(lit) - 1, REJECT }

static const struct snippet {
	const char	*text;
	size_t		 len;
	int		 accept;	/* what both must do */
} snippets[] = {
	/* comments of all three kinds */
	SA("# hash\na = 1;\n"),
	SA("// slashes\na = 1; // after\n"),
	SA("/* c */ a /* in */ = /* x */ 1; /* multi\nline */ b = 2;\n"),
	SA("a = 1;\n/* unclosed at the end"),
	SR("a = /* unclosed\n\n"),
	SA("/**/a=1;/***/ b = /*/ x */ 2;\n"),
	SA("#x\n# y # z\n//\n\n"),
	SA("a = 1; # c\n b = 2; // d\n/* e */\n"),
	SA(""),
	SA("\n\n   \t\n"),
	/* strings: every escape, \x with one digit, unknown escapes */
	SA("s = \"\\n\\r\\t\\f\\\\\\\"\\x41\\x7e\\xFf\\X4a\";\n"),
	SA("s = \"\\x4\"; t = \"\\x4g\"; u = \"\\x\";\n"),
	SA("s = \"\\a\\b\\q\\0\\e\\'\\/ \\\n\";\n"),
	SA("s = \"a\\x00b\"; t = \"\\x00\";\n"),
	SA("s = \"\";\n"),
	SA("s = \"a\nb\";\nt = 2;\n"),
	/* adjacent strings join, across lines and comments */
	SA("s = \"a\" \"b\"\n  \"c\" /* x */ \"d\" # y\n \"e\";\nt = 1;\n"),
	SA("l = (\"a\"\n\"b\", \"c\"\n\n\"d\");\n"),
	SA("a = [\"x\" \"y\", \"z\"];\n"),
	/* NUL bytes: libconfig cuts a string's run at a NUL */
	SA("s = \"ab\0cd\";\nt = 1;\n"),
	SA("s = \"a\\n\0z\\tq\";\n"),
	SA("s = \"x\\\0yz\0w\\q\";\n"),
	SR("a = 1;\0b = 2;\n"),
	SR("\0"),
	/* a string open at the end: libconfig drops it, the input ends */
	SA("a = 1;\n\"abc"),
	SA("a = 1;\n\"abc\ndef\n"),
	SR("a = \"abc\n"),
	SR("\"a\" = 1;\n"),
	SR("a = 1;\n\"x\ny\" = 2;\n"),
	/* booleans */
	SA("a = true; b = FALSE; c = TrUe; d = fAlSe;\n"),
	SR("true = 1;\n"),
	SR("a = truex;\n"),
	SR("a = tru;\n"),
	/* names */
	SA("a-b = 1; c_d = 2; *e = 3; f9 = 4; G*-_0 = 5; Z = 6;\n"),
	SR("9a = 1;\n"),
	SR("_a = 1;\n"),
	SR("-a = 1;\n"),
	/* = and :, optional ; and , */
	SA("a = 1; b : 2, c = 3\nd = 4\n"),
	SA("g = { a = 1, b = 2; c = 3 }\n"),
	SA("a = 1 b = 2;\n"),
	SR("a = 1;;\n"),
	SR("a = 1,, b = 2;\n"),
	SR("a == 1;\n"),
	SR("a := 1;\n"),
	/* empty groups, lists, arrays; nesting */
	SA("g = {}; l = (); a = [];\n"),
	SA("g = { h = { i = {} } };\n"),
	SA("t = ( { a = 1; }, { b = (1, \"x\", [2.5], { c = true; }) } );\n"),
	SA("l = ((), ((1)), [], {}, ({}, {x = ();}));\n"),
	/* arrays of each scalar type */
	SA("a = [1, 2, -3];\n"),
	SA("a = [1L, 2LL, 0x3L];\n"),
	SA("a = [1.5, .5, 5., 1e3];\n"),
	SA("a = [\"x\", \"y\" \"z\"];\n"),
	SA("a = [true, false, TRUE];\n"),
	SA("a = [0x10, 1, 0xFFFFFFFF];\n"),
	/* mismatched array types; what an array cannot hold */
	SR("a = [1, 2.0];\n"),
	SR("a = [1, \"x\"];\n"),
	SR("a = [\"x\"\n, 1];\n"),
	SR("a = [1,\n\"x\"\n\n];\n"),
	SR("a = [\"x\",\n\"y\", 1\n];\n"),
	SR("a = [1, 1L];\n"),
	SR("a = [true, 1];\n"),
	SR("a = [[1]];\n"),
	SR("a = [{}];\n"),
	SR("a = [()];\n"),
	/* which error first: the element's type, or what follows it */
	SR("a = [\"h2\",.1\xf7\"];\n"),
	SR("a = [1, 2.5 $];\n"),
	SR("a = [\"x\", 1 $];\n"),
	SR("a = [1, \"x\" $];\n"),
	SR("a = [\"x\", 1\n@include \"/nonexistent/x\"\n];\n"),
	SR("a = [1, \"x\"\n@include \"/nonexistent/x\"\n];\n"),
	SR("a = [1, \"x\"\n\n@\n];\n"),
	/* trailing commas */
	SR("a = [1, 2,];\n"),
	SR("l = (1, 2,);\n"),
	SR("a = [,];\n"),
	SR("l = (,);\n"),
	SR("l = (1,,2);\n"),
	/* integers */
	SA("a = 2147483647; b = -2147483648;\n"),
	SA("a = 0x0; b = 0xFFFFFFFF; c = 0x7fffffff; d = 0X1f; e = 0x80000000;\n"),
	SA("a = 1L; b = -5LL; c = 0x10L; d = 0xFFFFFFFFFFFFFFFFL;\n"),
	SA("a = 9223372036854775807L; b = -9223372036854775808L;\n"),
	SA("a = 0x00000000000000001; b = 0x0000000000000000000000ffL;\n"),
	SA("a = 0x1FFFFFFFFFFFFFFFFFL;\n"),
	SA("a = +7; b = 007; c = -0;\n"),
	SR("a = 1LLL;\n"),
	SR("a = 0x;\n"),
	SR("a = -0x5;\n"),
	SR("a = 1l;\n"),
	SR("a = 1 2;\n"),
	/* floats */
	SA("a = .;\n"),
	SA("a = 5.;\n"),
	SA("a = .5;\n"),
	SA("a = -.5e3;\n"),
	SA("a = 1e5;\n"),
	SA("a = 1E+5; b = 2e-3; c = 1.e2; d = -1.5E-2;\n"),
	SA("a = 123456789012345678.5; b = 0.1; c = 3.14159265358979323846;\n"),
	SA("a = 1e400; b = -1e400; c = 1e-400; d = 4.9e-324;\n"),
	SA("a = 0.000000000000000000000000001; b = 1234567890123456.0;\n"),
	SR("a = 1.5e;\n"),
	SR("a = 1.2.3;\n"),
	SR("a = e5;\n"),
	SR("a = 1e;\n"),
	/* garbage */
	SR("a = 1; $\n"),
	SR("a = 1; b = 2 ~;\n"),
	SR("\xff = 1;\n"),
	SR("a = @;\n"),
	SR("a = 'x';\n"),
	SR("{ a = 1; }\n"),
	SR("a = (1 2);\n"),
	/* duplicate names */
	SR("a = 1; a = 2;\n"),
	SR("g = { a = 1; b = 2;\n a = 3; };\n"),
	SA("a = 1; g = { a = 1; };\n"),
	SA("l = ({ a = 1; }, { a = 2; });\n"),
	/* missing values */
	SR("a = ;\n"),
	SR("a\n"),
	SR("a = 1; b\n= \n"),
	SR("= 1;\n"),
	SR("a = }\n"),
	/* the end inside a group, list, array */
	SR("g = {\n a = 1;\n"),
	SR("l = (1,\n2\n"),
	SR("a = [\n"),
	SR("g = { a = 1; }}\n"),
	/* @include: only at the start of a line */
	SR("a = 1; @include \"x.conf\"\n"),
	SR("/* c */ @include \"x.conf\"\n"),
	SR("a = 1;\r@include \"x.conf\"\n"),
	SR("@include \"/nonexistent/x.conf\"\n"),
	SR("a = 1;\n  \t@include \"/nonexistent/x.conf\"\n"),
	SR("@include\"/nonexistent/x.conf\"\n"),
	SR("@includex \"x\"\n"),
	SR("@include x\n"),
	SA("a = 1;\n@include \"/nonexistent/x.conf"),
	/* settings after a list */
	SA("l = (1, 2);\nafter = 3;\n"),
	SA("l = (1, 2)\nafter = 3\n"),
	SA("l = ({a = 1;}) after = (2) g = {}\n"),
	/* CRLF */
	SA("a = 1;\r\nb = \"x\r\ny\";\r\n# c\r\nc = 2;\r\n"),
	SA("a\r\n=\r\n1\r\n"),
	SR("a = 1;\r\n@include \"/nonexistent/x\"\r\n"),
	/* the lines of settings spread over lines */
	SA("\n\ng =\n{\n a\n =\n 1\n;\n}\n"),
	SA("l = (\n{\n}\n,\n(\n)\n,\n[\n]\n)\n"),
	SA("x = (\n  1,\n  \"a\"\n  \"b\"\n  ,3)\n"),
};

START_TEST(test_snippet)
{
	const struct snippet *sn = &snippets[_i];
	struct cfgdiff d;
	int r;

	r = compare_mem(sn->text, sn->len, &d);
	ncompared++;
	ck_assert_msg(r == CFGDIFF_SAME, "snippet %d \"%.*s\": %s%s", _i,
	    (int)sn->len, sn->text, r == CFGDIFF_DELIBERATE ? "(on purpose) "
	    : "", d.why);
	/* and it is the case it was written for */
	{
		struct cfg_error err;
		struct cfg *c = cfg_read_mem(sn->text, sn->len, "mem", &err);

		ck_assert_msg((c != NULL) == sn->accept, "snippet %d \"%.*s\" "
		    "should be %s (%d: %s)", _i, (int)sn->len, sn->text,
		    sn->accept ? "accepted" : "rejected", err.line, err.text);
		cfg_free(c);
	}
}
END_TEST

/* ------------------------------------------------------------ on purpose */

static struct cfg *
read_str(const char *text, struct cfg_error *err)
{
	return cfg_read_mem(text, strlen(text), "mem", err);
}

/* libconfig 1.5's reading: 1 accepted */
static int
lc_read(config_t *lc, const char *text)
{
	config_init(lc);
	return config_read_string(lc, text) == CONFIG_TRUE;
}

START_TEST(test_int64_beyond_32_bits)
{
	static const struct {
		const char	*text;
		long long	 v;
		int		 lc;	/* libconfig 1.5: the int it makes */
	} cases[] = {
		{ "a = 4294967297;", 4294967297LL, 1 },
		{ "a = 2147483648;", 2147483648LL, INT32_MIN },
		{ "a = -2147483649;", -2147483649LL, INT32_MAX },
		{ "a = 0x100000000;", 0x100000000LL, 0 },
		{ "a = 0xFFFFFFFFFFFFFFFF;", -1, -1 },
		{ "a = 9223372036854775807;", INT64_MAX, -1 },
		{ "a = -9223372036854775808;", INT64_MIN, 0 },
	};
	struct cfg_error err;
	const struct cfg_node *n;
	struct cfgdiff d;
	struct cfg *c;
	config_t lc;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = read_str(cases[i].text, &err);
		ck_assert_msg(c != NULL, "%s: %s", cases[i].text, err.text);
		n = cfg_member(c, cfg_root(c), "a");
		ck_assert_ptr_nonnull(n);
		ck_assert_int_eq(n->type, CFG_INT64);
		ck_assert_int_eq(cfg_int64(n), cases[i].v);
		ck_assert(lc_read(&lc, cases[i].text));
		ck_assert_int_eq(config_setting_type(config_lookup(&lc, "a")),
		    CONFIG_TYPE_INT);
		ck_assert_int_eq(config_setting_get_int(config_lookup(&lc,
		    "a")), cases[i].lc);
		ck_assert_int_eq(cfgdiff(&d, &lc, 1, c, &err, NULL, 0),
		    CFGDIFF_DELIBERATE);
		ncompared++;
		config_destroy(&lc);
		cfg_free(c);
	}
	/* an array of an int and such an int64 is mixed, for cfg.c */
	c = read_str("a = [1,\n 4294967297];", &err);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(err.line, 2);
	ck_assert_str_eq(err.text, "mismatched element type in array");
	ck_assert(lc_read(&lc, "a = [1,\n 4294967297];"));
	config_destroy(&lc);
}
END_TEST

START_TEST(test_int_out_of_range)
{
	static const char *cases[] = {
		"x = 1;\na = 99999999999999999999;",
		"x = 1;\na = 9223372036854775808;",
		"x = 1;\na = -9223372036854775809;",
		"x = 1;\na = 99999999999999999999L;",
		"x = 1;\na = [1,\n2, 18446744073709551616];",
	};
	struct cfg_error err;
	struct cfgdiff d;
	config_t lc;
	size_t i;
	int ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_ptr_null(read_str(cases[i], &err));
		ck_assert_str_eq(err.text, "integer out of range");
		ck_assert_int_eq(err.line, i == 4 ? 3 : 2);
		ok = lc_read(&lc, cases[i]);
		ck_assert_msg(ok, "%s", cases[i]);	/* truncated */
		ck_assert_int_eq(cfgdiff(&d, &lc, ok, NULL, &err, cases[i],
		    strlen(cases[i])), CFGDIFF_DELIBERATE);
		ncompared++;
		config_destroy(&lc);
	}
}
END_TEST

static char *
nested(int depth, char open, char close)
{
	char *t = malloc((size_t)depth * 2 + 16);
	int i, n = 0;

	ck_assert_ptr_nonnull(t);
	n += sprintf(t, "a = ");
	for (i = 0; i < depth; i++)
		t[n++] = open;
	for (i = 0; i < depth; i++)
		t[n++] = close;
	t[n++] = ';';
	t[n] = '\0';
	return t;
}

START_TEST(test_nesting)
{
	struct cfg_error err;
	struct cfgdiff d;
	struct cfg *c;
	config_t lc;
	char *t;

	/* 200 deep: both read it, the same */
	t = nested(200, '(', ')');
	ck_assert_int_eq(compare_mem(t, strlen(t), &d), CFGDIFF_SAME);
	ncompared++;
	free(t);
	/* 201: an error of cfg.c's own; libconfig reads it */
	t = nested(201, '(', ')');
	ck_assert_ptr_null(read_str(t, &err));
	ck_assert_str_eq(err.text, "nested deeper than 200");
	ck_assert_int_eq(err.line, 1);
	ck_assert(lc_read(&lc, t));
	ck_assert_int_eq(cfgdiff(&d, &lc, 1, NULL, &err, t, strlen(t)),
	    CFGDIFF_DELIBERATE);
	ncompared++;
	config_destroy(&lc);
	free(t);
	/* groups count the same */
	t = malloc(201 * 8 + 16);
	ck_assert_ptr_nonnull(t);
	t[0] = '\0';
	for (int i = 0; i < 201; i++)
		strcat(t, "g = {\n");
	ck_assert_ptr_null(c = read_str(t, &err));
	ck_assert_str_eq(err.text, "nested deeper than 200");
	ck_assert_int_eq(err.line, 201);
	free(t);
}
END_TEST

START_TEST(test_eof_comment)
{
	static const char *cases[] = {
		"a = 1; # x",
		"a = 1;\n// x",
		"a = 1;\n#",
	};
	const struct cfg_node *n;
	struct cfg_error err;
	struct cfg *c;
	config_t lc;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* cfg.c: a comment; libconfig 1.5: its rule wants a newline */
		c = read_str(cases[i], &err);
		ck_assert_msg(c != NULL, "%s: %d: %s", cases[i], err.line,
		    err.text);
		n = cfg_member(c, cfg_root(c), "a");
		ck_assert_ptr_nonnull(n);
		ck_assert_int_eq(cfg_int64(n), 1);
		cfg_free(c);
		ck_assert(!lc_read(&lc, cases[i]));
		ck_assert_str_eq(config_error_text(&lc), "syntax error");
		ck_assert_int_eq(config_error_line(&lc), i == 0 ? 1 : 2);
		config_destroy(&lc);
	}
}
END_TEST

START_TEST(test_element_lines)
{
	struct cfg_error err;
	const struct cfg_node *a, *l;
	struct cfg *c;

	/* cfg.c: a scalar element's line is its token's */
	c = read_str("a = [\n1\n,\n2];\nl = (\n\"x\"\n\n, 5\n);", &err);
	ck_assert_ptr_nonnull(c);
	a = cfg_member(c, cfg_root(c), "a");
	ck_assert_uint_eq(a->line, 1);
	ck_assert_uint_eq(cfg_elem(c, a, 0)->line, 2);
	ck_assert_uint_eq(cfg_elem(c, a, 1)->line, 4);
	l = cfg_member(c, cfg_root(c), "l");
	ck_assert_uint_eq(l->line, 5);
	ck_assert_uint_eq(cfg_elem(c, l, 0)->line, 6);
	ck_assert_uint_eq(cfg_elem(c, l, 1)->line, 8);
	cfg_free(c);
}
END_TEST

/* ------------------------------------------------------------ @include */

static char	 tmpdir[1024];	/* short: paths under it fit PATH_MAX */

static void
inc_setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/futd-cfg.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
inc_teardown(void)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	(void)!system(cmd);
}

static const char *
tmp_path(char *buf, size_t len, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", tmpdir, name);

	ck_assert(n > 0 && (size_t)n < len);
	return buf;
}

static void
tmp_file(const char *name, const char *text)
{
	char p[PATH_MAX];

	spit(tmp_path(p, sizeof(p), name), text);
}

START_TEST(test_include_relative)
{
	char main_conf[PATH_MAX], sub[PATH_MAX + 16];
	const struct cfg_node *n;
	struct cfg_error err;
	struct cfg *c;

	ck_assert_int_eq(mkdir(tmp_path(sub, sizeof(sub), "sub"), 0700), 0);
	tmp_file("sub/inner.conf", "in = 2;\ng = { x = \"y\"; };\n");
	tmp_file("main.conf", "a = 1;\n@include \"sub/inner.conf\"\nb = 3;\n");
	tmp_path(main_conf, sizeof(main_conf), "main.conf");
	assert_same_file(main_conf, tmpdir);

	/* resolved next to the including file (include_dir), not the cwd */
	c = cfg_read(main_conf, tmpdir, &err);
	ck_assert_msg(c != NULL, "%d: %s", err.line, err.text);
	n = cfg_member(c, cfg_root(c), "in");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(cfg_int64(n), 2);
	ck_assert_uint_eq(n->line, 1);
	snprintf(sub, sizeof(sub), "%s/sub/inner.conf", tmpdir);
	ck_assert_str_eq(cfg_file(c, n), sub);
	n = cfg_member(c, cfg_root(c), "b");
	ck_assert_uint_eq(n->line, 3);
	ck_assert_str_eq(cfg_file(c, n), main_conf);
	cfg_free(c);
}
END_TEST

/* main.conf includes d1.conf ... dN.conf, each the next */
static void
include_chain(int depth)
{
	char name[64], text[128];
	int i;

	for (i = 1; i <= depth; i++) {
		snprintf(name, sizeof(name), "d%d.conf", i);
		if (i < depth)
			snprintf(text, sizeof(text), "v%d = %d;\n@include "
			    "\"d%d.conf\"\n", i, i, i + 1);
		else
			snprintf(text, sizeof(text), "v%d = %d;\n", i, i);
		tmp_file(name, text);
	}
	tmp_file("main.conf", "top = 0;\n@include \"d1.conf\"\n");
}

START_TEST(test_include_depth)
{
	char main_conf[PATH_MAX], d10[PATH_MAX];
	struct cfg_error err;
	struct cfg *c;

	tmp_path(main_conf, sizeof(main_conf), "main.conf");
	/* 10 files within one another: read */
	include_chain(10);
	assert_same_file(main_conf, tmpdir);
	c = cfg_read(main_conf, tmpdir, &err);
	ck_assert_msg(c != NULL, "%d: %s", err.line, err.text);
	ck_assert_ptr_nonnull(cfg_member(c, cfg_root(c), "v10"));
	cfg_free(c);
	/* 11: too deep, said at the 10th file's @include */
	include_chain(11);
	assert_same_file(main_conf, tmpdir);
	ck_assert_ptr_null(cfg_read(main_conf, tmpdir, &err));
	ck_assert_str_eq(err.text, "include file nesting too deep");	/* libconfig's */
	ck_assert_int_eq(err.line, 2);
	ck_assert_str_eq(err.file, tmp_path(d10, sizeof(d10), "d10.conf"));
}
END_TEST

START_TEST(test_include_missing)
{
	char main_conf[PATH_MAX];
	struct cfg_error err;

	tmp_file("main.conf", "a = 1;\n\n@include \"nope.conf\"\n");
	tmp_path(main_conf, sizeof(main_conf), "main.conf");
	assert_same_file(main_conf, tmpdir);
	ck_assert_ptr_null(cfg_read(main_conf, tmpdir, &err));
	ck_assert_str_eq(err.text, "cannot open include file");
	ck_assert_int_eq(err.line, 3);
	ck_assert_str_eq(err.file, main_conf);

	/* in an included file: that file and its line */
	tmp_file("mid.conf", "m = 1;\n@include \"nope.conf\"\n");
	tmp_file("main.conf", "a = 1;\n@include \"mid.conf\"\n");
	assert_same_file(main_conf, tmpdir);
	ck_assert_ptr_null(cfg_read(main_conf, tmpdir, &err));
	ck_assert_str_eq(err.text, "cannot open include file");
	ck_assert_int_eq(err.line, 2);
	ck_assert_ptr_nonnull(strstr(err.file, "/mid.conf"));
}
END_TEST

START_TEST(test_include_directory)
{
	char main_conf[PATH_MAX], sub[PATH_MAX];
	struct result res;
	struct cfg_error err;

	ck_assert_int_eq(mkdir(tmp_path(sub, sizeof(sub), "adir"), 0700), 0);
	tmp_file("main.conf", "a = 1;\n@include \"adir\"\nb = 2;\n");
	tmp_path(main_conf, sizeof(main_conf), "main.conf");
	/* an error, not an exit: libconfig 1.5's flex exits */
	ck_assert_ptr_null(cfg_read(main_conf, tmpdir, &err));
	ck_assert_int_eq(err.line, 2);
	ck_assert_ptr_nonnull(strstr(err.text, "not a regular file"));
	quiet_child = 1;
	compare_file_child(main_conf, tmpdir, &res);
	quiet_child = 0;
	ck_assert_int_eq(res.r, -1);
	ck_assert(WIFEXITED(res.status) && WEXITSTATUS(res.status) != 0);
	ncompared++;
}
END_TEST

START_TEST(test_include_fifo)
{
	char main_conf[PATH_MAX], fifo[PATH_MAX];
	struct cfg_error err;

	ck_assert_int_eq(mkfifo(tmp_path(fifo, sizeof(fifo), "fifo"), 0600),
	    0);
	tmp_file("main.conf", "a = 1;\n@include \"fifo\"\n");
	tmp_path(main_conf, sizeof(main_conf), "main.conf");
	/* no writer: a blocking open would never return (libconfig's does) */
	alarm(5);
	ck_assert_ptr_null(cfg_read(main_conf, tmpdir, &err));
	alarm(0);
	ck_assert_int_eq(err.line, 2);
	ck_assert_ptr_nonnull(strstr(err.text, "not a regular file"));
}
END_TEST

/* What libconfig's scanner carries over the end of an included file. */
START_TEST(test_include_scanner_state)
{
	static const struct {
		const char	*inc, *main;
		int		 accept;
	} cases[] = {
		/* a string open at its end goes on in the including file */
		{ "z = \"abc\n", "a = 1;\n@include \"i.conf\"\nb = 2;\n\"\n"
		    "c = 3;\n", 1 },
		{ "z = \"abc\n", "a = 1;\n@include \"i.conf\"\n", 0 },
		{ "k = \"x\\", "a = 1;\n@include \"i.conf\"\nnb = 2;\"\n", 1 },
		/* and a C comment */
		{ "k = 1;\n/* abc\n", "a = 1;\n@include \"i.conf\"\nb = 2;\n"
		    "*/ c = 3;\n", 1 },
		/* and an include name */
		{ "q = 1;\n@include \"ab", "a = 1;\n@include \"i.conf\"\n"
		    "b = 2;\n", 1 },
		/* a setting split over the two files */
		{ "5; b = 6;\n", "a =\n@include \"i.conf\"\nc = 7;\n", 1 },
		{ "x = 5\n", "@include \"i.conf\"\n; c = 7;\n", 1 },
		/* an error inside the included file */
		{ "x = 5;\ny = ;\n", "a = 1;\n@include \"i.conf\"\n", 0 },
		{ "x = [1,\n\"s\"];\n", "a = 1;\n@include \"i.conf\"\n", 0 },
		/* a stray backslash in a name is dropped: "a\b" is "ab" */
		{ "x = 1;\n", "a = 1;\n@include \"i.c\\onf\"\n", 1 },
		{ "x = 1;\n", "a = 1;\n@include \"i\\\\.conf\"\n", 0 },
		{ "x = 1;\n", "@include \"i.conf\" y = 2;\n", 1 },
	};
	char main_conf[PATH_MAX];
	struct cfg_error err;
	struct cfg *c;
	size_t i;

	tmp_path(main_conf, sizeof(main_conf), "main.conf");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tmp_file("i.conf", cases[i].inc);
		tmp_file("main.conf", cases[i].main);
		assert_same_file(main_conf, tmpdir);
		c = cfg_read(main_conf, tmpdir, &err);
		ck_assert_msg((c != NULL) == cases[i].accept, "case %zu: %d: "
		    "%s", i, err.line, err.text);
		cfg_free(c);
	}
}
END_TEST

START_TEST(test_include_eof_comment)
{
	char main_conf[PATH_MAX];
	struct cfg_error err;
	struct cfg *c;
	config_t lc;

	/* on purpose: an included file's last comment needs no newline */
	tmp_file("i.conf", "k = 1; # no newline");
	tmp_file("main.conf", "a = 1;\n@include \"i.conf\"\nb = 2;\n");
	tmp_path(main_conf, sizeof(main_conf), "main.conf");
	c = cfg_read(main_conf, tmpdir, &err);
	ck_assert_msg(c != NULL, "%d: %s", err.line, err.text);
	ck_assert_ptr_nonnull(cfg_member(c, cfg_root(c), "b"));
	cfg_free(c);
	config_init(&lc);
	config_set_include_dir(&lc, tmpdir);
	ck_assert(config_read_file(&lc, main_conf) != CONFIG_TRUE);
	ck_assert_str_eq(config_error_text(&lc), "syntax error");
	config_destroy(&lc);
}
END_TEST

/*
 * cfg_read_hook against cfg_read on every file of the tree: a hook that
 * drops every other element of "targets" leaves the same errors, or the
 * same tree but for those elements (compared by cfg_digest).
 */
static unsigned	hook_n, hook_total;	/* elements seen: one file, all */

static int
hook_drop_odd(void *arg, struct cfg *c, const struct cfg_node *e)
{
	(void)arg;
	(void)c;
	(void)e;
	return hook_n++ % 2 == 1;
}

static void
assert_hook_same(const char *path, const char *dir)
{
	const struct cfg_hook hook = { .list = "targets", .elem = hook_drop_odd };
	const struct cfg_node *fr, *hr, *fm, *hm;
	struct cfg_error ferr, herr;
	struct cfg *full, *hooked;
	unsigned i, k;

	hook_n = 0;
	full = cfg_read(path, dir, &ferr);
	hooked = cfg_read_hook(path, dir, &herr, &hook);
	ck_assert_msg((full == NULL) == (hooked == NULL), "%s: read %s, with "
	    "the hook %s", path, full ? "ok" : ferr.text,
	    hooked ? "ok" : herr.text);
	if (full == NULL) {
		ck_assert_msg(ferr.line == herr.line &&
		    strcmp(ferr.text, herr.text) == 0, "%s: %d: %s, with the "
		    "hook %d: %s", path, ferr.line, ferr.text, herr.line,
		    herr.text);
		return;
	}
	fr = cfg_root(full);
	hr = cfg_root(hooked);
	ck_assert_uint_eq(cfg_length(fr), cfg_length(hr));
	for (i = 0; i < cfg_length(fr); i++) {
		fm = cfg_elem(full, fr, i);
		hm = cfg_elem(hooked, hr, i);
		ck_assert_str_eq(cfg_name(full, fm), cfg_name(hooked, hm));
		if (strcmp(cfg_name(full, fm), "targets") != 0 ||
		    !cfg_is_list(fm)) {
			ck_assert_msg(cfg_digest(full, fm) ==
			    cfg_digest(hooked, hm), "%s: %s differs", path,
			    cfg_name(full, fm));
			continue;
		}
		/* the hook saw the elements in order: the even ones stay */
		ck_assert_uint_eq(cfg_length(hm), (cfg_length(fm) + 1) / 2);
		for (k = 0; k < cfg_length(hm); k++)
			ck_assert_msg(cfg_digest(full, cfg_elem(full, fm, 2 * k)) ==
			    cfg_digest(hooked, cfg_elem(hooked, hm, k)),
			    "%s: targets element %u differs", path, 2 * k);
	}
	hook_total += hook_n;
	cfg_free(full);
	cfg_free(hooked);
	ncompared++;
}

START_TEST(test_hook_files)
{
	unsigned n;

	hook_total = 0;
	n = each_file("tests/data/good", assert_hook_same);
	n += each_file("tests/data/bad", assert_hook_same);
	n += each_file("conf", assert_hook_same);
	n += each_file("fuzz/corpus/conf", assert_hook_same);
	ck_assert_uint_ge(n, 80);
	ck_assert_uint_ge(hook_total, 200);	/* it did drop some */
}
END_TEST

/*
 * cfg_read_hook: elements of the top-level "targets" list that the hook
 * takes are dropped as they are read, and their memory reused; what is
 * kept reads as it was written, names interned inside a dropped element
 * included, across an @include, and the settings after the list too.
 */
static int	hook_seen, hook_lines[8];

static int
hook_drop_even_ports(void *arg, struct cfg *c, const struct cfg_node *e)
{
	const struct cfg_node *port = cfg_member(c, e, "port");

	(void)arg;
	if (hook_seen < 8)
		hook_lines[hook_seen] = (int)e->line;
	hook_seen++;
	return port != NULL && cfg_int64(port) % 2 == 0;
}

START_TEST(test_hook_drop)
{
	const struct cfg_hook hook = {
		.list = "targets", .elem = hook_drop_even_ports, .arg = NULL
	};
	static const int want_lines[] = { 3, 4, 5, 1, 2, 7 };
	const struct cfg_node *root, *list, *e;
	struct cfg_error err;
	char main_conf[PATH_MAX];
	struct cfg *c;
	int i;

	tmp_file("part.conf", "{ name = \"a3\"; port = 4; },\n"
	    "{ name = \"a4\"; port = 5; more = [ 1, 2 ]; },\n");
	tmp_file("main.conf", "first = 1;\ntargets = (\n"
	    "{ name = \"a0\"; port = 1; },\n"
	    "{ name = \"a1\"; port = 2; extra = \"x1\"; },\n"
	    "{ name = \"a2\"; port = 3; extra = \"x2\" \"y\"; },\n"
	    "@include \"part.conf\"\n"
	    "{ name = \"a5\"; port = 6; tail = \"t5\"; }\n);\n"
	    "after = \"z\";\nnested = { targets = ( { port = 2; } ); };\n");
	tmp_path(main_conf, sizeof(main_conf), "main.conf");
	hook_seen = 0;
	c = cfg_read_hook(main_conf, tmpdir, &err, &hook);
	ck_assert_msg(c != NULL, "%s:%d: %s", err.file, err.line, err.text);
	ck_assert_int_eq(hook_seen, 6);	/* not the nested list's */
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(hook_lines[i], want_lines[i]);

	root = cfg_root(c);
	list = cfg_member(c, root, "targets");
	ck_assert_ptr_nonnull(list);
	ck_assert_uint_eq(cfg_length(list), 3);
	e = cfg_elem(c, list, 0);
	ck_assert_str_eq(cfg_string(c, cfg_member(c, e, "name")), "a0");
	e = cfg_elem(c, list, 1);
	ck_assert_str_eq(cfg_string(c, cfg_member(c, e, "name")), "a2");
	ck_assert_str_eq(cfg_string(c, cfg_member(c, e, "extra")), "x2y");
	ck_assert_int_eq(cfg_int64(cfg_member(c, e, "port")), 3);
	e = cfg_elem(c, list, 2);
	ck_assert_str_eq(cfg_string(c, cfg_member(c, e, "name")), "a4");
	ck_assert_uint_eq(cfg_length(cfg_member(c, e, "more")), 2);
	ck_assert_int_eq(cfg_int64(cfg_elem(c, cfg_member(c, e, "more"), 1)),
	    2);
	ck_assert_str_eq(cfg_file(c, e), tmp_path(main_conf,
	    sizeof(main_conf), "part.conf"));
	ck_assert_int_eq(cfg_int64(cfg_member(c, root, "first")), 1);
	ck_assert_str_eq(cfg_string(c, cfg_member(c, root, "after")), "z");
	e = cfg_member(c, root, "nested");
	ck_assert_uint_eq(cfg_length(cfg_member(c, e, "targets")), 1);
	ck_assert_ptr_null(cfg_member(c, root, "tail"));
	cfg_free(c);
}
END_TEST

Suite *
cfg_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc;

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, count_setup, count_report);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_data_good);
	tcase_add_test(tc, test_data_bad);
	tcase_add_test(tc, test_conf_dir);
	tcase_add_test(tc, test_fuzz_corpus);
	suite_add_tcase(s, tc);

	tc = tcase_create("snippets");
	tcase_add_checked_fixture(tc, count_setup, count_report);
	tcase_add_loop_test(tc, test_snippet, 0,
	    (int)(sizeof(snippets) / sizeof(snippets[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("deliberate");
	tcase_add_checked_fixture(tc, count_setup, count_report);
	tcase_add_test(tc, test_int64_beyond_32_bits);
	tcase_add_test(tc, test_int_out_of_range);
	tcase_add_test(tc, test_nesting);
	tcase_add_test(tc, test_eof_comment);
	tcase_add_test(tc, test_element_lines);
	suite_add_tcase(s, tc);

	tc = tcase_create("include");
	tcase_add_checked_fixture(tc, count_setup, count_report);
	tcase_add_checked_fixture(tc, inc_setup, inc_teardown);
	tcase_add_test(tc, test_include_relative);
	tcase_add_test(tc, test_hook_drop);
	tcase_add_test(tc, test_hook_files);
	tcase_add_test(tc, test_include_depth);
	tcase_add_test(tc, test_include_missing);
	tcase_add_test(tc, test_include_directory);
	tcase_add_test(tc, test_include_fifo);
	tcase_add_test(tc, test_include_scanner_state);
	tcase_add_test(tc, test_include_eof_comment);
	suite_add_tcase(s, tc);

	return s;
}
