/* server.h - futd's life: start-up, reactor, signals, reload, stop */
#ifndef FUTD_SERVER_H
#define FUTD_SERVER_H

#include <stddef.h>

#include "futd.h"
#include "sdnotify.h"

struct server {
	struct event_base	*base;
	struct evdns_base	*dns;
	struct daemon		 d;
	struct control		*control;
	struct sdnotify		 sn;
	struct event		*sig_ev[3];
	struct http		*http;		/* metrics_listen */
	char			*http_listen;	/* what http listens on */
};

int	server_init(struct server *, struct conf *, const char *, int,
	    char *, size_t);
int	server_run(struct server *);
int	server_reload(void *, struct strlist *, struct reload_report *);
void	server_free(struct server *);

#endif /* FUTD_SERVER_H */
