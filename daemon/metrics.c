/*
 * metrics.c - futd's figures in the Prometheus text exposition format
 * 0.0.4, or in OpenMetrics 1.0.
 *
 * Families, in this order (each family's samples together, every family
 * with its HELP and TYPE, whether or not it has samples):
 *
 *   the daemon's own
 *	futd_build_info{version}		1 (OpenMetrics: type info)
 *	futd_start_time_seconds			unix time
 *	futd_config_last_reload_successful	1 or 0
 *	futd_config_last_reload_success_timestamp_seconds
 *	futd_targets				this futd's targets (its shard)
 *	futd_probes_in_flight			probe contexts in use
 *	futd_late_probes_total			skipped slots, all targets ever
 *	futd_open_fds, futd_max_fds		/proc/self/fd, RLIMIT_NOFILE soft
 *	futd_io_uring				1: connects, closes via io_uring
 *
 *   per target, labels target, probe, host, port (in name order)
 *	futd_target_up				1 up, 0 down or not known yet
 *	futd_target_state{state}		1 for the current state of
 *						unknown, up, down, flapping,
 *						disabled; 0 for the four others
 *	futd_probes_total			probes started
 *	futd_probe_failures_total{error}	one series per error class that
 *						has occurred for the target
 *	futd_probe_late_total			slots skipped, still running
 *	futd_probe_duration_seconds{phase}	histogram of the successful
 *						probes: connect and total
 *	futd_target_last_success_timestamp_seconds	0: never
 *	futd_target_state_changes_total
 *
 *   per TLS target, from the last handshake that got as far as the
 *   server's certificate (none before one did, nor after a handshake
 *   failed short of it)
 *	futd_probe_tls_version_info{version,verify}	1 (type info)
 *	futd_probe_tls_leaf_cert_expiry_timestamp_seconds	the leaf's
 *						notAfter, unix seconds
 *	futd_probe_tls_earliest_cert_expiry_timestamp_seconds	the
 *						earliest notAfter of the
 *						certificates the server sent
 *
 *   per address of an addresses = "each" target, label address (the IP
 *   only: port is a label already), once the address has a result
 *	futd_address_up				its last probe succeeded
 *	futd_address_probes_total		probes of it
 *	futd_address_failures_total		... that failed
 *	futd_address_last_duration_seconds	how long its last one took
 *
 * Names: blackbox_exporter's probe_ssl_earliest_cert_expiry and
 * probe_tls_version_info under futd's prefix, times ending in
 * _timestamp_seconds as futd's others do; one series per TLS target, not
 * one per certificate of the chain.  The addresses are families of their
 * own, not an address label on the target's: those count rounds (a round
 * fails when one address does), and a label there would multiply each
 * target's histograms by its addresses.  A few series an address, as
 * many addresses as the resolver answers; a changed answer starts an
 * address's counters again.
 *
 * Failure classes: only those that occurred.  All twelve for every target
 * would be 1.2 million series at 100 000 targets, most of them zeros that
 * cannot happen to the probe kind (expect_mismatch for peeraddr).  The
 * price: a class's first failure makes its series appear at 1, which
 * rate() and increase() do not see; alert on futd_target_up or
 * futd_target_state, or on sum without (error) (...), not on one class
 * appearing.
 *
 * Buckets (results.c's lat_bucket_us, here in seconds): 100 us to 10 ms
 * resolves a LAN (loopback to a few switches: 0.0001 0.00025 0.0005 0.001
 * 0.0025 0.005 0.01), 10 ms to 2.5 s a WAN from the next city to the other
 * side of the world and a slow handshake (0.025 0.05 0.1 0.25 0.5 1 2.5);
 * slower goes to +Inf only.  1-2.5-5 steps keep the relative error of a
 * quantile estimate about the same across the range, 15 buckets per phase.
 *
 * Rendering is a cursor over (family, target name): metrics_stream_next()
 * renders about max bytes and answers 1 while there is more, so the HTTP
 * side can send 100 000 targets a chunk per reactor pass.  The cursor holds
 * the name of the last target rendered, not an index or a pointer: a
 * reload between two chunks (targets added, removed, the array replaced)
 * neither breaks it nor repeats a target.  The control socket streams it
 * the same way.
 *
 * Numbers are formatted by hand, not with printf: 45 samples per target,
 * 4.5 million at 100 000 targets, is where the time goes.  Seconds come
 * from microseconds as exact decimals ("0.00025", not 2.5e-04).
 */
#include <sys/resource.h>

#include <arpa/inet.h>

#include <event2/buffer.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "futd.h"
#include "metrics.h"
#include "probe.h"
#include "results.h"
#include "target.h"
#include "target_conf.h"
#include "tls.h"
#include "uring.h"


#define MB_SIZE		(64 * 1024)	/* reserved in out at a time */
#define NUM_MAX		32		/* a formatted number */

enum mf_type {
	MF_GAUGE,
	MF_COUNTER,
	MF_HISTOGRAM,
	MF_INFO,
};

/* One family: the daemon's samples or one target's samples. */
struct mfamily {
	const char	*name;		/* as exposed in 0.0.4 */
	enum mf_type	 type;
	const char	*unit;		/* OpenMetrics UNIT, or NULL */
	const char	*help;
	void		(*daemon)(struct metrics_stream *,
			    const struct daemon *);
	void		(*target)(struct metrics_stream *,
			    const struct target *);
};

struct metrics_stream {
	int		 om;		/* OpenMetrics */
	size_t		 fam;		/* family being rendered */
	int		 started;	/* its HELP and TYPE are out */
	char		*after;		/* last target rendered in it */
	size_t		 aftercap;
	int		 done;
	/* output */
	struct evbuffer	*out;
	struct evbuffer_iovec v;	/* reserved at its end */
	size_t		 used, room;	/* of v */
	size_t		 flushed;	/* committed, this call */
	int		 error;
	/* the current target's labels, escaped when a sample needs them */
	const struct target *tg;
	int		 labeled;
	char		*lab;
	size_t		 lablen, labcap;
	/* label pairs made once: le="0.00025", error="refused" */
	char		 le[LAT_BUCKETS][NUM_MAX + 8];
	char		 err[PERR__MAX][48];
};

/*
 * output: written straight into space reserved at the end of out, no
 * staging copy; committed when full and at the end of a call.
 */

static void
mb_commit(struct metrics_stream *ms)
{
	if (ms->v.iov_base == NULL)
		return;
	ms->v.iov_len = ms->used;
	if (evbuffer_commit_space(ms->out, &ms->v, 1) == -1)
		ms->error = 1;
	ms->flushed += ms->used;
	ms->v.iov_base = NULL;
	ms->used = ms->room = 0;
}

/* room for n more bytes, or ms->error */
static int
mb_reserve(struct metrics_stream *ms, size_t n)
{
	if (n <= ms->room - ms->used)
		return 0;
	mb_commit(ms);
	if (ms->error || evbuffer_reserve_space(ms->out,
	    (ev_ssize_t)(n > MB_SIZE ? n : MB_SIZE), &ms->v, 1) != 1) {
		ms->error = 1;
		return -1;
	}
	ms->room = ms->v.iov_len;
	return 0;
}

static void
mb_put(struct metrics_stream *ms, const char *s, size_t n)
{
	if (mb_reserve(ms, n) == -1)
		return;
	memcpy((char *)ms->v.iov_base + ms->used, s, n);
	ms->used += n;
}

#define mb_lit(ms, s)	mb_put((ms), (s), sizeof(s) - 1)

static void
mb_str(struct metrics_stream *ms, const char *s)
{
	mb_put(ms, s, strlen(s));
}

/* bytes out this call, committed or not */
static size_t
mb_bytes(const struct metrics_stream *ms)
{
	return ms->flushed + ms->used;
}

/* numbers */

static size_t
fmt_u64(char *p, uint64_t v)
{
	char tmp[NUM_MAX];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	p[n] = '\0';
	return n;
}

/*
 * Microseconds as seconds, exactly: "12.5", "0.00025", "3".  OpenMetrics
 * wants its bucket bounds canonical ("1.0"): dot then says so.
 */
static size_t
fmt_us_seconds(char *p, int64_t us, int dot)
{
	uint64_t u, frac;
	size_t n = 0;
	int i, digits = 6;

	if (us < 0) {
		p[n++] = '-';
		u = (uint64_t)0 - (uint64_t)us;
	} else
		u = (uint64_t)us;
	n += fmt_u64(p + n, u / 1000000);
	frac = u % 1000000;
	if (frac == 0) {
		if (dot) {
			memcpy(p + n, ".0", 3);
			n += 2;
		}
		return n;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	p[n++] = '.';
	for (i = digits - 1; i >= 0; i--) {
		p[n + (size_t)i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	n += (size_t)digits;
	p[n] = '\0';
	return n;
}

static void
mb_u64(struct metrics_stream *ms, uint64_t v)
{
	char num[NUM_MAX];

	mb_put(ms, num, fmt_u64(num, v));
}

/* HELP, TYPE (and UNIT): OpenMetrics names a family without its suffix. */
static void
mb_family(struct metrics_stream *ms, const struct mfamily *f)
{
	static const char *const types[] = {
		[MF_GAUGE] = "gauge",
		[MF_COUNTER] = "counter",
		[MF_HISTOGRAM] = "histogram",
		[MF_INFO] = "info",
	};
	size_t n = strlen(f->name);
	const char *type = types[f->type];

	if (ms->om && f->type == MF_COUNTER)
		n -= strlen("_total");
	else if (ms->om && f->type == MF_INFO)
		n -= strlen("_info");
	else if (!ms->om && f->type == MF_INFO)
		type = "gauge";
	mb_lit(ms, "# HELP ");
	mb_put(ms, f->name, n);
	mb_lit(ms, " ");
	mb_str(ms, f->help);
	mb_lit(ms, "\n# TYPE ");
	mb_put(ms, f->name, n);
	mb_lit(ms, " ");
	mb_str(ms, type);
	mb_lit(ms, "\n");
	if (ms->om && f->unit != NULL) {
		mb_lit(ms, "# UNIT ");
		mb_put(ms, f->name, n);
		mb_lit(ms, " ");
		mb_str(ms, f->unit);
		mb_lit(ms, "\n");
	}
}

static void	ms_labels(struct metrics_stream *, const struct target *);

/*
 * One sample's name and labels: name{the target's labels,extra,extra2}
 * and the space before the value.  labels: 0 none, 1 the target's; each
 * extra is k="v" already escaped, or NULL.
 */
static void
mb_begin(struct metrics_stream *ms, const char *name, int labels,
    const char *extra, const char *extra2)
{
	const char *sep = "";

	mb_str(ms, name);
	if (!labels && extra == NULL) {
		mb_lit(ms, " ");
		return;
	}
	mb_lit(ms, "{");
	if (labels) {
		/* a target without samples in a family costs nothing there */
		if (!ms->labeled) {
			ms_labels(ms, ms->tg);
			ms->labeled = 1;
		}
		mb_put(ms, ms->lab, ms->lablen);
		sep = ",";
	}
	if (extra != NULL) {
		mb_str(ms, sep);
		mb_str(ms, extra);
		sep = ",";
	}
	if (extra2 != NULL) {
		mb_str(ms, sep);
		mb_str(ms, extra2);
	}
	mb_lit(ms, "} ");
}

static void
mb_sample_u64(struct metrics_stream *ms, const char *name, int labels,
    const char *extra, uint64_t v)
{
	mb_begin(ms, name, labels, extra, NULL);
	mb_u64(ms, v);
	mb_lit(ms, "\n");
}

static void
mb_sample_sec(struct metrics_stream *ms, const char *name, int labels,
    const char *extra, int64_t us)
{
	char num[NUM_MAX];

	mb_begin(ms, name, labels, extra, NULL);
	mb_put(ms, num, fmt_us_seconds(num, us, 0));
	mb_lit(ms, "\n");
}

/* whole unix seconds (a certificate's notAfter may be before 1970) */
static void
mb_sample_time(struct metrics_stream *ms, const char *name, int labels,
    int64_t s)
{
	mb_begin(ms, name, labels, NULL, NULL);
	if (s < 0)
		mb_lit(ms, "-");
	mb_u64(ms, s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s);
	mb_lit(ms, "\n");
}

/* s with backslash, double quote and newline escaped, as both formats say */
static size_t
ms_escape(char *p, const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"') {
			p[n++] = '\\';
			p[n++] = *s;
		} else if (*s == '\n') {
			p[n++] = '\\';
			p[n++] = 'n';
		} else
			p[n++] = *s;
	}
	return n;
}

/* key="value", escaped, into buf; "?" for a value it could not hold */
static void
ms_label_pair(char *buf, size_t len, const char *key, const char *value)
{
	size_t n = strlen(key);

	if (n + 4 + 2 * strlen(value) > len)
		value = "?";
	memcpy(buf, key, n);
	buf[n++] = '=';
	buf[n++] = '"';
	n += ms_escape(buf + n, value);
	buf[n++] = '"';
	buf[n] = '\0';
}

/*
 * The target's labels, escaped once for all its samples of a family (at
 * its first).  Out of memory fails the whole render.
 */
static void
ms_labels(struct metrics_stream *ms, const struct target *tg)
{
	const struct target_conf_core *tc = &tg->conf;
	size_t len, need;
	char *p, port[NUM_MAX];
	const char *parts[4];
	const char *keys[4] = { "target=\"", "\",probe=\"", "\",host=\"",
	    "\",port=\"" };
	int i;

	parts[0] = tc->name;
	parts[1] = probe_kind_name(tc->kind);
	parts[2] = tc->host != NULL ? tc->host : "";
	fmt_u64(port, tc->port);
	parts[3] = port;
	/* worst case: every character escaped */
	need = 64;
	for (i = 0; i < 4; i++)
		need += strlen(keys[i]) + 2 * strlen(parts[i]);
	if (need > ms->labcap) {
		if ((p = realloc(ms->lab, need)) == NULL) {
			ms->error = 1;
			ms->lablen = 0;
			return;
		}
		ms->lab = p;
		ms->labcap = need;
	}
	len = 0;
	for (i = 0; i < 4; i++) {
		memcpy(ms->lab + len, keys[i], strlen(keys[i]));
		len += strlen(keys[i]);
		len += ms_escape(ms->lab + len, parts[i]);
	}
	ms->lab[len++] = '"';
	ms->lablen = len;
}

/* the daemon's families */

static void
fam_build_info(struct metrics_stream *ms, const struct daemon *d)
{
	(void)d;
	mb_sample_u64(ms, "futd_build_info", 0,
	    "version=\"" FUTD_VERSION "\"", 1);
}

static void
fam_start_time(struct metrics_stream *ms, const struct daemon *d)
{
	mb_sample_sec(ms, "futd_start_time_seconds", 0, NULL,
	    d->start_wall_us);
}

/* The last reload and the last good config (the start counts as one). */
static void
ms_reload(const struct daemon *d, int *ok, int64_t *ok_wall_us)
{
	*ok = !d->reload_failed;
	*ok_wall_us = d->conf_ok_wall_us;
}

static void
fam_reload_ok(struct metrics_stream *ms, const struct daemon *d)
{
	int64_t when;
	int ok;

	ms_reload(d, &ok, &when);
	mb_sample_u64(ms, "futd_config_last_reload_successful", 0, NULL,
	    (uint64_t)ok);
}

static void
fam_reload_time(struct metrics_stream *ms, const struct daemon *d)
{
	int64_t when;
	int ok;

	ms_reload(d, &ok, &when);
	mb_sample_sec(ms, "futd_config_last_reload_success_timestamp_seconds",
	    0, NULL, when);
}

static void
fam_targets(struct metrics_stream *ms, const struct daemon *d)
{
	mb_sample_u64(ms, "futd_targets", 0, NULL, d->ntargets);
}

static void
fam_in_flight(struct metrics_stream *ms, const struct daemon *d)
{
	mb_sample_u64(ms, "futd_probes_in_flight", 0, NULL, d->pc_used);
}

static void
fam_late_all(struct metrics_stream *ms, const struct daemon *d)
{
	mb_sample_u64(ms, "futd_late_probes_total", 0, NULL, d->late_total);
}

/* Entries of /proc/self/fd but the directory's own descriptor. */
static void
fam_open_fds(struct metrics_stream *ms, const struct daemon *d)
{
	struct dirent *de;
	uint64_t n = 0;
	DIR *dir;
	int self;

	(void)d;
	if ((dir = opendir("/proc/self/fd")) == NULL)
		return;
	self = dirfd(dir);
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.' && atoi(de->d_name) != self)
			n++;
	closedir(dir);
	mb_sample_u64(ms, "futd_open_fds", 0, NULL, n);
}

static void
fam_max_fds(struct metrics_stream *ms, const struct daemon *d)
{
	struct rlimit rl;

	(void)d;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	mb_sample_u64(ms, "futd_max_fds", 0, NULL,
	    rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur);
}

/* 0 where the kernel refused a ring, or under -U (uring.c) */
static void
fam_io_uring(struct metrics_stream *ms, const struct daemon *d)
{
	(void)d;
	mb_sample_u64(ms, "futd_io_uring", 0, NULL, (uint64_t)uring_is_on());
}

/* the targets' families */

static void
fam_up(struct metrics_stream *ms, const struct target *tg)
{
	mb_sample_u64(ms, "futd_target_up", 1, NULL,
	    tg->res.state == TARGET_UP);
}

static void
fam_state(struct metrics_stream *ms, const struct target *tg)
{
	static const char *const states[] = {
		[TARGET_UNKNOWN] = "state=\"unknown\"",
		[TARGET_UP] = "state=\"up\"",
		[TARGET_DOWN] = "state=\"down\"",
		[TARGET_FLAPPING] = "state=\"flapping\"",
		[TARGET_DISABLED] = "state=\"disabled\"",
	};
	enum target_state now = results_state(&tg->res);
	unsigned s;

	for (s = TARGET_UNKNOWN; s <= TARGET_STATE_LAST; s++)
		mb_sample_u64(ms, "futd_target_state", 1, states[s], s == now);
}

static void
fam_probes(struct metrics_stream *ms, const struct target *tg)
{
	mb_sample_u64(ms, "futd_probes_total", 1, NULL, tg->res.probes);
}

static void
fam_failures(struct metrics_stream *ms, const struct target *tg)
{
	unsigned e;

	for (e = PERR_NONE + 1; e < PERR__MAX; e++)
		if (results_errors(&tg->res, e) > 0)
			mb_sample_u64(ms, "futd_probe_failures_total", 1,
			    ms->err[e], results_errors(&tg->res, e));
}

static void
fam_late(struct metrics_stream *ms, const struct target *tg)
{
	mb_sample_u64(ms, "futd_probe_late_total", 1, NULL, tg->res.late);
}

static void
fam_duration(struct metrics_stream *ms, const struct target *tg)
{
	static const char *const phases[LAT__MAX] = {
		[LAT_CONNECT] = "phase=\"connect\"",
		[LAT_TOTAL] = "phase=\"total\"",
	};
	uint64_t cum;
	unsigned p, i;

	for (p = 0; p < LAT__MAX; p++) {
		cum = 0;
		for (i = 0; i < LAT_BUCKETS; i++) {
			cum += results_lat_count(&tg->res, p, i);
			mb_begin(ms, "futd_probe_duration_seconds_bucket", 1,
			    phases[p], ms->le[i]);
			mb_u64(ms, cum);
			mb_lit(ms, "\n");
		}
		mb_sample_sec(ms, "futd_probe_duration_seconds_sum", 1,
		    phases[p], (int64_t)results_lat_sum_us(&tg->res, p));
		mb_sample_u64(ms, "futd_probe_duration_seconds_count", 1,
		    phases[p], cum);
	}
}

static void
fam_last_ok(struct metrics_stream *ms, const struct target *tg)
{
	mb_sample_sec(ms, "futd_target_last_success_timestamp_seconds", 1,
	    NULL, tg->res.last_ok_wall_us);
}

static void
fam_changes(struct metrics_stream *ms, const struct target *tg)
{
	mb_sample_u64(ms, "futd_target_state_changes_total", 1, NULL,
	    tg->res.changes);
}

/*
 * TLS targets: what the last handshake that got as far as the server's
 * certificate told (a verification that failed too: that is news).
 */
static const struct tls_info *
ms_tls(const struct target *tg)
{
	const struct tls_info *ti = tg->tls_info;

	return ti != NULL && (ti->done || ti->not_after != 0) ? ti : NULL;
}

static void
fam_tls_version(struct metrics_stream *ms, const struct target *tg)
{
	const struct tls_info *ti = ms_tls(tg);
	char version[64], verify[64];

	if (ti == NULL)
		return;
	ms_label_pair(version, sizeof(version), "version", ti->version);
	ms_label_pair(verify, sizeof(verify), "verify", tls_verify_class(ti));
	mb_begin(ms, "futd_probe_tls_version_info", 1, version, verify);
	mb_lit(ms, "1\n");
}

static void
fam_tls_leaf(struct metrics_stream *ms, const struct target *tg)
{
	const struct tls_info *ti = ms_tls(tg);

	if (ti != NULL && ti->not_after != 0)
		mb_sample_time(ms,
		    "futd_probe_tls_leaf_cert_expiry_timestamp_seconds", 1,
		    ti->not_after);
}

static void
fam_tls_earliest(struct metrics_stream *ms, const struct target *tg)
{
	const struct tls_info *ti = ms_tls(tg);

	if (ti != NULL && ti->chain_not_after != 0)
		mb_sample_time(ms,
		    "futd_probe_tls_earliest_cert_expiry_timestamp_seconds", 1,
		    ti->chain_not_after);
}

/*
 * addresses = "each": address i of the target's last answer, as its label
 * pair in buf; NULL while it has no result (a new answer).
 */
static const struct addr_result *
ms_each(const struct target *tg, unsigned i, char *buf, size_t len)
{
	const struct addr_result *a = &tg->res.each[i];
	char ip[INET6_ADDRSTRLEN];
	const void *src;

	if (tg->conf.addrs != ADDRS_EACH || !a->have_last)
		return NULL;
	if (a->addr.sa.sa_family == AF_INET)
		src = &a->addr.sin.sin_addr;
	else if (a->addr.sa.sa_family == AF_INET6)
		src = &a->addr.sin6.sin6_addr;
	else
		return NULL;
	if (inet_ntop(a->addr.sa.sa_family, src, ip, sizeof(ip)) == NULL)
		return NULL;
	ms_label_pair(buf, len, "address", ip);
	return a;
}

enum addr_figure { ADDR_UP, ADDR_PROBES, ADDR_FAILURES, ADDR_DURATION };

static void
ms_addresses(struct metrics_stream *ms, const struct target *tg,
    const char *name, enum addr_figure fig)
{
	const struct addr_result *a;
	char lab[2 * INET6_ADDRSTRLEN + 16];
	unsigned i;

	for (i = 0; i < tg->res.neach; i++) {
		if ((a = ms_each(tg, i, lab, sizeof(lab))) == NULL)
			continue;
		if (fig == ADDR_DURATION)
			mb_sample_sec(ms, name, 1, lab,
			    (int64_t)a->last.latency_us);
		else
			mb_sample_u64(ms, name, 1, lab, fig == ADDR_UP ?
			    a->last.error == PERR_NONE : fig == ADDR_PROBES ?
			    a->ok + a->failed : a->failed);
	}
}

static void
fam_addr_up(struct metrics_stream *ms, const struct target *tg)
{
	ms_addresses(ms, tg, "futd_address_up", ADDR_UP);
}

static void
fam_addr_probes(struct metrics_stream *ms, const struct target *tg)
{
	ms_addresses(ms, tg, "futd_address_probes_total", ADDR_PROBES);
}

static void
fam_addr_failures(struct metrics_stream *ms, const struct target *tg)
{
	ms_addresses(ms, tg, "futd_address_failures_total", ADDR_FAILURES);
}

static void
fam_addr_duration(struct metrics_stream *ms, const struct target *tg)
{
	ms_addresses(ms, tg, "futd_address_last_duration_seconds",
	    ADDR_DURATION);
}

/*
 * A target with steps: how long each step of its last probe took, those
 * it reached (a failed one up to its end), labelled by number and kind.
 */
static void
fam_step_duration(struct metrics_stream *ms, const struct target *tg)
{
	const struct target_rare *rare = tg->rare;
	const struct probe_result *last;
	struct probe_result buf;
	char step[32], kind[32], n[NUM_MAX], num[NUM_MAX];
	uint32_t start, end;
	unsigned i;

	if (rare == NULL || rare->step_us == NULL ||
	    (last = target_last(tg, &buf)) == NULL)
		return;
	start = rare->step_us[0];
	for (i = 0; i < rare->steps->n; i++) {
		end = rare->step_us[i + 1];
		if (end == 0) {
			/* the step that failed ends with the probe */
			if (last->step != i + 1)
				break;
			end = last->latency_us;
		}
		fmt_u64(n, i + 1);
		ms_label_pair(step, sizeof(step), "step", n);
		ms_label_pair(kind, sizeof(kind), "kind",
		    step_kind_name(rare->steps->s[i].kind));
		mb_begin(ms, "futd_probe_step_duration_seconds", 1, step,
		    kind);
		mb_put(ms, num, fmt_us_seconds(num, (int64_t)(end >= start ?
		    end - start : 0), 0));
		mb_lit(ms, "\n");
		if (rare->step_us[i + 1] == 0)
			break;
		start = end;
	}
}

static const struct mfamily mfamilies[] = {
	{ "futd_build_info", MF_INFO, NULL,
	    "The version of futd; the value is always 1.",
	    fam_build_info, NULL },
	{ "futd_start_time_seconds", MF_GAUGE, "seconds",
	    "When futd started, in unix seconds.",
	    fam_start_time, NULL },
	{ "futd_config_last_reload_successful", MF_GAUGE, NULL,
	    "Whether the last reload was taken (1) or refused, the previous "
	    "configuration still running (0).",
	    fam_reload_ok, NULL },
	{ "futd_config_last_reload_success_timestamp_seconds", MF_GAUGE,
	    "seconds",
	    "When the running configuration was loaded, in unix seconds.",
	    fam_reload_time, NULL },
	{ "futd_targets", MF_GAUGE, NULL,
	    "Targets this futd probes (its shard of the configuration).",
	    fam_targets, NULL },
	{ "futd_probes_in_flight", MF_GAUGE, NULL,
	    "Probes running now.",
	    fam_in_flight, NULL },
	{ "futd_late_probes_total", MF_COUNTER, NULL,
	    "Probe slots skipped because the previous probe still ran, "
	    "summed over the current targets.",
	    fam_late_all, NULL },
	{ "futd_open_fds", MF_GAUGE, NULL,
	    "Open file descriptors.",
	    fam_open_fds, NULL },
	{ "futd_max_fds", MF_GAUGE, NULL,
	    "The limit of open file descriptors (RLIMIT_NOFILE, soft).",
	    fam_max_fds, NULL },
	{ "futd_io_uring", MF_GAUGE, NULL,
	    "Whether the probes' connects and closes go through io_uring (1) "
	    "or a system call each (0: futd -U, or the kernel refused a ring).",
	    fam_io_uring, NULL },
	{ "futd_target_up", MF_GAUGE, NULL,
	    "Whether the target is up (1) or not (0: down, or no result "
	    "yet; futd_target_state tells them apart).",
	    NULL, fam_up },
	{ "futd_target_state", MF_GAUGE, NULL,
	    "The target's state: 1 for the current one of unknown, up, down, "
	    "flapping and disabled (by futctl disable), 0 for the others.",
	    NULL, fam_state },
	{ "futd_probes_total", MF_COUNTER, NULL,
	    "Probes started.",
	    NULL, fam_probes },
	{ "futd_probe_failures_total", MF_COUNTER, NULL,
	    "Failed probes by error class; a class appears once it occurred.",
	    NULL, fam_failures },
	{ "futd_probe_late_total", MF_COUNTER, NULL,
	    "Probe slots skipped because the previous probe still ran.",
	    NULL, fam_late },
	{ "futd_probe_duration_seconds", MF_HISTOGRAM, "seconds",
	    "How long successful probes took: to connected (phase connect) "
	    "and to their end (phase total).",
	    NULL, fam_duration },
	{ "futd_target_last_success_timestamp_seconds", MF_GAUGE, "seconds",
	    "When the last successful probe ended, in unix seconds (0: "
	    "never).",
	    NULL, fam_last_ok },
	{ "futd_target_state_changes_total", MF_COUNTER, NULL,
	    "Changes of state between up and down.",
	    NULL, fam_changes },
	{ "futd_probe_tls_version_info", MF_INFO, NULL,
	    "The TLS version of the last handshake that reached the "
	    "server's certificate, and how its verification ended (verify: "
	    "ok, expired, not_yet_valid, self_signed, unknown_issuer, "
	    "name_mismatch, revoked, invalid); the value is always 1.",
	    NULL, fam_tls_version },
	{ "futd_probe_tls_leaf_cert_expiry_timestamp_seconds", MF_GAUGE,
	    "seconds",
	    "When the server's certificate (the leaf) expires: its notAfter, "
	    "in unix seconds.",
	    NULL, fam_tls_leaf },
	{ "futd_probe_tls_earliest_cert_expiry_timestamp_seconds", MF_GAUGE,
	    "seconds",
	    "The earliest notAfter of the certificates the server sent (the "
	    "leaf and its chain), in unix seconds.",
	    NULL, fam_tls_earliest },
	{ "futd_probe_step_duration_seconds", MF_GAUGE, "seconds",
	    "A target with steps: how long each step of its last probe took, "
	    "by its number from 1 and its kind (send, expect, tls); a failed "
	    "step until the probe ended, none after it.",
	    NULL, fam_step_duration },
	{ "futd_address_up", MF_GAUGE, NULL,
	    "A target's address (addresses = each): whether its last probe "
	    "succeeded (1) or not (0).",
	    NULL, fam_addr_up },
	{ "futd_address_probes_total", MF_COUNTER, NULL,
	    "A target's address (addresses = each): its probes.",
	    NULL, fam_addr_probes },
	{ "futd_address_failures_total", MF_COUNTER, NULL,
	    "A target's address (addresses = each): its failed probes.",
	    NULL, fam_addr_failures },
	{ "futd_address_last_duration_seconds", MF_GAUGE, "seconds",
	    "A target's address (addresses = each): how long its last probe "
	    "took, failed or not.",
	    NULL, fam_addr_duration },
};

#define NFAMILIES	(sizeof(mfamilies) / sizeof(mfamilies[0]))

/* the cursor */

struct metrics_stream *
metrics_stream_new(int openmetrics)
{
	struct metrics_stream *ms;
	char num[NUM_MAX];
	unsigned i;

	if ((ms = calloc(1, sizeof(*ms))) == NULL)
		return NULL;
	ms->om = openmetrics != 0;
	for (i = 0; i < LAT_BUCKETS; i++) {
		if (i < LAT_BUCKETS - 1)
			fmt_us_seconds(num, lat_bucket_us[i], ms->om);
		else
			memcpy(num, "+Inf", 5);
		snprintf(ms->le[i], sizeof(ms->le[i]), "le=\"%s\"", num);
	}
	for (i = 0; i < PERR__MAX; i++)
		snprintf(ms->err[i], sizeof(ms->err[i]), "error=\"%s\"",
		    probe_error_name((enum probe_error)i));
	return ms;
}

void
metrics_stream_free(struct metrics_stream *ms)
{
	if (ms == NULL)
		return;
	free(ms->after);
	free(ms->lab);
	free(ms);
}

/* The first target whose name sorts after name (targets are by name). */
static size_t
ms_resume(const struct daemon *d, const char *name)
{
	size_t lo = 0, hi = d->ntargets, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(d->targets[mid]->conf.name, name) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
ms_remember(struct metrics_stream *ms, const char *name)
{
	size_t n = strlen(name) + 1;
	char *p;

	if (n > ms->aftercap) {
		if ((p = realloc(ms->after, n)) == NULL)
			return -1;
		ms->after = p;
		ms->aftercap = n;
	}
	memcpy(ms->after, name, n);
	return 0;
}

/*
 * Render the next max bytes or so into out (at least one target's samples
 * of one family, whole).  1: more to come; 0: done, the end written
 * (OpenMetrics: "# EOF"); -1: out of memory (what was added to out is not
 * a valid exposition).
 */
int
metrics_stream_next(struct metrics_stream *ms, const struct daemon *d,
    struct evbuffer *out, size_t max)
{
	const struct mfamily *f;
	size_t i;
	int more = 0;

	if (ms->done)
		return 0;
	ms->out = out;
	ms->flushed = 0;
	while (ms->fam < NFAMILIES && !more && !ms->error) {
		f = &mfamilies[ms->fam];
		if (!ms->started) {
			mb_family(ms, f);
			if (f->daemon != NULL)
				f->daemon(ms, d);
			ms->started = 1;
			i = 0;
		} else
			i = ms_resume(d, ms->after);
		for (; f->target != NULL && i < d->ntargets; i++) {
			ms->tg = d->targets[i];
			ms->labeled = 0;
			f->target(ms, d->targets[i]);
			if (mb_bytes(ms) >= max && i + 1 < d->ntargets)
				break;
		}
		if (f->target != NULL && i < d->ntargets) {
			/* stopped after target i: go on after its name */
			if (ms_remember(ms, d->targets[i]->conf.name) == -1)
				ms->error = 1;
			more = 1;
			break;
		}
		ms->fam++;
		ms->started = 0;
		more = mb_bytes(ms) >= max && ms->fam < NFAMILIES;
	}
	if (!more && !ms->error) {
		if (ms->om)
			mb_lit(ms, "# EOF\n");
		ms->done = 1;
	}
	mb_commit(ms);
	ms->out = NULL;
	return ms->error ? -1 : more;
}
