/*
 * conf_host.c - is a host as written one futd can probe: an IPv4 or IPv6
 * literal, or a name a resolver can look up?  Anything else would pass
 * the load, be sent to the name servers as it is and fail at run time as
 * a vague "request timed out"; so it is refused here, with the mistake it
 * probably is ("[::1]", "127.0.0.1:80", a URL) and what to write instead.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"

#define CONF_HOST_MAX		253	/* a name, without the final dot */
#define CONF_LABEL_MAX		63

static int
conf_host_v6(const char *s, size_t len, struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, a) == 1;
}

/* s is 1..5 digits, a port number */
static int
conf_host_port(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n <= 5 && s[n] == '\0' && atoi(s) <= 65535;
}

/* "[::1]" and "[::1]:80" */
static int
conf_host_bracket(const char *h, char *why, size_t len)
{
	const char *end = strchr(h, ']');
	struct in6_addr a;
	int n;

	if (end == NULL || !conf_host_v6(h + 1, (size_t)(end - h - 1), &a)) {
		snprintf(why, len, "'[' cannot be in a name or an address");
		return -1;
	}
	n = (int)(end - h - 1);
	if (end[1] == ':' && conf_host_port(end + 2)) {
		snprintf(why, len, "write an IPv6 address without brackets and "
		    "the port in port = ...: host = \"%.*s\"; port = %s;", n,
		    h + 1, end + 2);
		return -2;
	}
	snprintf(why, len, "write an IPv6 address without brackets: host = "
	    "\"%.*s\";", n, h + 1);
	return -1;
}

/*
 * An address of ::/96 but :: and ::1 is a deprecated IPv4-compatible one
 * that nobody probes; when it reads as an address and a port ("::1:80"),
 * that is what was meant.
 */
static int
conf_host_v6_port(const char *h, const struct in6_addr *a, char *why,
    size_t len)
{
	static const unsigned char zero[12];
	const char *colon = strrchr(h, ':');
	struct in6_addr b;
	uint32_t low;

	memcpy(&low, &a->s6_addr[12], sizeof(low));
	if (memcmp(a->s6_addr, zero, sizeof(zero)) != 0 ||
	    ntohl(low) <= 1 || colon == NULL || !conf_host_port(colon + 1) ||
	    !conf_host_v6(h, (size_t)(colon - h), &b))
		return 0;
	snprintf(why, len, "it reads as one IPv6 address, not as %.*s and a "
	    "port: write the port in port = ...: host = \"%.*s\"; port = %s;",
	    (int)(colon - h), h, (int)(colon - h), h, colon + 1);
	return -2;
}

/*
 * "http://example.com:8080/x": the name (and port) alone; of
 * "http://[::1]:8080/", the address without its brackets, which host
 * would refuse.
 */
static int
conf_host_url(const char *h, char *why, size_t len)
{
	const char *p = strstr(h, "://") + 3, *at, *end, *colon, *rb;
	int n;

	end = p + strcspn(p, "/?#");
	if ((at = memchr(p, '@', (size_t)(end - p))) != NULL)
		p = at + 1;
	if (*p == '[' && (rb = memchr(p, ']', (size_t)(end - p))) != NULL) {
		n = (int)(rb - p - 1);
		p++;
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		n = (int)((colon != NULL ? colon : end) - p);
	}
	if (colon != NULL && colon + 1 < end) {
		snprintf(why, len, "a URL: write the name alone and the port "
		    "in port = ...: host = \"%.*s\"; port = %.*s;", n, p,
		    (int)(end - colon - 1), colon + 1);
		return -2;
	}
	snprintf(why, len, "a URL: write the name alone: host = \"%.*s\";", n,
	    p);
	return -1;
}

/* "localhost:6379", "fe80::1%eth0", "1:2:3": what the ':' means */
static int
conf_host_colon(const char *h, char *why, size_t len)
{
	const char *colon = strchr(h, ':'), *pct = strchr(h, '%');
	struct in6_addr a;

	if (pct != NULL && conf_host_v6(h, (size_t)(pct - h), &a))
		snprintf(why, len, "an IPv6 zone (%s) is not supported: probe "
		    "an address that needs none", pct);
	else if (strchr(colon + 1, ':') == NULL && conf_host_port(colon + 1)) {
		snprintf(why, len, "write the port in port = ...: host = "
		    "\"%.*s\"; port = %s;", (int)(colon - h), h, colon + 1);
		return -2;
	} else
		snprintf(why, len, "not an IPv6 address (and ':' cannot be in "
		    "a name)");
	return -1;
}

/* a character of a name, as the message shows it */
static void
conf_host_char(unsigned char c, char *buf, size_t len)
{
	if (c == ' ')
		snprintf(buf, len, "a space");
	else if (isprint(c))
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte \\x%02x", c);
}

/*
 * RFC 1123 names: labels of 1 to 63 letters, digits and '-', neither
 * first nor last, 253 characters in all; '_' too, which /etc/hosts, DNS
 * servers and container networks hold although hostnames may not.
 */
static int
conf_host_name(const char *h, char *why, size_t len)
{
	const char *p, *label = h;
	size_t n = strlen(h);
	char c[16];

	if (n > 0 && h[n - 1] == '.')
		n--;	/* fully qualified */
	if (n > CONF_HOST_MAX) {
		snprintf(why, len, "a name is at most %d characters",
		    CONF_HOST_MAX);
		return -1;
	}
	if (strspn(h, "0123456789.") == strlen(h)) {
		snprintf(why, len, "not an IPv4 address (four numbers 0 to 255 "
		    "between dots) nor a name");
		return -1;
	}
	for (p = h; p <= h + n; p++) {
		if (p < h + n && p[0] != '.') {
			if ((unsigned char)*p >= 0x80) {
				snprintf(why, len, "a name is ASCII: write an "
				    "international one as its xn-- form (what "
				    "idn2 prints)");
				return -1;
			}
			if (!isalnum((unsigned char)*p) && *p != '-' &&
			    *p != '_') {
				conf_host_char((unsigned char)*p, c, sizeof(c));
				snprintf(why, len, "%s cannot be in a name "
				    "(letters, digits, '-', '_' and dots)", c);
				return -1;
			}
			continue;
		}
		if (p == label)
			snprintf(why, len, "an empty label (two dots, or a dot "
			    "first)");
		else if (p - label > CONF_LABEL_MAX)
			snprintf(why, len, "a label is at most %d characters",
			    CONF_LABEL_MAX);
		else if (*label == '-' || p[-1] == '-')
			snprintf(why, len, "a label cannot begin or end with "
			    "'-'");
		else {
			label = p + 1;
			continue;
		}
		return -1;
	}
	return 0;
}

/*
 * 0 when h is an address (only if literal_ok) or a name; -1 with why the
 * problem and, when it is a common slip, what to write; -2 likewise when
 * h holds a port (which belongs in port).
 */
int
conf_host_check(const char *h, int literal_ok, char *why, size_t len)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (*h == '\0') {
		snprintf(why, len, "it is empty");
		return -1;
	}
	if (strstr(h, "://") != NULL)
		return conf_host_url(h, why, len);
	if (*h == '[')
		return conf_host_bracket(h, why, len);
	if (inet_pton(AF_INET6, h, &a6) == 1 &&
	    conf_host_v6_port(h, &a6, why, len) != 0)
		return -2;
	if (inet_pton(AF_INET, h, &a4) == 1 ||
	    inet_pton(AF_INET6, h, &a6) == 1) {
		if (literal_ok)
			return 0;
		snprintf(why, len, "an address: TLS sends only a name (leave "
		    "sni out to send none)");
		return -1;
	}
	if (strchr(h, ':') != NULL)
		return conf_host_colon(h, why, len);
	return conf_host_name(h, why, len);
}
