/*
 * state.c - what futd has seen survives a restart: every state_save
 * seconds and at a clean stop, every target's results go to state_file
 * (format: state.h, state_file.c); at start they come back to the targets
 * that still measure the same thing.
 *
 * A save forks, as Redis's BGSAVE does, and the child writes the
 * copy-on-write snapshot of the targets and exits; the parent reaps it on
 * SIGCHLD, a libevent signal event.  Not a writer thread over a copy: at
 * 100 000 targets the copy alone is ~150 MB made on the reactor's thread
 * (or targets locked against their probes), where fork() copies page
 * tables only and afterwards just the pages the probes write while the
 * child runs (bench/RESULTS.md has the figures).
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <event2/event.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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

/* The directory of path, fsynced: the rename is on disk, not just the data */
static int
state_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, r;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -1;
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/*
 * Atomic: a temporary file in the same directory, written, fsynced, and
 * renamed over path, then the directory fsynced.  A crash at any point
 * leaves the old file or the new one, whole.  -1: what failed is logged.
 */
static int
state_save_file(const char *path, const struct daemon *d)
{
	char tmp[PATH_MAX];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		log_warnx("state: %s: the name is too long", path);
		return -1;
	}
	/*
	 * A file of our own, never one found there: a writer left by a
	 * killed futd still writing its own (unlinked, it writes on
	 * unseen), a FIFO that would block the open, a link elsewhere.
	 */
	if (unlink(tmp) == -1 && errno != ENOENT) {
		log_warn("state: cannot remove %s", tmp);
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		log_warn("state: cannot create %s (is its directory there "
		    "and futd's to write?)", tmp);
		return -1;
	}
	if (state_write(fd, d, clock_wall_us(), clock_mono_us()) == -1 ||
	    fsync(fd) == -1) {
		log_warn("state: cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		log_warn("state: cannot rename %s to %s", tmp, path);
		unlink(tmp);
		return -1;
	}
	if (state_sync_dir(path) == -1)
		log_warn("state: %s: cannot sync its directory", path);
	return 0;
}

/* The child's end: reaped here, never by a wait for any child. */
static void
state_reap(struct state *s, int block)
{
	int st;
	pid_t p;

	if (s->child == 0)
		return;
	while ((p = waitpid(s->child, &st, block ? 0 : WNOHANG)) == -1 &&
	    errno == EINTR)
		;
	if (p == 0)
		return;		/* still writing */
	if (p == -1) {		/* reaped by someone else: gone all the same */
		s->child = 0;
		return;
	}
	if (p == s->child && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		log_debug("state: saved %zu targets to %s in %.1f ms",
		    s->d->ntargets, s->path,
		    (double)(clock_mono_us() - s->child_start_us) / 1e3);
	else if (p == s->child)
		log_warnx("state: the save to %s failed (the writer said "
		    "why above); the next one in %.0f s", s->path,
		    (double)s->every_us / 1e6);
	s->child = 0;
}

static void
state_chld_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	state_reap(arg, 0);
}

/* A save in the background: fork, and the child writes. */
static void
state_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct state *s = arg;
	pid_t p;

	(void)fd;
	(void)what;
	state_reap(s, 0);
	if (s->path == NULL || s->child != 0)
		return;		/* the last one still writes: skip */
	s->child_start_us = clock_mono_us();
	if ((p = fork()) == -1) {
		log_warn("state: cannot fork to save %s", s->path);
		return;
	}
	if (p == 0) {
		/* libevent's handlers would tell the parent's loop */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		/*
		 * Nor hold the listeners: a futd started while this child
		 * lingers would find the control socket answered
		 */
		(void)close_range(3, ~0U, 0);
		_exit(state_save_file(s->path, s->d) == 0 ? 0 : 1);
	}
	s->child = p;
	/* the reactor's whole cost of a save: bench/state.py */
	log_debug("state: forked the writer in %.1f ms",
	    (double)(clock_mono_us() - s->child_start_us) / 1e3);
}

struct state *
state_new(struct daemon *d, struct event_base *base)
{
	struct state *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->d = d;
	s->base = base;
	if ((s->tick = event_new(base, -1, EV_PERSIST, state_tick_cb,
	    s)) == NULL || (s->chld = evsignal_new(base, SIGCHLD,
	    state_chld_cb, s)) == NULL || event_add(s->chld, NULL) == -1) {
		state_free(s);
		return NULL;
	}
	return s;
}

/* The config's state_file and state_save, at start and on reload. */
int
state_configure(struct state *s, const char *path, uint64_t every_us)
{
	struct timeval tv;
	char *p = NULL;

	/* a child still writing finishes the old path's save: not waited for */
	if (path != NULL && (p = strdup(path)) == NULL)
		return -1;
	free(s->path);
	s->path = p;
	event_del(s->tick);
	s->every_us = every_us;
	if (p == NULL)
		return 0;
	tv.tv_sec = (time_t)(every_us / 1000000);
	tv.tv_usec = (suseconds_t)(every_us % 1000000);
	return event_add(s->tick, &tv);
}

/* Save now, in this process: at a clean stop, probes stopped. */
int
state_save_now(struct state *s)
{
	uint64_t t0 = clock_mono_us();

	if (s == NULL || s->path == NULL)
		return 0;
	/* what a writer still writes is older than this save: not waited for */
	if (s->child != 0)
		kill(s->child, SIGKILL);
	state_reap(s, 1);
	if (state_save_file(s->path, s->d) == -1)
		return -1;
	log_info("state: saved %zu targets to %s in %.1f ms", s->d->ntargets,
	    s->path, (double)(clock_mono_us() - t0) / 1e3);
	return 0;
}

void
state_free(struct state *s)
{
	if (s == NULL)
		return;
	state_reap(s, 1);
	if (s->tick != NULL)
		event_free(s->tick);
	if (s->chld != NULL)
		event_free(s->chld);
	free(s->path);
	free(s);
}
