/*
 * step.c - a target's steps: the lists, their patterns, and the expect
 * step's future.
 *
 * An expect reads into the probe's buffer until its pattern shows up, its
 * reject pattern shows up first, read_limit bytes came without either, or
 * the peer closed.  A match consumes the bytes up to its end; the rest
 * stays at the start of the buffer for the next step, which looks at it
 * before it reads (a reply may bring the answers to two steps at once).
 *
 * The patterns are matched against all the step has read, each time more
 * came; glibc's regexec is not linear for every pattern ((a|b)*c takes
 * 24 ms on 4 KiB), so a peer that trickles bytes could keep one poll
 * matching for as long as it likes.  One match a poll, then: more bytes
 * after it wait for the executor's next pass (expect_poll).
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "step.h"

static const char *const step_kind_names[] = {
	[STEP_SEND] =	"send",
	[STEP_EXPECT] =	"expect",
	[STEP_TLS] =	"tls",
};

const char *
step_kind_name(enum step_kind k)
{
	return (unsigned)k <= STEP_TLS ? step_kind_names[k] : "?";
}

static const char *const step_origin_names[] = {
	[STEP_FROM_STEPS] =	"steps",
	[STEP_FROM_STARTTLS] =	"starttls",
	[STEP_FROM_PAYLOAD] =	"payload",
	[STEP_FROM_EXPECT] =	"expect",
};

const char *
step_origin_name(enum step_origin o)
{
	return (unsigned)o <= STEP_FROM_EXPECT ? step_origin_names[o] : "?";
}

struct steps *
steps_new(unsigned n)
{
	struct steps *ss;

	if ((ss = calloc(1, sizeof(*ss))) == NULL)
		return NULL;
	if (n > 0 && (ss->s = calloc(n, sizeof(*ss->s))) == NULL) {
		free(ss);
		return NULL;
	}
	ss->n = n;
	return ss;
}

void
step_pattern_free(struct step_pattern *p)
{
	free(p->bytes);
	free(p->text);
	if (p->regex != NULL) {
		regfree(p->regex);
		free(p->regex);
	}
	memset(p, 0, sizeof(*p));
}

void
steps_free(struct steps *ss)
{
	unsigned i;

	if (ss == NULL)
		return;
	for (i = 0; i < ss->n; i++) {
		free(ss->s[i].data);
		step_pattern_free(&ss->s[i].expect);
		step_pattern_free(&ss->s[i].reject);
	}
	free(ss->s);
	free(ss);
}

/*
 * p from bytes (len of them), or from a regex's text when re is not NULL.
 * 0, or -1 with why in err (a regex that does not compile, no memory).
 * The regex keeps its offsets (no REG_NOSUB): a match consumes up to its
 * end, and a reject is first or not by where it starts.
 */
int
step_pattern_set(struct step_pattern *p, const void *bytes, size_t len,
    const char *re, int hex, char *err, size_t errlen)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->hex = hex != 0;
	if (re == NULL) {
		if ((p->bytes = malloc(len > 0 ? len : 1)) == NULL)
			goto nomem;
		memcpy(p->bytes, bytes, len);
		p->len = len;
		return 0;
	}
	if ((p->regex = malloc(sizeof(regex_t))) == NULL)
		goto nomem;
	if ((rc = regcomp(p->regex, re, REG_EXTENDED)) != 0) {
		regerror(rc, p->regex, err, errlen);
		free(p->regex);
		p->regex = NULL;
		return -1;
	}
	/*
	 * One that matches nothing at all would match any reply at its first
	 * byte: an expect that always passes, a reject that always fails.
	 */
	if (regexec(p->regex, "", 0, NULL, 0) == 0) {
		snprintf(err, errlen, "matches an empty reply, so any reply at "
		    "all: make it need a byte (\".\" for any reply)");
		regfree(p->regex);
		free(p->regex);
		p->regex = NULL;
		return -1;
	}
	if ((p->text = strdup(re)) == NULL) {
		step_pattern_free(p);
		goto nomem;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int
step_pattern_none(const struct step_pattern *p)
{
	return p->bytes == NULL && p->regex == NULL;
}

/*
 * Where p first shows up in buf (len bytes; buf has room for one more):
 * 1 with [*so, *eo), else 0.
 */
int
step_find(const struct step_pattern *p, unsigned char *buf, size_t len,
    size_t *so, size_t *eo)
{
	const unsigned char *m;
	regmatch_t rm;

	if (p->regex == NULL) {
		if (p->bytes == NULL ||
		    (m = memmem(buf, len, p->bytes, p->len)) == NULL)
			return 0;
		*so = (size_t)(m - buf);
		*eo = *so + p->len;
		return 1;
	}
	/*
	 * REG_STARTEND: the bytes may hold NULs.  They get a terminator all
	 * the same: regexec's callers, sanitizers among them, may look for
	 * one.
	 */
	buf[len] = '\0';
	rm.rm_so = 0;
	rm.rm_eo = (regoff_t)len;
	if (regexec(p->regex, (const char *)buf, 1, &rm, REG_STARTEND) != 0)
		return 0;
	*so = (size_t)rm.rm_so;
	*eo = (size_t)rm.rm_eo;
	return 1;
}

static int
step_pattern_equal(const struct step_pattern *a, const struct step_pattern *b)
{
	if (a->hex != b->hex || (a->regex == NULL) != (b->regex == NULL) ||
	    (a->bytes == NULL) != (b->bytes == NULL))
		return 0;
	if (a->regex != NULL)
		return strcmp(a->text, b->text) == 0;
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->bytes, b->bytes, a->len) == 0);
}

/* Do a and b (either may be NULL) ask the same of a peer? */
int
steps_equal(const struct steps *a, const struct steps *b)
{
	const struct step *x, *y;
	unsigned i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->n != b->n || a->preset != b->preset)
		return 0;
	for (i = 0; i < a->n; i++) {
		x = &a->s[i];
		y = &b->s[i];
		if (x->kind != y->kind || x->hex != y->hex ||
		    x->read_limit != y->read_limit ||
		    x->timeout_us != y->timeout_us || x->len != y->len ||
		    (x->data == NULL) != (y->data == NULL) ||
		    (x->len > 0 && x->data != NULL &&
		    memcmp(x->data, y->data, x->len) != 0) ||
		    !step_pattern_equal(&x->expect, &y->expect) ||
		    !step_pattern_equal(&x->reject, &y->reject))
			return 0;
	}
	return 1;
}

/* the expect future */

static enum poll
expect_future_poll(struct future *f, struct task *t)
{
	return expect_poll((struct expect_fut *)f, t);
}

static void
expect_future_drop(struct future *f)
{
	expect_drop((struct expect_fut *)f);
}

/*
 * An expect of st on fd, reading into buf (size bytes, one kept for a
 * terminator) where left bytes of the step before wait; dflt_limit is the
 * target's read_limit.  The caller sets read.ssl when TLS is up.
 */
void
expect_init(struct expect_fut *e, const struct step *st, struct waiter *w,
    int fd, unsigned char *buf, size_t size, size_t left, uint32_t dflt_limit)
{
	size_t limit = st->read_limit != 0 ? st->read_limit : dflt_limit;

	if (limit > size - 1)
		limit = size - 1;
	e->base.poll = expect_future_poll;
	e->base.drop = expect_future_drop;
	e->expect = &st->expect;
	e->reject = &st->reject;
	read_init(&e->read, w, fd, buf, limit);
	e->read.len = left < limit ? left : limit;
	e->matched_len = 0;
	e->left = 0;
	e->seen = 0;
	e->at = 0;
	e->end = EXPECT_MATCHED;
	e->err = 0;
}

/*
 * Look at what is in the buffer: 1 when the step is decided (e->end),
 * 0 to read on.  A reject that starts before the match, or with no match
 * yet, decides against.
 */
static int
expect_check(struct expect_fut *e)
{
	struct read_fut *rd = &e->read;
	size_t so = 0, eo = 0, rso, reo;
	int found;

	found = step_find(e->expect, rd->buf, rd->len, &so, &eo);
	if (!step_pattern_none(e->reject) &&
	    step_find(e->reject, rd->buf, rd->len, &rso, &reo) &&
	    (!found || rso < so)) {
		e->end = EXPECT_REJECTED;
		e->at = rso;
		return 1;
	}
	if (!found)
		return 0;
	e->end = EXPECT_MATCHED;
	e->left = rd->len - eo;
	memmove(rd->buf, rd->buf + eo, e->left);
	return 1;
}

enum poll
expect_poll(struct expect_fut *e, struct task *t)
{
	struct read_fut *rd = &e->read;
	size_t before;
	int matched = 0;
	enum poll r;

	for (;;) {
		if (rd->len > 0 && rd->len != e->matched_len) {
			/*
			 * A second match in one poll waits for the next pass:
			 * PENDING with the task on the run queue, a wake-up we
			 * arrange ourselves (the model bent, for fairness).
			 */
			if (matched++ > 0) {
				task_schedule(t);
				return POLL_PENDING;
			}
			e->matched_len = rd->len;
			if (expect_check(e))
				return e->end == EXPECT_MATCHED ? POLL_READY :
				    POLL_ERROR;
		}
		if (rd->eof || rd->len == rd->cap) {
			e->end = rd->eof ? EXPECT_CLOSED : EXPECT_LIMIT;
			return POLL_ERROR;
		}
		before = rd->len;
		r = read_poll(rd, t);
		if (r == POLL_PENDING)
			return POLL_PENDING;
		if (r == POLL_ERROR) {
			e->end = EXPECT_IOERR;
			e->err = rd->err;
			return POLL_ERROR;
		}
		e->seen += rd->len - before;
	}
}

void
expect_drop(struct expect_fut *e)
{
	read_drop(&e->read);
}
