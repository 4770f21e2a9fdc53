/*
 * check_state.c - the state suite: the real futd keeps what it has seen
 * across a restart (state_file, state_save), on loopback only, in the
 * manner of check_system.c (its fixtures: sys.c).
 *
 * A restart with SIGTERM brings every result back, history included, and
 * an up target stays up without an "unknown -> up"; SIGKILL loses at most
 * what came after the last save; a broken file is moved to .bad and futd
 * starts fresh; a changed port resets a target, a removed one is dropped.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>

#include <limits.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "daemon.h"
#include "state.h"
#include "target.h"
#include "tests.h"
#include "sys.h"

#define STATE_TIMEOUT_S		30
#define STEP_MS			25
#define WAIT_MS			5000

static char	root_dir[PATH_MAX];
static struct sys_fx fx;
static char	state_path[PATH_MAX];
static char	bad_path[PATH_MAX];

static void
root_setup(void)
{
	sys_root_setup(root_dir, sizeof(root_dir));
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "state tests");
}

static void
fx_setup(void)
{
	sys_fx_setup(&fx, root_dir);
	sys_path_in(state_path, sizeof(state_path), fx.dir, "futd.state");
	sys_path_in(bad_path, sizeof(bad_path), fx.dir, "futd.state.bad");
}

static void
fx_teardown(void)
{
	sys_fx_teardown(&fx);
}

/* futd.conf: up (a listening port), down (refused), maybe a third. */
static void
write_conf(unsigned up_port, unsigned down_port, const char *extra,
    double save_s)
{
	sys_write_filef(fx.conf,
	    "state_file = \"%s\";\nstate_save = %g;\n"
	    "defaults = { interval = 0.1; timeout = 1.0; };\n"
	    "targets = (\n"
	    "  { name = \"up\"; host = \"127.0.0.1\"; port = %u; },\n"
	    "  { name = \"down\"; host = \"127.0.0.1\"; port = %u; }%s\n);\n",
	    state_path, save_s, up_port, down_port, extra);
}

/* futd started with its stderr in the test's directory as name */
static void
start_futd(const char *name)
{
	char err[PATH_MAX];

	sys_path_in(err, sizeof(err), fx.dir, name);
	fx.futd = sys_futd_start(fx.conf, fx.sock, err);
}

static long long
target_int(const char *name, const char *key)
{
	json_t *st = sys_status_get(fx.sock);
	long long v = sys_jint(sys_target_get(st, name), key);

	json_decref(st);
	return v;
}

static char *
target_str(const char *name, const char *key)
{
	json_t *st = sys_status_get(fx.sock);
	char *v = strdup(sys_jstr(sys_target_get(st, name), key));

	json_decref(st);
	return v;
}

static void
wait_ok(const char *name, const char *key, long long min)
{
	uint64_t deadline = sys_now_ms() + WAIT_MS;

	while (target_int(name, key) < min) {
		ck_assert_msg(sys_left_ms(deadline) > 0, "%s: %s below %lld",
		    name, key, min);
		sys_sleep_ms(STEP_MS);
	}
}

/* failures of the first address of an `addresses = "each"` target */
static long long
each_failed(const char *name)
{
	json_t *st = sys_status_get(fx.sock);
	json_t *a = json_array_get(json_object_get(sys_target_get(st, name),
	    "addresses"), 0);
	long long v = a != NULL ? sys_jint(a, "failed") : -1;

	json_decref(st);
	return v;
}

static size_t
history_len(const char *name)
{
	json_t *j = sys_futctl_json(fx.sock, "show", name);
	size_t n;

	ck_assert_msg(j != NULL, "futctl show %s failed", name);
	n = json_array_size(json_object_get(json_object_get(j, "target"),
	    "history"));
	json_decref(j);
	return n;
}

static void
stop_futd(int sig)
{
	int status;

	kill(fx.futd, sig);
	ck_assert_int_eq(sys_wait(fx.futd, SYS_STOP_MS, &status), 0);
	fx.futd = -1;
	if (sig == SIGTERM)
		ck_assert_msg(status == 0, "futd exited with %d", status);
}

/* Does the file name in the test's directory hold s? */
static int
log_has(const char *name, const char *s)
{
	char path[PATH_MAX];
	char *text;
	int r;

	sys_path_in(path, sizeof(path), fx.dir, name);
	if ((text = sys_read_file(path, NULL)) == NULL)
		return 0;
	r = strstr(text, s) != NULL;
	free(text);
	return r;
}

/* the up and down targets running, and a port for each */
static struct sys_srv srv;

static unsigned
setup_targets(const char *extra, double save_s)
{
	static const char *const args[] = { "-m", "sink", NULL };
	unsigned down;
	int fd;

	ck_assert(sys_testsrv(&srv, args, 1, fx.log) == 0);
	ck_assert(sys_bound_port(&fd, &down) == 0);
	sys_fx_fd(&fx, fd);
	write_conf(srv.port[0], down, extra, save_s);
	return down;
}

START_TEST(test_restart_keeps_all)
{
	long long ok, failed, probes, each;
	unsigned i;
	char extra[160];
	size_t hist;
	char *s;

	snprintf(extra, sizeof(extra), ",\n  { name = \"each\"; "
	    "host = \"127.0.0.1\"; port = 1; addresses = \"each\"; }");
	setup_targets(extra, 60);
	start_futd("futd1.err");
	ck_assert(log_has("futd1.err", "none yet (a first start)"));
	wait_ok("up", "ok", 5);
	wait_ok("down", "failed", 5);
	for (i = 0; i < 200 && each_failed("each") < 5; i++)
		sys_sleep_ms(STEP_MS);
	ck_assert(each_failed("each") >= 5);
	stop_futd(SIGTERM);
	start_futd("futd2.err");
	each = each_failed("each");
	/* at once: before a probe could have told it so */
	s = target_str("up", "state");
	ck_assert_str_eq(s, "up");
	free(s);
	s = target_str("down", "state");
	ck_assert_str_eq(s, "down");
	free(s);
	ok = target_int("up", "ok");
	failed = target_int("down", "failed");
	probes = target_int("up", "probes");
	ck_assert_msg(ok >= 5 && failed >= 5 && probes >= ok,
	    "counters not back: ok %lld failed %lld", ok, failed);
	hist = history_len("up");
	ck_assert_msg(hist >= 5, "history not back: %zu entries", hist);
	ck_assert_msg(each >= 5, "the addresses of \"each\" not back (%lld)",
	    each);
	ck_assert(log_has("futd2.err", "state: 3 restored, 0 reset, "
	    "0 dropped (from "));
	wait_ok("up", "ok", ok + 3);
	ck_assert_msg(!log_has("futd2.err", "unknown -> up") &&
	    !log_has("futd2.err", "unknown -> down"),
	    "a state change from unknown after the restart");
}
END_TEST

START_TEST(test_sigkill_loses_little)
{
	long long before, after;

	setup_targets("", 1);
	start_futd("futd1.err");
	wait_ok("up", "ok", 30);
	before = target_int("up", "ok");
	stop_futd(SIGKILL);
	start_futd("futd2.err");
	after = target_int("up", "ok");
	/* 1 s of saves at 10 probes a second, and the margin of a slow host */
	ck_assert_msg(after > 0 && after >= before - 15,
	    "after SIGKILL: %lld ok of %lld", after, before);
	ck_assert(log_has("futd2.err", "2 restored"));
}
END_TEST

static void
broken_file(const char *name, const void *bytes, size_t len,
    const char *why)
{
	char *s;

	sys_write_file(state_path, bytes, len);
	start_futd(name);
	ck_assert_msg(log_has(name, why), "%s does not say \"%s\"", name, why);
	ck_assert(log_has(name, "moved to"));
	ck_assert_msg(access(bad_path, F_OK) == 0, "no %s", bad_path);
	s = target_str("up", "state");
	ck_assert_msg(strcmp(s, "up") != 0 || target_int("up", "ok") > 0,
	    "up without a result: not a fresh start");
	free(s);
	stop_futd(SIGTERM);
	unlink(bad_path);
}

START_TEST(test_broken_files)
{
	char *good;
	size_t len;

	setup_targets("", 60);
	broken_file("garbage.err", "this is not a state file at all, no",
	    35, "not a futd state file");
	/* a good one, then spoiled in three ways */
	start_futd("futd1.err");
	wait_ok("up", "ok", 3);
	stop_futd(SIGTERM);
	good = sys_read_file(state_path, &len);
	ck_assert(good != NULL && len > 100);
	broken_file("trunc.err", good, len - 40, "checksum mismatch");
	good[8] = 99;		/* the version */
	broken_file("version.err", good, len, "version 99");
	good[8] = 1;
	good[40] ^= 1;		/* inside the first record */
	broken_file("flip.err", good, len, "checksum mismatch");
	broken_file("short.err", good, 10, "truncated");
	free(good);
}
END_TEST

/*
 * A file at the temporary name that is not the writer's own (here a
 * FIFO, whose open would block; a file left by a killed futd's writer)
 * neither hangs the saves nor the stop: the writer makes its own.
 */
START_TEST(test_tmp_not_ours)
{
	char tmp[PATH_MAX + 8];
	struct stat st;
	int status, r, fd;

	setup_targets("", 1);
	snprintf(tmp, sizeof(tmp), "%s.tmp", state_path);
	ck_assert_int_eq(mkfifo(tmp, 0600), 0);
	start_futd("futd1.err");
	wait_ok("up", "ok", 3);
	sys_sleep_ms(1500);	/* a save or two */
	kill(fx.futd, SIGTERM);
	r = sys_wait(fx.futd, SYS_STOP_MS, &status);
	/* a writer blocked in the FIFO's open ends (SIGPIPE) */
	if ((fd = open(tmp, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) != -1)
		close(fd);
	ck_assert_msg(r == 0, "futd hung at SIGTERM");
	fx.futd = -1;
	ck_assert_int_eq(status, 0);
	ck_assert_int_eq(stat(state_path, &st), 0);
	ck_assert(S_ISREG(st.st_mode) && st.st_size > 100);
}
END_TEST

START_TEST(test_changed_and_removed)
{
	unsigned down, other;
	char extra[160];
	int fd;

	ck_assert(sys_bound_port(&fd, &other) == 0);
	sys_fx_fd(&fx, fd);
	snprintf(extra, sizeof(extra), ",\n  { name = \"gone\"; "
	    "host = \"127.0.0.1\"; port = %u; }", other);
	down = setup_targets(extra, 60);
	start_futd("futd1.err");
	wait_ok("down", "failed", 5);
	wait_ok("gone", "failed", 1);
	stop_futd(SIGTERM);
	/* down measures another port now; gone is no more */
	write_conf(srv.port[0], other, "", 60);
	(void)down;
	start_futd("futd2.err");
	ck_assert(log_has("futd2.err", "state: 1 restored, 1 reset, "
	    "1 dropped"));
	ck_assert_msg(target_int("down", "failed") < 5,
	    "a reset target kept its results");
	ck_assert_msg(target_int("up", "ok") >= 1, "up lost its results");
}
END_TEST

/*
 * A later futd's section (a tag this one does not know, say maintenance)
 * in the first record: skipped, the rest of the record restored.
 */
START_TEST(test_unknown_section_skipped)
{
	static const unsigned char sect[] = { 99, 0, 0, 0, 4, 0, 0, 0,
	    'm', 'a', 'i', 'n' };
	size_t len, off = sizeof(struct state_header);
	unsigned char *in, *out;
	uint32_t rlen, crc;
	long long ok;

	setup_targets("", 60);
	start_futd("futd1.err");
	wait_ok("up", "ok", 3);
	stop_futd(SIGTERM);
	in = (unsigned char *)sys_read_file(state_path, &len);
	ck_assert(in != NULL && len > off + 4);
	memcpy(&rlen, in + off, 4);
	ck_assert(off + 4 + rlen <= len - 4);
	ck_assert((out = malloc(len + sizeof(sect))) != NULL);
	/* the first record, grown by the section at its end */
	memcpy(out, in, off + 4 + rlen);
	memcpy(out + off + 4 + rlen, sect, sizeof(sect));
	memcpy(out + off + 4 + rlen + sizeof(sect), in + off + 4 + rlen,
	    len - off - 4 - rlen);
	rlen += sizeof(sect);
	memcpy(out + off, &rlen, 4);
	crc = state_crc(0, out, len + sizeof(sect) - 4);
	memcpy(out + len + sizeof(sect) - 4, &crc, 4);
	sys_write_file(state_path, out, len + sizeof(sect));
	free(in);
	free(out);
	start_futd("futd2.err");
	ck_assert(log_has("futd2.err", "state: 2 restored, 0 reset, "
	    "0 dropped"));
	ok = target_int("up", "ok");
	ck_assert_msg(ok >= 3, "up: %lld ok after the restart", ok);
	ck_assert(access(bad_path, F_OK) == -1);
}
END_TEST

/*
 * A file of version 1 (before "rejected" joined the failure classes: its
 * details had one class fewer, ok_before right after them) is read and
 * converted.  Made from a version 2 file: each detail's ok_before moved
 * back 4 bytes and set to 2, the version 1, the CRC anew.  Unconverted,
 * those 2 would read as 2 "rejected" failures.
 */
START_TEST(test_version1_read)
{
	size_t len, off = sizeof(struct state_header), at, end;
	size_t v1_ok = offsetof(struct results_detail, errors) +
	    (PERR_REJECTED - 1) * sizeof(uint32_t), ndet = 0;
	uint32_t rlen, tag, slen, crc, two = 2, zero = 0, v1 = 1;
	struct sys_out out;
	unsigned char *f;
	const char *rej;
	uint16_t nl;

	setup_targets("", 60);
	start_futd("futd1.err");
	wait_ok("up", "ok", 3);
	stop_futd(SIGTERM);
	f = (unsigned char *)sys_read_file(state_path, &len);
	ck_assert(f != NULL && len > off + 4);
	for (at = off; at + 4 <= len - 4; at = end) {
		memcpy(&rlen, f + at, 4);
		end = at + 4 + rlen;
		ck_assert(end <= len - 4);
		/* past the name (length, bytes) and the identity */
		memcpy(&nl, f + at + 4, 2);
		for (at += 4 + 2 + nl + TARGET_ID_LEN; at + 8 <= end;
		    at += 8 + slen) {
			memcpy(&tag, f + at, 4);
			memcpy(&slen, f + at + 4, 4);
			if (tag != STATE_TAG_DETAIL)
				continue;
			ck_assert_uint_eq(slen, sizeof(struct results_detail));
			memcpy(f + at + 8 + v1_ok, &two, 4);
			memcpy(f + at + 8 + v1_ok + 4, &zero, 4);
			ndet++;
		}
	}
	ck_assert_uint_gt(ndet, 0);
	memcpy(f + offsetof(struct state_header, version), &v1, 4);
	crc = state_crc(0, f, len - 4);
	memcpy(f + len - 4, &crc, 4);
	sys_write_file(state_path, f, len);
	free(f);
	start_futd("futd2.err");
	ck_assert(log_has("futd2.err", "state: 2 restored, 0 reset, "
	    "0 dropped"));
	ck_assert(access(bad_path, F_OK) == -1);
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "metrics", (char *)NULL),
	    0);
	rej = strstr(out.out, "error=\"rejected\"");
	ck_assert_msg(rej == NULL, "a version 1 file's ok_before read as "
	    "rejected failures: %.80s", rej);
	sys_out_free(&out);
}
END_TEST

/*
 * A disabled target stays disabled across a restart: who, why, until when,
 * and no "-> disabled" news for a state it already had.
 */
START_TEST(test_disable_kept)
{
	struct sys_out out;
	json_t *st, *m;
	char *s;

	setup_targets("", 60);
	start_futd("futd1.err");
	wait_ok("up", "ok", 2);
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "disable", "--for", "1h",
	    "--reason", "kernel update", "up", (char *)NULL), 0);
	sys_out_free(&out);
	stop_futd(SIGTERM);
	start_futd("futd2.err");
	s = target_str("up", "state");
	ck_assert_str_eq(s, "disabled");
	free(s);
	st = sys_status_get(fx.sock);
	m = json_object_get(sys_target_get(st, "up"), "maintenance");
	ck_assert_msg(m != NULL, "no maintenance after the restart");
	ck_assert_str_eq(sys_jstr(m, "reason"), "kernel update");
	ck_assert_msg(sys_jreal(m, "until") > sys_jreal(m, "since") + 3500,
	    "until not kept");
	json_decref(st);
	ck_assert_msg(!log_has("futd2.err", "-> disabled"),
	    "a disable told again after the restart");
	ck_assert_msg(target_int("up", "ok") >= 2, "up lost its results");
}
END_TEST

/*
 * The writer runs in a forked child of a futd with threads (reload,
 * conf_dir): OpenSSL's locks may be held there by a thread that is not,
 * and a call into it may never return (a save that never ends, and no
 * save after it).  Here OpenSSL is gone in the child, as it is when its
 * lock is held; the record must still carry the target's identity.
 */
START_TEST(test_writer_needs_no_openssl)
{
	unsigned char buf[1 << 16], want[TARGET_ID_LEN];
	struct state_header h;
	struct state_iter it;
	struct state_rec rec;
	struct target_conf tc;
	struct target *tg;
	struct daemon d;
	char why[128];
	ssize_t n;
	pid_t p;
	int fd, st;

	memset(&d, 0, sizeof(d));
	memset(&tc, 0, sizeof(tc));
	tc.name = strdup("idle");
	tc.host = strdup("127.0.0.1");
	ck_assert_ptr_nonnull(tc.name);
	ck_assert_ptr_nonnull(tc.host);
	tc.port = 9;
	tc.family = AF_UNSPEC;
	tc.numeric = 1;
	tc.interval_us = 1000000;
	tc.timeout_us = 1000000;
	ck_assert_ptr_nonnull(tg = target_new(&d, &tc, 8));
	ck_assert_int_eq(target_conf_identity(target_getconf(tg, &tc), want),
	    0);
	d.targets = &tg;
	d.ntargets = 1;
	fd = open(state_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ne(fd, -1);
	if ((p = fork()) == 0) {
		OPENSSL_cleanup();
		_exit(state_write(fd, &d, 0, 0) == 0 ? 0 : 1);
	}
	ck_assert_int_ne(p, -1);
	ck_assert_int_eq(waitpid(p, &st, 0), p);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the writer failed (status %#x)", st);
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(state_check(buf, (size_t)n, &h, &it, why,
	    sizeof(why)), 0);
	ck_assert_int_eq(state_next(&it, &rec), 1);
	ck_assert_msg(memcmp(rec.id, want, sizeof(want)) == 0,
	    "the record's identity is not the target's: it would be reset "
	    "at the next start");
	d.targets = NULL;
	target_free(tg);
}
END_TEST

Suite *
state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("restart");

	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, STATE_TIMEOUT_S);
	tcase_add_test(tc, test_restart_keeps_all);
	tcase_add_test(tc, test_sigkill_loses_little);
	tcase_add_test(tc, test_broken_files);
	tcase_add_test(tc, test_version1_read);
	tcase_add_test(tc, test_changed_and_removed);
	tcase_add_test(tc, test_unknown_section_skipped);
	tcase_add_test(tc, test_disable_kept);
	tcase_add_test(tc, test_writer_needs_no_openssl);
	tcase_add_test(tc, test_tmp_not_ours);
	suite_add_tcase(s, tc);
	return s;
}
