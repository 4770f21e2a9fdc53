/*
 * netutil.h - loopback sockets and timing shared by the unit suites of the
 * futures core and the probes (netutil.c).
 */
#ifndef FUTD_NETUTIL_H
#define FUTD_NETUTIL_H

#include <stdint.h>

#include "net.h"

#define FILL_MAX	4		/* to fill an accept queue */
#define MS		1000ULL		/* one millisecond in microseconds */

uint64_t	timer_slack_us(void);
int		timer_in_heap(const struct executor *, const struct timer *);
void		assert_took(const char *, uint64_t, uint64_t, uint64_t);
void		loopback(int, uint16_t, union sockaddr_union *);
uint16_t	port_of(const union sockaddr_union *);
int		tcp_listen(int, uint16_t, int, int, union sockaddr_union *);
void		fill_accept_queue(const union sockaddr_union *, int[FILL_MAX]);
void		fill_close(int[FILL_MAX]);

#endif /* FUTD_NETUTIL_H */
