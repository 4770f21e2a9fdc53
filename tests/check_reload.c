/*
 * check_reload.c - daemon_reload() on configs written to disk, on a real
 * event_base: which targets stay as they run, which are read again, and
 * that a bad reload leaves everything as it was.
 *
 * futd.conf's own targets are read again on every reload, compared, and
 * kept when equal.  The targets of a file of targets_dir that did not
 * change (and whose defaults, history and shard did not) are kept as they
 * run without the file being read at all.  What a user sees of both is
 * the same (the same counters, history, state: here, the same struct
 * target); rep.reused says which way each went.
 *
 * The targets point at 127.0.0.1 and are never probed: the reactor does
 * not run here.
 */
#include <event2/dns.h>
#include <event2/event.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "strlist.h"
#include "sys.h"
#include "target.h"
#include "tests.h"

static struct event_base	*base;
static struct evdns_base	*dns;
static struct daemon		 d;
static struct strlist		 errs;
static struct reload_report	 rep;
static char			 dir[PATH_MAX], path[PATH_MAX];

/* no resolv.conf: the targets are literals, and nothing is resolved */
#define HEAD	"nameservers = [ \"127.0.0.1:53\" ];\n"
#define T(name, extra)	TP(name, "9", extra)
#define TP(name, port, extra) \
	"  { name = \"" name "\"; host = \"127.0.0.1\"; port = " port "; " \
	"interval = 3600.0; " extra "},\n"

static void
setup(void)
{
	log_init(LOG_ERR, LOG_MODE_TERMINAL);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	dns = evdns_base_new(base, 0);
	ck_assert_ptr_nonnull(dns);
	ck_assert_int_eq(sys_tmpdir(dir, sizeof(dir)), 0);
	sys_path_in(path, sizeof(path), dir, "futd.conf");
	ck_assert_int_eq(daemon_init(&d, base, dns), 0);
	memset(&errs, 0, sizeof(errs));
	memset(&rep, 0, sizeof(rep));
}

static void
teardown(void)
{
	reload_report_clear(&rep);
	strlist_clear(&errs);
	daemon_finish(&d);
	evdns_base_free(dns, 0);
	event_base_free(base);
	sys_rmtree(dir);
}

/* T() ends each target with a comma: the last one's must go */
static size_t
last_comma(char *buf, size_t n)
{
	char *p;

	if ((p = strstr(buf, "},\n);")) != NULL) {
		memmove(p + 1, p + 2, strlen(p + 2) + 1);
		n--;
	}
	return n;
}

static void
conf_put(const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(buf));
	n = (int)last_comma(buf, (size_t)n);
	ck_assert_int_eq(sys_write_file(path, buf, (size_t)n), 0);
}

/* The first config, as futd's start applies it. */
static void
start(void)
{
	struct conf *c = conf_load(path, &errs, NULL);

	ck_assert_msg(c != NULL, "%s", errs.n > 0 ? errs.msg[0] : "?");
	ck_assert_int_eq(daemon_apply(&d, c, NULL, &errs), 0);
}

static int
reload(void)
{
	reload_report_clear(&rep);
	strlist_clear(&errs);
	return daemon_reload(&d, &errs, &rep);
}

static struct target *
find(const char *name)
{
	struct target *tg = daemon_find(&d, name);

	ck_assert_msg(tg != NULL, "no target %s", name);
	return tg;
}

/* the names of d's targets, comma-separated, in d's (sorted) order */
static const char *
names(void)
{
	static char buf[1024];
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < d.ntargets; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
		    i > 0 ? "," : "", d.targets[i]->conf.name);
	return buf;
}

/* no daemon_apply mark may outlive a reload, good or bad */
static void
assert_unmarked(void)
{
	size_t i;

	for (i = 0; i < d.ntargets; i++)
		ck_assert_msg(!d.targets[i]->kept, "%s still marked",
		    d.targets[i]->conf.name);
}

static void
assert_err(const char *want)
{
	char line[PATH_MAX + 256];
	size_t i;

	snprintf(line, sizeof(line), "%s:%s", path, want);
	for (i = 0; i < errs.n; i++)
		if (strcmp(errs.msg[i], line) == 0)
			return;
	ck_abort_msg("no error \"%s\" among %zu: %s", line, errs.n,
	    errs.n > 0 ? errs.msg[0] : "");
}

/*
 * The same file again, and one moved about with comments and blank
 * lines: every target taken as it runs, none read again.
 */
START_TEST(test_unchanged)
{
	struct target *a, *b, *c;

	conf_put(HEAD "targets = (\n" T("a", "") T("b", "probe = \"hello\"; ")
	    T("c", "timeout = 2.5; ") ");\n");
	start();
	a = find("a");
	b = find("b");
	c = find("c");
	a->res.probes = 7;	/* what a restart would lose */

	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.unchanged, 3);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_uint_eq(rep.added.n + rep.removed.n + rep.changed.n +
	    rep.reset.n, 0);
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("b"), b);
	ck_assert_ptr_eq(find("c"), c);
	ck_assert_uint_eq(a->res.probes, 7);

	conf_put(HEAD "# moved\ntargets = (\n\n" T("c", "timeout = 2.5; ")
	    "/* b */\n" T("b", "probe = \"hello\"; ") T("a", "") ");\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_str_eq(names(), "a,b,c");
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("b"), b);
	ck_assert_ptr_eq(find("c"), c);
	assert_unmarked();
}
END_TEST

/*
 * A target that measures another thing (a port) is made anew, an added
 * one made, a removed one gone, the others taken; the new list is in
 * order of name as before.
 */
START_TEST(test_mixed)
{
	struct target *a, *b, *e;

	conf_put(HEAD "targets = (\n" T("e", "") T("a", "") T("c", "")
	    T("b", "") ");\n");
	start();
	a = find("a");
	b = find("b");
	e = find("e");

	conf_put(HEAD "targets = (\n" T("e", "") T("d", "") T("a", "")
	    TP("b", "10", "") ");\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_str_eq(names(), "a,b,d,e");
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_uint_eq(rep.unchanged, 2);
	ck_assert_uint_eq(rep.added.n, 1);
	ck_assert_str_eq(rep.added.msg[0], "d");
	ck_assert_uint_eq(rep.changed.n, 0);
	ck_assert_uint_eq(rep.reset.n, 1);
	ck_assert_str_eq(rep.reset.msg[0], "b");
	ck_assert_uint_eq(rep.removed.n, 1);
	ck_assert_str_eq(rep.removed.msg[0], "c");
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("e"), e);
	ck_assert_uint_eq(find("b")->conf.port, 10);
	ck_assert_ptr_ne(find("b"), b);		/* made anew */
	ck_assert_ptr_nonnull(daemon_find(&d, "d"));
	ck_assert_ptr_null(daemon_find(&d, "c"));
	assert_unmarked();
}
END_TEST

/*
 * Settings that do not change what a target measures: the same target
 * runs on with them, "changed"; its counters stay.  A connect_timeout
 * where there was none, cert_warn_days, rise and fall, each taken on.
 */
START_TEST(test_changed)
{
	struct target *a, *t;

	conf_put(HEAD "targets = (\n" T("a", "") T("b", "")
	    T("t", "tls = true; verify = false; ") ");\n");
	start();
	a = find("a");
	t = find("t");
	ck_assert_ptr_null(a->rare);
	a->res.probes = 7;

	conf_put(HEAD "targets = (\n" T("a", "connect_timeout = 0.5; rise = 4; "
	    "fall = 5; ") T("b", "") T("t", "tls = true; verify = false; "
	    "cert_warn_days = 14; ") ");\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.changed.n, 2);
	ck_assert_str_eq(rep.changed.msg[0], "a");
	ck_assert_str_eq(rep.changed.msg[1], "t");
	ck_assert_uint_eq(rep.reset.n + rep.added.n + rep.removed.n, 0);
	ck_assert_uint_eq(rep.unchanged, 1);
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("t"), t);
	ck_assert_uint_eq(a->res.probes, 7);
	ck_assert_ptr_nonnull(a->rare);
	ck_assert_uint_eq(a->rare->connect_timeout_us, 500000);
	ck_assert_uint_eq(a->res.rise, 4);
	ck_assert_uint_eq(a->res.fall, 5);
	ck_assert_int_eq(t->conf.tls->warn_days, 14);
	assert_unmarked();

	/* and back: the same target, its counters still */
	conf_put(HEAD "targets = (\n" T("a", "") T("b", "")
	    T("t", "tls = true; verify = false; ") ");\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.changed.n, 2);
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_uint_eq(a->rare->connect_timeout_us, 0);
	ck_assert_uint_eq(a->res.probes, 7);
	ck_assert_int_eq(t->conf.tls->warn_days, 30);

	/* a bad config changes none of it */
	conf_put(HEAD "targets = (\n" T("a", "timeout = 1.0; ") T("b", "")
	    TP("c", "0", "") ");\n");
	ck_assert_int_eq(reload(), -1);
	ck_assert_uint_eq(a->conf.timeout_us, 3000000);
	ck_assert_ptr_eq(find("a"), a);
	assert_unmarked();
}
END_TEST

/* A group written otherwise (its keys in another order) is equal: kept. */
START_TEST(test_rewritten)
{
	struct target *a;

	conf_put(HEAD "targets = (\n" T("a", "timeout = 2.0; ") ");\n");
	start();
	a = find("a");
	conf_put(HEAD "targets = (\n  { timeout = 2.0; port = 9; "
	    "name = \"a\"; interval = 3600.0; host = \"127.0.0.1\"; }\n);\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.unchanged, 1);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.unchanged, 1);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_ptr_eq(find("a"), a);
}
END_TEST

/*
 * Defaults: a change every target reads changes them all (a timeout:
 * kept, with the new one); one a target overrides reads every group
 * again but keeps the target as it is.  A new
 * history is read again too, and the rings take the new size.
 */
START_TEST(test_defaults)
{
	struct target *a, *b;

	conf_put(HEAD "defaults = { timeout = 1.0; };\ntargets = (\n"
	    T("a", "") T("b", "timeout = 2.0; ") ");\n");
	start();
	a = find("a");
	b = find("b");
	ck_assert_uint_eq(a->conf.timeout_us, 1000000);

	conf_put(HEAD "defaults = { timeout = 1.5; };\ntargets = (\n"
	    T("a", "") T("b", "timeout = 2.0; ") ");\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_uint_eq(rep.changed.n, 1);
	ck_assert_str_eq(rep.changed.msg[0], "a");
	ck_assert_uint_eq(rep.reset.n, 0);
	ck_assert_uint_eq(rep.unchanged, 1);
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_uint_eq(find("a")->conf.timeout_us, 1500000);
	ck_assert_ptr_eq(find("b"), b);

	conf_put(HEAD "history = 5;\ndefaults = { timeout = 1.5; };\n"
	    "targets = (\n" T("a", "") T("b", "timeout = 2.0; ") ");\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_uint_eq(rep.unchanged, 2);
	ck_assert_ptr_eq(find("b"), b);
	ck_assert_uint_eq(b->res.ring_size, 5);
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);
	assert_unmarked();
}
END_TEST

/*
 * The targets before the defaults in the file: the answer is the same as
 * with the defaults first.
 */
START_TEST(test_defaults_after_targets)
{
	struct target *a, *b;

	conf_put(HEAD "targets = (\n" T("a", "") T("b", "timeout = 2.0; ")
	    ");\ndefaults = { timeout = 1.0; };\n");
	start();
	a = find("a");
	b = find("b");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);

	conf_put(HEAD "targets = (\n" T("a", "") T("b", "timeout = 2.0; ")
	    ");\ndefaults = { timeout = 1.5; };\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_uint_eq(rep.unchanged, 1);
	ck_assert_uint_eq(rep.changed.n, 1);
	ck_assert_str_eq(rep.changed.msg[0], "a");
	ck_assert_uint_eq(find("a")->conf.timeout_us, 1500000);
	ck_assert_ptr_eq(find("a"), a);		/* a timeout: kept */
	ck_assert_ptr_eq(find("b"), b);
	assert_unmarked();

	/* and an error with them: reported once, at its line */
	conf_put(HEAD "targets = (\n" T("a", "") TP("c", "0", "")
	    ");\ndefaults = { timeout = 1.0; };\n");
	ck_assert_int_eq(reload(), -1);
	ck_assert_uint_eq(errs.n, 1);
	assert_err("4: port 0 out of range 1..65535 in target \"c\"");
	ck_assert_str_eq(names(), "a,b");
}
END_TEST

/*
 * Duplicates of a running target: before it, after it, an exact copy,
 * three of one name.  Each is an error at its line naming the first, and
 * the reload changes nothing; the next good one keeps them all.
 */
START_TEST(test_duplicates)
{
	struct target *a, *b;

	/* lines: 1 nameservers, 2 targets, 3 a, 4 b */
	conf_put(HEAD "targets = (\n" T("a", "") T("b", "") ");\n");
	start();
	a = find("a");
	b = find("b");

	/* a copy of a after it (the copy is read, the original taken) */
	conf_put(HEAD "targets = (\n" T("a", "") T("b", "") T("a", "") ");\n");
	ck_assert_int_eq(reload(), -1);
	ck_assert_uint_eq(errs.n, 1);
	assert_err("5: duplicate target name \"a\" (first defined at line 3)");
	assert_unmarked();

	/* another a before it (that one is read, the original taken) */
	conf_put(HEAD "targets = (\n" TP("a", "10", "") T("a", "")
	    T("b", "") ");\n");
	ck_assert_int_eq(reload(), -1);
	ck_assert_uint_eq(errs.n, 1);
	assert_err("4: duplicate target name \"a\" (first defined at line 3)");

	/* three: one taken in the middle, named in its place */
	conf_put(HEAD "targets = (\n" TP("b", "11", "") T("b", "")
	    T("a", "") TP("b", "12", "") ");\n");
	ck_assert_int_eq(reload(), -1);
	ck_assert_uint_eq(errs.n, 2);
	assert_err("4: duplicate target name \"b\" (first defined at line 3)");
	assert_err("6: duplicate target name \"b\" (first defined at line 3)");
	ck_assert_str_eq(names(), "a,b");
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("b"), b);
	assert_unmarked();

	conf_put(HEAD "targets = (\n" T("b", "") T("a", "") ");\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("b"), b);
}
END_TEST

/*
 * A bad reload changes nothing and leaves no mark: the same running
 * targets, and the next reload keeps them.
 */
START_TEST(test_bad_after_taken)
{
	struct target *a, *b;

	conf_put(HEAD "targets = (\n" T("a", "") T("b", "") ");\n");
	start();
	a = find("a");
	b = find("b");
	conf_put(HEAD "targets = (\n" T("a", "") T("b", "")
	    TP("c", "70000", "") ");\n");
	ck_assert_int_eq(reload(), -1);
	assert_err("5: port 70000 out of range 1..65535 in target \"c\"");
	ck_assert_str_eq(names(), "a,b");
	assert_unmarked();
	ck_assert_uint_eq(rep.unchanged + rep.reused, 0);

	conf_put(HEAD "targets = (\n" T("a", "") T("b", "") ");\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("b"), b);
}
END_TEST

/* TLS targets are kept when equal; shard K/N picks its share anew. */
START_TEST(test_tls_and_shard)
{
	struct target *a, *t;

	conf_put(HEAD "targets = (\n" T("a", "")
	    T("t", "tls = true; verify = false; ") ");\n");
	start();
	a = find("a");
	t = find("t");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.unchanged, 2);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("t"), t);

	/* 1/2: the targets whose names hash even, each group read again */
	conf_put(HEAD "shard = \"1/2\";\ntargets = (\n" T("a", "") T("b", "")
	    T("c", "") T("t", "tls = true; verify = false; ") ");\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_uint_eq(rep.unchanged, (target_name_hash("a") % 2 == 0) +
	    (target_name_hash("t") % 2 == 0));
	ck_assert_uint_eq(d.ntargets, rep.unchanged + rep.added.n);
	ck_assert_uint_eq(rep.added.n, (target_name_hash("b") % 2 == 0) +
	    (target_name_hash("c") % 2 == 0));
	if (target_name_hash("a") % 2 == 0)
		ck_assert_ptr_eq(find("a"), a);
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);
}
END_TEST

/* Many targets, every one kept, in any order. */
START_TEST(test_many)
{
	enum { N = 5000 };
	struct target **before;
	size_t i, len = 0, cap = (size_t)N * 96 + 256;
	char *buf = malloc(cap);

	ck_assert_ptr_nonnull(buf);
	len += (size_t)snprintf(buf, cap, HEAD "targets = (\n");
	for (i = 0; i < N; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s{ name = "
		    "\"n%zu\"; host = \"127.0.0.1\"; port = %zu; "
		    "interval = 3600.0; }\n", i > 0 ? "," : "",
		    (i * 7919) % N, 1 + i % 60000);
	len += (size_t)snprintf(buf + len, cap - len, ");\n");
	ck_assert_int_eq(sys_write_file(path, buf, len), 0);
	start();
	ck_assert_uint_eq(d.ntargets, N);
	before = malloc(N * sizeof(*before));
	ck_assert_ptr_nonnull(before);
	memcpy(before, d.targets, N * sizeof(*before));

	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_uint_eq(d.ntargets, N);
	ck_assert_mem_eq(before, d.targets, N * sizeof(*before));
	assert_unmarked();
	free(before);
	free(buf);
}
END_TEST


/* ---- targets_dir ---- */

static char tdir[PATH_MAX];

/* futd.conf naming targets.d, with extra (defaults, history...) */
static void
dir_main(const char *extra)
{
	sys_path_in(tdir, sizeof(tdir), dir, "targets.d");
	(void)mkdir(tdir, 0755);
	conf_put(HEAD "targets_dir = \"targets.d\";\n%s", extra);
}

/* targets.d/name holds text; mtime_s != 0: set its mtime to that */
static void
dir_put(const char *name, const char *text, time_t mtime_s)
{
	char p[PATH_MAX], buf[8192];
	struct timespec ts[2];
	size_t n;

	ck_assert_uint_lt(strlen(text), sizeof(buf));
	n = last_comma(strcpy(buf, text), strlen(text));
	sys_path_in(p, sizeof(p), tdir, name);
	ck_assert_int_eq(sys_write_file(p, buf, n), 0);
	if (mtime_s != 0) {
		ts[0].tv_sec = ts[1].tv_sec = mtime_s;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	}
}

static void
assert_err_in(const char *file, const char *want)
{
	char line[PATH_MAX + 256], p[PATH_MAX];
	size_t i;

	sys_path_in(p, sizeof(p), tdir, file);
	snprintf(line, sizeof(line), "%s%s", p, want);
	for (i = 0; i < errs.n; i++)
		if (strcmp(errs.msg[i], line) == 0)
			return;
	ck_abort_msg("no error \"%s\" among %zu: %s", line, errs.n,
	    errs.n > 0 ? errs.msg[0] : "");
}

#define FILE_AB	"targets = (\n" T("a", "") T("b", "") ");\n"

/*
 * Files of targets.d, by name; others ignored.  Unchanged, each file's
 * targets stay as they run, the file not even read; touched without a
 * change, read and hashed, not parsed; one file changed: only its targets
 * are compared, added, removed.
 */
START_TEST(test_dir_by_file)
{
	char p[PATH_MAX];
	struct target *a, *b, *c;

	dir_main("");
	dir_put("10-ab.conf", FILE_AB, 1000000000);
	dir_put("20-c.conf", "targets = (\n" T("c", "") ");\n", 1000000000);
	dir_put("README", "not a config {", 0);
	dir_put("30-x.conf.bak", "not a config {", 0);
	start();
	ck_assert_str_eq(names(), "a,b,c");
	a = find("a");
	b = find("b");
	c = find("c");
	a->res.probes = 7;

	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(d.conf->nsame, 2);
	ck_assert_uint_eq(rep.reused, 3);
	ck_assert_uint_eq(rep.unchanged, 3);
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_uint_eq(a->res.probes, 7);

	/* the same bytes, a new mtime: not parsed again */
	dir_put("10-ab.conf", FILE_AB, 1000000100);
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 3);
	ck_assert_ptr_eq(find("a"), a);

	/* one file changed: b reset (a port), d added, a compared and kept */
	dir_put("10-ab.conf", "targets = (\n" T("a", "") TP("b", "10", "")
	    T("d", "") ");\n", 1000000200);
	ck_assert_int_eq(reload(), 0);
	ck_assert_str_eq(names(), "a,b,c,d");
	ck_assert_uint_eq(rep.reused, 1);	/* c */
	ck_assert_uint_eq(rep.unchanged, 2);	/* a, c */
	ck_assert_uint_eq(rep.reset.n, 1);
	ck_assert_str_eq(rep.reset.msg[0], "b");
	ck_assert_uint_eq(rep.added.n, 1);
	ck_assert_str_eq(rep.added.msg[0], "d");
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("c"), c);
	ck_assert_ptr_ne(find("b"), b);
	ck_assert_uint_eq(a->res.probes, 7);

	/* a file gone: its targets gone */
	sys_path_in(p, sizeof(p), tdir, "20-c.conf");
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(reload(), 0);
	ck_assert_str_eq(names(), "a,b,d");
	ck_assert_uint_eq(rep.removed.n, 1);
	ck_assert_str_eq(rep.removed.msg[0], "c");
	ck_assert_uint_eq(rep.reused, 3);
	assert_unmarked();
}
END_TEST

/*
 * A file's defaults apply to its targets over futd.conf's; a change of
 * futd.conf's defaults reads every file again.
 */
START_TEST(test_dir_defaults)
{
	struct target *a, *c;

	dir_main("defaults = { timeout = 1.0; };\n");
	dir_put("ab.conf", "defaults = { interval = 60.0; };\n"
	    "targets = (\n{ name = \"a\"; host = \"127.0.0.1\"; port = 9; },\n"
	    "{ name = \"b\"; host = \"127.0.0.1\"; port = 9; timeout = 2.0; }"
	    "\n);\n", 1000000000);
	dir_put("c.conf", "targets = ({ name = \"c\"; host = \"127.0.0.1\"; "
	    "port = 9; });\n", 1000000000);
	start();
	a = find("a");
	c = find("c");
	ck_assert_uint_eq(a->conf.interval_us, 60000000);
	ck_assert_uint_eq(a->conf.timeout_us, 1000000);
	ck_assert_uint_eq(find("b")->conf.timeout_us, 2000000);
	ck_assert_uint_eq(c->conf.interval_us, 10000000);	/* the default */

	dir_main("defaults = { timeout = 1.5; };\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_uint_eq(d.conf->nsame, 0);
	ck_assert_uint_eq(rep.changed.n, 2);	/* a, c; b sets its own */
	ck_assert_uint_eq(find("a")->conf.timeout_us, 1500000);
	ck_assert_uint_eq(find("c")->conf.timeout_us, 1500000);
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 3);
	assert_unmarked();
}
END_TEST

/*
 * A name in two files is an error naming both places, when both are
 * read and when one is kept as it runs; nothing changes.
 */
START_TEST(test_dir_duplicates)
{
	char p[PATH_MAX], want[2 * PATH_MAX + 128];
	struct target *a;

	dir_main("");
	dir_put("1.conf", FILE_AB, 1000000000);
	start();
	a = find("a");

	/* a new file holding a: 1.conf is kept as it runs */
	dir_put("2.conf", "targets = (\n" T("x", "") T("a", "") ");\n", 0);
	ck_assert_int_eq(reload(), -1);
	ck_assert_uint_eq(errs.n, 1);
	sys_path_in(p, sizeof(p), tdir, "1.conf");
	snprintf(want, sizeof(want), ":3: duplicate target name \"a\" (first "
	    "defined at %s:2)", p);
	assert_err_in("2.conf", want);
	ck_assert_str_eq(names(), "a,b");
	ck_assert_ptr_eq(find("a"), a);
	assert_unmarked();

	/* both read (futd -n, a start) */
	reload_report_clear(&rep);
	strlist_clear(&errs);
	ck_assert_ptr_null(conf_load(path, &errs, NULL));
	ck_assert_uint_eq(errs.n, 1);
	assert_err_in("2.conf", want);

	/* and with futd.conf itself */
	conf_put(HEAD "targets_dir = \"targets.d\";\ntargets = (\n"
	    T("b", "") ");\n");
	sys_path_in(p, sizeof(p), tdir, "2.conf");
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(reload(), -1);
	ck_assert_uint_eq(errs.n, 1);
	sys_path_in(p, sizeof(p), tdir, "1.conf");
	snprintf(want, sizeof(want), "%s:4: duplicate target name \"b\" "
	    "(first defined at %s:3)", path, p);
	ck_assert_str_eq(errs.msg[0], want);
	ck_assert_str_eq(names(), "a,b");
}
END_TEST

/*
 * What cannot be used, each named, all of them listed, nothing applied:
 * a file that is not a regular file, one that cannot be read, one with
 * other keys, one with a syntax error, a bad target; then a missing
 * directory.  An empty directory is fine.
 */
START_TEST(test_dir_bad)
{
	char p[PATH_MAX], q[PATH_MAX], want[2 * PATH_MAX + 128];

	dir_main("");
	dir_put("1.conf", FILE_AB, 0);
	start();

	sys_path_in(p, sizeof(p), tdir, "2-dir.conf");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	sys_path_in(p, sizeof(p), tdir, "3-gone.conf");
	sys_path_in(q, sizeof(q), tdir, "nowhere");
	ck_assert_int_eq(symlink(q, p), 0);
	dir_put("4-keys.conf", "targets = ();\nhistory = 5;\n", 0);
	dir_put("5-syntax.conf", "targets = (\n{ name = \"x\" \n);\n", 0);
	dir_put("6-port.conf", "targets = (\n" TP("y", "0", "") ");\n", 0);
	ck_assert_int_eq(reload(), -1);
	ck_assert_uint_eq(errs.n, 5);
	assert_err_in("2-dir.conf", ": cannot be read: Is a directory");
	assert_err_in("3-gone.conf", ": cannot be read: No such file or "
	    "directory");
	assert_err_in("4-keys.conf", ":2: unknown key \"history\" in a file "
	    "of targets_dir (it may hold targets and defaults); it belongs at "
	    "the top level of futd.conf");
	assert_err_in("5-syntax.conf", ":3: syntax error: ')' does not close "
	    "the '{' of line 2 (a '}' missing before it?)");
	assert_err_in("6-port.conf", ":2: port 0 out of range 1..65535 in "
	    "target \"y\"");
	ck_assert_str_eq(names(), "a,b");
	assert_unmarked();

	/* all gone but 1.conf, emptied: no targets, and fine */
	sys_rmtree(tdir);
	ck_assert_int_eq(mkdir(tdir, 0755), 0);
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(d.ntargets, 0);
	ck_assert_uint_eq(rep.removed.n, 2);

	sys_rmtree(tdir);
	ck_assert_int_eq(reload(), -1);
	ck_assert_uint_eq(errs.n, 1);
	snprintf(want, sizeof(want), "%s:2: targets_dir \"%s\" cannot be "
	    "read: No such file or directory", path, tdir);
	ck_assert_str_eq(errs.msg[0], want);
}
END_TEST


/*
 * What a stat() of size and mtime alone would miss: the same size and
 * mtime with other bytes (cp -p, a tar), and a change in a file that a
 * file of targets_dir @includes.  Both are read again.
 */
START_TEST(test_dir_changed_unseen)
{
	struct target *a;

	dir_main("");
	dir_put("1.conf", "targets = (\n" TP("a", "10", "") ");\n",
	    1000000000);
	dir_put("inc.part", "{ name = \"i\"; host = \"127.0.0.1\"; port = 20; "
	    "interval = 3600.0; }\n", 0);
	dir_put("2.conf", "targets = (\n@include \"inc.part\"\n);\n", 0);
	start();
	a = find("a");
	ck_assert_uint_eq(find("i")->conf.port, 20);

	/* port 10 -> 11: the same size, the same mtime */
	dir_put("1.conf", "targets = (\n" TP("a", "11", "") ");\n",
	    1000000000);
	dir_put("inc.part", "{ name = \"i\"; host = \"127.0.0.1\"; port = 21; "
	    "interval = 3600.0; }\n", 0);
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(find("a")->conf.port, 11);
	ck_assert_ptr_ne(find("a"), a);
	ck_assert_uint_eq(find("i")->conf.port, 21);
	ck_assert_uint_eq(rep.reset.n, 2);
	assert_unmarked();
}
END_TEST

/* With shard K/N no file is kept unread: its other shard's names count. */
START_TEST(test_dir_shard)
{
	dir_main("shard = \"1/2\";\n");
	dir_put("1.conf", "targets = (\n" T("a", "") T("b", "") T("c", "")
	    T("d", "") ");\n", 1000000000);
	start();
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(d.conf->nsame, 0);
	/* each name of 1.conf again in 2.conf: refused, whichever shard */
	dir_put("2.conf", "targets = (\n" T("a", "") T("b", "") T("c", "")
	    T("d", "") ");\n", 0);
	ck_assert_int_eq(reload(), -1);
	ck_assert_uint_eq(errs.n, 4);
}
END_TEST

/* Many files, read by the workers: every target, once, in name order. */
START_TEST(test_dir_many)
{
	enum { NFILES = 40, PER = 50 };
	char name[32], *buf;
	size_t f, i, len, cap = PER * 128 + 64;

	dir_main("");
	buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	for (f = 0; f < NFILES; f++) {
		len = (size_t)snprintf(buf, cap, "targets = (\n");
		for (i = 0; i < PER; i++)
			len += (size_t)snprintf(buf + len, cap - len,
			    "%s{ name = \"t%03zu-%02zu\"; host = \"127.0.0.1\"; "
			    "port = 9; interval = 3600.0; }\n", i ? "," : "",
			    i, f);
		snprintf(buf + len, cap - len, ");\n");
		snprintf(name, sizeof(name), "f%02zu.conf", f);
		dir_put(name, buf, 1000000000);
	}
	free(buf);
	start();
	ck_assert_uint_eq(d.ntargets, NFILES * PER);
	for (i = 1; i < d.ntargets; i++)
		ck_assert(strcmp(d.targets[i - 1]->conf.name,
		    d.targets[i]->conf.name) < 0);
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, NFILES * PER);
	ck_assert_uint_eq(d.conf->nsame, NFILES);
}
END_TEST


/* ---- what a reload keeps, with real probes ---- */

/*
 * The real futd, futctl and testsrv on loopback (sys.c, as the system
 * suite runs them): a target with some history, then a reload that
 * changes its settings (its results go on) or what it measures (they
 * start again), as the user sees it in futctl's answers.
 */
#define KEEP_TIMEOUT_S	30
#define KEEP_STEP_MS	10
#define KEEP_WAIT_MS	5000

static char		 root_dir[PATH_MAX];
static struct sys_fx	 fx;

static void
keep_root_setup(void)
{
	sys_root_setup(root_dir, sizeof(root_dir));
}

static void
keep_root_teardown(void)
{
	sys_root_teardown(root_dir, "reload tests");
}

static void
keep_setup(void)
{
	sys_fx_setup(&fx, root_dir);
}

static void
keep_teardown(void)
{
	sys_fx_teardown(&fx);
}

static void
keep_srv(struct sys_srv *srv, const char *const opts[], size_t nports)
{
	ck_assert_msg(sys_testsrv(srv, opts, nports, NULL) == 0,
	    "testsrv did not start (is %s/testsrv built?)", sys_build());
}

/* `futctl --json show name`'s target (the caller's). */
static json_t *
keep_show(const char *name)
{
	json_t *j = sys_futctl_json(fx.sock, "show", name), *t;

	ck_assert_msg(j != NULL, "futctl --json show %s failed", name);
	t = json_incref(json_object_get(j, "target"));
	json_decref(j);
	ck_assert_msg(t != NULL, "show %s: no target", name);
	return t;
}

/* A number of a target, "done" for ok + failed; -1 when absent. */
static double
keep_num(const json_t *t, const char *key)
{
	const json_t *v;

	if (strcmp(key, "done") == 0)
		return keep_num(t, "ok") + keep_num(t, "failed");
	v = json_object_get(t, key);
	return json_is_number(v) ? json_number_value(v) : -1;
}

/* Ask futd until target name's key is at least min: its show (ours). */
static json_t *
keep_wait(const char *name, const char *key, double min)
{
	uint64_t deadline = sys_now_ms() + KEEP_WAIT_MS;
	json_t *t;

	for (;;) {
		t = keep_show(name);
		if (keep_num(t, key) >= min)
			return t;
		json_decref(t);
		ck_assert_msg(sys_left_ms(deadline) > 0, "target %s: %s did "
		    "not reach %g within %d ms", name, key, min,
		    KEEP_WAIT_MS);
		sys_sleep_ms(KEEP_STEP_MS);
	}
}

/* The time of the oldest result of a show's history (0: none). */
static double
keep_oldest(const json_t *t)
{
	const json_t *h = json_object_get(t, "history");

	if (json_array_size(h) == 0)
		return 0;
	return sys_jreal(json_array_get(h, json_array_size(h) - 1), "time");
}

/* `futctl reload`: what it printed (exit 0 asserted). */
static void
keep_reload(struct sys_out *out)
{
	int rc = sys_futctl(out, fx.sock, "reload", (char *)NULL);

	ck_assert_msg(rc == 0, "futctl reload: exit %d\n%s%s", rc, out->out,
	    out->err);
}

static void
keep_has(const char *text, const char *want, int yes)
{
	ck_assert_msg((strstr(text, want) != NULL) == yes, "%s\"%s\" in:\n%s",
	    yes ? "no " : "", want, text);
}

/*
 * The value of the metric line that starts with name and holds label
 * (a "key=\"value\"" of it); -1 when none.
 */
static double
keep_metric(const char *text, const char *name, const char *label)
{
	const char *p = text, *end, *sp;
	char line[512];
	size_t n;

	for (; p != NULL && *p != '\0'; p = end != NULL ? end + 1 : NULL) {
		end = strchr(p, '\n');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n >= sizeof(line))
			continue;
		memcpy(line, p, n);
		line[n] = '\0';
		if (strncmp(line, name, strlen(name)) == 0 &&
		    line[strlen(name)] == '{' &&
		    strstr(line, "target=\"web\"") != NULL &&
		    strstr(line, label) != NULL &&
		    (sp = strrchr(line, ' ')) != NULL)
			return strtod(sp + 1, NULL);
	}
	return -1;
}

/* web's failures refused, and ok probes' total latency count (metrics). */
static void
keep_metrics(double *refused, double *latencies)
{
	struct sys_out out;

	ck_assert_int_eq(sys_futctl(&out, fx.sock, "metrics", (char *)NULL),
	    0);
	*refused = keep_metric(out.out, "futd_probe_failures_total",
	    "error=\"refused\"");
	*latencies = keep_metric(out.out, "futd_probe_duration_seconds_count",
	    "phase=\"total\"");
	sys_out_free(&out);
}

/*
 * A reload that changes a target's interval, timeout, rise, fall and
 * jitter: it says "changed", and the target goes on with all it had seen
 * (state and since, counters, history, availability, latencies, failures
 * by class) under its new settings.
 */
START_TEST(test_keep_settings)
{
	struct sys_srv srv;
	struct sys_out out;
	double refused0, lat0, refused1, lat1;
	json_t *t0, *t1, *a0, *a1;

	keep_srv(&srv, NULL, 1);
	sys_write_filef(fx.conf, "history = 200;\ntargets = (\n"
	    "  { name = \"web\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.05; timeout = 1.0; }\n);\n", srv.port[0]);
	sys_fx_futd(&fx);
	json_decref(keep_wait("web", "ok", 8));
	/* some failures too: an availability that is neither 0 nor 1 */
	ck_assert_int_eq(sys_stop(srv.pid, SYS_STOP_MS), 0);
	t0 = keep_wait("web", "failed", 3);
	keep_metrics(&refused0, &lat0);
	ck_assert(refused0 >= 3 && lat0 >= 8);

	sys_write_filef(fx.conf, "history = 200;\ntargets = (\n"
	    "  { name = \"web\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; timeout = 0.5; rise = 3; fall = 4; "
	    "jitter = 10; }\n);\n", srv.port[0]);
	keep_reload(&out);
	keep_has(out.out, "changed (results kept): web\n", 1);
	keep_has(out.out, "reset", 0);
	keep_has(out.out, "unchanged: 0\n", 1);
	sys_out_free(&out);

	t1 = keep_show("web");
	keep_metrics(&refused1, &lat1);
	ck_assert_msg(json_equal(json_object_get(t0, "since"),
	    json_object_get(t1, "since")), "since changed");
	ck_assert_pstr_eq(sys_jstr(t1, "state"), sys_jstr(t0, "state"));
	ck_assert(keep_num(t1, "probes") >= keep_num(t0, "probes"));
	ck_assert(keep_num(t1, "failed") >= keep_num(t0, "failed"));
	ck_assert(keep_num(t1, "ok") == keep_num(t0, "ok"));
	ck_assert(json_array_size(json_object_get(t1, "history")) >=
	    json_array_size(json_object_get(t0, "history")));
	ck_assert_msg(keep_oldest(t1) == keep_oldest(t0), "the history "
	    "starts at %f, before the reload at %f", keep_oldest(t1),
	    keep_oldest(t0));
	a0 = json_object_get(t0, "availability");
	a1 = json_object_get(t1, "availability");
	ck_assert_msg(keep_num(a1, "lifetime") > 0 &&
	    keep_num(a1, "lifetime") <= keep_num(a0, "lifetime") &&
	    keep_num(a1, "hour") > 0 && keep_num(a1, "day") > 0,
	    "availability %g -> %g", keep_num(a0, "lifetime"),
	    keep_num(a1, "lifetime"));
	ck_assert_msg(refused1 >= refused0 && lat1 == lat0, "metrics: refused "
	    "%g -> %g, latencies %g -> %g", refused0, refused1, lat0, lat1);
	/* and the new settings */
	ck_assert(keep_num(t1, "interval") == 0.1);
	ck_assert(keep_num(t1, "timeout") == 0.5);
	ck_assert(keep_num(t1, "rise") == 3 && keep_num(t1, "fall") == 4);
	json_decref(t0);
	json_decref(t1);
}
END_TEST

/*
 * A new interval counts from the last start: made longer, the target
 * waits for it (no probe at the old rate, none at once); made shorter
 * than the time since the last start, it probes within one new interval,
 * not after the old one.
 */
START_TEST(test_keep_interval)
{
	struct sys_srv srv;
	struct sys_out out;
	double probes;
	json_t *t;

	keep_srv(&srv, NULL, 1);
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"web\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; }\n);\n", srv.port[0]);
	sys_fx_futd(&fx);
	json_decref(keep_wait("web", "done", 3));

	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"web\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 30.0; }\n);\n", srv.port[0]);
	keep_reload(&out);
	keep_has(out.out, "changed (results kept): web\n", 1);
	sys_out_free(&out);
	t = keep_show("web");
	probes = keep_num(t, "probes");
	ck_assert_msg(keep_num(t, "next_probe_in_s") > 29, "next probe in "
	    "%g s", keep_num(t, "next_probe_in_s"));
	json_decref(t);
	sys_sleep_ms(600);		/* six slots of the old interval */
	t = keep_show("web");
	ck_assert_msg(keep_num(t, "probes") == probes, "probed %g times "
	    "after the interval went to 30 s",
	    keep_num(t, "probes") - probes);
	json_decref(t);

	/* 0.6 s since the last start: 0.2 s is past, the next slot is soon */
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"web\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.2; }\n);\n", srv.port[0]);
	keep_reload(&out);
	sys_out_free(&out);
	t = keep_show("web");
	ck_assert_msg(keep_num(t, "next_probe_in_s") <= 0.2, "next probe in "
	    "%g s", keep_num(t, "next_probe_in_s"));
	ck_assert(keep_num(t, "probes") == probes);
	json_decref(t);
	json_decref(keep_wait("web", "done", probes + 2));
}
END_TEST

/*
 * A probe in flight at the reload ends under the settings it started
 * with (its timeout, 1.5 s, not the new 0.3 s) and its result is the
 * kept target's; the next probe has the new timeout.
 */
START_TEST(test_keep_in_flight)
{
	static const char *const silent[] = { "-m", "silent", NULL };
	struct sys_srv srv;
	struct sys_out out;
	json_t *t, *last;

	keep_srv(&srv, silent, 1);
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"web\"; host = \"127.0.0.1\"; port = %u; "
	    "expect = \"never\"; interval = 2.0; timeout = 1.5; }\n);\n",
	    srv.port[0]);
	sys_fx_futd(&fx);
	/* a probe started (probes counts starts), none ended yet */
	t = keep_wait("web", "probes", 1);
	ck_assert(keep_num(t, "done") == 0);
	json_decref(t);

	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"web\"; host = \"127.0.0.1\"; port = %u; "
	    "expect = \"never\"; interval = 2.0; timeout = 0.3; }\n);\n",
	    srv.port[0]);
	keep_reload(&out);
	keep_has(out.out, "changed (results kept): web\n", 1);
	sys_out_free(&out);
	t = keep_show("web");
	ck_assert_msg(keep_num(t, "probes") == 1 && keep_num(t, "done") == 0,
	    "the probe in flight did not survive the reload");
	json_decref(t);

	t = keep_wait("web", "done", 1);
	last = json_object_get(t, "last");
	ck_assert_pstr_eq(sys_jstr(last, "error"), "read_timeout");
	ck_assert_msg(sys_jint(last, "latency_us") >= 1400000, "the probe in "
	    "flight ended after %lld us, not under its own timeout",
	    sys_jint(last, "latency_us"));
	json_decref(t);
	t = keep_wait("web", "done", 2);
	last = json_object_get(t, "last");
	ck_assert_msg(sys_jint(last, "latency_us") < 1000000, "the next probe "
	    "ended after %lld us, not under the new timeout",
	    sys_jint(last, "latency_us"));
	ck_assert(keep_num(t, "probes") == 2);
	json_decref(t);
}
END_TEST

/*
 * rise and fall judge from the next result on, with the results against
 * the state counted so far: an up target with failures behind it, fall
 * lowered from 5 to the count it has, goes down on its next failure.
 */
START_TEST(test_keep_fall)
{
	struct sys_srv srv;
	struct sys_out out;
	double failed;
	json_t *t;

	keep_srv(&srv, NULL, 1);
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"web\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.8; fall = 5; }\n);\n", srv.port[0]);
	sys_fx_futd(&fx);
	json_decref(keep_wait("web", "ok", 1));
	ck_assert_int_eq(sys_stop(srv.pid, SYS_STOP_MS), 0);
	json_decref(keep_wait("web", "failed", 2));

	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"web\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.8; fall = 2; }\n);\n", srv.port[0]);
	keep_reload(&out);
	keep_has(out.out, "changed (results kept): web\n", 1);
	sys_out_free(&out);
	t = keep_show("web");
	ck_assert_pstr_eq(sys_jstr(t, "state"), "up");	/* not at the reload */
	failed = keep_num(t, "failed");
	ck_assert(failed >= 2 && failed < 5);
	json_decref(t);
	t = keep_wait("web", "failed", failed + 1);
	ck_assert_msg(strcmp(sys_jstr(t, "state"), "down") == 0, "after %g "
	    "failures with fall = 2: %s", keep_num(t, "failed"),
	    sys_jstr(t, "state"));
	json_decref(t);
}
END_TEST

/*
 * What a target measures changed: its port, its port and interval, its
 * expect.  Each says "reset" and starts again (no result from before the
 * reload); one left as it was is unchanged and keeps its results.
 */
START_TEST(test_reset)
{
	static const char *const banner[] = { "-m", "banner", "-B",
	    "SSH-2.0-test\\r\\n", NULL };
	struct sys_srv srv;
	struct sys_out out;
	const char *names[] = { "both", "expect", "port", "same" };
	double oldest[4], wall;
	struct timespec ts;
	json_t *t;
	size_t i;

	keep_srv(&srv, banner, 2);
#define KEEP_RESET_CONF(pp, pb, ivb, exp) \
	"history = 200;\ntargets = (\n" \
	"  { name = \"port\"; host = \"127.0.0.1\"; port = %u; " \
	"interval = 0.05; },\n" \
	"  { name = \"both\"; host = \"127.0.0.1\"; port = %u; " \
	"interval = " ivb "; },\n" \
	"  { name = \"expect\"; host = \"127.0.0.1\"; port = %u; " \
	"interval = 0.05; expect = \"" exp "\"; },\n" \
	"  { name = \"same\"; host = \"127.0.0.1\"; port = %u; " \
	"interval = 0.05; }\n);\n", pp, pb, srv.port[0], srv.port[0]
	sys_write_filef(fx.conf, KEEP_RESET_CONF(srv.port[0], srv.port[0],
	    "0.05", "SSH-2.0-"));
	sys_fx_futd(&fx);
	for (i = 0; i < 4; i++) {
		t = keep_wait(names[i], "ok", 5);
		oldest[i] = keep_oldest(t);
		json_decref(t);
	}

	sys_write_filef(fx.conf, KEEP_RESET_CONF(srv.port[1], srv.port[1],
	    "0.1", "SSH-"));
#undef KEEP_RESET_CONF
	clock_gettime(CLOCK_REALTIME, &ts);
	wall = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	keep_reload(&out);
	keep_has(out.out, "reset (results start again): both, expect, "
	    "port\n", 1);
	keep_has(out.out, "changed (", 0);
	keep_has(out.out, "unchanged: 1\n", 1);
	sys_out_free(&out);

	for (i = 0; i < 3; i++) {
		t = keep_wait(names[i], "done", 1);
		ck_assert_msg(keep_oldest(t) > wall, "%s: a result of %f, "
		    "before the reload at %f", names[i], keep_oldest(t), wall);
		json_decref(t);
	}
	t = keep_show("same");
	ck_assert(keep_oldest(t) == oldest[3]);
	json_decref(t);
	t = keep_show("port");
	ck_assert_uint_eq(sys_jint(t, "port"), srv.port[1]);
	json_decref(t);
}
END_TEST

/*
 * `futctl --json reload`: "changed" names every target whose settings
 * changed, as before; "reset" those of them that start again.  The
 * reload's event says which, by name.
 */
START_TEST(test_reset_json)
{
	struct sys_srv srv;
	json_t *j, *ev, *e;
	char *dump;
	size_t i;

	keep_srv(&srv, NULL, 2);
#define KEEP_JSON_CONF(a_iv, b_port, c_or_d) \
	"targets = (\n" \
	"  { name = \"a\"; host = \"127.0.0.1\"; port = %u; " \
	"interval = " a_iv "; },\n" \
	"  { name = \"b\"; host = \"127.0.0.1\"; port = %u; " \
	"interval = 0.1; },\n" \
	"  { name = \"" c_or_d "\"; host = \"127.0.0.1\"; port = %u; " \
	"interval = 0.1; },\n" \
	"  { name = \"e\"; host = \"127.0.0.1\"; port = %u; " \
	"interval = 0.1; }\n);\n", srv.port[0], b_port, srv.port[0], \
	srv.port[0]
	sys_write_filef(fx.conf, KEEP_JSON_CONF("0.1", srv.port[0], "c"));
	sys_fx_futd(&fx);
	json_decref(keep_wait("a", "done", 2));
	sys_write_filef(fx.conf, KEEP_JSON_CONF("0.2", srv.port[1], "d"));
#undef KEEP_JSON_CONF

	j = sys_futctl_json(fx.sock, "reload", NULL);
	ck_assert_msg(j != NULL, "futctl --json reload failed");
	dump = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(dump, "{\"added\":[\"d\"],\"changed\":[\"a\",\"b\"],"
	    "\"removed\":[\"c\"],\"reset\":[\"b\"],\"schema\":1,"
	    "\"unchanged\":1}");
	free(dump);
	json_decref(j);

	j = sys_futctl_json(fx.sock, "log", NULL);
	ck_assert_ptr_nonnull(j);
	e = NULL;
	json_array_foreach(json_object_get(j, "events"), i, ev)
		if (strcmp(sys_jstr(ev, "type") != NULL ? sys_jstr(ev, "type") :
		    "", "reload") == 0)
			e = ev;
	ck_assert_msg(e != NULL, "no reload event");
	ck_assert_pstr_eq(sys_jstr(e, "message"), "reloaded: 1 added, "
	    "1 removed, 1 changed, 1 reset, 1 unchanged; reset (results start "
	    "again): b; changed (results kept): a; added: d; removed: c");
	json_decref(j);
}
END_TEST

/* The suite of the reloads with real probes. */
Suite *
keep_suite(void)
{
	Suite *s = suite_create("keep");
	TCase *tc = tcase_create("keep");

	tcase_add_unchecked_fixture(tc, keep_root_setup, keep_root_teardown);
	tcase_add_checked_fixture(tc, keep_setup, keep_teardown);
	tcase_set_timeout(tc, KEEP_TIMEOUT_S);
	tcase_add_test(tc, test_keep_settings);
	tcase_add_test(tc, test_keep_interval);
	tcase_add_test(tc, test_keep_in_flight);
	tcase_add_test(tc, test_keep_fall);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_reset_json);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
reload_suite(void)
{
	Suite *s = suite_create("reload");
	TCase *tc = tcase_create("reload");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unchanged);
	tcase_add_test(tc, test_mixed);
	tcase_add_test(tc, test_changed);
	tcase_add_test(tc, test_rewritten);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_defaults_after_targets);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_bad_after_taken);
	tcase_add_test(tc, test_tls_and_shard);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_dir_by_file);
	tcase_add_test(tc, test_dir_defaults);
	tcase_add_test(tc, test_dir_duplicates);
	tcase_add_test(tc, test_dir_bad);
	tcase_add_test(tc, test_dir_many);
	tcase_add_test(tc, test_dir_changed_unseen);
	tcase_add_test(tc, test_dir_shard);
	suite_add_tcase(s, tc);
	return s;
}
