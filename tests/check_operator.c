/*
 * check_operator.c - the operator suite: what a person running futd sees
 * of its policies and of futctl's answers.
 *
 * Units (linked against the daemon's objects): rise and fall, flapping,
 * latency statistics, availability, the folding of repeated events.
 *
 * System (the real futd, futctl, on loopback only; every wait bounded;
 * every process stopped by its pid at teardown, every directory removed):
 * state changes and flapping end to end, `futctl log -f`, the exit codes
 * of `futctl probe` and `futctl check`, the "schema" of the JSON output,
 * and `shard = "K/N"` splitting one target list.
 *
 * A switchable server: the test holds a port (bound, never listening,
 * SO_REUSEADDR) for its whole run, and switches a listener on that port
 * on and off; while off, connects are refused, and no one else can take
 * the port meanwhile.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <jansson.h>

#include "events.h"
#include "log.h"
#include "probe.h"
#include "results.h"
#include "sys.h"
#include "tests.h"

#define OP_TIMEOUT_S		30	/* per system test; ~2 s each here */
#define OP_STEP_MS		25	/* between two looks at futd */
#define OP_CHANGE_MS		3000	/* a state change at interval 0.1 */
#define OP_FOLLOW_MS		1000	/* an event reaches `log -f` */

/* unit tests */

static struct results r;

static void
results_setup(void)
{
	memset(&r, 0, sizeof(r));
}

static void
results_teardown(void)
{
	results_free(&r);
}

/* The i-th probe of a test: started at i + 1 s, took lat us. */
#define WALL(i)		((int64_t)((i) + 1) * 1000000)

static unsigned	op_i;		/* probes recorded so far */

static enum target_state
rec(int ok, uint32_t lat)
{
	struct probe_result pr;

	memset(&pr, 0, sizeof(pr));
	pr.wall_us = WALL(op_i);
	pr.latency_us = lat;
	pr.connect_us = lat;
	pr.ph.connect_us = lat;
	pr.ph.total_us = lat;
	pr.error = ok ? PERR_NONE : PERR_REFUSED;
	pr.sys_err = ok ? 0 : ECONNREFUSED;
	op_i++;
	return results_record(&r, &pr);
}

/*
 * 1. rise 2, fall 3: the first result decides from unknown; then only a
 * streak against the state changes it, and "since" moves only then.
 */
START_TEST(test_rise_fall)
{
	int64_t since;

	op_i = 0;
	ck_assert_int_eq(results_init(&r, 16), 0);
	results_set_policy(&r, 2, 3, 4);
	ck_assert_uint_eq(r.rise, 2);
	ck_assert_uint_eq(r.fall, 3);
	ck_assert_uint_eq(r.flap, 4);

	/* unknown: one success decides */
	ck_assert_int_eq(rec(1, 100), TARGET_UP);
	ck_assert_int_eq(results_state(&r), TARGET_UP);
	ck_assert_uint_eq(r.changes, 0);	/* from unknown is no change */
	ck_assert_int_eq(r.since_wall_us, WALL(0) + 100);
	since = r.since_wall_us;

	/* a single failure between successes does nothing */
	ck_assert_int_eq(rec(0, 50), TARGET_UP);
	ck_assert_int_eq(rec(1, 100), TARGET_UP);
	/* two failures, a success: the streak starts again */
	ck_assert_int_eq(rec(0, 50), TARGET_UP);
	ck_assert_int_eq(rec(0, 50), TARGET_UP);
	ck_assert_int_eq(rec(1, 100), TARGET_UP);
	ck_assert_int_eq(r.since_wall_us, since);
	ck_assert_uint_eq(r.changes, 0);

	/* three in a row: down, at the end of the third */
	ck_assert_int_eq(rec(0, 50), TARGET_UP);
	ck_assert_int_eq(rec(0, 50), TARGET_UP);
	ck_assert_int_eq(r.since_wall_us, since);
	ck_assert_int_eq(rec(0, 70), TARGET_DOWN);
	ck_assert_int_eq(results_state(&r), TARGET_DOWN);
	ck_assert_uint_eq(r.changes, 1);
	ck_assert_int_eq(r.since_wall_us, WALL(op_i - 1) + 70);
	since = r.since_wall_us;

	/* down: one success is not enough, a failure resets the streak */
	ck_assert_int_eq(rec(1, 100), TARGET_DOWN);
	ck_assert_int_eq(rec(0, 50), TARGET_DOWN);
	ck_assert_int_eq(rec(1, 100), TARGET_DOWN);
	ck_assert_int_eq(r.since_wall_us, since);
	ck_assert_uint_eq(r.changes, 1);
	ck_assert_int_eq(rec(1, 300), TARGET_UP);
	ck_assert_uint_eq(r.changes, 2);
	ck_assert_int_eq(r.since_wall_us, WALL(op_i - 1) + 300);

	/* the counters saw every result */
	ck_assert_uint_eq(r.ok, 6);
	ck_assert_uint_eq(r.failed, 7);
	ck_assert_int_eq(results_state(&r), TARGET_UP);
}
END_TEST

/* The first failure decides from unknown too, whatever fall says. */
START_TEST(test_first_failure_decides)
{
	op_i = 0;
	ck_assert_int_eq(results_init(&r, 16), 0);
	results_set_policy(&r, 2, 3, 0);
	ck_assert_int_eq(results_state(&r), TARGET_UNKNOWN);
	ck_assert_int_eq(rec(0, 10), TARGET_DOWN);
	ck_assert_int_eq(r.since_wall_us, WALL(0) + 10);
	ck_assert_uint_eq(r.changes, 0);
}
END_TEST

/*
 * 2. flap threshold 2, history 16: a third change within 16 results is
 * flapping; once 16 steady results have passed the last changes, it is not.
 */
START_TEST(test_flapping)
{
	unsigned i, left = 0;

	op_i = 0;
	ck_assert_int_eq(results_init(&r, 16), 0);
	results_set_policy(&r, 1, 1, 2);

	ck_assert_int_eq(rec(1, 100), TARGET_UP);
	ck_assert_int_eq(rec(0, 100), TARGET_DOWN);	/* change 1 */
	ck_assert_int_eq(results_state(&r), TARGET_DOWN);
	ck_assert_int_eq(rec(1, 100), TARGET_UP);	/* change 2 */
	ck_assert_int_eq(results_state(&r), TARGET_UP);
	ck_assert_int_eq(rec(0, 100), TARGET_DOWN);	/* change 3 > 2 */
	ck_assert_uint_eq(r.changes, 3);
	ck_assert_int_eq(results_state(&r), TARGET_FLAPPING);
	ck_assert_str_eq(target_state_name(results_state(&r)), "flapping");
	/* the base state goes on underneath */
	ck_assert_int_eq(r.state, TARGET_DOWN);
	ck_assert_int_eq(rec(1, 100), TARGET_UP);	/* change 4 */
	ck_assert_int_eq(results_state(&r), TARGET_FLAPPING);

	/* steady: flapping while the changes are within the last 16 */
	for (i = 0; i < 40; i++) {
		rec(1, 100);
		if (results_state(&r) != TARGET_FLAPPING) {
			left = i + 1;
			break;
		}
	}
	ck_assert_msg(left > 0, "still flapping after 40 steady results");
	ck_assert_msg(left >= 12 && left <= 16, "left flapping after %u "
	    "steady results, want about the history (16)", left);
	ck_assert_int_eq(results_state(&r), TARGET_UP);
	/* and it stays out */
	for (i = 0; i < 20; i++) {
		rec(1, 100);
		ck_assert_int_eq(results_state(&r), TARGET_UP);
	}
}
END_TEST

/* Flap threshold 0: never flapping, however often it changes. */
START_TEST(test_flapping_off)
{
	unsigned i;

	op_i = 0;
	ck_assert_int_eq(results_init(&r, 16), 0);
	results_set_policy(&r, 1, 1, 0);
	for (i = 0; i < 30; i++) {
		rec(i % 2 == 0, 100);
		ck_assert_int_ne(results_state(&r), TARGET_FLAPPING);
	}
	ck_assert_uint_eq(r.changes, 29);
}
END_TEST

/*
 * 3. Statistics over a known series: ok latencies 100, 200, ... 1000 us
 * in a shuffled order, failures in between (excluded).
 */
START_TEST(test_stats)
{
	static const uint32_t order[10] = {
		300, 100, 1000, 200, 700, 500, 900, 400, 800, 600
	};
	struct results_stats st;
	double jit = 0;
	unsigned i;

	op_i = 0;
	ck_assert_int_eq(results_init(&r, 64), 0);
	results_set_policy(&r, 1, 1, 0);
	for (i = 0; i < 10; i++) {
		rec(1, order[i]);
		if (i % 3 == 0)
			rec(0, 1999);	/* a failure: not a latency */
		if (i > 0)
			jit += order[i] > order[i - 1] ?
			    order[i] - order[i - 1] : order[i - 1] - order[i];
	}
	jit /= 9;

	results_stats(&r, &st);
	ck_assert_uint_eq(st.count, 14);
	ck_assert_uint_eq(st.ok, 10);
	ck_assert_uint_eq(st.min_us, 100);
	ck_assert_uint_eq(st.max_us, 1000);
	/* nearest rank: ceil(p * n / 100)-th smallest */
	ck_assert_uint_eq(st.p50_us, 500);
	ck_assert_uint_eq(st.p95_us, 1000);
	ck_assert_uint_eq(st.p99_us, 1000);
	ck_assert_double_eq_tol(st.mean_us, 550.0, 1e-9);
	ck_assert_double_eq_tol(st.jitter_us, jit, 1e-9);
	ck_assert_double_eq_tol(st.jitter_us, 4100.0 / 9, 1e-9);

	/* 100 ok: 10..1000 in steps of 10; p95 is the 95th, p99 the 99th */
	results_free(&r);
	op_i = 0;
	ck_assert_int_eq(results_init(&r, 128), 0);
	for (i = 1; i <= 100; i++)
		rec(1, 10 * i);
	rec(0, 5);
	results_stats(&r, &st);
	ck_assert_uint_eq(st.count, 101);
	ck_assert_uint_eq(st.ok, 100);
	ck_assert_uint_eq(st.min_us, 10);
	ck_assert_uint_eq(st.max_us, 1000);
	ck_assert_uint_eq(st.p50_us, 500);
	ck_assert_uint_eq(st.p95_us, 950);
	ck_assert_uint_eq(st.p99_us, 990);
	ck_assert_double_eq_tol(st.mean_us, 505.0, 1e-9);
	ck_assert_double_eq_tol(st.jitter_us, 10.0, 1e-9);

	/* only failures: no latency at all */
	results_free(&r);
	op_i = 0;
	ck_assert_int_eq(results_init(&r, 8), 0);
	rec(0, 100);
	rec(0, 100);
	results_stats(&r, &st);
	ck_assert_uint_eq(st.count, 2);
	ck_assert_uint_eq(st.ok, 0);
	ck_assert_uint_eq(st.max_us, 0);
}
END_TEST

/* 4. Availability: ok / (ok + failed), for the lifetime, hour and day. */
START_TEST(test_availability)
{
	double v = -2;
	unsigned i;
	int w;

	op_i = 0;
	ck_assert_int_eq(results_init(&r, 8), 0);
	for (w = 0; w < 3; w++)
		ck_assert_msg(results_availability(&r, w, &v) == -1,
		    "window %d has a value before any result", w);

	for (i = 0; i < 30; i++)
		rec(1, 100);
	for (i = 0; i < 10; i++)
		rec(0, 100);
	for (w = 0; w < 3; w++) {
		v = -2;
		ck_assert_int_eq(results_availability(&r, w, &v), 0);
		ck_assert_msg(fabs(v - 0.75) < 1e-9, "window %d: %g, want "
		    "0.75", w, v);
	}
	/* the history ring (8) does not bound it */
	rec(0, 100);
	rec(0, 100);
	for (w = 0; w < 3; w++) {
		ck_assert_int_eq(results_availability(&r, w, &v), 0);
		ck_assert_msg(fabs(v - 30.0 / 42) < 1e-9, "window %d: %g, "
		    "want 30/42", w, v);
	}
}
END_TEST

/*
 * 5. Events: a failure folds its repeats into one event; the ring keeps
 * the newest; an evicted event cannot be found or folded.
 */
START_TEST(test_events_fold)
{
	struct events e;
	struct event_rec in, *ev;
	uint64_t first, seq;
	unsigned i;

	log_setlevel(LOG_ERR);	/* events_add logs each: keep quiet */
	ck_assert_int_eq(events_init(&e, 8), 0);
	memset(&in, 0, sizeof(in));
	in.type = EVENT_FAILURE;
	in.target = (char *)(uintptr_t)"web";
	in.error = PERR_REFUSED;
	in.availability = -1;
	in.wall_us = 1000000;
	snprintf(in.message, sizeof(in.message), "target web: refused");
	first = events_add(&e, &in);
	ck_assert_uint_ne(first, 0);
	for (i = 0; i < 37; i++)
		ck_assert_int_eq(events_fold(&e, first,
		    2000000 + (int64_t)i), 0);
	ck_assert_uint_eq(e.count, 1);
	ev = events_find(&e, first);
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->repeat, 37);
	ck_assert_int_eq(ev->wall_us, 1000000);
	ck_assert_int_eq(ev->last_wall_us, 2000036);
	ck_assert_pstr_eq(ev->target, "web");
	ck_assert_ptr_ne(ev->target, in.target);	/* a copy */
	ck_assert_ptr_eq(events_get(&e, 0), ev);

	/* 10 more: the ring holds the newest 8, oldest first */
	for (i = 0; i < 10; i++) {
		in.wall_us = 3000000 + (int64_t)i;
		in.type = EVENT_STATE;
		seq = events_add(&e, &in);
		ck_assert_uint_eq(seq, first + 1 + i);
	}
	ck_assert_uint_eq(e.count, 8);
	ck_assert_ptr_null(events_find(&e, first));
	ck_assert_ptr_null(events_find(&e, first + 1));
	ck_assert_ptr_null(events_find(&e, first + 2));
	ck_assert_int_eq(events_fold(&e, first, 5000000), -1);
	for (i = 0; i < 8; i++) {
		ev = events_get(&e, i);
		ck_assert_ptr_nonnull(ev);
		ck_assert_uint_eq(ev->seq, first + 3 + i);
		ck_assert_ptr_eq(events_find(&e, ev->seq), ev);
		ck_assert_uint_eq(ev->repeat, 0);
	}
	ck_assert_ptr_null(events_get(&e, 8));
	ck_assert_ptr_null(events_find(&e, first + 11));	/* not yet */
	events_free(&e);
}
END_TEST

/* What a follower was told (events.notify), in order. */
#define TOLD_MAX	64
static struct told {
	uint64_t		seq;
	enum event_news		news;
	uint32_t		repeat;
	int64_t			at;	/* the line's time */
} told[TOLD_MAX];
static size_t ntold;

static void
told_cb(void *arg, const struct event_rec *ev, enum event_news news)
{
	(void)arg;
	ck_assert_uint_lt(ntold, TOLD_MAX);
	told[ntold++] = (struct told){ ev->seq, news, ev->repeat,
	    news == EVENT_NEWS_NEW ? ev->wall_us : ev->told_us };
}

/* The lines a follower got: UNTOLD is no line. */
static size_t
told_lines(void)
{
	size_t i, n = 0;

	for (i = 0; i < ntold; i++)
		n += told[i].news != EVENT_NEWS_UNTOLD;
	return n;
}

#define S(x)	((int64_t)(x) * 1000000)

/*
 * 5a. A follower is told of a new event at once, of the repeats folded
 * into it at most every 30 s (at the fold that comes due, else when
 * events_tell_due is called by then), in time order, with the count the
 * ring has; an evicted event is never told.
 */
START_TEST(test_events_tell)
{
	struct events e;
	struct event_rec in;
	uint64_t a, b;
	int64_t prev;
	size_t i;
	int k;

	log_setlevel(LOG_ERR);
	ntold = 0;
	ck_assert_int_eq(events_init(&e, 4), 0);
	e.notify = told_cb;
	memset(&in, 0, sizeof(in));
	in.type = EVENT_FAILURE;
	in.target = (char *)(uintptr_t)"web";
	in.error = PERR_REFUSED;
	in.availability = -1;
	in.wall_us = S(100);
	a = events_add(&e, &in);
	ck_assert_uint_eq(told_lines(), 1);

	/* one a second for 29 s: no line, the first asks for a wake-up */
	for (k = 1; k <= 29; k++)
		ck_assert_int_eq(events_fold(&e, a, S(100 + k)), 0);
	ck_assert_uint_eq(told_lines(), 1);
	ck_assert_uint_eq(ntold, 2);
	ck_assert_int_eq(told[1].news, EVENT_NEWS_UNTOLD);
	ck_assert_int_eq(events_tell_due(&e, S(129)), S(130));
	ck_assert_uint_eq(told_lines(), 1);
	/* the fold at 30 s is told at once, with all 30 */
	ck_assert_int_eq(events_fold(&e, a, S(130)), 0);
	ck_assert_uint_eq(told_lines(), 2);
	ck_assert_int_eq(told[2].news, EVENT_NEWS_UPDATE);
	ck_assert_uint_eq(told[2].repeat, 30);
	ck_assert_int_eq(told[2].at, S(130));
	ck_assert_int_eq(events_tell_due(&e, S(131)), 0);
	ck_assert_uint_eq(told_lines(), 2);

	/* two more, then they stop: told by events_tell_due at 160 s */
	ck_assert_int_eq(events_fold(&e, a, S(131)), 0);
	ck_assert_int_eq(events_fold(&e, a, S(132)), 0);
	ck_assert_int_eq(events_tell_due(&e, S(159)), S(160));
	ck_assert_uint_eq(told_lines(), 2);
	ck_assert_int_eq(events_tell_due(&e, S(160)), 0);
	ck_assert_uint_eq(told_lines(), 3);
	ck_assert_uint_eq(told[ntold - 1].repeat, 32);
	ck_assert_int_eq(told[ntold - 1].at, S(160));
	ck_assert_int_eq(events_tell_due(&e, S(500)), 0);
	ck_assert_uint_eq(told_lines(), 3);

	/* in time order, each line no earlier than the one before */
	for (prev = 0, i = 0; i < ntold; i++) {
		if (told[i].news == EVENT_NEWS_UNTOLD)
			continue;
		ck_assert_msg(told[i].at >= prev, "line %zu at %lld, before "
		    "%lld", i, (long long)told[i].at, (long long)prev);
		prev = told[i].at;
	}

	/* an untold repeat of an event the ring dropped is never told */
	in.wall_us = S(200);
	b = events_add(&e, &in);
	ck_assert_int_eq(events_fold(&e, b, S(201)), 0);
	for (k = 0; k < 4; k++) {
		in.wall_us = S(202 + k);
		events_add(&e, &in);
	}
	ck_assert_ptr_null(events_find(&e, b));
	i = told_lines();
	ck_assert_int_eq(events_tell_due(&e, S(999)), 0);
	ck_assert_uint_eq(told_lines(), i);
	ck_assert_uint_eq(e.nuntold, 0);
	events_free(&e);
}
END_TEST

/* system tests */

/* Per TCase, made and removed by the runner process (unchecked fixture). */
static char	root_dir[PATH_MAX];

/* Per test (checked fixture). */
static struct sys_fx fx;

/* Per test: the switchable server (srv_on, srv_off) and a refused port. */
static struct {
	struct sys_switch sw;		/* the switchable port */
	int	 refused;		/* a bound port, never listening */
	unsigned rport;			/* the refused one */
} srv;

static void
root_setup(void)
{
	sys_root_setup(root_dir, sizeof(root_dir));
}

static void
root_teardown(void)
{
	sys_root_teardown(root_dir, "operator tests");
}

static void
fx_setup(void)
{
	sys_fx_setup(&fx, root_dir);
	memset(&srv, 0, sizeof(srv));
	srv.refused = -1;
	/* the switchable port, held but not listening: connects refused */
	sys_switch_init(&srv.sw);
	ck_assert(sys_bound_port(&srv.refused, &srv.rport) == 0);
}

static void
fx_teardown(void)
{
	sys_fx_teardown(&fx);
	sys_switch_close(&srv.sw);
	if (srv.refused != -1)
		close(srv.refused);
	srv.refused = -1;
}

/*
 * Ask futd until target name is in state (and, if last_ok >= 0, its last
 * probe ok or not); that status (the caller owns it).  Fails after ms.
 */
static json_t *
wait_state(const char *name, const char *state, int last_ok, unsigned ms)
{
	return sys_wait_state(fx.sock, &srv.sw, name, state, last_ok, ms);
}

/*
 * 6. rise 1, fall 1, flap_threshold 2: a server switched on and off makes
 * the target up, down, up, then flapping; `futctl log` tells the story and
 * `futctl check` warns of the flapping.
 */
START_TEST(test_flapping_live)
{
	struct sys_out out;
	json_t *st, *t;
	const char *p;

	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"flappy\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; timeout = 1;\n"
	    "    rise = 1; fall = 1; flap_threshold = 2; }\n);\n", srv.sw.port);
	sys_switch_on(&srv.sw);
	sys_fx_futd(&fx);

	json_decref(wait_state("flappy", "up", -1, OP_CHANGE_MS));
	sys_switch_off(&srv.sw);
	st = wait_state("flappy", "down", -1, OP_CHANGE_MS);
	t = sys_target_get(st, "flappy");
	ck_assert_int_eq(sys_jint(t, "changes"), 1);
	ck_assert_pstr_eq(sys_jstr(t, "error"), "refused");
	json_decref(st);
	sys_switch_on(&srv.sw);
	st = wait_state("flappy", "up", -1, OP_CHANGE_MS);
	ck_assert_int_eq(sys_jint(sys_target_get(st, "flappy"), "changes"), 2);
	json_decref(st);
	sys_switch_off(&srv.sw);
	st = wait_state("flappy", "flapping", -1, OP_CHANGE_MS);
	t = sys_target_get(st, "flappy");
	ck_assert_int_eq(sys_jint(t, "changes"), 3);
	ck_assert_pstr_eq(sys_jstr(t, "base_state"), "down");
	json_decref(st);

	/* the text status says it too */
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "status", "--state",
	    "flapping", (char *)NULL), 0);
	ck_assert_msg(strstr(out.out, "flappy") != NULL &&
	    strstr(out.out, "flapping") != NULL, "status --state flapping:\n%s",
	    out.out);
	sys_out_free(&out);

	/* check: flapping is a WARNING */
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "check", "flappy",
	    (char *)NULL), 1);
	ck_assert_msg(strncmp(out.out, "FUTD WARNING - flappy is flapping",
	    33) == 0, "check: %s", out.out);
	sys_out_free(&out);

	/* the log: each change, in order */
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "log", "-n", "50",
	    "flappy", (char *)NULL), 0);
	p = out.out;
	ck_assert_msg((p = strstr(p, "unknown -> up")) != NULL,
	    "no unknown -> up in:\n%s", out.out);
	ck_assert_msg((p = strstr(p, "up -> down")) != NULL,
	    "no up -> down after it in:\n%s", out.out);
	ck_assert_msg((p = strstr(p, "down -> up")) != NULL,
	    "no down -> up after it in:\n%s", out.out);
	ck_assert_msg(strstr(p, "up -> flapping") != NULL,
	    "no up -> flapping after it in:\n%s", out.out);
	ck_assert_msg(strstr(out.out, "flappy  state  ") != NULL,
	    "no \"flappy  state\" line in:\n%s", out.out);
	sys_out_free(&out);

	/* a name futd never had is no target, not "no events" */
	ck_assert_int_eq(sys_futctl(&out, fx.sock, "log", "flapy",
	    (char *)NULL), 1);
	ck_assert_msg(strstr(out.err, "flapy: no such target") != NULL,
	    "log of an unknown name:\n%s%s", out.out, out.err);
	sys_out_free(&out);
}
END_TEST

/*
 * 7. `futctl log -f NAME` gets a state change within a second; `log -f
 * -n 0` what comes alone.
 */
START_TEST(test_log_follow)
{
	char bin[PATH_MAX], outpath[PATH_MAX], errpath[PATH_MAX], *text = NULL;
	const char *argv[] = { bin, "-s", fx.sock, "log", "-f", "follow1",
	    NULL };
	const char *argv0[] = { bin, "-s", fx.sock, "log", "-f", "-n", "0",
	    NULL };
	struct sys_out out;
	uint64_t deadline, changed;
	json_t *st;
	pid_t pid;
	int status, gone;

	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"follow1\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; timeout = 1; rise = 1; fall = 1; },\n"
	    "  { name = \"other\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; timeout = 1; }\n);\n", srv.sw.port, srv.rport);
	sys_switch_on(&srv.sw);
	sys_fx_futd(&fx);
	json_decref(wait_state("follow1", "up", -1, OP_CHANGE_MS));

	sys_bin(bin, sizeof(bin), "futctl");
	sys_path_in(outpath, sizeof(outpath), fx.dir, "follow.out");
	sys_path_in(errpath, sizeof(errpath), fx.dir, "follow.err");
	pid = sys_spawn(argv, NULL, outpath, errpath);
	ck_assert_msg(pid != -1, "cannot run futctl: %s", strerror(errno));

	/* the backlog first: it is connected once that is there */
	deadline = sys_now_ms() + 3000;
	for (;;) {
		free(text);
		text = sys_read_file(outpath, NULL);
		if (text != NULL && strstr(text, "unknown -> up") != NULL)
			break;
		ck_assert_msg(sys_left_ms(deadline) > 0, "log -f printed no "
		    "backlog within 3 s: %s", text != NULL ? text : "");
		sys_sleep_ms(10);
	}
	ck_assert_msg(strstr(text, "other") == NULL, "log -f follow1 shows "
	    "another target:\n%s", text);

	sys_switch_off(&srv.sw);
	st = wait_state("follow1", "down", -1, OP_CHANGE_MS);
	json_decref(st);
	changed = sys_now_ms();
	deadline = changed + OP_FOLLOW_MS;
	for (;;) {
		free(text);
		text = sys_read_file(outpath, NULL);
		if (text != NULL && strstr(text, "up -> down") != NULL)
			break;
		ck_assert_msg(sys_left_ms(deadline) > 0, "log -f did not print "
		    "the change within %d ms of status showing it:\n%s",
		    OP_FOLLOW_MS, text != NULL ? text : "");
		sys_sleep_ms(10);
	}
	ck_assert_msg(strstr(text, "follow1  state  up -> down") != NULL,
	    "the change line is not as documented:\n%s", text);
	ck_assert_msg(strstr(text, "other") == NULL, "log -f follow1 shows "
	    "another target:\n%s", text);
	free(text);

	/* still following; SIGTERM ends it with 0 */
	ck_assert_msg(sys_wait(pid, 0, NULL) == -1, "log -f exited by itself");
	kill(pid, SIGTERM);
	gone = sys_wait(pid, 2000, &status);
	ck_assert_msg(gone == 0, "log -f still runs 2 s after SIGTERM");
	ck_assert_int_eq(status, 0);

	/*
	 * -n 0: no backlog, only what comes.  Reloads make events until
	 * one is printed (the follower is connected by then); the first
	 * state changes, long before, never are.
	 */
	sys_path_in(outpath, sizeof(outpath), fx.dir, "follow0.out");
	sys_path_in(errpath, sizeof(errpath), fx.dir, "follow0.err");
	pid = sys_spawn(argv0, NULL, outpath, errpath);
	ck_assert_msg(pid != -1, "cannot run futctl: %s", strerror(errno));
	deadline = sys_now_ms() + 3000;
	for (text = NULL;; sys_sleep_ms(100)) {
		free(text);
		ck_assert_int_eq(sys_futctl(&out, fx.sock, "reload", NULL), 0);
		sys_out_free(&out);
		text = sys_read_file(outpath, NULL);
		if (text != NULL && strstr(text, "  reload  ") != NULL)
			break;
		ck_assert_msg(sys_left_ms(deadline) > 0, "log -f -n 0 printed "
		    "no reload within 3 s: %s", text != NULL ? text : "");
	}
	/* (a repeat folded in since may bring its event: not these) */
	ck_assert_msg(strstr(text, "unknown -> up") == NULL, "log -f -n 0 "
	    "printed the backlog:\n%s", text);
	free(text);
	kill(pid, SIGTERM);
	ck_assert_msg(sys_wait(pid, 2000, &status) == 0 && status == 0,
	    "log -f -n 0: no clean end on SIGTERM");
}
END_TEST

/* 8. `futctl probe`: 0 up, 2 refused, 1 no such target. */
START_TEST(test_probe_codes)
{
	struct sys_out out;
	int rc;

	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"alive\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.2; timeout = 1; },\n"
	    "  { name = \"closed\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.2; timeout = 1; }\n);\n", srv.sw.port, srv.rport);
	sys_switch_on(&srv.sw);
	sys_fx_futd(&fx);

	rc = sys_futctl(&out, fx.sock, "probe", "alive", (char *)NULL);
	ck_assert_msg(rc == 0, "probe alive: %d\n%s%s", rc, out.out, out.err);
	ck_assert_msg(strstr(out.out, "result:") != NULL &&
	    strstr(out.out, "ok in ") != NULL, "probe alive:\n%s", out.out);
	sys_out_free(&out);

	rc = sys_futctl(&out, fx.sock, "probe", "closed", (char *)NULL);
	ck_assert_msg(rc == 2, "probe closed: %d, want 2\n%s%s", rc, out.out,
	    out.err);
	ck_assert_msg(strstr(out.out, "FAILED") != NULL &&
	    strstr(out.out, "Connection refused") != NULL, "probe closed:\n%s",
	    out.out);
	sys_out_free(&out);

	rc = sys_futctl(&out, fx.sock, "probe", "nosuch", (char *)NULL);
	ck_assert_msg(rc == 1, "probe nosuch: %d, want 1\n%s%s", rc, out.out,
	    out.err);
	sys_out_free(&out);

	/* JSON too: same codes */
	rc = sys_futctl(&out, fx.sock, "--json", "probe", "closed",
	    (char *)NULL);
	ck_assert_msg(rc == 2, "--json probe closed: %d, want 2", rc);
	sys_out_free(&out);
}
END_TEST

/* A check line: "FUTD WORD - ..." with " | " and latency=Ns when wanted */
static void
check_line(const char *line, const char *word, int want_latency)
{
	char prefix[64];
	const char *perf, *lat;
	char *end;
	double v;

	snprintf(prefix, sizeof(prefix), "FUTD %s - ", word);
	ck_assert_msg(strncmp(line, prefix, strlen(prefix)) == 0,
	    "check line does not start with \"%s\": %s", prefix, line);
	ck_assert_msg(strchr(line, '\n') == strrchr(line, '\n') &&
	    line[strlen(line) - 1] == '\n', "check output is not one line: %s",
	    line);
	if (!want_latency)
		return;
	perf = strstr(line, " | ");
	ck_assert_msg(perf != NULL, "no \" | \" perfdata: %s", line);
	lat = strstr(perf, "latency=");
	ck_assert_msg(lat != NULL, "no latency= in the perfdata: %s", line);
	v = strtod(lat + 8, &end);
	ck_assert_msg(end != lat + 8 && *end == 's' && v > 0 && v < 1,
	    "latency is not seconds: %s", line);
	ck_assert_msg(strstr(perf, "availability=") != NULL,
	    "no availability= in the perfdata: %s", line);
}

/* 9. `futctl check`: the Nagios codes and the line. */
START_TEST(test_check_codes)
{
	char nosock[PATH_MAX];
	struct sys_out out;
	json_t *st;
	int rc;

	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"alive\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; timeout = 1; rise = 1; fall = 100; },\n"
	    "  { name = \"closed\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; timeout = 1; }\n);\n", srv.sw.port, srv.rport);
	sys_switch_on(&srv.sw);
	sys_fx_futd(&fx);
	json_decref(wait_state("alive", "up", 1, OP_CHANGE_MS));
	json_decref(wait_state("closed", "down", -1, OP_CHANGE_MS));

	rc = sys_futctl(&out, fx.sock, "check", "alive", (char *)NULL);
	ck_assert_msg(rc == 0, "check alive: %d, want 0: %s", rc, out.out);
	check_line(out.out, "OK", 1);
	ck_assert_msg(strstr(out.out, "alive is up") != NULL, "%s", out.out);
	sys_out_free(&out);

	rc = sys_futctl(&out, fx.sock, "check", "closed", (char *)NULL);
	ck_assert_msg(rc == 2, "check closed: %d, want 2: %s", rc, out.out);
	check_line(out.out, "CRITICAL", 0);
	ck_assert_msg(strstr(out.out, "closed is down") != NULL, "%s",
	    out.out);
	ck_assert_msg(strstr(out.out, " | ") != NULL &&
	    strstr(out.out, "availability=0.00%") != NULL, "no perfdata: %s",
	    out.out);
	sys_out_free(&out);

	rc = sys_futctl(&out, fx.sock, "check", "nosuch", (char *)NULL);
	ck_assert_msg(rc == 3, "check nosuch: %d, want 3: %s", rc, out.out);
	check_line(out.out, "UNKNOWN", 0);
	sys_out_free(&out);

	sys_path_in(nosock, sizeof(nosock), fx.dir, "nobody.sock");
	rc = sys_futctl(&out, nosock, "check", "alive", (char *)NULL);
	ck_assert_msg(rc == 3, "check, no futd: %d, want 3: %s", rc, out.out);
	check_line(out.out, "UNKNOWN", 0);
	sys_out_free(&out);

	/* up, but the last probe failed (fall = 100 keeps it up): WARNING */
	sys_switch_off(&srv.sw);
	st = wait_state("alive", "up", 0, OP_CHANGE_MS);
	json_decref(st);
	rc = sys_futctl(&out, fx.sock, "check", "alive", (char *)NULL);
	ck_assert_msg(rc == 1, "check alive, last failed: %d, want 1: %s", rc,
	    out.out);
	check_line(out.out, "WARNING", 0);
	ck_assert_msg(strstr(out.out, "last probe failed") != NULL, "%s",
	    out.out);
	sys_out_free(&out);

	/* check -j: the same code and status word */
	rc = sys_futctl(&out, fx.sock, "--json", "check", "closed",
	    (char *)NULL);
	ck_assert_int_eq(rc, 2);
	{
		json_error_t jerr;
		json_t *j = json_loads(out.out, 0, &jerr);

		ck_assert_msg(j != NULL, "check -j is not JSON: %s", out.out);
		ck_assert_int_eq(sys_jint(j, "schema"), 1);
		ck_assert_int_eq(sys_jint(j, "code"), 2);
		ck_assert_pstr_eq(sys_jstr(j, "status"), "CRITICAL");
		json_decref(j);
	}
	sys_out_free(&out);
}
END_TEST

/* `futctl --json CMD [ARG]`: exit 0 and "schema": 1 at the top. */
static void
assert_schema(const char *cmd, const char *arg)
{
	json_t *j = sys_futctl_json(fx.sock, cmd, arg);
	char *dump, what[400];
	int ok;

	ck_assert_msg(j != NULL, "futctl --json %s %s failed or is not JSON",
	    cmd, arg != NULL ? arg : "");
	ok = json_is_object(j) && sys_jint(j, "schema") == 1;
	dump = json_dumps(j, JSON_COMPACT);
	snprintf(what, sizeof(what), "%s", dump != NULL ? dump : "?");
	free(dump);
	json_decref(j);		/* freed before a failure leaves */
	ck_assert_msg(ok, "futctl --json %s %s: no \"schema\": 1 in %s", cmd,
	    arg != NULL ? arg : "", what);
}

/* 10. The JSON of status, show, log and probe carries its schema. */
START_TEST(test_json_schema)
{
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"alive\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; timeout = 1; }\n);\n", srv.sw.port);
	sys_switch_on(&srv.sw);
	sys_fx_futd(&fx);
	json_decref(wait_state("alive", "up", -1, OP_CHANGE_MS));

	assert_schema("status", NULL);
	assert_schema("show", "alive");
	assert_schema("log", NULL);
	assert_schema("log", "alive");
	assert_schema("probe", "alive");
}
END_TEST

/*
 * 10b. futctl(8) says ping and reload print a "data" object "which
 * carries schema" too (proto.h lists none for them).
 */
START_TEST(test_json_schema_ping)
{
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"alive\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; timeout = 1; }\n);\n", srv.sw.port);
	sys_fx_futd(&fx);
	assert_schema("ping", NULL);
}
END_TEST

START_TEST(test_json_schema_reload)
{
	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"alive\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; timeout = 1; }\n);\n", srv.sw.port);
	sys_fx_futd(&fx);
	assert_schema("reload", NULL);
}
END_TEST

/* The events of `futctl --json log [name]` (the caller owns them). */
static json_t *
log_get(const char *name, const char *count)
{
	struct sys_out out;
	json_error_t jerr;
	json_t *j, *ev;
	int rc;

	rc = sys_futctl(&out, fx.sock, "--json", "log", "-n", count, name,
	    (char *)NULL);
	ck_assert_msg(rc == 0, "futctl --json log: %d %s", rc, out.err);
	j = json_loads(out.out, 0, &jerr);
	ck_assert_msg(j != NULL, "log is not JSON: %s", out.out);
	sys_out_free(&out);
	ev = json_incref(json_object_get(j, "events"));
	json_decref(j);
	ck_assert_msg(json_is_array(ev), "log without \"events\"");
	return ev;
}

/*
 * 5b. A target that stays down costs one event: its failures fold into
 * the state change, in the JSON and in the text.
 */
START_TEST(test_log_folds)
{
	struct sys_out out;
	json_t *evs, *ev, *e1, *st;
	uint64_t deadline = sys_now_ms() + OP_CHANGE_MS;
	long long failed;
	size_t i;

	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"closed\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 0.1; timeout = 1; }\n);\n", srv.rport);
	sys_fx_futd(&fx);
	for (;;) {
		st = sys_status_get(fx.sock);
		failed = sys_jint(sys_target_get(st, "closed"), "failed");
		json_decref(st);
		if (failed >= 6)
			break;
		ck_assert_msg(sys_left_ms(deadline) > 0, "only %lld failures "
		    "in %d ms", failed, OP_CHANGE_MS);
		sys_sleep_ms(OP_STEP_MS);
	}
	/* late probes (a loaded machine) may add a resource event: not ours */
	evs = log_get("closed", "50");
	ev = NULL;
	json_array_foreach(evs, i, e1) {
		if (sys_jstr(e1, "type") != NULL &&
		    strcmp(sys_jstr(e1, "type"), "resource") == 0)
			continue;
		if (ev != NULL) {
			char *dump = json_dumps(evs, JSON_COMPACT);

			ck_abort_msg("more than one state or failure event for "
			    "a target that stayed down: %s",
			    dump != NULL ? dump : "?");
		}
		ev = e1;
	}
	ck_assert_msg(ev != NULL, "no event for a target that went down");
	ck_assert_pstr_eq(sys_jstr(ev, "type"), "state");
	ck_assert_pstr_eq(sys_jstr(ev, "from"), "unknown");
	ck_assert_pstr_eq(sys_jstr(ev, "state"), "down");
	ck_assert_pstr_eq(sys_jstr(ev, "error"), "refused");
	ck_assert_msg(sys_jint(ev, "repeat") >= 5, "repeat %lld after %lld "
	    "failures", sys_jint(ev, "repeat"), failed);
	ck_assert_msg(json_is_number(json_object_get(ev, "last_time")),
	    "a folded event without last_time");
	json_decref(evs);

	ck_assert_int_eq(sys_futctl(&out, fx.sock, "log", "closed",
	    (char *)NULL), 0);
	ck_assert_msg(strstr(out.out, "closed  state  unknown -> down") !=
	    NULL && strstr(out.out, "more times, last ") != NULL &&
	    strstr(out.out, "  failure  ") == NULL, "log closed:\n%s",
	    out.out);
	sys_out_free(&out);
}
END_TEST

/* `futctl [-j] log -f`, its stdout in fx.dir/name: its pid. */
static pid_t
follow_spawn(const char *name, int json, char *outpath, size_t size)
{
	char bin[PATH_MAX], errpath[PATH_MAX], errname[64];
	const char *argv[] = { bin, "-s", fx.sock, json ? "-j" : "log",
	    json ? "log" : "-f", json ? "-f" : NULL, NULL };
	pid_t pid;

	sys_bin(bin, sizeof(bin), "futctl");
	snprintf(errname, sizeof(errname), "%s.err", name);
	sys_path_in(outpath, size, fx.dir, name);
	sys_path_in(errpath, sizeof(errpath), fx.dir, errname);
	pid = sys_spawn(argv, NULL, outpath, errpath);
	ck_assert_msg(pid != -1, "cannot run futctl: %s", strerror(errno));
	return pid;
}

/* Wait until the file at path holds needle; its text (the caller's). */
static char *
follow_wait(const char *path, const char *needle, unsigned ms)
{
	uint64_t deadline = sys_now_ms() + ms;
	char *text;

	for (;;) {
		text = sys_read_file(path, NULL);
		if (text != NULL && strstr(text, needle) != NULL)
			return text;
		if (sys_left_ms(deadline) == 0)
			ck_abort_msg("log -f did not print \"%s\" within %u "
			    "ms:\n%.1500s", needle, ms, text != NULL ? text : "");
		free(text);
		sys_sleep_ms(10);
	}
}

static size_t
count_lines(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

/* The text lines' times ("Dec 07 12:44:32  "): none before the one above. */
static void
follow_text_check(const char *text)
{
	const char *p, *prev = NULL;

	for (p = text; *p != '\0'; p = strchr(p, '\n') + 1) {
		ck_assert_msg(strchr(p, '\n') != NULL && strlen(p) > 17,
		    "a short line in:\n%.1500s", text);
		/* the same day: the time of day in order */
		if (prev != NULL && strncmp(prev, p, 6) == 0)
			ck_assert_msg(strncmp(p + 7, prev + 7, 8) >= 0,
			    "%.15s after %.15s in:\n%.1500s", p, prev, text);
		prev = p;
	}
}

/*
 * The JSON lines of `log -f -j`: each is an object, each line's time (an
 * update's "at"; without one, an event seen before is at its last_time)
 * no earlier than the line before it.  Answers the repeat of the newest
 * update of event seq (-1: none), and whether that update came before
 * the event after it.
 */
static long long
follow_json_check(const char *text, long long seq, long long *next_seq)
{
	long long seen[64], repeat = -1;
	size_t nseen = 0, k;
	double prev = 0, t;
	const json_t *ev;
	json_t *line;
	const char *p, *nl;
	int old;

	*next_seq = -1;
	for (p = text; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		line = json_loadb(p, (size_t)(nl - p), 0, NULL);
		ev = json_object_get(line, "event");
		ck_assert_msg(json_is_object(ev), "not an event: %.*s",
		    (int)(nl - p), p);
		for (old = 0, k = 0; k < nseen; k++)
			old |= seen[k] == sys_jint(ev, "seq");
		if (!old && nseen < 64)
			seen[nseen++] = sys_jint(ev, "seq");
		if (json_is_number(json_object_get(line, "at")))
			t = sys_jreal(line, "at");
		else if (old)
			t = sys_jreal(ev, "last_time");
		else
			t = sys_jreal(ev, "time");
		ck_assert_msg(t >= prev, "a line %.6f s before the one above "
		    "it:\n%.1500s", prev - t, text);
		prev = t;
		if (repeat >= 0 && *next_seq == -1 && sys_jint(ev, "seq") != seq)
			*next_seq = sys_jint(ev, "seq");
		if (old && sys_jint(ev, "seq") == seq) {
			repeat = sys_jint(ev, "repeat");
			*next_seq = -1;
		}
		json_decref(line);
	}
	return repeat;
}

/*
 * 5d. `log -f` and `log -f -j` print what `log` shows, folded: targets
 * that stay down (refused, reset, a silent server's read timeout) print
 * their state change and nothing more for seconds; one that comes up
 * prints how often it failed, with the count the log has, then the change
 * at once; each line no earlier than the one before.
 */
START_TEST(test_follow_folds)
{
	const char *const rst_opts[] = { "-m", "rst", NULL };
	const char *const mute_opts[] = { "-m", "silent", NULL };
	char tpath[PATH_MAX], jpath[PATH_MAX], needle[128], *text, *jtext;
	const char *names[] = { "shut", "rst", "mute", "flip" };
	long long rep, next;
	struct sys_srv rst, mute;
	pid_t tpid, jpid;
	json_t *evs, *e1;
	int64_t flip_seq = -1, flip_rep = -1, up_seq = -1;
	size_t i;
	int status;

	ck_assert(sys_testsrv(&rst, rst_opts, 1, NULL) == 0);
	ck_assert(sys_testsrv(&mute, mute_opts, 1, NULL) == 0);
	sys_write_filef(fx.conf, "defaults = { interval = 0.1; timeout = 1; "
	    "rise = 1; fall = 1; };\ntargets = (\n"
	    "  { name = \"shut\"; host = \"127.0.0.1\"; port = %u; },\n"
	    "  { name = \"rst\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; expect = \"x\"; },\n"
	    "  { name = \"mute\"; host = \"127.0.0.1\"; port = %u; "
	    "probe = \"hello\"; expect = \"x\"; interval = 0.5; "
	    "timeout = 0.3; },\n"
	    "  { name = \"flip\"; host = \"127.0.0.1\"; port = %u; }\n);\n",
	    srv.rport, rst.port[0], mute.port[0], srv.sw.port);
	sys_fx_futd(&fx);
	for (i = 0; i < 4; i++)
		json_decref(wait_state(names[i], "down", -1, OP_CHANGE_MS));

	tpid = follow_spawn("follow.txt", 0, tpath, sizeof(tpath));
	jpid = follow_spawn("follow.json", 1, jpath, sizeof(jpath));
	free(follow_wait(tpath, "flip  state", 3000));
	free(follow_wait(jpath, "\"flip\"", 3000));
	/* some 30 failures of each fast one, 6 of mute's */
	sys_sleep_ms(3000);

	sys_switch_on(&srv.sw);
	text = follow_wait(tpath, "flip  state  down -> up", OP_CHANGE_MS +
	    OP_FOLLOW_MS);
	free(text);
	jtext = follow_wait(jpath, "\"from\":\"down\"", OP_FOLLOW_MS);
	free(jtext);
	sys_sleep_ms(200);
	kill(tpid, SIGTERM);
	kill(jpid, SIGTERM);
	ck_assert_int_eq(sys_wait(tpid, 2000, &status), 0);
	ck_assert_int_eq(status, 0);
	ck_assert_int_eq(sys_wait(jpid, 2000, &status), 0);
	ck_assert_int_eq(status, 0);
	text = sys_read_file(tpath, NULL);
	jtext = sys_read_file(jpath, NULL);
	ck_assert(text != NULL && jtext != NULL);

	/* what the log has: flip's fall, its count, and its rise */
	evs = log_get("flip", "50");
	json_array_foreach(evs, i, e1) {
		if (sys_jstr(e1, "from") != NULL &&
		    strcmp(sys_jstr(e1, "from"), "unknown") == 0) {
			flip_seq = sys_jint(e1, "seq");
			flip_rep = sys_jint(e1, "repeat");
		} else if (sys_jstr(e1, "from") != NULL)
			up_seq = sys_jint(e1, "seq");
	}
	json_decref(evs);
	ck_assert_msg(flip_seq > 0 && up_seq > 0 && flip_rep >= 20,
	    "flip's log: seq %lld repeat %lld, then %lld", (long long)flip_seq,
	    (long long)flip_rep, (long long)up_seq);

	/*
	 * The start, four changes to down, flip's count and its change; a
	 * line or two more if the machine was slow enough for late probes.
	 */
	ck_assert_msg(count_lines(text) <= 10, "%zu lines in 3 s:\n"
	    "%.1500s", count_lines(text), text);
	ck_assert_msg(count_lines(jtext) <= 10, "%zu JSON lines in 3 s:\n"
	    "%.1500s", count_lines(jtext), jtext);
	follow_text_check(text);
	rep = follow_json_check(jtext, flip_seq, &next);
	snprintf(needle, sizeof(needle), "flip  refused  x%lld since ",
	    (long long)flip_rep + 1);
	ck_assert_msg(strstr(text, needle) != NULL && strstr(text, needle) <
	    strstr(text, "flip  state  down -> up"), "no \"%s\" before the "
	    "change to up (the log: %lld repeats):\n%.1500s", needle,
	    (long long)flip_rep, text);
	ck_assert_msg(rep == flip_rep && next == up_seq, "the JSON told "
	    "repeat %lld of flip's fall, then event %lld (the log: %lld, "
	    "then %lld):\n%.1500s", rep, next, (long long)flip_rep,
	    (long long)up_seq, jtext);
	free(text);
	free(jtext);
}
END_TEST

/*
 * 5c. futctl(8) lists "start" among the event types (events.h: "futd
 * started"): the log of a fresh futd begins with one.
 */
START_TEST(test_log_start_event)
{
	json_t *evs, *ev;
	size_t i;
	int found = 0;

	sys_write_filef(fx.conf, "targets = (\n"
	    "  { name = \"alive\"; host = \"127.0.0.1\"; port = %u; "
	    "interval = 60; }\n);\n", srv.sw.port);
	sys_fx_futd(&fx);
	evs = log_get(NULL, "50");
	json_array_foreach(evs, i, ev)
		if (sys_jstr(ev, "type") != NULL &&
		    strcmp(sys_jstr(ev, "type"), "start") == 0)
			found = 1;
	json_decref(evs);
	ck_assert_msg(found, "no \"start\" event in the log of a fresh futd");
}
END_TEST

/*
 * 11. shard "K/3" of one list of 20 targets, for K = 1, 2, 3: three futd,
 * three disjoint sets whose union is the list.
 */
#define SHARD_TARGETS	20
#define SHARD_N		3

START_TEST(test_shard)
{
	char conf[SHARD_N][PATH_MAX], sock[SHARD_N][PATH_MAX],
	    err[SHARD_N][PATH_MAX], name[16], *text = NULL;
	int seen[SHARD_TARGETS], per[SHARD_N];
	size_t len = 0, i, n;
	json_t *st, *t;
	const char *s;
	unsigned k;
	FILE *f;
	int idx;

	memset(seen, 0, sizeof(seen));
	for (k = 0; k < SHARD_N; k++) {
		ck_assert((f = open_memstream(&text, &len)) != NULL);
		fprintf(f, "shard = \"%u/%u\";\ntargets = (", k + 1, SHARD_N);
		for (i = 0; i < SHARD_TARGETS; i++)
			fprintf(f, "%s\n  { name = \"web%02zu\"; "
			    "host = \"127.0.0.1\"; port = %u; interval = 60; }",
			    i > 0 ? "," : "", i, srv.rport);
		fprintf(f, "\n);\n");
		ck_assert(fclose(f) == 0);
		snprintf(name, sizeof(name), "futd%u.conf", k + 1);
		sys_path_in(conf[k], sizeof(conf[k]), fx.dir, name);
		snprintf(name, sizeof(name), "futd%u.sock", k + 1);
		sys_path_in(sock[k], sizeof(sock[k]), fx.dir, name);
		snprintf(name, sizeof(name), "futd%u.err", k + 1);
		sys_path_in(err[k], sizeof(err[k]), fx.dir, name);
		ck_assert(sys_write_file(conf[k], text, len) == 0);
		free(text);
		text = NULL;
		sys_futd_start(conf[k], sock[k], err[k]);
	}

	for (k = 0; k < SHARD_N; k++) {
		st = sys_status_get(sock[k]);
		n = json_array_size(json_object_get(st, "targets"));
		per[k] = (int)n;
		ck_assert_int_eq(sys_jint(st, "total"), (long long)n);
		json_array_foreach(json_object_get(st, "targets"), i, t) {
			s = sys_jstr(t, "name");
			ck_assert_msg(s != NULL && sscanf(s, "web%d", &idx) ==
			    1 && idx >= 0 && idx < SHARD_TARGETS,
			    "shard %u: unexpected target %s", k + 1,
			    s != NULL ? s : "(null)");
			ck_assert_msg(seen[idx] == 0, "%s is in shard %d and "
			    "in shard %u", s, seen[idx], k + 1);
			seen[idx] = (int)k + 1;
		}
		json_decref(st);
	}
	for (i = 0; i < SHARD_TARGETS; i++)
		ck_assert_msg(seen[i] != 0, "web%02zu is in no shard (sizes "
		    "%d %d %d)", i, per[0], per[1], per[2]);
	ck_assert_int_eq(per[0] + per[1] + per[2], SHARD_TARGETS);
}
END_TEST

static TCase *
op_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, OP_TIMEOUT_S);
	return tc;
}

Suite *
operator_suite(void)
{
	Suite *s = suite_create("operator");
	TCase *tc;

	tc = tcase_create("policy");
	tcase_add_checked_fixture(tc, results_setup, results_teardown);
	tcase_add_test(tc, test_rise_fall);
	tcase_add_test(tc, test_first_failure_decides);
	tcase_add_test(tc, test_flapping);
	tcase_add_test(tc, test_flapping_off);
	tcase_add_test(tc, test_stats);
	tcase_add_test(tc, test_availability);
	tcase_add_test(tc, test_events_fold);
	tcase_add_test(tc, test_events_tell);
	suite_add_tcase(s, tc);

	tc = op_tcase("live");
	tcase_add_test(tc, test_flapping_live);
	tcase_add_test(tc, test_log_follow);
	tcase_add_test(tc, test_probe_codes);
	tcase_add_test(tc, test_check_codes);
	tcase_add_test(tc, test_json_schema);
	tcase_add_test(tc, test_json_schema_ping);
	tcase_add_test(tc, test_json_schema_reload);
	tcase_add_test(tc, test_log_folds);
	tcase_add_test(tc, test_follow_folds);
	tcase_add_test(tc, test_log_start_event);
	tcase_add_test(tc, test_shard);
	suite_add_tcase(s, tc);

	return s;
}
