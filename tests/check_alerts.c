/*
 * check_alerts.c - the alerts suite: the real futd telling a real
 * Alertmanager (Debian's prometheus-alertmanager, on a free port of
 * 127.0.0.1) of a target going down and up; Alertmanager's webhook comes
 * to a tiny HTTP server of the test's own, on loopback too.
 *
 * Without prometheus-alertmanager in PATH the test says SKIPPED on stderr
 * and passes without checking.  FUTD_SYS_KEEP=1 keeps the directories.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <net/if.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "tests.h"
#include "sys.h"

#define ALERTS_TIMEOUT_S	60	/* a test; Alertmanager starts in 1 s */
#define WAIT_MS			15000	/* one step */
#define HOOK_MAX		(256 * 1024)
/* futd.conf's start: am.port's Alertmanager, resent every second */
#define AM_CONF		"alertmanager_urls = [ \"http://127.0.0.1:%u\" ];\n" \
			"alert_resend = 1.0;\n"

static char	root_dir[PATH_MAX];
static struct sys_fx fx;

/* the webhook's listener, and what it was sent, one body after another */
static struct {
	int		 lsn;
	unsigned	 port;
	json_t		*got;		/* array of bodies */
} hook;

static struct {
	char		 bin[PATH_MAX];
	char		 conf[PATH_MAX];
	char		 log[PATH_MAX];
	char		 data[PATH_MAX];
	unsigned	 port;
	pid_t		 pid;
} am = { .pid = -1 };

static void
root_setup(void)
{
	sys_root_setup(root_dir, sizeof(root_dir));
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "alerts tests");
}

static void
fx_setup(void)
{
	sys_fx_setup(&fx, root_dir);
	hook.lsn = -1;
	hook.got = json_array();
	am.pid = -1;
}

static void
fx_teardown(void)
{
	sys_fx_teardown(&fx);
	json_decref(hook.got);
	if (hook.lsn != -1)
		close(hook.lsn);
}

/* o's key, or o's group's key; "" when absent */
static const char *
jsub(const json_t *o, const char *group, const char *key)
{
	const char *v;

	if (group != NULL)
		o = json_object_get(o, group);
	v = sys_jstr(o, key);
	return v != NULL ? v : "";
}

/* One HTTP exchange on fd: the request whole (headers, then the body). */
static char *
http_read(int fd, size_t *hdr_len)
{
	char *buf = malloc(HOOK_MAX + 1), *eoh, *cl;
	size_t n = 0, want = 0;
	uint64_t deadline = sys_now_ms() + 2000;
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t r;

	ck_assert(buf != NULL);
	while (n < HOOK_MAX && sys_left_ms(deadline) > 0) {
		if (poll(&pfd, 1, sys_left_ms(deadline)) <= 0)
			break;
		if ((r = read(fd, buf + n, HOOK_MAX - n)) <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if ((eoh = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		*hdr_len = (size_t)(eoh + 4 - buf);
		cl = strcasestr(buf, "\r\nContent-Length:");
		want = *hdr_len + (cl != NULL && cl < eoh ?
		    strtoul(cl + 17, NULL, 10) : 0);
		if (n >= want)
			return buf;
	}
	free(buf);
	return NULL;
}

/* Take what Alertmanager posts, for at most ms; 200 to each. */
static void
hook_serve(unsigned ms)
{
	const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n";
	struct pollfd pfd = { hook.lsn, POLLIN, 0 };
	uint64_t deadline = sys_now_ms() + ms;
	size_t hl = 0;
	json_t *body;
	char *req;
	int fd;

	while (sys_left_ms(deadline) > 0 &&
	    poll(&pfd, 1, sys_left_ms(deadline)) == 1) {
		if ((fd = accept4(hook.lsn, NULL, NULL, SOCK_CLOEXEC)) == -1)
			continue;
		if ((req = http_read(fd, &hl)) != NULL) {
			if ((body = json_loads(req + hl, 0, NULL)) != NULL)
				json_array_append_new(hook.got, body);
			(void)sys_send_all(fd, ok, sizeof(ok) - 1);
		}
		free(req);
		close(fd);
	}
}

static int
hook_is(const json_t *al, const char *target, const char *alertname,
    const char *status)
{
	return strcmp(jsub(al, "labels", "target"), target) == 0 &&
	    strcmp(jsub(al, NULL, "status"), status) == 0 &&
	    (alertname == NULL ||
	    strcmp(jsub(al, "labels", "alertname"), alertname) == 0);
}

/*
 * The webhook's newest alert for target with status ("firing",
 * "resolved"), among the bodies that came from the from-th on: waits
 * up to WAIT_MS, serving the webhook.  Borrowed.
 */
static json_t *
hook_wait_for(size_t from, const char *target, const char *alertname,
    const char *status)
{
	uint64_t deadline = sys_now_ms() + WAIT_MS;
	json_t *b, *al;
	char *dump;
	size_t i, j;

	do {
		hook_serve(200);
		for (i = from; i < json_array_size(hook.got); i++) {
			b = json_array_get(hook.got, i);
			json_array_foreach(json_object_get(b, "alerts"), j, al)
				if (hook_is(al, target, alertname, status))
					return al;
		}
	} while (sys_left_ms(deadline) > 0);
	dump = json_dumps(hook.got, JSON_COMPACT);
	ck_abort_msg("no %s alert %s for %s came through the webhook within "
	    "%d ms; it got: %s", status, alertname != NULL ? alertname : "",
	    target, WAIT_MS, dump);
	return NULL;
}

static json_t *
hook_wait(size_t from, const char *target, const char *status)
{
	return hook_wait_for(from, target, NULL, status);
}

/* GET path of 127.0.0.1:port over HTTP/1.0: the body if 200, or NULL. */
static char *
http_get(unsigned port, const char *path)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	uint64_t deadline = sys_now_ms() + 3000;
	char req[256], *buf, *body = NULL;
	size_t n = 0;
	ssize_t r;
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return NULL;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%u\r\n"
	    "Accept: application/json\r\n\r\n", path, port);
	ck_assert((buf = malloc(HOOK_MAX + 1)) != NULL);
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (sys_send_all(fd, req, strlen(req)) == 0)
		while (n < HOOK_MAX && sys_left_ms(deadline) > 0 &&
		    poll(&pfd, 1, sys_left_ms(deadline)) == 1 &&
		    (r = read(fd, buf + n, HOOK_MAX - n)) > 0)
			n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	if (strncmp(buf, "HTTP/1.", 7) == 0 && strncmp(buf + 8, " 200", 4) ==
	    0 && (body = strstr(buf, "\r\n\r\n")) != NULL)
		body = strdup(body + 4);
	free(buf);
	return body;
}

static void
am_start(void)
{
	char a_conf[PATH_MAX + 32], a_data[PATH_MAX + 32], a_listen[64];
	const char *argv[] = { am.bin, a_conf, a_data, a_listen,
	    "--cluster.listen-address=", "--log.level=warn", NULL };
	uint64_t deadline = sys_now_ms() + WAIT_MS;
	char *b;

	snprintf(a_conf, sizeof(a_conf), "--config.file=%s", am.conf);
	snprintf(a_data, sizeof(a_data), "--storage.path=%s", am.data);
	snprintf(a_listen, sizeof(a_listen),
	    "--web.listen-address=127.0.0.1:%u", am.port);
	am.pid = sys_spawn(argv, NULL, am.log, am.log);
	ck_assert_msg(am.pid != -1, "cannot run %s: %s", am.bin,
	    strerror(errno));
	while ((b = http_get(am.port, "/-/ready")) == NULL) {
		ck_assert_msg(sys_wait(am.pid, 0, NULL) == -1, "alertmanager "
		    "exited; see %s", am.log);
		ck_assert_msg(sys_left_ms(deadline) > 0, "alertmanager not "
		    "ready within %d ms; see %s", WAIT_MS, am.log);
		hook_serve(100);
	}
	free(b);
}

static void
am_stop(void)
{
	kill(am.pid, SIGTERM);
	if (sys_wait(am.pid, 5000, NULL) == -1) {
		kill(am.pid, SIGKILL);
		sys_wait(am.pid, SYS_STOP_MS, NULL);
	}
	am.pid = -1;
}

/* GET /api/v2/alerts: Alertmanager's own list of what it holds. */
static json_t *
am_alerts(void)
{
	char *b = http_get(am.port, "/api/v2/alerts");
	json_t *j = b != NULL ? json_loads(b, 0, NULL) : NULL;

	free(b);
	return j;
}

static void
hook_listen(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	hook.lsn = sys_socket_at("127.0.0.1", 0);
	ck_assert(hook.lsn != -1 && listen(hook.lsn, 16) == 0 &&
	    getsockname(hook.lsn, (struct sockaddr *)&sin, &len) == 0);
	hook.port = ntohs(sin.sin_port);
}

/* Alertmanager's config: every alert its own group, told within ~1 s. */
static void
am_setup(void)
{
	sys_path_in(am.conf, sizeof(am.conf), fx.dir, "alertmanager.yml");
	sys_path_in(am.log, sizeof(am.log), fx.dir, "alertmanager.log");
	sys_path_in(am.data, sizeof(am.data), fx.dir, "alertmanager-data");
	am.port = sys_free_port();
	hook_listen();
	sys_write_filef(am.conf, "route:\n  receiver: hook\n"
	    "  group_by: ['...']\n  group_wait: 1s\n  group_interval: 1s\n"
	    "  repeat_interval: 1h\nreceivers:\n  - name: hook\n"
	    "    webhook_configs:\n      - url: http://127.0.0.1:%u/\n"
	    "        send_resolved: true\n", hook.port);
}

/* Alertmanager's own alert for target, from GET /api/v2/alerts (owned). */
static json_t *
am_alert_of(const char *target)
{
	uint64_t deadline = sys_now_ms() + WAIT_MS;
	json_t *all, *al, *found;
	size_t i;

	for (;;) {
		found = NULL;
		all = am_alerts();
		json_array_foreach(all, i, al)
			if (strcmp(jsub(al, "labels", "target"), target) == 0)
				found = json_incref(al);
		json_decref(all);
		if (found != NULL)
			return found;
		ck_assert_msg(sys_left_ms(deadline) > 0, "alertmanager's "
		    "/api/v2/alerts has no alert for %s", target);
		hook_serve(200);
	}
}

/*
 * A target going down is a firing FutdTargetDown with its labels and
 * words; up again, resolved.  Alertmanager away at the moment of the
 * change still gets the firing one when it is back (the resend), and the
 * resolution too.
 */
START_TEST(test_alertmanager)
{
	struct sys_switch sw;
	struct sys_out out;
	char host[256] = "", port[8], *dump;
	json_t *al, *want, *st;
	size_t mark;

	if (sys_find_exec("prometheus-alertmanager", am.bin, sizeof(am.bin)) ==
	    NULL && sys_find_exec("alertmanager", am.bin, sizeof(am.bin)) == NULL) {
		fprintf(stderr, "test_alertmanager: SKIPPED: no "
		    "prometheus-alertmanager in PATH (Debian package "
		    "\"prometheus-alertmanager\")\n");
		return;
	}
	gethostname(host, sizeof(host) - 1);
	am_setup();
	am_start();
	sys_switch_init(&sw);
	sys_switch_on(&sw);
	snprintf(port, sizeof(port), "%u", sw.port);
	sys_write_filef(fx.conf, AM_CONF
	    "defaults = { labels = { team = \"db\"; tier = \"2\"; }; };\n"
	    "targets = ( { name = \"web\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"peeraddr\"; interval = 0.2; rise = 1; fall = 1; "
	    "flap_threshold = 0; labels = { tier = \"1\"; }; } );\n", am.port,
	    sw.port);
	sys_fx_futd(&fx);
	json_decref(sys_wait_state(fx.sock, &sw, "web", "up", 1, WAIT_MS));
	/* futctl show says them, the target's after the defaults' */
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "show", "web",
	    (char *)NULL), 0);
	ck_assert_msg(strstr(out.out, "labels:      team=\"db\", tier=\"1\"\n")
	    != NULL, "futctl show web:\n%s", out.out);
	sys_out_free(&out);

	/* down: firing, with its labels and words */
	sys_switch_off(&sw);
	json_decref(sys_wait_state(fx.sock, NULL, "web", "down", 0, WAIT_MS));
	al = hook_wait(0, "web", "firing");
	/* the defaults' labels, the target's winning on tier */
	want = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "alertname", "FutdTargetDown", "target", "web", "probe",
	    "peeraddr", "host", "127.0.0.1", "port", port, "instance", host,
	    "team", "db", "tier", "1");
	dump = json_dumps(al, JSON_COMPACT);
	ck_assert_msg(json_equal(json_object_get(al, "labels"), want),
	    "webhook's alert: %s", dump);
	ck_assert_msg(strstr(jsub(al, "annotations", "description"),
	    "refused") != NULL && strstr(jsub(al, "annotations", "summary"),
	    "web is down") != NULL, "words: %s", dump);
	free(dump);
	al = am_alert_of("web");
	dump = json_dumps(al, JSON_COMPACT);
	ck_assert_msg(json_equal(json_object_get(al, "labels"), want),
	    "alertmanager's own: %s", dump);
	free(dump);
	json_decref(al);

	/* up: resolved */
	mark = json_array_size(hook.got);
	sys_switch_on(&sw);
	json_decref(sys_wait_state(fx.sock, &sw, "web", "up", 1, WAIT_MS));
	hook_wait(mark, "web", "resolved");

	/* Alertmanager away when it goes down: the resend brings it */
	am_stop();
	sys_switch_off(&sw);
	json_decref(sys_wait_state(fx.sock, NULL, "web", "down", 0, WAIT_MS));
	hook_serve(2500);	/* futd tries, and fails, meanwhile */
	mark = json_array_size(hook.got);
	am_start();
	al = hook_wait(mark, "web", "firing");
	ck_assert(json_equal(json_object_get(al, "labels"), want));

	/* restarted, it has forgotten; the resend tells it again */
	am_stop();
	am_start();
	al = am_alert_of("web");
	ck_assert(json_equal(json_object_get(al, "labels"), want));
	json_decref(al);
	json_decref(want);

	/* and away when it comes up: the end is tried until it is back */
	am_stop();
	sys_switch_on(&sw);
	json_decref(sys_wait_state(fx.sock, &sw, "web", "up", 1, WAIT_MS));
	hook_serve(2500);
	mark = json_array_size(hook.got);
	am_start();
	hook_wait(mark, "web", "resolved");
	st = sys_status_get(fx.sock);
	json_decref(st);
	am_stop();
	sys_switch_close(&sw);
}
END_TEST

/* A target down that a reload removes: its alert ends. */
START_TEST(test_alert_removed)
{
	struct sys_switch sw;
	struct sys_out out;
	char one[256];
	json_t *al;

	if (sys_find_exec("prometheus-alertmanager", am.bin, sizeof(am.bin)) ==
	    NULL) {
		fprintf(stderr, "test_alert_removed: SKIPPED: no "
		    "prometheus-alertmanager in PATH\n");
		return;
	}
	am_setup();
	am_start();
	sys_switch_init(&sw);	/* off: refused */
	snprintf(one, sizeof(one), "{ host = \"127.0.0.1\"; port = %u; "
	    "probe = \"peeraddr\"; interval = 0.2; rise = 1; fall = 1; }",
	    sw.port);
	sys_write_filef(fx.conf, AM_CONF "targets = ( { name = \"gone\"; %s, "
	    "{ name = \"kept\"; %s );\n", am.port, one + 1, one + 1);
	sys_fx_futd(&fx);
	al = hook_wait(0, "gone", "firing");
	ck_assert_str_eq(jsub(al, "labels", "alertname"), "FutdTargetDown");
	sys_write_filef(fx.conf, AM_CONF
	    "targets = ( { name = \"kept\"; %s );\n", am.port, one + 1);
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "reload", (char *)NULL), 0);
	sys_out_free(&out);
	hook_wait(0, "gone", "resolved");
	am_stop();
	sys_switch_close(&sw);
}
END_TEST

/*
 * A target that keeps changing is flapping: FutdTargetFlapping fires and
 * its FutdTargetDown ends.
 */
START_TEST(test_alert_flapping)
{
	struct sys_switch sw;
	json_t *al;
	int i;

	if (sys_find_exec("prometheus-alertmanager", am.bin, sizeof(am.bin)) ==
	    NULL) {
		fprintf(stderr, "test_alert_flapping: SKIPPED: no "
		    "prometheus-alertmanager in PATH\n");
		return;
	}
	am_setup();
	am_start();
	sys_switch_init(&sw);
	sys_write_filef(fx.conf, AM_CONF
	    "targets = ( { name = \"flap\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"peeraddr\"; interval = 0.2; rise = 1; fall = 1; "
	    "flap_threshold = 2; } );\n", am.port, sw.port);
	sys_fx_futd(&fx);
	json_decref(sys_wait_state(fx.sock, NULL, "flap", "down", 0, WAIT_MS));
	hook_wait(0, "flap", "firing");
	/* down, up, down: three changes, over flap_threshold */
	for (i = 0; i < 2; i++) {
		if (i % 2 == 0)
			sys_switch_on(&sw);
		else
			sys_switch_off(&sw);
		json_decref(sys_wait_state(fx.sock, &sw, "flap", i % 2 == 0 ?
		    "up" : "down", i % 2 == 0, WAIT_MS));
	}
	sys_switch_on(&sw);
	json_decref(sys_wait_state(fx.sock, &sw, "flap", "flapping", -1,
	    WAIT_MS));
	al = hook_wait_for(0, "flap", "FutdTargetFlapping", "firing");
	ck_assert_str_eq(jsub(al, "annotations", "summary"),
	    "flap is flapping");
	hook_wait_for(0, "flap", "FutdTargetDown", "resolved");
	am_stop();
	sys_switch_close(&sw);
}
END_TEST

/* A URL futd cannot post to is refused with its file:line. */
START_TEST(test_alert_conf)
{
	char bin[PATH_MAX];
	const char *argv[] = { bin, "-n", "-f", fx.conf, NULL };
	struct sys_out out;

	sys_bin(bin, sizeof(bin), "futd");
	sys_write_filef(fx.conf, "alert_resend = 0.5;\n"
	    "alertmanager_urls = [ \"http://127.0.0.1:9093\",\n"
	    "    \"https://127.0.0.1:9093\" ];\n"
	    "targets = ( { name = \"a\"; host = \"127.0.0.1\"; port = 1; }"
	    " );\n");
	sys_run(argv, NULL, SYS_RUN_MS, &out);
	ck_assert_msg(out.status == 1, "futd -n: %d", out.status);
	ck_assert_msg(strstr(out.err, "futd.conf:1: alert_resend") != NULL,
	    "%s", out.err);
	ck_assert_msg(strstr(out.err, "futd.conf:3: alertmanager URL "
	    "\"https://127.0.0.1:9093\" must be") != NULL, "%s", out.err);
	sys_out_free(&out);

	/* labels: Prometheus's names, strings, none of futd's own */
	sys_write_filef(fx.conf, "defaults = { labels = { tier = 1; }; };\n"
	    "targets = ( { name = \"a\"; host = \"127.0.0.1\"; port = 1;\n"
	    "    labels = { instance = \"x\"; ok_1 = \"y\"; };\n"
	    "  }, { name = \"b\"; host = \"127.0.0.1\"; port = 1;\n"
	    "    labels = { bad-name = \"x\"; }; },\n"
	    "  { name = \"c\"; host = \"127.0.0.1\"; port = 1; labels = 3; },"
	    "\n  { name = \"d\"; host = \"127.0.0.1\"; port = 1;"
	    " labels = { ok = \"caf\xc3\xa9\"; bad = \"caf\xe9\"; }; } );\n");
	sys_run(argv, NULL, SYS_RUN_MS, &out);
	ck_assert_msg(out.status == 1, "futd -n: %d", out.status);
	ck_assert_msg(strstr(out.err, "futd.conf:1: label tier must be a "
	    "string") != NULL, "%s", out.err);
	ck_assert_msg(strstr(out.err, "futd.conf:3: label instance is "
	    "futd's own") != NULL, "%s", out.err);
	ck_assert_msg(strstr(out.err, "futd.conf:5: label name \"bad-name\" "
	    "must be") != NULL, "%s", out.err);
	ck_assert_msg(strstr(out.err, "futd.conf:6: labels must be a group")
	    != NULL, "%s", out.err);
	ck_assert_msg(strstr(out.err, "futd.conf:7: label bad is not UTF-8")
	    != NULL && strstr(out.err, "label ok ") == NULL, "%s", out.err);
	sys_out_free(&out);
}
END_TEST

/*
 * A target down across a restart (state_file) is still down: its alert
 * stays firing, told again by the new futd, not left to end by itself at
 * the endsAt the old one gave it (4 resends on) while the target is down.
 */
START_TEST(test_alert_kept_across_restart)
{
	char state[PATH_MAX];
	size_t seen;
	json_t *al, *b;
	int status;
	size_t i, j;

	if (sys_find_exec("prometheus-alertmanager", am.bin, sizeof(am.bin)) ==
	    NULL) {
		fprintf(stderr, "test_alert_kept_across_restart: SKIPPED: no "
		    "prometheus-alertmanager in PATH\n");
		return;
	}
	am_setup();
	am_start();
	sys_path_in(state, sizeof(state), fx.dir, "futd.state");
	sys_write_filef(fx.conf, AM_CONF "state_file = \"%s\";\n"
	    "targets = ( { name = \"dead\"; host = \"127.0.0.1\"; port = 1; "
	    "interval = 0.2; fall = 1; } );\n", am.port, state);
	sys_fx_futd(&fx);
	hook_wait(0, "dead", "firing");
	kill(fx.futd, SIGTERM);
	ck_assert_int_eq(sys_wait(fx.futd, SYS_STOP_MS, &status), 0);
	fx.futd = -1;
	seen = json_array_size(hook.got);
	sys_fx_futd(&fx);
	/* endsAt was 4 s on: 8 s is twice that */
	hook_serve(8000);
	for (i = seen; i < json_array_size(hook.got); i++) {
		b = json_array_get(hook.got, i);
		json_array_foreach(json_object_get(b, "alerts"), j, al)
			ck_assert_msg(!hook_is(al, "dead", NULL, "resolved"),
			    "resolved after the restart, while still down");
	}
	al = am_alert_of("dead");
	ck_assert_str_eq(jsub(al, "status", "state"), "active");
	json_decref(al);
	am_stop();
}
END_TEST

/*
 * This test process in a network namespace of its own, its loopback down:
 * a connect to 127.0.0.1 fails at once (ENETUNREACH), as one to an
 * Alertmanager behind a route that is gone.  0: not possible here.
 */
static int
netns_enter(void)
{
	char map[64];
	uid_t uid = getuid();
	int fd, n;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == -1)
		return 0;
	n = snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid,
	    (unsigned)uid);
	if ((fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC)) != -1) {
		(void)write(fd, map, (size_t)n);
		close(fd);
	}
	return 1;
}

static void
netns_lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert(s != -1);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ck_assert(ioctl(s, SIOCGIFFLAGS, &ifr) == 0);
	ifr.ifr_flags |= IFF_UP;
	ck_assert_msg(ioctl(s, SIOCSIFFLAGS, &ifr) == 0, "lo up: %s",
	    strerror(errno));
	close(s);
}

/*
 * A POST whose connect fails at once: libevent calls the request back
 * within evhttp_make_request.  That URL must be tried again when it can
 * be reached, not wait for an answer that came already.  The test's own
 * listener plays Alertmanager (200 to each POST), on 127.0.0.1 once up.
 */
START_TEST(test_alert_refused_at_once)
{
	const unsigned port = 19093;	/* the namespace's own: all free */
	uint64_t deadline;
	size_t i;

	if (!netns_enter()) {
		fprintf(stderr, "test_alert_refused_at_once: SKIPPED: no "
		    "user and network namespace here (unshare: %s)\n",
		    strerror(errno));
		return;
	}
	sys_write_filef(fx.conf, AM_CONF "targets = ( { name = \"gone\"; "
	    "host = \"127.0.0.1\"; port = 1; interval = 0.2; fall = 1; } );\n",
	    port);
	sys_fx_futd(&fx);
	/* down at once, its first POST failed at once (1 s backoff) */
	sys_sleep_ms(1500);
	netns_lo_up();
	hook.lsn = sys_socket_at("127.0.0.1", port);
	ck_assert(hook.lsn != -1 && listen(hook.lsn, 16) == 0);
	deadline = sys_now_ms() + 10000;
	while (json_array_size(hook.got) == 0 && sys_left_ms(deadline) > 0)
		hook_serve(500);
	ck_assert_msg(json_array_size(hook.got) > 0, "no POST after the "
	    "Alertmanager could be reached again");
	for (i = 0; i < json_array_size(json_array_get(hook.got, 0)); i++)
		if (strcmp(jsub(json_array_get(json_array_get(hook.got, 0), i),
		    "labels", "target"), "gone") == 0)
			return;
	ck_abort_msg("the POST has no alert for gone");
}
END_TEST

/*
 * The README's rules for a fleet (conf/futd.rules.yml: the quorum over
 * instance) are rules Prometheus takes.
 */
START_TEST(test_fleet_rules)
{
	char bin[PATH_MAX], path[PATH_MAX];
	const char *argv[] = { bin, "check", "rules", path, NULL };
	const char *src = getenv("FUTD_SRCDIR");
	struct sys_out out;

	if (sys_find_exec("promtool", bin, sizeof(bin)) == NULL) {
		fprintf(stderr, "test_fleet_rules: SKIPPED: no promtool in "
		    "PATH (Debian package \"prometheus\")\n");
		return;
	}
	snprintf(path, sizeof(path), "%s%sconf/futd.rules.yml",
	    src != NULL ? src : "", src != NULL ? "/" : "");
	ck_assert_msg(access(path, R_OK) == 0, "%s: %s (run from the "
	    "source root or set FUTD_SRCDIR)", path, strerror(errno));
	sys_run(argv, NULL, SYS_RUN_MS, &out);
	ck_assert_msg(out.status == 0 && strstr(out.out, "SUCCESS: 3 rules")
	    != NULL, "promtool check rules %s: %d\n%s%s", path, out.status,
	    out.out, out.err);
	sys_out_free(&out);
}
END_TEST

Suite *
alerts_suite(void)
{
	Suite *s = suite_create("alerts");
	TCase *tc = tcase_create("alertmanager");

	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, ALERTS_TIMEOUT_S);
	tcase_add_test(tc, test_alertmanager);
	tcase_add_test(tc, test_alert_removed);
	tcase_add_test(tc, test_alert_flapping);
	tcase_add_test(tc, test_alert_conf);
	tcase_add_test(tc, test_fleet_rules);
	tcase_add_test(tc, test_alert_refused_at_once);
	tcase_add_test(tc, test_alert_kept_across_restart);
	suite_add_tcase(s, tc);
	return s;
}
