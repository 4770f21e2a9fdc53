/*
 * proto.c - the server side of the control protocol: framing checks and the
 * parse of one request line (see proto.h for the protocol itself).
 *
 * Checks run in a fixed order, as chrony's cmdmon does: length, characters,
 * version, command, arguments; no handler sees a request that failed one.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const struct proto_command {
	const char		*name;
	enum ctl_command	 cmd;
	int			 minargs;
	int			 maxargs;
	const char		*usage;
} proto_commands[] = {
	{ "ping",	CTL_PING,	0, 0, "ping" },
	{ "status",	CTL_STATUS,	0, 3,
	    "status [match=GLOB|name=NAME] [state=up|down|unknown|flapping] "
	    "[trend=N]" },
	{ "show",	CTL_SHOW,	1, 1, "show NAME" },
	{ "reload",	CTL_RELOAD,	0, 0, "reload" },
	{ "probe",	CTL_PROBE,	1, 1, "probe NAME" },
	{ "log",	CTL_LOG,	0, 2, "log [n=N] [target=NAME]" },
	{ "follow",	CTL_FOLLOW,	0, 1, "follow [target=NAME]" },
	{ "metrics",	CTL_METRICS,	0, 1, "metrics [format=openmetrics]" },
	{ "disable",	CTL_DISABLE,	1, 3,
	    "disable NAME|GLOB [for=SECONDS] [reason=TEXT, %-encoded]" },
	{ "enable",	CTL_ENABLE,	1, 1, "enable NAME|GLOB" },
};

static enum proto_code
proto_fail(struct ctl_request *req, enum proto_code code, const char *msg)
{
	req->error = msg;
	return code;
}

/*
 * Parse one request line (without its '\n') in place.  On PROTO_OK req
 * holds the command and its argument (pointing into line); otherwise
 * req->error says what was wrong.
 */
enum proto_code
proto_parse(char *line, size_t len, struct ctl_request *req)
{
	const struct proto_command *pc;
	char *word[PROTO_MAX_WORDS + 1], *p, *end;
	size_t i, nword = 0;
	long version;

	memset(req, 0, sizeof(*req));
	if (len >= FUTD_PROTO_MAX_REQUEST)
		return proto_fail(req, PROTO_TOO_LONG, "request too long");
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	for (i = 0; i < len; i++)
		if ((line[i] < 0x20 && line[i] != '\t') ||
		    (unsigned char)line[i] >= 0x7f) {
			/* binary: not a client of ours, so no second chance */
			req->unframed = 1;
			return proto_fail(req, PROTO_BAD_REQUEST,
			    "request has non-printable characters");
		}
	line[len] = '\0';

	for (p = line; nword < PROTO_MAX_WORDS + 1; ) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		word[nword++] = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
	}
	if (nword == 0)
		return proto_fail(req, PROTO_BAD_REQUEST, "empty request");
	if (strncmp(word[0], FUTD_PROTO_PREFIX, strlen(FUTD_PROTO_PREFIX)) != 0)
		return proto_fail(req, PROTO_BAD_REQUEST,
		    "request must start with futd/<version>");
	p = word[0] + strlen(FUTD_PROTO_PREFIX);
	/* digits only, no sign, no leading zero: one spelling per version */
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p) ||
	    (p[0] == '0' && p[1] != '\0') || strlen(p) > 9)
		return proto_fail(req, PROTO_BAD_REQUEST,
		    "request must start with futd/<version>");
	version = strtol(p, &end, 10);
	if (version != FUTD_PROTO_VERSION)
		return proto_fail(req, PROTO_BAD_VERSION,
		    "protocol version not supported (this futd speaks 1)");
	if (nword < 2)
		return proto_fail(req, PROTO_BAD_REQUEST, "no command");

	for (i = 0; i < sizeof(proto_commands) / sizeof(*proto_commands);
	    i++) {
		pc = &proto_commands[i];
		if (strcmp(pc->name, word[1]) != 0)
			continue;
		if ((int)nword - 2 < pc->minargs ||
		    (int)nword - 2 > pc->maxargs) {
			req->usage = pc->usage;
			return proto_fail(req, PROTO_BAD_REQUEST,
			    "wrong number of arguments");
		}
		req->cmd = pc->cmd;
		req->nargs = (int)nword - 2;
		for (i = 0; i < (size_t)req->nargs; i++)
			req->args[i] = word[2 + i];
		req->arg = req->nargs > 0 ? word[2] : NULL;
		req->usage = pc->usage;
		return PROTO_OK;
	}
	return proto_fail(req, PROTO_UNKNOWN_COMMAND, "unknown command");
}

/*
 * The value of "key=value" among a request's arguments, or NULL.  Every
 * argument must be one of the known keys: -1 (with req->error) otherwise.
 */
int
proto_args(struct ctl_request *req, const char *const *keys,
    const char **values)
{
	size_t k, len;
	int i;

	for (k = 0; keys[k] != NULL; k++)
		values[k] = NULL;
	for (i = 0; i < req->nargs; i++) {
		for (k = 0; keys[k] != NULL; k++) {
			len = strlen(keys[k]);
			if (strncmp(req->args[i], keys[k], len) == 0 &&
			    req->args[i][len] == '=') {
				values[k] = req->args[i] + len + 1;
				break;
			}
		}
		if (keys[k] == NULL) {
			req->error = "unknown argument";
			return -1;
		}
	}
	return 0;
}
