/*
 * check_log.c - the log suite: what futd's log tells an operator, and
 * where it goes.
 *
 * System (the real futd and futctl, on loopback only; housekeeping as in
 * check_system.c: a directory per test, every process stopped by its pid,
 * every wait bounded):
 *
 *  - --log=journal with no journal: the events come on stderr as plain
 *    lines, not into a socket nobody reads;
 *  - --log=journal with a journal: the events and libevent's lines reach
 *    the journal's socket with their fields and priority, and not stderr;
 *    a journal gone later sends them to stderr again.  sd-journal sends to
 *    /run/systemd/journal/socket, a path fixed in libsystemd: futd runs in
 *    a mount namespace of its own (unshare(1)) whose /run is a fresh tmpfs
 *    where that path leads to a datagram socket of the test's, which reads
 *    the native journal protocol.  Where that cannot be (not root, no
 *    unshare), the test says SKIPPED and why on stderr, and passes;
 *  - libevent's own lines ("Nameserver ... has failed") as futd's lines,
 *    with a priority and source=libevent, never "[msg] ..." raw;
 *  - a second futd on a control socket that answers: an error, exit 1;
 *  - a message with quotes in it keeps its key=value line whole.
 *
 * Unit: futd(8)'s list of error classes is the code's (probe.c's names).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"
#include "tests.h"
#include "sys.h"

#define LOG_TIMEOUT_S	30	/* per test */
#define LOG_WAIT_MS	5000	/* a line futd must log comes within this */
#define LOG_STEP_MS	20
#define JOURNAL_DGRAM	65536	/* our lines are small: no memfd */
#define JOURNAL_MAX_FIELDS 32

/* the journal's socket as sd-journal knows it, in futd's namespace */
#define JOURNAL_DIR	"/run/systemd/journal"

static char		root_dir[PATH_MAX];
static struct sys_fx	fx;

static void
root_setup(void)
{
	sys_root_setup(root_dir, sizeof(root_dir));
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "log tests");
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

/* A UDP port of 127.0.0.1 held, never read: a nameserver that never answers. */
static unsigned
mute_udp_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	fd = sys_fx_fd(&fx, socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_msg(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0,
	    "bind udp: %s", strerror(errno));
	return ntohs(sin.sin_port);
}

/* A TCP port of 127.0.0.1 bound and not listening: connects are refused. */
static unsigned
closed_tcp_port(void)
{
	unsigned port;
	int fd;

	ck_assert(sys_bound_port(&fd, &port) == 0);
	sys_fx_fd(&fx, fd);
	return port;
}

/*
 * The config of these tests: "closed", refused, goes down at its first
 * result; "named" asks a nameserver that never answers, so evdns gives
 * that server up ("Nameserver 127.0.0.1:N has failed").
 */
static void
write_conf(unsigned dns_port)
{
	sys_write_filef(fx.conf, "nameservers = [ \"127.0.0.1:%u\" ];\n"
	    "dns_timeout = 0.2; dns_attempts = 1;\n"
	    "targets = (\n"
	    "  { name = \"closed\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.5; },\n"
	    "  { name = \"named\"; host = \"nowhere.test\"; port = 80; "
	    "interval = 0.5; }\n);\n", dns_port, closed_tcp_port());
}

/* futd by argv (futd itself, or behind unshare), as fx.futd, answering. */
static void
futd_spawn(const char *const argv[])
{
	uint64_t deadline = sys_now_ms() + SYS_START_MS;
	struct sys_out out;
	char *err;

	fx.futd = sys_spawn(argv, NULL, NULL, fx.err);
	ck_assert_msg(fx.futd != -1, "cannot run %s: %s", argv[0],
	    strerror(errno));
	while (sys_left_ms(deadline) > 0) {
		if (sys_wait(fx.futd, 0, NULL) == 0)
			break;
		if (sys_futctl(&out, fx.sock, "ping", (char *)NULL) == 0) {
			sys_out_free(&out);
			return;
		}
		sys_out_free(&out);
		sys_sleep_ms(LOG_STEP_MS);
	}
	err = sys_read_file(fx.err, NULL);
	ck_abort_msg("futd did not start; its stderr:\n%s",
	    err != NULL ? err : "(none)");
}

/* Wait until futd's stderr holds want; the whole of it (the caller frees). */
static char *
err_wait(const char *want)
{
	uint64_t deadline = sys_now_ms() + LOG_WAIT_MS;
	char *err;

	for (;;) {
		err = sys_read_file(fx.err, NULL);
		if (err != NULL && strstr(err, want) != NULL)
			return err;
		if (sys_left_ms(deadline) == 0)
			ck_abort_msg("futd's stderr has no \"%s\" after %d ms:"
			    "\n%s", want, LOG_WAIT_MS, err != NULL ? err :
			    "(none)");
		free(err);
		sys_sleep_ms(LOG_STEP_MS);
	}
}

/*
 * Can we give a process a /run of its own?  NULL if so, else why not (for
 * the SKIPPED line).
 */
static const char *
private_run_why_not(void)
{
	static const char *const argv[] = { "unshare", "--mount",
	    "--propagation", "private", "mount", "-t", "tmpfs", "tmpfs",
	    "/run", NULL };
	struct sys_out out;
	int status;

	if (geteuid() != 0)
		return "not root: cannot mount a private /run";
	status = sys_run(argv, NULL, SYS_RUN_MS, &out);
	sys_out_free(&out);
	return status == 0 ? NULL : "unshare --mount cannot mount a private "
	    "/run here";
}

static void
skip(const char *test, const char *why)
{
	fprintf(stderr, "log: %s: SKIPPED: %s\n", test, why);
}

/*
 * futd --log=journal in a mount namespace of its own whose /run is empty
 * but for JOURNAL_DIR/socket, a link to sock (NULL: no link, no journal).
 */
static void
futd_private_run(const char *sock)
{
	char bin[PATH_MAX], script[PATH_MAX + 256];
	const char *argv[] = { "unshare", "--mount", "--propagation",
	    "private", "sh", "-c", script, "sh", bin, "-f", fx.conf, "-s",
	    fx.sock, "--log=journal", NULL };

	sys_bin(bin, sizeof(bin), "futd");
	snprintf(script, sizeof(script), "mount -t tmpfs tmpfs /run && "
	    "mkdir -p %s && %s%s%s exec \"$@\"", JOURNAL_DIR,
	    sock != NULL ? "ln -s " : "", sock != NULL ? sock : "",
	    sock != NULL ? " " JOURNAL_DIR "/socket &&" : "");
	futd_spawn(argv);
}

/*
 * 1. --log=journal where no journal listens: sd_journal_sendv() answers 0
 * and drops the line; futd writes it on stderr, the whole key=value line
 * behind its priority.
 */
START_TEST(test_journal_absent)
{
	char bin[PATH_MAX], *err;
	const char *argv[] = { bin, "-f", fx.conf, "-s", fx.sock,
	    "--log=journal", NULL };
	const char *why;

	write_conf(mute_udp_port());
	if ((why = private_run_why_not()) == NULL)
		futd_private_run(NULL);
	else if (access(JOURNAL_DIR "/socket", F_OK) == -1) {
		/* no journal here anyway: futd as it is */
		sys_bin(bin, sizeof(bin), "futd");
		futd_spawn(argv);
	} else {
		skip("journal absent", why);
		return;
	}
	err = err_wait("<4>event=state target=closed state=down");
	ck_assert_msg(strstr(err, "message=\"target closed (peeraddr "
	    "127.0.0.1:") != NULL, "the state change without its message:\n%s",
	    err);
	free(err);
	free(err_wait("<5>source=libevent message=\"Nameserver 127.0.0.1:"));
}
END_TEST

/* One datagram of the native journal protocol: its fields. */
struct journal_entry {
	char	buf[JOURNAL_DGRAM];
	char	*field[JOURNAL_MAX_FIELDS];	/* "KEY=value", NUL-ended */
	size_t	 n;
};

/*
 * KEY=value\n, or KEY\n, a little-endian 64-bit length, the value and \n
 * (sd-journal's form for a value with a line break).  0, or -1 for a
 * datagram that is not that protocol.
 */
static int
journal_parse(struct journal_entry *e, size_t len)
{
	char *p = e->buf, *end = e->buf + len, *nl, *eq;
	uint64_t vlen;
	size_t i;

	e->n = 0;
	while (p < end && e->n < JOURNAL_MAX_FIELDS) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return -1;
		eq = memchr(p, '=', (size_t)(nl - p));
		if (eq == NULL) {
			if ((size_t)(end - nl - 1) < 8)
				return -1;
			for (vlen = 0, i = 0; i < 8; i++)
				vlen |= (uint64_t)(unsigned char)nl[1 + i] <<
				    (8 * i);
			if (vlen + 9 > (uint64_t)(end - nl - 1))
				return -1;
			*nl = '=';	/* KEY=value: the length overwritten */
			memmove(nl + 1, nl + 9, (size_t)vlen);
			nl[1 + vlen] = '\0';
			e->field[e->n++] = p;
			p = nl + 9 + vlen + 1;
			continue;
		}
		*nl = '\0';
		e->field[e->n++] = p;
		p = nl + 1;
	}
	return 0;
}

/* The value of key in e, or NULL. */
static const char *
journal_get(const struct journal_entry *e, const char *key)
{
	size_t i, n = strlen(key);

	for (i = 0; i < e->n; i++)
		if (strncmp(e->field[i], key, n) == 0 && e->field[i][n] == '=')
			return e->field[i] + n + 1;
	return NULL;
}

/*
 * Read entries from the journal's socket until one has key = value and
 * its MESSAGE holds msg; its PRIORITY.  Fails the test after LOG_WAIT_MS.
 */
static int
journal_wait(int fd, const char *key, const char *value, const char *msg)
{
	uint64_t deadline = sys_now_ms() + LOG_WAIT_MS;
	static struct journal_entry e;
	struct pollfd pfd = { fd, POLLIN, 0 };
	const char *v, *m, *pri;
	ssize_t n;

	while (sys_left_ms(deadline) > 0) {
		if (poll(&pfd, 1, sys_left_ms(deadline)) <= 0)
			continue;
		if ((n = recv(fd, e.buf, sizeof(e.buf) - 1, 0)) <= 0)
			continue;
		ck_assert_msg(journal_parse(&e, (size_t)n) == 0,
		    "not the journal's protocol: %.*s", (int)n, e.buf);
		v = journal_get(&e, key);
		m = journal_get(&e, "MESSAGE");
		if (v == NULL || strcmp(v, value) != 0 || m == NULL ||
		    strstr(m, msg) == NULL)
			continue;
		ck_assert_str_eq(journal_get(&e, "SYSLOG_IDENTIFIER"), "futd");
		ck_assert_msg((pri = journal_get(&e, "PRIORITY")) != NULL,
		    "an entry without PRIORITY: %s", m);
		return atoi(pri);
	}
	ck_abort_msg("no journal entry with %s=%s and \"%s\" within %d ms",
	    key, value, msg, LOG_WAIT_MS);
	return -1;
}

/*
 * 2. --log=journal with a journal: events and libevent's lines go to it
 * with their fields and priority, not to stderr; when it goes away (its
 * socket refuses), the next event comes on stderr.
 */
START_TEST(test_journal_present)
{
	char jsock[PATH_MAX], want[64], *err;
	struct sockaddr_un sun;
	struct sys_out out;
	const char *why;
	unsigned dns_port;
	int fd;

	if ((why = private_run_why_not()) != NULL) {
		skip("journal present", why);
		return;
	}
	sys_path_in(jsock, sizeof(jsock), fx.dir, "journal.sock");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert(strlen(jsock) < sizeof(sun.sun_path));
	strcpy(sun.sun_path, jsock);
	fd = sys_fx_fd(&fx, socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	ck_assert_msg(bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0,
	    "bind %s: %s", jsock, strerror(errno));
	dns_port = mute_udp_port();
	write_conf(dns_port);
	futd_private_run(jsock);

	ck_assert_int_eq(journal_wait(fd, "FUTD_TARGET", "closed",
	    "state unknown -> down"), 4);
	snprintf(want, sizeof(want), "Nameserver 127.0.0.1:%u has failed",
	    dns_port);
	ck_assert_int_eq(journal_wait(fd, "FUTD_SOURCE", "libevent", want), 5);
	err = sys_read_file(fx.err, NULL);
	ck_assert_msg(err != NULL && strstr(err, "event=state") == NULL &&
	    strstr(err, "Nameserver") == NULL, "a line the journal took is on "
	    "stderr too:\n%s", err != NULL ? err : "(none)");
	free(err);

	/* the journal goes: its socket refuses; a reload is an event */
	sys_fx_close(&fx, fd);
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "reload", (char *)NULL), 0);
	sys_out_free(&out);
	free(err_wait("<6>event=reload message=\"reloaded:"));
}
END_TEST

/*
 * 3. libevent's own lines are futd's: a level, source=libevent, the
 * message; never libevent's "[msg] ..." on stderr.
 */
START_TEST(test_libevent_lines)
{
	char want[128], *err;
	unsigned dns_port;

	dns_port = mute_udp_port();
	write_conf(dns_port);
	sys_fx_futd(&fx);
	snprintf(want, sizeof(want), " notice: source=libevent message="
	    "\"Nameserver 127.0.0.1:%u has failed", dns_port);
	err = err_wait(want);
	ck_assert_msg(strstr(err, "[msg]") == NULL &&
	    strstr(err, "[warn]") == NULL && strstr(err, "[err]") == NULL,
	    "libevent's raw lines on stderr:\n%s", err);
	free(err);
}
END_TEST

/* 4. A second futd on a socket that answers: an error, and exit 1. */
START_TEST(test_second_futd)
{
	char bin[PATH_MAX];
	const char *argv[] = { bin, "-f", fx.conf, "-s", fx.sock, NULL };
	struct sys_out out;

	write_conf(mute_udp_port());
	sys_fx_futd(&fx);
	sys_bin(bin, sizeof(bin), "futd");
	ck_assert_int_eq(sys_run(argv, NULL, SYS_RUN_MS, &out), 1);
	ck_assert_msg(strstr(out.err, " error: control socket ") != NULL &&
	    strstr(out.err, "another futd answers there") != NULL,
	    "the second futd did not say so as an error:\n%s", out.err);
	ck_assert_msg(strstr(out.err, "warning:") == NULL, "a warning:\n%s",
	    out.err);
	sys_out_free(&out);
	ck_assert_msg(sys_futctl(NULL, fx.sock, "ping", (char *)NULL) == 0,
	    "the first futd stopped answering");
}
END_TEST

/*
 * 5. A message that quotes a name keeps its key=value line whole: the
 * quotes inside message="..." are escaped, so that a logfmt reader does
 * not end the message at "unknown key ".
 */
START_TEST(test_line_quotes)
{
	char want[PATH_MAX + 160];
	unsigned port = closed_tcp_port();

	sys_write_filef(fx.conf, "targets = (\n  { name = \"closed\"; "
	    "host = \"127.0.0.1\"; port = %u; }\n);\n", port);
	sys_fx_futd(&fx);
	sys_write_filef(fx.conf, "targets = (\n  { name = \"closed\"; "
	    "host = \"127.0.0.1\"; port = %u; timout = 1; }\n);\n", port);
	ck_assert_int_eq(sys_futctl(NULL, fx.sock, "reload", (char *)NULL), 1);
	snprintf(want, sizeof(want), " warning: event=config message=\"%s:2: "
	    "unknown key \\\"timout\\\" in target \\\"closed\\\"; did you mean "
	    "timeout?\"\n", fx.conf);
	free(err_wait(want));
}
END_TEST

/*
 * 6. A configuration that stops the start is logged as errors, "<3>" in
 * the journal's mode (journald took the plain lines at the stream's
 * default, info: `journalctl -p err` did not say why futd was down), and
 * so is futd -n's in that mode (the unit's ExecStartPre); futd -n
 * elsewhere still prints each as it is, for a person or a script.
 */
START_TEST(test_bad_conf_at_start)
{
	char bin[PATH_MAX], want[PATH_MAX + 128];
	const char *argv[] = { bin, "--log=journal", "-f", fx.conf, NULL };
	const char *jcheck[] = { bin, "-n", "--log=journal", "-f", fx.conf,
	    NULL };
	const char *check[] = { bin, "-n", "-f", fx.conf, NULL };
	struct sys_out out;

	sys_write_filef(fx.conf, "control_socket = \"%s\";\ntargets = (\n"
	    "  { name = \"a\"; host = \"127.0.0.1\"; port = 70000; }\n);\n",
	    fx.sock);
	sys_bin(bin, sizeof(bin), "futd");
	snprintf(want, sizeof(want), "%s:3: port 70000 out of range 1..65535 "
	    "in target \"a\"\n", fx.conf);

	ck_assert_int_eq(sys_run(argv, NULL, SYS_RUN_MS, &out), 1);
	ck_assert_msg(strncmp(out.err, "<3>", 3) == 0 &&
	    strncmp(out.err + 3, want, strlen(want)) == 0 &&
	    strstr(out.err, "\n<3>1 error in the configuration") != NULL,
	    "not logged as errors:\n%s", out.err);
	sys_out_free(&out);

	ck_assert_int_eq(sys_run(jcheck, NULL, SYS_RUN_MS, &out), 1);
	ck_assert_msg(strncmp(out.err, "<3>", 3) == 0 &&
	    strncmp(out.err + 3, want, strlen(want)) == 0 &&
	    strstr(out.err, "\n<3>1 error in the configuration\n") != NULL,
	    "futd -n --log=journal:\n%s", out.err);
	sys_out_free(&out);

	ck_assert_int_eq(sys_run(check, NULL, SYS_RUN_MS, &out), 1);
	ck_assert_msg(strncmp(out.err, want, strlen(want)) == 0 &&
	    strstr(out.err, "<3>") == NULL, "futd -n:\n%s", out.err);
	sys_out_free(&out);
}
END_TEST

/*
 * 7. futd(8)'s list of error classes (the .Bl after "A result is a success
 * or one of a fixed set of errors") is probe.c's table, no more, no less.
 */
START_TEST(test_man_error_classes)
{
	const char *src = getenv("FUTD_SRCDIR");
	char path[PATH_MAX], *man, *p, *end, word[64];
	int e, listed[PERR__MAX] = { 0 }, found;

	snprintf(path, sizeof(path), "%s%sdaemon/futd.8", src != NULL ? src :
	    "", src != NULL ? "/" : "");
	ck_assert_msg((man = sys_read_file(path, NULL)) != NULL, "%s: %s",
	    path, strerror(errno));
	p = strstr(man, "one of a fixed set of errors");
	ck_assert_msg(p != NULL, "%s: the list of errors is gone", path);
	end = strstr(p, "\n.El");
	ck_assert(end != NULL);
	*end = '\0';
	while ((p = strstr(p, "\n.It Cm ")) != NULL) {
		p += strlen("\n.It Cm ");
		ck_assert(sscanf(p, "%63s", word) == 1);
		for (found = 0, e = 1; e < PERR__MAX; e++)
			if (strcmp(word, probe_error_name(e)) == 0)
				listed[e] = found = 1;
		ck_assert_msg(found, "futd(8) lists %s, futd has no such error",
		    word);
	}
	for (e = 1; e < PERR__MAX; e++)
		ck_assert_msg(listed[e], "futd(8) does not list the error %s",
		    probe_error_name(e));
	free(man);
}
END_TEST

Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc;

	tc = tcase_create("journal");
	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, LOG_TIMEOUT_S);
	tcase_add_test(tc, test_journal_absent);
	tcase_add_test(tc, test_journal_present);
	tcase_add_test(tc, test_libevent_lines);
	tcase_add_test(tc, test_second_futd);
	tcase_add_test(tc, test_line_quotes);
	tcase_add_test(tc, test_bad_conf_at_start);
	suite_add_tcase(s, tc);

	tc = tcase_create("man");
	tcase_add_test(tc, test_man_error_classes);
	suite_add_tcase(s, tc);
	return s;
}
