/*
 * check_hook.c - the on_change hook (daemon/hook.c), with the real futd
 * and real programs: shell scripts each test writes into its directory.
 * Targets go down on a bound port of 127.0.0.1 that never listens, come
 * up on a switchable one (sys_switch).
 */
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sys.h"
#include "tests.h"

#define HOOK_TIMEOUT_S		60	/* per test */
#define HOOK_WAIT_MS		10000	/* a hook's line in futd's log */

static char	root_dir[PATH_MAX];
static struct sys_fx fx;
static struct sys_switch sw;
static int	refused = -1;
static unsigned	rport;
static char	hook_path[PATH_MAX];

static void
root_setup(void)
{
	sys_root_setup(root_dir, sizeof(root_dir));
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "hook tests");
}

static void
fx_setup(void)
{
	sys_fx_setup(&fx, root_dir);
	sys_switch_init(&sw);
	ck_assert(sys_bound_port(&refused, &rport) == 0);
	sys_path_in(hook_path, sizeof(hook_path), fx.dir, "hook.sh");
}

static void
fx_teardown(void)
{
	sys_fx_teardown(&fx);
	sys_switch_close(&sw);
	if (refused != -1)
		close(refused);
	refused = -1;
}

/* The hook: a shell script of body, executable. */
static void
hook_write(const char *body)
{
	sys_write_filef(hook_path, "#!/bin/sh\n%s", body);
	ck_assert(chmod(hook_path, 0755) == 0);
}

/* How often needle is in futd's stderr, once it is there n times. */
static size_t
log_count(const char *needle)
{
	char *log = sys_read_file(fx.err, NULL), *p;
	size_t n = 0;

	for (p = log; p != NULL && (p = strstr(p, needle)) != NULL; p++)
		n++;
	free(log);
	return n;
}

static void
log_wait(const char *needle, size_t n, unsigned ms)
{
	uint64_t deadline = sys_now_ms() + ms;
	size_t len = 0;
	char *log;

	while (log_count(needle) < n && sys_left_ms(deadline) > 0)
		sys_sleep_ms(20);
	if (log_count(needle) < n) {
		/* its end: Check's messages are bounded */
		log = sys_read_file(fx.err, &len);
		ck_abort_msg("not %zu times \"%s\" in futd's log, ending:\n%s",
		    n, needle, log == NULL ? "(none)" : len > 2000 ?
		    log + len - 2000 : log);
	}
}

/* Lines of a file in the test's directory (0: none yet). */
static size_t
file_lines(const char *name)
{
	char path[PATH_MAX], *s, *p;
	size_t n = 0;

	sys_path_in(path, sizeof(path), fx.dir, name);
	if ((s = sys_read_file(path, NULL)) == NULL)
		return 0;
	for (p = s; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	free(s);
	return n;
}

/*
 * The probes a target of interval 0.1 s has at least, ms after futd
 * started: all but its first interval (its offset) and some slack, at 70 %.
 */
static long long
probes_min(uint64_t ms)
{
	return ms > 1200 ? (long long)(ms - 1200) / 100 * 7 / 10 : 0;
}

/*
 * 1. A target found down runs the hook with exactly the news and its labels
 * in its environment and nothing of futd's (the test's own environment, which
 * futd inherits, has HOME, CK_RUN_SUITE...), no arguments, cwd /; its exit
 * status and first line go to futd's log, the second line does not.  A
 * target found up by its first result runs nothing.
 */
START_TEST(test_hook_env)
{
	char path[PATH_MAX], want[PATH_MAX + 512], *got;

	hook_write("cd \"$(dirname \"$0\")\"\n"
	    "env | LC_ALL=C sort >\"env.$FUTD_TARGET\"\n"
	    "echo \"$#\" >\"args.$FUTD_TARGET\"\n"
	    "echo \"first line of $FUTD_TARGET: $FUTD_FROM -> $FUTD_STATE\"\n"
	    "echo second line >&2\n"
	    "exit 3\n");
	sys_switch_on(&sw);
	sys_write_filef(fx.conf, "on_change = \"%s\";\n"
	    "targets = (\n"
	    "  { name = \"gone\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.2; rise = 1; fall = 1;\n"
	    "    labels = { team = \"db\"; tier = \"1\"; }; },\n"
	    "  { name = \"fine\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; interval = 0.2; rise = 1; fall = 1; }\n);\n",
	    hook_path, rport, sw.port);
	sys_fx_futd(&fx);

	log_wait("target gone: on_change exited 3: first line of gone: "
	    "unknown -> down\n", 1, HOOK_WAIT_MS);
	ck_assert_uint_eq(log_count("second line"), 0);
	sys_path_in(path, sizeof(path), fx.dir, "env.gone");
	ck_assert((got = sys_read_file(path, NULL)) != NULL);
	/*
	 * PWD and OLDPWD: sh's own, after its cd; OLDPWD says futd started
	 * it in /.  Latency and since, their values dropped below.
	 */
	snprintf(want, sizeof(want),
	    "FUTD_ERROR=refused\n"
	    "FUTD_FROM=unknown\n"
	    "FUTD_HOST=127.0.0.1\n"
	    "FUTD_LABEL_team=db\n"
	    "FUTD_LABEL_tier=1\n"
	    "FUTD_LATENCY_US="
	    "FUTD_MESSAGE=Connection refused\n"
	    "FUTD_PORT=%u\n"
	    "FUTD_PROBE=peeraddr\n"
	    "FUTD_SINCE="
	    "FUTD_STATE=down\n"
	    "FUTD_TARGET=gone\n"
	    "OLDPWD=/\n"
	    "PATH=/usr/bin:/bin\n"
	    "PWD=%s\n", rport, fx.dir);
	{
		/* latency and since vary: check their form, then drop them */
		char *lat = strstr(got, "FUTD_LATENCY_US="), *since, *e;
		long long s;

		ck_assert_msg(lat != NULL, "env:\n%s", got);
		e = strchr(lat, '\n');
		ck_assert(e != NULL && e > lat + 16);
		memmove(lat + 16, e + 1, strlen(e + 1) + 1);
		since = strstr(got, "FUTD_SINCE=");
		ck_assert_msg(since != NULL, "env:\n%s", got);
		s = strtoll(since + 11, &e, 10);
		ck_assert(*e == '\n');
		ck_assert_msg(s > (long long)time(NULL) - 60 &&
		    s <= (long long)time(NULL), "FUTD_SINCE=%lld", s);
		memmove(since + 11, e + 1, strlen(e + 1) + 1);
	}
	ck_assert_str_eq(got, want);
	free(got);
	sys_path_in(path, sizeof(path), fx.dir, "args.gone");
	ck_assert((got = sys_read_file(path, NULL)) != NULL);
	ck_assert_str_eq(got, "0\n");
	free(got);

	/* found up at start: no news, no hook (a probe's time to be sure) */
	sys_sleep_ms(500);
	ck_assert_uint_eq(log_count("target fine: on_change"), 0);
	/* then a change of it is */
	sys_switch_off(&sw);
	log_wait("target fine: on_change exited 3: first line of fine: "
	    "up -> down\n", 1, HOOK_WAIT_MS);

	/* maintenance is the operator's word, not news: no hook either way */
	ck_assert_int_eq(sys_futctl(NULL, fx.sock, "disable", "gone",
	    (char *)NULL), 0);
	log_wait("-> disabled", 1, HOOK_WAIT_MS);
	ck_assert_int_eq(sys_futctl(NULL, fx.sock, "enable", "gone",
	    (char *)NULL), 0);
	log_wait("disabled -> unknown", 1, HOOK_WAIT_MS);
	/* back to down by its next probe: that is news again */
	log_wait("target gone: on_change exited 3: first line of gone: "
	    "unknown -> down\n", 2, HOOK_WAIT_MS);
	ck_assert_uint_eq(log_count("first line of gone: down -> disabled"),
	    0);
	ck_assert_uint_eq(log_count("first line of gone: disabled -> "), 0);
}
END_TEST

/*
 * 2. A hook that hangs is ended after on_change_timeout, with what it
 * started (its process group): logged with its first line.
 */
START_TEST(test_hook_timeout)
{
	char path[PATH_MAX], *s;
	uint64_t t0, deadline;
	pid_t bg;
	int gone = 0;

	hook_write("cd \"$(dirname \"$0\")\"\n"
	    "echo stuck\n"
	    "sleep 60 &\n"
	    "echo $! >bg.pid\n"
	    "wait\n");
	sys_write_filef(fx.conf, "on_change = \"%s\";\n"
	    "on_change_timeout = 0.5;\n"
	    "targets = ( { name = \"gone\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.2; rise = 1; fall = 1; } );\n", hook_path, rport);
	t0 = sys_now_ms();
	sys_fx_futd(&fx);
	log_wait("target gone: on_change killed by signal 15 after the "
	    "timeout: stuck\n", 1, HOOK_WAIT_MS);
	/* 0.5 s, not the 60 of its sleep */
	ck_assert_uint_lt(sys_now_ms() - t0, 20000);
	sys_path_in(path, sizeof(path), fx.dir, "bg.pid");
	ck_assert((s = sys_read_file(path, NULL)) != NULL);
	bg = (pid_t)atoi(s);
	free(s);
	ck_assert_int_gt(bg, 1);
	/* its sleep went too: gone, or a zombie its new parent reaps */
	deadline = sys_now_ms() + 3000;
	while (!gone && sys_left_ms(deadline) > 0) {
		char stat[PATH_MAX], *st, *rp;

		snprintf(stat, sizeof(stat), "/proc/%d/stat", (int)bg);
		if ((st = sys_read_file(stat, NULL)) == NULL) {
			gone = 1;
			break;
		}
		rp = strrchr(st, ')');
		gone = rp != NULL && rp[1] == ' ' && rp[2] == 'Z';
		free(st);
		if (!gone)
			sys_sleep_ms(20);
	}
	if (!gone)
		kill(bg, SIGKILL);
	ck_assert_msg(gone, "the hook's sleep (pid %d) outlived its timeout",
	    (int)bg);
}
END_TEST

#define STORM_TARGETS		20
#define STORM_HOOK_S		"0.3"

/*
 * 3. A storm: 20 targets found down at once, on_change_max 2, each hook
 * flooding its output (2 MB) then sleeping 0.3 s: at most 2 run at once,
 * all 20 run within a bounded time, and meanwhile every target keeps its
 * schedule (interval 0.1: no late probe, its probes counted).
 */
START_TEST(test_hook_storm)
{
	char path[PATH_MAX], *s, *p;
	json_t *st, *t, *ts;
	FILE *f;
	uint64_t t0, deadline;
	size_t i, n = 0;
	int cur = 0, most = 0;
	long long probes;

	hook_write("cd \"$(dirname \"$0\")\"\n"
	    "echo \"+ $FUTD_TARGET\" >>runs\n"
	    "head -c 2000000 /dev/zero\n"
	    "sleep " STORM_HOOK_S "\n"
	    "echo \"- $FUTD_TARGET\" >>runs\n");
	ck_assert((f = fopen(fx.conf, "w")) != NULL);
	fprintf(f, "on_change = \"%s\";\non_change_max = 2;\n"
	    "defaults = { interval = 0.1; timeout = 1; rise = 1; fall = 1; };"
	    "\ntargets = (\n", hook_path);
	for (i = 0; i < STORM_TARGETS; i++)
		fprintf(f, "  { name = \"t%02zu\"; host = \"127.0.0.1\"; "
		    "port = %u; }%s\n", i, rport,
		    i + 1 < STORM_TARGETS ? "," : ");");
	ck_assert(fclose(f) == 0);
	t0 = sys_now_ms();
	sys_fx_futd(&fx);
	/* 20 x 0.3 s by 2: 3 s; bounded at 20 */
	deadline = sys_now_ms() + 20000;
	while (file_lines("runs") < 2 * STORM_TARGETS &&
	    sys_left_ms(deadline) > 0)
		sys_sleep_ms(50);
	ck_assert_uint_eq(file_lines("runs"), 2 * STORM_TARGETS);
	log_wait("on_change exited 0", STORM_TARGETS, HOOK_WAIT_MS);

	/* never more than 2 at once */
	sys_path_in(path, sizeof(path), fx.dir, "runs");
	s = sys_read_file(path, NULL);
	for (p = s; p != NULL && *p != '\0'; p = strchr(p, '\n') + 1) {
		cur += *p == '+' ? 1 : -1;
		most = cur > most ? cur : most;
		n++;
	}
	free(s);
	ck_assert_int_eq(most, 2);

	/* the probes kept their schedule: none late, ~10 a second each */
	st = sys_status_get(fx.sock);
	ts = json_object_get(st, "targets");
	ck_assert_uint_eq(json_array_size(ts), STORM_TARGETS);
	json_array_foreach(ts, i, t) {
		probes = sys_jint(t, "probes");
		ck_assert_int_eq(sys_jint(t, "late"), 0);
		/* the elapsed time less a first interval and some slack */
		ck_assert_msg(probes >= probes_min(sys_now_ms() - t0),
		    "%s: %lld probes in %llu ms",
		    sys_jstr(t, "name"), probes,
		    (unsigned long long)(sys_now_ms() - t0));
	}
	json_decref(st);
}
END_TEST

#define OVERFLOW_TARGETS		1100

/*
 * 4. More changes than the queue holds (1000): the first hook holds the
 * only slot for 3 s while 1100 targets go down; the oldest waiting are
 * dropped, said once when it starts and once, with the count, when the
 * queue drains; every other change runs.
 */
START_TEST(test_hook_overflow)
{
	FILE *f;
	uint64_t deadline;
	size_t i, want = OVERFLOW_TARGETS - 1 - 1000;
	char line[128];

	hook_write("cd \"$(dirname \"$0\")\"\n"
	    "mkdir first 2>/dev/null && sleep 3\n"
	    "echo \"$FUTD_TARGET\" >>runs\n");
	ck_assert((f = fopen(fx.conf, "w")) != NULL);
	fprintf(f, "on_change = \"%s\";\non_change_max = 1;\n"
	    "defaults = { interval = 1; timeout = 1; rise = 1; fall = 1; };\n"
	    "targets = (\n", hook_path);
	for (i = 0; i < OVERFLOW_TARGETS; i++)
		fprintf(f, "  { name = \"t%04zu\"; host = \"127.0.0.1\"; "
		    "port = %u; }%s\n", i, rport,
		    i + 1 < OVERFLOW_TARGETS ? "," : ");");
	ck_assert(fclose(f) == 0);
	sys_fx_futd(&fx);

	log_wait("on_change: 1000 changes wait already: dropping the oldest",
	    1, HOOK_WAIT_MS);
	snprintf(line, sizeof(line), "on_change: the queue drained; %zu "
	    "changes were dropped without their hook (%zu since start)", want,
	    want);
	log_wait(line, 1, 30000);
	ck_assert_uint_eq(log_count("dropping the oldest"), 1);
	/* drained: the last has started; it writes its line soon after */
	deadline = sys_now_ms() + HOOK_WAIT_MS;
	while (file_lines("runs") < OVERFLOW_TARGETS - want &&
	    sys_left_ms(deadline) > 0)
		sys_sleep_ms(20);
	sys_sleep_ms(200);
	ck_assert_uint_eq(file_lines("runs"), OVERFLOW_TARGETS - want);
}
END_TEST

/*
 * 5. A hook that writes without end: futd keeps its first line, stops
 * listening after a megabyte (the writer gets SIGPIPE, its sh exits 141)
 * long before the timeout, and a target probed every 0.1 s meanwhile has
 * no late probe.
 */
START_TEST(test_hook_flood)
{
	json_t *st, *t;
	uint64_t t0;
	long long probes;

	hook_write("yes flood\n");
	sys_switch_on(&sw);
	sys_write_filef(fx.conf, "on_change = \"%s\";\n"
	    "on_change_timeout = 20;\n"
	    "defaults = { interval = 0.1; timeout = 1; rise = 1; fall = 1; };"
	    "\ntargets = (\n"
	    "  { name = \"gone\"; host = \"127.0.0.1\"; port = %u; },\n"
	    "  { name = \"busy\"; host = \"127.0.0.1\"; port = %u; }\n);\n",
	    hook_path, rport, sw.port);
	t0 = sys_now_ms();
	sys_fx_futd(&fx);
	log_wait("target gone: on_change exited 141: flood\n", 1,
	    HOOK_WAIT_MS);
	ck_assert_uint_lt(sys_now_ms() - t0, 15000);
	sys_sleep_ms(2000);
	st = sys_status_get(fx.sock);
	t = sys_target_get(st, "busy");
	probes = sys_jint(t, "probes");
	ck_assert_int_eq(sys_jint(t, "late"), 0);
	ck_assert_msg(probes >= probes_min(sys_now_ms() - t0),
	    "busy: %lld probes in %llu ms", probes,
	    (unsigned long long)(sys_now_ms() - t0));
	json_decref(st);
}
END_TEST

/* 6. futd -n: a relative on_change, and the ranges, named by file:line. */
START_TEST(test_hook_conf)
{
	char bin[PATH_MAX];
	const char *argv[] = { bin, "-n", "-f", fx.conf, NULL };
	struct sys_out out;

	sys_bin(bin, sizeof(bin), "futd");
	sys_write_filef(fx.conf, "targets = ();\n"
	    "on_change = \"hook.sh\";\n"
	    "on_change_max = 0;\n"
	    "on_change_timeout = 0.01;\n");
	ck_assert_int_eq(sys_run(argv, NULL, SYS_RUN_MS, &out), 1);
	ck_assert_msg(strstr(out.err, "futd.conf:2: on_change \"hook.sh\" "
	    "must be an absolute path") != NULL, "%s", out.err);
	ck_assert_msg(strstr(out.err, "futd.conf:3: on_change_max 0 out of "
	    "range 1..64") != NULL, "%s", out.err);
	ck_assert_msg(strstr(out.err, "futd.conf:4: on_change_timeout 0.01 "
	    "is below the minimum of 0.1s") != NULL, "%s", out.err);
	sys_out_free(&out);
}
END_TEST

Suite *
hook_suite(void)
{
	Suite *s = suite_create("hook");
	TCase *tc = tcase_create("hook");

	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, HOOK_TIMEOUT_S);
	tcase_add_test(tc, test_hook_env);
	tcase_add_test(tc, test_hook_timeout);
	tcase_add_test(tc, test_hook_storm);
	tcase_add_test(tc, test_hook_overflow);
	tcase_add_test(tc, test_hook_flood);
	tcase_add_test(tc, test_hook_conf);
	suite_add_tcase(s, tc);
	return s;
}
