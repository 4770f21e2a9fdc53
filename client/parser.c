/*
 * parser.c - turn futctl's command line into one parse_result.
 *
 * Every command futctl knows is one row of the table below: its word, the
 * protocol word it sends, its arguments and the options it takes.  Adding a
 * command is adding a row (and an output handler).  Options may come before
 * or after the command ("futctl status -w", "futctl -j status"); an option
 * a command does not take is a usage error, not silently ignored.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "parser.h"

enum arg_kind {
	ARG_NONE,
	ARG_NAME,		/* a target name */
	ARG_PATTERN,		/* a glob over target names */
};

struct command {
	const char	*name;		/* what the user types */
	const char	*proto;		/* what futd reads; NULL: nothing */
	enum action	 action;
	int		 min_args;
	int		 max_args;
	enum arg_kind	 arg;
	unsigned	 opts;		/* OPT_* it takes */
	const char	*synopsis;	/* options and arguments, for usage */
	const char	*help;
};

static const struct command commands[] = {
	{ "status",	"status",	ACTION_STATUS,	0, 1, ARG_PATTERN,
	    OPT_WIDE | OPT_STATE, "[-w] [--state STATE] [PATTERN]",
	    "the targets, worst first" },
	{ "show",	"show",		ACTION_SHOW,	1, 1, ARG_NAME,
	    OPT_COUNT, "[-n N] NAME",
	    "one target: settings, state, results" },
	{ "probe",	"probe",	ACTION_PROBE,	1, 1, ARG_NAME,
	    0, "NAME",
	    "probe a target now, step by step" },
	{ "log",	"log",		ACTION_LOG,	0, 1, ARG_NAME,
	    OPT_COUNT | OPT_FOLLOW, "[-n N] [-f] [NAME]",
	    "what happened (-f: and then live)" },
	{ "check",	"status",	ACTION_CHECK,	1, 1, ARG_NAME,
	    0, "NAME",
	    "one line and a Nagios exit status" },
	{ "ping",	"ping",		ACTION_PING,	0, 0, ARG_NONE,
	    0, "",
	    "check that futd is alive" },
	{ "reload",	"reload",	ACTION_RELOAD,	0, 0, ARG_NONE,
	    0, "",
	    "make futd re-read its configuration" },
	{ "metrics",	"metrics",	ACTION_METRICS,	0, 0, ARG_NONE,
	    0, "",
	    "the figures in Prometheus's text format" },
	{ "disable",	"disable",	ACTION_DISABLE,	1, 1, ARG_PATTERN,
	    OPT_FOR | OPT_REASON, "[--for D] [--reason T] PATTERN",
	    "stop probing (maintenance)" },
	{ "enable",	"enable",	ACTION_ENABLE,	1, 1, ARG_PATTERN,
	    0, "PATTERN",
	    "probe again, at once" },
	{ "help",	NULL,		ACTION_HELP,	0, 0, ARG_NONE,
	    0, "",
	    "print this help" },
};

/* The command options, for "option X is not for command Y". */
static const struct {
	unsigned	 bit;
	const char	*name;
} option_names[] = {
	{ OPT_WIDE,	"-w" },
	{ OPT_STATE,	"--state" },
	{ OPT_COUNT,	"-n" },
	{ OPT_FOLLOW,	"-f" },
	{ OPT_FOR,	"--for" },
	{ OPT_REASON,	"--reason" },
};

static const char *const states[] = { "up", "down", "unknown", "flapping",
    "disabled" };

#define OPTION_STATE	0x100	/* --state has no short form */
#define OPTION_FOR	0x101
#define OPTION_REASON	0x102
#define DISABLE_MAX_S	(10LL * 366 * 86400)	/* what futd accepts */
#define REASON_MAX	200			/* bytes, ditto */

static const struct option longopts[] = {
	{ "socket",	required_argument,	NULL,	's' },
	{ "json",	no_argument,		NULL,	'j' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ "wide",	no_argument,		NULL,	'w' },
	{ "state",	required_argument,	NULL,	OPTION_STATE },
	{ "count",	required_argument,	NULL,	'n' },
	{ "follow",	no_argument,		NULL,	'f' },
	{ "for",	required_argument,	NULL,	OPTION_FOR },
	{ "reason",	required_argument,	NULL,	OPTION_REASON },
	{ NULL,		0,			NULL,	0 },
};

/* What the options say besides the parse_result's own fields. */
struct parse_opts {
	const char	*count;		/* -n's argument */
	int		 help;		/* -h */
	int		 version;	/* -V */
	char		 bad[96];	/* the first bad option, in words */
};

static void			 parser_options(int, char *[],
				    struct parse_result *, struct parse_opts *);
static int			 parser_option(int, struct parse_result *,
				    struct parse_opts *);
static void			 parser_bad_option(int, char *[],
				    struct parse_opts *);
static enum parse_status	 parser_command(struct parse_result *,
				    const struct command *, int, char *[],
				    const struct parse_opts *);
static enum parse_status	 parser_argument(struct parse_result *,
				    const struct command *, const char *,
				    const struct parse_opts *);
static enum parse_status	 parser_request(struct parse_result *,
				    const struct command *);
static enum parse_status	 parser_disable(struct parse_result *,
				    const struct command *);
static const struct command	*parser_lookup(const char *);
static int			 parser_valid_word(const char *);
static int			 parser_count(const char *, unsigned long,
				    unsigned long *);
static int			 parser_add(struct parse_result *,
				    const char *, const char *);
static enum parse_status	 parser_fail(struct parse_result *,
				    enum parse_status, const char *, ...)
				    __attribute__((format(printf, 3, 4)));

/*
 * The command line, in order: the options (getopt_long() permutes argv,
 * so they may also follow the command), the command, its argument, the
 * request words futd will read.
 */
enum parse_status
parse(int argc, char *argv[], struct parse_result *res)
{
	struct parse_opts	 o;
	const struct command	*cmd;
	const char		*arg;
	enum parse_status	 status;

	memset(res, 0, sizeof(*res));
	memset(&o, 0, sizeof(o));
	res->action = ACTION_NONE;
	parser_options(argc, argv, res, &o);

	if (res->socket == NULL &&
	    ((res->socket = getenv("FUTD_SOCKET")) == NULL ||
	    *res->socket == '\0'))
		res->socket = FUTD_DEFAULT_SOCKET;

	argc -= optind;
	argv += optind;
	cmd = argc > 0 ? parser_lookup(argv[0]) : NULL;
	if (cmd != NULL && cmd->action == ACTION_CHECK)
		res->nagios = 1;

	if (o.help || (cmd != NULL && cmd->action == ACTION_HELP &&
	    argc == 1 && o.bad[0] == '\0')) {
		res->action = ACTION_HELP;
		return PARSE_HELP;
	}
	if (o.version)
		return PARSE_VERSION;
	if ((status = parser_command(res, cmd, argc, argv, &o)) != PARSE_OK)
		return status;
	arg = argc > 1 ? argv[1] : NULL;
	if ((status = parser_argument(res, cmd, arg, &o)) != PARSE_OK)
		return status;

	res->action = cmd->action;
	res->command = cmd->proto;
	if (cmd->arg == ARG_PATTERN)
		res->pattern = arg;
	else
		res->name = arg;
	return parser_request(res, cmd);
}

/*
 * The options, wherever they are.  getopt_long()'s own messages would
 * name the full argv[0]; ours say "futctl:" like every other line.  A bad
 * option does not stop the loop: `check` must still learn that it is
 * `check` (exit 3, not 2).
 */
static void
parser_options(int argc, char *argv[], struct parse_result *res,
    struct parse_opts *o)
{
	int	 ch;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":s:jhVwn:f", longopts, NULL)) !=
	    -1) {
		if (parser_option(ch, res, o) == -1)
			parser_bad_option(ch, argv, o);
	}
}

/* One option into its place; -1: not one of ours (':' or '?'). */
static int
parser_option(int ch, struct parse_result *res, struct parse_opts *o)
{
	switch (ch) {
	case 's':
		res->socket = optarg;
		break;
	case 'j':
		res->json = 1;
		break;
	case 'h':
		o->help = 1;
		break;
	case 'V':
		o->version = 1;
		break;
	case 'w':
		res->wide = 1;
		res->opts |= OPT_WIDE;
		break;
	case OPTION_STATE:
		res->state = optarg;
		res->opts |= OPT_STATE;
		break;
	case 'n':
		o->count = optarg;
		res->opts |= OPT_COUNT;
		break;
	case 'f':
		res->follow = 1;
		res->opts |= OPT_FOLLOW;
		break;
	case OPTION_FOR:
		res->duration = optarg;
		res->opts |= OPT_FOR;
		break;
	case OPTION_REASON:
		res->reason = optarg;
		res->opts |= OPT_REASON;
		break;
	default:
		return -1;
	}
	return 0;
}

/* The first bad option, in words: ':' lacks its argument, else unknown. */
static void
parser_bad_option(int ch, char *argv[], struct parse_opts *o)
{
	if (o->bad[0] != '\0')
		return;
	if (ch == ':') {
		if (strncmp(argv[optind - 1], "--", 2) == 0)
			snprintf(o->bad, sizeof(o->bad), "option %.40s needs "
			    "an argument", argv[optind - 1]);
		else
			snprintf(o->bad, sizeof(o->bad), "option -%c needs "
			    "an argument", optopt);
		return;
	}
	/* A long option's optopt is its short twin, or 0. */
	if (strncmp(argv[optind - 1], "--", 2) == 0)
		snprintf(o->bad, sizeof(o->bad), "invalid option %.40s",
		    argv[optind - 1]);
	else
		snprintf(o->bad, sizeof(o->bad), "invalid option -%c", optopt);
}

/* The command, its number of arguments, the options it takes. */
static enum parse_status
parser_command(struct parse_result *res, const struct command *cmd,
    int argc, char *argv[], const struct parse_opts *o)
{
	size_t	 k;
	int	 nargs = argc - 1;

	if (o->bad[0] != '\0')
		return parser_fail(res, PARSE_BAD_OPTION, "%s", o->bad);
	if (argc < 1)
		return parser_fail(res, PARSE_NO_COMMAND, "no command given");
	if (cmd == NULL)
		return parser_fail(res, PARSE_UNKNOWN_COMMAND,
		    "unknown command: %s", argv[0]);

	if (nargs < cmd->min_args)
		return parser_fail(res, PARSE_TOO_FEW, "%s: missing %s",
		    cmd->name, cmd->arg == ARG_PATTERN ? "PATTERN" : "NAME");
	if (nargs > cmd->max_args)
		return parser_fail(res, PARSE_TOO_MANY,
		    "%s: unexpected argument: %s", cmd->name,
		    argv[1 + cmd->max_args]);
	for (k = 0; k < sizeof(option_names) / sizeof(option_names[0]); k++)
		if ((res->opts & option_names[k].bit) &&
		    !(cmd->opts & option_names[k].bit))
			return parser_fail(res, PARSE_BAD_OPTION,
			    "%s: option %s is not for this command",
			    cmd->name, option_names[k].name);
	return PARSE_OK;
}

/*
 * The argument (arg, may be NULL) and the values of --state and -n.  The
 * protocol splits words on blanks and takes printable ASCII only: a name
 * outside that could never match, and would make futd answer "bad
 * request" rather than "no such target".
 */
static enum parse_status
parser_argument(struct parse_result *res, const struct command *cmd,
    const char *arg, const struct parse_opts *o)
{
	const char	*what = cmd->arg == ARG_PATTERN ? "pattern" :
			    "target name";
	unsigned long	 min;
	size_t		 i;

	if (arg != NULL && !parser_valid_word(arg))
		return parser_fail(res, PARSE_BAD_ARGUMENT, "%s: invalid %s "
		    "(printable ASCII without blanks expected)", cmd->name,
		    what);
	if (arg != NULL && strlen(arg) >= FUTD_PROTO_MAX_REQUEST)
		return parser_fail(res, PARSE_BAD_ARGUMENT, "%s: %s longer "
		    "than futd accepts (%d bytes)", cmd->name, what,
		    FUTD_PROTO_MAX_REQUEST);
	if (res->state != NULL) {
		for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
			if (strcmp(states[i], res->state) == 0)
				break;
		if (i == sizeof(states) / sizeof(states[0]))
			return parser_fail(res, PARSE_BAD_ARGUMENT,
			    "%s: unknown state \"%.40s\" (up, down, unknown, "
			    "flapping or disabled)", cmd->name, res->state);
	}
	res->count = cmd->action == ACTION_SHOW ? SHOW_DEFAULT_COUNT :
	    LOG_DEFAULT_COUNT;
	/* log -f -n 0: only what comes */
	min = cmd->action == ACTION_LOG && res->follow ? 0 : 1;
	if (o->count != NULL &&
	    parser_count(o->count, min, &res->count) == -1)
		return parser_fail(res, PARSE_BAD_ARGUMENT, "%s: -n needs a "
		    "count from %lu to %d, not \"%.40s\"", cmd->name, min,
		    LOG_MAX_COUNT, o->count);
	return PARSE_OK;
}

/* The words after the command, as futd reads them. */
static enum parse_status
parser_request(struct parse_result *res, const struct command *cmd)
{
	char	 n[32];
	int	 over = 0;

	switch (cmd->action) {
	case ACTION_STATUS:
		over |= parser_add(res, "match=", res->pattern);
		over |= parser_add(res, "state=", res->state);
		/* -w's TREND: the last results of each, in the same reply */
		if (res->wide && !res->json) {
			snprintf(n, sizeof(n), "%d", STATUS_TREND_CELLS);
			over |= parser_add(res, "trend=", n);
		}
		break;
	case ACTION_SHOW:
	case ACTION_PROBE:
		over |= parser_add(res, "", res->name);
		break;
	case ACTION_LOG:
		snprintf(n, sizeof(n), "%lu", res->count);
		over |= parser_add(res, "n=", n);
		over |= parser_add(res, "target=", res->name);
		break;
	case ACTION_DISABLE:
		return parser_disable(res, cmd);
	case ACTION_ENABLE:
		over |= parser_add(res, "", res->pattern);
		break;
	default:
		break;
	}
	if (over)
		return parser_fail(res, PARSE_BAD_ARGUMENT, "%s: request "
		    "longer than futd accepts (%d bytes)", cmd->name,
		    FUTD_PROTO_MAX_REQUEST);
	return PARSE_OK;
}

/*
 * A duration: one or more NUMBER UNIT, units s, m, h, d ("90s", "30m",
 * "1h30m"); a bare number is seconds.  -1: not one, or out of range.
 */
static long long
parser_duration(const char *s)
{
	long long	 total = 0, n;
	char		*end;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0 || n > DISABLE_MAX_S)
			return -1;
		switch (*end) {
		case 'd': n *= 86400; end++; break;
		case 'h': n *= 3600; end++; break;
		case 'm': n *= 60; end++; break;
		case 's': end++; break;
		case '\0': break;
		default: return -1;
		}
		if ((total += n) > DISABLE_MAX_S)
			return -1;
		s = end;
	}
	return total > 0 ? total : -1;
}

/*
 * disable's words: the pattern, for=SECONDS, reason=TEXT with every byte
 * that is not a printable ASCII letter %-encoded (a request is one line
 * of blank-separated printable words).
 */
static enum parse_status
parser_disable(struct parse_result *res, const struct command *cmd)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 n[32], enc[3 * REASON_MAX + 1];
	const unsigned char	*p;
	long long		 secs;
	size_t			 o = 0;
	int			 over = 0;

	if (res->duration != NULL) {
		if ((secs = parser_duration(res->duration)) == -1)
			return parser_fail(res, PARSE_BAD_ARGUMENT, "%s: --for "
			    "needs a duration like 90s, 30m, 2h, 1d or 1h30m "
			    "(at most ten years), not \"%.40s\"", cmd->name,
			    res->duration);
		snprintf(n, sizeof(n), "%lld", secs);
	}
	if (res->reason != NULL && strlen(res->reason) > REASON_MAX)
		return parser_fail(res, PARSE_BAD_ARGUMENT, "%s: --reason is "
		    "longer than %d bytes", cmd->name, REASON_MAX);
	for (p = (const unsigned char *)(res->reason != NULL ? res->reason :
	    ""); *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return parser_fail(res, PARSE_BAD_ARGUMENT, "%s: "
			    "--reason has a control character", cmd->name);
		if (*p > ' ' && *p < 0x7f && *p != '%')
			enc[o++] = (char)*p;
		else {
			enc[o++] = '%';
			enc[o++] = hex[*p >> 4];
			enc[o++] = hex[*p & 15];
		}
	}
	enc[o] = '\0';
	over |= parser_add(res, "", res->pattern);
	over |= parser_add(res, "for=", res->duration != NULL ? n : NULL);
	over |= parser_add(res, "reason=", o > 0 ? enc : NULL);
	if (over)
		return parser_fail(res, PARSE_BAD_ARGUMENT, "%s: request "
		    "longer than futd accepts (%d bytes)", cmd->name,
		    FUTD_PROTO_MAX_REQUEST);
	return PARSE_OK;
}

/* The synopsis and the commands: what a mistyped command line needs. */
void
parser_usage(FILE *fp)
{
	size_t	 i;
	char	 synopsis[64];

	fprintf(fp,
	    "usage: futctl [-jhV] [-s socket] command [options] [argument]\n"
	    "\n"
	    "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		snprintf(synopsis, sizeof(synopsis), "%s%s%s",
		    commands[i].name, commands[i].synopsis[0] ? " " : "",
		    commands[i].synopsis);
		fprintf(fp, "  %-39s%s\n", synopsis, commands[i].help);
	}
}

/* The usage, then what every option and exit status means: for -h. */
void
parser_help(FILE *fp)
{
	parser_usage(fp);
	fprintf(fp,
	    "\n"
	    "options:\n"
	    "  -s, --socket PATH   futd's control socket\n"
	    "                      (default: $FUTD_SOCKET, else %s)\n"
	    "  -j, --json          print futd's data as JSON (log -f: one\n"
	    "                      object per line)\n"
	    "  -w, --wide          status: every column, one line per target,\n"
	    "                      TREND: the last results as a sparkline\n"
	    "      --state STATE   status: only targets in STATE (up, down,\n"
	    "                      unknown, flapping, disabled)\n"
	    "  -n, --count N       log: the last N events (default %d);\n"
	    "                      show: the last N results (default %d)\n"
	    "  -f, --follow        log: then print events as they happen,\n"
	    "                      until interrupted (-n 0: only those)\n"
	    "      --for D         disable: for 90s, 30m, 2h, 1d, 1h30m;\n"
	    "                      by itself back then (default: until\n"
	    "                      enable)\n"
	    "      --reason T      disable: why, shown with the state\n"
	    "  -h, --help          print this help and exit\n"
	    "  -V, --version       print the version and exit\n"
	    "\n"
	    "PATTERN is a shell glob over target names (\"web*\").\n"
	    "disable and enable are for root and futd's own user.\n"
	    "\n"
	    "exit status: 0 ok, 1 futd answered with an error (no such\n"
	    "target, ...), 2 usage, 3 futd could not be reached, answered\n"
	    "nonsense or went away; probe: 2 when the probe failed;\n"
	    "check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, nothing else\n",
	    FUTD_DEFAULT_SOCKET, LOG_DEFAULT_COUNT, SHOW_DEFAULT_COUNT);
}

/*
 * A glob that matches exactly name: fnmatch(3) without FNM_NOESCAPE takes
 * a backslash as "the next character stands for itself".  The length of
 * the result, which is cut short (and still NUL-terminated) if size is
 * below 2 * strlen(name) + 1.
 */
size_t
parser_glob_escape(char *buf, size_t size, const char *name)
{
	size_t	 o = 0;

	if (size == 0)
		return 0;
	for (; *name != '\0' && o + 1 < size; name++) {
		if (strchr("*?[]\\", *name) != NULL) {
			if (o + 2 >= size)
				break;
			buf[o++] = '\\';
		}
		buf[o++] = *name;
	}
	buf[o] = '\0';
	return o;
}

static const struct command *
parser_lookup(const char *word)
{
	size_t	 i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, word) == 0)
			return &commands[i];
	return NULL;
}

static int
parser_valid_word(const char *word)
{
	const unsigned char	*p;

	if (*word == '\0')
		return 0;
	for (p = (const unsigned char *)word; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return 0;
	return 1;
}

/* min..LOG_MAX_COUNT, digits only. */
static int
parser_count(const char *s, unsigned long min, unsigned long *out)
{
	unsigned long	 n;
	char		*end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > LOG_MAX_COUNT)
		return -1;
	*out = n;
	return 0;
}

/*
 * Append " key" + value to the request words, if value is set: -1 when
 * they would not fit (a cut request could name another target).
 */
static int
parser_add(struct parse_result *res, const char *key, const char *value)
{
	size_t	 len = strlen(res->args);
	int	 n;

	if (value == NULL)
		return 0;
	n = snprintf(res->args + len, sizeof(res->args) - len, "%s%s%s",
	    len > 0 ? " " : "", key, value);
	return n < 0 || (size_t)n >= sizeof(res->args) - len ? -1 : 0;
}

static enum parse_status
parser_fail(struct parse_result *res, enum parse_status status,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	res->action = ACTION_NONE;
	res->command = NULL;
	return status;
}
