/*
 * metrics.h - futd's figures in the Prometheus text format (metrics.c),
 * served by `futctl metrics` and by an optional HTTP listener (http.c).
 */
#ifndef FUTD_METRICS_H
#define FUTD_METRICS_H

#include <stddef.h>

struct daemon;
struct evbuffer;
struct event_base;
struct http;
struct metrics_stream;

/* metrics.c */
struct metrics_stream *metrics_stream_new(int);
int		 metrics_stream_next(struct metrics_stream *,
		    const struct daemon *, struct evbuffer *, size_t);
void		 metrics_stream_free(struct metrics_stream *);

/* http.c */
struct http	*http_start(struct daemon *, struct event_base *, const char *,
		    char *, size_t);
void		 http_free(struct http *);

#endif /* FUTD_METRICS_H */
