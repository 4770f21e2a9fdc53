/*
 * futctl.h - declarations shared by the futctl client, grouped by file.
 *
 * futctl.c holds main() and nothing else, so that tests can link every
 * other object of the client.
 */
#ifndef FUTCTL_H
#define FUTCTL_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "proto.h"

#ifndef FUTCTL_VERSION
#define FUTCTL_VERSION		"0.1.0"
#endif

/*
 * Exit codes.  Scripts match on these, so a code never changes meaning.
 * 1 is also used for local failures (out of memory, stdout unwritable).
 * `probe` exits FUTCTL_EXIT_PROBE_FAILED when futd ran the probe and it
 * failed; `check` follows the Nagios plugin convention instead (enum
 * check_code) and never exits with anything else.
 */
enum futctl_exit {
	FUTCTL_EXIT_OK = 0,
	FUTCTL_EXIT_REPLY = 1,		/* futd answered with an error code */
	FUTCTL_EXIT_USAGE = 2,		/* bad options, command or argument */
	FUTCTL_EXIT_PROBE_FAILED = 2,	/* probe: the probe ran and failed */
	FUTCTL_EXIT_TALK = 3,		/* futd absent, silent or garbled */
};

/* The Nagios plugin convention: exit status and word of `check`. */
enum check_code {
	CHECK_OK = 0,
	CHECK_WARNING = 1,
	CHECK_CRITICAL = 2,
	CHECK_UNKNOWN = 3,
};

/* parser.c */
enum action {
	ACTION_NONE,
	ACTION_HELP,
	ACTION_STATUS,
	ACTION_SHOW,
	ACTION_PROBE,
	ACTION_LOG,
	ACTION_CHECK,
	ACTION_PING,
	ACTION_RELOAD,
	ACTION_METRICS,
};

enum parse_status {
	PARSE_OK,
	PARSE_HELP,		/* -h, --help or `help`: print the help */
	PARSE_VERSION,		/* -V */
	PARSE_BAD_OPTION,
	PARSE_NO_COMMAND,
	PARSE_UNKNOWN_COMMAND,
	PARSE_TOO_FEW,
	PARSE_TOO_MANY,
	PARSE_BAD_ARGUMENT,
};

/* Command options, as bits: which ones a command takes (parser.c). */
#define OPT_WIDE	0x01	/* -w, --wide */
#define OPT_STATE	0x02	/* --state STATE */
#define OPT_COUNT	0x04	/* -n, --count N */
#define OPT_FOLLOW	0x08	/* -f, --follow */

#define LOG_DEFAULT_COUNT	20
#define SHOW_DEFAULT_COUNT	20
#define LOG_MAX_COUNT		1000000		/* what futd accepts */

struct parse_result {
	enum action	 action;
	const char	*command;	/* the protocol word, e.g. "show" */
	const char	*name;		/* target of show, probe, check, log */
	const char	*pattern;	/* status PATTERN (a glob) */
	const char	*state;		/* status --state */
	const char	*socket;	/* -s, $FUTD_SOCKET or the default */
	unsigned long	 count;		/* -n: events, or results for show */
	unsigned	 opts;		/* OPT_* given */
	int		 json;		/* -j */
	int		 wide;		/* -w */
	int		 follow;	/* -f */
	int		 nagios;	/* the command is `check`: exit 0..3 */
	char		 args[FUTD_PROTO_MAX_REQUEST];	/* request words */
	char		 error[256];	/* why parse() failed, in words */
};

enum parse_status	 parse(int, char *[], struct parse_result *);
void			 parser_usage(FILE *);
void			 parser_help(FILE *);
size_t			 parser_glob_escape(char *, size_t, const char *);

/* ctl.c */
#define CTL_TIMEOUT_SEC		10	/* any one socket call */
#define CTL_RELOAD_TIMEOUT_SEC	300	/* the reply to a reload */
#define CTL_PROBE_MARGIN_SEC	10	/* probe: the target's timeout + */
#define CTL_PROBE_FALLBACK_SEC	120	/* ... when futd did not say it */
#define CTL_MAX_REPLY		(256UL * 1024 * 1024)	/* '\n' excluded */

enum ctl_status {
	CTL_OK = 0,
	CTL_ERR_REQUEST,	/* request line longer than futd accepts */
	CTL_ERR_SOCKET,		/* could not create the socket */
	CTL_ERR_CONNECT,	/* futd is not there (or not for us) */
	CTL_ERR_SEND,
	CTL_ERR_RECV,
	CTL_ERR_TIMEOUT,	/* futd stayed silent for too long */
	CTL_ERR_CLOSED,		/* connection closed before a whole reply */
	CTL_ERR_TOO_LONG,	/* reply line over CTL_MAX_REPLY */
	CTL_ERR_MALFORMED,	/* not JSON, or not the reply envelope */
	CTL_ERR_INTERRUPTED,	/* SIGINT or SIGTERM while following */
};

struct ctl_error {
	enum ctl_status	 status;
	int		 errnum;	/* errno of a failed call, else 0 */
	char		 detail[256];	/* otherwise: what was wrong */
};

/* A connection and what was read past the last line. */
struct ctl_conn {
	int		 fd;
	int		 timeout;	/* of recv(), seconds; 0: none */
	int		 interruptible;	/* SIGINT, SIGTERM end a wait */
	char		*buf;
	size_t		 off;		/* where the next line starts */
	size_t		 len;		/* bytes in buf */
	size_t		 cap;
};

struct ctl_reply {
	json_t		*root;		/* owns message and data */
	long long	 version;
	int		 code;		/* a proto_code, or one we don't know */
	const char	*message;
	json_t		*data;		/* object; NULL only if code != 200 */
};

struct output;

enum ctl_status	 ctl_connect(struct ctl_conn *, const char *,
		    struct ctl_error *);
int		 ctl_set_timeout(struct ctl_conn *, int);
enum ctl_status	 ctl_send(struct ctl_conn *, const char *, const char *,
		    struct ctl_error *);
enum ctl_status	 ctl_recv_line(struct ctl_conn *, char **, size_t *,
		    struct ctl_error *);
enum ctl_status	 ctl_recv(struct ctl_conn *, struct ctl_reply *,
		    struct ctl_error *);
void		 ctl_close(struct ctl_conn *);
enum ctl_status	 ctl_request(const char *, const char *, const char *,
		    struct ctl_reply *, struct ctl_error *);
enum ctl_status	 ctl_request_pass(const char *, const char *, const char *,
		    FILE *, int *, struct ctl_reply *, struct ctl_error *);
enum ctl_status	 ctl_probe(const char *, const char *, struct ctl_reply *,
		    json_t **, struct ctl_error *);
enum ctl_status	 ctl_find(const char *, const char *, struct ctl_reply *,
		    const json_t **, struct ctl_error *);
enum ctl_status	 ctl_tls_conf(const char *, const char *, struct ctl_reply *,
		    const json_t **, struct ctl_error *);
int		 ctl_follow(const struct parse_result *, const struct output *);
enum ctl_status	 ctl_reply_parse(const char *, size_t, struct ctl_reply *,
		    struct ctl_error *);
void		 ctl_reply_free(struct ctl_reply *);
void		 ctl_strerror(const struct ctl_error *, const char *, char *,
		    size_t);
int		 ctl_warn(const struct ctl_error *, const char *);

/* output.c */
#define CHECK_MAX_PERF	4

/* One Nagios performance value: label=value[uom];[warn];[crit];min[;max] */
struct check_perf {
	const char	*label;
	double		 value;
	const char	*uom;		/* "s", "%", "" */
	int		 decimals;	/* in the text form */
	double		 min;
	int		 has_max;
	double		 max;
	int		 has_limits;	/* warn and crit */
	double		 warn;
	double		 crit;
};

/* What `check` says: a Nagios status, one line of words, perfdata. */
struct check_result {
	enum check_code		 code;
	char			 text[1024];	/* "FUTD OK - web is up ..." */
	struct check_perf	 perf[CHECK_MAX_PERF];
	size_t			 nperf;
};

/*
 * One backend per output format.  The reply handlers get the reply's
 * "data" object of a 200 reply and return 0, or -1 when the data does not
 * have the shape proto.h promises (they have said why on stderr); probe()
 * returns 1 when the probe ran and failed, and gets the target as status
 * shows it (or NULL) besides.  event() gets one line of the
 * follow stream ({"event":{...}}, maybe with "dropped"), update set when it
 * repeats an event already printed.  error() reports a non-200 reply.
 */
struct output {
	int	(*ping)(const json_t *);
	int	(*status)(const json_t *, const struct parse_result *);
	int	(*show)(const json_t *, const struct parse_result *);
	int	(*probe)(const json_t *, const json_t *);
	int	(*log)(const json_t *);
	void	(*event)(const json_t *, int);
	int	(*reload)(const json_t *);
	int	(*metrics)(const json_t *);
	void	(*check)(const struct check_result *);
	void	(*error)(const struct parse_result *,
		    const struct ctl_reply *);
};

extern const struct output	 output_text;

void	 output_warnx(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
void	 output_fmt_latency(char *, size_t, long long);
void	 output_fmt_duration(char *, size_t, double);
void	 output_fmt_age(char *, size_t, double);
void	 output_fmt_percent(char *, size_t, double);
void	 output_fmt_clock(char *, size_t, double);
int	 output_probe_ok(const json_t *);
int	 check_wants_tls_conf(const json_t *);
const char	*check_word(enum check_code);
void	 check_eval(struct check_result *, const char *, const json_t *,
	    const json_t *);
void	 check_unknown(struct check_result *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* output_json.c */
extern const struct output	 output_json;

#endif /* FUTCTL_H */
