/*
 * probe.c - the two probes of the seed, as futures.
 *
 *   peeraddr (GetPeerAddr): resolve, connect, record the peer address.
 *   hello (HelloWorld):     resolve, connect, write the whole payload,
 *                           partial writes and all.
 * Either may then read what the peer sends and match it against `expect`
 * (a substring) or `expect_regex`: a banner check without a payload, a
 * request/response check with one.
 *
 * Each is an enum of states whose poll loops until it is done or an inner
 * future is PENDING.  Every probe ends in a struct probe_result: ok, or one
 * error of a fixed set with the errno that says it in words, and the time
 * each phase was reached.  The deadline is not ours: the target wraps the
 * probe in a timeout future, which drops us (closing the socket) when it
 * expires and calls probe_timed_out(), which names the phase.
 */
#include <sys/socket.h>

#include <event2/dns.h>

#include <netdb.h>
#include <regex.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "future.h"
#include "net.h"
#include "probe.h"
#include "target_conf.h"
#include "tls.h"

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
	[PERR_READ_TIMEOUT] =		"read_timeout",
	[PERR_CLOSED_EARLY] =		"closed_early",
	[PERR_EXPECT_MISMATCH] =	"expect_mismatch",
	[PERR_TLS_HANDSHAKE] =		"tls_handshake",
	[PERR_TLS_VERIFY] =		"tls_verify",
	[PERR_TLS_TIMEOUT] =		"tls_timeout",
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

/*
 * Where a probe was when its deadline passed.  A tls_timeout in STARTTLS's
 * dialogue (a server that never greets) ends with err PROBE_ETIME_STARTTLS,
 * not ETIMEDOUT, so that the history, which keeps the error and the errno
 * alone, tells it from a stalled handshake too.
 */
static const char *
probe_phase_words(enum probe_error e, int err)
{
	switch (e) {
	case PERR_DNS_TIMEOUT:
		return "resolving";
	case PERR_TLS_TIMEOUT:
		return err == PROBE_ETIME_STARTTLS ? "in the STARTTLS dialogue" :
		    "in the TLS handshake";
	case PERR_CONNECT_TIMEOUT:
		return "connecting";
	case PERR_WRITE_TIMEOUT:
		return "writing";
	default:
		return "reading";
	}
}

/* The words of a result: "Connection refused", "timed out after 1.000s ..." */
const char *
probe_result_message(const struct probe_result *r, char *buf, size_t len)
{
	int n;

	switch (r->error) {
	case PERR_NONE:
		snprintf(buf, len, "ok");
		break;
	case PERR_DNS:
		snprintf(buf, len, "%s", r->sys_err < 0 ?
		    resolve_strerror(-r->sys_err) : strerror(r->sys_err));
		break;
	/*
	 * A count of 0 is also a history entry's, which keeps none: the
	 * words then say no number rather than a wrong one.
	 */
	case PERR_CLOSED_EARLY:
		n = snprintf(buf, len, "connection closed by the peer before "
		    "the expected reply");
		if (r->recv_total > 0 && n >= 0 && (size_t)n < len)
			snprintf(buf + n, len - (size_t)n, " (%u bytes read)",
			    r->recv_total);
		break;
	case PERR_EXPECT_MISMATCH:
		n = snprintf(buf, len, "reply did not match%s",
		    r->sys_err == ETIMEDOUT ? " by the deadline" : "");
		if (r->recv_total > 0 && n >= 0 && (size_t)n < len)
			snprintf(buf + n, len - (size_t)n, " (%u bytes read)",
			    r->recv_total);
		break;
	case PERR_TLS_HANDSHAKE:
	case PERR_TLS_VERIFY:
		snprintf(buf, len, "%s", r->tls != NULL &&
		    r->tls->error[0] != '\0' ? r->tls->error :
		    r->error == PERR_TLS_VERIFY ? "certificate verify failed" :
		    "TLS handshake failed");
		break;
	case PERR_DNS_TIMEOUT:
	case PERR_WRITE_TIMEOUT:
	case PERR_READ_TIMEOUT:
	case PERR_CONNECT_TIMEOUT:
	case PERR_TLS_TIMEOUT:
		if ((r->sys_err == ETIMEDOUT ||
		    r->sys_err == PROBE_ETIME_STARTTLS) && r->latency_us > 0) {
			snprintf(buf, len, "timed out after %.3fs while %s",
			    r->latency_us / 1e6, probe_phase_words(r->error,
			    r->sys_err));
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
	p->cache = NULL;
	p->cache_max_us = 0;
	p->fd = -1;
	p->naddrs = 0;
	p->addr_i = 0;
	p->each = 0;
	p->rbuf = NULL;
	p->keep = NULL;
	p->tls_info = NULL;
	p->tls.ssl = NULL;
	p->tls.state = TLS_INIT;
	p->st_step = 0;
	p->state = PROBE_RESOLVING;
	memset(&p->res, 0, sizeof(p->res));
	p->start_us = clock_mono_us();
	p->end_us = 0;
	p->res.wall_us = clock_wall_us();
	if (!tc->numeric)
		resolve_init(&p->resolve, dns, tc->host, tc->port, tc->family);
}

static uint32_t
probe_since(const struct probe *p, uint64_t now)
{
	uint64_t d = now - p->start_us;

	return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

static uint32_t
probe_elapsed(const struct probe *p)
{
	return probe_since(p, clock_mono_us());
}

/* Keep what the peer sent, for an operator to read on a failed expect. */
static void
probe_keep_received(struct probe *p)
{
	size_t n = p->read.len;

	p->res.recv_total = (uint32_t)n;
	if (n > RESULT_RECV_KEEP)
		n = RESULT_RECV_KEEP;
	if (n == 0)
		return;
	/* without a keep buffer the bytes stay where they were read */
	if (p->keep != NULL) {
		memcpy(p->keep, p->read.buf, n);
		p->res.recv = p->keep;
	} else
		p->res.recv = p->read.buf;
	p->res.recv_len = (uint16_t)n;
}

static void
probe_close(struct probe *p)
{
	struct linger lg = { 1, 0 };

	tls_close(&p->tls);
	if (p->fd == -1)
		return;
	/* RST: the peer sees a reset and we keep no TIME_WAIT */
	if (p->tc->close == CLOSE_RST)
		(void)setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &lg,
		    sizeof(lg));
	net_close(p->fd);
	p->fd = -1;
}

static enum poll
probe_end(struct probe *p, enum probe_error e, int err)
{
	probe_close(p);
	p->res.error = e;
	p->res.sys_err = err;
	p->end_us = clock_mono_us();
	p->res.latency_us = p->res.ph.total_us = probe_since(p, p->end_us);
	p->state = PROBE_DONE;
	return e == PERR_NONE ? POLL_READY : POLL_ERROR;
}

/* Pick the addresses: literal, cache, or the resolver's fresh answer. */
static int
probe_take_addrs(struct probe *p, const union sockaddr_union *a, unsigned n)
{
	unsigned i;

	p->naddrs = 0;
	for (i = 0; i < n && p->naddrs < TARGET_MAX_ADDRS; i++) {
		if (p->tc->has_source &&
		    a[i].sa.sa_family != p->tc->source.sa.sa_family)
			continue;	/* cannot reach it from that source */
		p->addrs[p->naddrs++] = a[i];
	}
	if (p->tc->addrs == ADDRS_FIRST && p->naddrs > 1)
		p->naddrs = 1;
	return p->naddrs > 0 ? 0 : -1;
}

/* Did the resolver fail (as opposed to answer "no such name")? */
static int
probe_resolver_failed(int err)
{
	return err != DNS_ERR_NOTEXIST && err != DNS_ERR_NODATA;
}

static enum poll
probe_resolve(struct probe *p, struct task *t)
{
	struct dns_cache *c = p->cache;
	uint64_t now, ttl;
	enum poll r;

	if (p->tc->numeric)
		return probe_take_addrs(p, &p->tc->addr, 1) == 0 ?
		    POLL_READY : probe_end(p, PERR_UNREACHABLE, EAFNOSUPPORT);
	if (c != NULL && c->valid && c->expires_us > clock_mono_us()) {
		p->res.flags |= RESULT_DNS_CACHED;
		if (probe_take_addrs(p, c->addr, c->n) == -1)
			return probe_end(p, PERR_UNREACHABLE, EAFNOSUPPORT);
		return POLL_READY;
	}
	r = resolve_poll(&p->resolve, t);
	if (r == POLL_PENDING)
		return POLL_PENDING;
	p->res.ph.resolve_us = probe_elapsed(p);
	if (r == POLL_ERROR) {
		/* a stale answer beats none when the servers fail us */
		if (c != NULL && c->valid &&
		    probe_resolver_failed(p->resolve.err)) {
			p->res.flags |= RESULT_DNS_STALE;
			if (probe_take_addrs(p, c->addr, c->n) == 0)
				return POLL_READY;
		}
		return probe_end(p, PERR_DNS, -p->resolve.err);
	}
	if (c != NULL) {
		now = clock_mono_us();
		ttl = p->resolve.from_hosts ? p->cache_max_us :
		    (uint64_t)p->resolve.ttl * 1000000;
		if (ttl > p->cache_max_us)
			ttl = p->cache_max_us;
		c->n = p->resolve.naddrs;
		memcpy(c->addr, p->resolve.addrs, c->n * sizeof(c->addr[0]));
		c->expires_us = now + ttl;
		c->valid = 1;
	}
	if (probe_take_addrs(p, p->resolve.addrs, p->resolve.naddrs) == -1)
		return probe_end(p, PERR_UNREACHABLE, EAFNOSUPPORT);
	return POLL_READY;
}

static void
probe_connect_start(struct probe *p)
{
	connect_init(&p->connect, p->w, &p->addrs[p->addr_i],
	    p->tc->has_source ? &p->tc->source : NULL);
	p->connect.timeout_us = p->tc->connect_timeout_us;
	/*
	 * A plain hello sends its payload as the test of the connect: one
	 * send() instead of getpeername() and then send().
	 */
	if (p->tc->kind == PROBE_HELLO && p->tc->tls == NULL) {
		p->connect.early = p->tc->payload;
		p->connect.early_len = p->tc->payload_len;
	}
}

/* addresses = "each": the next address of the same answer, no new lookup */
void
probe_skip_resolve(struct probe *p)
{
	probe_connect_start(p);
	p->state = PROBE_CONNECTING;
}

/*
 * Resolving and Connecting, common to both probes: READY when p->fd is a
 * connected socket.  With addresses = "any" a failed connect moves on to
 * the next address; the deadline still covers them all.
 */
static enum poll
probe_connect_poll(struct probe *p, struct task *t)
{
	socklen_t len;
	enum poll r;

	for (;;) {
		switch (p->state) {
		case PROBE_RESOLVING:
			TRY_READY(probe_resolve(p, t));
			if (p->each && p->addr_i >= p->naddrs)
				return probe_end(p, PERR_OTHER, ENOENT);
			if (!p->each)
				p->addr_i = 0;
			probe_connect_start(p);
			p->state = PROBE_CONNECTING;
			break;
		case PROBE_CONNECTING:
			r = connect_poll(&p->connect, t);
			if (r == POLL_PENDING)
				return POLL_PENDING;
			if (r == POLL_ERROR) {
				p->res.peer = p->addrs[p->addr_i];
				if (!p->each && p->tc->addrs == ADDRS_ANY &&
				    p->addr_i + 1 < p->naddrs) {
					p->addr_i++;
					probe_connect_start(p);
					break;
				}
				return probe_end(p,
				    probe_error_classify(p->connect.err),
				    p->connect.err);
			}
			p->fd = connect_take(&p->connect);
			p->res.ph.connect_us = p->res.connect_us =
			    probe_elapsed(p);
			p->res.peer = p->connect.peer;
			if (p->tc->local_addr) {
				len = sizeof(p->res.local);
				(void)getsockname(p->fd, &p->res.local.sa,
				    &len);
			}
			return POLL_READY;
		default:
			return POLL_READY;
		}
	}
}

static int
probe_expects(const struct probe *p)
{
	return p->tc->expect != NULL || p->tc->regex != NULL;
}

static int
probe_matches(const struct probe *p)
{
	regmatch_t m;

	if (p->tc->expect != NULL)
		return memmem(p->read.buf, p->read.len, p->tc->expect,
		    p->tc->expect_len) != NULL;
	/*
	 * REG_STARTEND: the bytes may hold NULs.  They get a terminator all
	 * the same (rbuf has room for it): regexec's callers, sanitizers
	 * among them, may look for one.
	 */
	p->read.buf[p->read.len] = '\0';
	m.rm_so = 0;
	m.rm_eo = (regoff_t)p->read.len;
	return regexec(p->tc->regex, (const char *)p->read.buf, 1, &m,
	    REG_STARTEND) == 0;
}

/*
 * Reading: until the expected reply shows up, read_limit bytes came
 * without it, or the peer closed.
 */
static enum poll
probe_read_poll(struct probe *p, struct task *t)
{
	size_t before;
	enum poll r;

	for (;;) {
		before = p->read.len;
		r = read_poll(&p->read, t);
		if (r == POLL_PENDING)
			return POLL_PENDING;
		if (r == POLL_ERROR) {
			probe_keep_received(p);
			return probe_end(p, probe_error_classify(p->read.err),
			    p->read.err);
		}
		if (before == 0 && p->read.len > 0)
			p->res.ph.first_byte_us = probe_elapsed(p);
		if (probe_matches(p)) {
			p->res.recv_total = (uint32_t)p->read.len;
			return probe_end(p, PERR_NONE, 0);
		}
		if (p->read.eof || p->read.len == p->read.cap) {
			probe_keep_received(p);
			return probe_end(p, p->read.eof ? PERR_CLOSED_EARLY :
			    PERR_EXPECT_MISMATCH, 0);
		}
	}
}

static void
probe_start_read(struct probe *p)
{
	read_init(&p->read, p->w, p->fd, p->rbuf, p->tc->read_limit);
	p->read.ssl = p->tls.ssl;
	p->state = PROBE_READING;
}

/*
 * STARTTLS: the plain-text dialogue before the handshake.  Each step sends
 * its line (if any), then reads until a line that starts with what it
 * wants; SMTP's "250-" continuation lines are read past.
 */
struct starttls_step {
	const char	*send;
	const char	*want;
};
static const struct starttls_step starttls_smtp[] = {
	{ NULL, "220 " }, { "EHLO futd.invalid\r\n", "250 " },
	{ "STARTTLS\r\n", "220 " }, { NULL, NULL },
};
static const struct starttls_step starttls_imap[] = {
	{ NULL, "* OK" }, { "a001 STARTTLS\r\n", "a001 OK" }, { NULL, NULL },
};
static const struct starttls_step starttls_pop3[] = {
	{ NULL, "+OK" }, { "STLS\r\n", "+OK" }, { NULL, NULL },
};

static const struct starttls_step *
probe_starttls_steps(enum starttls_kind k)
{
	switch (k) {
	case STARTTLS_SMTP:
		return starttls_smtp;
	case STARTTLS_IMAP:
		return starttls_imap;
	case STARTTLS_POP3:
		return starttls_pop3;
	default:
		return NULL;
	}
}

static enum poll
probe_tls_fail(struct probe *p, enum probe_error e, const char *what,
    const char *detail)
{
	if (p->tls_info != NULL) {
		memset(p->tls_info, 0, sizeof(*p->tls_info));
		snprintf(p->tls_info->error, sizeof(p->tls_info->error),
		    "%s%s", what, detail);
		p->res.tls = p->tls_info;
	}
	return probe_end(p, e, EPROTO);
}

/* Step st_step: 2 x step sends, 2 x step + 1 reads its answer. */
static enum poll
probe_starttls_poll(struct probe *p, struct task *t)
{
	const struct starttls_step *steps =
	    probe_starttls_steps(p->tc->tls->starttls), *st;
	char line[96];
	size_t i, start;
	enum poll r;

	for (;;) {
		st = &steps[p->st_step / 2];
		if (st->want == NULL)
			return POLL_READY;
		if (p->st_step % 2 == 0) {
			if (st->send != NULL) {
				r = write_poll(&p->write, t);
				if (r == POLL_PENDING)
					return POLL_PENDING;
				if (r == POLL_ERROR)
					return probe_end(p, probe_error_classify(
					    p->write.err), p->write.err);
			}
			read_init(&p->read, p->w, p->fd, p->rbuf,
			    p->tc->read_limit);
			p->st_step++;
		}
		r = read_poll(&p->read, t);
		if (r == POLL_PENDING)
			return POLL_PENDING;
		if (r == POLL_ERROR)
			return probe_end(p, probe_error_classify(p->read.err),
			    p->read.err);
		/* look at every complete line */
		for (i = 0, start = 0; i < p->read.len; i++) {
			if (p->read.buf[i] != '\n')
				continue;
			snprintf(line, sizeof(line), "%.*s",
			    (int)(i - start), (char *)p->read.buf + start);
			line[strcspn(line, "\r")] = '\0';
			start = i + 1;
			if (strncmp(line, st->want, strlen(st->want)) == 0)
				break;
			/* SMTP's multi-line replies: NNN-text */
			if (strlen(line) > 3 && line[3] == '-' &&
			    strncmp(line, st->want, 3) == 0)
				continue;
			return probe_tls_fail(p, PERR_TLS_HANDSHAKE,
			    "STARTTLS refused: ", line);
		}
		if (i == p->read.len) {
			if (p->read.eof || p->read.len == p->read.cap)
				return probe_tls_fail(p, PERR_TLS_HANDSHAKE,
				    "STARTTLS: ", p->read.eof ? "the peer "
				    "closed the connection" : "no answer line");
			continue;	/* a partial line: read on */
		}
		p->st_step++;
		st = &steps[p->st_step / 2];
		if (st->send != NULL)
			write_init(&p->write, p->w, p->fd, st->send,
			    strlen(st->send));
	}
}

/*
 * Connected: for a TLS target, the STARTTLS dialogue and the handshake.
 * READY when the connection is ready for the payload (p->tls.ssl set for
 * TLS).
 */
static enum poll
probe_setup_poll(struct probe *p, struct task *t)
{
	const struct starttls_step *steps;
	enum poll r;

	for (;;) {
		switch (p->state) {
		case PROBE_RESOLVING:
		case PROBE_CONNECTING:
			TRY_READY(probe_connect_poll(p, t));
			if (p->tc->tls == NULL)
				return POLL_READY;
			if ((steps = probe_starttls_steps(
			    p->tc->tls->starttls)) != NULL) {
				if (p->rbuf == NULL)
					return probe_tls_fail(p,
					    PERR_TLS_HANDSHAKE,
					    "STARTTLS without a buffer", "");
				p->st_step = 0;
				if (steps[0].send != NULL)
					write_init(&p->write, p->w, p->fd,
					    steps[0].send,
					    strlen(steps[0].send));
				p->state = PROBE_STARTTLS;
				break;
			}
			p->state = PROBE_HANDSHAKE;
			if (tls_start(&p->tls, p->w, p->tc->tls, p->fd,
			    p->tc->host, p->tc->numeric) == -1)
				return probe_tls_fail(p, PERR_TLS_HANDSHAKE,
				    p->tls.error, "");
			break;
		case PROBE_STARTTLS:
			TRY_READY(probe_starttls_poll(p, t));
			p->state = PROBE_HANDSHAKE;
			if (tls_start(&p->tls, p->w, p->tc->tls, p->fd,
			    p->tc->host, p->tc->numeric) == -1)
				return probe_tls_fail(p, PERR_TLS_HANDSHAKE,
				    p->tls.error, "");
			break;
		case PROBE_HANDSHAKE:
			r = tls_poll(&p->tls, t);
			if (r == POLL_PENDING)
				return POLL_PENDING;
			if (p->tls_info != NULL) {
				tls_describe(&p->tls, p->tls_info);
				p->res.tls = p->tls_info;
			}
			if (r == POLL_ERROR) {
				if (p->tls_info != NULL)
					snprintf(p->tls_info->error,
					    sizeof(p->tls_info->error), "%s",
					    p->tls.error);
				return probe_end(p, p->tls.verify_failed ?
				    PERR_TLS_VERIFY : PERR_TLS_HANDSHAKE,
				    EPROTO);
			}
			p->res.ph.handshake_us = probe_elapsed(p);
			return POLL_READY;
		default:
			return POLL_READY;
		}
	}
}

enum poll
peeraddr_poll(struct probe *p, struct task *t)
{
	for (;;) {
		switch (p->state) {
		case PROBE_RESOLVING:
		case PROBE_CONNECTING:
		case PROBE_STARTTLS:
		case PROBE_HANDSHAKE:
			TRY_READY(probe_setup_poll(p, t));
			if (!probe_expects(p) || p->rbuf == NULL)
				return probe_end(p, PERR_NONE, 0);
			probe_start_read(p);
			break;
		case PROBE_READING:
			return probe_read_poll(p, t);
		case PROBE_WRITING:
		case PROBE_DONE:
			return p->res.error == PERR_NONE ? POLL_READY :
			    POLL_ERROR;
		}
	}
}

enum poll
hello_poll(struct probe *p, struct task *t)
{
	enum poll r;

	for (;;) {
		switch (p->state) {
		case PROBE_RESOLVING:
		case PROBE_CONNECTING:
		case PROBE_STARTTLS:
		case PROBE_HANDSHAKE:
			TRY_READY(probe_setup_poll(p, t));
			write_init(&p->write, p->w, p->fd, p->tc->payload,
			    p->tc->payload_len);
			p->write.ssl = p->tls.ssl;
			/* what the connect's first write took already */
			if (p->tls.ssl == NULL)
				p->write.off = p->connect.sent;
			p->state = PROBE_WRITING;
			break;
		case PROBE_WRITING:
			/*
			 * All of it in the send that told the connect was
			 * done: the last byte went to the kernel right then.
			 */
			if (p->write.off == p->write.len &&
			    p->connect.sent == p->write.len &&
			    p->write.ssl == NULL)
				p->res.ph.write_us = p->res.ph.connect_us;
			else {
				r = write_poll(&p->write, t);
				if (r == POLL_PENDING)
					return POLL_PENDING;
				if (r == POLL_ERROR)
					return probe_end(p, probe_error_classify(
					    p->write.err), p->write.err);
				p->res.ph.write_us = probe_elapsed(p);
			}
			if (!probe_expects(p) || p->rbuf == NULL)
				return probe_end(p, PERR_NONE, 0);
			probe_start_read(p);
			break;
		case PROBE_READING:
			return probe_read_poll(p, t);
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
	case PROBE_STARTTLS:
		/*
		 * The dialogue's writes and reads wait on the probe's one
		 * waiter.  Its write future is not set up while it waits for
		 * the server's greeting (every protocol's first step): a
		 * write_drop() then followed a stale or NULL pointer, and a
		 * server that never greets crashed futd at the deadline.
		 */
		waiter_disarm(p->w);
		break;
	case PROBE_HANDSHAKE:
		tls_close(&p->tls);
		break;
	case PROBE_WRITING:
		write_drop(&p->write);
		break;
	case PROBE_READING:
		probe_keep_received(p);
		read_drop(&p->read);
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
	int err;

	switch (p->state) {
	case PROBE_RESOLVING:
		e = PERR_DNS_TIMEOUT;
		break;
	case PROBE_WRITING:
		e = PERR_WRITE_TIMEOUT;
		break;
	case PROBE_READING:
		/* bytes came and none matched: the reply is wrong, not late */
		e = p->read.len > 0 ? PERR_EXPECT_MISMATCH : PERR_READ_TIMEOUT;
		break;
	case PROBE_STARTTLS:
	case PROBE_HANDSHAKE:
		e = PERR_TLS_TIMEOUT;
		/* what a TLS result holds, even when it never finished */
		if (p->tls_info != NULL) {
			tls_describe(&p->tls, p->tls_info);
			snprintf(p->tls_info->error,
			    sizeof(p->tls_info->error), "timed out %s",
			    p->state == PROBE_STARTTLS ? "in the STARTTLS "
			    "dialogue" : "in the TLS handshake");
			p->res.tls = p->tls_info;
		}
		break;
	default:
		e = PERR_CONNECT_TIMEOUT;
		if (p->naddrs > 0)
			p->res.peer = p->addrs[p->addr_i];
		break;
	}
	err = p->state == PROBE_STARTTLS ? PROBE_ETIME_STARTTLS : ETIMEDOUT;
	probe_drop(p);
	probe_end(p, e, err);
}
