/*
 * check_system.c - the system suite: the real futd, futctl and testsrv
 * (from $FUTD_BUILD, default "build"), on loopback only.
 *
 * Each test starts what it needs in a fresh directory, asserts what a user
 * would notice (futctl's output and exit status, what testsrv received,
 * what systemd is told) and leaves nothing behind:
 *
 *  - a checked fixture makes the test's directory (mkdtemp) and, after
 *    the test, stops every process the test started (SIGTERM, then
 *    SIGKILL; sys.c) and removes the directory;
 *  - a failed assertion in a forked test _exit()s without that teardown:
 *    the children die with it (PR_SET_PDEATHSIG, sys.c) and the runner's
 *    unchecked fixture removes the TCase's root directory, which holds
 *    every test's directory.  With CK_FORK=no the checked teardown runs
 *    after a failure too.
 *
 * FUTD_SYS_KEEP=1 keeps the directories (futd's stderr, configs, testsrv
 * logs) for a post-mortem.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "proto.h"
#include "tests.h"
#include "sys.h"

#define SYSTEM_TIMEOUT_S	30	/* per test; the slowest takes ~5 s */
#define STEP_MS			25	/* between two looks at futd */
#define LOG_SETTLE_MS		30	/* testsrv logs a closed connection */
#define QUIET_TRIES		40
#define BIG_PAYLOAD		(1024 * 1024)
#define TESTSRV_LOG_DATA	256	/* payload bytes testsrv logs */
#define MANY_TARGETS		200
#define MANY_PORTS		4
#define MANY_MIN_OK		20
#define MANY_WAIT_MS		4000

/* Per TCase, made and removed by the runner process (unchecked fixture). */
static char	root_dir[PATH_MAX];

/* Per test (checked fixture). */
static struct sys_fx fx;

static void
root_setup(void)
{
	sys_root_setup(root_dir, sizeof(root_dir));
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "system tests");
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

static void
srv_start(struct sys_srv *srv, const char *const opts[], size_t nports,
    const char *log)
{
	ck_assert_msg(sys_testsrv(srv, opts, nports, log) == 0,
	    "testsrv did not start (is %s/testsrv built?)", sys_build());
}

/* A target's counter; "done" is ok + failed, the probes that finished. */
static long long
tval(const json_t *t, const char *key)
{
	if (strcmp(key, "done") == 0)
		return t == NULL ? -1 : sys_jint(t, "ok") + sys_jint(t, "failed");
	return sys_jint(t, key);
}

/*
 * Ask futd until target name has key >= min; the status that says so (the
 * caller owns it).  Fails the test after ms.
 */
static json_t *
wait_target(const char *name, const char *key, long long min, unsigned ms)
{
	uint64_t deadline = sys_now_ms() + ms;
	json_t *st, *t;
	char *dump;

	for (;;) {
		st = sys_status_get(fx.sock);
		t = sys_target_get(st, name);
		if (t != NULL && tval(t, key) >= min)
			return st;
		if (sys_left_ms(deadline) == 0) {
			dump = json_dumps(t, JSON_COMPACT);
			ck_abort_msg("target %s: %s did not reach %lld within "
			    "%u ms: %s", name, key, min, ms,
			    dump != NULL ? dump : "(absent)");
		}
		json_decref(st);
		sys_sleep_ms(STEP_MS);
	}
}

/* The line of `futctl status` that shows target name (a copy), or NULL. */
static char *
status_line(const char *out, const char *name)
{
	size_t n = strlen(name);
	const char *p = out, *end;

	while (p != NULL && *p != '\0') {
		end = strchr(p, '\n');
		if (strncmp(p, name, n) == 0 && p[n] == ' ')
			return strndup(p, end != NULL ? (size_t)(end - p) :
			    strlen(p));
		p = end != NULL ? end + 1 : NULL;
	}
	return NULL;
}

/* `futctl status` (text) must succeed; its line for name (the caller frees) */
static char *
status_text_line(const char *name)
{
	struct sys_out out;
	char *line;

	ck_assert_msg(sys_futctl(&out, fx.sock, "status", (char *)NULL) == 0,
	    "futctl status failed: %s", out.err);
	line = status_line(out.out, name);
	ck_assert_msg(line != NULL, "no line for %s in:\n%s", name, out.out);
	sys_out_free(&out);
	return line;
}

/*
 * 1. hello delivers exactly the payload, once per successful probe.
 *
 * futd counts a hello probe ok right after it wrote the payload and closed
 * the socket; testsrv logs a connection when it reads its EOF.  So the
 * lines equal the "ok" counter only when no probe is in flight and testsrv
 * caught up.  We look for such a quiet window: status S1 with probes ==
 * ok + failed (nothing in flight), wait LOG_SETTLE_MS, count the lines,
 * status S2 with the same "probes" (nothing started meanwhile).  Between
 * S1 and S2 futd had no connection to testsrv at all, so the lines counted
 * in between must be exactly S1's ok, each with exactly "hello world".  At
 * an interval of 0.5 s nearly every moment is quiet, even on a machine
 * slowed by sanitizers; QUIET_TRIES attempts find one.
 */
START_TEST(test_hello_exact)
{
	struct sys_srv srv;
	json_t *st, *t;
	long long probes = -1, ok = -1, failed = -1;
	size_t lines = 0, hellos = 0;
	int i, quiet = 0;

	srv_start(&srv, NULL, 1, fx.log);
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"h\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\";\n    interval = 0.5; }\n);\n", srv.port[0]);
	sys_fx_futd(&fx);
	json_decref(wait_target("h", "ok", 3, 5000));

	for (i = 0; i < QUIET_TRIES && !quiet; i++) {
		st = sys_status_get(fx.sock);
		t = sys_target_get(st, "h");
		probes = sys_jint(t, "probes");
		ok = sys_jint(t, "ok");
		failed = sys_jint(t, "failed");
		json_decref(st);
		if (probes != ok + failed) {
			sys_sleep_ms(7);
			continue;
		}
		sys_sleep_ms(LOG_SETTLE_MS);
		lines = sys_srvlog(fx.log, srv.port[0], 11, "hello world",
		    &hellos);
		st = sys_status_get(fx.sock);
		quiet = sys_jint(sys_target_get(st, "h"), "probes") == probes;
		json_decref(st);
	}
	ck_assert_msg(quiet, "no quiet moment between probes in %d tries",
	    QUIET_TRIES);
	ck_assert_msg(failed == 0, "%lld hello probes failed", failed);
	ck_assert_msg(lines == hellos, "%zu of %zu connections did not carry "
	    "exactly \"hello world\"", lines - hellos, lines);
	ck_assert_msg((long long)hellos == ok, "testsrv got %zu hellos, futd "
	    "counts %lld ok", hellos, ok);
}
END_TEST

/*
 * Names and first probes: futd starts a target's first probe at an offset
 * within its interval that depends only on the name (target.c).  Where a
 * test needs one slow probe and a long interval, the name is one whose
 * offset is a few ms ("big90": 14 ms of 5 s, "pending44": 12 ms of 10 s);
 * the waits still allow a whole interval, so a different spread only makes
 * the test slower.
 */

/* 2. 1 MiB to a server that reads 1 KiB a millisecond arrives whole. */
START_TEST(test_hello_big)
{
	static const char *const slow[] = {
		"-m", "slow", "-R", "4096", "-d", "1", NULL
	};
	struct sys_srv srv;
	char *conf, want[TESTSRV_LOG_DATA + 1];
	size_t n, lines = 0, match = 0;
	uint64_t deadline;
	json_t *st, *t;
	int r;

	srv_start(&srv, slow, 1, fx.log);
	ck_assert((conf = malloc(BIG_PAYLOAD + 512)) != NULL);
	r = snprintf(conf, 512, "targets = (\n"
	    "  { name = \"big90\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\";\n    interval = 5; timeout = 4.5;\n"
	    "    payload = \"", srv.port[0]);
	ck_assert(r > 0 && r < 512);
	n = (size_t)r;
	memset(conf + n, 'x', BIG_PAYLOAD);
	n += BIG_PAYLOAD;
	n += (size_t)snprintf(conf + n, 64, "\"; }\n);\n");
	ck_assert(sys_write_file(fx.conf, conf, n) == 0);
	free(conf);

	sys_fx_futd(&fx);
	st = wait_target("big90", "done", 1, 5000 + 4500 + 1000);
	t = sys_target_get(st, "big90");
	ck_assert_msg(sys_jint(t, "ok") == 1 && sys_jint(t, "failed") == 0,
	    "1 MiB hello: ok %lld, failed %lld (%s)", sys_jint(t, "ok"),
	    sys_jint(t, "failed"), sys_jstr(t, "last_error"));
	ck_assert_str_eq(sys_jstr(t, "state"), "up");
	json_decref(st);

	/*
	 * ok means handed to the kernel, whose send buffer takes the whole
	 * MiB at once here; testsrv then reads it 1 KiB at a time, ~4 s.
	 */
	memset(want, 'x', TESTSRV_LOG_DATA);
	want[TESTSRV_LOG_DATA] = '\0';
	deadline = sys_now_ms() + 10000;
	while ((lines = sys_srvlog(fx.log, srv.port[0], BIG_PAYLOAD, want,
	    &match)) == 0 && sys_left_ms(deadline) > 0)
		sys_sleep_ms(STEP_MS);
	ck_assert_msg(lines >= 1, "testsrv logged no connection");
	ck_assert_msg(match == lines, "%zu of %zu connections did not carry "
	    "all 1048576 bytes", lines - match, lines);
}
END_TEST

/* 3. peeraddr reports who answered, in JSON and in the status line. */
START_TEST(test_peeraddr)
{
	static const char *const v6opts[] = { "-b", "::1", NULL };
	struct sys_srv srv, srv6;
	char peer[64], peer6[64], *line;
	json_t *st;
	int v6;

	srv_start(&srv, NULL, 1, NULL);
	v6 = sys_testsrv(&srv6, v6opts, 1, NULL) == 0;
	if (!v6)
		fprintf(stderr, "test_peeraddr: no ::1 here, IPv4 only\n");
	if (v6)
		sys_write_filef(fx.conf, "targets = (\n"
		    "  { name = \"p4\"; host = \"127.0.0.1\"; port = %u; "
		    "interval = 0.2; },\n"
		    "  { name = \"p6\"; host = \"::1\"; port = %u; "
		    "interval = 0.2; }\n);\n", srv.port[0], srv6.port[0]);
	else
		sys_write_filef(fx.conf, "targets = (\n"
		    "  { name = \"p4\"; host = \"127.0.0.1\"; port = %u; "
		    "interval = 0.2; }\n);\n", srv.port[0]);
	sys_fx_futd(&fx);

	snprintf(peer, sizeof(peer), "127.0.0.1:%u", srv.port[0]);
	st = wait_target("p4", "ok", 1, 2000);
	ck_assert_str_eq(sys_jstr(sys_target_get(st, "p4"), "probe"), "peeraddr");
	ck_assert_str_eq(sys_jstr(sys_target_get(st, "p4"), "state"), "up");
	ck_assert_pstr_eq(sys_jstr(sys_target_get(st, "p4"), "peer"), peer);
	json_decref(st);
	line = status_text_line("p4");
	ck_assert_msg(strstr(line, " up ") != NULL, "not up: %s", line);
	ck_assert_msg(strstr(line, peer) != NULL, "no %s in: %s", peer, line);
	free(line);

	if (!v6)
		return;
	snprintf(peer6, sizeof(peer6), "[::1]:%u", srv6.port[0]);
	st = wait_target("p6", "ok", 1, 2000);
	ck_assert_pstr_eq(sys_jstr(sys_target_get(st, "p6"), "peer"), peer6);
	json_decref(st);
	line = status_text_line("p6");
	ck_assert_msg(strstr(line, peer6) != NULL, "no %s in: %s", peer6,
	    line);
	free(line);
}
END_TEST

/* 4. Nothing listens: down, "Connection refused". */
START_TEST(test_refused)
{
	unsigned port;
	char *line;
	json_t *st, *t;
	int fd;

	ck_assert(sys_bound_port(&fd, &port) == 0);
	sys_fx_fd(&fx, fd);
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"closed\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.2; timeout = 1; }\n);\n", port);
	sys_fx_futd(&fx);

	st = wait_target("closed", "failed", 1, 2000);
	t = sys_target_get(st, "closed");
	ck_assert_str_eq(sys_jstr(t, "state"), "down");
	ck_assert_pstr_eq(sys_jstr(t, "last_error"), "Connection refused");
	ck_assert_pstr_eq(sys_jstr(t, "error"), "refused");
	ck_assert_int_eq(sys_jint(t, "ok"), 0);
	json_decref(st);

	line = status_text_line("closed");
	ck_assert_msg(strstr(line, " down ") != NULL, "not down: %s", line);
	ck_assert_msg(strstr(line, "Connection refused") != NULL,
	    "no \"Connection refused\" in: %s", line);
	free(line);
}
END_TEST

/*
 * 5. A server that never accepts: connect_timeout, right at the deadline:
 * the reported latency is the timeout, never less, and not much more.
 *
 * Whether a deadline fires early depends on when futd's loop wakes up, and
 * futctl requests wake it at any moment; so this looks at every result of
 * HANG_TARGETS targets (history) while a script keeps asking for status,
 * as monitoring does.
 */
#define HANG_TARGETS	10
#define HANG_TIMEOUT_US	300000
#define HANG_MARGIN_US	150000

START_TEST(test_connect_timeout)
{
	static const char *const noaccept[] = { "-m", "noaccept", NULL };
	struct sys_srv srv;
	char *conf = NULL, name[16];
	size_t len = 0, i, k, n = 0;
	uint64_t deadline;
	json_t *st, *j, *t, *h, *r;
	long long us;
	FILE *f;

	srv_start(&srv, noaccept, 1, NULL);
	ck_assert((f = open_memstream(&conf, &len)) != NULL);
	fprintf(f, "targets = (");
	for (i = 0; i < HANG_TARGETS; i++)
		fprintf(f, "%s\n  { name = \"hang%zu\"; host = \"127.0.0.1\"; "
		    "port = %u; interval = 0.35; timeout = 0.3; }",
		    i > 0 ? "," : "", i, srv.port[0]);
	fprintf(f, "\n);\n");
	ck_assert(fclose(f) == 0);
	ck_assert(sys_write_file(fx.conf, conf, len) == 0);
	free(conf);
	sys_fx_futd(&fx);

	deadline = sys_now_ms() + 1200;
	while (sys_left_ms(deadline) > 0)
		json_decref(sys_status_get(fx.sock));

	st = sys_status_get(fx.sock);
	for (i = 0; i < HANG_TARGETS; i++) {
		snprintf(name, sizeof(name), "hang%zu", i);
		t = sys_target_get(st, name);
		ck_assert_msg(sys_jint(t, "failed") >= 1, "%s: no result", name);
		ck_assert_int_eq(sys_jint(t, "ok"), 0);
		ck_assert_str_eq(sys_jstr(t, "state"), "down");
		ck_assert_pstr_eq(sys_jstr(t, "error"), "connect_timeout");

		j = sys_futctl_json(fx.sock, "show", name);
		ck_assert(j != NULL);
		h = json_object_get(json_object_get(j, "target"), "history");
		json_array_foreach(h, k, r) {
			ck_assert_pstr_eq(sys_jstr(r, "error"), "connect_timeout");
			us = sys_jint(r, "latency_us");
			ck_assert_msg(us >= HANG_TIMEOUT_US &&
			    us < HANG_TIMEOUT_US + HANG_MARGIN_US,
			    "%s: timed out after %lld us, the timeout is %d us",
			    name, us, HANG_TIMEOUT_US);
			n++;
		}
		json_decref(j);
	}
	json_decref(st);
	ck_assert_msg(n >= 2 * HANG_TARGETS, "only %zu results", n);
}
END_TEST

/*
 * 6. 200 targets at 20 probes a second each, on one reactor.  One more
 * target, "stall", points at a server that never accepts (1.5 s timeout,
 * always in flight): a daemon that probed one target after the other would
 * sit in its connect and could not give the others 20 probes in ~2 s.
 */
START_TEST(test_many_targets)
{
	static const char *const noaccept[] = { "-m", "noaccept", NULL };
	struct sys_srv srv, stall;
	char *conf = NULL, name[16];
	size_t len = 0, i;
	uint64_t t0, deadline;
	long long min = 0;
	json_t *st = NULL, *t;
	FILE *f;

	srv_start(&srv, NULL, MANY_PORTS, NULL);
	srv_start(&stall, noaccept, 1, NULL);
	ck_assert((f = open_memstream(&conf, &len)) != NULL);
	fprintf(f, "history = 4;\n"
	    "defaults = { interval = 0.05; timeout = 3; };\n"
	    "targets = (\n"
	    "  { name = \"stall\"; host = \"127.0.0.1\"; port = %u; "
	    "timeout = 1.5; }", stall.port[0]);
	for (i = 0; i < MANY_TARGETS; i++)
		fprintf(f, ",\n  { name = \"t%03zu\"; host = \"127.0.0.1\"; "
		    "port = %u; probe = \"hello\"; }", i,
		    srv.port[i % MANY_PORTS]);
	fprintf(f, "\n);\n");
	ck_assert(fclose(f) == 0);
	ck_assert(sys_write_file(fx.conf, conf, len) == 0);
	free(conf);

	sys_fx_futd(&fx);
	t0 = sys_now_ms();
	deadline = t0 + MANY_WAIT_MS;
	do {
		json_decref(st);
		sys_sleep_ms(200);
		st = sys_status_get(fx.sock);
		min = LLONG_MAX;
		for (i = 0; i < MANY_TARGETS; i++) {
			snprintf(name, sizeof(name), "t%03zu", i);
			t = sys_target_get(st, name);
			ck_assert_msg(t != NULL, "target %s missing", name);
			if (sys_jint(t, "ok") < min)
				min = sys_jint(t, "ok");
		}
	} while (min < MANY_MIN_OK && sys_left_ms(deadline) > 0);

	for (i = 0; i < MANY_TARGETS; i++) {
		snprintf(name, sizeof(name), "t%03zu", i);
		t = sys_target_get(st, name);
		ck_assert_msg(sys_jint(t, "ok") >= MANY_MIN_OK, "target %s: only "
		    "%lld ok probes in %llu ms", name, sys_jint(t, "ok"),
		    (unsigned long long)(sys_now_ms() - t0));
		ck_assert_msg(sys_jint(t, "failed") == 0, "target %s: %lld failed "
		    "(%s)", name, sys_jint(t, "failed"), sys_jstr(t, "last_error"));
	}
	ck_assert_int_eq(sys_jint(sys_target_get(st, "stall"), "ok"), 0);
	json_decref(st);

	ck_assert_msg(sys_proc_threads(fx.futd) == 1, "futd runs %zu threads",
	    sys_proc_threads(fx.futd));
	ck_assert_msg(sys_proc_children(fx.futd) == 0, "futd has %zu child "
	    "processes", sys_proc_children(fx.futd));
}
END_TEST

/* 7. No targets: said in words, and an empty list in JSON. */
START_TEST(test_empty)
{
	struct sys_out out;
	json_t *st;

	sys_write_filef(fx.conf, "# nothing to probe\ntargets = ();\n");
	sys_fx_futd(&fx);

	ck_assert_int_eq(sys_futctl(&out, fx.sock, "status", (char *)NULL), 0);
	ck_assert_str_eq(out.out, "no targets configured\n");
	sys_out_free(&out);

	st = sys_futctl_json(fx.sock, "status", NULL);
	ck_assert(st != NULL);
	ck_assert_int_eq(sys_jint(st, "schema"), 1);
	ck_assert(json_is_array(json_object_get(st, "targets")));
	ck_assert_int_eq(json_array_size(json_object_get(st, "targets")), 0);
	json_decref(st);
}
END_TEST

/* 8. No futd there: exit 3, and the message names the socket. */
START_TEST(test_unreachable)
{
	char absent[PATH_MAX], stale[PATH_MAX], env[PATH_MAX + 16], bin[PATH_MAX];
	const char *envp[] = { env, NULL };
	const char *argv[] = { bin, "status", NULL };
	struct sys_out out;
	int fd;

	sys_path_in(absent, sizeof(absent), fx.dir, "absent.sock");
	ck_assert_int_eq(sys_futctl(&out, absent, "ping", (char *)NULL), 3);
	ck_assert_msg(strstr(out.err, absent) != NULL, "no socket path in: %s",
	    out.err);
	ck_assert_str_eq(out.out, "");
	sys_out_free(&out);

	ck_assert_int_eq(sys_futctl(&out, absent, "--json", "status",
	    (char *)NULL), 3);
	ck_assert_msg(strstr(out.err, absent) != NULL, "no socket path in: %s",
	    out.err);
	sys_out_free(&out);

	/* a socket file left behind, nobody listening: refused */
	sys_path_in(stale, sizeof(stale), fx.dir, "stale.sock");
	fd = sys_notify_open(stale);
	ck_assert(fd != -1);
	close(fd);
	ck_assert_int_eq(sys_futctl(&out, stale, "ping", (char *)NULL), 3);
	ck_assert_msg(strstr(out.err, stale) != NULL, "no socket path in: %s",
	    out.err);
	sys_out_free(&out);

	/* $FUTD_SOCKET when there is no -s */
	snprintf(env, sizeof(env), "FUTD_SOCKET=%s", absent);
	sys_bin(bin, sizeof(bin), "futctl");
	ck_assert_int_eq(sys_run(argv, envp, SYS_RUN_MS, &out), 3);
	ck_assert_msg(strstr(out.err, absent) != NULL, "no socket path in: %s",
	    out.err);
	sys_out_free(&out);
}
END_TEST

/* 9. show NAME, show of an unknown name, and usage errors. */
START_TEST(test_show_and_usage)
{
	struct sys_srv srv;
	struct sys_out out;
	char target[64];
	json_t *j, *t, *h;

	srv_start(&srv, NULL, 1, NULL);
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"web\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; interval = 0.1; },\n"
	    "  { name = \"db\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; }\n);\n", srv.port[0], srv.port[0]);
	sys_fx_futd(&fx);
	json_decref(wait_target("web", "ok", 2, 2000));

	snprintf(target, sizeof(target), "target:      127.0.0.1:%u",
	    srv.port[0]);
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "show", "web",
	    (char *)NULL), 0);
	ck_assert_msg(strstr(out.out, "name:        web\n") != NULL &&
	    strstr(out.out, "probe:       hello\n") != NULL &&
	    strstr(out.out, target) != NULL &&
	    strstr(out.out, "state:       up\n") != NULL &&
	    strstr(out.out, "TIME") != NULL, "show web:\n%s", out.out);
	ck_assert_msg(strstr(out.out, "db") == NULL, "show web shows db:\n%s",
	    out.out);
	sys_out_free(&out);

	j = sys_futctl_json(fx.sock, "show", "web");
	ck_assert(j != NULL);
	ck_assert_int_eq(sys_jint(j, "schema"), 1);
	t = json_object_get(j, "target");
	ck_assert_pstr_eq(sys_jstr(t, "name"), "web");
	h = json_object_get(t, "history");
	ck_assert_msg(json_array_size(h) >= 2, "history of %zu results",
	    json_array_size(h));
	ck_assert(json_is_true(json_object_get(json_array_get(h, 0), "ok")));
	json_decref(j);

	ck_assert_int_eq(sys_futctl(&out, fx.sock, "show", "nope",
	    (char *)NULL), 1);
	ck_assert_msg(strstr(out.err, "no such target") != NULL, "stderr: %s",
	    out.err);
	ck_assert_str_eq(out.out, "");
	sys_out_free(&out);

	ck_assert_int_eq(sys_futctl(&out, fx.sock, "--json", "show", "nope",
	    (char *)NULL), 1);
	j = json_loads(out.out, 0, NULL);
	ck_assert_msg(j != NULL, "--json show nope: %s", out.out);
	ck_assert_int_eq(sys_jint(json_object_get(j, "error"), "code"),
	    PROTO_NOT_FOUND);
	json_decref(j);
	sys_out_free(&out);

	ck_assert_int_eq(sys_futctl(&out, fx.sock, "frob", (char *)NULL), 2);
	ck_assert_msg(strstr(out.err, "usage:") != NULL &&
	    strstr(out.err, "frob") != NULL, "stderr: %s", out.err);
	sys_out_free(&out);
	ck_assert_int_eq(sys_futctl(&out, fx.sock, (char *)NULL), 2);
	ck_assert_msg(strstr(out.err, "usage:") != NULL, "stderr: %s",
	    out.err);
	sys_out_free(&out);
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "show", (char *)NULL), 2);
	sys_out_free(&out);
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "ping", "extra",
	    (char *)NULL), 2);
	sys_out_free(&out);
}
END_TEST

/* One reply line on fd: a JSON object of protocol 1 with this code. */
static json_t *
reply_expect(int fd, int code, const char *what)
{
	json_error_t jerr;
	json_t *j;
	char *line;

	line = sys_read_line(fd, 2000);
	ck_assert_msg(line != NULL, "%s: no reply line (expected %d)", what,
	    code);
	j = json_loads(line, 0, &jerr);
	ck_assert_msg(json_is_object(j), "%s: reply is not a JSON object: %s",
	    what, line);
	ck_assert_msg(sys_jint(j, "code") == code, "%s: expected %d, got %s", what,
	    code, line);
	ck_assert_msg(sys_jint(j, "version") == FUTD_PROTO_VERSION, "%s: %s", what,
	    line);
	ck_assert_msg(sys_jstr(j, "message") != NULL, "%s: %s", what, line);
	free(line);
	return j;
}

static int
raw_open(void)
{
	return sys_fx_fd(&fx, sys_unix_connect(fx.sock));
}

static void
raw_send(int fd, const void *buf, size_t len)
{
	ck_assert_msg(sys_send_all(fd, buf, len) == 0, "send: %s",
	    strerror(errno));
}

/* 10. The control socket copes with what clients send. */
START_TEST(test_control_raw)
{
	static const char binary[] = "futd/1 \x01\x02\xfe\xff status\n";
	struct sys_srv srv;
	char big[5000];
	int fd, cl[50], half;
	long long before;
	uint64_t t0;
	size_t i;
	json_t *j, *st;

	srv_start(&srv, NULL, 1, NULL);
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"h\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; interval = 0.05; }\n);\n", srv.port[0]);
	sys_fx_futd(&fx);

	/* errors that leave the connection usable */
	fd = raw_open();
	raw_send(fd, "hello there\n", 12);
	json_decref(reply_expect(fd, PROTO_BAD_REQUEST, "malformed"));
	raw_send(fd, "futd/9 status\n", 14);
	json_decref(reply_expect(fd, PROTO_BAD_VERSION, "futd/9"));
	raw_send(fd, "futd/1 ping\n", 12);
	j = reply_expect(fd, PROTO_OK, "ping after errors");
	ck_assert(json_is_true(json_object_get(json_object_get(j, "data"),
	    "pong")));
	json_decref(j);

	/* too long: 413, then futd hangs up */
	fd = raw_open();
	memset(big, 'a', sizeof(big));
	raw_send(fd, big, sizeof(big));
	json_decref(reply_expect(fd, PROTO_TOO_LONG, "5000 bytes"));
	ck_assert_msg(sys_wait_closed(fd, 2000), "still open after 413");

	/* binary */
	fd = raw_open();
	raw_send(fd, binary, sizeof(binary) - 1);
	json_decref(reply_expect(fd, PROTO_BAD_REQUEST, "binary"));

	/* 50 at once */
	for (i = 0; i < 50; i++)
		cl[i] = raw_open();
	for (i = 0; i < 50; i++)
		raw_send(cl[i], "futd/1 ping\n", 12);
	for (i = 0; i < 50; i++) {
		j = reply_expect(cl[i], PROTO_OK, "one of 50");
		ck_assert(json_is_true(json_object_get(json_object_get(j,
		    "data"), "pong")));
		json_decref(j);
	}

	/* a client that says nothing, one that stops mid-line */
	raw_open();
	half = raw_open();
	raw_send(half, "futd/1 sta", 10);
	t0 = sys_now_ms();
	ck_assert_int_eq(sys_futctl(NULL, fx.sock, "status", (char *)NULL), 0);
	ck_assert_msg(sys_now_ms() - t0 < 2000, "status took %llu ms",
	    (unsigned long long)(sys_now_ms() - t0));

	/* and after all that, futd answers and still probes */
	ck_assert_int_eq(sys_futctl(NULL, fx.sock, "ping", (char *)NULL), 0);
	st = sys_status_get(fx.sock);
	before = sys_jint(sys_target_get(st, "h"), "ok");
	json_decref(st);
	json_decref(wait_target("h", "ok", before + 3, 2000));
	ck_assert_int_eq(sys_proc_threads(fx.futd), 1);
}
END_TEST

/*
 * 10a. A status bigger than the socket takes (slices printed, sent straight
 * to the socket or left in the output buffer), to a client that does not
 * read at first, then reads slowly: the whole reply, in order, valid JSON,
 * and the request behind it answered after it.  futd answers others
 * meanwhile.
 */
#define STREAM_TARGETS	30000
#define STREAM_MAX	(64 * 1024 * 1024)

/* Everything fd sends up to its second '\n'; chunk: bytes a read. */
static char *
stream_read(int fd, size_t chunk, size_t *len)
{
	char *buf = malloc(STREAM_MAX), *p;
	size_t n = 0, lines = 0;
	uint64_t deadline = sys_now_ms() + 20000;
	ssize_t r;

	ck_assert(buf != NULL);
	while (lines < 2 && sys_left_ms(deadline) > 0) {
		ck_assert(n + chunk < STREAM_MAX);
		r = recv(fd, buf + n, chunk, 0);
		if (r == -1 && errno == EINTR)
			continue;
		ck_assert_msg(r > 0, "status reply cut short after %zu bytes",
		    n);
		for (p = buf + n; p < buf + n + r; p++)
			lines += *p == '\n';
		n += (size_t)r;
		if (n < 1024 * 1024)	/* slowly at first */
			sys_sleep_ms(1);
	}
	ck_assert_msg(lines >= 2, "no second reply after %zu bytes", n);
	*len = n;
	return buf;
}

START_TEST(test_control_stream)
{
	static const char req[] = "futd/1 status\nfutd/1 ping\n";
	struct sys_srv srv;
	json_error_t jerr;
	json_t *j, *list, *t;
	char *conf = NULL, *buf, *nl, name[32];
	size_t len = 0, i;
	uint64_t t0;
	FILE *f;
	int fd;

	srv_start(&srv, NULL, 1, NULL);
	ck_assert((f = open_memstream(&conf, &len)) != NULL);
	fprintf(f, "targets = (");
	for (i = 0; i < STREAM_TARGETS; i++)
		fprintf(f, "%s\n  { name = \"s%05zu\"; host = \"127.0.0.1\"; "
		    "port = %u; interval = 3600; }", i > 0 ? "," : "", i,
		    srv.port[0]);
	fprintf(f, "\n);\n");
	ck_assert(fclose(f) == 0);
	ck_assert(sys_write_file(fx.conf, conf, len) == 0);
	free(conf);
	sys_fx_futd(&fx);

	fd = raw_open();
	raw_send(fd, req, sizeof(req) - 1);
	sys_sleep_ms(300);		/* the socket fills, futd waits */
	t0 = sys_now_ms();
	ck_assert_int_eq(sys_futctl(NULL, fx.sock, "ping", (char *)NULL), 0);
	ck_assert_msg(sys_now_ms() - t0 < 1000, "ping took %llu ms behind a "
	    "stalled status", (unsigned long long)(sys_now_ms() - t0));

	buf = stream_read(fd, 4096, &len);
	ck_assert((nl = memchr(buf, '\n', len)) != NULL);
	j = json_loadb(buf, (size_t)(nl - buf), 0, &jerr);
	ck_assert_msg(j != NULL, "status reply of %zu bytes: %s at %d",
	    (size_t)(nl - buf), jerr.text, jerr.position);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "code")), 200);
	list = json_object_get(json_object_get(j, "data"), "targets");
	ck_assert_int_eq(json_array_size(list), STREAM_TARGETS);
	json_array_foreach(list, i, t) {
		snprintf(name, sizeof(name), "s%05zu", i);
		if (strcmp(sys_jstr(t, "name"), name) != 0)
			ck_abort_msg("target %zu is %s", i, sys_jstr(t, "name"));
	}
	json_decref(j);
	/* and the ping behind it */
	j = json_loadb(nl + 1, len - (size_t)(nl + 1 - buf), 0, &jerr);
	ck_assert_msg(j != NULL, "ping reply: %s", jerr.text);
	ck_assert(json_is_true(json_object_get(json_object_get(j, "data"),
	    "pong")));
	json_decref(j);
	free(buf);
}
END_TEST

/*
 * 10b. proto.h: "The server closes the connection after an error reply
 * for a request it could not frame (too long, binary)."
 */
/*
 * The corpus of malformed requests (tests/data/requests, with the reply
 * each must get in index.txt), sent to a live futd by
 * fuzz/requests_check.py; futd must still answer afterwards.
 */
START_TEST(test_request_corpus)
{
	const char *src = getenv("FUTD_SRCDIR") != NULL ?
	    getenv("FUTD_SRCDIR") : ".";
	char script[PATH_MAX], dir[PATH_MAX];
	const char *argv[] = { "python3", script, fx.sock, dir, NULL };
	const char *env[] = { "QUIET=0.2", NULL };
	struct sys_out out;

	snprintf(script, sizeof(script), "%s/fuzz/requests_check.py", src);
	snprintf(dir, sizeof(dir), "%s/tests/data/requests", src);
	if (access(script, R_OK) == -1 || system("python3 -c '' 2>/dev/null")
	    != 0) {
		fprintf(stderr, "test_request_corpus: SKIPPED: python3 or %s "
		    "missing\n", script);
		return;
	}
	sys_write_filef(fx.conf, "targets = ( { name = \"c\"; host = "
	    "\"127.0.0.1\"; port = 1; interval = 0.2; } );\n");
	sys_fx_futd(&fx);
	ck_assert_int_eq(sys_run(argv, env, 60000, &out), 0);
	ck_assert_msg(out.status == 0, "the request corpus: %s%s", out.out,
	    out.err);
	sys_out_free(&out);
	ck_assert_msg(sys_futctl(&out, fx.sock, "ping", (char *)NULL) == 0,
	    "futd no longer answers after the corpus: %s", out.err);
	sys_out_free(&out);
}
END_TEST

START_TEST(test_control_binary_closes)
{
	static const char binary[] = "\x01\x02\xfe\xff\n";
	int fd;

	sys_write_filef(fx.conf, "targets = ();\n");
	sys_fx_futd(&fx);
	fd = raw_open();
	raw_send(fd, binary, sizeof(binary) - 1);
	json_decref(reply_expect(fd, PROTO_BAD_REQUEST, "binary"));
	ck_assert_msg(sys_wait_closed(fd, 1000), "futd kept the connection "
	    "open after a binary request (proto.h says it closes it)");
	ck_assert_int_eq(sys_futctl(NULL, fx.sock, "ping", (char *)NULL), 0);
}
END_TEST

/*
 * 11. The control socket is rw for owner and group only.  SIGTERM stops
 * futd at once though a probe is in flight ("pending44" connects to a
 * server that never accepts, under an 8 s deadline), removes the socket,
 * and leaves no connection open at the server.
 */
START_TEST(test_socket_and_stop)
{
	static const char *const noaccept[] = { "-m", "noaccept", NULL };
	struct sys_srv srv, hang;
	struct stat sb;
	size_t base_fds, lines, hellos, empty, plines, pempty, again;
	long long ok_hello, ok_peer;
	uint64_t t0, took, deadline;
	json_t *st, *t;
	int status;

	srv_start(&srv, NULL, 2, fx.log);
	srv_start(&hang, noaccept, 1, NULL);
	base_fds = sys_proc_fds(srv.pid);
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"hello\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; interval = 0.05; },\n"
	    "  { name = \"peer\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.05; },\n"
	    "  { name = \"pending44\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 10; timeout = 8; }\n);\n",
	    srv.port[0], srv.port[1], hang.port[0]);
	sys_fx_futd(&fx);

	ck_assert_msg(stat(fx.sock, &sb) == 0, "stat %s: %s", fx.sock,
	    strerror(errno));
	ck_assert(S_ISSOCK(sb.st_mode));
	ck_assert_msg((sb.st_mode & 07777) == 0660, "socket mode %04o",
	    (unsigned)(sb.st_mode & 07777));

	json_decref(wait_target("hello", "ok", 3, 2000));
	json_decref(wait_target("peer", "ok", 3, 2000));
	st = wait_target("pending44", "probes", 1, 10000 + 1000);
	t = sys_target_get(st, "pending44");
	ck_assert_msg(tval(t, "done") == 0, "the probe that never connects "
	    "ended: %s", sys_jstr(t, "last_error"));
	ok_hello = sys_jint(sys_target_get(st, "hello"), "ok");
	ok_peer = sys_jint(sys_target_get(st, "peer"), "ok");
	json_decref(st);

	t0 = sys_now_ms();
	ck_assert(kill(fx.futd, SIGTERM) == 0);
	ck_assert_msg(sys_wait(fx.futd, 2000, &status) == 0,
	    "futd still runs 2 s after SIGTERM");
	took = sys_now_ms() - t0;
	fx.futd = -1;
	ck_assert_msg(status == 0, "futd exited with %d", status);
	ck_assert_msg(took < 1000, "futd took %llu ms to stop",
	    (unsigned long long)took);
	ck_assert_msg(access(fx.sock, F_OK) == -1 && errno == ENOENT,
	    "control socket %s left behind", fx.sock);

	/* every connection futd made has ended: testsrv is back to its fds */
	deadline = sys_now_ms() + 2000;
	while (sys_proc_fds(srv.pid) > base_fds && sys_left_ms(deadline) > 0)
		sys_sleep_ms(10);
	ck_assert_msg(sys_proc_fds(srv.pid) == base_fds, "testsrv holds %zu "
	    "descriptors, %zu before futd", sys_proc_fds(srv.pid), base_fds);
	sys_sleep_ms(LOG_SETTLE_MS);
	lines = sys_srvlog(fx.log, srv.port[0], 11, "hello world", &hellos);
	sys_srvlog(fx.log, srv.port[0], 0, "", &empty);
	plines = sys_srvlog(fx.log, srv.port[1], 0, "", &pempty);
	sys_sleep_ms(100);
	again = sys_srvlog(fx.log, srv.port[0], -1, NULL, NULL) +
	    sys_srvlog(fx.log, srv.port[1], -1, NULL, NULL);
	ck_assert_msg(again == lines + plines, "connections still ending");

	/*
	 * Whole hellos only; a probe cancelled between its connect and its
	 * write may leave one empty connection, never half a payload.
	 */
	ck_assert_msg(lines == hellos + empty && empty <= 1, "hello port: %zu "
	    "connections, %zu whole hellos, %zu empty", lines, hellos, empty);
	ck_assert_msg((long long)hellos >= ok_hello, "%zu hellos logged, "
	    "futd had counted %lld", hellos, ok_hello);
	ck_assert_msg(plines == pempty && (long long)plines >= ok_peer,
	    "peeraddr port: %zu connections, %zu empty, %lld ok", plines,
	    pempty, ok_peer);
}
END_TEST

/* 12. futd -n: "configuration OK", or every error as FILE:LINE. */
START_TEST(test_config_check)
{
	char bin[PATH_MAX], bad[PATH_MAX], missing[PATH_MAX], want[PATH_MAX + 64];
	const char *argv[] = { bin, "-n", "-f", fx.conf, NULL };
	const char *run[] = { bin, "-f", bad, "-s", fx.sock, NULL };
	struct sys_out out;

	sys_bin(bin, sizeof(bin), "futd");
	sys_write_filef(fx.conf, "history = 8;\n"
	    "defaults = { interval = 1.5; timeout = 0.5; };\n"
	    "targets = (\n"
	    "  { name = \"a\"; host = \"127.0.0.1\"; port = 1; },\n"
	    "  { name = \"b\"; host = \"::1\"; port = 2; probe = \"hello\"; "
	    "payload = \"hi\"; }\n);\n");
	ck_assert_int_eq(sys_run(argv, NULL, SYS_RUN_MS, &out), 0);
	ck_assert_msg(strstr(out.out, "configuration OK") != NULL, "stdout: "
	    "%s", out.out);
	sys_out_free(&out);

	sys_path_in(bad, sizeof(bad), fx.dir, "bad.conf");
	sys_write_filef(bad, "targets = (\n"
	    "  { name = \"a\"; host = \"127.0.0.1\"; port = 1; },\n"
	    "  { name = \"b\"; host = \"127.0.0.1\"; port = 70000; },\n"
	    "  { name = \"c\"; host = \"127.0.0.1\"; port = 2;\n"
	    "    probe = \"ping\"; }\n"
	    ");\n");
	argv[3] = bad;
	ck_assert_int_eq(sys_run(argv, NULL, SYS_RUN_MS, &out), 1);
	snprintf(want, sizeof(want), "%s:3: port 70000 out of range", bad);
	ck_assert_msg(strstr(out.err, want) != NULL, "no \"%s\" in:\n%s", want,
	    out.err);
	snprintf(want, sizeof(want), "%s:5: unknown probe \"ping\"", bad);
	ck_assert_msg(strstr(out.err, want) != NULL, "no \"%s\" in:\n%s", want,
	    out.err);
	ck_assert_msg(strstr(out.out, "configuration OK") == NULL, "stdout: "
	    "%s", out.out);
	sys_out_free(&out);

	sys_path_in(missing, sizeof(missing), fx.dir, "missing.conf");
	argv[3] = missing;
	ck_assert_int_eq(sys_run(argv, NULL, SYS_RUN_MS, &out), 1);
	ck_assert_msg(strstr(out.err, "cannot open") != NULL &&
	    strstr(out.err, missing) != NULL, "stderr: %s", out.err);
	sys_out_free(&out);

	/* without -n, a bad config never gets as far as the socket */
	ck_assert_int_eq(sys_run(run, NULL, SYS_RUN_MS, &out), 1);
	ck_assert_msg(access(fx.sock, F_OK) == -1, "futd made its socket "
	    "with a bad config");
	sys_out_free(&out);
}
END_TEST

/* The names in a status, comma-separated, for messages and comparisons. */
static void
names_of(const json_t *st, char *buf, size_t len)
{
	const json_t *t;
	size_t i, off = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(st, "targets"), i, t)
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    i > 0 ? "," : "", sys_jstr(t, "name"));
}

/* Count how often needle occurs in file path. */
static size_t
file_count(const char *path, const char *needle)
{
	char *buf = sys_read_file(path, NULL), *p;
	size_t n = 0;

	for (p = buf; p != NULL && (p = strstr(p, needle)) != NULL; p++)
		n++;
	free(buf);
	return n;
}

/*
 * The targets of before, each of them still there with probes and ok not
 * lower (a restarted target starts again from 0) and the same "since".
 */
static void
assert_kept(const json_t *before, const json_t *after, const char *when)
{
	const json_t *b, *a;
	size_t i;

	json_array_foreach(json_object_get(before, "targets"), i, b) {
		a = sys_target_get(after, sys_jstr(b, "name"));
		ck_assert_msg(a != NULL, "%s: target %s gone", when,
		    sys_jstr(b, "name"));
		ck_assert_msg(sys_jint(a, "probes") >= sys_jint(b, "probes") &&
		    sys_jint(a, "ok") >= sys_jint(b, "ok"),
		    "%s: target %s restarted (probes %lld -> %lld)", when,
		    sys_jstr(b, "name"), sys_jint(b, "probes"),
		    sys_jint(a, "probes"));
		ck_assert_msg(json_equal(json_object_get(a, "since"),
		    json_object_get(b, "since")), "%s: target %s: since "
		    "changed", when, sys_jstr(b, "name"));
	}
}

/* 13. Reload by futctl and SIGHUP: good configs apply, bad ones change nothing. */
START_TEST(test_reload)
{
	struct sys_srv srv;
	struct sys_out out;
	char names[256], want[PATH_MAX + 64];
	uint64_t deadline;
	json_t *s0, *s1;
	unsigned p;

	srv_start(&srv, NULL, 1, NULL);
	p = srv.port[0];
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"keep\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; interval = 0.05; },\n"
	    "  { name = \"gone\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.05; }\n);\n", p, p);
	sys_fx_futd(&fx);
	s0 = wait_target("keep", "probes", 5, 2000);
	ck_assert(sys_target_get(s0, "gone") != NULL);

	/* 1: futctl reload, one kept, one removed, one added */
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"keep\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; interval = 0.05; },\n"
	    "  { name = \"added\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.05; }\n);\n", p, p);
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "reload", (char *)NULL), 0);
	ck_assert_msg(strstr(out.out, "added: added\n") != NULL &&
	    strstr(out.out, "removed: gone\n") != NULL &&
	    strstr(out.out, "unchanged: 1\n") != NULL, "futctl reload said:\n%s",
	    out.out);
	sys_out_free(&out);
	s1 = sys_status_get(fx.sock);
	names_of(s1, names, sizeof(names));
	ck_assert_str_eq(names, "added,keep");
	ck_assert_msg(sys_jint(sys_target_get(s1, "keep"), "probes") >=
	    sys_jint(sys_target_get(s0, "keep"), "probes"), "keep restarted");
	ck_assert(json_equal(json_object_get(sys_target_get(s1, "keep"), "since"),
	    json_object_get(sys_target_get(s0, "keep"), "since")));
	json_decref(s0);
	json_decref(s1);
	s0 = wait_target("added", "probes", 3, 2000);

	/* 2: SIGHUP, one more */
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"keep\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; interval = 0.05; },\n"
	    "  { name = \"added\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.05; },\n"
	    "  { name = \"third\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.05; }\n);\n", p, p, p);
	ck_assert(kill(fx.futd, SIGHUP) == 0);
	s1 = wait_target("third", "probes", 1, 2000);
	names_of(s1, names, sizeof(names));
	ck_assert_str_eq(names, "added,keep,third");
	assert_kept(s0, s1, "SIGHUP");
	json_decref(s0);
	json_decref(s1);

	/* 3: a bad config by futctl: exit 1, the error, nothing changes */
	s0 = sys_status_get(fx.sock);
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"keep\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; interval = 0.05; },\n"
	    "  { name = \"added\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.05; },\n"
	    "  { name = \"third\"; host = \"127.0.0.1\"; port = 70000; "
	    "interval = 0.05; }\n);\n", p, p);
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "reload", (char *)NULL), 1);
	snprintf(want, sizeof(want), "%s:4: port 70000 out of range",
	    fx.conf);
	ck_assert_msg(strstr(out.err, "reload failed") != NULL &&
	    strstr(out.err, want) != NULL, "futctl reload said:\n%s%s",
	    out.out, out.err);
	sys_out_free(&out);
	s1 = wait_target("third", "probes", sys_jint(sys_target_get(s0, "third"),
	    "probes") + 2, 2000);
	names_of(s1, names, sizeof(names));
	ck_assert_str_eq(names, "added,keep,third");
	assert_kept(s0, s1, "bad futctl reload");
	json_decref(s0);
	json_decref(s1);

	/* 4: the same bad config by SIGHUP: futd lives on, unchanged */
	s0 = sys_status_get(fx.sock);
	ck_assert(kill(fx.futd, SIGHUP) == 0);
	deadline = sys_now_ms() + 2000;
	while (file_count(fx.err, "reload failed") < 2 &&
	    sys_left_ms(deadline) > 0)
		sys_sleep_ms(STEP_MS);
	ck_assert_msg(file_count(fx.err, "reload failed") >= 2,
	    "futd did not log the failed SIGHUP reload");
	/* no probe's class for it: "error=error" said nothing */
	ck_assert_msg(file_count(fx.err, "event=reload message=\"reload "
	    "failed") >= 2 && file_count(fx.err, "error=error") == 0,
	    "the failed reload's line is not event=reload message=...");
	s1 = wait_target("keep", "probes", sys_jint(sys_target_get(s0, "keep"),
	    "probes") + 2, 2000);
	names_of(s1, names, sizeof(names));
	ck_assert_str_eq(names, "added,keep,third");
	assert_kept(s0, s1, "bad SIGHUP reload");
	json_decref(s0);
	json_decref(s1);
	ck_assert_int_eq(sys_futctl(NULL, fx.sock, "ping", (char *)NULL), 0);
}
END_TEST

/*
 * 13b. A reload reads on a thread of its own: while it parses a big file
 * of targets_dir the daemon answers (a ping sent after the reload is
 * answered first), and the reload is answered once it is applied.
 */
START_TEST(test_reload_reads_aside)
{
	enum { N = 50000 };
	char tdir[PATH_MAX], big[PATH_MAX], *line, *buf, *ping;
	size_t i, len = 0, cap = (size_t)N * 100 + 64;
	struct pollfd pfd;
	int fr, fp;

	ck_assert_ptr_nonnull(buf = malloc(cap));
	sys_path_in(tdir, sizeof(tdir), fx.dir, "targets.d");
	ck_assert_int_eq(mkdir(tdir, 0755), 0);
	sys_path_in(big, sizeof(big), tdir, "big.conf");
	len = (size_t)snprintf(buf, cap, "targets = (\n");
	for (i = 0; i < N; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s{ name = "
		    "\"b%zu\"; host = \"127.0.0.1\"; port = 1; interval = "
		    "3600.0; }\n", i > 0 ? "," : "", i);
	len += (size_t)snprintf(buf + len, cap - len, ");\n");
	ck_assert_int_eq(sys_write_file(big, buf, len), 0);
	sys_write_filef(fx.conf, "targets_dir = \"targets.d\";\n");
	sys_fx_futd(&fx);

	/* one target of the big file changes: the file is read again */
	memcpy(strstr(buf, "port = 1;"), "port = 2;", 9);
	ck_assert_int_eq(sys_write_file(big, buf, len), 0);
	free(buf);
	fr = sys_fx_fd(&fx, sys_unix_connect(fx.sock));
	fp = sys_fx_fd(&fx, sys_unix_connect(fx.sock));
	ck_assert_int_eq(sys_send_all(fr, "futd/1 reload\n", 14), 0);
	ck_assert_int_eq(sys_send_all(fp, "futd/1 ping\n", 12), 0);
	ping = sys_read_line(fp, 5000);
	ck_assert_msg(ping != NULL && strstr(ping, "\"code\":200") != NULL,
	    "ping: %s", ping != NULL ? ping : "no answer");
	pfd.fd = fr;
	pfd.events = POLLIN;
	pfd.revents = 0;
	ck_assert_msg(poll(&pfd, 1, 0) == 0, "the reload of %d targets was "
	    "answered before a ping sent after it: it held the reactor", N);
	line = sys_read_line(fr, 60000);
	ck_assert_msg(line != NULL && strstr(line, "\"code\":200") != NULL &&
	    strstr(line, "\"changed\":[\"b0\"]") != NULL, "reload: %s",
	    line != NULL ? line : "no answer");
	free(ping);
	free(line);
}
END_TEST

/*
 * 14. Under systemd-socket-activate, as futd.socket + futd.service would
 * run it: the control socket is passed in, readiness, status, watchdog,
 * reload and stop are told to NOTIFY_SOCKET, a datagram socket of ours.
 *
 * systemd-socket-activate execs futd in its own process (so the pid we
 * started is futd's, LISTEN_PID matches) on the first connection to the
 * socket; our `futctl ping` is that connection.  WATCHDOG_USEC goes
 * through -E like NOTIFY_SOCKET; WATCHDOG_PID stays unset, and then
 * sd_watchdog_enabled(3) applies it to whoever reads it.
 */
START_TEST(test_systemd)
{
	struct sys_srv srv;
	char nsock[PATH_MAX], unused[PATH_MAX], env1[PATH_MAX + 32];
	char listen[PATH_MAX + 16], bin[PATH_MAX], buf[1024], *p;
	const char *argv[] = {
		"systemd-socket-activate", listen, "--fdname=control", "-E",
		env1, "-E", "WATCHDOG_USEC=200000", bin, "-f", fx.conf, NULL
	};
	unsigned long long mono;
	uint64_t before, deadline;
	struct sys_out out;
	struct stat sb;
	json_t *j, *s0, *s1;
	int nfd, n, status;
	pid_t pid;

	srv_start(&srv, NULL, 1, NULL);
	sys_path_in(nsock, sizeof(nsock), fx.dir, "notify.sock");
	sys_path_in(unused, sizeof(unused), fx.dir, "unused.sock");
	snprintf(env1, sizeof(env1), "NOTIFY_SOCKET=%s", nsock);
	snprintf(listen, sizeof(listen), "--listen=%s", fx.sock);
	sys_bin(bin, sizeof(bin), "futd");
	/* control_socket: where futd would go if it ignored the passed one */
	sys_write_filef(fx.conf, "control_socket = \"%s\";\n"
	    "targets = (\n"
	    "  { name = \"h\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; interval = 0.05; },\n"
	    "  { name = \"p\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.05; }\n);\n", unused, srv.port[0], srv.port[0]);
	nfd = sys_fx_fd(&fx, sys_notify_open(nsock));

	pid = sys_spawn(argv, NULL, NULL, fx.err);
	ck_assert_msg(pid != -1, "cannot run systemd-socket-activate: %s",
	    strerror(errno));
	fx.futd = pid;
	deadline = sys_now_ms() + SYS_START_MS;
	while (access(fx.sock, F_OK) == -1 && sys_left_ms(deadline) > 0)
		sys_sleep_ms(10);
	ck_assert_msg(access(fx.sock, F_OK) == 0, "systemd-socket-activate "
	    "made no socket");

	/* the first connection starts futd; it answers on the passed socket */
	j = sys_futctl_json(fx.sock, "ping", NULL);
	ck_assert_msg(j != NULL, "futctl ping through the passed socket failed");
	ck_assert_int_eq(sys_jint(j, "pid"), pid);
	json_decref(j);
	ck_assert_msg(sys_notify_wait(nfd, "READY=1", 2000, buf,
	    sizeof(buf)) == 0, "no READY=1");
	ck_assert_msg(strstr(buf, "STATUS=probing 2 targets") != NULL,
	    "READY without the status line: %s", buf);
	ck_assert_msg(access(unused, F_OK) == -1, "futd bound its own socket");

	/* the watchdog: every WATCHDOG_USEC / 2 = 100 ms */
	deadline = sys_now_ms() + 1000;
	n = 0;
	while (sys_left_ms(deadline) > 0 && n < 100)
		if (sys_notify_wait(nfd, "WATCHDOG=1",
		    (unsigned)sys_left_ms(deadline), buf, sizeof(buf)) == 0)
			n++;
	ck_assert_msg(n >= 5 && n <= 15, "%d WATCHDOG=1 in 1 s, expected ~10",
	    n);

	/* SIGHUP: RELOADING=1 with the time it began, then READY=1 */
	before = sys_mono_us();
	ck_assert(kill(pid, SIGHUP) == 0);
	ck_assert_msg(sys_notify_wait(nfd, "RELOADING=1", 2000, buf,
	    sizeof(buf)) == 0, "no RELOADING=1 after SIGHUP");
	ck_assert_msg((p = strstr(buf, "MONOTONIC_USEC=")) != NULL,
	    "RELOADING=1 without MONOTONIC_USEC: %s", buf);
	mono = strtoull(p + strlen("MONOTONIC_USEC="), NULL, 10);
	ck_assert_msg(mono >= before && mono <= sys_mono_us(),
	    "MONOTONIC_USEC=%llu is not CLOCK_MONOTONIC now", mono);
	ck_assert_msg(sys_notify_wait(nfd, "READY=1", 2000, buf,
	    sizeof(buf)) == 0, "no READY=1 after the reload");

	/* a bad config, by SIGHUP and by futctl: every target keeps going */
	s0 = wait_target("h", "probes", 5, 2000);
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"h\"; host = \"127.0.0.1\"; port = 0; } );\n");
	ck_assert(kill(pid, SIGHUP) == 0);
	ck_assert_msg(sys_notify_wait(nfd, "RELOADING=1", 2000, buf,
	    sizeof(buf)) == 0, "no RELOADING=1 after a bad SIGHUP");
	ck_assert_msg(sys_notify_wait(nfd, "READY=1", 2000, buf,
	    sizeof(buf)) == 0, "no READY=1 after a bad SIGHUP");
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "reload", (char *)NULL), 1);
	sys_out_free(&out);
	s1 = wait_target("h", "probes",
	    sys_jint(sys_target_get(s0, "h"), "probes") + 3, 2000);
	ck_assert_int_eq(json_array_size(json_object_get(s1, "targets")), 2);
	assert_kept(s0, s1, "bad reload under systemd");
	ck_assert_msg(sys_jint(sys_target_get(s1, "p"), "probes") >
	    sys_jint(sys_target_get(s0, "p"), "probes"), "p stopped probing");
	json_decref(s0);
	json_decref(s1);

	/* SIGTERM: STOPPING=1, exit 0, and the passed socket stays */
	ck_assert(kill(pid, SIGTERM) == 0);
	ck_assert_msg(sys_notify_wait(nfd, "STOPPING=1", 2000, buf,
	    sizeof(buf)) == 0, "no STOPPING=1 after SIGTERM");
	ck_assert_msg(sys_wait(pid, 2000, &status) == 0, "futd still runs "
	    "2 s after SIGTERM");
	fx.futd = -1;
	ck_assert_msg(status == 0, "futd exited with %d", status);
	ck_assert_msg(stat(fx.sock, &sb) == 0 && S_ISSOCK(sb.st_mode),
	    "futd removed the socket systemd passed to it");
}
END_TEST

static TCase *
system_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, SYSTEM_TIMEOUT_S);
	return tc;
}

Suite *
system_suite(void)
{
	Suite *s = suite_create("system");
	TCase *tc;

	tc = system_tcase("probes");
	tcase_add_test(tc, test_hello_exact);
	tcase_add_test(tc, test_hello_big);
	tcase_add_test(tc, test_peeraddr);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_connect_timeout);
	tcase_add_test(tc, test_many_targets);
	suite_add_tcase(s, tc);

	tc = system_tcase("futctl");
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_unreachable);
	tcase_add_test(tc, test_show_and_usage);
	suite_add_tcase(s, tc);

	tc = system_tcase("control");
	tcase_add_test(tc, test_control_raw);
	tcase_add_test(tc, test_control_stream);
	tcase_add_test(tc, test_control_binary_closes);
	tcase_add_test(tc, test_request_corpus);
	tcase_add_test(tc, test_socket_and_stop);
	suite_add_tcase(s, tc);

	tc = system_tcase("config");
	tcase_add_test(tc, test_config_check);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_reload_reads_aside);
	suite_add_tcase(s, tc);

	tc = system_tcase("systemd");
	tcase_add_test(tc, test_systemd);
	suite_add_tcase(s, tc);

	return s;
}
