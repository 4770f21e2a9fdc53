/*
 * check_steps_redis.c - the steps suite's redis TCase: Debian's
 * redis-server on 127.0.0.1, started and stopped (by PID) by the test.
 *
 * A dialogue of several sends and expects (PING, SET, GET with a regex)
 * is up; a wrong answer fails at its step with the bytes it got; an
 * unknown command's "-ERR" is rejected at its step, and the metrics page
 * counts it as futd_probe_failures_total{error="rejected"}.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_steps.h"

#define REDIS		"/usr/bin/redis-server"
#define REDIS_LISTEN_MS	10000
#define HTTP_MAX	(256 * 1024)

/* redis-server on a free port of 127.0.0.1, no persistence: its port */
static unsigned
redis_start(pid_t *pid)
{
	char port_s[16], errpath[PATH_MAX], *err;
	const char *const argv[] = { REDIS, "--port", port_s, "--bind",
	    "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
	    steps_fx.dir, NULL };
	uint64_t deadline;
	unsigned port;

	port = sys_free_port();
	snprintf(port_s, sizeof(port_s), "%u", port);
	sys_path_in(errpath, sizeof(errpath), steps_fx.dir, "redis.log");
	*pid = sys_spawn(argv, NULL, errpath, errpath);
	ck_assert_msg(*pid != -1, "cannot run %s: %s", REDIS, strerror(errno));
	deadline = sys_now_ms() + REDIS_LISTEN_MS;
	while (!sys_listening(port) && sys_wait(*pid, 0, NULL) == -1 &&
	    sys_left_ms(deadline) > 0)
		sys_sleep_ms(10);
	if (!sys_listening(port)) {
		err = sys_read_file(errpath, NULL);
		ck_abort_msg("redis-server did not listen on 127.0.0.1:%u: %s",
		    port, err != NULL ? err : "");
	}
	return port;
}

/* GET /metrics from 127.0.0.1:port: the whole answer (free it) */
static char *
metrics_get(unsigned port)
{
	static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
	struct sockaddr_in sin;
	struct timeval tv = { 2, 0 };
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	ck_assert((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((in_port_t)port);
	ck_assert(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == 0);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
	    "metrics on 127.0.0.1:%u: %s", port, strerror(errno));
	ck_assert(sys_send_all(fd, req, sizeof(req) - 1) == 0);
	ck_assert((buf = malloc(HTTP_MAX + 1)) != NULL);
	while (len < HTTP_MAX &&
	    (n = read(fd, buf + len, HTTP_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return buf;
}

/*
 * The value of the metrics line of family for target whose labels end
 * with tail ("error=\"rejected\"}"), or -1.
 */
static long long
metrics_value(const char *page, const char *family, const char *target,
    const char *tail)
{
	char head[256];
	const char *p, *eol, *t;

	snprintf(head, sizeof(head), "%s{target=\"%s\",", family, target);
	for (p = page; *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		if (strncmp(p, head, strlen(head)) != 0 ||
		    (t = strstr(p, tail)) == NULL || t > eol ||
		    t[strlen(tail)] != ' ')
			continue;
		return strtoll(t + strlen(tail) + 1, NULL, 10);
	}
	return -1;
}

/*
 * 1. A dialogue with redis: PING, SET, GET (its bulk reply matched by a
 * regex), each with reject = "-ERR"; up.
 */
START_TEST(test_redis_dialogue)
{
	unsigned port;
	pid_t pid;

	if (access(REDIS, X_OK) == -1) {
		fprintf(stderr, "SKIPPED: test_redis_dialogue: no %s (%s): "
		    "apt-get install redis-server\n", REDIS, strerror(errno));
		return;
	}
	port = redis_start(&pid);
	sys_write_filef(steps_fx.conf,
	    "defaults = { interval = 1; timeout = 2; };\n"
	    "targets = (\n"
	    "  { name = \"redis\"; host = \"127.0.0.1\"; port = %u;\n"
	    "    steps = (\n"
	    "      { send = \"PING\\r\\n\"; },\n"
	    "      { expect = \"+PONG\\r\\n\"; reject = \"-ERR\"; },\n"
	    "      { send = \"SET futd:step hello\\r\\n\"; },\n"
	    "      { expect = \"+OK\\r\\n\"; reject = \"-ERR\"; },\n"
	    "      { send = \"GET futd:step\\r\\n\"; },\n"
	    "      { expect_regex = \"^\\\\$5\\r\\nhel+o\\r\\n\";"
	    " reject = \"-ERR\"; }\n"
	    "    ); }\n);\n", port);
	steps_futd("redis", NULL);
	steps_assert_up("redis");
	ck_assert_int_eq(sys_stop(pid, SYS_STOP_MS), 0);
}
END_TEST

/*
 * 2. A wrong answer fails at its step: ECHO's bulk reply is not the
 * "+abc" expected (expect_mismatch at step 4 by the deadline, with the
 * bytes); an unknown command's "-ERR" is rejected at step 4 at once, in
 * words that quote it, and counted in the metrics.
 */
START_TEST(test_redis_wrong)
{
	json_t *reply;
	const json_t *t;
	unsigned port, mport;
	char *page;
	long long v;
	pid_t pid;

	if (access(REDIS, X_OK) == -1) {
		fprintf(stderr, "SKIPPED: test_redis_wrong: no %s (%s): "
		    "apt-get install redis-server\n", REDIS, strerror(errno));
		return;
	}
	port = redis_start(&pid);
	mport = sys_free_port();
	sys_write_filef(steps_fx.conf,
	    "metrics_listen = \"127.0.0.1:%u\";\n"
	    "defaults = { interval = 1; timeout = 1; };\n"
	    "targets = (\n"
	    "  { name = \"wrong\"; host = \"127.0.0.1\"; port = %u;\n"
	    "    steps = ( { send = \"PING\\r\\n\"; }, { expect = \"+PONG\"; },\n"
	    "      { send = \"ECHO abc\\r\\n\"; }, { expect = \"+abc\"; } ); },\n"
	    "  { name = \"rej\"; host = \"127.0.0.1\"; port = %u;\n"
	    "    steps = ( { send = \"PING\\r\\n\"; }, { expect = \"+PONG\"; },\n"
	    "      { send = \"NOSUCHCMD\\r\\n\"; },\n"
	    "      { expect = \"+OK\"; reject = \"-ERR\"; } ); }\n);\n",
	    mport, port, port);
	steps_futd("wrong", "rej", NULL);

	t = steps_assert_failed("wrong", "expect_mismatch", 4, "expect",
	    &reply);
	ck_assert_pstr_eq(steps_jstr(t, "last.received"),
	    "\\x0d\\x0a$3\\x0d\\x0aabc\\x0d\\x0a");
	ck_assert_pstr_eq(steps_jstr(t, "last.message"),
	    "reply did not match by the deadline (16 bytes read)");
	json_decref(reply);

	t = steps_assert_failed("rej", "rejected", 4, "expect", &reply);
	ck_assert_msg(strncmp(steps_jstr(t, "last.message"), "reply rejected: "
	    "-ERR unknown command 'NOSUCHCMD'", 48) == 0, "message: %s",
	    steps_jstr(t, "last.message"));
	ck_assert_msg(steps_jint(t, "last.latency_us") < 500000, "latency "
	    "%lld us: a reject does not wait for the deadline",
	    steps_jint(t, "last.latency_us"));
	json_decref(reply);

	page = metrics_get(mport);
	v = metrics_value(page, "futd_probe_failures_total", "rej",
	    "error=\"rejected\"}");
	ck_assert_msg(v >= 1, "no futd_probe_failures_total{target=\"rej\","
	    "...,error=\"rejected\"} >= 1 in the metrics:\n%.3000s", page);
	ck_assert_msg(metrics_value(page, "futd_probe_failures_total", "wrong",
	    "error=\"rejected\"}") == -1, "wrong counted as rejected:\n"
	    "%.3000s", page);
	ck_assert_msg(metrics_value(page, "futd_probe_failures_total", "wrong",
	    "error=\"expect_mismatch\"}") >= 1, "wrong not counted as "
	    "expect_mismatch:\n%.3000s", page);
	free(page);
	ck_assert_int_eq(sys_stop(pid, SYS_STOP_MS), 0);
}
END_TEST

TCase *
steps_redis_tcase(void)
{
	TCase *tc = steps_tcase("redis");

	tcase_add_test(tc, test_redis_dialogue);
	tcase_add_test(tc, test_redis_wrong);
	return tc;
}
