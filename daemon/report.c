/*
 * report.c - what the control socket answers, as JSON (jansson).
 * The schema is written down in proto.h.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "futd.h"
#include "ctl.h"

static json_t *
report_time(int64_t wall_us)
{
	return json_real((double)wall_us / 1e6);
}

static json_t *
report_result_history(const struct results *r)
{
	const struct hist_entry *h;
	struct probe_result pr;
	json_t *list, *o;
	char msg[128];
	unsigned i;

	if ((list = json_array()) == NULL)
		return NULL;
	for (i = 0; (h = results_history(r, i)) != NULL; i++) {
		memset(&pr, 0, sizeof(pr));
		pr.error = (enum probe_error)h->error;
		pr.sys_err = h->sys_err;
		pr.latency_us = h->latency_us;
		o = json_pack("{s:f, s:b, s:I, s:o, s:o}",
		    "time", (double)h->wall_ms / 1e3,
		    "ok", h->error == PERR_NONE,
		    "latency_us", (json_int_t)h->latency_us,
		    "error", h->error == PERR_NONE ? json_null() :
		    json_string(probe_error_name(pr.error)),
		    "message", h->error == PERR_NONE ? json_null() :
		    json_string(probe_result_message(&pr, msg, sizeof(msg))));
		if (o == NULL || json_array_append_new(list, o) == -1) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

json_t *
report_target(const struct target *tg, int with_history)
{
	const struct target_conf *tc = &tg->conf;
	const struct results *r = &tg->res;
	const struct probe_result *last = r->have_last ? &r->last : NULL;
	char msg[128], peer[SOCKADDR_STRLEN];
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:i, s:f, s:f, s:s, s:o,"
	    " s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "name", tc->name,
	    "probe", probe_kind_name(tc->kind),
	    "host", tc->host,
	    "port", (int)tc->port,
	    "interval", tc->interval_us / 1e6,
	    "timeout", tc->timeout_us / 1e6,
	    "state", target_state_name(r->state),
	    "since", r->state == TARGET_UNKNOWN ? json_null() :
	    report_time(r->since_wall_us),
	    "probes", (json_int_t)r->probes,
	    "ok", (json_int_t)r->ok,
	    "failed", (json_int_t)r->failed,
	    "late", (json_int_t)r->late,
	    "last_time", last ? report_time(last->wall_us) : json_null(),
	    "last_ok", last ? json_boolean(last->error == PERR_NONE) :
	    json_null(),
	    "last_error", last && last->error != PERR_NONE ?
	    json_string(probe_result_message(last, msg, sizeof(msg))) :
	    json_null(),
	    "error", last && last->error != PERR_NONE ?
	    json_string(probe_error_name(last->error)) : json_null(),
	    "last_latency_us", last ? json_integer(last->latency_us) :
	    json_null(),
	    "peer", last && last->peer.sa.sa_family != 0 ?
	    json_string(sockaddr_format(&last->peer, peer, sizeof(peer))) :
	    json_null());
	if (o != NULL && with_history &&
	    json_object_set_new(o, "history", report_result_history(r)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
report_status(const struct daemon *d)
{
	json_t *list, *t;
	size_t i;

	if ((list = json_array()) == NULL)
		return NULL;
	for (i = 0; i < d->ntargets; i++) {
		if ((t = report_target(d->targets[i], 0)) == NULL ||
		    json_array_append_new(list, t) == -1) {
			json_decref(list);
			return NULL;
		}
	}
	return json_pack("{s:i, s:o}", "schema", 1, "targets", list);
}

json_t *
report_ping(const struct daemon *d)
{
	return json_pack("{s:b, s:s, s:s, s:i, s:f, s:I}",
	    "pong", 1, "daemon", "futd", "version", FUTD_VERSION,
	    "pid", (int)getpid(),
	    "uptime_s", (clock_mono_us() - d->start_mono_us) / 1e6,
	    "targets", (json_int_t)d->ntargets);
}

static json_t *
report_strlist(const struct strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < l->n; i++)
		json_array_append_new(a, json_string(l->msg[i]));
	return a;
}

json_t *
report_reload(const struct reload_report *rep)
{
	return json_pack("{s:o, s:o, s:o, s:I}",
	    "added", report_strlist(&rep->added),
	    "removed", report_strlist(&rep->removed),
	    "changed", report_strlist(&rep->changed),
	    "unchanged", (json_int_t)rep->unchanged);
}

/* The envelope of every reply; takes over data (which may be NULL). */
json_t *
report_reply(int code, const char *message, json_t *data)
{
	json_t *o;

	o = json_pack("{s:i, s:i, s:s}", "version", FUTD_PROTO_VERSION,
	    "code", code, "message", message);
	if (o != NULL && data != NULL)
		json_object_set_new(o, "data", data);
	else if (data != NULL)
		json_decref(data);
	return o;
}
