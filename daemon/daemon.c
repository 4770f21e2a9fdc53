/*
 * daemon.c - the set of targets, and how a config becomes (or replaces) it.
 *
 * daemon_apply() is the one path for the first config and for every reload:
 * it pairs the new targets with the running ones by name.  A target whose
 * config did not change keeps running untouched (counters, history, state,
 * even a probe in flight); a changed one starts afresh; a removed one is
 * stopped, its probe cancelled and its socket closed.  Everything that can
 * fail (allocation) happens before anything changes, so a failed apply
 * leaves the daemon as it was.
 */
#include <event2/event.h>

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "futd.h"

int
daemon_init(struct daemon *d, struct event_base *base, struct evdns_base *dns)
{
	memset(d, 0, sizeof(*d));
	d->base = base;
	d->dns = dns;
	d->start_wall_us = clock_wall_us();
	d->start_mono_us = clock_mono_us();
	d->conf_ok_wall_us = d->start_wall_us;
	sem_init(&d->inflight, 0);
	LIST_INIT(&d->adhocs);
	if (events_init(&d->events, 1000) == -1)
		return -1;
	return executor_init(&d->ex, base);
}

static int
daemon_cmp_target(const void *key, const void *elem)
{
	const char *name = key;
	const struct target *const *tg = elem;

	return strcmp(name, (*tg)->conf.name);
}

struct target *
daemon_find(const struct daemon *d, const char *name)
{
	struct target **tg;

	if (d->ntargets == 0)
		return NULL;
	tg = bsearch(name, d->targets, d->ntargets, sizeof(*d->targets),
	    daemon_cmp_target);
	return tg != NULL ? *tg : NULL;
}

void
reload_report_clear(struct reload_report *r)
{
	strlist_clear(&r->added);
	strlist_clear(&r->removed);
	strlist_clear(&r->changed);
	r->unchanged = r->reused = 0;
}

/*
 * A reload's index of the running targets by the digest of their groups
 * (struct conf_reuse): open addressing, built when the reload starts,
 * gone when it ends.  taken[i] is the line of the new group that took
 * d->targets[i] (0: none): daemon_apply reads the mark there, so that a
 * million targets kept are not a million cache misses.
 */
struct daemon_index {
	const struct daemon	*d;
	struct daemon_slot {
		uint64_t	 digest;
		size_t		 i;		/* into d->targets, + 1 */
	}			*slot;
	size_t			 mask;
	uint32_t		*taken;
};

static int
daemon_index_build(struct daemon_index *ix, const struct daemon *d)
{
	struct daemon_slot *sl;
	size_t cap = 16, i;

	ix->d = d;
	while (cap < d->ntargets * 2)
		cap <<= 1;
	ix->mask = cap - 1;
	ix->slot = calloc(cap, sizeof(*ix->slot));
	ix->taken = calloc(d->ntargets + 1, sizeof(*ix->taken));
	if (ix->slot == NULL || ix->taken == NULL) {
		free(ix->slot);
		free(ix->taken);
		return -1;
	}
	/* a random walk over 32 MB: 4 KiB pages would miss the TLB each time */
	heap_hint(ix->slot, cap * sizeof(*ix->slot));
	heap_hint(ix->taken, (d->ntargets + 1) * sizeof(*ix->taken));
	for (i = 0; i < d->ntargets; i++) {
		sl = &ix->slot[d->targets[i]->digest & ix->mask];
		while (sl->i != 0)
			sl = sl + 1 == ix->slot + cap ? ix->slot : sl + 1;
		sl->digest = d->targets[i]->digest;
		sl->i = i + 1;
	}
	return 0;
}

static void
daemon_index_free(struct daemon_index *ix)
{
	free(ix->slot);
	free(ix->taken);
}

static int
daemon_index_take(void *arg, uint64_t digest, int line)
{
	struct daemon_index *ix = arg;
	struct daemon_slot *sl = &ix->slot[digest & ix->mask];

	for (; sl->i != 0; sl = sl == ix->slot + ix->mask ? ix->slot : sl + 1)
		if (sl->digest == digest) {
			if (ix->taken[sl->i - 1] != 0 || line <= 0)
				return 0;	/* a second copy */
			ix->taken[sl->i - 1] = (uint32_t)line;
			return 1;
		}
	return 0;
}

static void
daemon_index_untake(void *arg)
{
	struct daemon_index *ix = arg;

	memset(ix->taken, 0, (ix->d->ntargets + 1) * sizeof(*ix->taken));
}

static int
daemon_index_taken_line(void *arg, const char *name)
{
	struct daemon_index *ix = arg;
	struct target **tg;

	if (ix->d->ntargets == 0 || (tg = bsearch(name, ix->d->targets,
	    ix->d->ntargets, sizeof(*tg), daemon_cmp_target)) == NULL)
		return 0;
	return (int)ix->taken[tg - ix->d->targets];
}

/*
 * Replace the running config with c (which we take over, also on failure).
 * c->targets is sorted by name (conf_load does that).  taken: NULL, or
 * c->nreused running targets marked (struct daemon_index) to stay as they
 * are; every other target of c is in c->targets.
 */
static int
daemon_apply_taken(struct daemon *d, struct conf *c, const uint32_t *taken,
    struct reload_report *rep)
{
	struct target **next = NULL, *old;
	struct target_conf tc;
	size_t i, j, k, nnew, total = c->ntargets + c->nreused, *at = NULL;
	uint64_t base;
	int level, cmp, merged = 0;

	if (total > 0 && (next = calloc(total, sizeof(*next))) == NULL)
		goto fail;
	if (c->ntargets > 0 && (at = calloc(c->ntargets, sizeof(*at))) == NULL)
		goto fail;

	/*
	 * 1. build, without touching anything that runs.  Both lists are
	 * sorted by name: one walk merges them.  A running target that was
	 * taken stays, untouched; one of the same name as a new config
	 * stays if that config is the same; the new ones are made on a
	 * heap grown for them at once (heap.c).
	 */
	for (i = 0, j = 0, k = 0, nnew = 0; i < c->ntargets ||
	    j < d->ntargets;) {
		old = j < d->ntargets ? d->targets[j] : NULL;
		cmp = old == NULL ? 1 : i == c->ntargets ? -1 :
		    strcmp(old->conf.name, c->targets[i].name);
		if (cmp < 0) {
			if (taken != NULL && taken[j] != 0) {
				if (k == total)
					goto fail;
				next[k++] = old;
			}
			j++;
			continue;
		}
		if (k == total || (cmp == 0 && taken != NULL &&
		    taken[j] != 0))
			goto fail;	/* conf_load's duplicate check failed */
		if (cmp == 0)
			j++;
		else
			old = NULL;
		at[i] = k;
		if (old != NULL && target_conf_equal(target_getconf(old, &tc),
		    &c->targets[i]) &&
		    results_resize(&old->res, c->history) == 0) {
			old->kept = 1;
			old->digest = c->targets[i].digest;
			next[k++] = old;
		} else {
			nnew++;
			next[k++] = NULL;
			if (rep != NULL)
				strlist_add(old != NULL ? &rep->changed :
				    &rep->added, "%s", c->targets[i].name);
		}
		i++;
	}
	if (k != total)
		goto fail;
	merged = 1;
	heap_prepare(nnew * (sizeof(struct target) + 64));
	for (i = 0; i < c->ntargets; i++) {
		if (next[at[i]] != NULL)
			continue;
		if ((next[at[i]] = target_new(d, &c->targets[i],
		    c->history)) == NULL)
			goto fail;
	}
	heap_done();

	/* 2. retire the targets that go away or change */
	for (j = 0; j < d->ntargets; j++) {
		if (taken != NULL && taken[j] != 0) {
			if (rep != NULL)
				rep->unchanged++;
			continue;
		}
		old = d->targets[j];
		if (old->kept) {
			old->kept = 0;
			if (rep != NULL)
				rep->unchanged++;
			continue;
		}
		if (rep != NULL && bsearch(old->conf.name, next, total,
		    sizeof(*next), daemon_cmp_target) == NULL)
			strlist_add(&rep->removed, "%s", old->conf.name);
		target_free(old);
	}

	/* 3. the daemon's limits, then start the new ones */
	d->dns_cache_max_us = c->dns_cache_max_us;
	if (events_resize(&d->events, c->events) == -1)
		log_warnx("out of memory: the event ring keeps %zu events",
		    d->events.size);
	sem_set_limit(&d->inflight, c->max_inflight);
	/* offsets count from the end of this loop, not each its own start */
	base = clock_mono_us() + nnew / 4;	/* ~0.25 us each to start */
	for (i = 0; i < c->ntargets; i++)
		if (next[at[i]]->phase == TARGET_STOPPED)
			target_start(next[at[i]], base);
	/* a target taken as it ran may be one that ran out of memory */
	if (d->nstalled > 0) {
		d->nstalled = 0;
		for (k = 0; k < total; k++)
			if (next[k]->phase == TARGET_STOPPED)
				target_start(next[k], base);
	}
	free(d->targets);
	d->targets = next;
	d->ntargets = total;
	free(at);

	/*
	 * The targets hold their own config now; drop the husks (emptied for
	 * the new targets, whole for the kept ones, which keep theirs).
	 */
	for (i = 0; i < c->ntargets; i++)
		target_conf_free(&c->targets[i]);
	free(c->targets);
	c->targets = NULL;
	c->ntargets = 0;
	c->nreused = 0;
	conf_pool_free(c);	/* the targets copied what they keep */

	if (c->log_level != NULL && (level = log_level_parse(c->log_level)) !=
	    -1)
		log_setlevel(level);
	conf_free(d->conf);
	d->conf = c;
	return 0;

 fail:
	heap_done();
	/* once merged, c->targets[i] is at next[at[i]]: new unless kept */
	for (i = 0; merged && i < c->ntargets; i++)
		if (next[at[i]] != NULL && !next[at[i]]->kept)
			target_free(next[at[i]]);
	for (j = 0; j < d->ntargets; j++)
		d->targets[j]->kept = 0;
	free(next);
	free(at);
	conf_free(c);
	if (rep != NULL)
		reload_report_clear(rep);
	return -1;
}

int
daemon_apply(struct daemon *d, struct conf *c, struct reload_report *rep)
{
	return daemon_apply_taken(d, c, NULL, rep);
}

/*
 * Read the config again and apply it.  A bad config changes nothing: -1,
 * with every problem in errs.
 */
int
daemon_reload(struct daemon *d, struct strlist *errs,
    struct reload_report *rep)
{
	struct daemon_index ix;
	struct conf_reuse ru = {
		.context = d->conf->context,
		.take = daemon_index_take,
		.taken_line = daemon_index_taken_line,
		.untake = daemon_index_untake,
		.arg = &ix,
	};
	struct conf *c;
	const char *path = d->conf->path;
	uint64_t t0 = clock_mono_us(), t1;
	size_t nreused;
	int rc;

	d->reload_failed = 1;	/* until it has worked */
	/* without the index (no memory), every target is read again */
	if (daemon_index_build(&ix, d) == -1)
		ix.taken = NULL;
	if ((c = conf_load_reuse(path, errs, ix.taken != NULL ? &ru : NULL)) ==
	    NULL) {
		daemon_index_free(&ix);
		return -1;
	}
	t1 = clock_mono_us();
	/* the resolver: servers that cannot be used fail the reload */
	if (dns_configure(d->dns, c, errs) == -1) {
		conf_free(c);
		daemon_index_free(&ix);
		dns_configure(d->dns, d->conf, NULL);
		return -1;
	}
	/* the running socket stays: -s on the command line overrides */
	free(c->control_socket);
	c->control_socket = d->conf->control_socket != NULL ?
	    strdup(d->conf->control_socket) : NULL;
	nreused = c->nreused;
	rc = daemon_apply_taken(d, c, ix.taken, rep);
	daemon_index_free(&ix);
	if (rc == -1) {
		strlist_add(errs, "%s: out of memory applying the new config",
		    path);
		return -1;
	}
	if (rep != NULL)
		rep->reused = nreused;
	d->reload_failed = 0;
	d->conf_ok_wall_us = clock_wall_us();
	/* path went with the old config: d->conf is c now */
	log_info("%s: %zu targets read in %.3f s (%zu as they ran, not read "
	    "again), applied in %.3f s", d->conf->path, d->ntargets,
	    (double)(t1 - t0) / 1e6, nreused,
	    (double)(clock_mono_us() - t1) / 1e6);
	return 0;
}

void
daemon_counts(const struct daemon *d, size_t counts[3])
{
	size_t i;

	counts[TARGET_UNKNOWN] = counts[TARGET_UP] = counts[TARGET_DOWN] = 0;
	for (i = 0; i < d->ntargets; i++)
		counts[d->targets[i]->res.state]++;
}

void
daemon_stop_targets(struct daemon *d)
{
	size_t i;

	timers_clear(&d->ex);	/* all of them: no heap to keep in order */
	for (i = 0; i < d->ntargets; i++)
		target_stop(d->targets[i]);
}

void
daemon_finish(struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->ntargets; i++)
		target_free(d->targets[i]);
	free(d->targets);
	d->targets = NULL;
	d->ntargets = 0;
	conf_free(d->conf);
	d->conf = NULL;
	events_free(&d->events);
	while (d->pc_free != NULL) {
		struct probe_ctx *pc = d->pc_free;

		d->pc_free = pc->next;
		free(pc);
	}
	executor_finish(&d->ex);
}
