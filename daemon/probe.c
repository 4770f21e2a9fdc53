/*
 * probe.c - the two probes of the seed, as futures.
 *
 *   peeraddr (GetPeerAddr): resolve, connect, record the peer address.
 *   hello (HelloWorld):     resolve, connect, then write the whole payload,
 *                           partial writes and all.
 *
 * Each is an enum of states whose poll loops until it is done or an inner
 * future is PENDING.  Every probe ends in a struct probe_result: ok, or one
 * error of a fixed set with the errno that says it in words.  The deadline
 * is not ours: the target wraps the probe in a timeout future, which drops
 * us (closing the socket) when it expires and calls probe_timed_out().
 */
#include <sys/socket.h>

#include <netdb.h>

#include <event2/util.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "futd.h"

static const char *probe_error_names[PERR__MAX] = {
	[PERR_NONE] =			"ok",
	[PERR_DNS] =			"dns",
	[PERR_REFUSED] =		"refused",
	[PERR_UNREACHABLE] =		"unreachable",
	[PERR_CONNECT_TIMEOUT] =	"connect_timeout",
	[PERR_WRITE_TIMEOUT] =		"write_timeout",
	[PERR_DNS_TIMEOUT] =		"dns_timeout",
	[PERR_RESET] =			"reset",
	[PERR_FD_LIMIT] =		"fd_limit",
	[PERR_OTHER] =			"error",
};

const char *
probe_error_name(enum probe_error e)
{
	return (unsigned)e < PERR__MAX ? probe_error_names[e] : "error";
}

enum probe_error
probe_error_classify(int err)
{
	switch (err) {
	case 0:
		return PERR_NONE;
	case ECONNREFUSED:
		return PERR_REFUSED;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
	case EADDRNOTAVAIL:
		return PERR_UNREACHABLE;
	case ETIMEDOUT:		/* the kernel gave up (SYN retries) */
		return PERR_CONNECT_TIMEOUT;
	case ECONNRESET:
	case EPIPE:
	case ECONNABORTED:
		return PERR_RESET;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
		return PERR_FD_LIMIT;
	default:
		return PERR_OTHER;
	}
}

/* The words of a result: "Connection refused", "timed out after 1.000s ..." */
const char *
probe_result_message(const struct probe_result *r, char *buf, size_t len)
{
	switch (r->error) {
	case PERR_NONE:
		snprintf(buf, len, "ok");
		break;
	case PERR_DNS:
		/* libc's words where the code is libc's (libevent uses them) */
		snprintf(buf, len, "%s", r->sys_err > -90000 ?
		    gai_strerror(r->sys_err) : evutil_gai_strerror(r->sys_err));
		break;
	case PERR_DNS_TIMEOUT:
	case PERR_WRITE_TIMEOUT:
		snprintf(buf, len, "timed out after %.3fs while %s",
		    r->latency_us / 1e6, r->error == PERR_DNS_TIMEOUT ?
		    "resolving" : "writing");
		break;
	case PERR_CONNECT_TIMEOUT:
		if (r->sys_err == ETIMEDOUT && r->latency_us > 0) {
			snprintf(buf, len, "timed out after %.3fs while "
			    "connecting", r->latency_us / 1e6);
			break;
		}
		/* FALLTHROUGH */
	default:
		snprintf(buf, len, "%s", strerror(r->sys_err));
		break;
	}
	return buf;
}

static enum poll
probe_future_poll(struct future *f, struct task *t)
{
	struct probe *p = (struct probe *)f;

	return p->tc->kind == PROBE_HELLO ? hello_poll(p, t) :
	    peeraddr_poll(p, t);
}

static void
probe_future_drop(struct future *f)
{
	probe_drop((struct probe *)f);
}

/* Set up a new probe of tc; nothing happens until the first poll. */
void
probe_init(struct probe *p, const struct target_conf *tc,
    struct evdns_base *dns, struct waiter *w)
{
	p->base.poll = probe_future_poll;
	p->base.drop = probe_future_drop;
	p->tc = tc;
	p->dns = dns;
	p->w = w;
	p->fd = -1;
	p->state = PROBE_RESOLVING;
	memset(&p->res, 0, sizeof(p->res));
	p->start_us = clock_mono_us();
	p->res.wall_us = clock_wall_us();
	if (!tc->numeric)
		resolve_init(&p->resolve, dns, tc->host, tc->port, AF_UNSPEC);
}

static void
probe_close(struct probe *p)
{
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
}

static enum poll
probe_end(struct probe *p, enum probe_error e, int err)
{
	probe_close(p);
	p->res.error = e;
	p->res.sys_err = err;
	p->res.latency_us = (uint32_t)(clock_mono_us() - p->start_us);
	p->state = PROBE_DONE;
	return e == PERR_NONE ? POLL_READY : POLL_ERROR;
}

/*
 * Resolving and Connecting, common to both probes: READY when p->fd is a
 * connected socket.
 */
static enum poll
probe_connect_poll(struct probe *p, struct task *t)
{
	union sockaddr_union addr;
	socklen_t len;
	enum poll r;

	for (;;) {
		switch (p->state) {
		case PROBE_RESOLVING:
			if (p->tc->numeric) {
				addr = p->tc->addr;
			} else {
				r = resolve_poll(&p->resolve, t);
				if (r == POLL_PENDING)
					return POLL_PENDING;
				if (r == POLL_ERROR)
					return probe_end(p, PERR_DNS,
					    p->resolve.err);
				addr = p->resolve.addr;
			}
			connect_init(&p->connect, p->w, &addr);
			p->state = PROBE_CONNECTING;
			break;
		case PROBE_CONNECTING:
			r = connect_poll(&p->connect, t);
			if (r == POLL_PENDING)
				return POLL_PENDING;
			if (r == POLL_ERROR)
				return probe_end(p,
				    probe_error_classify(p->connect.err),
				    p->connect.err);
			p->fd = connect_take(&p->connect);
			p->res.connect_us =
			    (uint32_t)(clock_mono_us() - p->start_us);
			len = sizeof(p->res.peer);
			if (getpeername(p->fd, &p->res.peer.sa, &len) == -1)
				return probe_end(p, probe_error_classify(errno),
				    errno);
			return POLL_READY;
		case PROBE_WRITING:
		case PROBE_DONE:
			return POLL_READY;
		}
	}
}

enum poll
peeraddr_poll(struct probe *p, struct task *t)
{
	if (p->state == PROBE_DONE)
		return p->res.error == PERR_NONE ? POLL_READY : POLL_ERROR;
	TRY_READY(probe_connect_poll(p, t));
	return probe_end(p, PERR_NONE, 0);
}

enum poll
hello_poll(struct probe *p, struct task *t)
{
	enum poll r;

	for (;;) {
		switch (p->state) {
		case PROBE_RESOLVING:
		case PROBE_CONNECTING:
			TRY_READY(probe_connect_poll(p, t));
			write_init(&p->write, p->w, p->fd, p->tc->payload,
			    p->tc->payload_len);
			p->state = PROBE_WRITING;
			break;
		case PROBE_WRITING:
			r = write_poll(&p->write, t);
			if (r == POLL_PENDING)
				return POLL_PENDING;
			if (r == POLL_ERROR)
				return probe_end(p,
				    probe_error_classify(p->write.err),
				    p->write.err);
			return probe_end(p, PERR_NONE, 0);
		case PROBE_DONE:
			return p->res.error == PERR_NONE ? POLL_READY :
			    POLL_ERROR;
		}
	}
}

/* Cancel whatever is in flight; p->state still says where we were. */
void
probe_drop(struct probe *p)
{
	switch (p->state) {
	case PROBE_RESOLVING:
		if (!p->tc->numeric)
			resolve_drop(&p->resolve);
		break;
	case PROBE_CONNECTING:
		connect_drop(&p->connect);
		break;
	case PROBE_WRITING:
		write_drop(&p->write);
		break;
	case PROBE_DONE:
		break;
	}
	probe_close(p);
}

/* The deadline passed: the phase we were in names the error. */
void
probe_timed_out(struct probe *p)
{
	enum probe_error e;

	switch (p->state) {
	case PROBE_RESOLVING:
		e = PERR_DNS_TIMEOUT;
		break;
	case PROBE_WRITING:
		e = PERR_WRITE_TIMEOUT;
		break;
	default:
		e = PERR_CONNECT_TIMEOUT;
		break;
	}
	probe_drop(p);
	probe_end(p, e, ETIMEDOUT);
}
