/*
 * output_words.c - the words the text backend's commands share: a
 * malformed reply said, host:port, and "label:      value" lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_text.h"
#include "field.h"
#include "print.h"

int
text_malformed(const char *what)
{
	print_warnx("malformed reply from futd: %s", what);
	return -1;
}

/* host:port, with an IPv6 host in brackets so the port stays apart. */
void
text_target(char *buf, size_t size, const json_t *target)
{
	const char	*host;
	char		 port[32];
	int		 v6;

	host = field_str(target, "host");
	field_fmt_int(port, sizeof(port), target, "port");
	if (host == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	v6 = strchr(host, ':') != NULL;
	snprintf(buf, size, "%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "",
	    port);
}

/* "label:      value", the value from column 14 on (labels < 13). */
void
text_kv(const char *label, const char *fmt, ...)
{
	va_list	 ap;
	char	*value;

	va_start(ap, fmt);
	value = print_vasprintf(fmt, ap);
	va_end(ap);
	print_line(stdout, "%-13s%s", label, value);
	free(value);
}
