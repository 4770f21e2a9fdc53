/*
 * alerts.h - Alertmanager (alerts.c): while a target is down or flapping,
 * an alert posted to every alertmanager_urls' v2 API, sent again every
 * alert_resend, and once more with endsAt when it ends.
 */
#ifndef FUTD_ALERTS_H
#define FUTD_ALERTS_H

#include "results.h"

struct alerts;
struct conf;
struct daemon;
struct evdns_base;
struct event_base;
struct probe_result;
struct target;

/* at most this many alerts in one POST: the rest go in the next */
#define ALERTS_BATCH_MAX	256

struct alerts	*alerts_new(struct daemon *, struct event_base *,
		    struct evdns_base *);
int		 alerts_conf(struct alerts *, const struct conf *);
void		 alerts_state(struct alerts *, struct target *,
		    enum target_state, const struct probe_result *);
void		 alerts_adopt(struct alerts *);
void		 alerts_free(struct alerts *);

#endif /* FUTD_ALERTS_H */
