/*
 * output_json.c - the --json backend: what a script reads.
 *
 * A 200 reply prints its "data" object as futd sent it, so scripts see
 * the schema of proto.h and nothing futctl made up.  An error reply
 * prints {"error":{"code":N,"message":"...","errors":[...]}} on stdout,
 * so that a script parsing stdout always gets JSON back from futd's side.
 */
#include <stdio.h>

#include "futctl.h"

/*
 * 16 significant digits instead of jansson's 17: 12.3 prints as 12.3,
 * not 12.300000000000001, and microseconds of a unix time still fit.
 */
#define JSON_FLAGS	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | \
			    JSON_REAL_PRECISION(16))

static int	 jsonout_data(const json_t *);
static void	 jsonout_error(const struct parse_result *,
		    const struct ctl_reply *);
static void	 jsonout_print(const json_t *);

const struct output output_json = {
	.ping =		jsonout_data,
	.status =	jsonout_data,
	.show =		jsonout_data,
	.reload =	jsonout_data,
	.error =	jsonout_error,
};

static int
jsonout_data(const json_t *data)
{
	jsonout_print(data);
	return 0;
}

static void
jsonout_error(const struct parse_result *res, const struct ctl_reply *reply)
{
	json_t	*root, *errors;

	(void)res;
	root = json_pack("{s:{s:i,s:s}}", "error", "code", reply->code,
	    "message", reply->message);
	if (root == NULL) {
		output_warnx("cannot build the JSON error object");
		return;
	}
	errors = reply->data != NULL ?
	    json_object_get(reply->data, "errors") : NULL;
	if (json_is_array(errors))
		json_object_set(json_object_get(root, "error"), "errors",
		    errors);
	jsonout_print(root);
	json_decref(root);
}

static void
jsonout_print(const json_t *json)
{
	json_dumpf(json, stdout, JSON_FLAGS);
	putchar('\n');
}
