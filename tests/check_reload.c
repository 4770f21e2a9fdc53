/*
 * check_reload.c - daemon_reload() on configs written to disk, on a real
 * event_base: which targets stay as they run, which are read again, and
 * that a bad reload leaves everything as it was.
 *
 * A reload takes a running target as it is when its group reads as it
 * did and the defaults (history, shard) did not change (struct
 * conf_reuse): no check, no copy.  What a user sees of it is the same
 * as of a target compared and kept (the same counters, history, state:
 * here, the same struct target), only faster; rep.reused says which way
 * each went, so the tests can hold both ways to the same answers.
 *
 * The targets point at 127.0.0.1 and are never probed: the reactor does
 * not run here.
 */
#include <event2/dns.h>
#include <event2/event.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "futd.h"
#include "tests.h"
#include "sys.h"

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

static void
conf_put(const char *fmt, ...)
{
	char buf[8192], *p;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(buf));
	/* T() ends each target with a comma: the last one's must go */
	if ((p = strstr(buf, "},\n);")) != NULL) {
		memmove(p + 1, p + 2, strlen(p + 2) + 1);
		n--;
	}
	ck_assert_int_eq(sys_write_file(path, buf, (size_t)n), 0);
}

/* The first config, as futd's start applies it. */
static void
start(void)
{
	struct conf *c = conf_load(path, &errs);

	ck_assert_msg(c != NULL, "%s", errs.n > 0 ? errs.msg[0] : "?");
	ck_assert_int_eq(daemon_apply(&d, c, NULL), 0);
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
	ck_assert_uint_eq(rep.reused, 3);
	ck_assert_uint_eq(rep.added.n + rep.removed.n + rep.changed.n, 0);
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("b"), b);
	ck_assert_ptr_eq(find("c"), c);
	ck_assert_uint_eq(a->res.probes, 7);

	conf_put(HEAD "# moved\ntargets = (\n\n" T("c", "timeout = 2.5; ")
	    "/* b */\n" T("b", "probe = \"hello\"; ") T("a", "") ");\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 3);
	ck_assert_str_eq(names(), "a,b,c");
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("b"), b);
	ck_assert_ptr_eq(find("c"), c);
	assert_unmarked();
}
END_TEST

/*
 * A changed target is made anew, an added one made, a removed one gone,
 * the others taken; the new list is in order of name as before.
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
	ck_assert_uint_eq(rep.reused, 2);
	ck_assert_uint_eq(rep.unchanged, 2);
	ck_assert_uint_eq(rep.added.n, 1);
	ck_assert_str_eq(rep.added.msg[0], "d");
	ck_assert_uint_eq(rep.changed.n, 1);
	ck_assert_str_eq(rep.changed.msg[0], "b");
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
 * A group written otherwise (its keys in another order) is read again,
 * found equal and kept; the next reload takes it without reading.
 */
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
	ck_assert_uint_eq(rep.reused, 1);
	ck_assert_ptr_eq(find("a"), a);
}
END_TEST

/*
 * Defaults: a change every target reads makes them all anew; one a
 * target overrides reads every group again but keeps the target.  A new
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
	ck_assert_uint_eq(rep.reused, 2);
	assert_unmarked();
}
END_TEST

/*
 * The targets before the defaults in the file: groups are taken as they
 * are read, before the defaults are; when those changed, the file is read
 * again as a whole, and the answer is the same as with the defaults first.
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
	ck_assert_uint_eq(rep.reused, 2);

	conf_put(HEAD "targets = (\n" T("a", "") T("b", "timeout = 2.0; ")
	    ");\ndefaults = { timeout = 1.5; };\n");
	ck_assert_int_eq(reload(), 0);
	ck_assert_uint_eq(rep.reused, 0);
	ck_assert_uint_eq(rep.unchanged, 1);
	ck_assert_uint_eq(rep.changed.n, 1);
	ck_assert_str_eq(rep.changed.msg[0], "a");
	ck_assert_uint_eq(find("a")->conf.timeout_us, 1500000);
	ck_assert_ptr_ne(find("a"), a);
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
 * Duplicates of a target that would be taken: before it, after it, an
 * exact copy, three of one name.  Each is an error at its line naming the
 * first, and the reload changes nothing; the next good one takes them all.
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
	ck_assert_uint_eq(rep.reused, 2);
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("b"), b);
}
END_TEST

/*
 * A bad reload after targets were taken changes nothing and leaves no
 * mark: the same running targets, and the next reload takes them again.
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
	ck_assert_uint_eq(rep.reused, 2);
	ck_assert_ptr_eq(find("a"), a);
	ck_assert_ptr_eq(find("b"), b);
}
END_TEST

/*
 * TLS targets are read again every time (a CA file can change under the
 * same group) and kept when equal; shard K/N is part of what every group
 * reads: a new one reads them all.
 */
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
	ck_assert_uint_eq(rep.reused, 1);
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
	ck_assert_uint_eq(rep.reused, d.ntargets -
	    (daemon_find(&d, "t") != NULL));
}
END_TEST

/* Many targets, every one taken: the index finds each, in any order. */
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
	ck_assert_uint_eq(rep.reused, N);
	ck_assert_uint_eq(d.ntargets, N);
	ck_assert_mem_eq(before, d.targets, N * sizeof(*before));
	assert_unmarked();
	free(before);
	free(buf);
}
END_TEST

Suite *
reload_suite(void)
{
	Suite *s = suite_create("reload");
	TCase *tc = tcase_create("reload");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unchanged);
	tcase_add_test(tc, test_mixed);
	tcase_add_test(tc, test_rewritten);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_defaults_after_targets);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_bad_after_taken);
	tcase_add_test(tc, test_tls_and_shard);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);
	return s;
}
