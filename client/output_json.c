/*
 * output_json.c - the --json backend: what a script reads.
 *
 * A 200 reply prints its "data" object as futd sent it, so scripts see
 * the schema of proto.h and nothing futctl made up.  An error reply
 * prints {"error":{"code":N,"message":"...","errors":[...]}} on stdout,
 * so that a script parsing stdout always gets JSON back from futd's side.
 *
 * Two outputs are futctl's own: `log -f` prints one compact object per
 * line, {"event":{...}} as futd streams them (with "dropped":N when futd
 * had to drop some), the backlog in the same shape; `check` prints
 * {"schema":1,"status":"OK","code":0,"text":"...","perfdata":{...}}.
 */
#include <stdio.h>

#include "parser.h"
#include "ctl.h"
#include "check.h"
#include "output.h"
#include "print.h"

/*
 * 16 significant digits instead of jansson's 17: 12.3 prints as 12.3,
 * not 12.300000000000001, and microseconds of a unix time still fit.
 */
#define JSON_FLAGS	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | \
			    JSON_REAL_PRECISION(16))
#define JSON_LINE_FLAGS	(JSON_COMPACT | JSON_PRESERVE_ORDER | \
			    JSON_REAL_PRECISION(16))

#define CHECK_SCHEMA	1

static int	 jsonout_data(const json_t *);
static int	 jsonout_status(const json_t *, const struct parse_result *);
static int	 jsonout_probe(const json_t *, const json_t *);
static void	 jsonout_event(const json_t *, int);
static void	 jsonout_check(const struct check_result *);
static void	 jsonout_error(const struct parse_result *,
		    const struct ctl_reply *);
static void	 jsonout_print(const json_t *, size_t);
static int	 jsonout_probe_ok(const json_t *);

const struct output output_json = {
	.ping =		jsonout_data,
	.status =	jsonout_status,
	.show =		jsonout_status,
	.probe =	jsonout_probe,
	.log =		jsonout_data,
	.event =	jsonout_event,
	.reload =	jsonout_data,
	.metrics =	jsonout_data,
	.maint =	jsonout_data,
	.check =	jsonout_check,
	.error =	jsonout_error,
};

static int
jsonout_data(const json_t *data)
{
	jsonout_print(data, JSON_FLAGS);
	return 0;
}

static int
jsonout_status(const json_t *data, const struct parse_result *res)
{
	(void)res;
	return jsonout_data(data);
}

/* The data as it came; the exit status still says how the probe went. */
static int
jsonout_probe(const json_t *data, const json_t *target)
{
	(void)target;
	jsonout_print(data, JSON_FLAGS);
	return jsonout_probe_ok(data) == 0 ? 1 : 0;
}

/* One line per event, printed as soon as it comes (the caller flushes). */
static void
jsonout_event(const json_t *line, int update)
{
	(void)update;
	jsonout_print(line, JSON_LINE_FLAGS);
}

static void
jsonout_check(const struct check_result *cr)
{
	const struct check_perf	*p;
	json_t			*root, *perf, *o;
	size_t			 i;

	root = json_pack("{s:i, s:s, s:i, s:s, s:{}}", "schema", CHECK_SCHEMA,
	    "status", check_word(cr->code), "code", (int)cr->code,
	    "text", cr->text, "perfdata");
	if (root == NULL) {
		print_warnx("cannot build the JSON check object");
		return;
	}
	perf = json_object_get(root, "perfdata");
	for (i = 0; i < cr->nperf; i++) {
		p = &cr->perf[i];
		o = json_pack("{s:f, s:s, s:f}", "value", p->value, "uom",
		    p->uom, "min", p->min);
		if (o != NULL && p->has_max)
			json_object_set_new(o, "max", json_real(p->max));
		if (o != NULL && p->has_limits) {
			json_object_set_new(o, "warn", json_real(p->warn));
			json_object_set_new(o, "crit", json_real(p->crit));
		}
		if (o != NULL)
			json_object_set_new(perf, p->label, o);
	}
	jsonout_print(root, JSON_FLAGS);
	json_decref(root);
}

static void
jsonout_error(const struct parse_result *res, const struct ctl_reply *reply)
{
	json_t	*root, *errors;

	(void)res;
	root = json_pack("{s:{s:i,s:s}}", "error", "code", reply->code,
	    "message", reply->message);
	if (root == NULL) {
		print_warnx("cannot build the JSON error object");
		return;
	}
	errors = reply->data != NULL ?
	    json_object_get(reply->data, "errors") : NULL;
	if (json_is_array(errors))
		json_object_set(json_object_get(root, "error"), "errors",
		    errors);
	jsonout_print(root, JSON_FLAGS);
	json_decref(root);
}

static void
jsonout_print(const json_t *json, size_t flags)
{
	json_dumpf(json, stdout, flags);
	putchar('\n');
}

/* Did the probe of a `probe` reply succeed?  1, 0, or -1: cannot say. */
static int
jsonout_probe_ok(const json_t *data)
{
	const json_t	*ok;

	ok = json_object_get(json_object_get(data, "result"), "ok");
	return json_is_boolean(ok) ? json_is_true(ok) : -1;
}
