/*
 * futctl.c - main() of futctl, the control client of futd.
 *
 *	futctl [-s socket] [-j] command [argument]
 *
 * Only main() lives here; parsing, talking and printing are in parser.c,
 * ctl.c, output.c and output_json.c, which tests link without this file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "futctl.h"

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "socket",	required_argument,	NULL,	's' },
		{ "json",	no_argument,		NULL,	'j' },
		{ "help",	no_argument,		NULL,	'h' },
		{ "version",	no_argument,		NULL,	'V' },
		{ NULL,		0,			NULL,	0 },
	};
	const struct output	*out = &output_text;
	struct parse_result	 res;
	struct ctl_reply	 reply;
	struct ctl_error	 err;
	const char		*sock = NULL;
	char			 msg[4608];
	int			 ch, rc = 0, ret;

	/*
	 * getopt_long() permutes argv, so options may also follow the
	 * command ("futctl status --json").  Its own messages would name
	 * the full argv[0]; ours say "futctl:" like every other line.
	 */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":s:jhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			sock = optarg;
			break;
		case 'j':
			out = &output_json;
			break;
		case 'h':
			parser_help(stdout);
			return FUTCTL_EXIT_OK;
		case 'V':
			printf("futctl %s (protocol %s%d)\n", FUTCTL_VERSION,
			    FUTD_PROTO_PREFIX, FUTD_PROTO_VERSION);
			return FUTCTL_EXIT_OK;
		case ':':
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				output_warnx("option %s needs an argument",
				    argv[optind - 1]);
			else
				output_warnx("option -%c needs an argument",
				    optopt);
			parser_usage(stderr);
			return FUTCTL_EXIT_USAGE;
		default:
			/* A long option's optopt is its short twin, or 0. */
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				output_warnx("invalid option %s",
				    argv[optind - 1]);
			else
				output_warnx("invalid option -%c", optopt);
			parser_usage(stderr);
			return FUTCTL_EXIT_USAGE;
		}
	}

	if (sock == NULL &&
	    ((sock = getenv("FUTD_SOCKET")) == NULL || *sock == '\0'))
		sock = FUTD_DEFAULT_SOCKET;

	if (parse(argc - optind, argv + optind, &res) != PARSE_OK) {
		output_warnx("%s", res.error);
		parser_usage(stderr);
		return FUTCTL_EXIT_USAGE;
	}

	if (ctl_request(sock, res.command, res.name, &reply, &err) != CTL_OK) {
		ctl_strerror(&err, sock, msg, sizeof(msg));
		output_warnx("%s", msg);
		/* Too long a request is the user's argument, not futd. */
		return err.status == CTL_ERR_REQUEST ?
		    FUTCTL_EXIT_USAGE : FUTCTL_EXIT_TALK;
	}

	if (reply.code != PROTO_OK) {
		out->error(&res, &reply);
		ret = FUTCTL_EXIT_REPLY;
	} else {
		switch (res.action) {
		case ACTION_STATUS:
			rc = out->status(reply.data);
			break;
		case ACTION_SHOW:
			rc = out->show(reply.data);
			break;
		case ACTION_PING:
			rc = out->ping(reply.data);
			break;
		case ACTION_RELOAD:
			rc = out->reload(reply.data);
			break;
		case ACTION_NONE:
			break;
		}
		ret = rc == 0 ? FUTCTL_EXIT_OK : FUTCTL_EXIT_TALK;
	}
	ctl_reply_free(&reply);

	/* A full disk or a closed pipe must not look like success. */
	errno = 0;
	if (fflush(stdout) == EOF || ferror(stdout)) {
		output_warnx("cannot write to stdout: %s",
		    errno != 0 ? strerror(errno) : "write error");
		if (ret == FUTCTL_EXIT_OK)
			ret = FUTCTL_EXIT_REPLY;
	}
	return ret;
}
