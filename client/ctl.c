/*
 * ctl.c - talk to futd over its control socket: one request line out, one
 * JSON reply line back (see proto.h).
 *
 * The client may block: it has nothing else to do.  But every socket call
 * is bounded by CTL_TIMEOUT_SEC through SO_SNDTIMEO/SO_RCVTIMEO, so a
 * wedged daemon makes futctl fail instead of hanging a script forever.
 * The bound is per call, not for the whole exchange: a big status reply may
 * take longer than that to stream, but futd never goes quiet that long.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "futctl.h"

#define CTL_READ_CHUNK	4096

static enum ctl_status	 ctl_fail(struct ctl_error *, enum ctl_status,
			    const char *, ...)
			    __attribute__((format(printf, 3, 4)));
static enum ctl_status	 ctl_fail_errno(struct ctl_error *, enum ctl_status,
			    int);
static enum ctl_status	 ctl_check_envelope(struct ctl_reply *,
			    struct ctl_error *);

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
};

enum ctl_status
ctl_connect(struct ctl_conn *conn, const char *path, struct ctl_error *err)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv = { .tv_sec = CTL_TIMEOUT_SEC };
	int			 fd, saved;

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
	return CTL_OK;
}

enum ctl_status
ctl_send(struct ctl_conn *conn, const char *command, const char *arg,
    struct ctl_error *err)
{
	char	 line[FUTD_PROTO_MAX_REQUEST + 1];
	size_t	 off, len;
	ssize_t	 n;
	int	 ret;

	ret = snprintf(line, sizeof(line), "%s%d %s%s%s\n",
	    FUTD_PROTO_PREFIX, FUTD_PROTO_VERSION, command,
	    arg != NULL ? " " : "", arg != NULL ? arg : "");
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

enum ctl_status
ctl_recv(struct ctl_conn *conn, struct ctl_reply *reply,
    struct ctl_error *err)
{
	char		*buf = NULL, *nl = NULL, *p;
	size_t		 len = 0, cap = 0, newcap;
	ssize_t		 n;
	enum ctl_status	 status;

	memset(reply, 0, sizeof(*reply));

	/*
	 * Read until the first newline.  Anything after it would be the
	 * reply to a request we never sent, so it is ignored.  The buffer
	 * grows by doubling up to CTL_MAX_REPLY plus the newline, and not a
	 * byte more, whatever the daemon sends.
	 */
	while (nl == NULL) {
		if (len == cap) {
			if (cap == CTL_MAX_REPLY + 1) {
				status = ctl_fail(err, CTL_ERR_TOO_LONG,
				    "no end of line within %lu MiB",
				    CTL_MAX_REPLY / (1024 * 1024));
				goto done;
			}
			newcap = cap == 0 ? CTL_READ_CHUNK : cap * 2;
			if (newcap > CTL_MAX_REPLY + 1)
				newcap = CTL_MAX_REPLY + 1;
			if ((p = realloc(buf, newcap)) == NULL) {
				status = ctl_fail_errno(err, CTL_ERR_RECV,
				    errno);
				goto done;
			}
			buf = p;
			cap = newcap;
		}

		n = recv(conn->fd, buf + len, cap - len, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				status = ctl_fail(err, CTL_ERR_TIMEOUT,
				    "no reply within %d s", CTL_TIMEOUT_SEC);
			else
				status = ctl_fail_errno(err, CTL_ERR_RECV,
				    errno);
			goto done;
		}
		if (n == 0) {
			if (len == 0)
				status = ctl_fail(err, CTL_ERR_CLOSED,
				    "no reply");
			else
				status = ctl_fail(err, CTL_ERR_CLOSED,
				    "reply cut short after %zu bytes", len);
			goto done;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
	}

	status = ctl_reply_parse(buf, (size_t)(nl - buf), reply, err);
 done:
	free(buf);
	return status;
}

void
ctl_close(struct ctl_conn *conn)
{
	if (conn->fd != -1)
		close(conn->fd);
	conn->fd = -1;
}

/*
 * The whole exchange for one command: connect, send, receive, close.
 */
enum ctl_status
ctl_request(const char *path, const char *command, const char *arg,
    struct ctl_reply *reply, struct ctl_error *err)
{
	struct ctl_conn	 conn;
	enum ctl_status	 status;

	memset(reply, 0, sizeof(*reply));
	if ((status = ctl_connect(&conn, path, err)) != CTL_OK)
		return status;
	if ((status = ctl_send(&conn, command, arg, err)) == CTL_OK)
		status = ctl_recv(&conn, reply, err);
	ctl_close(&conn);
	return status;
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
