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
	[PERR_REJECTED] =		"rejected",
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

/* Where a probe was when its deadline passed. */
static const char *
probe_phase_words(enum probe_error e)
{
	switch (e) {
	case PERR_DNS_TIMEOUT:
		return "resolving";
	case PERR_TLS_TIMEOUT:
		return "in the TLS handshake";
	case PERR_CONNECT_TIMEOUT:
		return "connecting";
	case PERR_WRITE_TIMEOUT:
		return "writing";
	default:
		return "reading";
	}
}

/*
 * A reject's words: the reply's line that it matched, printable, when the
 * result kept it ("rejected: 454 4.7.0 TLS not available").
 */
static void
probe_rejected_words(const struct probe_result *r, char *buf, size_t len)
{
	size_t n, i, o;
	int k;

	if ((k = snprintf(buf, len, "reply rejected")) < 0 ||
	    (size_t)k >= len || r->recv == NULL || r->recv_len == 0)
		return;
	o = (size_t)k;
	n = r->recv_len;
	for (i = 0; i < n && r->recv[i] != '\n' && r->recv[i] != '\r'; i++)
		;
	if (i == 0 || o + 3 >= len)
		return;
	buf[o++] = ':';
	buf[o++] = ' ';
	for (n = i, i = 0; i < n && o + 1 < len; i++)
		buf[o++] = r->recv[i] >= 0x20 && r->recv[i] < 0x7f ?
		    (char)r->recv[i] : '?';
	while (o > (size_t)k + 2 && buf[o - 1] == ' ')
		o--;		/* a line cut at the bytes kept */
	buf[o] = '\0';
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
	case PERR_REJECTED:
		probe_rejected_words(r, buf, len);
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
		if (r->sys_err == ETIMEDOUT && r->latency_us > 0) {
			snprintf(buf, len, "timed out after %.3fs while %s",
			    r->latency_us / 1e6, probe_phase_words(r->error));
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
	return probe_poll((struct probe *)f, t);
}

static void
probe_future_drop(struct future *f)
{
	probe_drop((struct probe *)f);
}

/* hello's one step: a send of no bytes of its own, the target's payload */
static const struct step probe_hello_step = { .kind = STEP_SEND };

/*
 * The chain after the connect: the target's steps, or hello's one send of
 * its payload; a TLS handshake first for tls = true without a tls step.
 */
static void
probe_init_steps(struct probe *p, const struct target_conf *tc)
{
	p->step_i = 0;
	p->left = 0;
	p->recv_total = 0;
	p->seen_before = 0;
	p->step_deadline_us = 0;
	p->chain_us = 0;
	timer_init(&p->step_tm);
	if (tc->steps != NULL) {
		p->steps = tc->steps->s;
		p->nsteps = tc->steps->n;
		memset(p->step_us, 0, p->nsteps * sizeof(p->step_us[0]));
	} else if (tc->kind == PROBE_HELLO) {
		p->steps = &probe_hello_step;
		p->nsteps = 1;
		p->step_us[0] = 0;
	} else {
		p->steps = NULL;
		p->nsteps = 0;
	}
	p->tls_first = tc->tls != NULL &&
	    (tc->steps == NULL || !tc->steps->has_tls);
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
	p->state = PROBE_RESOLVING;
	probe_init_steps(p, tc);
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

/*
 * Keep what the peer sent, from at on, for an operator to read on a
 * failed expect.
 */
static void
probe_keep_received(struct probe *p, size_t at)
{
	const struct read_fut *rd = &p->expect.read;
	size_t n = rd->len > at ? rd->len - at : 0;

	p->res.recv_total = (uint32_t)p->recv_total;
	if (n > RESULT_RECV_KEEP)
		n = RESULT_RECV_KEEP;
	if (n == 0)
		return;
	/* without a keep buffer the bytes stay where they were read */
	if (p->keep != NULL) {
		memcpy(p->keep, rd->buf + at, n);
		p->res.recv = p->keep;
	} else
		p->res.recv = rd->buf + at;
	p->res.recv_len = (uint16_t)n;
}

static void
probe_close(struct probe *p)
{
	struct linger lg = { 1, 0 };

	if (p->step_tm.index != TIMER_IDLE)
		timer_disarm(&p->step_tm, p->step_tm.task->ex);
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
	p->res.recv_total = (uint32_t)p->recv_total;
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

/* a send step's bytes: its own, or the target's payload (a shorthand's) */
static const unsigned char *
probe_send_data(const struct probe *p, const struct step *st, size_t *len)
{
	if (st->data != NULL) {
		*len = st->len;
		return st->data;
	}
	*len = p->tc->payload_len;
	return p->tc->payload;
}

static void
probe_connect_start(struct probe *p)
{
	connect_init(&p->connect, p->w, &p->addrs[p->addr_i],
	    p->tc->has_source ? &p->tc->source : NULL);
	p->connect.timeout_us = p->tc->connect_timeout_us;
	/*
	 * A chain that starts with a send (hello's payload) sends it as the
	 * test of the connect: one send() instead of getpeername() and then
	 * send().
	 */
	if (p->nsteps > 0 && p->steps[0].kind == STEP_SEND && !p->tls_first) {
		p->connect.early = probe_send_data(p, &p->steps[0],
		    &p->connect.early_len);
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

/*
 * A failed step: which one, and what it read.  A reject keeps the bytes
 * from where it matched (its line, not what came before it).
 */
static enum poll
probe_step_fail(struct probe *p, enum probe_error e, int err)
{
	size_t at;

	if (p->step_i < p->nsteps) {
		p->res.step = (uint8_t)(p->step_i + 1);
		p->res.step_kind = p->steps[p->step_i].kind;
	}
	if (p->state == PROBE_READING) {
		at = e == PERR_REJECTED ? p->expect.at : 0;
		if (e == PERR_REJECTED && at < p->expect.read.len &&
		    p->expect.read.buf[at] == '\n')
			at++;
		probe_keep_received(p, at);
	}
	return probe_end(p, e, err);
}

/* A step's own deadline, if it has one, on the executor's timers. */
static int
probe_step_timer(struct probe *p, const struct step *st, struct task *t)
{
	if (st->timeout_us == 0) {
		p->step_deadline_us = 0;
		return 0;
	}
	p->step_deadline_us = clock_mono_us() + st->timeout_us;
	return timer_arm(&p->step_tm, t, p->step_deadline_us);
}

static enum poll
probe_handshake_start(struct probe *p)
{
	p->state = PROBE_HANDSHAKE;
	/* plain text read before the handshake is not the server's over TLS */
	p->left = 0;
	if (tls_start(&p->tls, p->w, p->tc->tls, p->fd, p->tc->host,
	    p->tc->numeric) == -1)
		return probe_tls_fail(p, PERR_TLS_HANDSHAKE, p->tls.error, "");
	return POLL_READY;
}

/*
 * The next step of the chain, ready for its first poll; READY at the end
 * of the chain is the probe's success (PROBE_DONE).
 */
static enum poll
probe_step_start(struct probe *p, struct task *t)
{
	const struct step *st;
	const unsigned char *data;
	size_t len;

	if (p->step_i == 0)
		p->chain_us = probe_elapsed(p);
	if (p->step_i >= p->nsteps)
		return probe_end(p, PERR_NONE, 0);
	st = &p->steps[p->step_i];
	if (probe_step_timer(p, st, t) == -1)
		return probe_step_fail(p, PERR_OTHER, ENOMEM);
	switch (st->kind) {
	case STEP_SEND:
		data = probe_send_data(p, st, &len);
		write_init(&p->write, p->w, p->fd, data, len);
		p->write.ssl = p->tls.ssl;
		/* what the connect's first write took already */
		if (p->step_i == 0 && p->tls.ssl == NULL)
			p->write.off = p->connect.sent;
		p->state = PROBE_WRITING;
		return POLL_READY;
	case STEP_EXPECT:
		if (p->rbuf == NULL)	/* the target's buffer: none lent */
			return probe_step_fail(p, PERR_OTHER, ENOBUFS);
		expect_init(&p->expect, st, p->w, p->fd, p->rbuf,
		    p->tc->steps->read_max + 1, p->left, p->tc->read_limit);
		p->expect.read.ssl = p->tls.ssl;
		p->state = PROBE_READING;
		return POLL_READY;
	default:
		return probe_handshake_start(p);
	}
}

/* A step is done: on to the next. */
static enum poll
probe_step_next(struct probe *p, struct task *t)
{
	if (p->step_i < STEPS_MAX)
		p->step_us[p->step_i] = probe_elapsed(p);
	p->step_i++;
	return probe_step_start(p, t);
}

static enum probe_error
probe_expect_error(const struct expect_fut *e)
{
	switch (e->end) {
	case EXPECT_LIMIT:
		return PERR_EXPECT_MISMATCH;
	case EXPECT_CLOSED:
		return PERR_CLOSED_EARLY;
	case EXPECT_REJECTED:
		return PERR_REJECTED;
	default:
		return probe_error_classify(e->err);
	}
}

static enum poll
probe_reading_poll(struct probe *p, struct task *t)
{
	enum poll r;

	r = expect_poll(&p->expect, t);
	p->recv_total += p->expect.seen - p->seen_before;
	p->seen_before = p->expect.seen;
	if (p->res.ph.first_byte_us == 0 && p->recv_total > 0)
		p->res.ph.first_byte_us = probe_elapsed(p);
	if (r == POLL_PENDING)
		return POLL_PENDING;
	if (r == POLL_ERROR)
		return probe_step_fail(p, probe_expect_error(&p->expect),
		    p->expect.end == EXPECT_IOERR ? p->expect.err : 0);
	p->left = p->expect.left;
	p->seen_before = 0;
	return probe_step_next(p, t);
}

static enum poll
probe_writing_poll(struct probe *p, struct task *t)
{
	enum poll r;

	/*
	 * All of it in the send that told the connect was done: the last
	 * byte went to the kernel right then.
	 */
	if (p->write.off == p->write.len && p->step_i == 0 &&
	    p->connect.sent == p->write.len && p->write.ssl == NULL)
		p->res.ph.write_us = p->res.ph.connect_us;
	else {
		r = write_poll(&p->write, t);
		if (r == POLL_PENDING)
			return POLL_PENDING;
		if (r == POLL_ERROR)
			return probe_step_fail(p, probe_error_classify(
			    p->write.err), p->write.err);
		/* the request: the first send (a dialogue's others: step_us) */
		if (p->res.ph.write_us == 0)
			p->res.ph.write_us = probe_elapsed(p);
	}
	return probe_step_next(p, t);
}

static enum poll
probe_handshake_poll(struct probe *p, struct task *t)
{
	enum poll r;

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
			    sizeof(p->tls_info->error), "%s", p->tls.error);
		return p->tls_first ? probe_end(p, p->tls.verify_failed ?
		    PERR_TLS_VERIFY : PERR_TLS_HANDSHAKE, EPROTO) :
		    probe_step_fail(p, p->tls.verify_failed ?
		    PERR_TLS_VERIFY : PERR_TLS_HANDSHAKE, EPROTO);
	}
	p->res.ph.handshake_us = probe_elapsed(p);
	if (p->tls_first) {
		p->tls_first = 0;
		return probe_step_start(p, t);
	}
	return probe_step_next(p, t);
}

/* Has the running step's own deadline passed? */
static int
probe_step_expired(const struct probe *p)
{
	return p->step_deadline_us != 0 &&
	    clock_mono_us() >= p->step_deadline_us;
}

/*
 * The probe: resolve, connect, then the chain of steps, each one future
 * on the connection (net.h's write, step.h's expect, tls.h's handshake).
 * peeraddr has none but a handshake of tls = true; hello one send, its
 * payload; a target with steps what they say.
 */
enum poll
probe_poll(struct probe *p, struct task *t)
{
	if (p->state >= PROBE_HANDSHAKE && p->state < PROBE_DONE &&
	    probe_step_expired(p)) {
		probe_timed_out(p);
		return POLL_ERROR;
	}
	for (;;) {
		switch (p->state) {
		case PROBE_RESOLVING:
		case PROBE_CONNECTING:
			TRY_READY(probe_connect_poll(p, t));
			TRY_READY(p->tls_first ? probe_handshake_start(p) :
			    probe_step_start(p, t));
			break;
		case PROBE_HANDSHAKE:
			TRY_READY(probe_handshake_poll(p, t));
			break;
		case PROBE_WRITING:
			TRY_READY(probe_writing_poll(p, t));
			break;
		case PROBE_READING:
			TRY_READY(probe_reading_poll(p, t));
			break;
		case PROBE_DONE:
			return p->res.error == PERR_NONE ? POLL_READY :
			    POLL_ERROR;
		}
	}
}

void
probe_trace_get(const struct probe *p, struct probe_trace *tr)
{
	unsigned i;

	tr->n = p->nsteps < STEPS_MAX ? p->nsteps : STEPS_MAX;
	for (i = 0; i < tr->n; i++) {
		tr->kind[i] = p->steps[i].kind;
		tr->end_us[i] = p->step_us[i];
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
	case PROBE_HANDSHAKE:
		tls_close(&p->tls);
		break;
	case PROBE_WRITING:
		write_drop(&p->write);
		break;
	case PROBE_READING:
		expect_drop(&p->expect);
		break;
	case PROBE_DONE:
		break;
	}
	probe_close(p);
}

/*
 * Where a probe was when a deadline passed: the phase, or the step, names
 * the error.  Bytes that came and matched nothing make a wrong reply, not
 * a late one.
 */
static enum probe_error
probe_timeout_error(struct probe *p)
{
	switch (p->state) {
	case PROBE_RESOLVING:
		return PERR_DNS_TIMEOUT;
	case PROBE_WRITING:
		return PERR_WRITE_TIMEOUT;
	case PROBE_READING:
		return p->expect.read.len > 0 ? PERR_EXPECT_MISMATCH :
		    PERR_READ_TIMEOUT;
	case PROBE_HANDSHAKE:
		/* what a TLS result holds, even when it never finished */
		if (p->tls_info != NULL) {
			tls_describe(&p->tls, p->tls_info);
			snprintf(p->tls_info->error,
			    sizeof(p->tls_info->error), "timed out in the TLS "
			    "handshake");
			p->res.tls = p->tls_info;
		}
		return PERR_TLS_TIMEOUT;
	default:
		if (p->naddrs > 0)
			p->res.peer = p->addrs[p->addr_i];
		return PERR_CONNECT_TIMEOUT;
	}
}

/* The deadline passed: the target's timeout future's, or the step's. */
void
probe_timed_out(struct probe *p)
{
	enum probe_error e = probe_timeout_error(p);

	if (p->state >= PROBE_HANDSHAKE && p->state < PROBE_DONE &&
	    !(p->state == PROBE_HANDSHAKE && p->tls_first) &&
	    p->step_i < p->nsteps) {
		p->res.step = (uint8_t)(p->step_i + 1);
		p->res.step_kind = p->steps[p->step_i].kind;
	}
	/*
	 * What the expect read, for the result: here, not in probe_drop,
	 * which a stop or a disable runs too, for a probe nobody records
	 * (it wrote over the kept bytes of the last result).
	 */
	if (p->state == PROBE_READING)
		probe_keep_received(p, 0);
	probe_drop(p);
	probe_end(p, e, ETIMEDOUT);
}
