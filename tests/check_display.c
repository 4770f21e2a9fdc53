/*
 * check_display.c - the display suite: what `futctl status` and `futctl
 * probe` print, as a person reads it, against the real futd and real
 * servers on loopback: tlssrv (ours) with a self-signed certificate made
 * at test time, testsrv, testdns, and ports that refuse.
 *
 *  - status fits the terminal: every line at most as wide as the tty
 *    (TIOCGWINSZ), else $COLUMNS, else 80, counted in display columns;
 *    the columns stay aligned; a cut cell ends in "…" (UTF-8) or "..."
 *    (another locale); -w cuts nothing.
 *  - a down target whose last probe succeeded says so in LAST, and how
 *    far it has come towards rise; an up one that failed, towards fall.
 *  - a flapping target's SINCE is since when it flaps.
 *  - addresses = "each": status has a row per address under its target,
 *    probe a line per address, the log and check name the address that
 *    failed.
 *  - futctl -h and futd -h fit 80 columns.
 *  - show draws the history as a sparkline, status -w a short one per
 *    target (TREND): the characters those of the results futd kept, in
 *    C.UTF-8 and in the C locale, within 60 columns and the terminal.
 *
 * The width of a line is counted by glibc's wcwidth() in C.UTF-8, not by
 * futctl's own table: two opinions that must agree.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include <jansson.h>

#include "../client/spark.h"
#include "certs.h"
#include "tests.h"
#include "sys.h"

#define DISP_TEST_TIMEOUT_S	40
#define DISP_STEP_MS		25	/* between two looks at futd */
#define DISP_FIRST_MS		5000	/* every target has a result by then */
#define DISP_CHANGE_MS		5000	/* a state changes within this */
#define DISP_PTY_COLS		72	/* the terminal of test_tty */
#define DISP_MAX_COLS		512	/* a line's columns we look at */
#define ELLIPSIS		"\xe2\x80\xa6"
#define SPARK_HISTORY		64	/* the history kept, results */
#define SPARK_TREND		16	/* status -w's TREND, cells */
#define SPARK_WAIT_MS		15000	/* 64 results at 50 ms and more */

/* Per TCase, made and removed by the runner (unchecked fixture). */
static char	root_dir[PATH_MAX];
static struct certs tcase_certs;
static int	cert_ok;

/* Per test (checked fixture). */
static struct sys_fx fx;

/* The switchable server of a test: listening on its port, or refusing. */
static struct sys_switch sw;

/* fixtures */

/* A self-signed certificate for localhost and 127.0.0.1, 90 days. */
static void
root_setup(void)
{
	char cert[PATH_MAX], key[PATH_MAX];
	const char *const argv[] = {
		"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
		"ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
		"-out", cert, "-days", "90", "-subj", "/CN=localhost",
		"-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", NULL
	};

	sys_root_setup(root_dir, sizeof(root_dir));
	tcase_certs.dir = root_dir;
	sys_path_in(cert, sizeof(cert), root_dir, "cert.pem");
	sys_path_in(key, sizeof(key), root_dir, "key.pem");
	cert_ok = certs_run(&tcase_certs, argv) == 0;
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "display tests");
}

static void
fx_setup(void)
{
	sys_fx_setup(&fx, root_dir);
	sw.hold = sw.lsn = -1;
	sw.port = 0;
}

static void
fx_teardown(void)
{
	sys_switch_close(&sw);
	sys_fx_teardown(&fx);
}

/* servers */

/* A server of ours (argv[0] a name in the build) on a free port: it. */
static unsigned
srv_start(const char *prog, const char *const opts[])
{
	const char *argv[24];
	char bin[PATH_MAX];
	unsigned port = 0;
	size_t n = 0, i;

	sys_bin(bin, sizeof(bin), prog);
	argv[n++] = bin;
	argv[n++] = "-t";
	argv[n++] = "60";
	for (i = 0; opts != NULL && opts[i] != NULL && n < 20; i++)
		argv[n++] = opts[i];
	argv[n++] = "0";
	argv[n] = NULL;
	ck_assert_msg(sys_spawn_ready(fx.dir, argv, NULL, &port) != -1,
	    "%s did not start (is it built?)", bin);
	return port;
}

static unsigned
tlssrv_start(void)
{
	char cert[PATH_MAX], key[PATH_MAX];
	const char *opts[] = { "-c", cert, "-k", key, NULL };

	ck_assert_msg(cert_ok, "no certificate: %s", tcase_certs.error);
	sys_path_in(cert, sizeof(cert), root_dir, "cert.pem");
	sys_path_in(key, sizeof(key), root_dir, "key.pem");
	return srv_start("tlssrv", opts);
}

/* futctl */

/* futctl -s sock ARGS... with env ("NAME=VALUE", or "NAME" to unset). */
static int
futctl_env(struct sys_out *out, const char *const env[],
    const char *const args[])
{
	const char *argv[16];
	char bin[PATH_MAX];
	size_t n = 0, i;

	sys_bin(bin, sizeof(bin), "futctl");
	argv[n++] = bin;
	argv[n++] = "-s";
	argv[n++] = fx.sock;
	for (i = 0; args[i] != NULL && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return sys_run(argv, env, SYS_RUN_MS, out);
}

/*
 * futctl ARGS... on a terminal of cols columns, with COLUMNS=200 in its
 * environment (the terminal wins): what it printed, "\r\n" as "\n".
 */
static char *
futctl_tty(unsigned short cols, const char *const args[])
{
	struct winsize ws = { .ws_row = 50, .ws_col = cols };
	const char *argv[16];
	char bin[PATH_MAX], buf[4096], *text = NULL;
	size_t len = 0, n = 0, i;
	uint64_t deadline = sys_now_ms() + SYS_RUN_MS;
	struct pollfd pfd;
	FILE *f;
	ssize_t r;
	pid_t pid, w;
	int master, slave, status;

	sys_bin(bin, sizeof(bin), "futctl");
	argv[n++] = bin;
	argv[n++] = "-s";
	argv[n++] = fx.sock;
	for (i = 0; args[i] != NULL && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	ck_assert_msg(openpty(&master, &slave, NULL, NULL, &ws) == 0,
	    "openpty: %s", strerror(errno));
	if ((pid = fork()) == 0) {
		dup2(slave, STDOUT_FILENO);
		close(master);
		close(slave);
		setenv("COLUMNS", "200", 1);
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	ck_assert_msg(pid != -1, "fork: %s", strerror(errno));
	close(slave);
	ck_assert((f = open_memstream(&text, &len)) != NULL);
	pfd.fd = master;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, sys_left_ms(deadline)) <= 0)
			break;
		/* EIO: the child is gone and its side closed */
		if ((r = read(master, buf, sizeof(buf))) <= 0)
			break;
		for (i = 0; i < (size_t)r; i++)
			if (buf[i] != '\r')
				fputc(buf[i], f);
	}
	fclose(f);
	close(master);
	/* its side closed as it exits: the exit itself comes soon after */
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 &&
	    sys_left_ms(deadline) > 0)
		sys_sleep_ms(5);
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		ck_abort_msg("futctl on a terminal did not finish: %s", text);
	}
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "futctl on a terminal: status %d: %s", status, text);
	return text;
}

/* display columns */

/*
 * The columns of a line on a terminal, by glibc's wcwidth() in C.UTF-8;
 * in mask (when not NULL, DISP_MAX_COLS of it), ' ' for each column
 * that shows a blank, 'x' for the others.
 */
static size_t
disp_width(const char *s, size_t len, char *mask)
{
	locale_t loc, old;
	mbstate_t st;
	wchar_t wc;
	size_t n, w = 0;
	int cw;

	loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	ck_assert_msg(loc != (locale_t)0, "no C.UTF-8 locale");
	old = uselocale(loc);
	memset(&st, 0, sizeof(st));
	while (len > 0) {
		n = mbrtowc(&wc, s, len, &st);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&st, 0, sizeof(st));
			n = 1;
			cw = 1;
			wc = L'?';
		} else {
			if (n == 0)
				n = 1;
			if ((cw = wcwidth(wc)) < 0)
				cw = 1;
		}
		for (; cw > 0; cw--, w++)
			if (mask != NULL && w < DISP_MAX_COLS)
				mask[w] = wc == L' ' ? ' ' : 'x';
		s += n;
		len -= n;
	}
	if (mask != NULL)
		mask[w < DISP_MAX_COLS ? w : DISP_MAX_COLS - 1] = '\0';
	uselocale(old);
	freelocale(loc);
	return w;
}

/* The widest line of text, in display columns. */
static size_t
disp_widest(const char *text)
{
	const char *p = text, *end;
	size_t w, max = 0;

	for (; *p != '\0'; p = *end == '\n' ? end + 1 : end) {
		end = strchrnul(p, '\n');
		if ((w = disp_width(p, (size_t)(end - p), NULL)) > max)
			max = w;
	}
	return max;
}

static void
assert_fits(const char *text, size_t cols, const char *what)
{
	size_t w = disp_widest(text);

	ck_assert_msg(w <= cols, "%s: a line of %zu columns, more than %zu:\n%s",
	    what, w, cols, text);
}

/* A column of the header: where its word starts and ends (columns). */
struct disp_col {
	const char	*name;
	int		 right;		/* right-aligned: the end matters */
	size_t		 start, end;
};

/*
 * Every row lines up with the header: a left-aligned column's cell
 * starts where its header does, two blanks before it; a right-aligned
 * one's ends where its header does, a blank after it.  A line that is a
 * name alone (longer than the name column) is skipped; rows that are an
 * address under its target (indented) are checked for the columns they
 * fill (AVAIL and LAST).
 */
static void
assert_aligned(const char *text, struct disp_col *cols, size_t ncols,
    const char *what)
{
	char mask[DISP_MAX_COLS + 1], hdr[DISP_MAX_COLS + 1];
	const char *p = text, *end, *word;
	size_t c, n = 0, len;
	int sub;

	end = strchrnul(p, '\n');
	disp_width(p, (size_t)(end - p), hdr);
	for (c = 0; c < ncols; c++) {
		word = strstr(p, cols[c].name);
		ck_assert_msg(word != NULL && word < end, "%s: no %s in the "
		    "header:\n%s", what, cols[c].name, text);
		cols[c].start = disp_width(p, (size_t)(word - p), NULL);
		cols[c].end = cols[c].start + strlen(cols[c].name);
	}
	for (p = *end == '\n' ? end + 1 : end; *p != '\0'; p = *end == '\n' ?
	    end + 1 : end) {
		end = strchrnul(p, '\n');
		len = (size_t)(end - p);
		if (memchr(p, ' ', len) == NULL)
			continue;		/* a name alone */
		disp_width(p, len, mask);
		sub = strncmp(p, "  ", 2) == 0 && p[2] != ' ';
		n++;
		for (c = 0; c < ncols; c++) {
			const struct disp_col *k = &cols[c];

			if (sub && strcmp(k->name, "AVAIL") != 0 &&
			    strcmp(k->name, "LAST") != 0)
				continue;
			if (k->right)
				ck_assert_msg(k->end <= strlen(mask) &&
				    mask[k->end - 1] == 'x' &&
				    (mask[k->end] == ' ' ||
				    mask[k->end] == '\0'), "%s: %s not aligned "
				    "in \"%.*s\":\n%s", what, k->name, (int)len,
				    p, text);
			else if (k->start > 0)
				ck_assert_msg(k->start < strlen(mask) &&
				    mask[k->start] == 'x' &&
				    mask[k->start - 1] == ' ' &&
				    mask[k->start - 2] == ' ', "%s: %s not "
				    "aligned in \"%.*s\":\n%s", what, k->name,
				    (int)len, p, text);
		}
	}
	ck_assert_msg(n > 0, "%s: no rows:\n%s", what, text);
}

static void
assert_has(const char *text, const char *want, const char *what)
{
	ck_assert_msg(text != NULL && strstr(text, want) != NULL,
	    "%s: no \"%s\" in:\n%s", what, want, text != NULL ? text : "");
}

/* The line of text that starts with prefix (a copy), or NULL. */
static char *
line_of(const char *text, const char *prefix)
{
	const char *p = text, *end;
	size_t n = strlen(prefix);

	for (; *p != '\0'; p = *end == '\n' ? end + 1 : end) {
		end = strchrnul(p, '\n');
		if (strncmp(p, prefix, n) == 0)
			return strndup(p, (size_t)(end - p));
	}
	return NULL;
}

/* futd */

/*
 * Ask futd until every target named has a result and, if certs, the
 * TLS ones a certificate seen; that status (the caller's).
 */
static json_t *
wait_results(const char *const names[], int certs)
{
	uint64_t deadline = sys_now_ms() + DISP_FIRST_MS;
	const json_t *t;
	json_t *st;
	size_t i;
	int ready;

	for (;;) {
		st = sys_status_get(fx.sock);
		for (ready = 1, i = 0; ready && names[i] != NULL; i++) {
			t = sys_target_get(st, names[i]);
			ready = t != NULL && json_is_boolean(json_object_get(t,
			    "last_ok")) && (!certs ||
			    json_object_get(t, "cert") == NULL ||
			    json_is_integer(json_object_get(json_object_get(t,
			    "cert"), "days_left")));
		}
		if (ready)
			return st;
		json_decref(st);
		ck_assert_msg(sys_left_ms(deadline) > 0, "not every target "
		    "had a result within %d ms", DISP_FIRST_MS);
		sys_sleep_ms(DISP_STEP_MS);
	}
}

/*
 * Ask futd until target name is in state (and, if last_ok >= 0, its last
 * probe ok or not); that status (the caller's).
 */
static json_t *
wait_state(const char *name, const char *state, int last_ok)
{
	return sys_wait_state(fx.sock, &sw, name, state, last_ok,
	    DISP_CHANGE_MS);
}

/* ================================================================ */

/*
 * 1. TLS targets (CERT), long errors and a long name: status keeps to
 * 80 columns when it is not a terminal, with COLUMNS=80 or without
 * COLUMNS; to COLUMNS=100 when it says so; aligned, a cut marked with
 * "…" in a UTF-8 locale and "..." in the C locale.  -w cuts nothing.
 */
START_TEST(test_fits)
{
	static const char *const names[] = {
		"web", "web-noverify-warn", "banner-mismatch-with-a-long-name",
		"closed", NULL
	};
	static const char *const status[] = { "status", NULL };
	static const char *const wide[] = { "status", "-w", NULL };
	static const char *const utf8_80[] = {
		"COLUMNS=80", "LC_ALL=C.UTF-8", NULL };
	static const char *const c_80[] = { "COLUMNS=80", "LC_ALL=C", NULL };
	static const char *const none[] = { "COLUMNS", "LC_ALL=C.UTF-8", NULL };
	static const char *const c_100[] = {
		"COLUMNS=100", "LC_ALL=C.UTF-8", NULL };
	struct disp_col cols[] = {
		{ "NAME", 0, 0, 0 }, { "STATE", 0, 0, 0 },
		{ "SINCE", 1, 0, 0 }, { "AVAIL", 1, 0, 0 },
		{ "P50", 1, 0, 0 }, { "P99", 1, 0, 0 },
		{ "CERT", 0, 0, 0 }, { "LAST", 0, 0, 0 },
	};
	struct sys_out out;
	unsigned tls, banner;
	const char *bopts[] = { "-m", "banner", "-B",
	    "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\\r\\n", NULL };
	int fd;
	unsigned refused;
	char *line;

	tls = tlssrv_start();
	banner = srv_start("testsrv", bopts);
	ck_assert(sys_bound_port(&fd, &refused) == 0);
	sys_fx_fd(&fx, fd);
	sys_write_filef(fx.conf, "defaults = { interval = 0.5; timeout = 2; };\n"
	    "targets = (\n"
	    "  { name = \"web\"; host = \"127.0.0.1\"; port = %u; "
	    "tls = true; },\n"
	    "  { name = \"web-noverify-warn\"; host = \"localhost\"; "
	    "port = %u; tls = true; verify = false; cert_warn_days = 100; },\n"
	    "  { name = \"banner-mismatch-with-a-long-name\"; "
	    "host = \"127.0.0.1\"; port = %u; expect = \"SSH-1.99-\"; "
	    "read_limit = 20; },\n"
	    "  { name = \"closed\"; host = \"127.0.0.1\"; port = %u; }\n"
	    ");\n", tls, tls, banner, refused);
	sys_fx_futd(&fx);
	json_decref(wait_results(names, 1));

	/* a pipe, COLUMNS=80, UTF-8: 80 columns, cut with "…" */
	ck_assert_int_eq(futctl_env(&out, utf8_80, status), 0);
	assert_fits(out.out, 80, "status, COLUMNS=80");
	assert_aligned(out.out, cols, sizeof(cols) / sizeof(cols[0]),
	    "status, COLUMNS=80");
	assert_has(out.out, ELLIPSIS, "status, COLUMNS=80, C.UTF-8");
	ck_assert_msg(strstr(out.out, "...") == NULL, "\"...\" in C.UTF-8:\n"
	    "%s", out.out);
	/* the long name on a line of its own, its row below */
	line = line_of(out.out, "banner-mismatch-with-a-long-name");
	ck_assert_msg(line != NULL && strchr(line, ' ') == NULL,
	    "the long name is not alone on its line:\n%s", out.out);
	free(line);
	/* CERT abbreviated, not cut */
	line = line_of(out.out, "web-noverify-warn ");
	ck_assert_msg(line != NULL && strstr(line, "d warn") != NULL,
	    "no \"d warn\" for web-noverify-warn:\n%s", out.out);
	free(line);
	sys_out_free(&out);

	/* the C locale: "..." */
	ck_assert_int_eq(futctl_env(&out, c_80, status), 0);
	assert_fits(out.out, 80, "status, COLUMNS=80, LC_ALL=C");
	assert_aligned(out.out, cols, sizeof(cols) / sizeof(cols[0]),
	    "status, LC_ALL=C");
	assert_has(out.out, "...", "status, LC_ALL=C");
	ck_assert_msg(strstr(out.out, ELLIPSIS) == NULL, "\"…\" in the C "
	    "locale:\n%s", out.out);
	sys_out_free(&out);

	/* no COLUMNS, not a terminal: 80 */
	ck_assert_int_eq(futctl_env(&out, none, status), 0);
	assert_fits(out.out, 80, "status, no COLUMNS");
	assert_aligned(out.out, cols, sizeof(cols) / sizeof(cols[0]),
	    "status, no COLUMNS");
	sys_out_free(&out);

	/* COLUMNS=100: wider, still within */
	ck_assert_int_eq(futctl_env(&out, c_100, status), 0);
	assert_fits(out.out, 100, "status, COLUMNS=100");
	ck_assert_msg(disp_widest(out.out) > 80, "COLUMNS=100 used 80 at "
	    "most:\n%s", out.out);
	assert_aligned(out.out, cols, sizeof(cols) / sizeof(cols[0]),
	    "status, COLUMNS=100");
	sys_out_free(&out);

	/* -w: all of it, whatever COLUMNS says */
	ck_assert_int_eq(futctl_env(&out, utf8_80, wide), 0);
	ck_assert_msg(disp_widest(out.out) > 80, "-w kept to 80:\n%s",
	    out.out);
	assert_has(out.out, "reply did not match", "-w");
	assert_has(out.out, "self-signed certificate", "-w");
	assert_has(out.out, "d warning unverified", "-w");
	assert_has(out.out, "Connection refused", "-w");
	ck_assert_msg(strstr(out.out, ELLIPSIS) == NULL &&
	    strstr(out.out, "...") == NULL, "-w cut something:\n%s", out.out);
	line = line_of(out.out, "banner-mismatch-with-a-long-name ");
	ck_assert_msg(line != NULL, "-w: the long name not on its row:\n%s",
	    out.out);
	free(line);
	sys_out_free(&out);
}
END_TEST

/*
 * 2. On a terminal, its width (TIOCGWINSZ) wins over COLUMNS=200; show's
 * values and log's events go on below where they are wider.
 */
START_TEST(test_tty)
{
	static const char *const names[] = { "web-tls-with-a-long-name",
	    "closed-with-a-long-name", NULL };
	static const char *const status[] = { "status", NULL };
	static const char *const show[] = { "show", "web-tls-with-a-long-name",
	    NULL };
	static const char *const logcmd[] = { "log", NULL };
	static const char *const c_80[] = { "COLUMNS=80", "LC_ALL=C", NULL };
	struct sys_out out;
	struct disp_col cols[] = {
		{ "NAME", 0, 0, 0 }, { "STATE", 0, 0, 0 },
		{ "SINCE", 1, 0, 0 }, { "AVAIL", 1, 0, 0 },
		{ "CERT", 0, 0, 0 }, { "LAST", 0, 0, 0 },
	};
	unsigned tls, refused;
	char *text;
	int fd;

	tls = tlssrv_start();
	ck_assert(sys_bound_port(&fd, &refused) == 0);
	sys_fx_fd(&fx, fd);
	sys_write_filef(fx.conf, "defaults = { interval = 0.5; timeout = 2; };\n"
	    "targets = (\n"
	    "  { name = \"web-tls-with-a-long-name\"; host = \"127.0.0.1\"; "
	    "port = %u; tls = true; },\n"
	    "  { name = \"closed-with-a-long-name\"; host = \"127.0.0.1\"; "
	    "port = %u; }\n);\n", tls, refused);
	sys_fx_futd(&fx);
	json_decref(wait_results(names, 1));

	text = futctl_tty(DISP_PTY_COLS, status);
	assert_fits(text, DISP_PTY_COLS, "status on a terminal");
	assert_aligned(text, cols, sizeof(cols) / sizeof(cols[0]),
	    "status on a terminal");
	assert_has(text, "CERT", "status on a terminal");
	free(text);

	/* show and log go on below, under the value or the target */
	text = futctl_tty(DISP_PTY_COLS, show);
	assert_fits(text, DISP_PTY_COLS, "show on a terminal");
	assert_has(text, "\n             ", "show on a terminal");
	assert_has(text, "self-signed", "show on a terminal");
	free(text);
	text = futctl_tty(DISP_PTY_COLS, logcmd);
	assert_fits(text, DISP_PTY_COLS, "log on a terminal");
	assert_has(text, "\n                 ", "log on a terminal");
	free(text);
	/* into a pipe each event is one line, for grep */
	ck_assert_int_eq(futctl_env(&out, c_80, logcmd), 0);
	ck_assert_msg(strstr(out.out, "\n ") == NULL &&
	    disp_widest(out.out) > 80, "log into a pipe wrapped:\n%s",
	    out.out);
	sys_out_free(&out);
}
END_TEST

/*
 * 3. rise 5, fall 5: an up target whose last probe failed says how many
 * of fall it has; a down one whose last probe succeeded says "ok", the
 * address and how many of rise, not the address alone.
 */
START_TEST(test_last_against_state)
{
	static const char *const status[] = { "status", NULL };
	static const char *const env[] = { "COLUMNS=200", NULL };
	struct sys_out out;
	const json_t *t;
	json_t *st;
	char want[128], *line;
	long long n;

	sys_switch_init(&sw);
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"slow\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.3; timeout = 1; rise = 5; fall = 5; }\n);\n",
	    sw.port);
	sys_switch_on(&sw);
	sys_fx_futd(&fx);
	json_decref(wait_state("slow", "up", 1));

	/* up, the last probe failed: (k of fall 5) */
	sys_switch_off(&sw);
	st = wait_state("slow", "up", 0);
	t = sys_target_get(st, "slow");
	ck_assert_int_eq(sys_jint(t, "fall"), 5);
	ck_assert_int_ge(sys_jint(t, "streak"), 1);
	json_decref(st);
	ck_assert_int_eq(futctl_env(&out, env, status), 0);
	line = line_of(out.out, "slow ");
	ck_assert_msg(line != NULL && strstr(line, "Connection refused (") !=
	    NULL && strstr(line, " of fall 5)") != NULL, "up with a failure: "
	    "LAST does not say how far it is to fall:\n%s", out.out);
	free(line);
	sys_out_free(&out);

	/* down, the last probe ok: "ok 127.0.0.1:P (k of rise 5)" */
	json_decref(wait_state("slow", "down", 0));
	sys_switch_on(&sw);
	st = wait_state("slow", "down", 1);
	t = sys_target_get(st, "slow");
	ck_assert_int_eq(sys_jint(t, "rise"), 5);
	n = sys_jint(t, "streak");
	ck_assert_msg(n >= 1 && n < 5, "streak %lld", n);
	json_decref(st);
	ck_assert_int_eq(futctl_env(&out, env, status), 0);
	snprintf(want, sizeof(want), "ok 127.0.0.1:%u (", sw.port);
	line = line_of(out.out, "slow ");
	ck_assert_msg(line != NULL && strstr(line, " down ") != NULL &&
	    strstr(line, want) != NULL && strstr(line, " of rise 5)") != NULL,
	    "down with an ok probe: LAST does not say \"%s... of rise 5)\":\n"
	    "%s", want, out.out);
	free(line);
	sys_out_free(&out);

	/* show says it too, unless rise was reached meanwhile */
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "show", "slow",
	    (char *)NULL), 0);
	ck_assert_msg(strstr(out.out, "state:       up\n") != NULL ||
	    (strstr(out.out, "state:       down (") != NULL &&
	    strstr(out.out, " ok of rise 5 so far)") != NULL), "show: %s",
	    out.out);
	sys_out_free(&out);
}
END_TEST

/*
 * 4. A flapping target's SINCE counts from when it began to flap, not
 * from its last flip; show says both.
 */
START_TEST(test_flapping_since)
{
	static const char *const status[] = { "status", NULL };
	static const char *const env[] = { "COLUMNS=200", NULL };
	struct sys_out out;
	const json_t *t;
	json_t *st;
	char *line, state[32];
	unsigned secs;
	uint64_t began;

	sys_switch_init(&sw);
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"flappy\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; timeout = 1;\n"
	    "    rise = 1; fall = 1; flap_threshold = 2; }\n);\n", sw.port);
	sys_switch_on(&sw);
	sys_fx_futd(&fx);
	json_decref(wait_state("flappy", "up", -1));
	sys_switch_off(&sw);
	json_decref(wait_state("flappy", "down", -1));
	sys_switch_on(&sw);
	json_decref(wait_state("flappy", "up", -1));
	sys_switch_off(&sw);
	json_decref(wait_state("flappy", "flapping", -1));
	began = sys_now_ms();

	/* two seconds on, one more flip: still flapping, the flip recent */
	sys_sleep_ms(2200);
	sys_switch_on(&sw);
	st = wait_state("flappy", "flapping", 1);
	t = sys_target_get(st, "flappy");
	ck_assert_msg(sys_jreal(t, "for_s") < 1.5, "the last flip was %.1f s "
	    "ago", sys_jreal(t, "for_s"));
	ck_assert_msg(sys_jreal(t, "flapping_for_s") >= 2.0 &&
	    sys_jreal(t, "flapping_for_s") <= (sys_now_ms() - began) / 1e3 +
	    1.5, "flapping_for_s %.3f, flapping began %.3f s ago",
	    sys_jreal(t, "flapping_for_s"), (sys_now_ms() - began) / 1e3);
	json_decref(st);

	ck_assert_int_eq(futctl_env(&out, env, status), 0);
	line = line_of(out.out, "flappy ");
	ck_assert_msg(line != NULL && sscanf(line, "flappy %31s %us", state,
	    &secs) == 2, "no flappy row:\n%s", out.out);
	ck_assert_str_eq(state, "flapping");
	ck_assert_msg(secs >= 2, "SINCE %us: since the last flip, not since "
	    "it began to flap:\n%s", secs, out.out);
	free(line);
	sys_out_free(&out);

	ck_assert_int_eq(sys_futctl(&out, fx.sock, "show", "flappy",
	    (char *)NULL), 0);
	assert_has(out.out, "flapping:    since ", "show");
	assert_has(out.out, "since:       ", "show");
	sys_out_free(&out);
}
END_TEST

/*
 * 5. addresses = "each": two.test has 127.0.0.2 (refuses) and 127.0.0.3
 * (listens).  status has a row per address under its target, in the
 * answer's order, with its own result; probe a line per address and the
 * round's result (the failure); its JSON an "addresses" array.
 */
START_TEST(test_each)
{
	static const char *const names[] = { "each2", NULL };
	static const char *const status[] = { "status", NULL };
	static const char *const env[] = { "COLUMNS=80", NULL };
	struct disp_col cols[] = {
		{ "NAME", 0, 0, 0 }, { "STATE", 0, 0, 0 },
		{ "SINCE", 1, 0, 0 }, { "AVAIL", 1, 0, 0 },
		{ "LAST", 0, 0, 0 },
	};
	char zone[PATH_MAX], dlog[PATH_MAX], bin[PATH_MAX], a2[64], a3[64];
	char *l2, *l3;
	const char *dargv[] = { bin, "-t", "60", "-z", zone, "0", NULL };
	const char *sopts[] = { "-b", "127.0.0.3", NULL };
	const char *p;
	struct sys_out out;
	const json_t *list;
	json_t *j;
	unsigned dns, port;
	int fd, rc;

	port = srv_start("testsrv", sopts);
	/* 127.0.0.2:port held, never listening: refused */
	fd = sys_socket_at("127.0.0.2", port);
	ck_assert_msg(fd != -1, "bind 127.0.0.2:%u: %s", port,
	    strerror(errno));
	sys_fx_fd(&fx, fd);
	sys_path_in(zone, sizeof(zone), fx.dir, "zone");
	sys_write_filef(zone, "two.test A 60 127.0.0.2\n"
	    "two.test A 60 127.0.0.3\n");
	sys_bin(bin, sizeof(bin), "testdns");
	sys_path_in(dlog, sizeof(dlog), fx.dir, "testdns.log");
	ck_assert_msg(sys_spawn_ready(fx.dir, dargv, dlog, &dns) != -1,
	    "testdns did not start");
	sys_write_filef(fx.conf, "nameservers = [\"127.0.0.1:%u\"];\n"
	    "dns_timeout = 1.0;\n"
	    "targets = (\n"
	    "  { name = \"each2\"; host = \"two.test\"; port = %u; "
	    "addresses = \"each\"; interval = 0.3; timeout = 1; }\n);\n",
	    dns, port);
	sys_fx_futd(&fx);
	json_decref(wait_results(names, 0));
	snprintf(a2, sizeof(a2), "  127.0.0.2:%u ", port);
	snprintf(a3, sizeof(a3), "  127.0.0.3:%u ", port);

	ck_assert_int_eq(futctl_env(&out, env, status), 0);
	assert_fits(out.out, 80, "status with addresses");
	assert_aligned(out.out, cols, sizeof(cols) / sizeof(cols[0]),
	    "status with addresses");
	p = strstr(out.out, "\neach2 ");
	ck_assert_msg(p != NULL, "no each2 row:\n%s", out.out);
	ck_assert_msg(strncmp(strchr(p + 1, '\n') + 1, a2, strlen(a2)) == 0,
	    "no row for %s under each2:\n%s", a2, out.out);
	l2 = line_of(out.out, a2);
	l3 = line_of(out.out, a3);
	ck_assert_msg(l2 != NULL && l3 != NULL, "no row per address:\n%s",
	    out.out);
	ck_assert_msg(strstr(l2, "0.00%") != NULL && (strstr(l2,
	    "Connection refused") != NULL || strstr(l2, "refused") != NULL),
	    "127.0.0.2's row: %s", l2);
	ck_assert_msg(strstr(l3, "100.00%") != NULL &&
	    strstr(l3, "ok in ") != NULL, "127.0.0.3's row: %s", l3);
	ck_assert_msg(strstr(out.out, a2) < strstr(out.out, a3),
	    "addresses out of order:\n%s", out.out);
	free(l2);
	free(l3);
	sys_out_free(&out);

	/* probe: a line per address, then the round's result */
	rc = sys_futctl(&out, fx.sock, "probe", "each2", (char *)NULL);
	ck_assert_msg(rc == 2, "probe each2: %d, want 2:\n%s%s", rc, out.out,
	    out.err);
	snprintf(a2, sizeof(a2), "address:     127.0.0.2:%u  FAILED after ",
	    port);
	snprintf(a3, sizeof(a3), "address:     127.0.0.3:%u  ok in ", port);
	assert_has(out.out, a2, "probe each2");
	assert_has(out.out, "Connection refused", "probe each2");
	assert_has(out.out, a3, "probe each2");
	ck_assert_msg(strstr(out.out, a2) < strstr(out.out, a3) &&
	    strstr(out.out, a3) < strstr(out.out, "result:      FAILED"),
	    "probe each2 in the wrong order:\n%s", out.out);
	sys_out_free(&out);

	ck_assert_int_eq(sys_futctl(&out, fx.sock, "--json", "probe", "each2",
	    (char *)NULL), 2);
	ck_assert((j = json_loads(out.out, 0, NULL)) != NULL);
	list = json_object_get(json_object_get(j, "data") != NULL ?
	    json_object_get(j, "data") : j, "addresses");
	ck_assert_msg(json_array_size(list) == 2, "--json probe: %s",
	    out.out);
	ck_assert_msg(json_is_true(json_object_get(json_object_get(
	    json_array_get(list, 1), "last"), "ok")), "--json probe: %s",
	    out.out);
	json_decref(j);
	sys_out_free(&out);

	/* the log says which address failed: the round's words alone do not */
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "log", "each2",
	    (char *)NULL), 0);
	snprintf(a2, sizeof(a2), "unknown -> down (127.0.0.2:%u: Connection "
	    "refused, ", port);
	assert_has(out.out, a2, "log each2");
	sys_out_free(&out);
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "check", "each2",
	    (char *)NULL), 2);
	snprintf(a2, sizeof(a2), " is down for ");
	assert_has(out.out, a2, "check each2");
	snprintf(a2, sizeof(a2), ": 127.0.0.2:%u: Connection refused, ", port);
	assert_has(out.out, a2, "check each2");
	sys_out_free(&out);
}
END_TEST

/*
 * The help of futctl and of futd, read on an 80-column terminal: no line
 * wraps (futctl -h's metrics line was 82 columns).
 */
START_TEST(test_help)
{
	static const char *const progs[] = { "futctl", "futd" };
	char bin[PATH_MAX];
	const char *argv[] = { bin, "-h", NULL };
	struct sys_out out;
	size_t i;

	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		sys_bin(bin, sizeof(bin), progs[i]);
		ck_assert_int_eq(sys_run(argv, NULL, SYS_RUN_MS, &out), 0);
		ck_assert_msg(strstr(out.out, "usage: ") != NULL, "%s -h:\n%s",
		    progs[i], out.out);
		assert_fits(out.out, 80, progs[i]);
		sys_out_free(&out);
	}
}
END_TEST

/* sparklines */

/*
 * Ask futd until target name has probed at least probes times and failed
 * at least failed times, accepting what came to sw meanwhile.
 */
static void
spark_wait(const char *name, long long probes, long long failed)
{
	uint64_t deadline = sys_now_ms() + SPARK_WAIT_MS;
	const json_t *t;
	json_t *st;
	int done;

	for (;;) {
		sys_switch_drain(&sw);
		st = sys_status_get(fx.sock);
		t = sys_target_get(st, name);
		done = sys_jint(t, "probes") >= probes &&
		    sys_jint(t, "failed") >= failed;
		json_decref(st);
		if (done)
			return;
		ck_assert_msg(sys_left_ms(deadline) > 0, "%s: not %lld probes, "
		    "%lld failed within %d ms", name, probes, failed,
		    SPARK_WAIT_MS);
		sys_sleep_ms(DISP_STEP_MS);
	}
}

/* --json show name's history (the caller's), or NULL. */
static json_t *
spark_history(const char *name)
{
	json_t *j, *h;

	if ((j = sys_futctl_json(fx.sock, "show", name)) == NULL)
		return NULL;
	h = json_incref(json_object_get(json_object_get(j, "target"),
	    "history"));
	json_decref(j);
	return h;
}

/*
 * up (testsrv), down (a port that refuses) and flappy (sw: on for the
 * first history's worth, off for four failures, on again for four ok),
 * 64 results kept; then all of them disabled, so that what futctl draws
 * and what --json show says are of the same results: until two looks
 * 300 ms apart see the same history.
 */
static void
spark_futd(void)
{
	static const char *const names[] = { "up", "down", "flappy" };
	json_t *a, *b;
	unsigned up, refused;
	int fd, same, tries;
	size_t i;

	up = srv_start("testsrv", NULL);
	ck_assert(sys_bound_port(&fd, &refused) == 0);
	sys_fx_fd(&fx, fd);
	sys_switch_init(&sw);
	sys_switch_on(&sw);
	sys_write_filef(fx.conf, "history = %d;\n"
	    "defaults = { interval = 0.05; timeout = 1; };\n"
	    "targets = (\n"
	    "  { name = \"up\"; host = \"127.0.0.1\"; port = %u; },\n"
	    "  { name = \"down\"; host = \"127.0.0.1\"; port = %u; },\n"
	    "  { name = \"flappy\"; host = \"127.0.0.1\"; port = %u; }\n);\n",
	    SPARK_HISTORY, up, refused, sw.port);
	sys_fx_futd(&fx);
	spark_wait("flappy", SPARK_HISTORY, 0);
	sys_switch_off(&sw);
	spark_wait("flappy", 0, 4);
	sys_switch_on(&sw);
	spark_wait("flappy", SPARK_HISTORY + 12, 4);
	for (i = 0; i < 3; i++)
		spark_wait(names[i], SPARK_HISTORY + 4, 0);
	ck_assert_int_eq(sys_futctl(NULL, fx.sock, "disable", "*",
	    (char *)NULL), 0);
	for (i = 0; i < 3; i++) {
		for (same = 0, tries = 0; !same && tries < 20; tries++) {
			a = spark_history(names[i]);
			sys_sleep_ms(300);
			b = spark_history(names[i]);
			same = a != NULL && json_equal(a, b);
			json_decref(a);
			json_decref(b);
		}
		ck_assert_msg(same, "%s: the history did not stop", names[i]);
	}
}

/*
 * The sparkline of the newest cells results of a --json history, as
 * spark.c draws it (check_spark.c has its characters for known series).
 */
static void
spark_want(char *buf, const json_t *hist, size_t cells, int utf8,
    struct spark_scale *sc)
{
	struct spark_point pts[SPARK_HISTORY];
	const json_t *r;
	size_t n = json_array_size(hist), i;

	ck_assert_uint_eq(n, SPARK_HISTORY);
	for (i = 0; i < n; i++) {
		r = json_array_get(hist, n - 1 - i);	/* newest first */
		pts[i].kind = json_is_true(json_object_get(r, "ok")) ?
		    SPARK_OK : SPARK_FAIL;
		pts[i].us = (unsigned long long)sys_jint(r, "latency_us");
	}
	spark_draw(buf, SPARK_BUF, pts, n, cells, utf8, sc);
}

/* Count the times needle occurs in s. */
static size_t
count_of(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/*
 * 6. show's "history:" line: the last 60 of the 64 results, newest on
 * the right, the characters those futd's history says (✗ where a probe
 * failed, a block where it did not), the scale in words; "x" and
 * "_.:-=+*#" in the C locale; at most 60 columns of sparkline, the line
 * within COLUMNS=80, and fewer cells where COLUMNS=50 has less room.
 */
START_TEST(test_show_spark)
{
	static const char *const names[] = { "up", "down", "flappy" };
	static const char *const envs[][3] = {
		{ "COLUMNS=200", "LC_ALL=C.UTF-8", NULL },
		{ "COLUMNS=200", "LC_ALL=C", NULL },
		{ "COLUMNS=80", "LC_ALL=C.UTF-8", NULL },
		{ "COLUMNS=50", "LC_ALL=C.UTF-8", NULL },
	};
	struct spark_scale sc;
	struct sys_out out;
	char want[SPARK_BUF], words[64], *line, *end;
	const char *args[] = { "show", NULL, NULL };
	json_t *hist;
	size_t i, e, w;

	spark_futd();
	for (i = 0; i < 3; i++) {
		hist = spark_history(names[i]);
		args[1] = names[i];
		for (e = 0; e < sizeof(envs) / sizeof(envs[0]); e++) {
			ck_assert_int_eq(futctl_env(&out, envs[e], args), 0);
			line = line_of(out.out, "history:     ");
			ck_assert_msg(line != NULL, "show %s, %s: no history "
			    "line:\n%s", names[i], envs[e][1], out.out);
			ck_assert_msg((end = strstr(line + 13, "  ")) != NULL,
			    "show %s: %s", names[i], line);
			*end = '\0';
			w = disp_width(line + 13, strlen(line + 13), NULL);
			ck_assert_msg(w <= 60, "%s: a sparkline of %zu columns",
			    names[i], w);
			spark_want(want, hist, w, strcmp(envs[e][1],
			    "LC_ALL=C") != 0, &sc);
			ck_assert_msg(strcmp(line + 13, want) == 0, "show %s, "
			    "%s, %s: \"%s\", want \"%s\"", names[i],
			    envs[e][0], envs[e][1], line + 13, want);
			*end = ' ';
			if (sc.ok == 0)
				snprintf(words, sizeof(words), "no ok result");
			else
				snprintf(words, sizeof(words), ", %s",
				    sc.log ? "log" : "linear");
			assert_has(line, words, names[i]);
			if (e < 2)
				ck_assert_uint_eq(w, 60);
			if (e == 1)	/* ASCII alone */
				ck_assert_msg(strspn(line, " _.:-=+*#x"
				    "abcdefghijklmnopqrstuvwxyz0123456789,") ==
				    strlen(line), "LC_ALL=C: %s", line);
			/* (show's table of results is wider than 50) */
			assert_fits(e == 3 ? line : out.out, e == 2 ? 80 :
			    e == 3 ? 50 : 200, envs[e][0]);
			if (e == 3)
				ck_assert_msg(w < 50 - 13, "COLUMNS=50: %zu "
				    "cells", w);
			free(line);
			sys_out_free(&out);
		}
		/* what each target is known for, in its 60 cells */
		spark_want(want, hist, 60, 1, &sc);
		if (strcmp(names[i], "down") == 0)
			ck_assert_msg(count_of(want, "✗") == 60, "%s", want);
		else if (strcmp(names[i], "up") == 0)
			ck_assert_msg(count_of(want, "✗") == 0, "%s", want);
		else
			ck_assert_msg(count_of(want, "✗") >= 4 &&
			    count_of(want, "✗") < 60, "%s", want);
		json_decref(hist);
	}
}
END_TEST

/*
 * 7. status -w: TREND last, the last 16 results of each target as show
 * draws them (flappy's failures in them), aligned under its header as
 * every other column, in C.UTF-8 and in C; not in status without -w, and
 * --json status -w as it was: no history in it.
 */
START_TEST(test_status_trend)
{
	static const char *const names[] = { "up", "down", "flappy" };
	static const char *const wide[] = { "status", "-w", NULL };
	static const char *const narrow[] = { "status", NULL };
	static const char *const jwide[] = { "--json", "status", "-w", NULL };
	static const char *const envs[][3] = {
		{ "COLUMNS=80", "LC_ALL=C.UTF-8", NULL },
		{ "COLUMNS=80", "LC_ALL=C", NULL },
	};
	struct disp_col cols[] = {
		{ "NAME", 0, 0, 0 }, { "STATE", 0, 0, 0 },
		{ "SINCE", 1, 0, 0 }, { "AVAIL", 1, 0, 0 },
		{ "P50", 1, 0, 0 }, { "P99", 1, 0, 0 },
		{ "LATENCY", 1, 0, 0 }, { "OK/FAILED", 1, 0, 0 },
		{ "LAST", 0, 0, 0 }, { "TREND", 0, 0, 0 },
	};
	struct spark_scale sc;
	struct sys_out out;
	char want[SPARK_BUF], prefix[32], *line, *hdr;
	const char *cell;
	json_t *hist, *j, *t;
	size_t i, e, k;

	spark_futd();
	for (e = 0; e < 2; e++) {
		ck_assert_int_eq(futctl_env(&out, envs[e], wide), 0);
		assert_aligned(out.out, cols, sizeof(cols) / sizeof(cols[0]),
		    "status -w");
		hdr = line_of(out.out, "NAME ");
		ck_assert_msg(hdr != NULL && strlen(hdr) > 5 && strcmp(hdr +
		    strlen(hdr) - 5, "TREND") == 0, "TREND not last:\n%s",
		    out.out);
		for (i = 0; i < 3; i++) {
			hist = spark_history(names[i]);
			spark_want(want, hist, SPARK_TREND, e == 0, &sc);
			snprintf(prefix, sizeof(prefix), "%s ", names[i]);
			line = line_of(out.out, prefix);
			ck_assert_msg(line != NULL, "no %s row:\n%s", names[i],
			    out.out);
			/* the cell: from TREND's column to the end */
			for (k = 0; line[k] != '\0' && (((unsigned char)
			    line[k] & 0xc0) == 0x80 || disp_width(line, k,
			    NULL) < cols[9].start); k++)
				;
			cell = line + k;
			ck_assert_msg(strcmp(cell, want) == 0, "status -w, %s, "
			    "%s: TREND \"%s\", want \"%s\":\n%s", envs[e][1],
			    names[i], cell, want, out.out);
			ck_assert_uint_eq(disp_width(cell, strlen(cell), NULL),
			    SPARK_TREND);
			if (strcmp(names[i], "flappy") == 0)
				ck_assert_msg(strstr(cell, e == 0 ? "✗" : "x")
				    != NULL, "flappy's failures not in its "
				    "TREND: %s", cell);
			free(line);
			json_decref(hist);
		}
		free(hdr);
		sys_out_free(&out);
	}

	ck_assert_int_eq(futctl_env(&out, envs[0], narrow), 0);
	ck_assert_msg(strstr(out.out, "TREND") == NULL && strstr(out.out,
	    "▁") == NULL, "TREND without -w:\n%s", out.out);
	sys_out_free(&out);

	ck_assert_int_eq(futctl_env(&out, envs[0], jwide), 0);
	ck_assert((j = json_loads(out.out, 0, NULL)) != NULL);
	json_array_foreach(json_object_get(j, "targets"), i, t)
		ck_assert_msg(json_object_get(t, "history") == NULL,
		    "--json status -w has a history:\n%s", out.out);
	json_decref(j);
	sys_out_free(&out);
}
END_TEST

Suite *
display_suite(void)
{
	Suite *s = suite_create("display");
	TCase *tc = tcase_create("status");

	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, DISP_TEST_TIMEOUT_S);
	tcase_add_test(tc, test_fits);
	tcase_add_test(tc, test_tty);
	tcase_add_test(tc, test_last_against_state);
	tcase_add_test(tc, test_flapping_since);
	tcase_add_test(tc, test_each);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_show_spark);
	tcase_add_test(tc, test_status_trend);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, spark_tcase());
	return s;
}
