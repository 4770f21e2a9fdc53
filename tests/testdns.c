/*
 * testdns: a loopback DNS server for futd's tests.
 *
 * It answers A and AAAA queries over UDP from a zone file, and a test
 * can make it misbehave while it runs, the ways a resolver has to cope
 * with: stop answering (mute), answer late (slow), answer with a packet
 * that does not parse (-g) or with the TC bit (-T).  Every query becomes
 * one line on stderr, so a test can check what was asked and answered.
 *
 * Answers are built by libevent's evdns server API.  It can only build
 * well-formed replies, so -g reads the socket itself and writes its
 * garbage by hand.
 *
 * Like testsrv it binds loopback addresses only and exits by itself
 * after a while.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/dns_struct.h>
#include <event2/event.h>
#include <event2/util.h>

#include "srvutil.h"

#define DNS_NAME_MAX	253	/* dotted, without the final dot */
#define DNS_HDR_LEN	12
#define DNS_FLAG_QR	0x8000
#define DNS_FLAG_TC	0x0200
#define DNS_TTL_MAX	2147483647LL	/* RFC 2181 section 8 */
#define QUERY_MAX	4096	/* a UDP query longer than this is no query */
#define RAW_BURST	64	/* -g: datagrams per wake-up */
#define GARBAGE_TAIL	6	/* -g: random bytes after the header */
#define SLOW_DELAY_S	1
#define LOG_LINE_MAX	(64 + 4 * DNS_NAME_MAX)

/* What a query got: the last word of its log line. */
enum reply {
	REPLY_ANSWER,		/* NOERROR with records */
	REPLY_EMPTY,		/* NOERROR, the name has only the other type */
	REPLY_NXDOMAIN,
	REPLY_DROPPED,		/* mute */
	REPLY_SLOW,		/* answered SLOW_DELAY_S later */
	REPLY_GARBAGE,		/* -g */
	REPLY_TRUNCATED,	/* -T */
	REPLY_FORMERR,		/* not exactly one question */
};

static const char *const reply_names[] = {
	[REPLY_ANSWER] = "answer",
	[REPLY_EMPTY] = "empty",
	[REPLY_NXDOMAIN] = "nxdomain",
	[REPLY_DROPPED] = "dropped",
	[REPLY_SLOW] = "slow",
	[REPLY_GARBAGE] = "garbage",
	[REPLY_TRUNCATED] = "truncated",
	[REPLY_FORMERR] = "formerr",
};

struct record {
	char			 name[DNS_NAME_MAX + 1];	/* lower case */
	int			 type;		/* EVDNS_TYPE_A or _AAAA */
	int			 ttl;
	union {
		struct in_addr	 a;
		struct in6_addr	 aaaa;
	}			 addr;
};

struct zone {
	struct record		*rec;
	size_t			 n;
};

struct dns;

/* A reply held back by slow mode: an evdns request, or raw bytes (-g). */
struct delayed {
	LIST_ENTRY(delayed)	 entry;
	struct dns		*dns;
	struct event		*timer;
	struct evdns_server_request *req;
	int			 rcode;
	struct sockaddr_storage	 to;
	socklen_t		 tolen;
	size_t			 len;
	unsigned char		 pkt[DNS_HDR_LEN + GARBAGE_TAIL];
};

struct dns {
	struct event_base	*base;
	struct evdns_server_port *port;		/* evdns owns fd then */
	struct event		*raw_ev;	/* -g: we read fd */
	int			 fd;
	const char		*zonepath;
	struct zone		 zone;
	int			 mute;		/* SIGUSR1 */
	int			 slow;		/* SIGUSR2 */
	int			 garbage;	/* -g */
	int			 truncate;	/* -T */
	LIST_HEAD(, delayed)	 delayed;
};

static _Noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: testdns [-gT] [-b ADDR] [-t SECONDS] [-z ZONEFILE] PORT\n"
	    "  -b ADDR     loopback address to bind: 127.0.0.0/8 or ::1 "
	    "(default 127.0.0.1)\n"
	    "  -g          garbage: answer every query with a malformed "
	    "packet\n"
	    "  -T          truncated: answer every query with an empty reply "
	    "with TC set\n"
	    "  -t SECONDS  exit after this long, 1-86400 (default 300)\n"
	    "  -z ZONEFILE records, one a line: NAME A|AAAA TTL ADDRESS "
	    "(# comments);\n"
	    "              without it every name is NXDOMAIN\n"
	    "  PORT        UDP, 0-65535; 0 picks an ephemeral port\n"
	    "signals: SIGHUP re-reads ZONEFILE (a bad one is not taken), "
	    "SIGUSR1 toggles mute\n"
	    "  (drop every query), SIGUSR2 toggles slow (answer %d s late)\n"
	    "prints \"ready PORT\" on stdout once listening; exits 0 on "
	    "SIGTERM, SIGINT or timeout\n"
	    "log line (stderr): query NAME TYPE -> answer | empty | nxdomain "
	    "| dropped | slow\n"
	    "  | garbage | truncated | formerr\n", SLOW_DELAY_S);
	exit(2);
}

/*
 * "query NAME TYPE -> WORD", one write(2) per line so lines from a busy
 * server never interleave with other output.  NAME is escaped like
 * testsrv's data=: a label may hold any byte, a log line must not.
 */
static void
query_log(const char *name, int type, enum reply r)
{
	char line[LOG_LINE_MAX], tbuf[16];
	const unsigned char *p;
	size_t n;
	int w;

	memcpy(line, "query ", 6);
	n = 6;
	if (name == NULL || name[0] == '\0')
		line[n++] = name == NULL ? '?' : '.';
	for (p = (const unsigned char *)name; p != NULL && *p != '\0' &&
	    n < DNS_NAME_MAX * 4; p++) {
		if (*p > 0x20 && *p < 0x7f && *p != '\\')
			line[n++] = (char)*p;
		else
			n += srv_log_hex(line + n, *p);
	}
	if (type == EVDNS_TYPE_A)
		snprintf(tbuf, sizeof(tbuf), "A");
	else if (type == EVDNS_TYPE_AAAA)
		snprintf(tbuf, sizeof(tbuf), "AAAA");
	else if (type >= 0)
		snprintf(tbuf, sizeof(tbuf), "TYPE%d", type);	/* RFC 3597 */
	else
		snprintf(tbuf, sizeof(tbuf), "?");
	w = snprintf(line + n, sizeof(line) - n, " %s -> %s\n", tbuf,
	    reply_names[r]);
	if (w < 0 || (size_t)w >= sizeof(line) - n)
		return;
	n += (size_t)w;
	if (write(STDERR_FILENO, line, n) == -1)
		return;	/* nowhere left to complain */
}

static void
zone_free(struct zone *z)
{
	free(z->rec);
	z->rec = NULL;
	z->n = 0;
}

/* One line, cut into fields by the caller; the message says what's wrong. */
static const char *
zone_record(char *const f[4], struct record *rec)
{
	size_t len;
	long long v;
	char *p;

	len = strlen(f[0]);
	if (len > 1 && f[0][len - 1] == '.')
		f[0][--len] = '\0';
	if (len == 0 || len > DNS_NAME_MAX || strcmp(f[0], ".") == 0)
		return "bad NAME";
	for (p = f[0]; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	memcpy(rec->name, f[0], len + 1);

	if (strcasecmp(f[1], "A") == 0)
		rec->type = EVDNS_TYPE_A;
	else if (strcasecmp(f[1], "AAAA") == 0)
		rec->type = EVDNS_TYPE_AAAA;
	else
		return "TYPE must be A or AAAA";

	if (srv_num_parse(f[2], 0, DNS_TTL_MAX, &v) != NULL)
		return "TTL must be 0-2147483647";
	rec->ttl = (int)v;

	if (rec->type == EVDNS_TYPE_A &&
	    inet_pton(AF_INET, f[3], &rec->addr.a) != 1)
		return "ADDRESS of an A record must be IPv4";
	if (rec->type == EVDNS_TYPE_AAAA &&
	    inet_pton(AF_INET6, f[3], &rec->addr.aaaa) != 1)
		return "ADDRESS of an AAAA record must be IPv6";
	return NULL;
}

/*
 * Read a zone file whole into z, or leave z alone and say where the
 * file is wrong: a reload with a typo keeps the records that work.
 */
static int
zone_load(const char *path, struct zone *z)
{
	struct zone nz = { NULL, 0 };
	struct record *rec;
	FILE *fp;
	char *line = NULL, *f[5], *save, *hash;
	const char *errstr;
	size_t cap = 0, alloc = 0, lineno = 0;
	int nf;

	if ((fp = fopen(path, "re")) == NULL) {
		warn("%s", path);
		return -1;
	}
	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		for (nf = 0; nf < 5; nf++) {
			f[nf] = strtok_r(nf == 0 ? line : NULL, " \t\r\n",
			    &save);
			if (f[nf] == NULL)
				break;
		}
		if (nf == 0)
			continue;
		if (nf != 4) {
			warnx("%s:%zu: want NAME TYPE TTL ADDRESS", path,
			    lineno);
			goto fail;
		}
		if (nz.n == alloc) {
			alloc = alloc == 0 ? 16 : alloc * 2;
			if ((rec = reallocarray(nz.rec, alloc,
			    sizeof(*rec))) == NULL) {
				warn("%s", __func__);
				goto fail;
			}
			nz.rec = rec;
		}
		if ((errstr = zone_record(f, &nz.rec[nz.n])) != NULL) {
			warnx("%s:%zu: %s", path, lineno, errstr);
			goto fail;
		}
		nz.n++;
	}
	if (ferror(fp)) {
		warn("%s", path);
		goto fail;
	}
	free(line);
	fclose(fp);
	zone_free(z);
	*z = nz;
	return 0;

 fail:
	free(line);
	fclose(fp);
	zone_free(&nz);
	return -1;
}

/* DNS names compare without case; the query may carry the final dot. */
static int
name_match(const char *zname, const char *qname)
{
	size_t zlen = strlen(zname), qlen = strlen(qname);

	if (qlen > 0 && qname[qlen - 1] == '.')
		qlen--;
	return zlen == qlen && strncasecmp(zname, qname, qlen) == 0;
}

/* Add the records for q to req, in file order; say what that makes. */
static enum reply
zone_answer(const struct zone *z, struct evdns_server_request *req,
    const struct evdns_server_question *q)
{
	const struct record *rec;
	size_t i, nans = 0;
	int known = 0, r;

	for (i = 0; i < z->n; i++) {
		rec = &z->rec[i];
		if (!name_match(rec->name, q->name))
			continue;
		known = 1;
		if (rec->type != q->type)
			continue;
		/* The owner name as asked: resolvers match it that way. */
		if (rec->type == EVDNS_TYPE_A)
			r = evdns_server_request_add_a_reply(req, q->name, 1,
			    &rec->addr.a, rec->ttl);
		else
			r = evdns_server_request_add_aaaa_reply(req, q->name,
			    1, &rec->addr.aaaa, rec->ttl);
		if (r == -1)
			warnx("%s: cannot add a record for %s", __func__,
			    q->name);
		else
			nans++;
	}
	if (!known)
		return REPLY_NXDOMAIN;
	return nans > 0 ? REPLY_ANSWER : REPLY_EMPTY;
}

static void
delayed_free(struct delayed *d)
{
	LIST_REMOVE(d, entry);
	if (d->req != NULL)
		evdns_server_request_drop(d->req);
	event_free(d->timer);
	free(d);
}

static void
request_respond(struct evdns_server_request *req, int rcode)
{
	/* -1: not sent and not queued, so still ours to free. */
	if (evdns_server_request_respond(req, rcode) == -1) {
		warnx("%s: reply not sent", __func__);
		evdns_server_request_drop(req);
	}
}

static void
raw_send(struct dns *dns, const unsigned char *pkt, size_t len,
    const struct sockaddr_storage *to, socklen_t tolen)
{
	if (sendto(dns->fd, pkt, len, 0, (const struct sockaddr *)to,
	    tolen) == -1)
		warn("sendto");
}

static void
delayed_cb(evutil_socket_t fd, short events, void *arg)
{
	struct delayed *d = arg;

	(void)fd;
	(void)events;
	if (d->req != NULL) {
		request_respond(d->req, d->rcode);
		d->req = NULL;
	} else
		raw_send(d->dns, d->pkt, d->len, &d->to, d->tolen);
	delayed_free(d);
}

/* Hold a reply for SLOW_DELAY_S; a timer, so other queries go on. */
static struct delayed *
delayed_new(struct dns *dns)
{
	struct timeval tv = { SLOW_DELAY_S, 0 };
	struct delayed *d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		warn("%s", __func__);
		return NULL;
	}
	d->dns = dns;
	if ((d->timer = evtimer_new(dns->base, delayed_cb, d)) == NULL ||
	    evtimer_add(d->timer, &tv) == -1) {
		warnx("%s: cannot set up a timer", __func__);
		if (d->timer != NULL)
			event_free(d->timer);
		free(d);
		return NULL;
	}
	LIST_INSERT_HEAD(&dns->delayed, d, entry);
	return d;
}

static void
request_cb(struct evdns_server_request *req, void *arg)
{
	struct dns *dns = arg;
	struct evdns_server_question *q;
	struct delayed *d;
	enum reply r;
	int rcode = DNS_ERR_NONE;

	if (req->nquestions != 1) {
		query_log(NULL, -1, REPLY_FORMERR);
		request_respond(req, DNS_ERR_FORMAT);
		return;
	}
	q = req->questions[0];
	if (dns->mute) {
		query_log(q->name, q->type, REPLY_DROPPED);
		evdns_server_request_drop(req);
		return;
	}
	if (dns->truncate) {
		/* What a server says when the answer won't fit: try TCP. */
		evdns_server_request_set_flags(req, EVDNS_FLAGS_AA |
		    DNS_FLAG_TC);
		r = REPLY_TRUNCATED;
	} else {
		evdns_server_request_set_flags(req, EVDNS_FLAGS_AA);
		r = zone_answer(&dns->zone, req, q);
		if (r == REPLY_NXDOMAIN)
			rcode = DNS_ERR_NOTEXIST;
	}
	if (dns->slow && (d = delayed_new(dns)) != NULL) {
		d->req = req;
		d->rcode = rcode;
		r = REPLY_SLOW;
		query_log(q->name, q->type, r);
		return;
	}
	query_log(q->name, q->type, r);
	request_respond(req, rcode);
}

/*
 * -g: the question of a raw query, for the log only.  Names in queries
 * come uncompressed; anything else counts as unparsable.
 */
static int
raw_question(const unsigned char *pkt, size_t len, char *name, size_t size,
    int *type)
{
	size_t off = DNS_HDR_LEN, n = 0, i, lablen;

	if (((size_t)pkt[4] << 8 | pkt[5]) != 1)
		return -1;
	for (;;) {
		if (off >= len)
			return -1;
		lablen = pkt[off++];
		if (lablen == 0)
			break;
		if (lablen > 63 || off + lablen > len ||
		    n + lablen + 2 > size)
			return -1;
		if (n > 0)
			name[n++] = '.';
		for (i = 0; i < lablen; i++, off++)
			name[n++] = pkt[off] == '\0' ? '?' : (char)pkt[off];
	}
	if (off + 4 > len)
		return -1;
	name[n] = '\0';
	*type = pkt[off] << 8 | pkt[off + 1];
	return 0;
}

/*
 * -g: the query's ID and the QR bit, so a resolver takes the packet for
 * its answer; then a header that promises a question and an answer and
 * GARBAGE_TAIL random bytes, too few to hold them.  It never parses.
 */
static size_t
raw_garbage(const unsigned char *query, unsigned char *pkt)
{
	static const unsigned char hdr[DNS_HDR_LEN - 2] = {
		0x81, 0x80,	/* QR RD RA, NOERROR */
		0, 1,		/* one question */
		0, 1,		/* one answer */
		0, 0, 0, 0,
	};

	pkt[0] = query[0];
	pkt[1] = query[1];
	memcpy(pkt + 2, hdr, sizeof(hdr));
	evutil_secure_rng_get_bytes(pkt + DNS_HDR_LEN, GARBAGE_TAIL);
	return DNS_HDR_LEN + GARBAGE_TAIL;
}

static void
raw_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct dns *dns = arg;
	struct sockaddr_storage from;
	struct delayed *d;
	unsigned char query[QUERY_MAX], pkt[DNS_HDR_LEN + GARBAGE_TAIL];
	char name[DNS_NAME_MAX + 2];
	socklen_t fromlen;
	ssize_t n;
	size_t len;
	int i, type;

	(void)events;
	for (i = 0; i < RAW_BURST; i++) {
		fromlen = sizeof(from);
		n = recvfrom(fd, query, sizeof(query), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				warn("recvfrom");
			return;
		}
		/* Too short for a header, or an answer: not a query. */
		if (n < DNS_HDR_LEN || (query[2] & 0x80) != 0)
			continue;
		if (raw_question(query, (size_t)n, name, sizeof(name),
		    &type) == -1) {
			name[0] = '?';
			name[1] = '\0';
			type = -1;
		}
		if (dns->mute) {
			query_log(name, type, REPLY_DROPPED);
			continue;
		}
		len = raw_garbage(query, pkt);
		if (dns->slow && (d = delayed_new(dns)) != NULL) {
			memcpy(d->pkt, pkt, len);
			d->len = len;
			d->to = from;
			d->tolen = fromlen;
			query_log(name, type, REPLY_SLOW);
			continue;
		}
		query_log(name, type, REPLY_GARBAGE);
		raw_send(dns, pkt, len, &from, fromlen);
	}
}

static int
dns_open(struct dns *dns, const struct sockaddr_storage *addr,
    socklen_t addrlen, in_port_t *port)
{
	struct sockaddr_storage ss = *addr;
	socklen_t len;

	dns->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (dns->fd == -1) {
		warn("socket");
		return -1;
	}
	if (bind(dns->fd, (struct sockaddr *)&ss, addrlen) == -1) {
		warn("bind port %u", srv_addr_port(&ss));
		return -1;
	}
	len = sizeof(ss);
	if (getsockname(dns->fd, (struct sockaddr *)&ss, &len) == -1) {
		warn("getsockname");
		return -1;
	}
	*port = srv_addr_port(&ss);

	if (dns->garbage) {
		dns->raw_ev = event_new(dns->base, dns->fd,
		    EV_READ | EV_PERSIST, raw_read_cb, dns);
		if (dns->raw_ev == NULL || event_add(dns->raw_ev, NULL) == -1) {
			warnx("%s: cannot set up the read event", __func__);
			return -1;
		}
		return 0;
	}
	dns->port = evdns_add_server_port_with_base(dns->base, dns->fd, 0,
	    request_cb, dns);
	if (dns->port == NULL) {
		warnx("%s: cannot set up the evdns server port", __func__);
		return -1;
	}
	return 0;
}

/* Held replies first: each holds a reference on the evdns port. */
static void
dns_close(struct dns *dns)
{
	struct delayed *d;

	while ((d = LIST_FIRST(&dns->delayed)) != NULL)
		delayed_free(d);
	if (dns->port != NULL)
		evdns_close_server_port(dns->port);	/* closes fd */
	else {
		if (dns->raw_ev != NULL)
			event_free(dns->raw_ev);
		if (dns->fd != -1)
			close(dns->fd);
	}
	dns->port = NULL;
	dns->raw_ev = NULL;
	dns->fd = -1;
}

static void
signal_cb(evutil_socket_t sig, short events, void *arg)
{
	struct dns *dns = arg;

	(void)events;
	switch (sig) {
	case SIGHUP:
		if (dns->zonepath == NULL)
			fprintf(stderr, "reload: no zone file\n");
		else if (zone_load(dns->zonepath, &dns->zone) == 0)
			fprintf(stderr, "reload %s: %zu records\n",
			    dns->zonepath, dns->zone.n);
		else
			fprintf(stderr, "reload %s failed: keeping %zu "
			    "records\n", dns->zonepath, dns->zone.n);
		break;
	case SIGUSR1:
		dns->mute = !dns->mute;
		fprintf(stderr, "mute %s\n", dns->mute ? "on" : "off");
		break;
	case SIGUSR2:
		dns->slow = !dns->slow;
		fprintf(stderr, "slow %s\n", dns->slow ? "on" : "off");
		break;
	}
}

int
main(int argc, char *argv[])
{
	/* SIGTERM and SIGINT stop it: srv_loop's, with the deadline. */
	static const int sigs[] = { SIGHUP, SIGUSR1, SIGUSR2 };
	struct event *sig_ev[sizeof(sigs) / sizeof(sigs[0])];
	struct srv_loop loop;
	struct timeval deadline = { 300, 0 };
	struct sockaddr_storage addr;
	struct dns dns;
	const char *addrstr = "127.0.0.1";
	socklen_t addrlen;
	in_port_t port;
	size_t i;
	int ch, status = 0;

	memset(&dns, 0, sizeof(dns));
	dns.fd = -1;
	LIST_INIT(&dns.delayed);

	while ((ch = getopt(argc, argv, "b:ghTt:z:")) != -1) {
		switch (ch) {
		case 'b':
			addrstr = optarg;
			break;
		case 'g':
			dns.garbage = 1;
			break;
		case 'T':
			dns.truncate = 1;
			break;
		case 't':
			if (srv_deadline_parse(optarg, &deadline) == -1)
				usage();
			break;
		case 'z':
			dns.zonepath = optarg;
			break;
		case 'h':
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();
	if (srv_port_parse(argv[0], &port) == -1)
		usage();
	if (dns.garbage && dns.truncate) {
		warnx("-g and -T exclude each other");
		usage();
	}

	srv_addr_bind(addrstr, &addr, &addrlen);
	srv_addr_set_port(&addr, port);

	if (dns.zonepath != NULL && zone_load(dns.zonepath, &dns.zone) == -1)
		return 1;

	srv_loop_init(&loop, &deadline);
	dns.base = loop.base;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sig_ev[i] = evsignal_new(dns.base, sigs[i], signal_cb, &dns);
		if (sig_ev[i] == NULL || evsignal_add(sig_ev[i], NULL) == -1)
			errx(1, "cannot set up signal events");
	}
	if (dns_open(&dns, &addr, addrlen, &port) == -1) {
		status = 1;
		goto out;
	}

	/* The one line tests wait for; only now is it true. */
	printf("ready %u\n", port);
	status = srv_loop_run(&loop);

 out:
	dns_close(&dns);
	for (i = sizeof(sigs) / sizeof(sigs[0]); i > 0; i--)
		event_free(sig_ev[i - 1]);
	srv_loop_free(&loop);
	zone_free(&dns.zone);
	return status;
}
