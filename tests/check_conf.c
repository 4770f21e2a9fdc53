/*
 * check_conf.c - conf_load() on the files under tests/data, and
 * target_conf_compare().
 *
 * A good file must come back with every field as written (and the
 * documented defaults where nothing is written); a bad file must come back
 * NULL with the exact "file:line: problem" text a user would read from
 * `futd -n` or a failed reload.  The data directory is
 * $FUTD_SRCDIR/tests/data when FUTD_SRCDIR is set, else tests/data relative
 * to the cwd (`make check` runs from the repo root).
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "strlist.h"
#include "sys.h"
#include "target_conf.h"
#include "tests.h"
#include "tls.h"

#define PATH_LEN	4096

static struct strlist	 errs;
static struct conf	*conf;

static void
conf_setup(void)
{
	memset(&errs, 0, sizeof(errs));
	conf = NULL;
}

static void
conf_teardown(void)
{
	conf_free(conf);
	conf = NULL;
	strlist_clear(&errs);
}

/* The path of a file under the test data directory. */
static const char *
data_path(char *buf, size_t len, const char *rel)
{
	const char *src = getenv("FUTD_SRCDIR");
	int n;

	if (src != NULL && *src != '\0')
		n = snprintf(buf, len, "%s/tests/data/%s", src, rel);
	else
		n = snprintf(buf, len, "tests/data/%s", rel);
	ck_assert_msg(n > 0 && (size_t)n < len, "data path too long: %s", rel);
	return buf;
}

/* Every message of errs on its own line, for failure reports. */
static const char *
errs_text(const struct strlist *l)
{
	static char buf[8192];
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < l->n && off < sizeof(buf); i++) {
		n = snprintf(buf + off, sizeof(buf) - off, "\n  [%s]",
		    l->msg[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return l->n == 0 ? " (none)" : buf;
}

static int
errs_has(const struct strlist *l, const char *msg)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->msg[i], msg) == 0)
			return 1;
	return 0;
}

/* Load a file that must be good; the global conf holds it. */
static struct conf *
load_good(const char *rel)
{
	char path[PATH_LEN];

	data_path(path, sizeof(path), rel);
	conf = conf_load(path, &errs, NULL);
	ck_assert_msg(conf != NULL, "%s should load (run from the repo root "
	    "or set FUTD_SRCDIR); errors:%s", path, errs_text(&errs));
	ck_assert_msg(errs.n == 0, "%s: unexpected errors:%s", path,
	    errs_text(&errs));
	ck_assert_str_eq(conf->path, path);
	return conf;
}

static const struct target_conf *
find_target(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ntargets; i++)
		if (strcmp(c->targets[i]->name, name) == 0)
			return c->targets[i];
	ck_abort_msg("no target \"%s\" in %s", name, c->path);
	return NULL;
}

static void
assert_inet(const struct target_conf *tc, const char *ip, uint16_t port)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, ip, &a), 1);
	ck_assert_msg(tc->numeric, "%s: host %s should be numeric", tc->name,
	    tc->host);
	ck_assert_int_eq(tc->addr.sa.sa_family, AF_INET);
	ck_assert_uint_eq(tc->addr.sin.sin_addr.s_addr, a.s_addr);
	ck_assert_uint_eq(ntohs(tc->addr.sin.sin_port), port);
}

START_TEST(test_good_full)
{
	const struct target_conf *tc;
	struct in6_addr a6;

	load_good("good/full.conf");
	ck_assert_str_eq(conf->control_socket, "/tmp/futd-test.sock");
	ck_assert_uint_eq(conf->history, 5);
	ck_assert_ptr_nonnull(conf->log_level);
	ck_assert_str_eq(conf->log_level, "debug");
	ck_assert_uint_eq(conf->ntargets, 4);

	/* sorted by name, whatever the file's order */
	ck_assert_str_eq(conf->targets[0]->name, "api");
	ck_assert_str_eq(conf->targets[1]->name, "echo");
	ck_assert_str_eq(conf->targets[2]->name, "greet");
	ck_assert_str_eq(conf->targets[3]->name, "web");

	/* defaults only: interval 2 (an integer), timeout 0.5 (a float) */
	tc = find_target(conf, "web");
	ck_assert_str_eq(tc->host, "192.0.2.10");
	ck_assert_uint_eq(tc->port, 80);
	ck_assert_int_eq(tc->kind, PROBE_PEERADDR);
	ck_assert_uint_eq(tc->interval_us, 2000000);
	ck_assert_uint_eq(tc->timeout_us, 500000);
	ck_assert_ptr_null(tc->payload);
	ck_assert_uint_eq(tc->payload_len, 0);
	ck_assert_int_eq(tc->line, 10);
	assert_inet(tc, "192.0.2.10", 80);

	/* own float interval, own integer timeout, payload with an escape */
	tc = find_target(conf, "echo");
	ck_assert_str_eq(tc->host, "::1");
	ck_assert_uint_eq(tc->port, 7);
	ck_assert_int_eq(tc->kind, PROBE_HELLO);
	ck_assert_uint_eq(tc->interval_us, 1500000);
	ck_assert_uint_eq(tc->timeout_us, 1000000);
	ck_assert_uint_eq(tc->payload_len, 5);
	ck_assert_mem_eq(tc->payload, "PING\n", 5);
	ck_assert_int_eq(tc->line, 11);
	ck_assert_msg(tc->numeric, "::1 should be numeric");
	ck_assert_int_eq(tc->addr.sa.sa_family, AF_INET6);
	ck_assert_int_eq(inet_pton(AF_INET6, "::1", &a6), 1);
	ck_assert_mem_eq(&tc->addr.sin6.sin6_addr, &a6, sizeof(a6));
	ck_assert_uint_eq(ntohs(tc->addr.sin6.sin6_port), 7);

	/* a name, explicit "peeraddr", own interval, default timeout */
	tc = find_target(conf, "api");
	ck_assert_str_eq(tc->host, "api.example.com");
	ck_assert_uint_eq(tc->port, 443);
	ck_assert_int_eq(tc->kind, PROBE_PEERADDR);
	ck_assert_uint_eq(tc->interval_us, 30000000);
	ck_assert_uint_eq(tc->timeout_us, 500000);
	ck_assert_ptr_null(tc->payload);
	ck_assert_int_eq(tc->line, 13);
	ck_assert_msg(!tc->numeric, "a host name is not numeric");

	/* hello without payload: the default; the extremes 0.001 and 86400 */
	tc = find_target(conf, "greet");
	ck_assert_str_eq(tc->host, "localhost");
	ck_assert_uint_eq(tc->port, 7777);
	ck_assert_int_eq(tc->kind, PROBE_HELLO);
	ck_assert_uint_eq(tc->interval_us, 86400ULL * 1000000);
	ck_assert_uint_eq(tc->timeout_us, 1000);
	ck_assert_uint_eq(tc->payload_len, strlen("hello world"));
	ck_assert_mem_eq(tc->payload, "hello world", tc->payload_len);
	ck_assert_msg(!tc->numeric, "localhost is a name, not numeric");
}
END_TEST

START_TEST(test_good_minimal_defaults)
{
	const struct target_conf *tc;

	load_good("good/minimal.conf");
	ck_assert_str_eq(conf->control_socket, "/run/futd.sock");
	ck_assert_uint_eq(conf->history, 64);
	ck_assert_ptr_null(conf->log_level);
	ck_assert_uint_eq(conf->ntargets, 2);

	tc = find_target(conf, "one");
	ck_assert_int_eq(tc->kind, PROBE_PEERADDR);
	ck_assert_uint_eq(tc->interval_us, 10000000);
	ck_assert_uint_eq(tc->timeout_us, 3000000);
	ck_assert_ptr_null(tc->payload);
	assert_inet(tc, "127.0.0.1", 22);

	tc = find_target(conf, "two");
	ck_assert_int_eq(tc->kind, PROBE_HELLO);
	ck_assert_uint_eq(tc->interval_us, 10000000);
	ck_assert_uint_eq(tc->timeout_us, 3000000);
	ck_assert_uint_eq(tc->payload_len, 11);
	ck_assert_mem_eq(tc->payload, "hello world", 11);
}
END_TEST

/* local_address: off unless asked for, in defaults or a target */
START_TEST(test_good_local_address)
{
	load_good("good/minimal.conf");
	ck_assert(!find_target(conf, "one")->local_addr);
	ck_assert(!find_target(conf, "two")->local_addr);
	conf_free(conf);
	conf = NULL;

	load_good("good/local_address.conf");
	ck_assert(find_target(conf, "on")->local_addr);
	ck_assert(!find_target(conf, "off")->local_addr);
}
END_TEST

START_TEST(test_good_empty)
{
	load_good("good/empty.conf");
	ck_assert_str_eq(conf->control_socket, "/run/futd.sock");
	ck_assert_uint_eq(conf->history, 64);
	ck_assert_uint_eq(conf->ntargets, 0);
}
END_TEST

/*
 * A relative state_file is the config file's neighbour, as ca_file and
 * targets_dir are: under systemd futd's cwd is /.
 */
START_TEST(test_good_state_relative)
{
	char path[PATH_LEN], want[PATH_LEN + 16], *slash;

	load_good("good/state_relative.conf");
	data_path(path, sizeof(path), "good/state_relative.conf");
	slash = strrchr(path, '/');
	ck_assert(slash != NULL);
	snprintf(want, sizeof(want), "%.*s/futd.state", (int)(slash - path),
	    path);
	ck_assert_pstr_eq(conf->state_file, want);
}
END_TEST

/* Earlier messages in the list are not this file's errors. */
START_TEST(test_good_with_earlier_errors)
{
	char path[PATH_LEN];

	strlist_add(&errs, "%s", "an earlier problem");
	conf = conf_load(data_path(path, sizeof(path), "good/minimal.conf"),
	    &errs, NULL);
	ck_assert_msg(conf != NULL, "errors:%s", errs_text(&errs));
	ck_assert_uint_eq(errs.n, 1);
}
END_TEST

/*
 * One mistake per file, one message each.  line 0: no line (the file
 * itself).  The text is what `futd -n` prints after "file:line: ".
 */
static const struct bad_case {
	const char	*file;
	int		 line;
	const char	*msg;
} bad_cases[] = {
	{ "bad/syntax.conf", 3,
	    "syntax error: a value is missing after host =" },
	{ "bad/does-not-exist.conf", 0,
	    "cannot open: No such file or directory" },
	{ "bad/unknown_top.conf", 3,
	    "unknown key \"histroy\" at the top level; did you mean history?" },
	{ "bad/unknown_target_key.conf", 4,
	    "unknown key \"intervall\" in target \"a\"; did you mean "
	    "interval?" },
	{ "bad/unknown_defaults_key.conf", 4,
	    "unknown key \"timout\" in defaults; did you mean timeout?" },
	{ "bad/unknown_probe.conf", 3,
	    "unknown probe \"ping\" in target \"a\" (known: peeraddr, hello, steps)" },
	{ "bad/port_zero.conf", 3,
	    "port 0 out of range 1..65535 in target \"a\"" },
	{ "bad/port_big.conf", 3,
	    "port 70000 out of range 1..65535 in target \"a\"" },
	{ "bad/port_65536.conf", 3,
	    "port 65536 out of range 1..65535 in target \"a\"" },
	{ "bad/port_string.conf", 3,
	    "port must be an integer in target \"a\"" },
	{ "bad/missing_port.conf", 3, "missing port in target \"a\"" },
	{ "bad/interval_zero.conf", 4, "interval must be positive, not 0 in target \"a\"" },
	{ "bad/interval_negative.conf", 4,
	    "interval must be positive, not -2.5 in target \"a\"" },
	{ "bad/interval_small.conf", 4,
	    "interval 0.0005 is below the minimum of 0.001s in target \"a\"" },
	{ "bad/interval_string.conf", 4,
	    "interval must be a number of seconds in target \"a\"" },
	{ "bad/timeout_zero.conf", 4, "timeout must be positive, not 0 in target \"a\"" },
	{ "bad/timeout_big.conf", 3,
	    "timeout 86401 is above the maximum of 86400s in defaults" },
	{ "bad/duplicate.conf", 5,
	    "duplicate target name \"a\" (first defined at line 3)" },
	{ "bad/empty_name.conf", 3, "target name is empty" },
	{ "bad/name_space.conf", 3,
	    "target name \"my web\" has spaces or control characters" },
	{ "bad/bad_host.conf", 3, "bad host \"web server\" in target \"a\": "
	    "a space cannot be in a name (letters, digits, '-', '_' and dots)" },
	{ "bad/missing_host.conf", 3, "missing host in target \"a\"" },
	{ "bad/missing_name.conf", 3, "target has no name" },
	{ "bad/payload_peeraddr.conf", 4,
	    "payload is only for probe \"hello\" in target \"a\"" },
	{ "bad/payload_default_probe.conf", 4,
	    "payload is only for probe \"hello\" in target \"a\"" },
	{ "bad/payload_hex_peeraddr.conf", 4,
	    "payload_hex is only for probe \"hello\" in target \"a\"" },
	{ "bad/source_family.conf", 4, "source ::1 is not of family ipv4 in "
	    "target \"a\": no address could be probed from it" },
	{ "bad/cert_days.conf", 4, "cert_crit_days 10 is more than "
	    "cert_warn_days 5 in target \"a\": the warning could never show; "
	    "make cert_warn_days larger, or 0 for no warning" },
	{ "bad/history_zero.conf", 2, "history 0 out of range 1..65536" },
	{ "bad/history_big.conf", 2, "history 65537 out of range 1..65536" },
	{ "bad/defaults_not_group.conf", 2,
	    "defaults must be a group { ... }" },
	{ "bad/targets_not_list.conf", 2,
	    "targets must be a list ( {...}, ... )" },
	{ "bad/target_not_group.conf", 2,
	    "a target must be a group { ... }" },
	{ "bad/control_socket_relative.conf", 2,
	    "control_socket must be an absolute path" },
	{ "bad/local_address_word.conf", 3,
	    "local_address must be true or false in target \"a\"" },
	{ "bad/log_level_unknown.conf", 2, "unknown log_level \"loud\" "
	    "(known: error, warning, notice, info, debug)" },
};

START_TEST(test_bad)
{
	const struct bad_case *bc = &bad_cases[_i];
	char path[PATH_LEN], want[PATH_LEN + 256];

	data_path(path, sizeof(path), bc->file);
	if (bc->line > 0)
		snprintf(want, sizeof(want), "%s:%d: %s", path, bc->line,
		    bc->msg);
	else
		snprintf(want, sizeof(want), "%s: %s", path, bc->msg);

	conf = conf_load(path, &errs, NULL);
	ck_assert_msg(conf == NULL, "%s: conf_load should fail", path);
	ck_assert_msg(errs.n == 1, "%s: want exactly [%s], got:%s", path,
	    want, errs_text(&errs));
	ck_assert_str_eq(errs.msg[0], want);
}
END_TEST

/* Every mistake of a file is reported, not only the first. */
START_TEST(test_bad_all_reported)
{
	static const struct { int line; const char *msg; } want[] = {
		{ 2, "unknown key \"histroy\" at the top level; did you mean "
		    "history?" },
		{ 3, "history 0 out of range 1..65536" },
		{ 5, "interval must be positive, not 0 in defaults" },
		{ 8, "port 0 out of range 1..65535 in target \"a\"" },
		{ 9, "unknown probe \"ping\" in target \"b\" "
		    "(known: peeraddr, hello, steps)" },
		{ 10, "missing host in target \"c\"" },
		{ 12, "duplicate target name \"ok\" (first defined at line "
		    "11)" },
		{ 13, "timeout 0.0001 is below the minimum of 0.001s in "
		    "target \"d\"" },
		{ 15, "dns_timeout must be positive, not -1" },
	};
	char path[PATH_LEN], msg[PATH_LEN + 256];
	size_t i;

	data_path(path, sizeof(path), "bad/multi.conf");
	conf = conf_load(path, &errs, NULL);
	ck_assert_msg(conf == NULL, "conf_load should fail");
	for (i = 0; i < sizeof(want) / sizeof(*want); i++) {
		snprintf(msg, sizeof(msg), "%s:%d: %s", path, want[i].line,
		    want[i].msg);
		ck_assert_msg(errs_has(&errs, msg), "missing [%s]; got:%s",
		    msg, errs_text(&errs));
		/* in the order of the text, top keys checked first or not */
		ck_assert_msg(i < errs.n && strcmp(errs.msg[i], msg) == 0,
		    "[%s] is not error %zu; got:%s", msg, i + 1,
		    errs_text(&errs));
	}
	ck_assert_msg(errs.n == sizeof(want) / sizeof(*want),
	    "want %zu errors, got %zu:%s", sizeof(want) / sizeof(*want),
	    errs.n, errs_text(&errs));
}
END_TEST

/* Three of a name: each later one points at the FIRST definition. */
START_TEST(test_bad_duplicate_three)
{
	char path[PATH_LEN], msg[PATH_LEN + 256];
	int line;

	data_path(path, sizeof(path), "bad/duplicate3.conf");
	conf = conf_load(path, &errs, NULL);
	ck_assert_msg(conf == NULL, "conf_load should fail");
	ck_assert_msg(errs.n == 2, "want 2 errors, got:%s", errs_text(&errs));
	for (line = 4; line <= 5; line++) {
		snprintf(msg, sizeof(msg), "%s:%d: duplicate target name "
		    "\"a\" (first defined at line 3)", path, line);
		ck_assert_msg(errs_has(&errs, msg), "missing [%s]; got:%s",
		    msg, errs_text(&errs));
	}
}
END_TEST

/*
 * A mistake in an @include'd file names that file by a path the user can
 * open (conf.c resolves includes next to the including file), not by the
 * bare name written after @include.
 */
START_TEST(test_bad_include_names_path)
{
	char path[PATH_LEN], inc[PATH_LEN], want[PATH_LEN + 256];

	data_path(path, sizeof(path), "bad/include.conf");
	data_path(inc, sizeof(inc), "bad/included.conf");
	snprintf(want, sizeof(want), "%s:2: unknown key \"histroy\" at the "
	    "top level; did you mean history?", inc);
	conf = conf_load(path, &errs, NULL);
	ck_assert_msg(conf == NULL, "conf_load should fail");
	ck_assert_msg(errs.n == 1, "want [%s], got:%s", want,
	    errs_text(&errs));
	ck_assert_str_eq(errs.msg[0], want);
}
END_TEST

/*
 * conf_load(path) in a child of our own, so that even with CK_FORK=no a
 * process exit (libconfig 1.5's flex scanner exits when a read fails) or a
 * block (open() of a FIFO) cannot take the runner with it: got holds its
 * messages, one a line, or "<loaded>"; 0, or what the child ended with.
 */
static int
load_in_child(const char *path, char *got, size_t size)
{
	struct strlist e = { NULL, 0, 0 };
	struct conf *c;
	ssize_t n = 0;
	size_t off = 0, i;
	pid_t pid;
	int fd[2], status;

	ck_assert_int_eq(pipe(fd), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		close(fd[0]);
		alarm(5);
		if ((c = conf_load(path, &e, NULL)) != NULL)
			n = write(fd[1], "<loaded>", 8);
		for (i = 0; i < e.n; i++)
			if ((n = write(fd[1], e.msg[i], strlen(e.msg[i]))) > 0)
				n = write(fd[1], "\n", 1);
		conf_free(c);
		strlist_clear(&e);
		close(fd[1]);
		_exit(n > 0 ? 0 : 1);
	}
	close(fd[1]);
	while (off < size - 1 &&
	    (n = read(fd[0], got + off, size - 1 - off)) > 0)
		off += (size_t)n;
	got[off] = '\0';
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * A directory given as the config file is an error like any other, never
 * the end of the process (a reload with -f pointing at a directory would
 * otherwise kill the daemon).
 */
START_TEST(test_bad_directory)
{
	char path[PATH_LEN], want[PATH_LEN + 64], got[PATH_LEN + 256];
	int rc;

	data_path(path, sizeof(path), "good");
	snprintf(want, sizeof(want), "%s: cannot open: %s\n", path,
	    strerror(EISDIR));
	rc = load_in_child(path, got, sizeof(got));
	ck_assert_msg(rc == 0, "conf_load(\"%s\") ended the process (%d)",
	    path, rc);
	ck_assert_str_eq(got, want);
}
END_TEST

/*
 * @include of a directory ends the process inside libconfig 1.5, and of a
 * FIFO blocks it: both are refused with the line that asks for them, and
 * a good @include next to them is read.
 */
START_TEST(test_bad_include_special)
{
	char dir[PATH_LEN], path[PATH_LEN], p[PATH_LEN], got[4 * PATH_LEN],
	    want[4 * PATH_LEN];
	int rc;

	ck_assert_int_eq(sys_tmpdir(dir, sizeof(dir)), 0);
	sys_path_in(path, sizeof(path), dir, "futd.conf");
	sys_path_in(p, sizeof(p), dir, "sub");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	sys_path_in(p, sizeof(p), dir, "fifo");
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	sys_path_in(p, sizeof(p), dir, "good.inc");
	sys_write_filef(p, "history = 5;\n");
	sys_write_filef(path, "@include \"good.inc\"\n@include \"sub\"\n"
	    "  @include \"fifo\"\n@include \"nowhere\"\n");
	rc = load_in_child(path, got, sizeof(got));
	snprintf(want, sizeof(want),
	    "%s:2: cannot include \"sub\": Is a directory\n"
	    "%s:3: cannot include \"fifo\": not a regular file\n"
	    "%s:4: cannot include \"nowhere\": No such file or directory\n",
	    path, path, path);
	sys_rmtree(dir);
	ck_assert_msg(rc == 0, "conf_load ended the process (%d): %s", rc,
	    got);
	ck_assert_str_eq(got, want);
}
END_TEST


/*
 * A file that includes itself four times would be read 4^10 times: the
 * first refusal ends the walk.  And a comment on the last line needs no
 * newline.
 */
START_TEST(test_bad_include_fanout)
{
	char dir[PATH_LEN], path[PATH_LEN], p[PATH_LEN], got[4 * PATH_LEN];
	int rc;

	ck_assert_int_eq(sys_tmpdir(dir, sizeof(dir)), 0);
	sys_path_in(path, sizeof(path), dir, "futd.conf");
	sys_path_in(p, sizeof(p), dir, "self.inc");
	sys_write_filef(p, "@include \"self.inc\"\n@include \"self.inc\"\n"
	    "@include \"self.inc\"\n@include \"self.inc\"\n");
	sys_write_filef(path, "history = 5;\n@include \"self.inc\"\n");
	rc = load_in_child(path, got, sizeof(got));
	ck_assert_msg(rc == 0, "conf_load ended the process (%d)", rc);
	ck_assert_msg(strstr(got, "cannot include \"self.inc\": included too "
	    "deep or too often\n") != NULL && strchr(got, '\n') ==
	    got + strlen(got) - 1, "want one error, got: %s", got);

	sys_write_filef(path, "history = 5; # the end, no newline");
	rc = load_in_child(path, got, sizeof(got));
	sys_rmtree(dir);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(got, "<loaded>");
}
END_TEST

/* target_conf_compare: the whole probe definition, not the pointers. */
static void
tc_fill(struct target_conf *tc, char *name, char *host, unsigned char *pl,
    size_t plen)
{
	memset(tc, 0, sizeof(*tc));
	tc->name = name;
	tc->host = host;
	tc->payload = pl;
	tc->payload_len = plen;
	tc->interval_us = 10000000;
	tc->timeout_us = 3000000;
	tc->port = 80;
	tc->kind = PROBE_HELLO;
}

/*
 * b as a with one setting changed (set), compared both ways (want), then
 * put back (undo).
 */
#define DIFF(set, undo, want) do {					\
	set;								\
	ck_assert_msg(target_conf_compare(&a, &b) == (want) &&		\
	    target_conf_compare(&b, &a) == (want), "%s: %d, want %s",	\
	    #set, (int)target_conf_compare(&a, &b), #want);		\
	undo;								\
	ck_assert_int_eq(target_conf_compare(&a, &b), TARGET_CONF_SAME); \
} while (0)

/*
 * target_conf_compare: what a target measures (name, probe, host, port,
 * family, addresses, source, payload, expect and read_limit, TLS and its
 * handshake) resets it; how often, how long and how strictly it is judged
 * only changes it; where it is written does not count.
 */
START_TEST(test_equal)
{
	char na[] = "web", nb[] = "web", nc[] = "www";
	char ha[] = "192.0.2.1", hb[] = "192.0.2.1", hc[] = "192.0.2.2";
	unsigned char pa[] = "PING", pb[] = "PING", pc[] = "PONG";
	unsigned char pd[] = "PING!", ea[] = "+PONG", eb[] = "+PANG";
	char ra[] = "^SSH", rb[] = "^SSH-2", sni[] = "example.com";
	struct tls_conf ta, tb;
	struct target_conf a, b;

	tc_fill(&a, na, ha, pa, 4);
	tc_fill(&b, nb, hb, pb, 4);
	b.line = 42;		/* where it is written does not matter */
	ck_assert_int_eq(target_conf_compare(&a, &b), TARGET_CONF_SAME);
	ck_assert_int_eq(target_conf_compare(&b, &a), TARGET_CONF_SAME);

	DIFF(b.name = nc, b.name = nb, TARGET_CONF_RESET);
	DIFF(b.host = hc, b.host = hb, TARGET_CONF_RESET);
	DIFF(b.port = 81, b.port = 80, TARGET_CONF_RESET);
	DIFF(b.family = 2, b.family = 0, TARGET_CONF_RESET);
	DIFF(b.addrs = ADDRS_EACH, b.addrs = ADDRS_ANY, TARGET_CONF_RESET);
	DIFF(b.has_source = 1, b.has_source = 0, TARGET_CONF_RESET);
	DIFF(b.payload = pc, b.payload = pb, TARGET_CONF_RESET);
	DIFF((b.payload = pd, b.payload_len = 5),
	    (b.payload = pb, b.payload_len = 4), TARGET_CONF_RESET);
	DIFF((a.expect = ea, a.expect_len = 5, b.expect = eb,
	    b.expect_len = 5), (a.expect = b.expect = NULL,
	    a.expect_len = b.expect_len = 0), TARGET_CONF_RESET);
	DIFF((a.expect_regex = ra, b.expect_regex = rb),
	    (a.expect_regex = b.expect_regex = NULL), TARGET_CONF_RESET);
	DIFF(b.read_limit = 100, b.read_limit = 0, TARGET_CONF_RESET);

	DIFF(b.interval_us++, b.interval_us--, TARGET_CONF_CHANGED);
	DIFF(b.timeout_us--, b.timeout_us++, TARGET_CONF_CHANGED);
	DIFF(b.connect_timeout_us = 1000, b.connect_timeout_us = 0,
	    TARGET_CONF_CHANGED);
	DIFF(b.jitter_ppm = 100000, b.jitter_ppm = 0, TARGET_CONF_CHANGED);
	DIFF(b.rise = 5, b.rise = 0, TARGET_CONF_CHANGED);
	DIFF(b.fall = 5, b.fall = 0, TARGET_CONF_CHANGED);
	DIFF(b.flap = 2, b.flap = 0, TARGET_CONF_CHANGED);
	DIFF(b.close = CLOSE_RST, b.close = CLOSE_FIN, TARGET_CONF_CHANGED);
	DIFF(b.local_addr = 1, b.local_addr = 0, TARGET_CONF_CHANGED);
	/* what it measures wins over the rest */
	DIFF((b.interval_us++, b.port = 81), (b.interval_us--, b.port = 80),
	    TARGET_CONF_RESET);

	/* TLS: on or off, and the handshake, reset; the days only judge */
	memset(&ta, 0, sizeof(ta));
	memset(&tb, 0, sizeof(tb));
	ta.warn_days = tb.warn_days = 30;
	ta.crit_days = tb.crit_days = 7;
	DIFF(b.tls = &tb, b.tls = NULL, TARGET_CONF_RESET);
	a.tls = &ta;
	b.tls = &tb;
	ck_assert_int_eq(target_conf_compare(&a, &b), TARGET_CONF_SAME);
	DIFF(tb.sni = sni, tb.sni = NULL, TARGET_CONF_RESET);
	DIFF(tb.verify = 1, tb.verify = 0, TARGET_CONF_RESET);
	DIFF(tb.min_version = 0x304, tb.min_version = 0, TARGET_CONF_RESET);
	DIFF(tb.starttls = STARTTLS_SMTP, tb.starttls = STARTTLS_NONE,
	    TARGET_CONF_RESET);
	DIFF(tb.warn_days = 14, tb.warn_days = 30, TARGET_CONF_CHANGED);
	DIFF(tb.crit_days = 3, tb.crit_days = 7, TARGET_CONF_CHANGED);
	a.tls = b.tls = NULL;

	b.kind = PROBE_PEERADDR;
	b.payload = NULL;
	b.payload_len = 0;
	a.kind = PROBE_PEERADDR;
	a.payload = NULL;
	a.payload_len = 0;
	ck_assert_int_eq(target_conf_compare(&a, &b), TARGET_CONF_SAME);
	b.kind = PROBE_HELLO;
	ck_assert_int_eq(target_conf_compare(&a, &b), TARGET_CONF_RESET);

	ck_assert_int_eq(target_conf_compare(&a, &a), TARGET_CONF_SAME);
}
END_TEST

/* The same file read twice: each target equals only itself. */
START_TEST(test_equal_loaded)
{
	char path[PATH_LEN];
	struct conf *again;
	size_t i, j;

	load_good("good/full.conf");
	again = conf_load(data_path(path, sizeof(path), "good/full.conf"),
	    &errs, NULL);
	ck_assert_ptr_nonnull(again);
	ck_assert_uint_eq(again->ntargets, conf->ntargets);
	for (i = 0; i < conf->ntargets; i++)
		for (j = 0; j < again->ntargets; j++)
			ck_assert_msg((target_conf_compare(conf->targets[i],
			    again->targets[j]) == TARGET_CONF_SAME) == (i == j),
			    "%s vs %s", conf->targets[i]->name,
			    again->targets[j]->name);
	conf_free(again);
}
END_TEST

Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc;

	tc = tcase_create("good");
	tcase_add_checked_fixture(tc, conf_setup, conf_teardown);
	tcase_add_test(tc, test_good_full);
	tcase_add_test(tc, test_good_minimal_defaults);
	tcase_add_test(tc, test_good_local_address);
	tcase_add_test(tc, test_good_empty);
	tcase_add_test(tc, test_good_state_relative);
	tcase_add_test(tc, test_good_with_earlier_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad");
	tcase_add_checked_fixture(tc, conf_setup, conf_teardown);
	tcase_add_loop_test(tc, test_bad, 0,
	    (int)(sizeof(bad_cases) / sizeof(*bad_cases)));
	tcase_add_test(tc, test_bad_all_reported);
	tcase_add_test(tc, test_bad_duplicate_three);
	tcase_add_test(tc, test_bad_include_names_path);
	tcase_add_test(tc, test_bad_directory);
	tcase_add_test(tc, test_bad_include_special);
	tcase_add_test(tc, test_bad_include_fanout);
	suite_add_tcase(s, tc);

	tc = tcase_create("equal");
	tcase_add_checked_fixture(tc, conf_setup, conf_teardown);
	tcase_add_test(tc, test_equal);
	tcase_add_test(tc, test_equal_loaded);
	suite_add_tcase(s, tc);

	suite_add_tcase(s, conf_hint_tcase());
	suite_add_tcase(s, conf_doc_tcase());
	return s;
}
