/*
 * report.c - what the control socket answers (see report.h; the schema is
 * written down in proto.h).
 *
 * One writer: everything goes out as text through jsonw.c.  A target and
 * a result are printed field by field, here and nowhere else, because a
 * status of 100 000 targets must not build a tree or take seconds; small
 * objects (ping, reload, events, the TLS details) are built with jansson
 * and dumped into the same text by report_json(), with one set of flags.
 */
#include <event2/buffer.h>
#include <jansson.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "events.h"
#include "futd.h"
#include "jsonw.h"
#include "net.h"
#include "probe.h"
#include "proto.h"
#include "report.h"
#include "results.h"
#include "strlist.h"
#include "target.h"
#include "target_conf.h"
#include "tls.h"

/* 16 digits: 0.2 stays 0.2, a unix time keeps its microseconds */
#define REPORT_JSON_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(16) | \
				 JSON_ENCODE_ANY)

/*
 * The envelope of every reply: {"version":1,"code":N,"message":"..." and,
 * when data follows, ,"data": for the caller to write the value after.
 * report_end() closes it.  The client (ctl.c) recognises a status by these
 * bytes: keep them as they are.
 */
void
report_begin(struct jsonw *jw, int code, const char *message, int with_data)
{
	jsonw_lit(jw, "{\"version\":");
	jsonw_u64(jw, FUTD_PROTO_VERSION);
	jsonw_lit(jw, ",\"code\":");
	jsonw_i64(jw, code);
	jsonw_lit(jw, ",\"message\":");
	jsonw_str(jw, message);
	if (with_data)
		jsonw_lit(jw, ",\"data\":");
}

void
report_end(struct jsonw *jw)
{
	jsonw_lit(jw, "}\n");
}

static int
report_dump_cb(const char *buf, size_t len, void *arg)
{
	jsonw_raw(arg, buf, len);
	return 0;
}

/* A value jansson made, as text; takes it over.  NULL prints null. */
void
report_json(struct jsonw *jw, json_t *o)
{
	if (o == NULL || json_dump_callback(o, report_dump_cb, jw,
	    REPORT_JSON_FLAGS) == -1)
		jsonw_lit(jw, "null");
	json_decref(o);
}

/* A whole reply line; takes over data (which may be NULL: no "data"). */
void
report_reply(struct jsonw *jw, int code, const char *message, json_t *data)
{
	report_begin(jw, code, message, data != NULL);
	if (data != NULL)
		report_json(jw, data);
	report_end(jw);
}

/* A name from one of the daemon's tables: plain ASCII, no escapes. */
static void
report_name(struct jsonw *jw, const char *s)
{
	jsonw_lit(jw, "\"");
	jsonw_raw(jw, s, strlen(s));
	jsonw_lit(jw, "\"");
}

/*
 * What the peer sent (or expect holds), printable: \xHH for the rest, a
 * backslash doubled; then quoted as a JSON string (so "\\x0a", "\\\\").
 */
static void
report_bytes(struct jsonw *jw, const unsigned char *b, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char esc[5] = { '\\', '\\', 'x', 0, 0 };
	size_t i;

	jsonw_lit(jw, "\"");
	for (i = 0; i < n; i++) {
		if (b[i] == '"')
			jsonw_lit(jw, "\\\"");
		else if (b[i] == '\\')
			jsonw_lit(jw, "\\\\\\\\");
		else if (b[i] >= 0x20 && b[i] < 0x7f)
			jsonw_raw(jw, (const char *)&b[i], 1);
		else {
			esc[3] = hex[b[i] >> 4];
			esc[4] = hex[b[i] & 0xf];
			jsonw_raw(jw, esc, sizeof(esc));
		}
	}
	jsonw_lit(jw, "\"");
}

/* a phase: "key":us, or null when not reached (key comes with its quotes) */
static void
report_us(struct jsonw *jw, const char *key, size_t keylen, uint32_t us)
{
	jsonw_raw(jw, key, keylen);
	if (us == 0)
		jsonw_lit(jw, "null");
	else
		jsonw_u64(jw, us);
}
#define REPORT_US(jw, key, us)	report_us((jw), "" key, sizeof(key) - 1, (us))

static void
report_ratio(struct jsonw *jw, const struct results *r, int window)
{
	double v;

	if (results_availability(r, window, &v) == 0)
		jsonw_g6(jw, v);
	else
		jsonw_lit(jw, "null");
}

static json_t *
report_opt_string(const char *s)
{
	return s != NULL && *s != '\0' ? json_string(s) : json_null();
}

/* What a handshake told: protocol, cipher, ALPN, the certificate. */
static json_t *
report_tls(const struct tls_info *ti)
{
	int64_t now = clock_wall_us() / 1000000;

	if (!ti->done && ti->subject[0] == '\0')
		return json_pack("{s:b, s:o}", "handshake", 0, "error",
		    report_opt_string(ti->error));
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
	    " s:b, s:o, s:o}",
	    "handshake", ti->done,
	    "version", report_opt_string(ti->version),
	    "cipher", report_opt_string(ti->cipher),
	    "alpn", report_opt_string(ti->alpn),
	    "subject", report_opt_string(ti->subject),
	    "issuer", report_opt_string(ti->issuer),
	    "sans", report_opt_string(ti->sans),
	    "not_after", ti->not_after ? json_integer(ti->not_after) :
	    json_null(),
	    "chain_not_after", ti->chain_not_after ?
	    json_integer(ti->chain_not_after) : json_null(),
	    "days_left", ti->chain_not_after ?
	    json_integer(tls_days_left(ti, now)) : json_null(),
	    "verified", ti->verify_ok,
	    "verify", report_opt_string(ti->verify),
	    "error", report_opt_string(ti->error));
}


/*
 * One result: outcome, error, the phases (microseconds from the start;
 * null for a phase not reached); full adds where the address came from,
 * the addresses, what the peer sent when it failed, the TLS details.  The
 * history has the short form, a target's last result and `probe` the full.
 */
void
report_result(struct jsonw *jw, const struct probe_result *pr, int full)
{
	char msg[160];
	const char *dns;

	jsonw_lit(jw, "{\"time\":");
	jsonw_g16_us(jw, pr->wall_us);
	if (pr->error == PERR_NONE)
		jsonw_lit(jw, ",\"ok\":true,\"error\":null,\"message\":null");
	else {
		jsonw_lit(jw, ",\"ok\":false,\"error\":");
		report_name(jw, probe_error_name(pr->error));
		jsonw_lit(jw, ",\"message\":");
		jsonw_str(jw, probe_result_message(pr, msg, sizeof(msg)));
		/* the history keeps no step: the last result and probe's do */
		if (full && pr->step > 0) {
			jsonw_lit(jw, ",\"step\":");
			jsonw_u64(jw, pr->step);
			jsonw_lit(jw, ",\"step_kind\":");
			report_name(jw, step_kind_name(pr->step_kind));
		}
	}
	jsonw_lit(jw, ",\"latency_us\":");
	jsonw_u64(jw, pr->latency_us);
	REPORT_US(jw, ",\"phases\":{\"resolve_us\":", pr->ph.resolve_us);
	REPORT_US(jw, ",\"connect_us\":", pr->ph.connect_us);
	REPORT_US(jw, ",\"write_us\":", pr->ph.write_us);
	REPORT_US(jw, ",\"first_byte_us\":", pr->ph.first_byte_us);
	if (full && pr->tls != NULL)
		REPORT_US(jw, ",\"handshake_us\":", pr->ph.handshake_us);
	jsonw_lit(jw, ",\"total_us\":");
	jsonw_u64(jw, pr->latency_us);
	if (!full) {
		jsonw_lit(jw, "}}");
		return;
	}
	dns = pr->flags & RESULT_DNS_STALE ? "},\"dns\":\"stale\",\"peer\":" :
	    pr->flags & RESULT_DNS_CACHED ? "},\"dns\":\"cached\",\"peer\":" :
	    pr->ph.resolve_us > 0 ? "},\"dns\":\"fresh\",\"peer\":" :
	    "},\"dns\":null,\"peer\":";
	jsonw_raw(jw, dns, strlen(dns));
	jsonw_addr(jw, &pr->peer);
	jsonw_lit(jw, ",\"local\":");
	jsonw_addr(jw, &pr->local);
	jsonw_lit(jw, ",\"queued_us\":");
	jsonw_u64(jw, pr->queued_us);
	if (pr->recv_len > 0 && pr->error != PERR_NONE) {
		jsonw_lit(jw, ",\"received\":");
		report_bytes(jw, pr->recv, pr->recv_len);
		jsonw_lit(jw, ",\"received_total\":");
		jsonw_u64(jw, pr->recv_total);
	}
	if (pr->tls != NULL) {
		jsonw_lit(jw, ",\"tls\":");
		report_json(jw, report_tls(pr->tls));
	}
	jsonw_lit(jw, "}");
}

/* An `addresses = "each"` target: every address on its own. */
static void
report_each(struct jsonw *jw, const struct results *r)
{
	unsigned i;

	jsonw_lit(jw, "[");
	for (i = 0; i < r->neach; i++) {
		const struct addr_result *a = &r->each[i];

		if (i > 0)
			jsonw_lit(jw, ",");
		jsonw_lit(jw, "{\"address\":");
		jsonw_addr(jw, &a->addr);
		jsonw_lit(jw, ",\"ok\":");
		jsonw_u64(jw, a->ok);
		jsonw_lit(jw, ",\"failed\":");
		jsonw_u64(jw, a->failed);
		jsonw_lit(jw, ",\"last\":");
		if (a->have_last)
			report_result(jw, &a->last, 1);
		else
			jsonw_lit(jw, "null");
		jsonw_lit(jw, "}");
	}
	jsonw_lit(jw, "]");
}

/* A TLS target's settings: strings and numbers, small (show). */
static json_t *
report_conf_tls(const struct tls_conf *t)
{
	return json_pack("{s:o, s:o, s:b, s:o, s:o, s:i, s:i, s:s}",
	    "sni", report_opt_string(t->sni),
	    "alpn", report_opt_string(t->alpn_text),
	    "verify", t->verify,
	    "ca_file", report_opt_string(t->ca_file),
	    "min_version", t->min_version == 0 ? json_null() :
	    json_string(t->min_version == TLS1_3_VERSION ? "1.3" : "1.2"),
	    "cert_warn_days", t->warn_days,
	    "cert_crit_days", t->crit_days,
	    "starttls", starttls_name(t->starttls));
}

/* labels, "name\0value\0" each: an object of strings */
static void
report_labels(struct jsonw *jw, const char *l, size_t len)
{
	size_t off, nl;

	jsonw_lit(jw, ",\"labels\":{");
	for (off = 0; off < len; off += nl + strlen(l + off + nl) + 1) {
		nl = strlen(l + off) + 1;
		if (off > 0)
			jsonw_lit(jw, ",");
		jsonw_str(jw, l + off);
		jsonw_lit(jw, ":");
		jsonw_str(jw, l + off + nl);
	}
	jsonw_lit(jw, "}");
}

/*
 * probe's steps: those done, with when each ended, then the one that
 * failed (at the end of the probe); none after it.
 */
static void
report_trace(struct jsonw *jw, const struct probe_result *pr,
    const struct probe_trace *tr)
{
	unsigned i;

	jsonw_lit(jw, ",\"steps\":[");
	for (i = 0; i < tr->n; i++) {
		if (tr->end_us[i] == 0 && pr->step != i + 1)
			break;
		if (i > 0)
			jsonw_lit(jw, ",");
		jsonw_lit(jw, "{\"step\":");
		jsonw_u64(jw, i + 1);
		jsonw_lit(jw, ",\"kind\":");
		report_name(jw, step_kind_name(tr->kind[i]));
		jsonw_lit(jw, ",\"end_us\":");
		jsonw_u64(jw, pr->step == i + 1 ? pr->latency_us :
		    tr->end_us[i]);
		if (pr->step == i + 1) {
			jsonw_lit(jw, ",\"ok\":false}");
			break;
		}
		jsonw_lit(jw, ",\"ok\":true}");
	}
	jsonw_lit(jw, "]");
}

/* bytes as written: a string, escaped, or hex digits */
static void
report_step_bytes(struct jsonw *jw, const char *key, const unsigned char *b,
    size_t n, int hex)
{
	static const char digits[] = "0123456789abcdef";
	char h[2];
	size_t i;

	jsonw_lit(jw, ",\"");
	jsonw_raw(jw, key, strlen(key));
	if (!hex) {
		jsonw_lit(jw, "\":");
		report_bytes(jw, b, n);
		return;
	}
	jsonw_lit(jw, "_hex\":\"");
	for (i = 0; i < n; i++) {
		h[0] = digits[b[i] >> 4];
		h[1] = digits[b[i] & 0xf];
		jsonw_raw(jw, h, 2);
	}
	jsonw_lit(jw, "\"");
}

static void
report_step_pattern(struct jsonw *jw, const char *key,
    const struct step_pattern *p)
{
	char k[32];

	if (p->regex != NULL) {
		snprintf(k, sizeof(k), ",\"%s_regex\":", key);
		jsonw_raw(jw, k, strlen(k));
		jsonw_str(jw, p->text);
	} else if (p->bytes != NULL)
		report_step_bytes(jw, key, p->bytes, p->len, p->hex);
}

/*
 * The steps, presets and shorthands expanded: what the probe does after
 * the connect, each as its keys would write it.
 */
static void
report_steps(struct jsonw *jw, const struct target_conf *tc)
{
	const struct step *st;
	unsigned i;

	jsonw_lit(jw, ",\"steps\":[");
	for (i = 0; tc->steps != NULL && i < tc->steps->n; i++) {
		st = &tc->steps->s[i];
		if (i > 0)
			jsonw_lit(jw, ",");
		jsonw_lit(jw, "{\"kind\":");
		report_name(jw, step_kind_name(st->kind));
		if (st->kind == STEP_SEND && st->data == NULL) {
			jsonw_lit(jw, ",\"payload_bytes\":");
			jsonw_u64(jw, tc->payload_len);
		} else if (st->kind == STEP_SEND)
			report_step_bytes(jw, "send", st->data, st->len,
			    st->hex);
		report_step_pattern(jw, "expect", &st->expect);
		report_step_pattern(jw, "reject", &st->reject);
		if (st->read_limit != 0) {
			jsonw_lit(jw, ",\"read_limit\":");
			jsonw_u64(jw, st->read_limit);
		}
		if (st->timeout_us != 0) {
			jsonw_lit(jw, ",\"timeout\":");
			jsonw_g16_us(jw, (int64_t)st->timeout_us);
		}
		jsonw_lit(jw, ",\"from\":");
		report_name(jw, step_origin_name(st->origin));
		jsonw_lit(jw, "}");
	}
	jsonw_lit(jw, "]");
}

/* The settings, as futd understood them (show). */
static void
report_conf(struct jsonw *jw, const struct target_conf *tc)
{
	jsonw_lit(jw, "{\"family\":");
	report_name(jw, family_name(tc->family));
	jsonw_lit(jw, ",\"addresses\":");
	report_name(jw, addr_mode_name(tc->addrs));
	jsonw_lit(jw, ",\"close\":");
	report_name(jw, close_mode_name(tc->close));
	jsonw_lit(jw, ",\"connect_timeout\":");
	if (tc->connect_timeout_us == 0)
		jsonw_lit(jw, "null");
	else
		jsonw_g16_us(jw, (int64_t)tc->connect_timeout_us);
	/* parts per million as a percentage: ppm / 1e4 = ppm * 100 / 1e6 */
	jsonw_lit(jw, ",\"jitter\":");
	jsonw_g16_us(jw, (int64_t)tc->jitter_ppm * 100);
	jsonw_lit(jw, ",\"read_limit\":");
	jsonw_u64(jw, tc->read_limit);
	if (tc->local_addr)
		jsonw_lit(jw, ",\"local_address\":true");
	else
		jsonw_lit(jw, ",\"local_address\":false");
	if (tc->kind == PROBE_HELLO) {
		jsonw_lit(jw, ",\"payload_bytes\":");
		jsonw_u64(jw, tc->payload_len);
	}
	if (tc->expect != NULL) {
		jsonw_lit(jw, ",\"expect\":");
		report_bytes(jw, tc->expect, tc->expect_len);
	}
	if (tc->expect_regex != NULL) {
		jsonw_lit(jw, ",\"expect_regex\":");
		jsonw_str(jw, tc->expect_regex);
	}
	if (tc->steps != NULL)
		report_steps(jw, tc);
	if (tc->has_source) {
		jsonw_lit(jw, ",\"source\":");
		jsonw_addr(jw, &tc->source);
	}
	if (tc->labels != NULL)
		report_labels(jw, tc->labels, tc->labels_len);
	if (tc->tls != NULL) {
		jsonw_lit(jw, ",\"tls\":");
		report_json(jw, report_conf_tls(tc->tls));
	}
	jsonw_lit(jw, "}");
}

/*
 * A TLS target's certificate at a glance (status, check, metrics): the
 * days left to the earliest expiry in the chain, and what that means
 * against cert_warn_days and cert_crit_days.
 */
static json_t *
report_cert(const struct target *tg)
{
	const struct tls_info *ti = tg->tls_info;
	int days;

	if (ti == NULL || ti->chain_not_after == 0)
		return json_pack("{s:o, s:o, s:s, s:i, s:i}", "days_left",
		    json_null(), "expires", json_null(), "status", "unknown",
		    "warn_days", tg->conf.tls->warn_days,
		    "crit_days", tg->conf.tls->crit_days);
	days = tls_days_left(ti, clock_wall_us() / 1000000);
	return json_pack("{s:i, s:I, s:s, s:b, s:s, s:i, s:i}", "days_left",
	    days, "expires", (json_int_t)ti->chain_not_after,
	    "status", days < tg->conf.tls->crit_days ? "critical" :
	    days < tg->conf.tls->warn_days ? "warning" : "ok",
	    "verified", ti->verify_ok, "verify", ti->verify,
	    "warn_days", tg->conf.tls->warn_days,
	    "crit_days", tg->conf.tls->crit_days);
}

/*
 * The latency statistics of the history: status has the count and two
 * percentiles, show the rest too, in between, in the same order.
 */
static void
report_stats(struct jsonw *jw, const struct results *r,
    enum report_detail detail)
{
	struct results_stats st;
	int all = detail == REPORT_SHOW;

	results_stats(r, &st);
	jsonw_lit(jw, "\"stats\":{\"results\":");
	jsonw_u64(jw, st.count);
	jsonw_lit(jw, ",\"ok\":");
	jsonw_u64(jw, st.ok);
	if (all) {
		jsonw_lit(jw, ",\"ok_ratio\":");
		if (st.count > 0)
			jsonw_g6(jw, (double)st.ok / st.count);
		else
			jsonw_lit(jw, "null");
	}
	if (st.ok > 0 && all) {
		jsonw_lit(jw, ",\"min_us\":");
		jsonw_u64(jw, st.min_us);
		jsonw_lit(jw, ",\"mean_us\":");
		jsonw_u64(jw, (uint64_t)(st.mean_us + 0.5));
	}
	if (st.ok > 0) {
		jsonw_lit(jw, ",\"p50_us\":");
		jsonw_u64(jw, st.p50_us);
	}
	if (st.ok > 0 && all) {
		jsonw_lit(jw, ",\"p95_us\":");
		jsonw_u64(jw, st.p95_us);
	}
	if (st.ok > 0) {
		jsonw_lit(jw, ",\"p99_us\":");
		jsonw_u64(jw, st.p99_us);
	}
	if (st.ok > 0 && all) {
		jsonw_lit(jw, ",\"max_us\":");
		jsonw_u64(jw, st.max_us);
		jsonw_lit(jw, ",\"jitter_us\":");
		jsonw_u64(jw, (uint64_t)(st.jitter_us + 0.5));
	}
	jsonw_lit(jw, "}");
}

/*
 * "maintenance": who disabled the target, why, since and until when (null:
 * until enabled); null when it is not disabled.
 */
static void
report_maint(struct jsonw *jw, const struct target *tg)
{
	const struct maint *m = NULL;

	if (results_state(&tg->res) == TARGET_DISABLED)
		m = maints_find(&target_daemon(tg)->maints, tg->conf.name);
	jsonw_lit(jw, ",\"maintenance\":");
	if (m == NULL) {
		jsonw_lit(jw, "null");
		return;
	}
	jsonw_lit(jw, "{\"since\":");
	jsonw_g16_us(jw, m->since_us);
	jsonw_lit(jw, ",\"until\":");
	if (m->until_us != 0)
		jsonw_g16_us(jw, m->until_us);
	else
		jsonw_lit(jw, "null");
	/* UTF-8 (control_maint.c checks): jansson's, not jsonw_str's bytes */
	jsonw_lit(jw, ",\"reason\":");
	report_json(jw, json_string(m->reason));
	jsonw_lit(jw, ",\"uid\":");
	jsonw_u64(jw, m->uid);
	jsonw_lit(jw, ",\"user\":");
	if (m->user[0] != '\0')
		jsonw_str(jw, m->user);
	else
		jsonw_lit(jw, "null");
	jsonw_lit(jw, "}");
}

/* What the config says and where the target stands. */
static void
report_target_head(struct jsonw *jw, const struct target *tg)
{
	const struct target_conf_core *tc = &tg->conf;
	const struct results *r = &tg->res;

	jsonw_lit(jw, "{\"name\":");
	jsonw_str(jw, tc->name);
	jsonw_lit(jw, ",\"probe\":");
	report_name(jw, probe_kind_name(tc->kind));
	jsonw_lit(jw, ",\"host\":");
	jsonw_str(jw, tc->host);
	jsonw_lit(jw, ",\"port\":");
	jsonw_u64(jw, tc->port);
	jsonw_lit(jw, ",\"interval\":");
	jsonw_g16_us(jw, (int64_t)tc->interval_us);
	jsonw_lit(jw, ",\"timeout\":");
	jsonw_g16_us(jw, (int64_t)tc->timeout_us);
	jsonw_lit(jw, ",\"state\":");
	report_name(jw, target_state_name(results_state(r)));
	jsonw_lit(jw, ",\"base_state\":");
	report_name(jw, target_state_name(r->state));
	report_maint(jw, tg);
	if (r->state == TARGET_UNKNOWN)
		jsonw_lit(jw, ",\"since\":null,\"for_s\":null");
	else {
		jsonw_lit(jw, ",\"since\":");
		jsonw_g16_us(jw, r->since_wall_us);
		jsonw_lit(jw, ",\"for_s\":");
		jsonw_f6_us(jw, clock_wall_us() - r->since_wall_us);
	}
	if (!r->flapping)
		jsonw_lit(jw, ",\"flapping_since\":null,"
		    "\"flapping_for_s\":null");
	else {
		jsonw_lit(jw, ",\"flapping_since\":");
		jsonw_u64(jw, r->flap_since_s);
		jsonw_lit(jw, ",\"flapping_for_s\":");
		jsonw_f6_us(jw, clock_wall_us() -
		    (int64_t)r->flap_since_s * 1000000);
	}
	jsonw_lit(jw, ",\"changes\":");
	jsonw_u64(jw, r->changes);
	/* how far the last results have come to changing the state */
	jsonw_lit(jw, ",\"streak\":");
	jsonw_u64(jw, r->streak);
	jsonw_lit(jw, ",\"rise\":");
	jsonw_u64(jw, tc->rise);
	jsonw_lit(jw, ",\"fall\":");
	jsonw_u64(jw, tc->fall);
	jsonw_lit(jw, ",\"probes\":");
	jsonw_u64(jw, r->probes);
	jsonw_lit(jw, ",\"ok\":");
	jsonw_u64(jw, r->ok);
	jsonw_lit(jw, ",\"failed\":");
	jsonw_u64(jw, r->failed);
	jsonw_lit(jw, ",\"late\":");
	jsonw_u64(jw, r->late);
	jsonw_lit(jw, ",\"queued\":");
	jsonw_u64(jw, r->queued);
	jsonw_lit(jw, ",\"queued_us\":");
	jsonw_u64(jw, r->queued_us);
}

/* The last result in short, then whole as "last" (none: no "last"). */
static void
report_target_last(struct jsonw *jw, const struct probe_result *last)
{
	char msg[160];

	if (last == NULL) {
		jsonw_lit(jw, ",\"last_time\":null,\"last_ok\":null,"
		    "\"last_error\":null,\"error\":null,"
		    "\"last_latency_us\":null,\"peer\":null");
		return;
	}
	jsonw_lit(jw, ",\"last_time\":");
	jsonw_g16_us(jw, last->wall_us);
	if (last->error == PERR_NONE)
		jsonw_lit(jw, ",\"last_ok\":true,\"last_error\":null,"
		    "\"error\":null");
	else {
		jsonw_lit(jw, ",\"last_ok\":false,\"last_error\":");
		jsonw_str(jw, probe_result_message(last, msg, sizeof(msg)));
		jsonw_lit(jw, ",\"error\":");
		report_name(jw, probe_error_name(last->error));
	}
	jsonw_lit(jw, ",\"last_latency_us\":");
	jsonw_u64(jw, last->latency_us);
	jsonw_lit(jw, ",\"peer\":");
	jsonw_addr(jw, &last->peer);
	jsonw_lit(jw, ",\"last\":");
	report_result(jw, last, 1);
}

/* What an operator asks next: when the next probe, how available. */
static void
report_target_outlook(struct jsonw *jw, const struct target *tg)
{
	const struct results *r = &tg->res;
	uint64_t now = clock_mono_us();

	jsonw_lit(jw, ",\"next_probe_in_s\":");
	if (tg->phase == TARGET_SLEEPING && tg->next_us > now)
		jsonw_f6_us(jw, (int64_t)(tg->next_us - now));
	else if (tg->phase == TARGET_STOPPED || tg->phase == TARGET_PAUSED)
		jsonw_lit(jw, "null");
	else
		jsonw_lit(jw, "0");
	jsonw_lit(jw, ",\"availability\":{\"lifetime\":");
	report_ratio(jw, r, 0);
	jsonw_lit(jw, ",\"hour\":");
	report_ratio(jw, r, 1);
	jsonw_lit(jw, ",\"day\":");
	report_ratio(jw, r, 2);
	jsonw_lit(jw, "},");
}

/* show's own: the rules, the settings, the history newest first. */
static void
report_target_more(struct jsonw *jw, const struct target *tg)
{
	struct target_conf tcbuf;
	const struct target_conf *tc = target_getconf(tg, &tcbuf);
	struct hist_cursor c;
	struct probe_result pr;
	int n = 0;

	/* rise and fall: with the state (report_target_head) */
	jsonw_lit(jw, ",\"flap_threshold\":");
	jsonw_u64(jw, tc->flap);
	jsonw_lit(jw, ",\"config\":");
	report_conf(jw, tc);
	jsonw_lit(jw, ",\"history\":[");
	results_cursor(&c, &tg->res);
	while (results_next(&c, &pr) == 0) {
		if (n++ > 0)
			jsonw_lit(jw, ",");
		report_result(jw, &pr, 0);
	}
	jsonw_lit(jw, "]");
}

/*
 * One target, the one way both `status` (for each of maybe 100 000, so
 * printed, and by hand rather than by printf: jsonw.c) and `show` write
 * it; show adds the rest of the statistics and what follows "cert".
 */
/*
 * status trend=N: the latencies of the last n results, newest first, in
 * microseconds, null for a failure (futctl status -w's sparklines): a
 * few bytes a result where show's history costs a few hundred.
 */
static void
report_trend(struct jsonw *jw, const struct target *tg, unsigned n)
{
	struct hist_cursor c;
	struct probe_result pr;
	unsigned i = 0;

	jsonw_lit(jw, ",\"trend\":[");
	results_cursor(&c, &tg->res);
	while (i < n && results_next(&c, &pr) == 0) {
		if (i++ > 0)
			jsonw_lit(jw, ",");
		if (pr.error == PERR_NONE)
			jsonw_u64(jw, pr.latency_us);
		else
			jsonw_lit(jw, "null");
	}
	jsonw_lit(jw, "]");
}

void
report_target(struct jsonw *jw, const struct target *tg,
    enum report_detail detail, unsigned trend)
{
	const struct results *r = &tg->res;
	struct probe_result lastbuf;

	report_target_head(jw, tg);
	report_target_last(jw, target_last(tg, &lastbuf));
	report_target_outlook(jw, tg);
	report_stats(jw, r, detail);
	if (r->neach > 0) {
		jsonw_lit(jw, ",\"addresses\":");
		report_each(jw, r);
	}
	if (tg->conf.tls != NULL) {
		jsonw_lit(jw, ",\"cert\":");
		report_json(jw, report_cert(tg));
	}
	if (trend > 0)
		report_trend(jw, tg, trend);
	if (detail == REPORT_SHOW)
		report_target_more(jw, tg);
	jsonw_lit(jw, "}");
}

/* status: {"schema":1,"total":N,"targets":[ TARGET,... ]} */
void
report_status_begin(struct jsonw *jw, size_t total)
{
	jsonw_lit(jw, "{\"schema\":");
	jsonw_u64(jw, FUTD_SCHEMA_VERSION);
	jsonw_lit(jw, ",\"total\":");
	jsonw_u64(jw, total);
	jsonw_lit(jw, ",\"targets\":[");
}

void
report_status_end(struct jsonw *jw)
{
	jsonw_lit(jw, "]}");
}

/* show: {"schema":1,"target":TARGET} */
void
report_show(struct jsonw *jw, const struct target *tg)
{
	jsonw_lit(jw, "{\"schema\":");
	jsonw_u64(jw, FUTD_SCHEMA_VERSION);
	jsonw_lit(jw, ",\"target\":");
	report_target(jw, tg, REPORT_SHOW, 0);
	jsonw_lit(jw, "}");
}

/*
 * `probe NAME`: the target in a few words, one result in full; with
 * addresses = "each", each address as status and show write them, its
 * counts those of this one probe.
 */
void
report_probe(struct jsonw *jw, const struct target *tg,
    const struct probe_result *pr, const struct probe_result *each,
    unsigned neach, const struct probe_trace *tr)
{
	unsigned i;

	jsonw_lit(jw, "{\"schema\":");
	jsonw_u64(jw, FUTD_SCHEMA_VERSION);
	jsonw_lit(jw, ",\"target\":");
	jsonw_str(jw, tg->conf.name);
	jsonw_lit(jw, ",\"probe\":");
	report_name(jw, probe_kind_name(tg->conf.kind));
	jsonw_lit(jw, ",\"host\":");
	jsonw_str(jw, tg->conf.host);
	jsonw_lit(jw, ",\"port\":");
	jsonw_u64(jw, tg->conf.port);
	jsonw_lit(jw, ",\"timeout\":");
	jsonw_g16_us(jw, (int64_t)tg->conf.timeout_us);
	jsonw_lit(jw, ",\"result\":");
	report_result(jw, pr, 1);
	if (tr != NULL && tr->n > 0)
		report_trace(jw, pr, tr);
	if (neach > 0) {
		jsonw_lit(jw, ",\"addresses\":[");
		for (i = 0; i < neach; i++) {
			if (i > 0)
				jsonw_lit(jw, ",");
			jsonw_lit(jw, "{\"address\":");
			jsonw_addr(jw, &each[i].peer);
			if (each[i].error == PERR_NONE)
				jsonw_lit(jw, ",\"ok\":1,\"failed\":0,"
				    "\"last\":");
			else
				jsonw_lit(jw, ",\"ok\":0,\"failed\":1,"
				    "\"last\":");
			report_result(jw, &each[i], 1);
			jsonw_lit(jw, "}");
		}
		jsonw_lit(jw, "]");
	}
	jsonw_lit(jw, "}");
}

/*
 * metrics: {"schema":1,"format":"F","text":"...the exposition..."}, the
 * text escaped in chunks by jsonw_escape(); lost, when memory ran out,
 * adds "error" beside "data".
 */
void
report_metrics_begin(struct jsonw *jw, const char *format)
{
	jsonw_lit(jw, "{\"schema\":");
	jsonw_u64(jw, FUTD_SCHEMA_VERSION);
	jsonw_lit(jw, ",\"format\":");
	report_name(jw, format);
	jsonw_lit(jw, ",\"text\":\"");
}

void
report_metrics_end(struct jsonw *jw, int lost)
{
	jsonw_lit(jw, "\"}");
	if (lost)
		jsonw_lit(jw, ",\"error\":\"out of memory\"");
}

json_t *
report_event(const struct event_rec *ev)
{
	json_t *o;

	o = json_pack("{s:I, s:f, s:s, s:o, s:s, s:o, s:o, s:o, s:i, s:s}",
	    "seq", (json_int_t)ev->seq,
	    "time", ev->wall_us / 1e6,
	    "type", event_type_name(ev->type),
	    "target", ev->target != NULL ? json_string(ev->target) :
	    json_null(),
	    "state", target_state_name(ev->to),
	    "from", ev->type == EVENT_STATE ?
	    json_string(target_state_name(ev->from)) : json_null(),
	    "error", ev->error != PERR_NONE && ev->type != EVENT_RELOAD ?
	    json_string(probe_error_name(ev->error)) : json_null(),
	    "latency_us", ev->target != NULL ? json_integer(ev->latency_us) :
	    json_null(),
	    "repeat", (int)ev->repeat,
	    "message", ev->message);
	if (o == NULL)
		return NULL;
	if (ev->availability >= 0)
		json_object_set_new(o, "availability",
		    json_real(ev->availability));
	if (ev->repeat > 0)
		json_object_set_new(o, "last_time",
		    json_real(ev->last_wall_us / 1e6));
	return o;
}

/* The newest n events (of one target, if name is set), oldest first. */
/* (each event's "words" is the probe's own message, without the prefix) */
json_t *
report_events(const struct daemon *d, size_t n, const char *name)
{
	const struct events *e = &d->events;
	const struct event_rec *ev;
	json_t *list, *o;
	size_t i, first, picked = 0;

	if ((list = json_array()) == NULL)
		return NULL;
	/* walk back to find where the newest n begin */
	for (i = e->count, first = e->count; i-- > 0 && picked < n; ) {
		ev = events_get(e, i);
		if (name != NULL && (ev->target == NULL ||
		    strcmp(ev->target, name) != 0))
			continue;
		picked++;
		first = i;
	}
	for (i = first; i < e->count; i++) {
		ev = events_get(e, i);
		if (name != NULL && (ev->target == NULL ||
		    strcmp(ev->target, name) != 0))
			continue;
		if ((o = report_event(ev)) == NULL ||
		    json_array_append_new(list, o) == -1) {
			json_decref(list);
			return NULL;
		}
	}
	return json_pack("{s:i, s:o}", "schema", FUTD_SCHEMA_VERSION,
	    "events", list);
}

json_t *
report_ping(const struct daemon *d)
{
	return json_pack("{s:i, s:b, s:s, s:s, s:i, s:f, s:I}",
	    "schema", FUTD_SCHEMA_VERSION,
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

/*
 * "changed": every target whose settings changed, as protocol 1 always
 * said, the reset ones too (a client that knows no "reset" misses none);
 * "reset": those of them that measure another thing now, whose results
 * start again.  Both lists are in name order: one walk merges them.
 */
static json_t *
report_changed(const struct reload_report *rep)
{
	const struct strlist *kept = &rep->changed, *reset = &rep->reset;
	json_t *a = json_array();
	size_t i = 0, j = 0;
	const char *name;

	while (a != NULL && (i < kept->n || j < reset->n)) {
		if (j == reset->n || (i < kept->n &&
		    strcmp(kept->msg[i], reset->msg[j]) < 0))
			name = kept->msg[i++];
		else
			name = reset->msg[j++];
		json_array_append_new(a, json_string(name));
	}
	return a;
}

json_t *
report_reload(const struct reload_report *rep)
{
	return json_pack("{s:i, s:o, s:o, s:o, s:o, s:I}",
	    "schema", FUTD_SCHEMA_VERSION,
	    "added", report_strlist(&rep->added),
	    "removed", report_strlist(&rep->removed),
	    "changed", report_changed(rep),
	    "reset", report_strlist(&rep->reset),
	    "unchanged", (json_int_t)rep->unchanged);
}
