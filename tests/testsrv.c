/*
 * testsrv: a loopback TCP target for futd's tests and demo.
 *
 * It listens on one or more ports and behaves in one of the ways a
 * prober has to tell apart: it takes data (sink, or silent: the same),
 * takes it slowly (slow), never completes a handshake (noaccept), closes
 * at once (close) or resets (rst).  It also plays the servers a prober
 * talks to: one that speaks first (banner), one that answers a request
 * (respond), one that drips its answer a byte at a time (trickle), one
 * that sends more than anyone wants (flood), one that sends back what it
 * reads (echo: binary data, NULs and all) and one that speaks and hangs
 * up (hangup: a peer gone between two steps of a dialogue).  Every
 * connection it ends becomes one line in the log file, so a test can
 * check what arrived and whether the client closed with FIN or RST.
 *
 * It refuses any address that is not loopback and exits by itself after
 * a while: a test that forgets it must neither leave a server behind nor
 * turn the machine into a target reachable from elsewhere.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "srvutil.h"

#define LOG_DATA_MAX	256	/* payload bytes kept for the log line */
#define LOG_LINE_MAX	(160 + 4 * LOG_DATA_MAX)	/* prefix < 160, each byte <= 4 */
#define SINK_READ_MAX	65536
#define SLOW_READ_MAX	1024
#define SLOW_DELAY_MS	5	/* -d default in slow mode */
#define TRICKLE_DELAY_MS 1000	/* -d default in trickle mode */
#define FLOOD_CHUNK	65536	/* bytes per write in flood mode */
#define FLOOD_PERIOD	26	/* flood bytes are 'a'..'z', over and over */
#define FLOOD_MAX	(1LL << 40)
#define ACCEPT_BURST	64	/* per wake-up, so one busy port can't starve the rest */
#define ACCEPT_PAUSE_S	1	/* listener rest after EMFILE and the like */
#define NOACCEPT_FILL	3	/* self-connects that keep a backlog-0 queue full */
#define FILL_WAIT_MS	1000

enum mode {
	MODE_SINK,
	MODE_SLOW,
	MODE_NOACCEPT,
	MODE_CLOSE,
	MODE_RST,
	MODE_SILENT,
	MODE_BANNER,
	MODE_RESPOND,
	MODE_TRICKLE,
	MODE_FLOOD,
	MODE_ECHO,
	MODE_HANGUP,
};

static const char *const mode_names[] = {
	[MODE_SINK] = "sink",
	[MODE_SLOW] = "slow",
	[MODE_NOACCEPT] = "noaccept",
	[MODE_CLOSE] = "close",
	[MODE_RST] = "rst",
	[MODE_SILENT] = "silent",
	[MODE_BANNER] = "banner",
	[MODE_RESPOND] = "respond",
	[MODE_TRICKLE] = "trickle",
	[MODE_FLOOD] = "flood",
	[MODE_ECHO] = "echo",
	[MODE_HANGUP] = "hangup",
};

/* How the client ended a connection we read to EOF: the log's end=. */
enum conn_close {
	CLOSE_NONE,		/* still open */
	CLOSE_FIN,		/* read returned 0 */
	CLOSE_RST,		/* ECONNRESET (or EPIPE on a write) */
	CLOSE_ERR,		/* any other error; not seen on loopback */
};

static const char *const close_names[] = {
	[CLOSE_NONE] = "none",
	[CLOSE_FIN] = "fin",
	[CLOSE_RST] = "rst",
	[CLOSE_ERR] = "err",
};

static unsigned char flood_pattern[FLOOD_CHUNK + FLOOD_PERIOD];

struct server;

struct listener {
	struct server		*srv;
	struct event		*accept_ev;
	struct event		*pause_ev;
	int			 fd;
	in_port_t		 port;		/* host order, the real one */
	int			 fill[NOACCEPT_FILL];	/* noaccept only */
};

struct conn {
	LIST_ENTRY(conn)	 entry;
	struct server		*srv;
	struct event		*read_ev;
	struct event		*pause_ev;	/* slow only */
	struct event		*write_ev;	/* banner, respond, flood,
						   hangup */
	struct event		*tick_ev;	/* trickle only */
	int			 fd;
	in_port_t		 lport;
	enum conn_close		 close;
	unsigned long long	 nbytes;
	unsigned long long	 sent;		/* output written so far */
	unsigned long long	 tosend;	/* output due in all */
	size_t			 headlen;
	unsigned char		 head[LOG_DATA_MAX];
	char			 peer[SRV_PEER_STRLEN];
};

struct server {
	struct event_base	*base;
	enum mode		 mode;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 logfd;
	struct timeval		 delay;		/* slow, trickle: -d */
	int			 rcvbuf;	/* slow: SO_RCVBUF */
	unsigned char		*text;		/* -B, decoded */
	size_t			 textlen;
	unsigned long long	 flood;		/* flood: -F */
	struct listener		*listeners;
	size_t			 nlisteners;
	LIST_HEAD(, conn)	 conns;
};

static _Noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: testsrv [-b ADDR] [-m MODE] [-l LOGFILE] [-t SECONDS] "
	    "[-d MS] [-R BYTES]\n"
	    "               [-B TEXT] [-F BYTES] PORT...\n"
	    "  -b ADDR     loopback address to bind: 127.0.0.0/8 or ::1 "
	    "(default 127.0.0.1)\n"
	    "  -m MODE     what each connection gets (default sink):\n"
	    "      sink      read to EOF, never send\n"
	    "      silent    the same as sink: never sends, never closes "
	    "first\n"
	    "      slow      read 1 KiB per -d MS with a small SO_RCVBUF "
	    "(-R)\n"
	    "      banner    send TEXT at once, then read to EOF\n"
	    "      respond   read; once bytes arrived send TEXT once; read "
	    "to EOF\n"
	    "      trickle   send TEXT one byte per -d MS; read to EOF\n"
	    "      flood     send -F BYTES as fast as the client takes them; "
	    "read to EOF\n"
	    "      echo      send back what arrives, to EOF\n"
	    "      hangup    send TEXT at once, then close (FIN)\n"
	    "      noaccept  never complete the handshake: connect times "
	    "out\n"
	    "      close     accept, read nothing, close at once "
	    "(closed early: FIN)\n"
	    "      rst       accept, read nothing, reset (RST)\n"
	    "  -l LOGFILE  append one line per finished connection\n"
	    "  -t SECONDS  exit after this long, 1-86400 (default 300)\n"
	    "  -d MS       0-60000; slow: pause between reads (default 5);\n"
	    "              trickle: pause between bytes (default 1000)\n"
	    "  -R BYTES    slow: SO_RCVBUF, 1-16777216 (default 4096)\n"
	    "  -B TEXT     banner, respond, trickle, hangup: what to send; "
	    "\\r \\n \\t \\\\ \\xHH decoded\n"
	    "  -F BYTES    flood: how many, 1-%lld; \"abc...xyzabc...\"\n"
	    "  PORT        0-65535; 0 picks an ephemeral port\n"
	    "prints \"ready PORT...\" on stdout once listening; "
	    "exits 0 on SIGTERM, SIGINT or timeout\n"
	    "log line: conn port=P peer=ADDR:PORT bytes=N end=fin|rst "
	    "data=ESCAPED\n"
	    "  (close and rst read nothing and have no end=; data= holds "
	    "the first %d bytes)\n", FLOOD_MAX, LOG_DATA_MAX);
	exit(2);
}

static int
mode_parse(const char *s, enum mode *out)
{
	size_t i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*out = (enum mode)i;
			return 0;
		}
	}
	return -1;
}

/*
 * One line per connection, built whole and written with one write(2) on
 * an O_APPEND descriptor, so lines never interleave or come out half.
 * Callers log before they close the socket: once a client sees EOF or
 * RST, its line is already in the file.  end is how the client closed,
 * NULL for the modes that never read.
 */
static void
conn_log(struct server *srv, in_port_t lport, const char *peer,
    unsigned long long nbytes, const char *end, const unsigned char *head,
    size_t headlen)
{
	char line[LOG_LINE_MAX];
	size_t i, n;
	int r;

	if (srv->logfd == -1)
		return;
	r = snprintf(line, sizeof(line), "conn port=%u peer=%s bytes=%llu%s%s "
	    "data=", lport, peer, nbytes, end != NULL ? " end=" : "",
	    end != NULL ? end : "");
	if (r < 0 || (size_t)r >= sizeof(line))
		return;
	n = (size_t)r;
	for (i = 0; i < headlen; i++) {
		unsigned char ch = head[i];

		if (ch == '\\') {
			line[n++] = '\\';
			line[n++] = '\\';
		} else if (ch >= 0x20 && ch < 0x7f)
			line[n++] = (char)ch;
		else
			n += srv_log_hex(line + n, ch);
	}
	line[n++] = '\n';
	srv_log_write(srv->logfd, line, n);
}

static void
conn_free(struct conn *c)
{
	LIST_REMOVE(c, entry);
	if (c->read_ev != NULL)
		event_free(c->read_ev);
	if (c->pause_ev != NULL)
		event_free(c->pause_ev);
	if (c->write_ev != NULL)
		event_free(c->write_ev);
	if (c->tick_ev != NULL)
		event_free(c->tick_ev);
	if (c->fd != -1)
		close(c->fd);
	free(c);
}

static void
conn_end(struct conn *c)
{
	conn_log(c->srv, c->lport, c->peer, c->nbytes, close_names[c->close],
	    c->head, c->headlen);
	conn_free(c);
}

/*
 * A write failed for good: the client is gone.  If it had not closed
 * already, its going was a reset (ECONNRESET, or EPIPE when a read
 * took the error first); a FIN it sent before stays the answer, since
 * the RST that followed was only the kernel's reply to our data.
 */
static void
conn_write_failed(struct conn *c, int error)
{
	if (c->close == CLOSE_NONE)
		c->close = error == ECONNRESET || error == EPIPE ?
		    CLOSE_RST : CLOSE_ERR;
	conn_end(c);
}

/* The next piece of output: TEXT from where we are, or flood bytes. */
static size_t
conn_output(struct conn *c, const unsigned char **p)
{
	unsigned long long left = c->tosend - c->sent;

	if (c->srv->mode == MODE_FLOOD) {
		*p = flood_pattern + c->sent % FLOOD_PERIOD;
		return left < FLOOD_CHUNK ? (size_t)left : FLOOD_CHUNK;
	}
	*p = c->srv->text + c->sent;
	return (size_t)left;
}

/*
 * banner, respond, flood: a persistent write event, on while output is
 * due.  One write per wake-up: a client that reads slowly gets its bytes
 * as it makes room, and never blocks the others.
 */
static void
conn_write_cb(evutil_socket_t fd, short events, void *arg)
{
	struct conn *c = arg;
	const unsigned char *p;
	size_t len;
	ssize_t n;

	(void)events;
	len = conn_output(c, &p);
	n = send(fd, p, len, MSG_NOSIGNAL);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		conn_write_failed(c, errno);
		return;
	}
	c->sent += (unsigned long long)n;
	if (c->sent < c->tosend)
		return;
	event_del(c->write_ev);
	/*
	 * The client half-closed while we still had output for it; hangup
	 * said its piece and goes (FIN: nothing of the client's unread).
	 */
	if (c->close != CLOSE_NONE || c->srv->mode == MODE_HANGUP)
		conn_end(c);
}

/* trickle: one byte, then the next one -d MS later. */
static void
conn_tick_cb(evutil_socket_t fd, short events, void *arg)
{
	struct conn *c = arg;
	ssize_t n;

	(void)fd;	/* -1: a timer */
	(void)events;
	n = send(c->fd, c->srv->text + c->sent, 1, MSG_NOSIGNAL);
	if (n == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			conn_write_failed(c, errno);
			return;
		}
	} else
		c->sent++;
	if (c->sent < c->tosend)
		evtimer_add(c->tick_ev, &c->srv->delay);
}

static void
conn_read_cb(evutil_socket_t fd, short events, void *arg)
{
	static unsigned char buf[SINK_READ_MAX];
	struct conn *c = arg;
	size_t want, keep;
	ssize_t n;

	(void)events;
	want = c->srv->mode == MODE_SLOW ? SLOW_READ_MAX : sizeof(buf);
	n = read(fd, buf, want);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			event_add(c->read_ev, NULL);
			return;
		}
		/* ECONNRESET and friends: the client is gone; log what came. */
		c->close = errno == ECONNRESET ? CLOSE_RST : CLOSE_ERR;
		conn_end(c);
		return;
	}
	if (n == 0) {
		c->close = CLOSE_FIN;
		/*
		 * A client that half-closes may still read: banner, respond
		 * and flood finish their output first (conn_write_cb ends
		 * the connection).  trickle stops: it sends until the
		 * client goes, not longer.
		 */
		if (c->write_ev != NULL && c->sent < c->tosend)
			return;
		conn_end(c);
		return;
	}

	c->nbytes += (unsigned long long)n;
	if (c->headlen < sizeof(c->head)) {
		keep = sizeof(c->head) - c->headlen;
		if (keep > (size_t)n)
			keep = (size_t)n;
		memcpy(c->head + c->headlen, buf, keep);
		c->headlen += keep;
	}

	/*
	 * echo: straight back.  The tests send a few bytes and read them;
	 * a client that does not read loses what the kernel cannot take.
	 */
	if (c->srv->mode == MODE_ECHO && send(fd, buf, (size_t)n,
	    MSG_NOSIGNAL | MSG_DONTWAIT) != n)
		warnx("echo: %zd bytes not all sent back", n);

	/* respond: the first bytes of the request are the cue, once. */
	if (c->srv->mode == MODE_RESPOND && c->tosend == 0) {
		c->tosend = c->srv->textlen;
		event_add(c->write_ev, NULL);
	}

	/*
	 * The read event is one-shot so slow mode can stay off the socket
	 * for a while: the kernel buffer fills and the client's writes
	 * stall, which is the back-pressure a prober must cope with.
	 */
	if (c->srv->mode == MODE_SLOW)
		evtimer_add(c->pause_ev, &c->srv->delay);
	else
		event_add(c->read_ev, NULL);
}

static void
conn_resume_cb(evutil_socket_t fd, short events, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)events;
	event_add(c->read_ev, NULL);
}

static int
conn_new(struct listener *l, int fd, const char *peer)
{
	struct server *srv = l->srv;
	struct conn *c;
	struct timeval now = { 0, 0 };

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->srv = srv;
	c->fd = fd;
	c->lport = l->port;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	LIST_INSERT_HEAD(&srv->conns, c, entry);

	c->read_ev = event_new(srv->base, fd, EV_READ, conn_read_cb, c);
	if (c->read_ev == NULL)
		goto fail;
	if (srv->mode == MODE_SLOW) {
		c->pause_ev = evtimer_new(srv->base, conn_resume_cb, c);
		if (c->pause_ev == NULL)
			goto fail;
	}
	if (event_add(c->read_ev, NULL) == -1)
		goto fail;

	switch (srv->mode) {
	case MODE_BANNER:
	case MODE_HANGUP:
	case MODE_FLOOD:
		c->tosend = srv->mode == MODE_FLOOD ? srv->flood : srv->textlen;
		/* FALLTHROUGH */
	case MODE_RESPOND:
		/* respond arms it in conn_read_cb, on the first bytes. */
		c->write_ev = event_new(srv->base, fd, EV_WRITE | EV_PERSIST,
		    conn_write_cb, c);
		if (c->write_ev == NULL || (c->tosend > 0 &&
		    event_add(c->write_ev, NULL) == -1))
			goto fail;
		break;
	case MODE_TRICKLE:
		/* The first byte at once, the rest -d MS apart. */
		c->tosend = srv->textlen;
		c->tick_ev = evtimer_new(srv->base, conn_tick_cb, c);
		if (c->tick_ev == NULL || evtimer_add(c->tick_ev, &now) == -1)
			goto fail;
		break;
	default:
		break;
	}
	return 0;

 fail:
	c->fd = -1;	/* the caller still owns fd */
	conn_free(c);
	return -1;
}

static void
listener_pause(struct listener *l)
{
	struct timeval tv = { ACCEPT_PAUSE_S, 0 };

	warn("accept on port %u; pausing it for %d s", l->port,
	    ACCEPT_PAUSE_S);
	event_del(l->accept_ev);
	evtimer_add(l->pause_ev, &tv);
}

static void
listener_resume_cb(evutil_socket_t fd, short events, void *arg)
{
	struct listener *l = arg;

	(void)fd;
	(void)events;
	event_add(l->accept_ev, NULL);
}

static void
listener_accept_cb(evutil_socket_t fd, short events, void *arg)
{
	struct listener *l = arg;
	struct server *srv = l->srv;
	struct sockaddr_storage ss;
	struct linger lg = { 1, 0 };
	socklen_t sslen;
	char peer[SRV_PEER_STRLEN];
	int cfd, i;

	(void)events;
	for (i = 0; i < ACCEPT_BURST; i++) {
		sslen = sizeof(ss);
		cfd = accept4(fd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			switch (errno) {
			/* accept4(2): errors of the new connection; go on. */
			case EINTR:
			case ECONNABORTED:
			case EPROTO:
			case ENOPROTOOPT:
			case ENETDOWN:
			case ENETUNREACH:
			case EHOSTDOWN:
			case EHOSTUNREACH:
			case ENONET:
			case EOPNOTSUPP:
				continue;
			default:
				/*
				 * EMFILE, ENFILE, ENOBUFS, ENOMEM: the
				 * listener stays readable, so retrying now
				 * would spin.  Rest instead.
				 */
				listener_pause(l);
				return;
			}
		}
		srv_addr_fmt(&ss, peer, sizeof(peer));

		switch (srv->mode) {
		case MODE_CLOSE:
			/*
			 * The closed-early server.  A plain close sends FIN;
			 * had the client already sent data we never read,
			 * the kernel sends RST.
			 */
			conn_log(srv, l->port, peer, 0, NULL, NULL, 0);
			close(cfd);
			break;
		case MODE_RST:
			/* Linger on with a zero timeout: close sends RST. */
			if (setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg,
			    sizeof(lg)) == -1)
				warn("setsockopt SO_LINGER");
			conn_log(srv, l->port, peer, 0, NULL, NULL, 0);
			close(cfd);
			break;
		case MODE_SINK:
		case MODE_SILENT:
		case MODE_SLOW:
		case MODE_BANNER:
		case MODE_RESPOND:
		case MODE_TRICKLE:
		case MODE_FLOOD:
		case MODE_ECHO:
		case MODE_HANGUP:
			if (conn_new(l, cfd, peer) == -1) {
				warn("connection from %s", peer);
				close(cfd);
			}
			break;
		case MODE_NOACCEPT:
			/* Never registered for accept. */
			close(cfd);
			break;
		}
	}
}

/*
 * noaccept: connect() to this port must time out, not be refused.
 * Linux answers a SYN only while the listener's accept queue has room;
 * when it is full it drops the SYN without a word (tcp_conn_request()
 * checks sk_acceptq_is_full()), and the client retransmits until its own
 * timeout.  With backlog 0 the queue still takes one connection (the
 * test is "more than the backlog"), so we connect to ourselves: the
 * first connection fills the queue and, never accepted, stays there; the
 * others are dropped like everyone else's.  We wait for the first one to
 * complete so that "ready" means probes time out from now on.
 */
static int
listener_fill(struct listener *l)
{
	struct server *srv = l->srv;
	struct sockaddr_storage ss = srv->addr;
	struct pollfd pfd;
	socklen_t len;
	int i, fd, r, soerr;

	srv_addr_set_port(&ss, l->port);
	for (i = 0; i < NOACCEPT_FILL; i++) {
		fd = socket(ss.ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd == -1) {
			warn("socket");
			return -1;
		}
		l->fill[i] = fd;
		if (connect(fd, (struct sockaddr *)&ss, srv->addrlen) == -1 &&
		    errno != EINPROGRESS) {
			warn("connect to own port %u", l->port);
			return -1;
		}
		if (i > 0)
			continue;

		pfd.fd = fd;
		pfd.events = POLLOUT;
		do {
			r = poll(&pfd, 1, FILL_WAIT_MS);
		} while (r == -1 && errno == EINTR);
		if (r == -1) {
			warn("poll");
			return -1;
		}
		if (r == 0) {
			warnx("connect to own port %u: no handshake in %d ms",
			    l->port, FILL_WAIT_MS);
			return -1;
		}
		len = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1) {
			warn("getsockopt SO_ERROR");
			return -1;
		}
		if (soerr != 0) {
			errno = soerr;
			warn("connect to own port %u", l->port);
			return -1;
		}
	}
	return 0;
}

static int
listener_open(struct server *srv, struct listener *l, in_port_t port)
{
	struct sockaddr_storage ss = srv->addr;
	socklen_t len;
	int on = 1;

	l->srv = srv;
	l->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (l->fd == -1) {
		warn("socket");
		return -1;
	}
	if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) == -1) {
		warn("setsockopt SO_REUSEADDR");
		return -1;
	}
	/*
	 * Set on the listener, before listen(): accepted sockets inherit it,
	 * and the window advertised in the handshake already reflects it.
	 */
	if (srv->mode == MODE_SLOW && setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF,
	    &srv->rcvbuf, sizeof(srv->rcvbuf)) == -1) {
		warn("setsockopt SO_RCVBUF");
		return -1;
	}
	srv_addr_set_port(&ss, port);
	if (bind(l->fd, (struct sockaddr *)&ss, srv->addrlen) == -1) {
		warn("bind port %u", port);
		return -1;
	}
	if (listen(l->fd, srv->mode == MODE_NOACCEPT ? 0 : SOMAXCONN) == -1) {
		warn("listen");
		return -1;
	}
	len = sizeof(ss);
	if (getsockname(l->fd, (struct sockaddr *)&ss, &len) == -1) {
		warn("getsockname");
		return -1;
	}
	l->port = srv_addr_port(&ss);

	if (srv->mode == MODE_NOACCEPT)
		return listener_fill(l);

	l->accept_ev = event_new(srv->base, l->fd, EV_READ | EV_PERSIST,
	    listener_accept_cb, l);
	l->pause_ev = evtimer_new(srv->base, listener_resume_cb, l);
	if (l->accept_ev == NULL || l->pause_ev == NULL ||
	    event_add(l->accept_ev, NULL) == -1) {
		warnx("%s: cannot set up events", __func__);
		return -1;
	}
	return 0;
}

static void
listener_close(struct listener *l)
{
	int i;

	if (l->accept_ev != NULL)
		event_free(l->accept_ev);
	if (l->pause_ev != NULL)
		event_free(l->pause_ev);
	for (i = 0; i < NOACCEPT_FILL; i++)
		if (l->fill[i] != -1)
			close(l->fill[i]);
	if (l->fd != -1)
		close(l->fd);
}

int
main(int argc, char *argv[])
{
	struct server srv;
	struct srv_loop loop;
	struct timeval deadline = { 300, 0 };
	struct conn *c;
	const char *logpath = NULL, *addrstr = "127.0.0.1", *errstr;
	const char *text = NULL;
	long long v, delay_ms = -1;
	size_t i;
	int ch, status = 0;

	memset(&srv, 0, sizeof(srv));
	srv.mode = MODE_SINK;
	srv.logfd = -1;
	srv.rcvbuf = 4096;
	LIST_INIT(&srv.conns);

	while ((ch = getopt(argc, argv, "B:b:d:F:hl:m:R:t:")) != -1) {
		switch (ch) {
		case 'B':
			text = optarg;
			break;
		case 'b':
			addrstr = optarg;
			break;
		case 'd':
			if (srv_num_arg("-d", optarg, 0, 60000, &v) == -1)
				usage();
			delay_ms = v;
			break;
		case 'F':
			if (srv_num_arg("-F", optarg, 1, FLOOD_MAX, &v) == -1)
				usage();
			srv.flood = (unsigned long long)v;
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'm':
			if (mode_parse(optarg, &srv.mode) == -1) {
				warnx("-m %s: unknown mode", optarg);
				usage();
			}
			break;
		case 'R':
			if (srv_num_arg("-R", optarg, 1, 16 << 20, &v) == -1)
				usage();
			srv.rcvbuf = (int)v;
			break;
		case 't':
			if (srv_deadline_parse(optarg, &deadline) == -1)
				usage();
			break;
		case 'h':
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();

	switch (srv.mode) {
	case MODE_BANNER:
	case MODE_RESPOND:
	case MODE_TRICKLE:
	case MODE_HANGUP:
		if (text == NULL) {
			warnx("-m %s needs -B TEXT", mode_names[srv.mode]);
			usage();
		}
		if ((errstr = srv_text_decode(text, 1, &srv.text,
		    &srv.textlen)) != NULL) {
			warnx("-B %s: %s", text, errstr);
			usage();
		}
		break;
	case MODE_FLOOD:
		if (srv.flood == 0) {
			warnx("-m flood needs -F BYTES");
			usage();
		}
		for (i = 0; i < sizeof(flood_pattern); i++)
			flood_pattern[i] = (unsigned char)('a' +
			    i % FLOOD_PERIOD);
		break;
	default:
		break;
	}
	if (text != NULL && srv.text == NULL) {
		warnx("-B is for banner, respond, trickle and hangup only");
		usage();
	}
	if (srv.flood != 0 && srv.mode != MODE_FLOOD) {
		warnx("-F is for flood only");
		usage();
	}
	if (delay_ms == -1)
		delay_ms = srv.mode == MODE_TRICKLE ? TRICKLE_DELAY_MS :
		    SLOW_DELAY_MS;
	srv.delay.tv_sec = (time_t)(delay_ms / 1000);
	srv.delay.tv_usec = (suseconds_t)(delay_ms % 1000) * 1000;

	srv_addr_bind(addrstr, &srv.addr, &srv.addrlen);

	if ((srv.listeners = calloc((size_t)argc, sizeof(*srv.listeners))) ==
	    NULL)
		err(1, "calloc");
	for (i = 0; i < (size_t)argc; i++) {
		if (srv_port_parse(argv[i], &srv.listeners[i].port) == -1)
			usage();
		srv.listeners[i].fd = -1;
		memset(srv.listeners[i].fill, -1,
		    sizeof(srv.listeners[i].fill));
	}

	srv.logfd = srv_log_open(logpath);
	srv_loop_init(&loop, &deadline);
	srv.base = loop.base;

	for (i = 0; i < (size_t)argc; i++) {
		srv.nlisteners++;
		if (listener_open(&srv, &srv.listeners[i],
		    srv.listeners[i].port) == -1) {
			status = 1;
			goto out;
		}
	}

	/* The one line tests and the demo wait for; only now is it true. */
	printf("ready");
	for (i = 0; i < srv.nlisteners; i++)
		printf(" %u", srv.listeners[i].port);
	printf("\n");
	status = srv_loop_run(&loop);

 out:
	/*
	 * Connections still open never reached EOF: they get no line, so a
	 * line always describes a whole connection.
	 */
	while ((c = LIST_FIRST(&srv.conns)) != NULL)
		conn_free(c);
	for (i = srv.nlisteners; i > 0; i--)
		listener_close(&srv.listeners[i - 1]);
	free(srv.listeners);
	srv_loop_free(&loop);
	if (srv.logfd != -1)
		close(srv.logfd);
	free(srv.text);
	return status;
}
