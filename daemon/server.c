/*
 * server.c - futd's life: start-up, the reactor, signals, reload, stop.
 *
 * Everything the daemon does runs on one libevent event_base: the targets'
 * tasks, the control socket, the signals (libevent signal events, so no
 * handler ever runs in the middle of a probe) and the systemd watchdog.
 */
#include <sys/resource.h>

#include <event2/dns.h>
#include <event2/event.h>

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "alerts.h"
#include "conf.h"
#include "ctl.h"
#include "daemon.h"
#include "dns.h"
#include "events.h"
#include "log.h"
#include "metrics.h"
#include "net.h"
#include "reload.h"
#include "results.h"
#include "sdnotify.h"
#include "server.h"
#include "state.h"
#include "strlist.h"
#include "target.h"
#include "uring.h"

/*
 * libevent's own lines ("Nameserver 127.0.0.1:53 has failed: request
 * timed out.") as futd's, with their source and a priority, instead of
 * "[msg] ..." on stderr.  evdns's come here too: its evdns_set_log_fn()
 * would tell only "a warning or not", which puts a nameserver's failure
 * with its debug chatter of every query.  Its debug lines come only when
 * libevent's debug logging is on, which futd never turns on.  Nothing here
 * may call into libevent.
 */
static void
server_libevent_log_cb(int severity, const char *msg)
{
	struct log_field f = { "FUTD_SOURCE", "source", "libevent" };
	int pri;

	switch (severity) {
	case EVENT_LOG_DEBUG:
		pri = LOG_DEBUG;
		break;
	case EVENT_LOG_MSG:
		pri = LOG_NOTICE;
		break;
	case EVENT_LOG_WARN:
		pri = LOG_WARNING;
		break;
	default:
		pri = LOG_ERR;
		break;
	}
	log_fields(pri, msg, &f, 1);
}

static void
server_on_result(struct daemon *d, struct target *tg,
    enum target_state before)
{
	struct server *s = d->on_result_arg;

	if (results_state(&tg->res) != before)
		sdnotify_status(&s->sn, d);
}

/*
 * A change of state: the event ring and log, then Alertmanager's, then
 * the on_change hook.
 */
static void
server_on_state(struct daemon *d, struct target *tg, enum target_state before,
    const struct probe_result *pr)
{
	struct server *s = d->on_result_arg;

	event_state(d, tg, before, pr);
	hook_state(&s->hook, d, tg, before, pr);
	alerts_state(s->alerts, tg, before, pr);
}

/*
 * The HTTP listener (status pages, /metrics) follows the config: started,
 * moved or stopped.  A listener that cannot start is an error at start-up
 * and a warning on reload (probing goes on; the old listener, if any,
 * stays).
 */
static int
server_http(struct server *s, const struct conf *c, char *err, size_t errlen)
{
	const char *listen = c->http_listen;
	struct http *h;
	char why[256];

	if (listen == NULL) {
		http_free(s->http);
		s->http = NULL;
		free(s->http_listen);
		s->http_listen = NULL;
		return 0;
	}
	if (s->http_listen != NULL && strcmp(s->http_listen, listen) == 0)
		return 0;
	/* free the old one first: the new one may want the same port */
	http_free(s->http);
	s->http = NULL;
	free(s->http_listen);
	s->http_listen = NULL;
	/* the error names the key the config used */
	if ((h = http_start(&s->d, s->base, listen, why, sizeof(why))) ==
	    NULL) {
		snprintf(err, errlen, "%s %s", c->http_listen_key, why);
		return -1;
	}
	s->http = h;
	s->http_listen = strdup(listen);
	log_info("status page on http://%s/, metrics on /metrics", listen);
	return 0;
}

/*
 * A reload's read is done (reload.c): apply it here, on the reactor's
 * thread, and tell those who asked.
 */
static void
server_reload_done(void *arg, struct conf *c, struct strlist *errs,
    double read_s)
{
	struct server *s = arg;
	struct reload_report rep;
	char err[256];
	int r = -1;

	memset(&rep, 0, sizeof(rep));
	if (c != NULL)
		r = daemon_reload_apply(&s->d, c, read_s, errs, &rep);
	else
		s->d.reload_failed = 1;
	malloc_trim(0);		/* the old config's and the parse's pages */
	if (r == -1 && errs->n == 0)
		strlist_add(errs, "%s: the reload failed", s->d.conf->path);
	event_reload(&s->d, &rep, r == -1 ? errs : NULL);
	if (r == 0 && server_http(s, s->d.conf, err,
	    sizeof(err)) == -1)
		log_warnx("%s", err);
	if (r == 0 && state_configure(s->state, s->d.conf->state_file,
	    s->d.conf->state_save_us) == -1)
		log_warnx("state: cannot arm the save timer");
	if (r == 0 && alerts_conf(s->alerts, s->d.conf) == -1)
		log_warnx("some alertmanager_urls were not taken");
	/* a client's next request may be another reload: it starts now */
	control_reload_done(s->control, s->reload_gen, errs, &rep);
	reload_report_clear(&rep);
	if (s->reload_again && !reloader_busy(s->reloader)) {
		s->reload_again = 0;
		server_reload(s);
	} else if (!reloader_busy(s->reloader))
		sdnotify_ready(&s->sn, &s->d);
	s->reload_again = 0;	/* the one running read it all */
}

/*
 * SIGHUP and `futctl reload` both come here.  A reload asked for while one
 * reads is run after it (the files may have changed since it started).
 * The answer is the number of the reload that will answer (0: none can).
 */
uint64_t
server_reload(void *arg)
{
	struct server *s = arg;

	if (reloader_busy(s->reloader)) {
		s->reload_again = 1;
		return s->reload_gen + 1;
	}
	log_info("reloading %s", s->d.conf->path);
	sdnotify_reloading(&s->sn);
	if (reloader_start(s->reloader, s->d.conf->path, s->d.conf) == -1) {
		struct strlist errs = { NULL, 0, 0 };

		/* those who waited for this one are told, the asker too (0) */
		strlist_add(&errs, "%s: cannot start a thread to read it",
		    s->d.conf->path);
		log_warnx("%s", errs.msg[0]);
		control_reload_done(s->control, ++s->reload_gen, &errs, NULL);
		strlist_clear(&errs);
		sdnotify_ready(&s->sn, &s->d);
		return 0;
	}
	return ++s->reload_gen;
}

static void
server_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct server *s = arg;

	(void)what;
	switch (sig) {
	case SIGHUP:
		server_reload(s);
		break;
	case SIGTERM:
	case SIGINT:
		log_info("%s: stopping", strsignal((int)sig));
		sdnotify_stopping(&s->sn);
		event_base_loopexit(s->base, NULL);
		break;
	}
}

#define SERVER_FD_RESERVE	64	/* for the control socket, logs, DNS */

/*
 * Probes need descriptors: take all the kernel lets us have, and leave
 * probes all but a reserve, so that futctl still gets an answer when
 * probes have used up the rest.
 */
static void
server_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
			log_warn("setrlimit(RLIMIT_NOFILE)");
			(void)getrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		return;
	net_sockets_max = rl.rlim_cur > 2 * SERVER_FD_RESERVE ?
	    (size_t)rl.rlim_cur - SERVER_FD_RESERVE :
	    (size_t)rl.rlim_cur / 2;
	log_debug("descriptors: %llu, %zu of them for probes",
	    (unsigned long long)rl.rlim_cur, net_sockets_max);
}

/*
 * The reactor, the resolver and the daemon's executor; the probes'
 * connects and closes through io_uring when it can be had.  -1: err says
 * why.
 */
static int
server_reactor(struct server *s, int use_uring, char *err, size_t errlen)
{
	struct event_config *cfg;
	int r;

	event_set_log_callback(server_libevent_log_cb);
	/*
	 * Timeouts from the time of event_add(), not of the loop pass.
	 * EVENT_BASE_FLAG_PRECISE_TIMER: without it libevent reads
	 * CLOCK_MONOTONIC_COARSE, which moves a tick at a time (4 ms here),
	 * and wakes from epoll_wait() every millisecond to find its timer not
	 * yet due, three times out of four.  With it a timerfd wakes us when
	 * the earliest timer is due (one timerfd_settime() a pass); the
	 * targets themselves gather their wake-ups in cells (target.c).
	 */
	if ((cfg = event_config_new()) == NULL ||
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_NO_CACHE_TIME) == -1 ||
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER) == -1 ||
	    (s->base = event_base_new_with_config(cfg)) == NULL) {
		if (cfg != NULL)
			event_config_free(cfg);
		snprintf(err, errlen, "cannot create the event loop");
		return -1;
	}
	event_config_free(cfg);
	/*
	 * resolv.conf and the hosts file, as the system's resolver reads
	 * them; with no resolv.conf evdns falls back to 127.0.0.1.
	 */
	if ((s->dns = evdns_base_new(s->base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE)) == NULL &&
	    (s->dns = evdns_base_new(s->base, 0)) == NULL) {
		snprintf(err, errlen, "cannot create the resolver");
		return -1;
	}
	if (daemon_init(&s->d, s->base, s->dns) == -1) {
		snprintf(err, errlen, "cannot create the executor");
		return -1;
	}
	s->d.on_result = server_on_result;
	s->d.on_result_arg = s;
	s->d.on_state = server_on_state;
	if (hook_init(&s->hook, s->base, &s->d) == -1) {
		snprintf(err, errlen, "cannot handle SIGCHLD");
		return -1;
	}
	if ((s->alerts = alerts_new(&s->d, s->base, s->dns)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* the probes' connects and closes, batched (uring.c) */
	if (!use_uring)
		log_info("io_uring off (-U): a system call per operation");
	else if ((r = uring_open(&s->d.ex, &net_sockets)) < 0)
		log_info("io_uring not available (%s): a system call per "
		    "operation", strerror(-r));
	else
		log_info("io_uring on: connects and closes go to the kernel "
		    "in batches");
	return 0;
}

/*
 * The control socket: the one systemd passed, or ours at path.  1: passed,
 * 0: ours, -1: neither, err says why.
 */
static int
server_control(struct server *s, const char *path, char *err,
    size_t errlen)
{
	int fd;

	if ((s->control = control_new(&s->d, server_reload, s)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->d.control = s->control;
	fd = sdnotify_listen_fd();
	if (fd == -2) {
		snprintf(err, errlen, "the socket passed by systemd is not a "
		    "listening UNIX stream socket");
		return -1;
	}
	if (fd >= 0) {
		if (control_adopt(s->control, fd) == -1) {
			snprintf(err, errlen, "cannot use the passed control "
			    "socket: %s", strerror(errno));
			return -1;
		}
		log_info("control socket passed by systemd (fd %d)", fd);
		return 1;
	}
	if (control_listen(s->control, path) == -1) {
		if (errno == EADDRINUSE)
			snprintf(err, errlen, "control socket %s: another futd "
			    "answers there; stop it, or give this one another "
			    "socket (-s or control_socket)", path);
		else
			snprintf(err, errlen, "control socket %s: %s", path,
			    strerror(errno));
		return -1;
	}
	return 0;
}

/* SIGHUP, SIGTERM and SIGINT as events of the reactor. */
static int
server_signals(struct server *s, char *err, size_t errlen)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT };
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		s->sig_ev[i] = evsignal_new(s->base, sigs[i], server_signal_cb,
		    s);
		if (s->sig_ev[i] == NULL || event_add(s->sig_ev[i], NULL) ==
		    -1) {
			snprintf(err, errlen, "cannot handle signals");
			return -1;
		}
	}
	return 0;
}

/*
 * Set everything up and start probing.  On failure, -1 with the reason in
 * err (for the caller to print); the caller then calls server_free().
 */
int
server_init(struct server *s, struct conf *c, const char *sock_override,
    int use_uring, char *err, size_t errlen)
{
	struct strlist errs = { NULL, 0, 0 };
	const char *path;
	int passed;

	memset(s, 0, sizeof(*s));
	signal(SIGPIPE, SIG_IGN);
	server_raise_nofile();
	if (server_reactor(s, use_uring, err, errlen) == -1)
		goto fail;

	if (sock_override != NULL) {
		free(c->control_socket);
		if ((c->control_socket = strdup(sock_override)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	path = c->control_socket;

	if (sdnotify_init(&s->sn, s->base) == -1) {
		snprintf(err, errlen, "cannot set up the systemd watchdog");
		goto fail;
	}
	/* the control socket before the targets: a clash ends us early */
	if ((passed = server_control(s, path, err, errlen)) == -1 ||
	    server_signals(s, err, errlen) == -1)
		goto fail;

	if (dns_configure(s->dns, c, NULL) == -1)
		log_warnx("some resolver settings were not taken");
	if ((s->reloader = reloader_new(s->base, server_reload_done, s)) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (daemon_apply(&s->d, c, NULL, &errs) == -1) {
		snprintf(err, errlen, "%s", errs.n > 0 ? errs.msg[0] :
		    "out of memory starting the targets");
		strlist_clear(&errs);
		return -1;
	}
	/*
	 * The config's husks and what heap_prepare() grew and the targets
	 * did not use: give the pages back rather than keep them as free
	 * heap.
	 */
	malloc_trim(0);
	/* the saved results, before the first probe records anything */
	if ((s->state = state_new(&s->d, s->base)) == NULL ||
	    state_configure(s->state, s->d.conf->state_file,
	    s->d.conf->state_save_us) == -1) {
		snprintf(err, errlen, "cannot set up the state file's saves");
		return -1;
	}
	state_load(s->state);
	if (server_http(s, s->d.conf, err, errlen) == -1)
		return -1;
	if (alerts_conf(s->alerts, s->d.conf) == -1)
		log_warnx("some alertmanager_urls were not taken");
	/* the alerts of the states the state file brought back */
	alerts_adopt(s->alerts);
	event_start(&s->d);
	log_info("control socket %s", passed ? "passed by systemd" : path);
	return 0;

 fail:
	/* not the daemon's yet */
	conf_free(c);
	return -1;
}

/* Run until SIGTERM or SIGINT. */
int
server_run(struct server *s)
{
	sdnotify_ready(&s->sn, &s->d);
	if (event_base_dispatch(s->base) == -1) {
		log_errx("the event loop failed");
		return -1;
	}
	s->run_done = 1;
	return 0;
}

/* Reverse order of server_init: probes first, so no socket outlives us. */
void
server_free(struct server *s)
{
	size_t i;

	reloader_free(s->reloader);	/* a read under way is dropped */
	s->reloader = NULL;
	daemon_stop_targets(&s->d);
	/* at a clean stop, after the last result: nothing is lost */
	if (s->state != NULL && s->run_done)
		(void)state_save_now(s->state);
	state_free(s->state);
	s->state = NULL;
	if (s->hook.base != NULL)
		hook_free(&s->hook);
	http_free(s->http);
	s->http = NULL;
	free(s->http_listen);
	alerts_free(s->alerts);
	s->alerts = NULL;
	control_free(s->control);
	s->control = NULL;
	s->d.control = NULL;
	for (i = 0; i < sizeof(s->sig_ev) / sizeof(s->sig_ev[0]); i++)
		if (s->sig_ev[i] != NULL)
			event_free(s->sig_ev[i]);
	sdnotify_finish(&s->sn);
	uring_shutdown();	/* the probes' last closes go out */
	if (s->base != NULL)
		daemon_finish(&s->d);
	if (s->dns != NULL) {
		/*
		 * Fail what is still asked, then let the deferred callbacks
		 * run once so they free their tickets (dns.c).
		 */
		evdns_base_free(s->dns, 1);
		event_base_loop(s->base, EVLOOP_NONBLOCK);
	}
	hosts_free();
	if (s->base != NULL)
		event_base_free(s->base);
	memset(s, 0, sizeof(*s));
}
