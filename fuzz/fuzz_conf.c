/*
 * fuzz_conf.c - libFuzzer target: a config file through conf_load()
 * (daemon/conf.c, on top of libconfig).
 *
 * The input is written to FILE in a directory of our own, made once per
 * process under $TMPDIR (fuzz/run.sh points it into the build directory):
 * a real path, so that @include resolves next to it as it does for futd.
 * The directory also holds two files for @include to find:
 * "included.conf" (bad: an unknown key, as tests/data/bad/included.conf)
 * and "inc-good.conf" (good: a target).
 *
 * Properties (abort() when one fails):
 *  - conf_load() returns a conf, and adds no message; or NULL, and adds at
 *    least one;
 *  - every message starts with the path and ':' ("path:line: problem" or
 *    "path: problem"), except that one about an @include'd file starts
 *    with that file's path, which begins with '/' (conf.c makes it
 *    absolute from the including file's directory), and the input must
 *    then hold "@include";
 *  - a message is one non-empty line after its "path:" (counted, not
 *    aborted on: see fuzz/README, "findings");
 *  - a loaded conf is what futd relies on: its path is ours, a control
 *    socket is set, every target has a name and a host, names are sorted
 *    and unique, ports are 1..65535, times are in range, a hello target
 *    has a payload, a TLS target its SSL_CTX (tls_conf_ctx), each target
 *    is the same as itself (target_conf_compare);
 *  - nothing leaks (LeakSanitizer, on by default with libFuzzer).
 *
 * libconfig 1.5's flex scanner calls exit(2) when a read fails (e.g. on a
 * directory): libFuzzer reports such an exit as "fuzz target exited".
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "step.h"
#include "results.h"
#include "strlist.h"
#include "target_conf.h"
#include "tls.h"

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
const char *__lsan_default_suppressions(void);
struct ssl_ctx_st;
int SSL_CTX_set_default_verify_paths(struct ssl_ctx_st *);

/*
 * A TLS target's SSL_CTX loads the system's CA bundle (about 140 certs:
 * 38 ms and 850 KiB each, fuzz/README finding 6), which takes the target
 * from ~700 to ~50 inputs a second.  Ours takes libssl's place (the
 * executable's symbol wins): the store stays empty, nothing in conf_load()
 * looks into it.
 */
int
SSL_CTX_set_default_verify_paths(struct ssl_ctx_st *ctx)
{
	(void)ctx;
	return 1;
}

/*
 * libconfig 1.5's parser leaks a string token on some syntax errors (a
 * string where a setting name belongs: `"abc"` alone): its grammar has no
 * %destructor.  Not futd's; a failed reload loses those few bytes.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_conf: property failed at %s:%d: %s\n",\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

static char	 dir[4096];
static char	 path[4096 + 32];
static char	 inc_bad[4096 + 32];
static char	 inc_good[4096 + 32];
static char	 dirsub[4096 + 32];	/* a targets_dir */
static char	 dirmain[4096 + 32];	/* futd.conf naming it */
static char	 dirfile[4096 + 64];	/* the input, as a file there */
static unsigned long	 multiline_msgs;

static void
write_file(const char *p, const void *data, size_t len)
{
	const char *b = data;
	ssize_t n;
	int fd;

	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) ==
	    -1) {
		fprintf(stderr, "fuzz_conf: %s: %s\n", p, strerror(errno));
		abort();
	}
	while (len > 0) {
		if ((n = write(fd, b, len)) <= 0) {
			fprintf(stderr, "fuzz_conf: write %s: %s\n", p,
			    strerror(errno));
			abort();
		}
		b += n;
		len -= (size_t)n;
	}
	close(fd);
}

static void
cleanup(void)
{
	if (multiline_msgs > 0)
		fprintf(stderr, "fuzz_conf: %lu messages had a control "
		    "character after their path\n", multiline_msgs);
	unlink(path);
	unlink(inc_bad);
	unlink(inc_good);
	unlink(dirfile);
	unlink(dirmain);
	rmdir(dirsub);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char bad[] = "# included.conf\nhistroy = 1;\n";
	static const char good[] = "targets = ( { name = \"inc\"; "
	    "host = \"127.0.0.1\"; port = 1; } );\n";
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/futd-fuzz-conf.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "fuzz_conf: mkdtemp %s: %s\n", dir,
		    strerror(errno));
		abort();
	}
	snprintf(path, sizeof(path), "%s/fuzz.conf", dir);
	snprintf(inc_bad, sizeof(inc_bad), "%s/included.conf", dir);
	snprintf(inc_good, sizeof(inc_good), "%s/inc-good.conf", dir);
	write_file(inc_bad, bad, sizeof(bad) - 1);
	write_file(inc_good, good, sizeof(good) - 1);
	snprintf(dirsub, sizeof(dirsub), "%s/d", dir);
	snprintf(dirmain, sizeof(dirmain), "%s/main.cfg", dir);
	snprintf(dirfile, sizeof(dirfile), "%s/x.conf", dirsub);
	if (mkdir(dirsub, 0700) == -1) {
		fprintf(stderr, "fuzz_conf: mkdir %s: %s\n", dirsub,
		    strerror(errno));
		abort();
	}
	write_file(dirmain, "targets_dir = \"d\";\n", 19);
	atexit(cleanup);
	return 0;
}

static int
has_include(const uint8_t *data, size_t size)
{
	return memmem(data, size, "@include", 8) != NULL;
}

static void
check_message(const char *path, const char *msg, int include)
{
	size_t plen = strlen(path);
	const char *rest = NULL, *p;

	CHECK(msg != NULL);
	if (strncmp(msg, path, plen) == 0 && msg[plen] == ':')
		rest = msg + plen + 1;
	else if (include && msg[0] == '/' && (p = strchr(msg, ':')) != NULL)
		rest = p + 1;	/* an @include'd file, by its path */
	if (rest == NULL) {
		fprintf(stderr, "fuzz_conf: message does not start with "
		    "\"%s:\": [%s]\n", path, msg);
		abort();
	}
	for (p = rest; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r') {
			multiline_msgs++;
			break;
		}
	CHECK(*rest != '\0');
}

/* A target's steps as the loader promises them (conf_steps.c). */
static void
check_steps(const struct target_conf *tc)
{
	const struct steps *ss = tc->steps;
	const struct step *st;
	unsigned i, ntls = 0;
	uint32_t lim;

	CHECK(tc->kind != PROBE_STEPS || ss != NULL);
	CHECK((tc->expect == NULL && tc->expect_regex == NULL) ||
	    (ss != NULL && ss->n > 0 && ss->s[ss->n - 1].kind == STEP_EXPECT));
	if (ss == NULL)
		return;
	CHECK(ss->n >= 1 && ss->n <= STEPS_MAX);
	for (i = 0; i < ss->n; i++) {
		st = &ss->s[i];
		CHECK(st->kind <= STEP_TLS);
		CHECK(st->timeout_us < tc->timeout_us);
		if (st->kind == STEP_TLS) {
			ntls++;
			CHECK(tc->tls != NULL);
		}
		if (st->kind == STEP_SEND)
			CHECK(st->data != NULL ? st->len > 0 :
			    tc->kind == PROBE_HELLO);
		else
			CHECK(st->data == NULL && st->len == 0);
		if (st->kind == STEP_EXPECT) {
			/* one pattern: bytes or a regex */
			CHECK((st->expect.bytes != NULL) !=
			    (st->expect.regex != NULL));
			lim = st->read_limit != 0 ? st->read_limit :
			    tc->read_limit;
			CHECK(lim <= ss->read_max);
		} else {
			CHECK(st->expect.bytes == NULL &&
			    st->expect.regex == NULL);
			CHECK(st->reject.bytes == NULL &&
			    st->reject.regex == NULL && st->read_limit == 0);
		}
	}
	CHECK(ntls <= 1 && (ntls == 1) == (ss->has_tls != 0));
}

static void
check_conf(const struct conf *c, const char *path)
{
	const struct target_conf *tc;
	size_t i;

	CHECK(c->path != NULL && strcmp(c->path, path) == 0);
	CHECK(c->control_socket != NULL && c->control_socket[0] == '/');
	CHECK(strlen(c->control_socket) < 108);
	CHECK(c->history >= 1 && c->history <= 65536);
	CHECK(c->events >= 1 && c->events <= 1000000);
	CHECK(c->dns_attempts >= 1 && c->dns_attempts <= 10);
	CHECK(c->shard_k >= 1 && c->shard_k <= c->shard_n);
	CHECK(c->ntargets == 0 || c->targets != NULL);
	for (i = 0; i < c->nnameservers; i++)
		CHECK(c->nameservers[i] != NULL);
	for (i = 0; i < c->ntargets; i++) {
		tc = c->targets[i];
		CHECK(tc->name != NULL && *tc->name != '\0');
		CHECK(strlen(tc->name) <= 128);
		CHECK(tc->host != NULL && *tc->host != '\0');
		CHECK(tc->port >= 1);
		CHECK(tc->interval_us >= 1000 &&
		    tc->interval_us <= 86400ULL * 1000000);
		CHECK(tc->timeout_us >= 1000 &&
		    tc->timeout_us <= 86400ULL * 1000000);
		CHECK(tc->connect_timeout_us <= tc->timeout_us);
		CHECK(tc->jitter_ppm <= 500000);
		CHECK(tc->read_limit >= 1 && tc->read_limit <= 1024 * 1024);
		CHECK(tc->rise >= 1 && tc->rise <= 100);
		CHECK(tc->fall >= 1 && tc->fall <= 100);
		CHECK(tc->flap < FLAP_KEEP);
		CHECK(tc->kind == PROBE_PEERADDR || tc->kind == PROBE_HELLO ||
		    tc->kind == PROBE_STEPS);
		CHECK(tc->kind == PROBE_HELLO ? tc->payload != NULL :
		    tc->payload == NULL);
		CHECK(tc->addrs <= ADDRS_EACH && tc->close <= CLOSE_RST);
		CHECK(tc->family == AF_UNSPEC || tc->family == AF_INET ||
		    tc->family == AF_INET6);
		CHECK((tc->expect == NULL) == (tc->expect_len == 0));
		CHECK(tc->expect == NULL || tc->expect_regex == NULL);
		check_steps(tc);
		/* a TLS target's SSL_CTX is built at load (conf_tls) */
		CHECK(tc->tls == NULL || tc->tls->ctx != NULL);
		CHECK(target_conf_compare(tc, tc) == TARGET_CONF_SAME);
		if (i > 0)
			CHECK(strcmp(c->targets[i - 1]->name, tc->name) < 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strlist errs = { NULL, 0, 0 };
	struct conf *c;
	size_t i;
	int inc;

	/* an earlier message that is not this file's, as a reload has */
	if (size > 0 && (data[0] & 1))
		strlist_add(&errs, "%s", "an earlier problem");
	write_file(path, data, size);
	inc = has_include(data, size);

	c = conf_load(path, &errs, NULL);
	if (c != NULL) {
		CHECK(errs.n == (size > 0 && (data[0] & 1) ? 1u : 0u));
		check_conf(c, path);
		conf_free(c);
	} else
		CHECK(errs.n > (size > 0 && (data[0] & 1) ? 1u : 0u));
	for (i = (size > 0 && (data[0] & 1)) ? 1 : 0; i < errs.n; i++)
		check_message(path, errs.msg[i], inc);
	strlist_clear(&errs);

	/* the same bytes as a file of targets_dir (read by a worker) */
	write_file(dirfile, data, size);
	c = conf_load(dirmain, &errs, NULL);
	if (c != NULL) {
		CHECK(errs.n == 0);
		check_conf(c, dirmain);
		conf_free(c);
	} else
		CHECK(errs.n > 0);
	for (i = 0; i < errs.n; i++)
		check_message(dirfile, errs.msg[i], inc);
	strlist_clear(&errs);
	return 0;
}
