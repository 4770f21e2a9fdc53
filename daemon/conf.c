/*
 * conf.c - read futd.conf (by libconfig) and, with targets_dir, the files
 * there (conf_dir.c) into one struct conf.
 *
 * The whole set is checked before anything is used: every problem found is
 * collected as "file:line: problem" (not only the first), so that `futd -n`
 * and a failed reload show them all at once.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <event2/http.h>
#include <event2/util.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"
#include "heap.h"
#include "log.h"
#include "proto.h"
#include "strlist.h"
#include "target.h"
#include "target_conf.h"

static void
conf_control_socket(struct conf_ctx *ctx, const config_setting_t *root,
    struct conf *c)
{
	const config_setting_t *s;
	const char *v;

	if ((s = config_setting_get_member(root, "control_socket")) == NULL ||
	    (v = conf_string(ctx, s, "control_socket")) == NULL)
		return;
	if (*v != '/')
		conf_error(ctx, s, "control_socket must be an absolute path");
	else if (strlen(v) >= 108)	/* sizeof(sun_path) */
		conf_error(ctx, s, "control_socket path is too long");
	else
		c->control_socket = strdup(v);
}

static void
conf_nameservers(struct conf_ctx *ctx, const config_setting_t *list,
    struct conf *c)
{
	const config_setting_t *s;
	struct sockaddr_storage ss;
	const char *v;
	int i, n, len;

	if (!conf_is_list(list)) {
		conf_error(ctx, list, "nameservers must be a list of "
		    "\"address[:port]\" strings");
		return;
	}
	if ((n = config_setting_length(list)) == 0)
		return;
	if ((c->nameservers = calloc((size_t)n, sizeof(char *))) == NULL) {
		conf_error(ctx, list, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(list, (unsigned)i);
		if ((v = conf_string(ctx, s, "a nameserver")) == NULL)
			continue;
		len = sizeof(ss);
		if (evutil_parse_sockaddr_port(v, (struct sockaddr *)&ss,
		    &len) == -1) {
			conf_error(ctx, s, "nameserver \"%s\" must be an "
			    "address with an optional port: 192.0.2.53:53 or "
			    "[2001:db8::53]:53", v);
			continue;
		}
		c->nameservers[c->nnameservers++] = strdup(v);
	}
}

static void
conf_dns(struct conf_ctx *ctx, const config_setting_t *root, struct conf *c)
{
	const struct conf_range *r = &conf_ranges[CR_DNS_CACHE_MAX];
	const config_setting_t *s;
	double x;

	c->dns_timeout_us = conf_range_us(CR_DNS_TIMEOUT);
	c->dns_attempts = (unsigned)conf_ranges[CR_DNS_ATTEMPTS].dflt;
	c->dns_cache_max_us = conf_range_us(CR_DNS_CACHE_MAX);
	if ((s = config_setting_get_member(root, "nameservers")) != NULL)
		conf_nameservers(ctx, s, c);
	if ((s = config_setting_get_member(root, "dns_timeout")) != NULL)
		conf_seconds(ctx, s, CR_DNS_TIMEOUT, "", &c->dns_timeout_us);
	conf_count(ctx, config_setting_get_member(root, "dns_attempts"),
	    CR_DNS_ATTEMPTS, "", &c->dns_attempts);
	if ((s = config_setting_get_member(root, "dns_cache_max")) != NULL &&
	    conf_number(ctx, s, r->key, "", &x) == 0) {
		if (x < r->min || x > r->max)
			conf_error(ctx, s, "dns_cache_max %g out of range "
			    "%g..%g seconds (0: no cache)", x, r->min, r->max);
		else
			c->dns_cache_max_us = (uint64_t)llround(x * 1e6);
	}
}

/*
 * http_listen, and metrics_listen, its name before the listener served
 * more than /metrics: either, not both (which would win is a guess).
 */
static void
conf_http_listen(struct conf_ctx *ctx, const config_setting_t *root,
    struct conf *c)
{
	const config_setting_t *s, *old;
	struct sockaddr_storage ss;
	const char *v, *key = "http_listen";
	int sslen = sizeof(ss);

	s = config_setting_get_member(root, "http_listen");
	old = config_setting_get_member(root, "metrics_listen");
	if (s != NULL && old != NULL) {
		conf_error(ctx, old, "metrics_listen and http_listen both "
		    "set: metrics_listen is http_listen's old name; keep "
		    "http_listen only");
		return;
	}
	if (s == NULL) {
		s = old;
		key = "metrics_listen";
	}
	if (s == NULL || (v = conf_string(ctx, s, key)) == NULL)
		return;
	if (evutil_parse_sockaddr_port(v, (struct sockaddr *)&ss,
	    &sslen) == -1 || strchr(v, ':') == NULL)
		conf_error(ctx, s, "%s \"%s\" must be address:port, e.g. "
		    "127.0.0.1:9464", key, v);
	else {
		c->http_listen = strdup(v);
		c->http_listen_key = key;
	}
}

/* state_file and state_save (state.c) */
static void
conf_state(struct conf_ctx *ctx, const config_setting_t *root,
    struct conf *c)
{
	const config_setting_t *s;
	const char *v;

	c->state_save_us = conf_range_us(CR_STATE_SAVE);
	if ((s = config_setting_get_member(root, "state_save")) != NULL)
		conf_seconds(ctx, s, CR_STATE_SAVE, "", &c->state_save_us);
	if ((s = config_setting_get_member(root, "state_file")) == NULL ||
	    (v = conf_string(ctx, s, "state_file")) == NULL)
		return;
	if (*v == '\0')
		conf_error(ctx, s, "state_file must name a file, e.g. "
		    "\"/var/lib/futd/futd.state\"; leave it out to keep no "
		    "state");
	else if ((c->state_file = conf_path(ctx, v)) == NULL)
		conf_error(ctx, s, "out of memory");
}

/*
 * The program run on a change of state (hook.c): an absolute path, as no
 * shell and no PATH search stands between futd and it.  Whether it exists
 * is asked when it runs: it may be installed after futd starts.
 */
static void
conf_on_change(struct conf_ctx *ctx, const config_setting_t *root,
    struct conf *c)
{
	const config_setting_t *s;
	const char *v;

	c->on_change_max = (unsigned)conf_ranges[CR_ON_CHANGE_MAX].dflt;
	conf_count(ctx, config_setting_get_member(root, "on_change_max"),
	    CR_ON_CHANGE_MAX, "", &c->on_change_max);
	c->on_change_timeout_us = conf_range_us(CR_ON_CHANGE_TIMEOUT);
	if ((s = config_setting_get_member(root, "on_change_timeout")) != NULL)
		conf_seconds(ctx, s, CR_ON_CHANGE_TIMEOUT, "",
		    &c->on_change_timeout_us);
	if ((s = config_setting_get_member(root, "on_change")) == NULL ||
	    (v = conf_string(ctx, s, "on_change")) == NULL)
		return;
	if (*v != '/')
		conf_error(ctx, s, "on_change \"%s\" must be an absolute path "
		    "to a program, e.g. \"/etc/futd/on_change\" (no shell "
		    "runs it)", v);
	else if ((c->on_change = strdup(v)) == NULL)
		conf_error(ctx, s, "out of memory");
}

/*
 * alertmanager_urls: plain http (Alertmanager's own listener; TLS in
 * front of it is a proxy's job), at most ALERT_URLS_MAX: alerts.c keeps
 * which of them an alert still has to reach in one 64-bit mask.
 */
static void
conf_alert_url(struct conf_ctx *ctx, const config_setting_t *s,
    struct conf *c)
{
	struct evhttp_uri *u;
	const char *v, *scheme;

	if ((v = conf_string(ctx, s, "an alertmanager URL")) == NULL)
		return;
	u = evhttp_uri_parse(v);
	scheme = u != NULL ? evhttp_uri_get_scheme(u) : NULL;
	if (u == NULL || scheme == NULL || strcmp(scheme, "http") != 0 ||
	    evhttp_uri_get_host(u) == NULL ||
	    *evhttp_uri_get_host(u) == '\0' ||
	    evhttp_uri_get_query(u) != NULL)
		conf_error(ctx, s, "alertmanager URL \"%s\" must be "
		    "http://HOST[:PORT][/PATH], e.g. \"http://127.0.0.1:9093\" "
		    "(https: put a proxy on this host in front of it)", v);
	else if ((c->am_urls[c->nam_urls] = strdup(v)) == NULL)
		conf_error(ctx, s, "out of memory");
	else
		c->nam_urls++;
	if (u != NULL)
		evhttp_uri_free(u);
}

static void
conf_alerts(struct conf_ctx *ctx, const config_setting_t *root,
    struct conf *c)
{
	const config_setting_t *s;
	int i, n;

	c->alert_resend_us = conf_range_us(CR_ALERT_RESEND);
	if ((s = config_setting_get_member(root, "alert_resend")) != NULL)
		conf_seconds(ctx, s, CR_ALERT_RESEND, "", &c->alert_resend_us);
	if ((s = config_setting_get_member(root, "alertmanager_urls")) == NULL)
		return;
	if (!conf_is_list(s)) {
		conf_error(ctx, s, "alertmanager_urls must be a list of "
		    "\"http://host:port\" strings");
		return;
	}
	if ((n = config_setting_length(s)) > ALERT_URLS_MAX) {
		conf_error(ctx, s, "alertmanager_urls: %d URLs, at most %d",
		    n, ALERT_URLS_MAX);
		return;
	}
	if (n == 0)
		return;
	if ((c->am_urls = calloc((size_t)n, sizeof(char *))) == NULL) {
		conf_error(ctx, s, "out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		conf_alert_url(ctx, config_setting_get_elem(s, (unsigned)i), c);
}

/*
 * shard K/N: this instance probes the targets whose name hashes to K - 1
 * modulo N, so one set of files serves every instance of a fleet.
 */
static void
conf_shard(struct conf_ctx *ctx, const config_setting_t *root,
    struct conf *c)
{
	const config_setting_t *s;
	const char *v;
	unsigned sk, sn;
	char extra;

	c->shard_k = c->shard_n = 1;
	if ((s = config_setting_get_member(root, "shard")) == NULL ||
	    (v = conf_string(ctx, s, "shard")) == NULL)
		return;
	if (sscanf(v, "%u/%u%c", &sk, &sn, &extra) != 2 || sn == 0 ||
	    sk == 0 || sk > sn || sn > 65536)
		conf_error(ctx, s, "shard \"%s\" must be K/N with 1 <= K <= N, "
		    "e.g. \"2/5\"", v);
	else {
		c->shard_k = sk;
		c->shard_n = sn;
	}
}

/* Relative to the file that names it, as @include is. */
static void
conf_targets_dir(struct conf_ctx *ctx, const config_setting_t *root,
    struct conf *c)
{
	const config_setting_t *s;
	const char *v, *slash;

	if ((s = config_setting_get_member(root, "targets_dir")) == NULL ||
	    (v = conf_string(ctx, s, "targets_dir")) == NULL)
		return;
	if (*v == '\0') {
		conf_error(ctx, s, "targets_dir is empty");
		return;
	}
	if (*v == '/' || (slash = strrchr(c->path, '/')) == NULL)
		c->targets_dir = strdup(v);
	else if (asprintf(&c->targets_dir, "%.*s/%s",
	    (int)(slash - c->path), c->path, v) == -1)
		c->targets_dir = NULL;
	if (c->targets_dir == NULL)
		conf_error(ctx, s, "out of memory");
	c->targets_dir_line = (int)config_setting_source_line(s);
}

static void
conf_history(struct conf_ctx *ctx, const config_setting_t *s, struct conf *c)
{
	const struct conf_range *r = &conf_ranges[CR_HISTORY];
	long long h;
	int t = config_setting_type(s);

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		conf_error(ctx, s, "history must be an integer");
	else if ((h = config_setting_get_int64(s)) < r->min || h > r->max)
		conf_error(ctx, s, "history %lld out of range %.0f..%.0f", h,
		    r->min, r->max);
	else
		c->history = (unsigned)h;
}

static void
conf_main(struct conf_ctx *ctx, const config_setting_t *root,
    struct conf *c)
{
	const struct conf_range *r = &conf_ranges[CR_MAX_INFLIGHT];
	const config_setting_t *s;
	const char *v;
	double x;

	conf_check_keys(ctx, root, CONF_PLACE_TOP, "at the top level");
	conf_control_socket(ctx, root, c);
	if ((s = config_setting_get_member(root, "log_level")) != NULL &&
	    (v = conf_string(ctx, s, "log_level")) != NULL) {
		if (log_level_parse(v) == -1)
			conf_error(ctx, s, "unknown log_level \"%s\" (known: "
			    "error, warning, notice, info, debug)", v);
		else
			c->log_level = strdup(v);
	}
	c->history = (unsigned)conf_ranges[CR_HISTORY].dflt;
	if ((s = config_setting_get_member(root, "history")) != NULL)
		conf_history(ctx, s, c);
	c->events = (unsigned)conf_ranges[CR_EVENTS].dflt;
	conf_count(ctx, config_setting_get_member(root, "events"), CR_EVENTS,
	    "", &c->events);
	c->max_inflight = (unsigned)r->dflt;
	if ((s = config_setting_get_member(root, "max_inflight")) != NULL &&
	    conf_number(ctx, s, r->key, "", &x) == 0) {
		if (x < r->min || x > r->max || x != floor(x))
			conf_error(ctx, s, "max_inflight %g out of range "
			    "%.0f..%.0f (0: no limit)", x, r->min, r->max);
		else
			c->max_inflight = (unsigned)x;
	}
	conf_dns(ctx, root, c);
	conf_http_listen(ctx, root, c);
	conf_on_change(ctx, root, c);
	conf_alerts(ctx, root, c);
	conf_shard(ctx, root, c);
	conf_state(ctx, root, c);
	conf_targets_dir(ctx, root, c);
	if ((s = config_setting_get_member(root, "defaults")) != NULL)
		conf_read_defaults(ctx, s, &c->defaults);
}

/*
 * Sorting a million names: a key holds the first 8 bytes of the name, big
 * endian, so that most comparisons are one of integers and touch nothing
 * else; the rest of the name, then the order of definition, break ties.
 */
struct conf_sort_key {
	uint64_t		 prefix;
	struct target_conf	*tc;
	size_t			 order;
};

static int
conf_cmp_key(const void *a, const void *b)
{
	const struct conf_sort_key *x = a, *y = b;
	int r;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	/* equal first 8 bytes: a NUL among them ends both names there */
	if (strnlen(x->tc->name, 8) == 8 &&
	    (r = strcmp(x->tc->name + 8, y->tc->name + 8)) != 0)
		return r;
	return (x->order > y->order) - (x->order < y->order);
}

static uint64_t
conf_key_prefix(const char *name)
{
	unsigned char b[8] = { 0 };

	memcpy(b, name, strnlen(name, 8));
	return (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 |
	    (uint64_t)b[2] << 40 | (uint64_t)b[3] << 32 |
	    (uint64_t)b[4] << 24 | (uint64_t)b[5] << 16 |
	    (uint64_t)b[6] << 8 | (uint64_t)b[7];
}

/* By name, then as defined (files in order, each in its order). */
static int
conf_sort(struct conf *c)
{
	struct conf_sort_key *k;
	size_t i;

	if (c->ntargets < 2)
		return 0;
	if ((k = calloc(c->ntargets, sizeof(*k))) == NULL)
		return -1;
	for (i = 0; i < c->ntargets; i++) {
		k[i].tc = c->targets[i];
		k[i].prefix = conf_key_prefix(c->targets[i]->name);
		k[i].order = i;
	}
	qsort(k, c->ntargets, sizeof(*k), conf_cmp_key);
	for (i = 0; i < c->ntargets; i++)
		c->targets[i] = k[i].tc;
	free(k);
	return 0;
}

/* "file:line", or "line N" when it is the file of the message */
static void
conf_duplicates(const struct conf *c, size_t i, size_t j,
    struct strlist *errs)
{
	const struct target_conf *first = c->targets[i], *t;
	size_t k;

	for (k = i + 1; k < j; k++) {
		t = c->targets[k];
		if (t->file == first->file)
			strlist_add(errs, "%s:%d: duplicate target name \"%s\" "
			    "(first defined at line %d)", t->file->path,
			    t->line, t->name, first->line);
		else
			strlist_add(errs, "%s:%d: duplicate target name \"%s\" "
			    "(first defined at %s:%d)", t->file->path, t->line,
			    t->name, first->file->path, first->line);
	}
}

/* Every file's targets, in the order of the files, in c->targets. */
static int
conf_merge(struct conf *c)
{
	size_t i, j, n = 0;

	for (i = 0; i < c->nfiles; i++)
		n += c->parts[i].ntargets;
	if (n > 0 && (c->targets = calloc(n, sizeof(*c->targets))) == NULL)
		return -1;
	for (i = 0; i < c->nfiles; i++)
		for (j = 0; j < c->parts[i].ntargets; j++)
			c->targets[c->ntargets++] = &c->parts[i].targets[j];
	return 0;
}

/* Sorted by name, every name once; then the shard's share. */
static void
conf_finish_targets(struct conf *c, struct strlist *errs)
{
	size_t i, j;

	if (conf_sort(c) == -1) {
		strlist_add(errs, "%s: out of memory", c->path);
		return;
	}
	for (i = 0; i < c->ntargets; i = j) {
		for (j = i + 1; j < c->ntargets &&
		    strcmp(c->targets[i]->name, c->targets[j]->name) == 0; j++)
			;
		conf_duplicates(c, i, j, errs);
	}
	if (c->shard_n <= 1)
		return;
	for (i = 0, j = 0; i < c->ntargets; i++) {
		if (target_name_hash(c->targets[i]->name) % c->shard_n ==
		    c->shard_k - 1)
			c->targets[j++] = c->targets[i];
		else
			target_conf_free(c->targets[i]);
	}
	c->ntargets = j;
}

/* futd.conf itself: the daemon's settings, its defaults, its targets */
/*
 * prev_none: a start, on the main thread (heap.c's hint is for the main
 * malloc arena, and changes malloc's settings for the process meanwhile).
 */
static void
conf_read_main(struct conf *c, struct conf_part *part, int prev_none,
    struct strlist *errs)
{
	struct conf_ctx ctx = { .path = c->path, .errs = errs };
	const config_setting_t *s;
	struct stat st;
	config_t cfg;
	char *dir, *slash, *text;

	if ((text = conf_read_text(c->path, &st, errs)) == NULL)
		return;
	if (conf_file_add(c, c->path, &st) == -1 ||
	    (dir = strdup(c->path)) == NULL) {
		strlist_add(errs, "%s: out of memory", c->path);
		free(text);
		return;
	}
	ctx.file = c->files[0];
	config_init(&cfg);
	/* @include is relative to the file that includes, not to our cwd */
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		ctx.dir = *dir != '\0' ? dir : "/";
		config_set_include_dir(&cfg, ctx.dir);
	}
	/*
	 * libconfig makes a file into a tree of small allocations, about
	 * twelve times its size: for a big file, huge pages for them (a
	 * million targets in this file: 11 s -> 5 s for futd -n, the most of
	 * it page faults).
	 */
	if (prev_none)
		heap_prepare((size_t)st.st_size * 12);
	if (conf_includes_ok(c->path, text, ctx.dir, errs) == -1)
		;	/* told */
	else if (config_read_string(&cfg, text) != CONFIG_TRUE)
		conf_syntax_error(errs, &cfg, c->path, ctx.dir, text);
	else {
		conf_main(&ctx, config_root_setting(&cfg), c);
		if ((s = config_setting_get_member(config_root_setting(&cfg),
		    "targets")) != NULL)
			conf_targets(&ctx, s, &c->defaults, part);
	}
	config_destroy(&cfg);
	if (prev_none)
		heap_done();
	free(text);
	free(dir);
	free(ctx.tls);
	c->pool = ctx.pool;
}

/*
 * Could prev's files of targets_dir be kept as they run?  Not with a
 * shard: the names of a kept file outside this shard are not running, and
 * a file read could define one again unseen.
 */
static int
conf_same_context(const struct conf *c, const struct conf *prev)
{
	struct conf_defaults a, b;

	if (prev == NULL)
		return 0;
	/* labels by their hash: prev's pool, where they were, may be gone */
	a = c->defaults;
	b = prev->defaults;
	a.labels = b.labels = NULL;
	return c->shard_n == 1 && c->history == prev->history &&
	    c->shard_k == prev->shard_k && c->shard_n == prev->shard_n &&
	    memcmp(&a, &b, sizeof(a)) == 0;
}

static struct conf *
conf_new(const char *path, struct strlist *errs, struct stat *st)
{
	struct conf *c;

	if (stat(path, st) == -1) {
		strlist_add(errs, "%s: cannot open: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st->st_mode)) {
		strlist_add(errs, "%s: cannot open: %s", path,
		    S_ISDIR(st->st_mode) ? strerror(EISDIR) :
		    "not a regular file");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(path)) == NULL) {
		free(c);
		strlist_add(errs, "%s: out of memory", path);
		return NULL;
	}
	conf_defaults_init(&c->defaults);
	return c;
}

struct conf *
conf_load(const char *path, struct strlist *errs, const struct conf *prev)
{
	struct stat st;
	struct conf *c;
	size_t nerr = errs->n;

	if ((c = conf_new(path, errs, &st)) == NULL)
		return NULL;
	if ((c->parts = calloc(1, sizeof(*c->parts))) == NULL) {
		strlist_add(errs, "%s: out of memory", path);
		conf_free(c);
		return NULL;
	}
	conf_read_main(c, &c->parts[0], prev == NULL, errs);
	if (c->targets_dir != NULL && errs->n == nerr)
		conf_dir_read(c, prev, conf_same_context(c, prev), errs);
	/* the good targets: their names are checked whatever else is wrong */
	if (conf_merge(c) == -1)
		strlist_add(errs, "%s: out of memory", path);
	conf_finish_targets(c, errs);
	if (c->control_socket == NULL && errs->n == nerr &&
	    (c->control_socket = strdup(FUTD_DEFAULT_SOCKET)) == NULL)
		strlist_add(errs, "%s: out of memory", path);
	if (errs->n != nerr) {
		conf_errors_sort(errs, nerr);
		conf_free(c);
		return NULL;
	}
	return c;
}

/* The targets of c, freed (target_new took what the made ones keep). */
void
conf_targets_free(struct conf *c)
{
	size_t i, j;

	for (i = 0; c->parts != NULL && i < c->nfiles; i++) {
		for (j = 0; j < c->parts[i].ntargets; j++)
			target_conf_free(&c->parts[i].targets[j]);
		free(c->parts[i].targets);
		c->parts[i].targets = NULL;
		c->parts[i].ntargets = 0;
	}
	free(c->targets);
	c->targets = NULL;
	c->ntargets = 0;
	conf_pool_free(c);
}

void
conf_pool_free(struct conf *c)
{
	conf_pool_release(&c->pool);
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	conf_targets_free(c);
	free(c->parts);
	for (i = 0; i < c->nfiles; i++)
		conf_file_free(c->files[i]);
	free(c->files);
	for (i = 0; i < c->nnameservers; i++)
		free(c->nameservers[i]);
	free(c->nameservers);
	free(c->path);
	free(c->control_socket);
	free(c->log_level);
	free(c->http_listen);
	free(c->on_change);
	free(c->state_file);
	for (i = 0; i < c->nam_urls; i++)
		free(c->am_urls[i]);
	free(c->am_urls);
	free(c->targets_dir);
	free(c);
}
