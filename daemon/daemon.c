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
	r->unchanged = 0;
}

/*
 * Replace the running config with c (which we take over, also on failure).
 * c->targets is sorted by name (conf_load does that).
 */
int
daemon_apply(struct daemon *d, struct conf *c, struct reload_report *rep)
{
	struct target **next = NULL, *old;
	struct target_conf tc;
	size_t i, j, nnew;
	uint64_t base;
	int level, cmp;

	if (c->ntargets > 0 &&
	    (next = calloc(c->ntargets, sizeof(*next))) == NULL)
		goto fail;

	/*
	 * 1. build, without touching anything that runs.  Both lists are
	 * sorted by name: one walk pairs them, then the new ones are made,
	 * on a heap grown for them at once (heap.c).
	 */
	for (i = 0, j = 0, nnew = 0; i < c->ntargets; i++) {
		old = NULL;
		while (j < d->ntargets && (cmp = strcmp(d->targets[j]->conf.name,
		    c->targets[i].name)) <= 0) {
			if (cmp == 0)
				old = d->targets[j];
			j++;
			if (old != NULL)
				break;
		}
		if (old != NULL && target_conf_equal(target_getconf(old, &tc),
		    &c->targets[i]) &&
		    results_resize(&old->res, c->history) == 0) {
			old->kept = 1;
			next[i] = old;
			continue;
		}
		nnew++;
		if (rep != NULL)
			strlist_add(old != NULL ? &rep->changed : &rep->added,
			    "%s", c->targets[i].name);
	}
	heap_prepare(nnew * (sizeof(struct target) + 64 +
	    (size_t)c->history * sizeof(struct hist_entry)));
	for (i = 0; i < c->ntargets; i++) {
		if (next[i] != NULL)
			continue;
		if ((next[i] = target_new(d, &c->targets[i], c->history)) ==
		    NULL)
			goto fail;
	}
	heap_done();

	/* 2. retire the targets that go away or change */
	for (j = 0; j < d->ntargets; j++) {
		old = d->targets[j];
		if (old->kept) {
			old->kept = 0;
			if (rep != NULL)
				rep->unchanged++;
			continue;
		}
		if (rep != NULL && bsearch(old->conf.name, next, c->ntargets,
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
	for (i = 0, nnew = 0; i < c->ntargets; i++)
		nnew += next[i]->phase == TARGET_STOPPED;
	base = clock_mono_us() + nnew / 4;	/* ~0.25 us each to start */
	for (i = 0; i < c->ntargets; i++)
		if (next[i]->phase == TARGET_STOPPED)
			target_start(next[i], base);
	free(d->targets);
	d->targets = next;
	d->ntargets = c->ntargets;

	/*
	 * The targets hold their own config now; drop the husks (emptied for
	 * the new targets, whole for the kept ones, which keep theirs).
	 */
	for (i = 0; i < c->ntargets; i++)
		target_conf_free(&c->targets[i]);
	free(c->targets);
	c->targets = NULL;
	c->ntargets = 0;
	conf_pool_free(c);	/* the targets copied what they keep */

	if (c->log_level != NULL && (level = log_level_parse(c->log_level)) !=
	    -1)
		log_setlevel(level);
	conf_free(d->conf);
	d->conf = c;
	return 0;

 fail:
	heap_done();
	for (i = 0; next != NULL && i < c->ntargets; i++) {
		if (next[i] == NULL)
			continue;
		if (next[i]->kept)
			next[i]->kept = 0;
		else
			target_free(next[i]);
	}
	free(next);
	conf_free(c);
	if (rep != NULL)
		reload_report_clear(rep);
	return -1;
}

/*
 * Read the config again and apply it.  A bad config changes nothing: -1,
 * with every problem in errs.
 */
int
daemon_reload(struct daemon *d, struct strlist *errs,
    struct reload_report *rep)
{
	struct conf *c;
	const char *path = d->conf->path;
	uint64_t t0 = clock_mono_us(), t1;

	d->reload_failed = 1;	/* until it has worked */
	if ((c = conf_load(path, errs)) == NULL)
		return -1;
	t1 = clock_mono_us();
	/* the resolver: servers that cannot be used fail the reload */
	if (dns_configure(d->dns, c, errs) == -1) {
		conf_free(c);
		dns_configure(d->dns, d->conf, NULL);
		return -1;
	}
	/* the running socket stays: -s on the command line overrides */
	free(c->control_socket);
	c->control_socket = d->conf->control_socket != NULL ?
	    strdup(d->conf->control_socket) : NULL;
	if (daemon_apply(d, c, rep) == -1) {
		strlist_add(errs, "%s: out of memory applying the new config",
		    path);
		return -1;
	}
	d->reload_failed = 0;
	d->conf_ok_wall_us = clock_wall_us();
	/* path went with the old config: d->conf is c now */
	log_info("%s: %zu targets read in %.3f s, applied in %.3f s",
	    d->conf->path, d->ntargets, (double)(t1 - t0) / 1e6,
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
