/*
 * futctl.c - main() of futctl, the control client of futd.
 *
 *	futctl [-jhV] [-s socket] command [options] [argument]
 *
 * Only main() and the few steps it takes live here: parse the command
 * line, ask futd, hand the answer to an output, make sure it was written.
 * Parsing, talking and printing are in parser.c, ctl.c, check.c and the
 * output backends (output*.c), which tests link without this file.
 */
#include <errno.h>
#include <locale.h>
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

static int	 futctl_bad_usage(const struct parse_result *);
static int	 futctl_check(const struct parse_result *,
		    const struct output *);
static int	 futctl_status_json(const struct parse_result *,
		    const struct output *);
static int	 futctl_command(const struct parse_result *,
		    const struct output *);
static void	 futctl_trend(json_t *);
static int	 futctl_answer(const struct parse_result *,
		    const struct output *, struct ctl_reply *, json_t *);
static int	 futctl_flush(int);

int
main(int argc, char *argv[])
{
	const struct output	*out;
	struct parse_result	 res;

	/*
	 * The character set alone, for the mark of a cut cell ("…" or
	 * "..."): numbers, dates and words stay as they are in any locale.
	 */
	(void)setlocale(LC_CTYPE, "");
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
		return futctl_bad_usage(&res);
	}
	out = res.json ? &output_json : &output_text;

	switch (res.action) {
	case ACTION_CHECK:
		return futctl_check(&res, out);
	case ACTION_LOG:
		if (res.follow)
			return futctl_flush(ctl_follow(&res, out));
		break;
	case ACTION_STATUS:
		if (res.json)
			return futctl_status_json(&res, out);
		break;
	default:
		break;
	}
	return futctl_command(&res, out);
}

/* A command line parse() refused: `check` answers Nagios, whatever it was. */
static int
futctl_bad_usage(const struct parse_result *res)
{
	struct check_result	 cr;

	if (res->nagios) {
		check_unknown(&cr, "futctl: %s", res->error);
		(res->json ? &output_json : &output_text)->check(&cr);
		return CHECK_UNKNOWN;
	}
	print_warnx("%s", res->error);
	parser_usage(stderr);
	return FUTCTL_EXIT_USAGE;
}

/* `check NAME`: one line, and exit 0 to 3 whatever goes wrong. */
static int
futctl_check(const struct parse_result *res, const struct output *out)
{
	struct ctl_reply	 reply, tls_reply;
	struct ctl_error	 err;
	struct check_result	 cr;
	const json_t		*target = NULL, *tls_conf = NULL;
	char			 msg[4608];

	if (ctl_find(res->socket, res->name, &reply, &target, &err) !=
	    CTL_OK) {
		ctl_strerror(&err, res->socket, msg, sizeof(msg));
		check_unknown(&cr, "%s", msg);
	} else if (reply.code != PROTO_OK)
		check_unknown(&cr, "futd answered %d: %s", reply.code,
		    reply.message);
	else {
		/* a TLS target: its certificate's limits (show) */
		memset(&tls_reply, 0, sizeof(tls_reply));
		if (check_wants_tls_conf(target) &&
		    ctl_tls_conf(res->socket, res->name, &tls_reply,
		    &tls_conf, &err) != CTL_OK)
			tls_conf = NULL;
		check_eval(&cr, res->name, target, tls_conf);
		ctl_reply_free(&tls_reply);
	}
	out->check(&cr);
	ctl_reply_free(&reply);
	return fflush(stdout) == EOF || ferror(stdout) ?
	    CHECK_UNKNOWN : (int)cr.code;
}

/*
 * `--json status`: futd's data copied through as it comes; a reply of
 * another form (an error) goes the usual way.
 */
static int
futctl_status_json(const struct parse_result *res, const struct output *out)
{
	struct ctl_reply	 reply;
	struct ctl_error	 err;
	enum ctl_status		 status;
	int			 passed = 0;

	status = ctl_request_pass(res->socket, res->command, res->args, stdout,
	    &passed, &reply, &err);
	if (status == CTL_OK && passed)
		return futctl_flush(FUTCTL_EXIT_OK);
	if (status != CTL_OK)
		return ctl_warn(&err, res->socket);
	return futctl_answer(res, out, &reply, NULL);
}

/* Every other command: one request (two for probe), one answer. */
static int
futctl_command(const struct parse_result *res, const struct output *out)
{
	struct ctl_reply	 reply;
	struct ctl_error	 err;
	json_t			*probed = NULL;
	enum ctl_status		 status;

	if (res->action == ACTION_PROBE)
		status = ctl_probe(res->socket, res->name, &reply, &probed,
		    &err);
	else
		status = ctl_request(res->socket, res->command, res->args,
		    &reply, &err);
	if (status != CTL_OK)
		return ctl_warn(&err, res->socket);
	if (res->action == ACTION_STATUS && res->wide && !res->json &&
	    reply.code == PROTO_OK)
		futctl_trend(reply.data);
	return futctl_answer(res, out, &reply, probed);
}

/*
 * `status -w`: futd sends each target's last results' latencies as
 * "trend" (status trend=N, newest first, null a failure); the table's
 * TREND draws a history of them (text_spark reads results).
 */
static void
futctl_trend(json_t *data)
{
	json_t		*t, *trend, *v, *hist, *r;
	size_t		 i, j;

	json_array_foreach(json_object_get(data, "targets"), i, t) {
		trend = json_object_get(t, "trend");
		if (!json_is_array(trend) || (hist = json_array()) == NULL)
			continue;
		json_array_foreach(trend, j, v) {
			r = json_is_integer(v) ? json_pack("{s:b, s:O}", "ok",
			    1, "latency_us", v) : json_pack("{s:b}", "ok", 0);
			if (r != NULL)
				json_array_append_new(hist, r);
		}
		json_object_set_new(t, "history", hist);
		json_object_del(t, "trend");
	}
}

/*
 * futd's reply, to the output of the command; probed is the target of a
 * probe as status showed it (or NULL).  Frees both.
 */
static int
futctl_answer(const struct parse_result *res, const struct output *out,
    struct ctl_reply *reply, json_t *probed)
{
	int	 rc = 0, ret;

	if (reply->code != PROTO_OK) {
		out->error(res, reply);
		ret = FUTCTL_EXIT_REPLY;
	} else {
		switch (res->action) {
		case ACTION_STATUS:
			rc = out->status(reply->data, res);
			break;
		case ACTION_SHOW:
			rc = out->show(reply->data, res);
			break;
		case ACTION_PROBE:
			rc = out->probe(reply->data, probed);
			break;
		case ACTION_LOG:
			rc = out->log(reply->data);
			break;
		case ACTION_PING:
			rc = out->ping(reply->data);
			break;
		case ACTION_RELOAD:
			rc = out->reload(reply->data);
			break;
		case ACTION_METRICS:
			rc = out->metrics(reply->data);
			break;
		case ACTION_DISABLE:
		case ACTION_ENABLE:
			rc = out->maint(reply->data);
			break;
		default:
			break;
		}
		ret = rc == 0 ? FUTCTL_EXIT_OK : rc == 1 ?
		    FUTCTL_EXIT_PROBE_FAILED : FUTCTL_EXIT_TALK;
	}
	ctl_reply_free(reply);
	json_decref(probed);
	return futctl_flush(ret);
}

/* A full disk or a closed pipe must not look like success. */
static int
futctl_flush(int ret)
{
	errno = 0;
	if (fflush(stdout) == EOF || ferror(stdout)) {
		print_warnx("cannot write to stdout: %s",
		    errno != 0 ? strerror(errno) : "write error");
		if (ret == FUTCTL_EXIT_OK)
			ret = FUTCTL_EXIT_REPLY;
	}
	return ret;
}
