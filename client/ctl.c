/*
 * ctl.c - talk to futd over its control socket: one request line out, one
 * JSON reply line back (see proto.h); and the two exchanges that need more
 * than that: `probe` (whose reply takes as long as the probe) and `log -f`
 * (a stream of events that does not end).
 *
 * The client may block: it has nothing else to do.  But every socket call
 * is bounded by CTL_TIMEOUT_SEC through SO_SNDTIMEO/SO_RCVTIMEO, so a
 * wedged daemon makes futctl fail instead of hanging a script forever.
 * The bound is per call, not for the whole exchange: a big status reply may
 * take longer than that to stream, but futd never goes quiet that long.
 * Two replies may: a probe's, which comes when the probe is done (so the
 * bound becomes the target's timeout plus a margin), and the events of
 * `follow`, which come when something happens (no bound at all).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "futctl.h"
#include "parser.h"
#include "ctl.h"
#include "output.h"
#include "print.h"

#define CTL_READ_CHUNK	4096
#define CTL_PASS_CHUNK	(1024 * 1024)	/* --json status, read and written */

/* An event of the log already printed, and how often it had repeated. */
struct ctl_seen {
	long long	 seq;
	long long	 repeat;
};

/* What `log -f` printed of the log, to tell news from repeats. */
struct ctl_backlog {
	struct ctl_seen	*seen;		/* nseen, by seq, ascending */
	size_t		 nseen;
	long long	 maxseq;	/* the newest printed */
	double		 newest;	/* its time, unix seconds */
};

static volatile sig_atomic_t	 ctl_stop;	/* SIGINT or SIGTERM came */
static sigset_t			 ctl_waitmask;	/* while waiting for events */

static enum ctl_status	 ctl_fail(struct ctl_error *, enum ctl_status,
			    const char *, ...)
			    __attribute__((format(printf, 3, 4)));
static enum ctl_status	 ctl_fail_errno(struct ctl_error *, enum ctl_status,
			    int);
static enum ctl_status	 ctl_check_envelope(struct ctl_reply *,
			    struct ctl_error *);
static enum ctl_status	 ctl_wait(struct ctl_conn *, struct ctl_error *);
static enum ctl_status	 ctl_read(struct ctl_conn *, size_t,
			    struct ctl_error *);
static int		 ctl_timeout_for(const json_t *);
static const json_t	*ctl_pick(const json_t *, const char *);
static void		 ctl_stop_cb(int);
static const struct ctl_seen *ctl_seen_find(const struct ctl_seen *, size_t,
			    long long);
static long long	 ctl_int(const json_t *, const char *);
static double		 ctl_real(const json_t *, const char *);
static void		 ctl_follow_signals(void);
static int		 ctl_follow_open(const struct parse_result *,
			    const struct output *, struct ctl_conn *);
static int		 ctl_follow_backlog(const struct parse_result *,
			    const struct output *, struct ctl_backlog *);
static int		 ctl_follow_stream(const struct parse_result *,
			    const struct output *, struct ctl_conn *,
			    struct ctl_backlog *);

/* What went wrong, as the start of "<words> futd at <path>: <detail>". */
static const char *const ctl_words[] = {
	[CTL_OK] =		"no error talking to",
	[CTL_ERR_REQUEST] =	"request too long for",
	[CTL_ERR_SOCKET] =	"cannot create a socket for",
	[CTL_ERR_CONNECT] =	"cannot connect to",
	[CTL_ERR_SEND] =	"cannot send the request to",
	[CTL_ERR_RECV] =	"cannot read the reply of",
	[CTL_ERR_TIMEOUT] =	"timed out talking to",
	[CTL_ERR_CLOSED] =	"connection closed by",
	[CTL_ERR_TOO_LONG] =	"reply too long from",
	[CTL_ERR_MALFORMED] =	"malformed reply from",
	[CTL_ERR_INTERRUPTED] =	"interrupted talking to",
};

enum ctl_status
ctl_connect(struct ctl_conn *conn, const char *path, struct ctl_error *err)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv = { .tv_sec = CTL_TIMEOUT_SEC };
	int			 fd, saved;

	memset(conn, 0, sizeof(*conn));
	conn->fd = -1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return ctl_fail_errno(err, CTL_ERR_CONNECT, ENAMETOOLONG);
	memcpy(sun.sun_path, path, strlen(path) + 1);

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return ctl_fail_errno(err, CTL_ERR_SOCKET, errno);

	/* Set before connect(): on Linux it also bounds a full backlog. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1) {
		saved = errno;
		close(fd);
		return ctl_fail_errno(err, CTL_ERR_SOCKET, saved);
	}

	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		close(fd);
		if (saved == EAGAIN || saved == EWOULDBLOCK ||
		    saved == EINPROGRESS)
			return ctl_fail(err, CTL_ERR_TIMEOUT,
			    "futd did not accept the connection within %d s",
			    CTL_TIMEOUT_SEC);
		return ctl_fail_errno(err, CTL_ERR_CONNECT, saved);
	}

	conn->fd = fd;
	conn->timeout = CTL_TIMEOUT_SEC;
	return CTL_OK;
}

/* How long a reply may take from now on, in seconds; 0: for ever. */
int
ctl_set_timeout(struct ctl_conn *conn, int seconds)
{
	struct timeval	 tv = { .tv_sec = seconds };

	if (setsockopt(conn->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == -1)
		return -1;
	conn->timeout = seconds;
	return 0;
}

/* Send "futd/1 command [args]\n"; args may be NULL or empty. */
enum ctl_status
ctl_send(struct ctl_conn *conn, const char *command, const char *args,
    struct ctl_error *err)
{
	char	 line[FUTD_PROTO_MAX_REQUEST + 1];
	size_t	 off, len;
	ssize_t	 n;
	int	 ret, more = args != NULL && *args != '\0';

	ret = snprintf(line, sizeof(line), "%s%d %s%s%s\n",
	    FUTD_PROTO_PREFIX, FUTD_PROTO_VERSION, command,
	    more ? " " : "", more ? args : "");
	if (ret < 0 || (size_t)ret > FUTD_PROTO_MAX_REQUEST)
		return ctl_fail(err, CTL_ERR_REQUEST,
		    "futd accepts at most %d bytes", FUTD_PROTO_MAX_REQUEST);
	len = (size_t)ret;

	for (off = 0; off < len; off += (size_t)n) {
		/* MSG_NOSIGNAL: a daemon gone away is an error, not death. */
		n = send(conn->fd, line + off, len - off, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR) {
				n = 0;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return ctl_fail(err, CTL_ERR_TIMEOUT,
				    "futd did not take the request within "
				    "%d s", CTL_TIMEOUT_SEC);
			return ctl_fail_errno(err, CTL_ERR_SEND, errno);
		}
	}
	return CTL_OK;
}

/*
 * The next line from futd, without its '\n': *line points into the
 * connection's buffer and stays valid until the next call.  Bytes past the
 * line stay buffered for that call (the events of `follow` come several to
 * a read).  The buffer grows by doubling up to CTL_MAX_REPLY plus the
 * newline, and not a byte more, whatever the daemon sends.
 */
enum ctl_status
ctl_recv_line(struct ctl_conn *conn, char **line, size_t *linelen,
    struct ctl_error *err)
{
	enum ctl_status	 status;
	char		*nl = NULL, *p;
	size_t		 scan = 0, newcap;

	/* drop the line handed out last time */
	if (conn->off > 0) {
		memmove(conn->buf, conn->buf + conn->off,
		    conn->len - conn->off);
		conn->len -= conn->off;
		conn->off = 0;
	}

	for (;;) {
		if (conn->len > scan &&
		    (nl = memchr(conn->buf + scan, '\n', conn->len - scan)) !=
		    NULL)
			break;
		scan = conn->len;
		if (conn->len == conn->cap) {
			if (conn->cap == CTL_MAX_REPLY + 1)
				return ctl_fail(err, CTL_ERR_TOO_LONG,
				    "no end of line within %lu MiB",
				    CTL_MAX_REPLY / (1024 * 1024));
			newcap = conn->cap == 0 ? CTL_READ_CHUNK :
			    conn->cap * 2;
			if (newcap > CTL_MAX_REPLY + 1)
				newcap = CTL_MAX_REPLY + 1;
			if ((p = realloc(conn->buf, newcap)) == NULL)
				return ctl_fail_errno(err, CTL_ERR_RECV,
				    errno);
			conn->buf = p;
			conn->cap = newcap;
		}

		if ((status = ctl_read(conn, 0, err)) != CTL_OK)
			return status;
	}

	*line = conn->buf;
	*linelen = (size_t)(nl - conn->buf);
	conn->off = *linelen + 1;
	return CTL_OK;
}

/*
 * One recv() into the room left in the connection's buffer (there must be
 * some).  gone: bytes of the reply that were read and let go before the
 * buffer's first, for the message when the reply ends early.
 */
static enum ctl_status
ctl_read(struct ctl_conn *conn, size_t gone, struct ctl_error *err)
{
	enum ctl_status	 status;
	ssize_t		 n;

	for (;;) {
		if (conn->interruptible &&
		    (status = ctl_wait(conn, err)) != CTL_OK)
			return status;
		n = recv(conn->fd, conn->buf + conn->len,
		    conn->cap - conn->len, 0);
		if (n > 0)
			break;
		if (n == 0) {
			if (conn->len + gone == 0)
				return ctl_fail(err, CTL_ERR_CLOSED,
				    "no reply");
			return ctl_fail(err, CTL_ERR_CLOSED,
			    "reply cut short after %zu bytes",
			    conn->len + gone);
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return ctl_fail(err, CTL_ERR_TIMEOUT,
			    "no reply within %d s", conn->timeout);
		return ctl_fail_errno(err, CTL_ERR_RECV, errno);
	}
	conn->len += (size_t)n;
	return CTL_OK;
}

/* One reply: the next line, as a reply envelope. */
enum ctl_status
ctl_recv(struct ctl_conn *conn, struct ctl_reply *reply,
    struct ctl_error *err)
{
	enum ctl_status	 status;
	char		*line;
	size_t		 len;

	memset(reply, 0, sizeof(*reply));
	if ((status = ctl_recv_line(conn, &line, &len, err)) != CTL_OK)
		return status;
	return ctl_reply_parse(line, len, reply, err);
}

void
ctl_close(struct ctl_conn *conn)
{
	if (conn->fd != -1)
		close(conn->fd);
	conn->fd = -1;
	free(conn->buf);
	conn->buf = NULL;
	conn->len = conn->cap = conn->off = 0;
}

/*
 * The whole exchange for one command: connect, send, receive, close.
 */
enum ctl_status
ctl_request(const char *path, const char *command, const char *args,
    struct ctl_reply *reply, struct ctl_error *err)
{
	struct ctl_conn	 conn;
	enum ctl_status	 status;

	memset(reply, 0, sizeof(*reply));
	if ((status = ctl_connect(&conn, path, err)) != CTL_OK)
		return status;
	/*
	 * A reload answers when it is done: a file of a million targets,
	 * all changed, takes seconds to read and apply.
	 */
	if (strcmp(command, "reload") == 0 &&
	    ctl_set_timeout(&conn, CTL_RELOAD_TIMEOUT_SEC) == -1)
		status = ctl_fail_errno(err, CTL_ERR_RECV, errno);
	else if ((status = ctl_send(&conn, command, args, err)) == CTL_OK)
		status = ctl_recv(&conn, reply, err);
	ctl_close(&conn);
	return status;
}

/*
 * The whole exchange, for `--json status`: a reply futd wrote as it always
 * does ({"version":1,"code":200,"message":"OK","data":...}) has its data
 * copied to out as it comes, without parsing and printing it again: a
 * status of 100 000 targets is 75 megabytes, and futctl would spend
 * seconds on what futd sent in one.  It goes through a buffer of
 * CTL_PASS_CHUNK, not a whole line's: out is written while futd still
 * prints, and the reply has no size limit.  A reply cut short leaves what
 * came of it on out (and the status says so).  *passed is 0 when the reply
 * is not of that form: then reply holds it parsed, for the usual path.
 */
enum ctl_status
ctl_request_pass(const char *path, const char *command, const char *args,
    FILE *out, int *passed, struct ctl_reply *reply, struct ctl_error *err)
{
	static const char prefix[] = "{\"version\":1,\"code\":200,"
	    "\"message\":\"OK\",\"data\":";
	struct ctl_conn	 conn;
	enum ctl_status	 status;
	char		*line, *nl;
	size_t		 len, plen = sizeof(prefix) - 1, off, scan, gone = 0;

	*passed = 0;
	memset(reply, 0, sizeof(*reply));
	if ((status = ctl_connect(&conn, path, err)) != CTL_OK)
		return status;
	if ((status = ctl_send(&conn, command, args, err)) != CTL_OK)
		goto done;
	if ((conn.buf = malloc(CTL_PASS_CHUNK)) == NULL) {
		status = ctl_fail_errno(err, CTL_ERR_RECV, errno);
		goto done;
	}
	conn.cap = CTL_PASS_CHUNK;

	/* enough to tell: the envelope and the data's first byte, or a line */
	while (conn.len < plen + 1 &&
	    memchr(conn.buf, '\n', conn.len) == NULL)
		if ((status = ctl_read(&conn, 0, err)) != CTL_OK)
			goto done;
	if (memcmp(conn.buf, prefix, plen) != 0 || conn.buf[plen] != '{' ||
	    memchr(conn.buf, '\n', plen + 1) != NULL) {
		/* an error, or another form: the usual way, from what came */
		if ((status = ctl_recv_line(&conn, &line, &len, err)) ==
		    CTL_OK)
			status = ctl_reply_parse(line, len, reply, err);
		goto done;
	}

	/*
	 * Write all that came but its last byte: the reply's closing '}'
	 * before its '\n' is the envelope's, not the data's.
	 */
	*passed = 1;
	off = scan = plen;
	while ((nl = memchr(conn.buf + scan, '\n', conn.len - scan)) ==
	    NULL) {
		if (conn.len - 1 > off)
			fwrite(conn.buf + off, 1, conn.len - 1 - off, out);
		gone += conn.len - 1;
		conn.buf[0] = conn.buf[conn.len - 1];
		conn.len = 1;
		off = 0;
		scan = 1;
		if ((status = ctl_read(&conn, gone, err)) != CTL_OK)
			goto done;
	}
	len = (size_t)(nl - conn.buf);
	if (len == 0 || len - 1 < off || conn.buf[len - 1] != '}') {
		status = ctl_fail(err, CTL_ERR_MALFORMED,
		    "reply does not end its envelope");
		goto done;
	}
	fwrite(conn.buf + off, 1, len - 1 - off, out);
	fputc('\n', out);
 done:
	ctl_close(&conn);
	return status;
}

/*
 * `status` of one target by its exact name.  On CTL_OK the caller owns
 * reply; *target is the target's object in it, or NULL when futd has no
 * such target (or answered an error: see reply->code).
 */
enum ctl_status
ctl_find(const char *path, const char *name, struct ctl_reply *reply,
    const json_t **target, struct ctl_error *err)
{
	char		 args[2 * FUTD_PROTO_MAX_REQUEST + 8];
	enum ctl_status	 status;

	*target = NULL;
	memcpy(args, "match=", 6);
	parser_glob_escape(args + 6, sizeof(args) - 6, name);
	if ((status = ctl_request(path, "status", args, reply, err)) !=
	    CTL_OK)
		return status;
	if (reply->code == PROTO_OK)
		*target = ctl_pick(reply->data, name);
	return CTL_OK;
}

/*
 * `check` of a TLS target: `status` says how many days its certificate
 * has left and what that means, but the limits it is held against
 * (cert_warn_days, cert_crit_days) only `show` has, in config.tls.  On
 * CTL_OK the caller owns reply; *conf is config.tls in it, or NULL when
 * futd did not say (an error reply, an older futd).
 */
enum ctl_status
ctl_tls_conf(const char *path, const char *name, struct ctl_reply *reply,
    const json_t **conf, struct ctl_error *err)
{
	const json_t	*target, *tls;
	enum ctl_status	 status;

	*conf = NULL;
	if ((status = ctl_request(path, "show", name, reply, err)) != CTL_OK)
		return status;
	if (reply->code != PROTO_OK)
		return CTL_OK;
	target = json_object_get(reply->data, "target");
	tls = json_object_get(json_object_get(target, "config"), "tls");
	if (json_is_object(tls))
		*conf = tls;
	return CTL_OK;
}

/*
 * `probe NAME`: futd answers when the probe is done, which may be up to
 * the target's timeout (86400 s at most).  So first ask, on the same
 * connection, for that timeout; wait for the probe that long plus
 * CTL_PROBE_MARGIN_SEC, or CTL_PROBE_FALLBACK_SEC when futd does not say.
 * *target (the caller's to json_decref, may be NULL) is the target as
 * `status` sees it, for the words around the result.
 */
enum ctl_status
ctl_probe(const char *path, const char *name, struct ctl_reply *reply,
    json_t **target, struct ctl_error *err)
{
	struct ctl_conn	 conn;
	struct ctl_reply first;
	enum ctl_status	 status;
	const json_t	*t = NULL;
	char		 args[2 * FUTD_PROTO_MAX_REQUEST + 8];
	int		 wait = CTL_PROBE_FALLBACK_SEC;

	memset(reply, 0, sizeof(*reply));
	*target = NULL;
	if ((status = ctl_connect(&conn, path, err)) != CTL_OK)
		return status;

	memcpy(args, "match=", 6);
	parser_glob_escape(args + 6, sizeof(args) - 6, name);
	if ((status = ctl_send(&conn, "status", args, err)) != CTL_OK ||
	    (status = ctl_recv(&conn, &first, err)) != CTL_OK)
		goto done;
	if (first.code == PROTO_OK) {
		/* no such target: futd says 404 at once */
		wait = CTL_TIMEOUT_SEC;
		if ((t = ctl_pick(first.data, name)) != NULL) {
			wait = ctl_timeout_for(t);
			*target = json_incref((json_t *)(uintptr_t)t);
		}
	}
	ctl_reply_free(&first);

	if (ctl_set_timeout(&conn, wait) == -1) {
		status = ctl_fail_errno(err, CTL_ERR_SOCKET, errno);
		goto done;
	}
	if ((status = ctl_send(&conn, "probe", name, err)) == CTL_OK)
		status = ctl_recv(&conn, reply, err);
 done:
	if (status != CTL_OK) {
		json_decref(*target);
		*target = NULL;
	}
	ctl_close(&conn);
	return status;
}

/*
 * `log -f`: the last N events, then every event as it happens, until
 * SIGINT or SIGTERM (exit 0) or until futd closes the connection (exit 3).
 *
 * The stream is asked for first and the log second, so nothing falls in
 * between; what both bring is printed once.  futd folds a repeated failure
 * into the event that reported it and, every half minute at most or when
 * the target has other news, sends that event again with a higher
 * "repeat" ("update": true, "at": when): such a line is printed as an
 * update of the first.  An update told before the backlog's newest event
 * is left out: the backlog has its count already, or starts after it,
 * and printed after the backlog it would go back in time.
 */
int
ctl_follow(const struct parse_result *res, const struct output *out)
{
	struct ctl_conn		 conn;
	struct ctl_backlog	 bl;
	int			 ret;

	ctl_follow_signals();
	if ((ret = ctl_follow_open(res, out, &conn)) != FUTCTL_EXIT_OK)
		return ret;
	memset(&bl, 0, sizeof(bl));
	/* -n 0: what happens from now on, without a backlog */
	if (res->count == 0 ||
	    (ret = ctl_follow_backlog(res, out, &bl)) == FUTCTL_EXIT_OK) {
		fflush(stdout);
		ctl_set_timeout(&conn, 0);
		conn.interruptible = 1;
		ret = ctl_follow_stream(res, out, &conn, &bl);
	}
	free(bl.seen);
	ctl_close(&conn);
	return ret;
}

/*
 * SIGINT and SIGTERM wait blocked until ppoll() lets them in, so that one
 * never falls between a test of ctl_stop and a wait.
 */
static void
ctl_follow_signals(void)
{
	struct sigaction	 sa;
	sigset_t		 block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ctl_stop_cb;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &ctl_waitmask);
	sigdelset(&ctl_waitmask, SIGINT);
	sigdelset(&ctl_waitmask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/*
 * Ask for the stream: FUTCTL_EXIT_OK with conn open, or an exit code with
 * conn closed and the reason said.
 */
static int
ctl_follow_open(const struct parse_result *res, const struct output *out,
    struct ctl_conn *conn)
{
	struct ctl_reply	 reply;
	struct ctl_error	 err;
	char			 args[FUTD_PROTO_MAX_REQUEST];

	args[0] = '\0';
	if (res->name != NULL)
		snprintf(args, sizeof(args), "target=%s", res->name);
	if (ctl_connect(conn, res->socket, &err) != CTL_OK)
		return ctl_warn(&err, res->socket);
	if (ctl_send(conn, "follow", args, &err) != CTL_OK ||
	    ctl_recv(conn, &reply, &err) != CTL_OK) {
		ctl_close(conn);
		return ctl_warn(&err, res->socket);
	}
	if (reply.code != PROTO_OK) {
		out->error(res, &reply);
		ctl_reply_free(&reply);
		ctl_close(conn);
		return FUTCTL_EXIT_REPLY;
	}
	ctl_reply_free(&reply);
	return FUTCTL_EXIT_OK;
}

/* The backlog, on a connection of its own: printed, and kept in bl. */
static int
ctl_follow_backlog(const struct parse_result *res, const struct output *out,
    struct ctl_backlog *bl)
{
	struct ctl_reply	 log;
	struct ctl_error	 err;
	json_t			*events, *ev, *wrap;
	long long		 seq;
	size_t			 i;

	if (ctl_request(res->socket, "log", res->args, &log, &err) != CTL_OK)
		return ctl_warn(&err, res->socket);
	if (log.code != PROTO_OK) {
		out->error(res, &log);
		ctl_reply_free(&log);
		return FUTCTL_EXIT_REPLY;
	}
	events = json_object_get(log.data, "events");
	if (json_array_size(events) > 0 && (bl->seen =
	    calloc(json_array_size(events), sizeof(*bl->seen))) == NULL) {
		print_warnx("%s", strerror(errno));
		ctl_reply_free(&log);
		return FUTCTL_EXIT_REPLY;
	}
	json_array_foreach(events, i, ev) {
		if (!json_is_object(ev) ||
		    (wrap = json_pack("{s:O}", "event", ev)) == NULL)
			continue;
		out->event(wrap, 0);
		json_decref(wrap);
		if ((seq = ctl_int(ev, "seq")) > bl->maxseq) {
			bl->seen[bl->nseen].seq = seq;
			bl->seen[bl->nseen].repeat = ctl_int(ev, "repeat");
			bl->nseen++;
			bl->maxseq = seq;
		}
		if (ctl_real(ev, "time") > bl->newest)
			bl->newest = ctl_real(ev, "time");
	}
	ctl_reply_free(&log);
	return FUTCTL_EXIT_OK;
}

/*
 * The events as they come, until SIGINT or SIGTERM (FUTCTL_EXIT_OK) or
 * until futd closes the connection or says nonsense.
 */
static int
ctl_follow_stream(const struct parse_result *res, const struct output *out,
    struct ctl_conn *conn, struct ctl_backlog *bl)
{
	struct ctl_error	 err;
	struct ctl_seen		*s;
	const struct ctl_seen	*found;
	json_t			*line, *ev;
	json_error_t		 jerr;
	enum ctl_status		 status;
	char			*text;
	long long		 seq, repeat;
	double			 at;
	size_t			 len;
	int			 ret = FUTCTL_EXIT_OK;

	for (;;) {
		if ((status = ctl_recv_line(conn, &text, &len, &err)) !=
		    CTL_OK) {
			if (status == CTL_ERR_INTERRUPTED)
				ret = FUTCTL_EXIT_OK;
			else if (status == CTL_ERR_CLOSED) {
				print_warnx("futd at %s closed the "
				    "connection", res->socket);
				ret = FUTCTL_EXIT_TALK;
			} else
				ret = ctl_warn(&err, res->socket);
			break;
		}
		line = json_loadb(text, len, 0, &jerr);
		ev = json_object_get(line, "event");
		if (!json_is_object(ev)) {
			print_warnx("malformed event from futd at %s: %s",
			    res->socket, line == NULL ? jerr.text :
			    "no \"event\" object");
			json_decref(line);
			ret = FUTCTL_EXIT_TALK;
			break;
		}
		seq = ctl_int(ev, "seq");
		repeat = ctl_int(ev, "repeat");
		at = ctl_real(line, "at");
		if (seq > bl->maxseq) {
			/* new */
			bl->maxseq = seq;
			out->event(line, 0);
		} else if (at >= 0 && at < bl->newest) {
			/* told before the backlog ended: see ctl_follow */
		} else if ((found = ctl_seen_find(bl->seen, bl->nseen, seq)) ==
		    NULL || repeat > found->repeat) {
			/* more of an event printed before */
			if (found != NULL) {
				s = &bl->seen[found - bl->seen];
				s->repeat = repeat;
			}
			out->event(line, 1);
		}
		/* else: the log had it already */
		json_decref(line);
		if (fflush(stdout) == EOF || ferror(stdout))
			break;		/* main() says why */
	}
	return ret;
}

/*
 * Parse one reply line (without its '\n') into a ctl_reply.  Kept apart
 * from the socket so it can be tested on strings.
 */
enum ctl_status
ctl_reply_parse(const char *line, size_t len, struct ctl_reply *reply,
    struct ctl_error *err)
{
	json_error_t	 jerr;
	enum ctl_status	 status;

	memset(reply, 0, sizeof(*reply));

	/* proto.h lets requests end in "\r\n"; accept it on replies too. */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return ctl_fail(err, CTL_ERR_MALFORMED, "empty line");

	reply->root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (reply->root == NULL)
		return ctl_fail(err, CTL_ERR_MALFORMED,
		    "not JSON: %s at column %d", jerr.text, jerr.column);

	if ((status = ctl_check_envelope(reply, err)) != CTL_OK)
		ctl_reply_free(reply);
	return status;
}

void
ctl_reply_free(struct ctl_reply *reply)
{
	json_decref(reply->root);
	memset(reply, 0, sizeof(*reply));
}

/*
 * Words for an error, e.g. "cannot connect to futd at /run/futd.sock:
 * No such file or directory (is futd running?)".
 */
void
ctl_strerror(const struct ctl_error *err, const char *path, char *buf,
    size_t size)
{
	const char	*words = "failed talking to", *hint = "";

	if ((size_t)err->status < sizeof(ctl_words) / sizeof(ctl_words[0]))
		words = ctl_words[err->status];

	/* The two ways a daemon that is not running shows up. */
	if (err->status == CTL_ERR_CONNECT &&
	    (err->errnum == ENOENT || err->errnum == ECONNREFUSED))
		hint = " (is futd running?)";
	/* futd.socket's is root's, mode 0660: the first thing a user meets */
	else if (err->status == CTL_ERR_CONNECT && err->errnum == EACCES)
		hint = " (run futctl as root, or as a member of the socket's "
		    "group)";

	snprintf(buf, size, "%s futd at %s: %s%s", words, path,
	    err->errnum != 0 ? strerror(err->errnum) : err->detail, hint);
}

static enum ctl_status
ctl_check_envelope(struct ctl_reply *reply, struct ctl_error *err)
{
	json_t		*version, *code, *message, *data;

	if (!json_is_object(reply->root))
		return ctl_fail(err, CTL_ERR_MALFORMED,
		    "not a JSON object");

	version = json_object_get(reply->root, "version");
	code = json_object_get(reply->root, "code");
	message = json_object_get(reply->root, "message");
	data = json_object_get(reply->root, "data");

	if (!json_is_integer(version))
		return ctl_fail(err, CTL_ERR_MALFORMED,
		    "no integer \"version\"");
	if (!json_is_integer(code) || json_integer_value(code) < 100 ||
	    json_integer_value(code) > 599)
		return ctl_fail(err, CTL_ERR_MALFORMED,
		    "no \"code\" between 100 and 599");
	if (!json_is_string(message))
		return ctl_fail(err, CTL_ERR_MALFORMED,
		    "no string \"message\"");

	reply->version = json_integer_value(version);
	reply->code = (int)json_integer_value(code);
	reply->message = json_string_value(message);

	if (reply->code != PROTO_OK) {
		/* An error reply may carry details ("errors") or nothing. */
		reply->data = json_is_object(data) ? data : NULL;
		return CTL_OK;
	}

	/*
	 * A 200 in another version could mean anything: fields change
	 * meaning only with the version (proto.h).
	 */
	if (reply->version != FUTD_PROTO_VERSION)
		return ctl_fail(err, CTL_ERR_MALFORMED,
		    "protocol version %lld, futctl speaks %d",
		    reply->version, FUTD_PROTO_VERSION);
	if (!json_is_object(data))
		return ctl_fail(err, CTL_ERR_MALFORMED,
		    "200 without a \"data\" object");
	reply->data = data;
	return CTL_OK;
}

/*
 * Wait until the socket is readable, with SIGINT and SIGTERM let in only
 * for the wait (ctl_follow).  CTL_ERR_INTERRUPTED once one came.
 */
static enum ctl_status
ctl_wait(struct ctl_conn *conn, struct ctl_error *err)
{
	struct pollfd	 pfd = { .fd = conn->fd, .events = POLLIN };

	for (;;) {
		if (ctl_stop)
			return ctl_fail(err, CTL_ERR_INTERRUPTED,
			    "interrupted");
		if (ppoll(&pfd, 1, NULL, &ctl_waitmask) >= 0)
			return CTL_OK;
		if (errno != EINTR)
			return ctl_fail_errno(err, CTL_ERR_RECV, errno);
	}
}

static void
ctl_stop_cb(int sig)
{
	(void)sig;
	ctl_stop = 1;
}

/* Seconds to wait for a probe of this target (see ctl_probe). */
static int
ctl_timeout_for(const json_t *target)
{
	const json_t	*v = json_object_get(target, "timeout");
	double		 t;
	int		 whole;

	if (!json_is_number(v))
		return CTL_PROBE_FALLBACK_SEC;
	t = json_number_value(v);
	if (!isfinite(t) || t < 0 || t > 7 * 86400.0)
		return CTL_PROBE_FALLBACK_SEC;
	whole = (int)t;			/* ceil() without libm */
	if (whole < t)
		whole++;
	/* addresses = "each": a probe of each address, a timeout each */
	if (json_is_array(json_object_get(target, "addresses")))
		whole *= CTL_PROBE_MAX_ADDRS;
	return whole + CTL_PROBE_MARGIN_SEC;
}

/* The target called exactly name among a status reply's, or NULL. */
static const json_t *
ctl_pick(const json_t *data, const char *name)
{
	const json_t	*t, *n;
	size_t		 i;

	json_array_foreach(json_object_get(data, "targets"), i, t) {
		n = json_object_get(t, "name");
		if (json_is_string(n) && strcmp(json_string_value(n), name) ==
		    0)
			return t;
	}
	return NULL;
}

/* Say why talking failed, on stderr; the exit status for it. */
int
ctl_warn(const struct ctl_error *err, const char *path)
{
	char	 msg[4608];

	ctl_strerror(err, path, msg, sizeof(msg));
	print_warnx("%s", msg);
	return err->status == CTL_ERR_REQUEST ? FUTCTL_EXIT_USAGE :
	    FUTCTL_EXIT_TALK;
}

/* seen is sorted by seq (the log comes oldest first). */
static const struct ctl_seen *
ctl_seen_find(const struct ctl_seen *seen, size_t n, long long seq)
{
	size_t	 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (seen[mid].seq == seq)
			return &seen[mid];
		if (seen[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static long long
ctl_int(const json_t *obj, const char *key)
{
	const json_t	*v = json_object_get(obj, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* A time in unix seconds, or -1 when there is none. */
static double
ctl_real(const json_t *obj, const char *key)
{
	const json_t	*v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : -1;
}

/* Record a failure described in words; returns status for tail calls. */
static enum ctl_status
ctl_fail(struct ctl_error *err, enum ctl_status status, const char *fmt, ...)
{
	va_list	 ap;

	err->status = status;
	err->errnum = 0;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return status;
}

/* Record a failed system call; its errno says the rest. */
static enum ctl_status
ctl_fail_errno(struct ctl_error *err, enum ctl_status status, int errnum)
{
	err->status = status;
	err->errnum = errnum;
	err->detail[0] = '\0';
	return status;
}
