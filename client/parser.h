/*
 * parser.h - futctl's command line as one struct parse_result (parser.c).
 */
#ifndef FUTCTL_PARSER_H
#define FUTCTL_PARSER_H

#include <stddef.h>
#include <stdio.h>

#include "proto.h"

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
	ACTION_DISABLE,
	ACTION_ENABLE,
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
#define OPT_FOR		0x10	/* --for DURATION */
#define OPT_REASON	0x20	/* --reason TEXT */

#define LOG_DEFAULT_COUNT	20
#define SHOW_DEFAULT_COUNT	20
#define LOG_MAX_COUNT		1000000		/* what futd accepts */

struct parse_result {
	enum action	 action;
	const char	*command;	/* the protocol word, e.g. "show" */
	const char	*name;		/* target of show, probe, check, log */
	const char	*pattern;	/* status PATTERN (a glob) */
	const char	*state;		/* status --state */
	const char	*duration;	/* disable --for */
	const char	*reason;	/* disable --reason */
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

/* status -w's TREND: the last results of each target, asked of futd */
#define STATUS_TREND_CELLS	16

#endif /* FUTCTL_PARSER_H */
