/*
 * target_conf.c - a target as the config describes it: the names of its
 * settings' words, comparing two (the same, changed, or measuring another
 * thing), freeing one.
 */
#include <sys/socket.h>

#include <openssl/evp.h>

#include <stdlib.h>
#include <string.h>

#include "step.h"
#include "target_conf.h"
#include "tls.h"

static const char *const probe_kind_names[] = {
	[PROBE_PEERADDR] =	"peeraddr",
	[PROBE_HELLO] =		"hello",
	[PROBE_STEPS] =		"steps",
};

static const char *const addr_mode_names[] = {
	[ADDRS_ANY] = "any", [ADDRS_FIRST] = "first", [ADDRS_EACH] = "each",
};
static const char *const close_mode_names[] = {
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
	return (unsigned)k <= PROBE_STEPS ? probe_kind_names[k] : "?";
}

void
target_conf_free(struct target_conf *tc)
{
	if (!tc->pooled) {
		free(tc->name);
		free(tc->host);
		free(tc->payload);
	}
	if (!tc->pooled)
		free(tc->labels);
	free(tc->expect);
	free(tc->expect_regex);
	steps_free(tc->steps);
	if (tc->tls != NULL) {
		tls_conf_free(tc->tls);
		free(tc->tls);
	}
	memset(tc, 0, sizeof(*tc));
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
 * Does b measure what a measures?  What is probed, where, and what counts
 * as an answer: the name, the probe, the host, the port, the family, the
 * addresses, the source address, the payload, the expect (and the bytes
 * read for it), TLS and everything of its handshake, its steps (their
 * timeouts too: a step that may take longer answers another question).  A change of one of
 * these makes the results so far those of another thing.
 */
static int
target_conf_same_probe(const struct target_conf *a,
    const struct target_conf *b)
{
	return strcmp(a->name, b->name) == 0 &&
	    strcmp(a->host, b->host) == 0 &&
	    a->port == b->port && a->kind == b->kind &&
	    a->read_limit == b->read_limit &&
	    a->family == b->family && a->addrs == b->addrs &&
	    a->has_source == b->has_source &&
	    (!a->has_source ||
	    memcmp(&a->source, &b->source, sizeof(a->source)) == 0) &&
	    conf_memeq(a->payload, a->payload_len, b->payload,
	    b->payload_len) &&
	    conf_memeq(a->expect, a->expect_len, b->expect, b->expect_len) &&
	    conf_streq(a->expect_regex, b->expect_regex) &&
	    (a->kind != PROBE_STEPS || steps_equal(a->steps, b->steps)) &&
	    (a->tls == NULL) == (b->tls == NULL) &&
	    (a->tls == NULL || tls_conf_same_probe(a->tls, b->tls));
}

static void
target_conf_id_put(EVP_MD_CTX *md, const void *p, size_t len)
{
	uint64_t n = len;

	/* each field with its length: "ab"+"c" is not "a"+"bc" */
	EVP_DigestUpdate(md, &n, sizeof(n));
	if (len > 0)
		EVP_DigestUpdate(md, p, len);
}

static void
target_conf_id_str(EVP_MD_CTX *md, const char *s)
{
	target_conf_id_put(md, s, s != NULL ? strlen(s) + 1 : 0);
}

static void
target_conf_id_pattern(EVP_MD_CTX *md, const struct step_pattern *p)
{
	uint32_t hex = p->hex;

	target_conf_id_put(md, &hex, sizeof(hex));
	target_conf_id_put(md, p->bytes, p->len);
	target_conf_id_str(md, p->text);
}

/* a `steps` target's steps (a shorthand's are its other fields') */
static void
target_conf_id_steps(EVP_MD_CTX *md, const struct steps *ss)
{
	const struct step *st;
	uint64_t v[4];
	unsigned i;

	v[0] = ss->n;
	v[1] = ss->preset;
	target_conf_id_put(md, v, 2 * sizeof(v[0]));
	for (i = 0; i < ss->n; i++) {
		st = &ss->s[i];
		v[0] = st->kind;
		v[1] = st->hex;
		v[2] = st->read_limit;
		v[3] = st->timeout_us;
		target_conf_id_put(md, v, sizeof(v));
		target_conf_id_put(md, st->data, st->len);
		target_conf_id_pattern(md, &st->expect);
		target_conf_id_pattern(md, &st->reject);
	}
}

/*
 * A target's identity (the state file's key, state.c): a SHA-256 of what
 * target_conf_same_probe compares, so that a target whose saved results
 * are those of another thing (a reload would say "reset") starts afresh.
 * Keep the two in step.  -1: out of memory.
 */
int
target_conf_identity(const struct target_conf *tc,
    unsigned char id[TARGET_ID_LEN])
{
	const struct tls_conf *t = tc->tls;
	uint32_t v[8];
	EVP_MD_CTX *md;
	int r;

	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return -1;
	}
	v[0] = tc->port;
	v[1] = tc->kind;
	v[2] = tc->read_limit;
	v[3] = tc->family;
	v[4] = tc->addrs;
	v[5] = tc->has_source;
	v[6] = t != NULL;
	v[7] = 0;
	target_conf_id_str(md, tc->name);
	target_conf_id_str(md, tc->host);
	target_conf_id_put(md, v, sizeof(v));
	if (tc->has_source)
		target_conf_id_put(md, &tc->source, sizeof(tc->source));
	target_conf_id_put(md, tc->payload, tc->payload_len);
	target_conf_id_put(md, tc->expect, tc->expect_len);
	target_conf_id_str(md, tc->expect_regex);
	if (tc->kind == PROBE_STEPS && tc->steps != NULL)
		target_conf_id_steps(md, tc->steps);
	if (t != NULL) {
		target_conf_id_str(md, t->sni);
		target_conf_id_str(md, t->ca_file);
		target_conf_id_str(md, t->alpn_text);
		v[0] = (uint32_t)t->verify;
		v[1] = (uint32_t)t->min_version;
		v[2] = (uint32_t)t->starttls;
		target_conf_id_put(md, v, 3 * sizeof(v[0]));
	}
	r = EVP_DigestFinal_ex(md, id, NULL) == 1 ? 0 : -1;
	EVP_MD_CTX_free(md);
	return r;
}

/*
 * How b differs from a, for a reload: not at all; in how often, how long
 * and how strictly it is judged (interval, timeout, connect_timeout,
 * jitter, rise, fall, flap_threshold, close, local_address,
 * cert_warn_days, cert_crit_days), which a running target takes on and
 * keeps its results; or in what it measures (target_conf_same_probe):
 * its results start again.
 */
enum target_conf_diff
target_conf_compare(const struct target_conf *a, const struct target_conf *b)
{
	if (!target_conf_same_probe(a, b))
		return TARGET_CONF_RESET;
	if (a->interval_us != b->interval_us ||
	    a->timeout_us != b->timeout_us ||
	    a->connect_timeout_us != b->connect_timeout_us ||
	    a->jitter_ppm != b->jitter_ppm ||
	    a->rise != b->rise || a->fall != b->fall || a->flap != b->flap ||
	    a->close != b->close || a->local_addr != b->local_addr ||
	    !conf_memeq((const unsigned char *)a->labels, a->labels_len,
	    (const unsigned char *)b->labels, b->labels_len) ||
	    (a->tls != NULL && (a->tls->warn_days != b->tls->warn_days ||
	    a->tls->crit_days != b->tls->crit_days)))
		return TARGET_CONF_CHANGED;
	return TARGET_CONF_SAME;
}
