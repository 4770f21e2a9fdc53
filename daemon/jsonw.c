/*
 * jsonw.c - JSON text for the big replies, without printf.
 *
 * Every number comes out byte for byte as the printf conversion it
 * replaces (tests compare them): a fast path where the digits can be had
 * from integers exactly, snprintf for the rest.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "net.h"
#include "jsonw.h"

void
jsonw_init(struct jsonw *jw)
{
	memset(jw, 0, sizeof(*jw));
}

void
jsonw_free(struct jsonw *jw)
{
	free(jw->b);
	jsonw_init(jw);
}

/* The slow side of jsonw_room: double the buffer until need fits. */
char *
jsonw_grow(struct jsonw *jw, size_t need)
{
	size_t cap = jw->cap > 0 ? jw->cap : JSONW_CHUNK;
	char *b;

	while (cap - jw->n < need) {
		if (cap > SIZE_MAX / 2) {
			jw->nomem = 1;
			return NULL;
		}
		cap *= 2;
	}
	if ((b = realloc(jw->b, cap)) == NULL) {
		jw->nomem = 1;
		return NULL;
	}
	jw->b = b;
	jw->cap = cap;
	return b + jw->n;
}

/*
 * Move what was written to out, keeping the buffer for more.  -1 when out
 * has no room or a write was lost since the last flush: the text is not
 * whole any more.
 */
int
jsonw_flush(struct jsonw *jw, struct evbuffer *out)
{
	int lost = jw->nomem;

	jw->nomem = 0;
	if (jw->n > 0 && evbuffer_add(out, jw->b, jw->n) == -1)
		lost = 1;
	jw->n = 0;
	return lost ? -1 : 0;
}

/*
 * A string, quoted: quote and backslash escaped, control bytes and those
 * above 0x7e as \u00XX (JSON stays ASCII, as report.c always wrote it).
 */
void
jsonw_str(struct jsonw *jw, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strlen(s);
	unsigned char c;
	char *p, *o;

	if ((p = o = jsonw_room(jw, 6 * len + 2)) == NULL)
		return;
	*o++ = '"';
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			*o++ = (char)c;
		else if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else {
			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 0xf];
			o += 6;
		}
	}
	*o++ = '"';
	jw->n += (size_t)(o - p);
}

/* Decimal digits of v at the end of buf[20]; returns where they begin. */
static char *
jsonw_digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

/* printf's %llu */
void
jsonw_u64(struct jsonw *jw, uint64_t v)
{
	char buf[20], *p;

	p = jsonw_digits(buf + sizeof(buf), v);
	jsonw_raw(jw, p, (size_t)(buf + sizeof(buf) - p));
}

/* printf's %lld */
void
jsonw_i64(struct jsonw *jw, int64_t v)
{
	char buf[21], *p;

	if (v >= 0) {
		jsonw_u64(jw, (uint64_t)v);
		return;
	}
	p = jsonw_digits(buf + sizeof(buf), -(uint64_t)v);
	*--p = '-';
	jsonw_raw(jw, p, (size_t)(buf + sizeof(buf) - p));
}

/* seconds "." six digits of microseconds, the zeros at the end dropped */
static void
jsonw_sec_us(struct jsonw *jw, uint64_t us, int strip)
{
	char buf[32], *p, *end = buf + sizeof(buf);
	uint64_t frac = us % 1000000;
	int i, keep = 6;

	if (strip)
		for (; keep > 0 && frac % 10 == 0; keep--)
			frac /= 10;
	for (i = 0; i < keep; i++) {
		*--end = (char)('0' + frac % 10);
		frac /= 10;
	}
	if (keep > 0)
		*--end = '.';
	p = jsonw_digits(end, us / 1000000);
	jsonw_raw(jw, p, (size_t)(buf + sizeof(buf) - p));
}

/*
 * A few values seen last, printed by snprintf: the interval and the
 * timeout of 100 000 targets are mostly the same two or three.
 */
#define JSONW_MEMO	4
struct jsonw_memo {
	int64_t		 us;
	double		 v;
	char		 text[40];
	size_t		 len;
	char		 conv;		/* 'g': %.16g of us, 'f': %.6f, 'r' */
};
static struct jsonw_memo	jsonw_memo[JSONW_MEMO];
static unsigned			jsonw_memo_next;

static void
jsonw_memo_put(struct jsonw *jw, char conv, int64_t us, double v)
{
	struct jsonw_memo *m;
	unsigned i;
	int r;

	for (i = 0; i < JSONW_MEMO; i++) {
		m = &jsonw_memo[i];
		/* same bits of v: -0.0 is not 0.0 */
		if (m->conv == conv && m->us == us &&
		    memcmp(&m->v, &v, sizeof(v)) == 0) {
			jsonw_raw(jw, m->text, m->len);
			return;
		}
	}
	m = &jsonw_memo[jsonw_memo_next++ % JSONW_MEMO];
	if (conv == 'g')
		r = snprintf(m->text, sizeof(m->text), "%.16g", us / 1e6);
	else if (conv == 'f')
		r = snprintf(m->text, sizeof(m->text), "%.6f", us / 1e6);
	else
		r = snprintf(m->text, sizeof(m->text), "%.6g", v);
	if (r < 0 || (size_t)r >= sizeof(m->text)) {
		m->conv = 0;
		return;
	}
	m->conv = conv;
	m->us = us;
	m->v = v;
	m->len = (size_t)r;
	jsonw_raw(jw, m->text, m->len);
}

/*
 * Times are microseconds, below 2^32 s (2106 as a wall-clock time) on the
 * fast path: there us / 1e6 is off by half a unit in the last place, at
 * most 2^-22 s, less than half a microsecond; so printf, rounding it to the
 * microsecond, gives back the integer's digits.
 */
#define JSONW_FAST_MAX	(4294967296LL * 1000000)

/*
 * printf's %.16g of us / 1e6: 16 significant digits are six decimals for
 * ten digits of seconds, fewer decimals below that (then snprintf).
 */
void
jsonw_g16_us(struct jsonw *jw, int64_t us)
{
	if (us >= 1000000000LL * 1000000 && us < JSONW_FAST_MAX)
		jsonw_sec_us(jw, (uint64_t)us, 1);
	else
		jsonw_memo_put(jw, 'g', us, 0);
}

/* printf's %.6f of us / 1e6 */
void
jsonw_f6_us(struct jsonw *jw, int64_t us)
{
	if (us >= 0 && us < JSONW_FAST_MAX)
		jsonw_sec_us(jw, (uint64_t)us, 0);
	else if (us < 0 && us > -JSONW_FAST_MAX) {
		jsonw_lit(jw, "-");
		jsonw_sec_us(jw, -(uint64_t)us, 0);
	} else
		jsonw_memo_put(jw, 'f', us, 0);
}

/* printf's %.6g, of a ratio most often exactly 1 */
void
jsonw_g6(struct jsonw *jw, double v)
{
	if (v == 1.0)
		jsonw_lit(jw, "1");
	else if (v == 0.0 && !signbit(v))
		jsonw_lit(jw, "0");
	else
		jsonw_memo_put(jw, 'r', 0, v);
}

/* An address as sockaddr_format has it, quoted; null when none. */
void
jsonw_addr(struct jsonw *jw, const union sockaddr_union *su)
{
	char buf[SOCKADDR_STRLEN + 2], *p, *end = buf + sizeof(buf);
	const unsigned char *a;
	int i;

	switch (su->sa.sa_family) {
	case 0:
		jsonw_lit(jw, "null");
		return;
	case AF_INET:
		/* backwards from the closing quote: port, then the octets */
		*--end = '"';
		p = jsonw_digits(end, ntohs(su->sin.sin_port));
		a = (const unsigned char *)&su->sin.sin_addr;
		for (i = 3; i >= 0; i--) {
			*--p = i == 3 ? ':' : '.';
			p = jsonw_digits(p, a[i]);
		}
		*--p = '"';
		jsonw_raw(jw, p, (size_t)(end + 1 - p));
		return;
	default:
		buf[0] = '"';
		sockaddr_format(su, buf + 1, SOCKADDR_STRLEN);
		i = (int)strlen(buf);
		buf[i] = '"';
		jsonw_raw(jw, buf, (size_t)i + 1);
		return;
	}
}

/*
 * The inside of a JSON string, from text of any length (the metrics, in
 * chunks), which is drained: '\n' as \n, quote and backslash escaped, the
 * other bytes below 0x20 or above 0x7e as \u00XX.
 */
void
jsonw_escape(struct jsonw *jw, struct evbuffer *text)
{
	static const char hex[] = "0123456789abcdef";
	struct evbuffer_iovec v[8];
	const unsigned char *p, *run, *end;
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t done;
	int i, n;

	while (evbuffer_get_length(text) > 0) {
		n = evbuffer_peek(text, -1, NULL, v, 8);
		if (n > 8)
			n = 8;
		for (i = 0, done = 0; i < n; i++) {
			p = run = v[i].iov_base;
			end = p + v[i].iov_len;
			for (; p < end; p++) {
				if (*p >= 0x20 && *p != '"' && *p != '\\' &&
				    *p < 0x7f)
					continue;
				jsonw_raw(jw, (const char *)run,
				    (size_t)(p - run));
				if (*p == '\n')
					jsonw_lit(jw, "\\n");
				else if (*p == '"')
					jsonw_lit(jw, "\\\"");
				else if (*p == '\\')
					jsonw_lit(jw, "\\\\");
				else {
					esc[4] = hex[*p >> 4];
					esc[5] = hex[*p & 0xf];
					jsonw_raw(jw, esc, sizeof(esc));
				}
				run = p + 1;
			}
			jsonw_raw(jw, (const char *)run, (size_t)(p - run));
			done += v[i].iov_len;
		}
		evbuffer_drain(text, done);
	}
}
