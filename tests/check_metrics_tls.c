/*
 * check_metrics_tls.c - the metrics suite's TCase "tls and addresses": what
 * futd's metrics say of a TLS target's certificates and protocol, and of
 * each address of an `addresses = "each"` target, scraped from the real
 * futd (`futctl metrics`, the same text /metrics serves) while it probes
 * real servers on loopback: tlssrv (tests/tlssrv.c) with certificate
 * chains of known dates, testsrv, and testdns for a name of two addresses.
 *
 * The certificates are made once per TCase (unchecked fixture) with
 * `openssl ca`, the one tool of OpenSSL 3.0 that sets both dates:
 *
 *   root.pem      CN=futd metrics root, self-signed, 10 years
 *   inter.pem     CN=futd metrics intermediate, by the root, valid until
 *                 2037-01-01 00:00:00Z
 *   leaf.pem      CN=localhost, SAN DNS:localhost, IP:127.0.0.1, by the
 *                 intermediate, valid until 2038-01-01 00:00:00Z: after
 *                 its issuer, so the chain's earliest expiry is not the
 *                 leaf's
 *   expired.pem   the same names, 2020-01-01 to 2020-01-02
 *   chain.pem     leaf.pem then inter.pem, as a server sends them
 *   expchain.pem  expired.pem then inter.pem
 *
 * FUTD_SYS_KEEP=1 keeps the directories.
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
#include "tests.h"
#include "sys.h"

#define MTLS_TIMEOUT_S		30	/* per test */
#define FIRST_MS		5000	/* every target has a result by then */
#define STEP_MS			25

#define INTER_NOT_AFTER		"2114380800"	/* 2037-01-01 00:00:00Z */
#define LEAF_NOT_AFTER		"2145916800"	/* 2038-01-01 00:00:00Z */
#define EXPIRED_NOT_AFTER	"1577923200"	/* 2020-01-02 00:00:00Z */

static char	root_dir[PATH_MAX];
static struct certs certs;
static int	certs_ok;

static struct sys_fx fx;

/* A file of the TCase's directory. */
static const char *
rpath(const char *name)
{
	return certs_path(&certs, name);
}

/* certificates */

static int
certs_make(void)
{
	struct certs *c = &certs;

	if (certs_ca_config(c, "[ inter ]\n"
	    "basicConstraints = critical,CA:TRUE,pathlen:0\n"
	    "keyUsage = critical,keyCertSign,cRLSign\n") == -1 ||
	    certs_ca(c, "root", "futd metrics root") == -1 ||
	    certs_req(c, "inter", "futd metrics intermediate") == -1 ||
	    certs_req(c, "leaf", "localhost") == -1)
		return -1;
	if (certs_sign(c, "root", "inter.csr", "inter", "20240101000000Z",
	    "20370101000000Z", "inter.pem") == -1 ||
	    certs_sign(c, "inter", "leaf.csr", "leaf", "20240101000000Z",
	    "20380101000000Z", "leaf.pem") == -1 ||
	    certs_sign(c, "inter", "leaf.csr", "leaf", "20200101000000Z",
	    "20200102000000Z", "expired.pem") == -1)
		return -1;
	if (certs_cat(c, "leaf.pem", "inter.pem", "chain.pem") == -1 ||
	    certs_cat(c, "expired.pem", "inter.pem", "expchain.pem") == -1)
		return -1;
	return 0;
}

/* fixtures */

static void
root_setup(void)
{
	certs_ok = certs_dir(&certs, root_dir, sizeof(root_dir)) == 0 &&
	    certs_make() == 0;
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "metrics tls tests");
}

static void
fx_setup(void)
{
	ck_assert_msg(certs_ok, "no certificates: %s", certs.error);
	sys_fx_setup(&fx, root_dir);
}

static void
fx_teardown(void)
{
	sys_fx_teardown(&fx);
}

/* servers */

/* prog (a build/ binary) with args then port 0; its port once ready */
static unsigned
srv_start(const char *prog, const char *const args[])
{
	static unsigned nspawned;
	const char *argv[24];
	char bin[PATH_MAX], err[PATH_MAX], name[64];
	unsigned port = 0;
	size_t n = 0, i;

	sys_bin(bin, sizeof(bin), prog);
	snprintf(name, sizeof(name), "%s.%u.err", prog, nspawned++);
	sys_path_in(err, sizeof(err), fx.dir, name);
	argv[n++] = bin;
	argv[n++] = "-t";
	argv[n++] = "60";
	for (i = 0; args != NULL && args[i] != NULL; i++) {
		ck_assert(n + 2 < sizeof(argv) / sizeof(argv[0]));
		argv[n++] = args[i];
	}
	argv[n++] = "0";
	argv[n] = NULL;
	ck_assert_msg(sys_spawn_ready(fx.dir, argv, err, &port) != -1,
	    "%s did not start (is it built?); see %s", bin, err);
	return port;
}

/* tlssrv with a chain file (and the leaf's key), and more options */
static unsigned
tlssrv_start(const char *chain, const char *opt, const char *arg)
{
	char c[PATH_MAX], k[PATH_MAX];
	const char *const args[] = { "-c", c, "-k", k, opt, arg, NULL };

	snprintf(c, sizeof(c), "%s", rpath(chain));
	snprintf(k, sizeof(k), "%s", rpath("leaf.key"));
	return srv_start("tlssrv", args);
}

/*
 * Bind addr:port without listening: a connect there is refused, and
 * nobody else takes the port meanwhile.
 */
static void
hold_port(const char *addr, unsigned port)
{
	struct sockaddr_in sin;
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	ck_assert(inet_pton(AF_INET, addr, &sin.sin_addr) == 1);
	fd = sys_fx_fd(&fx, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	ck_assert_msg(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
	    "bind %s:%u: %s", addr, port, strerror(errno));
}

/* futd */

/* Wait until every named target (NULL-terminated) has a result. */
static void
wait_results(const char *first, ...)
{
	uint64_t deadline = sys_now_ms() + FIRST_MS;
	const char *name;
	const json_t *t;
	json_t *st;
	va_list ap;
	int all;

	for (;;) {
		st = sys_status_get(fx.sock);
		all = 1;
		va_start(ap, first);
		for (name = first; name != NULL && all;
		    name = va_arg(ap, const char *)) {
			t = sys_target_get(st, name);
			all = t != NULL &&
			    sys_jint(t, "ok") + sys_jint(t, "failed") >= 1;
		}
		va_end(ap);
		json_decref(st);
		if (all)
			return;
		ck_assert_msg(sys_left_ms(deadline) > 0, "not every target "
		    "had a result within %d ms", FIRST_MS);
		sys_sleep_ms(STEP_MS);
	}
}

/* `futctl metrics` (the caller frees) */
static char *
metrics_get(void)
{
	struct sys_out out;
	char *text;

	ck_assert_msg(sys_futctl(&out, fx.sock, "metrics", (char *)NULL) == 0,
	    "futctl metrics: %s", out.err);
	ck_assert((text = strdup(out.out)) != NULL);
	sys_out_free(&out);
	return text;
}

/*
 * The value of the sample name{labels} exactly (labels as futd writes
 * them, in its order), in buf; NULL when there is no such sample.
 */
static const char *
sample(const char *text, const char *name, const char *labels, char *buf,
    size_t len)
{
	char head[512];
	const char *p;
	size_t n;

	n = (size_t)snprintf(head, sizeof(head), "\n%s{%s} ", name, labels);
	ck_assert(n < sizeof(head));
	if ((p = strstr(text, head)) == NULL)
		return NULL;
	p += n;
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
	return buf;
}

/* The family's sample lines (at most len - 1 bytes of them), for a message. */
static const char *
family_lines(const char *text, const char *name, char *buf, size_t len)
{
	const char *p = text, *end;
	size_t n = 0, l, f = strlen(name);

	buf[0] = '\0';
	for (; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, "\n");
		l = (size_t)(end - p) + 1;
		if (strncmp(p, name, f) != 0 || n + l >= len)
			continue;
		memcpy(buf + n, p, l);
		buf[n += l] = '\0';
	}
	return buf[0] != '\0' ? buf : "(none)\n";
}

/* Assert the sample is there with exactly this value. */
static void
assert_sample(const char *text, const char *name, const char *labels,
    const char *want)
{
	char buf[64], lines[2048];
	const char *v = sample(text, name, labels, buf, sizeof(buf));

	ck_assert_msg(v != NULL, "no sample %s{%s}; the family has:\n%s",
	    name, labels, family_lines(text, name, lines, sizeof(lines)));
	ck_assert_msg(strcmp(v, want) == 0, "%s{%s} is %s, not %s", name,
	    labels, v, want);
}

/* No line of the family's samples names the target. */
static void
assert_no_sample(const char *text, const char *name, const char *target)
{
	char head[256];

	snprintf(head, sizeof(head), "\n%s{target=\"%s\",", name, target);
	ck_assert_msg(strstr(text, head) == NULL, "%s has %s: %s", target,
	    name, strstr(text, head) + 1);
}

/* promtool check metrics on text, when promtool is installed */
static void
promtool_check(const char *text)
{
	char file[PATH_MAX], cmd[2 * PATH_MAX];
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct sys_out out;

	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		fprintf(stderr, "metrics tls: promtool SKIPPED: not in PATH "
		    "(Debian package \"prometheus\")\n");
		return;
	}
	sys_path_in(file, sizeof(file), fx.dir, "metrics.txt");
	ck_assert(sys_write_file(file, text, strlen(text)) == 0);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s'", file);
	ck_assert_msg(sys_run(argv, NULL, SYS_RUN_MS, &out) == 0 &&
	    out.out[0] == '\0' && out.err[0] == '\0',
	    "promtool check metrics (exit %d):\n%s%s", out.status, out.out,
	    out.err);
	sys_out_free(&out);
}

/* The labels futd gives a target, up to port. */
static const char *
labels(char *buf, size_t len, const char *target, const char *probe,
    const char *host, unsigned port)
{
	snprintf(buf, len, "target=\"%s\",probe=\"%s\",host=\"%s\","
	    "port=\"%u\"", target, probe, host, port);
	return buf;
}

/*
 * A chain whose intermediate expires a year before the leaf; the same
 * over TLS 1.2; an expired leaf, taken with verify = false and refused
 * with verify = true; the chain against the system's store (which does
 * not know our root) and under another name; a peer that does not speak
 * TLS; a plain target.  The times are the certificates' own, to the
 * second.
 */
START_TEST(test_tls_certs)
{
	unsigned chain, chain12, expired, plain;
	char l[256], want[512], buf[64], *text;

	chain = tlssrv_start("chain.pem", NULL, NULL);
	chain12 = tlssrv_start("chain.pem", "-M", "1.2");
	expired = tlssrv_start("expchain.pem", NULL, NULL);
	plain = srv_start("testsrv", NULL);
	sys_write_filef(fx.conf,
	    "defaults = { interval = 0.3; timeout = 2; };\n"
	    "targets = (\n"
	    "  { name = \"web\"; host = \"localhost\"; port = %u; tls = true;"
	    " ca_file = \"%s\"; },\n"
	    "  { name = \"web12\"; host = \"localhost\"; port = %u; "
	    "probe = \"hello\"; tls = true; ca_file = \"%s\"; },\n"
	    "  { name = \"old\"; host = \"localhost\"; port = %u; tls = true;"
	    " ca_file = \"%s\"; verify = false; },\n"
	    "  { name = \"strict\"; host = \"localhost\"; port = %u; "
	    "tls = true; ca_file = \"%s\"; },\n"
	    "  { name = \"nostore\"; host = \"localhost\"; port = %u; "
	    "tls = true; verify = false; },\n"
	    "  { name = \"othername\"; host = \"localhost\"; port = %u; "
	    "tls = true; ca_file = \"%s\"; sni = \"other.test\"; "
	    "verify = false; },\n"
	    "  { name = \"nottls\"; host = \"127.0.0.1\"; port = %u; "
	    "tls = true; },\n"
	    "  { name = \"plain\"; host = \"127.0.0.1\"; port = %u; }\n"
	    ");\n", chain, rpath("root.pem"), chain12, rpath("root.pem"),
	    expired, rpath("root.pem"), expired, rpath("root.pem"), chain,
	    chain, rpath("root.pem"), plain, plain);
	sys_fx_futd(&fx);
	wait_results("web", "web12", "old", "strict", "nostore", "othername",
	    "nottls", "plain", NULL);
	text = metrics_get();

	/* the leaf, and the intermediate that expires first */
	labels(l, sizeof(l), "web", "peeraddr", "localhost", chain);
	assert_sample(text, "futd_probe_tls_leaf_cert_expiry_timestamp_seconds",
	    l, LEAF_NOT_AFTER);
	assert_sample(text,
	    "futd_probe_tls_earliest_cert_expiry_timestamp_seconds", l,
	    INTER_NOT_AFTER);
	snprintf(want, sizeof(want), "%s,version=\"TLSv1.3\",verify=\"ok\"",
	    l);
	assert_sample(text, "futd_probe_tls_version_info", want, "1");

	labels(l, sizeof(l), "web12", "hello", "localhost", chain12);
	snprintf(want, sizeof(want), "%s,version=\"TLSv1.2\",verify=\"ok\"",
	    l);
	assert_sample(text, "futd_probe_tls_version_info", want, "1");
	assert_sample(text,
	    "futd_probe_tls_earliest_cert_expiry_timestamp_seconds", l,
	    INTER_NOT_AFTER);

	/* expired: up without verification, refused with it, told alike */
	labels(l, sizeof(l), "old", "peeraddr", "localhost", expired);
	assert_sample(text, "futd_target_up", l, "1");
	assert_sample(text, "futd_probe_tls_leaf_cert_expiry_timestamp_seconds",
	    l, EXPIRED_NOT_AFTER);
	assert_sample(text,
	    "futd_probe_tls_earliest_cert_expiry_timestamp_seconds", l,
	    EXPIRED_NOT_AFTER);
	snprintf(want, sizeof(want), "%s,version=\"TLSv1.3\","
	    "verify=\"expired\"", l);
	assert_sample(text, "futd_probe_tls_version_info", want, "1");

	labels(l, sizeof(l), "strict", "peeraddr", "localhost", expired);
	assert_sample(text, "futd_target_up", l, "0");
	snprintf(want, sizeof(want), "%s,error=\"tls_verify\"", l);
	ck_assert_msg(sample(text, "futd_probe_failures_total", want, buf,
	    sizeof(buf)) != NULL, "strict: no tls_verify failure");
	assert_sample(text, "futd_probe_tls_leaf_cert_expiry_timestamp_seconds",
	    l, EXPIRED_NOT_AFTER);
	snprintf(want, sizeof(want), "%s,version=\"TLSv1.3\","
	    "verify=\"expired\"", l);
	assert_sample(text, "futd_probe_tls_version_info", want, "1");

	/* the verification's other words: a CA not known, another name */
	labels(l, sizeof(l), "nostore", "peeraddr", "localhost", chain);
	snprintf(want, sizeof(want), "%s,version=\"TLSv1.3\","
	    "verify=\"unknown_issuer\"", l);
	assert_sample(text, "futd_probe_tls_version_info", want, "1");
	labels(l, sizeof(l), "othername", "peeraddr", "localhost", chain);
	snprintf(want, sizeof(want), "%s,version=\"TLSv1.3\","
	    "verify=\"name_mismatch\"", l);
	assert_sample(text, "futd_probe_tls_version_info", want, "1");

	/* no certificate ever seen, or no TLS: no series */
	assert_no_sample(text, "futd_probe_tls_version_info", "nottls");
	assert_no_sample(text,
	    "futd_probe_tls_leaf_cert_expiry_timestamp_seconds", "nottls");
	assert_no_sample(text, "futd_probe_tls_version_info", "plain");
	assert_no_sample(text,
	    "futd_probe_tls_earliest_cert_expiry_timestamp_seconds", "plain");

	promtool_check(text);
	free(text);
}
END_TEST

/*
 * addresses = "each": two.test is 127.0.0.2, which refuses, and
 * 127.0.0.3, where testsrv listens.  Each address has its own series; the
 * target's own series stay the round's, without an address label.
 */
START_TEST(test_each_addresses)
{
	const char *const at3[] = { "-b", "127.0.0.3", NULL };
	char zone[PATH_MAX], l[256], a2[320], a3[320];
	char v2[64], v3[64], f2[64], *text;
	const char *dns_args[] = { "-z", zone, NULL };
	unsigned port, dns;

	port = srv_start("testsrv", at3);
	hold_port("127.0.0.2", port);
	sys_path_in(zone, sizeof(zone), fx.dir, "zone");
	sys_write_filef(zone, "two.test A 60 127.0.0.2\n"
	    "two.test A 60 127.0.0.3\n");
	dns = srv_start("testdns", dns_args);
	sys_write_filef(fx.conf, "nameservers = [ \"127.0.0.1:%u\" ];\n"
	    "defaults = { interval = 0.3; timeout = 1; };\n"
	    "targets = (\n"
	    "  { name = \"each\"; host = \"two.test\"; port = %u; "
	    "addresses = \"each\"; },\n"
	    "  { name = \"any\"; host = \"two.test\"; port = %u; }\n"
	    ");\n", dns, port, port);
	sys_fx_futd(&fx);
	wait_results("each", "any", NULL);
	text = metrics_get();

	labels(l, sizeof(l), "each", "peeraddr", "two.test", port);
	snprintf(a2, sizeof(a2), "%s,address=\"127.0.0.2\"", l);
	snprintf(a3, sizeof(a3), "%s,address=\"127.0.0.3\"", l);
	assert_sample(text, "futd_address_up", a2, "0");
	assert_sample(text, "futd_address_up", a3, "1");
	assert_sample(text, "futd_address_failures_total", a3, "0");
	ck_assert(sample(text, "futd_address_probes_total", a2, v2,
	    sizeof(v2)) != NULL);
	ck_assert(sample(text, "futd_address_failures_total", a2, f2,
	    sizeof(f2)) != NULL);
	ck_assert(sample(text, "futd_address_probes_total", a3, v3,
	    sizeof(v3)) != NULL);
	ck_assert_msg(atoi(v2) >= 1 && strcmp(v2, f2) == 0 && atoi(v3) >= 1,
	    "127.0.0.2: %s probes, %s failed; 127.0.0.3: %s probes", v2, f2,
	    v3);
	ck_assert(sample(text, "futd_address_last_duration_seconds", a3, v3,
	    sizeof(v3)) != NULL && strtod(v3, NULL) > 0);

	/* the round fails with one address: the target is down */
	assert_sample(text, "futd_target_up", l, "0");
	/* a target of addresses = "any" has no address series */
	assert_no_sample(text, "futd_address_up", "any");
	assert_no_sample(text, "futd_address_probes_total", "any");

	promtool_check(text);
	free(text);
}
END_TEST

TCase *
metrics_tls_tcase(void)
{
	TCase *tc = tcase_create("tls and addresses");

	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, MTLS_TIMEOUT_S);
	tcase_add_test(tc, test_tls_certs);
	tcase_add_test(tc, test_each_addresses);
	return tc;
}
