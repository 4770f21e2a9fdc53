/*
 * output_words.c - the words the text backend's commands share: a
 * malformed reply said, host:port, and "label:      value" lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/*
 * "label:      value", the value from column 14 on (labels < 13), wrapped
 * under itself where it is wider than the terminal.
 */
void
text_kv(const char *label, const char *fmt, ...)
{
	va_list	 ap;
	char	*value;

	va_start(ap, fmt);
	value = print_vasprintf(fmt, ap);
	va_end(ap);
	printf("%-13s", label);
	print_wrap(stdout, value, 13, 13, print_columns());
	putchar('\n');
	free(value);
}

/*
 * A line of a log: whole where it goes to a file or a pipe (one event a
 * line, for grep), on a terminal wrapped to its width, the lines after
 * the first indented by indent.
 */
void
text_log_line(size_t indent, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	va_start(ap, fmt);
	line = print_vasprintf(fmt, ap);
	va_end(ap);
	if (isatty(STDOUT_FILENO))
		print_wrap(stdout, line, 0, indent, print_columns());
	else
		print_write(stdout, line);
	putchar('\n');
	free(line);
}
