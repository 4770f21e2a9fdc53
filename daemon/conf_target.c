/*
 * conf_target.c - a target's group, and the defaults it starts from, into
 * a struct target_conf.  Runs on whichever thread reads the file: it
 * touches nothing but its struct conf_ctx and what it makes.
 */
#include <sys/socket.h>

#include <math.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"
#include "net.h"
#include "results.h"
#include "step.h"
#include "target_conf.h"
#include "tls.h"

#define CONF_MAX_NAME		128
#define CONF_DEFAULT_PAYLOAD	"hello world"

static const enum conf_key conf_tls_keys[] = {
	K_SNI, K_ALPN, K_VERIFY, K_CA_FILE, K_MIN_VERSION, K_CERT_WARN_DAYS, K_CERT_CRIT_DAYS, K_STARTTLS
};

#define CONF_MAX_UNKNOWN	16	/* told of a group; the rest are too */

/* A group's settings by key: what conf_gather found in it. */
struct conf_group {
	const config_setting_t	*self;
	const config_setting_t	*key[K__MAX];
	const config_setting_t	*unknown[CONF_MAX_UNKNOWN];
	unsigned		 nunknown;
};

static int
conf_cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/*
 * The members of s by key, in one pass (libconfig's lookup of a member by
 * name parses a path: a cost a million targets would pay thirty times
 * each); a key not in allowed is kept aside for conf_unknown().
 */
static void
conf_gather(const config_setting_t *s, uint64_t allowed, struct conf_group *g)
{
	const config_setting_t *m;
	const char *name, *const *k;
	unsigned i;

	memset(g, 0, sizeof(*g));
	g->self = s;
	for (i = 0; (m = config_setting_get_elem(s, i)) != NULL; i++) {
		if ((name = config_setting_name(m)) == NULL)
			continue;
		k = bsearch(name, conf_target_keys, K__MAX,
		    sizeof(*conf_target_keys), conf_cmp_name);
		if (k != NULL && (allowed & CONF_KEY(k - conf_target_keys)))
			g->key[k - conf_target_keys] = m;
		else if (g->nunknown < CONF_MAX_UNKNOWN)
			g->unknown[g->nunknown++] = m;
	}
}

static void
conf_unknown(struct conf_ctx *ctx, const struct conf_group *g,
    enum conf_place p, const char *where)
{
	unsigned i;

	for (i = 0; i < g->nunknown; i++)
		conf_unknown_key(ctx, g->unknown[i], p, where);
}

void
conf_defaults_init(struct conf_defaults *d)
{
	memset(d, 0, sizeof(*d));	/* compared whole: no stray padding */
	d->interval_us = conf_range_us(CR_INTERVAL);
	d->timeout_us = conf_range_us(CR_TIMEOUT);
	d->connect_timeout_us = conf_range_us(CR_CONNECT_TIMEOUT);
	d->jitter_ppm = (uint32_t)(conf_ranges[CR_JITTER].dflt * 1e4);
	d->read_limit = (uint32_t)conf_ranges[CR_READ_LIMIT].dflt;
	d->family = AF_UNSPEC;
	d->addrs = ADDRS_ANY;
	d->close = CLOSE_FIN;
	d->rise = (unsigned)conf_ranges[CR_RISE].dflt;
	d->fall = (unsigned)conf_ranges[CR_FALL].dflt;
	d->flap = (unsigned)conf_ranges[CR_FLAP_THRESHOLD].dflt;
}

static void
conf_words(struct conf_ctx *ctx, const struct conf_group *g,
    const char *label, struct conf_defaults *d)
{
	static const char *const families[] = { "any", "ipv4", "ipv6" };
	static const int family_values[] = { AF_UNSPEC, AF_INET, AF_INET6 };
	static const char *const addrs[] = { "any", "first", "each" };
	static const char *const closes[] = { "fin", "rst" };
	const config_setting_t *s;
	int i;

	if ((s = g->key[K_FAMILY]) != NULL &&
	    (i = conf_word(ctx, s, "family", label, families, 3)) != -1)
		d->family = family_values[i];
	if ((s = g->key[K_ADDRESSES]) != NULL &&
	    (i = conf_word(ctx, s, "addresses", label, addrs, 3)) != -1)
		d->addrs = i;	/* enum addr_mode's order */
	if ((s = g->key[K_CLOSE]) != NULL &&
	    (i = conf_word(ctx, s, "close", label, closes, 2)) != -1)
		d->close = i;	/* enum close_mode's order */
	/* getsockname() is a syscall a probe pays only when asked for */
	if ((s = g->key[K_LOCAL_ADDRESS]) != NULL)
		conf_bool(ctx, s, "local_address", label, &d->local_addr);
}

/*
 * The settings a target shares with `defaults`: read from group g into d.
 * label says where ("in target \"x\"", "in defaults").
 */
static void
conf_shared(struct conf_ctx *ctx, const struct conf_group *g,
    const char *label, struct conf_defaults *d)
{
	const struct conf_range *jitter = &conf_ranges[CR_JITTER];
	const struct conf_range *limit = &conf_ranges[CR_READ_LIMIT];
	const config_setting_t *s;
	const char *sep = *label ? " " : "";
	double v;

	if ((s = g->key[K_INTERVAL]) != NULL)
		conf_seconds(ctx, s, CR_INTERVAL, label, &d->interval_us);
	if ((s = g->key[K_LABELS]) != NULL)
		conf_labels(ctx, s, label, d);
	if ((s = g->key[K_TIMEOUT]) != NULL)
		conf_seconds(ctx, s, CR_TIMEOUT, label, &d->timeout_us);
	if ((s = g->key[K_CONNECT_TIMEOUT]) != NULL)
		conf_seconds(ctx, s, CR_CONNECT_TIMEOUT, label,
		    &d->connect_timeout_us);
	if ((s = g->key[K_JITTER]) != NULL &&
	    conf_number(ctx, s, jitter->key, label, &v) == 0) {
		if (v < jitter->min || v > jitter->max)
			conf_error(ctx, s, "jitter %g%% out of range %g..%g%s%s",
			    v, jitter->min, jitter->max, sep, label);
		else
			d->jitter_ppm = (uint32_t)llround(v * 1e4);
	}
	if ((s = g->key[K_READ_LIMIT]) != NULL &&
	    conf_number(ctx, s, limit->key, label, &v) == 0) {
		if (v < limit->min || v > limit->max || v != floor(v))
			conf_error(ctx, s, "read_limit %g out of range "
			    "%.0f..%.0f bytes%s%s", v, limit->min, limit->max,
			    sep, label);
		else
			d->read_limit = (uint32_t)v;
	}
	conf_count(ctx, g->key[K_RISE], CR_RISE, label, &d->rise);
	conf_count(ctx, g->key[K_FALL], CR_FALL, label, &d->fall);
	conf_count(ctx, g->key[K_FLAP_THRESHOLD], CR_FLAP_THRESHOLD, label,
	    &d->flap);
	conf_words(ctx, g, label, d);
}

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

/* ["h2", "http/1.1"] in the wire format: length, bytes */
static void
conf_alpn(struct conf_ctx *ctx, const config_setting_t *s, const char *label,
    struct tls_conf *tl)
{
	const config_setting_t *e;
	const char *v;
	size_t off = 0, n = (size_t)config_setting_length(s), len;
	unsigned i;

	if (!conf_is_list(s)) {
		conf_error(ctx, s, "alpn must be a list of strings %s", label);
		return;
	}
	if ((tl->alpn = malloc(n * 256)) == NULL ||
	    (tl->alpn_text = calloc(1, n * 256 + 1)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if ((v = conf_string(ctx, e, "an alpn name")) == NULL)
			continue;
		if (*v == '\0' || (len = strlen(v)) > 255) {
			conf_error(ctx, e, "alpn name must be 1..255 bytes %s",
			    label);
			continue;
		}
		tl->alpn[off++] = (unsigned char)len;
		memcpy(tl->alpn + off, v, len);
		off += len;
		strcat(tl->alpn_text, i ? "," : "");
		strcat(tl->alpn_text, v);
	}
	tl->alpn_len = off;
}

static void
conf_tls_settings(struct conf_ctx *ctx, const struct conf_group *g,
    const char *label, struct tls_conf *tl)
{
	static const char *const starttls_words[] = {
		"smtp", "imap", "pop3", "postgres", "ftp", "xmpp"
	};
	static const char *const versions[] = { "1.2", "1.3" };
	const config_setting_t *s;
	const char *v;
	char why[256];
	unsigned days;
	int i;

	if ((s = g->key[K_SNI]) != NULL &&
	    (v = conf_string(ctx, s, "sni")) != NULL) {
		if (conf_host_check(v, 0, why, sizeof(why)) != 0)
			conf_error(ctx, s, "bad sni \"%s\" %s: %s", v, label,
			    why);
		else
			tl->sni = strdup(v);
	}
	if ((s = g->key[K_VERIFY]) != NULL)
		conf_bool(ctx, s, "verify", label, &tl->verify);
	if ((s = g->key[K_CA_FILE]) != NULL &&
	    (v = conf_string(ctx, s, "ca_file")) != NULL &&
	    (tl->ca_file = conf_path(ctx, v)) == NULL)
		conf_error(ctx, s, "out of memory %s", label);
	if ((s = g->key[K_MIN_VERSION]) != NULL &&
	    (i = conf_word(ctx, s, "min_version", label, versions, 2)) != -1)
		tl->min_version = i == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
	if ((s = g->key[K_STARTTLS]) != NULL &&
	    (i = conf_word(ctx, s, "starttls", label, starttls_words,
	    sizeof(starttls_words) / sizeof(starttls_words[0]))) != -1)
		tl->starttls = (enum starttls_kind)(i + 1);
	days = (unsigned)tl->warn_days;
	conf_count(ctx, g->key[K_CERT_WARN_DAYS], CR_CERT_WARN_DAYS, label,
	    &days);
	tl->warn_days = (int)days;
	days = (unsigned)tl->crit_days;
	conf_count(ctx, g->key[K_CERT_CRIT_DAYS], CR_CERT_CRIT_DAYS, label,
	    &days);
	tl->crit_days = (int)days;
	/* (0: no warning at all, which is no contradiction) */
	if (tl->warn_days > 0 && tl->crit_days > tl->warn_days &&
	    (s = g->key[K_CERT_CRIT_DAYS] != NULL ? g->key[K_CERT_CRIT_DAYS] :
	    g->key[K_CERT_WARN_DAYS]) != NULL)
		conf_error(ctx, s, "cert_crit_days %d is more than "
		    "cert_warn_days %d %s: the warning could never show; make "
		    "cert_warn_days larger, or 0 for no warning", tl->crit_days,
		    tl->warn_days, label);
	if ((s = g->key[K_ALPN]) != NULL)
		conf_alpn(ctx, s, label, tl);
}

/*
 * TLS: `tls = true` and its settings.  The SSL_CTX is built here, so that a
 * ca_file that cannot be read is an error with its line.
 */
static void
conf_tls(struct conf_ctx *ctx, const struct conf_group *g, const char *label,
    struct target_conf *tc)
{
	const config_setting_t *s;
	struct tls_conf *tl;
	char err[256];
	size_t k, nerr = ctx->errs->n;
	int on = 0, rc;

	if ((s = g->key[K_TLS]) != NULL)
		conf_bool(ctx, s, "tls", label, &on);
	if (!on) {
		for (k = 0; k < sizeof(conf_tls_keys) /
		    sizeof(conf_tls_keys[0]); k++)
			if ((s = g->key[conf_tls_keys[k]]) != NULL)
				conf_error(ctx, s, "%s needs tls = true %s",
				    conf_target_keys[conf_tls_keys[k]], label);
		return;
	}
	if ((tl = calloc(1, sizeof(*tl))) == NULL) {
		conf_error(ctx, g->self, "out of memory %s", label);
		return;
	}
	tc->tls = tl;
	tl->verify = 1;
	tl->warn_days = (int)conf_ranges[CR_CERT_WARN_DAYS].dflt;
	tl->crit_days = (int)conf_ranges[CR_CERT_CRIT_DAYS].dflt;
	conf_tls_settings(ctx, g, label, tl);
	if (ctx->errs->n == nerr && conf_tls_share(ctx, tl) == -1 &&
	    (rc = tls_conf_ctx(tl, err, sizeof(err))) < 0)
		conf_error(ctx, rc == -2 && g->key[K_CA_FILE] != NULL ?
		    g->key[K_CA_FILE] : g->key[K_TLS], "%s %s", err, label);
}

/* name: required, unique (conf.c checks), no blanks; label names it */
static void
conf_target_name(struct conf_ctx *ctx, const struct conf_group *g,
    struct target_conf *tc, char *label, size_t labelsize)
{
	const config_setting_t *s;
	const char *v;

	snprintf(label, labelsize, "in a target");
	if ((s = g->key[K_NAME]) == NULL) {
		conf_error(ctx, g->self, "target has no name");
		return;
	}
	if ((v = conf_string(ctx, s, "name")) == NULL)
		return;
	if (*v == '\0')
		conf_error(ctx, s, "target name is empty");
	else if (strlen(v) > CONF_MAX_NAME)
		conf_error(ctx, s, "target name is longer than %d characters",
		    CONF_MAX_NAME);
	else if (!conf_name_ok(v))
		conf_error(ctx, s, "target name \"%s\" has spaces or control "
		    "characters", v);
	else {
		tc->name = conf_pool_dup(&ctx->pool, v, strlen(v));
		snprintf(label, labelsize, "in target \"%s\"", v);
	}
}

/* host, port, probe */
static void
conf_target_where(struct conf_ctx *ctx, const struct conf_group *g,
    const char *label, struct target_conf *tc)
{
	const struct conf_range *r = &conf_ranges[CR_PORT];
	const config_setting_t *s;
	const char *v;
	char why[256];
	long long port;
	int t, rc = 0;

	if ((s = g->key[K_HOST]) == NULL)
		conf_error(ctx, g->self, "missing host %s", label);
	else if ((v = conf_string(ctx, s, "host")) != NULL) {
		if ((rc = conf_host_check(v, 1, why, sizeof(why))) != 0)
			conf_error(ctx, s, "bad host \"%s\" %s: %s", v, label,
			    why);
		else
			tc->host = conf_pool_dup(&ctx->pool, v, strlen(v));
	}
	if ((s = g->key[K_PORT]) == NULL) {
		/* a port written in host: its message said where it goes */
		if (rc != -2)
			conf_error(ctx, g->self, "missing port %s", label);
	} else if ((t = config_setting_type(s)) != CONFIG_TYPE_INT &&
	    t != CONFIG_TYPE_INT64)
		conf_error(ctx, s, "port must be an integer %s", label);
	else if ((port = config_setting_get_int64(s)) < r->min ||
	    port > r->max)
		conf_error(ctx, s, "port %lld out of range %.0f..%.0f %s", port,
		    r->min, r->max, label);
	else
		tc->port = (uint16_t)port;
}

/* -1: the probe named is unknown (reported) */
static int
conf_target_kind(struct conf_ctx *ctx, const struct conf_group *g,
    const char *label, struct target_conf *tc)
{
	const config_setting_t *s;
	const char *v;

	tc->kind = g->key[K_STEPS] != NULL ? PROBE_STEPS : PROBE_PEERADDR;
	if ((s = g->key[K_PROBE]) == NULL ||
	    (v = conf_string(ctx, s, "probe")) == NULL)
		return 0;
	if (strcmp(v, "steps") == 0 && g->key[K_STEPS] == NULL) {
		conf_error(ctx, s, "probe \"steps\" %s needs steps = "
		    "( { ... }, ... )", label);
		return -1;
	}
	if (strcmp(v, "steps") == 0)
		return 0;
	if (g->key[K_STEPS] != NULL && (strcmp(v, "peeraddr") == 0 ||
	    strcmp(v, "hello") == 0)) {
		conf_error(ctx, s, "probe \"%s\" and steps together %s: steps "
		    "make a probe of their own; leave probe out", v, label);
		return -1;
	}
	if (strcmp(v, "peeraddr") == 0)
		tc->kind = PROBE_PEERADDR;
	else if (strcmp(v, "hello") == 0)
		tc->kind = PROBE_HELLO;
	else {
		conf_error(ctx, s, "unknown probe \"%s\" %s (known: peeraddr, "
		    "hello, steps)", v, label);
		return -1;
	}
	return 0;
}

/*
 * The payload: libconfig already turned \n \r \t \\ \xHH into bytes;
 * payload_hex is for bytes a string cannot hold (NUL).
 */
static void
conf_target_payload(struct conf_ctx *ctx, const struct conf_group *g,
    const char *label, int bad_kind, struct target_conf *tc)
{
	const config_setting_t *s, *sp, *sh;
	const char *v, *payload = CONF_DEFAULT_PAYLOAD;
	unsigned char *hex = NULL;
	size_t hexlen = 0;

	if ((sp = s = g->key[K_PAYLOAD]) != NULL &&
	    (v = conf_string(ctx, s, "payload")) != NULL) {
		payload = v;
		if (strlen(v) > CONF_MAX_PAYLOAD)
			conf_error(ctx, s, "payload longer than %d bytes %s",
			    CONF_MAX_PAYLOAD, label);
	}
	if ((sh = s = g->key[K_PAYLOAD_HEX]) != NULL &&
	    (v = conf_string(ctx, s, "payload_hex")) != NULL) {
		if (sp != NULL)
			conf_error(ctx, s, "payload and payload_hex together "
			    "%s", label);
		else if ((hex = conf_hex(v, &hexlen)) == NULL)
			conf_error(ctx, s, "payload_hex must be pairs of hex "
			    "digits %s", label);
		else if (hexlen > CONF_MAX_PAYLOAD)
			conf_error(ctx, s, "payload longer than %d bytes %s",
			    CONF_MAX_PAYLOAD, label);
	}
	/* with steps, conf_target_steps says what to do instead */
	if ((sp != NULL || sh != NULL) && tc->kind != PROBE_HELLO &&
	    tc->kind != PROBE_STEPS && !bad_kind)
		conf_error(ctx, sp != NULL ? sp : sh, "%s is only for probe "
		    "\"hello\" %s", sp != NULL ? "payload" : "payload_hex",
		    label);
	if (tc->kind != PROBE_HELLO) {
		free(hex);
		return;
	}
	if (hex != NULL) {
		tc->payload = conf_pool_dup(&ctx->pool, hex, hexlen);
		tc->payload_len = hexlen;
	} else if (sp == NULL && sh == NULL) {
		/* one copy for all the targets that say nothing */
		if (ctx->payload == NULL)
			ctx->payload = conf_pool_dup(&ctx->pool, payload,
			    strlen(payload));
		tc->payload = ctx->payload;
		tc->payload_len = strlen(payload);
	} else {
		tc->payload_len = strlen(payload);
		tc->payload = conf_pool_dup(&ctx->pool, payload,
		    tc->payload_len);
	}
	free(hex);
}

/*
 * What the peer must send back: the words as written (shown, compared);
 * the pattern the probe looks for is its step's (conf_target_steps).
 */
static void
conf_target_expect(struct conf_ctx *ctx, const struct conf_group *g,
    const char *label, struct target_conf *tc)
{
	const config_setting_t *s;
	const char *v;

	if ((s = g->key[K_EXPECT]) != NULL &&
	    (v = conf_string(ctx, s, "expect")) != NULL) {
		if (*v == '\0')
			conf_error(ctx, s, "expect is empty %s", label);
		else if ((tc->expect = (unsigned char *)strdup(v)) != NULL)
			tc->expect_len = strlen(v);
	}
	if ((s = g->key[K_EXPECT_REGEX]) == NULL ||
	    (v = conf_string(ctx, s, "expect_regex")) == NULL)
		return;
	if (tc->expect != NULL)
		conf_error(ctx, s, "expect and expect_regex together %s",
		    label);
	else
		tc->expect_regex = strdup(v);
}

/*
 * The steps: `steps` as written, or what the shorthands stand for.  Last:
 * they read the target's TLS settings, timeout and read_limit.
 */
static void
conf_target_steps(struct conf_ctx *ctx, const struct conf_group *g,
    const char *label, struct target_conf *tc)
{
	static const enum conf_key alone[] = {
		K_PAYLOAD, K_PAYLOAD_HEX, K_EXPECT, K_EXPECT_REGEX
	};
	const config_setting_t *s;
	size_t i;

	if ((s = g->key[K_STEPS]) == NULL) {
		tc->steps = conf_steps_shorthand(ctx, g->key[K_EXPECT_REGEX] !=
		    NULL ? g->key[K_EXPECT_REGEX] : g->self, label, tc);
		return;
	}
	for (i = 0; i < sizeof(alone) / sizeof(alone[0]); i++)
		if (g->key[alone[i]] != NULL) {
			conf_error(ctx, g->key[alone[i]], "%s and steps "
			    "together %s: with steps, make it a step (%s)",
			    conf_target_keys[alone[i]], label,
			    alone[i] == K_PAYLOAD ? "send" :
			    alone[i] == K_PAYLOAD_HEX ? "send_hex" :
			    conf_target_keys[alone[i]]);
			return;
		}
	tc->steps = conf_steps_read(ctx, s, label, tc);
}

static void
conf_target_defaults(const struct conf_defaults *d, struct target_conf *tc)
{
	tc->interval_us = d->interval_us;
	tc->timeout_us = d->timeout_us;
	tc->connect_timeout_us = d->connect_timeout_us;
	tc->jitter_ppm = d->jitter_ppm;
	tc->read_limit = d->read_limit;
	tc->family = (uint16_t)d->family;
	tc->addrs = (uint8_t)d->addrs;
	tc->close = (uint8_t)d->close;
	tc->local_addr = d->local_addr != 0;
	tc->rise = (uint8_t)d->rise;
	tc->fall = (uint8_t)d->fall;
	tc->flap = (uint8_t)d->flap;
	tc->labels = (char *)(uintptr_t)d->labels;	/* pooled */
	tc->labels_len = d->labels_len;
	if (tc->connect_timeout_us > tc->timeout_us)
		tc->connect_timeout_us = 0;	/* the whole deadline rules */
}

/* source, and whether host and source agree with family and each other */
static void
conf_target_addrs(struct conf_ctx *ctx, const struct conf_group *g,
    const char *label, struct target_conf *tc)
{
	const config_setting_t *s;
	const char *v = NULL;

	if ((s = g->key[K_SOURCE]) != NULL &&
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
		conf_error(ctx, g->key[K_HOST],
		    "host %s is not of family %s %s", tc->host,
		    family_name(tc->family), label);
	if (tc->numeric && tc->has_source &&
	    tc->addr.sa.sa_family != tc->source.sa.sa_family)
		conf_error(ctx, s, "source and host are of different families "
		    "%s", label);
	/*
	 * A name's addresses of the other family are left out by family,
	 * those of the source's by the source: none would be left, and every
	 * probe would fail as "Address family not supported".
	 */
	if (!tc->numeric && tc->has_source && tc->family != AF_UNSPEC &&
	    tc->source.sa.sa_family != tc->family)
		conf_error(ctx, s, "source %s is not of family %s %s: no "
		    "address could be probed from it", v, family_name(
		    tc->family), label);
}

/* One target's group into tc: 0, or -1 with its problems reported. */
static int
conf_target(struct conf_ctx *ctx, const config_setting_t *ts,
    const struct conf_defaults *def, struct target_conf *tc)
{
	struct conf_defaults d = *def;
	struct conf_group g;
	char label[CONF_MAX_NAME + 16];
	size_t nerr = ctx->errs->n;
	int bad_kind;

	memset(tc, 0, sizeof(*tc));
	tc->pooled = 1;
	tc->line = (int)config_setting_source_line(ts);
	tc->file = ctx->file;
	if (!config_setting_is_group(ts)) {
		conf_error(ctx, ts, "a target must be a group { ... }");
		return -1;
	}
	conf_gather(ts, ~0ULL, &g);
	conf_target_name(ctx, &g, tc, label, sizeof(label));
	conf_unknown(ctx, &g, CONF_PLACE_TARGET, label);
	conf_target_where(ctx, &g, label, tc);
	bad_kind = conf_target_kind(ctx, &g, label, tc) == -1;
	conf_target_payload(ctx, &g, label, bad_kind, tc);
	conf_target_expect(ctx, &g, label, tc);
	conf_shared(ctx, &g, label, &d);
	conf_target_defaults(&d, tc);
	conf_tls(ctx, &g, label, tc);
	conf_target_addrs(ctx, &g, label, tc);
	conf_target_steps(ctx, &g, label, tc);
	if (ctx->errs->n == nerr && (tc->name == NULL || tc->host == NULL ||
	    (tc->kind == PROBE_HELLO && tc->payload == NULL)))
		conf_error(ctx, ts, "out of memory");
	return ctx->errs->n == nerr ? 0 : -1;
}

/* A `targets` list into part: the good ones; the others are reported. */
void
conf_targets(struct conf_ctx *ctx, const config_setting_t *list,
    const struct conf_defaults *def, struct conf_part *part)
{
	struct target_conf *tc;
	size_t j;
	int i, n;

	if (!conf_is_list(list)) {
		conf_error(ctx, list, "targets must be a list ( {...}, ... )");
		return;
	}
	if ((n = config_setting_length(list)) == 0)
		return;
	if ((part->targets = calloc((size_t)n, sizeof(*tc))) == NULL) {
		conf_error(ctx, list, "out of memory for %d targets", n);
		return;
	}
	for (i = 0; i < n; i++) {
		tc = &part->targets[part->ntargets];
		if (conf_target(ctx, config_setting_get_elem(list,
		    (unsigned)i), def, tc) == 0) {
			part->ntargets++;
			continue;
		}
		/* its TLS settings are no longer there to share */
		for (j = 0; j < ctx->ntls; j++)
			if (ctx->tls[j] == tc->tls)
				ctx->tls[j] = ctx->tls[--ctx->ntls];
		target_conf_free(tc);
	}
}

/* the defaults' keys, for conf.c and conf_dir.c */
void
conf_read_defaults(struct conf_ctx *ctx, const config_setting_t *s,
    struct conf_defaults *d)
{
	struct conf_group g;

	if (!config_setting_is_group(s)) {
		conf_error(ctx, s, "defaults must be a group { ... }");
		return;
	}
	conf_gather(s, conf_defaults_keys, &g);
	conf_unknown(ctx, &g, CONF_PLACE_DEFAULTS, "in defaults");
	conf_shared(ctx, &g, "in defaults", d);
}
