/*
 * check_maint.c - the maint suite: `futctl disable` and `futctl enable`
 * end to end, with the real futd, futctl and testsrv on loopback.
 *
 * A disabled target is not probed (testsrv sees no more connections on
 * its port, its counters stop), shows as disabled with who, why and until
 * when in status, show, check, metrics and --json, comes back by itself
 * when its time is up, or at once with enable, and stays disabled across
 * a reload.  (Another uid refused: check_faults.c, test_access_control.)
 */
#include <sys/types.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sys.h"
#include "tests.h"

#define MT_TIMEOUT_S	30
#define MT_UP_MS	5000	/* up at interval 0.1, rise 1 */
#define MT_QUIET_MS	800	/* eight intervals without a probe */

static char		root_dir[PATH_MAX];
static struct sys_fx	fx;
static struct sys_srv	srv;	/* two ports: web1's, the others' */

static void
root_setup(void)
{
	sys_root_setup(root_dir, sizeof(root_dir));
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "maint tests");
}

static void
fx_setup(void)
{
	sys_fx_setup(&fx, root_dir);
}

static void
fx_teardown(void)
{
	sys_fx_teardown(&fx);
}

/* web1 on its own port (p1), web2 and db on another (p2) */
static void
mt_conf(unsigned p1, unsigned p2, const char *web2_extra)
{
	sys_write_filef(fx.conf,
	    "control_socket = \"%s\";\n"
	    "defaults = { interval = 0.1; timeout = 1.0; rise = 1; };\n"
	    "targets = (\n"
	    "  { name = \"web1\"; host = \"127.0.0.1\"; port = %u; },\n"
	    "  { name = \"web2\"; host = \"127.0.0.1\"; port = %u; %s },\n"
	    "  { name = \"db\"; host = \"127.0.0.1\"; port = %u; }\n"
	    ");\n", fx.sock, p1, p2, web2_extra, p2);
}

static void
mt_start(void)
{
	ck_assert(sys_testsrv(&srv, NULL, 2, fx.log) == 0);
	mt_conf(srv.port[0], srv.port[1], "");
	sys_fx_futd(&fx);
	json_decref(sys_wait_state(fx.sock, NULL, "web1", "up", 1, MT_UP_MS));
	json_decref(sys_wait_state(fx.sock, NULL, "web2", "up", 1, MT_UP_MS));
}

/* a target's counter ("probes") from a fresh status */
static long long
mt_count(const char *name, const char *key)
{
	json_t *st = sys_status_get(fx.sock);
	long long n = sys_jint(sys_target_get(st, name), key);

	json_decref(st);
	return n;
}

/* futctl ARGS...: its exit status; its output in out (the caller's) */
#define MT_CTL(out, ...)	sys_futctl((out), fx.sock, __VA_ARGS__, \
				    (char *)NULL)

/*
 * 1. disable web* for an hour with a reason: no more probes of web1 (the
 * server sees no new connection on its port, the counter stops), db goes
 * on; every view says disabled, by whom, why and until when.
 */
START_TEST(test_disable_stops_probes)
{
	struct sys_out out;
	json_t *st, *t, *m;
	long long n1, n2, db1;
	size_t c1, c2;
	double until;
	int rc;

	mt_start();
	rc = MT_CTL(&out, "disable", "web*", "--for", "1h", "--reason",
	    "kernel update");
	ck_assert_msg(rc == 0, "disable: exit %d: %s", rc, out.err);
	ck_assert_msg(strstr(out.out, "disabled: web1, web2") != NULL,
	    "disable said: %s", out.out);
	sys_out_free(&out);

	/* a probe in flight is dropped; what was logged before, stays */
	sys_sleep_ms(200);
	c1 = sys_srvlog(fx.log, srv.port[0], -1, NULL, NULL);
	n1 = mt_count("web1", "probes");
	db1 = mt_count("db", "probes");
	sys_sleep_ms(MT_QUIET_MS);
	c2 = sys_srvlog(fx.log, srv.port[0], -1, NULL, NULL);
	n2 = mt_count("web1", "probes");
	ck_assert_msg(c2 == c1, "web1's server saw %zu connections while it "
	    "was disabled", c2 - c1);
	ck_assert_msg(n2 == n1, "web1 probed %lld times while disabled",
	    n2 - n1);
	ck_assert_msg(mt_count("db", "probes") > db1 + 2, "db stopped too");

	st = sys_status_get(fx.sock);
	t = sys_target_get(st, "web1");
	ck_assert_str_eq(sys_jstr(t, "state"), "disabled");
	ck_assert(json_is_null(json_object_get(t, "next_probe_in_s")));
	m = json_object_get(t, "maintenance");
	ck_assert_msg(json_is_object(m), "no maintenance object");
	ck_assert_str_eq(sys_jstr(m, "reason"), "kernel update");
	ck_assert_int_eq(sys_jint(m, "uid"), (long long)geteuid());
	until = sys_jreal(m, "until");
	ck_assert_msg(until > (double)time(NULL) + 3500 &&
	    until < (double)time(NULL) + 3700, "until %f", until);
	ck_assert(json_is_null(json_object_get(sys_target_get(st, "db"),
	    "maintenance")));
	json_decref(st);

	ck_assert_int_eq(MT_CTL(&out, "status"), 0);
	ck_assert_msg(strstr(out.out, "disabled") != NULL &&
	    strstr(out.out, "kernel update") != NULL, "status: %s", out.out);
	sys_out_free(&out);
	ck_assert_int_eq(MT_CTL(&out, "status", "--state", "disabled"), 0);
	ck_assert_msg(strstr(out.out, "web2") != NULL &&
	    strstr(out.out, "db") == NULL, "status --state disabled: %s",
	    out.out);
	sys_out_free(&out);
	ck_assert_int_eq(MT_CTL(&out, "show", "web1"), 0);
	ck_assert_msg(strstr(out.out, "disabled:") != NULL &&
	    strstr(out.out, "kernel update") != NULL && strstr(out.out,
	    "left)") != NULL, "show: %s", out.out);
	sys_out_free(&out);
	/* planned: OK, in words */
	rc = MT_CTL(&out, "check", "web1");
	ck_assert_msg(rc == 0 && strstr(out.out, "FUTD OK - web1 is disabled "
	    "by ") != NULL && strstr(out.out, "kernel update") != NULL,
	    "check: exit %d: %s", rc, out.out);
	sys_out_free(&out);
	ck_assert_int_eq(MT_CTL(&out, "metrics"), 0);
	ck_assert_msg(strstr(out.out, "futd_target_state{target=\"web1\","
	    "probe=\"peeraddr\",host=\"127.0.0.1\"") != NULL &&
	    strstr(out.out, "state=\"disabled\"} 1") != NULL,
	    "metrics: no disabled state");
	sys_out_free(&out);
	ck_assert_int_eq(MT_CTL(&out, "log", "web1"), 0);
	ck_assert_msg(strstr(out.out, "up -> disabled") != NULL &&
	    strstr(out.out, "kernel update") != NULL, "log: %s", out.out);
	sys_out_free(&out);
}
END_TEST

/* 2. --for 1s: back by itself, to unknown and then up, probing again */
START_TEST(test_disable_for_ends)
{
	struct sys_out out;
	long long n1;
	size_t c1;

	mt_start();
	ck_assert_int_eq(MT_CTL(&out, "disable", "web1", "--for", "1s"), 0);
	ck_assert_msg(strstr(out.out, "then probed again") != NULL,
	    "disable --for: %s", out.out);
	sys_out_free(&out);
	json_decref(sys_wait_state(fx.sock, NULL, "web1", "disabled", -1,
	    500));
	n1 = mt_count("web1", "probes");
	c1 = sys_srvlog(fx.log, srv.port[0], -1, NULL, NULL);
	json_decref(sys_wait_state(fx.sock, NULL, "web1", "up", 1, 3000));
	ck_assert(mt_count("web1", "probes") > n1);
	sys_sleep_ms(300);
	ck_assert(sys_srvlog(fx.log, srv.port[0], -1, NULL, NULL) > c1);
	ck_assert_int_eq(MT_CTL(&out, "log", "web1"), 0);
	ck_assert_msg(strstr(out.out, "disabled -> unknown (its disable's "
	    "time is up)") != NULL, "log: %s", out.out);
	sys_out_free(&out);
}
END_TEST

/* 3. enable early, one of a pattern; enable of what is not: 404 or said */
START_TEST(test_enable_early)
{
	struct sys_out out;
	json_t *st;
	int rc;

	mt_start();
	ck_assert_int_eq(MT_CTL(&out, "disable", "web*"), 0);
	ck_assert_msg(strstr(out.out, "until:    futctl enable") != NULL,
	    "disable: %s", out.out);
	sys_out_free(&out);
	st = sys_status_get(fx.sock);
	ck_assert(json_is_null(json_object_get(json_object_get(
	    sys_target_get(st, "web2"), "maintenance"), "until")));
	json_decref(st);
	sys_sleep_ms(300);
	ck_assert_str_eq(sys_jstr(sys_target_get(st = sys_status_get(fx.sock),
	    "web1"), "state"), "disabled");
	json_decref(st);

	ck_assert_int_eq(MT_CTL(&out, "enable", "web1"), 0);
	ck_assert_msg(strstr(out.out, "enabled: web1") != NULL, "enable: %s",
	    out.out);
	sys_out_free(&out);
	json_decref(sys_wait_state(fx.sock, NULL, "web1", "up", 1, 3000));
	st = sys_status_get(fx.sock);
	ck_assert_str_eq(sys_jstr(sys_target_get(st, "web2"), "state"),
	    "disabled");
	json_decref(st);

	ck_assert_int_eq(MT_CTL(&out, "enable", "db"), 0);
	ck_assert_msg(strstr(out.out, "not disabled: db") != NULL,
	    "enable db: %s", out.out);
	sys_out_free(&out);
	rc = MT_CTL(&out, "disable", "nosuch*");
	ck_assert_msg(rc == 1 && strstr(out.err, "no such target") != NULL,
	    "disable nosuch*: exit %d: %s", rc, out.err);
	sys_out_free(&out);
	rc = MT_CTL(&out, "disable", "db", "--for", "5x");
	ck_assert_msg(rc == 2 && strstr(out.err, "--for needs a duration") !=
	    NULL, "--for 5x: exit %d: %s", rc, out.err);
	sys_out_free(&out);
	ck_assert_int_eq(MT_CTL(&out, "log", "web1"), 0);
	ck_assert_msg(strstr(out.out, "disabled -> unknown (enabled)") !=
	    NULL, "log: %s", out.out);
	sys_out_free(&out);
}
END_TEST

/*
 * 4. a reload keeps a disable: web1 reset (a new port: a new target of
 * the same name), web2 changed (a new interval): both still disabled,
 * still not probed, with their reason.
 */
START_TEST(test_reload_keeps)
{
	struct sys_out out;
	json_t *st;
	long long n1, n2;

	mt_start();
	ck_assert_int_eq(MT_CTL(&out, "disable", "web*", "--reason",
	    "moving racks, caf\xc3\xa9 100%"), 0);
	sys_out_free(&out);
	mt_conf(srv.port[1], srv.port[1], "interval = 0.2;");
	ck_assert_int_eq(MT_CTL(&out, "reload"), 0);
	ck_assert_msg(strstr(out.out, "web1") != NULL, "reload: %s",
	    out.out);
	sys_out_free(&out);
	st = sys_status_get(fx.sock);
	ck_assert_str_eq(sys_jstr(sys_target_get(st, "web1"), "state"),
	    "disabled");
	ck_assert_str_eq(sys_jstr(sys_target_get(st, "web2"), "state"),
	    "disabled");
	/* UTF-8 and a '%' as they were typed, through the %-encoding */
	ck_assert_str_eq(sys_jstr(json_object_get(sys_target_get(st, "web1"),
	    "maintenance"), "reason"), "moving racks, caf\xc3\xa9 100%");
	n1 = sys_jint(sys_target_get(st, "web1"), "probes");
	json_decref(st);
	sys_sleep_ms(MT_QUIET_MS);
	n2 = mt_count("web1", "probes");
	ck_assert_msg(n2 == n1, "web1 probed after the reload: %lld", n2 - n1);
	ck_assert_int_eq(MT_CTL(&out, "enable", "web1"), 0);
	sys_out_free(&out);
	json_decref(sys_wait_state(fx.sock, NULL, "web1", "up", 1, 3000));
}
END_TEST

/* one request line by hand, its reply's code */
static long long
mt_raw(const char *line)
{
	char *reply;
	json_t *j;
	long long code;
	int fd;

	ck_assert((fd = sys_unix_connect(fx.sock)) != -1);
	ck_assert(sys_send_all(fd, line, strlen(line)) == 0);
	reply = sys_read_line(fd, 2000);
	close(fd);
	ck_assert_msg(reply != NULL, "no reply to %s", line);
	j = json_loads(reply, 0, NULL);
	code = sys_jint(j, "code");
	json_decref(j);
	free(reply);
	return code;
}

/* 5. what a client other than futctl may send: refused in words, 400 */
START_TEST(test_bad_requests)
{
	mt_start();
	ck_assert_int_eq(mt_raw("futd/1 disable web1 reason=%ZZ\n"), 400);
	ck_assert_int_eq(mt_raw("futd/1 disable web1 reason=%FF\n"), 400);
	ck_assert_int_eq(mt_raw("futd/1 disable web1 reason=a%0Ab\n"), 400);
	ck_assert_int_eq(mt_raw("futd/1 disable web1 for=0\n"), 400);
	ck_assert_int_eq(mt_raw("futd/1 disable web1 for=1x\n"), 400);
	ck_assert_int_eq(mt_raw("futd/1 disable web1 until=3\n"), 400);
	ck_assert_int_eq(mt_raw("futd/1 disable\n"), 400);
	ck_assert_int_eq(mt_raw("futd/1 enable web1 web2\n"), 400);
	ck_assert_int_eq(mt_raw("futd/1 enable nosuch\n"), 404);
	/* a word past the last argument is an error, not dropped */
	ck_assert_int_eq(mt_raw("futd/1 disable web1 for=60 reason=x "
	    "junk\n"), 400);
	/* status trend=N: 1..64 results */
	ck_assert_int_eq(mt_raw("futd/1 status trend=0\n"), 400);
	ck_assert_int_eq(mt_raw("futd/1 status trend=65\n"), 400);
	ck_assert_int_eq(mt_raw("futd/1 status trend=3x\n"), 400);
	ck_assert_int_eq(mt_raw("futd/1 status match=web* state=up "
	    "trend=64\n"), 200);
	/* none of it took */
	json_decref(sys_wait_state(fx.sock, NULL, "web1", "up", 1, 500));
}
END_TEST

Suite *
maint_suite(void)
{
	Suite *s = suite_create("maint");
	TCase *tc = tcase_create("maint");

	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, MT_TIMEOUT_S);
	tcase_add_test(tc, test_disable_stops_probes);
	tcase_add_test(tc, test_disable_for_ends);
	tcase_add_test(tc, test_enable_early);
	tcase_add_test(tc, test_reload_keeps);
	tcase_add_test(tc, test_bad_requests);
	suite_add_tcase(s, tc);
	return s;
}
