/*
 * state_load.c - reading the state file at start (state.h): a target
 * whose identity is what was saved takes its results back, a target that
 * measures another thing now starts afresh, a saved one no longer
 * configured is dropped.  A file that is not whole and ours is moved
 * aside to PATH.bad and futd starts fresh: a bad file never stops it.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "net.h"
#include "state.h"
#include "target.h"

struct state_counts {
	size_t			 restored;
	size_t			 reset;
	size_t			 dropped;
};

/* Move a file futd cannot read out of the way, keeping it for a look. */
static void
state_bad(const char *path, const char *why)
{
	char bad[PATH_MAX];

	snprintf(bad, sizeof(bad), "%s.bad", path);
	if (rename(path, bad) == -1)
		log_warn("state: %s: %s; cannot move it to %s", path, why,
		    bad);
	else
		log_warnx("state: %s: %s; moved to %s, starting fresh", path,
		    why, bad);
}

/*
 * A disabled target stays disabled, its end as it was (a disable is the
 * operator's word about a name: kept even when its results reset), quietly
 * as daemon_maint_apply does: no news for a state it already had.  One
 * whose end passed while futd was down comes back enabled.
 */
static void
state_apply_maint(struct daemon *d, struct target *tg,
    const unsigned char *p)
{
	struct state_maint sm;
	char reason[MAINT_REASON_MAX + 1];
	struct maint m;

	memcpy(&sm, p, sizeof(sm));
	if (sm.until_us != 0 && sm.until_us <= clock_wall_us())
		return;
	memcpy(reason, p + sizeof(sm), sm.reason_len);
	reason[sm.reason_len] = '\0';
	memset(&m, 0, sizeof(m));
	m.name = tg->conf.name;
	m.reason = reason;
	m.since_us = sm.since_us;
	m.until_us = sm.until_us;
	m.uid = sm.uid;
	memcpy(m.user, sm.user, sizeof(m.user) < sizeof(sm.user) ?
	    sizeof(m.user) : sizeof(sm.user));
	m.user[sizeof(m.user) - 1] = '\0';
	if (maints_set(&d->maints, &m) == -1) {
		log_warnx("state: %s: out of memory for its disable",
		    tg->conf.name);
		return;
	}
	target_disable(tg, m.until_us);
	tg->res.since_wall_us = m.since_us;
}

/*
 * A detail of a version 1 file: its failures by class were one fewer
 * (no "rejected", the last), and ok_before came right after them.
 */
static void
state_detail_v1(struct results_detail *det)
{
	size_t v1_ok_before = offsetof(struct results_detail, errors) +
	    (PERR_REJECTED - 1) * sizeof(det->errors[0]);

	memcpy(&det->ok_before, (const unsigned char *)det + v1_ok_before,
	    sizeof(det->ok_before));
	det->errors[PERR_REJECTED - 1] = 0;
}

/*
 * One record onto its target.  The file's bytes are copied out first:
 * a record sits at any offset, and the detail wants 64-byte alignment.
 */
static void
state_apply(struct daemon *d, const struct state_rec *rec, int64_t shift,
    struct state_counts *n)
{
	static struct results_detail det;
	struct hist_entry *hist = NULL;
	struct addr_result *each = NULL;
	struct results res;
	struct target *tg;
	char *name;

	if ((name = strndup(rec->name, rec->name_len)) == NULL) {
		n->dropped++;
		return;
	}
	tg = daemon_find(d, name);
	free(name);
	if (tg == NULL) {
		n->dropped++;
		return;
	}
	if (rec->res == NULL ||
	    memcmp(tg->id, rec->id, sizeof(tg->id)) != 0) {
		n->reset++;
		if (rec->maint != NULL)
			state_apply_maint(d, tg, rec->maint);
		return;
	}
	memcpy(&res, rec->res, sizeof(res));
	if (rec->detail != NULL)
		memcpy(&det, rec->detail, sizeof(det));
	if (rec->detail != NULL && rec->version == 1)
		state_detail_v1(&det);
	if (rec->nhist > 0 && (hist = malloc(rec->nhist *
	    sizeof(*hist))) != NULL)
		memcpy(hist, rec->hist, rec->nhist * sizeof(*hist));
	if (results_restore(&tg->res, &res, rec->detail != NULL ? &det : NULL,
	    hist, hist != NULL ? rec->nhist : 0, shift) == -1)
		log_warnx("state: %s: out of memory for its history",
		    tg->conf.name);
	free(hist);
	if (rec->neach > 0) {
		if ((each = malloc(rec->neach * sizeof(*each))) != NULL)
			memcpy(each, rec->each, rec->neach * sizeof(*each));
		if (each == NULL || results_restore_each(&tg->res, each,
		    rec->neach) == -1)
			log_warnx("state: %s: out of memory for its addresses",
			    tg->conf.name);
		free(each);
	}
	if (rec->maint != NULL)
		state_apply_maint(d, tg, rec->maint);
	n->restored++;
}

/* Every record of a checked file onto the targets; the log line. */
static void
state_apply_all(struct daemon *d, const char *path,
    const struct state_header *h, struct state_iter *it)
{
	struct state_counts n = { 0, 0, 0 };
	struct state_rec rec;
	char when[64];
	struct tm tm;
	time_t t;
	int64_t shift;

	/* how far the monotonic clock moved against the wall clock: a boot */
	shift = ((int64_t)clock_mono_us() - clock_wall_us()) -
	    ((int64_t)h->saved_mono_us - h->saved_wall_us);
	while (state_next(it, &rec) == 1)
		state_apply(d, &rec, shift, &n);
	t = (time_t)(h->saved_wall_us / 1000000);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", (long long)t);
	log_info("state: %zu restored, %zu reset, %zu dropped (from %s, "
	    "saved at %s)", n.restored, n.reset, n.dropped, path, when);
}

/* At start, before the first probe: the saved results back. */
void
state_load(struct state *s)
{
	struct state_header h;
	struct state_iter it;
	struct stat st;
	char why[160];
	void *map;
	int fd;

	if (s == NULL || s->path == NULL)
		return;
	if ((fd = open(s->path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			log_info("state: %s: none yet (a first start): every "
			    "target starts unknown", s->path);
		else
			log_warn("state: cannot read %s; starting fresh",
			    s->path);
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_warnx("state: %s is not a regular file; starting fresh",
		    s->path);
		close(fd);
		return;
	}
	if (st.st_size == 0) {
		close(fd);
		state_bad(s->path, "empty");
		return;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		log_warn("state: cannot map %s; starting fresh", s->path);
		return;
	}
	if (state_check(map, (size_t)st.st_size, &h, &it, why,
	    sizeof(why)) == -1)
		state_bad(s->path, why);
	else
		state_apply_all(s->d, s->path, &h, &it);
	munmap(map, (size_t)st.st_size);
}
