/*
 * check_metrics.c - the metrics suite: the real futd serving /metrics
 * (metrics_listen) and `futd/1 metrics`, checked by hand over raw sockets,
 * by promtool and by a real Prometheus, all on loopback.
 *
 * Each test runs in a directory of its own and stops what it started, as
 * the system suite does (check_system.c): a checked fixture stops every
 * process left (sys.c) and removes the directory; a failed assertion in a
 * forked test takes its children with it (PR_SET_PDEATHSIG).
 *
 * promtool and prometheus come from the Debian package "prometheus"; a
 * test that needs one and does not find it in PATH says so on stderr and
 * passes without checking.
 *
 * FUTD_SYS_KEEP=1 keeps the directories (futd's stderr, Prometheus's log).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <liburing.h>

#include "proto.h"
#include "tests.h"
#include "sys.h"

#define METRICS_TIMEOUT_S	30	/* per test; Prometheus takes ~5 s */
#define STEP_MS			25
#define HTTP_MS			5000	/* one request, start to end */
#define HTTP_MAX_REPLY		(16 * 1024 * 1024)
#define INTERVAL_MS		200	/* of the test targets */
#define IDLE_CLIENTS		100
#define PROM_WAIT_MS		15000

#define CT_TEXT		"text/plain; version=0.0.4; charset=utf-8"
#define CT_OPENMETRICS	"application/openmetrics-text; version=1.0.0; " \
			"charset=utf-8"
#define ACCEPT_PROMETHEUS "application/openmetrics-text;version=1.0.0," \
			"application/openmetrics-text;version=0.0.1;q=0.75," \
			"text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

/* Every family futd exposes, in its order. */
static const char *const families[] = {
	"futd_build_info",
	"futd_start_time_seconds",
	"futd_config_last_reload_successful",
	"futd_config_last_reload_success_timestamp_seconds",
	"futd_targets",
	"futd_probes_in_flight",
	"futd_late_probes_total",
	"futd_open_fds",
	"futd_max_fds",
	"futd_io_uring",
	"futd_target_up",
	"futd_target_state",
	"futd_probes_total",
	"futd_probe_failures_total",
	"futd_probe_late_total",
	"futd_probe_duration_seconds",
	"futd_target_last_success_timestamp_seconds",
	"futd_target_state_changes_total",
	"futd_probe_tls_version_info",
	"futd_probe_tls_leaf_cert_expiry_timestamp_seconds",
	"futd_probe_tls_earliest_cert_expiry_timestamp_seconds",
	"futd_probe_step_duration_seconds",
	"futd_address_up",
	"futd_address_probes_total",
	"futd_address_failures_total",
	"futd_address_last_duration_seconds",
	NULL
};

static char	root_dir[PATH_MAX];

/* Does this kernel give us an io_uring as futd asks for one (uring.c)? */
static int
uring_here(void)
{
	struct io_uring_params p;
	struct io_uring ring;
	int ok;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SUBMIT_ALL;
	if (io_uring_queue_init_params(8, &ring, &p) < 0)
		return 0;
	ok = (p.features & IORING_FEAT_NODROP) &&
	    (p.features & IORING_FEAT_CQE_SKIP);
	io_uring_queue_exit(&ring);
	return ok;
}

/* Per test (checked fixture). */
static struct sys_fx fx;

/* Per test: the ports of futd_metrics_start()'s config. */
static struct {
	unsigned	 metrics;	/* metrics_listen */
	unsigned	 up;		/* testsrv: target "up" */
	unsigned	 closed;	/* bound, not listening: "closed" */
} ports;

/* fixtures */

static void
root_setup(void)
{
	sys_root_setup(root_dir, sizeof(root_dir));
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "metrics tests");
}

static void
fx_setup(void)
{
	sys_fx_setup(&fx, root_dir);
	memset(&ports, 0, sizeof(ports));
}

static void
fx_teardown(void)
{
	sys_fx_teardown(&fx);
}

/* ok + failed of a target, -1 if absent */
static long long
done_of(const json_t *st, const char *name)
{
	const json_t *t = sys_target_get(st, name);

	return t == NULL ? -1 : sys_jint(t, "ok") + sys_jint(t, "failed");
}

/*
 * testsrv (target "up"), a bound port nobody listens on ("closed"), a
 * free port for metrics_listen, and futd probing both every INTERVAL_MS;
 * back once both have at least min results.
 */
static void
futd_metrics_start(long long min)
{
	struct sys_srv srv;
	uint64_t deadline;
	json_t *st;
	int fd;

	ck_assert_msg(sys_testsrv(&srv, NULL, 1, NULL) == 0,
	    "testsrv did not start (is %s/testsrv built?)", sys_build());
	ports.up = srv.port[0];
	ck_assert(sys_bound_port(&fd, &ports.closed) == 0);
	sys_fx_fd(&fx, fd);
	ports.metrics = sys_free_port();
	sys_write_filef(fx.conf, "metrics_listen = \"127.0.0.1:%u\";\n"
	    "targets = (\n"
	    "  { name = \"up\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = %g; },\n"
	    "  { name = \"closed\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = %g; timeout = 1; }\n);\n", ports.metrics, ports.up,
	    INTERVAL_MS / 1000.0, ports.closed, INTERVAL_MS / 1000.0);
	sys_fx_futd(&fx);
	deadline = sys_now_ms() + 5000;
	for (;;) {
		st = sys_status_get(fx.sock);
		if (done_of(st, "up") >= min && done_of(st, "closed") >= min)
			break;
		json_decref(st);
		ck_assert_msg(sys_left_ms(deadline) > 0, "targets did not "
		    "reach %lld results in 5 s", min);
		sys_sleep_ms(STEP_MS);
	}
	json_decref(st);
}

/* HTTP by hand */

struct hresp {
	int	 status;	/* 0: no status line */
	char	*head;		/* status line and headers */
	char	*body;		/* de-chunked; never NULL */
	size_t	 bodylen;
};

static void
hresp_free(struct hresp *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static int
tcp_connect(unsigned port)
{
	struct sockaddr_in sin;
	struct timeval tv = { 2, 0 };
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A header's value (a copy in buf), or NULL. */
static const char *
hdr(const struct hresp *r, const char *name, char *buf, size_t len)
{
	const char *p = r->head, *v, *end;
	size_t n = strlen(name);

	while (p != NULL && (p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) != 0 || p[n] != ':')
			continue;
		v = p + n + 1;
		v += strspn(v, " \t");
		end = strstr(v, "\r\n");
		if (end == NULL)
			end = v + strlen(v);
		snprintf(buf, len, "%.*s", (int)(end - v), v);
		return buf;
	}
	return NULL;
}

/* Undo chunked transfer coding; -1 if it is broken or unfinished. */
static int
dechunk(struct hresp *r)
{
	char *in = r->body, *p = in, *end = in + r->bodylen, *out, *e;
	size_t n = 0;
	unsigned long sz;

	ck_assert((out = malloc(r->bodylen + 1)) != NULL);
	for (;;) {
		sz = strtoul(p, &e, 16);
		if (e == p || (e = strstr(e, "\r\n")) == NULL)
			break;
		p = e + 2;
		if (sz == 0) {
			free(in);
			out[n] = '\0';
			r->body = out;
			r->bodylen = n;
			return 0;
		}
		if ((size_t)(end - p) < sz + 2)
			break;
		memcpy(out + n, p, sz);
		n += sz;
		p += sz + 2;
	}
	free(out);
	return -1;
}

/*
 * Send req (all of it, or as much as the server takes before it answers)
 * and read the reply to its end (the server closes) within HTTP_MS.
 */
static void
http_raw(unsigned port, const char *req, size_t reqlen, struct hresp *r)
{
	uint64_t deadline = sys_now_ms() + HTTP_MS;
	char *buf = NULL, *sep, te[64];
	size_t len = 0, cap = 0, sent = 0;
	struct pollfd pfd;
	ssize_t n;
	int fd;

	memset(r, 0, sizeof(*r));
	fd = tcp_connect(port);
	ck_assert_msg(fd != -1, "connect 127.0.0.1:%u: %s", port,
	    strerror(errno));
	pfd.fd = fd;
	while (sys_left_ms(deadline) > 0) {
		pfd.events = POLLIN | (sent < reqlen ? POLLOUT : 0);
		if (poll(&pfd, 1, sys_left_ms(deadline)) <= 0)
			continue;
		if ((pfd.revents & POLLOUT) && sent < reqlen) {
			n = send(fd, req + sent, reqlen - sent,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0)
				sent += (size_t)n;
			else if (n == -1 && errno != EAGAIN && errno != EINTR)
				sent = reqlen;	/* it stopped reading */
		}
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (cap - len < 65536) {
			ck_assert(cap < HTTP_MAX_REPLY);
			cap += 1024 * 1024;
			ck_assert((buf = realloc(buf, cap)) != NULL);
		}
		n = recv(fd, buf + len, cap - len - 1, MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	ck_assert_msg(sys_left_ms(deadline) > 0, "no whole reply from "
	    "127.0.0.1:%u within %d ms (%zu bytes)", port, HTTP_MS, len);
	if (buf == NULL)
		ck_assert((buf = calloc(1, 1)) != NULL);
	buf[len] = '\0';
	if ((sep = strstr(buf, "\r\n\r\n")) == NULL) {
		r->head = buf;
		ck_assert((r->body = calloc(1, 1)) != NULL);
		return;
	}
	*sep = '\0';
	r->bodylen = len - (size_t)(sep + 4 - buf);
	ck_assert((r->body = malloc(r->bodylen + 1)) != NULL);
	memcpy(r->body, sep + 4, r->bodylen + 1);
	r->head = buf;
	if (sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1)
		r->status = 0;
	if (hdr(r, "Transfer-Encoding", te, sizeof(te)) != NULL &&
	    strcasecmp(te, "chunked") == 0)
		ck_assert_msg(dechunk(r) == 0, "broken chunked reply");
}

/* METHOD path with extra header lines (each ending in \r\n), closing. */
static void
http_do(unsigned port, const char *method, const char *path,
    const char *extra, struct hresp *r)
{
	char *req;
	int n;

	n = asprintf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%s"
	    "Connection: close\r\n\r\n", method, path, port,
	    extra != NULL ? extra : "");
	ck_assert(n > 0);
	http_raw(port, req, (size_t)n, r);
	free(req);
}

static void
get_metrics(const char *accept, struct hresp *r)
{
	char extra[512];

	extra[0] = '\0';
	if (accept != NULL)
		snprintf(extra, sizeof(extra), "Accept: %s\r\n", accept);
	http_do(ports.metrics, "GET", "/metrics", extra, r);
	ck_assert_msg(r->status == 200, "GET /metrics: %s", r->head);
}

/* the exposition */

/*
 * The value of the sample name{...} that carries every label given
 * (k="v" strings, NULL-terminated); NAN if there is none.
 */
static double
mval(const char *text, const char *name, ...)
{
	const char *line, *end, *labels, *close, *lab;
	size_t n = strlen(name);
	va_list ap;
	int ok;

	for (line = text; line != NULL && *line != '\0'; line = end != NULL ?
	    end + 1 : NULL) {
		end = strchr(line, '\n');
		if (*line == '#' || strncmp(line, name, n) != 0 ||
		    (line[n] != '{' && line[n] != ' '))
			continue;
		labels = line + n;
		if (*labels == '{') {
			if ((close = strstr(labels, "} ")) == NULL ||
			    (end != NULL && close > end))
				continue;
		} else
			close = labels;
		ok = 1;
		va_start(ap, name);
		while (ok && (lab = va_arg(ap, const char *)) != NULL) {
			const char *hit = strstr(labels, lab);

			ok = hit != NULL && hit < close &&
			    (hit[-1] == '{' || hit[-1] == ',');
		}
		va_end(ap);
		if (ok)
			return strtod(close + (*close == '}' ? 2 : 1), NULL);
	}
	return NAN;
}

/* Does the sample's name belong to the family (of type) fam? */
static int
sample_of(const char *sample, size_t n, const char *fam, const char *type,
    int om)
{
	static const char *const hsuffix[] = { "_bucket", "_sum", "_count",
	    NULL };
	size_t f = strlen(fam);
	size_t i;

	if (strcmp(type, "histogram") == 0) {
		for (i = 0; hsuffix[i] != NULL; i++)
			if (n == f + strlen(hsuffix[i]) &&
			    strncmp(sample, fam, f) == 0 &&
			    strncmp(sample + f, hsuffix[i], n - f) == 0)
				return 1;
		return 0;
	}
	if (om && strcmp(type, "counter") == 0)
		return n == f + 6 && strncmp(sample, fam, f) == 0 &&
		    strncmp(sample + f, "_total", 6) == 0;
	if (om && strcmp(type, "info") == 0)
		return n == f + 5 && strncmp(sample, fam, f) == 0 &&
		    strncmp(sample + f, "_info", 5) == 0;
	return n == f && strncmp(sample, fam, f) == 0;
}

/*
 * The layout both formats ask for: every family once, HELP then TYPE
 * (then UNIT) before its samples, each family's samples together, and
 * every family of futd there.
 */
static void
check_layout(const char *text, int om)
{
	char fam[128] = "", type[32] = "", help[128] = "";
	char seen[2048] = ",", key[140];
	const char *line, *end, *want;
	size_t n, i;

	for (line = text; line != NULL && *line != '\0'; line = end != NULL ?
	    end + 1 : NULL) {
		end = strchr(line, '\n');
		n = end != NULL ? (size_t)(end - line) : strlen(line);
		if (strncmp(line, "# HELP ", 7) == 0) {
			ck_assert(sscanf(line + 7, "%127s", help) == 1);
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			ck_assert(sscanf(line + 7, "%127s %31s", fam, type) == 2);
			ck_assert_msg(strcmp(help, fam) == 0, "TYPE %s without "
			    "its HELP right before", fam);
			ck_assert(strlen(seen) + strlen(fam) + 2 < sizeof(seen));
			snprintf(key, sizeof(key), ",%s,", fam);
			ck_assert_msg(strstr(seen, key) == NULL,
			    "family %s twice", fam);
			strcat(seen, fam);
			strcat(seen, ",");
		} else if (strncmp(line, "# UNIT ", 7) == 0) {
			ck_assert_msg(om, "UNIT in the 0.0.4 text format");
			ck_assert_msg(strncmp(line + 7, fam, strlen(fam)) == 0,
			    "UNIT outside its family: %.*s", (int)n, line);
		} else if (strncmp(line, "# EOF", 5) == 0) {
			ck_assert_msg(om, "# EOF in the 0.0.4 text format");
			ck_assert_msg(end != NULL && end[1] == '\0',
			    "something after # EOF");
		} else if (*line != '#' && n > 0) {
			size_t sn = strcspn(line, "{ ");

			ck_assert_msg(fam[0] != '\0' && sample_of(line, sn, fam,
			    type, om), "sample %.*s outside its family (%s)",
			    (int)sn, line, fam);
		}
	}
	/* every family, under its OpenMetrics name where it differs */
	for (i = 0; families[i] != NULL; i++) {
		size_t fl = strlen(families[i]);

		want = families[i];
		if (om && fl > 6 && strcmp(want + fl - 6, "_total") == 0)
			fl -= 6;
		else if (om && fl > 5 && strcmp(want + fl - 5, "_info") == 0)
			fl -= 5;
		snprintf(key, sizeof(key), ",%.*s,", (int)fl, want);
		ck_assert_msg(strstr(seen, key) != NULL, "no family %.*s",
		    (int)fl, want);
	}
}

/* The "# TYPE" lines of an exposition, joined (the caller frees). */
static char *
type_lines(const char *text)
{
	const char *line, *end;
	char *out;
	size_t len = 0, n;

	ck_assert((out = malloc(strlen(text) + 1)) != NULL);
	for (line = text; line != NULL && *line != '\0'; line = end != NULL ?
	    end + 1 : NULL) {
		end = strchr(line, '\n');
		n = end != NULL ? (size_t)(end - line + 1) : strlen(line);
		if (strncmp(line, "# TYPE ", 7) == 0) {
			memcpy(out + len, line, n);
			len += n;
		}
	}
	out[len] = '\0';
	return out;
}

/* A target's histogram: cumulative buckets, +Inf equal to _count. */
static double
check_histogram(const char *text, const char *target, const char *phase)
{
	static const char *const le[] = {
		"le=\"0.0001\"", "le=\"0.00025\"", "le=\"0.0005\"",
		"le=\"0.001\"", "le=\"0.0025\"", "le=\"0.005\"", "le=\"0.01\"",
		"le=\"0.025\"", "le=\"0.05\"", "le=\"0.1\"", "le=\"0.25\"",
		"le=\"0.5\"", "le=\"1\"", "le=\"2.5\"", "le=\"+Inf\"", NULL
	};
	double prev = 0, v, count, sum;
	size_t i;

	for (i = 0; le[i] != NULL; i++) {
		v = mval(text, "futd_probe_duration_seconds_bucket", target,
		    phase, le[i], NULL);
		ck_assert_msg(!isnan(v), "no bucket %s of %s %s", le[i], target,
		    phase);
		ck_assert_msg(v >= prev, "bucket %s of %s %s: %g < %g", le[i],
		    target, phase, v, prev);
		prev = v;
	}
	count = mval(text, "futd_probe_duration_seconds_count", target, phase,
	    NULL);
	sum = mval(text, "futd_probe_duration_seconds_sum", target, phase,
	    NULL);
	ck_assert_msg(count == prev, "%s %s: _count %g, +Inf %g", target,
	    phase, count, prev);
	ck_assert_msg(sum >= 0 && (count == 0 || sum > 0), "%s %s: _sum %g",
	    target, phase, sum);
	return count;
}

/*
 * a. GET /metrics: 200, the 0.0.4 content type, every family laid out as
 * the format says, and each target's figures right: up 1 and 0, the
 * probes futd then reports in JSON, refusals counted.
 */
START_TEST(test_http_text)
{
	struct hresp r;
	char ct[128];
	double v, probes_up, probes_closed, now;
	uint64_t t0, elapsed;
	long long jup, jclosed, slack;
	json_t *st;

	futd_metrics_start(3);
	t0 = sys_now_ms();
	get_metrics(NULL, &r);
	st = sys_status_get(fx.sock);
	elapsed = sys_now_ms() - t0;
	ck_assert_pstr_eq(hdr(&r, "Content-Type", ct, sizeof(ct)), CT_TEXT);
	check_layout(r.body, 0);

	/* probes started: the JSON a moment later has these and a few more */
	probes_up = mval(r.body, "futd_probes_total", "target=\"up\"", NULL);
	probes_closed = mval(r.body, "futd_probes_total",
	    "target=\"closed\"", NULL);
	jup = sys_jint(sys_target_get(st, "up"), "probes");
	jclosed = sys_jint(sys_target_get(st, "closed"), "probes");
	slack = (long long)(elapsed / INTERVAL_MS) + 2;
	ck_assert_msg(probes_up >= 3 && jup >= probes_up &&
	    jup <= probes_up + slack, "up: probes_total %g, JSON %lld "
	    "(%llu ms later)", probes_up, jup, (unsigned long long)elapsed);
	ck_assert_msg(probes_closed >= 3 && jclosed >= probes_closed &&
	    jclosed <= probes_closed + slack, "closed: probes_total %g, JSON "
	    "%lld", probes_closed, jclosed);
	json_decref(st);

	/* the labels, whole, on one sample */
	{
		char want[256];

		snprintf(want, sizeof(want), "futd_target_up{target=\"up\","
		    "probe=\"peeraddr\",host=\"127.0.0.1\",port=\"%u\"} 1\n",
		    ports.up);
		ck_assert_msg(strstr(r.body, want) != NULL, "no line %s", want);
	}
	ck_assert(mval(r.body, "futd_target_up", "target=\"up\"", NULL) == 1);
	ck_assert(mval(r.body, "futd_target_up", "target=\"closed\"",
	    NULL) == 0);
	ck_assert(mval(r.body, "futd_target_state", "target=\"up\"",
	    "state=\"up\"", NULL) == 1);
	ck_assert(mval(r.body, "futd_target_state", "target=\"up\"",
	    "state=\"down\"", NULL) == 0);
	ck_assert(mval(r.body, "futd_target_state", "target=\"closed\"",
	    "state=\"down\"", NULL) == 1);
	ck_assert(mval(r.body, "futd_target_state", "target=\"closed\"",
	    "state=\"unknown\"", NULL) == 0);
	v = mval(r.body, "futd_probe_failures_total", "target=\"closed\"",
	    "error=\"refused\"", NULL);
	ck_assert_msg(v >= 3 && v <= probes_closed, "closed: refused %g of "
	    "%g probes", v, probes_closed);
	ck_assert_msg(isnan(mval(r.body, "futd_probe_failures_total",
	    "target=\"up\"", NULL)), "failures for a target that never "
	    "failed");

	/* histograms: ok probes only */
	ck_assert(check_histogram(r.body, "target=\"up\"",
	    "phase=\"total\"") >= 3);
	ck_assert(check_histogram(r.body, "target=\"up\"",
	    "phase=\"connect\"") >= 3);
	ck_assert(check_histogram(r.body, "target=\"closed\"",
	    "phase=\"total\"") == 0);

	now = (double)time(NULL);
	v = mval(r.body, "futd_target_last_success_timestamp_seconds",
	    "target=\"up\"", NULL);
	ck_assert_msg(fabs(v - now) < 10, "last success %f, now %f", v, now);
	ck_assert(mval(r.body, "futd_target_last_success_timestamp_seconds",
	    "target=\"closed\"", NULL) == 0);
	ck_assert(mval(r.body, "futd_target_state_changes_total",
	    "target=\"closed\"", NULL) == 0);
	ck_assert(mval(r.body, "futd_probe_late_total", "target=\"up\"",
	    NULL) == 0);

	/* the daemon's own */
	ck_assert(mval(r.body, "futd_targets", NULL) == 2);
	ck_assert(mval(r.body, "futd_build_info", "version=\"0.1.0\"",
	    NULL) == 1);
	v = mval(r.body, "futd_start_time_seconds", NULL);
	ck_assert_msg(v > now - 60 && v <= now + 1, "start time %f", v);
	ck_assert(mval(r.body, "futd_config_last_reload_successful",
	    NULL) == 1);
	ck_assert(mval(r.body,
	    "futd_config_last_reload_success_timestamp_seconds", NULL) >= v);
	v = mval(r.body, "futd_probes_in_flight", NULL);
	ck_assert_msg(v >= 0 && v <= 2, "in flight %g", v);
	ck_assert(mval(r.body, "futd_late_probes_total", NULL) == 0);
	v = mval(r.body, "futd_open_fds", NULL);
	ck_assert_msg(v >= 3 && (size_t)v <= sys_proc_fds(fx.futd) + 2,
	    "open fds %g, /proc says %zu", v, sys_proc_fds(fx.futd));
	ck_assert(mval(r.body, "futd_max_fds", NULL) >= v);
	/* io_uring where this kernel gives us a ring, as it gives futd one */
	ck_assert_msg(mval(r.body, "futd_io_uring", NULL) == uring_here(),
	    "futd_io_uring %g, a ring here: %d",
	    mval(r.body, "futd_io_uring", NULL), uring_here());
	hresp_free(&r);
}
END_TEST

/*
 * b. What Prometheus sends in Accept gets OpenMetrics: its content type,
 * counters and info named by family, UNIT, canonical bounds, "# EOF" last.
 * HEAD gets the headers only.
 */
START_TEST(test_http_openmetrics)
{
	struct hresp r;
	char ct[128];

	futd_metrics_start(2);
	get_metrics(ACCEPT_PROMETHEUS, &r);
	ck_assert_pstr_eq(hdr(&r, "Content-Type", ct, sizeof(ct)),
	    CT_OPENMETRICS);
	check_layout(r.body, 1);
	ck_assert_msg(r.bodylen > 6 &&
	    strcmp(r.body + r.bodylen - 6, "# EOF\n") == 0,
	    "does not end in # EOF: ...%s", r.body + (r.bodylen > 60 ?
	    r.bodylen - 60 : 0));
	ck_assert(strstr(r.body, "\n# TYPE futd_probes counter\n") != NULL);
	ck_assert(strstr(r.body, "\n# TYPE futd_build info\n") != NULL);
	ck_assert(strstr(r.body, "\n# UNIT futd_probe_duration_seconds "
	    "seconds\n") != NULL);
	ck_assert(strstr(r.body, ",le=\"1.0\"} ") != NULL);
	ck_assert(mval(r.body, "futd_target_up", "target=\"up\"", NULL) == 1);
	ck_assert(mval(r.body, "futd_probes_total", "target=\"closed\"",
	    NULL) >= 2);
	hresp_free(&r);

	/* only OpenMetrics with q=0: the text format */
	get_metrics("application/openmetrics-text;q=0, text/plain", &r);
	ck_assert_pstr_eq(hdr(&r, "Content-Type", ct, sizeof(ct)), CT_TEXT);
	hresp_free(&r);

	http_do(ports.metrics, "HEAD", "/metrics", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_pstr_eq(hdr(&r, "Content-Type", ct, sizeof(ct)), CT_TEXT);
	ck_assert_int_eq(r.bodylen, 0);
	hresp_free(&r);
}
END_TEST

/*
 * c. 405 for a method other than GET and HEAD, 404 for another path, an
 * HTTP error for 100 KB of headers, and futd answers after all of them.
 */
START_TEST(test_http_errors)
{
	static const char *const methods[] = { "POST", "PUT", "DELETE", NULL };
	struct hresp r;
	char allow[64], *big;
	size_t i, n;
	int len;

	futd_metrics_start(1);
	for (i = 0; methods[i] != NULL; i++) {
		http_do(ports.metrics, methods[i], "/metrics", NULL, &r);
		ck_assert_msg(r.status == 405, "%s: %s", methods[i], r.head);
		ck_assert_pstr_eq(hdr(&r, "Allow", allow, sizeof(allow)),
		    "GET, HEAD");
		hresp_free(&r);
	}
	/* (GET / is the status page now: tests/check_web.c) */
	http_do(ports.metrics, "GET", "/nowhere", NULL, &r);
	ck_assert_msg(r.status == 404, "GET /nowhere: %s", r.head);
	hresp_free(&r);
	http_do(ports.metrics, "GET", "/metrics/x", NULL, &r);
	ck_assert_msg(r.status == 404, "GET /metrics/x: %s", r.head);
	hresp_free(&r);

	/* 100 KB of one header: evhttp stops at 8 KiB */
	n = 100 * 1024;
	ck_assert((big = malloc(n + 256)) != NULL);
	len = snprintf(big, 256, "GET /metrics HTTP/1.1\r\nHost: x\r\n"
	    "X-Big: ");
	memset(big + len, 'a', n);
	memcpy(big + len + n, "\r\n\r\n", 4);
	http_raw(ports.metrics, big, (size_t)len + n + 4, &r);
	free(big);
	ck_assert_msg(r.status == 400 || r.status == 413 || r.status == 431,
	    "100 KB header: %s", r.head);
	hresp_free(&r);

	get_metrics(NULL, &r);
	ck_assert(mval(r.body, "futd_targets", NULL) == 2);
	hresp_free(&r);
	ck_assert_int_eq(sys_futctl(NULL, fx.sock, "ping", (char *)NULL), 0);
	ck_assert_int_eq(sys_wait(fx.futd, 0, NULL), -1);
}
END_TEST

/*
 * d. 100 clients that connect and say nothing: futctl still answers,
 * probes go on, /metrics says 503 (more than 64 connections) and serves
 * again once they are gone.
 */
START_TEST(test_http_idle_clients)
{
	int fds[IDLE_CLIENTS];
	long long before, after;
	struct sys_out out;
	struct hresp r;
	uint64_t deadline, t0;
	json_t *st;
	size_t i;

	futd_metrics_start(1);
	for (i = 0; i < IDLE_CLIENTS; i++)
		fds[i] = sys_fx_fd(&fx, tcp_connect(ports.metrics));
	sys_sleep_ms(100);

	st = sys_status_get(fx.sock);
	before = done_of(st, "up");
	json_decref(st);
	t0 = sys_now_ms();
	ck_assert_msg(sys_futctl(&out, fx.sock, "status", (char *)NULL) == 0,
	    "futctl status with %d idle HTTP clients: %s", IDLE_CLIENTS,
	    out.err);
	ck_assert_msg(strstr(out.out, "closed") != NULL, "status: %s",
	    out.out);
	sys_out_free(&out);
	ck_assert_msg(sys_now_ms() - t0 < 2000, "futctl status took %llu ms",
	    (unsigned long long)(sys_now_ms() - t0));

	http_do(ports.metrics, "GET", "/metrics", NULL, &r);
	ck_assert_msg(r.status == 503, "GET /metrics with %d idle clients: %s",
	    IDLE_CLIENTS, r.head);
	hresp_free(&r);

	/* probes go on: three intervals bring new results */
	deadline = sys_now_ms() + 3000;
	do {
		sys_sleep_ms(INTERVAL_MS);
		st = sys_status_get(fx.sock);
		after = done_of(st, "up");
		json_decref(st);
	} while (after < before + 3 && sys_left_ms(deadline) > 0);
	ck_assert_msg(after >= before + 3, "probes stalled: %lld then %lld",
	    before, after);

	for (i = 0; i < IDLE_CLIENTS; i++)
		sys_fx_close(&fx, fds[i]);
	deadline = sys_now_ms() + 3000;
	for (;;) {
		http_do(ports.metrics, "GET", "/metrics", NULL, &r);
		if (r.status == 200)
			break;
		ck_assert_msg(sys_left_ms(deadline) > 0, "still %s 3 s after "
		    "the idle clients left", r.head);
		hresp_free(&r);
		sys_sleep_ms(STEP_MS);
	}
	hresp_free(&r);
}
END_TEST

/* e. promtool check metrics passes on what futd serves. */
START_TEST(test_promtool)
{
	char promtool[PATH_MAX], file[PATH_MAX], cmd[3 * PATH_MAX];
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct sys_out out;
	struct hresp r;

	if (sys_find_exec("promtool", promtool, sizeof(promtool)) == NULL) {
		fprintf(stderr, "test_promtool: SKIPPED: no promtool in PATH "
		    "(Debian package \"prometheus\")\n");
		return;
	}
	futd_metrics_start(2);
	get_metrics(NULL, &r);
	sys_path_in(file, sizeof(file), fx.dir, "metrics.txt");
	ck_assert(sys_write_file(file, r.body, r.bodylen) == 0);
	hresp_free(&r);
	snprintf(cmd, sizeof(cmd), "'%s' check metrics < '%s'", promtool,
	    file);
	ck_assert_msg(sys_run(argv, NULL, SYS_RUN_MS, &out) == 0 &&
	    out.out[0] == '\0' && out.err[0] == '\0',
	    "promtool check metrics (exit %d):\n%s%s", out.status, out.out,
	    out.err);
	sys_out_free(&out);
}
END_TEST

/*
 * One Prometheus API query; the "result" array (the caller owns it), or
 * NULL when there is no answer (yet).
 */
static json_t *
prom_query(unsigned port, const char *query)
{
	struct hresp r;
	json_error_t jerr;
	json_t *j, *res = NULL;
	char path[512];
	int fd;

	/* not listening yet: no answer, not a failure */
	if ((fd = tcp_connect(port)) == -1)
		return NULL;
	close(fd);
	snprintf(path, sizeof(path), "/api/v1/query?query=%s", query);
	http_do(port, "GET", path, NULL, &r);
	if (r.status == 200 && (j = json_loads(r.body, 0, &jerr)) != NULL) {
		if (sys_jstr(j, "status") != NULL &&
		    strcmp(sys_jstr(j, "status"), "success") == 0)
			res = json_incref(json_object_get(json_object_get(j,
			    "data"), "result"));
		json_decref(j);
	}
	hresp_free(&r);
	return res;
}

/* The value of the result series whose label key is val, or NAN. */
static double
prom_value(const json_t *result, const char *key, const char *val)
{
	const json_t *s, *v;
	size_t i;

	json_array_foreach(result, i, s) {
		const char *lv = sys_jstr(json_object_get(s, "metric"), key);

		if (lv == NULL || strcmp(lv, val) != 0)
			continue;
		v = json_array_get(json_object_get(s, "value"), 1);
		return json_is_string(v) ? strtod(json_string_value(v), NULL) :
		    NAN;
	}
	return NAN;
}

/*
 * f. A real Prometheus scrapes futd every second (OpenMetrics: it asks
 * for it first) and answers futd_target_up with the right values.
 */
START_TEST(test_prometheus)
{
	char bin[PATH_MAX], conf[PATH_MAX], data[PATH_MAX], log[PATH_MAX];
	char a_conf[PATH_MAX + 32], a_data[PATH_MAX + 32], a_listen[64];
	const char *argv[] = { bin, a_conf, a_data, a_listen,
	    "--log.level=warn", "--web.enable-lifecycle", NULL };
	unsigned pport;
	uint64_t deadline;
	double up = NAN, closed = NAN, count = NAN;
	char targets[2048];
	struct hresp r;
	json_t *res;
	pid_t pid;
	int status, fd;

	if (sys_find_exec("prometheus", bin, sizeof(bin)) == NULL) {
		fprintf(stderr, "test_prometheus: SKIPPED: no prometheus in "
		    "PATH (Debian package \"prometheus\")\n");
		return;
	}
	futd_metrics_start(1);
	pport = sys_free_port();
	sys_path_in(conf, sizeof(conf), fx.dir, "prometheus.yml");
	sys_path_in(data, sizeof(data), fx.dir, "prometheus-data");
	sys_path_in(log, sizeof(log), fx.dir, "prometheus.log");
	sys_write_filef(conf, "global:\n  scrape_interval: 1s\n"
	    "  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
	    "scrape_configs:\n  - job_name: futd\n    static_configs:\n"
	    "      - targets: ['127.0.0.1:%u']\n", ports.metrics);
	snprintf(a_conf, sizeof(a_conf), "--config.file=%s", conf);
	snprintf(a_data, sizeof(a_data), "--storage.tsdb.path=%s", data);
	snprintf(a_listen, sizeof(a_listen), "--web.listen-address=127.0.0.1:%u",
	    pport);
	pid = sys_spawn(argv, NULL, log, log);
	ck_assert_msg(pid != -1, "cannot run %s: %s", bin, strerror(errno));

	deadline = sys_now_ms() + PROM_WAIT_MS;
	while (sys_left_ms(deadline) > 0) {
		ck_assert_msg(sys_wait(pid, 0, &status) == -1, "prometheus "
		    "exited (%d); see %s", status, log);
		sys_sleep_ms(250);
		if ((res = prom_query(pport, "futd_target_up")) == NULL)
			continue;	/* not ready yet */
		up = prom_value(res, "target", "up");
		closed = prom_value(res, "target", "closed");
		json_decref(res);
		if (up == 1 && closed == 0)
			break;
	}
	if ((res = prom_query(pport, "futd_probe_duration_seconds_count%7B"
	    "phase%3D%22total%22%7D")) != NULL) {
		count = prom_value(res, "target", "up");
		json_decref(res);
	}
	/* what Prometheus says of the scrape, should it have failed */
	targets[0] = '\0';
	if (!(up == 1 && closed == 0) && sys_wait(pid, 0, NULL) == -1 &&
	    (fd = tcp_connect(pport)) != -1) {
		close(fd);
		http_do(pport, "GET", "/api/v1/targets", NULL, &r);
		snprintf(targets, sizeof(targets), "%s", r.body);
		hresp_free(&r);
	}

	/* stop it by its pid: SIGTERM, a bounded wait, then SIGKILL */
	kill(pid, SIGTERM);
	if (sys_wait(pid, 5000, NULL) == -1) {
		kill(pid, SIGKILL);
		sys_wait(pid, SYS_STOP_MS, NULL);
	}
	if (!(up == 1 && closed == 0)) {
		char *l = sys_read_file(log, NULL);

		ck_abort_msg("Prometheus did not answer futd_target_up "
		    "up=1, closed=0 within %d ms (up %g, closed %g); its "
		    "targets: %s\nits log:\n%s", PROM_WAIT_MS, up, closed,
		    targets, l != NULL ? l : "");
	}
	ck_assert_msg(count >= 1, "futd_probe_duration_seconds_count of up: "
	    "%g", count);
}
END_TEST

/*
 * g. `futd/1 metrics` on the control socket: the same families in
 * data.text, and OpenMetrics with format=openmetrics.
 */
START_TEST(test_control_metrics)
{
	static const char *const reqs[] = { "futd/1 metrics\n",
	    "futd/1 metrics format=openmetrics\n" };
	struct hresp r[2];
	json_error_t jerr;
	json_t *j, *data;
	const char *text;
	char *line, *a, *b;
	int fd, om;

	futd_metrics_start(2);
	for (om = 0; om < 2; om++) {
		get_metrics(om ? ACCEPT_PROMETHEUS : NULL, &r[om]);
		fd = sys_fx_fd(&fx, sys_unix_connect(fx.sock));
		ck_assert(sys_send_all(fd, reqs[om], strlen(reqs[om])) == 0);
		line = sys_read_line(fd, 5000);
		ck_assert_msg(line != NULL, "no reply to %s", reqs[om]);
		j = json_loads(line, 0, &jerr);
		ck_assert_msg(j != NULL && sys_jint(j, "code") == PROTO_OK,
		    "reply to %s: %.300s", reqs[om], line);
		free(line);
		data = json_object_get(j, "data");
		ck_assert_pstr_eq(sys_jstr(data, "format"), om ? "openmetrics" :
		    "prometheus");
		text = sys_jstr(data, "text");
		ck_assert_msg(text != NULL, "no data.text");
		check_layout(text, om);
		a = type_lines(text);
		b = type_lines(r[om].body);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
		ck_assert(mval(text, "futd_target_up", "target=\"up\"",
		    NULL) == 1);
		ck_assert(mval(text, "futd_target_up", "target=\"closed\"",
		    NULL) == 0);
		if (om)
			ck_assert(strlen(text) > 6 &&
			    strcmp(text + strlen(text) - 6, "# EOF\n") == 0);
		json_decref(j);
		sys_fx_close(&fx, fd);
		hresp_free(&r[om]);
	}
}
END_TEST

/*
 * A refused reload shows as futd_config_last_reload_successful 0; a good
 * one as 1 with its time, and a new metrics_listen moves the listener.
 */
START_TEST(test_reload)
{
	struct sys_out out;
	struct hresp r;
	double start, when;
	unsigned old;
	time_t t0;
	int fd;

	futd_metrics_start(1);
	get_metrics(NULL, &r);
	start = mval(r.body, "futd_start_time_seconds", NULL);
	ck_assert(mval(r.body, "futd_config_last_reload_success_timestamp_"
	    "seconds", NULL) == start);
	hresp_free(&r);

	sys_write_filef(fx.conf,
	    "targets = ( { name = \"x\"; port = 1; } );\n");
	ck_assert_msg(sys_futctl(&out, fx.sock, "reload", (char *)NULL) != 0,
	    "a config without host was taken: %s", out.out);
	sys_out_free(&out);
	get_metrics(NULL, &r);
	ck_assert(mval(r.body, "futd_config_last_reload_successful",
	    NULL) == 0);
	ck_assert(mval(r.body, "futd_config_last_reload_success_timestamp_"
	    "seconds", NULL) == start);
	ck_assert(mval(r.body, "futd_targets", NULL) == 2);
	hresp_free(&r);

	old = ports.metrics;
	ports.metrics = sys_free_port();
	t0 = time(NULL);
	sys_write_filef(fx.conf, "metrics_listen = \"127.0.0.1:%u\";\n"
	    "targets = (\n"
	    "  { name = \"up\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = %g; }\n);\n", ports.metrics, ports.up,
	    INTERVAL_MS / 1000.0);
	ck_assert_msg(sys_futctl(&out, fx.sock, "reload", (char *)NULL) == 0,
	    "reload: %s%s", out.out, out.err);
	sys_out_free(&out);
	get_metrics(NULL, &r);
	ck_assert(mval(r.body, "futd_config_last_reload_successful",
	    NULL) == 1);
	when = mval(r.body, "futd_config_last_reload_success_timestamp_"
	    "seconds", NULL);
	ck_assert_msg(when >= (double)t0 - 1 && when <= (double)time(NULL) + 1,
	    "reloaded at %f, between %lld and now", when, (long long)t0);
	ck_assert(mval(r.body, "futd_targets", NULL) == 1);
	ck_assert_msg(isnan(mval(r.body, "futd_target_up", "target=\"closed\"",
	    NULL)), "a removed target still reported");
	hresp_free(&r);
	fd = tcp_connect(old);
	if (fd != -1)
		close(fd);
	ck_assert_msg(fd == -1, "the old metrics port %u still listens", old);
}
END_TEST

/*
 * The listener's address taken: futd says so, and what to do, and does
 * not start.
 */
START_TEST(test_listen_in_use)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char want[192], *err;
	int fd, status = -1;
	pid_t pid;
	char bin[PATH_MAX];
	const char *argv[] = { bin, "-f", fx.conf, "-s", fx.sock, NULL };

	fd = sys_fx_fd(&fx, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    listen(fd, 1) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	sys_write_filef(fx.conf, "metrics_listen = \"127.0.0.1:%u\";\n"
	    "targets = ();\n", ntohs(sin.sin_port));
	sys_bin(bin, sizeof(bin), "futd");
	pid = sys_spawn(argv, NULL, NULL, fx.err);
	ck_assert(pid != -1);
	ck_assert_msg(sys_wait(pid, SYS_START_MS, &status) == 0,
	    "futd runs with its metrics address taken");
	ck_assert_int_ne(status, 0);
	/* and what to do about it */
	snprintf(want, sizeof(want), "metrics_listen 127.0.0.1:%u: Address "
	    "already in use (another program listens there: `ss -ltnp` "
	    "names it; choose another port)", ntohs(sin.sin_port));
	err = sys_read_file(fx.err, NULL);
	ck_assert_msg(err != NULL && strstr(err, want) != NULL, "no \"%s\" "
	    "in:\n%s", want, err != NULL ? err : "");
	free(err);
}
END_TEST

Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, METRICS_TIMEOUT_S);
	tcase_add_test(tc, test_http_text);
	tcase_add_test(tc, test_http_openmetrics);
	tcase_add_test(tc, test_http_errors);
	tcase_add_test(tc, test_http_idle_clients);
	tcase_add_test(tc, test_promtool);
	tcase_add_test(tc, test_prometheus);
	tcase_add_test(tc, test_control_metrics);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_listen_in_use);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, metrics_tls_tcase());
	return s;
}
