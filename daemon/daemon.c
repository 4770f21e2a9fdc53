/*
 * daemon.c - the set of targets, and how a config becomes (or replaces) it.
 *
 * daemon_apply() is the one path for the first config and for every reload:
 * it pairs the new targets with the running ones by name.  A target whose
 * config did not change keeps running untouched (counters, history, state,
 * even a probe in flight); one whose settings changed but not what it
 * measures (target_conf_compare: an interval, a timeout, rise and fall)
 * keeps running too, and all it has seen, with its new settings (it is
 * "changed"); one that measures something else now (a port, an expect)
 * starts afresh ("reset"); a removed one is stopped, its probe cancelled
 * and its socket closed.  The targets of a file of targets_dir that a
 * reload did not read again (unchanged) stay as they run, without a look
 * at their config.  Everything that can fail
 * (allocation, a name defined twice) happens before anything changes, so
 * a failed apply leaves the daemon as it was.
 */
#include <event2/event.h>

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "conf.h"
#include "daemon.h"
#include "dns.h"
#include "events.h"
#include "future.h"
#include "heap.h"
#include "log.h"
#include "net.h"
#include "results.h"
#include "strlist.h"
#include "target.h"
#include "target_conf.h"

/*
 * A change of state that no probe made: the layers above hear of it as of
 * any other (on_state), with an empty result (no error, no latency); a
 * state to or from disabled tells them it was an operator's.
 */
static void
daemon_tell_maint(struct daemon *d, struct target *tg,
    enum target_state before)
{
	struct probe_result none;

	memset(&none, 0, sizeof(none));
	none.wall_us = clock_wall_us();
	d->on_state(d, tg, before, &none);
	if (d->on_result != NULL)
		d->on_result(d, tg, before);
}

/*
 * Disable tg as m says (m->name is tg's): the record first, so that the
 * event can tell who and why.  A second disable of a disabled target only
 * replaces the record (the newer word counts), with no event.  -1: out of
 * memory, nothing changed.
 */
int
daemon_disable(struct daemon *d, struct target *tg, const struct maint *m)
{
	enum target_state before = results_state(&tg->res);

	if (maints_set(&d->maints, m) == -1)
		return -1;
	if (target_disable(tg, m->until_us))
		daemon_tell_maint(d, tg, before);
	return 0;
}

/*
 * Enable tg again; 0: it was not disabled.  The record goes after the
 * news: the event says whether its time was up or it came back early.
 */
int
daemon_enable(struct daemon *d, struct target *tg)
{
	int r;

	if ((r = target_enable(tg)))
		daemon_tell_maint(d, tg, TARGET_DISABLED);
	maints_remove(&d->maints, tg->conf.name);
	return r;
}

/* a disable's time is up (target.c's timer) */
static void
daemon_maint_end(struct daemon *d, struct target *tg)
{
	log_info("target %s: the end of its disable", tg->conf.name);
	daemon_enable(d, tg);
}

/*
 * After an apply: a new target (added, or reset: a new struct target) of
 * a disabled name starts disabled, its end as it was; the records of the
 * names that went away go with them.
 */
static void
daemon_maint_apply(struct daemon *d)
{
	const struct maint *m;
	struct target *tg;
	size_t i;

	for (i = 0; i < maints_count(&d->maints);) {
		m = maints_get(&d->maints, i);
		if ((tg = daemon_find(d, m->name)) == NULL) {
			maints_remove(&d->maints, m->name);
			continue;
		}
		if (tg->phase != TARGET_PAUSED)
			target_disable(tg, m->until_us);
		i++;
	}
}

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
	d->on_state = event_state;
	d->on_failure = event_failure;
	d->on_late = event_late;
	d->on_maint_end = daemon_maint_end;
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
	strlist_clear(&r->reset);
	r->unchanged = r->reused = 0;
}

/* Mark (or unmark) the running files that c keeps as they run. */
static void
daemon_mark_same(struct conf *c, int on)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		if (c->files[i]->same != NULL)
			c->files[i]->same->keep = on;
}

static int
daemon_target_same(const struct target *tg)
{
	return tg->file != NULL && tg->file->keep;
}

static void
daemon_duplicate(const struct target_conf *tc, const struct target *old,
    struct strlist *errs)
{
	strlist_add(errs, "%s:%d: duplicate target name \"%s\" (first defined "
	    "at %s:%u)", tc->file != NULL ? tc->file->path : "?", tc->line,
	    tc->name, old->file->path, old->conf.line);
}

/* What an apply will do, worked out before anything changes. */
struct daemon_plan {
	struct target		**next;		/* the new d->targets; NULL: to
						   make from c->targets[i] */
	size_t			 *at;		/* c->targets[i] is next[at[i]] */
	size_t			 *retire;	/* into d->targets: what goes */
	size_t			  total, nnew, nretire, nsame;
	size_t			  nchanged;	/* kept, with new settings */
	int			  paired;
};

/*
 * Pair c->targets[i] with the running target of its name (old, or NULL).
 * It stays (1) when its config is the same, or when only settings that do
 * not change what it measures did (changed: target_reconf() applies them
 * once nothing can fail); otherwise a new one is made (0: reset, or
 * added).  Without the memory to keep it (its ring resized to a new
 * history, a part for a new connect_timeout), it is reset.
 */
static int
daemon_pair_one(struct conf *c, struct daemon_plan *pl, size_t i,
    struct target *old, struct reload_report *rep)
{
	struct target_conf tc;
	enum target_conf_diff diff = TARGET_CONF_RESET;

	pl->at[i] = pl->total;
	if (old != NULL)
		diff = target_conf_compare(target_getconf(old, &tc),
		    c->targets[i]);
	if (diff != TARGET_CONF_RESET &&
	    results_resize(&old->res, c->history) == 0 &&
	    (diff == TARGET_CONF_SAME ||
	    target_reconf_prepare(old, c->targets[i]) == 0)) {
		old->kept = diff == TARGET_CONF_SAME ? TARGET_KEPT :
		    TARGET_KEPT_CHANGED;
		pl->next[pl->total++] = old;
		if (diff == TARGET_CONF_CHANGED) {
			pl->nchanged++;
			if (rep != NULL)
				strlist_add(&rep->changed, "%s",
				    c->targets[i]->name);
		}
		return 1;
	}
	pl->nnew++;
	pl->next[pl->total++] = NULL;
	if (rep != NULL)
		strlist_add(old != NULL ? &rep->reset : &rep->added, "%s",
		    c->targets[i]->name);
	return 0;
}

/*
 * 1. Pair, without touching anything that runs.  Both lists are sorted by
 * name: one walk merges them.  A running target of a file kept whole
 * stays; one of the same name as a new config stays if that config
 * measures the same (kept, maybe changed); the others retire.  -1: a
 * name of a file read is one of a file kept.
 */
static int
daemon_pair(struct daemon *d, struct conf *c, struct daemon_plan *pl,
    struct reload_report *rep, struct strlist *errs)
{
	struct target *old;
	size_t i, j, nerr = errs->n;
	int cmp;

	for (i = 0, j = 0; i < c->ntargets || j < d->ntargets;) {
		old = j < d->ntargets ? d->targets[j] : NULL;
		cmp = old == NULL ? 1 : i == c->ntargets ? -1 :
		    strcmp(old->conf.name, c->targets[i]->name);
		if (cmp <= 0 && daemon_target_same(old)) {
			if (cmp == 0)
				daemon_duplicate(c->targets[i++], old, errs);
			pl->next[pl->total++] = old;
			pl->nsame++;
			j++;
		} else if (cmp < 0)
			pl->retire[pl->nretire++] = j++;
		else if (cmp > 0)
			daemon_pair_one(c, pl, i++, NULL, rep);
		else if (daemon_pair_one(c, pl, i++, old, rep))
			j++;
		else
			pl->retire[pl->nretire++] = j++;
	}
	return errs->n == nerr ? 0 : -1;
}

/* 2. Retire the targets that go away or are reset. */
static void
daemon_retire(struct daemon *d, const struct daemon_plan *pl,
    struct reload_report *rep)
{
	struct target *old;
	size_t j;

	if (rep != NULL) {
		rep->unchanged = d->ntargets - pl->nretire - pl->nchanged;
		rep->reused = pl->nsame;
	}
	for (j = 0; j < pl->nretire; j++) {
		old = d->targets[pl->retire[j]];
		if (rep != NULL && bsearch(old->conf.name, pl->next, pl->total,
		    sizeof(*pl->next), daemon_cmp_target) == NULL)
			strlist_add(&rep->removed, "%s", old->conf.name);
		target_free(old);
	}
}

/*
 * The files kept whole move from the running config to c, with what c
 * learnt of them (mtime): their targets point at them.
 */
static void
daemon_adopt_files(struct daemon *d, struct conf *c)
{
	struct conf_file *f, *same;
	size_t i, j;

	for (i = 0; i < c->nfiles; i++) {
		if ((same = (f = c->files[i])->same) == NULL)
			continue;
		for (j = 0; d->conf != NULL && j < d->conf->nfiles; j++)
			if (d->conf->files[j] == same)
				d->conf->files[j] = NULL;
		same->st = f->st;
		same->keep = 0;
		c->files[i] = same;
		conf_file_free(f);
	}
}

/* 3. The daemon's limits, then start the new targets. */
static void
daemon_start_new(struct daemon *d, struct conf *c,
    const struct daemon_plan *pl)
{
	uint64_t base;
	size_t i, k;

	d->dns_cache_max_us = c->dns_cache_max_us;
	if (events_resize(&d->events, c->events) == -1)
		log_warnx("out of memory: the event ring keeps %zu events",
		    d->events.size);
	sem_set_limit(&d->inflight, c->max_inflight);
	/* offsets count from the end of this loop, not each its own start */
	base = clock_mono_us() + pl->nnew / 4;	/* ~0.25 us each to start */
	for (i = 0; i < c->ntargets; i++)
		if (pl->next[pl->at[i]]->phase == TARGET_STOPPED)
			target_start(pl->next[pl->at[i]], base);
	/* a target kept as it ran may be one that ran out of memory */
	if (d->nstalled > 0) {
		d->nstalled = 0;
		for (k = 0; k < pl->total; k++)
			if (pl->next[k]->phase == TARGET_STOPPED)
				target_start(pl->next[k], base);
	}
}

/* Make the new targets; -1: out of memory. */
static int
daemon_build(struct daemon *d, struct conf *c, struct daemon_plan *pl)
{
	struct target *tg;
	size_t i;
	int rc = 0;

	heap_prepare(pl->nnew * (sizeof(struct target) + 64));
	for (i = 0; i < c->ntargets && rc == 0; i++)
		if (pl->next[pl->at[i]] == NULL &&
		    (pl->next[pl->at[i]] = target_new(d, c->targets[i],
		    c->history)) == NULL)
			rc = -1;
	heap_done();
	if (rc == -1)
		return -1;
	/*
	 * Nothing can fail now: the kept ones learn where they are defined,
	 * the changed ones their new settings.
	 */
	for (i = 0; i < c->ntargets; i++) {
		tg = pl->next[pl->at[i]];
		if (tg->kept == TARGET_KEPT_CHANGED)
			target_reconf(tg, c->targets[i]);
		if (tg->kept) {
			tg->kept = 0;
			tg->file = c->targets[i]->file;
			tg->conf.line = (uint32_t)c->targets[i]->line;
		}
	}
	return 0;
}

static void
daemon_plan_free(struct daemon_plan *pl)
{
	free(pl->next);
	free(pl->at);
	free(pl->retire);
}

/* A failed apply: nothing made stays, no mark is left. */
static void
daemon_unplan(struct daemon *d, struct conf *c, struct daemon_plan *pl)
{
	size_t i;

	daemon_mark_same(c, 0);
	/* once paired, c->targets[i] is at next[at[i]]: new unless kept */
	for (i = 0; pl->paired && i < c->ntargets; i++)
		if (pl->next[pl->at[i]] != NULL && !pl->next[pl->at[i]]->kept)
			target_free(pl->next[pl->at[i]]);
	for (i = 0; i < d->ntargets; i++)
		d->targets[i]->kept = 0;
	daemon_plan_free(pl);
}

/*
 * Replace the running config with c (which we take over, also on
 * failure).  c->targets is sorted by name (conf_load does that); the
 * targets of c's files marked `same` are the running ones of those files,
 * and stay as they run.  -1 with errs told: nothing changed.
 */
int
daemon_apply(struct daemon *d, struct conf *c, struct reload_report *rep,
    struct strlist *errs)
{
	struct daemon_plan pl;
	int level;

	memset(&pl, 0, sizeof(pl));
	daemon_mark_same(c, 1);
	if ((pl.next = malloc((c->ntargets + d->ntargets + 1) *
	    sizeof(*pl.next))) == NULL ||
	    (pl.at = malloc((c->ntargets + 1) * sizeof(*pl.at))) == NULL ||
	    (pl.retire = malloc((d->ntargets + 1) * sizeof(*pl.retire))) ==
	    NULL) {
		strlist_add(errs, "%s: out of memory applying the new config",
		    c->path);
		goto fail;
	}
	if (daemon_pair(d, c, &pl, rep, errs) == -1)
		goto fail;
	pl.paired = 1;
	if (daemon_build(d, c, &pl) == -1) {
		strlist_add(errs, "%s: out of memory applying the new config",
		    c->path);
		goto fail;
	}
	daemon_retire(d, &pl, rep);
	daemon_start_new(d, c, &pl);
	free(d->targets);
	d->targets = pl.next;
	d->ntargets = pl.total;
	pl.next = NULL;
	daemon_plan_free(&pl);
	daemon_adopt_files(d, c);
	daemon_maint_apply(d);

	/*
	 * The targets hold their own config now; drop the husks (emptied for
	 * the new targets, whole for the kept ones, which keep theirs).
	 */
	conf_targets_free(c);

	if (c->log_level != NULL && (level = log_level_parse(c->log_level)) !=
	    -1)
		log_setlevel(level);
	conf_free(d->conf);
	d->conf = c;
	return 0;

 fail:
	daemon_unplan(d, c, &pl);
	conf_free(c);
	if (rep != NULL)
		reload_report_clear(rep);
	return -1;
}

/*
 * Apply c, read by conf_load(..., d->conf) in read_s seconds, as a reload:
 * the resolver first (servers that cannot be used fail it), then the
 * targets.  -1 with errs told: nothing changed.
 */
int
daemon_reload_apply(struct daemon *d, struct conf *c, double read_s,
    struct strlist *errs, struct reload_report *rep)
{
	uint64_t t1 = clock_mono_us();
	size_t nsame = c->nsame, nread = c->nfiles - c->nsame;

	if (dns_configure(d->dns, c, errs) == -1) {
		conf_free(c);
		dns_configure(d->dns, d->conf, NULL);
		d->reload_failed = 1;
		return -1;
	}
	/* the running socket stays: -s on the command line overrides */
	free(c->control_socket);
	c->control_socket = d->conf->control_socket != NULL ?
	    strdup(d->conf->control_socket) : NULL;
	if (daemon_apply(d, c, rep, errs) == -1) {
		d->reload_failed = 1;
		return -1;
	}
	d->reload_failed = 0;
	d->conf_ok_wall_us = clock_wall_us();
	log_info("%s: %zu targets; %zu file%s read in %.3f s, %zu unchanged "
	    "(not read again); applied in %.3f s", d->conf->path, d->ntargets,
	    nread, nread == 1 ? "" : "s", read_s, nsame,
	    (double)(clock_mono_us() - t1) / 1e6);
	return 0;
}

/*
 * Read the config again and apply it, on this thread.  A bad config
 * changes nothing: -1, with every problem in errs.
 */
int
daemon_reload(struct daemon *d, struct strlist *errs,
    struct reload_report *rep)
{
	uint64_t t0 = clock_mono_us();
	struct conf *c;

	if ((c = conf_load(d->conf->path, errs, d->conf)) == NULL) {
		d->reload_failed = 1;
		return -1;
	}
	return daemon_reload_apply(d, c, (double)(clock_mono_us() - t0) / 1e6,
	    errs, rep);
}

void
daemon_counts(const struct daemon *d, size_t counts[3])
{
	size_t i;

	counts[TARGET_UNKNOWN] = counts[TARGET_UP] = counts[TARGET_DOWN] = 0;
	for (i = 0; i < d->ntargets; i++)
		if (d->targets[i]->res.state <= TARGET_DOWN)
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
	maints_clear(&d->maints);
	while (d->pc_free != NULL) {
		struct probe_ctx *pc = d->pc_free;

		d->pc_free = pc->next;
		free(pc);
	}
	executor_finish(&d->ex);
}
