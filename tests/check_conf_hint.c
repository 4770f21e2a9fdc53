/*
 * check_conf_hint.c - the mistakes that used to pass `futd -n` or fail
 * with a bare "syntax error", each in a file of its own: conf_load() must
 * refuse it with the one message a user reads ("file:line: problem" and
 * what to write instead), and the near misses that are right must load.
 * Part of the conf suite (conf_hint_tcase).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "strlist.h"
#include "sys.h"
#include "target_conf.h"
#include "tests.h"

static char		 dir[PATH_MAX];
static char		 path[PATH_MAX];

static void
hint_setup(void)
{
	ck_assert_int_eq(sys_tmpdir(dir, sizeof(dir)), 0);
	sys_path_in(path, sizeof(path), dir, "futd.conf");
}

static void
hint_teardown(void)
{
	sys_rmtree(dir);
}

/* a target around what a case puts in it */
#define T(x)	"targets = (\n  { name = \"a\"; port = 80; " x " }\n);\n"
#define H(h)	T("host = \"" h "\";")

static const struct hint_case {
	const char	*text;
	int		 line;
	const char	*msg;
} hint_cases[] = {
	/* a host that would have been sent to the name servers as it is */
	{ H("[::1]"), 2, "bad host \"[::1]\" in target \"a\": write an IPv6 "
	    "address without brackets: host = \"::1\";" },
	{ H("[::1]:6379"), 2, "bad host \"[::1]:6379\" in target \"a\": write "
	    "an IPv6 address without brackets and the port in port = ...: "
	    "host = \"::1\"; port = 6379;" },
	{ H("127.0.0.1:80"), 2, "bad host \"127.0.0.1:80\" in target \"a\": "
	    "write the port in port = ...: host = \"127.0.0.1\"; port = 80;" },
	{ H("localhost:6379"), 2, "bad host \"localhost:6379\" in target "
	    "\"a\": write the port in port = ...: host = \"localhost\"; "
	    "port = 6379;" },
	{ "targets = (\n  { name = \"a\"; host = \"localhost:6379\"; }\n);\n",
	    2, "bad host \"localhost:6379\" in target \"a\": write the port in "
	    "port = ...: host = \"localhost\"; port = 6379;" },
	{ H("::1:80"), 2, "bad host \"::1:80\" in target \"a\": it reads as "
	    "one IPv6 address, not as ::1 and a port: write the port in "
	    "port = ...: host = \"::1\"; port = 80;" },
	{ H("https://example.com:8443/health"), 2, "bad host "
	    "\"https://example.com:8443/health\" in target \"a\": a URL: write "
	    "the name alone and the port in port = ...: host = "
	    "\"example.com\"; port = 8443;" },
	{ H("http://[::1]:8080/health"), 2, "bad host "
	    "\"http://[::1]:8080/health\" in target \"a\": a URL: write the "
	    "name alone and the port in port = ...: host = \"::1\"; port = "
	    "8080;" },
	{ H("http://[2001:db8::1]/"), 2, "bad host \"http://[2001:db8::1]/\" "
	    "in target \"a\": a URL: write the name alone: host = "
	    "\"2001:db8::1\";" },
	{ H("http://example.com:/"), 2, "bad host \"http://example.com:/\" in "
	    "target \"a\": a URL: write the name alone: host = "
	    "\"example.com\";" },
	{ H("b\xc3\xbc" "cher.example"), 2, "bad host \"b\xc3\xbc" "cher."
	    "example\" in target \"a\": a name is ASCII: write an "
	    "international one as its xn-- form (what idn2 prints)" },
	{ H("fe80::1%eth0"), 2, "bad host \"fe80::1%eth0\" in target \"a\": "
	    "an IPv6 zone (%eth0) is not supported: probe an address that "
	    "needs none" },
	{ H("127.0.0.256"), 2, "bad host \"127.0.0.256\" in target \"a\": not "
	    "an IPv4 address (four numbers 0 to 255 between dots) nor a name" },
	{ H("db..example"), 2, "bad host \"db..example\" in target \"a\": an "
	    "empty label (two dots, or a dot first)" },
	{ H("-db.example"), 2, "bad host \"-db.example\" in target \"a\": a "
	    "label cannot begin or end with '-'" },
	{ H("db!.example"), 2, "bad host \"db!.example\" in target \"a\": '!' "
	    "cannot be in a name (letters, digits, '-', '_' and dots)" },
	{ H("a234567890123456789012345678901234567890123456789012345678901234"
	    ".example"), 2, "bad host \"a2345678901234567890123456789012345678"
	    "90123456789012345678901234.example\" in target \"a\": a label is "
	    "at most 63 characters" },
	{ T("host = \"db.example\"; tls = true; sni = \"192.0.2.1\";"), 2,
	    "bad sni \"192.0.2.1\" in target \"a\": an address: TLS sends only "
	    "a name (leave sni out to send none)" },

	/* libconfig 1.5 says "syntax error" and the line; we say more */
	{ "targets = (\n  { name = \"a\"; host = \"x\"; port = 1; }\n"
	    "  { name = \"b\"; host = \"x\"; port = 1; }\n);\n", 3,
	    "syntax error: missing ',' between two groups of a list?" },
	{ "targets = ( { name = \"a\"; host = \"x\"; port = 1; } "
	    "{ name = \"b\"; host = \"x\"; port = 1; } );\n", 1,
	    "syntax error: missing ',' between two groups of a list?" },
	{ "targets = (\n  { name = \"a\"; host = \"x\"; port = 1; },\n);\n", 3,
	    "syntax error: a ',' after the last element of a list: remove it" },
	{ "targets = (\n  { name = \"a\"; host = \"x\"; port = 1; };\n"
	    "  { name = \"b\"; host = \"x\"; port = 1; }\n);\n", 2,
	    "syntax error: the elements of a list are separated by ',', "
	    "not ';'" },
	{ T("host = 127.0.0.1;"), 2, "syntax error: a string needs double "
	    "quotes: host = \"127.0.0.1\"" },
	{ "log_level = debug;\n", 1, "syntax error: a string needs double "
	    "quotes: log_level = \"debug\"" },
	{ "log_level = 'debug';\n", 1, "syntax error: a string takes double "
	    "quotes \"...\", not single ones" },
	{ "defaults = { timeout = 1.5s; };\n", 1, "syntax error: a number "
	    "takes no unit (durations are in seconds): timeout = 1.5" },
	{ "defaults = { jitter = 10%; };\n", 1, "syntax error: a number "
	    "takes no unit: jitter = 10" },
	{ T("host = \"x\"; tls = yes;"), 2, "syntax error: write true or "
	    "false, not yes" },
	{ "targets = [ { name = \"a\"; host = \"x\"; port = 1; } ];\n", 1,
	    "syntax error: an array [ ... ] holds only numbers or strings; a "
	    "list of groups is written ( { ... }, ... )" },
	{ "targets = {\n  { name = \"a\"; host = \"x\"; port = 1; }\n};\n", 2,
	    "syntax error: targets = { ... } holds name = value settings; a "
	    "list of groups is written targets = ( { ... }, ... )" },
	{ "targets = (\n  name = \"a\"; host = \"x\"; port = 1;\n);\n", 2,
	    "syntax error: a setting in a list, outside a group: a '{' missing "
	    "before name?" },
	{ "defaults = { interval = 5;\n\nhistory = 5;\n", 4, "syntax error: "
	    "the '{' of line 1 is never closed (a '}' missing?)" },
	{ T("host = \"x\"; ) "), 2, "syntax error: ')' does not close the "
	    "'{' of line 2 (a '}' missing before it?)" },
	{ "history = 5; }\n", 1, "syntax error: '}' closes nothing: one too "
	    "many?" },
	{ "log_level = \"debug;\nhistory = 5;\n", 3, "syntax error: the "
	    "string of line 1 is never closed (a '\"' missing?)" },
	{ "history = 5;;\n", 1, "syntax error: one ';' too many" },
	{ "history 5;\n", 1, "syntax error: missing '=' after history?" },
	{ "history = ;\n", 1, "syntax error: a value is missing after "
	    "history =" },

	/* a key futd does not take: the one meant, or where it belongs */
	{ T("host = \"x\"; intervall = 5;"), 2, "unknown key \"intervall\" in "
	    "target \"a\"; did you mean interval?" },
	{ "Log-Level = \"debug\";\n", 1, "unknown key \"Log-Level\" at the top "
	    "level; did you mean log_level?" },
	{ "target = ();\n", 1, "unknown key \"target\" at the top level; did "
	    "you mean targets?" },
	{ "interval = 5;\n", 1, "unknown key \"interval\" at the top level; it "
	    "belongs in defaults or in a target" },
	{ "host = \"x\";\n", 1, "unknown key \"host\" at the top level; it "
	    "belongs in a target" },
	{ "defaults = { sni = \"x\"; };\n", 1, "unknown key \"sni\" in "
	    "defaults; it can be set only in a target" },
	{ T("host = \"x\"; history = 5;"), 2, "unknown key \"history\" in "
	    "target \"a\"; it belongs at the top level of futd.conf" },
	{ "colour = \"red\";\n", 1, "unknown key \"colour\" at the top level" },
};

START_TEST(test_hint)
{
	const struct hint_case *hc = &hint_cases[_i];
	struct strlist errs = { NULL, 0, 0 };
	struct conf *c;
	char want[PATH_MAX + 512];

	sys_write_filef(path, "%s", hc->text);
	snprintf(want, sizeof(want), "%s:%d: %s", path, hc->line, hc->msg);
	c = conf_load(path, &errs, NULL);
	ck_assert_msg(c == NULL, "[%s] should not load", hc->text);
	ck_assert_msg(errs.n == 1, "[%s]: want one error, got %zu: %s",
	    hc->text, errs.n, errs.n > 0 ? errs.msg[0] : "");
	ck_assert_str_eq(errs.msg[0], want);
	strlist_clear(&errs);
}
END_TEST

/*
 * What is right must stay right: literals IPv6 among them ("::1" looks
 * like a host and a port to a careless check), names with '_' (container
 * networks use them), a final dot, and libconfig's own liberties (no ';'
 * after a setting, ':' for '=').
 */
START_TEST(test_hint_good)
{
	static const char *const hosts[] = {
		"::1", "::", "127.0.0.1", "::ffff:192.0.2.1",
		"2001:db8::1:443", "localhost", "db_1.example",
		"example.com.", "xn--bcher-kva.example", "4chan.example",
		"a23456789012345678901234567890123456789012345678901234567890123"
		    ".example",
	};
	struct strlist errs = { NULL, 0, 0 };
	struct conf *c;
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(*hosts); i++) {
		sys_write_filef(path, "targets = ( { name = \"a\"; port = 80; "
		    "host = \"%s\"; } );\n", hosts[i]);
		c = conf_load(path, &errs, NULL);
		ck_assert_msg(c != NULL, "host \"%s\" should load: %s",
		    hosts[i], errs.n > 0 ? errs.msg[0] : "");
		ck_assert_str_eq(c->targets[0]->host, hosts[i]);
		conf_free(c);
	}
	sys_write_filef(path, "history: 5\nevents = 10\ntargets = ( { name = "
	    "\"a\", host = \"x\", port = 80 } )\n");
	c = conf_load(path, &errs, NULL);
	ck_assert_msg(c != NULL, "libconfig's syntax should load: %s",
	    errs.n > 0 ? errs.msg[0] : "");
	ck_assert_uint_eq(c->history, 5);
	ck_assert_uint_eq(c->events, 10);
	conf_free(c);
}
END_TEST

TCase *
conf_hint_tcase(void)
{
	TCase *tc = tcase_create("hint");

	tcase_add_checked_fixture(tc, hint_setup, hint_teardown);
	tcase_add_loop_test(tc, test_hint, 0,
	    (int)(sizeof(hint_cases) / sizeof(*hint_cases)));
	tcase_add_test(tc, test_hint_good);
	return tc;
}
