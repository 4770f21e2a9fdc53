/*
 * check_proto.c - the control protocol as the server reads it
 * (proto_parse) and the envelope of what it answers (report_reply,
 * report_ping, report_reload), read back with jansson.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "daemon.h"
#include "futd.h"
#include "jsonw.h"
#include "net.h"
#include "proto.h"
#include "report.h"
#include "strlist.h"
#include "tests.h"

/* Room for the longest line we try, plus the '\0' proto_parse writes. */
static char line[FUTD_PROTO_MAX_REQUEST * 2 + 1];

/* Copy a request into the writable buffer; len -1: strlen. */
static size_t
set_line(const char *s, int len)
{
	size_t n = len < 0 ? strlen(s) : (size_t)len;

	ck_assert_uint_lt(n, sizeof(line));
	memcpy(line, s, n);
	line[n] = '\0';
	return n;
}

static const struct good_case {
	const char		*line;
	enum ctl_command	 cmd;
	const char		*arg;
} good_cases[] = {
	{ "futd/1 ping",		CTL_PING,	NULL },
	{ "futd/1 status",		CTL_STATUS,	NULL },
	{ "futd/1 show web",		CTL_SHOW,	"web" },
	{ "futd/1 reload",		CTL_RELOAD,	NULL },
	{ "futd/1\tshow\tweb",		CTL_SHOW,	"web" },
	{ "futd/1 show web\r",		CTL_SHOW,	"web" },
	{ "futd/1 ping\r",		CTL_PING,	NULL },
	{ "futd/1 show db-1.example:5432", CTL_SHOW, "db-1.example:5432" },
};

START_TEST(test_good)
{
	const struct good_case *gc = &good_cases[_i];
	struct ctl_request req;
	size_t len = set_line(gc->line, -1);
	enum proto_code code;

	code = proto_parse(line, len, &req);
	ck_assert_msg(code == PROTO_OK, "\"%s\": code %d (%s)", gc->line,
	    code, req.error ? req.error : "no error");
	ck_assert_int_eq(req.cmd, gc->cmd);
	ck_assert_ptr_null(req.error);
	/* the command's usage, for a handler that refuses an argument */
	ck_assert_ptr_nonnull(req.usage);
	if (gc->arg == NULL)
		ck_assert_ptr_null(req.arg);
	else {
		ck_assert_ptr_nonnull(req.arg);
		ck_assert_str_eq(req.arg, gc->arg);
		/* the argument points into the line, no copy */
		ck_assert_msg(req.arg >= line && req.arg < line + len,
		    "arg does not point into the line");
	}
}
END_TEST

static const struct bad_case {
	const char		*line;
	int			 len;	/* -1: strlen */
	enum proto_code		 code;
	const char		*error;
	const char		*usage;
} bad_cases[] = {
	{ "", -1, PROTO_BAD_REQUEST, "empty request", NULL },
	{ " \t ", -1, PROTO_BAD_REQUEST, "empty request", NULL },
	{ "\r", -1, PROTO_BAD_REQUEST, "empty request", NULL },
	{ "ping", -1, PROTO_BAD_REQUEST,
	    "request must start with futd/<version>", NULL },
	{ "status futd/1", -1, PROTO_BAD_REQUEST,
	    "request must start with futd/<version>", NULL },
	{ "futd/x status", -1, PROTO_BAD_REQUEST,
	    "request must start with futd/<version>", NULL },
	{ "futd/ status", -1, PROTO_BAD_REQUEST,
	    "request must start with futd/<version>", NULL },
	{ "futd/1x status", -1, PROTO_BAD_REQUEST,
	    "request must start with futd/<version>", NULL },
	{ "futd/+1 status", -1, PROTO_BAD_REQUEST,
	    "request must start with futd/<version>", NULL },
	{ "futd/01 status", -1, PROTO_BAD_REQUEST,
	    "request must start with futd/<version>", NULL },
	{ "futd/2 status", -1, PROTO_BAD_VERSION,
	    "protocol version not supported (this futd speaks 1)", NULL },
	{ "futd/0 ping", -1, PROTO_BAD_VERSION,
	    "protocol version not supported (this futd speaks 1)", NULL },
	{ "futd/1", -1, PROTO_BAD_REQUEST, "no command", NULL },
	{ "futd/1 frobnicate", -1, PROTO_UNKNOWN_COMMAND, "unknown command",
	    NULL },
	{ "futd/1 PING", -1, PROTO_UNKNOWN_COMMAND, "unknown command", NULL },
	{ "futd/1 show", -1, PROTO_BAD_REQUEST, "wrong number of arguments",
	    "show NAME" },
	{ "futd/1 show a b", -1, PROTO_BAD_REQUEST,
	    "wrong number of arguments", "show NAME" },
	{ "futd/1 ping extra", -1, PROTO_BAD_REQUEST,
	    "wrong number of arguments", "ping" },
	{ "futd/1 status a b c d e f", -1, PROTO_BAD_REQUEST,
	    "wrong number of arguments",
	    "status [match=GLOB|name=NAME] [state=up|down|unknown|flapping] "
	    "[trend=N]" },
	{ "futd/1 status a b c d", -1, PROTO_BAD_REQUEST,
	    "wrong number of arguments",
	    "status [match=GLOB|name=NAME] [state=up|down|unknown|flapping] "
	    "[trend=N]" },
	{ "futd/1 reload now", -1, PROTO_BAD_REQUEST,
	    "wrong number of arguments", "reload" },
	{ "futd/1 ping\x01", -1, PROTO_BAD_REQUEST,
	    "request has non-printable characters", NULL },
	{ "futd/1 show w\xff" "b", -1, PROTO_BAD_REQUEST,
	    "request has non-printable characters", NULL },
	{ "futd/1 show w\x7f" "b", -1, PROTO_BAD_REQUEST,
	    "request has non-printable characters", NULL },
	{ "futd/1 ping\0junk", 16, PROTO_BAD_REQUEST,
	    "request has non-printable characters", NULL },
	{ "futd/1 show web\r\r", -1, PROTO_BAD_REQUEST,
	    "request has non-printable characters", NULL },
	/* characters are checked before the version */
	{ "futd/9 \x1b[2J", -1, PROTO_BAD_REQUEST,
	    "request has non-printable characters", NULL },
};

START_TEST(test_bad)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct ctl_request req;
	size_t len = set_line(bc->line, bc->len);
	enum proto_code code;

	code = proto_parse(line, len, &req);
	ck_assert_msg(code == bc->code, "case %d: want %d, got %d (%s)", _i,
	    bc->code, code, req.error ? req.error : "no error");
	ck_assert_int_eq(req.cmd, CTL_NONE);
	ck_assert_ptr_nonnull(req.error);
	ck_assert_str_eq(req.error, bc->error);
	if (bc->usage == NULL)
		ck_assert_ptr_null(req.usage);
	else {
		ck_assert_ptr_nonnull(req.usage);
		ck_assert_str_eq(req.usage, bc->usage);
	}
}
END_TEST

/* "futd/1 show aaaa..." of exactly n bytes (no '\n'). */
static size_t
long_show(size_t n)
{
	static const char head[] = "futd/1 show ";

	ck_assert_uint_lt(n, sizeof(line));
	memcpy(line, head, sizeof(head) - 1);
	memset(line + sizeof(head) - 1, 'a', n - (sizeof(head) - 1));
	line[n] = '\0';
	return n;
}

/* MAX_REQUEST counts the '\n': the line itself may have one byte less. */
START_TEST(test_length_limit)
{
	struct ctl_request req;
	size_t len;

	len = long_show(FUTD_PROTO_MAX_REQUEST);
	ck_assert_int_eq(proto_parse(line, len, &req), PROTO_TOO_LONG);
	ck_assert_str_eq(req.error, "request too long");

	len = long_show(FUTD_PROTO_MAX_REQUEST + 500);
	ck_assert_int_eq(proto_parse(line, len, &req), PROTO_TOO_LONG);

	len = long_show(FUTD_PROTO_MAX_REQUEST - 1);
	ck_assert_int_eq(proto_parse(line, len, &req), PROTO_OK);
	ck_assert_int_eq(req.cmd, CTL_SHOW);
	ck_assert_uint_eq(strlen(req.arg), FUTD_PROTO_MAX_REQUEST - 1 -
	    strlen("futd/1 show "));
}
END_TEST

/* Length is checked first: a long binary line is 413, not 400. */
START_TEST(test_length_first)
{
	struct ctl_request req;

	memset(line, 0x01, FUTD_PROTO_MAX_REQUEST);
	ck_assert_int_eq(proto_parse(line, FUTD_PROTO_MAX_REQUEST, &req),
	    PROTO_TOO_LONG);
	ck_assert_str_eq(req.error, "request too long");
}
END_TEST

/* A request that failed leaves nothing of an earlier one behind. */
START_TEST(test_request_reset)
{
	struct ctl_request req;
	size_t len;

	len = set_line("futd/1 show web", -1);
	ck_assert_int_eq(proto_parse(line, len, &req), PROTO_OK);
	len = set_line("futd/1 show", -1);
	ck_assert_int_eq(proto_parse(line, len, &req), PROTO_BAD_REQUEST);
	ck_assert_int_eq(req.cmd, CTL_NONE);
	ck_assert_ptr_null(req.arg);
	len = set_line("futd/1 ping", -1);
	ck_assert_int_eq(proto_parse(line, len, &req), PROTO_OK);
	ck_assert_str_eq(req.usage, "ping");
	ck_assert_ptr_null(req.error);
}
END_TEST

/* The reply line as the control socket writes it (JSON_COMPACT). */
static char *
dump(json_t *o)
{
	char *s;

	ck_assert_ptr_nonnull(o);
	s = json_dumps(o, JSON_COMPACT);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(strchr(s, '\n'));
	return s;
}

/*
 * The reply line report_reply() writes, as control.c sends it: its text
 * without the '\n' in *text (caller's), parsed back (caller's).
 */
static json_t *
reply(int code, const char *message, json_t *data, char **text)
{
	struct jsonw jw;
	json_t *o;

	jsonw_init(&jw);
	report_reply(&jw, code, message, data);
	ck_assert_int_eq(jw.nomem, 0);
	ck_assert_uint_gt(jw.n, 1);
	ck_assert_int_eq(jw.b[jw.n - 1], '\n');
	ck_assert_ptr_null(memchr(jw.b, '\n', jw.n - 1));
	*text = strndup(jw.b, jw.n - 1);
	ck_assert_ptr_nonnull(*text);
	jsonw_free(&jw);
	o = json_loads(*text, JSON_REJECT_DUPLICATES, NULL);
	ck_assert_msg(o != NULL, "reply does not parse: %s", *text);
	return o;
}

static void
assert_envelope(json_t *o, int code, const char *message)
{
	ck_assert_msg(json_is_object(o), "reply is not an object");
	ck_assert_msg(json_is_integer(json_object_get(o, "version")),
	    "no integer \"version\"");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "version")), 1);
	ck_assert_msg(json_is_integer(json_object_get(o, "code")),
	    "no integer \"code\"");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "code")), code);
	ck_assert_msg(json_is_string(json_object_get(o, "message")),
	    "no string \"message\"");
	ck_assert_str_eq(json_string_value(json_object_get(o, "message")),
	    message);
}

START_TEST(test_reply_error)
{
	json_t *o;
	char *s;

	o = reply(PROTO_NOT_FOUND, "no such target", NULL, &s);
	assert_envelope(o, 404, "no such target");
	ck_assert_ptr_null(json_object_get(o, "data"));
	ck_assert_str_eq(s,
	    "{\"version\":1,\"code\":404,\"message\":\"no such target\"}");
	free(s);
	json_decref(o);

	o = reply(PROTO_BAD_REQUEST, "wrong number of arguments",
	    json_pack("{s:s}", "usage", "show NAME"), &s);
	assert_envelope(o, 400, "wrong number of arguments");
	ck_assert_str_eq(s, "{\"version\":1,\"code\":400,\"message\":"
	    "\"wrong number of arguments\",\"data\":{\"usage\":\"show NAME\"}}");
	free(s);
	json_decref(o);
}
END_TEST

START_TEST(test_reply_ping)
{
	static const char head[] =
	    "{\"version\":1,\"code\":200,\"message\":\"OK\",\"data\":{";
	struct daemon d;
	json_t *o, *data;
	char *s;

	memset(&d, 0, sizeof(d));
	d.start_mono_us = clock_mono_us();
	d.ntargets = 3;
	o = reply(PROTO_OK, "OK", report_ping(&d), &s);
	assert_envelope(o, 200, "OK");
	ck_assert_msg(strncmp(s, head, sizeof(head) - 1) == 0,
	    "reply line: %s", s);
	free(s);

	data = json_object_get(o, "data");
	ck_assert_msg(json_is_object(data), "no \"data\" object");
	ck_assert_msg(json_is_true(json_object_get(data, "pong")),
	    "pong is not true");
	ck_assert_str_eq(json_string_value(json_object_get(data, "daemon")),
	    "futd");
	ck_assert_str_eq(json_string_value(json_object_get(data, "version")),
	    FUTD_VERSION);
	ck_assert_int_eq(json_integer_value(json_object_get(data, "pid")),
	    getpid());
	ck_assert_msg(json_is_real(json_object_get(data, "uptime_s")),
	    "uptime_s is not a number with a fraction");
	ck_assert_msg(json_real_value(json_object_get(data, "uptime_s")) >= 0 &&
	    json_real_value(json_object_get(data, "uptime_s")) < 60,
	    "uptime_s out of range");
	ck_assert_int_eq(json_integer_value(json_object_get(data, "targets")),
	    3);
	json_decref(o);
}
END_TEST

START_TEST(test_reply_reload)
{
	struct reload_report rep;
	json_t *o;
	char *s;

	memset(&rep, 0, sizeof(rep));
	strlist_add(&rep.added, "%s", "new");
	strlist_add(&rep.removed, "%s", "old1");
	strlist_add(&rep.removed, "%s", "old2");
	rep.unchanged = 4;
	o = reply(PROTO_OK, "OK", report_reload(&rep), &s);
	assert_envelope(o, 200, "OK");
	free(s);
	s = dump(json_object_get(o, "data"));
	ck_assert_str_eq(s, "{\"schema\":1,\"added\":[\"new\"],"
	    "\"removed\":[\"old1\",\"old2\"],\"changed\":[],\"reset\":[],"
	    "\"unchanged\":4}");
	free(s);
	json_decref(o);

	/* "changed": every changed target, in name order; "reset": some */
	strlist_add(&rep.changed, "%s", "b");
	strlist_add(&rep.changed, "%s", "d");
	strlist_add(&rep.reset, "%s", "a");
	strlist_add(&rep.reset, "%s", "c");
	strlist_add(&rep.reset, "%s", "e");
	o = report_reload(&rep);
	s = dump(o);
	ck_assert_str_eq(s, "{\"schema\":1,\"added\":[\"new\"],"
	    "\"removed\":[\"old1\",\"old2\"],"
	    "\"changed\":[\"a\",\"b\",\"c\",\"d\",\"e\"],"
	    "\"reset\":[\"a\",\"c\",\"e\"],\"unchanged\":4}");
	free(s);
	json_decref(o);
	reload_report_clear(&rep);
}
END_TEST

Suite *
proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_good, 0,
	    (int)(sizeof(good_cases) / sizeof(*good_cases)));
	tcase_add_loop_test(tc, test_bad, 0,
	    (int)(sizeof(bad_cases) / sizeof(*bad_cases)));
	tcase_add_test(tc, test_length_limit);
	tcase_add_test(tc, test_length_first);
	tcase_add_test(tc, test_request_reset);
	suite_add_tcase(s, tc);

	tc = tcase_create("reply");
	tcase_add_test(tc, test_reply_error);
	tcase_add_test(tc, test_reply_ping);
	tcase_add_test(tc, test_reply_reload);
	suite_add_tcase(s, tc);

	return s;
}
