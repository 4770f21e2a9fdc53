/*
 * conf_steps.c - a target's `steps = ( { ... }, ... )`, and the steps its
 * shorthands stand for: `expect` or `expect_regex` after the payload, and
 * the dialogues of `starttls`, each a built-in list of steps.
 *
 * A step does one thing (send, send_hex, expect, expect_regex, expect_hex
 * or tls); reject, reject_regex, reject_hex and read_limit go with an
 * expect, timeout with any.  The TLS handshake is where the tls step is;
 * a target with tls = true and no tls step has it first, as before steps.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"
#include "step.h"
#include "target_conf.h"
#include "tls.h"

/* the actions: a step has exactly one */
static const enum conf_step_key conf_step_actions[] = {
	SK_SEND, SK_SEND_HEX, SK_EXPECT, SK_EXPECT_REGEX, SK_EXPECT_HEX, SK_TLS
};

/* a step's settings by key */
struct conf_step_group {
	const config_setting_t	*key[SK__MAX];
	unsigned		 nunknown;
};

/*
 * The dialogues before STARTTLS's handshake.  A reply is matched whole
 * line by whole line: "(^|\n)" starts a line, "[^\n]*\n" takes the rest
 * of it, so that SMTP's "250-" continuation lines are read past and what
 * is left for the next step starts at a line.
 */
#define LINE_END	"[^\n]*\n"
#define REPLY_45X	"(^|\n)[45][0-9][0-9][ -]"

struct conf_preset_step {
	uint8_t		 kind;
	const char	*send;
	size_t		 send_len;	/* 0: strlen(send) */
	const char	*send_after;	/* send, the host, this (xmpp) */
	const char	*expect;	/* regex */
	const char	*reject;	/* regex, or NULL */
};

static const struct conf_preset_step conf_preset_smtp[] = {
	{ STEP_EXPECT, NULL, 0, NULL, "(^|\n)220 " LINE_END, REPLY_45X },
	{ STEP_SEND, "EHLO futd.invalid\r\n", 0, NULL, NULL, NULL },
	{ STEP_EXPECT, NULL, 0, NULL, "(^|\n)250 " LINE_END, REPLY_45X },
	{ STEP_SEND, "STARTTLS\r\n", 0, NULL, NULL, NULL },
	{ STEP_EXPECT, NULL, 0, NULL, "(^|\n)220 " LINE_END, REPLY_45X },
	{ STEP_TLS, NULL, 0, NULL, NULL, NULL },
};
static const struct conf_preset_step conf_preset_imap[] = {
	{ STEP_EXPECT, NULL, 0, NULL, "(^|\n)\\* OK" LINE_END,
	    "(^|\n)\\* (BYE|NO|BAD)" },
	{ STEP_SEND, "a001 STARTTLS\r\n", 0, NULL, NULL, NULL },
	{ STEP_EXPECT, NULL, 0, NULL, "(^|\n)a001 OK" LINE_END,
	    "(^|\n)a001 (NO|BAD)" },
	{ STEP_TLS, NULL, 0, NULL, NULL, NULL },
};
static const struct conf_preset_step conf_preset_pop3[] = {
	{ STEP_EXPECT, NULL, 0, NULL, "(^|\n)\\+OK" LINE_END, "(^|\n)-ERR" },
	{ STEP_SEND, "STLS\r\n", 0, NULL, NULL, NULL },
	{ STEP_EXPECT, NULL, 0, NULL, "(^|\n)\\+OK" LINE_END, "(^|\n)-ERR" },
	{ STEP_TLS, NULL, 0, NULL, NULL, NULL },
};
/* PostgreSQL's SSLRequest: length 8, code 80877103; 'S' yes, 'N' no */
static const struct conf_preset_step conf_preset_postgres[] = {
	{ STEP_SEND, "\x00\x00\x00\x08\x04\xd2\x16\x2f", 8, NULL, NULL,
	    NULL },
	{ STEP_EXPECT, NULL, 0, NULL, "^S", "^[NE]" },
	{ STEP_TLS, NULL, 0, NULL, NULL, NULL },
};
static const struct conf_preset_step conf_preset_ftp[] = {
	{ STEP_EXPECT, NULL, 0, NULL, "(^|\n)220 " LINE_END, REPLY_45X },
	{ STEP_SEND, "AUTH TLS\r\n", 0, NULL, NULL, NULL },
	{ STEP_EXPECT, NULL, 0, NULL, "(^|\n)234 " LINE_END, REPLY_45X },
	{ STEP_TLS, NULL, 0, NULL, NULL, NULL },
};
/* RFC 6120: the stream's features must offer starttls; then <proceed/> */
static const struct conf_preset_step conf_preset_xmpp[] = {
	{ STEP_SEND, "<?xml version='1.0'?><stream:stream to='", 0,
	    "' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/"
	    "streams' version='1.0'>", NULL, NULL },
	{ STEP_EXPECT, NULL, 0, NULL,
	    "<starttls[^>]*urn:ietf:params:xml:ns:xmpp-tls",
	    "</stream:features>|<stream:error" },
	{ STEP_SEND, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 0,
	    NULL, NULL, NULL },
	{ STEP_EXPECT, NULL, 0, NULL, "<proceed[^>]*>",
	    "<failure|<stream:error" },
	{ STEP_TLS, NULL, 0, NULL, NULL, NULL },
};

static const struct conf_preset_step *
conf_preset(enum starttls_kind k, size_t *n)
{
#define PRESET(a)	(*n = sizeof(a) / sizeof(a[0]), a)
	switch (k) {
	case STARTTLS_SMTP:
		return PRESET(conf_preset_smtp);
	case STARTTLS_IMAP:
		return PRESET(conf_preset_imap);
	case STARTTLS_POP3:
		return PRESET(conf_preset_pop3);
	case STARTTLS_POSTGRES:
		return PRESET(conf_preset_postgres);
	case STARTTLS_FTP:
		return PRESET(conf_preset_ftp);
	case STARTTLS_XMPP:
		return PRESET(conf_preset_xmpp);
	default:
		*n = 0;
		return NULL;
	}
#undef PRESET
}

/* One preset step into st; the host for xmpp's stream.  -1: no memory. */
static int
conf_preset_step(const struct conf_preset_step *ps, const char *host,
    struct step *st)
{
	char err[128];
	int n;

	st->kind = ps->kind;
	st->origin = STEP_FROM_STARTTLS;
	if (ps->send != NULL) {
		if (ps->send_len > 0) {
			if ((st->data = malloc(ps->send_len)) == NULL)
				return -1;
			memcpy(st->data, ps->send, ps->send_len);
			st->len = ps->send_len;
			st->hex = 1;
		} else {
			if ((n = asprintf((char **)&st->data, "%s%s%s",
			    ps->send, ps->send_after != NULL ? host : "",
			    ps->send_after != NULL ? ps->send_after : "")) <
			    0) {
				st->data = NULL;
				return -1;
			}
			st->len = (size_t)n;
		}
	}
	if (ps->expect != NULL && step_pattern_set(&st->expect, NULL, 0,
	    ps->expect, 0, err, sizeof(err)) == -1)
		return -1;
	if (ps->reject != NULL && step_pattern_set(&st->reject, NULL, 0,
	    ps->reject, 0, err, sizeof(err)) == -1)
		return -1;
	return 0;
}

static unsigned
conf_steps_count_shorthand(const struct target_conf *tc, size_t npreset)
{
	return (unsigned)npreset + (tc->kind == PROBE_HELLO) +
	    (tc->expect != NULL || tc->expect_regex != NULL);
}

/* the largest read_limit of ss's expects, the target's read_limit their default */
static void
conf_steps_read_max(struct steps *ss, uint32_t dflt)
{
	uint32_t lim;
	unsigned i;

	ss->read_max = 0;
	for (i = 0; i < ss->n; i++) {
		if (ss->s[i].kind == STEP_TLS)
			ss->has_tls = 1;
		if (ss->s[i].kind != STEP_EXPECT)
			continue;
		lim = ss->s[i].read_limit != 0 ? ss->s[i].read_limit : dflt;
		if (lim > ss->read_max)
			ss->read_max = lim;
	}
}

/*
 * The preset of starttls into ss's first steps: their count, -1 when out
 * of memory.
 */
static int
conf_steps_preset(struct steps *ss, const struct target_conf *tc)
{
	const struct conf_preset_step *ps;
	const char *host;
	size_t i, n;

	if (tc->tls == NULL || (ps = conf_preset(tc->tls->starttls, &n)) ==
	    NULL)
		return 0;
	host = tc->tls->sni != NULL ? tc->tls->sni : tc->host;
	for (i = 0; i < n; i++)
		if (conf_preset_step(&ps[i], host, &ss->s[i]) == -1)
			return -1;
	ss->preset = (uint8_t)tc->tls->starttls;
	return (int)n;
}

/*
 * The steps a target without `steps` stands for, when it needs any beyond
 * what the probe does without them (connect, a TLS handshake, the payload
 * of hello): starttls's dialogue, then the payload, then the expect.
 * NULL with nothing to do, or on error (reported at s).
 */
struct steps *
conf_steps_shorthand(struct conf_ctx *ctx, const config_setting_t *s,
    const char *label, const struct target_conf *tc)
{
	struct steps *ss;
	struct step *st;
	char err[128];
	size_t npreset = 0;
	int k;

	if (tc->tls != NULL)
		(void)conf_preset(tc->tls->starttls, &npreset);
	if (npreset == 0 && tc->expect == NULL && tc->expect_regex == NULL)
		return NULL;
	if ((ss = steps_new(conf_steps_count_shorthand(tc, npreset))) == NULL ||
	    (k = conf_steps_preset(ss, tc)) == -1)
		goto nomem;
	if (tc->kind == PROBE_HELLO) {
		ss->s[k].origin = STEP_FROM_PAYLOAD;
		ss->s[k++].kind = STEP_SEND;	/* data NULL: the payload */
	}
	if (tc->expect != NULL || tc->expect_regex != NULL) {
		st = &ss->s[k++];
		st->kind = STEP_EXPECT;
		st->origin = STEP_FROM_EXPECT;
		if (step_pattern_set(&st->expect, tc->expect, tc->expect_len,
		    tc->expect_regex, 0, err, sizeof(err)) == -1) {
			conf_error(ctx, s, "expect_regex \"%s\": %s %s",
			    tc->expect_regex, err, label);
			steps_free(ss);
			return NULL;
		}
	}
	conf_steps_read_max(ss, tc->read_limit);
	return ss;
nomem:
	steps_free(ss);
	conf_error(ctx, s, "out of memory %s", label);
	return NULL;
}

static int
conf_cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* a step's members by key; the unknown ones reported */
static void
conf_step_gather(struct conf_ctx *ctx, const config_setting_t *s,
    const char *where, struct conf_step_group *g)
{
	const config_setting_t *m;
	const char *const *k;
	const char *name;
	unsigned i;

	memset(g, 0, sizeof(*g));
	for (i = 0; (m = config_setting_get_elem(s, i)) != NULL; i++) {
		if ((name = config_setting_name(m)) == NULL)
			continue;
		k = bsearch(name, conf_step_keys, SK__MAX,
		    sizeof(*conf_step_keys), conf_cmp_name);
		if (k != NULL)
			g->key[k - conf_step_keys] = m;
		else {
			conf_unknown_key(ctx, m, CONF_PLACE_STEP, where);
			g->nunknown++;
		}
	}
}

/*
 * A pattern: a string (pkey), a regex (rkey) or hex (hkey), at most one
 * of them.  0 when none is there, 1 when p is set, -1 on an error
 * (reported).
 */
static int
conf_step_pattern(struct conf_ctx *ctx, const struct conf_step_group *g,
    enum conf_step_key pkey, enum conf_step_key rkey, enum conf_step_key hkey,
    const char *where, struct step_pattern *p)
{
	const config_setting_t *s = NULL, *o;
	const char *v, *name;
	unsigned char *hex;
	char err[128];
	size_t len;
	int rc;

	if ((o = g->key[pkey]) != NULL)
		s = o;
	if ((o = g->key[rkey]) != NULL && s == NULL)
		s = o;
	if ((o = g->key[hkey]) != NULL && s == NULL)
		s = o;
	if (s == NULL)
		return 0;
	name = config_setting_name(s);
	if ((v = conf_string(ctx, s, name)) == NULL)
		return -1;
	if (*v == '\0') {
		conf_error(ctx, s, "%s is empty %s", name, where);
		return -1;
	}
	if (s == g->key[hkey]) {
		if ((hex = conf_hex(v, &len)) == NULL || len == 0) {
			free(hex);
			conf_error(ctx, s, "%s must be pairs of hex digits %s",
			    name, where);
			return -1;
		}
		rc = step_pattern_set(p, hex, len, NULL, 1, err, sizeof(err));
		free(hex);
	} else
		rc = step_pattern_set(p, v, strlen(v), s == g->key[rkey] ? v :
		    NULL, 0, err, sizeof(err));
	if (rc == -1) {
		conf_error(ctx, s, "%s \"%s\": %s %s", name, v, err, where);
		return -1;
	}
	return 1;
}

/* send or send_hex */
static void
conf_step_send(struct conf_ctx *ctx, const struct conf_step_group *g,
    const char *where, struct step *st)
{
	const config_setting_t *s = g->key[SK_SEND] != NULL ?
	    g->key[SK_SEND] : g->key[SK_SEND_HEX];
	const char *v, *name = config_setting_name(s);

	if ((v = conf_string(ctx, s, name)) == NULL)
		return;
	if (s == g->key[SK_SEND_HEX]) {
		st->hex = 1;
		if ((st->data = conf_hex(v, &st->len)) == NULL ||
		    st->len == 0)
			conf_error(ctx, s, "send_hex must be pairs of hex "
			    "digits %s", where);
	} else if ((st->len = strlen(v)) == 0)
		conf_error(ctx, s, "send is empty %s", where);
	else if ((st->data = malloc(st->len)) != NULL)
		memcpy(st->data, v, st->len);
	if (st->len > CONF_MAX_PAYLOAD)
		conf_error(ctx, s, "%s longer than %d bytes %s", name,
		    CONF_MAX_PAYLOAD, where);
}

/* the one action of a step: its key, or K__MAX (reported) */
static int
conf_step_action(struct conf_ctx *ctx, const config_setting_t *s,
    const struct conf_step_group *g, const char *where)
{
	int a = SK__MAX, k;
	size_t i;

	for (i = 0; i < sizeof(conf_step_actions) /
	    sizeof(conf_step_actions[0]); i++) {
		k = (int)conf_step_actions[i];
		if (g->key[k] == NULL)
			continue;
		if (a != SK__MAX) {
			conf_error(ctx, g->key[k], "%s and %s together %s: "
			    "a step does one thing; write two steps",
			    conf_step_keys[a], conf_step_keys[k], where);
			return SK__MAX;
		}
		a = k;
	}
	/* an unknown key was said: probably the action, misspelt */
	if (a == SK__MAX && g->nunknown == 0)
		conf_error(ctx, s, "nothing to do %s: give the step one of "
		    "send, send_hex, expect, expect_regex, expect_hex or tls",
		    where);
	return a;
}

/* reject*, read_limit only with an expect; timeout with any */
static void
conf_step_options(struct conf_ctx *ctx, const struct conf_step_group *g,
    const char *where, const struct target_conf *tc, struct step *st)
{
	static const enum conf_step_key expect_only[] = {
		SK_REJECT, SK_REJECT_REGEX, SK_REJECT_HEX, SK_READ_LIMIT
	};
	unsigned limit;
	size_t i;

	for (i = 0; i < sizeof(expect_only) / sizeof(expect_only[0]); i++)
		if (st->kind != STEP_EXPECT && g->key[expect_only[i]] != NULL) {
			conf_error(ctx, g->key[expect_only[i]], "%s %s goes "
			    "with an expect, in the same step",
			    conf_step_keys[expect_only[i]], where);
			return;
		}
	if (g->key[SK_READ_LIMIT] != NULL) {
		limit = 0;
		conf_count(ctx, g->key[SK_READ_LIMIT], CR_READ_LIMIT, where,
		    &limit);
		st->read_limit = limit;
	}
	if (g->key[SK_TIMEOUT] != NULL &&
	    conf_seconds(ctx, g->key[SK_TIMEOUT], CR_TIMEOUT, where,
	    &st->timeout_us) == 0 && st->timeout_us >= tc->timeout_us)
		conf_error(ctx, g->key[SK_TIMEOUT], "timeout %gs %s is not "
		    "less than the target's timeout of %gs, which ends the "
		    "probe first: make it shorter, or leave it out",
		    (double)st->timeout_us / 1e6, where,
		    (double)tc->timeout_us / 1e6);
}

/* One step's group into st. */
static void
conf_step(struct conf_ctx *ctx, const config_setting_t *s, const char *where,
    const struct target_conf *tc, struct step *st)
{
	struct conf_step_group g;
	int a, on = 0;

	st->line = (int)config_setting_source_line(s);
	if (!config_setting_is_group(s)) {
		conf_error(ctx, s, "a step must be a group { ... } %s", where);
		return;
	}
	conf_step_gather(ctx, s, where, &g);
	if ((a = conf_step_action(ctx, s, &g, where)) == SK__MAX)
		return;
	switch (a) {
	case SK_SEND:
	case SK_SEND_HEX:
		st->kind = STEP_SEND;
		conf_step_send(ctx, &g, where, st);
		break;
	case SK_TLS:
		st->kind = STEP_TLS;
		if (conf_bool(ctx, g.key[SK_TLS], "tls", where, &on) == 0 &&
		    !on)
			conf_error(ctx, g.key[SK_TLS], "tls = false does "
			    "nothing %s: leave the step out", where);
		else if (on && tc->tls == NULL)
			conf_error(ctx, g.key[SK_TLS], "tls = true %s needs "
			    "tls = true in the target too, where the TLS "
			    "settings go (sni, verify, ca_file, ...)", where);
		break;
	default:
		st->kind = STEP_EXPECT;
		(void)conf_step_pattern(ctx, &g, SK_EXPECT, SK_EXPECT_REGEX,
		    SK_EXPECT_HEX, where, &st->expect);
		if (g.key[SK_REJECT] != NULL) {
			if ((g.key[SK_REJECT_REGEX] != NULL ||
			    g.key[SK_REJECT_HEX] != NULL))
				conf_error(ctx, g.key[SK_REJECT], "two rejects "
				    "in one step %s: make it one regex, a|b",
				    where);
		} else if (g.key[SK_REJECT_REGEX] != NULL &&
		    g.key[SK_REJECT_HEX] != NULL)
			conf_error(ctx, g.key[SK_REJECT_HEX], "two rejects in "
			    "one step %s", where);
		(void)conf_step_pattern(ctx, &g, SK_REJECT, SK_REJECT_REGEX,
		    SK_REJECT_HEX, where, &st->reject);
		break;
	}
	conf_step_options(ctx, &g, where, tc, st);
}

/*
 * `steps = ( ... )` of tc (its probe, payload, expect and TLS settings
 * read already) at s: the steps, after starttls's preset if it has one.
 * NULL on an error (reported).
 */
struct steps *
conf_steps_read(struct conf_ctx *ctx, const config_setting_t *s,
    const char *label, const struct target_conf *tc)
{
	struct steps *ss;
	char where[192];
	size_t nerr = ctx->errs->n, npreset = 0;
	unsigned n, i, ntls = 0;
	int k;

	if (!conf_is_list(s)) {
		conf_error(ctx, s, "steps must be a list of groups "
		    "( { ... }, { ... } ) %s", label);
		return NULL;
	}
	if ((n = (unsigned)config_setting_length(s)) == 0) {
		conf_error(ctx, s, "steps is empty %s: give it at least one "
		    "step, or leave it out", label);
		return NULL;
	}
	if (tc->tls != NULL)
		(void)conf_preset(tc->tls->starttls, &npreset);
	if (n + npreset > STEPS_MAX) {
		conf_error(ctx, s, "%u steps %s%s, more than %d", n + (unsigned)
		    npreset, label, npreset ? " with starttls's" : "",
		    STEPS_MAX);
		return NULL;
	}
	if ((ss = steps_new(n + (unsigned)npreset)) == NULL ||
	    (k = conf_steps_preset(ss, tc)) == -1) {
		steps_free(ss);
		conf_error(ctx, s, "out of memory %s", label);
		return NULL;
	}
	ntls = k > 0;
	for (i = 0; i < n; i++) {
		/* label is "in target \"x\"": "in step 3 of target \"x\"" */
		snprintf(where, sizeof(where), "in step %u of %s",
		    (unsigned)k + i + 1, strncmp(label, "in ", 3) == 0 ?
		    label + 3 : label);
		conf_step(ctx, config_setting_get_elem(s, i), where, tc,
		    &ss->s[(unsigned)k + i]);
		if (ss->s[(unsigned)k + i].kind == STEP_TLS && ntls++ > 0)
			conf_error(ctx, config_setting_get_elem(s, i),
			    "a second TLS handshake %s%s: a connection is "
			    "wrapped in TLS once", where, npreset ? " (starttls "
			    "has one)" : "");
	}
	if (ctx->errs->n != nerr) {
		steps_free(ss);
		return NULL;
	}
	conf_steps_read_max(ss, tc->read_limit);
	return ss;
}
