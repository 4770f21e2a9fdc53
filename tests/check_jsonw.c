/*
 * check_jsonw.c - the JSON writer of status (daemon/jsonw.c): every number
 * byte for byte as the printf conversion it stands for, strings escaped as
 * report.c always did, addresses as sockaddr_format has them.
 */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <jansson.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "net.h"
#include "tests.h"

/* the text is want, or the test fails saying what it was given */
#define check_text(jw, want, what, ...) do {				\
	const char *got_ = jw_text(jw);					\
	if (strcmp(got_, (want)) != 0)					\
		ck_abort_msg("got %s, want %s for " what, got_, (want),	\
		    __VA_ARGS__);					\
} while (0)

/* xorshift64*: a fixed sequence, so that a failure comes back */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ULL;
}

/*
 * What jw holds, as a string (then emptied).  The loops below compare
 * before they assert: a passing ck_assert is a write to Check's pipe, and
 * there are a million of them.
 */
static const char *
jw_text(struct jsonw *jw)
{
	static char buf[256];

	if (jw->nomem || jw->n >= sizeof(buf))
		ck_abort_msg("jsonw lost a write or wrote %zu bytes", jw->n);
	memcpy(buf, jw->b, jw->n);
	buf[jw->n] = '\0';
	jw->n = 0;
	return buf;
}

static void
check_g16(struct jsonw *jw, int64_t us)
{
	char want[64];

	snprintf(want, sizeof(want), "%.16g", us / 1e6);
	jsonw_g16_us(jw, us);
	if (strcmp(jw_text(jw), want) != 0)
		ck_abort_msg("%%.16g of %" PRId64 " us: want %s", us, want);
}

static void
check_f6(struct jsonw *jw, int64_t us)
{
	char want[64];

	snprintf(want, sizeof(want), "%.6f", us / 1e6);
	jsonw_f6_us(jw, us);
	if (strcmp(jw_text(jw), want) != 0)
		ck_abort_msg("%%.6f of %" PRId64 " us: want %s", us, want);
}

START_TEST(jsonw_integers)
{
	static const uint64_t edges[] = { 0, 1, 9, 10, 99, 100, 65535,
	    4294967295ULL, 4294967296ULL, 999999999999ULL, INT64_MAX,
	    (uint64_t)INT64_MAX + 1, UINT64_MAX };
	struct jsonw jw;
	char want[32];
	uint64_t v;
	unsigned i;

	jsonw_init(&jw);
	for (i = 0; i < 200000; i++) {
		v = i < sizeof(edges) / sizeof(edges[0]) ? edges[i] :
		    rnd() >> (rnd() % 64);
		snprintf(want, sizeof(want), "%" PRIu64, v);
		jsonw_u64(&jw, v);
		check_text(&jw, want, "%s", "u64");
		snprintf(want, sizeof(want), "%" PRId64, (int64_t)v);
		jsonw_i64(&jw, (int64_t)v);
		check_text(&jw, want, "%s", "i64");
	}
	jsonw_free(&jw);
}
END_TEST

/* times: since, last_time, interval, timeout (%.16g of us / 1e6) */
START_TEST(jsonw_g16_times)
{
	static const int64_t edges[] = { 0, 1, 5, 100, 999999, 1000000,
	    1000001, 2500000, 10000000, 86400000000LL, 999999999999999LL,
	    1000000000000000LL, 1000000000000001LL, 1795792751470126LL,
	    1795792751000000LL, 1795792751100000LL, 4294967295999999LL,
	    4294967296000000LL, 9999999999999999LL, -1, -1000000,
	    INT64_MAX, INT64_MIN };
	struct jsonw jw;
	unsigned i;

	jsonw_init(&jw);
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		check_g16(&jw, edges[i]);
	/* wall-clock times, 2001 to 2106 */
	for (i = 0; i < 500000; i++)
		check_g16(&jw, 1000000000000000LL + (int64_t)(rnd() %
		    3294967296000000ULL));
	/* the same microseconds with their zeros at the end */
	for (i = 0; i < 100000; i++)
		check_g16(&jw, (1000000000LL + (int64_t)(rnd() %
		    3294967296ULL)) * 1000000 + (int64_t)(rnd() % 7) *
		    (int64_t)(rnd() % 2 ? 100000 : 10));
	/* intervals and timeouts, and anything else */
	for (i = 0; i < 100000; i++)
		check_g16(&jw, (int64_t)(rnd() % 100000000000ULL));
	for (i = 0; i < 100000; i++)
		check_g16(&jw, (int64_t)rnd());
	jsonw_free(&jw);
}
END_TEST

/* for_s, next_probe_in_s (%.6f of us / 1e6) */
START_TEST(jsonw_f6_durations)
{
	static const int64_t edges[] = { 0, 1, -1, 999999, 1000000, -1000000,
	    -999999, 4294967295999999LL, 4294967296000000LL,
	    -4294967295999999LL, -4294967296000000LL, INT64_MAX, INT64_MIN };
	struct jsonw jw;
	unsigned i;

	jsonw_init(&jw);
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		check_f6(&jw, edges[i]);
	for (i = 0; i < 300000; i++)
		check_f6(&jw, (int64_t)(rnd() % 86400000000ULL) -
		    (i % 10 == 0 ? 43200000000LL : 0));
	for (i = 0; i < 300000; i++)
		check_f6(&jw, (int64_t)(rnd() % 8589934592000000ULL) -
		    4294967296000000LL);
	for (i = 0; i < 100000; i++)
		check_f6(&jw, (int64_t)rnd());
	jsonw_free(&jw);
}
END_TEST

/* availability (%.6g of a ratio) */
START_TEST(jsonw_g6_ratios)
{
	struct jsonw jw;
	char want[64];
	uint64_t ok, total;
	double v;
	unsigned i;

	jsonw_init(&jw);
	for (i = 0; i < 200000; i++) {
		total = 1 + rnd() % (i % 2 ? 100 : 1000000);
		ok = i % 3 == 0 ? total : i % 3 == 1 ? 0 : rnd() % (total + 1);
		v = (double)ok / (double)total;
		snprintf(want, sizeof(want), "%.6g", v);
		jsonw_g6(&jw, v);
		check_text(&jw, want, "%" PRIu64 "/%" PRIu64, ok, total);
	}
	jsonw_g6(&jw, -0.0);
	ck_assert_str_eq(jw_text(&jw), "-0");
	jsonw_free(&jw);
}
END_TEST

START_TEST(jsonw_strings)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "",			"\"\"" },
		{ "web-1.example",	"\"web-1.example\"" },
		{ "a\"b\\c",		"\"a\\\"b\\\\c\"" },
		{ "tab\there\n",	"\"tab\\u0009here\\u000a\"" },
		{ "\x1f\x7f\xc3\xa9",	"\"\\u001f\\u007f\\u00c3\\u00a9\"" },
	};
	struct jsonw jw;
	json_t *o;
	char big[10000];
	unsigned i;

	jsonw_init(&jw);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		jsonw_str(&jw, cases[i].in);
		ck_assert_str_eq(jw_text(&jw), cases[i].out);
	}
	/* longer than the first buffer, all of it escaped: it grows */
	memset(big, '"', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 20; i++)
		jsonw_str(&jw, big);
	ck_assert_uint_eq(jw.n, 20 * (2 * (sizeof(big) - 1) + 2));
	jw.n = 0;
	/* and what it wrote is JSON that reads back as it was */
	jsonw_lit(&jw, "[");
	jsonw_str(&jw, "a\"b\\c\td\x01");
	jsonw_lit(&jw, "]");
	o = json_loadb(jw.b, jw.n, 0, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_array_get(o, 0)),
	    "a\"b\\c\td\x01");
	json_decref(o);
	jsonw_free(&jw);
}
END_TEST

START_TEST(jsonw_addresses)
{
	union sockaddr_union su;
	struct jsonw jw;
	char want[SOCKADDR_STRLEN + 2], addr[SOCKADDR_STRLEN];
	unsigned i;

	jsonw_init(&jw);
	memset(&su, 0, sizeof(su));
	jsonw_addr(&jw, &su);
	ck_assert_str_eq(jw_text(&jw), "null");
	for (i = 0; i < 100000; i++) {
		memset(&su, 0, sizeof(su));
		if (i % 10 == 9) {
			su.sin6.sin6_family = AF_INET6;
			su.sin6.sin6_port = htons((uint16_t)rnd());
			memcpy(&su.sin6.sin6_addr, (uint64_t[]){ rnd(),
			    i % 20 == 9 ? 0 : rnd() }, 16);
		} else {
			su.sin.sin_family = AF_INET;
			su.sin.sin_port = htons(i < 3 ? (uint16_t)(i * 65535) :
			    (uint16_t)rnd());
			su.sin.sin_addr.s_addr = i < 3 ? (uint32_t)-i :
			    (uint32_t)rnd();
		}
		snprintf(want, sizeof(want), "\"%s\"",
		    sockaddr_format(&su, addr, sizeof(addr)));
		jsonw_addr(&jw, &su);
		check_text(&jw, want, "%s", "an address");
	}
	jsonw_free(&jw);
}
END_TEST

/* flush hands the text to an evbuffer and starts over */
START_TEST(jsonw_flushes)
{
	struct evbuffer *out = evbuffer_new();
	struct jsonw jw;
	char text[64];
	size_t len;

	ck_assert_ptr_nonnull(out);
	jsonw_init(&jw);
	jsonw_lit(&jw, "{\"a\":");
	jsonw_u64(&jw, 42);
	ck_assert_int_eq(jsonw_flush(&jw, out), 0);
	ck_assert_uint_eq(jw.n, 0);
	jsonw_lit(&jw, "}");
	ck_assert_int_eq(jsonw_flush(&jw, out), 0);
	len = evbuffer_remove(out, text, sizeof(text) - 1);
	text[len] = '\0';
	ck_assert_str_eq(text, "{\"a\":42}");
	/* a lost write is told at the next flush */
	jw.nomem = 1;
	ck_assert_int_eq(jsonw_flush(&jw, out), -1);
	ck_assert_int_eq(jsonw_flush(&jw, out), 0);
	jsonw_free(&jw);
	evbuffer_free(out);
}
END_TEST

Suite *
jsonw_suite(void)
{
	Suite *s = suite_create("jsonw");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, jsonw_integers);
	tcase_add_test(tc, jsonw_g16_times);
	tcase_add_test(tc, jsonw_f6_durations);
	tcase_add_test(tc, jsonw_g6_ratios);
	tcase_add_test(tc, jsonw_strings);
	tcase_add_test(tc, jsonw_addresses);
	tcase_add_test(tc, jsonw_flushes);
	suite_add_tcase(s, tc);
	return s;
}
