/*
 * reload.h - a reload reads the config on a thread of its own, so that the
 * probes keep their schedule while it reads; what it read is handed to
 * the reactor's thread, which alone applies it.
 */
#ifndef FUTD_RELOAD_H
#define FUTD_RELOAD_H

struct conf;
struct event_base;
struct reloader;
struct strlist;

/*
 * On the reactor's thread, when a read is done: c, or NULL with every
 * problem in errs (the callee may keep errs' messages); read_s: how long
 * the read took.
 */
typedef void (*reloader_done_fn)(void *, struct conf *, struct strlist *,
    double);

struct reloader	*reloader_new(struct event_base *, reloader_done_fn, void *);
/*
 * Read path on the reloader's thread.  prev (the running config) must stay
 * as it is until done is called.  -1: a read is under way, or no thread.
 */
int		 reloader_start(struct reloader *, const char *,
		    const struct conf *);
int		 reloader_busy(const struct reloader *);
/* Waits for a read under way, whose result is dropped. */
void		 reloader_free(struct reloader *);

#endif /* FUTD_RELOAD_H */
