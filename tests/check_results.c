/*
 * check_results.c - what a target has seen: state changes, counters and
 * the history ring (results.c), and how `futctl show` gets it
 * (report_target).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "jsonw.h"
#include "net.h"
#include "probe.h"
#include "report.h"
#include "results.h"
#include "target.h"
#include "target_conf.h"
#include "tests.h"

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

/* The i-th probe of a test: started at i + 1 s (and 123 us), took i us. */
#define WALL(i)		((int64_t)((i) + 1) * 1000000 + 123)

static struct probe_result
pr_make(int64_t wall_us, uint32_t latency_us, enum probe_error e,
    int sys_err)
{
	struct probe_result pr;

	memset(&pr, 0, sizeof(pr));
	pr.wall_us = wall_us;
	pr.latency_us = latency_us;
	pr.connect_us = latency_us;
	pr.error = e;
	pr.sys_err = sys_err;
	return pr;
}

/* Record probes first..last (inclusive), all successful. */
static void
record_range(unsigned first, unsigned last)
{
	struct probe_result pr;
	unsigned i;

	for (i = first; i <= last; i++) {
		pr = pr_make(WALL(i), i, PERR_NONE, 0);
		results_record(&r, &pr);
	}
}

/* The history, newest first, is exactly probes want[0], want[1]... */
static void
assert_history(const unsigned *want, unsigned n)
{
	struct probe_result pr;
	unsigned k;

	ck_assert_uint_eq(r.ring_count, n);
	for (k = 0; k < n; k++) {
		ck_assert_msg(results_get(&r, k, &pr) == 0, "history(%u) is "
		    "missing, want probe %u", k, want[k]);
		ck_assert_msg(pr.latency_us == want[k], "history(%u) is probe "
		    "%u, want probe %u", k, pr.latency_us, want[k]);
		ck_assert_int_eq(pr.wall_us / 1000, WALL(want[k]) / 1000);
	}
	ck_assert_msg(results_history(&r, n) == NULL,
	    "history(%u) should be NULL", n);
}

START_TEST(test_init)
{
	struct probe_result pr;
	double avail;

	ck_assert_int_eq(results_init(&r, 4), 0);
	ck_assert_int_eq(r.state, TARGET_UNKNOWN);
	ck_assert_str_eq(target_state_name(r.state), "unknown");
	ck_assert_uint_eq(r.probes, 0);
	ck_assert_uint_eq(r.ok, 0);
	ck_assert_uint_eq(r.failed, 0);
	ck_assert_uint_eq(r.late, 0);
	ck_assert_int_eq(r.since_wall_us, 0);
	/* no detail: until then its readers answer none and zeros */
	ck_assert_ptr_null(r.d);
	ck_assert_int_eq(results_last(&r, &pr), -1);
	ck_assert_uint_eq(results_errors(&r, PERR_REFUSED), 0);
	ck_assert_uint_eq(results_lat_count(&r, LAT_TOTAL, 0), 0);
	ck_assert_uint_eq(results_lat_count(&r, LAT_TOTAL, LAT_BUCKETS - 1), 0);
	ck_assert_uint_eq(results_lat_sum_us(&r, LAT_TOTAL), 0);
	ck_assert_int_eq(results_availability(&r, 1, &avail), -1);
	/* the ring comes with the first result, of the size by then */
	ck_assert_ptr_null(r.ring);
	ck_assert_uint_eq(r.ring_size, 4);
	ck_assert_uint_eq(r.ring_count, 0);
	ck_assert_ptr_null(results_history(&r, 0));
	ck_assert_int_eq(results_resize(&r, 3), 0);
	ck_assert_ptr_null(r.ring);
	pr = pr_make(1000000, 500, PERR_NONE, 0);
	results_record(&r, &pr);
	ck_assert_ptr_nonnull(r.d);
	ck_assert_int_eq(results_last(&r, &pr), 0);
	ck_assert_uint_eq(pr.latency_us, 500);
	ck_assert_uint_eq(results_lat_count(&r, LAT_TOTAL, 2), 1); /* <= 500 */
	ck_assert_uint_eq(results_lat_sum_us(&r, LAT_TOTAL), 500);
	ck_assert_int_eq(results_availability(&r, 1, &avail), 0);
	ck_assert(avail == 1.0);
	ck_assert_ptr_nonnull(r.ring);
	ck_assert_uint_eq(r.ring_size, 3);
	ck_assert_uint_eq(r.ring_count, 1);
	ck_assert_ptr_nonnull(results_history(&r, 0));
	ck_assert_uint_eq(results_history(&r, 0)->error, PERR_NONE);
}
END_TEST

/*
 * Results counted while there was no memory for the detail (its counters
 * went on, its histograms could not): the latency histogram that comes
 * later holds only what it saw, not the earlier ones in its last bucket.
 */
START_TEST(test_detail_late)
{
	struct probe_result pr;
	uint64_t sum = 0;
	unsigned i;

	ck_assert_int_eq(results_init(&r, 4), 0);
	r.ok = 5;		/* as results_record_at leaves it without memory */
	ck_assert_ptr_null(r.d);
	ck_assert_uint_eq(results_lat_count(&r, LAT_TOTAL, LAT_BUCKETS - 1), 0);
	pr = pr_make(1000000, 300, PERR_NONE, 0);
	results_record(&r, &pr);
	ck_assert_ptr_nonnull(r.d);
	ck_assert_uint_eq(r.ok, 6);
	for (i = 0; i < LAT_BUCKETS; i++)
		sum += results_lat_count(&r, LAT_TOTAL, i);
	ck_assert_uint_eq(sum, 1);
	ck_assert_uint_eq(results_lat_count(&r, LAT_TOTAL, LAT_BUCKETS - 1), 0);
	pr = pr_make(2000000, 3000000, PERR_NONE, 0);	/* 3 s: the last */
	results_record(&r, &pr);
	ck_assert_uint_eq(results_lat_count(&r, LAT_TOTAL, LAT_BUCKETS - 1), 1);
	results_free(&r);
	ck_assert_ptr_null(r.d);
}
END_TEST

/*
 * The bytes a failed expect received live in the target's keep buffer,
 * not in the state file: after a restart its last result must not claim
 * bytes the buffer does not hold (they would be shown as "received",
 * uninitialised heap, or past its end for a file that says more than 64).
 */
START_TEST(test_restore_no_recv)
{
	static const unsigned char got[] = "HELLO\r\n";
	struct probe_result pr, last;
	struct results r2;

	ck_assert_int_eq(results_init(&r, 4), 0);
	pr = pr_make(1000000, 300, PERR_EXPECT_MISMATCH, 0);
	pr.recv = got;
	pr.recv_len = sizeof(got) - 1;
	pr.recv_total = sizeof(got) - 1;
	results_record(&r, &pr);
	ck_assert_int_eq(results_last(&r, &last), 0);
	ck_assert_uint_eq(last.recv_len, sizeof(got) - 1);
	ck_assert_int_eq(results_init(&r2, 4), 0);
	ck_assert_int_eq(results_restore(&r2, &r, r.d, NULL, 0, 0), 0);
	ck_assert_int_eq(results_last(&r2, &last), 0);
	ck_assert_uint_eq(last.error, PERR_EXPECT_MISMATCH);
	ck_assert_uint_eq(last.recv_total, sizeof(got) - 1);
	ck_assert_msg(last.recv_len == 0, "restored: %u bytes received, "
	    "none kept", (unsigned)last.recv_len);
	results_free(&r2);
	results_free(&r);
}
END_TEST

/* unknown -> up -> down -> up; "since" moves on a change only. */
START_TEST(test_state_changes)
{
	struct probe_result pr;

	ck_assert_int_eq(results_init(&r, 8), 0);

	pr = pr_make(1000000, 500, PERR_NONE, 0);
	ck_assert_int_eq(results_record(&r, &pr), TARGET_UP);
	ck_assert_int_eq(r.state, TARGET_UP);
	ck_assert_str_eq(target_state_name(r.state), "up");
	ck_assert_int_eq(r.since_wall_us, 1000500);	/* when it ended */
	ck_assert_ptr_nonnull(r.d);	/* a last result */

	pr = pr_make(2000000, 700, PERR_NONE, 0);
	ck_assert_int_eq(results_record(&r, &pr), TARGET_UP);
	ck_assert_int_eq(r.since_wall_us, 1000500);

	pr = pr_make(3000000, 200, PERR_REFUSED, ECONNREFUSED);
	ck_assert_int_eq(results_record(&r, &pr), TARGET_DOWN);
	ck_assert_int_eq(r.state, TARGET_DOWN);
	ck_assert_str_eq(target_state_name(r.state), "down");
	ck_assert_int_eq(r.since_wall_us, 3000200);

	pr = pr_make(4000000, 3000000, PERR_CONNECT_TIMEOUT, ETIMEDOUT);
	ck_assert_int_eq(results_record(&r, &pr), TARGET_DOWN);
	ck_assert_int_eq(r.since_wall_us, 3000200);

	pr = pr_make(8000000, 100, PERR_NONE, 0);
	ck_assert_int_eq(results_record(&r, &pr), TARGET_UP);
	ck_assert_int_eq(r.since_wall_us, 8000100);

	ck_assert_uint_eq(r.ok, 3);
	ck_assert_uint_eq(r.failed, 2);
	ck_assert_int_eq(r.d->last.wall_us, 8000000);
	ck_assert_uint_eq(r.d->last.latency_us, 100);
	ck_assert_int_eq(r.d->last.error, PERR_NONE);
}
END_TEST

/* A first failure is a change too: unknown -> down. */
START_TEST(test_first_failure)
{
	struct probe_result pr;

	ck_assert_int_eq(results_init(&r, 2), 0);
	pr = pr_make(5000000, 42, PERR_DNS, EAI_NONAME);
	ck_assert_int_eq(results_record(&r, &pr), TARGET_DOWN);
	ck_assert_int_eq(r.since_wall_us, 5000042);
	ck_assert_uint_eq(r.ok, 0);
	ck_assert_uint_eq(r.failed, 1);
}
END_TEST

/* What one entry keeps of a result. */
START_TEST(test_entry_fields)
{
	struct probe_result pr, got;

	ck_assert_uint_eq(sizeof(struct hist_entry), 16);
	ck_assert_int_eq(results_init(&r, 4), 0);

	pr = pr_make(1234567891, 250, PERR_REFUSED, ECONNREFUSED);
	results_record(&r, &pr);
	pr = pr_make(1234568999, 77, PERR_DNS, EAI_NONAME);
	results_record(&r, &pr);

	ck_assert_int_eq(results_get(&r, 0, &got), 0);
	ck_assert_int_eq(got.wall_us / 1000, 1234568);
	ck_assert_uint_eq(got.latency_us, 77);
	ck_assert_int_eq(got.error, PERR_DNS);
	ck_assert_int_eq(got.sys_err, EAI_NONAME);	/* negative survives */

	ck_assert_int_eq(results_get(&r, 1, &got), 0);
	ck_assert_int_eq(got.wall_us / 1000, 1234567);
	ck_assert_uint_eq(got.latency_us, 250);
	ck_assert_int_eq(got.error, PERR_REFUSED);
	ck_assert_int_eq(got.sys_err, ECONNREFUSED);
	ck_assert_int_eq(results_get(&r, 2, &got), -1);
}
END_TEST

/*
 * Times are kept in 16 bits: exact below 2048 us, within 0.05 % above, in
 * order, and up to half an hour without overflow.
 */
START_TEST(test_pack_us)
{
	uint32_t us, back, prev = 0;
	double err;

	for (us = 0; us < 2048; us++)
		ck_assert_uint_eq(results_unpack_us(results_pack_us(us)), us);
	for (us = 2048; us < 2000000000u; us += us / 7 + 1) {
		back = results_unpack_us(results_pack_us(us));
		err = back > us ? back - us : us - back;
		ck_assert_msg(err / us <= 0.0005, "%u us came back as %u",
		    us, back);
		ck_assert_msg(back >= prev, "%u us came back as %u, below "
		    "%u", us, back, prev);
		prev = back;
	}
	back = results_unpack_us(results_pack_us(UINT32_MAX));
	ck_assert_msg(back >= 4290000000u, "UINT32_MAX came back as %u",
	    back);
}
END_TEST

/*
 * History times keep only their low 32 bits of milliseconds: the full times
 * come back exactly, also across a wrap of those bits (every 49.7 days).
 */
START_TEST(test_entry_times_wrap)
{
	struct probe_result pr, got;
	int64_t base = ((int64_t)1 << 32) * 400 - 1500;	/* ms */
	int i;

	ck_assert_int_eq(results_init(&r, 8), 0);
	for (i = 0; i < 6; i++) {
		pr = pr_make((base + i * 700) * 1000, 10 + i, PERR_NONE, 0);
		results_record(&r, &pr);
	}
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(results_get(&r, (unsigned)i, &got), 0);
		ck_assert_int_eq(got.wall_us, (base + (5 - i) * 700) * 1000);
		ck_assert_uint_eq(got.latency_us, 15 - i);
	}
}
END_TEST

START_TEST(test_ring_partial)
{
	static const unsigned want[] = { 1, 0 };

	ck_assert_int_eq(results_init(&r, 4), 0);
	record_range(0, 1);
	assert_history(want, 2);
}
END_TEST

/* 10 results into 4 slots: the newest 4, newest first, across the wrap. */
START_TEST(test_ring_wrap)
{
	static const unsigned want4[] = { 3, 2, 1, 0 };
	static const unsigned want5[] = { 4, 3, 2, 1 };
	static const unsigned want10[] = { 9, 8, 7, 6 };

	ck_assert_int_eq(results_init(&r, 4), 0);
	record_range(0, 3);
	assert_history(want4, 4);
	record_range(4, 4);
	assert_history(want5, 4);
	record_range(5, 9);
	assert_history(want10, 4);
	ck_assert_uint_eq(r.ok, 10);
}
END_TEST

START_TEST(test_history_one)
{
	static const unsigned want0[] = { 0 };
	static const unsigned want2[] = { 2 };

	ck_assert_int_eq(results_init(&r, 1), 0);
	record_range(0, 0);
	assert_history(want0, 1);
	record_range(1, 2);
	assert_history(want2, 1);
	ck_assert_uint_eq(r.ok, 3);
}
END_TEST

/* Growing keeps everything; new results then fill the new room. */
START_TEST(test_resize_bigger)
{
	static const unsigned want_kept[] = { 4, 3, 2 };
	static const unsigned want_more[] = { 7, 6, 5, 4, 3, 2 };
	static const unsigned want_wrap[] = { 9, 8, 7, 6, 5, 4 };

	ck_assert_int_eq(results_init(&r, 3), 0);
	record_range(0, 4);		/* wrapped: head mid-ring */
	ck_assert_int_eq(results_resize(&r, 6), 0);
	ck_assert_uint_eq(r.ring_size, 6);
	assert_history(want_kept, 3);
	record_range(5, 7);
	assert_history(want_more, 6);
	record_range(8, 9);
	assert_history(want_wrap, 6);
}
END_TEST

/* Shrinking keeps the newest that fit. */
START_TEST(test_resize_smaller)
{
	static const unsigned want_kept[] = { 7, 6 };
	static const unsigned want_next[] = { 8, 7 };

	ck_assert_int_eq(results_init(&r, 5), 0);
	record_range(0, 7);		/* wrapped: head mid-ring */
	ck_assert_int_eq(results_resize(&r, 2), 0);
	ck_assert_uint_eq(r.ring_size, 2);
	assert_history(want_kept, 2);
	record_range(8, 8);
	assert_history(want_next, 2);
}
END_TEST

/* Shrinking a ring that is not full loses nothing that fits. */
START_TEST(test_resize_smaller_partial)
{
	static const unsigned want[] = { 1, 0 };
	static const unsigned want1[] = { 1 };

	ck_assert_int_eq(results_init(&r, 8), 0);
	record_range(0, 1);
	ck_assert_int_eq(results_resize(&r, 3), 0);
	assert_history(want, 2);
	ck_assert_int_eq(results_resize(&r, 1), 0);
	assert_history(want1, 1);
}
END_TEST

/* Resizing touches only the ring: state, counters, last stay. */
START_TEST(test_resize_keeps_state)
{
	static const unsigned want[] = { 3, 2, 1, 0 };
	struct probe_result pr;
	struct hist_entry *ring;

	ck_assert_int_eq(results_init(&r, 4), 0);
	record_range(0, 2);
	pr = pr_make(WALL(3), 3, PERR_RESET, ECONNRESET);
	results_record(&r, &pr);

	ring = r.ring;
	ck_assert_int_eq(results_resize(&r, 4), 0);	/* same size: no-op */
	ck_assert_ptr_eq(r.ring, ring);
	assert_history(want, 4);

	ck_assert_int_eq(results_resize(&r, 100), 0);
	assert_history(want, 4);
	ck_assert_int_eq(r.state, TARGET_DOWN);
	ck_assert_int_eq(r.since_wall_us, WALL(3) + 3);
	ck_assert_uint_eq(r.ok, 3);
	ck_assert_uint_eq(r.failed, 1);
	ck_assert_ptr_nonnull(r.d);	/* a last result */
	ck_assert_int_eq(r.d->last.error, PERR_RESET);
}
END_TEST

START_TEST(test_free)
{
	ck_assert_int_eq(results_init(&r, 4), 0);
	record_range(0, 5);
	results_free(&r);
	ck_assert_ptr_null(r.ring);
	ck_assert_ptr_null(results_history(&r, 0));
	results_free(&r);		/* twice is harmless */
}
END_TEST

/* `futctl show`: the ring as JSON, newest first, with words for errors. */
START_TEST(test_report_history)
{
	char name[] = "web", host[] = "127.0.0.1";
	struct target *tg;
	struct probe_result pr;
	json_t *o, *hist, *e;
	struct jsonw jw;

	tg = calloc(1, sizeof(*tg));
	ck_assert_ptr_nonnull(tg);
	tg->conf.name = name;
	tg->conf.host = host;
	tg->conf.port = 80;
	tg->conf.kind = PROBE_PEERADDR;
	tg->conf.interval_us = 2500000;
	tg->conf.timeout_us = 1000000;
	ck_assert_int_eq(results_init(&tg->res, 3), 0);

	pr = pr_make(1000000000, 100, PERR_NONE, 0);	/* falls off */
	results_record(&tg->res, &pr);
	pr = pr_make(1000001000, 200, PERR_REFUSED, ECONNREFUSED);
	results_record(&tg->res, &pr);
	pr = pr_make(1000002000, 300, PERR_NONE, 0);
	results_record(&tg->res, &pr);
	pr = pr_make(1000003000, 400, PERR_NONE, 0);
	ck_assert_int_eq(sockaddr_parse_numeric("127.0.0.1", 80, &pr.peer), 0);
	results_record(&tg->res, &pr);

	/* as `show` writes it, read back */
	jsonw_init(&jw);
	report_target(&jw, tg, REPORT_SHOW, 0);
	ck_assert_int_eq(jw.nomem, 0);
	o = json_loadb(jw.b, jw.n, JSON_REJECT_DUPLICATES, NULL);
	jsonw_free(&jw);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "state")), "up");
	ck_assert_double_eq_tol(json_real_value(json_object_get(o, "since")),
	    1000.0023, 1e-9);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "ok")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "failed")), 1);
	ck_assert_msg(json_is_true(json_object_get(o, "last_ok")),
	    "last_ok should be true");
	ck_assert_str_eq(json_string_value(json_object_get(o, "peer")),
	    "127.0.0.1:80");

	hist = json_object_get(o, "history");
	ck_assert_msg(json_is_array(hist), "no history array");
	ck_assert_uint_eq(json_array_size(hist), 3);

	e = json_array_get(hist, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "latency_us")),
	    400);
	ck_assert_double_eq_tol(json_real_value(json_object_get(e, "time")),
	    1000.003, 1e-9);
	ck_assert_msg(json_is_true(json_object_get(e, "ok")), "ok is true");
	ck_assert_msg(json_is_null(json_object_get(e, "error")),
	    "error is null when ok");
	ck_assert_msg(json_is_null(json_object_get(e, "message")),
	    "message is null when ok");

	e = json_array_get(hist, 1);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "latency_us")),
	    300);

	e = json_array_get(hist, 2);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "latency_us")),
	    200);
	ck_assert_msg(json_is_false(json_object_get(e, "ok")), "ok is false");
	ck_assert_str_eq(json_string_value(json_object_get(e, "error")),
	    "refused");
	ck_assert_str_eq(json_string_value(json_object_get(e, "message")),
	    strerror(ECONNREFUSED));

	json_decref(o);
	results_free(&tg->res);
	free(tg);
}
END_TEST

Suite *
results_suite(void)
{
	Suite *s = suite_create("results");
	TCase *tc;

	tc = tcase_create("state");
	tcase_add_checked_fixture(tc, results_setup, results_teardown);
	tcase_add_test(tc, test_init);
	tcase_add_test(tc, test_detail_late);
	tcase_add_test(tc, test_state_changes);
	tcase_add_test(tc, test_first_failure);
	suite_add_tcase(s, tc);

	tc = tcase_create("ring");
	tcase_add_checked_fixture(tc, results_setup, results_teardown);
	tcase_add_test(tc, test_entry_fields);
	tcase_add_test(tc, test_pack_us);
	tcase_add_test(tc, test_entry_times_wrap);
	tcase_add_test(tc, test_ring_partial);
	tcase_add_test(tc, test_ring_wrap);
	tcase_add_test(tc, test_history_one);
	tcase_add_test(tc, test_resize_bigger);
	tcase_add_test(tc, test_resize_smaller);
	tcase_add_test(tc, test_resize_smaller_partial);
	tcase_add_test(tc, test_resize_keeps_state);
	tcase_add_test(tc, test_free);
	suite_add_tcase(s, tc);

	tc = tcase_create("report");
	tcase_add_test(tc, test_report_history);
	tcase_add_test(tc, test_restore_no_recv);
	suite_add_tcase(s, tc);

	return s;
}
