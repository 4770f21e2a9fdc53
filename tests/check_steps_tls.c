/*
 * check_steps_tls.c - the steps suite's tls TCase: the TLS handshake as
 * one step among others, written by hand.
 *
 * SMTP's STARTTLS as plain steps (no starttls preset) against tlssrv -s
 * smtp: up, with an expect read over TLS after the handshake step; the
 * refusing server's "454" rejected at its step.  A handshake step with a
 * timeout of its own against a peer that never answers: tls_timeout at
 * that step, at the step's time.  A TLS target with steps and no tls step
 * shakes hands first, then runs its steps over TLS.
 */
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs.h"
#include "check_steps.h"

/* the dialogue of SMTP up to STARTTLS, the handshake, then a banner */
#define SMTP_STEPS \
	"    steps = (\n" \
	"      { expect_regex = \"(^|\\n)220 [^\\n]*\\n\"; },\n" \
	"      { send = \"EHLO steps.invalid\\r\\n\"; },\n" \
	"      { expect_regex = \"(^|\\n)250 [^\\n]*\\n\";\n" \
	"        reject_regex = \"(^|\\n)[45][0-9][0-9] \"; },\n" \
	"      { send = \"STARTTLS\\r\\n\"; },\n" \
	"      { expect = \"220 \"; reject = \"454\"; },\n" \
	"      { tls = true; },\n" \
	"      { expect = \"hello in TLS\\r\\n\"; } );"

/*
 * The same, but what it looks for after the handshake came before it, in
 * plain text: the rest of the "220 2.0.0 Ready to start TLS" line.
 */
#define SMTP_STEPS_PLAIN \
	"    steps = (\n" \
	"      { expect_regex = \"(^|\\n)220 [^\\n]*\\n\"; },\n" \
	"      { send = \"EHLO steps.invalid\\r\\n\"; },\n" \
	"      { expect_regex = \"(^|\\n)250 [^\\n]*\\n\"; },\n" \
	"      { send = \"STARTTLS\\r\\n\"; },\n" \
	"      { expect = \"220\"; },\n" \
	"      { tls = true; },\n" \
	"      { expect = \"Ready to start TLS\"; } );"

static struct certs	certs;
static char		tls_dir[PATH_MAX];

/* the test's certificates, in a directory of its own */
static void
tls_certs(void)
{
	sys_path_in(tls_dir, sizeof(tls_dir), steps_fx.dir, "certs");
	ck_assert(mkdir(tls_dir, 0700) == 0);
	steps_certs(&certs, tls_dir);
}

/* tlssrv with the test's leaf and opts: its port */
static unsigned
tlssrv_start(const char *const opts[])
{
	char bin[PATH_MAX], cert[PATH_MAX], key[PATH_MAX], errpath[PATH_MAX];
	const char *argv[16];
	unsigned port;
	size_t n = 0, i;

	sys_bin(bin, sizeof(bin), "tlssrv");
	snprintf(cert, sizeof(cert), "%s", certs_path(&certs, "leaf.pem"));
	snprintf(key, sizeof(key), "%s", certs_path(&certs, "leaf.key"));
	sys_path_in(errpath, sizeof(errpath), steps_fx.dir, "tlssrv.err");
	argv[n++] = bin;
	argv[n++] = "-t";
	argv[n++] = "60";
	argv[n++] = "-c";
	argv[n++] = cert;
	argv[n++] = "-k";
	argv[n++] = key;
	argv[n++] = "-l";
	argv[n++] = steps_fx.log;
	for (i = 0; opts[i] != NULL && n + 2 < sizeof(argv) / sizeof(argv[0]);
	    i++)
		argv[n++] = opts[i];
	argv[n++] = "0";
	argv[n] = NULL;
	ck_assert_msg(sys_spawn_ready(steps_fx.dir, argv, errpath, &port) !=
	    -1, "tlssrv did not start (is %s/tlssrv built?)", sys_build());
	return port;
}

/*
 * 1. STARTTLS as steps: up through the dialogue and the handshake, the
 * last expect read over TLS; a refusal rejected at step 5; what came in
 * plain text before the handshake is not read as the server's over TLS.
 */
START_TEST(test_starttls_by_hand)
{
	const char *const okopts[] = { "-s", "smtp", "-B",
	    "hello in TLS\\r\\n", NULL };
	const char *const noopts[] = { "-s", "smtp", "-r", NULL };
	unsigned pok, pno;
	json_t *reply;
	const json_t *t;
	char *log;

	tls_certs();
	pok = tlssrv_start(okopts);
	pno = tlssrv_start(noopts);
	sys_write_filef(steps_fx.conf,
	    "defaults = { interval = 1; timeout = 2; };\n"
	    "targets = (\n"
	    "  { name = \"ok\"; host = \"127.0.0.1\"; port = %u; tls = true;\n"
	    "    ca_file = \"%s\";\n" SMTP_STEPS " },\n"
	    "  { name = \"no\"; host = \"127.0.0.1\"; port = %u; tls = true;\n"
	    "    ca_file = \"%s\";\n" SMTP_STEPS " },\n"
	    "  { name = \"plain\"; host = \"127.0.0.1\"; port = %u;"
	    " tls = true;\n"
	    "    ca_file = \"%s\"; timeout = 1;\n" SMTP_STEPS_PLAIN " }\n);\n",
	    pok, certs_path(&certs, "ca.pem"), pno,
	    certs_path(&certs, "ca.pem"), pok, certs_path(&certs, "ca.pem"));
	steps_futd("ok", "no", "plain", NULL);

	steps_assert_up("ok");
	t = steps_show("ok", &reply);
	ck_assert_pstr_eq(steps_jstr(t, "last.tls.subject"), "CN=localhost");
	ck_assert_msg(json_is_true(sys_jpath(t, "last.tls.verified")),
	    "not verified");
	json_decref(reply);

	t = steps_assert_failed("no", "rejected", 5, "expect", &reply);
	ck_assert_pstr_eq(steps_jstr(t, "last.message"),
	    "reply rejected: 454 4.7.0 TLS not available");
	json_decref(reply);

	t = steps_assert_failed("plain", "expect_mismatch", 7, "expect",
	    &reply);
	ck_assert_pstr_eq(steps_jstr(t, "last.received"),
	    "hello in TLS\\x0d\\x0a");
	json_decref(reply);

	/* tlssrv saw our words, and a handshake */
	log = sys_read_file(steps_fx.log, NULL);
	ck_assert_msg(log != NULL &&
	    strstr(log, "starttls=ok tls=ok") != NULL &&
	    strstr(log, "cmds=EHLO_steps.invalid|STARTTLS") != NULL,
	    "tlssrv's log: %s", log != NULL ? log : "(none)");
	free(log);
}
END_TEST

/*
 * 2. A handshake step's own timeout: the peer never answers the
 * ClientHello; tls_timeout at step 2 after 0.3 s, not the target's 3 s.
 */
START_TEST(test_tls_step_timeout)
{
	const char *const opts[] = { "-m", "silent", NULL };
	unsigned port = steps_testsrv(opts);
	json_t *reply;
	const json_t *t;
	long long lat;

	sys_write_filef(steps_fx.conf,
	    "defaults = { interval = 1; timeout = 3; };\n"
	    "targets = (\n"
	    "  { name = \"stall\"; host = \"127.0.0.1\"; port = %u;"
	    " tls = true;\n"
	    "    steps = ( { send = \"STARTTLS\\r\\n\"; },\n"
	    "      { tls = true; timeout = 0.3; } ); }\n);\n", port);
	steps_futd("stall", NULL);
	t = steps_assert_failed("stall", "tls_timeout", 2, "tls", &reply);
	lat = steps_jint(t, "last.latency_us");
	ck_assert_msg(lat >= 300000 && lat < 1000000, "latency %lld us: not "
	    "the step's 0.3 s", lat);
	json_decref(reply);
}
END_TEST

/*
 * 3. A TLS target whose steps have no tls step: the handshake first (no
 * step of its own), then the steps over TLS.
 */
START_TEST(test_tls_first)
{
	const char *const opts[] = { "-B", "+OK in TLS\\r\\n", NULL };
	unsigned port;
	json_t *reply;
	const json_t *t;

	tls_certs();
	port = tlssrv_start(opts);
	sys_write_filef(steps_fx.conf,
	    "defaults = { interval = 1; timeout = 2; };\n"
	    "targets = (\n"
	    "  { name = \"tls\"; host = \"127.0.0.1\"; port = %u; tls = true;\n"
	    "    ca_file = \"%s\";\n"
	    "    steps = ( { expect = \"+OK\"; }, { expect = \"in TLS\"; } ); "
	    "},\n"
	    "  { name = \"wrong\"; host = \"127.0.0.1\"; port = %u;"
	    " tls = true;\n"
	    "    ca_file = \"%s\"; timeout = 1;\n"
	    "    steps = ( { expect = \"+OK\"; }, { expect = \"-ERR\"; } ); }\n"
	    ");\n", port, certs_path(&certs, "ca.pem"), port,
	    certs_path(&certs, "ca.pem"));
	steps_futd("tls", "wrong", NULL);
	steps_assert_up("tls");
	t = steps_assert_failed("wrong", "expect_mismatch", 2, "expect",
	    &reply);
	ck_assert_pstr_eq(steps_jstr(t, "last.received"), " in TLS\\x0d\\x0a");
	ck_assert_pstr_eq(steps_jstr(t, "last.tls.subject"), "CN=localhost");
	json_decref(reply);
}
END_TEST

TCase *
steps_tls_tcase(void)
{
	TCase *tc = steps_tcase("tls");

	tcase_add_test(tc, test_starttls_by_hand);
	tcase_add_test(tc, test_tls_step_timeout);
	tcase_add_test(tc, test_tls_first);
	return tc;
}
