/*
 * tlssrv: a loopback TLS server for futd's tests, with STARTTLS.
 *
 * openssl s_server plays a TLS peer well but cannot speak a plain-text
 * dialogue before the handshake; this one can.  Each connection gets the
 * greeting of its protocol (-s smtp, imap, pop3, ftp, xmpp, or none for
 * TLS at once), its answers to the client's commands up to STARTTLS (STLS
 * for POP3, AUTH TLS for FTP, <starttls/> for XMPP, whose "lines" end at
 * '>'), then the handshake, then it reads to EOF.  With -r it refuses
 * STARTTLS the way a server without a certificate does (SMTP "454", IMAP
 * "NO", POP3 "-ERR", FTP "534", XMPP <failure/>) and reads on in plain
 * text.  Every connection it ends is
 * one line of the log, so a test can check what the client said, which
 * name it sent in SNI and whether the handshake completed.
 *
 * Like testsrv it refuses any address that is not loopback and exits by
 * itself after a while.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "srvutil.h"

#define LINE_MAX_LEN	512	/* a command line longer than this ends it */
#define OUT_MAX		1024	/* plain-text answers waiting to be sent */
#define CMDS_MAX	256	/* the commands kept for the log line */
#define READ_CHUNK	4096
#define LOG_LINE_MAX	1024

enum proto {
	PROTO_NONE,
	PROTO_SMTP,
	PROTO_IMAP,
	PROTO_POP3,
	PROTO_FTP,
	PROTO_XMPP,
};

/*
 * A protocol's side of the dialogue: the greeting, then for each command
 * (matched on its first word, after the tag for IMAP) the answer.  The
 * last command is the one that starts TLS; refuse is its answer with -r.
 * An IMAP answer starts with the client's tag.
 */
struct dialogue {
	const char	*name;
	int		 tagged;
	const char	*greeting;
	const char	*unknown;	/* the answer to anything else */
	struct {
		const char	*cmd;
		const char	*answer;
	} steps[2];
	size_t		 nsteps;
	const char	*refuse;
	char		 eol;		/* a command's end: '\n', or '>' */
};

static const struct dialogue dialogues[] = {
	[PROTO_NONE] = { "none", 0, NULL, NULL, { { NULL, NULL } }, 0, NULL,
	    '\n' },
	[PROTO_SMTP] = { "smtp", 0,
	    "220-tlssrv.test ESMTP\r\n220 tlssrv.test at your service\r\n",
	    "500 5.5.1 command unrecognized\r\n",
	    { { "EHLO", "250-tlssrv.test greets you\r\n250-SIZE 1000\r\n"
		"250 STARTTLS\r\n" },
	      { "STARTTLS", "220 2.0.0 Ready to start TLS\r\n" } }, 2,
	    "454 4.7.0 TLS not available\r\n", '\n' },
	[PROTO_IMAP] = { "imap", 1,
	    "* OK [CAPABILITY IMAP4rev1 STARTTLS] tlssrv ready\r\n",
	    "BAD unknown command\r\n",
	    { { "STARTTLS", "OK Begin TLS negotiation now\r\n" } }, 1,
	    "NO STARTTLS not available\r\n", '\n' },
	[PROTO_POP3] = { "pop3", 0,
	    "+OK tlssrv POP3 ready\r\n",
	    "-ERR unknown command\r\n",
	    { { "STLS", "+OK Begin TLS negotiation\r\n" } }, 1,
	    "-ERR STLS not available\r\n", '\n' },
	[PROTO_FTP] = { "ftp", 0,
	    "220-tlssrv.test FTP\r\n220 ready\r\n",
	    "500 unknown command\r\n",
	    { { "AUTH", "234 AUTH TLS successful\r\n" } }, 1,
	    "534 TLS not available\r\n", '\n' },
	/* the client speaks first: its <?xml ...?> gets nothing back */
	[PROTO_XMPP] = { "xmpp", 0, NULL, "",
	    { { "<stream:stream", "<?xml version='1.0'?><stream:stream "
		"from='tlssrv.test' id='t1' version='1.0' "
		"xmlns='jabber:client' "
		"xmlns:stream='http://etherx.jabber.org/streams'>"
		"<stream:features><starttls "
		"xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
		"</starttls></stream:features>" },
	      { "<starttls", "<proceed "
		"xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" } }, 2,
	    "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
	    "</stream:stream>", '>' },
};

enum conn_state {
	CONN_PLAIN,		/* the dialogue, before TLS */
	CONN_HANDSHAKE,
	CONN_TLS,		/* after the handshake: read to EOF */
	CONN_SINK,		/* STARTTLS refused: read to EOF in plain */
};

struct server;

struct conn {
	LIST_ENTRY(conn)	 entry;
	struct server		*srv;
	struct event		*ev;
	int			 fd;
	SSL			*ssl;
	enum conn_state		 state;
	size_t			 step;		/* the next command expected */
	int			 start_tls;	/* once the answer is out */
	const char		*starttls;	/* ok, refused, none */
	const char		*handshake;	/* ok, failed, none */
	char			 line[LINE_MAX_LEN];
	size_t			 linelen;
	char			 out[OUT_MAX];
	size_t			 outlen;
	size_t			 sent;		/* of -B TEXT, over TLS */
	char			 cmds[CMDS_MAX];
	unsigned long long	 nbytes;	/* application data, after TLS */
	char			 peer[SRV_PEER_STRLEN];
	char			 error[128];
};

struct server {
	struct event_base	*base;
	enum proto		 proto;
	int			 refuse;
	SSL_CTX			*ctx;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 fd;
	in_port_t		 port;
	struct event		*accept_ev;
	int			 logfd;
	unsigned char		*text;		/* -B, decoded */
	size_t			 textlen;
	LIST_HEAD(, conn)	 conns;
};

static void	conn_step(struct conn *);
static void	conn_cb(evutil_socket_t, short, void *);

static _Noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: tlssrv -c CERT -k KEY [-b ADDR] [-s PROTO] [-r] "
	    "[-B TEXT] [-l LOGFILE]\n"
	    "              [-M 1.2] [-t SECONDS] PORT\n"
	    "  -c CERT     the certificate (PEM, chain after the leaf)\n"
	    "  -k KEY      its private key (PEM)\n"
	    "  -b ADDR     loopback address to bind: 127.0.0.0/8 or ::1 "
	    "(default 127.0.0.1)\n"
	    "  -s PROTO    the dialogue before TLS: smtp, imap, pop3, ftp, "
	    "xmpp or none (default none)\n"
	    "  -r          refuse STARTTLS (smtp 454, imap NO, pop3 -ERR, ftp "
	    "534, xmpp <failure/>), then read to EOF\n"
	    "  -B TEXT     send TEXT over TLS after the handshake; "
	    "\\r \\n \\t \\\\ decoded\n"
	    "  -l LOGFILE  append one line per finished connection\n"
	    "  -M 1.2      speak TLS 1.2 at most (default: 1.3 too)\n"
	    "  -t SECONDS  exit after this long, 1-86400 (default 60)\n"
	    "  PORT        0-65535; 0 picks an ephemeral port\n"
	    "prints \"ready PORT\" on stdout once listening; exits 0 on "
	    "SIGTERM, SIGINT or timeout\n"
	    "log line: conn port=P peer=ADDR:PORT proto=PROTO starttls=ok|"
	    "refused|none\n"
	    "          tls=ok|failed|none version=V sni=NAME bytes=N "
	    "error=WORDS cmds=C1|C2...\n");
	exit(2);
}

/* What OpenSSL last said, in words, and its queue emptied. */
static void
ssl_errstr(char *buf, size_t len)
{
	unsigned long e, last = 0;

	while ((e = ERR_get_error()) != 0)
		last = e;
	if (last == 0)
		snprintf(buf, len, "the peer went away");
	else
		snprintf(buf, len, "%s", ERR_reason_error_string(last) != NULL ?
		    ERR_reason_error_string(last) : "TLS error");
}

/* Printable, without blanks: the log splits on them. */
static void
log_word(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] != '\0' && i + 1 < len; i++)
		dst[i] = src[i] > ' ' && src[i] < 0x7f ? src[i] : '_';
	dst[i] = '\0';
}

/*
 * One line per connection, written with one write(2) on an O_APPEND
 * descriptor, before the socket is closed: a client that saw the end
 * finds the line in the file.
 */
static void
conn_log(struct conn *c)
{
	const char *version = "-", *sni = NULL;
	char line[LOG_LINE_MAX], snibuf[256], errbuf[128];
	int n;

	if (c->srv->logfd == -1)
		return;
	if (c->ssl != NULL && strcmp(c->handshake, "ok") == 0) {
		version = SSL_get_version(c->ssl);
		sni = SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
	}
	log_word(snibuf, sizeof(snibuf), sni != NULL ? sni : "-");
	log_word(errbuf, sizeof(errbuf), c->error[0] != '\0' ? c->error :
	    "-");
	n = snprintf(line, sizeof(line), "conn port=%u peer=%s proto=%s "
	    "starttls=%s tls=%s version=%s sni=%s bytes=%llu error=%s "
	    "cmds=%s\n", c->srv->port, c->peer, dialogues[c->srv->proto].name,
	    c->starttls, c->handshake, version, snibuf, c->nbytes, errbuf,
	    c->cmds[0] != '\0' ? c->cmds : "-");
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	srv_log_write(c->srv->logfd, line, (size_t)n);
}

static void
conn_end(struct conn *c)
{
	conn_log(c);
	LIST_REMOVE(c, entry);
	if (c->ev != NULL)
		event_free(c->ev);
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	close(c->fd);
	free(c);
}

/* Wait for the socket to be readable or writable, then step again. */
static void
conn_wait(struct conn *c, short what)
{
	event_del(c->ev);
	event_assign(c->ev, c->srv->base, c->fd, what, conn_cb, c);
	if (event_add(c->ev, NULL) == -1) {
		snprintf(c->error, sizeof(c->error), "event_add failed");
		conn_end(c);
	}
}

static void
conn_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_step(arg);
}

static void
conn_queue(struct conn *c, const char *tag, const char *text)
{
	int n;

	n = snprintf(c->out + c->outlen, sizeof(c->out) - c->outlen, "%s%s%s",
	    tag != NULL ? tag : "", tag != NULL ? " " : "", text);
	if (n > 0 && (size_t)n < sizeof(c->out) - c->outlen)
		c->outlen += (size_t)n;
}

/* Keep the command for the log: "EHLO_futd.invalid|STARTTLS". */
static void
conn_note(struct conn *c, const char *line)
{
	size_t len = strlen(c->cmds);
	char word[LINE_MAX_LEN];

	log_word(word, sizeof(word), line);
	snprintf(c->cmds + len, sizeof(c->cmds) - len, "%s%s",
	    len > 0 ? "|" : "", word);
}

/* One command line of the dialogue, without its CR LF. */
static void
conn_command(struct conn *c, char *line)
{
	const struct dialogue *d = &dialogues[c->srv->proto];
	char *tag = NULL, *cmd = line, *sp;
	size_t len;

	conn_note(c, line);
	if (d->tagged && (sp = strchr(line, ' ')) != NULL) {
		*sp = '\0';
		tag = line;
		cmd = sp + 1;
	}
	len = c->step < d->nsteps ? strlen(d->steps[c->step].cmd) : 0;
	if (len == 0 || strncasecmp(cmd, d->steps[c->step].cmd, len) != 0 ||
	    (cmd[len] != '\0' && cmd[len] != ' ')) {
		conn_queue(c, tag, d->unknown);
		return;
	}
	if (c->step + 1 < d->nsteps) {
		conn_queue(c, tag, d->steps[c->step++].answer);
		return;
	}
	if (c->srv->refuse) {
		conn_queue(c, tag, d->refuse);
		c->starttls = "refused";
		c->state = CONN_SINK;
		return;
	}
	conn_queue(c, tag, d->steps[c->step].answer);
	c->starttls = "ok";
	c->start_tls = 1;
}

/*
 * Before TLS: send what is queued, then read command lines.  Anything
 * after the STARTTLS line is dropped (it would be plain text smuggled
 * into the TLS session).  0 to go on, -1 when the connection ended or
 * waits.
 */
static int
conn_plain(struct conn *c)
{
	char buf[READ_CHUNK], eol = dialogues[c->srv->proto].eol;
	ssize_t n;
	size_t i;

	while (c->outlen > 0) {
		n = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			conn_wait(c, EV_WRITE);
			return -1;
		}
		if (n <= 0) {
			snprintf(c->error, sizeof(c->error), "send: %s",
			    strerror(errno));
			conn_end(c);
			return -1;
		}
		memmove(c->out, c->out + n, c->outlen - (size_t)n);
		c->outlen -= (size_t)n;
	}
	if (c->start_tls) {
		c->state = CONN_HANDSHAKE;
		c->handshake = "failed";
		if ((c->ssl = SSL_new(c->srv->ctx)) == NULL ||
		    SSL_set_fd(c->ssl, c->fd) != 1) {
			ssl_errstr(c->error, sizeof(c->error));
			conn_end(c);
			return -1;
		}
		SSL_set_accept_state(c->ssl);
		return 0;
	}
	n = recv(c->fd, buf, sizeof(buf), 0);
	if (n == -1 && errno == EINTR)
		return 0;
	if (n == -1 && errno == EAGAIN) {
		conn_wait(c, EV_READ);
		return -1;
	}
	if (n <= 0) {
		if (n == -1)
			snprintf(c->error, sizeof(c->error), "recv: %s",
			    strerror(errno));
		conn_end(c);
		return -1;
	}
	if (c->state == CONN_SINK)
		return 0;
	for (i = 0; i < (size_t)n && !c->start_tls &&
	    c->state == CONN_PLAIN; i++) {
		if (buf[i] == '>' && eol == '>' &&
		    c->linelen + 1 < sizeof(c->line))
			c->line[c->linelen++] = buf[i];
		if (buf[i] != eol) {
			if (c->linelen + 1 >= sizeof(c->line)) {
				snprintf(c->error, sizeof(c->error),
				    "line too long");
				conn_end(c);
				return -1;
			}
			c->line[c->linelen++] = buf[i];
			continue;
		}
		if (c->linelen > 0 && c->line[c->linelen - 1] == '\r')
			c->linelen--;
		c->line[c->linelen] = '\0';
		c->linelen = 0;
		conn_command(c, c->line);
	}
	return 0;
}

/* The handshake, then -B TEXT, then read to EOF.  As conn_plain. */
static int
conn_tls(struct conn *c)
{
	char buf[READ_CHUNK];
	int r;

	ERR_clear_error();
	if (c->state == CONN_HANDSHAKE)
		r = SSL_accept(c->ssl);
	else if (c->sent < c->srv->textlen)
		r = SSL_write(c->ssl, c->srv->text + c->sent,
		    (int)(c->srv->textlen - c->sent));
	else
		r = SSL_read(c->ssl, buf, sizeof(buf));
	if (r > 0) {
		if (c->state == CONN_HANDSHAKE) {
			c->state = CONN_TLS;
			c->handshake = "ok";
		} else if (c->sent < c->srv->textlen)
			c->sent += (size_t)r;
		else
			c->nbytes += (unsigned long long)r;
		return 0;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		conn_wait(c, EV_READ);
		return -1;
	case SSL_ERROR_WANT_WRITE:
		conn_wait(c, EV_WRITE);
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		break;				/* close_notify */
	default:
		if (c->state == CONN_HANDSHAKE || ERR_peek_error() != 0)
			ssl_errstr(c->error, sizeof(c->error));
		break;
	}
	conn_end(c);
	return -1;
}

static void
conn_step(struct conn *c)
{
	int r;

	do {
		if (c->state == CONN_PLAIN || c->state == CONN_SINK)
			r = conn_plain(c);
		else
			r = conn_tls(c);
	} while (r == 0);
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct server *srv = arg;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct conn *c;
	int fd;

	(void)what;
	if ((fd = accept4(lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			warn("accept");
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->ev = event_new(srv->base, -1, 0, conn_cb, c)) == NULL) {
		warnx("out of memory");
		free(c);
		close(fd);
		return;
	}
	c->srv = srv;
	c->fd = fd;
	c->starttls = "none";
	c->handshake = "none";
	srv_addr_fmt(&ss, c->peer, sizeof(c->peer));
	LIST_INSERT_HEAD(&srv->conns, c, entry);
	if (srv->proto == PROTO_NONE)
		c->start_tls = 1;
	else if (dialogues[srv->proto].greeting != NULL)
		conn_queue(c, NULL, dialogues[srv->proto].greeting);
	conn_step(c);
}

static SSL_CTX *
ctx_new(const char *cert, const char *key)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return NULL;
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int
listen_on(struct server *srv, in_port_t port)
{
	struct sockaddr_storage ss = srv->addr;
	socklen_t len = srv->addrlen;
	int one = 1;

	srv_addr_set_port(&ss, port);
	if ((srv->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		warn("socket");
		return -1;
	}
	if (setsockopt(srv->fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 ||
	    bind(srv->fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(srv->fd, 64) == -1 ||
	    getsockname(srv->fd, (struct sockaddr *)&ss, &len) == -1) {
		warn("port %u", port);
		return -1;
	}
	srv->port = srv_addr_port(&ss);
	if ((srv->accept_ev = event_new(srv->base, srv->fd,
	    EV_READ | EV_PERSIST, accept_cb, srv)) == NULL ||
	    event_add(srv->accept_ev, NULL) == -1) {
		warnx("cannot watch the listener");
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct server srv;
	struct srv_loop loop;
	struct timeval deadline = { 60, 0 };
	const char *cert = NULL, *key = NULL, *addrstr = "127.0.0.1";
	const char *logpath = NULL, *text = NULL, *errstr;
	int maxv = 0;
	struct conn *c;
	in_port_t port;
	size_t i;
	int ch, status = 0;

	memset(&srv, 0, sizeof(srv));
	srv.fd = srv.logfd = -1;
	LIST_INIT(&srv.conns);

	while ((ch = getopt(argc, argv, "B:b:c:hk:l:M:rs:t:")) != -1) {
		switch (ch) {
		case 'B':
			text = optarg;
			break;
		case 'b':
			addrstr = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'M':
			if (strcmp(optarg, "1.2") != 0) {
				warnx("-M %s: only 1.2", optarg);
				usage();
			}
			maxv = TLS1_2_VERSION;
			break;
		case 'r':
			srv.refuse = 1;
			break;
		case 's':
			for (i = 0; i < sizeof(dialogues) /
			    sizeof(dialogues[0]); i++)
				if (strcmp(optarg, dialogues[i].name) == 0)
					break;
			if (i == sizeof(dialogues) / sizeof(dialogues[0])) {
				warnx("-s %s: unknown protocol", optarg);
				usage();
			}
			srv.proto = (enum proto)i;
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
	if (argc != 1 || cert == NULL || key == NULL)
		usage();
	if (srv_port_parse(argv[0], &port) == -1)
		usage();
	if (srv.refuse && srv.proto == PROTO_NONE) {
		warnx("-r needs -s smtp, imap, pop3, ftp or xmpp");
		usage();
	}
	if (text != NULL && (errstr = srv_text_decode(text, 0, &srv.text,
	    &srv.textlen)) != NULL) {
		warnx("-B %s: %s", text, errstr);
		usage();
	}
	srv_addr_bind(addrstr, &srv.addr, &srv.addrlen);

	if ((srv.ctx = ctx_new(cert, key)) == NULL) {
		ERR_print_errors_fp(stderr);
		errx(1, "cannot use %s and %s", cert, key);
	}
	if (maxv != 0 && SSL_CTX_set_max_proto_version(srv.ctx, maxv) != 1)
		errx(1, "cannot limit the TLS version");
	srv.logfd = srv_log_open(logpath);
	srv_loop_init(&loop, &deadline);
	srv.base = loop.base;

	if (listen_on(&srv, port) == -1) {
		status = 1;
		goto out;
	}
	printf("ready %u\n", srv.port);
	status = srv_loop_run(&loop);

 out:
	/* connections still open never ended: no line for them */
	if (srv.logfd != -1)
		close(srv.logfd);
	srv.logfd = -1;
	while ((c = LIST_FIRST(&srv.conns)) != NULL)
		conn_end(c);
	if (srv.accept_ev != NULL)
		event_free(srv.accept_ev);
	if (srv.fd != -1)
		close(srv.fd);
	srv_loop_free(&loop);
	SSL_CTX_free(srv.ctx);
	free(srv.text);
	return status;
}
