/*
 * srvutil.h - what the loopback test servers testsrv, testdns and tlssrv
 * share (srvutil.c): numbers and addresses from the command line, the
 * loopback-only rule, the log file, and the event loop with its signals,
 * deadline and "ready" line.
 */
#ifndef FUTD_SRVUTIL_H
#define FUTD_SRVUTIL_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <stddef.h>

#define SRV_PEER_STRLEN	(INET6_ADDRSTRLEN + sizeof("[]:65535"))

struct event;
struct event_base;

/* The reactor and what ends it: SIGTERM, SIGINT or the -t deadline. */
struct srv_loop {
	struct event_base	*base;
	struct event		*sigterm_ev;
	struct event		*sigint_ev;
	struct event		*deadline_ev;
};

/* srvutil.c */
const char	*srv_num_parse(const char *, long long, long long, long long *);
int		 srv_num_arg(const char *, const char *, long long, long long,
		    long long *);
int		 srv_port_parse(const char *, in_port_t *);
int		 srv_deadline_parse(const char *, struct timeval *);
const char	*srv_text_decode(const char *, int, unsigned char **,
		    size_t *);
int		 srv_loopback_ok(const struct sockaddr_storage *);
void		 srv_addr_bind(const char *, struct sockaddr_storage *,
		    socklen_t *);
in_port_t	 srv_addr_port(const struct sockaddr_storage *);
void		 srv_addr_set_port(struct sockaddr_storage *, in_port_t);
void		 srv_addr_fmt(const struct sockaddr_storage *, char *, size_t);
int		 srv_log_open(const char *);
size_t		 srv_log_hex(char *, unsigned char);
void		 srv_log_write(int, const char *, size_t);
void		 srv_loop_init(struct srv_loop *, const struct timeval *);
int		 srv_loop_run(struct srv_loop *);
void		 srv_loop_free(struct srv_loop *);

#endif /* FUTD_SRVUTIL_H */
