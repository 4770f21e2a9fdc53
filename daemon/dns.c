/*
 * dns.c - names to addresses, without blocking the reactor.
 *
 * The hosts file is read into memory (at start and on reload) and answers
 * first, as the system's resolver would.  Other names are asked of the
 * configured servers through libevent's evdns, A and AAAA in parallel,
 * because only evdns_base_resolve_ipv4/6 report the records' TTL, which the
 * probes' cache needs (evdns_getaddrinfo does not).
 *
 * A query in flight holds a small ticket, not the future itself: evdns may
 * call back after the future was dropped (a cancelled query's callback is
 * deferred to the next loop pass, and one already answered is not
 * cancelled at all), so a dropped future only orphans its tickets and the
 * callback frees them.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "dns.h"
#include "future.h"
#include "net.h"
#include "strlist.h"

#define DNS_HOSTS_FILE	"/etc/hosts"

struct hosts_entry {
	char			*name;
	int			 family;
	union sockaddr_union	 addr;
};

static struct hosts_entry	*hosts;
static size_t			 nhosts;
static int			 dns_custom;	/* servers from futd.conf */

struct dns_ticket {
	struct resolve_fut	*r;	/* NULL: orphaned, just free */
	int			 family;
};

void
hosts_free(void)
{
	size_t i;

	for (i = 0; i < nhosts; i++)
		free(hosts[i].name);
	free(hosts);
	hosts = NULL;
	nhosts = 0;
}

/*
 * Read a hosts file ("address name alias..." lines, # comments).  A file
 * that cannot be read leaves an empty table: names then go to DNS.
 */
int
hosts_load(const char *path)
{
	struct hosts_entry *tab = NULL, *ntab;
	size_t n = 0, cap = 0;
	char *line = NULL, *p, *addr, *name, *save;
	union sockaddr_union su;
	size_t len = 0;
	FILE *f;

	if (path == NULL)
		path = DNS_HOSTS_FILE;
	if ((f = fopen(path, "r")) == NULL) {
		hosts_free();
		return -1;
	}
	while (getline(&line, &len, f) != -1) {
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		if ((addr = strtok_r(line, " \t\r\n", &save)) == NULL ||
		    sockaddr_parse_numeric(addr, 0, &su) == -1)
			continue;
		while ((name = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				if ((ntab = reallocarray(tab, cap,
				    sizeof(*tab))) == NULL)
					goto done;
				tab = ntab;
			}
			if ((tab[n].name = strdup(name)) == NULL)
				goto done;
			tab[n].family = su.sa.sa_family;
			tab[n].addr = su;
			n++;
		}
	}
 done:
	free(line);
	fclose(f);
	hosts_free();
	hosts = tab;
	nhosts = n;
	return 0;
}

/* Addresses of name in the hosts file, IPv4 first; how many. */
int
hosts_lookup(const char *name, int family, uint16_t port,
    union sockaddr_union *out, unsigned max)
{
	unsigned n = 0;
	size_t i;
	int pass, want;

	for (pass = 0; pass < 2; pass++) {
		want = pass == 0 ? AF_INET : AF_INET6;
		if (family != AF_UNSPEC && family != want)
			continue;
		for (i = 0; i < nhosts && n < max; i++) {
			if (hosts[i].family != want ||
			    strcasecmp(hosts[i].name, name) != 0)
				continue;
			out[n] = hosts[i].addr;
			if (want == AF_INET)
				out[n].sin.sin_port = htons(port);
			else
				out[n].sin6.sin6_port = htons(port);
			n++;
		}
	}
	return (int)n;
}

/* The servers and their patience, from the config. */
int
dns_configure(struct evdns_base *dns, const struct conf *c,
    struct strlist *errs)
{
	char buf[32];
	size_t i;
	int r = 0;

	hosts_load(NULL);
	snprintf(buf, sizeof(buf), "%.3f", c->dns_timeout_us / 1e6);
	if (evdns_base_set_option(dns, "timeout:", buf) == -1)
		r = -1;
	snprintf(buf, sizeof(buf), "%u", c->dns_attempts);
	if (evdns_base_set_option(dns, "attempts:", buf) == -1)
		r = -1;
	if (c->nnameservers == 0) {
		if (dns_custom) {
			/* back to the system's servers */
			evdns_base_clear_nameservers_and_suspend(dns);
			evdns_base_resolv_conf_parse(dns,
			    DNS_OPTION_NAMESERVERS, "/etc/resolv.conf");
			evdns_base_resume(dns);
			dns_custom = 0;
		}
		return r;
	}
	dns_custom = 1;
	evdns_base_clear_nameservers_and_suspend(dns);
	for (i = 0; i < c->nnameservers; i++)
		if (evdns_base_nameserver_ip_add(dns, c->nameservers[i]) !=
		    0) {
			if (errs != NULL)
				strlist_add(errs, "%s: cannot use nameserver "
				    "%s", c->path, c->nameservers[i]);
			r = -1;
		}
	evdns_base_resume(dns);
	return r;
}

/* the resolve future */

static enum poll
resolve_future_poll(struct future *f, struct task *t)
{
	return resolve_poll((struct resolve_fut *)f, t);
}

static void
resolve_future_drop(struct future *f)
{
	resolve_drop((struct resolve_fut *)f);
}

void
resolve_init(struct resolve_fut *r, struct evdns_base *dns, const char *host,
    uint16_t port, int family)
{
	memset(r, 0, sizeof(*r));
	r->base.poll = resolve_future_poll;
	r->base.drop = resolve_future_drop;
	r->dns = dns;
	r->host = host;
	r->port = port;
	r->family = family;
	r->ttl = UINT32_MAX;
	r->state = RESOLVE_INIT;
}

const char *
resolve_strerror(int err)
{
	return evdns_err_to_string(err);
}

/* Both answers are in: IPv4 first, then IPv6, up to RESOLVE_MAX_ADDRS. */
static enum poll
resolve_finish(struct resolve_fut *r)
{
	unsigned i;

	r->state = RESOLVE_DONE;
	r->naddrs = r->n4;
	for (i = 0; i < r->n6 && r->naddrs < RESOLVE_MAX_ADDRS; i++)
		r->addrs[r->naddrs++] = r->a6[i];
	if (r->naddrs > 0) {
		r->addr = r->addrs[0];
		r->err = 0;
		return POLL_READY;
	}
	/* no address: say why; a failing server beats "no such name" */
	if (r->family == AF_INET)
		r->err = r->err4;
	else if (r->family == AF_INET6)
		r->err = r->err6;
	else if (r->err4 != DNS_ERR_NOTEXIST && r->err4 != DNS_ERR_NODATA &&
	    r->err4 != DNS_ERR_NONE)
		r->err = r->err4;
	else if (r->err6 != DNS_ERR_NOTEXIST && r->err6 != DNS_ERR_NODATA &&
	    r->err6 != DNS_ERR_NONE)
		r->err = r->err6;
	else
		r->err = r->err4 == DNS_ERR_NOTEXIST ||
		    r->err6 == DNS_ERR_NOTEXIST ? DNS_ERR_NOTEXIST :
		    DNS_ERR_NODATA;
	if (r->err == DNS_ERR_NONE)
		r->err = DNS_ERR_NODATA;
	return POLL_ERROR;
}

static void
resolve_cb(int result, char type, int count, int ttl, void *addresses,
    void *arg)
{
	struct dns_ticket *tk = arg;
	struct resolve_fut *r = tk->r;
	int family = tk->family, i;

	free(tk);
	if (r == NULL)
		return;		/* the future was dropped: nobody waits */
	if (family == AF_INET) {
		r->req4 = NULL;
		r->tk4 = NULL;
		r->err4 = result;
	} else {
		r->req6 = NULL;
		r->tk6 = NULL;
		r->err6 = result;
	}
	if (result == DNS_ERR_NONE && count > 0) {
		if ((uint32_t)ttl < r->ttl && ttl >= 0)
			r->ttl = (uint32_t)ttl;
		for (i = 0; i < count && i < RESOLVE_MAX_ADDRS; i++) {
			union sockaddr_union *su;

			if (type == DNS_IPv4_A && family == AF_INET) {
				su = &r->addrs[r->n4++];
				memset(su, 0, sizeof(*su));
				su->sin.sin_family = AF_INET;
				su->sin.sin_port = htons(r->port);
				memcpy(&su->sin.sin_addr,
				    (char *)addresses + 4 * i, 4);
			} else if (type == DNS_IPv6_AAAA &&
			    family == AF_INET6) {
				su = &r->a6[r->n6++];
				memset(su, 0, sizeof(*su));
				su->sin6.sin6_family = AF_INET6;
				su->sin6.sin6_port = htons(r->port);
				memcpy(&su->sin6.sin6_addr,
				    (char *)addresses + 16 * i, 16);
			}
		}
	} else if (result == DNS_ERR_NONE)
		(family == AF_INET ? &r->err4 : &r->err6)[0] = DNS_ERR_NODATA;
	if (r->req4 == NULL && r->req6 == NULL && r->task != NULL)
		task_wake(r->task);
}

static struct evdns_request *
resolve_query(struct resolve_fut *r, int family)
{
	struct evdns_request *req;
	struct dns_ticket *tk;

	if ((tk = malloc(sizeof(*tk))) == NULL)
		return NULL;
	tk->r = r;
	tk->family = family;
	req = family == AF_INET ?
	    evdns_base_resolve_ipv4(r->dns, r->host, 0, resolve_cb, tk) :
	    evdns_base_resolve_ipv6(r->dns, r->host, 0, resolve_cb, tk);
	if (req == NULL)
		free(tk);
	else if (family == AF_INET)
		r->tk4 = tk;
	else
		r->tk6 = tk;
	return req;
}

enum poll
resolve_poll(struct resolve_fut *r, struct task *t)
{
	int n;

	switch (r->state) {
	case RESOLVE_INIT:
		n = hosts_lookup(r->host, r->family, r->port, r->addrs,
		    RESOLVE_MAX_ADDRS);
		if (n > 0) {
			r->from_hosts = 1;
			r->n4 = (unsigned)n;	/* already in order */
			r->n6 = 0;
			return resolve_finish(r);
		}
		r->task = t;
		r->err4 = r->err6 = DNS_ERR_NONE;
		if (r->family != AF_INET6 &&
		    (r->req4 = resolve_query(r, AF_INET)) == NULL)
			r->err4 = DNS_ERR_UNKNOWN;
		if (r->family != AF_INET &&
		    (r->req6 = resolve_query(r, AF_INET6)) == NULL)
			r->err6 = DNS_ERR_UNKNOWN;
		if (r->req4 == NULL && r->req6 == NULL)
			return resolve_finish(r);
		r->state = RESOLVE_WAIT;
		return POLL_PENDING;
	case RESOLVE_WAIT:
		if (r->req4 != NULL || r->req6 != NULL)
			return POLL_PENDING;
		return resolve_finish(r);
	case RESOLVE_DONE:
		break;
	}
	return r->naddrs > 0 ? POLL_READY : POLL_ERROR;
}

/*
 * Cancel the queries in flight.  Their tickets are orphaned, not freed:
 * evdns still calls back once for each (with DNS_ERR_CANCEL, or with an
 * answer that was already on its way) and resolve_cb frees it then.
 */
void
resolve_drop(struct resolve_fut *r)
{
	if (r->tk4 != NULL) {
		r->tk4->r = NULL;
		evdns_cancel_request(r->dns, r->req4);
	}
	if (r->tk6 != NULL) {
		r->tk6->r = NULL;
		evdns_cancel_request(r->dns, r->req6);
	}
	r->tk4 = r->tk6 = NULL;
	r->req4 = r->req6 = NULL;
	r->task = NULL;
	r->state = RESOLVE_INIT;
}
