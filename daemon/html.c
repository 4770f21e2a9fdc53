/*
 * html.c - text made safe for HTML and for SVG (see html.h).
 *
 * One escape for both a text node and a quoted attribute value, HTML's
 * or SVG's (the SVG is inline, read by the HTML parser): & < > " ' become
 * entities.  A control byte (a peer's reply, a certificate's subject may
 * hold any) becomes "?": what is shown never breaks a line or a string
 * where the page did not mean it; bytes beyond
 * ASCII go out as they are (UTF-8 names; a broken sequence is shown as
 * the browser's replacement character, harmless).  html_bytes() is for
 * received bytes, which are no text: \xNN for anything not printable.
 * A name in a link is percent-encoded (html_url), which leaves nothing
 * for HTML to read.
 */
#include <event2/buffer.h>

#include <stdio.h>
#include <string.h>

#include "html.h"

static const char html_style[] =
	"body{font:14px/1.4 sans-serif;margin:1em 2em;color:#1f2328}"
	"h1{font-size:20px;margin:0 0 .3em}"
	"table{border-collapse:collapse}"
	"th,td{padding:3px 8px;text-align:left;vertical-align:middle;"
	"border-bottom:1px solid #d0d7de}"
	"th{background:#f6f8fa;font-weight:600}"
	"td.num{text-align:right;white-space:nowrap;"
	"font-variant-numeric:tabular-nums}"
	"td.name{white-space:nowrap}td.fail{color:#d1242f;font-weight:600}"
	"td.err{max-width:22em;overflow-wrap:anywhere;color:#57606a}"
	".st{display:inline-block;min-width:5.5em;padding:1px 6px;"
	"border-radius:3px;font-weight:600;text-align:center;color:#fff}"
	".st.up{background:#1a7f37}.st.down{background:#d1242f}"
	".st.flapping{background:#bc4c00}.st.unknown{background:#6e7781}"
	".st.disabled{background:#0550ae}"
	"form{margin:.5em 0}nav{margin:.8em 0}nav a{margin-right:1em}"
	"dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}"
	"dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}"
	"code{background:#f6f8fa;padding:0 3px}"
	"footer{color:#57606a;font-size:12px;margin-top:1em}";

/* A page's head, its title escaped; it reloads itself every refresh_s. */
void
html_head(struct evbuffer *out, const char *title, int refresh_s)
{
	evbuffer_add_printf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
	    "content=\"%d\"><meta name=\"viewport\" content=\"width=device-"
	    "width\"><title>", refresh_s);
	html_text(out, title);
	evbuffer_add_printf(out, "</title><style>%s</style></head><body>\n",
	    html_style);
}

/* the entity of c, or NULL when c goes out as it is */
static const char *
html_entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return c < 0x20 || c == 0x7f ? "?" : NULL;
	}
}

void
html_text_n(struct evbuffer *out, const char *s, size_t len)
{
	const char *e;
	size_t i, from = 0;

	for (i = 0; i < len; i++) {
		if ((e = html_entity((unsigned char)s[i])) == NULL)
			continue;
		if (i > from)
			evbuffer_add(out, s + from, i - from);
		evbuffer_add(out, e, strlen(e));
		from = i + 1;
	}
	if (len > from)
		evbuffer_add(out, s + from, len - from);
}

void
html_text(struct evbuffer *out, const char *s)
{
	if (s != NULL)
		html_text_n(out, s, strlen(s));
}

/* Our own markup, never a peer's: no escaping. */
void
html_lit(struct evbuffer *out, const char *s)
{
	evbuffer_add(out, s, strlen(s));
}

/* Bytes from a peer: printable ASCII escaped, the rest as \xNN. */
void
html_bytes(struct evbuffer *out, const unsigned char *b, size_t n)
{
	char hex[8];
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\')
			html_text_n(out, (const char *)&b[i], 1);
		else {
			snprintf(hex, sizeof(hex), "\\x%02x", b[i]);
			evbuffer_add(out, hex, strlen(hex));
		}
	}
}

/* A path segment or query value: all but RFC 3986's unreserved encoded. */
void
html_url(struct evbuffer *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	char pct[3];

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			evbuffer_add(out, s, 1);
		else {
			pct[0] = '%';
			pct[1] = hex[c >> 4];
			pct[2] = hex[c & 15];
			evbuffer_add(out, pct, 3);
		}
	}
}

/* microseconds as people read them: 0.083 ms, 12.4 ms, 152 ms, 1.52 s */
const char *
html_ms(char *buf, size_t len, uint64_t us)
{
	double ms = (double)us / 1000;

	if (ms < 1)
		snprintf(buf, len, "%.3f ms", ms);
	else if (ms < 100)
		snprintf(buf, len, "%.1f ms", ms);
	else if (ms < 1000)
		snprintf(buf, len, "%.0f ms", ms);
	else if (ms < 10000)
		snprintf(buf, len, "%.2f s", ms / 1000);
	else
		snprintf(buf, len, "%.0f s", ms / 1000);
	return buf;
}

/* a span of time in one or two units: 45s, 3m 20s, 5h 02m, 12d 4h */
const char *
html_ago(char *buf, size_t len, int64_t us)
{
	int64_t s = us > 0 ? us / 1000000 : 0;

	if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm %02llds", (long long)(s / 60),
		    (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh %02lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lldd %lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	return buf;
}

/* a ratio as a percentage; have 0: none yet, a dash */
const char *
html_percent(char *buf, size_t len, int have, double v)
{
	if (!have)
		snprintf(buf, len, "\xe2\x80\x94");	/* an em dash */
	else if (v >= 1)
		snprintf(buf, len, "100%%");
	else
		/* 99.995 % is not 100 %: truncated, not rounded */
		snprintf(buf, len, "%.2f%%", (double)(long long)(v * 10000) /
		    100);
	return buf;
}
