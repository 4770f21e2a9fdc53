/*
 * print.c - how futctl writes words from futd: every control character
 * shown as '?', so that a name or a message holding "\n" or an escape
 * sequence cannot break the layout or play with the terminal; and the
 * columns a string takes, for tables.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "futctl.h"
#include "print.h"

/*
 * Say "futctl: <message>" on stderr: for main() and the parser's errors,
 * with the same care for control characters as the rest.
 */
void
print_warnx(const char *fmt, ...)
{
	va_list	 ap;

	fflush(stdout);
	fputs("futctl: ", stderr);
	va_start(ap, fmt);
	print_vline(stderr, fmt, ap);
	va_end(ap);
}

/*
 * Columns a string takes: one per UTF-8 character, not per byte, so that
 * a name like "café" does not shift the table.  (Wide characters would
 * need wcwidth() and a locale; names are ASCII in practice.)
 */
size_t
print_width(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Write s, with each control character shown as '?'. */
void
print_write(FILE *fp, const char *s)
{
	unsigned char	 c;

	for (; (c = (unsigned char)*s) != '\0'; s++)
		putc(c < 0x20 || c == 0x7f ? '?' : c, fp);
}

void
print_vline(FILE *fp, const char *fmt, va_list ap)
{
	char	*line;

	line = print_vasprintf(fmt, ap);
	print_write(fp, line);
	putc('\n', fp);
	free(line);
}

void
print_line(FILE *fp, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	print_vline(fp, fmt, ap);
	va_end(ap);
}

/* Out of memory in a command-line tool: say so and stop. */
char *
print_vasprintf(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) == -1) {
		fputs("futctl: out of memory\n", stderr);
		exit(FUTCTL_EXIT_REPLY);
	}
	return s;
}
