/*
 * web_query.c - the query string of the status pages (see web.h), which
 * targets it picks, and the cursor by name that the streams walk with.
 *
 *	name=GLOB	fnmatch(3) on the target's name (`futctl status
 *			--match`'s)
 *	state=STATE	up, down, flapping, unknown or disabled
 *	page=N		the list's page, from 1 (WEB_PAGE_ROWS a page)
 *	trend=N		/api/status: the last N latencies of each target,
 *			1 to 64 (proto.h's status trend=N)
 *
 * Other keys are ignored (a browser's form may add some); a bad value
 * is a 400 that says what is good.
 */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "results.h"
#include "target.h"
#include "web.h"

#define WEB_PAGE_MAX	1000000
#define WEB_TREND_MAX	64
#define WEB_GLOB_MAX	256
#define WEB_GLOB_STARS	4

static int
web_query_state(const char *v)
{
	int s;

	for (s = TARGET_UNKNOWN; s <= TARGET_STATE_LAST; s++)
		if (strcmp(v, target_state_name(s)) == 0)
			return s;
	return -1;
}

/*
 * A pattern anyone who reaches the listener may send, matched against
 * every name: fnmatch(3) backtracks over each star, so a long one of many
 * stars could take the reactor for seconds.  A name is 128 bytes at most.
 */
static int
web_query_glob_bad(const char *v)
{
	int stars = 0;

	if (strlen(v) > WEB_GLOB_MAX)
		return 1;
	for (; *v != '\0'; v++)
		stars += *v == '*';
	return stars > WEB_GLOB_STARS;
}

/* 0, or -1 and why (for a 400) */
int
web_query_parse(struct web_query *q, const char *query, char *why,
    size_t whylen)
{
	struct evkeyvalq kv;
	struct evkeyval *p;
	char *end;
	unsigned long n;
	int rc = 0;

	q->name = NULL;
	q->state = -1;
	q->page = 1;
	q->trend = 0;
	if (query == NULL || *query == '\0')
		return 0;
	TAILQ_INIT(&kv);
	if (evhttp_parse_query_str(query, &kv) == -1) {
		snprintf(why, whylen, "a query string of key=value&...");
		return -1;
	}
	TAILQ_FOREACH(p, &kv, next) {
		if (strcmp(p->key, "name") == 0 && *p->value != '\0' &&
		    web_query_glob_bad(p->value)) {
			snprintf(why, whylen, "name is a pattern of at most "
			    "%d bytes and %d stars", WEB_GLOB_MAX,
			    WEB_GLOB_STARS);
			rc = -1;
		} else if (strcmp(p->key, "name") == 0 && *p->value != '\0') {
			free(q->name);
			if ((q->name = strdup(p->value)) == NULL) {
				snprintf(why, whylen, "out of memory");
				rc = -1;
			}
		} else if (strcmp(p->key, "state") == 0 && *p->value != '\0') {
			if ((q->state = web_query_state(p->value)) == -1) {
				snprintf(why, whylen, "state is one of "
				    "unknown, up, down, flapping, disabled");
				rc = -1;
			}
		} else if (strcmp(p->key, "page") == 0) {
			n = strtoul(p->value, &end, 10);
			if (*p->value < '0' || *p->value > '9' ||
			    *end != '\0' || n < 1 || n > WEB_PAGE_MAX) {
				snprintf(why, whylen, "page is a number from "
				    "1 to %d", WEB_PAGE_MAX);
				rc = -1;
			} else
				q->page = (unsigned)n;
		} else if (strcmp(p->key, "trend") == 0) {
			n = strtoul(p->value, &end, 10);
			if (*p->value < '0' || *p->value > '9' ||
			    *end != '\0' || n < 1 || n > WEB_TREND_MAX) {
				snprintf(why, whylen, "trend is a number from "
				    "1 to %d", WEB_TREND_MAX);
				rc = -1;
			} else
				q->trend = (unsigned)n;
		}
	}
	evhttp_clear_headers(&kv);
	if (rc == -1)
		web_query_free(q);
	return rc;
}

void
web_query_free(struct web_query *q)
{
	free(q->name);
	q->name = NULL;
}

int
web_query_match(const struct web_query *q, const struct target *tg)
{
	if (q->state != -1 && (int)results_state(&tg->res) != q->state)
		return 0;
	return q->name == NULL || fnmatch(q->name, tg->conf.name, 0) == 0;
}

/* The index of the first target whose name sorts after name ("": 0). */
size_t
web_after(const struct daemon *d, const char *name)
{
	size_t lo = 0, hi = d->ntargets, mid;

	if (*name == '\0')
		return 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(d->targets[mid]->conf.name, name) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
web_after_set(struct web_stream *ws, const char *name)
{
	snprintf(ws->after, sizeof(ws->after), "%s", name);
}
