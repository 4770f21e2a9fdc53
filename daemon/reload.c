/*
 * reload.c - the config read off the reactor's thread.
 *
 * The thread runs conf_load(), which reads the running config (prev) and
 * the files and nothing else; when it is done it writes a byte to a pipe
 * whose read end is an event of the reactor's, and the reactor's thread
 * joins it and takes the result.  libevent's own locking is not needed:
 * the thread never touches the event_base.
 */
#include <event2/event.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "net.h"
#include "reload.h"
#include "strlist.h"

struct reloader {
	struct event		*ev;
	int			 fd[2];		/* the thread says done on 1 */
	pthread_t		 tid;
	int			 busy;
	reloader_done_fn	 done;
	void			*arg;
	/* the thread's, until it has written its byte */
	char			*path;
	const struct conf	*prev;
	struct conf		*result;
	struct strlist		 errs;
	double			 read_s;
};

static void *
reloader_thread(void *arg)
{
	struct reloader *r = arg;
	uint64_t t0 = clock_mono_us();
	ssize_t n;

	r->result = conf_load(r->path, &r->errs, r->prev);
	r->read_s = (double)(clock_mono_us() - t0) / 1e6;
	do
		n = write(r->fd[1], "", 1);
	while (n == -1 && errno == EINTR);
	return NULL;
}

static void
reloader_join(struct reloader *r)
{
	pthread_join(r->tid, NULL);
	r->busy = 0;
	free(r->path);
	r->path = NULL;
	r->prev = NULL;
}

static void
reloader_cb(evutil_socket_t fd, short what, void *arg)
{
	struct reloader *r = arg;
	struct strlist errs;
	struct conf *c;
	char b;

	(void)what;
	if (read(fd, &b, 1) != 1 || !r->busy)
		return;
	reloader_join(r);
	c = r->result;
	errs = r->errs;
	r->result = NULL;
	memset(&r->errs, 0, sizeof(r->errs));
	r->done(r->arg, c, &errs, r->read_s);
	strlist_clear(&errs);
}

struct reloader *
reloader_new(struct event_base *base, reloader_done_fn done, void *arg)
{
	struct reloader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->done = done;
	r->arg = arg;
	if (pipe2(r->fd, O_CLOEXEC | O_NONBLOCK) == -1) {
		free(r);
		return NULL;
	}
	if ((r->ev = event_new(base, r->fd[0], EV_READ | EV_PERSIST,
	    reloader_cb, r)) == NULL || event_add(r->ev, NULL) == -1) {
		reloader_free(r);
		return NULL;
	}
	return r;
}

int
reloader_start(struct reloader *r, const char *path, const struct conf *prev)
{
	if (r->busy || (r->path = strdup(path)) == NULL)
		return -1;
	r->prev = prev;
	if (pthread_create(&r->tid, NULL, reloader_thread, r) != 0) {
		free(r->path);
		r->path = NULL;
		return -1;
	}
	r->busy = 1;
	return 0;
}

int
reloader_busy(const struct reloader *r)
{
	return r->busy;
}

void
reloader_free(struct reloader *r)
{
	if (r == NULL)
		return;
	if (r->busy) {
		reloader_join(r);
		conf_free(r->result);
		strlist_clear(&r->errs);
	}
	if (r->ev != NULL)
		event_free(r->ev);
	close(r->fd[0]);
	close(r->fd[1]);
	free(r);
}
