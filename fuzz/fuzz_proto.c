/*
 * fuzz_proto.c - libFuzzer target: one control request line through
 * proto_parse() (daemon/proto.c), its arguments through proto_args(), and
 * the reply envelope through report_reply() and back through jansson.
 *
 * The input is the line as control.c hands it over: the bytes before the
 * '\n' (evbuffer_readln), any bytes at all, NULs included.  It sits in a
 * heap buffer of exactly len + 1 bytes, as evbuffer_readln allocates, so
 * that ASan sees any write past the '\0' that proto_parse may put at
 * [len].
 *
 * Properties (abort() when one fails):
 *  - the code is one of 200 400 405 413 505;
 *  - len >= FUTD_PROTO_MAX_REQUEST gives 413, and only that gives 413;
 *  - a byte below 0x20 (tab aside) or above 0x7e, once one trailing '\r'
 *    is dropped, gives 400 with req.unframed set, and nothing else sets
 *    req.unframed (the connection is closed only for binary);
 *  - on 200: req.cmd is a command, req.error is NULL, req.usage is set,
 *    0 <= nargs <= 2, arg == args[0] (or NULL), and every args[i] points
 *    inside the buffer, is NUL-terminated there, non-empty, with no blank
 *    and only printable ASCII (so json_string() takes it);
 *  - on an error: req.cmd is CTL_NONE and req.error a non-empty string;
 *  - proto_args() either returns 0 with every value inside an argument, or
 *    -1 with req.error set;
 *  - report_reply(code, req.error or "OK", {"usage":...}) writes one
 *    line of JSON, ending in its only '\n' (what control_send() sends),
 *    that parses back to the same version, code, message and usage.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "jsonw.h"
#include "proto.h"
#include "report.h"

#define FUZZ_MAX_LEN	(FUTD_PROTO_MAX_REQUEST + 256)

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_proto: property failed at %s:%d: %s\n",\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

static int
binary_byte(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c >= 0x7f;
}

/* The keys control.c gives proto_args() for each command. */
static const char *const keys_status[] = { "match", "state", NULL };
static const char *const keys_log[] = { "n", "target", NULL };
static const char *const keys_follow[] = { "target", NULL };
static const char *const keys_metrics[] = { "format", NULL };

static void
check_args(struct ctl_request *req, const char *buf, size_t len)
{
	const char *const *keys;
	const char *v[2];
	size_t k;
	int i, j, rc;

	switch (req->cmd) {
	case CTL_STATUS:
		keys = keys_status;
		break;
	case CTL_LOG:
		keys = keys_log;
		break;
	case CTL_FOLLOW:
		keys = keys_follow;
		break;
	case CTL_METRICS:
		keys = keys_metrics;
		break;
	default:
		return;
	}
	rc = proto_args(req, keys, v);
	if (rc == -1) {
		CHECK(req->error != NULL && *req->error != '\0');
		return;
	}
	CHECK(rc == 0);
	CHECK(req->error == NULL);
	for (k = 0; keys[k] != NULL; k++) {
		if (v[k] == NULL)
			continue;
		CHECK(v[k] > buf && v[k] <= buf + len);
		/* the value follows "key=" in one of the arguments */
		for (j = -1, i = 0; i < req->nargs; i++)
			if (v[k] == req->args[i] + strlen(keys[k]) + 1 &&
			    strncmp(req->args[i], keys[k], strlen(keys[k])) ==
			    0 && v[k][-1] == '=')
				j = i;
		CHECK(j >= 0);
	}
}

static void
check_reply(int code, const char *msg, const char *usage)
{
	json_t *back, *data;
	json_error_t jerr;
	struct jsonw jw;
	char *text;

	data = usage != NULL ? json_pack("{s:s}", "usage", usage) : NULL;
	CHECK(usage == NULL || data != NULL);
	/* as control_send() sends it */
	jsonw_init(&jw);
	report_reply(&jw, code, msg, data);
	CHECK(!jw.nomem && jw.n > 0 && jw.b[jw.n - 1] == '\n');
	CHECK(memchr(jw.b, '\n', jw.n - 1) == NULL);	/* one line per reply */
	text = strndup(jw.b, jw.n - 1);
	jsonw_free(&jw);
	CHECK(text != NULL);
	back = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (back == NULL) {
		fprintf(stderr, "fuzz_proto: reply does not parse back: %s "
		    "(%s)\n", text, jerr.text);
		abort();
	}
	CHECK(json_integer_value(json_object_get(back, "version")) ==
	    FUTD_PROTO_VERSION);
	CHECK(json_integer_value(json_object_get(back, "code")) == code);
	CHECK(json_is_string(json_object_get(back, "message")));
	CHECK(strcmp(json_string_value(json_object_get(back, "message")),
	    msg) == 0);
	if (usage != NULL) {
		data = json_object_get(back, "data");
		CHECK(json_is_object(data));
		CHECK(json_is_string(json_object_get(data, "usage")));
		CHECK(strcmp(json_string_value(json_object_get(data,
		    "usage")), usage) == 0);
	} else
		CHECK(json_object_get(back, "data") == NULL);
	free(text);
	json_decref(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req;
	enum proto_code code;
	char *buf;
	size_t len = size, i, eff;
	int binary = 0, a;
	json_t *js;

	if (size > FUZZ_MAX_LEN)
		return 0;
	/* exactly len + 1 bytes, as evbuffer_readln() gives them */
	if ((buf = malloc(len + 1)) == NULL)
		return 0;
	memcpy(buf, data, len);
	buf[len] = '\0';

	/* what the protocol says about the bytes, before the parse */
	eff = len;
	if (eff > 0 && data[eff - 1] == '\r')
		eff--;
	for (i = 0; i < eff; i++)
		if (binary_byte(data[i]))
			binary = 1;

	code = proto_parse(buf, len, &req);

	CHECK(code == PROTO_OK || code == PROTO_BAD_REQUEST ||
	    code == PROTO_UNKNOWN_COMMAND || code == PROTO_TOO_LONG ||
	    code == PROTO_BAD_VERSION);
	CHECK((code == PROTO_TOO_LONG) == (len >= FUTD_PROTO_MAX_REQUEST));
	if (len < FUTD_PROTO_MAX_REQUEST) {
		CHECK(req.unframed == binary);
		if (binary)
			CHECK(code == PROTO_BAD_REQUEST);
	} else
		CHECK(!req.unframed);

	if (code == PROTO_OK) {
		CHECK(req.cmd > CTL_NONE && req.cmd <= CTL_METRICS);
		CHECK(req.error == NULL);
		CHECK(req.usage != NULL && *req.usage != '\0');
		CHECK(req.nargs >= 0 && req.nargs <= PROTO_MAX_WORDS - 2);
		CHECK(req.nargs == 0 ? req.arg == NULL :
		    req.arg == req.args[0]);
		for (a = 0; a < req.nargs; a++) {
			const char *p = req.args[a];
			size_t n;

			CHECK(p >= buf && p < buf + len);
			n = strnlen(p, (size_t)(buf + len + 1 - p));
			CHECK(p + n <= buf + len);	/* its '\0' is ours */
			CHECK(n > 0);
			for (i = 0; i < n; i++)
				CHECK(p[i] > ' ' && p[i] < 0x7f);
			/* what follow and probe echo back as JSON strings */
			js = json_string(p);
			CHECK(js != NULL);
			json_decref(js);
		}
		for (; a < PROTO_MAX_WORDS; a++)
			CHECK(req.args[a] == NULL);
		check_args(&req, buf, len);
		check_reply(PROTO_OK, "OK", req.usage);
	} else {
		CHECK(req.cmd == CTL_NONE);
		CHECK(req.error != NULL && *req.error != '\0');
		CHECK(req.nargs == 0 && req.arg == NULL);
		if (req.usage != NULL)
			CHECK(code == PROTO_BAD_REQUEST);
		check_reply((int)code, req.error, req.usage);
	}
	free(buf);
	return 0;
}
