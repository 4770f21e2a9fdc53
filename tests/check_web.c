/*
 * check_web.c - the status pages (http_listen): a real futd on loopback
 * probing real servers (testsrv up, a banner of hostile bytes, a port that
 * refuses), its pages fetched by curl and rendered by a real headless
 * Chromium, whose DOM and screenshot are checked.
 *
 *  - the list holds every target, a graph each, the right state words,
 *    down targets first; a target's page its graphs, its received bytes;
 *  - hostile names (& " ' < > are allowed in a name) and hostile received
 *    bytes (<script>alert(1)</script>) are text in the DOM, no element;
 *  - the filter (?name=, ?state=), the pages (?page=), 400, 404, 405, HEAD;
 *  - /api/status is `futctl --json status`, /api/target/NAME `show`;
 *  - 100 000 targets page, 500 a page, without futd's RSS jumping;
 *  - http_listen and metrics_listen: either, not both (file:line).
 *
 * Without chromium in PATH the Chromium tests say SKIPPED on stderr (CI's
 * .ci/run installs it).  FUTD_SYS_KEEP=1 keeps the directories (and the
 * screenshot).
 */
#include <sys/types.h>

#include <event2/buffer.h>

#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"
#include "results.h"
#include "svg.h"
#include "sys.h"
#include "tests.h"

#define WEB_CHROME_MS	45000	/* a headless render, at most */
#define WEB_CURL_MS	20000
#define WEB_SETTLE_MS	8000	/* every target has its state */
#define WEB_MANY	100000
#define WEB_RSS_KB	(24 * 1024)	/* growth allowed over five pages */

static char root_dir[PATH_MAX];
static struct sys_fx fx;
static unsigned http_port;
static char chrome[PATH_MAX];

/* the hostile ones: allowed in a name (no blank, no control character) */
#define NAME_QUOTES	"a&b\"c'd<e>"
#define NAME_IMG	"<img/src=x/onerror=alert(1)>"
#define EVIL_BYTES	"<script>alert(1)</script>"

static const struct {
	const char	*name;
	const char	*state;
} web_targets[] = {
	{ "web-1", "up" },
	{ "web-2", "up" },
	{ NAME_QUOTES, "up" },
	{ "db-1", "down" },
	{ NAME_IMG, "down" },
	{ "evil", "down" },
};
#define NTARGETS	(sizeof(web_targets) / sizeof(web_targets[0]))

static void
root_setup(void)
{
	sys_root_setup(root_dir, sizeof(root_dir));
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "web tests");
}

static void
fx_setup(void)
{
	sys_fx_setup(&fx, root_dir);
	http_port = 0;
}

static void
fx_teardown(void)
{
	sys_fx_teardown(&fx);
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle);

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += len;
	}
	return n;
}

/* Is there chromium?  If not, the test says why and is skipped. */
static int
have_chrome(const char *test)
{
	if (sys_find_exec("chromium", chrome, sizeof(chrome)) != NULL)
		return 1;
	fprintf(stderr, "%s: SKIPPED: no chromium in PATH (Debian package "
	    "\"chromium\"; .ci/run installs it)\n", test);
	return 0;
}

/* chromium --headless ... ARG URL: its output in out */
static void
chrome_run(const char *arg, const char *path, struct sys_out *out)
{
	char url[512], prof[PATH_MAX + 32];
	const char *argv[] = { chrome, "--headless", "--no-sandbox",
	    "--disable-gpu", "--no-first-run", "--disable-extensions",
	    prof, "--window-size=1200,900", arg, url, NULL };
	char home[PATH_MAX + 8];
	const char *env[] = { home, NULL };

	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", http_port, path);
	snprintf(prof, sizeof(prof), "--user-data-dir=%s/chrome", fx.dir);
	snprintf(home, sizeof(home), "HOME=%s", fx.dir);
	sys_run(argv, env, WEB_CHROME_MS, out);
	ck_assert_msg(out->status == 0, "chromium %s %s: status %d: %s", arg,
	    url, out->status, out->err);
}

/* The DOM of a page as Chromium built it (the caller frees). */
static char *
chrome_dom(const char *path)
{
	struct sys_out out;
	char *dom;

	chrome_run("--dump-dom", path, &out);
	ck_assert_msg(strstr(out.out, "</html>") != NULL, "no DOM for %s: "
	    "%.500s", path, out.out);
	dom = out.out;
	out.out = NULL;
	sys_out_free(&out);
	return dom;
}

struct reply {
	int	 status;
	char	*head;		/* status line and headers */
	char	*body;
};

static void
reply_free(struct reply *r)
{
	free(r->head);
	free(r->body);
}

/* curl -i [-X METHOD | -I] URL: status, headers, body */
static void
curl(const char *method, const char *path, struct reply *r)
{
	char url[512], bin[PATH_MAX];
	const char *argv[8];
	struct sys_out out;
	char *sep;
	size_t n = 0;

	ck_assert_msg(sys_find_exec("curl", bin, sizeof(bin)) != NULL,
	    "no curl in PATH");
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", http_port, path);
	argv[n++] = bin;
	argv[n++] = "-sSg";	/* -g: [ ] are the glob's, not curl's */
	argv[n++] = strcmp(method, "HEAD") == 0 ? "-I" : "-i";
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		argv[n++] = "-X";
		argv[n++] = method;
	}
	argv[n++] = url;
	argv[n] = NULL;
	sys_run(argv, NULL, WEB_CURL_MS, &out);
	ck_assert_msg(out.status == 0, "curl %s %s: %d %s", method, url,
	    out.status, out.err);
	memset(r, 0, sizeof(*r));
	ck_assert(sscanf(out.out, "HTTP/1.1 %d", &r->status) == 1);
	if ((sep = strstr(out.out, "\r\n\r\n")) != NULL) {
		*sep = '\0';
		r->body = strdup(sep + 4);
	} else
		r->body = strdup("");
	r->head = out.out;
	out.out = NULL;
	sys_out_free(&out);
	ck_assert(r->body != NULL);
}

static int
all_settled(void)
{
	json_t *st = sys_status_get(fx.sock), *t;
	size_t i;
	int ok = 1;

	for (i = 0; i < NTARGETS; i++) {
		t = sys_target_get(st, web_targets[i].name);
		if (t == NULL || sys_jstr(t, "state") == NULL ||
		    strcmp(sys_jstr(t, "state"), web_targets[i].state) != 0 ||
		    sys_jint(t, "probes") < 3)
			ok = 0;
	}
	json_decref(st);
	return ok;
}

/*
 * testsrv sending SSH's banner (up), testsrv sending hostile bytes
 * ("evil": its reply does not match), a bound port nobody listens on
 * (down), futd probing them every 0.2 s with the HTTP listener on; back
 * when every target has its state.
 */
static void
web_start(void)
{
	static const char *const ssh[] = { "-m", "banner", "-B",
	    "SSH-2.0-test\\r\\n", NULL };
	static const char *const evil[] = { "-m", "banner", "-B", EVIL_BYTES,
	    NULL };
	struct sys_srv up, bad;
	unsigned closed;
	uint64_t deadline;
	int fd;

	ck_assert_msg(sys_testsrv(&up, ssh, 1, NULL) == 0 &&
	    sys_testsrv(&bad, evil, 1, NULL) == 0, "testsrv did not start");
	ck_assert(sys_bound_port(&fd, &closed) == 0);
	sys_fx_fd(&fx, fd);
	http_port = sys_free_port();
	sys_write_filef(fx.conf, "http_listen = \"127.0.0.1:%u\";\n"
	    "history = 32;\n"
	    "defaults = { interval = 0.2; timeout = 0.5; };\n"
	    "targets = (\n"
	    "  { name = \"web-1\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; payload = \"\"; expect = \"SSH-2.0\"; },\n"
	    "  { name = \"web-2\"; host = \"127.0.0.1\"; port = %u; },\n"
	    "  { name = \"a&b\\\"c'd<e>\"; host = \"127.0.0.1\"; port = %u; },\n"
	    "  { name = \"db-1\"; host = \"127.0.0.1\"; port = %u; },\n"
	    "  { name = \"" NAME_IMG "\"; host = \"127.0.0.1\"; port = %u; },\n"
	    "  { name = \"evil\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; payload = \"\"; expect = \"SSH-\"; "
	    "timeout = 0.3; }\n);\n", http_port, up.port[0], up.port[0],
	    up.port[0], closed, closed, bad.port[0]);
	sys_fx_futd(&fx);
	deadline = sys_now_ms() + WEB_SETTLE_MS;
	while (!all_settled()) {
		ck_assert_msg(sys_left_ms(deadline) > 0, "targets did not "
		    "reach their states in %d ms", WEB_SETTLE_MS);
		sys_sleep_ms(100);
	}
}

/* the row of a target in a list's DOM: from its <tr to its </tr> */
static char *
row_of(const char *dom, const char *href)
{
	const char *a = strstr(dom, href), *tr, *end;
	char *row;

	if (a == NULL)
		return NULL;
	for (tr = a; tr > dom && strncmp(tr, "<tr", 3) != 0; tr--)
		;
	if ((end = strstr(a, "</tr>")) == NULL)
		return NULL;
	ck_assert((row = strndup(tr, (size_t)(end - tr))) != NULL);
	return row;
}

/* a result at wall_s seconds, ok or refused */
static void
svg_rec(struct results *r, int wall_s, uint32_t us, int ok)
{
	struct probe_result pr;

	memset(&pr, 0, sizeof(pr));
	pr.wall_us = (1800000000LL + wall_s) * 1000000;
	pr.latency_us = pr.ph.total_us = us;
	pr.error = ok ? PERR_NONE : PERR_REFUSED;
	pr.sys_err = ok ? 0 : ECONNREFUSED;
	results_record(r, &pr);
}

/* svg.c's drawing of a known ring, as text (the caller frees) */
static char *
svg_draw(const struct results *r, enum svg_size size)
{
	struct evbuffer *b = evbuffer_new();
	size_t n;
	char *s;

	ck_assert(b != NULL);
	svg_latency(b, r, "t<&>", size, 1000000);
	n = evbuffer_get_length(b);
	ck_assert((s = malloc(n + 1)) != NULL);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	evbuffer_free(b);
	return s;
}

/*
 * The graph of a known history: a mark per result while they fit, a cross
 * per failure, a line per state change, the axis linear for a narrow
 * spread and logarithmic for a wide one.
 */
START_TEST(test_web_svg)
{
	struct results r;
	char *svg;
	int i;

	ck_assert_int_eq(results_init(&r, 32), 0);
	results_set_policy(&r, 1, 1, 0);
	svg = svg_draw(&r, SVG_SMALL);
	ck_assert(strstr(svg, "no results yet") != NULL);
	free(svg);
	/* 10 ok, 3 refused, 7 ok: up, down, up again */
	for (i = 0; i < 20; i++)
		svg_rec(&r, i, 1000 + 25 * (uint32_t)i, i < 10 || i >= 13);
	svg = svg_draw(&r, SVG_SMALL);
	ck_assert_msg(count(svg, "class=\"ok\"") == 17 &&
	    count(svg, "class=\"fail\"") == 3 &&
	    count(svg, "class=\"change\"") == 2, "marks, crosses, changes: %s",
	    svg);
	ck_assert_msg(strstr(svg, "<title>t&lt;&amp;&gt;</title>") != NULL,
	    "the title unescaped: %s", svg);
	ck_assert_msg(strstr(svg, " log<") == NULL, "a log axis for 1.0 to "
	    "1.5 ms: %s", svg);
	free(svg);
	/* a LAN's 100 us and a far WAN's 80 ms: a log axis, by decades */
	svg_rec(&r, 20, 100, 1);
	svg_rec(&r, 21, 80000, 1);
	svg = svg_draw(&r, SVG_LARGE);
	ck_assert_msg(strstr(svg, "(log scale)") != NULL && strstr(svg,
	    ">0.100 ms</text>") != NULL && strstr(svg, ">100 ms</text>") !=
	    NULL, "not a log axis of 0.1 to 100 ms: %s", svg);
	free(svg);
	results_free(&r);
}
END_TEST

/* The list: every target, a graph each, its state, down ones first. */
START_TEST(test_web_list_dom)
{
	static const char *const href[NTARGETS] = { "/target/web-1\"",
	    "/target/web-2\"", "/target/a%26b%22c%27d%3Ce%3E\"",
	    "/target/db-1\"", "/target/%3Cimg%2Fsrc%3Dx%2Fonerror%3Dalert"
	    "%281%29%3E\"", "/target/evil\"" };
	char *dom, *row, want[64];
	const char *first_up, *last_down, *p;
	size_t i;

	if (!have_chrome("test_web_list_dom"))
		return;
	web_start();
	dom = chrome_dom("/");
	ck_assert_msg(count(dom, "<tr class=\"target ") == NTARGETS,
	    "%zu rows, not %zu", count(dom, "<tr class=\"target "), NTARGETS);
	ck_assert_msg(count(dom, "<svg class=\"graph\"") == NTARGETS,
	    "%zu graphs", count(dom, "<svg class=\"graph\""));
	for (i = 0; i < NTARGETS; i++) {
		row = row_of(dom, href[i]);
		ck_assert_msg(row != NULL, "no row links to %s", href[i]);
		snprintf(want, sizeof(want), "<span class=\"st %s\">%s</span>",
		    web_targets[i].state, web_targets[i].state);
		ck_assert_msg(strstr(row, want) != NULL, "%s: no %s in %s",
		    web_targets[i].name, want, row);
		ck_assert_msg(count(row, "<svg class=\"graph\"") == 1,
		    "%s: not one graph", web_targets[i].name);
		free(row);
	}
	/* the down ones first */
	first_up = strstr(dom, "<tr class=\"target up");
	for (last_down = NULL, p = dom; (p = strstr(p,
	    "<tr class=\"target down")) != NULL; p++)
		last_down = p;
	ck_assert(first_up != NULL && last_down != NULL &&
	    last_down < first_up);
	/* failures drawn: a red cross each on the down ones' graphs */
	ck_assert(count(dom, "class=\"fail\"") >= 3);
	/* the hostile names as text, no element of theirs */
	ck_assert_msg(strstr(dom, ">a&amp;b\"c'd&lt;e&gt;</a>") != NULL,
	    "the name with & \" ' < > is not there as text");
	ck_assert_msg(strstr(dom, ">&lt;img/src=x/onerror=alert(1)&gt;</a>") !=
	    NULL, "the <img> name is not there as text");
	ck_assert_msg(count(dom, "<img") == 0 && count(dom, "<script") == 0,
	    "an element from a hostile name: %.1500s", dom);
	ck_assert(strstr(dom, "http-equiv=\"refresh\"") != NULL);
	free(dom);
}
END_TEST

/* A target's page: its graph, its phases, what the peer sent, escaped. */
START_TEST(test_web_target_dom)
{
	char *dom;

	if (!have_chrome("test_web_target_dom"))
		return;
	web_start();
	dom = chrome_dom("/target/evil");
	ck_assert_msg(count(dom, "<svg class=\"graph\"") == 1 &&
	    count(dom, "<svg class=\"phases\"") == 1, "not one graph and one "
	    "phase bar: %.1500s", dom);
	ck_assert(strstr(dom, "<span class=\"st down\">down</span>") != NULL);
	ck_assert(strstr(dom, "reply did not match") != NULL);
	ck_assert_msg(strstr(dom, "&lt;script&gt;alert(1)&lt;/script&gt;") !=
	    NULL, "the received bytes are not there as text: %.1500s", dom);
	ck_assert_msg(count(dom, "<script") == 0, "a script element from "
	    "the received bytes: %.1500s", dom);
	ck_assert(strstr(dom, "<h2>Events</h2>") != NULL);
	free(dom);

	dom = chrome_dom("/target/%3Cimg%2Fsrc%3Dx%2Fonerror%3Dalert(1)%3E");
	ck_assert_msg(strstr(dom, "<h1>&lt;img/src=x/onerror=alert(1)&gt;"
	    "</h1>") != NULL, "the hostile name's page: %.1500s", dom);
	ck_assert_msg(count(dom, "<img") == 0, "an element from a hostile "
	    "name");
	ck_assert(strstr(dom, "Connection refused") != NULL);
	free(dom);
}
END_TEST

/* tlssrv with a certificate made here, its subject hostile: its port */
static unsigned
web_tlssrv(void)
{
	char bin[PATH_MAX], ossl[PATH_MAX], crt[PATH_MAX], key[PATH_MAX];
	char out[PATH_MAX], *text;
	const char *req[] = { ossl, "req", "-x509", "-newkey", "ec",
	    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
	    key, "-out", crt, "-days", "2", "-subj",
	    "/CN=<svg onload=alert(2)>/O=x&y\"z", NULL };
	const char *srv[] = { bin, "-t", "60", "-c", crt, "-k", key, "0",
	    NULL };
	uint64_t deadline = sys_now_ms() + SYS_START_MS;
	struct sys_out o;
	unsigned port = 0;
	pid_t pid;

	ck_assert_msg(sys_find_exec("openssl", ossl, sizeof(ossl)) != NULL,
	    "no openssl in PATH");
	sys_path_in(crt, sizeof(crt), fx.dir, "cert.pem");
	sys_path_in(key, sizeof(key), fx.dir, "key.pem");
	sys_path_in(out, sizeof(out), fx.dir, "tlssrv.out");
	sys_run(req, NULL, SYS_RUN_MS, &o);
	ck_assert_msg(o.status == 0, "openssl req: %s", o.err);
	sys_out_free(&o);
	sys_bin(bin, sizeof(bin), "tlssrv");
	ck_assert((pid = sys_spawn(srv, NULL, out, NULL)) != -1);
	for (;;) {
		text = sys_read_file(out, NULL);
		if (text != NULL && sscanf(text, "ready %u", &port) == 1) {
			free(text);
			return port;
		}
		free(text);
		ck_assert_msg(sys_left_ms(deadline) > 0, "tlssrv not ready");
		sys_sleep_ms(10);
	}
}

/* A certificate's subject is a peer's string too: text, no element. */
START_TEST(test_web_cert_dom)
{
	uint64_t deadline;
	unsigned port;
	json_t *st;
	char *dom;
	int up;

	if (!have_chrome("test_web_cert_dom"))
		return;
	port = web_tlssrv();
	http_port = sys_free_port();
	sys_write_filef(fx.conf, "http_listen = \"127.0.0.1:%u\";\n"
	    "targets = ({ name = \"tls\"; host = \"127.0.0.1\"; port = %u; "
	    "tls = true; verify = false; interval = 0.2; rise = 1; });\n",
	    http_port, port);
	sys_fx_futd(&fx);
	deadline = sys_now_ms() + WEB_SETTLE_MS;
	do {
		ck_assert_msg(sys_left_ms(deadline) > 0, "tls not up");
		sys_sleep_ms(100);
		st = sys_status_get(fx.sock);
		up = strcmp(sys_jstr(sys_target_get(st, "tls"), "state"),
		    "up") == 0;
		json_decref(st);
	} while (!up);
	dom = chrome_dom("/target/tls");
	ck_assert_msg(strstr(dom, "<h2>Certificate</h2>") != NULL, "no "
	    "certificate: %.1500s", dom);
	ck_assert_msg(strstr(dom, "svg onload=alert(2)\\&gt;") != NULL &&
	    strstr(dom, "x&amp;y") != NULL, "the subject is not there as "
	    "text: %.3000s", dom);
	/* the graph and the phases; the subject (and the issuer) as text */
	ck_assert_msg(count(dom, "<svg") == 2 && strstr(dom, "<svg onload") ==
	    NULL, "an element from the subject: %.3000s", dom);
	free(dom);
}
END_TEST

/* A target's steps on its page: each, what it does, how long it took. */
START_TEST(test_web_steps)
{
	static const char *const pong[] = { "-m", "respond", "-B",
	    "+PONG\\r\\n", NULL };
	struct sys_srv srv;
	struct reply r;
	uint64_t deadline;
	json_t *st;
	int done;

	ck_assert(sys_testsrv(&srv, pong, 1, NULL) == 0);
	http_port = sys_free_port();
	sys_write_filef(fx.conf, "http_listen = \"127.0.0.1:%u\";\n"
	    "targets = ({ name = \"steps\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.2; timeout = 1; steps = ( "
	    "{ send = \"<script>x</script>\\r\\n\"; }, "
	    "{ expect = \"+PONG\"; }, "
	    "{ expect_regex = \"<b>|never\"; timeout = 0.1; } ); });\n",
	    http_port, srv.port[0]);
	sys_fx_futd(&fx);
	deadline = sys_now_ms() + WEB_SETTLE_MS;
	do {
		ck_assert_msg(sys_left_ms(deadline) > 0, "no result");
		sys_sleep_ms(100);
		st = sys_status_get(fx.sock);
		done = sys_jint(sys_target_get(st, "steps"), "failed") > 0;
		json_decref(st);
	} while (!done);
	curl("GET", "/target/steps", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(strstr(r.body, "<h2>Steps</h2>") != NULL &&
	    count(r.body, "</td></tr>\n") >= 3, "%s", r.body);
	ck_assert_msg(strstr(r.body, "<code>&lt;script&gt;x&lt;/script&gt;"
	    "\\x0d\\x0a</code>") != NULL, "the send step: %s", r.body);
	ck_assert(strstr(r.body, "expect <code>+PONG</code>") != NULL);
	ck_assert(strstr(r.body, "expect <code>/&lt;b&gt;|never/</code>") !=
	    NULL);
	ck_assert_msg(count(r.body, "<td class=\"num fail\">") == 1 &&
	    strstr(r.body, " ms, failed</td>") != NULL, "the third step "
	    "failed: %s", r.body);
	ck_assert(count(r.body, "<script") == 0);
	reply_free(&r);
}
END_TEST

/* PNG's IHDR: width and height, big-endian, at bytes 16 and 20 */
static unsigned
png_u32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 |
	    (unsigned)p[2] << 8 | p[3];
}

START_TEST(test_web_screenshot)
{
	char arg[PATH_MAX + 16], png[PATH_MAX];
	struct sys_out out;
	unsigned char *b;
	size_t len;

	if (!have_chrome("test_web_screenshot"))
		return;
	web_start();
	sys_path_in(png, sizeof(png), fx.dir, "status.png");
	snprintf(arg, sizeof(arg), "--screenshot=%s", png);
	chrome_run(arg, "/", &out);
	sys_out_free(&out);
	b = (unsigned char *)sys_read_file(png, &len);
	ck_assert_msg(b != NULL && len > 24 && memcmp(b, "\x89PNG\r\n\x1a\n",
	    8) == 0, "no PNG at %s", png);
	ck_assert_msg(png_u32(b + 16) == 1200 && png_u32(b + 20) == 900,
	    "a screenshot of %ux%u", png_u32(b + 16), png_u32(b + 20));
	/* a blank page of that size is a few KiB; rows and graphs are more */
	ck_assert_msg(len > 20000, "a screenshot of only %zu bytes", len);
	free(b);
}
END_TEST

/* The filter and the answers of the listener, by curl. */
START_TEST(test_web_filter)
{
	struct reply r;

	web_start();
	curl("GET", "/?name=web*&state=up", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(strstr(r.head, "Content-Type: text/html") != NULL);
	ck_assert(strstr(r.head, "Content-Security-Policy: default-src "
	    "'none'") != NULL);
	ck_assert_uint_eq(count(r.body, "<tr class=\"target "), 2);
	ck_assert(strstr(r.body, "/target/web-1\"") != NULL &&
	    strstr(r.body, "/target/web-2\"") != NULL);
	reply_free(&r);
	curl("GET", "/?state=down", &r);
	ck_assert_uint_eq(count(r.body, "<tr class=\"target down"), 3);
	ck_assert_uint_eq(count(r.body, "<tr class=\"target "), 3);
	reply_free(&r);
	/* a glob that needs escaping in the URL: [&] */
	curl("GET", "/?name=a%5B%26%5Db*", &r);
	ck_assert_uint_eq(count(r.body, "<tr class=\"target "), 1);
	ck_assert(strstr(r.body, "value=\"a[&amp;]b*\"") != NULL);
	reply_free(&r);
	curl("GET", "/?name=nothing*", &r);
	ck_assert_uint_eq(count(r.body, "<tr class=\"target "), 0);
	ck_assert(strstr(r.body, "no targets match") != NULL);
	reply_free(&r);
	curl("GET", "/?state=sideways", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert(strstr(r.body, "state is one of") != NULL);
	reply_free(&r);
	/* a pattern that would backtrack for long: refused */
	curl("GET", "/?name=*a*a*a*a*a*b", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert(strstr(r.body, "stars") != NULL);
	reply_free(&r);
	curl("GET", "/?page=0", &r);
	ck_assert_int_eq(r.status, 400);
	reply_free(&r);
	curl("GET", "/target/nosuch", &r);
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);
	curl("GET", "/api/target/nosuch", &r);
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);
	curl("GET", "/nowhere", &r);
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);
	curl("HEAD", "/", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(strstr(r.head, "text/html") != NULL && *r.body == '\0');
	reply_free(&r);
	curl("HEAD", "/target/nosuch", &r);
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);
	curl("POST", "/", &r);
	ck_assert_int_eq(r.status, 405);
	ck_assert(strstr(r.head, "Allow: GET, HEAD") != NULL);
	reply_free(&r);
	curl("DELETE", "/api/target/web-1", &r);
	ck_assert_int_eq(r.status, 405);
	reply_free(&r);
	/* /metrics as before */
	curl("GET", "/metrics", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(strstr(r.body, "futd_target_up{") != NULL);
	reply_free(&r);
}
END_TEST

/* a copy of o without the keys whose values move with the clock */
static json_t *
still(const json_t *o)
{
	static const char *const moving[] = { "for_s", "next_probe_in_s",
	    "flapping_for_s", NULL };
	json_t *c = json_deep_copy(o);
	size_t i;

	for (i = 0; moving[i] != NULL; i++)
		json_object_del(c, moving[i]);
	return c;
}

/* /api/status and /api/target/NAME against futctl's --json. */
START_TEST(test_web_api)
{
	json_t *api, *ctl, *a, *c, *as, *cs;
	json_error_t jerr;
	const char *key;
	struct reply r;
	size_t i;

	web_start();
	curl("GET", "/api/status", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(strstr(r.head, "Content-Type: application/json") != NULL);
	api = json_loads(r.body, 0, &jerr);
	ck_assert_msg(api != NULL, "/api/status: %s: %.300s", jerr.text,
	    r.body);
	reply_free(&r);
	ctl = sys_status_get(fx.sock);
	ck_assert_int_eq(json_integer_value(json_object_get(api, "schema")),
	    json_integer_value(json_object_get(ctl, "schema")));
	ck_assert_uint_eq(json_array_size(json_object_get(api, "targets")),
	    NTARGETS);
	ck_assert_uint_eq(json_array_size(json_object_get(ctl, "targets")),
	    NTARGETS);
	for (i = 0; i < NTARGETS; i++) {
		a = json_array_get(json_object_get(api, "targets"), i);
		c = json_array_get(json_object_get(ctl, "targets"), i);
		/* the same keys in the same order: one writer */
		as = still(a);
		cs = still(c);
		ck_assert_uint_eq(json_object_size(as), json_object_size(cs));
		json_object_foreach(cs, key, c)
			ck_assert_msg(json_object_get(as, key) != NULL,
			    "/api/status lacks %s", key);
		ck_assert_str_eq(sys_jstr(as, "name"), sys_jstr(cs, "name"));
		ck_assert_str_eq(sys_jstr(as, "state"), sys_jstr(cs, "state"));
		ck_assert_int_eq(sys_jint(as, "port"), sys_jint(cs, "port"));
		json_decref(as);
		json_decref(cs);
	}
	json_decref(api);
	json_decref(ctl);

	/* trend=N as the control socket's: the last N latencies each */
	curl("GET", "/api/status?trend=3&name=web-1", &r);
	api = json_loads(r.body, 0, &jerr);
	ck_assert_msg(api != NULL, "%s", r.body);
	ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(
	    json_object_get(api, "targets"), 0), "trend")), 3);
	json_decref(api);
	reply_free(&r);
	curl("GET", "/api/status?trend=65", &r);
	ck_assert_int_eq(r.status, 400);
	reply_free(&r);

	/* filtered as `futctl status --state down` */
	curl("GET", "/api/status?state=down", &r);
	api = json_loads(r.body, 0, &jerr);
	ck_assert(api != NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(api, "targets")), 3);
	json_decref(api);
	reply_free(&r);

	/* show: the hostile name, by its URL */
	curl("GET", "/api/target/a%26b%22c%27d%3Ce%3E", &r);
	ck_assert_int_eq(r.status, 200);
	api = json_loads(r.body, 0, &jerr);
	ck_assert_msg(api != NULL, "%s", r.body);
	reply_free(&r);
	ctl = sys_futctl_json(fx.sock, "show", NAME_QUOTES);
	ck_assert(ctl != NULL);
	a = json_object_get(api, "target");
	c = json_object_get(ctl, "target");
	ck_assert_str_eq(sys_jstr(a, "name"), NAME_QUOTES);
	ck_assert_str_eq(sys_jstr(a, "name"), sys_jstr(c, "name"));
	ck_assert(json_equal(json_object_get(a, "config"),
	    json_object_get(c, "config")));
	ck_assert(json_is_array(json_object_get(a, "history")));
	ck_assert_uint_eq(json_object_size(a), json_object_size(c));
	json_decref(api);
	json_decref(ctl);
}
END_TEST

static long
rss_kb(pid_t pid)
{
	char path[64], *st, *p;
	long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((st = sys_read_file(path, NULL)) == NULL)
		return -1;
	if ((p = strstr(st, "VmRSS:")) != NULL)
		kb = strtol(p + 6, NULL, 10);
	free(st);
	return kb;
}

/* 100 000 targets: 500 a page, in order, futd's memory flat. */
START_TEST(test_web_many)
{
	static const char *const pages[] = { "/?page=2", "/?page=100",
	    "/?page=200", "/?page=37", "/?page=199" };
	char path[64];
	struct reply r;
	long before, after;
	unsigned closed;
	size_t i;
	FILE *f;
	int fd;

	ck_assert(sys_bound_port(&fd, &closed) == 0);
	sys_fx_fd(&fx, fd);
	http_port = sys_free_port();
	ck_assert((f = fopen(fx.conf, "w")) != NULL);
	fprintf(f, "http_listen = \"127.0.0.1:%u\";\nhistory = 4;\n"
	    "defaults = { interval = 3600; timeout = 1; };\ntargets = (\n",
	    http_port);
	for (i = 0; i < WEB_MANY; i++)
		fprintf(f, "{ name = \"t%06zu\"; host = \"127.0.0.1\"; "
		    "port = %u; }%s\n", i, closed, i + 1 < WEB_MANY ? "," : "");
	fprintf(f, ");\n");
	ck_assert(fclose(f) == 0);
	sys_fx_futd(&fx);
	/*
	 * All of them disabled, so that none changes its state (and its
	 * place: down ones first) while the pages are read.
	 */
	ck_assert(sys_futctl(NULL, fx.sock, "disable", "--reason",
	    "<i>upgrade</i> & more", "t*", (char *)NULL) == 0);

	/* the first page once: what a first reply allocates for good */
	curl("GET", "/", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(count(r.body, "<tr class=\"target "), 500);
	ck_assert(strstr(r.body, "100000 targets:") != NULL &&
	    strstr(r.body, " 100000 disabled,") != NULL);
	ck_assert(strstr(r.body, "rel=\"next\" href=\"/?page=2\"") != NULL);
	/* who disabled them and why, in place of an error: escaped */
	ck_assert_uint_eq(count(r.body, ": &lt;i&gt;upgrade&lt;/i&gt; &amp; "
	    "more</td>"), 500);
	reply_free(&r);
	before = rss_kb(fx.futd);
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		curl("GET", pages[i], &r);
		ck_assert_int_eq(r.status, 200);
		ck_assert_msg(count(r.body, "<tr class=\"target ") == 500,
		    "%s: %zu rows", pages[i], count(r.body,
		    "<tr class=\"target "));
		reply_free(&r);
	}
	after = rss_kb(fx.futd);
	ck_assert_msg(before > 0 && after - before < WEB_RSS_KB, "futd's RSS "
	    "went from %ld to %ld kB over five pages", before, after);
	/* the last page has no next; one more is empty */
	curl("GET", "/?page=200", &r);
	ck_assert(strstr(r.body, "rel=\"next\"") == NULL);
	ck_assert(strstr(r.body, "rel=\"prev\" href=\"/?page=199\"") != NULL);
	reply_free(&r);
	curl("GET", "/?page=201", &r);
	ck_assert_uint_eq(count(r.body, "<tr class=\"target "), 0);
	ck_assert(strstr(r.body, "no targets on this page") != NULL);
	reply_free(&r);
	/* a filter over all of them, and its pages */
	curl("GET", "/?name=t0999*", &r);
	ck_assert_uint_eq(count(r.body, "<tr class=\"target "), 100);
	reply_free(&r);
	curl("GET", "/?name=t0[0-4]*&page=2", &r);
	ck_assert_uint_eq(count(r.body, "<tr class=\"target "), 500);
	ck_assert(strstr(r.body, "rel=\"next\" href=\"/?name=t0%5B0-4%5D%2A"
	    "&amp;page=3\"") != NULL);
	reply_free(&r);
	/* the last target's own page */
	snprintf(path, sizeof(path), "/target/t%06d", WEB_MANY - 1);
	curl("GET", path, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(count(r.body, "<svg class=\"graph\""), 1);
	reply_free(&r);
}
END_TEST

/* http_listen is metrics_listen's new name: either, never both. */
START_TEST(test_web_listen_names)
{
	char bin[PATH_MAX], want[PATH_MAX + 64];
	const char *argv[] = { bin, "-n", "-f", fx.conf, NULL };
	struct sys_out out;
	struct reply r;
	unsigned closed;
	int fd;

	sys_bin(bin, sizeof(bin), "futd");
	sys_write_filef(fx.conf, "http_listen = \"127.0.0.1:1\";\n"
	    "metrics_listen = \"127.0.0.1:2\";\ntargets = ();\n");
	sys_run(argv, NULL, SYS_RUN_MS, &out);
	ck_assert_int_ne(out.status, 0);
	snprintf(want, sizeof(want), "%s:2: metrics_listen and http_listen "
	    "both set", fx.conf);
	ck_assert_msg(strstr(out.err, want) != NULL, "not \"%s\": %s", want,
	    out.err);
	sys_out_free(&out);

	/* the old name serves the pages too */
	ck_assert(sys_bound_port(&fd, &closed) == 0);
	sys_fx_fd(&fx, fd);
	http_port = sys_free_port();
	sys_write_filef(fx.conf, "metrics_listen = \"127.0.0.1:%u\";\n"
	    "targets = ({ name = \"one\"; host = \"127.0.0.1\"; port = %u; "
	    "});\n", http_port, closed);
	sys_fx_futd(&fx);
	curl("GET", "/", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(strstr(r.body, "/target/one\"") != NULL);
	reply_free(&r);
}
END_TEST

Suite *
web_suite(void)
{
	Suite *s = suite_create("web");
	TCase *tc = tcase_create("web");

	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_web_svg);
	tcase_add_test(tc, test_web_list_dom);
	tcase_add_test(tc, test_web_target_dom);
	tcase_add_test(tc, test_web_cert_dom);
	tcase_add_test(tc, test_web_steps);
	tcase_add_test(tc, test_web_screenshot);
	tcase_add_test(tc, test_web_filter);
	tcase_add_test(tc, test_web_api);
	tcase_add_test(tc, test_web_many);
	tcase_add_test(tc, test_web_listen_names);
	suite_add_tcase(s, tc);
	return s;
}
