/*
 * hook.c - the on_change hook: on each change of a target's state, futd
 * runs one program (futd.conf's on_change) with the news in its
 * environment and nothing else of futd's: no shell, no arguments, so
 * nothing a peer sent can become a word of a command line.
 *
 * A hook must never hold up a probe.  So: at most on_change_max run at
 * once and the rest wait in a bounded queue (full, the oldest change is
 * dropped: the newest says where a target is now); a hook's stdout and
 * stderr come back through a pipe read on the reactor, never blocking,
 * keeping the first line for the log and discarding the rest; after
 * on_change_timeout its process group gets SIGTERM, then SIGKILL.  Its
 * children are reaped by pid with WNOHANG, each of ours on each SIGCHLD,
 * never waitpid(-1): another part of futd may have children of its own.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <event2/event.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "daemon.h"
#include "hook.h"
#include "log.h"
#include "net.h"
#include "probe.h"
#include "results.h"
#include "target.h"
#include "target_conf.h"

static void	hook_run_next(struct hook *);

static void
hook_job_free(struct hook_job *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->nenv; i++)
		free(j->env[i]);
	free(j->target);
	free(j);
}

static int
hook_env_add(struct hook_job *j, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (j->nenv >= HOOK_ENV_MAX)
		return -1;
	va_start(ap, fmt);
	r = vasprintf(&j->env[j->nenv], fmt, ap);
	va_end(ap);
	if (r == -1) {
		j->env[j->nenv] = NULL;
		return -1;
	}
	j->nenv++;
	return 0;
}

/*
 * A target's labels as FUTD_LABEL_<name>=<value> (a label's name is an
 * environment variable's too: [a-zA-Z_][a-zA-Z0-9_]*), as many as the
 * environment has room for; 0, or -1 when out of memory.
 */
static int
hook_env_labels(struct hook_job *j, const struct target *tg)
{
	const struct target_rare *rare = tg->rare;
	const char *n, *v;
	size_t off;

	for (off = 0; rare != NULL && off < rare->labels_len &&
	    j->nenv < HOOK_ENV_MAX; off += strlen(n) + strlen(v) + 2) {
		n = rare->labels + off;
		v = n + strlen(n) + 1;
		if (hook_env_add(j, "FUTD_LABEL_%s=%s", n, v) == -1)
			return -1;
	}
	return 0;
}

/*
 * The hook's whole environment: the change, the target's labels, and
 * PATH for the tools a script calls.  The one place its variables are
 * made.
 */
static int
hook_env_build(struct hook_job *j, const struct target *tg,
    enum target_state from, const struct probe_result *pr)
{
	char msg[160];
	int64_t since = tg->res.since_wall_us != 0 ? tg->res.since_wall_us :
	    clock_wall_us();

	probe_result_message(pr, msg, sizeof(msg));
	if (hook_env_add(j, "FUTD_TARGET=%s", tg->conf.name) == -1 ||
	    hook_env_add(j, "FUTD_STATE=%s",
	    target_state_name(results_state(&tg->res))) == -1 ||
	    hook_env_add(j, "FUTD_FROM=%s", target_state_name(from)) == -1 ||
	    hook_env_add(j, "FUTD_ERROR=%s", probe_error_name(pr->error)) ==
	    -1 || hook_env_add(j, "FUTD_MESSAGE=%s", msg) == -1 ||
	    hook_env_add(j, "FUTD_LATENCY_US=%u", (unsigned)pr->latency_us) ==
	    -1 || hook_env_add(j, "FUTD_SINCE=%lld",
	    (long long)(since / 1000000)) == -1 ||
	    hook_env_add(j, "FUTD_PROBE=%s", probe_kind_name(tg->conf.kind)) ==
	    -1 || hook_env_add(j, "FUTD_HOST=%s", tg->conf.host) == -1 ||
	    hook_env_add(j, "FUTD_PORT=%u", (unsigned)tg->conf.port) == -1 ||
	    hook_env_add(j, "PATH=/usr/bin:/bin") == -1 ||
	    hook_env_labels(j, tg) == -1)
		return -1;
	j->env[j->nenv] = NULL;
	return 0;
}

/* A state maintenance set by hand is no news of the target's own. */
static int
hook_state_quiet(enum target_state s)
{
	return s == TARGET_DISABLED;
}

/*
 * A target changed state: queue its program.  A target found up by its
 * first result is no news (as the log says nothing of it either).
 */
void
hook_state(struct hook *h, const struct daemon *d, struct target *tg,
    enum target_state from, const struct probe_result *pr)
{
	const struct conf *c = d->conf;
	enum target_state to = results_state(&tg->res);
	struct hook_job *j, *old;

	if (c == NULL || c->on_change == NULL ||
	    (from == TARGET_UNKNOWN && to == TARGET_UP) ||
	    hook_state_quiet(from) || hook_state_quiet(to))
		return;
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->target = strdup(tg->conf.name)) == NULL ||
	    hook_env_build(j, tg, from, pr) == -1) {
		log_warnx("target %s: on_change not run: out of memory",
		    tg->conf.name);
		hook_job_free(j);
		return;
	}
	if (h->nqueued >= HOOK_QUEUE_MAX) {
		old = TAILQ_FIRST(&h->queue);
		TAILQ_REMOVE(&h->queue, old, entry);
		h->nqueued--;
		if (h->burst_dropped++ == 0)
			log_warnx("on_change: %d changes wait already: "
			    "dropping the oldest (target %s) and more, until "
			    "the queue drains", HOOK_QUEUE_MAX, old->target);
		h->dropped++;
		hook_job_free(old);
	}
	TAILQ_INSERT_TAIL(&h->queue, j, entry);
	h->nqueued++;
	hook_run_next(h);
}

/* Read what is there, keep the first line, never block. */
static void
hook_read(struct hook_run *r)
{
	char buf[4096], *nl;
	ssize_t n;
	size_t take;

	while (r->fd != -1) {
		n = read(r->fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n > 0 && !r->line_done) {
			nl = memchr(buf, '\n', (size_t)n);
			take = nl != NULL ? (size_t)(nl - buf) : (size_t)n;
			if (take > HOOK_LINE_MAX - r->linelen)
				take = HOOK_LINE_MAX - r->linelen;
			memcpy(r->line + r->linelen, buf, take);
			r->linelen += take;
			r->line_done = nl != NULL || r->linelen == HOOK_LINE_MAX;
		}
		if (n > 0)
			r->nread += (size_t)n;
		/* EOF, an error, or a flood: we stop listening */
		if (n <= 0 || r->nread >= HOOK_READ_MAX) {
			event_free(r->rd_ev);
			r->rd_ev = NULL;
			close(r->fd);
			r->fd = -1;
		} else
			return;
	}
}

static void
hook_read_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	hook_read(arg);
}

/* Past on_change_timeout: SIGTERM to its group, then SIGKILL. */
static void
hook_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hook_run *r = arg;
	struct timeval tv = { HOOK_KILL_US / 1000000, 0 };

	(void)fd;
	(void)what;
	if (r->killed == 0) {
		r->killed = SIGTERM;
		kill(-r->pid, SIGTERM);
		event_add(r->tmo_ev, &tv);
	} else {
		r->killed = SIGKILL;
		kill(-r->pid, SIGKILL);
	}
}

/* The words of the line: printable bytes only, in the log. */
static void
hook_line_clean(struct hook_run *r)
{
	size_t i;

	r->line[r->linelen] = '\0';
	for (i = 0; i < r->linelen; i++)
		if ((unsigned char)r->line[i] < 0x20 || r->line[i] == 0x7f)
			r->line[i] = ' ';
}

static void
hook_run_end(struct hook *h, struct hook_run *r, int status)
{
	const char *sep;
	char how[64];

	hook_read(r);		/* what it wrote last, without waiting */
	if (r->rd_ev != NULL)
		event_free(r->rd_ev);
	if (r->fd != -1)
		close(r->fd);
	if (r->tmo_ev != NULL)
		event_free(r->tmo_ev);
	hook_line_clean(r);
	if (WIFEXITED(status))
		snprintf(how, sizeof(how), "exited %d", WEXITSTATUS(status));
	else
		snprintf(how, sizeof(how), "killed by signal %d",
		    WTERMSIG(status));
	sep = r->linelen > 0 ? ": " : "";
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !r->killed)
		log_info("target %s: on_change %s%s%s", r->job->target, how,
		    sep, r->line);
	else
		log_warnx("target %s: on_change %s%s%s%s", r->job->target,
		    how, r->killed ? " after the timeout" : "", sep, r->line);
	LIST_REMOVE(r, entry);
	h->nrunning--;
	hook_job_free(r->job);
	free(r);
}

/* A child ended: ours are asked by pid, one by one. */
static void
hook_sigchld_cb(evutil_socket_t sig, short what, void *arg)
{
	struct hook *h = arg;
	struct hook_run *r, *next;
	pid_t p;
	int status;

	(void)sig;
	(void)what;
	for (r = LIST_FIRST(&h->runs); r != NULL; r = next) {
		next = LIST_NEXT(r, entry);
		while ((p = waitpid(r->pid, &status, WNOHANG)) == -1 &&
		    errno == EINTR)
			;
		if (p == r->pid || (p == -1 && errno == ECHILD))
			hook_run_end(h, r, p == r->pid ? status : 0);
	}
	hook_run_next(h);
}

/* Start one job: stdin /dev/null, stdout and stderr to our pipe. */
static int
hook_spawn(struct hook_run *r, const char *prog)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	char *const argv[] = { (char *)(uintptr_t)prog, NULL };
	int pfd[2], e;

	if (pipe2(pfd, O_CLOEXEC) == -1)
		return errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	/* its own group, so that a timeout ends what it started too */
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	/* futd's SIGPIPE ignored, SIGCHLD caught: not the hook's */
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	/* none of futd's sockets, nor its working directory */
	posix_spawn_file_actions_addchdir_np(&fa, "/");
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	e = posix_spawn(&r->pid, prog, &fa, &at, argv, r->job->env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(pfd[1]);
	if (e != 0) {
		close(pfd[0]);
		return e;
	}
	r->fd = pfd[0];
	evutil_make_socket_nonblocking(r->fd);
	return 0;
}

/* Start what waits while there is a free slot. */
static void
hook_run_next(struct hook *h)
{
	const struct conf *c = h->d->conf;
	struct hook_run *r;
	struct hook_job *j;
	struct timeval tv;
	int e;

	/* a reload took on_change away: what waits is no one's news */
	while (c != NULL && c->on_change == NULL &&
	    (j = TAILQ_FIRST(&h->queue)) != NULL) {
		TAILQ_REMOVE(&h->queue, j, entry);
		h->nqueued--;
		hook_job_free(j);
	}
	while (c != NULL && c->on_change != NULL &&
	    h->nrunning < c->on_change_max &&
	    (j = TAILQ_FIRST(&h->queue)) != NULL) {
		TAILQ_REMOVE(&h->queue, j, entry);
		h->nqueued--;
		if ((r = calloc(1, sizeof(*r))) == NULL) {
			log_warnx("target %s: on_change not run: out of "
			    "memory", j->target);
			hook_job_free(j);
			continue;
		}
		r->job = j;
		r->fd = -1;
		if ((e = hook_spawn(r, c->on_change)) != 0) {
			log_warnx("target %s: on_change %s cannot run: %s",
			    j->target, c->on_change, strerror(e));
			hook_job_free(j);
			free(r);
			continue;
		}
		h->runs_total++;
		r->rd_ev = event_new(h->base, r->fd, EV_READ | EV_PERSIST,
		    hook_read_cb, r);
		r->tmo_ev = evtimer_new(h->base, hook_timeout_cb, r);
		tv.tv_sec = (time_t)(c->on_change_timeout_us / 1000000);
		tv.tv_usec = (suseconds_t)(c->on_change_timeout_us % 1000000);
		if (r->rd_ev != NULL)
			event_add(r->rd_ev, NULL);
		if (r->tmo_ev != NULL)
			event_add(r->tmo_ev, &tv);
		LIST_INSERT_HEAD(&h->runs, r, entry);
		h->nrunning++;
	}
	if (h->nqueued == 0 && h->burst_dropped > 0) {
		log_warnx("on_change: the queue drained; %llu changes were "
		    "dropped without their hook (%llu since start)",
		    (unsigned long long)h->burst_dropped,
		    (unsigned long long)h->dropped);
		h->burst_dropped = 0;
	}
}

int
hook_init(struct hook *h, struct event_base *base, const struct daemon *d)
{
	memset(h, 0, sizeof(*h));
	h->base = base;
	h->d = d;
	TAILQ_INIT(&h->queue);
	LIST_INIT(&h->runs);
	if ((h->sigchld = evsignal_new(base, SIGCHLD, hook_sigchld_cb, h)) ==
	    NULL || event_add(h->sigchld, NULL) == -1)
		return -1;
	return 0;
}

/* At stop: what runs is killed and reaped, what waits is dropped. */
void
hook_free(struct hook *h)
{
	struct hook_run *r;
	struct hook_job *j;
	int status = 0;

	while ((j = TAILQ_FIRST(&h->queue)) != NULL) {
		TAILQ_REMOVE(&h->queue, j, entry);
		hook_job_free(j);
	}
	h->nqueued = 0;
	while ((r = LIST_FIRST(&h->runs)) != NULL) {
		kill(-r->pid, SIGKILL);
		while (waitpid(r->pid, &status, 0) == -1 && errno == EINTR)
			;
		r->killed = SIGKILL;
		hook_run_end(h, r, status);
	}
	if (h->sigchld != NULL)
		event_free(h->sigchld);
	memset(h, 0, sizeof(*h));
}
