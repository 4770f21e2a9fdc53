/*
 * web.h - what the HTTP listener (http.c) serves besides /metrics: the
 * status pages and their JSON.
 *
 *	/			every target, a row and a small graph each
 *				(web.c); ?name=GLOB&state=STATE&page=N
 *	/target/NAME		one target in full (web_target.c)
 *	/api/status		`futctl --json status` (web_api.c); ?name=
 *				and ?state= as the page's
 *	/api/target/NAME	`futctl --json show NAME`
 *
 * Each reply is a stream, rendered a chunk at a time as /metrics is:
 * web_open() says whether the path is ours and what its answer will be
 * (200, 400, 404), web_next() renders about max bytes more and answers 1
 * while there is more, 0 at the end, -1 out of memory.  Between two
 * chunks the reactor runs: a cursor holds the name of the last target
 * looked at, never an index or a pointer, so a reload in between
 * neither breaks it nor repeats a target.
 */
#ifndef FUTD_WEB_H
#define FUTD_WEB_H

#include <stddef.h>

#include "jsonw.h"

struct daemon;
struct evbuffer;
struct target;

#define WEB_PAGE_ROWS	500	/* targets a page of the list */
#define WEB_NAME_MAX	255	/* a cursor's name (config: 128) */
#define WEB_REFRESH_S	15	/* the pages reload themselves */

enum web_kind {
	WEB_LIST,		/* / */
	WEB_TARGET,		/* /target/NAME */
	WEB_API_STATUS,		/* /api/status */
	WEB_API_TARGET,		/* /api/target/NAME */
};

/* The query string of the list and of /api/status. */
struct web_query {
	char		*name;		/* fnmatch(3) pattern, or NULL */
	int		 state;		/* enum target_state, or -1 */
	unsigned	 page;		/* from 1 */
	unsigned	 trend;		/* /api/status: latencies each */
};

struct web_stream {
	enum web_kind	 kind;
	struct web_query q;
	char		*target;	/* /target/NAME's, decoded */
	int		 phase;		/* how far the reply is */
	size_t		 skip;		/* matches before the page */
	size_t		 shown;		/* targets written */
	int		 more;		/* a match after this page */
	char		 after[WEB_NAME_MAX + 1];	/* "": the first */
	struct jsonw	 jw;		/* the JSON replies' */
};

/* web.c */
int		 web_open(const struct daemon *, const char *, const char *,
		    struct web_stream **, const char **, char *, size_t);
int		 web_next(struct web_stream *, const struct daemon *,
		    struct evbuffer *, size_t);
void		 web_free(struct web_stream *);

/* web_query.c */
int		 web_query_parse(struct web_query *, const char *, char *,
		    size_t);
void		 web_query_free(struct web_query *);
int		 web_query_match(const struct web_query *,
		    const struct target *);
size_t		 web_after(const struct daemon *, const char *);
void		 web_after_set(struct web_stream *, const char *);

/* web_target.c */
int		 web_target_page(struct web_stream *, const struct daemon *,
		    struct evbuffer *);

/* web_api.c */
int		 web_api_status(struct web_stream *, const struct daemon *,
		    struct evbuffer *, size_t);
int		 web_api_target(struct web_stream *, const struct daemon *,
		    struct evbuffer *);

#endif /* FUTD_WEB_H */
