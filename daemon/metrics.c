/* metrics.c - placeholder until written */
#include <event2/buffer.h>

#include "futd.h"
#include "metrics.h"

int
metrics_render(const struct daemon *d, struct evbuffer *out, int openmetrics)
{
	(void)openmetrics;
	return evbuffer_add_printf(out, "futd_targets %zu\n", d->ntargets) < 0 ?
	    -1 : 0;
}
