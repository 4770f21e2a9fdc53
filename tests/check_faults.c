/*
 * check_faults.c - the faults suite: the real futd against loopback peers
 * that misbehave (tests/testsrv, tests/testdns), too few descriptors, too
 * many control clients and clients of another user.  Each test asserts
 * what futd reports AND that futd still answers `futctl ping` afterwards.
 *
 * Loopback only; every wait is bounded; every process is started through
 * sys.c (stopped by pid at teardown, killed with us through
 * PR_SET_PDEATHSIG) except the short-lived futctl run as another uid,
 * which is waited for by pid.  FUTD_SYS_KEEP=1 keeps the directories.
 *
 * A wall clock jump is not tested here: changing CLOCK_REALTIME needs
 * privileges that would disturb the whole machine, and a time namespace
 * (unshare --time) only offsets CLOCK_MONOTONIC and CLOCK_BOOTTIME, never
 * CLOCK_REALTIME.  futd's schedules and deadlines are on the monotonic
 * clock (server.c: EVENT_BASE_FLAG_PRECISE_TIMER on libevent's monotonic
 * timers; target.c and results.c use clock_mono_us() for next_us and
 * deadlines, clock_wall_us() only for the times it reports).  Reading
 * the source is not a test, so there is none.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tests.h"
#include "sys.h"

#define FAULTS_TIMEOUT_S	30	/* per test */
#define STEP_MS			25
#define NOBODY			65534
#define FLOOD_BYTES		"10485760"
#define RSS_SLACK_KB		(4 * 1024)	/* "a few MB" */
#define CLIENTS_RSS_KB		(200 * 1024)
#define NCLIENTS		1000
#define NSTALLED		50
#define NFD_TARGETS		150
#define FD_PROBES		60	/* 120 descriptors: half for probes
					   (server.c, limit <= 2 * reserve) */
#define NCLIENT_TARGETS		1000

/* Per TCase, made and removed by the runner process (unchecked fixture). */
static char	root_dir[PATH_MAX];

/* Per test (checked fixture). */
static struct sys_fx fx;

/* Per test: testdns, when the test starts it (dns_start). */
static struct {
	char	 zone[PATH_MAX];	/* its zone file */
	char	 log[PATH_MAX];		/* its stderr */
	pid_t	 pid;
	unsigned port;
} testdns;

static void
root_setup(void)
{
	sys_root_setup(root_dir, sizeof(root_dir));
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "faults tests");
}

static void note(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Figures for a human, with FUTD_FAULTS_VERBOSE=1 only. */
static void
note(const char *fmt, ...)
{
	const char *v = getenv("FUTD_FAULTS_VERBOSE");
	va_list ap;

	if (v == NULL || *v == '\0' || strcmp(v, "0") == 0)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "faults: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static void
fx_setup(void)
{
	sys_fx_setup(&fx, root_dir);
	memset(&testdns, 0, sizeof(testdns));
	testdns.pid = -1;
	sys_path_in(testdns.zone, sizeof(testdns.zone), fx.dir, "zone");
	sys_path_in(testdns.log, sizeof(testdns.log), fx.dir, "testdns.log");
}

static void
fx_teardown(void)
{
	sys_fx_teardown(&fx);
}

/* testsrv with opts on one free port of 127.0.0.1; its port (pid in *pp). */
static unsigned
srv_start(const char *const opts[], pid_t *pp)
{
	struct sys_srv srv;

	ck_assert_msg(sys_testsrv(&srv, opts, 1, NULL) == 0,
	    "testsrv did not start (is %s/testsrv built?)", sys_build());
	if (pp != NULL)
		*pp = srv.pid;
	return srv.port[0];
}

/* testdns on 127.0.0.1 with a zone holding a.test, b.test; flag or NULL. */
static void
dns_start(const char *flag)
{
	char bin[PATH_MAX];
	const char *argv[] = { bin, "-t", "60", "-z", testdns.zone, "0", NULL,
	    NULL };

	if (flag != NULL) {
		argv[5] = flag;
		argv[6] = "0";
	}
	sys_write_filef(testdns.zone, "a.test A 60 127.0.0.1\n"
	    "b.test A 60 127.0.0.1\n");
	sys_bin(bin, sizeof(bin), "testdns");
	testdns.pid = sys_spawn_ready(fx.dir, argv, testdns.log, &testdns.port);
	ck_assert_msg(testdns.pid != -1, "testdns did not start (is %s/testdns "
	    "built?)", sys_build());
}

static size_t
file_count(const char *path, const char *needle)
{
	char *buf = sys_read_file(path, NULL), *p;
	size_t n = 0;

	if (buf == NULL)
		return 0;
	for (p = buf; (p = strstr(p, needle)) != NULL; p++)
		n++;
	free(buf);
	return n;
}

/* futd, optionally under a wrapper (prefix argv, NULL-terminated). */
static void
futd_start_with(const char *const prefix[])
{
	const char *argv[16];
	char bin[PATH_MAX], *err;
	uint64_t deadline;
	size_t n = 0, i;

	sys_bin(bin, sizeof(bin), "futd");
	for (i = 0; prefix != NULL && prefix[i] != NULL && n < 10; i++)
		argv[n++] = prefix[i];
	argv[n++] = bin;
	argv[n++] = "-f";
	argv[n++] = fx.conf;
	argv[n++] = "-s";
	argv[n++] = fx.sock;
	argv[n] = NULL;
	fx.futd = sys_spawn(argv, NULL, NULL, fx.err);
	ck_assert_msg(fx.futd != -1, "spawn futd: %s", strerror(errno));
	deadline = sys_now_ms() + SYS_START_MS;
	while (sys_left_ms(deadline) > 0) {
		if (sys_wait(fx.futd, 0, NULL) == 0)
			break;
		if (sys_futctl(NULL, fx.sock, "ping", (char *)NULL) == 0)
			return;
		sys_sleep_ms(20);
	}
	err = sys_read_file(fx.err, NULL);
	ck_abort_msg("futd did not start within %d ms; its stderr:\n%.800s",
	    SYS_START_MS, err != NULL ? err : "(none)");
}

static void
futd_start(void)
{
	futd_start_with(NULL);
}

/* futd is alive and answers `futctl ping`. */
static void
assert_alive(const char *when)
{
	struct sys_out out;
	int rc;

	ck_assert_msg(sys_wait(fx.futd, 0, NULL) == -1, "%s: futd exited",
	    when);
	rc = sys_futctl(&out, fx.sock, "ping", (char *)NULL);
	ck_assert_msg(rc == 0, "%s: futctl ping exit %d: %.300s", when, rc,
	    out.err);
	sys_out_free(&out);
}

/* JSON */

/*
 * Wait until target name has a failed result; its error class into err,
 * its latency (us) returned.  Fails the test after ms.
 */
static long long
wait_error(const char *name, unsigned ms, char *err, size_t errlen)
{
	uint64_t deadline = sys_now_ms() + ms;
	const json_t *t;
	long long lat;
	json_t *st;

	while (sys_left_ms(deadline) > 0) {
		st = sys_status_get(fx.sock);
		t = sys_target_get(st, name);
		if (t != NULL && sys_jstr(t, "error") != NULL) {
			snprintf(err, errlen, "%s", sys_jstr(t, "error"));
			lat = sys_jint(t, "last_latency_us");
			json_decref(st);
			return lat;
		}
		json_decref(st);
		sys_sleep_ms(STEP_MS);
	}
	ck_abort_msg("%s: no failed result within %u ms", name, ms);
	return -1;
}

/* VmRSS of pid in kB, or -1. */
static long
rss_kb(pid_t pid)
{
	char path[64], *buf, *p;
	long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((buf = sys_read_file(path, NULL)) == NULL)
		return -1;
	if ((p = strstr(buf, "\nVmRSS:")) != NULL)
		kb = strtol(p + 7, NULL, 10);
	free(buf);
	return kb;
}

/* 1. target faults */

/* accept, then close at once (FIN): an expect never completes. */
START_TEST(test_close_early)
{
	static const char *const opts[] = { "-m", "close", NULL };
	char err[64];
	unsigned p = srv_start(opts, NULL);

	sys_write_filef(fx.conf,
	    "targets = ( { name = \"c\"; host = \"127.0.0.1\";"
	    " port = %u; expect = \"HELLO\"; interval = 0.2; timeout = 2; }"
	    " );\n", p);
	futd_start();
	(void)wait_error("c", 3000, err, sizeof(err));
	ck_assert_msg(strcmp(err, "closed_early") == 0,
	    "accept+close: expected closed_early, futd said %s", err);
	assert_alive("after closed_early");
}
END_TEST

/* accept, then RST: reset (closed_early would also be a named class). */
START_TEST(test_reset)
{
	static const char *const opts[] = { "-m", "rst", NULL };
	char err[64];
	unsigned p = srv_start(opts, NULL);

	sys_write_filef(fx.conf,
	    "targets = ( { name = \"r\"; host = \"127.0.0.1\";"
	    " port = %u; expect = \"HELLO\"; interval = 0.2; timeout = 2; }"
	    " );\n", p);
	futd_start();
	(void)wait_error("r", 3000, err, sizeof(err));
	/* what futd reports today: a reset seen as a reset */
	ck_assert_msg(strcmp(err, "reset") == 0,
	    "accept+RST: expected reset, futd said %s", err);
	assert_alive("after reset");
}
END_TEST

/*
 * One byte per 200 ms, an expect that never completes, timeout 0.5: the
 * bytes that came were not it, expect_mismatch at the deadline.
 */
START_TEST(test_trickle_mismatch)
{
	static const char *const opts[] = { "-m", "trickle", "-d", "200",
	    "-B", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL };
	char err[64];
	long long lat;
	unsigned p = srv_start(opts, NULL);

	sys_write_filef(fx.conf,
	    "targets = ( { name = \"t\"; host = \"127.0.0.1\";"
	    " port = %u; expect = \"zzz\"; interval = 1; timeout = 0.5; }"
	    " );\n", p);
	futd_start();
	lat = wait_error("t", 4000, err, sizeof(err));
	note("trickle: %s after %lld us", err, lat);
	ck_assert_msg(strcmp(err, "expect_mismatch") == 0,
	    "trickle: expected expect_mismatch, futd said %s", err);
	ck_assert_msg(lat >= 400000 && lat < 1500000,
	    "trickle: failed after %lld us, expected ~0.5 s", lat);
	assert_alive("after a trickle");
}
END_TEST

/* 10 MiB flood, read_limit 4096: expect_mismatch at once, RSS flat. */
START_TEST(test_flood_read_limit)
{
	static const char *const opts[] = { "-m", "flood", "-F", FLOOD_BYTES,
	    NULL };
	char err[64];
	long long lat, probes;
	long before, after;
	uint64_t deadline;
	const json_t *t;
	json_t *st;
	unsigned p = srv_start(opts, NULL);

	sys_write_filef(fx.conf,
	    "targets = ( { name = \"f\"; host = \"127.0.0.1\";"
	    " port = %u; expect = \"ZZZ\"; read_limit = 4096; interval = 0.1;"
	    " timeout = 5; } );\n", p);
	futd_start();
	lat = wait_error("f", 3000, err, sizeof(err));
	before = rss_kb(fx.futd);
	ck_assert_msg(strcmp(err, "expect_mismatch") == 0,
	    "flood: expected expect_mismatch, futd said %s", err);
	ck_assert_msg(lat >= 0 && lat < 1000000,
	    "flood: expect_mismatch after %lld us, timeout is 5 s", lat);
	/* twenty more floods */
	deadline = sys_now_ms() + 8000;
	do {
		sys_sleep_ms(100);
		st = sys_status_get(fx.sock);
		t = sys_target_get(st, "f");
		probes = sys_jint(t, "probes");
		json_decref(st);
	} while (probes < 22 && sys_left_ms(deadline) > 0);
	ck_assert_msg(probes >= 22, "flood: only %lld probes in 8 s", probes);
	after = rss_kb(fx.futd);
	ck_assert(before > 0 && after > 0);
	note("flood: expect_mismatch after %lld us; RSS %ld -> %ld kB over "
	    "%lld probes", lat, before, after, probes);
	ck_assert_msg(after - before <= RSS_SLACK_KB,
	    "flood: futd's RSS grew from %ld to %ld kB", before, after);
	assert_alive("after the flood");
}
END_TEST

/* 2. DNS faults */

static void
dns_fault(const char *flag, int slow)
{
	uint64_t deadline;
	char err[64];
	long long lat;
	unsigned p = srv_start(NULL, NULL);

	dns_start(flag);
	if (slow) {
		deadline = sys_now_ms() + 2000;
		ck_assert(kill(testdns.pid, SIGUSR2) == 0);
		while (file_count(testdns.log, "slow on") == 0 &&
		    sys_left_ms(deadline) > 0)
			sys_sleep_ms(5);
		ck_assert_msg(file_count(testdns.log, "slow on") == 1,
		    "testdns did not say \"slow on\"");
	}
	/*
	 * "resolver": the resolver's 0.3 s ends before the probe's 1 s: dns.
	 * "deadline" (slow only): the probe's 0.2 s ends first: dns_timeout.
	 */
	sys_write_filef(fx.conf, "nameservers = [\"127.0.0.1:%u\"];\n"
	    "dns_timeout = 0.3; dns_attempts = 1; dns_cache_max = 0;\n"
	    "targets = (\n"
	    "  { name = \"resolver\"; host = \"a.test\"; port = %u; "
	    "interval = 0.5; timeout = 1; },\n"
	    "  { name = \"deadline\"; host = \"b.test\"; port = %u; "
	    "interval = 0.5; timeout = 0.2; }\n);\n", testdns.port, p, p);
	futd_start();
	lat = wait_error("resolver", 3000, err, sizeof(err));
	ck_assert_msg(strcmp(err, "dns") == 0, "%s: expected dns, futd said "
	    "%s", flag != NULL ? flag : "slow", err);
	ck_assert_msg(lat < 1000000, "%s: dns failure after %lld us, beyond "
	    "the timeout", flag != NULL ? flag : "slow", lat);
	note("dns %s: resolver target %s after %lld us",
	    flag != NULL ? flag : "slow", err, lat);
	lat = wait_error("deadline", 3000, err, sizeof(err));
	note("dns %s: deadline target %s after %lld us",
	    flag != NULL ? flag : "slow", err, lat);
	ck_assert_msg(strcmp(err, slow ? "dns_timeout" : "dns") == 0,
	    "%s, timeout 0.2 < dns_timeout 0.3: expected %s, futd said %s",
	    flag != NULL ? flag : "slow", slow ? "dns_timeout" : "dns", err);
	ck_assert_msg(lat < 500000, "%s: deadline target failed after %lld us",
	    flag != NULL ? flag : "slow", lat);
	ck_assert_msg(file_count(testdns.log, "query") >= 1,
	    "testdns was never asked");
	assert_alive("after DNS faults");
}

START_TEST(test_dns_garbage)
{
	dns_fault("-g", 0);
}
END_TEST

START_TEST(test_dns_truncated)
{
	dns_fault("-T", 0);
}
END_TEST

START_TEST(test_dns_slow)
{
	dns_fault(NULL, 1);
}
END_TEST

/* 3. descriptors */

/* The wall clock in seconds, as futd's last_time. */
static double
wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* How many targets say error e now; *ntotal: how many have a result. */
static size_t
count_error(const json_t *st, const char *e, double after, size_t *ntotal)
{
	const json_t *a = json_object_get(st, "targets"), *t;
	size_t i, n = 0, total = 0;

	json_array_foreach(a, i, t) {
		if (sys_jreal(t, "last_time") < after)
			continue;
		total++;
		if (sys_jstr(t, "error") != NULL && strcmp(sys_jstr(t, "error"),
		    e) == 0)
			n++;
	}
	if (ntotal != NULL)
		*ntotal = total;
	return n;
}

/* Targets with a probe in flight: probes == ok + failed + 1. */
static size_t
count_inflight(const json_t *st)
{
	const json_t *a = json_object_get(st, "targets"), *t;
	size_t i, n = 0;

	json_array_foreach(a, i, t)
		if (sys_jint(t, "probes") ==
		    sys_jint(t, "ok") + sys_jint(t, "failed") + 1)
			n++;
	return n;
}

START_TEST(test_fd_limit)
{
	static const char *const opts[] = { "-m", "silent", NULL };
	static const char *const wrap[] = { "prlimit", "--nofile=120:120",
	    "--", NULL };
	size_t nfd = 0, ntot = 0, nstuck, i;
	struct sys_out out;
	uint64_t deadline;
	double stopped;
	pid_t srvpid;
	json_t *st;
	FILE *f;
	unsigned p = srv_start(opts, &srvpid);
	int rc;

	ck_assert((f = fopen(fx.conf, "w")) != NULL);
	fprintf(f, "targets = (\n");
	for (i = 0; i < NFD_TARGETS; i++)
		fprintf(f, "  { name = \"s%03zu\"; host = \"127.0.0.1\"; "
		    "port = %u; expect = \"never\"; interval = 1; timeout = 5;"
		    " }%s\n", i, p, i + 1 < NFD_TARGETS ? "," : "");
	fprintf(f, ");\n");
	ck_assert(fclose(f) == 0);
	futd_start_with(wrap);

	/* 120 descriptors, 60 for probes: the rest fail as fd_limit */
	deadline = sys_now_ms() + 5000;
	do {
		sys_sleep_ms(100);
		st = sys_status_get(fx.sock);
		nfd = count_error(st, "fd_limit", 0, NULL);
		json_decref(st);
	} while (nfd < NFD_TARGETS - FD_PROBES - 5 &&
	    sys_left_ms(deadline) > 0);
	st = sys_status_get(fx.sock);
	nstuck = count_inflight(st);
	json_decref(st);
	note("fd: %zu of %d targets fd_limit, %zu probes in flight", nfd,
	    NFD_TARGETS, nstuck);
	ck_assert_msg(nfd >= NFD_TARGETS - FD_PROBES - 5, "only %zu fd_limit "
	    "among %d probes held by a silent server, %d descriptors for "
	    "probes", nfd, NFD_TARGETS, FD_PROBES);
	ck_assert_msg(nstuck >= FD_PROBES - 5 && nstuck <= FD_PROBES,
	    "%zu probes in flight, expected about %d (120 descriptors - 64 "
	    "halved: 60)", nstuck, FD_PROBES);
	/* the control socket answers while the probes are stuck */
	rc = sys_futctl(&out, fx.sock, "status", (char *)NULL);
	ck_assert_msg(rc == 0, "futctl status while out of "
	    "descriptors: exit %d: %.300s", rc, out.err);
	ck_assert_msg(strstr(out.out, "s000") != NULL,
	    "futctl status printed no targets: %.300s", out.out);
	sys_out_free(&out);
	assert_alive("out of descriptors");

	/* the server goes away: probes fail fast, fd_limit stops */
	sys_stop(srvpid, SYS_STOP_MS);
	stopped = wall_s() + 0.3;
	deadline = sys_now_ms() + 8000;
	do {
		sys_sleep_ms(200);
		st = sys_status_get(fx.sock);
		nfd = count_error(st, "fd_limit", stopped, &ntot);
		json_decref(st);
	} while (ntot < NFD_TARGETS && sys_left_ms(deadline) > 0);
	note("fd: after the server went away: %zu probed, %zu fd_limit",
	    ntot, nfd);
	ck_assert_msg(ntot == NFD_TARGETS, "only %zu of %d targets probed "
	    "after the server went away", ntot, NFD_TARGETS);
	ck_assert_msg(nfd == 0, "%zu targets still fail as fd_limit after "
	    "the server went away", nfd);
	assert_alive("after fd_limit");
}
END_TEST

/* 4. many control clients */

static long long
probes_sum(void)
{
	const json_t *a, *t;
	long long sum = 0;
	json_t *st;
	size_t i;

	st = sys_status_get(fx.sock);
	a = json_object_get(st, "targets");
	json_array_foreach(a, i, t)
		sum += sys_jint(t, "probes");
	json_decref(st);
	return sum;
}

static unsigned
ping_ms(void)
{
	uint64_t t0 = sys_mono_us();
	int rc = sys_futctl(NULL, fx.sock, "ping", (char *)NULL);

	ck_assert_msg(rc == 0, "futctl ping: exit %d", rc);
	return (unsigned)((sys_mono_us() - t0) / 1000);
}

START_TEST(test_many_clients)
{
	static const char *const req = "futd/1 status\n";
	struct rlimit rl;
	long long p0, p1;
	long rss0, rss1;
	unsigned ms;
	size_t i;
	FILE *f;
	unsigned p = srv_start(NULL, NULL);

	ck_assert(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	rl.rlim_cur = rl.rlim_max;
	ck_assert(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	ck_assert_msg(rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > NCLIENTS +
	    100, "hard RLIMIT_NOFILE %llu is too low for %d clients",
	    (unsigned long long)rl.rlim_cur, NCLIENTS);

	/* ~1000 targets: a status reply of several hundred kB */
	ck_assert((f = fopen(fx.conf, "w")) != NULL);
	fprintf(f, "targets = (\n");
	for (i = 0; i < NCLIENT_TARGETS; i++)
		fprintf(f, "  { name = \"target-with-a-longish-name-%04zu\"; "
		    "host = \"127.0.0.1\"; port = %u; interval = 1; "
		    "timeout = 1; }%s\n", i, p,
		    i + 1 < NCLIENT_TARGETS ? "," : "");
	fprintf(f, ");\n");
	ck_assert(fclose(f) == 0);
	futd_start();
	sys_sleep_ms(1200);
	rss0 = rss_kb(fx.futd);

	for (i = 0; i < NCLIENTS; i++)
		sys_fx_fd(&fx, sys_unix_connect(fx.sock));
	/* the first 50 ask for a big reply and never read it */
	for (i = 0; i < NSTALLED; i++)
		ck_assert_msg(sys_send_all(fx.fds[i], req, strlen(req)) == 0,
		    "send to client %zu: %s", i, strerror(errno));
	sys_sleep_ms(300);

	p0 = probes_sum();
	ms = ping_ms();
	ck_assert_msg(ms <= 1000, "futctl ping took %u ms with %d clients "
	    "(%d of them not reading)", ms, NCLIENTS, NSTALLED);
	sys_sleep_ms(1500);
	p1 = probes_sum();
	ck_assert_msg(p1 > p0 + NCLIENT_TARGETS / 2, "probing stalled with "
	    "%d control clients: %lld probes, then %lld", NCLIENTS, p0, p1);
	ms = ping_ms();
	ck_assert_msg(ms <= 1000, "futctl ping took %u ms (second)", ms);
	rss1 = rss_kb(fx.futd);
	ck_assert(rss0 > 0 && rss1 > 0);
	note("clients: probes %lld -> %lld, ping %u ms, RSS %ld -> %ld kB",
	    p0, p1, ms, rss0, rss1);
	ck_assert_msg(rss1 - rss0 <= CLIENTS_RSS_KB, "futd's RSS went from "
	    "%ld to %ld kB with %d clients", rss0, rss1, NCLIENTS);
	assert_alive("with 1000 clients");
	for (i = 0; i < fx.nfds; i++)
		close(fx.fds[i]);
	fx.nfds = 0;
	assert_alive("after 1000 clients");
}
END_TEST

/* 5. access control */

/*
 * futctl -s sock ARG... as uid/gid NOBODY; stdout and stderr into files
 * of ours (opened as root before the switch).  Its exit status.
 */
static int
futctl_as_nobody(struct sys_out *out, const char *a1, const char *a2)
{
	char bin[PATH_MAX], orig[PATH_MAX], opath[PATH_MAX], epath[PATH_MAX];
	const char *argv[] = { bin, "-s", fx.sock, a1, a2, NULL };
	int ofd, efd, nfd, status = -1;
	char *image;
	size_t size;
	pid_t pid;

	/*
	 * A copy of futctl in the test's directory: the build tree may sit
	 * where uid 65534 cannot go (under /root, say), and what is tested is
	 * the socket's mode, not the tree's.
	 */
	sys_bin(orig, sizeof(orig), "futctl");
	sys_path_in(bin, sizeof(bin), fx.dir, "futctl");
	ck_assert_msg((image = sys_read_file(orig, &size)) != NULL,
	    "read %s: %s", orig, strerror(errno));
	ck_assert(sys_write_file(bin, image, size) == 0);
	free(image);
	ck_assert(chmod(bin, 0755) == 0);
	sys_path_in(opath, sizeof(opath), fx.dir, "nobody.out");
	sys_path_in(epath, sizeof(epath), fx.dir, "nobody.err");
	ck_assert((ofd = open(opath, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644)) != -1);
	ck_assert((efd = open(epath, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644)) != -1);
	ck_assert((nfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) != -1);
	fflush(NULL);
	ck_assert((pid = fork()) != -1);
	if (pid == 0) {
		if (dup2(nfd, 0) == -1 || dup2(ofd, 1) == -1 ||
		    dup2(efd, 2) == -1 || setgroups(0, NULL) == -1 ||
		    setgid(NOBODY) == -1 || setuid(NOBODY) == -1)
			_exit(126);
		unsetenv("FUTD_SOCKET");
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(ofd);
	close(efd);
	close(nfd);
	if (sys_wait(pid, SYS_RUN_MS, &status) == -1) {
		kill(pid, SIGKILL);
		(void)sys_wait(pid, SYS_STOP_MS, NULL);
		ck_abort_msg("futctl as uid %d hung", NOBODY);
	}
	out->status = status;
	out->out = sys_read_file(opath, NULL);
	out->err = sys_read_file(epath, NULL);
	if (out->out == NULL)
		out->out = strdup("");
	if (out->err == NULL)
		out->err = strdup("");
	ck_assert(out->out != NULL && out->err != NULL);
	return status;
}

START_TEST(test_access_control)
{
	struct sys_out out;
	struct stat sb;
	unsigned p;
	int rc;

	if (geteuid() != 0) {
		fprintf(stderr, "faults: test_access_control skipped: not "
		    "root, cannot run futctl as another uid\n");
		return;
	}
	p = srv_start(NULL, NULL);
	sys_write_filef(fx.conf,
	    "targets = ( { name = \"a\"; host = \"127.0.0.1\";"
	    " port = %u; interval = 0.5; } );\n", p);
	futd_start();
	/* make the directory reachable: only the socket's mode is in the way */
	ck_assert(chmod(root_dir, 0755) == 0);
	ck_assert(chmod(fx.dir, 0755) == 0);
	ck_assert(stat(fx.sock, &sb) == 0);
	ck_assert_msg((sb.st_mode & 0777) == 0660, "socket mode %o, "
	    "expected 0660", (unsigned)(sb.st_mode & 0777));

	rc = futctl_as_nobody(&out, "ping", NULL);
	ck_assert_msg(rc == 3, "uid %d on a 0660 root socket: exit %d, "
	    "expected 3: %.300s", NOBODY, rc, out.err);
	ck_assert_msg(strstr(out.err, "ermission denied") != NULL &&
	    strstr(out.err, fx.sock) != NULL, "uid %d: expected permission "
	    "denied naming the socket: %.300s", NOBODY, out.err);
	/* and what to do about it, not "is futd running?" */
	ck_assert_msg(strstr(out.err, "(run futctl as root, or as a member of "
	    "the socket's group)") != NULL, "uid %d: no hint: %.300s", NOBODY,
	    out.err);
	sys_out_free(&out);

	ck_assert(chmod(fx.sock, 0666) == 0);
	rc = futctl_as_nobody(&out, "status", NULL);
	ck_assert_msg(rc == 0, "uid %d status on a 0666 socket: exit %d: "
	    "%.300s", NOBODY, rc, out.err);
	ck_assert_msg(strstr(out.out, "a") != NULL, "status: %.300s",
	    out.out);
	sys_out_free(&out);

	rc = futctl_as_nobody(&out, "reload", NULL);
	ck_assert_msg(rc == 1, "uid %d reload: exit %d, expected 1: %.300s",
	    NOBODY, rc, out.err);
	ck_assert_msg(strstr(out.err, "reload is for root and the daemon's "
	    "own user") != NULL || strstr(out.out, "reload is for root and "
	    "the daemon's own user") != NULL, "uid %d reload: no 403 message:"
	    " stderr %.300s stdout %.300s", NOBODY, out.err, out.out);
	sys_out_free(&out);

	/* disable and enable are the operator's word too: 403, in words */
	rc = futctl_as_nobody(&out, "disable", "a");
	ck_assert_msg(rc == 1 && strstr(out.err, "disable is for root and "
	    "the daemon's own user") != NULL, "uid %d disable: exit %d: "
	    "%.300s", NOBODY, rc, out.err);
	sys_out_free(&out);
	rc = futctl_as_nobody(&out, "enable", "a");
	ck_assert_msg(rc == 1 && strstr(out.err, "enable is for root and "
	    "the daemon's own user") != NULL, "uid %d enable: exit %d: "
	    "%.300s", NOBODY, rc, out.err);
	sys_out_free(&out);
	rc = futctl_as_nobody(&out, "status", NULL);
	ck_assert_msg(rc == 0 && strstr(out.out, "disabled") == NULL,
	    "uid %d's disable took: %.300s", NOBODY, out.out);
	sys_out_free(&out);

	rc = sys_futctl(&out, fx.sock, "reload", (char *)NULL);
	ck_assert_msg(rc == 0, "root reload: exit %d: %.300s", rc, out.err);
	sys_out_free(&out);
	assert_alive("after access control");
}
END_TEST

Suite *
faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("faults");

	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, FAULTS_TIMEOUT_S);
	tcase_add_test(tc, test_close_early);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_trickle_mismatch);
	tcase_add_test(tc, test_flood_read_limit);
	tcase_add_test(tc, test_dns_garbage);
	tcase_add_test(tc, test_dns_truncated);
	tcase_add_test(tc, test_dns_slow);
	tcase_add_test(tc, test_fd_limit);
	tcase_add_test(tc, test_many_clients);
	tcase_add_test(tc, test_access_control);
	suite_add_tcase(s, tc);
	return s;
}
