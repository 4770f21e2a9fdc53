/* sdnotify.h - futd and systemd (see sdnotify.c) */
#ifndef FUTD_SDNOTIFY_H
#define FUTD_SDNOTIFY_H

#include <stdint.h>

struct event;
struct event_base;
struct daemon;

struct sdnotify {
	int			 enabled;	/* NOTIFY_SOCKET was set */
	uint64_t		 watchdog_usec;
	struct event		*watchdog_ev;
	struct event		*status_ev;
	int			 status_pending;
	uint64_t		 last_status_us;
	const struct daemon	*d;
};

int	sdnotify_init(struct sdnotify *, struct event_base *);
void	sdnotify_finish(struct sdnotify *);
void	sdnotify_ready(struct sdnotify *, const struct daemon *);
void	sdnotify_status(struct sdnotify *, const struct daemon *);
void	sdnotify_reloading(struct sdnotify *);
void	sdnotify_stopping(struct sdnotify *);
int	sdnotify_listen_fd(void);

#endif /* FUTD_SDNOTIFY_H */
