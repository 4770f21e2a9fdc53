/*
 * state_file.c - the state file's bytes (state.h): writing every target's
 * record through a buffer of our own, and checking a file before anything
 * of it is believed.  The writer runs in a forked child (state.c): it
 * allocates nothing and takes no lock, only write(2) and the
 * copy-on-write pages of the parent's targets.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "state.h"
#include "target.h"

/* CRC32C (Castagnoli), reflected, as iSCSI and ext4 use it */
static uint32_t state_crc_table[256];

static void
state_crc_init(void)
{
	uint32_t c, i, k;

	if (state_crc_table[1] != 0)
		return;
	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		state_crc_table[i] = c;
	}
}

uint32_t
state_crc(uint32_t crc, const unsigned char *p, size_t n)
{
	state_crc_init();
	crc = ~crc;
	while (n-- > 0)
		crc = state_crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* The writer: a buffer, flushed to fd, the CRC kept as it goes. */
struct state_out {
	int			 fd;
	int			 err;		/* the first errno */
	uint32_t		 crc;
	size_t			 n;
	unsigned char		 buf[1 << 16];
};

static void
state_flush(struct state_out *o)
{
	size_t off = 0;
	ssize_t w;

	o->crc = state_crc(o->crc, o->buf, o->n);
	while (off < o->n && o->err == 0) {
		if ((w = write(o->fd, o->buf + off, o->n - off)) == -1) {
			if (errno != EINTR)
				o->err = errno;
			continue;
		}
		off += (size_t)w;
	}
	o->n = 0;
}

static void
state_put(struct state_out *o, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t k;

	while (len > 0) {
		if (o->n == sizeof(o->buf))
			state_flush(o);
		k = sizeof(o->buf) - o->n < len ? sizeof(o->buf) - o->n : len;
		memcpy(o->buf + o->n, b, k);
		o->n += k;
		b += k;
		len -= k;
	}
}

static void
state_put_section(struct state_out *o, uint32_t tag, const void *p,
    uint32_t len)
{
	state_put(o, &tag, sizeof(tag));
	state_put(o, &len, sizeof(len));
	state_put(o, p, len);
}

/* A disabled target's maintenance: length, then the section's bytes. */
static uint32_t
state_maint_len(const struct maint *m)
{
	return m == NULL ? 0 : 8 + sizeof(struct state_maint) +
	    (uint32_t)strnlen(m->reason, MAINT_REASON_MAX);
}

static void
state_put_maint(struct state_out *o, const struct maint *m)
{
	struct state_maint sm;
	uint32_t tag = STATE_TAG_MAINT, len = state_maint_len(m) - 8;

	memset(&sm, 0, sizeof(sm));
	sm.since_us = m->since_us;
	sm.until_us = m->until_us;
	sm.uid = m->uid;
	sm.reason_len = (uint16_t)(len - sizeof(sm));
	memcpy(sm.user, m->user, sizeof(sm.user) < MAINT_USER_MAX ?
	    sizeof(sm.user) : MAINT_USER_MAX);
	sm.user[sizeof(sm.user) - 1] = '\0';
	state_put(o, &tag, sizeof(tag));
	state_put(o, &len, sizeof(len));
	state_put(o, &sm, sizeof(sm));
	state_put(o, m->reason, sm.reason_len);
}

/* One target's record (state.h). */
static void
state_put_target(struct state_out *o, const struct daemon *d,
    const struct target *tg)
{
	const struct maint *m = maints_find(&d->maints, tg->conf.name);
	const struct results *r = &tg->res;
	struct results copy;
	uint32_t len, i, hl;
	uint16_t nl;

	nl = (uint16_t)strlen(tg->conf.name);
	hl = r->d != NULL && r->ring != NULL ? r->ring_count : 0;
	len = sizeof(nl) + nl + TARGET_ID_LEN + 8 + sizeof(copy);
	if (r->d != NULL)
		len += 8 + sizeof(*r->d);
	len += 8 + hl * sizeof(struct hist_entry);
	if (r->each != NULL && r->neach > 0)
		len += 8 + r->neach * sizeof(struct addr_result);
	len += state_maint_len(m);
	state_put(o, &len, sizeof(len));
	state_put(o, &nl, sizeof(nl));
	state_put(o, tg->conf.name, nl);
	state_put(o, tg->id, sizeof(tg->id));
	copy = *r;
	copy.d = NULL;
	copy.ring = NULL;
	copy.each = NULL;
	copy.neach = 0;
	state_put_section(o, STATE_TAG_RESULTS, &copy, sizeof(copy));
	if (r->d != NULL)
		state_put_section(o, STATE_TAG_DETAIL, r->d, sizeof(*r->d));
	len = hl * sizeof(struct hist_entry);
	i = STATE_TAG_HISTORY;
	state_put(o, &i, sizeof(i));
	state_put(o, &len, sizeof(len));
	for (i = 0; i < hl; i++)
		state_put(o, results_history(r, hl - 1 - i),
		    sizeof(struct hist_entry));
	/* its last results' pointers: voided by results_restore_each */
	if (r->each != NULL && r->neach > 0)
		state_put_section(o, STATE_TAG_EACH, r->each,
		    r->neach * sizeof(struct addr_result));
	if (m != NULL)
		state_put_maint(o, m);
}

/*
 * Write every target of d to fd, the header first, the CRC last.  0, or
 * -1 with errno set.  Only write(2): safe in a child of a threaded parent.
 */
int
state_write(int fd, const struct daemon *d, int64_t wall_us,
    uint64_t mono_us)
{
	static struct state_out o;
	struct state_header h;
	uint32_t crc;
	size_t i;

	state_crc_init();
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, STATE_MAGIC, sizeof(h.magic));
	h.version = STATE_VERSION;
	h.endian = STATE_ENDIAN;
	h.sz_results = sizeof(struct results);
	h.sz_detail = sizeof(struct results_detail);
	h.sz_hist = sizeof(struct hist_entry);
	h.sz_each = sizeof(struct addr_result);
	h.saved_wall_us = wall_us;
	h.saved_mono_us = mono_us;
	h.ntargets = d->ntargets;
	o.fd = fd;
	o.err = 0;
	o.crc = 0;
	o.n = 0;
	state_put(&o, &h, sizeof(h));
	for (i = 0; i < d->ntargets && o.err == 0; i++)
		state_put_target(&o, d, d->targets[i]);
	state_flush(&o);
	crc = o.crc;
	state_put(&o, &crc, sizeof(crc));
	o.crc = 0;
	state_flush(&o);
	if (o.err != 0) {
		errno = o.err;
		return -1;
	}
	return 0;
}

/*
 * Is buf a state file this futd can read?  The header, the sizes, the CRC
 * and every record's bounds, all before a byte of it is used.  0 and the
 * header and an iterator over the records; -1 with why.
 */
int
state_check(const unsigned char *buf, size_t len, struct state_header *h,
    struct state_iter *it, char *why, size_t whylen)
{
	struct state_iter walk;
	struct state_rec rec;
	uint32_t crc;
	int r;

	state_crc_init();
	if (len < sizeof(h->magic) ||
	    memcmp(buf, STATE_MAGIC, sizeof(h->magic)) != 0) {
		snprintf(why, whylen, "not a futd state file");
		return -1;
	}
	if (len < sizeof(*h) + sizeof(crc)) {
		snprintf(why, whylen, "truncated (%zu bytes)", len);
		return -1;
	}
	memcpy(h, buf, sizeof(*h));
	if (h->endian != STATE_ENDIAN) {
		snprintf(why, whylen, "written on a host of the other byte "
		    "order");
		return -1;
	}
	if (h->version < STATE_VERSION_MIN || h->version > STATE_VERSION) {
		snprintf(why, whylen, "version %u, this futd reads %u to %u",
		    h->version, STATE_VERSION_MIN, STATE_VERSION);
		return -1;
	}
	if (h->sz_results != sizeof(struct results) ||
	    h->sz_detail != sizeof(struct results_detail) ||
	    h->sz_hist != sizeof(struct hist_entry) ||
	    h->sz_each != sizeof(struct addr_result)) {
		snprintf(why, whylen, "written by a futd of another "
		    "architecture or build (sizes %u/%u/%u/%u, here "
		    "%zu/%zu/%zu/%zu)", h->sz_results, h->sz_detail,
		    h->sz_hist, h->sz_each, sizeof(struct results),
		    sizeof(struct results_detail), sizeof(struct hist_entry),
		    sizeof(struct addr_result));
		return -1;
	}
	memcpy(&crc, buf + len - sizeof(crc), sizeof(crc));
	if (state_crc(0, buf, len - sizeof(crc)) != crc) {
		snprintf(why, whylen, "checksum mismatch (truncated or "
		    "corrupt)");
		return -1;
	}
	it->p = buf + sizeof(*h);
	it->end = buf + len - sizeof(crc);
	it->left = h->ntargets;
	it->version = h->version;
	walk = *it;
	while ((r = state_next(&walk, &rec)) == 1)
		;
	if (r == -1 || walk.p != walk.end) {
		snprintf(why, whylen, "a record at byte %zu is malformed",
		    (size_t)(walk.p - buf));
		return -1;
	}
	return 0;
}

static int
state_maint_ok(const unsigned char *p, uint32_t len)
{
	struct state_maint sm;

	if (len < sizeof(sm))
		return 0;
	memcpy(&sm, p, sizeof(sm));
	return sm.reason_len <= MAINT_REASON_MAX &&
	    len == sizeof(sm) + sm.reason_len && sm.until_us >= 0;
}

/* Sections of one record, from p to end: -1 when one is malformed. */
static int
state_sections(const unsigned char *p, const unsigned char *end,
    struct state_rec *rec)
{
	uint32_t tag, len;

	while (p < end) {
		if ((size_t)(end - p) < 8)
			return -1;
		memcpy(&tag, p, 4);
		memcpy(&len, p + 4, 4);
		p += 8;
		if ((size_t)(end - p) < len)
			return -1;
		switch (tag) {
		case STATE_TAG_RESULTS:
			if (len != sizeof(struct results))
				return -1;
			rec->res = (const struct results *)(const void *)p;
			break;
		case STATE_TAG_DETAIL:
			if (len != sizeof(struct results_detail))
				return -1;
			rec->detail = p;
			break;
		case STATE_TAG_HISTORY:
			if (len % sizeof(struct hist_entry) != 0)
				return -1;
			rec->hist = p;
			rec->nhist = len / sizeof(struct hist_entry);
			break;
		case STATE_TAG_MAINT:
			if (!state_maint_ok(p, len))
				return -1;
			rec->maint = p;
			break;
		case STATE_TAG_EACH:
			if (len % sizeof(struct addr_result) != 0)
				return -1;
			rec->each = p;
			rec->neach = len / sizeof(struct addr_result);
			break;
		default:	/* a later futd's: skipped */
			break;
		}
		p += len;
	}
	return 0;
}

/* The next record: 1, 0 at the end, -1 when malformed. */
int
state_next(struct state_iter *it, struct state_rec *rec)
{
	const unsigned char *p = it->p, *end;
	uint32_t len;
	uint16_t nl;

	if (it->left == 0)
		return 0;
	memset(rec, 0, sizeof(*rec));
	rec->version = it->version;
	if ((size_t)(it->end - p) < sizeof(len) + sizeof(nl))
		return -1;
	memcpy(&len, p, sizeof(len));
	p += sizeof(len);
	if ((size_t)(it->end - p) < len || len < sizeof(nl))
		return -1;
	end = p + len;
	memcpy(&nl, p, sizeof(nl));
	p += sizeof(nl);
	if ((size_t)(end - p) < (size_t)nl + TARGET_ID_LEN || nl == 0)
		return -1;
	rec->name = (const char *)p;
	rec->name_len = nl;
	rec->id = p + nl;
	if (state_sections(p + nl + TARGET_ID_LEN, end, rec) == -1)
		return -1;
	it->p = end;
	it->left--;
	return 1;
}
