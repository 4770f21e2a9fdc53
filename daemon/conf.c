/*
 * conf.c - read futd.conf with libconfig into a struct conf.
 *
 * The whole file is checked before anything is used: every problem found is
 * collected as "file:line: problem" (not only the first), so that `futd -n`
 * and a failed reload show them all at once.
 */
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "futd.h"

#define CONF_DEFAULT_INTERVAL	10.0
#define CONF_DEFAULT_TIMEOUT	3.0
#define CONF_DEFAULT_HISTORY	64
#define CONF_MAX_HISTORY	65536
#define CONF_MIN_INTERVAL	0.001
#define CONF_MAX_SECONDS	86400.0
#define CONF_MAX_NAME		128
#define CONF_MAX_HOST		253
#define CONF_MAX_PAYLOAD	(16 * 1024 * 1024)
#define CONF_DEFAULT_PAYLOAD	"hello world"

static const char *probe_kind_names[] = {
	[PROBE_PEERADDR] =	"peeraddr",
	[PROBE_HELLO] =		"hello",
};

static const char *conf_top_keys[] = {
	"control_socket", "history", "log_level", "defaults", "targets", NULL
};
static const char *conf_default_keys[] = { "interval", "timeout", NULL };
static const char *conf_target_keys[] = {
	"name", "host", "port", "probe", "payload", "interval", "timeout", NULL
};

const char *
probe_kind_name(enum probe_kind k)
{
	return (unsigned)k <= PROBE_HELLO ? probe_kind_names[k] : "?";
}

void
strlist_add(struct strlist *e, const char *fmt, ...)
{
	char **msg;
	char *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		return;
	if ((msg = reallocarray(e->msg, e->n + 1, sizeof(*msg))) == NULL) {
		free(s);
		return;
	}
	e->msg = msg;
	e->msg[e->n++] = s;
}

void
strlist_clear(struct strlist *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	e->msg = NULL;
	e->n = 0;
}

/* Where a setting was written, for messages: "file:line". */
struct conf_ctx {
	const char		*path;
	struct strlist	*errs;
};

static void conf_error(struct conf_ctx *, const config_setting_t *,
    const char *, ...) __attribute__((format(printf, 3, 4)));

static void
conf_error(struct conf_ctx *ctx, const config_setting_t *s, const char *fmt,
    ...)
{
	const char *file = NULL;
	char *msg;
	va_list ap;
	int line = 0;

	if (s != NULL) {
		file = config_setting_source_file(s);
		line = (int)config_setting_source_line(s);
	}
	if (file == NULL)
		file = ctx->path;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	if (line > 0)
		strlist_add(ctx->errs, "%s:%d: %s", file, line, msg);
	else
		strlist_add(ctx->errs, "%s: %s", file, msg);
	free(msg);
}

static void
conf_check_keys(struct conf_ctx *ctx, const config_setting_t *group,
    const char **known, const char *where)
{
	const config_setting_t *s;
	const char *name;
	size_t k;
	int i;

	for (i = 0; (s = config_setting_get_elem(group, (unsigned)i)) != NULL;
	    i++) {
		name = config_setting_name(s);
		if (name == NULL)
			continue;
		for (k = 0; known[k] != NULL; k++)
			if (strcmp(known[k], name) == 0)
				break;
		if (known[k] == NULL)
			conf_error(ctx, s, "unknown key \"%s\" %s", name, where);
	}
}

/* A number of seconds, integer or float: -1 on error (already reported). */
static int
conf_seconds(struct conf_ctx *ctx, const config_setting_t *s,
    const char *what, double min, uint64_t *usec)
{
	double v;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	default:
		conf_error(ctx, s, "%s must be a number of seconds", what);
		return -1;
	}
	if (!isfinite(v) || v <= 0) {
		conf_error(ctx, s, "%s must be positive, not %g", what, v);
		return -1;
	}
	if (v < min) {
		conf_error(ctx, s, "%s %g is below the minimum of %gs", what,
		    v, min);
		return -1;
	}
	if (v > CONF_MAX_SECONDS) {
		conf_error(ctx, s, "%s %g is above the maximum of %gs", what,
		    v, CONF_MAX_SECONDS);
		return -1;
	}
	*usec = (uint64_t)llround(v * 1e6);
	return 0;
}

static const char *
conf_string(struct conf_ctx *ctx, const config_setting_t *s, const char *what)
{
	const char *v;

	if ((v = config_setting_get_string(s)) == NULL)
		conf_error(ctx, s, "%s must be a string", what);
	return v;
}

static int
conf_name_ok(const char *name)
{
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return 0;
	return 1;
}

static int
conf_target(struct conf_ctx *ctx, const config_setting_t *ts,
    uint64_t def_interval, uint64_t def_timeout, struct target_conf *tc)
{
	const config_setting_t *s;
	const char *v, *payload = CONF_DEFAULT_PAYLOAD;
	char label[CONF_MAX_NAME + 16];
	size_t nerr = ctx->errs->n;
	long long port;
	int have_payload = 0;

	memset(tc, 0, sizeof(*tc));
	tc->line = (int)config_setting_source_line(ts);
	tc->interval_us = def_interval;
	tc->timeout_us = def_timeout;
	tc->kind = PROBE_PEERADDR;

	if (!config_setting_is_group(ts)) {
		conf_error(ctx, ts, "a target must be a group { ... }");
		return -1;
	}

	snprintf(label, sizeof(label), "in a target");
	if ((s = config_setting_get_member(ts, "name")) == NULL) {
		conf_error(ctx, ts, "target has no name");
	} else if ((v = conf_string(ctx, s, "name")) != NULL) {
		if (*v == '\0')
			conf_error(ctx, s, "target name is empty");
		else if (strlen(v) > CONF_MAX_NAME)
			conf_error(ctx, s, "target name is longer than %d "
			    "characters", CONF_MAX_NAME);
		else if (!conf_name_ok(v))
			conf_error(ctx, s, "target name \"%s\" has spaces or "
			    "control characters", v);
		else {
			tc->name = strdup(v);
			snprintf(label, sizeof(label), "in target \"%s\"", v);
		}
	}
	conf_check_keys(ctx, ts, conf_target_keys, label);

	if ((s = config_setting_get_member(ts, "host")) == NULL)
		conf_error(ctx, ts, "missing host %s", label);
	else if ((v = conf_string(ctx, s, "host")) != NULL) {
		if (*v == '\0' || strlen(v) > CONF_MAX_HOST || !conf_name_ok(v))
			conf_error(ctx, s, "bad host \"%s\" %s", v, label);
		else
			tc->host = strdup(v);
	}

	if ((s = config_setting_get_member(ts, "port")) == NULL)
		conf_error(ctx, ts, "missing port %s", label);
	else if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		conf_error(ctx, s, "port must be an integer %s", label);
	else if ((port = config_setting_get_int64(s)) < 1 || port > 65535)
		conf_error(ctx, s, "port %lld out of range 1..65535 %s", port,
		    label);
	else
		tc->port = (uint16_t)port;

	if ((s = config_setting_get_member(ts, "probe")) != NULL &&
	    (v = conf_string(ctx, s, "probe")) != NULL) {
		if (strcmp(v, "peeraddr") == 0)
			tc->kind = PROBE_PEERADDR;
		else if (strcmp(v, "hello") == 0)
			tc->kind = PROBE_HELLO;
		else
			conf_error(ctx, s, "unknown probe \"%s\" %s "
			    "(known: peeraddr, hello)", v, label);
	}

	if ((s = config_setting_get_member(ts, "payload")) != NULL &&
	    (v = conf_string(ctx, s, "payload")) != NULL) {
		have_payload = 1;
		payload = v;
		if (strlen(v) > CONF_MAX_PAYLOAD)
			conf_error(ctx, s, "payload longer than %d bytes %s",
			    CONF_MAX_PAYLOAD, label);
	}
	if (have_payload && tc->kind != PROBE_HELLO)
		conf_error(ctx, config_setting_get_member(ts, "payload"),
		    "payload is only for probe \"hello\" %s", label);
	if (tc->kind == PROBE_HELLO) {
		tc->payload_len = strlen(payload);
		if ((tc->payload = malloc(tc->payload_len + 1)) != NULL)
			memcpy(tc->payload, payload, tc->payload_len + 1);
	}

	if ((s = config_setting_get_member(ts, "interval")) != NULL)
		conf_seconds(ctx, s, "interval", CONF_MIN_INTERVAL,
		    &tc->interval_us);
	if ((s = config_setting_get_member(ts, "timeout")) != NULL)
		conf_seconds(ctx, s, "timeout", CONF_MIN_INTERVAL,
		    &tc->timeout_us);

	if (tc->host != NULL)
		tc->numeric = sockaddr_parse_numeric(tc->host, tc->port,
		    &tc->addr) == 0;

	if ((tc->name == NULL && ctx->errs->n == nerr) ||
	    (tc->host == NULL && ctx->errs->n == nerr) ||
	    (tc->kind == PROBE_HELLO && tc->payload == NULL)) {
		conf_error(ctx, ts, "out of memory");
	}
	return ctx->errs->n == nerr ? 0 : -1;
}

static int
conf_cmp_name(const void *a, const void *b)
{
	const struct target_conf *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static void
target_conf_free(struct target_conf *tc)
{
	free(tc->name);
	free(tc->host);
	free(tc->payload);
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ntargets; i++)
		target_conf_free(&c->targets[i]);
	free(c->targets);
	free(c->path);
	free(c->control_socket);
	free(c->log_level);
	free(c);
}

static void
conf_parse(struct conf_ctx *ctx, config_t *cfg, struct conf *c)
{
	const config_setting_t *root, *s, *list, *ts;
	uint64_t def_interval = (uint64_t)(CONF_DEFAULT_INTERVAL * 1e6);
	uint64_t def_timeout = (uint64_t)(CONF_DEFAULT_TIMEOUT * 1e6);
	const char *v;
	long long h;
	int i, n;

	root = config_root_setting(cfg);
	conf_check_keys(ctx, root, conf_top_keys, "at the top level");

	if ((s = config_setting_get_member(root, "control_socket")) != NULL &&
	    (v = conf_string(ctx, s, "control_socket")) != NULL) {
		if (*v != '/')
			conf_error(ctx, s, "control_socket must be an "
			    "absolute path");
		else if (strlen(v) >= 108)	/* sizeof(sun_path) */
			conf_error(ctx, s, "control_socket path is too long");
		else
			c->control_socket = strdup(v);
	}
	if ((s = config_setting_get_member(root, "log_level")) != NULL &&
	    (v = conf_string(ctx, s, "log_level")) != NULL) {
		if (log_level_parse(v) == -1)
			conf_error(ctx, s, "unknown log_level \"%s\" (known: "
			    "error, warning, notice, info, debug)", v);
		else
			c->log_level = strdup(v);
	}
	if ((s = config_setting_get_member(root, "history")) != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			conf_error(ctx, s, "history must be an integer");
		else if ((h = config_setting_get_int64(s)) < 1 ||
		    h > CONF_MAX_HISTORY)
			conf_error(ctx, s, "history %lld out of range 1..%d",
			    h, CONF_MAX_HISTORY);
		else
			c->history = (unsigned)h;
	}
	if ((s = config_setting_get_member(root, "defaults")) != NULL) {
		if (!config_setting_is_group(s))
			conf_error(ctx, s, "defaults must be a group { ... }");
		else {
			conf_check_keys(ctx, s, conf_default_keys,
			    "in defaults");
			if ((ts = config_setting_get_member(s, "interval")))
				conf_seconds(ctx, ts, "interval",
				    CONF_MIN_INTERVAL, &def_interval);
			if ((ts = config_setting_get_member(s, "timeout")))
				conf_seconds(ctx, ts, "timeout",
				    CONF_MIN_INTERVAL, &def_timeout);
		}
	}

	if ((list = config_setting_get_member(root, "targets")) == NULL)
		return;
	if (!config_setting_is_list(list) && !config_setting_is_array(list)) {
		conf_error(ctx, list, "targets must be a list ( {...}, ... )");
		return;
	}
	n = config_setting_length(list);
	if (n == 0)
		return;
	if ((c->targets = calloc((size_t)n, sizeof(*c->targets))) == NULL) {
		conf_error(ctx, list, "out of memory for %d targets", n);
		return;
	}
	for (i = 0; i < n; i++) {
		ts = config_setting_get_elem(list, (unsigned)i);
		if (conf_target(ctx, ts, def_interval, def_timeout,
		    &c->targets[c->ntargets]) == 0)
			c->ntargets++;
		else
			target_conf_free(&c->targets[c->ntargets]);
	}

	/* duplicates: sort by name, neighbours collide */
	qsort(c->targets, c->ntargets, sizeof(*c->targets), conf_cmp_name);
	for (i = 1; i < (int)c->ntargets; i++)
		if (strcmp(c->targets[i - 1].name, c->targets[i].name) == 0)
			strlist_add(ctx->errs, "%s:%d: duplicate target "
			    "name \"%s\" (first defined at line %d)",
			    ctx->path, c->targets[i].line > c->targets[i - 1].line ?
			    c->targets[i].line : c->targets[i - 1].line,
			    c->targets[i].name,
			    c->targets[i].line > c->targets[i - 1].line ?
			    c->targets[i - 1].line : c->targets[i].line);
}

/*
 * Load and check a config file.  NULL when anything is wrong, with every
 * problem in errs; nothing is half-applied because nothing is applied here.
 */
struct conf *
conf_load(const char *path, struct strlist *errs)
{
	struct conf_ctx ctx = { path, errs };
	struct conf *c;
	config_t cfg;
	char *dir, *slash;
	FILE *f;
	size_t nerr = errs->n;

	if ((f = fopen(path, "r")) == NULL) {
		strlist_add(errs, "%s: cannot open: %s", path,
		    strerror(errno));
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(path)) == NULL) {
		fclose(f);
		free(c);
		strlist_add(errs, "%s: out of memory", path);
		return NULL;
	}
	c->history = CONF_DEFAULT_HISTORY;

	config_init(&cfg);
	/* @include is relative to the file that includes, not to our cwd */
	if ((dir = strdup(path)) != NULL) {
		if ((slash = strrchr(dir, '/')) != NULL) {
			*slash = '\0';
			config_set_include_dir(&cfg, *dir ? dir : "/");
		}
	}
	if (config_read(&cfg, f) != CONFIG_TRUE) {
		strlist_add(errs, "%s:%d: %s",
		    config_error_file(&cfg) ? config_error_file(&cfg) : path,
		    config_error_line(&cfg), config_error_text(&cfg));
	} else
		conf_parse(&ctx, &cfg, c);
	config_destroy(&cfg);
	free(dir);
	fclose(f);

	if (c->control_socket == NULL && errs->n == nerr &&
	    (c->control_socket = strdup(FUTD_DEFAULT_SOCKET)) == NULL)
		strlist_add(errs, "%s: out of memory", path);
	if (errs->n != nerr) {
		conf_free(c);
		return NULL;
	}
	return c;
}

/* Do two targets probe the same thing the same way? (reload keeps those) */
int
target_conf_equal(const struct target_conf *a, const struct target_conf *b)
{
	return strcmp(a->name, b->name) == 0 &&
	    strcmp(a->host, b->host) == 0 &&
	    a->port == b->port && a->kind == b->kind &&
	    a->interval_us == b->interval_us &&
	    a->timeout_us == b->timeout_us &&
	    a->payload_len == b->payload_len &&
	    (a->payload_len == 0 ||
	    memcmp(a->payload, b->payload, a->payload_len) == 0);
}
