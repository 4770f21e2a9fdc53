/* server.h - futd's life: start-up, reactor, signals, reload, stop */
#ifndef FUTD_SERVER_H
#define FUTD_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "daemon.h"
#include "hook.h"
#include "sdnotify.h"

struct alerts;
struct conf;
struct control;
struct evdns_base;
struct event;
struct event_base;
struct http;
struct reloader;
struct state;

struct server {
	struct event_base	*base;
	struct evdns_base	*dns;
	struct daemon		 d;
	struct control		*control;
	struct sdnotify		 sn;
	struct event		*sig_ev[3];
	struct hook		 hook;		/* on_change */
	struct http		*http;		/* http_listen */
	struct alerts		*alerts;	/* alertmanager_urls */
	char			*http_listen;	/* what http listens on */
	struct reloader		*reloader;
	uint64_t		 reload_gen;	/* the reload reading, or the last */
	int			 reload_again;	/* asked for while one read */
	struct state		*state;		/* state_file (state.c) */
	int			 run_done;	/* stopped cleanly: save */
};

int	server_init(struct server *, struct conf *, const char *, int,
	    char *, size_t);
int	server_run(struct server *);
uint64_t server_reload(void *);
void	server_free(struct server *);

#endif /* FUTD_SERVER_H */
