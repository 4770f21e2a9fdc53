/*
 * srvutil.c - what the loopback test servers share: testsrv (TCP
 * targets), testdns (DNS over UDP) and tlssrv (TLS and STARTTLS).
 *
 * Each is a small program on its own, but the rules they must all keep
 * live here once: numbers are parsed the same strict way, and a server
 * binds only a numeric loopback address, so that a test gone wrong can
 * never turn the machine into a target reachable from elsewhere.  Each
 * also exits by itself at its -t deadline, so a test that forgets one
 * leaves nothing behind.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "srvutil.h"

/* strtonum(3) is not in glibc; this is the part of it we need. */
const char *
srv_num_parse(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || (errno == ERANGE &&
	    (v == LLONG_MIN || v == LLONG_MAX)))
		return "invalid";
	if (v < min)
		return "too small";
	if (v > max)
		return "too large";
	*out = v;
	return NULL;
}

/*
 * A number from the command line: "-t 0: too small" names the option and
 * what is wrong, and the caller follows with its usage.
 */
int
srv_num_arg(const char *what, const char *s, long long min, long long max,
    long long *out)
{
	const char *errstr;

	if ((errstr = srv_num_parse(s, min, max, out)) != NULL) {
		warnx("%s %s: %s", what, s, errstr);
		return -1;
	}
	return 0;
}

/* PORT operands: 0 asks the kernel for an ephemeral port. */
int
srv_port_parse(const char *s, in_port_t *port)
{
	long long v;

	if (srv_num_arg("port", s, 0, 65535, &v) == -1)
		return -1;
	*port = (in_port_t)v;
	return 0;
}

/*
 * -t SECONDS: how long the server lives at the most.  A day is plenty
 * for any test, and no server outlives it.
 */
int
srv_deadline_parse(const char *s, struct timeval *deadline)
{
	long long v;

	if (srv_num_arg("-t", s, 1, 86400, &v) == -1)
		return -1;
	deadline->tv_sec = (time_t)v;
	return 0;
}

static int
hex_digit(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * -B TEXT with C's escapes \r \n \t \\ and, where hex is set, \xHH
 * (exactly two hex digits), so "SSH-2.0-x\r\n" or "\x00" can be said in
 * a shell word.  tlssrv takes no \x: its TEXT goes over TLS as it is.
 * Decoded text is never longer than the source; it may hold NULs.
 */
const char *
srv_text_decode(const char *s, int hex, unsigned char **out, size_t *outlen)
{
	unsigned char *buf;
	size_t n = 0;
	int hi, lo;

	if ((buf = malloc(strlen(s) + 1)) == NULL)
		return strerror(errno);
	while (*s != '\0') {
		if (*s != '\\') {
			buf[n++] = (unsigned char)*s++;
			continue;
		}
		switch (s[1]) {
		case 'r':
			buf[n++] = '\r';
			break;
		case 'n':
			buf[n++] = '\n';
			break;
		case 't':
			buf[n++] = '\t';
			break;
		case '\\':
			buf[n++] = '\\';
			break;
		case 'x':
			if (!hex)
				goto unknown;
			if ((hi = hex_digit(s[2])) == -1 ||
			    (lo = hex_digit(s[3])) == -1) {
				free(buf);
				return "\\x needs two hex digits";
			}
			buf[n++] = (unsigned char)(hi << 4 | lo);
			s += 2;
			break;
		default:
			goto unknown;
		}
		s += 2;
	}
	if (n == 0) {
		free(buf);
		return "empty";
	}
	*out = buf;
	*outlen = n;
	return NULL;

 unknown:
	free(buf);
	return hex ? "unknown escape (\\r \\n \\t \\\\ \\xHH)" :
	    "unknown escape (\\r \\n \\t \\\\)";
}

/*
 * 127.0.0.0/8 or ::1.  A v4-mapped ::ffff:127.0.0.1 is loopback only by
 * a detour we don't need, so it does not count.
 */
int
srv_loopback_ok(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
	return 0;
}

/*
 * -b ADDR, or the server does not start: only numeric loopback
 * addresses, since a name could resolve anywhere.  Exits 2, as a usage
 * error does.
 */
void
srv_addr_bind(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	const char *errstr = NULL;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		*len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		*len = sizeof(*sin6);
	} else
		errstr = "not a numeric IPv4 or IPv6 address";
	if (errstr == NULL && !srv_loopback_ok(ss))
		errstr = "not a loopback address";
	if (errstr != NULL)
		errx(2, "refusing to bind %s: %s (only 127.0.0.0/8 or ::1)",
		    s, errstr);
}

in_port_t
srv_addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

void
srv_addr_set_port(struct sockaddr_storage *ss, in_port_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* "127.0.0.1:5000" or "[::1]:5000": brackets keep the port unambiguous. */
void
srv_addr_fmt(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
		    host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, srv_addr_port(ss));
	} else if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)ss)->sin6_addr,
		    host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, srv_addr_port(ss));
	} else
		snprintf(buf, len, "?");
}

/*
 * -l LOGFILE, or -1 without one.  O_APPEND, so lines written whole by one
 * write(2) each never interleave, even with another server's.
 */
int
srv_log_open(const char *path)
{
	int fd;

	if (path == NULL)
		return -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) == -1)
		err(1, "%s", path);
	return fd;
}

/* A byte a log line cannot hold as it is, as \xHH: four characters. */
size_t
srv_log_hex(char *p, unsigned char ch)
{
	static const char hex[] = "0123456789abcdef";

	p[0] = '\\';
	p[1] = 'x';
	p[2] = hex[ch >> 4];
	p[3] = hex[ch & 0xf];
	return 4;
}

/* One log line, in one write(2): see srv_log_open. */
void
srv_log_write(int fd, const char *line, size_t len)
{
	ssize_t w;

	w = write(fd, line, len);
	if (w == -1)
		warn("log write");
	else if ((size_t)w != len)
		warnx("log write: short write (%zd of %zu)", w, len);
}

static void
srv_stop_cb(evutil_socket_t fd, short events, void *arg)
{
	struct event_base *base = arg;

	(void)fd;
	(void)events;
	event_base_loopbreak(base);
}

/*
 * The reactor, with SIGTERM, SIGINT and the deadline ending it: a server
 * a test forgot still goes.  Sockets get MSG_NOSIGNAL, but a reader of
 * stdout may go, hence SIGPIPE ignored.  Start-up only: exits on failure.
 */
void
srv_loop_init(struct srv_loop *loop, const struct timeval *deadline)
{
	memset(loop, 0, sizeof(*loop));
	signal(SIGPIPE, SIG_IGN);
	if ((loop->base = event_base_new()) == NULL)
		errx(1, "event_base_new failed");
	loop->sigterm_ev = evsignal_new(loop->base, SIGTERM, srv_stop_cb,
	    loop->base);
	loop->sigint_ev = evsignal_new(loop->base, SIGINT, srv_stop_cb,
	    loop->base);
	loop->deadline_ev = evtimer_new(loop->base, srv_stop_cb, loop->base);
	if (loop->sigterm_ev == NULL || loop->sigint_ev == NULL ||
	    loop->deadline_ev == NULL ||
	    evsignal_add(loop->sigterm_ev, NULL) == -1 ||
	    evsignal_add(loop->sigint_ev, NULL) == -1 ||
	    evtimer_add(loop->deadline_ev, deadline) == -1)
		errx(1, "cannot set up signal and timer events");
}

/*
 * The caller has printed "ready PORT...", once its sockets listen: the
 * one line tests and the demo wait for, so it goes out now or the server
 * gives up.  Then serve until stopped.  The exit status: 0, or 1 when
 * either failed.
 */
int
srv_loop_run(struct srv_loop *loop)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn("stdout");
		return 1;
	}
	if (event_base_dispatch(loop->base) == -1) {
		warnx("event_base_dispatch failed");
		return 1;
	}
	return 0;
}

/* After the caller freed its own events: they belong to the base. */
void
srv_loop_free(struct srv_loop *loop)
{
	event_free(loop->deadline_ev);
	event_free(loop->sigint_ev);
	event_free(loop->sigterm_ev);
	event_base_free(loop->base);
	libevent_global_shutdown();
}
