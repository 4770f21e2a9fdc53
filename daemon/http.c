/* http.c - placeholder until written */
#include <stdio.h>

#include "futd.h"
#include "metrics.h"

struct http *
http_start(struct daemon *d, struct event_base *base, const char *listen,
    char *err, size_t errlen)
{
	(void)d;
	(void)base;
	snprintf(err, errlen, "metrics_listen %s: not built yet", listen);
	return NULL;
}

void
http_free(struct http *h)
{
	(void)h;
}
