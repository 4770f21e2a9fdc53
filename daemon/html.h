/*
 * html.h - text made safe for the status pages (html.c): every string
 * that comes from the config or from a peer goes out through these, and
 * through nothing else, into an evbuffer (web.c, web_target.c, svg.c).
 */
#ifndef FUTD_HTML_H
#define FUTD_HTML_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;

#define HTML_NUM	32	/* room for html_ms(), html_ago() ... */

void		 html_head(struct evbuffer *, const char *, int);
void		 html_text(struct evbuffer *, const char *);
void		 html_text_n(struct evbuffer *, const char *, size_t);
void		 html_bytes(struct evbuffer *, const unsigned char *,
		    size_t);
void		 html_url(struct evbuffer *, const char *);
void		 html_lit(struct evbuffer *, const char *);
const char	*html_ms(char *, size_t, uint64_t);
const char	*html_ago(char *, size_t, int64_t);
const char	*html_percent(char *, size_t, int, double);

#endif /* FUTD_HTML_H */
