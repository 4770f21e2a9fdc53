/*
 * sdnotify.c - talking to systemd: readiness, status, reload, stop and the
 * watchdog (sd-daemon from libsystemd).
 *
 * Without NOTIFY_SOCKET every call here does nothing, so futd behaves the
 * same outside systemd.  The watchdog is fed from a reactor timer at half
 * WATCHDOG_USEC: if the reactor stalls, systemd stops hearing from us and
 * restarts the service, which is the point.
 */
#include <systemd/sd-daemon.h>
#include <event2/event.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "log.h"
#include "net.h"
#include "results.h"
#include "sdnotify.h"

#define SDNOTIFY_STATUS_MIN_US	1000000		/* STATUS= at most 1/s */

static void
sdnotify_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sd_notify(0, "WATCHDOG=1");
}

int
sdnotify_init(struct sdnotify *sn, struct event_base *base)
{
	uint64_t usec = 0;
	struct timeval tv;

	memset(sn, 0, sizeof(*sn));
	sn->enabled = getenv("NOTIFY_SOCKET") != NULL;
	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	sn->watchdog_usec = usec;
	sn->watchdog_ev = event_new(base, -1, EV_PERSIST, sdnotify_watchdog_cb,
	    sn);
	if (sn->watchdog_ev == NULL)
		return -1;
	tv.tv_sec = (time_t)(usec / 2 / 1000000);
	tv.tv_usec = (suseconds_t)(usec / 2 % 1000000);
	if (event_add(sn->watchdog_ev, &tv) == -1)
		return -1;
	log_info("watchdog: every %.3fs", usec / 2 / 1e6);
	return 0;
}

void
sdnotify_finish(struct sdnotify *sn)
{
	if (sn->watchdog_ev != NULL)
		event_free(sn->watchdog_ev);
	sn->watchdog_ev = NULL;
	if (sn->status_ev != NULL)
		event_free(sn->status_ev);
	sn->status_ev = NULL;
}

static void
sdnotify_status_text(const struct daemon *d, char *buf, size_t len)
{
	size_t n[3];

	daemon_counts(d, n);
	snprintf(buf, len, "probing %zu target%s: %zu up, %zu down, "
	    "%zu unknown", d->ntargets, d->ntargets == 1 ? "" : "s",
	    n[TARGET_UP], n[TARGET_DOWN],
	    n[TARGET_UNKNOWN]);
}

void
sdnotify_ready(struct sdnotify *sn, const struct daemon *d)
{
	char status[128];

	if (!sn->enabled)
		return;
	sdnotify_status_text(d, status, sizeof(status));
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
	sn->last_status_us = clock_mono_us();
}

static void
sdnotify_status_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sdnotify *sn = arg;
	char status[128];

	(void)fd;
	(void)what;
	sn->status_pending = 0;
	sdnotify_status_text(sn->d, status, sizeof(status));
	sd_notifyf(0, "STATUS=%s", status);
	sn->last_status_us = clock_mono_us();
}

/*
 * A target changed state: refresh STATUS=, but not more than once a second.
 * Later changes within the second are folded into one update at its end.
 */
void
sdnotify_status(struct sdnotify *sn, const struct daemon *d)
{
	uint64_t now, wait;
	struct timeval tv;

	if (!sn->enabled || sn->status_pending)
		return;
	sn->d = d;
	now = clock_mono_us();
	wait = now - sn->last_status_us >= SDNOTIFY_STATUS_MIN_US ? 0 :
	    SDNOTIFY_STATUS_MIN_US - (now - sn->last_status_us);
	if (sn->status_ev == NULL &&
	    (sn->status_ev = evtimer_new(d->base, sdnotify_status_cb, sn)) ==
	    NULL)
		return;
	tv.tv_sec = (time_t)(wait / 1000000);
	tv.tv_usec = (suseconds_t)(wait % 1000000);
	if (evtimer_add(sn->status_ev, &tv) == 0)
		sn->status_pending = 1;
}

void
sdnotify_reloading(struct sdnotify *sn)
{
	struct timespec ts;

	if (!sn->enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
}

void
sdnotify_stopping(struct sdnotify *sn)
{
	if (!sn->enabled)
		return;
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

/*
 * The control socket passed by systemd, if any: -1 when none was passed,
 * -2 when what was passed is not a listening UNIX stream socket.
 */
int
sdnotify_listen_fd(void)
{
	char **names = NULL;
	int n, i, fd = -1;

	n = sd_listen_fds_with_names(1, &names);
	if (n <= 0)
		return -1;
	for (i = 0; i < n; i++) {
		int cand = SD_LISTEN_FDS_START + i;

		if (fd == -1 && (names == NULL || names[i] == NULL ||
		    strcmp(names[i], "control") == 0 ||
		    strcmp(names[i], "unknown") == 0) &&
		    sd_is_socket(cand, AF_UNIX, SOCK_STREAM, 1) > 0)
			fd = cand;
		if (names != NULL)
			free(names[i]);
	}
	free(names);
	return fd == -1 ? -2 : fd;
}
