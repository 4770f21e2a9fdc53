/*
 * futctl.c - main() of futctl, the control client of futd.
 *
 *	futctl [-jhV] [-s socket] command [options] [argument]
 *
 * Only main() lives here; parsing, talking and printing are in parser.c,
 * ctl.c, output.c and output_json.c, which tests link without this file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "futctl.h"
#include "parser.h"
#include "ctl.h"
#include "check.h"
#include "output.h"
#include "print.h"

int
main(int argc, char *argv[])
{
	const struct output	*out;
	struct parse_result	 res;
	struct ctl_reply	 reply, tls_reply;
	struct ctl_error	 err;
	struct check_result	 cr;
	const json_t		*target = NULL, *tls_conf = NULL;
	json_t			*probed = NULL;
	enum ctl_status		 status;
	char			 msg[4608];
	int			 rc = 0, ret, passed = 0;

	switch (parse(argc, argv, &res)) {
	case PARSE_OK:
		break;
	case PARSE_HELP:
		parser_help(stdout);
		return fflush(stdout) == EOF ? FUTCTL_EXIT_REPLY :
		    FUTCTL_EXIT_OK;
	case PARSE_VERSION:
		printf("futctl %s (protocol %s%d)\n", FUTCTL_VERSION,
		    FUTD_PROTO_PREFIX, FUTD_PROTO_VERSION);
		return FUTCTL_EXIT_OK;
	default:
		/* `check` answers Nagios, whatever went wrong */
		if (res.nagios) {
			check_unknown(&cr, "futctl: %s", res.error);
			(res.json ? &output_json : &output_text)->check(&cr);
			return CHECK_UNKNOWN;
		}
		print_warnx("%s", res.error);
		parser_usage(stderr);
		return FUTCTL_EXIT_USAGE;
	}
	out = res.json ? &output_json : &output_text;

	switch (res.action) {
	case ACTION_CHECK:
		if (ctl_find(res.socket, res.name, &reply, &target, &err) !=
		    CTL_OK) {
			ctl_strerror(&err, res.socket, msg, sizeof(msg));
			check_unknown(&cr, "%s", msg);
		} else if (reply.code != PROTO_OK)
			check_unknown(&cr, "futd answered %d: %s", reply.code,
			    reply.message);
		else {
			/* a TLS target: its certificate's limits (show) */
			memset(&tls_reply, 0, sizeof(tls_reply));
			if (check_wants_tls_conf(target) &&
			    ctl_tls_conf(res.socket, res.name, &tls_reply,
			    &tls_conf, &err) != CTL_OK)
				tls_conf = NULL;
			check_eval(&cr, res.name, target, tls_conf);
			ctl_reply_free(&tls_reply);
		}
		out->check(&cr);
		ctl_reply_free(&reply);
		return fflush(stdout) == EOF || ferror(stdout) ?
		    CHECK_UNKNOWN : (int)cr.code;
	case ACTION_LOG:
		if (res.follow) {
			ret = ctl_follow(&res, out);
			goto flush;
		}
		status = ctl_request(res.socket, res.command, res.args, &reply,
		    &err);
		break;
	case ACTION_PROBE:
		status = ctl_probe(res.socket, res.name, &reply, &probed,
		    &err);
		break;
	case ACTION_STATUS:
		if (res.json) {
			status = ctl_request_pass(res.socket, res.command,
			    res.args, stdout, &passed, &reply, &err);
			if (status == CTL_OK && passed) {
				ret = FUTCTL_EXIT_OK;
				goto flush;
			}
			break;
		}
		status = ctl_request(res.socket, res.command, res.args, &reply,
		    &err);
		break;
	default:
		status = ctl_request(res.socket, res.command, res.args, &reply,
		    &err);
		break;
	}
	if (status != CTL_OK)
		return ctl_warn(&err, res.socket);

	if (reply.code != PROTO_OK) {
		out->error(&res, &reply);
		ret = FUTCTL_EXIT_REPLY;
	} else {
		switch (res.action) {
		case ACTION_STATUS:
			rc = out->status(reply.data, &res);
			break;
		case ACTION_SHOW:
			rc = out->show(reply.data, &res);
			break;
		case ACTION_PROBE:
			rc = out->probe(reply.data, probed);
			break;
		case ACTION_LOG:
			rc = out->log(reply.data);
			break;
		case ACTION_PING:
			rc = out->ping(reply.data);
			break;
		case ACTION_RELOAD:
			rc = out->reload(reply.data);
			break;
		case ACTION_METRICS:
			rc = out->metrics(reply.data);
			break;
		default:
			break;
		}
		ret = rc == 0 ? FUTCTL_EXIT_OK : rc == 1 ?
		    FUTCTL_EXIT_PROBE_FAILED : FUTCTL_EXIT_TALK;
	}
	ctl_reply_free(&reply);
	json_decref(probed);

 flush:
	/* A full disk or a closed pipe must not look like success. */
	errno = 0;
	if (fflush(stdout) == EOF || ferror(stdout)) {
		print_warnx("cannot write to stdout: %s",
		    errno != 0 ? strerror(errno) : "write error");
		if (ret == FUTCTL_EXIT_OK)
			ret = FUTCTL_EXIT_REPLY;
	}
	return ret;
}
