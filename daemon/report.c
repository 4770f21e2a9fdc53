/*
 * report.c - what the control socket answers, as JSON (jansson).
 * The schema is written down in proto.h.
 */
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "futd.h"
#include "ctl.h"
#include "jsonw.h"

static json_t *
report_time(int64_t wall_us)
{
	return json_real((double)wall_us / 1e6);
}

static json_t *
report_addr(const union sockaddr_union *su)
{
	char buf[SOCKADDR_STRLEN];

	if (su->sa.sa_family == 0)
		return json_null();
	return json_string(sockaddr_format(su, buf, sizeof(buf)));
}

static json_t *
report_us(uint32_t us)
{
	return us == 0 ? json_null() : json_integer(us);
}

/* What the peer sent, printable: \xHH for the rest (JSON stays ASCII). */
static json_t *
report_bytes(const unsigned char *b, size_t n)
{
	char buf[RESULT_RECV_KEEP * 4 + 1];
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\')
			buf[o++] = (char)b[i];
		else if (b[i] == '\\') {
			buf[o++] = '\\';
			buf[o++] = '\\';
		} else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			    "\\x%02x", b[i]);
	}
	buf[o] = '\0';
	return json_string(buf);
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
 * One result: outcome, error, the phases (microseconds from the start; null
 * for a phase not reached), addresses.
 */
static json_t *
report_result(const struct probe_result *pr, int full)
{
	char msg[160];
	json_t *o;

	o = json_pack("{s:f, s:b, s:o, s:o, s:I, s:{s:o, s:o, s:o, s:o, s:I}}",
	    "time", (double)pr->wall_us / 1e6,
	    "ok", pr->error == PERR_NONE,
	    "error", pr->error == PERR_NONE ? json_null() :
	    json_string(probe_error_name(pr->error)),
	    "message", pr->error == PERR_NONE ? json_null() :
	    json_string(probe_result_message(pr, msg, sizeof(msg))),
	    "latency_us", (json_int_t)pr->latency_us,
	    "phases",
	    "resolve_us", report_us(pr->ph.resolve_us),
	    "connect_us", report_us(pr->ph.connect_us),
	    "write_us", report_us(pr->ph.write_us),
	    "first_byte_us", report_us(pr->ph.first_byte_us),
	    "total_us", (json_int_t)pr->latency_us);
	if (o == NULL)
		return NULL;
	/* where the address came from: the last result knows, history not */
	if (full)
		json_object_set_new(o, "dns",
		    pr->flags & RESULT_DNS_STALE ? json_string("stale") :
		    pr->flags & RESULT_DNS_CACHED ? json_string("cached") :
		    pr->ph.resolve_us > 0 ? json_string("fresh") : json_null());
	if (full && pr->tls != NULL) {
		json_object_set_new(json_object_get(o, "phases"), "handshake_us",
		    report_us(pr->ph.handshake_us));
		json_object_set_new(o, "tls", report_tls(pr->tls));
	}
	if (full) {
		json_object_set_new(o, "peer", report_addr(&pr->peer));
		json_object_set_new(o, "local", report_addr(&pr->local));
		json_object_set_new(o, "queued_us",
		    json_integer((json_int_t)pr->queued_us));
		if (pr->recv_len > 0 && pr->error != PERR_NONE) {
			json_object_set_new(o, "received",
			    report_bytes(pr->recv, pr->recv_len));
			json_object_set_new(o, "received_total",
			    json_integer(pr->recv_total));
		}
	}
	return o;
}

static json_t *
report_result_history(const struct results *r)
{
	struct hist_cursor c;
	struct probe_result pr;
	json_t *list, *o;

	if ((list = json_array()) == NULL)
		return NULL;
	results_cursor(&c, r);
	while (results_next(&c, &pr) == 0) {
		if ((o = report_result(&pr, 0)) == NULL ||
		    json_array_append_new(list, o) == -1) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

static json_t *
report_each(const struct results *r)
{
	json_t *list = json_array(), *o;
	unsigned i;

	for (i = 0; list != NULL && i < r->neach; i++) {
		const struct addr_result *a = &r->each[i];

		o = json_pack("{s:o, s:I, s:I, s:o}",
		    "address", report_addr(&a->addr),
		    "ok", (json_int_t)a->ok, "failed", (json_int_t)a->failed,
		    "last", a->have_last ? report_result(&a->last, 1) :
		    json_null());
		if (o != NULL)
			json_array_append_new(list, o);
	}
	return list;
}

/* The settings, as futd understood them (show). */
static json_t *
report_conf(const struct target_conf *tc)
{
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:o, s:f, s:I}",
	    "family", family_name(tc->family),
	    "addresses", addr_mode_name(tc->addrs),
	    "close", close_mode_name(tc->close),
	    "connect_timeout", tc->connect_timeout_us == 0 ? json_null() :
	    json_real(tc->connect_timeout_us / 1e6),
	    "jitter", tc->jitter_ppm / 1e4,
	    "read_limit", (json_int_t)tc->read_limit);
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "local_address", json_boolean(tc->local_addr));
	if (tc->kind == PROBE_HELLO)
		json_object_set_new(o, "payload_bytes",
		    json_integer((json_int_t)tc->payload_len));
	if (tc->expect != NULL)
		json_object_set_new(o, "expect",
		    report_bytes(tc->expect, tc->expect_len));
	if (tc->expect_regex != NULL)
		json_object_set_new(o, "expect_regex",
		    json_string(tc->expect_regex));
	if (tc->has_source)
		json_object_set_new(o, "source", report_addr(&tc->source));
	if (tc->tls != NULL)
		json_object_set_new(o, "tls", json_pack("{s:o, s:o, s:b, s:o,"
		    " s:o, s:i, s:i, s:s}",
		    "sni", report_opt_string(tc->tls->sni),
		    "alpn", report_opt_string(tc->tls->alpn_text),
		    "verify", tc->tls->verify,
		    "ca_file", report_opt_string(tc->tls->ca_file),
		    "min_version", tc->tls->min_version == 0 ? json_null() :
		    json_string(tc->tls->min_version == TLS1_3_VERSION ?
		    "1.3" : "1.2"),
		    "cert_warn_days", tc->tls->warn_days,
		    "cert_crit_days", tc->tls->crit_days,
		    "starttls", starttls_name(tc->tls->starttls)));
	return o;
}

static json_t *
report_ratio(const struct results *r, int window)
{
	double v;

	return results_availability(r, window, &v) == 0 ? json_real(v) :
	    json_null();
}

/* What an operator asks: how long in this state, how available, how fast. */
static void
report_operator(json_t *o, const struct target *tg)
{
	const struct results *r = &tg->res;
	struct results_stats st;
	uint64_t now = clock_mono_us();
	int64_t wall = clock_wall_us();
	json_t *stats;

	json_object_set_new(o, "for_s", r->state == TARGET_UNKNOWN ?
	    json_null() : json_real((wall - r->since_wall_us) / 1e6));
	json_object_set_new(o, "changes", json_integer((json_int_t)r->changes));
	json_object_set_new(o, "base_state",
	    json_string(target_state_name(r->state)));
	json_object_set_new(o, "next_probe_in_s",
	    tg->phase == TARGET_SLEEPING && tg->next_us > now ?
	    json_real((tg->next_us - now) / 1e6) :
	    tg->phase == TARGET_STOPPED ? json_null() : json_real(0));
	json_object_set_new(o, "availability", json_pack("{s:o, s:o, s:o}",
	    "lifetime", report_ratio(r, 0), "hour", report_ratio(r, 1),
	    "day", report_ratio(r, 2)));
	results_stats(r, &st);
	stats = json_pack("{s:i, s:i, s:o}", "results", st.count, "ok",
	    st.ok, "ok_ratio", st.count > 0 ?
	    json_real((double)st.ok / st.count) : json_null());
	if (stats != NULL && st.ok > 0) {
		json_object_set_new(stats, "min_us", json_integer(st.min_us));
		json_object_set_new(stats, "mean_us",
		    json_integer((json_int_t)(st.mean_us + 0.5)));
		json_object_set_new(stats, "p50_us", json_integer(st.p50_us));
		json_object_set_new(stats, "p95_us", json_integer(st.p95_us));
		json_object_set_new(stats, "p99_us", json_integer(st.p99_us));
		json_object_set_new(stats, "max_us", json_integer(st.max_us));
		json_object_set_new(stats, "jitter_us",
		    json_integer((json_int_t)(st.jitter_us + 0.5)));
	}
	json_object_set_new(o, "stats", stats);
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

json_t *
report_target(const struct target *tg, int with_history)
{
	struct target_conf tcbuf;
	const struct target_conf *tc = target_getconf(tg, &tcbuf);
	const struct results *r = &tg->res;
	struct probe_result lastbuf;
	const struct probe_result *last = target_last(tg, &lastbuf);
	char msg[160];
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:i, s:f, s:f, s:s, s:o,"
	    " s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o,"
	    " s:o}",
	    "name", tc->name,
	    "probe", probe_kind_name(tc->kind),
	    "host", tc->host,
	    "port", (int)tc->port,
	    "interval", tc->interval_us / 1e6,
	    "timeout", tc->timeout_us / 1e6,
	    "state", target_state_name(results_state(r)),
	    "since", r->state == TARGET_UNKNOWN ? json_null() :
	    report_time(r->since_wall_us),
	    "probes", (json_int_t)r->probes,
	    "ok", (json_int_t)r->ok,
	    "failed", (json_int_t)r->failed,
	    "late", (json_int_t)r->late,
	    "queued", (json_int_t)r->queued,
	    "queued_us", (json_int_t)r->queued_us,
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
	    "peer", last ? report_addr(&last->peer) : json_null(),
	    "last", last ? report_result(last, 1) : json_null());
	if (o == NULL)
		return NULL;
	report_operator(o, tg);
	if (tc->tls != NULL)
		json_object_set_new(o, "cert", report_cert(tg));
	if (r->neach > 0)
		json_object_set_new(o, "addresses", report_each(r));
	if (with_history) {
		json_object_set_new(o, "rise", json_integer(tc->rise));
		json_object_set_new(o, "fall", json_integer(tc->fall));
		json_object_set_new(o, "flap_threshold", json_integer(tc->flap));
		json_object_set_new(o, "config", report_conf(tc));
		if (json_object_set_new(o, "history",
		    report_result_history(r)) == -1) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* A JSON value jansson made (TLS details, each address): few targets have it */
static void
report_put_json(struct jsonw *jw, json_t *o)
{
	char *t = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	if (t != NULL)
		jsonw_raw(jw, t, strlen(t));
	else
		jsonw_lit(jw, "null");
	free(t);
	json_decref(o);
}

static void
report_put_ratio(struct jsonw *jw, const struct results *r, int window)
{
	double v;

	if (results_availability(r, window, &v) == 0)
		jsonw_g6(jw, v);
	else
		jsonw_lit(jw, "null");
}

/* a phase: "key":us, or null when not reached (key comes with its quotes) */
#define report_put_us(jw, key, us) do {					\
	jsonw_lit((jw), key ":");					\
	if ((us) == 0)							\
		jsonw_lit((jw), "null");				\
	else								\
		jsonw_u64((jw), (us));					\
} while (0)

/* The last result, as report_result(pr, 1) has it, printed. */
static void
report_put_last(struct jsonw *jw, const struct probe_result *pr)
{
	char msg[160];
	const char *dns;

	jsonw_lit(jw, "\"last\":{\"time\":");
	jsonw_g16_us(jw, pr->wall_us);
	if (pr->error == PERR_NONE)
		jsonw_lit(jw, ",\"ok\":true,\"error\":null,\"message\":null,");
	else {
		jsonw_lit(jw, ",\"ok\":false,\"error\":\"");
		jsonw_raw(jw, probe_error_name(pr->error),
		    strlen(probe_error_name(pr->error)));
		jsonw_lit(jw, "\",\"message\":");
		jsonw_str(jw, probe_result_message(pr, msg, sizeof(msg)));
		jsonw_lit(jw, ",");
	}
	jsonw_lit(jw, "\"latency_us\":");
	jsonw_u64(jw, pr->latency_us);
	jsonw_lit(jw, ",\"phases\":{");
	report_put_us(jw, "\"resolve_us\"", pr->ph.resolve_us);
	report_put_us(jw, ",\"connect_us\"", pr->ph.connect_us);
	report_put_us(jw, ",\"write_us\"", pr->ph.write_us);
	report_put_us(jw, ",\"first_byte_us\"", pr->ph.first_byte_us);
	if (pr->tls != NULL)
		report_put_us(jw, ",\"handshake_us\"", pr->ph.handshake_us);
	jsonw_lit(jw, ",\"total_us\":");
	jsonw_u64(jw, pr->latency_us);
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
		json_t *b = report_bytes(pr->recv, pr->recv_len);

		jsonw_lit(jw, ",\"received\":");
		jsonw_str(jw, b != NULL ? json_string_value(b) : "");
		jsonw_lit(jw, ",\"received_total\":");
		jsonw_u64(jw, pr->recv_total);
		json_decref(b);
	}
	/* TLS details, from jansson: TLS targets are the few */
	if (pr->tls != NULL) {
		jsonw_lit(jw, ",\"tls\":");
		report_put_json(jw, report_tls(pr->tls));
	}
	jsonw_lit(jw, "},");
}

/*
 * One target of `status`, written straight into the reply: what the table
 * and scripts need (`show` has the rest).  Printed rather than built with
 * jansson, and by hand rather than by printf (jsonw.c), because a status of
 * 100 000 targets must not take seconds.
 */
void
report_status_target(struct jsonw *jw, const struct target *tg)
{
	const struct target_conf_core *tc = &tg->conf;
	const struct results *r = &tg->res;
	struct probe_result lastbuf;
	const struct probe_result *last = target_last(tg, &lastbuf);
	struct results_stats st;
	uint64_t now = clock_mono_us();
	int64_t wall = clock_wall_us();
	const char *name;
	char msg[160];

	jsonw_lit(jw, "{\"name\":");
	jsonw_str(jw, tc->name);
	jsonw_lit(jw, ",\"probe\":\"");
	name = probe_kind_name(tc->kind);
	jsonw_raw(jw, name, strlen(name));
	jsonw_lit(jw, "\",\"host\":");
	jsonw_str(jw, tc->host);
	jsonw_lit(jw, ",\"port\":");
	jsonw_u64(jw, tc->port);
	jsonw_lit(jw, ",\"interval\":");
	jsonw_g16_us(jw, (int64_t)tc->interval_us);
	jsonw_lit(jw, ",\"timeout\":");
	jsonw_g16_us(jw, (int64_t)tc->timeout_us);
	jsonw_lit(jw, ",\"state\":\"");
	name = target_state_name(results_state(r));
	jsonw_raw(jw, name, strlen(name));
	jsonw_lit(jw, "\",\"base_state\":\"");
	name = target_state_name(r->state);
	jsonw_raw(jw, name, strlen(name));
	if (r->state == TARGET_UNKNOWN)
		jsonw_lit(jw, "\",\"since\":null,\"for_s\":null,");
	else {
		jsonw_lit(jw, "\",\"since\":");
		jsonw_g16_us(jw, r->since_wall_us);
		jsonw_lit(jw, ",\"for_s\":");
		jsonw_f6_us(jw, wall - r->since_wall_us);
		jsonw_lit(jw, ",");
	}
	jsonw_lit(jw, "\"changes\":");
	jsonw_u64(jw, r->changes);
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
	if (last == NULL)
		jsonw_lit(jw, ",\"last_time\":null,\"last_ok\":null,"
		    "\"last_error\":null,\"error\":null,"
		    "\"last_latency_us\":null,\"peer\":null,");
	else {
		jsonw_lit(jw, ",\"last_time\":");
		jsonw_g16_us(jw, last->wall_us);
		if (last->error == PERR_NONE)
			jsonw_lit(jw, ",\"last_ok\":true,\"last_error\":null,"
			    "\"error\":null,");
		else {
			jsonw_lit(jw, ",\"last_ok\":false,\"last_error\":");
			jsonw_str(jw, probe_result_message(last, msg,
			    sizeof(msg)));
			jsonw_lit(jw, ",\"error\":\"");
			name = probe_error_name(last->error);
			jsonw_raw(jw, name, strlen(name));
			jsonw_lit(jw, "\",");
		}
		jsonw_lit(jw, "\"last_latency_us\":");
		jsonw_u64(jw, last->latency_us);
		jsonw_lit(jw, ",\"peer\":");
		jsonw_addr(jw, &last->peer);
		jsonw_lit(jw, ",");
		report_put_last(jw, last);
	}
	jsonw_lit(jw, "\"next_probe_in_s\":");
	if (tg->phase == TARGET_SLEEPING && tg->next_us > now)
		jsonw_f6_us(jw, (int64_t)(tg->next_us - now));
	else if (tg->phase == TARGET_STOPPED)
		jsonw_lit(jw, "null");
	else
		jsonw_lit(jw, "0");
	jsonw_lit(jw, ",\"availability\":{\"lifetime\":");
	report_put_ratio(jw, r, 0);
	jsonw_lit(jw, ",\"hour\":");
	report_put_ratio(jw, r, 1);
	jsonw_lit(jw, ",\"day\":");
	report_put_ratio(jw, r, 2);
	results_stats(r, &st);
	jsonw_lit(jw, "},\"stats\":{\"results\":");
	jsonw_u64(jw, st.count);
	jsonw_lit(jw, ",\"ok\":");
	jsonw_u64(jw, st.ok);
	if (st.ok > 0) {
		jsonw_lit(jw, ",\"p50_us\":");
		jsonw_u64(jw, st.p50_us);
		jsonw_lit(jw, ",\"p99_us\":");
		jsonw_u64(jw, st.p99_us);
	}
	jsonw_lit(jw, "}");
	if (r->neach > 0) {
		jsonw_lit(jw, ",\"addresses\":");
		report_put_json(jw, report_each(r));
	}
	if (tc->tls != NULL) {
		jsonw_lit(jw, ",\"cert\":");
		report_put_json(jw, report_cert(tg));
	}
	jsonw_lit(jw, "}");
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
	if (ev->words[0] != '\0')
		json_object_set_new(o, "words", json_string(ev->words));
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

/* `probe NAME`: one result in full, with the phases a person reads. */
json_t *
report_probe_result(const struct target *tg, const struct probe_result *pr)
{
	(void)tg;
	return report_result(pr, 1);
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

json_t *
report_reload(const struct reload_report *rep)
{
	return json_pack("{s:i, s:o, s:o, s:o, s:I}",
	    "schema", FUTD_SCHEMA_VERSION,
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
