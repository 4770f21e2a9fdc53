/*
 * control_maint.c - the control socket's disable and enable (proto.h):
 * which targets a name or a glob picks, the arguments, who asks.  The
 * reply is built here; control.c checks the peer and sends it.
 */
#include <sys/types.h>

#include <jansson.h>

#include <fnmatch.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "daemon.h"
#include "log.h"
#include "maint.h"
#include "net.h"
#include "proto.h"
#include "results.h"
#include "target.h"

#define MAINT_FOR_MAX	(10LL * 366 * 86400)	/* seconds: ten years */

static const char *const control_maint_keys[] = { "for", "reason", NULL };

static int
control_maint_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A reason arrives %-encoded (a request is one line of words of printable
 * ASCII): %20 a space, %C3%A9 an e acute.  Decoded into buf: UTF-8, no
 * control characters, at most MAINT_REASON_MAX bytes.  -1: a bad one.
 */
static int
control_maint_reason(const char *in, char *buf, size_t size)
{
	size_t n = 0;
	int hi, lo, c;
	json_t *j;

	for (; *in != '\0'; in++) {
		c = (unsigned char)*in;
		if (c == '%') {
			if ((hi = control_maint_hex(in[1])) == -1 ||
			    (lo = control_maint_hex(in[2])) == -1)
				return -1;
			c = hi * 16 + lo;
			in += 2;
		}
		if (c < 0x20 || c == 0x7f || n + 1 >= size)
			return -1;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	/* what the replies carry is UTF-8: jansson checks */
	if ((j = json_string(buf)) == NULL)
		return -1;
	json_decref(j);
	return 0;
}

/* The targets name picks: itself, or those its glob matches. */
static json_t *
control_maint_pick(struct daemon *d, const char *name,
    int (*fn)(struct daemon *, struct target *, void *), void *arg,
    json_t *skipped)
{
	json_t *done = json_array();
	struct target *tg;
	size_t i;
	int r;

	for (i = 0; done != NULL && i < d->ntargets; i++) {
		tg = d->targets[i];
		if (strcmp(tg->conf.name, name) != 0 &&
		    (daemon_find(d, name) != NULL ||
		    fnmatch(name, tg->conf.name, 0) != 0))
			continue;
		if ((r = fn(d, tg, arg)) == -1) {
			json_decref(done);
			return NULL;
		}
		json_array_append_new(r == 1 ? done : skipped,
		    json_string(tg->conf.name));
	}
	return done;
}

static int
control_maint_disable_one(struct daemon *d, struct target *tg, void *arg)
{
	struct maint *m = arg;

	m->name = tg->conf.name;
	return daemon_disable(d, tg, m) == -1 ? -1 : 1;
}

static int
control_maint_enable_one(struct daemon *d, struct target *tg, void *arg)
{
	(void)arg;
	return daemon_enable(d, tg);
}

/*
 * `disable NAME|GLOB [for=SECONDS] [reason=TEXT]` by uid: the reply's
 * data, or NULL with *code and *msg.
 */
json_t *
control_maint_disable(struct daemon *d, struct ctl_request *req,
    uint32_t uid, int *code, const char **msg)
{
	const char *v[2];
	char reason[MAINT_REASON_MAX + 1], *end, pwbuf[1024];
	struct passwd pw, *pwp = NULL;
	struct maint m;
	long long secs = 0;
	json_t *done, *skipped;

	*code = PROTO_BAD_REQUEST;
	req->nargs--;		/* the first is the name */
	memmove(&req->args[0], &req->args[1], sizeof(*req->args) *
	    (size_t)req->nargs);
	if (proto_args(req, control_maint_keys, v) == -1) {
		*msg = req->error;
		return NULL;
	}
	if (v[0] != NULL) {
		secs = strtoll(v[0], &end, 10);
		if (*v[0] == '\0' || *end != '\0' || secs < 1 ||
		    secs > MAINT_FOR_MAX) {
			*msg = "for must be seconds, 1..316224000 (ten years)";
			return NULL;
		}
	}
	reason[0] = '\0';
	if (v[1] != NULL && control_maint_reason(v[1], reason,
	    sizeof(reason)) == -1) {
		*msg = "reason must be %-encoded UTF-8 of at most 200 bytes, "
		    "no control characters";
		return NULL;
	}
	memset(&m, 0, sizeof(m));
	m.reason = reason;
	m.since_us = clock_wall_us();
	m.until_us = secs > 0 ? m.since_us + secs * 1000000 : 0;
	m.uid = uid;
	if (getpwuid_r((uid_t)uid, &pw, pwbuf, sizeof(pwbuf), &pwp) == 0 &&
	    pwp != NULL)
		snprintf(m.user, sizeof(m.user), "%s", pw.pw_name);
	if ((skipped = json_array()) == NULL ||
	    (done = control_maint_pick(d, req->arg, control_maint_disable_one,
	    &m, skipped)) == NULL) {
		json_decref(skipped);
		*code = PROTO_INTERNAL;
		*msg = "out of memory";
		return NULL;
	}
	json_decref(skipped);
	if (json_array_size(done) == 0) {
		json_decref(done);
		*code = PROTO_NOT_FOUND;
		*msg = "no such target";
		return NULL;
	}
	log_info("disabled by %s (uid %u): %zu target%s matching %s, %s%s%s",
	    m.user[0] != '\0' ? m.user : "?", (unsigned)uid,
	    json_array_size(done), json_array_size(done) == 1 ? "" : "s",
	    req->arg, secs > 0 ? "for " : "until enabled", secs > 0 ? v[0] :
	    "", secs > 0 ? " s" : "");
	*code = PROTO_OK;
	return json_pack("{s:i, s:o, s:o, s:s, s:I, s:o}", "schema",
	    FUTD_SCHEMA_VERSION, "disabled", done, "until", m.until_us != 0 ?
	    json_real((double)m.until_us / 1e6) : json_null(), "reason",
	    reason, "uid", (json_int_t)uid, "user", m.user[0] != '\0' ?
	    json_string(m.user) : json_null());
}

/* `enable NAME|GLOB`: "enabled" those that were disabled, "not_disabled" */
json_t *
control_maint_enable(struct daemon *d, struct ctl_request *req, int *code,
    const char **msg)
{
	json_t *done, *skipped;

	if ((skipped = json_array()) == NULL ||
	    (done = control_maint_pick(d, req->arg, control_maint_enable_one,
	    NULL, skipped)) == NULL) {
		json_decref(skipped);
		*code = PROTO_INTERNAL;
		*msg = "out of memory";
		return NULL;
	}
	if (json_array_size(done) + json_array_size(skipped) == 0) {
		json_decref(done);
		json_decref(skipped);
		*code = PROTO_NOT_FOUND;
		*msg = "no such target";
		return NULL;
	}
	if (json_array_size(done) > 0)
		log_info("enabled: %zu target%s matching %s",
		    json_array_size(done), json_array_size(done) == 1 ? "" :
		    "s", req->arg);
	*code = PROTO_OK;
	return json_pack("{s:i, s:o, s:o}", "schema", FUTD_SCHEMA_VERSION,
	    "enabled", done, "not_disabled", skipped);
}
