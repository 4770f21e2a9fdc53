/*
 * parser.c - turn the words after the options into one parse_result.
 *
 * Every command futctl knows is one row of the table below; adding a
 * command is adding a row (and an output handler).
 */
#include <stdio.h>
#include <string.h>

#include "proto.h"
#include "futctl.h"

struct command {
	const char	*name;		/* what the user types and futd reads */
	enum action	 action;
	int		 min_args;
	int		 max_args;
	const char	*args;		/* argument synopsis for the usage */
	const char	*help;
};

static const struct command commands[] = {
	{ "status",	ACTION_STATUS,	0, 0, "",	"show every target" },
	{ "show",	ACTION_SHOW,	1, 1, "NAME",
	    "show one target and its recent results" },
	{ "ping",	ACTION_PING,	0, 0, "",
	    "check that futd is alive" },
	{ "reload",	ACTION_RELOAD,	0, 0, "",
	    "make futd re-read its configuration" },
};

static const struct command	*parser_lookup(const char *);
static int			 parser_valid_name(const char *);

enum parse_status
parse(int argc, char *argv[], struct parse_result *res)
{
	const struct command	*cmd;
	int			 nargs;

	memset(res, 0, sizeof(*res));
	res->action = ACTION_NONE;

	if (argc < 1) {
		snprintf(res->error, sizeof(res->error), "no command given");
		return PARSE_NO_COMMAND;
	}
	if ((cmd = parser_lookup(argv[0])) == NULL) {
		snprintf(res->error, sizeof(res->error),
		    "unknown command: %s", argv[0]);
		return PARSE_UNKNOWN_COMMAND;
	}

	nargs = argc - 1;
	if (nargs < cmd->min_args) {
		snprintf(res->error, sizeof(res->error),
		    "%s: missing %s", cmd->name, cmd->args);
		return PARSE_TOO_FEW;
	}
	if (nargs > cmd->max_args) {
		snprintf(res->error, sizeof(res->error),
		    "%s: unexpected argument: %s", cmd->name,
		    argv[1 + cmd->max_args]);
		return PARSE_TOO_MANY;
	}

	res->action = cmd->action;
	res->command = cmd->name;
	if (cmd->action == ACTION_SHOW) {
		/*
		 * The protocol splits words on blanks and takes printable
		 * ASCII only: a name outside that could never match, and
		 * would make futd answer "bad request" rather than "no
		 * such target".
		 */
		if (!parser_valid_name(argv[1])) {
			snprintf(res->error, sizeof(res->error),
			    "%s: invalid target name (printable ASCII "
			    "without blanks expected)", cmd->name);
			res->action = ACTION_NONE;
			res->command = NULL;
			return PARSE_BAD_ARGUMENT;
		}
		res->name = argv[1];
	}
	return PARSE_OK;
}

/* The synopsis and the commands: what a mistyped command line needs. */
void
parser_usage(FILE *fp)
{
	size_t	 i;
	char	 synopsis[64];

	fprintf(fp,
	    "usage: futctl [-jhV] [-s socket] command [argument]\n"
	    "\n"
	    "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		snprintf(synopsis, sizeof(synopsis), "%s%s%s",
		    commands[i].name, commands[i].args[0] ? " " : "",
		    commands[i].args);
		fprintf(fp, "  %-14s%s\n", synopsis, commands[i].help);
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
	    "  -s, --socket PATH  futd's control socket\n"
	    "                     (default: $FUTD_SOCKET, else %s)\n"
	    "  -j, --json         print the reply's data as JSON\n"
	    "  -h, --help         print this help and exit\n"
	    "  -V, --version      print the version and exit\n"
	    "\n"
	    "exit status: 0 ok, 1 futd answered with an error, 2 usage,\n"
	    "3 futd could not be reached or answered nonsense\n",
	    FUTD_DEFAULT_SOCKET);
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
parser_valid_name(const char *name)
{
	const unsigned char	*p;

	if (*name == '\0')
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return 0;
	return 1;
}
