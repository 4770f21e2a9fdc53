/*
 * conf_keys.c - every key futd.conf may hold, where, and for each number
 * its range and default: one place the loader checks by and the test of
 * futd.conf(5) holds the manual to, so that neither drifts from the
 * other.  And, for a key futd does not know, the one that was meant.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"
#include "results.h"

/* sorted: looked up by bsearch */
const char *const conf_top_keys[] = {
	"alert_resend", "alertmanager_urls", "control_socket", "defaults",
	"dns_attempts", "dns_cache_max", "dns_timeout", "events", "history",
	"http_listen", "log_level", "max_inflight",
	"metrics_listen", "nameservers", "on_change", "on_change_max",
	"on_change_timeout", "shard", "state_file", "state_save", "targets",
	"targets_dir", NULL
};

/* a file of targets_dir */
const char *const conf_file_keys[] = { "defaults", "targets", NULL };

/* a target's group, in the order of enum conf_key */
const char *const conf_target_keys[] = {
	"addresses", "alpn", "ca_file", "cert_crit_days", "cert_warn_days",
	"close", "connect_timeout", "expect", "expect_regex", "fall",
	"family", "flap_threshold", "host", "interval", "jitter",
	"labels", "local_address", "min_version", "name", "payload", "payload_hex",
	"port", "probe", "read_limit", "rise", "sni", "source", "starttls",
	"steps", "timeout", "tls", "verify", NULL
};

/* a step's group, in the order of enum conf_step_key */
const char *const conf_step_keys[] = {
	"expect", "expect_hex", "expect_regex", "read_limit", "reject",
	"reject_hex", "reject_regex", "send", "send_hex", "timeout", "tls", NULL
};

/* how a probe runs, not what it measures: `defaults` may set them */
const uint64_t conf_defaults_keys = CONF_KEY(K_ADDRESSES) |
	CONF_KEY(K_CLOSE) | CONF_KEY(K_CONNECT_TIMEOUT) | CONF_KEY(K_FALL) |
	CONF_KEY(K_FAMILY) | CONF_KEY(K_FLAP_THRESHOLD) |
	CONF_KEY(K_INTERVAL) | CONF_KEY(K_JITTER) | CONF_KEY(K_LABELS) | CONF_KEY(K_LOCAL_ADDRESS) |
	CONF_KEY(K_READ_LIMIT) | CONF_KEY(K_RISE) | CONF_KEY(K_TIMEOUT);

#define SECONDS(k, d)	{ k, CONF_MIN_SECONDS, CONF_MAX_SECONDS, d, 1 }

/*
 * Every number: its range and default.  rise and fall as HAProxy's;
 * flap_threshold below what results.c remembers of state changes.
 */
const struct conf_range conf_ranges[CR__MAX] = {
	[CR_HISTORY] =		{ "history", 1, 65536, 64, 0 },
	[CR_EVENTS] =		{ "events", 1, 1000000, 1000, 0 },
	[CR_MAX_INFLIGHT] =	{ "max_inflight", 0, 1000000, 0, 0 },
	[CR_DNS_TIMEOUT] =	SECONDS("dns_timeout", 2),
	[CR_DNS_ATTEMPTS] =	{ "dns_attempts", 1, 10, 2, 0 },
	[CR_DNS_CACHE_MAX] =	{ "dns_cache_max", 0, CONF_MAX_SECONDS, 300,
				    1 },
	[CR_ON_CHANGE_MAX] =	{ "on_change_max", 1, 64, 4, 0 },
	[CR_ON_CHANGE_TIMEOUT] = { "on_change_timeout", 0.1, 3600, 10, 1 },
	[CR_PORT] =		{ "port", 1, 65535, NAN, 0 },
	[CR_INTERVAL] =		SECONDS("interval", 10),
	[CR_TIMEOUT] =		SECONDS("timeout", 3),
	[CR_CONNECT_TIMEOUT] =	SECONDS("connect_timeout", NAN),
	[CR_JITTER] =		{ "jitter", 0, 50, 0, 0 },
	[CR_READ_LIMIT] =	{ "read_limit", 1, 1024 * 1024, 4096, 0 },
	[CR_RISE] =		{ "rise", 1, 100, 2, 0 },
	[CR_FALL] =		{ "fall", 1, 100, 3, 0 },
	[CR_FLAP_THRESHOLD] =	{ "flap_threshold", 0, FLAP_KEEP - 1, 4, 0 },
	[CR_CERT_WARN_DAYS] =	{ "cert_warn_days", 0, 3650, 30, 0 },
	[CR_CERT_CRIT_DAYS] =	{ "cert_crit_days", 0, 3650, 7, 0 },
	/* a save costs a fork: not more often than a second */
	[CR_STATE_SAVE] =	{ "state_save", 1, CONF_MAX_SECONDS, 60, 1 },
	[CR_ALERT_RESEND] =	{ "alert_resend", 1, CONF_MAX_SECONDS, 60, 1 },
};

/* A duration's default in microseconds (0: none). */
uint64_t
conf_range_us(enum conf_range_id id)
{
	double d = conf_ranges[id].dflt;

	return isnan(d) ? 0 : (uint64_t)llround(d * 1e6);
}

static const char *const *
conf_keys_of(enum conf_place p, size_t *n)
{
	const char *const *k;

	switch (p) {
	case CONF_PLACE_TOP:
		k = conf_top_keys;
		break;
	case CONF_PLACE_FILE:
		k = conf_file_keys;
		break;
	case CONF_PLACE_STEP:
		k = conf_step_keys;
		break;
	default:
		k = conf_target_keys;
		break;
	}
	for (*n = 0; k[*n] != NULL; (*n)++)
		;
	return k;
}

static int
conf_cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

int
conf_key_known(enum conf_place p, const char *name)
{
	const char *const *keys, *const *k;
	size_t n;

	keys = conf_keys_of(p, &n);
	if ((k = bsearch(name, keys, n, sizeof(*keys), conf_cmp_name)) == NULL)
		return 0;
	return p != CONF_PLACE_DEFAULTS ||
	    (conf_defaults_keys & CONF_KEY(k - keys)) != 0;
}

const char *
conf_key_at(enum conf_place p, size_t i)
{
	const char *const *keys;
	size_t n, j;

	keys = conf_keys_of(p, &n);
	if (p != CONF_PLACE_DEFAULTS)
		return i < n ? keys[i] : NULL;
	for (j = 0; j < n; j++)
		if ((conf_defaults_keys & CONF_KEY(j)) != 0 && i-- == 0)
			return keys[j];
	return NULL;
}

const struct conf_range *
conf_range_at(size_t i)
{
	return i < CR__MAX ? &conf_ranges[i] : NULL;
}

#define CONF_HINT_MAXLEN	32	/* longer names are not compared */

/*
 * How many edits (a letter added, dropped, changed, or two neighbours
 * swapped: optimal string alignment) make a into b, case and '-' for '_'
 * aside: "intervall", "timout", "histroy", "Log-Level" are one away.
 */
static size_t
conf_key_distance(const char *a, const char *b)
{
	size_t d[CONF_HINT_MAXLEN + 1][CONF_HINT_MAXLEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j, c, best;
	char x[CONF_HINT_MAXLEN], y[CONF_HINT_MAXLEN];

	if (la > CONF_HINT_MAXLEN || lb > CONF_HINT_MAXLEN)
		return (size_t)-1;
	for (i = 0; i < la; i++)
		x[i] = a[i] == '-' ? '_' : (char)tolower((unsigned char)a[i]);
	for (j = 0; j < lb; j++)
		y[j] = b[j] == '-' ? '_' : (char)tolower((unsigned char)b[j]);
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			c = x[i - 1] != y[j - 1];
			best = d[i - 1][j - 1] + c;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && x[i - 1] == y[j - 2] &&
			    x[i - 2] == y[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* the key of p that name is a slip of, or NULL: few edits for its length */
static const char *
conf_key_nearest(enum conf_place p, const char *name)
{
	const char *k, *best = NULL;
	size_t i, d, bestd = (size_t)-1, len, allowed;

	for (i = 0; (k = conf_key_at(p, i)) != NULL; i++) {
		len = strlen(k);
		allowed = len <= 4 ? 1 : len <= 9 ? 2 : 3;
		if ((d = conf_key_distance(name, k)) <= allowed && d < bestd) {
			best = k;
			bestd = d;
		}
	}
	return best;
}

/*
 * What to add to "unknown key NAME <where>": where the key belongs when it
 * is one of another place ("; it belongs in a target"), or the key meant
 * ("; did you mean interval?"); "" when neither.
 */
void
conf_key_hint(enum conf_place p, const char *name, char *buf, size_t len)
{
	const char *near;

	buf[0] = '\0';
	if (p != CONF_PLACE_TOP && conf_key_known(CONF_PLACE_TOP, name))
		snprintf(buf, len, "; it belongs at the top level of "
		    "futd.conf");
	else if (p == CONF_PLACE_DEFAULTS &&
	    conf_key_known(CONF_PLACE_TARGET, name))
		snprintf(buf, len, "; it can be set only in a target");
	else if (p != CONF_PLACE_DEFAULTS && p != CONF_PLACE_TARGET &&
	    conf_key_known(CONF_PLACE_DEFAULTS, name))
		snprintf(buf, len, "; it belongs in defaults or in a target");
	else if (p != CONF_PLACE_DEFAULTS && p != CONF_PLACE_TARGET &&
	    conf_key_known(CONF_PLACE_TARGET, name))
		snprintf(buf, len, "; it belongs in a target");
	else if ((near = conf_key_nearest(p, name)) != NULL)
		snprintf(buf, len, "; did you mean %s?", near);
}
