/*
 * log.c - logging to stderr, for a terminal or for the journal.
 *
 * On a terminal each line carries a timestamp and a level.  Under systemd
 * (JOURNAL_STREAM set, or --log=journal) stderr goes to the journal, which
 * keeps its own timestamps: each line carries only the sd-daemon priority
 * prefix ("<3>" .. "<7>") that journald turns into the entry's priority.
 *
 * A line with fields (log_fields) goes to the journal's own socket, so
 * that its fields are fields; where that socket is not there it is
 * written as a plain line instead, for sd_journal_sendv() says nothing of
 * a journal that is missing (it answers 0 when the socket file is absent).
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "log.h"

static int		log_level = LOG_INFO;
static enum log_mode	log_mode = LOG_MODE_TERMINAL;
static int		log_pinned;	/* -v given: the config does not decide */
static int		log_journal;	/* the journal's socket answers */

/* where sd_journal_sendv() sends, fixed in libsystemd */
#define LOG_JOURNAL_SOCKET	"/run/systemd/journal/socket"

static const struct {
	const char	*name;
	int		 level;
} log_levels[] = {
	{ "error",	LOG_ERR },
	{ "warning",	LOG_WARNING },
	{ "notice",	LOG_NOTICE },
	{ "info",	LOG_INFO },
	{ "debug",	LOG_DEBUG },
};

/*
 * Is a journal listening?  A connect() to its socket says, as systemd's
 * own log_open_journal() decides: ENOENT where there is no systemd (a
 * container, a plain shell), ECONNREFUSED where the file is left but
 * nobody reads it.
 */
static int
log_journal_probe(void)
{
	struct sockaddr_un sun;
	int fd, ok;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strncpy(sun.sun_path, LOG_JOURNAL_SOCKET, sizeof(sun.sun_path) - 1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

void
log_init(int level, enum log_mode mode)
{
	log_level = level;
	log_mode = mode;
	log_journal = mode == LOG_MODE_JOURNAL && log_journal_probe();
}

/* The command line's choice (-v) outlasts every config's log_level. */
void
log_pin(int level)
{
	log_level = level;
	log_pinned = 1;
}

void
log_setlevel(int level)
{
	if (!log_pinned)
		log_level = level;
}

int
log_getlevel(void)
{
	return log_level;
}

int
log_level_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (strcasecmp(s, log_levels[i].name) == 0)
			return log_levels[i].level;
	return -1;
}

static const char *
log_level_name(int pri)
{
	size_t i;

	for (i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (log_levels[i].level == pri)
			return log_levels[i].name;
	return "error";
}

static void	log_write_line(int, const char *);

static void
log_vwrite(int pri, const char *fmt, va_list ap, const char *err)
{
	char msg[1024], line[1280];

	if (pri > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(line, sizeof(line), "%s%s%s", msg, err ? ": " : "",
	    err ? err : "");
	log_write_line(pri, line);
}

/* One line: "<N>" for the journal, or a timestamp and level. */
static void
log_write_line(int pri, const char *line)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;

	if (log_mode == LOG_MODE_JOURNAL) {
		fprintf(stderr, "<%d>%s\n", pri, line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %s: %s\n", stamp, ts.tv_nsec / 1000000,
	    log_level_name(pri), line);
}

/* An error that does not end futd by itself (its caller decides). */
void
log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
}

/* log_warn adds the words of errno, like warn(3) */
void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_NOTICE, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

/* Only at start-up, or when an invariant breaks. */
void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

/*
 * A line with fields to the journal's socket: MESSAGE, PRIORITY, each
 * field whose journal name is set, in order, and SYSLOG_IDENTIFIER.  0
 * when it went; -1 when it did not, and then whether a journal listens is
 * asked again: a journal gone for good is not tried again.
 */
static int
log_journal_send(int pri, const char *msg, const struct log_field *fl,
    size_t nfl)
{
	char f[LOG_FIELDS_MAX + 3][256];
	struct iovec iov[LOG_FIELDS_MAX + 3];
	size_t i;
	int n = 0;

	if (!log_journal)
		return -1;
	snprintf(f[n++], sizeof(f[0]), "MESSAGE=%s", msg);
	snprintf(f[n++], sizeof(f[0]), "PRIORITY=%d", pri);
	for (i = 0; i < nfl; i++)
		if (fl[i].journal != NULL)
			snprintf(f[n++], sizeof(f[0]), "%s=%s", fl[i].journal,
			    fl[i].value);
	snprintf(f[n++], sizeof(f[0]), "SYSLOG_IDENTIFIER=futd");
	for (i = 0; i < (size_t)n; i++) {
		iov[i].iov_base = f[i];
		iov[i].iov_len = strlen(f[i]);
	}
	if (sd_journal_sendv(iov, n) >= 0)
		return 0;
	log_journal = log_journal_probe();
	return -1;
}

/*
 * " key=value" at line + off (no blank first), as logfmt readers take it:
 * the value in double quotes when asked for, or when it is empty or holds
 * a blank, '=', '"', a backslash or a line break; inside the quotes '"'
 * and the backslash are escaped with a backslash, a line break is \n.  A
 * message that quotes a name (unknown key "timout") must not end the
 * value early.  Answers the new offset, at most size - 1.
 */
static size_t
log_kv(char *line, size_t size, size_t off, const char *key,
    const char *v, int quote)
{
	const char *p;
	int n;

	if (!quote)
		quote = *v == '\0' || strpbrk(v, " =\"\\\n") != NULL;
	n = snprintf(line + off, size - off, "%s%s=%s", off > 0 ? " " : "",
	    key, quote ? "\"" : "");
	off = n < 0 || (size_t)n >= size - off ? size - 1 : off + (size_t)n;
	for (p = v; *p != '\0' && off + 3 < size; p++) {
		if (quote && (*p == '"' || *p == '\\' || *p == '\n'))
			line[off++] = '\\';
		line[off++] = *p == '\n' ? 'n' : *p;
	}
	if (quote && off + 1 < size)
		line[off++] = '"';
	line[off] = '\0';
	return off;
}

/*
 * A line with fields: to the journal with fields of its own (FUTD_TARGET=
 * and so on, for `journalctl FUTD_TARGET=web`); or, on a terminal or with
 * no journal to take it, as one line of key=value, each field whose key is
 * set, in order, then message="msg" (log_kv).
 */
void
log_fields(int pri, const char *msg, const struct log_field *fl, size_t nfl)
{
	char line[1024];
	size_t i, off = 0;

	if (pri > log_level)
		return;
	if (nfl > LOG_FIELDS_MAX)
		nfl = LOG_FIELDS_MAX;
	if (log_mode == LOG_MODE_JOURNAL &&
	    log_journal_send(pri, msg, fl, nfl) == 0)
		return;
	line[0] = '\0';
	for (i = 0; i < nfl; i++)
		if (fl[i].key != NULL)
			off = log_kv(line, sizeof(line), off, fl[i].key,
			    fl[i].value, 0);
	log_kv(line, sizeof(line), off, "message", msg, 1);
	log_write_line(pri, line);
}
