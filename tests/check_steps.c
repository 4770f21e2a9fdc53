/*
 * check_steps.c - the steps suite: a probe as a dialogue of steps, end to
 * end against real servers on 127.0.0.1.
 *
 *   redis     Debian's redis-server: a dialogue of sends and expects, a
 *             wrong answer failing at its step with its bytes, a reject
 *             (an "-ERR" reply) counted as error="rejected" in the
 *             metrics (check_steps_redis.c)
 *   postgres  PostgreSQL 15's SSLRequest (starttls = "postgres"): ssl=on
 *             is up with the server's certificate, ssl=off is rejected
 *             at step 2 (check_steps_pg.c)
 *   peers     our testsrv: a match split across reads, a peer that sends
 *             more than a step's read_limit, binary data with NULs, a
 *             peer that hangs up between steps, one reply that answers
 *             two steps, a step's own timeout, a reload of changed steps
 *   config    `futd -n` on what a user gets wrong in steps: file:line
 *             and what to do
 *
 * The real futd and futctl; what a user sees (futctl --json show and
 * reload, the metrics page) is what the tests assert.  Without redis-server
 * its tests say SKIPPED on stderr and pass; without PostgreSQL tlssrv
 * plays it.  Here: the fixture and helpers the files share, the peers and
 * config TCases.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "certs.h"
#include "check_steps.h"
#include "sys.h"
#include "tests.h"

#define STEPS_TEST_TIMEOUT_S	30
#define POLL_MS			25	/* between two looks at futd */
#define FIRST_MS		8000	/* a first result within this */

static char		 root_dir[PATH_MAX];
struct sys_fx		 steps_fx;

/* fixtures */

static void
root_setup(void)
{
	sys_root_setup(root_dir, sizeof(root_dir));
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "steps tests");
}

static void
fx_setup(void)
{
	sys_fx_setup(&steps_fx, root_dir);
}

static void
fx_teardown(void)
{
	sys_fx_teardown(&steps_fx);
}


const char *
steps_jstr(const json_t *o, const char *path)
{
	return json_string_value(sys_jpath(o, path));
}

/* an integer; LLONG_MIN when absent */
long long
steps_jint(const json_t *o, const char *path)
{
	const json_t *v = sys_jpath(o, path);

	return json_is_integer(v) ? (long long)json_integer_value(v) :
	    LLONG_MIN;
}

/* o as compact JSON for a message (free it) */
char *
steps_jdump(const json_t *o)
{
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) :
	    NULL;

	return s != NULL ? s : strdup("(absent)");
}

/* futd */

/*
 * futd on the test's futd.conf, and back once each target named
 * (NULL-terminated) has a result.
 */
void
steps_futd(const char *first, ...)
{
	uint64_t deadline;
	const char *name;
	json_t *st, *t;
	va_list ap;
	int missing;

	sys_fx_futd(&steps_fx);
	deadline = sys_now_ms() + FIRST_MS;
	for (;;) {
		st = sys_status_get(steps_fx.sock);
		missing = 0;
		va_start(ap, first);
		for (name = first; !missing && name != NULL;
		    name = va_arg(ap, const char *)) {
			t = sys_target_get(st, name);
			missing = t == NULL ||
			    sys_jint(t, "ok") + sys_jint(t, "failed") < 1;
		}
		va_end(ap);
		json_decref(st);
		if (!missing)
			return;
		ck_assert_msg(sys_left_ms(deadline) > 0, "no result for every "
		    "target within %d ms", FIRST_MS);
		sys_sleep_ms(POLL_MS);
	}
}

/* `futctl --json show name`: its target (the caller frees *reply) */
const json_t *
steps_show(const char *name, json_t **reply)
{
	*reply = sys_futctl_json(steps_fx.sock, "show", name);
	ck_assert_msg(*reply != NULL, "futctl --json show %s failed", name);
	return json_object_get(*reply, "target");
}

/* name's last result is ok */
void
steps_assert_up(const char *name)
{
	json_t *reply;
	const json_t *t = steps_show(name, &reply);
	char *dump = steps_jdump(t);

	ck_assert_msg(json_is_true(sys_jpath(t, "last.ok")), "%s not ok: %s",
	    name, dump);
	ck_assert_msg(sys_jpath(t, "last.step") == NULL, "%s: a step in an "
	    "ok result: %s", name, dump);
	free(dump);
	json_decref(reply);
}

/*
 * name's last result failed with error at step (of kind): its target
 * (the caller frees *reply).
 */
const json_t *
steps_assert_failed(const char *name, const char *error, int step,
    const char *kind, json_t **reply)
{
	const json_t *t = steps_show(name, reply);
	char *dump = steps_jdump(t);

	ck_assert_msg(json_is_false(sys_jpath(t, "last.ok")), "%s ok: %s",
	    name, dump);
	ck_assert_msg(steps_jstr(t, "last.error") != NULL &&
	    strcmp(steps_jstr(t, "last.error"), error) == 0,
	    "%s: error not %s: %s", name, error, dump);
	ck_assert_msg(steps_jint(t, "last.step") == step, "%s: not step %d: "
	    "%s", name, step, dump);
	ck_assert_msg(steps_jstr(t, "last.step_kind") != NULL &&
	    strcmp(steps_jstr(t, "last.step_kind"), kind) == 0,
	    "%s: step_kind not %s: %s", name, kind, dump);
	free(dump);
	return t;
}

/*
 * In dir: ca.pem ("CN=futd test CA"), and leaf.pem (CN=localhost, SAN
 * localhost and 127.0.0.1, 2 days) with leaf.key, which it signed.
 */
void
steps_certs(struct certs *c, const char *dir)
{
	c->dir = dir;
	c->error[0] = '\0';
	if (certs_ca(c, "ca", "futd test CA") == -1 ||
	    certs_req(c, "leaf", "localhost") == -1 ||
	    certs_file(c, "local.ext",
	    "subjectAltName = DNS:localhost,IP:127.0.0.1\n") == -1 ||
	    certs_ca_config(c, NULL) == -1 ||
	    certs_sign_days(c, "ca", "leaf.csr", "local.ext", "2", "2",
	    "leaf.pem") == -1)
		ck_abort_msg("certificates: %s", c->error);
}

/* testsrv with opts on an ephemeral port: the port */
unsigned
steps_testsrv(const char *const opts[])
{
	struct sys_srv srv;

	ck_assert_msg(sys_testsrv(&srv, opts, 1, steps_fx.log) == 0,
	    "testsrv did not start (is %s/testsrv built?)", sys_build());
	return srv.port[0];
}

/* a target on 127.0.0.1:port (%u) with more: its steps and settings */
#define TARGET(name, more) \
	"  { name = \"" name "\"; host = \"127.0.0.1\"; port = %u;\n    " \
	more " }"
#define CONF_HEAD	"defaults = { interval = 1; timeout = 2; };\n" \
			"targets = (\n"
#define CONF_TAIL	"\n);\n"

/* received, as show has it (bytes not printable as \xHH) */
static void
assert_received(const json_t *t, const char *want)
{
	char *dump = steps_jdump(t);

	ck_assert_msg(steps_jstr(t, "last.received") != NULL &&
	    strcmp(steps_jstr(t, "last.received"), want) == 0,
	    "received not \"%s\": %s", want, dump);
	free(dump);
}

/*
 * 1. A match split across reads: trickle sends "+PONG\r\n" a byte each
 * 50 ms, so the expect sees "+", "+P", "+PO", ... before the match.
 */
START_TEST(test_split_match)
{
	const char *const opts[] = { "-m", "trickle", "-d", "50",
	    "-B", "+PONG\\r\\n", NULL };
	unsigned port = steps_testsrv(opts);
	json_t *reply;
	const json_t *t;

	sys_write_filef(steps_fx.conf, CONF_HEAD
	    TARGET("sub", "steps = ( { expect = \"+PONG\\r\\n\"; } );") ",\n"
	    TARGET("re", "steps = ( { expect_regex = \"^\\\\+PONG\\r\\n\"; "
	    "reject = \"-ERR\"; } );")
	    CONF_TAIL, port, port);
	steps_futd("sub", "re", NULL);
	steps_assert_up("sub");
	steps_assert_up("re");
	/* and it took the peer's time: the match came with the last byte */
	t = steps_show("sub", &reply);
	ck_assert_msg(steps_jint(t, "last.latency_us") >= 250000, "latency "
	    "%lld us: the reply was not read across its pieces",
	    steps_jint(t, "last.latency_us"));
	json_decref(reply);
}
END_TEST

/*
 * 2. A peer that sends more than a step's read_limit without the match:
 * expect_mismatch at that step once read_limit bytes came, not at the
 * deadline; the step's limit, or the target's when the step has none.
 */
START_TEST(test_read_limit)
{
	const char *const opts[] = { "-m", "flood", "-F", "10000000", NULL };
	unsigned port = steps_testsrv(opts);
	json_t *reply;
	const json_t *t;
	const char *rcv;

	sys_write_filef(steps_fx.conf, CONF_HEAD
	    TARGET("step", "steps = ( { send = \"GO\\r\\n\"; },\n"
	    "      { expect = \"zzz\"; read_limit = 100; } );") ",\n"
	    TARGET("target", "read_limit = 300;\n"
	    "    steps = ( { send = \"GO\\r\\n\"; }, { expect = \"zzz\"; } );")
	    CONF_TAIL, port, port);
	steps_futd("step", "target", NULL);

	t = steps_assert_failed("step", "expect_mismatch", 2, "expect",
	    &reply);
	ck_assert_int_eq(steps_jint(t, "last.received_total"), 100);
	rcv = steps_jstr(t, "last.received");
	ck_assert_msg(rcv != NULL && strncmp(rcv, "abcdefghijklm", 13) == 0 &&
	    strlen(rcv) <= 100, "received: %s", rcv != NULL ? rcv : "(none)");
	ck_assert_msg(steps_jint(t, "last.latency_us") < 1000000, "latency "
	    "%lld us: waited for the deadline, not the limit",
	    steps_jint(t, "last.latency_us"));
	ck_assert_pstr_eq(steps_jstr(t, "last.message"),
	    "reply did not match (100 bytes read)");
	json_decref(reply);

	t = steps_assert_failed("target", "expect_mismatch", 2, "expect",
	    &reply);
	ck_assert_int_eq(steps_jint(t, "last.received_total"), 300);
	json_decref(reply);
}
END_TEST

/*
 * 3. Binary data: send_hex sends NULs, echo sends them back, expect_hex
 * finds them past a NUL (and does not find what is not there).  What is
 * left of a step's read waits for the next one.
 */
START_TEST(test_binary)
{
	const char *const opts[] = { "-m", "echo", NULL };
	unsigned port = steps_testsrv(opts);
	json_t *reply;
	const json_t *t;

	sys_write_filef(steps_fx.conf, CONF_HEAD
	    TARGET("bin", "steps = ( { send_hex = \"00ff0001fe\"; },\n"
	    "      { expect_hex = \"ff0001\"; },\n"
	    "      { send_hex = \"0a000b\"; },\n"
	    "      { expect_hex = \"fe0a000b\"; reject_hex = \"00ff\"; } );")
	    ",\n"
	    TARGET("nomatch", "timeout = 1;\n"
	    "    steps = ( { send_hex = \"000102\"; },\n"
	    "      { expect_hex = \"0003\"; } );") ",\n"
	    TARGET("rejected", "steps = ( { send_hex = \"00ee0001\"; },\n"
	    "      { expect_hex = \"0001\"; reject_hex = \"ee00\"; } );")
	    CONF_TAIL, port, port, port);
	steps_futd("bin", "nomatch", "rejected", NULL);
	steps_assert_up("bin");

	t = steps_assert_failed("nomatch", "expect_mismatch", 2, "expect",
	    &reply);
	assert_received(t, "\\x00\\x01\\x02");
	ck_assert_int_eq(steps_jint(t, "last.received_total"), 3);
	json_decref(reply);

	t = steps_assert_failed("rejected", "rejected", 2, "expect", &reply);
	assert_received(t, "\\xee\\x00\\x01");
	json_decref(reply);
}
END_TEST

/*
 * 4. A peer that hangs up between steps: says "+OK hi" and closes.  The
 * next step that reads fails, at its number: closed_early (or reset, when
 * our send drew the peer's RST first).
 */
START_TEST(test_hangup)
{
	const char *const opts[] = { "-m", "hangup", "-B", "+OK hi\\r\\n",
	    NULL };
	unsigned port = steps_testsrv(opts);
	json_t *reply;
	const json_t *t;
	const char *e;
	char *dump;

	sys_write_filef(steps_fx.conf, CONF_HEAD
	    TARGET("send", "steps = ( { expect = \"+OK\"; },\n"
	    "      { send = \"PING\\r\\n\"; }, { expect = \"+PONG\"; } );")
	    ",\n"
	    TARGET("read", "steps = ( { expect = \"+OK\"; },\n"
	    "      { expect = \"+MORE\"; } );")
	    CONF_TAIL, port, port);
	steps_futd("send", "read", NULL);

	t = steps_show("send", &reply);
	dump = steps_jdump(t);
	e = steps_jstr(t, "last.error");
	ck_assert_msg(e != NULL && (strcmp(e, "closed_early") == 0 ||
	    strcmp(e, "reset") == 0), "not closed_early or reset: %s", dump);
	ck_assert_msg(steps_jint(t, "last.step") == 3 &&
	    strcmp(steps_jstr(t, "last.step_kind"), "expect") == 0,
	    "not step 3, expect: %s", dump);
	free(dump);
	json_decref(reply);

	t = steps_assert_failed("read", "closed_early", 2, "expect", &reply);
	/* what the first step left: the rest of the line */
	assert_received(t, " hi\\x0d\\x0a");
	ck_assert_pstr_eq(steps_jstr(t, "last.message"), "connection closed "
	    "by the peer before the expected reply (8 bytes read)");
	json_decref(reply);
}
END_TEST

/*
 * 5. One reply with the answers of two steps: the second finds its
 * answer in what the first left, without a read (respond sends once,
 * then nothing: a read would wait for the deadline).
 */
START_TEST(test_leftover)
{
	const char *const opts[] = { "-m", "respond",
	    "-B", "+OK\\r\\n+PONG\\r\\n", NULL };
	unsigned port = steps_testsrv(opts);
	json_t *reply;
	const json_t *t;

	sys_write_filef(steps_fx.conf, CONF_HEAD
	    TARGET("two", "steps = ( { send = \"X\\r\\n\"; },\n"
	    "      { expect = \"+OK\\r\\n\"; }, { expect = \"+PONG\\r\\n\"; } );")
	    ",\n"
	    TARGET("three", "timeout = 1;\n"
	    "    steps = ( { send = \"X\\r\\n\"; }, { expect = \"+OK\\r\\n\"; },\n"
	    "      { expect = \"+PONG\\r\\n\"; }, { expect = \"+PONG\"; } );")
	    CONF_TAIL, port, port);
	steps_futd("two", "three", NULL);
	steps_assert_up("two");
	t = steps_show("two", &reply);
	ck_assert_msg(steps_jint(t, "last.latency_us") < 1000000, "latency "
	    "%lld us", steps_jint(t, "last.latency_us"));
	json_decref(reply);
	/* consumed is consumed: a third expect of the same has to read */
	t = steps_assert_failed("three", "read_timeout", 4, "expect", &reply);
	json_decref(reply);
}
END_TEST

/*
 * 6. A step's timeout, shorter than the target's, fires at the step's
 * time: read_timeout at that step after about 0.3 s, not 3 s.
 */
START_TEST(test_step_timeout)
{
	const char *const opts[] = { "-m", "silent", NULL };
	unsigned port = steps_testsrv(opts);
	json_t *reply;
	const json_t *t;
	long long lat;

	sys_write_filef(steps_fx.conf, CONF_HEAD
	    TARGET("slow", "timeout = 3; interval = 1;\n"
	    "    steps = ( { send = \"HELLO\\r\\n\"; },\n"
	    "      { expect = \"never\"; timeout = 0.3; } );")
	    CONF_TAIL, port);
	steps_futd("slow", NULL);
	t = steps_assert_failed("slow", "read_timeout", 2, "expect", &reply);
	lat = steps_jint(t, "last.latency_us");
	ck_assert_msg(lat >= 300000 && lat < 1000000, "latency %lld us: not "
	    "the step's 0.3 s", lat);
	ck_assert_msg(strstr(steps_jstr(t, "last.message"), "timed out after "
	    "0.3") != NULL, "message: %s", steps_jstr(t, "last.message"));
	json_decref(reply);
}
END_TEST

/*
 * 7. A reload that changes a target's steps (a pattern, a reject, a step's
 * timeout) resets it and probes what the new steps say; the same steps
 * are unchanged.
 */
START_TEST(test_reload)
{
	const char *const opts[] = { "-m", "respond", "-B", "+OK\\r\\n", NULL };
	static const char *const conf = CONF_HEAD
	    TARGET("a", "steps = ( { send = \"X\\r\\n\"; }, { expect = \"%s\"; } );")
	    ",\n"
	    TARGET("b", "steps = ( { send = \"X\\r\\n\"; }, { expect = \"+OK\"; } );")
	    ",\n"
	    TARGET("c", "steps = ( { send = \"X\\r\\n\"; },\n"
	    "      { expect = \"+OK\"; timeout = %s; } );") ",\n"
	    TARGET("d", "steps = ( { send = \"X\\r\\n\"; },\n"
	    "      { expect = \"+OK\"; reject = \"%s\"; } );")
	    CONF_TAIL;
	unsigned port = steps_testsrv(opts);
	uint64_t deadline;
	json_t *j, *reply, *want;
	const json_t *t;
	char *dump;

	sys_write_filef(steps_fx.conf, conf, port, "+NOPE", port, port, "0.5",
	    port, "-ERR");
	steps_futd("a", "b", "c", "d", NULL);
	sys_write_filef(steps_fx.conf, conf, port, "+OK", port, port, "0.6",
	    port, "-NO");
	j = sys_futctl_json(steps_fx.sock, "reload", NULL);
	ck_assert_msg(j != NULL, "futctl --json reload failed");
	dump = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	want = json_pack("[sss]", "a", "c", "d");
	ck_assert_msg(json_equal(json_object_get(j, "reset"), want) &&
	    sys_jint(j, "unchanged") == 1, "reload: %s", dump);
	free(dump);
	json_decref(want);
	json_decref(j);
	deadline = sys_now_ms() + FIRST_MS;
	for (;;) {
		t = steps_show("a", &reply);
		if (json_is_true(sys_jpath(t, "last.ok")))
			break;
		json_decref(reply);
		ck_assert_msg(sys_left_ms(deadline) > 0, "a: not up with its "
		    "new steps");
		sys_sleep_ms(POLL_MS);
	}
	json_decref(reply);
}
END_TEST

/* config errors */

/* a target with steps x, on line 2; its steps from line 3 */
#define S(x)	"targets = (\n  { name = \"a\"; host = \"127.0.0.1\"; " \
		"port = 6379;\n    steps = ( " x " ); }\n);\n"

static const struct steps_conf_case {
	const char	*text;
	int		 line;
	const char	*msg;
} conf_cases[] = {
	{ S("{ send = \"PING\\r\\n\"; },\n    { }"), 4, "nothing to do in step 2 "
	    "of target \"a\": give the step one of send, send_hex, expect, "
	    "expect_regex, expect_hex or tls" },
	{ S("{ send = \"PING\\r\\n\"; expect = \"+PONG\"; }"), 3, "send and "
	    "expect together in step 1 of target \"a\": a step does one "
	    "thing; write two steps" },
	{ S("{ send = \"PING\\r\\n\"; },\n    { expect_regex = \"(+PONG\"; }"),
	    4, "expect_regex \"(+PONG\": " },
	{ S("{ send = \"PING\"; },\n    { expect = \"+PONG\";\n"
	    "      reject_regex = \"[-ERR\"; }"), 5, "reject_regex \"[-ERR\": " },
	{ S("{ send = \"x\"; },\n    { expect_regex = \".*\"; }"), 4,
	    "expect_regex \".*\": matches an empty reply, so any reply at "
	    "all: make it need a byte" },
	{ S("{ send = \"x\"; },\n    { expect = \"+OK\";\n"
	    "      reject_regex = \"(-ERR)?\"; }"), 5, "reject_regex "
	    "\"(-ERR)?\": matches an empty reply" },
	{ S("{ send_hex = \"0g\"; }"), 3, "send_hex must be pairs of hex "
	    "digits in step 1 of target \"a\"" },
	{ S("{ send = \"x\"; },\n    { expect_hex = \"abc\"; }"), 4, "expect_hex "
	    "must be pairs of hex digits in step 2 of target \"a\"" },
	{ S("{ send = \"x\"; },\n    { expect = \"y\";\n"
	    "      reject_hex = \"zz\"; }"), 5, "reject_hex must be pairs of "
	    "hex digits in step 2 of target \"a\"" },
	{ S("{ send = \"x\"; },\n    { tls = true; }"), 4, "tls = true in step 2 "
	    "of target \"a\" needs tls = true in the target too" },
	{ S("{ send = \"x\"; },\n    { expekt = \"+OK\"; }"), 4, "unknown key "
	    "\"expekt\" in step 2 of target \"a\"; did you mean expect?" },
	{ S("{ send = \"x\"; },\n    { expect = \"y\"; timeout = 3; }"), 4,
	    "timeout 3s in step 2 of target \"a\" is not less than the "
	    "target's timeout of 3s, which ends the probe first" },
	{ S("{ send = \"x\"; reject = \"-ERR\"; }"), 3, "reject in step 1 of "
	    "target \"a\" goes with an expect, in the same step" },
	{ "targets = (\n  { name = \"a\"; host = \"127.0.0.1\"; port = 1;\n"
	    "    payload = \"PING\\r\\n\";\n"
	    "    steps = ( { send = \"x\"; } ); }\n);\n", 3, "payload and steps "
	    "together in target \"a\": with steps, make it a step (send)" },
	{ "targets = (\n  { name = \"a\"; host = \"127.0.0.1\"; port = 1;\n"
	    "    expect = \"+OK\";\n"
	    "    steps = ( { send = \"x\"; } ); }\n);\n", 3, "expect and steps "
	    "together in target \"a\": with steps, make it a step (expect)" },
	{ "targets = (\n  { name = \"a\"; host = \"127.0.0.1\"; port = 1;\n"
	    "    probe = \"hello\";\n"
	    "    steps = ( { send = \"x\"; } ); }\n);\n", 3, "probe \"hello\" "
	    "and steps together in target \"a\": steps make a probe of their "
	    "own; leave probe out" },
	{ "targets = (\n  { name = \"a\"; host = \"127.0.0.1\"; port = 1;\n"
	    "    steps = ( ); }\n);\n", 3, "steps is empty in target \"a\"" },
	{ "targets = (\n  { name = \"a\"; host = \"127.0.0.1\"; port = 1;\n"
	    "    tls = true; starttls = \"postgres\";\n"
	    "    steps = ( { tls = true; } ); }\n);\n", 4, "a second TLS "
	    "handshake in step 4 of target \"a\" (starttls has one)" },
};

/*
 * futd -n on text: exits 1 and says "conf:line: msg"; nerrs of them in
 * all (0: any number).
 */
static void
conf_refused_n(const char *text, int line, const char *msg, int nerrs)
{
	char bin[PATH_MAX], want[PATH_MAX + 512];
	const char *argv[] = { bin, "-n", "-f", steps_fx.conf, NULL };
	struct sys_out out;

	sys_bin(bin, sizeof(bin), "futd");
	sys_write_filef(steps_fx.conf, "%s", text);
	ck_assert_msg(sys_run(argv, NULL, SYS_RUN_MS, &out) == 1, "futd -n "
	    "did not refuse (exit %d):\n%s\n%s%s", out.status, text, out.out,
	    out.err);
	snprintf(want, sizeof(want), "%s:%d: %s", steps_fx.conf, line, msg);
	ck_assert_msg(strstr(out.err, want) != NULL, "no \"%s\" in:\n%s",
	    want, out.err);
	snprintf(want, sizeof(want), "futd: %d error%s in the configuration",
	    nerrs, nerrs == 1 ? "" : "s");
	ck_assert_msg(nerrs == 0 || strstr(out.err, want) != NULL, "not %d "
	    "error%s:\n%s", nerrs, nerrs == 1 ? "" : "s", out.err);
	sys_out_free(&out);
}

static void
conf_refused(const char *text, int line, const char *msg)
{
	conf_refused_n(text, line, msg, 0);
}

/* futd -n on text: "configuration OK" */
static void
conf_accepted(const char *text)
{
	char bin[PATH_MAX];
	const char *argv[] = { bin, "-n", "-f", steps_fx.conf, NULL };
	struct sys_out out;

	sys_bin(bin, sizeof(bin), "futd");
	sys_write_filef(steps_fx.conf, "%s", text);
	ck_assert_msg(sys_run(argv, NULL, SYS_RUN_MS, &out) == 0, "futd -n "
	    "refused (exit %d):\n%s\n%s", out.status, text, out.err);
	ck_assert_msg(strstr(out.out, "configuration OK") != NULL, "futd -n: "
	    "%s", out.out);
	sys_out_free(&out);
}

/* 7. What a user gets wrong in steps: file:line, and what to do */
START_TEST(test_conf_errors)
{
	conf_refused(conf_cases[_i].text, conf_cases[_i].line,
	    conf_cases[_i].msg);
}
END_TEST

/* 8. More than 32 steps, with and without starttls's own */
START_TEST(test_conf_too_many)
{
	char text[4096], want[128];
	size_t n;
	int i;

	n = (size_t)snprintf(text, sizeof(text), "targets = (\n  { name = "
	    "\"a\"; host = \"127.0.0.1\"; port = 1;\n    steps = (\n");
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "      { send = \"x\"; }%s\n", i < 32 ? "," : "");
	snprintf(text + n, sizeof(text) - n, "    ); }\n);\n");
	conf_refused(text, 3, "33 steps in target \"a\", more than 32");

	/* 30 of ours and postgres's 3 */
	n = (size_t)snprintf(text, sizeof(text), "targets = (\n  { name = "
	    "\"a\"; host = \"127.0.0.1\"; port = 1; tls = true;\n"
	    "    starttls = \"postgres\";\n    steps = (\n");
	for (i = 0; i < 30; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "      { expect = \"x\"; }%s\n", i < 29 ? "," : "");
	snprintf(text + n, sizeof(text) - n, "    ); }\n);\n");
	snprintf(want, sizeof(want), "33 steps in target \"a\" with "
	    "starttls's, more than 32");
	conf_refused(text, 4, want);

	/* 32 is fine */
	n = (size_t)snprintf(text, sizeof(text), "targets = (\n  { name = "
	    "\"a\"; host = \"127.0.0.1\"; port = 1;\n    steps = (\n");
	for (i = 0; i < 32; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "      { send = \"x\"; }%s\n", i < 31 ? "," : "");
	snprintf(text + n, sizeof(text) - n, "    ); }\n);\n");
	conf_accepted(text);
}
END_TEST

/*
 * 9. A step that is wrong is one error, not two: tls = false is no
 * handshake, so the tls step after it is not "a second" one.
 */
START_TEST(test_conf_one_error)
{
	conf_refused_n("targets = (\n  { name = \"a\"; host = \"127.0.0.1\"; "
	    "port = 1; tls = true;\n"
	    "    steps = ( { tls = false; },\n"
	    "      { send = \"x\"; }, { tls = true; } ); }\n);\n", 3,
	    "tls = false does nothing in step 1 of target \"a\": leave the "
	    "step out", 1);
	/* a typo in a step's one key: that, not also "empty step" */
	conf_refused_n("targets = (\n  { name = \"a\"; host = \"127.0.0.1\"; "
	    "port = 1;\n"
	    "    steps = ( { send = \"x\"; },\n"
	    "      { expekt = \"+OK\"; } ); }\n);\n", 4, "unknown key "
	    "\"expekt\" in step 2 of target \"a\"; did you mean expect?", 1);
}
END_TEST

/* a TCase of the suite: its fixtures and time */
TCase *
steps_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, STEPS_TEST_TIMEOUT_S);
	return tc;
}

Suite *
steps_suite(void)
{
	Suite *s = suite_create("steps");
	TCase *tc;

	suite_add_tcase(s, steps_redis_tcase());
	suite_add_tcase(s, steps_pg_tcase());
	suite_add_tcase(s, steps_tls_tcase());

	tc = steps_tcase("peers");
	tcase_add_test(tc, test_split_match);
	tcase_add_test(tc, test_read_limit);
	tcase_add_test(tc, test_binary);
	tcase_add_test(tc, test_hangup);
	tcase_add_test(tc, test_leftover);
	tcase_add_test(tc, test_step_timeout);
	tcase_add_test(tc, test_reload);
	suite_add_tcase(s, tc);

	tc = steps_tcase("config");
	tcase_add_loop_test(tc, test_conf_errors, 0,
	    (int)(sizeof(conf_cases) / sizeof(conf_cases[0])));
	tcase_add_test(tc, test_conf_too_many);
	tcase_add_test(tc, test_conf_one_error);
	suite_add_tcase(s, tc);
	return s;
}
