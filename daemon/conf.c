/*
 * conf.c - read futd.conf (libconfig's syntax, by cfg.c) into a struct conf.
 *
 * The whole file is checked before anything is used: every problem found is
 * collected as "file:line: problem" (not only the first), so that `futd -n`
 * and a failed reload show them all at once.
 */
#include <sys/stat.h>
#include <sys/socket.h>

#include <event2/util.h>

#include <errno.h>
#include <openssl/ssl.h>
#include <regex.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "futd.h"

#define CONF_DEFAULT_INTERVAL	10.0
#define CONF_DEFAULT_TIMEOUT	3.0
#define CONF_DEFAULT_HISTORY	64
#define CONF_MAX_HISTORY	65536
#define CONF_MIN_INTERVAL	0.001
#define CONF_MAX_SECONDS	86400.0
#define CONF_MAX_NAME		128
#define CONF_MAX_HOST		253
/* a payload is sent whole: a bound on what one target may hold */
#define CONF_MAX_PAYLOAD	(16 * 1024 * 1024)
#define CONF_DEFAULT_PAYLOAD	"hello world"

static const char *probe_kind_names[] = {
	[PROBE_PEERADDR] =	"peeraddr",
	[PROBE_HELLO] =		"hello",
};

#define CONF_DEFAULT_READ_LIMIT	4096
#define CONF_MAX_READ_LIMIT	(1024 * 1024)
#define CONF_DEFAULT_DNS_TIMEOUT	2.0
#define CONF_DEFAULT_DNS_ATTEMPTS	2
#define CONF_DEFAULT_DNS_CACHE_MAX	300.0
#define CONF_MAX_JITTER		50.0	/* percent */
#define CONF_MAX_INFLIGHT	1000000
#define CONF_DEFAULT_RISE	2	/* HAProxy's defaults */
#define CONF_DEFAULT_FALL	3
#define CONF_DEFAULT_FLAP	4
#define CONF_DEFAULT_EVENTS	1000
#define CONF_MAX_EVENTS		1000000

static const char *conf_top_keys[] = {
	"control_socket", "history", "log_level", "defaults", "targets",
	"nameservers", "dns_timeout", "dns_attempts", "dns_cache_max",
	"max_inflight", "events", "metrics_listen", "shard", NULL
};
static const char *conf_default_keys[] = {
	"interval", "timeout", "connect_timeout", "jitter", "family",
	"addresses", "close", "read_limit", "rise", "fall", "flap_threshold",
	"local_address", NULL
};
static const char *conf_target_keys[] = {
	"name", "host", "port", "probe", "payload", "payload_hex", "expect",
	"expect_regex", "read_limit", "close", "family", "addresses",
	"interval", "timeout", "connect_timeout", "jitter", "source", "rise",
	"fall", "flap_threshold", "tls", "sni", "alpn", "verify", "ca_file",
	"min_version", "cert_warn_days", "cert_crit_days", "starttls",
	"local_address", NULL
};

#define CONF_DEFAULT_CERT_WARN	30	/* days */
#define CONF_DEFAULT_CERT_CRIT	7

/* What `defaults` can set for every target. */
struct conf_defaults {
	uint64_t		 interval_us;
	uint64_t		 timeout_us;
	uint64_t		 connect_timeout_us;
	uint32_t		 jitter_ppm;
	uint32_t		 read_limit;
	int			 family;
	enum addr_mode		 addrs;
	enum close_mode		 close;
	int			 local_addr;
	unsigned		 rise, fall, flap;
};

static const char *addr_mode_names[] = {
	[ADDRS_ANY] = "any", [ADDRS_FIRST] = "first", [ADDRS_EACH] = "each",
};
static const char *close_mode_names[] = {
	[CLOSE_FIN] = "fin", [CLOSE_RST] = "rst",
};

const char *
addr_mode_name(enum addr_mode m)
{
	return (unsigned)m <= ADDRS_EACH ? addr_mode_names[m] : "?";
}

const char *
close_mode_name(enum close_mode m)
{
	return (unsigned)m <= CLOSE_RST ? close_mode_names[m] : "?";
}

const char *
family_name(int family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" :
	    "any";
}

const char *
probe_kind_name(enum probe_kind k)
{
	return (unsigned)k <= PROBE_HELLO ? probe_kind_names[k] : "?";
}

void
strlist_add(struct strlist *e, const char *fmt, ...)
{
	unsigned char *p;
	char **msg;
	char *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		return;
	/*
	 * A message quotes what the file said: its control characters must
	 * not forge a line in the log or colour a terminal.
	 */
	for (p = (unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	/* doubling: a reload may list a million names */
	if (e->n == e->cap) {
		if ((msg = reallocarray(e->msg, e->cap ? e->cap * 2 : 8,
		    sizeof(*msg))) == NULL) {
			free(s);
			return;
		}
		e->msg = msg;
		e->cap = e->cap ? e->cap * 2 : 8;
	}
	e->msg[e->n++] = s;
}

/* Drop the messages after the first n. */
static void
strlist_truncate(struct strlist *e, size_t n)
{
	while (e->n > n)
		free(e->msg[--e->n]);
}

void
strlist_clear(struct strlist *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	e->msg = NULL;
	e->n = e->cap = 0;
}

/* Where a setting was written, for messages: "file:line". */
struct conf_ctx {
	const char		*path;
	struct cfg		*cfg;
	/* conf_check_keys: is this name one of those keys */
	struct {
		const char	**known;
		uint32_t	 name;
		int		 ok;
	}			 known[64];
	struct strlist		*errs;
	struct tls_conf		**tls;	/* TLS settings met so far */
	size_t			 ntls;
	struct conf		*conf;
	unsigned char		*payload;	/* the default, pooled once */
	const struct conf_reuse	*reuse;		/* a reload's: NULL or this */
};

/*
 * The targets' strings, in chunks: a million targets would otherwise be
 * three million mallocs and frees per load.  They live until the targets
 * are made (target_new copies them): conf_pool_free().
 */
struct conf_pool {
	struct conf_pool	*next;
	size_t			 used, size;
	char			 data[];
};

#define CONF_POOL_CHUNK		(256 * 1024)

static void *
conf_pool_dup(struct conf *c, const void *p, size_t len)
{
	struct conf_pool *pl = c->pool;
	size_t size;
	char *s;

	if (pl == NULL || pl->size - pl->used < len + 1) {
		size = len + 1 > CONF_POOL_CHUNK / 2 ? len + 1 :
		    CONF_POOL_CHUNK - sizeof(*pl);
		if ((pl = malloc(sizeof(*pl) + size)) == NULL)
			return NULL;
		pl->used = 0;
		pl->size = size;
		pl->next = c->pool;
		c->pool = pl;
	}
	s = pl->data + pl->used;
	memcpy(s, p, len);
	s[len] = '\0';
	pl->used += len + 1;
	return s;
}

void
conf_pool_free(struct conf *c)
{
	struct conf_pool *pl;

	while ((pl = c->pool) != NULL) {
		c->pool = pl->next;
		free(pl);
	}
}

static void conf_error(struct conf_ctx *, const struct cfg_node *,
    const char *, ...) __attribute__((format(printf, 3, 4)));

static void
conf_error(struct conf_ctx *ctx, const struct cfg_node *s, const char *fmt,
    ...)
{
	const char *file = NULL;
	char *msg;
	va_list ap;
	int line = 0;

	if (s != NULL) {
		file = cfg_file(ctx->cfg, s);
		line = (int)s->line;
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
conf_check_keys(struct conf_ctx *ctx, const struct cfg_node *group,
    const char **known, const char *where)
{
	const struct cfg_node *s;
	const char *name;
	size_t k, slot;
	int i, ok;

	for (i = 0; (s = cfg_elem(ctx->cfg, group, (unsigned)i)) != NULL;
	    i++) {
		if ((name = cfg_name(ctx->cfg, s)) == NULL)
			continue;
		/* names are interned: the answer for one holds for all */
		slot = (s->name ^ (uintptr_t)known) % (sizeof(ctx->known) /
		    sizeof(ctx->known[0]));
		if (ctx->known[slot].known == known &&
		    ctx->known[slot].name == s->name)
			ok = ctx->known[slot].ok;
		else {
			for (k = 0; known[k] != NULL; k++)
				if (strcmp(known[k], name) == 0)
					break;
			ok = known[k] != NULL;
			ctx->known[slot].known = known;
			ctx->known[slot].name = s->name;
			ctx->known[slot].ok = ok;
		}
		if (!ok)
			conf_error(ctx, s, "unknown key \"%s\" %s", name, where);
	}
}

/* A number of seconds, integer or float: -1 on error (already reported). */
/* A number, integer or float: -1 when it is not one (already reported). */
static int
conf_number(struct conf_ctx *ctx, const struct cfg_node *s,
    const char *what, const char *label, double *v)
{
	switch (s->type) {
	case CFG_INT:
	case CFG_INT64:
		*v = (double)cfg_int64(s);
		return 0;
	case CFG_FLOAT:
		*v = cfg_float(s);
		if (isfinite(*v))
			return 0;
		break;
	}
	conf_error(ctx, s, "%s must be a number%s%s", what, *label ? " " : "",
	    label);
	return -1;
}

/* A number of seconds: -1 on error (already reported). */
static int
conf_seconds(struct conf_ctx *ctx, const struct cfg_node *s,
    const char *what, const char *label, double min, uint64_t *usec)
{
	double v;
	int t = s->type;

	if (t != CFG_INT && t != CFG_INT64 &&
	    t != CFG_FLOAT) {
		conf_error(ctx, s, "%s must be a number of seconds%s%s", what,
		    *label ? " " : "", label);
		return -1;
	}
	if (conf_number(ctx, s, what, label, &v) == -1)
		return -1;
	if (v <= 0) {
		conf_error(ctx, s, "%s must be positive, not %g%s%s", what, v,
		    *label ? " " : "", label);
		return -1;
	}
	if (v < min) {
		conf_error(ctx, s, "%s %g is below the minimum of %gs%s%s",
		    what, v, min, *label ? " " : "", label);
		return -1;
	}
	if (v > CONF_MAX_SECONDS) {
		conf_error(ctx, s, "%s %g is above the maximum of %gs%s%s",
		    what, v, CONF_MAX_SECONDS, *label ? " " : "", label);
		return -1;
	}
	*usec = (uint64_t)llround(v * 1e6);
	return 0;
}

/* One word of a fixed set: its index, or -1 (already reported). */
static int
conf_word(struct conf_ctx *ctx, const struct cfg_node *s, const char *what,
    const char *label, const char *const *words, size_t nwords)
{
	const char *v;
	char known[128];
	size_t i, off = 0;

	if ((v = cfg_string(ctx->cfg, s)) == NULL) {
		conf_error(ctx, s, "%s must be a string%s%s", what,
		    *label ? " " : "", label);
		return -1;
	}
	for (i = 0; i < nwords; i++)
		if (strcmp(words[i], v) == 0)
			return (int)i;
	known[0] = '\0';
	for (i = 0; i < nwords && off < sizeof(known); i++)
		off += (size_t)snprintf(known + off, sizeof(known) - off,
		    "%s%s", i ? ", " : "", words[i]);
	conf_error(ctx, s, "unknown %s \"%s\"%s%s (known: %s)", what, v,
	    *label ? " " : "", label, known);
	return -1;
}

static void	conf_count(struct conf_ctx *, const struct cfg_node *,
		    const char *, const char *, unsigned, unsigned, unsigned *);
static int	conf_name_ok(const char *);
static const char *conf_string(struct conf_ctx *, const struct cfg_node *,
		    const char *);

/*
 * Targets with the same TLS settings share one SSL_CTX: each loads the
 * whole trust store (tens of milliseconds, most of a megabyte).  0 when tl
 * got a shared one.
 */
static int
conf_tls_share(struct conf_ctx *ctx, struct tls_conf *tl)
{
	struct tls_conf **seen;
	size_t i;

	for (i = 0; i < ctx->ntls; i++)
		if (tls_conf_same_ctx(ctx->tls[i], tl) &&
		    SSL_CTX_up_ref(ctx->tls[i]->ctx) == 1) {
			tl->ctx = ctx->tls[i]->ctx;
			return 0;
		}
	if ((seen = reallocarray(ctx->tls, ctx->ntls + 1, sizeof(*seen))) !=
	    NULL) {
		ctx->tls = seen;
		ctx->tls[ctx->ntls++] = tl;	/* its ctx is made next */
	}
	return -1;
}

static int
conf_bool(struct conf_ctx *ctx, const struct cfg_node *s, const char *what,
    const char *label, int *out)
{
	if (s->type != CFG_BOOL) {
		conf_error(ctx, s, "%s must be true or false %s", what, label);
		return -1;
	}
	*out = (int)s->v.i;
	return 0;
}

/*
 * TLS: `tls = true` and its settings.  The SSL_CTX is built here, so that a
 * ca_file that cannot be read is an error with its line.
 */
static void
conf_tls(struct conf_ctx *ctx, const struct cfg_node *ts, const char *label,
    struct target_conf *tc)
{
	static const char *const starttls_words[] = { "smtp", "imap", "pop3" };
	static const char *const versions[] = { "1.2", "1.3" };
	static const char *const tls_keys[] = { "sni", "alpn", "verify",
	    "ca_file", "min_version", "cert_warn_days", "cert_crit_days",
	    "starttls", NULL };
	const struct cfg_node *s, *e;
	struct tls_conf *tl;
	const char *v;
	char err[256];
	size_t off, n, nerr = ctx->errs->n;
	int on = 0, i, k;
	unsigned days;

	if ((s = cfg_member(ctx->cfg, ts, "tls")) != NULL)
		conf_bool(ctx, s, "tls", label, &on);
	if (!on) {
		for (k = 0; tls_keys[k] != NULL; k++)
			if ((s = cfg_member(ctx->cfg, ts, tls_keys[k])) !=
			    NULL)
				conf_error(ctx, s, "%s needs tls = true %s",
				    tls_keys[k], label);
		return;
	}
	if ((tl = calloc(1, sizeof(*tl))) == NULL) {
		conf_error(ctx, ts, "out of memory %s", label);
		return;
	}
	tc->tls = tl;
	tl->verify = 1;
	tl->warn_days = CONF_DEFAULT_CERT_WARN;
	tl->crit_days = CONF_DEFAULT_CERT_CRIT;
	if ((s = cfg_member(ctx->cfg, ts, "sni")) != NULL &&
	    (v = conf_string(ctx, s, "sni")) != NULL) {
		if (*v == '\0' || !conf_name_ok(v))
			conf_error(ctx, s, "bad sni \"%s\" %s", v, label);
		else
			tl->sni = strdup(v);
	}
	if ((s = cfg_member(ctx->cfg, ts, "verify")) != NULL)
		conf_bool(ctx, s, "verify", label, &tl->verify);
	if ((s = cfg_member(ctx->cfg, ts, "ca_file")) != NULL &&
	    (v = conf_string(ctx, s, "ca_file")) != NULL)
		tl->ca_file = strdup(v);
	if ((s = cfg_member(ctx->cfg, ts, "min_version")) != NULL &&
	    (i = conf_word(ctx, s, "min_version", label, versions, 2)) != -1)
		tl->min_version = i == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
	if ((s = cfg_member(ctx->cfg, ts, "starttls")) != NULL &&
	    (i = conf_word(ctx, s, "starttls", label, starttls_words, 3)) != -1)
		tl->starttls = (enum starttls_kind)(i + 1);
	days = (unsigned)tl->warn_days;
	conf_count(ctx, ts, "cert_warn_days", label, 0, 3650, &days);
	tl->warn_days = (int)days;
	days = (unsigned)tl->crit_days;
	conf_count(ctx, ts, "cert_crit_days", label, 0, 3650, &days);
	tl->crit_days = (int)days;
	if ((s = cfg_member(ctx->cfg, ts, "alpn")) != NULL) {
		/* ["h2", "http/1.1"] in the wire format: length, bytes */
		n = (size_t)cfg_length(s);
		if (!cfg_is_array(s) && !cfg_is_list(s))
			conf_error(ctx, s, "alpn must be a list of strings %s",
			    label);
		else if ((tl->alpn = malloc(n * 256)) != NULL &&
		    (tl->alpn_text = calloc(1, n * 256 + 1)) != NULL) {
			for (i = 0, off = 0; i < (int)n; i++) {
				e = cfg_elem(ctx->cfg, s, (unsigned)i);
				if ((v = conf_string(ctx, e, "an alpn name")) ==
				    NULL)
					continue;
				if (*v == '\0' || strlen(v) > 255) {
					conf_error(ctx, e, "alpn name must be "
					    "1..255 bytes %s", label);
					continue;
				}
				tl->alpn[off++] = (unsigned char)strlen(v);
				memcpy(tl->alpn + off, v, strlen(v));
				off += strlen(v);
				strcat(tl->alpn_text, i ? "," : "");
				strcat(tl->alpn_text, v);
			}
			tl->alpn_len = off;
		}
	}
	if (ctx->errs->n == nerr && conf_tls_share(ctx, tl) == -1 &&
	    tls_conf_ctx(tl, err, sizeof(err)) == -1)
		conf_error(ctx, cfg_member(ctx->cfg, ts, "tls"), "%s %s",
		    err, label);
}

/* A whole number in min..max, if the key is there. */
static void
conf_count(struct conf_ctx *ctx, const struct cfg_node *g, const char *key,
    const char *label, unsigned min, unsigned max, unsigned *out)
{
	const struct cfg_node *s;
	double v;

	if ((s = cfg_member(ctx->cfg, g, key)) == NULL ||
	    conf_number(ctx, s, key, label, &v) == -1)
		return;
	if (v < min || v > max || v != floor(v))
		conf_error(ctx, s, "%s %g out of range %u..%u%s%s", key, v,
		    min, max, *label ? " " : "", label);
	else
		*out = (unsigned)v;
}

/*
 * The settings a target shares with `defaults`: read from group g into d.
 * label says where ("in target \"x\"", "in defaults").
 */
static void
conf_shared(struct conf_ctx *ctx, const struct cfg_node *g,
    const char *label, struct conf_defaults *d)
{
	static const char *const families[] = { "any", "ipv4", "ipv6" };
	static const int family_values[] = { AF_UNSPEC, AF_INET, AF_INET6 };
	const struct cfg_node *s;
	double v;
	int i;

	if ((s = cfg_member(ctx->cfg, g, "interval")) != NULL)
		conf_seconds(ctx, s, "interval", label, CONF_MIN_INTERVAL,
		    &d->interval_us);
	if ((s = cfg_member(ctx->cfg, g, "timeout")) != NULL)
		conf_seconds(ctx, s, "timeout", label, CONF_MIN_INTERVAL,
		    &d->timeout_us);
	if ((s = cfg_member(ctx->cfg, g, "connect_timeout")) != NULL)
		conf_seconds(ctx, s, "connect_timeout", label,
		    CONF_MIN_INTERVAL, &d->connect_timeout_us);
	if ((s = cfg_member(ctx->cfg, g, "jitter")) != NULL &&
	    conf_number(ctx, s, "jitter", label, &v) == 0) {
		if (v < 0 || v > CONF_MAX_JITTER)
			conf_error(ctx, s, "jitter %g%% out of range 0..%g%s%s",
			    v, CONF_MAX_JITTER, *label ? " " : "", label);
		else
			d->jitter_ppm = (uint32_t)llround(v * 1e4);
	}
	if ((s = cfg_member(ctx->cfg, g, "read_limit")) != NULL &&
	    conf_number(ctx, s, "read_limit", label, &v) == 0) {
		if (v < 1 || v > CONF_MAX_READ_LIMIT || v != floor(v))
			conf_error(ctx, s, "read_limit %g out of range 1..%d "
			    "bytes%s%s", v, CONF_MAX_READ_LIMIT,
			    *label ? " " : "", label);
		else
			d->read_limit = (uint32_t)v;
	}
	conf_count(ctx, g, "rise", label, 1, 100, &d->rise);
	conf_count(ctx, g, "fall", label, 1, 100, &d->fall);
	conf_count(ctx, g, "flap_threshold", label, 0, FLAP_KEEP - 1,
	    &d->flap);
	if ((s = cfg_member(ctx->cfg, g, "family")) != NULL &&
	    (i = conf_word(ctx, s, "family", label, families, 3)) != -1)
		d->family = family_values[i];
	if ((s = cfg_member(ctx->cfg, g, "addresses")) != NULL &&
	    (i = conf_word(ctx, s, "addresses", label, addr_mode_names, 3)) !=
	    -1)
		d->addrs = (enum addr_mode)i;
	if ((s = cfg_member(ctx->cfg, g, "close")) != NULL &&
	    (i = conf_word(ctx, s, "close", label, close_mode_names, 2)) != -1)
		d->close = (enum close_mode)i;
	/* getsockname() is a syscall a probe pays only when asked for */
	if ((s = cfg_member(ctx->cfg, g, "local_address")) != NULL)
		conf_bool(ctx, s, "local_address", label, &d->local_addr);
}

static int
conf_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "48 65 6c6c 6f": hex digits in pairs, blanks and ':' between them */
static unsigned char *
conf_hex(const char *s, size_t *len)
{
	unsigned char *out;
	size_t n = 0;
	int hi, lo;

	if ((out = malloc(strlen(s) / 2 + 1)) == NULL)
		return NULL;
	while (*s != '\0') {
		if (*s == ' ' || *s == ':' || *s == '\t') {
			s++;
			continue;
		}
		if ((hi = conf_hexval(s[0])) == -1 ||
		    (lo = conf_hexval(s[1])) == -1) {
			free(out);
			return NULL;
		}
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	*len = n;
	return out;
}

static const char *
conf_string(struct conf_ctx *ctx, const struct cfg_node *s, const char *what)
{
	const char *v;

	if ((v = cfg_string(ctx->cfg, s)) == NULL)
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
conf_target(struct conf_ctx *ctx, const struct cfg_node *ts,
    const struct conf_defaults *def, struct target_conf *tc)
{
	const struct cfg_node *s;
	const char *v, *payload = CONF_DEFAULT_PAYLOAD;
	char label[CONF_MAX_NAME + 16], rerr[128];
	size_t nerr = ctx->errs->n, hexlen = 0, len;
	struct conf_defaults d = *def;
	unsigned char *hex = NULL;
	long long port;
	int have_payload = 0, bad_kind = 0, rc;

	memset(tc, 0, sizeof(*tc));
	tc->pooled = 1;
	tc->line = (int)ts->line;
	tc->kind = PROBE_PEERADDR;

	if (!cfg_is_group(ts)) {
		conf_error(ctx, ts, "a target must be a group { ... }");
		return -1;
	}

	memcpy(label, "in a target", sizeof("in a target"));
	if ((s = cfg_member(ctx->cfg, ts, "name")) == NULL) {
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
			tc->name = conf_pool_dup(ctx->conf, v, strlen(v));
			/* by hand: a million targets, each its label */
			len = strlen(v);
			memcpy(label, "in target \"", 11);
			memcpy(label + 11, v, len);
			memcpy(label + 11 + len, "\"", 2);
		}
	}
	conf_check_keys(ctx, ts, conf_target_keys, label);

	if ((s = cfg_member(ctx->cfg, ts, "host")) == NULL)
		conf_error(ctx, ts, "missing host %s", label);
	else if ((v = conf_string(ctx, s, "host")) != NULL) {
		if (*v == '\0' || strlen(v) > CONF_MAX_HOST || !conf_name_ok(v))
			conf_error(ctx, s, "bad host \"%s\" %s", v, label);
		else
			tc->host = conf_pool_dup(ctx->conf, v, strlen(v));
	}

	if ((s = cfg_member(ctx->cfg, ts, "port")) == NULL)
		conf_error(ctx, ts, "missing port %s", label);
	else if (s->type != CFG_INT &&
	    s->type != CFG_INT64)
		conf_error(ctx, s, "port must be an integer %s", label);
	else if ((port = cfg_int64(s)) < 1 || port > 65535)
		conf_error(ctx, s, "port %lld out of range 1..65535 %s", port,
		    label);
	else
		tc->port = (uint16_t)port;

	if ((s = cfg_member(ctx->cfg, ts, "probe")) != NULL &&
	    (v = conf_string(ctx, s, "probe")) != NULL) {
		if (strcmp(v, "peeraddr") == 0)
			tc->kind = PROBE_PEERADDR;
		else if (strcmp(v, "hello") == 0)
			tc->kind = PROBE_HELLO;
		else {
			bad_kind = 1;
			conf_error(ctx, s, "unknown probe \"%s\" %s "
			    "(known: peeraddr, hello)", v, label);
		}
	}

	/*
	 * The payload: cfg.c already turned \n \r \t \\ \xHH into bytes;
	 * payload_hex is for bytes a string cannot hold (NUL).
	 */
	if ((s = cfg_member(ctx->cfg, ts, "payload")) != NULL &&
	    (v = conf_string(ctx, s, "payload")) != NULL) {
		have_payload = 1;
		payload = v;
		if (strlen(v) > CONF_MAX_PAYLOAD)
			conf_error(ctx, s, "payload longer than %d bytes %s",
			    CONF_MAX_PAYLOAD, label);
	}
	if ((s = cfg_member(ctx->cfg, ts, "payload_hex")) != NULL &&
	    (v = conf_string(ctx, s, "payload_hex")) != NULL) {
		if (have_payload)
			conf_error(ctx, s, "payload and payload_hex together "
			    "%s", label);
		else if ((hex = conf_hex(v, &hexlen)) == NULL)
			conf_error(ctx, s, "payload_hex must be pairs of hex "
			    "digits %s", label);
		else if (hexlen > CONF_MAX_PAYLOAD)
			conf_error(ctx, s, "payload longer than %d bytes %s",
			    CONF_MAX_PAYLOAD, label);
		have_payload = 1;
	}
	if (have_payload && tc->kind != PROBE_HELLO && !bad_kind)
		conf_error(ctx, cfg_member(ctx->cfg, ts, "payload") ?
		    cfg_member(ctx->cfg, ts, "payload") :
		    cfg_member(ctx->cfg, ts, "payload_hex"),
		    "payload is only for probe \"hello\" %s", label);
	if (tc->kind == PROBE_HELLO && hex != NULL) {
		tc->payload = conf_pool_dup(ctx->conf, hex, hexlen);
		tc->payload_len = hexlen;
	} else if (tc->kind == PROBE_HELLO && !have_payload) {
		/* one copy for all the targets that say nothing */
		if (ctx->payload == NULL)
			ctx->payload = conf_pool_dup(ctx->conf, payload,
			    strlen(payload));
		tc->payload = ctx->payload;
		tc->payload_len = strlen(payload);
	} else if (tc->kind == PROBE_HELLO) {
		tc->payload_len = strlen(payload);
		tc->payload = conf_pool_dup(ctx->conf, payload,
		    tc->payload_len);
	}
	free(hex);

	/* what the peer must send back */
	if ((s = cfg_member(ctx->cfg, ts, "expect")) != NULL &&
	    (v = conf_string(ctx, s, "expect")) != NULL) {
		if (*v == '\0')
			conf_error(ctx, s, "expect is empty %s", label);
		else if ((tc->expect = (unsigned char *)strdup(v)) != NULL)
			tc->expect_len = strlen(v);
	}
	if ((s = cfg_member(ctx->cfg, ts, "expect_regex")) != NULL &&
	    (v = conf_string(ctx, s, "expect_regex")) != NULL) {
		if (tc->expect != NULL)
			conf_error(ctx, s, "expect and expect_regex together "
			    "%s", label);
		else if ((tc->regex = malloc(sizeof(regex_t))) != NULL &&
		    (rc = regcomp(tc->regex, v, REG_EXTENDED | REG_NOSUB)) !=
		    0) {
			regerror(rc, tc->regex, rerr, sizeof(rerr));
			conf_error(ctx, s, "expect_regex \"%s\": %s %s", v,
			    rerr, label);
			free(tc->regex);
			tc->regex = NULL;
		} else if (tc->regex != NULL)
			tc->expect_regex = strdup(v);
	}

	conf_shared(ctx, ts, label, &d);
	tc->interval_us = d.interval_us;
	tc->timeout_us = d.timeout_us;
	tc->connect_timeout_us = d.connect_timeout_us;
	tc->jitter_ppm = d.jitter_ppm;
	tc->read_limit = d.read_limit;
	tc->family = d.family;
	tc->addrs = d.addrs;
	tc->close = d.close;
	tc->local_addr = d.local_addr != 0;
	tc->rise = d.rise;
	tc->fall = d.fall;
	tc->flap = d.flap;
	if (tc->connect_timeout_us > tc->timeout_us)
		tc->connect_timeout_us = 0;	/* the whole deadline rules */

	conf_tls(ctx, ts, label, tc);

	if ((s = cfg_member(ctx->cfg, ts, "source")) != NULL &&
	    (v = conf_string(ctx, s, "source")) != NULL) {
		if (sockaddr_parse_numeric(v, 0, &tc->source) == -1)
			conf_error(ctx, s, "source \"%s\" must be an IPv4 or "
			    "IPv6 address %s", v, label);
		else
			tc->has_source = 1;
	}

	if (tc->host != NULL)
		tc->numeric = sockaddr_parse_numeric(tc->host, tc->port,
		    &tc->addr) == 0;
	if (tc->numeric && tc->family != AF_UNSPEC &&
	    tc->addr.sa.sa_family != tc->family)
		conf_error(ctx, cfg_member(ctx->cfg, ts, "host"),
		    "host %s is not of family %s %s", tc->host,
		    family_name(tc->family), label);
	if (tc->numeric && tc->has_source &&
	    tc->addr.sa.sa_family != tc->source.sa.sa_family)
		conf_error(ctx, cfg_member(ctx->cfg, ts, "source"),
		    "source and host are of different families %s", label);

	if ((tc->name == NULL && ctx->errs->n == nerr) ||
	    (tc->host == NULL && ctx->errs->n == nerr) ||
	    (tc->kind == PROBE_HELLO && tc->payload == NULL)) {
		conf_error(ctx, ts, "out of memory");
	}
	return ctx->errs->n == nerr ? 0 : -1;
}

/*
 * Sorting a million names: a key holds the first 8 bytes of the name, big
 * endian, so that most comparisons are one of integers and touch nothing
 * else; the rest of the name, then the line, break ties.
 */
struct conf_key {
	uint64_t		 prefix;
	struct target_conf	*tc;
};

static int
conf_cmp_key(const void *a, const void *b)
{
	const struct conf_key *x = a, *y = b;
	size_t len;
	int r;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	/* equal first 8 bytes: a NUL among them ends both names there */
	len = strnlen(x->tc->name, 8);
	if (len == 8 && (r = strcmp(x->tc->name + 8, y->tc->name + 8)) != 0)
		return r;
	return (x->tc->line > y->tc->line) - (x->tc->line < y->tc->line);
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

/*
 * By name, then line.  Keys are sorted, then the 200-byte confs are put in
 * their places by following the permutation's cycles: no second array of
 * them to allocate and fault in.
 */
static void
conf_sort(struct conf_ctx *ctx, struct conf *c)
{
	struct conf_key *k;
	struct target_conf tmp;
	size_t i, j, n;

	if (c->ntargets < 2)
		return;
	if ((k = calloc(c->ntargets, sizeof(*k))) == NULL) {
		conf_error(ctx, NULL, "out of memory");
		return;
	}
	for (i = 0; i < c->ntargets; i++) {
		k[i].tc = &c->targets[i];
		k[i].prefix = conf_key_prefix(c->targets[i].name);
	}
	qsort(k, c->ntargets, sizeof(*k), conf_cmp_key);
	/* place i takes the conf k[i] points at; placed ones get NULL */
	for (i = 0; i < c->ntargets; i++) {
		if (k[i].tc == NULL || k[i].tc == &c->targets[i])
			continue;
		tmp = c->targets[i];
		for (j = i; ; j = n) {
			n = (size_t)(k[j].tc - c->targets);
			k[j].tc = NULL;
			if (n == i) {
				c->targets[j] = tmp;
				break;
			}
			c->targets[j] = c->targets[n];
		}
	}
	free(k);
}

void
target_conf_free(struct target_conf *tc)
{
	if (!tc->pooled) {
		free(tc->name);
		free(tc->host);
		free(tc->payload);
	}
	free(tc->expect);
	free(tc->expect_regex);
	if (tc->regex != NULL) {
		regfree(tc->regex);
		free(tc->regex);
	}
	if (tc->tls != NULL) {
		tls_conf_free(tc->tls);
		free(tc->tls);
	}
	memset(tc, 0, sizeof(*tc));
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
	conf_pool_free(c);
	for (i = 0; i < c->nnameservers; i++)
		free(c->nameservers[i]);
	free(c->nameservers);
	free(c->path);
	free(c->control_socket);
	free(c->log_level);
	free(c->metrics_listen);
	free(c);
}

/*
 * What a target's group reads besides itself: the defaults, and what
 * decides which targets run and how much they keep.  Equal contexts and
 * equal groups make equal targets (struct conf_reuse).
 */
static uint64_t
conf_context(struct conf_ctx *ctx, const struct conf *c,
    const struct cfg_node *defaults)
{
	uint64_t h = defaults != NULL ? cfg_digest(ctx->cfg, defaults) : 1;

	h = h * 0x9e3779b97f4a7c15ULL + c->history;
	h = h * 0x9e3779b97f4a7c15ULL + c->shard_k;
	return h * 0x9e3779b97f4a7c15ULL + c->shard_n;
}

/*
 * A reload, as the file is read (cfg_read_hook): is this element of the
 * targets list the group of a running target, which stays as it is?  It
 * is taken on the word of the defaults as they were: conf_load_reuse()
 * reads the file again if they changed.  A taken group is dropped from
 * the list (and its memory used again for the next): a million unchanged
 * targets cost the reload a million digests, not a parsed file.
 */
static int
conf_take(void *arg, struct cfg *cfg, const struct cfg_node *ts)
{
	struct conf_ctx *ctx = arg;
	const struct conf_reuse *ru = ctx->reuse;

	if (!cfg_is_group(ts) || cfg_member(cfg, ts, "tls") != NULL ||
	    !ru->take(ru->arg, cfg_digest(cfg, ts), (int)ts->line))
		return 0;
	ctx->conf->nreused++;
	return 1;
}

static void
conf_duplicate(struct conf_ctx *ctx, int line, const char *name, int first)
{
	strlist_add(ctx->errs, "%s:%d: duplicate target name \"%s\" (first "
	    "defined at line %d)", ctx->path, line, name, first);
}

/*
 * c->targets[i..j) have one name, in the order of their lines, and so
 * may a running target that conf_take() took for it, at its own line:
 * each but the first of them is a duplicate.
 */
static void
conf_duplicates(struct conf_ctx *ctx, const struct conf *c, size_t i,
    size_t j)
{
	const char *name = c->targets[i].name;
	int taken = 0, taken_first, first;
	size_t k;

	if (c->nreused > 0)
		taken = ctx->reuse->taken_line(ctx->reuse->arg, name);
	taken_first = taken != 0 && taken < c->targets[i].line;
	first = taken_first ? taken : c->targets[i].line;
	for (k = i; k < j; k++) {
		if (taken != 0 && !taken_first &&
		    taken < c->targets[k].line) {
			conf_duplicate(ctx, taken, name, first);
			taken = 0;
		}
		if (k != i || taken_first)
			conf_duplicate(ctx, c->targets[k].line, name, first);
	}
	if (taken != 0 && !taken_first)
		conf_duplicate(ctx, taken, name, first);
}

static void
conf_nameservers(struct conf_ctx *ctx, const struct cfg_node *list,
    struct conf *c)
{
	const struct cfg_node *s;
	struct sockaddr_storage ss;
	const char *v;
	int i, n, len;

	if (!cfg_is_array(list) && !cfg_is_list(list)) {
		conf_error(ctx, list, "nameservers must be a list of "
		    "\"address[:port]\" strings");
		return;
	}
	n = cfg_length(list);
	if (n == 0)
		return;
	if ((c->nameservers = calloc((size_t)n, sizeof(char *))) == NULL) {
		conf_error(ctx, list, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		s = cfg_elem(ctx->cfg, list, (unsigned)i);
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
conf_parse(struct conf_ctx *ctx, struct conf *c)
{
	const struct cfg_node *root, *s, *list, *ts;
	struct conf_defaults def = {
		.interval_us = (uint64_t)(CONF_DEFAULT_INTERVAL * 1e6),
		.timeout_us = (uint64_t)(CONF_DEFAULT_TIMEOUT * 1e6),
		.read_limit = CONF_DEFAULT_READ_LIMIT,
		.family = AF_UNSPEC,
		.addrs = ADDRS_ANY,
		.close = CLOSE_FIN,
		.rise = CONF_DEFAULT_RISE,
		.fall = CONF_DEFAULT_FALL,
		.flap = CONF_DEFAULT_FLAP,
	};
	const char *v;
	uint64_t digest;
	long long h;
	double x;
	int i, j, n;

	c->dns_timeout_us = (uint64_t)(CONF_DEFAULT_DNS_TIMEOUT * 1e6);
	c->dns_attempts = CONF_DEFAULT_DNS_ATTEMPTS;
	c->dns_cache_max_us = (uint64_t)(CONF_DEFAULT_DNS_CACHE_MAX * 1e6);
	c->events = CONF_DEFAULT_EVENTS;
	conf_count(ctx, cfg_root(ctx->cfg), "events", "", 1,
	    CONF_MAX_EVENTS, &c->events);

	root = cfg_root(ctx->cfg);
	conf_check_keys(ctx, root, conf_top_keys, "at the top level");

	if ((s = cfg_member(ctx->cfg, root, "control_socket")) != NULL &&
	    (v = conf_string(ctx, s, "control_socket")) != NULL) {
		if (*v != '/')
			conf_error(ctx, s, "control_socket must be an "
			    "absolute path");
		else if (strlen(v) >= 108)	/* sizeof(sun_path) */
			conf_error(ctx, s, "control_socket path is too long");
		else
			c->control_socket = strdup(v);
	}
	if ((s = cfg_member(ctx->cfg, root, "log_level")) != NULL &&
	    (v = conf_string(ctx, s, "log_level")) != NULL) {
		if (log_level_parse(v) == -1)
			conf_error(ctx, s, "unknown log_level \"%s\" (known: "
			    "error, warning, notice, info, debug)", v);
		else
			c->log_level = strdup(v);
	}
	if ((s = cfg_member(ctx->cfg, root, "history")) != NULL) {
		if (s->type != CFG_INT &&
		    s->type != CFG_INT64)
			conf_error(ctx, s, "history must be an integer");
		else if ((h = cfg_int64(s)) < 1 ||
		    h > CONF_MAX_HISTORY)
			conf_error(ctx, s, "history %lld out of range 1..%d",
			    h, CONF_MAX_HISTORY);
		else
			c->history = (unsigned)h;
	}
	if ((s = cfg_member(ctx->cfg, root, "max_inflight")) != NULL &&
	    conf_number(ctx, s, "max_inflight", "", &x) == 0) {
		if (x < 0 || x > CONF_MAX_INFLIGHT || x != floor(x))
			conf_error(ctx, s, "max_inflight %g out of range 0..%d "
			    "(0: no limit)", x, CONF_MAX_INFLIGHT);
		else
			c->max_inflight = (unsigned)x;
	}
	if ((s = cfg_member(ctx->cfg, root, "nameservers")) != NULL)
		conf_nameservers(ctx, s, c);
	if ((s = cfg_member(ctx->cfg, root, "metrics_listen")) != NULL &&
	    (v = conf_string(ctx, s, "metrics_listen")) != NULL) {
		struct sockaddr_storage ss;
		int sslen = sizeof(ss);

		if (evutil_parse_sockaddr_port(v, (struct sockaddr *)&ss,
		    &sslen) == -1 || strchr(v, ':') == NULL)
			conf_error(ctx, s, "metrics_listen \"%s\" must be "
			    "address:port, e.g. 127.0.0.1:9464", v);
		else
			c->metrics_listen = strdup(v);
	}
	c->shard_k = c->shard_n = 1;
	if ((s = cfg_member(ctx->cfg, root, "shard")) != NULL &&
	    (v = conf_string(ctx, s, "shard")) != NULL) {
		unsigned sk, sn;
		char extra;

		if (sscanf(v, "%u/%u%c", &sk, &sn, &extra) != 2 || sn == 0 ||
		    sk == 0 || sk > sn || sn > 65536)
			conf_error(ctx, s, "shard \"%s\" must be K/N with "
			    "1 <= K <= N, e.g. \"2/5\"", v);
		else {
			c->shard_k = sk;
			c->shard_n = sn;
		}
	}
	if ((s = cfg_member(ctx->cfg, root, "dns_timeout")) != NULL)
		conf_seconds(ctx, s, "dns_timeout", "", CONF_MIN_INTERVAL,
		    &c->dns_timeout_us);
	if ((s = cfg_member(ctx->cfg, root, "dns_attempts")) != NULL &&
	    conf_number(ctx, s, "dns_attempts", "", &x) == 0) {
		if (x < 1 || x > 10 || x != floor(x))
			conf_error(ctx, s, "dns_attempts %g out of range "
			    "1..10", x);
		else
			c->dns_attempts = (unsigned)x;
	}
	if ((s = cfg_member(ctx->cfg, root, "dns_cache_max")) != NULL &&
	    conf_number(ctx, s, "dns_cache_max", "", &x) == 0) {
		if (x < 0 || x > CONF_MAX_SECONDS)
			conf_error(ctx, s, "dns_cache_max %g out of range "
			    "0..%g seconds (0: no cache)", x,
			    CONF_MAX_SECONDS);
		else
			c->dns_cache_max_us = (uint64_t)llround(x * 1e6);
	}
	if ((s = cfg_member(ctx->cfg, root, "defaults")) != NULL) {
		if (!cfg_is_group(s))
			conf_error(ctx, s, "defaults must be a group { ... }");
		else {
			conf_check_keys(ctx, s, conf_default_keys,
			    "in defaults");
			conf_shared(ctx, s, "in defaults", &def);
		}
	}

	c->context = conf_context(ctx, c, cfg_member(ctx->cfg, root,
	    "defaults"));

	if ((list = cfg_member(ctx->cfg, root, "targets")) == NULL)
		return;
	if (!cfg_is_list(list) && !cfg_is_array(list)) {
		conf_error(ctx, list, "targets must be a list ( {...}, ... )");
		return;
	}
	n = cfg_length(list);
	if (n == 0)
		return;
	if ((c->targets = calloc((size_t)n, sizeof(*c->targets))) == NULL) {
		conf_error(ctx, list, "out of memory for %d targets", n);
		return;
	}
	heap_hint(c->targets, (size_t)n * sizeof(*c->targets));
	for (i = 0; i < n; i++) {
		ts = cfg_elem(ctx->cfg, list, (unsigned)i);
		digest = cfg_is_group(ts) ? cfg_digest(ctx->cfg, ts) : 0;
		if (conf_target(ctx, ts, &def, &c->targets[c->ntargets]) == 0)
			c->targets[c->ntargets++].digest = digest;
		else {
			/* its TLS settings are no longer there to share */
			for (j = 0; j < (int)ctx->ntls; j++)
				if (ctx->tls[j] == c->targets[c->ntargets].tls)
					ctx->tls[j] = ctx->tls[--ctx->ntls];
			target_conf_free(&c->targets[c->ntargets]);
		}
	}

	/*
	 * shard K/N: this instance probes the targets whose name hashes to
	 * K - 1 modulo N, so one file serves every instance of a fleet.
	 * Duplicates are checked over the whole file all the same.
	 */
	/* duplicates: sorted by name then line, each run names its first */
	conf_sort(ctx, c);
	for (i = 0; i < (int)c->ntargets; i = j) {
		for (j = i + 1; j < (int)c->ntargets &&
		    strcmp(c->targets[i].name, c->targets[j].name) == 0; j++)
			;
		conf_duplicates(ctx, c, (size_t)i, (size_t)j);
	}
	if (c->shard_n > 1) {
		for (i = 0, j = 0; i < (int)c->ntargets; i++) {
			if (target_name_hash(c->targets[i].name) % c->shard_n ==
			    c->shard_k - 1)
				c->targets[j++] = c->targets[i];
			else
				target_conf_free(&c->targets[i]);
		}
		c->ntargets = (size_t)j;
	}
}

/*
 * Load and check a config file.  NULL when anything is wrong, with every
 * problem in errs; nothing is half-applied because nothing is applied here.
 */
struct conf *
conf_load(const char *path, struct strlist *errs)
{
	return conf_load_reuse(path, errs, NULL);
}

struct conf *
conf_load_reuse(const char *path, struct strlist *errs,
    const struct conf_reuse *reuse)
{
	struct conf_ctx ctx = { .path = path, .errs = errs, .reuse = reuse };
	struct cfg_hook hook = {
		.list = "targets", .elem = conf_take, .arg = &ctx
	};
	struct cfg_error err;
	struct stat st;
	struct conf *c;
	struct cfg *cfg;
	char *dir, *slash = NULL;
	size_t nerr = errs->n;

	if (stat(path, &st) == -1) {
		strlist_add(errs, "%s: cannot open: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		strlist_add(errs, "%s: cannot open: %s", path,
		    S_ISDIR(st.st_mode) ? strerror(EISDIR) :
		    "not a regular file");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(path)) == NULL ||
	    (dir = strdup(path)) == NULL) {
		if (c != NULL)
			free(c->path);
		free(c);
		strlist_add(errs, "%s: out of memory", path);
		return NULL;
	}
	c->history = CONF_DEFAULT_HISTORY;

	/* @include is relative to the file that includes, not to our cwd */
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	ctx.conf = c;
	cfg = cfg_read_hook(path, slash == NULL ? NULL : *dir ? dir : "/", &err,
	    reuse != NULL && reuse->take != NULL ? &hook : NULL);
	if (cfg == NULL) {
		if (err.line > 0)
			strlist_add(errs, "%s:%d: %s", err.file, err.line,
			    err.text);
		else
			strlist_add(errs, "%s: %s", err.file, err.text);
	} else {
		ctx.cfg = cfg;
		conf_parse(&ctx, c);
		cfg_free(cfg);
	}
	free(ctx.tls);
	free(dir);

	/* groups were taken before the defaults were read, and they changed */
	if (c->nreused > 0 && c->context != reuse->context) {
		reuse->untake(reuse->arg);
		strlist_truncate(errs, nerr);
		conf_free(c);
		return conf_load_reuse(path, errs, NULL);
	}

	if (c->control_socket == NULL && errs->n == nerr &&
	    (c->control_socket = strdup(FUTD_DEFAULT_SOCKET)) == NULL)
		strlist_add(errs, "%s: out of memory", path);
	if (errs->n != nerr) {
		conf_free(c);
		return NULL;
	}
	return c;
}

static int
conf_streq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
conf_memeq(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/*
 * Do two targets probe the same thing the same way?  Every setting counts:
 * a reload keeps a target's history only when nothing about it changed.
 */
int
target_conf_equal(const struct target_conf *a, const struct target_conf *b)
{
	return strcmp(a->name, b->name) == 0 &&
	    strcmp(a->host, b->host) == 0 &&
	    a->port == b->port && a->kind == b->kind &&
	    a->interval_us == b->interval_us &&
	    a->timeout_us == b->timeout_us &&
	    a->connect_timeout_us == b->connect_timeout_us &&
	    a->jitter_ppm == b->jitter_ppm &&
	    a->read_limit == b->read_limit &&
	    a->family == b->family && a->addrs == b->addrs &&
	    a->close == b->close && a->local_addr == b->local_addr &&
	    a->rise == b->rise && a->fall == b->fall && a->flap == b->flap &&
	    a->has_source == b->has_source &&
	    (!a->has_source ||
	    memcmp(&a->source, &b->source, sizeof(a->source)) == 0) &&
	    conf_memeq(a->payload, a->payload_len, b->payload,
	    b->payload_len) &&
	    conf_memeq(a->expect, a->expect_len, b->expect, b->expect_len) &&
	    conf_streq(a->expect_regex, b->expect_regex) &&
	    (a->tls == NULL) == (b->tls == NULL) &&
	    (a->tls == NULL || tls_conf_equal(a->tls, b->tls));
}
