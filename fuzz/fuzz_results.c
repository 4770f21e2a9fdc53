/*
 * fuzz_results.c - libFuzzer target: a target's results (daemon/results.c)
 * fed a sequence of probe results, checked against a shadow copy of what
 * was recorded.
 *
 * Input layout (bytes past the end read as zero):
 *   byte 0       ring size: 1 + b % 64
 *   byte 1       policy: rise 1 + (b & 3), fall 1 + (b >> 2 & 3),
 *                flap (b >> 4) & 7
 *   then ops, each starting with one byte:
 *     op % 16 == 15: resize the ring to (next byte) % 65 (0: no ring)
 *     op % 16 == 14: results_record_each(i = next % 10, n = next % 9)
 *                    with the next result
 *     otherwise:     record one result:
 *       delta   4 bytes LE: wall-clock step, scaled by op bits 4..5:
 *               us, ms (< 28 h), s (< 47 days) or ms (< 2^32 - 1), or a
 *               step BACK (at most a day) when bit 6;
 *       latency 4 bytes LE, scaled down by op bits 0..1
 *               (>> 0, 12, 20, 26: exact range, 2048.., large, huge);
 *       phases  4 x 2 bytes LE: resolve, connect, write, first byte, each
 *               (v * latency) >> 16, so that each is <= the total;
 *       class   1 byte: % PERR__MAX (bit 7 of op: the raw byte instead);
 *       errno   1 byte: 0..243 an errno, 244..254 a resolver code
 *               (-1..-5, -65..-70), 255: four more bytes of raw int.
 *
 * After each op (abort() when a property fails):
 *  - results_get(n) for every n < ring_count gives back the n-th newest
 *    recorded result: every phase and the latency exact below 2048 us and
 *    within 0.05 % above; the error class exactly (when < PERR__MAX); the
 *    errno exactly when it is < 244 or a resolver code; the start time to
 *    the millisecond from the newest back to the first neighbour whose
 *    wall clock stepped back (or forward by 2^32 ms or more) in between;
 *    times non-increasing going back in any case; results_get(count) is -1;
 *  - the cursor (results_cursor/results_next) walks the same entries;
 *  - results_stats(): count and ok as the shadow has them, and when there
 *    is an ok result min <= p50 <= p95 <= p99 <= max, min <= mean <= max,
 *    min and max exactly the shadow's (unpacked) extremes;
 *  - counters: ok + failed = results recorded, errors[] by class,
 *    latency histogram counts = ok; state is unknown, up or down;
 *    flapping only when flap > 0; availability in [0, 1].
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "results.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_results: property failed at %s:%d: "	\
		    "%s\n", __FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

#define RING_MAX	64

static int	 debug = -1;	/* FUZZ_DEBUG set: print what is recorded */
static int	 skip_known;	/* FUZZ_SKIP_KNOWN=1 */
static int	 hit_known;	/* ... and this input would hit one */
#define WALL_BASE	1700000000000000LL	/* 2023, in us */

struct input {
	const uint8_t	*p;
	size_t		 left;
};

static uint8_t
get8(struct input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static uint16_t
get16(struct input *in)
{
	uint16_t v = get8(in);

	return (uint16_t)(v | (uint16_t)get8(in) << 8);
}

static uint32_t
get32(struct input *in)
{
	uint32_t v = get16(in);

	return v | (uint32_t)get16(in) << 16;
}

/* What we recorded, newest last: the shadow of the ring. */
struct shadow {
	struct probe_result	 r[RING_MAX];
	unsigned		 n;		/* entries, <= size */
	unsigned		 size;
	int			 stepped_back_at[RING_MAX];	/* vs its elder:
						   back, or >= 2^32 ms on */
};

static const int dns_codes[11] = { -1, -2, -3, -4, -5, -65, -66, -67, -68,
    -69, -70 };

static void
check_us(uint32_t want, uint32_t got)
{
	uint64_t diff;

	if (want < 2048) {
		if (want != got)
			goto fail;
		return;
	}
	diff = want > got ? want - got : got - want;
	/* < 0.05 %: diff / want < 1 / 2000 */
	if (diff * 2000 > want)
		goto fail;
	return;
fail:
	fprintf(stderr, "fuzz_results: %u us came back as %u\n", want, got);
	abort();
}

static int
errno_exact(int e)
{
	return (e >= 0 && e < 244) || (e <= -1 && e >= -5) ||
	    (e <= -65 && e >= -70);
}

static void
shadow_push(struct shadow *s, const struct probe_result *pr)
{
	int back = 0;

	if (s->size == 0)
		return;
	/*
	 * a step back, or 2^32 ms (49.7 days) or more forward: the low 32
	 * bits of the milliseconds cannot tell the elder's time (results.c
	 * assumes neighbours less than 49 days apart, a clock that does not
	 * go back)
	 */
	if (s->n > 0 && (pr->wall_us / 1000 < s->r[s->n - 1].wall_us / 1000 ||
	    pr->wall_us / 1000 - s->r[s->n - 1].wall_us / 1000 >=
	    (1LL << 32)))
		back = 1;
	if (s->n == s->size) {
		memmove(&s->r[0], &s->r[1], (s->n - 1) * sizeof(s->r[0]));
		memmove(&s->stepped_back_at[0], &s->stepped_back_at[1],
		    (s->n - 1) * sizeof(s->stepped_back_at[0]));
		s->n--;
	}
	s->r[s->n] = *pr;
	s->stepped_back_at[s->n] = s->n > 0 ? back : 0;
	s->n++;
}

static void
shadow_resize(struct shadow *s, unsigned size)
{
	unsigned keep = s->n < size ? s->n : size;

	memmove(&s->r[0], &s->r[s->n - keep], keep * sizeof(s->r[0]));
	memmove(&s->stepped_back_at[0], &s->stepped_back_at[s->n - keep],
	    keep * sizeof(s->stepped_back_at[0]));
	if (keep > 0)
		s->stepped_back_at[0] = 0;
	s->n = keep;
	s->size = size;
}

static void
check_ring(const struct results *r, const struct shadow *s)
{
	struct probe_result got, cur;
	struct hist_cursor c;
	const struct probe_result *want;
	unsigned n, j;
	int exact_time = 1;

	CHECK(r->ring_count == s->n);
	CHECK(r->ring_size == s->size);
	results_cursor(&c, r);
	for (n = 0; n < s->n; n++) {
		want = &s->r[s->n - 1 - n];
		CHECK(results_get(r, n, &got) == 0);
		CHECK(results_next(&c, &cur) == 0);
		CHECK(memcmp(&got, &cur, sizeof(got)) == 0);
		CHECK(results_history(r, n) != NULL);

		check_us(want->latency_us, got.latency_us);
		check_us(want->ph.total_us, got.ph.total_us);
		check_us(want->ph.resolve_us, got.ph.resolve_us);
		check_us(want->ph.connect_us, got.ph.connect_us);
		check_us(want->ph.write_us, got.ph.write_us);
		check_us(want->ph.first_byte_us, got.ph.first_byte_us);
		CHECK(got.connect_us == got.ph.connect_us);
		if ((unsigned)want->error < PERR__MAX)
			CHECK(got.error == want->error);
		if (errno_exact(want->sys_err))
			CHECK(got.sys_err == want->sys_err);
		else
			CHECK(got.sys_err == 243 || got.sys_err == 0);

		/*
		 * whole milliseconds, exact while the clock went forward; no
		 * order is promised across a step back (the cursor takes the
		 * signed difference of neighbours, so an older entry may come
		 * back later than a newer one, as it was recorded)
		 */
		CHECK(got.wall_us % 1000 == 0);
		if (exact_time && got.wall_us / 1000 != want->wall_us / 1000) {
			fprintf(stderr, "fuzz_results: entry %u of %u: start "
			    "%lld ms came back as %lld ms\n", n, s->n,
			    (long long)(want->wall_us / 1000),
			    (long long)(got.wall_us / 1000));
			abort();
		}
		/* an older entry is exact only if no step back is newer */
		j = s->n - 1 - n;
		if (s->stepped_back_at[j])
			exact_time = 0;
	}
	CHECK(results_get(r, s->n, &got) == -1);
	CHECK(results_next(&c, &cur) == -1);
	CHECK(results_history(r, s->n) == NULL);
}

static void
check_stats(const struct results *r, const struct shadow *s)
{
	struct results_stats st;
	struct probe_result got;
	uint32_t min = UINT32_MAX, max = 0;
	unsigned n, ok = 0;

	for (n = 0; n < s->n; n++) {
		CHECK(results_get(r, n, &got) == 0);
		if (got.error != PERR_NONE)
			continue;
		ok++;
		if (got.latency_us < min)
			min = got.latency_us;
		if (got.latency_us > max)
			max = got.latency_us;
	}
	results_stats(r, &st);
	CHECK(st.count == s->n);
	CHECK(st.ok == ok);
	if (ok == 0)
		return;
	CHECK(st.min_us == min && st.max_us == max);
	CHECK(st.min_us <= st.p50_us);
	CHECK(st.p50_us <= st.p95_us);
	CHECK(st.p95_us <= st.p99_us);
	CHECK(st.p99_us <= st.max_us);
	CHECK(st.mean_us >= (double)min * (1 - 1e-9) &&
	    st.mean_us <= (double)max * (1 + 1e-9));
	CHECK(st.jitter_us >= 0 && st.jitter_us <= (double)(max - min) *
	    (1 + 1e-9));
}

static void
check_counters(const struct results *r, uint64_t recorded, uint64_t ok,
    const uint64_t *by_class)
{
	uint64_t sum;
	unsigned i, k;
	double a;
	int w;

	CHECK(r->ok == ok);
	CHECK(r->ok + r->failed == recorded);
	for (i = 0; i < PERR__MAX; i++)
		CHECK(results_errors(r, i) == (uint32_t)by_class[i]);
	for (k = 0; k < LAT__MAX; k++) {
		for (sum = 0, i = 0; i < LAT_BUCKETS; i++)
			sum += results_lat_count(r, k, i);
		CHECK(sum == (uint32_t)ok || sum == ok);
	}
	CHECK(r->state == TARGET_UNKNOWN || r->state == TARGET_UP ||
	    r->state == TARGET_DOWN);
	CHECK(recorded == 0 ? r->state == TARGET_UNKNOWN :
	    r->state != TARGET_UNKNOWN);
	CHECK(!r->flapping || (r->flap > 0 && r->changes > r->flap));
	CHECK(results_state(r) <= TARGET_FLAPPING);
	for (w = 0; w < 3; w++) {
		if (results_availability(r, w, &a) == 0)
			CHECK(a >= 0 && a <= 1);
		else
			CHECK(w != 0 || recorded == 0);
	}
}

static void
read_result(struct input *in, uint8_t op, int64_t *wall,
    struct probe_result *pr)
{
	static const unsigned lat_shift[4] = { 0, 12, 20, 26 };
	uint32_t delta = get32(in), lat;
	uint16_t ph[4];
	uint8_t cls, e;
	int64_t step;
	int i;

	switch ((op >> 4) & 3) {
	case 0:
		step = delta;				/* us */
		break;
	case 1:
		step = (int64_t)(delta % 100000000u) * 1000;	/* ms, < 28 h */
		break;
	case 2:
		step = (int64_t)(delta % 4000000u) * 1000000;	/* s, < 47 d */
		break;
	default:
		/* whole ms, < 2^32 - 1 of them: the most the ring can span */
		step = (int64_t)(delta % 0xffffffffu) * 1000;
		break;
	}
	if (op & 0x40)
		step = -(step % 86400000000LL);	/* back, at most a day */
	*wall += step;

	lat = get32(in) >> lat_shift[op & 3];
	for (i = 0; i < 4; i++)
		ph[i] = get16(in);
	cls = get8(in);
	e = get8(in);

	memset(pr, 0, sizeof(*pr));
	pr->wall_us = *wall;
	pr->latency_us = lat;
	pr->ph.total_us = lat;
	pr->ph.resolve_us = (uint32_t)(((uint64_t)ph[0] * lat) >> 16);
	pr->ph.connect_us = (uint32_t)(((uint64_t)ph[1] * lat) >> 16);
	pr->ph.write_us = (uint32_t)(((uint64_t)ph[2] * lat) >> 16);
	pr->ph.first_byte_us = (uint32_t)(((uint64_t)ph[3] * lat) >> 16);
	pr->connect_us = pr->ph.connect_us;
	pr->error = (op & 0x80) ? (enum probe_error)cls :
	    (enum probe_error)(cls % PERR__MAX);
	if (e < 244)
		pr->sys_err = e;
	else if (e < 255)
		pr->sys_err = dns_codes[e - 244];
	else
		pr->sys_err = (int)get32(in);
	/*
	 * FUZZ_SKIP_KNOWN=1: reject inputs that would hit a reported, unfixed
	 * bug, so that a long run can look for others.  Bug 2 (see README):
	 * INT_MIN overflows the negation in results_pack_err().
	 */
	if (skip_known && pr->sys_err == INT32_MIN)
		hit_known = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct results r;
	struct shadow s;
	struct probe_result pr;
	uint64_t recorded = 0, ok = 0, by_class[PERR__MAX];
	int64_t wall = WALL_BASE;
	unsigned size0, i, n;
	uint8_t op, pol;
	int ops = 0;

	if (size > 4096)
		return 0;
	if (debug == -1) {
		debug = getenv("FUZZ_DEBUG") != NULL;
		skip_known = getenv("FUZZ_SKIP_KNOWN") != NULL &&
		    strcmp(getenv("FUZZ_SKIP_KNOWN"), "1") == 0;
	}
	memset(&s, 0, sizeof(s));
	memset(by_class, 0, sizeof(by_class));
	size0 = 1 + get8(&in) % RING_MAX;
	pol = get8(&in);
	CHECK(results_init(&r, size0) == 0);
	results_set_policy(&r, 1 + (pol & 3), 1 + ((pol >> 2) & 3),
	    (pol >> 4) & 7);
	s.size = size0;

	while (in.left > 0 && ops++ < 512) {
		op = get8(&in);
		if (op % 16 == 15) {
			n = get8(&in) % (RING_MAX + 1);
			CHECK(results_resize(&r, n) == 0);
			shadow_resize(&s, n);
		} else if (op % 16 == 14) {
			i = get8(&in) % 10;
			n = get8(&in) % (TARGET_MAX_ADDRS + 1);
			read_result(&in, get8(&in), &wall, &pr);
			if (hit_known)
				break;
			if (results_record_each(&r, &pr, i, n) == 0) {
				CHECK(i < n && r.neach == n);
				CHECK(r.each[i].have_last);
				CHECK(r.each[i].ok + r.each[i].failed >= 1);
			} else
				CHECK(i >= n);
			continue;
		} else {
			read_result(&in, op, &wall, &pr);
			if (hit_known)
				break;
			if (debug)
				fprintf(stderr, "record: start %lld us, "
				    "latency %u us, class %d, errno %d\n",
				    (long long)pr.wall_us, pr.latency_us,
				    (int)pr.error, pr.sys_err);
			results_record(&r, &pr);
			shadow_push(&s, &pr);
			recorded++;
			if (pr.error == PERR_NONE)
				ok++;
			if ((unsigned)pr.error < PERR__MAX)
				by_class[pr.error]++;
			CHECK(r.d != NULL && r.d->last.latency_us == pr.latency_us);
		}
		check_ring(&r, &s);
		check_stats(&r, &s);
		check_counters(&r, recorded, ok, by_class);
	}
	results_free(&r);
	if (hit_known) {
		hit_known = 0;
		return -1;	/* not for the corpus */
	}
	return 0;
}
